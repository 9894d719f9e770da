/* SentencePiece .model loader: a protobuf writer builds small models here
 * (expected ids were checked with spm_encode 0.1.97 on the same bytes);
 * the tokenizer.json tree; merges derived from scores; malformed input.
 * Also the GPT-2 vocab.json + merges.txt loader. */
#include "testutil.h"

#include "libtok/internal.h"
#include "libtok/core/json.h"

#include <stdlib.h>
#include <unistd.h>

#include "protobuf.h"

typedef struct spiece { const char *text; float score; int type; } spiece;

typedef struct spec {
    int model_type, byte_fallback, add_dummy, remove_extra;
} spec;

static pbuf model_bytes(const spiece *ps, size_t n, spec s)
{
    pbuf m = { 0 };
    for (size_t i = 0; i < n; i++) {
        pbuf q = { 0 };
        ld(&q, 1, ps[i].text, strlen(ps[i].text));
        key(&q, 2, 5);
        put(&q, &ps[i].score, 4); /* little-endian host */
        if (ps[i].type != 1) vfield(&q, 3, (uint64_t)ps[i].type);
        ld(&m, 1, q.b, q.n);
        free(q.b);
    }
    pbuf t = { 0 };
    vfield(&t, 3, (uint64_t)s.model_type);
    vfield(&t, 40, 0);
    vfield(&t, 43, (uint64_t)-1); /* pad_id -1: a 10-byte varint */
    if (s.byte_fallback) vfield(&t, 35, 1);
    ld(&m, 2, t.b, t.n);
    free(t.b);
    pbuf z = { 0 };
    ld(&z, 1, "identity", 8);
    vfield(&z, 3, (uint64_t)s.add_dummy);
    vfield(&z, 4, (uint64_t)s.remove_extra);
    ld(&m, 3, z.b, z.n);
    free(z.b);
    return m;
}

static tok_tokenizer *load_spm(const pbuf *m, tok_unigram_ties ties, tok_error *err)
{
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_SPM;
    o.unigram_ties = ties;
    return tok_load_memory(m->b, m->n, "t.model", &o, err);
}

#define SP "\xE2\x96\x81"

/* a|b|c vs a|bc: equal after SentencePiece's float rounding, not in HF's f64 */
static const spiece tie_pieces[] = {
    { "<unk>", 0, 2 }, { "<s>", 0, 3 }, { "</s>", 0, 3 }, { SP, -20, 1 }, { "a", -20, 1 },
    { SP "a", -16, 1 }, { "b", -0x1p-25f, 1 }, { "c", -1, 1 }, { "bc", -1 - 0x1p-23f, 1 },
};

static void unigram_tie_rules(void **state)
{
    (void)state;
    pbuf m = model_bytes(tie_pieces, 9, (spec){ 1, 0, 1, 1 });
    tok_error err = { 0 };
    tok_tokenizer *t = load_spm(&m, TOK_TIES_DEFAULT, &err);
    if (!t) fail_msg("%s", err.message);
    assert_int_equal(tok_model_type(t), TOK_MODEL_UNIGRAM);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "abc", 0, TU_IDS(5, 8));        /* spm_encode: ▁a bc */
    tu_expect_ids(c, "  abc   abc ", 0, TU_IDS(5, 8, 5, 8));
    /* control text is plain text for spm_encode: < s > are unknown */
    tu_expect_ids(c, "<s>", 0, TU_IDS(3, 0));
    tok_ctx_free(c);
    tok_free(t);
    t = load_spm(&m, TOK_TIES_HF, &err);
    assert_non_null(t);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "abc", 0, TU_IDS(5, 6, 7)); /* HF tokenizers: ▁a b c */
    tok_ctx_free(c);
    tok_free(t);
    free(m.b);
}

/* head pieces followed by the 256 byte pieces <0x00>..<0xFF> (SentencePiece
 * wants all of them with byte_fallback) */
static char byte_names[256][8];
static size_t with_bytes(const spiece *head, size_t n, spiece *out)
{
    memcpy(out, head, n * sizeof *head);
    for (int b = 0; b < 256; b++) {
        snprintf(byte_names[b], sizeof byte_names[b], "<0x%02X>", b);
        out[n + (size_t)b] = (spiece){ byte_names[b], 0, 6 };
    }
    return n + 256;
}

static void unigram_tree(void **state)
{
    (void)state;
    static const spiece head[] = { { "<unk>", 0, 2 }, { "<s>", 0, 3 }, { "<sep>", 0, 4 }, { SP, -1, 1 },
                                   { "a", -2, 1 },    { "b", -2, 1 },  { "x", -3, 5 } };
    spiece ps[7 + 256];
    size_t np = with_bytes(head, 7, ps);
    pbuf m = model_bytes(ps, np, (spec){ 1, 1, 1, 1 });
    tok_error err = { 0 };
    json_t *j = tok_spm_to_json(m.b, m.n, "t.model", NULL, &err);
    if (!j) fail_msg("%s", err.message);
    json_t *model = json_object_get(j, "model");
    assert_string_equal(json_string_value(json_object_get(model, "type")), "Unigram");
    assert_string_equal(json_string_value(json_object_get(model, "libtok_ties")), "spm");
    assert_int_equal(json_integer_value(json_object_get(model, "unk_id")), 0);
    assert_true(json_is_true(json_object_get(model, "byte_fallback")));
    assert_int_equal(json_array_size(json_object_get(model, "libtok_piece_types")), np);
    assert_true(json_is_false(json_object_get(j, "libtok_match_special")));
    /* no pre-tokenizer: the lattice spans the whole text, as in SentencePiece */
    assert_true(json_is_null(json_object_get(j, "pre_tokenizer")));
    json_t *added = json_object_get(j, "added_tokens");
    /* <unk> and <s> special; the user-defined <sep> stays a model piece */
    assert_int_equal(json_array_size(added), 2);
    json_t *ns = json_object_get(json_object_get(j, "normalizer"), "normalizers");
    assert_int_equal(json_array_size(ns), 5); /* collapse, lstrip, escape, dummy prefix, rstrip */
    assert_string_equal(json_string_value(json_object_get(json_array_get(ns, 3), "type")), "Prepend");
    json_decref(j);
    /* HF's conversion: <sep> a non-special added token */
    tok_load_options o;
    tok_load_options_init(&o);
    o.unigram_ties = TOK_TIES_HF;
    j = tok_spm_to_json(m.b, m.n, "t.model", &o, &err);
    added = json_object_get(j, "added_tokens");
    assert_int_equal(json_array_size(added), 3);
    assert_true(json_is_false(json_object_get(json_array_get(added, 2), "special")));
    json_t *pre = json_object_get(j, "pre_tokenizer");
    assert_string_equal(json_string_value(json_object_get(pre, "type")), "Metaspace");
    assert_string_equal(json_string_value(json_object_get(pre, "prepend_scheme")), "always");
    json_decref(j);

    tok_tokenizer *t = load_spm(&m, TOK_TIES_DEFAULT, &err);
    if (!t) fail_msg("%s", err.message);
    tok_ctx *c = tok_ctx_new(t);
    /* spm_encode: ▁ a <sep> b; then byte fallback for 'A' and for the unused 'x' */
    tu_expect_ids(c, "a<sep>b", 0, TU_IDS(3, 4, 2, 5));
    tu_expect_ids(c, "<sep>b", 0, TU_IDS(3, 2, 5));
    tu_expect_ids(c, "a <sep>  b ", 0, TU_IDS(3, 4, 3, 2, 3, 5));
    /* only ' ' is white space to SentencePiece; trailing "▁" goes like a space */
    tu_expect_ids(c, " \ta \xE2\x96\x81", 0, TU_IDS(3, 7 + 9, 4));
    tu_expect_ids(c, "aAx", 0, TU_IDS(3, 4, 7 + 0x41, 7 + 0x78));
    tu_expect_ids(c, "\xC3\xA9", 0, TU_IDS(3, 7 + 0xC3, 7 + 0xA9));
    tok_ctx_free(c);
    tok_free(t);
    free(m.b);
}

/* Llama-style BPE: merges ordered by the score of the merged piece. */
static void bpe_from_scores(void **state)
{
    (void)state;
    static const spiece head[] = { { "<unk>", 0, 2 }, { "<s>", 0, 3 }, { "</s>", 0, 3 }, { SP "t", -1, 1 },
                                   { "he", -2, 1 },   { SP "the", -3, 1 }, { "th", -4, 1 }, { SP, -5, 1 },
                                   { "t", -6, 1 },    { "h", -7, 1 },  { "e", -8, 1 } };
    spiece ps[11 + 256];
    size_t np = with_bytes(head, 11, ps);
    pbuf m = model_bytes(ps, np, (spec){ 2, 1, 1, 0 });
    tok_error err = { 0 };
    json_t *j = tok_spm_to_json(m.b, m.n, "t.model", NULL, &err);
    if (!j) fail_msg("%s", err.message);
    json_t *model = json_object_get(j, "model");
    assert_string_equal(json_string_value(json_object_get(model, "type")), "BPE");
    json_t *merges = json_object_get(model, "merges");
    /* ▁t = ▁+t (-1); he = h+e (-2); ▁the = ▁t+he (no "the", no "▁th") (-3); th = t+h (-4) */
    static const char *const want[][2] = { { SP, "t" }, { "h", "e" }, { SP "t", "he" }, { "t", "h" } };
    assert_int_equal(json_array_size(merges), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *p = json_array_get(merges, i);
        assert_string_equal(json_string_value(json_array_get(p, 0)), want[i][0]);
        assert_string_equal(json_string_value(json_array_get(p, 1)), want[i][1]);
    }
    json_decref(j);
    tok_tokenizer *t = load_spm(&m, TOK_TIES_DEFAULT, &err);
    if (!t) fail_msg("%s", err.message);
    assert_int_equal(tok_model_type(t), TOK_MODEL_BPE);
    tok_ctx *c = tok_ctx_new(t);
    /* spm_encode: ▁the ▁the / ▁ <0xC3> <0xA9> th / ▁ ▁the */
    tu_expect_ids(c, "the the", 0, TU_IDS(5, 5));
    tu_expect_ids(c, "\xC3\xA9th", 0, TU_IDS(7, 11 + 0xC3, 11 + 0xA9, 6));
    tu_expect_ids(c, " the", 0, TU_IDS(7, 5));
    const char *text;
    size_t len;
    int32_t ids[] = { 5, 7, 11 + 0xC3, 11 + 0xA9, 6 };
    assert_int_equal(tok_decode(c, ids, 5, 0, &text, &len), TOK_OK);
    assert_string_equal(text, "the \xC3\xA9th");
    tok_ctx_free(c);
    tok_free(t);
    free(m.b);
}

static void expect_format_error(const void *d, size_t n, const char *needle)
{
    tok_error err = { 0 };
    json_t *j = tok_spm_to_json(d, n, "bad.model", NULL, &err);
    if (j) {
        json_decref(j);
        fail_msg("accepted bad model (%s)", needle);
    }
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "bad.model"));
    if (!strstr(err.message, needle)) fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

static void malformed(void **state)
{
    (void)state;
    pbuf m = model_bytes(tie_pieces, 9, (spec){ 1, 0, 1, 1 });
    /* cut inside the first piece message */
    expect_format_error(m.b, 5, "byte 1: length");
    /* every prefix either parses (cut between fields) or fails cleanly */
    for (size_t k = 0; k < m.n; k++) {
        tok_error err = { 0 };
        json_t *j = tok_spm_to_json(m.b, k, "bad.model", NULL, &err);
        if (j) json_decref(j);
        else assert_true(err.code == TOK_ERR_FORMAT && strstr(err.message, "bad.model"));
    }
    free(m.b);

    static const uint8_t overflow[] = { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F };
    expect_format_error(overflow, sizeof overflow, "byte 1: varint overflows");
    static const uint8_t trunc_varint[] = { 0x0A, 0x80 };
    expect_format_error(trunc_varint, sizeof trunc_varint, "truncated varint");
    static const uint8_t wrong_wt[] = { 0x08, 0x01 }; /* field 1 (pieces) as a varint */
    expect_format_error(wrong_wt, sizeof wrong_wt, "byte 0: field 1 has wire type 0");
    static const uint8_t group[] = { 0x0B, 0x0C };
    expect_format_error(group, sizeof group, "wire type 3");
    static const uint8_t score_wt[] = { 0x0A, 0x05, 0x0A, 0x01, 'a', 0x10, 0x01 }; /* score as varint */
    expect_format_error(score_wt, sizeof score_wt, "byte 5: field 2 has wire type 0");
    static const uint8_t bad_type[] = { 0x0A, 0x05, 0x0A, 0x01, 'a', 0x18, 0x09 };
    expect_format_error(bad_type, sizeof bad_type, "unknown piece type");
    static const uint8_t empty_piece[] = { 0x0A, 0x02, 0x0A, 0x00 };
    expect_format_error(empty_piece, sizeof empty_piece, "empty piece");
    static const uint8_t bad_utf8[] = { 0x0A, 0x03, 0x0A, 0x01, 0xFF };
    expect_format_error(bad_utf8, sizeof bad_utf8, "byte 4: piece is not valid UTF-8");
    expect_format_error("hello world, not a model\n", 25, "bad.model");
    expect_format_error("", 0, "empty");
    static const spiece dup[] = { { "<unk>", 0, 2 }, { "a", 0, 1 }, { "a", 0, 1 } };
    pbuf d = model_bytes(dup, 3, (spec){ 1, 0, 1, 1 });
    expect_format_error(d.b, d.n, "defined twice");
    free(d.b);
    static const spiece nounk[] = { { "a", 0, 1 } };
    d = model_bytes(nounk, 1, (spec){ 1, 0, 1, 1 });
    /* unk_id 0 is "a" here: accepted as HF would; a WORD model is not */
    json_t *j = tok_spm_to_json(d.b, d.n, "x.model", NULL, NULL);
    assert_non_null(j);
    json_decref(j);
    free(d.b);
    d = model_bytes(tie_pieces, 9, (spec){ 3, 0, 1, 1 });
    tok_error err = { 0 };
    assert_null(tok_spm_to_json(d.b, d.n, "w.model", NULL, &err));
    assert_int_equal(err.code, TOK_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "WORD"));
    free(d.b);
}

/* ---- GPT-2 vocab.json + merges.txt --------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void gpt2_loader(void **state)
{
    (void)state;
    char dir[] = "/tmp/tok_gpt2_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char vp[64], mp[64], bad[64];
    snprintf(vp, sizeof vp, "%s/vocab.json", dir);
    snprintf(mp, sizeof mp, "%s/merges.txt", dir);
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    write_file(vp, "{\"h\":0,\"e\":1,\"l\":2,\"o\":3,\"\xC4\xA0\":4,\"he\":5,\"ll\":6,\"hell\":7,\"hello\":8,"
                   "\"\xC4\xA0h\":9,\"<|endoftext|>\":10}");
    write_file(mp, "#version: 0.2\nh e\nl l\nhe ll\nhell o\n\xC4\xA0 h\n");
    tok_error err = { 0 };
    json_t *j = tok_gpt2_to_json(vp, NULL, &err);
    if (!j) fail_msg("%s", err.message);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "model"), "merges")), 5);
    tok_tokenizer *t = tok__from_hfjson(j, vp, NULL, &err);
    json_decref(j);
    if (!t) fail_msg("%s", err.message);
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "hello hello", 0, TU_IDS(8, 4, 8)); /* Ġ+h ranks after h+e */
    tu_expect_ids(c, "<|endoftext|>", TOK_ENC_SPECIAL_TEXT, TU_IDS(10));
    tok_ctx_free(c);
    tok_free(t);

    write_file(bad, "h e\nl l x\n");
    assert_null(tok_gpt2_to_json(vp, bad, &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "bad.txt:2"));
    write_file(bad, "{\"a\":0,\n\"b\":}");
    assert_null(tok_gpt2_to_json(bad, mp, &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "bad.txt:2:"));
    write_file(bad, "{\"a\":-1}");
    assert_null(tok_gpt2_to_json(bad, mp, &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_null(tok_gpt2_to_json("/nonexistent/vocab.json", mp, &err));
    assert_int_equal(err.code, TOK_ERR_IO);
    unlink(vp);
    unlink(mp);
    unlink(bad);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unigram_tie_rules),
        cmocka_unit_test(unigram_tree),
        cmocka_unit_test(bpe_from_scores),
        cmocka_unit_test(malformed),
        cmocka_unit_test(gpt2_loader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
