/* The pre-token cache (libtok/core/piece_cache.h): every hit returns exactly
 * what was put for those bytes, on one thread and with several threads
 * inserting and reading one cache at once; growth, eviction within a set and
 * the wrapping ring of long records lose entries but never answer wrongly. */
#include "testutil.h"
#include "libtok/core/piece_cache.h"

#include <pthread.h>

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Piece number i: its bytes and the tokens it stands for, all derived from i
 * (so any thread can check any answer). */
typedef struct entry {
    uint8_t b[TOK_PCACHE_MAXLEN];
    uint32_t n;
    int32_t ids[TOK_PCACHE_MAXIDS];
    tok_offset off[TOK_PCACHE_MAXIDS];
    size_t k;
} entry;

static void make_entry(uint64_t i, uint32_t maxlen, entry *e)
{
    uint64_t s = i * 0x9E3779B97F4A7C15ull + 12345;
    rnd64(&s);
    uint32_t r = (uint32_t)rnd64(&s);
    /* mostly short pieces, as in text; some up to the limit */
    e->n = r % 4 ? 1 + r % 12 : 1 + r % maxlen;
    for (uint32_t j = 0; j < TOK_PCACHE_MAXLEN; j++) e->b[j] = (uint8_t)(rnd64(&s) % 7 + 'a'); /* a small alphabet: near keys */
    /* unique to i: i in base 7 and a 'z' at the front (longer if need be) */
    uint32_t d = 0;
    for (uint64_t x = i; x; x /= 7) d++;
    if (e->n < d + 1) e->n = d + 1;
    uint64_t x = i;
    for (uint32_t j = 0; j < d; j++, x /= 7) e->b[j] = (uint8_t)('a' + x % 7);
    e->b[d] = 'z';
    if (e->n > maxlen) e->n = maxlen;
    size_t maxk = e->n < TOK_PCACHE_MAXIDS ? e->n : TOK_PCACHE_MAXIDS;
    e->k = 1 + rnd64(&s) % (rnd64(&s) % 3 ? (maxk < 3 ? maxk : 3) : maxk);
    /* k cut points: tile [0, n) */
    uint32_t at = 0;
    for (size_t j = 0; j < e->k; j++) {
        uint32_t left = e->n - at, need = (uint32_t)(e->k - j);
        uint32_t len = j + 1 == e->k ? left : 1 + (uint32_t)(rnd64(&s) % (left - need + 1));
        e->ids[j] = (int32_t)(rnd64(&s) % 300000);
        e->off[j].start = at;
        e->off[j].end = at + len;
        at += len;
    }
}

/* Does the cache answer for e exactly e, or miss?  1 hit, 0 miss, -1 wrong. */
static int check(tok_pcache *c, const entry *e, tok_toks *out)
{
    tok_pcache_q q;
    tok_pcache_query(&q, e->b, e->n);
    out->n = 0;
    int r = tok_pcache_get(c, &q, out);
    if (r < 0) return -1;
    int32_t ids[TOK_PCACHE_MAXIDS];
    uint32_t k = tok_pcache_get_ids(c, &q, ids);
    if (r == 0) return k == 0 || k == e->k ? 0 : -1; /* an insert may land in between */
    if (out->n != e->k) return -1;
    for (size_t j = 0; j < e->k; j++)
        if (out->id[j] != e->ids[j] || out->off[j].start != e->off[j].start || out->off[j].end != e->off[j].end)
            return -1;
    if (k && k != e->k) return -1;
    for (uint32_t j = 0; j < k; j++)
        if (ids[j] != e->ids[j]) return -1;
    return 1;
}

static void put(tok_pcache *c, const entry *e)
{
    tok_pcache_q q;
    tok_pcache_query(&q, e->b, e->n);
    tok_pcache_put(c, &q, e->ids, e->off, e->k);
}

/* tok_pcache_project: the pieces met so far, projected to a large text,
 * size the table at once (what was in it kept); a small text, or one whose
 * projection fits, leaves it; it never shrinks nor passes the largest. */
static size_t slots(tok_pcache *c)
{
    tok_pcache_tab *t = atomic_load(&c->tab);
    return t ? t->mask + 1 : 0;
}

static void test_project(void **state)
{
    (void)state;
    tok_pcache *c = tok_pcache_new();
    assert_non_null(c);
    tok_toks out = { 0 };
    entry e;
    for (uint64_t i = 0; i < 1000; i++) {
        make_entry(i, 24, &e);
        put(c, &e);
    }
    size_t before = slots(c);
    assert_true(before >= 2048 && before <= 4096);
    /* (a set may already have dropped a piece: those kept must stay) */
    bool kept[1000];
    for (uint64_t i = 0; i < 1000; i++) {
        make_entry(i, 24, &e);
        int r = check(c, &e, &out);
        assert_true(r >= 0);
        kept[i] = r == 1;
    }
    tok_pcache_project(c, 65536, 200000, 0); /* a small text: left to grow as it goes */
    assert_int_equal(slots(c), before);
    tok_pcache_project(c, (size_t)1 << 20, (size_t)1 << 21, 0); /* 1000 -> ~1800 pieces: fits */
    assert_int_equal(slots(c), before);
    /* a text that brought none of them (the second half of one, the same
     * one again): the pieces already there are not projected */
    tok_pcache_project(c, 65536, (size_t)1 << 20, tok_pcache_count(c));
    assert_int_equal(slots(c), before);
    /* a sixteenth of 1 MiB: 1000 * 16^0.85 = 10.6k pieces, half full */
    tok_pcache_project(c, 65536, (size_t)1 << 20, 0);
    assert_int_equal(slots(c), (size_t)1 << 15);
    for (uint64_t i = 0; i < 1000; i++) {
        make_entry(i, 24, &e);
        assert_int_equal(check(c, &e, &out), kept[i]);
    }
    tok_pcache_project(c, 1, (size_t)1 << 30, 0); /* at most the largest table */
    assert_int_equal(slots(c), TOK_PCACHE_MAXSLOTS);
    tok_pcache_project(c, 65536, (size_t)1 << 20, 0);
    assert_int_equal(slots(c), TOK_PCACHE_MAXSLOTS);
    tok_toks_free(&out);
    tok_pcache_unref(c);
}

/* The ring of long records: 2 MiB-aligned, advised to huge pages once a
 * large text is expected (before or after the ring exists), never for a
 * small one; records stay readable across the advice. */
static void put_long(tok_pcache *c, uint64_t from, uint64_t *next, entry *e)
{
    uint64_t i = from;
    do make_entry(i++, TOK_PCACHE_MAXLEN, e);
    while (e->n <= TOK_PCACHE_KEYB && e->k <= TOK_PCACHE_IDS);
    put(c, e);
    *next = i;
}

static void test_ring_huge(void **state)
{
    (void)state;
    tok_toks out = { 0 };
    entry e;
    uint64_t i;
    /* expected after the ring exists */
    tok_pcache *c = tok_pcache_new();
    assert_non_null(c);
    tok_pcache_expect(c, 1000); /* small: nothing */
    put_long(c, 0, &i, &e);
    _Atomic uint64_t *ring = atomic_load(&c->ring);
    assert_non_null(ring);
    assert_int_equal((uintptr_t)ring % TOK_HUGE_PAGE, 0);
    assert_false(atomic_load(&c->ring_big));
    assert_false(atomic_load(&c->ring_huge));
    tok_pcache_expect(c, TOK_PCACHE_BIG_TEXT - 1);
    assert_false(atomic_load(&c->ring_huge));
    tok_pcache_expect(c, TOK_PCACHE_BIG_TEXT);
    assert_true(atomic_load(&c->ring_big));
    assert_true(atomic_load(&c->ring_huge));
    assert_int_equal(check(c, &e, &out), 1);
    tok_pcache_unref(c);
    /* expected before: advised when the first long record makes the ring */
    c = tok_pcache_new();
    assert_non_null(c);
    tok_pcache_expect(c, (size_t)1 << 20);
    assert_true(atomic_load(&c->ring_big));
    assert_false(atomic_load(&c->ring_huge));
    assert_null(atomic_load(&c->ring));
    put_long(c, 0, &i, &e);
    assert_true(atomic_load(&c->ring_huge));
    assert_int_equal(check(c, &e, &out), 1);
    tok_pcache_unref(c);
    /* the empty cache of TOK_ENC_NO_CACHE calls is never written */
    tok_pcache_expect(tok__pcache_off(), (size_t)1 << 20);
    assert_false(atomic_load(&tok__pcache_off()->ring_big));
    tok_toks_free(&out);
}

/* Helpers of a threaded call report their progress into one shared count:
 * each adds only what it did since its last report, restarting with each
 * chunk, and the cache is projected from the whole text's progress. */
static void test_shared_progress(void **state)
{
    (void)state;
    tok_pcache *c = tok_pcache_new();
    assert_non_null(c);
    entry e;
    for (uint64_t i = 0; i < 1000; i++) {
        make_entry(i, 24, &e);
        put(c, &e);
    }
    size_t before = slots(c);
    _Atomic size_t done = 0;
    tok_ctx *h[2];
    for (int k = 0; k < 2; k++) {
        assert_non_null(h[k] = calloc(1, sizeof *h[k]));
        h[k]->pcache = c;
        h[k]->prog_shared = &done;
        h[k]->prog_whole = (size_t)1 << 20;
        h[k]->prog_before = 0;
        tok_ctx_progress_start(h[k], 50000); /* a chunk of 50 kB */
    }
    /* 1000 pieces in 40 kB of 1 MiB: 1000 * 26.2^0.85 = 16.1k pieces, twice
     * that in slots: 2^15 */
    tok_ctx_progress_report(h[0], 40000);
    assert_true(before < ((size_t)1 << 15));
    assert_int_equal(slots(c), (size_t)1 << 15);
    tok_ctx_progress_report(h[0], 60000); /* (past its chunk: counted as told) */
    assert_int_equal(atomic_load(&done), 60000);
    /* from the whole text's 90 kB: 8.1k pieces, 2^15 still (from this
     * helper's 30 kB alone: 20.5k, 2^16) */
    tok_ctx_progress_report(h[1], 30000);
    assert_int_equal(atomic_load(&done), 90000);
    assert_int_equal(slots(c), (size_t)1 << 15);
    tok_ctx_progress_report(h[1], 30000); /* nothing new */
    assert_int_equal(atomic_load(&done), 90000);
    tok_ctx_progress_start(h[0], 20000); /* its next chunk */
    tok_ctx_progress_report(h[0], 10000);
    assert_int_equal(atomic_load(&done), 100000);
    assert_int_equal(slots(c), (size_t)1 << 15);
    /* the whole text was large: the ring is advised */
    assert_true(atomic_load(&c->ring_big));
    for (int k = 0; k < 2; k++) free(h[k]);
    tok_pcache_unref(c);
}

static void test_one_thread(void **state)
{
    (void)state;
    tok_pcache *c = tok_pcache_new();
    assert_non_null(c);
    tok_toks out = { 0 };
    entry e;
    const uint64_t N = 60000;
    /* nothing is there before it is put */
    for (uint64_t i = 0; i < 100; i++) {
        make_entry(i, TOK_PCACHE_MAXLEN, &e);
        assert_int_equal(check(c, &e, &out), 0);
    }
    for (uint64_t i = 0; i < N; i++) {
        make_entry(i, TOK_PCACHE_MAXLEN, &e);
        put(c, &e);
        assert_int_equal(check(c, &e, &out), 1);
    }
    /* after growth: every answer exact; short entries all kept (the table
     * never filled a whole set at this size), long ones unless the ring wrapped */
    size_t hits = 0, short_miss = 0;
    for (uint64_t i = 0; i < N; i++) {
        make_entry(i, TOK_PCACHE_MAXLEN, &e);
        int r = check(c, &e, &out);
        assert_true(r >= 0);
        hits += r == 1;
        if (r == 0 && e.n <= TOK_PCACHE_KEYB && e.k <= TOK_PCACHE_IDS) short_miss++;
    }
    assert_true(hits > N * 9 / 10);
    assert_true(short_miss < N / 100);
    /* pieces never put miss, even with the same bytes and another length */
    for (uint64_t i = N; i < N + 2000; i++) {
        make_entry(i, TOK_PCACHE_MAXLEN, &e);
        int r = check(c, &e, &out);
        assert_true(r >= 0);
    }
    tok_pcache_unref(c);
    free(out.id);
    free(out.off);
}

/* Long records only: the ring wraps many times over; old ones miss, none is
 * wrong, the newest hit. */
static void test_ring_wraps(void **state)
{
    (void)state;
    tok_pcache *c = tok_pcache_new();
    tok_toks out = { 0 };
    entry e;
    uint64_t i = 0;
    size_t words = 0;
    while (words < 3 * (size_t)TOK_PCACHE_RINGWORDS) {
        make_entry(i++, TOK_PCACHE_MAXLEN, &e);
        if (e.n <= TOK_PCACHE_KEYB && e.k <= TOK_PCACHE_IDS) continue;
        put(c, &e);
        words += 1 + (e.n + 7) / 8 + (e.k + 1) / 2 + (e.k + 7) / 8;
    }
    size_t hits = 0, tried = 0;
    for (uint64_t j = 0; j < i; j++) {
        make_entry(j, TOK_PCACHE_MAXLEN, &e);
        if (e.n <= TOK_PCACHE_KEYB && e.k <= TOK_PCACHE_IDS) continue;
        int r = check(c, &e, &out);
        assert_true(r >= 0);
        if (j + 200 >= i) {
            tried++;
            hits += r == 1;
        }
    }
    assert_true(tried > 0 && hits == tried);
    tok_pcache_unref(c);
    free(out.id);
    free(out.off);
}

/* Several threads put and get overlapping pieces in one cache. */
typedef struct job {
    tok_pcache *c;
    uint64_t seed, n, keys;
    size_t wrong, hits;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    tok_toks out = { 0 };
    entry e;
    uint64_t s = j->seed;
    for (uint64_t t = 0; t < j->n; t++) {
        uint64_t i = rnd64(&s) % j->keys;
        make_entry(i, 64, &e);
        int r = check(j->c, &e, &out);
        if (r < 0) j->wrong++;
        else if (r == 0) put(j->c, &e);
        else j->hits++;
    }
    free(out.id);
    free(out.off);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    tok_pcache *c = tok_pcache_new();
    enum { T = 4 };
    job jobs[T];
    pthread_t th[T];
    for (int k = 0; k < T; k++) {
        jobs[k] = (job){ tok_pcache_ref(c), 1000 + (uint64_t)k * 77, 150000, 40000, 0, 0 };
        assert_int_equal(pthread_create(&th[k], NULL, run_job, &jobs[k]), 0);
    }
    size_t hits = 0;
    for (int k = 0; k < T; k++) {
        pthread_join(th[k], NULL);
        assert_int_equal(jobs[k].wrong, 0);
        hits += jobs[k].hits;
        tok_pcache_unref(jobs[k].c);
    }
    /* a thread finds what the others put: far more hits than one thread's
     * own share of the keys would give */
    assert_true(hits > (size_t)T * 150000 / 2);
    tok_pcache_quiesce(c);
    tok_pcache_unref(c);
    (void)rs;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread),
        cmocka_unit_test(test_project),
        cmocka_unit_test(test_ring_wraps),
        cmocka_unit_test(test_ring_huge),
        cmocka_unit_test(test_shared_progress),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
