/* BPE model constructors shared by the loaders. */
#ifndef LIBTOK_MODELS_BPE_H
#define LIBTOK_MODELS_BPE_H

#include "../core/json.h"
#include "bpe_backtrack.h"

/** A byte-level BPE whose merges are implied by token ranks (tiktoken):
 *  two adjacent parts merge when their concatenation is a token, lowest rank
 *  first.  The vocabulary (ids = ranks) must be entered by the caller. */
tok_model *tok_bpe_new_ranked(void);

/** The fast paths' tables of a BPE model when it has them (for .tokpack), else NULL. */
struct tok_bpe_bt;
const struct tok_bpe_bt *tok__bpe_tables(const tok_model *m);

/* A BPE model's settings, as tokenizer.json has them: the readers and
 * writer of files (bpe_json.c, loaders/) build and describe the model
 * (bpe.c) through these. */
typedef struct tok_bpe_spec {
    const char *unk_token, *cont_prefix, *eow_suffix; /* NULL or "" for none; copied */
    float dropout;
    bool fuse_unk, byte_fallback, ignore_merges;
    bool ranked; /* merges implied by ranks (tiktoken) */
} tok_bpe_spec;
typedef TOK_VEC(tok_bpe_merge) tok_bpe_merges;

/** A model with no merges yet (the vocabulary is the caller's); NULL when
 *  out of memory. */
tok_model *tok__bpe_new(const tok_bpe_spec *s);
/** Append merges in rank order (a + b -> c).  -1 out of memory. */
int tok__bpe_add_merges(tok_model *m, const tok_bpe_merge *g, size_t n);
/** Use stored fast-path tables (a .tokpack's, checked by its reader, living
 *  as long as the model) instead of building them. */
void tok__bpe_use_tables(tok_model *m, const tok_bpe_bt *bt);
/** The settings back (strings owned by the model). */
void tok__bpe_get_spec(const tok_model *m, tok_bpe_spec *s);
/** The fast-path tables when the model has them (for .tokpack), else NULL. */
const tok_bpe_bt *tok__bpe_tables(const tok_model *m);
/** The model object of tokenizer.json (bpe_json.c). */
json_t *tok__bpe_to_json(const tok_model *m, const tok_vocab *v);

#endif
