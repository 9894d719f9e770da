/* Exact linear-time BPE for byte-level vocabularies: see bpe_backtrack.h. */
#include "bpe_backtrack.h"
#include "bpe_long.h"

#include <stdio.h>

static int irr_quad_new(tok_bpe_bt *bt, const tok_vocab *v);

static void pair_put(tok_bpe_bt *bt, int32_t a, int32_t b, int32_t c, uint32_t rank)
{
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b, hk = tok_hash64(key);
    uint64_t bit = hk >> bt->fshift;
    bt->filter[bit >> 6] |= 1ull << (bit & 63);
    size_t i = (size_t)hk & bt->pmask;
    while (bt->pairs[i].key != UINT64_MAX && bt->pairs[i].key != key) i = (i + 1) & bt->pmask;
    bt->pairs[i] = (tok_bpe_pslot){ key, c, rank };
}

/* The pair table: filter word and first slot loaded together. */
static inline int32_t pair_find(const tok_bpe_bt *bt, int32_t a, int32_t b, uint32_t *rank)
{
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b, hk = tok_hash64(key);
    uint64_t bit = hk >> bt->fshift;
    size_t i = (size_t)hk & bt->pmask;
    __builtin_prefetch(&bt->pairs[i]);
    if (!(bt->filter[bit >> 6] >> (bit & 63) & 1)) return -1;
    for (;; i = (i + 1) & bt->pmask) {
        const tok_bpe_pslot *s = &bt->pairs[i];
        if (s->key == key) {
            *rank = s->rank;
            return s->c;
        }
        if (s->key == UINT64_MAX) return -1;
    }
}

/* Rank of the merge a + b, UINT32_MAX none (two one-byte tokens: bpair).
 * At build too: pair_put sets a pair's filter bit with its slot. */
static inline uint32_t pair_rank(const tok_bpe_bt *bt, int32_t a, int32_t b)
{
    uint32_t r;
    if ((uint32_t)(a | b) < bt->blim) return bt->bpair[(uint32_t)a << 8 | (uint32_t)b];
    return pair_find(bt, a, b, &r) >= 0 ? r : UINT32_MAX;
}

/* One step of unwinding a and b at their boundary: the later of the two
 * last merges is undone, and *limit becomes the rank the pair across the
 * boundary must not merge before (before or at it when the merge undone is
 * on the right: equal ranks go left first).  False when both are one byte
 * (nothing left to undo). */
static inline bool unwind(const tok_bpe_bt *bt, int32_t *a, int32_t *b, uint32_t *limit)
{
    const tok_bpe_tinfo *ta = &bt->t[*a], *tb = &bt->t[*b];
    if (ta->rank > tb->rank) {
        *limit = ta->rank;
        *a = ta->right;
        return true;
    }
    if (tb->rank == 0) return false;
    *limit = tb->rank + 1;
    *b = tb->left;
    return true;
}

/* Would BPE of a's bytes followed by b's keep the boundary between them up
 * to (not including) a merge of rank `limit`?  Unwind step by step; the
 * pair across the boundary must never merge before its limit. */
static bool valid_build(const tok_bpe_bt *bt, int32_t a, int32_t b, uint32_t limit)
{
    do {
        if (pair_rank(bt, a, b) < limit) return false;
    } while (unwind(bt, &a, &b, &limit));
    return true;
}

/* The same check at encode time, where the boundary's bytes are known:
 * lb the last of a, fb the first of b (each & 31).  Every step keeps the
 * boundary, so a pair of two made tokens is looked up only where a's rmask
 * and b's lmask allow a merge across it (one-byte pairs: bpair, direct). */
static inline bool valid(const tok_bpe_bt *bt, int32_t a, int32_t b, uint32_t lb, uint32_t fb)
{
    uint32_t limit = UINT32_MAX, r;
    for (;;) {
        const tok_bpe_tinfo *ta = &bt->t[a], *tb = &bt->t[b];
        if ((uint32_t)(a | b) < bt->blim) {
            if (bt->bpair[(uint32_t)a << 8 | (uint32_t)b] < limit) return false;
        } else if ((ta->rmask >> fb & tb->lmask >> lb & 1) && pair_find(bt, a, b, &r) >= 0 && r < limit) {
            return false;
        }
        /* unwind(), with the two records already at hand */
        if (ta->rank > tb->rank) {
            limit = ta->rank;
            a = ta->right;
        } else {
            if (tb->rank == 0) return true;
            limit = tb->rank + 1;
            b = tb->left;
        }
    }
}

/* Can a and b (both made) ever stand side by side?  BPE of their bytes
 * reaches [a][b] unless the boundary merges first: the check above from the
 * first unwinding step on (the pair a+b itself does not count). */
static bool reachable(const tok_bpe_bt *bt, int32_t a, int32_t b)
{
    uint32_t limit = UINT32_MAX;
    return !unwind(bt, &a, &b, &limit) || valid_build(bt, a, b, limit);
}

static void make(tok_bpe_bt *bt, int32_t t, int32_t l, int32_t r, uint32_t rank)
{
    bt->t[t].rank = rank;
    bt->t[t].left = l;
    bt->t[t].right = r;
    pair_put(bt, l, r, t, rank);
    if ((uint32_t)(l | r) < bt->blim) bt->bpair[(uint32_t)l << 8 | (uint32_t)r] = rank;
}

/* bpair of nothing yet, when the one-byte tokens are ids 0..255 (else
 * blim 0 and no table): -1 out of memory. */
static int bpair_new(tok_bpe_bt *bt, const tok_vocab *v)
{
    bt->blim = 0;
    for (int c = 0; c < 256; c++)
        if (v->byte_id[c] < 0 || v->byte_id[c] >= 256) return 0;
    if (!(bt->bpair = malloc(65536 * sizeof *bt->bpair))) return -1;
    memset(bt->bpair, 0xFF, 65536 * sizeof *bt->bpair);
    bt->blim = 256;
    return 0;
}

tok_status tok_bpe_bt_derive(tok_bpe_bt *bt, const tok_vocab *v, tok_error *err)
{
    if (irr_quad_new(bt, v)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    if (bt->bpair) return TOK_OK; /* built with the tables */
    if (bpair_new(bt, v)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    if (!bt->blim) return TOK_OK;
    /* the two-byte tokens, from the trie's second level (256 blocks of
     * cells) rather than a pass over all the token information: a made
     * one is the merge of its two bytes */
    const tok_trie_cell *cell = bt->trie.cell;
    for (int c1 = 0; c1 < 256; c1++) {
        int32_t s = tok_trie_child(&bt->trie, TOK_TRIE_ROOT, (uint8_t)c1);
        if (s < 0) continue;
        for (int c2 = 0; c2 < 256; c2++) {
            uint32_t c = (uint32_t)cell[s].base + (uint32_t)c2;
            int32_t id = cell[c].check == s ? cell[c].value : -1;
            if (id >= 0 && (uint32_t)id < bt->n && bt->t[id].rank != UINT32_MAX && bt->t[id].rank != 0)
                bt->bpair[(uint32_t)v->byte_id[c1] << 8 | (uint32_t)v->byte_id[c2]] = bt->t[id].rank;
        }
    }
    return TOK_OK;
}

void tok_bpe_bt_free(tok_bpe_bt *bt)
{
    tok_bpe_whole_free(&bt->whole);
    free(bt->bpair);
    free(bt->irr_quad);
    if (bt->borrowed) {
        memset(bt, 0, sizeof *bt);
        return;
    }
    tok__table_free(bt->t, (size_t)bt->n * sizeof *bt->t);
    tok__table_free(bt->pairs, (bt->pmask + 1) * sizeof *bt->pairs);
    free(bt->filter);
    free(bt->irr);
    free(bt->irr_pair);
    tok_trie_free(&bt->trie);
    memset(bt, 0, sizeof *bt);
}

#define BAD(tab, i, ...) do { *table = (tab); *entry = (i); snprintf(why, cap, __VA_ARGS__); goto bad; } while (0)

/* The check reads the tables where they lie once, in order, and looks up
 * what each entry names (a part's rank and length, a parent's depth) in
 * compact copies: linear, and mostly sequential. */
typedef struct rank_len { uint32_t rank, len; } rank_len;

int tok_bpe_bt_check(const tok_bpe_bt *bt, const uint8_t *stored, tok_bt_table *table, size_t *entry, char *why,
                     size_t cap)
{
    const tok_bpe_tinfo *t = bt->t;
    const tok_trie_cell *cell = bt->trie.cell;
    uint32_t n = bt->n, nc = bt->trie.ncells, nn = bt->trie.nnodes;
    uint8_t *depth = NULL; /* derived depths, when none are stored */
    rank_len *rl = NULL;
    TOK_VEC(uint32_t) later = { 0 };
    if (nc < 257) BAD(TOK_BT_CELLS, 0, "%u trie cells, fewer than the 257 of a root", nc);
    if (!(rl = malloc((size_t)n * sizeof *rl))) return -2;
    /* one pass: a token's parts and shorter prefix are checked where they
     * come before it (in trained vocabularies nearly always: ids follow
     * ranks), the others in a second look at the few tokens listed */
    for (uint32_t i = 0; i < n; i++) {
        const tok_bpe_tinfo *x = &t[i];
        rl[i] = (rank_len){ x->rank, x->len };
        bool merged = x->rank != 0 && x->rank != UINT32_MAX;
        if (merged && (x->left < 0 || (uint32_t)x->left >= n || x->right < 0 || (uint32_t)x->right >= n))
            BAD(TOK_BT_TINFO, i, "token %u: parts out of range", i);
        if (x->shorter < -1 || (x->shorter >= 0 && ((uint32_t)x->shorter >= n || x->shorter_len >= x->len)))
            BAD(TOK_BT_TINFO, i, "token %u: its shorter prefix is out of range or not shorter", i);
        if ((merged && ((uint32_t)x->left >= i || (uint32_t)x->right >= i)) || (uint32_t)x->shorter + 1 > i) {
            if (tok_vec_push(&later, i)) {
                tok_vec_free(&later);
                free(rl);
                return -2;
            }
            continue;
        }
        if (merged && (rl[x->left].rank >= x->rank || rl[x->right].rank >= x->rank))
            BAD(TOK_BT_TINFO, i, "token %u: a part has a rank not below the token's", i);
        if (x->shorter >= 0 && (rl[x->shorter].rank == UINT32_MAX || rl[x->shorter].len != x->shorter_len))
            BAD(TOK_BT_TINFO, i, "token %u: its shorter prefix is out of range or not shorter", i);
    }
    for (size_t k = 0; k < later.n; k++) {
        uint32_t i = later.v[k];
        const tok_bpe_tinfo *x = &t[i];
        if (x->rank != 0 && x->rank != UINT32_MAX && (rl[x->left].rank >= x->rank || rl[x->right].rank >= x->rank))
            BAD(TOK_BT_TINFO, i, "token %u: a part has a rank not below the token's", i);
        if (x->shorter >= 0 && (rl[x->shorter].rank == UINT32_MAX || rl[x->shorter].len != x->shorter_len))
            BAD(TOK_BT_TINFO, i, "token %u: its shorter prefix is out of range or not shorter", i);
    }
    /* pair slots: only that a free slot ends every probe (the encoder
     * compares a slot's made id with 0, never indexes by it), found in the
     * first few of a table kept at most half full: the 8 MiB of o200k's
     * pairs are not read at open */
    size_t fs = 0;
    while (fs <= bt->pmask && bt->pairs[fs].key != UINT64_MAX) fs++;
    if (fs > bt->pmask) BAD(TOK_BT_PAIRS, 0, "the pair table has no free slot");
    if (!stored) {
        /* a file without the depths: derived from the breadth-first list
         * (a pass that reads the cells at random) */
        if (!(depth = malloc(nc))) {
            tok_vec_free(&later);
            free(rl);
            return -2;
        }
        uint32_t good = tok_trie_depths(&bt->trie, depth);
        if (good < nn)
            BAD(TOK_BT_BFS, good, "node %u: cell %u is not a new node below a listed one, or deeper than 254", good,
                bt->trie.bfs[good]);
        stored = depth;
    }
    /* one pass in cell order, each node one deeper than its parent.  Depths
     * are at most 254 and rise along every parent link, so parent links
     * never loop, and a walk from the root (the only way the encoder reaches
     * a cell) meets each node at its depth; a cell that names a parent but
     * was not listed has none (0xFF) and is refused. */
    if (cell[0].check != -1 || stored[0] != 0) BAD(TOK_BT_CELLS, 0, "trie cell 0: not a root of depth 0");
    for (uint32_t i = 0; i < nc; i++) {
        const tok_trie_cell *x = &cell[i];
        if (i && x->check < 0) {
            if (x->check != -1) BAD(TOK_BT_CELLS, i, "trie cell %u: parent %d out of range", i, x->check);
            continue; /* free: no walk reaches it */
        }
        uint32_t d = stored[i];
        if (i && ((uint32_t)x->check >= nc || d > 254 || d != stored[x->check] + 1u))
            BAD(TOK_BT_CELLS, i, "trie cell %u: parent %d out of range, or depth %u not one below it", i, x->check, d);
        if (x->base < 0 || (uint32_t)x->base > nc - 256) BAD(TOK_BT_CELLS, i, "trie cell %u: base %d out of range", i, x->base);
        int32_t v = x->value, id = v >= 0 ? v : v < -1 ? -2 - v : -1;
        if (id >= 0 && ((uint32_t)id >= n || (v >= 0 && rl[id].rank == UINT32_MAX)))
            BAD(TOK_BT_CELLS, i, "trie cell %u: token %d out of range or not made by BPE", i, v);
        if (id >= 0 && rl[id].len != d)
            BAD(TOK_BT_CELLS, i, "trie cell %u: token %d of length %u at depth %u", i, id, rl[id].len, d);
    }
    tok_vec_free(&later);
    free(depth);
    free(rl);
    return 0;
bad:
    tok_vec_free(&later);
    free(depth);
    free(rl);
    return -1;
}

static bool is_model(const tok_vocab *v, size_t i)
{
    const tok_token *t = &v->tok[i];
    return !(t->flags & TOK_TOKEN_NONE) && (t->flags & TOK__IN_MODEL);
}

/* Tag a node's token as one BPE cannot make: -2 - id (-1 stays "no token"). */
static void tag_unmade(tok_bpe_bt *bt, const tok_vocab *v, int32_t t)
{
    int32_t s = tok_trie_walk(&bt->trie, TOK_TRIE_ROOT, v->tok[t].bytes, v->tok[t].nbytes);
    if (s >= 0 && bt->trie.cell[s].value == t) bt->trie.cell[s].value = -2 - t;
}

/* The irregular tokens (bt->irr): a merge a + b -> c below a part's rank
 * that BPE can reach.  Once a part is made, such a merge fires before
 * anything else, which the rank-ordered unwinding cannot express.  Merges
 * whose parts the tables never make do not count: a part made only by an
 * irregular merge is itself irregular, and inside c. */
static tok_status find_irregular(tok_bpe_bt *bt, const tok_vocab *v, const tok_bpe_merge *merges, size_t nmerges,
                                 tok_error *err)
{
    for (size_t i = 0; i < nmerges; i++) {
        const tok_bpe_merge *g = &merges[i];
        uint32_t r = (uint32_t)i + 1;
        if (g->c < 0 || !is_model(v, (size_t)g->c) || v->tok[g->c].nbytes < 2) continue;
        uint32_t ra = bt->t[g->a].rank, rb = bt->t[g->b].rank;
        if ((ra < r && rb < r) || ra == UINT32_MAX || rb == UINT32_MAX) continue;
        if (bt->irr && (bt->irr[g->c >> 6] >> (g->c & 63) & 1)) continue;
        if (!reachable(bt, g->a, g->b)) continue;
        if (!bt->irr) {
            bt->irr = calloc(bt->n / 64 + 1, sizeof *bt->irr);
            bt->irr_pair = calloc(65536 / 64, sizeof *bt->irr_pair);
            if (!bt->irr || !bt->irr_pair) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        }
        bt->irr[g->c >> 6] |= 1ull << (g->c & 63);
        const uint8_t *x = v->tok[g->c].bytes;
        uint32_t pb = (uint32_t)x[0] << 8 | x[1];
        bt->irr_pair[pb >> 6] |= 1ull << (pb & 63);
        bt->nirr++;
    }
    return TOK_OK;
}

static inline uint32_t quad_hash(const uint8_t *p)
{
    uint32_t q;
    memcpy(&q, p, 4);
    return (q * 0x9E3779B1u) >> 16;
}

/* irr_quad from the irregular tokens' bytes: -1 out of memory (none needed
 * when an irregular token is shorter than 4 bytes: NULL, the walk decides). */
static int irr_quad_new(tok_bpe_bt *bt, const tok_vocab *v)
{
    free(bt->irr_quad);
    bt->irr_quad = NULL;
    if (!bt->nirr || !bt->irr) return 0;
    size_t n = bt->n < v->n ? bt->n : v->n;
    uint64_t *quad = calloc(65536 / 64, sizeof *quad);
    if (!quad) return -1;
    /* the set bits of irr, a word at a time (ids past the vocabulary: none) */
    for (size_t w = 0; w < n / 64 + 1; w++) {
        for (uint64_t x = bt->irr[w]; x; x &= x - 1) {
            size_t id = w * 64 + (size_t)__builtin_ctzll(x);
            if (id >= n) break;
            if (v->tok[id].nbytes < 4) {
                free(quad);
                return 0;
            }
            uint32_t h = quad_hash(v->tok[id].bytes);
            quad[h >> 6] |= 1ull << (h & 63);
        }
    }
    bt->irr_quad = quad;
    return 0;
}

bool tok_bpe_bt_irregular_at(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n, uint32_t i)
{
    uint32_t pb = (uint32_t)p[i] << 8 | p[i + 1];
    if (!(bt->irr_pair[pb >> 6] >> (pb & 63) & 1)) return false;
    if (bt->irr_quad) {
        if (n - i < 4) return false;
        uint32_t h = quad_hash(p + i);
        if (!(bt->irr_quad[h >> 6] >> (h & 63) & 1)) return false;
    }
    const tok_trie_cell *cell = bt->trie.cell;
    int32_t s = TOK_TRIE_ROOT;
    for (uint32_t j = i; j < n; j++) {
        uint32_t c = (uint32_t)cell[s].base + p[j];
        if (cell[c].check != s) break;
        s = (int32_t)c;
        int32_t id = cell[s].value;
        if (id < -1) id = -2 - id;
        if (id >= 0 && (bt->irr[id >> 6] >> (id & 63) & 1)) return true;
    }
    return false;
}

bool tok_bpe_bt_irregular(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n)
{
    if (!bt->nirr) return false;
    if (n >= TOK_BPE_LONG) return tok_bpe_long_irregular(bt, p, n); /* bpe_long.c */
    for (uint32_t i = 0; i + 1 < n; i++) {
        uint32_t pb = (uint32_t)p[i] << 8 | p[i + 1]; /* inline: most pairs stop here */
        if ((bt->irr_pair[pb >> 6] >> (pb & 63) & 1) && tok_bpe_bt_irregular_at(bt, p, n, i)) return true;
    }
    return false;
}

tok_status tok_bpe_bt_build(tok_bpe_bt *bt, const tok_vocab *v, const tok_bpe_merge *merges, size_t nmerges,
                            tok_bpe_ids *unmade, tok_error *err)
{
    memset(bt, 0, sizeof *bt);
    if (!v->byte_level || v->n == 0 || v->n >= (1u << 30)) return TOK_OK;
    for (int c = 0; c < 256; c++)
        if (v->byte_id[c] < 0) return TOK_OK;
    uint32_t n = (uint32_t)v->n;
    bt->n = n;
    bt->t = tok__table_alloc(n * sizeof *bt->t);
    tok_trie_key *keys = tok__big_alloc(n * sizeof *keys);
    if (!bt->t || !keys) {
        free(keys);
        tok_bpe_bt_free(bt);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    size_t nk = 0;
    for (uint32_t i = 0; i < n; i++) {
        bt->t[i].rank = UINT32_MAX;
        bt->t[i].left = bt->t[i].right = bt->t[i].shorter = -1;
        bt->t[i].shorter_len = 0;
        bt->t[i].rmask = bt->t[i].lmask = 0;
        bt->t[i].len = v->tok[i].nbytes;
        if (is_model(v, i) && v->tok[i].nbytes)
            keys[nk++] = (tok_trie_key){ v->tok[i].bytes, v->tok[i].nbytes, (int32_t)i };
    }
    /* pair table and filter sized by the tokens there are (each made by one
     * pair), not by the id range: a small vocabulary with specials at high
     * ids (a named tiktoken encoding) builds in microseconds */
    size_t cap = 16;
    while (cap < 2 * nk) cap *= 2;
    unsigned fbits = 10;
    while (fbits < TOK_BPE_FILTER_BITS && ((size_t)1 << fbits) < cap * 16) fbits++;
    bt->fshift = 64 - fbits;
    bt->pmask = cap - 1; /* first: the free below needs the size */
    bt->pairs = tok__table_alloc(cap * sizeof *bt->pairs);
    bt->filter = calloc(((size_t)1 << fbits) / 64, sizeof *bt->filter);
    if (!bt->pairs || !bt->filter) {
        free(keys);
        tok_bpe_bt_free(bt);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    memset(bt->pairs, 0xFF, cap * sizeof *bt->pairs);
    if (bpair_new(bt, v)) {
        free(keys);
        tok_bpe_bt_free(bt);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    /* every model token, so that a whole pre-token is found in the same walk */
    tok_status st = tok_trie_build(&bt->trie, keys, nk, err);
    /* the model's ids with bytes, ascending: the loops below skip the holes
     * and added tokens of the id range in one step */
    int32_t *mid = st ? NULL : malloc((nk ? nk : 1) * sizeof *mid);
    for (size_t i = 0; mid && i < nk; i++) mid[i] = keys[i].value;
    free(keys);
    if (st || !mid) {
        tok_bpe_bt_free(bt);
        return st ? st : tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    for (int c = 0; c < 256; c++) bt->t[v->byte_id[c]].rank = 0;
    if (merges) {
        for (size_t i = 0; i < nmerges; i++) {
            const tok_bpe_merge *g = &merges[i];
            uint32_t r = (uint32_t)i + 1;
            if (g->c < 0 || bt->t[g->c].rank != UINT32_MAX || bt->t[g->a].rank >= r || bt->t[g->b].rank >= r) continue;
            if (valid_build(bt, g->a, g->b, r)) make(bt, g->c, g->a, g->b, r);
        }
        if ((st = find_irregular(bt, v, merges, nmerges, err))) {
            tok_bpe_bt_free(bt);
            return st;
        }
        if (irr_quad_new(bt, v)) {
            tok_bpe_bt_free(bt);
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        }
    } else {
        const tok_trie_cell *cell = bt->trie.cell;
        for (size_t i = 0; i < nk; i++) {
            uint32_t t = (uint32_t)mid[i];
            const tok_token *x = &v->tok[t];
            if (x->nbytes < 2) continue;
            uint32_t r = t + 1;
            /* the left parts: the token's proper prefixes that are tokens, one walk */
            int32_t s = TOK_TRIE_ROOT;
            for (uint32_t k = 0; k + 1 < x->nbytes; k++) {
                uint32_t c = (uint32_t)cell[s].base + x->bytes[k];
                if (cell[c].check != s) break;
                s = (int32_t)c;
                int32_t a = cell[s].value;
                if (a < 0 || bt->t[a].rank >= r) continue;
                int32_t b = tok_trie_find(&bt->trie, x->bytes + k + 1, x->nbytes - k - 1);
                if (b < 0 || bt->t[b].rank >= r) continue;
                if (valid_build(bt, a, b, r)) {
                    make(bt, (int32_t)t, a, b, r);
                    break;
                }
            }
        }
    }
    for (size_t i = 0; i < nk; i++) {
        int32_t t = mid[i];
        if (bt->t[t].rank != UINT32_MAX) continue;
        tag_unmade(bt, v, t);
        if (v->tok[t].nbytes >= 2 && unmade && tok_vec_push(unmade, t)) {
            free(mid);
            tok_bpe_bt_free(bt);
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        }
    }
    /* `shorter` of every token at once: in breadth-first order (parents
     * first) each node inherits its parent's token, or the nearest one
     * above it, instead of a walk from the root per token */
    const tok_trie_cell *cl = bt->trie.cell;
    int32_t *near = tok__big_alloc((size_t)bt->trie.ncells * sizeof *near);
    uint64_t *done = calloc((size_t)n / 64 + 1, sizeof *done);
    if (!near || !done) {
        free(near);
        free(done);
        free(mid);
        tok_bpe_bt_free(bt);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    near[TOK_TRIE_ROOT] = -1;
    for (uint32_t k = 1; k < bt->trie.nnodes; k++) {
        uint32_t c = bt->trie.bfs[k];
        int32_t p = cl[c].check, pv = cl[p].value, id = cl[c].value;
        near[c] = pv >= 0 ? pv : near[p];
        if (id >= 0 && bt->t[id].rank != UINT32_MAX) {
            bt->t[id].shorter = near[c];
            bt->t[id].shorter_len = near[c] >= 0 ? bt->t[near[c]].len : 0;
            done[id >> 6] |= 1ull << (id & 63);
        }
    }
    free(near);
    for (uint32_t t = 0; t < n; t++) {
        /* a token whose bytes another id holds in the trie: walked */
        if (bt->t[t].rank == UINT32_MAX || (done[t >> 6] >> (t & 63) & 1)) continue;
        int32_t s = TOK_TRIE_ROOT;
        const uint8_t *b = v->tok[t].bytes;
        for (uint32_t k = 0; k + 1 < bt->t[t].len && s >= 0; k++) {
            s = tok_trie_child(&bt->trie, s, b[k]);
            if (s >= 0 && tok_trie_value(&bt->trie, s) >= 0) {
                bt->t[t].shorter = tok_trie_value(&bt->trie, s);
                bt->t[t].shorter_len = k + 1;
            }
        }
    }
    free(done);
    free(mid);
    /* the masks, from every merge the tables make */
    for (uint32_t t = 0; t < n; t++) {
        const tok_bpe_tinfo *x = &bt->t[t];
        if (x->rank == 0 || x->rank == UINT32_MAX) continue;
        const tok_token *l = &v->tok[x->left], *r = &v->tok[x->right];
        bt->t[x->left].rmask |= 1u << (r->bytes[0] & 31);
        bt->t[x->right].lmask |= 1u << (l->bytes[l->nbytes - 1] & 31);
    }
    bt->ok = true;
    return TOK_OK;
}

void tok_bpe_bt_scratch_free(tok_bpe_bt_scratch *s)
{
    tok_vec_free(&s->dead);
}

#define DEAD_ZERO_BITS 4096

/* A memo of compatibility answers, for long pieces only: a run of one
 * letter, one CJK char or digits meets the same few pairs at every
 * boundary (checking each again made 1 MiB of one letter 2.2x slower),
 * while unseen text seldom repeats a pair (a memo of 2^15 answers missed
 * at nearly every boundary there, and cleared 256 KiB per context).  So:
 * 2 KiB on the stack, from MEMO_MIN bytes, and after a window of
 * MEMO_WINDOW look-ups that found fewer than half, MEMO_OFF boundaries
 * checked without it (random letters). */
#define MEMO_BITS 8
#define MEMO_MIN 256
#define MEMO_WINDOW 1024
#define MEMO_OFF (15 * 1024)
typedef struct memo {
    uint64_t e[1u << MEMO_BITS]; /* key << 1 | answer, all ones empty */
    uint32_t look, hit, off;     /* off: checks left to make without it */
} memo;

static void memo_init(memo *m)
{
    memset(m->e, 0xFF, sizeof m->e);
    m->look = m->hit = m->off = 0;
}

static inline bool memo_valid(memo *m, const tok_bpe_bt *bt, int32_t a, int32_t b, uint32_t lb, uint32_t fb)
{
    if (m->off) {
        m->off--;
        return valid(bt, a, b, lb, fb);
    }
    uint64_t key = (uint64_t)(uint32_t)a << 31 | (uint32_t)b;
    uint64_t *e = &m->e[(key * 0x9E3779B97F4A7C15ULL) >> (64 - MEMO_BITS)];
    bool ok;
    if (*e >> 1 == key) {
        ok = *e & 1;
        m->hit++;
    } else {
        ok = valid(bt, a, b, lb, fb);
        *e = key << 1 | ok;
    }
    if (++m->look == MEMO_WINDOW) {
        if (m->hit < MEMO_WINDOW / 2) m->off = MEMO_OFF;
        m->look = m->hit = 0;
    }
    return ok;
}

/* Longest token BPE can make that p[0..n) starts with (n > 0: one byte at
 * least) and its length in *len; *whole gets the token equal to all of
 * p[0..n), made or not, or -1. */
static inline int32_t longest_whole(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n, uint32_t *len, int32_t *whole)
{
    const tok_trie_cell *cell = bt->trie.cell;
    int32_t s = TOK_TRIE_ROOT, best = -1;
    uint32_t i = 0;
    for (; i < n; i++) {
        uint32_t c = (uint32_t)cell[s].base + p[i];
        if (cell[c].check != s) break;
        s = (int32_t)c;
        if (cell[s].value >= 0) {
            best = cell[s].value;
            *len = i + 1;
        }
    }
    int32_t w = i == n ? cell[s].value : -1;
    *whole = w >= 0 ? w : w < -1 ? -2 - w : -1;
    return best;
}

/* BPE of p[0..n) appended to out (ids and offsets) or, with out NULL,
 * written to ids[0..) (room for n ids: a token covers a byte at least), its
 * token count in *count; 1 when an irregular token is inside (nothing
 * written).  The position to resume from after a token is taken back is
 * the tiling's end less that token's length: tokens are read back by id
 * alone, so the ids-only tiling stores nothing else. */
static inline int encode(const tok_bpe_bt *bt, bool whole_ok, tok_bpe_bt_scratch *s, const uint8_t *p, uint32_t n,
                         tok_toks *out, int32_t *ids, size_t *count)
{
    int32_t whole;
    uint32_t clen = 0;
    int32_t cand = longest_whole(bt, p, n, &clen, &whole);
    if (whole_ok && whole >= 0) {
        if (out) {
            if (out->n == out->cap && tok_toks_reserve(out, out->n + 1)) return -1;
            out->id[out->n] = whole;
            out->off[out->n].start = 0;
            out->off[out->n].end = n;
            out->n++;
        } else {
            ids[0] = whole;
        }
        *count = 1;
        return 0;
    }
    if (bt->nirr && tok_bpe_bt_irregular(bt, p, n)) return 1;
    /* positions proven dead: cleared on the first backtrack only (most
     * pre-tokens never backtrack); until then a short piece reads a shared
     * zero bitmap, so the test below has no branch on whether it exists
     * (one that mispredicted about once a new piece) */
    static const uint64_t no_dead[DEAD_ZERO_BITS / 64 + 1];
    uint64_t *dead = NULL;
    const uint64_t *dread = no_dead;
    if (n >= DEAD_ZERO_BITS) {
        size_t words = (size_t)n / 64 + 1;
        if (tok_vec_reserve(&s->dead, words)) return -1;
        dead = s->dead.v;
        memset(dead, 0, words * sizeof *dead);
        dread = dead;
    }
    /* the tiling grows and backtracks in place at the end of out: no stack
     * to copy from, and memory touched in proportion to the tokens.  A long
     * piece reserves a token a byte at once (address space; pages are
     * touched as tokens come): doubling as it grew copied the tiling each
     * time, most of the memory traffic of 4 MiB of one letter */
    size_t base = 0, k = 0;
    int32_t *idv = ids;
    if (out) {
        if (n > (1u << 16)) {
            size_t want = out->n + (n < (1u << 24) ? n : (1u << 24));
            if (want > out->cap && tok_toks_reserve(out, want)) return -1;
        }
        base = out->n;
        idv = out->id ? out->id + base : NULL; /* (set on the first write when out is still empty) */
    }
    memo m;
    bool memo_on = n >= MEMO_MIN;
    if (memo_on) memo_init(&m);
    uint32_t pos = 0;
    int32_t wh;
    while (pos < n) {
        if (cand >= 0) {
            uint32_t end = pos + clen;
            bool ok = !(dread[end >> 6] >> (end & 63) & 1);
            if (ok && k) {
                uint32_t lb = p[pos - 1] & 31u, fb = p[pos] & 31u;
                ok = memo_on ? memo_valid(&m, bt, idv[k - 1], cand, lb, fb) : valid(bt, idv[k - 1], cand, lb, fb);
            }
            if (ok) {
                if (out) {
                    if (base + k == out->cap) {
                        if (tok_toks_reserve(out, base + k + 1)) return -1;
                        idv = out->id + base;
                    }
                    out->off[base + k].start = pos;
                    out->off[base + k].end = end;
                }
                idv[k++] = cand;
                pos = end;
                if (pos < n) cand = longest_whole(bt, p + pos, n - pos, &clen, &wh);
                continue;
            }
            const tok_bpe_tinfo *ti = &bt->t[cand];
            cand = ti->shorter;
            clen = ti->shorter_len;
            continue;
        }
        if (!dead) {
            size_t words = (size_t)n / 64 + 1;
            if (tok_vec_reserve(&s->dead, words)) return -1;
            dead = s->dead.v;
            memset(dead, 0, words * sizeof *dead);
            dread = dead;
        }
        dead[pos >> 6] |= 1ull << (pos & 63);
        if (k == 0) return -2; /* no tiling at all: cannot happen for a valid table */
        const tok_bpe_tinfo *ti = &bt->t[idv[--k]];
        pos -= ti->len;
        cand = ti->shorter;
        clen = ti->shorter_len;
    }
    if (out) out->n = base + k;
    *count = k;
    return 0;
}

int tok_bpe_bt_encode(const tok_bpe_bt *bt, bool whole_ok, tok_bpe_bt_scratch *s,
                      const uint8_t *p, uint32_t n, tok_toks *out)
{
    size_t k;
    return encode(bt, whole_ok, s, p, n, out, NULL, &k);
}

int tok_bpe_bt_encode_ids(const tok_bpe_bt *bt, bool whole_ok, tok_bpe_bt_scratch *s,
                          const uint8_t *p, uint32_t n, int32_t *ids, size_t *count)
{
    return encode(bt, whole_ok, s, p, n, NULL, ids, count);
}
