/* Shared inline pieces of the scanners (private to libtok/scan/). */
#ifndef LIBTOK_SCAN_UTIL_H
#define LIBTOK_SCAN_UTIL_H

#include "classes.h"
#include "scan.h"

#include <stdbool.h>
#include <string.h>

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

/* Classes of the character at s[i], its length in *len. */
static inline uint8_t sc_cls_at(const uint8_t *s, size_t i, size_t *len)
{
    if (s[i] < 0x80) { *len = 1; return tok_cl_stage2[s[i]]; } /* block 0 is ASCII..U+00FF */
    return tok_cl(sc_dec(s, i, len));
}

/* End of the run of characters having any of `bits`, from i. */
static inline size_t sc_run(const uint8_t *s, size_t n, size_t i, uint8_t bits)
{
    while (i < n) {
        size_t l;
        if (!(sc_cls_at(s, i, &l) & bits)) break;
        i += l;
    }
    return i;
}

/* End of the run of characters having none of `bits`, from i. */
static inline size_t sc_run_not(const uint8_t *s, size_t n, size_t i, uint8_t bits)
{
    while (i < n) {
        size_t l;
        if (sc_cls_at(s, i, &l) & bits) break;
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
    while (w < n) {
        size_t l;
        uint8_t k = sc_cls_at(s, w, &l);
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
        if (!(sc_cls_at(s, e, &l2) & TOK_CL_N)) break;
        e += l2;
    }
    return e;
}

/* ' '?[^\s\p{L}\p{N}]+ then any of the bytes in `tail` ([\r\n]* or
 * [\r\n/]*) from pos: the end, or 0 if it does not match. */
static inline size_t sc_punct(const uint8_t *s, size_t n, size_t pos, const char *tail)
{
    size_t j = s[pos] == ' ' ? pos + 1 : pos, l;
    if (j >= n || (sc_cls_at(s, j, &l) & (TOK_CL_S | TOK_CL_L | TOK_CL_N))) return 0;
    size_t e = sc_run_not(s, n, j + l, TOK_CL_S | TOK_CL_L | TOK_CL_N);
    while (e < n && s[e] && strchr(tail, s[e])) e++;
    return e;
}

/* \s+(?!\S) | \s+ from a whitespace character at pos. */
static inline size_t sc_spaces_noline(const uint8_t *s, size_t n, size_t pos)
{
    size_t w = pos, last = pos;
    while (w < n) {
        size_t l;
        if (!(sc_cls_at(s, w, &l) & TOK_CL_S)) break;
        last = w;
        w += l;
    }
    if (w == n || last == pos) return w;
    return last;
}

#endif
