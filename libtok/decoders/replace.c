/* Replace used as a decoder: every match of the pattern in each token is
 * replaced by `content`.  HF runs the pattern through Oniguruma's find_iter:
 * leftmost matches, an empty match right where the previous match ended is
 * skipped (the search moves on one character), and an empty token stays
 * empty.  A String pattern is the escaped regex; with a non-empty string that
 * is plain substring search.  Regex patterns are Oniguruma (Ruby syntax):
 * they go through the pre-tokenizers' translation to PCRE2, with ^ and $ as
 * line anchors (PCRE2_MULTILINE, newline LF) as in Ruby. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "decoders.h"
#include "../pretokenizers/pretok.h" /* tok_onig_to_pcre2 */

#include <pcre2.h>

typedef struct {
    tok_decoder base;
    bool is_regex;
    char *pattern, *content;
    size_t plen, clen;
    pcre2_code *re; /* is_regex only */
} dec_replace;

/* PCRE2 scratch (match data, backtracking frames) comes from the call arena,
 * so matching does not touch the heap; the arena is reset per call. */
static void *arena_malloc(size_t n, void *data) { return tok_arena_alloc((tok_arena *)data, n); }
static void arena_free(void *p, void *data) { TOK_UNUSED(p); TOK_UNUSED(data); }

static size_t next_char(const char *s, size_t n, size_t i)
{
    i++;
    while (i < n && ((uint8_t)s[i] & 0xC0) == 0x80) i++;
    return i;
}

/* Regex find_iter with the Oniguruma/HF empty-match rule; builds the output
 * in the arena.  m[] holds match (start, end) pairs. */
static tok_status regex_one(const dec_replace *d, tok_str in, tok_str *out,
                            pcre2_match_data *md, tok_ctx *ctx)
{
    if (in.n == 0 || tok_utf8_check((const uint8_t *)in.s, in.n) != in.n) {
        *out = in; /* HF: an empty token has no matches; tokens are valid UTF-8 */
        return TOK_OK;
    }
    size_t cap = in.n + 2;
    size_t *m = (size_t *)tok_dec_alloc(ctx, cap * 2 * sizeof *m);
    if (!m) return TOK_ERR_NOMEM;
    size_t nm = 0, pos = 0, matched_len = 0;
    bool have_last = false;
    size_t last_end = 0;
    while (pos <= in.n && nm < cap) {
        int rc = pcre2_match(d->re, (PCRE2_SPTR)in.s, in.n, pos, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT) /* deep backtracking: the interpreter keeps its frames on the heap */
            rc = pcre2_match(d->re, (PCRE2_SPTR)in.s, in.n, pos, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, NULL);
        if (rc < 0) {
            if (rc == PCRE2_ERROR_NOMATCH) break;
            return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "Replace decoder: regex match failed (PCRE2 error %d)", rc);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (s > e) e = s; /* \K tricks: treat as empty */
        if (s == e && have_last && last_end == e) {
            if (pos >= in.n) break;
            pos = next_char(in.s, in.n, pos);
            continue;
        }
        m[2 * nm] = s;
        m[2 * nm + 1] = e;
        nm++;
        matched_len += e - s;
        have_last = true;
        last_end = e;
        pos = e;
    }
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
    pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_free, &ctx->arena);
    pcre2_match_data *md = gc ? pcre2_match_data_create_from_pattern(d->re, gc) : NULL;
    if (!md) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory while decoding");
    for (size_t i = 0; i < toks->n; i++) {
        tok_status st = regex_one(d, toks->v[i], &toks->v[i], md, ctx);
        if (st) return st;
    }
    return TOK_OK;
}

static void dfree(tok_decoder *self)
{
    dec_replace *d = (dec_replace *)self;
    if (d->re) pcre2_code_free(d->re);
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
        char msg[200];
        tok_sbuf tr = {0};
        int bad = tok_onig_to_pcre2(ps, plen, &tr, msg, sizeof msg);
        if (!bad && tok_sbuf_cstr(&tr)) {
            bad = -1;
            strcpy(msg, "out of memory");
        }
        if (bad) {
            size_t s2 = tok_jpush(jc, "Regex");
            tok_jfail(jc, strcmp(msg, "out of memory") ? TOK_ERR_UNSUPPORTED : TOK_ERR_NOMEM, "regex \"%s\": %s",
                      d->pattern, msg);
            tok_jpop(jc, s2);
            tok_vec_free(&tr);
            dfree(&d->base);
            goto fail;
        }
        int err = 0;
        PCRE2_SIZE eoff;
        pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
        bool have_cc = cc != NULL;
        if (cc) {
            pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
            pcre2_set_bsr(cc, PCRE2_BSR_UNICODE);
            d->re = pcre2_compile((PCRE2_SPTR)tr.v, tr.n, PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &err, &eoff, cc);
            pcre2_compile_context_free(cc);
        }
        tok_vec_free(&tr);
        if (!d->re) {
            PCRE2_UCHAR emsg[160] = "out of memory";
            if (have_cc) pcre2_get_error_message(err, emsg, sizeof emsg);
            size_t s2 = tok_jpush(jc, "Regex");
            tok_jfail(jc, have_cc ? TOK_ERR_FORMAT : TOK_ERR_NOMEM, "bad regex \"%s\": %s", d->pattern,
                      (const char *)emsg);
            tok_jpop(jc, s2);
            dfree(&d->base);
            goto fail;
        }
        pcre2_jit_compile(d->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    }
    tok_jpop(jc, sv);
    return &d->base;
fail:
    tok_jpop(jc, sv);
    return NULL;
}
