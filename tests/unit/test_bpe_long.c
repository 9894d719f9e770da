/* Long pre-tokens in the byte-level BPE (models/bpe_long.c): the block
 * search for irregular tokens against the per-position check, and the fast
 * path against the reference heap on long pre-tokens with irregular tokens
 * planted at every position of a 16-byte block, on Llama 3's merge list (82
 * irregular tokens) from the reference cache.  A missing file skips the
 * tests, which the unit runner counts as failures (scripts/fetch-refs.sh
 * fetches it). */
#include "testutil.h"
#include "libtok/internal.h"
#include "libtok/models/bpe.h"
#include "libtok/models/bpe_long.h"

static uint64_t rs = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(uint32_t n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs % n);
}

static bool per_position(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i++)
        if (tok_bpe_bt_irregular_at(bt, p, n, i)) return true;
    return false;
}

typedef struct fixture {
    tok_tokenizer *t;
    tok_ctx *f, *r;        /* fast path, reference heap */
    tok_encode_options o;
    const tok_bpe_bt *bt;
    int32_t irr[128];      /* the irregular tokens */
    size_t nirr;
} fixture;

static bool setup(fixture *x)
{
    char path[1024];
    tok_error err = { 0 };
    memset(x, 0, sizeof *x);
    x->t = tok_load(tu_cache_path("tokenizers/llama3.json", path, sizeof path), NULL, &err);
    if (!x->t) {
        /* skipped, which the unit runner counts as a failure */
        fprintf(stderr, "llama3.json not in the reference cache (%s): run sh scripts/fetch-refs.sh\n", err.message);
        skip();
    }
    x->bt = tok__bpe_tables(x->t->model);
    assert_non_null(x->bt);
    assert_true(x->bt->nirr > 0);
    for (size_t i = 0; i < x->bt->n && x->nirr < 128; i++)
        if (x->bt->irr[i >> 6] >> (i & 63) & 1) x->irr[x->nirr++] = (int32_t)i;
    assert_int_equal(x->nirr, x->bt->nirr);
    x->f = tok_ctx_new(x->t);
    x->r = tok_ctx_new(x->t);
    tok_encode_options_init(&x->o);
    x->o.flags = TOK_ENC_OFFSETS;
    tok_encoding e;
    assert_int_equal(tok_encode_pretoken(x->f, "a", 1, &x->o, &e), TOK_OK); /* model scratch */
    assert_int_equal(tok_encode_pretoken(x->r, "a", 1, &x->o, &e), TOK_OK);
    tok__bpe_reference(x->r, true);
    return true;
}

static void teardown(fixture *x)
{
    tok_ctx_free(x->f);
    tok_ctx_free(x->r);
    tok_free(x->t);
}

/* p[0..n): filler of one kind, one irregular token planted at `at` */
static uint32_t make(const fixture *x, uint8_t *p, uint32_t n, int kind, uint32_t at, int32_t tok)
{
    static const char *fill[] = { "a", "\xe4\xb8\xad", "ju", " ", "\xd0\xb0" };
    const char *f = fill[kind % 5];
    size_t fl = strlen(f);
    for (uint32_t i = 0; i < n; i++) p[i] = kind == 5 ? (uint8_t)('a' + rnd(26)) : (uint8_t)f[i % fl];
    if (tok >= 0) {
        size_t len;
        const uint8_t *b = tok_token_bytes(x->t, tok, &len);
        if (at + len > n) at = n - (uint32_t)len;
        memcpy(p + at, b, len);
    }
    return n;
}

static void block_search_matches(void **state)
{
    (void)state;
    fixture x;
    if (!setup(&x)) return;
    static uint8_t buf[8192];
    size_t hits = 0;
    for (int kind = 0; kind < 6; kind++) {
        for (uint32_t at = 0; at < 48; at++) {
            uint32_t n = TOK_BPE_LONG + rnd(3000);
            int32_t tok = at % 3 ? x.irr[rnd((uint32_t)x.nirr)] : -1;
            uint32_t pos = at < 32 ? (n & ~15u) - 32 + at : n - (at - 30); /* block ends, last bytes */
            make(&x, buf, n, kind, pos, tok);
            bool want = per_position(x.bt, buf, n);
            assert_int_equal(tok_bpe_long_irregular(x.bt, buf, n), want);
            assert_int_equal(tok_bpe_bt_irregular(x.bt, buf, n), want);
            if (tok >= 0) assert_true(want);
            hits += want;
        }
    }
    /* every byte value as filler: first bytes that share a high nibble */
    for (unsigned b = 0; b < 256; b++) {
        memset(buf, (int)b, 2048);
        assert_int_equal(tok_bpe_long_irregular(x.bt, buf, 2048), per_position(x.bt, buf, 2048));
    }
    assert_true(hits > 0);
    teardown(&x);
}

static void long_pieces_match_heap(void **state)
{
    (void)state;
    fixture x;
    if (!setup(&x)) return;
    static uint8_t buf[4096];
    for (int k = 0; k < 40; k++) {
        uint32_t n = TOK_BPE_LONG + rnd(2000);
        int32_t tok = k % 4 ? x.irr[rnd((uint32_t)x.nirr)] : -1;
        make(&x, buf, n, k % 6, rnd(n), tok);
        tok_encoding ef, er;
        assert_int_equal(tok_encode_pretoken(x.f, (const char *)buf, n, &x.o, &ef), TOK_OK);
        size_t nf = ef.n;
        int32_t *ids = malloc(nf * sizeof *ids + 1);
        tok_offset *off = malloc(nf * sizeof *off + 1);
        assert_non_null(ids);
        assert_non_null(off);
        memcpy(ids, ef.ids, nf * sizeof *ids);
        memcpy(off, ef.offsets, nf * sizeof *off);
        assert_int_equal(tok_encode_pretoken(x.r, (const char *)buf, n, &x.o, &er), TOK_OK);
        assert_int_equal(nf, er.n);
        assert_memory_equal(ids, er.ids, nf * sizeof *ids);
        assert_memory_equal(off, er.offsets, nf * sizeof *off);
        free(ids);
        free(off);
    }
    teardown(&x);
}

/* Long pre-tokens through tok_encode_ids, whose direct loop tiles them
 * straight into the caller's buffer (tok__bpe_long_ids): the reference
 * heap's ids, with short words before and after in the same scan batch, an
 * irregular token inside (the heap takes over), and a buffer too small for
 * a token a byte (the general path, the same count). */
static void long_pieces_into_ids(void **state)
{
    (void)state;
    fixture x;
    if (!setup(&x)) return;
    static uint8_t buf[24000];
    size_t direct = 0, declined = 0;
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_LOSSY; /* a planted token may cut a char of the filler */
    for (int k = 0; k < 36; k++) {
        uint32_t n = 4097 + rnd(12000), pre = k % 3 ? 0 : 13, post = k % 2 ? 11 : 0;
        int32_t tok = k % 4 == 2 ? x.irr[rnd((uint32_t)x.nirr)] : -1;
        make(&x, buf + pre, n, k % 6, rnd(n), tok);
        memcpy(buf, " ok, two words", pre);
        memcpy(buf + pre + n, "\n\nand more.", post);
        uint32_t len = pre + n + post;
        if (pre == 0 && post == 0) {
            /* the call itself: taken unless an irregular token is inside */
            size_t got = 0;
            int32_t *ids = malloc((size_t)n * sizeof *ids);
            assert_non_null(ids);
            tok_status st = tok__bpe_long_ids(x.t->model, x.f, buf, n, ids, &got);
            bool irr = tok_bpe_bt_irregular(x.bt, buf, n);
            assert_int_equal(st, irr ? TOK_ERR_UNSUPPORTED : TOK_OK);
            if (!st) {
                tok_encoding er;
                assert_int_equal(tok_encode_pretoken(x.r, (const char *)buf, n, &x.o, &er), TOK_OK);
                assert_int_equal(got, er.n);
                assert_memory_equal(ids, er.ids, got * sizeof *ids);
            }
            direct += !st;
            declined += st != TOK_OK;
            free(ids);
        }
        size_t cap = (size_t)len + 16, nf = 0, nr = 0;
        int32_t *f = malloc(cap * sizeof *f), *r = malloc(cap * sizeof *r);
        assert_non_null(f);
        assert_non_null(r);
        assert_int_equal(tok_encode_ids(x.f, (const char *)buf, len, &o, f, cap, &nf), TOK_OK);
        assert_int_equal(tok_encode_ids(x.r, (const char *)buf, len, &o, r, cap, &nr), TOK_OK);
        assert_int_equal(nf, nr);
        assert_memory_equal(f, r, nf * sizeof *f);
        /* room for fewer ids than bytes: the count needed, the ids that fit */
        size_t small = nf / 2 + 1, ns = 0;
        memset(f, 0xFF, cap * sizeof *f);
        assert_int_equal(tok_encode_ids(x.f, (const char *)buf, len, &o, f, small, &ns), TOK_ERR_BUFFER);
        assert_int_equal(ns, nr);
        assert_memory_equal(f, r, small * sizeof *f);
        assert_int_equal(f[small], -1);
        free(f);
        free(r);
    }
    assert_true(direct > 0);
    assert_true(declined > 0);
    teardown(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_search_matches),
        cmocka_unit_test(long_pieces_match_heap),
        cmocka_unit_test(long_pieces_into_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
