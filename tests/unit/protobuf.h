/* Test helper: a minimal protobuf wire-format writer for building
 * SentencePiece .model bytes in tests. */
#ifndef TOK_TEST_PROTOBUF_H
#define TOK_TEST_PROTOBUF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct pbuf {
    uint8_t *b;
    size_t n, cap;
} pbuf;

static inline void put(pbuf *p, const void *d, size_t n)
{
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2 + 64;
        p->b = realloc(p->b, p->cap);
        assert_non_null(p->b);
    }
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static inline void varint(pbuf *p, uint64_t v)
{
    uint8_t b[10];
    int k = 0;
    do {
        b[k] = v & 0x7F;
        v >>= 7;
        if (v) b[k] |= 0x80;
        k++;
    } while (v);
    put(p, b, (size_t)k);
}

static inline void key(pbuf *p, unsigned f, unsigned wt) { varint(p, (uint64_t)f << 3 | wt); }

static inline void ld(pbuf *p, unsigned f, const void *d, size_t n)
{
    key(p, f, 2);
    varint(p, n);
    put(p, d, n);
}

static inline void vfield(pbuf *p, unsigned f, uint64_t v)
{
    key(p, f, 0);
    varint(p, v);
}

#endif
