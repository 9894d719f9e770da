/*
 * BPE: merges by rank, exactly as HF tokenizers' BPE (models/bpe) and, for
 * rank files, as tiktoken.  A pre-token starts as characters (or bytes for
 * byte-level vocabularies); the adjacent pair with the lowest rank merges
 * first, leftmost among equals, until no pair merges.  A heap of candidate
 * merges keeps this O(n log n) in the pre-token length; stale heap entries are
 * recognised the way HF does (the pair at that position no longer makes the
 * same token).
 *
 * Per context, a pre-token cache (piece_cache.h) skips the merge loop for
 * the words that make up most of natural text.
 *
 * Byte-level vocabularies (proven at load) take integer pair tables and the
 * linear backtracking encoder (bpe_backtrack.h), except for the rare
 * pre-tokens that hold an irregular token; the heap above stays the
 * reference, which tests compare them against (tok__bpe_reference).
 */
#include "bpe.h"
#include "bpe_backtrack.h"
#include "../core/piece_cache.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>

typedef struct merge3 { int32_t a, b, c; } merge3;

typedef struct bpe {
    tok_model base;
    TOK_VEC(merge3) merges;   /* from the file, rank order (not for ranked) */
    tok_u64map pairs;         /* (a << 32 | b) -> (rank << 32 | new id) */
    /* with stored tables (.tokpack) pairs and dup_results are built on the
     * first pre-token that needs the heap (under dlock): most never do */
    _Atomic bool pairs_ready;
    bool ranked;              /* tiktoken: pairs implied by ranks */
    bool ignore_merges;
    bool dup_results;         /* some token is made by merges of different ranks */
    bool marker_split;        /* split model input before "▁" (SentencePiece-style vocabularies) */
    bool no_split_after[256]; /* ...except after these bytes: some token has "<byte>▁" inside */
    float dropout;            /* file's dropout, 0 = none */
    char *unk_token;
    int32_t unk_id;
    tok_bpe_bt bt;            /* fast paths; bt.ok when they apply */
    tok_bpe_bt stored;        /* the same tables from a .tokpack, checked by its reader (n 0: none) */
    /* ranked: the merge list derived from the ranks (tok_merge_get), built
     * on first use under dlock, then read-only */
    pthread_mutex_t dlock;
    struct derived *_Atomic derived;
} bpe;

/* A pre-token that is a token is that token (tiktoken's rule, HF's
 * ignore_merges). */
static inline bool whole_is_token(const bpe *b) { return b->ignore_merges || b->ranked; }

typedef struct derived {
    TOK_VEC(merge3) merges;
    tok_u64map pairs; /* (a << 32 | b) -> rank */
} derived;

/* ---- per-context scratch ---------------------------------------------- */

typedef struct sym {
    int32_t id;
    uint32_t start, len;
    int32_t prev, next;
} sym;

typedef struct hent {
    uint64_t key; /* rank << 32 | pos */
    int32_t new_id;
} hent;

#define PAIR_MEMO 4096
typedef struct pair_memo { uint64_t key, val; } pair_memo;

typedef struct bpe_scratch {
    pair_memo *memo;           /* PAIR_MEMO; key UINT64_MAX: empty */
    tok_sbuf cat;              /* tiktoken: the two parts' bytes together */
    TOK_VEC(sym) syms;
    TOK_VEC(hent) heap;
    TOK_VEC(hent) skip;
    bool reference;            /* the heap and tiktoken's byte rule only (tests) */
    tok_bpe_bt_scratch bts;
} bpe_scratch;

static void *bpe_scratch_new(const tok_model *m)
{
    TOK_UNUSED(m);
    bpe_scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    /* apart, not inside one large struct: allocators serve it from their
     * pools, where a larger block is a fresh mapping per context */
    s->memo = malloc(PAIR_MEMO * sizeof *s->memo);
    if (!s->memo) {
        free(s);
        return NULL;
    }
    memset(s->memo, 0xFF, PAIR_MEMO * sizeof *s->memo);
    return s;
}

static void bpe_scratch_free(void *p)
{
    bpe_scratch *s = p;
    if (!s) return;
    tok_vec_free(&s->cat);
    tok_vec_free(&s->syms);
    tok_vec_free(&s->heap);
    tok_vec_free(&s->skip);
    tok_bpe_bt_scratch_free(&s->bts);
    free(s->memo);
    free(s);
}

/* ---- heap ordered by (rank, pos) --------------------------------------- */
/* Four children per node: half the depth of a binary heap, and the children
 * of a node share a cache line, which matters for pre-tokens of a million
 * symbols (a long run of one letter). */

static int heap_push(bpe_scratch *s, uint64_t key, int32_t new_id)
{
    if (tok_vec_reserve(&s->heap, s->heap.n + 1)) return -1;
    hent *h = s->heap.v;
    size_t i = s->heap.n++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (h[p].key <= key) break;
        h[i] = h[p];
        i = p;
    }
    h[i].key = key;
    h[i].new_id = new_id;
    return 0;
}

static hent heap_pop(bpe_scratch *s)
{
    hent *h = s->heap.v;
    hent top = h[0];
    hent last = h[--s->heap.n];
    size_t n = s->heap.n, i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n) break;
        size_t end = c + 4 < n ? c + 4 : n, m = c;
        for (size_t k = c + 1; k < end; k++)
            if (h[k].key < h[m].key) m = k;
        if (last.key <= h[m].key) break;
        h[i] = h[m];
        i = m;
    }
    if (n) h[i] = last;
    return top;
}

/* Pair -> (rank, merged id).  The pair table is large; a small per-context
 * memo in front keeps the pairs a text repeats (and degenerate inputs such
 * as one letter a million times) in the first-level cache. */
/* tiktoken's rule: two parts merge when their bytes together are a token,
 * at that token's rank (= its id), whatever the parts' own ranks. */
static uint64_t ranked_pair(const tok_vocab *v, int32_t x, int32_t y, tok_sbuf *cat)
{
    const tok_token *a = &v->tok[x], *c = &v->tok[y];
    cat->n = 0;
    if (tok_sbuf_put(cat, a->bytes, a->nbytes) || tok_sbuf_put(cat, c->bytes, c->nbytes)) return UINT64_MAX;
    int32_t id = tok_vocab_model_id(v, cat->v, cat->n);
    return id < 0 ? UINT64_MAX : (uint64_t)(uint32_t)id << 32 | (uint32_t)id;
}

static inline int pair_lookup(const bpe *b, bpe_scratch *s, int32_t x, int32_t y, uint32_t *rank, int32_t *new_id)
{
    uint64_t key = (uint64_t)(uint32_t)x << 32 | (uint32_t)y, v;
    pair_memo *m = &s->memo[(tok_hash64(key)) & (PAIR_MEMO - 1)];
    if (m->key == key) {
        v = m->val;
    } else {
        if (b->ranked) v = ranked_pair(b->base.vocab, x, y, &s->cat);
        else if (!tok_u64map_get(&b->pairs, key, &v)) v = UINT64_MAX;
        m->key = key;
        m->val = v;
    }
    if (v == UINT64_MAX) return 0;
    *rank = (uint32_t)(v >> 32);
    *new_id = (int32_t)(uint32_t)v;
    return 1;
}

/* ---- initial symbols --------------------------------------------------- */

static int add_sym(bpe_scratch *s, int32_t id, uint32_t start, uint32_t len)
{
    if (tok_vec_reserve(&s->syms, s->syms.n + 1)) return -1;
    sym *y = &s->syms.v[s->syms.n];
    y->id = id;
    y->start = start;
    y->len = len;
    y->prev = (int32_t)s->syms.n - 1;
    y->next = (int32_t)s->syms.n + 1;
    s->syms.n++;
    return 0;
}

/* Split a pre-token into its first symbols, as HF merge_word does. */
static tok_status initial_symbols(const bpe *b, tok_ctx *ctx, bpe_scratch *s, const uint8_t *p, uint32_t n)
{
    const tok_vocab *v = b->base.vocab;
    s->syms.n = 0;
    if (tok_vec_reserve(&s->syms, n + 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    if (v->byte_level) {
        for (uint32_t i = 0; i < n; i++) {
            int32_t id = v->byte_id[p[i]];
            if (id < 0) {
                if (b->unk_id < 0) continue;
                id = b->unk_id;
            }
            add_sym(s, id, i, 1);
        }
        return TOK_OK;
    }
    const char *pre = b->base.cont_prefix, *suf = b->base.eow_suffix;
    size_t pl = pre ? strlen(pre) : 0, sl = suf ? strlen(suf) : 0;
    int32_t unk = -1;
    uint32_t unk_start = 0, unk_len = 0;
    char buf[64];
    for (uint32_t i = 0; i < n;) {
        uint32_t cl = (uint32_t)tok_utf8_seqlen(p[i]);
        if (cl == 0 || i + cl > n) cl = 1;
        const void *key = p + i;
        size_t klen = cl;
        bool first = i == 0, last = i + cl >= n;
        if ((!first && pl) || (last && sl)) {
            size_t k = 0;
            if (!first && pl && pl < 32) { memcpy(buf, pre, pl); k = pl; }
            memcpy(buf + k, p + i, cl);
            k += cl;
            if (last && sl && sl < 28) { memcpy(buf + k, suf, sl); k += sl; }
            key = buf;
            klen = k;
        }
        int32_t id = tok_vocab_model_id(v, key, klen);
        if (id >= 0) {
            if (unk >= 0) {
                add_sym(s, unk, unk_start, unk_len);
                unk = -1;
            }
            add_sym(s, id, i, cl);
        } else {
            bool done = false;
            if (b->base.byte_fallback) {
                const uint8_t *kb = key;
                bool all = true;
                for (size_t j = 0; j < klen; j++)
                    if (v->byte_id[kb[j]] < 0) { all = false; break; }
                if (all) {
                    /* HF gives each byte token length 1 from the char start */
                    for (size_t j = 0; j < klen; j++) {
                        if (tok_vec_reserve(&s->syms, s->syms.n + 1))
                            return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
                        add_sym(s, v->byte_id[kb[j]], i + (uint32_t)j, 1);
                    }
                    done = true;
                }
            }
            if (!done && b->unk_id >= 0) {
                if (unk >= 0 && b->base.fuse_unk) {
                    unk_len += cl;
                } else {
                    if (unk >= 0) add_sym(s, unk, unk_start, unk_len);
                    unk = b->unk_id;
                    unk_start = i;
                    unk_len = cl;
                }
            }
        }
        i += cl;
    }
    if (unk >= 0) add_sym(s, unk, unk_start, unk_len);
    return TOK_OK;
}

/* ---- the merge loop ---------------------------------------------------- */

static tok_status merge_all(const bpe *b, tok_ctx *ctx, bpe_scratch *s, float dropout)
{
    sym *y = s->syms.v;
    size_t n = s->syms.n;
    if (n == 0) return TOK_OK;
    y[n - 1].next = -1;
    s->heap.n = 0;
    s->skip.n = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        uint32_t rank;
        int32_t nid;
        if (pair_lookup(b, s, y[i].id, y[i + 1].id, &rank, &nid) &&
            heap_push(s, (uint64_t)rank << 32 | i, nid))
            return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    tok_rng *rng = dropout > 0 ? tok_ctx_rng(ctx, NULL) : NULL;
    while (s->heap.n) {
        hent top = heap_pop(s);
        if (rng && tok_rng_unit(rng) < dropout) {
            if (tok_vec_push(&s->skip, top)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            continue;
        }
        for (size_t k = 0; k < s->skip.n; k++)
            if (heap_push(s, s->skip.v[k].key, s->skip.v[k].new_id))
                return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        s->skip.n = 0;
        y = s->syms.v;
        uint32_t pos = (uint32_t)top.key;
        if (y[pos].len == 0 || y[pos].next < 0) continue;
        int32_t nx = y[pos].next;
        uint32_t rank;
        int32_t nid;
        if (!pair_lookup(b, s, y[pos].id, y[nx].id, &rank, &nid) || nid != top.new_id) continue;
        y[pos].id = top.new_id;
        y[pos].len += y[nx].len;
        y[pos].next = y[nx].next;
        y[nx].len = 0;
        if (y[nx].next >= 0) y[y[nx].next].prev = (int32_t)pos;
        if (y[pos].prev >= 0) {
            int32_t pv = y[pos].prev;
            if (pair_lookup(b, s, y[pv].id, y[pos].id, &rank, &nid) &&
                heap_push(s, (uint64_t)rank << 32 | (uint32_t)pv, nid))
                return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        }
        if (y[pos].next >= 0) {
            int32_t nn = y[pos].next;
            if (pair_lookup(b, s, y[pos].id, y[nn].id, &rank, &nid) &&
                heap_push(s, (uint64_t)rank << 32 | pos, nid))
                return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        }
    }
    return TOK_OK;
}

/* The same merge order for short pre-tokens without a heap: find the leftmost
 * lowest-rank pair by a scan, as tiktoken does.  Equal to merge_all when no
 * token is the result of merges of different ranks (checked at load). */
#define SMALL_MAX 64
static void merge_small(const bpe *b, bpe_scratch *s)
{
    sym *y = s->syms.v;
    size_t n = s->syms.n;
    uint32_t rank[SMALL_MAX];
    int32_t nid[SMALL_MAX];
    for (size_t i = 0; i + 1 < n; i++)
        if (!pair_lookup(b, s, y[i].id, y[i + 1].id, &rank[i], &nid[i])) rank[i] = UINT32_MAX;
    while (n > 1) {
        size_t best = 0;
        uint32_t br = UINT32_MAX;
        for (size_t i = 0; i + 1 < n; i++)
            if (rank[i] < br) { br = rank[i]; best = i; }
        if (br == UINT32_MAX) break;
        y[best].id = nid[best];
        y[best].len += y[best + 1].len;
        for (size_t i = best + 1; i + 1 < n; i++) {
            y[i] = y[i + 1];
            rank[i] = rank[i + 1];
            nid[i] = nid[i + 1];
        }
        n--;
        if (best + 1 < n && !pair_lookup(b, s, y[best].id, y[best + 1].id, &rank[best], &nid[best])) rank[best] = UINT32_MAX;
        if (best + 1 >= n) rank[best] = UINT32_MAX;
        if (best > 0 && !pair_lookup(b, s, y[best - 1].id, y[best].id, &rank[best - 1], &nid[best - 1])) rank[best - 1] = UINT32_MAX;
    }
    for (size_t i = 0; i < n; i++) y[i].next = i + 1 < n ? (int32_t)(i + 1) : -1;
    s->syms.n = n;
}

static int need_pairs(const bpe *cb);
/* Whether p[0..n) (1..15 bytes) is ASCII: the whole-piece tables are asked
 * about those only.  Pieces of multi-byte characters are mostly several
 * tokens (or one the pre-token cache already knows), and a probe that
 * misses is a cache miss more per piece. */
static inline bool ascii_short(const uint8_t *p, uint32_t n)
{
    uint64_t x;
    if (n >= 8) {
        uint64_t a, c;
        memcpy(&a, p, 8);
        memcpy(&c, p + n - 8, 8);
        x = a | c;
    } else if (n >= 4) {
        uint32_t a, c;
        memcpy(&a, p, 4);
        memcpy(&c, p + n - 4, 4);
        x = a | c;
    } else {
        x = (uint64_t)(p[0] | p[n / 2] | p[n - 1]);
    }
    return !(x & 0x8080808080808080ull);
}

/* The whole-piece table's answer for p[0..n) (n > 0), or -1: not there, or
 * no table. */
static inline int32_t whole_probe(const bpe *b, const bpe_scratch *s, const uint8_t *p, uint32_t n)
{
    if (n > TOK_BPE_WHOLE_MAXLEN2 || !b->bt.whole.slot || s->reference || !ascii_short(p, n)) return -1;
    return n <= TOK_BPE_WHOLE_MAXLEN ? tok_bpe_whole_find(&b->bt.whole, tok_bpe_whole_key(p, n))
                                     : tok_bpe_whole_find2(&b->bt.whole, p, n);
}

static tok_status bpe_encode_rest(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n,
                                  const tok_encode_options *opt, tok_toks *out);

static tok_status bpe_encode_one(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n,
                                 const tok_encode_options *opt, tok_toks *out)
{
    const bpe *b = (const bpe *)m;
    if (n == 0) return TOK_OK;
    if ((opt && opt->dropout >= 0 ? opt->dropout : b->dropout) <= 0) {
        /* most pre-tokens are one token: one probe, before the cache */
        int32_t id = whole_probe(b, ctx->model_scratch, p, n);
        if (id >= 0) {
            if (TOK_UNLIKELY(out->n == out->cap) && tok_toks_reserve(out, out->n + 1))
                return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            out->id[out->n] = id;
            out->off[out->n].start = 0;
            out->off[out->n].end = n;
            out->n++;
            return TOK_OK;
        }
    }
    return bpe_encode_rest(m, ctx, p, n, opt, out);
}

/* bpe_encode_one past the whole-piece table. */
static tok_status bpe_encode_rest(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n,
                                  const tok_encode_options *opt, tok_toks *out)
{
    const bpe *b = (const bpe *)m;
    bpe_scratch *s = ctx->model_scratch;
    float dropout = b->dropout;
    if (opt && opt->dropout >= 0) dropout = opt->dropout;
    tok_pcache *pc = NULL;
    tok_pcache_q q;
    size_t first = out->n;
    if (dropout <= 0) {
        if (!(pc = tok_ctx_pcache(ctx))) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        tok_pcache_query(&q, p, n);
        bool fast = b->bt.ok && !s->reference, whole = whole_is_token(b);
        int r = tok_pcache_get(pc, &q, out);
        if (r) return r > 0 ? TOK_OK : tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        if (fast) {
            /* one trie walk finds a whole-token pre-token and starts the tiling */
            r = tok_bpe_bt_encode(&b->bt, whole, &s->bts, p, n, out);
            if (r == 1) {
                /* an irregular token inside: the heap (over the whole merge
                 * map: the fast tables leave out merges plain BPE never
                 * reaches, which dropout and irregular tokens can) */
                if (need_pairs(b)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
                tok_status st = initial_symbols(b, ctx, s, p, n);
                if (!st) st = merge_all(b, ctx, s, 0);
                if (st) return st;
                for (int32_t i = s->syms.n ? 0 : -1; i >= 0; i = s->syms.v[i].next) {
                    const sym *y = &s->syms.v[i];
                    if (tok_toks_push(out, y->id, y->start, y->start + y->len))
                        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
                }
                tok_pcache_put(pc, &q, out->id + first, out->off + first, out->n - first);
                return TOK_OK;
            }
            if (r) return tok_ctx_fail(ctx, r == -1 ? TOK_ERR_NOMEM : TOK_ERR_FORMAT, r == -1 ? "out of memory" : "BPE found no tiling");
            tok_pcache_put(pc, &q, out->id + first, out->off + first, out->n - first);
            return TOK_OK;
        }
        /* HF ignore_merges, and tiktoken: a pre-token that is a token is that token */
        if (whole_is_token(b)) {
            int32_t id = tok_vocab_model_id(m->vocab, p, n);
            if (id >= 0) {
                if (tok_toks_push(out, id, 0, n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
                tok_pcache_put(pc, &q, out->id + first, out->off + first, 1);
                return TOK_OK;
            }
        }
    }
    if (need_pairs(b)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    tok_status st = initial_symbols(b, ctx, s, p, n);
    if (st) return st;
    if (dropout <= 0 && !b->dup_results && s->syms.n <= SMALL_MAX && !s->reference) merge_small(b, s);
    else if ((st = merge_all(b, ctx, s, dropout))) return st;
    for (int32_t i = s->syms.n ? 0 : -1; i >= 0; i = s->syms.v[i].next) {
        const sym *y = &s->syms.v[i];
        if (tok_toks_push(out, y->id, y->start, y->start + y->len)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    /* no pointer arithmetic on empty (NULL) arrays: a pre-token may yield no tokens */
    if (dropout <= 0)
        tok_pcache_put(pc, &q, out->n > first ? out->id + first : NULL, out->n > first ? out->off + first : NULL,
                       out->n - first);
    return TOK_OK;
}

#define MARKER "\xE2\x96\x81"

/* Without a pre-tokenizer (SentencePiece-style files) the model sees whole
 * lines.  A merge can only join the text before a "▁" with it if some token
 * contains the byte before the "▁" followed by "▁"; everywhere else each
 * stretch can be merged on its own, and cached, with the same result. */
static tok_status bpe_encode(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n,
                             const tok_encode_options *opt, tok_toks *out)
{
    const bpe *b = (const bpe *)m;
    if (!b->marker_split || n < 8) return bpe_encode_one(m, ctx, p, n, opt, out);
    uint32_t start = 0;
    for (uint32_t i = 1; i + 3 <= n; i++) {
        if (p[i] != 0xE2 || memcmp(p + i, MARKER, 3) != 0) continue;
        if (i >= 3 && memcmp(p + i - 3, MARKER, 3) == 0) continue;
        if (b->no_split_after[p[i - 1]]) continue;
        size_t first = out->n;
        tok_status st = bpe_encode_one(m, ctx, p + start, i - start, opt, out);
        if (st) return st;
        tok_toks_shift(out, first, start);
        start = i;
        i += 2;
    }
    size_t first = out->n;
    tok_status st = bpe_encode_one(m, ctx, p + start, n - start, opt, out);
    tok_toks_shift(out, first, start);
    return st;
}

/* ---- preparation ------------------------------------------------------- */

/* The fast paths' tables, kept only when proven: every token the tables
 * call unreachable must also be unreachable for the reference heap. */
static tok_status build_fast_tables(bpe *b, const tok_vocab *v, tok_error *err);
static tok_status build_fast(bpe *b, const tok_vocab *v, tok_error *err)
{
    tok_status st = build_fast_tables(b, v, err);
    bool wok = whole_is_token(b);
    tok_bpe_whole *w = &b->bt.whole;
    if (st || !b->bt.ok || (w->slot && w->whole_ok == wok && w->n == v->n)) return st; /* stored with the tables */
    tok_bpe_whole_free(w);
    if ((st = tok_bpe_whole_build(w, &b->bt, v, wok, err))) tok_bpe_bt_free(&b->bt);
    return st;
}

static tok_status build_fast_tables(bpe *b, const tok_vocab *v, tok_error *err)
{
    tok_bpe_bt_free(&b->bt);
    /* merge lists that make a token by merges of different ranks (llama3,
     * converted from ranks: every split of a token is a merge) are fine: from
     * a token's bytes BPE reaches at most one of them (the tables' own);
     * one below a part's rank that BPE can reach makes the token irregular,
     * and pre-tokens containing one go to the heap (bpe_backtrack.h) */
    if (b->base.cont_prefix || b->base.eow_suffix) return TOK_OK;
    if (b->stored.n) {
        /* proven when written; the reader checked them against overruns */
        if (b->stored.n != v->n)
            return tok__fail(err, TOK_ERR_FORMAT, "stored BPE tables cover %u ids, the vocabulary has %zu",
                             b->stored.n, v->n);
        b->bt = b->stored;
        b->bt.ok = true;
        tok_status st = tok_bpe_bt_derive(&b->bt, v, err);
        if (st) tok_bpe_bt_free(&b->bt);
        return st;
    }
    tok_bpe_merge *mg = NULL;
    uint8_t *made = NULL;
    tok_bpe_ids unmade = { 0 };
    tok_status st = TOK_ERR_NOMEM;
    if (!b->ranked) {
        /* the merges that win for their pair (later duplicates win, as in the map) */
        mg = malloc((b->merges.n + 1) * sizeof *mg);
        made = calloc(v->n + 1, 1);
        if (!mg || !made) goto out;
        for (size_t i = 0; i < b->merges.n; i++) {
            const merge3 *g = &b->merges.v[i];
            uint64_t val;
            if (i + 16 < b->merges.n)
                tok_u64map_prefetch(&b->pairs, (uint64_t)(uint32_t)g[16].a << 32 | (uint32_t)g[16].b);
            bool wins = tok_u64map_get(&b->pairs, (uint64_t)(uint32_t)g->a << 32 | (uint32_t)g->b, &val) &&
                        (uint32_t)(val >> 32) == i;
            mg[i] = (tok_bpe_merge){ g->a, g->b, wins ? g->c : -1 };
            if (wins) made[g->c] = 1;
        }
    }
    if ((st = tok_bpe_bt_build(&b->bt, v, mg, b->merges.n, &unmade, err))) goto out;
    if (b->bt.ok && unmade.n) {
        bpe_scratch *s = bpe_scratch_new(&b->base);
        if (!s) {
            st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
            goto out;
        }
        s->reference = true;
        for (size_t i = 0; i < unmade.n && b->bt.ok; i++) {
            const tok_token *t = &v->tok[unmade.v[i]];
            if (made && !made[unmade.v[i]]) continue; /* no merge makes it */
            if (tok_bpe_bt_irregular(&b->bt, t->bytes, t->nbytes)) continue; /* the heap encodes it */
            if (initial_symbols(b, NULL, s, t->bytes, t->nbytes) || merge_all(b, NULL, s, 0)) {
                st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
                bpe_scratch_free(s);
                goto out;
            }
            if (s->syms.n && s->syms.v[0].next < 0 && s->syms.v[0].id == unmade.v[i]) tok_bpe_bt_free(&b->bt);
        }
        bpe_scratch_free(s);
    }
    st = TOK_OK;
out:
    if (st) tok_bpe_bt_free(&b->bt);
    free(mg);
    free(made);
    tok_vec_free(&unmade);
    return st;
}

/* The merge map (later duplicates of a pair win, as in HF's map collect)
 * and whether some token is made by two merges of different ranks (HF's
 * stale-entry check, by result only, then differs from a plain scan: the
 * heap is kept). */
static int build_pairs(bpe *b, tok_error *err)
{
    if (tok_u64map_init(&b->pairs, b->merges.n)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory"), -1;
#define KEY(g) ((uint64_t)(uint32_t)(g)->a << 32 | (uint32_t)(g)->b)
    for (size_t i = 0; i < b->merges.n; i++) {
        merge3 *g = &b->merges.v[i];
        if (i + 16 < b->merges.n) tok_u64map_prefetch(&b->pairs, KEY(g + 16)); /* misses overlap */
        if (tok_u64map_put(&b->pairs, KEY(g), (uint64_t)i << 32 | (uint32_t)g->c))
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory"), -1;
    }
    uint32_t *seen = calloc(b->base.vocab->n + 1, sizeof *seen);
    if (!seen) return tok__fail(err, TOK_ERR_NOMEM, "out of memory"), -1;
    for (size_t i = 0; i < b->merges.n && !b->dup_results; i++) {
        uint64_t val;
        merge3 *g = &b->merges.v[i];
        if (i + 16 < b->merges.n) {
            tok_u64map_prefetch(&b->pairs, KEY(g + 16));
            __builtin_prefetch(&seen[g[16].c]);
        }
        if (!tok_u64map_get(&b->pairs, KEY(g), &val) || (uint32_t)(val >> 32) != i)
            continue; /* overridden duplicate pair */
        if (seen[g->c] && seen[g->c] != i + 1) b->dup_results = true;
        seen[g->c] = (uint32_t)i + 1;
    }
    free(seen);
    return 0;
#undef KEY
}

/* The merge map on first use (stored tables): 0, or -1 out of memory. */
static int need_pairs(const bpe *cb)
{
    bpe *b = (bpe *)cb; /* built once under dlock, then read-only */
    if (atomic_load_explicit(&b->pairs_ready, memory_order_acquire)) return 0;
    pthread_mutex_lock(&b->dlock);
    int r = 0;
    if (!atomic_load_explicit(&b->pairs_ready, memory_order_relaxed)) {
        tok_error e;
        tok_u64map_free(&b->pairs);
        b->dup_results = false;
        r = build_pairs(b, &e);
        if (!r) atomic_store_explicit(&b->pairs_ready, true, memory_order_release);
    }
    pthread_mutex_unlock(&b->dlock);
    return r;
}

static tok_status bpe_prepare(tok_model *m, const tok_vocab *v, tok_error *err)
{
    bpe *b = (bpe *)m;
    tok_u64map_free(&b->pairs);
    if (b->unk_token) {
        b->unk_id = tok_vocab_model_id(v, b->unk_token, strlen(b->unk_token));
        if (b->unk_id < 0) b->unk_id = tok_vocab_id(v, b->unk_token, strlen(b->unk_token));
    }
    m->unk_id = b->unk_id;
    /* a character the model drops (no unk, no byte token for it) joins the
     * text on both sides, so no cut is safe then */
    bool drops = b->unk_id < 0;
    if (drops && m->byte_fallback) {
        drops = false;
        for (int i = 0; i < 256; i++) drops |= v->byte_id[i] < 0;
    }
    b->marker_split = !v->byte_level && !drops;
    memset(b->no_split_after, 0, sizeof b->no_split_after);
    for (size_t i = 0; i < v->n && b->marker_split; i++) {
        const tok_token *t = &v->tok[i];
        if ((t->flags & TOK_TOKEN_NONE) || !(t->flags & TOK__IN_MODEL)) continue;
        for (uint32_t k = 1; k + 3 <= t->nbytes; k++)
            if (!memcmp(t->bytes + k, MARKER, 3) && !(k >= 3 && !memcmp(t->bytes + k - 3, MARKER, 3)))
                b->no_split_after[t->bytes[k - 1]] = true;
    }
    atomic_store(&b->pairs_ready, false);
    if (!b->ranked && !b->stored.n && build_pairs(b, err)) return TOK_ERR_NOMEM;
    if (b->ranked || !b->stored.n) atomic_store(&b->pairs_ready, true);
    return build_fast(b, v, err);
}

static void bpe_free(tok_model *m)
{
    bpe *b = (bpe *)m;
    tok_vec_free(&b->merges);
    tok_u64map_free(&b->pairs);
    tok_bpe_bt_free(&b->bt);
    free(b->unk_token);
    derived *d = atomic_load(&b->derived);
    if (d) {
        tok_vec_free(&d->merges);
        tok_u64map_free(&d->pairs);
        free(d);
    }
    pthread_mutex_destroy(&b->dlock);
    free((char *)b->base.cont_prefix);
    free((char *)b->base.eow_suffix);
    free(b);
}

/* One merge per token in rank order: the last merge tiktoken makes when it
 * encodes the token's own bytes with the lower ranks only. */
static derived *derive_ranked(const tok_vocab *v)
{
    derived *d = calloc(1, sizeof *d);
    TOK_VEC(int32_t) parts = { 0 };
    tok_sbuf cat = { 0 };
    if (!d) return NULL;
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        if ((t->flags & TOK_TOKEN_NONE) || !(t->flags & TOK__IN_MODEL) || t->nbytes < 2) continue;
        parts.n = 0;
        bool ok = true;
        for (uint32_t k = 0; k < t->nbytes && ok; k++) ok = tok_vec_push(&parts, v->byte_id[t->bytes[k]]) == 0 && v->byte_id[t->bytes[k]] >= 0;
        while (ok && parts.n > 2) {
            size_t best = 0;
            uint64_t br = UINT64_MAX, val;
            for (size_t k = 0; k + 1 < parts.n; k++)
                if ((val = ranked_pair(v, parts.v[k], parts.v[k + 1], &cat)) != UINT64_MAX &&
                    (val >> 32) < i && (val >> 32) < br) { br = val >> 32; best = k; }
            if (br == UINT64_MAX) { ok = false; break; }
            parts.v[best] = (int32_t)br;
            memmove(parts.v + best + 1, parts.v + best + 2, (parts.n - best - 2) * sizeof *parts.v);
            parts.n--;
        }
        if (!ok || parts.n != 2) continue;
        if (tok_vec_push(&d->merges, ((merge3){ parts.v[0], parts.v[1], (int32_t)i }))) goto fail;
    }
    if (tok_u64map_init(&d->pairs, d->merges.n)) goto fail;
    for (size_t i = 0; i < d->merges.n; i++) {
        const merge3 *g = &d->merges.v[i];
        if (tok_u64map_put(&d->pairs, (uint64_t)(uint32_t)g->a << 32 | (uint32_t)g->b, i)) goto fail;
    }
    tok_vec_free(&parts);
    tok_vec_free(&cat);
    return d;
fail:
    tok_vec_free(&parts);
    tok_vec_free(&cat);
    tok_vec_free(&d->merges);
    tok_u64map_free(&d->pairs);
    free(d);
    return NULL;
}

static derived *bpe_derived(const bpe *cb)
{
    bpe *b = (bpe *)cb; /* the lazily built list is the only mutable part, under dlock */
    derived *d = atomic_load(&b->derived);
    if (d) return d;
    pthread_mutex_lock(&b->dlock);
    d = atomic_load(&b->derived);
    if (!d && (d = derive_ranked(b->base.vocab))) atomic_store(&b->derived, d);
    pthread_mutex_unlock(&b->dlock);
    return d;
}

static size_t bpe_merge_count(const tok_model *m)
{
    const bpe *b = (const bpe *)m;
    if (!b->ranked) return b->merges.n;
    const derived *d = bpe_derived(b);
    return d ? d->merges.n : 0;
}

static int bpe_merge_get(const tok_model *m, size_t rank, int32_t ids[3])
{
    const bpe *b = (const bpe *)m;
    const derived *d = b->ranked ? bpe_derived(b) : NULL;
    const merge3 *g = b->ranked ? (d && rank < d->merges.n ? &d->merges.v[rank] : NULL)
                                : (rank < b->merges.n ? &b->merges.v[rank] : NULL);
    if (!g) return -1;
    ids[0] = g->a;
    ids[1] = g->b;
    ids[2] = g->c;
    return 0;
}

static int64_t bpe_merge_rank(const tok_model *m, int32_t left, int32_t right)
{
    const bpe *b = (const bpe *)m;
    uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right, val;
    if (b->ranked) {
        const derived *d = bpe_derived(b);
        return d && tok_u64map_get(&d->pairs, key, &val) ? (int64_t)val : -1;
    }
    return !need_pairs(b) && tok_u64map_get(&b->pairs, key, &val) ? (int64_t)(val >> 32) : -1;
}

static void bpe_info(const tok_model *m, tok_model_info *out)
{
    const bpe *b = (const bpe *)m;
    out->ranked = b->ranked;
    out->ignore_merges = whole_is_token(b);
    out->dropout = b->dropout;
}

static const tok_model_vt bpe_vt;

void tok__bpe_reference(tok_ctx *ctx, bool on)
{
    if (ctx->tok->model->vt != &bpe_vt || !ctx->model_scratch) return;
    bpe_scratch *s = ctx->model_scratch;
    s->reference = on;
    /* a cache of its own, empty: what the other paths cached must not answer */
    tok_pcache_unref(ctx->pcache);
    ctx->pcache = NULL;
}

bool tok__bpe_fast(const tok_ctx *ctx)
{
    return ctx->tok->model->vt == &bpe_vt && ((const bpe *)ctx->tok->model)->bt.ok;
}

/* The direct scan->model loop (pipeline/encode_direct.c) calls the model
 * here, past the vtable and the marker split, where that changes nothing:
 * byte-level, every byte a token (so no byte is ever dropped), no dropout. */
bool tok__bpe_direct_ok(const tok_model *m)
{
    if (m->vt != &bpe_vt || !m->vocab || !m->vocab->byte_level) return false;
    const bpe *b = (const bpe *)m;
    if (b->dropout > 0 || b->marker_split) return false;
    for (int i = 0; i < 256; i++)
        if (m->vocab->byte_id[i] < 0) return false;
    return true;
}

/* The SentencePiece lane (pipeline/lane_spm.c) cuts the model input itself
 * by bpe_encode's rule and calls tok__bpe_piece per stretch: the bytes after
 * which a "▁" is no cut, or NULL when the model does not cut (or samples). */
const bool *tok__bpe_marker_cuts(const tok_model *m)
{
    const bpe *b = (const bpe *)m;
    return m->vt == &bpe_vt && b->marker_split && b->dropout <= 0 ? b->no_split_after : NULL;
}

tok_status tok__bpe_piece(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n, tok_toks *out)
{
    return bpe_encode_one(m, ctx, p, n, NULL, out);
}

tok_status tok__bpe_pieces(const tok_model *m, tok_ctx *ctx, const uint8_t *s, uint32_t from, const uint32_t *ends,
                          size_t k, tok_toks *out, uint32_t *cnt)
{
    const bpe *b = (const bpe *)m;
    const bpe_scratch *sc = ctx->model_scratch;
    const tok_bpe_whole *w = &b->bt.whole;
    if (TOK_UNLIKELY(k > TOK_BPE_BATCH)) return tok_ctx_fail(ctx, TOK_ERR_ARG, "batch too large");
    /* the table's description copied to a local: the stores into out below
     * may alias the model's copy as far as the compiler knows, and would
     * reload its fields per piece */
    const tok_bpe_whole wl = *w;
    bool probe = wl.slot && !sc->reference;
    /* the short pieces' mixed keys (0: none), their buckets asked for now so
     * that the batch's table misses overlap */
    uint64_t mix[TOK_BPE_BATCH];
    uint32_t at = from;
    /* a short piece with 8 bytes of the batch from its start is read with
     * one load, masked to its length: no branch on the length (pieces of
     * running text vary in length at random; the last few of a batch take
     * the loads that stay inside the piece) */
    const uint32_t last = ends[k - 1];
    for (size_t i = 0; i < k; i++) {
        const uint8_t *p = s + at;
        uint32_t n = ends[i] - at;
        mix[i] = 0;
        if (probe && n <= TOK_BPE_WHOLE_MAXLEN) {
            uint64_t key = 0;
            if (TOK_LIKELY((uint64_t)at + 8 <= last)) {
                uint64_t x, bit = 1ull << (8 * n);
                memcpy(&x, p, 8);
                x &= bit - 1;
                if (!(x & 0x8080808080808080ull)) key = x | bit;
            } else if (ascii_short(p, n)) {
                key = tok_bpe_whole_key(p, n);
            }
            if (key) {
                mix[i] = tok_bpe_whole_mix(key);
                __builtin_prefetch(wl.slot + (mix[i] >> wl.bshift) * 8);
            }
        }
        at = ends[i];
    }
    /* most pieces are one token: room for the rest of the batch at once,
     * again after each piece that made more (so a hit needs no check) */
    if (TOK_UNLIKELY(out->n + k > out->cap) && tok_toks_reserve(out, out->n + k))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    size_t on = out->n;
    at = from;
    for (size_t i = 0; i < k; i++) {
        const uint8_t *p = s + at;
        uint32_t n = ends[i] - at;
        at = ends[i];
        int32_t id = -1;
        if (mix[i]) id = tok_bpe_whole_find_mixed(&wl, mix[i]);
        else if (n > TOK_BPE_WHOLE_MAXLEN && n <= TOK_BPE_WHOLE_MAXLEN2 && probe && ascii_short(p, n))
            id = tok_bpe_whole_find2(&wl, p, n);
        if (id >= 0) {
            out->id[on] = id;
            out->off[on] = (tok_offset){ 0, n };
            on++;
            cnt[i] = 1;
            continue;
        }
        out->n = on;
        if (n) {
            tok_status st = bpe_encode_rest(m, ctx, p, n, NULL, out);
            if (st) return st;
            if (TOK_UNLIKELY(out->n + (k - i) > out->cap) && tok_toks_reserve(out, out->n + (k - i)))
                return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        }
        cnt[i] = (uint32_t)(out->n - on);
        on = out->n;
    }
    out->n = on;
    return TOK_OK;
}

tok_status tok__bpe_long_ids(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n, int32_t *ids,
                             size_t *count)
{
    const bpe *b = (const bpe *)m;
    bpe_scratch *s = ctx->model_scratch;
    /* (as bpe_encode_rest: the cache never holds a piece this long) */
    if (n <= TOK_PCACHE_MAXLEN || !b->bt.ok || s->reference || b->dropout > 0) return TOK_ERR_UNSUPPORTED;
    int r = tok_bpe_bt_encode_ids(&b->bt, whole_is_token(b), &s->bts, p, n, ids, count);
    if (r == 1) return TOK_ERR_UNSUPPORTED; /* an irregular token inside: the heap */
    if (r) return tok_ctx_fail(ctx, r == -1 ? TOK_ERR_NOMEM : TOK_ERR_FORMAT, r == -1 ? "out of memory" : "BPE found no tiling");
    return TOK_OK;
}

static const tok_model_vt bpe_vt = {
    .kind = TOK_MODEL_BPE,
    .type = "BPE",
    .prepare = bpe_prepare,
    .scratch_new = bpe_scratch_new,
    .scratch_free = bpe_scratch_free,
    .encode = bpe_encode,
    .free = bpe_free,
    .to_json = tok__bpe_to_json,
    .info = bpe_info,
    .merge_count = bpe_merge_count,
    .merge_get = bpe_merge_get,
    .merge_rank = bpe_merge_rank,
};

const tok_bpe_bt *tok__bpe_tables(const tok_model *m)
{
    const bpe *b = (const bpe *)m;
    return m && m->vt == &bpe_vt && b->bt.ok ? &b->bt : NULL;
}

tok_model *tok_bpe_new_ranked(void)
{
    tok_bpe_spec s = { .ranked = true };
    return tok__bpe_new(&s);
}

/* ---- construction (the readers of files: bpe_json.c, loaders/) ---------- */

tok_model *tok__bpe_new(const tok_bpe_spec *s)
{
    bpe *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->base.vt = &bpe_vt;
    b->unk_id = -1;
    pthread_mutex_init(&b->dlock, NULL);
    b->ranked = s->ranked;
    b->ignore_merges = s->ignore_merges;
    b->dropout = s->dropout;
    b->base.fuse_unk = s->fuse_unk;
    b->base.byte_fallback = s->byte_fallback;
    b->unk_token = s->unk_token ? strdup(s->unk_token) : NULL;
    b->base.cont_prefix = s->cont_prefix && *s->cont_prefix ? strdup(s->cont_prefix) : NULL;
    b->base.eow_suffix = s->eow_suffix && *s->eow_suffix ? strdup(s->eow_suffix) : NULL;
    if ((s->unk_token && !b->unk_token) || (s->cont_prefix && *s->cont_prefix && !b->base.cont_prefix) ||
        (s->eow_suffix && *s->eow_suffix && !b->base.eow_suffix)) {
        bpe_free(&b->base);
        return NULL;
    }
    return &b->base;
}

void tok__bpe_get_spec(const tok_model *m, tok_bpe_spec *s)
{
    const bpe *b = (const bpe *)m;
    *s = (tok_bpe_spec){ b->unk_token, m->cont_prefix, m->eow_suffix, b->dropout,
                         m->fuse_unk, m->byte_fallback, b->ignore_merges, b->ranked };
}

int tok__bpe_add_merges(tok_model *m, const tok_bpe_merge *g, size_t n)
{
    bpe *b = (bpe *)m;
    if (tok_vec_reserve(&b->merges, b->merges.n + n)) return -1;
    for (size_t i = 0; i < n; i++) b->merges.v[b->merges.n++] = (merge3){ g[i].a, g[i].b, g[i].c };
    return 0;
}

void tok__bpe_use_tables(tok_model *m, const tok_bpe_bt *bt)
{
    ((bpe *)m)->stored = *bt;
}

