/*
 * Non-native inference methods (issue 4): any method on any vocabulary,
 * inside one pre-token, in model-space bytes.  pipeline/encode.c sends here
 * every method the model does not run itself (methods/method.c says which).
 */
#include "methods.h"

uint64_t tok__method_work(const tok_ctx *ctx);
tok_status tok__method_generic(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n,
                               tok_toks *out);

tok_status tok_method_encode(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n, tok_toks *out)
{
    const tok_tokenizer *t = ctx->tok;
    tok_encode_options def;
    if (!opt) {
        tok_encode_options_init(&def);
        opt = &def;
    }
    tok_method m = opt->method;
    /* a Unigram model keeps its own scores unless others are given */
    bool scored = (m == TOK_METHOD_LIKELIHOOD || m == TOK_METHOD_SAMPLE) && opt->scores;
    if (m == TOK_METHOD_DEFAULT || (tok_method_is_native(t, m) && !scored))
        return t->model->vt->encode(t->model, ctx, s, n, opt, out);
    if (m == TOK_METHOD_MERGES)
        return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED,
                            "method merges needs a BPE vocabulary with merges; this one is %s (try least-tokens, "
                            "longest-prefix or likelihood)", t->model->vt->type);
    if ((unsigned)m > TOK_METHOD_SAMPLE)
        return tok_ctx_fail(ctx, TOK_ERR_ARG, "unknown inference method %d", (int)m);
    return tok__method_generic(ctx, opt, s, n, out);
}

/* The methods' own implementation even where the model has a native one
 * (tests compare the two). */
tok_status tok__method_generic(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n,
                               tok_toks *out)
{
    tok_method m = opt->method;
    if (n == 0) return TOK_OK;
    mx_scratch *sc = mx_scratch_get(ctx);
    if (!sc) return TOK_ERR_NOMEM;
    switch (m) {
    case TOK_METHOD_LONGEST_PREFIX: return mx_longest_prefix(ctx, sc, s, n, out);
    case TOK_METHOD_LONGEST_SUFFIX: return mx_longest_suffix(ctx, sc, s, n, out);
    case TOK_METHOD_LONGEST_TOKEN: return mx_longest_token(ctx, sc, s, n, out);
    case TOK_METHOD_LEAST_TOKENS: return mx_least_tokens(ctx, sc, opt, s, n, out);
    case TOK_METHOD_LIKELIHOOD: return mx_likelihood(ctx, sc, opt, s, n, out);
    case TOK_METHOD_SAMPLE: return mx_sample(ctx, sc, opt, s, n, out);
    case TOK_METHOD_MERGES:
        return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED, "method merges has no generic implementation");
    default: return tok_ctx_fail(ctx, TOK_ERR_ARG, "unknown inference method %d", (int)m);
    }
}

void tok_method_scratch_free(void *p)
{
    mx_scratch *sc = p;
    if (!sc) return;
    if (sc->owns_ix) mx_index_free(sc->ix);
    tok_vec_free(&sc->edges);
    tok_vec_free(&sc->first);
    tok_vec_free(&sc->seg);
    tok_vec_free(&sc->d0);
    tok_vec_free(&sc->d1);
    tok_vec_free(&sc->u0);
    tok_vec_free(&sc->u1);
    tok_vec_free(&sc->u2);
    tok_vec_free(&sc->i0);
    free(sc);
}

/* Trie steps and edge visits of the methods on ctx so far (tests check that
 * they grow linearly with the input). */
uint64_t tok__method_work(const tok_ctx *ctx)
{
    const mx_scratch *sc = ctx ? ctx->method_scratch : NULL;
    return sc ? sc->work : 0;
}
