/* Hunspell dictionaries (.aff + .dic) expanded to word forms whose stem and
 * affix boundaries are known: the source of the word lists for %valid and of
 * the approximate hunspell-derived morph splits.  Only the affix rules are
 * read (PFX/SFX with strip, add, condition and cross product; continuation
 * classes, i.e. twofold suffixes and prefixes allowed by a suffix; AF
 * aliases; FLAG char/UTF-8/long/num; NEEDAFFIX, CIRCUMFIX, ONLYINCOMPOUND,
 * FORBIDDENWORD).  Compounding is not expanded: its forms are unbounded. */
#include "lang_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#define HS_MAX_FILE (512u << 20) /* larger .aff/.dic files are refused */
#define HS_MAX_FORM 1024         /* longest form expanded (bytes) */
#define HS_MAX_COND 64           /* condition elements */

enum { FL_CHAR, FL_UTF8, FL_LONG, FL_NUM };

typedef struct hs_elem {   /* one condition position */
    uint32_t off, n;       /* code points in cps[off..off+n) */
    uint8_t any, neg;
} hs_elem;

typedef struct hs_rule {
    uint32_t cls;              /* class index */
    uint32_t strip, strip_len; /* byte offsets into text */
    uint32_t add, add_len;
    uint32_t cont, cont_n;     /* continuation flags (sorted) in flags[] */
    uint32_t cond, cond_n;     /* elements in elems[] */
} hs_rule;

typedef struct hs_class {
    uint32_t flag;
    bool prefix, cross;
    uint32_t first, n; /* rules[first..first+n) after sorting */
} hs_class;

typedef struct hs_stem {
    uint32_t off, len;     /* in text */
    uint32_t flags, nflags;
} hs_stem;

struct tok_hunspell {
    char *text; size_t ntext, captext;
    uint32_t *flags; size_t nflags, capflags;
    uint32_t *cps; size_t ncps, capcps;
    hs_elem *elems; size_t nelems, capelems;
    hs_rule *rules; size_t nrules, caprules;
    hs_class *cls; size_t ncls, capcls;
    hs_stem *stems; size_t nstems, capstems;
    struct { uint32_t off, n; } *af; size_t naf, capaf; /* AF aliases, 1-based */
    idmap clsmap; /* flag * 2 + prefix -> class index + 1 */
    int flagmode;
    bool has_need, has_circ, has_only, has_forbid;
    uint32_t f_need, f_circ, f_only, f_forbid;
};

#define GROW(arr, n, cap, k)                                                                                           \
    ((n) + (k) <= (cap) ? 0 : hs_grow((void **)&(arr), &(cap), (n) + (k), sizeof *(arr)))

static int hs_grow(void **p, size_t *cap, size_t need, size_t el)
{
    size_t nc = *cap ? *cap : 64;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, nc * el);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static void seterr(tok_error *err, tok_status code, const char *path, size_t line, const char *fmt, ...)
{
    if (!err) return;
    err->code = code;
    int k = snprintf(err->message, sizeof err->message, "%.300s:%zu: ", path, line);
    if (k < 0 || (size_t)k >= sizeof err->message) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message + k, sizeof err->message - (size_t)k, fmt, ap);
    va_end(ap);
}

static char *read_file(const char *path, size_t *n, tok_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err) {
            err->code = TOK_ERR_IO;
            snprintf(err->message, sizeof err->message, "%s: %s", path, strerror(errno));
        }
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap + 1);
    for (;;) {
        if (!b) break;
        size_t k = fread(b + len, 1, cap - len, f);
        len += k;
        if (len < cap) break;
        if (cap >= HS_MAX_FILE) {
            free(b);
            fclose(f);
            if (err) {
                err->code = TOK_ERR_LIMIT;
                snprintf(err->message, sizeof err->message, "%s: larger than %u MiB", path, HS_MAX_FILE >> 20);
            }
            return NULL;
        }
        cap *= 2;
        char *nb = realloc(b, cap + 1);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
    }
    bool rerr = ferror(f);
    fclose(f);
    if (!b || rerr) {
        free(b);
        if (err) {
            err->code = b ? TOK_ERR_IO : TOK_ERR_NOMEM;
            snprintf(err->message, sizeof err->message, "%s: %s", path, b ? "read error" : "out of memory");
        }
        return NULL;
    }
    b[len] = 0;
    *n = len;
    return b;
}

/* Next code point of s[0..n) (n >= 1, valid UTF-8 assumed: checked per line). */
static uint32_t cp_next(const unsigned char *s, size_t n, size_t *k)
{
    unsigned c = s[0];
    if (c < 0x80 || n < 2) { *k = 1; return c; }
    if (c < 0xE0) { *k = 2; return ((c & 0x1F) << 6) | (s[1] & 0x3F); }
    if (c < 0xF0 || n < 4) { *k = n < 3 ? n : 3; return ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (n > 2 ? (s[2] & 0x3F) : 0); }
    *k = 4;
    return ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Parse a flag string (without '/') into flags[]; sorted.  -1: malformed. */
static int parse_flags(tok_hunspell *h, const char *s, size_t n, uint32_t *off, uint32_t *cnt, bool alias_ok)
{
    *off = (uint32_t)h->nflags;
    *cnt = 0;
    if (alias_ok && h->naf) { /* AF: the flag string is an alias number */
        unsigned long v = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9' || v > 1000000) return -1;
            v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (!n || v == 0 || v > h->naf) return -1;
        *off = h->af[v - 1].off;
        *cnt = h->af[v - 1].n;
        return 0;
    }
    if (GROW(h->flags, h->nflags, h->capflags, n + 1)) return -2;
    size_t i = 0;
    while (i < n) {
        uint32_t f;
        if (h->flagmode == FL_NUM) {
            unsigned long v = 0;
            size_t a = i;
            while (i < n && s[i] >= '0' && s[i] <= '9' && v < 10000000) v = v * 10 + (unsigned)(s[i++] - '0');
            if (i == a || v > 0x7FFFFFF) return -1;
            if (i < n) {
                if (s[i] != ',') return -1;
                i++;
            }
            f = (uint32_t)v;
        } else if (h->flagmode == FL_LONG) {
            if (i + 1 >= n) return -1;
            f = ((uint32_t)(unsigned char)s[i] << 8) | (unsigned char)s[i + 1];
            i += 2;
        } else if (h->flagmode == FL_UTF8) {
            size_t k;
            f = cp_next((const unsigned char *)s + i, n - i, &k);
            i += k;
        } else f = (unsigned char)s[i++];
        h->flags[h->nflags++] = f;
        (*cnt)++;
    }
    qsort(h->flags + *off, *cnt, sizeof *h->flags, cmp_u32);
    return 0;
}

static bool has_flag(const tok_hunspell *h, uint32_t off, uint32_t n, uint32_t f)
{
    const uint32_t *a = h->flags + off;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] == f) return true;
        if (a[mid] < f) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

static uint32_t add_text(tok_hunspell *h, const char *s, size_t n)
{
    if (GROW(h->text, h->ntext, h->captext, n + 1)) return UINT32_MAX;
    uint32_t off = (uint32_t)h->ntext;
    memcpy(h->text + off, s, n);
    h->text[off + n] = 0;
    h->ntext += n + 1;
    return off;
}

/* Split a line into white-space separated fields (at most max). */
static size_t fields(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        f[n++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = 0;
    }
    return n;
}

static int parse_cond(tok_hunspell *h, const char *c, uint32_t *off, uint32_t *n)
{
    *off = (uint32_t)h->nelems;
    *n = 0;
    if (!strcmp(c, ".")) return 0;
    size_t len = strlen(c), i = 0;
    while (i < len) {
        if (*n >= HS_MAX_COND || GROW(h->elems, h->nelems, h->capelems, 1) || GROW(h->cps, h->ncps, h->capcps, len))
            return -1;
        hs_elem e = { (uint32_t)h->ncps, 0, 0, 0 };
        if (c[i] == '.') {
            e.any = 1;
            i++;
        } else if (c[i] == '[') {
            i++;
            if (i < len && c[i] == '^') {
                e.neg = 1;
                i++;
            }
            while (i < len && c[i] != ']') {
                size_t k;
                h->cps[h->ncps++] = cp_next((const unsigned char *)c + i, len - i, &k);
                e.n++;
                i += k;
            }
            if (i >= len) return -1; /* unclosed [ */
            i++;
        } else {
            size_t k;
            h->cps[h->ncps++] = cp_next((const unsigned char *)c + i, len - i, &k);
            e.n = 1;
            i += k;
        }
        h->elems[h->nelems++] = e;
        (*n)++;
    }
    return 0;
}

static bool elem_match(const tok_hunspell *h, const hs_elem *e, uint32_t cp)
{
    if (e->any) return true;
    bool in = false;
    for (uint32_t i = 0; i < e->n && !in; i++) in = h->cps[e->off + i] == cp;
    return in != (bool)e->neg;
}

TOK_API void tok_hunspell_free(tok_hunspell *h)
{
    if (!h) return;
    free(h->text);
    free(h->flags);
    free(h->cps);
    free(h->elems);
    free(h->rules);
    free(h->cls);
    free(h->stems);
    free(h->af);
    if (h->clsmap.s) idmap_free(&h->clsmap);
    free(h);
}

static long class_of(const tok_hunspell *h, uint32_t flag, bool prefix)
{
    uint64_t v = idmap_get(&h->clsmap, (int32_t)(flag * 2 + (prefix ? 1 : 0)));
    return v ? (long)v - 1 : -1;
}

/* Parse the .aff file. */
static int load_aff(tok_hunspell *h, const char *path, tok_error *err)
{
    size_t n;
    char *buf = read_file(path, &n, err);
    if (!buf) return -1;
    char *p = buf, *end = buf + n;
    size_t lineno = 0;
    int rc = 0;
    bool af_header = false;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    while (p < end && !rc) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        lineno++;
        if (le > p && le[-1] == '\r') le[-1] = 0;
        *le = 0;
        char *line = p;
        p = le + 1;
        if (tok_utf8_valid_prefix(line, strlen(line)) != strlen(line)) {
            seterr(err, TOK_ERR_UTF8, path, lineno, "%s", "invalid UTF-8 (only SET UTF-8 dictionaries are read)");
            rc = -1;
            break;
        }
        char *f[8];
        size_t nf = fields(line, f, 8);
        if (!nf || f[0][0] == '#') continue;
        if (!strcmp(f[0], "SET") && nf >= 2) {
            if (strcmp(f[1], "UTF-8") && strcmp(f[1], "utf-8")) {
                seterr(err, TOK_ERR_UNSUPPORTED, path, lineno, "SET %s not supported (UTF-8 only)", f[1]);
                rc = -1;
            }
        } else if (!strcmp(f[0], "FLAG") && nf >= 2) {
            if (!strcmp(f[1], "long")) h->flagmode = FL_LONG;
            else if (!strcmp(f[1], "num")) h->flagmode = FL_NUM;
            else if (!strcmp(f[1], "UTF-8")) h->flagmode = FL_UTF8;
            else {
                seterr(err, TOK_ERR_UNSUPPORTED, path, lineno, "FLAG %s not supported", f[1]);
                rc = -1;
            }
        } else if (!strcmp(f[0], "AF") && nf >= 2) {
            if (!af_header) { af_header = true; continue; } /* AF <count>: the count is not trusted */
            uint32_t off, cnt;
            size_t saved = h->naf;
            h->naf = 0; /* alias lines hold real flags */
            int r = parse_flags(h, f[1], strlen(f[1]), &off, &cnt, false);
            h->naf = saved;
            if (r || GROW(h->af, h->naf, h->capaf, 1)) {
                seterr(err, r == -1 ? TOK_ERR_FORMAT : TOK_ERR_NOMEM, path, lineno, "%s", "bad AF flags");
                rc = -1;
                break;
            }
            h->af[h->naf].off = off;
            h->af[h->naf++].n = cnt;
        } else if ((!strcmp(f[0], "NEEDAFFIX") || !strcmp(f[0], "PSEUDOROOT") || !strcmp(f[0], "CIRCUMFIX") ||
                    !strcmp(f[0], "ONLYINCOMPOUND") || !strcmp(f[0], "FORBIDDENWORD")) && nf >= 2) {
            uint32_t off, cnt;
            size_t saved = h->naf;
            h->naf = 0;
            int r = parse_flags(h, f[1], strlen(f[1]), &off, &cnt, false);
            h->naf = saved;
            if (r || cnt != 1) {
                seterr(err, TOK_ERR_FORMAT, path, lineno, "bad flag for %s", f[0]);
                rc = -1;
                break;
            }
            uint32_t v = h->flags[off];
            if (f[0][0] == 'N' || f[0][0] == 'P') { h->has_need = true; h->f_need = v; }
            else if (f[0][0] == 'C') { h->has_circ = true; h->f_circ = v; }
            else if (f[0][0] == 'O') { h->has_only = true; h->f_only = v; }
            else { h->has_forbid = true; h->f_forbid = v; }
        } else if ((!strcmp(f[0], "PFX") || !strcmp(f[0], "SFX")) && nf >= 4) {
            bool prefix = f[0][0] == 'P';
            uint32_t foff, fcnt;
            size_t saved = h->naf;
            h->naf = 0;
            int r = parse_flags(h, f[1], strlen(f[1]), &foff, &fcnt, false);
            h->naf = saved;
            /* a multi-byte character as a single-byte flag: hunspell keys the class by its first byte */
            if (r || (fcnt != 1 && !(h->flagmode == FL_CHAR && fcnt > 1 && (unsigned char)f[1][0] >= 0x80))) {
                seterr(err, TOK_ERR_FORMAT, path, lineno, "bad affix flag '%s'", f[1]);
                rc = -1;
                break;
            }
            uint32_t flag = (unsigned char)f[1][0];
            if (h->flagmode != FL_CHAR) flag = h->flags[foff];
            h->nflags = foff; /* the class flag itself is not kept in the pool */
            if (flag > 0x3FFFFFFF) {
                seterr(err, TOK_ERR_FORMAT, path, lineno, "affix flag out of range%s", "");
                rc = -1;
                break;
            }
            long ci = class_of(h, flag, prefix);
            if (nf == 4 && (!strcmp(f[2], "Y") || !strcmp(f[2], "N"))) { /* header: PFX flag cross count */
                if (ci >= 0) continue; /* repeated header: rules join the class */
                if (GROW(h->cls, h->ncls, h->capcls, 1) ||
                    idmap_add(&h->clsmap, (int32_t)(flag * 2 + prefix), h->ncls + 1)) {
                    rc = -2;
                    break;
                }
                h->cls[h->ncls++] = (hs_class){ flag, prefix, f[2][0] == 'Y', 0, 0 };
                continue;
            }
            if (ci < 0) {
                seterr(err, TOK_ERR_FORMAT, path, lineno, "affix rule before its header (%s)", f[1]);
                rc = -1;
                break;
            }
            if (nf < 5) f[4] = "."; /* no condition: any stem */
            hs_rule ru = { (uint32_t)ci, 0, 0, 0, 0, 0, 0, 0, 0 };
            const char *strip = strcmp(f[2], "0") ? f[2] : "";
            char *add = f[3], *slash = strchr(add, '/');
            if (slash) {
                *slash = 0;
                if (parse_flags(h, slash + 1, strlen(slash + 1), &ru.cont, &ru.cont_n, true)) {
                    seterr(err, TOK_ERR_FORMAT, path, lineno, "bad continuation flags '%s'", slash + 1);
                    rc = -1;
                    break;
                }
            }
            if (!strcmp(add, "0")) add[0] = 0;
            ru.strip_len = (uint32_t)strlen(strip);
            ru.add_len = (uint32_t)strlen(add);
            if ((ru.strip = add_text(h, strip, ru.strip_len)) == UINT32_MAX ||
                (ru.add = add_text(h, add, ru.add_len)) == UINT32_MAX) {
                rc = -2;
                break;
            }
            if (parse_cond(h, f[4], &ru.cond, &ru.cond_n)) {
                seterr(err, TOK_ERR_FORMAT, path, lineno, "bad condition '%s'", f[4]);
                rc = -1;
                break;
            }
            if (GROW(h->rules, h->nrules, h->caprules, 1)) { rc = -2; break; }
            h->rules[h->nrules++] = ru;
        }
    }
    if (rc == -2) seterr(err, TOK_ERR_NOMEM, path, lineno, "%s", "out of memory");
    free(buf);
    if (rc) return -1;
    /* group rules by class, keeping file order within a class (merge by index) */
    size_t *cnt = calloc(h->ncls + 1, sizeof *cnt);
    hs_rule *sorted = malloc((h->nrules ? h->nrules : 1) * sizeof *sorted);
    if (!cnt || !sorted) {
        free(cnt);
        free(sorted);
        seterr(err, TOK_ERR_NOMEM, path, lineno, "%s", "out of memory");
        return -1;
    }
    for (size_t i = 0; i < h->nrules; i++) cnt[h->rules[i].cls + 1]++;
    for (size_t c = 0; c < h->ncls; c++) {
        cnt[c + 1] += cnt[c];
        h->cls[c].first = (uint32_t)cnt[c];
        h->cls[c].n = (uint32_t)(cnt[c + 1] - cnt[c]);
    }
    for (size_t i = 0; i < h->nrules; i++) sorted[cnt[h->rules[i].cls]++] = h->rules[i];
    free(h->rules);
    h->rules = sorted;
    h->caprules = h->nrules ? h->nrules : 1;
    free(cnt);
    return 0;
}

static int load_dic(tok_hunspell *h, const char *path, tok_error *err)
{
    size_t n;
    char *buf = read_file(path, &n, err);
    if (!buf) return -1;
    char *p = buf, *end = buf + n;
    size_t lineno = 0;
    int rc = 0;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        lineno++;
        if (le > p && le[-1] == '\r') le--;
        size_t len = (size_t)(le - p);
        char *line = p;
        p = (nl ? nl : end) + 1;
        if (lineno == 1) continue; /* the approximate word count: not trusted */
        if (!len || line[0] == '\t' || line[0] == '#') continue; /* comments (de_DE indents them) */
        if (tok_utf8_valid_prefix(line, len) != len) {
            seterr(err, TOK_ERR_UTF8, path, lineno, "%s", "invalid UTF-8");
            rc = -1;
            break;
        }
        /* word[/flags][<white space> morphological fields]; "\/" is a slash in the word */
        size_t w = 0, wl;
        char *word = line;
        size_t out = 0;
        while (w < len && line[w] != '/' && line[w] != '\t' && line[w] != ' ') {
            if (line[w] == '\\' && w + 1 < len && line[w + 1] == '/') w++;
            line[out++] = line[w++];
        }
        wl = out;
        if (!wl) continue;
        uint32_t foff = 0, fcnt = 0;
        if (w < len && line[w] == '/') {
            size_t a = ++w;
            while (w < len && line[w] != '\t' && line[w] != ' ') w++;
            int r = parse_flags(h, line + a, w - a, &foff, &fcnt, true);
            if (r) {
                seterr(err, r == -1 ? TOK_ERR_FORMAT : TOK_ERR_NOMEM, path, lineno, "%s", "bad flags");
                rc = -1;
                break;
            }
        }
        if (wl >= HS_MAX_FORM) {
            seterr(err, TOK_ERR_LIMIT, path, lineno, "word longer than %d bytes", HS_MAX_FORM - 1);
            rc = -1;
            break;
        }
        uint32_t off = add_text(h, word, wl);
        if (off == UINT32_MAX || GROW(h->stems, h->nstems, h->capstems, 1)) {
            seterr(err, TOK_ERR_NOMEM, path, lineno, "%s", "out of memory");
            rc = -1;
            break;
        }
        h->stems[h->nstems++] = (hs_stem){ off, (uint32_t)wl, foff, fcnt };
        if (h->ntext > UINT32_MAX / 2 || h->nflags > UINT32_MAX / 2) {
            seterr(err, TOK_ERR_LIMIT, path, lineno, "%s", "dictionary too large");
            rc = -1;
            break;
        }
    }
    free(buf);
    return rc;
}

TOK_API tok_hunspell *tok_hunspell_load(const char *dic, const char *aff, tok_error *err)
{
    tok_hunspell *h = calloc(1, sizeof *h);
    char affbuf[4096];
    if (!aff) {
        size_t n = strlen(dic);
        if (n < 4 || strcmp(dic + n - 4, ".dic") || n >= sizeof affbuf) {
            if (err) {
                err->code = TOK_ERR_ARG;
                snprintf(err->message, sizeof err->message, "%s: expected a .dic file (its .aff beside it)", dic);
            }
            free(h);
            return NULL;
        }
        memcpy(affbuf, dic, n - 4);
        memcpy(affbuf + n - 4, ".aff", 5);
        aff = affbuf;
    }
    if (!h || idmap_init(&h->clsmap)) {
        if (err) {
            err->code = TOK_ERR_NOMEM;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        tok_hunspell_free(h);
        return NULL;
    }
    if (load_aff(h, aff, err) || load_dic(h, dic, err)) {
        tok_hunspell_free(h);
        return NULL;
    }
    return h;
}

TOK_API size_t tok_hunspell_stems(const tok_hunspell *h) { return h->nstems; }
TOK_API size_t tok_hunspell_rules(const tok_hunspell *h) { return h->nrules; }

/* ---- expansion -------------------------------------------------------------- */

typedef struct xp {
    const tok_hunspell *h;
    tok_hunspell_fn fn;
    void *user;
    uint64_t max, n;
    int stop; /* 1 callback asked, 2 limit */
} xp;

static void emit(xp *x, const char *form, size_t len, const uint32_t *b, size_t nb)
{
    if (x->stop) return;
    if (x->max && x->n >= x->max) {
        x->stop = 2;
        return;
    }
    x->n++;
    if (x->fn(x->user, form, len, b, nb)) x->stop = 1;
}

/* Does suffix rule r apply to w (condition on its end, strip matches)? */
static bool sfx_ok(const tok_hunspell *h, const hs_rule *r, const char *w, size_t n)
{
    if (r->strip_len >= n || memcmp(w + n - r->strip_len, h->text + r->strip, r->strip_len)) return false;
    /* condition elements against the last cond_n code points */
    size_t pos = n;
    for (uint32_t i = r->cond_n; i-- > 0;) {
        if (!pos) return false;
        size_t a = pos - 1;
        while (a > 0 && ((unsigned char)w[a] & 0xC0) == 0x80) a--;
        size_t k;
        uint32_t cp = cp_next((const unsigned char *)w + a, pos - a, &k);
        if (!elem_match(h, &h->elems[r->cond + i], cp)) return false;
        pos = a;
    }
    return true;
}

static bool pfx_ok(const tok_hunspell *h, const hs_rule *r, const char *w, size_t n)
{
    if (r->strip_len >= n || memcmp(w, h->text + r->strip, r->strip_len)) return false;
    size_t pos = 0;
    for (uint32_t i = 0; i < r->cond_n; i++) {
        if (pos >= n) return false;
        size_t k;
        uint32_t cp = cp_next((const unsigned char *)w + pos, n - pos, &k);
        if (!elem_match(h, &h->elems[r->cond + i], cp)) return false;
        pos += k;
    }
    return true;
}

static bool rule_has(const tok_hunspell *h, const hs_rule *r, bool on, uint32_t f)
{
    return on && has_flag(h, r->cont, r->cont_n, f);
}

/* Apply the prefixes allowed on `form` (a suffixed form when sfx != NULL:
 * then only cross-product classes, and the suffixes' continuation classes
 * may add prefixes).  circ: the suffixes need a circumfix prefix. */
static void prefixes(xp *x, const hs_stem *s, const char *form, size_t n, const uint32_t *b, size_t nb,
                     const hs_rule *const *sfx, size_t nsfx, bool circ)
{
    const tok_hunspell *h = x->h;
    /* flag sources: the stem's flags, then each suffix rule's continuation */
    for (size_t src = 0; src <= nsfx && !x->stop; src++) {
        uint32_t off = src == 0 ? s->flags : sfx[src - 1]->cont, cnt = src == 0 ? s->nflags : sfx[src - 1]->cont_n;
        for (uint32_t fi = 0; fi < cnt && !x->stop; fi++) {
            uint32_t fl = h->flags[off + fi];
            if (src > 0 && has_flag(h, s->flags, s->nflags, fl)) continue; /* done with the stem's */
            long ci = class_of(h, fl, true);
            if (ci < 0) continue;
            const hs_class *c = &h->cls[ci];
            if (nsfx && src == 0) {
                bool cross = c->cross;
                for (size_t k = 0; k < nsfx; k++) cross = cross && h->cls[sfx[k]->cls].cross;
                if (!cross) continue;
            }
            for (uint32_t ri = 0; ri < c->n && !x->stop; ri++) {
                const hs_rule *r = &h->rules[c->first + ri];
                if (!pfx_ok(h, r, form, n)) continue;
                bool rcirc = rule_has(h, r, h->has_circ, h->f_circ);
                if (rcirc != circ) continue;
                if (rule_has(h, r, h->has_need, h->f_need) && !nsfx) continue;
                if (rule_has(h, r, h->has_only, h->f_only)) continue;
                char buf[HS_MAX_FORM];
                size_t len = r->add_len + n - r->strip_len;
                if (len >= sizeof buf) continue;
                memcpy(buf, h->text + r->add, r->add_len);
                memcpy(buf + r->add_len, form + r->strip_len, n - r->strip_len);
                uint32_t nbv[4];
                size_t k = 0;
                if (r->add_len && len > r->add_len) nbv[k++] = r->add_len;
                for (size_t i = 0; i < nb && k < 4; i++)
                    if (b[i] > r->strip_len) nbv[k++] = b[i] - r->strip_len + r->add_len;
                emit(x, buf, len, nbv, k);
            }
        }
    }
}

/* Suffix rule r applied to form (bounds b); recurse once for twofold suffixes. */
static void suffixed(xp *x, const hs_stem *s, const char *form, size_t n, const uint32_t *b, size_t nb,
                     const hs_rule *const *chain, size_t depth)
{
    const tok_hunspell *h = x->h;
    uint32_t off = depth == 0 ? s->flags : chain[depth - 1]->cont;
    uint32_t cnt = depth == 0 ? s->nflags : chain[depth - 1]->cont_n;
    for (uint32_t fi = 0; fi < cnt && !x->stop; fi++) {
        long ci = class_of(h, h->flags[off + fi], false);
        if (ci < 0) continue;
        const hs_class *c = &h->cls[ci];
        for (uint32_t ri = 0; ri < c->n && !x->stop; ri++) {
            const hs_rule *r = &h->rules[c->first + ri];
            if (!sfx_ok(h, r, form, n)) continue;
            char buf[HS_MAX_FORM];
            size_t cut = n - r->strip_len, len = cut + r->add_len;
            if (len >= sizeof buf) continue;
            memcpy(buf, form, cut);
            memcpy(buf + cut, h->text + r->add, r->add_len);
            uint32_t nbv[4];
            size_t k = 0;
            for (size_t i = 0; i < nb && k < 3; i++)
                if (b[i] < cut) nbv[k++] = b[i];
            if (r->add_len && cut > 0 && k < 4) nbv[k++] = (uint32_t)cut;
            const hs_rule *ch[3] = { 0 };
            for (size_t i = 0; i < depth; i++) ch[i] = chain[i];
            ch[depth] = r;
            bool need = false, circ = false;
            for (size_t i = 0; i <= depth; i++) {
                /* NEEDAFFIX on an inner suffix means "needs another affix": satisfied by an outer one */
                if (i == depth) need = rule_has(h, ch[i], h->has_need, h->f_need);
                circ = circ || rule_has(h, ch[i], h->has_circ, h->f_circ);
            }
            /* a suffix marked ONLYINCOMPOUND makes a compound part, not a word */
            bool only = rule_has(h, r, h->has_only, h->f_only);
            if (!need && !circ && !only) emit(x, buf, len, nbv, k);
            if (only) continue;
            prefixes(x, s, buf, len, nbv, k, ch, depth + 1, circ);
            if (depth == 0 && r->cont_n) suffixed(x, s, buf, len, nbv, k, ch, 1); /* twofold */
        }
    }
}

TOK_API tok_status tok_hunspell_expand(const tok_hunspell *h, uint64_t max_forms, tok_hunspell_fn fn, void *user,
                                       uint64_t *nforms)
{
    xp x = { h, fn, user, max_forms, 0, 0 };
    for (size_t i = 0; i < h->nstems && !x.stop; i++) {
        const hs_stem *s = &h->stems[i];
        if (h->has_forbid && has_flag(h, s->flags, s->nflags, h->f_forbid)) continue;
        if (h->has_only && has_flag(h, s->flags, s->nflags, h->f_only)) continue; /* compound parts only */
        const char *w = h->text + s->off;
        if (!(h->has_need && has_flag(h, s->flags, s->nflags, h->f_need))) emit(&x, w, s->len, NULL, 0);
        suffixed(&x, s, w, s->len, NULL, 0, NULL, 0);
        prefixes(&x, s, w, s->len, NULL, 0, NULL, 0, false);
    }
    if (nforms) *nforms = x.n;
    return x.stop == 2 ? TOK_ERR_LIMIT : TOK_OK;
}

/* ---- approximate gold: a deterministic sample of the forms ------------------- */

/* Forms fit for a gold file: letters only (no digits, apostrophes, dots or
 * hyphens) and no capitals (proper nouns, abbreviations). */
static bool gold_form(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k;
        uint32_t cp = cp_next((const unsigned char *)s + i, n - i, &k);
        if (!u_isalpha((UChar32)cp) || u_isupper((UChar32)cp) || u_istitle((UChar32)cp)) return false;
        i += k;
    }
    return n > 0;
}

static uint64_t form_hash(const char *s, size_t n, uint64_t seed)
{
    uint64_t x = strmap_hash(s, n) ^ (seed * 0x9E3779B97F4A7C15ULL);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 29;
    return x;
}

typedef struct gold_pick {
    char *form;     /* NUL-terminated */
    uint32_t b[4];  /* boundaries of the derivation kept */
    uint8_t nb, seen;
} gold_pick;

typedef struct gold_pass {
    uint64_t seed;
    uint64_t *h; size_t n, cap; /* pass 1: every eligible hash */
    const uint64_t *pick; gold_pick *p; size_t npick; /* pass 2 */
    size_t *order; size_t norder; /* picks in order of first appearance */
    int err;
} gold_pass;

static int gold_collect(void *user, const char *form, size_t len, const uint32_t *b, size_t nb)
{
    (void)b; (void)nb;
    gold_pass *g = user;
    if (!gold_form(form, len)) return 0;
    if (GROW(g->h, g->n, g->cap, 1)) { g->err = 1; return 1; }
    g->h[g->n++] = form_hash(form, len, g->seed);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Of a picked form's derivations, keep the one with the longest first morph
 * (abla|rı over ab|ları), then the fewest boundaries. */
static int gold_keep(void *user, const char *form, size_t len, const uint32_t *b, size_t nb)
{
    gold_pass *g = user;
    if (!gold_form(form, len)) return 0;
    uint64_t hv = form_hash(form, len, g->seed);
    size_t lo = 0, hi = g->npick;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->pick[mid] < hv) lo = mid + 1;
        else hi = mid;
    }
    if (lo == g->npick || g->pick[lo] != hv) return 0;
    gold_pick *p = &g->p[lo];
    uint32_t first = nb ? b[0] : (uint32_t)len;
    if (p->seen) {
        uint32_t pf = p->nb ? p->b[0] : (uint32_t)strlen(p->form);
        if (first < pf || (first == pf && nb >= p->nb)) return 0;
    } else {
        if (!(p->form = malloc(len + 1))) { g->err = 1; return 1; }
        memcpy(p->form, form, len);
        p->form[len] = 0;
        p->seen = 1;
        g->order[g->norder++] = lo;
    }
    p->nb = (uint8_t)(nb < 4 ? nb : 4);
    for (size_t i = 0; i < p->nb; i++) p->b[i] = b[i];
    return 0;
}

TOK_API tok_status tok_hunspell_gold(const tok_hunspell *h, uint64_t k, uint64_t seed, uint64_t max_forms, FILE *out,
                                     uint64_t *written, char *msg, size_t cap)
{
    gold_pass g;
    memset(&g, 0, sizeof g);
    g.seed = seed;
    if (written) *written = 0;
    tok_status st = tok_hunspell_expand(h, max_forms, gold_collect, &g, NULL);
    if (g.err) st = TOK_ERR_NOMEM;
    if (st == TOK_ERR_LIMIT) snprintf(msg, cap, "more than %llu forms: raise the limit", (unsigned long long)max_forms);
    if (st) {
        if (st == TOK_ERR_NOMEM) snprintf(msg, cap, "out of memory");
        free(g.h);
        return st;
    }
    if (g.n) qsort(g.h, g.n, sizeof *g.h, cmp_u64);
    size_t u = 0; /* distinct hashes: a form reached by two derivations counts once */
    for (size_t i = 0; i < g.n; i++)
        if (!u || g.h[u - 1] != g.h[i]) g.h[u++] = g.h[i];
    g.npick = k && k < u ? (size_t)k : u;
    g.pick = g.h;
    g.p = calloc(g.npick ? g.npick : 1, sizeof *g.p);
    g.order = malloc((g.npick ? g.npick : 1) * sizeof *g.order);
    if (g.p && g.order) st = tok_hunspell_expand(h, max_forms, gold_keep, &g, NULL);
    if (!g.p || !g.order || g.err) {
        snprintf(msg, cap, "out of memory");
        st = TOK_ERR_NOMEM;
    }
    uint64_t nw = 0;
    for (size_t i = 0; i < g.norder && !st; i++) {
        const gold_pick *p = &g.p[g.order[i]];
        size_t len = strlen(p->form), at = 0;
        fputs(p->form, out);
        fputc('\t', out);
        for (size_t j = 0; j <= p->nb; j++) {
            size_t e = j < p->nb ? p->b[j] : len;
            if (e <= at || e > len) continue;
            if (at) fputc('|', out);
            fwrite(p->form + at, 1, e - at, out);
            at = e;
        }
        fputc('\n', out);
        nw++;
    }
    for (size_t i = 0; g.p && i < g.npick; i++) free(g.p[i].form);
    free(g.p);
    free(g.order);
    free(g.h);
    if (!st && ferror(out)) {
        snprintf(msg, cap, "write error");
        return TOK_ERR_IO;
    }
    if (written) *written = nw;
    return st;
}
