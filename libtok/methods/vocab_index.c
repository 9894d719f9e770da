/*
 * The vocabulary as the inference methods see it: tries over model bytes by
 * token class (see methods.h), the fallback rule, and the lattice walk.
 *
 * The index belongs to a context (ctx->method_scratch): tok_tokenizer is
 * immutable and has no slot for it, so each context builds its own on first
 * use of a non-native method (forward tries; the reversed ones on first use
 * of longest-suffix).  tok__method_index_new builds a complete one that
 * contexts could share read-only once the tokenizer can hold it.
 */
#include "methods.h"

#include <stdatomic.h>

/* Model-space form of a prefix/suffix written in the file (byte-level
 * vocabularies store decoded bytes).  Returns its length, 0 if unusable. */
static uint32_t model_affix(const tok_vocab *v, const char *a, uint8_t *out, size_t cap)
{
    size_t n = a ? strlen(a) : 0, k = 0;
    if (!n || n > cap) return 0;
    if (!v->byte_level) {
        memcpy(out, a, n);
        return (uint32_t)n;
    }
    for (size_t i = 0; i < n;) {
        size_t cl;
        uint32_t cp = tok_utf8_decode((const uint8_t *)a + i, n - i, &cl);
        int b = cp == TOK_UTF8_BAD ? -1 : tok_bytelevel_byte(cp);
        if (b < 0) return 0;
        out[k++] = (uint8_t)b;
        i += cl;
    }
    return (uint32_t)k;
}

bool mx_indexed(const tok_vocab *v, const tok_token *tk)
{
    const uint32_t skip = TOK_TOKEN_NONE | TOK_TOKEN_UNREACHABLE | TOK_TOKEN_SPECIAL | TOK_TOKEN_CONTROL |
                          TOK_TOKEN_UNUSED | TOK_TOKEN_UNK;
    if (!(tk->flags & TOK__IN_MODEL) || (tk->flags & skip) || tk->nbytes == 0) return false;
    if (!v->byte_level && (tk->flags & TOK_TOKEN_BYTE)) return false; /* <0xAB>: the byte fallback */
    return true;
}

uint64_t mx_fingerprint(const tok_tokenizer *t)
{
    const tok_vocab *v = &t->vocab;
    uint64_t h = tok_hash64(v->n + 0x6c6962746f6bULL);
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *tk = &v->tok[i];
        if ((tk->flags & TOK_TOKEN_NONE) || !(tk->flags & TOK__IN_MODEL)) continue;
        h = tok_hash64(h ^ tok_hash_bytes(tk->text, tk->text_len)) + i;
    }
    return h;
}

typedef struct affixes {
    uint8_t pre[64], suf[64];
    uint32_t pl, sl;
} affixes;

/* Keys of class k (2*cont + final), reversed or not, into keys[]; key bytes
 * of reversed keys go in buf (sized for all token bytes). */
static size_t class_keys(const mx_index *x, const tok_vocab *v, const affixes *af, int k, bool reversed,
                         tok_trie_key *keys, uint8_t *buf)
{
    int want_c = k >> 1, want_f = k & 1;
    size_t m = 0, used = 0;
    /* highest id first: the trie keeps the last duplicate, so the lowest id wins (as by_bytes) */
    for (size_t id = v->n; id-- > 0;) {
        const tok_token *tk = &v->tok[id];
        if (!mx_indexed(v, tk)) continue;
        const uint8_t *b = tk->bytes;
        uint32_t nb = tk->nbytes;
        int c = 0, f = 0;
        if (x->has_cont && nb > af->pl && !memcmp(b, af->pre, af->pl)) c = 1;
        if (x->has_eow && nb > af->sl && !memcmp(b + nb - af->sl, af->suf, af->sl)) f = 1;
        if (x->has_eow && f != want_f) continue;
        if (x->has_eow && f) nb -= af->sl;
        if (x->has_cont) {
            if (want_c == 1) {
                if (!c) continue;
                b += af->pl;
                nb -= af->pl;
            } else if (c && !x->wordpiece) {
                continue; /* WordPiece looks the bare substring up at a word start */
            }
        }
        if (!nb) continue;
        if (reversed) {
            for (uint32_t j = 0; j < nb; j++) buf[used + j] = b[nb - 1 - j];
            b = buf + used;
            used += nb;
        }
        keys[m].s = b;
        keys[m].len = nb;
        keys[m].value = (int32_t)id;
        m++;
    }
    return m;
}

static void affixes_of(const tok_tokenizer *t, affixes *af)
{
    af->pl = model_affix(&t->vocab, t->model->cont_prefix, af->pre, sizeof af->pre);
    af->sl = model_affix(&t->vocab, t->model->eow_suffix, af->suf, sizeof af->suf);
}

static tok_status build_tries(mx_index *x, const tok_tokenizer *t, bool reversed, tok_error *err)
{
    const tok_vocab *v = &t->vocab;
    affixes af;
    affixes_of(t, &af);
    size_t total = 0;
    for (size_t i = 0; i < v->n; i++)
        if (mx_indexed(v, &v->tok[i])) total += v->tok[i].nbytes;
    tok_trie_key *keys = malloc((v->n ? v->n : 1) * sizeof *keys);
    uint8_t *buf = reversed ? malloc(total ? total : 1) : NULL;
    if (!keys || (reversed && !buf)) {
        free(keys);
        free(buf);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory indexing the vocabulary");
    }
    tok_status st = TOK_OK;
    const tok_trie **slot = reversed ? x->rev : x->fwd;
    for (int k = 0; k < 4; k++) {
        int c = k >> 1, f = k & 1;
        int canon = (x->has_cont ? c : 0) * 2 + (x->has_eow ? f : 0);
        int s = canon + (reversed ? 4 : 0);
        if (!x->built[s]) {
            size_t m = class_keys(x, v, &af, canon, reversed, keys, buf);
            if ((st = tok_trie_build(&x->store[s], keys, m, err))) break;
            x->built[s] = true;
            if (x->store[s].max_len > x->max_len) x->max_len = x->store[s].max_len;
        }
        slot[k] = &x->store[s];
    }
    free(keys);
    free(buf);
    return st;
}

tok_status mx_index_build(const tok_tokenizer *t, mx_index **out, tok_error *err)
{
    *out = NULL;
    mx_index *x = calloc(1, sizeof *x);
    if (!x) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    const tok_vocab *v = &t->vocab;
    const tok_model *m = t->model;
    affixes af;
    affixes_of(t, &af);
    x->has_cont = af.pl > 0;
    x->has_eow = af.sl > 0;
    x->cpl = af.pl;
    x->esl = af.sl;
    x->wordpiece = m->vt->kind == TOK_MODEL_WORDPIECE;
    x->byte_fb = v->byte_level || m->byte_fallback;
    x->all_bytes = true;
    for (int b = 0; b < 256; b++) {
        x->byte_id[b] = v->byte_id[b];
        if (v->byte_id[b] < 0) x->all_bytes = false;
    }
    x->fuse_unk = m->fuse_unk;
    x->unk_id = m->unk_id >= 0 ? m->unk_id : v->unk_id;
    x->nvocab = v->n;
    x->fingerprint = mx_fingerprint(t);
    x->unigram = m->vt->kind == TOK_MODEL_UNIGRAM;
    for (size_t i = 0; i < v->n; i++) x->ntokens += mx_indexed(v, &v->tok[i]);
    if (x->unigram) {
        float lo = INFINITY;
        x->model_logp = malloc((v->n ? v->n : 1) * sizeof *x->model_logp);
        if (!x->model_logp) {
            mx_index_free(x);
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < v->n; i++) {
            const tok_token *tk = &v->tok[i];
            x->model_logp[i] = mx_indexed(v, tk) ? tk->score : -INFINITY;
            /* the unknown score comes from the lowest piece score, as HF and SentencePiece */
            if ((tk->flags & TOK__IN_MODEL) && !(tk->flags & TOK_TOKEN_NONE) && tk->score < lo) lo = tk->score;
        }
        x->model_unk_score = (lo == INFINITY ? 0.0f : lo) - MX_UNK_PENALTY;
    }
    tok_status st = build_tries(x, t, false, err);
    if (st) {
        mx_index_free(x);
        return st;
    }
    *out = x;
    return TOK_OK;
}

tok_status mx_index_need_rev(mx_index *x, const tok_tokenizer *t, tok_error *err)
{
    if (x->rev_ready) return TOK_OK; /* always so for a shared index: it is never written after */
    tok_status st = build_tries(x, t, true, err);
    if (st == TOK_OK) x->rev_ready = true;
    return st;
}

void mx_index_free(mx_index *x)
{
    if (!x) return;
    for (int i = 0; i < 8; i++)
        if (x->built[i]) tok_trie_free(&x->store[i]);
    free(x->model_logp);
    free(x);
}

void *tok__method_index_new(const tok_tokenizer *t, tok_error *err)
{
    mx_index *x;
    if (mx_index_build(t, &x, err)) return NULL;
    if (mx_index_need_rev(x, t, err)) {
        mx_index_free(x);
        return NULL;
    }
    return x;
}

void tok__method_index_free(void *ix) { mx_index_free(ix); }

mx_scratch *mx_scratch_get(tok_ctx *ctx)
{
    mx_scratch *sc = ctx->method_scratch;
    if (sc && sc->ix) return sc;
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc) {
            tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            return NULL;
        }
        ctx->method_scratch = sc;
        ctx->method_scratch_free = tok_method_scratch_free;
    }
    /* one index per tokenizer, built by the first context that needs it */
    tok_tokenizer *t = (tok_tokenizer *)ctx->tok;
    void *ix = atomic_load(&t->method_index);
    if (!ix) {
        tok_error err = { 0 };
        pthread_mutex_lock(&t->method_lock);
        ix = atomic_load(&t->method_index);
        if (!ix) {
            ix = tok__method_index_new(t, &err);
            atomic_store(&t->method_index, ix);
        }
        pthread_mutex_unlock(&t->method_lock);
        if (!ix) {
            tok_ctx_fail(ctx, err.code ? err.code : TOK_ERR_NOMEM, "%s", err.message[0] ? err.message : "out of memory");
            return NULL;
        }
    }
    sc->ix = ix;
    sc->owns_ix = false;
    return sc;
}

uint32_t mx_charlen(const uint8_t *s, uint32_t n, uint32_t i)
{
    size_t cl;
    tok_utf8_decode(s + i, n - i, &cl);
    return cl ? (uint32_t)cl : 1;
}

/* Exact match of s[i..n) in trie t (a final-class token ending the pre-token). */
static inline int32_t whole_rest(const tok_trie *t, const uint8_t *s, uint32_t n, uint32_t i, uint64_t *work)
{
    int32_t node = TOK_TRIE_ROOT;
    uint32_t j = i;
    while (j < n) {
        node = tok_trie_child(t, node, s[j]);
        ++*work;
        if (node < 0) return -1;
        j++;
    }
    return j > i ? tok_trie_value(t, node) : -1;
}

uint32_t mx_longest_at(const mx_index *x, const uint8_t *s, uint32_t n, uint32_t i, int32_t *id, uint64_t *work)
{
    int c = x->has_cont && i > 0;
    if (x->has_eow) {
        int32_t v = whole_rest(x->fwd[c * 2 + 1], s, n, i, work);
        if (v >= 0) {
            *id = v;
            return n - i;
        }
    }
    const tok_trie *t = x->fwd[c * 2];
    int32_t node = TOK_TRIE_ROOT, best_id = -1;
    uint32_t best = 0;
    uint32_t stop = x->has_eow ? n - 1 : n; /* non-final tokens may not end the pre-token */
    for (uint32_t j = i; j < stop; j++) {
        node = tok_trie_child(t, node, s[j]);
        ++*work;
        if (node < 0) break;
        int32_t v = tok_trie_value(t, node);
        if (v >= 0) {
            best = j + 1 - i;
            best_id = v;
        }
    }
    *id = best_id;
    return best;
}

/* Longest key of reversed trie t matching s backwards from j, with start >= lo. */
static inline uint32_t rev_walk(const tok_trie *t, const uint8_t *s, uint32_t j, uint32_t lo, int32_t *id,
                                uint64_t *work)
{
    int32_t node = TOK_TRIE_ROOT;
    uint32_t best = 0;
    for (uint32_t k = j; k > lo; k--) {
        node = tok_trie_child(t, node, s[k - 1]);
        ++*work;
        if (node < 0) break;
        int32_t v = tok_trie_value(t, node);
        if (v >= 0) {
            best = j - (k - 1);
            *id = v;
        }
    }
    return best;
}

uint32_t mx_longest_ending_at(const mx_index *x, const uint8_t *s, uint32_t n, uint32_t j, int32_t *id,
                              uint64_t *work)
{
    int f = x->has_eow && j == n;
    if (!x->has_cont) return rev_walk(x->rev[f], s, j, 0, id, work);
    /* an initial token must cover all of s[0..j) */
    int32_t v = -1;
    if (rev_walk(x->rev[f], s, j, 0, &v, work) == j && j > 0) {
        *id = v;
        return j;
    }
    return rev_walk(x->rev[2 + f], s, j, 1, id, work);
}

/* Edges from position i into out (capacity x->max_len + 2): tokens, then a
 * fallback edge of one character if no token is exactly that character. */
static inline uint32_t edges_at(const mx_index *x, const uint8_t *s, uint32_t n, uint32_t i, mx_edge *out,
                                uint64_t *work)
{
    int c = x->has_cont && i > 0;
    uint32_t k = 0, cl = mx_charlen(s, n, i);
    bool have_cl = false;
    const tok_trie *t = x->fwd[c * 2];
    int32_t node = TOK_TRIE_ROOT;
    uint32_t stop = x->has_eow ? n - 1 : n;
    for (uint32_t j = i; j < stop; j++) {
        node = tok_trie_child(t, node, s[j]);
        ++*work;
        if (node < 0) break;
        int32_t v = tok_trie_value(t, node);
        if (v >= 0) {
            uint32_t len = j + 1 - i;
            out[k++] = (mx_edge){ len, v };
            if (len == cl) have_cl = true;
        }
    }
    if (x->has_eow) {
        int32_t v = whole_rest(x->fwd[c * 2 + 1], s, n, i, work);
        if (v >= 0) {
            out[k++] = (mx_edge){ n - i, v };
            if (n - i == cl) have_cl = true;
        }
    }
    if (!have_cl) {
        int32_t fb = -1;
        if (x->byte_fb && !x->all_bytes)
            for (uint32_t b = i; b < i + cl; b++)
                if (x->byte_id[s[b]] < 0) fb = -2;
        out[k++] = (mx_edge){ cl, fb };
    }
    return k;
}

uint32_t mx_edges_at(const mx_index *x, const uint8_t *s, uint32_t n, uint32_t i, mx_edge *out, uint64_t *work)
{
    return edges_at(x, s, n, i, out, work);
}

tok_status mx_lattice(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n)
{
    const mx_index *x = sc->ix;
    if (tok_vec_reserve(&sc->first, (size_t)n + 2)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    sc->edges.n = 0;
    for (uint32_t i = 0; i < n; i++) {
        sc->first.v[i] = (uint32_t)sc->edges.n;
        if (tok_vec_reserve(&sc->edges, sc->edges.n + x->max_len + 2))
            return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        sc->edges.n += edges_at(x, s, n, i, sc->edges.v + sc->edges.n, &sc->work);
        if (sc->edges.n > UINT32_MAX - x->max_len - 2)
            return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "pre-token lattice too large");
    }
    sc->first.v[n] = (uint32_t)sc->edges.n;
    return TOK_OK;
}

/* Unknown token over [a, b), fused with a preceding unknown when asked. */
static int push_unk(const mx_index *x, tok_toks *out, size_t mark, uint32_t a, uint32_t b)
{
    if (x->unk_id < 0) return 0; /* no unknown token: the character is dropped */
    if (x->fuse_unk && out->n > mark && out->id[out->n - 1] == x->unk_id && out->off[out->n - 1].end == a) {
        out->off[out->n - 1].end = b;
        return 0;
    }
    return tok_toks_push(out, x->unk_id, a, b);
}

tok_status mx_emit_path(tok_ctx *ctx, const mx_index *x, mx_scratch *sc, const uint8_t *s, uint32_t n,
                        const uint32_t *pred, const int32_t *pid, tok_toks *out)
{
    sc->seg.n = 0;
    for (uint32_t j = n; j > 0; j = pred[j])
        if (mx_seg_push(sc, pid[j], pred[j], j)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    mx_seg *g = sc->seg.v;
    for (size_t a = 0, b = sc->seg.n; a + 1 < b; a++, b--) {
        mx_seg t = g[a];
        g[a] = g[b - 1];
        g[b - 1] = t;
    }
    return mx_emit(ctx, x, s, n, sc->seg.v, sc->seg.n, out);
}

tok_status mx_emit(tok_ctx *ctx, const mx_index *x, const uint8_t *s, uint32_t n, const mx_seg *seg, size_t nseg,
                   tok_toks *out)
{
    const tok_vocab *v = &ctx->tok->vocab;
    size_t mark = out->n;
    if (x->wordpiece && !x->byte_fb) {
        for (size_t i = 0; i < nseg; i++) {
            if (seg[i].id >= 0) continue;
            if (x->unk_id < 0)
                return tok_ctx_fail(ctx, TOK_ERR_FORMAT, "the vocabulary has no unknown token for an uncovered word");
            if (tok_toks_push(out, x->unk_id, 0, n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            return TOK_OK;
        }
    }
    if (tok_toks_reserve(out, out->n + nseg)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nseg; i++) {
        const mx_seg *g = &seg[i];
        int bad = 0;
        if (g->id >= 0) {
            bad = tok_toks_push(out, g->id, g->start, g->end);
        } else if (x->byte_fb) {
            bool all = true;
            for (uint32_t b = g->start; b < g->end; b++)
                if (v->byte_id[s[b]] < 0) all = false;
            if (all) {
                for (uint32_t b = g->start; b < g->end && !bad; b++)
                    bad = tok_toks_push(out, v->byte_id[s[b]], b, b + 1);
            } else {
                bad = push_unk(x, out, mark, g->start, g->end);
            }
        } else {
            bad = push_unk(x, out, mark, g->start, g->end);
        }
        if (bad) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    return TOK_OK;
}
