/* Open-addressing hash maps: byte strings -> id, and uint64 -> uint64. */
#include "../internal.h"

#include <xxhash.h>

/* key: the key's address, or for a loaded map its offset + 1 from base;
 * 0 marks an empty slot */
struct tok_strmap_slot {
    uint64_t key;
    uint32_t len;
    int32_t val;
    uint64_t hash;
};

_Static_assert(sizeof(struct tok_strmap_slot) == TOK_STRMAP_STORED, "stored slot size");

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
    memset(m, 0, sizeof *m);
    m->slots = calloc(c, sizeof *m->slots);
    if (!m->slots) return -1;
    m->mask = c - 1;
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

/* The key of a loaded map's slot, or NULL when the slot lies about it. */
static const char *loaded_key(const tok_strmap *m, const struct tok_strmap_slot *s)
{
    uint64_t off = s->key - 1;
    if (off > m->base_len || s->len > m->base_len - off || s->val < 0 || s->val >= m->nval) return NULL;
    return m->base + off;
}

/* A loaded map becomes an ordinary one before it changes. */
static int strmap_own(tok_strmap *m)
{
    tok_strmap n;
    if (tok_strmap_init(&n, m->count + 16)) return -1;
    for (size_t i = 0; i <= m->mask; i++) {
        const char *k = m->slots[i].key ? loaded_key(m, &m->slots[i]) : NULL;
        if (k && tok_strmap_put(&n, k, m->slots[i].len, m->slots[i].val)) {
            tok_strmap_free(&n);
            return -1;
        }
    }
    tok_strmap_free(m);
    *m = n;
    return 0;
}

int tok_strmap_put(tok_strmap *m, const void *key, uint32_t len, int32_t val)
{
    if (!m->slots && tok_strmap_init(m, 16)) return -1;
    if (m->base && strmap_own(m)) return -1;
    if ((m->count + 1) * 4 > (m->mask + 1) * 3 && strmap_grow(m)) return -1;
    uint64_t h = tok_hash_bytes(key, len);
    size_t i = (size_t)h & m->mask;
    static const char empty_key[1] = { 0 };
    for (;;) {
        struct tok_strmap_slot *s = &m->slots[i];
        if (!s->key) {
            s->key = (uint64_t)(uintptr_t)(len ? key : empty_key); /* non-zero marks the slot used */
            s->len = len;
            s->val = val;
            s->hash = h;
            m->count++;
            return 0;
        }
        if (s->hash == h && s->len == len && memcmp((const void *)(uintptr_t)s->key, key, len) == 0) {
            s->val = val;
            return 0;
        }
        i = (i + 1) & m->mask;
    }
}

static int32_t get_loaded(const tok_strmap *m, const void *key, size_t len, uint64_t h)
{
    size_t i = (size_t)h & m->mask;
    for (size_t probes = 0; probes <= m->mask; probes++, i = (i + 1) & m->mask) {
        const struct tok_strmap_slot *s = &m->slots[i];
        if (!s->key) return -1;
        if (s->hash != h || s->len != len) continue;
        const char *k = loaded_key(m, s);
        if (k && memcmp(k, key, len) == 0) return s->val;
    }
    return -1;
}

int32_t tok_strmap_get(const tok_strmap *m, const void *key, size_t len)
{
    if (!m->slots) return -1;
    uint64_t h = tok_hash_bytes(key, len);
    if (m->base) return get_loaded(m, key, len, h);
    size_t i = (size_t)h & m->mask;
    for (;;) {
        const struct tok_strmap_slot *s = &m->slots[i];
        if (!s->key) return -1;
        if (s->hash == h && s->len == len && memcmp((const void *)(uintptr_t)s->key, key, len) == 0) return s->val;
        i = (i + 1) & m->mask;
    }
}

void tok_strmap_free(tok_strmap *m)
{
    if (!m->borrowed) free(m->slots);
    memset(m, 0, sizeof *m);
}

int tok_strmap_store(const tok_strmap *m, const uint32_t *off_of, tok_sbuf *out)
{
    for (size_t i = 0; m->slots && i <= m->mask; i++) {
        struct tok_strmap_slot s = m->slots[i];
        if (s.key) s.key = (uint64_t)off_of[s.val] + 1;
        if (tok_sbuf_put(out, &s, sizeof s)) return -1;
    }
    return 0;
}

int tok_strmap_load(tok_strmap *m, const void *stored, size_t nslots, const char *base, size_t base_len,
                    int32_t nval)
{
    memset(m, 0, sizeof *m);
    if (nslots < 2 || (nslots & (nslots - 1)) || (uintptr_t)stored % 8) return -1;
    m->slots = (struct tok_strmap_slot *)stored;
    m->mask = nslots - 1;
    m->count = nslots / 2; /* not known without reading every slot; only strmap_own uses it */
    m->base = base;
    m->base_len = base_len;
    m->nval = nval;
    m->borrowed = true;
    return 0;
}

int tok_u64map_init(tok_u64map *m, size_t expected)
{
    size_t c = pow2_for(expected);
    m->keys = malloc(c * sizeof *m->keys);
    m->vals = malloc(c * sizeof *m->vals);
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
