/*
 * tok analyze glitch: token health (issue 13).  Magikarp's categories from
 * the tokenizer alone; with --weights, its under-training indicators and
 * verification candidates; sticky tokens with --sticky.  Printing only: the
 * work is in analyzers/glitch and analyzers/weights.
 */
#include "cli.h"
#include "analyzers/glitch/tok_glitch.h"
#include "analyzers/weights/tok_weights.h"

#include <jansson.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char glitch_help[] =
    "Usage: tok analyze glitch -t TOKENIZER [options]\n"
    "Under-trained (glitch) token analysis after Land & Bartolo 2024 (magikarp).\n"
    "\n"
    "  -t, --tokenizer T   tokenizer (file, directory or built-in name)\n"
    "  --json              one JSON object: counts, per-token categories (and indicators)\n"
    "  --problems          --json: list only the tokens that are not plain OK (or are\n"
    "                      bytes, special-looking or orphans); default: every token\n"
    "  --meaningless       StickyToken's MEANINGLESS category (whitespace-only decode) first\n"
    "  --context           search whether unreachable tokens come back after a preceding\n"
    "                      context text (reach: alone, context, added_text, never)\n"
    "\n"
    "Weights (magikarp's under-training indicators):\n"
    "  --weights FILE      .safetensors, model.safetensors.index.json, .gguf or .npy\n"
    "  --tensor NAME       input embedding tensor (default: by architecture name)\n"
    "  --unembed NAME      output embedding / LM head tensor (default: by name; none = tied)\n"
    "  --tied              use the input embedding as the output matrix\n"
    "  --unused IDS        reference set of known-unused ids, comma-separated\n"
    "                      (default: never-valid bytes, unused/reserved/placeholder tokens,\n"
    "                      matrix rows beyond the vocabulary)\n"
    "  --percentile P      candidates at or below this percentile of OK tokens (default 2)\n"
    "  --top N             text output: list the N lowest candidates (default 20)\n"
    "  --prompts FILE      write the verification prompts (JSON lines: id, prompt, ids,\n"
    "                      encodeable) for every candidate\n"
    "  --verify FILE       read an engine's results (JSON lines: id, prompt, max_prob)\n"
    "                      and classify the candidates (strong/weak verified/rejected)\n"
    "\n"
    "Sticky tokens (StickyToken's pipeline and defaults):\n"
    "  --sticky FILE       score OK tokens against sentence pairs from FILE (one a line)\n"
    "  --embed-cmd CMD     sentence embedder: CMD (run by sh) reads a JSON array of texts\n"
    "                      per line on stdin and answers one line, a JSON array of\n"
    "                      vectors; default: the static embedder (mean of the input\n"
    "                      embedding rows of --weights)\n"
    "  --sticky-sample N   score a seeded sample of N OK tokens (default: all)\n"
    "  --sticky-pairs N    scoring pairs (default 5); --verify-pairs N (default 250)\n"
    "  -h, --help          this help\n"
    "\n"
    "Counts as magikarp's results/summary.md: bytes (single-byte tokens), unreachable\n"
    "and partial utf-8 (both without byte and special-looking tokens), special\n"
    "(special-looking [..]/<..> tokens).\n";

typedef struct gopts {
    bool json, all, problems, meaningless, context, tied;
    const char *weights, *tensor, *unembed, *unused, *prompts, *verify, *sticky, *embed_cmd;
    long sticky_sample, sticky_pairs, verify_pairs;
    double percentile;
    int top;
} gopts;

/* indicator results for printing */
typedef struct wres {
    tok_weights *w;
    tok_matrix *emb, *out;
    tok_glitch_indicators *ind;
    const char *emb_name, *out_name;
    /* verification verdicts per candidate (-1 none) */
    int *verdict;
    double *maxp;
} wres;

static int parse_ids(const char *s, int32_t **out, size_t *n)
{
    size_t cap = 16;
    *n = 0;
    *out = malloc(cap * sizeof **out);
    if (!*out) return -1;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > INT32_MAX) return -1;
        if (*n == cap) {
            int32_t *p = realloc(*out, (cap *= 2) * sizeof *p);
            if (!p) return -1;
            *out = p;
        }
        (*out)[(*n)++] = (int32_t)v;
        s = end;
        if (*s == ',') s++;
        else if (*s) return -1;
    }
    return 0;
}

static int run_weights(tok_glitch *g, const gopts *op, wres *wr)
{
    tok_error err;
    wr->w = tok_weights_open(op->weights, &err);
    if (!wr->w) { fprintf(stderr, "tok analyze glitch: %s\n", err.message); return -1; }
    wr->emb_name = op->tensor ? op->tensor : tok_weights_default_name(wr->w, TOK_MATRIX_EMBED);
    wr->out_name = op->tied ? NULL : op->unembed ? op->unembed : tok_weights_default_name(wr->w, TOK_MATRIX_UNEMBED);
    if (wr->out_name && wr->emb_name && !strcmp(wr->out_name, wr->emb_name)) wr->out_name = NULL;
    if (!wr->emb_name && !wr->out_name) {
        fprintf(stderr, "tok analyze glitch: %s: no embedding tensor found by name; give --tensor (%zu tensors)\n",
                op->weights, tok_weights_count(wr->w));
        return -1;
    }
    if (wr->emb_name && !(wr->emb = tok_weights_matrix(wr->w, wr->emb_name, &err))) {
        fprintf(stderr, "tok analyze glitch: %s\n", err.message);
        return -1;
    }
    if (wr->out_name && !(wr->out = tok_weights_matrix(wr->w, wr->out_name, &err))) {
        fprintf(stderr, "tok analyze glitch: %s\n", err.message);
        return -1;
    }
    tok_glitch_indicator_options io;
    tok_glitch_indicator_options_init(&io);
    int32_t *unused = NULL;
    size_t nu = 0;
    if (op->unused) {
        if (parse_ids(op->unused, &unused, &nu)) {
            free(unused);
            fprintf(stderr, "tok analyze glitch: --unused: not a comma-separated list of ids: %s\n", op->unused);
            return -2;
        }
        io.unused = unused;
        io.n_unused = nu;
    }
    if (op->percentile >= 0) io.percentile = op->percentile;
    wr->ind = tok_glitch_indicators_compute(g, wr->emb ? wr->emb : wr->out, wr->emb ? wr->out : NULL, &io, &err);
    free(unused);
    if (!wr->ind) { fprintf(stderr, "tok analyze glitch: %s\n", err.message); return -1; }
    return 0;
}

static void wres_free(wres *wr)
{
    tok_glitch_indicators_free(wr->ind);
    tok_matrix_free(wr->emb);
    tok_matrix_free(wr->out);
    tok_weights_free(wr->w);
    free(wr->verdict);
    free(wr->maxp);
}

static void print_counts_text(const tok_glitch *g, const tok_tokenizer *t)
{
    const tok_glitch_counts *c = tok_glitch_get_counts(g);
    printf("tokenizer:      %s\n", tok_source(t));
    printf("vocab:          %zu (gpt2-style bytes: %s, guard prefix: %s)\n", c->vocab,
           tok_glitch_gpt2_style(g) ? "yes" : "no", tok_glitch_space_mode(g) == 2 ? "yes (substitute guards: beyond magikarp)" : tok_glitch_space_mode(g) ? "yes" : "no");
    printf("# bytes:        %zu\n# unreachable:  %zu\n# partial utf-8: %zu\n# special:      %zu\n",
           c->bytes, c->unreachable, c->partial_utf8, c->special);
    for (int k = 0; k < TOK_GLITCH_NCATEGORIES; k++)
        if (c->category[k] || k != TOK_GLITCH_MEANINGLESS)
            printf("  %-26s %zu\n", tok_glitch_category_name((tok_glitch_category)k), c->category[k]);
    printf("byte tokens:    ascii %zu, utf8 lead %zu, utf8 continuation %zu, never valid %zu\n",
           c->byte_kind[1], c->byte_kind[2], c->byte_kind[3], c->byte_kind[4]);
    printf("orphans:        %zu BPE tokens no merge chain builds, %zu of them OK only through ignore_merges\n",
           c->orphans, c->orphans_ignore_merges);
}

static void json_token(outbuf *o, const tok_tokenizer *t, const tok_glitch_token *k, const tok_glitch_indicators *ind)
{
    size_t rl;
    const char *raw = tok_token_text(t, k->id, &rl);
    out_str(o, "{\"id\":");
    out_int(o, k->id);
    out_str(o, ",\"category\":\"");
    out_str(o, tok_glitch_category_name((tok_glitch_category)k->category));
    out_str(o, "\",\"raw\":");
    out_json_string(o, raw, rl);
    out_str(o, ",\"decoded\":");
    out_json_string(o, k->decoded, k->decoded_len);
    if (k->byte_value >= 0) {
        out_str(o, ",\"byte\":");
        out_int(o, k->byte_value);
        out_str(o, ",\"byte_kind\":\"");
        out_str(o, tok_glitch_byte_kind_name((tok_glitch_byte_kind)k->byte_kind));
        /* how the vocabulary spells it: a <0xAB> byte-fallback piece, a GGUF/GPT-2
         * byte-level character, or a plain one-character token */
        uint32_t tf = tok_token_flags(t, k->id);
        out_str(o, (tf & TOK_TOKEN_BYTE_FALLBACK) ? "\",\"byte_source\":\"fallback\""
                   : (tf & TOK_TOKEN_BYTE) ? "\",\"byte_source\":\"byte_level\"" : "\",\"byte_source\":\"character\"");
    }
    if (k->flags & TOK_GLITCH_F_SPECIAL_LOOKING) out_str(o, ",\"special_looking\":true");
    if (k->flags & TOK_GLITCH_F_SPECIAL) out_str(o, ",\"special\":true");
    if (k->flags & TOK_GLITCH_F_GUARD_FAILED) out_str(o, ",\"guard_failed\":true");
    if (k->flags & TOK_GLITCH_F_ORPHAN) out_str(o, ",\"orphan\":true");
    if (k->flags & TOK_GLITCH_F_IGNORE_MERGES) out_str(o, ",\"ignore_merges_only\":true");
    if (k->n_reencoded || (k->category != TOK_GLITCH_OK && k->category != TOK_GLITCH_OK_SPECIAL &&
                           k->category != TOK_GLITCH_UNDECODEABLE)) {
        out_str(o, ",\"reencoded_ids\":[");
        for (size_t j = 0; j < k->n_reencoded; j++) {
            if (j) out_char(o, ',');
            out_int(o, k->reencoded[j]);
        }
        out_char(o, ']');
    }
    if (ind && (size_t)k->id < tok_glitch_indicators_rows(ind) && tok_glitch_indicators_count(ind)) {
        char num[64];
        out_str(o, ",\"indicators\":[");
        for (size_t q = 0; q < tok_glitch_indicators_count(ind); q++) {
            if (q) out_char(o, ',');
            snprintf(num, sizeof num, "%.9g", tok_glitch_indicators_values(ind, q)[k->id]);
            out_str(o, num);
        }
        out_char(o, ']');
    }
    if (k->reach != TOK_GLITCH_REACH_UNKNOWN && k->reach != TOK_GLITCH_REACH_ALONE) {
        out_str(o, ",\"reach\":\"");
        out_str(o, tok_glitch_reach_name((tok_glitch_reach)k->reach));
        out_char(o, '"');
        if (k->context >= 0) {
            const char *cx = tok_glitch_contexts()[k->context];
            out_str(o, ",\"context\":");
            out_json_string(o, cx, strlen(cx));
        }
    }
    out_char(o, '}');
}

static void json_weights(outbuf *o, const tok_glitch *g, const wres *wr, const gopts *op);

static void json_sticky(outbuf *o, const tok_glitch *g, const tok_sticky *s, const char *emb_name);

static void print_json(const tok_glitch *g, const tok_tokenizer *t, const gopts *op, const wres *wr,
                       const tok_sticky *sticky, const char *emb_name)
{
    const tok_glitch_counts *c = tok_glitch_get_counts(g);
    outbuf o;
    out_init(&o, stdout);
    out_str(&o, "{\"tokenizer\":");
    out_json_string(&o, tok_source(t), strlen(tok_source(t)));
    out_str(&o, ",\"vocab\":");
    out_int(&o, (long long)c->vocab);
    out_str(&o, ",\"gpt2_style\":");
    out_str(&o, tok_glitch_gpt2_style(g) ? "true" : "false");
    out_str(&o, ",\"guard_prefix\":");
    out_str(&o, tok_glitch_space_mode(g) == 2 ? "\"substitute\"" : tok_glitch_space_mode(g) ? "true" : "false");
    out_str(&o, ",\"counts\":{\"bytes\":");
    out_int(&o, (long long)c->bytes);
    out_str(&o, ",\"unreachable\":");
    out_int(&o, (long long)c->unreachable);
    out_str(&o, ",\"partial_utf8\":");
    out_int(&o, (long long)c->partial_utf8);
    out_str(&o, ",\"special\":");
    out_int(&o, (long long)c->special);
    out_str(&o, "},\"categories\":{");
    for (int k = 0; k < TOK_GLITCH_NCATEGORIES; k++) {
        if (k) out_char(&o, ',');
        out_char(&o, '"');
        out_str(&o, tok_glitch_category_name((tok_glitch_category)k));
        out_str(&o, "\":");
        out_int(&o, (long long)c->category[k]);
    }
    out_str(&o, "},\"byte_kinds\":{");
    for (int k = 1; k < 5; k++) {
        if (k > 1) out_char(&o, ',');
        out_char(&o, '"');
        out_str(&o, tok_glitch_byte_kind_name((tok_glitch_byte_kind)k));
        out_str(&o, "\":");
        out_int(&o, (long long)c->byte_kind[k]);
    }
    out_str(&o, "},\"orphans\":");
    out_int(&o, (long long)c->orphans);
    out_str(&o, ",\"orphans_ignore_merges\":");
    out_int(&o, (long long)c->orphans_ignore_merges);
    if (op->context) {
        out_str(&o, ",\"reach\":{");
        for (int k = 0; k < 5; k++) {
            if (k) out_char(&o, ',');
            out_char(&o, '"');
            out_str(&o, tok_glitch_reach_name((tok_glitch_reach)k));
            out_str(&o, "\":");
            out_int(&o, (long long)c->reach[k]);
        }
        out_char(&o, '}');
    }
    out_str(&o, ",\"tokens\":[");
    int first = 1;
    for (size_t i = 0; i < tok_glitch_size(g); i++) {
        const tok_glitch_token *k = tok_glitch_get(g, (int32_t)i);
        if (!k) continue;
        if (op->problems && !op->all && k->category == TOK_GLITCH_OK && k->byte_value < 0 &&
            !(k->flags & (TOK_GLITCH_F_SPECIAL_LOOKING | TOK_GLITCH_F_ORPHAN)))
            continue;
        if (!first) out_char(&o, ',');
        first = 0;
        out_str(&o, "\n");
        json_token(&o, t, k, wr ? wr->ind : NULL);
    }
    out_char(&o, ']');
    if (wr && wr->ind) json_weights(&o, g, wr, op);
    if (sticky) json_sticky(&o, g, sticky, emb_name);
    out_str(&o, "}\n");
    out_flush(&o);
}

static int write_prompts(tok_glitch *g, const wres *wr, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) { fprintf(stderr, "tok analyze glitch: %s: cannot write\n", path); return -1; }
    int32_t ph = tok_glitch_placeholder(g);
    if (ph < 0) { fclose(f); fprintf(stderr, "tok analyze glitch: no placeholder token for the prompts\n"); return -1; }
    size_t nc;
    const int32_t *cand = tok_glitch_indicators_candidates(wr->ind, &nc, NULL);
    outbuf o;
    out_init(&o, f);
    for (size_t c = 0; c < nc; c++)
        for (int k = 0; k < TOK_GLITCH_NPROMPTS; k++) {
            const int32_t *ids;
            size_t n;
            int enc;
            tok_error err;
            if (tok_glitch_prompt(g, k, ph, cand[c], &ids, &n, &enc, &err)) {
                out_flush(&o);
                fclose(f);
                fprintf(stderr, "tok analyze glitch: %s\n", err.message);
                return -1;
            }
            out_str(&o, "{\"id\":");
            out_int(&o, cand[c]);
            out_str(&o, ",\"prompt\":\"");
            out_str(&o, tok_glitch_prompt_name(k));
            out_str(&o, "\",\"placeholder\":");
            out_int(&o, ph);
            out_str(&o, enc ? ",\"encodeable\":true,\"ids\":[" : ",\"encodeable\":false,\"ids\":[");
            for (size_t i = 0; i < n; i++) {
                if (i) out_char(&o, ',');
                out_int(&o, ids[i]);
            }
            out_str(&o, "]}\n");
        }
    int rc = out_flush(&o);
    if (fclose(f) || rc) { fprintf(stderr, "tok analyze glitch: %s: write failed\n", path); return -1; }
    return 0;
}

/* results of an engine: {"id": N, "prompt": NAME, "max_prob": P} per line */
static int read_verify(tok_glitch *g, wres *wr, const char *path)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text) return -1;
    size_t nc;
    const int32_t *cand = tok_glitch_indicators_candidates(wr->ind, &nc, NULL);
    size_t nv = tok_glitch_size(g);
    long *slot = malloc((nv ? nv : 1) * sizeof *slot);
    wr->maxp = malloc((nc ? nc : 1) * TOK_GLITCH_NPROMPTS * sizeof *wr->maxp);
    wr->verdict = malloc((nc ? nc : 1) * sizeof *wr->verdict);
    if (!slot || !wr->maxp || !wr->verdict) { free(slot); free(text); return -1; }
    for (size_t i = 0; i < nv; i++) slot[i] = -1;
    for (size_t c = 0; c < nc; c++) slot[cand[c]] = (long)c;
    for (size_t i = 0; i < nc * TOK_GLITCH_NPROMPTS; i++) wr->maxp[i] = -1;
    int line = 0, rc = 0;
    for (char *p = text, *nl; p < text + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(text + len - p));
        if (!nl) nl = text + len;
        line++;
        if (nl == p) continue;
        json_error_t je;
        json_t *j = json_loadb(p, (size_t)(nl - p), 0, &je);
        json_t *jid = j ? json_object_get(j, "id") : NULL, *jp = j ? json_object_get(j, "prompt") : NULL,
               *jm = j ? json_object_get(j, "max_prob") : NULL;
        int k = -1;
        if (json_is_string(jp))
            for (int q = 0; q < TOK_GLITCH_NPROMPTS; q++)
                if (!strcmp(json_string_value(jp), tok_glitch_prompt_name(q))) k = q;
        if (!json_is_integer(jid) || k < 0 || !json_is_number(jm) || json_integer_value(jid) < 0 ||
            (size_t)json_integer_value(jid) >= nv || slot[json_integer_value(jid)] < 0) {
            fprintf(stderr, "tok analyze glitch: %s:%d: want {\"id\": candidate id, \"prompt\": name, \"max_prob\": p}\n",
                    path, line);
            json_decref(j);
            rc = -1;
            break;
        }
        double v = json_number_value(jm);
        double *m = &wr->maxp[slot[json_integer_value(jid)] * TOK_GLITCH_NPROMPTS + k];
        if (v > *m) *m = v;
        json_decref(j);
    }
    free(text);
    free(slot);
    if (rc) return rc;
    int32_t ph = tok_glitch_placeholder(g);
    for (size_t c = 0; c < nc; c++) {
        double mp[TOK_GLITCH_NPROMPTS];
        int enc[TOK_GLITCH_NPROMPTS], have = 0;
        for (int k = 0; k < TOK_GLITCH_NPROMPTS; k++) {
            const int32_t *ids;
            size_t n;
            tok_error err;
            mp[have] = wr->maxp[c * TOK_GLITCH_NPROMPTS + k];
            if (mp[have] < 0) continue;
            if (ph < 0 || tok_glitch_prompt(g, k, ph, cand[c], &ids, &n, &enc[have], &err)) enc[have] = 0;
            have++;
        }
        wr->verdict[c] = have ? (int)tok_glitch_verify_classify(mp, enc, have) : -1;
    }
    return 0;
}

static double cand_maxp(const wres *wr, size_t c)
{
    double m = -1;
    for (int k = 0; k < TOK_GLITCH_NPROMPTS; k++)
        if (wr->maxp[c * TOK_GLITCH_NPROMPTS + k] > m) m = wr->maxp[c * TOK_GLITCH_NPROMPTS + k];
    return m;
}

static void print_weights_text(const tok_glitch *g, const wres *wr, const gopts *op, const tok_tokenizer *t)
{
    size_t ni = tok_glitch_indicators_count(wr->ind), nref, nc;
    double thr;
    int iters;
    double var;
    tok_glitch_indicators_reference(wr->ind, &nref);
    const int32_t *cand = tok_glitch_indicators_candidates(wr->ind, &nc, &thr);
    tok_glitch_indicators_pca(wr->ind, &iters, &var);
    printf("weights:        %s\n", op->weights);
    printf("matrices:       E_in %s [%zu x %zu], E_out %s\n", wr->emb_name ? wr->emb_name : "-",
           wr->emb ? tok_matrix_rows(wr->emb) : 0, wr->emb ? tok_matrix_cols(wr->emb) : 0,
           wr->out_name ? wr->out_name : "(tied)");
    printf("reference set:  %zu known-unused rows; first PC after %d power iterations\n", nref, iters);
    printf("indicators:    ");
    for (size_t k = 0; k < ni; k++) printf(" [%s]", tok_glitch_indicators_name(wr->ind, k));
    printf("\nmain indicator: %s; threshold %.6g (%.1f%% of OK tokens): %zu candidates\n",
           ni ? tok_glitch_indicators_name(wr->ind, 0) : "-", thr, op->percentile >= 0 ? op->percentile : 2.0, nc);
    if (wr->verdict) {
        size_t ver = 0, nosb = 0, ver_nosb = 0, n[5] = { 0 };
        for (size_t c = 0; c < nc; c++) {
            const tok_glitch_token *k = tok_glitch_get(g, cand[c]);
            int sb = k->byte_value >= 0 || (k->flags & TOK_GLITCH_F_SPECIAL_LOOKING);
            double m = cand_maxp(wr, c);
            if (wr->verdict[c] >= 0) n[wr->verdict[c]]++;
            if (m >= 0 && m < 0.01) { ver++; if (!sb) ver_nosb++; }
            if (!sb) nosb++;
        }
        printf("verified:       %zu/%zu (max_prob < 0.01), without special/byte tokens %zu/%zu\n", ver, nc, ver_nosb, nosb);
        for (int v = 0; v < 5; v++) printf("  %-29s %zu\n", tok_glitch_verdict_name((tok_glitch_verdict)v), n[v]);
    }
    const float *main = ni ? tok_glitch_indicators_values(wr->ind, 0) : NULL;
    for (size_t c = 0; c < nc && (int)c < op->top; c++) {
        const tok_glitch_token *k = tok_glitch_get(g, cand[c]);
        size_t rl;
        const char *raw = tok_token_text(t, cand[c], &rl);
        printf("  %8d  %10.6g  %.*s\n", (int)cand[c], main[cand[c]], (int)rl, raw);
        (void)k;
    }
}

static void json_weights(outbuf *o, const tok_glitch *g, const wres *wr, const gopts *op)
{
    size_t ni = tok_glitch_indicators_count(wr->ind), nref, nc;
    double thr;
    int iters;
    const int32_t *ref = tok_glitch_indicators_reference(wr->ind, &nref);
    const int32_t *cand = tok_glitch_indicators_candidates(wr->ind, &nc, &thr);
    tok_glitch_indicators_pca(wr->ind, &iters, NULL);
    out_str(o, ",\"weights\":{\"file\":");
    out_json_string(o, op->weights, strlen(op->weights));
    out_str(o, ",\"embedding\":");
    if (wr->emb_name) out_json_string(o, wr->emb_name, strlen(wr->emb_name)); else out_str(o, "null");
    out_str(o, ",\"unembedding\":");
    if (wr->out_name) out_json_string(o, wr->out_name, strlen(wr->out_name)); else out_str(o, "null");
    out_str(o, ",\"tied\":");
    out_str(o, wr->out ? "false" : "true");
    out_str(o, ",\"pca_iterations\":");
    out_int(o, iters);
    out_str(o, ",\"indicators\":[");
    for (size_t k = 0; k < ni; k++) {
        if (k) out_char(o, ',');
        const char *nm = tok_glitch_indicators_name(wr->ind, k);
        out_json_string(o, nm, strlen(nm));
    }
    char num[64];
    snprintf(num, sizeof num, "%.9g", thr);
    out_str(o, "],\"threshold\":");
    out_str(o, num);
    out_str(o, ",\"reference\":[");
    for (size_t i = 0; i < nref; i++) {
        if (i) out_char(o, ',');
        out_int(o, ref[i]);
    }
    out_str(o, "],\"candidates\":[");
    for (size_t c = 0; c < nc; c++) {
        if (c) out_char(o, ',');
        out_str(o, "\n{\"id\":");
        out_int(o, cand[c]);
        const tok_glitch_token *k = tok_glitch_get(g, cand[c]);
        out_str(o, ",\"decoded\":");
        out_json_string(o, k->decoded, k->decoded_len);
        out_str(o, ",\"indicators\":[");
        for (size_t q = 0; q < ni; q++) {
            if (q) out_char(o, ',');
            snprintf(num, sizeof num, "%.9g", tok_glitch_indicators_values(wr->ind, q)[cand[c]]);
            out_str(o, num);
        }
        out_char(o, ']');
        if (wr->verdict && wr->verdict[c] >= 0) {
            snprintf(num, sizeof num, "%.9g", cand_maxp(wr, c));
            out_str(o, ",\"max_prob\":");
            out_str(o, num);
            out_str(o, ",\"verdict\":\"");
            out_str(o, tok_glitch_verdict_name((tok_glitch_verdict)wr->verdict[c]));
            out_char(o, '"');
        }
        out_char(o, '}');
    }
    out_str(o, "]}");
}

/* ---- sticky tokens ------------------------------------------------------- */

/* --embed-cmd: one JSON array of texts per line out, one array of vectors back */
typedef struct cmd_emb {
    pid_t pid;
    FILE *to, *from;
    size_t dim;
    char *line;
    size_t cap;
    const char *cmd;
} cmd_emb;

static int cmd_fn(void *user, const char *const *texts, const size_t *lens, size_t n, float *out, char *msg)
{
    cmd_emb *c = user;
    json_t *arr = json_array();
    for (size_t i = 0; i < n && arr; i++)
        if (json_array_append_new(arr, json_stringn_nocheck(texts[i], lens[i]))) { json_decref(arr); arr = NULL; }
    if (!arr || json_dumpf(arr, c->to, JSON_COMPACT | JSON_ENSURE_ASCII) || fputc('\n', c->to) == EOF || fflush(c->to)) {
        json_decref(arr);
        snprintf(msg, 256, "%s: cannot write to the command", c->cmd);
        return -1;
    }
    json_decref(arr);
    ssize_t got = getline(&c->line, &c->cap, c->from);
    if (got <= 0) { snprintf(msg, 256, "%s: no answer (the command ended?)", c->cmd); return -1; }
    json_error_t je;
    json_t *v = json_loadb(c->line, (size_t)got, 0, &je);
    int rc = 0;
    if (!json_is_array(v) || json_array_size(v) != n) {
        snprintf(msg, 256, "%s: answer is not an array of %zu vectors (%s)", c->cmd, n, v ? "wrong length" : je.text);
        rc = -1;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *row = json_array_get(v, i);
        if (!c->dim && json_is_array(row)) c->dim = json_array_size(row);
        if (!json_is_array(row) || json_array_size(row) != c->dim || !c->dim) {
            snprintf(msg, 256, "%s: vector %zu has %zu numbers, want %zu", c->cmd, i,
                     json_is_array(row) ? json_array_size(row) : 0, c->dim);
            rc = -1;
            break;
        }
        if (out)
            for (size_t j = 0; j < c->dim; j++) {
                json_t *x = json_array_get(row, j);
                if (!json_is_number(x)) { snprintf(msg, 256, "%s: vector %zu: not a number", c->cmd, i); rc = -1; break; }
                out[i * c->dim + j] = (float)json_number_value(x);
            }
    }
    json_decref(v);
    return rc;
}

static int cmd_start(cmd_emb *c, const char *cmd)
{
    int in[2], outp[2];
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    if (pipe(in) || pipe(outp)) return -1;
    c->pid = fork();
    if (c->pid < 0) return -1;
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        close(in[0]); close(in[1]); close(outp[0]); close(outp[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    /* a command that ends without reading (or fails to start) must give an
     * error from the write, not kill tok by SIGPIPE without a word */
    signal(SIGPIPE, SIG_IGN);
    c->to = fdopen(in[1], "w");
    c->from = fdopen(outp[0], "r");
    if (!c->to || !c->from) return -1;
    /* learn the dimension from one probe text */
    const char *probe = "dimension probe";
    size_t pl = strlen(probe);
    char msg[256];
    if (cmd_fn(c, &probe, &pl, 1, NULL, msg)) { fprintf(stderr, "tok analyze glitch: --embed-cmd %s\n", msg); return -2; }
    return 0;
}

static void cmd_stop(cmd_emb *c)
{
    if (c->to) fclose(c->to);
    if (c->from) fclose(c->from);
    if (c->pid > 0) waitpid(c->pid, NULL, 0);
    free(c->line);
}

static tok_sticky *run_sticky(tok_glitch *g, const tok_tokenizer *t, const gopts *op, const wres *wr,
                              const char **emb_name)
{
    size_t len;
    char *text = read_all(op->sticky, &len);
    if (!text) return NULL;
    size_t n = 0, cap = 1024;
    const char **lines = malloc(cap * sizeof *lines);
    size_t *lens = malloc(cap * sizeof *lens);
    for (char *p = text, *nl; lines && lens && p < text + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(text + len - p));
        if (!nl) nl = text + len;
        if (n == cap) {
            cap *= 2;
            const char **l2 = realloc(lines, cap * sizeof *l2);
            size_t *s2 = realloc(lens, cap * sizeof *s2);
            if (l2) lines = l2;
            if (s2) lens = s2;
            if (!l2 || !s2) break;
        }
        lines[n] = p;
        lens[n++] = (size_t)(nl - p);
    }
    tok_sticky_embedder emb;
    cmd_emb ce;
    tok_error err;
    tok_sticky *s = NULL;
    int have = 0;
    memset(&ce, 0, sizeof ce);
    if (op->embed_cmd) {
        int r = cmd_start(&ce, op->embed_cmd);
        if (r == -1) fprintf(stderr, "tok analyze glitch: --embed-cmd: cannot start %s\n", op->embed_cmd);
        if (!r) {
            emb.fn = cmd_fn;
            emb.user = &ce;
            emb.dim = ce.dim;
            emb.name = op->embed_cmd;
            *emb_name = "command";
            have = 1;
        }
    } else {
        const tok_matrix *m = wr->emb ? wr->emb : wr->out;
        if (!m) fprintf(stderr, "tok analyze glitch: the static embedder needs an input embedding in --weights\n");
        else if (tok_sticky_static_embedder(t, m, &emb, &err)) fprintf(stderr, "tok analyze glitch: %s\n", err.message);
        else { have = 1; *emb_name = emb.name; }
    }
    if (have && lines && lens) {
        tok_sticky_options so;
        tok_sticky_options_init(&so);
        if (op->sticky_sample > 0) so.sample = (size_t)op->sticky_sample;
        if (op->sticky_pairs > 0) so.pairs = (int)op->sticky_pairs;
        if (op->verify_pairs > 0) so.verify_pairs = (int)op->verify_pairs;
        if (op->embed_cmd) so.batch = 8192; /* few round trips to the command */
        s = tok_sticky_run(g, lines, lens, n, &emb, &so, &err);
        if (!s) fprintf(stderr, "tok analyze glitch: %s\n", err.message);
    }
    if (op->embed_cmd) cmd_stop(&ce);
    else if (have) tok_sticky_static_free(emb.user);
    if (op->embed_cmd && *emb_name) *emb_name = op->embed_cmd;
    free(lines);
    free(lens);
    free(text);
    return s;
}

static void print_sticky_text(const tok_glitch *g, const tok_tokenizer *t, const tok_sticky *s, const char *emb_name)
{
    size_t nt, nc, np, nv;
    double thr, mean;
    tok_sticky_tokens(s, &nt);
    const tok_sticky_token *tk = tok_sticky_tokens(s, &nt);
    const size_t *cand = tok_sticky_candidates(s, &nc, &thr);
    tok_sticky_stats(s, &mean, &np, &nv);
    printf("sticky tokens:  embedder %s\n", emb_name);
    printf("                vocabulary mean similarity %.6f; %zu scoring pairs, %zu verification pairs\n", mean, np, nv);
    printf("                %zu OK tokens scored; top 2%% at cosine score >= %.6f: %zu candidates\n", nt, thr, nc);
    size_t nver[3] = { 0 };
    for (size_t c = 0; c < nc; c++)
        if (tk[cand[c]].verdict >= 0) nver[tk[cand[c]].verdict]++;
    printf("                strong_verified %zu, weak_verified %zu, strong_rejected %zu\n", nver[0], nver[1], nver[2]);
    for (size_t c = 0; c < nc && c < 20; c++) {
        size_t rl;
        const char *raw = tok_token_text(t, tk[cand[c]].id, &rl);
        printf("  %8d  %10.6f  %-15s  %.*s\n", (int)tk[cand[c]].id, tk[cand[c]].score[0],
               tok_sticky_verdict_name(tk[cand[c]].verdict), (int)rl, raw);
    }
    (void)g;
}

static void json_sticky(outbuf *o, const tok_glitch *g, const tok_sticky *s, const char *emb_name)
{
    size_t nt, nc, np, nv;
    double thr, mean;
    const tok_sticky_token *tk = tok_sticky_tokens(s, &nt);
    const size_t *cand = tok_sticky_candidates(s, &nc, &thr);
    tok_sticky_stats(s, &mean, &np, &nv);
    char num[64];
    out_str(o, ",\"sticky\":{\"embedder\":");
    out_json_string(o, emb_name, strlen(emb_name));
    snprintf(num, sizeof num, "%.9g", mean);
    out_str(o, ",\"mean_similarity\":");
    out_str(o, num);
    out_str(o, ",\"pairs\":");
    out_int(o, (long long)np);
    out_str(o, ",\"verify_pairs\":");
    out_int(o, (long long)nv);
    out_str(o, ",\"scored\":");
    out_int(o, (long long)nt);
    snprintf(num, sizeof num, "%.9g", thr);
    out_str(o, ",\"threshold\":");
    out_str(o, num);
    out_str(o, ",\"candidates\":[");
    for (size_t c = 0; c < nc; c++) {
        const tok_sticky_token *k = &tk[cand[c]];
        const tok_glitch_token *gt = tok_glitch_get(g, k->id);
        if (c) out_char(o, ',');
        out_str(o, "\n{\"id\":");
        out_int(o, k->id);
        out_str(o, ",\"decoded\":");
        out_json_string(o, gt->decoded, gt->decoded_len);
        snprintf(num, sizeof num, ",\"scores\":[%.6f,%.6f,%.6f]", k->score[0], k->score[1], k->score[2]);
        out_str(o, num);
        snprintf(num, sizeof num, ",\"verification\":[%.6f,%.6f,%.6f]", k->verify[0], k->verify[1], k->verify[2]);
        out_str(o, num);
        out_str(o, ",\"verdict\":\"");
        out_str(o, tok_sticky_verdict_name(k->verdict));
        out_str(o, "\"}");
    }
    out_str(o, "]}");
}

int analyze_glitch(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    gopts op = { 0 };
    op.percentile = -1;
    op.top = 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(glitch_help, stdout); return EXIT_OK; }
        else if (!strcmp(a, "--json")) op.json = true;
        else if (!strcmp(a, "--all")) op.all = true;
        else if (!strcmp(a, "--problems")) op.problems = true;
        else if (!strcmp(a, "--meaningless")) op.meaningless = true;
        else if (!strcmp(a, "--context")) op.context = true;
        else if (!strcmp(a, "--tied")) op.tied = true;
        else if ((v = opt_value(argc, argv, &i, "--weights"))) op.weights = v;
        else if ((v = opt_value(argc, argv, &i, "--tensor"))) op.tensor = v;
        else if ((v = opt_value(argc, argv, &i, "--unembed"))) op.unembed = v;
        else if ((v = opt_value(argc, argv, &i, "--unused"))) op.unused = v;
        else if ((v = opt_value(argc, argv, &i, "--prompts"))) op.prompts = v;
        else if ((v = opt_value(argc, argv, &i, "--verify"))) op.verify = v;
        else if ((v = opt_value(argc, argv, &i, "--percentile"))) {
            char *end;
            op.percentile = strtod(v, &end);
            if (*end || op.percentile < 0 || op.percentile > 100) {
                usage_error("analyze glitch", "--percentile wants a number in [0, 100]");
                return EXIT_USAGE;
            }
        } else if ((v = opt_value(argc, argv, &i, "--top"))) op.top = atoi(v);
        else if ((v = opt_value(argc, argv, &i, "--sticky"))) op.sticky = v;
        else if ((v = opt_value(argc, argv, &i, "--embed-cmd"))) op.embed_cmd = v;
        else if ((v = opt_value(argc, argv, &i, "--sticky-sample"))) op.sticky_sample = atol(v);
        else if ((v = opt_value(argc, argv, &i, "--sticky-pairs"))) op.sticky_pairs = atol(v);
        else if ((v = opt_value(argc, argv, &i, "--verify-pairs"))) op.verify_pairs = atol(v);
        else { usage_error("analyze glitch", "unknown option %s", a); return EXIT_USAGE; }
    }
    if (!to.name) { usage_error("analyze glitch", "a tokenizer is required (-t)"); return EXIT_USAGE; }
    if (op.sticky && !op.weights && !op.embed_cmd) {
        usage_error("analyze glitch", "--sticky needs an embedder: --weights (static) or --embed-cmd");
        return EXIT_USAGE;
    }
    if ((op.prompts || op.verify || op.tensor || op.unembed || op.unused || op.tied) && !op.weights) {
        usage_error("analyze glitch", "--tensor, --unembed, --tied, --unused, --prompts and --verify need --weights");
        return EXIT_USAGE;
    }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) return EXIT_RUNTIME;
    tok_glitch_options go;
    tok_glitch_options_init(&go);
    go.meaningless = op.meaningless;
    tok_error err;
    tok_glitch *g = tok_glitch_analyze(t, &go, &err);
    if (!g) {
        fprintf(stderr, "tok analyze glitch: %s\n", err.message);
        tok_free(t);
        return EXIT_RUNTIME;
    }
    if (tok_glitch_orphans(g, &err)) {
        fprintf(stderr, "tok analyze glitch: %s\n", err.message);
        tok_glitch_free(g);
        tok_free(t);
        return EXIT_RUNTIME;
    }
    if (op.context && tok_glitch_context(g, &err)) {
        fprintf(stderr, "tok analyze glitch: %s\n", err.message);
        tok_glitch_free(g);
        tok_free(t);
        return EXIT_RUNTIME;
    }
    wres wr = { 0 };
    int rc = EXIT_OK;
    if (op.weights) {
        int r = run_weights(g, &op, &wr);
        if (r) rc = r == -2 ? EXIT_USAGE : EXIT_RUNTIME;
        else if (op.prompts && write_prompts(g, &wr, op.prompts)) rc = EXIT_RUNTIME;
        else if (op.verify && read_verify(g, &wr, op.verify)) rc = EXIT_RUNTIME;
    }
    tok_sticky *sticky = NULL;
    const char *emb_name = NULL;
    if (rc == EXIT_OK && op.sticky) {
        sticky = run_sticky(g, t, &op, &wr, &emb_name);
        if (!sticky) rc = EXIT_RUNTIME;
    }
    if (rc == EXIT_OK) {
        if (op.json) print_json(g, t, &op, op.weights ? &wr : NULL, sticky, emb_name);
        else {
            print_counts_text(g, t);
            if (op.weights) print_weights_text(g, &wr, &op, t);
            if (sticky) print_sticky_text(g, t, sticky, emb_name);
        }
    }
    tok_sticky_free(sticky);
    wres_free(&wr);
    tok_glitch_free(g);
    tok_free(t);
    return rc;
}
