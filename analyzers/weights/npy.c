/*
 * NumPy .npy (format 1.0, 2.0, 3.0): magic, version, header length, a Python
 * dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (R, C), },
 * then the data, C order.  One tensor, named "array".
 */
#include "analyzers/weights/weights_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the text after 'key': inside hdr, or NULL */
static const char *field(const char *h, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 <= n; i++)
        if ((h[i] == '\'' || h[i] == '"') && !memcmp(h + i + 1, key, kl) && h[i + 1 + kl] == h[i]) {
            size_t j = i + kl + 2;
            while (j < n && (h[j] == ' ' || h[j] == ':')) j++;
            return j < n ? h + j : NULL;
        }
    return NULL;
}

int wt_read_npy(tok_weights *w, int fi, tok_error *err)
{
    const wt_file *f = &w->files[fi];
    const char *path = f->path;
    if (f->size < 10) return wt_err(err, TOK_ERR_FORMAT, "%s: truncated .npy preamble (byte offset 0)", path);
    unsigned major = f->map[6];
    uint64_t hl, hs;
    if (major == 1) { hl = f->map[8] | (uint64_t)f->map[9] << 8; hs = 10; }
    else if (major == 2 || major == 3) {
        if (f->size < 12) return wt_err(err, TOK_ERR_FORMAT, "%s: truncated .npy preamble (byte offset 0)", path);
        hl = f->map[8] | (uint64_t)f->map[9] << 8 | (uint64_t)f->map[10] << 16 | (uint64_t)f->map[11] << 24;
        hs = 12;
    } else return wt_err(err, TOK_ERR_UNSUPPORTED, "%s: .npy format version %u (byte offset 6)", path, major);
    if (hl > f->size - hs)
        return wt_err(err, TOK_ERR_FORMAT, "%s: header length %llu runs past the end (%zu bytes) (byte offset 8)",
                      path, (unsigned long long)hl, f->size);
    const char *h = (const char *)f->map + hs;
    size_t n = (size_t)hl;
    tok_tensor_info ti = { 0 };
    ti.name = "array";
    ti.file = path;
    ti.offset = hs + hl;
    const char *d = field(h, n, "descr"), *fo = field(h, n, "fortran_order"), *sh = field(h, n, "shape");
    if (!d || !fo || !sh || (*d != '\'' && *d != '"') || *sh != '(')
        return wt_err(err, TOK_ERR_FORMAT, "%s: header needs descr, fortran_order and shape (byte offset %llu)",
                      path, (unsigned long long)hs);
    char descr[16] = { 0 };
    size_t k = 0;
    for (const char *p = d + 1; p < h + n && *p != *d && k < sizeof descr - 1; p++) descr[k++] = *p;
    ti.type_name = descr;
    ti.dtype = !strcmp(descr, "<f4") || !strcmp(descr, "|f4") ? TOK_DTYPE_F32
             : !strcmp(descr, "<f2") || !strcmp(descr, "|f2") ? TOK_DTYPE_F16 : TOK_DTYPE_OTHER;
    if (!strncmp(fo, "True", 4))
        return wt_err(err, TOK_ERR_UNSUPPORTED, "%s: array in Fortran order (byte offset %llu)", path,
                      (unsigned long long)hs);
    const char *p = sh + 1, *end = h + n;
    uint64_t count = 1;
    while (p < end && *p != ')') {
        while (p < end && (*p == ' ' || *p == ',')) p++;
        if (p < end && *p == ')') break;
        if (p >= end || *p < '0' || *p > '9' || ti.ndim == 4)
            return wt_err(err, TOK_ERR_FORMAT, "%s: bad shape in header (byte offset %llu)", path,
                          (unsigned long long)(hs + (uint64_t)(p - h)));
        uint64_t v = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (v > (UINT64_MAX - 9) / 10)
                return wt_err(err, TOK_ERR_FORMAT, "%s: shape overflows (byte offset %llu)", path,
                              (unsigned long long)(hs + (uint64_t)(p - h)));
            v = v * 10 + (uint64_t)(*p++ - '0');
        }
        if (p < end && *p == 'L') p++;
        ti.shape[ti.ndim++] = v;
        if (!wt_mul(count, v, &count))
            return wt_err(err, TOK_ERR_FORMAT, "%s: shape overflows (byte offset %llu)", path, (unsigned long long)hs);
    }
    unsigned el = ti.dtype == TOK_DTYPE_F32 ? 4 : ti.dtype == TOK_DTYPE_F16 ? 2 : 0;
    if (el) {
        if (!wt_mul(count, el, &ti.nbytes) || ti.nbytes != f->size - ti.offset)
            return wt_err(err, TOK_ERR_FORMAT,
                          "%s: tensor array: shape x %s needs %llu data bytes, the file has %llu after the header (byte offset %llu)",
                          path, descr, (unsigned long long)(count * el), (unsigned long long)(f->size - ti.offset),
                          (unsigned long long)ti.offset);
    }
    return wt_add(w, &ti, err);
}
