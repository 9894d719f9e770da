/* Memory for large tables (libtok/core/hugemap.c): a table of a huge page or
 * more is a mapping aligned on one, zeroed and whole; a smaller one comes from
 * the heap, 64-byte aligned; each is freed by the size it was asked with.  A
 * trie whose cells pass the threshold lives in such a mapping and answers as
 * one built on the heap does.  A table cut to a smaller size keeps its
 * first bytes. */
#include "testutil.h"
#include "libtok/models/trie.h"

#include <stdint.h>

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void mapping_rounds_and_aligns(void **state)
{
    (void)state;
    size_t size = TOK_HUGE_PAGE + 1;
    uint8_t *m = tok__hugemap(&size);
    assert_non_null(m);
    assert_int_equal(size, 2 * TOK_HUGE_PAGE);
    assert_int_equal((uintptr_t)m % TOK_HUGE_PAGE, 0);
    /* zeroed, and every byte of the rounded size is ours */
    for (size_t i = 0; i < size; i += 4096) assert_int_equal(m[i], 0);
    memset(m, 0xA5, size);
    assert_int_equal(m[size - 1], 0xA5);
    tok__hugeunmap(m, size);

    size = 0;
    assert_null(tok__hugemap(&size)); /* nothing to map */
    size = SIZE_MAX - 5;
    assert_null(tok__hugemap(&size)); /* rounding would wrap */
}

static void tables_by_size(void **state)
{
    (void)state;
    /* below the threshold: the heap, 64-byte aligned (not zeroed: written
     * whole here, so the sanitizers see every byte in bounds) */
    size_t small[] = { 1, 63, 64, 4096, TOK_HUGE_PAGE - 1 };
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
        uint8_t *p = tok__table_alloc(small[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 64, 0);
        memset(p, 0x5A, small[i]);
        tok__table_free(p, small[i]);
    }
    /* at and above it: a zeroed mapping on a huge-page boundary */
    size_t big[] = { TOK_HUGE_PAGE, 3 * TOK_HUGE_PAGE + 12345 };
    for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
        uint8_t *p = tok__table_alloc(big[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % TOK_HUGE_PAGE, 0);
        assert_int_equal(p[0] | p[big[i] / 2] | p[big[i] - 1], 0);
        memset(p, 0x5A, big[i]);
        tok__table_free(p, big[i]);
    }
    tok__table_free(NULL, TOK_HUGE_PAGE); /* nothing: as free(NULL) */
}

/* A table cut to its first bytes keeps them, and is freed by the new size:
 * big -> big (the pages past it given back), big -> small (a copy on the
 * heap), small -> smaller (the same block). */
static void tables_shrink(void **state)
{
    (void)state;
    struct { size_t from, to; } c[] = {
        { 5 * TOK_HUGE_PAGE, 2 * TOK_HUGE_PAGE + 7 },
        { 3 * TOK_HUGE_PAGE, 3 * TOK_HUGE_PAGE },
        { 2 * TOK_HUGE_PAGE, 1000 },
        { 4096, 100 },
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        uint8_t *p = tok__table_alloc(c[i].from);
        assert_non_null(p);
        for (size_t j = 0; j < c[i].from; j++) p[j] = (uint8_t)(j * 7 + 1);
        uint8_t *q = tok__table_shrink(p, c[i].from, c[i].to);
        assert_non_null(q);
        if (c[i].to >= TOK_HUGE_PAGE || c[i].from < TOK_HUGE_PAGE) assert_ptr_equal(p, q);
        else assert_int_equal((uintptr_t)q % 64, 0);
        for (size_t j = 0; j < c[i].to; j++) assert_int_equal(q[j], (uint8_t)(j * 7 + 1));
        tok__table_free(q, c[i].to);
    }
}

/* Enough random keys that the cells pass a huge page (12 bytes a cell):
 * every key found with its last value, every prefix match a key. */
static void large_trie(void **state)
{
    (void)state;
    enum { N = 120000, L = 14 };
    uint8_t *buf = malloc((size_t)N * L);
    tok_trie_key *k = malloc(N * sizeof *k);
    assert_non_null(buf);
    assert_non_null(k);
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < N; i++) {
        uint32_t len = 1 + (uint32_t)(rnd(&s) % L);
        for (uint32_t c = 0; c < len; c++) buf[(size_t)i * L + c] = (uint8_t)rnd(&s);
        k[i] = (tok_trie_key){ buf + (size_t)i * L, len, i };
    }
    tok_trie t;
    assert_int_equal(tok_trie_build(&t, k, N, NULL), TOK_OK);
    assert_true((size_t)t.ncells * sizeof *t.cell >= TOK_HUGE_PAGE);
    assert_int_equal((uintptr_t)t.cell % TOK_HUGE_PAGE, 0); /* the mapping, not the heap */
    for (int i = 0; i < N; i++) {
        int32_t v = tok_trie_find(&t, k[i].s, k[i].len);
        assert_true(v >= i);
        assert_int_equal(k[v].len, k[i].len);
        assert_memory_equal(k[v].s, k[i].s, k[i].len);
        size_t len;
        int32_t p = tok_trie_longest_prefix(&t, k[i].s, k[i].len, &len);
        assert_true(p >= 0 && len == k[i].len); /* the key itself is its longest prefix */
    }
    tok_trie_free(&t);
    free(k);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mapping_rounds_and_aligns),
        cmocka_unit_test(tables_by_size),
        cmocka_unit_test(tables_shrink),
        cmocka_unit_test(large_trie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
