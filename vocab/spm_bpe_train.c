/*
 * spm_bpe_train: SentencePiece's BPE trainer (spm_train --model_type=bpe) on
 * pre-token counts (words with their "▁", from a Metaspace pipeline).
 *
 * SentencePiece's rules, which differ from HF's BpeTrainer:
 *  - a pair's frequency counts non-overlapping occurrences ("a a a" once);
 *  - ties: higher frequency, then fewer characters, then the smaller string;
 *  - a pair whose string breaks SentencePiece's piece rules ("▁" inside,
 *    mixed Unicode scripts, longer than 16 characters) is never merged;
 *  - a merged string seen before (made along another path) is not added twice;
 *  - pieces score minus their merge index; the characters come after the
 *    merged pieces, most frequent first, scores continuing; the merge loop
 *    stops at vocab_size minus the meta pieces and the characters.
 * spm_train picks the best pair among an "active" set: the 5% most frequent
 * pairs (at least 1000) chosen every 100 pieces, plus pairs made since; this
 * trainer keeps the same set, ranking ties at its cut by the pick order
 * (spm_train's partial sort leaves them in hash order).
 * Pair counts are recounted each step: exact and simple, meant for corpora of
 * a few MB (the HF-style BPE trainer is the fast one).
 */
#include "tok_train.h"
#include "train_impl.h"
#include "vocab_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pc {
    uint64_t pair;       /* key + 1, 0 = empty slot */
    uint64_t freq;       /* non-overlapping occurrences x word counts, this step */
    int64_t last_w;      /* counting: word and right index of the last counted occurrence */
    uint32_t last_right;
    int8_t valid;        /* -1 unknown, else whether left+right is a valid piece */
    uint8_t cached;      /* in SentencePiece's symbol cache (created, not erased) */
    uint8_t active;      /* in its active set */
    uint16_t chars;
} pc;

typedef struct ptab { pc *v; size_t cap, n; } ptab;

static inline size_t ph(uint64_t k) { return (size_t)(k * 0x9E3779B97F4A7C15ull >> 20); }

static pc *ptab_at(ptab *t, uint64_t pair)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1 << 14;
        pc *v = calloc(cap, sizeof *v);
        if (!v) return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].pair) continue;
            size_t j = ph(t->v[i].pair) & (cap - 1);
            while (v[j].pair) j = (j + 1) & (cap - 1);
            v[j] = t->v[i];
        }
        free(t->v);
        t->v = v;
        t->cap = cap;
    }
    uint64_t key = pair + 1;
    size_t j = ph(key) & (t->cap - 1);
    while (t->v[j].pair) {
        if (t->v[j].pair == key) return &t->v[j];
        j = (j + 1) & (t->cap - 1);
    }
    t->v[j] = (pc){ key, 0, -1, 0, -1, 0, 0, 0 };
    t->n++;
    return &t->v[j];
}

/* left+right obeys SentencePiece's piece rules */
static int pair_valid(const vx_model *sym, const pc *e, size_t maxchars)
{
    uint64_t pr = e->pair - 1;
    size_t la, lb;
    const char *a = vx_model_token(sym, (uint32_t)(pr >> 32), &la), *b = vx_model_token(sym, (uint32_t)pr, &lb);
    char s[256];
    if (la + lb >= sizeof s) return 0;
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    return vx_spm_valid_piece(s, la + lb, maxchars);
}

/* the order SentencePiece picks pairs in (and ranks the active set by) */
typedef struct rank_ctx { const ptab *tab; const vx_model *sym; } rank_ctx;

static int rank_cmp(const vx_model *sort_sym, const pc *x, const pc *y)
{
    if (x->freq != y->freq) return x->freq > y->freq ? -1 : 1;
    uint64_t px = x->pair - 1, py = y->pair - 1;
    size_t xa, xb, ya, yb;
    const char *sxa = vx_model_token(sort_sym, (uint32_t)(px >> 32), &xa), *sxb = vx_model_token(sort_sym, (uint32_t)px, &xb);
    const char *sya = vx_model_token(sort_sym, (uint32_t)(py >> 32), &ya), *syb = vx_model_token(sort_sym, (uint32_t)py, &yb);
    size_t cx = 0, cy = 0;
    for (size_t p = 0; p < xa; p += vx_u8len((unsigned char)sxa[p])) cx++;
    for (size_t p = 0; p < xb; p += vx_u8len((unsigned char)sxb[p])) cx++;
    for (size_t p = 0; p < ya; p += vx_u8len((unsigned char)sya[p])) cy++;
    for (size_t p = 0; p < yb; p += vx_u8len((unsigned char)syb[p])) cy++;
    if (cx != cy) return cx < cy ? -1 : 1;
    char s1[256], s2[256];
    size_t n1 = xa + xb < sizeof s1 ? xa + xb : 0, n2 = ya + yb < sizeof s2 ? ya + yb : 0;
    if (n1) { memcpy(s1, sxa, xa); memcpy(s1 + xa, sxb, xb); }
    if (n2) { memcpy(s2, sya, ya); memcpy(s2 + ya, syb, yb); }
    size_t mn = n1 < n2 ? n1 : n2;
    int r = memcmp(s1, s2, mn);
    if (r) return r;
    return (n1 > n2) - (n1 < n2);
}

static int by_rank(const void *a, const void *b, void *arg)
{
    const rank_ctx *rc = arg;
    return rank_cmp(rc->sym, &rc->tab->v[*(const uint32_t *)a], &rc->tab->v[*(const uint32_t *)b]);
}

typedef struct chc { uint32_t id, cp; uint64_t n; } chc;
/* characters by count, then code point (SentencePiece's Sorted) */
static int chc_cmp(const void *a, const void *b)
{
    const chc *x = a, *y = b;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return (x->cp > y->cp) - (x->cp < y->cp);
}

static uint32_t first_cp(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t l = vx_u8len(u[0]);
    if (l > n || l == 1) return u[0];
    uint32_t c = u[0] & (0x7F >> l);
    for (size_t i = 1; i < l; i++) c = c << 6 | (u[i] & 0x3F);
    return c;
}

tok_status vx_train_spm_bpe(tok_counts *c, const tok_train_options *o, vx_model *m, float **scores_out,
                            tok_error *err)
{
    const tok_count_entry *E;
    size_t nw;
    if (tok_counts_sorted(c, &E, &nw)) return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    if (!nw) return vx_fail(err, TOK_ERR_ARG, "the corpus has no pre-tokens to train on (empty corpus?)");
    size_t maxchars = o->max_token_length ? o->max_token_length : 16;
    tok_status st = TOK_OK;
    /* symbols: characters first (ids in order of appearance; renumbered at the end) */
    vx_model sym = { 0 };
    size_t total = 0;
    for (size_t w = 0; w < nw; w++) total += E[w].len;
    uint32_t *pool = malloc((total + 1) * sizeof *pool);
    uint32_t *wn = malloc((nw + 1) * sizeof *wn);
    size_t *woff = malloc((nw + 1) * sizeof *woff);
    uint64_t *charcount = NULL;
    size_t ccap = 0;
    float *sc = NULL;
    ptab t = { 0 };
    char *seen = NULL;
    uint32_t *nchars_of = NULL;
    if (!pool || !wn || !woff) { st = TOK_ERR_NOMEM; goto out; }
    size_t off = 0;
    for (size_t w = 0; w < nw; w++) {
        woff[w] = off;
        wn[w] = 0;
        for (size_t p = 0; p < E[w].len;) {
            size_t l = vx_u8len((unsigned char)E[w].s[p]);
            if (p + l > E[w].len) l = E[w].len - p;
            int32_t id = vx_model_find(&sym, E[w].s + p, l);
            if (id < 0 && (id = vx_model_add(&sym, E[w].s + p, l)) < 0) { st = TOK_ERR_NOMEM; goto out; }
            if ((size_t)id >= ccap) {
                size_t nc = (size_t)id * 2 + 256;
                uint64_t *cc = realloc(charcount, nc * sizeof *cc);
                if (!cc) { st = TOK_ERR_NOMEM; goto out; }
                memset(cc + ccap, 0, (nc - ccap) * sizeof *cc);
                charcount = cc;
                ccap = nc;
            }
            charcount[id] += E[w].count;
            pool[off + wn[w]++] = (uint32_t)id;
            p += l;
        }
        off += wn[w];
    }
    size_t nchar = sym.n;
    size_t meta = 3 + o->n_special + (o->byte_fallback ? 256 : 0);
    if (o->vocab_size < meta + nchar) {
        st = vx_fail(err, TOK_ERR_ARG, "--vocab-size %zu is smaller than the %zu characters plus %zu meta pieces",
                     o->vocab_size, nchar, meta);
        goto out_nofail;
    }
    size_t want = o->vocab_size - meta - nchar;
    /* pieces in merge order (strings, may repeat: `seen` marks the kept) */
    size_t npieces = 0;
    uint32_t *piece_ids = malloc((want + 1) * sizeof *piece_ids);
    if (!piece_ids) { st = TOK_ERR_NOMEM; goto out; }
    uint32_t *order = NULL;
    /* every adjacent pair of the start is created (a valid piece only) */
    for (size_t w = 0; w < nw; w++)
        for (uint32_t i = 0; i + 1 < wn[w]; i++) {
            pc *e = ptab_at(&t, (uint64_t)pool[woff[w] + i] << 32 | pool[woff[w] + i + 1]);
            if (!e) { st = TOK_ERR_NOMEM; goto out_p; }
            if (e->valid < 0) e->valid = (int8_t)pair_valid(&sym, e, maxchars);
            if (e->valid) e->cached = 1;
        }
    size_t ncached = 0;
    for (size_t i = 0; i < t.cap; i++) ncached += t.v[i].pair && t.v[i].cached;
    while (npieces < want) {
        /* current non-overlapping frequencies */
        for (size_t i = 0; i < t.cap; i++) { t.v[i].freq = 0; t.v[i].last_w = -1; }
        for (size_t w = 0; w < nw; w++) {
            uint32_t *q = pool + woff[w];
            for (uint32_t i = 0; i + 1 < wn[w]; i++) {
                pc *e = ptab_at(&t, (uint64_t)q[i] << 32 | q[i + 1]);
                if (!e) { st = TOK_ERR_NOMEM; goto out_p; }
                if (!e->cached) continue;
                if (e->last_w == (int64_t)w && e->last_right == i) continue; /* overlaps the previous */
                e->freq += E[w].count;
                e->last_w = (int64_t)w;
                e->last_right = i + 1;
            }
        }
        /* every 100 pieces: the active set is the most frequent 5% (at least 1000) */
        if (npieces % 100 == 0) {
            free(order);
            order = malloc((t.cap + 1) * sizeof *order);
            if (!order) { st = TOK_ERR_NOMEM; goto out_p; }
            size_t nb = 0;
            for (size_t i = 0; i < t.cap; i++) {
                t.v[i].active = 0;
                if (t.v[i].pair && t.v[i].cached) order[nb++] = (uint32_t)i;
            }
            size_t k = (size_t)((double)(nchar + ncached) * 0.05f);
            if (k < 1000) k = 1000;
            if (k > nb) k = nb;
            rank_ctx rc = { &t, &sym };
            qsort_r(order, nb, sizeof *order, by_rank, &rc);
            for (size_t i = 0; i < k; i++) t.v[order[i]].active = 1;
        }
        /* the best active pair: frequency, then fewer characters, then the smaller string */
        pc *best = NULL;
        for (size_t i = 0; i < t.cap; i++) {
            pc *e = &t.v[i];
            if (!e->pair || !e->active) continue;
            if (!best || rank_cmp(&sym, e, best) < 0) best = e;
        }
        if (!best) break;
        uint64_t pr = best->pair - 1;
        uint32_t a = (uint32_t)(pr >> 32), b = (uint32_t)pr;
        size_t la, lb;
        const char *sa = vx_model_token(&sym, a, &la), *sb = vx_model_token(&sym, b, &lb);
        char s[256];
        memcpy(s, sa, la);
        memcpy(s + la, sb, lb);
        best->cached = 0;
        best->active = 0;
        ncached--;
        if (vx_model_find(&sym, s, la + lb) >= 0) continue; /* made before along another path */
        int32_t nid = vx_model_add(&sym, s, la + lb);
        if (nid < 0) { st = TOK_ERR_NOMEM; goto out_p; }
        piece_ids[npieces++] = (uint32_t)nid;
        if (vx_model_add_merge(&sym, a, b)) { st = TOK_ERR_NOMEM; goto out_p; }
        /* replace, left to right, non-overlapping; pairs with the new symbol
         * are created and join the active set */
        for (size_t w = 0; w < nw; w++) {
            uint32_t *q = pool + woff[w];
            uint32_t k = 0;
            for (uint32_t i = 0; i < wn[w]; i++) {
                if (i + 1 < wn[w] && q[i] == a && q[i + 1] == b) { q[k++] = (uint32_t)nid; i++; }
                else q[k++] = q[i];
            }
            wn[w] = k;
            for (uint32_t i = 0; i + 1 < k; i++) {
                if (q[i] != (uint32_t)nid && q[i + 1] != (uint32_t)nid) continue;
                pc *e = ptab_at(&t, (uint64_t)q[i] << 32 | q[i + 1]);
                if (!e) { st = TOK_ERR_NOMEM; goto out_p; }
                if (e->valid < 0) e->valid = (int8_t)pair_valid(&sym, e, maxchars);
                if (!e->valid) continue;
                if (!e->cached) { e->cached = 1; ncached++; }
                e->active = 1;
            }
        }
        if (o->progress && npieces % 100 == 0) fprintf(stderr, "\rtok train: spm bpe %zu / %zu   ", npieces, want);
    }
    if (o->progress) fputc('\n', stderr);
    /* the vocabulary: metas, specials, merged pieces, then characters by count */
    sc = malloc((o->vocab_size + 8) * sizeof *sc);
    chc *cs = malloc((nchar + 1) * sizeof *cs);
    if (!sc || !cs) { free(cs); st = TOK_ERR_NOMEM; goto out_p; }
    if (vx_spm_head(m, sc, o)) { free(cs); st = TOK_ERR_NOMEM; goto out_p; }
    float score = -0.0f; /* SentencePiece writes -(float)index: the first is -0 */
    for (size_t i = 0; i < npieces; i++) {
        size_t l;
        const char *s = vx_model_token(&sym, piece_ids[i], &l);
        if (vx_model_add(m, s, l) < 0) { free(cs); st = TOK_ERR_NOMEM; goto out_p; }
        sc[m->n - 1] = score;
        score -= 1;
    }
    for (size_t i = 0; i < nchar; i++) {
        size_t l;
        const char *s0 = vx_model_token(&sym, (uint32_t)i, &l);
        cs[i] = (chc){ (uint32_t)i, first_cp(s0, l), charcount[i] };
    }
    qsort(cs, nchar, sizeof *cs, chc_cmp);
    for (size_t i = 0; i < nchar; i++) {
        size_t l;
        const char *s = vx_model_token(&sym, cs[i].id, &l);
        if (vx_model_find(m, s, l) >= 0) continue;
        if (vx_model_add(m, s, l) < 0) { free(cs); st = TOK_ERR_NOMEM; goto out_p; }
        sc[m->n - 1] = score;
        score -= 1;
    }
    free(cs);
    /* merges as pairs of final ids, in order */
    for (size_t i = 0; i < sym.nmerges; i++) {
        size_t la, lb;
        const char *a = vx_model_token(&sym, sym.merges[i][0], &la), *b = vx_model_token(&sym, sym.merges[i][1], &lb);
        int32_t ia = vx_model_find(m, a, la), ib = vx_model_find(m, b, lb);
        if (ia >= 0 && ib >= 0 && vx_model_add_merge(m, (uint32_t)ia, (uint32_t)ib)) { st = TOK_ERR_NOMEM; goto out_p; }
    }
    *scores_out = sc;
    sc = NULL;
out_p:
    free(order);
    free(piece_ids);
out:
    if (st) vx_fail(err, st, "out of memory");
out_nofail:
    free(sc);
    free(pool);
    free(wn);
    free(woff);
    free(charcount);
    free(t.v);
    free(seen);
    free(nchars_of);
    vx_model_clear(&sym);
    return st;
}
