/*
 * lattice: the public view of the methods' segmentation lattice
 * (tok_lattice), for estimators and methods built outside the core -- the
 * EM score estimation in vocab/ is one.
 */
#include "methods.h"

tok_status tok_lattice(tok_ctx *ctx, const char *s, size_t n, const tok_lattice_edge **edges, const uint32_t **first)
{
    if (!ctx) return TOK_ERR_ARG;
    if ((!s && n) || !edges || !first) return tok_ctx_fail(ctx, TOK_ERR_ARG, "tok_lattice: bad argument");
    if (n > UINT32_MAX - 2) return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "tok_lattice: pre-token of %zu bytes is too long", n);
    mx_scratch *sc = mx_scratch_get(ctx);
    if (!sc) return TOK_ERR_NOMEM;
    tok_status st = mx_lattice(ctx, sc, (const uint8_t *)(n ? s : ""), (uint32_t)n);
    if (st) return st;
    *edges = sc->edges.v;
    *first = sc->first.v;
    return TOK_OK;
}

int tok_lattice_has_token(const tok_tokenizer *t, int32_t id)
{
    if (!t || id < 0 || (size_t)id >= t->vocab.n) return 0;
    return mx_indexed(&t->vocab, &t->vocab.tok[id]) ? 1 : 0;
}
