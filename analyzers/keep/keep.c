/* The keep-mask engine: live sets, score accumulation, selection, eviction. */
#include "tok_keep.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct kgroup {
    int64_t *pos;
    uint32_t *flags;
    int32_t *word;
    double *score;  /* SUM/DECAY accumulator */
    double *seen;   /* rows fed that see the key (probe_exact) */
    uint64_t *born; /* positions appended before this one */
    double *bias;   /* caller's retention priority (tok_keep_bias), or NULL */
    size_t n;
    int64_t *ev;    /* evicted by the last step */
    size_t nev;
} kgroup;

typedef struct kunit {
    double s;
    int64_t tie;    /* first position: equal scores keep the later one */
    uint32_t first, size;
} kunit;

struct tok_keep {
    tok_keep_config c;
    kgroup *g;
    size_t cap;
    uint64_t appended;
    int64_t last_pos;
    int have_pos;
    uint32_t weighted; /* flags with a non-zero weight */
    uint8_t *keep;   /* scratch, cap */
    kunit *units;    /* scratch, cap */
    double *tmp;     /* scratch, cap */
    char err[256];
};

static tok_status fail(tok_keep *k, tok_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->err, sizeof k->err, fmt, ap);
    va_end(ap);
    return st;
}

static tok_status cfail(tok_error *err, tok_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = st;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return st;
}

void tok_keep_config_init(tok_keep_config *c)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->mode = TOK_KEEP_NONE;
    c->alpha = 1.0;
    c->heavy = -1;
    c->sep_flags = TOK_PRIOR_SEPARATOR;
    c->groups = 1;
    c->raters = TOK_RATERS_NONE;
}

tok_status tok_keep_config_check(const tok_keep_config *c, tok_error *err)
{
    if (!c || c->size != sizeof *c) return cfail(err, TOK_ERR_ARG, "keep: configuration not initialised (tok_keep_config_init)");
    if (c->mode < TOK_KEEP_NONE || c->mode > TOK_KEEP_NORMALIZED)
        return cfail(err, TOK_ERR_ARG, "keep: unknown mode %d", (int)c->mode);
    if (c->sinks < 0 || c->window < 0) return cfail(err, TOK_ERR_ARG, "keep: negative sinks (%ld) or window (%ld)", c->sinks, c->window);
    if (c->sep_budget < -1) return cfail(err, TOK_ERR_ARG, "keep: separator budget %ld (use -1 for all)", c->sep_budget);
    if (c->heavy < -1) return cfail(err, TOK_ERR_ARG, "keep: heavy-hitter budget %ld (use -1 to fill the budget)", c->heavy);
    if (c->budget < 0) return cfail(err, TOK_ERR_ARG, "keep: negative budget %ld", c->budget);
    if (c->span_budget < 0) return cfail(err, TOK_ERR_ARG, "keep: negative span budget %ld", c->span_budget);
    if (!(c->ratio >= 0 && c->ratio <= 1)) return cfail(err, TOK_ERR_ARG, "keep: ratio %g outside (0, 1]", c->ratio);
    if (!(c->span_ratio >= 0 && c->span_ratio <= 1)) return cfail(err, TOK_ERR_ARG, "keep: span ratio %g outside (0, 1]", c->span_ratio);
    if (c->mode == TOK_KEEP_DECAY && !(c->alpha > 0 && c->alpha <= 1))
        return cfail(err, TOK_ERR_ARG, "keep: decay alpha %g outside (0, 1]", c->alpha);
    if (c->groups < 1 || c->groups > 4096) return cfail(err, TOK_ERR_ARG, "keep: %d groups (1..4096)", c->groups);
    if (c->ratio == 0 && c->budget == 0 && c->raters == TOK_RATERS_NONE)
        return cfail(err, TOK_ERR_ARG, "keep: no budget (set budget or ratio)");
    if (c->ratio == 0 && c->budget > 0 && c->budget < c->sinks + c->window)
        return cfail(err, TOK_ERR_ARG, "keep: budget %ld smaller than sinks + window (%ld + %ld)", c->budget, c->sinks,
                     c->window);
    if (c->heavy > 0 && c->ratio == 0 && c->budget > 0 && c->heavy > c->budget)
        return cfail(err, TOK_ERR_ARG, "keep: heavy-hitter budget %ld above the budget %ld", c->heavy, c->budget);
    if (c->raters < TOK_RATERS_NONE || c->raters > TOK_RATERS_ABOVE_MEAN)
        return cfail(err, TOK_ERR_ARG, "keep: unknown rater rule %d", (int)c->raters);
    for (int b = 0; b < TOK_PRIOR_NBITS; b++)
        if (!isfinite(c->weight[b])) return cfail(err, TOK_ERR_ARG, "keep: weight of %s is not finite", tok_prior_name(1u << b));
    return TOK_OK;
}

static void group_free(kgroup *g)
{
    free(g->pos);
    free(g->flags);
    free(g->word);
    free(g->score);
    free(g->seen);
    free(g->born);
    free(g->bias);
    free(g->ev);
}

/* which per-position arrays a configuration needs */
static int uses_word(const tok_keep_config *c) { return c->word_granularity; }
static int uses_score(const tok_keep_config *c) { return c->mode != TOK_KEEP_NONE; }
static int uses_seen(const tok_keep_config *c) { return c->mode == TOK_KEEP_NORMALIZED && c->probe_exact; }
static int uses_born(const tok_keep_config *c) { return c->mode == TOK_KEEP_NORMALIZED && !c->probe_exact; }

tok_status tok_keep_reserve(tok_keep *k, size_t cap)
{
    if (cap <= k->cap) return TOK_OK;
    if (cap > ((size_t)1 << 40) / sizeof(kunit)) return fail(k, TOK_ERR_LIMIT, "keep: capacity %zu too large", cap);
#define GROW(p, n) do { void *q_ = realloc((p), (n) * sizeof *(p)); if (!q_) return fail(k, TOK_ERR_NOMEM, "keep: out of memory"); (p) = q_; } while (0)
    const tok_keep_config *c = &k->c;
    for (int i = 0; i < c->groups; i++) {
        kgroup *g = &k->g[i];
        GROW(g->pos, cap);
        GROW(g->flags, cap);
        if (uses_word(c)) GROW(g->word, cap);
        if (uses_score(c)) GROW(g->score, cap);
        if (uses_seen(c)) GROW(g->seen, cap);
        if (uses_born(c)) GROW(g->born, cap);
        if (g->bias) GROW(g->bias, cap);
        GROW(g->ev, cap);
    }
    GROW(k->keep, cap);
    GROW(k->units, cap);
    GROW(k->tmp, cap);
#undef GROW
    k->cap = cap;
    return TOK_OK;
}

/* move slots [from, from + n) to `to` (to < from) in every array in use */
static void move_slots(kgroup *g, size_t to, size_t from, size_t n)
{
    memmove(g->pos + to, g->pos + from, n * sizeof *g->pos);
    memmove(g->flags + to, g->flags + from, n * sizeof *g->flags);
    if (g->word) memmove(g->word + to, g->word + from, n * sizeof *g->word);
    if (g->score) memmove(g->score + to, g->score + from, n * sizeof *g->score);
    if (g->seen) memmove(g->seen + to, g->seen + from, n * sizeof *g->seen);
    if (g->born) memmove(g->born + to, g->born + from, n * sizeof *g->born);
    if (g->bias) memmove(g->bias + to, g->bias + from, n * sizeof *g->bias);
}

/* drop the slots whose keep[] byte is 0, listing them as evicted; runs of
 * kept slots move as blocks */
static void compact(kgroup *g, const uint8_t *keep)
{
    size_t n = g->n, o = 0, i = 0;
    g->nev = 0;
    while (i < n) {
        if (!keep[i]) {
            g->ev[g->nev++] = g->pos[i++];
            continue;
        }
        const uint8_t *z = memchr(keep + i, 0, n - i);
        size_t j = z ? (size_t)(z - keep) : n;
        if (o != i) move_slots(g, o, i, j - i);
        o += j - i;
        i = j;
    }
    g->n = o;
}

tok_keep *tok_keep_new(const tok_keep_config *c, tok_error *err)
{
    if (tok_keep_config_check(c, err)) return NULL;
    tok_keep *k = calloc(1, sizeof *k);
    if (!k) { cfail(err, TOK_ERR_NOMEM, "keep: out of memory"); return NULL; }
    k->c = *c;
    for (int b = 0; b < TOK_PRIOR_NBITS; b++)
        if (c->weight[b] != 0) k->weighted |= 1u << b;
    k->g = calloc((size_t)c->groups, sizeof *k->g);
    size_t cap = c->capacity;
    if (!cap) cap = (c->budget > 0 ? (size_t)c->budget * 2 : 0) + 4096;
    if (!k->g || tok_keep_reserve(k, cap)) {
        cfail(err, TOK_ERR_NOMEM, "keep: cannot allocate for capacity %zu: %s", cap, k->err);
        tok_keep_free(k);
        return NULL;
    }
    return k;
}

void tok_keep_free(tok_keep *k)
{
    if (!k) return;
    if (k->g)
        for (int i = 0; i < k->c.groups; i++) group_free(&k->g[i]);
    free(k->g);
    free(k->keep);
    free(k->units);
    free(k->tmp);
    free(k);
}

const char *tok_keep_error(const tok_keep *k) { return k ? k->err : "keep: NULL handle"; }

tok_status tok_keep_append(tok_keep *k, int64_t pos, uint32_t flags, int32_t word)
{
    if (k->have_pos && pos <= k->last_pos)
        return fail(k, TOK_ERR_ARG, "keep: position %lld appended after %lld (positions must increase)", (long long)pos,
                    (long long)k->last_pos);
    for (int i = 0; i < k->c.groups; i++)
        if (k->g[i].n >= k->cap)
            return fail(k, TOK_ERR_LIMIT, "keep: group %d holds %zu positions, its capacity: step (evict) first or reserve more", i,
                        k->cap);
    for (int i = 0; i < k->c.groups; i++) {
        kgroup *g = &k->g[i];
        size_t s = g->n++;
        g->pos[s] = pos;
        g->flags[s] = flags;
        if (g->word) g->word[s] = word;
        if (g->score) g->score[s] = 0;
        if (g->seen) g->seen[s] = 0;
        if (g->born) g->born[s] = k->appended;
        if (g->bias) g->bias[s] = 0;
    }
    k->appended++;
    k->last_pos = pos;
    k->have_pos = 1;
    return TOK_OK;
}

tok_status tok_keep_feed(tok_keep *k, int group, int64_t qpos, const float *attn, size_t n)
{
    if (group < 0 || group >= k->c.groups) return fail(k, TOK_ERR_ARG, "keep: group %d of %d", group, k->c.groups);
    kgroup *g = &k->g[group];
    if (n != g->n) return fail(k, TOK_ERR_ARG, "keep: row of %zu values for %zu live keys in group %d", n, g->n, group);
    double *s = g->score;
    switch (k->c.mode) {
    case TOK_KEEP_NONE: break;
    case TOK_KEEP_SUM:
        for (size_t i = 0; i < n; i++) s[i] += (double)attn[i];
        break;
    case TOK_KEEP_DECAY: {
        double a = k->c.alpha;
        for (size_t i = 0; i < n; i++) s[i] = a * s[i] + (double)attn[i];
        break;
    }
    case TOK_KEEP_NORMALIZED:
        for (size_t i = 0; i < n; i++) s[i] += (double)attn[i];
        if (g->seen)
            for (size_t i = 0; i < n && g->pos[i] <= qpos; i++) g->seen[i] += 1;
        break;
    }
    return TOK_OK;
}

tok_status tok_keep_feed_sums(tok_keep *k, int group, const float *sums, size_t n, size_t rows)
{
    if (k->c.mode == TOK_KEEP_DECAY && rows != 1)
        return fail(k, TOK_ERR_ARG, "keep: decay needs one row at a time (got column sums of %zu rows)", rows);
    if (group < 0 || group >= k->c.groups) return fail(k, TOK_ERR_ARG, "keep: group %d of %d", group, k->c.groups);
    kgroup *g = &k->g[group];
    if (n != g->n) return fail(k, TOK_ERR_ARG, "keep: %zu sums for %zu live keys in group %d", n, g->n, group);
    if (k->c.mode == TOK_KEEP_DECAY) return tok_keep_feed(k, group, k->last_pos, sums, n);
    if (k->c.mode == TOK_KEEP_NONE) return TOK_OK;
    for (size_t i = 0; i < n; i++) g->score[i] += (double)sums[i];
    if (g->seen)
        for (size_t i = 0; i < n; i++) g->seen[i] += (double)rows;
    return TOK_OK;
}

size_t tok_keep_budget(const tok_keep *k)
{
    const tok_keep_config *c = &k->c;
    size_t b;
    if (c->ratio > 0) {
        double drop = floor((1.0 - c->ratio) * (double)k->appended);
        b = (size_t)((double)k->appended - drop);
    } else b = (size_t)c->budget;
    size_t fl = (size_t)c->sinks + (size_t)c->window;
    return b < fl ? fl : b;
}

static double eff_score(const tok_keep *k, const kgroup *g, size_t i)
{
    double s = 0;
    switch (k->c.mode) {
    case TOK_KEEP_NONE: s = 0; break;
    case TOK_KEEP_SUM:
    case TOK_KEEP_DECAY: s = g->score[i]; break;
    case TOK_KEEP_NORMALIZED: {
        double d = g->seen ? g->seen[i] : (double)(k->appended - g->born[i]);
        s = d > 0 ? g->score[i] / d : 0;
        break;
    }
    }
    if (g->bias) s += g->bias[i];
    uint32_t f = g->flags[i] & k->weighted;
    while (f) {
        int b = __builtin_ctz(f);
        s += k->c.weight[b];
        f &= f - 1;
    }
    return s;
}

double tok_keep_score(const tok_keep *k, int group, size_t slot)
{
    if (group < 0 || group >= k->c.groups || slot >= k->g[group].n) return 0;
    return eff_score(k, &k->g[group], slot);
}

/* a ranks before b: higher score, then later position */
static inline int better(const kunit *a, const kunit *b)
{
    if (a->s != b->s) return a->s > b->s;
    return a->tie > b->tie;
}

static inline void uswap(kunit *a, kunit *b)
{
    kunit t = *a;
    *a = *b;
    *b = t;
}

/* Reorder u[0..n) so that its best units, in rank order, up to the first
 * that does not fit in `budget` positions, come first (in any order); return
 * how many.  Quickselect on weights: expected linear. */
static size_t top_units(kunit *u, size_t n, size_t budget)
{
    size_t lo = 0, hi = n, taken = 0;
    while (lo < hi) {
        /* median of three as the pivot, moved to hi-1 */
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        if (better(&u[mid], &u[lo])) uswap(&u[mid], &u[lo]);
        if (better(&u[last], &u[lo])) uswap(&u[last], &u[lo]);
        if (better(&u[last], &u[mid])) uswap(&u[last], &u[mid]);
        /* now u[lo] best, u[mid] median, u[last] worst */
        uswap(&u[mid], &u[last]);
        kunit p = u[last];
        size_t st = lo;
        size_t w = 0;
        for (size_t i = lo; i < last; i++)
            if (better(&u[i], &p)) {
                w += u[i].size;
                uswap(&u[i], &u[st++]);
            }
        uswap(&u[st], &u[last]); /* pivot at st; [lo,st) better */
        if (w > budget) {
            hi = st; /* the cut lies among the better ones */
        } else if (w + u[st].size <= budget) {
            budget -= w + u[st].size;
            taken = st + 1;
            lo = st + 1;
        } else {
            return st; /* better ones fit, the pivot does not: the prefix ends */
        }
    }
    (void)taken;
    return lo;
}

#define FEW 32

static void select_group(tok_keep *k, kgroup *g, size_t B)
{
    const tok_keep_config *c = &k->c;
    size_t n = g->n;
    uint8_t *keep = k->keep;
    memset(keep, 0, n);
    size_t s = (size_t)c->sinks < n ? (size_t)c->sinks : n;
    size_t w0 = n - ((size_t)c->window < n ? (size_t)c->window : n);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < s || i >= w0 || (c->protect_flags && (g->flags[i] & c->protect_flags))) {
            keep[i] = 1;
            kept++;
        }
    }
    if (c->sep_budget != 0 && c->sep_flags) {
        long cnt = 0;
        for (size_t i = w0; i-- > s;) {
            if (keep[i] || !(g->flags[i] & c->sep_flags)) continue;
            if (c->sep_budget >= 0 && cnt >= c->sep_budget) break;
            keep[i] = 1;
            kept++;
            cnt++;
        }
    }
    size_t hh = c->heavy >= 0 ? (size_t)c->heavy : (B > kept ? B - kept : 0);
    size_t cand = n - kept;
    if (hh > 0 && !c->word_granularity && hh < cand && cand - hh <= FEW) {
        /* decode steps evict a few positions: keep every candidate except
         * the cand - hh worst, found in one scan (same result as the
         * selection below: all units have size 1) */
        kunit w[FEW];
        size_t m = cand - hh, nw = 0;
        const double *es = g->score;
        if (k->weighted || g->bias || !(c->mode == TOK_KEEP_SUM || c->mode == TOK_KEEP_DECAY)) {
            for (size_t i = 0; i < n; i++) k->tmp[i] = eff_score(k, g, i);
            es = k->tmp;
        }
        for (size_t i = 0; i < n; i++) {
            if (keep[i]) continue;
            keep[i] = 1;
            double sc = es[i];
            if (nw == m && sc > w[nw - 1].s) continue; /* fast reject: better than the m worst */
            kunit u = { sc, g->pos[i], (uint32_t)i, 1 };
            if (nw == m && !better(&w[nw - 1], &u)) continue; /* not among the m worst */
            size_t j = nw < m ? nw++ : nw - 1;                /* w[] ascends: worst first */
            while (j > 0 && better(&w[j - 1], &u)) {
                w[j] = w[j - 1];
                j--;
            }
            w[j] = u;
        }
        for (size_t j = 0; j < nw; j++) keep[w[j].first] = 0;
        hh = 0;
    }
    if (hh > 0) {
        kunit *u = k->units;
        size_t nu = 0;
        for (size_t i = 0; i < n; i++) {
            if (keep[i]) continue;
            double sc = eff_score(k, g, i);
            if (g->word && nu && g->word[i] >= 0 && u[nu - 1].size &&
                g->word[u[nu - 1].first + u[nu - 1].size - 1] == g->word[i] &&
                u[nu - 1].first + u[nu - 1].size == i) {
                k->tmp[nu - 1] += sc;
                u[nu - 1].size++;
                continue;
            }
            u[nu] = (kunit){ sc, g->pos[i], (uint32_t)i, 1 };
            k->tmp[nu] = sc;
            nu++;
        }
        if (c->word_granularity)
            for (size_t j = 0; j < nu; j++) u[j].s = k->tmp[j] / (double)u[j].size;
        if (hh >= cand) {
            for (size_t i = 0; i < n; i++) keep[i] = 1;
        } else {
            size_t m = top_units(u, nu, hh);
            for (size_t j = 0; j < m; j++)
                for (uint32_t t = 0; t < u[j].size; t++) keep[u[j].first + t] = 1;
        }
    }
    compact(g, keep);
}

tok_status tok_keep_step(tok_keep *k)
{
    size_t B = tok_keep_budget(k);
    for (int i = 0; i < k->c.groups; i++) {
        kgroup *g = &k->g[i];
        g->nev = 0;
        if (g->n > B) select_group(k, g, B);
    }
    return TOK_OK;
}

long tok_keep_slot(const tok_keep *k, int group, int64_t pos)
{
    if (group < 0 || group >= k->c.groups) return -1;
    const kgroup *g = &k->g[group];
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (g->pos[m] < pos) lo = m + 1;
        else hi = m;
    }
    return lo < g->n && g->pos[lo] == pos ? (long)lo : -1;
}

tok_status tok_keep_remove(tok_keep *k, int64_t pos)
{
    int found = 0;
    for (int i = 0; i < k->c.groups; i++) {
        kgroup *g = &k->g[i];
        long s = tok_keep_slot(k, i, pos);
        if (s < 0) continue;
        found = 1;
        move_slots(g, (size_t)s, (size_t)s + 1, g->n - (size_t)s - 1);
        g->n--;
    }
    return found ? TOK_OK : fail(k, TOK_ERR_ARG, "keep: position %lld is not live", (long long)pos);
}

size_t tok_keep_live(const tok_keep *k, int group, const int64_t **pos)
{
    if (group < 0 || group >= k->c.groups) { *pos = NULL; return 0; }
    *pos = k->g[group].pos;
    return k->g[group].n;
}

size_t tok_keep_evicted(const tok_keep *k, int group, const int64_t **pos)
{
    if (group < 0 || group >= k->c.groups) { *pos = NULL; return 0; }
    *pos = k->g[group].ev;
    return k->g[group].nev;
}

size_t tok_keep_bytes_per_position(const tok_keep *k)
{
    const tok_keep_config *c = &k->c;
    size_t per_group = sizeof(int64_t) + sizeof(uint32_t) + sizeof(int64_t) /* evicted list */ +
                       (uses_word(c) ? sizeof(int32_t) : 0) + (uses_score(c) ? sizeof(double) : 0) +
                       (uses_seen(c) ? sizeof(double) : 0) + (uses_born(c) ? sizeof(uint64_t) : 0);
    return per_group * (size_t)c->groups + 1 + sizeof(kunit) + sizeof(double);
}

/* ---- span pruning ------------------------------------------------------- */

tok_status tok_keep_span(tok_keep *k, int group, int64_t span_start, size_t nspan, const float *attn, size_t nrows,
                         const uint32_t *row_flags, const int32_t *row_words, const float *rel, double *scores,
                         uint8_t *raters)
{
    const tok_keep_config *c = &k->c;
    if (group < 0 || group >= c->groups) return fail(k, TOK_ERR_ARG, "keep: group %d of %d", group, c->groups);
    if (c->raters == TOK_RATERS_NONE) return fail(k, TOK_ERR_ARG, "keep: policy '%s' has no rater rule (raters = ...)", c->name);
    if (!nspan || !nrows) return fail(k, TOK_ERR_ARG, "keep: empty span (%zu) or no rater rows (%zu)", nspan, nrows);
    if (nspan > k->cap || nrows > k->cap) return fail(k, TOK_ERR_LIMIT, "keep: span or rows above capacity %zu", k->cap);
    kgroup *g = &k->g[group];
    long s0 = tok_keep_slot(k, group, span_start);
    if (s0 < 0 || (size_t)s0 + nspan > g->n) return fail(k, TOK_ERR_ARG, "keep: span [%lld, +%zu) is not live", (long long)span_start, nspan);
    for (size_t j = 1; j < nspan; j++)
        if (g->pos[(size_t)s0 + j] != span_start + (int64_t)j)
            return fail(k, TOK_ERR_ARG, "keep: span [%lld, +%zu) is not contiguous in group %d", (long long)span_start, nspan, group);
    uint8_t *rt = k->keep;   /* raters, nrows */
    double *r = k->tmp;      /* relevance, nrows */
    /* 1. rule */
    if (c->raters == TOK_RATERS_ALL) {
        memset(rt, 1, nrows);
    } else {
        for (size_t t = 0; t < nrows; t++) r[t] = 0;
        if (rel) {
            for (size_t v = 0; v < nspan; v++) {
                const float *l = rel + v * nrows;
                double mx = -INFINITY, z = 0;
                for (size_t t = 0; t < nrows; t++) if ((double)l[t] > mx) mx = (double)l[t];
                for (size_t t = 0; t < nrows; t++) z += exp((double)l[t] - mx);
                for (size_t t = 0; t < nrows; t++) r[t] += exp((double)l[t] - mx) / z;
            }
            for (size_t t = 0; t < nrows; t++) r[t] /= (double)nspan;
        } else {
            for (size_t t = 0; t < nrows; t++) {
                double a = 0;
                for (size_t v = 0; v < nspan; v++) a += (double)attn[t * nspan + v];
                r[t] = a / (double)nspan;
            }
        }
        double mean = 0;
        for (size_t t = 0; t < nrows; t++) mean += r[t];
        mean /= (double)nrows;
        for (size_t t = 0; t < nrows; t++) rt[t] = r[t] > mean;
    }
    /* 2. exclusions, 3. whole words (a word rates if any of its rows rates) */
    for (size_t t = 0; t < nrows; t++)
        if (row_flags && (row_flags[t] & c->rater_exclude)) rt[t] = 0;
    if (c->rater_whole_words && row_words) {
        for (size_t t = 0; t < nrows; t++) {
            if (!rt[t] || row_words[t] < 0) continue;
            for (size_t u = 0; u < nrows; u++)
                if (row_words[u] == row_words[t] && !(row_flags && (row_flags[u] & c->rater_exclude))) rt[u] = rt[u] ? rt[u] : 2;
        }
        for (size_t t = 0; t < nrows; t++) rt[t] = rt[t] != 0;
    }
    size_t nr = 0;
    for (size_t t = 0; t < nrows; t++) nr += rt[t];
    if (!nr) {
        for (size_t t = 0; t < nrows; t++) nr += rt[t] = !(row_flags && (row_flags[t] & c->rater_exclude));
        if (!nr) {
            memset(rt, 1, nrows);
            nr = nrows;
        }
    }
    if (raters) memcpy(raters, rt, nrows);
    /* 4. scores: mean rater attention, in row order */
    kunit *u = k->units;
    for (size_t v = 0; v < nspan; v++) {
        double a = 0;
        for (size_t t = 0; t < nrows; t++)
            if (rt[t]) a += (double)attn[t * nspan + v];
        a /= (double)nr;
        if (scores) scores[v] = a;
        u[v] = (kunit){ a, span_start + (int64_t)v, (uint32_t)v, 1 };
    }
    size_t kb = c->span_ratio > 0 ? (size_t)floor(c->span_ratio * (double)nspan) : (size_t)c->span_budget;
    if (kb < 1) kb = 1;
    if (kb > nspan) kb = nspan;
    size_t m = top_units(u, nspan, kb);
    uint8_t *keep = rt; /* reuse: rater marks are no longer needed */
    memset(keep, 0, nspan);
    for (size_t j = 0; j < m; j++) keep[u[j].first] = 1;
    /* evict the rest of the span: keep[] over every slot */
    uint8_t *all = k->keep;
    memmove(all + s0, all, nspan);
    memset(all, 1, (size_t)s0);
    memset(all + (size_t)s0 + nspan, 1, g->n - (size_t)s0 - nspan);
    compact(g, all);
    return TOK_OK;
}

uint32_t tok_keep_flags(const tok_keep *k, int group, size_t slot)
{
    if (group < 0 || group >= k->c.groups || slot >= k->g[group].n) return 0;
    return k->g[group].flags[slot];
}

int32_t tok_keep_word(const tok_keep *k, int group, size_t slot)
{
    if (group < 0 || group >= k->c.groups || slot >= k->g[group].n || !k->g[group].word) return -1;
    return k->g[group].word[slot];
}

const tok_keep_config *tok_keep_get_config(const tok_keep *k) { return &k->c; }

tok_status tok_keep_bias(tok_keep *k, int64_t from, int64_t to, double bias)
{
    if (!isfinite(bias)) return fail(k, TOK_ERR_ARG, "keep: bias %g is not finite", bias);
    if (from > to) return fail(k, TOK_ERR_ARG, "keep: bias range [%lld, %lld) is reversed", (long long)from, (long long)to);
    for (int i = 0; i < k->c.groups; i++) {
        kgroup *g = &k->g[i];
        if (!g->bias) {
            if (!(g->bias = calloc(k->cap, sizeof *g->bias))) return fail(k, TOK_ERR_NOMEM, "keep: out of memory");
        }
        for (size_t j = 0; j < g->n; j++)
            if (g->pos[j] >= from && g->pos[j] < to) g->bias[j] = bias;
    }
    return TOK_OK;
}
