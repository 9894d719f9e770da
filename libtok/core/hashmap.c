/* Open-addressing hash maps: byte strings -> id, and uint64 -> uint64. */
#include "../internal.h"

#include <xxhash.h>

struct tok_strmap_slot {
    const void *key;
    uint32_t len;
    int32_t val;
    uint64_t hash;
};

uint64_t tok__hash_long(const void *p, size_t n) { return XXH3_64bits(p, n); }

static size_t pow2_for(size_t expected)
{
    size_t c = 16;
    while (c < expected * 2) c *= 2;
    return c;
}

int tok_strmap_init(tok_strmap *m, size_t expected)
{
    size_t c = pow2_for(expected);
    m->slots = tok__big_alloc(c * sizeof *m->slots);
    if (!m->slots) return -1;
    memset(m->slots, 0, c * sizeof *m->slots);
    m->mask = c - 1;
    m->count = 0;
    return 0;
}

static int strmap_grow(tok_strmap *m)
{
    tok_strmap n;
    if (tok_strmap_init(&n, (m->mask + 1))) return -1;
    for (size_t i = 0; i <= m->mask; i++) {
        struct tok_strmap_slot *s = &m->slots[i];
        if (!s->key) continue;
        size_t j = (size_t)s->hash & n.mask;
        while (n.slots[j].key) j = (j + 1) & n.mask;
        n.slots[j] = *s;
    }
    n.count = m->count;
    free(m->slots);
    *m = n;
    return 0;
}

int tok_strmap_put(tok_strmap *m, const void *key, uint32_t len, int32_t val)
{
    return tok_strmap_put_hashed(m, key, len, val, tok_hash_bytes(key, len));
}

int tok_strmap_put_hashed(tok_strmap *m, const void *key, uint32_t len, int32_t val, uint64_t h)
{
    if (!m->slots && tok_strmap_init(m, 16)) return -1;
    if ((m->count + 1) * 4 > (m->mask + 1) * 3 && strmap_grow(m)) return -1;
    size_t i = (size_t)h & m->mask;
    static const char empty_key[1] = { 0 };
    for (;;) {
        struct tok_strmap_slot *s = &m->slots[i];
        if (!s->key) {
            s->key = len ? key : empty_key; /* non-NULL marks the slot used */
            s->len = len;
            s->val = val;
            s->hash = h;
            m->count++;
            return 0;
        }
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
            s->val = val;
            return 0;
        }
        i = (i + 1) & m->mask;
    }
}

int32_t tok_strmap_get(const tok_strmap *m, const void *key, size_t len)
{
    return tok_strmap_get_hashed(m, key, len, tok_hash_bytes(key, len));
}

int32_t tok_strmap_get_hashed(const tok_strmap *m, const void *key, size_t len, uint64_t h)
{
    if (!m->slots) return -1;
    size_t i = (size_t)h & m->mask;
    for (;;) {
        const struct tok_strmap_slot *s = &m->slots[i];
        if (!s->key) return -1;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) return s->val;
        i = (i + 1) & m->mask;
    }
}

void tok_strmap_prefetch(const tok_strmap *m, uint64_t h)
{
    if (m->slots) __builtin_prefetch(&m->slots[(size_t)h & m->mask]);
}

void tok_strmap_free(tok_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

int tok_u64map_init(tok_u64map *m, size_t expected)
{
    size_t c = pow2_for(expected);
    m->keys = tok__big_alloc(c * sizeof *m->keys);
    m->vals = tok__big_alloc(c * sizeof *m->vals);
    if (!m->keys || !m->vals) {
        free(m->keys);
        free(m->vals);
        m->keys = m->vals = NULL;
        return -1;
    }
    memset(m->keys, 0xFF, c * sizeof *m->keys);
    m->mask = c - 1;
    m->count = 0;
    return 0;
}

static int u64map_grow(tok_u64map *m)
{
    tok_u64map n;
    if (tok_u64map_init(&n, m->mask + 1)) return -1;
    for (size_t i = 0; i <= m->mask; i++)
        if (m->keys[i] != UINT64_MAX) tok_u64map_put(&n, m->keys[i], m->vals[i]);
    tok_u64map_free(m);
    *m = n;
    return 0;
}

int tok_u64map_put(tok_u64map *m, uint64_t key, uint64_t val)
{
    if (!m->keys && tok_u64map_init(m, 16)) return -1;
    if ((m->count + 1) * 2 > (m->mask + 1) && u64map_grow(m)) return -1;
    size_t i = (size_t)tok_hash64(key) & m->mask;
    for (;;) {
        if (m->keys[i] == UINT64_MAX) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->count++;
            return 0;
        }
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return 0;
        }
        i = (i + 1) & m->mask;
    }
}

void tok_u64map_free(tok_u64map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = m->vals = NULL;
    m->mask = m->count = 0;
}
