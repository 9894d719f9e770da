/* tok analyze efficiency: Rényi/Shannon efficiency as tokenization-scorer
 * computes it, vocabulary utilisation, most and least used tokens. */
#include "lang_args.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: tok analyze efficiency --pretokenized [--alpha A] [--vocab N] [--json] FILE...\n"
    "       tok analyze efficiency -t TOKENIZER [--alpha A] [--own-vocab] [--top K] [options] FILE...\n"
    "Renyi efficiency H_alpha(p) / log |V| of the unigram token distribution\n"
    "(Zouhar et al. 2023) exactly as tokenization-scorer computes it: |V| is the\n"
    "number of distinct tokens observed unless --vocab N (the scorer's vocab=) or\n"
    "--own-vocab (the tokenizer's size).  alpha = 1 is Shannon.\n"
    "\n"
    "  --pretokenized        input already split into tokens by white space, one text\n"
    "                        a line, read as the scorer reads it (types = strings)\n"
    "  --alpha A             Renyi order (default 2.5)\n"
    "  --vocab N             |V| in the denominator\n"
    "  --own-vocab           |V| = the tokenizer's vocabulary size\n"
    "  --top K               K most and least used tokens (default 10)\n"
    "  --per-language        also one line per language\n"
    "\n";

static void print_eff(const tok_efficiency *e)
{
    printf("\"renyi\":");
    print_num(stdout, e->renyi);
    printf(",\"shannon\":");
    print_num(stdout, e->shannon);
    printf(",\"alpha\":");
    print_num(stdout, e->alpha);
    printf(",\"types\":%llu,\"tokens\":%llu,\"vocab\":%llu", (unsigned long long)e->types,
           (unsigned long long)e->tokens, (unsigned long long)e->vocab);
}

static void print_tokens(const tok_tokenizer *t, const int32_t *ids, const uint64_t *cnt, size_t n)
{
    printf("[");
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *s = tok_token_text(t, ids[i], &len);
        printf("%s{\"id\":%d,\"token\":", i ? "," : "", ids[i]);
        print_jstr(stdout, s ? s : "", s ? len : 0);
        printf(",\"count\":%llu}", (unsigned long long)cnt[i]);
    }
    printf("]");
}

int analyze_efficiency(int argc, char **argv)
{
    lang_args a;
    lang_args_init(&a, "analyze efficiency", TOK_UNIT_LINE);
    a.lang.isolation = false;
    bool pretok = false, own = false, per_lang = false;
    double alpha = 2.5;
    unsigned long long vocab = 0;
    size_t top = 10;
    const char *v;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            fputs(lang_args_help, stdout);
            return EXIT_OK;
        }
        char *end;
        if (!strcmp(argv[i], "--pretokenized")) { pretok = true; continue; }
        if (!strcmp(argv[i], "--own-vocab")) { own = true; continue; }
        if (!strcmp(argv[i], "--per-language")) { per_lang = true; continue; }
        if ((v = opt_value(argc, argv, &i, "--alpha"))) {
            alpha = strtod(v, &end);
            if (*end || !(alpha > 0)) { usage_error(a.cmd, "--alpha takes a positive number"); return EXIT_USAGE; }
            continue;
        }
        if ((v = opt_value(argc, argv, &i, "--vocab"))) {
            vocab = strtoull(v, &end, 10);
            if (*end || !vocab) { usage_error(a.cmd, "--vocab takes a positive integer"); return EXIT_USAGE; }
            continue;
        }
        if ((v = opt_value(argc, argv, &i, "--top"))) {
            top = strtoul(v, &end, 10);
            if (*end || top > 100000) { usage_error(a.cmd, "--top takes 0..100000"); return EXIT_USAGE; }
            continue;
        }
        int r = lang_args_parse(&a, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r == 0) { usage_error(a.cmd, "unknown option %s", argv[i]); return EXIT_USAGE; }
    }
    if (a.open.name && a.ntok < LA_MAX_TOK) a.toks[a.ntok++] = a.open.name;
    if (!a.nin) { usage_error(a.cmd, "no input files"); return EXIT_USAGE; }
    if (pretok) {
        if (a.ntok) { usage_error(a.cmd, "--pretokenized takes no tokenizer"); return EXIT_USAGE; }
        /* all files together into one type table, as the scorer does with several inputs */
        tok_efficiency e;
        a.corpus.unit = TOK_UNIT_LINE;
        a.corpus.lang = "pretokenized";
        char msg[1024] = "";
        tok_corpus *cs[LA_MAX_IN];
        tok_status st = TOK_OK;
        size_t nc = 0;
        for (; nc < a.nin; nc++) {
            tok_error err = { 0 };
            if (!(cs[nc] = tok_corpus_open(a.inputs[nc], &a.corpus, &err))) {
                snprintf(msg, sizeof msg, "%s", err.message);
                st = err.code ? err.code : TOK_ERR_IO;
                break;
            }
        }
        if (!st) st = tok_efficiency_pretokenized(cs, nc, alpha, vocab, &e, msg, sizeof msg);
        for (size_t k = 0; k < nc; k++) tok_corpus_free(cs[k]);
        if (st) { fprintf(stderr, "tok %s: %s\n", a.cmd, msg[0] ? msg : tok_strerror(st)); return EXIT_RUNTIME; }
        if (a.json) {
            printf("{");
            print_eff(&e);
            printf("}\n");
        } else {
            printf("renyi %.6f (alpha %g)  shannon %.6f  types %llu  tokens %llu  |V| %llu\n", e.renyi, alpha, e.shannon,
                   (unsigned long long)e.types, (unsigned long long)e.tokens, (unsigned long long)e.vocab);
        }
        return EXIT_OK;
    }
    if (a.ntok != 1) { usage_error(a.cmd, "give one tokenizer (-t) or --pretokenized"); return EXIT_USAGE; }
    if (vocab) { usage_error(a.cmd, "--vocab goes with --pretokenized; use --own-vocab with -t"); return EXIT_USAGE; }
    tok_tokenizer *t = lang_args_load(&a, 0);
    if (!t) return EXIT_RUNTIME;
    tok_error err = { 0 };
    tok_lang *acc = tok_lang_new(t, &a.lang, &err);
    int rc = EXIT_OK;
    int32_t *ids = malloc((top ? top : 1) * sizeof *ids);
    uint64_t *cnt = malloc((top ? top : 1) * sizeof *cnt);
    if (!acc || !ids || !cnt) { fprintf(stderr, "tok %s: %s\n", a.cmd, err.message); rc = EXIT_RUNTIME; goto out; }
    if (lang_args_feed(&a, acc)) { rc = EXIT_RUNTIME; goto out; }
    tok_efficiency e;
    tok_lang_efficiency(acc, (size_t)-1, alpha, own, &e);
    size_t nt = tok_lang_top(acc, (size_t)-1, ids, cnt, top);
    if (a.json) {
        printf("{\"tokenizer\":");
        print_jstr(stdout, tok_lang_name(acc), strlen(tok_lang_name(acc)));
        printf(",");
        print_eff(&e);
        printf(",\"vocab_size\":%zu,\"utilisation\":", tok_vocab_size(t));
        print_num(stdout, e.utilisation);
        printf(",\"corpus_token_count\":%llu,\"most_used\":", (unsigned long long)e.tokens);
        print_tokens(t, ids, cnt, nt);
        nt = tok_lang_bottom(acc, (size_t)-1, ids, cnt, top);
        printf(",\"least_used\":");
        print_tokens(t, ids, cnt, nt);
        if (per_lang) {
            printf(",\"languages\":[");
            for (size_t i = 0; i < tok_lang_count(acc); i++) {
                tok_lang_counts c;
                tok_lang_get(acc, i, &c);
                tok_efficiency le;
                tok_lang_efficiency(acc, i, alpha, own, &le);
                printf("%s{\"lang\":", i ? "," : "");
                print_jstr(stdout, c.lang, strlen(c.lang));
                printf(",");
                print_eff(&le);
                printf("}");
            }
            printf("]");
        }
        printf("}\n");
    } else {
        printf("%s: renyi %.4f (alpha %g)  shannon %.4f  types %llu of %zu (utilisation %.2f%%)  tokens %llu\n",
               tok_lang_name(acc), e.renyi, alpha, e.shannon, (unsigned long long)e.types, tok_vocab_size(t),
               100 * e.utilisation, (unsigned long long)e.tokens);
        printf("|V| in the denominator: %llu (%s)\nmost used:", (unsigned long long)e.vocab,
               own ? "the tokenizer's size" : "distinct tokens observed, as tokenization-scorer");
        for (size_t i = 0; i < nt; i++) {
            size_t len;
            const char *s = tok_token_text(t, ids[i], &len);
            printf(" %.*s(%llu)", (int)(s ? len : 0), s ? s : "", (unsigned long long)cnt[i]);
        }
        printf("\n");
        if (per_lang)
            for (size_t i = 0; i < tok_lang_count(acc); i++) {
                tok_lang_counts c;
                tok_lang_get(acc, i, &c);
                tok_efficiency le;
                tok_lang_efficiency(acc, i, alpha, own, &le);
                printf("  %-12s renyi %.4f shannon %.4f types %llu\n", c.lang, le.renyi, le.shannon,
                       (unsigned long long)le.types);
            }
    }
out:
    free(ids);
    free(cnt);
    tok_lang_free(acc);
    tok_free(t);
    return rc;
}
