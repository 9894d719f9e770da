/* Differential test of the scanners' SIMD ASCII fast path: the SSE2 and
 * (when this CPU has it) AVX2 scanners end every pre-token where the scalar
 * ones do, from every character start and with the text cut at every
 * character boundary (so blocks meet the text's end at every 16/32 offset),
 * on random text over tricky characters, on text made of all byte values
 * (invalid UTF-8 replaced as the lossy input path does) and on real text.
 * And the block classes agree with the class table for all 128 ASCII bytes;
 * and each scanner's batch form gives the ends its one-piece form gives, in
 * batches of every size, on valid text and on raw invalid bytes, and on
 * ASCII text made to meet every rule of its many-at-once window. */
#include "testutil.h"

#include "libtok/internal.h"
#include "libtok/scan/scan_util.h"

typedef struct variant { const char *name; tok_scan_fn scalar, sse2, avx2; } variant;
static const variant variants[] = {
    { "gpt2", tok_scan_gpt2_scalar, tok_scan_gpt2, tok_scan_gpt2_avx2 },
    { "cl100k", tok_scan_cl100k_scalar, tok_scan_cl100k, tok_scan_cl100k_avx2 },
    { "o200k", tok_scan_o200k_scalar, tok_scan_o200k, tok_scan_o200k_avx2 },
};

static void same_ends(const variant *v, const uint8_t *s, size_t n, size_t pos, const char *what)
{
    size_t a = v->scalar(s, n, pos), b = v->sse2(s, n, pos);
    if (a != b) fail_msg("%s %s: from %zu of %zu: scalar ends at %zu, SSE2 at %zu", v->name, what, pos, n, a, b);
    if (tok_scan_has_avx2()) {
        size_t c = v->avx2(s, n, pos);
        if (a != c) fail_msg("%s %s: from %zu of %zu: scalar ends at %zu, AVX2 at %zu", v->name, what, pos, n, a, c);
    }
    assert_true(a > pos && a <= n);
}

/* Every character start of s[0..n), for every cut n' <= n at a character
 * boundary (cuts: all when `all_cuts`, else n only). */
static void check_text(const uint8_t *s, size_t n, bool all_cuts, const char *what)
{
    for (size_t k = 0; k < sizeof variants / sizeof variants[0]; k++) {
        for (size_t m = all_cuts ? 1 : n; m <= n; m++) {
            if (m < n && (s[m] & 0xC0) == 0x80) continue;
            for (size_t pos = 0; pos < m; pos++)
                if ((s[pos] & 0xC0) != 0x80) same_ends(&variants[k], s, m, pos, what);
        }
    }
}

/* Pieces that exercise every class and the block edges: runs of ASCII of
 * each class, long and short, and non-ASCII letters, digits and spaces. */
static const char *const alphabet[] = {
    "a", "hello", "World", "HELLO", "x", "Z", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "'", "'s", "'LL", " ", "  ", "                ", "\n", "\r\n", "\n\n\n", "\t", "\v", "\f", "/", "//", "!",
    "...", "-->", "{}", "0", "12", "31415926535", "\x01", "\x1f", "\x7f", "_", "@",
    "\xC5\xBF" /* ſ */, "\xC3\xA9" /* é */, "\xC3\x89" /* É */, "\xCC\x81" /* combining acute */,
    "\xCA\xB0" /* ʰ Lm */, "\xE4\xB8\xAD" /* 中 */, "\xC7\x85" /* ǅ Lt */, "\xE2\x85\xA0" /* Ⅰ Nl */,
    "\xC2\xBD" /* ½ */, "\xD9\xA3" /* Arabic 3 */, "\xC2\xA0" /* NBSP */, "\xE3\x80\x80" /* ideographic space */,
    "\xC2\x85" /* NEL */, "\xE2\x80\xA8" /* LS */, "\xF0\x9F\x99\x82" /* emoji */, "\xEF\xBC\x81" /* ！ */,
    "\xC2\xAB" /* « */,
};

static void random_text(void **state)
{
    (void)state;
    srand(4242);
    uint8_t text[100];
    for (int round = 0; round < 200; round++) {
        size_t n = 0;
        int parts = 1 + rand() % 24;
        for (int i = 0; i < parts; i++) {
            const char *a = alphabet[rand() % (int)(sizeof alphabet / sizeof alphabet[0])];
            size_t l = strlen(a);
            if (n + l > sizeof text) break;
            memcpy(text + n, a, l);
            n += l;
        }
        check_text(text, n, true, "random");
    }
}

static void all_bytes(void **state)
{
    (void)state;
    srand(99);
    for (int round = 0; round < 100; round++) {
        uint8_t raw[96];
        size_t n = 16 + (size_t)(rand() % 80);
        for (size_t i = 0; i < n; i++) {
            /* every byte value; ASCII more often so runs form */
            raw[i] = (uint8_t)(rand() % 3 ? rand() % 128 : rand() % 256);
        }
        if (round < 2) for (size_t i = 0; i < n; i++) raw[i] = (uint8_t)(round * 128 + i);
        tok_sbuf b = { 0 };
        assert_int_equal(tok_utf8_lossy(&b, raw, n), 0);
        check_text((const uint8_t *)b.v, b.n, true, "all bytes");
        tok_vec_free(&b);
    }
}

static void real_text(void **state)
{
    (void)state;
    static const char *const names[] = { "texts/english.txt", "texts/multilingual.txt", "texts/code.txt",
                                         "texts/hardcases.txt" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4096];
        size_t n = 0;
        char *s = tu_read_file(tu_cache_path(names[i], path, sizeof path), &n);
        if (!s) fail_msg("cannot read %s", path);
        if (n > 60000) {
            n = 60000;
            while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
        }
        check_text((const uint8_t *)s, n, false, names[i]);
        /* a few short cuts at every offset near the start */
        check_text((const uint8_t *)s, n < 200 ? n : 200, true, names[i]);
        free(s);
    }
}

static void ascii_classes(void **state)
{
    (void)state;
#if SC_W
    uint8_t block[SC_W];
    for (int c = 0; c < 256; c++) {
        memset(block, c, sizeof block);
        uint8_t k = c < 128 ? tok_cl_stage2[c] : 0; /* a byte >= 0x80 is never in a block class */
        static const uint8_t bits[] = { TOK_CL_L, TOK_CL_U, TOK_CL_W, TOK_CL_N, TOK_CL_S };
        for (size_t j = 0; j < sizeof bits; j++) {
            uint32_t want = (k & bits[j]) ? SC_FULL : 0;
            if (sc_block(block, bits[j], false) != want) fail_msg("byte %d: class %#x differs from the table", c, bits[j]);
        }
        bool punct = c < 128 && !(k & (TOK_CL_S | TOK_CL_L | TOK_CL_N));
        if (sc_block(block, 0, true) != (punct ? SC_FULL : 0)) fail_msg("byte %d: punctuation differs from the table", c);
    }
#else
    fail_msg("built without SSE2: no fast path to check");
#endif
}

/* The batch form against the one-piece form from pos: the same ends in
 * order, batches of `max`, and on invalid input (raw bytes) the same stop
 * after an end outside (pos, n]. */
static void same_batches(tok_scan_fn one, const uint8_t *s, size_t n, size_t max, const char *what)
{
    tok_scan_many_fn many = tok_scan_many_for(one);
    assert_non_null(many);
    uint32_t ends[TOK_BPE_BATCH];
    size_t pos = 0, want = 0, steps = 0;
    while (pos < n) {
        size_t k = many(s, n, pos, ends, max);
        if (k < 1 || k > max) fail_msg("%s: batch of %zu from %zu gave %zu ends", what, max, pos, k);
        for (size_t i = 0; i < k; i++) {
            want = one(s, n, pos);
            if (ends[i] != want) fail_msg("%s: batch of %zu, end %zu: %u, one-piece form %zu", what, max, i, ends[i], want);
            if (want <= pos || want > n) {
                if (i + 1 != k) fail_msg("%s: batch went on past a bad end", what);
                return;
            }
            pos = want;
        }
        if (k < max && pos < n) fail_msg("%s: short batch (%zu of %zu) before the end", what, k, max);
        if (++steps > n + 1) fail_msg("%s: no progress", what);
    }
    assert_int_equal(many(s, n, n, ends, max), 0);
}

/* Text of n bytes (n < cap) from random pieces of the alphabet, with long
 * ASCII words, digit runs and punctuation now and then. */
static size_t random_long(uint8_t *text, size_t cap)
{
    static const char *const extra[] = { " the", " quick", "Brown", " fox", "1234567", " (x)", "--", ";\n", ".\r\n",
                                         " 'quoted'", "don't", "\t\tx", "  ", "\n\n", "a_b", "x\xC3\xA9y", "99\xD9\xA3",
                                         " \xE4\xB8\xAD", "!?\xC2\xAB", " /path/to", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZabc" };
    size_t n = 0;
    for (;;) {
        const char *a = rand() % 2 ? extra[rand() % (int)(sizeof extra / sizeof extra[0])]
                                   : alphabet[rand() % (int)(sizeof alphabet / sizeof alphabet[0])];
        size_t l = strlen(a);
        if (n + l >= cap) return n;
        memcpy(text + n, a, l);
        n += l;
    }
}

static void batch_forms(void **state)
{
    (void)state;
    static const char *const names[] = { "texts/multilingual.txt", "texts/english.txt", "texts/code.txt",
                                         "texts/hardcases.txt" };
    static const size_t sizes[] = { 1, 2, 3, 7, TOK_BPE_BATCH };
    srand(7);
    uint8_t raw[300];
    for (size_t i = 0; i < sizeof raw; i++) raw[i] = (uint8_t)(rand() % 3 ? rand() % 128 : rand() % 256);
    static uint8_t mix[8][3000];
    size_t mixn[8];
    for (size_t r = 0; r < 8; r++) mixn[r] = random_long(mix[r], sizeof mix[r]);
    char *text[4];
    size_t tn[4];
    for (size_t t = 0; t < 4; t++) {
        char path[4096];
        text[t] = tu_read_file(tu_cache_path(names[t], path, sizeof path), &tn[t]);
        if (!text[t]) fail_msg("cannot read %s", path);
        if (tn[t] > 30000) {
            tn[t] = 30000;
            while (tn[t] && ((unsigned char)text[t][tn[t]] & 0xC0) == 0x80) tn[t]--;
        }
    }
    for (size_t k = 0; k < sizeof variants / sizeof variants[0]; k++) {
        tok_scan_fn fns[3] = { variants[k].scalar, variants[k].sse2, tok_scan_has_avx2() ? variants[k].avx2 : NULL };
        for (size_t f = 0; f < 3; f++) {
            if (!fns[f]) continue;
            for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
                for (size_t t = 0; t < 4; t++) same_batches(fns[f], (const uint8_t *)text[t], tn[t], sizes[z], variants[k].name);
                same_batches(fns[f], raw, sizeof raw, sizes[z], variants[k].name);
                for (size_t r = 0; r < 8; r++) same_batches(fns[f], mix[r], mixn[r], sizes[z], variants[k].name);
            }
        }
    }
    /* and the one-piece forms of every variant agree with the scalar ones there */
    for (size_t r = 0; r < 8; r++) check_text(mix[r], mixn[r], false, "random long");
    assert_null(tok_scan_many_for(NULL));
    for (size_t t = 0; t < 4; t++) free(text[t]);
}

/* Mostly-ASCII text built to meet every rule of the batch forms' window
 * (scan/bulk.h) at every offset in it: words in all cases, lone and long
 * punctuation before words, spaces in runs of one to three, newlines after
 * punctuation (with '/' among them), spaces after newlines (in runs long
 * enough to cross the window's end before another newline), apostrophes
 * inside and outside words, digit runs up to eleven, \t \v, and now and
 * then a non-ASCII letter: the batch forms must end every piece where the
 * scalar one-piece forms do, from any start and in batches of any size. */
static void ascii_windows(void **state)
{
    (void)state;
    static const char *const bits[] = {
        "a", "the", "The", "THE", "HeLLo", "wOrLD", "x", "Z", " ", " ", " ", "  ", "   ", "\n", "\n", "\r\n", "\n\n",
        " \n", "\n ", "\t", "'", "'s", "'S", "'ll", "'re", "don't", "/", "//", ".", ",", "(", ")", "-", "--", "...",
        "0", "12", "123", "1234", "12345678901", "\x01", "\x7f", "\xc3\xa9", "_", "@", "?!", "\v", "a/b", ".\n/",
        ";\n//", ".\n//\n// x", "\n                    ", "\n                                        \n",
    };
    static const size_t sizes[] = { 1, 5, TOK_BPE_BATCH };
    srand(11);
    uint8_t text[700];
    for (int it = 0; it < 400; it++) {
        size_t n = 0;
        for (;;) {
            const char *a = bits[rand() % (int)(sizeof bits / sizeof bits[0])];
            size_t l = strlen(a);
            if (n + l >= sizeof text) break;
            memcpy(text + n, a, l);
            n += l;
        }
        for (size_t k = 0; k < sizeof variants / sizeof variants[0]; k++) {
            tok_scan_fn fns[2] = { variants[k].sse2, tok_scan_has_avx2() ? variants[k].avx2 : NULL };
            for (size_t f = 0; f < 2; f++) {
                if (!fns[f]) continue;
                for (size_t from = 0; from < 24; from++) {
                    if ((text[from] & 0xC0) == 0x80) continue;
                    tok_scan_many_fn many = tok_scan_many_for(fns[f]);
                    uint32_t ends[TOK_BPE_BATCH];
                    size_t pos = from, max = sizes[(size_t)(it + from) % 3];
                    while (pos < n) {
                        size_t got = many(text, n, pos, ends, max);
                        if (got < 1) fail_msg("%s: no ends from %zu", variants[k].name, pos);
                        for (size_t i = 0; i < got; i++) {
                            size_t want = variants[k].scalar(text, n, pos);
                            if (ends[i] != want)
                                fail_msg("%s: text %d from %zu: batch ends at %u, scalar at %zu", variants[k].name, it,
                                         pos, ends[i], want);
                            pos = want;
                        }
                    }
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_classes),
        cmocka_unit_test(random_text),
        cmocka_unit_test(all_bytes),
        cmocka_unit_test(real_text),
        cmocka_unit_test(batch_forms),
        cmocka_unit_test(ascii_windows),
    };
    return cmocka_run_group_tests_name("scan_simd", tests, NULL, NULL);
}
