/* Morphology: boundary precision/recall/F1 of tokens against gold morph
 * boundaries (Uzan et al. 2024's filtered view and every word), and the
 * offline %pure / %valid proxies of Bayram et al. 2025. */
#include "lang_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct gold_word {
    char *word;
    size_t len;
    uint32_t *morph; /* nb + 1 morph starts, then the end */
    size_t nb;       /* inner boundaries: morph[1..nb] */
} gold_word;

struct tok_gold {
    gold_word *w;
    size_t n, skipped;
    strmap morphs; /* every morph (lowercased) */
    strmap words;  /* every gold word (lowercased) */
};

TOK_API size_t tok_gold_size(const tok_gold *g) { return g->n; }
TOK_API size_t tok_gold_skipped(const tok_gold *g) { return g->skipped; }

TOK_API void tok_gold_free(tok_gold *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) {
        free(g->w[i].word);
        free(g->w[i].morph);
    }
    free(g->w);
    if (g->morphs.e) strmap_free(&g->morphs);
    if (g->words.e) strmap_free(&g->words);
    free(g);
}

/* ASCII lowercase copy into buf (cap bytes); the length, or 0 if too long. */
static size_t lower(char *buf, size_t cap, const char *s, size_t n)
{
    if (n > cap) return 0;
    for (size_t i = 0; i < n; i++) buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    return n;
}

static int add_key(strmap *m, const char *s, size_t n)
{
    char b[1024];
    size_t k = lower(b, sizeof b, s, n);
    if (!k && n) return 0;
    int ins;
    return strmap_slot(m, b, k, &ins) ? 0 : -1;
}

TOK_API tok_gold *tok_gold_load(const char *path, tok_error *err)
{
    tok_corpus_options co;
    tok_corpus_options_init(&co);
    co.lang = "gold";
    co.max_unit = 1 << 16;
    tok_corpus *c = tok_corpus_open(path, &co, err);
    if (!c) return NULL;
    tok_gold *g = calloc(1, sizeof *g);
    if (!g || strmap_init(&g->morphs) || strmap_init(&g->words)) goto nomem;
    size_t cap = 0;
    tok_text t;
    tok_status st;
    while ((st = tok_corpus_next(c, &t)) == TOK_OK && t.text) {
        const char *line = t.text, *e = t.text + t.len;
        if (*line == '#') continue;
        const char *tab = memchr(line, '\t', t.len);
        if (!tab) {
            if (err) {
                err->code = TOK_ERR_FORMAT;
                snprintf(err->message, sizeof err->message, "%s:%llu: expected word<TAB>morph|morph...", path,
                         (unsigned long long)t.line);
            }
            tok_gold_free(g);
            tok_corpus_free(c);
            return NULL;
        }
        const char *seg = tab + 1, *tab2 = memchr(seg, '\t', (size_t)(e - seg));
        const char *se = tab2 ? tab2 : e;
        size_t wl = (size_t)(tab - line), at = 0, nm = 1;
        uint32_t *morph = malloc(((size_t)(se - seg) + 2) * sizeof *morph);
        if (!morph) goto nomem;
        bool ok = wl > 0;
        morph[0] = 0;
        for (const char *q = seg; ok && q < se; q++) {
            if (*q == '|') {
                if (at == 0 || morph[nm - 1] == at) ok = false;
                else morph[nm++] = (uint32_t)at;
            } else {
                if (at >= wl || line[at] != *q) ok = false;
                at++;
            }
        }
        if (!ok || at != wl || morph[nm - 1] == wl) {
            g->skipped++;
            free(morph);
            continue;
        }
        morph[nm] = (uint32_t)wl;
        if (g->n == cap) {
            cap = cap ? cap * 2 : 1024;
            gold_word *nw = realloc(g->w, cap * sizeof *nw);
            if (!nw) {
                free(morph);
                goto nomem;
            }
            g->w = nw;
        }
        char *word = strndup(line, wl);
        if (!word) {
            free(morph);
            goto nomem;
        }
        g->w[g->n++] = (gold_word){ word, wl, morph, nm - 1 };
        for (size_t m = 0; m < nm; m++)
            if (add_key(&g->morphs, word + morph[m], morph[m + 1] - morph[m])) goto nomem;
        if (add_key(&g->words, word, wl)) goto nomem;
    }
    if (st) {
        if (err) {
            err->code = st;
            snprintf(err->message, sizeof err->message, "%s", tok_corpus_error(c));
        }
        tok_gold_free(g);
        tok_corpus_free(c);
        return NULL;
    }
    tok_corpus_free(c);
    return g;
nomem:
    if (err) {
        err->code = TOK_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory reading %s", path);
    }
    tok_gold_free(g);
    tok_corpus_free(c);
    return NULL;
}

/* Morph forms of a vocabulary: word-start (after Ġ/▁, or a bare token where
 * continuations carry ##) and continuation (bare, or after ##). */
typedef struct forms {
    strmap start, cont;
    size_t prefix_len; /* the continuing-subword prefix (## -> 2), 0 if none */
} forms;

static int forms_build(const tok_tokenizer *t, forms *f)
{
    if (strmap_init(&f->start) || strmap_init(&f->cont)) return -1;
    size_t V = tok_vocab_size(t);
    const char *pre = NULL;
    size_t pl = 0;
    bool has_cont = false;
    for (size_t id = 0; id < V; id++) {
        uint32_t fl = tok_token_flags(t, (int32_t)id);
        if ((fl & TOK_TOKEN_NONE) || !(fl & TOK_TOKEN_CONTINUATION)) continue;
        size_t n;
        const char *s = tok_token_text(t, (int32_t)id, &n);
        if (!s) continue;
        if (!has_cont) {
            pre = s;
            pl = n ? n - 1 : 0;
            has_cont = true;
        } else {
            size_t k = 0;
            while (k < pl && k < n && s[k] == pre[k]) k++;
            pl = k;
        }
    }
    f->prefix_len = has_cont ? pl : 0;
    for (size_t id = 0; id < V; id++) {
        uint32_t fl = tok_token_flags(t, (int32_t)id);
        if (fl & (TOK_TOKEN_NONE | TOK_TOKEN_SPECIAL | TOK_TOKEN_CONTROL | TOK_TOKEN_UNUSED | TOK_TOKEN_UNK |
                  TOK_TOKEN_UNREACHABLE))
            continue;
        size_t n, tn;
        const char *tx = tok_token_text(t, (int32_t)id, &tn);
        if ((fl & TOK_TOKEN_BYTE) && tn == 6 && !memcmp(tx, "<0x", 3)) continue; /* byte fallback */
        const char *b = (const char *)tok_token_bytes(t, (int32_t)id, &n);
        if (!b) continue;
        int ins;
        uint64_t *r;
        if (fl & TOK_TOKEN_WORD_START) {
            if (n >= 3 && !memcmp(b, "\xE2\x96\x81", 3)) r = strmap_slot(&f->start, b + 3, n - 3, &ins);
            else if (n >= 1 && b[0] == ' ') r = strmap_slot(&f->start, b + 1, n - 1, &ins);
            else r = strmap_slot(&f->start, b, n, &ins);
        } else if ((fl & TOK_TOKEN_CONTINUATION) && n >= pl && pl) {
            r = strmap_slot(&f->cont, b + pl, n - pl, &ins);
        } else if (has_cont) {
            r = strmap_slot(&f->start, b, n, &ins);
        } else {
            r = strmap_slot(&f->cont, b, n, &ins);
        }
        if (!r) return -1;
    }
    return 0;
}

static void forms_free(forms *f)
{
    strmap_free(&f->start);
    strmap_free(&f->cont);
}

/* The token's text without its word-start marker or continuation prefix. */
static const char *bare(const tok_tokenizer *t, int32_t id, size_t pl, size_t *n)
{
    const char *b = (const char *)tok_token_bytes(t, id, n);
    if (!b) return NULL;
    uint32_t fl = tok_token_flags(t, id);
    if (*n >= 3 && !memcmp(b, "\xE2\x96\x81", 3)) {
        *n -= 3;
        return b + 3;
    }
    if (*n >= 1 && b[0] == ' ') {
        *n -= 1;
        return b + 1;
    }
    if ((fl & TOK_TOKEN_CONTINUATION) && pl && *n >= pl) {
        *n -= pl;
        return b + pl;
    }
    return b;
}

TOK_API tok_status tok_morph_eval(const tok_tokenizer *t, tok_ctx *ctx, const tok_gold *g, const tok_encode_options *o,
                                  const char *wordlist, tok_morph_result *r, char *msg, size_t cap)
{
    tok_wordset *ws = NULL;
    if (wordlist) {
        tok_error err = { 0 };
        if (!(ws = tok_wordset_load(wordlist, 0, &err))) {
            memset(r, 0, sizeof *r);
            snprintf(msg, cap, "%s", err.message);
            return err.code ? err.code : TOK_ERR_IO;
        }
    }
    tok_status st = tok_morph_eval_set(t, ctx, g, o, ws, r, msg, cap);
    tok_wordset_free(ws);
    return st;
}

TOK_API tok_status tok_morph_eval_set(const tok_tokenizer *t, tok_ctx *ctx, const tok_gold *g,
                                      const tok_encode_options *o, const tok_wordset *valid, tok_morph_result *r,
                                      char *msg, size_t cap)
{
    memset(r, 0, sizeof *r);
    forms fm;
    memset(&fm, 0, sizeof fm);
    strmap produced;
    if (forms_build(t, &fm) || strmap_init(&produced)) {
        forms_free(&fm);
        return TOK_ERR_NOMEM;
    }
    tok_status st = TOK_OK;
    static const char ctxw[] = "the ";
    const size_t cl = sizeof ctxw - 1;
    char buf[1024];
    uint32_t pred[512];
    for (size_t k = 0; k < g->n; k++) {
        const gold_word *w = &g->w[k];
        if (w->len + cl >= sizeof buf) continue;
        r->words++;
        bool inv = true;
        for (size_t m = 0; m <= w->nb && inv; m++) {
            uint32_t a = w->morph[m], b = w->morph[m + 1];
            inv = strmap_find(m == 0 ? &fm.start : &fm.cont, w->word + a, b - a) != NULL;
        }
        bool kept = inv && !strmap_find(&fm.start, w->word, w->len);
        memcpy(buf, ctxw, cl);
        memcpy(buf + cl, w->word, w->len);
        tok_encoding e;
        if ((st = tok_encode(ctx, buf, cl + w->len, o, &e))) {
            snprintf(msg, cap, "%s", tok_ctx_error(ctx));
            goto out;
        }
        uint32_t lo = (uint32_t)cl, hi = (uint32_t)(cl + w->len);
        size_t np = 0;
        for (size_t i = 0; i < e.n; i++) {
            uint32_t s = e.offsets[i].start, te = e.offsets[i].end;
            if (te <= lo || s >= hi || s == te) continue;
            if (s > lo && s < hi && np < 512 && (np == 0 || pred[np - 1] != s - lo)) pred[np++] = s - lo;
            if (te > lo && te < hi && np < 512 && (np == 0 || pred[np - 1] != te - lo)) pred[np++] = te - lo;
            /* the distinct tokens produced on the gold words */
            size_t bn;
            const char *bs = bare(t, e.ids[i], fm.prefix_len, &bn);
            if (bs && bn) {
                char lb[256];
                size_t ln = lower(lb, sizeof lb, bs, bn);
                int ins;
                if (ln && !strmap_slot(&produced, lb, ln, &ins)) {
                    st = TOK_ERR_NOMEM;
                    goto out;
                }
            }
        }
        /* both lists ascend: count the common boundaries */
        uint64_t tp = 0;
        size_t i = 0, j = 1;
        while (i < np && j <= w->nb) {
            if (pred[i] == w->morph[j]) {
                tp++;
                i++;
                j++;
            } else if (pred[i] < w->morph[j]) i++;
            else j++;
        }
        r->all_words++;
        r->all_gold += w->nb;
        r->all_pred += np;
        r->all_tp += tp;
        if (kept) {
            r->kept++;
            r->gold_bounds += w->nb;
            r->pred_bounds += np;
            r->tp += tp;
        }
    }
    r->precision = r->pred_bounds ? (double)r->tp / (double)r->pred_bounds : 0;
    r->recall = r->gold_bounds ? (double)r->tp / (double)r->gold_bounds : 0;
    r->f1 = r->precision + r->recall > 0 ? 2 * r->precision * r->recall / (r->precision + r->recall) : 0;
    double ap = r->all_pred ? (double)r->all_tp / (double)r->all_pred : 0;
    double ar = r->all_gold ? (double)r->all_tp / (double)r->all_gold : 0;
    r->all_f1 = ap + ar > 0 ? 2 * ap * ar / (ap + ar) : 0;
    for (size_t s = 0; s <= produced.mask; s++) {
        const struct strent *pe = &produced.e[s];
        if (!pe->k) continue;
        r->types++;
        r->pure += strmap_find(&g->morphs, pe->k, pe->len) != NULL;
        r->valid += valid ? tok_wordset_has(valid, pe->k, pe->len) : strmap_find(&g->words, pe->k, pe->len) != NULL;
    }
    r->pct_pure = r->types ? 100.0 * (double)r->pure / (double)r->types : 0;
    r->pct_valid = r->types ? 100.0 * (double)r->valid / (double)r->types : 0;
out:
    forms_free(&fm);
    strmap_free(&produced);
    return st;
}
