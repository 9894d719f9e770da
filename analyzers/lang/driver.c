/* Feeding a corpus to an accumulator: one thread, or a reading thread handing
 * batches of units to workers that each own a context and an accumulator,
 * merged at the end (counts add up, so the result equals one thread's).  The
 * reading thread is one of the workers (it adds a batch itself when enough
 * are queued), the workers' contexts share one pre-token cache, and the
 * workers share the parent's word-type table (wordtab.h), so a word one of
 * them has met is not encoded again, in running text or alone, by the
 * others. */
#include "lang_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Units above this size are encoded with tok_encode_threads instead of being
 * spread over workers. */
#define BIG_UNIT (1u << 20)

TOK_API tok_status tok_lang_add_corpus(tok_lang *a, tok_ctx *ctx, tok_corpus *c, char *msg, size_t cap)
{
    tok_text t;
    tok_status st;
    tok_progress pr;
    tok_progress_init(&pr, a->name, 0);
    while ((st = tok_corpus_next(c, &t)) == TOK_OK && t.text) {
        if ((st = tok_lang_add(a, ctx, t.lang, t.text, t.len))) {
            snprintf(msg, cap, "%s:%llu: %s", t.file, (unsigned long long)t.line,
                     tok_ctx_error(ctx)[0] ? tok_ctx_error(ctx) : tok_strerror(st));
            tok_progress_done(&pr);
            return st;
        }
        tok_progress_update(&pr, tok_corpus_get_stats(c)->bytes);
    }
    tok_progress_done(&pr);
    if (st) snprintf(msg, cap, "%s", tok_corpus_error(c));
    return st;
}

/* ---- threads ------------------------------------------------------------- */

typedef struct batch {
    char *text;      /* units back to back */
    size_t len, cap;
    size_t *off;     /* unit i: text[off[i] .. off[i+1]) */
    char (*lang)[64];
    size_t n, ncap;
    struct batch *next;
} batch;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t more;
    batch *head, *tail;
    size_t queued;
    bool closed;
} pool;

typedef struct worker {
    pthread_t th;
    pool *p;
    tok_lang *acc;
    tok_ctx *ctx;
    tok_status st;
    char msg[512];
} worker;

static void batch_free(batch *b)
{
    if (!b) return;
    free(b->text);
    free(b->off);
    free(b->lang);
    free(b);
}

static int batch_push(batch *b, const tok_text *t)
{
    if (b->n + 2 > b->ncap) {
        size_t nc = b->ncap ? b->ncap * 2 : 256;
        size_t *no = realloc(b->off, nc * sizeof *no);
        if (!no) return -1;
        b->off = no;
        char(*nl)[64] = realloc(b->lang, nc * sizeof *nl);
        if (!nl) return -1;
        b->lang = nl;
        b->ncap = nc;
    }
    if (b->len + t->len > b->cap) {
        size_t nc = b->cap ? b->cap : 1u << 16;
        while (nc < b->len + t->len) nc *= 2;
        char *nt = realloc(b->text, nc);
        if (!nt) return -1;
        b->text = nt;
        b->cap = nc;
    }
    if (b->n == 0) b->off[0] = 0;
    if (t->len) memcpy(b->text + b->len, t->text, t->len); /* an empty first unit: no buffer yet */
    b->len += t->len;
    snprintf(b->lang[b->n], 64, "%s", t->lang);
    b->off[++b->n] = b->len;
    return 0;
}

/* Add one batch to a worker's accumulator. */
static void add_batch(worker *w, batch *b)
{
    for (size_t i = 0; i < b->n && !w->st; i++) {
        tok_status st = tok_lang_add(w->acc, w->ctx, b->lang[i], b->text + b->off[i], b->off[i + 1] - b->off[i]);
        if (st) {
            w->st = st;
            snprintf(w->msg, sizeof w->msg, "%s", tok_ctx_error(w->ctx)[0] ? tok_ctx_error(w->ctx) : tok_strerror(st));
        }
    }
    batch_free(b);
}

/* The next queued batch; with wait, block until one comes or the queue closes. */
static batch *dequeue(pool *p, bool wait)
{
    pthread_mutex_lock(&p->mu);
    while (wait && !p->head && !p->closed) pthread_cond_wait(&p->more, &p->mu);
    batch *b = p->head;
    if (b) {
        p->head = b->next;
        if (!p->head) p->tail = NULL;
        p->queued--;
    }
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void *work(void *arg)
{
    worker *w = arg;
    batch *b;
    while ((b = dequeue(w->p, true))) add_batch(w, b);
    return NULL;
}

/* Queue b for the helper threads, unless enough is queued already: then
 * the reading thread adds it itself (so `threads` threads are busy, the
 * reader among them, and none waits on another). */
static void hand_out(pool *p, worker *self, batch *b, size_t limit)
{
    pthread_mutex_lock(&p->mu);
    bool full = p->queued >= limit;
    if (!full) {
        b->next = NULL;
        if (p->tail) p->tail->next = b;
        else p->head = b;
        p->tail = b;
        p->queued++;
        pthread_cond_signal(&p->more);
    }
    pthread_mutex_unlock(&p->mu);
    if (full) add_batch(self, b);
}

TOK_API tok_status tok_lang_add_corpus_threads(tok_lang *a, tok_corpus *c, int threads, char *msg, size_t cap)
{
    if (threads <= 1) {
        tok_ctx *ctx = tok_ctx_new(a->t);
        if (!ctx) return TOK_ERR_NOMEM;
        tok_status st = tok_lang_add_corpus(a, ctx, c, msg, cap);
        tok_ctx_free(ctx);
        return st;
    }
    if (threads > 64) threads = 64;
    if (cap) msg[0] = 0;
    pool p = { .head = NULL };
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.more, NULL);
    /* worker 0 is this thread (it reads, and works when enough is queued);
     * all contexts share one pre-token cache */
    worker *ws = calloc((size_t)threads, sizeof *ws);
    tok_ctx *big = tok_ctx_new(a->t);
    tok_status st = ws && big ? TOK_OK : TOK_ERR_NOMEM;
    int made = 0, started = 0;
    for (int i = 0; i < threads && !st; i++) {
        tok_error err = { 0 };
        tok_lang_options o = a->o;
        o.name = a->name;
        ws[i].p = &p;
        ws[i].acc = tok_lang_new(a->t, &o, &err);
        ws[i].ctx = tok_ctx_new(a->t);
        /* each word type encoded once in all, alone */
        if (!ws[i].acc || !ws[i].ctx || tok_ctx_share_cache(ws[i].ctx, big) || lang_share_iso(ws[i].acc, a)) {
            tok_lang_free(ws[i].acc);
            tok_ctx_free(ws[i].ctx);
            ws[i].acc = NULL;
            ws[i].ctx = NULL;
            st = TOK_ERR_NOMEM;
            break;
        }
        made++;
    }
    for (int i = 1; i < made && !st; i++) {
        if (pthread_create(&ws[i].th, NULL, work, &ws[i])) break;
        started++;
    }
    tok_text t;
    batch *b = NULL;
    tok_progress pr;
    tok_progress_init(&pr, a->name, 0);
    size_t limit = 2 * (size_t)(started + 1);
    while (!st && (st = tok_corpus_next(c, &t)) == TOK_OK && t.text) {
        /* languages keep their first-seen order whatever the workers do */
        if (lang_index(a, t.lang) < 0) {
            st = TOK_ERR_NOMEM;
            break;
        }
        if (t.len >= BIG_UNIT) {
            /* a whole file as one text: split inside the encoder instead */
            a->threads_inner = threads;
            st = tok_lang_add(a, big, t.lang, t.text, t.len);
            a->threads_inner = 0;
            if (st) snprintf(msg, cap, "%s:%llu: %s", t.file, (unsigned long long)t.line, tok_ctx_error(big));
            continue;
        }
        if (!b && !(b = calloc(1, sizeof *b))) {
            st = TOK_ERR_NOMEM;
            break;
        }
        if (batch_push(b, &t)) {
            st = TOK_ERR_NOMEM;
            break;
        }
        if (b->len >= (1u << 18) || b->n >= 4096) {
            if (started) hand_out(&p, &ws[0], b, limit);
            else add_batch(&ws[0], b);
            b = NULL;
        }
        tok_progress_update(&pr, tok_corpus_get_stats(c)->bytes);
    }
    tok_progress_done(&pr);
    if (st && !msg[0]) snprintf(msg, cap, "%s", tok_corpus_error(c)[0] ? tok_corpus_error(c) : tok_strerror(st));
    if (b && !st && made) add_batch(&ws[0], b);
    else batch_free(b);
    pthread_mutex_lock(&p.mu);
    p.closed = true;
    pthread_cond_broadcast(&p.more);
    pthread_mutex_unlock(&p.mu);
    /* help drain the queue, then wait for the others */
    batch *q;
    while (made && (q = dequeue(&p, false))) add_batch(&ws[0], q);
    for (int i = 1; i <= started; i++) pthread_join(ws[i].th, NULL);
    /* merge in worker order (counts add: order does not change them) */
    for (int i = 0; i < made; i++) {
        if (!st && ws[i].st) {
            st = ws[i].st;
            snprintf(msg, cap, "%s", ws[i].msg);
        }
        if (!st) st = tok_lang_merge(a, ws[i].acc, msg, cap);
        tok_lang_free(ws[i].acc);
        tok_ctx_free(ws[i].ctx);
    }
    for (batch *x = p.head; x;) {
        batch *nx = x->next;
        batch_free(x);
        x = nx;
    }
    free(ws);
    tok_ctx_free(big);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.more);
    return st;
}
