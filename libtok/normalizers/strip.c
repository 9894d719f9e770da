/*
 * Strip: remove leading and/or trailing whitespace (Rust char::is_whitespace,
 * i.e. the Unicode White_Space property).  The chars kept keep their ranges.
 */
#include "normalizers.h"

typedef struct strip {
    tok_normalizer base;
    bool left, right;
} strip;

static tok_status strip_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const strip *st = (const strip *)self;
    size_t b = 0, e = in->n;
    if (st->left) {
        while (b < e) {
            size_t len;
            uint32_t cp = tok_utf8_decode(in->s + b, e - b, &len);
            if (!tok_uni_is_space(cp)) break;
            b += len;
        }
    }
    if (st->right) {
        while (e > b) {
            size_t k = e - 1;
            while (k > b && (in->s[k] & 0xC0) == 0x80) k--;
            size_t len;
            uint32_t cp = tok_utf8_decode(in->s + k, e - k, &len);
            if (k + len != e || !tok_uni_is_space(cp)) break;
            e = k;
        }
    }
    if (tok_nstr_push_aligned(out, in->s + b, in->a0 + b, in->a1 + b, e - b))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static void strip_free(tok_normalizer *self) { free(self); }

static json_t *strip_to_json(const tok_normalizer *self)
{
    const strip *st = (const strip *)self;
    return json_pack("{sssbsb}", "type", "Strip", "strip_left", st->left, "strip_right", st->right);
}

static const tok_normalizer_vt strip_vt = {"Strip", strip_run, strip_free, strip_to_json};

tok_normalizer *tok_norm_strip_from_json(tok_jctx *jc, const json_t *j)
{
    bool left = false, right = false;
    if (tok_jbool(jc, j, "strip_left", &left, true) || tok_jbool(jc, j, "strip_right", &right, true))
        return NULL;
    strip *st = calloc(1, sizeof *st);
    if (!st) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    st->base.vt = &strip_vt;
    st->left = left;
    st->right = right;
    return &st->base;
}
