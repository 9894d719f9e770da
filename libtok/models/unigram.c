/*
 * Unigram (HF models/unigram, SentencePiece unigram_model).
 *
 * Best segmentation: Viterbi over the pieces that are prefixes at each
 * character start (trie walk), plus an unknown node of one character where
 * no piece covers exactly that character.  Two tie rules ("libtok_ties"):
 *
 *  - "hf"  (HF tokenizers): f64 scores and path sums; a later candidate
 *    replaces the best only when strictly better (earlier starts, then
 *    shorter pieces first); every piece is a candidate; consecutive unknown
 *    nodes are fused and the fused text is looked up again (byte fallback
 *    then covers the whole run, each byte token with the run's offsets).
 *  - "spm" (spm_encode, EncoderVersion::kOptimized): scores are floats and
 *    the best path score at each position is stored as a float, while the
 *    comparison of a piece candidate happens in double (the user-defined
 *    bonus `len * max_score - 0.1` is a double expression) and the unknown
 *    candidate in float.  Only NORMAL, USER_DEFINED and UNUSED pieces are in
 *    the trie, UNUSED ones are skipped, min/max scores are over NORMAL
 *    pieces (max starting at FLT_MIN, as SentencePiece does), unknown runs
 *    are merged into one unk token, or with byte fallback each unknown
 *    character becomes its UTF-8 byte pieces.
 *
 * TOK_METHOD_SAMPLE: subword regularisation.  nbest <= 0: forward filtering,
 * backward sampling over the whole lattice, P(path) ∝ exp(alpha * score);
 * nbest == 1: the best path; nbest > 1: the n best paths (k-best Viterbi)
 * and one of them drawn ∝ exp(alpha * score).
 */
#include "unigram.h"

#include <float.h>
#include <math.h>

#define MAX_NBEST 1024
#define MAX_KBEST_ENTRIES ((size_t)1 << 24)


typedef struct ug_tok { uint32_t s, e; int32_t id; } ug_tok;
typedef struct ug_node { uint32_t s, e; int32_t id; double sc; } ug_node;
typedef struct ug_kb { double score; int32_t node, rank; } ug_kb;

typedef struct ug_scratch {
    /* the best path to each position (n + 1 entries): hf's f64 or spm's
     * float score (SentencePiece's own storage), the start of its last
     * piece (-1: none yet) and that piece's id; only the rule's own score
     * array is made.  (One record per position instead was 4-7 % slower in
     * CPU time, though fewer simulated cycles.) */
    double *dsc;
    float *fsc;
    int32_t *st, *bid;
    uint32_t *eoff;/* lattice nodes by end position (n + 2 entries) */
    double *alpha; /* forward log-sums */
    uint32_t *kcount;
    /* entries each array above holds (fit()) */
    size_t dcap, fcap, stcap, bidcap, ecap, acap, kcap;
    TOK_VEC(ug_tok) path;
    TOK_VEC(ug_node) nodes;
    TOK_VEC(uint32_t) eidx;
    TOK_VEC(double) w;
    TOK_VEC(ug_kb) kb;
    TOK_VEC(ug_kb) heap;
} ug_scratch;

static void ug_scratch_free(void *p)
{
    ug_scratch *S = p;
    if (!S) return;
    free(S->dsc);
    free(S->fsc);
    free(S->st);
    free(S->bid);
    free(S->eoff);
    free(S->alpha);
    free(S->kcount);
    tok_vec_free(&S->path);
    tok_vec_free(&S->nodes);
    tok_vec_free(&S->eidx);
    tok_vec_free(&S->w);
    tok_vec_free(&S->kb);
    tok_vec_free(&S->heap);
    free(S);
}

static void *ug_scratch_new(const tok_model *m)
{
    TOK_UNUSED(m);
    return calloc(1, sizeof(ug_scratch));
}

/* Room for n entries of elem bytes in *p.  Every encode writes the
 * entries it reads, so a larger block replaces the old one without a copy
 * (a long text is one piece: copying cleared and filled fresh pages twice,
 * for every array of every rule). */
static int fit(void **p, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap) return 0;
    size_t c = *cap > 256 ? *cap : 256;
    while (c < n) c *= 2;
    free(*p);
    *cap = 0;
    /* (on huge pages from 2 MiB on) */
    if (!(*p = tok__big_alloc(c * elem))) return -1;
    *cap = c;
    return 0;
}

/* The Viterbi's arrays for npos positions under the model's rule. */
static int best_fit(ug_scratch *S, size_t npos, bool spm)
{
    return fit((void **)&S->st, &S->stcap, npos, sizeof *S->st) || fit((void **)&S->bid, &S->bidcap, npos, sizeof *S->bid) ||
           (spm ? fit((void **)&S->fsc, &S->fcap, npos, sizeof *S->fsc) : fit((void **)&S->dsc, &S->dcap, npos, sizeof *S->dsc));
}

/* The lattice's arrays (sampling only). */
static int lattice_fit(ug_scratch *S, size_t npos)
{
    return fit((void **)&S->alpha, &S->acap, npos, sizeof *S->alpha) ||
           fit((void **)&S->kcount, &S->kcap, npos, sizeof *S->kcount) ||
           fit((void **)&S->eoff, &S->ecap, npos + 1, sizeof *S->eoff);
}

void tok__unigram_free(tok_model *m)
{
    ug_model *u = (ug_model *)m;
    if (!u) return;
    free(u->score);
    free(u->vscore);
    free(u->ptype);
    tok_trie_free(&u->trie);
    free(u);
}

static tok_status ug_prepare(tok_model *m, const tok_vocab *v, tok_error *err)
{
    ug_model *u = (ug_model *)m;
    tok_trie_key *keys = malloc((u->n ? u->n : 1) * sizeof *keys);
    if (!keys) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    size_t nk = 0;
    double min_d = INFINITY;
    float min_f = FLT_MAX, max_f = FLT_MIN;
    for (int i = 0; i < 256; i++) u->byte_id[i] = -1;
    for (size_t i = 0; i < u->n; i++) {
        const tok_token *t = &v->tok[i];
        int pt = u->ptype ? u->ptype[i] : PT_NORMAL;
        if (u->score[i] < min_d) min_d = u->score[i];
        if (pt == PT_NORMAL) {
            float f = (float)u->score[i];
            if (f < min_f) min_f = f;
            if (f > max_f) max_f = f;
        }
        int b = tok_byte_piece(t->text, t->text_len);
        if (b >= 0 && (!u->spm || !u->ptype || pt == PT_BYTE)) u->byte_id[b] = (int32_t)i;
        if (t->flags & (TOK_TOKEN_NONE | TOK_TOKEN_UNREACHABLE)) continue;
        /* (SentencePiece's trie holds UNUSED pieces and skips them at every
         * match: left out here, the walks never see them) */
        if (u->spm && (pt == PT_UNKNOWN || pt == PT_CONTROL || pt == PT_BYTE || pt == PT_UNUSED)) continue;
        keys[nk++] = (tok_trie_key){ t->bytes, t->nbytes, (int32_t)i };
    }
    tok_status st = tok_trie_build(&u->trie, keys, nk, err);
    free(keys);
    if (st) return st;
    u->unk_score = min_d - 10.0;
    u->min_f = min_f;
    u->max_f = max_f;
    u->unk_score_f = min_f - 10.0f;
    /* per-id lattice scores, so the Viterbi loop reads one array */
    if (!(u->vscore = malloc((u->n ? u->n : 1) * sizeof *u->vscore)))
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < u->n; i++) {
        int pt = u->ptype ? u->ptype[i] : PT_NORMAL;
        if (!u->spm) u->vscore[i] = u->score[i];
        else if (pt == PT_UNUSED) u->vscore[i] = NAN;
        /* SentencePiece: user-defined pieces get length * max_score - 0.1
         * (a double expression: float product, double difference) */
        else if (pt == PT_USER) u->vscore[i] = (double)((float)v->tok[i].nbytes * max_f) - 0.1;
        else u->vscore[i] = (double)(float)u->score[i];
    }
    u->base.unk_id = u->unk;
    return TOK_OK;
}

static inline uint32_t char_len(const uint8_t *s, uint32_t at, uint32_t n)
{
    int l = tok_utf8_seqlen(s[at]);
    if (l < 1) l = 1;
    return (uint32_t)l < n - at ? (uint32_t)l : n - at;
}

static tok_status no_unk(tok_ctx *ctx)
{
    return tok_ctx_fail(ctx, TOK_ERR_FORMAT,
                        "Unigram: a character has no token and the model has no unk_id");
}

/* Backtrack best[] into S->path in text order. */
static tok_status backtrack(ug_scratch *S, uint32_t n)
{
    S->path.n = 0;
    for (uint32_t e = n; e > 0;) {
        int32_t s = S->st[e];
        if (s < 0) return TOK_ERR_FORMAT; /* cannot happen: every char start is reachable */
        if (tok_vec_push(&S->path, ((ug_tok){ (uint32_t)s, e, S->bid[e] }))) return TOK_ERR_NOMEM;
        e = (uint32_t)s;
    }
    for (size_t i = 0, j = S->path.n; i + 1 < j; i++, j--) {
        ug_tok t = S->path.v[i];
        S->path.v[i] = S->path.v[j - 1];
        S->path.v[j - 1] = t;
    }
    return TOK_OK;
}

/* HF encode_optimized. */
static tok_status viterbi_hf(const ug_model *u, tok_ctx *ctx, ug_scratch *S, const uint8_t *s, uint32_t n)
{
    for (uint32_t p = 0; p <= n; p++) {
        S->st[p] = -1;
        S->dsc[p] = 0.0; /* HF reads 0.0 from positions no path reaches */
    }
    for (uint32_t sa = 0; sa < n;) {
        double base = S->dsc[sa];
        uint32_t mb = char_len(s, sa, n);
        bool single = false;
        tok_trie_iter it;
        tok_trie_iter_init(&it, s + sa, n - sa);
        while (tok_trie_next(&u->trie, &it)) {
            uint32_t kp = sa + (uint32_t)it.len;
            double cand = u->vscore[it.value] + base;
            if (S->st[kp] < 0 || cand > S->dsc[kp]) {
                S->dsc[kp] = cand;
                S->st[kp] = (int32_t)sa;
                S->bid[kp] = it.value;
            }
            if (it.len == mb) single = true;
        }
        if (!single) {
            uint32_t kp = sa + mb;
            double cand = u->unk_score + base;
            if (S->st[kp] < 0 || cand > S->dsc[kp]) {
                if (u->unk < 0) return no_unk(ctx);
                S->dsc[kp] = cand;
                S->st[kp] = (int32_t)sa;
                S->bid[kp] = u->unk;
            }
        }
        sa += mb;
    }
    return TOK_OK;
}

/* SentencePiece Model::EncodeOptimized.  The trie walk is written out: the
 * value of each node on the path is the candidate (UNUSED pieces are not in
 * this rule's trie, see ug_prepare). */
static tok_status viterbi_spm(const ug_model *u, tok_ctx *ctx, ug_scratch *S, const uint8_t *s, uint32_t n)
{
    for (uint32_t p = 0; p <= n; p++) {
        S->st[p] = -1;
        S->fsc[p] = 0.0f;
    }
    const tok_trie_cell *cell = u->trie.cell;
    const double *vs = u->vscore;
    for (uint32_t sa = 0; sa < n;) {
        const double base = (double)S->fsc[sa];
        uint32_t mb = char_len(s, sa, n);
        bool single = false;
        int32_t node = TOK_TRIE_ROOT;
        for (uint32_t k = sa; k < n;) {
            uint32_t c = (uint32_t)cell[node].base + s[k];
            if (cell[c].check != node) break;
            node = (int32_t)c;
            k++;
            int32_t v = cell[c].value;
            if (v < 0) continue;
            double cand = vs[v] + base;
            if (S->st[k] < 0 || cand > (double)S->fsc[k]) {
                S->fsc[k] = (float)cand;
                S->st[k] = (int32_t)sa;
                S->bid[k] = v;
            }
            single |= k - sa == mb;
        }
        if (!single) {
            uint32_t kp = sa + mb;
            float cand = u->unk_score_f + (float)base;
            if (S->st[kp] < 0 || cand > S->fsc[kp]) {
                if (u->unk < 0) return no_unk(ctx);
                S->fsc[kp] = cand;
                S->st[kp] = (int32_t)sa;
                S->bid[kp] = u->unk;
            }
        }
        sa += mb;
    }
    return TOK_OK;
}

/* Path -> ids with the rule's unknown handling. */
static tok_status emit(const ug_model *u, tok_ctx *ctx, const uint8_t *s, const ug_tok *p, size_t k,
                       tok_toks *out)
{
    size_t mark = out->n;
    int32_t unk = u->unk;
    if (u->spm) {
        bool prev_unk = false;
        for (size_t i = 0; i < k; i++) {
            bool is_unk = unk >= 0 && p[i].id == unk;
            if (is_unk && u->base.byte_fallback) {
                for (uint32_t b = p[i].s; b < p[i].e; b++) {
                    int32_t id = u->byte_id[s[b]] >= 0 ? u->byte_id[s[b]] : unk;
                    if (tok_toks_push(out, id, p[i].s, p[i].e)) goto nomem;
                }
            } else if (is_unk && prev_unk && out->n > mark) {
                out->off[out->n - 1].end = p[i].e;
            } else if (tok_toks_push(out, p[i].id, p[i].s, p[i].e)) {
                goto nomem;
            }
            prev_unk = is_unk;
        }
        return TOK_OK;
    }
    for (size_t i = 0; i < k;) {
        if (unk < 0 || p[i].id != unk) {
            if (tok_toks_push(out, p[i].id, p[i].s, p[i].e)) goto nomem;
            i++;
            continue;
        }
        size_t j = i;
        while (j < k && p[j].id == unk) j++;
        uint32_t rs = p[i].s, re = p[j - 1].e;
        i = j;
        /* HF maps the fused string back through its vocabulary */
        int32_t id = tok_trie_find(&u->trie, s + rs, re - rs);
        if (id >= 0) {
            if (tok_toks_push(out, id, rs, re)) goto nomem;
            continue;
        }
        if (u->base.byte_fallback) {
            uint32_t b = rs;
            while (b < re && u->byte_id[s[b]] >= 0) b++;
            if (b == re) {
                for (b = rs; b < re; b++)
                    if (tok_toks_push(out, u->byte_id[s[b]], rs, re)) goto nomem;
                continue;
            }
        }
        if (tok_toks_push(out, unk, rs, re)) goto nomem;
    }
    return TOK_OK;
nomem:
    out->n = mark;
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

/* All lattice nodes, grouped by end position in eidx[eoff[e] .. eoff[e+1]). */
static tok_status lattice(const ug_model *u, tok_ctx *ctx, ug_scratch *S, const uint8_t *s, uint32_t n)
{
    S->nodes.n = 0;
    for (uint32_t sa = 0; sa < n;) {
        uint32_t mb = char_len(s, sa, n);
        bool single = false;
        tok_trie_iter it;
        tok_trie_iter_init(&it, s + sa, n - sa);
        while (tok_trie_next(&u->trie, &it)) {
            double sc = u->vscore[it.value];
            if (isnan(sc)) continue;
            if (tok_vec_push(&S->nodes, ((ug_node){ sa, sa + (uint32_t)it.len, it.value, sc }))) goto nomem;
            if (it.len == mb) single = true;
        }
        if (!single) {
            if (u->unk < 0) return no_unk(ctx);
            double sc = u->spm ? (double)u->unk_score_f : u->unk_score;
            if (tok_vec_push(&S->nodes, ((ug_node){ sa, sa + mb, u->unk, sc }))) goto nomem;
        }
        sa += mb;
    }
    memset(S->eoff, 0, (n + 2) * sizeof *S->eoff);
    for (size_t i = 0; i < S->nodes.n; i++) S->eoff[S->nodes.v[i].e + 1]++;
    for (uint32_t e = 0; e <= n; e++) S->eoff[e + 1] += S->eoff[e];
    if (tok_vec_reserve(&S->eidx, S->nodes.n)) goto nomem;
    S->eidx.n = S->nodes.n;
    /* fill with a moving cursor per end: reuse kcount as the cursor */
    for (uint32_t e = 0; e <= n; e++) S->kcount[e] = S->eoff[e];
    for (size_t i = 0; i < S->nodes.n; i++) S->eidx.v[S->kcount[S->nodes.v[i].e]++] = (uint32_t)i;
    return TOK_OK;
nomem:
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

static tok_status pick(ug_scratch *S, tok_rng *rng, size_t *chosen)
{
    double total = 0;
    for (size_t i = 0; i < S->w.n; i++) total += S->w.v[i];
    if (!(total > 0) || !isfinite(total)) return TOK_ERR_FORMAT;
    double r = tok_rng_unit(rng) * total;
    size_t i = 0;
    for (; i + 1 < S->w.n; i++) {
        if (r < S->w.v[i]) break;
        r -= S->w.v[i];
    }
    /* never pick a zero-weight tail through rounding */
    while (S->w.v[i] <= 0 && i > 0) i--;
    *chosen = i;
    return TOK_OK;
}

/* Forward filtering, backward sampling. */
static tok_status sample_full(const ug_model *u, tok_ctx *ctx, ug_scratch *S, const uint8_t *s, uint32_t n,
                              double theta, tok_rng *rng)
{
    tok_status st = lattice(u, ctx, S, s, n);
    if (st) return st;
    double *A = S->alpha;
    A[0] = 0;
    for (uint32_t e = 1; e <= n; e++) {
        double mx = -INFINITY;
        for (uint32_t k = S->eoff[e]; k < S->eoff[e + 1]; k++) {
            const ug_node *nd = &S->nodes.v[S->eidx.v[k]];
            double x = A[nd->s] + theta * nd->sc;
            if (x > mx) mx = x;
        }
        if (mx == -INFINITY) {
            A[e] = -INFINITY;
            continue;
        }
        double sum = 0;
        for (uint32_t k = S->eoff[e]; k < S->eoff[e + 1]; k++) {
            const ug_node *nd = &S->nodes.v[S->eidx.v[k]];
            sum += exp(A[nd->s] + theta * nd->sc - mx);
        }
        A[e] = mx + log(sum);
    }
    S->path.n = 0;
    for (uint32_t e = n; e > 0;) {
        S->w.n = 0;
        uint32_t b = S->eoff[e], en = S->eoff[e + 1];
        if (b == en || A[e] == -INFINITY) return tok_ctx_fail(ctx, TOK_ERR_FORMAT, "Unigram: no segmentation");
        for (uint32_t k = b; k < en; k++) {
            const ug_node *nd = &S->nodes.v[S->eidx.v[k]];
            if (tok_vec_push(&S->w, exp(A[nd->s] + theta * nd->sc - A[e]))) goto nomem;
        }
        size_t c;
        if (pick(S, rng, &c)) return tok_ctx_fail(ctx, TOK_ERR_FORMAT, "Unigram: sampling weights overflow");
        const ug_node *nd = &S->nodes.v[S->eidx.v[b + c]];
        if (tok_vec_push(&S->path, ((ug_tok){ nd->s, nd->e, nd->id }))) goto nomem;
        e = nd->s;
    }
    for (size_t i = 0, j = S->path.n; i + 1 < j; i++, j--) {
        ug_tok t = S->path.v[i];
        S->path.v[i] = S->path.v[j - 1];
        S->path.v[j - 1] = t;
    }
    return TOK_OK;
nomem:
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

static inline bool kb_less(const ug_kb *a, const ug_kb *b)
{
    return a->score < b->score || (a->score == b->score && a->node > b->node);
}

static void heap_push(ug_scratch *S, ug_kb x)
{
    size_t i = S->heap.n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!kb_less(&S->heap.v[p], &x)) break;
        S->heap.v[i] = S->heap.v[p];
        i = p;
    }
    S->heap.v[i] = x;
}

static ug_kb heap_pop(ug_scratch *S)
{
    ug_kb top = S->heap.v[0], x = S->heap.v[--S->heap.n];
    size_t i = 0, n = S->heap.n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && kb_less(&S->heap.v[c], &S->heap.v[c + 1])) c++;
        if (!kb_less(&x, &S->heap.v[c])) break;
        S->heap.v[i] = S->heap.v[c];
        i = c;
    }
    if (n) S->heap.v[i] = x;
    return top;
}

/* The k best paths (k-best Viterbi by end position), one drawn ∝ exp(theta * score). */
static tok_status sample_nbest(const ug_model *u, tok_ctx *ctx, ug_scratch *S, const uint8_t *s, uint32_t n,
                               size_t k, double theta, tok_rng *rng)
{
    tok_status st = lattice(u, ctx, S, s, n);
    if (st) return st;
    if ((size_t)(n + 1) > MAX_KBEST_ENTRIES / k)
        return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "Unigram: n-best of %zu over %u bytes is too large", k, n);
    if (tok_vec_reserve(&S->kb, (size_t)(n + 1) * k)) goto nomem;
    ug_kb *kb = S->kb.v;
    uint32_t *cnt = S->kcount;
    memset(cnt, 0, (n + 1) * sizeof *cnt);
    kb[0] = (ug_kb){ 0, -1, -1 };
    cnt[0] = 1;
    for (uint32_t e = 1; e <= n; e++) {
        uint32_t b = S->eoff[e], en = S->eoff[e + 1];
        if (b == en) continue;
        if (tok_vec_reserve(&S->heap, en - b)) goto nomem;
        S->heap.n = 0;
        for (uint32_t q = b; q < en; q++) {
            uint32_t ni = S->eidx.v[q];
            const ug_node *nd = &S->nodes.v[ni];
            if (cnt[nd->s]) heap_push(S, (ug_kb){ kb[(size_t)nd->s * k].score + nd->sc, (int32_t)ni, 0 });
        }
        while (cnt[e] < k && S->heap.n) {
            ug_kb top = heap_pop(S);
            kb[(size_t)e * k + cnt[e]++] = top;
            const ug_node *nd = &S->nodes.v[top.node];
            if ((uint32_t)top.rank + 1 < cnt[nd->s])
                heap_push(S, (ug_kb){ kb[(size_t)nd->s * k + (size_t)top.rank + 1].score + nd->sc, top.node,
                                      top.rank + 1 });
        }
    }
    if (!cnt[n]) return tok_ctx_fail(ctx, TOK_ERR_FORMAT, "Unigram: no segmentation");
    S->w.n = 0;
    double best = kb[(size_t)n * k].score;
    for (uint32_t r = 0; r < cnt[n]; r++)
        if (tok_vec_push(&S->w, exp(theta * (kb[(size_t)n * k + r].score - best)))) goto nomem;
    size_t c;
    if (pick(S, rng, &c)) return tok_ctx_fail(ctx, TOK_ERR_FORMAT, "Unigram: sampling weights overflow");
    S->path.n = 0;
    int32_t r = (int32_t)c;
    for (uint32_t e = n; e > 0;) {
        const ug_kb *x = &kb[(size_t)e * k + (size_t)r];
        const ug_node *nd = &S->nodes.v[x->node];
        if (tok_vec_push(&S->path, ((ug_tok){ nd->s, nd->e, nd->id }))) goto nomem;
        e = nd->s;
        r = x->rank;
    }
    for (size_t i = 0, j = S->path.n; i + 1 < j; i++, j--) {
        ug_tok t = S->path.v[i];
        S->path.v[i] = S->path.v[j - 1];
        S->path.v[j - 1] = t;
    }
    return TOK_OK;
nomem:
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

static tok_status ug_encode(const tok_model *m, tok_ctx *ctx, const uint8_t *s, uint32_t n,
                            const tok_encode_options *opt, tok_toks *out)
{
    const ug_model *u = (const ug_model *)m;
    ug_scratch *S = ctx->model_scratch;
    tok_method method = opt ? opt->method : TOK_METHOD_DEFAULT;
    if (method != TOK_METHOD_DEFAULT && method != TOK_METHOD_LIKELIHOOD && method != TOK_METHOD_SAMPLE)
        return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED, "Unigram: method %s is not native", tok_method_name(method));
    if (n == 0) return TOK_OK;
    if (!S) return tok_ctx_fail(ctx, TOK_ERR_ARG, "Unigram: context without scratch");
    tok_status st;
    if (method == TOK_METHOD_SAMPLE && opt->nbest != 1) {
        if (lattice_fit(S, (size_t)n + 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        double theta = opt->alpha;
        tok_rng *rng = tok_ctx_rng(ctx, opt);
        if (opt->nbest > 1) {
            size_t k = opt->nbest > MAX_NBEST ? MAX_NBEST : (size_t)opt->nbest;
            st = sample_nbest(u, ctx, S, s, n, k, theta, rng);
        } else {
            st = sample_full(u, ctx, S, s, n, theta, rng);
        }
        if (st) return st;
    } else {
        if (best_fit(S, (size_t)n + 1, u->spm)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        st = u->spm ? viterbi_spm(u, ctx, S, s, n) : viterbi_hf(u, ctx, S, s, n);
        if (st) return st;
        st = backtrack(S, n);
        if (st == TOK_ERR_NOMEM) return tok_ctx_fail(ctx, st, "out of memory");
        if (st) return tok_ctx_fail(ctx, st, "Unigram: no segmentation");
    }
    return emit(u, ctx, s, S->path.v, S->path.n, out);
}

const tok_model_vt tok__unigram_vt = {
    .kind = TOK_MODEL_UNIGRAM,
    .type = "Unigram",
    .prepare = ug_prepare,
    .scratch_new = ug_scratch_new,
    .scratch_free = ug_scratch_free,
    .encode = ug_encode,
    .free = tok__unigram_free,
    .to_json = tok__unigram_to_json,
};
