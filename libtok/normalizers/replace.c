/*
 * Replace: every match of a pattern becomes `content` (possibly empty).
 *
 * HF compiles both {"String": s} (escaped) and {"Regex": r} with Oniguruma and
 * walks the matches like the onig crate's find_iter: an empty match right
 * where the previous match ended is skipped (so "" matches at every char
 * boundary, and "a*" on "ab" matches "a" and the empty string at the end).
 * The inserted chars take the range of the char before the match end (the
 * last char of the match, or the char before an empty match; HF's (0,0), the
 * segment start, for an empty match at 0).  Unmatched text keeps its ranges.
 *
 * Patterns are translated, compiled and iterated by the library's one
 * Oniguruma-on-PCRE2 module (regex/regex.c), as in Split and in the
 * Replace decoder.
 */
#include "normalizers.h"
#include "../regex/regex.h"

#include <stdio.h>

typedef struct replace {
    tok_normalizer base;
    char *pattern;   /* as in the file */
    size_t pattern_len;
    bool is_regex;
    char *content;
    size_t content_len;
    tok_pt_regex *re;
} replace;

static tok_status rep_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const replace *r = (const replace *)self;
    size_t n = in->n;
    if (n == 0) return TOK_OK; /* HF: no match in an empty string */
    if (tok_utf8_check(in->s, n) != n) return tok_ctx_fail(ctx, TOK_ERR_UTF8, "Replace: normalizer input is not valid UTF-8");
    tok_pt_matcher *m = tok_pt_matcher_new(r->re, ctx);
    if (!m) return TOK_ERR_NOMEM;
    tok_status st = TOK_OK;
    if (tok_nstr_reserve(out, out->n + n + r->content_len)) goto nomem;
    tok_pt_regex_iter it;
    tok_pt_regex_iter_init(&it, m, in->s, n);
    size_t copied = 0, s, e;
    int rc;
    while ((rc = tok_pt_regex_next(&it, &s, &e)) > 0) {
        /* text before the match, unchanged */
        if (tok_nstr_push_aligned(out, in->s + copied, in->a0 + copied, in->a1 + copied, s - copied)) goto nomem;
        uint32_t r0, r1;
        if (e == 0) {
            r0 = r1 = in->start;
        } else {
            size_t k = e - 1;
            while (k > 0 && (in->s[k] & 0xC0) == 0x80) k--;
            r0 = in->a0[k];
            r1 = in->a1[e - 1];
        }
        if (tok_nstr_push(out, r->content, r->content_len, r0, r1)) goto nomem;
        copied = e;
    }
    if (rc < 0) {
        st = tok_pt_regex_fail(ctx, "Replace normalizer", rc);
        goto done;
    }
    if (tok_nstr_push_aligned(out, in->s + copied, in->a0 + copied, in->a1 + copied, n - copied)) goto nomem;
    goto done;
nomem:
    st = tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
done:
    tok_pt_matcher_done(m);
    return st;
}

static void rep_free(tok_normalizer *self)
{
    replace *r = (replace *)self;
    tok_pt_regex_free(r->re);
    free(r->pattern);
    free(r->content);
    free(r);
}

static json_t *rep_to_json(const tok_normalizer *self)
{
    const replace *r = (const replace *)self;
    return json_pack("{sss{ss%}ss%}", "type", "Replace", "pattern", r->is_regex ? "Regex" : "String",
                     r->pattern, r->pattern_len, "content", r->content, r->content_len);
}

static const tok_normalizer_vt rep_vt = {"Replace", rep_run, rep_free, rep_to_json};

tok_normalizer *tok_norm_replace_from_json(tok_jctx *jc, const json_t *j)
{
    json_t *pat = NULL;
    const char *content = NULL, *ps = NULL;
    size_t content_len = 0, ps_len = 0;
    bool is_regex = false;
    if (tok_jobj(jc, j, "pattern", &pat, true)) return NULL;
    size_t s0 = tok_jpush(jc, "pattern");
    json_t *sv = json_object_get(pat, "String"), *rv = json_object_get(pat, "Regex");
    if (json_object_size(pat) != 1 || (!sv && !rv)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected {\"String\": ...} or {\"Regex\": ...}");
        tok_jpop(jc, s0);
        return NULL;
    }
    is_regex = rv != NULL;
    if (tok_jstr(jc, pat, is_regex ? "Regex" : "String", &ps, &ps_len, true)) {
        tok_jpop(jc, s0);
        return NULL;
    }
    tok_jpop(jc, s0);
    if (tok_jstr(jc, j, "content", &content, &content_len, true)) return NULL;

    replace *r = calloc(1, sizeof *r);
    if (r) {
        r->pattern = malloc(ps_len + 1);
        r->content = malloc(content_len + 1);
    }
    if (!r || !r->pattern || !r->content) {
        if (r) rep_free(&r->base);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->base.vt = &rep_vt;
    memcpy(r->pattern, ps, ps_len);
    r->pattern[ps_len] = 0;
    r->pattern_len = ps_len;
    memcpy(r->content, content, content_len);
    r->content[content_len] = 0;
    r->content_len = content_len;
    r->is_regex = is_regex;

    size_t s1 = tok_jpush(jc, "pattern");
    r->re = tok_pt_regex_new(jc, ps, ps_len, !is_regex);
    tok_jpop(jc, s1);
    if (!r->re) {
        rep_free(&r->base);
        return NULL;
    }
    return &r->base;
}
