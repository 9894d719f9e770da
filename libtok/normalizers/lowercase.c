/*
 * Lowercase: Rust's char::to_lowercase per char (HF NormalizedString::lowercase).
 * Every char of the result keeps the range of the char it came from (HF gives
 * the extra chars of a multi-char result, i.e. U+0130 -> "i" U+0307, change 1,
 * which aligns them to the same char).
 */
#include "../internal.h"

#include <utf8proc.h>

tok_normalizer *tok_norm_lowercase_from_json(tok_jctx *jc, const json_t *j);

static inline int put_cp(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1)
{
    if (out->n + 4 > out->cap && tok_nstr_reserve(out, out->n + 4)) return -1;
    uint8_t b[4];
    int k = tok_utf8_encode(cp, b);
    for (int i = 0; i < k; i++) {
        out->s[out->n] = b[i];
        out->a0[out->n] = r0;
        out->a1[out->n] = r1;
        out->n++;
    }
    return 0;
}

/* Lowercase mappings Rust has (its Unicode is newer) and utf8proc 2.8 lacks:
 * code points lo..hi map to cp + delta. */
static const struct {
    uint32_t lo, hi;
    int32_t delta;
} lower_fix[] = {
    {0x1C89, 0x1C89, 1}, {0xA7CB, 0xA7CB, 0x0264 - 0xA7CB}, {0xA7CC, 0xA7CC, 1}, {0xA7CE, 0xA7CE, 1},
    {0xA7D2, 0xA7D2, 1}, {0xA7D4, 0xA7D4, 1}, {0xA7DA, 0xA7DA, 1}, {0xA7DC, 0xA7DC, 0x019B - 0xA7DC},
    {0x10D50, 0x10D65, 0x20}, {0x16EA0, 0x16EB8, 0x1B},
};

static uint32_t rust_lower(uint32_t cp)
{
    if (cp >= 0x1C89 && cp <= 0x16EB8) {
        for (size_t i = 0; i < sizeof lower_fix / sizeof lower_fix[0]; i++)
            if (cp >= lower_fix[i].lo && cp <= lower_fix[i].hi) return (uint32_t)((int32_t)cp + lower_fix[i].delta);
    }
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

static tok_status lc_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    if (tok_nstr_reserve(out, out->n + in->n + 8)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < in->n;) {
        uint8_t c = in->s[i];
        if (c < 0x80) {
            /* ASCII: one byte, its own range */
            if (out->n + 1 > out->cap && tok_nstr_reserve(out, out->n + 1)) goto nomem;
            out->s[out->n] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
            out->a0[out->n] = in->a0[i];
            out->a1[out->n] = in->a1[i];
            out->n++;
            i++;
            continue;
        }
        size_t len;
        uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, &len);
        if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
        uint32_t r0 = in->a0[i], r1 = in->a1[i + len - 1];
        i += len;
        if (cp == 0x130) { /* the one unconditional multi-char lowercase */
            if (put_cp(out, 'i', r0, r1) || put_cp(out, 0x307, r0, r1)) goto nomem;
            continue;
        }
        if (put_cp(out, rust_lower(cp), r0, r1)) goto nomem;
    }
    return TOK_OK;
nomem:
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

static void lc_free(tok_normalizer *self) { free(self); }

static json_t *lc_to_json(const tok_normalizer *self)
{
    TOK_UNUSED(self);
    return json_pack("{ss}", "type", "Lowercase");
}

static const tok_normalizer_vt lc_vt = {"Lowercase", lc_run, lc_free, lc_to_json};

tok_normalizer *tok_norm_lowercase_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    tok_normalizer *n = calloc(1, sizeof *n);
    if (!n) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    n->vt = &lc_vt;
    return n;
}
