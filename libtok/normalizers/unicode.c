/*
 * NFC, NFD, NFKC, NFKD as HF's NormalizedString::nf*() do them.
 *
 * HF runs the unicode-normalization-alignments crate, which yields each output
 * char with a "change" (0: takes the place of the next input char, 1: new
 * char, -N: takes its place and N more input chars vanish), and then maps the
 * changes to alignments.  The crate tracks changes in a particular way while
 * reordering and recomposing (e.g. NFC of "e" U+0301 keeps only the range of
 * "e"), so this file reproduces its decompose -> canonical order -> recompose
 * pipeline step by step with the same bookkeeping.  Character data comes from
 * utf8proc, restricted to the code points that had such data in Unicode 9.0,
 * the version of the crate's tables (see u9_data); later ones are left alone.
 */
#include "../internal.h"

#include <utf8proc.h>

tok_normalizer *tok_norm_unicode_from_json(tok_jctx *jc, const json_t *j, const char *form);

/* ---- small helpers (precompiled.c has the same ones) ---- */

/* Char at in->s[i]: code point, byte length and original range (start of its
 * first byte, end of its last byte). */
static inline uint32_t nchar(const tok_nstr *in, size_t i, size_t *len, uint32_t *r0, uint32_t *r1)
{
    uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, len);
    if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
    *r0 = in->a0[i];
    *r1 = in->a1[i + *len - 1];
    return cp;
}

static inline int put_cp(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1)
{
    if (out->n + 4 > out->cap && tok_nstr_reserve(out, out->n + 4)) return -1;
    uint8_t b[4];
    int k = tok_utf8_encode(cp, b);
    for (int i = 0; i < k; i++) {
        out->s[out->n] = b[i];
        out->a0[out->n] = r0;
        out->a1[out->n] = r1;
        out->n++;
    }
    return 0;
}

/* HF NormalizedString::transform over the whole string, fed one output char
 * at a time.  pos is HF's running byte offset into the input. */
typedef struct xf {
    const tok_nstr *in;
    tok_nstr *out;
    size_t pos;
    uint32_t p0, p1; /* range of the input char ending at pos (alignments[pos-1]) */
} xf;

static void xf_init(xf *x, const tok_nstr *in, tok_nstr *out)
{
    x->in = in;
    x->out = out;
    x->pos = 0;
    /* HF gives chars inserted before everything (0,0): the segment start. */
    x->p0 = x->p1 = in->n ? in->a0[0] : 0;
}

static void xf_skip(xf *x, size_t k)
{
    while (k-- > 0 && x->pos < x->in->n) {
        size_t len;
        nchar(x->in, x->pos, &len, &x->p0, &x->p1);
        x->pos += len;
    }
}

static int xf_put(xf *x, uint32_t cp, long change)
{
    uint32_t r0, r1;
    if (change > 0 || x->pos >= x->in->n) {
        r0 = x->p0;
        r1 = x->p1;
    } else {
        size_t len;
        nchar(x->in, x->pos, &len, &r0, &r1);
        x->pos += len;
        x->p0 = r0;
        x->p1 = r1;
    }
    if (change < 0) xf_skip(x, (size_t)-change);
    return put_cp(x->out, cp, r0, r1);
}

/* ---- Unicode 9.0 vs utf8proc ---- */

/* Code points with normalization data (combining class, decomposition,
 * composition) in Unicode 9.0, the tables of HF's crate; Hangul syllables
 * are algorithmic and not listed. */
static const uint32_t u9_data[][2] = {
    {0xA0, 0xA0}, {0xA8, 0xA8}, {0xAA, 0xAA}, {0xAF, 0xAF}, {0xB2, 0xB5}, {0xB8, 0xBA},
    {0xBC, 0xBE}, {0xC0, 0xCF}, {0xD1, 0xD6}, {0xD8, 0xDD}, {0xE0, 0xEF}, {0xF1, 0xF6},
    {0xF8, 0xFD}, {0xFF, 0x10F}, {0x112, 0x125}, {0x128, 0x130}, {0x132, 0x137}, {0x139, 0x140},
    {0x143, 0x149}, {0x14C, 0x151}, {0x154, 0x165}, {0x168, 0x17F}, {0x1A0, 0x1A1}, {0x1AF, 0x1B0},
    {0x1B7, 0x1B7}, {0x1C4, 0x1DC}, {0x1DE, 0x1E3}, {0x1E6, 0x1F5}, {0x1F8, 0x21B}, {0x21E, 0x21F},
    {0x226, 0x233}, {0x292, 0x292}, {0x2B0, 0x2B8}, {0x2D8, 0x2DD}, {0x2E0, 0x2E4}, {0x300, 0x34E},
    {0x350, 0x36F}, {0x374, 0x374}, {0x37A, 0x37A}, {0x37E, 0x37E}, {0x384, 0x38A}, {0x38C, 0x38C},
    {0x38E, 0x391}, {0x395, 0x395}, {0x397, 0x397}, {0x399, 0x399}, {0x39F, 0x39F}, {0x3A1, 0x3A1},
    {0x3A5, 0x3A5}, {0x3A9, 0x3B1}, {0x3B5, 0x3B5}, {0x3B7, 0x3B7}, {0x3B9, 0x3B9}, {0x3BF, 0x3BF},
    {0x3C1, 0x3C1}, {0x3C5, 0x3C5}, {0x3C9, 0x3CE}, {0x3D0, 0x3D6}, {0x3F0, 0x3F2}, {0x3F4, 0x3F5},
    {0x3F9, 0x3F9}, {0x400, 0x401}, {0x403, 0x403}, {0x406, 0x407}, {0x40C, 0x40E}, {0x410, 0x410},
    {0x413, 0x413}, {0x415, 0x41A}, {0x41E, 0x41E}, {0x423, 0x423}, {0x427, 0x427}, {0x42B, 0x42B},
    {0x42D, 0x42D}, {0x430, 0x430}, {0x433, 0x433}, {0x435, 0x43A}, {0x43E, 0x43E}, {0x443, 0x443},
    {0x447, 0x447}, {0x44B, 0x44B}, {0x44D, 0x44D}, {0x450, 0x451}, {0x453, 0x453}, {0x456, 0x457},
    {0x45C, 0x45E}, {0x474, 0x477}, {0x483, 0x487}, {0x4C1, 0x4C2}, {0x4D0, 0x4D3}, {0x4D6, 0x4DF},
    {0x4E2, 0x4F5}, {0x4F8, 0x4F9}, {0x587, 0x587}, {0x591, 0x5BD}, {0x5BF, 0x5BF}, {0x5C1, 0x5C2},
    {0x5C4, 0x5C5}, {0x5C7, 0x5C7}, {0x610, 0x61A}, {0x622, 0x627}, {0x648, 0x648}, {0x64A, 0x65F},
    {0x670, 0x670}, {0x675, 0x678}, {0x6C0, 0x6C2}, {0x6D2, 0x6D3}, {0x6D5, 0x6DC}, {0x6DF, 0x6E4},
    {0x6E7, 0x6E8}, {0x6EA, 0x6ED}, {0x711, 0x711}, {0x730, 0x74A}, {0x7EB, 0x7F3}, {0x816, 0x819},
    {0x81B, 0x823}, {0x825, 0x827}, {0x829, 0x82D}, {0x859, 0x85B}, {0x8D4, 0x8E1}, {0x8E3, 0x8FF},
    {0x928, 0x929}, {0x930, 0x931}, {0x933, 0x934}, {0x93C, 0x93C}, {0x94D, 0x94D}, {0x951, 0x954},
    {0x958, 0x95F}, {0x9BC, 0x9BC}, {0x9BE, 0x9BE}, {0x9C7, 0x9C7}, {0x9CB, 0x9CD}, {0x9D7, 0x9D7},
    {0x9DC, 0x9DD}, {0x9DF, 0x9DF}, {0xA33, 0xA33}, {0xA36, 0xA36}, {0xA3C, 0xA3C}, {0xA4D, 0xA4D},
    {0xA59, 0xA5B}, {0xA5E, 0xA5E}, {0xABC, 0xABC}, {0xACD, 0xACD}, {0xB3C, 0xB3C}, {0xB3E, 0xB3E},
    {0xB47, 0xB48}, {0xB4B, 0xB4D}, {0xB56, 0xB57}, {0xB5C, 0xB5D}, {0xB92, 0xB92}, {0xB94, 0xB94},
    {0xBBE, 0xBBE}, {0xBC6, 0xBC7}, {0xBCA, 0xBCD}, {0xBD7, 0xBD7}, {0xC46, 0xC46}, {0xC48, 0xC48},
    {0xC4D, 0xC4D}, {0xC55, 0xC56}, {0xCBC, 0xCBC}, {0xCBF, 0xCC0}, {0xCC2, 0xCC2}, {0xCC6, 0xCC8},
    {0xCCA, 0xCCB}, {0xCCD, 0xCCD}, {0xCD5, 0xCD6}, {0xD3E, 0xD3E}, {0xD46, 0xD47}, {0xD4A, 0xD4D},
    {0xD57, 0xD57}, {0xDCA, 0xDCA}, {0xDCF, 0xDCF}, {0xDD9, 0xDDA}, {0xDDC, 0xDDF}, {0xE33, 0xE33},
    {0xE38, 0xE3A}, {0xE48, 0xE4B}, {0xEB3, 0xEB3}, {0xEB8, 0xEB9}, {0xEC8, 0xECB}, {0xEDC, 0xEDD},
    {0xF0C, 0xF0C}, {0xF18, 0xF19}, {0xF35, 0xF35}, {0xF37, 0xF37}, {0xF39, 0xF39}, {0xF43, 0xF43},
    {0xF4D, 0xF4D}, {0xF52, 0xF52}, {0xF57, 0xF57}, {0xF5C, 0xF5C}, {0xF69, 0xF69}, {0xF71, 0xF7D},
    {0xF80, 0xF84}, {0xF86, 0xF87}, {0xF93, 0xF93}, {0xF9D, 0xF9D}, {0xFA2, 0xFA2}, {0xFA7, 0xFA7},
    {0xFAC, 0xFAC}, {0xFB9, 0xFB9}, {0xFC6, 0xFC6}, {0x1025, 0x1026}, {0x102E, 0x102E},
    {0x1037, 0x1037}, {0x1039, 0x103A}, {0x108D, 0x108D}, {0x10FC, 0x10FC}, {0x135D, 0x135F},
    {0x1714, 0x1714}, {0x1734, 0x1734}, {0x17D2, 0x17D2}, {0x17DD, 0x17DD}, {0x18A9, 0x18A9},
    {0x1939, 0x193B}, {0x1A17, 0x1A18}, {0x1A60, 0x1A60}, {0x1A75, 0x1A7C}, {0x1A7F, 0x1A7F},
    {0x1AB0, 0x1ABD}, {0x1B05, 0x1B0E}, {0x1B11, 0x1B12}, {0x1B34, 0x1B35}, {0x1B3A, 0x1B44},
    {0x1B6B, 0x1B73}, {0x1BAA, 0x1BAB}, {0x1BE6, 0x1BE6}, {0x1BF2, 0x1BF3}, {0x1C37, 0x1C37},
    {0x1CD0, 0x1CD2}, {0x1CD4, 0x1CE0}, {0x1CE2, 0x1CE8}, {0x1CED, 0x1CED}, {0x1CF4, 0x1CF4},
    {0x1CF8, 0x1CF9}, {0x1D2C, 0x1D2E}, {0x1D30, 0x1D3A}, {0x1D3C, 0x1D4D}, {0x1D4F, 0x1D6A},
    {0x1D78, 0x1D78}, {0x1D9B, 0x1DF5}, {0x1DFB, 0x1E9B}, {0x1EA0, 0x1EF9}, {0x1F00, 0x1F15},
    {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59},
    {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FC4},
    {0x1FC6, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FDD, 0x1FEF}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFE},
    {0x2000, 0x200A}, {0x2011, 0x2011}, {0x2017, 0x2017}, {0x2024, 0x2026}, {0x202F, 0x202F},
    {0x2033, 0x2034}, {0x2036, 0x2037}, {0x203C, 0x203C}, {0x203E, 0x203E}, {0x2047, 0x2049},
    {0x2057, 0x2057}, {0x205F, 0x205F}, {0x2070, 0x2071}, {0x2074, 0x208E}, {0x2090, 0x209C},
    {0x20A8, 0x20A8}, {0x20D0, 0x20DC}, {0x20E1, 0x20E1}, {0x20E5, 0x20F0}, {0x2100, 0x2103},
    {0x2105, 0x2107}, {0x2109, 0x2113}, {0x2115, 0x2116}, {0x2119, 0x211D}, {0x2120, 0x2122},
    {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212A, 0x212D}, {0x212F, 0x2131},
    {0x2133, 0x2139}, {0x213B, 0x2140}, {0x2145, 0x2149}, {0x2150, 0x217F}, {0x2189, 0x2189},
    {0x2190, 0x2190}, {0x2192, 0x2192}, {0x2194, 0x2194}, {0x219A, 0x219B}, {0x21AE, 0x21AE},
    {0x21CD, 0x21D0}, {0x21D2, 0x21D2}, {0x21D4, 0x21D4}, {0x2203, 0x2204}, {0x2208, 0x2209},
    {0x220B, 0x220C}, {0x2223, 0x2226}, {0x222C, 0x222D}, {0x222F, 0x2230}, {0x223C, 0x223C},
    {0x2241, 0x2241}, {0x2243, 0x2245}, {0x2247, 0x2249}, {0x224D, 0x224D}, {0x2260, 0x2262},
    {0x2264, 0x2265}, {0x226D, 0x227D}, {0x2280, 0x2289}, {0x2291, 0x2292}, {0x22A2, 0x22A2},
    {0x22A8, 0x22A9}, {0x22AB, 0x22AF}, {0x22B2, 0x22B5}, {0x22E0, 0x22E3}, {0x22EA, 0x22ED},
    {0x2329, 0x232A}, {0x2460, 0x24EA}, {0x2A0C, 0x2A0C}, {0x2A74, 0x2A76}, {0x2ADC, 0x2ADC},
    {0x2C7C, 0x2C7D}, {0x2CEF, 0x2CF1}, {0x2D6F, 0x2D6F}, {0x2D7F, 0x2D7F}, {0x2DE0, 0x2DFF},
    {0x2E9F, 0x2E9F}, {0x2EF3, 0x2EF3}, {0x2F00, 0x2FD5}, {0x3000, 0x3000}, {0x302A, 0x302F},
    {0x3036, 0x3036}, {0x3038, 0x303A}, {0x3046, 0x3046}, {0x304B, 0x3062}, {0x3064, 0x3069},
    {0x306F, 0x307D}, {0x3094, 0x3094}, {0x3099, 0x309F}, {0x30A6, 0x30A6}, {0x30AB, 0x30C2},
    {0x30C4, 0x30C9}, {0x30CF, 0x30DD}, {0x30EF, 0x30F2}, {0x30F4, 0x30F4}, {0x30F7, 0x30FA},
    {0x30FD, 0x30FF}, {0x3131, 0x318E}, {0x3192, 0x319F}, {0x3200, 0x321E}, {0x3220, 0x3247},
    {0x3250, 0x327E}, {0x3280, 0x32FE}, {0x3300, 0x33FF}, {0xA66F, 0xA66F}, {0xA674, 0xA67D},
    {0xA69C, 0xA69F}, {0xA6F0, 0xA6F1}, {0xA770, 0xA770}, {0xA7F8, 0xA7F9}, {0xA806, 0xA806},
    {0xA8C4, 0xA8C4}, {0xA8E0, 0xA8F1}, {0xA92B, 0xA92D}, {0xA953, 0xA953}, {0xA9B3, 0xA9B3},
    {0xA9C0, 0xA9C0}, {0xAAB0, 0xAAB0}, {0xAAB2, 0xAAB4}, {0xAAB7, 0xAAB8}, {0xAABE, 0xAABF},
    {0xAAC1, 0xAAC1}, {0xAAF6, 0xAAF6}, {0xAB5C, 0xAB5F}, {0xABED, 0xABED}, {0xF900, 0xFA0D},
    {0xFA10, 0xFA10}, {0xFA12, 0xFA12}, {0xFA15, 0xFA1E}, {0xFA20, 0xFA20}, {0xFA22, 0xFA22},
    {0xFA25, 0xFA26}, {0xFA2A, 0xFA6D}, {0xFA70, 0xFAD9}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17},
    {0xFB1D, 0xFB36}, {0xFB38, 0xFB3C}, {0xFB3E, 0xFB3E}, {0xFB40, 0xFB41}, {0xFB43, 0xFB44},
    {0xFB46, 0xFBB1}, {0xFBD3, 0xFD3D}, {0xFD50, 0xFD8F}, {0xFD92, 0xFDC7}, {0xFDF0, 0xFDFC},
    {0xFE10, 0xFE19}, {0xFE20, 0xFE44}, {0xFE47, 0xFE52}, {0xFE54, 0xFE66}, {0xFE68, 0xFE6B},
    {0xFE70, 0xFE72}, {0xFE74, 0xFE74}, {0xFE76, 0xFEFC}, {0xFF01, 0xFFBE}, {0xFFC2, 0xFFC7},
    {0xFFCA, 0xFFCF}, {0xFFD2, 0xFFD7}, {0xFFDA, 0xFFDC}, {0xFFE0, 0xFFE6}, {0xFFE8, 0xFFEE},
    {0x101FD, 0x101FD}, {0x102E0, 0x102E0}, {0x10376, 0x1037A}, {0x10A0D, 0x10A0D},
    {0x10A0F, 0x10A0F}, {0x10A38, 0x10A3A}, {0x10A3F, 0x10A3F}, {0x10AE5, 0x10AE6},
    {0x11046, 0x11046}, {0x1107F, 0x1107F}, {0x11099, 0x1109C}, {0x110A5, 0x110A5},
    {0x110AB, 0x110AB}, {0x110B9, 0x110BA}, {0x11100, 0x11102}, {0x11127, 0x11127},
    {0x1112E, 0x1112F}, {0x11131, 0x11134}, {0x11173, 0x11173}, {0x111C0, 0x111C0},
    {0x111CA, 0x111CA}, {0x11235, 0x11236}, {0x112E9, 0x112EA}, {0x1133C, 0x1133C},
    {0x1133E, 0x1133E}, {0x11347, 0x11347}, {0x1134B, 0x1134D}, {0x11357, 0x11357},
    {0x11366, 0x1136C}, {0x11370, 0x11374}, {0x11442, 0x11442}, {0x11446, 0x11446},
    {0x114B0, 0x114B0}, {0x114B9, 0x114BE}, {0x114C2, 0x114C3}, {0x115AF, 0x115AF},
    {0x115B8, 0x115BB}, {0x115BF, 0x115C0}, {0x1163F, 0x1163F}, {0x116B6, 0x116B7},
    {0x1172B, 0x1172B}, {0x11C3F, 0x11C3F}, {0x16AF0, 0x16AF4}, {0x16B30, 0x16B36},
    {0x1BC9E, 0x1BC9E}, {0x1D15E, 0x1D169}, {0x1D16D, 0x1D172}, {0x1D17B, 0x1D182},
    {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD}, {0x1D1BB, 0x1D1C0}, {0x1D242, 0x1D244},
    {0x1D400, 0x1D454}, {0x1D456, 0x1D49C}, {0x1D49E, 0x1D49F}, {0x1D4A2, 0x1D4A2},
    {0x1D4A5, 0x1D4A6}, {0x1D4A9, 0x1D4AC}, {0x1D4AE, 0x1D4B9}, {0x1D4BB, 0x1D4BB},
    {0x1D4BD, 0x1D4C3}, {0x1D4C5, 0x1D505}, {0x1D507, 0x1D50A}, {0x1D50D, 0x1D514},
    {0x1D516, 0x1D51C}, {0x1D51E, 0x1D539}, {0x1D53B, 0x1D53E}, {0x1D540, 0x1D544},
    {0x1D546, 0x1D546}, {0x1D54A, 0x1D550}, {0x1D552, 0x1D6A5}, {0x1D6A8, 0x1D7CB},
    {0x1D7CE, 0x1D7FF}, {0x1E000, 0x1E006}, {0x1E008, 0x1E018}, {0x1E01B, 0x1E021},
    {0x1E023, 0x1E024}, {0x1E026, 0x1E02A}, {0x1E8D0, 0x1E8D6}, {0x1E944, 0x1E94A},
    {0x1EE00, 0x1EE03}, {0x1EE05, 0x1EE1F}, {0x1EE21, 0x1EE22}, {0x1EE24, 0x1EE24},
    {0x1EE27, 0x1EE27}, {0x1EE29, 0x1EE32}, {0x1EE34, 0x1EE37}, {0x1EE39, 0x1EE39},
    {0x1EE3B, 0x1EE3B}, {0x1EE42, 0x1EE42}, {0x1EE47, 0x1EE47}, {0x1EE49, 0x1EE49},
    {0x1EE4B, 0x1EE4B}, {0x1EE4D, 0x1EE4F}, {0x1EE51, 0x1EE52}, {0x1EE54, 0x1EE54},
    {0x1EE57, 0x1EE57}, {0x1EE59, 0x1EE59}, {0x1EE5B, 0x1EE5B}, {0x1EE5D, 0x1EE5D},
    {0x1EE5F, 0x1EE5F}, {0x1EE61, 0x1EE62}, {0x1EE64, 0x1EE64}, {0x1EE67, 0x1EE6A},
    {0x1EE6C, 0x1EE72}, {0x1EE74, 0x1EE77}, {0x1EE79, 0x1EE7C}, {0x1EE7E, 0x1EE7E},
    {0x1EE80, 0x1EE89}, {0x1EE8B, 0x1EE9B}, {0x1EEA1, 0x1EEA3}, {0x1EEA5, 0x1EEA9},
    {0x1EEAB, 0x1EEBB}, {0x1F100, 0x1F10A}, {0x1F110, 0x1F12E}, {0x1F130, 0x1F14F},
    {0x1F16A, 0x1F16B}, {0x1F190, 0x1F190}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
    {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x2F800, 0x2FA1D},
};

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid][0]) hi = mid;
        else if (cp > r[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

/* May cp have normalization data?  (Below U+00A0 only as a composition
 * starter; Hangul syllables are handled before this is asked.) */
static inline bool u9_has(uint32_t cp)
{
    return cp < 0xA0 || in_ranges(u9_data, sizeof u9_data / sizeof u9_data[0], cp);
}

static inline uint8_t ccc_of(uint32_t cp)
{
    if (cp < 0x300 || !u9_has(cp)) return 0;
    return (uint8_t)utf8proc_get_property((utf8proc_int32_t)cp)->combining_class;
}

#define H_SBASE 0xAC00u
#define H_LBASE 0x1100u
#define H_VBASE 0x1161u
#define H_TBASE 0x11A7u
#define H_LCOUNT 19u
#define H_VCOUNT 21u
#define H_TCOUNT 28u
#define H_NCOUNT (H_VCOUNT * H_TCOUNT)
#define H_SCOUNT (H_LCOUNT * H_NCOUNT)

/* Primary composite of a + b, or 0. */
static uint32_t compose_pair(uint32_t a, uint32_t b)
{
    if (a - H_LBASE < H_LCOUNT && b - H_VBASE < H_VCOUNT)
        return H_SBASE + ((a - H_LBASE) * H_VCOUNT + (b - H_VBASE)) * H_TCOUNT;
    if (a - H_SBASE < H_SCOUNT && (a - H_SBASE) % H_TCOUNT == 0 && b - H_TBASE - 1 < H_TCOUNT - 1)
        return a + (b - H_TBASE);
    /* no pair has a second char below U+0300, or a Hangul jamo/syllable
     * outside the algorithmic rules above */
    if (b < 0x300 || a - H_SBASE < H_SCOUNT || a - H_LBASE < H_LCOUNT ||
        b - H_VBASE < H_VCOUNT || b - H_TBASE < H_TCOUNT)
        return 0;
    if (!u9_has(a) || !u9_has(b)) return 0;
    utf8proc_int32_t buf[2] = {(utf8proc_int32_t)a, (utf8proc_int32_t)b};
    /* STABLE: honour the composition exclusions */
    if (utf8proc_normalize_utf32(buf, 2, (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_STABLE)) == 1)
        return (uint32_t)buf[0];
    return 0;
}

/* ---- the normalizer ---- */

typedef struct unorm {
    tok_normalizer base;
    bool compat, compose;
} unorm;

typedef struct uent {
    uint32_t cp;
    uint8_t ccc;
    long change;
} uent;

/* A small growable array of entries: stack first, then the context arena. */
typedef struct ubuf {
    uent *v;
    size_t n, cap;
    tok_arena *arena;
} ubuf;

static int ubuf_push(ubuf *b, uent e)
{
    if (b->n == b->cap) {
        size_t cap = b->cap * 2;
        uent *v = tok_arena_alloc(b->arena, cap * sizeof *v);
        if (!v) return -1;
        memcpy(v, b->v, b->n * sizeof *v);
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = e;
    return 0;
}

/* Recomposition state (the crate's Recompositions iterator, push-driven). */
typedef struct ustate {
    xf x;
    bool compose;
    ubuf pend;       /* decomposed chars since the last starter */
    ubuf blocked;    /* recomposer buffer */
    bool has_composee;
    uent composee;
    int last_ccc;    /* -1: none */
    bool err;
} ustate;

static void emit(ustate *st, uent e)
{
    if (xf_put(&st->x, e.cp, e.change)) st->err = true;
}

static void purge(ustate *st)
{
    for (size_t i = 0; i < st->blocked.n; i++) emit(st, st->blocked.v[i]);
    st->blocked.n = 0;
}

/* One char out of canonical ordering, into the recomposer. */
static void recompose(ustate *st, uent e)
{
    if (!st->compose) {
        emit(st, e);
        return;
    }
    if (!st->has_composee) {
        if (e.ccc != 0) {
            emit(st, e);
            return;
        }
        st->composee = e;
        st->has_composee = true;
        return;
    }
    uent k = st->composee;
    if (st->last_ccc < 0) {
        uint32_t r = compose_pair(k.cp, e.cp);
        if (r) {
            st->composee.cp = r;
            st->composee.change = k.change + e.change - 1;
            return;
        }
        if (e.ccc == 0) {
            st->composee = e;
            emit(st, k);
            return;
        }
        if (ubuf_push(&st->blocked, e)) st->err = true;
        st->last_ccc = e.ccc;
        return;
    }
    if (st->last_ccc >= e.ccc) {
        /* e is blocked from the composee */
        if (e.ccc == 0) {
            st->composee = e;
            st->last_ccc = -1;
            emit(st, k);
            purge(st);
            return;
        }
        if (ubuf_push(&st->blocked, e)) st->err = true;
        st->last_ccc = e.ccc;
        return;
    }
    uint32_t r = compose_pair(k.cp, e.cp);
    if (r) {
        st->composee.cp = r;
        st->composee.change = k.change + e.change - 1;
        return;
    }
    if (ubuf_push(&st->blocked, e)) st->err = true;
    st->last_ccc = e.ccc;
}

/* Stable sort by combining class (segments are short; insertion sort is
 * stable and fine, long runs of marks fall back to a counting sort). */
static int sort_pending(ustate *st, tok_arena *arena)
{
    uent *v = st->pend.v;
    size_t n = st->pend.n;
    if (n < 2) return 0;
    if (n <= 64) {
        for (size_t i = 1; i < n; i++) {
            uent e = v[i];
            size_t j = i;
            while (j > 0 && v[j - 1].ccc > e.ccc) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = e;
        }
        return 0;
    }
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++) count[v[i].ccc + 1]++;
    for (int c = 1; c < 257; c++) count[c] += count[c - 1];
    uent *tmp = tok_arena_alloc(arena, n * sizeof *tmp);
    if (!tmp) return -1;
    for (size_t i = 0; i < n; i++) tmp[count[v[i].ccc]++] = v[i];
    memcpy(v, tmp, n * sizeof *v);
    return 0;
}

static void flush_pending(ustate *st, tok_arena *arena)
{
    if (sort_pending(st, arena)) st->err = true;
    for (size_t i = 0; i < st->pend.n; i++) recompose(st, st->pend.v[i]);
    st->pend.n = 0;
}

static tok_status unorm_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const unorm *u = (const unorm *)self;
    ustate st;
    uent pend_stack[16], blocked_stack[16];
    memset(&st, 0, sizeof st);
    xf_init(&st.x, in, out);
    st.compose = u->compose;
    st.pend = (ubuf){pend_stack, 0, 16, &ctx->arena};
    st.blocked = (ubuf){blocked_stack, 0, 16, &ctx->arena};
    st.last_ccc = -1;
    if (tok_nstr_reserve(out, out->n + in->n + in->n / 4 + 4)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");

    utf8proc_option_t opt = (utf8proc_option_t)(UTF8PROC_DECOMPOSE | (u->compat ? UTF8PROC_COMPAT : 0));
    for (size_t i = 0; i < in->n && !st.err;) {
        /* Fast path: an ASCII char followed by another ASCII char, with nothing
         * pending, is final as it is (it neither decomposes, reorders nor
         * composes).  Everything emitted so far consumed exactly the input
         * before i, so it simply takes its own place. */
        if (in->s[i] < 0x80 && st.pend.n == 0 && !st.has_composee && st.blocked.n == 0 && st.x.pos == i) {
            size_t j = i;
            while (j + 1 < in->n && in->s[j] < 0x80 && in->s[j + 1] < 0x80) j++;
            if (j > i) {
                if (tok_nstr_push_aligned(out, in->s + i, in->a0 + i, in->a1 + i, j - i)) {
                    st.err = true;
                    break;
                }
                st.x.pos = j;
                st.x.p0 = in->a0[j - 1];
                st.x.p1 = in->a1[j - 1];
                i = j;
                continue;
            }
        }
        size_t len;
        uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, &len);
        if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
        i += len;
        utf8proc_int32_t d[32];
        utf8proc_ssize_t nd = 1;
        d[0] = (utf8proc_int32_t)cp;
        if (cp >= 0xA0 && (cp - H_SBASE < H_SCOUNT || u9_has(cp))) {
            int bc = 0;
            nd = utf8proc_decompose_char((utf8proc_int32_t)cp, d, 32, opt, &bc);
            if (nd < 1 || nd > 32) {
                d[0] = (utf8proc_int32_t)cp;
                nd = 1;
            }
        }
        for (utf8proc_ssize_t k = 0; k < nd; k++) {
            uent e = {(uint32_t)d[k], ccc_of((uint32_t)d[k]), k ? 1 : 0};
            if (e.ccc == 0) flush_pending(&st, &ctx->arena);
            if (ubuf_push(&st.pend, e)) st.err = true;
        }
    }
    flush_pending(&st, &ctx->arena);
    if (st.compose && st.has_composee) {
        emit(&st, st.composee);
        st.has_composee = false;
    }
    purge(&st);
    if (st.err) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static void unorm_free(tok_normalizer *self) { free(self); }

static json_t *unorm_to_json(const tok_normalizer *self)
{
    return json_pack("{ss}", "type", self->vt->type);
}

static const tok_normalizer_vt vt_nfc = {"NFC", unorm_run, unorm_free, unorm_to_json};
static const tok_normalizer_vt vt_nfd = {"NFD", unorm_run, unorm_free, unorm_to_json};
static const tok_normalizer_vt vt_nfkc = {"NFKC", unorm_run, unorm_free, unorm_to_json};
static const tok_normalizer_vt vt_nfkd = {"NFKD", unorm_run, unorm_free, unorm_to_json};

tok_normalizer *tok_norm_unicode_from_json(tok_jctx *jc, const json_t *j, const char *form)
{
    TOK_UNUSED(j);
    unorm *u = calloc(1, sizeof *u);
    if (!u) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    u->compat = form[2] == 'K';
    u->compose = form[strlen(form) - 1] == 'C';
    u->base.vt = !u->compat ? (u->compose ? &vt_nfc : &vt_nfd) : (u->compose ? &vt_nfkc : &vt_nfkd);
    return &u->base;
}
