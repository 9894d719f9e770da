/* .tokpack format 3 (tokenizer/pack.c): a byte-level BPE written with its
 * stored tables and vocabulary gives the same ids and offsets mapped, copied
 * from memory and compressed; every lie in a section is refused naming the
 * byte; a file of another table layout is rebuilt; old formats are named. */
#include "testutil.h"

#include "libtok/internal.h"
#include "libtok/models/bpe_backtrack.h"
#include "bytevocab.h"

#include <unistd.h>

/* 256 bytes and merges that make "Ġthe", "Ġin", "er", "Ġthere"... */
static const char *const merges[][3] = {
    { "Ġ", "t", "Ġt" }, { "h", "e", "he" }, { "Ġt", "he", "Ġthe" }, { "i", "n", "in" },
    { "Ġ", "in", "Ġin" }, { "e", "r", "er" }, { "Ġthe", "r", "Ġther" }, { "Ġther", "e", "Ġthere" },
    { "t", "h", "th" }, { "th", "e", "the" },
};
#define NMERGES (sizeof merges / sizeof merges[0])

static tok_tokenizer *source(void)
{
    tok_sbuf b = { 0 };
    tok_sbuf_printf(&b, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
    tu_put_byte_vocab(&b);
    for (size_t i = 0; i < NMERGES; i++) tok_sbuf_printf(&b, ",\"%s\":%zu", merges[i][2], 256 + i);
    tok_sbuf_printf(&b, "},\"merges\":[");
    for (size_t i = 0; i < NMERGES; i++) tok_sbuf_printf(&b, "%s\"%s %s\"", i ? "," : "", merges[i][0], merges[i][1]);
    tok_sbuf_printf(&b, "]},\"added_tokens\":[{\"id\":266,\"content\":\"<|end|>\",\"special\":true}],"
                        "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true},"
                        "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}}");
    tok_sbuf_cstr(&b);
    tok_tokenizer *t = tu_load_json(b.v);
    tok_vec_free(&b);
    return t;
}

static const char text[] = "the thin there in the inner <|end|> Ǆ 中文 er";

static void encode(tok_tokenizer *t, tok_sbuf *out)
{
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e = { 0 };
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags |= TOK_ENC_OFFSETS;
    assert_int_equal(tok_encode(c, text, strlen(text), &o, &e), TOK_OK);
    out->n = 0;
    for (size_t i = 0; i < e.n; i++) tok_sbuf_printf(out, "%d@%u-%u ", e.ids[i], e.offsets[i].start, e.offsets[i].end);
    tok_sbuf_cstr(out);
    tok_ctx_free(c);
}

typedef struct image { uint8_t *b; size_t n; } image;

static char path[64];

/* t written as format 3 (zstd level z), its bytes */
static image save(tok_tokenizer *t, int z)
{
    tok_error err = { 0 };
    snprintf(path, sizeof path, "/tmp/test_tokpack3_%d.tokpack", (int)getpid());
    assert_int_equal(tok_save_tokpack(t, path, z, &err), TOK_OK);
    image im;
    im.b = (uint8_t *)tu_read_file(path, &im.n);
    assert_non_null(im.b);
    return im;
}

/* a section's table entry: where its offset and length sit, and them */
typedef struct where { size_t entry; uint64_t off, len; uint32_t count; } where;

static where section(const image *im, const char *tag)
{
    uint32_t ns;
    memcpy(&ns, im->b + 12, 4);
    for (uint32_t i = 0; i < ns; i++) {
        size_t e = 32 + (size_t)i * 24;
        if (memcmp(im->b + e, tag, 4)) continue;
        where w = { e, 0, 0, 0 };
        memcpy(&w.count, im->b + e + 4, 4);
        memcpy(&w.off, im->b + e + 8, 8);
        memcpy(&w.len, im->b + e + 16, 8);
        return w;
    }
    fail_msg("no section %s", tag);
    return (where){ 0 };
}

/* Loading a changed copy fails with a message containing want. */
static void refused(const image *im, const char *want)
{
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load_memory(im->b, im->n, "bad.tokpack", NULL, &err);
    if (t) fail_msg("loaded; wanted \"%s\"", want);
    if (!strstr(err.message, want)) fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
}

static image copy(const image *im)
{
    image c = { malloc(im->n), im->n };
    memcpy(c.b, im->b, im->n);
    return c;
}

/* A copy whose section s claims length len is refused with want. */
static void length_refused(const image *im, where s, uint64_t len, const char *want)
{
    image c = copy(im);
    memcpy(c.b + s.entry + 16, &len, 8);
    refused(&c, want);
    free(c.b);
}

/* The source's ids and offsets in *want, and its image (uncompressed). */
static image source_image(tok_sbuf *want)
{
    tok_tokenizer *src = source();
    encode(src, want);
    image im = save(src, 0);
    unlink(path);
    tok_free(src);
    return im;
}

/* A changed image still loads, giving the ids and offsets in want. */
static void loads_same(const image *im, const char *name, const tok_sbuf *want)
{
    tok_error err = { 0 };
    tok_sbuf got = { 0 };
    tok_tokenizer *t = tok_load_memory(im->b, im->n, name, NULL, &err);
    if (!t) fail_msg("%s: %s", name, err.message);
    encode(t, &got);
    assert_string_equal(got.v, want->v);
    tok_free(t);
    tok_vec_free(&got);
}

static void same_ids_every_way(void **state)
{
    tok_tokenizer *src = source();
    tok_sbuf want = { 0 }, got = { 0 };
    encode(src, &want);
    image im = save(src, 0);
    assert_memory_equal(im.b, TOK__PACK_MAGIC, 8);
    where bt = section(&im, "BTTI"), vt = section(&im, "VTOK");
    assert_int_equal(bt.count, 267);
    assert_int_equal(vt.count, 267);
    tok_error err = { 0 };
    tok_tokenizer *m = tok_load(path, NULL, &err); /* mapped */
    assert_non_null(m);
    encode(m, &got);
    assert_string_equal(got.v, want.v);
    assert_int_equal(tok_token_id(m, "Ġthere", strlen("Ġthere")), 263);
    assert_int_equal(tok_token_id(m, "<|end|>", 7), 266);
    tok_free(m);
    m = tok_load_memory(im.b, im.n, "copy.tokpack", NULL, &err); /* copied */
    assert_non_null(m);
    encode(m, &got);
    assert_string_equal(got.v, want.v);
    tok_free(m);
    free(im.b);
    im = save(src, 3); /* compressed */
    assert_memory_equal(im.b, "\x28\xB5\x2F\xFD", 4);
    m = tok_load(path, NULL, &err);
    assert_non_null(m);
    encode(m, &got);
    assert_string_equal(got.v, want.v);
    tok_free(m);
    free(im.b);
    unlink(path);
    tok_vec_free(&want);
    tok_vec_free(&got);
    tok_free(src);
}

static void lies_are_refused(void **state)
{
    tok_tokenizer *src = source();
    image im = save(src, 0);
    unlink(path);
    tok_free(src);
    char msg[128];
    image c;

    c = copy(&im);
    c.n -= 64; /* truncated */
    refused(&c, "byte 16: the header says");
    free(c.b);

    where s = section(&im, "TRCL");
    snprintf(msg, sizeof msg, "byte %zu: section TRCL", s.entry);
    length_refused(&im, s, (uint64_t)1 << 40, msg); /* a length past the end */

    c = copy(&im);
    uint64_t odd = s.off + 4;
    memcpy(c.b + s.entry + 8, &odd, 8); /* not aligned */
    refused(&c, "not aligned");
    free(c.b);

    /* a token whose merge names an id past the vocabulary */
    s = section(&im, "BTTI");
    c = copy(&im);
    size_t at = s.off + 263 * sizeof(tok_bpe_tinfo);
    int32_t bad = 1 << 20;
    memcpy(c.b + at + 4, &bad, 4);
    snprintf(msg, sizeof msg, "byte %zu: token 263: parts out of range", at);
    refused(&c, msg);
    free(c.b);

    /* a token whose part ranks above it: unwinding would not end */
    c = copy(&im);
    int32_t self = 263;
    memcpy(c.b + at + 4, &self, 4);
    refused(&c, "token 263: a part has a rank not below the token's");
    free(c.b);

    /* a trie cell whose children would lie past the cells */
    s = section(&im, "TRCL");
    c = copy(&im);
    int32_t base = (int32_t)s.count;
    memcpy(c.b + s.off + 12, &base, 4);
    snprintf(msg, sizeof msg, "byte %llu: trie cell 1: base", (unsigned long long)s.off + 12);
    refused(&c, msg);
    free(c.b);

    /* a pair table without a free slot: a look-up would never end */
    s = section(&im, "BTPR");
    c = copy(&im);
    for (size_t i = 0; i < s.len; i += 16)
        if (!memcmp(c.b + s.off + i, "\xff\xff\xff\xff\xff\xff\xff\xff", 8)) {
            uint64_t key = i; /* a pair that merges into token 0 */
            memcpy(c.b + s.off + i, &key, 8);
            memset(c.b + s.off + i + 8, 0, 8);
        }
    refused(&c, "the pair table has no free slot");
    free(c.b);

    /* a token whose text lies outside the strings */
    s = section(&im, "VTOK");
    c = copy(&im);
    uint32_t far = 1u << 30;
    memcpy(c.b + s.off + 100 * 24, &far, 4);
    snprintf(msg, sizeof msg, "byte %llu: token 100", (unsigned long long)s.off + 100 * 24);
    refused(&c, msg);
    free(c.b);

    /* a hash map section that is not a power of 2 of slots */
    s = section(&im, "VHTX");
    length_refused(&im, s, s.len - 8, "VHTX section of");

    /* the first formats are named */
    c = copy(&im);
    c.b[7] = '1';
    refused(&c, "a .tokpack of format 1");
    free(c.b);
    free(im.b);
}

/* Tables of another layout are not used: the model rebuilds them; an index
 * slot naming an id past the vocabulary is skipped; ids stay right. */
static void other_layout_rebuilt(void **state)
{
    tok_sbuf want = { 0 };
    image im = source_image(&want);
    where s = section(&im, "BTMT");
    uint32_t layout = 999;
    memcpy(im.b + s.off, &layout, 4);
    s = section(&im, "VHTX");
    for (size_t i = 0; i < s.len; i += 8) {
        uint64_t slot;
        memcpy(&slot, im.b + s.off + i, 8);
        if (slot) {
            slot |= 0xFFFFFFF0u; /* an id far past the vocabulary: skipped */
            memcpy(im.b + s.off + i, &slot, 8);
            break;
        }
    }
    loads_same(&im, "layout.tokpack", &want);
    free(im.b);
    tok_vec_free(&want);
}

/* The trie cells' depths (TRDP) and the region of token texts (VSTR's
 * count) let the open check read in order; lies in them are refused, and a
 * file without them (written before them) is checked the slower way. */
static void depths_and_texts(void **state)
{
    tok_sbuf want = { 0 };
    image im = source_image(&want);
    image c;

    /* a node one level too deep */
    where s = section(&im, "TRDP"), cl = section(&im, "TRCL");
    assert_int_equal(s.len, cl.count);
    c = copy(&im);
    size_t node = 1;
    while (c.b[s.off + node] != 1) node++; /* a child of the root */
    c.b[s.off + node] = 2;
    refused(&c, "not one below it");
    free(c.b);

    /* depths of the wrong size */
    length_refused(&im, s, s.len - 1, "section TRDP of");

    /* without depths: the breadth-first list is checked, ids stay right */
    c = copy(&im);
    memcpy(c.b + s.entry, "XTRD", 4);
    loads_same(&c, "nodepth.tokpack", &want);
    where bf = section(&c, "TRBF");
    uint32_t root = 0;
    memcpy(c.b + bf.off + 4, &root, 4); /* the root listed twice */
    refused(&c, "node 1: cell 0 is not a new node");
    free(c.b);

    /* the texts' region: one bad byte in it, a text starting inside a
     * character, and a file without the region (each text checked alone) */
    where st = section(&im, "VSTR"), vt = section(&im, "VTOK");
    assert_true(st.count > 0 && st.count < st.len);
    uint32_t toff;
    memcpy(&toff, im.b + vt.off + 263 * 24, 4); /* "Ġthere" */
    assert_memory_equal(im.b + st.off + toff, "Ġthere", strlen("Ġthere"));
    c = copy(&im);
    c.b[st.off + toff] = 0xFF;
    refused(&c, "VSTR: the texts are not UTF-8");
    free(c.b);
    c = copy(&im);
    uint32_t inside[2] = { toff + 1, (uint32_t)strlen("Ġthere") - 1 };
    memcpy(c.b + vt.off + 263 * 24, inside, 8);
    char msg[128];
    snprintf(msg, sizeof msg, "token 263: its text is not UTF-8");
    refused(&c, msg);
    uint32_t zero = 0;
    memcpy(c.b + st.entry + 4, &zero, 4); /* no region: the same lie is found alone */
    refused(&c, msg);
    free(c.b);
    c = copy(&im);
    memcpy(c.b + st.entry + 4, &zero, 4);
    loads_same(&c, "noregion.tokpack", &want);
    free(c.b);
    free(im.b);
    tok_vec_free(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_ids_every_way),
        cmocka_unit_test(lies_are_refused),
        cmocka_unit_test(other_layout_rebuilt),
        cmocka_unit_test(depths_and_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
