/*
 * Punctuation: split on punctuation characters (ASCII punctuation, which
 * includes symbols such as $ + < = > ^ ` | ~, or Unicode P*) with a
 * delimiter behaviour, Isolated by default.
 */
#include "pretok.h"

typedef struct punct {
    tok_pretok base;
    tok_split_behavior behavior;
} punct;

static bool is_punc(uint32_t cp, const void *arg)
{
    TOK_UNUSED(arg);
    return tok_uc_is_punc(cp);
}

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(scratch);
    const punct *pu = self;
    return tok_pt_split_pred(p, is_punc, NULL, false, pu->behavior, out) ? tok_pt_nomem(ctx) : TOK_OK;
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static json_t *to_json(const tok_pretok *self)
{
    const punct *pu = (const punct *)self;
    return json_pack("{s:s, s:s}", "type", "Punctuation", "behavior", tok_split_behavior_name(pu->behavior));
}

static const tok_pretok_vt vt = { "Punctuation", run, tok_pt_free_plain, to_json };

tok_pretok *tok_pt_punctuation_from_json(tok_jctx *jc, const json_t *j)
{
    tok_split_behavior b = TOK_SPLIT_ISOLATED;
    if (tok_pt_behavior(jc, j, "behavior", false, &b)) return NULL;
    punct *pu = tok_pt_new(jc, sizeof *pu, &vt);
    if (!pu) return NULL;
    pu->behavior = b;
    return &pu->base;
}
