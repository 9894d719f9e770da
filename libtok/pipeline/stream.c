/*
 * Streaming decode for generated ids.  Like HF's DecodeStream: decode the ids
 * since the last emitted point and emit the new suffix only once it does not
 * end in U+FFFD (an incomplete UTF-8 sequence or byte-fallback run), so the
 * output never splits a character.  Decoding a short window, not the whole
 * history, keeps each step O(window).
 */
#include "../internal.h"

struct tok_stream {
    tok_ctx *ctx;
    uint32_t flags;
    TOK_VEC(int32_t) ids;     /* window: prefix ids + pending ids */
    size_t prefix_ids;        /* ids whose text was already emitted */
    tok_sbuf prefix;          /* decoded text of ids[0..prefix_ids) */
    tok_sbuf out;
    char err[512];
};

tok_stream *tok_stream_new(const tok_tokenizer *t, uint32_t flags)
{
    tok_stream *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->ctx = tok_ctx_new(t);
    if (!s->ctx) {
        free(s);
        return NULL;
    }
    s->flags = flags;
    return s;
}

void tok_stream_free(tok_stream *s)
{
    if (!s) return;
    tok_ctx_free(s->ctx);
    tok_vec_free(&s->ids);
    tok_vec_free(&s->prefix);
    tok_vec_free(&s->out);
    free(s);
}

const char *tok_stream_error(const tok_stream *s) { return s ? s->err : "no stream"; }

static tok_status fail_from_ctx(tok_stream *s, tok_status st)
{
    memcpy(s->err, s->ctx->err, sizeof s->err);
    return st;
}

static bool ends_with_replacement(const char *t, size_t n)
{
    return n >= 3 && (uint8_t)t[n - 3] == 0xEF && (uint8_t)t[n - 2] == 0xBF && (uint8_t)t[n - 1] == 0xBD;
}

/* Where the new text starts: after the emitted prefix, moved to a character
 * boundary.  A byte-fallback run can change text already emitted (bytes
 * that were valid alone become U+FFFD with the next byte), so the window's
 * text need not start with the prefix any more; what was emitted stays, and
 * the rest must still be whole characters. */
static size_t new_text_at(const char *t, size_t n, size_t at)
{
    while (at < n && ((uint8_t)t[at] & 0xC0) == 0x80) at++;
    return at;
}

tok_status tok_stream_push(tok_stream *s, int32_t id, const char **chunk, size_t *len)
{
    if (!s || !chunk) return TOK_ERR_ARG;
    *chunk = "";
    if (len) *len = 0;
    if (tok_vec_push(&s->ids, id)) return TOK_ERR_NOMEM;
    const char *text;
    size_t n;
    tok_status st = tok_decode(s->ctx, s->ids.v, s->ids.n, s->flags, &text, &n);
    if (st) {
        s->ids.n--;
        return fail_from_ctx(s, st);
    }
    if (n <= s->prefix.n || ends_with_replacement(text, n)) return TOK_OK;
    size_t at = new_text_at(text, n, s->prefix.n);
    s->out.n = 0;
    if (tok_sbuf_put(&s->out, text + at, n - at) || tok_sbuf_cstr(&s->out)) return TOK_ERR_NOMEM;
    /* slide the window: keep the ids since the last emitted point as context */
    size_t keep_from = s->prefix_ids;
    memmove(s->ids.v, s->ids.v + keep_from, (s->ids.n - keep_from) * sizeof *s->ids.v);
    s->ids.n -= keep_from;
    s->prefix_ids = s->ids.n;
    if ((st = tok_decode(s->ctx, s->ids.v, s->ids.n, s->flags, &text, &n))) return fail_from_ctx(s, st);
    s->prefix.n = 0;
    if (tok_sbuf_put(&s->prefix, text, n)) return TOK_ERR_NOMEM;
    *chunk = s->out.v;
    if (len) *len = s->out.n;
    return TOK_OK;
}

tok_status tok_stream_finish(tok_stream *s, const char **chunk, size_t *len)
{
    if (!s || !chunk) return TOK_ERR_ARG;
    *chunk = "";
    if (len) *len = 0;
    const char *text;
    size_t n;
    tok_status st = tok_decode(s->ctx, s->ids.v, s->ids.n, s->flags, &text, &n);
    if (st) return fail_from_ctx(s, st);
    size_t at = new_text_at(text, n, s->prefix.n);
    s->out.n = 0;
    if (n > at && (tok_sbuf_put(&s->out, text + at, n - at))) return TOK_ERR_NOMEM;
    if (tok_sbuf_cstr(&s->out)) return TOK_ERR_NOMEM;
    s->ids.n = 0;
    s->prefix_ids = 0;
    s->prefix.n = 0;
    *chunk = s->out.v;
    if (len) *len = s->out.n;
    return TOK_OK;
}
