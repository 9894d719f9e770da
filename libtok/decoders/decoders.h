/*
 * What the decoder files share: each decoder's constructor (one file each,
 * dispatched on "type" by decoder.c) and the helpers of decoder.c and
 * wordpiece.c.  Not installed.
 */
#ifndef LIBTOK_DECODERS_DECODERS_H
#define LIBTOK_DECODERS_DECODERS_H

#include "../core/json.h"

/* ---- constructors (one file each) ---- */
/** ByteLevel (bytelevel.c): GPT-2 characters back to bytes, lossy UTF-8. */
tok_decoder *tok_dec_bytelevel_from_json(tok_jctx *jc, const json_t *j);
/** Replace (replace.c): each match of a string or Oniguruma regex replaced. */
tok_decoder *tok_dec_replace_from_json(tok_jctx *jc, const json_t *j);
/** ByteFallback (byte_fallback.c): runs of <0xAB> tokens back to bytes. */
tok_decoder *tok_dec_byte_fallback_from_json(tok_jctx *jc, const json_t *j);
/** Fuse (fuse.c): all tokens joined into one string. */
tok_decoder *tok_dec_fuse_from_json(tok_jctx *jc, const json_t *j);
/** Strip (strip.c): leading/trailing copies of one character removed. */
tok_decoder *tok_dec_strip_from_json(tok_jctx *jc, const json_t *j);
/** Metaspace (metaspace.c): the replacement character back to spaces. */
tok_decoder *tok_dec_metaspace_from_json(tok_jctx *jc, const json_t *j);
/** WordPiece (wordpiece.c): continuing-subword prefix removed, cleanup. */
tok_decoder *tok_dec_wordpiece_from_json(tok_jctx *jc, const json_t *j);
/** BPEDecoder (bpe.c): end-of-word suffix becomes a space. */
tok_decoder *tok_dec_bpe_from_json(tok_jctx *jc, const json_t *j);
/** CTC (ctc.c): duplicates and pad tokens dropped, optional cleanup. */
tok_decoder *tok_dec_ctc_from_json(tok_jctx *jc, const json_t *j);
/** Sequence (sequence.c): decoders chained, each on the previous output. */
tok_decoder *tok_dec_sequence_from_json(tok_jctx *jc, const json_t *j);

/* ---- helpers (decoder.c unless noted) ---- */
/** n bytes (at least 1) from the call arena; NULL after reporting on ctx. */
char *tok_dec_alloc(tok_ctx *ctx, size_t n);
/** Rust's str::replace of from by to in `in`; *out is `in` if nothing matches. */
tok_status tok_dec_replace_all(tok_ctx *ctx, tok_str in, const char *from, size_t fn,
                               const char *to, size_t tn, tok_str *out);
/** NUL-terminated heap copy of an option string; NULL after reporting on jc. */
char *tok_dec_strdup(tok_jctx *jc, const char *s, size_t n);
/** Read a one-character option (HF `char`) into out; 0, or -1 reported. */
int tok_dec_char_opt(tok_jctx *jc, const json_t *j, const char *key, char out[5], bool required);
/** Read an optional integer option in 0..max into *out; 0, or -1 reported. */
int tok_dec_uint_opt(tok_jctx *jc, const json_t *j, const char *key, uint64_t max, uint64_t *out);
/** HF's WordPiece cleanup (" ." -> ".", " n't" -> "n't", ...) (wordpiece.c, used by CTC). */
tok_status tok_dec_wordpiece_cleanup(tok_ctx *ctx, tok_str in, tok_str *out);

#endif /* LIBTOK_DECODERS_DECODERS_H */
