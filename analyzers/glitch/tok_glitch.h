/*
 * tok_glitch.h — token health from the tokenizer alone (and, with
 * tok_weights.h, from a model's weights): under-trained / "glitch" tokens.
 *
 * Categories follow "Fishing for Magikarp" (Land & Bartolo 2024, code
 * cohere-ai/magikarp, magikarp/tokenization.py): every id is decoded on its
 * own and the text re-encoded without special tokens.  Tokenizers that add or
 * strip a leading space (the first token of "test" starts with one of " ▁_Ġ")
 * get that code's guard prefixes «, » (tried cumulatively, as it does).
 *   OK                       re-encodes to exactly [id]
 *   OK_SPECIAL               the same, for a special token
 *   UNREACHABLE_SPECIAL      decoded text of >= 3 code points, starts with [ or <,
 *                            ends with ] or >, contains a letter
 *   UNDECODEABLE             decoded text holds U+FFFD (partial UTF-8)
 *   UNREACHABLE_SINGLE_TOKEN re-encodes to one other id
 *   UNREACHABLE_MULTI_TOKEN  re-encodes to several ids (or none)
 *   MEANINGLESS              (StickyToken, only when asked) decoded text is
 *                            empty or whitespace (Python str.strip()), checked first
 * Byte tokens and special-looking tokens are found as magikarp/utils.py does
 * (find_byte_tokens, find_special_tokens), and the summary counts are those
 * of its generate_summary.py: unreachable and partial UTF-8 leave out byte and
 * special-looking tokens.
 *
 * Where libtok knowingly differs from the Python code: the special-token set
 * for OK_SPECIAL is the tokenizer's own (special added tokens and the
 * bos/eos/pad/unk/sep/mask roles; HF also adds tokenizer_config.json's
 * additional_special_tokens, which only moves ids between OK and OK_SPECIAL);
 * a failing guard prefix (Python raises AssertionError) is reported on the
 * token (flag TOK_GLITCH_F_GUARD_FAILED) instead of aborting the run.
 *
 * Thread safety: a tok_glitch report is immutable once built; building one
 * uses its own context and may run concurrently with other builds on the same
 * tokenizer.
 */
#ifndef TOK_GLITCH_H
#define TOK_GLITCH_H

#include <libtok/tok.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tok_glitch_category {
    TOK_GLITCH_OK = 0,
    TOK_GLITCH_OK_SPECIAL,
    TOK_GLITCH_UNREACHABLE_SPECIAL,
    TOK_GLITCH_UNDECODEABLE,
    TOK_GLITCH_UNREACHABLE_SINGLE_TOKEN,
    TOK_GLITCH_UNREACHABLE_MULTI_TOKEN,
    TOK_GLITCH_MEANINGLESS,
    TOK_GLITCH_NCATEGORIES
} tok_glitch_category;

/** Magikarp's name of a category ("OK", "UNREACHABLE_MULTI_TOKEN", ...). */
TOK_API const char *tok_glitch_category_name(tok_glitch_category c);

/** Kind of a single-byte token (magikarp find_byte_tokens' byte_type). */
typedef enum tok_glitch_byte_kind {
    TOK_GLITCH_BYTE_NONE = 0,   /* not a byte token */
    TOK_GLITCH_BYTE_ASCII,      /* 0x00-0x7F ("ascii") */
    TOK_GLITCH_BYTE_UTF8_LEAD,  /* 0xC2-0xF4 ("utf8", a lead byte) */
    TOK_GLITCH_BYTE_UTF8_CONT,  /* 0x80-0xBF ("utf8", a continuation byte) */
    TOK_GLITCH_BYTE_NEVER_VALID /* 0xC0, 0xC1, >= 0xF5 ("unused_utf8") */
} tok_glitch_byte_kind;

TOK_API const char *tok_glitch_byte_kind_name(tok_glitch_byte_kind k);

/* Flags of a token in a report. */
#define TOK_GLITCH_F_SPECIAL_LOOKING 0x01u /* find_special_tokens: [..] / <..> with an ASCII letter, not <0x */
#define TOK_GLITCH_F_SPECIAL         0x02u /* in the tokenizer's special-token set */
#define TOK_GLITCH_F_GUARD_FAILED    0x04u /* no guard prefix survived decode or encode */
#define TOK_GLITCH_F_ADDED           0x08u /* an added token */
#define TOK_GLITCH_F_ORPHAN          0x10u /* BPE: no chain of merges builds it (tok_glitch_orphans) */
#define TOK_GLITCH_F_IGNORE_MERGES   0x20u /* an orphan that comes back alone only because of ignore_merges */

/** Reachability of a token that does not come back alone (tok_glitch_context). */
typedef enum tok_glitch_reach {
    TOK_GLITCH_REACH_ALONE = 0,    /* category OK / OK_SPECIAL */
    TOK_GLITCH_REACH_CONTEXT,      /* comes back after a preceding context text */
    TOK_GLITCH_REACH_ADDED_TEXT,   /* only when special-token text is matched in input */
    TOK_GLITCH_REACH_NEVER,        /* none of the contexts brings it back */
    TOK_GLITCH_REACH_UNKNOWN       /* not searched (undecodeable, or search not run) */
} tok_glitch_reach;

TOK_API const char *tok_glitch_reach_name(tok_glitch_reach r);

typedef struct tok_glitch_token {
    int32_t id;
    uint8_t category;     /* tok_glitch_category */
    uint8_t byte_kind;    /* tok_glitch_byte_kind */
    uint8_t flags;        /* TOK_GLITCH_F_* */
    uint8_t reach;        /* tok_glitch_reach */
    int16_t byte_value;   /* 0..255 for byte tokens, else -1 */
    int16_t context;      /* index into tok_glitch_contexts() when reach == CONTEXT, else -1 */
    const char *decoded;  /* the clean decode (UTF-8, NUL-terminated), owned by the report */
    size_t decoded_len;
    const int32_t *reencoded; /* the clean re-encoding (n_reencoded ids) */
    size_t n_reencoded;
} tok_glitch_token;

/** Summary counts as magikarp's results/summary.md reports them. */
typedef struct tok_glitch_counts {
    size_t vocab;         /* ids with a token ("Vocab Size": len(get_vocab())) */
    size_t bytes;         /* "# bytes" */
    size_t unreachable;   /* "# unreachable": UNREACHABLE_* minus bytes and special-looking */
    size_t partial_utf8;  /* "# partial utf-8": UNDECODEABLE minus bytes and special-looking */
    size_t special;       /* "# special": special-looking tokens */
    size_t category[TOK_GLITCH_NCATEGORIES]; /* every id, per category */
    size_t byte_kind[5];  /* byte tokens per tok_glitch_byte_kind */
    size_t reach[5];      /* per tok_glitch_reach (after tok_glitch_context) */
    size_t orphans;       /* BPE model tokens no merge chain builds (after tok_glitch_orphans) */
    size_t orphans_ignore_merges; /* of those, OK only through ignore_merges */
} tok_glitch_counts;

typedef struct tok_glitch_options {
    size_t size;          /* sizeof(tok_glitch_options) */
    int meaningless;      /* 1: StickyToken's MEANINGLESS category first */
} tok_glitch_options;

TOK_API void tok_glitch_options_init(tok_glitch_options *opt);

typedef struct tok_glitch tok_glitch;

/**
 * Categorise every id of t.  opt may be NULL.  Returns NULL with *err filled
 * (the tokenizer's source named) on failure: no memory, or a tokenizer whose
 * first token of "test" is neither spaced nor starting with 't' (magikarp's
 * assertion), or whose guard prefix is not one token.  t must outlive the report.
 */
TOK_API tok_glitch *tok_glitch_analyze(const tok_tokenizer *t, const tok_glitch_options *opt,
                                       tok_error *err);
TOK_API void tok_glitch_free(tok_glitch *g);

/** Number of ids in the report (tok_vocab_size of the tokenizer). */
TOK_API size_t tok_glitch_size(const tok_glitch *g);
/** The token with this id, or NULL for ids without a token / out of range. */
TOK_API const tok_glitch_token *tok_glitch_get(const tok_glitch *g, int32_t id);
TOK_API const tok_glitch_counts *tok_glitch_get_counts(const tok_glitch *g);
/** 1 if the guard-prefix mode was used (the tokenizer adds/strips a leading space);
 *  2 if, beyond magikarp (which stops with an AssertionError there), « or »
 *  is not a single token and substitute guards (| @ ~ ...) were used (ALBERT). */
TOK_API int tok_glitch_space_mode(const tok_glitch *g);
/** 1 if the vocabulary is GPT-2 byte-level style (> 10% of tokens start with Ġ). */
TOK_API int tok_glitch_gpt2_style(const tok_glitch *g);

/**
 * Beyond magikarp: search whether tokens that do not come back alone come
 * back after a preceding context (the texts of tok_glitch_contexts(), tried in
 * order; the first, i.e. shortest, that works is recorded), or only when
 * special-token text is matched in input.  Updates reach/context in g.
 */
TOK_API tok_status tok_glitch_context(tok_glitch *g, tok_error *err);
/**
 * Beyond magikarp: BPE tokens that the merge list cannot build (orphans).
 * A token is buildable if it is a base symbol (one character of the model's
 * alphabet, a byte-level character, a byte-fallback piece) or the result of
 * a merge whose two parts are buildable (a fixpoint over the merges, so
 * parts created by later merges count).  Added tokens are not model tokens
 * and are left out.  Orphans whose category is OK come back only because the
 * model takes a pre-token that is a token whole (ignore_merges, Llama 3):
 * flagged TOK_GLITCH_F_IGNORE_MERGES.  A no-op for other models.
 */
TOK_API tok_status tok_glitch_orphans(tok_glitch *g, tok_error *err);

/** The context texts tried by tok_glitch_context, NULL-terminated. */
TOK_API const char *const *tok_glitch_contexts(void);


/* ------------------------------------------------------------------------ */
/* Weight-based indicators (magikarp model.py / utils.py)                   */
/* ------------------------------------------------------------------------ */

/*
 * Indicators, in magikarp's order: for an untied model first "E_in L2 Norm"
 * (the input-embedding row norm), then, when there is a reference set of
 * known-unused tokens, on the unembedding matrix E_out: "E_out Cosine
 * Distance" to the mean reference row, "Centered E_out Cosine Distance"
 * (matrix mean subtracted), "E_out Cosine Distance w/o 1st PC" (the first
 * principal component of the centred matrix, found by power iteration,
 * projected out of the uncentred rows) and "E_out L2 Distance".  Cosine
 * distance is 1 - a.b / max(|a||b|, 1e-6).  The main indicator is the first
 * (magikarp's indicator_ix 0).  Candidates: tokens whose category starts with
 * OK and whose main indicator is <= the given percentile (numpy's linear
 * interpolation) of the main indicator over OK tokens, ascending.
 *
 * Differences from the Python code: dot products accumulate in double
 * (numpy: float32 pairwise), and the first PC comes from power iteration to
 * a tolerance (sklearn may use a randomized SVD); both move values in the
 * 6th-7th significant digit.  The reference set is derived (never-valid byte
 * tokens, tokens whose text names them unused/reserved/placeholder, matrix
 * rows beyond the vocabulary) unless given; magikarp keeps a hand-made list
 * per model.
 */

#include "analyzers/weights/tok_weights.h"

typedef struct tok_glitch_indicator_options {
    size_t size;              /* sizeof(tok_glitch_indicator_options) */
    const int32_t *unused;    /* reference set; NULL = derive it */
    size_t n_unused;
    double percentile;        /* candidates threshold, default 2.0 */
    int power_iters;          /* at most this many iterations, default 300 */
    double power_tol;         /* stop when the PC moves less, default 1e-9 */
} tok_glitch_indicator_options;

TOK_API void tok_glitch_indicator_options_init(tok_glitch_indicator_options *opt);

typedef struct tok_glitch_indicators tok_glitch_indicators;

/**
 * Compute the indicators.  embed: the input embedding (may be NULL when only
 * an unembedding is given); unembed: the output matrix, NULL for tied
 * weights (embed serves as E_out, and there is no E_in L2 norm).  Both must
 * have at least as many rows as the tokenizer has ids with tokens
 * (TOK_ERR_FORMAT naming the tensor otherwise) and the same row length.
 * A tied model with an empty reference set is an error (as in magikarp).
 */
TOK_API tok_glitch_indicators *tok_glitch_indicators_compute(const tok_glitch *g, const tok_matrix *embed,
                                                             const tok_matrix *unembed,
                                                             const tok_glitch_indicator_options *opt,
                                                             tok_error *err);
TOK_API void tok_glitch_indicators_free(tok_glitch_indicators *ind);
TOK_API size_t tok_glitch_indicators_count(const tok_glitch_indicators *ind);
TOK_API const char *tok_glitch_indicators_name(const tok_glitch_indicators *ind, size_t k);
/** Values of indicator k, one per matrix row (tok_glitch_indicators_rows). */
TOK_API const float *tok_glitch_indicators_values(const tok_glitch_indicators *ind, size_t k);
TOK_API size_t tok_glitch_indicators_rows(const tok_glitch_indicators *ind);
TOK_API const int32_t *tok_glitch_indicators_reference(const tok_glitch_indicators *ind, size_t *n);
/** Candidates for verification, ascending by main indicator, and the threshold. */
TOK_API const int32_t *tok_glitch_indicators_candidates(const tok_glitch_indicators *ind, size_t *n,
                                                        double *threshold);
/** Power-iteration steps used and the first PC's eigenvalue (variance along it). */
TOK_API void tok_glitch_indicators_pca(const tok_glitch_indicators *ind, int *iters, double *variance);

/* ------------------------------------------------------------------------ */
/* Verification support (magikarp fishing.py): libtok writes, the caller runs */
/* ------------------------------------------------------------------------ */

/*
 * The three prompts of fishing.py (input_output with 20 repeats,
 * assistant_explain with 0, repeats with 50) are built around a placeholder
 * token chosen as select_placeholder_token does (OK, alphabetic, most
 * distinct characters, longest, whose double decodes back to two copies),
 * encoded with special tokens (as tokenizer.encode does by default), and
 * the placeholder's 2n+1 occurrences replaced by the candidate id, so that
 * unreachable tokens can be tested.  An engine runs each sequence, takes the
 * candidate's probability at each of the next 3 greedy steps and reports the
 * maximum; tok_glitch_verify_classify applies fishing.py's rule.
 */
typedef enum tok_glitch_verdict {
    TOK_GLITCH_STRONG_VERIFIED = 0,   /* max_prob < 0.001 */
    TOK_GLITCH_WEAK_VERIFIED,         /* 0.001 <= max_prob <= 0.1 */
    TOK_GLITCH_WEAK_REJECTED,         /* 0.1 < max_prob <= 0.9 */
    TOK_GLITCH_STRONG_REJECTED,       /* max_prob > 0.9 */
    TOK_GLITCH_ENCODING_FAILED        /* no prompt keeps the id through decode+encode */
} tok_glitch_verdict;

TOK_API const char *tok_glitch_verdict_name(tok_glitch_verdict v);

#define TOK_GLITCH_NPROMPTS 3
/** Name of prompt k ("input_output", "assistant_explain", "repeats"). */
TOK_API const char *tok_glitch_prompt_name(int k);

/** The placeholder id (select_placeholder_token), or -1 if none qualifies. */
TOK_API int32_t tok_glitch_placeholder(tok_glitch *g);

/**
 * Prompt k for candidate id: the ids into *ids (owned by g, valid until the
 * next call on g), and whether the id survives decode + encode of the
 * prompt (fishing.py's "encodeable").
 */
TOK_API tok_status tok_glitch_prompt(tok_glitch *g, int k, int32_t placeholder, int32_t id,
                                     const int32_t **ids, size_t *n, int *encodeable, tok_error *err);

/** fishing.py's classify_verification over the prompts' max probabilities. */
TOK_API tok_glitch_verdict tok_glitch_verify_classify(const double *max_prob, const int *encodeable, int n);

/* ------------------------------------------------------------------------ */
/* Sticky tokens ("Sticking to the Mean", Chen et al. 2025; March-7/StickyToken) */
/* ------------------------------------------------------------------------ */

/*
 * The pipeline of StickyToken's scripts/detect.py with its defaults:
 *  1. token filtering: categories as above with MEANINGLESS first; only
 *     tokens whose category starts with OK are scored;
 *  2. the mean cosine similarity of the embeddings of all vocabulary entries
 *     (as written in the file; all pairs, the diagonal included);
 *  3. sentence pairs: up to 1000 distinct sentences, all their pairs, 1000
 *     pairs sampled uniformly over the similarity range, then, among the
 *     pairs below the mean similarity, `pairs` (5) for scoring and
 *     `verify_pairs` (250) for verification sampled uniformly between the
 *     lowest similarity and 80% of the way to the mean;
 *  4. the sticky score of a token t for each pair (s1, s2): the distances
 *     (cosine, euclidean, manhattan) from s1 to s2 and to s2 with t repeated
 *     1..8 times as prefix, as suffix, and inserted at 1..8 random word
 *     positions (cumulatively); per list, (falls + a*#falls + 0.1*d(t, s1)) /
 *     (rises + b*#rises + g) with a, b, g = 0.1, 0.05, 0.01 (manhattan 1, 0.5,
 *     0.1); weights prefix .35, suffix .35, insert .3; the mean over pairs,
 *     rounded to 6 decimals; the cosine score is the main one;
 *  5. candidates: score >= its 98th percentile (top 2%), descending;
 *  6. verification on the verification pairs: weighted share (4/11, 4/11,
 *     3/11) of insertions whose mean distance falls below the original, per
 *     metric; the maximum over metrics > 0.877 strong_verified, > 0.816 or
 *     >= 0.632 weak_verified, else strong_rejected.
 * Differences: the sentences come from the caller (StickyToken samples MTEB
 * STS test sets, which no registry here carries); random insertion positions
 * and sentence sampling use libtok's seeded generator, not Python's.
 */

/** Embed n texts into out (n x dim floats).  Returns 0, or nonzero on failure
 *  (with a message in err_msg, 256 bytes). */
typedef int (*tok_sticky_embed_fn)(void *user, const char *const *texts, const size_t *lens, size_t n,
                                   float *out, char *err_msg);

typedef struct tok_sticky_embedder {
    tok_sticky_embed_fn fn;
    void *user;
    size_t dim;
    const char *name;     /* shown in the output: which embedder was used */
} tok_sticky_embedder;

/**
 * The built-in static embedder: the mean of the input-embedding rows of the
 * text's ids (encoded without special tokens), minus the matrix's mean row
 * (uncentred, every sentence is closer to every other than the vocabulary
 * mean similarity and the pair selection finds nothing).  A text with no
 * ids gets minus the mean row.  *out is filled; free its state with
 * tok_sticky_static_free(out->user).  t and m must outlive it.
 */
TOK_API tok_status tok_sticky_static_embedder(const tok_tokenizer *t, const tok_matrix *m,
                                              tok_sticky_embedder *out, tok_error *err);
TOK_API void tok_sticky_static_free(void *user);

typedef struct tok_sticky_options {
    size_t size;          /* sizeof(tok_sticky_options) */
    int sentences;        /* sentences sampled, default 1000 */
    int sampled_pairs;    /* pairs sampled over the similarity range, default 1000 */
    int pairs;            /* pairs for scoring, default 5 */
    int verify_pairs;     /* pairs for verification, default 250 */
    int insert_num;       /* repetitions / insertions, default 8 */
    double percentile;    /* top share verified, default 2.0 */
    size_t sample;        /* score only this many OK tokens (0 = all; StickyToken's do_sample) */
    uint64_t seed;        /* default 42 */
    size_t batch;         /* texts per embedder call, default 256 */
} tok_sticky_options;

TOK_API void tok_sticky_options_init(tok_sticky_options *opt);

typedef struct tok_sticky_token {
    int32_t id;
    float score[3];       /* cosine, euclidean, manhattan sticky scores */
    int candidate;        /* in the top share */
    float verify[3];      /* verification shares (candidates only) */
    int verdict;          /* 0 strong_verified, 1 weak_verified, 2 strong_rejected, -1 not verified */
} tok_sticky_token;

typedef struct tok_sticky tok_sticky;

/** Run the pipeline over the sentences.  NULL with *err on failure (the
 *  embedder's message included). */
TOK_API tok_sticky *tok_sticky_run(tok_glitch *g, const char *const *sentences, const size_t *lens, size_t n,
                                   const tok_sticky_embedder *emb, const tok_sticky_options *opt, tok_error *err);
TOK_API void tok_sticky_free(tok_sticky *s);
/** Scored tokens in id order. */
TOK_API const tok_sticky_token *tok_sticky_tokens(const tok_sticky *s, size_t *n);
/** Candidates (indices into tok_sticky_tokens), descending score; threshold. */
TOK_API const size_t *tok_sticky_candidates(const tok_sticky *s, size_t *n, double *threshold);
/** Mean vocabulary similarity and the numbers of scoring / verification pairs used. */
TOK_API void tok_sticky_stats(const tok_sticky *s, double *mean_similarity, size_t *pairs, size_t *verify_pairs);
TOK_API const char *tok_sticky_verdict_name(int v);

#ifdef __cplusplus
}
#endif
#endif
