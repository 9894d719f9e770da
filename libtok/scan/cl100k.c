/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * (cl100k_base, Llama 3) */
#include "scan_util.h"
#include "bulk.h"

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
SC_DEFINE_BULK(tok_scan_cl100k, SC_NAME(scan_cl100k_one), sc_bulk_cl100k)
#else
SC_DEFINE(tok_scan_cl100k, SC_NAME(scan_cl100k_one))
#endif
