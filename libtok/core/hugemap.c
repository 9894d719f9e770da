/* Anonymous memory on huge pages, and the heap given back after a load
 * (see internal.h). */
#include "../internal.h"

#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* size rounded up to whole huge pages (0 when that wraps) */
static size_t huge_round(size_t size) { return (size + TOK_HUGE_PAGE - 1) & ~(TOK_HUGE_PAGE - 1); }

/* Zeroed anonymous memory aligned on a huge page, *size rounded up to
 * whole huge pages; not advised. */
static void *map_aligned(size_t *size)
{
    size_t want = huge_round(*size);
    if (!want || want < *size) return NULL;
    /* one huge page more than asked, then the slack on both sides of the
     * aligned part given back */
    uint8_t *m = mmap(NULL, want + TOK_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    size_t lead = (TOK_HUGE_PAGE - ((uintptr_t)m & (TOK_HUGE_PAGE - 1))) & (TOK_HUGE_PAGE - 1);
    if (lead) munmap(m, lead);
    munmap(m + lead + want, TOK_HUGE_PAGE - lead); /* never empty: lead < TOK_HUGE_PAGE */
    *size = want;
    return m + lead;
}

void *tok__hugemap(size_t *size)
{
    void *m = map_aligned(size);
    if (m) tok__huge_advise(m, *size);
    return m;
}

void *tok__hugemap_later(size_t *size) { return map_aligned(size); }

void tok__huge_advise(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}

void tok__hugeunmap(void *p, size_t size)
{
    if (p) munmap(p, size);
}

void *tok__table_alloc_from(size_t size, size_t huge_from)
{
    if (size >= huge_from) return tok__hugemap(&size);
    return aligned_alloc(64, (size + 63) & ~(size_t)63);
}

void tok__table_free_from(void *p, size_t size, size_t huge_from)
{
    if (!p) return;
    if (size >= huge_from) tok__hugeunmap(p, huge_round(size));
    else free(p);
}

void *tok__table_shrink(void *p, size_t old, size_t size)
{
    if (old < TOK_HUGE_PAGE) return p; /* heap block: freed whole by free() */
    if (size >= TOK_HUGE_PAGE) {
        size_t keep = huge_round(size), had = huge_round(old);
        if (had > keep) munmap((uint8_t *)p + keep, had - keep);
        return p;
    }
    void *q = tok__table_alloc(size);
    if (!q) return NULL;
    memcpy(q, p, size);
    tok__hugeunmap(p, huge_round(old));
    return q;
}

void *tok__table_alloc(size_t size) { return tok__table_alloc_from(size, TOK_HUGE_PAGE); }
void tok__table_free(void *p, size_t size) { tok__table_free_from(p, size, TOK_HUGE_PAGE); }

/* Huge pages for the whole aligned huge pages inside p[0, size). */
static void advise_huge(void *p, size_t size)
{
    uintptr_t a = ((uintptr_t)p + TOK_HUGE_PAGE - 1) & ~(uintptr_t)(TOK_HUGE_PAGE - 1);
    uintptr_t b = ((uintptr_t)p + size) & ~(uintptr_t)(TOK_HUGE_PAGE - 1);
    if (b > a) tok__huge_advise((void *)a, b - a);
}

void *tok__big_alloc(size_t size)
{
    if (size < TOK_HUGE_PAGE) return malloc(size ? size : 1);
    void *p;
    if (posix_memalign(&p, TOK_HUGE_PAGE, size)) return NULL;
    advise_huge(p, size);
    return p;
}

void *tok__big_realloc(void *p, size_t old, size_t size)
{
    if (size < TOK_HUGE_PAGE) return realloc(p, size ? size : 1);
    /* a new block advised before it is written, and a copy: realloc of a
     * block from the heap (large blocks come from it once glibc has raised
     * its mmap threshold, and in threads' arenas) copies into fresh small
     * pages before the advice could be given, ~10k page faults for the
     * arrays of a 10 MB encode on two threads */
    void *q = tok__big_alloc(size);
    if (!q) return NULL;
    if (p) memcpy(q, p, old < size ? old : size);
    free(p);
    return q;
}

void tok__heap_trim(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
