/* Replace used as a decoder: every match of the pattern in each token is
 * replaced by `content`.  HF runs the pattern through Oniguruma's find_iter:
 * leftmost matches, an empty match right where the previous match ended is
 * skipped (the search moves on one character), and an empty token stays
 * empty.  A String pattern is the escaped regex; with a non-empty string that
 * is plain substring search.  Regex patterns are Oniguruma (Ruby syntax):
 * they are compiled and iterated by the library's one Oniguruma-on-PCRE2
 * module (regex/regex.c), as Split and the Replace normalizer. */
#include "decoders.h"
#include "../regex/regex.h"

typedef struct {
    tok_decoder base;
    bool is_regex;
    char *pattern, *content;
    size_t plen, clen;
    tok_pt_regex *re; /* is_regex only */
} dec_replace;

/* Regex find_iter with the Oniguruma/HF empty-match rule (regex.c); builds
 * the output in the arena.  m[] holds match (start, end) pairs. */
static tok_status regex_one(const dec_replace *d, tok_str in, tok_str *out, tok_pt_matcher *mt, tok_ctx *ctx)
{
    if (in.n == 0 || tok_utf8_check((const uint8_t *)in.s, in.n) != in.n) {
        *out = in; /* HF: an empty token has no matches; tokens are valid UTF-8 */
        return TOK_OK;
    }
    size_t cap = in.n + 2;
    /* scratch, not output: outside the decoders' output bound */
    size_t *m = tok_arena_alloc(&ctx->arena, cap * 2 * sizeof *m);
    if (!m) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory while decoding");
    size_t nm = 0, matched_len = 0, s, e;
    tok_pt_regex_iter it;
    tok_pt_regex_iter_init(&it, mt, (const uint8_t *)in.s, in.n);
    int rc = 0;
    while (nm < cap && (rc = tok_pt_regex_next(&it, &s, &e)) > 0) {
        m[2 * nm] = s;
        m[2 * nm + 1] = e;
        nm++;
        matched_len += e - s;
    }
    if (rc < 0) return tok_pt_regex_fail(ctx, "Replace decoder", rc);
    if (!nm) { *out = in; return TOK_OK; }
    size_t len = in.n - matched_len + nm * d->clen;
    char *p = tok_dec_alloc(ctx, len);
    if (!p) return TOK_ERR_NOMEM;
    size_t k = 0, prev = 0;
    for (size_t i = 0; i < nm; i++) {
        memcpy(p + k, in.s + prev, m[2 * i] - prev);
        k += m[2 * i] - prev;
        memcpy(p + k, d->content, d->clen);
        k += d->clen;
        prev = m[2 * i + 1];
    }
    memcpy(p + k, in.s + prev, in.n - prev);
    out->s = p;
    out->n = len;
    return TOK_OK;
}

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    const dec_replace *d = (const dec_replace *)self;
    if (!d->is_regex) {
        for (size_t i = 0; i < toks->n; i++) {
            if (toks->v[i].n == 0) continue; /* empty token: no match, even for "" */
            tok_status st = tok_dec_replace_all(ctx, toks->v[i], d->pattern, d->plen, d->content,
                                                d->clen, &toks->v[i]);
            if (st) return st;
        }
        return TOK_OK;
    }
    tok_pt_matcher *mt = tok_pt_matcher_new(d->re, ctx);
    if (!mt) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory while decoding");
    tok_status st = TOK_OK;
    for (size_t i = 0; i < toks->n && !st; i++) st = regex_one(d, toks->v[i], &toks->v[i], mt, ctx);
    tok_pt_matcher_done(mt);
    return st;
}

static void dfree(tok_decoder *self)
{
    dec_replace *d = (dec_replace *)self;
    tok_pt_regex_free(d->re);
    free(d->pattern);
    free(d->content);
    free(d);
}

static json_t *to_json(const tok_decoder *self)
{
    const dec_replace *d = (const dec_replace *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("Replace"));
    json_t *p = json_object();
    json_object_set_new(p, d->is_regex ? "Regex" : "String", json_stringn(d->pattern, d->plen));
    json_object_set_new(j, "pattern", p);
    json_object_set_new(j, "content", json_stringn(d->content, d->clen));
    return j;
}

static const tok_decoder_vt vt = {"Replace", run, dfree, to_json};

tok_decoder *tok_dec_replace_from_json(tok_jctx *jc, const json_t *j)
{
    json_t *pat = NULL;
    const char *content = NULL, *ps = NULL;
    size_t clen = 0, plen = 0;
    bool is_regex = false;
    if (tok_jobj(jc, j, "pattern", &pat, true) || tok_jstr(jc, j, "content", &content, &clen, true))
        return NULL;
    size_t sv = tok_jpush(jc, "pattern");
    if (json_object_get(pat, "String")) {
        if (tok_jstr(jc, pat, "String", &ps, &plen, true)) goto fail;
    } else if (json_object_get(pat, "Regex")) {
        is_regex = true;
        if (tok_jstr(jc, pat, "Regex", &ps, &plen, true)) goto fail;
    } else {
        const char *k = json_object_size(pat) ? json_object_iter_key(json_object_iter(pat)) : "(empty)";
        tok_junsupported(jc, "pattern kind (expected String or Regex)", k);
        goto fail;
    }

    dec_replace *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); goto fail; }
    d->base.vt = &vt;
    d->is_regex = is_regex;
    d->plen = plen;
    d->clen = clen;
    d->pattern = tok_dec_strdup(jc, ps, plen);
    d->content = tok_dec_strdup(jc, content, clen);
    if (!d->pattern || !d->content) { dfree(&d->base); goto fail; }
    if (is_regex) {
        size_t s2 = tok_jpush(jc, "Regex");
        d->re = tok_pt_regex_new(jc, ps, plen, false);
        tok_jpop(jc, s2);
        if (!d->re) {
            dfree(&d->base);
            goto fail;
        }
    }
    tok_jpop(jc, sv);
    return &d->base;
fail:
    tok_jpop(jc, sv);
    return NULL;
}
