/* Double-array trie: construction from sorted keys, breadth first.  Free
 * cells are kept in a list sorted by index, so the search for a base where
 * all children of a node fit only visits free cells (the array ends up
 * ~98% full, so scanning every cell would mostly see used ones). */
#include "trie.h"

typedef struct skey {
    uint64_t pfx; /* first 8 bytes, big-endian, zero-padded: most comparisons stop here */
    const uint8_t *s;
    uint32_t len;
    int32_t value;
    uint32_t order;
} skey;

static int skey_cmp(const void *pa, const void *pb)
{
    const skey *a = pa, *b = pb;
    if (a->pfx != b->pfx) return a->pfx < b->pfx ? -1 : 1;
    uint32_t m = a->len < b->len ? a->len : b->len;
    int c = m ? memcmp(a->s, b->s, m) : 0;
    if (c) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Sort keys as skey_cmp does, in O(n) for the usual case: a stable radix
 * sort on the 8-byte prefix (keys start in input order, so equal prefixes
 * stay by order), then the comparison sort within each run of equal prefixes
 * where a key is longer than its prefix or shorter than 8 (zero padding
 * makes "a" and "a\0" one prefix).  -1 when out of memory. */
typedef struct rkey { uint64_t pfx; uint64_t at; } rkey; /* what the passes move: half an skey */

static int sort_keys(skey *k, size_t m)
{
    if (m < 4096) {
        qsort(k, m, sizeof *k, skey_cmp);
        return 0;
    }
    rkey *r = tok__big_alloc(2 * m * sizeof *r);
    skey *out = tok__big_alloc(m * sizeof *out);
    size_t *cnt = malloc(2048 * sizeof *cnt);
    if (!r || !out || !cnt) {
        free(r);
        free(out);
        free(cnt);
        return -1;
    }
    for (size_t i = 0; i < m; i++) r[i] = (rkey){ k[i].pfx, i };
    rkey *from = r, *to = r + m;
    for (int shift = 0; shift < 64; shift += 11) {
        memset(cnt, 0, 2048 * sizeof *cnt);
        for (size_t i = 0; i < m; i++) cnt[(from[i].pfx >> shift) & 2047]++;
        if (cnt[(from[0].pfx >> shift) & 2047] == m) continue; /* one digit for all: nothing moves */
        size_t sum = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < m; i++) to[cnt[(from[i].pfx >> shift) & 2047]++] = from[i];
        rkey *x = from;
        from = to;
        to = x;
    }
    for (size_t i = 0; i < m; i++) out[i] = k[from[i].at];
    memcpy(k, out, m * sizeof *k);
    free(r);
    free(out);
    free(cnt);
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        bool tie = k[i].len != 8;
        while (j < m && k[j].pfx == k[i].pfx) tie |= k[j++].len != 8;
        if (j - i > 1 && tie) qsort(k + i, j - i, sizeof *k, skey_cmp);
        i = j;
    }
    return 0;
}

typedef struct qnode {
    int32_t cell;
    uint32_t depth, lo, hi; /* keys[lo, hi) share the node's prefix of length depth */
} qnode;

typedef struct builder {
    tok_trie_cell *cell;
    int32_t *nxt, *prv;   /* free list links (-1: none) */
    int32_t head, tail;   /* first and last free cell */
    int32_t mhead;        /* where searches for several children start (a free cell) */
    uint64_t *used;       /* one bit per cell (cap + 128 bits): the search for a
                           * base tests 64 candidates per word and child */
    size_t cap;
    uint32_t max_used;
} builder;

#define USED(b, i) ((b)->cell[i].check != -2)

/* Make cells [0, need) exist; new cells join the end of the free list. */
static int ensure(builder *b, size_t need)
{
    if (need <= b->cap) return 0;
    size_t c = b->cap ? b->cap : 1024;
    while (c < need) c *= 2;
    if (c > (size_t)INT32_MAX) return -1;
    tok_trie_cell *p = tok__big_realloc(b->cell, b->cap * sizeof *p, c * sizeof *p);
    if (!p) return -1;
    b->cell = p;
    int32_t *n = tok__big_realloc(b->nxt, b->cap * sizeof *n, c * sizeof *n);
    if (!n) return -1;
    b->nxt = n;
    n = tok__big_realloc(b->prv, b->cap * sizeof *n, c * sizeof *n);
    if (!n) return -1;
    b->prv = n;
    size_t ow = b->cap ? b->cap / 64 + 2 : 0, nw = c / 64 + 2;
    uint64_t *u = realloc(b->used, nw * sizeof *u);
    if (!u) return -1;
    b->used = u;
    memset(u + ow, 0, (nw - ow) * sizeof *u);
    for (size_t i = b->cap; i < c; i++) {
        p[i].base = 0;
        p[i].check = -2;
        p[i].value = -1;
        b->prv[i] = b->tail;
        b->nxt[i] = -1;
        if (b->tail >= 0) b->nxt[b->tail] = (int32_t)i;
        else b->head = (int32_t)i;
        b->tail = (int32_t)i;
    }
    b->cap = c;
    return 0;
}

static void occupy(builder *b, size_t i, int32_t parent)
{
    int32_t p = b->prv[i], n = b->nxt[i];
    if (p >= 0) b->nxt[p] = n;
    else b->head = n;
    if (n >= 0) b->prv[n] = p;
    else b->tail = p;
    if (b->mhead == (int32_t)i) b->mhead = n;
    b->cell[i].check = parent;
    b->used[i >> 6] |= 1ull << (i & 63);
    if (i > b->max_used) b->max_used = (uint32_t)i;
}

/* 64 bits of the used map from bit p on */
static inline uint64_t used64(const builder *b, size_t p)
{
    size_t w = p >> 6;
    unsigned sh = (unsigned)(p & 63);
    return sh ? b->used[w] >> sh | b->used[w + 1] << (64 - sh) : b->used[w];
}

/* Free cells in [from, to). */
static size_t free_between(const builder *b, size_t from, size_t to)
{
    size_t used = 0;
    for (size_t i = from; i < to;) {
        if ((i & 63) == 0 && to - i >= 64) {
            used += (size_t)tok_popcount64(b->used[i >> 6]);
            i += 64;
        } else {
            used += b->used[i >> 6] >> (i & 63) & 1;
            i++;
        }
    }
    return to - from - used;
}

tok_status tok_trie_build(tok_trie *t, const tok_trie_key *keys, size_t n, tok_error *err)
{
    memset(t, 0, sizeof *t);
    skey *k = NULL;
    uint8_t *pool = NULL;
    TOK_VEC(qnode) q = { 0 };
    builder b = { NULL, NULL, NULL, -1, -1, -1, NULL, 0, 0 };
    size_t m = 0, mapped = 0; /* mapped: b.cell's size once it is the final table */
    uint32_t max_len = 0;

    if (n > UINT32_MAX) return tok__fail(err, TOK_ERR_LIMIT, "too many trie keys");
    k = tok__big_alloc((n ? n : 1) * sizeof *k);
    if (!k) goto nomem;
    for (size_t i = 0; i < n; i++) {
        if (!keys[i].len) continue;
        k[m].s = keys[i].s;
        k[m].len = keys[i].len;
        k[m].value = keys[i].value;
        k[m].order = (uint32_t)i;
        uint64_t pf = 0;
        for (uint32_t c = 0; c < 8; c++) pf = pf << 8 | (c < keys[i].len ? keys[i].s[c] : 0);
        k[m].pfx = pf;
        if (keys[i].len > max_len) max_len = keys[i].len;
        m++;
    }
    if (sort_keys(k, m)) goto nomem;
    /* the walk below reads every key once per depth: copied in sorted order
     * the keys it reads in turn sit side by side, not all over the pool */
    size_t total = 0;
    for (size_t i = 0; i < m; i++) total += k[i].len;
    pool = malloc(total ? total : 1);
    if (!pool) goto nomem;
    for (size_t i = 0, at = 0; i < m; i++) {
        memcpy(pool + at, k[i].s, k[i].len);
        k[i].s = pool + at;
        at += k[i].len;
    }

    /* a node per key byte at most: the queue never moves (pages it does not
     * reach are never touched) */
    if (tok_vec_reserve(&q, total + 1)) goto nomem;
    if (ensure(&b, 1024) || tok_vec_push(&q, ((qnode){ 0, 0, 0, (uint32_t)m }))) goto nomem;
    occupy(&b, 0, -1); /* the root */
    uint32_t nkeys = 0;
    struct { uint8_t label; uint32_t lo, hi; } kids[256];

    for (size_t qi = 0; qi < q.n; qi++) {
        qnode nd = q.v[qi];
        uint32_t i = nd.lo;
        if (i < nd.hi && k[i].len == nd.depth) {
            /* equal keys end here; sorted by order, so the last one wins */
            while (i < nd.hi && k[i].len == nd.depth) b.cell[nd.cell].value = k[i++].value;
            nkeys++;
        }
        if (i == nd.hi) continue; /* leaf */
        int nk = 0;
        while (i < nd.hi) {
            uint8_t c = k[i].s[nd.depth];
            uint32_t j = i + 1;
            while (j < nd.hi && k[j].s[nd.depth] == c) j++;
            kids[nk].label = c;
            kids[nk].lo = i;
            kids[nk].hi = j;
            nk++;
            i = j;
        }
        /* the first free cell f (>= label + 1, so that base >= 1 keeps
         * children off the root) where every base + label is free */
        size_t base;
        /* one child fits in any free cell: take the first.  Several children
         * start at mhead, which skips the packed front of the array (moved
         * on, as darts does, when 95% of the cells a search passed were used) */
        int32_t f = nk > 1 && b.mhead >= 0 ? b.mhead : b.head;
        int32_t f0 = f;
        size_t tried = 0;
        if (nk > 1 && f >= 0) {
            /* the lowest base >= f - label0 (and >= 1) where every child's
             * cell is free: the first free cell f, in the free list's order,
             * that the search below would stop at, found 64 bases a step */
            size_t l0 = kids[0].label, B = (size_t)f > l0 + 1 ? (size_t)f - l0 : 1;
            for (;; B += 64) {
                if (B + 64 + 256 + 64 > b.cap && ensure(&b, B + 64 + 512)) goto nomem;
                uint64_t fit = ~0ull;
                for (int c = 0; c < nk && fit; c++) fit &= ~used64(&b, B + kids[c].label);
                if (fit) {
                    base = B + (size_t)__builtin_ctzll(fit);
                    break;
                }
            }
            f = (int32_t)(base + l0);
            /* the free cells it passed (from label0 + 1 on), for mhead below */
            size_t lo = (size_t)f0 > l0 + 1 ? (size_t)f0 : l0 + 1;
            tried = (size_t)f > lo ? free_between(&b, lo, (size_t)f) : 0;
            if (b.nxt[f] < 0 && ensure(&b, (size_t)f + 512)) goto nomem; /* keep a margin of free cells at the end */
        } else {
            for (;;) {
                if (f < 0 || b.nxt[f] < 0) { /* keep a margin of free cells at the end */
                    size_t at = f < 0 ? b.cap : (size_t)f;
                    if (ensure(&b, at + 512)) goto nomem;
                    if (f < 0) f = b.head;
                }
                if ((size_t)f < (size_t)kids[0].label + 1) {
                    f = b.nxt[f];
                    continue;
                }
                base = (size_t)f - kids[0].label;
                if (base + 256 > b.cap && ensure(&b, base + 512)) goto nomem;
                int c = 1;
                for (; c < nk; c++)
                    if (USED(&b, base + kids[c].label)) break;
                if (c == nk) break;
                f = b.nxt[f];
                tried++;
            }
        }
        if (nk > 1) {
            if (b.mhead < 0 || f0 < 0) b.mhead = f;
            else if (f > f0 && (double)((size_t)(f - f0) + 1 - tried) >= 0.95 * (double)((size_t)(f - f0) + 1))
                b.mhead = f;
        }
        if (base + 255 >= (size_t)INT32_MAX - 512) {
            tok_vec_free(&q);
            free(k);
            free(pool);
            free(b.cell);
            free(b.nxt);
            free(b.prv);
            free(b.used);
            return tok__fail(err, TOK_ERR_LIMIT, "trie too large");
        }
        b.cell[nd.cell].base = (int32_t)base;
        for (int c = 0; c < nk; c++) {
            size_t cc = base + kids[c].label;
            occupy(&b, cc, nd.cell);
            if (tok_vec_push(&q, ((qnode){ (int32_t)cc, nd.depth + 1, kids[c].lo, kids[c].hi }))) goto nomem;
        }
    }

    size_t ncells = (size_t)b.max_used + 257;
    if (ensure(&b, ncells)) goto nomem;
    for (size_t i = 0; i < ncells; i++)
        if (b.cell[i].check == -2) b.cell[i].check = -1;
    free(b.nxt);
    free(b.prv);
    free(b.used);
    b.nxt = b.prv = NULL;
    b.used = NULL;
    /* the cells where tok_trie_free expects them: a large array on huge
     * pages (walks read it at random), a small one shrunk in place */
    size_t bytes = ncells * sizeof *b.cell;
    if (bytes >= TOK_HUGE_PAGE) {
        tok_trie_cell *fin = tok__table_alloc(bytes);
        if (!fin) goto nomem;
        memcpy(fin, b.cell, bytes);
        free(b.cell);
        b.cell = fin;
        mapped = bytes;
    } else {
        tok_trie_cell *fin = realloc(b.cell, bytes);
        if (fin) b.cell = fin;
    }
    t->bfs = malloc(q.n * sizeof *t->bfs);
    if (!t->bfs) goto nomem;
    for (size_t i = 0; i < q.n; i++) t->bfs[i] = (uint32_t)q.v[i].cell;
    t->cell = b.cell;
    t->ncells = (uint32_t)ncells;
    t->nnodes = (uint32_t)q.n;
    t->nkeys = nkeys;
    t->max_len = max_len;
    tok_vec_free(&q);
    free(k);
    free(pool);
    return TOK_OK;

nomem:
    tok_vec_free(&q);
    free(k);
    free(pool);
    if (mapped) tok__table_free(b.cell, mapped);
    else free(b.cell);
    free(b.nxt);
    free(b.prv);
    free(b.used);
    free(t->bfs);
    memset(t, 0, sizeof *t);
    return tok__fail(err, TOK_ERR_NOMEM, "out of memory building a trie");
}

void tok_trie_free(tok_trie *t)
{
    tok__table_free(t->cell, (size_t)t->ncells * sizeof *t->cell);
    free(t->bfs);
    memset(t, 0, sizeof *t);
}

uint32_t tok_trie_depths(const tok_trie *t, uint8_t *depth)
{
    uint32_t nc = t->ncells;
    memset(depth, 0xFF, nc);
    if (!t->nnodes || !nc || t->bfs[0] != TOK_TRIE_ROOT) return 0;
    depth[TOK_TRIE_ROOT] = 0;
    for (uint32_t k = 1; k < t->nnodes; k++) {
        uint32_t c = t->bfs[k];
        if (c >= nc || depth[c] != 0xFF) return k;
        int32_t p = t->cell[c].check;
        if (p < 0 || (uint32_t)p >= nc || depth[p] >= 0xFE) return k;
        depth[c] = (uint8_t)(depth[p] + 1);
    }
    return t->nnodes;
}

int32_t tok_trie_walk(const tok_trie *t, int32_t from, const void *s, size_t n)
{
    const uint8_t *p = s;
    int32_t node = from;
    for (size_t i = 0; i < n && node >= 0; i++) node = tok_trie_child(t, node, p[i]);
    return node;
}

int32_t tok_trie_find(const tok_trie *t, const void *s, size_t n)
{
    if (!t->cell || !n) return -1;
    int32_t node = tok_trie_walk(t, TOK_TRIE_ROOT, s, n);
    return node < 0 ? -1 : t->cell[node].value;
}

int32_t tok_trie_longest_prefix(const tok_trie *t, const void *s, size_t n, size_t *len)
{
    const uint8_t *p = s;
    int32_t best = -1;
    size_t best_len = 0;
    int32_t node = TOK_TRIE_ROOT;
    if (t->cell) {
        for (size_t i = 0; i < n; i++) {
            node = tok_trie_child(t, node, p[i]);
            if (node < 0) break;
            if (t->cell[node].value >= 0) {
                best = t->cell[node].value;
                best_len = i + 1;
            }
        }
    }
    if (len) *len = best_len;
    return best;
}

size_t tok_trie_prefixes(const tok_trie *t, const void *s, size_t n, tok_trie_match *out, size_t cap)
{
    size_t k = 0;
    if (!t->cell) return 0;
    tok_trie_iter it;
    tok_trie_iter_init(&it, s, n);
    while (tok_trie_next(t, &it)) {
        if (k < cap) {
            out[k].value = it.value;
            out[k].len = (uint32_t)it.len;
        }
        k++;
    }
    return k;
}
