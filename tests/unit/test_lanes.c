/*
 * The fused lanes (pipeline/lane_*.c) against the general pipeline: each
 * tokenizer is loaded twice, as usual (lane on) and with regex_only (the
 * general pipeline), and many generated texts -- printable ASCII with the
 * chars the lanes hand back (controls, CR, tabs, non-ASCII letters,
 * combining marks, ligatures, NBSP, CJK, "▁", special-token text, long
 * words), leading/trailing/runs of spaces -- must give the same ids,
 * offsets, word indices and type ids, alone and as pairs.  SentencePiece-
 * style BPE is also tried on random merge lists (spm_random).
 */
#include "testutil.h"
#include "libtok/internal.h"

static const char *frags[] = {
    "the", "Hello", "WORLD", "tokenization", "isn't", "x", "a", "2024", "3.14", " ", "  ", "   ",
    "\t", "\n", "\r\n", "\r", "\x01", "\x7f", "\x0b", ",", ".", "'", "\"", "(", ")", "#", "##",
    "-", "_", "[CLS]", "[MASK]", "<s>", "</s>", "<unk>", "\xc3\xa9", "caf\xc3\xa9", "\xc3\xbc" "ber",
    "\xe4\xb8\xad\xe6\x96\x87", "\xe2\x96\x81", "\xe2\x96\x81\xe2\x96\x81", "e\xcc\x81",
    "\xef\xac\x81", "\xc2\xa0", "\xe3\x80\x80", "\xf0\x9f\x98\x80", "Ǆ", "ΣΑΣ",
    "supercalifragilisticexpialidociousandthensomemorelettersuntilthewordislongerthanonehundredcharactersxxxxxxxxxxxxxx",
};

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void gen(char *buf, size_t cap)
{
    size_t k = 0, nf = sizeof frags / sizeof frags[0];
    uint32_t parts = rnd(40);
    buf[0] = 0;
    for (uint32_t i = 0; i < parts; i++) {
        /* mostly plain words and single spaces, as running text */
        const char *f = rnd(3) ? frags[rnd(8)] : frags[rnd((uint32_t)nf)];
        if (rnd(2)) f = rnd(4) ? " " : f;
        size_t l = strlen(f);
        if (k + l + 1 >= cap) break;
        memcpy(buf + k, f, l);
        k += l;
        buf[k] = 0;
    }
}

static void same(tok_ctx *a, tok_ctx *b, const char *x, size_t xn, const char *y, size_t yn, bool pair)
{
    tok_encoding ea, eb;
    tok_status sa = pair ? tok_encode_pair(a, x, xn, y, yn, NULL, &ea) : tok_encode(a, x, xn, NULL, &ea);
    tok_status sb = pair ? tok_encode_pair(b, x, xn, y, yn, NULL, &eb) : tok_encode(b, x, xn, NULL, &eb);
    assert_int_equal(sa, sb);
    if (sa) return;
    if (!pair) {
        /* tok_encode_ids (lanes write ids alone) = tok_encode's ids: with
         * room for an id a byte (written in the buffer itself), for the ids
         * alone (moved to the context's storage on the way), and too
         * little (the count needed, the ids that fit, nothing past them) */
        int32_t *keep = malloc((ea.n + 1) * sizeof *keep);
        assert_non_null(keep);
        memcpy(keep, ea.ids, ea.n * sizeof *keep);
        size_t en = ea.n, caps[3] = { xn + 16, en + 16, en / 2 };
        for (int c = 0; c < 3; c++) {
            size_t cap = caps[c], k = 0;
            int32_t *ids = malloc((cap + 1) * sizeof *ids);
            assert_non_null(ids);
            ids[cap] = -7;
            tok_status st = tok_encode_ids(a, x, xn, NULL, ids, cap, &k);
            assert_int_equal(st, en > cap ? TOK_ERR_BUFFER : TOK_OK);
            assert_int_equal(k, en);
            for (size_t i = 0; i < k && i < cap; i++)
                if (ids[i] != keep[i]) fail_msg("tok_encode_ids (room for %zu): token %zu: %d vs %d", cap, i, ids[i], keep[i]);
            assert_int_equal(ids[cap], -7);
            free(ids);
        }
        free(keep);
        assert_int_equal(tok_encode(a, x, xn, NULL, &ea), TOK_OK);
    }
    if (ea.n != eb.n) {
        size_t i = 0;
        while (i < ea.n && i < eb.n && ea.ids[i] == eb.ids[i]) i++;
        fail_msg("%zu vs %zu tokens, first differing at token %zu, on \"%.200s\"", ea.n, eb.n, i, x);
    }
    for (size_t i = 0; i < ea.n; i++) {
        if (ea.ids[i] != eb.ids[i] || ea.offsets[i].start != eb.offsets[i].start ||
            ea.offsets[i].end != eb.offsets[i].end || ea.words[i] != eb.words[i] ||
            ea.type_ids[i] != eb.type_ids[i] || ea.special[i] != eb.special[i])
            fail_msg("token %zu of \"%s\"%s%s%s: id %d (%u,%u) word %d vs id %d (%u,%u) word %d", i, x,
                     pair ? " + \"" : "", pair ? y : "", pair ? "\"" : "", ea.ids[i],
                     ea.offsets[i].start, ea.offsets[i].end, ea.words[i], eb.ids[i], eb.offsets[i].start,
                     eb.offsets[i].end, eb.words[i]);
    }
}

static void check(const char *rel, int bert_lowercase)
{
    char path[4096];
    tu_cache_path(rel, path, sizeof path);
    tok_load_options o;
    tok_load_options_init(&o);
    o.bert_lowercase = bert_lowercase;
    tok_error err = { 0 };
    tok_tokenizer *lane = tok_load(path, &o, &err);
    if (!lane) fail_msg("%s: %s (run sh scripts/fetch-refs.sh)", path, err.message);
    o.regex_only = 1;
    tok_tokenizer *gen_ = tok_load(path, &o, &err);
    assert_non_null(gen_);
    /* the lane is really there (and only there) */
    assert_non_null(lane->lane);
    assert_null(gen_->lane);
    tok_ctx *a = tok_ctx_new(lane), *b = tok_ctx_new(gen_);
    static const char *fixed[] = { "", " ", "   ", "a", " a ", "  a  b  ", "\xe2\x96\x81", "a \xe2\x96\x81",
                                   "\t\n", "[CLS] x [SEP]", "<s> hi </s>", "x\x01y", "\r\n\r\n" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        same(a, b, fixed[i], strlen(fixed[i]), NULL, 0, false);
    char x[2048], y[2048];
    for (int i = 0; i < 400; i++) {
        gen(x, sizeof x);
        same(a, b, x, strlen(x), NULL, 0, false);
        if (i % 8 == 0) {
            gen(y, sizeof y);
            same(a, b, x, strlen(x), y, strlen(y), true);
        }
    }
    /* a real text in one piece */
    size_t n = 0;
    char *t = tu_read_file(tu_cache_path("texts/multilingual.txt", path, sizeof path), &n);
    assert_non_null(t);
    if (n > 200000) n = 200000;
    while (n && ((unsigned char)t[n] & 0xC0) == 0x80) n--;
    same(a, b, t, n, NULL, 0, false);
    free(t);
    /* English in one piece: the SentencePiece lane cuts it into windows, and
     * a Unigram line's score grows far past the cached stretches' */
    t = tu_read_file(tu_cache_path("texts/english.txt", path, sizeof path), &n);
    assert_non_null(t);
    if (n > 150000) n = 150000;
    while (n && ((unsigned char)t[n] & 0xC0) == 0x80) n--;
    same(a, b, t, n, NULL, 0, false);
    free(t);
    /* no cut for longer than a window; the same words over a long line */
    size_t big = 40000;
    char *r = malloc(big + 1);
    assert_non_null(r);
    memset(r, 'a', big);
    memcpy(r + big / 2, " b ", 3);
    same(a, b, r, big, NULL, 0, false);
    for (size_t i = 0; i < big; i++) r[i] = "the cat sat on a mat; "[i % 22];
    same(a, b, r, big, NULL, 0, false);
    /* runs of spaces (collapsed or not) across the windows' ends */
    for (size_t i = 0; i < big; i++) r[i] = "ab  cd     ef         g   h"[i % 27];
    same(a, b, r, big, NULL, 0, false);
    free(r);
    /* every token of a SentencePiece-style vocabulary as a word, and two
     * glued together ("▁" as the space it stands for): the lane's own BPE
     * and Unigram words against the general pipeline's */
    if (strstr(rel, ".model") || strstr(rel, "mistral")) {
        size_t nv = tok_vocab_size(lane), cap = nv * 40 + 16, k = 0;
        char *v = malloc(cap);
        assert_non_null(v);
        for (size_t id = 0; id < nv; id++) {
            size_t len = 0;
            const char *tt = tok_token_text(lane, (int32_t)id, &len);
            if (!tt || len > 16 || (id % 7 == 3 && len > 0 && tt[0] == '<')) continue;
            for (int rep = 0; rep < 1 + (id % 3 == 0); rep++)
                for (size_t j = 0; j < len; j++) {
                    if (j + 3 <= len && !memcmp(tt + j, "\xe2\x96\x81", 3)) {
                        v[k++] = ' ';
                        j += 2;
                    } else {
                        v[k++] = tt[j];
                    }
                }
            v[k++] = id % 5 ? ' ' : '\n';
        }
        /* a few texts of about 64 kB each: one line score stays moderate */
        for (size_t at = 0; at < k;) {
            size_t len = k - at < 65536 ? k - at : 65536;
            while (at + len < k && ((unsigned char)v[at + len] & 0xC0) == 0x80) len--;
            same(a, b, v + at, len, NULL, 0, false);
            at += len;
        }
        free(v);
    }
    tok_ctx_free(a);
    tok_ctx_free(b);
    tok_free(lane);
    tok_free(gen_);
}

static void test_bert_uncased(void **s) { (void)s; check("tokenizers/bert-base-uncased.json", -1); }
static void test_bert_cased_vocab(void **s) { (void)s; check("tokenizers/bert-base-uncased/vocab.txt", 0); }
static void test_albert(void **s) { (void)s; check("tokenizers/albert.model", -1); }
static void test_smart(void **s) { (void)s; check("tokenizers/smart.model", -1); }
static void test_llama2(void **s) { (void)s; check("tokenizers/llama2.model", -1); }
static void test_mistral(void **s) { (void)s; check("tokenizers/mistral.json", -1); }
static void test_gemma3(void **s) { (void)s; check("tokenizers/gemma3.json", -1); }

/* SentencePiece-style BPE on random merge lists (Mistral's pipeline: "▁"
 * prepended and for spaces, byte fallback in most rounds, unk in the
 * others): the lane's word path (its own merge loop over linked symbols,
 * stretches cut inside before ASCII chars no merge joins to the byte
 * before) against bpe.c's heap through the general pipeline, on random
 * texts with chars the vocabulary lacks. */
static const char *const spm_chars[] = { "\xe2\x96\x81", "a", "b", "c", "d", "\xc3\xa9", ",", ".", "A" };

static void spm_random(void **st)
{
    (void)st;
    tok_sbuf js = { 0 };
    char text[256];
    for (int round = 0; round < 16; round++) {
        const bool fallback = round % 4 != 3;
        /* the alphabet, then merges of random pairs of tokens made so far */
        char tok[400][48];
        int nt = 0;
        for (size_t c = 0; c < sizeof spm_chars / sizeof spm_chars[0]; c++) snprintf(tok[nt++], 48, "%s", spm_chars[c]);
        int ma[300], mb[300], nm = 0;
        for (int tries = 0; tries < 2000 && nm < 250 && nt < 400; tries++) {
            int a = (int)rnd((uint32_t)nt), b = (int)rnd((uint32_t)nt);
            if (strlen(tok[a]) + strlen(tok[b]) >= 48) continue;
            char cat[48];
            size_t la = strlen(tok[a]), lb = strlen(tok[b]);
            memcpy(cat, tok[a], la);
            memcpy(cat + la, tok[b], lb + 1);
            int have = -1;
            for (int k = 0; k < nt; k++)
                if (!strcmp(tok[k], cat)) have = k;
            /* now and then a second merge making a token already made */
            if (have >= 0 && rnd(8)) continue;
            if (have < 0) snprintf(tok[nt++], 48, "%s", cat);
            ma[nm] = a;
            mb[nm++] = b;
        }
        js.n = 0;
        tok_sbuf_printf(&js, "{\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"\xe2\x96\x81\"},"
                             "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\xe2\x96\x81\"}]},"
                             "\"pre_tokenizer\":null,\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,"
                             "\"byte_fallback\":%s,\"vocab\":{\"<unk>\":0",
                        fallback ? "true" : "false");
        for (int b = 0; b < 256; b++) tok_sbuf_printf(&js, ",\"<0x%02X>\":%d", b, 1 + b);
        for (int k = 0; k < nt; k++) tok_sbuf_printf(&js, ",\"%s\":%d", tok[k], 257 + k);
        tok_sbuf_printf(&js, "},\"merges\":[");
        for (int k = 0; k < nm; k++) tok_sbuf_printf(&js, "%s\"%s %s\"", k ? "," : "", tok[ma[k]], tok[mb[k]]);
        tok_sbuf_printf(&js, "]}}");
        tok_sbuf_cstr(&js);
        tok_load_options o;
        tok_load_options_init(&o);
        tok_error err = { 0 };
        tok_tokenizer *lane = tok_load_memory(js.v, js.n, "spm-random.json", &o, &err);
        if (!lane) fail_msg("%s", err.message);
        assert_non_null(lane->lane);
        o.regex_only = 1;
        tok_tokenizer *gen_ = tok_load_memory(js.v, js.n, "spm-random.json", &o, &err);
        assert_non_null(gen_);
        tok_ctx *a = tok_ctx_new(lane), *b = tok_ctx_new(gen_);
        static const char *const pieces[] = { "a", "b", "c", "d", "\xc3\xa9", " ", "  ", "x", "\xe4\xb8\xad", "ab", "ba", "dd",
                                              ",", ".", "A", "a,", "?", "xx", ". " };
        for (int i = 0; i < 300; i++) {
            size_t k = 0, parts = rnd(40);
            for (size_t j = 0; j < parts; j++) {
                const char *f = pieces[rnd((uint32_t)(sizeof pieces / sizeof pieces[0]))];
                size_t l = strlen(f);
                if (k + l >= sizeof text) break;
                memcpy(text + k, f, l);
                k += l;
            }
            text[k] = 0;
            same(a, b, text, k, NULL, 0, false);
        }
        tok_ctx_free(a);
        tok_ctx_free(b);
        tok_free(lane);
        tok_free(gen_);
    }
    tok_vec_free(&js);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bert_uncased), cmocka_unit_test(test_bert_cased_vocab),
        cmocka_unit_test(test_albert),       cmocka_unit_test(test_smart),
        cmocka_unit_test(test_llama2),       cmocka_unit_test(test_mistral),
        cmocka_unit_test(test_gemma3),       cmocka_unit_test(spm_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
