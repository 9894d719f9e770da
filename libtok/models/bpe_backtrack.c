/* Exact linear-time BPE for byte-level vocabularies: see bpe_backtrack.h. */
#include "bpe_backtrack.h"

/* Pair table look-up without the memo (the table still grows at build). */
static int32_t pair_get(const tok_bpe_bt *bt, int32_t a, int32_t b, uint32_t *rank)
{
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    for (size_t i = (size_t)tok_hash64(key) & bt->pmask;; i = (i + 1) & bt->pmask) {
        const tok_bpe_pslot *s = &bt->pairs[i];
        if (s->key == key) {
            *rank = s->rank;
            return s->c;
        }
        if (s->key == UINT64_MAX) return -1;
    }
}

static void pair_put(tok_bpe_bt *bt, int32_t a, int32_t b, int32_t c, uint32_t rank)
{
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    size_t i = (size_t)tok_hash64(key) & bt->pmask;
    while (bt->pairs[i].key != UINT64_MAX && bt->pairs[i].key != key) i = (i + 1) & bt->pmask;
    bt->pairs[i] = (tok_bpe_pslot){ key, c, rank };
}

/* Would BPE of a's bytes followed by b's keep the boundary between them up
 * to (not including) a merge of rank `limit`?  Unwind the later of the two
 * last merges each step; the pair across the boundary must not merge before
 * the merge just unwound (before or at it when that merge is on the right:
 * equal ranks go left first). */
#define VALID_BODY(PAIR)                                                  \
    for (;;) {                                                            \
        uint32_t r;                                                       \
        if (PAIR >= 0 && r < limit) return false;                         \
        if (bt->rank[a] > bt->rank[b]) {                                  \
            limit = bt->rank[a];                                          \
            a = bt->right[a];                                             \
        } else {                                                          \
            if (bt->rank[b] == 0) return true;                            \
            limit = bt->rank[b] + 1;                                      \
            b = bt->left[b];                                              \
        }                                                                 \
    }

static bool valid_build(const tok_bpe_bt *bt, int32_t a, int32_t b, uint32_t limit)
{
    VALID_BODY(pair_get(bt, a, b, &r))
}

static inline bool valid(const tok_bpe_bt *bt, tok_bpe_memo *memo, int32_t a, int32_t b)
{
    uint32_t limit = UINT32_MAX;
    VALID_BODY(tok_bpe_bt_pair(bt, memo, a, b, &r))
}

static void make(tok_bpe_bt *bt, int32_t t, int32_t l, int32_t r, uint32_t rank)
{
    bt->rank[t] = rank;
    bt->left[t] = l;
    bt->right[t] = r;
    pair_put(bt, l, r, t, rank);
}

void tok_bpe_bt_free(tok_bpe_bt *bt)
{
    free(bt->rank);
    free(bt->left);
    free(bt->right);
    free(bt->shorter);
    free(bt->len);
    free(bt->pairs);
    tok_trie_free(&bt->trie);
    memset(bt, 0, sizeof *bt);
}

static bool is_model(const tok_vocab *v, size_t i)
{
    const tok_token *t = &v->tok[i];
    return !(t->flags & TOK_TOKEN_NONE) && (t->flags & TOK__IN_MODEL);
}

tok_status tok_bpe_bt_build(tok_bpe_bt *bt, const tok_vocab *v, const tok_bpe_merge *merges, size_t nmerges,
                            tok_bpe_ids *unmade, tok_error *err)
{
    memset(bt, 0, sizeof *bt);
    if (!v->byte_level || v->n == 0 || v->n >= (1u << 30)) return TOK_OK;
    for (int c = 0; c < 256; c++)
        if (v->byte_id[c] < 0) return TOK_OK;
    uint32_t n = (uint32_t)v->n;
    size_t cap = 16;
    while (cap < 2 * (size_t)n) cap *= 2;
    bt->n = n;
    bt->rank = malloc(n * sizeof *bt->rank);
    bt->left = malloc(n * sizeof *bt->left);
    bt->right = malloc(n * sizeof *bt->right);
    bt->shorter = malloc(n * sizeof *bt->shorter);
    bt->len = malloc(n * sizeof *bt->len);
    bt->pairs = malloc(cap * sizeof *bt->pairs);
    tok_trie_key *keys = malloc(n * sizeof *keys);
    if (!bt->rank || !bt->left || !bt->right || !bt->shorter || !bt->len || !bt->pairs || !keys) {
        free(keys);
        tok_bpe_bt_free(bt);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    bt->pmask = cap - 1;
    memset(bt->pairs, 0xFF, cap * sizeof *bt->pairs);
    for (uint32_t i = 0; i < n; i++) {
        bt->rank[i] = UINT32_MAX;
        bt->left[i] = bt->right[i] = bt->shorter[i] = -1;
        bt->len[i] = v->tok[i].nbytes;
    }
    for (int c = 0; c < 256; c++) bt->rank[v->byte_id[c]] = 0;
    if (merges) {
        for (size_t i = 0; i < nmerges; i++) {
            const tok_bpe_merge *g = &merges[i];
            uint32_t r = (uint32_t)i + 1;
            if (bt->rank[g->c] != UINT32_MAX || bt->rank[g->a] >= r || bt->rank[g->b] >= r) continue;
            if (valid_build(bt, g->a, g->b, r)) make(bt, g->c, g->a, g->b, r);
        }
    } else {
        for (uint32_t t = 0; t < n; t++) {
            const tok_token *x = &v->tok[t];
            if (!is_model(v, t) || x->nbytes < 2 || tok_vocab_model_id(v, x->bytes, x->nbytes) != (int32_t)t) continue;
            uint32_t r = t + 1;
            for (uint32_t k = 1; k < x->nbytes; k++) {
                int32_t a = tok_vocab_model_id(v, x->bytes, k);
                if (a < 0 || bt->rank[a] >= r) continue;
                int32_t b = tok_vocab_model_id(v, x->bytes + k, x->nbytes - k);
                if (b < 0 || bt->rank[b] >= r) continue;
                if (valid_build(bt, a, b, r)) {
                    make(bt, (int32_t)t, a, b, r);
                    break;
                }
            }
        }
    }
    size_t nk = 0;
    for (uint32_t t = 0; t < n; t++) {
        if (bt->rank[t] != UINT32_MAX) {
            keys[nk++] = (tok_trie_key){ v->tok[t].bytes, v->tok[t].nbytes, (int32_t)t };
        } else if (is_model(v, t) && v->tok[t].nbytes >= 2 && unmade && tok_vec_push(unmade, (int32_t)t)) {
            free(keys);
            tok_bpe_bt_free(bt);
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        }
    }
    tok_status st = tok_trie_build(&bt->trie, keys, nk, err);
    free(keys);
    if (st) {
        tok_bpe_bt_free(bt);
        return st;
    }
    for (uint32_t t = 0; t < n; t++) {
        if (bt->rank[t] == UINT32_MAX) continue;
        int32_t s = TOK_TRIE_ROOT;
        const uint8_t *b = v->tok[t].bytes;
        for (uint32_t k = 0; k + 1 < bt->len[t] && s >= 0; k++) {
            s = tok_trie_child(&bt->trie, s, b[k]);
            if (s >= 0 && tok_trie_value(&bt->trie, s) >= 0) bt->shorter[t] = tok_trie_value(&bt->trie, s);
        }
    }
    bt->ok = true;
    return TOK_OK;
}

void tok_bpe_bt_scratch_free(tok_bpe_bt_scratch *s)
{
    tok_vec_free(&s->stack);
    tok_vec_free(&s->dead);
}

/* Longest token BPE can make that p[0..n) starts with (n > 0: one byte at least). */
static inline int32_t longest(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n)
{
    const tok_trie_cell *cell = bt->trie.cell;
    int32_t s = TOK_TRIE_ROOT, best = -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = (uint32_t)cell[s].base + p[i];
        if (cell[c].check != s) break;
        s = (int32_t)c;
        if (cell[s].value >= 0) best = cell[s].value;
    }
    return best;
}

int tok_bpe_bt_encode(const tok_bpe_bt *bt, const tok_vocab *v, tok_bpe_memo *memo, tok_bpe_bt_scratch *s,
                      const uint8_t *p, uint32_t n, tok_toks *out)
{
    TOK_UNUSED(v);
    size_t words = (size_t)n / 64 + 1;
    if (tok_vec_reserve(&s->dead, words) || tok_vec_reserve(&s->stack, (size_t)n)) return -1;
    uint64_t *dead = s->dead.v;
    memset(dead, 0, words * sizeof *dead);
    int32_t *st = s->stack.v;
    size_t k = 0;
    uint32_t pos = 0;
    int32_t cand = longest(bt, p, n);
    while (pos < n) {
        if (cand >= 0) {
            uint32_t end = pos + bt->len[cand];
            if (!(dead[end >> 6] >> (end & 63) & 1) && (k == 0 || valid(bt, memo, st[k - 1], cand))) {
                st[k++] = cand;
                pos = end;
                if (pos < n) cand = longest(bt, p + pos, n - pos);
                continue;
            }
            cand = bt->shorter[cand];
            continue;
        }
        dead[pos >> 6] |= 1ull << (pos & 63);
        if (k == 0) return -2; /* no tiling at all: cannot happen for a valid table */
        int32_t t = st[--k];
        pos -= bt->len[t];
        cand = bt->shorter[t];
    }
    if (out->n + k > out->cap && tok_toks_reserve(out, out->n + k)) return -1;
    uint32_t at = 0;
    for (size_t i = 0; i < k; i++) {
        out->id[out->n] = st[i];
        out->off[out->n].start = at;
        at += bt->len[st[i]];
        out->off[out->n].end = at;
        out->n++;
    }
    return 0;
}
