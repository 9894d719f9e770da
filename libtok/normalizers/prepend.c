/*
 * Prepend: put a string in front of non-empty text.  As HF's
 * NormalizedString::prepend, the prefix and the first char all take the
 * range of the first char; the rest is unchanged.
 */
#include "normalizers.h"

typedef struct prepend {
    tok_normalizer base;
    char *s;
    size_t n;
} prepend;

static tok_status pp_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const prepend *p = (const prepend *)self;
    if (in->n == 0) return TOK_OK;
    size_t len;
    tok_utf8_decode(in->s, in->n, &len);
    uint32_t r0 = in->a0[0], r1 = in->a1[len - 1];
    /* HF marks the first char as an insertion when the prefix is empty:
     * it then aligns to HF's (0,0), the start of the segment */
    uint32_t f0 = p->n ? r0 : in->start, f1 = p->n ? r1 : in->start;
    if (tok_nstr_push(out, p->s, p->n, r0, r1) || tok_nstr_push(out, in->s, len, f0, f1) ||
        tok_nstr_push_aligned(out, in->s + len, in->a0 + len, in->a1 + len, in->n - len))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static void pp_free(tok_normalizer *self)
{
    prepend *p = (prepend *)self;
    free(p->s);
    free(p);
}

static json_t *pp_to_json(const tok_normalizer *self)
{
    const prepend *p = (const prepend *)self;
    return json_pack("{ss ss%}", "type", "Prepend", "prepend", p->s, p->n);
}

static const tok_normalizer_vt pp_vt = {"Prepend", pp_run, pp_free, pp_to_json};

tok_normalizer *tok_norm_prepend_from_json(tok_jctx *jc, const json_t *j)
{
    const char *s = NULL;
    size_t n = 0;
    if (tok_jstr(jc, j, "prepend", &s, &n, true)) return NULL;
    prepend *p = calloc(1, sizeof *p);
    if (p) p->s = malloc(n + 1);
    if (!p || !p->s) {
        free(p);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(p->s, s, n);
    p->s[n] = 0;
    p->n = n;
    p->base.vt = &pp_vt;
    return &p->base;
}
