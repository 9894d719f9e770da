/* Long pre-tokens in the byte-level BPE: see bpe_long.h. */
#include "bpe_long.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_NIBBLES 1

/* Nibble tables of the set of first bytes: b may be in it when
 * lo[b & 15] & hi[b >> 4] is not zero.  One bit per high nibble modulo 8, so
 * the test is exact for sets spread over at most 8 high nibbles and a
 * superset otherwise. */
typedef struct nibbles { uint8_t lo[16], hi[16]; } nibbles;

static void nibbles_of(const tok_bpe_bt *bt, nibbles *t)
{
    memset(t, 0, sizeof *t);
    for (unsigned b = 0; b < 256; b++) {
        const uint64_t *w = bt->irr_pair + b * 4; /* the 256 pairs that start with b */
        if (!(w[0] | w[1] | w[2] | w[3])) continue;
        uint8_t bit = (uint8_t)(1u << ((b >> 4) & 7));
        t->lo[b & 15] |= bit;
        t->hi[b >> 4] |= bit;
    }
}

/* The first two bytes at p[j] begin an irregular token (few pairs go on to
 * the trie walk). */
static inline bool pair_may(const tok_bpe_bt *bt, const uint8_t *p, uint32_t j)
{
    uint32_t pb = (uint32_t)p[j] << 8 | p[j + 1];
    return bt->irr_pair[pb >> 6] >> (pb & 63) & 1;
}

__attribute__((target("ssse3"))) static bool scan_ssse3(const tok_bpe_bt *bt, const nibbles *t, const uint8_t *p,
                                                        uint32_t n)
{
    const __m128i lo = _mm_loadu_si128((const __m128i *)t->lo), hi = _mm_loadu_si128((const __m128i *)t->hi);
    const __m128i low4 = _mm_set1_epi8(0x0F), zero = _mm_setzero_si128();
    uint32_t i = 0;
    /* a token of two bytes or more starts at most at n - 2 */
    for (; i + 16 <= n - 1; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i l = _mm_shuffle_epi8(lo, _mm_and_si128(x, low4));
        __m128i h = _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(x, 4), low4));
        unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(l, h), zero)) & 0xFFFF;
        if (!m) continue;
        if (m == 0xFFFF && pair_may(bt, p, i) == 0 &&
            _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_loadu_si128((const __m128i *)(p + i + 1)))) == 0xFFFF)
            continue; /* 17 equal bytes (a run of one letter): 16 times the same pair, not a first pair */
        if (tok_popcount64(m) >= 8) {
            /* dense (a run of a first byte: one letter): every position,
             * the pair test inline, as the per-byte loop does it */
            for (uint32_t j = i; j < i + 16; j++)
                if (pair_may(bt, p, j) && tok_bpe_bt_irregular_at(bt, p, n, j)) return true;
            continue;
        }
        do {
            uint32_t j = i + (uint32_t)__builtin_ctz(m);
            if (pair_may(bt, p, j) && tok_bpe_bt_irregular_at(bt, p, n, j)) return true;
            m &= m - 1;
        } while (m);
    }
    for (; i + 1 < n; i++)
        if (tok_bpe_bt_irregular_at(bt, p, n, i)) return true;
    return false;
}
#endif

bool tok_bpe_long_irregular(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n)
{
#ifdef HAVE_NIBBLES
    if (__builtin_cpu_supports("ssse3")) {
        nibbles t;
        nibbles_of(bt, &t);
        return scan_ssse3(bt, &t, p, n);
    }
#endif
    for (uint32_t i = 0; i + 1 < n; i++)
        if (tok_bpe_bt_irregular_at(bt, p, n, i)) return true;
    return false;
}
