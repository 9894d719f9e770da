/*
 * Streaming encode of one huge text: chunks are appended to a buffer, and
 * whatever lies before the last safe cut (the rule tok_encode_threads uses:
 * a newline followed by a letter, where every fast-lane pre-tokenizer must
 * split) is encoded and handed out; only the tail after that cut is kept.
 * Memory is bounded by the longest stretch without a safe cut.  Pipelines
 * without such cuts keep everything until tok_encoder_finish (documented in
 * tok.h).  The post-processor is not run: a stream has no single end.
 */
#include "../internal.h"

struct tok_encoder {
    const tok_tokenizer *t;
    tok_ctx *ctx;
    tok_encode_options opt;
    char *buf;
    size_t len, cap;
    uint64_t consumed;   /* stream bytes already encoded and handed out */
    uint64_t base;       /* stream offset of the last result's offsets */
    int32_t words;       /* word index base */
    bool cuttable;
    bool failed;
};

tok_encoder *tok_encoder_new(const tok_tokenizer *t, const tok_encode_options *opt)
{
    if (!t) return NULL;
    tok_encoder *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->t = t;
    if (!(s->ctx = tok_ctx_new(t))) {
        free(s);
        return NULL;
    }
    if (opt) s->opt = *opt;
    else tok_encode_options_init(&s->opt);
    s->opt.flags &= ~TOK_ENC_ADD_SPECIAL;
    /* pieces of one text: the file's truncation and padding are not theirs */
    tok_truncation tr;
    tok_padding pd;
    tok_truncation_init(&tr);
    tok_padding_init(&pd);
    tok_ctx_set_truncation(s->ctx, &tr);
    tok_ctx_set_padding(s->ctx, &pd);
    s->cuttable = t->scan_cuttable && !s->opt.seed;
    return s;
}

void tok_encoder_free(tok_encoder *s)
{
    if (!s) return;
    tok_ctx_free(s->ctx);
    free(s->buf);
    free(s);
}

const char *tok_encoder_error(const tok_encoder *s)
{
    return s ? tok_ctx_error(s->ctx) : "";
}

uint64_t tok_encoder_offset(const tok_encoder *s)
{
    return s ? s->base : 0;
}

/* Encode buf[0..n), hand it out and drop it from the buffer. */
static tok_status emit(tok_encoder *s, size_t n, tok_encoding *out)
{
    size_t bad = tok_utf8_check((const uint8_t *)s->buf, n);
    if (bad != n && !(s->opt.flags & TOK_ENC_LOSSY)) {
        s->failed = true;
        tok__begin_call(s->ctx, &s->opt);
        return tok_ctx_fail(s->ctx, TOK_ERR_UTF8, "invalid UTF-8 at byte offset %llu",
                            (unsigned long long)(s->consumed + bad));
    }
    tok_status st = tok_encode(s->ctx, s->buf, n, &s->opt, out);
    if (st) {
        s->failed = true;
        return st;
    }
    /* word indices continue across pieces; offsets stay relative to base */
    if (out->words && out->n) {
        int32_t *w = (int32_t *)out->words;
        int32_t last = -1;
        for (size_t i = 0; i < out->n; i++)
            if (w[i] >= 0) {
                w[i] += s->words;
                last = w[i];
            }
        if (last >= 0) s->words = last + 1;
    }
    s->base = s->consumed;
    s->consumed += n;
    /* the tail moves to the front; out's arrays live in the context, not buf */
    if (s->len > n) memmove(s->buf, s->buf + n, s->len - n); /* buf may still be NULL */
    s->len -= n;
    return TOK_OK;
}

tok_status tok_encoder_push(tok_encoder *s, const char *chunk, size_t len, tok_encoding *out)
{
    if (!s || !out || (!chunk && len)) return TOK_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (s->failed) return tok_ctx_fail(s->ctx, TOK_ERR_ARG, "the stream failed earlier");
    if (len > TOK_MAX_TEXT - s->len) return tok_ctx_fail(s->ctx, TOK_ERR_LIMIT, "no safe cut in %zu bytes", s->len);
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->len + len) cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (!nb) return tok_ctx_fail(s->ctx, TOK_ERR_NOMEM, "out of memory");
        s->buf = nb;
        s->cap = cap;
    }
    if (len) memcpy(s->buf + s->len, chunk, len); /* an empty first chunk: no buffer yet */
    s->len += len;
    if (!s->cuttable) return TOK_OK;
    /* look for a cut only where the new bytes can have made one: a newline
     * just before them, or a letter whose first bytes came earlier */
    size_t from = s->len - len;
    size_t cut = tok__safe_cut_last(s->t, s->buf, s->len, from > 5 ? from - 5 : 1);
    if (cut == 0) return TOK_OK;
    return emit(s, cut, out);
}

tok_status tok_encoder_finish(tok_encoder *s, tok_encoding *out)
{
    if (!s || !out) return TOK_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (s->failed) return tok_ctx_fail(s->ctx, TOK_ERR_ARG, "the stream failed earlier");
    tok_status st = emit(s, s->len, out);
    s->failed = true; /* finished: further pushes are refused */
    return st;
}
