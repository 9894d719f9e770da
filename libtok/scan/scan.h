/*
 * Hand-written pre-tokenizer scanners for the split patterns real byte-level
 * tokenizers use (GPT-2/r50k/p50k, cl100k/Llama 3, o200k).  Each returns the
 * end of the pre-token that starts at `pos`, exactly where the regex (as
 * PCRE2 runs it, with the same character classes) would end its match: the
 * alternatives are tried in order with the backtracking the regex would do,
 * written out by hand.  Input is valid UTF-8.  Every character is covered by
 * some alternative of these patterns, so pre-tokens tile the text.
 */
#ifndef LIBTOK_SCAN_H
#define LIBTOK_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef size_t (*tok_scan_fn)(const uint8_t *s, size_t n, size_t pos);

size_t tok_scan_gpt2(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_cl100k(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_o200k(const uint8_t *s, size_t n, size_t pos);

/** The scanner for a regex (as written in tokenizer.json), or NULL. */
tok_scan_fn tok_scan_for_regex(const char *regex);

#endif
