/*
 * StripAccents: drop every combining mark (General_Category M: Mn, Mc, Me),
 * as HF does with unicode-normalization-alignments' is_combining_mark.  That
 * crate's tables are Unicode 9.0, so marks added later stay (see m_fix).
 * The chars kept keep their ranges.
 */
#include "../internal.h"

#include <utf8proc.h>

tok_normalizer *tok_norm_strip_accents_from_json(tok_jctx *jc, const json_t *j);

/* Code points whose "is a mark" answer differs between utf8proc's Unicode
 * and Unicode 9.0 (mostly marks added since). */
static const uint32_t m_fix[][2] = {
    {0, 0},
};

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid][0]) hi = mid;
        else if (cp > r[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

static bool is_combining_mark9(uint32_t cp)
{
    if (cp < 0x300) return false;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    bool m = c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
    return m != in_ranges(m_fix, sizeof m_fix / sizeof m_fix[0], cp);
}

static tok_status sa_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    if (tok_nstr_reserve(out, out->n + in->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < in->n;) {
        size_t len;
        uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, &len);
        if (!is_combining_mark9(cp)) {
            uint32_t r0 = in->a0[i], r1 = in->a1[i + len - 1];
            memcpy(out->s + out->n, in->s + i, len);
            for (size_t k = 0; k < len; k++) {
                out->a0[out->n + k] = r0;
                out->a1[out->n + k] = r1;
            }
            out->n += len;
        }
        i += len;
    }
    return TOK_OK;
}

static void sa_free(tok_normalizer *self) { free(self); }

static json_t *sa_to_json(const tok_normalizer *self)
{
    TOK_UNUSED(self);
    return json_pack("{ss}", "type", "StripAccents");
}

static const tok_normalizer_vt sa_vt = {"StripAccents", sa_run, sa_free, sa_to_json};

tok_normalizer *tok_norm_strip_accents_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    tok_normalizer *n = calloc(1, sizeof *n);
    if (!n) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    n->vt = &sa_vt;
    return n;
}
