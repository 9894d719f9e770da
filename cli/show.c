/* tok show: a tokenization made visible — token boundaries marked in the
 * text (colours on a terminal, brackets otherwise), or as an HTML page. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char show_help[] =
    "Usage: tok show -t TOKENIZER [options] [TEXT | FILE ...]\n"
    "Show how the text is cut into tokens: each token's stretch of the text in\n"
    "alternating colours on a terminal, in [brackets] otherwise.  Where several\n"
    "tokens share one stretch (a character split into byte tokens) the stretch is\n"
    "shown once with the number of tokens, e.g. [é]x2.  Special tokens the\n"
    "post-processor adds are shown as <name>.  A last line counts tokens.\n"
    "\n"
    "  --text STRING     the text (also: a TEXT argument that names no file)\n"
    "  --ids             add each token's id after it: [Hello|9906]\n"
    "  --color, --no-color  force colours on or off (default: on for a terminal)\n"
    "  --html FILE       write a self-contained HTML page instead (hover: id, token)\n"
    "  --no-special      do not add special tokens\n"
    "  -h, --help        this help\n";

typedef struct group {
    uint32_t start, end;  /* byte range in the text */
    size_t first, n;      /* tokens */
    bool special;
} group;

/* Tokens -> stretches of text: tokens that share a stretch are one group. */
static size_t make_groups(const tok_encoding *e, group *g)
{
    size_t ng = 0;
    for (size_t i = 0; i < e->n; i++) {
        bool sp = e->special[i] || e->offsets[i].start == e->offsets[i].end;
        if (!sp && ng && !g[ng - 1].special && e->offsets[i].start < g[ng - 1].end) {
            if (e->offsets[i].end > g[ng - 1].end) g[ng - 1].end = e->offsets[i].end;
            g[ng - 1].n++;
            continue;
        }
        g[ng++] = (group){ e->offsets[i].start, e->offsets[i].end, i, 1, sp };
    }
    return ng;
}

static void put_visible(outbuf *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') out_str(o, "\xe2\x86\xb5\n"); /* ↵ then the line break */
        else if (s[i] == '\t') out_str(o, "\xe2\x87\xa5");
        else if (s[i] == '\r') out_str(o, "\xe2\x90\x8d");
        else out_char(o, s[i]);
    }
}

static void html_escape(outbuf *o, const char *s, size_t n, bool breaks)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '<') out_str(o, "&lt;");
        else if (c == '>') out_str(o, "&gt;");
        else if (c == '&') out_str(o, "&amp;");
        else if (c == '"') out_str(o, "&quot;");
        else if (c == '\n' && breaks) out_str(o, "\xe2\x86\xb5\n");
        else out_char(o, c);
    }
}

static void show_text(outbuf *o, const tok_tokenizer *t, const char *text, const tok_encoding *e,
                      const group *g, size_t ng, bool color, bool ids)
{
    static const char *const bg[] = { "\x1b[48;5;153m", "\x1b[48;5;223m", "\x1b[48;5;194m",
                                      "\x1b[48;5;225m", "\x1b[48;5;230m", "\x1b[48;5;189m" };
    uint32_t at = 0;
    for (size_t k = 0; k < ng; k++) {
        const group *x = &g[k];
        if (!x->special && x->start > at) put_visible(o, text + at, x->start - at); /* text no token covers */
        if (color) out_str(o, x->special ? "\x1b[1;35m" : bg[k % 6]);
        else out_char(o, '[');
        if (x->special) {
            size_t l;
            const char *s = tok_token_text(t, e->ids[x->first], &l);
            out_put(o, s, l);
        } else put_visible(o, text + x->start, x->end - x->start);
        if (color) out_str(o, "\x1b[0m");
        if (x->n > 1) {
            out_str(o, color ? "\x1b[2m\xc3\x97" : "]x");
            out_int(o, (long long)x->n);
            if (color) out_str(o, "\x1b[0m");
        } else if (!color) out_char(o, ']');
        if (ids) {
            out_str(o, color ? "\x1b[2m" : "|");
            for (size_t i = 0; i < x->n; i++) {
                if (i) out_char(o, ',');
                out_int(o, e->ids[x->first + i]);
            }
            if (color) out_str(o, "\x1b[0m");
        }
        if (!x->special && x->end > at) at = x->end;
    }
    out_char(o, '\n');
}

static void show_html(outbuf *o, const tok_tokenizer *t, const char *text, const tok_encoding *e,
                      const group *g, size_t ng)
{
    static const char *const bg[] = { "#cfe3ff", "#ffe0c2", "#d4f5d4", "#ffd6f0", "#fff5c2", "#e0dcff" };
    uint32_t at = 0;
    out_str(o, "<div class=\"tok\">");
    for (size_t k = 0; k < ng; k++) {
        const group *x = &g[k];
        if (!x->special && x->start > at) html_escape(o, text + at, x->start - at, true);
        out_str(o, "<span style=\"background:");
        out_str(o, x->special ? "#e9d5ff" : bg[k % 6]);
        out_str(o, "\" title=\"");
        for (size_t i = 0; i < x->n; i++) {
            size_t l;
            const char *s = tok_token_text(t, e->ids[x->first + i], &l);
            if (i) out_str(o, " + ");
            out_str(o, "id ");
            out_int(o, e->ids[x->first + i]);
            out_str(o, ": ");
            html_escape(o, s, l, false);
        }
        out_str(o, "\">");
        if (x->special) {
            size_t l;
            const char *s = tok_token_text(t, e->ids[x->first], &l);
            html_escape(o, s, l, false);
        } else html_escape(o, text + x->start, x->end - x->start, true);
        if (x->n > 1) {
            out_str(o, "<sub>\xc3\x97");
            out_int(o, (long long)x->n);
            out_str(o, "</sub>");
        }
        out_str(o, "</span>");
        if (!x->special && x->end > at) at = x->end;
    }
    out_str(o, "</div>\n");
}

int cmd_show(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *html = NULL;
    int color = -1;
    bool ids = false;
    uint32_t flags = TOK_ENC_ADD_SPECIAL | TOK_ENC_OFFSETS;
    const char **args = calloc((size_t)argc + 1, sizeof *args);
    size_t nargs = 0;
    if (!args) return EXIT_RUNTIME;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("show", "bad or missing value for %s", a); free(args); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(show_help, stdout); free(args); return EXIT_OK; }
        if (!strcmp(a, "--ids")) ids = true;
        else if (!strcmp(a, "--color")) color = 1;
        else if (!strcmp(a, "--no-color")) color = 0;
        else if (!strcmp(a, "--no-special")) flags &= ~TOK_ENC_ADD_SPECIAL;
        else if ((v = opt_value(argc, argv, &i, "--html"))) html = v;
        else if ((v = opt_value(argc, argv, &i, "--text"))) args[nargs++] = v;
        else if (a[0] == '-' && a[1]) { usage_error("show", "unknown option %s", a); free(args); return EXIT_USAGE; }
        else args[nargs++] = a;
    }
    if (color < 0) color = isatty(1) && !html;
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) { free(args); return EXIT_RUNTIME; }
    tok_ctx *ctx = tok_ctx_new(t);
    FILE *hf = NULL;
    if (html && !(hf = fopen(html, "w"))) {
        fprintf(stderr, "tok show: %s: cannot write\n", html);
        tok_ctx_free(ctx);
        tok_free(t);
        free(args);
        return EXIT_RUNTIME;
    }
    outbuf o;
    out_init(&o, hf ? hf : stdout);
    if (hf) {
        out_str(&o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tok show: ");
        out_str(&o, tok_source(t));
        out_str(&o, "</title><style>body{font-family:sans-serif;margin:2em;max-width:70em}"
                    ".tok{font-family:monospace;font-size:15px;line-height:1.9;white-space:pre-wrap;"
                    "border:1px solid #ddd;padding:1em;margin:1em 0}.tok span{border-radius:3px;"
                    "padding:1px 0;margin-right:1px}.tok sub{color:#666}p.n{color:#444}</style></head><body>\n");
        out_str(&o, "<h1>Tokens of ");
        html_escape(&o, tok_source(t), strlen(tok_source(t)), false);
        out_str(&o, "</h1>\n");
    }
    int rc = EXIT_OK;
    if (nargs == 0) args[nargs++] = "-";
    for (size_t f = 0; f < nargs && rc == EXIT_OK; f++) {
        size_t len;
        char *text;
        if (!strcmp(args[f], "-") || !access(args[f], R_OK)) {
            if (!(text = read_all(args[f], &len))) { rc = EXIT_RUNTIME; break; }
        } else {
            len = strlen(args[f]);
            text = malloc(len + 1);
            if (text) memcpy(text, args[f], len + 1);
        }
        tok_encode_options opt;
        tok_encode_options_init(&opt);
        opt.flags = flags;
        tok_encoding e;
        group *g = NULL;
        if (!text || tok_encode(ctx, text, len, &opt, &e)) {
            fprintf(stderr, "tok show: %s\n", text ? tok_ctx_error(ctx) : "out of memory");
            rc = EXIT_RUNTIME;
        } else if (!(g = malloc((e.n + 1) * sizeof *g))) {
            rc = EXIT_RUNTIME;
        } else {
            size_t ng = make_groups(&e, g);
            if (hf) show_html(&o, t, text, &e, g, ng);
            else show_text(&o, t, text, &e, g, ng, color, ids);
            char line[128];
            snprintf(line, sizeof line, "%zu tokens, %zu bytes, %.2f bytes/token", e.n, len, e.n ? (double)len / (double)e.n : 0.0);
            if (hf) { out_str(&o, "<p class=\"n\">"); out_str(&o, line); out_str(&o, "</p>\n"); }
            else { if (color) out_str(&o, "\x1b[2m"); out_str(&o, line); if (color) out_str(&o, "\x1b[0m"); out_char(&o, '\n'); }
        }
        free(g);
        free(text);
    }
    if (hf) out_str(&o, "</body></html>\n");
    if (out_flush(&o)) rc = EXIT_RUNTIME;
    if (hf && fclose(hf)) rc = EXIT_RUNTIME;
    tok_ctx_free(ctx);
    tok_free(t);
    free(args);
    return rc;
}
