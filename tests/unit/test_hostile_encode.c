/* Hostile settings and inputs for encode/decode found by hand: each one
 * fails cleanly, or runs in bounded time and memory. */
#include "testutil.h"

#include <stdlib.h>

#define PAD_JSON(strategy, multiple)                                                              \
    "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"?\",\"vocab\":{\"a\":0,\"?\":1,\"<pad>\":2}}," \
    "\"pre_tokenizer\":{\"type\":\"Whitespace\"},"                                                 \
    "\"padding\":{\"strategy\":" strategy ",\"direction\":\"Right\",\"pad_to_multiple_of\":" multiple \
    ",\"pad_id\":2,\"pad_type_id\":0,\"pad_token\":\"<pad>\"}}"

/* A padding length or multiple is a number of tokens made out of nothing:
 * a file (or caller) asking for a billion is refused, not allocated. */
static void padding_is_bounded(void **state)
{
    (void)state;
    tu_load_fails(PAD_JSON("{\"Fixed\":1000000000}", "null"), TOK_ERR_LIMIT, "padding.strategy");
    tu_load_fails(PAD_JSON("\"BatchLongest\"", "2000000000"), TOK_ERR_LIMIT, "padding.pad_to_multiple_of");
    /* at the limits it loads and pads */
    tok_tokenizer *t = tu_load_json(PAD_JSON("{\"Fixed\":8}", "4"));
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "a a", 0, TU_IDS(0, 0, 2, 2, 2, 2, 2, 2));
    tok_padding p;
    tok_padding_init(&p);
    p.enabled = 1;
    p.length = (size_t)1 << 30;
    assert_int_equal(tok_ctx_set_padding(c, &p), TOK_ERR_LIMIT);
    assert_non_null(strstr(tok_ctx_error(c), "length"));
    p.length = 0;
    p.multiple = (size_t)1 << 20;
    assert_int_equal(tok_ctx_set_padding(c, &p), TOK_ERR_LIMIT);
    p.multiple = 16;
    p.pad_id = 2;
    assert_int_equal(tok_ctx_set_padding(c, &p), TOK_OK);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "a", 1, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 16);
    tok_ctx_free(c);
    tok_free(t);
}

#define TRUNC_JSON(len, stride)                                                                  \
    "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"?\",\"vocab\":{\"?\":0,\"a\":1}},"           \
    "\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},\"truncation\":{\"max_length\":" len             \
    ",\"stride\":" stride ",\"strategy\":\"LongestFirst\",\"direction\":\"Right\"}}"

/* Overflowing parts of a pair multiply (na * nb encodings): a stride just
 * below the cut makes tokens cubic in max_length out of 2,000 words (HF:
 * 63,001 encodings of 1,000 tokens, 1.3 GB).  Refused past a bound. */
static void overflowing_pairs_are_bounded(void **state)
{
    (void)state;
    char *text = malloc(2001);
    for (int i = 0; i < 1000; i++) memcpy(text + 2 * i, "a ", 2);
    text[2000] = 0;
    tok_tokenizer *t = tu_load_json(TRUNC_JSON("1000", "498"));
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode_pair(c, text, 2000, text, 2000, NULL, &e), TOK_ERR_LIMIT);
    assert_non_null(strstr(tok_ctx_error(c), "63001 overflowing encodings"));
    /* one sequence is not multiplied: fine */
    assert_int_equal(tok_encode(c, text, 2000, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 1000);
    tok_ctx_free(c);
    tok_free(t);
    /* a fifth of that is within the bound, as HF gives it */
    t = tu_load_json(TRUNC_JSON("200", "98"));
    c = tok_ctx_new(t);
    assert_int_equal(tok_encode_pair(c, text, 400, text, 400, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 200);
    assert_int_equal(tok_overflowing_count(c), 51 * 51 - 1);
    tok_ctx_free(c);
    tok_free(t);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(padding_is_bounded),
        cmocka_unit_test(overflowing_pairs_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
