/*
 * safetensors: an 8-byte little-endian header length, a JSON header
 * {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
 * then the data (offsets relative to its start).  Sharded checkpoints: an
 * index JSON whose "weight_map" names the shard of every tensor.
 */
#include "analyzers/weights/weights_priv.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; tok_dtype dt; unsigned size; } DTYPES[] = {
    { "F32", TOK_DTYPE_F32, 4 }, { "F16", TOK_DTYPE_F16, 2 }, { "BF16", TOK_DTYPE_BF16, 2 },
    { "F64", TOK_DTYPE_OTHER, 8 }, { "I64", TOK_DTYPE_OTHER, 8 }, { "U64", TOK_DTYPE_OTHER, 8 },
    { "I32", TOK_DTYPE_OTHER, 4 }, { "U32", TOK_DTYPE_OTHER, 4 }, { "I16", TOK_DTYPE_OTHER, 2 },
    { "U16", TOK_DTYPE_OTHER, 2 }, { "I8", TOK_DTYPE_OTHER, 1 }, { "U8", TOK_DTYPE_OTHER, 1 },
    { "BOOL", TOK_DTYPE_OTHER, 1 }, { "F8_E4M3", TOK_DTYPE_OTHER, 1 }, { "F8_E5M2", TOK_DTYPE_OTHER, 1 },
};

int wt_read_safetensors(tok_weights *w, int fi, tok_error *err)
{
    const wt_file *f = &w->files[fi];
    const char *path = f->path;
    if (f->size < 8)
        return wt_err(err, TOK_ERR_FORMAT, "%s: truncated: %zu bytes, the header length needs 8 (byte offset 0)",
                      path, f->size);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | f->map[i];
    if (hlen > f->size - 8)
        return wt_err(err, TOK_ERR_FORMAT,
                      "%s: header length %llu at byte offset 0 runs past the end of the file (%zu bytes)",
                      path, (unsigned long long)hlen, f->size);
    json_error_t je;
    json_t *root = json_loadb((const char *)f->map + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return wt_err(err, TOK_ERR_FORMAT, "%s: header JSON: %s (byte offset %llu)", path, je.text,
                      (unsigned long long)(8 + (je.position > 0 ? je.position : 0)));
    if (!json_is_object(root)) {
        json_decref(root);
        return wt_err(err, TOK_ERR_FORMAT, "%s: header is not a JSON object (byte offset 8)", path);
    }
    uint64_t base = 8 + hlen, avail = f->size - base;
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(root, key, v) {
        if (!strcmp(key, "__metadata__")) continue;
        tok_tensor_info ti = { 0 };
        ti.name = key;
        ti.file = path;
        json_t *dt = json_object_get(v, "dtype"), *sh = json_object_get(v, "shape"),
               *off = json_object_get(v, "data_offsets");
        if (!json_is_object(v) || !json_is_string(dt) || !json_is_array(sh) || !json_is_array(off) ||
            json_array_size(off) != 2 || !json_is_integer(json_array_get(off, 0)) ||
            !json_is_integer(json_array_get(off, 1))) {
            rc = wt_err(err, TOK_ERR_FORMAT,
                        "%s: tensor %s: header entry needs dtype, shape and data_offsets [begin, end] (byte offset 8)",
                        path, key);
            break;
        }
        json_int_t b = json_integer_value(json_array_get(off, 0)), e = json_integer_value(json_array_get(off, 1));
        if (b < 0 || e < b || (uint64_t)e > avail) {
            rc = wt_err(err, TOK_ERR_FORMAT,
                        "%s: tensor %s: data_offsets [%lld, %lld] lie outside the %llu data bytes (byte offset %llu)",
                        path, key, (long long)b, (long long)e, (unsigned long long)avail,
                        (unsigned long long)(base + (uint64_t)(b < 0 ? 0 : b)));
            break;
        }
        ti.offset = base + (uint64_t)b;
        ti.nbytes = (uint64_t)(e - b);
        size_t nd = json_array_size(sh);
        if (nd > 4) {
            rc = wt_err(err, TOK_ERR_UNSUPPORTED, "%s: tensor %s: %zu dimensions (at most 4) (byte offset %llu)",
                        path, key, nd, (unsigned long long)ti.offset);
            break;
        }
        ti.ndim = (int)nd;
        uint64_t count = 1;
        int bad = 0;
        for (size_t i = 0; i < nd; i++) {
            json_t *d = json_array_get(sh, i);
            if (!json_is_integer(d) || json_integer_value(d) < 0) { bad = 1; break; }
            ti.shape[i] = (uint64_t)json_integer_value(d);
            if (!wt_mul(count, ti.shape[i], &count)) { bad = 1; break; }
        }
        if (bad) {
            rc = wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: bad shape (byte offset %llu)", path, key,
                        (unsigned long long)ti.offset);
            break;
        }
        const char *dn = json_string_value(dt);
        unsigned el = 0;
        ti.dtype = TOK_DTYPE_OTHER;
        for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
            if (!strcmp(dn, DTYPES[i].name)) { ti.dtype = DTYPES[i].dt; el = DTYPES[i].size; }
        ti.type_name = dn;
        uint64_t want;
        if (el && (!wt_mul(count, el, &want) || want != ti.nbytes)) {
            rc = wt_err(err, TOK_ERR_FORMAT,
                        "%s: tensor %s: %s shape needs %llu bytes but data_offsets give %llu (byte offset %llu)",
                        path, key, dn, (unsigned long long)(count * el), (unsigned long long)ti.nbytes,
                        (unsigned long long)ti.offset);
            break;
        }
        if ((rc = wt_add(w, &ti, err))) break;
    }
    json_decref(root);
    return rc;
}

int wt_read_safetensors_index(tok_weights *w, const char *path, tok_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return wt_err(err, TOK_ERR_FORMAT, "%s: %s (line %d, column %d)", path, je.text, je.line, je.column);
    json_t *map = json_object_get(root, "weight_map");
    if (!json_is_object(map)) {
        json_decref(root);
        return wt_err(err, TOK_ERR_FORMAT, "%s: no \"weight_map\" object", path);
    }
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path + 1) : 0;
    const char *key;
    json_t *v;
    int rc = 0;
    /* open each shard once (wt_map dedups), then check every mapping */
    json_object_foreach(map, key, v) {
        const char *shard = json_string_value(v);
        if (!shard || !*shard || strchr(shard, '/') || !strcmp(shard, "..")) {
            rc = wt_err(err, TOK_ERR_FORMAT, "%s: weight_map.%s: not a file name beside the index", path, key);
            break;
        }
        char *full = malloc(dl + strlen(shard) + 1);
        if (!full) { rc = wt_err(err, TOK_ERR_NOMEM, "%s: out of memory", path); break; }
        memcpy(full, path, dl);
        strcpy(full + dl, shard);
        size_t before = w->nfiles;
        int fi = wt_map(w, full, err);
        free(full);
        if (fi < 0) { rc = -1; break; }
        if ((size_t)fi == before && (rc = wt_read_safetensors(w, fi, err))) break;
        const tok_tensor_info *ti = tok_weights_find(w, key);
        if (!ti || strcmp(ti->file, w->files[fi].path)) {
            rc = wt_err(err, TOK_ERR_FORMAT, "%s: weight_map names tensor %s in %s, which does not hold it",
                        path, key, shard);
            break;
        }
    }
    json_decref(root);
    return rc;
}
