/* Pre-token cache (see piece_cache.h). */
#include "piece_cache.h"

#define MAX_ENTRIES (1u << 21)

void tok_pcache_init(tok_pcache *c) { memset(c, 0, sizeof *c); }

void tok_pcache_free(tok_pcache *c)
{
    free(c->slot);
    tok_vec_free(&c->pool);
    memset(c, 0, sizeof *c);
}

static uint64_t slot_hash(const tok_pcache *c, const tok_pcache_slot *s)
{
    if (s->len <= 8) {
        uint64_t h = (s->key ^ ((uint64_t)s->len << 59)) * 0x9E3779B97F4A7C15ULL;
        return h ^ (h >> 29);
    }
    TOK_UNUSED(c);
    return s->key;
}

static int rehash(tok_pcache *c, size_t cap)
{
    tok_pcache_slot *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; c->slot && i <= c->mask; i++) {
        if (!c->slot[i].len) continue;
        size_t j = (size_t)slot_hash(c, &c->slot[i]) & (cap - 1);
        while (s[j].len) j = (j + 1) & (cap - 1);
        s[j] = c->slot[i];
    }
    free(c->slot);
    c->slot = s;
    c->mask = cap - 1;
    return 0;
}

void tok_pcache_put(tok_pcache *c, const uint8_t *p, uint32_t n, uint64_t h, uint64_t key,
                    const int32_t *ids, const tok_offset *off, size_t k)
{
    if (n == 0 || n > TOK_PCACHE_MAXLEN || k == 0 || k > TOK_PCACHE_MAXIDS) return;
    uint32_t at = 0;
    for (size_t j = 0; j < k; j++) {
        if (off[j].start != at || off[j].end <= at) return; /* must tile the piece */
        at = off[j].end;
    }
    if (at != n) return;
    if (c->count >= MAX_ENTRIES) { /* bounded: start over */
        memset(c->slot, 0, (c->mask + 1) * sizeof *c->slot);
        c->count = 0;
        c->pool.n = 0;
    }
    if (!c->slot || (c->count + 1) * 2 > c->mask + 1) {
        /* from 256 slots: a context that encodes one short text takes 4 KiB, not 1 MiB */
        if (rehash(c, c->slot ? (c->mask + 1) * 2 : 1u << 8)) return;
    }
    tok_pcache_slot e = { key, 0, (uint8_t)n, 0, (uint16_t)(h >> 48) };
    if (n <= 8 && k == 1) {
        e.val = (uint32_t)ids[0];
        e.inl = 1;
    } else {
        size_t words = 1 + (n + 3) / 4 + k + (k + 1) / 2;
        if (tok_vec_reserve(&c->pool, c->pool.n + words)) return;
        uint32_t *w = c->pool.v + c->pool.n;
        w[0] = n | (uint32_t)k << 16;
        w[(n + 3) / 4] = 0; /* padding bytes of the last word */
        memcpy(w + 1, p, n);
        int32_t *pid = (int32_t *)(w + 1 + (n + 3) / 4);
        uint16_t *ends = (uint16_t *)(pid + k);
        for (size_t j = 0; j < k; j++) {
            pid[j] = ids[j];
            ends[j] = (uint16_t)off[j].end;
        }
        if (k & 1) ends[k] = 0;
        e.val = (uint32_t)(c->pool.n + 1);
        c->pool.n += words;
    }
    size_t i = (size_t)h & c->mask;
    while (c->slot[i].len) i = (i + 1) & c->mask;
    c->slot[i] = e;
    c->count++;
}
