/* Sequence decoder: each decoder's decode_chain runs on the previous one's output. */
#include "decoders.h"

typedef struct {
    tok_decoder base;
    size_t n;
    tok_decoder **v;
} dec_sequence;

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    const dec_sequence *d = (const dec_sequence *)self;
    for (size_t i = 0; i < d->n; i++) {
        tok_status st = d->v[i]->vt->run(d->v[i], toks, ctx);
        if (st && ctx->dec_over && st != TOK_ERR_LIMIT)
            return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "decoder Sequence step %zu (%s): output passes 16 times the tokens' text plus 4 KiB",
                                i, d->v[i]->vt->type);
        if (st) return st;
    }
    return TOK_OK;
}

static void dfree(tok_decoder *self)
{
    dec_sequence *d = (dec_sequence *)self;
    for (size_t i = 0; i < d->n; i++) tok_decoder_free(d->v[i]);
    free(d->v);
    free(d);
}

static json_t *to_json(const tok_decoder *self)
{
    const dec_sequence *d = (const dec_sequence *)self;
    json_t *j = json_object(), *a = json_array();
    json_object_set_new(j, "type", json_string("Sequence"));
    for (size_t i = 0; i < d->n; i++) json_array_append_new(a, d->v[i]->vt->to_json(d->v[i]));
    json_object_set_new(j, "decoders", a);
    return j;
}

static const tok_decoder_vt vt = {"Sequence", run, dfree, to_json};

tok_decoder *tok_dec_sequence_from_json(tok_jctx *jc, const json_t *j)
{
    json_t *arr = NULL;
    if (tok_jarr(jc, j, "decoders", &arr, true)) return NULL;
    dec_sequence *d = calloc(1, sizeof *d);
    size_t n = json_array_size(arr);
    if (d && n) d->v = calloc(n, sizeof *d->v);
    if (!d || (n && !d->v)) {
        free(d);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->base.vt = &vt;
    size_t sv = tok_jpush(jc, "decoders");
    for (size_t i = 0; i < n; i++) {
        size_t si = tok_jpush_index(jc, i);
        tok_decoder *c = tok_decoder_from_json(jc, json_array_get(arr, i));
        tok_jpop(jc, si);
        if (!c) {
            tok_jpop(jc, sv);
            dfree(&d->base);
            return NULL;
        }
        d->v[d->n++] = c;
    }
    tok_jpop(jc, sv);
    return &d->base;
}
