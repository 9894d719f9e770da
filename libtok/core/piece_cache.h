/*
 * Pre-token cache: pre-token bytes -> the tokens a model made of them.
 * Natural text repeats a small set of words, so after the first occurrence
 * nearly every pre-token is a hash probe and a copy.
 *
 * Layout: open addressing over 64-byte slots, one cache line each, holding
 * the hash tag, the piece's bytes (up to 24 inline) and its ids (up to 5,
 * with the token ends): a hit on such a piece reads one line and chases no
 * pointer.  Longer pieces or results go to a ring of records the slot
 * points into (and keep their first 24 bytes in the slot, so a mismatch is
 * still found on the slot alone).
 *
 * Threads: one cache may be shared by several contexts used on different
 * threads at once (tok_encode_threads, tok_batch, tok_ctx_share_cache), so
 * a pre-token one thread has met is a hit for the others.  Each slot is a
 * seqlock: a writer claims it by making its sequence odd (compare-and-swap),
 * writes, and publishes it even; a reader copies what it needs and checks
 * that the sequence did not move, else it counts a miss.  Lookups take no
 * lock and write nothing shared; inserts never wait (a slot being written
 * by another thread is skipped).  Ring records are never rewritten until
 * the ring wraps; a reader checks after copying that the ring has not come
 * round over the record.
 *
 * Memory is bounded: the table doubles while more than half full up to
 * TOK_PCACHE_MAXSLOTS slots (8 MiB: 128 Ki pre-tokens, which keeps peak RSS for
 * 10 MB of English near quicktok's), and the ring is TOK_PCACHE_RINGWORDS
 * words (8 MiB, allocated on first use).  Eviction: a piece lives within
 * TOK_PCACHE_WAYS slots of its home; when those are all taken, the new
 * piece replaces one of them chosen by its hash (a random choice within the
 * set); ring records are overwritten oldest first.  A table replaced by a
 * larger one is freed at once when its cache has a single user, otherwise
 * kept until the cache is freed or tok_pcache_quiesce runs (at most the
 * size of the live table again).
 */
#ifndef LIBTOK_CORE_PIECE_CACHE_H
#define LIBTOK_CORE_PIECE_CACHE_H

#include "../internal.h"

#include <stdatomic.h>

#define TOK_PCACHE_MAXLEN 255 /* longer pre-tokens are not cached */
#define TOK_PCACHE_MAXIDS 64  /* nor results of more tokens */
#define TOK_PCACHE_KEYB 24    /* key bytes inline */
#define TOK_PCACHE_IDS 5      /* ids inline */
#define TOK_PCACHE_WAYS 8     /* a piece lives within this many slots of its home */
#define TOK_PCACHE_MINSLOTS (1u << 6) /* 4 KiB: a context that encodes one short text stays small */
#define TOK_PCACHE_MAXSLOTS (1u << 17)
#define TOK_PCACHE_RINGWORDS (1u << 20)

/* w[0]: sequence (low 32 bits; 0 = never written, odd = being written) |
 *       tag (high 32 bits of the hash; its low bits give the home slot) << 32
 * w[1]: len | nids << 8 | (ring record position + 1) << 16 (0: all inline)
 * w[2..4]: the first 24 key bytes, zero-padded
 * w[5..6]: ids 0-3; w[7]: id 4 | ends of tokens 0-3 (bytes) << 32 */
typedef struct tok_pcache_slot {
    _Alignas(64) _Atomic uint64_t w[8];
} tok_pcache_slot;

typedef struct tok_pcache_tab {
    size_t mask;
    struct tok_pcache_tab *retired; /* older tables kept for readers */
    tok_pcache_slot slot[];
} tok_pcache_tab;

/* What every lookup reads (tab, ring) and what inserts write (count, head)
 * are on different cache lines: on a shared cache, an insert by one thread
 * would otherwise take the line every probe of the others starts from. */
typedef struct tok_pcache {
    _Alignas(64) _Atomic(tok_pcache_tab *) tab;
    _Atomic(_Atomic uint64_t *) ring; /* long records, allocated on first use */
    _Atomic int refs;          /* contexts using this cache */
    _Alignas(64) _Atomic size_t count; /* slots filled, sampled (growth trigger: see tok_pcache_put) */
    _Atomic int growing;       /* one thread grows the table at a time */
    _Alignas(64) _Atomic uint64_t head; /* ring words ever reserved */
    pthread_mutex_t ring_lock; /* only to allocate the ring */
    _Atomic bool ring_big;     /* a large text fills it: its pages come huge (tok_pcache_expect) */
    _Atomic bool ring_huge;    /* ... and the ring has been advised so */
    bool off;                  /* the empty cache of TOK_ENC_NO_CACHE calls: no table, puts ignored */
} tok_pcache;

/** A looked-up piece: its bytes, hash and key words (see tok_pcache_query). */
typedef struct tok_pcache_q {
    const uint8_t *p;
    uint32_t n;
    uint64_t h, k[3];
} tok_pcache_q;

/** A new cache with one user; NULL on no memory. */
tok_pcache *tok_pcache_new(void);
/** One more user (another context); returns c. */
tok_pcache *tok_pcache_ref(tok_pcache *c);
/** One user less; frees the cache with its last. */
void tok_pcache_unref(tok_pcache *c);
/** Free tables replaced by larger ones.  Only while no other thread uses c. */
void tok_pcache_quiesce(tok_pcache *c);
/** The context's own cache, created on first use (NULL on no memory). */
tok_pcache *tok__ctx_pcache_new(tok_ctx *ctx);
/** The empty cache: every look-up misses, every store is dropped. */
tok_pcache *tok__pcache_off(void);
/** The cache this call uses: the context's (created on first use; NULL on
 *  no memory), or the empty one when the call asked TOK_ENC_NO_CACHE. */
static inline tok_pcache *tok_ctx_pcache(tok_ctx *ctx)
{
    if (TOK_UNLIKELY(ctx->cache_off)) return tok__pcache_off();
    return ctx->pcache ? ctx->pcache : tok__ctx_pcache_new(ctx);
}
/** Make ctx use the cache of src (same tokenizer).  Not while either is in use. */
int tok__ctx_share_pcache(tok_ctx *ctx, tok_ctx *src);

static inline uint64_t tok_pcache_ld8(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint64_t tok_pcache_mix(uint64_t a, uint64_t b)
{
    __uint128_t m = (__uint128_t)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/* The hash of a piece of at most 24 bytes, from its key words. */
static inline uint64_t tok__pcache_hash_short(uint64_t k0, uint64_t k1, uint64_t k2, uint32_t n)
{
    /* a full 64x64->128 multiply, folded: every key bit reaches the low
     * bits that pick the slot (a plain multiply leaves the last bytes of an
     * 8-byte piece out of them, and the set of 8 slots then overflows) */
    uint64_t h = tok_pcache_mix(k0 ^ 0x9E3779B97F4A7C15ULL, k1 ^ 0xD6E8FEB86659FD93ULL ^ (uint64_t)n << 56);
    return n > 16 ? tok_pcache_mix(h ^ k2, 0xA0761D6478BD642FULL) : h;
}

/** Hash and key words of piece p (n bytes): the first 24 bytes zero-padded,
 *  read with fixed-size loads inside [p, p + n) only (no variable memcpy on
 *  the hottest path). */
static inline void tok_pcache_query(tok_pcache_q *q, const uint8_t *p, uint32_t n)
{
    q->p = p;
    q->n = n;
    uint64_t k0, k1 = 0, k2 = 0;
    if (n <= 8) {
        if (n >= 4) {
            /* overlapping loads put the same bytes in the same places */
            uint32_t a, b;
            memcpy(&a, p, 4);
            memcpy(&b, p + n - 4, 4);
            k0 = (uint64_t)a | (uint64_t)b << (8 * (n - 4));
        } else {
            k0 = n ? ((uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1))) : 0;
        }
    } else if (n <= 16) {
        k0 = tok_pcache_ld8(p);
        k1 = tok_pcache_ld8(p + n - 8) >> (8 * (16 - n));
    } else {
        k0 = tok_pcache_ld8(p);
        k1 = tok_pcache_ld8(p + 8);
        k2 = n <= 24 ? tok_pcache_ld8(p + n - 8) >> (8 * (24 - n)) : tok_pcache_ld8(p + 16);
    }
    q->k[0] = k0;
    q->k[1] = k1;
    q->k[2] = k2;
    /* a piece too long to be cached is never looked up: not hashed (a
     * pre-token without split points can be the whole text) */
    q->h = n <= TOK_PCACHE_KEYB ? tok__pcache_hash_short(k0, k1, k2, n)
         : n <= TOK_PCACHE_MAXLEN ? tok_hash_bytes(p, n) : 0;
}

#define TOK_PCACHE_LD(x) atomic_load_explicit(&(x), memory_order_relaxed)

/* Out of line: a record in the ring (tokens appended to out, or ids). */
int tok__pcache_get_long(tok_pcache *c, const tok_pcache_slot *s, uint64_t w0, uint64_t w1,
                         const tok_pcache_q *q, tok_toks *out, int32_t *ids);


/** Start loading the home slot of q (for a run of pieces known ahead: query
 *  and prefetch them all, then resolve them in order; the SentencePiece lane
 *  does so per window). */
static inline void tok_pcache_prefetch(const tok_pcache *c, const tok_pcache_q *q)
{
    const tok_pcache_tab *t = c ? atomic_load_explicit(&((tok_pcache *)c)->tab, memory_order_relaxed) : NULL;
    if (t) __builtin_prefetch(&t->slot[q->h & t->mask]);
}
/* The slot holding q, or NULL; *w0 and *w1 are its first words as read. */
static inline const tok_pcache_slot *tok__pcache_find(const tok_pcache *c, const tok_pcache_q *q, uint64_t *w0,
                                                      uint64_t *w1)
{
    const tok_pcache_tab *t = atomic_load_explicit(&((tok_pcache *)c)->tab, memory_order_acquire);
    if (!t || q->n > TOK_PCACHE_MAXLEN || !q->n) return NULL;
    uint64_t tag = q->h >> 32;
    size_t i = (size_t)q->h & t->mask;
    for (int j = 0; j < TOK_PCACHE_WAYS; j++, i = (i + 1) & t->mask) {
        const tok_pcache_slot *s = &t->slot[i];
        uint64_t a = atomic_load_explicit(&((tok_pcache_slot *)s)->w[0], memory_order_acquire);
        if (!a) return NULL;
        if ((a >> 32) != tag || (a & 1)) continue;
        uint64_t b = TOK_PCACHE_LD(((tok_pcache_slot *)s)->w[1]);
        /* equal lengths: key words past the length are zero on both sides */
        if ((b & 0xFF) != q->n || TOK_PCACHE_LD(((tok_pcache_slot *)s)->w[2]) != q->k[0]) continue;
        if (q->n > 8 && (TOK_PCACHE_LD(((tok_pcache_slot *)s)->w[3]) != q->k[1] ||
                         TOK_PCACHE_LD(((tok_pcache_slot *)s)->w[4]) != q->k[2]))
            continue;
        *w0 = a;
        *w1 = b;
        return s;
    }
    return NULL;
}

/* Whether slot s still holds what was read as w0 (seqlock check). */
static inline bool tok__pcache_same(const tok_pcache_slot *s, uint64_t w0)
{
    atomic_thread_fence(memory_order_acquire);
    return TOK_PCACHE_LD(((tok_pcache_slot *)s)->w[0]) == w0;
}

/** Append the cached tokens of q to out (offsets relative to the piece).
 *  1: hit; 0: miss (out unchanged); -1: no memory.  Safe while other
 *  threads use the same cache. */
static inline int tok_pcache_get(tok_pcache *c, const tok_pcache_q *q, tok_toks *out)
{
    uint64_t w0, w1;
    const tok_pcache_slot *s = c ? tok__pcache_find(c, q, &w0, &w1) : NULL;
    if (!s) return 0;
    if (w1 >> 16) return tok__pcache_get_long(c, s, w0, w1, q, out, NULL);
    uint32_t k = (uint32_t)(w1 >> 8) & 0xFF;
    if (TOK_UNLIKELY(k - 1 >= TOK_PCACHE_IDS)) return 0; /* read while being rewritten */
    /* room for all five: the slot is copied whole, without a branch per
     * token; what lies past the k tokens is not counted */
    if (out->n + TOK_PCACHE_IDS > out->cap && tok_toks_reserve(out, out->n + TOK_PCACHE_IDS)) return -1;
    tok_pcache_slot *m = (tok_pcache_slot *)s;
    uint64_t a = TOK_PCACHE_LD(m->w[5]), b = TOK_PCACHE_LD(m->w[6]), d = TOK_PCACHE_LD(m->w[7]);
    size_t o = out->n;
    int32_t *id = out->id + o;
    tok_offset *of = out->off + o;
    uint32_t e0 = (uint32_t)(d >> 32) & 0xFF, e1 = (uint32_t)(d >> 40) & 0xFF, e2 = (uint32_t)(d >> 48) & 0xFF,
             e3 = (uint32_t)(d >> 56);
    id[0] = (int32_t)(uint32_t)a;
    id[1] = (int32_t)(uint32_t)(a >> 32);
    id[2] = (int32_t)(uint32_t)b;
    id[3] = (int32_t)(uint32_t)(b >> 32);
    id[4] = (int32_t)(uint32_t)d;
    of[0] = (tok_offset){ 0, e0 };
    of[1] = (tok_offset){ e0, e1 };
    of[2] = (tok_offset){ e1, e2 };
    of[3] = (tok_offset){ e2, e3 };
    of[4] = (tok_offset){ e3, q->n };
    of[k - 1].end = q->n; /* the last token ends the piece (its end is not stored) */
    if (!tok__pcache_same(s, w0)) return 0;
    out->n = o + k;
    return 1;
}

/** Ids only: the cached ids of q into ids (room for TOK_PCACHE_MAXIDS);
 *  their count, 0 on a miss. */
static inline uint32_t tok_pcache_get_ids(tok_pcache *c, const tok_pcache_q *q, int32_t *ids)
{
    uint64_t w0, w1;
    const tok_pcache_slot *s = c ? tok__pcache_find(c, q, &w0, &w1) : NULL;
    if (!s) return 0;
    if (w1 >> 16) return (uint32_t)tok__pcache_get_long(c, s, w0, w1, q, NULL, ids);
    uint32_t k = (uint32_t)(w1 >> 8) & 0xFF;
    tok_pcache_slot *m = (tok_pcache_slot *)s;
    uint64_t a = TOK_PCACHE_LD(m->w[5]), b = TOK_PCACHE_LD(m->w[6]), d = TOK_PCACHE_LD(m->w[7]);
    ids[0] = (int32_t)(uint32_t)a;
    ids[1] = (int32_t)(uint32_t)(a >> 32);
    ids[2] = (int32_t)(uint32_t)b;
    ids[3] = (int32_t)(uint32_t)(b >> 32);
    ids[4] = (int32_t)(uint32_t)d;
    return tok__pcache_same(s, w0) ? k : 0;
}

/** Remember the k tokens (offsets relative to the piece, tiling it) of q.
 *  Never fails: on no memory or contention the piece is simply not kept. */
void tok_pcache_put(tok_pcache *c, const tok_pcache_q *q, const int32_t *ids, const tok_offset *off, size_t k);
/** How many pieces the cache holds (sampled in large tables). */
size_t tok_pcache_count(const tok_pcache *c);
/** Texts from this size on are large for the cache: its size is projected
 *  from their progress, its record ring is put on huge pages. */
#define TOK_PCACHE_BIG_TEXT ((size_t)1 << 18)
/** A text of `total` bytes starts: from TOK_PCACHE_BIG_TEXT on, the ring of long
 *  records gets huge pages from its next first touches on (a huge page is
 *  only given to a 2 MiB stretch none of whose small pages was touched, so
 *  this is asked before the text's first records). */
void tok_pcache_expect(tok_pcache *c, size_t total);
/** The encode of a text of `total` bytes (256 KiB or more) has reached
 *  `done`, the cache having held `before` pieces when it started: grow the
 *  table now to the size the pieces this text brought so far, projected to
 *  the whole text, will need beside those (at once, instead of step by
 *  step, each step moving every piece again: on a cold encode of 1.5 MB
 *  those moves were most of the cache's memory traffic).  Never shrinks it. */
void tok_pcache_project(tok_pcache *c, size_t done, size_t total, size_t before);

/** The encode loops report their progress through the text (byte offset
 *  `done`); every 64 KiB the cache is asked to project its size.  A helper
 *  of a threaded call adds what it did to the call's shared count and
 *  projects the whole text's (its chunk alone would look like a small text,
 *  and the shared table would grow step by step, moving every piece each
 *  time, while the tables it outgrew wait for the call's end). */
#define TOK_PROGRESS_STEP ((size_t)1 << 16)
static inline void tok_ctx_progress_report(tok_ctx *ctx, size_t done)
{
    if (!ctx->prog_shared) {
        tok_pcache_project(ctx->pcache, done, ctx->prog_total, ctx->prog_before);
        return;
    }
    size_t add = done > ctx->prog_told ? done - ctx->prog_told : 0;
    ctx->prog_told += add;
    size_t all = atomic_fetch_add_explicit(ctx->prog_shared, add, memory_order_relaxed) + add;
    tok_pcache_project(ctx->pcache, all, ctx->prog_whole, ctx->prog_before);
}
static inline void tok_ctx_progress(tok_ctx *ctx, size_t done)
{
    if (TOK_LIKELY(done < ctx->prog_next)) return;
    ctx->prog_next = done + TOK_PROGRESS_STEP;
    tok_ctx_progress_report(ctx, done);
}
/** A new text of `total` bytes: progress from its start.  (A helper's
 *  chunk: prog_before stays the count when the threaded call started.) */
static inline void tok_ctx_progress_start(tok_ctx *ctx, size_t total)
{
    ctx->prog_total = total;
    ctx->prog_next = TOK_PROGRESS_STEP;
    if (ctx->prog_shared) ctx->prog_told = 0;
    else ctx->prog_before = tok_pcache_count(ctx->pcache);
    size_t whole = ctx->prog_shared ? ctx->prog_whole : total;
    if (whole >= TOK_PCACHE_BIG_TEXT) tok_pcache_expect(tok_ctx_pcache(ctx), whole);
}

#endif
