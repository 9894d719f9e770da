/* Removing tokens with the builder: by id and by text, holes or renumbered,
 * merges that use or make a removed token dropped, added tokens,
 * post-processor ids and the padding id kept consistent, refusals that
 * change nothing. */
#include "testutil.h"

#include <stdlib.h>
#include <unistd.h>

static tok_builder *must(tok_builder *b, const tok_error *err)
{
    if (!b) fail_msg("builder: %s", err->message);
    return b;
}

static tok_tokenizer *build(tok_builder *b)
{
    tok_error err = { 0 };
    tok_tokenizer *t = tok_builder_build(b, &err);
    if (!t) fail_msg("build: %s", err.message);
    return t;
}

/* A byte-level BPE: 256 bytes, " t" 256, "he" 257, " the" 258, <|end|> 259. */
static tok_builder *small_bpe(void)
{
    tok_error err = { 0 };
    tok_builder *b = must(tok_builder_new(TOK_MODEL_BPE, &err), &err);
    assert_int_equal(tok_builder_set_stage(b, TOK_STAGE_PRETOKENIZER,
                                           "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
                                           "\"use_regex\":true}", &err), TOK_OK);
    assert_int_equal(tok_builder_set_stage(b, TOK_STAGE_DECODER, "{\"type\":\"ByteLevel\"}", &err), TOK_OK);
    for (int c = 0; c < 256; c++) {
        unsigned char by = (unsigned char)c;
        char txt[4];
        size_t n = tok_byte_level_text(&by, 1, txt, sizeof txt);
        assert_int_equal(tok_builder_add_token(b, txt, n, 0, &err), c);
    }
    assert_int_equal(tok_builder_add_token(b, "\xC4\xA0t", 3, 0, &err), 256);
    assert_int_equal(tok_builder_add_token(b, "he", 2, 0, &err), 257);
    assert_int_equal(tok_builder_add_token(b, "\xC4\xA0the", 5, 0, &err), 258);
    assert_int_equal(tok_builder_add_merge(b, "\xC4\xA0", 2, "t", 1, &err), TOK_OK);
    assert_int_equal(tok_builder_add_merge(b, "h", 1, "e", 1, &err), TOK_OK);
    assert_int_equal(tok_builder_add_merge(b, "\xC4\xA0t", 3, "he", 2, &err), TOK_OK);
    assert_int_equal(tok_builder_add_special(b, "<|end|>", 7, TOK_ADDED_SPECIAL, &err), 259);
    return b;
}

static void remove_keeps_holes_then_renumbers(void **state)
{
    (void)state;
    tok_error err = { 0 };
    tok_builder *b = small_bpe();
    int32_t map[260];
    /* a hole under <|end|> would move it (HF numbers added tokens from the
     * vocabulary's size): refused, nothing changed */
    assert_int_equal(tok_builder_find(b, "he", 2), 257);
    assert_int_equal(tok_builder_remove_text(b, "he", 2, 0, map, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "\"<|end|>\" from id 259 to 258"));
    assert_int_equal(tok_builder_find(b, "he", 2), 257);
    assert_int_equal(tok_builder_size(b), 260);

    /* the added token first (the last id), then "he" by its text: the
     * merges h+e and " t"+"he" go with it, the other ids stay */
    assert_int_equal(tok_builder_remove_text(b, "<|end|>", 7, 0, NULL, &err), TOK_OK);
    assert_int_equal(tok_builder_remove_text(b, "he", 2, 0, map, &err), TOK_OK);
    assert_int_equal(map[256], 256);
    assert_int_equal(map[257], -1);
    assert_int_equal(map[258], 258);
    assert_int_equal(map[259], -1);
    assert_int_equal(tok_builder_find(b, "he", 2), -1);
    assert_int_equal(tok_builder_size(b), 260);
    tok_tokenizer *t = build(b);
    assert_int_equal(tok_vocab_size(t), 259); /* the hole at 257 counts */
    assert_int_equal(tok_token_id(t, "he", 2), -1);
    assert_int_equal(tok_token_id(t, "\xC4\xA0the", 5), 258);
    assert_int_equal(tok_merge_count(t), 1);
    assert_int_equal(tok_merge_rank(t, 'h', 'e'), -1);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, " the", 0, TU_IDS(256, 'h', 'e'));
    tok_ctx_free(c);
    tok_free(t);

    /* the same id again is a hole now: refused; so are ids out of range */
    int32_t id = 257;
    assert_int_equal(tok_builder_remove(b, &id, 1, 0, NULL, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "hole"));
    id = 260;
    assert_int_equal(tok_builder_remove(b, &id, 1, 0, NULL, &err), TOK_ERR_ARG);
    assert_int_equal(tok_builder_remove(b, NULL, 0, 0x10, NULL, &err), TOK_ERR_ARG);

    /* close the holes: " the" 258 -> 257; a new special then takes 258 */
    assert_int_equal(tok_builder_remove(b, NULL, 0, TOK_BUILDER_RENUMBER, map, &err), TOK_OK);
    assert_int_equal(map[257], -1);
    assert_int_equal(map[258], 257);
    assert_int_equal(map[259], -1);
    assert_int_equal(tok_builder_size(b), 258);
    assert_int_equal(tok_builder_add_special(b, "<|end|>", 7, TOK_ADDED_SPECIAL, &err), 258);
    t = build(b);
    assert_int_equal(tok_warning_count(t), 0);
    assert_int_equal(tok_vocab_size(t), 259);
    assert_int_equal(tok_token_id(t, "\xC4\xA0the", 5), 257);
    assert_int_equal(tok_added_flags(t, 258), TOK_ADDED_IS | TOK_ADDED_SPECIAL);
    c = tok_ctx_new(t);
    tu_expect_ids(c, " the<|end|>", 0, TU_IDS(256, 'h', 'e', 258));
    tok_ctx_free(c);
    tok_free(t);

    /* " the" goes with renumbering: <|end|> follows it down to 257 */
    assert_int_equal(tok_builder_remove_text(b, "\xC4\xA0the", 5, TOK_BUILDER_RENUMBER, NULL, &err), TOK_OK);
    assert_int_equal(tok_builder_size(b), 258);
    assert_int_equal(tok_builder_find(b, "<|end|>", 7), 257);
    t = build(b);
    assert_int_equal(tok_warning_count(t), 0);
    c = tok_ctx_new(t);
    tu_expect_ids(c, " the<|end|>", 0, TU_IDS(256, 'h', 'e', 257));
    tok_ctx_free(c);
    tok_free(t);
    assert_int_equal(tok_builder_remove_text(b, "nope", 4, 0, NULL, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "nope"));
    tok_builder_free(b);
}

/* A merge whose result is removed goes too, and a token made by the
 * continuing-subword prefix rule is found as the model makes it. */
static void remove_drops_merges_by_result(void **state)
{
    (void)state;
    tok_tokenizer *t0 = tu_load_json(
        "{\"model\":{\"type\":\"BPE\",\"continuing_subword_prefix\":\"##\",\"unk_token\":\"[UNK]\","
        "\"vocab\":{\"[UNK]\":0,\"a\":1,\"##b\":2,\"ab\":3,\"c\":4,\"##c\":5,\"abc\":6},"
        "\"merges\":[\"a ##b\",\"ab ##c\"]},\"pre_tokenizer\":{\"type\":\"Whitespace\"}}");
    tok_error err = { 0 };
    tok_builder *b = must(tok_builder_from(t0, &err), &err);
    tok_free(t0);
    /* the unknown token stays */
    assert_int_equal(tok_builder_remove_text(b, "[UNK]", 5, 0, NULL, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "unknown token"));
    /* "ab" is the result of a ##b and a part of ab ##c: both merges go */
    assert_int_equal(tok_builder_remove_text(b, "ab", 2, 0, NULL, &err), TOK_OK);
    tok_tokenizer *t = build(b);
    assert_int_equal(tok_merge_count(t), 0);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "abc", 0, TU_IDS(1, 2, 5));
    tok_ctx_free(c);
    tok_free(t);
    tok_builder_free(b);
}

#define BERTISH                                                                                          \
    "{\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","  \
    "\"max_input_chars_per_word\":100,\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"x\":2,\"[CLS]\":3,\"[SEP]\":4," \
    "\"hello\":5,\"##s\":6}},"                                                                           \
    "\"pre_tokenizer\":{\"type\":\"Whitespace\"},"                                                       \
    "\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\",\"special\":true},"                               \
    "{\"id\":3,\"content\":\"[CLS]\",\"special\":true},{\"id\":4,\"content\":\"[SEP]\",\"special\":true}]," \
    "\"padding\":{\"strategy\":\"BatchLongest\",\"direction\":\"Right\",\"pad_to_multiple_of\":null,"     \
    "\"pad_id\":0,\"pad_type_id\":0,\"pad_token\":\"[PAD]\"},"                                           \
    "\"post_processor\":{\"type\":\"TemplateProcessing\","                                               \
    "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}," \
    "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],"                                              \
    "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"  \
    "\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[3],\"tokens\":[\"[CLS]\"]},"                 \
    "\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[4],\"tokens\":[\"[SEP]\"]}}}}"

static void remove_checks_and_renumbers_the_pipeline(void **state)
{
    (void)state;
    tok_tokenizer *t0 = tu_load_json(BERTISH);
    tok_error err = { 0 };
    tok_builder *b = must(tok_builder_from(t0, &err), &err);
    tok_free(t0);
    /* refused, and nothing changed: post-processor ids, padding, range */
    int32_t ids[2] = { 2, 3 };
    assert_int_equal(tok_builder_remove(b, ids, 2, TOK_BUILDER_RENUMBER, NULL, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "post_processor.special_tokens[\"[CLS]\"]"));
    assert_int_equal(tok_builder_remove_text(b, "[PAD]", 5, 0, NULL, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "pad_id"));
    ids[1] = -1;
    assert_int_equal(tok_builder_remove(b, ids, 2, 0, NULL, &err), TOK_ERR_ARG);
    assert_int_equal(tok_builder_size(b), 7);
    assert_int_equal(tok_builder_find(b, "x", 1), 2);

    /* "x" goes: [CLS] 3 -> 2, [SEP] 4 -> 3 in the template too */
    int32_t map[7];
    assert_int_equal(tok_builder_remove(b, ids, 1, TOK_BUILDER_RENUMBER, map, &err), TOK_OK);
    assert_int_equal(map[2], -1);
    assert_int_equal(map[3], 2);
    assert_int_equal(map[6], 5);
    tok_tokenizer *t = build(b);
    assert_int_equal(tok_vocab_size(t), 6);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "hellos x", TOK_ENC_ADD_SPECIAL, TU_IDS(2, 4, 5, 1, 3));
    tu_expect_ids(c, "[SEP]", 0, TU_IDS(3));
    tok_ctx_free(c);
    tok_padding p;
    tok_padding_init(&p);
    assert_int_equal(tok_get_padding(t, &p), TOK_OK);
    assert_int_equal(p.pad_id, 0);
    tok_free(t);

    /* [UNK] 1 cannot go; [PAD] moves when a token before it... none here:
     * remove "hello" and check [PAD] keeps 0 and ##s moves to 3 */
    assert_int_equal(tok_builder_remove_text(b, "hello", 5, TOK_BUILDER_RENUMBER, map, &err), TOK_OK);
    assert_int_equal(map[5], 4);
    t = build(b);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "hello", TOK_ENC_ADD_SPECIAL, TU_IDS(2, 1, 3));
    tok_ctx_free(c);
    tok_free(t);
    tok_builder_free(b);

    /* the padding id moves with renumbering */
    t0 = tu_load_json(
        "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"?\",\"vocab\":{\"a\":0,\"?\":1,\"<pad>\":2}},"
        "\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
        "\"padding\":{\"strategy\":\"BatchLongest\",\"direction\":\"Right\",\"pad_to_multiple_of\":null,"
        "\"pad_id\":2,\"pad_type_id\":0,\"pad_token\":\"<pad>\"}}");
    b = must(tok_builder_from(t0, &err), &err);
    tok_free(t0);
    assert_int_equal(tok_builder_remove_text(b, "a", 1, TOK_BUILDER_RENUMBER, NULL, &err), TOK_OK);
    t = build(b);
    tok_padding_init(&p);
    assert_int_equal(tok_get_padding(t, &p), TOK_OK);
    assert_int_equal(p.pad_id, 1);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "a ?", 0, TU_IDS(0, 0));
    tok_ctx_free(c);
    tok_free(t);
    tok_builder_free(b);
}

/* BertProcessing's [text, id] pairs inside a Sequence follow too. */
static void remove_renumbers_processor_pairs(void **state)
{
    (void)state;
    tok_tokenizer *t0 = tu_load_json(
        "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"?\",\"vocab\":{\"?\":0,\"x\":1,\"y\":2,"
        "\"[CLS]\":3,\"[SEP]\":4}},\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
        "\"post_processor\":{\"type\":\"Sequence\",\"processors\":[{\"type\":\"BertProcessing\","
        "\"sep\":[\"[SEP]\",4],\"cls\":[\"[CLS]\",3]}]}}");
    tok_error err = { 0 };
    tok_builder *b = must(tok_builder_from(t0, &err), &err);
    tok_free(t0);
    assert_int_equal(tok_builder_remove_text(b, "[SEP]", 5, TOK_BUILDER_RENUMBER, NULL, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "post_processor.sep"));
    int32_t ids[2] = { 1, 2 }, map[5];
    assert_int_equal(tok_builder_remove(b, ids, 2, TOK_BUILDER_RENUMBER, map, &err), TOK_OK);
    assert_int_equal(map[3], 1);
    assert_int_equal(map[4], 2);
    tok_tokenizer *t = build(b);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "x y", TOK_ENC_ADD_SPECIAL, TU_IDS(1, 0, 0, 2));
    tok_ctx_free(c);
    tok_free(t);
    tok_builder_free(b);
}

static void remove_from_unigram(void **state)
{
    (void)state;
    tok_error err = { 0 };
    tok_builder *b = must(tok_builder_new(TOK_MODEL_UNIGRAM, &err), &err);
    tok_builder_add_token(b, "<unk>", 5, 0, &err);
    tok_builder_add_token(b, "a", 1, -2, &err);
    tok_builder_add_token(b, "b", 1, -2, &err);
    tok_builder_add_token(b, "ab", 2, -1, &err);
    tok_builder_add_token(b, "c", 1, -3, &err);
    assert_int_equal(tok_builder_set_unk(b, "<unk>", &err), TOK_OK);
    tok_tokenizer *t = build(b);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "abc", 0, TU_IDS(3, 4));
    tok_ctx_free(c);
    tok_free(t);
    /* ids are list positions: holes refused, renumbering required */
    assert_int_equal(tok_builder_remove_text(b, "ab", 2, 0, NULL, &err), TOK_ERR_UNSUPPORTED);
    assert_int_equal(tok_builder_remove_text(b, "<unk>", 5, TOK_BUILDER_RENUMBER, NULL, &err), TOK_ERR_ARG);
    int32_t map[5];
    assert_int_equal(tok_builder_remove_text(b, "ab", 2, TOK_BUILDER_RENUMBER, map, &err), TOK_OK);
    assert_int_equal(map[3], -1);
    assert_int_equal(map[4], 3);
    t = build(b);
    assert_int_equal(tok_vocab_size(t), 4);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "abc", 0, TU_IDS(1, 2, 3));
    tu_expect_ids(c, "abd", 0, TU_IDS(1, 2, 0));
    tok_ctx_free(c);
    tok_free(t);
    tok_builder_free(b);
}

/* A real vocabulary: a token removed from llama3 (merges and all) leaves a
 * tokenizer that never emits it and still round-trips text. */
static void remove_from_a_real_vocabulary(void **state)
{
    (void)state;
    char path[2048];
    tu_cache_path("tokenizers/llama3.json", path, sizeof path);
    if (access(path, R_OK)) skip();
    tok_error err = { 0 };
    tok_tokenizer *t0 = tok_load(path, NULL, &err);
    if (!t0) fail_msg("%s: %s", path, err.message);
    static const char text[] = "The theory of the other thing: there, then the end.";
    int32_t the = tok_token_id(t0, "\xC4\xA0the", 5);
    assert_true(the >= 0);
    size_t nm = tok_merge_count(t0);
    int32_t bot = tok_token_id(t0, "<|begin_of_text|>", 17);
    assert_true(bot > the);
    tok_builder *b = must(tok_builder_from(t0, &err), &err);
    /* the special tokens after the model would move: holes refused */
    assert_int_equal(tok_builder_remove(b, &the, 1, 0, NULL, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "TOK_BUILDER_RENUMBER"));
    size_t vs = tok_vocab_size(t0);
    int32_t *map = malloc(vs * sizeof *map);
    assert_int_equal(tok_builder_remove(b, &the, 1, TOK_BUILDER_RENUMBER, map, &err), TOK_OK);
    assert_int_equal(map[the], -1);
    assert_int_equal(map[the - 1], the - 1);
    assert_int_equal(map[the + 1], the);
    assert_int_equal(map[bot], bot - 1);
    tok_tokenizer *t = build(b);
    assert_int_equal(tok_warning_count(t), 0);
    assert_true(tok_merge_count(t) < nm);
    assert_int_equal(tok_vocab_size(t), vs - 1);
    assert_int_equal(tok_token_id(t, "<|begin_of_text|>", 17), bot - 1);
    assert_int_equal(tok_token_id(t, "\xC4\xA0the", 5), -1);
    free(map);
    the = -1; /* no id may be the removed token now: checked by text below */
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    tok_encode_options o;
    tok_encode_options_init(&o);
    assert_int_equal(tok_encode(c, text, sizeof text - 1, &o, &e), TOK_OK);
    size_t n = e.n;
    int32_t *ids = malloc(n * sizeof *ids);
    memcpy(ids, e.ids, n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        size_t l;
        const char *tx = tok_token_text(t, ids[i], &l);
        assert_false(l == 5 && !memcmp(tx, "\xC4\xA0the", 5));
    }
    assert_int_equal(the, -1);
    const char *out;
    size_t ol;
    assert_int_equal(tok_decode(c, ids, n, TOK_DEC_SKIP_SPECIAL, &out, &ol), TOK_OK);
    assert_int_equal(ol, sizeof text - 1);
    assert_memory_equal(out, text, ol);
    free(ids);
    tok_ctx_free(c);
    tok_free(t);
    tok_free(t0);
    tok_builder_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remove_keeps_holes_then_renumbers),
        cmocka_unit_test(remove_drops_merges_by_result),
        cmocka_unit_test(remove_checks_and_renumbers_the_pipeline),
        cmocka_unit_test(remove_renumbers_processor_pairs),
        cmocka_unit_test(remove_from_unigram),
        cmocka_unit_test(remove_from_a_real_vocabulary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
