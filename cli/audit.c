/* tok audit: several tokenizers over one corpus -> one HTML page + JSON;
 * --merge sums saved shard audits. */
#include "lang_args.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "Usage: tok audit -t TOKENIZER [-t ...] [--html OUT] [--json OUT] [options] CORPUS...\n"
    "       tok audit --merge A.json B.json ... [--html OUT] [--json OUT]\n"
    "What each tokenizer costs each language of the corpus (one pass per\n"
    "tokenizer): premium vs the reference language and fertility bars, token\n"
    "length histograms, vocabulary utilisation and efficiency, dominant tokens\n"
    "per language, morphology scores (--gold) and findings in plain words.  The\n"
    "HTML page is self-contained (inline SVG, no scripts, no external files).\n"
    "Each line is one unit unless --whole/--paragraphs.  Shards of a corpus\n"
    "audited separately (--json) and merged give exactly the single-pass result\n"
    "when cut at unit boundaries (e.g. split -l for line units).\n"
    "\n"
    "  -t, --tokenizer T     tokenizer (repeatable, up to 16)\n"
    "  --html OUT            write the HTML page\n"
    "  --json OUT            write the JSON (counts for --merge, and the figures)\n"
    "  --ref CODE            reference language (default en)\n"
    "  --gold FILE           gold morph segmentations (word<TAB>morph|morph), repeatable\n"
    "  --wordlist LIST       valid words for %valid (default: the gold words): a\n"
    "                        language code, directory or file as tok analyze morph\n"
    "                        takes; 'auto': per gold file, the cached lists of the\n"
    "                        language its name starts with (tr-zemberek.tsv -> tr)\n"
    "  --merge               the arguments are saved audits to merge\n"
    "\n";

static int write_out(const tok_audit *au, const char *html, const char *json)
{
    if (json) {
        FILE *f = !strcmp(json, "-") ? stdout : fopen(json, "w");
        if (!f) { perror(json); return -1; }
        tok_status st = tok_audit_save(au, f);
        if (f != stdout && fclose(f)) st = TOK_ERR_IO;
        if (st) { fprintf(stderr, "tok audit: writing %s: %s\n", json, tok_strerror(st)); return -1; }
    }
    if (html) {
        FILE *f = !strcmp(html, "-") ? stdout : fopen(html, "w");
        if (!f) { perror(html); return -1; }
        tok_status st = tok_audit_html(au, f);
        if (f != stdout && fclose(f)) st = TOK_ERR_IO;
        if (st) { fprintf(stderr, "tok audit: writing %s: %s\n", html, tok_strerror(st)); return -1; }
    }
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    lang_args a;
    lang_args_init(&a, "audit", TOK_UNIT_LINE);
    const char *html = NULL, *json = NULL, *ref = "en", *wordlist = NULL, *v;
    const char *golds[8];
    size_t ngold = 0;
    bool merge = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            fputs(lang_args_help, stdout);
            return EXIT_OK;
        }
        if ((v = opt_value(argc, argv, &i, "--html"))) html = v;
        else if ((v = opt_value(argc, argv, &i, "--json"))) json = v;
        else if ((v = opt_value(argc, argv, &i, "--ref"))) ref = v;
        else if ((v = opt_value(argc, argv, &i, "--gold"))) {
            if (ngold == 8) { usage_error("audit", "at most 8 --gold files"); return EXIT_USAGE; }
            golds[ngold++] = v;
        } else if ((v = opt_value(argc, argv, &i, "--wordlist"))) wordlist = v;
        else if (!strcmp(argv[i], "--merge")) merge = true;
        else {
            int r = lang_args_parse(&a, argc, argv, &i);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) { usage_error("audit", "unknown option %s", argv[i]); return EXIT_USAGE; }
        }
    }
    if (a.json) { usage_error("audit", "--json takes an output file (- for stdout)"); return EXIT_USAGE; }
    if (!html && !json) { usage_error("audit", "give --html OUT and/or --json OUT"); return EXIT_USAGE; }
    if (!a.nin) { usage_error("audit", merge ? "no audits to merge" : "no corpus"); return EXIT_USAGE; }
    if (a.open.name && a.ntok < LA_MAX_TOK) a.toks[a.ntok++] = a.open.name;
    if (merge) {
        if (a.ntok || ngold) { usage_error("audit", "--merge takes saved audits only"); return EXIT_USAGE; }
        tok_error err = { 0 };
        tok_audit *au = tok_audit_load((const char *const *)a.inputs, a.nin, &err);
        if (!au) { fprintf(stderr, "tok audit: %s\n", err.message); return EXIT_RUNTIME; }
        int rc = write_out(au, html, json) ? EXIT_RUNTIME : EXIT_OK;
        tok_audit_free(au);
        return rc;
    }
    if (!a.ntok) { usage_error("audit", "no tokenizer (-t)"); return EXIT_USAGE; }
    tok_audit *au = tok_audit_new(ref);
    tok_tokenizer *ts[LA_MAX_TOK] = { 0 };
    tok_gold *g[8] = { 0 };
    int rc = EXIT_OK;
    if (!au) return EXIT_RUNTIME;
    tok_wordset *ws[8] = { 0 };
    for (size_t k = 0; k < ngold && rc == EXIT_OK; k++) {
        tok_error err = { 0 };
        if (!(g[k] = tok_gold_load(golds[k], &err))) { fprintf(stderr, "tok audit: %s\n", err.message); rc = EXIT_RUNTIME; }
        if (rc || !wordlist) continue;
        /* the word list of the gold's language (auto), or the one given */
        char code[16] = "", buf[4096];
        const char *wl = wordlist;
        if (!strcmp(wordlist, "auto")) {
            const char *b = strrchr(golds[k], '/') ? strrchr(golds[k], '/') + 1 : golds[k];
            size_t n = strcspn(b, "-_.");
            if (n == 0 || n >= sizeof code) continue;
            memcpy(code, b, n);
            wl = wordlist_path(code, buf, sizeof buf);
            struct stat sb;
            if (stat(wl, &sb)) continue; /* no lists for it: the gold words */
        } else wl = wordlist_path(wordlist, buf, sizeof buf);
        if (!(ws[k] = tok_wordset_load(wl, 0, &err))) { fprintf(stderr, "tok audit: %s\n", err.message); rc = EXIT_RUNTIME; }
    }
    for (size_t k = 0; k < a.ntok && rc == EXIT_OK; k++) {
        if (!(ts[k] = lang_args_load(&a, k))) { rc = EXIT_RUNTIME; break; }
        tok_error err = { 0 };
        a.lang.name = a.toks[k];
        if (strrchr(a.toks[k], '/')) a.lang.name = strrchr(a.toks[k], '/') + 1;
        tok_lang *acc = tok_lang_new(ts[k], &a.lang, &err);
        if (!acc) { fprintf(stderr, "tok audit: %s\n", err.message); rc = EXIT_RUNTIME; break; }
        if (lang_args_feed(&a, acc) || tok_audit_add(au, acc, ts[k])) { tok_lang_free(acc); rc = EXIT_RUNTIME; break; }
        tok_ctx *ctx = tok_ctx_new(ts[k]);
        for (size_t q = 0; q < ngold && ctx; q++) {
            tok_encode_options o;
            tok_encode_options_init(&o);
            o.flags = TOK_ENC_OFFSETS | TOK_ENC_LOSSY;
            o.method = a.lang.enc.method;
            tok_morph_result r;
            char msg[512] = "";
            if (tok_morph_eval_set(ts[k], ctx, g[q], &o, ws[q], &r, msg, sizeof msg)) {
                fprintf(stderr, "tok audit: %s: %s\n", golds[q], msg);
                rc = EXIT_RUNTIME;
                break;
            }
            const char *gn = strrchr(golds[q], '/') ? strrchr(golds[q], '/') + 1 : golds[q];
            tok_audit_add_morph(au, a.lang.name, tok_method_name(o.method), gn, &r);
        }
        tok_ctx_free(ctx);
    }
    if (rc == EXIT_OK && write_out(au, html, json)) rc = EXIT_RUNTIME;
    tok_audit_free(au);
    for (size_t k = 0; k < a.ntok; k++) tok_free(ts[k]);
    for (size_t k = 0; k < ngold; k++) {
        tok_gold_free(g[k]);
        tok_wordset_free(ws[k]);
    }
    return rc;
}
