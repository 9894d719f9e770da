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
 * Category data: HF uses the unicode_categories crate (Unicode 8.0 tables);
 * mn_old / cf_old are those tables as ranges.
 */
#include "normalizers.h"

typedef struct bert {
    tok_normalizer base;
    bool clean_text, handle_chinese_chars, lowercase;
    int strip_accents; /* -1: null (follow lowercase), 0, 1 */
    tok_normalizer *nfd;
} bert;

/* Mn in the unicode_categories crate HF uses (an old Unicode). */
static const uint32_t mn_old[][2] = {
    {0x300, 0x36F}, {0x483, 0x487}, {0x591, 0x5BD}, {0x5BF, 0x5BF}, {0x5C1, 0x5C2}, {0x5C4, 0x5C5},
    {0x5C7, 0x5C7}, {0x610, 0x61A}, {0x64B, 0x65F}, {0x670, 0x670}, {0x6D6, 0x6DC}, {0x6DF, 0x6E4},
    {0x6E7, 0x6E8}, {0x6EA, 0x6ED}, {0x711, 0x711}, {0x730, 0x74A}, {0x7A6, 0x7B0}, {0x7EB, 0x7F3},
    {0x816, 0x819}, {0x81B, 0x823}, {0x825, 0x827}, {0x829, 0x82D}, {0x859, 0x85B}, {0x8E3, 0x902},
    {0x93A, 0x93A}, {0x93C, 0x93C}, {0x941, 0x948}, {0x94D, 0x94D}, {0x951, 0x957}, {0x962, 0x963},
    {0x981, 0x981}, {0x9BC, 0x9BC}, {0x9C1, 0x9C4}, {0x9CD, 0x9CD}, {0x9E2, 0x9E3}, {0xA01, 0xA02},
    {0xA3C, 0xA3C}, {0xA41, 0xA42}, {0xA47, 0xA48}, {0xA4B, 0xA4D}, {0xA51, 0xA51}, {0xA70, 0xA71},
    {0xA75, 0xA75}, {0xA81, 0xA82}, {0xABC, 0xABC}, {0xAC1, 0xAC5}, {0xAC7, 0xAC8}, {0xACD, 0xACD},
    {0xAE2, 0xAE3}, {0xB01, 0xB01}, {0xB3C, 0xB3C}, {0xB3F, 0xB3F}, {0xB41, 0xB44}, {0xB4D, 0xB4D},
    {0xB56, 0xB56}, {0xB62, 0xB63}, {0xB82, 0xB82}, {0xBC0, 0xBC0}, {0xBCD, 0xBCD}, {0xC00, 0xC00},
    {0xC3E, 0xC40}, {0xC46, 0xC48}, {0xC4A, 0xC4D}, {0xC55, 0xC56}, {0xC62, 0xC63}, {0xC81, 0xC81},
    {0xCBC, 0xCBC}, {0xCBF, 0xCBF}, {0xCC6, 0xCC6}, {0xCCC, 0xCCD}, {0xCE2, 0xCE3}, {0xD01, 0xD01},
    {0xD41, 0xD44}, {0xD4D, 0xD4D}, {0xD62, 0xD63}, {0xDCA, 0xDCA}, {0xDD2, 0xDD4}, {0xDD6, 0xDD6},
    {0xE31, 0xE31}, {0xE34, 0xE3A}, {0xE47, 0xE4E}, {0xEB1, 0xEB1}, {0xEB4, 0xEB9}, {0xEBB, 0xEBC},
    {0xEC8, 0xECD}, {0xF18, 0xF19}, {0xF35, 0xF35}, {0xF37, 0xF37}, {0xF39, 0xF39}, {0xF71, 0xF7E},
    {0xF80, 0xF84}, {0xF86, 0xF87}, {0xF8D, 0xF97}, {0xF99, 0xFBC}, {0xFC6, 0xFC6},
    {0x102D, 0x1030}, {0x1032, 0x1037}, {0x1039, 0x103A}, {0x103D, 0x103E}, {0x1058, 0x1059},
    {0x105E, 0x1060}, {0x1071, 0x1074}, {0x1082, 0x1082}, {0x1085, 0x1086}, {0x108D, 0x108D},
    {0x109D, 0x109D}, {0x135D, 0x135F}, {0x1712, 0x1714}, {0x1732, 0x1734}, {0x1752, 0x1753},
    {0x1772, 0x1773}, {0x17B4, 0x17B5}, {0x17B7, 0x17BD}, {0x17C6, 0x17C6}, {0x17C9, 0x17D3},
    {0x17DD, 0x17DD}, {0x180B, 0x180D}, {0x18A9, 0x18A9}, {0x1920, 0x1922}, {0x1927, 0x1928},
    {0x1932, 0x1932}, {0x1939, 0x193B}, {0x1A17, 0x1A18}, {0x1A1B, 0x1A1B}, {0x1A56, 0x1A56},
    {0x1A58, 0x1A5E}, {0x1A60, 0x1A60}, {0x1A62, 0x1A62}, {0x1A65, 0x1A6C}, {0x1A73, 0x1A7C},
    {0x1A7F, 0x1A7F}, {0x1AB0, 0x1ABD}, {0x1B00, 0x1B03}, {0x1B34, 0x1B34}, {0x1B36, 0x1B3A},
    {0x1B3C, 0x1B3C}, {0x1B42, 0x1B42}, {0x1B6B, 0x1B73}, {0x1B80, 0x1B81}, {0x1BA2, 0x1BA5},
    {0x1BA8, 0x1BA9}, {0x1BAB, 0x1BAD}, {0x1BE6, 0x1BE6}, {0x1BE8, 0x1BE9}, {0x1BED, 0x1BED},
    {0x1BEF, 0x1BF1}, {0x1C2C, 0x1C33}, {0x1C36, 0x1C37}, {0x1CD0, 0x1CD2}, {0x1CD4, 0x1CE0},
    {0x1CE2, 0x1CE8}, {0x1CED, 0x1CED}, {0x1CF4, 0x1CF4}, {0x1CF8, 0x1CF9}, {0x1DC0, 0x1DF5},
    {0x1DFC, 0x1DFF}, {0x20D0, 0x20DC}, {0x20E1, 0x20E1}, {0x20E5, 0x20F0}, {0x2CEF, 0x2CF1},
    {0x2D7F, 0x2D7F}, {0x2DE0, 0x2DFF}, {0x302A, 0x302D}, {0x3099, 0x309A}, {0xA66F, 0xA66F},
    {0xA674, 0xA67D}, {0xA69E, 0xA69F}, {0xA6F0, 0xA6F1}, {0xA802, 0xA802}, {0xA806, 0xA806},
    {0xA80B, 0xA80B}, {0xA825, 0xA826}, {0xA8C4, 0xA8C4}, {0xA8E0, 0xA8F1}, {0xA926, 0xA92D},
    {0xA947, 0xA951}, {0xA980, 0xA982}, {0xA9B3, 0xA9B3}, {0xA9B6, 0xA9B9}, {0xA9BC, 0xA9BC},
    {0xA9E5, 0xA9E5}, {0xAA29, 0xAA2E}, {0xAA31, 0xAA32}, {0xAA35, 0xAA36}, {0xAA43, 0xAA43},
    {0xAA4C, 0xAA4C}, {0xAA7C, 0xAA7C}, {0xAAB0, 0xAAB0}, {0xAAB2, 0xAAB4}, {0xAAB7, 0xAAB8},
    {0xAABE, 0xAABF}, {0xAAC1, 0xAAC1}, {0xAAEC, 0xAAED}, {0xAAF6, 0xAAF6}, {0xABE5, 0xABE5},
    {0xABE8, 0xABE8}, {0xABED, 0xABED}, {0xFB1E, 0xFB1E}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
    {0x101FD, 0x101FD}, {0x102E0, 0x102E0}, {0x10376, 0x1037A}, {0x10A01, 0x10A03},
    {0x10A05, 0x10A06}, {0x10A0C, 0x10A0F}, {0x10A38, 0x10A3A}, {0x10A3F, 0x10A3F},
    {0x10AE5, 0x10AE6}, {0x11001, 0x11001}, {0x11038, 0x11046}, {0x1107F, 0x11081},
    {0x110B3, 0x110B6}, {0x110B9, 0x110BA}, {0x11100, 0x11102}, {0x11127, 0x1112B},
    {0x1112D, 0x11134}, {0x11173, 0x11173}, {0x11180, 0x11181}, {0x111B6, 0x111BE},
    {0x111CA, 0x111CC}, {0x1122F, 0x11231}, {0x11234, 0x11234}, {0x11236, 0x11237},
    {0x112DF, 0x112DF}, {0x112E3, 0x112EA}, {0x11300, 0x11301}, {0x1133C, 0x1133C},
    {0x11340, 0x11340}, {0x11366, 0x1136C}, {0x11370, 0x11374}, {0x114B3, 0x114B8},
    {0x114BA, 0x114BA}, {0x114BF, 0x114C0}, {0x114C2, 0x114C3}, {0x115B2, 0x115B5},
    {0x115BC, 0x115BD}, {0x115BF, 0x115C0}, {0x115DC, 0x115DD}, {0x11633, 0x1163A},
    {0x1163D, 0x1163D}, {0x1163F, 0x11640}, {0x116AB, 0x116AB}, {0x116AD, 0x116AD},
    {0x116B0, 0x116B5}, {0x116B7, 0x116B7}, {0x1171D, 0x1171F}, {0x11722, 0x11725},
    {0x11727, 0x1172B}, {0x16AF0, 0x16AF4}, {0x16B30, 0x16B36}, {0x16F8F, 0x16F92},
    {0x1BC9D, 0x1BC9E}, {0x1D167, 0x1D169}, {0x1D17B, 0x1D182}, {0x1D185, 0x1D18B},
    {0x1D1AA, 0x1D1AD}, {0x1D242, 0x1D244}, {0x1DA00, 0x1DA36}, {0x1DA3B, 0x1DA6C},
    {0x1DA75, 0x1DA75}, {0x1DA84, 0x1DA84}, {0x1DA9B, 0x1DA9F}, {0x1DAA1, 0x1DAAF},
    {0x1E8D0, 0x1E8D6}, {0xE0100, 0xE01EF},
};
/* Cf in the same crate (Cc is U+0000..U+001F, U+007F..U+009F; Co the
 * private use planes). */
static const uint32_t cf_old[][2] = {
    {0xAD, 0xAD}, {0x600, 0x605}, {0x61C, 0x61C}, {0x6DD, 0x6DD}, {0x70F, 0x70F}, {0x180E, 0x180E},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064}, {0x2066, 0x206F}, {0xFEFF, 0xFEFF},
    {0xFFF9, 0xFFFB}, {0x110BD, 0x110BD}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};
/* Cc, Cf, Co as the crate has them. */
static bool is_other(uint32_t cp)
{
    if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F)) return true;
    if ((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD) || (cp >= 0x100000 && cp <= 0x10FFFD))
        return true;
    return tok_norm_in_ranges(cf_old, sizeof cf_old / sizeof cf_old[0], cp);
}

static bool is_mn(uint32_t cp)
{
    return cp >= 0x300 && tok_norm_in_ranges(mn_old, sizeof mn_old / sizeof mn_old[0], cp);
}

static bool is_chinese(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* clean_text + chinese chars (+ lowercase when `lower`).  *wide is set when a
 * char that NFD could change (>= U+00C0) remains. */
static int pass1(const bert *b, const tok_nstr *in, tok_nstr *out, bool lower, bool *wide)
{
    if (tok_nstr_reserve(out, out->n + in->n + 16)) return -1;
    *wide = false;
    for (size_t i = 0; i < in->n;) {
        uint8_t c = in->s[i];
        if (c < 0x80) { /* ASCII: the same rules, inline */
            if (b->clean_text) {
                if (c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
                    i++;
                    continue;
                }
                if (c < 0x20) c = ' ';
            }
            if (lower && c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
            if (tok_norm_put_byte(out, c, in->a0[i], in->a1[i])) return -1;
            i++;
            continue;
        }
        size_t len;
        uint32_t r0, r1;
        uint32_t cp = tok_norm_nchar(in, i, &len, &r0, &r1);
        i += len;
        if (b->clean_text) {
            if (cp == 0 || cp == 0xFFFD) continue;
            if (cp != '\t' && cp != '\n' && cp != '\r' && is_other(cp)) continue;
            if (tok_uni_is_space(cp)) cp = ' ';
        }
        if (cp >= 0xC0) *wide = true;
        if (b->handle_chinese_chars && is_chinese(cp)) {
            if (tok_norm_put_cp(out, ' ', r0, r1) || tok_norm_put_cp(out, cp, r0, r1) ||
                tok_norm_put_cp(out, ' ', r0, r1))
                return -1;
            continue;
        }
        if (lower ? tok_norm_put_lower(out, cp, r0, r1) : tok_norm_put_cp(out, cp, r0, r1)) return -1;
    }
    return 0;
}

/* After NFD: drop Mn, then lowercase if asked. */
static int pass2(const tok_nstr *in, tok_nstr *out, bool lower)
{
    if (tok_nstr_reserve(out, out->n + in->n + 16)) return -1;
    for (size_t i = 0; i < in->n;) {
        uint8_t c = in->s[i];
        if (c < 0x80) {
            if (lower && c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
            if (tok_norm_put_byte(out, c, in->a0[i], in->a1[i])) return -1;
            i++;
            continue;
        }
        size_t len;
        uint32_t r0, r1;
        uint32_t cp = tok_norm_nchar(in, i, &len, &r0, &r1);
        i += len;
        if (is_mn(cp)) continue;
        if (lower ? tok_norm_put_lower(out, cp, r0, r1) : tok_norm_put_cp(out, cp, r0, r1)) return -1;
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
    t1->start = in->start;
    tok_nstr_limit(t1, out->limit);
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
        t2->start = in->start;
        tok_nstr_limit(t2, out->limit);
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

int tok__norm_bert_lowercase(const tok_normalizer *n)
{
    return n && n->vt == &bert_vt ? ((const bert *)n)->lowercase : -1;
}

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
