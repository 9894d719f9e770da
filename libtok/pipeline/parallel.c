/*
 * One large text on several threads.  The fast-lane scanners always end a
 * pre-token after a newline that is followed by a letter (no alternative of
 * their patterns can run from a line break into a letter: the optional
 * prefix before letters excludes \r and \n), so cutting there
 * and encoding the parts independently gives the same tokens; word indices
 * and offsets are shifted back when the parts are joined, and the
 * post-processor then runs once on the whole.
 */
#include "../internal.h"
#include "../scan/classes.h"

#include <pthread.h>


#define MIN_PARALLEL (256u << 10)

typedef struct part {
    tok_ctx *ctx;
    const tok_encode_options *opt;
    const char *s;
    size_t n;
    tok_status st;
} part;

static void *run_part(void *arg)
{
    part *p = arg;
    tok__begin_call(p->ctx, p->opt);
    p->st = tok__encode_seq(p->ctx, p->s, p->n, p->opt, &p->ctx->enc[0], 0);
    return NULL;
}

/* First safe cut at or after `at`, or len: a newline followed by a letter
 * (\p{L}, any script, by the scanners' own class table). */
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

size_t tok__safe_cut(const tok_tokenizer *t, const char *s, size_t len, size_t at)
{
    const uint8_t *u = (const uint8_t *)s;
    for (size_t i = at ? at : 1; i < len; i++) {
        if (cut_here(t, u, len, i)) return i;
    }
    return len;
}

tok_status tok_encode_threads(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                              int threads, tok_encoding *out)
{
    if (!ctx || !out) return TOK_ERR_ARG;
    const tok_tokenizer *t = ctx->tok;
    if (threads > 16) threads = 16;
    tok_encode_options def;
    const tok_encode_options *given = opt;
    if (!(opt = tok__defaults(opt, &def))) return tok__bad_options(ctx);
    if (threads <= 1 || !t->scan_cuttable || len < MIN_PARALLEL || opt->seed)
        return tok_encode(ctx, text, len, given, out);
    /* cut points; fewer parts when no safe cut is near */
    size_t cuts[17];
    int np = 0;
    cuts[0] = 0;
    for (int k = 1; k < threads; k++) {
        size_t c = tok__safe_cut(t, text, len, len / (size_t)threads * (size_t)k);
        if (c > cuts[np] && c < len) cuts[++np] = c;
    }
    cuts[++np] = len;
    if (np == 1) return tok_encode(ctx, text, len, given, out);
    /* invalid UTF-8 must be reported with its offset in the whole text */
    size_t bad = tok_utf8_check((const uint8_t *)text, len);
    if (bad != len && !(opt->flags & TOK_ENC_LOSSY)) {
        tok__begin_call(ctx, opt);
        return tok_ctx_fail(ctx, TOK_ERR_UTF8, "invalid UTF-8 at byte offset %zu", bad);
    }
    part parts[16];
    pthread_t th[16];
    for (int k = 0; k < np; k++) {
        tok_ctx *c = ctx;
        if (k > 0) {
            if (!ctx->helpers[k] && !(ctx->helpers[k] = tok_ctx_new(t))) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            c = ctx->helpers[k];
        }
        parts[k] = (part){ c, opt, text + cuts[k], cuts[k + 1] - cuts[k], TOK_OK };
    }
    for (int k = 1; k < np; k++)
        if (pthread_create(&th[k], NULL, run_part, &parts[k])) {
            parts[k].st = TOK_ERR_NOMEM;
            th[k] = 0;
        }
    run_part(&parts[0]);
    for (int k = 1; k < np; k++)
        if (th[k]) pthread_join(th[k], NULL);
    for (int k = 0; k < np; k++)
        if (parts[k].st) {
            if (k) snprintf(ctx->err, sizeof ctx->err, "%s", parts[k].ctx->err);
            return parts[k].st;
        }
    /* join: shift offsets and word indices of later parts */
    tok_enc *e = &ctx->enc[0];
    for (int k = 1; k < np; k++) {
        tok_enc *x = &parts[k].ctx->enc[0];
        int32_t wbase = e->n ? e->words[e->n - 1] + 1 : 0;
        size_t at = e->n;
        if (tok_enc_append(e, x)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        ctx->dropped += parts[k].ctx->dropped;
        for (size_t i = at; i < e->n; i++) {
            e->off[i].start += (uint32_t)cuts[k];
            e->off[i].end += (uint32_t)cuts[k];
            e->words[i] += wbase;
        }
    }
    return tok__finish(ctx, opt, 1, out);
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
