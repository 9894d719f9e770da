/* tok analyze hunspell: a hunspell dictionary's word forms, or approximate
 * gold segmentations derived from its affix rules. */
#include "lang_args.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: tok analyze hunspell --dic FILE.dic [--aff FILE.aff] [--words | --gold N] [options]\n"
    "Expand a hunspell dictionary by its affix rules (PFX/SFX, cross product,\n"
    "twofold suffixes; compounds are not expanded).\n"
    "  (default)         counts: stems, rules, forms\n"
    "  --words           every form, one a line (a word list for %valid)\n"
    "  --gold N          N forms sampled deterministically (0: all) as approximate\n"
    "                    gold 'form<TAB>stem|affix|...' for tok analyze morph --gold:\n"
    "                    lower-case letters only, boundaries where affixes attach\n"
    "  --seed S          sampling seed (default 1)\n"
    "  --max-forms N     stop after N forms (default 50000000; error when reached)\n"
    "  -o FILE           write there instead of stdout\n";

typedef struct wctx {
    FILE *out;
} wctx;

static int put_word(void *user, const char *form, size_t len, const uint32_t *b, size_t nb)
{
    (void)b; (void)nb;
    wctx *w = user;
    if (w->out) {
        fwrite(form, 1, len, w->out);
        fputc('\n', w->out);
    }
    return 0;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *e;
    if (!s || !*s || *s == '-') return false;
    unsigned long long x = strtoull(s, &e, 10);
    if (*e) return false;
    *v = x;
    return true;
}

int analyze_hunspell(int argc, char **argv)
{
    const char *dic = NULL, *aff = NULL, *out = NULL, *v;
    bool words = false, gold = false;
    uint64_t k = 0, seed = 1, max_forms = 50000000;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) { fputs(help, stdout); return EXIT_OK; }
        if ((v = opt_value(argc, argv, &i, "--dic"))) dic = v;
        else if ((v = opt_value(argc, argv, &i, "--aff"))) aff = v;
        else if ((v = opt_value(argc, argv, &i, "-o"))) out = v;
        else if (!strcmp(s, "--words")) words = true;
        else if ((v = opt_value(argc, argv, &i, "--gold"))) {
            if (!parse_u64(v, &k)) { usage_error("analyze hunspell", "--gold needs a count"); return EXIT_USAGE; }
            gold = true;
        } else if ((v = opt_value(argc, argv, &i, "--seed"))) {
            if (!parse_u64(v, &seed)) { usage_error("analyze hunspell", "--seed needs a number"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--max-forms"))) {
            if (!parse_u64(v, &max_forms)) { usage_error("analyze hunspell", "--max-forms needs a number"); return EXIT_USAGE; }
        } else { usage_error("analyze hunspell", "unknown argument %s", s); return EXIT_USAGE; }
    }
    if (!dic) { usage_error("analyze hunspell", "no --dic file"); return EXIT_USAGE; }
    if (words && gold) { usage_error("analyze hunspell", "--words and --gold exclude each other"); return EXIT_USAGE; }
    tok_error err = { 0 };
    tok_hunspell *h = tok_hunspell_load(dic, aff, &err);
    if (!h) { fprintf(stderr, "tok analyze hunspell: %s\n", err.message); return EXIT_RUNTIME; }
    FILE *f = stdout;
    if (out && !(f = fopen(out, "w"))) {
        fprintf(stderr, "tok analyze hunspell: cannot write %s\n", out);
        tok_hunspell_free(h);
        return EXIT_RUNTIME;
    }
    int rc = EXIT_OK;
    uint64_t n = 0;
    tok_status st;
    char msg[256] = "";
    if (gold) {
        st = tok_hunspell_gold(h, k, seed, max_forms, f, &n, msg, sizeof msg);
        if (st) fprintf(stderr, "tok analyze hunspell: %s: %s\n", dic, msg);
    } else {
        wctx w = { words ? f : NULL };
        st = tok_hunspell_expand(h, max_forms, put_word, &w, &n);
        if (st == TOK_ERR_LIMIT)
            fprintf(stderr, "tok analyze hunspell: %s: more than %llu forms (--max-forms)\n", dic,
                    (unsigned long long)max_forms);
        if (!words && !st)
            fprintf(f, "stems %zu\nrules %zu\nforms %llu\n", tok_hunspell_stems(h), tok_hunspell_rules(h),
                    (unsigned long long)n);
    }
    if (st) rc = EXIT_RUNTIME;
    if (f != stdout && fclose(f)) rc = EXIT_RUNTIME;
    else if (f == stdout && fflush(f)) rc = EXIT_RUNTIME;
    tok_hunspell_free(h);
    return rc;
}
