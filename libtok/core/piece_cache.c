/* Pre-token cache (see piece_cache.h): creation, sharing, growth, inserts
 * and the out-of-line records. */
#include "piece_cache.h"

#include <math.h>

#include <sys/mman.h>

#define RING_MASK ((uint64_t)TOK_PCACHE_RINGWORDS - 1)
#define POS_LIMIT (((uint64_t)1 << 48) - TOK_PCACHE_RINGWORDS) /* w[1] keeps 48 bits of position */

#define RING_BYTES ((size_t)TOK_PCACHE_RINGWORDS * sizeof(uint64_t))
#define GROW4_BELOW (1u << 14) /* slots: 1 MiB */
#define COUNT_EVERY 16
#define COUNT_EXACT 4095 /* tables up to this mask count every slot */

/* A table's bytes: the header padded to a line, then its slots. */
static size_t tab_bytes(size_t slots) { return sizeof(tok_pcache_tab) + slots * sizeof(tok_pcache_slot); }

/* Tables from 256 KiB on live on a huge page of their own: growing through
 * 256 KiB and 1 MiB heap tables cost 320 page faults on every cold encode
 * of a large text (on a VM, 10 us each: a tenth of a 1.5 MB encode), for
 * 1.75 MiB of address space at most. */
#define TAB_MAPPED (TOK_HUGE_PAGE / 8)

static void ring_advise(tok_pcache *c);

static tok_pcache_tab *tab_new(size_t slots)
{
    /* slots start on a cache line: the header is padded to one.  A large
     * table is put on huge pages where the system allows it: probes land on
     * random slots, and with 4 KiB pages nearly every probe of an 8 MiB
     * table on new text also missed the TLB (the page walk stalled even the
     * prefetch of the slot).  Mapped memory comes zeroed from the kernel
     * (written once, by its clearing on first touch, instead of twice) */
    size_t size = tab_bytes(slots);
    tok_pcache_tab *t = tok__table_alloc_from(size, TAB_MAPPED);
    if (!t) return NULL;
    if (size < TAB_MAPPED) memset(t, 0, size);
    t->mask = slots - 1;
    return t;
}

static void tab_free(tok_pcache_tab *t) { tok__table_free_from(t, tab_bytes(t->mask + 1), TAB_MAPPED); }

static void tab_free_chain(tok_pcache_tab *t)
{
    while (t) {
        tok_pcache_tab *r = t->retired;
        tab_free(t);
        t = r;
    }
}

tok_pcache *tok_pcache_new(void)
{
    tok_pcache *c = aligned_alloc(64, sizeof *c);
    if (!c) return NULL;
    memset(c, 0, sizeof *c);
    atomic_init(&c->refs, 1);
    pthread_mutex_init(&c->ring_lock, NULL);
    return c;
}

tok_pcache *tok_pcache_ref(tok_pcache *c)
{
    atomic_fetch_add(&c->refs, 1);
    return c;
}

void tok_pcache_unref(tok_pcache *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1) return;
    tab_free_chain(atomic_load(&c->tab));
    _Atomic uint64_t *ring = atomic_load(&c->ring);
    if (ring) munmap((void *)ring, RING_BYTES);
    pthread_mutex_destroy(&c->ring_lock);
    free(c);
}

void tok_pcache_quiesce(tok_pcache *c)
{
    tok_pcache_tab *t = c ? atomic_load(&c->tab) : NULL;
    if (!t) return;
    tab_free_chain(t->retired);
    t->retired = NULL;
}

tok_pcache *tok__ctx_pcache_new(tok_ctx *ctx)
{
    if (!ctx->pcache) ctx->pcache = tok_pcache_new();
    return ctx->pcache;
}

/* Never written: it has no table (look-ups miss) and tok_pcache_put
 * returns before touching it, so it is shared by every context without a
 * lock and is no mutable state. */
static tok_pcache off_cache = { .off = true };
tok_pcache *tok__pcache_off(void) { return &off_cache; }

int tok__ctx_share_pcache(tok_ctx *ctx, tok_ctx *src)
{
    if (ctx->tok != src->tok) return -1;
    tok_pcache *c = tok__ctx_pcache_new(src);
    if (!c) return -1;
    if (ctx->pcache == c) return 0;
    tok_pcache_unref(ctx->pcache);
    ctx->pcache = tok_pcache_ref(c);
    return 0;
}

tok_status tok_ctx_share_cache(tok_ctx *ctx, tok_ctx *with)
{
    if (!ctx || !with || ctx->tok != with->tok) return TOK_ERR_ARG;
    return tok__ctx_share_pcache(ctx, with) ? TOK_ERR_NOMEM : TOK_OK;
}

/* ---- reading records ---------------------------------------------------- */

/* Record at ring position P: w0 = len | nids << 8 | tag << 32; the key
 * bytes; the ids, two to a word; the token ends, a byte each. */
static inline size_t rec_words(uint32_t n, uint32_t k) { return 1 + (n + 7) / 8 + (k + 1) / 2 + (k + 7) / 8; }

int tok__pcache_get_long(tok_pcache *c, const tok_pcache_slot *s, uint64_t w0, uint64_t w1,
                         const tok_pcache_q *q, tok_toks *out, int32_t *ids)
{
    _Atomic uint64_t *ring = atomic_load_explicit(&c->ring, memory_order_acquire);
    if (!ring) return 0;
    uint64_t P = (w1 >> 16) - 1;
    uint32_t n = q->n, k = (uint32_t)(w1 >> 8) & 0xFF;
    if (k == 0 || k > TOK_PCACHE_MAXIDS) return 0;
#define RW(i) atomic_load_explicit(&ring[(P + (i)) & RING_MASK], memory_order_relaxed)
    if (RW(0) != ((uint64_t)n | (uint64_t)k << 8 | (w0 >> 32) << 32)) return 0;
    /* the key beyond the 24 bytes the slot matched */
    size_t kw = (n + 7) / 8;
    for (size_t i = TOK_PCACHE_KEYB / 8; i < kw; i++) {
        uint64_t x = RW(1 + i), y;
        size_t at = i * 8;
        if (at + 8 <= n) y = tok_pcache_ld8(q->p + at);
        else {
            y = 0;
            memcpy(&y, q->p + at, n - at);
        }
        if (x != y) return 0;
    }
    size_t o = 0;
    if (out) {
        if (out->n + k > out->cap && tok_toks_reserve(out, out->n + k)) return -1;
        o = out->n;
    }
    size_t iw = 1 + kw, ew = iw + (k + 1) / 2;
    uint32_t st = 0;
    for (uint32_t j = 0; j < k; j++) {
        uint64_t x = RW(iw + j / 2);
        int32_t id = (int32_t)(uint32_t)(x >> (32 * (j & 1)));
        if (ids) {
            ids[j] = id;
            continue;
        }
        uint32_t e = j + 1 < k ? (uint32_t)(RW(ew + j / 8) >> (8 * (j % 8))) & 0xFF : n;
        out->id[o + j] = id;
        out->off[o + j].start = st;
        out->off[o + j].end = e;
        st = e;
    }
#undef RW
    /* nothing reserved over the record since, and the slot unchanged */
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&c->head, memory_order_relaxed) > P + TOK_PCACHE_RINGWORDS) return 0;
    if (atomic_load_explicit(&((tok_pcache_slot *)s)->w[0], memory_order_relaxed) != w0) return 0;
    if (ids) return (int)k;
    out->n = o + k;
    return 1;
}

/* ---- growth ------------------------------------------------------------- */

/* The hash of a long piece, from the key bytes in its record (0: the
 * record was overwritten). */
static int record_hash(tok_pcache *c, const uint64_t *w, uint64_t *h)
{
    _Atomic uint64_t *ring = atomic_load_explicit(&c->ring, memory_order_acquire);
    uint64_t P = (w[1] >> 16) - 1;
    uint32_t n = (uint32_t)(w[1] & 0xFF);
    if (!ring || !(w[1] >> 16)) return 0;
    uint64_t key[(TOK_PCACHE_MAXLEN + 7) / 8];
    for (size_t i = 0; i < (n + 7) / 8; i++)
        key[i] = atomic_load_explicit(&ring[(P + 1 + i) & RING_MASK], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&c->head, memory_order_relaxed) > P + TOK_PCACHE_RINGWORDS) return 0;
    *h = tok_hash_bytes(key, n);
    return (*h >> 32) == (w[0] >> 32);
}

/* Copy the slots of t that read consistently into u (not yet published);
 * how many went in. */
static size_t migrate(tok_pcache *c, const tok_pcache_tab *t, tok_pcache_tab *u)
{
    size_t moved = 0;
    for (size_t i = 0; i <= t->mask; i++) {
        tok_pcache_slot *s = (tok_pcache_slot *)&t->slot[i];
        uint64_t w[8];
        w[0] = atomic_load_explicit(&s->w[0], memory_order_acquire);
        if (!w[0] || (w[0] & 1)) continue;
        for (int j = 1; j < 8; j++) w[j] = TOK_PCACHE_LD(s->w[j]);
        atomic_thread_fence(memory_order_acquire);
        if (TOK_PCACHE_LD(s->w[0]) != w[0]) continue;
        uint32_t n = (uint32_t)(w[1] & 0xFF);
        uint64_t h;
        if (!n) continue; /* a slot left without its record */
        if (n <= TOK_PCACHE_KEYB) h = tok__pcache_hash_short(w[2], w[3], w[4], n);
        else if (!record_hash(c, w, &h)) continue; /* record gone: drop the piece */
        size_t at = (size_t)h & u->mask;
        for (int j = 0; j < TOK_PCACHE_WAYS; j++, at = (at + 1) & u->mask) {
            tok_pcache_slot *d = &u->slot[at];
            if (TOK_PCACHE_LD(d->w[0])) continue;
            for (int q = 0; q < 8; q++) atomic_store_explicit(&d->w[q], w[q], memory_order_relaxed);
            atomic_store_explicit(&d->w[0], 2 | (w[0] >> 32) << 32, memory_order_relaxed);
            moved++;
            break;
        }
    }
    return moved;
}

/* A table of `slots` (0: the next size up from t's) in place of t, unless
 * another thread is growing it or has replaced t. */
static void grow_to(tok_pcache *c, tok_pcache_tab *t, size_t slots)
{
    int no = 0;
    if (!atomic_compare_exchange_strong(&c->growing, &no, 1)) return;
    if (atomic_load(&c->tab) == t) {
        /* four times while small: a cold encode of new text grows the table
         * from 64 slots, and each doubling moves every piece again */
        if (!slots) slots = t ? (t->mask + 1) * (t->mask + 1 < GROW4_BELOW ? 4 : 2) : TOK_PCACHE_MINSLOTS;
        if (slots > TOK_PCACHE_MAXSLOTS) slots = TOK_PCACHE_MAXSLOTS;
        tok_pcache_tab *u = tab_new(slots);
        if (u) {
            size_t moved = t ? migrate(c, t, u) : 0;
            atomic_store_explicit(&c->count, moved, memory_order_relaxed);
            if (t && atomic_load(&c->refs) > 1) {
                u->retired = t; /* another thread may still be reading t */
            } else if (t) {
                u->retired = t->retired;
                t->retired = NULL;
                tab_free_chain(t);
            }
            atomic_store_explicit(&c->tab, u, memory_order_release);
        }
    }
    atomic_store(&c->growing, 0);
}

static void grow(tok_pcache *c, tok_pcache_tab *t) { grow_to(c, t, 0); }

size_t tok_pcache_count(const tok_pcache *c)
{
    return c ? atomic_load_explicit(&((tok_pcache *)c)->count, memory_order_relaxed) : 0;
}

void tok_pcache_expect(tok_pcache *c, size_t total)
{
    if (!c || c->off || total < TOK_PCACHE_BIG_TEXT || atomic_load_explicit(&c->ring_big, memory_order_relaxed)) return;
    atomic_store(&c->ring_big, true);
    ring_advise(c);
}

void tok_pcache_project(tok_pcache *c, size_t done, size_t total, size_t before)
{
    if (!c || c->off || !done || done >= total || total < TOK_PCACHE_BIG_TEXT) return;
    tok_pcache_tab *t = atomic_load_explicit(&c->tab, memory_order_acquire);
    size_t have = t ? t->mask + 1 : 0, count = atomic_load_explicit(&c->count, memory_order_relaxed);
    /* only the pieces this text brought are projected: a cache warm from
     * other texts (the second half of one, the same one again) holds what
     * it holds, and would otherwise be taken for a text full of new words */
    size_t fresh = count > before ? count - before : 0;
    /* distinct pieces grow slower than the text (new words get rarer): as
     * its 0.85th power here, which over-estimates running text a little
     * early on (English 1.5 MB: 11k pieces projected from the first 64 KiB
     * as 17k) and is corrected upwards by the later calls where a text
     * keeps bringing new ones (multilingual) */
    double need = 2.0 * ((double)(count - fresh) + (double)fresh * pow((double)total / (double)done, 0.85));
    size_t want = have ? have : TOK_PCACHE_MINSLOTS;
    while ((double)want < need && want < TOK_PCACHE_MAXSLOTS) want *= 2;
    if (want > have) grow_to(c, t, want);
}

/* ---- inserting ---------------------------------------------------------- */

/* A large text fills the ring: its pages from here on come huge.  A cold
 * encode of 0.9 MB of multilingual text wrote ~0.7 MB of records, 170 page
 * faults of ~12 us on small pages (5% of the encode); a text that stays
 * small keeps faulting in 4 KiB at a time instead of clearing 2 MiB. */
static void ring_advise(tok_pcache *c)
{
    _Atomic uint64_t *r = atomic_load_explicit(&c->ring, memory_order_acquire);
    if (r && !atomic_exchange(&c->ring_huge, true)) tok__huge_advise((void *)r, RING_BYTES);
}

static _Atomic uint64_t *ring_get(tok_pcache *c)
{
    _Atomic uint64_t *r = atomic_load_explicit(&c->ring, memory_order_acquire);
    if (r) return r;
    pthread_mutex_lock(&c->ring_lock);
    r = atomic_load(&c->ring);
    if (!r) {
        /* mapped, not calloc'd: 8 MiB that glibc may hand out of its heap and
         * clear whole on every new context (a 400 KB cold encode paid more
         * for that than for its own work); mapped pages are zero on first
         * touch, and only the part records reach is touched.  On small
         * pages until a large text comes (ring_advise) */
        size_t size = RING_BYTES;
        void *m = tok__hugemap_later(&size);
        if (m) atomic_store_explicit(&c->ring, r = m, memory_order_release);
    }
    pthread_mutex_unlock(&c->ring_lock);
    if (r && atomic_load_explicit(&c->ring_big, memory_order_relaxed)) ring_advise(c);
    return r;
}

/* Write the record of q into the ring; its position + 1, or 0. */
static uint64_t put_record(tok_pcache *c, const tok_pcache_q *q, uint64_t tag, const int32_t *ids,
                           const tok_offset *off, size_t k)
{
    _Atomic uint64_t *ring = ring_get(c);
    if (!ring) return 0;
    uint32_t n = q->n;
    size_t words = rec_words(n, (uint32_t)k);
    uint64_t P = atomic_fetch_add_explicit(&c->head, words, memory_order_relaxed);
    if (P >= POS_LIMIT) return 0;
    atomic_thread_fence(memory_order_release);
#define WW(i, v) atomic_store_explicit(&ring[(P + (i)) & RING_MASK], (v), memory_order_relaxed)
    WW(0, (uint64_t)n | (uint64_t)k << 8 | tag << 32);
    size_t kw = (n + 7) / 8;
    for (size_t i = 0; i < kw; i++) {
        uint64_t y = 0;
        size_t at = i * 8;
        memcpy(&y, q->p + at, n - at < 8 ? n - at : 8);
        WW(1 + i, y);
    }
    size_t iw = 1 + kw, ew = iw + (k + 1) / 2;
    for (size_t j = 0; j < k; j += 2)
        WW(iw + j / 2, (uint64_t)(uint32_t)ids[j] | (j + 1 < k ? (uint64_t)(uint32_t)ids[j + 1] << 32 : 0));
    for (size_t j = 0; j < k; j += 8) {
        uint64_t e = 0;
        for (size_t i = j; i < k && i < j + 8; i++) e |= (uint64_t)(off[i].end & 0xFF) << (8 * (i - j));
        WW(ew + j / 8, e);
    }
#undef WW
    return P + 1;
}

void tok_pcache_put(tok_pcache *c, const tok_pcache_q *q, const int32_t *ids, const tok_offset *off, size_t k)
{
    uint32_t n = q->n;
    if (!c || c->off || n == 0 || n > TOK_PCACHE_MAXLEN || k == 0 || k > TOK_PCACHE_MAXIDS) return;
    uint32_t at = 0;
    for (size_t j = 0; j < k; j++) {
        if (off[j].start != at || off[j].end <= at) return; /* must tile the piece */
        at = off[j].end;
    }
    if (at != n) return;
    tok_pcache_tab *t = atomic_load_explicit(&c->tab, memory_order_acquire);
    if (!t || (atomic_load_explicit(&c->count, memory_order_relaxed) + 1) * 2 > t->mask + 1) {
        if (!t || t->mask + 1 < TOK_PCACHE_MAXSLOTS) grow(c, t);
        if (!(t = atomic_load_explicit(&c->tab, memory_order_acquire))) return;
    }
    uint64_t tag = q->h >> 32;
    /* a slot within the set: the first empty one, else one chosen by the hash */
    size_t home = (size_t)q->h & t->mask, i = home;
    tok_pcache_slot *s = NULL;
    uint64_t old = 0;
    for (int j = 0; j < TOK_PCACHE_WAYS; j++, i = (i + 1) & t->mask) {
        uint64_t a = atomic_load_explicit(&t->slot[i].w[0], memory_order_relaxed);
        if (a == 0) {
            s = &t->slot[i];
            old = 0;
            break;
        }
    }
    if (!s) {
        s = &t->slot[(home + (size_t)(q->h >> 29) % TOK_PCACHE_WAYS) & t->mask];
        old = atomic_load_explicit(&s->w[0], memory_order_relaxed);
        if (old & 1) return; /* another thread is writing it */
    }
    uint32_t seq = (uint32_t)old;
    if (!atomic_compare_exchange_strong_explicit(&s->w[0], &old, old | 1, memory_order_acquire,
                                                 memory_order_relaxed))
        return; /* taken meanwhile: keep going without it */
    /* in a large table the count is sampled: one new slot in COUNT_EVERY
     * (chosen by the hash, so evenly) adds COUNT_EVERY -- threads sharing
     * the cache would otherwise write its line on every insert */
    if (!seq && (t->mask < COUNT_EXACT || !((q->h >> 24) & (COUNT_EVERY - 1))))
        atomic_fetch_add_explicit(&c->count, t->mask < COUNT_EXACT ? 1 : COUNT_EVERY, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    uint64_t w1 = (uint64_t)n | (uint64_t)k << 8;
    if (n > TOK_PCACHE_KEYB || k > TOK_PCACHE_IDS) {
        uint64_t pos = put_record(c, q, tag, ids, off, k);
        /* no record (no memory): length 0 matches no lookup */
        w1 = pos ? w1 | pos << 16 : 0;
    } else {
        uint64_t w5 = (uint64_t)(uint32_t)ids[0] | (k > 1 ? (uint64_t)(uint32_t)ids[1] << 32 : 0);
        uint64_t w6 = (k > 2 ? (uint64_t)(uint32_t)ids[2] : 0) | (k > 3 ? (uint64_t)(uint32_t)ids[3] << 32 : 0);
        uint64_t w7 = k > 4 ? (uint64_t)(uint32_t)ids[4] : 0;
        for (size_t j = 0; j + 1 < k; j++) w7 |= (uint64_t)(off[j].end & 0xFF) << (32 + 8 * j);
        atomic_store_explicit(&s->w[5], w5, memory_order_relaxed);
        atomic_store_explicit(&s->w[6], w6, memory_order_relaxed);
        atomic_store_explicit(&s->w[7], w7, memory_order_relaxed);
    }
    atomic_store_explicit(&s->w[1], w1, memory_order_relaxed);
    atomic_store_explicit(&s->w[2], q->k[0], memory_order_relaxed);
    atomic_store_explicit(&s->w[3], q->k[1], memory_order_relaxed);
    atomic_store_explicit(&s->w[4], q->k[2], memory_order_relaxed);
    /* publish: an even sequence (never 0, which means empty) and the tag */
    uint32_t ns = (uint32_t)(seq | 1) + 1;
    if (!ns) ns = 2;
    atomic_store_explicit(&s->w[0], (uint64_t)ns | tag << 32, memory_order_release);
}
