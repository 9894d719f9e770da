/* BPE fast paths against the reference heap on the real byte-level files
 * of the reference cache (llama3's HF merge list, o200k and cl100k ranks):
 * the fast paths must be on, and give the heap's ids and offsets on every
 * token's own bytes, on pre-tokens glued from random tokens, on long runs
 * without split points and on slices of the real texts.  A file missing from
 * the cache skips its test, which the unit runner counts as a failure
 * (scripts/fetch-refs.sh fetches them). */
#include "testutil.h"
#include "libtok/internal.h"

#include <unistd.h>

/* under ASan+UBSan (make unit-asan) a quarter of the random cases and text */
#if defined(__SANITIZE_ADDRESS__)
#define SCALE 4
#else
#define SCALE 1
#endif

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs % n);
}

typedef struct pair_ctx { tok_ctx *f, *r; tok_encode_options o; size_t checked; } pair_ctx;

static void same_piece(pair_ctx *c, const char *p, size_t n, const char *what)
{
    tok_encoding ef, er;
    assert_int_equal(tok_encode_pretoken(c->f, p, n, &c->o, &ef), TOK_OK);
    size_t nf = ef.n;
    int32_t *idf = malloc((nf + 1) * sizeof *idf);
    tok_offset *of = malloc((nf + 1) * sizeof *of);
    assert_non_null(idf);
    assert_non_null(of);
    memcpy(idf, ef.ids, nf * sizeof *idf);
    memcpy(of, ef.offsets, nf * sizeof *of);
    assert_int_equal(tok_encode_pretoken(c->r, p, n, &c->o, &er), TOK_OK);
    if (nf != er.n || memcmp(idf, er.ids, nf * sizeof *idf) || memcmp(of, er.offsets, nf * sizeof *of)) {
        size_t k = 0;
        while (k < nf && k < er.n && idf[k] == er.ids[k]) k++;
        fail_msg("%s: fast path differs from the heap on a %zu-byte pre-token (%zu vs %zu tokens, first "
                 "difference at token %zu: %d vs %d)",
                 what, n, nf, er.n, k, k < nf ? idf[k] : -1, k < er.n ? er.ids[k] : -1);
    }
    free(idf);
    free(of);
    c->checked++;
}

static void same_text(pair_ctx *c, const char *p, size_t n, const char *what)
{
    tok_encoding ef, er;
    assert_int_equal(tok_encode(c->f, p, n, &c->o, &ef), TOK_OK);
    size_t nf = ef.n;
    int32_t *idf = malloc((nf + 1) * sizeof *idf);
    assert_non_null(idf);
    memcpy(idf, ef.ids, nf * sizeof *idf);
    assert_int_equal(tok_encode(c->r, p, n, &c->o, &er), TOK_OK);
    if (nf != er.n || memcmp(idf, er.ids, nf * sizeof *idf)) fail_msg("%s: fast path differs from the heap", what);
    free(idf);
    c->checked++;
}

/* rel in the reference cache; with pack, written to a .tokpack first and
 * loaded from there (the tables stored, irregular tokens included) */
static void check_file(const char *rel, bool pack)
{
    char path[1024];
    tu_cache_path(rel, path, sizeof path);
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load(path, NULL, &err);
    char tmp[] = "/tmp/test_bpe_real.XXXXXX";
    if (t && pack) {
        int fd = mkstemp(tmp);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(tok_save_tokpack(t, tmp, 0, &err), TOK_OK);
        tok_free(t);
        t = tok_load(tmp, NULL, &err);
        remove(tmp);
        assert_non_null(t);
    }
    if (!t) {
        /* skipped, which the unit runner counts as a failure */
        fprintf(stderr, "%s not in the reference cache (%s): run sh scripts/fetch-refs.sh\n", rel, err.message);
        skip();
    }
    pair_ctx c = { tok_ctx_new(t), tok_ctx_new(t), { 0 }, 0 };
    assert_non_null(c.f);
    assert_non_null(c.r);
    tok_encode_options_init(&c.o);
    c.o.flags = TOK_ENC_OFFSETS;
    /* the model scratch exists after a first encode */
    tok_encoding e;
    assert_int_equal(tok_encode_pretoken(c.f, "a", 1, &c.o, &e), TOK_OK);
    assert_int_equal(tok_encode_pretoken(c.r, "a", 1, &c.o, &e), TOK_OK);
    tok__bpe_reference(c.r, true);
    if (!tok__bpe_fast(c.f)) fail_msg("%s: the fast paths are off", rel);

    /* every model token's own bytes, whole and without its last byte */
    size_t nv = tok_vocab_size(t), ntok = 0;
    int32_t *ids = malloc(nv * sizeof *ids);
    assert_non_null(ids);
    for (size_t i = 0; i < nv; i++) {
        size_t len;
        const uint8_t *b = tok_token_bytes(t, (int32_t)i, &len);
        if (!b || !len || (tok_token_flags(t, (int32_t)i) & (TOK_TOKEN_NONE | TOK_TOKEN_SPECIAL))) continue;
        if (tok_added_flags(t, (int32_t)i)) continue;
        ids[ntok++] = (int32_t)i;
        same_piece(&c, (const char *)b, len, rel);
        if (len > 1) same_piece(&c, (const char *)b, len - 1, rel);
    }
    /* pre-tokens glued from 2-5 random tokens: the boundaries are where the
     * compatibility check works */
    static char buf[1 << 16];
    for (int k = 0; k < 30000 / SCALE; k++) {
        size_t n = 0;
        int parts = 2 + (int)rnd(4);
        for (int j = 0; j < parts; j++) {
            size_t len;
            const uint8_t *b = tok_token_bytes(t, ids[rnd((uint32_t)ntok)], &len);
            if (n + len > 512) break;
            memcpy(buf + n, b, len);
            n += len;
        }
        if (n) same_piece(&c, buf, n, rel);
    }
    /* no split points: runs of one byte or character, and random letters */
    const char *runs[] = { "a", "7", " ", "\xe4\xb8\xad", "ab", ".:", "\n", "=" };
    for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
        size_t l = strlen(runs[r]), n = 0;
        while (n + l <= 20000) {
            memcpy(buf + n, runs[r], l);
            n += l;
        }
        same_piece(&c, buf, n, rel);
        same_piece(&c, buf, 1 + rnd(300), rel);
    }
    for (int k = 0; k < 20; k++) {
        size_t n = 1 + rnd(k < 2 ? 30000 : 2000);
        for (size_t i = 0; i < n; i++) buf[i] = (char)('a' + rnd(k % 3 ? 26 : 3));
        same_piece(&c, buf, n, rel);
    }
    /* slices of the real texts, through the whole pipeline */
    const char *texts[] = { "texts/english.txt", "texts/multilingual.txt", "texts/code.txt", "texts/hardcases.txt" };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        size_t len = 0;
        char *s = tu_read_file(tu_cache_path(texts[i], path, sizeof path), &len);
        if (!s) fail_msg("%s missing: run sh scripts/fetch-refs.sh", path);
        same_text(&c, s, len < 300000 / SCALE ? len : 300000 / SCALE, texts[i]);
        free(s);
    }
    fprintf(stderr, "%s: %zu pre-tokens and texts identical to the heap\n", rel, c.checked);
    free(ids);
    tok_ctx_free(c.f);
    tok_ctx_free(c.r);
    tok_free(t);
}

static void llama3_merge_list(void **state)
{
    (void)state;
    check_file("tokenizers/llama3.json", false);
}

static void llama3_tokpack(void **state)
{
    (void)state;
    check_file("tokenizers/llama3.json", true);
}

static void o200k_ranks(void **state)
{
    (void)state;
    check_file("tokenizers/o200k_base.tiktoken", false);
}

static void cl100k_ranks(void **state)
{
    (void)state;
    check_file("tokenizers/cl100k_base.tiktoken", false);
}

static void o200k_merge_list(void **state)
{
    (void)state;
    check_file("tokenizers/o200k.json", false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(llama3_merge_list),
        cmocka_unit_test(llama3_tokpack),
        cmocka_unit_test(o200k_ranks),
        cmocka_unit_test(cl100k_ranks),
        cmocka_unit_test(o200k_merge_list),
    };
    return cmocka_run_group_tests_name("bpe_real", tests, NULL, NULL);
}
