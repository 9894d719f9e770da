/* Sequence: run the members in order, each on all pieces the previous one
 * produced.  Members after a ByteLevel see its GPT-2 characters, as in HF
 * (byte_chars.c): the pieces are mapped to that view after the ByteLevel and
 * back to raw bytes at the end. */
#include "pretok.h"

typedef struct seq {
    tok_pretok base;
    size_t n;
    tok_pretok **v;
    size_t bl_at; /* first byte-level member, or n */
} seq;

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    const seq *s = (const seq *)self;
    if (s->n == 0) {
        /* nothing to do: the pieces pass as they are (empty ones dropped) */
        for (size_t i = 0; i < in->n; i++)
            if ((in->v[i].id >= 0 || in->v[i].n) && tok_vec_push(out, in->v[i])) return tok_pt_nomem(ctx);
        return TOK_OK;
    }
    bool view = s->bl_at + 1 < s->n; /* members run after a ByteLevel */
    if (s->n == 1) return s->v[0]->vt->run(s->v[0], in, out, ctx);
    /* ping-pong between two pooled buffers; the last member writes to out */
    tok_pieces *a = tok_ctx_pieces_acquire(ctx);
    tok_pieces *b = a ? tok_ctx_pieces_acquire(ctx) : NULL;
    tok_status st = TOK_OK;
    if (!b) {
        st = tok_ctx_fail(ctx, TOK_ERR_NOMEM, "Sequence: scratch pool exhausted (pre-tokenizers nested too deep)");
        goto done;
    }
    const tok_pieces *cur = in;
    /* steps: the members, plus with a view the two mappings around the
     * members after the ByteLevel */
    size_t steps = s->n + (view ? 2 : 0);
    for (size_t k = 0; k < steps; k++) {
        tok_pieces *dst = k == steps - 1 ? out : (cur == a ? b : a);
        dst->n = 0;
        if (view && k == s->bl_at + 1) {
            st = tok_pt_to_byte_chars(cur, dst, ctx);
        } else if (view && k == steps - 1) {
            st = tok_pt_from_byte_chars(cur, dst, ctx);
        } else {
            const tok_pretok *m = s->v[view && k > s->bl_at ? k - 1 : k];
            st = m->vt->run(m, cur, dst, ctx);
        }
        if (st) goto done;
        cur = dst;
    }
done:
    if (b) tok_ctx_pieces_release(ctx, b);
    if (a) tok_ctx_pieces_release(ctx, a);
    return st;
}

static void s_free(tok_pretok *self)
{
    seq *s = (seq *)self;
    for (size_t i = 0; i < s->n; i++) tok_pretok_free(s->v[i]);
    free(s->v);
    free(s);
}

static json_t *to_json(const tok_pretok *self)
{
    const seq *s = (const seq *)self;
    json_t *arr = json_array();
    for (size_t i = 0; i < s->n; i++) json_array_append_new(arr, s->v[i]->vt->to_json(s->v[i]));
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("Sequence"));
    json_object_set_new(j, "pretokenizers", arr);
    return j;
}

static const tok_pretok_vt vt = { "Sequence", run, s_free, to_json };

bool tok_pt_sequence_is_byte_level(const tok_pretok *p)
{
    const seq *s = (const seq *)p;
    for (size_t i = 0; i < s->n; i++)
        if (tok_pretok_is_byte_level(s->v[i])) return true;
    return false;
}

tok_pretok *tok_pt_sequence_from_json(tok_jctx *jc, const json_t *j)
{
    json_t *arr = NULL;
    if (tok_jarr(jc, j, "pretokenizers", &arr, true)) return NULL;
    seq *s = calloc(1, sizeof *s);
    size_t n = json_array_size(arr);
    if (!s || (n && !(s->v = calloc(n, sizeof *s->v)))) {
        free(s);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base.vt = &vt;
    size_t sv = tok_jpush(jc, "pretokenizers");
    for (size_t i = 0; i < n; i++) {
        size_t si = tok_jpush_index(jc, i);
        tok_pretok *m = tok_pretok_from_json(jc, json_array_get(arr, i));
        tok_jpop(jc, si);
        if (!m) {
            tok_jpop(jc, sv);
            s_free(&s->base);
            return NULL;
        }
        s->v[s->n++] = m;
    }
    tok_jpop(jc, sv);
    for (s->bl_at = 0; s->bl_at < s->n && !tok_pretok_is_byte_level(s->v[s->bl_at]); s->bl_at++) {}
    return &s->base;
}
