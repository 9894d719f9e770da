/*
 * Many texts in one call (HF encode_batch): texts are handed out one at a
 * time from a shared counter, so long and short texts balance across the
 * threads; each thread encodes with its own context into its own pool, and
 * the results are laid out contiguously in input order at the end.  Built on
 * the public per-context API; all storage lives in the tok_batch and is
 * reused, so a warm batch does not allocate.
 */
#include "../internal.h"
#include "../core/piece_cache.h"

#include <pthread.h>
#include <stdatomic.h>

#define BATCH_MAX_THREADS 64

/* One worker's pool: the encodings of the texts it took, back to back. */
typedef struct pool {
    int32_t *ids;
    tok_offset *off;
    int32_t *words;
    uint8_t *type_ids, *special;
    size_t n, cap;
} pool;

struct tok_batch {
    const tok_tokenizer *t;
    tok_ctx *ctx[BATCH_MAX_THREADS];
    pool pools[BATCH_MAX_THREADS];
    /* per text: which pool, where in it, how many tokens */
    uint16_t *who;
    size_t *at, *cnt;
    size_t *starts;         /* n + 1 prefix sums into the joined arrays */
    size_t ntexts, cap_texts;
    pool all;               /* joined, in input order */
    uint32_t flags;         /* flags of the last call (which arrays are filled) */
    bool padding_pass;      /* second pass of a batch padded to its longest encoding */
    char err[600];
    /* decode results */
    char *text;
    size_t *tstart;
    size_t text_len, text_cap, ndec;
};

tok_batch *tok_batch_new(const tok_tokenizer *t)
{
    if (!t) return NULL;
    tok_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->t = t;
    return b;
}

static void pool_free(pool *p)
{
    free(p->ids);
    free(p->off);
    free(p->words);
    free(p->type_ids);
    free(p->special);
}

void tok_batch_free(tok_batch *b)
{
    if (!b) return;
    for (int k = 0; k < BATCH_MAX_THREADS; k++) {
        tok_ctx_free(b->ctx[k]);
        pool_free(&b->pools[k]);
    }
    pool_free(&b->all);
    free(b->who);
    free(b->at);
    free(b->cnt);
    free(b->starts);
    free(b->text);
    free(b->tstart);
    free(b);
}

const char *tok_batch_error(const tok_batch *b)
{
    return b ? b->err : "";
}

/* Room for `need` more tokens; the arrays that are not wanted stay NULL. */
static int pool_reserve(pool *p, size_t need, uint32_t flags)
{
    if (p->n + need <= p->cap && p->ids) return 0;
    size_t cap = p->cap ? p->cap : 1024;
    while (cap < p->n + need) cap *= 2;
#define GROW(field)                                                       \
    do {                                                                  \
        void *np = realloc(p->field, cap * sizeof *p->field);             \
        if (!np) return -1;                                               \
        p->field = np;                                                    \
    } while (0)
    GROW(ids);
    GROW(words);
    GROW(type_ids);
    GROW(special);
    if (flags & TOK_ENC_OFFSETS) GROW(off);
#undef GROW
    p->cap = cap;
    return 0;
}

static int pool_push(pool *p, const tok_encoding *e, uint32_t flags)
{
    if (pool_reserve(p, e->n, flags)) return -1;
    if (e->n) {
        memcpy(p->ids + p->n, e->ids, e->n * sizeof *p->ids);
        memcpy(p->words + p->n, e->words, e->n * sizeof *p->words);
        memcpy(p->type_ids + p->n, e->type_ids, e->n);
        memcpy(p->special + p->n, e->special, e->n);
        if ((flags & TOK_ENC_OFFSETS) && e->offsets) memcpy(p->off + p->n, e->offsets, e->n * sizeof *p->off);
    }
    p->n += e->n;
    return 0;
}

typedef struct worker {
    tok_batch *b;
    int k;
    const char *const *texts;
    const size_t *lens;
    size_t n;
    const tok_encode_options *opt;
    _Atomic size_t *next;
    _Atomic int *stop;
    tok_status st;
    size_t failed_at;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    tok_batch *b = w->b;
    pool *p = &b->pools[w->k];
    tok_ctx *ctx = b->ctx[w->k];
    for (;;) {
        if (atomic_load(w->stop)) break;
        size_t i = atomic_fetch_add(w->next, 1);
        if (i >= w->n) break;
        tok_encoding e;
        tok_status st = tok_encode(ctx, w->texts[i] ? w->texts[i] : "", w->lens[i], w->opt, &e);
        if (!st && pool_push(p, &e, w->opt->flags)) st = TOK_ERR_NOMEM;
        if (st) {
            w->st = st;
            w->failed_at = i;
            atomic_store(w->stop, 1);
            break;
        }
        b->who[i] = (uint16_t)w->k;
        b->at[i] = p->n - e.n;
        b->cnt[i] = e.n;
    }
    return NULL;
}

/* Free the tables the shared cache outgrew, when only this batch uses it. */
static void share_quiesce(tok_batch *b)
{
    tok_pcache *c = b->ctx[0] ? b->ctx[0]->pcache : NULL;
    if (!c) return;
    int users = 0;
    for (int k = 0; k < BATCH_MAX_THREADS; k++) users += b->ctx[k] && b->ctx[k]->pcache == c;
    if (atomic_load(&c->refs) == users) tok_pcache_quiesce(c);
}

static tok_status fail(tok_batch *b, tok_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tok_status fail(tok_batch *b, tok_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
    return st;
}

static int reserve_texts(tok_batch *b, size_t n)
{
    if (n + 1 <= b->cap_texts) return 0;
    size_t cap = b->cap_texts ? b->cap_texts : 64;
    while (cap < n + 1) cap *= 2;
    uint16_t *who = realloc(b->who, cap * sizeof *who);
    if (who) b->who = who;
    size_t *at = realloc(b->at, cap * sizeof *at);
    if (at) b->at = at;
    size_t *cnt = realloc(b->cnt, cap * sizeof *cnt);
    if (cnt) b->cnt = cnt;
    size_t *starts = realloc(b->starts, cap * sizeof *starts);
    if (starts) b->starts = starts;
    size_t *ts = realloc(b->tstart, cap * sizeof *ts);
    if (ts) b->tstart = ts;
    if (!who || !at || !cnt || !starts || !ts) return -1;
    b->cap_texts = cap;
    return 0;
}

tok_status tok_encode_batch(tok_batch *b, const char *const *texts, const size_t *lens, size_t n,
                            const tok_encode_options *opt, int threads)
{
    if (!b) return TOK_ERR_ARG;
    b->err[0] = 0;
    b->ntexts = 0;
    if (n && (!texts || !lens)) return fail(b, TOK_ERR_ARG, "texts or lengths are NULL");
    if (reserve_texts(b, n)) return fail(b, TOK_ERR_NOMEM, "out of memory for %zu texts", n);
    tok_encode_options def;
    opt = tok__defaults(opt, &def);
    if (threads < 1) threads = 1;
    if (threads > BATCH_MAX_THREADS) threads = BATCH_MAX_THREADS;
    if ((size_t)threads > n) threads = n ? (int)n : 1;
    for (int k = 0; k < threads; k++) {
        if (!b->ctx[k] && !(b->ctx[k] = tok_ctx_new(b->t))) return fail(b, TOK_ERR_NOMEM, "out of memory");
        /* one pre-token cache for all: a word one thread met is a hit for the others */
        if (k > 0 && tok__ctx_share_pcache(b->ctx[k], b->ctx[0])) return fail(b, TOK_ERR_NOMEM, "out of memory");
        b->pools[k].n = 0;
    }
    _Atomic size_t next = 0;
    _Atomic int stop = 0;
    worker w[BATCH_MAX_THREADS];
    pthread_t th[BATCH_MAX_THREADS];
    bool started[BATCH_MAX_THREADS] = { false };
    for (int k = 0; k < threads; k++)
        w[k] = (worker){ b, k, texts, lens, n, opt, &next, &stop, TOK_OK, 0 };
    for (int k = 1; k < threads; k++) started[k] = !pthread_create(&th[k], NULL, run_worker, &w[k]);
    run_worker(&w[0]);
    for (int k = 1; k < threads; k++)
        if (started[k]) pthread_join(th[k], NULL);
    share_quiesce(b);
    /* the lowest failing text is the one reported */
    int bad = -1;
    for (int k = 0; k < threads; k++)
        if (w[k].st && (bad < 0 || w[k].failed_at < w[bad].failed_at)) bad = k;
    if (bad >= 0)
        return fail(b, w[bad].st, "text %zu: %s", w[bad].failed_at,
                    w[bad].st == TOK_ERR_NOMEM ? "out of memory" : tok_ctx_error(b->ctx[bad]));
    /* join in input order */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        b->starts[i] = total;
        total += b->cnt[i];
    }
    b->starts[n] = total;
    pool *all = &b->all;
    all->n = 0;
    if (pool_reserve(all, total ? total : 1, opt->flags)) return fail(b, TOK_ERR_NOMEM, "out of memory for %zu tokens", total);
    for (size_t i = 0; i < n; i++) {
        const pool *p = &b->pools[b->who[i]];
        size_t at = b->at[i], c = b->cnt[i], o = b->starts[i];
        if (!c) continue;
        memcpy(all->ids + o, p->ids + at, c * sizeof *all->ids);
        memcpy(all->words + o, p->words + at, c * sizeof *all->words);
        memcpy(all->type_ids + o, p->type_ids + at, c);
        memcpy(all->special + o, p->special + at, c);
        if (opt->flags & TOK_ENC_OFFSETS) memcpy(all->off + o, p->off + at, c * sizeof *all->off);
    }
    all->n = total;
    b->flags = opt->flags;
    b->ntexts = n;
    /* HF encode_batch pads every encoding to the longest one (the file's
     * BatchLongest padding): a second pass with that length fixed */
    const tok_padding *pd = &b->t->pad;
    if (pd->enabled && pd->length == 0 && n > 1 && !b->padding_pass) {
        tok_padding fixed = *pd;
        fixed.length = 0;
        for (size_t i = 0; i < n; i++)
            if (b->cnt[i] > fixed.length) fixed.length = b->cnt[i];
        tok_status st = TOK_OK;
        for (int k = 0; k < threads && !st; k++) st = tok_ctx_set_padding(b->ctx[k], &fixed);
        if (!st) {
            b->padding_pass = true;
            st = tok_encode_batch(b, texts, lens, n, opt, threads);
            b->padding_pass = false;
        }
        for (int k = 0; k < threads; k++) tok_ctx_set_padding(b->ctx[k], NULL);
        return st;
    }
    return TOK_OK;
}

size_t tok_batch_count(const tok_batch *b)
{
    return b ? b->ntexts : 0;
}

tok_status tok_batch_get(const tok_batch *b, size_t i, tok_encoding *out)
{
    if (!b || !out) return TOK_ERR_ARG;
    if (i >= b->ntexts) return TOK_ERR_RANGE;
    size_t o = b->starts[i];
    memset(out, 0, sizeof *out);
    out->n = b->starts[i + 1] - o;
    out->ids = b->all.ids + o;
    out->words = b->all.words + o;
    out->type_ids = b->all.type_ids + o;
    out->special = b->all.special + o;
    out->offsets = (b->flags & TOK_ENC_OFFSETS) ? b->all.off + o : NULL;
    return TOK_OK;
}

const int32_t *tok_batch_ids(const tok_batch *b, const size_t **starts, size_t *total)
{
    if (!b) return NULL;
    if (starts) *starts = b->starts;
    if (total) *total = b->ntexts ? b->starts[b->ntexts] : 0;
    return b->all.ids;
}

/* Decoding many id sequences: one context per thread again. */
typedef struct dworker {
    tok_batch *b;
    int k;
    const int32_t *const *ids;
    const size_t *ns;
    size_t n;
    uint32_t flags;
    _Atomic size_t *next;
    _Atomic int *stop;
    /* results of this worker, in a private buffer */
    char *buf;
    size_t len, cap;
    size_t *at, *tl;   /* per text: where in buf, length */
    tok_status st;
    size_t failed_at;
} dworker;

static void *run_dworker(void *arg)
{
    dworker *w = arg;
    tok_ctx *ctx = w->b->ctx[w->k];
    for (;;) {
        if (atomic_load(w->stop)) break;
        size_t i = atomic_fetch_add(w->next, 1);
        if (i >= w->n) break;
        const char *s;
        size_t l;
        tok_status st = tok_decode(ctx, w->ids[i], w->ns[i], w->flags, &s, &l);
        if (!st && w->len + l > w->cap) {
            size_t cap = w->cap ? w->cap : 4096;
            while (cap < w->len + l) cap *= 2;
            char *nb = realloc(w->buf, cap);
            if (!nb) st = TOK_ERR_NOMEM;
            else { w->buf = nb; w->cap = cap; }
        }
        if (st) {
            w->st = st;
            w->failed_at = i;
            atomic_store(w->stop, 1);
            break;
        }
        /* an empty text may come before this worker has a buffer (NULL + 0) */
        if (l) memcpy(w->buf + w->len, s, l);
        w->at[i] = w->len;
        w->tl[i] = l;
        w->len += l;
        w->b->who[i] = (uint16_t)w->k;
    }
    return NULL;
}

tok_status tok_decode_batch(tok_batch *b, const int32_t *const *ids, const size_t *ns, size_t n,
                            uint32_t flags, int threads)
{
    if (!b) return TOK_ERR_ARG;
    b->err[0] = 0;
    b->ndec = 0;
    b->text_len = 0;
    if (n && (!ids || !ns)) return fail(b, TOK_ERR_ARG, "ids or counts are NULL");
    if (reserve_texts(b, n)) return fail(b, TOK_ERR_NOMEM, "out of memory for %zu sequences", n);
    if (threads < 1) threads = 1;
    if (threads > BATCH_MAX_THREADS) threads = BATCH_MAX_THREADS;
    if ((size_t)threads > n) threads = n ? (int)n : 1;
    size_t *at = malloc((n + 1) * sizeof *at), *tl = malloc((n + 1) * sizeof *tl);
    if (!at || !tl) {
        free(at);
        free(tl);
        return fail(b, TOK_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < threads; k++)
        if (!b->ctx[k] && !(b->ctx[k] = tok_ctx_new(b->t))) {
            free(at);
            free(tl);
            return fail(b, TOK_ERR_NOMEM, "out of memory");
        }
    _Atomic size_t next = 0;
    _Atomic int stop = 0;
    dworker w[BATCH_MAX_THREADS];
    pthread_t th[BATCH_MAX_THREADS];
    bool started[BATCH_MAX_THREADS] = { false };
    for (int k = 0; k < threads; k++)
        w[k] = (dworker){ .b = b, .k = k, .ids = ids, .ns = ns, .n = n, .flags = flags,
                          .next = &next, .stop = &stop, .at = at, .tl = tl };
    for (int k = 1; k < threads; k++) started[k] = !pthread_create(&th[k], NULL, run_dworker, &w[k]);
    run_dworker(&w[0]);
    for (int k = 1; k < threads; k++)
        if (started[k]) pthread_join(th[k], NULL);
    tok_status st = TOK_OK;
    int bad = -1;
    for (int k = 0; k < threads; k++)
        if (w[k].st && (bad < 0 || w[k].failed_at < w[bad].failed_at)) bad = k;
    if (bad >= 0) {
        st = fail(b, w[bad].st, "sequence %zu: %s", w[bad].failed_at,
                  w[bad].st == TOK_ERR_NOMEM ? "out of memory" : tok_ctx_error(b->ctx[bad]));
    } else {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) total += tl[i] + 1;
        if (total > b->text_cap) {
            char *nt = realloc(b->text, total);
            if (!nt) st = fail(b, TOK_ERR_NOMEM, "out of memory");
            else { b->text = nt; b->text_cap = total; }
        }
        if (!st) {
            size_t o = 0;
            for (size_t i = 0; i < n; i++) {
                b->tstart[i] = o;
                if (tl[i]) memcpy(b->text + o, w[b->who[i]].buf + at[i], tl[i]);
                o += tl[i];
                b->text[o++] = 0;  /* each text NUL-terminated */
            }
            b->tstart[n] = o;
            b->text_len = o;
            b->ndec = n;
        }
    }
    for (int k = 0; k < threads; k++) free(w[k].buf);
    free(at);
    free(tl);
    return st;
}

const char *tok_batch_text(const tok_batch *b, size_t i, size_t *len)
{
    if (!b || i >= b->ndec) return NULL;
    if (len) *len = b->tstart[i + 1] - b->tstart[i] - 1;
    return b->text + b->tstart[i];
}
