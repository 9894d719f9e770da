/* Decoder dispatch on "type", and helpers the decoder files share
 * (arena strings, Rust's str::replace, one-character options). */
#include "decoders.h"

static const struct {
    const char *type;
    tok_decoder *(*from_json)(tok_jctx *, const json_t *);
} decoders[] = {
    {"ByteLevel", tok_dec_bytelevel_from_json},
    {"Replace", tok_dec_replace_from_json},
    {"ByteFallback", tok_dec_byte_fallback_from_json},
    {"Fuse", tok_dec_fuse_from_json},
    {"Strip", tok_dec_strip_from_json},
    {"Metaspace", tok_dec_metaspace_from_json},
    {"WordPiece", tok_dec_wordpiece_from_json},
    {"BPEDecoder", tok_dec_bpe_from_json},
    {"CTC", tok_dec_ctc_from_json},
    {"Sequence", tok_dec_sequence_from_json},
};

tok_decoder *tok_decoder_from_json(tok_jctx *jc, const json_t *j)
{
    const char *type = tok_jtype(jc, j);
    if (!type) return NULL;
    for (size_t i = 0; i < sizeof decoders / sizeof decoders[0]; i++)
        if (!strcmp(type, decoders[i].type)) return decoders[i].from_json(jc, j);
    size_t s = tok_jpush(jc, "type");
    tok_junsupported(jc, "decoder type", type);
    tok_jpop(jc, s);
    return NULL;
}

void tok_decoder_free(tok_decoder *d)
{
    if (d) d->vt->free(d);
}

void tok_dec_begin(tok_ctx *ctx)
{
    size_t in = 0;
    for (size_t i = 0; i < ctx->strs.n; i++) in += ctx->strs.v[i].n;
    ctx->dec_left = TOK_DEC_LIMIT(in);
    ctx->dec_over = false;
}

char *tok_dec_alloc(tok_ctx *ctx, size_t n)
{
    /* the chain makes at most TOK_DEC_LIMIT of the tokens' text, every
     * step's output counted: a Replace matching the empty string, chained,
     * grows it geometrically */
    if (n > ctx->dec_left) {
        ctx->dec_over = true;
        return NULL;
    }
    ctx->dec_left -= n;
    char *p = tok_arena_alloc(&ctx->arena, n ? n : 1);
    if (!p) tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory while decoding");
    return p;
}

/* Rust's str::replace: non-overlapping matches left to right; an empty `from`
 * matches at every character boundary, both ends included.  *out is `in`
 * itself when nothing matches (no copy). */
tok_status tok_dec_replace_all(tok_ctx *ctx, tok_str in, const char *from, size_t fn,
                               const char *to, size_t tn, tok_str *out)
{
    if (fn == 0) {
        size_t nchars = 0;
        for (size_t i = 0; i < in.n; i++) nchars += ((uint8_t)in.s[i] & 0xC0) != 0x80;
        if (tn == 0) { *out = in; return TOK_OK; }
        size_t len = in.n + (nchars + 1) * tn;
        char *p = tok_dec_alloc(ctx, len);
        if (!p) return TOK_ERR_NOMEM;
        size_t k = 0;
        for (size_t i = 0; i < in.n; i++) {
            if (((uint8_t)in.s[i] & 0xC0) != 0x80) { memcpy(p + k, to, tn); k += tn; }
            p[k++] = in.s[i];
        }
        memcpy(p + k, to, tn);
        out->s = p;
        out->n = len;
        return TOK_OK;
    }
    size_t count = 0;
    for (const char *q = in.s, *end = in.s + in.n; (size_t)(end - q) >= fn;) {
        const char *m = memmem(q, (size_t)(end - q), from, fn);
        if (!m) break;
        count++;
        q = m + fn;
    }
    if (!count) { *out = in; return TOK_OK; }
    size_t len = in.n - count * fn + count * tn;
    char *p = tok_dec_alloc(ctx, len);
    if (!p) return TOK_ERR_NOMEM;
    size_t k = 0;
    const char *q = in.s, *end = in.s + in.n;
    while ((size_t)(end - q) >= fn) {
        const char *m = memmem(q, (size_t)(end - q), from, fn);
        if (!m) break;
        memcpy(p + k, q, (size_t)(m - q));
        k += (size_t)(m - q);
        memcpy(p + k, to, tn);
        k += tn;
        q = m + fn;
    }
    memcpy(p + k, q, (size_t)(end - q));
    out->s = p;
    out->n = len;
    return TOK_OK;
}

/* NUL-terminated heap copy of an option string; reports failure through jc. */
char *tok_dec_strdup(tok_jctx *jc, const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* A key holding exactly one Unicode character (HF `char` fields), copied
 * NUL-terminated into out.  Returns 0 (absent and optional: out untouched) or -1. */
int tok_dec_char_opt(tok_jctx *jc, const json_t *j, const char *key, char out[5], bool required)
{
    const char *s = NULL;
    size_t n = 0;
    if (tok_jstr(jc, j, key, &s, &n, required)) return -1;
    if (!s) return 0;
    size_t len = 0;
    if (n == 0 || tok_utf8_decode((const uint8_t *)s, n, &len) == TOK_UTF8_BAD || len != n) {
        size_t sv = tok_jpush(jc, key);
        tok_jfail(jc, TOK_ERR_FORMAT, "expected a single character, found \"%s\"", s);
        tok_jpop(jc, sv);
        return -1;
    }
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

/* An optional non-negative integer key no larger than max. */
int tok_dec_uint_opt(tok_jctx *jc, const json_t *j, const char *key, uint64_t max, uint64_t *out)
{
    int64_t v = 0;
    bool had = false;
    json_t *x = json_is_object(j) ? json_object_get(j, key) : NULL;
    if (x && !json_is_null(x)) had = true;
    if (tok_jint(jc, j, key, &v, false)) return -1;
    if (!had) return 0;
    if (v < 0 || (uint64_t)v > max) {
        size_t sv = tok_jpush(jc, key);
        tok_jfail(jc, TOK_ERR_FORMAT, "expected an integer in 0..%llu, found %lld",
                  (unsigned long long)max, (long long)v);
        tok_jpop(jc, sv);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}
