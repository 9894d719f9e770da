/* Differential test: the hand-written scanners split exactly as the general
 * PCRE2 pre-tokenizer does, on tricky random text, for each known pattern. */
#include "testutil.h"

#include <stdlib.h>

#include "bytevocab.h"

static const char *const patterns[] = {
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\\\p{L}+| ?\\\\p{N}+| ?[^\\\\s\\\\p{L}\\\\p{N}]+|\\\\s+(?!\\\\S)|\\\\s+",
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+",
    "[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?[\\\\p{Lu}\\\\p{Lt}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]*[\\\\p{Ll}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?[\\\\p{Lu}\\\\p{Lt}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]+[\\\\p{Ll}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n/]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+",
};

/* Characters that exercise every alternative and class boundary. */
static const char *const alphabet[] = {
    "a", "b", "s", "t", "e", "l", "d", "m", "r", "v", "A", "B", "S", "T", "L", "R", "E", "D", "M", "V",
    "'", "'", "'", " ", " ", " ", "  ", "\n", "\r", "\r\n", "\t", "/", "!", ".", ",", "-", "0", "1", "42",
    "\xC5\xBF" /* ſ */, "\xC3\xA9" /* é */, "\xC3\x89" /* É */, "\xCC\x81" /* combining acute */,
    "\xCA\xB0" /* ʰ Lm */, "\xE4\xB8\xAD" /* 中 Lo */, "\xC7\x85" /* ǅ Lt */, "\xE2\x85\xA0" /* Ⅰ Nl */,
    "\xC2\xBD" /* ½ No */, "\xD9\xA3" /* Arabic 3 */, "\xC2\xA0" /* NBSP */, "\xE3\x80\x80" /* ideographic space */,
    "\xC2\x85" /* NEL */, "\xE2\x80\xA8" /* LS */, "\xF0\x9F\x99\x82" /* emoji */, "\xE2\x80\x8D" /* ZWJ */,
    "\xEF\xBC\x81" /* fullwidth ! */, "\xE0\xA4\xA8" /* Devanagari na */, "\xE0\xA4\xBF" /* vowel sign i (Mc) */,
};

static char *byte_vocab_json(const char *pattern, bool gpt2_bytelevel)
{
    tok_sbuf b = { 0 };
    tok_sbuf_printf(&b, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
    tu_put_byte_vocab(&b);
    tok_sbuf_printf(&b, "},\"merges\":[]},\"added_tokens\":[],");
    if (gpt2_bytelevel)
        tok_sbuf_printf(&b, "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":true}}");
    else
        tok_sbuf_printf(&b, "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":"
                            "{\"Regex\":\"%s\"},\"behavior\":\"Isolated\",\"invert\":false},{\"type\":\"ByteLevel\","
                            "\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}]}}", pattern);
    tok_sbuf_cstr(&b);
    return b.v;
}

static void check_pattern(const char *pattern, bool gpt2_bytelevel)
{
    char *json = byte_vocab_json(pattern, gpt2_bytelevel);
    tok_tokenizer *fast = tu_load_json(json);
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_HF_JSON;
    o.regex_only = 1;
    tok_error err;
    tok_tokenizer *slow = tok_load_memory(json, strlen(json), "t.json", &o, &err);
    assert_non_null(slow);
    assert_non_null(fast->scan);
    assert_null(slow->scan);
    tok_ctx *cf = tok_ctx_new(fast), *cs = tok_ctx_new(slow);
    srand(1234);
    char text[4096];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        int parts = 1 + rand() % 40;
        for (int i = 0; i < parts; i++) {
            const char *a = alphabet[rand() % (int)(sizeof alphabet / sizeof alphabet[0])];
            size_t l = strlen(a);
            if (n + l >= sizeof text) break;
            memcpy(text + n, a, l);
            n += l;
        }
        const tok_pretoken *pt;
        size_t np;
        assert_int_equal(tok_pretokenize(cs, text, n, 0, &pt, &np), TOK_OK);
        tok_encoding e;
        assert_int_equal(tok_encode(cf, text, n, NULL, &e), TOK_OK);
        /* one byte token per byte: group tokens by pre-token index */
        size_t k = 0;
        for (size_t i = 0; i < np; i++) {
            uint32_t start = pt[i].offset.start, end = pt[i].offset.end;
            if (k >= e.n) fail_msg("round %d: scanner has fewer pre-tokens (at byte %u)", round, start);
            int32_t w = e.words[k];
            uint32_t s0 = e.offsets[k].start, s1 = e.offsets[k].end;
            while (k < e.n && e.words[k] == w) s1 = e.offsets[k++].end;
            if (s0 != start || s1 != end)
                fail_msg("pattern %.30s... round %d: PCRE2 pre-token [%u,%u) but scanner [%u,%u) in \"%.*s\"",
                         pattern, round, start, end, s0, s1, (int)n, text);
        }
        assert_int_equal(k, e.n);
    }
    tok_ctx_free(cf);
    tok_ctx_free(cs);
    tok_free(fast);
    tok_free(slow);
    free(json);
}

static void gpt2_split(void **state) { (void)state; check_pattern(patterns[0], false); check_pattern(NULL, true); }
static void cl100k_split(void **state) { (void)state; check_pattern(patterns[1], false); }
static void o200k_split(void **state) { (void)state; check_pattern(patterns[2], false); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpt2_split),
        cmocka_unit_test(cl100k_split),
        cmocka_unit_test(o200k_split),
    };
    return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
