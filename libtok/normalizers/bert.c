/*
 * BertNormalizer, as HF normalizers/bert.rs:
 *   clean_text: drop U+0000, U+FFFD and "other" chars (Cc, Cf, Co except
 *               \t \n \r), turn whitespace into ' ';
 *   handle_chinese_chars: CJK ideographs get a space on each side;
 *   strip_accents (null: same as lowercase): NFD, then drop Mn;
 *   lowercase: Rust char::to_lowercase.
 * All of it is per char except NFD, so it runs as: one pass for cleaning,
 * CJK spacing (and lowercasing when there is no NFD), the NFD normalizer, and
 * one pass dropping Mn and lowercasing.  Every char produced keeps the range
 * of the char it came from, which is what HF's changes amount to.
 * Category data: HF uses the unicode_categories crate (an old Unicode);
 * cat_fix / mn_fix list where utf8proc's newer data differs from it.
 */
#include "../internal.h"

#include <utf8proc.h>

tok_normalizer *tok_norm_bert_from_json(tok_jctx *jc, const json_t *j);

typedef struct bert {
    tok_normalizer base;
    bool clean_text, handle_chinese_chars, lowercase;
    int strip_accents; /* -1: null (follow lowercase), 0, 1 */
    tok_normalizer *nfd;
} bert;

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid][0]) hi = mid;
        else if (cp > r[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

/* Code points where "is Cc/Cf/Co" differs between utf8proc and HF's tables. */
static const uint32_t cat_fix[][2] = {
    {0, 0},
};
/* Code points where "is Mn" differs between utf8proc and HF's tables. */
static const uint32_t mn_fix[][2] = {
    {0, 0},
};
/* Simple lowercase mappings where Rust and utf8proc disagree. */
static const uint32_t lower_fix[][2] = {
    {0, 0},
};

static bool is_other(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    bool o = c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CO;
    return o != in_ranges(cat_fix, sizeof cat_fix / sizeof cat_fix[0], cp);
}

static bool is_mn(uint32_t cp)
{
    if (cp < 0x300) return false;
    bool m = utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_MN;
    return m != in_ranges(mn_fix, sizeof mn_fix / sizeof mn_fix[0], cp);
}

static bool rust_is_whitespace(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

static bool is_chinese(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

static uint32_t rust_lower(uint32_t cp)
{
    size_t lo = 0, hi = sizeof lower_fix / sizeof lower_fix[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < lower_fix[mid][0]) hi = mid;
        else if (cp > lower_fix[mid][0]) lo = mid + 1;
        else if (cp) return lower_fix[mid][1];
        else break;
    }
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

static inline int put_cp(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1)
{
    if (out->n + 4 > out->cap && tok_nstr_reserve(out, out->n + 4)) return -1;
    if (cp < 0x80) {
        out->s[out->n] = (uint8_t)cp;
        out->a0[out->n] = r0;
        out->a1[out->n] = r1;
        out->n++;
        return 0;
    }
    uint8_t b[4];
    int k = tok_utf8_encode(cp, b);
    for (int i = 0; i < k; i++) {
        out->s[out->n] = b[i];
        out->a0[out->n] = r0;
        out->a1[out->n] = r1;
        out->n++;
    }
    return 0;
}

static int put_lower(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1)
{
    if (cp < 0x80) return put_cp(out, (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp, r0, r1);
    if (cp == 0x130) return put_cp(out, 'i', r0, r1) || put_cp(out, 0x307, r0, r1);
    return put_cp(out, rust_lower(cp), r0, r1);
}

/* clean_text + chinese chars (+ lowercase when `lower`).  *wide is set when a
 * char that NFD could change (>= U+00C0) remains. */
static int pass1(const bert *b, const tok_nstr *in, tok_nstr *out, bool lower, bool *wide)
{
    if (tok_nstr_reserve(out, out->n + in->n + 16)) return -1;
    *wide = false;
    for (size_t i = 0; i < in->n;) {
        size_t len;
        uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, &len);
        if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
        uint32_t r0 = in->a0[i], r1 = in->a1[i + len - 1];
        i += len;
        if (b->clean_text) {
            if (cp == 0 || cp == 0xFFFD) continue;
            if (cp != '\t' && cp != '\n' && cp != '\r' && is_other(cp)) continue;
            if (rust_is_whitespace(cp)) cp = ' ';
        }
        if (cp >= 0xC0) *wide = true;
        if (b->handle_chinese_chars && is_chinese(cp)) {
            if (put_cp(out, ' ', r0, r1) || put_cp(out, cp, r0, r1) || put_cp(out, ' ', r0, r1)) return -1;
            continue;
        }
        if (lower ? put_lower(out, cp, r0, r1) : put_cp(out, cp, r0, r1)) return -1;
    }
    return 0;
}

/* After NFD: drop Mn, then lowercase if asked. */
static int pass2(const tok_nstr *in, tok_nstr *out, bool lower)
{
    if (tok_nstr_reserve(out, out->n + in->n + 16)) return -1;
    for (size_t i = 0; i < in->n;) {
        size_t len;
        uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, &len);
        if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
        uint32_t r0 = in->a0[i], r1 = in->a1[i + len - 1];
        i += len;
        if (is_mn(cp)) continue;
        if (lower ? put_lower(out, cp, r0, r1) : put_cp(out, cp, r0, r1)) return -1;
    }
    return 0;
}

static tok_status bert_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const bert *b = (const bert *)self;
    bool strip = b->strip_accents < 0 ? b->lowercase : b->strip_accents != 0;
    bool wide = false;
    if (!strip) {
        if (pass1(b, in, out, b->lowercase, &wide)) goto nomem;
        return TOK_OK;
    }
    tok_nstr *t1 = tok_ctx_nstr_acquire(ctx);
    tok_nstr local1 = {0}, local2 = {0};
    if (!t1) t1 = &local1;
    t1->n = 0;
    tok_status st = TOK_OK;
    if (pass1(b, in, t1, false, &wide)) {
        st = TOK_ERR_NOMEM;
    } else if (!wide) {
        /* nothing NFD could touch and no Mn (all < U+00C0) */
        if (pass2(t1, out, b->lowercase)) st = TOK_ERR_NOMEM;
    } else {
        tok_nstr *t2 = tok_ctx_nstr_acquire(ctx);
        if (!t2) t2 = &local2;
        t2->n = 0;
        st = b->nfd->vt->run(b->nfd, t1, t2, ctx);
        if (!st && pass2(t2, out, b->lowercase)) st = TOK_ERR_NOMEM;
        if (t2 != &local2) tok_ctx_nstr_release(ctx, t2);
    }
    if (t1 != &local1) tok_ctx_nstr_release(ctx, t1);
    tok_nstr_free(&local1);
    tok_nstr_free(&local2);
    if (st == TOK_ERR_NOMEM) goto nomem;
    return st;
nomem:
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

static void bert_free(tok_normalizer *self)
{
    bert *b = (bert *)self;
    tok_normalizer_free(b->nfd);
    free(b);
}

static json_t *bert_to_json(const tok_normalizer *self)
{
    const bert *b = (const bert *)self;
    json_t *sa = b->strip_accents < 0 ? json_null() : json_boolean(b->strip_accents);
    return json_pack("{sssbsbsosb}", "type", "BertNormalizer", "clean_text", b->clean_text,
                     "handle_chinese_chars", b->handle_chinese_chars, "strip_accents", sa,
                     "lowercase", b->lowercase);
}

static const tok_normalizer_vt bert_vt = {"BertNormalizer", bert_run, bert_free, bert_to_json};

tok_normalizer *tok_norm_bert_from_json(tok_jctx *jc, const json_t *j)
{
    bool clean = true, chinese = true, lower = true, sa = false;
    json_t *sav = NULL;
    if (tok_jbool(jc, j, "clean_text", &clean, true) ||
        tok_jbool(jc, j, "handle_chinese_chars", &chinese, true) ||
        tok_jbool(jc, j, "lowercase", &lower, true))
        return NULL;
    sav = json_object_get(j, "strip_accents");
    if (sav && !json_is_null(sav) && tok_jbool(jc, j, "strip_accents", &sa, false)) return NULL;
    bert *b = calloc(1, sizeof *b);
    if (!b) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    b->base.vt = &bert_vt;
    b->clean_text = clean;
    b->handle_chinese_chars = chinese;
    b->lowercase = lower;
    b->strip_accents = (!sav || json_is_null(sav)) ? -1 : sa;
    json_t *nfd_json = json_pack("{ss}", "type", "NFD");
    b->nfd = nfd_json ? tok_normalizer_from_json(jc, nfd_json) : NULL;
    json_decref(nfd_json);
    if (!b->nfd) {
        free(b);
        if (!nfd_json) tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return &b->base;
}
