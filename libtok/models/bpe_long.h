/*
 * Long pre-tokens in the byte-level BPE (bpe_long.c): what the backtracking
 * encoder does per byte before it tiles, done in blocks for pre-tokens of
 * TOK_BPE_LONG bytes or more (a megabyte of one letter or one CJK character
 * is one pre-token).
 */
#ifndef LIBTOK_MODELS_BPE_LONG_H
#define LIBTOK_MODELS_BPE_LONG_H

#include "bpe_backtrack.h"

/* Below this many bytes the per-byte loops of bpe_backtrack.c are cheaper
 * than setting up the block search. */
#define TOK_BPE_LONG 1024

/** tok_bpe_bt_irregular for n >= TOK_BPE_LONG: positions whose byte cannot
 *  start an irregular token are skipped 16 at a time (SSSE3 nibble lookup
 *  over the set of first bytes, chosen at run time; a superset, so every
 *  candidate is still checked by tok_bpe_bt_irregular_at). */
bool tok_bpe_long_irregular(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n);

#endif
