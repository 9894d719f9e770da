/*
 * libtok — exact, fast tokenizers and token analysis.
 *
 * One header, the whole public API.  Conventions:
 *
 *  - Every symbol starts with tok_ / TOK_.  Handles are opaque.
 *  - Lifetimes are explicit: what tok_*_new / tok_load* returns is released
 *    with the matching tok_*_free.  Pointers returned by accessors stay valid
 *    as long as the object they came from (a tok_tokenizer) or until the next
 *    call on the same context (a tok_ctx), as each function says.
 *  - Errors: functions return tok_status (TOK_OK == 0) or NULL; tok_strerror()
 *    names a code, and the object involved carries a detailed message
 *    (tok_error for loaders, tok_ctx_error() for contexts) that names the file
 *    and the place (line:column, JSON path or byte offset) of bad input.
 *  - Threads: a tok_tokenizer is immutable after loading; every function that
 *    takes a `const tok_tokenizer *` is safe to call from any number of threads
 *    at once.  A tok_ctx (scratch buffers, caches, last error) and a
 *    tok_stream belong to one thread at a time.  There is no global mutable
 *    state.
 *  - Text is UTF-8.  Offsets are byte offsets into the caller's original
 *    text, carried through normalization.  Token ids are int32_t.
 */
#ifndef LIBTOK_TOK_H
#define LIBTOK_TOK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Symbol visibility: libtok is built with -fvisibility=hidden and exports
 * exactly the functions marked TOK_API (checked by `make check`). */
#if defined(_WIN32) && defined(TOK_BUILDING_DLL)
#  define TOK_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#  define TOK_API __attribute__((visibility("default")))
#else
#  define TOK_API
#endif

#define TOK_VERSION_MAJOR 0
#define TOK_VERSION_MINOR 1
#define TOK_VERSION_PATCH 0
#define TOK_VERSION_STRING "0.1.0"

/** Version of the library actually linked, e.g. "0.1.0". */
TOK_API const char *tok_version(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum tok_status {
    TOK_OK = 0,
    TOK_ERR_NOMEM,       /* allocation failed */
    TOK_ERR_IO,          /* file could not be opened or read */
    TOK_ERR_FORMAT,      /* malformed or truncated input file */
    TOK_ERR_UNSUPPORTED, /* unknown component type or option */
    TOK_ERR_ARG,         /* invalid argument (NULL, bad option value) */
    TOK_ERR_UTF8,        /* text is not valid UTF-8 (strict mode) */
    TOK_ERR_RANGE,       /* token id out of range */
    TOK_ERR_BUFFER,      /* caller buffer too small; the needed size is reported */
    TOK_ERR_LIMIT        /* input larger than libtok accepts (see TOK_MAX_TEXT) */
} tok_status;

/** Static English name of a status code. Thread-safe. */
TOK_API const char *tok_strerror(tok_status code);

/** Detailed error of a loader call: code plus a message naming file and place. */
typedef struct tok_error {
    tok_status code;
    char message[512];
} tok_error;

/** Largest text one encode call accepts, in bytes (offsets are 32-bit). */
#define TOK_MAX_TEXT ((size_t)0xFFFFFFF0u)

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct tok_tokenizer tok_tokenizer;

typedef enum tok_format {
    TOK_FORMAT_AUTO = 0,  /* guess from the name and the first bytes */
    TOK_FORMAT_HF_JSON,   /* HuggingFace tokenizer.json */
    TOK_FORMAT_TIKTOKEN,  /* tiktoken rank file (base64 token + rank per line) */
    TOK_FORMAT_SPM,       /* SentencePiece .model (protobuf) */
    TOK_FORMAT_BERT_VOCAB,/* BERT vocab.txt (one WordPiece token per line) */
    TOK_FORMAT_GPT2,      /* GPT-2 vocab.json + merges.txt */
    TOK_FORMAT_TOKPACK    /* libtok's compact native format (tok convert) */
} tok_format;

/** Tie rule among equal-score Unigram segmentations. */
typedef enum tok_unigram_ties {
    TOK_TIES_DEFAULT = 0, /* HF rule for tokenizer.json, SentencePiece rule for .model */
    TOK_TIES_HF,          /* HuggingFace tokenizers' Viterbi */
    TOK_TIES_SPM          /* SentencePiece's Viterbi (spm_encode) */
} tok_unigram_ties;

typedef struct tok_load_options {
    tok_format format;
    /* .tiktoken: split pattern by encoding name ("r50k_base", "p50k_base",
     * "cl100k_base", "o200k_base"; the "_base" may be left off) or NULL to
     * infer it from the file name. */
    const char *tiktoken_pattern;
    /* GPT-2 format: path of merges.txt; NULL = "merges.txt" beside vocab.json. */
    const char *merges_path;
    /* BERT vocab.txt: 1 lowercase (uncased), 0 keep case, -1 guess from the vocab. */
    int bert_lowercase;
    tok_unigram_ties unigram_ties;
    /* Use the general PCRE2 pre-tokenizer even where a hand-written scanner
     * for the same pattern exists (for differential tests; slower). */
    int regex_only;
} tok_load_options;

/** Fill *opt with defaults (auto format, inferred pattern, guessed case). */
TOK_API void tok_load_options_init(tok_load_options *opt);

/**
 * Load a tokenizer from a file, or from a directory holding one
 * (tokenizer.json, tokenizer.model, *.tiktoken, vocab.json+merges.txt,
 * vocab.txt, searched in that order).  opt may be NULL.  On failure returns
 * NULL and fills *err (if non-NULL) with a message naming the file and place.
 */
TOK_API tok_tokenizer *tok_load(const char *path, const tok_load_options *opt, tok_error *err);

/** Load from memory; `name` is used in error messages and to infer the format. */
TOK_API tok_tokenizer *tok_load_memory(const void *data, size_t len, const char *name,
                               const tok_load_options *opt, tok_error *err);

/**
 * Resolve a built-in name ("o200k_base", "cl100k_base", "llama3", "mistral",
 * "gemma3", "bert-base-uncased", ...) or a path to a file to load.  Built-in
 * names are looked up in $TOK_DATA_PATH (colon-separated directories), then the
 * installed data directory, then the reference cache filled by
 * `make fetch` ($TOK_CACHE, default ~/.cache/libtok).  Writes the path into
 * buf.  Returns TOK_OK, or TOK_ERR_IO if nothing was found.
 */
TOK_API tok_status tok_resolve(const char *name_or_path, char *buf, size_t cap);

/** Release a tokenizer. NULL is allowed. No context may still use it. */
TOK_API void tok_free(tok_tokenizer *t);

/* ------------------------------------------------------------------------ */
/* Introspection and vocabulary (all thread-safe)                            */
/* ------------------------------------------------------------------------ */

typedef enum tok_model_kind {
    TOK_MODEL_BPE = 1,
    TOK_MODEL_WORDPIECE,
    TOK_MODEL_UNIGRAM,
    TOK_MODEL_WORDLEVEL
} tok_model_kind;

TOK_API tok_model_kind tok_model_type(const tok_tokenizer *t);
/** "BPE", "WordPiece", "Unigram", "WordLevel". */
TOK_API const char *tok_model_name(const tok_tokenizer *t);

/** Pipeline stages, for tok_describe(). */
typedef enum tok_stage {
    TOK_STAGE_NORMALIZER,
    TOK_STAGE_PRETOKENIZER,
    TOK_STAGE_MODEL,
    TOK_STAGE_POSTPROCESSOR,
    TOK_STAGE_DECODER
} tok_stage;

/** Short human description of a stage, e.g. "Sequence[Prepend(▁), Replace( →▁)]",
 *  or "none".  Valid while t lives. */
TOK_API const char *tok_describe(const tok_tokenizer *t, tok_stage stage);

/** Name of the file the tokenizer came from (as given to tok_load). */
TOK_API const char *tok_source(const tok_tokenizer *t);

/** Number of ids: model vocabulary plus added tokens (max id + 1). */
TOK_API size_t tok_vocab_size(const tok_tokenizer *t);

/* Token flags. */
#define TOK_TOKEN_NORMAL       0x0000u
#define TOK_TOKEN_SPECIAL      0x0001u /* special token (skipped by decode when asked) */
#define TOK_TOKEN_ADDED        0x0002u /* added token, matched in raw text */
#define TOK_TOKEN_BYTE         0x0004u /* stands for one raw byte (<0xAB> or a byte-level char) */
#define TOK_TOKEN_UNK          0x0008u /* the unknown token */
#define TOK_TOKEN_CONTROL      0x0010u /* SentencePiece control piece */
#define TOK_TOKEN_UNUSED       0x0020u /* SentencePiece unused piece */
#define TOK_TOKEN_USER         0x0040u /* SentencePiece user-defined piece */
#define TOK_TOKEN_CONTINUATION 0x0080u /* carries the continuing-subword prefix (##) */
#define TOK_TOKEN_WORD_START   0x0100u /* starts with a word-start marker (Ġ, ▁) */
#define TOK_TOKEN_UNREACHABLE  0x0200u /* no model path can produce it (e.g. not byte-level text) */
#define TOK_TOKEN_NONE         0x8000u /* the id has no token (a hole in the vocabulary) */

/** Flags of an id; TOK_TOKEN_NONE for ids out of range or unassigned. */
TOK_API uint32_t tok_token_flags(const tok_tokenizer *t, int32_t id);

/** The token as written in the tokenizer file (e.g. "Ġthe", "▁the", "##ing").
 *  NULL if the id is unassigned.  Not NUL-terminated in general: use *len. */
TOK_API const char *tok_token_text(const tok_tokenizer *t, int32_t id, size_t *len);

/** The raw bytes the token stands for on its own (what a byte-level or
 *  byte-fallback token decodes to; ▁ stays ▁).  NULL if unassigned. */
TOK_API const uint8_t *tok_token_bytes(const tok_tokenizer *t, int32_t id, size_t *len);

/** Score of the token (Unigram log-probability; BPE: minus the merge rank
 *  that creates it, 0 for base tokens). */
TOK_API float tok_token_score(const tok_tokenizer *t, int32_t id);

/** Id of a token given as written in the file, or -1. */
TOK_API int32_t tok_token_id(const tok_tokenizer *t, const char *text, size_t len);

typedef enum tok_role { TOK_ROLE_UNK, TOK_ROLE_BOS, TOK_ROLE_EOS, TOK_ROLE_PAD,
                        TOK_ROLE_CLS, TOK_ROLE_SEP, TOK_ROLE_MASK } tok_role;
/** Id of a well-known special token, or -1 if the tokenizer has none. */
TOK_API int32_t tok_role_id(const tok_tokenizer *t, tok_role role);

/* ------------------------------------------------------------------------ */
/* Contexts: per-thread scratch, caches and last error                       */
/* ------------------------------------------------------------------------ */

typedef struct tok_ctx tok_ctx;

/** A context for encoding and decoding with t. t must outlive it.
 *  After warm-up, encoding with a context does not allocate. */
TOK_API tok_ctx *tok_ctx_new(const tok_tokenizer *t);
TOK_API void tok_ctx_free(tok_ctx *ctx);
/** Message of the last failed call on ctx ("" if none). */
TOK_API const char *tok_ctx_error(const tok_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Encoding                                                                  */
/* ------------------------------------------------------------------------ */

/** Inference method used inside each pre-token (any method, any vocabulary). */
typedef enum tok_method {
    TOK_METHOD_DEFAULT = 0,    /* what the file was trained with */
    TOK_METHOD_MERGES,         /* BPE merges by rank (with optional dropout) */
    TOK_METHOD_LONGEST_PREFIX, /* greedy left-to-right longest match (MaxMatch) */
    TOK_METHOD_LONGEST_SUFFIX, /* greedy right-to-left longest match */
    TOK_METHOD_LONGEST_TOKEN,  /* longest token anywhere, recurse both sides */
    TOK_METHOD_LEAST_TOKENS,   /* PathPiece: fewest tokens */
    TOK_METHOD_LIKELIHOOD,     /* Viterbi over unigram log-probabilities */
    TOK_METHOD_SAMPLE          /* Unigram sampling (subword regularization) */
} tok_method;

/** Name <-> method ("merges", "longest-prefix", ...). Unknown name: -1. */
TOK_API const char *tok_method_name(tok_method m);
TOK_API int tok_method_from_name(const char *name);

/** Tie rule for TOK_METHOD_LEAST_TOKENS. */
typedef enum tok_tie { TOK_TIE_LONGEST = 0, TOK_TIE_RANDOM } tok_tie;

/* Encode flags. */
#define TOK_ENC_ADD_SPECIAL   0x0001u /* run the post-processor (BOS/CLS...), as HF add_special_tokens */
#define TOK_ENC_OFFSETS       0x0002u /* fill offsets */
#define TOK_ENC_LOSSY         0x0004u /* invalid UTF-8 becomes U+FFFD (per maximal subpart)
                                         instead of failing with TOK_ERR_UTF8 */
#define TOK_ENC_SPECIAL_TEXT  0x0008u /* match special-token text in input */
#define TOK_ENC_NO_SPECIAL_TEXT 0x0010u /* never match special-token text (overrides) */

/*
 * Special-token text in input: a tokenizer.json matches its added tokens in
 * the text (as HF does); a .tiktoken file encodes them as ordinary text.
 * TOK_ENC_SPECIAL_TEXT / TOK_ENC_NO_SPECIAL_TEXT override that default for
 * special tokens (non-special added tokens are always matched).
 */

typedef struct tok_scores tok_scores; /* unigram log-probabilities, see below */

typedef struct tok_encode_options {
    uint32_t flags;          /* TOK_ENC_* */
    tok_method method;       /* TOK_METHOD_DEFAULT */
    float dropout;           /* BPE-dropout probability for MERGES (0 = none; <0 = the file's) */
    float alpha;             /* sampling smoothing for SAMPLE (Unigram), default 0.1 */
    int nbest;               /* SAMPLE: sample among the n best (<=0: from the full lattice) */
    tok_tie tie;             /* LEAST_TOKENS tie rule */
    uint64_t seed;           /* seed for dropout/sampling/random ties; 0 = fresh per context */
    const tok_scores *scores;/* LIKELIHOOD on a vocabulary without scores */
} tok_encode_options;

/** Defaults: TOK_ENC_ADD_SPECIAL|TOK_ENC_OFFSETS, the file's own method. */
TOK_API void tok_encode_options_init(tok_encode_options *opt);

typedef struct tok_offset { uint32_t start, end; } tok_offset;

/** Result of an encode call.  Arrays are owned by the context and valid until
 *  the next call on it.  Optional arrays are NULL when not requested. */
typedef struct tok_encoding {
    size_t n;                  /* number of tokens */
    const int32_t *ids;
    const tok_offset *offsets; /* byte range in the original text; (0,0) for added specials */
    const int32_t *words;      /* pre-token index of each token, -1 for specials */
    const uint8_t *type_ids;   /* sequence (segment) id, pairs: 0 or 1 */
    const uint8_t *special;    /* 1 for tokens inserted by the post-processor (as HF's special_tokens_mask) */
} tok_encoding;

/** Encode one text.  opt may be NULL (defaults). */
TOK_API tok_status tok_encode(tok_ctx *ctx, const char *text, size_t len,
                      const tok_encode_options *opt, tok_encoding *out);

/** Encode one large text on up to `threads` threads, with the same result as
 *  tok_encode.  The text is cut only where every pre-tokenizer libtok runs in
 *  its fast lane must split (after a newline, before a letter), and
 *  only for pipelines where that holds; otherwise, or for texts under 256 KiB,
 *  this is tok_encode.  Helper contexts are kept in ctx for reuse. */
TOK_API tok_status tok_encode_threads(tok_ctx *ctx, const char *text, size_t len,
                              const tok_encode_options *opt, int threads, tok_encoding *out);

/** Encode a pair (e.g. question/context for BERT); type_ids tell the sides. */
TOK_API tok_status tok_encode_pair(tok_ctx *ctx, const char *a, size_t alen,
                           const char *b, size_t blen,
                           const tok_encode_options *opt, tok_encoding *out);

/** Encode into a caller buffer of `cap` ids; *n gets the count.  If the buffer
 *  is too small returns TOK_ERR_BUFFER with *n = the count needed.  No
 *  allocation once the context is warm. */
TOK_API tok_status tok_encode_ids(tok_ctx *ctx, const char *text, size_t len,
                          const tok_encode_options *opt,
                          int32_t *ids, size_t cap, size_t *n);

/** Encode one pre-token, already normalized and pre-tokenized (as
 *  tok_pretokenize() gives it), with the chosen method.  Offsets are relative
 *  to `piece`.  No post-processing, no added-token matching. */
TOK_API tok_status tok_encode_pretoken(tok_ctx *ctx, const char *piece, size_t len,
                               const tok_encode_options *opt, tok_encoding *out);

/* ------------------------------------------------------------------------ */
/* Pipeline stages, for analyzers                                            */
/* ------------------------------------------------------------------------ */

/** Run the normalizer. *out gets the normalized text, *align (if non-NULL) one
 *  original byte range per output byte.  Valid until the next call on ctx. */
TOK_API tok_status tok_normalize(tok_ctx *ctx, const char *text, size_t len,
                         const char **out, size_t *out_len, const tok_offset **align);

typedef struct tok_pretoken {
    const char *text;   /* the pre-token as the model sees it (normalized, ▁ etc.) */
    uint32_t len;
    tok_offset offset;  /* its range in the original text */
    int32_t id;         /* >= 0: an added token matched here; the model is not run */
} tok_pretoken;

/** Added-token matching, normalization and pre-tokenization, without the
 *  model: the word/pre-token boundaries.  Valid until the next call on ctx. */
TOK_API tok_status tok_pretokenize(tok_ctx *ctx, const char *text, size_t len, uint32_t flags,
                           const tok_pretoken **out, size_t *n);

/* ------------------------------------------------------------------------ */
/* Decoding                                                                  */
/* ------------------------------------------------------------------------ */

#define TOK_DEC_SKIP_SPECIAL 0x0001u /* leave out special tokens */

/** Decode ids to text, as the reference does (invalid byte sequences become
 *  U+FFFD).  *text is owned by ctx, NUL-terminated, valid until the next call. */
TOK_API tok_status tok_decode(tok_ctx *ctx, const int32_t *ids, size_t n, uint32_t flags,
                      const char **text, size_t *len);

/** Incremental decoder for generated ids: never emits a broken UTF-8 sequence. */
typedef struct tok_stream tok_stream;
TOK_API tok_stream *tok_stream_new(const tok_tokenizer *t, uint32_t flags);
TOK_API void tok_stream_free(tok_stream *s);
/** Feed one id; *chunk gets the text that became final (possibly empty).
 *  Valid until the next call on s. */
TOK_API tok_status tok_stream_push(tok_stream *s, int32_t id, const char **chunk, size_t *len);
/** End of ids: flush what is pending (incomplete bytes become U+FFFD). */
TOK_API tok_status tok_stream_finish(tok_stream *s, const char **chunk, size_t *len);
TOK_API const char *tok_stream_error(const tok_stream *s);

/* ------------------------------------------------------------------------ */
/* Unigram scores for any vocabulary (TOK_METHOD_LIKELIHOOD)                 */
/* ------------------------------------------------------------------------ */

/** Estimate unigram log-probabilities for t's vocabulary from a corpus
 *  (EM over the segmentation lattice, `iters` rounds, starting from counts of
 *  the default method).  NULL on error, with *err filled. */
TOK_API tok_scores *tok_scores_estimate(const tok_tokenizer *t, const char *text, size_t len,
                                int iters, tok_error *err);
TOK_API tok_scores *tok_scores_load(const tok_tokenizer *t, const char *path, tok_error *err);
TOK_API tok_status tok_scores_save(const tok_scores *s, const char *path, tok_error *err);
TOK_API void tok_scores_free(tok_scores *s);

/* ------------------------------------------------------------------------ */
/* Load warnings                                                             */
/* ------------------------------------------------------------------------ */
/*
 * What the reference accepts with a warning is accepted and reported here:
 * e.g. an added token whose "id" in tokenizer.json is not the id HF gives it
 * (HF numbers added tokens itself: the vocabulary's id when the content is
 * already there, else the next free id; libtok does the same).  At most 64
 * messages are kept, and one more counts those left out.  Thread-safe; the
 * strings live as long as t.
 */

/** Number of load warnings of t (0 for NULL). */
TOK_API size_t tok_warning_count(const tok_tokenizer *t);
/** Warning i (0-based), a NUL-terminated message naming the file and the
 *  place; NULL if i is out of range. */
TOK_API const char *tok_warning(const tok_tokenizer *t, size_t i);

/* ------------------------------------------------------------------------ */
/* Dropped bytes                                                             */
/* ------------------------------------------------------------------------ */

/**
 * Bytes of the (normalized) text of the last encode call on ctx that no
 * token stands for.  A BPE model without an unknown token or byte fallback
 * drops the characters it has no token for; HF does so silently and libtok
 * keeps HF's ids, but reports the count here (0 when everything was
 * encoded).  Valid until the next call on ctx; 0 for NULL.
 */
TOK_API size_t tok_dropped_bytes(const tok_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Truncation and padding                                                    */
/* ------------------------------------------------------------------------ */
/*
 * A tokenizer.json may carry "truncation" and "padding"; they apply to every
 * encode call (tok_encode, tok_encode_pair, tok_encode_threads) as HF applies
 * them: truncation before the post-processor (max_length counts the special
 * tokens it will add when TOK_ENC_ADD_SPECIAL is set), the parts cut off as
 * overflowing encodings (each post-processed too; `stride` tokens repeated
 * between consecutive parts), padding last (the overflowing encodings are
 * padded to the same length).  A context can override the file's settings.
 *
 * Batches: HF's BatchLongest pads every encoding of encode_batch to the
 * longest of them.  One encode call is its own batch (padded to its own
 * length, rounded up to `multiple`); to pad a batch, encode it once, take
 * the longest length, and encode with length set to it (what `tok encode
 * --lines` does).
 *
 * Both structs start with a size field (set by the _init functions) so that
 * fields can be added: the library reads only the first `size` bytes.
 */

typedef enum tok_trunc_strategy {
    TOK_TRUNC_LONGEST_FIRST = 0, /* HF LongestFirst: cut the longer sequence first */
    TOK_TRUNC_ONLY_FIRST,        /* HF OnlyFirst */
    TOK_TRUNC_ONLY_SECOND        /* HF OnlySecond (pairs only) */
} tok_trunc_strategy;

typedef enum tok_side { TOK_SIDE_RIGHT = 0, TOK_SIDE_LEFT } tok_side;

typedef struct tok_truncation {
    size_t size;                 /* sizeof(tok_truncation) */
    int enabled;                 /* 0: no truncation */
    size_t max_length;           /* tokens kept, special tokens included */
    size_t stride;               /* tokens repeated between overflowing parts (< the length cut to) */
    tok_trunc_strategy strategy;
    tok_side direction;          /* RIGHT cuts the end, LEFT the start */
} tok_truncation;

typedef struct tok_padding {
    size_t size;                 /* sizeof(tok_padding) */
    int enabled;                 /* 0: no padding */
    size_t length;               /* HF Fixed(length); 0: BatchLongest (see above) */
    size_t multiple;             /* pad_to_multiple_of; 0: none */
    int32_t pad_id;
    uint32_t pad_type_id;
    const char *pad_token;       /* its text (for display); copied by the setter */
    tok_side direction;          /* RIGHT pads after the tokens, LEFT before */
} tok_padding;

/** Disabled, with HF's defaults (stride 0, longest first, right). */
TOK_API void tok_truncation_init(tok_truncation *tr);
/** Disabled, with HF's defaults (BatchLongest, pad id 0, "[PAD]", right). */
TOK_API void tok_padding_init(tok_padding *p);
/** The file's settings (enabled = 0 if it has none).  out->size must be set
 *  (tok_*_init).  pad_token stays valid as long as t.  Thread-safe. */
TOK_API tok_status tok_get_truncation(const tok_tokenizer *t, tok_truncation *out);
TOK_API tok_status tok_get_padding(const tok_tokenizer *t, tok_padding *out);
/** Use these settings for the encode calls on ctx instead of the file's;
 *  NULL goes back to the file's.  Disabling is { enabled = 0 }.  TOK_ERR_ARG
 *  for a size of 0 or a stride not below max_length. */
TOK_API tok_status tok_ctx_set_truncation(tok_ctx *ctx, const tok_truncation *tr);
TOK_API tok_status tok_ctx_set_padding(tok_ctx *ctx, const tok_padding *p);

/** Attention mask of the last encoding on ctx: n entries, 1 for tokens, 0
 *  for padding.  Valid until the next call on ctx; NULL before any encode. */
TOK_API const uint8_t *tok_attention_mask(const tok_ctx *ctx);
/** Number of overflowing encodings of the last encode call on ctx. */
TOK_API size_t tok_overflowing_count(const tok_ctx *ctx);
/** Overflowing encoding i (in HF's order) into *out, and its attention mask
 *  into *mask (if non-NULL).  Valid until the next encode call on ctx.
 *  TOK_ERR_RANGE if i >= tok_overflowing_count(ctx). */
TOK_API tok_status tok_overflowing(const tok_ctx *ctx, size_t i, tok_encoding *out, const uint8_t **mask);

/* ------------------------------------------------------------------------ */
/* Conversion                                                                */
/* ------------------------------------------------------------------------ */

/** Write t as a HuggingFace tokenizer.json (TOK_FORMAT_HF_JSON) or as libtok's
 *  compact format (TOK_FORMAT_TOKPACK). */
TOK_API tok_status tok_save(const tok_tokenizer *t, const char *path, tok_format format, tok_error *err);

#ifdef __cplusplus
}
#endif
#endif /* LIBTOK_TOK_H */
