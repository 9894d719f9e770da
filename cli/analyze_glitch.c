/*
 * tok analyze glitch: token health (issue 13).  Magikarp's categories from
 * the tokenizer alone; with --weights, its under-training indicators and
 * verification candidates; sticky tokens with --sticky.  Printing only: the
 * work is in analyzers/glitch and analyzers/weights.
 */
#include "cli.h"
#include "analyzers/glitch/tok_glitch.h"

#include <stdlib.h>
#include <string.h>

static const char glitch_help[] =
    "Usage: tok analyze glitch -t TOKENIZER [options]\n"
    "Under-trained (glitch) token analysis after Land & Bartolo 2024 (magikarp).\n"
    "\n"
    "  -t, --tokenizer T   tokenizer (file, directory or built-in name)\n"
    "  --json              one JSON object: counts, per-token categories (and indicators)\n"
    "  --all               --json: list every token, not only the not-OK ones\n"
    "  --meaningless       StickyToken's MEANINGLESS category (whitespace-only decode) first\n"
    "  --context           search whether unreachable tokens come back after a preceding\n"
    "                      context text (reach: alone, context, added_text, never)\n"
    "  -h, --help          this help\n"
    "\n"
    "Counts as magikarp's results/summary.md: bytes (single-byte tokens), unreachable\n"
    "and partial utf-8 (both without byte and special-looking tokens), special\n"
    "(special-looking [..]/<..> tokens).\n";

typedef struct gopts {
    bool json, all, meaningless, context;
} gopts;

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
}

static void json_token(outbuf *o, const tok_tokenizer *t, const tok_glitch_token *k)
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
        out_char(o, '"');
    }
    if (k->flags & TOK_GLITCH_F_SPECIAL_LOOKING) out_str(o, ",\"special_looking\":true");
    if (k->flags & TOK_GLITCH_F_SPECIAL) out_str(o, ",\"special\":true");
    if (k->flags & TOK_GLITCH_F_GUARD_FAILED) out_str(o, ",\"guard_failed\":true");
    if (k->n_reencoded || (k->category != TOK_GLITCH_OK && k->category != TOK_GLITCH_OK_SPECIAL &&
                           k->category != TOK_GLITCH_UNDECODEABLE)) {
        out_str(o, ",\"reencoded_ids\":[");
        for (size_t j = 0; j < k->n_reencoded; j++) {
            if (j) out_char(o, ',');
            out_int(o, k->reencoded[j]);
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

static void print_json(const tok_glitch *g, const tok_tokenizer *t, const gopts *op)
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
    out_char(&o, '}');
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
        if (!op->all && k->category == TOK_GLITCH_OK && k->byte_value < 0 &&
            !(k->flags & TOK_GLITCH_F_SPECIAL_LOOKING))
            continue;
        if (!first) out_char(&o, ',');
        first = 0;
        out_str(&o, "\n");
        json_token(&o, t, k);
    }
    out_str(&o, "]}\n");
    out_flush(&o);
}

int analyze_glitch(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    gopts op = { 0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(glitch_help, stdout); return EXIT_OK; }
        else if (!strcmp(a, "--json")) op.json = true;
        else if (!strcmp(a, "--all")) op.all = true;
        else if (!strcmp(a, "--meaningless")) op.meaningless = true;
        else if (!strcmp(a, "--context")) op.context = true;
        else { usage_error("analyze glitch", "unknown option %s", a); return EXIT_USAGE; }
    }
    if (!to.name) { usage_error("analyze glitch", "a tokenizer is required (-t)"); return EXIT_USAGE; }
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
    if (op.context && tok_glitch_context(g, &err)) {
        fprintf(stderr, "tok analyze glitch: %s\n", err.message);
        tok_glitch_free(g);
        tok_free(t);
        return EXIT_RUNTIME;
    }
    if (op.json) print_json(g, t, &op);
    else print_counts_text(g, t);
    tok_glitch_free(g);
    tok_free(t);
    return EXIT_OK;
}
