/* BPE fast paths (integer pair tables, backtracking over a trie) against the
 * reference heap, on random byte-level vocabularies and texts: merge lists
 * as BPE training makes them, arbitrary merge lists (where the load-time
 * proof must fall back), and tiktoken-style rank vocabularies. */
#include "testutil.h"
#include "bytevocab.h"

#define MAXTOK 120

typedef struct vgen {
    char tok[MAXTOK][64]; /* multi-byte tokens over the alphabet, ids 256 + i */
    int a[MAXTOK], b[MAXTOK]; /* merge parts: byte value (< 256) or 256 + index */
    int n;
} vgen;

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs % n);
}

static const char *text_of(const vgen *g, int id, char *one)
{
    if (id < 256) {
        one[0] = (char)id;
        one[1] = 0;
        return one;
    }
    return g->tok[id - 256];
}

static int find(const vgen *g, const char *s)
{
    if (!s[1]) return (unsigned char)s[0];
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->tok[i], s)) return 256 + i;
    return -1;
}

/* Add merge a + b; dup: allow a token made twice (different parts). */
static void add(vgen *g, int a, int b, bool dup)
{
    char x[2], y[2], cat[130];
    const char *sa = text_of(g, a, x), *sb = text_of(g, b, y);
    size_t la = strlen(sa), lb = strlen(sb);
    if (la + lb >= 64 || g->n >= MAXTOK) return;
    memcpy(cat, sa, la);
    memcpy(cat + la, sb, lb + 1);
    int e = find(g, cat);
    if (e >= 0 && !dup) return;
    memcpy(g->tok[g->n], cat, strlen(cat) + 1); /* a duplicate text adds a merge only (see load) */
    g->a[g->n] = a;
    g->b[g->n] = b;
    g->n++;
}

/* BPE training on a random corpus: merge the most frequent neighbours. */
static void trained(vgen *g, int alpha, int merges, bool dup)
{
    int corp[1500], n = 1500;
    for (int i = 0; i < n; i++) corp[i] = 'a' + (int)rnd((uint32_t)alpha);
    static int cnt[256 + MAXTOK][256 + MAXTOK];
    for (int m = 0; m < merges && g->n < MAXTOK; m++) {
        memset(cnt, 0, sizeof cnt);
        int ba = -1, bb = -1, bc = 0;
        for (int i = 0; i + 1 < n; i++) {
            int c = ++cnt[corp[i]][corp[i + 1]];
            if (c > bc || (c == bc && rnd(4) == 0)) { bc = c; ba = corp[i]; bb = corp[i + 1]; }
        }
        if (bc < 2) break;
        int before = g->n;
        add(g, ba, bb, dup);
        if (g->n == before) break;
        int id = 256 + g->n - 1, k = 0;
        char x[2];
        int real = find(g, text_of(g, id, x)); /* first token with that text */
        for (int i = 0; i < n; i++) {
            if (i + 1 < n && corp[i] == ba && corp[i + 1] == bb) { corp[k++] = real; i++; }
            else corp[k++] = corp[i];
        }
        n = k;
    }
}

static void arbitrary(vgen *g, int alpha, int merges)
{
    for (int m = 0; m < merges; m++) {
        int na = alpha + g->n;
        int a = (int)rnd((uint32_t)na), b = (int)rnd((uint32_t)na);
        a = a < alpha ? 'a' + a : 256 + a - alpha;
        b = b < alpha ? 'a' + b : 256 + b - alpha;
        add(g, a, b, rnd(4) == 0);
    }
}

static bool ignore_merges; /* load: HF's "ignore_merges" */
/* load: id of the first byte token (0: ids 0..255, the dense table of
 * byte pairs; else the hashed pair table answers those pairs too) */
static int byte_first;

static tok_tokenizer *load(const vgen *g, bool ranked)
{
    tok_sbuf j = { 0 };
    tok_sbuf_printf(&j, "{\"model\":{\"type\":\"BPE\",%s%s\"vocab\":{", ranked ? "\"libtok_ranked\":true," : "",
                    ignore_merges ? "\"ignore_merges\":true," : "");
    tu_put_byte_vocab_at(&j, byte_first);
    int id = 256 + byte_first;
    for (int i = 0; i < g->n; i++) {
        if (find(g, g->tok[i]) != 256 + i) continue; /* duplicate text */
        tok_sbuf_printf(&j, ",\"%s\":%d", g->tok[i], ranked ? id++ : 256 + byte_first + i);
    }
    tok_sbuf_printf(&j, "},\"merges\":[");
    for (int i = 0; i < g->n && !ranked; i++) {
        char x[2], y[2];
        tok_sbuf_printf(&j, "%s[\"%s\",\"%s\"]", i ? "," : "", text_of(g, g->a[i], x), text_of(g, g->b[i], y));
    }
    tok_sbuf_printf(&j, "]},\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                        "\"trim_offsets\":false,\"use_regex\":false},\"added_tokens\":[]}");
    tok_sbuf_putc(&j, 0);
    tok_tokenizer *t = tu_load_json(j.v);
    tok_vec_free(&j);
    return t;
}

/* Encode random texts both ways; returns whether the fast paths were on. */
static bool compare(tok_tokenizer *t, int alpha, int ntexts)
{
    tok_ctx *f = tok_ctx_new(t), *r = tok_ctx_new(t);
    tok__bpe_reference(r, true);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_OFFSETS;
    static char text[2100];
    for (int k = 0; k < ntexts; k++) {
        int n = 1 + (int)rnd(k % 10 == 0 ? 2000 : 60);
        bool run = rnd(8) == 0;
        for (int i = 0; i < n; i++) text[i] = (char)('a' + (run ? 0 : (int)rnd((uint32_t)alpha)));
        tok_encoding ef, er;
        assert_int_equal(tok_encode(f, text, (size_t)n, &o, &ef), TOK_OK);
        size_t nf = ef.n;
        int32_t idf[2100];
        tok_offset of[2100];
        memcpy(idf, ef.ids, nf * sizeof *idf);
        memcpy(of, ef.offsets, nf * sizeof *of);
        assert_int_equal(tok_encode(r, text, (size_t)n, &o, &er), TOK_OK);
        if (nf != er.n || memcmp(idf, er.ids, nf * sizeof *idf) || memcmp(of, er.offsets, nf * sizeof *of))
            fail_msg("fast path differs from the heap on %d bytes \"%.*s...\" (%zu vs %zu tokens)", n, n < 80 ? n : 80, text, nf,
                     er.n);
    }
    bool fast = tok__bpe_fast(f);
    tok_ctx_free(f);
    tok_ctx_free(r);
    return fast;
}

/* Short pre-tokens (the whole-piece tables answer 1..15 bytes): every
 * token's text, without its last byte, and with each letter appended, fast
 * path against the heap. */
static void compare_pieces(tok_tokenizer *t, const vgen *g, int alpha)
{
    tok_ctx *f = tok_ctx_new(t), *r = tok_ctx_new(t);
    tok__bpe_reference(r, true);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = TOK_ENC_OFFSETS;
    for (int i = 0; i < g->n; i++) {
        char x[80];
        size_t len = strlen(g->tok[i]);
        if (len > 17) continue;
        for (int v = -1; v <= alpha; v++) {
            memcpy(x, g->tok[i], len);
            size_t n = len;
            if (v < 0) n--;
            else if (v < alpha) x[n++] = (char)('a' + v);
            tok_encoding ef, er;
            assert_int_equal(tok_encode(f, x, n, &o, &ef), TOK_OK);
            size_t nf = ef.n;
            int32_t idf[80];
            memcpy(idf, ef.ids, nf * sizeof *idf);
            assert_int_equal(tok_encode(r, x, n, &o, &er), TOK_OK);
            if (nf != er.n || memcmp(idf, er.ids, nf * sizeof *idf))
                fail_msg("fast path differs from the heap on \"%.*s\" (%zu vs %zu tokens)", (int)n, x, nf, er.n);
        }
    }
    tok_ctx_free(f);
    tok_ctx_free(r);
}

static void whole_pieces(void **state)
{
    (void)state;
    for (int v = 0; v < 48; v++) {
        vgen g = { .n = 0 };
        int alpha = 2 + v % 3;
        trained(&g, alpha, 40 + (int)rnd(80), v % 4 == 3);
        if (v % 8 >= 6) arbitrary(&g, alpha, 10 + (int)rnd(40));
        ignore_merges = v % 5 == 1;
        tok_tokenizer *t = load(&g, v % 3 == 0);
        ignore_merges = false;
        compare_pieces(t, &g, alpha);
        tok_free(t);
    }
}

static void trained_merge_lists(void **state)
{
    (void)state;
    int fast = 0;
    for (int v = 0; v < 30; v++) {
        vgen g = { .n = 0 };
        int alpha = 2 + v % 3;
        trained(&g, alpha, 20 + (int)rnd(100), false);
        tok_tokenizer *t = load(&g, false);
        fast += compare(t, alpha, 150);
        tok_free(t);
    }
    /* trained merges always rise in rank: the fast paths must apply */
    assert_int_equal(fast, 30);
}

static void trained_rank_vocabularies(void **state)
{
    (void)state;
    int fast = 0;
    for (int v = 0; v < 30; v++) {
        vgen g = { .n = 0 };
        int alpha = 2 + v % 3;
        trained(&g, alpha, 20 + (int)rnd(100), false);
        tok_tokenizer *t = load(&g, true);
        fast += compare(t, alpha, 150);
        tok_free(t);
    }
    assert_true(fast > 0);
}

static void arbitrary_merge_lists(void **state)
{
    (void)state;
    for (int v = 0; v < 60; v++) {
        vgen g = { .n = 0 };
        int alpha = 2 + v % 3;
        if (v % 2) trained(&g, alpha, 10 + (int)rnd(60), true);
        arbitrary(&g, alpha, 10 + (int)rnd(80));
        byte_first = v % 4 == 2 ? 3 : 0;
        tok_tokenizer *t = load(&g, v % 3 == 0);
        byte_first = 0;
        compare(t, alpha, 100);
        tok_free(t);
    }
}

/* Merge lists out of rank order, as conversions from rank files make them
 * (llama3): a merge may come before the merge that makes one of its parts.
 * Where BPE reaches such a merge its token is irregular and pre-tokens
 * holding it take the heap; the fast paths stay on. */
static void merges_below_their_parts(void **state)
{
    (void)state;
    int fast = 0;
    for (int v = 0; v < 60; v++) {
        vgen g = { .n = 0 };
        int alpha = 2 + v % 3;
        trained(&g, alpha, 20 + (int)rnd(80), v % 2 == 0);
        for (int k = 0; k < 1 + (int)rnd(12) && g.n > 2; k++) {
            /* move a merge a few places earlier: its parts may now come after it */
            int i = 1 + (int)rnd((uint32_t)g.n - 1), j = i - 1 - (int)rnd((uint32_t)(i < 20 ? i : 20));
            char tok[64];
            int a = g.a[i], b = g.b[i];
            memcpy(tok, g.tok[i], sizeof tok);
            for (int x = i; x > j; x--) {
                memcpy(g.tok[x], g.tok[x - 1], sizeof tok);
                g.a[x] = g.a[x - 1];
                g.b[x] = g.b[x - 1];
            }
            memcpy(g.tok[j], tok, sizeof tok);
            g.a[j] = a;
            g.b[j] = b;
            /* parts are named by text: renumber references to the moved tokens */
            for (int x = 0; x < g.n; x++) {
                if (g.a[x] >= 256 + j && g.a[x] <= 256 + i) g.a[x] = g.a[x] == 256 + i ? 256 + j : g.a[x] + 1;
                if (g.b[x] >= 256 + j && g.b[x] <= 256 + i) g.b[x] = g.b[x] == 256 + i ? 256 + j : g.b[x] + 1;
            }
        }
        tok_tokenizer *t = load(&g, false);
        fast += compare(t, alpha, 150);
        tok_free(t);
    }
    assert_true(fast >= 30);
}

/* Dropout reaches merges plain BPE never does (the fast tables leave them
 * out): "abc" with a+b, b+c, a+bc becomes one token only when a+b is
 * dropped.  The heap that dropout runs must know every merge. */
static void dropout_reaches_unreachable_merges(void **state)
{
    (void)state;
    vgen g = { .n = 0 };
    add(&g, 'a', 'b', false);
    add(&g, 'b', 'c', false);
    add(&g, 'a', 256 + 1, false);
    assert_int_equal(g.n, 3);
    tok_tokenizer *t = load(&g, false);
    assert_true(compare(t, 3, 50)); /* fast paths on, equal to the heap */
    tok_ctx *c = tok_ctx_new(t);
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.dropout = 0.5f;
    int whole = 0, plain = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        o.seed = seed;
        tok_encoding e;
        assert_int_equal(tok_encode(c, "abc", 3, &o, &e), TOK_OK);
        whole += e.n == 1 && e.ids[0] == 256 + 2;
        plain += e.n == 2 && e.ids[0] == 256 && e.ids[1] == 'c';
    }
    assert_true(whole > 0);
    assert_true(plain > 0);
    tok_ctx_free(c);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trained_merge_lists),
        cmocka_unit_test(trained_rank_vocabularies),
        cmocka_unit_test(arbitrary_merge_lists),
        cmocka_unit_test(merges_below_their_parts),
        cmocka_unit_test(dropout_reaches_unreachable_merges),
        cmocka_unit_test(whole_pieces),
    };
    return cmocka_run_group_tests_name("bpe_fast", tests, NULL, NULL);
}
