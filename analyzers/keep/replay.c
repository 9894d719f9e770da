/* Replaying an attention trace file through the engine (format in tok_keep.h). */
#include "tok_keep.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fbuf {
    float *v;
    size_t n, cap;
} fbuf;

static int fb_push(fbuf *b, float x)
{
    if (b->n == b->cap) {
        size_t c = b->cap ? b->cap * 2 : 1024;
        float *q = realloc(b->v, c * sizeof *q);
        if (!q) return -1;
        b->v = q;
        b->cap = c;
    }
    b->v[b->n++] = x;
    return 0;
}

typedef struct replay {
    const char *path;
    size_t line;
    tok_error *err;
} replay;

static tok_status rfail(replay *r, tok_status st, const char *fmt, ...)
{
    if (r->err) {
        char m[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m, sizeof m, fmt, ap);
        va_end(ap);
        r->err->code = st;
        snprintf(r->err->message, sizeof r->err->message, "%.200s:%zu: %.300s", r->path, r->line, m);
    }
    return st;
}

/* parse whitespace-separated numbers of the rest of a line */
static int parse_floats(char *p, fbuf *out)
{
    out->n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '\n' || *p == '\r') return 0;
        char *e;
        errno = 0;
        double d = strtod(p, &e);
        if (e == p || errno == ERANGE || !isfinite(d)) return -1;
        if (fb_push(out, (float)d)) return -2;
        p = e;
    }
}

static int parse_i64(char **p, long long *out)
{
    char *e;
    errno = 0;
    long long x = strtoll(*p, &e, 10);
    if (e == *p || errno) return -1;
    *p = e;
    *out = x;
    return 0;
}

tok_status tok_keep_replay(tok_keep *k, const char *path, const tok_keep_priors *priors, tok_keep_step_fn fn, void *user,
                           tok_error *err)
{
    replay r = { path, 0, err };
    FILE *f = fopen(path, "rb");
    if (!f) return rfail(&r, TOK_ERR_IO, "%s", strerror(errno));
    const tok_keep_config *c = tok_keep_get_config(k);
    int G = c->groups;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    fbuf vals = { 0 }, row = { 0 }, rat = { 0 }, rel = { 0 };
    uint32_t *pflags = NULL, *rflags = NULL;
    int32_t *pword = NULL, *rword = NULL;
    size_t npos = 0, pcap = 0, nrat = 0, ratcap = 0, nrel = 0, step = 0;
    long long span_start = -1, span_len = 0;
    tok_status st = TOK_OK;
    int header = 0;
    while ((len = getline(&line, &lcap, f)) > 0) {
        r.line++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '\n' || *p == '\r' || *p == '#') continue;
        if (header == 0) {
            if (strncmp(p, "tok-trace 1", 11)) { st = rfail(&r, TOK_ERR_FORMAT, "not a trace file (expected 'tok-trace 1')"); break; }
            header = 1;
            continue;
        }
        if (header == 1) {
            long long g;
            char *q = p + 6;
            if (strncmp(p, "groups", 6) || parse_i64(&q, &g) || g < 1) { st = rfail(&r, TOK_ERR_FORMAT, "expected 'groups G'"); break; }
            if (g != G) { st = rfail(&r, TOK_ERR_ARG, "trace has %lld groups, the policy %d (set groups = %lld)", g, G, g); break; }
            header = 2;
            continue;
        }
        char kind = *p;
        char *q = p + 1;
        if (kind == 'p' || kind == 'i') {
            long long pos, fl, w;
            if (parse_i64(&q, &pos) || parse_i64(&q, &fl) || parse_i64(&q, &w)) { st = rfail(&r, TOK_ERR_FORMAT, "expected '%c POS %s WORD'", kind, kind == 'p' ? "FLAGS" : "ID"); break; }
            if (pos != (long long)npos) { st = rfail(&r, TOK_ERR_FORMAT, "position %lld out of order (expected %zu)", pos, npos); break; }
            if (w < -1 || w > INT32_MAX) { st = rfail(&r, TOK_ERR_FORMAT, "word id %lld", w); break; }
            uint32_t flags;
            if (kind == 'i') {
                if (!priors) { st = rfail(&r, TOK_ERR_ARG, "'i' records need a priors file (--priors)"); break; }
                if (fl < 0 || (size_t)fl >= tok_keep_priors_vocab_size(priors)) { st = rfail(&r, TOK_ERR_RANGE, "token id %lld outside the priors' vocabulary", fl); break; }
                flags = tok_keep_priors_flags(priors, (int32_t)fl);
            } else {
                if (fl < 0 || fl > UINT32_MAX) { st = rfail(&r, TOK_ERR_FORMAT, "flags %lld", fl); break; }
                flags = (uint32_t)fl;
            }
            if (npos == pcap) {
                size_t nc = pcap ? pcap * 2 : 4096;
                uint32_t *a = realloc(pflags, nc * sizeof *a);
                if (a) pflags = a;
                int32_t *b = realloc(pword, nc * sizeof *b);
                if (b) pword = b;
                if (!a || !b) { st = rfail(&r, TOK_ERR_NOMEM, "out of memory"); break; }
                pcap = nc;
            }
            pflags[npos] = flags;
            pword[npos] = (int32_t)w;
            npos++;
            st = tok_keep_append(k, pos, flags, (int32_t)w);
            if (st == TOK_ERR_LIMIT && !(st = tok_keep_reserve(k, 2 * (size_t)pos + 1024)))
                st = tok_keep_append(k, pos, flags, (int32_t)w);
            if (st) { st = rfail(&r, st, "%s", tok_keep_error(k)); break; }
        } else if (kind == 'r') {
            long long g, qp;
            if (parse_i64(&q, &g) || parse_i64(&q, &qp)) { st = rfail(&r, TOK_ERR_FORMAT, "expected 'r GROUP Q values...'"); break; }
            if (g < 0 || g >= G) { st = rfail(&r, TOK_ERR_ARG, "group %lld of %d", g, G); break; }
            if (qp < 0 || qp >= (long long)npos) { st = rfail(&r, TOK_ERR_FORMAT, "query position %lld not appended yet", qp); break; }
            int pr = parse_floats(q, &vals);
            if (pr) { st = rfail(&r, pr == -2 ? TOK_ERR_NOMEM : TOK_ERR_FORMAT, "bad number in the row"); break; }
            if (vals.n != (size_t)qp + 1) { st = rfail(&r, TOK_ERR_FORMAT, "row of query %lld has %zu values, expected %lld", qp, vals.n, qp + 1); break; }
            const int64_t *live;
            size_t n = tok_keep_live(k, (int)g, &live);
            row.n = 0;
            for (size_t s = 0; s < n; s++)
                if (fb_push(&row, live[s] <= qp ? vals.v[live[s]] : 0.0f)) { st = TOK_ERR_NOMEM; break; }
            if (st) { rfail(&r, st, "out of memory"); break; }
            if ((st = tok_keep_feed(k, (int)g, qp, row.v, n))) { st = rfail(&r, st, "%s", tok_keep_error(k)); break; }
            if (span_start >= 0 && g == 0) {
                if (qp < span_start + span_len) { st = rfail(&r, TOK_ERR_FORMAT, "rater row %lld inside or before the span", qp); break; }
                for (long long v = 0; v < span_len; v++)
                    if (fb_push(&rat, vals.v[span_start + v])) { st = TOK_ERR_NOMEM; break; }
                if (nrat == ratcap) {
                    size_t nc = ratcap ? ratcap * 2 : 256;
                    uint32_t *a = realloc(rflags, nc * sizeof *a);
                    if (a) rflags = a;
                    int32_t *b = realloc(rword, nc * sizeof *b);
                    if (b) rword = b;
                    if (!a || !b) st = TOK_ERR_NOMEM;
                    ratcap = nc;
                }
                if (st) { rfail(&r, st, "out of memory"); break; }
                rflags[nrat] = pflags[qp];
                rword[nrat] = pword[qp];
                nrat++;
            }
        } else if (!strncmp(p, "span", 4)) {
            q = p + 4;
            if (G != 1) { st = rfail(&r, TOK_ERR_ARG, "span pruning replays one group"); break; }
            if (parse_i64(&q, &span_start) || parse_i64(&q, &span_len) || span_start < 0 || span_len < 1 ||
                span_start + span_len > (long long)npos) {
                st = rfail(&r, TOK_ERR_FORMAT, "expected 'span START LEN' over appended positions");
                break;
            }
            nrat = 0;
            rat.n = 0;
            rel.n = 0;
            nrel = 0;
        } else if (kind == 'b') {
            long long a, b;
            if (parse_i64(&q, &a) || parse_i64(&q, &b) || parse_floats(q, &vals) || vals.n != 1) {
                st = rfail(&r, TOK_ERR_FORMAT, "expected 'b FROM TO BIAS'");
                break;
            }
            if ((st = tok_keep_bias(k, a, b, (double)vals.v[0]))) { st = rfail(&r, st, "%s", tok_keep_error(k)); break; }
        } else if (kind == 'x') {
            long long v;
            if (span_start < 0 || parse_i64(&q, &v) || v != (long long)nrel) { st = rfail(&r, TOK_ERR_FORMAT, "'x V ...' needs a span and V in order (expected %zu)", nrel); break; }
            int pr = parse_floats(q, &vals);
            if (pr || vals.n != nrat) { st = rfail(&r, TOK_ERR_FORMAT, "relevance row of %zu values for %zu rater rows", vals.n, nrat); break; }
            for (size_t t = 0; t < vals.n; t++)
                if (fb_push(&rel, vals.v[t])) { st = rfail(&r, TOK_ERR_NOMEM, "out of memory"); break; }
            if (st) break;
            nrel++;
        } else if (kind == 's') {
            if (span_start >= 0) {
                if (nrel && nrel != (size_t)span_len) { st = rfail(&r, TOK_ERR_FORMAT, "%zu relevance rows for a span of %lld", nrel, span_len); break; }
                if (!nrat) { st = rfail(&r, TOK_ERR_FORMAT, "span step without rater rows"); break; }
                st = tok_keep_span(k, 0, span_start, (size_t)span_len, rat.v, nrat, rflags, rword, nrel ? rel.v : NULL, NULL, NULL);
                if (st) { st = rfail(&r, st, "%s", tok_keep_error(k)); break; }
                span_start = -1;
            } else if ((st = tok_keep_step(k))) {
                st = rfail(&r, st, "%s", tok_keep_error(k));
                break;
            }
            step++;
            if (fn && fn(user, k, step)) break;
        } else {
            st = rfail(&r, TOK_ERR_FORMAT, "unknown record '%c' (p, i, r, b, span, x, s)", kind);
            break;
        }
    }
    if (!st && header < 2) st = rfail(&r, TOK_ERR_FORMAT, "no 'tok-trace 1' / 'groups G' header");
    if (!st && ferror(f)) st = rfail(&r, TOK_ERR_IO, "read error");
    free(line);
    free(vals.v);
    free(row.v);
    free(rat.v);
    free(rel.v);
    free(pflags);
    free(pword);
    free(rflags);
    free(rword);
    fclose(f);
    return st;
}
