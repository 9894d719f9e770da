/* Shared inline pieces of the scanners (private to libtok/scan/). */
#ifndef LIBTOK_SCAN_UTIL_H
#define LIBTOK_SCAN_UTIL_H

#include "classes.h"
#include "scan.h"

#include <stdbool.h>
#include <string.h>

#define TOK_SC_LIKELY(x) __builtin_expect(!!(x), 1)
#define TOK_SC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* A scanner's one-piece body is written once, inline, and given out twice:
 * as the one-piece function (tok_scan_fn) and as the batch form
 * (tok_scan_many_fn), whose loop keeps the scanner's state in registers and
 * pays one call per batch instead of one per pre-token.  A batch stops early
 * after an end that cannot be one (not past pos or past n: invalid UTF-8 read
 * without meaning), which it still reports for the caller to see.  STEP lets
 * a batch form try a fast path first: it may append ends itself (advancing
 * k and pos) and `continue`, or leave the next one to the body. */
#define SC_DEFINE_WITH(f, one, STEP)                                                   \
    size_t SC_NAME(f)(const uint8_t *s, size_t n, size_t pos) { return one(s, n, pos); } \
    size_t SC_NAME(f##_many)(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max) \
    {                                                                                  \
        size_t k = 0;                                                                  \
        while (k < max && pos < n) {                                                   \
            STEP                                                                       \
            size_t e = one(s, n, pos);                                                 \
            ends[k++] = (uint32_t)e;                                                   \
            if (TOK_SC_UNLIKELY(e <= pos || e > n)) break;                             \
            pos = e;                                                                   \
        }                                                                              \
        return k;                                                                      \
    }
#define SC_DEFINE(f, one) SC_DEFINE_WITH(f, one, )
#define SC_ONE static inline __attribute__((always_inline)) size_t

/* The same with the many-at-once window of bulk.h first (SIMD builds): it
 * gives the ends of all the pre-tokens it decides from pos, the one-piece
 * body the next one where it decides none.  Tried where the next eight bytes
 * are ASCII (before a letter with an accent it would decide nothing). */
#define SC_DEFINE_BULK(f, one, bulk)                                                   \
    SC_DEFINE_WITH(f, one, uint64_t h8_;                                               \
                   if (pos + 64 <= n && (memcpy(&h8_, s + pos, 8), !(h8_ & 0x8080808080808080ULL))) { \
                       size_t m = bulk(s, pos, ends + k, max - k);                     \
                       if (m) {                                                        \
                           k += m;                                                     \
                           pos = ends[k - 1];                                          \
                           continue;                                                   \
                       }                                                               \
                   })

/*
 * ASCII fast path: runs of one class are found 16 bytes at a time (SSE2, the
 * x86-64 baseline) or 32 (AVX2: scan/avx2.c compiles the scanners again with
 * SC_AVX2, and scan.c picks them at load when the CPU has it).  A block is
 * classified at once -- letters (upper, lower), digits, spaces, punctuation;
 * a non-ASCII byte is never a member -- and the run ends at its first
 * non-member; when that is a non-ASCII byte the scalar loop goes on from
 * there, character by character, as before.  The ASCII classes are those of
 * the table (test_scan_simd checks all 128).  SC_SCALAR (scan/scalar.c):
 * no fast path, the reference the differential test compares against.
 */
#if defined(SC_AVX2)
#include <immintrin.h>
#define SC_W 32
#define SC_NAME(f) f##_avx2
typedef __m256i sc_vec;
#define sc_load(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define sc_set1(x) _mm256_set1_epi8((char)(x))
#define sc_add(a, b) _mm256_add_epi8(a, b)
#define sc_gt(a, b) _mm256_cmpgt_epi8(a, b)
#define sc_eq(a, b) _mm256_cmpeq_epi8(a, b)
#define sc_or(a, b) _mm256_or_si256(a, b)
#define sc_mask(a) ((uint32_t)_mm256_movemask_epi8(a))
#elif defined(__SSE2__) && !defined(SC_SCALAR)
#include <emmintrin.h>
#define SC_W 16
#define SC_NAME(f) f
typedef __m128i sc_vec;
#define sc_load(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define sc_set1(x) _mm_set1_epi8((char)(x))
#define sc_add(a, b) _mm_add_epi8(a, b)
#define sc_gt(a, b) _mm_cmpgt_epi8(a, b)
#define sc_eq(a, b) _mm_cmpeq_epi8(a, b)
#define sc_or(a, b) _mm_or_si128(a, b)
#define sc_mask(a) ((uint32_t)_mm_movemask_epi8(a))
#else
#define SC_W 0
#ifdef SC_SCALAR
#define SC_NAME(f) f##_scalar
#else
#define SC_NAME(f) f
#endif
#endif

#if SC_W
#define SC_FULL (SC_W == 32 ? 0xFFFFFFFFu : 0xFFFFu)

/* Bytes in [lo, lo + len) (ASCII ranges: never a byte >= 0x80), as a
 * signed compare of the byte shifted by 128 - lo. */
static inline sc_vec sc_range(sc_vec x, uint8_t lo, uint8_t len)
{
    return sc_gt(sc_set1((uint8_t)(len - 128)), sc_add(x, sc_set1((uint8_t)(128 - lo))));
}

/* One bit per byte of the block at p: the ASCII characters having any of
 * `bits` (none: those having none of S, L, N, i.e. ASCII punctuation). */
static inline uint32_t sc_block(const uint8_t *p, uint8_t bits, bool punct)
{
    sc_vec x = sc_load(p);
    sc_vec m = sc_set1(0);
    if (punct || (bits & (TOK_CL_L | TOK_CL_U))) m = sc_or(m, sc_range(x, 'A', 26));
    if (punct || (bits & (TOK_CL_L | TOK_CL_W))) m = sc_or(m, sc_range(x, 'a', 26));
    if (punct || (bits & TOK_CL_N)) m = sc_or(m, sc_range(x, '0', 10));
    if (punct || (bits & TOK_CL_S)) m = sc_or(m, sc_or(sc_range(x, 9, 5), sc_eq(x, sc_set1(' '))));
    if (!punct) return sc_mask(m);
    /* punctuation: ASCII (high bit clear) and in none of the classes */
    return ~(sc_mask(m) | sc_mask(x)) & SC_FULL;
}

/* The same on 16 bytes whatever SC_W: the per-pre-token fast path of
 * o200k.c, where words are short and a 32-byte block (and the vzeroupper it
 * brings) measured slower. */
static inline __m128i sc_range16(__m128i x, uint8_t lo, uint8_t len)
{
    return _mm_cmpgt_epi8(_mm_set1_epi8((char)(uint8_t)(len - 128)), _mm_add_epi8(x, _mm_set1_epi8((char)(uint8_t)(128 - lo))));
}

static inline uint32_t sc_block16(const uint8_t *p, uint8_t bits, bool punct)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_setzero_si128();
    if (punct || (bits & (TOK_CL_L | TOK_CL_U))) m = _mm_or_si128(m, sc_range16(x, 'A', 26));
    if (punct || (bits & (TOK_CL_L | TOK_CL_W))) m = _mm_or_si128(m, sc_range16(x, 'a', 26));
    if (punct || (bits & TOK_CL_N)) m = _mm_or_si128(m, sc_range16(x, '0', 10));
    if (punct || (bits & TOK_CL_S))
        m = _mm_or_si128(m, _mm_or_si128(sc_range16(x, 9, 5), _mm_cmpeq_epi8(x, _mm_set1_epi8(' '))));
    if (!punct) return (uint32_t)_mm_movemask_epi8(m);
    return ~(uint32_t)(_mm_movemask_epi8(m) | _mm_movemask_epi8(x)) & 0xFFFFu;
}

/* Bit per byte of the block at p: '\r' or '\n'. */
static inline uint32_t sc_block_nl(const uint8_t *p)
{
    sc_vec x = sc_load(p);
    return sc_mask(sc_or(sc_eq(x, sc_set1('\r')), sc_eq(x, sc_set1('\n'))));
}

/* Number of consecutive set bits of block mask m from bit j (at most SC_W - j). */
static inline size_t sc_ones(uint32_t m, size_t j)
{
    return (size_t)__builtin_ctzll(~((uint64_t)m >> j));
}

static inline uint32_t sc_block16_nl(const uint8_t *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))));
}

/* Block of width `wide` ? SC_W : 16 at p: the members of the class (as
 * sc_block), and in *nl the '\r' and '\n' bytes when nl is not NULL.  Runs
 * start with a 16-byte block and go on with SC_W-byte ones: most runs in
 * text are short, and there a 32-byte block measured slower. */
static inline uint32_t sc_block_w(const uint8_t *p, bool wide, uint8_t bits, bool punct, uint32_t *nl)
{
#if SC_W == 32
    if (wide) {
        if (nl) *nl = sc_block_nl(p);
        return sc_block(p, bits, punct);
    }
#else
    (void)wide;
#endif
    if (nl) *nl = sc_block16_nl(p);
    return sc_block16(p, bits, punct);
}

/* From i, skip whole blocks of members and stop at the first non-member. */
static inline size_t sc_skip(const uint8_t *s, size_t n, size_t i, uint8_t bits, bool punct)
{
#if SC_W == 32
    if (i + 16 > n) return i;
    uint32_t m0 = sc_block16(s + i, bits, punct);
    if (m0 != 0xFFFFu) return i + (size_t)__builtin_ctz(~m0);
    i += 16;
#endif
    while (i + SC_W <= n) {
        uint32_t m = sc_block(s + i, bits, punct);
        if (m != SC_FULL) return i + (size_t)__builtin_ctz(~m);
        i += SC_W;
    }
    return i;
}

#endif

/* Code point at s[i] (valid UTF-8), its length in *len. */
static inline uint32_t sc_dec(const uint8_t *s, size_t i, size_t *len)
{
    uint32_t c = s[i];
    if (c < 0x80) { *len = 1; return c; }
    if (c < 0xE0) { *len = 2; return ((c & 0x1F) << 6) | (s[i + 1] & 0x3F); }
    if (c < 0xF0) { *len = 3; return ((c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F); }
    *len = 4;
    return ((c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) | ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
}

/* Classes of the character at s[i] (i < n), its length in *len.  The text
 * is checked for valid UTF-8 while it is scanned (pipeline/encode_direct.c),
 * so a scanner may meet invalid bytes before they are found out: a sequence
 * cut by the end of the text is one byte of no class, and a code point past
 * U+10FFFF has none, so that nothing is read outside the text or the table
 * (the encoding is then redone on the checked text). */
static inline uint8_t sc_cls_at(const uint8_t *s, size_t n, size_t i, size_t *len)
{
    if (s[i] < 0x80) { *len = 1; return tok_cl_stage2[s[i]]; } /* block 0 is ASCII..U+00FF */
    size_t need = s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;
    if (TOK_SC_UNLIKELY(i + need > n)) { *len = 1; return 0; }
    uint32_t cp = sc_dec(s, i, len);
    return TOK_SC_LIKELY(cp <= 0x10FFFF) ? tok_cl(cp) : 0;
}

/* End of the run of characters having any of `bits`, from i. */
static inline size_t sc_run(const uint8_t *s, size_t n, size_t i, uint8_t bits)
{
#if SC_W
    i = sc_skip(s, n, i, bits, false);
#endif
    while (i < n) {
        size_t l;
        if (!(sc_cls_at(s, n, i, &l) & bits)) break;
        i += l;
    }
    return i;
}

/* End of the run of characters having none of `bits`, from i. */
static inline size_t sc_run_not(const uint8_t *s, size_t n, size_t i, uint8_t bits)
{
#if SC_W
    if (bits == (TOK_CL_S | TOK_CL_L | TOK_CL_N)) i = sc_skip(s, n, i, 0, true);
#endif
    while (i < n) {
        size_t l;
        if (sc_cls_at(s, n, i, &l) & bits) break;
        i += l;
    }
    return i;
}

/* Start of the character before i. */
static inline size_t sc_prev(const uint8_t *s, size_t i)
{
    do i--; while (i > 0 && (s[i] & 0xC0) == 0x80);
    return i;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d) after the apostrophe at s[i-1]: bytes matched, or 0.
 * Case-insensitive as PCRE2 with UCP folds: s also matches U+017F (long s). */
static inline size_t sc_contraction_ci(const uint8_t *s, size_t n, size_t i)
{
    if (i >= n) return 0;
    uint8_t c = s[i] | 0x20;
    if (s[i] == 0xC5 && i + 1 < n && s[i + 1] == 0xBF) return 2; /* ſ */
    if (s[i] >= 0x80) return 0;
    if (c == 's' || c == 't' || c == 'm' || c == 'd') return 1;
    if (i + 1 >= n || s[i + 1] >= 0x80) return 0;
    uint8_t d = s[i + 1] | 0x20;
    if ((c == 'r' && d == 'e') || (c == 'v' && d == 'e') || (c == 'l' && d == 'l')) return 2;
    return 0;
}

/* \s*[\r\n]+ | \s+(?!\S) | \s+ from a whitespace character at pos. */
static inline size_t sc_spaces(const uint8_t *s, size_t n, size_t pos)
{
    size_t w = pos, last_nl = (size_t)-1, last = pos;
#if SC_W
    /* ASCII blocks: the run's end, its last newline; then the scalar loop */
    for (size_t bw = 16; w + bw <= n; bw = SC_W) {
        uint32_t nl, m = sc_block_w(s + w, bw > 16, TOK_CL_S, false, &nl);
        size_t r = sc_ones(m, 0);
        if (r < bw) nl &= (1u << r) - 1;
        if (nl) last_nl = w + 31 - (size_t)__builtin_clz(nl);
        if (r) last = w + r - 1;
        w += r;
        if (r < bw) break;
    }
#endif
    while (w < n) {
        size_t l;
        uint8_t k = sc_cls_at(s, n, w, &l);
        if (!(k & TOK_CL_S)) break;
        if (s[w] == '\r' || s[w] == '\n') last_nl = w;
        last = w;
        w += l;
    }
    if (last_nl != (size_t)-1) return last_nl + 1;
    if (w == n || last == pos) return w;
    return last;
}

/* \p{N}{1,3} from a number character at pos (length l). */
static inline size_t sc_digits3(const uint8_t *s, size_t n, size_t pos, size_t l)
{
    size_t e = pos + l;
    for (int i = 1; i < 3 && e < n; i++) {
        size_t l2;
        if (!(sc_cls_at(s, n, e, &l2) & TOK_CL_N)) break;
        e += l2;
    }
    return e;
}

/* ' '?[^\s\p{L}\p{N}]+ then any of the bytes in `tail` ([\r\n]* or
 * [\r\n/]*) from pos: the end, or 0 if it does not match. */
static inline size_t sc_punct(const uint8_t *s, size_t n, size_t pos, const char *tail)
{
    size_t j = s[pos] == ' ' ? pos + 1 : pos, l;
    if (j >= n || (sc_cls_at(s, n, j, &l) & (TOK_CL_S | TOK_CL_L | TOK_CL_N))) return 0;
    size_t e = sc_run_not(s, n, j + l, TOK_CL_S | TOK_CL_L | TOK_CL_N);
    while (e < n && s[e] && strchr(tail, s[e])) e++;
    return e;
}

/* \s+(?!\S) | \s+ from a whitespace character at pos. */
static inline size_t sc_spaces_noline(const uint8_t *s, size_t n, size_t pos)
{
    size_t w = pos, last = pos;
#if SC_W
    for (size_t bw = 16; w + bw <= n; bw = SC_W) {
        size_t r = sc_ones(sc_block_w(s + w, bw > 16, TOK_CL_S, false, NULL), 0);
        if (r) last = w + r - 1;
        w += r;
        if (r < bw) break;
    }
#endif
    while (w < n) {
        size_t l;
        if (!(sc_cls_at(s, n, w, &l) & TOK_CL_S)) break;
        last = w;
        w += l;
    }
    if (w == n || last == pos) return w;
    return last;
}

#endif
