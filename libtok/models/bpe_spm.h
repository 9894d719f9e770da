/* SentencePiece-style BPE for the SentencePiece lane's words (bpe_spm.c). */
#ifndef LIBTOK_MODELS_BPE_SPM_H
#define LIBTOK_MODELS_BPE_SPM_H

#include "../internal.h"

typedef struct tok_bpe_spm tok_bpe_spm;

/** Tables for BPE model m (prepared: vocabulary and merges final), or NULL
 *  when m is not a plain character-level BPE (ranked, byte-level,
 *  ignore_merges, dropout, prefixes) or memory ran out.  Read-only after:
 *  safe to share between threads. */
tok_bpe_spm *tok__bpe_spm_new(const tok_model *m);
void tok__bpe_spm_free(tok_bpe_spm *t);

/** The tokens of one stretch of the model input between cuts
 *  (tok__bpe_marker_cuts), given as its pre-token cache query q
 *  (tok_pcache_query; the caller may have prefetched it), appended to out
 *  with offsets relative to the stretch: exactly tok__bpe_piece's.
 *  missed: the caller has found q not in the cache (no second look). */
struct tok_pcache_q;
tok_status tok__bpe_spm_piece(const tok_bpe_spm *t, const tok_model *m, tok_ctx *ctx, const struct tok_pcache_q *q,
                              bool missed, tok_toks *out);

#endif
