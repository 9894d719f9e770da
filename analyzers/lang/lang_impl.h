/* The accumulator's layout, shared by the files of analyzers/lang. */
#ifndef TOK_LANG_IMPL_H
#define TOK_LANG_IMPL_H

#include "maps.h"
#include "tok_lang.h"
#include "wordtab.h"

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
    uint64_t *classed; /* bit per id: idclass non-zero (fits the L1 cache) */
    langacc *L;
    size_t nl, capl, cur;
    tok_wordseg *ws;
    wordtab *iso;     /* word type -> tokens when encoded alone */
    bool iso_owned;   /* false: a worker using its parent's table */
    uint64_t *hs;     /* scratch: the hashes of a unit's words */
    size_t hcap;
    int threads_inner; /* tok_encode_threads for large units */
    /* The id counts of the language of the last units (pend_lang, -1 none)
     * are kept dense, pend[id], with the ids first counted listed in
     * touched: an increment per token instead of a hash-map probe that
     * misses the cache.  They move into the language's map when a unit of
     * another language comes (lang.c flush); readers add them (a reader
     * never changes the accumulator). */
    uint32_t *pend;
    int32_t *touched;
    size_t ntouched;
    long pend_lang;
    uint64_t pend_total; /* tokens in pend: flushed before a count could wrap */
};

/* The pending ids of language li (none unless it is pend_lang); the count
 * of each is a->pend[id]. */
static inline size_t lang_pending(const tok_lang *a, size_t li, const int32_t **ids)
{
    if (a->pend_lang != (long)li || !a->ntouched) return 0;
    *ids = a->touched;
    return a->ntouched;
}

long lang_index(tok_lang *a, const char *lang);
/* Make worker w look up and store word types in a's table (a outlives w).
 * 0 or -1 (no memory). */
int lang_share_iso(tok_lang *w, tok_lang *a);
uint64_t *lang_dense(const tok_lang *a, size_t i);
/* Length of the white-space character at s (Python str.isspace()), or 0. */
size_t lang_space_len(const unsigned char *s, size_t n);

#endif
