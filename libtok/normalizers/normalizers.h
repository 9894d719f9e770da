/*
 * What the normalizer files share: each normalizer's constructor (one file
 * each, dispatched on "type" by normalizer.c) and the per-char helpers of
 * the normalizers that rewrite chars while keeping alignments (normalizer.c
 * unless inline here).  Not installed.
 */
#ifndef LIBTOK_NORMALIZERS_NORMALIZERS_H
#define LIBTOK_NORMALIZERS_NORMALIZERS_H

#include "../core/json.h"

/* ---- constructors (one file each) ---- */
tok_normalizer *tok_norm_bert_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_bytelevel_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_lowercase_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_nmt_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_precompiled_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_prepend_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_replace_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_sequence_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_strip_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_strip_accents_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_unicode_from_json(tok_jctx *jc, const json_t *j, const char *form);

/* For the fused BERT lane (pipeline/lane_bert.c): -1 if n is not a
 * BertNormalizer, else its lowercase setting (the only one that changes
 * printable ASCII). */
int tok__norm_bert_lowercase(const tok_normalizer *n);
/* For the SentencePiece lane (pipeline/lane_spm.c): what a Precompiled
 * normalizer does to the ASCII char c in text that is all ASCII: 0 leaves it,
 * 1 turns it into one space, -1 anything else (or n is not Precompiled). */
int tok__precompiled_ascii(const tok_normalizer *n, uint8_t c);
/* Whether Precompiled normalizer n gives the same text and alignments on a
 * text as on its parts cut between two ASCII chars that are not CR LF (each
 * part on its own, outputs joined): always under HF's rule (two ASCII chars
 * are two grapheme clusters), under SentencePiece's longest match when no
 * key holds two ASCII bytes in a row.  False when n is not Precompiled. */
bool tok__precompiled_ascii_cuts(const tok_normalizer *n);
/* The first step of a Sequence normalizer (NULL if n is not one, or empty). */
const tok_normalizer *tok__norm_sequence_first(const tok_normalizer *n);

/* ---- helpers ---- */

/** A normalizer without options: a bare tok_normalizer with vtable vt;
 *  NULL after reporting on jc. */
tok_normalizer *tok_norm_new_plain(tok_jctx *jc, const tok_normalizer_vt *vt);
/** free() for tok_norm_new_plain's normalizers. */
void tok_norm_free_plain(tok_normalizer *self);

/** Is cp in one of the n sorted, disjoint ranges r[i][0]..r[i][1]? */
bool tok_norm_in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp);

/** Rust's char::to_lowercase for single-char results (all but U+0130). */
uint32_t tok_norm_rust_lower(uint32_t cp);

/* Inline: they run once per char in the hot loops. */

/** Char at in->s[i]: code point (U+FFFD if invalid), byte length and
 *  original range (start of its first byte, end of its last byte). */
static inline uint32_t tok_norm_nchar(const tok_nstr *in, size_t i, size_t *len, uint32_t *r0, uint32_t *r1)
{
    uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, len);
    if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
    *r0 = in->a0[i];
    *r1 = in->a1[i + *len - 1];
    return cp;
}

/** Append one byte aligned to r0..r1 (the ASCII fast paths); -1 when out
 *  of memory. */
static inline int tok_norm_put_byte(tok_nstr *out, uint8_t c, uint32_t r0, uint32_t r1)
{
    if (out->n == out->cap && tok_nstr_reserve(out, out->n + 1)) return -1;
    out->s[out->n] = c;
    out->a0[out->n] = r0;
    out->a1[out->n] = r1;
    out->n++;
    return 0;
}

/** Append cp to out, every byte aligned to r0..r1; -1 when out of memory. */
static inline int tok_norm_put_cp(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1)
{
    if (out->n + 4 > out->cap && tok_nstr_reserve(out, out->n + 4)) return -1;
    if (cp < 0x80) {
        out->s[out->n] = (uint8_t)cp;
        out->a0[out->n] = r0;
        out->a1[out->n] = r1;
        out->n++;
        return 0;
    }
    uint8_t b[4];
    int k = tok_utf8_encode(cp, b);
    for (int i = 0; i < k; i++) {
        out->s[out->n] = b[i];
        out->a0[out->n] = r0;
        out->a1[out->n] = r1;
        out->n++;
    }
    return 0;
}

/** Append the Rust lowercase of cp (U+0130 gives "i" U+0307), every char
 *  keeping r0..r1; -1 when out of memory. */
int tok_norm_put_lower(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1);

/* HF NormalizedString::transform over the whole string, fed one output char
 * at a time with its change (0: takes the place of the next input char,
 * 1: inserted, -N: takes its place and N more input chars vanish).  pos is
 * HF's running byte offset into the input. */
typedef struct tok_norm_xf {
    const tok_nstr *in;
    tok_nstr *out;
    size_t pos;
    uint32_t p0, p1; /* range of the input char ending at pos (alignments[pos-1]) */
} tok_norm_xf;

/** Start a transform of in into out. */
void tok_norm_xf_init(tok_norm_xf *x, const tok_nstr *in, tok_nstr *out);
/** Move past k input chars (they vanish). */
void tok_norm_xf_skip(tok_norm_xf *x, size_t k);
/** Emit cp with its change; -1 when out of memory. */
int tok_norm_xf_put(tok_norm_xf *x, uint32_t cp, long change);

#endif
