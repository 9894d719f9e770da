/* BPE model: merge order, ties, byte fallback, unk fusing, dropout, errors. */
#include "testutil.h"

#define BL_JSON(merges, extra)                                                                  \
    "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4,\"bc\":5," \
    "\"aa\":6,\"Ġ\":7,\"Ġa\":8}," extra "\"merges\":" merges "},"                                  \
    "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false},"  \
    "\"decoder\":{\"type\":\"ByteLevel\"},\"added_tokens\":[]}"

static void merges_by_rank(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(BL_JSON("[\"a b\", \"ab c\", \"b c\", \"a a\"]", ""));
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "abcab", 0, TU_IDS(4, 3));
    /* ties between equal ranks go left first: "aaa" -> aa a */
    tu_expect_ids(c, "aaa", 0, TU_IDS(6, 0));
    /* rank order, not position: b c (rank 2) loses to a b (rank 0) */
    tu_expect_ids(c, "abc", 0, TU_IDS(4));
    tu_expect_ids(c, " a", 0, TU_IDS(7, 0));
    /* the cache replays the same answer */
    tu_expect_ids(c, "abcab", 0, TU_IDS(4, 3));
    tok_ctx_free(c);
    tok_free(t);
}

static void pairs_as_arrays_and_offsets(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(BL_JSON("[[\"a\",\"b\"], [\"ab\",\"c\"]]", ""));
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "abcb", 4, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.ids[0], 4);
    assert_int_equal(e.ids[1], 1);
    assert_int_equal(e.offsets[0].start, 0);
    assert_int_equal(e.offsets[0].end, 3);
    assert_int_equal(e.offsets[1].start, 3);
    assert_int_equal(e.offsets[1].end, 4);
    const char *text;
    size_t len;
    assert_int_equal(tok_decode(c, e.ids, e.n, 0, &text, &len), TOK_OK);
    assert_string_equal(text, "abcb");
    tok_ctx_free(c);
    tok_free(t);
}

static void dropout_one_keeps_bytes(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(BL_JSON("[\"a b\", \"ab c\"]", ""));
    tok_ctx *c = tok_ctx_new(t);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.dropout = 1.0f;
    o.seed = 7;
    tok_encoding e;
    assert_int_equal(tok_encode(c, "abc", 3, &o, &e), TOK_OK);
    assert_int_equal(e.n, 3);
    /* seeded dropout is reproducible */
    o.dropout = 0.5f;
    int32_t first[16];
    size_t n1;
    assert_int_equal(tok_encode(c, "abcabcabcabc", 12, &o, &e), TOK_OK);
    n1 = e.n;
    memcpy(first, e.ids, n1 * sizeof *first);
    assert_int_equal(tok_encode(c, "abcabcabcabc", 12, &o, &e), TOK_OK);
    assert_int_equal(e.n, n1);
    assert_memory_equal(first, e.ids, n1 * sizeof *first);
    tok_ctx_free(c);
    tok_free(t);
}

static const char spm_json[] =
    "{\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":true,"
    "\"vocab\":{\"<unk>\":0,\"<0xC3>\":1,\"<0xA9>\":2,\"\xE2\x96\x81\":3,\"h\":4,\"i\":5,\"hi\":6,\"\xE2\x96\x81hi\":7},"
    "\"merges\":[\"h i\",\"\xE2\x96\x81 hi\"]},"
    "\"normalizer\":null,\"pre_tokenizer\":null,\"added_tokens\":[]}";

static void byte_fallback_and_unk(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(spm_json);
    tok_ctx *c = tok_ctx_new(t);
    /* é has no token: its two bytes; z has neither: unk */
    tu_expect_ids(c, "\xE2\x96\x81hi\xC3\xA9", 0, TU_IDS(7, 1, 2));
    tok_ctx_free(c);
    tok_free(t);
    /* without byte fallback: consecutive unknown chars fuse into one unk */
    const char *j2 =
        "{\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,"
        "\"vocab\":{\"<unk>\":0,\"h\":1,\"i\":2,\"hi\":3},\"merges\":[\"h i\"]},\"added_tokens\":[]}";
    t = tu_load_json(j2);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "hixyhi", 0, TU_IDS(3, 0, 3));
    tok_ctx_free(c);
    tok_free(t);
}

static void bad_files(void **state)
{
    (void)state;
    tu_load_fails(BL_JSON("[\"a b\", \"a zz\"]", ""), TOK_ERR_FORMAT, "model.merges[1]");
    tu_load_fails(BL_JSON("[\"a b\", 5]", ""), TOK_ERR_FORMAT, "model.merges[1]");
    tu_load_fails(BL_JSON("[\"a b\"]", "\"dropout\":\"x\","), TOK_ERR_FORMAT, "model.dropout");
    tu_load_fails("{\"model\":{\"type\":\"Nope\"}}", TOK_ERR_UNSUPPORTED, "Nope");
    tu_load_fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":\"x\"}}}", TOK_ERR_FORMAT, "model.vocab.a");
    tu_load_fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{}}", TOK_ERR_FORMAT, "bad.json:1:");
    tu_load_fails("[1,2]", TOK_ERR_FORMAT, "bad.json");
}

static void invalid_utf8(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(BL_JSON("[\"a b\"]", ""));
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "ab\xFF" "a", 4, NULL, &e), TOK_ERR_UTF8);
    assert_non_null(strstr(tok_ctx_error(c), "byte offset 2"));
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags |= TOK_ENC_LOSSY;
    /* U+FFFD has no token in this vocab and there is no unk: it is dropped, offsets still sane */
    assert_int_equal(tok_encode(c, "ab\xFF" "a", 4, &o, &e), TOK_OK);
    assert_true(e.n >= 2);
    assert_int_equal(e.ids[0], 3);
    tok_ctx_free(c);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merges_by_rank),
        cmocka_unit_test(pairs_as_arrays_and_offsets),
        cmocka_unit_test(dropout_one_keeps_bytes),
        cmocka_unit_test(byte_fallback_and_unk),
        cmocka_unit_test(bad_files),
        cmocka_unit_test(invalid_utf8),
    };
    return cmocka_run_group_tests_name("bpe", tests, NULL, NULL);
}
