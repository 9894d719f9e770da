/*
 * Weight files: mapping, the tensor table, format detection, matrices
 * converted to float32 a block of rows at a time.
 */
#include "analyzers/weights/weights_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int wt_err(tok_error *err, tok_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->code = code;
    return -1;
}

int wt_mul(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a && b > UINT64_MAX / a) return 0;
    *out = a * b;
    return 1;
}

int wt_map(tok_weights *w, const char *path, tok_error *err)
{
    for (size_t i = 0; i < w->nfiles; i++)
        if (!strcmp(w->files[i].path, path)) return (int)i;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return wt_err(err, TOK_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return wt_err(err, TOK_ERR_IO, "%s: not a regular file", path);
    }
    const uint8_t *map = NULL;
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            return wt_err(err, TOK_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
        }
        map = m;
    }
    close(fd);
    wt_file *f = realloc(w->files, (w->nfiles + 1) * sizeof *f);
    char *p = strdup(path);
    if (!f || !p) {
        if (f) w->files = f;
        free(p);
        if (map) munmap((void *)map, (size_t)st.st_size);
        return wt_err(err, TOK_ERR_NOMEM, "%s: out of memory", path);
    }
    w->files = f;
    f[w->nfiles].path = p;
    f[w->nfiles].map = map;
    f[w->nfiles].size = (size_t)st.st_size;
    return (int)w->nfiles++;
}

int wt_add(tok_weights *w, const tok_tensor_info *ti, tok_error *err)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->t[i].name, ti->name))
            return wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: named twice (byte offset %llu)", ti->file,
                          ti->name, (unsigned long long)ti->offset);
    if (w->n == w->cap) {
        size_t c = w->cap ? w->cap * 2 : 64;
        tok_tensor_info *t = realloc(w->t, c * sizeof *t);
        if (!t) return wt_err(err, TOK_ERR_NOMEM, "%s: out of memory", ti->file);
        w->t = t;
        w->cap = c;
    }
    tok_tensor_info *d = &w->t[w->n];
    *d = *ti;
    d->name = strdup(ti->name);
    d->type_name = strdup(ti->type_name);
    if (!d->name || !d->type_name) {
        free((char *)d->name);
        free((char *)d->type_name);
        return wt_err(err, TOK_ERR_NOMEM, "%s: out of memory", ti->file);
    }
    w->n++;
    return 0;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

tok_weights *tok_weights_open(const char *path, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    err->code = TOK_OK;
    err->message[0] = 0;
    tok_weights *w = calloc(1, sizeof *w);
    if (!w) { wt_err(err, TOK_ERR_NOMEM, "%s: out of memory", path); return NULL; }
    int rc;
    if (ends_with(path, ".json")) {
        rc = wt_read_safetensors_index(w, path, err);
    } else {
        int fi = wt_map(w, path, err);
        if (fi < 0) { tok_weights_free(w); return NULL; }
        const wt_file *f = &w->files[fi];
        if (f->size >= 4 && !memcmp(f->map, "GGUF", 4)) rc = wt_read_gguf(w, fi, err);
        else if (f->size >= 6 && !memcmp(f->map, "\x93NUMPY", 6)) rc = wt_read_npy(w, fi, err);
        else if (ends_with(path, ".safetensors") || f->size >= 9) rc = wt_read_safetensors(w, fi, err);
        else rc = wt_err(err, TOK_ERR_FORMAT, "%s: not a safetensors, GGUF or .npy file (%zu bytes)", path, f->size);
    }
    if (rc) { tok_weights_free(w); return NULL; }
    return w;
}

void tok_weights_free(tok_weights *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) {
        free((char *)w->t[i].name);
        free((char *)w->t[i].type_name);
    }
    free(w->t);
    for (size_t i = 0; i < w->nfiles; i++) {
        if (w->files[i].map) munmap((void *)w->files[i].map, w->files[i].size);
        free(w->files[i].path);
    }
    free(w->files);
    free(w);
}

size_t tok_weights_count(const tok_weights *w) { return w->n; }

const tok_tensor_info *tok_weights_tensor(const tok_weights *w, size_t i)
{
    return i < w->n ? &w->t[i] : NULL;
}

const tok_tensor_info *tok_weights_find(const tok_weights *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->t[i].name, name)) return &w->t[i];
    return NULL;
}

const char *tok_weights_default_name(const tok_weights *w, tok_matrix_role role)
{
    static const char *const embed[] = {
        "model.embed_tokens.weight", "transformer.wte.weight", "tok_embeddings.weight",
        "token_embd.weight", "embeddings.word_embeddings.weight", "bert.embeddings.word_embeddings.weight",
        "gpt_neox.embed_in.weight", "model.embed_tokens", "embed_tokens.weight", "wte.weight",
        "transformer.word_embeddings.weight", "word_embeddings", "Embeddings_en", "array", NULL,
    };
    static const char *const unembed[] = {
        "lm_head.weight", "output.weight", "embed_out.weight", "model.lm_head.weight", NULL,
    };
    const char *const *list = role == TOK_MATRIX_EMBED ? embed : unembed;
    for (int i = 0; list[i]; i++)
        if (tok_weights_find(w, list[i])) return list[i];
    if (role == TOK_MATRIX_UNEMBED && w->n == 1 && !strcmp(w->t[0].name, "array")) return "array";
    return NULL;
}

tok_matrix *tok_weights_matrix(const tok_weights *w, const char *name, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    const tok_tensor_info *ti = tok_weights_find(w, name);
    if (!ti) {
        wt_err(err, TOK_ERR_ARG, "%s: no tensor named %s (%zu tensors)",
               w->nfiles ? w->files[0].path : "?", name, w->n);
        return NULL;
    }
    if (ti->dtype == TOK_DTYPE_OTHER) {
        wt_err(err, TOK_ERR_UNSUPPORTED,
               "%s: tensor %s: element type %s is not supported (F32, F16, BF16 only; quantised "
               "weights must be dequantised first) (byte offset %llu)",
               ti->file, ti->name, ti->type_name, (unsigned long long)ti->offset);
        return NULL;
    }
    if (ti->ndim != 2) {
        wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: %d dimensions, a matrix needs 2 (byte offset %llu)",
               ti->file, ti->name, ti->ndim, (unsigned long long)ti->offset);
        return NULL;
    }
    const wt_file *f = NULL;
    for (size_t i = 0; i < w->nfiles; i++)
        if (!strcmp(w->files[i].path, ti->file)) f = &w->files[i];
    size_t el = ti->dtype == TOK_DTYPE_F32 ? 4 : 2;
    uint64_t need;
    if (!f || !wt_mul(ti->shape[0], ti->shape[1], &need) || !wt_mul(need, el, &need) ||
        ti->offset > f->size || need > f->size - ti->offset) {
        wt_err(err, TOK_ERR_FORMAT, "%s: tensor %s: %llu x %llu data at byte offset %llu runs past the end (%zu bytes)",
               ti->file, ti->name, (unsigned long long)ti->shape[0], (unsigned long long)ti->shape[1],
               (unsigned long long)ti->offset, f ? f->size : 0);
        return NULL;
    }
    tok_matrix *m = calloc(1, sizeof *m);
    if (!m) { wt_err(err, TOK_ERR_NOMEM, "%s: out of memory", ti->file); return NULL; }
    m->info = *ti;
    m->data = f->map + ti->offset;
    m->rows = (size_t)ti->shape[0];
    m->cols = (size_t)ti->shape[1];
    m->elsize = el;
    return m;
}

void tok_matrix_free(tok_matrix *m) { free(m); }
size_t tok_matrix_rows(const tok_matrix *m) { return m->rows; }
size_t tok_matrix_cols(const tok_matrix *m) { return m->cols; }
const tok_tensor_info *tok_matrix_info(const tok_matrix *m) { return &m->info; }

static float f16_to_f32(uint16_t h)
{
    uint32_t s = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1F, f = h & 0x3FF, bits;
    if (e == 0) {
        if (!f) bits = s;
        else { /* subnormal: normalise */
            e = 127 - 15 + 1;
            while (!(f & 0x400)) { f <<= 1; e--; }
            f &= 0x3FF;
            bits = s | (e << 23) | (f << 13);
        }
    } else if (e == 31) bits = s | 0x7F800000u | (f << 13);
    else bits = s | ((e + 127 - 15) << 23) | (f << 13);
    float out;
    memcpy(&out, &bits, 4);
    return out;
}

tok_status tok_matrix_rows_f32(const tok_matrix *m, size_t r0, size_t n, float *out)
{
    if (r0 > m->rows || n > m->rows - r0) return TOK_ERR_RANGE;
    size_t cnt = n * m->cols;
    const uint8_t *p = m->data + r0 * m->cols * m->elsize;
    if (m->info.dtype == TOK_DTYPE_F32) {
        memcpy(out, p, cnt * 4);
    } else if (m->info.dtype == TOK_DTYPE_F16) {
        for (size_t i = 0; i < cnt; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            out[i] = f16_to_f32(h);
        }
    } else {
        for (size_t i = 0; i < cnt; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            uint32_t bits = (uint32_t)h << 16;
            memcpy(&out[i], &bits, 4);
        }
    }
    return TOK_OK;
}
