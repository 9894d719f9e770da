/*
 * ByteLevel normalizer: every byte becomes its GPT-2 byte-level char
 * ("Ġ" for ' ', ...).  All the chars made from the bytes of one input char
 * keep that char's range (HF: the first takes its place, the others are
 * insertions after it).
 */
#include "normalizers.h"

static tok_status bl_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    /* each byte becomes at most 2 bytes */
    if (tok_nstr_reserve(out, out->n + 2 * in->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < in->n;) {
        size_t len;
        tok_utf8_decode(in->s + i, in->n - i, &len);
        uint32_t r0 = in->a0[i], r1 = in->a1[i + len - 1];
        for (size_t k = 0; k < len; k++) {
            uint8_t b[4];
            int m = tok_utf8_encode(tok_bytelevel_char(in->s[i + k]), b);
            for (int q = 0; q < m; q++) {
                out->s[out->n] = b[q];
                out->a0[out->n] = r0;
                out->a1[out->n] = r1;
                out->n++;
            }
        }
        i += len;
    }
    return TOK_OK;
}

static json_t *bl_to_json(const tok_normalizer *self)
{
    TOK_UNUSED(self);
    return json_pack("{ss}", "type", "ByteLevel");
}

static const tok_normalizer_vt bl_vt = {"ByteLevel", bl_run, tok_norm_free_plain, bl_to_json};

tok_normalizer *tok_norm_bytelevel_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    return tok_norm_new_plain(jc, &bl_vt);
}
