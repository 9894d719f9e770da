/* Decoding: ids -> token strings (file form) -> decoder chain -> text. */
#include "../internal.h"

tok_status tok_decode(tok_ctx *ctx, const int32_t *ids, size_t n, uint32_t flags, const char **text, size_t *len)
{
    if (!ctx || !text || (!ids && n)) return TOK_ERR_ARG;
    const tok_tokenizer *t = ctx->tok;
    ctx->err[0] = 0;
    tok_arena_reset(&ctx->arena);
    ctx->strs.n = 0;
    if (tok_vec_reserve(&ctx->strs, n + 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int32_t id = ids[i];
        if (id < 0 || (size_t)id >= t->vocab.n || (t->vocab.tok[id].flags & TOK_TOKEN_NONE))
            return tok_ctx_fail(ctx, TOK_ERR_RANGE, "token id %ld at position %zu is not in the vocabulary", (long)id, i);
        const tok_token *k = &t->vocab.tok[id];
        if ((flags & TOK_DEC_SKIP_SPECIAL) && (k->flags & TOK_TOKEN_SPECIAL)) continue;
        ctx->strs.v[ctx->strs.n++] = (tok_str){ k->text, k->text_len };
    }
    ctx->sbuf.n = 0;
    if (t->decoder) {
        tok_dec_begin(ctx);
        tok_status st = t->decoder->vt->run(t->decoder, &ctx->strs, ctx);
        if (st && ctx->dec_over && st != TOK_ERR_LIMIT)
            st = tok_ctx_fail(ctx, TOK_ERR_LIMIT, "decoder %s: output passes 16 times the tokens' text plus 4 KiB",
                              t->decoder->vt->type);
        if (st) return st;
        for (size_t i = 0; i < ctx->strs.n; i++)
            if (tok_sbuf_put(&ctx->sbuf, ctx->strs.v[i].s, ctx->strs.v[i].n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    } else {
        /* HF without a decoder joins the tokens with spaces */
        for (size_t i = 0; i < ctx->strs.n; i++) {
            if (i && tok_sbuf_putc(&ctx->sbuf, ' ')) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            if (tok_sbuf_put(&ctx->sbuf, ctx->strs.v[i].s, ctx->strs.v[i].n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        }
    }
    if (tok_sbuf_cstr(&ctx->sbuf)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    *text = ctx->sbuf.v;
    if (len) *len = ctx->sbuf.n;
    return TOK_OK;
}
