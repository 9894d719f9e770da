/*
 * Whole-piece table of the byte-level BPE fast path (bpe_whole.c): a
 * pre-token of 1..7 bytes that BPE makes into one token (most pre-tokens of
 * natural text) is answered by one probe of one cache line, before the
 * pre-token cache and the trie walk; so is one of 8..15 bytes (a second
 * table), which would otherwise cost a deep walk on its first occurrence.
 *
 * Key: the piece's bytes with a 1 bit above them (57 bits for 7 bytes),
 * mixed by a bijection of 57-bit words.  The mixed key's high bits choose a
 * bucket of 8 slots (one cache line), its low bits are stored as the slot's
 * tag: bucket and tag give back the whole key, so a hit is exact without
 * reading the token's bytes.  A slot is used (bit 63) | tag | id.
 *
 * Pieces of 8..15 bytes: the first 8 bytes w0 are stored whole in a 16-byte
 * slot (4 per bucket) beside used | tag | id, and the rest w1 (with its
 * marker bit) is mixed as above after an xor with a hash of w0: given w0,
 * bucket and tag give back w1, so the hit is exact again.
 *
 * A key that finds its bucket full is left out: a miss only means "ask the
 * full algorithm", so the table may hold any subset of the answers (tokens
 * go in in id order, which for rank vocabularies is most frequent first).
 *
 * Built at load from the vocabulary and the fast tables, or mapped from a
 * .tokpack beside them (sections BWH1/BWH2); read-only afterwards: safe to
 * share.  Part of tok_bpe_bt (its `whole`), freed with it.
 */
#ifndef LIBTOK_MODELS_BPE_WHOLE_H
#define LIBTOK_MODELS_BPE_WHOLE_H

#include "../internal.h"
#include "trie.h"

#define TOK_BPE_WHOLE_MAXLEN 7
#define TOK_BPE_WHOLE_MAXLEN2 15

struct tok_bpe_bt;

typedef struct tok_bpe_whole {
    uint64_t *slot;     /* 8 per bucket, 64-byte aligned; NULL: no table */
    unsigned bshift;    /* 57 - log2(buckets): mixed key >> bshift = bucket */
    unsigned idbits;    /* low bits of a slot holding the id */
    uint64_t tagmask;   /* the mixed key's bits kept as tag */
    /* 8..15 bytes: 4 slots of two words (w0, used | tag | id) per bucket */
    uint64_t *slot2;
    unsigned bshift2, idbits2;
    uint64_t tagmask2;
    unsigned bb, bb2;   /* log2 of the buckets of each table */
    uint32_t n;         /* ids are below n (checked on every hit: a stored table may lie) */
    bool whole_ok;      /* built for a model where a pre-token that is a token is that token */
    bool borrowed;      /* the slots live in a mapped .tokpack: not freed here */
} tok_bpe_whole;

/** Fill w with the pieces BPE makes into one token under bt: every model
 *  token of at most 7 bytes that the tables make (with whole_ok, every model
 *  token: the pre-token is then that token), except those containing an
 *  irregular token (the heap decides those).  TOK_OK with no table when bt
 *  does not apply. */
tok_status tok_bpe_whole_build(tok_bpe_whole *w, const struct tok_bpe_bt *bt, const tok_vocab *v, bool whole_ok,
                               tok_error *err);
void tok_bpe_whole_free(tok_bpe_whole *w);
/** Use stored slots (a .tokpack's: 64 << bb and 64 << bb2 bytes, 64-byte
 *  aligned, living as long as w) for ids below n.  False when the sizes
 *  cannot be this table's. */
bool tok_bpe_whole_use(tok_bpe_whole *w, const uint64_t *slot, unsigned bb, const uint64_t *slot2, unsigned bb2,
                       uint32_t n, bool whole_ok);

/* Bijection of 57-bit words: xorshifts and odd multiplies modulo 2^57. */
#define TOK_BPE_WHOLE_MASK ((1ull << 57) - 1)
static inline uint64_t tok_bpe_whole_mix(uint64_t k)
{
    k ^= k >> 29;
    k = (k * 0xBF58476D1CE4E5B9ull) & TOK_BPE_WHOLE_MASK;
    k ^= k >> 31;
    k = (k * 0x94D049BB133111EBull) & TOK_BPE_WHOLE_MASK;
    return k ^ (k >> 28);
}

/** The key of p[0..n) (1 <= n <= 7), read with fixed-size loads inside the
 *  piece only. */
static inline uint64_t tok_bpe_whole_key(const uint8_t *p, uint32_t n)
{
    uint64_t k;
    if (n >= 4) {
        /* overlapping loads put the same bytes in the same places */
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        k = (uint64_t)a | (uint64_t)b << (8 * (n - 4));
    } else {
        k = (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
    }
    return k | 1ull << (8 * n);
}

/* The part of a long key that depends on its first 8 bytes. */
static inline uint64_t tok_bpe_whole_w0hash(uint64_t w0)
{
    return (w0 * 0x9E3779B97F4A7C15ull) >> 7;
}

/** The bucket of a key, for prefetching. */
static inline const uint64_t *tok_bpe_whole_bucket(const tok_bpe_whole *w, uint64_t key)
{
    return w->slot + (tok_bpe_whole_mix(key) >> w->bshift) * 8;
}

/** The same as tok_bpe_whole_find below, given the key already mixed. */
static inline int32_t tok_bpe_whole_find_mixed(const tok_bpe_whole *w, uint64_t m)
{
    const uint64_t *b = w->slot + (m >> w->bshift) * 8;
    uint64_t want = 1ull << 63 | (m & w->tagmask) << w->idbits, hi = ~((1ull << w->idbits) - 1);
    for (int i = 0; i < 8; i++) {
        if ((b[i] & hi) == want) return (b[i] & ~hi) < w->n ? (int32_t)(b[i] & ~hi) : -1;
        if (!b[i]) break;
    }
    return -1;
}

/** The one token BPE makes of the piece with this key, or -1 (not known
 *  here: run the full algorithm). */
static inline int32_t tok_bpe_whole_find(const tok_bpe_whole *w, uint64_t key)
{
    return tok_bpe_whole_find_mixed(w, tok_bpe_whole_mix(key));
}

/** Same for a piece of 8..15 bytes. */
static inline int32_t tok_bpe_whole_find2(const tok_bpe_whole *w, const uint8_t *p, uint32_t n)
{
    uint64_t w0;
    memcpy(&w0, p, 8);
    uint64_t w1 = n > 8 ? tok_bpe_whole_key(p + 8, n - 8) : 1;
    uint64_t m = tok_bpe_whole_mix(w1 ^ tok_bpe_whole_w0hash(w0));
    const uint64_t *b = w->slot2 + (m >> w->bshift2) * 8;
    uint64_t want = 1ull << 63 | (m & w->tagmask2) << w->idbits2, hi = ~((1ull << w->idbits2) - 1);
    for (int i = 0; i < 8; i += 2) {
        if (b[i] == w0 && (b[i + 1] & hi) == want) return (b[i + 1] & ~hi) < w->n ? (int32_t)(b[i + 1] & ~hi) : -1;
        if (!b[i + 1]) break;
    }
    return -1;
}

#endif
