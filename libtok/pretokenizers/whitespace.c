/*
 * Whitespace: keep the matches of \w+|[^\w\s]+ (the regex crate's Unicode
 * classes, measured from the HF binding), drop the rest: runs of word
 * characters and runs of other non-space characters.
 */
#include "pretok.h"

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(self);
    TOK_UNUSED(scratch);
    /* kind: 0 space, 1 word, 2 other; a run ends where the kind changes */
    uint32_t start = 0;
    int run = 0;
    for (uint32_t i = 0; i < p->n;) {
        uint32_t l;
        uint32_t c = tok_pt_decode(p->s + i, &l);
        int kind = tok_uc_is_re_word(c) ? 1 : tok_uni_is_space(c) ? 0 : 2;
        if (kind != run) {
            if (run && tok_pt_emit(out, p, start, i)) return tok_pt_nomem(ctx);
            start = i;
            run = kind;
        }
        i += l;
    }
    if (run && tok_pt_emit(out, p, start, p->n)) return tok_pt_nomem(ctx);
    return TOK_OK;
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static const tok_pretok_vt vt = { "Whitespace", run, tok_pt_free_plain, tok_pt_type_json };

tok_pretok *tok_pt_whitespace_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    return tok_pt_new(jc, sizeof(tok_pretok), &vt);
}
