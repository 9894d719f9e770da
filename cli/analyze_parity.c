/* tok analyze parity: token premium of each language against a reference on
 * parallel text (Petrov et al. 2023), with byte/char/word baselines. */
#include "lang_args.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: tok analyze parity -t TOKENIZER --ref CODE [options] FILE...\n"
    "Premium of each language: its token count over the reference language's,\n"
    "on parallel text (Petrov et al. 2023).  One file per language named\n"
    "<code>.<ext> (or --tsv, or --lang per file); each file is encoded as one text\n"
    "unless --lines, with no special tokens.\n"
    "\n"
    "  -t, --tokenizer T     tokenizer (file, directory or built-in name)\n"
    "  --ref CODE            reference language (default: en, else the first)\n"
    "  --context N           context window for the 'fits' column (default 128000)\n"
    "\n";

typedef struct row {
    tok_lang_counts c;
    double premium;
} row;

static int by_premium(const void *x, const void *y)
{
    const row *a = x, *b = y;
    return (a->premium > b->premium) - (a->premium < b->premium);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0 / 0.0; }

int analyze_parity(int argc, char **argv)
{
    lang_args a;
    lang_args_init(&a, "analyze parity", TOK_UNIT_FILE);
    a.lang.isolation = false;
    const char *ref = NULL, *v;
    double context = 128000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            fputs(lang_args_help, stdout);
            return EXIT_OK;
        }
        if ((v = opt_value(argc, argv, &i, "--ref"))) { ref = v; continue; }
        if ((v = opt_value(argc, argv, &i, "--context"))) {
            context = strtod(v, NULL);
            if (context <= 0) { usage_error(a.cmd, "--context takes a positive number"); return EXIT_USAGE; }
            continue;
        }
        int r = lang_args_parse(&a, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r == 0) { usage_error(a.cmd, "unknown option %s", argv[i]); return EXIT_USAGE; }
    }
    if (a.open.name && a.ntok < LA_MAX_TOK) a.toks[a.ntok++] = a.open.name;
    if (a.ntok != 1) { usage_error(a.cmd, "give one tokenizer (-t)"); return EXIT_USAGE; }
    if (!a.nin) { usage_error(a.cmd, "no input files"); return EXIT_USAGE; }
    tok_tokenizer *t = lang_args_load(&a, 0);
    if (!t) return EXIT_RUNTIME;
    tok_error err = { 0 };
    tok_lang *acc = tok_lang_new(t, &a.lang, &err);
    if (!acc) { fprintf(stderr, "tok %s: %s\n", a.cmd, err.message); tok_free(t); return EXIT_RUNTIME; }
    int rc = EXIT_OK;
    if (lang_args_feed(&a, acc)) { rc = EXIT_RUNTIME; goto out; }
    size_t n = tok_lang_count(acc);
    long ri = ref ? tok_lang_find(acc, ref) : tok_lang_find(acc, "en");
    if (ri < 0 && !ref && n) ri = 0;
    if (ri < 0) { fprintf(stderr, "tok %s: reference language '%s' not among the inputs\n", a.cmd, ref ? ref : "en"); rc = EXIT_RUNTIME; goto out; }
    row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) { rc = EXIT_RUNTIME; goto out; }
    tok_lang_counts R;
    tok_lang_get(acc, (size_t)ri, &R);
    for (size_t i = 0; i < n; i++) {
        tok_lang_get(acc, i, &rows[i].c);
        rows[i].premium = ratio(rows[i].c.tokens, R.tokens);
    }
    /* ranks: 1 = cheapest */
    row *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) { free(rows); rc = EXIT_RUNTIME; goto out; }
    memcpy(sorted, rows, n * sizeof *rows);
    qsort(sorted, n, sizeof *sorted, by_premium);
    if (a.json) {
        printf("{\"tokenizer\":");
        print_jstr(stdout, tok_lang_name(acc), strlen(tok_lang_name(acc)));
        printf(",\"reference\":");
        print_jstr(stdout, R.lang, strlen(R.lang));
        printf(",\"unit\":\"%s\",\"words\":\"%s\",\"context\":%.0f,\"languages\":[",
               a.corpus.unit == TOK_UNIT_FILE ? "file" : a.corpus.unit == TOK_UNIT_LINE ? "line" : "paragraph",
               tok_words_name(a.lang.words), context);
        for (size_t i = 0; i < n; i++) {
            const tok_lang_counts *c = &rows[i].c;
            size_t rank = 1;
            while (rank <= n && strcmp(sorted[rank - 1].c.lang, c->lang)) rank++;
            printf("%s{\"lang\":", i ? "," : "");
            print_jstr(stdout, c->lang, strlen(c->lang));
            printf(",\"tokens\":%llu,\"bytes\":%llu,\"chars\":%llu,\"words\":%llu,\"units\":%llu,\"premium\":",
                   (unsigned long long)c->tokens, (unsigned long long)c->bytes, (unsigned long long)c->chars,
                   (unsigned long long)c->words, (unsigned long long)c->units);
            print_num(stdout, rows[i].premium);
            printf(",\"byte_premium\":");
            print_num(stdout, ratio(c->bytes, R.bytes));
            printf(",\"char_premium\":");
            print_num(stdout, ratio(c->chars, R.chars));
            printf(",\"word_premium\":");
            print_num(stdout, ratio(c->words, R.words));
            printf(",\"tokens_per_byte\":");
            print_num(stdout, ratio(c->tokens, c->bytes));
            printf(",\"rank\":%zu,\"chars_in_context\":", rank);
            print_num(stdout, c->tokens ? context * (double)c->chars / (double)c->tokens : 0.0 / 0.0);
            printf("}");
        }
        printf("]}\n");
    } else {
        printf("tokenizer %s, reference %s, %s units; premium = tokens / tokens(%s)\n\n", tok_lang_name(acc), R.lang,
               a.corpus.unit == TOK_UNIT_FILE ? "file" : "line", R.lang);
        printf("%4s %-12s %10s %8s %8s %8s %8s %12s\n", "rank", "lang", "tokens", "premium", "bytes", "chars", "words",
               "chars/ctx");
        for (size_t k = 0; k < n; k++) {
            const tok_lang_counts *c = &sorted[k].c;
            printf("%4zu %-12.12s %10llu %8.3f %8.3f %8.3f %8.3f %12.0f\n", k + 1, c->lang,
                   (unsigned long long)c->tokens, sorted[k].premium, ratio(c->bytes, R.bytes), ratio(c->chars, R.chars),
                   ratio(c->words, R.words), c->tokens ? context * (double)c->chars / (double)c->tokens : 0);
        }
        if (n > 1) {
            const row *w = &sorted[n - 1];
            printf("\n%s fits %.1fx more text than %s in a %.0f-token context.\n", R.lang, w->premium, w->c.lang, context);
        }
    }
    free(sorted);
    free(rows);
out:
    tok_lang_free(acc);
    tok_free(t);
    return rc;
}
