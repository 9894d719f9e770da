/* Policy files: "key = value" lines into a tok_keep_config. */
#include "tok_keep.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TOK_DATADIR
#define TOK_DATADIR "/usr/local/share/libtok"
#endif

#define MAX_POLICY_BYTES (1u << 20)

static tok_status perr(tok_error *err, tok_status st, const char *file, size_t line, const char *fmt, const char *a)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (err) {
        err->code = st;
        char msg[256];
        snprintf(msg, sizeof msg, fmt, a);
        if (line) snprintf(err->message, sizeof err->message, "%.200s:%zu: %.250s", file, line, msg);
        else snprintf(err->message, sizeof err->message, "%.200s: %.250s", file, msg);
    }
#pragma GCC diagnostic pop
    return st;
}

static int find_policy(const char *name, char *out, size_t cap)
{
    if (strchr(name, '/') || strstr(name, ".policy")) {
        snprintf(out, cap, "%s", name);
        return access(out, R_OK) == 0 ? 0 : -1;
    }
    const char *env = getenv("TOK_POLICY_PATH");
    if (env && *env) {
        const char *p = env;
        while (*p) {
            const char *e = strchr(p, ':');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l && (size_t)snprintf(out, cap, "%.*s/%s.policy", (int)l, p, name) < cap && access(out, R_OK) == 0) return 0;
            p += l + (e ? 1 : 0);
        }
    }
    if ((size_t)snprintf(out, cap, "%s/policies/%s.policy", TOK_DATADIR, name) < cap && access(out, R_OK) == 0) return 0;
    if ((size_t)snprintf(out, cap, "data/policies/%s.policy", name) < cap && access(out, R_OK) == 0) return 0;
    return -1;
}

static int parse_long(const char *v, long *out)
{
    char *e;
    errno = 0;
    long x = strtol(v, &e, 10);
    if (e == v || *e || errno) return -1;
    *out = x;
    return 0;
}

static int parse_double(const char *v, double *out)
{
    char *e;
    errno = 0;
    double x = strtod(v, &e);
    if (e == v || *e || errno || !isfinite(x)) return -1;
    *out = x;
    return 0;
}

/* "a,b,c" of prior names; "none" is 0 */
static int parse_flags(const char *v, uint32_t *out)
{
    uint32_t f = 0;
    if (!strcmp(v, "none")) { *out = 0; return 0; }
    while (*v) {
        const char *e = strchr(v, ',');
        size_t l = e ? (size_t)(e - v) : strlen(v);
        while (l && (*v == ' ')) { v++; l--; }
        while (l && v[l - 1] == ' ') l--;
        uint32_t b = tok_prior_from_name(v, l);
        if (!b) return -1;
        f |= b;
        v += (e ? (size_t)(e - v) + 1 : l);
        if (!e) break;
    }
    *out = f;
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) *out = 1;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) *out = 0;
    else return -1;
    return 0;
}

static int set_key(tok_keep_config *c, const char *key, const char *v)
{
    long l;
    if (!strcmp(key, "name")) { snprintf(c->name, sizeof c->name, "%s", v); return 0; }
    if (!strcmp(key, "mode")) {
        if (!strcmp(v, "none")) c->mode = TOK_KEEP_NONE;
        else if (!strcmp(v, "sum")) c->mode = TOK_KEEP_SUM;
        else if (!strcmp(v, "decay")) c->mode = TOK_KEEP_DECAY;
        else if (!strcmp(v, "normalized")) c->mode = TOK_KEEP_NORMALIZED;
        else return -2;
        return 0;
    }
    if (!strcmp(key, "alpha")) return parse_double(v, &c->alpha);
    if (!strcmp(key, "normalize")) {
        if (!strcmp(v, "all-rows")) c->probe_exact = 0;
        else if (!strcmp(v, "probe-rows")) c->probe_exact = 1;
        else return -1;
        return 0;
    }
    if (!strcmp(key, "sinks")) return parse_long(v, &c->sinks);
    if (!strcmp(key, "window")) return parse_long(v, &c->window);
    if (!strcmp(key, "separators")) {
        if (!strcmp(v, "all")) { c->sep_budget = -1; return 0; }
        if (parse_long(v, &l) || l < 0) return -1;
        c->sep_budget = l;
        return 0;
    }
    if (!strcmp(key, "heavy")) {
        if (!strcmp(v, "auto")) { c->heavy = -1; return 0; }
        if (parse_long(v, &l) || l < 0) return -1;
        c->heavy = l;
        return 0;
    }
    if (!strcmp(key, "budget")) {
        if (strchr(v, '.')) {
            if (parse_double(v, &c->ratio)) return -1;
            c->budget = 0;
            return 0;
        }
        c->ratio = 0;
        return parse_long(v, &c->budget);
    }
    if (!strcmp(key, "separator_flags")) return parse_flags(v, &c->sep_flags);
    if (!strcmp(key, "protect")) return parse_flags(v, &c->protect_flags);
    if (!strncmp(key, "weight.", 7)) {
        uint32_t b = tok_prior_from_name(key + 7, strlen(key + 7));
        if (!b) return -3;
        int i = 0;
        while (!(b & (1u << i))) i++;
        return parse_double(v, &c->weight[i]);
    }
    if (!strcmp(key, "granularity")) {
        if (!strcmp(v, "token")) c->word_granularity = 0;
        else if (!strcmp(v, "word")) c->word_granularity = 1;
        else return -1;
        return 0;
    }
    if (!strcmp(key, "groups")) {
        if (parse_long(v, &l) || l < 1 || l > 4096) return -1;
        c->groups = (int)l;
        return 0;
    }
    if (!strcmp(key, "capacity")) {
        if (parse_long(v, &l) || l < 1) return -1;
        c->capacity = (size_t)l;
        return 0;
    }
    if (!strcmp(key, "raters")) {
        if (!strcmp(v, "none")) c->raters = TOK_RATERS_NONE;
        else if (!strcmp(v, "all")) c->raters = TOK_RATERS_ALL;
        else if (!strcmp(v, "above-mean")) c->raters = TOK_RATERS_ABOVE_MEAN;
        else return -2;
        return 0;
    }
    if (!strcmp(key, "rater_exclude")) return parse_flags(v, &c->rater_exclude);
    if (!strcmp(key, "rater_whole_words")) return parse_bool(v, &c->rater_whole_words);
    if (!strcmp(key, "span_budget")) {
        if (strchr(v, '.')) {
            if (parse_double(v, &c->span_ratio)) return -1;
            c->span_budget = 0;
            return 0;
        }
        c->span_ratio = 0;
        return parse_long(v, &c->span_budget);
    }
    return -3;
}

tok_status tok_keep_config_load(tok_keep_config *c, const char *name_or_path, tok_error *err)
{
    char path[4096];
    if (!c || c->size != sizeof *c) return perr(err, TOK_ERR_ARG, "keep", 0, "%s", "configuration not initialised");
    if (find_policy(name_or_path, path, sizeof path))
        return perr(err, TOK_ERR_IO, name_or_path, 0, "%s",
                    "no such policy (a file, or a name in $TOK_POLICY_PATH, " TOK_DATADIR "/policies, data/policies)");
    FILE *f = fopen(path, "rb");
    if (!f) return perr(err, TOK_ERR_IO, path, 0, "%s", strerror(errno));
    char line[1024];
    size_t lineno = 0, total = 0;
    tok_status st = TOK_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t l = strlen(line);
        total += l;
        if (total > MAX_POLICY_BYTES) { st = perr(err, TOK_ERR_LIMIT, path, lineno, "%s", "policy file larger than 1 MiB"); break; }
        if (l == sizeof line - 1 && line[l - 1] != '\n') { st = perr(err, TOK_ERR_FORMAT, path, lineno, "%s", "line too long"); break; }
        char *h = strchr(line, '#');
        if (h) *h = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        char *e = p + strlen(p);
        while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) *--e = 0;
        if (!*p) continue;
        char *eq = strchr(p, '=');
        if (!eq) { st = perr(err, TOK_ERR_FORMAT, path, lineno, "expected key = value, got '%s'", p); break; }
        char *k = p, *ke = eq;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
        *ke = 0;
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t') v++;
        int r = set_key(c, k, v);
        if (r == -3) { st = perr(err, TOK_ERR_UNSUPPORTED, path, lineno, "unknown key '%s'", k); break; }
        if (r == -2) { st = perr(err, TOK_ERR_UNSUPPORTED, path, lineno, "unknown value '%s'", v); break; }
        if (r) { st = perr(err, TOK_ERR_FORMAT, path, lineno, "bad value '%s'", v); break; }
    }
    if (!st && ferror(f)) st = perr(err, TOK_ERR_IO, path, 0, "%s", "read error");
    fclose(f);
    if (st) return st;
    tok_error e2;
    if (tok_keep_config_check(c, &e2)) return perr(err, e2.code, path, 0, "%.250s", e2.message);
    return TOK_OK;
}
