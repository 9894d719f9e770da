/* Encode options: their defaults, and the inference methods by name.  Low in
 * the floors because models, methods and the pipeline all use them. */
#include "../internal.h"

void tok_encode_options_init(tok_encode_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->size = sizeof *opt;
    opt->flags = TOK_ENC_ADD_SPECIAL | TOK_ENC_OFFSETS;
    opt->method = TOK_METHOD_DEFAULT;
    opt->dropout = -1;
    opt->alpha = 0.1f;
}

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
