/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * (cl100k_base, Llama 3) */
#include "scan_util.h"

SC_ONE SC_NAME(scan_cl100k_one)(const uint8_t *s, size_t n, size_t pos)
{
    size_t l;
    uint8_t c = s[pos];
    uint8_t k = sc_cls_at(s, n, pos, &l);
    if (c == '\'') {
        size_t m = sc_contraction_ci(s, n, pos + 1);
        if (m) return pos + 1 + m;
    }
    if (k & TOK_CL_L) return sc_run(s, n, pos + l, TOK_CL_L);
    if (!(k & (TOK_CL_L | TOK_CL_N)) && c != '\r' && c != '\n' && pos + l < n) {
        size_t l2;
        if (sc_cls_at(s, n, pos + l, &l2) & TOK_CL_L) return sc_run(s, n, pos + l + l2, TOK_CL_L);
    }
    if (k & TOK_CL_N) return sc_digits3(s, n, pos, l);
    size_t e = sc_punct(s, n, pos, "\r\n");
    if (e) return e;
    if (k & TOK_CL_S) return sc_spaces(s, n, pos);
    return pos + l; /* not reached: every character is covered above */
}

#if SC_W
/* The window fast path (see sc_win): a word with or without its
 * one-character prefix, up to three digits, a run of punctuation with its
 * optional space and [\r\n]* tail, when they end inside the window before
 * an ASCII byte (a non-ASCII letter, digit or symbol could continue them);
 * anything else (apostrophes, white space, non-ASCII) goes to the one-piece
 * body.  0: not decided here. */
static inline size_t cl100k_win(const sc_win *w, const uint8_t *s, size_t n, size_t pos)
{
    unsigned o = (unsigned)(pos - w->base), x;
    uint8_t c = s[pos];
    if (w->L >> o & 1) {
        x = o;
    } else if (w->N >> o & 1) {
        return sc_win_digits3(w, pos, o);
    } else if ((w->H >> o & 1) || c == '\'') {
        return 0;
    } else if (c != '\r' && c != '\n' && (w->L >> (o + 1) & 1)) {
        x = o + 1; /* [^\r\n\p{L}\p{N}] then the word */
    } else {
        return sc_win_punct(w, s, n, o);
    }
    unsigned e = x + sc_win_ones(w->L, x);
    return e >= 64 || (w->H >> e & 1) ? 0 : w->base + e;
}
SC_DEFINE_WIN(tok_scan_cl100k, SC_NAME(scan_cl100k_one), cl100k_win)
#else
SC_DEFINE(tok_scan_cl100k, SC_NAME(scan_cl100k_one))
#endif
