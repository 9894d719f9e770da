/* Inference methods by name, and dispatch of non-native methods. */
#include "../internal.h"

static const char *const names[] = {
    [TOK_METHOD_DEFAULT] = "default",
    [TOK_METHOD_MERGES] = "merges",
    [TOK_METHOD_LONGEST_PREFIX] = "longest-prefix",
    [TOK_METHOD_LONGEST_SUFFIX] = "longest-suffix",
    [TOK_METHOD_LONGEST_TOKEN] = "longest-token",
    [TOK_METHOD_LEAST_TOKENS] = "least-tokens",
    [TOK_METHOD_LIKELIHOOD] = "likelihood",
    [TOK_METHOD_SAMPLE] = "sample",
};

const char *tok_method_name(tok_method m)
{
    return (unsigned)m < sizeof names / sizeof names[0] ? names[m] : "?";
}

int tok_method_from_name(const char *name)
{
    if (!name) return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) return (int)i;
    return -1;
}

bool tok_method_is_native(const tok_tokenizer *t, tok_method m)
{
    switch (t->model->vt->kind) {
    case TOK_MODEL_BPE: return m == TOK_METHOD_MERGES;
    case TOK_MODEL_WORDPIECE: return m == TOK_METHOD_LONGEST_PREFIX;
    case TOK_MODEL_UNIGRAM: return m == TOK_METHOD_LIKELIHOOD || m == TOK_METHOD_SAMPLE;
    default: return false;
    }
}
