/*
 * spm_bpe_train: SentencePiece's BPE trainer (spm_train --model_type=bpe) on
 * pre-token counts (words with their "▁", from a Metaspace pipeline).
 *
 * SentencePiece's rules, which differ from HF's BpeTrainer:
 *  - ties: higher frequency, then fewer characters, then the smaller string
 *    (bytes);
 *  - a pair whose string breaks SentencePiece's piece rules ("▁" inside,
 *    mixed Unicode scripts, longer than 16 characters) is never merged;
 *  - a merged string seen before (made along another path) is not added twice;
 *  - pieces score minus their merge index; the characters come after the
 *    merged pieces, most frequent first, scores continuing; the merge loop
 *    stops at vocab_size minus the meta pieces and the characters.
 * The counting follows spm_train 0.1.97 (Debian's) step by step, because its
 * frequencies are not plain pair counts: each pair symbol keeps the set of
 * its positions (word, left, right); its frequency is cached and recounted
 * only after a merge next to one of its positions reset it; a recount drops
 * positions that no longer hold the pair and, in a run like "aaa", the
 * position overlapping the one just counted -- for good, so an occurrence
 * freed later (when a merge takes the first "a") is never counted again.
 * That is why, on 400 kB of English at 4000, "ww" (36 occurrences of "ww"
 * without overlap, 35 in spm_train's count: one "www" lost its second pair
 * that way) comes after "▁5" and nineteen other 36s.  Newer SentencePiece
 * releases count overlapping positions instead.
 * spm_train picks the best pair among an "active" set: the 5% most frequent
 * pairs (at least 1000) chosen every 100 pieces, plus pairs made since; this
 * trainer keeps the same set, ranking ties at its cut by the pick order
 * (spm_train's partial sort leaves them in hash order).
 * Incremental: a merge visits only its own positions (and resets and
 * creates the pairs beside them), the best pair is searched in the active
 * set only, the cut of the active set is a linear selection.
 */
#include "tok_train.h"
#include "train_impl.h"
#include "vocab_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct posn { uint32_t w, l, r; } posn;

/* a symbol: a character (left < 0) or a pair of symbols */
typedef struct sym {
    int32_t left, right;
    uint32_t chars;
    uint64_t freq;       /* cached; 0 = to recount */
    posn *pos;           /* sorted by (w, l, r) */
    uint32_t npos, cpos;
    int32_t act;         /* index in the active set, -1 none */
    int32_t mid;         /* id in the output vocabulary (characters, merged pieces), -1 none */
    uint8_t cached;      /* in the cache (made and not erased) */
} psym;

#define PK_INVALID (-1)  /* the pair breaks the piece rules */
#define PK_ERASED (-2)   /* merged or a duplicate: made anew if seen again */

typedef struct pkey { uint64_t key; int32_t v; } pkey;  /* key = left << 32 | right, + 1 */

typedef struct tr {
    psym *s;
    size_t n, cap;
    pkey *map;
    size_t mcap, mn;
    int32_t *active;
    size_t nact, cact;
    size_t ncache;       /* symbols in the cache, characters included */
    int32_t **ws;        /* per word: its symbols (-1 = merged away) */
    uint32_t *wn;
    const tok_count_entry *E;
    const vx_model *chars;
    size_t maxchars;
} tr;

static inline size_t ph(uint64_t k) { return (size_t)(k * 0x9E3779B97F4A7C15ull >> 20); }

static pkey *map_slot(tr *T, uint64_t key)
{
    if ((T->mn + 1) * 2 > T->mcap) {
        size_t cap = T->mcap ? T->mcap * 2 : 1 << 14;
        pkey *v = calloc(cap, sizeof *v);
        if (!v) return NULL;
        for (size_t i = 0; i < T->mcap; i++) {
            if (!T->map[i].key) continue;
            size_t j = ph(T->map[i].key) & (cap - 1);
            while (v[j].key) j = (j + 1) & (cap - 1);
            v[j] = T->map[i];
        }
        free(T->map);
        T->map = v;
        T->mcap = cap;
    }
    size_t j = ph(key) & (T->mcap - 1);
    while (T->map[j].key && T->map[j].key != key) j = (j + 1) & (T->mcap - 1);
    return &T->map[j];
}

/* the symbol's string into buf (room 256); its length, 0 if too long */
static size_t sym_str(const tr *T, int32_t id, char *buf, size_t room)
{
    const psym *s = &T->s[id];
    if (s->left < 0) {
        size_t l;
        const char *c = vx_model_token(T->chars, (uint32_t)id, &l);
        if (l > room) return 0;
        memcpy(buf, c, l);
        return l;
    }
    size_t a = sym_str(T, s->left, buf, room);
    if (!a) return 0;
    size_t b = sym_str(T, s->right, buf + a, room - a);
    return b ? a + b : 0;
}

static int32_t sym_new(tr *T, int32_t left, int32_t right, uint32_t chars)
{
    if (T->n == T->cap) {
        size_t cap = T->cap ? T->cap * 2 : 4096;
        psym *v = realloc(T->s, cap * sizeof *v);
        if (!v) return -3;
        T->s = v;
        T->cap = cap;
    }
    T->s[T->n] = (psym){ left, right, chars, 0, NULL, 0, 0, -1, left < 0 ? (int32_t)T->n : -1, 1 };
    T->ncache++;
    return (int32_t)T->n++;
}

/* SentencePiece's GetPairSymbol: the cached pair symbol of a and b, made if
 * new and valid; -1 none (a side merged away, or an invalid piece), -3 no
 * memory */
static int32_t get_pair(tr *T, int32_t a, int32_t b)
{
    if (a < 0 || b < 0) return -1;
    uint64_t key = ((uint64_t)(uint32_t)a << 32 | (uint32_t)b) + 1;
    pkey *k = map_slot(T, key);
    if (!k) return -3;
    if (k->key && k->v >= 0) return k->v;
    if (k->key && k->v == PK_INVALID) return -1;
    if (!k->key) {
        char s[256];
        size_t la = sym_str(T, a, s, sizeof s), lb = la ? sym_str(T, b, s + la, sizeof s - la) : 0;
        int ok = la && lb && vx_spm_valid_piece(s, la + lb, T->maxchars);
        k->key = key;
        T->mn++;
        if (!ok) { k->v = PK_INVALID; return -1; }
    }
    int32_t id = sym_new(T, a, b, T->s[a].chars + T->s[b].chars);
    if (id < 0) return -3;
    k = map_slot(T, key); /* the map did not grow (the slot exists), but be safe */
    k->v = id;
    return id;
}

static void erase_cached(tr *T, int32_t id)
{
    psym *s = &T->s[id];
    if (!s->cached) return;
    s->cached = 0;
    T->ncache--;
    uint64_t key = ((uint64_t)(uint32_t)s->left << 32 | (uint32_t)s->right) + 1;
    pkey *k = map_slot(T, key);
    if (k && k->key == key && k->v == id) k->v = PK_ERASED;
}

static int act_add(tr *T, int32_t id)
{
    if (T->s[id].act >= 0) return 0;
    if (T->nact == T->cact) {
        size_t cap = T->cact ? T->cact * 2 : 4096;
        int32_t *v = realloc(T->active, cap * sizeof *v);
        if (!v) return -1;
        T->active = v;
        T->cact = cap;
    }
    T->s[id].act = (int32_t)T->nact;
    T->active[T->nact++] = id;
    return 0;
}

static void act_del(tr *T, int32_t id)
{
    int32_t i = T->s[id].act;
    if (i < 0) return;
    int32_t last = T->active[--T->nact];
    T->active[i] = last;
    T->s[last].act = i;
    T->s[id].act = -1;
}

static int pos_add(psym *s, uint32_t w, uint32_t l, uint32_t r)
{
    posn p = { w, l, r };
    if (s->npos) {
        const posn *q = &s->pos[s->npos - 1];
        if (q->w == w && q->l == l && q->r == r) return 0;
    }
    if (s->npos == s->cpos) {
        uint32_t cap = s->cpos ? s->cpos * 2 : 4;
        posn *v = realloc(s->pos, cap * sizeof *v);
        if (!v) return -1;
        s->pos = v;
        s->cpos = cap;
    }
    /* kept sorted (appends are in order in practice) */
    uint32_t i = s->npos;
    while (i > 0) {
        const posn *q = &s->pos[i - 1];
        if (q->w < w || (q->w == w && (q->l < l || (q->l == l && q->r < r)))) break;
        if (q->w == w && q->l == l && q->r == r) return 0;
        i--;
    }
    memmove(s->pos + i + 1, s->pos + i, (s->npos - i) * sizeof *s->pos);
    s->pos[i] = p;
    s->npos++;
    return 0;
}

static int add_new_pair(tr *T, uint32_t w, int64_t l, int64_t r)
{
    if (l < 0 || r < 0) return 0;
    int32_t id = get_pair(T, T->ws[w][l], T->ws[w][r]);
    if (id == -3) return -1;
    if (id < 0) return 0;
    if (act_add(T, id)) return -1;
    return pos_add(&T->s[id], w, (uint32_t)l, (uint32_t)r);
}

static int reset_freq(tr *T, uint32_t w, int64_t l, int64_t r, int32_t best)
{
    if (l < 0 || r < 0) return 0;
    int32_t id = get_pair(T, T->ws[w][l], T->ws[w][r]);
    if (id == -3) return -1;
    if (id >= 0 && id != best) T->s[id].freq = 0;
    return 0;
}

/* spm_train 0.1.97's ComputeFreq: recount from the positions, dropping the
 * stale ones and the second of two overlapping ones */
static void compute_freq(tr *T, int32_t id)
{
    psym *s = &T->s[id];
    if (s->freq > 0) return;
    int64_t pw = -1;
    uint32_t pr = 0, k = 0;
    for (uint32_t i = 0; i < s->npos; i++) {
        posn p = s->pos[i];
        if (((int64_t)p.w == pw && p.l == pr) || T->ws[p.w][p.l] != s->left || T->ws[p.w][p.r] != s->right) {
            pw = -1;
            pr = 0;
            continue;
        }
        s->freq += T->E[p.w].count;
        pw = p.w;
        pr = p.r;
        s->pos[k++] = p;
    }
    s->npos = k;
}

/* the order SentencePiece picks pairs in: frequency, fewer characters, smaller string */
static int rank_cmp(const tr *T, int32_t x, int32_t y)
{
    const psym *a = &T->s[x], *b = &T->s[y];
    if (a->freq != b->freq) return a->freq > b->freq ? -1 : 1;
    if (a->chars != b->chars) return a->chars < b->chars ? -1 : 1;
    char s1[256], s2[256];
    size_t n1 = sym_str(T, x, s1, sizeof s1), n2 = sym_str(T, y, s2, sizeof s2);
    size_t mn = n1 < n2 ? n1 : n2;
    int r = memcmp(s1, s2, mn);
    if (r) return r;
    return (n1 > n2) - (n1 < n2);
}

static int by_rank(const void *a, const void *b, void *arg)
{
    return rank_cmp(arg, *(const int32_t *)a, *(const int32_t *)b);
}

/* k-th largest of v[0..n) (k < n), by three-way selection; v is reordered */
static uint64_t kth_largest(uint64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    for (;;) {
        if (hi - lo <= 1) return v[lo];
        uint64_t piv = v[lo + (hi - lo) / 2], t;
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (v[i] > piv) { t = v[lt]; v[lt++] = v[i]; v[i++] = t; }
            else if (v[i] < piv) { t = v[--gt]; v[gt] = v[i]; v[i] = t; }
            else i++;
        }
        if (k < lt) hi = lt;
        else if (k < gt) return piv;
        else lo = gt;
    }
}

/* every 100 pieces: the active set is the most frequent 5% of the cache
 * (at least 1000 pairs) */
static int update_active(tr *T, size_t nchar)
{
    for (size_t i = 0; i < T->nact; i++) T->s[T->active[i]].act = -1;
    T->nact = 0;
    size_t nb = 0;
    for (size_t i = nchar; i < T->n; i++)
        if (T->s[i].cached) { compute_freq(T, (int32_t)i); nb++; }
    if (!nb) return 0;
    int size = (int)((float)T->ncache * 0.05f);
    if (size < 1000) size = 1000;
    size_t k = (size_t)size < nb ? (size_t)size : nb;
    uint64_t *f = malloc(nb * sizeof *f);
    int32_t *tie = NULL;
    if (!f) return -1;
    size_t j = 0;
    for (size_t i = nchar; i < T->n; i++) if (T->s[i].cached) f[j++] = T->s[i].freq;
    uint64_t cut = kth_largest(f, nb, k - 1);
    free(f);
    size_t nt = 0, above = 0;
    for (size_t i = nchar; i < T->n; i++) {
        if (!T->s[i].cached) continue;
        if (T->s[i].freq > cut) { if (act_add(T, (int32_t)i)) return -1; above++; }
        else if (T->s[i].freq == cut) nt++;
    }
    tie = malloc((nt + 1) * sizeof *tie);
    if (!tie) return -1;
    nt = 0;
    for (size_t i = nchar; i < T->n; i++) if (T->s[i].cached && T->s[i].freq == cut) tie[nt++] = (int32_t)i;
    qsort_r(tie, nt, sizeof *tie, by_rank, T);
    for (size_t i = 0; i < nt && above + i < k; i++)
        if (act_add(T, tie[i])) { free(tie); return -1; }
    free(tie);
    return 0;
}

static int64_t next_index(const tr *T, uint32_t w, uint32_t i)
{
    for (uint32_t j = i + 1; j < T->wn[w]; j++) if (T->ws[w][j] >= 0) return j;
    return -1;
}

static int64_t prev_index(const tr *T, uint32_t w, uint32_t i)
{
    for (uint32_t j = i; j-- > 0;) if (T->ws[w][j] >= 0) return j;
    return -1;
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
    /* characters first: symbol id = id in sym (strings of the output) */
    vx_model sym = { 0 };
    tr T = { .E = E, .chars = &sym, .maxchars = maxchars };
    size_t total = 0;
    for (size_t w = 0; w < nw; w++) total += E[w].len;
    int32_t *pool = malloc((total + 1) * sizeof *pool);
    T.ws = malloc((nw + 1) * sizeof *T.ws);
    T.wn = malloc((nw + 1) * sizeof *T.wn);
    uint64_t *charcount = NULL;
    size_t ccap = 0;
    float *sc = NULL;
    uint32_t *piece_ids = NULL;
    if (!pool || !T.ws || !T.wn) { st = TOK_ERR_NOMEM; goto out; }
    size_t off = 0;
    for (size_t w = 0; w < nw; w++) {
        T.ws[w] = pool + off;
        T.wn[w] = 0;
        for (size_t p = 0; p < E[w].len;) {
            size_t l = vx_u8len((unsigned char)E[w].s[p]);
            if (p + l > E[w].len) l = E[w].len - p;
            int32_t id = vx_model_find(&sym, E[w].s + p, l);
            if (id < 0) {
                if ((id = vx_model_add(&sym, E[w].s + p, l)) < 0 || sym_new(&T, -1, -1, 1) != id) { st = TOK_ERR_NOMEM; goto out; }
                T.s[id].cached = 1;
            }
            if ((size_t)id >= ccap) {
                size_t nc = (size_t)id * 2 + 256;
                uint64_t *cc = realloc(charcount, nc * sizeof *cc);
                if (!cc) { st = TOK_ERR_NOMEM; goto out; }
                memset(cc + ccap, 0, (nc - ccap) * sizeof *cc);
                charcount = cc;
                ccap = nc;
            }
            charcount[id] += E[w].count;
            T.ws[w][T.wn[w]++] = id;
            p += l;
        }
        if (T.wn[w] > 65536) {
            st = vx_fail(err, TOK_ERR_ARG, "a pre-token of %u characters: SentencePiece BPE training takes at most 65536 "
                         "(as spm_train's position encoding)", T.wn[w]);
            goto out_nofail;
        }
        off += T.wn[w];
    }
    size_t nchar = sym.n;
    size_t meta = 3 + o->n_special + (o->byte_fallback ? 256 : 0);
    if (o->vocab_size < meta + nchar) {
        st = vx_fail(err, TOK_ERR_ARG, "--vocab-size %zu is smaller than the %zu characters plus %zu meta pieces",
                     o->vocab_size, nchar, meta);
        goto out_nofail;
    }
    size_t want = o->vocab_size - meta - nchar;
    size_t npieces = 0;
    piece_ids = malloc((want + 1) * sizeof *piece_ids);
    if (!piece_ids) { st = TOK_ERR_NOMEM; goto out; }
    /* every adjacent pair of the start */
    for (size_t w = 0; w < nw; w++)
        for (uint32_t i = 1; i < T.wn[w]; i++)
            if (add_new_pair(&T, (uint32_t)w, i - 1, i)) { st = TOK_ERR_NOMEM; goto out; }
    while (npieces < want) {
        if (npieces % 100 == 0 && update_active(&T, nchar)) { st = TOK_ERR_NOMEM; goto out; }
        int32_t best = -1;
        for (size_t i = 0; i < T.nact; i++) {
            int32_t a = T.active[i];
            compute_freq(&T, a);
            if (best < 0 || rank_cmp(&T, a, best) < 0) best = a;
        }
        if (best < 0) break;
        char s[256];
        size_t ls = sym_str(&T, best, s, sizeof s);
        if (!ls || vx_model_find(&sym, s, ls) >= 0) { /* made before along another path */
            erase_cached(&T, best);
            act_del(&T, best);
            continue;
        }
        int32_t nid = vx_model_add(&sym, s, ls);
        if (nid < 0) { st = TOK_ERR_NOMEM; goto out; }
        piece_ids[npieces++] = (uint32_t)nid;
        T.s[best].mid = nid;
        if (vx_model_add_merge(&sym, (uint32_t)T.s[T.s[best].left].mid, (uint32_t)T.s[T.s[best].right].mid)) {
            st = TOK_ERR_NOMEM;
            goto out;
        }
        /* replace at each of its positions; the pairs beside are reset and
         * the new ones made (they join the active set) */
        const posn *bp = T.s[best].pos; /* not changed below: pairs made here differ from best */
        uint32_t nb = T.s[best].npos;
        for (uint32_t i = 0; i < nb; i++) {
            posn p = bp[i];
            if (T.ws[p.w][p.l] < 0) continue; /* taken by the previous one in "aaa" */
            int64_t next = next_index(&T, p.w, p.r), prev = prev_index(&T, p.w, p.l);
            if (reset_freq(&T, p.w, prev, p.l, best) || reset_freq(&T, p.w, p.r, next, best)) { st = TOK_ERR_NOMEM; goto out; }
            T.ws[p.w][p.l] = best;
            T.ws[p.w][p.r] = -1;
            if (add_new_pair(&T, p.w, prev, p.l) || add_new_pair(&T, p.w, p.l, next)) { st = TOK_ERR_NOMEM; goto out; }
        }
        erase_cached(&T, best);
        act_del(&T, best);
        if (o->progress && npieces % 100 == 0) fprintf(stderr, "\rtok train: spm bpe %zu / %zu   ", npieces, want);
    }
    if (o->progress) fputc('\n', stderr);
    /* the vocabulary: metas, specials, merged pieces, then characters by count */
    sc = malloc((o->vocab_size + 8) * sizeof *sc);
    chc *cs = malloc((nchar + 1) * sizeof *cs);
    if (!sc || !cs) { free(cs); st = TOK_ERR_NOMEM; goto out; }
    if (vx_spm_head(m, sc, o)) { free(cs); st = TOK_ERR_NOMEM; goto out; }
    float score = -0.0f; /* SentencePiece writes -(float)index: the first is -0 */
    for (size_t i = 0; i < npieces; i++) {
        size_t l;
        const char *s = vx_model_token(&sym, piece_ids[i], &l);
        if (vx_model_add(m, s, l) < 0) { free(cs); st = TOK_ERR_NOMEM; goto out; }
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
        if (vx_model_add(m, s, l) < 0) { free(cs); st = TOK_ERR_NOMEM; goto out; }
        sc[m->n - 1] = score;
        score -= 1;
    }
    free(cs);
    /* merges as pairs of final ids, in order */
    for (size_t i = 0; i < sym.nmerges; i++) {
        size_t la, lb;
        const char *a = vx_model_token(&sym, sym.merges[i][0], &la), *b = vx_model_token(&sym, sym.merges[i][1], &lb);
        int32_t ia = vx_model_find(m, a, la), ib = vx_model_find(m, b, lb);
        if (ia >= 0 && ib >= 0 && vx_model_add_merge(m, (uint32_t)ia, (uint32_t)ib)) { st = TOK_ERR_NOMEM; goto out; }
    }
    *scores_out = sc;
    sc = NULL;
out:
    if (st) vx_fail(err, st, "out of memory");
out_nofail:
    free(sc);
    free(piece_ids);
    free(pool);
    free(T.ws);
    free(T.wn);
    free(charcount);
    for (size_t i = 0; i < T.n; i++) free(T.s[i].pos);
    free(T.s);
    free(T.map);
    free(T.active);
    vx_model_clear(&sym);
    return st;
}
