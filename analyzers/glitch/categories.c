/*
 * Magikarp's token categories for every id of a tokenizer (see tok_glitch.h).
 * One context, one pass: decode alone, re-encode, classify.
 */
#include "analyzers/glitch/tok_glitch.h"
#include "analyzers/glitch/glitch_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char *const category_names[TOK_GLITCH_NCATEGORIES] = {
    "OK", "OK_SPECIAL", "UNREACHABLE_SPECIAL", "UNDECODEABLE",
    "UNREACHABLE_SINGLE_TOKEN", "UNREACHABLE_MULTI_TOKEN", "MEANINGLESS",
};

const char *tok_glitch_category_name(tok_glitch_category c)
{
    return (unsigned)c < TOK_GLITCH_NCATEGORIES ? category_names[c] : "?";
}

const char *tok_glitch_byte_kind_name(tok_glitch_byte_kind k)
{
    static const char *const n[] = { "none", "ascii", "utf8_lead", "utf8_continuation", "never_valid" };
    return (unsigned)k < 5 ? n[k] : "?";
}

void tok_glitch_options_init(tok_glitch_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->size = sizeof *opt;
}

/* ---- small UTF-8 and character-class helpers ------------------------------ */

int32_t gl_next_cp(const char *s, size_t n, size_t *i)
{
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + *i, (utf8proc_ssize_t)(n - *i), &cp);
    if (k <= 0) { (*i)++; return 0xFFFD; }
    *i += (size_t)k;
    return cp;
}

/* the code point ending just before byte i */
int32_t gl_prev_cp(const char *s, size_t i)
{
    size_t b = i - 1;
    while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80) b--;
    return gl_next_cp(s, i, &b);
}

size_t gl_cp_count(const char *s, size_t n)
{
    size_t i = 0, c = 0;
    while (i < n) { gl_next_cp(s, n, &i); c++; }
    return c;
}

/* Python str.isspace(): the characters str.strip() removes. */
int gl_py_space(int32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Python str.isalpha() for one character: general category L*. */
static int py_alpha(int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT ||
           k == UTF8PROC_CATEGORY_LM || k == UTF8PROC_CATEGORY_LO;
}

/* GPT-2's bytes_to_unicode, inverted: the byte a code point stands for, or -1. */
int gl_gpt2_byte(int32_t cp)
{
    if ((cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF)) return cp;
    if (cp < 256 || cp >= 256 + 68) return -1;
    /* the other 68 bytes, in increasing order, map to 256, 257, ... */
    int n = 0;
    for (int b = 0; b < 256; b++) {
        if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) continue;
        if (256 + n == cp) return b;
        n++;
    }
    return -1;
}

/* find_special_tokens on the raw vocabulary string. */
static int special_looking(const char *s, size_t n)
{
    if (gl_cp_count(s, n) < 3) return 0;
    if (s[0] != '[' && s[0] != '<') return 0;
    if (s[n - 1] != ']' && s[n - 1] != '>') return 0;
    if (n >= 3 && !memcmp(s, "<0x", 3)) return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')) return 1;
    return 0;
}

/* token_byte_value: the byte a token stands for, or -1. */
static int byte_value(const char *raw, size_t n, int gpt2)
{
    if (gpt2) {
        size_t i = 0;
        if (!n) return -1;
        int32_t cp = gl_next_cp(raw, n, &i);
        if (i != n) return -1;                 /* more than one character */
        int b = gl_gpt2_byte(cp);
        return b;                              /* every mapped byte counts (readable form <0xAB> or ASCII) */
    }
    if (n == 6 && !memcmp(raw, "<0x", 3) && raw[5] == '>') {
        int v = 0;
        for (int k = 3; k < 5; k++) {
            char c = raw[k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }
    if (n == 1 && (unsigned char)raw[0] < 128) return (unsigned char)raw[0];
    return -1;
}

static tok_glitch_byte_kind byte_kind(int v)
{
    if (v < 0) return TOK_GLITCH_BYTE_NONE;
    if (v < 128) return TOK_GLITCH_BYTE_ASCII;
    if (v >= 245 || v == 0xC0 || v == 0xC1) return TOK_GLITCH_BYTE_NEVER_VALID;
    if (v < 0xC0) return TOK_GLITCH_BYTE_UTF8_CONT;
    return TOK_GLITCH_BYTE_UTF8_LEAD;
}

/* ---- growable buffers ----------------------------------------------------- */

int gl_buf_put(gl_buf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n + 1) c *= 2;
        char *q = realloc(b->p, c);
        if (!q) return -1;
        b->p = q;
        b->cap = c;
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

/* ---- clean decode / clean encode (magikarp TokenizerAnalyzer) ------------- */

/* magikarp's guard prefixes «, » first; the others stand in (beyond magikarp,
 * which stops with an AssertionError) when those are not single tokens that
 * decode to themselves, e.g. in ALBERT's vocabulary, which lacks « and ». */
static const char *const GUARDS[] = { "\xC2\xAB", "\xC2\xBB", "|", "@", "~", "^", "#", "$", "%", "&", "*", NULL };

/* Decode [id] as clean_decode does; result in g->scratch (NUL-terminated). */
tok_status gl_clean_decode(tok_glitch *g, int32_t id, const char **s, size_t *n, int *guard_failed)
{
    const char *text;
    size_t len;
    tok_status st;
    *guard_failed = 0;
    if (!g->space_mode) {
        st = tok_decode(g->ctx, &id, 1, 0, &text, &len);
        if (st) return st;
        *s = text;
        *n = len;
        return TOK_OK;
    }
    /* the prefixes are prepended cumulatively: [«, id], then [», «, id] */
    int32_t ids[GL_NPREFIX * GL_PREFIX_MAX + 1];
    size_t k = GL_NPREFIX * GL_PREFIX_MAX;
    ids[k] = id;
    for (int p = 0; p < GL_NPREFIX; p++) {
        k -= g->prefix_len[p];
        memcpy(ids + k, g->prefix_seq[p], g->prefix_len[p] * sizeof *ids);
        st = tok_decode(g->ctx, ids + k, GL_NPREFIX * GL_PREFIX_MAX + 1 - k, 0, &text, &len);
        if (st) return st;
        if (len && text[0] == ' ') { text++; len--; }
        size_t pl = strlen(g->prefix_text[p]);
        if (len >= pl && !memcmp(text, g->prefix_text[p], pl)) {
            size_t i = 0;
            gl_next_cp(text, len, &i);          /* decoded[1:]: drop one character */
            *s = text + i;
            *n = len - i;
            return TOK_OK;
        }
    }
    *guard_failed = 1;
    *s = text;
    *n = len;
    return TOK_OK;
}

/* Encode s as clean_encode does into g->ids (count g->n_ids). */
tok_status gl_clean_encode(tok_glitch *g, const char *s, size_t n, int *guard_failed)
{
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = g->enc_flags;
    tok_encoding e;
    tok_status st;
    *guard_failed = 0;
    if (!g->space_mode) {
        /* ids only, straight into g->ids (room for one token per byte and
         * the specials; a longer encoding says how much it needs) */
        size_t need = n + 16, k = 0;
        for (;;) {
            if (gl_ids_reserve(g, need)) return TOK_ERR_NOMEM;
            st = tok_encode_ids(g->ctx, s, n, &o, g->ids, need, &k);
            if (st != TOK_ERR_BUFFER || k <= need) break;
            need = k;
        }
        if (st) return st;
        g->n_ids = k;
        return TOK_OK;
    }
    g->text.n = 0;
    if (gl_buf_put(&g->text, s, n)) return TOK_ERR_NOMEM;
    for (int p = 0; p < GL_NPREFIX; p++) {
        size_t pl = strlen(g->prefix_text[p]);
        /* s = prefix + s, cumulatively */
        if (gl_buf_put(&g->text, g->prefix_text[p], pl)) return TOK_ERR_NOMEM;
        memmove(g->text.p + pl, g->text.p, g->text.n - pl);
        memcpy(g->text.p, g->prefix_text[p], pl);
        st = tok_encode(g->ctx, g->text.p, g->text.n, &o, &e);
        if (st) return st;
        size_t m = g->prefix_len[p];
        if (e.n >= m && !memcmp(e.ids, g->prefix_seq[p], m * sizeof *e.ids)) {
            if (gl_ids_reserve(g, e.n)) return TOK_ERR_NOMEM;
            if (e.n > m) memcpy(g->ids, e.ids + m, (e.n - m) * sizeof *e.ids);
            g->n_ids = e.n - m;
            return TOK_OK;
        }
    }
    *guard_failed = 1;
    if (gl_ids_reserve(g, e.n)) return TOK_ERR_NOMEM;
    if (e.n) memcpy(g->ids, e.ids, e.n * sizeof *e.ids);
    g->n_ids = e.n;
    return TOK_OK;
}

int gl_ids_reserve(tok_glitch *g, size_t n)
{
    if (n <= g->ids_cap) return 0;
    size_t c = g->ids_cap ? g->ids_cap : 64;
    while (c < n) c *= 2;
    int32_t *p = realloc(g->ids, c * sizeof *p);
    if (!p) return -1;
    g->ids = p;
    g->ids_cap = c;
    return 0;
}

/* ---- setup ---------------------------------------------------------------- */

static int set_flags(tok_glitch *g, tok_error *err)
{
    const tok_tokenizer *t = g->t;
    size_t ng = 0, nv = 0;
    for (size_t i = 0; i < g->n; i++) {
        size_t len;
        const char *s = tok_token_text(t, (int32_t)i, &len);
        if (!s || (tok_token_flags(t, (int32_t)i) & TOK_TOKEN_NONE)) continue;
        nv++;
        if (len >= 2 && !memcmp(s, "\xC4\xA0", 2)) ng++;   /* Ġ */
    }
    g->gpt2 = ng * 10 > nv;

    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = g->enc_flags;
    tok_encoding e;
    if (tok_encode(g->ctx, "test", 4, &o, &e) || !e.n) {
        snprintf(err->message, sizeof err->message, "%s: cannot encode \"test\" (%s)",
                 tok_source(t), tok_ctx_error(g->ctx));
        err->code = TOK_ERR_UNSUPPORTED;
        return -1;
    }
    size_t len, i = 0;
    const char *s = tok_token_text(t, e.ids[0], &len);
    int32_t c0 = s && len ? gl_next_cp(s, len, &i) : -1;
    if (c0 == ' ' || c0 == 0x2581 || c0 == '_' || c0 == 0x120) {
        g->space_mode = 1;
        int np = 0;
        for (int q = 0; GUARDS[q] && np < GL_NPREFIX; q++) {
            const char *gt = GUARDS[q];
            size_t gl = strlen(gt);
            const char *d;
            size_t dl;
            if (tok_encode(g->ctx, gt, gl, &o, &e) || e.n != 1 || e.ids[0] == tok_role_id(t, TOK_ROLE_UNK))
                continue;
            int32_t pid = e.ids[0];
            if (tok_decode(g->ctx, &pid, 1, 0, &d, &dl)) continue;
            if (dl && d[0] == ' ') { d++; dl--; }
            if (dl < gl || memcmp(d, gt, gl)) continue;
            if (q >= GL_NPREFIX) g->guard_multi = 1;
            g->prefix_text[np] = gt;
            g->prefix_seq[np][0] = pid;
            g->prefix_len[np] = 1;
            np++;
        }
        if (np < GL_NPREFIX) {
            snprintf(err->message, sizeof err->message,
                     "%s: no guard prefix (\u00ab, \u00bb or a substitute) is a single token", tok_source(t));
            err->code = TOK_ERR_UNSUPPORTED;
            return -1;
        }
    } else if (c0 != 't') {
        snprintf(err->message, sizeof err->message,
                 "%s: the first token of \"test\" (id %d) starts neither with a space marker nor with 't'",
                 tok_source(t), (int)e.ids[0]);
        err->code = TOK_ERR_UNSUPPORTED;
        return -1;
    }
    return 0;
}

static int is_special_id(const tok_tokenizer *t, int32_t id)
{
    if (tok_token_flags(t, id) & TOK_TOKEN_SPECIAL) return 1;
    for (int r = TOK_ROLE_UNK; r <= TOK_ROLE_MASK; r++)
        if (tok_role_id(t, (tok_role)r) == id) return 1;
    return 0;
}

tok_glitch *tok_glitch_analyze(const tok_tokenizer *t, const tok_glitch_options *opt, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    err->code = TOK_OK;
    err->message[0] = 0;
    tok_glitch_options o;
    tok_glitch_options_init(&o);
    if (opt) memcpy(&o, opt, opt->size < sizeof o ? opt->size : sizeof o);
    o.size = sizeof o;

    tok_glitch *g = calloc(1, sizeof *g);
    if (!g) goto nomem;
    g->t = t;
    g->n = tok_vocab_size(t);
    g->meaningless = o.meaningless;
    g->enc_flags = 0; /* add_special_tokens=False; added-token text matched as the file says */
    g->ctx = tok_ctx_new(t);
    g->tok = calloc(g->n ? g->n : 1, sizeof *g->tok);
    size_t *doff = malloc((g->n ? g->n : 1) * sizeof *doff);
    size_t *roff = malloc((g->n ? g->n : 1) * sizeof *roff);
    if (!g->ctx || !g->tok || !doff || !roff) { free(doff); free(roff); goto nomem; }
    if (set_flags(g, err)) { free(doff); free(roff); tok_glitch_free(g); return NULL; }

    tok_glitch_counts *c = &g->counts;
    for (size_t i = 0; i < g->n; i++) {
        int32_t id = (int32_t)i;
        tok_glitch_token *k = &g->tok[i];
        k->id = id;
        k->byte_value = -1;
        k->context = -1;
        k->reach = TOK_GLITCH_REACH_UNKNOWN;
        size_t rl;
        const char *raw = tok_token_text(t, id, &rl);
        uint32_t tf = tok_token_flags(t, id);
        if (!raw || (tf & TOK_TOKEN_NONE)) { k->id = -1; continue; }
        c->vocab++;
        if (tf & TOK_TOKEN_ADDED) k->flags |= TOK_GLITCH_F_ADDED;
        if (is_special_id(t, id)) k->flags |= TOK_GLITCH_F_SPECIAL;
        if (special_looking(raw, rl)) { k->flags |= TOK_GLITCH_F_SPECIAL_LOOKING; c->special++; }
        int bv = byte_value(raw, rl, g->gpt2);
        k->byte_value = (int16_t)bv;
        k->byte_kind = (uint8_t)byte_kind(bv);
        if (bv >= 0) c->bytes++;
        c->byte_kind[k->byte_kind]++;

        const char *s;
        size_t sn;
        int gf1, gf2;
        tok_status st = gl_clean_decode(g, id, &s, &sn, &gf1);
        if (st) goto fail;
        doff[i] = g->strings.n;
        k->decoded_len = sn;
        if (gl_buf_put(&g->strings, s, sn) || gl_buf_put(&g->strings, "", 1)) goto nomem_free;
        st = gl_clean_encode(g, g->strings.p + doff[i], sn, &gf2);
        if (st) goto fail;
        if (gf1 || gf2) k->flags |= TOK_GLITCH_F_GUARD_FAILED;
        s = g->strings.p + doff[i];

        int ok = g->n_ids == 1 && g->ids[0] == id;
        int fffd = memmem(s, sn, "\xEF\xBF\xBD", 3) != NULL;
        tok_glitch_category cat;
        int blank = 1;
        for (size_t j = 0; j < sn && blank;) blank = gl_py_space(gl_next_cp(s, sn, &j));
        if (g->meaningless && blank) cat = TOK_GLITCH_MEANINGLESS;
        else if (ok) cat = (k->flags & TOK_GLITCH_F_SPECIAL) ? TOK_GLITCH_OK_SPECIAL : TOK_GLITCH_OK;
        else {
            size_t ncp = gl_cp_count(s, sn);
            int alpha = 0;
            for (size_t j = 0; j < sn && !alpha;) alpha = py_alpha(gl_next_cp(s, sn, &j));
            int32_t first = -1, last = -1;
            if (sn) {
                size_t j = 0;
                first = gl_next_cp(s, sn, &j);
                size_t b = sn - 1;
                while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80) b--;
                j = b;
                last = gl_next_cp(s, sn, &j);
            }
            if (ncp >= 3 && (first == '[' || first == '<') && (last == ']' || last == '>') && alpha)
                cat = TOK_GLITCH_UNREACHABLE_SPECIAL;
            else if (fffd) cat = TOK_GLITCH_UNDECODEABLE;
            else if (g->n_ids == 1) cat = TOK_GLITCH_UNREACHABLE_SINGLE_TOKEN;
            else cat = TOK_GLITCH_UNREACHABLE_MULTI_TOKEN;
        }
        k->category = (uint8_t)cat;
        if (cat == TOK_GLITCH_OK || cat == TOK_GLITCH_OK_SPECIAL) k->reach = TOK_GLITCH_REACH_ALONE;
        c->category[cat]++;
        /* reencoded ids are kept when the token does not come back and the text is whole */
        roff[i] = g->reenc.n;
        if (!ok && !fffd) {
            if (gl_buf_put(&g->reenc, g->ids, g->n_ids * sizeof *g->ids)) goto nomem_free;
            k->n_reencoded = g->n_ids;
        }
        int excluded = bv >= 0 || (k->flags & TOK_GLITCH_F_SPECIAL_LOOKING);
        if (!excluded) {
            if (cat == TOK_GLITCH_UNREACHABLE_SPECIAL || cat == TOK_GLITCH_UNREACHABLE_SINGLE_TOKEN ||
                cat == TOK_GLITCH_UNREACHABLE_MULTI_TOKEN)
                c->unreachable++;
            else if (cat == TOK_GLITCH_UNDECODEABLE)
                c->partial_utf8++;
        }
        continue;
    fail:
        snprintf(err->message, sizeof err->message, "%s: token %d: %s", tok_source(t), (int)id,
                 tok_ctx_error(g->ctx));
        err->code = st;
        free(doff);
        free(roff);
        tok_glitch_free(g);
        return NULL;
    }
    /* the buffers no longer move: point into them */
    for (size_t i = 0; i < g->n; i++) {
        tok_glitch_token *k = &g->tok[i];
        if (k->id < 0) continue;
        k->decoded = g->strings.p + doff[i];
        k->reencoded = k->n_reencoded ? (const int32_t *)(void *)(g->reenc.p + roff[i]) : NULL;
    }
    for (size_t i = 0; i < g->n; i++)
        if (g->tok[i].id >= 0) c->reach[g->tok[i].reach]++;
    free(doff);
    free(roff);
    return g;
nomem_free:
    free(doff);
    free(roff);
nomem:
    tok_glitch_free(g);
    err->code = TOK_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "%s: out of memory", tok_source(t));
    return NULL;
}

void tok_glitch_free(tok_glitch *g)
{
    if (!g) return;
    tok_ctx_free(g->ctx);
    free(g->tok);
    free(g->strings.p);
    free(g->reenc.p);
    free(g->text.p);
    free(g->ids);
    free(g);
}

size_t tok_glitch_size(const tok_glitch *g) { return g->n; }

const tok_glitch_token *tok_glitch_get(const tok_glitch *g, int32_t id)
{
    if (id < 0 || (size_t)id >= g->n || g->tok[id].id < 0) return NULL;
    return &g->tok[id];
}

const tok_glitch_counts *tok_glitch_get_counts(const tok_glitch *g) { return &g->counts; }
int tok_glitch_space_mode(const tok_glitch *g) { return g->space_mode ? 1 + g->guard_multi : 0; }
int tok_glitch_gpt2_style(const tok_glitch *g) { return g->gpt2; }
