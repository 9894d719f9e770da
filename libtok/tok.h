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
/** MAJOR * 10000 + MINOR * 100 + PATCH, for preprocessor comparisons. */
#define TOK_VERSION_NUMBER (TOK_VERSION_MAJOR * 10000 + TOK_VERSION_MINOR * 100 + TOK_VERSION_PATCH)

/*
 * ABI policy.  libtok.so exports exactly the functions declared TOK_API in
 * this header (a linker version script and `make check` hold it to that).
 * Within one major version (the soname, libtok.so.MAJOR) functions are only
 * added, never changed or removed.  Structs the library reads from the
 * caller (tok_load_options, tok_encode_options) or fills for it
 * (tok_model_info) start with a `size` field: new fields are only appended,
 * the library reads or writes no byte beyond `size`, and fields the caller's
 * struct lacks take their defaults.  So initialise option structs with their
 * *_init function (it sets size and the defaults), then set fields; a struct
 * with size 0 (not initialised) is refused with TOK_ERR_ARG.  Result structs
 * owned by the library (tok_encoding, tok_pretoken) and enums only grow at
 * the end.
 */

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
    TOK_ERR_LIMIT        /* input larger than libtok accepts (see TOK_MAX_TEXT), or text the
                            normalizers would grow past 64 times its size plus 1 MiB (the
                            decoder chain: 16 times plus 4 KiB) */
} tok_status;

/** Static English name of a status code. Thread-safe. */
TOK_API const char *tok_strerror(tok_status code);

/** Detailed error of a loader call: code plus a message naming file and place. */
typedef struct tok_error {
    tok_status code;
    char message[512];
} tok_error;

/** Length of the longest valid UTF-8 prefix of s[0..n) (n when all of it is
 *  valid): RFC 3629, so no overlong forms, surrogates or scalars past
 *  U+10FFFF -- the check every encode makes before it reads a text.  32 bytes
 *  at a time where the CPU has AVX2.  Thread-safe. */
TOK_API size_t tok_utf8_valid_prefix(const char *s, size_t n);

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
    TOK_FORMAT_TOKPACK,   /* libtok's native format (tok convert; tokpack(5)) */
    TOK_FORMAT_GGUF       /* the vocabulary of a GGUF model file (llama.cpp's
                             tokenizer.ggml.* metadata; tensors are not read) */
} tok_format;

/** Tie rule among equal-score Unigram segmentations. */
typedef enum tok_unigram_ties {
    TOK_TIES_DEFAULT = 0, /* HF rule for tokenizer.json, SentencePiece rule for .model */
    TOK_TIES_HF,          /* HuggingFace tokenizers' Viterbi */
    TOK_TIES_SPM          /* SentencePiece's Viterbi (spm_encode) */
} tok_unigram_ties;

typedef struct tok_load_options {
    size_t size;         /* sizeof(tok_load_options): set by tok_load_options_init */
    tok_format format;
    /* .tiktoken: split pattern by encoding name ("r50k_base", "p50k_base",
     * "cl100k_base", "o200k_base"; the "_base" may be left off) or NULL to
     * infer it from the file name. */
    const char *tiktoken_pattern;
    /* GPT-2 format: path of merges.txt; NULL = "merges.txt" beside vocab.json. */
    const char *merges_path;
    /* GPT-2 format from memory (tok_load_memory with TOK_FORMAT_GPT2): the
     * bytes of merges.txt, borrowed for the call; the data given is vocab.json. */
    const void *merges_data;
    size_t merges_len;
    /* BERT vocab.txt: 1 lowercase (uncased), 0 keep case, -1 guess from the vocab. */
    int bert_lowercase;
    tok_unigram_ties unigram_ties;
    /* Use the general PCRE2 pre-tokenizer even where a hand-written scanner
     * for the same pattern exists, and the general pipeline where a fused
     * lane for the family exists (for differential tests; slower). */
    int regex_only;
} tok_load_options;

/** Fill *opt with defaults (auto format, inferred pattern, guessed case) and
 *  its size (see the ABI policy above). */
TOK_API void tok_load_options_init(tok_load_options *opt);

/**
 * Load a tokenizer from a file, or from a directory holding one
 * (tokenizer.json, tokenizer.model, *.tiktoken, vocab.json+merges.txt,
 * vocab.txt, *.gguf, searched in that order; several *.tiktoken or *.gguf
 * files in one directory are refused as ambiguous: name the file).  A GGUF
 * file is mapped, not read: only its metadata pages are touched.  A .tokpack
 * (uncompressed) is mapped and used in place until tok_free: replace such a
 * file by renaming another over it (as tok_save does), never rewrite it in
 * place while it is loaded.  opt may be NULL.  On failure returns
 * NULL and fills *err (if non-NULL) with a message naming the file and place.
 * Memory: the byte-level BPE tables of 2 MiB or more are mapped on huge
 * pages where the system allows it, and the call ends by giving the heap's
 * free memory back to the system (glibc malloc_trim: building the tables
 * frees many MiB of temporaries; in a process with a large heap of its own
 * that walk costs a little time).
 */
TOK_API tok_tokenizer *tok_load(const char *path, const tok_load_options *opt, tok_error *err);

/** Load from memory (same memory behaviour as tok_load); `name` is used in
 *  error messages and to infer the format. */
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

/** Model-name aliases that tok_resolve follows where the mapping is
 *  unambiguous ("gpt-4o" -> "o200k_base", "gpt-4" -> "cl100k_base", "gpt2" ->
 *  "r50k_base", ...): the i-th alias, with *target set to the built-in name it
 *  stands for; NULL past the end.  Static strings; thread-safe. */
TOK_API const char *tok_alias(size_t i, const char **target);

/** The directories tok_resolve searches for built-in names, in order, joined
 *  by ':' into buf (NUL-terminated when it fits).  Returns the length needed. */
TOK_API size_t tok_data_path(char *buf, size_t cap);

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

/** A stage as text: the component's tokenizer.json object (compact JSON) for
 *  the normalizer, pre-tokenizer, post-processor and decoder; a short
 *  description for the model ("BPE (128000 model tokens, byte-level)");
 *  "none" when the stage is absent.  Valid while t lives. */
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
#define TOK_TOKEN_BYTE_FALLBACK 0x0400u /* a byte-fallback piece "<0xAB>" (also TOK_TOKEN_BYTE) */
#define TOK_TOKEN_BYTE_CHAR    0x0800u /* one GPT-2 byte-level character, e.g. "Ġ" (also TOK_TOKEN_BYTE) */
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

/** Id of the model token that stands for exactly these model-space bytes, or
 *  -1.  Model space is what the model matches against pre-tokens: for a
 *  byte-level vocabulary (ByteLevel, tiktoken) the raw bytes ("Ġthe" is
 *  " the"), otherwise the token text as written ("▁the", "##ing", "<0x41>").
 *  Only the model's own vocabulary is searched (not added tokens).  On
 *  duplicates the lowest id wins. */
TOK_API int32_t tok_token_from_bytes(const tok_tokenizer *t, const void *bytes, size_t len);

/**
 * How the token reads in running text: byte-level characters become their
 * bytes ("Ġthe" -> " the"), a word-start "▁" becomes a space, the
 * continuing-subword prefix ("##") and the end-of-word suffix ("</w>") are
 * dropped, a byte-fallback piece "<0xAB>" becomes its byte.  Other tokens
 * (added tokens included) read as written.  The result may be a partial
 * UTF-8 sequence.  Writes at most cap bytes into buf (no NUL); *len gets the
 * full length.  Returns TOK_ERR_RANGE for an unassigned id, TOK_ERR_BUFFER
 * (with *len set) if cap is too small.  Thread-safe, no allocation.
 */
TOK_API tok_status tok_token_surface(const tok_tokenizer *t, int32_t id, char *buf, size_t cap, size_t *len);

/** The GPT-2 byte-level spelling of raw bytes (byte 0x20 -> "Ġ"), as written in
 *  byte-level vocabulary files.  Writes at most cap bytes (no NUL) and returns
 *  the full length (at most 2 * len).  Thread-safe. */
TOK_API size_t tok_byte_level_text(const void *bytes, size_t len, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* Model details                                                             */
/* ------------------------------------------------------------------------ */

/**
 * Model settings in one struct.  ABI: the caller sets `size` to
 * sizeof(tok_model_info) (TOK_MODEL_INFO_INIT does); the library fills only
 * the fields that fit in `size`, so fields may be added at the end in later
 * versions without breaking old callers.
 */
typedef struct tok_model_info {
    size_t size;               /* sizeof(tok_model_info), set by the caller */
    tok_model_kind kind;
    int byte_level;            /* model space is raw bytes spelt with the GPT-2 byte->char map */
    int byte_fallback;         /* unknown characters become <0xAB> pieces */
    int ranked;                /* BPE whose merges follow from token ranks (tiktoken files) */
    int ignore_merges;         /* BPE: a pre-token that is a token is taken whole */
    int fuse_unk;              /* consecutive unknowns fused into one unk */
    float dropout;             /* BPE-dropout of the file (0 = none) */
    int32_t unk_id;            /* unknown token, -1 none */
    const char *cont_prefix;   /* continuing-subword prefix ("##") or NULL */
    const char *eow_suffix;    /* end-of-word suffix ("</w>") or NULL */
    const char *word_start;    /* word-start marker in token text: "Ġ" (byte-level), "▁" (SentencePiece-style) or NULL */
    size_t model_vocab_size;   /* ids the model itself owns (added tokens beyond) */
    size_t merge_count;        /* tok_merge_count() */
} tok_model_info;
#define TOK_MODEL_INFO_INIT { .size = sizeof(tok_model_info) }

/** Fill *info (info->size set by the caller; strings valid while t lives).
 *  TOK_ERR_ARG if info->size is smaller than the first two fields. */
TOK_API tok_status tok_model_info_get(const tok_tokenizer *t, tok_model_info *info);

/*
 * Merges (BPE).  A merge joins two adjacent tokens `left right` into
 * `merged`; rank r is the r-th merge, lower ranks apply first.  For a
 * tokenizer.json / vocab.json+merges / SentencePiece BPE, the merges of the
 * file in file order.  For a rank vocabulary (tiktoken: any two parts whose
 * bytes together are a token merge, at that token's rank) there is no merge
 * list in the file; libtok derives one merge per multi-byte token, in rank
 * order: the last merge tiktoken makes when it encodes the token's own bytes
 * with lower ranks only -- the same list `tok convert` writes into
 * tokenizer.json.  Tokens that cannot be reached that way have no merge.  The
 * derived list is built on first use (thread-safe).  Other models have no
 * merges (count 0).
 */
TOK_API size_t tok_merge_count(const tok_tokenizer *t);
/** The merge of a rank: ids of its two parts and of the result (any pointer
 *  may be NULL).  TOK_ERR_RANGE if rank >= tok_merge_count(). */
TOK_API tok_status tok_merge_get(const tok_tokenizer *t, size_t rank, int32_t *left, int32_t *right,
                                 int32_t *merged);
/** Rank of the merge of left with right, or -1 if there is none (for a
 *  duplicated pair the rank that applies, i.e. the last one, as HF). */
TOK_API int64_t tok_merge_rank(const tok_tokenizer *t, int32_t left, int32_t right);

/* ------------------------------------------------------------------------ */
/* Added tokens                                                              */
/* ------------------------------------------------------------------------ */

/* Added-token properties (HF AddedToken). */
#define TOK_ADDED_IS          0x0001u /* the id is an added token (set whenever any other bit is) */
#define TOK_ADDED_SPECIAL     0x0002u /* special: skipped by decode with TOK_DEC_SKIP_SPECIAL */
#define TOK_ADDED_LSTRIP      0x0004u /* swallows whitespace on its left when matched */
#define TOK_ADDED_RSTRIP      0x0008u /* swallows whitespace on its right */
#define TOK_ADDED_SINGLE_WORD 0x0010u /* matched only as a whole word */
#define TOK_ADDED_NORMALIZED  0x0020u /* matched in normalized text (else in raw text) */

/** Number of added tokens (entries of tokenizer.json's added_tokens). */
TOK_API size_t tok_added_count(const tok_tokenizer *t);
/** Id of the i-th added token, or -1 if i >= tok_added_count(). */
TOK_API int32_t tok_added_id(const tok_tokenizer *t, size_t i);
/** TOK_ADDED_* properties of an id; 0 if it is not an added token. */
TOK_API uint32_t tok_added_flags(const tok_tokenizer *t, int32_t id);

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
/** Make ctx use the pre-token cache of `with` (a context of the same
 *  tokenizer), so that the pieces either has encoded are hits for both: for
 *  workers that each own a context and encode text of the same kind at the
 *  same time.  The contexts may then be used on different threads at once
 *  (the cache is lock-free; a lookup racing an insert counts as a miss, so
 *  results are always those of a context alone).  Call it while neither
 *  context is in use.  The cache lives until the last context using it is
 *  freed; its memory bound is that of one context's (64 MiB of slots, 8 MiB
 *  of long entries), shared.  TOK_ERR_ARG if the tokenizers differ,
 *  TOK_ERR_NOMEM. */
TOK_API tok_status tok_ctx_share_cache(tok_ctx *ctx, tok_ctx *with);
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
#define TOK_ENC_NO_CACHE      0x0020u /* neither look up nor store pre-tokens in the context's
                                         cache (same ids): for text whose pieces will not come
                                         again, as each word type of a corpus encoded alone
                                         once; the cache stays as it was for later calls */

/*
 * Special-token text in input: a tokenizer.json matches its added tokens in
 * the text (as HF does); a .tiktoken file encodes them as ordinary text.
 * TOK_ENC_SPECIAL_TEXT / TOK_ENC_NO_SPECIAL_TEXT override that default for
 * special tokens (non-special added tokens are always matched).
 */

typedef struct tok_scores tok_scores; /* unigram log-probabilities, see below */

typedef struct tok_encode_options {
    size_t size;             /* sizeof(tok_encode_options): set by tok_encode_options_init */
    uint32_t flags;          /* TOK_ENC_* */
    tok_method method;       /* TOK_METHOD_DEFAULT */
    float dropout;           /* BPE-dropout probability for MERGES (0 = none; <0 = the file's) */
    float alpha;             /* sampling smoothing for SAMPLE (Unigram), default 0.1 */
    int nbest;               /* SAMPLE: sample among the n best (<=0: from the full lattice) */
    tok_tie tie;             /* LEAST_TOKENS tie rule */
    uint64_t seed;           /* seed for dropout/sampling/random ties; 0 = fresh per context */
    const tok_scores *scores;/* LIKELIHOOD on a vocabulary without scores */
} tok_encode_options;

/** Defaults: TOK_ENC_ADD_SPECIAL|TOK_ENC_OFFSETS, the file's own method; and
 *  the size (see the ABI policy above).  Every function taking options
 *  accepts NULL for the defaults and refuses a struct with size 0. */
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
 *  this is tok_encode.  The text is cut into chunks that shrink as the text
 *  runs out (handed out in order, so threads stay busy however the cost
 *  varies along the text, and finish together); the threads share ctx's
 *  pre-token cache, sized from the whole text.  Helper contexts are kept in
 *  ctx for reuse. */
TOK_API tok_status tok_encode_threads(tok_ctx *ctx, const char *text, size_t len,
                              const tok_encode_options *opt, int threads, tok_encoding *out);

/** Encode a pair (e.g. question/context for BERT); type_ids tell the sides. */
TOK_API tok_status tok_encode_pair(tok_ctx *ctx, const char *a, size_t alen,
                           const char *b, size_t blen,
                           const tok_encode_options *opt, tok_encoding *out);

/** Ids only: encode into the caller's buffer `ids` of `cap` ids; *n (may be
 *  NULL) gets the count.  The ids are tok_encode's, but no offsets, words,
 *  type ids or masks are made: for byte-level BPE tokenizers with a known
 *  split pattern (o200k, cl100k, Llama 3, GPT-2) ids go straight from the
 *  model into `ids` (a pre-token longer than 4 KiB is tiled in `ids` itself
 *  when the rest of the buffer has room for an id a byte), and the fused
 *  paths of BERT-style WordPiece and SentencePiece-style tokenizers write
 *  their ids there too while they fit; both when there is no
 *  truncation or padding, and the post-processor adds nothing
 *  (TOK_ENC_ADD_SPECIAL not set, or no post-processor) or only the same
 *  special ids before and after every single text ([CLS] ... [SEP], <s> ...,
 *  a template with one $A: found at load by running it).  Otherwise this
 *  is tok_encode and a copy.  A byte-level BPE makes at most one token per byte
 *  (plus the post-processor's), so cap = len + 16 always suffices for them.
 *  If the buffer is too small: TOK_ERR_BUFFER, the first cap ids written and
 *  *n = the count needed.  `ids` is only written, never kept.  No allocation
 *  once the context is warm.  Thread safety: as tok_encode (one context per
 *  thread; the tokenizer may be shared). */
TOK_API tok_status tok_encode_ids(tok_ctx *ctx, const char *text, size_t len,
                          const tok_encode_options *opt,
                          int32_t *ids, size_t cap, size_t *n);

/** Ids only, one large text on up to `threads` threads: tok_encode_ids's
 *  result (the same ids, count and buffer rules).  Where tok_encode_ids
 *  writes ids straight from the model (byte-level BPE with a known split
 *  pattern; see there) and the text is cut as tok_encode_threads cuts it
 *  (256 KiB or more), each chunk's ids are written into `ids` at the
 *  chunk's own byte offset (a token covers a byte at least) and the chunks
 *  are then moved down, in order, to close the gaps: no other array is made
 *  or copied.  This needs cap >= len plus the post-processor's ids;
 *  otherwise, or where the cut does not apply, this is tok_encode_ids on
 *  one thread.  The threads share ctx's pre-token cache; helper contexts
 *  are kept in ctx for reuse.  Thread safety: as tok_encode (ctx is used by
 *  this call alone). */
TOK_API tok_status tok_encode_ids_threads(tok_ctx *ctx, const char *text, size_t len,
                                  const tok_encode_options *opt, int threads,
                                  int32_t *ids, size_t cap, size_t *n);

/** Encode one pre-token, already normalized and pre-tokenized (as
 *  tok_pretokenize() gives it), with the chosen method.  Offsets are relative
 *  to `piece`.  No post-processing, no added-token matching. */
TOK_API tok_status tok_encode_pretoken(tok_ctx *ctx, const char *piece, size_t len,
                               const tok_encode_options *opt, tok_encoding *out);

/* ------------------------------------------------------------------------ */
/* Batches: many texts in one call, on several threads                       */
/* ------------------------------------------------------------------------ */

/** Results holder and per-thread contexts for batch calls (HF encode_batch).
 *  A tok_batch belongs to one thread at a time; it keeps its contexts and
 *  buffers between calls, so a warm batch does not allocate.  t must outlive
 *  it.  NULL on allocation failure. */
typedef struct tok_batch tok_batch;
TOK_API tok_batch *tok_batch_new(const tok_tokenizer *t);
TOK_API void tok_batch_free(tok_batch *b);

/** Encode texts[0..n) (lens[i] bytes each) on up to `threads` threads (1..64;
 *  texts are handed out one at a time, so long and short ones balance).
 *  Each result equals tok_encode of that text with opt.  Without
 *  TOK_ENC_OFFSETS in opt->flags no offsets are stored (the ids-only path).
 *  On failure nothing is kept and tok_batch_error() names the first failing
 *  text ("text 12: invalid UTF-8 at byte offset 5"). */
TOK_API tok_status tok_encode_batch(tok_batch *b, const char *const *texts, const size_t *lens, size_t n,
                                    const tok_encode_options *opt, int threads);
/** Number of texts of the last successful tok_encode_batch (0 after a failure). */
TOK_API size_t tok_batch_count(const tok_batch *b);
/** Result i of the last tok_encode_batch; arrays valid until the next call on b.
 *  TOK_ERR_RANGE if i >= tok_batch_count(b). */
TOK_API tok_status tok_batch_get(const tok_batch *b, size_t i, tok_encoding *out);
/** All ids of the last tok_encode_batch back to back in input order; text i
 *  has ids [(*starts)[i], (*starts)[i+1]).  *total = all ids.  Valid until the
 *  next call on b. */
TOK_API const int32_t *tok_batch_ids(const tok_batch *b, const size_t **starts, size_t *total);
/** Decode n id sequences (ids[i], ns[i] ids) on up to `threads` threads, each
 *  as tok_decode with flags.  Texts then come from tok_batch_text(). */
TOK_API tok_status tok_decode_batch(tok_batch *b, const int32_t *const *ids, const size_t *ns, size_t n,
                                    uint32_t flags, int threads);
/** Text i of the last tok_decode_batch (NUL-terminated, *len bytes), or NULL. */
TOK_API const char *tok_batch_text(const tok_batch *b, size_t i, size_t *len);
/** Message of the last failed batch call ("" if none). */
TOK_API const char *tok_batch_error(const tok_batch *b);

/* ------------------------------------------------------------------------ */
/* Streaming encode of one huge text                                         */
/* ------------------------------------------------------------------------ */

/** Encodes a text that arrives in chunks, handing out the tokens of
 *  everything that can no longer change, with memory bounded by the longest
 *  stretch of text without a safe cut.  A cut is safe after a newline
 *  followed by a letter in pipelines whose pre-tokenizer always splits there
 *  (byte-level BPE with the GPT-2/cl100k/Llama 3/o200k patterns and no
 *  normalizer); with other pipelines the whole text is kept until
 *  tok_encoder_finish.  The concatenated results equal tok_encode of the
 *  whole text without TOK_ENC_ADD_SPECIAL: the post-processor is not run
 *  (add BOS/EOS yourself), nor the file's truncation and padding.  One
 *  thread at a time; t must outlive it. */
typedef struct tok_encoder tok_encoder;
/** opt as for tok_encode (copied; NULL = defaults); TOK_ENC_ADD_SPECIAL is ignored. */
TOK_API tok_encoder *tok_encoder_new(const tok_tokenizer *t, const tok_encode_options *opt);
TOK_API void tok_encoder_free(tok_encoder *s);
/** Append len bytes (a chunk may end inside a UTF-8 character).  *out gets
 *  the tokens that became final (often none); their offsets are relative to
 *  stream byte tok_encoder_offset(s), word indices count from the stream's
 *  start.  Valid until the next call on s.  After an error the stream is
 *  dead; invalid UTF-8 is reported with its offset in the whole stream. */
TOK_API tok_status tok_encoder_push(tok_encoder *s, const char *chunk, size_t len, tok_encoding *out);
/** End of the text: the remaining tokens. */
TOK_API tok_status tok_encoder_finish(tok_encoder *s, tok_encoding *out);
/** Stream byte offset that the offsets of the last result are relative to. */
TOK_API uint64_t tok_encoder_offset(const tok_encoder *s);
/** Message of the last failed call ("" if none). */
TOK_API const char *tok_encoder_error(const tok_encoder *s);

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

/* tok_pretokenize flags (besides TOK_ENC_LOSSY, TOK_ENC_SPECIAL_TEXT and
 * TOK_ENC_NO_SPECIAL_TEXT, which mean what they mean for tok_encode). */
#define TOK_PRE_NO_ADDED      0x00010000u /* do not match added tokens: every pre-token has id -1 */
#define TOK_PRE_NO_NORMALIZE  0x00020000u /* do not run the normalizer: the text is taken as normalized */
#define TOK_PRE_ONLY (TOK_PRE_NO_ADDED | TOK_PRE_NO_NORMALIZE) /* the pre-tokenizer alone */

/**
 * Added-token matching, normalization and pre-tokenization, without the
 * model: the word/pre-token boundaries.  flags: 0 for the whole front of the
 * pipeline as tok_encode runs it; TOK_ENC_LOSSY to accept invalid UTF-8;
 * TOK_ENC_SPECIAL_TEXT / TOK_ENC_NO_SPECIAL_TEXT as for tok_encode;
 * TOK_PRE_NO_ADDED / TOK_PRE_NO_NORMALIZE to leave those stages out, and
 * TOK_PRE_ONLY to run the pre-tokenizer alone on a string.  Pre-token text is
 * in model space (byte-level tokenizers: raw bytes, not "Ġ").  A tokenizer
 * without a pre-tokenizer gives the whole (normalized) text as one pre-token.
 * Empty pre-tokens are left out.  Valid until the next call on ctx.
 */
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
/* Segmentation lattice (build your own estimators and methods)              */
/* ------------------------------------------------------------------------ */

/** An edge of a pre-token's lattice: `len` bytes from the position it was
 *  listed at, standing for token `id`; or a fallback edge of one character
 *  that no token is: TOK_LATTICE_FALLBACK (it encodes as byte tokens with
 *  byte fallback or a byte-level vocabulary, else as the unknown token, or is
 *  dropped without one, as HF BPE drops it) or TOK_LATTICE_UNKNOWN (byte
 *  fallback lacks one of its bytes: the unknown token). */
typedef struct tok_lattice_edge {
    uint32_t len;
    int32_t id;
} tok_lattice_edge;
#define TOK_LATTICE_FALLBACK (-1)
#define TOK_LATTICE_UNKNOWN (-2)

/**
 * Every vocabulary match in one pre-token s[0..n) (model-space bytes, as
 * tok_pretokenize gives them): the edges starting at byte i are
 * (*edges)[(*first)[i] .. (*first)[i + 1]) for i < n, tokens by increasing
 * length, then a fallback edge when no token is exactly the character at i
 * (so every path from 0 reaches n).  The tokens are those the inference
 * methods (TOK_METHOD_*) use, with their rules: with a continuing-subword
 * prefix ("##") a prefixed token matches only after the start (without its
 * prefix), an end-of-word suffix ("</w>") token only at the end; special,
 * control, unused and unknown tokens and byte-fallback pieces are left out
 * (tok_lattice_has_token).  Building costs O(n x longest token) trie steps.
 * The arrays belong to ctx, valid until the next call on it; one thread
 * per ctx.  TOK_ERR_NOMEM / TOK_ERR_LIMIT (a lattice over 2^32 edges) with
 * tok_ctx_error() set.
 */
TOK_API tok_status tok_lattice(tok_ctx *ctx, const char *s, size_t n, const tok_lattice_edge **edges,
                               const uint32_t **first);

/** Whether token id can be an edge of t's lattices (see tok_lattice): 1 or 0.
 *  Thread-safe. */
TOK_API int tok_lattice_has_token(const tok_tokenizer *t, int32_t id);

/* ------------------------------------------------------------------------ */
/* Unigram scores for any vocabulary (TOK_METHOD_LIKELIHOOD)                 */
/* ------------------------------------------------------------------------ */

/*
 * Scores come from the model (Unigram), from a file (tok_scores_load), from
 * your own estimate (tok_scores_from_logp), or from a corpus by EM:
 * tok_scores_estimate, declared in vocab/tok_train.h (libtok_vocab, with the
 * trainers; it was here before and keeps its name and behaviour), built on
 * the lattice below.
 */

/** Scores from per-id natural-log probabilities: logp has n entries, n the
 *  vocabulary size (tok_vocab_size); a non-finite entry means "no score" (its
 *  token is then treated like a token outside the index).  Fallback edges
 *  score the lowest given log-probability minus 10, as SentencePiece scores
 *  its unknown piece.  The scores are tied to t's vocabulary (a fingerprint
 *  of its ids and texts).  NULL on error (a size that is not the vocabulary's),
 *  with *err filled.  Free with tok_scores_free. */
TOK_API tok_scores *tok_scores_from_logp(const tok_tokenizer *t, const float *logp, size_t n, tok_error *err);
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
 * A pair gives one encoding per two parts (HF's order), so their number
 * grows with the product of the parts: an encode whose overflowing
 * encodings would hold more than 2^22 tokens plus 16 per token of the text
 * fails with TOK_ERR_LIMIT (HF has no bound).
 *
 * Batches: HF's BatchLongest pads every encoding of encode_batch to the
 * longest of them; tok_encode_batch does the same with the file's padding.
 * One encode call is its own batch (padded to its own length, rounded up to
 * `multiple`); to pad texts encoded one by one, take the longest length and
 * encode with length set to it (what `tok encode --lines` does).
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
    size_t length;               /* HF Fixed(length); 0: BatchLongest (see above); at most 2^20 */
    size_t multiple;             /* pad_to_multiple_of; 0: none; at most 2^16 */
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
 *  for a size of 0 or a stride not below max_length; TOK_ERR_LIMIT for a
 *  padding length over 2^20 or multiple over 2^16 (padding makes tokens out
 *  of nothing: a tokenizer.json asking for more is refused at load too). */
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
 *  native format (TOK_FORMAT_TOKPACK: as tok_save_tokpack with level 0). */
TOK_API tok_status tok_save(const tok_tokenizer *t, const char *path, tok_format format, tok_error *err);
/** Write t as a .tokpack (libtok's native format, as tok_save with
 *  TOK_FORMAT_TOKPACK): with zstd_level 0 a file that tok_load maps and uses
 *  in place, prebuilt lookup tables included (the fastest load); with a zstd
 *  level (1-22) a smaller file that loading decompresses into memory.
 *  TOK_ERR_ARG for a level out of range, TOK_ERR_IO when it cannot write.
 *  Thread-safe for distinct paths (t is only read). */
TOK_API tok_status tok_save_tokpack(const tok_tokenizer *t, const char *path, int zstd_level, tok_error *err);

/* ------------------------------------------------------------------------ */
/* Builder: create or edit a tokenizer in memory                             */
/* ------------------------------------------------------------------------ */

/*
 * A builder holds a tokenizer specification -- the same one every loader
 * produces (a tokenizer.json document with libtok's extensions) -- and turns
 * it into a tokenizer with the loaders' own checks.  Start empty
 * (tok_builder_new) or from an existing tokenizer (tok_builder_from: its
 * vocabulary, merges, added tokens and stages), edit, then build as often as
 * needed.  Token text is as written in tokenizer files (byte-level
 * vocabularies spell bytes with tok_byte_level_text).  Ids are given in
 * order: a new token gets the next free id.  A builder belongs to one thread
 * at a time; errors fill *err (may be NULL) naming the call and the value.
 */
typedef struct tok_builder tok_builder;

/** An empty tokenizer of one model kind: no vocabulary, no stages. */
TOK_API tok_builder *tok_builder_new(tok_model_kind kind, tok_error *err);
/** A builder holding everything t has (t may be freed afterwards).  For a
 *  rank vocabulary (tiktoken) the rank rule is kept until a merge is added;
 *  then the derived merges (tok_merge_get) become explicit. */
TOK_API tok_builder *tok_builder_from(const tok_tokenizer *t, tok_error *err);
TOK_API void tok_builder_free(tok_builder *b);

/** Set a stage (TOK_STAGE_NORMALIZER, _PRETOKENIZER, _POSTPROCESSOR,
 *  _DECODER) from its tokenizer.json form, e.g.
 *  "{\"type\":\"ByteLevel\",\"add_prefix_space\":false}"; NULL or "null"
 *  removes it.  The JSON is checked when the tokenizer is built. */
TOK_API tok_status tok_builder_set_stage(tok_builder *b, tok_stage stage, const char *json, tok_error *err);
/** Copy a stage from a template tokenizer (none if it has none). */
TOK_API tok_status tok_builder_copy_stage(tok_builder *b, tok_stage stage, const tok_tokenizer *from,
                                          tok_error *err);

/** Add a model token with a score (Unigram log-probability; ignored by the
 *  other models).  Returns its id: the next free id, or the id it already has
 *  (its score is then updated).  -1 on error. */
TOK_API int32_t tok_builder_add_token(tok_builder *b, const char *text, size_t len, float score, tok_error *err);
/** Append a BPE merge (lowest rank so far last); both parts and their
 *  concatenation must be tokens by the time the tokenizer is built. */
TOK_API tok_status tok_builder_add_merge(tok_builder *b, const char *left, size_t llen, const char *right,
                                         size_t rlen, tok_error *err);
/** Add an added token with TOK_ADDED_* properties (TOK_ADDED_IS implied).
 *  Its id: the model token of the same text if there is one, else the next
 *  free id (Unigram: a new vocabulary entry with score 0).  -1 on error. */
TOK_API int32_t tok_builder_add_special(tok_builder *b, const char *text, size_t len, uint32_t added_flags,
                                        tok_error *err);
/** The unknown token (NULL: none).  It must be a token when built. */
TOK_API tok_status tok_builder_set_unk(tok_builder *b, const char *text, tok_error *err);
/** Byte fallback (BPE, Unigram): unknown characters as <0xAB> pieces. */
TOK_API tok_status tok_builder_set_byte_fallback(tok_builder *b, int on, tok_error *err);
/** Continuing-subword prefix and end-of-word suffix (NULL: none).  The suffix
 *  is BPE only. */
TOK_API tok_status tok_builder_set_affixes(tok_builder *b, const char *cont_prefix, const char *eow_suffix,
                                           tok_error *err);
/** Any other model setting by its tokenizer.json key and JSON value, e.g.
 *  ("ignore_merges", "true"), ("dropout", "0.1"), ("max_input_chars_per_word", "100"). */
TOK_API tok_status tok_builder_set_model_option(tok_builder *b, const char *key, const char *json,
                                                tok_error *err);
/** Ids given so far (model tokens and added tokens): the next free id. */
TOK_API size_t tok_builder_size(const tok_builder *b);
/** Build a tokenizer (the builder is left as it is).  NULL with *err filled
 *  (naming the JSON path of the bad part) on error. */
TOK_API tok_tokenizer *tok_builder_build(tok_builder *b, tok_error *err);

/** The id of a token by its text as written in tokenizer files (a model
 *  token first, else an added token), or -1.  A byte-level vocabulary spells
 *  bytes with tok_byte_level_text: that is how to find a token by its bytes. */
TOK_API int32_t tok_builder_find(const tok_builder *b, const char *text, size_t len);

/** tok_builder_remove flag: renumber the ids left in order, without holes. */
#define TOK_BUILDER_RENUMBER 1u

/**
 * Remove n tokens by id: model tokens and added tokens (an id that is both
 * goes from both).  The BPE merges that use or make a removed token go with
 * it.  Without TOK_BUILDER_RENUMBER the other tokens keep their ids and the
 * removed ones leave holes (ids no token has; tok_vocab_size counts those
 * below the largest id, tok_builder_size is unchanged).  Holes are refused
 * where they would move an added token that is not a model token (HF
 * numbers those from the vocabulary's size, not from the ids in the file:
 * a hole below them shifts them; rank vocabularies keep their ids), and in
 * a Unigram vocabulary (ids are list positions): renumber there.  With
 * it, every id left is renumbered in order (the vocabulary, added tokens,
 * post-processor ids and padding.pad_id alike) and tok_builder_size becomes
 * the number of tokens; n = 0 with the flag closes the holes a spec has.
 * id_map (NULL or tok_builder_size() entries, as before the call) receives
 * old id -> new id, -1 for removed ids and holes.  Refused with nothing
 * changed (TOK_ERR_ARG, naming the id and why) when an id is out of range or
 * a hole, or is the unknown token, the padding token, or one the
 * post-processor emits (change those first), or when holes would move an
 * added token; TOK_ERR_UNSUPPORTED for holes in a Unigram vocabulary.
 */
TOK_API tok_status tok_builder_remove(tok_builder *b, const int32_t *ids, size_t n, uint32_t flags,
                                      int32_t *id_map, tok_error *err);
/** tok_builder_remove of the token tok_builder_find gives for text. */
TOK_API tok_status tok_builder_remove_text(tok_builder *b, const char *text, size_t len, uint32_t flags,
                                           int32_t *id_map, tok_error *err);

#ifdef __cplusplus
}
#endif
#endif /* LIBTOK_TOK_H */
