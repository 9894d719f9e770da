/* Word types -> a small count (tokens of the word encoded alone), shared by
 * the workers of one pass (internal to analyzers/lang).
 *
 * Lookups take no lock: a slot is published by a release store of its hash
 * after its other fields are written, and is never changed afterwards; a
 * table that grows is kept (retired) until the wordtab is freed, so a reader
 * still probing it reads valid memory and at worst misses a newer entry.  A
 * miss is settled under the mutex (wordtab_put re-checks), so every type is
 * stored once and each worker encodes a type at most once. */
#ifndef TOK_LANG_WORDTAB_H
#define TOK_LANG_WORDTAB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#define WT_INLINE 16 /* keys up to this many bytes live in the slot */

typedef struct wt_slot {
    _Atomic uint64_t h; /* 0 = empty; written last */
    uint32_t len;
    uint32_t val;
    union {
        char in[WT_INLINE]; /* zero-padded */
        const char *p;
    } k;
} wt_slot;

typedef struct wt_tab {
    size_t mask;
    struct wt_tab *retired; /* the smaller table this one replaced */
    wt_slot s[];
} wt_tab;

typedef struct wordtab {
    _Atomic(wt_tab *) tab;
    pthread_mutex_t mu; /* writers: inserts, growth, the key chunks */
    size_t n;
    char **chunks;
    size_t nchunks, used, chunk_cap;
} wordtab;

wordtab *wordtab_new(void);
void wordtab_free(wordtab *w);
/* never 0; inline (XXH_INLINE_ALL): it runs per word of the corpus, and
 * most words are short enough that the call cost as much as the hash */
static inline uint64_t wordtab_hash(const char *k, size_t len)
{
    uint64_t h = XXH3_64bits(k, len);
    return h ? h : 1;
}
static inline size_t wordtab_slot(uint64_t h, size_t mask) { return (size_t)(h ^ (h >> 29)) & mask; }

/* Prefetch the slot a lookup of hash h starts at. */
static inline void wordtab_prefetch(const wordtab *w, uint64_t h)
{
    const wt_tab *t = atomic_load_explicit(&((wordtab *)w)->tab, memory_order_relaxed);
    __builtin_prefetch(&t->s[wordtab_slot(h, t->mask)]);
}

/* The value of key (hash h), or -1 when absent.  Any thread, no lock.
 * Inline (it runs per word): the bytes are compared only when hash and
 * length agree. */
static inline int64_t wordtab_get(const wordtab *w, uint64_t h, const char *k, size_t len)
{
    const wt_tab *t = atomic_load_explicit(&((wordtab *)w)->tab, memory_order_acquire);
    for (size_t i = wordtab_slot(h, t->mask);; i = (i + 1) & t->mask) {
        const wt_slot *s = &t->s[i];
        uint64_t x = atomic_load_explicit(&((wt_slot *)s)->h, memory_order_acquire);
        if (!x) return -1;
        if (x != h || s->len != len) continue;
        if (!memcmp(len <= WT_INLINE ? s->k.in : s->k.p, k, len)) return s->val;
    }
}
/* Store val for key unless present; the stored value (the first one put),
 * or -1 on no memory.  Any thread. */
int64_t wordtab_put(wordtab *w, uint64_t h, const char *k, size_t len, uint32_t val);
size_t wordtab_count(wordtab *w);

#endif
