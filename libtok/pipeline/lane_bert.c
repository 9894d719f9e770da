/*
 * The BERT lane: BertNormalizer + BertPreTokenizer + WordPiece in one pass.
 *
 * On printable ASCII the normalizer changes nothing but case (clean_text
 * keeps 0x20-0x7E and turns \t \n \r into spaces; there are no CJK chars or
 * accents), the pre-tokenizer cuts at spaces and isolates each ASCII
 * punctuation char, and offsets are the byte positions themselves.  So the
 * text is read as runs between ASCII whitespace: a run of printable ASCII
 * is split and lowercased here and each word goes straight to WordPiece; a
 * run holding anything else (a byte >= 0x80, a control char) goes whole to
 * the general pipeline, which cuts at that whitespace too, since every
 * stage is per char and ASCII whitespace always separates pre-tokens.
 */
#include "lane.h"
#include "../normalizers/normalizers.h"
#include "../core/piece_cache.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { C_WORD, C_SPACE, C_PUNCT, C_SLOW };

/* Whole words that are one token, up to 16 bytes, keyed by their bytes
 * inline (two tables: up to 8 bytes in 16-byte slots, 9-16 in 24): one
 * probe answers most words of running text.  Each entry is WordPiece's own
 * answer for that key, asked at load. */
#define SHORT 16
typedef struct wslot8 {
    uint64_t k0;
    int32_t id;
    uint32_t len; /* 0: empty */
} wslot8;
typedef struct wslot16 {
    uint64_t k0, k1;
    int32_t id;
    uint32_t len; /* 0: empty */
} wslot16;

typedef struct bert_lane {
    uint8_t cls[256];
    uint8_t low[256];
    bool lowercase;
    int32_t single[128]; /* WordPiece's one token for a one-char word, -1: ask it */
    wslot8 *w8;
    wslot16 *w16;
    uint32_t mask8, mask16;
} bert_lane;

#define WORD_MAX 256 /* longer words (all [UNK] at BERT's 100 chars) go through the model from a heap copy */

static inline uint32_t whash(uint64_t k0, uint64_t k1, uint32_t len)
{
    uint64_t h = (k0 ^ 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
    h ^= (k1 + len) * 0x94D049BB133111EBULL;
    return (uint32_t)(h >> 32);
}

/* A model token the lane can meet as a whole word: word chars only, as the
 * lane passes them (lowercased), at most 16 bytes. */
static bool lane_key(const bert_lane *L, const tok_token *k)
{
    if (!(k->flags & TOK__IN_MODEL) || k->nbytes == 0 || k->nbytes > SHORT) return false;
    for (uint32_t x = 0; x < k->nbytes; x++)
        if (L->cls[k->bytes[x]] != C_WORD || L->low[k->bytes[x]] != k->bytes[x]) return false;
    return true;
}

static void wput(bert_lane *L, const uint8_t *b, uint32_t len, int32_t id)
{
    uint64_t k0 = 0, k1 = 0;
    for (uint32_t x = 0; x < len; x++) {
        if (x < 8) k0 |= (uint64_t)b[x] << (8 * x);
        else k1 |= (uint64_t)b[x] << (8 * (x - 8));
    }
    if (len <= 8) {
        uint32_t i = whash(k0, 0, len) & L->mask8;
        while (L->w8[i].len && !(L->w8[i].len == len && L->w8[i].k0 == k0)) i = (i + 1) & L->mask8;
        L->w8[i] = (wslot8){ k0, id, len };
        return;
    }
    uint32_t i = whash(k0, k1, len) & L->mask16;
    while (L->w16[i].len && !(L->w16[i].len == len && L->w16[i].k0 == k0 && L->w16[i].k1 == k1)) i = (i + 1) & L->mask16;
    L->w16[i] = (wslot16){ k0, k1, id, len };
}

static tok_status nomem(tok_ctx *ctx) { return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory"); }

static inline void put1(tok_enc *e, int32_t id, uint32_t a, uint32_t b, int32_t w, uint8_t ty)
{
    size_t k = e->n++;
    e->ids[k] = id;
    if (e->ids_only) return;
    e->off[k].start = a;
    e->off[k].end = b;
    e->words[k] = w;
    e->type_ids[k] = ty;
    e->special[k] = 0;
    e->added[k] = 0;
}

/* Printable ASCII p[0, 8) (the lane's fast stretch): how many leading
 * bytes are word chars (letters, digits), and those bytes lowercased as the
 * lane lowercases them, in *key (the rest zero).  Per byte, with the high
 * bit as flag: b + (0x80 - lo) has it set iff b >= lo (no carry: b < 0x80). */
static inline uint32_t word8(const bert_lane *L, const uint8_t *p, uint64_t *key)
{
    const uint64_t H = 0x8080808080808080ULL, ONE = 0x0101010101010101ULL;
    uint64_t x;
    memcpy(&x, p, 8);
#define GE(v, lo) (((v) + ONE * (0x80 - (lo))) & H)
    uint64_t f = x | ONE * 0x20; /* letters folded to lower case */
    uint64_t alpha = GE(f, 'a') & ~GE(f, 'z' + 1);
    uint64_t digit = GE(x, '0') & ~GE(x, '9' + 1);
    uint64_t upper = GE(x, 'A') & ~GE(x, 'Z' + 1);
#undef GE
    uint64_t non = ~(alpha | digit) & H;
    uint32_t n = non ? (uint32_t)__builtin_ctzll(non) / 8 : 8;
    if (L->lowercase) x |= upper >> 2;
    *key = n == 8 ? x : x & ((1ULL << (8 * n)) - 1);
    return n;
}

/* Printable ASCII p[0, 16): how many leading bytes are word chars, and the
 * first 16 of them lowercased in *k0, *k1 (the rest zero). */
static inline uint32_t word16(const bert_lane *L, const uint8_t *p, uint64_t *k0, uint64_t *k1)
{
#ifdef __SSE2__
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i f = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* letters folded (bytes < 0x80: signed compares) */
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(f, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(f, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    uint32_t w = (uint32_t)_mm_movemask_epi8(_mm_or_si128(alpha, digit));
    uint32_t n = (uint32_t)__builtin_ctz(~w); /* bit 16 of ~w is set */
    if (L->lowercase) {
        __m128i up = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
        x = _mm_or_si128(x, _mm_and_si128(up, _mm_set1_epi8(0x20)));
    }
    uint64_t a = (uint64_t)_mm_cvtsi128_si64(x), b = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
    *k0 = n >= 8 ? a : a & ((1ULL << (8 * n)) - 1);
    *k1 = n <= 8 ? 0 : n >= 16 ? b : b & ((1ULL << (8 * (n - 8))) - 1);
    return n;
#else
    uint32_t n = word8(L, p, k0);
    *k1 = 0;
    if (n == 8) n += word8(L, p + 8, k1);
    return n;
#endif
}

/* The end of the printable-ASCII stretch from i: the start of the
 * whitespace-delimited run holding the first byte that needs the general
 * pipeline (n if none). */
static uint32_t fast_end(const bert_lane *L, const uint8_t *s, uint32_t i, uint32_t n)
{
    uint32_t j = i;
#ifdef __SSE2__
    /* sixteen bytes a step: a byte >= 0x7F, or a control char other than
     * \t \n \r (which are white space here: running text has one every
     * line, and a test that stopped at them scanned the rest byte by byte) */
    const __m128i ctl = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F), tab = _mm_set1_epi8('\t'),
                  nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; j + 16 <= n; j += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
        __m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, nl)), _mm_cmpeq_epi8(x, cr));
        /* signed: bytes >= 0x80 are below 0x20 too */
        __m128i slow = _mm_or_si128(_mm_andnot_si128(ws, _mm_cmplt_epi8(x, ctl)), _mm_cmpeq_epi8(x, del));
        if (_mm_movemask_epi8(slow)) break;
    }
#endif
    while (j < n && L->cls[s[j]] != C_SLOW) j++;
    if (j == n) return n;
    while (j > i && L->cls[s[j - 1]] != C_SPACE) j--;
    return j;
}

static tok_status lane(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p, int32_t *w,
                       tok_enc *e, uint8_t ty)
{
    if (p->a0) return tok__encode_general(ctx, opt, p, w, e, ty, false);
    const bert_lane *L = ctx->tok->lane_data;
    const tok_model *m = ctx->tok->model;
    const uint8_t *s = p->s;
    const uint32_t n = p->n, base = p->base;
    uint8_t buf[WORD_MAX + SHORT];
    tok_toks *tk = &ctx->toks;
    int32_t wn = *w;
    tok_status st;
    uint32_t i = 0;
    if (tok__lane_reserve(e, n)) return nomem(ctx); /* a token covers a byte at least */
    while (i < n) {
        uint32_t end = fast_end(L, s, i, n);
        /* every token covers at least one byte */
        if (tok_enc_reserve(e, e->n + (end - i))) return nomem(ctx);
        while (i < end) {
            /* one word at a time: the whole-word tables stay in cache, and
             * batching the look-ups to prefetch them cost more (items
             * written and read back) than it saved */
            uint8_t c = L->cls[s[i]];
            if (c == C_SPACE) {
                i++;
                continue;
            }
            const uint32_t at = i;
            uint32_t len = 1;
            int32_t id = -1;
            if (c == C_PUNCT) {
                i++;
                if ((id = L->single[s[at]]) >= 0) {
                    put1(e, id, base + at, base + at + 1, wn++, ty);
                    continue;
                }
                /* the model's own answer below */
            } else {
                uint32_t j = i;
                uint64_t k0 = 0, k1 = 0;
                len = 0;
                if (i + 16 <= end) {
                    /* sixteen bytes at once: the word's end and its key */
                    len = word16(L, s + i, &k0, &k1);
                    j = i + len;
                }
                if (len == 16 || i + 16 > end) {
                    /* past 16 bytes (or near the end) byte by byte; the
                     * key keeps the first 16 */
                    while (j < end && L->cls[s[j]] == C_WORD) {
                        uint64_t b = L->low[s[j]];
                        if (len < 8) k0 |= b << (8 * len);
                        else if (len < 16) k1 |= b << (8 * (len - 8));
                        len++;
                        j++;
                    }
                }
                i = j;
                if (len <= 8) {
                    for (uint32_t k = whash(k0, 0, len) & L->mask8;; k = (k + 1) & L->mask8) {
                        const wslot8 *y = &L->w8[k];
                        if (y->k0 == k0 && y->len == len) { id = y->id; break; }
                        if (!y->len) break;
                    }
                } else if (len <= SHORT) {
                    for (uint32_t k = whash(k0, k1, len) & L->mask16;; k = (k + 1) & L->mask16) {
                        const wslot16 *y = &L->w16[k];
                        if (y->k0 == k0 && y->k1 == k1 && y->len == len) { id = y->id; break; }
                        if (!y->len) break;
                    }
                }
                if (id >= 0) {
                    put1(e, id, base + at, base + at + len, wn++, ty);
                    continue;
                }
            }
            uint8_t *word = buf, *heap = NULL;
            if (len > WORD_MAX && !(word = heap = malloc(len))) return nomem(ctx);
            for (uint32_t y = 0; y < len; y++) word[y] = L->low[s[at + y]];
            tk->n = 0;
            /* words of several tokens repeat too: the pre-token cache (the
             * general pipeline's, same key: the word as the model sees it)
             * in front of WordPiece */
            tok_ctx_progress(ctx, base + at);
            tok_pcache *pc = len <= TOK_PCACHE_MAXLEN ? tok_ctx_pcache(ctx) : NULL;
            tok_pcache_q q;
            int hit = 0;
            if (pc) {
                tok_pcache_query(&q, word, len);
                if (e->ids_only && e->n + TOK_PCACHE_MAXIDS <= e->cap) {
                    /* ids alone: a known word's ids straight into the output */
                    uint32_t got = tok_pcache_get_ids(pc, &q, e->ids + e->n);
                    if (got) {
                        e->n += got;
                        free(heap);
                        wn++;
                        continue;
                    }
                } else if ((hit = tok_pcache_get(pc, &q, tk)) < 0) {
                    free(heap);
                    return nomem(ctx);
                }
            }
            if (!hit) {
                st = m->vt->encode(m, ctx, word, len, opt, tk);
                if (!st && pc) tok_pcache_put(pc, &q, tk->id, tk->off, tk->n);
            } else {
                st = TOK_OK;
            }
            free(heap);
            if (st) return st;
            for (size_t k = 0; k < tk->n; k++)
                put1(e, tk->id[k], base + at + tk->off[k].start, base + at + tk->off[k].end, wn, ty);
            wn++;
        }
        if (i == n) break;
        /* the run holding a byte the general pipeline must see, and the
         * runs after it that hold one too: one call for the stretch */
        uint32_t j = i;
        for (;;) {
            while (j < n && L->cls[s[j]] != C_SPACE) j++;
            uint32_t k = j;
            while (k < n && L->cls[s[k]] == C_SPACE) k++;
            uint32_t r = k;
            bool slow = false;
            while (r < n && L->cls[s[r]] != C_SPACE) slow |= L->cls[s[r++]] == C_SLOW;
            if (!slow) break;
            j = r;
        }
        tok_piece q = tok_piece_sub(p, i, j - i);
        *w = wn;
        if ((st = tok__encode_general(ctx, opt, &q, w, e, ty, false))) return st;
        wn = *w;
        i = j;
    }
    *w = wn;
    return TOK_OK;
}

static void lane_free(void *d)
{
    bert_lane *L = d;
    if (L) {
        free(L->w8);
        free(L->w16);
    }
    free(L);
}

int tok__lane_bert(tok_tokenizer *t)
{
    int lower = tok__norm_bert_lowercase(t->normalizer);
    if (lower < 0 || !t->pretok || strcmp(t->pretok->vt->type, "BertPreTokenizer") != 0 ||
        t->model->vt->kind != TOK_MODEL_WORDPIECE || t->vocab.byte_level || t->added.norm)
        return 0;
    bert_lane *L = calloc(1, sizeof *L);
    tok_ctx *ctx = tok_ctx_new(t);
    if (!L || !ctx) goto nomem;
    L->lowercase = lower;
    for (int c = 0; c < 256; c++) {
        L->low[c] = (uint8_t)(lower && c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') L->cls[c] = C_SPACE;
        else if (c < 0x20 || c >= 0x7F) L->cls[c] = C_SLOW;
        else if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) L->cls[c] = C_WORD;
        else L->cls[c] = C_PUNCT;
    }
    size_t n8 = 0, n16 = 0;
    for (size_t id = 0; id < t->vocab.n; id++) {
        const tok_token *k = &t->vocab.tok[id];
        if (!lane_key(L, k)) continue;
        if (k->nbytes <= 8) n8++;
        else n16++;
    }
    /* at most half full: most probes end at the first slot */
    size_t c8 = 16, c16 = 16;
    while (c8 < 2 * n8) c8 *= 2;
    while (c16 < 2 * n16) c16 *= 2;
    L->w8 = calloc(c8, sizeof *L->w8);
    L->w16 = calloc(c16, sizeof *L->w16);
    if (!L->w8 || !L->w16) goto nomem;
    L->mask8 = (uint32_t)c8 - 1;
    L->mask16 = (uint32_t)c16 - 1;
    tok_encode_options opt;
    tok_encode_options_init(&opt);
    /* one-char punctuation words, answered once by the model itself */
    for (int c = 0; c < 128; c++) {
        L->single[c] = -1;
        if (L->cls[c] != C_PUNCT) continue;
        uint8_t b = (uint8_t)c;
        ctx->toks.n = 0;
        if (t->model->vt->encode(t->model, ctx, &b, 1, &opt, &ctx->toks) == TOK_OK && ctx->toks.n == 1)
            L->single[c] = ctx->toks.id[0];
    }
    /* words the lane can meet (word chars only, already lowercased) that
     * the model answers with one token covering them */
    for (size_t id = 0; id < t->vocab.n; id++) {
        const tok_token *k = &t->vocab.tok[id];
        if (!lane_key(L, k)) continue;
        ctx->toks.n = 0;
        if (t->model->vt->encode(t->model, ctx, k->bytes, k->nbytes, &opt, &ctx->toks) != TOK_OK ||
            ctx->toks.n != 1 || ctx->toks.off[0].start != 0 || ctx->toks.off[0].end != k->nbytes)
            continue;
        wput(L, k->bytes, k->nbytes, ctx->toks.id[0]);
    }
    tok_ctx_free(ctx);
    t->lane = lane;
    t->lane_data = L;
    t->lane_free = lane_free;
    return 1;
nomem:
    lane_free(L);
    tok_ctx_free(ctx);
    return -1;
}
