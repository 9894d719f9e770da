/* analyzers/glitch and analyzers/weights: categories on small tokenizers with
 * known answers, the weight readers on files written here (and every
 * truncation of them refused), indicators against values worked out by hand,
 * the verification rule. */
#include "testutil.h"
#include "analyzers/glitch/tok_glitch.h"
#include "analyzers/weights/tok_weights.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* A word-level vocabulary: "t" "e" "s" for magikarp's "test" probe, a
 * special-looking added token, and "xy" that splits into "x" "y". */
static const char *WL =
    "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0,\"t\":1,\"e\":2,\"s\":3,\"x\":4,\"y\":5,\"xy\":6,\"a\":7},"
    "\"unk_token\":\"[UNK]\"},"
    "\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\".\"},\"behavior\":\"Isolated\",\"invert\":false},"
    "\"decoder\":null,"
    "\"added_tokens\":[{\"id\":0,\"content\":\"[UNK]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
    "\"normalized\":false,\"special\":true}]}";

static void categories_wordlevel(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(WL);
    tok_error err;
    tok_glitch *g = tok_glitch_analyze(t, NULL, &err);
    if (!g) fail_msg("%s", err.message);
    assert_int_equal(tok_glitch_space_mode(g), 0);
    const tok_glitch_token *k = tok_glitch_get(g, 6); /* "xy" -> x y */
    assert_non_null(k);
    assert_int_equal(k->category, TOK_GLITCH_UNREACHABLE_MULTI_TOKEN);
    assert_int_equal(k->n_reencoded, 2);
    assert_int_equal(k->reencoded[0], 4);
    assert_int_equal(k->reencoded[1], 5);
    k = tok_glitch_get(g, 0);
    assert_int_equal(k->category, TOK_GLITCH_OK_SPECIAL); /* added special text is matched */
    assert_true(k->flags & TOK_GLITCH_F_SPECIAL_LOOKING);
    k = tok_glitch_get(g, 7);
    assert_int_equal(k->category, TOK_GLITCH_OK);
    assert_int_equal(k->byte_value, 'a');
    assert_int_equal(k->byte_kind, TOK_GLITCH_BYTE_ASCII);
    const tok_glitch_counts *c = tok_glitch_get_counts(g);
    assert_int_equal(c->vocab, 8);
    assert_int_equal(c->bytes, 6);       /* t e s x y a */
    assert_int_equal(c->special, 1);     /* [UNK] */
    assert_int_equal(c->unreachable, 1); /* xy */
    assert_int_equal(c->category[TOK_GLITCH_OK], 6);
    tok_glitch_free(g);
    tok_free(t);
}

static void probe_must_start_with_t(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0,\"q\":1},\"unk_token\":\"[UNK]\"},"
        "\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"added_tokens\":[]}");
    tok_error err;
    tok_glitch *g = tok_glitch_analyze(t, NULL, &err);
    assert_null(g);
    assert_int_equal(err.code, TOK_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "\"test\""));
    tok_free(t);
}

/* ---- weight files written here -------------------------------------------- */

static char dir[64];

static void put_file(const char *name, const void *p, size_t n, char *path)
{
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* rows x cols f32 matrix with known values */
#define R 8
#define C 4
static float M[R * C];

static size_t make_safetensors(uint8_t *out, const char *dtype, unsigned el)
{
    char h[256];
    int hl = snprintf(h, sizeof h,
                      "{\"model.embed_tokens.weight\":{\"dtype\":\"%s\",\"shape\":[%d,%d],\"data_offsets\":[0,%d]}}",
                      dtype, R, C, R * C * (int)el);
    while (hl % 8) h[hl++] = ' ';
    uint64_t L = (uint64_t)hl;
    memcpy(out, &L, 8);
    memcpy(out + 8, h, (size_t)hl);
    memcpy(out + 8 + hl, M, sizeof M);
    return 8 + (size_t)hl + R * C * el;
}

static size_t make_npy(uint8_t *out)
{
    char h[128];
    int n = snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", R, C);
    while ((10 + n + 1) % 64) h[n++] = ' ';
    h[n++] = '\n';
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (uint8_t)(n & 0xFF);
    out[9] = (uint8_t)(n >> 8);
    memcpy(out + 10, h, (size_t)n);
    memcpy(out + 10 + n, M, sizeof M);
    return 10 + (size_t)n + sizeof M;
}

static size_t put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); return 4; }
static size_t put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); return 8; }
static size_t put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s);
    put_u64(p, n);
    memcpy(p + 8, s, n);
    return 8 + n;
}

static size_t make_gguf(uint8_t *out, uint32_t type)
{
    size_t o = 0;
    memcpy(out, "GGUF", 4);
    o = 4;
    o += put_u32(out + o, 3);
    o += put_u64(out + o, 1);
    o += put_u64(out + o, 1);
    o += put_str(out + o, "general.architecture");
    o += put_u32(out + o, 8);
    o += put_str(out + o, "test");
    o += put_str(out + o, "token_embd.weight");
    o += put_u32(out + o, 2);
    o += put_u64(out + o, C); /* fastest dimension first */
    o += put_u64(out + o, R);
    o += put_u32(out + o, type);
    o += put_u64(out + o, 0);
    while (o % 32) out[o++] = 0;
    memcpy(out + o, M, sizeof M);
    return o + sizeof M;
}

static void check_matrix(const char *path, const char *name)
{
    tok_error err;
    tok_weights *w = tok_weights_open(path, &err);
    if (!w) fail_msg("%s", err.message);
    assert_string_equal(tok_weights_default_name(w, TOK_MATRIX_EMBED), name);
    tok_matrix *m = tok_weights_matrix(w, name, &err);
    if (!m) fail_msg("%s", err.message);
    assert_int_equal(tok_matrix_rows(m), R);
    assert_int_equal(tok_matrix_cols(m), C);
    float got[R * C];
    assert_int_equal(tok_matrix_rows_f32(m, 0, R, got), TOK_OK);
    assert_memory_equal(got, M, sizeof M);
    assert_int_equal(tok_matrix_rows_f32(m, R - 1, 2, got), TOK_ERR_RANGE);
    tok_matrix_free(m);
    tok_weights_free(w);
}

/* every proper prefix of a good file is refused with TOK_ERR_FORMAT (or opens
 * and then refuses the matrix), never read past its end (ASan) */
static void truncations_refused(const uint8_t *buf, size_t n, const char *file, const char *name)
{
    char path[256];
    for (size_t k = 0; k < n; k++) {
        put_file(file, buf, k, path);
        tok_error err;
        tok_weights *w = tok_weights_open(path, &err);
        if (w) {
            tok_matrix *m = tok_weights_matrix(w, name, &err);
            if (m) fail_msg("%s cut at %zu bytes gave a matrix", file, k);
            tok_weights_free(w);
        }
        assert_true(err.code == TOK_ERR_FORMAT || err.code == TOK_ERR_ARG || err.code == TOK_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.message, path));
        unlink(path);
    }
}

static void weight_readers(void **state)
{
    (void)state;
    for (int i = 0; i < R * C; i++) M[i] = (float)(i % 7) - 2.5f + (float)i / 64.0f;
    uint8_t buf[4096];
    char path[256];
    size_t n = make_safetensors(buf, "F32", 4);
    put_file("m.safetensors", buf, n, path);
    check_matrix(path, "model.embed_tokens.weight");
    truncations_refused(buf, n, "cut.safetensors", "model.embed_tokens.weight");
    n = make_npy(buf);
    put_file("m.npy", buf, n, path);
    check_matrix(path, "array");
    truncations_refused(buf, n, "cut.npy", "array");
    n = make_gguf(buf, 0);
    put_file("m.gguf", buf, n, path);
    check_matrix(path, "token_embd.weight");
    truncations_refused(buf, n, "cut.gguf", "token_embd.weight");
    /* a quantised type is listed but refused as a matrix, naming it */
    n = make_gguf(buf, 12);
    put_file("q.gguf", buf, n, path);
    tok_error err;
    tok_weights *w = tok_weights_open(path, &err);
    if (!w) fail_msg("%s", err.message);
    assert_string_equal(tok_weights_find(w, "token_embd.weight")->type_name, "Q4_K");
    assert_null(tok_weights_matrix(w, "token_embd.weight", &err));
    assert_int_equal(err.code, TOK_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "Q4_K"));
    assert_non_null(strstr(err.message, "byte offset"));
    tok_weights_free(w);
    /* a header whose dtype lies about the size */
    n = make_safetensors(buf, "F16", 4);
    put_file("lie.safetensors", buf, n, path);
    assert_null(tok_weights_open(path, &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "tensor model.embed_tokens.weight"));
}

static void half_precision(void **state)
{
    (void)state;
    /* F16 and BF16 bit patterns of known values */
    static const uint16_t f16[4] = { 0x3C00, 0xC000, 0x0001, 0x7BFF };  /* 1, -2, 2^-24, 65504 */
    static const uint16_t bf16[4] = { 0x3F80, 0xC000, 0x0000, 0x4049 }; /* 1, -2, 0, 3.140625 */
    const float want16[4] = { 1.0f, -2.0f, 5.9604645e-8f, 65504.0f }, wantb[4] = { 1.0f, -2.0f, 0.0f, 3.140625f };
    for (int which = 0; which < 2; which++) {
        char h[160];
        int hl = snprintf(h, sizeof h, "{\"w\":{\"dtype\":\"%s\",\"shape\":[2,2],\"data_offsets\":[0,8]}}",
                          which ? "BF16" : "F16");
        while (hl % 8) h[hl++] = ' ';
        uint8_t buf[256];
        uint64_t L = (uint64_t)hl;
        memcpy(buf, &L, 8);
        memcpy(buf + 8, h, (size_t)hl);
        memcpy(buf + 8 + hl, which ? bf16 : f16, 8);
        char path[256];
        put_file("h.safetensors", buf, 8 + (size_t)hl + 8, path);
        tok_error err;
        tok_weights *w = tok_weights_open(path, &err);
        if (!w) fail_msg("%s", err.message);
        tok_matrix *m = tok_weights_matrix(w, "w", &err);
        if (!m) fail_msg("%s", err.message);
        float got[4];
        tok_matrix_rows_f32(m, 0, 2, got);
        for (int i = 0; i < 4; i++) assert_true(got[i] == (which ? wantb : want16)[i]);
        tok_matrix_free(m);
        tok_weights_free(w);
    }
}

/* Indicators on a 8 x 4 matrix over the word-level vocabulary: rows 6 and 7
 * equal the reference row's direction, so their cosine distance is 0. */
static void indicators_small(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(WL);
    tok_error err;
    tok_glitch *g = tok_glitch_analyze(t, NULL, &err);
    float m[R * C] = {
        1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 1, 0,  1, 1, 0, 0,
        0, 1, 1, 0,  1, 0, 1, 0,  0, 0, 0, 2,  0, 0, 0, 1,
    };
    memcpy(M, m, sizeof m);
    uint8_t buf[4096];
    char path[256];
    size_t n = make_safetensors(buf, "F32", 4);
    put_file("i.safetensors", buf, n, path);
    tok_weights *w = tok_weights_open(path, &err);
    tok_matrix *mat = tok_weights_matrix(w, "model.embed_tokens.weight", &err);
    tok_glitch_indicator_options o;
    tok_glitch_indicator_options_init(&o);
    int32_t ref[1] = { 7 };
    o.unused = ref;
    o.n_unused = 1;
    o.percentile = 50;
    tok_glitch_indicators *ind = tok_glitch_indicators_compute(g, mat, NULL, &o, &err);
    if (!ind) fail_msg("%s", err.message);
    assert_int_equal(tok_glitch_indicators_count(ind), 4);
    assert_string_equal(tok_glitch_indicators_name(ind, 0), "E_out Cosine Distance");
    const float *cd = tok_glitch_indicators_values(ind, 0), *l2 = tok_glitch_indicators_values(ind, 3);
    assert_true(fabsf(cd[6]) < 1e-6f);                 /* (0,0,0,2) vs (0,0,0,1) */
    assert_true(fabsf(cd[0] - 1.0f) < 1e-6f);          /* orthogonal */
    assert_true(fabsf(l2[6] - 1.0f) < 1e-6f);
    assert_true(fabsf(l2[3] - sqrtf(3.0f)) < 1e-6f);
    /* OK tokens: ids 1..5 and 7 (6 "xy" is unreachable, 0 is OK_SPECIAL);
     * their cosine distances 1,1,1,1,1,0 -> median (50th percentile) 1 */
    size_t nc;
    double thr;
    const int32_t *cand = tok_glitch_indicators_candidates(ind, &nc, &thr);
    assert_true(fabs(thr - 1.0) < 1e-6);
    assert_int_equal(cand[0], 7); /* the smallest first */
    tok_glitch_indicators_free(ind);
    /* tied weights without a reference set: refused */
    o.unused = NULL;
    assert_null(tok_glitch_indicators_compute(g, mat, NULL, &o, &err));
    assert_int_equal(err.code, TOK_ERR_ARG);
    tok_matrix_free(mat);
    tok_weights_free(w);
    tok_glitch_free(g);
    tok_free(t);
}

static void verification_rule(void **state)
{
    (void)state;
    double p1[3] = { 0.95, 0, 0 }, p2[3] = { 0.2, 0.05, 0 }, p3[3] = { 0.0005, 0.0001, 0 }, p4[3] = { 0.01, 0, 0 };
    int enc[3] = { 1, 0, 0 }, none[3] = { 0, 0, 0 };
    assert_int_equal(tok_glitch_verify_classify(p1, enc, 3), TOK_GLITCH_STRONG_REJECTED);
    assert_int_equal(tok_glitch_verify_classify(p2, enc, 3), TOK_GLITCH_WEAK_REJECTED);
    assert_int_equal(tok_glitch_verify_classify(p3, enc, 3), TOK_GLITCH_STRONG_VERIFIED);
    assert_int_equal(tok_glitch_verify_classify(p4, enc, 3), TOK_GLITCH_WEAK_VERIFIED);
    assert_int_equal(tok_glitch_verify_classify(p3, none, 3), TOK_GLITCH_ENCODING_FAILED);
    /* rejection wins over the encoding check, as fishing.py orders it */
    assert_int_equal(tok_glitch_verify_classify(p1, none, 3), TOK_GLITCH_STRONG_REJECTED);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/libtok-glitch-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = { "m.safetensors", "m.npy", "m.gguf", "q.gguf", "lie.safetensors", "h.safetensors",
                            "i.safetensors", NULL };
    char path[256];
    for (int i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(categories_wordlevel),
        cmocka_unit_test(probe_must_start_with_t),
        cmocka_unit_test(weight_readers),
        cmocka_unit_test(half_precision),
        cmocka_unit_test(indicators_small),
        cmocka_unit_test(verification_rule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
