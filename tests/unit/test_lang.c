/* analyzers/lang: word segmentation, per-language counts against counts made
 * by hand, merge == one pass, JSON round trip and its errors, Rényi/Shannon on
 * hand-computed distributions, morph boundaries against a hand-made gold. */
#include "testutil.h"

#include "analyzers/lang/tok_lang.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* WordLevel over a few words, split on white space and punctuation. */
static const char wl_json[] =
    "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"[UNK]\",\"vocab\":{\"[UNK]\":0,\"the\":1,\"cat\":2,\"sat\":3,"
    "\"on\":4,\"mat\":5,\".\":6,\"der\":7,\"hund\":8}},\"pre_tokenizer\":{\"type\":\"Whitespace\"}}";

static void test_words(void **state)
{
    (void)state;
    tok_wordseg *w = tok_wordseg_new(TOK_WORDS_WHITESPACE, NULL);
    assert_non_null(w);
    const tok_offset *o;
    size_t n;
    /* U+00A0 and U+3000 are white space for Python's str.split(), U+200B is not */
    const char *s = " a\xC2\xA0" "bc\xE3\x80\x80" "d\xE2\x80\x8B" "e\t\n";
    assert_int_equal(tok_wordseg_run(w, s, strlen(s), &o, &n), TOK_OK);
    assert_int_equal(n, 3);
    assert_int_equal(o[0].start, 1);
    assert_int_equal(o[0].end, 2);
    assert_int_equal(o[1].start, 4);
    assert_int_equal(o[1].end, 6);
    assert_int_equal(o[2].start, 9);
    assert_int_equal(o[2].end, 14);
    tok_wordseg_free(w);
    w = tok_wordseg_new(TOK_WORDS_UAX29, NULL);
    assert_non_null(w);
    /* Thai without spaces: ICU's dictionary finds the words; punctuation is not a word */
    const char *th = "\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\xAA\xE0\xB8\x94\xE0\xB8\xB5\xE0\xB8\x84\xE0\xB8\xA3\xE0\xB8\xB1\xE0\xB8\x9A, ok!";
    assert_int_equal(tok_wordseg_run(w, th, strlen(th), &o, &n), TOK_OK);
    assert_int_equal(n, 3); /* สวัสดี | ครับ | ok */
    assert_int_equal(o[2].start, strlen(th) - 3);
    tok_wordseg_free(w);
}

/* Every code point Python's str.isspace() accepts splits words, and its
 * neighbours, the other code points sharing its lead byte, and control bytes do
 * not: the candidates between long runs of letters (the 16-byte scan) and
 * between single letters (the byte loop), against the list from
 * CPython's _PyUnicode_IsWhitespace. */
static void test_words_space_table(void **state)
{
    (void)state;
    static const uint32_t py_space[] = { 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20,
                                         0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
                                         0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029,
                                         0x202F, 0x205F, 0x3000 };
    tok_wordseg *w = tok_wordseg_new(TOK_WORDS_WHITESPACE, NULL);
    assert_non_null(w);
    for (uint32_t cp = 1; cp < 0x4000; cp++) {
        if (cp >= 0xD800 && cp < 0xE000) continue;
        if (cp > 0x300 && cp < 0x1000) continue; /* lead bytes CC..E0: none starts a space */
        bool space = false;
        for (size_t k = 0; k < sizeof py_space / sizeof py_space[0]; k++) space |= py_space[k] == cp;
        char u[4];
        size_t ul = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        if (ul == 1) u[0] = (char)cp;
        else if (ul == 2) {
            u[0] = (char)(0xC0 | cp >> 6);
            u[1] = (char)(0x80 | (cp & 0x3F));
        } else {
            u[0] = (char)(0xE0 | cp >> 12);
            u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
        }
        for (size_t run = 1; run <= 40; run += 39) {
            char s[128];
            size_t n = 0, nw;
            for (size_t i = 0; i < run; i++) s[n++] = 'x';
            memcpy(s + n, u, ul);
            n += ul;
            for (size_t i = 0; i < run; i++) s[n++] = 'y';
            const tok_offset *o;
            assert_int_equal(tok_wordseg_run(w, s, n, &o, &nw), TOK_OK);
            if (nw != (space ? 2u : 1u)) fail_msg("U+%04X between runs of %zu letters: %zu words", cp, run, nw);
            if (space && (o[0].end != run || o[1].start != run + ul)) fail_msg("U+%04X: word bounds", cp);
        }
    }
    tok_wordseg_free(w);
}

/* Word types shared by worker threads: 20,000 distinct words (the table
 * grows while workers read it), each "cat" joined to k of "the" by dots so
 * that its isolated count is known (2k + 1 tokens: words and dots); 1, 2 and
 * 3 threads give the same counts, and those are the hand-computed ones. */
/* The counts of language "xx" of the file at path, read on 1, 2 and 3 threads. */
static void counts_on_threads(const tok_tokenizer *t, const char *path, bool keep_empty, tok_lang_counts c[3])
{
    for (int th = 1; th <= 3; th++) {
        tok_lang *a = tok_lang_new(t, NULL, NULL);
        tok_corpus_options o;
        tok_corpus_options_init(&o);
        o.lang = "xx";
        o.keep_empty = keep_empty;
        tok_error err = { 0 };
        tok_corpus *cp = tok_corpus_open(path, &o, &err);
        assert_non_null(cp);
        char msg[256];
        assert_int_equal(tok_lang_add_corpus_threads(a, cp, th, msg, sizeof msg), TOK_OK);
        assert_int_equal(tok_lang_get(a, 0, &c[th - 1]), TOK_OK);
        tok_corpus_free(cp);
        tok_lang_free(a);
    }
}

static void test_threads_word_types(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(wl_json);
    char path[] = "/tmp/libtok-test-lang-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    uint64_t words = 0, iso = 0;
    for (int i = 0; i < 20000; i++) {
        /* word i: cat.the.the... (i % 4 dots) then a unique tail z<i>, an unk */
        int k = i % 4;
        fprintf(f, "cat");
        for (int j = 0; j < k; j++) fprintf(f, ".the");
        fprintf(f, ".z%d the%s", i, i % 7 == 6 ? "\n" : " ");
        words += 2;
        iso += (uint64_t)(2 * k + 3) + 1; /* cat (. the)*k . z<i> ; "the" */
    }
    fputc('\n', f);
    fclose(f);
    tok_lang_counts c[3];
    counts_on_threads(t, path, false, c);
    unlink(path);
    assert_int_equal(c[0].words, words);
    assert_int_equal(c[0].iso_tokens, iso);
    assert_memory_equal(&c[0], &c[1], sizeof c[0]);
    assert_memory_equal(&c[0], &c[2], sizeof c[0]);
    tok_free(t);
}

/* Empty units kept (keep_empty) may open a batch: no copy from or into a
 * batch without a buffer yet (UBSan), and the same counts on 1-3 threads. */
static void test_threads_empty_units(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(wl_json);
    char path[] = "/tmp/libtok-test-lang-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\n\nthe cat\n\n", 11), 11);
    close(fd);
    tok_lang_counts c[3];
    counts_on_threads(t, path, true, c);
    unlink(path);
    assert_int_equal(c[0].units, 4);
    assert_int_equal(c[0].words, 2);
    assert_memory_equal(&c[0], &c[1], sizeof c[0]);
    assert_memory_equal(&c[0], &c[2], sizeof c[0]);
    tok_free(t);
}

static void test_counts_and_merge(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(wl_json);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_lang *a = tok_lang_new(t, NULL, NULL), *b = tok_lang_new(t, NULL, NULL), *all = tok_lang_new(t, NULL, NULL);
    assert_non_null(a);
    const char *u1 = "the cat sat.", *u2 = "der hund on the mat", *u3 = "the zebra.";
    assert_int_equal(tok_lang_add(a, ctx, "en", u1, strlen(u1)), TOK_OK);
    assert_int_equal(tok_lang_add(b, ctx, "de", u2, strlen(u2)), TOK_OK);
    assert_int_equal(tok_lang_add(b, ctx, "en", u3, strlen(u3)), TOK_OK);
    assert_int_equal(tok_lang_add(all, ctx, "en", u1, strlen(u1)), TOK_OK);
    assert_int_equal(tok_lang_add(all, ctx, "de", u2, strlen(u2)), TOK_OK);
    assert_int_equal(tok_lang_add(all, ctx, "en", u3, strlen(u3)), TOK_OK);
    char msg[256];
    assert_int_equal(tok_lang_merge(a, b, msg, sizeof msg), TOK_OK);
    /* counted by hand: en = "the cat sat." + "the zebra." */
    tok_lang_counts c;
    assert_int_equal(tok_lang_count(a), 2);
    assert_int_equal(tok_lang_get(a, (size_t)tok_lang_find(a, "en"), &c), TOK_OK);
    assert_int_equal(c.units, 2);
    assert_int_equal(c.bytes, 22);
    assert_int_equal(c.words, 5);       /* the cat sat. the zebra. */
    assert_int_equal(c.tokens, 7);      /* the cat sat . the [UNK] . */
    assert_int_equal(c.word_tokens, 7); /* sat. and zebra. are two tokens each */
    assert_int_equal(c.cont_words, 2);
    assert_int_equal(c.iso_tokens, 7);
    assert_int_equal(c.unk, 1);
    assert_int_equal(tok_lang_id_count(a, (size_t)-1, 1), 3); /* "the" in both languages */
    /* merged == one pass, on every count */
    for (size_t i = 0; i < tok_lang_count(all); i++) {
        tok_lang_counts x, y;
        tok_lang_get(all, i, &x);
        long j = tok_lang_find(a, x.lang);
        assert_true(j >= 0);
        tok_lang_get(a, (size_t)j, &y);
        assert_memory_equal(&x, &y, sizeof x);
    }
    /* JSON round trip, and the errors of a bad one */
    FILE *f = tmpfile();
    assert_int_equal(tok_lang_save(a, f), TOK_OK);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)len + 1);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    tok_error err = { 0 };
    tok_lang *r = tok_lang_from_json(t, buf, (size_t)len, "a.json", &err);
    assert_non_null(r);
    tok_lang_get(r, (size_t)tok_lang_find(r, "de"), &c);
    assert_int_equal(c.tokens, 5);
    assert_int_equal(tok_lang_id_count(r, (size_t)tok_lang_find(r, "de"), 8), 1);
    tok_lang_free(r);
    char *hole = strstr(buf, "\"ids\":[");
    assert_non_null(hole);
    hole[7] = '9'; /* an id beyond the vocabulary */
    hole[8] = '9';
    assert_null(tok_lang_from_json(t, buf, (size_t)len, "a.json", &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "a.json: $.languages["));
    assert_null(tok_lang_from_json(t, "{\"x\":", 5, "b.json", &err));
    assert_non_null(strstr(err.message, "b.json: not JSON"));
    free(buf);
    tok_lang_free(a);
    tok_lang_free(b);
    tok_lang_free(all);
    tok_ctx_free(ctx);
    tok_free(t);
}

static void test_efficiency(void **state)
{
    (void)state;
    tok_efficiency e;
    /* uniform over 4: every efficiency is 1 */
    const uint64_t u[] = { 5, 5, 0, 5, 5 };
    tok_efficiency_from_counts(u, 5, 2.5, 0, &e);
    assert_int_equal(e.types, 4);
    assert_int_equal(e.tokens, 20);
    assert_true(fabs(e.renyi - 1) < 1e-12 && fabs(e.shannon - 1) < 1e-12);
    /* p = (1/2, 1/4, 1/4): H_2 = -log2(3/8) = 1.415037, / log2(3); H_1 = 1.5 */
    const uint64_t c[] = { 2, 1, 1 };
    tok_efficiency_from_counts(c, 3, 2.0, 0, &e);
    assert_true(fabs(e.renyi - 1.415037499 / 1.584962501) < 1e-8);
    assert_true(fabs(e.shannon - 1.5 / 1.584962501) < 1e-8);
    /* the scorer's vocab= override: V = 16 */
    tok_efficiency_from_counts(c, 3, 1.0, 16, &e);
    assert_true(fabs(e.renyi - 1.5 / 4) < 1e-12 && fabs(e.shannon - 1.5 / 4) < 1e-12);
    /* one type: log2(1) = 0 in the denominator, as the scorer divides */
    const uint64_t one[] = { 7 };
    tok_efficiency_from_counts(one, 1, 2.5, 0, &e);
    assert_true(isnan(e.renyi) || isinf(e.renyi));
}

static void test_morph(void **state)
{
    (void)state;
    /* a BPE vocabulary with word-start tokens: Ġre Ġread read ing ed s */
    static const char bpe[] =
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"\\u0120\":0,\"r\":1,\"e\":2,\"a\":3,\"d\":4,\"i\":5,\"n\":6,\"g\":7,"
        "\"s\":8,\"t\":9,\"h\":10,\"\\u0120r\":11,\"\\u0120re\":12,\"ea\":13,\"ead\":14,\"read\":15,\"in\":16,"
        "\"ing\":17,\"ed\":18,\"th\":19,\"\\u0120th\":20,\"\\u0120the\":21},"
        "\"merges\":[\"\\u0120 r\",\"\\u0120r e\",\"e a\",\"ea d\",\"r ead\",\"i n\",\"in g\",\"e d\",\"t h\","
        "\"\\u0120 th\",\"\\u0120th e\"]},"
        "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true},"
        "\"decoder\":{\"type\":\"ByteLevel\"}}";
    tok_tokenizer *t = tu_load_json(bpe);
    tok_ctx *ctx = tok_ctx_new(t);
    char path[] = "/tmp/tok_gold_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *g = "# test\nrereading\tre|read|ing\nreads\tread|s\nbad\tb|x\n";
    assert_int_equal(write(fd, g, strlen(g)), (ssize_t)strlen(g));
    close(fd);
    tok_error err = { 0 };
    tok_gold *gold = tok_gold_load(path, &err);
    assert_non_null(gold);
    assert_int_equal(tok_gold_size(gold), 2);
    assert_int_equal(tok_gold_skipped(gold), 1);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_OFFSETS;
    tok_morph_result r;
    char msg[256];
    assert_int_equal(tok_morph_eval(t, ctx, gold, &o, NULL, &r, msg, sizeof msg), TOK_OK);
    /* " rereading" -> Ġre read ing: boundaries 2, 6 = the gold's; " reads" ->
     * Ġre a d s: boundaries 2 3 4 against the gold's 4 (tok encode shows both) */
    assert_int_equal(r.all_words, 2);
    assert_int_equal(r.all_gold, 3);
    assert_int_equal(r.all_tp, 3);
    assert_int_equal(r.all_pred, 5);
    assert_int_equal(r.kept, 1); /* rereading; not reads: Ġread is no token */
    assert_true(r.pct_pure > 0);
    tok_gold_free(gold);
    unlink(path);
    tok_ctx_free(ctx);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_words_space_table),
        cmocka_unit_test(test_threads_word_types),
        cmocka_unit_test(test_threads_empty_units),
        cmocka_unit_test(test_counts_and_merge),
        cmocka_unit_test(test_efficiency),
        cmocka_unit_test(test_morph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
