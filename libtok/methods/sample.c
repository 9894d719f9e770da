/*
 * sample: subword regularization on any vocabulary with unigram scores
 * (Kudo 2018).  A segmentation is drawn with probability proportional to
 * exp(alpha * sum of its log-probabilities) over the whole lattice:
 * backward filtering (beta[i] = log of the mass of all paths from i), then
 * forward sampling, each step choosing an edge from the current position in
 * proportion to exp(alpha * lp + beta[end]).  alpha = 0 is uniform over all
 * segmentations.  Edges are walked again rather than stored.  The n-best
 * variant (opt->nbest > 1) exists only for Unigram models (natively).
 */
#include "methods.h"

tok_status mx_sample(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, const uint8_t *s, uint32_t n,
                     tok_toks *out)
{
    const mx_index *x = sc->ix;
    if (opt->nbest > 1)
        return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED,
                            "sample: n-best sampling (nbest %d) needs a Unigram model; use nbest 0 to sample from "
                            "the whole lattice", opt->nbest);
    if (opt->nbest == 1) return mx_likelihood(ctx, sc, opt, s, n, out);
    if (!(opt->alpha >= 0) || !isfinite(opt->alpha))
        return tok_ctx_fail(ctx, TOK_ERR_ARG, "sample: alpha must be a finite number >= 0");
    float unk;
    const float *lp = mx_logp(ctx, sc, opt, &unk);
    if (!lp) return TOK_ERR_ARG;
    double theta = opt->alpha;
    size_t m = (size_t)n + 1;
    if (tok_vec_reserve(&sc->d1, m) || tok_vec_reserve(&sc->edges, (size_t)x->max_len + 2))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    double *beta = sc->d1.v;
    mx_edge *ed = sc->edges.v;
    beta[n] = 0;
    for (uint32_t i = n; i-- > 0;) {
        uint32_t k = mx_edges_at(x, s, n, i, ed, &sc->work);
        double acc = -INFINITY;
        for (uint32_t e = 0; e < k; e++) {
            double v = ed[e].id < 0 || !isfinite(lp[ed[e].id]) ? unk : lp[ed[e].id];
            acc = mx_logaddexp(acc, theta * v + beta[i + ed[e].len]);
        }
        beta[i] = acc;
        sc->work += k;
    }
    tok_rng *rng = tok_ctx_rng(ctx, opt);
    sc->seg.n = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t k = mx_edges_at(x, s, n, i, ed, &sc->work);
        double r = tok_rng_unit(rng), c = 0;
        uint32_t pick = k - 1;
        for (uint32_t e = 0; e < k; e++) {
            double v = ed[e].id < 0 || !isfinite(lp[ed[e].id]) ? unk : lp[ed[e].id];
            c += exp(theta * v + beta[i + ed[e].len] - beta[i]);
            if (r < c) {
                pick = e;
                break;
            }
        }
        if (mx_seg_push(sc, ed[pick].id, i, i + ed[pick].len)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        i += ed[pick].len;
    }
    return mx_emit(ctx, x, s, n, sc->seg.v, sc->seg.n, out);
}
