/*
 * Shared by the pre-tokenizers (not part of internal.h): the split engine
 * that reproduces HF NormalizedString::split with its five delimiter
 * behaviours, Oniguruma-compatible regexes on PCRE2, Unicode predicates as
 * HF's Rust code sees them, and each component's constructor.
 */
#ifndef LIBTOK_PRETOK_H
#define LIBTOK_PRETOK_H

#include "../core/json.h"
#include "../regex/regex.h"

/* HF SplitDelimiterBehavior. */
typedef enum tok_split_behavior {
    TOK_SPLIT_REMOVED,
    TOK_SPLIT_ISOLATED,
    TOK_SPLIT_MERGED_WITH_PREVIOUS,
    TOK_SPLIT_MERGED_WITH_NEXT,
    TOK_SPLIT_CONTIGUOUS
} tok_split_behavior;

const char *tok_split_behavior_name(tok_split_behavior b);
/** Read jc/obj[key] as a behaviour name; absent and !required leaves *out. 0 ok, -1 reported. */
int tok_pt_behavior(tok_jctx *jc, const json_t *obj, const char *key, bool required, tok_split_behavior *out);

/*
 * The split engine.  A pattern reports the source piece as contiguous,
 * ordered segments (start, end, is_match) covering it, exactly as HF's
 * Pattern::find_matches; the splitter folds them per behaviour and appends
 * the non-empty results to out as views of the source.
 */
typedef struct tok_splitter {
    const tok_piece *src;
    tok_pieces *out;
    tok_split_behavior b;
    uint32_t ps, pe;  /* pending segment */
    bool have;        /* a segment is pending */
    bool pend_match;  /* MergedWithNext: the pending segment is a lone match */
    bool prev;        /* is_match of the previous segment */
} tok_splitter;

void tok_splitter_init(tok_splitter *sp, const tok_piece *src, tok_split_behavior b, tok_pieces *out);
/** -1 on allocation failure. */
int tok_splitter_seg(tok_splitter *sp, uint32_t s, uint32_t e, bool is_match);
int tok_splitter_finish(tok_splitter *sp);

/** Append a view [s, e) of src if non-empty. -1 on allocation failure. */
int tok_pt_emit(tok_pieces *out, const tok_piece *src, uint32_t s, uint32_t e);

/** Decode one scalar of valid UTF-8; *len gets its length. */
static inline uint32_t tok_pt_decode(const uint8_t *s, uint32_t *len)
{
    uint32_t c = s[0];
    if (c < 0x80) { *len = 1; return c; }
    if (c < 0xE0) { *len = 2; return ((c & 0x1F) << 6) | (s[1] & 0x3F); }
    if (c < 0xF0) { *len = 3; return ((c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F); }
    *len = 4;
    return ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

/** HF's Pattern for a char predicate: every char with pred true is one match. */
typedef bool (*tok_pt_pred)(uint32_t cp, const void *arg);
int tok_pt_split_pred(const tok_piece *src, tok_pt_pred pred, const void *arg, bool invert,
                      tok_split_behavior b, tok_pieces *out);

/** Per-piece worker for tok_pt_map. */
typedef tok_status (*tok_pt_piece_fn)(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx,
                                      void *scratch);
/** Run fn on every piece of in with id < 0 and n > 0; copy added-token pieces through. */
tok_status tok_pt_map(const void *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx, tok_pt_piece_fn fn,
                      void *scratch);

/** TOK_ERR_NOMEM through ctx. */
tok_status tok_pt_nomem(tok_ctx *ctx);

/* ---- what every component's constructor, free and to_json would repeat ---- */
/** calloc size bytes (a struct whose first member is its tok_pretok) with
 *  vt set; NULL after reporting through jc. */
void *tok_pt_new(tok_jctx *jc, size_t size, const tok_pretok_vt *vt);
/** free for components that own nothing beyond their struct. */
void tok_pt_free_plain(tok_pretok *self);
/** to_json for components without options: {"type": vt->type}, so vt->type
 *  must be HF's type name. */
json_t *tok_pt_type_json(const tok_pretok *self);

/* ---- Oniguruma patterns: regex/regex.h; splitting by one (regex_split.c) ---- */
/** Split src by the regex as HF (onig find_iter + Pattern::find_matches). */
tok_status tok_pt_split_regex(tok_pt_matcher *m, const tok_piece *src, bool invert, tok_split_behavior b,
                              tok_pieces *out, tok_ctx *ctx);

/* ---- constructors (one file each) ---- */
tok_pretok *tok_pt_split_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_bytelevel_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_metaspace_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_whitespace_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_whitespace_split_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_bert_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_digits_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_punctuation_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_char_delimiter_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_unicode_scripts_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_fixed_length_from_json(tok_jctx *jc, const json_t *j);
tok_pretok *tok_pt_sequence_from_json(tok_jctx *jc, const json_t *j);

/* ---- the view of the members after a ByteLevel in a Sequence (byte_chars.c) ---- */
/** Each piece's bytes as GPT-2 characters (HF's text after ByteLevel). */
tok_status tok_pt_to_byte_chars(const tok_pieces *in, tok_pieces *out, tok_ctx *ctx);
/** Back to raw bytes; characters outside the alphabet stay as they are. */
tok_status tok_pt_from_byte_chars(const tok_pieces *in, tok_pieces *out, tok_ctx *ctx);

/** p's words between Unicode White_Space (dropped), as WhitespaceSplit
 *  gives them; with `punct`, every punctuation character (HF's is_punc) a
 *  piece of its own too, as BertPreTokenizer (whitespace_split.c). */
tok_status tok_pt_split_words(const tok_piece *p, bool punct, tok_pieces *out, tok_ctx *ctx);

/** True if p is a ByteLevel pre-tokenizer (Sequence asks its members). */
bool tok_pt_sequence_is_byte_level(const tok_pretok *p);

#endif
