/*
 * Double-array trie over byte strings (model space), shared by the models
 * and inference methods that need prefix look-ups.
 *
 * Node s has child t = base[s] + c for byte c iff check[t] == s; the root is
 * cell 0.  Each node carries the value of the key ending there (or -1).
 * Keys are bytes, so a walk can stop inside a UTF-8 character; every key
 * entered by the models is valid UTF-8 (or raw bytes for byte-level
 * vocabularies), so matches of valid text end on character boundaries.
 *
 * Build once (O(total key bytes) plus the free-cell search), then read-only:
 * safe to share between threads.
 */
#ifndef LIBTOK_MODELS_TRIE_H
#define LIBTOK_MODELS_TRIE_H

#include "../internal.h"

typedef struct tok_trie_cell {
    int32_t base;  /* children at base + c */
    int32_t check; /* parent cell, -1 for free cells and the root */
    int32_t value; /* value of the key ending here, -1 none */
} tok_trie_cell;

typedef struct tok_trie {
    tok_trie_cell *cell; /* padded so that base + 255 is always in range */
    uint32_t ncells;
    uint32_t nnodes;     /* nodes, root included */
    uint32_t *bfs;       /* the nodes' cells in breadth-first order (root first) */
    uint32_t nkeys;      /* distinct non-empty keys */
    uint32_t max_len;    /* longest key */
} tok_trie;

typedef struct tok_trie_key {
    const uint8_t *s;
    uint32_t len;
    int32_t value; /* >= 0 */
} tok_trie_key;

#define TOK_TRIE_ROOT 0

/** Build from keys in any order.  When a key occurs more than once, the value
 *  of its last occurrence wins (as inserting into a hash map would).  The
 *  empty key is ignored.  Returns TOK_OK or TOK_ERR_NOMEM/TOK_ERR_LIMIT. */
tok_status tok_trie_build(tok_trie *t, const tok_trie_key *keys, size_t n, tok_error *err);
void tok_trie_free(tok_trie *t);
/** Depth of every cell (ncells bytes; 0xFF: not a node) from the
 *  breadth-first node list.  Returns how many entries of the list were
 *  good: nnodes when it is one, else the index of the first that is not (a
 *  cell out of range, listed twice, before its parent, deeper than 254, or
 *  a first entry other than the root; a list read from a file is checked
 *  here, never trusted). */
uint32_t tok_trie_depths(const tok_trie *t, uint8_t *depth);

/** Child of node s by byte c, or -1. */
static inline int32_t tok_trie_child(const tok_trie *t, int32_t s, uint8_t c)
{
    uint32_t i = (uint32_t)t->cell[s].base + c;
    return t->cell[i].check == s ? (int32_t)i : -1;
}
/** Value of the key ending at node s, or -1. */
static inline int32_t tok_trie_value(const tok_trie *t, int32_t s) { return t->cell[s].value; }
/** Parent node of s (-1 for the root) and the byte leading to s. */
static inline int32_t tok_trie_parent(const tok_trie *t, int32_t s) { return t->cell[s].check; }
static inline uint8_t tok_trie_label(const tok_trie *t, int32_t s)
{ return (uint8_t)(s - t->cell[t->cell[s].check].base); }

/** Node reached by the whole string from node `from`, or -1. */
int32_t tok_trie_walk(const tok_trie *t, int32_t from, const void *s, size_t n);
/** Value of the key equal to s[0..n), or -1. */
int32_t tok_trie_find(const tok_trie *t, const void *s, size_t n);
/** Longest key that is a prefix of s[0..n): its value, and its length in
 *  *len (0 and -1 if none). */
int32_t tok_trie_longest_prefix(const tok_trie *t, const void *s, size_t n, size_t *len);

/** All keys that are prefixes of s[0..n), shortest first:
 *      tok_trie_iter it; tok_trie_iter_init(&it, s, n);
 *      while (tok_trie_next(t, &it)) use(it.value, it.len);            */
typedef struct tok_trie_iter {
    const uint8_t *s;
    size_t n;
    size_t len;    /* after tok_trie_next: length of the match */
    int32_t node;  /* current node, -1 when the walk is over */
    int32_t value; /* after tok_trie_next: value of the match */
} tok_trie_iter;

static inline void tok_trie_iter_init(tok_trie_iter *it, const void *s, size_t n)
{
    it->s = (const uint8_t *)s;
    it->n = n;
    it->len = 0;
    it->node = TOK_TRIE_ROOT;
    it->value = -1;
}
static inline bool tok_trie_next(const tok_trie *t, tok_trie_iter *it)
{
    while (it->node >= 0 && it->len < it->n) {
        it->node = tok_trie_child(t, it->node, it->s[it->len]);
        if (it->node < 0) return false;
        it->len++;
        int32_t v = t->cell[it->node].value;
        if (v >= 0) {
            it->value = v;
            return true;
        }
    }
    it->node = -1;
    return false;
}

/** Fill up to cap matches (shortest first); returns how many there are in
 *  all (may exceed cap). */
typedef struct tok_trie_match { int32_t value; uint32_t len; } tok_trie_match;
size_t tok_trie_prefixes(const tok_trie *t, const void *s, size_t n, tok_trie_match *out, size_t cap);

#endif /* LIBTOK_MODELS_TRIE_H */
