/* The public surface for analyzers and trainers: merges, model details,
 * byte tokens, lookup by bytes, pre-tokenizer flags, added-token
 * properties, surface forms and the builder. */
#include "testutil.h"

#include <stdlib.h>
#include <unistd.h>

static tok_tokenizer *cached(const char *name)
{
    char path[2048];
    const char *c = getenv("TOK_CACHE");
    if (c) snprintf(path, sizeof path, "%s/tokenizers/%s", c, name);
    else snprintf(path, sizeof path, "%s/.cache/libtok/tokenizers/%s", getenv("HOME") ? getenv("HOME") : ".", name);
    if (access(path, R_OK)) return NULL;
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load(path, NULL, &err);
    if (!t) fail_msg("%s: %s", path, err.message);
    return t;
}

static int32_t id_of(const tok_tokenizer *t, const char *text)
{
    int32_t id = tok_token_id(t, text, strlen(text));
    if (id < 0) fail_msg("no token \"%s\"", text);
    return id;
}

/* ---- merges ------------------------------------------------------------ */

#define SMALL_BPE(merges)                                                                            \
    "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4,\"bc\":5}," \
    "\"merges\":" merges "},\"added_tokens\":[]}"

static void merges_of_a_file(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(SMALL_BPE("[\"a b\", \"ab c\", \"b c\"]"));
    int32_t l, r, m;
    assert_int_equal(tok_merge_count(t), 3);
    assert_int_equal(tok_merge_get(t, 1, &l, &r, &m), TOK_OK);
    assert_int_equal(l, 3);
    assert_int_equal(r, 2);
    assert_int_equal(m, 4);
    assert_int_equal(tok_merge_get(t, 3, &l, &r, &m), TOK_ERR_RANGE);
    assert_int_equal(tok_merge_rank(t, 1, 2), 2);
    assert_int_equal(tok_merge_rank(t, 0, 1), 0);
    assert_int_equal(tok_merge_rank(t, 2, 0), -1);
    assert_int_equal(tok_merge_rank(t, 0, 99), -1);
    tok_free(t);
    /* a duplicated pair: the last one applies, as HF's map */
    t = tu_load_json(SMALL_BPE("[\"a b\", \"b c\", \"a b\"]"));
    assert_int_equal(tok_merge_rank(t, 0, 1), 2);
    tok_free(t);
    /* WordPiece has no merges */
    t = tu_load_json("{\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":{\"[UNK]\":0,\"a\":1}}}");
    assert_int_equal(tok_merge_count(t), 0);
    assert_int_equal(tok_merge_get(t, 0, NULL, NULL, NULL), TOK_ERR_RANGE);
    assert_int_equal(tok_merge_rank(t, 0, 1), -1);
    tok_free(t);
}

/* Every merge joins its parts' model bytes into the merged token's, and
 * tok_merge_rank finds it back. */
static void check_merge_list(const tok_tokenizer *t, size_t want_min)
{
    size_t n = tok_merge_count(t);
    if (n < want_min) fail_msg("%s: %zu merges, want >= %zu", tok_source(t), n, want_min);
    for (size_t r = 0; r < n; r++) {
        int32_t l, rr, m;
        assert_int_equal(tok_merge_get(t, r, &l, &rr, &m), TOK_OK);
        size_t ln, rn, mn;
        const uint8_t *lb = tok_token_bytes(t, l, &ln), *rb = tok_token_bytes(t, rr, &rn), *mb = tok_token_bytes(t, m, &mn);
        if (mn != ln + rn || memcmp(mb, lb, ln) || memcmp(mb + ln, rb, rn))
            fail_msg("%s: merge %zu (%d %d -> %d) does not join its parts", tok_source(t), r, l, rr, m);
        int64_t back = tok_merge_rank(t, l, rr);
        if (back < 0 || (size_t)back > r) fail_msg("%s: rank of merge %zu is %lld", tok_source(t), r, (long long)back);
    }
}

static void merges_of_real_files(void **state)
{
    (void)state;
    tok_tokenizer *t = cached("llama3.json");
    if (!t) skip();
    /* the first merge of the file is "Ġ Ġ" */
    int32_t l, r, m;
    assert_int_equal(tok_merge_get(t, 0, &l, &r, &m), TOK_OK);
    assert_int_equal(l, id_of(t, "\xC4\xA0"));
    assert_int_equal(r, id_of(t, "\xC4\xA0"));
    assert_int_equal(m, id_of(t, "\xC4\xA0\xC4\xA0"));
    check_merge_list(t, 280000);
    tok_free(t);

    /* a rank file: one derived merge per reachable multi-byte token, rank order */
    t = cached("r50k_base.tiktoken");
    if (!t) skip();
    check_merge_list(t, 49000);
    int32_t prev = -1;
    for (size_t k = 0; k < tok_merge_count(t); k++) {
        assert_int_equal(tok_merge_get(t, k, NULL, NULL, &m), TOK_OK);
        assert_true(m > prev);
        prev = m;
    }
    /* " the" = " t" + "he"?  whatever it is, its parts have lower ranks */
    int32_t the = tok_token_from_bytes(t, " the", 4);
    assert_true(the >= 0);
    for (size_t k = 0; k < tok_merge_count(t); k++) {
        assert_int_equal(tok_merge_get(t, k, &l, &r, &m), TOK_OK);
        if (m != the) continue;
        assert_true(l < the && r < the);
        assert_int_equal(tok_merge_rank(t, l, r), (int64_t)k);
        prev = -2;
    }
    assert_int_equal(prev, -2);
    tok_free(t);
}

/* ---- model details ---------------------------------------------------- */

static void model_info_of_real_files(void **state)
{
    (void)state;
    tok_model_info mi = TOK_MODEL_INFO_INIT;
    tok_tokenizer *t = cached("llama3.json");
    if (!t) skip();
    assert_int_equal(tok_model_info_get(t, &mi), TOK_OK);
    assert_int_equal(mi.kind, TOK_MODEL_BPE);
    assert_true(mi.byte_level);
    assert_false(mi.byte_fallback);
    assert_true(mi.ignore_merges);
    assert_false(mi.ranked);
    assert_string_equal(mi.word_start, "\xC4\xA0");
    assert_null(mi.cont_prefix);
    assert_int_equal(mi.model_vocab_size, 128000);
    assert_int_equal(mi.merge_count, tok_merge_count(t));
    tok_free(t);

    t = cached("bert-base-uncased.json");
    if (!t) skip();
    memset(&mi, 0xAB, sizeof mi);
    mi.size = sizeof mi;
    assert_int_equal(tok_model_info_get(t, &mi), TOK_OK);
    assert_int_equal(mi.kind, TOK_MODEL_WORDPIECE);
    assert_false(mi.byte_level);
    assert_string_equal(mi.cont_prefix, "##");
    assert_null(mi.word_start);
    assert_int_equal(mi.unk_id, id_of(t, "[UNK]"));
    assert_int_equal(mi.merge_count, 0);
    tok_free(t);

    t = cached("llama2.model");
    if (!t) skip();
    assert_int_equal(tok_model_info_get(t, &mi), TOK_OK);
    assert_int_equal(mi.kind, TOK_MODEL_BPE);
    assert_false(mi.byte_level);
    assert_true(mi.byte_fallback);
    assert_string_equal(mi.word_start, "\xE2\x96\x81");
    assert_int_equal(mi.unk_id, 0);
    tok_free(t);

    t = cached("o200k_base.tiktoken");
    if (!t) skip();
    assert_int_equal(tok_model_info_get(t, &mi), TOK_OK);
    assert_true(mi.ranked);
    assert_true(mi.byte_level);
    assert_int_equal(mi.unk_id, -1);
    /* an older, smaller struct: nothing written beyond its size */
    tok_model_info small;
    memset(&small, 0xCD, sizeof small);
    small.size = offsetof(tok_model_info, ranked);
    assert_int_equal(tok_model_info_get(t, &small), TOK_OK);
    assert_int_equal(small.size, offsetof(tok_model_info, ranked));
    assert_true(small.byte_level);
    const unsigned char *p = (const unsigned char *)&small;
    for (size_t i = offsetof(tok_model_info, ranked); i < sizeof small; i++) assert_int_equal(p[i], 0xCD);
    small.size = 1;
    assert_int_equal(tok_model_info_get(t, &small), TOK_ERR_ARG);
    tok_free(t);
}

/* ---- byte tokens, lookup by bytes, surface forms ----------------------- */

static void expect_surface(const tok_tokenizer *t, int32_t id, const char *want, size_t wn)
{
    char buf[64];
    size_t n = 0;
    assert_int_equal(tok_token_surface(t, id, buf, sizeof buf, &n), TOK_OK);
    if (n != wn || memcmp(buf, want, wn)) fail_msg("surface of %d is \"%.*s\", want \"%s\"", id, (int)n, buf, want);
}

static void bytes_and_surface(void **state)
{
    (void)state;
    tok_tokenizer *t = cached("llama3.json");
    if (!t) skip();
    int32_t g = id_of(t, "\xC4\xA0"), the = id_of(t, "\xC4\xA0the");
    assert_int_equal(tok_token_flags(t, g) & (TOK_TOKEN_BYTE | TOK_TOKEN_BYTE_CHAR | TOK_TOKEN_BYTE_FALLBACK),
                     TOK_TOKEN_BYTE | TOK_TOKEN_BYTE_CHAR);
    assert_int_equal(tok_token_from_bytes(t, " the", 4), the);
    assert_int_equal(tok_token_from_bytes(t, "\xC4\xA0the", 5), -1);
    assert_int_equal(tok_token_from_bytes(t, "\xFF", 1), id_of(t, "\xC3\xBF"));
    expect_surface(t, the, " the", 4);
    int32_t bot = id_of(t, "<|begin_of_text|>");
    expect_surface(t, bot, "<|begin_of_text|>", 17);
    char small[2];
    size_t n = 0;
    assert_int_equal(tok_token_surface(t, the, small, sizeof small, &n), TOK_ERR_BUFFER);
    assert_int_equal(n, 4);
    assert_int_equal(tok_token_surface(t, -1, small, sizeof small, &n), TOK_ERR_RANGE);
    char bl[16];
    assert_int_equal(tok_byte_level_text(" the\xFF", 5, bl, sizeof bl), 7);
    assert_memory_equal(bl, "\xC4\xA0the\xC3\xBF", 7);
    tok_free(t);

    t = cached("llama2.model");
    if (!t) skip();
    int32_t a = id_of(t, "<0x41>");
    assert_int_equal(tok_token_flags(t, a) & (TOK_TOKEN_BYTE | TOK_TOKEN_BYTE_CHAR | TOK_TOKEN_BYTE_FALLBACK),
                     TOK_TOKEN_BYTE | TOK_TOKEN_BYTE_FALLBACK);
    expect_surface(t, a, "A", 1);
    the = id_of(t, "\xE2\x96\x81the");
    expect_surface(t, the, " the", 4);
    assert_int_equal(tok_token_from_bytes(t, "\xE2\x96\x81the", 6), the);
    tok_free(t);

    t = cached("bert-base-uncased.json");
    if (!t) skip();
    int32_t ing = id_of(t, "##ing");
    assert_true(tok_token_flags(t, ing) & TOK_TOKEN_CONTINUATION);
    expect_surface(t, ing, "ing", 3);
    expect_surface(t, id_of(t, "the"), "the", 3);
    tok_free(t);

    /* an end-of-word suffix is dropped */
    t = tu_load_json("{\"model\":{\"type\":\"BPE\",\"end_of_word_suffix\":\"</w>\",\"vocab\":{\"a\":0,\"a</w>\":1},"
                     "\"merges\":[]}}");
    expect_surface(t, 1, "a", 1);
    tok_free(t);
}

/* ---- pre-tokenizer flags and added-token properties -------------------- */

#define FRONT_JSON                                                                                        \
    "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"?\",\"vocab\":{\"?\":0,\"ab\":1}},"                \
    "\"normalizer\":{\"type\":\"Lowercase\"},\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"            \
    "\"added_tokens\":[{\"id\":2,\"content\":\"[X]\",\"special\":true,\"lstrip\":true,\"normalized\":false},"\
    "{\"id\":3,\"content\":\"yy\",\"special\":false,\"single_word\":true,\"rstrip\":true,\"normalized\":true}]}"

static void expect_pretokens(tok_ctx *c, const char *text, uint32_t flags, const char *want)
{
    const tok_pretoken *p;
    size_t n;
    char got[256] = "";
    size_t k = 0;
    assert_int_equal(tok_pretokenize(c, text, strlen(text), flags, &p, &n), TOK_OK);
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(got + k, sizeof got - k, "%s%.*s%s", i ? "|" : "", (int)p[i].len, p[i].text,
                              p[i].id >= 0 ? "*" : "");
    if (strcmp(got, want)) fail_msg("pretokenize \"%s\" flags %#x: \"%s\", want \"%s\"", text, flags, got, want);
}

static void pretokenize_flags(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(FRONT_JSON);
    tok_ctx *c = tok_ctx_new(t);
    expect_pretokens(c, "Ab [X]cD YY", 0, "ab| [X]*|cd|yy*"); /* lstrip takes the space */
    expect_pretokens(c, "Ab [X]cD YY", TOK_PRE_NO_ADDED, "ab|[x]cd|yy");
    expect_pretokens(c, "Ab [X]cD YY", TOK_PRE_NO_NORMALIZE, "Ab| [X]*|cD|YY");
    expect_pretokens(c, "Ab [X]cD YY", TOK_PRE_ONLY, "Ab|[X]cD|YY");
    expect_pretokens(c, "Ab [X]cD", TOK_ENC_NO_SPECIAL_TEXT, "ab|[x]cd");
    /* the encode path ignores the pre-tokenizer-only flags */
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags |= TOK_PRE_ONLY;
    tok_encoding e;
    assert_int_equal(tok_encode(c, "AB [X]", 6, &o, &e), TOK_OK);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.ids[1], 2);
    tok_ctx_free(c);
    tok_free(t);
}

static void added_properties(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(FRONT_JSON);
    assert_int_equal(tok_added_count(t), 2);
    assert_int_equal(tok_added_id(t, 0), 2);
    assert_int_equal(tok_added_id(t, 1), 3);
    assert_int_equal(tok_added_id(t, 2), -1);
    assert_int_equal(tok_added_flags(t, 2), TOK_ADDED_IS | TOK_ADDED_SPECIAL | TOK_ADDED_LSTRIP);
    assert_int_equal(tok_added_flags(t, 3), TOK_ADDED_IS | TOK_ADDED_SINGLE_WORD | TOK_ADDED_RSTRIP | TOK_ADDED_NORMALIZED);
    assert_int_equal(tok_added_flags(t, 1), 0);
    assert_int_equal(tok_added_flags(t, 99), 0);
    tok_free(t);
    t = cached("llama3.json");
    if (!t) skip();
    int32_t eot = id_of(t, "<|eot_id|>");
    assert_int_equal(tok_added_flags(t, eot), TOK_ADDED_IS | TOK_ADDED_SPECIAL);
    assert_int_equal(tok_added_count(t), 256);
    tok_free(t);
}

/* ---- builder ----------------------------------------------------------- */

static tok_builder *must(tok_builder *b, const tok_error *err)
{
    if (!b) fail_msg("builder: %s", err->message);
    return b;
}

static void builder_bpe_from_scratch(void **state)
{
    (void)state;
    tok_error err = { 0 };
    tok_builder *b = must(tok_builder_new(TOK_MODEL_BPE, &err), &err);
    assert_int_equal(tok_builder_set_stage(b, TOK_STAGE_PRETOKENIZER,
                                           "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}",
                                           &err), TOK_OK);
    assert_int_equal(tok_builder_set_stage(b, TOK_STAGE_DECODER, "{\"type\":\"ByteLevel\"}", &err), TOK_OK);
    /* the 256 byte tokens, then merges " t" + "he" */
    for (int c = 0; c < 256; c++) {
        unsigned char by = (unsigned char)c;
        char txt[4];
        size_t n = tok_byte_level_text(&by, 1, txt, sizeof txt);
        assert_int_equal(tok_builder_add_token(b, txt, n, 0, &err), c);
    }
    assert_int_equal(tok_builder_add_token(b, "\xC4\xA0t", 3, 0, &err), 256);
    assert_int_equal(tok_builder_add_token(b, "he", 2, 0, &err), 257);
    assert_int_equal(tok_builder_add_token(b, "\xC4\xA0the", 5, 0, &err), 258);
    assert_int_equal(tok_builder_add_token(b, "he", 2, 0, &err), 257); /* already there */
    assert_int_equal(tok_builder_add_merge(b, "\xC4\xA0", 2, "t", 1, &err), TOK_OK);
    assert_int_equal(tok_builder_add_merge(b, "h", 1, "e", 1, &err), TOK_OK);
    assert_int_equal(tok_builder_add_merge(b, "\xC4\xA0t", 3, "he", 2, &err), TOK_OK);
    assert_int_equal(tok_builder_add_special(b, "<|end|>", 7, TOK_ADDED_SPECIAL, &err), 259);
    assert_int_equal(tok_builder_size(b), 260);
    tok_tokenizer *t = tok_builder_build(b, &err);
    if (!t) fail_msg("build: %s", err.message);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, " the<|end|>", 0, TU_IDS(258, 259));
    tu_expect_ids(c, "he the", 0, TU_IDS(257, 258));
    assert_int_equal(tok_merge_count(t), 3);
    assert_int_equal(tok_merge_rank(t, 256, 257), 2);
    assert_int_equal(tok_added_flags(t, 259), TOK_ADDED_IS | TOK_ADDED_SPECIAL);
    tok_model_info mi = TOK_MODEL_INFO_INIT;
    assert_int_equal(tok_model_info_get(t, &mi), TOK_OK);
    assert_true(mi.byte_level);
    tok_ctx_free(c);
    tok_free(t);

    /* a merge whose result is missing fails at build, naming it */
    assert_int_equal(tok_builder_add_merge(b, "t", 1, "he", 2, &err), TOK_OK);
    t = tok_builder_build(b, &err);
    assert_null(t);
    assert_non_null(strstr(err.message, "not in the vocabulary"));
    assert_non_null(strstr(err.message, "merges"));
    /* bad stage JSON is refused at once */
    assert_int_equal(tok_builder_set_stage(b, TOK_STAGE_NORMALIZER, "{\"type\":", &err), TOK_ERR_FORMAT);
    assert_int_equal(tok_builder_set_stage(b, TOK_STAGE_MODEL, "null", &err), TOK_ERR_ARG);
    assert_int_equal(tok_builder_set_affixes(b, NULL, "</w>", &err), TOK_OK);
    tok_builder_free(b);
}

static void builder_other_kinds(void **state)
{
    (void)state;
    tok_error err = { 0 };
    /* Unigram: scores decide */
    tok_builder *b = must(tok_builder_new(TOK_MODEL_UNIGRAM, &err), &err);
    assert_int_equal(tok_builder_add_token(b, "<unk>", 5, 0, &err), 0);
    assert_int_equal(tok_builder_add_token(b, "a", 1, -2, &err), 1);
    assert_int_equal(tok_builder_add_token(b, "b", 1, -2, &err), 2);
    assert_int_equal(tok_builder_add_token(b, "ab", 2, -5, &err), 3);
    assert_int_equal(tok_builder_set_unk(b, "<unk>", &err), TOK_OK);
    assert_int_equal(tok_builder_set_affixes(b, "##", NULL, &err), TOK_ERR_UNSUPPORTED);
    assert_int_equal(tok_builder_add_merge(b, "a", 1, "b", 1, &err), TOK_ERR_UNSUPPORTED);
    tok_tokenizer *t = tok_builder_build(b, &err);
    if (!t) fail_msg("build: %s", err.message);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "abc", 0, TU_IDS(1, 2, 0)); /* -4 beats -5 */
    tok_ctx_free(c);
    tok_free(t);
    assert_int_equal(tok_builder_add_token(b, "ab", 2, -3, &err), 3); /* new score */
    assert_int_equal(tok_builder_add_special(b, "<s>", 3, TOK_ADDED_SPECIAL, &err), 4);
    t = tok_builder_build(b, &err);
    if (!t) fail_msg("build: %s", err.message);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "ab<s>", 0, TU_IDS(3, 4));
    tok_ctx_free(c);
    tok_free(t);
    tok_builder_free(b);

    /* WordPiece with a prefix and unk */
    b = must(tok_builder_new(TOK_MODEL_WORDPIECE, &err), &err);
    tok_builder_add_token(b, "[UNK]", 5, 0, &err);
    tok_builder_add_token(b, "play", 4, 0, &err);
    tok_builder_add_token(b, "##ing", 5, 0, &err);
    assert_int_equal(tok_builder_set_unk(b, "[UNK]", &err), TOK_OK);
    assert_int_equal(tok_builder_set_stage(b, TOK_STAGE_PRETOKENIZER, "{\"type\":\"Whitespace\"}", &err), TOK_OK);
    assert_int_equal(tok_builder_set_model_option(b, "max_input_chars_per_word", "7", &err), TOK_OK);
    t = tok_builder_build(b, &err);
    if (!t) fail_msg("build: %s", err.message);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "playing play xyz", 0, TU_IDS(1, 2, 1, 0));
    tu_expect_ids(c, "playplay", 0, TU_IDS(0)); /* longer than 7 chars */
    tok_ctx_free(c);
    tok_free(t);
    tok_builder_free(b);
}

/* A real tokenizer rebuilt through the builder encodes the same. */
static void builder_from_real(void **state)
{
    (void)state;
    static const char *names[] = { "llama3.json", "bert-base-uncased.json", "llama2.model", "r50k_base.tiktoken" };
    static const char text[] = "Hello world! The tokenizer's builder re-creates   tokenizers: 12345 ünïcödé 日本語 <|endoftext|>";
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        tok_tokenizer *t = cached(names[k]);
        if (!t) skip();
        tok_error err = { 0 };
        tok_builder *b = must(tok_builder_from(t, &err), &err);
        assert_int_equal(tok_builder_size(b), tok_vocab_size(t));
        tok_tokenizer *u = tok_builder_build(b, &err);
        if (!u) fail_msg("%s: rebuild: %s", names[k], err.message);
        tok_ctx *c1 = tok_ctx_new(t), *c2 = tok_ctx_new(u);
        tok_encoding e1, e2;
        assert_int_equal(tok_encode(c1, text, sizeof text - 1, NULL, &e1), TOK_OK);
        assert_int_equal(tok_encode(c2, text, sizeof text - 1, NULL, &e2), TOK_OK);
        assert_int_equal(e1.n, e2.n);
        assert_memory_equal(e1.ids, e2.ids, e1.n * sizeof *e1.ids);
        assert_int_equal(tok_merge_count(t), tok_merge_count(u));
        /* surgery: a new special token, and the template's decoder copied */
        int32_t id = tok_builder_add_special(b, "<|mine|>", 8, TOK_ADDED_SPECIAL, &err);
        assert_int_equal(id, (int32_t)tok_vocab_size(t));
        assert_int_equal(tok_builder_copy_stage(b, TOK_STAGE_DECODER, t, &err), TOK_OK);
        tok_ctx_free(c2);
        tok_free(u);
        u = tok_builder_build(b, &err);
        if (!u) fail_msg("%s: rebuild: %s", names[k], err.message);
        c2 = tok_ctx_new(u);
        tok_encode_options o;
        tok_encode_options_init(&o);
        o.flags = TOK_ENC_SPECIAL_TEXT;
        assert_int_equal(tok_encode(c2, "x<|mine|>", 9, &o, &e2), TOK_OK);
        assert_true(e2.n >= 2);
        assert_int_equal(e2.ids[e2.n - 1], id);
        tok_ctx_free(c1);
        tok_ctx_free(c2);
        tok_free(u);
        tok_builder_free(b);
        tok_free(t);
    }
}


/* ---- option structs (ABI policy) and directories ------------------------ */

static void option_sizes(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(FRONT_JSON);
    tok_ctx *c = tok_ctx_new(t);
    tok_encode_options o;
    tok_encoding e;
    memset(&o, 0, sizeof o);
    assert_int_equal(tok_encode(c, "ab", 2, &o, &e), TOK_ERR_ARG);
    assert_non_null(strstr(tok_ctx_error(c), "tok_encode_options_init"));
    /* an older caller's struct that ends after flags: the rest are defaults */
    tok_encode_options_init(&o);
    assert_int_equal(o.size, sizeof o);
    o.flags = TOK_ENC_OFFSETS;
    o.method = (tok_method)12345; /* beyond the caller's size: never read */
    o.size = offsetof(tok_encode_options, flags) + sizeof o.flags;
    assert_int_equal(tok_encode(c, "ab", 2, &o, &e), TOK_OK);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ids[0], 1);
    tok_ctx_free(c);
    tok_free(t);

    tok_load_options lo;
    memset(&lo, 0, sizeof lo);
    tok_error err = { 0 };
    assert_null(tok_load_memory(FRONT_JSON, strlen(FRONT_JSON), "x.json", &lo, &err));
    assert_int_equal(err.code, TOK_ERR_ARG);
    tok_load_options_init(&lo);
    assert_int_equal(lo.size, sizeof lo);
    assert_int_equal(TOK_VERSION_NUMBER, TOK_VERSION_MAJOR * 10000 + TOK_VERSION_MINOR * 100 + TOK_VERSION_PATCH);
}

static void directory_with_tiktoken(void **state)
{
    (void)state;
    char src[2048], dir[] = "/tmp/tok_surface_XXXXXX", link1[4096], link2[4096];
    const char *c = getenv("TOK_CACHE");
    if (c) snprintf(src, sizeof src, "%s/tokenizers/r50k_base.tiktoken", c);
    else snprintf(src, sizeof src, "%s/.cache/libtok/tokenizers/r50k_base.tiktoken", getenv("HOME") ? getenv("HOME") : ".");
    if (access(src, R_OK)) skip();
    assert_non_null(mkdtemp(dir));
    snprintf(link1, sizeof link1, "%s/r50k_base.tiktoken", dir);
    snprintf(link2, sizeof link2, "%s/other.tiktoken", dir);
    assert_int_equal(symlink(src, link1), 0);
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load(dir, NULL, &err);
    if (!t) fail_msg("%s: %s", dir, err.message);
    assert_string_equal(tok_source(t), link1);
    tok_free(t);
    assert_int_equal(symlink(src, link2), 0);
    assert_null(tok_load(dir, NULL, &err));
    assert_non_null(strstr(err.message, "several *.tiktoken"));
    unlink(link1);
    unlink(link2);
    rmdir(dir);
}

/* ---- a GGUF vocabulary built in memory ----------------------------------- */

typedef struct gbuf { unsigned char b[4096]; size_t n; } gbuf;
static void g_put(gbuf *g, const void *p, size_t n) { assert_true(g->n + n <= sizeof g->b); memcpy(g->b + g->n, p, n); g->n += n; }
static void g_u32(gbuf *g, uint32_t v) { unsigned char x[4]; for (int i = 0; i < 4; i++) x[i] = (unsigned char)(v >> (8 * i)); g_put(g, x, 4); }
static void g_u64(gbuf *g, uint64_t v) { unsigned char x[8]; for (int i = 0; i < 8; i++) x[i] = (unsigned char)(v >> (8 * i)); g_put(g, x, 8); }
static void g_str(gbuf *g, const char *s) { g_u64(g, strlen(s)); g_put(g, s, strlen(s)); }
static void g_strs(gbuf *g, const char *key, const char *const *v, size_t n)
{
    g_str(g, key);
    g_u32(g, 9);
    g_u32(g, 8);
    g_u64(g, n);
    for (size_t i = 0; i < n; i++) g_str(g, v[i]);
}

static void gguf_in_memory(void **state)
{
    (void)state;
    static const char *toks[] = { "a", "b", "\xC4\xA0", "ab", "\xC4\xA0" "ab", "<|end|>" };
    static const char *merges[] = { "a b", "\xC4\xA0 ab" };
    gbuf g = { .n = 0 };
    g_put(&g, "GGUF", 4);
    g_u32(&g, 3);
    g_u64(&g, 7); /* tensor count: the tensors are never looked at */
    g_u64(&g, 6);
    g_str(&g, "general.architecture"); g_u32(&g, 8); g_str(&g, "gpt2");
    g_str(&g, "tokenizer.ggml.model"); g_u32(&g, 8); g_str(&g, "gpt2");
    g_str(&g, "tokenizer.ggml.pre"); g_u32(&g, 8); g_str(&g, "gpt-2");
    g_strs(&g, "tokenizer.ggml.tokens", toks, 6);
    g_strs(&g, "tokenizer.ggml.merges", merges, 2);
    g_str(&g, "tokenizer.ggml.token_type"); g_u32(&g, 9); g_u32(&g, 5); g_u64(&g, 6);
    for (int i = 0; i < 6; i++) g_u32(&g, i == 5 ? 3 : 1);
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load_memory(g.b, g.n, "mem.gguf", NULL, &err);
    if (!t) fail_msg("gguf: %s", err.message);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "ab ab<|end|>", 0, TU_IDS(3, 4, 5));
    assert_int_equal(tok_added_flags(t, 5), TOK_ADDED_IS | TOK_ADDED_SPECIAL);
    assert_int_equal(tok_merge_count(t), 2);
    tok_ctx_free(c);
    tok_free(t);
    /* every truncation fails cleanly with a byte offset */
    for (size_t n = 0; n < g.n; n++) {
        t = tok_load_memory(g.b, n, "cut.gguf", NULL, &err);
        if (t) fail_msg("a GGUF cut at %zu bytes loaded", n);
        assert_true(err.code == TOK_ERR_FORMAT);
        assert_non_null(strstr(err.message, "cut.gguf"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merges_of_a_file),
        cmocka_unit_test(merges_of_real_files),
        cmocka_unit_test(model_info_of_real_files),
        cmocka_unit_test(bytes_and_surface),
        cmocka_unit_test(pretokenize_flags),
        cmocka_unit_test(added_properties),
        cmocka_unit_test(builder_bpe_from_scratch),
        cmocka_unit_test(builder_other_kinds),
        cmocka_unit_test(builder_from_real),
        cmocka_unit_test(option_sizes),
        cmocka_unit_test(directory_with_tiktoken),
        cmocka_unit_test(gguf_in_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
