/*
 * Nmt: SentencePiece's NMT cleanup as HF normalizers/unicode.rs do_nmt: drop
 * some control chars, turn a few space-like chars into ' '.  Per char; the
 * chars kept keep their ranges.
 */
#include "normalizers.h"

static tok_status nmt_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    if (tok_nstr_reserve(out, out->n + in->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < in->n;) {
        size_t len;
        uint32_t c = tok_utf8_decode(in->s + i, in->n - i, &len);
        uint32_t r0 = in->a0[i], r1 = in->a1[i + len - 1];
        size_t at = i;
        i += len;
        if ((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F)
            continue;
        bool space = c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || (c >= 0x200B && c <= 0x200F) ||
                     c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF || c == 0xFFFD;
        /* a space is shorter than what it replaces: still one char, its range */
        const uint8_t *src = space ? (const uint8_t *)" " : in->s + at;
        size_t n = space ? 1 : len;
        memcpy(out->s + out->n, src, n);
        for (size_t k = 0; k < n; k++) {
            out->a0[out->n + k] = r0;
            out->a1[out->n + k] = r1;
        }
        out->n += n;
    }
    return TOK_OK;
}

static json_t *nmt_to_json(const tok_normalizer *self)
{
    TOK_UNUSED(self);
    return json_pack("{ss}", "type", "Nmt");
}

static const tok_normalizer_vt nmt_vt = {"Nmt", nmt_run, tok_norm_free_plain, nmt_to_json};

tok_normalizer *tok_norm_nmt_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    return tok_norm_new_plain(jc, &nmt_vt);
}
