/* Per-call arena: blocks are kept across calls so a warm context does not allocate. */
#include "../internal.h"

struct tok_arena_block {
    tok_arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void *tok_arena_alloc(tok_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    for (tok_arena_block *b = a->cur; b; b = b->next) {
        if (b->size - b->used >= n) {
            void *p = b->data + b->used;
            b->used += n;
            a->cur = b;
            return p;
        }
        if (b->next) b->next->used = 0; /* moving on: the next block is free again */
    }
    size_t size = n > (1u << 16) ? n : (1u << 16);
    /* a large block (a whole text's normalized copy) on huge pages: written
     * through 4 KiB pages it faulted one page at a time */
    tok_arena_block *b = tok__big_alloc(sizeof *b + size);
    if (!b) return NULL;
    b->size = size;
    b->used = n;
    b->next = NULL;
    if (a->cur) {
        /* append after the last block */
        tok_arena_block *last = a->cur;
        while (last->next) last = last->next;
        last->next = b;
    } else {
        a->first = b;
    }
    a->cur = b;
    return b->data;
}

void tok_arena_reset(tok_arena *a)
{
    if (a->first) a->first->used = 0;
    a->cur = a->first;
}

void tok_arena_free(tok_arena *a)
{
    tok_arena_block *b = a->first;
    while (b) {
        tok_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->first = a->cur = NULL;
}

tok_arena_mark tok_arena_where(const tok_arena *a)
{
    return (tok_arena_mark){ a->cur, a->cur ? a->cur->used : 0 };
}

void tok_arena_back(tok_arena *a, tok_arena_mark m)
{
    if (!m.cur) {
        tok_arena_reset(a);
        return;
    }
    /* the blocks after m.cur are free again as the next allocations reach them */
    a->cur = m.cur;
    m.cur->used = m.used;
}
