/* Growable arrays and byte strings. */
#include "../internal.h"

#include <stdio.h>

int tok__grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem) return -1;
        c *= 2;
    }
    c = tok__grow_cap(c, elem);
    void *q = tok__big_realloc(*p, *cap * elem, c * elem);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

int tok_sbuf_put(tok_sbuf *b, const void *s, size_t n)
{
    if (tok_vec_reserve(b, b->n + n + 1)) return -1;
    if (n) memcpy(b->v + b->n, s, n);
    b->n += n;
    return 0;
}

int tok_sbuf_putc(tok_sbuf *b, char c) { return tok_sbuf_put(b, &c, 1); }

int tok_sbuf_cstr(tok_sbuf *b)
{
    if (tok_vec_reserve(b, b->n + 1)) return -1;
    b->v[b->n] = 0;
    return 0;
}

int tok_sbuf_printf(tok_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || tok_vec_reserve(b, b->n + (size_t)k + 1)) return -1;
    va_start(ap, fmt);
    vsnprintf(b->v + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
    return 0;
}
