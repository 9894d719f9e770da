/*
 * tokbench: time libtok on one text through the public API.
 *   tokbench -t TOKENIZER FILE [--threads N] [--wall] [--repeat R] [--method M] [--ids OUT] [--offsets] [--encode]
 *   tokbench -t TOKENIZER --load-only [--repeat R]
 * Prints one JSON line with three timings of the whole encode call, each the
 * best of R (--repeat, 3), and which call is timed ("path"): on one thread
 * without --offsets or --encode, tok_encode_ids into a buffer reserved once
 * (ids only, what engines ask for); else tok_encode_threads (all arrays):
 *   cold    the first encode on a fresh context (nothing cached);
 *   primed  a fresh context encodes the first half (up to a line break), then
 *           the unseen second half is timed (text of the same kind, new words);
 *   warm    the same text again on the context of the cold run;
 * and the load time and peak RSS.  With --ids, writes the ids of the cold
 * run (space separated) for comparison with the references.  --load-only
 * times the load alone (best of R, process CPU and wall clock).
 */
#include <libtok/tok.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "benchutil.h"

static int threads = 1, wall = 0;
static double now(void) { return bench_clock(threads > 1 || wall); }

static tok_tokenizer *tk;
static tok_encode_options opt;
/* ids only (one thread, no offsets): tok_encode_ids into a buffer reserved
 * once from the text length; else tok_encode_threads (all arrays) */
static int32_t *idbuf;
static size_t idcap;

static double timed(tok_ctx *c, const char *s, size_t n, tok_encoding *e)
{
    double t0 = now();
    tok_status st;
    if (idbuf) {
        memset(e, 0, sizeof *e);
        st = tok_encode_ids(c, s, n, &opt, idbuf, idcap, &e->n);
        e->ids = idbuf;
    } else {
        st = tok_encode_threads(c, s, n, &opt, threads, e);
    }
    if (st) {
        fprintf(stderr, "tokbench: %s\n", tok_ctx_error(c));
        exit(1);
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *tname = NULL, *file = NULL, *idsout = NULL;
    int repeat = 3, load_only = 0, all_arrays = 0;
    tok_encode_options_init(&opt);
    opt.flags = 0; /* no specials, no offsets: what engines ask for */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) tname = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--wall")) wall = 1;
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ids") && i + 1 < argc) idsout = argv[++i];
        else if (!strcmp(argv[i], "--offsets")) opt.flags |= TOK_ENC_OFFSETS;
        else if (!strcmp(argv[i], "--load-only")) load_only = 1;
        else if (!strcmp(argv[i], "--encode")) all_arrays = 1;
        else if (!strcmp(argv[i], "--method") && i + 1 < argc) opt.method = (tok_method)tok_method_from_name(argv[++i]);
        else file = argv[i];
    }
    if (tname && load_only && repeat >= 1) {
        char lp[4096];
        if (tok_resolve(tname, lp, sizeof lp)) {
            fprintf(stderr, "tokbench: %s not found\n", tname);
            return 1;
        }
        double cpu = 1e30, wl = 1e30;
        for (int r = 0; r < repeat; r++) {
            tok_error err;
            double c0 = bench_clock(0), w0 = bench_clock(1);
            tok_tokenizer *t = tok_load(lp, NULL, &err);
            double c1 = bench_clock(0), w1 = bench_clock(1);
            if (!t) {
                fprintf(stderr, "tokbench: %s\n", err.message);
                return 1;
            }
            tok_free(t);
            if (c1 - c0 < cpu) cpu = c1 - c0;
            if (w1 - w0 < wl) wl = w1 - w0;
        }
        printf("{\"tokenizer\":\"%s\",\"load_ms\":%.1f,\"load_wall_ms\":%.1f}\n", tname, cpu * 1e3, wl * 1e3);
        return 0;
    }
    if (!tname || !file || threads < 1 || repeat < 1) {
        fprintf(stderr, "usage: tokbench -t TOKENIZER FILE [--threads N] [--wall] [--repeat R] [--ids OUT] [--offsets] [--encode] [--method M]\n"
                        "       tokbench -t TOKENIZER --load-only [--repeat R]\n");
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
    if (threads == 1 && !all_arrays && !(opt.flags & TOK_ENC_OFFSETS)) {
        idcap = len + 16; /* a byte-level token covers at least one byte; specials */
        if (!(idbuf = malloc(idcap * sizeof *idbuf))) return 1;
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
        double el = timed(c, text, len, &e);
        if (el < cold) cold = el;
        if (r == 0 && idsout) {
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
    printf("{\"tokenizer\":\"%s\",\"path\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"threads\":%d,\"load_ms\":%.1f,"
           "\"cold\":%.2f,\"primed\":%.2f,\"warm\":%.2f,\"peak_rss_mb\":%.1f}\n",
           tname, idbuf ? "tok_encode_ids" : threads > 1 ? "tok_encode_threads" : "tok_encode", len, ntok, threads, load * 1e3, (double)len / cold / 1e6,
           (double)(len - h) / primed / 1e6, (double)len / warm / 1e6, (double)ru.ru_maxrss / 1024.0);
    free(text);
    free(idbuf);
    tok_free(tk);
    return 0;
}
