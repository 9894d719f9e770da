/*
 * The library's one regex module: Oniguruma (Ruby syntax) patterns, as HF
 * compiles them, translated to PCRE2 and matched with onig's find_iter rule
 * (regex.c).  Used by the Split and ByteLevel pre-tokenizers, the Replace
 * normalizer and the Replace decoder.  Not installed.
 */
#ifndef LIBTOK_REGEX_H
#define LIBTOK_REGEX_H

#include "../internal.h"

typedef struct tok_pt_regex tok_pt_regex;
/** Compile an Oniguruma (Ruby syntax) pattern, or with literal a plain string.
 *  NULL after reporting through jc. */
tok_pt_regex *tok_pt_regex_new(tok_jctx *jc, const char *pat, size_t len, bool literal);
void tok_pt_regex_free(tok_pt_regex *re);
/** Per-call match state (lives in the ctx arena). */
typedef struct tok_pt_matcher tok_pt_matcher;
tok_pt_matcher *tok_pt_matcher_new(const tok_pt_regex *re, tok_ctx *ctx);
/** Release what a matcher may have taken outside the arena (a grown JIT stack). */
void tok_pt_matcher_done(tok_pt_matcher *m);
/** The matches of a regex in s[0..n) one by one, as the onig crate's
 *  find_iter (an empty match where the previous one ended is skipped). */
typedef struct tok_pt_regex_iter {
    tok_pt_matcher *m;
    const uint8_t *s;
    size_t n, pos, last_end;
    bool have_last;
} tok_pt_regex_iter;
void tok_pt_regex_iter_init(tok_pt_regex_iter *it, tok_pt_matcher *m, const uint8_t *s, size_t n);
/** 1 and the next match [*ms, *me), 0 at the end, < 0 a PCRE2 error code. */
int tok_pt_regex_next(tok_pt_regex_iter *it, size_t *ms, size_t *me);
/** Report PCRE2 error rc of component `who` through ctx (TOK_ERR_LIMIT). */
tok_status tok_pt_regex_fail(tok_ctx *ctx, const char *who, int rc);

/** Translate an Oniguruma pattern to PCRE2 syntax (for tests and for other
 *  components).  Returns 0, or -1 with a message in err. */
int tok_onig_to_pcre2(const char *pat, size_t len, tok_sbuf *out, char *err, size_t errcap);

#endif
