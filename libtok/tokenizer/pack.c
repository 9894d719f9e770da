/*
 * libtok's compact format (.tokpack): one zstd frame holding
 *
 *   "TOKPACK1"  u32 json_len  json            the tokenizer.json tree, with a
 *                                             BPE model's vocab and merges empty
 *   u32 nvocab  { u32 id, u32 len, bytes }    the BPE vocabulary as records
 *   u32 nmerges { u32 a, u32 b, u32 merged }  merges as ids, rank order
 *
 * (little-endian).  Loading skips JSON for the big parts and looks up no
 * strings, and the file is a fraction of the JSON's size.
 */
#include "../core/json.h"

#include <stdio.h>
#include <zstd.h>

#define MAGIC "TOKPACK2"

static int put32(tok_sbuf *b, uint32_t x) { return tok_sbuf_put(b, &x, 4); }

tok_status tok__save_pack(json_t *root, const tok_tokenizer *t, const char *path, tok_error *err)
{
    tok_sbuf b = { 0 };
    tok_status st = TOK_OK;
    json_t *model = json_object_get(root, "model");
    json_t *voc = json_object_get(model, "vocab"), *merges = json_object_get(model, "merges");
    bool bpe = t->model->vt->kind == TOK_MODEL_BPE && json_is_object(voc) && json_is_array(merges);
    json_incref(voc);
    json_incref(merges);
    if (bpe) {
        json_object_set_new(model, "vocab", json_object());
        json_object_set_new(model, "merges", json_array());
    }
    char *js = json_dumps(root, JSON_COMPACT);
    if (!js) {
        st = tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    size_t jl = strlen(js);
    tok_sbuf_put(&b, MAGIC, 8);
    put32(&b, (uint32_t)jl);
    tok_sbuf_put(&b, js, jl);
    free(js);
    if (bpe) {
        put32(&b, (uint32_t)json_object_size(voc));
        const char *k;
        size_t kl;
        json_t *v;
        json_object_keylen_foreach(voc, k, kl, v) {
            put32(&b, (uint32_t)json_integer_value(v));
            put32(&b, (uint32_t)kl);
            tok_sbuf_put(&b, k, kl);
        }
        bool ranked = json_is_true(json_object_get(model, "libtok_ranked"));
        size_t nm = ranked ? 0 : json_array_size(merges);
        put32(&b, (uint32_t)nm);
        const char *pre = t->model->cont_prefix;
        size_t pl = pre ? strlen(pre) : 0;
        tok_sbuf m = { 0 };
        for (size_t i = 0; i < nm; i++) {
            json_t *e = json_array_get(merges, i), *x = json_array_get(e, 0), *y = json_array_get(e, 1);
            int32_t a = tok_vocab_id(&t->vocab, json_string_value(x), json_string_length(x));
            int32_t c = tok_vocab_id(&t->vocab, json_string_value(y), json_string_length(y));
            size_t yl = json_string_length(y), skip = pl < yl ? pl : yl;
            m.n = 0;
            tok_sbuf_put(&m, json_string_value(x), json_string_length(x));
            tok_sbuf_put(&m, json_string_value(y) + skip, yl - skip);
            int32_t r = tok_vocab_id(&t->vocab, m.v ? m.v : "", m.n);
            put32(&b, (uint32_t)a);
            put32(&b, (uint32_t)c);
            put32(&b, (uint32_t)r);
        }
        tok_vec_free(&m);
    } else {
        put32(&b, 0);
        put32(&b, 0);
    }
    size_t cap = ZSTD_compressBound(b.n);
    void *z = malloc(cap);
    if (!z) {
        st = tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    size_t zn = ZSTD_compress(z, cap, b.v, b.n, 9);
    if (ZSTD_isError(zn)) {
        free(z);
        st = tok__fail(err, TOK_ERR_NOMEM, "%s: zstd: %s", path, ZSTD_getErrorName(zn));
        goto done;
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(z, 1, zn, f) != zn || fclose(f)) {
        if (f) fclose(f);
        st = tok__fail(err, TOK_ERR_IO, "%s: cannot write", path);
    }
    free(z);
done:
    if (bpe) {
        json_object_set(model, "vocab", voc);
        json_object_set(model, "merges", merges);
    }
    json_decref(voc);
    json_decref(merges);
    tok_vec_free(&b);
    return st;
}

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

static tok_status inflate(const uint8_t *data, size_t len, const char *file, tok_sbuf *out, tok_error *err)
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
    size_t ret = 1, want = 12; /* the header first: magic and JSON length */
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
        if (want == 12 && out->n >= 8 && memcmp(out->v, MAGIC, 8)) {
            st = tok__fail(err, TOK_ERR_FORMAT, "%s: byte 0: not a libtok compact file", file);
            break;
        }
        if (out->n >= 12) want = 0;
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

tok_tokenizer *tok__load_pack(const uint8_t *data, size_t len, const char *file,
                              const tok_load_options *opt, tok_error *err)
{
    tok_sbuf buf = { 0 };
    tok_tokenizer *t = NULL;
    json_t *root = NULL;
    if (inflate(data, len, file, &buf, err)) goto done;
    const uint8_t *d = (const uint8_t *)buf.v;
    size_t n = buf.n;
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
    tok_vec_free(&buf);
    return t;
}
