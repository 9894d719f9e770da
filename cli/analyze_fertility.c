/* tok analyze fertility: tokens per word per language (Rust et al. 2021). */
#include "lang_args.h"

#include <string.h>

static const char help[] =
    "Usage: tok analyze fertility -t TOKENIZER [-t ...] [options] FILE...\n"
    "Tokens per word for each language (file name up to the first dot, or --lang):\n"
    "fertility (all tokens / words), per-word tokens in running text and with\n"
    "each word encoded alone, proportion of continued words (>= 2 tokens) and of\n"
    "words in >= 4 tokens, unk and byte-fallback rates, bytes and characters per\n"
    "token.  Words by white space (as Rust et al. 2021) unless --words uax29.\n"
    "Each line is one text unless --whole/--paragraphs.\n"
    "\n"
    "  -t, --tokenizer T     tokenizer (repeatable)\n"
    "\n";

static double rt(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0 / 0.0; }

int analyze_fertility(int argc, char **argv)
{
    lang_args a;
    lang_args_init(&a, "analyze fertility", TOK_UNIT_LINE);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            fputs(lang_args_help, stdout);
            return EXIT_OK;
        }
        int r = lang_args_parse(&a, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r == 0) { usage_error(a.cmd, "unknown option %s", argv[i]); return EXIT_USAGE; }
    }
    if (a.open.name && a.ntok < LA_MAX_TOK) a.toks[a.ntok++] = a.open.name;
    if (!a.ntok) { usage_error(a.cmd, "no tokenizer (-t)"); return EXIT_USAGE; }
    if (!a.nin) { usage_error(a.cmd, "no input files"); return EXIT_USAGE; }
    if (a.json) printf(a.ntok > 1 ? "{\"tokenizers\":[" : "");
    for (size_t k = 0; k < a.ntok; k++) {
        tok_tokenizer *t = lang_args_load(&a, k);
        if (!t) return EXIT_RUNTIME;
        tok_error err = { 0 };
        tok_lang *acc = tok_lang_new(t, &a.lang, &err);
        if (!acc) { fprintf(stderr, "tok %s: %s\n", a.cmd, err.message); tok_free(t); return EXIT_RUNTIME; }
        if (lang_args_feed(&a, acc)) { tok_lang_free(acc); tok_free(t); return EXIT_RUNTIME; }
        size_t n = tok_lang_count(acc);
        if (a.json) {
            printf("%s{\"tokenizer\":", k ? "," : "");
            print_jstr(stdout, tok_lang_name(acc), strlen(tok_lang_name(acc)));
            printf(",\"words\":\"%s\",\"method\":\"%s\",\"languages\":[", tok_words_name(a.lang.words),
                   tok_method_name(a.lang.enc.method));
            for (size_t i = 0; i < n; i++) {
                tok_lang_counts c;
                tok_lang_get(acc, i, &c);
                printf("%s{\"lang\":", i ? "," : "");
                print_jstr(stdout, c.lang, strlen(c.lang));
                printf(",\"units\":%llu,\"bytes\":%llu,\"chars\":%llu,\"words\":%llu,\"tokens\":%llu",
                       (unsigned long long)c.units, (unsigned long long)c.bytes, (unsigned long long)c.chars,
                       (unsigned long long)c.words, (unsigned long long)c.tokens);
                /* ratio fields: name, numerator, denominator; the _isolated ones only when measured */
                const struct { const char *key; uint64_t num, den; bool iso; } r[] = {
                    { "fertility", c.tokens, c.words, false },
                    { "fertility_running", c.word_tokens, c.words, false },
                    { "continued_words", c.cont_words, c.words, false },
                    { "words_4plus", c.words4, c.words, false },
                    { "fertility_isolated", c.iso_tokens, c.words, true },
                    { "continued_words_isolated", c.iso_cont, c.words, true },
                    { "words_4plus_isolated", c.iso_words4, c.words, true },
                    { "unk_rate", c.unk, c.tokens, false },
                    { "byte_token_rate", c.byte_tokens, c.tokens, false },
                    { "bytes_per_token", c.bytes, c.tokens, false },
                    { "chars_per_token", c.chars, c.tokens, false },
                };
                for (size_t j = 0; j < sizeof r / sizeof r[0]; j++) {
                    if (r[j].iso && !a.lang.isolation) continue;
                    printf(",\"%s\":", r[j].key);
                    print_num(stdout, rt(r[j].num, r[j].den));
                }
                printf(",\"distinct_ids\":%llu}", (unsigned long long)c.distinct_ids);
            }
            printf("]}");
        } else {
            printf("%s%s (words: %s)\n", k ? "\n" : "", tok_lang_name(acc), tok_words_name(a.lang.words));
            printf("%-12s %9s %9s %8s %8s %8s %8s %8s %7s %7s %6s\n", "lang", "words", "tokens", "fert", "run/w",
                   "iso/w", "cont%", "iso4+%", "unk%", "byte%", "B/tok");
            for (size_t i = 0; i < n; i++) {
                tok_lang_counts c;
                tok_lang_get(acc, i, &c);
                printf("%-12.12s %9llu %9llu %8.3f %8.3f %8.3f %8.1f %8.1f %7.2f %7.2f %6.2f\n", c.lang,
                       (unsigned long long)c.words, (unsigned long long)c.tokens, rt(c.tokens, c.words),
                       rt(c.word_tokens, c.words), a.lang.isolation ? rt(c.iso_tokens, c.words) : 0,
                       100 * rt(c.cont_words, c.words), 100 * rt(c.iso_words4, c.words), 100 * rt(c.unk, c.tokens),
                       100 * rt(c.byte_tokens, c.tokens), rt(c.bytes, c.tokens));
            }
        }
        tok_lang_free(acc);
        tok_free(t);
    }
    if (a.json) printf(a.ntok > 1 ? "]}\n" : "\n");
    return EXIT_OK;
}
