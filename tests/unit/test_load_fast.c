/* The fast load paths give what the plain ones give: tokenizer.json merges
 * read in prefetched batches with the merged id guessed (core of
 * models/bpe_json.c) equal the merges read from the JSON tree, in every
 * batch position, with ids out of order and with a text entered twice; their
 * errors name the first bad merge; the block UTF-8 check of .tokpack token
 * texts (tok_utf8_valid_room) agrees with the general one on every kind of
 * byte string; base64 read four digits at a time equals the plain reading. */
#include "testutil.h"

#include "libtok/core/json.h"
#include "libtok/core/rawjson.h"
#include "libtok/internal.h"
#include "bytevocab.h"

#define LETTERS "abcdefghij"
#define NM 70 /* three batches of 32 and a part */

/* 256 bytes, then NM two-letter tokens made by merges; their ids follow the
 * merges' order except where `shuffle` swaps neighbours (the guessed id then
 * misses); `dup` enters the first merged text a second time, at the end. */
static void put_json(tok_sbuf *b, bool shuffle, bool dup, int bad_token_at, int malformed_at)
{
    int id[NM];
    for (int k = 0; k < NM; k++) id[k] = 256 + k;
    if (shuffle)
        for (int k = 3; k + 1 < NM; k += 7) {
            int x = id[k];
            id[k] = id[k + 1];
            id[k + 1] = x;
        }
    b->n = 0;
    tok_sbuf_printf(b, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
    tu_put_byte_vocab(b);
    for (int k = 0; k < NM; k++) tok_sbuf_printf(b, ",\n\"%c%c\":%d", LETTERS[k / 10], LETTERS[k % 10], id[k]);
    if (dup) tok_sbuf_printf(b, ",\n\"%c%c\":%d", LETTERS[0], LETTERS[0], 256 + NM);
    tok_sbuf_printf(b, "},\"merges\":[");
    for (int k = 0; k < NM; k++) {
        const char *sep = k ? ",\n" : "\n";
        if (k == malformed_at) tok_sbuf_printf(b, "%s\"%c%c\"", sep, LETTERS[k / 10], LETTERS[k % 10]);
        else if (k == bad_token_at) tok_sbuf_printf(b, "%s\"%c \xE4\xB8\xAD\"", sep, LETTERS[k / 10]); /* 中: no byte-level token */
        else if (k % 2) tok_sbuf_printf(b, "%s[\"%c\", \"%c\"]", sep, LETTERS[k / 10], LETTERS[k % 10]);
        else tok_sbuf_printf(b, "%s\"%c %c\"", sep, LETTERS[k / 10], LETTERS[k % 10]);
    }
    tok_sbuf_printf(b, "]},\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                       "\"trim_offsets\":true,\"use_regex\":true}}");
    tok_sbuf_cstr(b);
}

/* The model's merges, as "a b c;" for each */
static void merges_of(const tok_tokenizer *t, tok_sbuf *out)
{
    const tok_model *m = t->model;
    size_t n = m->vt->merge_count(m);
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t g[3];
        assert_int_equal(m->vt->merge_get(m, i, g), 0);
        tok_sbuf_printf(out, "%d %d %d;", g[0], g[1], g[2]);
    }
    tok_sbuf_cstr(out);
}

static void batched_merges_equal_tree(void **state)
{
    TOK_UNUSED(state);
    tok_sbuf js = { 0 }, a = { 0 }, b = { 0 };
    for (int variant = 0; variant < 3; variant++) {
        put_json(&js, variant >= 1, variant == 2, -1, -1);
        tok_tokenizer *raw = tu_load_json(js.v); /* the document text: batches */
        json_error_t je;
        json_t *root = json_loads(js.v, 0, &je);
        assert_non_null(root);
        tok_error err = { 0 };
        tok_tokenizer *tree = tok__from_hfjson(root, "tree.json", NULL, &err); /* one by one, from the tree */
        json_decref(root);
        if (!tree) fail_msg("tree load: %s", err.message);
        merges_of(raw, &a);
        merges_of(tree, &b);
        assert_int_equal(raw->model->vt->merge_count(raw->model), NM);
        assert_string_equal(a.v, b.v);
        if (variant == 2) { /* the later entry of a text twice is the one merges name, the earlier id empty */
            assert_non_null(strstr(a.v, "97 97 326;"));
            assert_int_equal(raw->vocab.tok[256].flags, TOK_TOKEN_NONE);
            assert_int_equal(tree->vocab.tok[256].flags, TOK_TOKEN_NONE);
        } else {
            assert_non_null(strstr(a.v, "97 97 256;"));
        }
        tok_free(raw);
        tok_free(tree);
    }
    tok_vec_free(&js);
    tok_vec_free(&a);
    tok_vec_free(&b);
}

static void first_bad_merge_named(void **state)
{
    TOK_UNUSED(state);
    tok_sbuf js = { 0 };
    put_json(&js, true, false, 40, -1); /* in the second batch */
    tu_load_fails(js.v, TOK_ERR_FORMAT, "model.merges[40]: merge token \"\xE4\xB8\xAD\" is not in the vocabulary");
    put_json(&js, true, false, 35, 37); /* an unknown token before a malformed merge, one batch */
    tu_load_fails(js.v, TOK_ERR_FORMAT, "model.merges[35]");
    put_json(&js, true, false, -1, 37);
    tu_load_fails(js.v, TOK_ERR_FORMAT, "model.merges[37]: merge is not two tokens separated by one space");
    put_json(&js, false, false, 64, -1); /* the last, short batch */
    tu_load_fails(js.v, TOK_ERR_FORMAT, "model.merges[64]");
    tok_vec_free(&js);
}

/* Random strings of ASCII, continuation bytes, two-, three- and four-byte
 * leads and other bytes, at every length up to 70 and every room. */
static void utf8_blocks_agree(void **state)
{
    TOK_UNUSED(state);
    uint8_t buf[160];
    uint64_t x = 88172645463325252ULL;
    size_t valid = 0;
    for (int it = 0; it < 200000; it++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 71);
        for (size_t i = 0; i < sizeof buf; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            unsigned r = (unsigned)(x >> 40);
            switch (r % 8) {
            case 0: case 1: buf[i] = (uint8_t)(0x20 + r % 0x5F); break;
            case 2: case 3: buf[i] = (uint8_t)(0x80 + (r >> 3) % 0x40); break;
            case 4: case 5: buf[i] = (uint8_t)(0xC0 + (r >> 3) % 0x20); break;
            case 6: buf[i] = (uint8_t)(0xE0 + (r >> 3) % 0x10); break;
            default: buf[i] = (uint8_t)(r >> 3); break;
            }
        }
        bool want = tok_utf8_check(buf, n) == n;
        valid += want;
        for (size_t room = n; room <= n + 20; room += 4)
            if (tok_utf8_valid_room(buf, n, room) != want) fail_msg("length %zu room %zu: differs", n, room);
    }
    assert_true(valid > 1000); /* the valid strings were tried too */
    /* a lead at the very end of a block and of the string */
    const uint8_t *cases[] = { (const uint8_t *)"\xC4\xA0the\xC4", (const uint8_t *)"0123456789abcde\xC4\xA0",
                               (const uint8_t *)"0123456789abcdef\xA0", (const uint8_t *)"0123456789abcdef\xC4" };
    const bool ok[] = { false, true, false, false };
    uint8_t pad[64] = { 0 };
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen((const char *)cases[i]);
        memcpy(pad, cases[i], n);
        assert_int_equal(tok_utf8_valid_room(pad, n, sizeof pad), ok[i]);
        assert_int_equal(tok_utf8_check(pad, n) == n, ok[i]);
    }
}

/* The document-text reader (16 bytes a step: white space, strings, nested
 * members skipped by their quotes and brackets) reads what jansson reads:
 * keys with every escape at every offset of a block, brackets and quotes
 * inside strings, white space runs of every length, nested members with all
 * of these before and after the model. */
static void text_reader_equals_tree(void **state)
{
    TOK_UNUSED(state);
    static const char *const esc[] = { "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "]", "}",
                                       "[{", "\\\\\\\"", "\xC3\xA9" };
    const size_t ne = sizeof esc / sizeof esc[0];
    tok_sbuf js = { 0 }, ws = { 0 };
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int round = 0; round < 6; round++) {
        js.n = 0;
        /* white space of a length that moves everything after it */
        ws.n = 0;
        for (int k = 0; k < round * 7; k++) tok_sbuf_putc(&ws, " \n\t\r"[k % 4]);
        tok_sbuf_cstr(&ws);
        tok_sbuf_printf(&js, "{%s\"normalizer\":%snull,\"pad\":{\"a\":[\"]}\\\"[{\\\\\",{\"b\":\"\\\\\"}],\"c\":\"%s\"},"
                             "\"model\":%s{\"type\":\"BPE\",\"vocab\":%s",
                        ws.v, ws.v, round % 2 ? "x]" : "{", ws.v, ws.v);
        size_t v0 = js.n;
        tok_sbuf_printf(&js, "{\"a\":0,\"b\":1,\"ab\":2");
        int id = 3;
        for (size_t e = 0; e < ne; e++)
            for (int at = 0; at < 40; at++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                tok_sbuf_printf(&js, ",%.*s\"", (int)(x % (ws.n + 1)), ws.v);
                for (int k = 0; k < at; k++) tok_sbuf_putc(&js, (char)('c' + (k + e) % 20));
                tok_sbuf_printf(&js, "%s%d\"%.*s:%.*s%d", esc[e], at, (int)(x >> 8) % 3, "   ",
                                (int)(x >> 16) % 3, "\n\n\n", id++);
            }
        tok_sbuf_printf(&js, "%s}", ws.v);
        size_t v1 = js.n;
        tok_sbuf_printf(&js, "%s,\"merges\":%s", ws.v, ws.v);
        size_t m0 = js.n;
        tok_sbuf_printf(&js, "[%s\"a b\"%s]", ws.v, ws.v);
        size_t m1 = js.n;
        tok_sbuf_printf(&js, "},\"extra\":{\"x\":[[[\"]]]\"]],\"\\\\\"]}%s}", ws.v);
        tok_sbuf_cstr(&js);
        /* found where they were written (a wrong skip would send the whole
         * document through jansson, hiding the error) */
        tok_span_text sv, sm;
        assert_int_equal(tok_rawjson_bpe_spans(js.v, js.n, &sv, &sm), 1);
        assert_int_equal(sv.start, v0);
        assert_int_equal(sv.end, v1);
        assert_int_equal(sm.start, m0);
        assert_int_equal(sm.end, m1);
        tok_tokenizer *raw = tu_load_json(js.v);
        json_error_t je;
        json_t *root = json_loads(js.v, 0, &je);
        if (!root) fail_msg("jansson: %s at %d:%d", je.text, je.line, je.column);
        tok_error err = { 0 };
        tok_tokenizer *tree = tok__from_hfjson(root, "tree.json", NULL, &err);
        json_decref(root);
        if (!tree) fail_msg("tree load: %s", err.message);
        assert_int_equal(raw->vocab.n, (size_t)id);
        assert_int_equal(tree->vocab.n, (size_t)id);
        for (int i = 0; i < id; i++) {
            const tok_token *a = &raw->vocab.tok[i], *b = &tree->vocab.tok[i];
            /* (an id left empty by a text given twice has no text) */
            if (a->flags != b->flags || a->text_len != b->text_len ||
                (a->text_len && memcmp(a->text, b->text, a->text_len)))
                fail_msg("round %d id %d: \"%.*s\" vs \"%.*s\"", round, i, (int)a->text_len,
                         a->text ? a->text : "", (int)b->text_len, b->text ? b->text : "");
        }
        assert_int_equal(raw->model->vt->merge_count(raw->model), 1);
        tok_free(raw);
        tok_free(tree);
    }
    tok_vec_free(&js);
    tok_vec_free(&ws);
}

/* The plain base64 reading the group-of-four fast path must equal: white
 * space skipped anywhere, '=' ending it, URL-safe digits, a bad byte
 * refused, leftover bits dropped. */
static int b64_plain(const char *s, size_t n, uint8_t *o, size_t *k)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    *k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=') break;
        if (c == '\n' || c == '\r' || c == ' ') continue;
        int v = c == '-' ? 62 : c == '_' ? 63 : -1;
        const char *f = c ? strchr(al, c) : NULL;
        if (f) v = (int)(f - al);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        if ((bits += 6) >= 8) o[(*k)++] = (uint8_t)(acc >> (bits -= 8));
    }
    return 0;
}

static void base64_groups_equal_plain(void **state)
{
    TOK_UNUSED(state);
    static const char pool[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n\r\x80*";
    char s[64];
    uint8_t a[64], b[64];
    uint64_t x = 0x2545F4914F6CDD1DULL;
    int refused = 0;
    for (int it = 0; it < 200000; it++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 41);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* mostly digits: the specials land in every group position */
            unsigned r = (unsigned)(x >> 33) % 100;
            s[i] = r < 90 ? pool[r % 64] : pool[64 + r % (sizeof pool - 65)];
        }
        size_t ka = 0, kb = 0;
        int ra = tok_base64_decode_into(s, n, a, &ka), rb = b64_plain(s, n, b, &kb);
        if (ra != rb || (!ra && (ka != kb || memcmp(a, b, ka))))
            fail_msg("\"%.*s\": %d/%zu vs %d/%zu", (int)n, s, ra, ka, rb, kb);
        refused += ra != 0;
    }
    assert_true(refused > 1000); /* bad bytes were met too */
}

/* jansson reads the document with the vocabulary's and merges' contents cut
 * out; an error it finds is placed where jansson itself places it in the
 * whole document: before the members, between them, on the line one of
 * them ends, and after them.  (The errors are ones the text reader's walk
 * passes over, a bare word and a bad escape, so the document is cut.) */
static void json_errors_placed_as_jansson(void **state)
{
    TOK_UNUSED(state);
    static const char *const head = "{\"x\": %s,\n \"model\": {\"type\": \"BPE\",\n  \"vocab\": {\n   \"a\": 0,\n"
                                     "   \"b\": 1,\n   \"\xc3\xa9\": 2,\n   \"ab\": 3\n  }, \"z\": %s,\n  \"merges\": [\n"
                                     "   \"a b\"\n  ], \"w\": %s\n },\n \"y\": %s\n}\n";
    static const char *const ok = "1", *const bad[2] = { "tru", "\"\\q\"" };
    tok_sbuf js = { 0 };
    char want[64];
    for (int k = 0; k < 8; k++) {
        const char *v[4] = { ok, ok, ok, ok };
        v[k % 4] = bad[k / 4];
        js.n = 0;
        tok_sbuf_printf(&js, head, v[0], v[1], v[2], v[3]);
        tok_sbuf_cstr(&js);
        tok_span_text sv, sm;
        assert_int_equal(tok_rawjson_bpe_spans(js.v, js.n, &sv, &sm), 1); /* the cut path */
        json_error_t je;
        json_t *root = json_loadb(js.v, js.n, 0, &je);
        assert_null(root);
        snprintf(want, sizeof want, "bad.json:%d:%d: invalid JSON", je.line, je.column);
        tu_load_fails(js.v, TOK_ERR_FORMAT, want);
    }
    tok_vec_free(&js);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batched_merges_equal_tree),
        cmocka_unit_test(first_bad_merge_named),
        cmocka_unit_test(utf8_blocks_agree),
        cmocka_unit_test(text_reader_equals_tree),
        cmocka_unit_test(base64_groups_equal_plain),
        cmocka_unit_test(json_errors_placed_as_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
