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
 * Patterns use PCRE2 (UTF, UCP, JIT).  Oniguruma's default (Ruby) syntax
 * differs a little: ^ and $ always work per line (MULTILINE here), and a few
 * escapes and options mean other things (see onig_to_pcre2).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "normalizers.h"

#include <pcre2.h>
#include <stdio.h>

typedef struct replace {
    tok_normalizer base;
    char *pattern;   /* as in the file */
    size_t pattern_len;
    bool is_regex;
    char *content;
    size_t content_len;
    pcre2_code *re;
} replace;

/* Per-call PCRE2 memory from the context arena (freed with it). */
static void *arena_malloc(PCRE2_SIZE n, void *data) { return tok_arena_alloc((tok_arena *)data, n); }
static void arena_free(void *p, void *data)
{
    TOK_UNUSED(p);
    TOK_UNUSED(data);
}

static tok_status rep_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const replace *r = (const replace *)self;
    size_t n = in->n;
    if (n == 0) return TOK_OK; /* HF: no match in an empty string */
    if (tok_utf8_check(in->s, n) != n) return tok_ctx_fail(ctx, TOK_ERR_UTF8, "Replace: normalizer input is not valid UTF-8");

    pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_free, &ctx->arena);
    pcre2_match_data *md = gc ? pcre2_match_data_create_from_pattern(r->re, gc) : NULL;
    if (!md) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    if (tok_nstr_reserve(out, out->n + n + r->content_len)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");

    size_t last_end = 0, copied = 0;
    bool have_last = false;
    size_t last_match_end = 0;
    while (last_end <= n) {
        int rc = pcre2_match(r->re, in->s, n, last_end, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "Replace: regex match failed: %s", (const char *)msg);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (e < s) e = s; /* \K tricks; keep it sane */
        if (s == e && have_last && last_match_end == e) {
            if (last_end >= n) break;
            int k = tok_utf8_seqlen(in->s[last_end]);
            last_end += k ? (size_t)k : 1;
            continue;
        }
        last_end = e;
        have_last = true;
        last_match_end = e;

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
    if (tok_nstr_push_aligned(out, in->s + copied, in->a0 + copied, in->a1 + copied, n - copied)) goto nomem;
    return TOK_OK;
nomem:
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

static void rep_free(tok_normalizer *self)
{
    replace *r = (replace *)self;
    pcre2_code_free(r->re);
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

/* Oniguruma's Unicode classes, measured against HF's binding: \w is
 * Alphabetic, marks, decimal digits, connector punctuation and the Latin-1
 * superscripts and fractions; \s is White_Space. */
#define ONIG_WORD "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{B2}\\x{B3}\\x{B9}\\x{BC}-\\x{BE}"

/* Oniguruma (default Ruby syntax) -> PCRE2.  Rewrites what would otherwise
 * match differently: \w \W \b \B \s \S (Unicode definitions above), \h \H
 * (hex digits, not horizontal space), option groups (?m) (dot matches
 * newline: PCRE2's s).  The rest is passed through. */
static char *onig_to_pcre2(const char *p, size_t n, size_t *outn)
{
    tok_sbuf o = {0};
    bool in_class = false;
    size_t class_start = 0; /* index just after "[" or "[^" */
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char d = p[i + 1];
            const char *rep = NULL;
            switch (d) {
            case 'h': rep = in_class ? "[:xdigit:]" : "[[:xdigit:]]"; break;
            case 'H': rep = in_class ? "[:^xdigit:]" : "[[:^xdigit:]]"; break;
            case 'w': rep = in_class ? ONIG_WORD : "[" ONIG_WORD "]"; break;
            case 'W': rep = in_class ? NULL : "[^" ONIG_WORD "]"; break;
            case 's': rep = "\\p{White_Space}"; break;
            case 'S': rep = "\\P{White_Space}"; break;
            case 'b':
                rep = in_class ? NULL
                               : "(?:(?<=[" ONIG_WORD "])(?![" ONIG_WORD "])|(?<![" ONIG_WORD "])(?=[" ONIG_WORD "]))";
                break;
            case 'B':
                rep = in_class ? NULL
                               : "(?:(?<=[" ONIG_WORD "])(?=[" ONIG_WORD "])|(?<![" ONIG_WORD "])(?![" ONIG_WORD "]))";
                break;
            default: break;
            }
            if (rep) bad |= tok_sbuf_put(&o, rep, strlen(rep));
            else bad |= tok_sbuf_put(&o, p + i, 2);
            i++;
            continue;
        }
        if (in_class) {
            if (c == '[' && i + 1 < n && p[i + 1] == ':') { /* POSIX class: copy through ":]" */
                size_t b = i + 2;
                while (b + 1 < n && !(p[b] == ':' && p[b + 1] == ']')) b++;
                if (b + 1 < n) {
                    bad |= tok_sbuf_put(&o, p + i, b + 2 - i);
                    i = b + 1;
                    continue;
                }
            } else if (c == ']' && i > class_start) {
                in_class = false;
            }
            bad |= tok_sbuf_putc(&o, c);
            continue;
        }
        if (c == '[') {
            in_class = true;
            bad |= tok_sbuf_putc(&o, c);
            if (i + 1 < n && p[i + 1] == '^') bad |= tok_sbuf_putc(&o, p[++i]);
            class_start = i + 1;
            continue;
        }
        if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            size_t b = i + 2;
            while (b < n && (p[b] == 'i' || p[b] == 'm' || p[b] == 'x' || p[b] == '-')) b++;
            if (b > i + 2 && b < n && (p[b] == ':' || p[b] == ')')) {
                bad |= tok_sbuf_put(&o, "(?", 2);
                for (size_t q = i + 2; q < b; q++) bad |= tok_sbuf_putc(&o, p[q] == 'm' ? 's' : p[q]);
                i = b - 1;
                continue;
            }
        }
        bad |= tok_sbuf_putc(&o, c);
    }
    if (bad || tok_sbuf_cstr(&o)) {
        tok_vec_free(&o);
        return NULL;
    }
    *outn = o.n;
    return o.v;
}

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

    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE;
    if (is_regex) {
        size_t tn = 0;
        char *tp = onig_to_pcre2(ps, ps_len, &tn);
        if (!tp) {
            rep_free(&r->base);
            tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
            return NULL;
        }
        r->re = pcre2_compile((PCRE2_SPTR)tp, tn, opts, &errcode, &erroff, NULL);
        free(tp);
    } else {
        /* LITERAL admits only a few options; UCP/MULTILINE do not matter for it */
        r->re = pcre2_compile((PCRE2_SPTR)ps, ps_len, PCRE2_UTF | PCRE2_LITERAL, &errcode, &erroff, NULL);
    }
    if (!r->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        size_t s1 = tok_jpush(jc, "pattern");
        tok_jfail(jc, TOK_ERR_FORMAT, "bad regex at offset %zu: %s", (size_t)erroff, (const char *)msg);
        tok_jpop(jc, s1);
        rep_free(&r->base);
        return NULL;
    }
    pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter if JIT is unavailable */
    return &r->base;
}
