/*
 * bpe_train: HF tokenizers' BpeTrainer, merge for merge.
 *
 * The same steps and the same rules as the reference:
 *  - ids: special tokens first, then the alphabet sorted by code point (after
 *    dropping the rarest characters beyond limit_alphabet; initial_alphabet
 *    characters are never dropped), then prefixed/suffixed characters as words
 *    meet them, then merged tokens;
 *  - each word is a list of symbols (one per character kept), each pair's
 *    count is the sum of the counts of the words it occurs in (overlapping
 *    pairs "a a a" count twice), and a merge's count is never decremented by
 *    the merge itself, only by its neighbours;
 *  - the queue pops the highest count, ties to the smallest (left id, right id);
 *    an entry whose count went stale is pushed back with the current count;
 *    each entry carries the words it was queued for, and merging visits only
 *    those words (a pair queued twice is merged twice, as HF does);
 *  - a merged token is left + right without the right's continuing-subword
 *    prefix; a pair whose merged length (in characters) would reach
 *    max_token_length is never counted.
 * Where HF iterates a hash map (word order when it numbers prefixed
 * characters, alphabet ties at the limit) libtok uses byte order of the
 * words and code points, so results are deterministic; without a prefix,
 * suffix or alphabet limit the two agree exactly.
 */
#include "tok_train.h"
#include "vocab_impl.h"
#include "train_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

/* --- pair -> count map (keys never removed, as HF's) ------------------------ */

typedef struct pmap {
    uint64_t *k; /* pair key + 1 (0 = empty) */
    int64_t *v;
    size_t cap, n;
} pmap;

static inline size_t phash(uint64_t k) { return (size_t)(k * 0x9E3779B97F4A7C15ull >> 17); }

static int pmap_grow(pmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1 << 16;
    uint64_t *k = calloc(cap, sizeof *k);
    int64_t *v = malloc(cap * sizeof *v);
    if (!k || !v) { free(k); free(v); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->k[i]) continue;
        size_t j = phash(m->k[i]) & (cap - 1);
        while (k[j]) j = (j + 1) & (cap - 1);
        k[j] = m->k[i];
        v[j] = m->v[i];
    }
    free(m->k);
    free(m->v);
    m->k = k;
    m->v = v;
    m->cap = cap;
    return 0;
}

static int64_t *pmap_at(pmap *m, uint64_t pair)
{
    if ((m->n + 1) * 2 > m->cap && pmap_grow(m)) return NULL;
    uint64_t key = pair + 1;
    size_t j = phash(key) & (m->cap - 1);
    while (m->k[j]) {
        if (m->k[j] == key) return &m->v[j];
        j = (j + 1) & (m->cap - 1);
    }
    m->k[j] = key;
    m->v[j] = 0;
    m->n++;
    return &m->v[j];
}

/* --- queue entries ----------------------------------------------------------- */

typedef struct qent {
    uint64_t count;
    uint64_t pair;  /* left << 32 | right */
    uint32_t *pos;  /* words it was queued for */
    uint32_t npos;
} qent;

typedef struct heap {
    qent *v;
    size_t n, cap;
} heap;

/* a above b: higher count, then the smaller pair */
static inline int above(const qent *a, const qent *b)
{
    return a->count != b->count ? a->count > b->count : a->pair < b->pair;
}

static int heap_push(heap *h, qent e)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 1024;
        qent *v = realloc(h->v, cap * sizeof *v);
        if (!v) return -1;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (!above(&e, &h->v[p])) break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = e;
    return 0;
}

static qent heap_pop(heap *h)
{
    qent top = h->v[0];
    qent last = h->v[--h->n];
    size_t i = 0, n = h->n;
    for (;;) {
        size_t l = 2 * i + 1, b = i;
        if (l >= n) break;
        b = l;
        if (l + 1 < n && above(&h->v[l + 1], &h->v[l])) b = l + 1;
        if (!above(&h->v[b], &last)) break;
        h->v[i] = h->v[b];
        i = b;
    }
    if (n) h->v[i] = last;
    return top;
}

/* --- words ------------------------------------------------------------------- */

typedef vx_word word;

typedef struct change { uint64_t pair; uint32_t w; int32_t d; } change;

typedef struct chvec { change *v; size_t n, cap; } chvec;

static int ch_push(chvec *c, uint64_t pair, uint32_t w, int32_t d)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        change *v = realloc(c->v, cap * sizeof *v);
        if (!v) return -1;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = (change){ pair, w, d };
    return 0;
}

#define PAIR(a, b) ((uint64_t)(a) << 32 | (uint32_t)(b))

/* HF Word::merge: every non-overlapping occurrence left to right. */
static int word_merge(word *w, uint32_t wi, uint32_t c1, uint32_t c2, uint32_t rep, size_t maxlen, chvec *ch)
{
    uint32_t i = 0;
    while (i < w->n) {
        if (w->sym[i] == c1 && i + 1 < w->n && w->sym[i + 1] == c2) {
            uint32_t nl = w->len[i] + w->len[i + 1];
            if (i > 0) {
                if (ch_push(ch, PAIR(w->sym[i - 1], c1), wi, -1)) return -1;
                if ((size_t)w->len[i - 1] + nl < maxlen && ch_push(ch, PAIR(w->sym[i - 1], rep), wi, 1)) return -1;
            }
            w->sym[i] = rep;
            w->len[i] = nl;
            memmove(w->sym + i + 1, w->sym + i + 2, (w->n - i - 2) * sizeof *w->sym);
            memmove(w->len + i + 1, w->len + i + 2, (w->n - i - 2) * sizeof *w->len);
            w->n--;
            if (i + 1 < w->n) {
                if (ch_push(ch, PAIR(c2, w->sym[i + 1]), wi, -1)) return -1;
                if ((size_t)w->len[i + 1] + nl < maxlen && ch_push(ch, PAIR(rep, w->sym[i + 1]), wi, 1)) return -1;
            }
        }
        i++;
    }
    return 0;
}

static int cmp_change(const void *a, const void *b)
{
    const change *x = a, *y = b;
    if (x->pair != y->pair) return x->pair < y->pair ? -1 : 1;
    return (x->w > y->w) - (x->w < y->w);
}

/* Queue one entry per pair of the (pair, word) list, sorted, with its
 * words deduplicated, when the pair's count is positive. */
static int queue_groups(heap *h, pmap *pc, change *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_change);
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j].pair == v[i].pair) j++;
        int64_t cnt = *pmap_at(pc, v[i].pair);
        if (cnt > 0) {
            uint32_t *pos = malloc((j - i) * sizeof *pos);
            if (!pos) return -1;
            uint32_t k = 0;
            for (size_t t = i; t < j; t++)
                if (!k || pos[k - 1] != v[t].w) pos[k++] = v[t].w;
            if (heap_push(h, (qent){ (uint64_t)cnt, v[i].pair, pos, k })) { free(pos); return -1; }
        }
        i = j;
    }
    return 0;
}

/* --- alphabet ------------------------------------------------------------------ */

typedef struct cp_count { uint32_t cp; uint64_t count; } cp_count;

static uint32_t decode_cp(const unsigned char *s, size_t n, size_t *adv)
{
    size_t l = vx_u8len(s[0]);
    if (l > n) l = 1;
    *adv = l;
    if (l == 1) return s[0];
    uint32_t c = s[0] & (0x7F >> l);
    for (size_t i = 1; i < l; i++) c = c << 6 | (s[i] & 0x3F);
    return c;
}

static int cmp_cp_count(const void *a, const void *b)
{
    const cp_count *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? -1 : 1;
    return (x->cp > y->cp) - (x->cp < y->cp);
}

static int cmp_cp(const void *a, const void *b)
{
    const cp_count *x = a, *y = b;
    return (x->cp > y->cp) - (x->cp < y->cp);
}

static void progress_line(int on, size_t done, size_t total, time_t t0)
{
    if (!on) return;
    double el = difftime(time(NULL), t0);
    double eta = done ? el * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\rtok train: merges %zu / %zu, ETA %.0f s   ", done, total, eta);
}

/* Steps 4-5 of the trainer on words already split into symbols: count the
 * pairs, then merge until m has `target` tokens (also used to extend a
 * vocabulary: m then holds the existing tokens and words their encodings). */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

tok_status vx_bpe_merge_loop(vx_word *W, const uint64_t *counts, size_t nw, vx_model *m, size_t target,
                             uint64_t min_frequency, size_t maxlen, const char *prefix, int progress,
                             const uint64_t *forbid, size_t nforbid)
{
    /* 4. pair counts and the first queue */
    pmap pc = { 0 };
    heap h = { 0 };
    chvec ch = { 0 };
    tok_status st = TOK_OK;
    time_t t0 = time(NULL);
    size_t plen = prefix ? strlen(prefix) : 0;
    for (size_t w = 0; w < nw && !st; w++)
        for (uint32_t i = 0; i + 1 < W[w].n; i++) {
            uint64_t pr = PAIR(W[w].sym[i], W[w].sym[i + 1]);
            int64_t *v = pmap_at(&pc, pr);
            if (!v || ch_push(&ch, pr, (uint32_t)w, 1)) { st = TOK_ERR_NOMEM; break; }
            *v += (int64_t)counts[w];
        }
    if (!st && queue_groups(&h, &pc, ch.v, ch.n)) st = TOK_ERR_NOMEM;
    ch.n = 0;

    /* 5. merges */
    size_t steps = 0;
    while (!st && m->n < target && h.n) {
        qent top = heap_pop(&h);
        int64_t cur = *pmap_at(&pc, top.pair);
        if (top.count != (uint64_t)cur) {
            top.count = (uint64_t)cur;
            if (heap_push(&h, top)) { free(top.pos); st = TOK_ERR_NOMEM; }
            continue;
        }
        if (top.count < 1 || min_frequency > top.count) { free(top.pos); break; }
        if (forbid && bsearch(&top.pair, forbid, nforbid, sizeof *forbid, cmp_u64)) { free(top.pos); continue; }
        uint32_t a = (uint32_t)(top.pair >> 32), b = (uint32_t)top.pair;
        size_t la, lb;
        const char *sa = vx_model_token(m, a, &la), *sb = vx_model_token(m, b, &lb);
        if (prefix && lb >= plen && !memcmp(sb, prefix, plen)) { sb += plen; lb -= plen; }
        char *nt = malloc(la + lb + 1);
        if (!nt) { free(top.pos); st = TOK_ERR_NOMEM; break; }
        memcpy(nt, sa, la);
        memcpy(nt + la, sb, lb);
        int32_t nid = vx_model_find(m, nt, la + lb);
        if (nid < 0) nid = vx_model_add(m, nt, la + lb);
        free(nt);
        if (nid < 0 || vx_model_add_merge(m, a, b)) { free(top.pos); st = TOK_ERR_NOMEM; break; }
        for (uint32_t k = 0; k < top.npos && !st; k++)
            if (word_merge(&W[top.pos[k]], top.pos[k], a, b, (uint32_t)nid, maxlen, &ch)) st = TOK_ERR_NOMEM;
        free(top.pos);
        if (st) break;
        size_t npos = 0;
        for (size_t k = 0; k < ch.n; k++) {
            int64_t *v = pmap_at(&pc, ch.v[k].pair);
            if (!v) { st = TOK_ERR_NOMEM; break; }
            *v += (int64_t)ch.v[k].d * (int64_t)counts[ch.v[k].w];
            if (ch.v[k].d > 0) ch.v[npos++] = ch.v[k];
        }
        if (!st && queue_groups(&h, &pc, ch.v, npos)) st = TOK_ERR_NOMEM;
        ch.n = 0;
        if (progress && (++steps & 1023) == 0) progress_line(progress, m->n, target, t0);
    }
    if (progress) { progress_line(progress, m->n, target, t0); fputc('\n', stderr); }
    for (size_t i = 0; i < h.n; i++) free(h.v[i].pos);
    free(h.v);
    free(ch.v);
    free(pc.k);
    free(pc.v);
    return st;
}

/* --- the trainer ------------------------------------------------------------------ */


static const uint64_t *counts_of(const tok_count_entry *E, size_t n, uint64_t **out)
{
    *out = malloc((n ? n : 1) * sizeof **out);
    if (*out)
        for (size_t i = 0; i < n; i++) (*out)[i] = E[i].count;
    return *out;
}

tok_status vx_train_bpe(tok_counts *c, const tok_train_options *o, vx_model *m, tok_error *err)
{
    const tok_count_entry *E;
    size_t nw;
    if (tok_counts_sorted(c, &E, &nw)) return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    if (!nw) return vx_fail(err, TOK_ERR_ARG, "the corpus has no pre-tokens to train on (empty corpus?)");
    if (nw > UINT32_MAX) return vx_fail(err, TOK_ERR_LIMIT, "more than 2^32 distinct pre-tokens");
    size_t maxlen = o->max_token_length ? o->max_token_length : SIZE_MAX;
    const char *prefix = o->continuing_subword_prefix, *suffix = o->end_of_word_suffix;
    size_t plen = prefix ? strlen(prefix) : 0, slen = suffix ? strlen(suffix) : 0;
    tok_status st = TOK_OK;

    /* 1. special tokens */
    for (size_t i = 0; i < o->n_special; i++)
        if (vx_model_find(m, o->special[i], strlen(o->special[i])) < 0 &&
            vx_model_add(m, o->special[i], strlen(o->special[i])) < 0)
            return vx_fail(err, TOK_ERR_NOMEM, "out of memory");

    /* 2. alphabet: characters weighted by word counts */
    cp_count *al = NULL;
    size_t nal = 0, calp = 0;
    {
        /* code point -> slot via a small open hash */
        size_t hcap = 1 << 12;
        uint32_t *hk = calloc(hcap, sizeof *hk); /* cp + 1 */
        uint32_t *hv = malloc(hcap * sizeof *hv);
        if (!hk || !hv) { free(hk); free(hv); return vx_fail(err, TOK_ERR_NOMEM, "out of memory"); }
        for (size_t w = 0; w < nw && !st; w++) {
            const unsigned char *s = (const unsigned char *)E[w].s;
            size_t p = 0, adv;
            while (p < E[w].len) {
                uint32_t cp = decode_cp(s + p, E[w].len - p, &adv);
                p += adv;
                size_t j = (cp * 2654435761u) & (hcap - 1);
                while (hk[j] && hk[j] != cp + 1) j = (j + 1) & (hcap - 1);
                if (!hk[j]) {
                    if (nal == calp) {
                        calp = calp ? calp * 2 : 256;
                        cp_count *na = realloc(al, calp * sizeof *na);
                        if (!na) { st = TOK_ERR_NOMEM; break; }
                        al = na;
                    }
                    hk[j] = cp + 1;
                    hv[j] = (uint32_t)nal;
                    al[nal++] = (cp_count){ cp, 0 };
                    if (nal * 2 > hcap) { /* grow */
                        size_t nc = hcap * 2;
                        uint32_t *k2 = calloc(nc, sizeof *k2), *v2 = malloc(nc * sizeof *v2);
                        if (!k2 || !v2) { free(k2); free(v2); st = TOK_ERR_NOMEM; break; }
                        for (size_t t = 0; t < hcap; t++) {
                            if (!hk[t]) continue;
                            size_t q = ((hk[t] - 1) * 2654435761u) & (nc - 1);
                            while (k2[q]) q = (q + 1) & (nc - 1);
                            k2[q] = hk[t];
                            v2[q] = hv[t];
                        }
                        free(hk);
                        free(hv);
                        hk = k2;
                        hv = v2;
                        hcap = nc;
                        j = (cp * 2654435761u) & (hcap - 1);
                        while (hk[j] != cp + 1) j = (j + 1) & (hcap - 1);
                    }
                }
                al[hv[j]].count += E[w].count;
            }
        }
        /* the initial alphabet is always kept */
        if (!st && o->initial_alphabet) {
            const unsigned char *s = (const unsigned char *)o->initial_alphabet;
            size_t n = strlen(o->initial_alphabet), p = 0, adv;
            while (p < n && !st) {
                uint32_t cp = decode_cp(s + p, n - p, &adv);
                p += adv;
                size_t j = (cp * 2654435761u) & (hcap - 1);
                while (hk[j] && hk[j] != cp + 1) j = (j + 1) & (hcap - 1);
                if (hk[j]) { al[hv[j]].count = UINT64_MAX; continue; }
                if (nal == calp) {
                    calp = calp ? calp * 2 : 256;
                    cp_count *na = realloc(al, calp * sizeof *na);
                    if (!na) { st = TOK_ERR_NOMEM; break; }
                    al = na;
                }
                al[nal++] = (cp_count){ cp, UINT64_MAX };
                /* keep the hash consistent for duplicates in the list */
                if (nal * 2 > hcap) continue;
                hk[j] = cp + 1;
                hv[j] = (uint32_t)(nal - 1);
            }
        }
        free(hk);
        free(hv);
    }
    if (st) { free(al); return vx_fail(err, st, "out of memory"); }
    if (o->limit_alphabet && nal > o->limit_alphabet) {
        qsort(al, nal, sizeof *al, cmp_cp_count);
        memmove(al, al + (nal - o->limit_alphabet), o->limit_alphabet * sizeof *al);
        nal = o->limit_alphabet;
    }
    qsort(al, nal, sizeof *al, cmp_cp);
    for (size_t i = 0; i < nal; i++) {
        char buf[4];
        size_t l = vx_u8put(buf, al[i].cp);
        if (vx_model_find(m, buf, l) < 0 && vx_model_add(m, buf, l) < 0) { free(al); return vx_fail(err, TOK_ERR_NOMEM, "out of memory"); }
    }
    free(al);
    if (o->vocab_size < m->n)
        return vx_fail(err, TOK_ERR_ARG,
                       "--vocab-size %zu is smaller than the %zu special tokens and initial characters "
                       "(raise it, or limit the alphabet)", o->vocab_size, m->n);

    /* 3. words as symbol lists */
    uint64_t *cnt = NULL;
    size_t total_chars = 0;
    for (size_t w = 0; w < nw; w++) total_chars += E[w].len;
    word *W = malloc(nw * sizeof *W);
    uint32_t *sympool = malloc((total_chars ? total_chars : 1) * sizeof *sympool);
    uint32_t *lenpool = malloc((total_chars ? total_chars : 1) * sizeof *lenpool);
    char *tmp = malloc(plen + slen + 8);
    if (!W || !sympool || !lenpool || !tmp) { st = TOK_ERR_NOMEM; goto out; }
    {
        size_t off = 0;
        for (size_t w = 0; w < nw; w++) {
            W[w].sym = sympool + off;
            W[w].len = lenpool + off;
            W[w].n = 0;
            const unsigned char *s = (const unsigned char *)E[w].s;
            size_t p = 0, adv;
            while (p < E[w].len) {
                decode_cp(s + p, E[w].len - p, &adv);
                size_t cl = adv;
                int first = p == 0;
                p += adv;
                int last = p == E[w].len;
                if (vx_model_find(m, (const char *)s + p - cl, cl) < 0) continue;
                size_t tl = 0;
                if (!first && prefix) { memcpy(tmp, prefix, plen); tl = plen; }
                memcpy(tmp + tl, s + p - cl, cl);
                tl += cl;
                if (last && suffix) { memcpy(tmp + tl, suffix, slen); tl += slen; }
                int32_t id = vx_model_find(m, tmp, tl);
                if (id < 0 && (id = vx_model_add(m, tmp, tl)) < 0) { st = TOK_ERR_NOMEM; goto out; }
                W[w].sym[W[w].n] = (uint32_t)id;
                W[w].len[W[w].n] = 1;
                W[w].n++;
            }
            off += E[w].len;
        }
    }

    st = vx_bpe_merge_loop(W, counts_of(E, nw, &cnt), nw, m, o->vocab_size, o->min_frequency, maxlen, prefix,
                           o->progress, NULL, 0);
    free(cnt);
out:
    free(W);
    free(sympool);
    free(lenpool);
    free(tmp);
    if (st) return vx_fail(err, st, "out of memory");
    return TOK_OK;
}
