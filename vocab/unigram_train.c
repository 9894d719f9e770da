/*
 * unigram_train: SentencePiece's Unigram trainer on pre-token counts.
 *
 * The steps of spm_train --model_type=unigram:
 *  - seed pieces: every substring of the words (at most max_piece_length
 *    characters, a "▁" only at its start) that is right-maximal -- not always
 *    followed by one same character, as the suffix tree's internal nodes
 *    SentencePiece enumerates with a suffix array -- scored by frequency x
 *    length; the best seed_size of them plus every character;
 *  - EM: expected piece counts over each word's segmentation lattice
 *    (forward-backward), pieces expected less than 0.5 times dropped, scores
 *    digamma(count) - digamma(total) (Bayesian EM with a sparse prior);
 *  - pruning: each piece's loss is the drop in likelihood when its Viterbi
 *    occurrences are re-segmented with the best alternative segmentation of
 *    the piece itself; the pieces with the smallest loss go, to
 *    max(shrinking_factor x size, 1.1 x vocab_size), until that size is
 *    reached;
 *  - final: characters first (required), then the best-scoring pieces up to
 *    vocab_size minus the meta pieces <unk>, <s>, </s> (and user symbols).
 * Differences from spm_train: the corpus is counted words (pre-tokens), so the
 * seed frequencies are summed over words rather than read off one suffix
 * array of the raw sentences; characters are all kept (character coverage
 * 1.0); normalization is the template's.
 */
#include "tok_train.h"
#include "train_impl.h"
#include "vocab_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uscript.h>
#include <xxhash.h>

/* --- a string -> index map over byte strings --------------------------------- */

typedef struct smap {
    uint64_t *h;   /* hash | 1, 0 empty */
    uint32_t *v;
    size_t cap, n;
} smap;

typedef struct piece {
    const char *s;   /* into the word blob or own copy */
    uint32_t len;    /* bytes */
    uint32_t chars;
    double freq;     /* seed: weighted frequency; EM: expected count */
    double score;    /* log probability */
    uint32_t rc;     /* right context (seed): first next char + 1, or UINT32_MAX = varied/end */
    int alive;
} piece;

typedef struct pvec { piece *v; size_t n, cap; } pvec;

static uint64_t sh(const char *s, size_t n) { return XXH3_64bits(s, n) | 1; }

static int smap_grow(smap *m, const pvec *pv)
{
    size_t cap = m->cap ? m->cap * 2 : 1 << 16;
    uint64_t *h = calloc(cap, sizeof *h);
    uint32_t *v = malloc(cap * sizeof *v);
    if (!h || !v) { free(h); free(v); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->h[i]) continue;
        size_t j = m->h[i] & (cap - 1);
        while (h[j]) j = (j + 1) & (cap - 1);
        h[j] = m->h[i];
        v[j] = m->v[i];
    }
    (void)pv;
    free(m->h);
    free(m->v);
    m->h = h;
    m->v = v;
    m->cap = cap;
    return 0;
}

static int64_t smap_find(const smap *m, const pvec *pv, const char *s, size_t n)
{
    if (!m->cap) return -1;
    uint64_t h = sh(s, n);
    size_t j = h & (m->cap - 1);
    while (m->h[j]) {
        if (m->h[j] == h) {
            const piece *p = &pv->v[m->v[j]];
            if (p->len == n && !memcmp(p->s, s, n)) return m->v[j];
        }
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

static int64_t smap_add(smap *m, pvec *pv, const char *s, size_t n, uint32_t chars)
{
    if ((m->n + 1) * 2 > m->cap && smap_grow(m, pv)) return -1;
    if (pv->n == pv->cap) {
        size_t cap = pv->cap ? pv->cap * 2 : 4096;
        piece *v = realloc(pv->v, cap * sizeof *v);
        if (!v) return -1;
        pv->v = v;
        pv->cap = cap;
    }
    uint64_t h = sh(s, n);
    size_t j = h & (m->cap - 1);
    while (m->h[j]) j = (j + 1) & (m->cap - 1);
    m->h[j] = h;
    m->v[j] = (uint32_t)pv->n;
    m->n++;
    pv->v[pv->n] = (piece){ s, (uint32_t)n, chars, 0, 0, 0, 1 };
    return (int64_t)pv->n++;
}

static void smap_free(smap *m) { free(m->h); free(m->v); memset(m, 0, sizeof *m); }

/* --- lattice over one word --------------------------------------------------- */

typedef struct lat {
    uint32_t *cpos;   /* byte offset of each char boundary (nchars + 1) */
    size_t nchars, cap;
    int32_t *eid;     /* edges: piece id per (end boundary, length) */
    double *alpha, *beta;
    int32_t *bp;      /* viterbi back pointer: piece id */
    uint32_t *bl;     /* viterbi back length in chars */
    double *best;
} lat;

static int lat_prep(lat *L, const char *w, size_t len)
{
    size_t n = 0;
    for (size_t p = 0; p < len; p += vx_u8len((unsigned char)w[p])) n++;
    if (n + 1 > L->cap) {
        size_t cap = (n + 1) * 2;
        uint32_t *c = realloc(L->cpos, cap * sizeof *c);
        if (c) L->cpos = c;
        double *a = c ? realloc(L->alpha, cap * sizeof *a) : NULL;
        if (a) L->alpha = a;
        double *b = a ? realloc(L->beta, cap * sizeof *b) : NULL;
        if (b) L->beta = b;
        double *bs = b ? realloc(L->best, cap * sizeof *bs) : NULL;
        if (bs) L->best = bs;
        int32_t *bp = bs ? realloc(L->bp, cap * sizeof *bp) : NULL;
        if (bp) L->bp = bp;
        uint32_t *bl = bp ? realloc(L->bl, cap * sizeof *bl) : NULL;
        if (bl) L->bl = bl;
        if (!bl) return -1;
        L->cap = cap;
    }
    size_t k = 0, p = 0;
    for (; p < len; p += vx_u8len((unsigned char)w[p])) L->cpos[k++] = (uint32_t)p;
    L->cpos[k] = (uint32_t)len;
    L->nchars = n;
    return 0;
}

static inline double lse(double a, double b)
{
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

typedef struct ctx {
    smap map;
    pvec pv;
    size_t maxlen;
    lat L;
} uctx;

/* piece id of chars [i, j) of w, or -1 (dead pieces excluded) */
static inline int64_t edge(const uctx *u, const char *w, size_t i, size_t j, int32_t skip)
{
    int64_t id = smap_find(&u->map, &u->pv, w + u->L.cpos[i], u->L.cpos[j] - u->L.cpos[i]);
    if (id < 0 || !u->pv.v[id].alive || id == skip) return -1;
    return id;
}

/* Expected counts (weighted by cnt) into ex[]; returns the word's log Z.
 * The lattice's edges are looked up once (E[j * (maxlen + 1) + l]: the
 * piece ending at character j, l characters long, or -1). */
static double forward_backward(uctx *u, const char *w, double cnt, double *ex, int32_t **eb, size_t *ecap)
{
    lat *L = &u->L;
    size_t n = L->nchars, M = u->maxlen + 1;
    if ((n + 1) * M > *ecap) {
        size_t cap = (n + 1) * M * 2;
        int32_t *nb = realloc(*eb, cap * sizeof *nb);
        if (!nb) return -INFINITY;
        *eb = nb;
        *ecap = cap;
    }
    int32_t *E = *eb;
    for (size_t j = 1; j <= n; j++)
        for (size_t l = 1; l < M; l++) E[j * M + l] = l <= j ? (int32_t)edge(u, w, j - l, j, -1) : -1;
    L->alpha[0] = 0;
    for (size_t j = 1; j <= n; j++) {
        double a = -INFINITY;
        for (size_t l = 1; l < M && l <= j; l++) {
            int32_t id = E[j * M + l];
            if (id >= 0 && L->alpha[j - l] != -INFINITY) a = lse(a, L->alpha[j - l] + u->pv.v[id].score);
        }
        L->alpha[j] = a;
    }
    L->beta[n] = 0;
    for (size_t i = n; i-- > 0;) {
        double b = -INFINITY;
        for (size_t l = 1; l < M && i + l <= n; l++) {
            int32_t id = E[(i + l) * M + l];
            if (id >= 0 && L->beta[i + l] != -INFINITY) b = lse(b, L->beta[i + l] + u->pv.v[id].score);
        }
        L->beta[i] = b;
    }
    double z = L->alpha[n];
    if (z == -INFINITY) return z;
    for (size_t j = 1; j <= n; j++)
        for (size_t l = 1; l < M && l <= j; l++) {
            int32_t id = E[j * M + l];
            if (id < 0) continue;
            double lp = L->alpha[j - l] + u->pv.v[id].score + L->beta[j] - z;
            ex[id] += cnt * exp(lp);
        }
    return z;
}

/* Viterbi path (piece ids, written to out, count returned), skipping piece
 * `skip`; 0 if no path.  Ties: the first best found (longest last piece). */
static size_t viterbi(uctx *u, const char *w, int32_t skip, int32_t *out, double *score)
{
    lat *L = &u->L;
    size_t n = L->nchars;
    L->best[0] = 0;
    for (size_t j = 1; j <= n; j++) {
        double b = -INFINITY;
        int32_t bp = -1;
        uint32_t bl = 0;
        for (size_t l = 1; l <= u->maxlen && l <= j; l++) {
            int64_t id = edge(u, w, j - l, j, skip);
            if (id < 0 || L->best[j - l] == -INFINITY) continue;
            double c = L->best[j - l] + u->pv.v[id].score;
            if (c > b) { b = c; bp = (int32_t)id; bl = (uint32_t)l; }
        }
        L->best[j] = b;
        L->bp[j] = bp;
        L->bl[j] = bl;
    }
    if (L->best[n] == -INFINITY) return 0;
    if (score) *score = L->best[n];
    size_t k = 0;
    for (size_t j = n; j > 0; j -= L->bl[j]) k++;
    size_t m = k;
    for (size_t j = n; j > 0; j -= L->bl[j]) out[--k] = L->bp[j];
    return m;
}

/* digamma for x > 0 (asymptotic series after shifting x up) */
static double digamma(double x)
{
    double r = 0;
    while (x < 7) { r -= 1 / x; x += 1; }
    double f = 1 / (x * x);
    return r + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

typedef struct cand { uint32_t id; double v; } cand;
static int cand_desc(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->v != y->v) return x->v > y->v ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int piece_order(const void *a, const void *b, void *arg)
{
    const piece *pv = arg;
    const uint32_t *x = a, *y = b;
    const piece *p = &pv[*x], *q = &pv[*y];
    if (p->score != q->score) return p->score > q->score ? -1 : 1;
    size_t m = p->len < q->len ? p->len : q->len;
    int r = memcmp(p->s, q->s, m);
    return r ? r : (p->len > q->len) - (p->len < q->len);
}

static const char WS[] = "\xe2\x96\x81"; /* ▁ */

static uint32_t cp_at(const char *s, size_t *adv)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t l = vx_u8len(u[0]);
    *adv = l;
    if (l == 1) return u[0];
    uint32_t c = u[0] & (0x7F >> l);
    for (size_t i = 1; i < l; i++) c = c << 6 | (u[i] & 0x3F);
    return c;
}

/* SentencePiece's rule for a piece: "▁" only first, no NUL, and one Unicode
 * script (Hiragana and Katakana count as Han; digits keep theirs, Common);
 * at most maxchars characters (0: no limit). */
int vx_spm_valid_piece(const char *s, size_t n, size_t maxchars)
{
    size_t nc = 0;
    for (size_t q = 0; q < n; q += vx_u8len((unsigned char)s[q])) nc++;
    if (maxchars && nc > maxchars) return 0;
    int prev = -1;
    size_t p = 0, adv;
    for (size_t pos = 0; p < n; pos++, p += adv) {
        uint32_t c = cp_at(s + p, &adv);
        if (c == 0 || c == 0x20 || c == 0x2585) return 0;
        if (c == 0x2581) {
            if (pos > 0) return 0;
            continue;
        }
        UErrorCode ec = U_ZERO_ERROR;
        int sc = (int)uscript_getScript((UChar32)c, &ec);
        if (U_FAILURE(ec)) sc = USCRIPT_COMMON;
        if (sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA || c == 0x30FC) sc = USCRIPT_HAN;
        if (sc == USCRIPT_INHERITED) continue; /* combining marks go with any script (as spm_train) */
        if (prev != -1 && prev != sc) return 0;
        prev = sc;
    }
    return 1;
}

/* PathPiece (Schmidt et al. 2024): from the seed vocabulary, top-down, drop
 * the pieces whose removal adds the fewest tokens to the corpus under
 * least-tokens segmentation, a share of the vocabulary per round, until
 * `target` remain.  A piece's cost is, over the words whose shortest
 * segmentation uses it, count x (shortest length without it - shortest
 * length); characters are never dropped. */
static tok_status pathpiece_prune(uctx *u, const tok_count_entry *E, size_t nw, size_t target, int32_t *path,
                                  int32_t *tmp, cand *cd, double *delta, int progress)
{
    for (size_t i = 0; i < u->pv.n; i++) u->pv.v[i].score = -1; /* Viterbi = fewest tokens */
    for (int round = 0;; round++) {
        size_t alive = 0;
        for (size_t i = 0; i < u->pv.n; i++) alive += u->pv.v[i].alive;
        if (progress) fprintf(stderr, "\rtok train: pathpiece round %d, %zu pieces   ", round + 1, alive);
        if (alive <= target) break;
        double *used = delta + u->pv.n;
        memset(delta, 0, 2 * u->pv.n * sizeof *delta);
        for (size_t w = 0; w < nw; w++) {
            if (lat_prep(&u->L, E[w].s, E[w].len)) return TOK_ERR_NOMEM;
            size_t k = viterbi(u, E[w].s, -1, path, NULL);
            for (size_t t = 0; t < k; t++) {
                int32_t id = path[t];
                used[id] += (double)E[w].count;
                if (u->pv.v[id].chars == 1) continue;
                int seen = 0;
                for (size_t q = 0; q < t; q++) seen |= path[q] == id;
                if (seen) continue;
                size_t k2 = viterbi(u, E[w].s, id, tmp, NULL);
                delta[id] += (double)E[w].count * (double)(k2 ? k2 - k : 1000);
            }
        }
        size_t nc = 0;
        for (size_t i = 0; i < u->pv.n; i++) {
            piece *p = &u->pv.v[i];
            if (!p->alive || p->chars == 1) continue;
            /* fewest added tokens first; among equal, the least used */
            cd[nc++] = (cand){ (uint32_t)i, -(delta[i] + used[i] * 1e-9) };
        }
        qsort(cd, nc, sizeof *cd, cand_desc);
        size_t drop = alive - target, step = alive / 20 + 1;
        if (drop > step) drop = step;
        if (drop > nc) drop = nc;
        if (!drop) break;
        for (size_t i = 0; i < drop; i++) u->pv.v[cd[i].id].alive = 0;
    }
    if (progress) fputc('\n', stderr);
    return TOK_OK;
}

tok_status vx_train_unigram(tok_counts *c, const tok_train_options *o, vx_model *m, float **scores_out,
                            tok_error *err)
{
    const tok_count_entry *E;
    size_t nw;
    if (tok_counts_sorted(c, &E, &nw)) return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    if (!nw) return vx_fail(err, TOK_ERR_ARG, "the corpus has no pre-tokens to train on (empty corpus?)");
    uctx u = { .maxlen = o->max_token_length ? o->max_token_length : 16 };
    tok_status st = TOK_OK;
    double *ex = NULL;
    int32_t *ebuf = NULL; /* lattice edges of one word (forward_backward) */
    size_t ecap = 0;
    int32_t *path = NULL, *alt = NULL;
    uint32_t *order = NULL;
    cand *cd = NULL;
    size_t maxchars = 1;

    /* seed: characters and right-maximal substrings */
    for (size_t w = 0; w < nw && !st; w++) {
        if (lat_prep(&u.L, E[w].s, E[w].len)) { st = TOK_ERR_NOMEM; break; }
        size_t n = u.L.nchars;
        if (n > maxchars) maxchars = n;
        for (size_t i = 0; i < n && !st; i++) {
            for (size_t l = 1; l <= u.maxlen && i + l <= n; l++) {
                const char *s = E[w].s + u.L.cpos[i];
                size_t bl = u.L.cpos[i + l] - u.L.cpos[i];
                /* "▁" only at the start of a piece (SentencePiece splits on it) */
                if (l > 1 && bl >= 3 && !memcmp(s + bl - 3, WS, 3)) break;
                int64_t id = smap_find(&u.map, &u.pv, s, bl);
                if (id < 0 && (id = smap_add(&u.map, &u.pv, s, bl, (uint32_t)l)) < 0) { st = TOK_ERR_NOMEM; break; }
                piece *p = &u.pv.v[id];
                p->freq += (double)E[w].count;
                uint32_t next = i + l < n ? (uint32_t)(u.L.cpos[i + l + 1] - u.L.cpos[i + l]) << 24 ^
                                                (uint32_t)XXH32(E[w].s + u.L.cpos[i + l], u.L.cpos[i + l + 1] - u.L.cpos[i + l], 0) >> 8
                                          : UINT32_MAX;
                if (next == 0) next = 1;
                if (p->rc == 0) p->rc = next;
                else if (p->rc != next) p->rc = UINT32_MAX;
            }
        }
    }
    if (st) goto out;
    /* keep characters, and the best seed_size right-maximal substrings */
    {
        size_t np = u.pv.n, k = 0;
        cd = malloc((np + 1) * sizeof *cd);
        if (!cd) { st = TOK_ERR_NOMEM; goto out; }
        for (size_t i = 0; i < np; i++) {
            piece *p = &u.pv.v[i];
            if (p->chars == 1) continue;
            /* suffix-tree internal nodes: seen twice or more, not always
             * followed by the same character; and a valid piece */
            if (p->rc != UINT32_MAX || p->freq < 2 || !vx_spm_valid_piece(p->s, p->len, 0)) { p->alive = 0; continue; }
            cd[k++] = (cand){ (uint32_t)i, p->freq * p->chars };
        }
        qsort(cd, k, sizeof *cd, cand_desc);
        size_t seed = o->unigram_seed_size ? o->unigram_seed_size : 1000000;
        if (o->model == TOK_TRAIN_PATHPIECE && !o->unigram_seed_size) seed = o->vocab_size * 10;
        for (size_t i = seed; i < k; i++) u.pv.v[cd[i].id].alive = 0;
        double sum = 0;
        for (size_t i = 0; i < np; i++)
            if (u.pv.v[i].alive) sum += u.pv.v[i].chars == 1 ? u.pv.v[i].freq : u.pv.v[i].freq * u.pv.v[i].chars;
        for (size_t i = 0; i < np; i++) {
            piece *p = &u.pv.v[i];
            if (p->alive) p->score = log(p->chars == 1 ? p->freq : p->freq * p->chars) - log(sum);
        }
    }
    ex = calloc(u.pv.n + 1, sizeof *ex);
    path = malloc((maxchars + 1) * sizeof *path);
    alt = malloc((u.maxlen + 1) * sizeof *alt);
    order = malloc((u.pv.n + 1) * sizeof *order);
    if (!ex || !path || !alt || !order) { st = TOK_ERR_NOMEM; goto out; }
    size_t meta = 3 + o->n_special + (o->byte_fallback ? 256 : 0);
    size_t target = o->vocab_size > meta ? o->vocab_size - meta : 1;
    if (o->model == TOK_TRAIN_PATHPIECE) {
        double *dl = calloc(2 * u.pv.n + 2, sizeof *dl);
        int32_t *tmp = malloc((maxchars + 1) * sizeof *tmp);
        if (!dl || !tmp) { free(dl); free(tmp); st = TOK_ERR_NOMEM; goto out; }
        st = pathpiece_prune(&u, E, nw, target, path, tmp, cd, dl, o->progress);
        free(dl);
        free(tmp);
        if (st) goto out;
        goto final;
    }
    size_t desired = (size_t)((double)target * 1.1);
    double shrink = o->unigram_shrinking_factor > 0 ? o->unigram_shrinking_factor : 0.75;
    int subiters = o->unigram_em_iterations > 0 ? o->unigram_em_iterations : 2;
    for (int round = 0; round < 1000; round++) {
        for (int it = 0; it < subiters; it++) {
            memset(ex, 0, u.pv.n * sizeof *ex);
            for (size_t w = 0; w < nw; w++) {
                if (lat_prep(&u.L, E[w].s, E[w].len)) { st = TOK_ERR_NOMEM; goto out; }
                forward_backward(&u, E[w].s, (double)E[w].count, ex, &ebuf, &ecap);
            }
            double sum = 0;
            for (size_t i = 0; i < u.pv.n; i++) {
                piece *p = &u.pv.v[i];
                if (!p->alive) continue;
                if (ex[i] < 0.5 && p->chars > 1) { p->alive = 0; continue; }
                p->freq = ex[i];
                sum += ex[i];
            }
            double ls = digamma(sum);
            for (size_t i = 0; i < u.pv.n; i++) {
                piece *p = &u.pv.v[i];
                if (p->alive) p->score = p->freq > 0 ? digamma(p->freq) - ls : -1e9;
            }
        }
        size_t alive = 0;
        for (size_t i = 0; i < u.pv.n; i++) alive += u.pv.v[i].alive;
        if (o->progress) fprintf(stderr, "\rtok train: unigram round %d, %zu pieces   ", round + 1, alive);
        if (alive <= desired) break;
        /* prune: Viterbi frequencies, sentences containing each piece */
        double *vf = ex; /* reuse */
        memset(vf, 0, u.pv.n * sizeof *vf);
        double *inv = calloc(u.pv.n + 1, sizeof *inv);
        if (!inv) { st = TOK_ERR_NOMEM; goto out; }
        double vsum = 0, total = 0;
        for (size_t w = 0; w < nw; w++) {
            if (lat_prep(&u.L, E[w].s, E[w].len)) { free(inv); st = TOK_ERR_NOMEM; goto out; }
            size_t k = viterbi(&u, E[w].s, -1, path, NULL);
            total += (double)E[w].count;
            for (size_t t = 0; t < k; t++) {
                vf[path[t]] += (double)E[w].count;
                vsum += (double)E[w].count;
                inv[path[t]] += (double)E[w].count; /* per occurrence, as SentencePiece */
            }
        }
        size_t k = 0, always = 0;
        for (size_t i = 0; i < u.pv.n; i++) {
            piece *p = &u.pv.v[i];
            if (!p->alive) continue;
            if (p->chars == 1) { always++; continue; }
            if (vf[i] == 0) { p->alive = 0; continue; }
            if (lat_prep(&u.L, p->s, p->len)) { free(inv); st = TOK_ERR_NOMEM; goto out; }
            /* a piece whose own best segmentation is not itself goes */
            size_t nb = viterbi(&u, p->s, -1, alt, NULL);
            if (nb != 1 || alt[0] != (int32_t)i) { p->alive = 0; continue; }
            size_t na = viterbi(&u, p->s, (int32_t)i, alt, NULL);
            if (!na) { always++; continue; }
            double F = inv[i] / total;
            double lsp = log(vf[i]) - log(vsum);
            double nsum = vsum + vf[i] * ((double)na - 1);
            double lalt = 0;
            for (size_t a = 0; a < na; a++) lalt += log(vf[alt[a]] + vf[i]) - log(nsum);
            cd[k++] = (cand){ (uint32_t)i, F * (lsp - lalt) };
        }
        free(inv);
        size_t keep = (size_t)(shrink * (double)alive);
        if (keep < desired) keep = desired;
        qsort(cd, k, sizeof *cd, cand_desc);
        size_t room = keep > always ? keep - always : 0;
        for (size_t i = room; i < k; i++) u.pv.v[cd[i].id].alive = 0;
    }
    if (o->progress) fputc('\n', stderr);
final:
    /* final: meta pieces, characters, then by score */
    {
        float *sc = NULL;
        size_t nk = 0;
        for (size_t i = 0; i < u.pv.n; i++) if (u.pv.v[i].alive) order[nk++] = (uint32_t)i;
        qsort_r(order, nk, sizeof *order, piece_order, u.pv.v);
        sc = malloc((o->vocab_size + nk + 8) * sizeof *sc);
        if (!sc) { st = TOK_ERR_NOMEM; goto out; }
        if (vx_spm_head(m, sc, o)) { free(sc); st = TOK_ERR_NOMEM; goto out; }
        char *take = calloc(u.pv.n + 1, 1);
        if (!take) { free(sc); st = TOK_ERR_NOMEM; goto out; }
        size_t budget = o->vocab_size > m->n ? o->vocab_size - m->n : 0, chosen = 0;
        size_t nchars = 0;
        for (size_t i = 0; i < nk; i++) if (u.pv.v[order[i]].chars == 1) { take[order[i]] = 1; chosen++; nchars++; }
        if (nchars > budget) {
            free(take);
            free(sc);
            st = vx_fail(err, TOK_ERR_ARG, "--vocab-size %zu is smaller than the %zu characters plus %zu meta pieces",
                         o->vocab_size, nchars, m->n);
            goto out_nofail;
        }
        for (size_t i = 0; i < nk && chosen < budget; i++)
            if (!take[order[i]]) { take[order[i]] = 1; chosen++; }
        /* characters that EM dropped (expected < 0.5) score as SentencePiece
         * gives required characters: the lowest score, a little more each */
        double minsc = 0, pen = 0;
        for (size_t i = 0; i < nk; i++) {
            const piece *p = &u.pv.v[order[i]];
            if (p->freq >= 0.5 && p->score < minsc) minsc = p->score;
        }
        for (size_t i = 0; i < nk; i++) {
            if (!take[order[i]]) continue;
            piece *p = &u.pv.v[order[i]];
            if (vx_model_find(m, p->s, p->len) >= 0) continue;
            if (vx_model_add(m, p->s, p->len) < 0) { free(take); free(sc); st = TOK_ERR_NOMEM; goto out; }
            double scv = p->score;
            if (o->model == TOK_TRAIN_PATHPIECE) scv = -1; /* every token costs one: Viterbi = fewest tokens */
            else if (p->freq < 0.5) { scv = minsc + pen; pen += 0.0001; }
            sc[m->n - 1] = (float)scv;
        }
        free(take);
        *scores_out = sc;
    }
out:
    if (st) vx_fail(err, st, "out of memory");
out_nofail:
    free(ebuf);
    free(ex);
    free(path);
    free(alt);
    free(order);
    free(cd);
    free(u.L.cpos);
    free(u.L.alpha);
    free(u.L.beta);
    free(u.L.best);
    free(u.L.bp);
    free(u.L.bl);
    free(u.pv.v);
    smap_free(&u.map);
    return st;
}
