/* Batch encode/decode and the streaming encoder against plain tok_encode /
 * tok_decode on real tokenizers and text from the reference cache. */
#include "testutil.h"

#include <stdlib.h>
#include <unistd.h>

/* A cached file; its absence fails the test (make check fetches the cache). */
static char *cached(const char *rel, size_t *len)
{
    char path[2048];
    char *b = tu_read_file(tu_cache_path(rel, path, sizeof path), len);
    if (!b) fail_msg("%s missing: run sh scripts/fetch-refs.sh", path);
    return b;
}

static tok_tokenizer *load_cached(const char *name)
{
    char rel[256], path[2048];
    snprintf(rel, sizeof rel, "tokenizers/%s", name);
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load(tu_cache_path(rel, path, sizeof path), NULL, &err);
    if (!t) fail_msg("%s: %s", path, err.message);
    return t;
}

/* Lines of a text as (pointer, length) pairs. */
static size_t split_lines(char *s, size_t len, const char ***texts, size_t **lens)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += s[i] == '\n';
    *texts = malloc((n + 1) * sizeof **texts);
    *lens = malloc((n + 1) * sizeof **lens);
    size_t k = 0, at = 0;
    for (size_t i = 0; i <= len; i++)
        if (i == len || s[i] == '\n') {
            (*texts)[k] = s + at;
            (*lens)[k] = i - at;
            k++;
            at = i + 1;
        }
    return k;
}

static void check_batch(const char *name, uint32_t flags, int threads)
{
    size_t len;
    char *text = cached("texts/multilingual.txt", &len);
    if (len > 200000) len = 200000;
    while (len && ((unsigned char)text[len] & 0xC0) == 0x80) len--;
    tok_tokenizer *t = load_cached(name);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_batch *b = tok_batch_new(t);
    const char **texts;
    size_t *lens;
    size_t n = split_lines(text, len, &texts, &lens);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = flags;
    for (int round = 0; round < 2; round++) { /* the second round reuses the batch */
        assert_int_equal(tok_encode_batch(b, texts, lens, n, &o, threads), TOK_OK);
        assert_int_equal(tok_batch_count(b), n);
        const size_t *starts;
        size_t total;
        const int32_t *all = tok_batch_ids(b, &starts, &total);
        size_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            tok_encoding want, got;
            assert_int_equal(tok_encode(ctx, texts[i], lens[i], &o, &want), TOK_OK);
            assert_int_equal(tok_batch_get(b, i, &got), TOK_OK);
            assert_int_equal(got.n, want.n);
            assert_int_equal(starts[i + 1] - starts[i], want.n);
            for (size_t k = 0; k < want.n; k++) {
                assert_int_equal(got.ids[k], want.ids[k]);
                assert_int_equal(all[starts[i] + k], want.ids[k]);
                assert_int_equal(got.words[k], want.words[k]);
                assert_int_equal(got.special[k], want.special[k]);
                if (flags & TOK_ENC_OFFSETS) {
                    assert_int_equal(got.offsets[k].start, want.offsets[k].start);
                    assert_int_equal(got.offsets[k].end, want.offsets[k].end);
                } else {
                    assert_null(got.offsets);
                }
            }
            sum += want.n;
        }
        assert_int_equal(total, sum);
        assert_true(sum > 1000);
    }
    /* decode the batch back */
    const int32_t **seqs = malloc(n * sizeof *seqs);
    size_t *ns = malloc(n * sizeof *ns);
    const size_t *starts;
    size_t total;
    const int32_t *all = tok_batch_ids(b, &starts, &total);
    int32_t *ids = malloc((total + 1) * sizeof *ids);
    memcpy(ids, all, total * sizeof *ids);
    size_t *st = malloc((n + 1) * sizeof *st);
    memcpy(st, starts, (n + 1) * sizeof *st);
    for (size_t i = 0; i < n; i++) {
        seqs[i] = ids + st[i];
        ns[i] = st[i + 1] - st[i];
    }
    assert_int_equal(tok_decode_batch(b, seqs, ns, n, TOK_DEC_SKIP_SPECIAL, threads), TOK_OK);
    for (size_t i = 0; i < n; i++) {
        const char *want, *got;
        size_t wl, gl;
        assert_int_equal(tok_decode(ctx, seqs[i], ns[i], TOK_DEC_SKIP_SPECIAL, &want, &wl), TOK_OK);
        got = tok_batch_text(b, i, &gl);
        assert_non_null(got);
        assert_int_equal(gl, wl);
        assert_memory_equal(got, want, wl);
        assert_int_equal(got[gl], 0);
    }
    free(seqs);
    free(ns);
    free(ids);
    free(st);
    free(texts);
    free(lens);
    tok_batch_free(b);
    tok_ctx_free(ctx);
    tok_free(t);
    free(text);
}

static void test_batch_llama3(void **state)
{
    (void)state;
    check_batch("llama3.json", TOK_ENC_ADD_SPECIAL | TOK_ENC_OFFSETS, 1);
    check_batch("llama3.json", TOK_ENC_ADD_SPECIAL | TOK_ENC_OFFSETS, 2);
    check_batch("llama3.json", 0, 2); /* ids only */
}

static void test_batch_other_families(void **state)
{
    (void)state;
    check_batch("bert-base-uncased.json", TOK_ENC_ADD_SPECIAL | TOK_ENC_OFFSETS, 2);
    check_batch("albert.model", TOK_ENC_OFFSETS, 2);
    check_batch("o200k_base.tiktoken", 0, 3);
}

static void test_batch_error_names_text(void **state)
{
    (void)state;
    tok_tokenizer *t = load_cached("o200k_base.tiktoken");
    tok_batch *b = tok_batch_new(t);
    const char *texts[3] = { "fine", "bad \xff byte", "also fine" };
    size_t lens[3] = { 4, 10, 9 };
    assert_int_equal(tok_encode_batch(b, texts, lens, 3, NULL, 2), TOK_ERR_UTF8);
    assert_non_null(strstr(tok_batch_error(b), "text 1"));
    assert_non_null(strstr(tok_batch_error(b), "byte offset 4"));
    assert_int_equal(tok_batch_count(b), 0);
    tok_encoding e;
    assert_int_equal(tok_batch_get(b, 0, &e), TOK_ERR_RANGE);
    assert_int_equal(tok_encode_batch(b, texts, lens, 0, NULL, 2), TOK_OK);
    assert_int_equal(tok_batch_count(b), 0);
    tok_batch_free(b);
    tok_free(t);
}

/* Sequences that decode to nothing: a worker may finish without ever having
 * a buffer (CI's ASan+UBSan run caught memcpy from NULL under load). */
static void test_decode_batch_empty(void **state)
{
    (void)state;
    tok_tokenizer *t = load_cached("bert-base-uncased.json");
    tok_batch *b = tok_batch_new(t);
    int32_t cls = tok_token_id(t, "[CLS]", 5);
    assert_true(cls >= 0);
    const int32_t *seqs[6] = { &cls, NULL, &cls, &cls, NULL, &cls };
    size_t ns[6] = { 1, 0, 1, 1, 0, 1 };
    for (int threads = 1; threads <= 3; threads++) {
        assert_int_equal(tok_decode_batch(b, seqs, ns, 6, TOK_DEC_SKIP_SPECIAL, threads), TOK_OK);
        for (size_t i = 0; i < 6; i++) {
            size_t gl = 99;
            const char *got = tok_batch_text(b, i, &gl);
            assert_non_null(got);
            assert_int_equal(gl, 0);
            assert_int_equal(got[0], 0);
        }
    }
    tok_batch_free(b);
    tok_free(t);
}

/* An empty first chunk (NULL or "") before the encoder has a buffer. */
static void test_stream_empty_chunks(void **state)
{
    (void)state;
    tok_tokenizer *t = load_cached("o200k_base.tiktoken");
    tok_encoder *s = tok_encoder_new(t, NULL);
    tok_encoding e;
    assert_int_equal(tok_encoder_push(s, NULL, 0, &e), TOK_OK);
    assert_int_equal(tok_encoder_push(s, "", 0, &e), TOK_OK);
    assert_int_equal(e.n, 0);
    assert_int_equal(tok_encoder_push(s, "hello world\n", 12, &e), TOK_OK);
    assert_int_equal(tok_encoder_finish(s, &e), TOK_OK);
    tok_encoder_free(s);
    tok_free(t);
}

/* Streaming: chunks of random sizes give the same ids, offsets and words
 * as the whole text, and the buffer never holds much more than a line. */
static void check_stream(const char *name, const char *textfile)
{
    size_t len;
    char *text = cached(textfile, &len);
    tok_tokenizer *t = load_cached(name);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_OFFSETS;
    tok_encoding whole;
    assert_int_equal(tok_encode(ctx, text, len, &o, &whole), TOK_OK);
    tok_encoder *s = tok_encoder_new(t, &o);
    assert_non_null(s);
    size_t at = 0, k = 0, pushes = 0, emitted = 0;
    unsigned seed = 12345;
    for (int last = 0; !last;) {
        tok_encoding e;
        if (at < len) {
            seed = seed * 1103515245u + 12345u;
            size_t step = 1 + (seed >> 8) % 7000;
            if (step > len - at) step = len - at;
            assert_int_equal(tok_encoder_push(s, text + at, step, &e), TOK_OK);
            at += step;
            pushes++;
        } else {
            assert_int_equal(tok_encoder_finish(s, &e), TOK_OK);
            last = 1;
        }
        if (e.n) emitted++;
        uint64_t base = tok_encoder_offset(s);
        for (size_t i = 0; i < e.n; i++, k++) {
            assert_true(k < whole.n);
            assert_int_equal(e.ids[i], whole.ids[k]);
            assert_int_equal(base + e.offsets[i].start, whole.offsets[k].start);
            assert_int_equal(base + e.offsets[i].end, whole.offsets[k].end);
            assert_int_equal(e.words[i], whole.words[k]);
        }
    }
    assert_int_equal(k, whole.n);
    tok_encoder_free(s);
    tok_ctx_free(ctx);
    tok_free(t);
    free(text);
    (void)pushes;
    (void)emitted;
}

static void test_stream_equals_whole(void **state)
{
    (void)state;
    check_stream("o200k_base.tiktoken", "texts/english.txt");
    check_stream("llama3.json", "texts/multilingual.txt");
    check_stream("cl100k_base.tiktoken", "texts/code.txt");
    check_stream("mistral.json", "texts/hardcases.txt"); /* no safe cuts: kept whole */
    /* GPT-2's pattern: "\n\n" before a letter is two pre-tokens, but one at
     * the end of a part; cuts must not fall there */
    check_stream("r50k_base.tiktoken", "texts/english.txt");
    check_stream("p50k_base.tiktoken", "texts/multilingual.txt");
}

/* The threaded encoder cuts by the same rule: equal to one thread. */
static void test_threads_equal_whole(void **state)
{
    (void)state;
    static const char *const names[] = { "r50k_base.tiktoken", "cl100k_base.tiktoken", "o200k_base.tiktoken", "llama3.json" };
    size_t len;
    char *text = cached("texts/english-10m.txt", &len);
    if (len > (3u << 20)) len = 3u << 20;
    while (len && ((unsigned char)text[len] & 0xC0) == 0x80) len--;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        tok_tokenizer *t = load_cached(names[k]);
        tok_ctx *a = tok_ctx_new(t), *b = tok_ctx_new(t);
        tok_encoding one, two;
        assert_int_equal(tok_encode(a, text, len, NULL, &one), TOK_OK);
        assert_int_equal(tok_encode_threads(b, text, len, NULL, 2, &two), TOK_OK);
        assert_int_equal(one.n, two.n);
        for (size_t i = 0; i < one.n; i++) {
            if (one.ids[i] != two.ids[i]) fail_msg("%s: token %zu: %d vs %d", names[k], i, one.ids[i], two.ids[i]);
            assert_int_equal(one.offsets[i].start, two.offsets[i].start);
        }
        tok_ctx_free(a);
        tok_ctx_free(b);
        tok_free(t);
    }
    free(text);
}

static void test_stream_invalid_utf8_offset(void **state)
{
    (void)state;
    tok_tokenizer *t = load_cached("o200k_base.tiktoken");
    tok_encoder *s = tok_encoder_new(t, NULL);
    tok_encoding e;
    assert_int_equal(tok_encoder_push(s, "hello\nworld\n", 12, &e), TOK_OK);
    assert_int_equal(tok_encoder_push(s, "again\xc3", 6, &e), TOK_OK);
    assert_int_equal(tok_encoder_push(s, "(\nnext", 6, &e), TOK_ERR_UTF8);
    assert_non_null(strstr(tok_encoder_error(s), "byte offset 17"));
    assert_int_equal(tok_encoder_push(s, "x", 1, &e), TOK_ERR_ARG);
    tok_encoder_free(s);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_llama3),
        cmocka_unit_test(test_batch_other_families),
        cmocka_unit_test(test_batch_error_names_text),
        cmocka_unit_test(test_decode_batch_empty),
        cmocka_unit_test(test_stream_empty_chunks),
        cmocka_unit_test(test_stream_equals_whole),
        cmocka_unit_test(test_stream_invalid_utf8_offset),
        cmocka_unit_test(test_threads_equal_whole),
    };
    return cmocka_run_group_tests_name("batch and streaming encode", tests, NULL, NULL);
}
