/*
 * Sticky tokens after StickyToken (see tok_glitch.h): tokens whose insertion
 * pulls a sentence's embedding towards an unrelated sentence.  The embedder
 * is the caller's; everything else is here.
 */
#include "analyzers/glitch/glitch_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tok_sticky {
    tok_sticky_token *tok;
    size_t n;
    size_t *cand;
    size_t ncand;
    double threshold, mean_sim;
    size_t npairs, nverify;
};

void tok_sticky_options_init(tok_sticky_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->sentences = 1000;
    o->sampled_pairs = 1000;
    o->pairs = 5;
    o->verify_pairs = 250;
    o->insert_num = 8;
    o->percentile = 2.0;
    o->seed = 42;
    o->batch = 256;
}

const char *tok_sticky_verdict_name(int v)
{
    return v == 0 ? "strong_verified" : v == 1 ? "weak_verified" : v == 2 ? "strong_rejected" : "not_verified";
}

/* ---- static embedder ------------------------------------------------------ */

typedef struct static_emb { const tok_tokenizer *t; const tok_matrix *m; tok_ctx *ctx; float *row, *mean; } static_emb;

static int static_fn(void *user, const char *const *texts, const size_t *lens, size_t n, float *out, char *msg)
{
    static_emb *e = user;
    size_t dim = tok_matrix_cols(e->m), rows = tok_matrix_rows(e->m);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_LOSSY;
    for (size_t i = 0; i < n; i++) {
        tok_encoding enc;
        float *v = out + i * dim;
        memset(v, 0, dim * sizeof *v);
        if (tok_encode(e->ctx, texts[i], lens[i], &o, &enc)) {
            snprintf(msg, 256, "static embedder: %s", tok_ctx_error(e->ctx));
            return -1;
        }
        size_t used = 0;
        for (size_t k = 0; k < enc.n; k++) {
            if (enc.ids[k] < 0 || (size_t)enc.ids[k] >= rows) continue;
            tok_matrix_rows_f32(e->m, (size_t)enc.ids[k], 1, e->row);
            for (size_t j = 0; j < dim; j++) v[j] += e->row[j];
            used++;
        }
        for (size_t j = 0; j < dim; j++) v[j] = (used ? v[j] / (float)used : 0.0f) - e->mean[j];
    }
    return 0;
}

tok_status tok_sticky_static_embedder(const tok_tokenizer *t, const tok_matrix *m, tok_sticky_embedder *out,
                                      tok_error *err)
{
    static_emb *e = calloc(1, sizeof *e);
    if (e) {
        e->t = t;
        e->m = m;
        e->ctx = tok_ctx_new(t);
        e->row = malloc(tok_matrix_cols(m) * sizeof *e->row);
        e->mean = calloc(tok_matrix_cols(m), sizeof *e->mean);
    }
    if (!e || !e->ctx || !e->row || !e->mean) {
        tok_sticky_static_free(e);
        if (err) { err->code = TOK_ERR_NOMEM; snprintf(err->message, sizeof err->message, "out of memory"); }
        return TOK_ERR_NOMEM;
    }
    /* the mean row, subtracted from every text vector */
    size_t rows = tok_matrix_rows(m), dim = tok_matrix_cols(m);
    double *acc = calloc(dim, sizeof *acc);
    if (!acc) {
        tok_sticky_static_free(e);
        if (err) { err->code = TOK_ERR_NOMEM; snprintf(err->message, sizeof err->message, "out of memory"); }
        return TOK_ERR_NOMEM;
    }
    for (size_t r = 0; r < rows; r++) {
        tok_matrix_rows_f32(m, r, 1, e->row);
        for (size_t j = 0; j < dim; j++) acc[j] += e->row[j];
    }
    for (size_t j = 0; j < dim; j++) e->mean[j] = (float)(acc[j] / (double)(rows ? rows : 1));
    free(acc);
    out->fn = static_fn;
    out->user = e;
    out->dim = tok_matrix_cols(m);
    out->name = "static (mean of input-embedding rows, centred)";
    return TOK_OK;
}

void tok_sticky_static_free(void *user)
{
    static_emb *e = user;
    if (!e) return;
    tok_ctx_free(e->ctx);
    free(e->row);
    free(e->mean);
    free(e);
}

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n) { return n ? (size_t)(rng_next(s) % n) : 0; }

typedef struct dist3 { double cos, euc, man; } dist3;

static dist3 distances(const float *a, const float *b, size_t dim)
{
    double dot = 0, na = 0, nb = 0, e = 0, m = 0;
    for (size_t j = 0; j < dim; j++) {
        double x = a[j], y = b[j];
        dot += x * y;
        na += x * x;
        nb += y * y;
        e += (x - y) * (x - y);
        m += fabs(x - y);
    }
    dist3 d;
    double den = sqrt(na) * sqrt(nb);
    d.cos = 1.0 - (den > 0 ? dot / den : 0.0); /* sklearn: zero vectors count as orthogonal */
    if (d.cos < 0) d.cos = 0;
    if (d.cos > 2) d.cos = 2;
    d.euc = sqrt(e);
    d.man = m;
    return d;
}

/* calculate_score_with_token_distance, smaller distances better */
static double sticky_score(const double *v, int n, double tokdist, double a, double b, double g)
{
    double rise = 0, fall = 0;
    int nr = 0, nf = 0;
    for (int i = 1; i < n; i++) {
        double c = v[i] - v[i - 1];
        if (c > 0) { rise += c; nr++; }
        else if (c < 0) { fall -= c; nf++; }
    }
    return (fall + a * nf + 0.1 * tokdist) / (rise + b * nr + g);
}

typedef struct embq {
    const tok_sticky_embedder *e;
    size_t batch;
    const char **texts;
    size_t *lens;
    tok_error *err;
} embq;

static int embed(embq *q, const char *const *texts, const size_t *lens, size_t n, float *out)
{
    char msg[256] = "";
    for (size_t i = 0; i < n; i += q->batch) {
        size_t k = n - i < q->batch ? n - i : q->batch;
        if (q->e->fn(q->e->user, texts + i, lens + i, k, out + i * q->e->dim, msg)) {
            q->err->code = TOK_ERR_IO;
            snprintf(q->err->message, sizeof q->err->message, "embedder %s: %s", q->e->name ? q->e->name : "",
                     msg[0] ? msg : "failed");
            return -1;
        }
    }
    return 0;
}

/* Python's text.split() (whitespace runs), one insertion at a random word
 * position (0..words), " ".join(...) */
static int random_insert(gl_buf *out, const char *text, size_t len, const char *tok, size_t tl, uint64_t *rng)
{
    size_t nw = 0;
    for (size_t i = 0; i < len;) {             /* count the words */
        size_t j = i;
        int sp = gl_py_space(gl_next_cp(text, len, &j));
        if (!sp && (i == 0 || gl_py_space(gl_prev_cp(text, i)))) nw++;
        i = j;
    }
    size_t pos = rng_below(rng, nw + 1), w = 0;
    out->n = 0;
    for (size_t i = 0; i <= len;) {
        /* skip spaces */
        while (i < len) {
            size_t j = i;
            if (!gl_py_space(gl_next_cp(text, len, &j))) break;
            i = j;
        }
        if (w == pos) {
            if (out->n && gl_buf_put(out, " ", 1)) return -1;
            if (gl_buf_put(out, tok, tl)) return -1;
        }
        if (i >= len) break;
        size_t s = i;
        while (i < len) {
            size_t j = i;
            if (gl_py_space(gl_next_cp(text, len, &j))) break;
            i = j;
        }
        if (out->n && gl_buf_put(out, " ", 1)) return -1;
        if (gl_buf_put(out, text + s, i - s)) return -1;
        w++;
    }
    return 0;
}

/* the 3N texts of one pair for token tok: prefix x1..N, suffix x1..N, insert x1..N */
static int build_texts(gl_buf *texts, int N, const char *c, size_t cl, const char *tok, size_t tl, gl_buf *ins,
                       uint64_t *rng)
{
    for (int r = 1; r <= N; r++) {
        gl_buf *pb = &texts[r - 1], *sb = &texts[N + r - 1], *ib = &texts[2 * N + r - 1];
        pb->n = sb->n = 0;
        for (int k = 0; k < r; k++)
            if (gl_buf_put(pb, tok, tl)) return -1;
        if (gl_buf_put(pb, c, cl) || gl_buf_put(sb, c, cl)) return -1;
        for (int k = 0; k < r; k++)
            if (gl_buf_put(sb, tok, tl)) return -1;
        const char *src = r == 1 ? c : texts[2 * N + r - 2].p;
        size_t srcl = r == 1 ? cl : texts[2 * N + r - 2].n;
        if (random_insert(ins, src, srcl, tok, tl, rng)) return -1;
        ib->n = 0;
        if (gl_buf_put(ib, ins->p, ins->n)) return -1;
    }
    return 0;
}

typedef struct pair { size_t a, b; double sim; } pair;

typedef struct sent_set { const char *const *s; const size_t *len; } sent_set;

/* sentence indices by content (qsort_r: glibc's argument order) */
static int sent_cmp(const void *x, const void *y, void *ctx)
{
    const sent_set *ss = ctx;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    size_t la = ss->len[a], lb = ss->len[b];
    int c = memcmp(ss->s[a], ss->s[b], la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static int idx_cmp(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return (a > b) - (a < b);
}

static int pair_cmp(const void *x, const void *y)
{
    const pair *p = x, *q = y;
    return p->sim < q->sim ? -1 : p->sim > q->sim ? 1 : (p->a < q->a ? -1 : p->a > q->a ? 1 : (p->b > q->b) - (p->b < q->b));
}

/* pairs sampled at `num` uniform similarity targets between lo and hi, each the
 * closest pair (distinct: skip taken ones when `distinct`) */
static size_t sample_uniform(const pair *p, size_t n, int num, double lo, double hi, int distinct, size_t *out,
                             unsigned char *taken)
{
    if (!n || num <= 0) return 0;
    double step = num > 1 ? (hi - lo) / (num - 1) : 0;
    size_t k = 0;
    for (int i = 0; i < num; i++) {
        double t = lo + i * step;
        /* first index with sim >= t, then walk outwards to the nearest (free) one */
        size_t a = 0, b = n;
        while (a < b) { size_t m = (a + b) / 2; if (p[m].sim < t) a = m + 1; else b = m; }
        long l = (long)a - 1, r = (long)a;
        for (;;) {
            int lok = l >= 0, rok = r < (long)n;
            if (!lok && !rok) break;
            long pick;
            if (lok && (!rok || fabs(p[l].sim - t) <= fabs(p[r].sim - t))) pick = l--;
            else pick = r++;
            if (distinct && taken[pick]) continue;
            if (distinct) taken[pick] = 1;
            out[k++] = (size_t)pick;
            break;
        }
    }
    return k;
}

tok_sticky *tok_sticky_run(tok_glitch *g, const char *const *sentences, const size_t *lens, size_t n,
                           const tok_sticky_embedder *emb, const tok_sticky_options *opt, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    err->code = TOK_OK;
    err->message[0] = 0;
    tok_sticky_options o;
    tok_sticky_options_init(&o);
    if (opt) memcpy(&o, opt, opt->size < sizeof o ? opt->size : sizeof o);
    if (o.batch == 0) o.batch = 1;
    size_t dim = emb->dim;
    embq q = { emb, o.batch, NULL, NULL, err };
    tok_sticky *st = calloc(1, sizeof *st);
    float *E = NULL, *se = NULL, *buf = NULL;
    pair *pairs = NULL;
    size_t *idx = NULL, *sel = NULL, *scoring = NULL, *verif = NULL;
    unsigned char *taken = NULL;
    const char **tx = NULL;
    size_t *tl = NULL;
    gl_buf *texts = NULL;
    size_t ntext_cap = 3 * (size_t)o.insert_num + 1;
    uint64_t rng = o.seed;
    if (!st) goto nomem;

    /* 2. mean cosine similarity of the vocabulary entries: |sum of unit vectors|^2 / V^2 */
    {
        size_t nv = 0, B = 1024;
        double *sum = calloc(dim, sizeof *sum);
        const char **vt = malloc(B * sizeof *vt);
        size_t *vl = malloc(B * sizeof *vl);
        float *ve = malloc(B * dim * sizeof *ve);
        if (!sum || !vt || !vl || !ve) { free(sum); free(vt); free(vl); free(ve); goto nomem; }
        size_t k = 0;
        for (size_t i = 0; i <= g->n; i++) {
            if (i < g->n && g->tok[i].id >= 0) {
                vt[k] = tok_token_text(g->t, (int32_t)i, &vl[k]);
                k++;
            }
            if (k == B || (i == g->n && k)) {
                if (embed(&q, vt, vl, k, ve)) { free(sum); free(vt); free(vl); free(ve); goto fail; }
                for (size_t r = 0; r < k; r++) {
                    double nn = 0;
                    for (size_t j = 0; j < dim; j++) nn += (double)ve[r * dim + j] * ve[r * dim + j];
                    nn = sqrt(nn);
                    if (nn > 0)
                        for (size_t j = 0; j < dim; j++) sum[j] += ve[r * dim + j] / nn;
                }
                nv += k;
                k = 0;
            }
        }
        double s2 = 0;
        for (size_t j = 0; j < dim; j++) s2 += sum[j] * sum[j];
        st->mean_sim = nv ? s2 / ((double)nv * (double)nv) : 0;
        free(sum); free(vt); free(vl); free(ve);
    }

    /* 3. sentences: distinct, sampled, all pairs */
    idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) goto nomem;
    /* distinct non-empty sentences: sort the indices by content, keep the first
     * of each run, back in file order (n log n for any input size) */
    size_t ns = 0;
    for (size_t i = 0; i < n; i++)
        if (lens[i]) idx[ns++] = i;
    sent_set ss = { sentences, lens };
    qsort_r(idx, ns, sizeof *idx, sent_cmp, &ss);
    size_t w = 0;
    for (size_t i = 0; i < ns; i++)
        if (!w || sent_cmp(&idx[w - 1], &idx[i], &ss)) idx[w++] = idx[i];
        else if (idx[i] < idx[w - 1]) idx[w - 1] = idx[i];
    ns = w;
    qsort(idx, ns, sizeof *idx, idx_cmp);
    if ((int)ns > o.sentences) { /* partial Fisher-Yates */
        for (size_t i = 0; i < (size_t)o.sentences; i++) {
            size_t j = i + rng_below(&rng, ns - i), t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        ns = (size_t)o.sentences;
    }
    if (ns < 2) {
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message, "sticky tokens need at least 2 distinct sentences (%zu given)", ns);
        goto fail;
    }
    se = malloc(ns * dim * sizeof *se);
    tx = malloc((ns > ntext_cap ? ns : ntext_cap) * sizeof *tx);
    tl = malloc((ns > ntext_cap ? ns : ntext_cap) * sizeof *tl);
    if (!se || !tx || !tl) goto nomem;
    for (size_t i = 0; i < ns; i++) { tx[i] = sentences[idx[i]]; tl[i] = lens[idx[i]]; }
    if (embed(&q, tx, tl, ns, se)) goto fail;
    size_t np = ns * (ns - 1) / 2, k = 0;
    pairs = malloc(np * sizeof *pairs);
    if (!pairs) goto nomem;
    for (size_t a = 0; a < ns; a++)
        for (size_t b = a + 1; b < ns; b++) {
            pairs[k].a = a;
            pairs[k].b = b;
            pairs[k].sim = 1.0 - distances(se + a * dim, se + b * dim, dim).cos;
            k++;
        }
    qsort(pairs, np, sizeof *pairs, pair_cmp);
    /* 1000 pairs uniformly over the whole similarity range, distinct */
    taken = calloc(np, 1);
    sel = malloc((size_t)(o.sampled_pairs > 0 ? o.sampled_pairs : 1) * sizeof *sel);
    if (!taken || !sel) goto nomem;
    size_t nsel = sample_uniform(pairs, np, o.sampled_pairs, pairs[0].sim, pairs[np - 1].sim, 1, sel, taken);
    /* the sampled pairs below the mean similarity, in similarity order */
    pair *low = malloc((nsel ? nsel : 1) * sizeof *low);
    if (!low) goto nomem;
    size_t nlow = 0;
    for (size_t i = 0; i < np; i++)
        if (taken[i] && pairs[i].sim < st->mean_sim) low[nlow++] = pairs[i];
    if (!nlow) {
        free(low);
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message,
                 "no sentence pair is less similar than the vocabulary mean (%.4f): give more varied sentences", st->mean_sim);
        goto fail;
    }
    double lo = low[0].sim, hi = lo + (st->mean_sim - lo) * 0.8;
    int np1 = o.pairs < (int)nlow ? o.pairs : (int)nlow, np2 = o.verify_pairs < (int)nlow ? o.verify_pairs : (int)nlow;
    scoring = malloc((size_t)(np1 > 0 ? np1 : 1) * sizeof *scoring);
    verif = malloc((size_t)(np2 > 0 ? np2 : 1) * sizeof *verif);
    if (!scoring || !verif) { free(low); goto nomem; }
    st->npairs = sample_uniform(low, nlow, np1, lo, hi, 0, scoring, NULL);
    st->nverify = sample_uniform(low, nlow, np2, lo, hi, 0, verif, NULL);
    /* keep the chosen pairs as (gt, contract) sentence indices */
    pair *sp = malloc((st->npairs + st->nverify + 1) * sizeof *sp);
    if (!sp) { free(low); goto nomem; }
    for (size_t i = 0; i < st->npairs; i++) sp[i] = low[scoring[i]];
    for (size_t i = 0; i < st->nverify; i++) sp[st->npairs + i] = low[verif[i]];
    free(low);

    /* 4. scores for the OK tokens */
    size_t nok = 0;
    for (size_t i = 0; i < g->n; i++) {
        const tok_glitch_token *t = &g->tok[i];
        int blank = 1;
        for (size_t j = 0; j < t->decoded_len && blank;) blank = gl_py_space(gl_next_cp(t->decoded, t->decoded_len, &j));
        if (t->id >= 0 && !blank && (t->category == TOK_GLITCH_OK || t->category == TOK_GLITCH_OK_SPECIAL)) nok++;
    }
    st->tok = calloc(nok ? nok : 1, sizeof *st->tok);
    if (!st->tok) { free(sp); goto nomem; }
    for (size_t i = 0; i < g->n; i++) {
        const tok_glitch_token *t = &g->tok[i];
        int blank = 1;
        for (size_t j = 0; j < t->decoded_len && blank;) blank = gl_py_space(gl_next_cp(t->decoded, t->decoded_len, &j));
        if (t->id >= 0 && !blank && (t->category == TOK_GLITCH_OK || t->category == TOK_GLITCH_OK_SPECIAL)) {
            st->tok[st->n].id = t->id;
            st->tok[st->n].verdict = -1;
            st->n++;
        }
    }
    if (o.sample && o.sample < st->n) { /* a seeded sample, kept in id order */
        for (size_t i = 0; i < o.sample; i++) {
            size_t j = i + rng_below(&rng, st->n - i);
            tok_sticky_token t = st->tok[i];
            st->tok[i] = st->tok[j];
            st->tok[j] = t;
        }
        st->n = o.sample;
        for (size_t i = 1; i < st->n; i++) {
            tok_sticky_token x = st->tok[i];
            size_t j = i;
            while (j > 0 && st->tok[j - 1].id > x.id) { st->tok[j] = st->tok[j - 1]; j--; }
            st->tok[j] = x;
        }
    }
    int N = o.insert_num;
    size_t per = 3 * (size_t)N;
    size_t maxp = st->npairs > st->nverify ? st->npairs : st->nverify, ntx = maxp * per;
    texts = calloc(ntx ? ntx : 1, sizeof *texts);
    buf = malloc((ntx + 1) * dim * sizeof *buf);
    if (ntx + 1 > ntext_cap) {
        const char **t2 = realloc(tx, (ntx + 1 > ns ? ntx + 1 : ns) * sizeof *t2);
        if (t2) tx = t2;
        size_t *l2 = realloc(tl, (ntx + 1 > ns ? ntx + 1 : ns) * sizeof *l2);
        if (l2) tl = l2;
        if (!t2 || !l2) { free(sp); goto nomem; }
    }
    float *gte = malloc((st->npairs + st->nverify) * dim * sizeof *gte), *cte = malloc((st->npairs + st->nverify) * dim * sizeof *cte);
    if (!texts || !buf || !gte || !cte) { free(sp); free(gte); free(cte); goto nomem; }
    for (size_t i = 0; i < st->npairs + st->nverify; i++) {
        memcpy(gte + i * dim, se + sp[i].a * dim, dim * sizeof *gte);
        memcpy(cte + i * dim, se + sp[i].b * dim, dim * sizeof *cte);
    }
    static const double W[3] = { 0.35, 0.35, 0.3 }, VW[3] = { 4.0 / 11, 4.0 / 11, 3.0 / 11 };
    double *vals = malloc((size_t)(N + 1) * 3 * sizeof *vals);
    if (!vals) { free(sp); free(gte); free(cte); goto nomem; }
    gl_buf ins = { 0 };
    /* one token over pairs [p0, p0+np): the texts of all of them, embedded in one go */
    #define BUILD_TEXTS(tokp, tokl, p0, np_, extra)                                                      \
        do {                                                                                            \
            for (size_t j_ = 0; j_ < (np_); j_++) {                                                     \
                size_t pi_ = (p0) + j_;                                                                 \
                if (build_texts(texts + j_ * per, N, sentences[idx[sp[pi_].b]], lens[idx[sp[pi_].b]],   \
                                tokp, tokl, &ins, &rng))                                                \
                    goto nomem2;                                                                        \
            }                                                                                           \
            for (size_t t_ = 0; t_ < (np_) * per; t_++) { tx[t_] = texts[t_].p; tl[t_] = texts[t_].n; } \
            if (extra) { tx[(np_) * per] = tokp; tl[(np_) * per] = tokl; }                               \
            if (embed(&q, tx, tl, (np_) * per + (extra), buf)) goto fail2;                              \
        } while (0)

    for (size_t ti = 0; ti < st->n; ti++) {
        const tok_glitch_token *t = &g->tok[st->tok[ti].id];
        /* the token's own distance to each gt sentence */
        double agg[3] = { 0, 0, 0 };
        BUILD_TEXTS(t->decoded, t->decoded_len, 0, st->npairs, 1); /* and the token alone, last */
        const float *tokv = buf + st->npairs * per * dim;
        for (size_t pi = 0; pi < st->npairs; pi++) {
            dist3 d0 = distances(gte + pi * dim, cte + pi * dim, dim), dt = distances(tokv, gte + pi * dim, dim);
            for (int kind = 0; kind < 3; kind++) {
                vals[0] = d0.cos; vals[N + 1] = d0.euc; vals[2 * (N + 1)] = d0.man;
                for (int r = 0; r < N; r++) {
                    dist3 d = distances(gte + pi * dim, buf + (pi * per + (size_t)kind * N + r) * dim, dim);
                    vals[1 + r] = d.cos;
                    vals[N + 2 + r] = d.euc;
                    vals[2 * (N + 1) + 1 + r] = d.man;
                }
                agg[0] += W[kind] * sticky_score(vals, N + 1, dt.cos, 0.1, 0.05, 0.01);
                agg[1] += W[kind] * sticky_score(vals + N + 1, N + 1, dt.euc, 0.1, 0.05, 0.01);
                agg[2] += W[kind] * sticky_score(vals + 2 * (N + 1), N + 1, dt.man, 1, 0.5, 0.1);
            }
        }
        for (int m = 0; m < 3; m++)
            st->tok[ti].score[m] = (float)(round(agg[m] / (double)st->npairs * 1e6) / 1e6);
    }

    /* 5. candidates: cosine score at or above its (100 - p)th percentile */
    if (st->n) {
        double *v = malloc(st->n * sizeof *v);
        st->cand = malloc(st->n * sizeof *st->cand);
        if (!v || !st->cand) { free(v); goto nomem2; }
        for (size_t i = 0; i < st->n; i++) v[i] = st->tok[i].score[0];
        for (size_t i = 1; i < st->n; i++) { double x = v[i]; size_t j = i; while (j > 0 && v[j - 1] > x) { v[j] = v[j - 1]; j--; } v[j] = x; }
        double pos = (100.0 - o.percentile) / 100.0 * (double)(st->n - 1);
        size_t l = (size_t)floor(pos), h = l + 1 < st->n ? l + 1 : l;
        st->threshold = v[l] + (v[h] - v[l]) * (pos - (double)l);
        free(v);
        for (size_t i = 0; i < st->n; i++)
            if (st->tok[i].score[0] >= st->threshold) { st->tok[i].candidate = 1; st->cand[st->ncand++] = i; }
        for (size_t i = 1; i < st->ncand; i++) {
            size_t x = st->cand[i], j = i;
            while (j > 0 && st->tok[st->cand[j - 1]].score[0] < st->tok[x].score[0]) { st->cand[j] = st->cand[j - 1]; j--; }
            st->cand[j] = x;
        }
    }
    /* 6. verification */
    for (size_t c = 0; c < st->ncand; c++) {
        tok_sticky_token *tk = &st->tok[st->cand[c]];
        const tok_glitch_token *t = &g->tok[tk->id];
        double cnt[3] = { 0, 0, 0 };
        BUILD_TEXTS(t->decoded, t->decoded_len, st->npairs, st->nverify, 0);
        for (size_t vi = 0; vi < st->nverify; vi++) {
            size_t pi = st->npairs + vi;
            dist3 d0 = distances(gte + pi * dim, cte + pi * dim, dim);
            for (int kind = 0; kind < 3; kind++) {
                double m[3] = { 0, 0, 0 };
                for (int r = 0; r < N; r++) {
                    dist3 d = distances(gte + pi * dim, buf + (vi * per + (size_t)kind * N + r) * dim, dim);
                    m[0] += d.cos; m[1] += d.euc; m[2] += d.man;
                }
                if (m[0] / N - d0.cos < 0) cnt[0] += VW[kind];
                if (m[1] / N - d0.euc < 0) cnt[1] += VW[kind];
                if (m[2] / N - d0.man < 0) cnt[2] += VW[kind];
            }
        }
        double mx = 0;
        for (int m = 0; m < 3; m++) {
            tk->verify[m] = (float)(st->nverify ? cnt[m] / (double)st->nverify : 0);
            if (tk->verify[m] > mx) mx = tk->verify[m];
        }
        tk->verdict = mx > 0.877 ? 0 : mx > 0.816 ? 1 : mx < 0.632 ? 2 : 1;
    }
    #undef BUILD_TEXTS
    free(ins.p);
    for (size_t i = 0; i < ntx; i++) free(texts[i].p);
    free(texts); free(vals); free(sp); free(gte); free(cte);
    free(E); free(se); free(buf); free(pairs); free(idx); free(sel); free(scoring); free(verif); free(taken);
    free(tx); free(tl);
    return st;
nomem2:
    err->code = TOK_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
fail2:
    free(ins.p);
    for (size_t i = 0; i < ntx; i++) free(texts[i].p);
    free(texts); free(vals); free(sp); free(gte); free(cte);
    texts = NULL;
    goto fail;
nomem:
    err->code = TOK_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
fail:
    free(E); free(se); free(buf); free(pairs); free(idx); free(sel); free(scoring); free(verif); free(taken);
    free(tx); free(tl); free(texts);
    tok_sticky_free(st);
    return NULL;
}

void tok_sticky_free(tok_sticky *s)
{
    if (!s) return;
    free(s->tok);
    free(s->cand);
    free(s);
}

const tok_sticky_token *tok_sticky_tokens(const tok_sticky *s, size_t *n) { *n = s->n; return s->tok; }
const size_t *tok_sticky_candidates(const tok_sticky *s, size_t *n, double *threshold)
{
    *n = s->ncand;
    if (threshold) *threshold = s->threshold;
    return s->cand;
}
void tok_sticky_stats(const tok_sticky *s, double *mean_similarity, size_t *pairs, size_t *verify_pairs)
{
    if (mean_similarity) *mean_similarity = s->mean_sim;
    if (pairs) *pairs = s->npairs;
    if (verify_pairs) *verify_pairs = s->nverify;
}
