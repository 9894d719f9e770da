/*
 * SentencePiece-style BPE (merges of characters ordered by piece score, as
 * HF's converted files and libtok's .model loader have them) for the
 * SentencePiece lane's stretches: one "▁word" at a time.
 *
 * Same answer as bpe.c's merge loop, cheaper per new word:
 *  - the winning merge of each pair in one open-addressed array of 16-byte
 *    cells (pair, rank, result), so a lookup touches one cache line instead
 *    of a key array and a value array;
 *  - a word's pair lookups are hashed first and prefetched together, so the
 *    memory misses of a new word overlap instead of queueing;
 *  - the leftmost lowest-rank pair found by a branch-free scan (words are
 *    short), with no heap.  The scan and bpe.c's heap agree even where one token is made
 *    by merges of different ranks: a heap entry goes stale only when the
 *    text its pair spans grows, and a pair spanning other text cannot make
 *    the same token, so HF's stale check (by result) drops exactly the
 *    entries the scan would not see (tests compare the two).
 *  - a new stretch is cut inside where no merge can span (before an ASCII
 *    char no merge joins to the byte before it: "▁said" "." "\n" "The"),
 *    and its parts looked up and merged one by one: in running text most
 *    parts recur in other stretches (English: 47k distinct stretches, 27k
 *    distinct parts, a third of the bytes to merge); a part of one ASCII
 *    char with a token of its own is that token, with no look-up.
 * Words with a char that has neither a token nor byte tokens (unk,
 * dropped), longer words, and ignore_merges models go to bpe.c's own path.
 */
#include "bpe_spm.h"
#include "../core/piece_cache.h"

typedef struct pcell {
    uint64_t key; /* a << 32 | b; UINT64_MAX: empty */
    uint32_t rank;
    int32_t id;
} pcell;

struct tok_bpe_spm {
    pcell *cell;
    uint64_t mask;      /* cells - 1 */
    int shift;
    int32_t ascii[128]; /* the one-char token of an ASCII byte, -1 none */
    int32_t two[2048];  /* ... of a two-byte char, by its 11 payload bits (Latin, Greek, Cyrillic, Hebrew, Arabic) */
    int32_t mark;       /* ... of "▁", which starts nearly every word */
    /* inner cuts (see cut_before): cut[a] bit c, a stretch may be cut
     * between bytes a and c (one look-up a byte of a new stretch) */
    bool inner;
    uint8_t cut[256][32];
};

#define WORD_MAX 128 /* the scan is quadratic: longer words take bpe.c's heap */

static inline uint64_t slot_of(const tok_bpe_spm *t, uint64_t key)
{
    return (key * 0x9E3779B97F4A7C15ULL) >> t->shift;
}

/* The join table of inner cuts, from the merges themselves: a merge of
 * tokens a and b joins the last byte of a's text to the first of b's.  Off
 * when a merge takes a byte-fallback token or unk (their text is not the
 * text they stand for). */
static void inner_cuts(tok_bpe_spm *t, const tok_model *m, size_t nm)
{
    const tok_vocab *v = m->vocab;
    uint8_t join[256][16] = { { 0 } }; /* bit c of join[a]: a merge joins byte a to ASCII c */
    uint8_t *isbyte = calloc(v->n ? v->n : 1, 1);
    if (!isbyte) return; /* no inner cuts: same answers, slower */
    for (int x = 0; x < 256 && m->byte_fallback; x++)
        if (v->byte_id[x] >= 0 && (size_t)v->byte_id[x] < v->n) isbyte[v->byte_id[x]] = 1;
    if (m->unk_id >= 0 && (size_t)m->unk_id < v->n) isbyte[m->unk_id] = 1; /* stands for other text too */
    t->inner = true;
    for (size_t r = 0; r < nm; r++) {
        int32_t g[3];
        if (m->vt->merge_get(m, r, g)) continue;
        if (g[0] < 0 || (size_t)g[0] >= v->n || g[1] < 0 || (size_t)g[1] >= v->n || isbyte[g[0]] ||
            isbyte[g[1]] || !v->tok[g[0]].nbytes || !v->tok[g[1]].nbytes) {
            t->inner = false;
            break;
        }
        const tok_token *a = &v->tok[g[0]], *b = &v->tok[g[1]];
        uint8_t la = a->bytes[a->nbytes - 1], fb = b->bytes[0];
        if (fb < 0x80) join[la][fb >> 3] |= (uint8_t)(1u << (fb & 7));
    }
    free(isbyte);
    /* a cut before ASCII c after byte a: no merge joins them, and c has a
     * symbol of its own (its token or its byte's: no unk fused across) */
    for (int c = 0; c < 128 && t->inner; c++) {
        bool own = t->ascii[c] >= 0 || (m->byte_fallback && v->byte_id[c] >= 0);
        for (int x = 0; x < 256 && own; x++)
            if (!(join[x][c >> 3] >> (c & 7) & 1)) t->cut[x][c >> 3] |= (uint8_t)(1u << (c & 7));
    }
}

tok_bpe_spm *tok__bpe_spm_new(const tok_model *m)
{
    if (!m->vt->merge_count || !m->vt->merge_get || !m->vt->merge_rank || !m->vt->info) return NULL;
    tok_model_info info = { .size = sizeof info };
    m->vt->info(m, &info);
    size_t nm = m->vt->merge_count(m), cap = 64;
    if (info.ranked || info.ignore_merges || info.dropout > 0 || m->cont_prefix || m->eow_suffix ||
        m->vocab->byte_level || nm >= 1u << 24)
        return NULL;
    while (cap < nm + nm / 2) cap *= 2;
    tok_bpe_spm *t = calloc(1, sizeof *t);
    if (!t || !(t->cell = tok__table_alloc(cap * sizeof *t->cell))) {
        free(t);
        return NULL;
    }
    memset(t->cell, 0xFF, cap * sizeof *t->cell);
    t->mask = cap - 1;
    t->shift = 64 - __builtin_ctzll(cap);
    for (size_t r = 0; r < nm; r++) {
        int32_t g[3];
        if (m->vt->merge_get(m, r, g)) continue;
        /* the pair's winning merge (a later duplicate wins, as in bpe.c) */
        if (m->vt->merge_rank(m, g[0], g[1]) != (int64_t)r) continue;
        uint64_t key = (uint64_t)(uint32_t)g[0] << 32 | (uint32_t)g[1];
        uint64_t i = slot_of(t, key);
        while (t->cell[i].key != UINT64_MAX && t->cell[i].key != key) i = (i + 1) & t->mask;
        t->cell[i] = (pcell){ key, (uint32_t)r, g[2] };
    }
    for (int c = 0; c < 128; c++) {
        uint8_t b = (uint8_t)c;
        t->ascii[c] = tok_vocab_model_id(m->vocab, &b, 1);
    }
    for (int c = 0; c < 2048; c++) {
        uint8_t b[2] = { (uint8_t)(0xC0 | c >> 6), (uint8_t)(0x80 | (c & 0x3F)) };
        t->two[c] = tok_vocab_model_id(m->vocab, b, 2);
    }
    t->mark = tok_vocab_model_id(m->vocab, (const uint8_t *)"\xE2\x96\x81", 3);
    inner_cuts(t, m, nm);
    return t;
}

void tok__bpe_spm_free(tok_bpe_spm *t)
{
    if (!t) return;
    tok__table_free(t->cell, (size_t)(t->mask + 1) * sizeof *t->cell);
    free(t);
}

/* Rank and result of pair at hashed slot i, UINT32_MAX: no merge. */
static inline uint32_t probe(const tok_bpe_spm *t, uint64_t key, uint64_t i, int32_t *id)
{
    for (;; i = (i + 1) & t->mask) {
        const pcell *c = &t->cell[i];
        if (c->key == key) {
            *id = c->id;
            return c->rank;
        }
        if (c->key == UINT64_MAX) return UINT32_MAX;
    }
}

static inline uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t)(uint32_t)a << 32 | (uint32_t)b; }

/* BPE of one word (1 < n chars, each with its token); tokens into out.
 * The symbols are a linked list (a merge unlinks one node instead of
 * shifting the arrays behind it); pk[i] is the pair (i, next[i])'s rank and
 * position in one key, rank << 8 | i (NO_PAIR: none, or i merged away), so
 * the leftmost lowest-rank pair is the smallest key of the plain array:
 * found by a branch-free pass over it, four lanes at a time, not by
 * following the list with a branch per symbol (which mispredicted and was
 * most of a new word's time).  Ranks fit in 24 bits (tok__bpe_spm_new). */
#define NO_PAIR UINT32_MAX
static inline uint32_t pkey(uint32_t rank, uint32_t i) { return rank == UINT32_MAX ? NO_PAIR : rank << 8 | i; }

/* The smallest of pk[0, n4) (n4 a multiple of 4). */
static inline uint32_t min_key(const uint32_t *pk, uint32_t n4)
{
    uint32_t m0 = pk[0], m1 = pk[1], m2 = pk[2], m3 = pk[3];
    for (uint32_t i = 4; i < n4; i += 4) {
        m0 = pk[i] < m0 ? pk[i] : m0;
        m1 = pk[i + 1] < m1 ? pk[i + 1] : m1;
        m2 = pk[i + 2] < m2 ? pk[i + 2] : m2;
        m3 = pk[i + 3] < m3 ? pk[i + 3] : m3;
    }
    m0 = m1 < m0 ? m1 : m0;
    m2 = m3 < m2 ? m3 : m2;
    return m2 < m0 ? m2 : m0;
}

static int merge_word(const tok_bpe_spm *t, int32_t *id, uint32_t *end, uint32_t n, tok_toks *out)
{
    uint32_t pk[WORD_MAX];
    int32_t nid[WORD_MAX];
    uint8_t next[WORD_MAX + 1], prev[WORD_MAX]; /* WORD_MAX: none */
    uint64_t key[WORD_MAX], at[WORD_MAX];
    const uint8_t NONE = WORD_MAX;
    for (uint32_t i = 0; i < n; i++) {
        next[i] = i + 1 < n ? (uint8_t)(i + 1) : NONE;
        prev[i] = i ? (uint8_t)(i - 1) : NONE;
    }
    for (uint32_t i = 0; i + 1 < n; i++) {
        key[i] = pair_key(id[i], id[i + 1]);
        at[i] = slot_of(t, key[i]);
        __builtin_prefetch(&t->cell[at[i]]);
    }
    for (uint32_t i = 0; i + 1 < n; i++) pk[i] = pkey(probe(t, key[i], at[i], &nid[i]), i);
    /* the pairs a merge will make, fetched ahead as soon as the merge is
     * known: each merge's look-ups of its new pairs waited on a miss (a
     * table of many merges, Gemma's 515k, is far larger than the caches) */
#define AHEAD(a, b) __builtin_prefetch(&t->cell[slot_of(t, pair_key(a, b))])
    for (uint32_t i = 0; i + 1 < n; i++) {
        if (pk[i] == NO_PAIR) continue;
        if (i) AHEAD(id[i - 1], nid[i]);
        if (i + 2 < n) AHEAD(nid[i], id[i + 2]);
    }
    const uint32_t n4 = (n + 3) & ~3u;
    for (uint32_t i = n - 1; i < n4; i++) pk[i] = NO_PAIR;
    uint32_t left = n;
    while (left > 1) {
        uint32_t m = min_key(pk, n4);
        if (m == NO_PAIR) break;
        uint32_t best = m & 0xFF, nx = next[best];
        id[best] = nid[best];
        end[best] = end[nx];
        next[best] = next[nx];
        pk[nx] = NO_PAIR;
        if (next[nx] != NONE) prev[next[nx]] = (uint8_t)best;
        left--;
        /* the pairs on both sides of the new token, looked up together */
        uint32_t r = next[best], l = prev[best];
        uint64_t kr = 0, kl = 0, ar = 0, al = 0;
        if (r != NONE) {
            kr = pair_key(id[best], id[r]);
            __builtin_prefetch(&t->cell[ar = slot_of(t, kr)]);
        }
        if (l != NONE) {
            kl = pair_key(id[l], id[best]);
            __builtin_prefetch(&t->cell[al = slot_of(t, kl)]);
        }
        pk[best] = r != NONE ? pkey(probe(t, kr, ar, &nid[best]), best) : NO_PAIR;
        if (l != NONE) pk[l] = pkey(probe(t, kl, al, &nid[l]), l);
        if (pk[best] != NO_PAIR) {
            if (l != NONE) AHEAD(id[l], nid[best]);
            if (next[r] != NONE) AHEAD(nid[best], id[next[r]]);
        }
        if (l != NONE && pk[l] != NO_PAIR) {
            if (prev[l] != NONE) AHEAD(id[prev[l]], nid[l]);
            if (r != NONE) AHEAD(nid[l], id[r]);
        }
    }
#undef AHEAD
    if (tok_toks_reserve(out, out->n + left)) return -1;
    for (uint32_t i = 0, st = 0; i != NONE; i = next[i]) {
        out->id[out->n] = id[i];
        out->off[out->n].start = st;
        out->off[out->n].end = end[i];
        out->n++;
        st = end[i];
    }
    return 0;
}

/* The tokens of piece q, not in the cache: its chars' symbols merged, and
 * put in the cache. */
static tok_status word(const tok_bpe_spm *t, const tok_model *m, tok_ctx *ctx, tok_pcache *pc,
                       const tok_pcache_q *q, tok_toks *out)
{
    const uint8_t *p = q->p;
    const uint32_t n = q->n;
    int32_t id[WORD_MAX];
    uint32_t end[WORD_MAX], k = 0;
    /* first symbols: the chars' own tokens */
    for (uint32_t i = 0; i < n;) {
        int32_t c;
        uint32_t cl = 1;
        if (p[i] < 0x80) {
            c = t->ascii[p[i]];
        } else {
            cl = (uint32_t)tok_utf8_seqlen(p[i]);
            if (cl == 0 || i + cl > n) cl = 1;
            if (cl == 2) c = t->two[(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F)];
            else if (cl == 3 && p[i] == 0xE2 && p[i + 1] == 0x96 && p[i + 2] == 0x81) c = t->mark;
            else c = tok_vocab_model_id(m->vocab, p + i, cl);
        }
        if (c >= 0 && k < WORD_MAX) {
            id[k] = c;
            end[k++] = i += cl;
            continue;
        }
        /* no token: its bytes' tokens (byte fallback) as bpe.c makes them,
         * else (unk, dropped chars) and for long words bpe.c itself */
        bool bytes = c < 0 && m->byte_fallback && k + cl <= WORD_MAX;
        for (uint32_t j = 0; bytes && j < cl; j++) bytes = m->vocab->byte_id[p[i + j]] >= 0;
        if (!bytes) return tok__bpe_piece(m, ctx, p, n, out);
        for (uint32_t j = 0; j < cl; j++) {
            id[k] = m->vocab->byte_id[p[i + j]];
            end[k++] = i + j + 1;
        }
        i += cl;
    }
    size_t first = out->n;
    if (merge_word(t, id, end, k, out)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    tok_pcache_put(pc, q, out->id + first, out->off + first, out->n - first);
    return TOK_OK;
}

/* Whether a stretch may be cut before its byte x (0 < x): before an ASCII
 * char with a symbol of its own that no merge joins to the byte before it.
 * No merge ever spans the cut then, so each side merges alone to the same
 * tokens: the stretches of running text ("▁said.\n\nThe") fall into parts
 * that recur ("▁said", ".", "\n", "The"), each merged once and cached. */
static inline bool cut_before(const tok_bpe_spm *t, const uint8_t *p, uint32_t x)
{
    const uint8_t c = p[x];
    return t->cut[p[x - 1]][c >> 3] >> (c & 7) & 1;
}

/* The tokens of p[a, b), a part of a stretch, offsets relative to the
 * stretch, from the cache or merged. */
static tok_status part(const tok_bpe_spm *t, const tok_model *m, tok_ctx *ctx, tok_pcache *pc, const uint8_t *p,
                       uint32_t a, uint32_t b, tok_toks *out)
{
    /* one ASCII char with a token of its own ("." "," "\n"): that token,
     * without a cache look-up */
    if (b - a == 1 && p[a] < 0x80 && t->ascii[p[a]] >= 0)
        return tok_toks_push(out, t->ascii[p[a]], a, b) ? tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory") : TOK_OK;
    tok_pcache_q q;
    tok_pcache_query(&q, p + a, b - a);
    size_t first = out->n;
    int r = tok_pcache_get(pc, &q, out);
    if (r < 0) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    tok_status st = r ? TOK_OK : word(t, m, ctx, pc, &q, out);
    if (!st) tok_toks_shift(out, first, a);
    return st;
}

tok_status tok__bpe_spm_piece(const tok_bpe_spm *t, const tok_model *m, tok_ctx *ctx, const tok_pcache_q *q,
                              bool missed, tok_toks *out)
{
    const uint8_t *p = q->p;
    const uint32_t n = q->n;
    if (n == 0) return TOK_OK;
    tok_pcache *pc = tok_ctx_pcache(ctx);
    if (!pc) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    int r = missed ? 0 : tok_pcache_get(pc, q, out);
    if (r) return r > 0 ? TOK_OK : tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    if (t->inner) {
        /* a new stretch: by its parts where it has inner cuts (each from
         * the cache or merged into it), then whole into the cache (the next
         * time it is one look-up) */
        size_t first = out->n;
        uint32_t a = 0;
        tok_status st;
        for (uint32_t x = 1; x < n; x++) {
            if (!cut_before(t, p, x)) continue;
            if ((st = part(t, m, ctx, pc, p, a, x, out))) return st;
            a = x;
        }
        if (a) {
            if ((st = part(t, m, ctx, pc, p, a, n, out))) return st;
            tok_pcache_put(pc, q, out->id + first, out->off + first, out->n - first);
            return TOK_OK;
        }
    }
    return word(t, m, ctx, pc, q, out);
}
