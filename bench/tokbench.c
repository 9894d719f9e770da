/*
 * tokbench: time libtok on one text through the public API.
 *   tokbench -t TOKENIZER FILE [--threads N] [--repeat R] [--method M] [--ids OUT]
 * Prints one JSON line: load time, encode MB/s (best of R), token count,
 * peak RSS.  With --ids, writes the ids (one text, space separated) for
 * comparison with the references.
 */
#include <libtok/tok.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}


int main(int argc, char **argv)
{
    const char *tname = NULL, *file = NULL, *idsout = NULL;
    int threads = 1, repeat = 3;
    tok_encode_options opt;
    tok_encode_options_init(&opt);
    opt.flags = 0; /* no specials, no offsets: what engines ask for */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) tname = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ids") && i + 1 < argc) idsout = argv[++i];
        else if (!strcmp(argv[i], "--offsets")) opt.flags |= TOK_ENC_OFFSETS;
        else if (!strcmp(argv[i], "--method") && i + 1 < argc) opt.method = (tok_method)tok_method_from_name(argv[++i]);
        else file = argv[i];
    }
    if (!tname || !file || threads < 1) {
        fprintf(stderr, "usage: tokbench -t TOKENIZER FILE [--threads N] [--repeat R] [--ids OUT] [--offsets] [--method M]\n");
        return 2;
    }
    char path[4096];
    if (tok_resolve(tname, path, sizeof path)) {
        fprintf(stderr, "tokbench: %s not found\n", tname);
        return 1;
    }
    size_t len;
    char *text = slurp(file, &len);
    if (!text) {
        fprintf(stderr, "tokbench: cannot read %s\n", file);
        return 1;
    }
    double t0 = now();
    tok_error err;
    tok_tokenizer *t = tok_load(path, NULL, &err);
    double load = now() - t0;
    if (!t) {
        fprintf(stderr, "tokbench: %s\n", err.message);
        return 1;
    }
    /* a warm context, as an engine keeps one per thread */
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding e = { 0 };
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        double s = now();
        if (tok_encode_threads(c, text, len, &opt, threads, &e)) {
            fprintf(stderr, "tokbench: %s\n", tok_ctx_error(c));
            return 1;
        }
        double el = now() - s;
        if (el < best) best = el;
    }
    size_t ntok = e.n;
    if (idsout) {
        FILE *f = fopen(idsout, "w");
        for (size_t i = 0; i < e.n; i++) fprintf(f, i ? " %d" : "%d", e.ids[i]);
        fputc('\n', f);
        fclose(f);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"tokenizer\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"threads\":%d,\"load_ms\":%.1f,"
           "\"encode_s\":%.4f,\"mb_s\":%.2f,\"peak_rss_mb\":%.1f}\n",
           tname, len, ntok, threads, load * 1e3, best, (double)len / best / 1e6, (double)ru.ru_maxrss / 1024.0);
    tok_ctx_free(c);
    free(text);
    tok_free(t);
    return 0;
}
