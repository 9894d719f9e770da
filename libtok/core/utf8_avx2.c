/*
 * UTF-8 validation 32 bytes at a time (AVX2), after Keiser and Lemire,
 * "Validating UTF-8 in less than one instruction per byte" (2021): three
 * 16-entry tables, indexed by the nibbles of each byte and of the byte
 * before it, flag every error that a pair of bytes shows; one more test
 * finds the third and fourth bytes of long characters that are missing or
 * extra.  Hand-written because no C library in Debian has it (simdutf is
 * C++).  It only answers whether a stretch is valid: the scalar check in
 * utf8.c still finds where an invalid one goes wrong.
 */
#include "../internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TA __attribute__((target("avx2")))

/* the error classes of the paper's tables */
enum {
    TOO_SHORT = 1 << 0,   /* a lead byte without its continuation */
    TOO_LONG = 1 << 1,    /* a continuation after ASCII */
    OVERLONG_3 = 1 << 2,  /* E0 80..9F */
    TOO_LARGE = 1 << 3,   /* F4 90.., F5.. */
    SURROGATE = 1 << 4,   /* ED A0..BF */
    OVERLONG_2 = 1 << 5,  /* C0, C1 */
    TOO_LARGE_1000 = 1 << 6,
    OVERLONG_4 = 1 << 6,  /* F0 80..8F */
    TWO_CONTS = 1 << 7,   /* a continuation after a continuation (fine for 3-4 byte characters) */
    CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

/* a 16-byte table in both lanes (bytes, not chars: the flags pass 0x7F) */
TA static inline __m256i t16(const uint8_t *t)
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)t));
}
#define T16(...) t16((const uint8_t[16]){ __VA_ARGS__ })

TA static inline __m256i prev(__m256i in, __m256i last, int k)
{
    /* the 32 bytes that end k bytes before the end of `in` (`last` before it) */
    __m256i mid = _mm256_permute2x128_si256(last, in, 0x21);
    switch (k) {
    case 1: return _mm256_alignr_epi8(in, mid, 15);
    case 2: return _mm256_alignr_epi8(in, mid, 14);
    default: return _mm256_alignr_epi8(in, mid, 13);
    }
}

TA static inline __m256i block_errors(__m256i in, __m256i last)
{
    const __m256i lo4 = _mm256_set1_epi8(0x0F);
    const __m256i b1_high = T16(TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
                                TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
                                TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    const __m256i b1_low = T16(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
                               CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000,
                               CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                               CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                               CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                               CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
                               CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000);
    const __m256i b2_high = T16(TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
                                TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
                                TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
                                TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
                                TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
                                TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
    __m256i p1 = prev(in, last, 1);
    __m256i sc = _mm256_and_si256(
        _mm256_and_si256(_mm256_shuffle_epi8(b1_high, _mm256_and_si256(_mm256_srli_epi16(p1, 4), lo4)),
                         _mm256_shuffle_epi8(b1_low, _mm256_and_si256(p1, lo4))),
        _mm256_shuffle_epi8(b2_high, _mm256_and_si256(_mm256_srli_epi16(in, 4), lo4)));
    /* bytes 2 and 3 after E0..EF / F0..F4 must be continuations: there the
     * tables left exactly TWO_CONTS (0x80), which this cancels */
    __m256i third = _mm256_subs_epu8(prev(in, last, 2), _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev(in, last, 3), _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must23, sc);
}

/* Whether s[0..n) is valid UTF-8.  The last block is padded with ASCII
 * zeros, which also catches a character cut short at the end. */
TA static bool valid_avx2(const uint8_t *s, size_t n)
{
    __m256i last = _mm256_setzero_si256(), err = _mm256_setzero_si256();
    /* a lead byte in the last three of a block: its continuations are in the next */
    const __m256i lead_max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                              -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1),
                                              (char)(0xE0 - 1), (char)(0xC0 - 1));
    __m256i pending = _mm256_setzero_si256();
    size_t i = 0;
    for (;; i += 32) {
        __m256i in;
        bool end = n - i <= 32;
        if (!end) {
            in = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        } else {
            uint8_t pad[32] = { 0 };
            memcpy(pad, s + i, n - i);
            in = _mm256_loadu_si256((const __m256i *)(const void *)pad);
        }
        if (_mm256_movemask_epi8(in) == 0) {
            err = _mm256_or_si256(err, pending); /* ASCII after a cut character */
            pending = _mm256_setzero_si256();
        } else {
            err = _mm256_or_si256(err, block_errors(in, last));
            pending = _mm256_subs_epu8(in, lead_max);
        }
        last = in;
        if (end) break;
        if ((i & 1023) == 992 && !_mm256_testz_si256(err, err)) return false; /* stop early now and then */
    }
    /* a block of exactly 32 bytes at the end had no padding after it */
    err = _mm256_or_si256(err, pending);
    return _mm256_testz_si256(err, err);
}

bool tok_utf8_valid_simd(const uint8_t *s, size_t n, bool *answered)
{
    if (!__builtin_cpu_supports("avx2")) {
        *answered = false;
        return false;
    }
    *answered = true;
    return valid_avx2(s, n);
}
#else
bool tok_utf8_valid_simd(const uint8_t *s, size_t n, bool *answered)
{
    (void)s;
    (void)n;
    *answered = false;
    return false;
}
#endif
