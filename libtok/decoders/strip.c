/* Strip decoder: per token, remove up to `start` leading and up to `stop`
 * trailing copies of the character `content`.  Where HF panics (stop larger
 * than a token made only of `content`, or the two cuts crossing) the token
 * becomes empty. */
#include "decoders.h"

typedef struct {
    tok_decoder base;
    char content[5];
    size_t clen;
    size_t start, stop;
} dec_strip;

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    TOK_UNUSED(ctx);
    const dec_strip *d = (const dec_strip *)self;
    size_t cl = d->clen;
    for (size_t i = 0; i < toks->n; i++) {
        const char *s = toks->v[i].s;
        size_t n = toks->v[i].n, a = 0, b = n;
        for (size_t k = 0; k < d->start && a + cl <= n && !memcmp(s + a, d->content, cl); k++) a += cl;
        for (size_t k = 0; k < d->stop && b >= cl && !memcmp(s + b - cl, d->content, cl); k++) b -= cl;
        if (a > b) a = b = 0;
        toks->v[i].s = s + a;
        toks->v[i].n = b - a;
    }
    return TOK_OK;
}

static void dfree(tok_decoder *self) { free(self); }

static json_t *to_json(const tok_decoder *self)
{
    const dec_strip *d = (const dec_strip *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("Strip"));
    json_object_set_new(j, "content", json_stringn(d->content, d->clen));
    json_object_set_new(j, "start", json_integer((json_int_t)d->start));
    json_object_set_new(j, "stop", json_integer((json_int_t)d->stop));
    return j;
}

static const tok_decoder_vt vt = {"Strip", run, dfree, to_json};

tok_decoder *tok_dec_strip_from_json(tok_jctx *jc, const json_t *j)
{
    char c[5] = " ";
    uint64_t start = 0, stop = 0;
    if (tok_dec_char_opt(jc, j, "content", c, true) ||
        tok_dec_uint_opt(jc, j, "start", (uint64_t)INT64_MAX, &start) ||
        tok_dec_uint_opt(jc, j, "stop", (uint64_t)INT64_MAX, &stop))
        return NULL;
    dec_strip *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->base.vt = &vt;
    memcpy(d->content, c, sizeof c);
    d->clen = (size_t)tok_utf8_seqlen((uint8_t)c[0]); /* c is one valid character */
    d->start = (size_t)start;
    d->stop = (size_t)stop;
    return &d->base;
}
