/*
 * libtok language analyzers — what a tokenizer costs each language, and
 * whether its tokens respect words and morphemes.  Built on the public API
 * (libtok/tok.h) and the corpus readers (corpora/tok_corpora.h).
 *
 * One pass: a tok_lang accumulator takes text units (tok_lang_add), each
 * tagged with its language, and keeps only counts — per language: units,
 * bytes, characters, words, tokens, per-word token counts in running text and
 * in isolation, and a sparse count of every token id.  Every figure the
 * analyzers print is derived from those counts at the end, so accumulators
 * of shards merge exactly (tok_lang_merge, or through JSON with
 * tok_lang_save / tok_lang_load): merged == one pass over the whole corpus.
 * Memory is bounded by the vocabulary, the languages and the distinct word
 * types (the isolation cache), never by the corpus size.
 *
 * Measures (each function below says what it follows):
 *   fertility   tokens per word (Rust et al. 2021, "How Good is Your
 *               Tokenizer?"): in running text (tokens overlapping each word,
 *               so a token spanning two words counts for both) and in
 *               isolation (each word encoded on its own, no special tokens);
 *               proportion of continued words (>= 2 tokens), of words in >= 4
 *               tokens; unk and byte-fallback rates; bytes and characters per
 *               token.  Words: TOK_WORDS_WHITESPACE splits on Unicode white
 *               space as Python's str.split() (how Rust et al. count);
 *               TOK_WORDS_UAX29 takes ICU word-break segments that hold a
 *               letter, number, kana or ideograph (UAX #29 with ICU's
 *               dictionaries for Thai, Lao, Khmer, Myanmar, Chinese,
 *               Japanese).  Output names the choice.
 *   parity      Petrov et al. 2023 premium: tokens(lang) / tokens(reference)
 *               on parallel text; byte, character and word premiums as
 *               baselines; the same text read the same way reproduces the
 *               paper's counts (tokenization-fairness, compute/).
 *   efficiency  Rényi efficiency of the unigram distribution of tokens
 *               (Zouhar et al. 2023) exactly as tokenization-scorer computes
 *               it: H_alpha(p) / log |V| with |V| = the number of distinct
 *               tokens observed (the scorer's default), or the tokenizer's
 *               own size when asked; alpha = 1 is Shannon.
 *
 * Threads: a tok_lang is used by one thread at a time; give each thread its
 * own and merge.  Functions taking a const tok_lang * are thread-safe.
 */
#ifndef TOK_LANG_H
#define TOK_LANG_H

#include <libtok/tok.h>
#include "../../corpora/tok_corpora.h"
#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tok_words {
    TOK_WORDS_WHITESPACE = 0, /* Python str.split(): Unicode White_Space runs */
    TOK_WORDS_UAX29           /* ICU word breaks (UAX #29 + dictionaries) */
} tok_words;

typedef struct tok_lang_options {
    size_t size;          /* sizeof(tok_lang_options), set by _init */
    tok_words words;      /* TOK_WORDS_WHITESPACE */
    bool isolation;       /* also encode each word type alone (default true) */
    tok_encode_options enc; /* flags (no special tokens by default) and method */
    const char *name;     /* label of the tokenizer in output (default: its file) */
} tok_lang_options;

TOK_API void tok_lang_options_init(tok_lang_options *o);

typedef struct tok_lang tok_lang;

/** Per-language counts (all additive across shards). */
typedef struct tok_lang_counts {
    char lang[64];
    uint64_t units, bytes, chars, tokens;
    uint64_t words;          /* words by the chosen segmentation */
    uint64_t word_tokens;    /* sum over words of tokens overlapping it (running text) */
    uint64_t cont_words;     /* words overlapped by >= 2 tokens */
    uint64_t words4;         /* words overlapped by >= 4 tokens */
    uint64_t iso_tokens;     /* sum over words of tokens when encoded alone */
    uint64_t iso_cont;       /* words encoded alone in >= 2 tokens */
    uint64_t iso_words4;     /* ... in >= 4 tokens */
    uint64_t unk, byte_tokens; /* unknown and byte(-fallback) tokens */
    uint64_t distinct_ids;   /* ids seen in this language (filled by tok_lang_get) */
} tok_lang_counts;

/** New accumulator for t (which must outlive it).  NULL with *err on error. */
TOK_API tok_lang *tok_lang_new(const tok_tokenizer *t, const tok_lang_options *o, tok_error *err);
TOK_API void tok_lang_free(tok_lang *a);

/** Add one text unit of language `lang`, encoded with ctx (a context of the
 *  same tokenizer, owned by the calling thread). */
TOK_API tok_status tok_lang_add(tok_lang *a, tok_ctx *ctx, const char *lang, const char *text, size_t len);

/** Read a whole corpus into a (each unit tagged by the reader); progress on
 *  stderr when it is a terminal.  Errors name the file and line. */
TOK_API tok_status tok_lang_add_corpus(tok_lang *a, tok_ctx *ctx, tok_corpus *c, char *msg, size_t cap);

/** Same, on `threads` threads (each with its own context and accumulator,
 *  merged at the end: the result is identical to one thread).  The reading
 *  thread is one of them; their contexts share one pre-token cache and their
 *  accumulators share a's table of word types (read without a lock), so each
 *  word type is encoded in isolation once in all, not once per thread. */
TOK_API tok_status tok_lang_add_corpus_threads(tok_lang *a, tok_corpus *c, int threads, char *msg, size_t cap);

/** Add b's counts into a (same tokenizer vocabulary size and word mode). */
TOK_API tok_status tok_lang_merge(tok_lang *a, const tok_lang *b, char *msg, size_t cap);

/** Number of languages, in first-seen order; per-language counts. */
TOK_API size_t tok_lang_count(const tok_lang *a);
TOK_API tok_status tok_lang_get(const tok_lang *a, size_t i, tok_lang_counts *out);
/** Index of a language, or -1. */
TOK_API long tok_lang_find(const tok_lang *a, const char *lang);
TOK_API const char *tok_lang_name(const tok_lang *a);
TOK_API tok_words tok_lang_words(const tok_lang *a);
TOK_API const char *tok_words_name(tok_words w); /* "whitespace" | "uax29" */

/** Count of id in language i (i == (size_t)-1: all languages). */
TOK_API uint64_t tok_lang_id_count(const tok_lang *a, size_t i, int32_t id);
/** The k most used ids of language i (or all, (size_t)-1), most first;
 *  returns how many were written. */
TOK_API size_t tok_lang_top(const tok_lang *a, size_t i, int32_t *ids, uint64_t *counts, size_t k);
/** Least used ids among the used ones (fewest first). */
TOK_API size_t tok_lang_bottom(const tok_lang *a, size_t i, int32_t *ids, uint64_t *counts, size_t k);
/** Histogram of token lengths in bytes (hist[0..nb-1], last bucket = longer). */
TOK_API void tok_lang_length_hist(const tok_lang *a, size_t i, uint64_t *hist, size_t nb);

/* ---- efficiency (Zouhar et al. 2023, as tokenization-scorer) ------------- */

typedef struct tok_efficiency {
    double renyi;     /* H_alpha / log V (NaN when V <= 1, as the scorer's division) */
    double shannon;   /* H_1 / log V */
    double alpha;
    uint64_t types;   /* distinct tokens observed */
    uint64_t tokens;  /* corpus token count (PathPiece's objective) */
    uint64_t vocab;   /* V used in the denominator */
    double utilisation; /* types / tokenizer vocabulary size (0 when unknown) */
} tok_efficiency;

/** From counts of each type (zeros ignored).  vocab_override > 0 replaces the
 *  observed number of types in the denominator (the scorer's `vocab=`). */
TOK_API void tok_efficiency_from_counts(const uint64_t *counts, size_t n, double alpha, uint64_t vocab_override,
                                        tok_efficiency *out);
/** Over ids of language i (or all), V = observed types, or the tokenizer's
 *  size when own_vocab. */
TOK_API tok_status tok_lang_efficiency(const tok_lang *a, size_t i, double alpha, bool own_vocab, tok_efficiency *out);

/** Text already split into tokens, read as tokenization-scorer reads it:
 *  lines split on white space (Python str.split()), empty lines dropped,
 *  types = distinct strings, over all the corpora together.  Streams;
 *  memory ~ types. */
TOK_API tok_status tok_efficiency_pretokenized(tok_corpus *const *cs, size_t ncorpora, double alpha, uint64_t vocab_override,
                                               tok_efficiency *out, char *msg, size_t cap);

/* ---- words ---------------------------------------------------------------- */

typedef struct tok_wordseg tok_wordseg;
/** Word segmenter (one per thread). */
TOK_API tok_wordseg *tok_wordseg_new(tok_words mode, tok_error *err);
TOK_API void tok_wordseg_free(tok_wordseg *w);
/** Words of text as byte ranges; valid until the next call. */
TOK_API tok_status tok_wordseg_run(tok_wordseg *w, const char *text, size_t len, const tok_offset **words, size_t *n);

/* ---- partial results (JSON) --------------------------------------------- */

/** Write the accumulator's counts (enough to merge) as one JSON object. */
TOK_API tok_status tok_lang_save(const tok_lang *a, FILE *f);
/** Rebuild an accumulator for t from the JSON text of one object written by
 *  tok_lang_save (vocabulary size must match).  NULL with *err naming
 *  `where` and the JSON path. */
TOK_API tok_lang *tok_lang_from_json(const tok_tokenizer *t, const char *json, size_t len, const char *where,
                                     tok_error *err);

/* ---- morphology ------------------------------------------------------------ */

/** Gold segmentations, one "word<TAB>morph|morph|..." a line ('#' comments;
 *  further columns ignored; lines whose morphs do not spell the word are
 *  counted and left out). */
typedef struct tok_gold tok_gold;
TOK_API tok_gold *tok_gold_load(const char *path, tok_error *err);
TOK_API void tok_gold_free(tok_gold *g);
TOK_API size_t tok_gold_size(const tok_gold *g);
TOK_API size_t tok_gold_skipped(const tok_gold *g);

typedef struct tok_morph_result {
    uint64_t words, kept;                    /* gold words, words evaluated */
    uint64_t gold_bounds, pred_bounds, tp;   /* boundaries (micro-averaged) */
    double precision, recall, f1;
    uint64_t all_words;                      /* every gold word, for the next three */
    uint64_t all_gold, all_pred, all_tp;     /* boundary counts over every gold word */
    double all_f1;
    uint64_t types;                          /* distinct tokens produced on the gold words */
    uint64_t pure, valid;                    /* of them: a gold morph; a listed word */
    double pct_pure, pct_valid;
} tok_morph_result;

/**
 * Boundary precision/recall/F1 of the tokens against the gold morph
 * boundaries, with encode options o (any method).  Each word is encoded after
 * "the " so it takes its running-text form (Ġ, ▁ or a WordPiece word start).
 * Two views: `kept` words are those whose morphs are all tokens of the
 * vocabulary in the right form and that are not one token (the same words
 * for every method: methods compared on what they can get right); `all_*`
 * counts every gold word.  %pure and %valid (offline proxies of Bayram et
 * al. 2025's %Pure and %TR, which used an online morphological analyser):
 * over the distinct tokens produced on the gold words (word-start marker and
 * ## removed, lowercased ASCII), the share that is a morph of the gold file,
 * and the share that is in `wordlist` (anything tok_wordset_load reads; NULL:
 * the gold words themselves).  The word list is read on each call: to
 * evaluate several tokenizers or methods, load it once and use
 * tok_morph_eval_set.
 */
TOK_API tok_status tok_morph_eval(const tok_tokenizer *t, tok_ctx *ctx, const tok_gold *g, const tok_encode_options *o,
                                  const char *wordlist, tok_morph_result *r, char *msg, size_t cap);

/* ---- word lists (%valid) and hunspell dictionaries ------------------------- */

/** A set of valid words (ASCII-lowercased, as tokens are looked up). */
typedef struct tok_wordset tok_wordset;

/**
 * Read valid words from `path`:
 *  - a plain list (/usr/share/dict/..., jieba's dict.txt): the first field of
 *    each line (up to '/', a tab or a space); lines that are not UTF-8 are
 *    skipped (legacy encodings), .gz/.zst read as by tok_corpus_open;
 *  - X.dic with X.aff beside it: the hunspell dictionary expanded to its word
 *    forms (tok_hunspell_expand); a .dic without .aff: its stems;
 *  - a directory: every *.txt and *.dic in it, in name order.
 * max_words > 0 caps the set; without it a hunspell dictionary is expanded
 * to at most 8 million forms (Italian's has 36.6 million); either way
 * tok_wordset_truncated says so and the sources line names the file.  NULL with
 * *err naming the file (and line) on error.  The set is immutable once
 * loaded: lookups are thread-safe.
 */
TOK_API tok_wordset *tok_wordset_load(const char *path, uint64_t max_words, tok_error *err);
TOK_API void tok_wordset_free(tok_wordset *w);
TOK_API size_t tok_wordset_size(const tok_wordset *w);
TOK_API bool tok_wordset_truncated(const tok_wordset *w);
/** What was read: "american-english (104334 words), en_US.dic (... hunspell forms)". */
TOK_API const char *tok_wordset_sources(const tok_wordset *w);
/** Is s (ASCII-lowercased) in the set? */
TOK_API bool tok_wordset_has(const tok_wordset *w, const char *s, size_t n);

/** tok_morph_eval with a loaded word set (NULL: the gold words). */
TOK_API tok_status tok_morph_eval_set(const tok_tokenizer *t, tok_ctx *ctx, const tok_gold *g,
                                      const tok_encode_options *o, const tok_wordset *valid, tok_morph_result *r,
                                      char *msg, size_t cap);

/**
 * A hunspell dictionary: the affix file (.aff) and the stems (.dic), read for
 * their affix rules only, to list word forms whose stem|affix boundaries are
 * known.  Read: SET UTF-8 (other encodings are refused), FLAG (single
 * character, UTF-8, long, num), AF aliases, PFX/SFX classes with cross
 * product, strip, add, conditions ([abc], [^abc], '.', literals, matched on
 * code points at the stem's end or start, before stripping), continuation
 * classes (twofold suffixes: stem+sfx1+sfx2; prefixes allowed by a suffix),
 * NEEDAFFIX/PSEUDOROOT, CIRCUMFIX, ONLYINCOMPOUND and FORBIDDENWORD stems.
 * Not expanded: compounds (COMPOUNDRULE, COMPOUNDFLAG...: unbounded), prefixes
 * enabled by a prefix's continuation class, two prefixes (COMPLEXPREFIXES);
 * morphological fields and counts in headers are ignored (never trusted for
 * allocation).  Files over 512 MiB are refused.
 */
typedef struct tok_hunspell tok_hunspell;

/** Load dic and aff (aff NULL: dic's name with .aff).  NULL with *err naming
 *  the file and line. */
TOK_API tok_hunspell *tok_hunspell_load(const char *dic, const char *aff, tok_error *err);
TOK_API void tok_hunspell_free(tok_hunspell *h);
TOK_API size_t tok_hunspell_stems(const tok_hunspell *h);
TOK_API size_t tok_hunspell_rules(const tok_hunspell *h);

/** One form: its bytes and the nb inner morph boundaries (byte offsets,
 *  ascending: after a prefix, before each suffix).  Non-zero stops. */
typedef int (*tok_hunspell_fn)(void *user, const char *form, size_t len, const uint32_t *bounds, size_t nb);

/**
 * Call fn for every form in dictionary order: for each stem, the stem itself
 * (unless NEEDAFFIX), its suffixed forms (each followed by its twofold
 * suffixed forms and, where both classes allow the cross product, prefixed),
 * then its prefixed forms.  A form reached by two derivations is handed out
 * twice.  max_forms > 0 stops after that many with TOK_ERR_LIMIT (*nforms
 * says how many were handed out).  Thread-safe (h is read only).
 */
TOK_API tok_status tok_hunspell_expand(const tok_hunspell *h, uint64_t max_forms, tok_hunspell_fn fn, void *user,
                                       uint64_t *nforms);

/**
 * Write approximate gold segmentations ("form<TAB>stem|affix|...", one a
 * line) for k forms sampled deterministically: of the distinct forms made of
 * lower-case letters only (no capitals, digits, apostrophes, dots or
 * hyphens), the k with the smallest hash under `seed` (all when k == 0), in
 * dictionary order; of a form's derivations, the one with the longest first
 * morph (abla|rı rather than ab|ları), then the fewest boundaries.  Where
 * a rule strips letters, the boundary falls after what is left of the stem
 * (happy + y/iness -> happ|iness).  Two expansions (memory ~ 8 bytes per
 * form, plus the k picked); max_forms bounds each.
 */
TOK_API tok_status tok_hunspell_gold(const tok_hunspell *h, uint64_t k, uint64_t seed, uint64_t max_forms, FILE *out,
                                     uint64_t *written, char *msg, size_t cap);

/* ---- the corpus audit report --------------------------------------------- */

/** A set of accumulators (one per tokenizer) over the same corpus, plus
 *  morphology results, rendered as one self-contained HTML page (inline SVG,
 *  no scripts, no external assets) and JSON.  Audits of shards merge exactly:
 *  tok_audit_load of several saved audits sums the counts of the same
 *  tokenizer, giving what one pass over all the shards gives. */
typedef struct tok_audit tok_audit;

TOK_API tok_audit *tok_audit_new(const char *reference_lang);
/** Free the audit, its accumulators and the tokenizers it loaded itself. */
TOK_API void tok_audit_free(tok_audit *au);
/** Add an accumulator (the audit takes it; t must outlive the audit). */
TOK_API tok_status tok_audit_add(tok_audit *au, tok_lang *acc, const tok_tokenizer *t);
/** Add one morphology row (tokenizer name, method, gold set name). */
TOK_API tok_status tok_audit_add_morph(tok_audit *au, const char *tokenizer, const char *method, const char *gold,
                                       const tok_morph_result *r);
/** Name the word lists %valid used for rows of gold `gold` added after this
 *  call (tok_wordset_sources); saved, merged and shown under the morphology
 *  table.  At most 8 gold files (TOK_ERR_LIMIT). */
TOK_API tok_status tok_audit_set_wordlist(tok_audit *au, const char *gold, const char *sources);
/** Write the counts (for merging) and the derived figures as JSON. */
TOK_API tok_status tok_audit_save(const tok_audit *au, FILE *f);
/** Read and merge saved audits (tokenizers reloaded from the paths they
 *  record).  NULL with *err naming the file and JSON path. */
TOK_API tok_audit *tok_audit_load(const char *const *paths, size_t n, tok_error *err);
/** Render the HTML page. */
TOK_API tok_status tok_audit_html(const tok_audit *au, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
