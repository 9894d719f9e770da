/*
 * tokbench: time libtok on one text through the public API.
 *   tokbench -t TOKENIZER FILE [--threads N] [--repeat R] [--method M] [--ids OUT]
 * Prints one JSON line: load time, encode MB/s (best of R), token count,
 * peak RSS.  With --ids, writes the ids (one text, space separated) for
 * comparison with the references.
 */
#include <libtok/tok.h>

#include <pthread.h>
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

typedef struct part {
    const tok_tokenizer *t;
    const tok_encode_options *opt;
    const char *s;
    size_t n;
    size_t ntok;
    int32_t *ids;
    int failed;
} part;

static void *run_part(void *arg)
{
    part *p = arg;
    tok_ctx *c = tok_ctx_new(p->t);
    tok_encoding e;
    if (tok_encode(c, p->s, p->n, p->opt, &e)) {
        fprintf(stderr, "tokbench: %s\n", tok_ctx_error(c));
        p->failed = 1;
    } else {
        p->ntok = e.n;
        free(p->ids);
        p->ids = malloc(e.n * sizeof *p->ids + 1);
        memcpy(p->ids, e.ids, e.n * sizeof *p->ids);
    }
    tok_ctx_free(c);
    return NULL;
}

/* Cut points for threads: after a newline that is followed by a non-space
 * character, so no pre-token spans a cut for the usual split patterns. */
static size_t cut_near(const char *s, size_t n, size_t at)
{
    for (size_t i = at; i + 1 < n; i++)
        if (s[i] == '\n' && s[i + 1] != '\n' && s[i + 1] != ' ' && s[i + 1] != '\r' && s[i + 1] != '\t') return i + 1;
    return n;
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
    part *parts = calloc((size_t)threads, sizeof *parts);
    size_t at = 0;
    for (int k = 0; k < threads; k++) {
        size_t end = k == threads - 1 ? len : cut_near(text, len, len / (size_t)threads * (size_t)(k + 1));
        if (end < at) end = at;
        parts[k] = (part){ t, &opt, text + at, end - at, 0, NULL, 0 };
        at = end;
    }
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        pthread_t th[256];
        double s = now();
        if (threads == 1) run_part(&parts[0]);
        else {
            for (int k = 0; k < threads; k++) pthread_create(&th[k], NULL, run_part, &parts[k]);
            for (int k = 0; k < threads; k++) pthread_join(th[k], NULL);
        }
        double e = now() - s;
        if (e < best) best = e;
    }
    size_t ntok = 0;
    for (int k = 0; k < threads; k++) {
        if (parts[k].failed) return 1;
        ntok += parts[k].ntok;
    }
    if (idsout) {
        FILE *f = fopen(idsout, "w");
        size_t w = 0;
        for (int k = 0; k < threads; k++)
            for (size_t i = 0; i < parts[k].ntok; i++) fprintf(f, w++ ? " %d" : "%d", parts[k].ids[i]);
        fputc('\n', f);
        fclose(f);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"tokenizer\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"threads\":%d,\"load_ms\":%.1f,"
           "\"encode_s\":%.4f,\"mb_s\":%.2f,\"peak_rss_mb\":%.1f}\n",
           tname, len, ntok, threads, load * 1e3, best, (double)len / best / 1e6, (double)ru.ru_maxrss / 1024.0);
    for (int k = 0; k < threads; k++) free(parts[k].ids);
    free(parts);
    free(text);
    tok_free(t);
    return 0;
}
