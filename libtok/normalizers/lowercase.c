/*
 * Lowercase: Rust's char::to_lowercase per char (HF NormalizedString::lowercase).
 * Every char of the result keeps the range of the char it came from (HF gives
 * the extra chars of a multi-char result, i.e. U+0130 -> "i" U+0307, change 1,
 * which aligns them to the same char).
 */
#include "normalizers.h"

static tok_status lc_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    if (tok_nstr_reserve(out, out->n + in->n + 8)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < in->n;) {
        uint8_t c = in->s[i];
        if (c < 0x80) {
            /* ASCII: one byte, its own range */
            if (tok_norm_put_byte(out, (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c, in->a0[i], in->a1[i]))
                goto nomem;
            i++;
            continue;
        }
        size_t len;
        uint32_t r0, r1;
        uint32_t cp = tok_norm_nchar(in, i, &len, &r0, &r1);
        i += len;
        if (tok_norm_put_lower(out, cp, r0, r1)) goto nomem;
    }
    return TOK_OK;
nomem:
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

static json_t *lc_to_json(const tok_normalizer *self)
{
    TOK_UNUSED(self);
    return json_pack("{ss}", "type", "Lowercase");
}

static const tok_normalizer_vt lc_vt = {"Lowercase", lc_run, tok_norm_free_plain, lc_to_json};

tok_normalizer *tok_norm_lowercase_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    return tok_norm_new_plain(jc, &lc_vt);
}
