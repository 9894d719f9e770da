/* Hostile and inconsistent tokenizer files, generated here: each must fail
 * cleanly (or load) with memory and time bounded by the file's real content.
 *
 * Every case runs in a child process.  In the plain build the child gets an
 * address-space limit (RLIMIT_AS) so that an allocation sized by a claim in
 * the file fails the case instead of passing as "out of memory"; under ASan
 * (which reserves a huge shadow) the peak resident size is checked instead.
 * An alarm is the hang guard (not a timing: the bound is minutes away from
 * the linear cost and seconds away from the quadratic one). */
#include "testutil.h"

#include "libtok/internal.h"
#include "protobuf.h"
#include "bytevocab.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#if defined(__SANITIZE_ADDRESS__)
#  define UNDER_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define UNDER_ASAN 1
#  endif
#endif
#ifndef UNDER_ASAN
#  define UNDER_ASAN 0
#endif

#define MEM_LIMIT ((rlim_t)512 << 20) /* address space of a plain child */
#define RSS_LIMIT_KB (400L << 10)     /* peak resident size under ASan */
#define HANG_GUARD_S 60

typedef struct blob { uint8_t *b; size_t n; } blob;

/* What one case expects from tok_load_memory. */
typedef struct expect {
    tok_format format;
    const char *name;
    const char *tiktoken;   /* encoding name, or NULL */
    tok_status code;        /* TOK_OK: must load */
    const char *needle;     /* in the message when it fails */
    int loads;              /* how many times to load (double free needs 2) */
} expect;

/* In the child: load, compare, exit 0 (as expected) or 1 (message on stderr). */
static int child_load(const blob *d, const expect *x)
{
    for (int round = 0; round < (x->loads ? x->loads : 1); round++) {
        tok_load_options o;
        tok_load_options_init(&o);
        o.format = x->format;
        o.tiktoken_pattern = x->tiktoken;
        tok_error err = { 0 };
        tok_tokenizer *t = tok_load_memory(d->b, d->n, x->name, &o, &err);
        if (x->code == TOK_OK) {
            if (!t) {
                fprintf(stderr, "%s: load failed: %s\n", x->name, err.message);
                return 1;
            }
        } else if (t) {
            fprintf(stderr, "%s: load succeeded, want failure with \"%s\"\n", x->name, x->needle);
            tok_free(t);
            return 1;
        } else if (err.code != x->code || (x->needle && !strstr(err.message, x->needle))) {
            fprintf(stderr, "%s: error %d \"%s\", want %d with \"%s\"\n", x->name, err.code, err.message, x->code,
                    x->needle);
            return 1;
        }
        tok_free(t);
    }
    return 0;
}

/* Run fn in a child under the memory and time bounds; fail the test unless
 * it exits 0 within them. */
static void bounded(int (*fn)(const void *), const void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!UNDER_ASAN) {
            struct rlimit r = { MEM_LIMIT, MEM_LIMIT };
            setrlimit(RLIMIT_AS, &r);
        }
        alarm(HANG_GUARD_S);
        int rc = fn(arg);
        struct rusage u;
        getrusage(RUSAGE_SELF, &u);
        if (rc == 0 && UNDER_ASAN && u.ru_maxrss > RSS_LIMIT_KB) {
            fprintf(stderr, "peak resident size %ld KiB over the %ld KiB bound\n", u.ru_maxrss, RSS_LIMIT_KB);
            rc = 1;
        }
        fflush(NULL);
        _exit(rc);
    }
    int st = 0;
    assert_true(waitpid(pid, &st, 0) == pid);
    if (WIFSIGNALED(st))
        fail_msg("child killed by signal %d (%s)", WTERMSIG(st),
                 WTERMSIG(st) == SIGALRM ? "hang guard" : "crash or memory bound");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("child exited with %d", WEXITSTATUS(st));
}

typedef struct load_case { blob d; expect x; } load_case;

static int run_load_case(const void *p)
{
    const load_case *c = p;
    return child_load(&c->d, &c->x);
}

static void expect_load(blob d, expect x)
{
    load_case c = { d, x };
    bounded(run_load_case, &c);
    free(d.b);
}

static blob text_blob(const tok_sbuf *s)
{
    blob d = { malloc(s->n + 1), s->n };
    assert_non_null(d.b);
    memcpy(d.b, s->v, s->n);
    return d;
}

/* ---- .tiktoken ------------------------------------------------------------ */

/* The 256 single bytes as "base64 rank" lines, ranks 0..255. */
static void tiktoken_bytes(tok_sbuf *s)
{
    for (int i = 0; i < 256; i++) {
        uint8_t c = (uint8_t)i;
        char *b64 = tok_base64_encode(&c, 1);
        assert_non_null(b64);
        tok_sbuf_printf(s, "%s %d\n", b64, i);
        free(b64);
    }
}

/* A token that is not base64, loaded twice in one process: the loader freed
 * an uninitialised pointer (ASan: double free on the second load). */
static void tiktoken_not_base64(void **state)
{
    tok_sbuf s = { 0 };
    tiktoken_bytes(&s);
    tok_sbuf_printf(&s, "!!!! 256\n");
    expect_load(text_blob(&s), (expect){ TOK_FORMAT_TIKTOKEN, "bad.tiktoken", "cl100k", TOK_ERR_FORMAT,
                                         "bad.tiktoken:257:1: invalid base64", 2 });
    tok_vec_free(&s);
}

/* One rank 2^26 in a 2.6 KB file took 4 GB and 50 s. */
static void tiktoken_huge_rank(void **state)
{
    tok_sbuf s = { 0 };
    tiktoken_bytes(&s);
    tok_sbuf_printf(&s, "YWI= %d\n", 1 << 26);
    expect_load(text_blob(&s), (expect){ TOK_FORMAT_TIKTOKEN, "big.tiktoken", "cl100k", TOK_ERR_FORMAT,
                                         "67108864", 1 });
    tok_vec_free(&s);
}

/* ---- tokenizer.json ------------------------------------------------------- */

static void json_case(const char *json, tok_status code, const char *needle)
{
    tok_sbuf s = { 0 };
    tok_sbuf_printf(&s, "%s", json);
    expect_load(text_blob(&s), (expect){ TOK_FORMAT_HF_JSON, "big.json", NULL, code, needle, 1 });
    tok_vec_free(&s);
}

/* One id 2^24 in a small file took 1 GB: in each place an id is read. */
static void json_huge_id(void **state)
{
    json_case("{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":16777216},\"unk_token\":\"a\"}}",
              TOK_ERR_FORMAT, "16777216");
    json_case("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":16777216},\"merges\":[]}}",
              TOK_ERR_FORMAT, "16777216");
    json_case("{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0,\"b\":16777216}}}",
              TOK_ERR_FORMAT, "16777216");
    /* an added token's id is numbered as HF numbers it (the next free id, 1
     * here, with a load warning), so a huge one costs nothing */
    json_case("{\"added_tokens\":[{\"id\":16777216,\"content\":\"<x>\",\"special\":true}],"
              "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0},\"unk_token\":\"a\"}}",
              TOK_OK, NULL);
    /* holes real files have: added tokens past the model (o200k: 200018) */
    json_case("{\"added_tokens\":[{\"id\":200018,\"content\":\"<x>\",\"special\":true}],"
              "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0},\"unk_token\":\"a\"}}",
              TOK_OK, NULL);
}

/* ---- .tokpack ------------------------------------------------------------- */

/* 1 GiB of zeros in one zstd frame (about 32 KB), after the right magic or
 * not, with the content size in the frame header or not: the loader
 * decompressed all of it before looking at the magic. */
static blob zstd_bomb(bool pledge, bool magic)
{
    ZSTD_CCtx *z = ZSTD_createCCtx();
    assert_non_null(z);
    ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 1);
    size_t total = (size_t)1 << 30, chunk = 1 << 20;
    if (pledge) ZSTD_CCtx_setPledgedSrcSize(z, total);
    uint8_t *zeros = calloc(1, chunk);
    tok_sbuf out = { 0 };
    uint8_t obuf[1 << 16];
    assert_non_null(zeros);
    if (magic) memcpy(zeros, "TOKPACK2\x00\x00\x00\x40", 12); /* JSON of 1 GiB */
    for (size_t done = 0; done < total; done += chunk) {
        ZSTD_inBuffer in = { zeros, chunk, 0 };
        ZSTD_EndDirective end = done + chunk == total ? ZSTD_e_end : ZSTD_e_continue;
        size_t left;
        do {
            ZSTD_outBuffer o = { obuf, sizeof obuf, 0 };
            left = ZSTD_compressStream2(z, &o, &in, end);
            assert_false(ZSTD_isError(left));
            tok_sbuf_put(&out, obuf, o.pos);
        } while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
        if (magic) memset(zeros, 0, 12);
    }
    ZSTD_freeCCtx(z);
    free(zeros);
    blob d = text_blob(&out);
    tok_vec_free(&out);
    return d;
}

static void tokpack_bomb(void **state)
{
    expect_load(zstd_bomb(true, false), (expect){ TOK_FORMAT_TOKPACK, "bomb.tokpack", NULL, TOK_ERR_FORMAT,
                                                  "bomb.tokpack: byte 4: the zstd frame claims 1073741824 bytes", 1 });
    expect_load(zstd_bomb(false, false), (expect){ TOK_FORMAT_TOKPACK, "bomb.tokpack", NULL, TOK_ERR_FORMAT,
                                                   "bomb.tokpack: byte 0: not a libtok compact file", 1 });
    expect_load(zstd_bomb(false, true), (expect){ TOK_FORMAT_TOKPACK, "bomb.tokpack", NULL, TOK_ERR_FORMAT,
                                                  "bomb.tokpack: decompresses to more than", 1 });
}

/* 17 bytes: a frame header claiming 4 GiB - 1 of content, one 5-byte block.
 * The loader malloc'ed the claimed size. */
static void tokpack_claims_4g(void **state)
{
    static const uint8_t f[17] = { 0x28, 0xB5, 0x2F, 0xFD, 0xA0, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0x29, 0x00, 0x00, 'T', 'O', 'K', 'P', 'A' };
    blob d = { malloc(sizeof f), sizeof f };
    memcpy(d.b, f, sizeof f);
    expect_load(d, (expect){ TOK_FORMAT_TOKPACK, "claim.tokpack", NULL, TOK_ERR_FORMAT, "claim.tokpack", 1 });
}

/* A frame with the right magic whose JSON length claims 4 GiB. */
static void tokpack_lying_lengths(void **state)
{
    uint8_t raw[12 + 2] = { 'T', 'O', 'K', 'P', 'A', 'C', 'K', '2', 0xF0, 0xFF, 0xFF, 0xFF, '{', '}' };
    size_t cap = ZSTD_compressBound(sizeof raw);
    blob d = { malloc(cap), 0 };
    d.n = ZSTD_compress(d.b, cap, raw, sizeof raw, 1);
    assert_false(ZSTD_isError(d.n));
    expect_load(d, (expect){ TOK_FORMAT_TOKPACK, "lie.tokpack", NULL, TOK_ERR_FORMAT, "lie.tokpack: byte 8", 1 });
}

/* ---- SentencePiece -------------------------------------------------------- */

static blob spm_model(int model_type, const char *const *pieces, const size_t *lens, const int *types, size_t n)
{
    pbuf m = { 0 };
    for (size_t i = 0; i < n; i++) {
        pbuf q = { 0 };
        ld(&q, 1, pieces[i], lens[i]);
        float score = -(float)i;
        key(&q, 2, 5);
        put(&q, &score, 4);
        if (types[i] != 1) vfield(&q, 3, (uint64_t)types[i]);
        ld(&m, 1, q.b, q.n);
        free(q.b);
    }
    pbuf t = { 0 };
    vfield(&t, 3, (uint64_t)model_type);
    ld(&m, 2, t.b, t.n);
    free(t.b);
    return (blob){ m.b, m.n };
}

static blob spm_run(size_t n)
{
    char *run = malloc(n);
    const char **rp = malloc((n + 1) * sizeof *rp);
    size_t *rl = malloc((n + 1) * sizeof *rl);
    int *rt = malloc((n + 1) * sizeof *rt);
    assert_true(run && rp && rl && rt);
    memset(run, 'a', n);
    rp[0] = "<unk>", rl[0] = 5, rt[0] = 2;
    for (size_t i = 1; i <= n; i++) rp[i] = run, rl[i] = i, rt[i] = 1;
    blob d = spm_model(2, rp, rl, rt, n + 1);
    free(run), free(rp), free(rl), free(rt);
    return d;
}

/* A BPE model with one 1 MB piece: deriving the merges hashed every split of
 * it (quadratic; 400 KB took 12 s).  Also a run of pieces that are each
 * other's prefixes, which makes every split of the long ones a candidate. */
static void spm_long_piece(void **state)
{
    size_t big = (size_t)1 << 20;
    char *s = malloc(big);
    assert_non_null(s);
    for (size_t i = 0; i < big; i++) s[i] = (char)('a' + i % 7);
    const char *pieces[] = { "<unk>", "a", "b", "ab", s };
    size_t lens[] = { 5, 1, 1, 2, big };
    int types[] = { 2, 1, 1, 1, 1 };
    expect_load(spm_model(2, pieces, lens, types, 5), (expect){ TOK_FORMAT_SPM, "long.model", NULL, TOK_OK, NULL, 1 });
    free(s);

    /* "a", "aa", ... : n pieces give n^2/2 merges and n^3/3 bytes of merge
     * text, as HF's generate_merges would make; past 16 bytes per byte of
     * the file libtok refuses */
    expect_load(spm_run(300), (expect){ TOK_FORMAT_SPM, "run.model", NULL, TOK_OK, NULL, 1 });
    /* no piece splits into two others: no merges at all (qsort of NULL; found by fuzzing) */
    expect_load(spm_run(1), (expect){ TOK_FORMAT_SPM, "one.model", NULL, TOK_OK, NULL, 1 });
    expect_load(spm_run(4000), (expect){ TOK_FORMAT_SPM, "run.model", NULL, TOK_ERR_LIMIT,
                                         "the BPE merges derived from the pieces would take more than", 1 });
}

/* ---- encode on odd but valid files ---------------------------------------- */

static int bpe_no_unk(const void *unused)
{
    /* a pre-token that yields no tokens (BPE without unk, byte not in the
     * vocabulary): NULL + 0 in the pre-token cache (UBSan) */
    static const char json[] = "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]},"
                               "\"pre_tokenizer\":{\"type\":\"Whitespace\"}}";
    tok_error err = { 0 };
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_HF_JSON;
    tok_tokenizer *t = tok_load_memory(json, strlen(json), "nounk.json", &o, &err);
    if (!t) return fprintf(stderr, "%s\n", err.message), 1;
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encoding e;
    int bad = 0;
    static const char *texts[] = { "b", "b b", "a b a", "" };
    static const size_t want[] = { 0, 0, 2, 0 };
    for (int k = 0; k < 2; k++) /* twice: the second time from the cache */
        for (size_t i = 0; i < 4; i++) {
            if (tok_encode(ctx, texts[i], strlen(texts[i]), NULL, &e) || e.n != want[i]) {
                fprintf(stderr, "\"%s\": %zu ids, want %zu\n", texts[i], e.n, want[i]);
                bad = 1;
            }
        }
    tok_ctx_free(ctx);
    tok_free(t);
    return bad;
}

static void bpe_pretoken_without_tokens(void **state) { bounded(bpe_no_unk, NULL); }

/* ---- inconsistent files ----------------------------------------------------- */

/* tiktoken refuses two tokens with one rank; a token given twice is refused
 * too (tiktoken would keep the last, losing a rank); a rank file without all
 * 256 single bytes fails in tiktoken as soon as such a byte is encoded. */
static void tiktoken_inconsistent(void **state)
{
    tok_sbuf s = { 0 };
    tiktoken_bytes(&s);
    tok_sbuf_printf(&s, "YWI= 256\nYWM= 256\n");
    expect_load(text_blob(&s), (expect){ TOK_FORMAT_TIKTOKEN, "dup.tiktoken", "cl100k", TOK_ERR_FORMAT,
                                         "dup.tiktoken:258:6: rank 256 was given already on line 257", 1 });
    s.n = 0;
    tiktoken_bytes(&s);
    tok_sbuf_printf(&s, "YWI= 256\nYWI= 257\n");
    expect_load(text_blob(&s), (expect){ TOK_FORMAT_TIKTOKEN, "dup.tiktoken", "cl100k", TOK_ERR_FORMAT,
                                         "dup.tiktoken:258:1: duplicate token", 1 });
    s.n = 0;
    tok_sbuf_printf(&s, "YQ== 0\nYg== 1\nYWI= 2\n");
    expect_load(text_blob(&s), (expect){ TOK_FORMAT_TIKTOKEN, "few.tiktoken", "cl100k", TOK_ERR_FORMAT,
                                         "few.tiktoken: no rank for the single byte 0x00", 1 });
    s.n = 0;
    tiktoken_bytes(&s);
    tok_sbuf_printf(&s, "YWI= 256\n");
    expect_load(text_blob(&s), (expect){ TOK_FORMAT_TIKTOKEN, "ok.tiktoken", "cl100k", TOK_OK, NULL, 1 });
    tok_vec_free(&s);
}

/* Invalid UTF-8 anywhere in a tokenizer.json is refused with its line and
 * column (HF reads the file into a String first): also inside the BPE
 * vocabulary and merges, which are read from the text directly (the fuzz
 * campaign's one finding: a raw 0x92 in a vocab key loaded, and decoding
 * that token gave invalid UTF-8). */
static void json_invalid_utf8(void **state)
{
    (void)state;
    tu_load_fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\x92\":1,\"ab\":2},\"merges\":[\"a b\"]}}",
                  TOK_ERR_FORMAT, "bad.json:1:41: invalid UTF-8 (byte offset 40)");
    tu_load_fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\n\"merges\":[\"a \xC3" "b\"]}}",
                  TOK_ERR_FORMAT, "bad.json:2:14: invalid UTF-8");
    tu_load_fails("{\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xED\xA0\x80\"},\"content\":\"x\"},"
                  "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0},\"unk_token\":\"a\"}}",
                  TOK_ERR_FORMAT, "invalid UTF-8");
}

/* A normalizer can make a normalized added token's pattern as long as the
 * file allows: Replace of "" inserts its content between every two
 * characters, twice here (2 chars -> 902 -> 270,900 bytes).  The matcher's
 * trie was built one stack frame per byte and overflowed (fuzzing found
 * it); it loads and matches now. */
static void added_long_pattern(void **state)
{
    (void)state;
    tok_sbuf j = { 0 }, x = { 0 };
    for (int i = 0; i < 300; i++) tok_sbuf_put(&x, "x", 1);
    tok_sbuf_printf(&j, "{\"added_tokens\":[{\"id\":1,\"content\":\"ab\",\"normalized\":true,\"special\":false}],"
                        "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":["
                        "{\"type\":\"Replace\",\"pattern\":{\"String\":\"\"},\"content\":\"%.*s\"},"
                        "{\"type\":\"Replace\",\"pattern\":{\"String\":\"\"},\"content\":\"%.*s\"}]},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"x\":0,\"ab\":1},\"unk_token\":\"x\"}}",
                    (int)x.n, x.v, (int)x.n, x.v);
    tok_sbuf_put(&j, "", 1);
    tok_tokenizer *t = tu_load_json(j.v);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(ctx, "ab", 2, NULL, &e), TOK_OK);
    assert_true(e.n >= 1);
    tok_ctx_free(ctx);
    tok_free(t);
    tok_vec_free(&j);
    tok_vec_free(&x);
}

/* Normalizers that multiply the text (a Replace whose regex matches the
 * empty string inserts its content between every two chars; chained, the
 * text grows geometrically: the load_json fuzz campaign ran out of memory on
 * one) stop at 64 times their input plus 1 MiB with TOK_ERR_LIMIT naming
 * the step, at encode and when normalizing added tokens at load. */
static void normalizer_growth_bound(void **state)
{
    (void)state;
    const char *step = "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {0,}\"},\"content\":\"yyyyyyyyyy\"}";
    tok_sbuf j = { 0 };
    tok_sbuf_printf(&j, "{\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[%s,%s,%s,%s,%s,%s]},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"y\":0},\"unk_token\":\"y\"}}",
                    step, step, step, step, step, step);
    tok_sbuf_put(&j, "", 1);
    tok_tokenizer *t = tu_load_json(j.v);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encoding e;
    assert_int_equal(tok_encode(ctx, "hello world", 11, NULL, &e), TOK_ERR_LIMIT);
    assert_non_null(strstr(tok_ctx_error(ctx), "normalizer Sequence step 4 (Replace): output passes"));
    /* the context stays usable, and short text under two steps' growth is fine */
    tok_free(t);
    tok_ctx_free(ctx);
    j.n = 0;
    tok_sbuf_printf(&j, "{\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[%s,%s]},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"y\":0},\"unk_token\":\"y\"}}",
                    step, step);
    tok_sbuf_put(&j, "", 1);
    t = tu_load_json(j.v);
    ctx = tok_ctx_new(t);
    assert_int_equal(tok_encode(ctx, "hello world", 11, NULL, &e), TOK_OK);
    assert_int_equal(e.n, 1);
    tok_ctx_free(ctx);
    tok_free(t);
    /* one step alone: 2,000 bytes of content between the chars of 1,000 */
    tok_sbuf c = { 0 }, text = { 0 };
    for (int i = 0; i < 2000; i++) tok_sbuf_put(&c, "z", 1);
    for (int i = 0; i < 1000; i++) tok_sbuf_put(&text, "a", 1);
    j.n = 0;
    tok_sbuf_printf(&j, "{\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"String\":\"\"},\"content\":\"%.*s\"},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"z\":0},\"unk_token\":\"z\"}}",
                    (int)c.n, c.v);
    tok_sbuf_put(&j, "", 1);
    t = tu_load_json(j.v);
    ctx = tok_ctx_new(t);
    assert_int_equal(tok_encode(ctx, text.v, text.n, NULL, &e), TOK_ERR_LIMIT);
    assert_non_null(strstr(tok_ctx_error(ctx), "normalizer Replace: output passes 64 times its input plus 1 MiB"));
    assert_int_equal(tok_encode(ctx, text.v, 10, NULL, &e), TOK_OK);
    tok_ctx_free(ctx);
    tok_free(t);
    /* at load: an added token normalized through the six steps */
    j.n = 0;
    tok_sbuf_printf(&j, "{\"added_tokens\":[{\"id\":0,\"content\":\"<unk>\",\"normalized\":true,\"special\":false}],"
                        "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[%s,%s,%s,%s,%s,%s]},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"<unk>\":0},\"unk_token\":\"<unk>\"}}",
                    step, step, step, step, step, step);
    tok_sbuf_put(&j, "", 1);
    tu_load_fails(j.v, TOK_ERR_LIMIT, "normalizing added token 0 \"<unk>\": normalizer Sequence step");
    /* the bound is per call and counts every step: a step that grows each
     * piece 1000-fold and one that shrinks it back, over 3,000 pieces
     * between added tokens, would take time without keeping the text */
    j.n = 0;
    c.n = 0;
    for (int i = 0; i < 1000; i++) tok_sbuf_put(&c, "y", 1);
    tok_sbuf_printf(&j, "{\"added_tokens\":[{\"id\":1,\"content\":\"<s>\",\"normalized\":false,\"special\":true}],"
                        "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":["
                        "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {0,}\"},\"content\":\"%.*s\"},"
                        "{\"type\":\"Replace\",\"pattern\":{\"String\":\"y\"},\"content\":\"\"}]},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"<s>\":1},\"unk_token\":\"a\"}}",
                    (int)c.n, c.v);
    tok_sbuf_put(&j, "", 1);
    t = tu_load_json(j.v);
    ctx = tok_ctx_new(t);
    text.n = 0;
    for (int i = 0; i < 3000; i++) tok_sbuf_put(&text, "a<s>", 4);
    assert_int_equal(tok_encode(ctx, text.v, 40, NULL, &e), TOK_OK); /* 10 pieces: fine */
    assert_int_equal(e.n, 20);
    assert_int_equal(tok_encode(ctx, text.v, text.n, NULL, &e), TOK_ERR_LIMIT);
    assert_non_null(strstr(tok_ctx_error(ctx), "normalizer Sequence step"));
    tok_ctx_free(ctx);
    tok_free(t);
    tok_vec_free(&j);
    tok_vec_free(&c);
    tok_vec_free(&text);
}

/* Decoders too: a Sequence of Replace steps matching the empty string
 * multiplies the text (found by the load_json fuzz campaign: 256 MiB from
 * a 2 KB file); the chain stops at 16 times the tokens' text plus 4 KiB,
 * every step's output counted (a stream decodes a window per push).
 * Scratch space (regex matches) does not count: five regex steps over
 * 200,000 one-byte tokens decode. */
static void decoder_growth_bound(void **state)
{
    (void)state;
    const char *step = "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {0,}\"},\"content\":\"yyyyyyyyyy\"}";
    tok_sbuf j = { 0 };
    tok_sbuf_printf(&j, "{\"decoder\":{\"type\":\"Sequence\",\"decoders\":[%s,%s,%s,%s,%s,%s,%s]},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"y\":0,\"abc\":1},\"unk_token\":\"y\"}}",
                    step, step, step, step, step, step, step);
    tok_sbuf_put(&j, "", 1);
    tok_tokenizer *t = tu_load_json(j.v);
    tok_ctx *ctx = tok_ctx_new(t);
    int32_t ids[2] = { 1, 1 };
    const char *out;
    size_t ol;
    assert_int_equal(tok_decode(ctx, ids, 2, 0, &out, &ol), TOK_ERR_LIMIT);
    assert_non_null(strstr(tok_ctx_error(ctx), "decoder Sequence step"));
    assert_non_null(strstr(tok_ctx_error(ctx), "(Replace): output passes 16 times"));
    tok_ctx_free(ctx);
    tok_free(t);
    j.n = 0;
    const char *re = "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"a\"},\"content\":\"a\"}";
    tok_sbuf_printf(&j, "{\"decoder\":{\"type\":\"Sequence\",\"decoders\":[%s,%s,%s,%s,%s]},"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0},\"unk_token\":\"a\"}}",
                    re, re, re, re, re);
    tok_sbuf_put(&j, "", 1);
    t = tu_load_json(j.v);
    ctx = tok_ctx_new(t);
    size_t n = 200000;
    int32_t *many = calloc(n, sizeof *many);
    assert_non_null(many);
    assert_int_equal(tok_decode(ctx, many, n, 0, &out, &ol), TOK_OK);
    assert_int_equal(ol, n); /* with a decoder the tokens are joined as they are */
    free(many);
    tok_ctx_free(ctx);
    tok_free(t);
    tok_vec_free(&j);
}

/* Two model tokens at one id: HF loads them and decodes the id to either,
 * by hash order; libtok refuses (each model, both JSON readers). */
static void json_duplicate_ids(void **state)
{
    tu_load_fails("{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":0,\"c\":1},\"unk_token\":\"c\"}}",
                  TOK_ERR_FORMAT, "at model.vocab.b: tokens \"a\" and \"b\" both have id 0");
    tu_load_fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":0,\"ab\":1},\"merges\":[\"a b\"]}}",
                  TOK_ERR_FORMAT, "tokens \"a\" and \"b\" both have id 0");
    tu_load_fails("{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0,\"a\":1,\"b\":1}}}",
                  TOK_ERR_FORMAT, "both have id 1");
    /* an added token over a model token is not a duplicate */
    tok_tokenizer *t = tu_load_json("{\"added_tokens\":[{\"id\":1,\"content\":\"b\",\"special\":true}],"
                                    "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":1},\"unk_token\":\"a\"}}");
    tok_free(t);
}

/* Post-processor ids beyond the vocabulary: HF emits them and its decode
 * drops them; refused at load, naming the JSON path. */
static void post_processor_ids(void **state)
{
#define VOCAB "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"[CLS]\":1},\"unk_token\":\"a\"}"
    tu_load_fails("{" VOCAB ",\"post_processor\":{\"type\":\"TemplateProcessing\","
                  "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],"
                  "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
                  "\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[1,5],\"tokens\":[\"[CLS]\",\"[CLS]\"]}}}}",
                  TOK_ERR_FORMAT, "at post_processor.special_tokens.[CLS].ids[1]: special token id 5 is not in the vocabulary");
    tu_load_fails("{" VOCAB ",\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",7],\"cls\":[\"[CLS]\",1]}}",
                  TOK_ERR_FORMAT, "at post_processor.sep[1]: special token id 7");
    tu_load_fails("{" VOCAB ",\"post_processor\":{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\"},"
                  "{\"type\":\"RobertaProcessing\",\"sep\":[\"[CLS]\",1],\"cls\":[\"<s>\",9]}]}}",
                  TOK_ERR_FORMAT, "at post_processor.processors[1].cls[1]: special token id 9");
    tok_tokenizer *t = tu_load_json("{" VOCAB ",\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[CLS]\",1],\"cls\":[\"[CLS]\",1]}}");
    tok_free(t);
#undef VOCAB
}

/* ---- format detection --------------------------------------------------------- */

static void detect_fails(const void *d, size_t n, const char *name, tok_status code, const char *needle)
{
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load_memory(d, n, name, NULL, &err);
    if (t) {
        tok_free(t);
        fail_msg("%s loaded as a tokenizer", name);
    }
    if (err.code != code || !strstr(err.message, needle))
        fail_msg("%s: error %d \"%s\", want %d with \"%s\"", name, err.code, err.message, code, needle);
}

/* Files that are not tokenizers loaded as one-line BERT vocabularies. */
static void not_tokenizers(void **state)
{
    static const char readme[] = "# libtok\n\nA tokenizer library in C.\n\n## Build\n\n    make\n";
    detect_fails(readme, sizeof readme - 1, "README", TOK_ERR_FORMAT, "README: text (a README?), not a tokenizer");
    detect_fails(readme, sizeof readme - 1, "notes.txt", TOK_ERR_FORMAT, "not a tokenizer");
    static const uint8_t gguf[] = { 'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    /* a GGUF file goes to its loader by its magic, whatever its name */
    detect_fails(gguf, sizeof gguf, "llama.gguf", TOK_ERR_FORMAT, "llama.gguf: byte 16: truncated key/value count");
    detect_fails(gguf, sizeof gguf, "vocab.txt", TOK_ERR_FORMAT, "vocab.txt: byte 16: truncated key/value count");
    static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13 };
    detect_fails(png, sizeof png, "tokenizer.json", TOK_ERR_FORMAT, "a PNG image, not a tokenizer");
    static const uint8_t jpeg[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F' };
    detect_fails(jpeg, sizeof jpeg, "x", TOK_ERR_FORMAT, "a JPEG image");
    static const uint8_t zip[] = { 'P', 'K', 3, 4, 20, 0, 0, 0 };
    detect_fails(zip, sizeof zip, "model.bin", TOK_ERR_FORMAT, "a zip archive");
    static const uint8_t elf[] = { 0x7F, 'E', 'L', 'F', 2, 1, 1, 0 };
    detect_fails(elf, sizeof elf, "tok", TOK_ERR_FORMAT, "an ELF executable");
    uint8_t rnd[512];
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < sizeof rnd; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        rnd[i] = (uint8_t)(x >> 24);
    }
    detect_fails(rnd, sizeof rnd, "blob", TOK_ERR_FORMAT, "binary data");
    detect_fails("", 0, "empty", TOK_ERR_FORMAT, "an empty file");
    static const char nul[] = "[PAD]\n[UNK]\nab\0c\n";
    detect_fails(nul, sizeof nul - 1, "vocab.txt", TOK_ERR_FORMAT, "a NUL byte at line 3");
    static const char latin1[] = "[PAD]\n[UNK]\ncaf\xE9\n";
    detect_fails(latin1, sizeof latin1 - 1, "vocab.txt", TOK_ERR_FORMAT, "line 3 is not valid UTF-8");
}

/* What is a tokenizer is still told from the content without a name. */
static void tokenizers_by_content(void **state)
{
    static const char vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n##s\n";
    static const char json[] = "\xEF\xBB\xBF {\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0},\"unk_token\":\"a\"}}";
    static const struct { const char *d; size_t n; tok_model_kind kind; } c[] = {
        { vocab, sizeof vocab - 1, TOK_MODEL_WORDPIECE },
        { json + 3, sizeof json - 4, TOK_MODEL_WORDLEVEL },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        tok_error err = { 0 };
        tok_tokenizer *t = tok_load_memory(c[i].d, c[i].n, NULL, NULL, &err);
        if (!t) fail_msg("case %zu: %s", i, err.message);
        assert_int_equal(tok_model_type(t), c[i].kind);
        tok_free(t);
    }
}

/* GPT-2 vocab.json + merges.txt from memory (the fuzz harness loads it so),
 * the same as from files; and its errors name both parts. */
static void gpt2_from_memory(void **state)
{
    tok_sbuf v = { 0 };
    tok_sbuf_printf(&v, "{");
    tu_put_byte_vocab(&v);
    tok_sbuf_printf(&v, ",\"\xC4\xA0t\":256,\"he\":257,\"\xC4\xA0the\":258}");
    static const char merges[] = "#version: 0.2\n\xC4\xA0 t\nh e\n\xC4\xA0t he\n";
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_GPT2;
    o.merges_data = merges;
    o.merges_len = sizeof merges - 1;
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load_memory(v.v, v.n, "vocab.json", &o, &err);
    if (!t) fail_msg("%s", err.message);
    tok_ctx *ctx = tok_ctx_new(t);
    tu_expect_ids(ctx, "a the", 0, TU_IDS('a', 258));
    tok_ctx_free(ctx);
    tok_free(t);
    o.merges_len = 4; /* "#ver": one token, no space */
    t = tok_load_memory(v.v, v.n, "vocab.json", &o, &err);
    assert_null(t);
    assert_non_null(strstr(err.message, "merges.txt:1: expected two tokens"));
    o.merges_data = NULL;
    t = tok_load_memory(v.v, v.n, "vocab.json", &o, &err);
    assert_null(t);
    assert_int_equal(err.code, TOK_ERR_ARG);
    tok_vec_free(&v);
}

/* A BERT GGUF vocabulary shorter than BERT's default special ids (100-102)
 * and without the keys naming them: the defaults indexed past the tokens. */
static void gguf_bert_default_ids(void **state)
{
    tok_sbuf g = { 0 };
    uint32_t u32;
    uint64_t u64;
#define PUT32(x) (u32 = (x), tok_sbuf_put(&g, &u32, 4))
#define PUT64(x) (u64 = (x), tok_sbuf_put(&g, &u64, 8))
#define PUTS(s) (PUT64(strlen(s)), tok_sbuf_put(&g, s, strlen(s)))
    static const char *const toks[] = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "##s" };
    tok_sbuf_put(&g, "GGUF", 4);
    PUT32(3), PUT64(0), PUT64(3);
    PUTS("tokenizer.ggml.model"), PUT32(8), PUTS("bert");
    PUTS("tokenizer.ggml.tokens"), PUT32(9), PUT32(8), PUT64(6);
    for (int i = 0; i < 6; i++) PUTS(toks[i]);
    PUTS("tokenizer.ggml.token_type"), PUT32(9), PUT32(4), PUT64(6);
    for (int i = 0; i < 6; i++) PUT32(i == 4 || i == 5 ? 1 : i == 1 ? 2 : 3);
#undef PUT32
#undef PUT64
#undef PUTS
    expect_load(text_blob(&g), (expect){ TOK_FORMAT_AUTO, "bert.gguf", NULL, TOK_ERR_FORMAT,
                                         "bert.gguf: the BERT vocabulary has no unknown token", 1 });
    /* a u32 token type past int's range (found by fuzzing: UBSan, float to int) */
    memcpy(g.v + g.n - 4, "\xD9\xD9\xD9\xD9", 4);
    expect_load(text_blob(&g), (expect){ TOK_FORMAT_AUTO, "bert.gguf", NULL, TOK_ERR_FORMAT,
                                         "tokenizer.ggml.token_type: token 5 has type 3654932953", 1 });
    tok_vec_free(&g);
}

/* A llama (SentencePiece BPE) GGUF vocabulary with an empty token: the
 * merge derivation walked n - 1 = SIZE_MAX bytes (found by the load_gguf
 * campaign: pointer overflow). */
static void gguf_empty_token(void **state)
{
    tok_sbuf g = { 0 };
    uint32_t u32;
    uint64_t u64;
#define PUT32(x) (u32 = (x), tok_sbuf_put(&g, &u32, 4))
#define PUT64(x) (u64 = (x), tok_sbuf_put(&g, &u64, 8))
#define PUTS(s) (PUT64(strlen(s)), tok_sbuf_put(&g, s, strlen(s)))
    static const char *const toks[] = { "<unk>", "", "a", "b", "ab" };
    tok_sbuf_put(&g, "GGUF", 4);
    PUT32(3), PUT64(0), PUT64(3);
    PUTS("tokenizer.ggml.model"), PUT32(8), PUTS("llama");
    PUTS("tokenizer.ggml.tokens"), PUT32(9), PUT32(8), PUT64(5);
    for (int i = 0; i < 5; i++) PUTS(toks[i]);
    PUTS("tokenizer.ggml.token_type"), PUT32(9), PUT32(4), PUT64(5);
    for (int i = 0; i < 5; i++) PUT32(i == 0 ? 2 : 1);
#undef PUT32
#undef PUT64
#undef PUTS
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load_memory(g.v, g.n, "empty.gguf", NULL, &err);
    tok_free(t); /* loaded or refused: either, cleanly */
    if (!t) assert_non_null(strstr(err.message, "empty.gguf"));
    tok_vec_free(&g);
}

/* A byte-fallback run changes text already streamed: <0x5D> alone is "]",
 * with <0xC1> after it both are U+FFFD.  The stream cut the next chunk
 * inside a character (found by fuzzing: invalid UTF-8 out). */
static void stream_byte_fallback_rewrite(void **state)
{
    tok_tokenizer *t = tu_load_json("{\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"byte_fallback\":true,"
                                    "\"vocab\":{\"<unk>\":0,\"<0x5D>\":1,\"<0xC1>\":2,\"<0xFB>\":3},\"merges\":[]},"
                                    "\"decoder\":{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteFallback\"},"
                                    "{\"type\":\"Fuse\"}]}}");
    tok_stream *s = tok_stream_new(t, 0);
    static const int32_t ids[] = { 1, 2, 3 };
    tok_sbuf all = { 0 };
    const char *c;
    size_t n;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(tok_stream_push(s, ids[i], &c, &n), TOK_OK);
        tok_sbuf_put(&all, c, n);
    }
    assert_int_equal(tok_stream_finish(s, &c, &n), TOK_OK);
    tok_sbuf_put(&all, c, n);
    assert_int_equal(tok_utf8_check((const uint8_t *)all.v, all.n), all.n);
    /* "]" went out before the run turned invalid; the rest is whole U+FFFDs */
    assert_int_equal(all.n, 1 + 2 * 3);
    assert_memory_equal(all.v, "]\xEF\xBF\xBD\xEF\xBF\xBD", all.n);
    tok_vec_free(&all);
    tok_stream_free(s);
    tok_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiktoken_not_base64),
        cmocka_unit_test(tiktoken_huge_rank),
        cmocka_unit_test(json_huge_id),
        cmocka_unit_test(tokpack_bomb),
        cmocka_unit_test(tokpack_claims_4g),
        cmocka_unit_test(tokpack_lying_lengths),
        cmocka_unit_test(spm_long_piece),
        cmocka_unit_test(bpe_pretoken_without_tokens),
        cmocka_unit_test(tiktoken_inconsistent),
        cmocka_unit_test(json_duplicate_ids),
        cmocka_unit_test(json_invalid_utf8),
        cmocka_unit_test(added_long_pattern),
        cmocka_unit_test(normalizer_growth_bound),
        cmocka_unit_test(decoder_growth_bound),
        cmocka_unit_test(post_processor_ids),
        cmocka_unit_test(not_tokenizers),
        cmocka_unit_test(tokenizers_by_content),
        cmocka_unit_test(gpt2_from_memory),
        cmocka_unit_test(gguf_bert_default_ids),
        cmocka_unit_test(stream_byte_fallback_rewrite),
        cmocka_unit_test(gguf_empty_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
