/* BPE model constructors shared by the loaders. */
#ifndef LIBTOK_MODELS_BPE_H
#define LIBTOK_MODELS_BPE_H

#include "../core/json.h"

/** A byte-level BPE whose merges are implied by token ranks (tiktoken):
 *  two adjacent parts merge when their concatenation is a token, lowest rank
 *  first.  The vocabulary (ids = ranks) must be entered by the caller. */
tok_model *tok_bpe_new_ranked(void);

/** The fast paths' tables of a BPE model when it has them (for .tokpack), else NULL. */
struct tok_bpe_bt;
const struct tok_bpe_bt *tok__bpe_tables(const tok_model *m);

#endif
