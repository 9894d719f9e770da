/* Sets of valid words for %valid: plain word lists (/usr/share/dict, jieba's
 * dict.txt: the first field of each line), hunspell dictionaries expanded to
 * their word forms, or a directory holding several of them. */
#include "lang_impl.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Forms expanded from one hunspell dictionary when no cap is given: Italian's
 * clitic suffixes give 36.6 million; past this the rest of it is left out
 * (said in the sources line) to keep memory near 0.5 GB. */
#define WS_MAX_FORMS 8000000u

struct tok_wordset {
    strmap words;   /* ASCII-lowercased */
    uint64_t max;   /* most words kept (0: no limit) */
    bool truncated;
    uint64_t read; /* words read from the current file */
    char sources[1024];
};

TOK_API void tok_wordset_free(tok_wordset *w)
{
    if (!w) return;
    if (w->words.e) strmap_free(&w->words);
    free(w);
}

TOK_API size_t tok_wordset_size(const tok_wordset *w) { return w->words.n; }
TOK_API const char *tok_wordset_sources(const tok_wordset *w) { return w->sources; }
TOK_API bool tok_wordset_truncated(const tok_wordset *w) { return w->truncated; }

/* ASCII-lowercased key, as tokens are looked up. */
static int put(tok_wordset *w, const char *s, size_t n)
{
    char b[1024];
    if (!n || n > sizeof b) return 0;
    w->read++;
    if (w->max && w->words.n >= w->max) {
        w->truncated = true;
        return 0;
    }
    for (size_t i = 0; i < n; i++) b[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    int ins;
    return strmap_slot(&w->words, b, n, &ins) ? 0 : -1;
}

TOK_API bool tok_wordset_has(const tok_wordset *w, const char *s, size_t n)
{
    char b[1024];
    if (!n || n > sizeof b) return false;
    for (size_t i = 0; i < n; i++) b[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    return strmap_find(&w->words, b, n) != NULL;
}

/* "file (N words|hunspell forms, M new)" */
static void note(tok_wordset *w, const char *path, const char *what, uint64_t added)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t l = strlen(w->sources);
    if (l + 2 < sizeof w->sources)
        snprintf(w->sources + l, sizeof w->sources - l, "%s%s (%llu %s, %llu new)", l ? ", " : "", base,
                 (unsigned long long)w->read, what, (unsigned long long)added);
}

static int hs_put(void *user, const char *form, size_t len, const uint32_t *b, size_t nb)
{
    (void)b; (void)nb;
    return put(user, form, len) ? -1 : 0;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}

static bool readable(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (f) fclose(f);
    return f != NULL;
}

static tok_status load_one(tok_wordset *w, const char *path, tok_error *err)
{
    size_t before = w->words.n;
    w->read = 0;
    char aff[4096];
    bool dic = ends_with(path, ".dic");
    if (dic && strlen(path) < sizeof aff) {
        snprintf(aff, sizeof aff, "%.*s.aff", (int)(strlen(path) - 4), path);
        if (readable(aff)) {
            tok_hunspell *h = tok_hunspell_load(path, aff, err);
            if (!h) return err ? err->code : TOK_ERR_FORMAT;
            uint64_t nf = 0;
            tok_status st = tok_hunspell_expand(h, w->max ? w->max * 4 : WS_MAX_FORMS, hs_put, w, &nf);
            tok_hunspell_free(h);
            bool cut = st == TOK_ERR_LIMIT;
            if (cut) w->truncated = true;
            else if (st) {
                if (err) {
                    err->code = TOK_ERR_NOMEM;
                    snprintf(err->message, sizeof err->message, "%s: out of memory", path);
                }
                return TOK_ERR_NOMEM;
            }
            note(w, path, cut ? "hunspell forms, cut short" : "hunspell forms", w->words.n - before);
            return TOK_OK;
        }
    }
    tok_corpus_options co;
    tok_corpus_options_init(&co);
    co.lang = "words";
    co.lenient = true; /* lists in legacy encodings: bad lines skipped */
    tok_corpus *c = tok_corpus_open(path, &co, err);
    if (!c) return err ? err->code : TOK_ERR_IO;
    tok_text tx;
    tok_status st;
    bool first = true;
    while ((st = tok_corpus_next(c, &tx)) == TOK_OK && tx.text) {
        if (first && dic && tx.line == 1) { /* the .dic word count */
            first = false;
            continue;
        }
        first = false;
        size_t n = 0; /* word, word/FLAGS (.dic) or "word freq tag" (jieba) */
        while (n < tx.len && tx.text[n] != '/' && tx.text[n] != '\t' && tx.text[n] != ' ') n++;
        if (put(w, tx.text, n)) {
            st = TOK_ERR_NOMEM;
            break;
        }
    }
    if (st && err) {
        err->code = st;
        snprintf(err->message, sizeof err->message, "%s", st == TOK_ERR_NOMEM ? "out of memory" : tok_corpus_error(c));
    }
    tok_corpus_free(c);
    if (!st) note(w, path, "words", w->words.n - before);
    return st;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

TOK_API tok_wordset *tok_wordset_load(const char *path, uint64_t max_words, tok_error *err)
{
    tok_wordset *w = calloc(1, sizeof *w);
    if (!w || strmap_init(&w->words)) {
        if (err) {
            err->code = TOK_ERR_NOMEM;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        tok_wordset_free(w);
        return NULL;
    }
    w->max = max_words;
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        /* every *.txt and *.dic (with its .aff) in name order */
        DIR *d = opendir(path);
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        tok_status st = d ? TOK_OK : TOK_ERR_IO;
        while (d && (de = readdir(d))) {
            if (!ends_with(de->d_name, ".txt") && !ends_with(de->d_name, ".dic")) continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                char **nn = realloc(names, cap * sizeof *nn);
                if (!nn) { st = TOK_ERR_NOMEM; break; }
                names = nn;
            }
            if (!(names[n] = strdup(de->d_name))) { st = TOK_ERR_NOMEM; break; }
            n++;
        }
        if (d) closedir(d);
        if (st == TOK_OK && !n) st = TOK_ERR_IO;
        if (st && err) {
            err->code = st;
            snprintf(err->message, sizeof err->message, "%s: %s", path,
                     st == TOK_ERR_NOMEM ? "out of memory" : "no word lists (*.txt, *.dic) in this directory");
        }
        qsort(names, n, sizeof *names, cmp_str);
        for (size_t i = 0; i < n && !st; i++) {
            char full[4096];
            snprintf(full, sizeof full, "%s/%s", path, names[i]);
            st = load_one(w, full, err);
        }
        for (size_t i = 0; i < n; i++) free(names[i]);
        free(names);
        if (st) {
            tok_wordset_free(w);
            return NULL;
        }
        return w;
    }
    if (load_one(w, path, err)) {
        tok_wordset_free(w);
        return NULL;
    }
    return w;
}
