/*
 * BertPreTokenizer: split on whitespace (dropped), then isolate every
 * punctuation character (ASCII punctuation or Unicode P*, as HF's is_punc):
 * WhitespaceSplit's loop with punctuation on (whitespace_split.c).
 */
#include "pretok.h"

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(self);
    TOK_UNUSED(scratch);
    return tok_pt_split_words(p, true, out, ctx);
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static const tok_pretok_vt vt = { "BertPreTokenizer", run, tok_pt_free_plain, tok_pt_type_json };

tok_pretok *tok_pt_bert_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    return tok_pt_new(jc, sizeof(tok_pretok), &vt);
}
