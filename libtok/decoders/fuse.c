/* Fuse decoder: all tokens joined into one string (one string even for none). */
#include "decoders.h"

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    if (toks->n == 1) return TOK_OK;
    size_t total = 0;
    for (size_t i = 0; i < toks->n; i++) total += toks->v[i].n;
    char *p = tok_dec_alloc(ctx, total);
    if (!p) return TOK_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < toks->n; i++) {
        if (toks->v[i].n) memcpy(p + k, toks->v[i].s, toks->v[i].n);
        k += toks->v[i].n;
    }
    if (tok_vec_reserve(toks, 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory while decoding");
    toks->v[0] = (tok_str){p, total};
    toks->n = 1;
    return TOK_OK;
}

static void dfree(tok_decoder *self) { free(self); }

static json_t *to_json(const tok_decoder *self)
{
    TOK_UNUSED(self);
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("Fuse"));
    return j;
}

static const tok_decoder_vt vt = {"Fuse", run, dfree, to_json};

tok_decoder *tok_dec_fuse_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    tok_decoder *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->vt = &vt;
    return d;
}
