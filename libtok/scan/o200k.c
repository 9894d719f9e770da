/* o200k_base:
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *  |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *  |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * U = upper-ish class, W = lower-ish class; they share Lm, Lo and marks. */
#include "scan_util.h"

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
        if (sc_cls_at(s, u, &l) & TOK_CL_W) return opt_contraction(s, n, sc_run(s, n, u + l, TOK_CL_W));
    }
    /* give back: the last W character inside the U run */
    size_t k = u;
    while (k > x) {
        k = sc_prev(s, k);
        size_t l;
        if (sc_cls_at(s, k, &l) & TOK_CL_W) return opt_contraction(s, n, k + l);
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

size_t tok_scan_o200k(const uint8_t *s, size_t n, size_t pos)
{
    size_t l, e;
    uint8_t c = s[pos];
    uint8_t k = sc_cls_at(s, pos, &l);
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
