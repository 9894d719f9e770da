/*
 * Fused lanes: for the families whose pipeline is one fixed recipe (BERT's
 * normalizer + pre-tokenizer + WordPiece; SentencePiece-style text), one
 * pass over each piece the raw added tokens leave does the work of the
 * normalizer, the pre-tokenizer and the model, with offsets computed
 * directly instead of through per-byte alignment arrays.  A lane takes the
 * stretches it can prove equal to the general pipeline (printable ASCII,
 * say) and hands every other stretch, cut where the general pipeline cuts
 * anyway, to tok__encode_general.  Chosen at load (tok__lane_pick); the
 * parity suites run through them.  Not installed.
 */
#ifndef LIBTOK_PIPELINE_LANE_H
#define LIBTOK_PIPELINE_LANE_H

#include "../internal.h"

/** Set t->lane (and its data) when a lane fits t's pipeline; called at the
 *  end of loading.  TOK_OK also when none fits; an error only for memory. */
tok_status tok__lane_pick(tok_tokenizer *t, tok_error *err);

/* The families (one file each): 1 if taken, 0 if the pipeline does not fit,
 * -1 out of memory. */
int tok__lane_bert(tok_tokenizer *t);
int tok__lane_spm(tok_tokenizer *t);

/** Room in e for `tokens` more ids at once (at most 2^24: past that the
 *  lanes reserve stretch by stretch as before); a lane calls it with a
 *  piece's bound on its tokens before its first stretch, since growing the
 *  output stretch by stretch moved all seven arrays at each doubling.
 *  0, or -1 out of memory. */
static inline int tok__lane_reserve(tok_enc *e, size_t tokens)
{
    const size_t cap = (size_t)1 << 24;
    return tok_enc_reserve(e, e->n + (tokens < cap ? tokens : cap));
}

#endif
