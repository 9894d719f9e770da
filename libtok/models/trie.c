/* Double-array trie: construction from sorted keys, breadth first.  Free
 * cells are kept in a list sorted by index, so the search for a base where
 * all children of a node fit only visits free cells (the array ends up
 * ~98% full, so scanning every cell would mostly see used ones). */
#include "trie.h"

/* A key in sorted order, its bytes in the pool (16 bytes: the walk reads
 * them once per depth). */
typedef struct skey {
    const uint8_t *s;
    uint32_t len;
    int32_t value;
} skey;

/* What the sort moves: the first 8 bytes (big-endian, zero-padded: most
 * comparisons stop there) and the key's index in the input, which is also
 * the order equal keys keep. */
typedef struct rkey { uint64_t pfx; uint64_t at; } rkey;

static int rkey_cmp(const void *pa, const void *pb, void *ctx)
{
    const rkey *a = pa, *b = pb;
    if (a->pfx != b->pfx) return a->pfx < b->pfx ? -1 : 1;
    const tok_trie_key *x = (const tok_trie_key *)ctx + a->at, *y = (const tok_trie_key *)ctx + b->at;
    uint32_t m = x->len < y->len ? x->len : y->len;
    int c = m ? memcmp(x->s, y->s, m) : 0;
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* The non-empty keys sorted by bytes, then input order: in *out (m
 * entries, inside *mem, which the caller frees), in O(n) for the usual
 * case: a stable radix sort on the 8-byte prefix (equal prefixes stay in
 * input order), then the comparison sort within each run of equal
 * prefixes where a key is longer than its prefix or shorter than 8 (zero
 * padding makes "a" and "a\0" one prefix).  Only the prefixes and indexes
 * move, 16 bytes a key, twice (r holds 2n): the keys themselves are copied
 * once, in sorted order, by the caller.  -1 when out of memory. */
static int sort_keys(const tok_trie_key *keys, size_t n, rkey *r, rkey **out, size_t *mout)
{
    size_t *cnt = malloc(2048 * sizeof *cnt);
    if (!cnt) return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keys[i].len) continue;
        uint64_t pf = 0;
        for (uint32_t c = 0; c < 8; c++) pf = pf << 8 | (c < keys[i].len ? keys[i].s[c] : 0);
        r[m++] = (rkey){ pf, i };
    }
    *mout = m;
    rkey *from = r, *to = r + m;
    if (m < 4096) {
        qsort_r(r, m, sizeof *r, rkey_cmp, (void *)keys);
        free(cnt);
        *out = r;
        return 0;
    }
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
    free(cnt);
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        bool tie = keys[from[i].at].len != 8;
        while (j < m && from[j].pfx == from[i].pfx) tie |= keys[from[j++].at].len != 8;
        if (j - i > 1 && tie) qsort_r(from + i, j - i, sizeof *from, rkey_cmp, (void *)keys);
        i = j;
    }
    *out = from;
    return 0;
}

typedef struct qnode {
    int32_t cell;
    uint32_t depth, lo, hi; /* keys[lo, hi) share the node's prefix of length depth */
} qnode;

typedef struct builder {
    tok_trie_cell *cell;
    int32_t head;         /* first free cell (-1: none) */
    int32_t mhead;        /* where searches for several children start (a free cell) */
    int32_t hi;           /* first free cell from 256 on (-1: none) */
    uint64_t *used;       /* one bit per cell (cap + 128 bits): the search for a
                           * base tests 64 candidates per word and child, and
                           * the next free cell is the next zero bit (a linked
                           * free list took 8 bytes a cell, 8 MB for o200k) */
    size_t cap;
    uint32_t max_used;
} builder;

#define USED(b, i) ((b)->cell[i].check != -2)

/* The first free cell at or after i, -1 when none below cap. */
static int32_t next_free(const builder *b, size_t i)
{
    while (i < b->cap) {
        uint64_t w = ~b->used[i >> 6] >> (i & 63);
        if (w) {
            i += (size_t)__builtin_ctzll(w);
            return i < b->cap ? (int32_t)i : -1;
        }
        i = (i | 63) + 1;
    }
    return -1;
}

/* Make cells [0, need) exist (free).  The cells are the final table's
 * memory from the start (the first call sizes it from the node count, so it
 * rarely grows): every byte of fresh memory costs a page clear at load. */
static int ensure(builder *b, size_t need)
{
    if (need <= b->cap) return 0;
    size_t c = b->cap + b->cap / 2;
    if (c < need) c = need;
    if (c > (size_t)INT32_MAX) return -1;
    tok_trie_cell *p = tok__table_alloc(c * sizeof *p);
    if (!p) return -1;
    if (b->cap) memcpy(p, b->cell, b->cap * sizeof *p);
    tok__table_free(b->cell, b->cap * sizeof *p);
    b->cell = p;
    size_t ow = b->cap ? b->cap / 64 + 2 : 0, nw = c / 64 + 2;
    uint64_t *u = realloc(b->used, nw * sizeof *u);
    if (!u) return -1;
    b->used = u;
    memset(u + ow, 0, (nw - ow) * sizeof *u);
    for (size_t i = b->cap; i < c; i++) {
        p[i].base = 0;
        p[i].check = -2;
        p[i].value = -1;
    }
    if (b->head < 0) b->head = (int32_t)b->cap;
    if (b->hi < 0 && c > 256) b->hi = (int32_t)(b->cap > 256 ? b->cap : 256);
    b->cap = c;
    return 0;
}

static void occupy(builder *b, size_t i, int32_t parent)
{
    b->cell[i].check = parent;
    b->used[i >> 6] |= 1ull << (i & 63);
    if (b->head == (int32_t)i) b->head = next_free(b, i + 1);
    if (b->mhead == (int32_t)i) b->mhead = next_free(b, i + 1);
    if (b->hi == (int32_t)i) b->hi = next_free(b, i + 1);
    if (i > b->max_used) b->max_used = (uint32_t)i;
}

/* The first free cell at or after i <= 256: the few cells below 256 from
 * the map, else hi.  A child whose label is above every free cell low in
 * the array (BERT's letters: the cells below 'a' + 1 never hold one) was
 * searched for from label + 1 across the whole packed front each time:
 * quadratic, 225 M instructions for BERT's 30k keys. */
static int32_t free_from_low(const builder *b, size_t i)
{
    size_t lim = b->cap < 256 ? b->cap : 256;
    while (i < lim) {
        uint64_t w = ~b->used[i >> 6] >> (i & 63);
        if (w) {
            size_t j = i + (size_t)__builtin_ctzll(w);
            if (j < lim) return (int32_t)j;
            break;
        }
        i = (i | 63) + 1;
    }
    return b->hi;
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
    builder b = { NULL, -1, -1, -1, NULL, 0, 0 };
    size_t m = 0, cellbytes = 0; /* cellbytes: what b.cell holds, for freeing it */
    uint32_t max_len = 0;

    if (n > UINT32_MAX) return tok__fail(err, TOK_ERR_LIMIT, "too many trie keys");
    /* One scratch block for the sort (2n entries) and then the queue (a node
     * per key byte at most, so it never moves; pages it does not reach are
     * never touched): the queue reuses the pages the sort cleared. */
    _Static_assert(sizeof(rkey) == sizeof(qnode), "the queue reuses the sort's entries");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += keys[i].len;
    size_t scratch = 2 * n > total + 1 ? 2 * n : total + 1;
    rkey *rmem = tok__big_alloc(scratch * sizeof *rmem), *sorted = NULL;
    if (!rmem || sort_keys(keys, n, rmem, &sorted, &m)) {
        free(rmem);
        goto nomem;
    }
    /* the walk below reads every key once per depth: copied in sorted order
     * the keys it reads in turn sit side by side, not all over the pool */
    k = tok__big_alloc((m ? m : 1) * sizeof *k);
    pool = malloc(total ? total : 1);
    if (!k || !pool) {
        free(rmem);
        goto nomem;
    }
    size_t nodes = 1; /* the root, then each key's bytes past what it shares with the one before */
    for (size_t i = 0, at = 0; i < m; i++) {
        const tok_trie_key *x = &keys[sorted[i].at];
        memcpy(pool + at, x->s, x->len);
        k[i] = (skey){ pool + at, x->len, x->value };
        if (x->len > max_len) max_len = x->len;
        at += x->len;
        uint32_t l = 0;
        if (i) {
            uint32_t lim = k[i - 1].len < x->len ? k[i - 1].len : x->len;
            while (l < lim && k[i - 1].s[l] == x->s[l]) l++;
        }
        nodes += x->len - l;
    }
    q.v = (qnode *)rmem;
    q.cap = scratch;

    /* the array ends up ~98% full: room for the nodes and some slack */
    if (ensure(&b, nodes + nodes / 16 + 1024) || tok_vec_push(&q, ((qnode){ 0, 0, 0, (uint32_t)m }))) goto nomem;
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
            if (next_free(&b, (size_t)f + 1) < 0 && ensure(&b, (size_t)f + 512)) goto nomem; /* keep a margin of free cells at the end */
        } else {
            for (;;) {
                if (f < 0 || next_free(&b, (size_t)f + 1) < 0) { /* keep a margin of free cells at the end */
                    size_t at = f < 0 ? b.cap : (size_t)f;
                    if (ensure(&b, at + 512)) goto nomem;
                    if (f < 0) f = b.head;
                }
                if ((size_t)f < (size_t)kids[0].label + 1) {
                    f = free_from_low(&b, (size_t)kids[0].label + 1); /* the free cells below cannot hold it */
                    continue;
                }
                base = (size_t)f - kids[0].label;
                if (base + 256 > b.cap && ensure(&b, base + 512)) goto nomem;
                int c = 1;
                for (; c < nk; c++)
                    if (USED(&b, base + kids[c].label)) break;
                if (c == nk) break;
                f = next_free(&b, (size_t)f + 1);
                tried++;
            }
        }
        if (nk > 1) {
            if (b.mhead < 0 || f0 < 0) b.mhead = f;
            else if (f > f0 && (double)((size_t)(f - f0) + 1 - tried) >= 0.95 * (double)((size_t)(f - f0) + 1))
                b.mhead = f;
        }
        if (base + 255 >= (size_t)INT32_MAX - 512) {
            free(q.v);
            free(k);
            free(pool);
            tok__table_free(b.cell, b.cap * sizeof *b.cell);
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
    free(b.used);
    b.used = NULL;
    /* the cells where tok_trie_free expects them (walks read them at
     * random: a large array is on huge pages) */
    cellbytes = b.cap * sizeof *b.cell;
    tok_trie_cell *fin = tok__table_shrink(b.cell, cellbytes, ncells * sizeof *b.cell);
    if (!fin) goto nomem;
    b.cell = fin;
    cellbytes = ncells * sizeof *b.cell;
    t->bfs = malloc(q.n * sizeof *t->bfs);
    if (!t->bfs) goto nomem;
    for (size_t i = 0; i < q.n; i++) t->bfs[i] = (uint32_t)q.v[i].cell;
    t->cell = b.cell;
    t->ncells = (uint32_t)ncells;
    t->nnodes = (uint32_t)q.n;
    t->nkeys = nkeys;
    t->max_len = max_len;
    free(q.v);
    free(k);
    free(pool);
    return TOK_OK;

nomem:
    free(q.v);
    free(k);
    free(pool);
    tok__table_free(b.cell, cellbytes ? cellbytes : b.cap * sizeof *b.cell);
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
