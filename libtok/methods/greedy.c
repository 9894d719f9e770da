/*
 * Greedy methods: longest-prefix (left to right, WordPiece's MaxMatch),
 * longest-suffix (right to left) and longest-token (the longest token
 * anywhere, leftmost among equals, then recursively both sides: FLOTA).
 */
#include "methods.h"

static void reverse_seg(mx_seg *g, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        mx_seg t = g[i];
        g[i] = g[j - 1];
        g[j - 1] = t;
    }
}

tok_status mx_longest_prefix(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n, tok_toks *out)
{
    const mx_index *x = sc->ix;
    sc->seg.n = 0;
    for (uint32_t i = 0; i < n;) {
        int32_t id;
        uint32_t len = mx_longest_at(x, s, n, i, &id, &sc->work);
        if (!len) {
            len = mx_charlen(s, n, i);
            id = -1;
        }
        if (mx_seg_push(sc, id, i, i + len)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        i += len;
    }
    return mx_emit(ctx, x, s, n, sc->seg.v, sc->seg.n, out);
}

/* Start of the character that ends at j (a stray byte stands alone). */
static uint32_t char_start_before(const uint8_t *s, uint32_t n, uint32_t j)
{
    uint32_t k = j - 1;
    while (k > 0 && j - k < 4 && (s[k] & 0xC0) == 0x80) k--;
    if (k + mx_charlen(s, n, k) == j) return k;
    return j - 1;
}

tok_status mx_longest_suffix(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n, tok_toks *out)
{
    mx_index *x = sc->ix;
    tok_error err = { 0 };
    if (mx_index_need_rev(x, ctx->tok, &err)) return tok_ctx_fail(ctx, err.code, "%s", err.message);
    sc->seg.n = 0;
    for (uint32_t j = n; j > 0;) {
        int32_t id;
        uint32_t len = mx_longest_ending_at(x, s, n, j, &id, &sc->work);
        if (!len) {
            len = j - char_start_before(s, n, j);
            id = -1;
        }
        if (mx_seg_push(sc, id, j - len, j)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        j -= len;
    }
    reverse_seg(sc->seg.v, sc->seg.n);
    return mx_emit(ctx, x, s, n, sc->seg.v, sc->seg.n, out);
}

/*
 * Longest-token without recursion: take the token matches in order of
 * length (longest first) then position (leftmost first) and accept each one
 * whose span is still uncovered.  That is what the recursion picks: the
 * first free match in this order lies inside one uncovered segment and is
 * the longest-leftmost there, and a match refused once stays refused.  A
 * candidate is free iff both its end bytes are: every accepted span is at
 * least as long, so none fits strictly inside it.  Counting sort by length
 * and one pass keep it O(n * k).
 */
tok_status mx_longest_token(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n, tok_toks *out)
{
    const mx_index *x = sc->ix;
    tok_status st = mx_lattice(ctx, sc, s, n);
    if (st) return st;
    uint32_t L = x->max_len + 1;
    size_t ne = sc->edges.n;
    if (tok_vec_reserve(&sc->u0, ne + 1) || tok_vec_reserve(&sc->u1, ne + 1) ||
        tok_vec_reserve(&sc->u2, (size_t)(n > L ? n : L) + 2) || tok_vec_reserve(&sc->i0, (size_t)n + 1))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    uint32_t *bucket = sc->u2.v, *pos = sc->u0.v, *eix = sc->u1.v;
    const mx_edge *E = sc->edges.v;
    const uint32_t *first = sc->first.v;

    /* bucket offsets, longest first (lengths up to the longest edge here) */
    uint32_t top = 1;
    for (size_t e = 0; e < ne; e++)
        if (E[e].id >= 0 && E[e].len > top) top = E[e].len;
    memset(bucket, 0, ((size_t)top + 1) * sizeof *bucket);
    for (size_t e = 0; e < ne; e++)
        if (E[e].id >= 0) bucket[E[e].len]++;
    uint32_t acc = 0;
    for (uint32_t len = top + 1; len-- > 1;) {
        uint32_t c = bucket[len];
        bucket[len] = acc;
        acc += c;
    }
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t e = first[i]; e < first[i + 1]; e++)
            if (E[e].id >= 0) {
                uint32_t k = bucket[E[e].len]++;
                pos[k] = i;
                eix[k] = e;
            }
    sc->work += ne;

    /* accept free spans */
    uint8_t *cov = (uint8_t *)bucket; /* reuse: n bytes */
    memset(cov, 0, n);
    int32_t *start = sc->i0.v;
    for (uint32_t i = 0; i < n; i++) start[i] = -1;
    for (uint32_t k = 0; k < acc; k++) {
        uint32_t i = pos[k], len = E[eix[k]].len;
        if (cov[i] || cov[i + len - 1]) continue;
        memset(cov + i, 1, len);
        start[i] = (int32_t)eix[k];
    }
    sc->work += acc + n;

    sc->seg.n = 0;
    for (uint32_t i = 0; i < n;) {
        int r;
        if (start[i] >= 0) {
            const mx_edge *e = &E[start[i]];
            r = mx_seg_push(sc, e->id, i, i + e->len);
            i += e->len;
        } else {
            uint32_t cl = mx_charlen(s, n, i), j = 1;
            while (j < cl && !cov[i + j]) j++;
            r = mx_seg_push(sc, -1, i, i + j);
            i += j;
        }
        if (r) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    return mx_emit(ctx, x, s, n, sc->seg.v, sc->seg.n, out);
}
