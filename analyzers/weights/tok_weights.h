/*
 * tok_weights.h — embedding and unembedding matrices straight from model
 * weight files, without Python: safetensors (one file, or sharded with its
 * model.safetensors.index.json), GGUF (v2, v3) and NumPy .npy.
 *
 * Files are mapped read-only (mmap), never copied: a matrix is a view whose
 * rows are converted to float32 one block at a time, so a 262k x 8192 f16
 * embedding costs its page cache, not a 8.6 GB float copy.  Element types:
 * F32, F16, BF16.  Quantised or other types are listed (tok_weights_tensor)
 * but tok_weights_matrix refuses them with TOK_ERR_UNSUPPORTED naming the type.
 *
 * Every header is checked against the file before anything is read: a
 * header that claims more than the file holds, offsets past the end, sizes
 * that do not match shape x element size, unknown or repeated tensors give
 * TOK_ERR_FORMAT with a message naming the file, the tensor and the byte
 * offset.  Nothing is allocated from a size a file claims without checking
 * it against the file's length.
 *
 * Thread safety: a tok_weights and its matrices are immutable after opening;
 * reading rows from several threads is safe.
 */
#ifndef TOK_WEIGHTS_H
#define TOK_WEIGHTS_H

#include <libtok/tok.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tok_dtype {
    TOK_DTYPE_F32 = 0,
    TOK_DTYPE_F16,
    TOK_DTYPE_BF16,
    TOK_DTYPE_OTHER   /* known to the format, not readable here (quantised, ints, f64...) */
} tok_dtype;

typedef struct tok_tensor_info {
    const char *name;
    const char *type_name;  /* the format's own name: "F16", "Q4_K", "<f4" */
    tok_dtype dtype;
    int ndim;
    uint64_t shape[4];      /* row-major: shape[0] rows (GGUF's ne reversed) */
    const char *file;       /* file holding it */
    uint64_t offset;        /* byte offset of its data in that file */
    uint64_t nbytes;        /* size of its data (0 if the type has no fixed size here) */
} tok_tensor_info;

typedef struct tok_weights tok_weights;

/** Open a .safetensors, a *.safetensors.index.json (its shards beside it),
 *  a .gguf or a .npy (one tensor, named "array").  NULL with *err on failure. */
TOK_API tok_weights *tok_weights_open(const char *path, tok_error *err);
TOK_API void tok_weights_free(tok_weights *w);

TOK_API size_t tok_weights_count(const tok_weights *w);
/** Tensor i (0 <= i < count), valid while w lives. */
TOK_API const tok_tensor_info *tok_weights_tensor(const tok_weights *w, size_t i);
/** Tensor by name, or NULL. */
TOK_API const tok_tensor_info *tok_weights_find(const tok_weights *w, const char *name);

/** Which matrix: the input embedding or the output (unembedding, LM head). */
typedef enum tok_matrix_role { TOK_MATRIX_EMBED = 0, TOK_MATRIX_UNEMBED } tok_matrix_role;

/**
 * Default tensor name for a role by the usual names per architecture
 * (model.embed_tokens.weight, transformer.wte.weight, tok_embeddings.weight,
 * token_embd.weight, embeddings.word_embeddings.weight, gpt_neox.embed_in;
 * lm_head.weight, output.weight, embed_out.weight; a .npy's "array" for
 * both).  NULL if none is present (an absent unembedding means tied weights).
 */
TOK_API const char *tok_weights_default_name(const tok_weights *w, tok_matrix_role role);

/** A 2-D view of one tensor: rows x cols. */
typedef struct tok_matrix tok_matrix;

/** The named tensor as a matrix; 2-D, F32/F16/BF16, else NULL with *err
 *  naming file, tensor and offset. */
TOK_API tok_matrix *tok_weights_matrix(const tok_weights *w, const char *name, tok_error *err);
TOK_API void tok_matrix_free(tok_matrix *m);
TOK_API size_t tok_matrix_rows(const tok_matrix *m);
TOK_API size_t tok_matrix_cols(const tok_matrix *m);
TOK_API const tok_tensor_info *tok_matrix_info(const tok_matrix *m);
/** Rows [r0, r0+n) converted to float32 into out (n * cols floats). */
TOK_API tok_status tok_matrix_rows_f32(const tok_matrix *m, size_t r0, size_t n, float *out);

#ifdef __cplusplus
}
#endif
#endif
