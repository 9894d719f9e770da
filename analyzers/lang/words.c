/* Word segmentation for fertility: Python str.split() white space (as Rust
 * et al. 2021 count words) or ICU's UAX #29 word breaks with dictionaries. */
#include "lang_impl.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct tok_wordseg {
    tok_words mode;
    UBreakIterator *bi;
    UText *ut;
    tok_offset *w;
    size_t cap;
};

TOK_API const char *tok_words_name(tok_words w) { return w == TOK_WORDS_UAX29 ? "uax29" : "whitespace"; }

TOK_API tok_wordseg *tok_wordseg_new(tok_words mode, tok_error *err)
{
    tok_wordseg *w = calloc(1, sizeof *w);
    if (!w) goto nomem;
    w->mode = mode;
    w->cap = 1024;
    if (!(w->w = malloc(w->cap * sizeof *w->w))) goto nomem;
    if (mode == TOK_WORDS_UAX29) {
        UErrorCode e = U_ZERO_ERROR;
        w->bi = ubrk_open(UBRK_WORD, "", NULL, 0, &e);
        if (U_FAILURE(e)) {
            if (err) {
                err->code = TOK_ERR_UNSUPPORTED;
                snprintf(err->message, sizeof err->message, "ICU word break iterator: %s", u_errorName(e));
            }
            tok_wordseg_free(w);
            return NULL;
        }
    }
    return w;
nomem:
    if (err) {
        err->code = TOK_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
    }
    tok_wordseg_free(w);
    return NULL;
}

TOK_API void tok_wordseg_free(tok_wordseg *w)
{
    if (!w) return;
    if (w->bi) ubrk_close(w->bi);
    if (w->ut) utext_close(w->ut);
    free(w->w);
    free(w);
}

/* Length of the white-space character at s (Python's str.isspace()), or 0. */
size_t lang_space_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? 1 : 0;
    if (c == 0xC2 && n >= 2) return (s[1] == 0x85 || s[1] == 0xA0) ? 2 : 0;
    if (c == 0xE1 && n >= 3) return (s[1] == 0x9A && s[2] == 0x80) ? 3 : 0; /* U+1680 */
    if (c == 0xE2 && n >= 3) {
        if (s[1] == 0x80 && (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF)) return 3;
        if (s[1] == 0x81 && s[2] == 0x9F) return 3; /* U+205F */
        return 0;
    }
    if (c == 0xE3 && n >= 3) return (s[1] == 0x80 && s[2] == 0x80) ? 3 : 0; /* U+3000 */
    return 0;
}

/* From i, the first byte that may start white space: a byte <= 0x20 or one
 * of the lead bytes C2 E1 E2 E3 (a superset of lang_space_len's starts). */
static size_t skip_plain(const unsigned char *s, size_t i, size_t len)
{
#ifdef __SSE2__
    const __m128i lo = _mm_set1_epi8(0x21 - 128), c2 = _mm_set1_epi8((char)0xC2), e1 = _mm_set1_epi8((char)0xE1),
                  e2 = _mm_set1_epi8((char)0xE2), e3 = _mm_set1_epi8((char)0xE3), bias = _mm_set1_epi8((char)0x80);
    while (i + 16 <= len) {
        __m128i x = _mm_loadu_si128((const __m128i *)(s + i));
        /* unsigned x < 0x21 as a signed compare of x - 128 */
        __m128i m = _mm_cmplt_epi8(_mm_sub_epi8(x, bias), lo);
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, c2), _mm_cmpeq_epi8(x, e1)));
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, e2), _mm_cmpeq_epi8(x, e3)));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) return i + (size_t)__builtin_ctz(bits);
        i += 16;
    }
#endif
    while (i < len && s[i] > 0x20 && s[i] != 0xC2 && (s[i] < 0xE1 || s[i] > 0xE3)) i++;
    return i;
}

static int push(tok_wordseg *w, size_t *n, uint32_t a, uint32_t b)
{
    if (*n == w->cap) {
        size_t nc = w->cap * 2;
        tok_offset *nw = realloc(w->w, nc * sizeof *nw);
        if (!nw) return -1;
        w->w = nw;
        w->cap = nc;
    }
    w->w[(*n)++] = (tok_offset){ a, b };
    return 0;
}

TOK_API tok_status tok_wordseg_run(tok_wordseg *w, const char *text, size_t len, const tok_offset **words, size_t *n)
{
    *n = 0;
    *words = w->w;
    if (len > TOK_MAX_TEXT) return TOK_ERR_LIMIT;
    const unsigned char *s = (const unsigned char *)text;
    if (w->mode == TOK_WORDS_WHITESPACE) {
        /* a byte that starts no white space (most of them) is skipped by one
         * table look-up; the others ask lang_space_len */
        static const uint8_t maybe[256] = {
            [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1, [0x1C] = 1, [0x1D] = 1,
            [0x1E] = 1, [0x1F] = 1, [' '] = 1,  [0xC2] = 1, [0xE1] = 1, [0xE2] = 1, [0xE3] = 1,
        };
        size_t i = 0, sp = 0; /* sp: the length of the white space at i, once known */
        while (i < len) {
            while (sp || (i < len && maybe[s[i]] && (sp = lang_space_len(s + i, len - i)))) {
                i += sp;
                sp = 0;
            }
            if (i >= len) break;
            size_t a = i;
            for (;;) {
                i = skip_plain(s, i, len);
                if (i >= len || (maybe[s[i]] && (sp = lang_space_len(s + i, len - i)))) break;
                i++;
            }
            if (push(w, n, (uint32_t)a, (uint32_t)i)) return TOK_ERR_NOMEM;
        }
        *words = w->w;
        return TOK_OK;
    }
    UErrorCode e = U_ZERO_ERROR;
    w->ut = utext_openUTF8(w->ut, text, (int64_t)len, &e);
    if (U_FAILURE(e)) return TOK_ERR_ARG;
    ubrk_setUText(w->bi, w->ut, &e);
    if (U_FAILURE(e)) return TOK_ERR_ARG;
    int32_t a = ubrk_first(w->bi), b;
    while ((b = ubrk_next(w->bi)) != UBRK_DONE) {
        if (ubrk_getRuleStatus(w->bi) >= UBRK_WORD_NONE_LIMIT && push(w, n, (uint32_t)a, (uint32_t)b)) return TOK_ERR_NOMEM;
        a = b;
    }
    *words = w->w;
    return TOK_OK;
}
