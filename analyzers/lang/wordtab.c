/* The shared word-type table (see wordtab.h): open addressing, lock-free
 * reads, one mutex for writers. */
#include "wordtab.h"

#include <stdlib.h>
#include <string.h>

#define slot_of wordtab_slot

static wt_tab *tab_new(size_t slots)
{
    wt_tab *t = calloc(1, sizeof *t + slots * sizeof(wt_slot));
    if (t) t->mask = slots - 1;
    return t;
}

wordtab *wordtab_new(void)
{
    wordtab *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    wt_tab *t = tab_new(1u << 12);
    if (!t) {
        free(w);
        return NULL;
    }
    atomic_init(&w->tab, t);
    pthread_mutex_init(&w->mu, NULL);
    return w;
}

void wordtab_free(wordtab *w)
{
    if (!w) return;
    for (wt_tab *t = atomic_load(&w->tab); t;) {
        wt_tab *r = t->retired;
        free(t);
        t = r;
    }
    for (size_t i = 0; i < w->nchunks; i++) free(w->chunks[i]);
    free(w->chunks);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static inline const char *key_of(const wt_slot *s) { return s->len <= WT_INLINE ? s->k.in : s->k.p; }

/* Slot holding key in t, or the empty slot where it would go. */
static wt_slot *probe(wt_tab *t, uint64_t h, const char *k, size_t len, uint64_t *seen)
{
    for (size_t i = slot_of(h, t->mask);; i = (i + 1) & t->mask) {
        wt_slot *s = &t->s[i];
        uint64_t x = atomic_load_explicit(&s->h, memory_order_acquire);
        *seen = x;
        if (!x) return s;
        if (x == h && s->len == len && !memcmp(key_of(s), k, len)) return s;
    }
}

static const char *keep(wordtab *w, const char *k, size_t len)
{
    if (w->nchunks == 0 || w->used + len > w->chunk_cap) {
        size_t cap = len > (1u << 20) ? len : (1u << 20);
        char **nc = realloc(w->chunks, (w->nchunks + 1) * sizeof *nc);
        if (!nc) return NULL;
        w->chunks = nc;
        if (!(nc[w->nchunks] = malloc(cap))) return NULL;
        w->nchunks++;
        w->used = 0;
        w->chunk_cap = cap;
    }
    char *p = w->chunks[w->nchunks - 1] + w->used;
    memcpy(p, k, len);
    w->used += len;
    return p;
}

/* Double the table (under the mutex); readers of the old one keep going. */
static wt_tab *grow(wordtab *w, wt_tab *t)
{
    wt_tab *g = tab_new((t->mask + 1) * 2);
    if (!g) return NULL;
    for (size_t i = 0; i <= t->mask; i++) {
        const wt_slot *s = &t->s[i];
        uint64_t x = atomic_load_explicit(&s->h, memory_order_relaxed);
        if (!x) continue;
        size_t j = slot_of(x, g->mask);
        while (atomic_load_explicit(&g->s[j].h, memory_order_relaxed)) j = (j + 1) & g->mask;
        g->s[j].len = s->len;
        g->s[j].val = s->val;
        g->s[j].k = s->k;
        atomic_store_explicit(&g->s[j].h, x, memory_order_relaxed);
    }
    g->retired = t;
    atomic_store_explicit(&w->tab, g, memory_order_release);
    return g;
}

int64_t wordtab_put(wordtab *w, uint64_t h, const char *k, size_t len, uint32_t val)
{
    pthread_mutex_lock(&w->mu);
    int64_t r = -1;
    wt_tab *t = atomic_load_explicit(&w->tab, memory_order_relaxed);
    uint64_t x;
    wt_slot *s = probe(t, h, k, len, &x);
    if (x) {
        r = s->val;
        goto out;
    }
    if ((w->n + 1) * 10 > (t->mask + 1) * 7) {
        if (!(t = grow(w, t))) goto out;
        s = probe(t, h, k, len, &x);
    }
    if (len > WT_INLINE) {
        if (!(s->k.p = keep(w, k, len))) goto out;
    } else {
        memset(s->k.in, 0, WT_INLINE);
        if (len) memcpy(s->k.in, k, len);
    }
    s->len = (uint32_t)len;
    s->val = val;
    atomic_store_explicit(&s->h, h, memory_order_release);
    w->n++;
    r = val;
out:
    pthread_mutex_unlock(&w->mu);
    return r;
}

size_t wordtab_count(wordtab *w)
{
    pthread_mutex_lock(&w->mu);
    size_t n = w->n;
    pthread_mutex_unlock(&w->mu);
    return n;
}
