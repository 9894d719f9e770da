/*
 * One large text on several threads.  The fast-lane scanners always end a
 * pre-token after a newline that is followed by a letter (no alternative of
 * their patterns can run from a line break into a letter: the optional
 * prefix before letters excludes \r and \n), so cutting there
 * and encoding the parts independently gives the same tokens; word indices
 * and offsets are shifted back when the parts are joined, and the
 * post-processor then runs once on the whole.
 *
 * The text is cut into chunks that shrink as the text runs out, handed out
 * in order from a shared counter, so a thread that meets costlier text (new
 * words, another script) does not hold the others up; all threads share the
 * caller's pre-token cache, so a word one thread has encoded is a hit for
 * the others.
 * Each thread joins its chunks into the result itself.  UTF-8 is checked
 * per chunk (a cut is always between whole characters).
 */
#include "../internal.h"
#include "../core/piece_cache.h"
#include "../scan/classes.h"

#include <pthread.h>
#include <stdatomic.h>

#define MIN_PARALLEL (256u << 10)
#define MIN_CHUNK (16u << 10)
#define MAX_CHUNKS 128
#define MAX_THREADS 16

typedef struct chunk {
    size_t at, len;  /* in the text */
    int worker;      /* who encoded it */
    size_t from, n;  /* its tokens in that worker's enc[1] */
    int32_t words;   /* pre-tokens it numbered (last word + 1) */
    size_t dropped;
    tok_status st;
    size_t dest;     /* where its tokens go in the result */
    int32_t wbase;
} chunk;

/* What all the threads of one call share. */
typedef struct crew {
    tok_ctx *main;       /* the caller's context */
    const tok_encode_options *opt;
    const char *text;
    chunk *ch;
    size_t nch;
    _Atomic size_t next; /* the next chunk to hand out */
    _Atomic int stop;    /* a chunk failed: hand out no more */
    _Atomic size_t done; /* bytes encoded, for the shared cache's size (tok_ctx_progress_report) */
    int32_t *ids;        /* tok_encode_ids_threads: the caller's buffer, past the wrap's front ids */
} crew;

typedef struct job {
    crew *w;
    tok_ctx *ctx;        /* this thread's context (a helper of the caller's) */
    int k;
    int phase;           /* tok_encode_threads: 0 encode chunks; 1 copy them into the result */
} job;

/* The next chunk for job j, or NULL: none left, or one failed. */
static chunk *take(job *j)
{
    crew *w = j->w;
    if (atomic_load_explicit(&w->stop, memory_order_relaxed)) return NULL;
    size_t i = atomic_fetch_add(&w->next, 1);
    if (i >= w->nch) return NULL;
    chunk *h = &w->ch[i];
    tok__begin_call(j->ctx, w->opt);
    h->worker = j->k;
    return h;
}

/* Chunk h is encoded (h->st set): a failure stops the others; its dropped
 * bytes, and its length told to the shared progress. */
static void taken(job *j, chunk *h)
{
    if (h->st) atomic_store(&j->w->stop, 1);
    h->dropped = j->ctx->dropped;
    tok_ctx_progress_report(j->ctx, h->len);
}

static void encode_chunks(job *j)
{
    tok_ctx *c = j->ctx;
    const tok_encode_options *opt = j->w->opt;
    tok_enc *acc = &c->enc[1];
    acc->n = 0;
    for (chunk *h; (h = take(j));) {
        const char *text = j->w->text + h->at;
        size_t from = acc->n;
        if (tok__direct_seq_ok(c, opt)) {
            /* the direct loop appends behind this thread's earlier chunks:
             * no copy, and half the memory to fault in */
            h->st = tok__encode_direct_append(c, text, h->len, opt, acc, 0);
        } else {
            /* (encoded into enc[0], then kept behind this thread's earlier
             * chunks: encoding in place would need a bound on how much the
             * encoder reserves) */
            h->st = tok__encode_seq(c, text, h->len, opt, &c->enc[0], 0);
            if (!h->st && tok_enc_append(acc, &c->enc[0])) h->st = tok_ctx_fail(c, TOK_ERR_NOMEM, "out of memory");
        }
        if (!h->st) {
            h->n = acc->n - from;
            h->from = from;
            h->words = h->n ? acc->words[acc->n - 1] + 1 : 0;
        }
        taken(j, h);
    }
}

/* Copy this worker's chunks to their place in the result, shifted. */
static void copy_chunks(job *j)
{
    const tok_enc *src = &j->ctx->enc[1];
    tok_enc *e = &j->w->main->enc[0];
    for (size_t i = 0; i < j->w->nch; i++) {
        const chunk *h = &j->w->ch[i];
        if (h->worker != j->k || !h->n) continue;
        size_t d = h->dest, f = h->from;
        for (size_t q = 0; q < h->n; q++) {
            e->ids[d + q] = src->ids[f + q];
            e->off[d + q].start = src->off[f + q].start + (uint32_t)h->at;
            e->off[d + q].end = src->off[f + q].end + (uint32_t)h->at;
            e->words[d + q] = src->words[f + q] + h->wbase;
        }
        memcpy(e->type_ids + d, src->type_ids + f, h->n);
        memcpy(e->special + d, src->special + f, h->n);
        memcpy(e->added + d, src->added + f, h->n);
    }
}

static void *run_job(void *arg)
{
    job *j = arg;
    if (j->phase == 0) encode_chunks(j);
    else copy_chunks(j);
    return NULL;
}

/* Run fn on jobs 0..n-1 (`size` bytes apart), job 0 on this thread. */
static void run_on(void *(*fn)(void *), void *jobs, size_t size, int n)
{
    pthread_t th[MAX_THREADS];
    bool started[MAX_THREADS] = { false };
    char *j = jobs;
    for (int k = 1; k < n; k++) started[k] = !pthread_create(&th[k], NULL, fn, j + (size_t)k * size);
    fn(j);
    /* a thread that could not start: its share is done here */
    for (int k = 1; k < n; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else fn(j + (size_t)k * size);
    }
}

/* Is i (just after a "\n") a place to cut?  A letter must follow; with
 * GPT-2's pattern the "\n" must also follow a visible ASCII character (a
 * run of spaces before it would be split differently at the end of a part). */
static bool cut_here(const tok_tokenizer *t, const uint8_t *u, size_t len, size_t i)
{
    if (u[i - 1] != '\n') return false;
    if (t->scan_cut_after_text && (i < 2 || u[i - 2] <= 0x20 || u[i - 2] >= 0x7F)) return false;
    size_t l;
    uint32_t cp = tok_utf8_decode(u + i, len - i, &l);
    return cp != TOK_UTF8_BAD && (tok_cl(cp) & TOK_CL_L);
}

/* First safe cut at or after `at`, or len. */
size_t tok__safe_cut(const tok_tokenizer *t, const char *s, size_t len, size_t at)
{
    const uint8_t *u = (const uint8_t *)s;
    for (size_t i = at ? at : 1; i < len; i++) {
        const uint8_t *nl = memchr(u + i - 1, '\n', len - (i - 1));
        if (!nl) return len;
        i = (size_t)(nl - u) + 1;
        if (i < len && cut_here(t, u, len, i)) return i;
    }
    return len;
}

/* The text's chunks (ch: MAX_CHUNKS), guided: each a 1/(2 * threads) share
 * of the text still left, down to MIN_CHUNK, so that the chunks handed out
 * last are small and the threads finish together (equal chunks left a
 * thread idle for up to one chunk's time at the end: a 64 KiB chunk of
 * multilingual text is ~3 ms on one core).  Returns their count. */
static size_t cut_chunks(const tok_tokenizer *t, const char *text, size_t len, int threads, chunk *ch)
{
    size_t nch = 0, at = 0;
    while (nch + 1 < MAX_CHUNKS) {
        size_t left = len - at, want = left / (2 * (size_t)threads);
        if (want < MIN_CHUNK) want = MIN_CHUNK;
        if (want >= left) break;
        size_t c = tok__safe_cut(t, text, len, at + want);
        if (c >= len) break;
        ch[nch++] = (chunk){ .at = at, .len = c - at };
        at = c;
    }
    ch[nch++] = (chunk){ .at = at, .len = len - at };
    return nch;
}

/* The first failure in text order (chunks are taken in order, so all
 * before it were encoded or failed too), reported in w->main; TOK_OK none. */
static tok_status first_failure(crew *w)
{
    tok_ctx *ctx = w->main;
    for (size_t i = 0; i < w->nch; i++) {
        const chunk *h = &w->ch[i];
        if (!h->st) continue;
        if (h->st == TOK_ERR_UTF8) {
            size_t bad = tok_utf8_check((const uint8_t *)w->text + h->at, h->len);
            return tok_ctx_fail(ctx, TOK_ERR_UTF8, "invalid UTF-8 at byte offset %zu", h->at + bad);
        }
        snprintf(ctx->err, sizeof ctx->err, "%s", ctx->helpers[h->worker]->err);
        return h->st;
    }
    return TOK_OK;
}

/* Run fn on `threads` jobs over w's chunks, each on a helper context of
 * w->main (created on first use and kept there) that shares its pre-token
 * cache and the progress through the whole text of `len` bytes; the jobs
 * are left in jobs[] for a later phase.  Then the first failure in text
 * order, reported in w->main (TOK_OK none). */
static tok_status crew_run(crew *w, job *jobs, int threads, size_t len, void *(*fn)(void *))
{
    tok_ctx *ctx = w->main;
    if (!tok__ctx_pcache_new(ctx)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    size_t before = tok_pcache_count(ctx->pcache);
    for (int k = 0; k < threads; k++) {
        if ((!ctx->helpers[k] && !(ctx->helpers[k] = tok_ctx_new(ctx->tok))) ||
            tok__ctx_share_pcache(ctx->helpers[k], ctx))
            return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < threads; k++) {
        tok_ctx *h = ctx->helpers[k];
        h->prog_shared = &w->done;
        h->prog_whole = len;
        h->prog_told = 0;
        h->prog_before = before;
        jobs[k].w = w;
        jobs[k].ctx = h;
        jobs[k].k = k;
    }
    for (size_t i = 0; i < w->nch; i++) w->ch[i].worker = -1;
    run_on(fn, jobs, sizeof *jobs, threads);
    /* the call is over: the helpers' progress is their own again */
    for (int k = 0; k < threads; k++) ctx->helpers[k]->prog_shared = NULL;
    return first_failure(w);
}

/* Tables the cache outgrew: freed when no context outside this call shares it. */
static void quiesce(tok_ctx *ctx)
{
    int users = 1;
    for (int k = 0; k < MAX_THREADS; k++) users += ctx->helpers[k] && ctx->helpers[k]->pcache == ctx->pcache;
    if (atomic_load(&ctx->pcache->refs) == users) tok_pcache_quiesce(ctx->pcache);
}

tok_status tok_encode_threads(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                              int threads, tok_encoding *out)
{
    if (!ctx || !out) return TOK_ERR_ARG;
    const tok_tokenizer *t = ctx->tok;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    tok_encode_options def;
    const tok_encode_options *given = opt;
    if (!(opt = tok__defaults(opt, &def))) return tok__bad_options(ctx);
    if (threads <= 1 || !t->scan_cuttable || len < MIN_PARALLEL || opt->seed || len > TOK_MAX_TEXT || !text)
        return tok_encode(ctx, text, len, given, out);
    chunk ch[MAX_CHUNKS];
    size_t nch = cut_chunks(t, text, len, threads, ch);
    if (nch < 2) return tok_encode(ctx, text, len, given, out);
    if ((size_t)threads > nch) threads = (int)nch;
    tok__begin_call(ctx, opt);
    memset(out, 0, sizeof *out);
    crew w = { .main = ctx, .opt = opt, .text = text, .ch = ch, .nch = nch };
    job jobs[MAX_THREADS] = { { 0 } };
    tok_status st = crew_run(&w, jobs, threads, len, run_job);
    if (st) return st;
    /* where each chunk goes, and its first word number */
    size_t total = 0;
    int32_t wbase = 0;
    ctx->dropped = 0;
    for (size_t i = 0; i < nch; i++) {
        ch[i].dest = total;
        ch[i].wbase = wbase;
        total += ch[i].n;
        if (ch[i].n) wbase += ch[i].words;
        ctx->dropped += ch[i].dropped;
    }
    tok_enc *e = &ctx->enc[0];
    if (tok_enc_reserve(e, total ? total : 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    e->n = total;
    for (int k = 0; k < threads; k++) jobs[k].phase = 1;
    if (total < (64u << 10)) {
        for (int k = 0; k < threads; k++) copy_chunks(&jobs[k]);
    } else {
        run_on(run_job, jobs, sizeof *jobs, threads);
    }
    quiesce(ctx);
    return tok__finish(ctx, opt, 1, out);
}

/* ---- ids only ------------------------------------------------------------ */

/* Each chunk's ids at its own byte offset in the caller's buffer. */
static void *ids_chunks(void *arg)
{
    job *j = arg;
    for (chunk *h; (h = take(j));) {
        h->st = tok__encode_direct_ids_text(j->ctx, j->w->text + h->at, h->len, j->w->opt, j->w->ids + h->at, h->len,
                                            &h->n);
        taken(j, h);
    }
    return NULL;
}

tok_status tok_encode_ids_threads(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                                  int threads, int32_t *ids, size_t cap, size_t *n)
{
    if (!ctx || (!ids && cap)) return TOK_ERR_ARG;
    const tok_tokenizer *t = ctx->tok;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    tok_encode_options def;
    const tok_encode_options *o = tok__defaults(opt, &def);
    if (!o) return tok__bad_options(ctx);
    bool wrap;
    size_t nf = 0, nb = 0;
    bool direct = threads > 1 && t->scan && t->scan_cuttable && len >= MIN_PARALLEL && len <= TOK_MAX_TEXT && text &&
                  !o->seed && !(o->flags & TOK_ENC_LOSSY) && tok__direct_ok(ctx, o) && tok__ids_alone(ctx, o, &wrap);
    if (direct && wrap) {
        nf = t->wrap_front;
        nb = t->wrap_back;
    }
    if (!direct || cap < nf + len + nb) return tok_encode_ids(ctx, text, len, opt, ids, cap, n);
    chunk ch[MAX_CHUNKS];
    size_t nch = cut_chunks(t, text, len, threads, ch);
    if (nch < 2) return tok_encode_ids(ctx, text, len, opt, ids, cap, n);
    if ((size_t)threads > nch) threads = (int)nch;
    tok__begin_call(ctx, o);
    crew w = { .main = ctx, .opt = o, .text = text, .ch = ch, .nch = nch, .ids = ids + nf };
    job jobs[MAX_THREADS] = { { 0 } };
    tok_status st = crew_run(&w, jobs, threads, len, ids_chunks);
    if (st) return st;
    /* more ids than bytes in a chunk (a token covers a byte at least: not
     * expected): the whole text again on one thread */
    for (size_t i = 0; i < nch; i++)
        if (ch[i].n > ch[i].len) return tok_encode_ids(ctx, text, len, opt, ids, cap, n);
    /* close the gaps, in text order: each chunk moves down (or stays) */
    size_t k = nf;
    ctx->dropped = 0;
    for (size_t i = 0; i < nch; i++) {
        if (ch[i].n && k != nf + ch[i].at) memmove(ids + k, ids + nf + ch[i].at, ch[i].n * sizeof *ids);
        k += ch[i].n;
        ctx->dropped += ch[i].dropped;
    }
    if (nf) memcpy(ids, t->wrap, nf * sizeof *ids);
    if (nb) memcpy(ids + k, t->wrap + nf, nb * sizeof *ids);
    k += nb;
    quiesce(ctx);
    if (n) *n = k;
    return TOK_OK;
}

/* Last safe cut in [lo, len) (0 if none): the same rule, searched
 * backwards; the letter after the newline must be complete in the buffer. */
size_t tok__safe_cut_last(const tok_tokenizer *t, const char *s, size_t len, size_t lo)
{
    const uint8_t *u = (const uint8_t *)s;
    if (lo < 1) lo = 1;
    for (size_t i = len; i-- > lo;) {
        if (cut_here(t, u, len, i)) return i;
    }
    return 0;
}
