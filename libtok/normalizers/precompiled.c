/*
 * Precompiled: SentencePiece's precompiled_charsmap (base64 in the JSON):
 *   u32 trie size in bytes, the Darts-clone double-array trie (u32 units),
 *   then the replacement strings, each ended by NUL.
 *
 * HF (normalizers/precompiled.rs + spm_precompiled) walks extended grapheme
 * clusters: a cluster shorter than 6 bytes is looked up whole, otherwise (or
 * if that fails) char by char.  A lookup takes the *first* (shortest) key of
 * the trie that is a prefix of the chunk and replaces the whole chunk.  The
 * changes given to the alignment transform: replacement chars take the
 * places of the chunk's chars, extra ones are insertions, and missing ones are
 * removed after the last char emitted (the previous chunk's, if the
 * replacement is empty).
 *
 * With "libtok_spm": true the rule of SentencePiece's own normalizer is used
 * instead: at each position, the longest key that is a prefix of the rest of
 * the text (spm_encode's behaviour).
 *
 * An empty charsmap (or null) is the identity.
 */
#include "normalizers.h"

#include <utf8proc.h>

/* ---- the charsmap ---- */

typedef struct precompiled {
    tok_normalizer base;
    uint8_t *blob;        /* decoded charsmap (kept for to_json) */
    size_t blob_len;
    uint32_t *trie;       /* units, host order */
    size_t ntrie;
    const char *norm;     /* replacement strings (inside blob) */
    size_t norm_len;
    bool spm;             /* SentencePiece longest-match rule */
    uint8_t ascii_hit[128]; /* the trie has a key for this byte alone */
} precompiled;

static inline bool unit_has_leaf(uint32_t u) { return (u >> 8) & 1; }
static inline uint32_t unit_value(uint32_t u) { return u & 0x7FFFFFFFu; }
static inline uint32_t unit_label(uint32_t u) { return u & 0x800000FFu; }
static inline uint32_t unit_offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

/* Prefix search over key[0..n).  first: stop at the first (shortest) hit, as
 * spm_precompiled; else keep the longest (SentencePiece).  stop_nul: a NUL
 * byte ends the key (spm_precompiled).  Returns the matched length (0: none)
 * and the value. */
static size_t trie_match(const precompiled *p, const uint8_t *key, size_t n, bool first, bool stop_nul, uint32_t *value)
{
    if (p->ntrie == 0) return 0;
    size_t best = 0;
    uint32_t pos = unit_offset(p->trie[0]);
    for (size_t i = 0; i < n; i++) {
        if (stop_nul && key[i] == 0) break;
        pos ^= key[i];
        if (pos >= p->ntrie) break;
        uint32_t u = p->trie[pos];
        if (unit_label(u) != key[i]) break;
        pos ^= unit_offset(u);
        if (unit_has_leaf(u)) {
            if (pos >= p->ntrie) break;
            *value = unit_value(p->trie[pos]);
            best = i + 1;
            if (first) return best;
        }
    }
    return best;
}

/* Replacement string at `value`: up to the next NUL. */
static bool norm_at(const precompiled *p, uint32_t value, const char **s, size_t *n)
{
    if (value > p->norm_len) return false;
    const char *b = p->norm + value;
    const char *e = memchr(b, 0, p->norm_len - value);
    *s = b;
    *n = e ? (size_t)(e - b) : p->norm_len - value;
    return true;
}

/* HF lookup of a chunk: shortest key that is a prefix of it. */
static bool transform(const precompiled *p, const uint8_t *chunk, size_t n, const char **s, size_t *sn)
{
    uint32_t v = 0;
    if (!trie_match(p, chunk, n, true, true, &v)) return false;
    return norm_at(p, v, s, sn);
}

/* Emission with one pending entry, so an empty replacement can fold its
 * removals into the previous entry (HF's transformations.last_mut()). */
typedef struct emitter {
    tok_norm_xf x;
    bool direct;     /* the last char went out through the ASCII fast path */
    bool pending;
    uint32_t cp;
    long change;
    bool err;
} emitter;

static void em_flush(emitter *e)
{
    if (e->pending && tok_norm_xf_put(&e->x, e->cp, e->change)) e->err = true;
    e->pending = false;
}

static void em_push(emitter *e, uint32_t cp, long change)
{
    em_flush(e);
    e->direct = false;
    e->pending = true;
    e->cp = cp;
    e->change = change;
}

static size_t count_chars(const uint8_t *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += (s[i] & 0xC0) != 0x80;
    return c;
}

/* `old` chars replaced by the UTF-8 string s[0..n). */
static void em_replace(emitter *e, size_t old, const char *s, size_t n)
{
    long newc = (long)count_chars((const uint8_t *)s, n);
    long diff = newc - (long)old;
    long k = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = tok_utf8_decode((const uint8_t *)s + i, n - i, &len);
        if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
        i += len;
        /* the last `diff` chars of a longer replacement are insertions */
        em_push(e, cp, (diff > 0 && k >= newc - diff) ? 1 : 0);
        k++;
    }
    if (diff < 0 && e->pending) e->change += diff;
    /* the previous char is already out (change 0): removing after it just
     * moves past the removed chars */
    else if (diff < 0 && e->direct) tok_norm_xf_skip(&e->x, (size_t)-diff);
}

static void run_hf(const precompiled *p, const tok_nstr *in, emitter *e)
{
    const uint8_t *s = in->s;
    size_t n = in->n;
    size_t i = 0;
    while (i < n && !e->err) {
        /* Fast path: a run of ASCII chars the trie leaves alone, each followed
         * by another ASCII char (so each is a cluster of its own; CR is left
         * out for CR LF).  They take their own places, which is what the
         * transform gives them as long as it is in step with the input. */
        if (s[i] < 0x80 && s[i] != '\r' && !p->ascii_hit[s[i]] && i + 1 < n && s[i + 1] < 0x80) {
            em_flush(e);
            if (e->x.pos == i) {
                size_t j = i;
                while (j + 1 < n && s[j] < 0x80 && s[j + 1] < 0x80 && s[j] != '\r' && !p->ascii_hit[s[j]]) j++;
                if (tok_nstr_push_aligned(e->x.out, s + i, in->a0 + i, in->a1 + i, j - i)) {
                    e->err = true;
                    return;
                }
                e->x.pos = j;
                e->x.p0 = in->a0[j - 1];
                e->x.p1 = in->a1[j - 1];
                e->direct = true;
                i = j;
                continue;
            }
        }
        /* one extended grapheme cluster [i, g) */
        size_t len;
        uint32_t prev = tok_utf8_decode(s + i, n - i, &len);
        size_t g = i + len;
        utf8proc_int32_t state = 0;
        while (g < n) {
            /* two ASCII chars always break, except CR LF */
            if (prev < 0x80 && s[g] < 0x80 && !(prev == '\r' && s[g] == '\n')) break;
            uint32_t cp = tok_utf8_decode(s + g, n - g, &len);
            if (utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)cp, &state)) break;
            prev = cp;
            g += len;
        }
        const char *r;
        size_t rn;
        if (g - i < 6 && transform(p, s + i, g - i, &r, &rn)) {
            em_replace(e, count_chars(s + i, g - i), r, rn);
            i = g;
            continue;
        }
        while (i < g) {
            uint32_t cp = tok_utf8_decode(s + i, g - i, &len);
            if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
            if (transform(p, s + i, len, &r, &rn)) em_replace(e, 1, r, rn);
            else em_push(e, cp, 0);
            i += len;
        }
    }
}

static void run_spm(const precompiled *p, const tok_nstr *in, emitter *e)
{
    const uint8_t *s = in->s;
    size_t n = in->n;
    size_t i = 0;
    while (i < n && !e->err) {
        uint32_t v = 0;
        size_t m = trie_match(p, s + i, n - i, false, false, &v);
        const char *r;
        size_t rn;
        if (m && norm_at(p, v, &r, &rn)) {
            /* a key always ends on a char boundary in valid charsmaps */
            size_t end = i + m;
            while (end < n && (s[end] & 0xC0) == 0x80) end++;
            em_replace(e, count_chars(s + i, end - i), r, rn);
            i = end;
            continue;
        }
        size_t len;
        uint32_t cp = tok_utf8_decode(s + i, n - i, &len);
        if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
        em_push(e, cp, 0);
        i += len;
    }
}

static tok_status pc_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const precompiled *p = (const precompiled *)self;
    if (p->ntrie == 0) {
        if (tok_nstr_push_aligned(out, in->s, in->a0, in->a1, in->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        return TOK_OK;
    }
    if (tok_nstr_reserve(out, out->n + in->n + 16)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    emitter e;
    memset(&e, 0, sizeof e);
    tok_norm_xf_init(&e.x, in, out);
    if (p->spm) run_spm(p, in, &e);
    else run_hf(p, in, &e);
    em_flush(&e);
    if (e.err) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static void pc_free(tok_normalizer *self)
{
    precompiled *p = (precompiled *)self;
    free(p->blob);
    free(p->trie);
    free(p);
}

static json_t *pc_to_json(const tok_normalizer *self)
{
    const precompiled *p = (const precompiled *)self;
    char *b64 = tok_base64_encode(p->blob ? p->blob : (const uint8_t *)"", p->blob_len);
    if (!b64) return NULL;
    json_t *j = json_pack("{ssss}", "type", "Precompiled", "precompiled_charsmap", b64);
    free(b64);
    if (j && p->spm) json_object_set_new(j, "libtok_spm", json_true());
    return j;
}

static const tok_normalizer_vt pc_vt = {"Precompiled", pc_run, pc_free, pc_to_json};

int tok__precompiled_ascii(const tok_normalizer *n, uint8_t c)
{
    /* CR: HF keeps CR LF in one cluster */
    if (!n || n->vt != &pc_vt || c >= 0x80 || c == '\r' || c == 0) return -1;
    const precompiled *p = (const precompiled *)n;
    if (p->ntrie == 0) return 0;
    uint32_t pos = unit_offset(p->trie[0]) ^ c;
    if (pos >= p->ntrie || unit_label(p->trie[pos]) != c) return 0; /* no key starts with c */
    uint32_t u = p->trie[pos];
    pos ^= unit_offset(u);
    /* a longer key going on with an ASCII byte: the answer depends on what
     * follows (keys going on with other bytes never match before ASCII) */
    for (uint32_t b = 1; b < 0x80; b++)
        if ((pos ^ b) < p->ntrie && unit_label(p->trie[pos ^ b]) == b) return -1;
    /* no key for c alone: only keys going on with bytes past ASCII (a
     * letter and a combining mark, say), which never match here */
    if (!unit_has_leaf(u)) return 0;
    const char *r;
    size_t rn;
    if (pos >= p->ntrie || !norm_at(p, unit_value(p->trie[pos]), &r, &rn)) return -1;
    if (rn == 1 && r[0] == ' ') return 1;
    return rn == 1 && (uint8_t)r[0] == c ? 0 : -1;
}

bool tok__precompiled_ascii_cuts(const tok_normalizer *n)
{
    if (!n || n->vt != &pc_vt) return false;
    const precompiled *p = (const precompiled *)n;
    if (!p->spm || p->ntrie == 0) return true; /* HF: two ASCII chars are two clusters */
    if (p->ntrie > (1u << 22)) return false;   /* (bounded work on a hostile file; real ones are ~100k units) */
    /* every unit labelled with an ASCII byte (a node reached by it, or a
     * stale one: then the answer is only more careful) and its children */
    for (size_t c = 0; c < p->ntrie; c++) {
        uint32_t u = p->trie[c], b = unit_label(u);
        if (b == 0 || b >= 0x80) continue;
        uint32_t base = (uint32_t)c ^ unit_offset(u);
        for (uint32_t a = 1; a < 0x80; a++)
            if ((base ^ a) < p->ntrie && unit_label(p->trie[base ^ a]) == a) return false;
    }
    return true;
}

tok_normalizer *tok_norm_precompiled_from_json(tok_jctx *jc, const json_t *j)
{
    const char *b64 = NULL;
    size_t b64n = 0;
    bool spm = false;
    json_t *v = json_object_get(j, "precompiled_charsmap");
    if (!v) {
        tok_jfail(jc, TOK_ERR_FORMAT, "missing required key \"precompiled_charsmap\"");
        return NULL;
    }
    if (tok_jstr(jc, j, "precompiled_charsmap", &b64, &b64n, false) || tok_jbool(jc, j, "libtok_spm", &spm, false))
        return NULL;
    precompiled *p = calloc(1, sizeof *p);
    if (!p) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->base.vt = &pc_vt;
    p->spm = spm;
    size_t s0 = tok_jpush(jc, "precompiled_charsmap");
    if (b64 && b64n) {
        if (tok_base64_decode(b64, b64n, &p->blob, &p->blob_len)) {
            tok_jfail(jc, TOK_ERR_FORMAT, "invalid base64");
            goto fail;
        }
    }
    if (p->blob_len) {
        if (p->blob_len < 4) {
            tok_jfail(jc, TOK_ERR_FORMAT, "charsmap of %zu bytes is truncated", p->blob_len);
            goto fail;
        }
        uint32_t tsize = (uint32_t)p->blob[0] | (uint32_t)p->blob[1] << 8 | (uint32_t)p->blob[2] << 16 |
                         (uint32_t)p->blob[3] << 24;
        size_t units = tsize / 4;
        if (units > (p->blob_len - 4) / 4) {
            tok_jfail(jc, TOK_ERR_FORMAT, "charsmap trie of %u bytes exceeds the %zu bytes given", tsize, p->blob_len);
            goto fail;
        }
        if (units) {
            p->trie = malloc(units * sizeof *p->trie);
            if (!p->trie) {
                tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
                goto fail;
            }
            for (size_t i = 0; i < units; i++) {
                const uint8_t *q = p->blob + 4 + 4 * i;
                p->trie[i] = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
            }
        }
        p->ntrie = units;
        /* as spm_precompiled: the strings start right after the units */
        p->norm = (const char *)p->blob + 4 + 4 * units;
        p->norm_len = p->blob_len - 4 - 4 * units;
        if (tok_utf8_check((const uint8_t *)p->norm, p->norm_len) != p->norm_len) {
            tok_jfail(jc, TOK_ERR_FORMAT, "charsmap strings are not valid UTF-8");
            goto fail;
        }
    }
    for (int c = 1; c < 128; c++) {
        uint8_t b = (uint8_t)c;
        uint32_t val;
        p->ascii_hit[c] = trie_match(p, &b, 1, true, true, &val) != 0;
    }
    tok_jpop(jc, s0);
    return &p->base;
fail:
    tok_jpop(jc, s0);
    pc_free(&p->base);
    return NULL;
}
