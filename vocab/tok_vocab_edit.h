/*
 * libtok vocab/ surgery: remove, add, extend and shrink the vocabulary of an
 * existing tokenizer, keeping it consistent.  Library: libtok_vocab.a.
 *
 * A tok_edit holds the tokenizer as a tokenizer.json document (any format
 * tok_load reads is converted with tok_save).  Edits work on it in place:
 *
 *  - remove: the tokens leave the vocabulary and the added tokens; a BPE
 *    merge whose left part, right part or result is removed goes too; the
 *    post-processor's special-token ids follow.  Ids stay where they were
 *    (holes) until tok_edit_compact renumbers them densely.  The unknown
 *    token and the base byte tokens of a byte-level or byte-fallback
 *    vocabulary are refused (text would become unencodable) unless forced.
 *  - add: HF's add_tokens / add_special_tokens: a token already in the model
 *    vocabulary keeps its id (and becomes an added token); a new one gets the
 *    next id after every id in use.  Special tokens are not normalized;
 *    regular ones are.
 *  - extend (BPE): merges learnt on new counts are appended after every
 *    existing merge, new tokens get ids after every id in use: the ids of the
 *    old tokens and the order of the old merges do not change, so text the
 *    new merges never touch encodes as before; given text to keep, pairs
 *    adjacent in its encodings are never merged, so it encodes as before.
 *  - shrink: keep only the tokens a corpus uses, with what they need: the
 *    parts of the merges producing them (BPE), single characters/bytes, the
 *    unknown token and added tokens.
 *
 * The id map (tok_edit_id_map) gives, for every id of the original
 * tokenizer, its id now or -1: written by `tok vocab` as "OLD<TAB>NEW" lines
 * for re-indexing an embedding matrix.
 *
 * A tok_edit belongs to one thread at a time.  Errors fill *err (may be NULL)
 * naming the id, option or file:line at fault.
 */
#ifndef LIBTOK_VOCAB_TOK_VOCAB_EDIT_H
#define LIBTOK_VOCAB_TOK_VOCAB_EDIT_H

#include <libtok/tok.h>
#include "tok_train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tok_edit tok_edit;

/** Open a tokenizer (file, directory or built-in name) for editing. */
TOK_API tok_edit *tok_edit_open(const char *name_or_path, tok_error *err);
TOK_API void tok_edit_free(tok_edit *e);

/** Ids in use now + 1 (largest id + 1, holes included). */
TOK_API size_t tok_edit_size(const tok_edit *e);

#define TOK_EDIT_FORCE 0x1u /* remove the unk token and base byte tokens too */

/** Remove ids (ids of the tokenizer as it is now).  An id that does not
 *  exist is an error naming it; nothing is removed then. */
TOK_API tok_status tok_edit_remove(tok_edit *e, const int32_t *ids, size_t n, uint32_t flags, tok_error *err);

/** Add a token as HF add_tokens (special = 0) or add_special_tokens
 *  (special = 1).  *id (may be NULL) gets its id. */
TOK_API tok_status tok_edit_add(tok_edit *e, const char *text, size_t len, int special, int32_t *id,
                                tok_error *err);

/** Extend a BPE vocabulary by up to n_new tokens learnt from counts made
 *  behind this tokenizer's own pipeline in model space (tok_template_like on
 *  the same tokenizer with tok_template_model_space), pairs seen at least
 *  min_frequency times.  keep (may be NULL): text whose encodings (whole and
 *  line by line) must not change: no pair adjacent in them is merged, so no
 *  new merge ever applies to it.  *added gets the number of new tokens. */
TOK_API tok_status tok_edit_extend(tok_edit *e, tok_counts *c, size_t n_new, uint64_t min_frequency,
                                   const char *keep, size_t keep_len, size_t *added, tok_error *err);

/** Keep only what the text uses (see above); the text is encoded with the
 *  tokenizer as it is now.  *removed gets the number of ids dropped. */
TOK_API tok_status tok_edit_shrink(tok_edit *e, const char *text, size_t len, size_t *removed, tok_error *err);

/** Renumber densely (ids keep their order). */
TOK_API tok_status tok_edit_compact(tok_edit *e, tok_error *err);

/** For each id of the original tokenizer (0 .. *n-1), its id now or -1.
 *  Valid until the next edit. */
TOK_API const int32_t *tok_edit_id_map(const tok_edit *e, size_t *n);

/** The tokenizer as it is now (loaded from the document: the loaders' checks
 *  apply).  Free with tok_free. */
TOK_API tok_tokenizer *tok_edit_build(tok_edit *e, tok_error *err);

/** Write the document as a tokenizer.json.  Refused (TOK_ERR_ARG, nothing
 *  written) when holes in the ids would make HF renumber added tokens that
 *  are not in the model vocabulary (it numbers them from the vocabulary's
 *  size): compact first. */
TOK_API tok_status tok_edit_save(const tok_edit *e, const char *path, tok_error *err);

#ifdef __cplusplus
}
#endif
#endif
