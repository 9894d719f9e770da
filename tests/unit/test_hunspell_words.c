/* analyzers/lang hunspell expansion and word sets: small hand-written .aff/.dic
 * pairs whose every form and stem|affix boundary is worked out by hand
 * (strip, conditions on multi-byte letters, cross product, twofold suffixes,
 * NEEDAFFIX, FORBIDDENWORD, FLAG long/num, AF aliases), the deterministic
 * gold sample, word sets and the errors of malformed files. */
#include "testutil.h"

#include "analyzers/lang/tok_lang.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/tok_hunspell_XXXXXX";

static void put_file(const char *name, const char *text, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Forms as "form:b1,b2", sorted, joined by spaces. */
typedef struct acc {
    char *items[256];
    size_t n;
} acc;

static int collect(void *user, const char *form, size_t len, const uint32_t *b, size_t nb)
{
    acc *a = user;
    char buf[256];
    int k = snprintf(buf, sizeof buf, "%.*s:", (int)len, form);
    for (size_t i = 0; i < nb; i++) k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%u", i ? "," : "", b[i]);
    assert_true(a->n < 256);
    a->items[a->n++] = strdup(buf);
    return 0;
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

static void expect_forms(const char *dic, const char *want)
{
    tok_error err = { 0 };
    tok_hunspell *h = tok_hunspell_load(dic, NULL, &err);
    if (!h) fail_msg("%s", err.message);
    acc a = { .n = 0 };
    uint64_t n = 0;
    assert_int_equal(tok_hunspell_expand(h, 0, collect, &a, &n), TOK_OK);
    assert_int_equal(n, a.n);
    qsort(a.items, a.n, sizeof *a.items, cmp_str);
    char got[4096] = "";
    for (size_t i = 0; i < a.n; i++) {
        strcat(got, i ? " " : "");
        strcat(got, a.items[i]);
        free(a.items[i]);
    }
    assert_string_equal(got, want);
    tok_hunspell_free(h);
}

static const char aff1[] =
    "SET UTF-8\n"
    "# comment\n"
    "NEEDAFFIX N\n"
    "FORBIDDENWORD F\n"
    "PFX U Y 1\n"
    "PFX U 0 un .\n"
    "SFX S Y 3\n"
    "SFX S y ies [^aeiou]y\n"
    "SFX S 0 s [aeiou]y\n"
    "SFX S 0 es s\n"
    "SFX A Y 1\n"
    "SFX A 0 able/B .\n"
    "SFX B Y 1\n"
    "SFX B 0 ness .\n"
    "SFX X N 1\n"
    "SFX X 0 ed .\n"
    "SFX L Y 2\n"
    "SFX L 0 lar [\xC4\xB1" "a]\n"       /* [ıa] */
    "SFX L 0 ler [ei\xC3\xB6\xC3\xBC]\n"; /* [eiöü] */

static const char dic1[] =
    "99999999\n" /* the count lies: not trusted */
    "try/S\n"
    "boy/SU\n"
    "kiss/S\n"
    "read/AU\n"
    "kap\xC4\xB1/L\n"           /* kapı */
    "k\xC3\xB6pr\xC3\xBC/L\n"   /* köprü */
    "need/NX\n"
    "bad/F\n"
    "a\\/b\n";                  /* an escaped slash is part of the word */

static void test_expand(void **state)
{
    (void)state;
    char aff[512], dic[512];
    put_file("one.aff", aff1, aff, sizeof aff);
    put_file("one.dic", dic1, dic, sizeof dic);
    /* try -> tr|ies (y stripped); boy -> boy|s, un|boy, un|boy|s (cross
     * product); kiss -> kiss|es; read -> read|able|ness (twofold) and the
     * prefix on each; kapı|lar, köprü|ler (conditions on 2-byte letters,
     * boundaries in bytes); need only with its suffix; bad is forbidden. */
    expect_forms(dic, "a/b: boy: boys:3 kap\xC4\xB1: kap\xC4\xB1lar:5 kiss: kisses:4 k\xC3\xB6pr\xC3\xBC: "
                      "k\xC3\xB6pr\xC3\xBC" "ler:7 needed:4 read: readable:4 readableness:4,8 tries:2 try: "
                      "unboy:2 unboys:2,5 unread:2 unreadable:2,6 unreadableness:2,6,10");
    tok_error err = { 0 };
    tok_hunspell *h = tok_hunspell_load(dic, aff, &err);
    assert_non_null(h);
    assert_int_equal(tok_hunspell_stems(h), 9);
    assert_int_equal(tok_hunspell_rules(h), 9);
    /* the limit stops the expansion and says so */
    acc a = { .n = 0 };
    uint64_t n = 0;
    assert_int_equal(tok_hunspell_expand(h, 5, collect, &a, &n), TOK_ERR_LIMIT);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < a.n; i++) free(a.items[i]);
    tok_hunspell_free(h);
}

static void test_flag_modes(void **state)
{
    (void)state;
    char p[512];
    /* FLAG long with AF aliases; a prefix class without cross product */
    put_file("two.aff", "SET UTF-8\nFLAG long\nAF 2\nAF Aa\nAF AaBb\nSFX Aa Y 1\nSFX Aa 0 s .\nPFX Bb N 1\nPFX Bb 0 re .\n",
             p, sizeof p);
    put_file("two.dic", "2\ncat/1\ndo/2\n", p, sizeof p);
    expect_forms(p, "cat: cats:3 do: dos:2 redo:2");
    /* FLAG num: a stripping suffix, and a suffix continued by it (condition fails: makes ends in s) */
    put_file("three.aff", "SET UTF-8\nFLAG num\nSFX 7 Y 1\nSFX 7 e ing e\nSFX 12 Y 1\nSFX 12 0 s/7 .\n", p, sizeof p);
    put_file("three.dic", "1\nmake/7,12\n", p, sizeof p);
    expect_forms(p, "make: makes:4 making:3");
}

static void test_gold(void **state)
{
    (void)state;
    char aff[512], dic[512];
    put_file("one.aff", aff1, aff, sizeof aff);
    put_file("one.dic", dic1, dic, sizeof dic);
    tok_error err = { 0 };
    tok_hunspell *h = tok_hunspell_load(dic, aff, &err);
    assert_non_null(h);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    uint64_t w = 0;
    char msg[256];
    assert_int_equal(tok_hunspell_gold(h, 0, 1, 0, f, &w, msg, sizeof msg), TOK_OK);
    fclose(f);
    /* every letters-only form (not a/b) in dictionary order, boundaries as | */
    assert_int_equal(w, 19);
    assert_non_null(strstr(buf, "try\ttry\ntries\ttr|ies\n"));
    assert_non_null(strstr(buf, "unreadableness\tun|read|able|ness\n"));
    assert_non_null(strstr(buf, "k\xC3\xB6pr\xC3\xBC" "ler\tk\xC3\xB6pr\xC3\xBC|ler\n"));
    assert_null(strstr(buf, "a/b"));
    free(buf);
    /* a sample of 4 is the same on every run, and differs with the seed */
    char *s1 = NULL, *s2 = NULL, *s3 = NULL;
    size_t l1, l2, l3;
    f = open_memstream(&s1, &l1);
    assert_int_equal(tok_hunspell_gold(h, 4, 7, 0, f, &w, msg, sizeof msg), TOK_OK);
    fclose(f);
    assert_int_equal(w, 4);
    f = open_memstream(&s2, &l2);
    assert_int_equal(tok_hunspell_gold(h, 4, 7, 0, f, &w, msg, sizeof msg), TOK_OK);
    fclose(f);
    f = open_memstream(&s3, &l3);
    assert_int_equal(tok_hunspell_gold(h, 4, 8, 0, f, &w, msg, sizeof msg), TOK_OK);
    fclose(f);
    assert_string_equal(s1, s2);
    assert_string_not_equal(s1, s3);
    free(s1);
    free(s2);
    free(s3);
    tok_hunspell_free(h);
}

static void test_wordset(void **state)
{
    (void)state;
    char p[512], sub[512];
    snprintf(sub, sizeof sub, "%s/xx", dir);
    mkdir(sub, 0700);
    put_file("xx/one.aff", aff1, p, sizeof p);
    put_file("xx/one.dic", dic1, p, sizeof p);
    put_file("xx/list.txt", "Zebra\nword/XY\njieba 3 n\n", p, sizeof p);
    put_file("xx/README", "not a list\n", p, sizeof p);
    tok_error err = { 0 };
    tok_wordset *w = tok_wordset_load(sub, 0, &err);
    if (!w) fail_msg("%s", err.message);
    assert_true(tok_wordset_has(w, "unboys", 6));
    assert_true(tok_wordset_has(w, "KISSES", 6)); /* ASCII lowercased */
    assert_true(tok_wordset_has(w, "zebra", 5));
    assert_true(tok_wordset_has(w, "word", 4));
    assert_true(tok_wordset_has(w, "jieba", 5));
    assert_false(tok_wordset_has(w, "need", 4)); /* NEEDAFFIX */
    assert_false(tok_wordset_has(w, "bad", 3));  /* FORBIDDENWORD */
    assert_false(tok_wordset_has(w, "not", 3));  /* README is no list */
    assert_int_equal(tok_wordset_size(w), 20 + 3);
    assert_false(tok_wordset_truncated(w));
    assert_string_equal(tok_wordset_sources(w), "list.txt (3 words, 3 new), one.dic (20 hunspell forms, 20 new)");
    tok_wordset_free(w);
    /* a .dic without .aff: its stems */
    put_file("stems.dic", "2\nalpha/AB\nbeta\n", p, sizeof p);
    w = tok_wordset_load(p, 0, &err);
    assert_non_null(w);
    assert_int_equal(tok_wordset_size(w), 2);
    assert_true(tok_wordset_has(w, "alpha", 5));
    tok_wordset_free(w);
    /* a cap */
    w = tok_wordset_load(sub, 5, &err);
    assert_non_null(w);
    assert_int_equal(tok_wordset_size(w), 5);
    assert_true(tok_wordset_truncated(w));
    tok_wordset_free(w);
    snprintf(p, sizeof p, "%s/missing", dir);
    assert_null(tok_wordset_load(p, 0, &err));
    assert_non_null(strstr(err.message, "missing"));
}

static void bad_aff(const char *aff, const char *dic, tok_status code, const char *needle)
{
    char pa[512], pd[512];
    put_file("bad.aff", aff, pa, sizeof pa);
    put_file("bad.dic", dic, pd, sizeof pd);
    tok_error err = { 0 };
    tok_hunspell *h = tok_hunspell_load(pd, NULL, &err);
    if (h) fail_msg("loaded: %s", aff);
    assert_int_equal(err.code, code);
    if (!strstr(err.message, needle)) fail_msg("'%s' not in '%s'", needle, err.message);
}

static void test_errors(void **state)
{
    (void)state;
    bad_aff("SET UTF-8\nSFX Q Y 1\nSFX Q 0 s [ab\n", "1\nx/Q\n", TOK_ERR_FORMAT, "bad.aff:3: bad condition '[ab'");
    bad_aff("SFX Z 0 s .\n", "1\nx\n", TOK_ERR_FORMAT, "bad.aff:1: affix rule before its header");
    bad_aff("SET ISO8859-1\n", "1\nx\n", TOK_ERR_UNSUPPORTED, "bad.aff:1: SET ISO8859-1 not supported");
    bad_aff("FLAG num\nSFX 1 Y 1\nSFX 1 0 s .\n", "2\nok/1\nx/1,a\n", TOK_ERR_FORMAT, "bad.dic:3: bad flags");
    bad_aff("SET UTF-8\n", "2\nok\nb\xFF" "d\n", TOK_ERR_UTF8, "bad.dic:3: invalid UTF-8");
    bad_aff("AF 1\nAF AB\n", "1\nx/2\n", TOK_ERR_FORMAT, "bad.dic:2: bad flags"); /* alias 2 of 1 */
    tok_error err = { 0 };
    assert_null(tok_hunspell_load("/nonexistent/x.txt", NULL, &err));
    assert_int_equal(err.code, TOK_ERR_ARG);
    assert_null(tok_hunspell_load("/nonexistent/x.dic", NULL, &err));
    assert_int_equal(err.code, TOK_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/x.aff"));
}

static void cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) {}
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_flag_modes),
        cmocka_unit_test(test_gold),
        cmocka_unit_test(test_wordset),
        cmocka_unit_test(test_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cleanup();
    return rc;
}
