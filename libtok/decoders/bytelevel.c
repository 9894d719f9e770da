/* ByteLevel decoder: GPT-2 alphabet characters back to bytes, all tokens
 * joined into one string, invalid UTF-8 replaced (HF: from_utf8_lossy).
 * A token holding any character outside the alphabet contributes its own
 * UTF-8 bytes unchanged (HF falls back per token, not per character). */
#include "decoders.h"

typedef struct {
    tok_decoder base;
    /* Only used by the pre-tokenizer/post-processor sides; kept for to_json. */
    bool add_prefix_space, trim_offsets, use_regex;
} dec_bytelevel;

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    size_t total = 0;
    for (size_t i = 0; i < toks->n; i++) total += toks->v[i].n;
    uint8_t *buf = (uint8_t *)tok_dec_alloc(ctx, total);
    if (!buf) return TOK_ERR_NOMEM;

    /* Each alphabet character is >= 1 byte of text and gives 1 byte, so the
     * result never outgrows `total`. */
    size_t m = 0;
    for (size_t i = 0; i < toks->n; i++) {
        const uint8_t *s = (const uint8_t *)toks->v[i].s;
        size_t n = toks->v[i].n, k = 0, start = m;
        while (k < n) {
            size_t len;
            uint32_t cp = tok_utf8_decode(s + k, n - k, &len);
            int b = cp == TOK_UTF8_BAD ? -1 : tok_bytelevel_byte(cp);
            if (b < 0) break;
            buf[m++] = (uint8_t)b;
            k += len;
        }
        if (k < n) { /* not all in the alphabet: the token's own bytes */
            memcpy(buf + start, s, n);
            m = start + n;
        }
    }

    tok_str out = {(const char *)buf, m};
    if (tok_utf8_check(buf, m) != m) {
        /* Each maximal invalid subpart (>= 1 byte) becomes U+FFFD (3 bytes). */
        char *o = tok_dec_alloc(ctx, 3 * m);
        if (!o) return TOK_ERR_NOMEM;
        size_t k = 0, w = 0;
        while (k < m) {
            size_t len;
            if (tok_utf8_decode(buf + k, m - k, &len) == TOK_UTF8_BAD) {
                memcpy(o + w, "\xEF\xBF\xBD", 3);
                w += 3;
            } else {
                memcpy(o + w, buf + k, len);
                w += len;
            }
            k += len;
        }
        out.s = o;
        out.n = w;
    }
    /* HF always yields exactly one string, even for no tokens. */
    if (tok_vec_reserve(toks, 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory while decoding");
    toks->v[0] = out;
    toks->n = 1;
    return TOK_OK;
}

static void dfree(tok_decoder *self) { free(self); }

static json_t *to_json(const tok_decoder *self)
{
    const dec_bytelevel *d = (const dec_bytelevel *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("ByteLevel"));
    json_object_set_new(j, "add_prefix_space", json_boolean(d->add_prefix_space));
    json_object_set_new(j, "trim_offsets", json_boolean(d->trim_offsets));
    json_object_set_new(j, "use_regex", json_boolean(d->use_regex));
    return j;
}

static const tok_decoder_vt vt = {"ByteLevel", run, dfree, to_json};

tok_decoder *tok_dec_bytelevel_from_json(tok_jctx *jc, const json_t *j)
{
    /* HF requires add_prefix_space and trim_offsets; missing ones take HF's
     * defaults here (they do not affect decoding). */
    bool aps = true, trim = true, re = true;
    if (tok_jbool(jc, j, "add_prefix_space", &aps, false) ||
        tok_jbool(jc, j, "trim_offsets", &trim, false) ||
        tok_jbool(jc, j, "use_regex", &re, false))
        return NULL;
    dec_bytelevel *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->base.vt = &vt;
    d->add_prefix_space = aps;
    d->trim_offsets = trim;
    d->use_regex = re;
    return &d->base;
}
