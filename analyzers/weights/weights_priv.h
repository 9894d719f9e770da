/* Shared between the readers of analyzers/weights (not installed). */
#ifndef TOK_WEIGHTS_PRIV_H
#define TOK_WEIGHTS_PRIV_H

#include "analyzers/weights/tok_weights.h"

typedef struct wt_file { char *path; const uint8_t *map; size_t size; } wt_file;

struct tok_weights {
    wt_file *files;
    size_t nfiles;
    tok_tensor_info *t;
    size_t n, cap;
};

struct tok_matrix {
    tok_tensor_info info;
    const uint8_t *data;
    size_t rows, cols, elsize;
};

/* Map a file read-only; its index in w->files, or -1 with *err. */
int wt_map(tok_weights *w, const char *path, tok_error *err);
/* Add a tensor (name and type copied); -1 with *err on a repeated name or no memory. */
int wt_add(tok_weights *w, const tok_tensor_info *ti, tok_error *err);
/* printf into err with code. Returns -1. */
int wt_err(tok_error *err, tok_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* a*b*... without overflow: 0 on overflow. */
int wt_mul(uint64_t a, uint64_t b, uint64_t *out);

int wt_read_safetensors(tok_weights *w, int fi, tok_error *err);
int wt_read_safetensors_index(tok_weights *w, const char *path, tok_error *err);
int wt_read_gguf(tok_weights *w, int fi, tok_error *err);
int wt_read_npy(tok_weights *w, int fi, tok_error *err);

#endif
