/* Whole-piece tables of the byte-level BPE fast path: see bpe_whole.h. */
#include "bpe_backtrack.h"

void tok_bpe_whole_free(tok_bpe_whole *w)
{
    if (!w->borrowed) {
        tok__table_free(w->slot, (size_t)64 << w->bb);
        tok__table_free(w->slot2, (size_t)64 << w->bb2);
    }
    memset(w, 0, sizeof *w);
}

static void shape(tok_bpe_whole *w, unsigned bb, unsigned bb2, uint32_t n, bool whole_ok)
{
    w->bb = bb;
    w->bb2 = bb2;
    w->bshift = 57 - bb;
    w->idbits = 6 + bb;
    w->tagmask = ((uint64_t)1 << w->bshift) - 1;
    w->bshift2 = 57 - bb2;
    w->idbits2 = 6 + bb2;
    w->tagmask2 = ((uint64_t)1 << w->bshift2) - 1;
    w->n = n;
    w->whole_ok = whole_ok;
}

bool tok_bpe_whole_use(tok_bpe_whole *w, const uint64_t *slot, unsigned bb, const uint64_t *slot2, unsigned bb2,
                       uint32_t n, bool whole_ok)
{
    memset(w, 0, sizeof *w);
    /* the id must fit beside the tag: 6 + bb bits */
    if (bb < 6 || bb > 30 || bb2 < 6 || bb2 > 30 || ((uint64_t)n > (1ull << (6 + bb))) ||
        ((uint64_t)n > (1ull << (6 + bb2))))
        return false;
    shape(w, bb, bb2, n, whole_ok);
    w->slot = (uint64_t *)slot;
    w->slot2 = (uint64_t *)slot2;
    w->borrowed = true;
    return true;
}

/* Buckets for nk keys in buckets of per slots (at most ~60 % full on
 * average: a full bucket drops a key), enough that ids of n fit beside the
 * tag; 0 when they cannot. */
static unsigned bucket_bits(size_t nk, unsigned per, size_t n)
{
    unsigned bb = 6, idb = 1;
    while (((size_t)1 << idb) < n) idb++;
    while (bb < 30 && ((size_t)per << bb) * 6 < nk * 10) bb++;
    if (bb + 6 < idb) bb = idb - 6;
    return bb > 30 ? 0 : bb;
}

/* Enter (or with id -1 remove) the key whose slot word, id bits aside, is
 * `key` in bucket b of `per` slots of `step` words (the word compared is the
 * last of a slot; with step 2 the first word, w0, must match too).  A key
 * met again is replaced: the trie keeps the last token with given bytes. */
static void put(uint64_t *b, int per, int step, uint64_t w0, uint64_t key, unsigned idbits, int32_t id)
{
    uint64_t hi = ~((1ull << idbits) - 1);
    int used = 0, at = -1;
    for (; used < per && b[used * step + step - 1]; used++)
        if ((b[used * step + step - 1] & hi) == key && (step == 1 || b[used * step] == w0)) at = used;
    if (id >= 0) {
        if (at < 0 && used == per) return; /* full: left to the full algorithm */
        if (at < 0) at = used;
        if (step == 2) b[at * 2] = w0;
        b[at * step + step - 1] = key | (uint64_t)id;
    } else if (at >= 0) {
        /* the last slot fills the hole: a bucket's used slots stay in front */
        for (int k = 0; k < step; k++) {
            b[at * step + k] = b[(used - 1) * step + k];
            b[(used - 1) * step + k] = 0;
        }
    }
}

tok_status tok_bpe_whole_build(tok_bpe_whole *w, const tok_bpe_bt *bt, const tok_vocab *v, bool whole_ok,
                               tok_error *err)
{
    memset(w, 0, sizeof *w);
    if (!bt->ok || bt->n != v->n) return TOK_OK;
    size_t nk = 0, nk2 = 0;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t len = v->tok[i].nbytes;
        nk += len >= 1 && len <= TOK_BPE_WHOLE_MAXLEN;
        nk2 += len > TOK_BPE_WHOLE_MAXLEN && len <= TOK_BPE_WHOLE_MAXLEN2;
    }
    unsigned bb = bucket_bits(nk, 8, v->n), bb2 = bucket_bits(nk2, 4, v->n);
    if (!bb || !bb2) return TOK_OK;
    shape(w, bb, bb2, (uint32_t)v->n, whole_ok);
    size_t bytes = ((size_t)8 << bb) * sizeof *w->slot, bytes2 = ((size_t)8 << bb2) * sizeof *w->slot2;
    w->slot = tok__table_alloc(bytes);
    w->slot2 = tok__table_alloc(bytes2);
    if (!w->slot || !w->slot2) {
        tok_bpe_whole_free(w);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    memset(w->slot, 0, bytes);
    memset(w->slot2, 0, bytes2);
    /* The trie holds every model token's bytes (the last id wins for bytes
     * several ids have), as made by BPE (rank set) or not: in id order,
     * entering or replacing as the trie did gives its answers without a
     * walk per token (a cache miss per byte: tens of milliseconds).  The
     * buckets are random: each is prefetched AHEAD tokens before its put. */
    enum { AHEAD = 16 };
    struct pend { uint64_t *b, key, w0; int32_t id; bool two; } q[AHEAD];
    size_t head = 0, tail = 0; /* q[tail % AHEAD .. head % AHEAD): prefetched, not yet put */
    for (size_t i = 0;; i++) {
        while (head - tail == AHEAD || (i >= v->n && head > tail)) {
            struct pend *e = &q[tail++ % AHEAD];
            if (e->two) put(e->b, 4, 2, e->w0, e->key, w->idbits2, e->id);
            else put(e->b, 8, 1, 0, e->key, w->idbits, e->id);
        }
        if (i >= v->n) break;
        const tok_token *t = &v->tok[i];
        if (t->nbytes < 1 || t->nbytes > TOK_BPE_WHOLE_MAXLEN2 || (t->flags & TOK_TOKEN_NONE) ||
            !(t->flags & TOK__IN_MODEL))
            continue;
        bool one = whole_ok || (bt->t[i].rank != UINT32_MAX &&
                                (!bt->nirr || !tok_bpe_bt_irregular(bt, t->bytes, t->nbytes)));
        struct pend *e = &q[head++ % AHEAD];
        e->id = one ? (int32_t)i : -1;
        e->two = t->nbytes > TOK_BPE_WHOLE_MAXLEN;
        if (!e->two) {
            uint64_t m = tok_bpe_whole_mix(tok_bpe_whole_key(t->bytes, t->nbytes));
            e->b = w->slot + (m >> w->bshift) * 8;
            e->key = 1ull << 63 | (m & w->tagmask) << w->idbits;
        } else {
            memcpy(&e->w0, t->bytes, 8);
            uint64_t w1 = t->nbytes > 8 ? tok_bpe_whole_key(t->bytes + 8, t->nbytes - 8) : 1;
            uint64_t m = tok_bpe_whole_mix(w1 ^ tok_bpe_whole_w0hash(e->w0));
            e->b = w->slot2 + (m >> w->bshift2) * 8;
            e->key = 1ull << 63 | (m & w->tagmask2) << w->idbits2;
        }
        __builtin_prefetch(e->b, 1);
    }
    return TOK_OK;
}
