/* The keep-mask engine (analyzers/keep) and saliency priors (analyzers/saliency)
 * on hand-computed cases; the long random comparisons against the numpy
 * reference are in tests/keep/run.sh. */
#include "testutil.h"

#include "analyzers/keep/tok_keep.h"
#include "analyzers/saliency/tok_saliency.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static tok_keep *mk(tok_keep_config *c)
{
    tok_error err = { 0 };
    tok_keep *k = tok_keep_new(c, &err);
    if (!k) fail_msg("tok_keep_new: %s", err.message);
    return k;
}

static void expect_live(const tok_keep *k, int g, const int64_t *want, size_t n)
{
    const int64_t *p;
    size_t m = tok_keep_live(k, g, &p);
    assert_int_equal(m, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(p[i], want[i]);
}

static void bad_config(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_error err;
    tok_keep_config_init(&c);
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_ERR_ARG); /* no budget */
    assert_non_null(strstr(err.message, "no budget"));
    c.budget = 10;
    c.sinks = 4;
    c.window = 8;
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "smaller than sinks + window"));
    c.window = 2;
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_OK);
    c.budget = -1;
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_ERR_ARG);
    c.budget = 10;
    c.mode = (tok_keep_mode)9;
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, "unknown mode"));
    c.mode = TOK_KEEP_DECAY;
    c.alpha = 0;
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_ERR_ARG);
    c.alpha = 0.5;
    c.weight[3] = NAN;
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_ERR_ARG);
    c.weight[3] = 0;
    c.size = 3;
    assert_int_equal(tok_keep_config_check(&c, &err), TOK_ERR_ARG);
    assert_null(tok_keep_new(&c, &err));
}

/* StreamingLLM: 2 sinks, window 3, budget 5 */
static void streaming(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_keep_config_init(&c);
    c.sinks = 2;
    c.window = 3;
    c.budget = 5;
    c.heavy = 0;
    tok_keep *k = mk(&c);
    for (int p = 0; p < 5; p++) assert_int_equal(tok_keep_append(k, p * 10, 0, -1), TOK_OK);
    assert_int_equal(tok_keep_step(k), TOK_OK);
    const int64_t *ev;
    assert_int_equal(tok_keep_evicted(k, 0, &ev), 0);
    assert_int_equal(tok_keep_append(k, 50, 0, -1), TOK_OK);
    assert_int_equal(tok_keep_append(k, 40, 0, -1), TOK_ERR_ARG); /* out of order */
    assert_non_null(strstr(tok_keep_error(k), "must increase"));
    assert_int_equal(tok_keep_append(k, 60, 0, -1), TOK_OK);
    tok_keep_step(k);
    expect_live(k, 0, (int64_t[]){ 0, 10, 40, 50, 60 }, 5);
    assert_int_equal(tok_keep_evicted(k, 0, &ev), 2);
    assert_int_equal(ev[0], 20);
    assert_int_equal(ev[1], 30);
    assert_int_equal(tok_keep_slot(k, 0, 40), 2);
    assert_int_equal(tok_keep_slot(k, 0, 30), -1);
    assert_int_equal(tok_keep_remove(k, 10), TOK_OK);
    expect_live(k, 0, (int64_t[]){ 0, 40, 50, 60 }, 4);
    assert_int_equal(tok_keep_remove(k, 10), TOK_ERR_ARG);
    tok_keep_free(k);
}

/* H2O: accumulated sums, window 1, the best 2 before it; equal scores keep the later */
static void heavy_hitters(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_keep_config_init(&c);
    c.mode = TOK_KEEP_SUM;
    c.window = 1;
    c.budget = 3;
    tok_keep *k = mk(&c);
    for (int p = 0; p < 5; p++) tok_keep_append(k, p, 0, -1);
    float row1[5] = { 0.5f, 0.1f, 0.2f, 0.1f, 0.1f };
    float row2[5] = { 0.0f, 0.1f, 0.0f, 0.1f, 0.8f };
    assert_int_equal(tok_keep_feed(k, 0, 4, row1, 4), TOK_ERR_ARG); /* wrong length */
    assert_int_equal(tok_keep_feed(k, 0, 4, row1, 5), TOK_OK);
    assert_int_equal(tok_keep_feed(k, 0, 4, row2, 5), TOK_OK);
    /* scores 0.5 0.2 0.2 0.2 | 0.9 (window): 0 and the later of the 0.2s (3) */
    tok_keep_step(k);
    expect_live(k, 0, (int64_t[]){ 0, 3, 4 }, 3);
    assert_true(fabs(tok_keep_score(k, 0, 1) - 0.2) < 1e-7);
    tok_keep_free(k);
}

/* decay: s = alpha * s + a; column sums of several rows are refused */
static void decay(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_keep_config_init(&c);
    c.mode = TOK_KEEP_DECAY;
    c.alpha = 0.5;
    c.budget = 2;
    tok_keep *k = mk(&c);
    for (int p = 0; p < 3; p++) tok_keep_append(k, p, 0, -1);
    float r1[3] = { 1.0f, 0.0f, 0.0f }, r2[3] = { 0.0f, 0.6f, 0.4f };
    tok_keep_feed(k, 0, 2, r1, 3);
    tok_keep_feed(k, 0, 2, r2, 3);
    /* 0.5, 0.6, 0.4 */
    assert_true(fabs(tok_keep_score(k, 0, 0) - 0.5) < 1e-12);
    assert_int_equal(tok_keep_feed_sums(k, 0, r1, 3, 2), TOK_ERR_ARG);
    tok_keep_step(k);
    expect_live(k, 0, (int64_t[]){ 0, 1 }, 2);
    tok_keep_free(k);
}

/* ZipCache normalisation: the sum over rows divided by the rows that see the key */
static void normalized(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_keep_config_init(&c);
    c.mode = TOK_KEEP_NORMALIZED;
    c.budget = 2;
    tok_keep *k = mk(&c);
    for (int p = 0; p < 4; p++) tok_keep_append(k, p, 0, -1);
    /* one probe row (query 3): 0.5 0.375 0.25 0.125 / 4 3 2 1: all 0.125, ties keep the later */
    float r[4] = { 0.5f, 0.375f, 0.25f, 0.125f };
    tok_keep_feed(k, 0, 3, r, 4);
    assert_true(tok_keep_score(k, 0, 0) == 0.125);
    tok_keep_step(k);
    expect_live(k, 0, (int64_t[]){ 2, 3 }, 2);
    tok_keep_free(k);
}

/* separators, protected priors, weights and whole words */
static void priors_and_words(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_keep_config_init(&c);
    c.mode = TOK_KEEP_SUM;
    c.sinks = 1;
    c.window = 1;
    c.sep_budget = 1;
    c.protect_flags = TOK_PRIOR_SPECIAL;
    c.weight[6] = -1.0; /* stopword */
    c.word_granularity = 1;
    c.budget = 7;
    c.heavy = 3;
    tok_keep *k = mk(&c);
    /* pos:   0  1(sep) 2(special) 3(sep) 4 5 (word 7)  6(stop) 7 8 9 (word 8) 10 */
    uint32_t fl[11] = { 0, TOK_PRIOR_SEPARATOR, TOK_PRIOR_SPECIAL, TOK_PRIOR_SEPARATOR, 0, 0, TOK_PRIOR_STOPWORD, 0, 0, 0, 0 };
    int32_t wd[11] = { 0, 1, -1, 3, 7, 7, 6, 8, 8, 8, 9 };
    float a[11] = { 0, 0, 0, 0, 0.3f, 0.3f, 0.9f, 0.2f, 0.2f, 0.2f, 0 };
    for (int p = 0; p < 11; p++) tok_keep_append(k, p, fl[p], wd[p]);
    tok_keep_feed(k, 0, 10, a, 11);
    tok_keep_step(k);
    /* sinks 0, window 10, special 2, newest separator 3; units: {4,5} 0.3, {6} -0.1,
     * {7,8,9} 0.2: heavy 3 takes {4,5} (2), then {7,8,9} does not fit: the selection ends */
    expect_live(k, 0, (int64_t[]){ 0, 2, 3, 4, 5, 10 }, 6);
    tok_keep_free(k);
}

/* span pruning: SparseVLM's raters from relevance logits, excluded flags, whole words */
static void span(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_keep_config_init(&c);
    c.raters = TOK_RATERS_ABOVE_MEAN;
    c.rater_exclude = TOK_PRIOR_STOPWORD;
    c.span_budget = 2;
    tok_keep *k = mk(&c);
    for (int p = 0; p < 8; p++) tok_keep_append(k, p, 0, -1);
    /* span 1..4; 3 rows */
    float attn[3 * 4] = { 0.1f, 0.2f, 0.3f, 0.4f,   /* row 0 */
                          0.9f, 0.0f, 0.0f, 0.1f,   /* row 1 */
                          0.5f, 0.5f, 0.0f, 0.0f }; /* row 2 (a stopword) */
    /* logits: row 1 wins the softmax for every span member, rows 0 and 2 tie below */
    float rel[4 * 3] = { 0, 5, 0, 0, 5, 0, 0, 5, 0, 0, 5, 0 };
    uint32_t rf[3] = { 0, 0, TOK_PRIOR_STOPWORD };
    double sc[4];
    uint8_t rt[3];
    assert_int_equal(tok_keep_span(k, 0, 1, 4, attn, 3, rf, NULL, rel, sc, rt), TOK_OK);
    assert_int_equal(rt[0], 0);
    assert_int_equal(rt[1], 1);
    assert_int_equal(rt[2], 0);
    assert_true(fabs(sc[0] - 0.9f) < 1e-7);
    /* kept: 1 (0.9) and, among 0.0 0.0 0.1, 4 (0.1) */
    expect_live(k, 0, (int64_t[]){ 0, 1, 4, 5, 6, 7 }, 6);
    const int64_t *ev;
    assert_int_equal(tok_keep_evicted(k, 0, &ev), 2);
    assert_int_equal(ev[0], 2);
    assert_int_equal(tok_keep_span(k, 0, 1, 3, attn, 3, rf, NULL, NULL, NULL, NULL), TOK_ERR_ARG); /* 1, 4, 5: a hole */
    assert_non_null(strstr(tok_keep_error(k), "not contiguous"));
    tok_keep_free(k);
}

static void capacity(void **state)
{
    (void)state;
    tok_keep_config c;
    tok_keep_config_init(&c);
    c.budget = 2;
    c.capacity = 3;
    tok_keep *k = mk(&c);
    for (int p = 0; p < 3; p++) assert_int_equal(tok_keep_append(k, p, 0, -1), TOK_OK);
    assert_int_equal(tok_keep_append(k, 3, 0, -1), TOK_ERR_LIMIT);
    assert_int_equal(tok_keep_reserve(k, 8), TOK_OK);
    assert_int_equal(tok_keep_append(k, 3, 0, -1), TOK_OK);
    tok_keep_free(k);
}

/* a tiny BERT-style vocabulary for priors, fingerprints and features */
static const char bert_json[] =
    "{\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
    "\"strip_accents\":null,\"lowercase\":true},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
    "\"added_tokens\":[{\"id\":0,\"content\":\"[UNK]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
    "\"normalized\":false,\"special\":true}],"
    "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
    "\"max_input_chars_per_word\":100,\"vocab\":{\"[UNK]\":0,\"the\":1,\"dog\":2,\"##s\":3,\".\":4,\",\":5,"
    "\"bye\":6,\"now\":7,\"42\":8}}}";

static void saliency_priors(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(bert_json);
    char sw[] = "/tmp/libtok-test-sw-XXXXXX";
    int fd = mkstemp(sw);
    assert_true(fd >= 0);
    const char js[] = "{\"en\": [\"the\", \"now\"], \"de\": [\"der\"]}";
    assert_int_equal(write(fd, js, sizeof js - 1), (ssize_t)(sizeof js - 1));
    close(fd);
    tok_saliency_options o;
    tok_saliency_options_init(&o);
    o.stopwords_file = sw;
    tok_error err = { 0 };
    tok_saliency *s = tok_saliency_build(t, &o, &err);
    if (!s) fail_msg("%s", err.message);
    assert_true(tok_saliency_flags(s, 0) & TOK_PRIOR_SPECIAL);
    assert_true(tok_saliency_flags(s, 1) & TOK_PRIOR_STOPWORD);
    assert_true(tok_saliency_flags(s, 1) & TOK_PRIOR_WORD_START);
    assert_false(tok_saliency_flags(s, 3) & TOK_PRIOR_WORD_START);
    assert_true(tok_saliency_flags(s, 4) & TOK_PRIOR_SEPARATOR);
    assert_true(tok_saliency_flags(s, 4) & TOK_PRIOR_PUNCT);
    assert_true(tok_saliency_flags(s, 8) & TOK_PRIOR_DIGIT);
    const int32_t *ids;
    /* '.' and ',' only: '?' etc. are the unknown token here and left out */
    assert_int_equal(tok_saliency_separators(s, &ids), 2);
    assert_int_equal(ids[0], 4);
    assert_int_equal(ids[1], 5);
    /* features of "the dogs, bye now." */
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encode_options eo;
    tok_encode_options_init(&eo);
    eo.flags = TOK_ENC_OFFSETS;
    const char *text = "the dogs, bye now.";
    tok_encoding e;
    assert_int_equal(tok_encode(ctx, text, strlen(text), &eo, &e), TOK_OK);
    assert_int_equal(e.n, 7); /* the dog ##s , bye now . */
    tok_features f[7];
    tok_role_span roles[1] = { { 10, 18, 1 } };
    assert_int_equal(tok_saliency_features(s, &e, roles, 1, f), TOK_OK);
    int32_t word[7] = { 0, 1, 1, 2, 3, 4, 5 }, len[7] = { 1, 2, 2, 1, 1, 1, 1 }, piw[7] = { 0, 0, 1, 0, 0, 0, 0 },
            sent[7] = { 0, 0, 0, 0, 1, 1, 1 }, role[7] = { -1, -1, -1, -1, 1, 1, 1 };
    for (int i = 0; i < 7; i++) {
        assert_int_equal(f[i].word, word[i]);
        assert_int_equal(f[i].word_len, len[i]);
        assert_int_equal(f[i].pos_in_word, piw[i]);
        assert_int_equal(f[i].sentence, sent[i]);
        assert_int_equal(f[i].role, role[i]);
    }
    /* binary priors: round trip, fingerprint check */
    char pf[] = "/tmp/libtok-test-pri-XXXXXX";
    fd = mkstemp(pf);
    close(fd);
    assert_int_equal(tok_saliency_save(s, pf, &err), TOK_OK);
    char fp[33];
    tok_saliency_fingerprint(t, fp);
    tok_keep_priors *p = tok_keep_priors_load(pf, fp, &err);
    if (!p) fail_msg("%s", err.message);
    assert_int_equal(tok_keep_priors_vocab_size(p), 9);
    assert_int_equal(tok_keep_priors_flags(p, 4), tok_saliency_flags(s, 4));
    assert_int_equal(tok_keep_priors_flags(p, 99), 0);
    tok_keep_priors_free(p);
    fp[0] = fp[0] == 'a' ? 'b' : 'a';
    assert_null(tok_keep_priors_load(pf, fp, &err));
    assert_non_null(strstr(err.message, "another vocabulary"));
    unlink(pf);
    unlink(sw);
    tok_ctx_free(ctx);
    tok_saliency_free(s);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_config),   cmocka_unit_test(streaming), cmocka_unit_test(heavy_hitters),
        cmocka_unit_test(decay),        cmocka_unit_test(normalized), cmocka_unit_test(priors_and_words),
        cmocka_unit_test(span),         cmocka_unit_test(capacity),  cmocka_unit_test(saliency_priors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
