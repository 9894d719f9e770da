/* A progress line on stderr for long jobs, only when stderr is a terminal. */
#include "tok_corpora.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

TOK_API void tok_progress_init(tok_progress *p, const char *label, uint64_t total)
{
    p->label = label ? label : "";
    p->total = total;
    p->tty = isatty(2) == 1;
    p->started = p->tty ? now_s() : 0;
    p->last = p->started;
    p->drawn = false;
}

TOK_API void tok_progress_update(tok_progress *p, uint64_t done)
{
    if (!p->tty) return;
    double t = now_s();
    if (t - p->last < 0.25) return;
    p->last = t;
    double el = t - p->started, mb = (double)done / 1e6, rate = el > 0 ? mb / el : 0;
    if (p->total)
        fprintf(stderr, "\r%s: %.1f/%.1f MB (%.0f%%) %.1f MB/s   ", p->label, mb, (double)p->total / 1e6,
                100.0 * (double)done / (double)p->total, rate);
    else
        fprintf(stderr, "\r%s: %.1f MB %.1f MB/s   ", p->label, mb, rate);
    p->drawn = true;
}

TOK_API void tok_progress_done(tok_progress *p)
{
    if (p->tty && p->drawn) fputs("\r\033[K", stderr);
    p->drawn = false;
}
