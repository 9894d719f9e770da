/* The scanners without the SIMD fast path (tok_scan_*_scalar): the
 * reference test_scan_simd compares the SSE2 and AVX2 scanners against. */
#define SC_SCALAR 1
#include "gpt2.c"
#include "cl100k.c"
#include "o200k.c"
