/*
 * libtok vocab/: pre-token counting and vocabulary trainers, on the public
 * API of libtok (tok.h).  Library: libtok_vocab.a.
 *
 * Training is two steps, like HuggingFace tokenizers' trainers:
 *
 *  1. Counting (a map step that can run per shard): text is cut into lines
 *     (each keeps its '\n', as HF's train_from_files reads files), every line
 *     goes through a template tokenizer's normalizer and pre-tokenizer
 *     (tok_pretokenize), and each distinct pre-token is counted in a
 *     tok_counts table.  Tables add up (tok_counts_merge, or loading several
 *     count files into one table), and a table saved with tok_counts_save and
 *     loaded back gives the same training result as the original: counting
 *     shards separately then merging is identical to one pass.
 *
 *     Memory bound: a table made with a memory limit (bytes, 0 = none) prunes
 *     itself when its keys and slots outgrow the limit: it drops every entry
 *     whose count is below a threshold, starting at 2 and doubling until the
 *     table uses at most half the limit.  Pruned entries are gone for good
 *     (their number and total count are reported by tok_counts_stats): a
 *     pruned table is an approximation (rare pre-tokens, which the trainers
 *     mostly ignore anyway), and is marked so in count files.
 *
 *  2. Training (tok_train) on one table with a tok_train_options, giving a
 *     tok_trained vocabulary (tokens, merges, scores) that is written as a
 *     HuggingFace tokenizer.json behind the template's pipeline
 *     (tok_trained_save_json).
 *
 * Threads: a tok_counts, tok_template or tok_trained belongs to one thread at
 * a time; tok_counts_add_text may use several threads internally.  There is
 * no global state.  Errors: tok_status plus a tok_error message naming the
 * option, or the file and line.
 */
#ifndef LIBTOK_VOCAB_TOK_TRAIN_H
#define LIBTOK_VOCAB_TOK_TRAIN_H

#include <libtok/tok.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Templates: the normalizer / pre-tokenizer / decoder a model is trained    */
/* behind.                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct tok_template tok_template;

/** A built-in pipeline: "bytelevel" (GPT-2 ByteLevel pre-tokenizer with its
 *  regex and a prefix space, ByteLevel decoder), "metaspace" (Metaspace ▁,
 *  prepend always, split), "bert" (BertNormalizer lowercase + BertPreTokenizer,
 *  WordPiece decoder) or "whitespace" (Whitespace pre-tokenizer: \w+|[^\w\s]+).
 *  NULL on an unknown name, with *err filled. */
TOK_API tok_template *tok_template_builtin(const char *name, tok_error *err);

/** The pipeline of an existing tokenizer (any format tok_load reads, or a
 *  built-in name): its normalizer, pre-tokenizer, post-processor and decoder
 *  are kept, its model and added tokens replaced by the trained ones. */
TOK_API tok_template *tok_template_like(const char *name_or_path, tok_error *err);

/** A short name of the pipeline ("bytelevel", or "like:PATH"), stored in
 *  count files so counts made behind another pipeline are refused. */
TOK_API const char *tok_template_name(const tok_template *tp);

/** Lines are counted without their line break, as SentencePiece reads
 *  sentences (what `tok train --model unigram` does). */
TOK_API void tok_template_strip_line_breaks(tok_template *tp);

/** Count pre-tokens as the model matches them (raw bytes for a byte-level
 *  pipeline, not GPT-2's characters): for tok_edit_extend, which encodes
 *  them with tok_encode_pretoken. */
TOK_API void tok_template_model_space(tok_template *tp);

TOK_API void tok_template_free(tok_template *tp);

/* ------------------------------------------------------------------------ */
/* Pre-token counts                                                          */
/* ------------------------------------------------------------------------ */

typedef struct tok_counts tok_counts;

/** An empty table.  mem_limit: bytes of keys and slots before pruning (see
 *  above); 0 = unbounded. */
TOK_API tok_counts *tok_counts_new(size_t mem_limit);
TOK_API void tok_counts_free(tok_counts *c);

/** Add n occurrences of one pre-token (any bytes). */
TOK_API tok_status tok_counts_add(tok_counts *c, const char *s, size_t len, uint64_t n);

/** Count the pre-tokens of text behind tp: lines (with their '\n') are
 *  normalized and pre-tokenized separately, as HF's trainers read files.
 *  threads <= 1: this thread only; otherwise the text is cut at line starts
 *  into that many parts counted in parallel (same result).  `name` is used in
 *  error messages.  Invalid UTF-8 is an error naming the byte offset. */
TOK_API tok_status tok_counts_add_text(tok_counts *c, const tok_template *tp, const char *text,
                                       size_t len, int threads, const char *name, tok_error *err);

/** Add every entry of `from` to c. */
TOK_API tok_status tok_counts_merge(tok_counts *c, const tok_counts *from);

/** Number of distinct pre-tokens. */
TOK_API size_t tok_counts_size(const tok_counts *c);

typedef struct tok_counts_stats {
    uint64_t total;         /* occurrences counted (kept) */
    uint64_t pruned_entries;/* distinct pre-tokens dropped by the memory limit */
    uint64_t pruned_total;  /* their occurrences */
    size_t bytes;           /* memory of keys and slots now */
} tok_counts_stats;
TOK_API void tok_counts_stats_get(const tok_counts *c, tok_counts_stats *out);

/** Entries sorted by bytes (memcmp, shorter first on a common prefix).
 *  The arrays stay valid until c changes; *n gets the count. */
typedef struct tok_count_entry { const char *s; uint32_t len; uint64_t count; } tok_count_entry;
TOK_API tok_status tok_counts_sorted(tok_counts *c, const tok_count_entry **out, size_t *n);

/** Count files are text:
 *      libtok-counts 1
 *      template NAME          (tok_template_name of the pipeline used)
 *      pruned ENTRIES TOTAL   (0 0 for an exact table)
 *      COUNT<TAB>PRE-TOKEN    (one per line, sorted; \\ \t \n \r escaped)
 *  Save writes c sorted.  Load adds the file's entries to c and checks that
 *  its template name equals `template_name` (NULL: no check); errors name
 *  file:line. */
TOK_API tok_status tok_counts_save(tok_counts *c, const char *template_name, const char *path, tok_error *err);
TOK_API tok_status tok_counts_load(tok_counts *c, const char *template_name, const char *path, tok_error *err);

/* ------------------------------------------------------------------------ */
/* Unigram scores for an existing vocabulary                                 */
/* ------------------------------------------------------------------------ */

/** Estimate unigram log-probabilities for t's vocabulary from a corpus, for
 *  TOK_METHOD_LIKELIHOOD / TOK_METHOD_SAMPLE on vocabularies without scores
 *  (`tok encode --unigram-from`): pre-tokens counted as encoding splits the
 *  text (line by line, added tokens left out), first counts from the default
 *  method, then `iters` EM rounds over each pre-token's lattice (tok_lattice
 *  in tok.h: forward-backward in log space, expected counts re-normalized
 *  with add-0.01 smoothing over the tokens a lattice can hold).  The result
 *  is made by tok_scores_from_logp.  This function was declared in tok.h
 *  before; it keeps its name and behaviour here, built on the public
 *  lattice.  NULL on error, with *err filled.  Thread-safe (its own context). */
TOK_API tok_scores *tok_scores_estimate(const tok_tokenizer *t, const char *text, size_t len,
                                        int iters, tok_error *err);

/* ------------------------------------------------------------------------ */
/* Trainers                                                                  */
/* ------------------------------------------------------------------------ */

typedef enum tok_train_model {
    TOK_TRAIN_BPE = 1,    /* HF BpeTrainer, merge for merge */
    TOK_TRAIN_WORDPIECE,  /* HF WordPieceTrainer (BPE with "##", then WordPiece) */
    TOK_TRAIN_WORDLEVEL,  /* HF WordLevelTrainer */
    TOK_TRAIN_UNIGRAM,    /* SentencePiece's Unigram trainer (EM, pruning by loss) */
    TOK_TRAIN_SPM_BPE,    /* SentencePiece's BPE trainer (spm_train --model_type=bpe) */
    TOK_TRAIN_PATHPIECE   /* PathPiece: top-down pruning by corpus token count (least tokens);
                             written as a Unigram model whose pieces all score -1 */
} tok_train_model;

typedef struct tok_train_options {
    size_t size;              /* sizeof(tok_train_options), set by init */
    tok_train_model model;
    size_t vocab_size;        /* target size, specials included (HF default 30000) */
    uint64_t min_frequency;   /* pairs (BPE/WordPiece) or words (WordLevel) seen less are not used */
    const char *const *special;  /* special tokens, given ids 0.. in this order */
    size_t n_special;
    size_t limit_alphabet;    /* 0 = no limit: keep at most this many initial characters */
    const char *initial_alphabet; /* UTF-8 characters always kept (NULL = none) */
    const char *continuing_subword_prefix; /* NULL = none ("##" default for WordPiece) */
    const char *end_of_word_suffix;        /* NULL = none */
    size_t max_token_length;  /* 0 = no limit (characters) */
    const char *unk_token;    /* model's unk token (WordPiece "[UNK]", else NULL) */
    int progress;             /* 1: progress lines on stderr */
    /* Unigram (0 = SentencePiece's default) */
    size_t unigram_seed_size;        /* seed pieces (1000000) */
    double unigram_shrinking_factor; /* share kept by each pruning round (0.75) */
    int unigram_em_iterations;       /* EM rounds between prunings (2) */
    /* Unigram, PathPiece, SentencePiece BPE: 256 byte pieces <0x00>..<0xFF>
     * after the meta pieces and user symbols (the special tokens, typed
     * USER_DEFINED in a .model); unknown characters encode as bytes */
    int byte_fallback;
    /* Unigram and PathPiece: threads for the EM and Viterbi passes (0 or 1:
     * this thread only).  The words are cut into one contiguous range per
     * thread and the per-thread sums added in thread order, so a result
     * depends on the thread count only (not on scheduling). */
    int threads;
} tok_train_options;

/** HF defaults for `model` (vocab 30000, min frequency 0, WordPiece: "##",
 *  unk "[UNK]"). */
TOK_API void tok_train_options_init(tok_train_options *o, tok_train_model model);

typedef struct tok_trained tok_trained;

/** Train on the counts.  Errors (TOK_ERR_ARG) name the option at fault:
 *  vocab_size smaller than the specials plus the alphabet, an empty table,
 *  conflicting settings.  Unigram, PathPiece and SentencePiece BPE cut each
 *  counted word at its NUL bytes and count the parts as words (their pieces
 *  are the text itself, and a token, a C string here, cannot hold a NUL;
 *  spm_train makes no piece of it either); c is not changed. */
TOK_API tok_trained *tok_train(tok_counts *c, const tok_train_options *o, tok_error *err);
TOK_API void tok_trained_free(tok_trained *m);

/** Tokens by id; merges as id pairs in rank order (BPE only). */
TOK_API size_t tok_trained_size(const tok_trained *m);
TOK_API const char *tok_trained_token(const tok_trained *m, size_t id);
TOK_API size_t tok_trained_merges(const tok_trained *m, const uint32_t (**pairs)[2]);

/** Score of a token (Unigram log probability; 0 for the others). */
TOK_API float tok_trained_score(const tok_trained *m, size_t id);

/** Write a SentencePiece .model (Unigram, PathPiece, SentencePiece BPE): pieces <unk> <s> </s> as
 *  SentencePiece writes them, identity normalization, a dummy "▁" prefix and
 *  whitespace as "▁" -- what a Metaspace template does. */
TOK_API tok_status tok_trained_save_spm(const tok_trained *m, const char *path, tok_error *err);

/** Write a HuggingFace tokenizer.json: the template's pipeline, the trained
 *  model, and the special tokens as added tokens (special, not normalized),
 *  as HF's Tokenizer.train then save would. */
TOK_API tok_status tok_trained_save_json(const tok_trained *m, const tok_template *tp, const char *path,
                                         tok_error *err);

/** Write by the name's extension: .model (tok_trained_save_spm), .tokpack
 *  (libtok's compact format), else tokenizer.json. */
TOK_API tok_status tok_trained_save(const tok_trained *m, const tok_template *tp, const char *path, tok_error *err);

#ifdef __cplusplus
}
#endif
#endif
