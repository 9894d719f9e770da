/*
 * Pre-token cache: pre-token bytes -> the tokens a model made of them.
 * Natural text repeats a small set of words, so after the first occurrence
 * nearly every pre-token is a hash probe and a copy.  Per context (no
 * locking); an open-addressing table over a packed entry pool that grows to
 * a bound and is then cleared, so memory stays bounded on endless input.
 *
 * Most pre-tokens are short and one token, so a slot keeps up to 8 key bytes
 * and a single id inline: one memory access for them; others go to the pool.
 */
#ifndef LIBTOK_MODELS_PIECE_CACHE_H
#define LIBTOK_MODELS_PIECE_CACHE_H

#include "../internal.h"

#define TOK_PCACHE_MAXLEN 255 /* longer pre-tokens are not cached */
#define TOK_PCACHE_MAXIDS 64

typedef struct tok_pcache_slot {
    uint64_t key;  /* n <= 8: the bytes, zero-padded; else the hash */
    uint32_t val;  /* inline: the id; else pool index + 1 */
    uint8_t len;   /* 0 = empty */
    uint8_t inl;   /* 1: one token, key inline */
    uint16_t tag;  /* hash bits, for long keys */
} tok_pcache_slot;

typedef struct tok_pcache {
    tok_pcache_slot *slot;
    size_t mask, count;
    TOK_VEC(uint32_t) pool; /* long entries, 4-byte words */
} tok_pcache;

void tok_pcache_init(tok_pcache *c);
void tok_pcache_free(tok_pcache *c);

/* The key word of a short pre-token (n <= 8). */
static inline uint64_t tok_pcache_key8(const uint8_t *p, uint32_t n)
{
    /* fixed-size loads (overlapping for 4..8 bytes), never a variable memcpy:
     * that costs a call and a store-forwarding stall on the hottest path */
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return (uint64_t)a | (uint64_t)b << (8 * (n - 4));
    }
    return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
}

/* The hash the cache uses: cheap for short keys. */
static inline uint64_t tok_pcache_hash(const uint8_t *p, uint32_t n, uint64_t *key)
{
    if (n <= 8) {
        *key = tok_pcache_key8(p, n);
        uint64_t h = (*key ^ ((uint64_t)n << 59)) * 0x9E3779B97F4A7C15ULL;
        return h ^ (h >> 29);
    }
    *key = tok_hash_bytes(p, n);
    return *key;
}

/* Pool entry: word 0 = len | nids << 16; the bytes (padded to a word); nids
 * ids; nids end offsets as uint16 (padded). */
static inline int tok_pcache_get(const tok_pcache *c, const uint8_t *p, uint32_t n, uint64_t h, uint64_t key,
                                 tok_toks *out)
{
    if (!c->slot || n > TOK_PCACHE_MAXLEN) return 0;
    for (size_t i = (size_t)h & c->mask;; i = (i + 1) & c->mask) {
        const tok_pcache_slot *s = &c->slot[i];
        if (!s->len) return 0;
        if (s->len != n || s->key != key) continue;
        if (s->inl) {
            if (out->n == out->cap && tok_toks_reserve(out, out->n + 1)) return -1;
            out->id[out->n] = (int32_t)s->val;
            out->off[out->n].start = 0;
            out->off[out->n].end = n;
            out->n++;
            return 1;
        }
        const uint32_t *e = c->pool.v + s->val - 1;
        if (n > 8 && memcmp(e + 1, p, n) != 0) continue;
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
void tok_pcache_put(tok_pcache *c, const uint8_t *p, uint32_t n, uint64_t h, uint64_t key,
                    const int32_t *ids, const tok_offset *off, size_t k);

#endif
