/*
 * Verification support after magikarp's fishing.py: the placeholder token,
 * the three prompts with the candidate put in at the id level, and the
 * classification of the probabilities an inference engine returns.
 */
#include "analyzers/glitch/glitch_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const struct { const char *name; int n; const char *preamble, *input, *completion; } PROMPTS[TOK_GLITCH_NPROMPTS] = {
    { "input_output", 20, "This device repeats its input exactly, as shown in these 100 identical trials.",
      "\nInput: \xC2\xAB{token}\xC2\xBB\nOutput:", " \xC2\xAB{token}\xC2\xBB" },
    { "assistant_explain", 0,
      "This helpful assistant explains what a phrase means, replying with identical responses to identical questions for reliability.",
      "\nUser: What does 'edslfkj' mean?\nAssistant: 'edslfkj' has no specific meaning I am aware of.\nUser: what does '{token}' mean?\nAssistant:",
      " '{token}'" },
    { "repeats", 50, "Below is the output, as you can see it's just giving the same phrase repeated indefinitely:\n",
      "{token}", "{token}" },
};

const char *tok_glitch_prompt_name(int k) { return k >= 0 && k < TOK_GLITCH_NPROMPTS ? PROMPTS[k].name : NULL; }

const char *tok_glitch_verdict_name(tok_glitch_verdict v)
{
    static const char *const n[] = { "strong_verified", "weak_verified", "weak_rejected", "strong_rejected",
                                     "verification_encoding_failed" };
    return (unsigned)v < 5 ? n[v] : "?";
}

tok_glitch_verdict tok_glitch_verify_classify(const double *max_prob, const int *encodeable, int n)
{
    double m = -1;
    int any_enc = 0;
    for (int i = 0; i < n; i++) {
        if (max_prob[i] > m) m = max_prob[i];
        if (encodeable[i]) any_enc = 1;
    }
    if (m > 0.9) return TOK_GLITCH_STRONG_REJECTED;
    if (m > 0.1) return TOK_GLITCH_WEAK_REJECTED;
    if (!any_enc) return TOK_GLITCH_ENCODING_FAILED;
    if (m < 0.001) return TOK_GLITCH_STRONG_VERIFIED;
    return TOK_GLITCH_WEAK_VERIFIED;
}

/* (category == OK, isalpha, distinct characters, length), descending; ties by id */
typedef struct pkey { int32_t id; int ok, alpha; size_t distinct, len; } pkey;

static int pkey_cmp(const void *a, const void *b)
{
    const pkey *x = a, *y = b;
    if (x->ok != y->ok) return y->ok - x->ok;
    if (x->alpha != y->alpha) return y->alpha - x->alpha;
    if (x->distinct != y->distinct) return x->distinct < y->distinct ? 1 : -1;
    if (x->len != y->len) return x->len < y->len ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int cp_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

int32_t tok_glitch_placeholder(tok_glitch *g)
{
    pkey *keys = malloc((g->n ? g->n : 1) * sizeof *keys);
    int32_t *cps = NULL;
    size_t ncps = 0, cap = 0, nk = 0;
    if (!keys) return -1;
    for (size_t i = 0; i < g->n; i++) {
        const tok_glitch_token *k = &g->tok[i];
        if (k->id < 0) continue;
        pkey *p = &keys[nk++];
        p->id = k->id;
        p->ok = k->category == TOK_GLITCH_OK;
        size_t len = gl_cp_count(k->decoded, k->decoded_len);
        if (len > cap) {
            int32_t *c = realloc(cps, len * sizeof *c);
            if (!c) { free(keys); free(cps); return -1; }
            cps = c;
            cap = len;
        }
        ncps = 0;
        int alpha = len > 0;
        for (size_t j = 0; j < k->decoded_len;) {
            int32_t c = gl_next_cp(k->decoded, k->decoded_len, &j);
            utf8proc_category_t cat = utf8proc_category(c);
            if (!(cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT ||
                  cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_LO))
                alpha = 0;
            cps[ncps++] = c;
        }
        qsort(cps, ncps, sizeof *cps, cp_cmp);
        size_t d = 0;
        for (size_t j = 0; j < ncps; j++)
            if (!j || cps[j] != cps[j - 1]) d++;
        p->alpha = alpha;
        p->distinct = d;
        p->len = len;
    }
    free(cps);
    qsort(keys, nk, sizeof *keys, pkey_cmp);
    int32_t found = -1;
    for (size_t i = 0; i < nk && found < 0; i++) {
        /* clean_decode([t, t]) must clean_encode back to [t, t] */
        int32_t two[2] = { keys[i].id, keys[i].id };
        const char *text;
        size_t len;
        int gf;
        if (g->space_mode) {
            int32_t ids[3] = { g->prefix_seq[0][0], two[0], two[1] };
            if (tok_decode(g->ctx, ids, 3, 0, &text, &len)) continue;
            if (len && text[0] == ' ') { text++; len--; }
            size_t j = 0;
            gl_next_cp(text, len, &j);
            text += j;
            len -= j;
        } else if (tok_decode(g->ctx, two, 2, 0, &text, &len)) continue;
        char *copy = malloc(len + 1); /* the decoded text lives in ctx until the next call */
        if (!copy) break;
        memcpy(copy, text, len);
        if (!gl_clean_encode(g, copy, len, &gf) && g->n_ids == 2 && g->ids[0] == two[0] && g->ids[1] == two[1])
            found = two[0];
        free(copy);
    }
    free(keys);
    return found;
}

static int put_prompt_part(gl_buf *b, const char *tmpl, size_t tl, const char *tok, size_t tokl)
{
    const char *hole = "{token}";
    for (size_t i = 0; i < tl;) {
        if (i + 7 <= tl && !memcmp(tmpl + i, hole, 7)) {
            if (gl_buf_put(b, tok, tokl)) return -1;
            i += 7;
        } else {
            if (gl_buf_put(b, tmpl + i, 1)) return -1;
            i++;
        }
    }
    return 0;
}

tok_status tok_glitch_prompt(tok_glitch *g, int k, int32_t placeholder, int32_t id, const int32_t **ids, size_t *n,
                             int *encodeable, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    const tok_glitch_token *ph = tok_glitch_get(g, placeholder);
    if (k < 0 || k >= TOK_GLITCH_NPROMPTS || !ph || !tok_glitch_get(g, id)) {
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message, "prompt %d for id %d with placeholder %d: bad argument", k,
                 (int)id, (int)placeholder);
        return err->code;
    }
    gl_buf *b = &g->text;
    b->n = 0;
    const char *cmp = PROMPTS[k].completion;
    size_t upto = (size_t)(strchr(cmp, '{') - cmp);
    int bad = gl_buf_put(b, PROMPTS[k].preamble, strlen(PROMPTS[k].preamble));
    for (int r = 0; r < PROMPTS[k].n && !bad; r++)
        bad = put_prompt_part(b, PROMPTS[k].input, strlen(PROMPTS[k].input), ph->decoded, ph->decoded_len) ||
              put_prompt_part(b, cmp, strlen(cmp), ph->decoded, ph->decoded_len);
    if (!bad)
        bad = put_prompt_part(b, PROMPTS[k].input, strlen(PROMPTS[k].input), ph->decoded, ph->decoded_len) ||
              gl_buf_put(b, cmp, upto);
    if (bad) { err->code = TOK_ERR_NOMEM; snprintf(err->message, sizeof err->message, "out of memory"); return err->code; }
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_ADD_SPECIAL; /* tokenizer.encode(nshot) adds BOS etc. */
    tok_encoding e;
    tok_status st = tok_encode(g->ctx, b->p, b->n, &o, &e);
    if (st) {
        err->code = st;
        snprintf(err->message, sizeof err->message, "%s: prompt %s: %s", tok_source(g->t), PROMPTS[k].name,
                 tok_ctx_error(g->ctx));
        return st;
    }
    if (gl_ids_reserve(g, e.n)) { err->code = TOK_ERR_NOMEM; return err->code; }
    size_t hits = 0;
    for (size_t i = 0; i < e.n; i++) {
        g->ids[i] = e.ids[i];
        if (e.ids[i] == placeholder) { g->ids[i] = id; hits++; }
    }
    g->n_ids = e.n;
    if (hits != (size_t)(2 * PROMPTS[k].n + 1)) {
        err->code = TOK_ERR_UNSUPPORTED;
        snprintf(err->message, sizeof err->message,
                 "%s: prompt %s: the placeholder %d occurs %zu times, not %d (prompt building fails here)",
                 tok_source(g->t), PROMPTS[k].name, (int)placeholder, hits, 2 * PROMPTS[k].n + 1);
        return err->code;
    }
    /* encodeable: the id survives decode + encode of the substituted prompt */
    const char *text;
    size_t len;
    *encodeable = 0;
    if (!tok_decode(g->ctx, g->ids, g->n_ids, 0, &text, &len)) {
        char *copy = malloc(len + 1);
        if (copy) {
            memcpy(copy, text, len);
            tok_encoding e2;
            if (!tok_encode(g->ctx, copy, len, &o, &e2))
                for (size_t i = 0; i < e2.n; i++)
                    if (e2.ids[i] == id) { *encodeable = 1; break; }
            free(copy);
        }
    }
    *ids = g->ids;
    *n = g->n_ids;
    return TOK_OK;
}
