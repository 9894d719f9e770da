/* Truncation and padding through the public API, pinned to the HF binding
 * (tokenizers 0.23: setTruncation/setPadding on the same tokenizer.json):
 * stride and overflowing parts, left side, pairs in HF's order, padding to a
 * fixed length or a multiple, the attention mask, the size-field ABI rule and
 * the errors HF raises. */
#include "testutil.h"

#include <stddef.h>
#include <stdlib.h>

/* WordLevel a..l (ids 4..15), [PAD] 0 [UNK] 1 [CLS] 2 [SEP] 3, Whitespace,
 * TemplateProcessing "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1". */
static const char k_json[] = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},{\"id\":1,\"content\":\"[UNK]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},{\"id\":2,\"content\":\"[CLS]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},{\"id\":3,\"content\":\"[SEP]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}}],\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}}},\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"a\":4,\"b\":5,\"c\":6,\"d\":7,\"e\":8,\"f\":9,\"g\":10,\"h\":11,\"i\":12,\"j\":13,\"k\":14,\"l\":15},\"unk_token\":\"[UNK]\"}}";

static void ids_are(const int32_t *got, size_t n, const int32_t *want, size_t wn)
{
    assert_int_equal(n, wn);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) fail_msg("id %zu is %d, want %d", i, got[i], want[i]);
}

static void stride_and_overflow(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(k_json);
    tok_ctx *c = tok_ctx_new(t);
    tok_truncation tr;
    tok_truncation_init(&tr);
    tr.enabled = 1;
    tr.max_length = 6;
    tr.stride = 1;
    assert_int_equal(tok_ctx_set_truncation(c, &tr), TOK_OK);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "a b c d e f g h", 15, NULL, &e), TOK_OK);
    static const int32_t main_ids[] = { 2, 4, 5, 6, 7, 3 }, over_ids[] = { 2, 7, 8, 9, 3 };
    ids_are(e.ids, e.n, main_ids, 6);
    assert_int_equal(tok_overflowing_count(c), 1);
    tok_encoding o;
    const uint8_t *m;
    assert_int_equal(tok_overflowing(c, 0, &o, &m), TOK_OK);
    ids_are(o.ids, o.n, over_ids, 5);
    assert_int_equal(o.offsets[1].start, 6); /* "d" */
    assert_int_equal(tok_overflowing(c, 1, &o, &m), TOK_ERR_RANGE);
    /* back to the file's settings: none */
    assert_int_equal(tok_ctx_set_truncation(c, NULL), TOK_OK);
    assert_int_equal(tok_encode(c, "a b c d e f g h", 15, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 10);
    assert_int_equal(tok_overflowing_count(c), 0);
    tok_ctx_free(c);
    tok_free(t);
}

static void left_side_and_padding(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(k_json);
    tok_ctx *c = tok_ctx_new(t);
    tok_truncation tr;
    tok_truncation_init(&tr);
    tr.enabled = 1;
    tr.max_length = 6;
    tr.stride = 1;
    tr.direction = TOK_SIDE_LEFT;
    tok_padding p;
    tok_padding_init(&p);
    p.enabled = 1;
    p.length = 8;
    p.direction = TOK_SIDE_LEFT;
    assert_int_equal(tok_ctx_set_truncation(c, &tr), TOK_OK);
    assert_int_equal(tok_ctx_set_padding(c, &p), TOK_OK);
    tok_encoding e, o;
    assert_int_equal(tok_encode(c, "a b c d e f g h", 15, NULL, &e), TOK_OK);
    static const int32_t want[] = { 0, 0, 2, 8, 9, 10, 11, 3 }, over[] = { 0, 0, 0, 2, 6, 7, 8, 3 };
    static const uint8_t mask[] = { 0, 0, 1, 1, 1, 1, 1, 1 }, omask[] = { 0, 0, 0, 1, 1, 1, 1, 1 };
    ids_are(e.ids, e.n, want, 8);
    assert_memory_equal(tok_attention_mask(c), mask, 8);
    assert_int_equal(e.special[0], 1);
    assert_int_equal(e.words[0], -1);
    const uint8_t *m;
    assert_int_equal(tok_overflowing_count(c), 1);
    assert_int_equal(tok_overflowing(c, 0, &o, &m), TOK_OK);
    ids_are(o.ids, o.n, over, 8);
    assert_memory_equal(m, omask, 8);
    tok_ctx_free(c);
    tok_free(t);
}

/* LongestFirst on a pair: HF's lengths and its order of overflowing parts. */
static void pair_order(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(k_json);
    tok_ctx *c = tok_ctx_new(t);
    tok_truncation tr;
    tok_truncation_init(&tr);
    tr.enabled = 1;
    tr.max_length = 7;
    assert_int_equal(tok_ctx_set_truncation(c, &tr), TOK_OK);
    tok_encoding e, o;
    assert_int_equal(tok_encode_pair(c, "a b c d e", 9, "f g h i", 7, NULL, &e), TOK_OK);
    static const int32_t want[] = { 2, 4, 5, 3, 9, 10, 3 };
    static const int32_t over[5][7] = { { 2, 6, 7, 3, 9, 10, 3 }, { 2, 6, 7, 3, 11, 12, 3 }, { 2, 8, 3, 9, 10, 3 },
                                        { 2, 8, 3, 11, 12, 3 }, { 2, 4, 5, 3, 11, 12, 3 } };
    static const size_t over_n[5] = { 7, 7, 6, 6, 7 };
    ids_are(e.ids, e.n, want, 7);
    assert_int_equal(e.type_ids[4], 1);
    assert_int_equal(tok_overflowing_count(c), 5);
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(tok_overflowing(c, k, &o, NULL), TOK_OK);
        ids_are(o.ids, o.n, over[k], over_n[k]);
    }
    tok_ctx_free(c);
    tok_free(t);
}

/* BatchLongest of one encoding, rounded up to a multiple; an old, shorter
 * struct (size up to max_length) leaves the newer fields at their defaults. */
static void multiple_and_abi(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(k_json);
    tok_ctx *c = tok_ctx_new(t);
    tok_padding p;
    tok_padding_init(&p);
    p.enabled = 1;
    p.multiple = 4;
    assert_int_equal(tok_ctx_set_padding(c, &p), TOK_OK);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "a b c", 5, NULL, &e), TOK_OK);
    static const int32_t want[] = { 2, 4, 5, 6, 3, 0, 0, 0 };
    static const uint8_t mask[] = { 1, 1, 1, 1, 1, 0, 0, 0 };
    ids_are(e.ids, e.n, want, 8);
    assert_memory_equal(tok_attention_mask(c), mask, 8);

    tok_truncation tr;
    tok_truncation_init(&tr);
    tr.enabled = 1;
    tr.max_length = 4;
    tr.stride = 99; /* beyond the size given: not read */
    tr.size = offsetof(tok_truncation, max_length) + sizeof tr.max_length;
    assert_int_equal(tok_ctx_set_truncation(c, &tr), TOK_OK);
    assert_int_equal(tok_ctx_set_padding(c, NULL), TOK_OK);
    assert_int_equal(tok_encode(c, "a b c d e", 9, NULL, &e), TOK_OK);
    static const int32_t cut[] = { 2, 4, 5, 3 };
    ids_are(e.ids, e.n, cut, 4);
    tr.size = 0;
    assert_int_equal(tok_ctx_set_truncation(c, &tr), TOK_ERR_ARG);
    tok_ctx_free(c);
    tok_free(t);
}

/* What HF refuses: a stride not below the length left, OnlySecond without a
 * second sequence ("Second sequence not provided"). */
static void errors(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(k_json);
    tok_ctx *c = tok_ctx_new(t);
    tok_truncation tr;
    tok_truncation_init(&tr);
    tr.enabled = 1;
    tr.max_length = 6;
    tr.stride = 4;
    assert_int_equal(tok_ctx_set_truncation(c, &tr), TOK_ERR_ARG);
    assert_non_null(strstr(tok_ctx_error(c), "stride 4"));
    tr.stride = 0;
    tr.strategy = TOK_TRUNC_ONLY_SECOND;
    assert_int_equal(tok_ctx_set_truncation(c, &tr), TOK_OK);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "a b c d e f g h", 15, NULL, &e), TOK_ERR_ARG);
    assert_non_null(strstr(tok_ctx_error(c), "no second sequence"));
    tok_truncation got;
    tok_truncation_init(&got);
    assert_int_equal(tok_get_truncation(t, &got), TOK_OK);
    assert_int_equal(got.enabled, 0);
    tok_ctx_free(c);
    tok_free(t);
}

/* The file's own settings apply by default and survive tok_save. */
static void from_the_file(void **state)
{
    (void)state;
    char *j = strdup(k_json);
    char *at = strstr(j, "\"truncation\":null,\"padding\":null");
    assert_non_null(at);
    const char *settings = "\"truncation\":{\"direction\":\"Right\",\"max_length\":5,\"strategy\":\"LongestFirst\",\"stride\":0},"
                           "\"padding\":{\"strategy\":{\"Fixed\":6},\"direction\":\"Right\",\"pad_to_multiple_of\":null,"
                           "\"pad_id\":0,\"pad_type_id\":0,\"pad_token\":\"[PAD]\"}";
    size_t head = (size_t)(at - j), old = strlen("\"truncation\":null,\"padding\":null");
    char *k = malloc(strlen(j) + strlen(settings) + 1);
    memcpy(k, j, head);
    strcpy(k + head, settings);
    strcat(k, at + old);
    tok_tokenizer *t = tu_load_json(k);
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "a b c d e", 9, NULL, &e), TOK_OK);
    static const int32_t want[] = { 2, 4, 5, 6, 3, 0 };
    ids_are(e.ids, e.n, want, 6);
    assert_int_equal(tok_overflowing_count(c), 1);
    tok_padding p;
    tok_padding_init(&p);
    assert_int_equal(tok_get_padding(t, &p), TOK_OK);
    assert_int_equal(p.enabled, 1);
    assert_int_equal(p.length, 6);
    assert_string_equal(p.pad_token, "[PAD]");
    tok_ctx_free(c);
    tok_free(t);
    free(k);
    free(j);
}

/* HF encode_batch with the file's BatchLongest padding pads every encoding
 * to the longest: [2,4,5,6,3] and [2,4,3,0,0]. */
static void batch_longest(void **state)
{
    (void)state;
    char *j = strdup(k_json);
    char *at = strstr(j, "\"padding\":null");
    assert_non_null(at);
    const char *pad = "\"padding\":{\"strategy\":\"BatchLongest\",\"direction\":\"Right\",\"pad_to_multiple_of\":null,"
                      "\"pad_id\":0,\"pad_type_id\":0,\"pad_token\":\"[PAD]\"}";
    char *k = malloc(strlen(j) + strlen(pad) + 1);
    memcpy(k, j, (size_t)(at - j));
    strcpy(k + (at - j), pad);
    strcat(k, at + strlen("\"padding\":null"));
    tok_tokenizer *t = tu_load_json(k);
    tok_batch *b = tok_batch_new(t);
    const char *texts[] = { "a b c", "a" };
    size_t lens[] = { 5, 1 };
    assert_int_equal(tok_encode_batch(b, texts, lens, 2, NULL, 2), TOK_OK);
    static const int32_t w0[] = { 2, 4, 5, 6, 3 }, w1[] = { 2, 4, 3, 0, 0 };
    tok_encoding e;
    assert_int_equal(tok_batch_get(b, 0, &e), TOK_OK);
    ids_are(e.ids, e.n, w0, 5);
    assert_int_equal(tok_batch_get(b, 1, &e), TOK_OK);
    ids_are(e.ids, e.n, w1, 5);
    tok_batch_free(b);
    tok_free(t);
    free(k);
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stride_and_overflow),
        cmocka_unit_test(left_side_and_padding),
        cmocka_unit_test(pair_order),
        cmocka_unit_test(multiple_and_abi),
        cmocka_unit_test(errors),
        cmocka_unit_test(from_the_file),
        cmocka_unit_test(batch_longest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
