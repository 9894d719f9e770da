/* The scanners again, compiled for AVX2 (32-byte blocks in the ASCII fast
 * path of scan_util.h): tok_scan_*_avx2, which scan.c picks at load when the
 * CPU has AVX2. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC target("avx2")
#endif
#define SC_AVX2 1
#include "gpt2.c"
#include "cl100k.c"
#include "o200k.c"
#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int tok_scan_no_avx2; /* not x86-64: the SSE2/scalar scanners only */
#endif
