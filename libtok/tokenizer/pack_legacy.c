/*
 * The first .tokpack format (libtok up to format 3, pack.c), still read: one
 * zstd frame holding
 *
 *   "TOKPACK2"  u32 json_len  json            the tokenizer.json tree, with a
 *                                             BPE model's vocab and merges empty
 *   u32 nvocab  { u32 id, u32 len, bytes }    the BPE vocabulary as records
 *   u32 nmerges { u32 a, u32 b, u32 merged }  merges as ids, rank order
 *
 * (little-endian).  Also the zstd decompression that format 3 files take
 * when written compressed.
 */
#include "../core/json.h"

#include <stdio.h>
#include <zstd.h>

#define MAGIC "TOKPACK2"

static uint32_t rd32(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* Decompression is bounded by what the file holds: a compact file
 * decompresses to about 3 times its size, so more than RATIO times (plus
 * some slack) is refused, whatever the frame header claims; the output
 * grows as data really comes, and the magic is checked on the first bytes. */
#define RATIO 32
#define SLACK ((size_t)1 << 20)

tok_status tok__pack_inflate(const uint8_t *data, size_t len, const char *file, tok_sbuf *out, tok_error *err)
{
    unsigned long long claim = ZSTD_getFrameContentSize(data, len);
    if (len < 4 || claim == ZSTD_CONTENTSIZE_ERROR)
        return tok__fail(err, TOK_ERR_FORMAT, "%s: byte 0: not a libtok compact file (no zstd frame)", file);
    size_t cap = len > (SIZE_MAX - SLACK) / RATIO ? SIZE_MAX : len * RATIO + SLACK;
    if (cap > UINT32_MAX) cap = UINT32_MAX; /* the sections' lengths are 32-bit */
    if (claim != ZSTD_CONTENTSIZE_UNKNOWN && claim > cap)
        return tok__fail(err, TOK_ERR_FORMAT, "%s: byte 4: the zstd frame claims %llu bytes, more than a %zu-byte "
                         "libtok compact file can hold", file, claim, len);
    ZSTD_DCtx *z = ZSTD_createDCtx();
    if (!z) return tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
    ZSTD_inBuffer in = { data, len, 0 };
    tok_status st = TOK_OK;
    /* the header first (magic and JSON length), or all the frame claims at
     * once (bounded above by cap): doubling copied the whole output each
     * time into fresh pages */
    size_t ret = 1, want = claim != ZSTD_CONTENTSIZE_UNKNOWN && claim >= 12 ? (size_t)claim + 1 : 12;
    bool head = true;
    out->n = 0;
    while (ret != 0) {
        if (out->n >= cap) {
            st = tok__fail(err, TOK_ERR_FORMAT, "%s: decompresses to more than %zu bytes: not a libtok compact file",
                           file, cap);
            break;
        }
        size_t room = (out->n < want ? want : out->n * 2) - out->n;
        if (room > cap - out->n) room = cap - out->n;
        if (tok_vec_reserve(out, out->n + room)) {
            st = tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
            break;
        }
        ZSTD_outBuffer o = { out->v + out->n, room, 0 };
        ret = ZSTD_decompressStream(z, &o, &in);
        out->n += o.pos;
        if (ZSTD_isError(ret)) {
            st = tok__fail(err, TOK_ERR_FORMAT, "%s: corrupt compressed data: %s", file, ZSTD_getErrorName(ret));
            break;
        }
        if (head && out->n >= 8 && memcmp(out->v, MAGIC, 8) && memcmp(out->v, TOK__PACK_MAGIC, 8)) {
            st = tok__fail(err, TOK_ERR_FORMAT, "%s: byte 0: not a libtok compact file", file);
            break;
        }
        if (out->n >= 12) {
            head = false;
            want = 0;
        }
        if (ret != 0 && in.pos == in.size && o.pos < room) {
            st = tok__fail(err, TOK_ERR_FORMAT, "%s: byte %zu: truncated compressed data", file, len);
            break;
        }
    }
    if (!st && in.pos != in.size)
        st = tok__fail(err, TOK_ERR_FORMAT, "%s: byte %zu: data after the compressed frame", file, in.pos);
    if (!st && claim != ZSTD_CONTENTSIZE_UNKNOWN && claim != out->n)
        st = tok__fail(err, TOK_ERR_FORMAT, "%s: corrupt compressed data: short frame", file);
    ZSTD_freeDCtx(z);
    return st;
}

tok_tokenizer *tok__load_pack_v2(const uint8_t *d, size_t n, const char *file,
                                 const tok_load_options *opt, tok_error *err)
{
    tok_tokenizer *t = NULL;
    json_t *root = NULL;
    if (n < 12 || memcmp(d, MAGIC, 8)) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte 0: not a libtok compact file", file);
        goto done;
    }
    size_t jl = rd32(d + 8), at = 12 + jl;
    if (at + 4 > n) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte 8: truncated header", file);
        goto done;
    }
    json_error_t je;
    root = json_loadb((const char *)d + 12, jl, JSON_ALLOW_NUL, &je);
    if (!root) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %d: invalid JSON section: %s", file, 12 + je.position, je.text);
        goto done;
    }
    tok_jctx jc = { .file = file };
    jc.pack_nvocab = rd32(d + at);
    at += 4;
    size_t vstart = at;
    for (size_t i = 0; i < jc.pack_nvocab; i++) {
        if (at + 8 > n || rd32(d + at + 4) > n - at - 8) {
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %zu: truncated vocabulary record %zu", file, at, i);
            goto done;
        }
        at += 8 + rd32(d + at + 4);
    }
    if (at + 4 > n) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %zu: truncated merges", file, at);
        goto done;
    }
    jc.pack_nmerges = rd32(d + at);
    at += 4;
    if (jc.pack_nmerges > (n - at) / 12) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %zu: truncated merges", file, at);
        goto done;
    }
    if (jc.pack_nvocab) {
        jc.pack_vocab = d + vstart;
        jc.pack_vocab_len = at - 4 - vstart;
        jc.pack_merges = d + at;
    }
    t = tok__from_hfjson_raw(root, &jc, opt, err);
done:
    json_decref(root);
    return t;
}
