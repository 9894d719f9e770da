/* Open-addressing maps for token-id counts and word types. */
#include "maps.h"

#include <stdlib.h>
#include <string.h>

static inline size_t mix(uint64_t x) { return idmap_mix(x); }

int idmap_init(idmap *m)
{
    m->mask = 255;
    m->n = 0;
    m->s = malloc((m->mask + 1) * sizeof *m->s);
    if (!m->s) return -1;
    for (size_t i = 0; i <= m->mask; i++) m->s[i] = (struct idslot){ -1, 0 };
    return 0;
}

void idmap_free(idmap *m)
{
    free(m->s);
    m->s = NULL;
}

static int idmap_grow(idmap *m)
{
    size_t nc = (m->mask + 1) * 2;
    struct idslot *s = malloc(nc * sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < nc; i++) s[i] = (struct idslot){ -1, 0 };
    for (size_t i = 0; i <= m->mask; i++) {
        if (m->s[i].key < 0) continue;
        size_t j = mix((uint64_t)(uint32_t)m->s[i].key) & (nc - 1);
        while (s[j].key >= 0) j = (j + 1) & (nc - 1);
        s[j] = m->s[i];
    }
    free(m->s);
    m->s = s;
    m->mask = nc - 1;
    return 0;
}

int idmap_insert(idmap *m, int32_t id, uint64_t v)
{
    if ((m->n + 1) * 10 > (m->mask + 1) * 7 && idmap_grow(m)) return -1;
    size_t i = mix((uint64_t)(uint32_t)id) & m->mask;
    while (m->s[i].key >= 0) {
        if (m->s[i].key == id) {
            m->s[i].val += v;
            return 0;
        }
        i = (i + 1) & m->mask;
    }
    m->s[i] = (struct idslot){ id, v };
    m->n++;
    return 0;
}

uint64_t idmap_get(const idmap *m, int32_t id)
{
    size_t i = mix((uint64_t)(uint32_t)id) & m->mask;
    while (m->s[i].key >= 0) {
        if (m->s[i].key == id) return m->s[i].val;
        i = (i + 1) & m->mask;
    }
    return 0;
}

uint64_t strmap_hash(const char *k, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
    return h ^ len;
}

int strmap_init(strmap *m)
{
    memset(m, 0, sizeof *m);
    m->mask = 1023;
    m->e = calloc(m->mask + 1, sizeof *m->e);
    return m->e ? 0 : -1;
}

void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->nchunks; i++) free(m->chunks[i]);
    free(m->chunks);
    free(m->e);
    memset(m, 0, sizeof *m);
}

static const char *keep(strmap *m, const char *k, size_t len)
{
    if (m->nchunks == 0 || m->used + len > m->chunk_cap) {
        size_t cap = len > (1u << 20) ? len : (1u << 20);
        char **nc = realloc(m->chunks, (m->nchunks + 1) * sizeof *nc);
        if (!nc) return NULL;
        m->chunks = nc;
        if (!(nc[m->nchunks] = malloc(cap ? cap : 1))) return NULL;
        m->nchunks++;
        m->used = 0;
        m->chunk_cap = cap;
    }
    char *p = m->chunks[m->nchunks - 1] + m->used;
    if (len) memcpy(p, k, len);
    m->used += len;
    return p;
}

static int strmap_grow(strmap *m)
{
    size_t nc = (m->mask + 1) * 2;
    struct strent *e = calloc(nc, sizeof *e);
    if (!e) return -1;
    for (size_t i = 0; i <= m->mask; i++) {
        if (!m->e[i].k) continue;
        size_t j = mix(m->e[i].h) & (nc - 1);
        while (e[j].k) j = (j + 1) & (nc - 1);
        e[j] = m->e[i];
    }
    free(m->e);
    m->e = e;
    m->mask = nc - 1;
    return 0;
}

uint64_t *strmap_find(const strmap *m, const char *k, size_t len)
{
    uint64_t h = strmap_hash(k, len);
    size_t i = mix(h) & m->mask;
    while (m->e[i].k) {
        if (m->e[i].h == h && m->e[i].len == len && !memcmp(m->e[i].k, k, len)) return &m->e[i].val;
        i = (i + 1) & m->mask;
    }
    return NULL;
}

uint64_t *strmap_slot(strmap *m, const char *k, size_t len, int *inserted)
{
    uint64_t h = strmap_hash(k, len);
    size_t i = mix(h) & m->mask;
    *inserted = 0;
    while (m->e[i].k) {
        if (m->e[i].h == h && m->e[i].len == len && !memcmp(m->e[i].k, k, len)) return &m->e[i].val;
        i = (i + 1) & m->mask;
    }
    if ((m->n + 1) * 10 > (m->mask + 1) * 7) {
        if (strmap_grow(m)) return NULL;
        return strmap_slot(m, k, len, inserted);
    }
    /* an empty key still needs a non-NULL pointer */
    const char *kk = keep(m, k, len);
    if (!kk) return NULL;
    m->e[i] = (struct strent){ h, kk, (uint32_t)len, 0 };
    m->n++;
    *inserted = 1;
    return &m->e[i].val;
}
