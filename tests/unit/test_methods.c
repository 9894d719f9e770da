/* Inference methods on any vocabulary (issue 4): least-tokens against an
 * exhaustive search and an independent DP on real text, longest-prefix
 * against WordPiece's own output, tie rules, seeded randomness, linear work
 * on adversarial input, fallback, prefix/suffix classes, unigram scores. */
#include "testutil.h"

#include "libtok/internal.h"
#include "libtok/methods/methods.h"
#include "vocab/tok_train.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

tok_status tok__method_generic(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n,
                               tok_toks *out);
uint64_t tok__method_work(const tok_ctx *ctx);

static const tok_method all_methods[] = { TOK_METHOD_LONGEST_PREFIX, TOK_METHOD_LONGEST_SUFFIX,
                                          TOK_METHOD_LONGEST_TOKEN, TOK_METHOD_LEAST_TOKENS };
#define NMETHODS (sizeof all_methods / sizeof all_methods[0])

/* ---- helpers ------------------------------------------------------------ */

/* WordLevel tokenizer.json over the given tokens (ids in order) plus [UNK]. */
static tok_tokenizer *wordlevel(const char *const *toks, size_t n)
{
    char buf[4096];
    size_t k = (size_t)snprintf(buf, sizeof buf, "{\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"[UNK]\",\"vocab\":{");
    for (size_t i = 0; i < n; i++) k += (size_t)snprintf(buf + k, sizeof buf - k, "\"%s\":%zu,", toks[i], i);
    snprintf(buf + k, sizeof buf - k, "\"[UNK]\":%zu}}}", n);
    return tu_load_json(buf);
}

/* Run a method through the generic implementation (even where native). */
static tok_toks run(tok_ctx *ctx, tok_method m, tok_tie tie, uint64_t seed, const char *s, size_t n)
{
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.method = m;
    o.tie = tie;
    o.seed = seed;
    tok_toks out = { 0 };
    tok_status st = tok__method_generic(ctx, &o, (const uint8_t *)s, (uint32_t)n, &out);
    if (st) fail_msg("%s on \"%.*s\": %s", tok_method_name(m), (int)n, s, tok_ctx_error(ctx));
    return out;
}

/* Tokens tile [0, n) in order and each token's model bytes equal its span
 * (unknown and byte tokens excepted). */
static void check_tiling(const tok_tokenizer *t, const tok_toks *o, const char *s, size_t n)
{
    uint32_t at = 0;
    for (size_t i = 0; i < o->n; i++) {
        if (o->off[i].start != at || o->off[i].end <= at) fail_msg("token %zu at [%u,%u), expected start %u", i, o->off[i].start, o->off[i].end, at);
        const tok_token *tk = &t->vocab.tok[o->id[i]];
        if (!(tk->flags & (TOK_TOKEN_UNK | TOK_TOKEN_BYTE))) {
            size_t len = o->off[i].end - o->off[i].start, pl = 0, sl = 0;
            if ((tk->flags & TOK_TOKEN_CONTINUATION) && t->model->cont_prefix) pl = strlen(t->model->cont_prefix);
            if (t->model->eow_suffix && o->off[i].end == n) sl = strlen(t->model->eow_suffix);
            if (tk->nbytes != len + pl + sl || memcmp(tk->bytes + pl, s + o->off[i].start, len))
                fail_msg("token %zu (id %d) does not spell its span", i, o->id[i]);
        }
        at = o->off[i].end;
    }
    if (at != n) fail_msg("tokens end at %u of %zu", at, n);
}

/* ---- least-tokens == exhaustive minimum ---------------------------------- */

static const char *const small_vocab[] = { "a", "b", "ab", "bc", "ca", "abc", "bca", "cab", "aa", "bb", "abca" };
#define NSMALL (sizeof small_vocab / sizeof small_vocab[0])

/* Fewest tokens over every segmentation: tokens, or one unknown character
 * where no single-character token exists. */
static unsigned brute_min(const char *s, size_t n)
{
    if (n == 0) return 0;
    unsigned best = 1000;
    bool single = false;
    for (size_t k = 0; k < NSMALL; k++) {
        size_t l = strlen(small_vocab[k]);
        if (l <= n && !memcmp(small_vocab[k], s, l)) {
            if (l == 1) single = true;
            unsigned c = 1 + brute_min(s + l, n - l);
            if (c < best) best = c;
        }
    }
    if (!single) {
        unsigned c = 1 + brute_min(s + 1, n - 1);
        if (c < best) best = c;
    }
    return best;
}

/* Plain references for the greedy methods over small_vocab (unknown: id NSMALL). */
static int vocab_id(const char *s, size_t n)
{
    for (size_t k = 0; k < NSMALL; k++)
        if (strlen(small_vocab[k]) == n && !memcmp(small_vocab[k], s, n)) return (int)k;
    return -1;
}

static size_t ref_prefix(const char *s, size_t n, int *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t best = 0;
        for (size_t l = 1; i + l <= n; l++)
            if (vocab_id(s + i, l) >= 0) best = l;
        out[k++] = best ? vocab_id(s + i, best) : (int)NSMALL;
        i += best ? best : 1;
    }
    return k;
}

static size_t ref_suffix(const char *s, size_t n, int *out)
{
    int tmp[32];
    size_t k = 0;
    for (size_t j = n; j > 0;) {
        size_t best = 0;
        for (size_t l = 1; l <= j; l++)
            if (vocab_id(s + j - l, l) >= 0) best = l;
        tmp[k++] = best ? vocab_id(s + j - best, best) : (int)NSMALL;
        j -= best ? best : 1;
    }
    for (size_t i = 0; i < k; i++) out[i] = tmp[k - 1 - i];
    return k;
}

/* FLOTA as written: the longest token in [a, b), leftmost among equals, then both sides. */
static size_t ref_token(const char *s, size_t a, size_t b, int *out)
{
    size_t bl = 0, bi = 0;
    for (size_t i = a; i < b; i++)
        for (size_t l = 1; i + l <= b; l++)
            if (l > bl && vocab_id(s + i, l) >= 0) {
                bl = l;
                bi = i;
            }
    if (!bl) {
        for (size_t i = a; i < b; i++) out[i - a] = (int)NSMALL;
        return b - a;
    }
    size_t k = ref_token(s, a, bi, out);
    out[k++] = vocab_id(s + bi, bl);
    return k + ref_token(s, bi + bl, b, out + k);
}

static void test_least_tokens_exhaustive(void **state)
{
    (void)state;
    tok_tokenizer *t = wordlevel(small_vocab, NSMALL);
    tok_ctx *ctx = tok_ctx_new(t);
    srand(12345);
    char s[16];
    for (int it = 0; it < 3000; it++) {
        size_t n = 1 + (size_t)(rand() % 12);
        for (size_t i = 0; i < n; i++) s[i] = "abc"[rand() % 3];
        s[n] = 0;
        unsigned want = brute_min(s, n);
        for (int tie = 0; tie < 2; tie++) {
            tok_toks o = run(ctx, TOK_METHOD_LEAST_TOKENS, (tok_tie)tie, (uint64_t)it + 1, s, n);
            if (o.n != want) fail_msg("least-tokens \"%s\": %zu tokens, minimum is %u", s, o.n, want);
            check_tiling(t, &o, s, n);
            tok_toks_free(&o);
        }
        /* the greedy methods equal their plain definitions, never beat the
         * minimum, and tile the input too */
        for (size_t m = 0; m < NMETHODS; m++) {
            tok_toks o = run(ctx, all_methods[m], TOK_TIE_LONGEST, 0, s, n);
            assert_true(o.n >= want);
            check_tiling(t, &o, s, n);
            int ref[32];
            size_t nr = all_methods[m] == TOK_METHOD_LONGEST_PREFIX ? ref_prefix(s, n, ref)
                        : all_methods[m] == TOK_METHOD_LONGEST_SUFFIX ? ref_suffix(s, n, ref)
                        : all_methods[m] == TOK_METHOD_LONGEST_TOKEN ? ref_token(s, 0, n, ref)
                        : o.n;
            if (all_methods[m] != TOK_METHOD_LEAST_TOKENS) {
                if (nr != o.n) fail_msg("%s \"%s\": %zu tokens, reference %zu", tok_method_name(all_methods[m]), s, o.n, nr);
                for (size_t i = 0; i < nr; i++)
                    if (o.id[i] != ref[i])
                        fail_msg("%s \"%s\": token %zu is %d, reference %d", tok_method_name(all_methods[m]), s, i, o.id[i], ref[i]);
            }
            tok_toks_free(&o);
        }
    }
    tok_ctx_free(ctx);
    tok_free(t);
}

/* ---- greedy methods on hand-checked cases -------------------------------- */

static void expect(tok_ctx *ctx, tok_method m, const char *s, const int32_t *want, size_t n)
{
    tok_toks o = run(ctx, m, TOK_TIE_LONGEST, 0, s, strlen(s));
    if (o.n != n) fail_msg("%s \"%s\": %zu tokens, want %zu", tok_method_name(m), s, o.n, n);
    for (size_t i = 0; i < n; i++)
        if (o.id[i] != want[i]) fail_msg("%s \"%s\": token %zu is %d, want %d", tok_method_name(m), s, i, o.id[i], want[i]);
    tok_toks_free(&o);
}

static void test_greedy_cases(void **state)
{
    (void)state;
    /*                          0    1    2     3      4       5      6 */
    static const char *const v[] = { "a", "b", "c", "ab", "bcd", "abcd", "d" };
    tok_tokenizer *t = wordlevel(v, 7);
    tok_ctx *ctx = tok_ctx_new(t);
    /* "abcdab": prefix takes abcd; suffix takes ab then abcd */
    expect(ctx, TOK_METHOD_LONGEST_PREFIX, "abcdab", TU_IDS(5, 3));
    expect(ctx, TOK_METHOD_LONGEST_SUFFIX, "abcdab", TU_IDS(5, 3));
    /* "abcd" longest-prefix: abcd; "xbcd": x is unknown (id 7) */
    expect(ctx, TOK_METHOD_LONGEST_PREFIX, "abcda", TU_IDS(5, 0));
    expect(ctx, TOK_METHOD_LONGEST_PREFIX, "xbcd", TU_IDS(7, 4));
    /* "abcdd": suffix is greedy from the right: d, then abcd */
    expect(ctx, TOK_METHOD_LONGEST_SUFFIX, "abbcd", TU_IDS(3, 4));
    /* longest-token: bcd is longest in "abbcd" -> ab | bcd ; in "babcd": abcd wins */
    expect(ctx, TOK_METHOD_LONGEST_TOKEN, "abbcd", TU_IDS(3, 4));
    expect(ctx, TOK_METHOD_LONGEST_TOKEN, "babcd", TU_IDS(1, 5));
    /* leftmost among equals: "ab" and "ab" -> first, then recursion */
    expect(ctx, TOK_METHOD_LONGEST_TOKEN, "abcab", TU_IDS(3, 2, 3));
    /* prefix greedy vs optimal: "abcd" + "d": prefix abcd|d (2), least-tokens too */
    expect(ctx, TOK_METHOD_LEAST_TOKENS, "abcdd", TU_IDS(5, 6));
    tok_ctx_free(ctx);
    tok_free(t);
}

/* ---- ties ---------------------------------------------------------------- */

static void test_ties(void **state)
{
    (void)state;
    static const char *const v[] = { "a", "b", "c", "ab", "bc" };
    tok_tokenizer *t = wordlevel(v, 5);
    tok_ctx *ctx = tok_ctx_new(t);
    /* ab|c and a|bc both take 2: the longest last token (bc) wins, always */
    for (int i = 0; i < 20; i++) expect(ctx, TOK_METHOD_LEAST_TOKENS, "abc", TU_IDS(0, 4));

    /* random ties through the public API: the same seed gives the same
     * result; different seeds and no seed give both */
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.method = TOK_METHOD_LEAST_TOKENS;
    o.tie = TOK_TIE_RANDOM;
    const char *s = "abcabcabcabc"; /* 4 independent ties */
    tok_encoding e;
    int32_t first[16];
    size_t nfirst;
    o.seed = 42;
    assert_int_equal(tok_encode_pretoken(ctx, s, strlen(s), &o, &e), TOK_OK);
    nfirst = e.n;
    memcpy(first, e.ids, e.n * sizeof *first);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(tok_encode_pretoken(ctx, s, strlen(s), &o, &e), TOK_OK);
        assert_int_equal(e.n, nfirst);
        assert_memory_equal(e.ids, first, nfirst * sizeof *first);
    }
    int seen_seeded[2] = { 0 }, seen_free[2] = { 0 };
    for (uint64_t seed = 1; seed <= 64; seed++) {
        o.seed = seed;
        assert_int_equal(tok_encode_pretoken(ctx, "abc", 3, &o, &e), TOK_OK);
        assert_int_equal(e.n, 2);
        seen_seeded[e.ids[0] == 3]++;
    }
    o.seed = 0;
    for (int i = 0; i < 64; i++) {
        assert_int_equal(tok_encode_pretoken(ctx, "abc", 3, &o, &e), TOK_OK);
        assert_int_equal(e.n, 2);
        seen_free[e.ids[0] == 3]++;
    }
    assert_true(seen_seeded[0] > 0 && seen_seeded[1] > 0);
    assert_true(seen_free[0] > 0 && seen_free[1] > 0);
    /* a fresh context without a seed differs from run to run too */
    tok_ctx_free(ctx);
    tok_free(t);
}

/* ---- longest-prefix == WordPiece ----------------------------------------- */

static void test_wordpiece_equal(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
        "\"max_input_chars_per_word\":100,\"vocab\":{\"[UNK]\":0,\"a\":1,\"b\":2,\"c\":3,\"ab\":4,\"abc\":5,"
        "\"##a\":6,\"##b\":7,\"##c\":8,\"##bc\":9,\"##ca\":10,\"##cab\":11,\"ba\":12,\"##d\":13}}}");
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.method = TOK_METHOD_LONGEST_PREFIX;
    srand(777);
    char s[32];
    for (int it = 0; it < 3000; it++) {
        size_t n = 1 + (size_t)(rand() % 14);
        for (size_t i = 0; i < n; i++) s[i] = "abcd"[rand() % (it % 5 ? 3 : 4)];
        tok_encoding e;
        assert_int_equal(tok_encode_pretoken(ctx, s, n, &o, &e), TOK_OK); /* native */
        tok_toks g = run(ctx, TOK_METHOD_LONGEST_PREFIX, TOK_TIE_LONGEST, 0, s, n);
        if (g.n != e.n) fail_msg("\"%.*s\": generic %zu tokens, WordPiece %zu", (int)n, s, g.n, e.n);
        for (size_t i = 0; i < g.n; i++) {
            assert_int_equal(g.id[i], e.ids[i]);
            assert_int_equal(g.off[i].start, e.offsets[i].start);
            assert_int_equal(g.off[i].end, e.offsets[i].end);
        }
        /* every method: the first piece is a word start, the others carry ## */
        for (size_t m = 0; m < NMETHODS; m++) {
            tok_toks r = run(ctx, all_methods[m], TOK_TIE_LONGEST, 0, s, n);
            if (!(r.n == 1 && r.id[0] == 0)) {
                check_tiling(t, &r, s, n);
                for (size_t i = 0; i < r.n; i++)
                    assert_int_equal((tok_token_flags(t, r.id[i]) & TOK_TOKEN_CONTINUATION) != 0, i > 0);
            }
            tok_toks_free(&r);
        }
        tok_toks_free(&g);
    }
    tok_ctx_free(ctx);
    tok_free(t);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = (size_t)n;
    }
    return b;
}

static const char *cache_dir(char *buf, size_t cap)
{
    const char *c = getenv("TOK_CACHE");
    if (c) snprintf(buf, cap, "%s", c);
    else snprintf(buf, cap, "%s/.cache/libtok", getenv("HOME") ? getenv("HOME") : ".");
    return buf;
}

/* Real text through a real tokenizer, or NULL (test skipped) if absent. */
static tok_tokenizer *real(const char *name, char **text, size_t *len, size_t maxlen)
{
    char dir[1024], path[2048];
    cache_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/tokenizers/%s", dir, name);
    if (access(path, R_OK)) return NULL;
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load(path, NULL, &err);
    if (!t) fail_msg("%s: %s", path, err.message);
    snprintf(path, sizeof path, "%s/texts/english.txt", dir);
    *text = read_file(path, len);
    if (!*text) {
        tok_free(t);
        return NULL;
    }
    if (*len > maxlen) {
        *len = maxlen;
        while (*len && ((unsigned char)(*text)[*len] & 0xC0) == 0x80) --*len;
    }
    return t;
}

static void test_wordpiece_equal_bert(void **state)
{
    (void)state;
    char *text;
    size_t len;
    tok_tokenizer *t = real("bert-base-uncased.json", &text, &len, 300000);
    if (!t) skip();
    tok_ctx *ctx = tok_ctx_new(t), *ctx2 = tok_ctx_new(t);
    const tok_pretoken *pt;
    size_t np, words = 0;
    assert_int_equal(tok_pretokenize(ctx, text, len, 0, &pt, &np), TOK_OK);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.method = TOK_METHOD_LONGEST_PREFIX;
    for (size_t i = 0; i < np; i++) {
        if (pt[i].id >= 0 || pt[i].len > 100) continue; /* WordPiece's own length limit */
        tok_encoding e;
        assert_int_equal(tok_encode_pretoken(ctx2, pt[i].text, pt[i].len, &o, &e), TOK_OK);
        tok_toks g = run(ctx2, TOK_METHOD_LONGEST_PREFIX, TOK_TIE_LONGEST, 0, pt[i].text, pt[i].len);
        if (g.n != e.n) fail_msg("\"%.*s\": generic %zu tokens, WordPiece %zu", (int)pt[i].len, pt[i].text, g.n, e.n);
        for (size_t k = 0; k < g.n; k++) assert_int_equal(g.id[k], e.ids[k]);
        tok_toks_free(&g);
        words++;
    }
    assert_true(words > 10000);
    free(text);
    tok_ctx_free(ctx);
    tok_ctx_free(ctx2);
    tok_free(t);
}

/* ---- least-tokens == an independent DP on real text ---------------------- */

typedef struct bset {
    const uint8_t **k;
    uint32_t *len;
    size_t mask;
} bset;

static uint64_t fnv(const uint8_t *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

static void bset_add(bset *b, const uint8_t *s, uint32_t n)
{
    size_t i = (size_t)fnv(s, n) & b->mask;
    while (b->k[i]) {
        if (b->len[i] == n && !memcmp(b->k[i], s, n)) return;
        i = (i + 1) & b->mask;
    }
    b->k[i] = s;
    b->len[i] = n;
}

static bool bset_has(const bset *b, const uint8_t *s, uint32_t n)
{
    size_t i = (size_t)fnv(s, n) & b->mask;
    while (b->k[i]) {
        if (b->len[i] == n && !memcmp(b->k[i], s, n)) return true;
        i = (i + 1) & b->mask;
    }
    return false;
}

/* Fewest tokens of every pre-token of the text, by plain substring look-ups
 * in a set of the vocabulary's byte strings (no trie, no shared code). */
static void dp_compare(const char *name, size_t maxlen)
{
    char *text;
    size_t len;
    tok_tokenizer *t = real(name, &text, &len, maxlen);
    if (!t) skip();
    size_t V = tok_vocab_size(t), cap = 1;
    while (cap < V * 2) cap *= 2;
    bset b = { calloc(cap, sizeof *b.k), calloc(cap, sizeof *b.len), cap - 1 };
    uint32_t maxl = 0;
    bool byte_tok[256] = { 0 };
    bool has_byte_pieces = false;
    for (size_t id = 0; id < V; id++) {
        uint32_t f = tok_token_flags(t, (int32_t)id);
        if (f & (TOK_TOKEN_NONE | TOK_TOKEN_SPECIAL | TOK_TOKEN_UNK | TOK_TOKEN_CONTROL | TOK_TOKEN_UNREACHABLE |
                 TOK_TOKEN_UNUSED))
            continue;
        size_t n;
        const char *tx = tok_token_text(t, (int32_t)id, &n);
        if (n == 6 && !memcmp(tx, "<0x", 3)) {
            has_byte_pieces = true;
            byte_tok[strtol(tx + 3, NULL, 16)] = true;
            continue;
        }
        const uint8_t *by = tok_token_bytes(t, (int32_t)id, &n);
        if (!(t->vocab.tok[id].flags & TOK__IN_MODEL)) continue;
        bset_add(&b, by, (uint32_t)n);
        if (n > maxl) maxl = (uint32_t)n;
    }
    tok_ctx *ctx = tok_ctx_new(t), *ctx2 = tok_ctx_new(t);
    const tok_pretoken *pt;
    size_t np, checked = 0;
    /* line by line: some tokenizers have no pre-tokenizer */
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) + 1 : len;
        assert_int_equal(tok_pretokenize(ctx, text + p, e - p, 0, &pt, &np), TOK_OK);
        for (size_t i = 0; i < np; i++) {
            if (pt[i].id >= 0) continue;
            const uint8_t *s = (const uint8_t *)pt[i].text;
            uint32_t n = pt[i].len;
            uint32_t *best = malloc((n + 1) * sizeof *best);
            for (uint32_t j = 0; j <= n; j++) best[j] = UINT32_MAX;
            best[0] = 0;
            for (uint32_t a = 0; a < n; a++) {
                if (best[a] == UINT32_MAX) continue;
                size_t cl;
                tok_utf8_decode(s + a, n - a, &cl);
                bool single = false;
                for (uint32_t l = 1; l <= maxl && a + l <= n; l++)
                    if (bset_has(&b, s + a, l)) {
                        if (l == cl) single = true;
                        if (best[a] + 1 < best[a + l]) best[a + l] = best[a] + 1;
                    }
                if (!single) {
                    bool all = has_byte_pieces;
                    for (size_t q = 0; q < cl; q++) all = all && byte_tok[s[a + q]];
                    uint32_t c = best[a] + (all ? (uint32_t)cl : 1);
                    if (c < best[a + cl]) best[a + cl] = c;
                }
            }
            tok_toks g = run(ctx2, TOK_METHOD_LEAST_TOKENS, TOK_TIE_LONGEST, 0, pt[i].text, n);
            if (g.n != best[n])
                fail_msg("%s: \"%.*s\": least-tokens gives %zu, the DP %u", name, (int)n, pt[i].text, g.n, best[n]);
            tok_toks_free(&g);
            free(best);
            checked++;
        }
        p = e;
    }
    assert_true(checked > 100);
    free(b.k);
    free(b.len);
    free(text);
    tok_ctx_free(ctx);
    tok_ctx_free(ctx2);
    tok_free(t);
}

static void test_least_tokens_dp_llama3(void **state) { (void)state; dp_compare("llama3.json", 200000); }
static void test_least_tokens_dp_mistral(void **state) { (void)state; dp_compare("mistral.json", 100000); }

/* A complete index built once can serve contexts read-only (what a field
 * on the tokenizer would hold): same results, and the context does not free it. */
static void test_shared_index(void **state)
{
    (void)state;
    tok_tokenizer *t = wordlevel(small_vocab, NSMALL);
    tok_error err = { 0 };
    void *ix = tok__method_index_new(t, &err);
    assert_non_null(ix);
    tok_ctx *own = tok_ctx_new(t), *shared = tok_ctx_new(t);
    mx_scratch *sc = calloc(1, sizeof *sc);
    sc->ix = ix;
    sc->owns_ix = false;
    shared->method_scratch = sc;
    shared->method_scratch_free = tok_method_scratch_free;
    srand(99);
    char s[16];
    for (int it = 0; it < 300; it++) {
        size_t n = 1 + (size_t)(rand() % 12);
        for (size_t i = 0; i < n; i++) s[i] = "abc"[rand() % 3];
        for (size_t m = 0; m < NMETHODS; m++) {
            tok_toks a = run(own, all_methods[m], TOK_TIE_LONGEST, 0, s, n);
            tok_toks b = run(shared, all_methods[m], TOK_TIE_LONGEST, 0, s, n);
            assert_int_equal(a.n, b.n);
            assert_memory_equal(a.id, b.id, a.n * sizeof *a.id);
            tok_toks_free(&a);
            tok_toks_free(&b);
        }
    }
    tok_ctx_free(shared);
    tok_ctx_free(own);
    tok__method_index_free(ix);
    tok_free(t);
}

/* ---- linear work on adversarial input ------------------------------------ */

static void test_linear_work(void **state)
{
    (void)state;
    /* walks of up to 10 bytes that fail at the last byte, both directions */
    static const char *const v[] = { "a", "aaaaaaaaab", "baaaaaaaaa", "aa" };
    tok_tokenizer *t = wordlevel(v, 4);
    tok_ctx *ctx = tok_ctx_new(t);
    size_t n1 = 4000, n2 = 8000;
    char *s = malloc(n2);
    memset(s, 'a', n2);
    tok_method ms[] = { TOK_METHOD_LONGEST_PREFIX, TOK_METHOD_LONGEST_SUFFIX, TOK_METHOD_LONGEST_TOKEN,
                        TOK_METHOD_LEAST_TOKENS };
    for (size_t m = 0; m < sizeof ms / sizeof ms[0]; m++) {
        uint64_t w0 = tok__method_work(ctx);
        tok_toks o = run(ctx, ms[m], TOK_TIE_LONGEST, 0, s, n1);
        uint64_t w1 = tok__method_work(ctx) - w0;
        tok_toks_free(&o);
        w0 = tok__method_work(ctx);
        o = run(ctx, ms[m], TOK_TIE_LONGEST, 0, s, n2);
        uint64_t w2 = tok__method_work(ctx) - w0;
        assert_int_equal(o.n, n2 / 2); /* aa aa ... */
        tok_toks_free(&o);
        if (w1 == 0 || w2 > 2 * w1 + 64 || w2 < 2 * w1 - 64 || w2 > n2 * 24)
            fail_msg("%s: work %llu for %zu bytes, %llu for %zu", tok_method_name(ms[m]), (unsigned long long)w1, n1,
                     (unsigned long long)w2, n2);
    }
    free(s);
    tok_ctx_free(ctx);
    tok_free(t);
}

/* ---- fallback, suffixes, errors ------------------------------------------ */

static void test_byte_fallback_and_unk(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"byte_fallback\":true,\"fuse_unk\":true,"
        "\"vocab\":{\"<unk>\":0,\"a\":1,\"b\":2,\"ab\":3,\"<0xC3>\":4,\"<0xA9>\":5},\"merges\":[\"a b\"]}}");
    tok_ctx *ctx = tok_ctx_new(t);
    for (size_t m = 0; m < NMETHODS; m++) {
        tok_toks o = run(ctx, all_methods[m], TOK_TIE_LONGEST, 0, "ab\xC3\xA9", 4);
        assert_int_equal(o.n, 3);
        assert_int_equal(o.id[0], 3);
        assert_int_equal(o.id[1], 4);
        assert_int_equal(o.id[2], 5);
        assert_int_equal(o.off[2].start, 3);
        assert_int_equal(o.off[2].end, 4);
        tok_toks_free(&o);
        /* ç = C3 A7 has no <0xA7>: unknown, and two in a row fuse */
        o = run(ctx, all_methods[m], TOK_TIE_LONGEST, 0, "ab\xC3\xA7\xC3\xA7" "a", 7);
        assert_int_equal(o.n, 3);
        assert_int_equal(o.id[1], 0);
        assert_int_equal(o.off[1].start, 2);
        assert_int_equal(o.off[1].end, 6);
        assert_int_equal(o.id[2], 1);
        tok_toks_free(&o);
    }
    /* through the pipeline: likelihood needs scores, merges is native */
    tok_encode_options opt;
    tok_encode_options_init(&opt);
    opt.method = TOK_METHOD_LIKELIHOOD;
    tok_encoding e;
    assert_int_equal(tok_encode(ctx, "ab", 2, &opt, &e), TOK_ERR_ARG);
    assert_non_null(strstr(tok_ctx_error(ctx), "scores"));
    opt.method = TOK_METHOD_MERGES;
    assert_int_equal(tok_encode(ctx, "ab", 2, &opt, &e), TOK_OK);
    assert_int_equal(e.n, 1);
    tok_ctx_free(ctx);
    tok_free(t);

    static const char *const v[] = { "a" };
    t = wordlevel(v, 1);
    ctx = tok_ctx_new(t);
    opt.method = TOK_METHOD_MERGES;
    assert_int_equal(tok_encode_pretoken(ctx, "a", 1, &opt, &e), TOK_ERR_UNSUPPORTED);
    assert_non_null(strstr(tok_ctx_error(ctx), "BPE"));
    tok_ctx_free(ctx);
    tok_free(t);
}

static void test_end_of_word_suffix(void **state)
{
    (void)state;
    tok_tokenizer *t = tu_load_json(
        "{\"model\":{\"type\":\"BPE\",\"end_of_word_suffix\":\"</w>\",\"unk_token\":\"<unk>\","
        "\"vocab\":{\"a\":0,\"b\":1,\"a</w>\":2,\"b</w>\":3,\"ab\":4,\"ab</w>\":5,\"ba\":6,\"<unk>\":7},"
        "\"merges\":[]}}");
    tok_ctx *ctx = tok_ctx_new(t);
    for (size_t m = 0; m < NMETHODS; m++) {
        expect(ctx, all_methods[m], "abab", TU_IDS(4, 5));
        tok_toks o = run(ctx, all_methods[m], TOK_TIE_LONGEST, 0, "babba", 5);
        /* only the last token carries the suffix */
        for (size_t i = 0; i < o.n; i++) {
            size_t l;
            const char *tx = tok_token_text(t, o.id[i], &l);
            bool suf = l > 4 && !memcmp(tx + l - 4, "</w>", 4);
            assert_int_equal(suf, i + 1 == o.n);
        }
        check_tiling(t, &o, "babba", 5);
        tok_toks_free(&o);
    }
    expect(ctx, TOK_METHOD_LEAST_TOKENS, "aba", TU_IDS(4, 2));
    tok_ctx_free(ctx);
    tok_free(t);
}

/* ---- unigram scores ------------------------------------------------------ */

static void test_scores(void **state)
{
    (void)state;
    static const char *const v[] = { "a", "b", "c", "ab", "bc", "abc" };
    tok_tokenizer *t = wordlevel(v, 6);
    char corpus[4096];
    size_t k = 0;
    for (int i = 0; i < 60; i++) k += (size_t)snprintf(corpus + k, sizeof corpus - k, "ab\n");
    for (int i = 0; i < 10; i++) k += (size_t)snprintf(corpus + k, sizeof corpus - k, "bc\nabc\n");
    tok_error err = { 0 };
    tok_scores *S = tok_scores_estimate(t, corpus, k, 5, &err);
    if (!S) fail_msg("estimate: %s", err.message);

    tok_ctx *ctx = tok_ctx_new(t);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.method = TOK_METHOD_LIKELIHOOD;
    o.scores = S;
    tok_encoding e;
    assert_int_equal(tok_encode_pretoken(ctx, "abc", 3, &o, &e), TOK_OK);
    assert_int_equal(e.n, 1); /* the whole word is far likelier than pieces */
    assert_int_equal(e.ids[0], 5);
    assert_int_equal(tok_encode_pretoken(ctx, "abab", 4, &o, &e), TOK_OK);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.ids[0], 3);

    /* sampling: seeded runs repeat; alpha 0 is uniform, so "abc" varies */
    o.method = TOK_METHOD_SAMPLE;
    o.alpha = 0;
    o.seed = 9;
    int32_t ref[8];
    size_t nref;
    assert_int_equal(tok_encode_pretoken(ctx, "abcabc", 6, &o, &e), TOK_OK);
    nref = e.n;
    memcpy(ref, e.ids, e.n * sizeof *ref);
    assert_int_equal(tok_encode_pretoken(ctx, "abcabc", 6, &o, &e), TOK_OK);
    assert_int_equal(e.n, nref);
    assert_memory_equal(e.ids, ref, nref * sizeof *ref);
    int lens[8] = { 0 };
    o.seed = 0;
    for (int i = 0; i < 200; i++) {
        assert_int_equal(tok_encode_pretoken(ctx, "abc", 3, &o, &e), TOK_OK);
        lens[e.n]++;
    }
    assert_true(lens[1] > 0 && lens[2] > 0 && lens[3] > 0);

    /* save / load round trip */
    char path[] = "/tmp/tok-scores-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tok_scores_save(S, path, &err), TOK_OK);
    tok_scores *L = tok_scores_load(t, path, &err);
    if (!L) fail_msg("load: %s", err.message);
    for (int32_t id = 0; id < 7; id++) {
        float a = S->logp[id], b = L->logp[id];
        assert_true((isinf(a) && isinf(b)) || a == b);
    }
    /* another vocabulary refuses them */
    static const char *const w[] = { "a", "b", "c", "ab", "bc", "abd" };
    tok_tokenizer *t2 = wordlevel(w, 6);
    tok_scores *X = tok_scores_load(t2, path, &err);
    assert_null(X);
    assert_int_equal(err.code, TOK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "another vocabulary"));
    tok_ctx *ctx2 = tok_ctx_new(t2);
    o.method = TOK_METHOD_LIKELIHOOD;
    assert_int_equal(tok_encode_pretoken(ctx2, "abc", 3, &o, &e), TOK_ERR_ARG);
    /* a broken file names its line */
    FILE *f = fopen(path, "w");
    fprintf(f, "libtok-unigram-scores 1\nvocab_size 7\nfingerprint %016llx\n0\tnope\n",
            (unsigned long long)S->fingerprint);
    fclose(f);
    X = tok_scores_load(t, path, &err);
    assert_null(X);
    assert_non_null(strstr(err.message, ":4:"));
    unlink(path);
    tok_scores_free(L);
    tok_scores_free(S);
    tok_ctx_free(ctx);
    tok_ctx_free(ctx2);
    tok_free(t);
    tok_free(t2);
}

/* likelihood with a Unigram model's own scores == the model's Viterbi (HF
 * tie rule: the longest last token among equal scores). */
static void test_likelihood_equals_unigram(void **state)
{
    (void)state;
    static const char *const names[] = { "albert.model", "smart.model" };
    int done = 0;
    for (size_t k = 0; k < 2; k++) {
        char dir[1024], path[2048];
        cache_dir(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/tokenizers/%s", dir, names[k]);
        if (access(path, R_OK)) continue;
        tok_load_options lo;
        tok_load_options_init(&lo);
        lo.unigram_ties = TOK_TIES_HF;
        tok_error err = { 0 };
        tok_tokenizer *t = tok_load(path, &lo, &err);
        if (!t) fail_msg("%s: %s", path, err.message);
        size_t len;
        snprintf(path, sizeof path, "%s/texts/english.txt", dir);
        char *text = read_file(path, &len);
        if (!text) {
            tok_free(t);
            continue;
        }
        if (len > 400000) len = 400000;
        while (len && ((unsigned char)text[len] & 0xC0) == 0x80) len--;
        tok_ctx *ctx = tok_ctx_new(t), *ctx2 = tok_ctx_new(t);
        tok_encode_options o;
        tok_encode_options_init(&o);
        o.method = TOK_METHOD_LIKELIHOOD;
        size_t checked = 0;
        for (size_t p = 0; p < len;) {
            const char *nl = memchr(text + p, '\n', len - p);
            size_t e = nl ? (size_t)(nl - text) + 1 : len;
            const tok_pretoken *pt;
            size_t np;
            assert_int_equal(tok_pretokenize(ctx, text + p, e - p, 0, &pt, &np), TOK_OK);
            for (size_t i = 0; i < np; i++) {
                if (pt[i].id >= 0) continue;
                tok_encoding en;
                assert_int_equal(tok_encode_pretoken(ctx2, pt[i].text, pt[i].len, &o, &en), TOK_OK); /* native */
                tok_toks g = run(ctx2, TOK_METHOD_LIKELIHOOD, TOK_TIE_LONGEST, 0, pt[i].text, pt[i].len);
                if (g.n != en.n) fail_msg("%s \"%.*s\": generic %zu tokens, Unigram %zu", names[k], (int)pt[i].len, pt[i].text, g.n, en.n);
                for (size_t q = 0; q < g.n; q++) assert_int_equal(g.id[q], en.ids[q]);
                tok_toks_free(&g);
                checked++;
            }
            p = e;
        }
        assert_true(checked > 100);
        free(text);
        tok_ctx_free(ctx);
        tok_ctx_free(ctx2);
        tok_free(t);
        done++;
    }
    if (!done) skip();
}

/* Real vocabularies: every method gives valid ids that tile the text and
 * decode back to it. */
static void test_real_roundtrip(void **state)
{
    (void)state;
    static const char *const names[] = { "llama3.json", "mistral.json", "bert-base-uncased.json", "gemma3.json" };
    int done = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char *text;
        size_t len;
        tok_tokenizer *t = real(names[k], &text, &len, 20000);
        if (!t) continue;
        tok_ctx *ctx = tok_ctx_new(t);
        tok_encode_options o;
        tok_encode_options_init(&o);
        o.flags = TOK_ENC_OFFSETS;
        tok_encoding ref;
        assert_int_equal(tok_encode(ctx, text, len, &o, &ref), TOK_OK);
        size_t nref = ref.n;
        for (size_t m = 0; m < NMETHODS; m++) {
            o.method = all_methods[m];
            tok_encoding e;
            if (tok_encode(ctx, text, len, &o, &e)) fail_msg("%s %s: %s", names[k], tok_method_name(o.method), tok_ctx_error(ctx));
            assert_true(e.n > nref / 2 && e.n < nref * 2);
            for (size_t i = 0; i < e.n; i++) {
                assert_true(e.ids[i] >= 0 && (size_t)e.ids[i] < tok_vocab_size(t));
                assert_true(e.offsets[i].start <= e.offsets[i].end && e.offsets[i].end <= len);
                if (i) assert_true(e.offsets[i].start >= e.offsets[i - 1].start);
            }
            int32_t *ids = malloc(e.n * sizeof *ids);
            memcpy(ids, e.ids, e.n * sizeof *ids);
            size_t n = e.n;
            if (strcmp(names[k], "bert-base-uncased.json")) { /* BERT lowercases and drops spaces */
                const char *d;
                size_t dl;
                assert_int_equal(tok_decode(ctx, ids, n, 0, &d, &dl), TOK_OK);
                if (dl != len || memcmp(d, text, len)) fail_msg("%s %s: decode differs", names[k], tok_method_name(o.method));
            }
            free(ids);
        }
        tok_ctx_free(ctx);
        tok_free(t);
        free(text);
        done++;
    }
    if (!done) skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_least_tokens_exhaustive),
        cmocka_unit_test(test_greedy_cases),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_wordpiece_equal),
        cmocka_unit_test(test_wordpiece_equal_bert),
        cmocka_unit_test(test_least_tokens_dp_llama3),
        cmocka_unit_test(test_least_tokens_dp_mistral),
        cmocka_unit_test(test_shared_index),
        cmocka_unit_test(test_linear_work),
        cmocka_unit_test(test_byte_fallback_and_unk),
        cmocka_unit_test(test_end_of_word_suffix),
        cmocka_unit_test(test_scores),
        cmocka_unit_test(test_likelihood_equals_unigram),
        cmocka_unit_test(test_real_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
