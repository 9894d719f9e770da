/* Non-native inference methods: placeholder until methods/ lands (issue 4). */
#include "../internal.h"

tok_status tok_method_encode(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n, tok_toks *out);
void tok_method_scratch_free(void *s);

tok_status tok_method_encode(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n, tok_toks *out)
{
    TOK_UNUSED(s);
    TOK_UNUSED(n);
    TOK_UNUSED(out);
    return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED, "method %s is not available for %s models yet",
                        tok_method_name(opt->method), ctx->tok->model->vt->type);
}

void tok_method_scratch_free(void *s) { free(s); }

tok_scores *tok_scores_estimate(const tok_tokenizer *t, const char *text, size_t len, int iters, tok_error *err)
{
    TOK_UNUSED(t); TOK_UNUSED(text); TOK_UNUSED(len); TOK_UNUSED(iters);
    tok__fail(err, TOK_ERR_UNSUPPORTED, "unigram estimation is not available yet");
    return NULL;
}
tok_scores *tok_scores_load(const tok_tokenizer *t, const char *path, tok_error *err)
{
    TOK_UNUSED(t);
    tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: unigram scores are not available yet", path);
    return NULL;
}
tok_status tok_scores_save(const tok_scores *s, const char *path, tok_error *err)
{
    TOK_UNUSED(s);
    return tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: unigram scores are not available yet", path);
}
void tok_scores_free(tok_scores *s) { TOK_UNUSED(s); }
