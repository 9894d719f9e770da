/* Rényi and Shannon efficiency as tokenization-scorer (Zouhar et al. 2023)
 * computes them: p = count / total over the observed types;
 * H_a = log2(sum p^a) / (1 - a) (a = 1: -sum p log2 p); efficiency =
 * H / log2 V with V = the number of observed types unless given. */
#include "lang_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TOK_API void tok_efficiency_from_counts(const uint64_t *counts, size_t n, double alpha, uint64_t vocab_override,
                                        tok_efficiency *out)
{
    memset(out, 0, sizeof *out);
    out->alpha = alpha;
    uint64_t total = 0, types = 0;
    for (size_t i = 0; i < n; i++)
        if (counts[i]) {
            total += counts[i];
            types++;
        }
    out->types = types;
    out->tokens = total;
    out->vocab = vocab_override ? vocab_override : types;
    double sa = 0, sh = 0;
    for (size_t i = 0; i < n; i++) {
        if (!counts[i]) continue;
        double p = (double)counts[i] / (double)total;
        sa += pow(p, alpha);
        sh -= p * log2(p);
    }
    double lv = log2((double)out->vocab);
    /* the scorer divides by log2(V) whatever it is: V = 1 gives inf/NaN */
    out->shannon = total ? sh / lv : NAN;
    if (alpha == 1.0) out->renyi = out->shannon;
    else out->renyi = total ? (1.0 / (1.0 - alpha)) * log2(sa) / lv : NAN;
}

TOK_API tok_status tok_efficiency_pretokenized(tok_corpus *const *cs, size_t ncorpora, double alpha, uint64_t vocab_override,
                                               tok_efficiency *out, char *msg, size_t cap)
{
    strmap m;
    if (strmap_init(&m)) return TOK_ERR_NOMEM;
    tok_text t;
    tok_status st = TOK_OK;
    tok_progress pr;
    tok_progress_init(&pr, "efficiency", 0);
    tok_corpus *c = NULL;
    for (size_t ci = 0; ci < ncorpora && !st; ci++)
    while ((st = tok_corpus_next(c = cs[ci], &t)) == TOK_OK && t.text) {
        const unsigned char *s = (const unsigned char *)t.text;
        size_t i = 0, n = t.len, k;
        while (i < n) {
            while (i < n && (k = lang_space_len(s + i, n - i))) i += k;
            if (i >= n) break;
            size_t a = i;
            while (i < n && !lang_space_len(s + i, n - i)) i++;
            int ins;
            uint64_t *v = strmap_slot(&m, t.text + a, i - a, &ins);
            if (!v) {
                strmap_free(&m);
                return TOK_ERR_NOMEM;
            }
            (*v)++;
        }
        tok_progress_update(&pr, tok_corpus_get_stats(c)->bytes);
    }
    tok_progress_done(&pr);
    if (st) {
        snprintf(msg, cap, "%s", tok_corpus_error(c));
        strmap_free(&m);
        return st;
    }
    uint64_t *cnt = malloc((m.n ? m.n : 1) * sizeof *cnt);
    if (!cnt) {
        strmap_free(&m);
        return TOK_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i <= m.mask; i++)
        if (m.e[i].k) cnt[k++] = m.e[i].val;
    tok_efficiency_from_counts(cnt, k, alpha, vocab_override, out);
    free(cnt);
    strmap_free(&m);
    return TOK_OK;
}
