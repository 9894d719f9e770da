/* tok analyze saliency: vocabulary priors for pruning (analyzers/saliency). */
#include "cli.h"

#include "analyzers/saliency/tok_saliency.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char saliency_help[] =
    "Usage: tok analyze saliency -t TOKENIZER [options]\n"
    "Per-id priors for KV-cache eviction and token pruning: special, separator\n"
    "(SepLLM's derivation), punctuation, space, newline, digit, stopword, byte,\n"
    "partial UTF-8, unreachable, word start, under-trained, sticky.\n"
    "\n"
    "  -t, --tokenizer T      tokenizer (file, directory or built-in name)\n"
    "  --export FILE          write the priors: FILE.json as JSON (one record per\n"
    "                         id), anything else as the binary priors file\n"
    "  --json                 print a JSON summary: fingerprint, \"separators\",\n"
    "                         SepLLM's strings with their ids, \"flags\" counts\n"
    "  --separator STR        another separator string (repeatable; \\n \\t read)\n"
    "  --sep-in-context       also the ids each separator string gets after a\n"
    "                         letter (SentencePiece-style vocabularies encode a\n"
    "                         lone \".\" as \"\xe2\x96\x81.\", a period after a word as \".\")\n"
    "  --stopwords FILE       stopword lists as JSON {\"en\": [words], ...}\n"
    "                         (default: NLTK's lists fetched into the cache,\n"
    "                         $TOK_CACHE/stopwords/nltk.json; stopwords-iso.json\n"
    "                         beside it is a broader choice)\n"
    "  --lang L1,L2           stopword languages (default en)\n"
    "  --glitch FILE          'tok analyze glitch --json' output: unreachable,\n"
    "                         under-trained (percentile <= --pct) and sticky ids\n"
    "                         (with weights: its candidates are under-trained, and\n"
    "                         each id's indicator percentile is exported)\n"
    "  --pct P                under-training percentile cut (default 2)\n"
    "  --features FILE        encode FILE and print one JSON line per token: id,\n"
    "                         word, word_len, pos_in_word, sentence, flags\n"
    "  -h, --help             this help\n"
    "\n"
    "Without --json a table of counts per flag is printed.\n";

static char *unescape(const char *s)
{
    char *o = malloc(strlen(s) + 1), *p = o;
    if (!o) return NULL;
    for (; *s; s++) {
        if (*s == '\\' && s[1] == 'n') { *p++ = '\n'; s++; }
        else if (*s == '\\' && s[1] == 't') { *p++ = '\t'; s++; }
        else if (*s == '\\' && s[1] == '\\') { *p++ = '\\'; s++; }
        else *p++ = *s;
    }
    *p = 0;
    return o;
}

static int print_features(const tok_tokenizer *t, const tok_saliency *s, const char *path)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text) return EXIT_RUNTIME;
    tok_ctx *ctx = tok_ctx_new(t);
    tok_encode_options eo;
    tok_encode_options_init(&eo);
    eo.flags = TOK_ENC_OFFSETS | TOK_ENC_LOSSY;
    tok_encoding e;
    int rc = EXIT_OK;
    tok_features *f = NULL;
    if (!ctx || tok_encode(ctx, text, len, &eo, &e)) {
        fprintf(stderr, "tok analyze saliency: %s: %s\n", path, ctx ? tok_ctx_error(ctx) : "out of memory");
        rc = EXIT_RUNTIME;
    } else if (!(f = malloc((e.n ? e.n : 1) * sizeof *f)) || tok_saliency_features(s, &e, NULL, 0, f)) {
        fprintf(stderr, "tok analyze saliency: out of memory\n");
        rc = EXIT_RUNTIME;
    } else {
        outbuf o;
        out_init(&o, stdout);
        for (size_t i = 0; i < e.n; i++) {
            out_str(&o, "{\"id\":");
            out_int(&o, e.ids[i]);
            out_str(&o, ",\"word\":");
            out_int(&o, f[i].word);
            out_str(&o, ",\"word_len\":");
            out_int(&o, f[i].word_len);
            out_str(&o, ",\"pos_in_word\":");
            out_int(&o, f[i].pos_in_word);
            out_str(&o, ",\"sentence\":");
            out_int(&o, f[i].sentence);
            out_str(&o, ",\"flags\":[");
            int first = 1;
            for (int b = 0; b < TOK_PRIOR_NBITS; b++)
                if (f[i].flags & (1u << b)) {
                    if (!first) out_char(&o, ',');
                    out_char(&o, '"');
                    out_str(&o, tok_prior_name(1u << b));
                    out_char(&o, '"');
                    first = 0;
                }
            out_str(&o, "]}\n");
        }
        if (out_flush(&o)) rc = EXIT_RUNTIME;
    }
    free(f);
    tok_ctx_free(ctx);
    free(text);
    return rc;
}

int analyze_saliency(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *export_path = NULL, *glitch = NULL, *stop = NULL, *lang = "en", *features = NULL;
    double pct = 2.0;
    int json = 0, in_context = 0;
    char *seps[65] = { 0 };
    size_t nseps = 0;
    int rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(saliency_help, stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "--tokenizer") || !strncmp(a, "--tokenizer=", 12)) {
            const char *name = a[11] ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
            if (!name) { usage_error("analyze saliency", "--tokenizer needs a value"); return EXIT_USAGE; }
            to.name = name;
            continue;
        }
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("analyze saliency", "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if ((v = opt_value(argc, argv, &i, "--export"))) export_path = v;
        else if ((v = opt_value(argc, argv, &i, "--glitch"))) glitch = v;
        else if ((v = opt_value(argc, argv, &i, "--weights"))) {
            usage_error("analyze saliency", "--weights: run 'tok analyze glitch -t T --weights %s --json > G.json' "
                        "and pass --glitch G.json", v);
            return EXIT_USAGE;
        }
        else if ((v = opt_value(argc, argv, &i, "--stopwords"))) stop = v;
        else if ((v = opt_value(argc, argv, &i, "--features"))) features = v;
        else if ((v = opt_value(argc, argv, &i, "--lang"))) lang = v;
        else if ((v = opt_value(argc, argv, &i, "--pct"))) {
            char *e;
            pct = strtod(v, &e);
            if (*e || !(pct >= 0 && pct <= 100)) { usage_error("analyze saliency", "--pct takes 0..100"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--separator"))) {
            if (nseps == 64) { usage_error("analyze saliency", "at most 64 --separator strings"); return EXIT_USAGE; }
            if (!*v) { usage_error("analyze saliency", "empty --separator"); return EXIT_USAGE; }
            seps[nseps++] = unescape(v);
        } else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--sep-in-context")) in_context = 1;
        else { usage_error("analyze saliency", "unknown argument %s", a); return EXIT_USAGE; }
    }
    if (!to.name) { usage_error("analyze saliency", "no tokenizer (-t)"); return EXIT_USAGE; }
    char defstop[4096];
    if (!stop) {
        const char *cache = getenv("TOK_CACHE");
        const char *home = getenv("HOME");
        if (cache && *cache) snprintf(defstop, sizeof defstop, "%s/stopwords/nltk.json", cache);
        else snprintf(defstop, sizeof defstop, "%s/.cache/libtok/stopwords/nltk.json", home ? home : ".");
        if (access(defstop, R_OK) == 0) stop = defstop;
        else fprintf(stderr, "tok analyze saliency: no stopword list (%s; run 'make fetch' or give --stopwords): "
                             "no stopword flags\n", defstop);
    }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) return EXIT_RUNTIME;
    tok_saliency_options o;
    tok_saliency_options_init(&o);
    o.separators = (const char *const *)seps;
    o.stopwords_file = stop;
    o.languages = lang;
    o.glitch_file = glitch;
    o.undertrained_pct = pct;
    o.sep_in_context = in_context;
    tok_error err = { 0 };
    tok_saliency *s = tok_saliency_build(t, &o, &err);
    if (!s) {
        fprintf(stderr, "tok analyze saliency: %s\n", err.message);
        rc = EXIT_RUNTIME;
        goto out;
    }
    if (export_path) {
        size_t l = strlen(export_path);
        if (l > 5 && !strcmp(export_path + l - 5, ".json")) {
            FILE *f = fopen(export_path, "w");
            if (!f || tok_saliency_write_json(s, f, 1) || fclose(f)) {
                fprintf(stderr, "tok analyze saliency: cannot write %s\n", export_path);
                rc = EXIT_RUNTIME;
            }
        } else if (tok_saliency_save(s, export_path, &err)) {
            fprintf(stderr, "tok analyze saliency: %s\n", err.message);
            rc = EXIT_RUNTIME;
        }
    }
    if (features) {
        rc = print_features(t, s, features);
    } else if (json) {
        tok_saliency_write_json(s, stdout, 0);
    } else {
        const int32_t *ids;
        size_t n = tok_saliency_separators(s, &ids);
        printf("tokenizer %s: %zu ids, fingerprint %s\n", to.name, tok_saliency_vocab_size(s), tok_saliency_fingerprint_of(s));
        printf("separators (%zu):", n);
        for (size_t i = 0; i < n; i++) printf(" %d", ids[i]);
        printf("\n");
        for (int b = 0; b < TOK_PRIOR_NBITS; b++)
            printf("  %-13s %8zu\n", tok_prior_name(1u << b), tok_saliency_count(s, 1u << b));
    }
out:
    tok_saliency_free(s);
    tok_free(t);
    for (size_t i = 0; i < nseps; i++) free(seps[i]);
    return rc;
}
