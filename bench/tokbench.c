/*
 * tokbench: time libtok on one text through the public API.
 *   tokbench -t TOKENIZER FILE [--threads N] [--wall] [--repeat R] [--method M] [--ids OUT] [--offsets] [--encode] [--lines]
 *   tokbench -t TOKENIZER --load-only [--repeat R]
 * Prints one JSON line with three timings of the whole encode call, each the
 * best of R (--repeat, 3), and which call is timed ("path"): without
 * --offsets or --encode, tok_encode_ids (on N threads tok_encode_ids_threads)
 * into a buffer reserved once (ids only, what engines ask for); else
 * tok_encode_threads (all arrays):
 *   cold    the first encode on a fresh context (nothing cached);
 *   primed  a fresh context encodes the first half (up to a line break), then
 *           the unseen second half is timed (text of the same kind, new words);
 *   warm    the same text again on the context of the cold run;
 * and the load time and peak RSS.  With --ids, writes the ids of the cold
 * run (space separated) for comparison with the references.  --load-only
 * times the load alone (best of R, process CPU and wall clock).  With
 * --lines, each line (without its newline) is encoded on its own, as
 * spm_encode does, and --ids writes one line of ids per line of text.
 *   tokbench ... --threads N --paired K
 * instead alternates one thread and N threads K times in this process (wall
 * clock; cold, primed and warm each) and prints the medians of MB/s and of
 * the K speed-ups, each taken from back-to-back runs: on a machine shared with
 * other jobs the load drifts, and adjacent runs see the same load.
 */
#include <libtok/tok.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "benchutil.h"

static int threads = 1, wall = 0, paired = 0, lines = 0;
static FILE *idsf; /* --lines: ids of the run being written, line by line */
static double now(void) { return bench_clock(threads > 1 || wall); }

static tok_tokenizer *tk;
static tok_encode_options opt;
/* ids only (no offsets): tok_encode_ids, or tok_encode_ids_threads, into a
 * buffer reserved once from the text length; else tok_encode_threads (all
 * arrays) */
static int32_t *idbuf;
static size_t idcap;

static void encode(tok_ctx *c, const char *s, size_t n, tok_encoding *e, int nth)
{
    tok_status st;
    if (idbuf) {
        memset(e, 0, sizeof *e);
        st = nth == 1 ? tok_encode_ids(c, s, n, &opt, idbuf, idcap, &e->n)
                      : tok_encode_ids_threads(c, s, n, &opt, nth, idbuf, idcap, &e->n);
        e->ids = idbuf;
    } else {
        st = tok_encode_threads(c, s, n, &opt, nth, e);
    }
    if (st) {
        fprintf(stderr, "tokbench: %s\n", tok_ctx_error(c));
        exit(1);
    }
}

/* --lines: every line on its own; e->n becomes the total token count.  The
 * loop is timed as a whole, as spm_encode's process time is: a clock read
 * per line is a system call (CPU-time clocks), a tenth of a short line's
 * encode.  Ids, when asked, are kept in memory in the loop (appended: no
 * I/O between encodes to evict the model's tables) and written after it. */
static int32_t *lids;       /* the ids of every line, back to back */
static size_t *lcount;      /* ids per line */
static size_t nlids, caplids, nlines, caplines;

static void keep_line(const tok_encoding *e)
{
    if (nlids + e->n > caplids) {
        caplids = (nlids + e->n) * 2 + 1024;
        if (!(lids = realloc(lids, caplids * sizeof *lids))) exit(1);
    }
    if (nlines == caplines) {
        caplines = caplines * 2 + 1024;
        if (!(lcount = realloc(lcount, caplines * sizeof *lcount))) exit(1);
    }
    memcpy(lids + nlids, e->ids, e->n * sizeof *lids);
    nlids += e->n;
    lcount[nlines++] = e->n;
}

static void write_lines(FILE *f)
{
    for (size_t l = 0, at = 0; l < nlines; l++) {
        for (size_t k = 0; k < lcount[l]; k++) fprintf(f, k ? " %d" : "%d", lids[at + k]);
        fputc('\n', f);
        at += lcount[l];
    }
    nlids = nlines = 0;
}

static double timed_lines(tok_ctx *c, const char *s, size_t n, tok_encoding *e, int nth)
{
    size_t total = 0;
    double t0 = now();
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        encode(c, s + i, end - i, e, nth);
        total += e->n;
        if (idsf) keep_line(e);
        i = end + 1;
    }
    double el = now() - t0;
    e->n = total;
    return el;
}

static double timed_n(tok_ctx *c, const char *s, size_t n, tok_encoding *e, int nth)
{
    if (lines) return timed_lines(c, s, n, e, nth);
    double t0 = now();
    encode(c, s, n, e, nth);
    return now() - t0;
}

static double timed(tok_ctx *c, const char *s, size_t n, tok_encoding *e) { return timed_n(c, s, n, e, threads); }

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --paired: 1 and N threads alternately; medians of speeds and speed-ups.
 * m[0..2] cold/primed/warm with one thread, m[3..5] with N. */
static void run_paired(const char *text, size_t len, const char *tname)
{
    enum { MAXK = 64 };
    double v[6][MAXK], r[3][MAXK];
    int k = paired > MAXK ? MAXK : paired;
    size_t h = bench_half(text, len);
    tok_encoding e;
    for (int i = 0; i < k; i++) {
        for (int side = 0; side < 2; side++) {
            int nth = side ? threads : 1;
            tok_ctx *c = tok_ctx_new(tk);
            double cold = timed_n(c, text, len, &e, nth);
            double warm = timed_n(c, text, len, &e, nth);
            tok_ctx_free(c);
            c = tok_ctx_new(tk);
            timed_n(c, text, h, &e, nth);
            double primed = timed_n(c, text + h, len - h, &e, nth);
            tok_ctx_free(c);
            v[side * 3 + 0][i] = cold;
            v[side * 3 + 1][i] = primed;
            v[side * 3 + 2][i] = warm;
        }
        for (int j = 0; j < 3; j++) r[j][i] = v[j][i] / v[3 + j][i];
    }
    double mb[6];
    for (int j = 0; j < 6; j++) mb[j] = (double)(j % 3 == 1 ? len - h : len) / median(v[j], k) / 1e6;
    printf("{\"tokenizer\":\"%s\",\"bytes\":%zu,\"threads\":%d,\"pairs\":%d,"
           "\"cold1\":%.2f,\"primed1\":%.2f,\"warm1\":%.2f,\"cold\":%.2f,\"primed\":%.2f,\"warm\":%.2f,"
           "\"speedup_cold\":%.2f,\"speedup_primed\":%.2f,\"speedup_warm\":%.2f}\n",
           tname, len, threads, k, mb[0], mb[1], mb[2], mb[3], mb[4], mb[5], median(r[0], k), median(r[1], k),
           median(r[2], k));
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
        else if (!strcmp(argv[i], "--paired") && i + 1 < argc) paired = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ids") && i + 1 < argc) idsout = argv[++i];
        else if (!strcmp(argv[i], "--offsets")) opt.flags |= TOK_ENC_OFFSETS;
        else if (!strcmp(argv[i], "--load-only")) load_only = 1;
        else if (!strcmp(argv[i], "--encode")) all_arrays = 1;
        else if (!strcmp(argv[i], "--lines")) lines = 1;
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
        fprintf(stderr, "usage: tokbench -t TOKENIZER FILE [--threads N [--paired K]] [--wall] [--repeat R] [--ids OUT] [--offsets] [--encode] [--method M] [--lines]\n"
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
    if (!all_arrays && !(opt.flags & TOK_ENC_OFFSETS)) {
        idcap = len + 16; /* a byte-level token covers at least one byte; specials */
        if (!(idbuf = malloc(idcap * sizeof *idbuf))) return 1;
    }
    if (paired > 0) {
        wall = 1;
        run_paired(text, len, tname);
        free(idbuf);
        free(text);
        tok_free(tk);
        return 0;
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
            write_lines(idsf);
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
    printf("{\"tokenizer\":\"%s\",\"path\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"threads\":%d,\"load_ms\":%.1f,"
           "\"cold\":%.2f,\"primed\":%.2f,\"warm\":%.2f,\"peak_rss_mb\":%.1f}\n",
           tname, idbuf ? (threads > 1 ? "tok_encode_ids_threads" : "tok_encode_ids") : threads > 1 ? "tok_encode_threads" : "tok_encode", len, ntok, threads, load * 1e3, (double)len / cold / 1e6,
           (double)(len - h) / primed / 1e6, (double)len / warm / 1e6, (double)ru.ru_maxrss / 1024.0);
    free(text);
    free(idbuf);
    tok_free(tk);
    return 0;
}
