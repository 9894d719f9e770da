/* Threads and the shared pre-token cache: tok_encode_threads on 2-5 threads
 * equals tok_encode (ids, offsets, word indices), cold and again on the same
 * context (its cache now shared and warm), tok_encode_ids_threads equals
 * tok_encode_ids; invalid UTF-8 in a later chunk is
 * reported at its offset in the whole text; contexts joined by
 * tok_ctx_share_cache and used on two threads at once give what a context of
 * their own gives; TOK_ENC_NO_CACHE gives the same encodings on every model
 * family and leaves the context's cache as it was. */
#include "testutil.h"
#include "libtok/core/piece_cache.h"

#include <pthread.h>

static char *cached(const char *rel, size_t *len)
{
    char path[4096];
    char *t = tu_read_file(tu_cache_path(rel, path, sizeof path), len);
    if (!t) fail_msg("%s missing: run sh scripts/fetch-refs.sh", rel);
    return t;
}

static tok_tokenizer *load_cached(const char *name)
{
    char rel[256], path[4096];
    snprintf(rel, sizeof rel, "tokenizers/%s", name);
    tok_error err;
    tok_tokenizer *t = tok_load(tu_cache_path(rel, path, sizeof path), NULL, &err);
    if (!t) fail_msg("%s: %s", name, err.message);
    return t;
}

/* A text of several kinds (English, other scripts, code) so that chunks
 * differ in cost; cut to at most max bytes at a character start. */
static char *mixed_text(size_t max, size_t *len)
{
    size_t a, b, c;
    char *en = cached("texts/english.txt", &a), *ml = cached("texts/multilingual.txt", &b), *co = cached("texts/code.txt", &c);
    char *t = malloc(a + b + c + 1);
    memcpy(t, ml, b);
    memcpy(t + b, en, a);
    memcpy(t + a + b, co, c);
    size_t n = a + b + c;
    if (n > max) n = max;
    while (n && ((unsigned char)t[n] & 0xC0) == 0x80) n--;
    t[n] = 0;
    free(en);
    free(ml);
    free(co);
    *len = n;
    return t;
}

static void same_encoding(const char *what, const tok_encoding *x, const tok_encoding *y)
{
    if (x->n != y->n) fail_msg("%s: %zu vs %zu tokens", what, x->n, y->n);
    for (size_t i = 0; i < x->n; i++) {
        if (x->ids[i] != y->ids[i] || x->offsets[i].start != y->offsets[i].start ||
            x->offsets[i].end != y->offsets[i].end || x->words[i] != y->words[i])
            fail_msg("%s: token %zu: id %d/%d offsets %u-%u/%u-%u word %d/%d", what, i, x->ids[i], y->ids[i],
                     x->offsets[i].start, x->offsets[i].end, y->offsets[i].start, y->offsets[i].end, x->words[i],
                     y->words[i]);
    }
}

static void test_threads_equal_one(void **state)
{
    (void)state;
    static const char *const names[] = { "o200k_base.tiktoken", "cl100k_base.tiktoken", "llama3.json" };
    size_t len;
    char *text = mixed_text(1u << 20, &len);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags |= TOK_ENC_OFFSETS;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        tok_tokenizer *t = load_cached(names[k]);
        tok_ctx *a = tok_ctx_new(t);
        tok_encoding one;
        assert_int_equal(tok_encode(a, text, len, &o, &one), TOK_OK);
        for (int th = 2; th <= 5; th += 3) {
            tok_ctx *b = tok_ctx_new(t);
            for (int again = 0; again < 2; again++) {
                tok_encoding two;
                assert_int_equal(tok_encode_threads(b, text, len, &o, th, &two), TOK_OK);
                char what[128];
                snprintf(what, sizeof what, "%s, %d threads, %s", names[k], th, again ? "warm" : "cold");
                same_encoding(what, &one, &two);
            }
            tok_ctx_free(b);
        }
        tok_ctx_free(a);
        tok_free(t);
    }
    free(text);
}

/* tok_encode_ids_threads: tok_encode_ids's ids and count on 2-5 threads,
 * cold and warm, with and without the post-processor's ids (Llama 3 wraps
 * <|begin_of_text|>); a buffer too small for the in-place chunks falls back
 * to one thread (same ids, TOK_ERR_BUFFER when they do not fit); invalid
 * UTF-8 is reported at its offset in the whole text. */
static void test_ids_threads(void **state)
{
    (void)state;
    static const char *const names[] = { "o200k_base.tiktoken", "cl100k_base.tiktoken", "llama3.json" };
    size_t len;
    char *text = mixed_text(1u << 20, &len);
    size_t cap = len + 16;
    int32_t *one = malloc(cap * sizeof *one), *two = malloc(cap * sizeof *two);
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        tok_tokenizer *t = load_cached(names[k]);
        for (int special = 0; special < 2; special++) {
            tok_encode_options o;
            tok_encode_options_init(&o);
            if (!special) o.flags &= ~(uint32_t)TOK_ENC_ADD_SPECIAL;
            tok_ctx *a = tok_ctx_new(t);
            size_t n1 = 0;
            assert_int_equal(tok_encode_ids(a, text, len, &o, one, cap, &n1), TOK_OK);
            assert_true(n1 > len / 8);
            for (int th = 2; th <= 5; th += 3) {
                tok_ctx *b = tok_ctx_new(t);
                for (int again = 0; again < 2; again++) {
                    size_t n2 = 0;
                    memset(two, 0xFF, cap * sizeof *two);
                    assert_int_equal(tok_encode_ids_threads(b, text, len, &o, th, two, cap, &n2), TOK_OK);
                    if (n1 != n2 || memcmp(one, two, n1 * sizeof *one))
                        fail_msg("%s, special %d, %d threads, %s: %zu vs %zu ids", names[k], special, th,
                                 again ? "warm" : "cold", n1, n2);
                }
                tok_ctx_free(b);
            }
            /* too small for chunks in place: one thread, the ids that fit */
            tok_ctx *c = tok_ctx_new(t);
            size_t n3 = 0;
            assert_int_equal(tok_encode_ids_threads(c, text, len, &o, 2, two, n1, &n3), TOK_OK);
            assert_int_equal(n3, n1);
            assert_memory_equal(one, two, n1 * sizeof *one);
            assert_int_equal(tok_encode_ids_threads(c, text, len, &o, 2, two, n1 - 1, &n3), TOK_ERR_BUFFER);
            assert_int_equal(n3, n1);
            tok_ctx_free(c);
            tok_ctx_free(a);
        }
        tok_free(t);
    }
    /* a bad byte three quarters in: the same error as one thread */
    size_t bad = len / 4 * 3;
    while (((unsigned char)text[bad] & 0xC0) == 0x80) bad++;
    text[bad] = (char)0xFF;
    tok_tokenizer *t = load_cached("o200k_base.tiktoken");
    tok_ctx *a = tok_ctx_new(t), *b = tok_ctx_new(t);
    size_t n;
    assert_int_equal(tok_encode_ids(a, text, len, NULL, one, cap, &n), TOK_ERR_UTF8);
    assert_int_equal(tok_encode_ids_threads(b, text, len, NULL, 4, two, cap, &n), TOK_ERR_UTF8);
    assert_string_equal(tok_ctx_error(a), tok_ctx_error(b));
    tok_ctx_free(a);
    tok_ctx_free(b);
    tok_free(t);
    free(one);
    free(two);
    free(text);
}

static void test_threads_utf8_offset(void **state)
{
    (void)state;
    size_t len;
    char *text = mixed_text(1u << 20, &len);
    /* a bad byte three quarters in, and another later: the first is reported */
    size_t bad = len / 4 * 3;
    while (((unsigned char)text[bad] & 0xC0) == 0x80) bad++;
    text[bad] = (char)0xFF;
    text[len - 10] = (char)0xFE;
    tok_tokenizer *t = load_cached("o200k_base.tiktoken");
    tok_ctx *a = tok_ctx_new(t), *b = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(a, text, len, NULL, &e), TOK_ERR_UTF8);
    assert_int_equal(tok_encode_threads(b, text, len, NULL, 4, &e), TOK_ERR_UTF8);
    assert_string_equal(tok_ctx_error(a), tok_ctx_error(b));
    char want[64];
    snprintf(want, sizeof want, "byte offset %zu", bad);
    assert_non_null(strstr(tok_ctx_error(b), want));
    /* lossy: replacement characters, the same tokens as one thread */
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags |= TOK_ENC_OFFSETS | TOK_ENC_LOSSY;
    tok_encoding x, y;
    assert_int_equal(tok_encode(a, text, len, &o, &x), TOK_OK);
    assert_int_equal(tok_encode_threads(b, text, len, &o, 3, &y), TOK_OK);
    same_encoding("lossy", &x, &y);
    tok_ctx_free(a);
    tok_ctx_free(b);
    tok_free(t);
    free(text);
}

typedef struct job {
    tok_ctx *ctx;
    const char *text;
    size_t len, n;
    int32_t *ids;
    tok_status st;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    /* many short texts, as a server meets them */
    size_t at = 0;
    j->n = 0;
    while (at < j->len && !j->st) {
        size_t end = at + 200 < j->len ? at + 200 : j->len;
        while (end < j->len && ((unsigned char)j->text[end] & 0xC0) == 0x80) end++;
        tok_encoding e;
        if ((j->st = tok_encode(j->ctx, j->text + at, end - at, NULL, &e))) break;
        memcpy(j->ids + j->n, e.ids, e.n * sizeof *e.ids);
        j->n += e.n;
        at = end;
    }
    return NULL;
}

static void test_share_cache(void **state)
{
    (void)state;
    size_t len;
    char *text = mixed_text(600u << 10, &len);
    tok_tokenizer *t = load_cached("cl100k_base.tiktoken"), *u = load_cached("o200k_base.tiktoken");
    tok_ctx *c0 = tok_ctx_new(t), *c1 = tok_ctx_new(t), *c2 = tok_ctx_new(t), *other = tok_ctx_new(u);
    assert_int_equal(tok_ctx_share_cache(c1, c0), TOK_OK);
    assert_int_equal(tok_ctx_share_cache(c2, c1), TOK_OK);
    assert_int_equal(tok_ctx_share_cache(other, c0), TOK_ERR_ARG);
    /* two threads, each half the text (and then the other half), one cache */
    job j[3] = {
        { c1, text, len / 2, 0, malloc(len * sizeof(int32_t)), TOK_OK },
        { c2, text + len / 2, len - len / 2, 0, malloc(len * sizeof(int32_t)), TOK_OK },
        { NULL, NULL, 0, 0, malloc(len * sizeof(int32_t)), TOK_OK },
    };
    while (((unsigned char)text[j[0].len] & 0xC0) == 0x80) {
        j[0].len++;
        j[1].text++;
        j[1].len--;
    }
    for (int round = 0; round < 2; round++) {
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, run_job, &j[1]), 0);
        run_job(&j[0]);
        pthread_join(th, NULL);
        assert_int_equal(j[0].st, TOK_OK);
        assert_int_equal(j[1].st, TOK_OK);
        /* the same texts on a context of its own */
        for (int k = 0; k < 2; k++) {
            tok_ctx *alone = tok_ctx_new(t);
            j[2] = (job){ alone, j[k].text, j[k].len, 0, j[2].ids, TOK_OK };
            run_job(&j[2]);
            assert_int_equal(j[2].st, TOK_OK);
            assert_int_equal(j[2].n, j[k].n);
            assert_memory_equal(j[2].ids, j[k].ids, j[k].n * sizeof(int32_t));
            tok_ctx_free(alone);
        }
        /* swap halves: each thread now meets what the other cached */
        job x = j[0];
        j[0].text = j[1].text;
        j[0].len = j[1].len;
        j[1].text = x.text;
        j[1].len = x.len;
    }
    /* freeing in any order: the cache lives until its last context */
    tok_ctx_free(c0);
    tok_encoding e;
    assert_int_equal(tok_encode(c2, "hello world", 11, NULL, &e), TOK_OK);
    tok_ctx_free(c1);
    tok_ctx_free(c2);
    tok_ctx_free(other);
    for (int k = 0; k < 3; k++) free(j[k].ids);
    tok_free(t);
    tok_free(u);
    free(text);
}

/* Slots filled in ctx's cache (0 when it has none yet). */
static size_t cache_count(tok_ctx *ctx)
{
    return ctx->pcache ? atomic_load(&ctx->pcache->count) : 0;
}

static void test_no_cache(void **state)
{
    (void)state;
    static const char *const names[] = { "o200k_base.tiktoken", "llama3.json", "mistral.json", "gemma3.json",
                                         "bert-base-uncased.json", "albert.model", "llama2.model" };
    size_t len;
    char *text = mixed_text(1u << 18, &len);
    tok_encode_options o, nc;
    tok_encode_options_init(&o);
    o.flags |= TOK_ENC_OFFSETS;
    nc = o;
    nc.flags |= TOK_ENC_NO_CACHE;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        tok_tokenizer *t = load_cached(names[k]);
        tok_ctx *a = tok_ctx_new(t), *b = tok_ctx_new(t);
        tok_encoding x, y;
        assert_int_equal(tok_encode(a, text, len, &o, &x), TOK_OK);
        /* b: a few words cached first, so that the flag must also skip hits */
        assert_int_equal(tok_encode(b, text, 200, &o, &y), TOK_OK);
        size_t before = cache_count(b);
        for (int th = 1; th <= 2; th++) {
            char what[128];
            snprintf(what, sizeof what, "%s, no cache, %d thread(s)", names[k], th);
            assert_int_equal(th == 1 ? tok_encode(b, text, len, &nc, &y) : tok_encode_threads(b, text, len, &nc, th, &y), TOK_OK);
            same_encoding(what, &x, &y);
            if (th == 1 && cache_count(b) != before)
                fail_msg("%s: the cache went from %zu to %zu slots", what, before, cache_count(b));
            /* ids alone, through the direct path */
            int32_t *ids = malloc((len + 16) * sizeof *ids);
            size_t n = 0;
            assert_int_equal(tok_encode_ids(b, text, len, &nc, ids, len + 16, &n), TOK_OK);
            assert_int_equal(n, x.n);
            assert_memory_equal(ids, x.ids, n * sizeof *ids);
            free(ids);
        }
        tok_ctx_free(a);
        tok_ctx_free(b);
        tok_free(t);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_equal_one),
        cmocka_unit_test(test_threads_utf8_offset),
        cmocka_unit_test(test_ids_threads),
        cmocka_unit_test(test_share_cache),
        cmocka_unit_test(test_no_cache),
    };
    return cmocka_run_group_tests_name("threads and the shared pre-token cache", tests, NULL, NULL);
}
