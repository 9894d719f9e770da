/* tok vocab: vocabulary surgery (vocab/tok_vocab_edit.h). */
#include "cli.h"

#include <corpora/tok_corpora.h>
#include <vocab/tok_vocab_edit.h>

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char vocab_help[] =
    "Usage: tok vocab remove -t T (--ids LIST | --ids-file FILE | --glitch FILE) [--keep-holes] [--force] -o OUT\n"
    "       tok vocab add -t T [--special] TOKEN... -o OUT\n"
    "       tok vocab extend -t T --new N [--keep TEXT] [--min-frequency N] [--threads N] -o OUT CORPUS...\n"
    "       tok vocab shrink -t T [--keep-holes] -o OUT CORPUS...\n"
    "\n"
    "Edit a tokenizer's vocabulary and write it as a tokenizer.json (OUT).\n"
    "  remove   drop tokens (ids as a comma list, a file of ids, or the JSON of\n"
    "           'tok analyze glitch': {\"tokens\":[{\"id\":N,...}]}); BPE merges that\n"
    "           make or use them go too.  Ids are renumbered densely unless\n"
    "           --keep-holes.  The unknown token and base byte tokens need --force.\n"
    "  add      add tokens as HF add_tokens (--special: add_special_tokens)\n"
    "  extend   learn N more BPE merges on CORPUS behind T's own pipeline, after\n"
    "           all existing ones: old ids and merges unchanged; --keep TEXT: no\n"
    "           merge may apply to TEXT, which encodes exactly as before\n"
    "  shrink   keep what CORPUS uses (plus what that needs: merge parts,\n"
    "           characters, bytes, specials); renumbered unless --keep-holes\n"
    "\n"
    "  --id-map FILE   write OLD<TAB>NEW for every original id (NEW -1: removed)\n";

/* Ids from "1,2 3" text; errors name file:line. */
static int parse_ids(const char *s, size_t len, const char *name, int32_t **ids, size_t *n, size_t *cap)
{
    size_t line = 1, i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '\n') { line++; i++; continue; }
        if (c == ',' || c == ' ' || c == '\t' || c == '\r') { i++; continue; }
        if (c == '#') { while (i < len && s[i] != '\n') i++; continue; }
        char *end;
        errno = 0;
        long v = strtol(s + i, &end, 10);
        if (end == s + i || errno || v < 0 || v > INT32_MAX || (end < s + len && !strchr(",# \t\r\n", *end))) {
            fprintf(stderr, "tok vocab: %s:%zu: not a token id: '%.*s'\n", name, line, (int)strcspn(s + i, ", \t\r\n"), s + i);
            return -1;
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            int32_t *nv = realloc(*ids, *cap * sizeof *nv);
            if (!nv) return -1;
            *ids = nv;
        }
        (*ids)[(*n)++] = (int32_t)v;
        i = (size_t)(end - s);
    }
    return 0;
}

static int parse_glitch(const char *path, int32_t **ids, size_t *n, size_t *cap)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) { fprintf(stderr, "tok vocab: %s:%d:%d: %s\n", path, je.line, je.column, je.text); return -1; }
    json_t *toks = json_object_get(j, "tokens"), *x;
    if (!json_is_array(toks)) { fprintf(stderr, "tok vocab: %s: $.tokens: want an array\n", path); json_decref(j); return -1; }
    size_t i;
    json_array_foreach(toks, i, x) {
        json_t *id = json_object_get(x, "id");
        if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) > INT32_MAX) {
            fprintf(stderr, "tok vocab: %s: $.tokens[%zu].id: want a token id\n", path, i);
            json_decref(j);
            return -1;
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            int32_t *nv = realloc(*ids, *cap * sizeof *nv);
            if (!nv) { json_decref(j); return -1; }
            *ids = nv;
        }
        (*ids)[(*n)++] = (int32_t)json_integer_value(id);
    }
    json_decref(j);
    return 0;
}

/* Whole corpus text (all inputs, lines with their '\n') for shrink. */
static char *read_corpora(char **inputs, size_t n, size_t *len)
{
    size_t cap = 1 << 20, have = 0;
    char *buf = malloc(cap);
    for (size_t i = 0; i < n && buf; i++) {
        tok_corpus_options co;
        tok_corpus_options_init(&co);
        co.keep_empty = true;
        tok_error err = { 0 };
        tok_corpus *c = tok_corpus_open(inputs[i], &co, &err);
        if (!c) { fprintf(stderr, "tok vocab: %s\n", err.message); free(buf); return NULL; }
        for (;;) {
            tok_text u;
            if (tok_corpus_next(c, &u)) { fprintf(stderr, "tok vocab: %s\n", tok_corpus_error(c)); free(buf); buf = NULL; break; }
            if (!u.text) break;
            if (have + u.len + 1 > cap) {
                while (have + u.len + 1 > cap) cap *= 2;
                char *nb = realloc(buf, cap);
                if (!nb) { free(buf); buf = NULL; break; }
                buf = nb;
            }
            memcpy(buf + have, u.text, u.len);
            have += u.len;
            buf[have++] = '\n';
        }
        tok_corpus_free(c);
    }
    *len = have;
    return buf;
}

static int write_map(const tok_edit *e, const char *path)
{
    size_t n;
    const int32_t *m = tok_edit_id_map(e, &n);
    FILE *f = fopen(path, "w");
    if (!f) { fprintf(stderr, "tok vocab: %s: %s\n", path, strerror(errno)); return -1; }
    for (size_t i = 0; i < n; i++) fprintf(f, "%zu\t%d\n", i, (int)m[i]);
    if (fclose(f)) { fprintf(stderr, "tok vocab: %s: write error\n", path); return -1; }
    return 0;
}

int cmd_vocab(int argc, char **argv)
{
    /* tok vocab -t T ... lists the vocabulary (vocab_dump.c); the edits are
     * subcommands */
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        int rc = vocab_dump(argc, argv);
        fputs("\n", stdout);
        fputs(vocab_help, stdout);
        return rc;
    }
    const char *op = argc >= 2 ? argv[1] : "";
    if (strcmp(op, "remove") && strcmp(op, "add") && strcmp(op, "extend") && strcmp(op, "shrink"))
        return vocab_dump(argc, argv);
    const char *keep_file = NULL;
    const char *tname = NULL, *out = NULL, *idmap = NULL, *ids_list = NULL, *ids_file = NULL, *glitch = NULL;
    unsigned long long nnew = 0, minf = 0, threads = 1;
    int keep_holes = 0, force = 0, special = 0;
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t npos = 0;
    int rc = EXIT_USAGE;
    tok_edit *e = NULL;
    int32_t *ids = NULL;
    size_t nids = 0, capids = 0;
    char *text = NULL;
    if (!pos) return EXIT_RUNTIME;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-t")) { if (i + 1 >= argc) { usage_error("vocab", "-t needs a tokenizer"); goto done; } tname = argv[++i]; }
        else if (!strcmp(a, "-o")) { if (i + 1 >= argc) { usage_error("vocab", "-o needs a file"); goto done; } out = argv[++i]; }
        else if ((v = opt_value(argc, argv, &i, "--tokenizer"))) tname = v;
        else if ((v = opt_value(argc, argv, &i, "--output"))) out = v;
        else if ((v = opt_value(argc, argv, &i, "--id-map"))) idmap = v;
        else if ((v = opt_value(argc, argv, &i, "--ids"))) ids_list = v;
        else if ((v = opt_value(argc, argv, &i, "--ids-file"))) ids_file = v;
        else if ((v = opt_value(argc, argv, &i, "--glitch"))) glitch = v;
        else if ((v = opt_value(argc, argv, &i, "--keep"))) keep_file = v;
        else if ((v = opt_value(argc, argv, &i, "--new"))) {
            char *end; errno = 0; nnew = strtoull(v, &end, 10);
            if (errno || *end || !nnew || *v == '-') { usage_error("vocab", "--new: want a positive number, not '%s'", v); goto done; }
        } else if ((v = opt_value(argc, argv, &i, "--min-frequency"))) {
            char *end; errno = 0; minf = strtoull(v, &end, 10);
            if (errno || *end || *v == '-') { usage_error("vocab", "--min-frequency: want a number, not '%s'", v); goto done; }
        } else if ((v = opt_value(argc, argv, &i, "--threads"))) {
            char *end; errno = 0; threads = strtoull(v, &end, 10);
            if (errno || *end || !threads || threads > 64) { usage_error("vocab", "--threads: want 1..64, not '%s'", v); goto done; }
        } else if (!strcmp(a, "--keep-holes")) keep_holes = 1;
        else if (!strcmp(a, "--force")) force = 1;
        else if (!strcmp(a, "--special")) special = 1;
        else if (a[0] == '-' && a[1] && strcmp(op, "add")) { usage_error("vocab", "unknown option %s", a); goto done; }
        else pos[npos++] = (char *)a;
    }
    if (!tname) { usage_error("vocab", "no tokenizer (-t)"); goto done; }
    if (!out) { usage_error("vocab", "no output file (-o)"); goto done; }
    if (!strcmp(op, "remove") && !!ids_list + !!ids_file + !!glitch != 1) {
        usage_error("vocab", "remove takes one of --ids, --ids-file, --glitch");
        goto done;
    }
    if (!strcmp(op, "extend") && !nnew) { usage_error("vocab", "extend needs --new N"); goto done; }
    if ((!strcmp(op, "extend") || !strcmp(op, "shrink") || !strcmp(op, "add")) && !npos) {
        usage_error("vocab", "%s needs %s", op, strcmp(op, "add") ? "a corpus" : "tokens to add");
        goto done;
    }
    if (!strcmp(op, "remove")) {
        if (ids_list && parse_ids(ids_list, strlen(ids_list), "--ids", &ids, &nids, &capids)) goto done;
        if (ids_file) {
            size_t len;
            char *s = read_all(ids_file, &len);
            if (!s) { rc = EXIT_RUNTIME; goto done; }
            int bad = parse_ids(s, len, ids_file, &ids, &nids, &capids);
            free(s);
            if (bad) { rc = EXIT_RUNTIME; goto done; }
        }
        if (glitch && parse_glitch(glitch, &ids, &nids, &capids)) { rc = EXIT_RUNTIME; goto done; }
    }
    rc = EXIT_RUNTIME;
    tok_error err = { 0 };
    e = tok_edit_open(tname, &err);
    if (!e) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
    size_t before = tok_edit_size(e);
    if (!strcmp(op, "remove")) {
        if (tok_edit_remove(e, ids, nids, force ? TOK_EDIT_FORCE : 0, &err)) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
        if (!keep_holes && tok_edit_compact(e, &err)) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
        fprintf(stderr, "tok vocab: removed %zu ids; %zu -> %zu ids\n", nids, before, tok_edit_size(e));
    } else if (!strcmp(op, "add")) {
        for (size_t i = 0; i < npos; i++) {
            int32_t id;
            if (tok_edit_add(e, pos[i], strlen(pos[i]), special, &id, &err)) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
            printf("%s\t%d\n", pos[i], (int)id);
        }
    } else if (!strcmp(op, "extend")) {
        tok_template *tp = tok_template_like(tname, &err);
        if (!tp) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
        tok_template_model_space(tp);
        tok_counts *c = tok_counts_new(0);
        size_t len;
        text = c ? read_corpora(pos, npos, &len) : NULL;
        if (!text || tok_counts_add_text(c, tp, text, len, (int)threads, pos[0], &err)) {
            if (text) fprintf(stderr, "tok vocab: %s\n", err.message);
            tok_counts_free(c);
            tok_template_free(tp);
            goto done;
        }
        size_t added = 0;
        char *keep = NULL;
        size_t keep_len = 0;
        if (keep_file && !(keep = read_corpora((char **)&keep_file, 1, &keep_len))) {
            tok_counts_free(c);
            tok_template_free(tp);
            goto done;
        }
        tok_status st = tok_edit_extend(e, c, nnew, minf, keep, keep_len, &added, &err);
        free(keep);
        tok_counts_free(c);
        tok_template_free(tp);
        if (st) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
        fprintf(stderr, "tok vocab: %zu new tokens and merges; %zu -> %zu ids\n", added, before, tok_edit_size(e));
    } else {
        size_t len, removed = 0;
        text = read_corpora(pos, npos, &len);
        if (!text) goto done;
        if (tok_edit_shrink(e, text, len, &removed, &err)) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
        if (!keep_holes && tok_edit_compact(e, &err)) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
        fprintf(stderr, "tok vocab: kept what the corpus uses; %zu -> %zu ids\n", before, tok_edit_size(e));
    }
    /* the result must load */
    tok_tokenizer *t = tok_edit_build(e, &err);
    if (!t) { fprintf(stderr, "tok vocab: the edited tokenizer does not load: %s\n", err.message); goto done; }
    tok_free(t);
    if (tok_edit_save(e, out, &err)) { fprintf(stderr, "tok vocab: %s\n", err.message); goto done; }
    if (idmap && write_map(e, idmap)) goto done;
    rc = EXIT_OK;
done:
    tok_edit_free(e);
    free(pos);
    free(ids);
    free(text);
    return rc;
}
