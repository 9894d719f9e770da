/*
 * keep_bench: steps per second of the keep-mask engine at a long context.
 * Per policy: fill N live positions (one group), then time S decode steps,
 * each = append one position + feed one attention row over the live keys +
 * select and evict (the live set stays at N).  Prints one JSON line per
 * policy: {"policy","positions","steps","steps_per_s","bytes_per_position"}.
 *   keep_bench [--positions N] [--steps S] POLICY...
 */
#include "analyzers/keep/tok_keep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long N = 131072, S = 200;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--positions")) N = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--steps")) S = atol(argv[i + 1]);
    }
    if (N < 1024 || S < 1) return 2;
    float *row = malloc((size_t)(N + 1) * sizeof *row);
    uint32_t *flags = malloc((size_t)(N + S + 1) * sizeof *flags);
    if (!row || !flags) return 1;
    uint64_t x = 88172645463325252ull;
    for (long p = 0; p < N + S + 1; p++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        unsigned r = (unsigned)(x % 100);
        flags[p] = r < 12 ? TOK_PRIOR_SEPARATOR : r < 14 ? TOK_PRIOR_SPECIAL : r < 34 ? TOK_PRIOR_STOPWORD : 0;
    }
    for (long j = 0; j <= N; j++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        row[j] = (float)((double)(x >> 11) / 9007199254740992.0) / (float)N;
    }
    for (; i < argc; i++) {
        tok_keep_config c;
        tok_keep_config_init(&c);
        tok_error err;
        if (tok_keep_config_load(&c, argv[i], &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
        if (c.raters != TOK_RATERS_NONE) continue;
        /* the budget is the context: every step evicts one position */
        c.ratio = 0;
        c.budget = N;
        c.capacity = (size_t)N + 2;
        if (c.sep_budget > 0) c.sep_budget = N / 8;
        if (c.heavy == 0) c.window = N - c.sinks - (c.sep_budget > 0 ? c.sep_budget : 0); /* window-only policies */
        if (c.heavy > 0) c.heavy = N - c.sinks - c.window;
        tok_keep *k = tok_keep_new(&c, &err);
        if (!k) { fprintf(stderr, "%s\n", err.message); return 1; }
        const int64_t *live;
        long p = 0;
        for (; p < N; p++) tok_keep_append(k, p, flags[p], (int32_t)(p / 2));
        double t0 = now();
        for (long s = 0; s < S; s++, p++) {
            if (tok_keep_append(k, p, flags[p], (int32_t)(p / 2)) ||
                tok_keep_feed(k, 0, p, row, tok_keep_live(k, 0, &live)) || tok_keep_step(k)) {
                fprintf(stderr, "%s\n", tok_keep_error(k));
                return 1;
            }
        }
        double dt = now() - t0;
        printf("{\"policy\":\"%s\",\"positions\":%ld,\"steps\":%ld,\"steps_per_s\":%.1f,\"bytes_per_position\":%zu}\n",
               c.name, N, S, (double)S / dt, tok_keep_bytes_per_position(k));
        tok_keep_free(k);
    }
    free(row);
    free(flags);
    return 0;
}
