/* Text with per-byte alignment to the original. */
#include "../internal.h"

/* cap is what writers may fill without asking (the allocation, or less
 * under a limit), so that a reused buffer's old room does not slip past a
 * new limit */
static void usable(tok_nstr *t) { t->cap = t->limit && t->limit < t->alloc ? t->limit : t->alloc; }

void tok_nstr_limit(tok_nstr *t, size_t limit)
{
    t->limit = limit;
    t->over = false;
    usable(t);
}

int tok_nstr_reserve(tok_nstr *t, size_t cap)
{
    if (cap <= t->cap) return 0;
    if (t->limit && cap > t->limit) {
        t->over = true;
        return -1;
    }
    if (cap <= t->alloc) {
        usable(t);
        return 0;
    }
    size_t c = t->alloc ? t->alloc : 64;
    while (c < cap) c *= 2;
    c = tok__grow_cap(c, sizeof *t->a0); /* the alignments are the larger arrays */
    if (t->limit && c > t->limit) c = t->limit;
    /* the bytes too: one a character, a quarter of an alignment array,
     * they would otherwise stay on 4 KiB pages up to 2 MiB */
    uint8_t *s = tok__big_realloc(t->s, t->alloc, tok__grow_cap(c, 1));
    if (!s) return -1;
    t->s = s;
    uint32_t *a0 = tok__big_realloc(t->a0, t->alloc * sizeof *a0, c * sizeof *a0);
    if (!a0) return -1;
    t->a0 = a0;
    uint32_t *a1 = tok__big_realloc(t->a1, t->alloc * sizeof *a1, c * sizeof *a1);
    if (!a1) return -1;
    t->a1 = a1;
    t->alloc = c;
    usable(t);
    return 0;
}

int tok_nstr_push(tok_nstr *t, const void *b, size_t n, uint32_t a0, uint32_t a1)
{
    if (n == 0) return 0;
    if (tok_nstr_reserve(t, t->n + n)) return -1;
    memcpy(t->s + t->n, b, n);
    for (size_t i = 0; i < n; i++) {
        t->a0[t->n + i] = a0;
        t->a1[t->n + i] = a1;
    }
    t->n += n;
    return 0;
}

int tok_nstr_push_aligned(tok_nstr *t, const void *b, const uint32_t *a0, const uint32_t *a1, size_t n)
{
    if (n == 0) return 0;
    if (tok_nstr_reserve(t, t->n + n)) return -1;
    memcpy(t->s + t->n, b, n);
    memcpy(t->a0 + t->n, a0, n * sizeof *a0);
    memcpy(t->a1 + t->n, a1, n * sizeof *a1);
    t->n += n;
    return 0;
}

void tok_nstr_clear(tok_nstr *t) { t->n = 0; }

void tok_nstr_free(tok_nstr *t)
{
    free(t->s);
    free(t->a0);
    free(t->a1);
    memset(t, 0, sizeof *t);
}
