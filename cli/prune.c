/* tok prune: replay an attention trace through a keep policy (tok_keep.h). */
#include "cli.h"

#include "analyzers/keep/tok_keep.h"
#include "analyzers/saliency/tok_saliency.h"

#include <stdlib.h>
#include <string.h>

static const char prune_help[] =
    "Usage: tok prune --policy NAME|FILE [options] TRACE\n"
    "Replay an attention trace (format: tok_keep(3)) through a keep policy and print,\n"
    "after every step, the kept positions of each group as one line of\n"
    "space-separated integers (one line per group, in group order).\n"
    "\n"
    "  --policy P        policy name (streamingllm, sepllm, h2o, a2sf, zipcache,\n"
    "                    textrated, sparsevlm, saliency) or a policy file\n"
    "  --budget N        override the budget (span policies: the span budget);\n"
    "                    a value with a '.' is a ratio\n"
    "  --groups G        override the number of groups\n"
    "  --priors FILE     priors file for 'i' records (tok analyze saliency --export)\n"
    "  -t TOKENIZER      refuse a priors file made for another vocabulary\n"
    "  --evicted         print the evicted positions instead of the kept ones\n"
    "  -h, --help        this help\n";

typedef struct pctx {
    outbuf o;
    int evicted;
} pctx;

static int on_step(void *user, const tok_keep *k, size_t step)
{
    pctx *c = user;
    int G = tok_keep_get_config(k)->groups;
    for (int g = 0; g < G; g++) {
        const int64_t *p;
        size_t n = c->evicted ? tok_keep_evicted(k, g, &p) : tok_keep_live(k, g, &p);
        for (size_t i = 0; i < n; i++) {
            if (i) out_char(&c->o, ' ');
            out_int(&c->o, (long long)p[i]);
        }
        out_char(&c->o, '\n');
    }
    return 0;
}

int cmd_prune(int argc, char **argv)
{
    const char *policy = NULL, *budget = NULL, *priors_path = NULL, *trace = NULL, *groups = NULL;
    tok_open to;
    tok_open_init(&to);
    pctx pc = { .evicted = 0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(prune_help, stdout);
            return EXIT_OK;
        }
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("prune", "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if ((v = opt_value(argc, argv, &i, "--policy"))) policy = v;
        else if ((v = opt_value(argc, argv, &i, "--budget"))) budget = v;
        else if ((v = opt_value(argc, argv, &i, "--groups"))) groups = v;
        else if ((v = opt_value(argc, argv, &i, "--priors"))) priors_path = v;
        else if (!strcmp(a, "--evicted")) pc.evicted = 1;
        else if (a[0] == '-' && a[1]) { usage_error("prune", "unknown option %s", a); return EXIT_USAGE; }
        else if (trace) { usage_error("prune", "one trace file"); return EXIT_USAGE; }
        else trace = a;
    }
    if (!policy) { usage_error("prune", "no --policy"); return EXIT_USAGE; }
    if (!trace) { usage_error("prune", "no trace file"); return EXIT_USAGE; }
    tok_keep_config c;
    tok_keep_config_init(&c);
    tok_error err = { 0 };
    if (tok_keep_config_load(&c, policy, &err)) {
        fprintf(stderr, "tok prune: %s\n", err.message);
        return err.code == TOK_ERR_IO ? EXIT_USAGE : EXIT_RUNTIME;
    }
    if (budget) {
        char *e;
        int span = c.raters != TOK_RATERS_NONE;
        if (strchr(budget, '.')) {
            double d = strtod(budget, &e);
            if (*e || !(d > 0 && d <= 1)) { usage_error("prune", "--budget ratio must be in (0, 1]"); return EXIT_USAGE; }
            if (span) { c.span_ratio = d; c.span_budget = 0; }
            else { c.ratio = d; c.budget = 0; }
        } else {
            long l = strtol(budget, &e, 10);
            if (*e || l < 0) { usage_error("prune", "--budget takes a non-negative integer or a ratio"); return EXIT_USAGE; }
            if (span) { c.span_budget = l; c.span_ratio = 0; }
            else { c.budget = l; c.ratio = 0; }
        }
    }
    if (groups) {
        char *e;
        long l = strtol(groups, &e, 10);
        if (*e || l < 1 || l > 4096) { usage_error("prune", "--groups takes 1..4096"); return EXIT_USAGE; }
        c.groups = (int)l;
    }
    tok_keep *k = tok_keep_new(&c, &err);
    if (!k) {
        fprintf(stderr, "tok prune: %s\n", err.message);
        return EXIT_USAGE;
    }
    tok_keep_priors *pr = NULL;
    int rc = EXIT_OK;
    if (priors_path) {
        char fp[33] = { 0 };
        if (to.name) {
            tok_tokenizer *t = tok_open_load(&to);
            if (!t) { tok_keep_free(k); return EXIT_RUNTIME; }
            tok_saliency_fingerprint(t, fp);
            tok_free(t);
        }
        pr = tok_keep_priors_load(priors_path, to.name ? fp : NULL, &err);
        if (!pr) {
            fprintf(stderr, "tok prune: %s\n", err.message);
            tok_keep_free(k);
            return EXIT_RUNTIME;
        }
    }
    out_init(&pc.o, stdout);
    if (tok_keep_replay(k, trace, pr, on_step, &pc, &err)) {
        fprintf(stderr, "tok prune: %s\n", err.message);
        rc = EXIT_RUNTIME;
    }
    if (out_flush(&pc.o)) rc = EXIT_RUNTIME;
    tok_keep_priors_free(pr);
    tok_keep_free(k);
    return rc;
}
