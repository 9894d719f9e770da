/* Streaming corpus reader: inputs (file, directory, stdin) -> units (lines,
 * paragraphs, whole files, JSONL records, TSV cells), each checked and tagged
 * with its language, file and line.  Memory: one line buffer (grown up to
 * max_unit) and one unit buffer for paragraphs and whole files. */
#include "source.h"
#include "tok_corpora.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_INIT (1u << 16)
#define MAX_COLS 1024

struct tok_corpus {
    tok_corpus_options o;
    char **files;
    size_t nfiles, fi;
    bool from_stdin, done, header_done;
    src *s;
    const char *file;   /* current file name */
    char lang[128];
    /* raw line buffer: bytes [start, end) not yet consumed */
    char *buf;
    size_t cap, start, end;
    bool src_eof;
    uint64_t lineno;      /* lines consumed in the current file */
    uint64_t file_units;  /* units handed out from the current file */
    /* paragraphs and whole files */
    char *unit;
    size_t ulen, ucap;
    /* JSON lines */
    json_t *jdoc;
    /* TSV */
    char *cols[MAX_COLS];     /* column languages (header) */
    uint64_t col_units[MAX_COLS];
    size_t ncols;
    const char *cell[MAX_COLS];
    size_t cell_len[MAX_COLS];
    size_t col, row_cols;
    uint64_t row_line;
    tok_corpus_stats st;
    char err[640];
};

static tok_status fail(tok_corpus *c, tok_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->done = true;
    return code;
}

TOK_API void tok_corpus_options_init(tok_corpus_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->size = sizeof *opt;
    opt->unit = TOK_UNIT_LINE;
    opt->max_unit = (size_t)256 << 20;
}

TOK_API void tok_corpus_lang_of(const char *path, char *buf, size_t cap)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strcspn(b, ".");
    if (cap == 0) return;
    if (n >= cap) n = cap - 1;
    memcpy(buf, b, n);
    buf[n] = 0;
}

/* ---- listing ------------------------------------------------------------ */

static int add_file(tok_corpus *c, size_t *cap, const char *p)
{
    if (c->nfiles == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **nf = realloc(c->files, nc * sizeof *nf);
        if (!nf) return -1;
        c->files = nf;
        *cap = nc;
    }
    if (!(c->files[c->nfiles] = strdup(p))) return -1;
    c->nfiles++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int list_dir(tok_corpus *c, size_t *cap, const char *dir, int depth, tok_error *err)
{
    if (depth > 32) {
        snprintf(err->message, sizeof err->message, "%s: directories nested too deep", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err->message, sizeof err->message, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, ncap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* hidden files, . and .. */
        if (n == ncap) {
            ncap = ncap ? ncap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) { rc = -1; break; }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) { rc = -1; break; }
        n++;
    }
    closedir(d);
    if (!rc) qsort(names, n, sizeof *names, cmp_str);
    char path[4096];
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat sb;
        if (stat(path, &sb)) continue;
        if (S_ISDIR(sb.st_mode)) rc = list_dir(c, cap, path, depth + 1, err);
        else if (S_ISREG(sb.st_mode) && add_file(c, cap, path)) rc = -1;
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (rc && !err->message[0]) snprintf(err->message, sizeof err->message, "out of memory listing %s", dir);
    return rc;
}

TOK_API tok_corpus *tok_corpus_open(const char *path, const tok_corpus_options *opt, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    err->code = TOK_OK;
    err->message[0] = 0;
    if (!path) {
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message, "no corpus path");
        return NULL;
    }
    tok_corpus *c = calloc(1, sizeof *c);
    if (!c) goto nomem;
    if (opt) {
        size_t n = opt->size && opt->size < sizeof c->o ? opt->size : sizeof c->o;
        tok_corpus_options_init(&c->o);
        memcpy(&c->o, opt, n);
        c->o.size = sizeof c->o;
    } else tok_corpus_options_init(&c->o);
    if (!c->o.max_unit) c->o.max_unit = (size_t)256 << 20;
    if (c->o.lang && !c->o.lang[0]) {
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message, "%s: empty language tag", path);
        tok_corpus_free(c);
        return NULL;
    }
    size_t cap = 0;
    if (!strcmp(path, "-")) {
        c->from_stdin = true;
        if (add_file(c, &cap, "-")) goto nomem;
    } else {
        struct stat sb;
        if (stat(path, &sb)) {
            err->code = TOK_ERR_IO;
            snprintf(err->message, sizeof err->message, "%s: %s", path, strerror(errno));
            tok_corpus_free(c);
            return NULL;
        }
        if (S_ISDIR(sb.st_mode)) {
            if (list_dir(c, &cap, path, 0, err)) {
                err->code = TOK_ERR_IO;
                tok_corpus_free(c);
                return NULL;
            }
            if (!c->nfiles) {
                err->code = TOK_ERR_FORMAT;
                snprintf(err->message, sizeof err->message, "%s: directory holds no files", path);
                tok_corpus_free(c);
                return NULL;
            }
        } else if (add_file(c, &cap, path)) goto nomem;
    }
    c->cap = LINE_INIT;
    if (!(c->buf = malloc(c->cap))) goto nomem;
    return c;
nomem:
    err->code = TOK_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory opening %s", path);
    tok_corpus_free(c);
    return NULL;
}

TOK_API void tok_corpus_free(tok_corpus *c)
{
    if (!c) return;
    src_close(c->s);
    for (size_t i = 0; i < c->nfiles; i++) free(c->files[i]);
    free(c->files);
    for (size_t i = 0; i < c->ncols; i++) free(c->cols[i]);
    if (c->jdoc) json_decref(c->jdoc);
    free(c->buf);
    free(c->unit);
    free(c);
}

TOK_API const char *tok_corpus_error(const tok_corpus *c) { return c ? c->err : ""; }
TOK_API const tok_corpus_stats *tok_corpus_get_stats(const tok_corpus *c) { return &c->st; }

TOK_API const char *tok_corpus_skips(const tok_corpus *c, char *buf, size_t cap)
{
    const tok_corpus_stats *s = &c->st;
    size_t n = 0;
    if (cap) buf[0] = 0;
    struct { uint64_t v; const char *what; } k[] = {
        { s->bad_utf8, "invalid UTF-8" },       { s->bad_json, "not JSON" },
        { s->missing_field, "no text field" },  { s->too_long, "longer than the unit limit" },
        { s->truncated, "truncated streams" },  { s->empty_inputs, "inputs without text" },
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        if (!k[i].v || n >= cap) continue;
        int w = snprintf(buf + n, cap - n, "%s%llu %s", n ? ", " : "skipped: ", (unsigned long long)k[i].v, k[i].what);
        if (w > 0) n += (size_t)w;
    }
    return buf;
}

/* ---- files -------------------------------------------------------------- */

static void close_src(tok_corpus *c)
{
    if (!c->s) return;
    c->st.input_bytes += src_consumed(c->s);
    src_close(c->s);
    c->s = NULL;
}

/* Open the next file; false at the end. */
static tok_status next_file(tok_corpus *c, bool *have)
{
    *have = false;
    close_src(c);
    if (c->fi >= c->nfiles) return TOK_OK;
    c->file = c->files[c->fi++];
    int fd = c->from_stdin ? dup(0) : open(c->file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(c, TOK_ERR_IO, "%s: %s", c->file, strerror(errno));
    if (!(c->s = src_open(fd))) {
        close(fd);
        return fail(c, TOK_ERR_NOMEM, "%s: out of memory", c->file);
    }
    c->st.files++;
    if (c->o.lang) snprintf(c->lang, sizeof c->lang, "%s", c->o.lang);
    else if (c->from_stdin) snprintf(c->lang, sizeof c->lang, "und");
    else tok_corpus_lang_of(c->file, c->lang, sizeof c->lang);
    if (!c->lang[0] && !c->o.tsv) return fail(c, TOK_ERR_FORMAT, "%s: empty language tag (name it <code>.txt)", c->file);
    c->start = c->end = 0;
    c->src_eof = false;
    c->lineno = 0;
    c->file_units = 0;
    c->header_done = false;
    c->ncols = 0;
    *have = true;
    return TOK_OK;
}


/* One raw line (without "\n" and a "\r" before it) into *p, *n.  *got false at
 * the end of the file.  Lines over max_unit: error, or skipped when lenient. */
static tok_status get_line(tok_corpus *c, const char **p, size_t *n, bool *got)
{
    *got = false;
    for (;;) {
        char *nl = c->end > c->start ? memchr(c->buf + c->start, '\n', c->end - c->start) : NULL;
        if (nl || (c->src_eof && c->end > c->start)) {
            size_t e = nl ? (size_t)(nl - c->buf) : c->end;
            *p = c->buf + c->start;
            *n = e - c->start;
            c->start = nl ? e + 1 : e;
            if (*n && (*p)[*n - 1] == '\r') (*n)--;
            c->lineno++;
            if (*n > c->o.max_unit) {
                if (!c->o.lenient)
                    return fail(c, TOK_ERR_LIMIT, "%s:%llu: line longer than %zu bytes", c->file,
                                (unsigned long long)c->lineno, c->o.max_unit);
                c->st.too_long++;
                continue;
            }
            *got = true;
            return TOK_OK;
        }
        if (c->src_eof) return TOK_OK;
        if (c->start > 0) {
            memmove(c->buf, c->buf + c->start, c->end - c->start);
            c->end -= c->start;
            c->start = 0;
        }
        if (c->end == c->cap) {
            if (c->cap > c->o.max_unit) {
                /* a line longer than any unit may be */
                if (!c->o.lenient)
                    return fail(c, TOK_ERR_LIMIT, "%s:%llu: line longer than %zu bytes", c->file,
                                (unsigned long long)c->lineno + 1, c->o.max_unit);
                c->st.too_long++;
                /* drop bytes up to the next newline */
                for (;;) {
                    char msg[256];
                    long r = src_read(c->s, c->buf, c->cap, msg, sizeof msg);
                    if (r < 0) return fail(c, TOK_ERR_FORMAT, "%s:%llu: %s", c->file, (unsigned long long)c->lineno + 1, msg);
                    if (r == 0) {
                        c->src_eof = true;
                        c->start = c->end = 0;
                        c->lineno++;
                        return TOK_OK;
                    }
                    char *q = memchr(c->buf, '\n', (size_t)r);
                    if (q) {
                        c->start = (size_t)(q - c->buf) + 1;
                        c->end = (size_t)r;
                        c->lineno++;
                        break;
                    }
                }
                continue;
            }
            size_t nc = c->cap * 2;
            if (nc > c->o.max_unit + 1) nc = c->o.max_unit + 1;
            if (nc <= c->cap) nc = c->cap + 1;
            char *nb = realloc(c->buf, nc);
            if (!nb) return fail(c, TOK_ERR_NOMEM, "%s:%llu: out of memory", c->file, (unsigned long long)c->lineno + 1);
            c->buf = nb;
            c->cap = nc;
        }
        char msg[256];
        long r = src_read(c->s, c->buf + c->end, c->cap - c->end, msg, sizeof msg);
        if (r < 0) {
            if (c->o.lenient) {
                c->st.truncated++;
                c->src_eof = true;
                continue;
            }
            return fail(c, TOK_ERR_FORMAT, "%s:%llu: %s", c->file, (unsigned long long)c->lineno + 1, msg);
        }
        if (r == 0) c->src_eof = true;
        c->end += (size_t)r;
    }
}

/* Valid UTF-8?  Strict: error naming line and byte column; lenient: count. */
static tok_status check_utf8(tok_corpus *c, const char *s, size_t n, uint64_t line, bool *ok)
{
    size_t v = tok_utf8_valid_prefix(s, n);
    *ok = v == n;
    if (*ok) return TOK_OK;
    /* the line and column of the bad byte within a multi-line unit */
    uint64_t l = line;
    size_t col0 = 0;
    for (size_t i = 0; i < v; i++)
        if (s[i] == '\n') {
            l++;
            col0 = i + 1;
        }
    if (!c->o.lenient)
        return fail(c, TOK_ERR_UTF8, "%s:%llu:%zu: invalid UTF-8 (byte 0x%02X)", c->file, (unsigned long long)l,
                    v - col0 + 1, (unsigned char)s[v]);
    c->st.bad_utf8++;
    return TOK_OK;
}

static tok_status unit_append(tok_corpus *c, const char *p, size_t n)
{
    if (c->ulen + n > c->o.max_unit) return TOK_ERR_LIMIT;
    if (c->ulen + n > c->ucap) {
        size_t nc = c->ucap ? c->ucap : LINE_INIT;
        while (nc < c->ulen + n) nc *= 2;
        if (nc > c->o.max_unit) nc = c->o.max_unit;
        char *nu = realloc(c->unit, nc);
        if (!nu) return TOK_ERR_NOMEM;
        c->unit = nu;
        c->ucap = nc;
    }
    if (n) memcpy(c->unit + c->ulen, p, n); /* no buffer before the first bytes */
    c->ulen += n;
    return TOK_OK;
}

/* End of a file: an input that gave no text is an empty language. */
static tok_status end_of_file(tok_corpus *c)
{
    if (c->o.tsv) {
        for (size_t i = 0; i < c->ncols; i++)
            if (!c->col_units[i]) {
                if (!c->o.lenient)
                    return fail(c, TOK_ERR_FORMAT, "%s: column %zu (%s) has no text: empty language", c->file, i + 1, c->cols[i]);
                c->st.empty_inputs++;
            }
        if (!c->header_done) {
            if (!c->o.lenient) return fail(c, TOK_ERR_FORMAT, "%s: empty TSV (no header line)", c->file);
            c->st.empty_inputs++;
        }
        return TOK_OK;
    }
    if (!c->file_units) {
        if (!c->o.lenient) return fail(c, TOK_ERR_FORMAT, "%s: no text: empty language '%s'", c->file, c->lang);
        c->st.empty_inputs++;
    }
    return TOK_OK;
}

static tok_status emit(tok_corpus *c, tok_text *out, const char *p, size_t n, uint64_t line, uint32_t col)
{
    out->text = p;
    out->len = n;
    out->lang = c->o.tsv ? c->cols[col] : c->lang;
    out->file = c->file;
    out->line = line;
    out->column = col;
    c->st.units++;
    c->st.bytes += n;
    c->file_units++;
    if (c->o.tsv) c->col_units[col]++;
    return TOK_OK;
}

static tok_status tsv_header(tok_corpus *c, const char *p, size_t n)
{
    bool ok;
    tok_status st = check_utf8(c, p, n, c->lineno, &ok);
    if (st) return st;
    if (!ok) return fail(c, TOK_ERR_UTF8, "%s:%llu: invalid UTF-8 in the TSV header", c->file, (unsigned long long)c->lineno);
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '\t') continue;
        if (c->ncols == MAX_COLS) return fail(c, TOK_ERR_LIMIT, "%s:%llu: more than %d columns", c->file, (unsigned long long)c->lineno, MAX_COLS);
        if (i == a) return fail(c, TOK_ERR_FORMAT, "%s:%llu: column %zu has an empty language name", c->file, (unsigned long long)c->lineno, c->ncols + 1);
        if (!(c->cols[c->ncols] = strndup(p + a, i - a))) return fail(c, TOK_ERR_NOMEM, "out of memory");
        c->col_units[c->ncols] = 0;
        c->ncols++;
        a = i + 1;
    }
    c->header_done = true;
    return TOK_OK;
}

TOK_API tok_status tok_corpus_next(tok_corpus *c, tok_text *out)
{
    memset(out, 0, sizeof *out);
    if (c->done) return c->err[0] ? TOK_ERR_ARG : TOK_OK;
    if (c->jdoc) {
        json_decref(c->jdoc);
        c->jdoc = NULL;
    }
    for (;;) {
        /* pending TSV cells of the current row */
        while (c->o.tsv && c->col < c->row_cols) {
            size_t k = c->col++;
            if (!c->cell_len[k] && !c->o.keep_empty) {
                c->st.empty++;
                continue;
            }
            return emit(c, out, c->cell[k], c->cell_len[k], c->row_line, (uint32_t)k);
        }
        if (!c->s) {
            bool have;
            tok_status st = next_file(c, &have);
            if (st) return st;
            if (!have) {
                c->done = true;
                return TOK_OK;
            }
        }
        tok_status st;
        const char *p;
        size_t n;
        bool got;
        if (c->o.unit == TOK_UNIT_FILE && !c->o.json_field && !c->o.tsv) {
            c->ulen = 0;
            st = TOK_OK;
            for (;;) {
                char msg[256];
                if (c->ucap - c->ulen < LINE_INIT) {
                    if (c->ucap > c->o.max_unit) {
                        if (!c->o.lenient)
                            return fail(c, TOK_ERR_LIMIT, "%s: file longer than %zu bytes (read it by lines)", c->file, c->o.max_unit);
                        c->st.too_long++;
                        c->ulen = 0;
                        while (src_read(c->s, c->unit, c->ucap, msg, sizeof msg) > 0) {}
                        break;
                    }
                    size_t nc = c->ucap ? c->ucap * 2 : 4 * LINE_INIT;
                    char *nu = realloc(c->unit, nc);
                    if (!nu) return fail(c, TOK_ERR_NOMEM, "%s: out of memory", c->file);
                    c->unit = nu;
                    c->ucap = nc;
                }
                long r = src_read(c->s, c->unit + c->ulen, c->ucap - c->ulen, msg, sizeof msg);
                if (r < 0) {
                    if (!c->o.lenient) return fail(c, TOK_ERR_FORMAT, "%s: %s", c->file, msg);
                    c->st.truncated++;
                    break;
                }
                if (r == 0) break;
                c->ulen += (size_t)r;
            }
            if (st) return st;
            bool ok = true;
            if (c->ulen && (st = check_utf8(c, c->unit, c->ulen, 1, &ok))) return st;
            if (c->ulen && ok) {
                emit(c, out, c->unit, c->ulen, 1, 0);
                close_src(c);
                return TOK_OK;
            }
            if ((st = end_of_file(c))) return st;
            close_src(c);
            continue;
        }
        if (c->o.unit == TOK_UNIT_PARAGRAPH && !c->o.json_field && !c->o.tsv) {
            c->ulen = 0;
            uint64_t first = 0;
            while ((st = get_line(c, &p, &n, &got)) == TOK_OK && got) {
                bool blank = true;
                for (size_t i = 0; i < n && blank; i++) blank = p[i] == ' ' || p[i] == '\t';
                if (blank) {
                    if (c->ulen) break;
                    continue;
                }
                if (!c->ulen) first = c->lineno;
                tok_status a = c->ulen ? unit_append(c, "\n", 1) : TOK_OK;
                if (!a) a = unit_append(c, p, n);
                if (a == TOK_ERR_LIMIT) {
                    if (!c->o.lenient)
                        return fail(c, TOK_ERR_LIMIT, "%s:%llu: paragraph longer than %zu bytes", c->file, (unsigned long long)first, c->o.max_unit);
                    c->st.too_long++;
                    c->ulen = 0;
                    continue;
                }
                if (a) return fail(c, a, "%s: out of memory", c->file);
            }
            if (st) return st;
            if (c->ulen) {
                bool ok;
                if ((st = check_utf8(c, c->unit, c->ulen, first, &ok))) return st;
                if (ok) return emit(c, out, c->unit, c->ulen, first, 0);
                continue;
            }
            if ((st = end_of_file(c))) return st;
            close_src(c);
            continue;
        }
        /* line-based: plain lines, JSONL records, TSV rows */
        if ((st = get_line(c, &p, &n, &got))) return st;
        if (!got) {
            if ((st = end_of_file(c))) return st;
            close_src(c);
            continue;
        }
        if (c->o.tsv && !c->header_done) {
            if ((st = tsv_header(c, p, n))) return st;
            continue;
        }
        if (!n && !c->o.keep_empty) {
            c->st.empty++;
            continue;
        }
        bool ok;
        if ((st = check_utf8(c, p, n, c->lineno, &ok))) return st;
        if (!ok) continue;
        if (c->o.tsv) {
            size_t k = 0, a = 0;
            for (size_t i = 0; i <= n && k <= c->ncols; i++) {
                if (i < n && p[i] != '\t') continue;
                if (k < c->ncols) {
                    c->cell[k] = p + a;
                    c->cell_len[k] = i - a;
                }
                k++;
                a = i + 1;
            }
            if (k != c->ncols) {
                if (!c->o.lenient)
                    return fail(c, TOK_ERR_FORMAT, "%s:%llu: %zu columns, the header has %zu", c->file,
                                (unsigned long long)c->lineno, k, c->ncols);
                c->st.missing_field++;
                continue;
            }
            c->row_cols = k;
            c->col = 0;
            c->row_line = c->lineno;
            continue;
        }
        if (c->o.json_field) {
            json_error_t je;
            json_t *doc = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
            if (!doc) {
                if (!c->o.lenient)
                    return fail(c, TOK_ERR_FORMAT, "%s:%llu:%d: not JSON: %s", c->file, (unsigned long long)c->lineno,
                                je.column, je.text);
                c->st.bad_json++;
                continue;
            }
            json_t *v = json_is_object(doc) ? json_object_get(doc, c->o.json_field) : NULL;
            if (!v || !json_is_string(v)) {
                json_decref(doc);
                if (!c->o.lenient)
                    return fail(c, TOK_ERR_FORMAT, "%s:%llu: no string member \"%s\"%s", c->file,
                                (unsigned long long)c->lineno, c->o.json_field, v ? " (wrong type)" : "");
                c->st.missing_field++;
                continue;
            }
            c->jdoc = doc;
            size_t L = json_string_length(v);
            if (!L && !c->o.keep_empty) {
                c->st.empty++;
                json_decref(doc);
                c->jdoc = NULL;
                continue;
            }
            return emit(c, out, json_string_value(v), L, c->lineno, 0);
        }
        return emit(c, out, p, n, c->lineno, 0);
    }
}

