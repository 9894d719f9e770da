/*
 * scores_estimate: unigram log-probabilities for any vocabulary from a
 * corpus (tok_scores_estimate), by EM on the public lattice.
 *
 * The corpus is pre-tokenized line by line as encoding would (added tokens
 * left out), distinct pre-tokens are counted (tok_counts), the default
 * method's tokens give the first counts, then each EM round takes the
 * expected token counts over every segmentation in the lattice
 * (forward-backward in log space) and re-normalizes them with add-0.01
 * smoothing over the tokens a lattice can hold (tok_lattice_has_token).
 * Fallback edges score as tok_scores_from_logp scores them (the lowest
 * log-probability minus 10), so the estimate is the one the likelihood
 * method will use.
 */
#include "tok_train.h"
#include "vocab_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SMOOTH 0.01
#define UNK_PENALTY 10.0f /* as tok_scores_from_logp */

static inline double logaddexp(double a, double b)
{
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* counts -> smoothed log-probabilities (float, as scores keep them) and the
 * fallback score */
static float m_step(float *lp, const double *cnt, const unsigned char *indexed, size_t V)
{
    double total = 0, k = 0;
    for (size_t i = 0; i < V; i++)
        if (indexed[i]) {
            total += cnt[i];
            k += 1;
        }
    double z = log(total + SMOOTH * k);
    float lo = INFINITY;
    for (size_t i = 0; i < V; i++) {
        lp[i] = indexed[i] ? (float)(log(cnt[i] + SMOOTH) - z) : -INFINITY;
        if (isfinite(lp[i]) && lp[i] < lo) lo = lp[i];
    }
    return (lo == INFINITY ? 0.0f : lo) - UNK_PENALTY;
}

static inline double edge_lp(const float *lp, float unk, const tok_lattice_edge *e)
{
    if (e->id < 0) return unk;
    double v = lp[e->id];
    return isfinite(v) ? v : unk;
}

/* expected token counts of one pre-token (weight w) into ec; a and b have
 * room for n + 1 */
static void e_step(const tok_lattice_edge *ed, const uint32_t *first, uint32_t n, const float *lp, float unk,
                   double w, double *a, double *b, double *ec)
{
    for (uint32_t j = 0; j <= n; j++) a[j] = b[j] = -INFINITY;
    a[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i] == -INFINITY) continue;
        for (uint32_t e = first[i]; e < first[i + 1]; e++)
            a[i + ed[e].len] = logaddexp(a[i + ed[e].len], a[i] + edge_lp(lp, unk, &ed[e]));
    }
    b[n] = 0;
    for (uint32_t i = n; i-- > 0;) {
        double acc = -INFINITY;
        for (uint32_t e = first[i]; e < first[i + 1]; e++)
            acc = logaddexp(acc, edge_lp(lp, unk, &ed[e]) + b[i + ed[e].len]);
        b[i] = acc;
    }
    double Z = a[n];
    if (!isfinite(Z)) return;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i] == -INFINITY) continue;
        for (uint32_t e = first[i]; e < first[i + 1]; e++) {
            if (ed[e].id < 0) continue;
            ec[ed[e].id] += w * exp(a[i] + edge_lp(lp, unk, &ed[e]) + b[i + ed[e].len] - Z);
        }
    }
}

tok_scores *tok_scores_estimate(const tok_tokenizer *t, const char *text, size_t len, int iters, tok_error *err)
{
    if (!t || (!text && len) || iters < 0) {
        vx_fail(err, TOK_ERR_ARG, "tok_scores_estimate: bad argument");
        return NULL;
    }
    size_t V = tok_vocab_size(t);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_counts *C = tok_counts_new(0);
    double *cnt = calloc(V ? V : 1, sizeof *cnt), *a = NULL, *b = NULL;
    float *lp = malloc((V ? V : 1) * sizeof *lp);
    unsigned char *indexed = malloc(V ? V : 1);
    tok_scores *S = NULL;
    if (!ctx || !C || !cnt || !lp || !indexed) goto nomem;
    for (size_t i = 0; i < V; i++) indexed[i] = (unsigned char)tok_lattice_has_token(t, (int32_t)i);
    /* distinct pre-tokens, line by line as encoding sees them */
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) + 1 : len;
        const tok_pretoken *pt;
        size_t np;
        if (tok_pretokenize(ctx, text + p, e - p, TOK_ENC_LOSSY, &pt, &np)) {
            vx_fail(err, TOK_ERR_ARG, "pre-tokenizing the corpus at byte %zu: %s", p, tok_ctx_error(ctx));
            goto fail;
        }
        for (size_t i = 0; i < np; i++)
            if (pt[i].id < 0 && pt[i].len && tok_counts_add(C, pt[i].text, pt[i].len, 1)) goto nomem;
        p = e;
    }
    const tok_count_entry *W;
    size_t nw, maxn = 0;
    if (tok_counts_sorted(C, &W, &nw)) goto nomem;
    for (size_t w = 0; w < nw; w++) if (W[w].len > maxn) maxn = W[w].len;
    a = malloc((maxn + 1) * sizeof *a);
    b = malloc((maxn + 1) * sizeof *b);
    if (!a || !b) goto nomem;

    /* first counts: the default method */
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = 0;
    for (size_t w = 0; w < nw; w++) {
        tok_encoding enc;
        if (tok_encode_pretoken(ctx, W[w].s, W[w].len, &o, &enc)) {
            vx_fail(err, TOK_ERR_ARG, "encoding the corpus: %s", tok_ctx_error(ctx));
            goto fail;
        }
        for (size_t i = 0; i < enc.n; i++)
            if (enc.ids[i] >= 0 && (size_t)enc.ids[i] < V) cnt[enc.ids[i]] += (double)W[w].count;
    }
    float unk = m_step(lp, cnt, indexed, V);
    for (int it = 0; it < iters; it++) {
        memset(cnt, 0, V * sizeof *cnt);
        for (size_t w = 0; w < nw; w++) {
            const tok_lattice_edge *ed;
            const uint32_t *first;
            tok_status st = tok_lattice(ctx, W[w].s, W[w].len, &ed, &first);
            if (st) {
                vx_fail(err, st, "the lattice of a pre-token: %s", tok_ctx_error(ctx));
                goto fail;
            }
            e_step(ed, first, W[w].len, lp, unk, (double)W[w].count, a, b, cnt);
        }
        unk = m_step(lp, cnt, indexed, V);
    }
    S = tok_scores_from_logp(t, lp, V, err);
    if (!S) goto fail;
    goto done;
nomem:
    vx_fail(err, TOK_ERR_NOMEM, "out of memory estimating unigram scores");
fail:
    tok_scores_free(S);
    S = NULL;
done:
    free(a);
    free(b);
    free(cnt);
    free(lp);
    free(indexed);
    tok_counts_free(C);
    tok_ctx_free(ctx);
    return S;
}
