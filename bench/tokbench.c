/*
 * tokbench: time libtok on one text through the public API.
 *   tokbench -t TOKENIZER FILE [--threads N] [--wall] [--repeat R] [--method M] [--ids OUT] [--offsets] [--lines]
 * Prints one JSON line with three timings of the whole encode call, each the
 * best of R (--repeat, 3):
 *   cold    the first encode on a fresh context (nothing cached);
 *   primed  a fresh context encodes the first half (up to a line break), then
 *           the unseen second half is timed (text of the same kind, new words);
 *   warm    the same text again on the context of the cold run;
 * and the load time and peak RSS.  With --ids, writes the ids of the cold
 * run (space separated) for comparison with the references.  With --lines,
 * each line (without its newline) is encoded on its own, as spm_encode does,
 * and --ids writes one line of ids per line of text.
 */
#include <libtok/tok.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "benchutil.h"

static int threads = 1, wall = 0, lines = 0;
static FILE *idsf; /* --lines: ids of the run being written, line by line */
static double now(void) { return bench_clock(threads > 1 || wall); }

static tok_tokenizer *tk;
static tok_encode_options opt;

static void encode(tok_ctx *c, const char *s, size_t n, tok_encoding *e)
{
    if (tok_encode_threads(c, s, n, &opt, threads, e)) {
        fprintf(stderr, "tokbench: %s\n", tok_ctx_error(c));
        exit(1);
    }
}

/* --lines: every line on its own; e->n becomes the total token count.  The
 * ids are written (when asked) outside the timed spans. */
static double timed_lines(tok_ctx *c, const char *s, size_t n, tok_encoding *e)
{
    double el = 0;
    size_t total = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        double t0 = now();
        encode(c, s + i, end - i, e);
        el += now() - t0;
        total += e->n;
        if (idsf) {
            for (size_t k = 0; k < e->n; k++) fprintf(idsf, k ? " %d" : "%d", e->ids[k]);
            fputc('\n', idsf);
        }
        i = end + 1;
    }
    e->n = total;
    return el;
}

static double timed(tok_ctx *c, const char *s, size_t n, tok_encoding *e)
{
    if (lines) return timed_lines(c, s, n, e);
    double t0 = now();
    encode(c, s, n, e);
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *tname = NULL, *file = NULL, *idsout = NULL;
    int repeat = 3;
    tok_encode_options_init(&opt);
    opt.flags = 0; /* no specials, no offsets: what engines ask for */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) tname = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--wall")) wall = 1;
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ids") && i + 1 < argc) idsout = argv[++i];
        else if (!strcmp(argv[i], "--offsets")) opt.flags |= TOK_ENC_OFFSETS;
        else if (!strcmp(argv[i], "--lines")) lines = 1;
        else if (!strcmp(argv[i], "--method") && i + 1 < argc) opt.method = (tok_method)tok_method_from_name(argv[++i]);
        else file = argv[i];
    }
    if (!tname || !file || threads < 1 || repeat < 1) {
        fprintf(stderr, "usage: tokbench -t TOKENIZER FILE [--threads N] [--wall] [--repeat R] [--ids OUT] [--offsets] [--method M] [--lines]\n");
        return 2;
    }
    char path[4096];
    if (tok_resolve(tname, path, sizeof path)) {
        fprintf(stderr, "tokbench: %s not found\n", tname);
        return 1;
    }
    size_t len;
    char *text = bench_slurp(file, &len);
    if (!text) {
        fprintf(stderr, "tokbench: cannot read %s\n", file);
        return 1;
    }
    double t0 = now();
    tok_error err;
    tk = tok_load(path, NULL, &err);
    double load = now() - t0;
    if (!tk) {
        fprintf(stderr, "tokbench: %s\n", err.message);
        return 1;
    }
    /* cold and primed: best of R, each on a fresh context (all libtok
     * caches are per context); warm: the same text again on the last one */
    tok_encoding e = { 0 };
    tok_ctx *c = NULL;
    double cold = 1e30, warm = 1e30, primed = 1e30;
    size_t ntok = 0;
    for (int r = 0; r < repeat; r++) {
        tok_ctx_free(c);
        c = tok_ctx_new(tk);
        if (r == 0 && idsout && lines) idsf = fopen(idsout, "w");
        double el = timed(c, text, len, &e);
        if (el < cold) cold = el;
        if (idsf) {
            fclose(idsf);
            idsf = NULL;
        } else if (r == 0 && idsout && !lines) {
            FILE *f = fopen(idsout, "w");
            for (size_t i = 0; i < e.n; i++) fprintf(f, i ? " %d" : "%d", e.ids[i]);
            fputc('\n', f);
            fclose(f);
        }
        ntok = e.n;
    }
    for (int r = 0; r < repeat; r++) {
        double el = timed(c, text, len, &e);
        if (el < warm) warm = el;
    }
    tok_ctx_free(c);
    /* peak RSS is read here: that of whole-text encodes */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t h = bench_half(text, len);
    for (int r = 0; r < repeat; r++) {
        c = tok_ctx_new(tk);
        timed(c, text, h, &e);
        double el = timed(c, text + h, len - h, &e);
        if (el < primed) primed = el;
        tok_ctx_free(c);
    }
    printf("{\"tokenizer\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"threads\":%d,\"load_ms\":%.1f,"
           "\"cold\":%.2f,\"primed\":%.2f,\"warm\":%.2f,\"peak_rss_mb\":%.1f}\n",
           tname, len, ntok, threads, load * 1e3, (double)len / cold / 1e6,
           (double)(len - h) / primed / 1e6, (double)len / warm / 1e6, (double)ru.ru_maxrss / 1024.0);
    free(text);
    tok_free(tk);
    return 0;
}
