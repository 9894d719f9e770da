/* Unigram: HF Viterbi and unknown fusing, SentencePiece tie rule, byte
 * fallback, sampling frequencies against exact path probabilities, n-best,
 * and bad model objects. */
#include "testutil.h"

#include "libtok/internal.h"
#include "libtok/core/json.h"

#include <math.h>
#include <stdlib.h>

typedef struct mtok {
    tok_tokenizer *t;
    tok_ctx *ctx;
} mtok;

static mtok model_new(const char *json)
{
    mtok m = { 0 };
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    if (!j) fail_msg("bad test JSON: %s", je.text);
    m.t = calloc(1, sizeof *m.t);
    tok_vocab_init(&m.t->vocab);
    tok_error err = { 0 };
    tok_jctx jc = { .file = "t.json", .err = &err };
    m.t->model = tok_model_from_json(&jc, j, &m.t->vocab);
    json_decref(j);
    if (!m.t->model) fail_msg("model: %s", err.message);
    assert_int_equal(tok_vocab_finish(&m.t->vocab, false, NULL, &err), TOK_OK);
    m.t->model->vocab = &m.t->vocab;
    if (m.t->model->vt->prepare(m.t->model, &m.t->vocab, &err)) fail_msg("prepare: %s", err.message);
    m.ctx = tok_ctx_new(m.t);
    tok_rng_seed(&m.ctx->rng, 42);
    m.ctx->rng_seeded = true;
    return m;
}

static void model_free(mtok *m)
{
    tok_ctx_free(m->ctx);
    tok_model_free(m->t->model);
    tok_vocab_free(&m->t->vocab);
    free(m->t);
}

static void model_fails(const char *json, const char *needle)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    assert_non_null(j);
    tok_vocab v;
    tok_vocab_init(&v);
    tok_error err = { 0 };
    tok_jctx jc = { .file = "t.json", .err = &err };
    tok_model *m = tok_model_from_json(&jc, j, &v);
    json_decref(j);
    tok_vocab_free(&v);
    if (m) {
        tok_model_free(m);
        fail_msg("model accepted: %s", json);
    }
    if (!strstr(err.message, needle)) fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

static tok_status run(mtok *m, const char *s, const tok_encode_options *o, tok_toks *out)
{
    out->n = 0;
    return m->t->model->vt->encode(m->t->model, m->ctx, (const uint8_t *)s, (uint32_t)strlen(s), o, out);
}

static void expect(mtok *m, const char *s, const int32_t *want, size_t n)
{
    tok_encode_options o;
    memset(&o, 0, sizeof o);
    tok_toks out = { 0 };
    if (run(m, s, &o, &out)) fail_msg("encode \"%s\": %s", s, tok_ctx_error(m->ctx));
    if (out.n != n) fail_msg("\"%s\": %zu tokens, want %zu", s, out.n, n);
    for (size_t i = 0; i < n; i++)
        if (out.id[i] != want[i]) fail_msg("\"%s\": token %zu is %d, want %d", s, i, out.id[i], want[i]);
    tok_toks_free(&out);
}

/* The example of HF's Unigram::encode documentation. */
static const char hf_doc[] =
    "{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"<unk>\",0],[\"a\",0],[\"b\",0],[\"c\",0],[\"d\",0],"
    "[\"cd\",1],[\"ab\",2],[\"abc\",5],[\"abcd\",10]]}";

static void hf_viterbi_and_unk_fusing(void **state)
{
    (void)state;
    mtok m = model_new(hf_doc);
    expect(&m, "abcdacdxx", TU_IDS(8, 1, 5, 0));
    tok_encode_options o;
    memset(&o, 0, sizeof o);
    tok_toks out = { 0 };
    assert_int_equal(run(&m, "abxéy", &o, &out), TOK_OK);
    assert_int_equal(out.n, 2); /* ab, then x é y fused */
    assert_int_equal(out.off[1].start, 2);
    assert_int_equal(out.off[1].end, 6);
    tok_toks_free(&out);
    expect(&m, "", NULL, 0);
    model_free(&m);
}

static void hf_byte_fallback(void **state)
{
    (void)state;
    mtok m = model_new("{\"type\":\"Unigram\",\"unk_id\":0,\"byte_fallback\":true,\"vocab\":[[\"<unk>\",0],"
                       "[\"a\",-1],[\"<0x78>\",0],[\"<0xC3>\",0],[\"<0xA9>\",0],[\"<0x79>\",0]]}");
    tok_encode_options o;
    memset(&o, 0, sizeof o);
    tok_toks out = { 0 };
    /* the fused run "xé" becomes its three bytes, each with the run's offsets */
    assert_int_equal(run(&m, "axéa", &o, &out), TOK_OK);
    assert_int_equal(out.n, 5);
    int32_t want[] = { 1, 2, 3, 4, 1 };
    for (int i = 0; i < 5; i++) assert_int_equal(out.id[i], want[i]);
    assert_int_equal(out.off[1].start, 1);
    assert_int_equal(out.off[1].end, 4);
    assert_int_equal(out.off[3].end, 4);
    /* a byte without a piece: the whole run is unknown */
    assert_int_equal(run(&m, "xz", &o, &out), TOK_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.id[0], 0);
    tok_toks_free(&out);
    model_free(&m);
}

static void spm_rule_bytes_and_unk_runs(void **state)
{
    (void)state;
    /* types: 2 unknown, 1 normal, 6 byte, 3 control, 5 unused */
    mtok m = model_new("{\"type\":\"Unigram\",\"unk_id\":0,\"byte_fallback\":true,\"libtok_ties\":\"spm\","
                       "\"vocab\":[[\"<unk>\",0],[\"a\",-1],[\"<0x78>\",0],[\"<0xC3>\",0],[\"<0xA9>\",0],[\"<s>\",0],"
                       "[\"ab\",-0.5],[\"b\",-1]],\"libtok_piece_types\":[2,1,6,6,6,3,5,1]}");
    tok_encode_options o;
    memset(&o, 0, sizeof o);
    tok_toks out = { 0 };
    /* each unknown character is decomposed on its own, with its own offsets */
    assert_int_equal(run(&m, "xéa", &o, &out), TOK_OK);
    assert_int_equal(out.n, 4);
    int32_t want[] = { 2, 3, 4, 1 };
    for (int i = 0; i < 4; i++) assert_int_equal(out.id[i], want[i]);
    assert_int_equal(out.off[0].end, 1);
    assert_int_equal(out.off[1].start, 1);
    assert_int_equal(out.off[1].end, 3);
    /* unused "ab" is skipped; control "<s>" is not in the trie; missing byte -> unk */
    assert_int_equal(run(&m, "ab<s>", &o, &out), TOK_OK);
    assert_int_equal(out.n, 5);
    assert_int_equal(out.id[0], 1);
    assert_int_equal(out.id[1], 7);
    assert_int_equal(out.id[2], 0); /* '<' has no byte piece here */
    tok_toks_free(&out);
    model_free(&m);

    /* without byte fallback, runs of unknown characters become one unk */
    m = model_new("{\"type\":\"Unigram\",\"unk_id\":0,\"libtok_ties\":\"spm\",\"vocab\":[[\"<unk>\",0],[\"a\",-1]],"
                  "\"libtok_piece_types\":[2,1]}");
    assert_int_equal(run(&m, "axyza", &o, &out), TOK_OK);
    assert_int_equal(out.n, 3);
    assert_int_equal(out.id[1], 0);
    assert_int_equal(out.off[1].start, 1);
    assert_int_equal(out.off[1].end, 4);
    tok_toks_free(&out);
    model_free(&m);
}

/* SentencePiece stores best path scores as floats: here a|b|c beats a|bc by
 * 2^-25 - 2^-23 in exact arithmetic (HF), but after rounding the prefix
 * sums to float the two tie and the earlier-found a|bc stays (spm_encode). */
static void tie_rules_differ(void **state)
{
    (void)state;
    char json[512];
    const char *fmt = "{\"type\":\"Unigram\",\"unk_id\":0,\"libtok_ties\":\"%s\",\"vocab\":[[\"<unk>\",0],"
                      "[\"a\",-16],[\"b\",%.17g],[\"c\",-1],[\"bc\",%.17g]]}";
    snprintf(json, sizeof json, fmt, "hf", -ldexp(1, -25), -1 - ldexp(1, -23));
    mtok m = model_new(json);
    expect(&m, "abc", TU_IDS(1, 2, 3));
    model_free(&m);
    snprintf(json, sizeof json, fmt, "spm", -ldexp(1, -25), -1 - ldexp(1, -23));
    m = model_new(json);
    expect(&m, "abc", TU_IDS(1, 4));
    model_free(&m);
}

/* Segmentations of "abc" with this vocabulary and their scores. */
static const char sample_vocab[] =
    "{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"<unk>\",0],[\"a\",-1],[\"b\",-1.5],[\"c\",-2],"
    "[\"ab\",-2.2],[\"bc\",-2.4],[\"abc\",-3.5]]}";
static const struct { int32_t ids[3]; int n; double score; } segs[4] = {
    { { 1, 2, 3 }, 3, -4.5 }, { { 4, 3 }, 2, -4.2 }, { { 1, 5 }, 2, -3.4 }, { { 6 }, 1, -3.5 },
};

static int which_seg(const tok_toks *out)
{
    for (int s = 0; s < 4; s++) {
        if ((int)out->n != segs[s].n) continue;
        bool same = true;
        for (int i = 0; i < segs[s].n; i++) same = same && out->id[i] == segs[s].ids[i];
        if (same) return s;
    }
    return -1;
}

/* Pearson chi-square of counts against probabilities over the k classes. */
static double chi2(const int *cnt, const double *p, int k, int n)
{
    double x = 0;
    for (int i = 0; i < k; i++) {
        double e = p[i] * n;
        x += (cnt[i] - e) * (cnt[i] - e) / e;
    }
    return x;
}

static void sampling_follows_model_distribution(void **state)
{
    (void)state;
    mtok m = model_new(sample_vocab);
    static const double alphas[] = { 0.0, 0.5, 1.0, 2.0 };
    for (int a = 0; a < 4; a++) {
        tok_encode_options o;
        memset(&o, 0, sizeof o);
        o.method = TOK_METHOD_SAMPLE;
        o.alpha = (float)alphas[a];
        double p[4], z = 0;
        for (int s = 0; s < 4; s++) z += p[s] = exp(alphas[a] * segs[s].score);
        for (int s = 0; s < 4; s++) p[s] /= z;
        int cnt[4] = { 0 };
        enum { N = 20000 };
        tok_toks out = { 0 };
        for (int i = 0; i < N; i++) {
            assert_int_equal(run(&m, "abc", &o, &out), TOK_OK);
            int s = which_seg(&out);
            assert_true(s >= 0);
            cnt[s]++;
        }
        tok_toks_free(&out);
        /* 3 degrees of freedom: 16.27 is the 0.1% critical value */
        double x = chi2(cnt, p, 4, N);
        if (x > 16.27) fail_msg("alpha %g: chi2 %.2f, counts %d %d %d %d", alphas[a], x, cnt[0], cnt[1], cnt[2], cnt[3]);
    }
    model_free(&m);
}

static void nbest_sampling(void **state)
{
    (void)state;
    mtok m = model_new(sample_vocab);
    tok_encode_options o;
    memset(&o, 0, sizeof o);
    o.method = TOK_METHOD_SAMPLE;
    o.alpha = 1.0f;
    o.nbest = 2; /* the two best: a|bc (-3.4) and abc (-3.5) */
    double p[2] = { exp(-3.4), exp(-3.5) };
    double z = p[0] + p[1];
    p[0] /= z;
    p[1] /= z;
    int cnt[2] = { 0 };
    enum { N = 20000 };
    tok_toks out = { 0 };
    for (int i = 0; i < N; i++) {
        assert_int_equal(run(&m, "abc", &o, &out), TOK_OK);
        int s = which_seg(&out);
        assert_true(s == 2 || s == 3);
        cnt[s - 2]++;
    }
    double x = chi2(cnt, p, 2, N);
    if (x > 10.83) fail_msg("chi2 %.2f, counts %d %d", x, cnt[0], cnt[1]);
    /* all four when n >= 4, and the best alone when n == 1 */
    o.nbest = 10;
    int seen[4] = { 0 };
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(run(&m, "abc", &o, &out), TOK_OK);
        seen[which_seg(&out)]++;
    }
    for (int s = 0; s < 4; s++) assert_true(seen[s] > 0);
    o.nbest = 1;
    assert_int_equal(run(&m, "abc", &o, &out), TOK_OK);
    assert_int_equal(which_seg(&out), 2);
    /* long input, n-best and full sampling keep covering the text */
    char buf[4001];
    for (int i = 0; i < 4000; i++) buf[i] = "abcx"[i % 4];
    buf[4000] = 0;
    o.nbest = 8;
    assert_int_equal(run(&m, buf, &o, &out), TOK_OK);
    assert_int_equal(out.off[out.n - 1].end, 4000);
    o.nbest = 0;
    assert_int_equal(run(&m, buf, &o, &out), TOK_OK);
    assert_int_equal(out.off[out.n - 1].end, 4000);
    for (size_t i = 1; i < out.n; i++) assert_int_equal(out.off[i].start, out.off[i - 1].end);
    tok_toks_free(&out);
    model_free(&m);
}

static void errors(void **state)
{
    (void)state;
    model_fails("{\"type\":\"Unigram\",\"unk_id\":3,\"vocab\":[[\"a\",0]]}", "unk_id");
    model_fails("{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[]}", "empty");
    model_fails("{\"type\":\"Unigram\",\"vocab\":[[\"a\",\"x\"]]}", "vocab[0]");
    model_fails("{\"type\":\"Unigram\",\"vocab\":[[\"a\",0,1]]}", "[piece, score]");
    model_fails("{\"type\":\"Unigram\",\"vocab\":[[\"a\",0]],\"libtok_ties\":\"x\"}", "tie rule");
    model_fails("{\"type\":\"Unigram\",\"vocab\":[[\"a\",0]],\"libtok_piece_types\":[1,2]}", "piece types");
    model_fails("{\"type\":\"Unigram\",\"vocab\":[[\"a\",0]],\"libtok_piece_types\":[9]}", "piece type");
    /* no unk_id: an uncovered character is an encode error, as in HF */
    mtok m = model_new("{\"type\":\"Unigram\",\"vocab\":[[\"a\",0]]}");
    expect(&m, "aa", TU_IDS(0, 0));
    tok_encode_options o;
    memset(&o, 0, sizeof o);
    tok_toks out = { 0 };
    assert_int_equal(run(&m, "ab", &o, &out), TOK_ERR_FORMAT);
    tok_toks_free(&out);
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hf_viterbi_and_unk_fusing),
        cmocka_unit_test(hf_byte_fallback),
        cmocka_unit_test(spm_rule_bytes_and_unk_runs),
        cmocka_unit_test(tie_rules_differ),
        cmocka_unit_test(sampling_follows_model_distribution),
        cmocka_unit_test(nbest_sampling),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
