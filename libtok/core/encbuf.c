/* Token buffers: one pre-token's model output (tok_toks) and whole encodings (tok_enc). */
#include "../internal.h"

int tok_toks_reserve(tok_toks *t, size_t cap)
{
    if (cap <= t->cap) return 0;
    size_t c = t->cap ? t->cap * 2 : 64;
    while (c < cap) c *= 2;
    c = tok__grow_cap(c, sizeof *t->id);
    int32_t *id = tok__big_realloc(t->id, t->cap * sizeof *id, c * sizeof *id);
    if (!id) return -1;
    t->id = id;
    tok_offset *off = tok__big_realloc(t->off, t->cap * sizeof *off, c * sizeof *off);
    if (!off) return -1;
    t->off = off;
    t->cap = c;
    return 0;
}

void tok_toks_free(tok_toks *t)
{
    free(t->id);
    free(t->off);
    memset(t, 0, sizeof *t);
}

/* (large arrays on huge pages: an encode of 10 MB wrote 45 MB of fresh
 * arrays, 11k page faults, which two threads also took one at a time) */
#define ENC_GROW(field, old)                                                         \
    do {                                                                             \
        void *p_ = tok__big_realloc(e->field, (old) * sizeof *e->field, c * sizeof *e->field); \
        if (!p_) return -1;                                                          \
        e->field = p_;                                                               \
    } while (0)

/* The arrays beside ids, from old to c entries. */
static int grow_rest(tok_enc *e, size_t old, size_t c)
{
    ENC_GROW(off, old);
    ENC_GROW(words, old);
    ENC_GROW(type_ids, old);
    ENC_GROW(special, old);
    ENC_GROW(mask, old);
    ENC_GROW(added, old);
    return 0;
}

/* Growth while ids is lent: the other arrays as usual; ids stay in the
 * caller's buffer while they fit, else move to own storage. */
static int reserve_lent(tok_enc *e, size_t cap)
{
    /* ids alone are written (ids_only): the other arrays are not grown,
     * nor copied and paged in by realloc (a lane reserving piece by piece
     * paid thousands of page faults for arrays nothing writes) */
    if (e->ids_only && cap <= e->lent_cap) {
        e->cap = e->lent_cap;
        return 0;
    }
    size_t c = e->rest_cap ? e->rest_cap : 256;
    while (c < cap) c *= 2;
    c = tok__grow_cap(c, sizeof *e->ids);
    if (c > e->rest_cap) {
        if (grow_rest(e, e->rest_cap, c)) return -1;
        e->rest_cap = c;
    }
    if (cap <= e->lent_cap) {
        e->cap = e->rest_cap < e->lent_cap ? e->rest_cap : e->lent_cap;
        return 0;
    }
    if (c > e->own_cap) {
        int32_t *p = tok__big_realloc(e->own, e->own_cap * sizeof *p, c * sizeof *p);
        if (!p) return -1;
        e->own = p;
        e->own_cap = c;
    }
    if (e->n) memcpy(e->own, e->ids, e->n * sizeof *e->ids);
    e->ids = e->own;
    e->lent = false;
    e->cap = c;
    return 0;
}

void tok_enc_lend(tok_enc *e, int32_t *ids, size_t cap)
{
    e->n = 0;
    e->own = e->ids;
    e->own_cap = e->rest_cap = e->cap;
    e->ids = ids;
    e->lent_cap = cap;
    e->lent = true;
    if (cap < e->cap) e->cap = cap;
}

void tok_enc_unlend(tok_enc *e)
{
    if (!e->lent) return; /* never lent, or moved to own storage during the encode */
    e->lent = false;
    e->ids = e->own;
    e->cap = e->own_cap < e->rest_cap ? e->own_cap : e->rest_cap;
}

int tok_enc_reserve(tok_enc *e, size_t cap)
{
    if (cap <= e->cap) return 0;
    if (e->lent) return reserve_lent(e, cap);
    size_t c = e->cap ? e->cap * 2 : 256;
    while (c < cap) c *= 2;
    c = tok__grow_cap(c, sizeof *e->ids);
    ENC_GROW(ids, e->cap);
    if (grow_rest(e, e->cap, c)) return -1;
    e->cap = c;
    return 0;
}

int tok_enc_push(tok_enc *e, int32_t id, tok_offset off, int32_t word, uint8_t type_id, uint8_t special)
{
    if (e->n == e->cap && tok_enc_reserve(e, e->n + 1)) return -1;
    size_t i = e->n++;
    e->ids[i] = id;
    e->off[i] = off;
    e->words[i] = word;
    e->type_ids[i] = type_id;
    e->special[i] = special;
    e->added[i] = 0;
    return 0;
}

int tok_enc_append(tok_enc *dst, const tok_enc *src)
{
    if (!src->n) return 0; /* (and no NULL + 0 arithmetic on empty buffers) */
    if (tok_enc_reserve(dst, dst->n + src->n)) return -1;
    size_t k = dst->n, n = src->n;
    memcpy(dst->ids + k, src->ids, n * sizeof *src->ids);
    memcpy(dst->off + k, src->off, n * sizeof *src->off);
    memcpy(dst->words + k, src->words, n * sizeof *src->words);
    memcpy(dst->type_ids + k, src->type_ids, n * sizeof *src->type_ids);
    memcpy(dst->special + k, src->special, n * sizeof *src->special);
    /* (snapshots made by post-processors carry no added marks) */
    if (src->added) memcpy(dst->added + k, src->added, n * sizeof *src->added);
    else memset(dst->added + k, 0, n);
    dst->n += n;
    return 0;
}

void tok_enc_clear(tok_enc *e) { e->n = 0; }

void tok_enc_free(tok_enc *e)
{
    free(e->lent ? e->own : e->ids);
    free(e->off);
    free(e->words);
    free(e->type_ids);
    free(e->special);
    free(e->mask);
    free(e->added);
    memset(e, 0, sizeof *e);
}
