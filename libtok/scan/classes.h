/*
 * Character classes of the split patterns, per code point, from a table
 * generated at build time by asking PCRE2 (tools/gen_unitab.c), so the
 * hand-written scanners agree with the general regex path.
 */
#ifndef LIBTOK_SCAN_CLASSES_H
#define LIBTOK_SCAN_CLASSES_H

#include <stdint.h>

#define TOK_CL_L 0x01 /* \p{L} */
#define TOK_CL_N 0x02 /* \p{N} */
#define TOK_CL_S 0x04 /* \s */
#define TOK_CL_U 0x08 /* [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] */
#define TOK_CL_W 0x10 /* [\p{Ll}\p{Lm}\p{Lo}\p{M}] */

extern const uint16_t tok_cl_stage1[0x1100];
extern const uint8_t tok_cl_stage2[];

static inline uint8_t tok_cl(uint32_t cp)
{
    return tok_cl_stage2[(uint32_t)tok_cl_stage1[cp >> 8] * 256 + (cp & 0xFF)];
}

#endif
