/*
 * tok_keep — the keep-mask engine: which KV-cache positions (or image
 * tokens) an inference engine keeps, from per-position priors (flags from a
 * saliency priors file or the caller) and the attention it computes anyway.
 *
 * No tokenizer is needed: an engine links this with positions, priors and
 * attention sums only (priors files are read without the tokenizer file).
 *
 * Model.  A tok_keep holds G independent groups (a layer, a head or a head
 * group: each has its own live set and scores).  Every group starts with the
 * same positions: tok_keep_append() adds a position (a stable, strictly
 * increasing int64 id chosen by the caller, e.g. the absolute token index) to
 * every group.  The live positions of a group are kept in position order,
 * which is the slot order of a compacting KV cache; tok_keep_slot() maps a
 * position to its slot.  tok_keep_feed() adds one attention row (the
 * probabilities of one query over the group's live keys, in slot order);
 * tok_keep_step() then evicts, in each group whose live count exceeds the
 * budget, every position the policy does not keep, and reports them
 * (tok_keep_evicted()).
 *
 * Scores (per live key, double precision, accumulated in slot order):
 *   NONE        no scores (StreamingLLM)
 *   SUM         s += a                      (H2O's accumulated attention)
 *   DECAY       s = alpha * s + a, per row   (A2SF's forgetting factor)
 *   NORMALIZED  s / d, d = the number of query rows that can see the key:
 *               all rows appended at or after it (ZipCache's lower-triangle
 *               count, also when only probe rows are fed — its code divides
 *               by the full count), or, with probe_exact, the fed rows whose
 *               query position is at or after the key.
 * A key's effective score adds the caller's bias (tok_keep_bias) and the
 * weights of its prior flags (config.weight[bit], in bit order).
 *
 * Selection, when a group holds n > B live positions (B = budget, or with a
 * ratio r: B = N - floor((1 - r) * N), N = positions appended so far, and
 * never below sinks + window):
 *   1. sinks: the first `sinks` live slots; window: the last `window` slots;
 *      protected: positions whose flags meet protect_flags;
 *   2. separators: among the remaining positions before the window, the
 *      most recent `sep_budget` whose flags meet sep_flags (-1: all);
 *   3. heavy hitters: among what is left, the best units by effective score
 *      (a unit is a position, or with word granularity a run of positions
 *      sharing a word id, scored by the mean of its positions), taken in
 *      order while their sizes fit in `heavy` positions (-1: B minus what
 *      steps 1-2 kept, at least 0); the first unit that does not fit ends
 *      the selection;
 *   4. everything else is evicted.
 * Tie rule: units compare by score, higher first; equal scores keep the
 * later position (the unit's first position).  Selection is a quickselect
 * (expected linear time; median-of-three pivots), or one scan when a step
 * evicts at most 32 positions, never a sort; a step costs O(live) and
 * allocates nothing.  Scratch is sized by the capacity given at creation.
 *
 * Threads: a tok_keep belongs to one thread at a time; distinct handles are
 * independent.  Priors objects are immutable after loading and may be shared.
 * Errors: functions return tok_status; tok_keep_error() gives the message.
 */
#ifndef TOK_KEEP_H
#define TOK_KEEP_H

#include <libtok/tok.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- prior flags (one bit each; what tok analyze saliency exports) ----- */
#define TOK_PRIOR_SPECIAL      0x0001u /* special / control / added template token */
#define TOK_PRIOR_SEPARATOR    0x0002u /* SepLLM separator (see tok_saliency.h) */
#define TOK_PRIOR_PUNCT        0x0004u /* only punctuation (and spaces) */
#define TOK_PRIOR_SPACE        0x0008u /* only whitespace */
#define TOK_PRIOR_NEWLINE      0x0010u /* contains a newline */
#define TOK_PRIOR_DIGIT        0x0020u /* contains a decimal digit */
#define TOK_PRIOR_STOPWORD     0x0040u /* a stopword (per-language lists) */
#define TOK_PRIOR_BYTE         0x0080u /* a raw byte token */
#define TOK_PRIOR_PARTIAL      0x0100u /* bytes are not complete UTF-8 */
#define TOK_PRIOR_UNREACHABLE  0x0200u /* no text encodes to it */
#define TOK_PRIOR_WORD_START   0x0400u /* starts a word */
#define TOK_PRIOR_UNDERTRAINED 0x0800u /* under-trained (glitch analyzer) */
#define TOK_PRIOR_STICKY       0x1000u /* sticky (glitch analyzer) */
#define TOK_PRIOR_NBITS        13

/** Name of one prior bit ("special", "separator", "punct", "space",
 *  "newline", "digit", "stopword", "byte", "partial", "unreachable",
 *  "word-start", "undertrained", "sticky"); NULL for others. */
TOK_API const char *tok_prior_name(uint32_t bit);
/** Bit of a name, 0 if unknown. */
TOK_API uint32_t tok_prior_from_name(const char *name, size_t len);

typedef struct tok_keep_priors tok_keep_priors;

/* ---- configuration ---------------------------------------------------- */
typedef enum tok_keep_mode {
    TOK_KEEP_NONE = 0,
    TOK_KEEP_SUM,
    TOK_KEEP_DECAY,
    TOK_KEEP_NORMALIZED
} tok_keep_mode;

typedef enum tok_keep_raters {
    TOK_RATERS_NONE = 0,   /* no span pruning */
    TOK_RATERS_ALL,        /* every non-excluded row rates */
    TOK_RATERS_ABOVE_MEAN  /* SparseVLM: rows whose relevance is above the mean */
} tok_keep_raters;

typedef struct tok_keep_config {
    size_t size;              /* sizeof(tok_keep_config), set by _init */
    char name[64];            /* policy name (informative) */
    tok_keep_mode mode;
    double alpha;             /* DECAY factor, 0 < alpha <= 1 */
    int probe_exact;          /* NORMALIZED: count fed rows only */
    long sinks, window;       /* >= 0 */
    long sep_budget;          /* separators kept before the window; -1 all */
    long heavy;               /* heavy-hitter positions; -1 fill the budget */
    long budget;              /* live positions per group; used if ratio == 0 */
    double ratio;             /* 0 < ratio <= 1: budget as a fraction */
    uint32_t sep_flags;       /* flags that make a separator (default SEPARATOR) */
    uint32_t protect_flags;   /* flags always kept (default none) */
    double weight[TOK_PRIOR_NBITS]; /* added to the score per flag present */
    int word_granularity;     /* evict words whole (needs word ids) */
    int groups;               /* >= 1 */
    size_t capacity;          /* most live positions per group (0: budget*2+4096) */
    /* text-rated span pruning (tok_keep_span) */
    tok_keep_raters raters;
    uint32_t rater_exclude;   /* flags that never rate (stopwords, punctuation...) */
    int rater_whole_words;    /* a rater's whole word rates */
    long span_budget;         /* span positions kept; used if span_ratio == 0 */
    double span_ratio;
} tok_keep_config;

/** Defaults: mode NONE, no sinks/window/separators, heavy -1, budget 0
 *  (must be set), ratio 0, sep_flags SEPARATOR, one group. */
TOK_API void tok_keep_config_init(tok_keep_config *c);

/**
 * Read a policy file ("key = value" lines, '#' comments; see
 * data/policies/NAME.policy and tok_keep(3)) into *c, on top of its current
 * values.  `name_or_path` is a path, or a policy name looked up as
 * NAME.policy in $TOK_POLICY_PATH (colon-separated), the installed
 * share/libtok/policies and ./data/policies.  Errors name the file and line.
 */
TOK_API tok_status tok_keep_config_load(tok_keep_config *c, const char *name_or_path, tok_error *err);

/** Check a configuration; TOK_ERR_ARG with a message on negative sizes,
 *  budget < sinks + window, a ratio outside (0,1], an unknown mode... */
TOK_API tok_status tok_keep_config_check(const tok_keep_config *c, tok_error *err);

/* ---- the engine ------------------------------------------------------- */
typedef struct tok_keep tok_keep;

/** New engine; NULL with *err filled on a bad configuration. */
TOK_API tok_keep *tok_keep_new(const tok_keep_config *c, tok_error *err);
TOK_API void tok_keep_free(tok_keep *k);
/** Message of the last failed call ("" if none). */
TOK_API const char *tok_keep_error(const tok_keep *k);
/** Grow the capacity (allocates; never needed inside a step). */
TOK_API tok_status tok_keep_reserve(tok_keep *k, size_t capacity);

/** Append a position to every group.  Positions must strictly increase
 *  (TOK_ERR_ARG otherwise); TOK_ERR_LIMIT when a group is at capacity.
 *  word: word id for word granularity (-1: none). */
TOK_API tok_status tok_keep_append(tok_keep *k, int64_t pos, uint32_t flags, int32_t word);

/** Add one attention row of query position qpos over the group's n live
 *  keys in slot order (n must equal the live count). */
TOK_API tok_status tok_keep_feed(tok_keep *k, int group, int64_t qpos, const float *attn, size_t n);

/** Add column sums of `rows` query rows at once (SUM / NORMALIZED; DECAY
 *  only with rows == 1).  Rows are taken to see every live key. */
TOK_API tok_status tok_keep_feed_sums(tok_keep *k, int group, const float *sums, size_t n, size_t rows);

/** Select and evict in every group over budget.  Afterwards
 *  tok_keep_evicted() lists what this step removed. */
TOK_API tok_status tok_keep_step(tok_keep *k);

/** Retention priority: set the additive score bias of the live positions in
 *  [from, to) (all groups) to `bias` (a vLLM/sglang-style per-range
 *  priority; a large bias keeps a range, a negative one evicts it first).
 *  New positions start at 0.  The first call allocates one double per
 *  position of capacity. */
TOK_API tok_status tok_keep_bias(tok_keep *k, int64_t from, int64_t to, double bias);

/** Remove one position from every group (the caller evicted it itself). */
TOK_API tok_status tok_keep_remove(tok_keep *k, int64_t pos);

/** Live positions of a group in slot order; valid until the next call. */
TOK_API size_t tok_keep_live(const tok_keep *k, int group, const int64_t **pos);
/** Positions the last tok_keep_step / tok_keep_span removed from a group. */
TOK_API size_t tok_keep_evicted(const tok_keep *k, int group, const int64_t **pos);
/** Slot of a live position in a group, or -1. */
TOK_API long tok_keep_slot(const tok_keep *k, int group, int64_t pos);
/** Budget the next step applies (after ratio and floor). */
TOK_API size_t tok_keep_budget(const tok_keep *k);
/** Effective score of a live slot (after normalisation and weights). */
TOK_API double tok_keep_score(const tok_keep *k, int group, size_t slot);
/** Bytes of state per position of capacity (all groups and scratch). */
TOK_API size_t tok_keep_bytes_per_position(const tok_keep *k);

/* ---- text-rated span pruning (vision tokens) -------------------------- */
/**
 * Score the live span positions [span_start, span_start + nspan) of group
 * `group` by attention from rater rows and evict all but the best
 * span_budget (or span_ratio * nspan, floored, at least 1).
 *   attn        nrows x nspan, row-major: attention of each candidate rater
 *               row to each span position
 *   row_flags   prior flags of the rows (NULL: none); rows whose flags meet
 *               config.rater_exclude never rate
 *   row_words   word ids of the rows (NULL: none) for rater_whole_words
 *   rel         nspan x nrows logits (SparseVLM: image hidden states times
 *               text hidden states) or NULL; with TOK_RATERS_ABOVE_MEAN the
 *               relevance of row t is the mean over span positions of the
 *               softmax over rows, and rows above the mean relevance rate
 *               (without rel: the row's mean attention to the span)
 * Raters are then widened to whole words, exclusions applied; no rater left
 * means every non-excluded row rates (every row if none).  A span
 * position's score is the mean of its raters' attention.  Kept: the top by
 * score, ties to the later position.  scores[nspan] (may be NULL) receives
 * every score, raters[nrows] (may be NULL) 1 for the rows that rated; the
 * pruned positions are then listed by tok_keep_evicted().
 */
TOK_API tok_status tok_keep_span(tok_keep *k, int group, int64_t span_start, size_t nspan,
                                 const float *attn, size_t nrows, const uint32_t *row_flags,
                                 const int32_t *row_words, const float *rel,
                                 double *scores, uint8_t *raters);

/** Prior flags of a live slot (0 if out of range). */
TOK_API uint32_t tok_keep_flags(const tok_keep *k, int group, size_t slot);
/** Word id of a live slot (-1 if none or out of range). */
TOK_API int32_t tok_keep_word(const tok_keep *k, int group, size_t slot);
/** The configuration the engine runs. */
TOK_API const tok_keep_config *tok_keep_get_config(const tok_keep *k);

/* ---- attention traces ------------------------------------------------- */
/*
 * A trace file records what an inference engine showed the keep engine, so
 * a policy can be replayed offline (tok prune, docs/examples/keep_replay).
 * Text, one record a line, '#' comments:
 *   tok-trace 1                      first line
 *   groups G                         second line: layer/head groups
 *   p POS FLAGS WORD                 append position POS (0, 1, 2, ... in
 *                                    order) with prior flags (decimal) and
 *                                    word id (-1 none)
 *   i POS ID WORD                    the same, flags from a priors file by id
 *   r GROUP Q A0 A1 ... AQ           attention row of query position Q over
 *                                    positions 0..Q (values for evicted
 *                                    positions are ignored)
 *   span START LEN                   the next step prunes span positions
 *                                    START..START+LEN-1 by the rows of that
 *                                    step (tok_keep_span) instead of the
 *                                    budget step
 *   b FROM TO BIAS                   retention priority of positions
 *                                    [FROM, TO) (tok_keep_bias)
 *   x V L0 ... L(T-1)                relevance logits of span member V over
 *                                    the T rows of the step (optional)
 *   s                                step: select and evict
 * Values are decimal floats (read as double, stored as float).
 */
/** Called after each step; return non-zero to stop the replay. */
typedef int (*tok_keep_step_fn)(void *user, const tok_keep *k, size_t step);

/** Replay a trace file through k (whose groups must match the trace's).
 *  `priors` is needed for 'i' records (NULL otherwise).  Errors name the
 *  file and line.  Allocates its row buffers (not the engine). */
TOK_API tok_status tok_keep_replay(tok_keep *k, const char *path, const tok_keep_priors *priors,
                                   tok_keep_step_fn fn, void *user, tok_error *err);

/* ---- priors files ----------------------------------------------------- */
/**
 * A priors file (written by tok_saliency_save; format in tok_saliency.h and
 * tok_keep(3)): per token id its prior flags, byte and character length and
 * under-training percentile, the SepLLM separator ids, and the fingerprint
 * of the vocabulary it was made from.
 */

/** Load a priors file.  If `fingerprint` is non-NULL (32 hex digits, from
 *  tok_saliency_fingerprint) a file made for another vocabulary is refused
 *  with TOK_ERR_FORMAT.  Bounded reads: sizes are checked against the file. */
TOK_API tok_keep_priors *tok_keep_priors_load(const char *path, const char *fingerprint, tok_error *err);
TOK_API void tok_keep_priors_free(tok_keep_priors *p);
TOK_API size_t tok_keep_priors_vocab_size(const tok_keep_priors *p);
/** The vocabulary fingerprint recorded in the file (32 hex digits). */
TOK_API const char *tok_keep_priors_fingerprint(const tok_keep_priors *p);
/** Flags of an id; 0 for ids out of range. */
TOK_API uint32_t tok_keep_priors_flags(const tok_keep_priors *p, int32_t id);
/** Separator ids (SepLLM derivation plus user strings), ascending. */
TOK_API size_t tok_keep_priors_separators(const tok_keep_priors *p, const int32_t **ids);

#ifdef __cplusplus
}
#endif
#endif
