/* Pipelines HF runs in ways that are easy to get wrong, each pinned to what
 * the HF tokenizers binding (0.23) gives on the same tokenizer.json:
 * pre-tokenizers after ByteLevel, added-token numbering with its load
 * warnings, Oniguruma patterns in Replace, a BPE that drops what it has no
 * token for. */
#include "testutil.h"

#include <stdlib.h>

#include "bytevocab.h"

/* 256 byte tokens, "ĠÂ" 256, "Â½" 257, "ĠĠ" 258, merges in that order. */
static tok_tokenizer *bytelevel_bpe(const char *pretok)
{
    tok_sbuf b = { 0 };
    tok_sbuf_printf(&b, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
    tu_put_byte_vocab(&b);
    tok_sbuf_printf(&b, ",\"\xC4\xA0\xC3\x82\":256,\"\xC3\x82\xC2\xBD\":257,\"\xC4\xA0\xC4\xA0\":258},"
                        "\"merges\":[\"\xC4\xA0 \xC3\x82\",\"\xC3\x82 \xC2\xBD\",\"\xC4\xA0 \xC4\xA0\"]},"
                        "\"pre_tokenizer\":%s}", pretok);
    tok_sbuf_cstr(&b);
    tok_tokenizer *t = tu_load_json(b.v);
    free(b.v);
    return t;
}

static void expect(tok_tokenizer *t, const char *text, const int32_t *ids, const uint32_t (*off)[2], size_t n)
{
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(c, text, strlen(text), NULL, &e), TOK_OK);
    assert_int_equal(e.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e.ids[i], ids[i]);
        assert_int_equal(e.offsets[i].start, off[i][0]);
        assert_int_equal(e.offsets[i].end, off[i][1]);
    }
    tok_ctx_free(c);
}

/* HF: ByteLevel turns " ½" into "ĠÂ½"; Digits then sees "½" (numeric) apart
 * from "ĠÂ": tokens ĠÂ | ½, both reporting the whole "½" (bytes 1..3). */
static void digits_after_bytelevel(void **state)
{
    (void)state;
    tok_tokenizer *t = bytelevel_bpe(
        "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
        "\"trim_offsets\":true,\"use_regex\":true},{\"type\":\"Digits\",\"individual_digits\":false}]}");
    static const int32_t ids[] = { 256, 189 };
    static const uint32_t off[][2] = { { 0, 3 }, { 1, 3 } };
    expect(t, " \xC2\xBD", ids, off, 2);
    tok_free(t);
}

/* After ByteLevel a space is "Ġ", not whitespace: WhitespaceSplit keeps it. */
static void whitespace_split_after_bytelevel(void **state)
{
    (void)state;
    tok_tokenizer *t = bytelevel_bpe(
        "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
        "\"trim_offsets\":true,\"use_regex\":false},{\"type\":\"WhitespaceSplit\"}]}");
    static const int32_t ids[] = { 97, 32, 256, 189, 32, 98 };
    static const uint32_t off[][2] = { { 0, 1 }, { 1, 2 }, { 2, 5 }, { 3, 5 }, { 5, 6 }, { 6, 7 } };
    expect(t, "a  \xC2\xBD b", ids, off, 6);
    tok_free(t);
}

#define ADDED(id, c) "{\"id\":" #id ",\"content\":\"" c "\",\"single_word\":false,\"lstrip\":false," \
                     "\"rstrip\":false,\"normalized\":false,\"special\":false}"

/* HF add_tokens numbering: "a" is in the vocabulary (0); X, Y, Z get the
 * next free ids 4, 5, 6 whatever the file says; the second X is the first.
 * Every disagreement is a load warning naming the place. */
static void added_tokens_numbered_as_hf(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"added_tokens\":[" ADDED(0, "a") "," ADDED(7, "X") "," ADDED(9, "Y") "," ADDED(3, "Z") "," ADDED(12, "X")
        "],\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"
        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"[UNK]\":3},\"unk_token\":\"[UNK]\"}}");
    static const int32_t ids[] = { 0, 4, 1, 5, 6, 2, 4 };
    static const uint32_t off[][2] = { { 0, 1 }, { 2, 3 }, { 4, 5 }, { 5, 6 }, { 7, 8 }, { 9, 10 }, { 11, 12 } };
    expect(t, "a X bY Z c X", ids, off, 7);
    assert_int_equal(tok_warning_count(t), 4);
    assert_non_null(strstr(tok_warning(t, 0), "added_tokens[1]"));
    assert_non_null(strstr(tok_warning(t, 0), "has id 7 in the file; numbered 4"));
    assert_non_null(strstr(tok_warning(t, 3), "has id 12 in the file; numbered 4"));
    assert_null(tok_warning(t, 4));
    assert_int_equal(tok_vocab_size(t), 7);
    tok_free(t);
}

/* Consistent files load without warnings; the count is capped. */
static void warnings_bounded(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"added_tokens\":[" ADDED(4, "X") "],"
        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"[UNK]\":3},\"unk_token\":\"[UNK]\"}}");
    assert_int_equal(tok_warning_count(t), 0);
    tok_free(t);
    tok_sbuf b = { 0 };
    tok_sbuf_printf(&b, "{\"added_tokens\":[");
    for (int i = 0; i < 500; i++)
        tok_sbuf_printf(&b, "%s{\"id\":%d,\"content\":\"t%d\",\"special\":true}", i ? "," : "", 1000 + i, i);
    tok_sbuf_printf(&b, "],\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"[UNK]\":1},\"unk_token\":\"[UNK]\"}}");
    tok_sbuf_cstr(&b);
    t = tu_load_json(b.v);
    free(b.v);
    assert_int_equal(tok_warning_count(t), 65);
    assert_non_null(strstr(tok_warning(t, 64), "436 more warnings"));
    assert_int_equal(tok_token_id(t, "t499", 4), 501);
    assert_int_equal(tok_warning_count(NULL), 0);
    tok_free(t);
}

/* Replace {Regex: "a{,2}"} (Oniguruma: {0,2}) as normalizer and as decoder:
 * HF normalizes "aaa" to "XX" (matches "aa", "a"; the empty match at the end
 * touches the last one) and decodes each "a" token to "X". */
static void replace_uses_the_one_translator(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"a{,2}\"},\"content\":\"X\"},"
        "\"decoder\":{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"a{,2}\"},\"content\":\"X\"},"
        "\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"X\":1},\"merges\":[]}}");
    static const int32_t ids[] = { 1, 1 };
    static const uint32_t off[][2] = { { 1, 2 }, { 2, 3 } };
    expect(t, "aaa", ids, off, 2);
    tok_ctx *c = tok_ctx_new(t);
    static const int32_t as[] = { 0, 0, 0 };
    const char *text;
    size_t len;
    assert_int_equal(tok_decode(c, as, 3, 0, &text, &len), TOK_OK);
    assert_string_equal(text, "XXX");
    tok_ctx_free(c);
    tok_free(t);
}

/* BPE without unk or byte fallback: HF drops "x" and "é" and merges across
 * them; libtok gives HF's ids and counts the 3 dropped bytes.  (HF's own
 * offsets after a dropped character are shifted left by it; libtok's are
 * where the tokens are.) */
static void dropped_bytes_counted(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
        "\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3},\"merges\":[\"a b\"]}}");
    static const int32_t ids[] = { 3, 2, 0, 1 };
    static const uint32_t off[][2] = { { 0, 2 }, { 3, 4 }, { 5, 6 }, { 9, 10 } };
    expect(t, "abxc a\xC3\xA9 b", ids, off, 4);
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "axb", 3, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 1); /* "a" "b" join across the dropped "x" */
    assert_int_equal(e.ids[0], 3);
    assert_int_equal(tok_dropped_bytes(c), 1);
    assert_int_equal(tok_encode(c, "ab c", 4, NULL, &e), TOK_OK);
    assert_int_equal(tok_dropped_bytes(c), 0);
    assert_int_equal(tok_dropped_bytes(NULL), 0);
    tok_ctx_free(c);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digits_after_bytelevel),
        cmocka_unit_test(whitespace_split_after_bytelevel),
        cmocka_unit_test(added_tokens_numbered_as_hf),
        cmocka_unit_test(warnings_bounded),
        cmocka_unit_test(replace_uses_the_one_translator),
        cmocka_unit_test(dropped_bytes_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
