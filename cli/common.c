/* Output buffering, input reading and tokenizer options shared by all commands. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void out_init(outbuf *o, FILE *f)
{
    o->f = f;
    o->cap = 1 << 16;
    o->p = malloc(o->cap);
    o->n = 0;
    if (!o->p) {
        fprintf(stderr, "tok: out of memory\n");
        exit(EXIT_RUNTIME);
    }
}

static void out_drain(outbuf *o)
{
    if (o->n && fwrite(o->p, 1, o->n, o->f) != o->n) {
        fprintf(stderr, "tok: write error: %s\n", strerror(errno));
        exit(EXIT_RUNTIME);
    }
    o->n = 0;
}

void out_put(outbuf *o, const void *s, size_t n)
{
    if (o->n + n > o->cap) out_drain(o);
    if (n > o->cap) {
        if (fwrite(s, 1, n, o->f) != n) {
            fprintf(stderr, "tok: write error: %s\n", strerror(errno));
            exit(EXIT_RUNTIME);
        }
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

void out_str(outbuf *o, const char *s) { out_put(o, s, strlen(s)); }

void out_char(outbuf *o, char c)
{
    if (o->n == o->cap) out_drain(o);
    o->p[o->n++] = c;
}

void out_int(outbuf *o, long long v)
{
    char b[24];
    int k = 24;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        b[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) b[--k] = '-';
    out_put(o, b + k, (size_t)(24 - k));
}

void out_json_string(outbuf *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    out_char(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out_char(o, '\\');
            out_char(o, (char)c);
        } else if (c == '\n') {
            out_str(o, "\\n");
        } else if (c == '\r') {
            out_str(o, "\\r");
        } else if (c == '\t') {
            out_str(o, "\\t");
        } else if (c < 0x20 || c == 0x7F) {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            out_put(o, u, 6);
        } else {
            out_char(o, (char)c);
        }
    }
    out_char(o, '"');
}

void out_flush_keep(outbuf *o)
{
    out_drain(o);
    fflush(o->f);
}

void out_escaped(outbuf *o, const char *s, size_t n, bool space)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') out_str(o, "\\\\");
        else if (c == ' ' && space) out_str(o, "\\s");
        else if (c == '\n') out_str(o, "\\n");
        else if (c == '\t') out_str(o, "\\t");
        else if (c == '\r') out_str(o, "\\r");
        else if (c < 0x20 || c == 0x7F) {
            char u[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
            out_put(o, u, 4);
        } else out_char(o, (char)c);
    }
    if (n == 0 && space) out_str(o, "\\0"); /* an empty token still shows on a token line */
}

int out_flush(outbuf *o)
{
    out_drain(o);
    free(o->p);
    o->p = NULL;
    return fflush(o->f) ? -1 : 0;
}

char *read_all(const char *path, size_t *len)
{
    FILE *f = (!path || !strcmp(path, "-")) ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tok: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) break;
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n < cap) break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    int bad = ferror(f);
    if (f != stdin) fclose(f);
    if (!buf) {
        fprintf(stderr, "tok: %s: out of memory\n", path ? path : "stdin");
        return NULL;
    }
    if (bad) {
        fprintf(stderr, "tok: %s: read error\n", path ? path : "stdin");
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

void tok_open_init(tok_open *o)
{
    memset(o, 0, sizeof *o);
    o->lowercase = -1;
}

const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t k = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, k) != 0) return NULL;
    if (a[k] == '=') return a + k + 1;
    if (a[k] != 0) return NULL;
    if (*i + 1 >= argc) return NULL;
    return argv[++*i];
}

void usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tok %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'tok %s --help'.\n", cmd);
}

int tok_open_arg(tok_open *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    if (!strcmp(a, "-t") || !strcmp(a, "--tokenizer")) {
        if (*i + 1 >= argc) return -1;
        o->name = argv[++*i];
        return 1;
    }
    if (!strncmp(a, "--tokenizer=", 12)) { o->name = a + 12; return 1; }
    if (a[0] == '-' && a[1] == 't' && a[2]) { o->name = a + 2; return 1; } /* -tNAME */
    if ((v = opt_value(argc, argv, i, "--pattern"))) { o->pattern = v; return 1; }
    if ((v = opt_value(argc, argv, i, "--merges"))) { o->merges = v; return 1; }
    if ((v = opt_value(argc, argv, i, "--ties"))) {
        if (!strcmp(v, "hf")) o->ties = TOK_TIES_HF;
        else if (!strcmp(v, "spm")) o->ties = TOK_TIES_SPM;
        else return -1;
        return 1;
    }
    if (!strcmp(a, "--lowercase")) { o->lowercase = 1; return 1; }
    if (!strcmp(a, "--regex-only")) { o->regex_only = true; return 1; }
    if (!strcmp(a, "--cased")) { o->lowercase = 0; return 1; }
    if (!strcmp(a, "--pattern") || !strcmp(a, "--merges") || !strcmp(a, "--ties")) return -1;
    return 0;
}

tok_tokenizer *tok_open_load(const tok_open *o)
{
    if (!o->name) {
        /* a usage error: exit 2 as documented, whichever command asked */
        fprintf(stderr, "tok: no tokenizer: give -t FILE, DIRECTORY or a built-in name (tok list)\n");
        exit(EXIT_USAGE);
    }
    char path[4096];
    if (tok_resolve(o->name, path, sizeof path) != TOK_OK) {
        fprintf(stderr, "tok: %s: no such file, directory or built-in tokenizer "
                        "(built-in names need 'make fetch' or $TOK_DATA_PATH)\n", o->name);
        return NULL;
    }
    tok_load_options lo;
    tok_load_options_init(&lo);
    lo.tiktoken_pattern = o->pattern;
    lo.merges_path = o->merges;
    lo.bert_lowercase = o->lowercase;
    lo.unigram_ties = (tok_unigram_ties)o->ties;
    lo.regex_only = o->regex_only;
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load(path, &lo, &err);
    if (!t) fprintf(stderr, "tok: %s\n", err.message[0] ? err.message : tok_strerror(err.code));
    for (size_t i = 0; t && i < tok_warning_count(t); i++) fprintf(stderr, "tok: warning: %s\n", tok_warning(t, i));
    return t;
}

/* A file read in chunks as they become available (read(2): a pipe or a
 * terminal hands over what it has, so lines are answered as they arrive). */
int reader_open(reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->name = strcmp(path, "-") ? path : "stdin";
    r->fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
    if (r->fd < 0) {
        fprintf(stderr, "tok: %s: %s\n", path, strerror(errno));
        return -1;
    }
    r->cap = 1 << 16;
    if (!(r->buf = malloc(r->cap))) return -1;
    return 0;
}

void reader_close(reader *r)
{
    if (r->fd > 0) close(r->fd);
    free(r->buf);
}

/* Read more: keep the unconsumed tail, grow only for a line longer than the buffer. */
int reader_fill(reader *r)
{
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        char *nb = realloc(r->buf, r->cap * 2);
        if (!nb) {
            fprintf(stderr, "tok: %s: out of memory for a line of %zu bytes\n", r->name, r->len);
            r->err = 1;
            return -1;
        }
        r->buf = nb;
        r->cap *= 2;
    }
    ssize_t k;
    do k = read(r->fd, r->buf + r->len, r->cap - r->len);
    while (k < 0 && errno == EINTR);
    if (k < 0) {
        fprintf(stderr, "tok: %s: read error: %s\n", r->name, strerror(errno));
        r->err = 1;
        return -1;
    }
    if (k == 0) r->eof = 1;
    r->len += (size_t)k;
    return 0;
}

