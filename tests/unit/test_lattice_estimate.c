/* The public segmentation lattice (tok_lattice) against a brute-force match
 * of every vocabulary entry, tok_scores_from_logp driving the likelihood
 * method, and tok_scores_estimate (vocab/) against EM computed by
 * enumerating every segmentation of each word. */
#include "testutil.h"

#include "vocab/tok_train.h"

#include <math.h>
#include <unistd.h>

static const char *const V[] = { "a", "b", "c", "ab", "bc", "abc", "ca" };
#define NV 7 /* [UNK] is id NV */

static tok_tokenizer *vocab(void)
{
    char buf[1024];
    size_t k = (size_t)snprintf(buf, sizeof buf,
                                "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"[UNK]\",\"vocab\":{");
    for (size_t i = 0; i < NV; i++) k += (size_t)snprintf(buf + k, sizeof buf - k, "\"%s\":%zu,", V[i], i);
    snprintf(buf + k, sizeof buf - k, "\"[UNK]\":%d}},\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"}}", NV);
    return tu_load_json(buf);
}

static void test_lattice_matches(void **state)
{
    (void)state;
    tok_tokenizer *t = vocab();
    tok_ctx *ctx = tok_ctx_new(t);
    assert_non_null(ctx);
    for (int i = 0; i < NV; i++) assert_int_equal(tok_lattice_has_token(t, i), 1);
    assert_int_equal(tok_lattice_has_token(t, NV), 0); /* the unknown token */
    assert_int_equal(tok_lattice_has_token(t, NV + 1), 0);
    assert_int_equal(tok_lattice_has_token(t, -1), 0);
    const char *words[] = { "abcab", "xcaby", "c", "bbbcabc" };
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        const char *s = words[w];
        size_t n = strlen(s);
        const tok_lattice_edge *ed;
        const uint32_t *first;
        assert_int_equal(tok_lattice(ctx, s, n, &ed, &first), TOK_OK);
        assert_int_equal(first[0], 0);
        for (size_t i = 0; i < n; i++) {
            /* expected: every entry that matches at i, by length, then a
             * fallback when no entry is the one character */
            tok_lattice_edge want[NV + 1];
            size_t k = 0;
            int single = 0;
            for (size_t len = 1; i + len <= n; len++)
                for (int id = 0; id < NV; id++)
                    if (strlen(V[id]) == len && !memcmp(s + i, V[id], len)) {
                        want[k++] = (tok_lattice_edge){ (uint32_t)len, id };
                        single |= len == 1;
                    }
            if (!single) want[k++] = (tok_lattice_edge){ 1, TOK_LATTICE_FALLBACK };
            assert_int_equal(first[i + 1] - first[i], k);
            for (size_t e = 0; e < k; e++) {
                assert_int_equal(ed[first[i] + e].len, want[e].len);
                assert_int_equal(ed[first[i] + e].id, want[e].id);
            }
        }
    }
    tok_ctx_free(ctx);
    tok_free(t);
}

static void test_scores_from_logp(void **state)
{
    (void)state;
    tok_tokenizer *t = vocab();
    tok_error err = { 0 };
    float lp[NV + 1] = { -10, -10, -1, -1, -10, -5, -10, NAN };
    assert_null(tok_scores_from_logp(t, lp, NV, &err));
    assert_non_null(strstr(err.message, "vocabulary of 8 ids"));
    tok_scores *S = tok_scores_from_logp(t, lp, NV + 1, &err);
    assert_non_null(S);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.method = TOK_METHOD_LIKELIHOOD;
    o.scores = S;
    tok_encoding e;
    assert_int_equal(tok_encode_pretoken(ctx, "abc", 3, &o, &e), TOK_OK);
    assert_int_equal(e.n, 2); /* ab + c (-2) beats abc (-5) */
    assert_int_equal(e.ids[0], 3);
    assert_int_equal(e.ids[1], 2);
    tok_ctx_free(ctx);
    tok_scores_free(S);
    tok_free(t);
}

/* one EM round by enumerating the segmentations of each word */
static void brute_em(const char *const *words, const double *wc, size_t nw, const double *lp_in, double *lp_out)
{
    double cnt[NV] = { 0 };
    for (size_t w = 0; w < nw; w++) {
        const char *s = words[w];
        size_t n = strlen(s);
        double Z = 0, ec[NV] = { 0 };
        for (unsigned cut = 0; cut < 1u << (n - 1); cut++) { /* bit i: a cut after byte i */
            int ids[8], k = 0, ok = 1;
            double p = 0;
            for (size_t a = 0, b; a < n && ok; a = b) {
                for (b = a + 1; b < n && !(cut >> (b - 1) & 1); b++) {}
                int id = -1;
                for (int v = 0; v < NV; v++)
                    if (strlen(V[v]) == b - a && !memcmp(s + a, V[v], b - a)) id = v;
                if (id < 0) ok = 0;
                else { ids[k++] = id; p += lp_in[id]; }
            }
            if (!ok) continue;
            Z += exp(p);
            for (int i = 0; i < k; i++) ec[ids[i]] += exp(p);
        }
        for (int v = 0; v < NV; v++) cnt[v] += wc[w] * ec[v] / Z;
    }
    double total = 0;
    for (int v = 0; v < NV; v++) total += cnt[v];
    double z = log(total + 0.01 * NV);
    for (int v = 0; v < NV; v++) lp_out[v] = (float)(log(cnt[v] + 0.01) - z);
}

static void test_estimate_vs_enumeration(void **state)
{
    (void)state;
    tok_tokenizer *t = vocab();
    static const char *const words[] = { "ab", "abc", "bc", "cab" };
    static const double wc[] = { 5, 3, 2, 4 };
    char corpus[512];
    size_t k = 0;
    for (int w = 0; w < 4; w++)
        for (int r = 0; r < (int)wc[w]; r++) k += (size_t)snprintf(corpus + k, sizeof corpus - k, "%s ", words[w]);
    corpus[k++] = '\n';
    /* first counts: WordLevel's own encoding (whole words; "cab" is [UNK]) */
    double cnt0[NV] = { 0 };
    cnt0[3] = 5; cnt0[5] = 3; cnt0[4] = 2;
    double lp[NV], nx[NV], total = 10;
    double z = log(total + 0.01 * NV);
    for (int v = 0; v < NV; v++) lp[v] = (float)(log(cnt0[v] + 0.01) - z);
    for (int it = 0; it < 3; it++) {
        brute_em(words, wc, 4, lp, nx);
        memcpy(lp, nx, sizeof lp);
    }
    tok_error err = { 0 };
    tok_scores *S = tok_scores_estimate(t, corpus, k, 3, &err);
    if (!S) fail_msg("estimate: %s", err.message);
    char path[] = "/tmp/tok-lattice-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tok_scores_save(S, path, &err), TOK_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        int id;
        double v;
        if (sscanf(line, "%d\t%lf", &id, &v) != 2 || strchr(line, ' ')) continue;
        assert_true(id >= 0 && id < NV);
        if (fabs(v - lp[id]) > 1e-5) fail_msg("id %d: estimate %.7f, enumeration %.7f", id, v, lp[id]);
        seen++;
    }
    fclose(f);
    unlink(path);
    assert_int_equal(seen, NV);
    tok_scores_free(S);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lattice_matches),
        cmocka_unit_test(test_scores_from_logp),
        cmocka_unit_test(test_estimate_vs_enumeration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
