/* WhitespaceSplit: split on Unicode White_Space (Rust char::is_whitespace), dropping it. */
#include "pretok.h"

tok_status tok_pt_split_words(const tok_piece *p, bool punct, tok_pieces *out, tok_ctx *ctx)
{
    uint32_t start = 0;
    bool in_word = false;
    for (uint32_t i = 0; i < p->n;) {
        uint32_t l;
        uint32_t c = tok_pt_decode(p->s + i, &l);
        bool ws = tok_uni_is_space(c), pu = punct && !ws && tok_uc_is_punc(c);
        if ((ws || pu) && in_word) {
            if (tok_pt_emit(out, p, start, i)) return tok_pt_nomem(ctx);
            in_word = false;
        }
        if (pu) {
            if (tok_pt_emit(out, p, i, i + l)) return tok_pt_nomem(ctx);
        } else if (!ws && !in_word) {
            start = i;
            in_word = true;
        }
        i += l;
    }
    if (in_word && tok_pt_emit(out, p, start, p->n)) return tok_pt_nomem(ctx);
    return TOK_OK;
}

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(self);
    TOK_UNUSED(scratch);
    return tok_pt_split_words(p, false, out, ctx);
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static const tok_pretok_vt vt = { "WhitespaceSplit", run, tok_pt_free_plain, tok_pt_type_json };

tok_pretok *tok_pt_whitespace_split_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    return tok_pt_new(jc, sizeof(tok_pretok), &vt);
}
