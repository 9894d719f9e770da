/* The public pipeline API on a small byte-level tokenizer: streaming decode,
 * caller buffers, stages, vocabulary access, added tokens, threads. */
#include "testutil.h"

#include <stdlib.h>

#include "bytevocab.h"

/* 256 byte tokens plus a few merges, GPT-2 split, one special token. */
static char *tiny_json(void)
{
    tok_sbuf b = { 0 };
    tok_sbuf_printf(&b, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
    tu_put_byte_vocab(&b);
    tok_sbuf_printf(&b, ",\"he\":256,\"hel\":257,\"\xC4\xA0h\":258,\"<|end|>\":259},"
                        "\"merges\":[\"h e\",\"he l\",\"\xC4\xA0 h\"]},"
                        "\"added_tokens\":[{\"id\":259,\"content\":\"<|end|>\",\"special\":true,"
                        "\"normalized\":false,\"lstrip\":false,\"rstrip\":false,\"single_word\":false}],"
                        "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":true},"
                        "\"decoder\":{\"type\":\"ByteLevel\"}}");
    tok_sbuf_cstr(&b);
    return b.v;
}

static tok_tokenizer *tiny(void)
{
    char *j = tiny_json();
    tok_tokenizer *t = tu_load_json(j);
    free(j);
    return t;
}

static void stream_never_splits_characters(void **state)
{
    (void)state;
    tok_tokenizer *t = tiny();
    tok_ctx *c = tok_ctx_new(t);
    const char *text = "h\xC3\xA9llo \xF0\x9F\x98\x80 \xE4\xB8\xAD<|end|>hel";
    tok_encoding e;
    assert_int_equal(tok_encode(c, text, strlen(text), NULL, &e), TOK_OK);
    int32_t ids[64];
    size_t n = e.n;
    memcpy(ids, e.ids, n * sizeof *ids);
    tok_stream *s = tok_stream_new(t, 0);
    char got[256] = "";
    size_t gl = 0;
    for (size_t i = 0; i < n; i++) {
        const char *chunk;
        size_t cl;
        assert_int_equal(tok_stream_push(s, ids[i], &chunk, &cl), TOK_OK);
        assert_int_equal(tok_utf8_check((const uint8_t *)chunk, cl), cl); /* whole characters only */
        memcpy(got + gl, chunk, cl);
        gl += cl;
    }
    const char *chunk;
    size_t cl;
    assert_int_equal(tok_stream_finish(s, &chunk, &cl), TOK_OK);
    memcpy(got + gl, chunk, cl);
    gl += cl;
    assert_int_equal(gl, strlen(text));
    assert_memory_equal(got, text, gl);
    /* an unknown id is an error that names it */
    assert_int_equal(tok_stream_push(s, 999999, &chunk, &cl), TOK_ERR_RANGE);
    assert_non_null(strstr(tok_stream_error(s), "999999"));
    tok_stream_free(s);
    tok_ctx_free(c);
    tok_free(t);
}

static void caller_buffer_and_stages(void **state)
{
    (void)state;
    tok_tokenizer *t = tiny();
    tok_ctx *c = tok_ctx_new(t);
    int32_t ids[3];
    size_t n = 0;
    /* "hello hello": hel, l, o, Ġh, e?? -> more than 3 ids: TOK_ERR_BUFFER with the count */
    assert_int_equal(tok_encode_ids(c, "hello hello", 11, NULL, ids, 3, &n), TOK_ERR_BUFFER);
    assert_true(n > 3);
    int32_t big[32];
    size_t m = 0;
    assert_int_equal(tok_encode_ids(c, "hello hello", 11, NULL, big, 32, &m), TOK_OK);
    assert_int_equal(m, n);
    assert_int_equal(big[0], 257); /* hel */
    const tok_pretoken *pt;
    size_t np;
    assert_int_equal(tok_pretokenize(c, "hi <|end|> you", 14, 0, &pt, &np), TOK_OK);
    assert_int_equal(np, 4); /* "hi", " ", <|end|>, " you" */
    assert_int_equal(pt[2].id, 259);
    assert_int_equal(pt[2].offset.start, 3);
    assert_int_equal(pt[2].offset.end, 10);
    assert_int_equal(pt[3].offset.start, 10);
    /* vocabulary access */
    assert_int_equal(tok_vocab_size(t), 260);
    size_t len;
    const uint8_t *b = tok_token_bytes(t, 258, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(b, " h", 2);
    const char *txt = tok_token_text(t, 258, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(txt, "\xC4\xA0h", 3);
    assert_true(tok_token_flags(t, 259) & TOK_TOKEN_SPECIAL);
    assert_true(tok_token_flags(t, 32) & TOK_TOKEN_BYTE);
    assert_true(tok_token_flags(t, 5000) & TOK_TOKEN_NONE);
    assert_int_equal(tok_token_id(t, "he", 2), 256);
    assert_int_equal(tok_token_id(t, "zz", 2), -1);
    assert_string_equal(tok_model_name(t), "BPE");
    tok_ctx_free(c);
    tok_free(t);
}

static void special_text_policy(void **state)
{
    (void)state;
    tok_tokenizer *t = tiny();
    tok_ctx *c = tok_ctx_new(t);
    tu_expect_ids(c, "<|end|>", TOK_ENC_SPECIAL_TEXT, TU_IDS(259));
    tok_encoding e;
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_NO_SPECIAL_TEXT;
    assert_int_equal(tok_encode(c, "<|end|>", 7, &o, &e), TOK_OK);
    assert_int_equal(e.n, 7); /* as plain text: one byte token each */
    tok_ctx_free(c);
    tok_free(t);
}

static void threads_give_the_same_tokens(void **state)
{
    (void)state;
    tok_tokenizer *t = tiny();
    tok_ctx *c = tok_ctx_new(t);
    size_t n = 600000;
    char *text = malloc(n + 1);
    static const char unit[] = "hello world\nhe said hel\n  \xC3\xA9t\xC3\xA9 <|end|>x\n";
    for (size_t i = 0; i < n; i++) text[i] = unit[i % (sizeof unit - 1)];
    /* keep whole characters at the end */
    while ((text[n - 1] & 0xC0) == 0x80 || (unsigned char)text[n - 1] >= 0xC0) n--;
    tok_encoding e;
    assert_int_equal(tok_encode(c, text, n, NULL, &e), TOK_OK);
    size_t n1 = e.n;
    int32_t *a = malloc(n1 * sizeof *a);
    tok_offset *ao = malloc(n1 * sizeof *ao);
    int32_t *aw = malloc(n1 * sizeof *aw);
    memcpy(a, e.ids, n1 * sizeof *a);
    memcpy(ao, e.offsets, n1 * sizeof *ao);
    memcpy(aw, e.words, n1 * sizeof *aw);
    assert_int_equal(tok_encode_threads(c, text, n, NULL, 2, &e), TOK_OK);
    assert_int_equal(e.n, n1);
    assert_memory_equal(e.ids, a, n1 * sizeof *a);
    assert_memory_equal(e.offsets, ao, n1 * sizeof *ao);
    assert_memory_equal(e.words, aw, n1 * sizeof *aw);
    /* invalid UTF-8 is reported at its offset in the whole text */
    text[500000] = (char)0xFF;
    assert_int_equal(tok_encode_threads(c, text, n, NULL, 2, &e), TOK_ERR_UTF8);
    assert_non_null(strstr(tok_ctx_error(c), "500000"));
    free(a);
    free(ao);
    free(aw);
    free(text);
    tok_ctx_free(c);
    tok_free(t);
}

static void huge_and_degenerate_inputs(void **state)
{
    (void)state;
    tok_tokenizer *t = tiny();
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(c, "", 0, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 0);
    assert_int_equal(tok_encode(c, NULL, 5, NULL, &e), TOK_ERR_ARG);
    /* 1 MB with no split point: one pre-token, still fine */
    size_t n = 1 << 20;
    char *text = malloc(n);
    memset(text, 'h', n);
    assert_int_equal(tok_encode(c, text, n, NULL, &e), TOK_OK);
    assert_int_equal(e.n, n);
    const char *out;
    size_t ol;
    assert_int_equal(tok_decode(c, e.ids, e.n, 0, &out, &ol), TOK_OK);
    assert_int_equal(ol, n);
    free(text);
    int32_t bad[] = { 1, -3 };
    assert_int_equal(tok_decode(c, bad, 2, 0, &out, &ol), TOK_ERR_RANGE);
    tok_ctx_free(c);
    tok_free(t);
}

/* Added tokens found leftmost-longest whatever the number of distinct first
 * bytes (one byte: memchr; up to eight: vector compares; more: a table),
 * against a brute-force search on random text; ids past 256 are the added
 * tokens, the rest the bytes' own (no merges). */
static void added_tokens_any_number_of_first_bytes(void **state)
{
    (void)state;
    const char alpha[] = "abcdefghijxy";
    uint64_t r = 12345;
#define NEXT() (r = r * 6364136223846793005ull + 1442695040888963407ull, (unsigned)(r >> 33))
    for (int leads = 1; leads <= 10; leads++) {
        enum { NA = 24, TL = 4000 };
        char pat[NA][8];
        tok_sbuf b = { 0 };
        tok_sbuf_printf(&b, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
        tu_put_byte_vocab(&b);
        for (int i = 0; i < NA; i++) {
            bool dup;
            do { /* distinct contents, each in the vocabulary under its id */
                int len = 2 + (int)(NEXT() % 3);
                pat[i][0] = alpha[i % leads];
                for (int j = 1; j < len; j++) pat[i][j] = alpha[NEXT() % 12];
                pat[i][len] = 0;
                dup = false;
                for (int k = 0; k < i; k++) dup |= !strcmp(pat[k], pat[i]);
            } while (dup);
            tok_sbuf_printf(&b, ",\"%s\":%d", pat[i], 256 + i);
        }
        tok_sbuf_printf(&b, "},\"merges\":[]},\"added_tokens\":[");
        for (int i = 0; i < NA; i++)
            tok_sbuf_printf(&b, "%s{\"id\":%d,\"content\":\"%s\",\"special\":false,\"normalized\":false,"
                                "\"lstrip\":false,\"rstrip\":false,\"single_word\":false}",
                            i ? "," : "", 256 + i, pat[i]);
        tok_sbuf_printf(&b, "],\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                            "\"trim_offsets\":false,\"use_regex\":false}}");
        tok_sbuf_cstr(&b);
        tok_tokenizer *t = tu_load_json(b.v);
        tok_vec_free(&b);
        char text[TL];
        for (int i = 0; i < TL; i++) text[i] = alpha[NEXT() % 12];
        int32_t want[TL];
        size_t nw = 0;
        for (size_t pos = 0; pos < TL;) {
            int best = -1;
            size_t bl = 0;
            for (int i = 0; i < NA; i++) {
                size_t l = strlen(pat[i]);
                if (l > bl && pos + l <= TL && !memcmp(text + pos, pat[i], l)) {
                    best = i;
                    bl = l;
                }
            }
            want[nw++] = best >= 0 ? 256 + best : (uint8_t)text[pos];
            pos += best >= 0 ? bl : 1;
        }
        tok_ctx *c = tok_ctx_new(t);
        tok_encoding e;
        assert_int_equal(tok_encode(c, text, TL, NULL, &e), TOK_OK);
        assert_int_equal(e.n, nw);
        assert_memory_equal(e.ids, want, nw * sizeof *want);
        tok_ctx_free(c);
        tok_free(t);
    }
#undef NEXT
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_never_splits_characters),
        cmocka_unit_test(caller_buffer_and_stages),
        cmocka_unit_test(special_text_policy),
        cmocka_unit_test(threads_give_the_same_tokens),
        cmocka_unit_test(huge_and_degenerate_inputs),
        cmocka_unit_test(added_tokens_any_number_of_first_bytes),
    };
    return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
