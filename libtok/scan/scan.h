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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef size_t (*tok_scan_fn)(const uint8_t *s, size_t n, size_t pos);
/* The batch form: the ends of up to `max` successive pre-tokens from pos
 * into ends[] (text under 4 GiB), their count (0 only when pos >= n).  It
 * stops after an end that is not in (pos, n] (invalid UTF-8: see
 * scan_util.h), which it still reports. */
typedef size_t (*tok_scan_many_fn)(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);

size_t tok_scan_gpt2(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_cl100k(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_o200k(const uint8_t *s, size_t n, size_t pos);
/* The same with 32-byte (AVX2) ASCII blocks, on x86-64 (avx2.c); and with
 * no SIMD fast path (scalar.c, the reference for tests). */
size_t tok_scan_gpt2_avx2(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_cl100k_avx2(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_o200k_avx2(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_gpt2_scalar(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_cl100k_scalar(const uint8_t *s, size_t n, size_t pos);
size_t tok_scan_o200k_scalar(const uint8_t *s, size_t n, size_t pos);

/* Their batch forms. */
size_t tok_scan_gpt2_many(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_cl100k_many(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_o200k_many(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_gpt2_many_avx2(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_cl100k_many_avx2(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_o200k_many_avx2(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_gpt2_many_scalar(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_cl100k_many_scalar(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
size_t tok_scan_o200k_many_scalar(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);

/** Whether this CPU has AVX2 (chosen once per tokenizer load). */
bool tok_scan_has_avx2(void);
/** Whether f is one of the GPT-2 pattern's scanners. */
bool tok_scan_is_gpt2(tok_scan_fn f);

/** The scanner for a regex (as written in tokenizer.json), or NULL: the
 *  AVX2 one when this CPU has AVX2, else the SSE2 one. */
tok_scan_fn tok_scan_for_regex(const char *regex);
/** The batch form of a scanner tok_scan_for_regex gave (or a _scalar one),
 *  or NULL for any other function. */
tok_scan_many_fn tok_scan_many_for(tok_scan_fn f);

#endif
