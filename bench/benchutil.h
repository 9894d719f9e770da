/* Shared by the bench programs (tokbench, qtbench): the clock and file input. */
#ifndef LIBTOK_BENCHUTIL_H
#define LIBTOK_BENCHUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One thread: the process's CPU time, which a machine shared with other
 * jobs disturbs far less than the wall clock; several: the wall clock. */
static inline double bench_clock(int wall_clock)
{
    struct timespec ts;
    clock_gettime(wall_clock ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A whole file, NUL-terminated, or NULL. */
static inline char *bench_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
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

/* Where the primed measurement cuts a text in two: after the first newline
 * past the middle, else at the middle moved back to a character start. */
static inline size_t bench_half(const char *s, size_t n)
{
    const char *nl = memchr(s + n / 2, '\n', n - n / 2);
    if (nl) return (size_t)(nl - s) + 1;
    size_t m = n / 2;
    while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80) m--;
    return m;
}

#endif
