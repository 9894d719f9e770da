/* WordPiece: HF greedy longest-match-first (checked against a direct port of
 * HF's quadratic loop on random vocabularies), linear work on adversarial
 * words, WordLevel, the trie, and the BERT vocab.txt loader. */
#include "testutil.h"

#include "libtok/internal.h"
#include "libtok/core/json.h"
#include "libtok/models/trie.h"

#include <stdlib.h>

uint64_t tok__wordpiece_steps(const tok_ctx *ctx);

/* ---- a model without the pipeline --------------------------------------- */

typedef struct mtok {
    tok_tokenizer *t;
    tok_ctx *ctx;
} mtok;

static mtok model_new(json_t *j, bool byte_level)
{
    mtok m = { 0 };
    m.t = calloc(1, sizeof *m.t);
    assert_non_null(m.t);
    tok_vocab_init(&m.t->vocab);
    tok_error err = { 0 };
    tok_jctx jc = { .file = "t.json", .err = &err };
    m.t->model = tok_model_from_json(&jc, j, &m.t->vocab);
    if (!m.t->model) fail_msg("model: %s", err.message);
    assert_int_equal(tok_vocab_finish(&m.t->vocab, byte_level, m.t->model->cont_prefix, &err), TOK_OK);
    m.t->model->vocab = &m.t->vocab;
    m.t->model->unk_id = -1;
    if (m.t->model->vt->prepare(m.t->model, &m.t->vocab, &err)) fail_msg("prepare: %s", err.message);
    m.ctx = tok_ctx_new(m.t);
    assert_non_null(m.ctx);
    json_decref(j);
    return m;
}

static void model_free(mtok *m)
{
    tok_ctx_free(m->ctx);
    tok_model_free(m->t->model);
    tok_vocab_free(&m->t->vocab);
    free(m->t);
}

static tok_status model_encode(mtok *m, const char *s, size_t n, tok_toks *out)
{
    tok_encode_options o;
    memset(&o, 0, sizeof o);
    out->n = 0;
    return m->t->model->vt->encode(m->t->model, m->ctx, (const uint8_t *)s, (uint32_t)n, &o, out);
}

static json_t *wp_json(const char *const *toks, size_t n, const char *unk, const char *prefix, int max_chars)
{
    json_t *j = json_object(), *v = json_object();
    json_object_set_new(j, "type", json_string("WordPiece"));
    for (size_t i = 0; i < n; i++) json_object_set_new(v, toks[i], json_integer((json_int_t)i));
    json_object_set_new(j, "vocab", v);
    json_object_set_new(j, "unk_token", json_string(unk));
    json_object_set_new(j, "continuing_subword_prefix", json_string(prefix));
    json_object_set_new(j, "max_input_chars_per_word", json_integer(max_chars));
    return j;
}

/* ---- HF's loop, ported literally (quadratic) ----------------------------- */

static int32_t lookup(const char *const *toks, size_t n, const char *s, size_t len)
{
    int32_t id = -1;
    for (size_t i = 0; i < n; i++)
        if (strlen(toks[i]) == len && !memcmp(toks[i], s, len)) id = (int32_t)i;
    return id;
}

static size_t naive(const char *const *toks, size_t nt, const char *unk, const char *prefix, size_t max_chars,
                    const char *w, int32_t *ids, uint32_t *st, uint32_t *en)
{
    size_t n = strlen(w), chars = 0, k = 0;
    for (size_t i = 0; i < n; i++) chars += ((unsigned char)w[i] & 0xC0) != 0x80;
    int32_t unk_id = lookup(toks, nt, unk, strlen(unk));
    if (chars > max_chars) goto bad;
    size_t start = 0;
    char buf[512];
    while (start < n) {
        size_t end = n;
        int32_t cur = -1;
        while (start < end) {
            size_t pl = start > 0 ? strlen(prefix) : 0;
            memcpy(buf, prefix, pl);
            memcpy(buf + pl, w + start, end - start);
            int32_t id = lookup(toks, nt, buf, pl + end - start);
            if (id >= 0) {
                cur = id;
                break;
            }
            end--;
            while (end > start && ((unsigned char)w[end] & 0xC0) == 0x80) end--;
        }
        if (cur < 0) goto bad;
        ids[k] = cur;
        st[k] = (uint32_t)start;
        en[k] = (uint32_t)end;
        k++;
        start = end;
    }
    return k;
bad:
    ids[0] = unk_id;
    st[0] = 0;
    en[0] = (uint32_t)n;
    return 1;
}

static void expect(mtok *m, const char *w, const int32_t *want, size_t n)
{
    tok_toks out = { 0 };
    tok_status s = model_encode(m, w, strlen(w), &out);
    if (s) fail_msg("encode \"%s\": %s", w, tok_ctx_error(m->ctx));
    if (out.n != n) fail_msg("\"%s\": %zu tokens, want %zu", w, out.n, n);
    for (size_t i = 0; i < n; i++)
        if (out.id[i] != want[i]) fail_msg("\"%s\": token %zu is %d, want %d", w, i, out.id[i], want[i]);
    tok_toks_free(&out);
}

static void hf_examples(void **state)
{
    (void)state;
    static const char *const v[] = { "[UNK]", "un", "##aff", "##able", "a", "##a", "##b", "b",
                                     "é", "##é", "affable", "##", "#" };
    mtok m = model_new(wp_json(v, 13, "[UNK]", "##", 100), false);
    expect(&m, "unaffable", TU_IDS(1, 2, 3));
    expect(&m, "affable", TU_IDS(10));
    expect(&m, "aab", TU_IDS(4, 5, 6));
    expect(&m, "unx", TU_IDS(0));       /* cannot finish: whole word unknown */
    expect(&m, "x", TU_IDS(0));
    expect(&m, "éé", TU_IDS(8, 9));
    expect(&m, "##", TU_IDS(11));       /* the prefix itself matched at the start */
    expect(&m, "###", TU_IDS(0));       /* "##" then "###" is no continuation: unknown */
    tok_toks out = { 0 };
    assert_int_equal(model_encode(&m, "unaffable", 9, &out), TOK_OK);
    assert_int_equal(out.off[0].start, 0);
    assert_int_equal(out.off[0].end, 2);
    assert_int_equal(out.off[1].start, 2);
    assert_int_equal(out.off[1].end, 5);
    assert_int_equal(out.off[2].start, 5);
    assert_int_equal(out.off[2].end, 9);
    tok_toks_free(&out);
    model_free(&m);
}

static void max_chars_counts_characters(void **state)
{
    (void)state;
    static const char *const v[] = { "[UNK]", "é", "##é" };
    mtok m = model_new(wp_json(v, 3, "[UNK]", "##", 3), false);
    expect(&m, "ééé", TU_IDS(1, 2, 2)); /* 6 bytes, 3 characters */
    expect(&m, "éééé", TU_IDS(0));
    model_free(&m);
}

static void missing_unk_is_an_error(void **state)
{
    (void)state;
    static const char *const v[] = { "a", "##b" };
    mtok m = model_new(wp_json(v, 2, "[UNK]", "##", 100), false);
    expect(&m, "ab", TU_IDS(0, 1));
    tok_toks out = { 0 };
    assert_int_equal(model_encode(&m, "ax", 2, &out), TOK_ERR_FORMAT);
    assert_non_null(strstr(tok_ctx_error(m.ctx), "[UNK]"));
    tok_toks_free(&out);
    model_free(&m);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random vocabularies over a tiny alphabet (with '#' so that words and
 * tokens run into the prefix), compared with HF's loop id for id. */
static void matches_hf_loop_on_random_vocabularies(void **state)
{
    (void)state;
    static const char *const prefixes[] = { "##", "", "#", "@@", "é" };
    static const char *const alpha[] = { "a", "b", "#", "é", "c" };
    uint64_t seed = 88172645463325252ULL;
    char pool[64][24];
    const char *toks[64];
    for (int round = 0; round < 300; round++) {
        const char *prefix = prefixes[round % 5];
        size_t nt = 1 + rnd(&seed) % 40;
        strcpy(pool[0], "[UNK]");
        toks[0] = pool[0];
        for (size_t i = 1; i < nt; i++) {
            char *p = pool[i];
            p[0] = 0;
            if (rnd(&seed) % 2) strcat(p, prefix);
            size_t len = 1 + rnd(&seed) % 4;
            for (size_t k = 0; k < len; k++) strcat(p, alpha[rnd(&seed) % (round % 3 == 0 ? 5 : 3)]);
            toks[i] = p;
        }
        mtok m = model_new(wp_json(toks, nt, "[UNK]", prefix, 30), false);
        for (int wi = 0; wi < 60; wi++) {
            char w[128] = "";
            size_t len = 1 + rnd(&seed) % 12;
            if (rnd(&seed) % 4 == 0) strcat(w, prefix);
            for (size_t k = 0; k < len; k++) strcat(w, alpha[rnd(&seed) % (round % 3 == 0 ? 5 : 3)]);
            int32_t ids[128];
            uint32_t st[128], en[128];
            size_t k = naive(toks, nt, "[UNK]", prefix, 30, w, ids, st, en);
            tok_toks out = { 0 };
            assert_int_equal(model_encode(&m, w, strlen(w), &out), TOK_OK);
            bool same = out.n == k;
            for (size_t i = 0; same && i < k; i++)
                same = out.id[i] == ids[i] && out.off[i].start == st[i] && out.off[i].end == en[i];
            if (!same) {
                char got[256] = "", want[256] = "";
                for (size_t i = 0; i < out.n; i++)
                    snprintf(got + strlen(got), sizeof got - strlen(got), "%s ", toks[out.id[i]]);
                for (size_t i = 0; i < k; i++) snprintf(want + strlen(want), sizeof want - strlen(want), "%s ", toks[ids[i]]);
                fail_msg("round %d prefix \"%s\" word \"%s\": got [%s] want [%s]", round, prefix, w, got, want);
            }
            tok_toks_free(&out);
        }
        model_free(&m);
    }
}

/* Work is linear in the word length: count trie transitions on words that
 * make HF's loop quadratic (it retries every shorter substring). */
static void linear_on_adversarial_words(void **state)
{
    (void)state;
    static const char *const v1[] = { "[UNK]", "a", "##a", "##aa", "##aaa", "##aaaab" };
    static const char *const v2[] = { "[UNK]", "a", "ab", "abc", "##b", "##bc", "##c", "##bcd", "##cd", "##d", "abcdx",
                                      "##a", "##ab", "##abc", "##abcdx" };
    const char *const *vs[2] = { v1, v2 };
    size_t ns[2] = { 6, 15 };
    const char *unit[2] = { "a", "abcd" };
    for (int f = 0; f < 2; f++) {
        mtok m = model_new(wp_json(vs[f], ns[f], "[UNK]", "##", 1 << 20), false);
        uint64_t prev = 0;
        for (size_t n = 1000; n <= 64000; n *= 4) {
            size_t ul = strlen(unit[f]);
            char *w = malloc(n * ul + 1);
            for (size_t i = 0; i < n; i++) memcpy(w + i * ul, unit[f], ul);
            w[n * ul] = 0;
            uint64_t before = tok__wordpiece_steps(m.ctx);
            tok_toks out = { 0 };
            assert_int_equal(model_encode(&m, w, n * ul, &out), TOK_OK);
            assert_true(out.n > 0 && out.id[0] != 0);
            uint64_t steps = tok__wordpiece_steps(m.ctx) - before;
            /* at most a few transitions per byte, and growing with n, not n^2 */
            if (steps > 3 * n * ul + 64) fail_msg("family %d n=%zu: %llu steps", f, n, (unsigned long long)steps);
            if (prev) assert_true(steps < 5 * prev);
            prev = steps;
            tok_toks_free(&out);
            free(w);
        }
        model_free(&m);
    }
}

static void wordlevel(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:s, s:{s:i, s:i, s:i}, s:s}", "type", "WordLevel", "vocab", "<unk>", 0, "hello", 1,
                          "wörld", 2, "unk_token", "<unk>");
    mtok m = model_new(j, false);
    expect(&m, "hello", TU_IDS(1));
    expect(&m, "wörld", TU_IDS(2));
    expect(&m, "hell", TU_IDS(0));
    model_free(&m);
    j = json_pack("{s:s, s:{s:i}, s:s}", "type", "WordLevel", "vocab", "a", 0, "unk_token", "<unk>");
    m = model_new(j, false);
    tok_toks out = { 0 };
    assert_int_equal(model_encode(&m, "b", 1, &out), TOK_ERR_FORMAT);
    tok_toks_free(&out);
    model_free(&m);
}

static void trie_basics(void **state)
{
    (void)state;
    static const char *const k[] = { "a", "ab", "abc", "b", "ab", "", "\xff\x01" };
    tok_trie_key keys[7];
    for (int i = 0; i < 7; i++) keys[i] = (tok_trie_key){ (const uint8_t *)k[i], (uint32_t)(i == 6 ? 2 : strlen(k[i])), i };
    tok_trie t;
    assert_int_equal(tok_trie_build(&t, keys, 7, NULL), TOK_OK);
    assert_int_equal(t.nkeys, 5);
    assert_int_equal(tok_trie_find(&t, "ab", 2), 4); /* last duplicate wins */
    assert_int_equal(tok_trie_find(&t, "abcd", 4), -1);
    assert_int_equal(tok_trie_find(&t, "\xff\x01", 2), 6);
    size_t len;
    assert_int_equal(tok_trie_longest_prefix(&t, "abd", 3, &len), 4);
    assert_int_equal(len, 2);
    assert_int_equal(tok_trie_longest_prefix(&t, "x", 1, &len), -1);
    tok_trie_match mm[8];
    assert_int_equal(tok_trie_prefixes(&t, "abcx", 4, mm, 8), 3);
    assert_int_equal(mm[0].value, 0);
    assert_int_equal(mm[1].value, 4);
    assert_int_equal(mm[2].value, 2);
    assert_int_equal(mm[2].len, 3);
    /* every node is listed once, parents first */
    for (uint32_t i = 1; i < t.nnodes; i++) {
        int32_t node = (int32_t)t.bfs[i];
        assert_int_equal(tok_trie_child(&t, tok_trie_parent(&t, node), tok_trie_label(&t, node)), node);
    }
    tok_trie_free(&t);

    /* many random keys: every key found with its last value */
    uint64_t seed = 12345;
    enum { N = 20000 };
    static char buf[N][12];
    static tok_trie_key rk[N];
    for (int i = 0; i < N; i++) {
        size_t l = 1 + rnd(&seed) % 10;
        for (size_t c = 0; c < l; c++) buf[i][c] = (char)(rnd(&seed) % 256);
        rk[i] = (tok_trie_key){ (const uint8_t *)buf[i], (uint32_t)l, i };
    }
    assert_int_equal(tok_trie_build(&t, rk, N, NULL), TOK_OK);
    for (int i = 0; i < N; i++) {
        int32_t v = tok_trie_find(&t, buf[i], rk[i].len);
        assert_true(v >= i);
        assert_int_equal(memcmp(buf[v], buf[i], rk[i].len), 0);
    }
    tok_trie_free(&t);
}

#ifndef TEST_NO_PIPELINE
/* ---- BERT vocab.txt ---------------------------------------------------- */

static tok_tokenizer *load_vocab(const char *text, int lower, tok_error *err)
{
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_BERT_VOCAB;
    o.bert_lowercase = lower;
    return tok_load_memory(text, strlen(text), "vocab.txt", &o, err);
}

static const char bert_vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n,\nun\n##aff\n##able\nworld\n!\n"
                                 "h\n##ello\r\nwo\n##rld  \n";

static void bert_vocab_loader(void **state)
{
    (void)state;
    tok_error err = { 0 };
    tok_tokenizer *t = load_vocab(bert_vocab, -1, &err);
    if (!t) fail_msg("%s", err.message);
    assert_int_equal(tok_model_type(t), TOK_MODEL_WORDPIECE);
    assert_int_equal(tok_vocab_size(t), 16);
    assert_int_equal(tok_token_id(t, "##ello", 6), 13); /* \r\n line end */
    assert_int_equal(tok_token_id(t, "##rld", 5), 15);  /* trailing spaces trimmed */
    assert_true(tok_token_flags(t, 2) & TOK_TOKEN_SPECIAL);
    tok_ctx *c = tok_ctx_new(t);
    /* guessed uncased: "Hello" is lowercased */
    tu_expect_ids(c, "Hello, unaffable World!", TOK_ENC_ADD_SPECIAL, TU_IDS(2, 5, 6, 7, 8, 9, 10, 11, 3));
    tu_expect_ids(c, "[CLS] xyz", TOK_ENC_SPECIAL_TEXT, TU_IDS(2, 1));
    tok_ctx_free(c);
    tok_free(t);

    t = load_vocab(bert_vocab, 0, &err); /* forced cased */
    assert_non_null(t);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "Hello", 0, TU_IDS(1));
    tok_ctx_free(c);
    tok_free(t);

    /* a cased vocabulary is guessed cased */
    t = load_vocab("[UNK]\nHello\nhello\n", -1, &err);
    assert_non_null(t);
    c = tok_ctx_new(t);
    tu_expect_ids(c, "Hello hello", 0, TU_IDS(1, 2));
    tok_ctx_free(c);
    tok_free(t);
}

static void bert_vocab_errors(void **state)
{
    (void)state;
    tok_error err = { 0 };
    assert_null(load_vocab("", -1, &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "vocab.txt"));
    assert_null(load_vocab("\n\n", -1, &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_null(load_vocab("[UNK]\nok\nbad\xff\xfe\n", -1, &err));
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "vocab.txt:3:4"));
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hf_examples),
        cmocka_unit_test(max_chars_counts_characters),
        cmocka_unit_test(missing_unk_is_an_error),
        cmocka_unit_test(matches_hf_loop_on_random_vocabularies),
        cmocka_unit_test(linear_on_adversarial_words),
        cmocka_unit_test(wordlevel),
        cmocka_unit_test(trie_basics),
#ifndef TEST_NO_PIPELINE
        cmocka_unit_test(bert_vocab_loader),
        cmocka_unit_test(bert_vocab_errors),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
