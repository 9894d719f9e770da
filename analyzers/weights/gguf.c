/*
 * GGUF (v2, v3): "GGUF", version, tensor count, metadata count, the
 * metadata key/values, the tensor infos (name, dims — fastest first —,
 * ggml type, offset into the data section), then the data section at the
 * next multiple of general.alignment (default 32).  Every read is checked
 * against the file's length; counts are bounded by the bytes left.
 */
#include "analyzers/weights/weights_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rd { const uint8_t *p; uint64_t n, off; const char *path; tok_error *err; } rd;

static int need(rd *r, uint64_t k, const char *what)
{
    if (k > r->n - r->off)
        return wt_err(r->err, TOK_ERR_FORMAT, "%s: truncated: %s needs %llu bytes at byte offset %llu (%llu left)",
                      r->path, what, (unsigned long long)k, (unsigned long long)r->off,
                      (unsigned long long)(r->n - r->off));
    return 0;
}

static int u32(rd *r, uint32_t *v, const char *what)
{
    if (need(r, 4, what)) return -1;
    memcpy(v, r->p + r->off, 4);
    r->off += 4;
    return 0;
}

static int u64(rd *r, uint64_t *v, const char *what)
{
    if (need(r, 8, what)) return -1;
    memcpy(v, r->p + r->off, 8);
    r->off += 8;
    return 0;
}

static int str(rd *r, const char **s, uint64_t *len, const char *what)
{
    if (u64(r, len, what) || need(r, *len, what)) return -1;
    *s = (const char *)r->p + r->off;
    r->off += *len;
    return 0;
}

/* bytes of one scalar of a metadata value type; 0 for string/array */
static unsigned scalar_size(uint32_t t)
{
    static const unsigned sz[] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };
    return t < 13 ? sz[t] : 0;
}

static int skip_value(rd *r, uint32_t t, int depth, const char *key)
{
    if (t == 8) { const char *s; uint64_t l; return str(r, &s, &l, key); }
    if (t == 9) {
        uint32_t et;
        uint64_t cnt;
        if (depth > 2 || u32(r, &et, key) || u64(r, &cnt, key)) return depth > 2 ?
            wt_err(r->err, TOK_ERR_FORMAT, "%s: metadata %s: arrays nested too deep (byte offset %llu)",
                   r->path, key, (unsigned long long)r->off) : -1;
        unsigned es = scalar_size(et);
        if (es) {
            uint64_t b;
            if (!wt_mul(cnt, es, &b) || need(r, b, key)) return -1;
            r->off += b;
            return 0;
        }
        if (et != 8 && et != 9)
            return wt_err(r->err, TOK_ERR_FORMAT, "%s: metadata %s: unknown element type %u (byte offset %llu)",
                          r->path, key, et, (unsigned long long)r->off);
        if (cnt > (r->n - r->off) / 8) return need(r, cnt * 8, key); /* each item is at least 8 bytes */
        for (uint64_t i = 0; i < cnt; i++)
            if (skip_value(r, et, depth + 1, key)) return -1;
        return 0;
    }
    unsigned es = scalar_size(t);
    if (!es)
        return wt_err(r->err, TOK_ERR_FORMAT, "%s: metadata %s: unknown value type %u (byte offset %llu)",
                      r->path, key, t, (unsigned long long)r->off);
    if (need(r, es, key)) return -1;
    r->off += es;
    return 0;
}

static const char *ggml_name(uint32_t t)
{
    static const char *const n[] = {
        "F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K",
        "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",
        "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16", "Q4_0_4_4", "Q4_0_4_8",
        "Q4_0_8_8", "TQ1_0", "TQ2_0",
    };
    return t < sizeof n / sizeof n[0] ? n[t] : "unknown";
}

int wt_read_gguf(tok_weights *w, int fi, tok_error *err)
{
    const wt_file *f = &w->files[fi];
    rd r = { f->map, f->size, 4, f->path, err };
    uint32_t ver;
    uint64_t nt, nkv;
    if (u32(&r, &ver, "version")) return -1;
    if (ver < 2 || ver > 3)
        return wt_err(err, TOK_ERR_UNSUPPORTED, "%s: GGUF version %u (2 and 3 are read) (byte offset 4)", f->path, ver);
    if (u64(&r, &nt, "tensor count") || u64(&r, &nkv, "metadata count")) return -1;
    uint64_t align = 32;
    if (nkv > (r.n - r.off) / 12) return need(&r, nkv * 12, "metadata");
    for (uint64_t i = 0; i < nkv; i++) {
        const char *k;
        uint64_t kl;
        uint32_t t;
        if (str(&r, &k, &kl, "metadata key") || u32(&r, &t, "metadata type")) return -1;
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(kl < 120 ? kl : 120), k);
        if (kl == 17 && !memcmp(k, "general.alignment", 17) && t == 4) {
            uint32_t a;
            if (u32(&r, &a, key)) return -1;
            if (!a || (a & (a - 1)))
                return wt_err(err, TOK_ERR_FORMAT, "%s: general.alignment %u is not a power of two (byte offset %llu)",
                              f->path, a, (unsigned long long)(r.off - 4));
            align = a;
            continue;
        }
        if (skip_value(&r, t, 0, key)) return -1;
    }
    if (nt > (r.n - r.off) / 24) return need(&r, nt * 24, "tensor infos");
    size_t first = w->n;
    for (uint64_t i = 0; i < nt; i++) {
        const char *nm;
        uint64_t nl, off;
        uint32_t nd, type;
        if (str(&r, &nm, &nl, "tensor name") || u32(&r, &nd, "tensor dimensions")) return -1;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(nl < 250 ? nl : 250), nm);
        if (nd == 0 || nd > 4)
            return wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: %u dimensions (byte offset %llu)", f->path, name, nd,
                          (unsigned long long)(r.off - 4));
        uint64_t ne[4] = { 1, 1, 1, 1 }, count = 1;
        for (uint32_t d = 0; d < nd; d++) {
            if (u64(&r, &ne[d], name)) return -1;
            if (!wt_mul(count, ne[d], &count))
                return wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: element count overflows (byte offset %llu)",
                              f->path, name, (unsigned long long)(r.off - 8));
        }
        if (u32(&r, &type, name) || u64(&r, &off, name)) return -1;
        tok_tensor_info ti = { 0 };
        ti.name = name;
        ti.file = f->path;
        ti.type_name = ggml_name(type);
        ti.dtype = type == 0 ? TOK_DTYPE_F32 : type == 1 ? TOK_DTYPE_F16 : type == 30 ? TOK_DTYPE_BF16 : TOK_DTYPE_OTHER;
        ti.ndim = (int)nd;
        for (uint32_t d = 0; d < nd; d++) ti.shape[d] = ne[nd - 1 - d]; /* row-major */
        unsigned el = ti.dtype == TOK_DTYPE_F32 ? 4 : ti.dtype == TOK_DTYPE_OTHER ? 0 : 2;
        ti.nbytes = 0;
        if (el && !wt_mul(count, el, &ti.nbytes))
            return wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: size overflows", f->path, name);
        ti.offset = off; /* relative for now */
        if (wt_add(w, &ti, err)) return -1;
    }
    uint64_t data = (r.off + align - 1) / align * align;
    if (data > r.n && nt)
        return wt_err(err, TOK_ERR_FORMAT, "%s: truncated: the data section would start at byte offset %llu past the end (%llu bytes)",
                      f->path, (unsigned long long)data, (unsigned long long)r.n);
    for (size_t i = first; i < w->n; i++) {
        tok_tensor_info *ti = &w->t[i];
        uint64_t rel = ti->offset;
        if (rel % align)
            return wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: offset %llu is not a multiple of the alignment %llu",
                          f->path, ti->name, (unsigned long long)rel, (unsigned long long)align);
        if (rel > r.n - data || ti->nbytes > r.n - data - rel)
            return wt_err(err, TOK_ERR_FORMAT,
                          "%s: tensor %s: %llu bytes at byte offset %llu run past the end of the file (%llu bytes)",
                          f->path, ti->name, (unsigned long long)ti->nbytes, (unsigned long long)(data + rel),
                          (unsigned long long)r.n);
        ti->offset = data + rel;
    }
    return 0;
}
