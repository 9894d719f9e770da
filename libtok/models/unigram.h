/* Unigram: the model (unigram.c) and its tokenizer.json form (unigram_json.c). */
#ifndef LIBTOK_MODELS_UNIGRAM_H
#define LIBTOK_MODELS_UNIGRAM_H

#include "trie.h"
#include "../core/json.h"

enum { PT_NORMAL = 1, PT_UNKNOWN = 2, PT_CONTROL = 3, PT_USER = 4, PT_UNUSED = 5, PT_BYTE = 6 }; /* SentencePiece piece types */

typedef struct ug_model {
    tok_model base;
    bool spm;
    size_t n;
    double *score;   /* as in the file */
    double *vscore;  /* score in the lattice under the rule; NAN: skipped (spm UNUSED) */
    uint8_t *ptype;  /* SentencePiece piece types, NULL if the file has none */
    int32_t unk;     /* unk_id of the file, -1 none */
    tok_trie trie;
    double unk_score;               /* hf: min - 10 */
    float min_f, max_f, unk_score_f; /* spm */
    int32_t byte_id[256];           /* "<0xAB>" pieces */
} ug_model;

extern const tok_model_vt tok__unigram_vt;
void tok__unigram_free(tok_model *m);
/** The model object of tokenizer.json (unigram_json.c). */
json_t *tok__unigram_to_json(const tok_model *m, const tok_vocab *v);

#endif
