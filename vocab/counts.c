/*
 * counts: the pre-token -> count table trainers read (open addressing, keys
 * in one growing byte blob), its memory bound (prune by doubling threshold,
 * see tok_train.h), merge, sort, and the text count-file format.
 */
#include "tok_train.h"
#include "vocab_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef struct slot {
    uint64_t hash;  /* 0 = empty (hashes are forced odd) */
    uint64_t count;
    uint64_t off;   /* key offset in blob */
    uint32_t len;
} slot;

struct tok_counts {
    slot *t;
    size_t cap, n;          /* cap a power of two */
    char *blob;
    size_t blob_n, blob_cap;
    size_t limit;
    uint64_t total, pruned_entries, pruned_total;
    tok_count_entry *sorted; /* cache of tok_counts_sorted */
    size_t sorted_n;
};

static uint64_t key_hash(const char *s, size_t n) { return XXH3_64bits(s, n) | 1u; }

tok_counts *tok_counts_new(size_t mem_limit)
{
    tok_counts *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->cap = 1024;
    c->t = calloc(c->cap, sizeof *c->t);
    if (!c->t) { free(c); return NULL; }
    c->limit = mem_limit;
    return c;
}

void tok_counts_free(tok_counts *c)
{
    if (!c) return;
    free(c->t);
    free(c->blob);
    free(c->sorted);
    free(c);
}

static size_t mem_used(const tok_counts *c) { return c->cap * sizeof(slot) + c->blob_cap; }

static int rehash(tok_counts *c, size_t cap)
{
    slot *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->t[i].hash) continue;
        size_t j = c->t[i].hash & (cap - 1);
        while (t[j].hash) j = (j + 1) & (cap - 1);
        t[j] = c->t[i];
    }
    free(c->t);
    c->t = t;
    c->cap = cap;
    return 0;
}

/* Drop entries under a doubling threshold until at most half the limit is
 * used; keys are compacted into a fresh blob. */
static int prune(tok_counts *c)
{
    uint64_t thr = 2;
    for (;;) {
        size_t keep = 0, keep_bytes = 0;
        for (size_t i = 0; i < c->cap; i++)
            if (c->t[i].hash && c->t[i].count >= thr) { keep++; keep_bytes += c->t[i].len; }
        size_t cap = 1024;
        while (cap < keep * 2) cap <<= 1;
        if (cap * sizeof(slot) + keep_bytes <= c->limit / 2 || keep == 0) {
            char *nb = malloc(keep_bytes ? keep_bytes : 1);
            slot *t = calloc(cap, sizeof *t);
            if (!nb || !t) { free(nb); free(t); return -1; }
            size_t off = 0;
            for (size_t i = 0; i < c->cap; i++) {
                slot *s = &c->t[i];
                if (!s->hash) continue;
                if (s->count < thr) {
                    c->pruned_entries++;
                    c->pruned_total += s->count;
                    c->total -= s->count;
                    continue;
                }
                memcpy(nb + off, c->blob + s->off, s->len);
                size_t j = s->hash & (cap - 1);
                while (t[j].hash) j = (j + 1) & (cap - 1);
                t[j] = *s;
                t[j].off = off;
                off += s->len;
            }
            free(c->blob);
            free(c->t);
            c->blob = nb;
            c->blob_n = off;
            c->blob_cap = keep_bytes ? keep_bytes : 1;
            c->t = t;
            c->cap = cap;
            c->n = keep;
            return 0;
        }
        if (thr > UINT64_MAX / 2) return 0;
        thr *= 2;
    }
}

tok_status tok_counts_add(tok_counts *c, const char *s, size_t len, uint64_t n)
{
    if (!c || (!s && len) || len > UINT32_MAX) return TOK_ERR_ARG;
    if (!n) return TOK_OK;
    uint64_t h = key_hash(s, len);
    size_t j = h & (c->cap - 1);
    while (c->t[j].hash) {
        slot *e = &c->t[j];
        if (e->hash == h && e->len == len && !memcmp(c->blob + e->off, s, len)) {
            e->count += n;
            c->total += n;
            return TOK_OK;
        }
        j = (j + 1) & (c->cap - 1);
    }
    if (c->blob_n + len > c->blob_cap) {
        size_t nc = c->blob_cap ? c->blob_cap * 2 : 1 << 16;
        while (nc < c->blob_n + len) nc *= 2;
        char *nb = realloc(c->blob, nc);
        if (!nb) return TOK_ERR_NOMEM;
        c->blob = nb;
        c->blob_cap = nc;
    }
    if (len) memcpy(c->blob + c->blob_n, s, len);
    c->t[j] = (slot){ h, n, c->blob_n, (uint32_t)len };
    c->blob_n += len;
    c->n++;
    c->total += n;
    free(c->sorted);
    c->sorted = NULL;
    if (c->n * 4 > c->cap * 3 && rehash(c, c->cap * 2)) return TOK_ERR_NOMEM;
    if (c->limit && mem_used(c) > c->limit && prune(c)) return TOK_ERR_NOMEM;
    return TOK_OK;
}

tok_status tok_counts_merge(tok_counts *c, const tok_counts *from)
{
    if (!c || !from) return TOK_ERR_ARG;
    for (size_t i = 0; i < from->cap; i++) {
        const slot *s = &from->t[i];
        if (!s->hash) continue;
        tok_status st = tok_counts_add(c, from->blob + s->off, s->len, s->count);
        if (st) return st;
    }
    c->pruned_entries += from->pruned_entries;
    c->pruned_total += from->pruned_total;
    return TOK_OK;
}

size_t vx_counts_limit(const tok_counts *c) { return c->limit; }

size_t tok_counts_size(const tok_counts *c) { return c ? c->n : 0; }

void tok_counts_stats_get(const tok_counts *c, tok_counts_stats *o)
{
    memset(o, 0, sizeof *o);
    if (!c) return;
    o->total = c->total;
    o->pruned_entries = c->pruned_entries;
    o->pruned_total = c->pruned_total;
    o->bytes = mem_used(c);
}

static int entry_cmp(const void *a, const void *b)
{
    const tok_count_entry *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->s, y->s, m);
    if (r) return r;
    return (x->len > y->len) - (x->len < y->len);
}

tok_status tok_counts_sorted(tok_counts *c, const tok_count_entry **out, size_t *n)
{
    if (!c || !out || !n) return TOK_ERR_ARG;
    if (!c->sorted) {
        c->sorted = malloc((c->n ? c->n : 1) * sizeof *c->sorted);
        if (!c->sorted) return TOK_ERR_NOMEM;
        size_t k = 0;
        for (size_t i = 0; i < c->cap; i++)
            if (c->t[i].hash)
                c->sorted[k++] = (tok_count_entry){ c->blob + c->t[i].off, c->t[i].len, c->t[i].count };
        qsort(c->sorted, k, sizeof *c->sorted, entry_cmp);
        c->sorted_n = k;
    }
    *out = c->sorted;
    *n = c->sorted_n;
    return TOK_OK;
}

/* --- count files ----------------------------------------------------------- */

static void put_escaped(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        switch (ch) {
        case '\\': fputs("\\\\", f); break;
        case '\t': fputs("\\t", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        default: fputc(ch, f);
        }
    }
}

tok_status tok_counts_save(tok_counts *c, const char *template_name, const char *path, tok_error *err)
{
    const tok_count_entry *e;
    size_t n;
    tok_status st = tok_counts_sorted(c, &e, &n);
    if (st) return vx_fail(err, st, "%s: out of memory", path);
    FILE *f = fopen(path, "wb");
    if (!f) return vx_fail(err, TOK_ERR_IO, "%s: %s", path, strerror(errno));
    fprintf(f, "libtok-counts 1\ntemplate %s\npruned %llu %llu\n", template_name ? template_name : "-",
            (unsigned long long)c->pruned_entries, (unsigned long long)c->pruned_total);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%llu\t", (unsigned long long)e[i].count);
        put_escaped(f, e[i].s, e[i].len);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) || bad) return vx_fail(err, TOK_ERR_IO, "%s: write error", path);
    return TOK_OK;
}

tok_status tok_counts_load(tok_counts *c, const char *template_name, const char *path, tok_error *err)
{
    if (!c || !path) return vx_fail(err, TOK_ERR_ARG, "no count file");
    FILE *f = fopen(path, "rb");
    if (!f) return vx_fail(err, TOK_ERR_IO, "%s: %s", path, strerror(errno));
    char *line = NULL, *key = NULL;
    size_t lcap = 0, kcap = 0;
    ssize_t ln;
    unsigned long lineno = 0;
    tok_status st = TOK_OK;
    while ((ln = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        if (ln > 0 && line[ln - 1] == '\n') line[--ln] = 0;
        if (lineno == 1) {
            if (strcmp(line, "libtok-counts 1")) {
                st = vx_fail(err, TOK_ERR_FORMAT, "%s:1: not a libtok count file (want 'libtok-counts 1')", path);
                break;
            }
            continue;
        }
        if (lineno == 2) {
            if (strncmp(line, "template ", 9)) {
                st = vx_fail(err, TOK_ERR_FORMAT, "%s:2: want 'template NAME'", path);
                break;
            }
            if (template_name && strcmp(line + 9, template_name)) {
                st = vx_fail(err, TOK_ERR_ARG, "%s:2: counted behind pipeline '%s', not '%s'", path, line + 9,
                             template_name);
                break;
            }
            continue;
        }
        if (lineno == 3) {
            unsigned long long a, b;
            if (sscanf(line, "pruned %llu %llu", &a, &b) != 2) {
                st = vx_fail(err, TOK_ERR_FORMAT, "%s:3: want 'pruned ENTRIES TOTAL'", path);
                break;
            }
            c->pruned_entries += a;
            c->pruned_total += b;
            continue;
        }
        char *tab = memchr(line, '\t', (size_t)ln);
        char *endp;
        errno = 0;
        unsigned long long cnt = tab ? strtoull(line, &endp, 10) : 0;
        if (!tab || endp != tab || errno || cnt == 0 || line[0] == '-') {
            st = vx_fail(err, TOK_ERR_FORMAT, "%s:%lu: want COUNT<TAB>PRE-TOKEN with COUNT > 0", path, lineno);
            break;
        }
        size_t klen = (size_t)(line + ln - tab - 1);
        if (kcap < klen + 1) {
            kcap = klen + 1;
            char *nk = realloc(key, kcap);
            if (!nk) { st = vx_fail(err, TOK_ERR_NOMEM, "%s: out of memory", path); break; }
            key = nk;
        }
        size_t k = 0;
        for (const char *p = tab + 1; p < line + ln; p++) {
            if (*p != '\\') { key[k++] = *p; continue; }
            p++;
            char ch = p < line + ln ? *p : 0;
            if (ch == '\\') key[k++] = '\\';
            else if (ch == 't') key[k++] = '\t';
            else if (ch == 'n') key[k++] = '\n';
            else if (ch == 'r') key[k++] = '\r';
            else { st = vx_fail(err, TOK_ERR_FORMAT, "%s:%lu: bad escape in pre-token", path, lineno); break; }
        }
        if (st) break;
        if ((st = tok_counts_add(c, key, k, cnt))) { vx_fail(err, st, "%s:%lu: out of memory", path, lineno); break; }
    }
    if (!st && ferror(f)) st = vx_fail(err, TOK_ERR_IO, "%s: read error", path);
    if (!st && lineno < 3) st = vx_fail(err, TOK_ERR_FORMAT, "%s:%lu: truncated header", path, lineno + 1);
    free(line);
    free(key);
    fclose(f);
    return st;
}
