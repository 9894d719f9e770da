/*
 * tok analyze intrinsic: how inference methods segment a corpus, per
 * tokenizer (issue 4; the measures of Uzan et al. 2024, "Greed is All You
 * Need", and Zouhar et al. 2023 for Rényi efficiency).  Public API only.
 *
 * Per tokenizer x method, over the corpus encoded without special tokens:
 *   fertility     tokens per whitespace-separated word
 *   chars/tok     Unicode characters per token; bytes/tok likewise
 *   renyi         Rényi entropy (alpha 2.5) of the observed unigram
 *                 distribution of ids divided by log |V|
 *   util          distinct ids used / |V|
 *   F1            morphological boundary F1 against a gold file: each word
 *                 is encoded after "the " (so it has its running-text form:
 *                 Ġ, ▁ or a BERT word start); words that become one token or
 *                 whose morphs are not all tokens (first morph in word-start
 *                 form, the others in continuation form) are left out, the
 *                 same words for every method; the boundaries inside the
 *                 kept words are micro-averaged (analyzers/lang: tok_morph_eval)
 *   MB/s          corpus bytes encoded per second (one thread)
 */
#include "cli.h"
#include <vocab/tok_train.h>
#include <analyzers/lang/tok_lang.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char analyze_help[] =
    "Usage: tok analyze intrinsic -t TOKENIZER [-t TOKENIZER ...] [options] CORPUS...\n"
    "Compare inference methods on each tokenizer over the CORPUS files.\n"
    "\n"
    "  -t, --tokenizer T     tokenizer (file, directory or built-in name); repeatable\n"
    "  --method M            method to measure (repeatable): merges | longest-prefix |\n"
    "                        longest-suffix | longest-token | least-tokens | likelihood |\n"
    "                        sample | default (default: all that apply)\n"
    "  --all-methods         every method (the default)\n"
    "  --gold FILE           gold segmentations, one 'word<TAB>morph|morph|...' a line,\n"
    "                        for the boundary F1 column\n"
    "  --unigram-from FILE   estimate unigram scores from FILE (EM) for likelihood and\n"
    "                        sample on vocabularies without scores (Unigram models\n"
    "                        keep their own)\n"
    "  --em-iters N          EM rounds for --unigram-from (default 3)\n"
    "  --scores FILE         load saved scores instead ('{}' becomes the tokenizer's name)\n"
    "  --save-scores FILE    save the estimated scores ('{}' as above)\n"
    "  --tie T               longest | random: tie rule for least-tokens\n"
    "  --seed S              seed for random ties and sampling\n"
    "  --json                one JSON object instead of the table\n"
    "  -h, --help            this help\n"
    "\n"
    "Columns: fertility (tokens per whitespace word), chars and bytes per token,\n"
    "Renyi efficiency (alpha 2.5, normalised by log |V|), vocabulary utilisation,\n"
    "boundary F1 against --gold (words kept / F1), MB/s of the method alone.\n";

#define MAX_TOK 16
#define MAX_METHODS 16

/* ---- measuring ---------------------------------------------------------- */

typedef struct corpus {
    char **text;
    size_t *len;
    size_t n;
    uint64_t bytes, chars, words;
} corpus;

typedef struct result {
    const char *tokname;
    const char *method;
    bool ok;
    char note[512];
    uint64_t tokens, distinct, vocab;
    double fertility, cpt, bpt, renyi, util, mbps;
    /* gold */
    uint64_t gwords, gkept, tp, npred, ngold;
    double prec, rec, f1;
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void count_text(corpus *c, const char *s, size_t n)
{
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) != 0x80) c->chars++;
        bool sp = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
        if (!sp && !in) c->words++;
        in = !sp;
    }
    c->bytes += n;
}

/* Encode the corpus in pieces that end at a newline (at most ~64 KiB). */
static int encode_corpus(tok_ctx *ctx, const corpus *c, const tok_encode_options *o, uint64_t *cnt, size_t V,
                         result *r)
{
    /* warm up: a method's tries are built on first use, not timed */
    tok_encoding enc;
    static const char warm[] = "Warm up the context.\n";
    if (tok_encode(ctx, warm, sizeof warm - 1, o, &enc)) {
        snprintf(r->note, sizeof r->note, "%s", tok_ctx_error(ctx));
        return -1;
    }
    double t0 = now();
    uint64_t tokens = 0;
    for (size_t f = 0; f < c->n; f++) {
        const char *s = c->text[f];
        size_t n = c->len[f];
        for (size_t p = 0; p < n;) {
            size_t e = p + 65536 < n ? p + 65536 : n;
            if (e < n) {
                const char *nl = memchr(s + e, '\n', n - e);
                e = nl ? (size_t)(nl - s) + 1 : n;
            }
            if (tok_encode(ctx, s + p, e - p, o, &enc)) {
                snprintf(r->note, sizeof r->note, "%s", tok_ctx_error(ctx));
                return -1;
            }
            for (size_t i = 0; i < enc.n; i++)
                if (enc.ids[i] >= 0 && (size_t)enc.ids[i] < V) cnt[enc.ids[i]]++;
            tokens += enc.n;
            p = e;
        }
    }
    double dt = now() - t0;
    r->tokens = tokens;
    r->mbps = dt > 0 ? (double)c->bytes / 1e6 / dt : 0;
    return 0;
}

static void finish_stats(result *r, const corpus *c, const uint64_t *cnt, size_t V)
{
    tok_efficiency e;
    tok_efficiency_from_counts(cnt, V, 2.5, V, &e);
    r->distinct = e.types;
    r->vocab = V;
    r->renyi = V > 1 && r->tokens ? e.renyi : 0;
    r->util = V ? (double)e.types / (double)V : 0;
    r->fertility = c->words ? (double)r->tokens / (double)c->words : 0;
    r->cpt = r->tokens ? (double)c->chars / (double)r->tokens : 0;
    r->bpt = r->tokens ? (double)c->bytes / (double)r->tokens : 0;
}

/* Boundary F1 through the module (analyzers/lang, tok_morph_eval). */
static int eval_gold(const tok_tokenizer *t, tok_ctx *ctx, const tok_gold *g, const tok_encode_options *o, result *r)
{
    tok_morph_result m;
    if (tok_morph_eval(t, ctx, g, o, NULL, &m, r->note, sizeof r->note)) return -1;
    r->gwords = m.words;
    r->gkept = m.kept;
    r->tp = m.tp;
    r->npred = m.pred_bounds;
    r->ngold = m.gold_bounds;
    r->prec = m.precision;
    r->rec = m.recall;
    r->f1 = m.f1;
    return 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

/* Replace "{}" in pattern by name. */
static void fill_name(char *out, size_t cap, const char *pattern, const char *name)
{
    const char *b = strstr(pattern, "{}");
    if (!b) snprintf(out, cap, "%s", pattern);
    else snprintf(out, cap, "%.*s%s%s", (int)(b - pattern), pattern, name, b + 2);
}

static void print_table(const result *rs, size_t n, bool have_gold, const corpus *c)
{
    printf("corpus: %llu bytes, %llu characters, %llu whitespace words\n\n", (unsigned long long)c->bytes,
           (unsigned long long)c->chars, (unsigned long long)c->words);
    printf("%-22s %-15s %9s %9s %9s %8s %8s", "tokenizer", "method", "fertility", "chars/tok", "bytes/tok", "renyi2.5",
           "util%");
    if (have_gold) printf(" %16s", "F1 (words)");
    printf(" %8s\n", "MB/s");
    for (size_t i = 0; i < n; i++) {
        const result *r = &rs[i];
        printf("%-22.22s %-15s", r->tokname, r->method);
        if (!r->ok) {
            printf(" n/a: %s\n", r->note);
            continue;
        }
        printf(" %9.4f %9.3f %9.3f %8.4f %8.2f", r->fertility, r->cpt, r->bpt, r->renyi, 100 * r->util);
        if (have_gold) printf(" %8.4f (%5llu)", r->f1, (unsigned long long)r->gkept);
        printf(" %8.2f\n", r->mbps);
    }
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void print_json(const result *rs, size_t n, bool have_gold, const corpus *c)
{
    printf("{\"corpus\":{\"bytes\":%llu,\"chars\":%llu,\"words\":%llu},\"results\":[", (unsigned long long)c->bytes,
           (unsigned long long)c->chars, (unsigned long long)c->words);
    for (size_t i = 0; i < n; i++) {
        const result *r = &rs[i];
        if (i) putchar(',');
        printf("{\"tokenizer\":");
        json_str(r->tokname);
        printf(",\"method\":");
        json_str(r->method);
        if (!r->ok) {
            printf(",\"error\":");
            json_str(r->note);
            putchar('}');
            continue;
        }
        printf(",\"tokens\":%llu,\"fertility\":%.6f,\"chars_per_token\":%.6f,\"bytes_per_token\":%.6f,"
               "\"renyi_efficiency\":%.6f,\"vocab_size\":%llu,\"distinct_ids\":%llu,\"utilisation\":%.6f,"
               "\"mb_per_s\":%.4f",
               (unsigned long long)r->tokens, r->fertility, r->cpt, r->bpt, r->renyi, (unsigned long long)r->vocab,
               (unsigned long long)r->distinct, r->util, r->mbps);
        if (have_gold)
            printf(",\"gold\":{\"words\":%llu,\"kept\":%llu,\"boundaries_gold\":%llu,\"boundaries_pred\":%llu,"
                   "\"true_pos\":%llu,\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f}",
                   (unsigned long long)r->gwords, (unsigned long long)r->gkept, (unsigned long long)r->ngold,
                   (unsigned long long)r->npred, (unsigned long long)r->tp, r->prec, r->rec, r->f1);
        putchar('}');
    }
    printf("]}\n");
}

int analyze_intrinsic(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *toks[MAX_TOK];
    size_t ntok = 0;
    int methods[MAX_METHODS];
    size_t nmeth = 0;
    const char *gold_path = NULL, *unigram_from = NULL, *scores_path = NULL, *save_path = NULL;
    const char *files[256];
    size_t nfiles = 0;
    int em_iters = 3;
    bool json = false;
    tok_encode_options base;
    tok_encode_options_init(&base);
    base.flags = TOK_ENC_OFFSETS | TOK_ENC_LOSSY;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(analyze_help, stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "-t") || !strcmp(a, "--tokenizer") || !strncmp(a, "--tokenizer=", 12)) {
            const char *name = a[1] == 't' || !a[11] ? (i + 1 < argc ? argv[++i] : NULL) : a + 12;
            if (!name) { usage_error("analyze intrinsic", "-t needs a tokenizer"); return EXIT_USAGE; }
            if (ntok == MAX_TOK) { usage_error("analyze intrinsic", "at most %d tokenizers", MAX_TOK); return EXIT_USAGE; }
            toks[ntok++] = name;
            continue;
        }
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("analyze intrinsic", "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if ((v = opt_value(argc, argv, &i, "--method"))) {
            int m = tok_method_from_name(v);
            if (m < 0) { usage_error("analyze intrinsic", "unknown method '%s'", v); return EXIT_USAGE; }
            if (nmeth < MAX_METHODS) methods[nmeth++] = m;
        } else if (!strcmp(a, "--all-methods")) {
            nmeth = 0;
        } else if ((v = opt_value(argc, argv, &i, "--gold"))) {
            gold_path = v;
        } else if ((v = opt_value(argc, argv, &i, "--unigram-from"))) {
            unigram_from = v;
        } else if ((v = opt_value(argc, argv, &i, "--scores"))) {
            scores_path = v;
        } else if ((v = opt_value(argc, argv, &i, "--save-scores"))) {
            save_path = v;
        } else if ((v = opt_value(argc, argv, &i, "--em-iters"))) {
            char *end;
            long k = strtol(v, &end, 10);
            if (*end || k < 0 || k > 1000) { usage_error("analyze intrinsic", "--em-iters takes 0..1000"); return EXIT_USAGE; }
            em_iters = (int)k;
        } else if ((v = opt_value(argc, argv, &i, "--tie"))) {
            if (!strcmp(v, "longest")) base.tie = TOK_TIE_LONGEST;
            else if (!strcmp(v, "random")) base.tie = TOK_TIE_RANDOM;
            else { usage_error("analyze intrinsic", "--tie takes longest or random"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--seed"))) {
            char *end;
            base.seed = strtoull(v, &end, 10);
            if (*end) { usage_error("analyze intrinsic", "--seed takes an integer"); return EXIT_USAGE; }
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (a[0] == '-' && a[1]) {
            usage_error("analyze intrinsic", "unknown option %s", a);
            return EXIT_USAGE;
        } else {
            if (nfiles == 256) { usage_error("analyze intrinsic", "at most 256 corpus files"); return EXIT_USAGE; }
            files[nfiles++] = a;
        }
    }
    if (to.name && ntok < MAX_TOK) toks[ntok++] = to.name;
    if (!ntok) { usage_error("analyze intrinsic", "no tokenizer (-t)"); return EXIT_USAGE; }
    if (!nfiles) { usage_error("analyze intrinsic", "no corpus file"); return EXIT_USAGE; }
    if (save_path && !unigram_from) { usage_error("analyze intrinsic", "--save-scores needs --unigram-from"); return EXIT_USAGE; }
    if (ntok > 1 && ((save_path && !strstr(save_path, "{}")) || (scores_path && !strstr(scores_path, "{}")))) {
        usage_error("analyze intrinsic", "with several tokenizers, put {} in the --scores/--save-scores name");
        return EXIT_USAGE;
    }
    bool all = nmeth == 0;
    if (all) {
        static const int every[] = { TOK_METHOD_MERGES, TOK_METHOD_LONGEST_PREFIX, TOK_METHOD_LONGEST_SUFFIX,
                                     TOK_METHOD_LONGEST_TOKEN, TOK_METHOD_LEAST_TOKENS, TOK_METHOD_LIKELIHOOD,
                                     TOK_METHOD_SAMPLE };
        for (size_t k = 0; k < sizeof every / sizeof every[0]; k++) methods[nmeth++] = every[k];
    }

    int rc = EXIT_OK;
    corpus c = { 0 };
    c.text = calloc(nfiles, sizeof *c.text);
    c.len = calloc(nfiles, sizeof *c.len);
    tok_gold *g = NULL;
    char *ucorpus = NULL;
    size_t ulen = 0;
    result *rs = calloc(ntok * nmeth, sizeof *rs);
    size_t nres = 0;
    if (!c.text || !c.len || !rs) { fprintf(stderr, "tok analyze: out of memory\n"); return EXIT_RUNTIME; }
    for (size_t f = 0; f < nfiles; f++) {
        if (!(c.text[f] = read_all(files[f], &c.len[f]))) { rc = EXIT_RUNTIME; goto out; }
        c.n++;
        count_text(&c, c.text[f], c.len[f]);
    }
    if (gold_path) {
        tok_error gerr = { 0 };
        if (!(g = tok_gold_load(gold_path, &gerr))) {
            fprintf(stderr, "tok analyze: %s\n", gerr.message);
            rc = EXIT_RUNTIME;
            goto out;
        }
        if (tok_gold_skipped(g))
            fprintf(stderr, "tok analyze: %s: %zu lines whose morphs do not spell the word were left out\n", gold_path,
                    tok_gold_skipped(g));
    }
    if (unigram_from && !(ucorpus = read_all(unigram_from, &ulen))) { rc = EXIT_RUNTIME; goto out; }

    for (size_t k = 0; k < ntok; k++) {
        to.name = toks[k];
        tok_tokenizer *t = tok_open_load(&to);
        if (!t) { rc = EXIT_RUNTIME; goto out; }
        const char *tname = base_name(toks[k]);
        size_t V = tok_vocab_size(t);
        tok_ctx *ctx = tok_ctx_new(t);
        uint64_t *cnt = calloc(V ? V : 1, sizeof *cnt);
        tok_scores *sc = NULL;
        bool native_scores = tok_model_type(t) == TOK_MODEL_UNIGRAM;
        if (!ctx || !cnt) {
            fprintf(stderr, "tok analyze: out of memory\n");
            rc = EXIT_RUNTIME;
        }
        char path[4096];
        tok_error err = { 0 };
        if (native_scores) {
            /* a Unigram model's own scores are used (the pipeline runs it natively) */
        } else if (rc == EXIT_OK && scores_path) {
            fill_name(path, sizeof path, scores_path, tname);
            if (!(sc = tok_scores_load(t, path, &err))) {
                fprintf(stderr, "tok analyze: %s\n", err.message);
                rc = EXIT_RUNTIME;
            }
        } else if (rc == EXIT_OK && unigram_from) {
            double t0 = now();
            if (!(sc = tok_scores_estimate(t, ucorpus, ulen, em_iters, &err))) {
                fprintf(stderr, "tok analyze: %s: %s\n", tname, err.message);
                rc = EXIT_RUNTIME;
            } else {
                fprintf(stderr, "tok analyze: %s: unigram scores from %s (%d EM rounds) in %.1f s\n", tname,
                        unigram_from, em_iters, now() - t0);
                if (save_path) {
                    fill_name(path, sizeof path, save_path, tname);
                    if (tok_scores_save(sc, path, &err)) {
                        fprintf(stderr, "tok analyze: %s\n", err.message);
                        rc = EXIT_RUNTIME;
                    }
                }
            }
        }
        for (size_t m = 0; m < nmeth && rc == EXIT_OK; m++) {
            result *r = &rs[nres++];
            r->tokname = tname;
            r->method = tok_method_name((tok_method)methods[m]);
            tok_encode_options o = base;
            o.method = (tok_method)methods[m];
            bool scored = o.method == TOK_METHOD_LIKELIHOOD || o.method == TOK_METHOD_SAMPLE;
            if (scored && sc) o.scores = sc;
            if (all && o.method == TOK_METHOD_MERGES && tok_model_type(t) != TOK_MODEL_BPE) {
                snprintf(r->note, sizeof r->note, "merges need a BPE vocabulary");
                continue;
            }
            if (all && scored && !sc && !native_scores) {
                snprintf(r->note, sizeof r->note, "no unigram scores (give --unigram-from CORPUS or --scores FILE)");
                continue;
            }
            memset(cnt, 0, V * sizeof *cnt);
            if (encode_corpus(ctx, &c, &o, cnt, V, r)) continue;
            finish_stats(r, &c, cnt, V);
            if (g && eval_gold(t, ctx, g, &o, r)) continue;
            r->ok = true;
        }
        tok_scores_free(sc);
        free(cnt);
        tok_ctx_free(ctx);
        tok_free(t);
        if (rc != EXIT_OK) goto out;
    }
    if (json) print_json(rs, nres, gold_path != NULL, &c);
    else print_table(rs, nres, gold_path != NULL, &c);
    for (size_t i = 0; i < nres; i++)
        if (!rs[i].ok && !all) rc = EXIT_RUNTIME;
out:
    for (size_t f = 0; f < c.n; f++) free(c.text[f]);
    free(c.text);
    free(c.len);
    free(ucorpus);
    free(rs);
    tok_gold_free(g);
    return rc;
}
