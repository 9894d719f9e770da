/*
 * Digits: numeric characters (Rust char::is_numeric: Nd, Nl, No, so "²" and
 * "½" too) as runs (Contiguous) or one by one (individual_digits, Isolated).
 */
#include "pretok.h"

typedef struct digits {
    tok_pretok base;
    bool individual;
} digits;

static bool numeric(uint32_t cp, const void *arg)
{
    TOK_UNUSED(arg);
    return tok_uc_is_numeric(cp);
}

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(scratch);
    const digits *d = self;
    if (tok_pt_split_pred(p, numeric, NULL, false, d->individual ? TOK_SPLIT_ISOLATED : TOK_SPLIT_CONTIGUOUS, out))
        return tok_pt_nomem(ctx);
    return TOK_OK;
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static json_t *to_json(const tok_pretok *self)
{
    const digits *d = (const digits *)self;
    return json_pack("{s:s, s:b}", "type", "Digits", "individual_digits", d->individual);
}

static const tok_pretok_vt vt = { "Digits", run, tok_pt_free_plain, to_json };

tok_pretok *tok_pt_digits_from_json(tok_jctx *jc, const json_t *j)
{
    bool ind = false;
    if (tok_jbool(jc, j, "individual_digits", &ind, true)) return NULL; /* required, as HF */
    digits *d = tok_pt_new(jc, sizeof *d, &vt);
    if (!d) return NULL;
    d->individual = ind;
    return &d->base;
}
