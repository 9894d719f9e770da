/* The accumulator's layout, shared by the files of analyzers/lang. */
#ifndef TOK_LANG_IMPL_H
#define TOK_LANG_IMPL_H

#include "maps.h"
#include "tok_lang.h"

typedef struct langacc {
    tok_lang_counts c;
    idmap ids;
} langacc;

struct tok_lang {
    const tok_tokenizer *t;
    tok_lang_options o;
    char name[256];
    size_t V;
    uint8_t *idclass; /* per id: 1 unk, 2 byte token */
    langacc *L;
    size_t nl, capl, cur;
    tok_wordseg *ws;
    strmap iso;       /* word type -> tokens when encoded alone */
    int threads_inner; /* tok_encode_threads for large units */
};

long lang_index(tok_lang *a, const char *lang);
uint64_t *lang_dense(const tok_lang *a, size_t i);
/* Length of the white-space character at s (Python str.isspace()), or 0. */
size_t lang_space_len(const unsigned char *s, size_t n);

#endif
