/*
 * qtbench: quicktok (github dmatth1/quicktok, built from a checkout by
 * bench/run.sh, never vendored) timed exactly as tokbench times libtok:
 *   qtbench DATA_DIR ENCODING FILE [--threads N] [--wall] [--repeat R] [--ids OUT]
 * cold = first encode after load; primed = encode the first half, time the
 * second half (each on a fresh handle: quicktok keeps its memos there);
 * warm = the whole text again; each the best of R (--repeat, 3).  quicktok's C ABI
 * has no batch call (a handle is thread-safe): with N threads the text is
 * cut where tokbench cuts it (after a newline before a letter, here ASCII
 * letters or any non-ASCII lead byte) and the parts are encoded on N threads.
 */
#include <quicktok.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "benchutil.h"

static int threads = 1, wall = 0;
static double now(void) { return bench_clock(threads > 1 || wall); }

static int letter_start(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

static size_t cut(const char *s, size_t n, size_t at)
{
    for (size_t i = at ? at : 1; i < n; i++)
        if (s[i - 1] == '\n' && letter_start((unsigned char)s[i])) return i;
    return n;
}

typedef struct part { const char *s; size_t n; uint32_t *ids; size_t nids; int st; } part;
static qt_tokenizer *qt;

static void *run(void *a)
{
    part *p = a;
    p->st = qt_encode(qt, p->s, p->n, &p->ids, &p->nids);
    return NULL;
}

/* Encode s[0..n) on the threads; the ids of all parts, in order, in *out. */
static double timed(const char *s, size_t n, uint32_t **out, size_t *nout)
{
    part p[16];
    pthread_t th[16];
    int np = 0;
    size_t at = 0;
    double t0 = now();
    for (int k = 1; k <= threads; k++) {
        size_t e = k == threads ? n : cut(s, n, n / (size_t)threads * (size_t)k);
        if (e <= at) continue;
        p[np++] = (part){ s + at, e - at, NULL, 0, 0 };
        at = e;
    }
    for (int k = 1; k < np; k++) pthread_create(&th[k], NULL, run, &p[k]);
    run(&p[0]);
    for (int k = 1; k < np; k++) pthread_join(th[k], NULL);
    double el = now() - t0;
    size_t total = 0;
    for (int k = 0; k < np; k++) {
        if (p[k].st) {
            fprintf(stderr, "qtbench: encode failed\n");
            exit(1);
        }
        total += p[k].nids;
    }
    if (out) {
        *out = malloc(total * sizeof **out + 1);
        *nout = 0;
        for (int k = 0; k < np; k++) {
            memcpy(*out + *nout, p[k].ids, p[k].nids * sizeof **out);
            *nout += p[k].nids;
        }
    }
    for (int k = 0; k < np; k++) qt_ids_free(p[k].ids);
    return el;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *enc = NULL, *file = NULL, *idsout = NULL;
    int repeat = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--wall")) wall = 1;
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ids") && i + 1 < argc) idsout = argv[++i];
        else if (!dir) dir = argv[i];
        else if (!enc) enc = argv[i];
        else file = argv[i];
    }
    if (!file || threads < 1 || threads > 16 || repeat < 1) {
        fprintf(stderr, "usage: qtbench DATA_DIR ENCODING FILE [--threads N] [--wall] [--repeat R] [--ids OUT]\n");
        return 2;
    }
    size_t len;
    char *text = bench_slurp(file, &len);
    if (!text) {
        fprintf(stderr, "qtbench: cannot read %s\n", file);
        return 1;
    }
    char eb[512];
    double t0 = now(), load = 0, cold = 1e30, warm = 1e30, primed = 1e30;
    uint32_t *ids;
    size_t n = 0;
    /* quicktok's memos live in the handle: cold and primed load afresh */
    for (int r = 0; r < repeat; r++) {
        if (qt) qt_tokenizer_free(qt);
        t0 = now();
        qt = qt_load_dir(dir, enc, eb, sizeof eb);
        if (!r) load = now() - t0;
        if (!qt) {
            fprintf(stderr, "qtbench: %s\n", eb);
            return 1;
        }
        double el = timed(text, len, &ids, &n);
        if (el < cold) cold = el;
        if (r == 0 && idsout) {
            FILE *f = fopen(idsout, "w");
            for (size_t i = 0; i < n; i++) fprintf(f, i ? " %u" : "%u", ids[i]);
            fputc('\n', f);
            fclose(f);
        }
        free(ids);
    }
    for (int r = 0; r < repeat; r++) {
        double el = timed(text, len, NULL, NULL);
        if (el < warm) warm = el;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t h = bench_half(text, len);
    for (int r = 0; r < repeat; r++) {
        qt_tokenizer_free(qt);
        qt = qt_load_dir(dir, enc, eb, sizeof eb);
        timed(text, h, NULL, NULL);
        double el = timed(text + h, len - h, NULL, NULL);
        if (el < primed) primed = el;
    }
    qt_tokenizer_free(qt);
    printf("{\"tokenizer\":\"quicktok %s\",\"bytes\":%zu,\"tokens\":%zu,\"threads\":%d,\"load_ms\":%.1f,"
           "\"cold\":%.2f,\"primed\":%.2f,\"warm\":%.2f,\"peak_rss_mb\":%.1f}\n",
           enc, len, n, threads, load * 1e3, (double)len / cold / 1e6, (double)(len - h) / primed / 1e6,
           (double)len / warm / 1e6, (double)ru.ru_maxrss / 1024.0);
    free(text);
    return 0;
}
