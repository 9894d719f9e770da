/* Split by a regex: the matches of the library's Oniguruma matcher
 * (regex/regex.c) fed to the split engine, as HF's Pattern::find_matches. */
#include "pretok.h"

tok_status tok_pt_split_regex(tok_pt_matcher *m, const tok_piece *src, bool invert, tok_split_behavior b,
                              tok_pieces *out, tok_ctx *ctx)
{
    tok_splitter sp;
    tok_splitter_init(&sp, src, b, out);
    size_t n = src->n, prev = 0, ms, me;
    tok_pt_regex_iter it;
    tok_pt_regex_iter_init(&it, m, src->s, n);
    int rc;
    while ((rc = tok_pt_regex_next(&it, &ms, &me)) > 0) {
        if (prev != ms && tok_splitter_seg(&sp, (uint32_t)prev, (uint32_t)ms, invert)) return tok_pt_nomem(ctx);
        if (tok_splitter_seg(&sp, (uint32_t)ms, (uint32_t)me, !invert)) return tok_pt_nomem(ctx);
        prev = me;
    }
    if (rc < 0) return tok_pt_regex_fail(ctx, "pre-tokenizer", rc);
    if (prev != n && tok_splitter_seg(&sp, (uint32_t)prev, (uint32_t)n, invert)) return tok_pt_nomem(ctx);
    if (tok_splitter_finish(&sp)) return tok_pt_nomem(ctx);
    return TOK_OK;
}
