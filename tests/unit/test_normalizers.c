/*
 * Normalizer tests.  Expected bytes and offsets come from HF tokenizers
 * 0.23.2 (the Node binding): a tokenizer.json with the normalizer, a Split
 * pre-tokenizer isolating every char and a WordLevel model gives each
 * normalized char's original range.  Here ranges are byte offsets of the
 * input; the input carries HF's per-char alignments and its segment start.
 */
#include "tests/unit/testutil.h"

#include "libtok/internal.h"
#include "libtok/core/json.h"

typedef struct rng {
    uint32_t s, e;
} rng;

typedef struct hfcase {
    const char *name;
    const char *json; /* "@CM@" stands for the test charsmap below */
    const char *in;
    size_t in_len;
    const char *out;
    size_t out_len;
    rng offs[24]; /* per output char */
} hfcase;

/* Charsmap built for these tests (Darts-clone double array) with the rules
 *   A->a  U+FF76->U+30AB  U+FF76 U+FF9E->U+30AC  U+FF9E->U+3099
 *   U+00BD->"1" U+2044 "2"  U+200B->""  e U+0301->U+00E9  \r->" "
 *   xyz->Q  ab->X  abc->Y  U+FB01->fi  U+2460->1  Q U+0308->""
 *   U+0001->""  q->QQ                                                  */
static const char CHARSMAP[] =
    "yAMAAAAIAAAAAACAAAAAAAEJAAABAACAAwAAgAAAAAAAAAAADQAAgAAAAAAAAAAAAAAAAAAAAAAAAAAABgAAgA0tAAAAAAAA"
    "EgAAgAAAAAAAAAAAAAAAAAAAAAAAAAAABQAAgAgAAIAKAACAEAAAgBgAAIAZAACAGwAAgB4AAIAmAACAAAAAAAAAAAAiAACA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABBGQEAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAUUABAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGGUAQBiqQEAAAAAAAAAAABlgAEAAAAAAAAAAAB6wQEA"
    "AAAAAAAAAABj1QEAAAAAAAAAAAB5gAEAAAAAAAAAAABx7QEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAeMwBAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACISQIAAAAAAAAAAACeXQIAAAAAAAAAAACAZAIAAAAAAAAAAACBXQIA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgSECAAAAAAAAAAAAAAAAAIsJAgCRJAIAAAAAAAAAAAAAAAAAvvwCAAAAAACs0AIA"
    "AAAAAAAAAAC29QIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAL2QAgC+kAIA"
    "oL0CAAAAAAAAAAAAAAAAAL2ZAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAnnUCAMIoAwAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAzBADAAAAAAAAAAAAAAAAAMwIAwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA4qwDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAO+EAwAAAAAAAAAAAAAAAADvRAMAACAAYQAAWABZAMOpAFFRAFEAMeKBhDIAADEAZmkA44KrAOOC"
    "rADjgpkA";

static const hfcase hf_cases[] = {
    {"nfd", "{\"type\": \"NFD\"}", "\303\251l\303\251gant \355\225\234", 13, "e\314\201le\314\201gant \341\204\222\341\205\241\341\206\253", 21, {{0, 2}, {0, 2}, {2, 3}, {3, 5}, {3, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}, {10, 13}, {10, 13}, {10, 13}}},
    {"nfd_reorder", "{\"type\": \"NFD\"}", "q\314\207\314\243x", 6, "q\314\243\314\207x", 6, {{0, 1}, {1, 3}, {3, 5}, {5, 6}}},
    {"nfc", "{\"type\": \"NFC\"}", "e\314\201x\341\204\200\341\205\241\341\206\250", 13, "\303\251x\352\260\201", 6, {{0, 1}, {3, 4}, {4, 7}}},
    {"nfc_blocked", "{\"type\": \"NFC\"}", "a\314\243\314\202\314\202", 7, "\341\272\255\314\202", 5, {{0, 1}, {5, 7}}},
    {"nfkc", "{\"type\": \"NFKC\"}", "\357\254\201\342\221\240 \302\275", 9, "fi1 1\342\201\2042", 9, {{0, 3}, {0, 3}, {3, 6}, {6, 7}, {7, 9}, {7, 9}, {7, 9}}},
    {"nfkd", "{\"type\": \"NFKD\"}", "\302\275\357\267\272", 5, "1\342\201\2042\330\265\331\204\331\211 \330\247\331\204\331\204\331\207 \330\271\331\204\331\212\331\207 \331\210\330\263\331\204\331\205", 38, {{0, 2}, {0, 2}, {0, 2}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}, {2, 5}}},
    {"nfkd_new", "{\"type\": \"NFKD\"}", "\360\220\236\201\341\267\266", 7, "\360\220\236\201\341\267\266", 7, {{0, 4}, {4, 7}}},
    {"lowercase", "{\"type\": \"Lowercase\"}", "\304\260Ab\316\243\307\205", 8, "i\314\207ab\317\203\307\206", 9, {{0, 2}, {0, 2}, {2, 3}, {3, 4}, {4, 6}, {6, 8}}},
    {"replace_string", "{\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"\\u2581\"}", " hello  w\303\266rld ", 15, "\342\226\201hello\342\226\201\342\226\201w\303\266rld\342\226\201", 23, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 11}, {11, 12}, {12, 13}, {13, 14}, {14, 15}}},
    {"replace_regex", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \" {2,}\"}, \"content\": \" \"}", "a   b  c", 8, "a b c", 5, {{0, 1}, {3, 4}, {4, 5}, {6, 7}, {7, 8}}},
    {"replace_delete", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\u00e9+\"}, \"content\": \"\"}", "a\303\251\303\251b\303\251", 8, "ab", 2, {{0, 1}, {5, 6}}},
    /* text inserted before everything after earlier steps removed the
     * leading text: HF aligns it to (0,0), the segment start, not to the
     * first char kept */
    {"seq_strip_then_insert", "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": false}, {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"^\"}, \"content\": \"X\"}]}", "   ab  c", 8, "Xab  c", 6, {{0, 0}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}}},
    {"seq_strip_then_prepend_empty", "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": false}, {\"type\": \"Prepend\", \"prepend\": \"\"}]}", "   ab  c", 8, "ab  c", 5, {{0, 0}, {4, 5}, {5, 6}, {6, 7}, {7, 8}}},
    {"seq_collapse_then_insert", "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Replace\", \"pattern\": {\"Regex\": \" {2,}\"}, \"content\": \" \"}, {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\A +\"}, \"content\": \"\"}, {\"type\": \"Replace\", \"pattern\": {\"String\": \"\"}, \"content\": \"_\"}]}", "   ab  c", 8, "_a_b_ _c_", 9, {{0, 0}, {3, 4}, {3, 4}, {4, 5}, {4, 5}, {6, 7}, {6, 7}, {7, 8}, {7, 8}}},
    {"replace_empty_string", "{\"type\": \"Replace\", \"pattern\": {\"String\": \"\"}, \"content\": \"_\"}", "ab", 2, "_a_b_", 5, {{0, 0}, {0, 1}, {0, 1}, {1, 2}, {1, 2}}},
    {"replace_empty_matches", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"a*\"}, \"content\": \"_\"}", "ab", 2, "_b_", 3, {{0, 1}, {1, 2}, {1, 2}}},
    {"replace_multiline", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"^a|b$\"}, \"content\": \"X\"}", "a\012ab\012b", 6, "X\012XX\012X", 6, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}}},
    {"replace_word", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\w+\"}, \"content\": \"W\"}", "ab\314\201 \302\262c_d-\331\241", 13, "W W-W", 5, {{2, 4}, {4, 5}, {9, 10}, {10, 11}, {11, 13}}},
    {"replace_boundary", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\b\"}, \"content\": \"|\"}", "e\314\201t\303\251 x", 8, "|e\314\201t\303\251| |x|", 12, {{0, 0}, {0, 1}, {1, 3}, {3, 4}, {4, 6}, {4, 6}, {6, 7}, {6, 7}, {7, 8}, {7, 8}}},
    {"replace_space", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\s+\"}, \"content\": \"_\"}", "a\302\205b\343\200\200\342\200\213c", 11, "a_b_\342\200\213c", 8, {{0, 1}, {1, 3}, {3, 4}, {4, 7}, {7, 10}, {10, 11}}},
    {"replace_dotall", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"(\077m)a.b\"}, \"content\": \"X\"}", "a\012b", 3, "X", 1, {{2, 3}}},
    {"replace_hex", "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\h+\"}, \"content\": \"H\"}", "x 1fA\011G", 7, "x H\011G", 5, {{0, 1}, {1, 2}, {4, 5}, {5, 6}, {6, 7}}},
    {"prepend", "{\"type\": \"Prepend\", \"prepend\": \"\\u2581\"}", "\303\251bc", 4, "\342\226\201\303\251bc", 7, {{0, 2}, {0, 2}, {2, 3}, {3, 4}}},
    {"prepend_empty_input", "{\"type\": \"Prepend\", \"prepend\": \"\\u2581\"}", "", 0, "", 0, {}},
    {"prepend_empty_prefix", "{\"type\": \"Prepend\", \"prepend\": \"\"}", "\303\251b", 3, "\303\251b", 3, {{0, 0}, {2, 3}}},
    {"strip_both", "{\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": true}", " \343\200\200h\303\251\342\200\203 \342\200\213 ", 15, "h\303\251\342\200\203 \342\200\213", 10, {{4, 5}, {5, 7}, {7, 10}, {10, 11}, {11, 14}}},
    {"strip_left", "{\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": false}", "\011 h \012", 5, "h \012", 3, {{2, 3}, {3, 4}, {4, 5}}},
    {"strip_right", "{\"type\": \"Strip\", \"strip_left\": false, \"strip_right\": true}", "\011 h \302\205", 6, "\011 h", 3, {{0, 1}, {1, 2}, {2, 3}}},
    {"strip_all", "{\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": true}", " \302\240 ", 4, "", 0, {}},
    {"strip_accents", "{\"type\": \"StripAccents\"}", "e\314\201le\314\201\340\244\203g\342\203\235\341\267\266", 17, "eleg\341\267\266", 7, {{0, 1}, {3, 4}, {4, 5}, {10, 11}, {14, 17}}},
    {"sequence_llama", "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\": \"\\u2581\"}, {\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"\\u2581\"}]}", "Hello w\303\266rld", 12, "\342\226\201Hello\342\226\201w\303\266rld", 17, {{0, 1}, {0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 9}, {9, 10}, {10, 11}, {11, 12}}},
    {"sequence_nested", "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFD\"}, {\"type\": \"Lowercase\"}]}, {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"StripAccents\"}, {\"type\": \"NFC\"}]}]}, {\"type\": \"Prepend\", \"prepend\": \"_\"}]}", "\303\211L\303\210VE \304\260", 10, "_eleve i", 8, {{0, 2}, {0, 2}, {2, 3}, {3, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 10}}},
    {"sequence_empty", "{\"type\": \"Sequence\", \"normalizers\": []}", "h\303\251", 3, "h\303\251", 3, {{0, 1}, {1, 3}}},
    {"bert_uncased", "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, \"strip_accents\": null, \"lowercase\": true}", "H\303\251llo\011\344\270\226\347\225\214\000x\357\277\275\342\200\213\304\260\302\205", 25, "hello  \344\270\226  \347\225\214 xi", 18, {{0, 1}, {1, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 10}, {7, 10}, {7, 10}, {10, 13}, {10, 13}, {10, 13}, {14, 15}, {21, 23}}},
    {"bert_cased", "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, \"strip_accents\": null, \"lowercase\": false}", "H\303\251llo\015\012\344\270\226 \302\255\356\200\200", 17, "H\303\251llo   \344\270\226  ", 14, {{0, 1}, {1, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 11}, {8, 11}, {8, 11}, {11, 12}}},
    {"bert_strip_only", "{\"type\": \"BertNormalizer\", \"clean_text\": false, \"handle_chinese_chars\": false, \"strip_accents\": true, \"lowercase\": false}", "\303\211\303\250\344\270\226\011\000", 9, "Ee\344\270\226\011\000", 7, {{0, 2}, {2, 4}, {4, 7}, {7, 8}, {8, 9}}},
    {"bert_ascii", "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, \"strip_accents\": true, \"lowercase\": true}", "Hello, World!\012", 14, "hello, world! ", 14, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}, {10, 11}, {11, 12}, {12, 13}, {13, 14}}},
    {"bert_new_format", "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": false, \"strip_accents\": false, \"lowercase\": true}", "a\340\242\220b\340\243\242c\360\221\203\215d", 14, "a\340\242\220b\340\243\242c\360\221\203\215d", 14, {{0, 1}, {1, 4}, {4, 5}, {5, 8}, {8, 9}, {9, 13}, {13, 14}}},
    {"nmt", "{\"type\": \"Nmt\"}", "a\001b\011c\342\200\213d\342\226\201\357\273\277", 15, "ab c d  ", 8, {{0, 1}, {2, 3}, {3, 4}, {4, 5}, {5, 8}, {8, 9}, {9, 12}, {12, 15}}},
    {"byte_level", "{\"type\": \"ByteLevel\"}", "a \303\251\342\202\254", 7, "a\304\240\303\203\302\251\303\242\304\244\302\254", 13, {{0, 1}, {1, 2}, {2, 4}, {2, 4}, {4, 7}, {4, 7}, {4, 7}}},
    {"precompiled_grapheme", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "A\314\201bc", 5, "abc", 3, {{0, 1}, {3, 4}, {4, 5}}},
    {"precompiled_halfwidth", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "\357\275\266\357\276\236\357\275\266", 9, "\343\202\253\343\202\231\343\202\253", 9, {{0, 3}, {3, 6}, {6, 9}}},
    {"precompiled_expand", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "x\302\275y\357\254\201\342\221\240", 10, "x1\342\201\2042yfi1", 10, {{0, 1}, {1, 3}, {1, 3}, {1, 3}, {3, 4}, {4, 7}, {4, 7}, {7, 10}}},
    {"precompiled_remove", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "\342\200\213ab\342\200\213\342\200\213c", 12, "abc", 3, {{0, 3}, {3, 4}, {8, 11}}},
    {"precompiled_crlf", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "a\015\012b", 4, "a b", 3, {{0, 1}, {1, 2}, {3, 4}}},
    {"precompiled_multichar", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "xyz abcd e\314\201\314\201", 14, "xyz abcd \303\251", 11, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}}},
    {"precompiled_remove_cluster", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "Q\314\210Q\314\210x", 7, "x", 1, {{0, 1}}},
    {"precompiled_ascii_remove", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "ab\001cd", 5, "abcd", 4, {{0, 1}, {1, 2}, {3, 4}, {4, 5}}},
    {"precompiled_ascii_expand", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"@CM@\"}", "aqbq\001\001c", 7, "aQQbQQc", 7, {{0, 1}, {1, 2}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {6, 7}}},
};

/* ---- helpers ---- */

static tok_ctx *new_ctx(void)
{
    tok_ctx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    return c;
}

/* JSON text with @CM@ replaced by the charsmap; caller frees. */
static char *expand_json(const char *json)
{
    const char *at = strstr(json, "@CM@");
    size_t n = strlen(json) + (at ? strlen(CHARSMAP) : 0) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    if (!at) {
        memcpy(s, json, strlen(json) + 1);
    } else {
        size_t k = (size_t)(at - json);
        memcpy(s, json, k);
        strcpy(s + k, CHARSMAP);
        strcat(s, at + 4);
    }
    return s;
}

static tok_normalizer *load_json(const char *json, tok_error *err)
{
    char *text = expand_json(json);
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    free(text);
    assert_non_null(j);
    tok_jctx jc;
    memset(&jc, 0, sizeof jc);
    jc.file = "test.json";
    jc.err = err;
    size_t s = tok_jpush(&jc, "normalizer");
    tok_normalizer *n = tok_normalizer_from_json(&jc, j);
    tok_jpop(&jc, s);
    json_decref(j);
    return n;
}

/* Input with HF's alignments: every byte of a char maps to the char's range,
 * moved by `shift` (alignments must be propagated, not assumed). */
static void make_input(tok_nstr *t, const char *s, size_t n, uint32_t shift)
{
    t->n = 0;
    t->start = shift; /* the segment starts there (HF's (0,0)) */
    for (size_t i = 0; i < n;) {
        int k = tok_utf8_seqlen((uint8_t)s[i]);
        if (k == 0 || i + (size_t)k > n) k = 1;
        assert_int_equal(tok_nstr_push(t, s + i, (size_t)k, (uint32_t)i + shift, (uint32_t)(i + (size_t)k) + shift), 0);
        i += (size_t)k;
    }
}

static void check_output(const hfcase *c, const tok_nstr *out, uint32_t shift)
{
    if (out->n != c->out_len || (out->n && memcmp(out->s, c->out, c->out_len) != 0))
        fail_msg("%s: got \"%.*s\" (%zu bytes), want \"%s\" (%zu bytes)", c->name, (int)out->n, (const char *)out->s,
                 out->n, c->out, c->out_len);
    size_t k = 0;
    for (size_t i = 0; i < out->n; k++) {
        int len = tok_utf8_seqlen(out->s[i]);
        assert_true(len > 0);
        for (int b = 0; b < len; b++) {
            if (out->a0[i + b] != c->offs[k].s + shift || out->a1[i + b] != c->offs[k].e + shift)
                fail_msg("%s: char %zu byte %d aligned to [%u,%u), want [%u,%u)", c->name, k, b, out->a0[i + b],
                         out->a1[i + b], c->offs[k].s + shift, c->offs[k].e + shift);
        }
        i += (size_t)len;
    }
}

static void run_case(const hfcase *c, tok_normalizer *n, tok_ctx *ctx, uint32_t shift)
{
    tok_nstr in = {0}, out = {0};
    make_input(&in, c->in, c->in_len, shift);
    tok_arena_reset(&ctx->arena);
    tok_status st = n->vt->run(n, &in, &out, ctx);
    if (st != TOK_OK) fail_msg("%s: run failed: %s", c->name, ctx->err);
    check_output(c, &out, shift);
    assert_int_equal(ctx->nstr_top, 0); /* scratch buffers given back */
    tok_nstr_free(&in);
    tok_nstr_free(&out);
}

/* ---- HF parity ---- */

static void test_hf_cases(void **state)
{
    (void)state;
    tok_ctx *ctx = new_ctx();
    for (size_t i = 0; i < sizeof hf_cases / sizeof hf_cases[0]; i++) {
        const hfcase *c = &hf_cases[i];
        tok_error err = {0};
        tok_normalizer *n = load_json(c->json, &err);
        if (!n) fail_msg("%s: load failed: %s", c->name, err.message);
        run_case(c, n, ctx, 0);
        run_case(c, n, ctx, 1000);

        /* to_json gives the same normalizer back */
        json_t *j = n->vt->to_json(n);
        assert_non_null(j);
        char *dump = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        assert_non_null(dump);
        tok_normalizer *n2 = load_json(dump, &err);
        if (!n2) fail_msg("%s: reload of %s failed: %s", c->name, dump, err.message);
        assert_string_equal(n2->vt->type, n->vt->type);
        run_case(c, n2, ctx, 0);
        free(dump);
        tok_normalizer_free(n2);
        tok_normalizer_free(n);
    }
    tok_ctx_free(ctx);
}

/* Long runs of marks (canonical ordering beyond the small-run path). */
static void test_long_mark_runs(void **state)
{
    (void)state;
    tok_ctx *ctx = new_ctx();
    tok_error err = {0};
    tok_normalizer *nfd = load_json("{\"type\":\"NFD\"}", &err);
    tok_normalizer *nfc = load_json("{\"type\":\"NFC\"}", &err);
    assert_non_null(nfd);
    assert_non_null(nfc);
    /* "a" + 40 x (U+0301 ccc 230, U+0316 ccc 220) + "b" */
    char text[256];
    size_t n = 0;
    text[n++] = 'a';
    for (int i = 0; i < 40; i++) {
        memcpy(text + n, "\xcc\x81\xcc\x96", 4);
        n += 4;
    }
    text[n++] = 'b';
    tok_nstr in = {0}, out = {0};
    make_input(&in, text, n, 0);
    assert_int_equal(nfd->vt->run(nfd, &in, &out, ctx), TOK_OK);
    /* HF: the 40 U+0316 first, then the 40 U+0301; each output char takes the
     * place of the next input char, so the ranges stay in input order */
    assert_int_equal(out.n, n);
    assert_int_equal(out.s[0], 'a');
    for (int i = 0; i < 80; i++) {
        const uint8_t *p = out.s + 1 + 2 * i;
        assert_int_equal(p[0], 0xcc);
        assert_int_equal(p[1], i < 40 ? 0x96 : 0x81);
        assert_int_equal(out.a0[1 + 2 * i], 1 + 2 * i);
        assert_int_equal(out.a1[2 + 2 * i], 3 + 2 * i);
    }
    assert_int_equal(out.s[n - 1], 'b');
    assert_int_equal(out.a0[n - 1], n - 1);

    /* NFC of "e" + 70 x U+0316 + U+0301 + "x": U+0301 is not blocked (220 <
     * 230) and composes with "e"; HF keeps the range of "e" for "é" and the
     * last mark takes the range of the removed slot's successor. */
    out.n = 0;
    n = 0;
    text[n++] = 'e';
    for (int i = 0; i < 70; i++) {
        memcpy(text + n, "\xcc\x96", 2);
        n += 2;
    }
    memcpy(text + n, "\xcc\x81x", 3);
    n += 3;
    make_input(&in, text, n, 0);
    assert_int_equal(nfc->vt->run(nfc, &in, &out, ctx), TOK_OK);
    assert_int_equal(out.n, 2 + 140 + 1);
    assert_memory_equal(out.s, "\xc3\xa9", 2);
    assert_int_equal(out.a0[0], 0);
    assert_int_equal(out.a1[0], 1);
    for (int i = 0; i < 70; i++) {
        assert_memory_equal(out.s + 2 + 2 * i, "\xcc\x96", 2);
        /* é consumed "e" and one slot more: the marks shift by one char */
        assert_int_equal(out.a0[2 + 2 * i], 3 + 2 * i);
    }
    assert_int_equal(out.s[142], 'x');
    assert_int_equal(out.a0[142], n - 1);
    tok_nstr_free(&in);
    tok_nstr_free(&out);
    tok_normalizer_free(nfd);
    tok_normalizer_free(nfc);
    tok_ctx_free(ctx);
}

/* SentencePiece rule ("libtok_spm": true): longest key over the rest of the
 * text, not per grapheme. */
static void test_precompiled_spm_rule(void **state)
{
    (void)state;
    tok_ctx *ctx = new_ctx();
    tok_error err = {0};
    tok_normalizer *n = load_json("{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"@CM@\",\"libtok_spm\":true}", &err);
    if (!n) fail_msg("%s", err.message);
    static const hfcase spm_cases[] = {
        /* abc (longest, HF would take "ab") -> Y aligned to "a"; d stays */
        {"spm_longest", "", "abcd", 4, "Yd", 2, {{0, 1}, {3, 4}}},
        /* keys across graphemes apply: xyz -> Q */
        {"spm_multichar", "", "xyz!", 4, "Q!", 2, {{0, 1}, {3, 4}}},
        /* no grapheme rule: "A" then U+0301 separately (HF: "a" only) */
        {"spm_no_grapheme", "", "A\xcc\x81", 3, "a\xcc\x81", 3, {{0, 1}, {1, 3}}},
        /* empty replacement folds into the previous char */
        {"spm_remove", "", "a\xe2\x80\x8b" "b", 5, "ab", 2, {{0, 1}, {4, 5}}},
    };
    for (size_t i = 0; i < sizeof spm_cases / sizeof spm_cases[0]; i++) run_case(&spm_cases[i], n, ctx, 0);
    json_t *j = n->vt->to_json(n);
    assert_true(json_is_true(json_object_get(j, "libtok_spm")));
    json_decref(j);
    tok_normalizer_free(n);
    tok_ctx_free(ctx);
}

/* An empty (or null) charsmap is the identity. */
static void test_precompiled_empty(void **state)
{
    (void)state;
    static const char *jsons[] = {
        "{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"\"}",
        "{\"type\":\"Precompiled\",\"precompiled_charsmap\":null}",
        "{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"AAAAAA==\"}", /* trie of 0 units */
    };
    tok_ctx *ctx = new_ctx();
    static const hfcase id = {"identity", "", "A\xcc\x81 x", 5, "A\xcc\x81 x", 5, {{0, 1}, {1, 3}, {3, 4}, {4, 5}}};
    for (size_t i = 0; i < 3; i++) {
        tok_error err = {0};
        tok_normalizer *n = load_json(jsons[i], &err);
        if (!n) fail_msg("%s: %s", jsons[i], err.message);
        run_case(&id, n, ctx, 0);
        tok_normalizer_free(n);
    }
    tok_ctx_free(ctx);
}

/* Garbage tries must not read out of bounds (run under ASan). */
static void test_precompiled_garbage_trie(void **state)
{
    (void)state;
    tok_ctx *ctx = new_ctx();
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 200; round++) {
        uint8_t blob[4 + 4 * 64 + 8];
        size_t units = 1 + (size_t)(round % 64);
        uint32_t tsize = (uint32_t)(4 * units);
        for (int b = 0; b < 4; b++) blob[b] = (uint8_t)(tsize >> (8 * b));
        for (size_t i = 4; i < 4 + 4 * units; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            blob[i] = (uint8_t)x;
        }
        memcpy(blob + 4 + 4 * units, "ab\0cd\0e", 8);
        char *b64 = tok_base64_encode(blob, 4 + 4 * units + 8);
        char json[2048];
        snprintf(json, sizeof json, "{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"%s\",\"libtok_spm\":%s}", b64,
                 round & 1 ? "true" : "false");
        free(b64);
        tok_error err = {0};
        tok_normalizer *n = load_json(json, &err);
        if (!n) fail_msg("%s", err.message);
        tok_nstr in = {0}, out = {0};
        make_input(&in, "\x01\x02\x7f abc\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 17, 0);
        assert_int_equal(n->vt->run(n, &in, &out, ctx), TOK_OK);
        assert_int_equal(tok_utf8_check(out.s, out.n), out.n);
        tok_nstr_free(&in);
        tok_nstr_free(&out);
        tok_normalizer_free(n);
    }
    tok_ctx_free(ctx);
}

/* Sequences nested deeper than the context pool still work and give every
 * scratch buffer back. */
static void test_sequence_deep(void **state)
{
    (void)state;
    char json[1024] = "{\"type\":\"Lowercase\"}";
    for (int i = 0; i < 6; i++) {
        char tmp[sizeof json];
        int k = snprintf(tmp, sizeof tmp, "{\"type\":\"Sequence\",\"normalizers\":[%.900s,{\"type\":\"Prepend\",\"prepend\":\"%c\"}]}",
                         json, 'a' + i);
        assert_true(k > 0 && (size_t)k < sizeof tmp);
        memcpy(json, tmp, (size_t)k + 1);
    }
    tok_error err = {0};
    tok_normalizer *n = load_json(json, &err);
    if (!n) fail_msg("%s", err.message);
    tok_ctx *ctx = new_ctx();
    static const hfcase c = {"deep", "", "XY", 2, "fedcbaxy", 8, {{0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {1, 2}}};
    run_case(&c, n, ctx, 0);
    run_case(&c, n, ctx, 7);
    tok_normalizer_free(n);
    tok_ctx_free(ctx);
}

/* Bytes that are not UTF-8: Replace refuses, the others carry on. */
static void test_invalid_utf8_input(void **state)
{
    (void)state;
    static const char *jsons[] = {
        "{\"type\":\"NFC\"}", "{\"type\":\"NFKD\"}", "{\"type\":\"Lowercase\"}", "{\"type\":\"StripAccents\"}",
        "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true}", "{\"type\":\"Prepend\",\"prepend\":\"_\"}",
        "{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":true}",
        "{\"type\":\"Nmt\"}", "{\"type\":\"ByteLevel\"}", "{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"@CM@\"}",
    };
    tok_ctx *ctx = new_ctx();
    tok_nstr in = {0}, out = {0};
    make_input(&in, "a\xff\xc3 \xe2\x82", 6, 0);
    for (size_t i = 0; i < sizeof jsons / sizeof jsons[0]; i++) {
        tok_error err = {0};
        tok_normalizer *n = load_json(jsons[i], &err);
        assert_non_null(n);
        out.n = 0;
        assert_int_equal(n->vt->run(n, &in, &out, ctx), TOK_OK);
        tok_normalizer_free(n);
    }
    tok_error err = {0};
    tok_normalizer *r = load_json("{\"type\":\"Replace\",\"pattern\":{\"String\":\"a\"},\"content\":\"b\"}", &err);
    assert_non_null(r);
    out.n = 0;
    assert_int_equal(r->vt->run(r, &in, &out, ctx), TOK_ERR_UTF8);
    tok_normalizer_free(r);
    tok_nstr_free(&in);
    tok_nstr_free(&out);
    tok_ctx_free(ctx);
}

/* ---- malformed components: code and a message naming file and path ---- */

typedef struct badcase {
    const char *json;
    tok_status code;
    const char *path;  /* must appear in the message */
    const char *extra; /* and this, if set */
} badcase;

static void test_bad_json(void **state)
{
    (void)state;
    static const badcase bad[] = {
        {"{\"type\":\"Foo\"}", TOK_ERR_UNSUPPORTED, "normalizer.type", "Foo"},
        {"{\"type\":\"Bert\",\"clean_text\":true}", TOK_ERR_UNSUPPORTED, "normalizer.type", "Bert"},
        {"{\"type\":3}", TOK_ERR_FORMAT, "normalizer.type", "string"},
        {"{}", TOK_ERR_FORMAT, "normalizer", "type"},
        {"[]", TOK_ERR_FORMAT, "normalizer", "object"},
        {"{\"type\":\"Strip\",\"strip_left\":\"yes\",\"strip_right\":true}", TOK_ERR_FORMAT, "normalizer.strip_left", "boolean"},
        {"{\"type\":\"Strip\",\"strip_left\":true}", TOK_ERR_FORMAT, "normalizer", "strip_right"},
        {"{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"(\"},\"content\":\"\"}", TOK_ERR_UNSUPPORTED, "normalizer.pattern", "does not compile"},
        {"{\"type\":\"Replace\",\"pattern\":{\"Foo\":\"x\"},\"content\":\"\"}", TOK_ERR_FORMAT, "normalizer.pattern", "String"},
        {"{\"type\":\"Replace\",\"pattern\":\"x\",\"content\":\"\"}", TOK_ERR_FORMAT, "normalizer.pattern", "object"},
        {"{\"type\":\"Replace\",\"pattern\":{\"String\":1},\"content\":\"\"}", TOK_ERR_FORMAT, "normalizer.pattern.String", "string"},
        {"{\"type\":\"Replace\",\"pattern\":{\"String\":\"a\"}}", TOK_ERR_FORMAT, "normalizer", "content"},
        {"{\"type\":\"Replace\",\"pattern\":{\"String\":\"a\"},\"content\":false}", TOK_ERR_FORMAT, "normalizer.content", "string"},
        {"{\"type\":\"Prepend\",\"prepend\":5}", TOK_ERR_FORMAT, "normalizer.prepend", "string"},
        {"{\"type\":\"Prepend\"}", TOK_ERR_FORMAT, "normalizer", "prepend"},
        {"{\"type\":\"Sequence\",\"normalizers\":{}}", TOK_ERR_FORMAT, "normalizer.normalizers", "array"},
        {"{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},{\"type\":\"Nope\"}]}", TOK_ERR_UNSUPPORTED,
         "normalizer.normalizers[1].type", "Nope"},
        {"{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},{\"type\":\"Strip\",\"strip_left\":1,\"strip_right\":true}]}",
         TOK_ERR_FORMAT, "normalizer.normalizers[1].strip_left", "boolean"},
        {"{\"type\":\"Sequence\",\"normalizers\":[7]}", TOK_ERR_FORMAT, "normalizer.normalizers[0]", "object"},
        {"{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,\"strip_accents\":\"no\",\"lowercase\":true}",
         TOK_ERR_FORMAT, "normalizer.strip_accents", "boolean"},
        {"{\"type\":\"BertNormalizer\",\"clean_text\":true}", TOK_ERR_FORMAT, "normalizer", "handle_chinese_chars"},
        {"{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"!!!\"}", TOK_ERR_FORMAT, "normalizer.precompiled_charsmap", "base64"},
        {"{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"AAE=\"}", TOK_ERR_FORMAT, "normalizer.precompiled_charsmap", "truncated"},
        {"{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"6AMAAAAAAAAAAAAA\"}", TOK_ERR_FORMAT, "normalizer.precompiled_charsmap", "exceeds"}, /* trie of 1000 bytes in 12 */
        {"{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"BAAAAAAAAAD//g==\"}", TOK_ERR_FORMAT, "normalizer.precompiled_charsmap", "UTF-8"}, /* strings "\\xff\\xfe" */
        {"{\"type\":\"Precompiled\"}", TOK_ERR_FORMAT, "normalizer", "precompiled_charsmap"},
        {"{\"type\":\"Precompiled\",\"precompiled_charsmap\":7}", TOK_ERR_FORMAT, "normalizer.precompiled_charsmap", "string"},
        {"{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"\",\"libtok_spm\":\"x\"}", TOK_ERR_FORMAT, "normalizer.libtok_spm", "boolean"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *src = bad[i].json;
        tok_error err = {0};
        tok_normalizer *n = load_json(src, &err);
        if (n) fail_msg("accepted: %s", src);
        if (err.code != bad[i].code) fail_msg("%s: code %d, want %d (%s)", src, err.code, bad[i].code, err.message);
        if (!strstr(err.message, "test.json") || !strstr(err.message, bad[i].path) ||
            (bad[i].extra && !strstr(err.message, bad[i].extra)))
            fail_msg("%s: message \"%s\" should name test.json, %s and %s", src, err.message, bad[i].path,
                     bad[i].extra ? bad[i].extra : "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hf_cases),
        cmocka_unit_test(test_long_mark_runs),
        cmocka_unit_test(test_precompiled_spm_rule),
        cmocka_unit_test(test_precompiled_empty),
        cmocka_unit_test(test_precompiled_garbage_trie),
        cmocka_unit_test(test_sequence_deep),
        cmocka_unit_test(test_invalid_utf8_input),
        cmocka_unit_test(test_bad_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
