/*
 * Reachability in context (beyond magikarp, asked for in its issues): a token
 * that does not come back when its text is encoded alone may come back after
 * a preceding text — a space, a newline, a letter — because the pre-tokenizer
 * or the normaliser treats the start of the text specially.  Tried in order,
 * shortest first; the first context whose encoding holds the id wins.
 */
#include "analyzers/glitch/glitch_priv.h"

#include <stdio.h>
#include <string.h>

static const char *const CONTEXTS[] = {
    " ", "\n", "\t", "a", ".", "0", "(", "\"", "'", "-", "_", "/", ":", "\n\n", "  ", "a ",
    "the ", "\xC2\xAB", NULL,
};

const char *const *tok_glitch_contexts(void) { return CONTEXTS; }

const char *tok_glitch_reach_name(tok_glitch_reach r)
{
    static const char *const n[] = { "alone", "context", "added_text", "never", "unknown" };
    return (unsigned)r < 5 ? n[r] : "?";
}

static int holds(const tok_encoding *e, int32_t id)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->ids[i] == id) return 1;
    return 0;
}

tok_status tok_glitch_context(tok_glitch *g, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    err->code = TOK_OK;
    err->message[0] = 0;
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = g->enc_flags;
    tok_encoding e;
    tok_glitch_counts *c = &g->counts;
    memset(c->reach, 0, sizeof c->reach);
    for (size_t i = 0; i < g->n; i++) {
        tok_glitch_token *k = &g->tok[i];
        if (k->id < 0) continue;
        if (k->category == TOK_GLITCH_OK || k->category == TOK_GLITCH_OK_SPECIAL) {
            k->reach = TOK_GLITCH_REACH_ALONE;
        } else if (k->category == TOK_GLITCH_UNDECODEABLE) {
            k->reach = TOK_GLITCH_REACH_UNKNOWN; /* its text is not the token's bytes */
        } else {
            k->reach = TOK_GLITCH_REACH_NEVER;
            for (int cx = 0; CONTEXTS[cx]; cx++) {
                size_t cl = strlen(CONTEXTS[cx]);
                g->text.n = 0;
                if (gl_buf_put(&g->text, CONTEXTS[cx], cl) || gl_buf_put(&g->text, k->decoded, k->decoded_len))
                    goto nomem;
                tok_status st = tok_encode(g->ctx, g->text.p, g->text.n, &o, &e);
                if (st) goto fail;
                if (holds(&e, k->id)) {
                    k->reach = TOK_GLITCH_REACH_CONTEXT;
                    k->context = (int16_t)cx;
                    break;
                }
            }
            if (k->reach == TOK_GLITCH_REACH_NEVER && (k->flags & TOK_GLITCH_F_ADDED)) {
                tok_encode_options o2 = o;
                o2.flags |= TOK_ENC_SPECIAL_TEXT;
                tok_status st = tok_encode(g->ctx, k->decoded, k->decoded_len, &o2, &e);
                if (st) goto fail;
                if (holds(&e, k->id)) k->reach = TOK_GLITCH_REACH_ADDED_TEXT;
            }
        }
        c->reach[k->reach]++;
        continue;
    fail:
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message, "%s: token %d: %s", tok_source(g->t), k->id,
                 tok_ctx_error(g->ctx));
        return err->code;
    }
    return TOK_OK;
nomem:
    err->code = TOK_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "%s: out of memory", tok_source(g->t));
    return err->code;
}
