/* The GPT-2 byte-level alphabet: printable Latin-1 bytes stand for themselves,
 * the other 68 bytes are shifted to U+0100.. in byte order. */
#include "../internal.h"

uint32_t tok_bytelevel_char(uint8_t b)
{
    if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) return b;
    if (b <= 0x20) return 0x100u + b;          /* 0..32   -> U+0100..U+0120 */
    if (b <= 0xA0) return 0x100u + 33 + (b - 0x7F); /* 127..160 -> U+0121..U+0142 */
    return 0x143;                               /* 173 (soft hyphen) */
}

int tok_bytelevel_byte(uint32_t cp)
{
    if ((cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF)) return (int)cp;
    if (cp >= 0x100 && cp <= 0x120) return (int)(cp - 0x100);
    if (cp >= 0x121 && cp <= 0x142) return (int)(cp - 0x121 + 0x7F);
    if (cp == 0x143) return 0xAD;
    return -1;
}
