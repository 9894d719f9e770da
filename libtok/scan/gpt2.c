/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
#include "scan_util.h"
#include "bulk.h"

SC_ONE SC_NAME(scan_gpt2_one)(const uint8_t *s, size_t n, size_t pos)
{
    uint8_t c = s[pos];
    if (c == '\'' && pos + 1 < n) {
        uint8_t d = s[pos + 1];
        if (d == 's' || d == 't' || d == 'm' || d == 'd') return pos + 2;
        if (pos + 2 < n) {
            uint8_t e = s[pos + 2];
            if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) return pos + 3;
        }
    }
    size_t j = c == ' ' ? pos + 1 : pos;
    if (j < n) {
        size_t l;
        uint8_t k = sc_cls_at(s, n, j, &l);
        if (k & TOK_CL_L) return sc_run(s, n, j + l, TOK_CL_L);
        if (k & TOK_CL_N) return sc_run(s, n, j + l, TOK_CL_N);
        if (!(k & (TOK_CL_S | TOK_CL_L | TOK_CL_N))) return sc_run_not(s, n, j + l, TOK_CL_S | TOK_CL_L | TOK_CL_N);
    }
    return sc_spaces_noline(s, n, pos);
}

#if SC_W
SC_DEFINE_BULK(tok_scan_gpt2, SC_NAME(scan_gpt2_one), sc_bulk_gpt2)
#else
SC_DEFINE(tok_scan_gpt2, SC_NAME(scan_gpt2_one))
#endif
