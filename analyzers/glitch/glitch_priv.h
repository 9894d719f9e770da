/* Shared between the files of analyzers/glitch (not installed). */
#ifndef TOK_GLITCH_PRIV_H
#define TOK_GLITCH_PRIV_H

#include "analyzers/glitch/tok_glitch.h"

#define GL_NPREFIX 2
#define GL_PREFIX_MAX 8

typedef struct gl_buf { char *p; size_t n, cap; } gl_buf;

struct tok_glitch {
    const tok_tokenizer *t;
    tok_ctx *ctx;
    size_t n;
    tok_glitch_token *tok;
    tok_glitch_counts counts;
    int gpt2, space_mode, meaningless;
    uint32_t enc_flags;
    int32_t prefix_seq[GL_NPREFIX][GL_PREFIX_MAX]; /* each guard prefix encoded alone */
    size_t prefix_len[GL_NPREFIX];
    int guard_multi;         /* magikarp's guards fail here (it asserts): substitutes used */
    const char *prefix_text[GL_NPREFIX];
    gl_buf strings, reenc;   /* decoded texts; re-encoded ids */
    gl_buf text;             /* scratch text */
    int32_t *ids;            /* scratch ids */
    size_t n_ids, ids_cap;
};

int32_t gl_next_cp(const char *s, size_t n, size_t *i);
size_t gl_cp_count(const char *s, size_t n);
int32_t gl_prev_cp(const char *s, size_t i);
int gl_py_space(int32_t c);
int gl_gpt2_byte(int32_t cp);
int gl_buf_put(gl_buf *b, const void *p, size_t n);
int gl_ids_reserve(tok_glitch *g, size_t n);
tok_status gl_clean_decode(tok_glitch *g, int32_t id, const char **s, size_t *n, int *guard_failed);
tok_status gl_clean_encode(tok_glitch *g, const char *s, size_t n, int *guard_failed);

#endif
