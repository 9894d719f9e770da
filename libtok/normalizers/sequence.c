/*
 * Sequence: run the members in order, ping-ponging between two scratch
 * strings borrowed from the context; the last member writes into out.  All
 * share the segment start of in (HF runs them on one NormalizedString).
 */
#include "normalizers.h"

typedef struct seq {
    tok_normalizer base;
    size_t n;
    tok_normalizer **v;
} seq;

static tok_status seq_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const seq *q = (const seq *)self;
    if (q->n == 0) {
        if (tok_nstr_push_aligned(out, in->s, in->a0, in->a1, in->n))
            return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        return TOK_OK;
    }
    if (q->n == 1) return q->v[0]->vt->run(q->v[0], in, out, ctx);

    /* Pooled buffers; deeply nested sequences that exhaust the pool fall
     * back to local ones (allocated, freed at the end). */
    tok_nstr local[2];
    memset(local, 0, sizeof local);
    tok_nstr *buf[2];
    buf[0] = tok_ctx_nstr_acquire(ctx);
    buf[1] = buf[0] ? tok_ctx_nstr_acquire(ctx) : NULL;
    bool pooled[2] = {buf[0] != NULL, buf[1] != NULL};
    if (!buf[0]) buf[0] = &local[0];
    if (!buf[1]) buf[1] = &local[1];

    tok_status st = TOK_OK;
    const tok_nstr *cur = in;
    for (size_t i = 0; i < q->n; i++) {
        tok_nstr *dst = i + 1 == q->n ? out : buf[i & 1];
        if (dst != out) {
            dst->n = 0;
            dst->start = in->start;
        }
        /* every step's output counts against the call's room (a step that
         * grows the text and one that shrinks it again cost time too) */
        tok_nstr_limit(dst, tok_norm_room(ctx));
        st = q->v[i]->vt->run(q->v[i], cur, dst, ctx);
        if (st) {
            /* name the step that grew past the bound (an inner Sequence
             * already named its own) */
            if (dst->over && st != TOK_ERR_LIMIT)
                st = tok_ctx_fail(ctx, TOK_ERR_LIMIT,
                                  "normalizer Sequence step %zu (%s): output passes 64 times its input plus 1 MiB",
                                  i, q->v[i]->vt->type);
            break;
        }
        if (dst != out) ctx->norm_made += dst->n;
        cur = dst;
    }
    if (pooled[1]) tok_ctx_nstr_release(ctx, buf[1]);
    if (pooled[0]) tok_ctx_nstr_release(ctx, buf[0]);
    tok_nstr_free(&local[0]);
    tok_nstr_free(&local[1]);
    return st;
}

static void seq_free(tok_normalizer *self)
{
    seq *q = (seq *)self;
    for (size_t i = 0; i < q->n; i++) tok_normalizer_free(q->v[i]);
    free(q->v);
    free(q);
}

static json_t *seq_to_json(const tok_normalizer *self)
{
    const seq *q = (const seq *)self;
    json_t *arr = json_array();
    for (size_t i = 0; i < q->n; i++) json_array_append_new(arr, q->v[i]->vt->to_json(q->v[i]));
    return json_pack("{ssso}", "type", "Sequence", "normalizers", arr);
}

static const tok_normalizer_vt seq_vt = {"Sequence", seq_run, seq_free, seq_to_json};

const tok_normalizer *tok__norm_sequence_first(const tok_normalizer *n)
{
    if (!n || n->vt != &seq_vt) return NULL;
    const seq *q = (const seq *)n;
    return q->n ? q->v[0] : NULL;
}

tok_normalizer *tok_norm_sequence_from_json(tok_jctx *jc, const json_t *j)
{
    json_t *arr = NULL;
    if (tok_jarr(jc, j, "normalizers", &arr, true)) return NULL;
    seq *q = calloc(1, sizeof *q);
    size_t n = json_array_size(arr);
    if (q && n) q->v = calloc(n, sizeof *q->v);
    if (!q || (n && !q->v)) {
        free(q);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    q->base.vt = &seq_vt;
    size_t s0 = tok_jpush(jc, "normalizers");
    for (size_t i = 0; i < n; i++) {
        size_t s1 = tok_jpush_index(jc, i);
        q->v[i] = tok_normalizer_from_json(jc, json_array_get(arr, i));
        tok_jpop(jc, s1);
        if (!q->v[i]) {
            tok_jpop(jc, s0);
            seq_free(&q->base);
            return NULL;
        }
        q->n++;
    }
    tok_jpop(jc, s0);
    return &q->base;
}
