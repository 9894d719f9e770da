/* The direct scan->model loop (pipeline/encode_direct.c) and the ids-only
 * tok_encode_ids give what the general pipeline gives (a load with
 * regex_only: PCRE2 pre-tokenizer, per-piece path), id for id, offset for
 * offset, word for word, on real tokenizers (the three scanners; tiktoken
 * and tokenizer.json, with and without a post-processor) and real text, on
 * text with special-token text, and on invalid UTF-8, lossy or not. */
#include "testutil.h"

#include "libtok/internal.h"
#include "bytevocab.h"

static tok_tokenizer *load(const char *name, bool regex_only)
{
    char path[4096];
    tu_cache_path(name, path, sizeof path);
    tok_load_options o;
    tok_load_options_init(&o);
    o.regex_only = regex_only;
    tok_error err;
    tok_tokenizer *t = tok_load(path, &o, &err);
    if (!t) fail_msg("%s: %s", path, err.message);
    return t;
}

static void same_encoding(tok_ctx *cf, tok_ctx *cs, const char *s, size_t n, uint32_t flags, const char *what)
{
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = flags;
    tok_encoding a, b;
    tok_status sa = tok_encode(cf, s, n, &o, &a), sb = tok_encode(cs, s, n, &o, &b);
    assert_int_equal(sa, sb);
    /* the direct loop checks UTF-8 while it scans: the same error, naming the same byte */
    if (sa) assert_string_equal(tok_ctx_error(cf), tok_ctx_error(cs));
    if (sa) return;
    if (a.n != b.n) fail_msg("%s: %zu tokens, general path %zu", what, a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        if (a.ids[i] != b.ids[i] || a.words[i] != b.words[i] || a.type_ids[i] != b.type_ids[i] ||
            a.special[i] != b.special[i] ||
            (a.offsets && (a.offsets[i].start != b.offsets[i].start || a.offsets[i].end != b.offsets[i].end)))
            fail_msg("%s: token %zu: id %d [%u,%u) word %d, general path id %d [%u,%u) word %d", what, i, a.ids[i],
                     a.offsets ? a.offsets[i].start : 0, a.offsets ? a.offsets[i].end : 0, a.words[i], b.ids[i],
                     b.offsets ? b.offsets[i].start : 0, b.offsets ? b.offsets[i].end : 0, b.words[i]);
    }
    assert_int_equal(tok_dropped_bytes(cf), tok_dropped_bytes(cs));
    /* ids only, into a buffer: the same ids; too small a buffer: the count
     * needed and the ids that fit */
    size_t cap = n + 16, k = 0;
    int32_t *ids = malloc(cap * sizeof *ids);
    assert_int_equal(tok_encode_ids(cf, s, n, &o, ids, cap, &k), TOK_OK);
    assert_int_equal(k, b.n);
    for (size_t i = 0; i < k; i++)
        if (ids[i] != b.ids[i]) fail_msg("%s: tok_encode_ids id %zu: %d, general path %d", what, i, ids[i], b.ids[i]);
    if (k > 1) {
        size_t m = 0;
        memset(ids, 0xFF, cap * sizeof *ids);
        assert_int_equal(tok_encode_ids(cf, s, n, &o, ids, k / 2, &m), TOK_ERR_BUFFER);
        assert_int_equal(m, k);
        for (size_t i = 0; i < k / 2; i++) assert_int_equal(ids[i], b.ids[i]);
        if (ids[k / 2] != -1) fail_msg("%s: flags %u: tok_encode_ids wrote past its buffer (%zu of %zu ids)", what, flags, k / 2, k);
    }
    free(ids);
}

static char *text(const char *name, size_t max, size_t *n)
{
    char path[4096];
    char *s = tu_read_file(tu_cache_path(name, path, sizeof path), n);
    if (!s) fail_msg("cannot read %s", path);
    if (*n > max) {
        *n = max;
        while (*n && ((unsigned char)s[*n] & 0xC0) == 0x80) (*n)--;
    }
    return s;
}

static void check(const char *name)
{
    tok_tokenizer *fast = load(name, false), *slow = load(name, true);
    assert_true(fast->scan_direct);
    assert_null(slow->scan);
    tok_ctx *cf = tok_ctx_new(fast), *cs = tok_ctx_new(slow);
    static const char *const texts[] = { "texts/english.txt", "texts/multilingual.txt", "texts/code.txt",
                                         "texts/hardcases.txt" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t n = 0;
        char *s = text(texts[i], 40000, &n);
        same_encoding(cf, cs, s, n, TOK_ENC_OFFSETS | TOK_ENC_ADD_SPECIAL, texts[i]);
        same_encoding(cf, cs, s, n, 0, texts[i]);
        /* line by line: short texts, where a fresh call starts each time */
        size_t lines = 0;
        for (const char *p = s, *end = s + n; p < end && lines < 150; lines++) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            same_encoding(cf, cs, p, l, TOK_ENC_OFFSETS | TOK_ENC_ADD_SPECIAL, texts[i]);
            p += l;
        }
        free(s);
    }
    /* special-token text, matched or not, around and inside words */
    const char *sp = fast->vocab.n > 128000 ? "<|begin_of_text|>" : "<|endoftext|>";
    char buf[512];
    snprintf(buf, sizeof buf, "Hi%s there %s%s\n\n  x%sy 12345 ", sp, sp, sp, sp);
    same_encoding(cf, cs, buf, strlen(buf), TOK_ENC_OFFSETS | TOK_ENC_SPECIAL_TEXT, "special text");
    same_encoding(cf, cs, buf, strlen(buf), TOK_ENC_OFFSETS | TOK_ENC_NO_SPECIAL_TEXT, "special text, not matched");
    /* random bytes (invalid UTF-8): refused alike; lossy: the same U+FFFD tokens */
    srand(77);
    for (int r = 0; r < 100; r++) {
        size_t n = (size_t)(rand() % 200);
        for (size_t i = 0; i < n; i++) {
            int c = rand() % 4;
            buf[i] = (char)(c == 0 ? rand() % 256 : c == 1 ? 0x80 + rand() % 64 : c == 2 ? " \n'aZ9."[rand() % 7] : 0xC3);
        }
        same_encoding(cf, cs, buf, n, TOK_ENC_OFFSETS, "random bytes");
        same_encoding(cf, cs, buf, n, TOK_ENC_OFFSETS | TOK_ENC_LOSSY, "random bytes, lossy");
    }
    /* invalid bytes found by the scan: after ASCII blocks, inside and at the
     * end of a word (a sequence cut by the end of the text), after valid
     * non-ASCII; as a whole text and after the first bytes */
    static const char *const bad[] = {
        "The quick brown fox jumps over the lazy dog and on \xFF and on", "words \xE4\xB8", "\xE4\xB8",
        "caf\xC3\xA9 na\xC3\xAFve \xC3\x28 r\xC3\xA9sum\xC3\xA9", "12345\xF4\x90\x80\x80 67", "   \xED\xA0\x80\n\n",
        "x\xC0\xAFy", "\xF0\x9F\x98", "tail \xF8\x88\x80\x80\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        same_encoding(cf, cs, bad[i], strlen(bad[i]), TOK_ENC_OFFSETS, "invalid UTF-8");
        same_encoding(cf, cs, bad[i], strlen(bad[i]), TOK_ENC_OFFSETS | TOK_ENC_LOSSY, "invalid UTF-8, lossy");
    }
    same_encoding(cf, cs, "", 0, TOK_ENC_OFFSETS | TOK_ENC_ADD_SPECIAL, "empty");
    tok_ctx_free(cf);
    tok_ctx_free(cs);
    tok_free(fast);
    tok_free(slow);
}

/* tok_encode_ids with TOK_ENC_ADD_SPECIAL: a post-processor that only puts
 * the same ids around a single text is written by the fast paths (found at
 * load, t->wrap); one that does more is left to the general path.  Both
 * give tok_encode's ids, in every buffer size (the count needed, the ids
 * that fit, nothing past them). */
static void wrap_case(const char *post, bool wrap_ok, size_t nf, size_t nb)
{
    tok_sbuf b = { 0 };
    tok_sbuf_printf(&b, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
    tu_put_byte_vocab(&b);
    tok_sbuf_printf(&b, ",\"he\":256,\"[A]\":257,\"[B]\":258},\"merges\":[\"h e\"]},"
                        "\"added_tokens\":[{\"id\":257,\"content\":\"[A]\",\"special\":true},"
                        "{\"id\":258,\"content\":\"[B]\",\"special\":true}],"
                        "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":true},"
                        "\"post_processor\":%s,\"decoder\":{\"type\":\"ByteLevel\"}}", post);
    tok_sbuf_cstr(&b);
    tok_tokenizer *t = tu_load_json(b.v);
    free(b.v);
    assert_true(t->scan_direct);
    if (t->wrap_ok != wrap_ok) fail_msg("%s: wrap %d, expected %d", post, t->wrap_ok, wrap_ok);
    if (wrap_ok && (t->wrap_front != nf || t->wrap_back != nb))
        fail_msg("%s: %u ids before, %u after; expected %zu, %zu", post, t->wrap_front, t->wrap_back, nf, nb);
    tok_ctx *c = tok_ctx_new(t);
    static const char *const texts[] = { "", "h", "hello he said", "[A] he [B]" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *x = texts[i];
        size_t n = strlen(x);
        tok_encoding e;
        assert_int_equal(tok_encode(c, x, n, NULL, &e), TOK_OK);
        size_t k = e.n;
        int32_t *want = malloc((k + 1) * sizeof *want), ids[64];
        assert_true(want && k + 2 < 64);
        memcpy(want, e.ids, k * sizeof *want);
        for (size_t cap = 0; cap <= k + 1; cap++) {
            size_t m = 0;
            for (size_t j = 0; j < 64; j++) ids[j] = -7;
            tok_status st = tok_encode_ids(c, x, n, NULL, cap ? ids : NULL, cap, &m);
            assert_int_equal(st, cap < k ? TOK_ERR_BUFFER : TOK_OK);
            assert_int_equal(m, k);
            for (size_t j = 0; j < 64; j++) {
                int32_t w = j < cap && j < k ? want[j] : -7;
                if (ids[j] != w) fail_msg("%s: \"%s\", buffer of %zu: id %zu is %d, expected %d", post, x, cap, j, ids[j], w);
            }
        }
        free(want);
    }
    tok_ctx_free(c);
    tok_free(t);
}

static void wrap(void **state)
{
    (void)state;
    wrap_case("{\"type\":\"BertProcessing\",\"sep\":[\"[B]\",258],\"cls\":[\"[A]\",257]}", true, 1, 1);
    wrap_case("{\"type\":\"RobertaProcessing\",\"sep\":[\"[B]\",258],\"cls\":[\"[A]\",257],"
              "\"trim_offsets\":true,\"add_prefix_space\":false}", true, 1, 1);
    wrap_case("{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}", true, 0, 0);
    const char *sp = "\"special_tokens\":{\"[A]\":{\"id\":\"[A]\",\"ids\":[257],\"tokens\":[\"[A]\"]},"
                     "\"[B]\":{\"id\":\"[B]\",\"ids\":[258,257],\"tokens\":[\"[B]\",\"[A]\"]}}";
    char post[1024];
    snprintf(post, sizeof post, "{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[A]\",\"type_id\":0}},"
             "{\"SpecialToken\":{\"id\":\"[B]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],"
             "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],%s}", sp);
    wrap_case(post, true, 3, 0);
    /* the text twice: not a wrap */
    snprintf(post, sizeof post, "{\"type\":\"TemplateProcessing\",\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
             "{\"SpecialToken\":{\"id\":\"[A]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":1}}],"
             "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],%s}", sp);
    wrap_case(post, false, 0, 0);
    /* a chain: ByteLevel, then Bert's wrap, then a template around that */
    snprintf(post, sizeof post, "{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
             "\"trim_offsets\":true,\"use_regex\":true},{\"type\":\"BertProcessing\",\"sep\":[\"[B]\",258],\"cls\":[\"[A]\",257]},"
             "{\"type\":\"TemplateProcessing\",\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
             "{\"SpecialToken\":{\"id\":\"[B]\",\"type_id\":0}}],"
             "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],%s}]}", sp);
    wrap_case(post, true, 1, 3);
}

static void o200k(void **state) { (void)state; check("tokenizers/o200k_base.tiktoken"); }
static void llama3(void **state) { (void)state; check("tokenizers/llama3.json"); }
static void gpt2(void **state) { (void)state; check("tokenizers/r50k_base.tiktoken"); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wrap),
        cmocka_unit_test(o200k),
        cmocka_unit_test(llama3),
        cmocka_unit_test(gpt2),
    };
    return cmocka_run_group_tests_name("encode_direct", tests, NULL, NULL);
}
