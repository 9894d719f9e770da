/* o200k_base:
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *  |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *  |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * U = upper-ish class, W = lower-ish class; they share Lm, Lo and marks. */
#include "scan_util.h"
#include "bulk.h"

static inline size_t opt_contraction(const uint8_t *s, size_t n, size_t e)
{
    if (e < n && s[e] == '\'') {
        size_t m = sc_contraction_ci(s, n, e + 1);
        if (m) return e + 1 + m;
    }
    return e;
}

/* U* W+ C? from x: end, or 0.  U* is greedy and gives back characters until
 * W+ can match, as the regex backtracks. */
static size_t alt_a(const uint8_t *s, size_t n, size_t x)
{
    size_t u = sc_run(s, n, x, TOK_CL_U);
    if (u < n) {
        size_t l;
        if (sc_cls_at(s, n, u, &l) & TOK_CL_W) return opt_contraction(s, n, sc_run(s, n, u + l, TOK_CL_W));
    }
    /* give back: the last W character inside the U run */
    size_t k = u;
    while (k > x) {
        k = sc_prev(s, k);
        size_t l;
        if (sc_cls_at(s, n, k, &l) & TOK_CL_W) return opt_contraction(s, n, k + l);
    }
    return 0;
}

/* U+ W* C? from x: end, or 0. */
static size_t alt_b(const uint8_t *s, size_t n, size_t x)
{
    size_t u = sc_run(s, n, x, TOK_CL_U);
    if (u == x) return 0;
    return opt_contraction(s, n, sc_run(s, n, u, TOK_CL_W));
}

#if SC_W
/* ASCII fast path: one 16-byte block classified at pos decides the common pre-tokens
 * -- a word with or without its one-character prefix, up to three digits, a
 * run of punctuation -- when they end inside the block before an ASCII
 * character.  0: the scalar path decides (non-ASCII near, spaces, end of
 * text near). */
static inline size_t ascii_fast(const uint8_t *s, size_t n, size_t pos)
{
    if (pos + 16 > n || s[pos] >= 0x80) return 0;
    const uint8_t *b = s + pos;
    uint32_t up = sc_block16(b, TOK_CL_U, false), lo = sc_block16(b, TOK_CL_W, false);
    uint32_t letters = up | lo;
    uint8_t c = b[0];
    size_t x;
    if (letters & 1) {
        x = 0;
    } else if (c != '\r' && c != '\n' && (uint8_t)(c - '0') >= 10) {
        if (letters & 2) {
            x = 1; /* the prefix, then the word */
        } else {
            /* ' '?[^\s\p{L}\p{N}]+[\r\n/]* */
            uint32_t pu = sc_block16(b, 0, true);
            size_t j = c == ' ' ? 1 : 0;
            if (!(pu >> j & 1)) return 0;
            size_t r = j + sc_ones(pu, j);
            if (r >= 16 || b[r] >= 0x80) return 0;
            size_t e = pos + r;
            while (e < n && (s[e] == '\r' || s[e] == '\n' || s[e] == '/')) e++;
            return e;
        }
    } else if ((uint8_t)(c - '0') < 10) {
        /* \p{N}{1,3}: a non-ASCII digit might follow */
        size_t d = 1;
        while (d < 3 && (uint8_t)(b[d] - '0') < 10) d++;
        return d < 3 && b[d] >= 0x80 ? 0 : pos + d;
    } else {
        return 0;
    }
    /* U* W+ or U+ W*: ASCII upper then lower case; the word must end in the
     * block before an ASCII byte (a non-ASCII letter could continue it) */
    size_t u = x + sc_ones(up, x);
    if (u >= 16) return 0;
    size_t w = u + sc_ones(lo, u);
    if (w >= 16 || b[w] >= 0x80) return 0;
    return opt_contraction(s, n, pos + w);
}
#endif

SC_ONE SC_NAME(scan_o200k_one)(const uint8_t *s, size_t n, size_t pos)
{
    size_t l, e;
#if SC_W
    if ((e = ascii_fast(s, n, pos))) return e;
#endif
    uint8_t c = s[pos];
    uint8_t k = sc_cls_at(s, n, pos, &l);
    bool p = !(k & (TOK_CL_L | TOK_CL_N)) && c != '\r' && c != '\n';
    if (p && (e = alt_a(s, n, pos + l))) return e;
    if ((k & (TOK_CL_U | TOK_CL_W)) && (e = alt_a(s, n, pos))) return e;
    if (p && (e = alt_b(s, n, pos + l))) return e;
    if ((k & TOK_CL_U) && (e = alt_b(s, n, pos))) return e;
    if (k & TOK_CL_N) return sc_digits3(s, n, pos, l);
    if ((e = sc_punct(s, n, pos, "\r\n/"))) return e;
    if (k & TOK_CL_S) return sc_spaces(s, n, pos);
    return pos + l;
}

#if SC_W
SC_DEFINE_BULK(tok_scan_o200k, SC_NAME(scan_o200k_one), sc_bulk_o200k)
#else
SC_DEFINE(tok_scan_o200k, SC_NAME(scan_o200k_one))
#endif
