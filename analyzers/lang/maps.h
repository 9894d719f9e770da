/* Hash maps of the language analyzers (internal to analyzers/lang). */
#ifndef TOK_LANG_MAPS_H
#define TOK_LANG_MAPS_H

#include <stddef.h>
#include <stdint.h>

/* id -> count, open addressing; grows by doubling. */
typedef struct idmap {
    struct idslot { int32_t key; uint64_t val; } *s; /* key -1 = empty; one line per probe */
    size_t mask, n;
} idmap;
int idmap_init(idmap *m);
void idmap_free(idmap *m);
int idmap_insert(idmap *m, int32_t id, uint64_t v); /* the slow path of idmap_add */
static inline size_t idmap_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}
/* Add v to id's count: 0 or -1 (no memory).  Inline: it runs per token. */
static inline int idmap_add(idmap *m, int32_t id, uint64_t v)
{
    size_t i = idmap_mix((uint64_t)(uint32_t)id) & m->mask;
    while (m->s[i].key >= 0) {
        if (m->s[i].key == id) {
            m->s[i].val += v;
            return 0;
        }
        i = (i + 1) & m->mask;
    }
    return idmap_insert(m, id, v);
}
uint64_t idmap_get(const idmap *m, int32_t id);

/* byte string -> uint64 value; keys copied into chunks. */
typedef struct strmap {
    struct strent { uint64_t h; const char *k; uint32_t len; uint64_t val; } *e;
    size_t mask, n;
    char **chunks;
    size_t nchunks, used, chunk_cap;
} strmap;
int strmap_init(strmap *m);
void strmap_free(strmap *m);
/* Slot for key (inserted with value 0 when absent); NULL on no memory. */
uint64_t *strmap_slot(strmap *m, const char *k, size_t len, int *inserted);
uint64_t *strmap_find(const strmap *m, const char *k, size_t len);
uint64_t strmap_hash(const char *k, size_t len);

#endif
