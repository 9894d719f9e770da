/* Which scanner stands for which split regex. */
#include "scan.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AVX2(f) f##_avx2
#else
#define AVX2(f) f
#endif

static const struct { const char *regex; tok_scan_fn fn, avx2; } known[] = {
    { "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", tok_scan_gpt2, AVX2(tok_scan_gpt2) },
    { "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      tok_scan_cl100k, AVX2(tok_scan_cl100k) },
    { "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
      "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
      "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      tok_scan_o200k, AVX2(tok_scan_o200k) },
};

bool tok_scan_has_avx2(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

bool tok_scan_is_gpt2(tok_scan_fn f)
{
    return f == tok_scan_gpt2 || f == AVX2(tok_scan_gpt2) || f == tok_scan_gpt2_scalar;
}

tok_scan_fn tok_scan_for_regex(const char *regex)
{
    if (!regex) return NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(regex, known[i].regex)) return tok_scan_has_avx2() ? known[i].avx2 : known[i].fn;
    return NULL;
}

tok_scan_many_fn tok_scan_many_for(tok_scan_fn f)
{
#define SC_PAIR(x, v) if (f == x##v) return x##_many##v;
    SC_PAIR(tok_scan_gpt2, ) SC_PAIR(tok_scan_cl100k, ) SC_PAIR(tok_scan_o200k, )
    SC_PAIR(tok_scan_gpt2, _scalar) SC_PAIR(tok_scan_cl100k, _scalar) SC_PAIR(tok_scan_o200k, _scalar)
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    SC_PAIR(tok_scan_gpt2, _avx2) SC_PAIR(tok_scan_cl100k, _avx2) SC_PAIR(tok_scan_o200k, _avx2)
#endif
#undef SC_PAIR
    return NULL;
}
