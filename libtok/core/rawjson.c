/* Direct reading of model.vocab and model.merges (see rawjson.h). */
#include "rawjson.h"

#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>

/* Bit k set where p[k] is JSON white space (16 bytes). */
static inline unsigned ws16(const char *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i w = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))),
                             _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'))));
    return (unsigned)_mm_movemask_epi8(w);
}
#endif

size_t tok_rawjson_ws(const char *d, size_t n, size_t i)
{
    if (i < n && (unsigned char)d[i] > ' ') return i; /* most calls: no white space */
#ifdef __SSE2__
    /* a pretty-printed file puts a line break and an indent between entries */
    for (; i + 16 <= n; i += 16) {
        unsigned other = ~ws16(d + i) & 0xFFFF;
        if (other) return i + (size_t)__builtin_ctz(other);
    }
#endif
    while (i < n && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t')) i++;
    return i;
}

void tok_rawjson_where(const char *d, size_t pos, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < pos; i++) {
        if (d[i] == '\n') { l++; c = 1; }
        else if (((unsigned char)d[i] & 0xC0) != 0x80) c++;
    }
    *line = l;
    *col = c;
}

void tok_rawjson_linecol(const char *d, size_t pos, char *buf, size_t cap)
{
    size_t line, col;
    tok_rawjson_where(d, pos, &line, &col);
    snprintf(buf, cap, "%zu:%zu", line, col);
}

/* End of the string starting at d[i] == '"', or 0.  memchr to the next quote,
 * then count the backslashes before it: most of a tokenizer.json is strings. */
static size_t skip_string(const char *d, size_t n, size_t i)
{
    for (i++; i < n;) {
        const char *q = memchr(d + i, '"', n - i);
        if (!q) return 0;
        size_t k = (size_t)(q - d), bs = 0;
        while (k - bs > i && d[k - bs - 1] == '\\') bs++;
        if (bs % 2 == 0) return k + 1;
        i = k + 1;
    }
    return 0;
}

/* End of the object or array at d[i] ('{' or '['), or 0.  Sixteen bytes a
 * step: only quotes, backslashes and brackets matter, found as bits (a
 * vocabulary entry has two quotes in some twenty bytes). */
static size_t skip_nested(const char *d, size_t n, size_t i)
{
    int depth = 0;
    bool in_str = false;
#ifdef __SSE2__
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), o1 = _mm_set1_epi8('{'), o2 = _mm_set1_epi8('['),
                  c1 = _mm_set1_epi8('}'), c2 = _mm_set1_epi8(']');
    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
        unsigned strm = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)));
        unsigned brk = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, o1), _mm_cmpeq_epi8(x, o2)),
                                                                _mm_or_si128(_mm_cmpeq_epi8(x, c1), _mm_cmpeq_epi8(x, c2))));
        unsigned m = strm | brk;
        size_t next = i + 16;
        while (m) {
            unsigned k = (unsigned)__builtin_ctz(m);
            m &= m - 1;
            char c = d[i + k];
            if (in_str) {
                if (c == '\\') { /* the escaped byte is skipped, maybe into the next block */
                    if (k == 15) { next = i + 17; break; }
                    m &= ~(1u << (k + 1));
                } else if (c == '"') {
                    in_str = false;
                }
            } else if (c == '"') {
                in_str = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i + k + 1;
            }
        }
        i = next;
    }
#endif
    for (; i < n; i++) {
        char c = d[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return i + 1;
        }
    }
    return 0;
}

/* End of the value at d[i], or 0. */
static size_t skip_value(const char *d, size_t n, size_t i)
{
    i = tok_rawjson_ws(d, n, i);
    if (i >= n) return 0;
    if (d[i] == '"') return skip_string(d, n, i);
    if (d[i] == '{' || d[i] == '[') return skip_nested(d, n, i);
    while (i < n && d[i] != ',' && d[i] != '}' && d[i] != ']' && d[i] != ' ' && d[i] != '\n' && d[i] != '\r' && d[i] != '\t') i++;
    return i;
}

/* Is the key at d[i] (a string) equal to k?  Keys here never need unescaping. */
static bool key_is(const char *d, size_t i, size_t e, const char *k)
{
    size_t kl = strlen(k);
    return e - i == kl + 2 && !memcmp(d + i + 1, k, kl);
}

/* Walk the members of the object at d[i] == '{', calling back per key with
 * where its value starts; the callback returns where the value ends (0:
 * malformed).  Returns the end of the object, or 0. */
typedef size_t (*member_fn)(void *arg, const char *d, size_t n, size_t key, size_t key_end, size_t val);
static size_t walk_object(const char *d, size_t n, size_t i, member_fn fn, void *arg)
{
    if (i >= n || d[i] != '{') return 0;
    i = tok_rawjson_ws(d, n, i + 1);
    if (i < n && d[i] == '}') return i + 1;
    for (;;) {
        if (i >= n || d[i] != '"') return 0;
        size_t ke = skip_string(d, n, i);
        if (!ke) return 0;
        size_t c = tok_rawjson_ws(d, n, ke);
        if (c >= n || d[c] != ':') return 0;
        size_t v = tok_rawjson_ws(d, n, c + 1);
        size_t ve = fn(arg, d, n, i, ke, v);
        if (!ve) return 0;
        i = tok_rawjson_ws(d, n, ve);
        if (i < n && d[i] == ',') { i = tok_rawjson_ws(d, n, i + 1); continue; }
        return i < n && d[i] == '}' ? i + 1 : 0;
    }
}

typedef struct found { tok_span_text *vocab, *merges; int have_model, have_v, have_m; } found;

static size_t model_member(void *arg, const char *d, size_t n, size_t k, size_t ke, size_t v)
{
    found *f = arg;
    size_t ve = skip_value(d, n, v);
    if (!ve) return 0;
    if (key_is(d, k, ke, "vocab") && d[v] == '{') { f->vocab->start = v; f->vocab->end = ve; f->have_v = 1; }
    if (key_is(d, k, ke, "merges") && d[v] == '[') { f->merges->start = v; f->merges->end = ve; f->have_m = 1; }
    return ve;
}

/* The model object is walked where the top level meets it (its two large
 * members are scanned once); a later "model" key replaces an earlier one,
 * as in the tree. */
static size_t top_member(void *arg, const char *d, size_t n, size_t k, size_t ke, size_t v)
{
    found *f = arg;
    if (key_is(d, k, ke, "model") && v < n && d[v] == '{') {
        f->have_model = 1;
        f->have_v = f->have_m = 0;
        return walk_object(d, n, v, model_member, f);
    }
    return skip_value(d, n, v);
}

int tok_rawjson_bpe_spans(const char *d, size_t n, tok_span_text *vocab, tok_span_text *merges)
{
    found f = { vocab, merges, 0, 0, 0 };
    size_t i = tok_rawjson_ws(d, n, 0);
    if (!walk_object(d, n, i, top_member, &f) || !f.have_model) return 0;
    return f.have_v && f.have_m;
}

static int hex4(const char *d, size_t n, size_t i, uint32_t *v)
{
    if (i + 4 > n) return -1;
    uint32_t x = 0;
    for (int k = 0; k < 4; k++) {
        char c = d[i + (size_t)k];
        int h = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (h < 0) return -1;
        x = x * 16 + (uint32_t)h;
    }
    *v = x;
    return 0;
}

int tok_rawjson_string(const char *d, size_t n, size_t *pos, tok_sbuf *out)
{
    size_t i = *pos;
    out->n = 0;
    if (i >= n || d[i] != '"') return -1;
    i++;
    for (;;) {
        size_t s = i;
#ifdef __SSE2__
        while (i + 16 <= n) { /* the next quote, backslash or control char */
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(d + i)), lim = _mm_set1_epi8(0x1F);
            __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                                        _mm_cmpeq_epi8(_mm_max_epu8(x, lim), lim));
            unsigned m = (unsigned)_mm_movemask_epi8(stop);
            if (m) {
                i += (size_t)__builtin_ctz(m);
                break;
            }
            i += 16;
        }
#endif
        while (i < n && d[i] != '"' && d[i] != '\\' && (unsigned char)d[i] >= 0x20) i++;
        if (i > s && tok_sbuf_put(out, d + s, i - s)) return -1;
        if (i >= n || (unsigned char)d[i] < 0x20) return -1;
        if (d[i] == '"') break;
        if (++i >= n) return -1;
        char c = d[i++], r;
        switch (c) {
        case '"': r = '"'; break;
        case '\\': r = '\\'; break;
        case '/': r = '/'; break;
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (hex4(d, n, i, &cp)) return -1;
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (i + 6 > n || d[i] != '\\' || d[i + 1] != 'u' || hex4(d, n, i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return -1;
            }
            uint8_t u[4];
            int k = tok_utf8_encode(cp, u);
            if (tok_sbuf_put(out, u, (size_t)k)) return -1;
            continue;
        }
        default: return -1;
        }
        if (tok_sbuf_putc(out, r)) return -1;
    }
    *pos = i + 1;
    return 0;
}

/* Eight bytes at a time: a byte of x ^ c is zero exactly when its low seven
 * bits plus 0x7F do not carry into bit 7 and bit 7 was clear. */
size_t tok_rawjson_count(const char *s, size_t n, char ch)
{
    size_t k = 0, i = 0;
    const uint64_t lo7 = 0x7F7F7F7F7F7F7F7FULL, c8 = 0x0101010101010101ULL * (uint8_t)ch;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        x ^= c8;
        k += (size_t)tok_popcount64(~(((x & lo7) + lo7) | x | lo7));
    }
    for (; i < n; i++) k += s[i] == ch;
    return k;
}
