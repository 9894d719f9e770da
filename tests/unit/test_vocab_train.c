/* vocab/: the count table (merge, sort, files, memory bound) and the
 * trainers on a small word list worked by hand with HF BpeTrainer's rules
 * (highest pair count, ties to the smaller pair of ids), plus errors. */
#include "testutil.h"

#include "vocab/tok_train.h"
#include "vocab/tok_vocab_edit.h"

#include <stdlib.h>
#include <unistd.h>

/* hug x10, pug x5, pun x12, bun x4, hugs x5 */
static tok_counts *words(void)
{
    tok_counts *c = tok_counts_new(0);
    assert_non_null(c);
    static const struct { const char *w; uint64_t n; } ws[] = {
        { "hug", 10 }, { "pug", 5 }, { "pun", 12 }, { "bun", 4 }, { "hugs", 5 } };
    for (size_t i = 0; i < 5; i++) assert_int_equal(tok_counts_add(c, ws[i].w, strlen(ws[i].w), ws[i].n), TOK_OK);
    return c;
}

static void merges_are(const tok_trained *t, const char *const *want, size_t n)
{
    const uint32_t (*m)[2];
    size_t k = tok_trained_merges(t, &m);
    assert_int_equal(k, n);
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s %s", tok_trained_token(t, m[i][0]), tok_trained_token(t, m[i][1]));
        assert_string_equal(buf, want[i]);
    }
}

static void test_bpe_by_hand(void **state)
{
    (void)state;
    tok_counts *c = words();
    tok_train_options o;
    tok_train_options_init(&o, TOK_TRAIN_BPE);
    o.vocab_size = 13; /* 7 characters + 6 merges */
    tok_error err = { 0 };
    tok_trained *t = tok_train(c, &o, &err);
    assert_non_null(t);
    /* alphabet by code point */
    static const char *const alpha[] = { "b", "g", "h", "n", "p", "s", "u" };
    for (size_t i = 0; i < 7; i++) assert_string_equal(tok_trained_token(t, i), alpha[i]);
    /* ug 20, un 16, hug 15, pun 12, then pug 5 and hugs 5 tie: (p,ug) = (4,7) < (hug,s) = (9,5) */
    static const char *const want[] = { "u g", "u n", "h ug", "p un", "p ug", "hug s" };
    merges_are(t, want, 6);
    assert_string_equal(tok_trained_token(t, 12), "hugs");
    tok_trained_free(t);

    /* min frequency 6 stops before the pairs seen 5 times */
    o.vocab_size = 100;
    o.min_frequency = 6;
    t = tok_train(c, &o, &err);
    assert_non_null(t);
    merges_are(t, want, 4);
    tok_trained_free(t);

    /* special tokens first; continuing prefix: "##" pieces, merged without it */
    o.min_frequency = 0;
    const char *sp[] = { "<pad>" };
    o.special = sp;
    o.n_special = 1;
    o.continuing_subword_prefix = "##";
    o.vocab_size = 100;
    t = tok_train(c, &o, &err);
    assert_non_null(t);
    assert_string_equal(tok_trained_token(t, 0), "<pad>");
    const uint32_t (*m)[2];
    assert_true(tok_trained_merges(t, &m) > 0);
    assert_string_equal(tok_trained_token(t, m[0][0]), "##u");
    assert_string_equal(tok_trained_token(t, m[0][1]), "##g");
    int found = 0;
    for (size_t i = 0; i < tok_trained_size(t); i++) found |= !strcmp(tok_trained_token(t, i), "hugs");
    assert_true(found);
    tok_trained_free(t);

    /* a vocabulary smaller than the alphabet names the option */
    tok_train_options_init(&o, TOK_TRAIN_BPE);
    o.vocab_size = 5;
    assert_null(tok_train(c, &o, &err));
    assert_non_null(strstr(err.message, "--vocab-size 5"));
    tok_counts_free(c);
}

static void test_wordlevel(void **state)
{
    (void)state;
    tok_counts *c = words();
    tok_train_options o;
    tok_train_options_init(&o, TOK_TRAIN_WORDLEVEL);
    tok_error err = { 0 };
    tok_trained *t = tok_train(c, &o, &err);
    assert_non_null(t);
    /* by count, then bytes */
    static const char *const want[] = { "pun", "hug", "hugs", "pug", "bun" };
    assert_int_equal(tok_trained_size(t), 5);
    for (size_t i = 0; i < 5; i++) assert_string_equal(tok_trained_token(t, i), want[i]);
    tok_trained_free(t);
    tok_counts_free(c);
}

static void test_counts(void **state)
{
    (void)state;
    tok_counts *a = words(), *b = tok_counts_new(0);
    assert_int_equal(tok_counts_add(b, "hug", 3, 1), TOK_OK);
    assert_int_equal(tok_counts_add(b, "a\tb\n\\", 6, 2), TOK_OK);
    assert_int_equal(tok_counts_merge(a, b), TOK_OK);
    assert_int_equal(tok_counts_size(a), 6);
    const tok_count_entry *e;
    size_t n;
    assert_int_equal(tok_counts_sorted(a, &e, &n), TOK_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(e[0].s, "a\tb\n\\", 6); /* byte order */
    assert_int_equal(e[2].count, 11);           /* hug: 10 + 1 */
    char path[] = "/tmp/libtok-test-counts-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    tok_error err = { 0 };
    assert_int_equal(tok_counts_save(a, "bytelevel", path, &err), TOK_OK);
    tok_counts *r = tok_counts_new(0);
    assert_int_equal(tok_counts_load(r, "bytelevel", path, &err), TOK_OK);
    const tok_count_entry *e2;
    size_t n2;
    assert_int_equal(tok_counts_sorted(r, &e2, &n2), TOK_OK);
    assert_int_equal(n2, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e2[i].len, e[i].len);
        assert_memory_equal(e2[i].s, e[i].s, e[i].len);
        assert_int_equal(e2[i].count, e[i].count);
    }
    /* another pipeline's counts are refused, naming file:line */
    assert_int_equal(tok_counts_load(r, "metaspace", path, &err), TOK_ERR_ARG);
    assert_non_null(strstr(err.message, ":2:"));
    unlink(path);

    /* the memory bound prunes rare entries, keeps frequent ones, reports */
    tok_counts *lim = tok_counts_new(1 << 20);
    char key[32];
    for (int i = 0; i < 200000; i++) {
        int k = snprintf(key, sizeof key, "w%d", i);
        assert_int_equal(tok_counts_add(lim, key, (size_t)k, i < 10 ? 1000 : 1), TOK_OK);
    }
    tok_counts_stats st;
    tok_counts_stats_get(lim, &st);
    assert_true(st.pruned_entries > 0);
    assert_true(st.bytes <= (1u << 20));
    assert_true(tok_counts_sorted(lim, &e, &n) == TOK_OK);
    size_t frequent = 0;
    for (size_t i = 0; i < n; i++) frequent += e[i].count >= 1000;
    assert_int_equal(frequent, 10);
    tok_counts_free(lim);
    tok_counts_free(a);
    tok_counts_free(b);
    tok_counts_free(r);
}

static void test_template_counting(void **state)
{
    (void)state;
    tok_error err = { 0 };
    tok_template *tp = tok_template_builtin("bytelevel", &err);
    assert_non_null(tp);
    tok_counts *c = tok_counts_new(0);
    const char *text = "hello world\nhello\n";
    assert_int_equal(tok_counts_add_text(c, tp, text, strlen(text), 1, "t", &err), TOK_OK);
    const tok_count_entry *e;
    size_t n;
    assert_int_equal(tok_counts_sorted(c, &e, &n), TOK_OK);
    /* lines separately, each with a prefix space: "Ġhello" x2, "Ġworld", "Ċ" x2 */
    assert_int_equal(n, 3);
    assert_memory_equal(e[0].s, "\xc4\x8a", 2);
    assert_int_equal(e[0].count, 2);
    assert_memory_equal(e[1].s, "\xc4\xa0hello", 7);
    assert_int_equal(e[1].count, 2);
    /* invalid UTF-8 is an error, not a crash */
    assert_int_not_equal(tok_counts_add_text(c, tp, "a\xff\n", 3, 1, "bad", &err), TOK_OK);
    assert_null(tok_template_builtin("nope", &err));
    assert_non_null(strstr(err.message, "--pre nope"));
    tok_counts_free(c);
    tok_template_free(tp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bpe_by_hand),
        cmocka_unit_test(test_wordlevel),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_template_counting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
