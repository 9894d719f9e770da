/*
 * least-tokens (PathPiece, Schmidt et al. 2024): the segmentation with the
 * fewest tokens, a shortest path over the token lattice.  Edges are walked
 * from each position in turn (never stored), so the cost is O(n * L) trie
 * steps and O(n) memory.
 *
 * Ties among predecessors of a position with the same count:
 *   TOK_TIE_LONGEST  the longest last token (smallest start) wins — the
 *                    PathPiece default; deterministic.
 *   TOK_TIE_RANDOM   one of them uniformly at random (reservoir sampling as
 *                    they are found), from the context RNG (opt->seed).
 * A fallback edge counts as the tokens it becomes (its bytes under byte
 * fallback, else one unknown token).
 */
#include "methods.h"

tok_status mx_least_tokens(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, const uint8_t *s,
                           uint32_t n, tok_toks *out)
{
    const mx_index *x = sc->ix;
    bool random = opt->tie == TOK_TIE_RANDOM;
    if (opt->tie != TOK_TIE_LONGEST && !random)
        return tok_ctx_fail(ctx, TOK_ERR_ARG, "unknown tie rule %d for least-tokens", (int)opt->tie);
    size_t m = (size_t)n + 1;
    if (tok_vec_reserve(&sc->u0, m) || tok_vec_reserve(&sc->u1, m) || tok_vec_reserve(&sc->u2, m) ||
        tok_vec_reserve(&sc->i0, m) || tok_vec_reserve(&sc->edges, (size_t)x->max_len + 2))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    uint32_t *best = sc->u0.v, *pred = sc->u1.v, *ties = sc->u2.v;
    int32_t *pid = sc->i0.v;
    mx_edge *ed = sc->edges.v;
    tok_rng *rng = random ? tok_ctx_rng(ctx, opt) : NULL;
    for (size_t j = 0; j < m; j++) best[j] = UINT32_MAX;
    best[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (best[i] == UINT32_MAX) continue;
        uint32_t k = mx_edges_at(x, s, n, i, ed, &sc->work);
        sc->work += k;
        for (uint32_t e = 0; e < k; e++) {
            uint32_t j = i + ed[e].len, c = best[i] + mx_edge_cost(x, &ed[e], n);
            if (c < best[j]) {
                best[j] = c;
                pred[j] = i;
                pid[j] = ed[e].id;
                ties[j] = 1;
            } else if (c == best[j] && random) {
                if (tok_rng_next(rng) % ++ties[j] == 0) {
                    pred[j] = i;
                    pid[j] = ed[e].id;
                }
            }
        }
    }
    /* every reachable position has an outgoing edge, so n is reached */
    return mx_emit_path(ctx, x, sc, s, n, pred, pid, out);
}
