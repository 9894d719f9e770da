/*
 * keep_replay: replay an attention trace through keep policies and show
 * what survives.  A worked example of the tok_keep API (analyzers/keep/
 * tok_keep.h): no tokenizer is involved, only positions, prior flags and
 * attention rows.
 *
 *   keep_replay --synth FILE [--positions N] [--prefill P] [--seed S]
 *       write a synthetic trace: a prefill of P rows then one decode step
 *       per position; rows are softmax-normalised random logits with a sink
 *       at position 0; ~12% separators, 2% specials, 20% stopwords, words of
 *       1-3 tokens
 *   keep_replay TRACE [POLICY...]
 *       replay TRACE through each policy (default: streamingllm sepllm h2o
 *       a2sf zipcache saliency) and print, per policy, the mean kept
 *       fraction over the steps and, per token kind, how many positions of
 *       that kind are still live at the end
 *
 * Record a real trace from an engine by writing, per decode step, one 'p'
 * record for the new token (its prior flags from tok_keep_priors_flags, or
 * an 'i' record with its id) and one 'r' row per layer/head group with the
 * attention probabilities over positions 0..Q, then 's'.
 */
#include "analyzers/keep/tok_keep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u = urand(), v = urand();
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static int synth(const char *path, long n, long prefill, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return 1; }
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    double *a = malloc((size_t)n * sizeof *a);
    if (!a) { fclose(f); return 1; }
    fprintf(f, "tok-trace 1\ngroups 1\n");
    long word = -1, left = 0;
    for (long p = 0; p < n; p++) {
        double r = urand();
        uint32_t fl = 0;
        if (r < 0.12) fl = TOK_PRIOR_SEPARATOR | TOK_PRIOR_PUNCT;
        else if (r < 0.14) fl = TOK_PRIOR_SPECIAL;
        else if (r < 0.34) fl = TOK_PRIOR_STOPWORD;
        else if (r < 0.40) fl = TOK_PRIOR_PUNCT;
        if (!left) { word++; left = 1 + (long)(urand() * 3); fl |= TOK_PRIOR_WORD_START; }
        left--;
        fprintf(f, "p %ld %u %ld\n", p, fl, fl & TOK_PRIOR_SPECIAL ? -1L : word);
        if (p + 1 < prefill) continue;
        for (long q = p + 1 == prefill ? 0 : p; q <= p; q++) {
            double mx = -1e300, z = 0;
            for (long k = 0; k <= q; k++) {
                a[k] = 2.0 * nrand() + (k == 0 ? 3.0 : 0.0);
                if (a[k] > mx) mx = a[k];
            }
            for (long k = 0; k <= q; k++) z += a[k] = exp(a[k] - mx);
            fprintf(f, "r 0 %ld", q);
            for (long k = 0; k <= q; k++) fprintf(f, " %.9g", (double)(float)(a[k] / z));
            fputc('\n', f);
        }
        fputs("s\n", f);
    }
    free(a);
    return fclose(f) ? 1 : 0;
}

typedef struct stats {
    double kept_sum;
    size_t steps;
} stats;

static int on_step(void *user, const tok_keep *k, size_t step)
{
    stats *s = user;
    const int64_t *live;
    size_t n = tok_keep_live(k, 0, &live);
    size_t seen = n ? (size_t)live[n - 1] + 1 : 1;
    s->kept_sum += (double)n / (double)seen;
    s->steps = step;
    return 0;
}

/* count positions per kind in the trace (p records) */
static int kinds_total(const char *path, size_t tot[TOK_PRIOR_NBITS], size_t *npos)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    *npos = 0;
    while (getline(&line, &cap, f) > 0) {
        long long p, fl, w;
        if (line[0] == 'p' && sscanf(line + 1, "%lld %lld %lld", &p, &fl, &w) == 3) {
            (*npos)++;
            for (int b = 0; b < TOK_PRIOR_NBITS; b++)
                if (fl & (1ll << b)) tot[b]++;
        }
    }
    free(line);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--synth")) {
        long n = 2000, prefill = 256;
        uint64_t seed = 1;
        for (int i = 3; i + 1 < argc; i += 2) {
            if (!strcmp(argv[i], "--positions")) n = atol(argv[i + 1]);
            else if (!strcmp(argv[i], "--prefill")) prefill = atol(argv[i + 1]);
            else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
            else { fprintf(stderr, "keep_replay: unknown option %s\n", argv[i]); return 2; }
        }
        if (n < 1 || prefill < 1 || prefill > n) { fprintf(stderr, "keep_replay: need 1 <= prefill <= positions\n"); return 2; }
        return synth(argv[2], n, prefill, seed);
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: keep_replay --synth FILE [--positions N] [--prefill P] [--seed S]\n"
                        "       keep_replay TRACE [POLICY...]\n");
        return 2;
    }
    static const char *const defaults[] = { "streamingllm", "sepllm", "h2o", "a2sf", "zipcache", "saliency" };
    const char *const *pol = argc > 2 ? (const char *const *)argv + 2 : defaults;
    int npol = argc > 2 ? argc - 2 : 6;
    size_t tot[TOK_PRIOR_NBITS] = { 0 }, npos;
    if (kinds_total(argv[1], tot, &npos)) { perror(argv[1]); return 1; }
    static const uint32_t show[] = { TOK_PRIOR_SPECIAL, TOK_PRIOR_SEPARATOR, TOK_PRIOR_STOPWORD, TOK_PRIOR_PUNCT, TOK_PRIOR_WORD_START };
    printf("%-13s %6s %8s", "policy", "steps", "kept");
    for (size_t j = 0; j < sizeof show / sizeof show[0]; j++) printf(" %11s", tok_prior_name(show[j]));
    printf("   (live at the end / in the trace)\n");
    int rc = 0;
    for (int i = 0; i < npol; i++) {
        tok_keep_config c;
        tok_keep_config_init(&c);
        tok_error err;
        tok_keep *k = NULL;
        if (tok_keep_config_load(&c, pol[i], &err) || !(k = tok_keep_new(&c, &err))) {
            fprintf(stderr, "keep_replay: %s\n", err.message);
            rc = 1;
            continue;
        }
        stats s = { 0, 0 };
        if (tok_keep_replay(k, argv[1], NULL, on_step, &s, &err)) {
            fprintf(stderr, "keep_replay: %s\n", err.message);
            tok_keep_free(k);
            rc = 1;
            continue;
        }
        size_t live[TOK_PRIOR_NBITS] = { 0 };
        const int64_t *pos;
        size_t n = tok_keep_live(k, 0, &pos);
        for (size_t j = 0; j < n; j++)
            for (int b = 0; b < TOK_PRIOR_NBITS; b++)
                if (tok_keep_flags(k, 0, j) & (1u << b)) live[b]++;
        printf("%-13s %6zu %7.1f%%", c.name, s.steps, s.steps ? 100.0 * s.kept_sum / (double)s.steps : 0.0);
        for (size_t j = 0; j < sizeof show / sizeof show[0]; j++) {
            int b = 0;
            while (!(show[j] & (1u << b))) b++;
            char cell[32];
            snprintf(cell, sizeof cell, "%zu/%zu", live[b], tot[b]);
            printf(" %11s", cell);
        }
        printf("   %zu of %zu positions live\n", n, npos);
        tok_keep_free(k);
    }
    return rc;
}
