/* Names of the prior flag bits (policy files, JSON export, CLI). */
#include "tok_keep.h"

#include <string.h>

static const char *const names[TOK_PRIOR_NBITS] = {
    "special", "separator", "punct", "space", "newline", "digit", "stopword",
    "byte", "partial", "unreachable", "word-start", "undertrained", "sticky",
};

const char *tok_prior_name(uint32_t bit)
{
    for (int b = 0; b < TOK_PRIOR_NBITS; b++)
        if (bit == (1u << b)) return names[b];
    return NULL;
}

uint32_t tok_prior_from_name(const char *name, size_t len)
{
    for (int b = 0; b < TOK_PRIOR_NBITS; b++)
        if (strlen(names[b]) == len && !memcmp(names[b], name, len)) return 1u << b;
    return 0;
}
