/*
 * Orphan tokens: BPE vocabulary entries no chain of merges can build (see
 * tok_glitch.h).  Uses the merge list of the public API (tiktoken files get
 * the merges libtok derives from their ranks).
 */
#include "analyzers/glitch/glitch_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tok_status tok_glitch_orphans(tok_glitch *g, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    err->code = TOK_OK;
    err->message[0] = 0;
    tok_model_info mi = TOK_MODEL_INFO_INIT;
    if (tok_model_info_get(g->t, &mi) || mi.kind != TOK_MODEL_BPE) return TOK_OK;
    size_t nm = tok_merge_count(g->t);
    unsigned char *ok = calloc(g->n ? g->n : 1, 1);
    if (!ok) {
        err->code = TOK_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "%s: out of memory", tok_source(g->t));
        return err->code;
    }
    /* base symbols: one character, or one byte piece */
    for (size_t i = 0; i < g->n; i++) {
        if (g->tok[i].id < 0) continue;
        uint32_t f = tok_token_flags(g->t, (int32_t)i);
        size_t len;
        const char *s = tok_token_text(g->t, (int32_t)i, &len);
        if ((f & (TOK_TOKEN_ADDED | TOK_TOKEN_BYTE | TOK_TOKEN_BYTE_FALLBACK | TOK_TOKEN_UNK)) || i >= mi.model_vocab_size ||
            gl_cp_count(s, len) <= 1)
            ok[i] = 1;
    }
    /* merges until nothing changes */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t r = 0; r < nm; r++) {
            int32_t a, b, m;
            if (tok_merge_get(g->t, r, &a, &b, &m)) continue;
            if (m < 0 || (size_t)m >= g->n || ok[m] || a < 0 || b < 0 || (size_t)a >= g->n || (size_t)b >= g->n) continue;
            if (ok[a] && ok[b]) { ok[m] = 1; changed = 1; }
        }
    }
    g->counts.orphans = g->counts.orphans_ignore_merges = 0;
    for (size_t i = 0; i < g->n; i++) {
        tok_glitch_token *k = &g->tok[i];
        k->flags &= (uint8_t)~(TOK_GLITCH_F_ORPHAN | TOK_GLITCH_F_IGNORE_MERGES);
        if (k->id < 0 || ok[i]) continue;
        k->flags |= TOK_GLITCH_F_ORPHAN;
        g->counts.orphans++;
        if (mi.ignore_merges && (k->category == TOK_GLITCH_OK || k->category == TOK_GLITCH_OK_SPECIAL)) {
            k->flags |= TOK_GLITCH_F_IGNORE_MERGES;
            g->counts.orphans_ignore_merges++;
        }
    }
    free(ok);
    return TOK_OK;
}
