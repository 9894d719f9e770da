/*
 * unigram_train: SentencePiece's Unigram trainer on pre-token counts.
 *
 * The steps of spm_train --model_type=unigram:
 *  - seed pieces: every substring of the words (at most max_piece_length
 *    characters, a "▁" only at its start) that is right-maximal -- not always
 *    followed by one same character, as the suffix tree's internal nodes
 *    SentencePiece enumerates with a suffix array -- scored by frequency x
 *    length; the best seed_size of them plus every character.  Here the
 *    suffix array is over the distinct words (each suffix sorted on its first
 *    max_piece_length + 1 characters), its LCP intervals weighted by the
 *    word counts: memory follows the distinct words, not the corpus;
 *  - EM: expected piece counts over each word's segmentation lattice
 *    (forward-backward), pieces expected less than 0.5 times dropped, scores
 *    digamma(count) - digamma(total) (Bayesian EM with a sparse prior).  Each
 *    word's lattice (every piece match, by start) is found once and only
 *    loses the edges of dropped pieces, so an EM pass allocates nothing and
 *    looks nothing up; with threads, words are cut into one range per thread
 *    and the sums added in thread order (deterministic for a thread count);
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
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
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
    pv->v[pv->n] = (piece){ s, (uint32_t)n, chars, 0, 0, 1 };
    return (int64_t)pv->n++;
}

static void smap_free(smap *m) { free(m->h); free(m->v); memset(m, 0, sizeof *m); }

/* --- lattice over one piece (pruning) --------------------------------------------------- */

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
 * script as its Unicode 9.0 table says (Hiragana and Katakana count as Han;
 * digits keep theirs, Common; characters added since are Common);
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
        /* spm_train's script table is Unicode 9.0: later characters (and
         * unassigned ones) are Common there */
        UVersionInfo age;
        u_charAge((UChar32)c, age);
        if (age[0] > 9 || sc == USCRIPT_UNKNOWN) sc = USCRIPT_COMMON;
        if (sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA || c == 0x30FC) sc = USCRIPT_HAN;
        if (sc == USCRIPT_INHERITED) continue; /* combining marks go with any script (as spm_train) */
        if (prev != -1 && prev != sc) return 0;
        prev = sc;
    }
    return 1;
}

/* --- seed pieces: a suffix array over the distinct words --------------------- */

/* One suffix of one word, compared on its first `lim` bytes: at most
 * maxlen + 1 characters (one more than a piece may have, so that a piece of
 * maxlen characters is still seen to branch), never past the word's end. */
typedef struct sfx {
    uint32_t pos;   /* into the blob of words */
    uint32_t w;     /* word index */
    uint16_t lim;   /* bytes compared */
    uint8_t end;    /* the suffix ends the word within maxlen characters */
} sfx;

typedef struct seedc { uint32_t pos; uint16_t len, chars; double freq; } seedc;

typedef struct seedv { seedc *v; size_t n, cap; } seedv;

static int sfx_cmp(const void *a, const void *b, void *arg)
{
    const unsigned char *B = arg;
    const sfx *x = a, *y = b;
    size_t m = x->lim < y->lim ? x->lim : y->lim;
    int r = memcmp(B + x->pos, B + y->pos, m);
    if (r) return r;
    if (x->lim != y->lim) return x->lim < y->lim ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* common prefix of two suffixes in bytes, cut back to a character boundary */
static uint16_t sfx_lcp(const unsigned char *B, const sfx *x, const sfx *y)
{
    size_t m = x->lim < y->lim ? x->lim : y->lim, k = 0;
    const unsigned char *p = B + x->pos, *q = B + y->pos;
    while (k < m && p[k] == q[k]) k++;
    if (k < m)
        while (k > 0 && (p[k] & 0xC0) == 0x80) k--;
    return (uint16_t)k;
}

static int seed_push(seedv *S, const char *B, uint32_t pos, uint16_t len, double freq, size_t maxlen)
{
    if (freq < 2 || len == 0) return 0;
    size_t chars = 0;
    for (size_t q = 0; q < len; q += vx_u8len((unsigned char)B[pos + q])) chars++;
    if (chars < 2 || chars > maxlen || !vx_spm_valid_piece(B + pos, len, 0)) return 0;
    if (S->n == S->cap) {
        size_t cap = S->cap ? S->cap * 2 : 1 << 16;
        seedc *v = realloc(S->v, cap * sizeof *v);
        if (!v) return -1;
        S->v = v;
        S->cap = cap;
    }
    S->v[S->n++] = (seedc){ pos, len, (uint16_t)chars, freq };
    return 0;
}

static int seed_order(const void *a, const void *b, void *arg)
{
    const char *B = arg;
    const seedc *x = a, *y = b;
    double u = x->freq * x->chars, v = y->freq * y->chars;
    if (u != v) return u > v ? -1 : 1;
    size_t m = x->len < y->len ? x->len : y->len;
    int r = memcmp(B + x->pos, B + y->pos, m);
    return r ? r : (x->len > y->len) - (x->len < y->len);
}

/* The right-maximal substrings of the words (internal nodes of their suffix
 * tree, each word occurrence ending in a terminator of its own), with their
 * frequencies weighted by the word counts, as SentencePiece reads them off
 * the suffix array of the raw sentences: the LCP intervals of the sorted
 * suffixes, plus a suffix that ends a word seen twice or more. */
static tok_status seed_candidates(const tok_count_entry *E, size_t nw, const char *B, size_t maxlen, seedv *out)
{
    size_t ns = 0;
    for (size_t w = 0; w < nw; w++)
        for (size_t p = 0; p < E[w].len; p += vx_u8len((unsigned char)E[w].s[p])) ns++;
    sfx *S = malloc((ns ? ns : 1) * sizeof *S);
    struct { uint16_t lcp; size_t lb; double w; } *st = malloc((size_t)(maxlen * 4 + 8) * sizeof *st);
    if (!S || !st) { free(S); free(st); return TOK_ERR_NOMEM; }
    size_t k = 0, pos = 0, ccap = 0;
    uint32_t *cb = NULL;
    for (size_t w = 0; w < nw; w++) {
        const char *s = E[w].s;
        size_t n = E[w].len, nc = 0;
        if (n + 1 > ccap) {
            uint32_t *c = realloc(cb, (n + 1) * 2 * sizeof *c);
            if (!c) { free(cb); free(S); free(st); return TOK_ERR_NOMEM; }
            cb = c;
            ccap = (n + 1) * 2;
        }
        for (size_t p = 0; p < n; p += vx_u8len((unsigned char)s[p])) cb[nc++] = (uint32_t)p;
        cb[nc] = (uint32_t)n;
        for (size_t c = 0; c < nc; c++) {
            size_t e = c + maxlen + 1 <= nc ? cb[c + maxlen + 1] : n;
            S[k++] = (sfx){ (uint32_t)(pos + cb[c]), (uint32_t)w, (uint16_t)(e - cb[c]), (uint8_t)(nc - c <= maxlen) };
        }
        pos += n;
    }
    free(cb);
    qsort_r(S, ns, sizeof *S, sfx_cmp, (void *)B);
    /* bottom-up over the LCP intervals (Abouelhoda et al.), weights summed */
    const unsigned char *U = (const unsigned char *)B;
    size_t top = 0;
    st[0].lcp = 0; st[0].lb = 0; st[0].w = 0;
    uint16_t prev = 0;
    tok_status rc = TOK_OK;
    for (size_t i = 1; i <= ns && !rc; i++) {
        uint16_t l = i < ns ? sfx_lcp(U, &S[i - 1], &S[i]) : 0;
        const sfx *x = &S[i - 1];
        double cw = (double)E[x->w].count;
        /* a word-final suffix of a repeated word that no other suffix covers */
        if (x->end && prev < x->lim && l < x->lim && E[x->w].count >= 2 &&
            seed_push(out, B, x->pos, x->lim, cw, maxlen)) rc = TOK_ERR_NOMEM;
        prev = l;
        size_t lb = i - 1;
        while (l < st[top].lcp) {
            st[top].w += cw;
            if (seed_push(out, B, S[st[top].lb].pos, st[top].lcp, st[top].w, maxlen)) rc = TOK_ERR_NOMEM;
            lb = st[top].lb;
            cw = st[top].w;
            top--;
        }
        if (l > st[top].lcp) {
            top++;
            st[top].lcp = l; st[top].lb = lb; st[top].w = cw;
        } else {
            st[top].w += cw;
        }
    }
    free(S);
    free(st);
    return rc;
}

/* --- the words' lattices, kept for the whole training ------------------------ */

/* Every piece match in every word, by start: edge e of word w (off[w] <= e <
 * off[w + 1]) is piece eid[e] over characters [est[e], est[e] + elen[e]). */
typedef struct wlat {
    size_t *off;
    uint32_t *nch;
    uint32_t *eid, *est;
    uint8_t *elen;
    size_t ne, cap;
    size_t maxchars;
} wlat;

static int wlat_push(wlat *W, uint32_t id, uint32_t start, uint32_t len)
{
    if (W->ne == W->cap) {
        size_t cap = W->cap ? W->cap * 2 : 1 << 20;
        uint32_t *a = realloc(W->eid, cap * sizeof *a);
        if (a) W->eid = a;
        uint32_t *b = a ? realloc(W->est, cap * sizeof *b) : NULL;
        if (b) W->est = b;
        uint8_t *c = b ? realloc(W->elen, cap) : NULL;
        if (!c) return -1;
        W->elen = c;
        W->cap = cap;
    }
    W->eid[W->ne] = id;
    W->est[W->ne] = start;
    W->elen[W->ne] = (uint8_t)len;
    W->ne++;
    return 0;
}

/* hashes of every prefix of every live piece: the walk from a start stops
 * when no piece continues (a false positive only costs one lookup more) */
typedef struct hset { uint64_t *h; size_t cap; } hset;

static int hset_build(hset *H, const pvec *pv)
{
    size_t n = 0;
    for (size_t i = 0; i < pv->n; i++) if (pv->v[i].alive) n += pv->v[i].chars;
    size_t cap = 1024;
    while (cap < n * 2) cap *= 2;
    H->h = calloc(cap, sizeof *H->h);
    if (!H->h) return -1;
    H->cap = cap;
    for (size_t i = 0; i < pv->n; i++) {
        const piece *p = &pv->v[i];
        if (!p->alive) continue;
        for (size_t q = 0; q < p->len;) {
            q += vx_u8len((unsigned char)p->s[q]);
            uint64_t h = sh(p->s, q);
            size_t j = h & (cap - 1);
            while (H->h[j] && H->h[j] != h) j = (j + 1) & (cap - 1);
            H->h[j] = h;
        }
    }
    return 0;
}

static int hset_has(const hset *H, uint64_t h)
{
    size_t j = h & (H->cap - 1);
    while (H->h[j]) {
        if (H->h[j] == h) return 1;
        j = (j + 1) & (H->cap - 1);
    }
    return 0;
}

static tok_status wlat_build(wlat *W, const uctx *u, const tok_count_entry *E, size_t nw)
{
    hset H = { 0 };
    W->off = malloc((nw + 1) * sizeof *W->off);
    W->nch = malloc((nw + 1) * sizeof *W->nch);
    if (!W->off || !W->nch || hset_build(&H, &u->pv)) { free(H.h); return TOK_ERR_NOMEM; }
    uint32_t cp[256 + 2];
    for (size_t w = 0; w < nw; w++) {
        const char *s = E[w].s;
        size_t n = E[w].len, c = 0;
        W->off[w] = W->ne;
        for (size_t p = 0; p < n; p += vx_u8len((unsigned char)s[p]), c++) {
            /* character boundaries from p on, up to maxlen characters */
            size_t m = 0, q = p;
            cp[0] = (uint32_t)q;
            while (m < u->maxlen && q < n) { q += vx_u8len((unsigned char)s[q]); cp[++m] = (uint32_t)q; }
            for (size_t l = 1; l <= m; l++) {
                size_t bl = cp[l] - p;
                uint64_t h = sh(s + p, bl);
                if (!hset_has(&H, h)) break;
                int64_t id = smap_find(&u->map, &u->pv, s + p, bl);
                if (id >= 0 && u->pv.v[id].alive && wlat_push(W, (uint32_t)id, (uint32_t)c, (uint32_t)l)) {
                    free(H.h);
                    return TOK_ERR_NOMEM;
                }
            }
        }
        if (c > UINT32_MAX - 1) { free(H.h); return TOK_ERR_ARG; }
        W->nch[w] = (uint32_t)c;
        if (c > W->maxchars) W->maxchars = c;
    }
    W->off[nw] = W->ne;
    free(H.h);
    return TOK_OK;
}

/* drop the edges of dead pieces */
static void wlat_compact(wlat *W, const pvec *pv, size_t nw)
{
    size_t k = 0;
    for (size_t w = 0; w < nw; w++) {
        size_t a = W->off[w], b = W->off[w + 1];
        W->off[w] = k;
        for (size_t e = a; e < b; e++) {
            if (!pv->v[W->eid[e]].alive) continue;
            W->eid[k] = W->eid[e];
            W->est[k] = W->est[e];
            W->elen[k] = W->elen[e];
            k++;
        }
    }
    W->off[nw] = k;
    W->ne = k;
}

/* --- E step and Viterbi over a range of words (one thread each) ------------- */

typedef struct job {
    const wlat *W;
    const tok_count_entry *E;
    const double *sc;     /* score per piece */
    size_t w0, w1;
    int viterbi;          /* 0: expected counts; 1: Viterbi counts */
    int32_t skip;         /* Viterbi: piece left out (-1 none) */
    double *ex;           /* per piece, this job's sums */
    double *a, *b;        /* per character boundary */
    int32_t *bp;
    uint32_t *bl;
    double ll, tokens;
} job;

/* Viterbi path of word w into out (piece ids); its length, 0 if none.
 * Ties: the shortest last piece (edges of one end arrive longest first). */
static size_t word_viterbi(const job *J, size_t w, int32_t *out)
{
    const wlat *W = J->W;
    size_t n = W->nch[w];
    double *best = J->a;
    for (size_t j = 0; j <= n; j++) best[j] = -INFINITY;
    best[0] = 0;
    for (size_t e = W->off[w]; e < W->off[w + 1]; e++) {
        uint32_t id = W->eid[e], s = W->est[e];
        if ((int32_t)id == J->skip || best[s] == -INFINITY) continue;
        double c = best[s] + J->sc[id];
        size_t j = s + W->elen[e];
        if (c >= best[j]) { best[j] = c; J->bp[j] = (int32_t)id; J->bl[j] = W->elen[e]; }
    }
    if (best[n] == -INFINITY) return 0;
    size_t k = 0;
    for (size_t j = n; j > 0; j -= J->bl[j]) k++;
    size_t m = k;
    for (size_t j = n; j > 0; j -= J->bl[j]) out[--k] = J->bp[j];
    return m;
}

static void *run_job(void *arg)
{
    job *J = arg;
    const wlat *W = J->W;
    const double *sc = J->sc;
    for (size_t w = J->w0; w < J->w1; w++) {
        double cnt = (double)J->E[w].count;
        size_t n = W->nch[w], e0 = W->off[w], e1 = W->off[w + 1];
        if (J->viterbi) {
            int32_t *path = (int32_t *)J->b; /* room: n + 1 doubles */
            size_t k = word_viterbi(J, w, path);
            for (size_t t = 0; t < k; t++) J->ex[path[t]] += cnt;
            J->tokens += cnt * (double)k;
            continue;
        }
        double *a = J->a, *b = J->b;
        for (size_t j = 0; j <= n; j++) a[j] = b[j] = -INFINITY;
        a[0] = 0;
        b[n] = 0;
        for (size_t e = e0; e < e1; e++) {
            uint32_t s = W->est[e];
            if (a[s] == -INFINITY) continue;
            size_t j = s + W->elen[e];
            a[j] = lse(a[j], a[s] + sc[W->eid[e]]);
        }
        for (size_t e = e1; e-- > e0;) {
            uint32_t s = W->est[e];
            size_t j = s + W->elen[e];
            if (b[j] == -INFINITY) continue;
            b[s] = lse(b[s], sc[W->eid[e]] + b[j]);
        }
        double z = a[n];
        if (z == -INFINITY) continue;
        J->ll += cnt * z;
        for (size_t e = e0; e < e1; e++) {
            uint32_t s = W->est[e];
            double lp = a[s] + sc[W->eid[e]] + b[s + W->elen[e]] - z;
            J->ex[W->eid[e]] += cnt * exp(lp);
        }
    }
    return NULL;
}

/* Run over all words on nt threads; per-piece sums into ex, added up thread
 * by thread in a fixed order (the result depends on nt only). */
typedef struct pool {
    int nt;
    job J[64];
    double *ex[64];       /* ex[0] is the caller's */
} pool;

static void pool_run(pool *P, const wlat *W, const tok_count_entry *E, size_t nw, const double *sc, size_t np,
                     int viterbi, double *ex, double *ll, double *tokens)
{
    pthread_t th[64];
    int started[64] = { 0 };
    /* cut by edges, so threads get similar work */
    size_t total = W->ne, w = 0;
    for (int t = 0; t < P->nt; t++) {
        job *J = &P->J[t];
        size_t want = total / (size_t)P->nt * (size_t)(t + 1);
        size_t w1 = w;
        if (t == P->nt - 1) w1 = nw;
        else while (w1 < nw && W->off[w1] < want) w1++;
        J->W = W; J->E = E; J->sc = sc; J->w0 = w; J->w1 = w1; J->viterbi = viterbi; J->skip = -1;
        J->ex = t ? P->ex[t] : ex;
        J->ll = J->tokens = 0;
        memset(J->ex, 0, np * sizeof *J->ex);
        w = w1;
    }
    for (int t = 1; t < P->nt; t++) started[t] = !pthread_create(&th[t], NULL, run_job, &P->J[t]);
    run_job(&P->J[0]);
    for (int t = 1; t < P->nt; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else run_job(&P->J[t]);
    }
    *ll = 0;
    if (tokens) *tokens = 0;
    for (int t = 0; t < P->nt; t++) {
        if (t)
            for (size_t i = 0; i < np; i++) ex[i] += P->ex[t][i];
        *ll += P->J[t].ll;
        if (tokens) *tokens += P->J[t].tokens;
    }
}

/* PathPiece (Schmidt et al. 2024): from the seed vocabulary, top-down, drop
 * the pieces whose removal adds the fewest tokens to the corpus under
 * least-tokens segmentation, a share of the vocabulary per round, until
 * `target` remain.  A piece's cost is, over the words whose shortest
 * segmentation uses it, count x (shortest length without it - shortest
 * length); characters are never dropped. */
static tok_status pathpiece_prune(uctx *u, wlat *W, const tok_count_entry *E, size_t nw, size_t target, job *J,
                                  double *sc, int32_t *path, int32_t *tmp, cand *cd, double *delta, int progress)
{
    for (size_t i = 0; i < u->pv.n; i++) u->pv.v[i].score = sc[i] = -1; /* Viterbi = fewest tokens */
    J->W = W;
    J->E = E;
    J->sc = sc;
    for (int round = 0;; round++) {
        size_t alive = 0;
        for (size_t i = 0; i < u->pv.n; i++) alive += u->pv.v[i].alive;
        if (progress) fprintf(stderr, "\rtok train: pathpiece round %d, %zu pieces   ", round + 1, alive);
        if (alive <= target) break;
        double *used = delta + u->pv.n;
        memset(delta, 0, 2 * u->pv.n * sizeof *delta);
        for (size_t w = 0; w < nw; w++) {
            J->skip = -1;
            size_t k = word_viterbi(J, w, path);
            for (size_t t = 0; t < k; t++) {
                int32_t id = path[t];
                used[id] += (double)E[w].count;
                if (u->pv.v[id].chars == 1) continue;
                int seen = 0;
                for (size_t q = 0; q < t; q++) seen |= path[q] == id;
                if (seen) continue;
                J->skip = id;
                size_t k2 = word_viterbi(J, w, tmp);
                delta[id] += (double)E[w].count * (double)(k2 ? k2 - k : 1000);
            }
        }
        J->skip = -1;
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
        wlat_compact(W, &u->pv, nw);
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
    if (u.maxlen > 255) u.maxlen = 255; /* lattice edges keep lengths in a byte */
    tok_status st = TOK_OK;
    char *blob = NULL;
    seedv SV = { 0 };
    wlat W = { 0 };
    pool P = { .nt = 1 };
    if (o->size >= offsetof(tok_train_options, threads) + sizeof o->threads && o->threads > 1)
        P.nt = o->threads > 64 ? 64 : o->threads;
    double *ex = NULL, *sc = NULL;
    int32_t *path = NULL, *alt = NULL;
    uint32_t *order = NULL;
    cand *cd = NULL;
    size_t maxchars = 1, total = 0;

    /* the words in one blob (the suffix array's text) */
    for (size_t w = 0; w < nw; w++) total += E[w].len;
    if (total >= UINT32_MAX) {
        st = vx_fail(err, TOK_ERR_ARG, "the corpus has %zu bytes of distinct pre-tokens; Unigram training takes below 4 GiB "
                     "(lower the counting memory limit)", total);
        goto out_nofail;
    }
    blob = malloc(total + 1);
    if (!blob) { st = TOK_ERR_NOMEM; goto out; }
    double ntok = 0; /* words, weighted: the pruning's sentence count */
    for (size_t w = 0, pos = 0; w < nw; w++) {
        memcpy(blob + pos, E[w].s, E[w].len);
        pos += E[w].len;
        ntok += (double)E[w].count;
    }
    /* characters, all kept */
    for (size_t w = 0, pos = 0; w < nw && !st; pos += E[w].len, w++) {
        size_t n = 0;
        for (size_t p = 0; p < E[w].len; n++) {
            size_t l = vx_u8len((unsigned char)E[w].s[p]);
            if (p + l > E[w].len) l = E[w].len - p;
            int64_t id = smap_find(&u.map, &u.pv, blob + pos + p, l);
            if (id < 0 && (id = smap_add(&u.map, &u.pv, blob + pos + p, l, 1)) < 0) { st = TOK_ERR_NOMEM; break; }
            u.pv.v[id].freq += (double)E[w].count;
            p += l;
        }
        if (n > maxchars) maxchars = n;
    }
    if (st) goto out;
    /* seed: the best seed_size right-maximal substrings by frequency x length */
    if ((st = seed_candidates(E, nw, blob, u.maxlen, &SV))) goto out;
    {
        qsort_r(SV.v, SV.n, sizeof *SV.v, seed_order, blob);
        size_t seed = o->unigram_seed_size ? o->unigram_seed_size : 1000000;
        if (o->model == TOK_TRAIN_PATHPIECE && !o->unigram_seed_size) seed = o->vocab_size * 10;
        for (size_t i = 0; i < SV.n && i < seed; i++) {
            const seedc *q = &SV.v[i];
            if (smap_find(&u.map, &u.pv, blob + q->pos, q->len) >= 0) continue;
            int64_t id = smap_add(&u.map, &u.pv, blob + q->pos, q->len, q->chars);
            if (id < 0) { st = TOK_ERR_NOMEM; goto out; }
            u.pv.v[id].freq = q->freq;
        }
        free(SV.v);
        SV.v = NULL;
        double sum = 0;
        for (size_t i = 0; i < u.pv.n; i++) sum += u.pv.v[i].chars == 1 ? u.pv.v[i].freq : u.pv.v[i].freq * u.pv.v[i].chars;
        for (size_t i = 0; i < u.pv.n; i++) {
            piece *p = &u.pv.v[i];
            p->score = log(p->chars == 1 ? p->freq : p->freq * p->chars) - log(sum);
        }
    }
    if ((st = wlat_build(&W, &u, E, nw))) {
        if (st == TOK_ERR_ARG) { st = vx_fail(err, st, "a pre-token is longer than 2^32 characters"); goto out_nofail; }
        goto out;
    }
    size_t np = u.pv.n;
    ex = calloc(np + 1, sizeof *ex);
    sc = calloc(np + 1, sizeof *sc);
    path = malloc((maxchars + 1) * sizeof *path);
    alt = malloc((u.maxlen + 1) * sizeof *alt);
    order = malloc((np + 1) * sizeof *order);
    cd = malloc((np + 1) * sizeof *cd);
    if (!ex || !sc || !path || !alt || !order || !cd) { st = TOK_ERR_NOMEM; goto out; }
    for (int t = 0; t < P.nt; t++) {
        job *J = &P.J[t];
        J->a = malloc((maxchars + 2) * sizeof *J->a);
        J->b = malloc((maxchars + 2) * sizeof *J->b);
        J->bp = malloc((maxchars + 2) * sizeof *J->bp);
        J->bl = malloc((maxchars + 2) * sizeof *J->bl);
        if (t) P.ex[t] = malloc((np + 1) * sizeof *P.ex[t]);
        if (!J->a || !J->b || !J->bp || !J->bl || (t && !P.ex[t])) { st = TOK_ERR_NOMEM; goto out; }
    }
    size_t meta = 3 + o->n_special + (o->byte_fallback ? 256 : 0);
    size_t target = o->vocab_size > meta ? o->vocab_size - meta : 1;
    if (o->model == TOK_TRAIN_PATHPIECE) {
        double *dl = calloc(2 * np + 2, sizeof *dl);
        int32_t *tmp = malloc((maxchars + 1) * sizeof *tmp);
        if (!dl || !tmp) { free(dl); free(tmp); st = TOK_ERR_NOMEM; goto out; }
        st = pathpiece_prune(&u, &W, E, nw, target, &P.J[0], sc, path, tmp, cd, dl, o->progress);
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
            double ll;
            for (size_t i = 0; i < np; i++) sc[i] = u.pv.v[i].score;
            pool_run(&P, &W, E, nw, sc, np, 0, ex, &ll, NULL);
            double sum = 0;
            int died = 0;
            for (size_t i = 0; i < np; i++) {
                piece *p = &u.pv.v[i];
                if (!p->alive) continue;
                if (ex[i] < 0.5 && p->chars > 1) { p->alive = 0; died = 1; continue; }
                p->freq = ex[i];
                sum += ex[i];
            }
            double ls = digamma(sum);
            for (size_t i = 0; i < np; i++) {
                piece *p = &u.pv.v[i];
                if (p->alive) p->score = p->freq > 0 ? digamma(p->freq) - ls : -1e9;
            }
            if (died) wlat_compact(&W, &u.pv, nw);
        }
        size_t alive = 0;
        for (size_t i = 0; i < np; i++) alive += u.pv.v[i].alive;
        if (o->progress) fprintf(stderr, "\rtok train: unigram round %d, %zu pieces   ", round + 1, alive);
        if (alive <= desired) break;
        /* prune: Viterbi frequencies (SentencePiece counts a piece's
         * sentences per occurrence, so they are the same sums) */
        double *vf = ex, vsum, ll;
        for (size_t i = 0; i < np; i++) sc[i] = u.pv.v[i].score;
        pool_run(&P, &W, E, nw, sc, np, 1, vf, &ll, &vsum);
        size_t k = 0, always = 0;
        for (size_t i = 0; i < np; i++) {
            piece *p = &u.pv.v[i];
            if (!p->alive) continue;
            if (p->chars == 1) { always++; continue; }
            if (vf[i] == 0) { p->alive = 0; continue; }
            if (lat_prep(&u.L, p->s, p->len)) { st = TOK_ERR_NOMEM; goto out; }
            /* a piece whose own best segmentation is not itself goes */
            size_t nb = viterbi(&u, p->s, -1, alt, NULL);
            if (nb != 1 || alt[0] != (int32_t)i) { p->alive = 0; continue; }
            size_t na = viterbi(&u, p->s, (int32_t)i, alt, NULL);
            if (!na) { always++; continue; }
            double F = vf[i] / ntok;
            double lsp = log(vf[i]) - log(vsum);
            double nsum = vsum + vf[i] * ((double)na - 1);
            double lalt = 0;
            for (size_t a = 0; a < na; a++) lalt += log(vf[alt[a]] + vf[i]) - log(nsum);
            cd[k++] = (cand){ (uint32_t)i, F * (lsp - lalt) };
        }
        size_t keep = (size_t)(shrink * (double)alive);
        if (keep < desired) keep = desired;
        qsort(cd, k, sizeof *cd, cand_desc);
        size_t room = keep > always ? keep - always : 0;
        for (size_t i = room; i < k; i++) u.pv.v[cd[i].id].alive = 0;
        wlat_compact(&W, &u.pv, nw);
    }
    if (o->progress) fputc('\n', stderr);
final:
    /* final: meta pieces, characters, then by score */
    {
        float *fsc = NULL;
        size_t nk = 0;
        for (size_t i = 0; i < u.pv.n; i++) if (u.pv.v[i].alive) order[nk++] = (uint32_t)i;
        qsort_r(order, nk, sizeof *order, piece_order, u.pv.v);
        fsc = malloc((o->vocab_size + nk + 8) * sizeof *fsc);
        if (!fsc) { st = TOK_ERR_NOMEM; goto out; }
        if (vx_spm_head(m, fsc, o)) { free(fsc); st = TOK_ERR_NOMEM; goto out; }
        char *take = calloc(u.pv.n + 1, 1);
        if (!take) { free(fsc); st = TOK_ERR_NOMEM; goto out; }
        size_t budget = o->vocab_size > m->n ? o->vocab_size - m->n : 0, chosen = 0;
        size_t nchars = 0;
        for (size_t i = 0; i < nk; i++) if (u.pv.v[order[i]].chars == 1) { take[order[i]] = 1; chosen++; nchars++; }
        if (nchars > budget) {
            free(take);
            free(fsc);
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
            if (vx_model_add(m, p->s, p->len) < 0) { free(take); free(fsc); st = TOK_ERR_NOMEM; goto out; }
            double scv = p->score;
            if (o->model == TOK_TRAIN_PATHPIECE) scv = -1; /* every token costs one: Viterbi = fewest tokens */
            else if (p->freq < 0.5) { scv = minsc + pen; pen += 0.0001; }
            fsc[m->n - 1] = (float)scv;
        }
        free(take);
        *scores_out = fsc;
    }
out:
    if (st) vx_fail(err, st, "out of memory");
out_nofail:
    free(blob);
    free(SV.v);
    free(W.off);
    free(W.nch);
    free(W.eid);
    free(W.est);
    free(W.elen);
    for (int t = 0; t < P.nt; t++) {
        free(P.J[t].a);
        free(P.J[t].b);
        free(P.J[t].bp);
        free(P.J[t].bl);
        if (t) free(P.ex[t]);
    }
    free(sc);
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
