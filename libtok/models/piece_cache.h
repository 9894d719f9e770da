/*
 * Pre-token cache: pre-token bytes -> the tokens a model made of them.
 * Natural text repeats a small set of words, so after the first occurrence
 * nearly every pre-token is a hash probe and a copy.  Per context (no
 * locking); an open-addressing table over a packed entry pool that grows to
 * a bound and is then cleared, so memory stays bounded on endless input.
 */
#ifndef LIBTOK_MODELS_PIECE_CACHE_H
#define LIBTOK_MODELS_PIECE_CACHE_H

#include "../internal.h"

#define TOK_PCACHE_MAXLEN 255 /* longer pre-tokens are not cached */
#define TOK_PCACHE_MAXIDS 64

typedef struct tok_pcache {
    uint64_t *slot;      /* (hash >> 32) << 32 | entry index + 1; 0 = empty */
    size_t mask, count;
    TOK_VEC(uint32_t) pool; /* entries, 4-byte words */
} tok_pcache;

void tok_pcache_init(tok_pcache *c);
void tok_pcache_free(tok_pcache *c);

/* Entry: word 0 = len | nids << 16; then the bytes (padded to a word); then
 * nids ids; then nids end offsets as uint16 (padded). */
static inline int tok_pcache_get(const tok_pcache *c, const uint8_t *p, uint32_t n, uint64_t h, tok_toks *out)
{
    if (!c->slot) return 0;
    uint64_t tag = h & 0xFFFFFFFF00000000ULL;
    for (size_t i = (size_t)h & c->mask;; i = (i + 1) & c->mask) {
        uint64_t v = c->slot[i];
        if (!v) return 0;
        if ((v & 0xFFFFFFFF00000000ULL) != tag) continue;
        const uint32_t *e = c->pool.v + (uint32_t)v - 1;
        if ((e[0] & 0xFFFF) != n || memcmp(e + 1, p, n) != 0) continue;
        uint32_t k = e[0] >> 16;
        const int32_t *ids = (const int32_t *)(e + 1 + (n + 3) / 4);
        const uint16_t *ends = (const uint16_t *)(ids + k);
        if (out->n + k > out->cap && tok_toks_reserve(out, out->n + k)) return -1;
        uint32_t st = 0;
        for (uint32_t j = 0; j < k; j++) {
            out->id[out->n] = ids[j];
            out->off[out->n].start = st;
            out->off[out->n].end = ends[j];
            st = ends[j];
            out->n++;
        }
        return 1;
    }
}

/** Remember the k tokens (offsets relative to p, tiling it) of pre-token p. */
void tok_pcache_put(tok_pcache *c, const uint8_t *p, uint32_t n, uint64_t h,
                    const int32_t *ids, const tok_offset *off, size_t k);

#endif
