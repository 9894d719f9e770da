/* tok decode: ids -> text. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char decode_help[] =
    "Usage: tok decode -t TOKENIZER [options] [ID ...]\n"
    "Decode ids given as arguments, or read from standard input (separated by\n"
    "spaces, commas or newlines), and print the text exactly, with no newline added.\n"
    "\n"
    "  -t, --tokenizer T   tokenizer file, directory holding one, or built-in name\n"
    "  --lines             each input line is one sequence; print one line of text per line\n"
    "  --skip-special      leave out special tokens\n"
    "  -h, --help          this help\n";

/* Parse ids from s[0..n); returns count or -1 (message printed). */
static long parse_ids(const char *s, size_t n, int32_t **ids, size_t *cap, const char *where)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r' || c == '[' || c == ']') { i++; continue; }
        if (c < '0' || c > '9') {
            fprintf(stderr, "tok decode: %s: byte %zu: expected a token id, found '%c'\n", where, i, c);
            return -1;
        }
        long long v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (s[i] - '0');
            if (v > 0x7FFFFFFF) {
                fprintf(stderr, "tok decode: %s: byte %zu: id too large\n", where, i);
                return -1;
            }
            i++;
        }
        if (k == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            int32_t *nv = realloc(*ids, *cap * sizeof **ids);
            if (!nv) {
                fprintf(stderr, "tok decode: out of memory\n");
                return -1;
            }
            *ids = nv;
        }
        (*ids)[k++] = (int32_t)v;
    }
    return (long)k;
}

int cmd_decode(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    bool lines = false;
    uint32_t flags = 0;
    char *argids = NULL;
    size_t argn = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("decode", "bad or missing value for %s", a); free(argids); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(decode_help, stdout); free(argids); return EXIT_OK; }
        if (!strcmp(a, "--lines")) lines = true;
        else if (!strcmp(a, "--skip-special")) flags |= TOK_DEC_SKIP_SPECIAL;
        else if (a[0] == '-' && a[1]) { usage_error("decode", "unknown option %s", a); free(argids); return EXIT_USAGE; }
        else {
            size_t l = strlen(a);
            char *nb = realloc(argids, argn + l + 2);
            if (!nb) { free(argids); return EXIT_RUNTIME; }
            argids = nb;
            memcpy(argids + argn, a, l);
            argn += l;
            argids[argn++] = ' ';
            argids[argn] = 0;
        }
    }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) { free(argids); return EXIT_RUNTIME; }
    tok_ctx *ctx = tok_ctx_new(t);
    int rc = EXIT_OK;
    int32_t *ids = NULL;
    size_t cap = 0;
    outbuf o;
    out_init(&o, stdout);
    if (argids || !lines) {
        /* ids as arguments, or all of stdin as one sequence */
        size_t len = argn;
        char *in = argids;
        if (!in && !(in = read_all(NULL, &len))) rc = EXIT_RUNTIME;
        long n = rc ? -1 : parse_ids(in, len, &ids, &cap, argids ? "arguments" : "stdin");
        const char *text;
        size_t tl;
        if (n < 0) rc = EXIT_RUNTIME;
        else if (tok_decode(ctx, ids, (size_t)n, flags, &text, &tl)) {
            fprintf(stderr, "tok decode: %s\n", tok_ctx_error(ctx));
            rc = EXIT_RUNTIME;
        } else {
            out_put(&o, text, tl);
            if (lines) out_char(&o, '\n');
        }
        free(in);
    } else {
        /* --lines on stdin: each line answered as it arrives, bounded memory */
        reader r;
        if (reader_open(&r, "-")) rc = EXIT_RUNTIME;
        size_t line = 1;
        while (rc == EXIT_OK) {
            if (reader_fill(&r)) { rc = EXIT_RUNTIME; break; }
            for (;;) {
                const char *p = r.buf + r.pos, *end = r.buf + r.len;
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                if (!nl && !(r.eof && p < end)) break;
                const char *le = nl ? nl : end;
                char where[64];
                snprintf(where, sizeof where, "stdin:%zu", line);
                long n = parse_ids(p, (size_t)(le - p), &ids, &cap, where);
                const char *text;
                size_t tl;
                if (n < 0) { rc = EXIT_RUNTIME; break; }
                if (tok_decode(ctx, ids, (size_t)n, flags, &text, &tl)) {
                    fprintf(stderr, "tok decode: %s: %s\n", where, tok_ctx_error(ctx));
                    rc = EXIT_RUNTIME;
                    break;
                }
                out_put(&o, text, tl);
                out_char(&o, '\n');
                r.pos = (size_t)(le - r.buf) + (nl ? 1 : 0);
                line++;
            }
            if (r.eof) break;
            out_flush_keep(&o);
        }
        reader_close(&r);
    }
    if (out_flush(&o)) rc = EXIT_RUNTIME;
    free(ids);
    tok_ctx_free(ctx);
    tok_free(t);
    return rc;
}
