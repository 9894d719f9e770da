/* UTF-8 decoding with the "maximal subpart" error rule (Unicode 3.9, also used
 * by Rust's from_utf8_lossy and the WHATWG decoder), so lossy conversion
 * produces the same U+FFFD count as the references. */
#include "../internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

uint32_t tok_utf8_decode(const uint8_t *s, size_t n, size_t *len)
{
    uint8_t c = s[0];
    if (c < 0x80) { *len = 1; return c; }
    int k = tok_utf8_seqlen(c);
    if (k == 0) { *len = 1; return TOK_UTF8_BAD; }
    /* valid range of the second byte depends on the lead */
    uint8_t lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    uint32_t cp = c & (0x7F >> k);
    for (int i = 1; i < k; i++) {
        if ((size_t)i >= n) { *len = (size_t)i; return TOK_UTF8_BAD; }
        uint8_t d = s[i];
        if (i == 1 ? (d < lo || d > hi) : (d & 0xC0) != 0x80) { *len = (size_t)i; return TOK_UTF8_BAD; }
        cp = (cp << 6) | (d & 0x3F);
    }
    *len = (size_t)k;
    return cp;
}

int tok_utf8_encode(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) { out[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static size_t check_scalar(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path, 8 bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        if (s[i] < 0x80) { i++; continue; }
        /* two-byte characters inline (Latin, Greek, Cyrillic, and the
         * byte-level alphabet of GPT-2 style vocabularies) */
        if (s[i] >= 0xC2 && s[i] <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) { i += 2; continue; }
        size_t len;
        if (tok_utf8_decode(s + i, n - i, &len) == TOK_UTF8_BAD) return i;
        i += len;
    }
    return n;
}

/* Long stretches through the SIMD check (cut before a character's
 * continuation bytes) so that an error costs a scalar pass from the start of
 * its stretch only; short ones through the scalar check.  Stretches start at
 * 64 bytes and double to 4 KiB: a caller that steps from error to error
 * (lossy conversion of junk) pays for the distance between them, not 4 KiB
 * each.  A text of at most 4 KiB is one stretch (corpus lines and words are
 * checked in one call, not two or three); on junk that costs up to 1 KiB of
 * SIMD work per error (valid_avx2 gives up at its next 1 KiB mark).  The
 * scalar pass runs on to the end, not to the cut: a stretch cut
 * inside a run of stray continuation bytes fails at the cut, the text
 * further on. */
size_t tok_utf8_check(const uint8_t *s, size_t n)
{
    if (n < 16) return check_scalar(s, n);
    size_t p = 0, step = n <= 4096 ? n : 64;
    while (p < n) {
        size_t end = n - p <= step ? n : p + step;
        if (step < 4096) step *= 2;
        for (int k = 0; k < 3 && end < n && (s[end] & 0xC0) == 0x80; k++) end--;
        bool answered;
        bool ok = tok_utf8_valid_simd(s + p, end - p, &answered);
        if (!answered || !ok) return p + check_scalar(s + p, n - p);
        p = end;
    }
    return n;
}

TOK_API size_t tok_utf8_valid_prefix(const char *s, size_t n)
{
    return s || !n ? tok_utf8_check((const uint8_t *)s, n) : 0;
}

int tok_utf8_lossy(tok_sbuf *b, const uint8_t *s, size_t n)
{
    static const char repl[3] = { (char)0xEF, (char)0xBF, (char)0xBD };
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        i = start + tok_utf8_check(s + start, n - start);
        if (tok_sbuf_put(b, s + start, i - start)) return -1;
        if (i >= n) break;
        size_t len;
        tok_utf8_decode(s + i, n - i, &len);
        if (tok_sbuf_put(b, repl, 3)) return -1;
        i += len;
    }
    return 0;
}

/* Sixteen bytes at a time for text of ASCII and two-byte characters (a
 * byte-level vocabulary's alphabet): every continuation byte must follow a
 * lead byte C2..DF and every such lead be followed by one; any other
 * non-ASCII byte, or no room to read whole blocks, takes the general check. */
bool tok_utf8_valid_room(const uint8_t *s, size_t n, size_t room)
{
#ifdef __SSE2__
    if (room < n || room - n < 16) return tok_utf8_check(s, n) == n;
    uint32_t carry = 0;
    for (size_t i = 0; i < n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i sb = _mm_xor_si128(x, _mm_set1_epi8((char)0x80)); /* signed compares below */
        uint32_t valid = n - i >= 16 ? 0xFFFF : (1u << (n - i)) - 1;
        uint32_t hi = (uint32_t)_mm_movemask_epi8(x) & valid;
        uint32_t lead = (uint32_t)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(sb, _mm_set1_epi8(0x41)),
                                                                  _mm_cmplt_epi8(sb, _mm_set1_epi8(0x60)))) & valid;
        uint32_t cont = (uint32_t)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(sb, _mm_set1_epi8(-1)),
                                                                  _mm_cmplt_epi8(sb, _mm_set1_epi8(0x40)))) & valid;
        if (hi != (lead | cont)) return tok_utf8_check(s, n) == n; /* three- or four-byte characters */
        uint32_t want = lead << 1 | carry;
        if (cont != (want & valid)) return false;
        if (n - i <= 16 && (want & ~valid & 0x1FFFF)) return false; /* a lead byte at the end */
        carry = lead >> 15 & 1;
    }
    return true;
#else
    (void)room;
    return tok_utf8_check(s, n) == n;
#endif
}
