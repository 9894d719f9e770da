/* tok analyze morph: morph boundary precision/recall/F1 per method against a
 * gold segmentation, and the offline %pure/%valid proxies. */
#include "lang_args.h"
#include <vocab/tok_train.h>

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: tok analyze morph -t TOKENIZER [-t ...] --gold FILE [options]\n"
    "Boundary precision, recall and F1 of each tokenizer x method against gold\n"
    "segmentations ('word<TAB>morph|morph|...'), micro-averaged over boundaries:\n"
    "  kept  words whose morphs are all tokens (first in word-start form) and that\n"
    "        are not one token: the same words for every method (Uzan et al. 2024)\n"
    "  all   every gold word\n"
    "%pure / %valid: of the distinct tokens produced on the gold words (marker\n"
    "and ## removed, ASCII lowercased), the share that is a gold morph / a word\n"
    "of --wordlist (default: the gold words) -- offline proxies of Bayram et\n"
    "al. 2025's %Pure and %TR, which used an online morphological analyser.\n"
    "\n"
    "  -t, --tokenizer T     tokenizer (repeatable)\n"
    "  --gold FILE           gold segmentations\n"
    "  --method M            method (repeatable; default: the tokenizer's own)\n"
    "  --all-methods         all seven methods (those that apply)\n"
    "  --wordlist LIST       valid words for %valid: a language code (en, tr, fi...:\n"
    "                        the lists scripts/fetch.d/words.sh puts in\n"
    "                        $TOK_CACHE/lang/words/CODE), a directory of lists, a\n"
    "                        plain list (one word a line) or a hunspell .dic (its\n"
    "                        .aff beside it: expanded to every form)\n"
    "  --unigram-from FILE   estimate unigram scores from FILE (EM, 3 rounds) for\n"
    "                        likelihood and sample on vocabularies without scores\n"
    "  --json                JSON output\n";

int analyze_morph(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *toks[16], *gold = NULL, *wordlist = NULL, *unigram_from = NULL, *v;
    size_t ntok = 0, nm = 0;
    int methods[16];
    bool json = false, all = false;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) { fputs(help, stdout); return EXIT_OK; }
        if (!strcmp(s, "-t") || !strcmp(s, "--tokenizer")) {
            if (i + 1 >= argc) { usage_error("analyze morph", "-t needs a tokenizer"); return EXIT_USAGE; }
            if (ntok == 16) { usage_error("analyze morph", "at most 16 tokenizers"); return EXIT_USAGE; }
            toks[ntok++] = argv[++i];
            continue;
        }
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("analyze morph", "bad or missing value for %s", s); return EXIT_USAGE; }
        if (r > 0) continue;
        if ((v = opt_value(argc, argv, &i, "--gold"))) gold = v;
        else if ((v = opt_value(argc, argv, &i, "--wordlist"))) wordlist = v;
        else if ((v = opt_value(argc, argv, &i, "--unigram-from"))) unigram_from = v;
        else if ((v = opt_value(argc, argv, &i, "--method"))) {
            int m = tok_method_from_name(v);
            if (m < 0) { usage_error("analyze morph", "unknown method '%s'", v); return EXIT_USAGE; }
            if (nm < 16) methods[nm++] = m;
        } else if (!strcmp(s, "--all-methods")) all = true;
        else if (!strcmp(s, "--json")) json = true;
        else { usage_error("analyze morph", "unknown argument %s", s); return EXIT_USAGE; }
    }
    if (to.name && ntok < 16) toks[ntok++] = to.name;
    if (!ntok) { usage_error("analyze morph", "no tokenizer (-t)"); return EXIT_USAGE; }
    if (!gold) { usage_error("analyze morph", "no --gold file"); return EXIT_USAGE; }
    if (all) {
        nm = 0;
        for (int m = TOK_METHOD_MERGES; m <= TOK_METHOD_SAMPLE; m++) methods[nm++] = m;
    }
    if (!nm) methods[nm++] = TOK_METHOD_DEFAULT;
    tok_error err = { 0 };
    tok_gold *g = tok_gold_load(gold, &err);
    if (!g) { fprintf(stderr, "tok analyze morph: %s\n", err.message); return EXIT_RUNTIME; }
    tok_wordset *ws = NULL;
    char wbuf[4096];
    if (wordlist) {
        wordlist = wordlist_path(wordlist, wbuf, sizeof wbuf);
        if (!(ws = tok_wordset_load(wordlist, 0, &err))) {
            fprintf(stderr, "tok analyze morph: %s\n", err.message);
            tok_gold_free(g);
            return EXIT_RUNTIME;
        }
        if (!json) fprintf(stderr, "%%valid against %zu words: %s\n", tok_wordset_size(ws), tok_wordset_sources(ws));
    }
    if (tok_gold_skipped(g))
        fprintf(stderr, "tok analyze morph: %s: %zu lines whose morphs do not spell the word were left out\n", gold,
                tok_gold_skipped(g));
    int rc = EXIT_OK;
    if (json) {
        printf("{\"gold\":{\"file\":");
        print_jstr(stdout, gold, strlen(gold));
        printf(",\"words\":%zu},\"wordlist\":", tok_gold_size(g));
        if (ws) {
            printf("{\"path\":");
            print_jstr(stdout, wordlist, strlen(wordlist));
            printf(",\"words\":%zu,\"sources\":", tok_wordset_size(ws));
            print_jstr(stdout, tok_wordset_sources(ws), strlen(tok_wordset_sources(ws)));
            printf("}");
        } else printf("null");
        printf(",\"results\":[");
    }
    else printf("%-20s %-15s %7s %7s %7s %7s %7s %7s %7s %7s\n", "tokenizer", "method", "kept", "P", "R", "F1", "F1all",
                "types", "%pure", "%valid");
    bool first = true;
    for (size_t k = 0; k < ntok && rc == EXIT_OK; k++) {
        to.name = toks[k];
        tok_tokenizer *t = tok_open_load(&to);
        if (!t) { rc = EXIT_RUNTIME; break; }
        tok_ctx *ctx = tok_ctx_new(t);
        tok_scores *sc = NULL;
        if (unigram_from && tok_model_type(t) != TOK_MODEL_UNIGRAM) {
            size_t ulen;
            char *utext = read_all(unigram_from, &ulen);
            tok_error serr = { 0 };
            if (!utext || !(sc = tok_scores_estimate(t, utext, ulen, 3, &serr))) {
                if (utext) fprintf(stderr, "tok analyze morph: %s\n", serr.message);
                free(utext);
                tok_ctx_free(ctx);
                tok_free(t);
                rc = EXIT_RUNTIME;
                break;
            }
            free(utext);
        }
        const char *tn = strrchr(toks[k], '/') ? strrchr(toks[k], '/') + 1 : toks[k];
        for (size_t m = 0; m < nm; m++) {
            tok_encode_options o;
            tok_encode_options_init(&o);
            o.flags = TOK_ENC_OFFSETS | TOK_ENC_LOSSY;
            o.method = (tok_method)methods[m];
            o.seed = 1;
            if (sc && (o.method == TOK_METHOD_LIKELIHOOD || o.method == TOK_METHOD_SAMPLE)) o.scores = sc;
            tok_morph_result r;
            char msg[512] = "";
            tok_status st = tok_morph_eval_set(t, ctx, g, &o, ws, &r, msg, sizeof msg);
            const char *mn = tok_method_name(o.method);
            if (st) {
                /* with --all-methods a method that does not apply is reported, not fatal */
                if (!all) { fprintf(stderr, "tok analyze morph: %s %s: %s\n", tn, mn, msg); rc = EXIT_RUNTIME; break; }
                if (json) {
                    printf("%s{\"tokenizer\":", first ? "" : ",");
                    print_jstr(stdout, tn, strlen(tn));
                    printf(",\"method\":\"%s\",\"error\":", mn);
                    print_jstr(stdout, msg, strlen(msg));
                    printf("}");
                    first = false;
                } else printf("%-20.20s %-15s n/a: %s\n", tn, mn, msg);
                continue;
            }
            if (json) {
                printf("%s{\"tokenizer\":", first ? "" : ",");
                print_jstr(stdout, tn, strlen(tn));
                printf(",\"method\":\"%s\",\"words\":%llu,\"kept\":%llu,\"boundaries_gold\":%llu,"
                       "\"boundaries_pred\":%llu,\"true_pos\":%llu,\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f,"
                       "\"all\":{\"words\":%llu,\"boundaries_gold\":%llu,\"boundaries_pred\":%llu,\"true_pos\":%llu,"
                       "\"f1\":%.6f},\"types\":%llu,\"pure\":%llu,\"valid\":%llu,\"pct_pure\":%.4f,\"pct_valid\":%.4f}",
                       mn, (unsigned long long)r.words, (unsigned long long)r.kept, (unsigned long long)r.gold_bounds,
                       (unsigned long long)r.pred_bounds, (unsigned long long)r.tp, r.precision, r.recall, r.f1,
                       (unsigned long long)r.all_words, (unsigned long long)r.all_gold, (unsigned long long)r.all_pred,
                       (unsigned long long)r.all_tp, r.all_f1, (unsigned long long)r.types, (unsigned long long)r.pure,
                       (unsigned long long)r.valid, r.pct_pure, r.pct_valid);
                first = false;
            } else
                printf("%-20.20s %-15s %7llu %7.4f %7.4f %7.4f %7.4f %7llu %7.2f %7.2f\n", tn, mn,
                       (unsigned long long)r.kept, r.precision, r.recall, r.f1, r.all_f1, (unsigned long long)r.types,
                       r.pct_pure, r.pct_valid);
        }
        tok_scores_free(sc);
        tok_ctx_free(ctx);
        tok_free(t);
    }
    if (json) printf("]}\n");
    tok_wordset_free(ws);
    tok_gold_free(g);
    return rc;
}
