/* The corpus audit: accumulators of several tokenizers over one corpus,
 * saved as mergeable JSON and drawn as one self-contained HTML page (inline
 * SVG drawn here, no scripts, no external assets). */
#include "lang_impl.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AUDIT_TOK 32
#define HIST_BUCKETS 16

typedef struct morph_row {
    char tok[128], method[32], gold[128];
    char valid_from[512]; /* the word lists of %valid ("" = the gold words) */
    tok_morph_result r;
} morph_row;

struct tok_audit {
    char ref[64];
    tok_lang *acc[MAX_AUDIT_TOK];
    const tok_tokenizer *tok[MAX_AUDIT_TOK];
    tok_tokenizer *owned[MAX_AUDIT_TOK];
    size_t n;
    morph_row *morph;
    size_t nmorph;
    struct { char gold[128], from[512]; } wl[8]; /* tok_audit_set_wordlist */
    size_t nwl;
};

TOK_API tok_audit *tok_audit_new(const char *reference_lang)
{
    tok_audit *au = calloc(1, sizeof *au);
    if (au) snprintf(au->ref, sizeof au->ref, "%s", reference_lang && *reference_lang ? reference_lang : "en");
    return au;
}

TOK_API void tok_audit_free(tok_audit *au)
{
    if (!au) return;
    for (size_t i = 0; i < au->n; i++) {
        tok_lang_free(au->acc[i]);
        tok_free(au->owned[i]);
    }
    free(au->morph);
    free(au);
}

TOK_API tok_status tok_audit_add(tok_audit *au, tok_lang *acc, const tok_tokenizer *t)
{
    if (au->n == MAX_AUDIT_TOK) return TOK_ERR_LIMIT;
    au->acc[au->n] = acc;
    au->tok[au->n] = t;
    au->owned[au->n] = NULL;
    au->n++;
    return TOK_OK;
}

TOK_API tok_status tok_audit_add_morph(tok_audit *au, const char *tokenizer, const char *method, const char *gold,
                                       const tok_morph_result *r)
{
    morph_row *m = realloc(au->morph, (au->nmorph + 1) * sizeof *m);
    if (!m) return TOK_ERR_NOMEM;
    au->morph = m;
    morph_row *row = &m[au->nmorph++];
    snprintf(row->tok, sizeof row->tok, "%s", tokenizer);
    snprintf(row->method, sizeof row->method, "%s", method);
    snprintf(row->gold, sizeof row->gold, "%s", gold);
    row->valid_from[0] = 0;
    for (size_t i = 0; i < au->nwl; i++)
        if (!strcmp(au->wl[i].gold, row->gold)) snprintf(row->valid_from, sizeof row->valid_from, "%s", au->wl[i].from);
    row->r = *r;
    return TOK_OK;
}

TOK_API tok_status tok_audit_set_wordlist(tok_audit *au, const char *gold, const char *sources)
{
    size_t i = 0;
    while (i < au->nwl && strcmp(au->wl[i].gold, gold)) i++;
    if (i == au->nwl) {
        if (au->nwl == sizeof au->wl / sizeof au->wl[0]) return TOK_ERR_LIMIT;
        au->nwl++;
    }
    snprintf(au->wl[i].gold, sizeof au->wl[i].gold, "%s", gold);
    snprintf(au->wl[i].from, sizeof au->wl[i].from, "%s", sources);
    return TOK_OK;
}

/* ---- derived figures ------------------------------------------------------ */

static double rt(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

/* Languages over all tokenizers, in first-seen order. */
typedef struct langs {
    char (*code)[64];
    size_t n;
} langs;

static int all_langs(const tok_audit *au, langs *L)
{
    size_t cap = 0;
    L->code = NULL;
    L->n = 0;
    for (size_t k = 0; k < au->n; k++)
        for (size_t i = 0; i < tok_lang_count(au->acc[k]); i++) {
            tok_lang_counts c;
            tok_lang_get(au->acc[k], i, &c);
            size_t j = 0;
            while (j < L->n && strcmp(L->code[j], c.lang)) j++;
            if (j < L->n) continue;
            if (L->n == cap) {
                cap = cap ? cap * 2 : 64;
                char(*nc)[64] = realloc(L->code, cap * sizeof *nc);
                if (!nc) return -1;
                L->code = nc;
            }
            snprintf(L->code[L->n++], 64, "%s", c.lang);
        }
    return 0;
}

static bool counts_of(const tok_lang *a, const char *lang, tok_lang_counts *c)
{
    long i = tok_lang_find(a, lang);
    if (i < 0) {
        memset(c, 0, sizeof *c);
        return false;
    }
    tok_lang_get(a, (size_t)i, c);
    return true;
}

static double premium(const tok_audit *au, size_t k, const char *lang)
{
    tok_lang_counts c, r;
    if (!counts_of(au->acc[k], lang, &c) || !counts_of(au->acc[k], au->ref, &r)) return NAN;
    return rt(c.tokens, r.tokens);
}

static const struct { const char *code, *name; } lang_names[] = {
    { "en", "English" },   { "de", "German" },     { "fr", "French" },    { "es", "Spanish" },  { "it", "Italian" },
    { "pt", "Portuguese" },{ "nl", "Dutch" },      { "sv", "Swedish" },   { "fi", "Finnish" },  { "tr", "Turkish" },
    { "pl", "Polish" },    { "cs", "Czech" },      { "hu", "Hungarian" }, { "vi", "Vietnamese" },{ "id", "Indonesian" },
    { "sw", "Swahili" },   { "ru", "Russian" },    { "uk", "Ukrainian" }, { "el", "Greek" },    { "ar", "Arabic" },
    { "he", "Hebrew" },    { "fa", "Persian" },    { "hi", "Hindi" },     { "bn", "Bengali" },  { "ta", "Tamil" },
    { "te", "Telugu" },    { "th", "Thai" },       { "ja", "Japanese" },  { "zh", "Chinese" },  { "ko", "Korean" },
    { "am", "Amharic" },   { "my", "Burmese" },    { "ka", "Georgian" },  { "hy", "Armenian" }, { "km", "Khmer" },
    { "lo", "Lao" },       { "si", "Sinhala" },    { "zh-CN", "Chinese" },{ "ur", "Urdu" },     { "mr", "Marathi" },
    { "da", "Danish" },    { "nb", "Norwegian" },  { "ro", "Romanian" },  { "bg", "Bulgarian" },{ "ca", "Catalan" },
};

static const char *lang_name(const char *code)
{
    for (size_t i = 0; i < sizeof lang_names / sizeof lang_names[0]; i++)
        if (!strcmp(lang_names[i].code, code)) return lang_names[i].name;
    return code;
}

/* ---- JSON ------------------------------------------------------------------ */

static void jnum(FILE *f, double v)
{
    if (isnan(v) || isinf(v)) fputs("null", f);
    else fprintf(f, "%.10g", v);
}

static void jstr(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

TOK_API tok_status tok_audit_save(const tok_audit *au, FILE *f)
{
    langs L;
    if (all_langs(au, &L)) return TOK_ERR_NOMEM;
    fprintf(f, "{\"libtok_audit\":1,\"reference\":");
    jstr(f, au->ref, strlen(au->ref));
    fprintf(f, ",\"tokenizers\":[");
    for (size_t k = 0; k < au->n; k++) {
        if (k) fputc(',', f);
        tok_status st = tok_lang_save(au->acc[k], f);
        if (st) {
            free(L.code);
            return st;
        }
    }
    /* derived figures, for readers of the JSON (recomputed after a merge) */
    fprintf(f, "],\"summary\":[");
    for (size_t k = 0; k < au->n; k++) {
        const tok_lang *a = au->acc[k];
        tok_efficiency e;
        tok_lang_efficiency(a, (size_t)-1, 2.5, false, &e);
        fprintf(f, "%s{\"tokenizer\":", k ? "," : "");
        jstr(f, tok_lang_name(a), strlen(tok_lang_name(a)));
        fprintf(f, ",\"words\":\"%s\",\"renyi_2.5\":", tok_words_name(tok_lang_words(a)));
        jnum(f, e.renyi);
        fprintf(f, ",\"types\":%llu,\"utilisation\":", (unsigned long long)e.types);
        jnum(f, e.utilisation);
        fprintf(f, ",\"languages\":[");
        for (size_t i = 0; i < L.n; i++) {
            tok_lang_counts c;
            counts_of(a, L.code[i], &c);
            fprintf(f, "%s{\"lang\":", i ? "," : "");
            jstr(f, L.code[i], strlen(L.code[i]));
            fprintf(f, ",\"tokens\":%llu,\"words\":%llu,\"premium\":", (unsigned long long)c.tokens,
                    (unsigned long long)c.words);
            jnum(f, premium(au, k, L.code[i]));
            const struct { const char *key; uint64_t num, den; } r[] = {
                { "fertility", c.tokens, c.words },         { "continued_words", c.cont_words, c.words },
                { "words_4plus", c.words4, c.words },       { "fertility_isolated", c.iso_tokens, c.words },
                { "bytes_per_token", c.bytes, c.tokens },   { "byte_token_rate", c.byte_tokens, c.tokens },
                { "unk_rate", c.unk, c.tokens },
            };
            for (size_t j = 0; j < sizeof r / sizeof r[0]; j++) {
                fprintf(f, ",\"%s\":", r[j].key);
                jnum(f, rt(r[j].num, r[j].den));
            }
            fprintf(f, "}");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "],\"morph\":[");
    for (size_t m = 0; m < au->nmorph; m++) {
        const morph_row *r = &au->morph[m];
        fprintf(f, "%s{\"tokenizer\":", m ? "," : "");
        jstr(f, r->tok, strlen(r->tok));
        fprintf(f, ",\"method\":");
        jstr(f, r->method, strlen(r->method));
        fprintf(f, ",\"gold\":");
        jstr(f, r->gold, strlen(r->gold));
        if (r->valid_from[0]) {
            fprintf(f, ",\"valid_from\":");
            jstr(f, r->valid_from, strlen(r->valid_from));
        }
        fprintf(f, ",\"kept\":%llu,\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f,\"f1_all\":%.6f,\"types\":%llu,"
                   "\"pct_pure\":%.4f,\"pct_valid\":%.4f}",
                (unsigned long long)r->r.kept, r->r.precision, r->r.recall, r->r.f1, r->r.all_f1,
                (unsigned long long)r->r.types, r->r.pct_pure, r->r.pct_valid);
    }
    fprintf(f, "]}\n");
    free(L.code);
    return ferror(f) ? TOK_ERR_IO : TOK_OK;
}

static tok_audit *load_fail(tok_audit *au, json_t *root, tok_error *err, tok_status code, const char *fmt, const char *a,
                            const char *b)
{
    if (err) {
        err->code = code;
        snprintf(err->message, sizeof err->message, fmt, a, b);
    }
    json_decref(root);
    tok_audit_free(au);
    return NULL;
}

TOK_API tok_audit *tok_audit_load(const char *const *paths, size_t n, tok_error *err)
{
    tok_audit *au = tok_audit_new(NULL);
    if (!au) return NULL;
    for (size_t p = 0; p < n; p++) {
        json_error_t je;
        json_t *root = json_load_file(paths[p], 0, &je);
        if (!root) {
            char where[64];
            snprintf(where, sizeof where, "%d:%d", je.line, je.column);
            return load_fail(au, NULL, err, TOK_ERR_FORMAT, "%s:%s: not a JSON audit", paths[p], where);
        }
        json_t *toks = json_object_get(root, "tokenizers"), *ref = json_object_get(root, "reference");
        if (!json_is_integer(json_object_get(root, "libtok_audit")) || !json_is_array(toks) || !json_is_string(ref))
            return load_fail(au, root, err, TOK_ERR_FORMAT, "%s: %s", paths[p],
                             "not a tok audit (expected libtok_audit, reference, tokenizers)");
        if (p == 0) snprintf(au->ref, sizeof au->ref, "%s", json_string_value(ref));
        size_t i;
        json_t *tj;
        json_array_foreach(toks, i, tj) {
            const char *name = json_string_value(json_object_get(tj, "tokenizer"));
            const char *src = json_string_value(json_object_get(tj, "source"));
            if (!name || !src)
                return load_fail(au, root, err, TOK_ERR_FORMAT, "%s: %s", paths[p], "$.tokenizers[]: no tokenizer/source");
            size_t k = 0;
            while (k < au->n && strcmp(tok_lang_name(au->acc[k]), name)) k++;
            const tok_tokenizer *t = k < au->n ? au->tok[k] : NULL;
            tok_tokenizer *loaded = NULL;
            if (!t) {
                tok_error le = { 0 };
                if (!(loaded = tok_load(src, NULL, &le)))
                    return load_fail(au, root, err, TOK_ERR_IO, "%s: tokenizer: %s", paths[p], le.message);
                t = loaded;
            }
            char *txt = json_dumps(tj, JSON_COMPACT);
            tok_error le = { 0 };
            char where[600];
            snprintf(where, sizeof where, "%s: $.tokenizers[%zu]", paths[p], i);
            tok_lang *a = txt ? tok_lang_from_json(t, txt, strlen(txt), where, &le) : NULL;
            free(txt);
            if (!a) {
                tok_free(loaded);
                return load_fail(au, root, err, le.code ? le.code : TOK_ERR_NOMEM, "%s%s", le.message, "");
            }
            if (k < au->n) {
                char msg[256];
                tok_status st = tok_lang_merge(au->acc[k], a, msg, sizeof msg);
                tok_lang_free(a);
                if (st) return load_fail(au, root, err, st, "%s: %s", paths[p], msg);
            } else {
                if (tok_audit_add(au, a, t)) {
                    tok_lang_free(a);
                    tok_free(loaded);
                    return load_fail(au, root, err, TOK_ERR_LIMIT, "%s: %s", paths[p], "too many tokenizers");
                }
                au->owned[au->n - 1] = loaded;
            }
        }
        /* morphology rows do not depend on the corpus: keep the first file's */
        json_t *morph = json_object_get(root, "morph"), *mj;
        if (p == 0 && json_is_array(morph)) json_array_foreach(morph, i, mj) {
            tok_morph_result r;
            memset(&r, 0, sizeof r);
            r.kept = (uint64_t)json_integer_value(json_object_get(mj, "kept"));
            r.precision = json_number_value(json_object_get(mj, "precision"));
            r.recall = json_number_value(json_object_get(mj, "recall"));
            r.f1 = json_number_value(json_object_get(mj, "f1"));
            r.all_f1 = json_number_value(json_object_get(mj, "f1_all"));
            r.types = (uint64_t)json_integer_value(json_object_get(mj, "types"));
            r.pct_pure = json_number_value(json_object_get(mj, "pct_pure"));
            r.pct_valid = json_number_value(json_object_get(mj, "pct_valid"));
            const char *tn = json_string_value(json_object_get(mj, "tokenizer"));
            const char *mn = json_string_value(json_object_get(mj, "method"));
            const char *gn = json_string_value(json_object_get(mj, "gold"));
            const char *vf = json_string_value(json_object_get(mj, "valid_from"));
            if (tn && mn && gn && tok_audit_add_morph(au, tn, mn, gn, &r) == TOK_OK && vf)
                snprintf(au->morph[au->nmorph - 1].valid_from, sizeof au->morph[0].valid_from, "%s", vf);
        }
        json_decref(root);
    }
    return au;
}

/* ---- HTML ------------------------------------------------------------------ */

static const char *const colors[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
#define NCOLORS (sizeof colors / sizeof colors[0])

static void html_esc(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '<') fputs("&lt;", f);
        else if (c == '>') fputs("&gt;", f);
        else if (c == '&') fputs("&amp;", f);
        else if (c == '"') fputs("&quot;", f);
        else if ((unsigned char)c < 0x20) fprintf(f, "\\x%02X", (unsigned char)c);
        else fputc(c, f);
    }
}

static void html_str(FILE *f, const char *s) { html_esc(f, s, strlen(s)); }

/* A table's first row: "language", then each tokenizer over span columns. */
static void table_head(FILE *f, const tok_audit *au, int span)
{
    fprintf(f, "<table><tr><th>language</th>");
    for (size_t k = 0; k < au->n; k++) {
        if (span > 1) fprintf(f, "<th colspan=\"%d\">", span);
        else fprintf(f, "<th>");
        html_str(f, tok_lang_name(au->acc[k]));
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr>\n");
}

/* A row's first cell: the language's name. */
static void row_start(FILE *f, const char *code)
{
    fprintf(f, "<tr><td class=\"l\">");
    html_str(f, lang_name(code));
    fprintf(f, "</td>");
}

/* A token for display: its bytes when they are whole UTF-8 (space shown as
 * ␣), else its text as written in the file. */
static void html_token(FILE *f, const tok_tokenizer *t, int32_t id)
{
    size_t n;
    const char *b = (const char *)tok_token_bytes(t, id, &n);
    if (b && n && tok_utf8_valid_prefix(b, n) == n) {
        for (size_t i = 0; i < n; i++) {
            if (b[i] == ' ') fputs("\xE2\x90\xA3", f);
            else html_esc(f, b + i, 1);
        }
        return;
    }
    const char *s = tok_token_text(t, id, &n);
    if (s) html_esc(f, s, n);
}

/* Horizontal grouped bars: one group per language, one bar per tokenizer. */
static void svg_bars(FILE *f, const tok_audit *au, const langs *L, const size_t *order, const double *val,
                     const char *fmt, double ref_line)
{
    const int bar = 7, gap = 6, label = 130, width = 860, right = 60;
    int group = (int)au->n * bar + gap;
    int h = (int)L->n * group + 30;
    double mx = 0;
    for (size_t i = 0; i < L->n * au->n; i++)
        if (!isnan(val[i]) && val[i] > mx) mx = val[i];
    if (mx <= 0) mx = 1;
    double scale = (double)(width - label - right) / mx;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n", width, h);
    for (size_t r = 0; r < L->n; r++) {
        size_t i = order[r];
        int y = (int)r * group + 4;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">", label - 6, y + group / 2);
        html_str(f, lang_name(L->code[i]));
        fprintf(f, " (");
        html_str(f, L->code[i]);
        fprintf(f, ")</text>\n");
        for (size_t k = 0; k < au->n; k++) {
            double v = val[i * au->n + k];
            if (isnan(v)) continue;
            int w = (int)(v * scale + 0.5);
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>", label,
                    y + (int)k * bar, w > 0 ? w : 1, bar - 1, colors[k % NCOLORS]);
            html_str(f, tok_lang_name(au->acc[k]));
            fprintf(f, ": ");
            fprintf(f, fmt, v);
            fprintf(f, "</title></rect>");
            if (k == au->n - 1 || au->n == 1) {
                /* the largest value of the group at its end */
                double gm = 0;
                for (size_t q = 0; q < au->n; q++)
                    if (!isnan(val[i * au->n + q]) && val[i * au->n + q] > gm) gm = val[i * au->n + q];
                fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#444\">", label + (int)(gm * scale) + 4,
                        y + group / 2);
                fprintf(f, fmt, gm);
                fprintf(f, "</text>");
            }
            fputc('\n', f);
        }
    }
    if (ref_line > 0) {
        int x = label + (int)(ref_line * scale + 0.5);
        fprintf(f, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" stroke=\"#000\" stroke-dasharray=\"3,3\"/>\n", x, x,
                h - 20);
    }
    /* axis ticks */
    /* about eight ticks at 1, 2 or 5 times a power of ten */
    double raw = mx / 8, mag = pow(10, floor(log10(raw))), step = mag;
    if (raw / mag > 5) step = 10 * mag;
    else if (raw / mag > 2) step = 5 * mag;
    else if (raw / mag > 1) step = 2 * mag;
    for (double t = 0; t <= mx + 1e-9; t += step) {
        int x = label + (int)(t * scale + 0.5);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", x, h - 24, x, h - 19);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%g</text>\n", x, h - 8, t);
    }
    fprintf(f, "</svg>\n");
}

static void legend(FILE *f, const tok_audit *au)
{
    fprintf(f, "<p class=\"legend\">");
    for (size_t k = 0; k < au->n; k++) {
        fprintf(f, "<span><svg width=\"12\" height=\"12\"><rect width=\"12\" height=\"12\" fill=\"%s\"/></svg> ",
                colors[k % NCOLORS]);
        html_str(f, tok_lang_name(au->acc[k]));
        fprintf(f, "</span> ");
    }
    fprintf(f, "</p>\n");
}

static void svg_hist(FILE *f, const tok_audit *au, size_t k)
{
    uint64_t h[HIST_BUCKETS], tot = 0;
    tok_lang_length_hist(au->acc[k], (size_t)-1, h, HIST_BUCKETS);
    for (size_t b = 0; b < HIST_BUCKETS; b++) tot += h[b];
    double mx = 0;
    for (size_t b = 0; b < HIST_BUCKETS; b++)
        if (tot && (double)h[b] / (double)tot > mx) mx = (double)h[b] / (double)tot;
    if (mx <= 0) mx = 1;
    const int W = 270, H = 130, bw = 15;
    fprintf(f, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">\n", W, H + 30);
    for (size_t b = 0; b < HIST_BUCKETS; b++) {
        double p = tot ? (double)h[b] / (double)tot : 0;
        int bh = (int)(p / mx * H + 0.5);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%zu%s bytes: %.1f%%</title></rect>",
                10 + (int)b * (bw + 1), H - bh + 5, bw, bh, colors[k % NCOLORS], b + 1, b + 1 == HIST_BUCKETS ? "+" : "",
                100 * p);
        if (b % 3 == 0 || b + 1 == HIST_BUCKETS)
            fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%zu%s</text>",
                    10 + (int)b * (bw + 1) + bw / 2, H + 18, b + 1, b + 1 == HIST_BUCKETS ? "+" : "");
        fputc('\n', f);
    }
    fprintf(f, "</svg><figcaption>");
    html_str(f, tok_lang_name(au->acc[k]));
    fprintf(f, ": token length in bytes (share of tokens)</figcaption></figure>\n");
}

typedef struct sortkey {
    double v;
    size_t i;
} sortkey;

static int by_v(const void *x, const void *y)
{
    const sortkey *a = x, *b = y;
    if (isnan(a->v) != isnan(b->v)) return isnan(a->v) ? 1 : -1;
    return (a->v > b->v) - (a->v < b->v);
}

TOK_API tok_status tok_audit_html(const tok_audit *au, FILE *f)
{
    langs L;
    if (all_langs(au, &L)) return TOK_ERR_NOMEM;
    size_t N = L.n * au->n;
    double *prem = malloc((N ? N : 1) * sizeof *prem), *fert = malloc((N ? N : 1) * sizeof *fert);
    size_t *order = malloc((L.n ? L.n : 1) * sizeof *order);
    sortkey *sk = malloc((L.n ? L.n : 1) * sizeof *sk);
    bool *few_words = calloc(L.n ? L.n : 1, sizeof *few_words);
    if (!prem || !fert || !order || !sk || !few_words) {
        free(few_words);
        free(prem);
        free(fert);
        free(order);
        free(sk);
        free(L.code);
        return TOK_ERR_NOMEM;
    }
    uint64_t total_bytes = 0, total_units = 0;
    for (size_t i = 0; i < L.n; i++) {
        double mean = 0;
        size_t cnt = 0;
        for (size_t k = 0; k < au->n; k++) {
            tok_lang_counts c;
            counts_of(au->acc[k], L.code[i], &c);
            if (k == 0) {
                total_bytes += c.bytes;
                total_units += c.units;
            }
            prem[i * au->n + k] = premium(au, k, L.code[i]);
            fert[i * au->n + k] = rt(c.tokens, c.words);
            tok_lang_counts r;
            /* white-space words mean little where words are not spaced */
            if (counts_of(au->acc[k], au->ref, &r) && r.words && c.words < r.words * 3 / 10) {
                fert[i * au->n + k] = NAN;
                few_words[i] = true;
            }
            if (!isnan(prem[i * au->n + k])) {
                mean += prem[i * au->n + k];
                cnt++;
            }
        }
        sk[i] = (sortkey){ cnt ? mean / (double)cnt : NAN, i };
    }
    qsort(sk, L.n, sizeof *sk, by_v);
    for (size_t i = 0; i < L.n; i++) order[i] = sk[i].i;

    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Tokenizer audit</title>\n"
          "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
          "h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}"
          "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}"
          ".wide{overflow-x:auto}th{background:#f4f4f4}td.l{text-align:left}.legend span{margin-right:1em}figure{display:inline-block;margin:4px}"
          "figcaption{font-size:11px}ul.findings li{margin:.3em 0}code{background:#f4f4f4}</style>\n</head><body>\n",
          f);
    fprintf(f, "<h1>Tokenizer audit</h1>\n<p>%zu tokenizer%s, %zu languages, %llu text units, %.1f kB of text "
               "(counted with the first tokenizer). Reference language: <b>",
            au->n, au->n == 1 ? "" : "s", L.n, (unsigned long long)total_units, (double)total_bytes / 1000.0);
    html_str(f, lang_name(au->ref));
    fprintf(f, "</b>. Words: %s.</p>\n", au->n ? (tok_lang_words(au->acc[0]) == TOK_WORDS_UAX29
                                                      ? "Unicode word boundaries (UAX #29, ICU with dictionaries)"
                                                      : "white-space separated (as Rust et al. 2021)")
                                               : "-");
    legend(f, au);

    /* findings in plain words */
    fprintf(f, "<h2 id=\"findings\">Findings</h2>\n<ul class=\"findings\">\n");
    for (size_t k = 0; k < au->n; k++) {
        const char *tn = tok_lang_name(au->acc[k]);
        double worst = -1, best = 1e300;
        size_t wi = 0, bi = 0;
        for (size_t i = 0; i < L.n; i++) {
            double p = prem[i * au->n + k];
            if (isnan(p) || !strcmp(L.code[i], au->ref)) continue;
            if (p > worst) { worst = p; wi = i; }
            if (p < best) { best = p; bi = i; }
        }
        if (worst > 0) {
            fprintf(f, "<li><b>");
            html_str(f, lang_name(L.code[wi]));
            fprintf(f, "</b> costs <b>%.1f&times;</b> %s with ", worst, lang_name(au->ref));
            html_str(f, tn);
            fprintf(f, " (the cheapest other language, ");
            html_str(f, lang_name(L.code[bi]));
            fprintf(f, ", %.2f&times;): %s fits %.1f&times; more text in the same context window.</li>\n", best,
                    lang_name(au->ref), worst);
        }
        /* the language with the most words in >= 4 tokens */
        double w4 = -1;
        size_t w4i = 0;
        for (size_t i = 0; i < L.n; i++) {
            tok_lang_counts c;
            if (!counts_of(au->acc[k], L.code[i], &c) || !c.words || few_words[i]) continue;
            double v = rt(c.words4, c.words);
            if (v > w4) { w4 = v; w4i = i; }
        }
        if (w4 > 0) {
            fprintf(f, "<li>%.0f%% of ", 100 * w4);
            html_str(f, lang_name(L.code[w4i]));
            fprintf(f, " words split into &ge; 4 tokens with ");
            html_str(f, tn);
            fprintf(f, ".</li>\n");
        }
        tok_lang_counts c;
        uint64_t bt = 0, tt = 0, unk = 0;
        for (size_t i = 0; i < L.n; i++)
            if (counts_of(au->acc[k], L.code[i], &c)) {
                bt += c.byte_tokens;
                tt += c.tokens;
                unk += c.unk;
            }
        if (unk) {
            fprintf(f, "<li>");
            html_str(f, tn);
            fprintf(f, " gives the unknown token for %.2f%% of all tokens: text is lost.</li>\n", 100 * rt(unk, tt));
        }
        if (bt) {
            fprintf(f, "<li>%.1f%% of ", 100 * rt(bt, tt));
            html_str(f, tn);
            fprintf(f, "'s tokens are single bytes of a character (byte fallback).</li>\n");
        }
    }
    if (au->n > 1) {
        /* the cheapest tokenizer for the most languages */
        size_t *wins = calloc(au->n, sizeof *wins);
        if (wins) {
            for (size_t i = 0; i < L.n; i++) {
                size_t bk = 0;
                double bv = 1e300;
                for (size_t k = 0; k < au->n; k++) {
                    tok_lang_counts c;
                    if (!counts_of(au->acc[k], L.code[i], &c) || !c.bytes) continue;
                    double v = rt(c.tokens, c.bytes);
                    if (v < bv) { bv = v; bk = k; }
                }
                wins[bk]++;
            }
            size_t bk = 0;
            for (size_t k = 1; k < au->n; k++)
                if (wins[k] > wins[bk]) bk = k;
            fprintf(f, "<li>");
            html_str(f, tok_lang_name(au->acc[bk]));
            fprintf(f, " needs the fewest tokens for %zu of the %zu languages.</li>\n", wins[bk], L.n);
            free(wins);
        }
    }
    fprintf(f, "</ul>\n");

    fprintf(f, "<h2 id=\"premium\">Premium: tokens relative to %s (Petrov et al. 2023)</h2>\n", lang_name(au->ref));
    fprintf(f, "<p>Tokens a language needs for the same text, divided by what %s needs; the dashed line is parity "
               "(1&times;). Languages sorted by the mean over the tokenizers.</p>\n", lang_name(au->ref));
    svg_bars(f, au, &L, order, prem, "%.2f", 1.0);
    fprintf(f, "<h2 id=\"fertility\">Fertility: tokens per word</h2>\n<p>All tokens of the text divided by its "
               "words. Scripts written without spaces between words (Chinese, Japanese, Thai...) have few "
               "white-space words; read them with <code>--words uax29</code>.</p>\n");
    svg_bars(f, au, &L, order, fert, "%.2f", 0);
    bool any = false;
    for (size_t i = 0; i < L.n; i++)
        if (few_words[i]) {
            fprintf(f, "%s", any ? ", " : "<p>Left out (fewer than 30% of the reference's white-space words): ");
            html_str(f, lang_name(L.code[i]));
            any = true;
        }
    if (any) fprintf(f, ".</p>\n");

    /* table */
    fprintf(f, "<h2 id=\"table\">Per language</h2>\n<div class=\"wide\">");
    table_head(f, au, 2);
    fprintf(f, "<tr><th></th>");
    for (size_t k = 0; k < au->n; k++) fprintf(f, "<th>premium</th><th>tok/word</th>");
    fprintf(f, "</tr>\n");
    for (size_t r = 0; r < L.n; r++) {
        size_t i = order[r];
        row_start(f, L.code[i]);
        for (size_t k = 0; k < au->n; k++) {
            tok_lang_counts c;
            counts_of(au->acc[k], L.code[i], &c);
            fprintf(f, "<td>%.2f</td><td>%.2f</td>", prem[i * au->n + k], rt(c.tokens, c.words));
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table></div>\n");

    fprintf(f, "<h2 id=\"lengths\">Token lengths</h2>\n");
    for (size_t k = 0; k < au->n; k++) svg_hist(f, au, k);

    fprintf(f, "<h2 id=\"vocab\">Vocabulary use</h2>\n<table><tr><th>tokenizer</th><th>vocabulary</th><th>used</th>"
               "<th>utilisation</th><th>R&eacute;nyi eff. (&alpha;=2.5)</th><th>Shannon eff.</th><th>tokens</th></tr>\n");
    for (size_t k = 0; k < au->n; k++) {
        tok_efficiency e;
        tok_lang_efficiency(au->acc[k], (size_t)-1, 2.5, false, &e);
        fprintf(f, "<tr><td class=\"l\">");
        html_str(f, tok_lang_name(au->acc[k]));
        fprintf(f, "</td><td>%zu</td><td>%llu</td><td>%.2f%%</td><td>%.4f</td><td>%.4f</td><td>%llu</td></tr>\n",
                tok_vocab_size(au->tok[k]), (unsigned long long)e.types, 100 * e.utilisation, e.renyi, e.shannon,
                (unsigned long long)e.tokens);
    }
    fprintf(f, "</table>\n<p>R&eacute;nyi and Shannon efficiency as tokenization-scorer computes them (Zouhar et al. "
               "2023): |V| is the number of distinct tokens observed.</p>\n");

    if (au->nmorph) {
        fprintf(f, "<h2 id=\"morph\">Morphology</h2>\n<table><tr><th>tokenizer</th><th>method</th><th>gold</th>"
                   "<th>words kept</th><th>P</th><th>R</th><th>F1</th><th>F1 (all words)</th><th>%%pure</th>"
                   "<th>%%valid</th></tr>\n");
        for (size_t m = 0; m < au->nmorph; m++) {
            const morph_row *r = &au->morph[m];
            fprintf(f, "<tr><td class=\"l\">");
            html_str(f, r->tok);
            fprintf(f, "</td><td class=\"l\">");
            html_str(f, r->method);
            fprintf(f, "</td><td class=\"l\">");
            html_str(f, r->gold);
            fprintf(f, "</td><td>%llu</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.1f</td><td>%.1f</td></tr>\n",
                    (unsigned long long)r->r.kept, r->r.precision, r->r.recall, r->r.f1, r->r.all_f1, r->r.pct_pure,
                    r->r.pct_valid);
        }
        fprintf(f, "</table>\n<p>Boundary F1 against the gold segmentation on words whose morphs are all tokens "
                   "(same words for every method) and on all words; %%pure and %%valid are offline proxies of "
                   "Bayram et al. 2025 (share of distinct produced tokens that are a gold morph / a listed word).</p>\n");
        /* where %valid's words came from, once per gold file (the gold words when not said) */
        bool listed = false;
        for (size_t m = 0; m < au->nmorph; m++) {
            const morph_row *r = &au->morph[m];
            bool seen = false;
            for (size_t q = 0; q < m && !seen; q++) seen = !strcmp(au->morph[q].gold, r->gold);
            if (seen || !r->valid_from[0]) continue;
            fprintf(f, "%s", listed ? "<br>" : "<p>%valid word lists: ");
            html_str(f, r->gold);
            fprintf(f, ": ");
            html_str(f, r->valid_from);
            listed = true;
        }
        if (listed) fprintf(f, "</p>\n");
    }

    fprintf(f, "<h2 id=\"dominant\">Dominant tokens per language</h2>\n");
    table_head(f, au, 1);
    for (size_t r = 0; r < L.n; r++) {
        size_t i = order[r];
        row_start(f, L.code[i]);
        for (size_t k = 0; k < au->n; k++) {
            long li = tok_lang_find(au->acc[k], L.code[i]);
            fprintf(f, "<td class=\"l\">");
            if (li >= 0) {
                int32_t ids[5];
                uint64_t cnt[5];
                tok_lang_counts c;
                tok_lang_get(au->acc[k], (size_t)li, &c);
                size_t nt = tok_lang_top(au->acc[k], (size_t)li, ids, cnt, 5);
                for (size_t q = 0; q < nt; q++) {
                    fprintf(f, "%s<code>", q ? " " : "");
                    html_token(f, au->tok[k], ids[q]);
                    fprintf(f, "</code>&nbsp;%.1f%%", 100 * rt(cnt[q], c.tokens));
                }
            }
            fprintf(f, "</td>");
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n<p style=\"font-size:11px;color:#666\">Drawn by libtok %s (tok audit). No scripts, no "
               "external resources.</p>\n</body></html>\n",
            tok_version());
    free(prem);
    free(fert);
    free(order);
    free(sk);
    free(few_words);
    free(L.code);
    return ferror(f) ? TOK_ERR_IO : TOK_OK;
}
