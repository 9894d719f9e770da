/* Inside vocab/ only: the vocabulary a trainer builds (tokens by id with a
 * lookup, merges, scores) and the trainers' entry points. */
#ifndef LIBTOK_VOCAB_TRAIN_IMPL_H
#define LIBTOK_VOCAB_TRAIN_IMPL_H

#include "tok_train.h"

typedef struct vx_model {
    char **tok;          /* token bytes, NUL-terminated */
    uint32_t *tlen;
    size_t n, cap;
    uint32_t *hk;        /* id + 1, open addressing on the token bytes */
    size_t hcap;
    uint32_t (*merges)[2];
    size_t nmerges, mcap;
} vx_model;

int32_t vx_model_find(const vx_model *m, const char *s, size_t n);
/* Append a token (not already present); its id, or -1 on no memory. */
int32_t vx_model_add(vx_model *m, const char *s, size_t n);
const char *vx_model_token(const vx_model *m, uint32_t id, size_t *len);
int vx_model_add_merge(vx_model *m, uint32_t a, uint32_t b);
void vx_model_clear(vx_model *m);
/* The head of a SentencePiece vocabulary as spm_train lays it out: <unk>,
 * <s>, </s>, the user's special tokens not already there, and with
 * byte_fallback the 256 <0xHH> pieces, each with score 0 in sc[id]
 * (room for them is the caller's).  -1 on no memory. */
struct tok_train_options;
int vx_spm_head(vx_model *m, float *sc, const struct tok_train_options *o);

/* Per merge, 1 when the same pair is merged again later (HF keeps the last). */
char *vx_merges_superseded(const vx_model *m);

/* A word being merged: symbol ids and their lengths in characters. */
typedef struct vx_word {
    uint32_t *sym;
    uint32_t *len;
    uint32_t n;
} vx_word;

tok_status vx_bpe_merge_loop(vx_word *W, const uint64_t *counts, size_t nw, vx_model *m, size_t target,
                             uint64_t min_frequency, size_t maxlen, const char *prefix, int progress,
                             const uint64_t *forbid, size_t nforbid);
/* forbid: sorted pairs (left << 32 | right) never merged (NULL: none). */

tok_status vx_train_unigram(tok_counts *c, const tok_train_options *o, vx_model *m, float **scores,
                            tok_error *err);

tok_status vx_train_spm_bpe(tok_counts *c, const tok_train_options *o, vx_model *m, float **scores,
                            tok_error *err);
/* SentencePiece model type of a trained model (1 Unigram, 2 BPE). */
int vx_trained_spm_type(const tok_trained *t);
int vx_trained_byte_fallback(const tok_trained *t);
size_t vx_trained_user_symbols(const tok_trained *t);
/* SentencePiece's IsValidSentencePiece (split by whitespace, script, number). */
int vx_spm_valid_piece(const char *s, size_t n, size_t maxchars);

tok_status vx_train_bpe(tok_counts *c, const tok_train_options *o, vx_model *m, tok_error *err);

#endif
