/* Loading: find the file, tell its format, turn it into a tokenizer.json tree, build. */
#include "../core/json.h"
#include "../core/rawjson.h"

#include <errno.h>
#include <stdio.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void tok_load_options_init(tok_load_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->size = sizeof *opt;
    opt->bert_lowercase = -1;
}

/* The caller's options (NULL: defaults) copied into *def up to their size
 * (the ABI policy in tok.h); NULL with *err filled if not initialised. */
static const tok_load_options *load_options(const tok_load_options *opt, tok_load_options *def, tok_error *err)
{
    tok_load_options_init(def);
    if (!opt) return def;
    if (opt->size < offsetof(tok_load_options, format) + sizeof opt->format) {
        tok__fail(err, TOK_ERR_ARG, "load options not initialised (size 0): call tok_load_options_init");
        return NULL;
    }
    memcpy(def, opt, opt->size < sizeof *def ? opt->size : sizeof *def);
    def->size = sizeof *def;
    return def;
}

static int read_file(const char *path, uint8_t **data, size_t *len, tok_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return tok__fail(err, TOK_ERR_IO, "%s: %s", path, strerror(errno));
    tok_sbuf b = { 0 };
    /* a regular file is read straight into a buffer of its size (one more
     * byte shows that it ends there): growing by doubling from 64 KiB
     * copied it at every step and touched three times its pages */
    struct stat st;
    size_t want = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
                  (uint64_t)st.st_size < SIZE_MAX / 2 ? (size_t)st.st_size + 2 : (size_t)1 << 16;
    for (;;) {
        /* room for more and the NUL (doubling when a file outgrows its size) */
        if (b.n + 1 >= b.cap && tok_vec_reserve(&b, b.n + (b.n > want ? b.n : want))) {
            fclose(f);
            tok_vec_free(&b);
            return tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", path);
        }
        size_t k = fread(b.v + b.n, 1, b.cap - b.n - 1, f);
        b.n += k;
        if (k == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        tok_vec_free(&b);
        return tok__fail(err, TOK_ERR_IO, "%s: read error", path);
    }
    b.v[b.n] = 0;
    *data = (uint8_t *)b.v;
    *len = b.n;
    return TOK_OK;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}


static tok_tokenizer *build_tree(json_t *root, const char *name, const tok_load_options *opt, tok_error *err)
{
    if (!root) return NULL;
    tok_tokenizer *t = tok__from_hfjson(root, name, opt, err);
    json_decref(root);
    return t;
}

/* .tiktoken: the 100k-200k ranks go to the model as records, not as JSON */
static tok_tokenizer *load_tiktoken(const uint8_t *data, size_t len, const char *name, const char *fname,
                                    const tok_load_options *opt, tok_error *err)
{
    tok_sbuf rec = { 0 };
    size_t nrec = 0;
    json_t *root = tok_tiktoken_to_json(data, len, name, opt, &rec, &nrec, err);
    tok_tokenizer *t = NULL;
    if (root) {
        tok_jctx jc = { .file = fname };
        jc.pack_vocab = (const uint8_t *)rec.v;
        jc.pack_vocab_len = rec.n;
        jc.pack_nvocab = nrec;
        jc.pack_vocab_made = true; /* byte-level text of decoded bytes */
        t = tok__from_hfjson_raw(root, &jc, opt, err);
        json_decref(root);
    }
    tok_vec_free(&rec);
    return t;
}

/* tokenizer.json: the big BPE members are read straight from the text; the
 * rest (small) through jansson, with the big members' contents cut out (an
 * error jansson finds after them is placed in the original text). */
static tok_tokenizer *load_hfjson(const char *data, size_t len, const char *fname,
                                  const tok_load_options *opt, tok_error *err)
{
    json_error_t je;
    tok_span_text v, m;
    tok_jctx raw = { .file = fname };
    char *patched = NULL;
    const char *doc = data;
    size_t doclen = len;
    tok_span_text sp[2] = { { 0, 0 }, { 0, 0 } };
    /* JSON text is UTF-8 (HF reads the file into a Rust String and refuses
     * it otherwise); jansson checks what it parses, but the vocabulary and
     * merges are read from the text directly: check it all here */
    size_t bad = tok_utf8_check((const uint8_t *)data, len);
    if (bad != len) {
        char at[48];
        tok_rawjson_linecol(data, bad, at, sizeof at);
        tok__fail(err, TOK_ERR_FORMAT, "%s:%s: invalid UTF-8 (byte offset %zu)", fname, at, bad);
        return NULL;
    }
    if (tok_rawjson_bpe_spans(data, len, &v, &m)) {
        /* the document with only the brackets of the two members (keeping
         * their line breaks cost jansson more than the rest of the load) */
        patched = malloc(len + 1);
        if (!patched) {
            tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", fname);
            return NULL;
        }
        sp[0] = v;
        sp[1] = m;
        if (sp[1].start < sp[0].start) { tok_span_text x = sp[0]; sp[0] = sp[1]; sp[1] = x; }
        size_t at = 0, k = 0;
        for (int i = 0; i < 2; i++) {
            memcpy(patched + k, data + at, sp[i].start - at);
            k += sp[i].start - at;
            patched[k++] = data[sp[i].start];
            patched[k++] = data[sp[i].end - 1];
            at = sp[i].end;
        }
        memcpy(patched + k, data + at, len - at);
        k += len - at;
        doc = patched;
        doclen = k;
        raw.raw = data;
        raw.raw_len = len;
        raw.raw_vocab[0] = v.start;
        raw.raw_vocab[1] = v.end;
        raw.raw_merges[0] = m.start;
        raw.raw_merges[1] = m.end;
    }
    json_t *root = json_loadb(doc, doclen, JSON_ALLOW_NUL, &je);
    if (!root) {
        int line = je.line, col = je.column;
        if (patched && je.position >= 0) {
            /* back to the original text: past a cut, add what was cut */
            size_t pos = (size_t)je.position;
            size_t cut0 = sp[0].end - sp[0].start - 2, cut1 = sp[1].end - sp[1].start - 2;
            if (pos > sp[0].start + 1) pos += cut0;
            if (pos > sp[1].start + 1) pos += cut1;
            /* jansson's column counts the characters read on the line:
             * one less than the column of the byte it stopped before */
            size_t l, c;
            tok_rawjson_where(data, pos < len ? pos : len, &l, &c);
            line = (int)l;
            col = (int)c - 1;
        }
        tok__fail(err, TOK_ERR_FORMAT, "%s:%d:%d: invalid JSON: %s", fname, line, col, je.text);
        free(patched);
        return NULL;
    }
    /* the caller's Unigram tie rule overrides the file's */
    json_t *model = json_object_get(root, "model");
    if (opt->unigram_ties && json_is_object(model))
        json_object_set_new(model, "libtok_ties", json_string(opt->unigram_ties == TOK_TIES_SPM ? "spm" : "hf"));
    tok_tokenizer *t = tok__from_hfjson_raw(root, &raw, opt, err);
    json_decref(root);
    free(patched);
    return t;
}

static tok_tokenizer *load_memory(const void *data, size_t len, const char *name, const tok_load_options *opt,
                                  tok_error *err)
{
    tok_load_options def;
    if (!(opt = load_options(opt, &def, err))) return NULL;
    if (!data) {
        tok__fail(err, TOK_ERR_ARG, "no data");
        return NULL;
    }
    const char *fname = name ? name : "<memory>";
    tok_format f = opt->format;
    if (!f) {
        char why[256];
        tok_status code;
        f = tok__sniff_format(data, len, name, &code, why, sizeof why);
        if (!f) {
            tok__fail(err, code, "%s: %s", fname, why);
            return NULL;
        }
    }
    switch (f) {
    case TOK_FORMAT_HF_JSON:
        return load_hfjson(data, len, fname, opt, err);
    case TOK_FORMAT_TIKTOKEN:
        return load_tiktoken(data, len, name, fname, opt, err);
    case TOK_FORMAT_SPM:
        return build_tree(tok_spm_to_json(data, len, fname, opt, err), fname, opt, err);
    case TOK_FORMAT_BERT_VOCAB:
        return build_tree(tok_bert_vocab_to_json(data, len, fname, opt, err), fname, opt, err);
    case TOK_FORMAT_GPT2:
        if (!opt->merges_data) {
            tok__fail(err, TOK_ERR_ARG, "%s: GPT-2 vocab.json needs its merges.txt: load it from a path, or give "
                      "its bytes in merges_data", fname);
            return NULL;
        }
        return build_tree(tok_gpt2_mem_to_json(data, len, fname, opt->merges_data, opt->merges_len, "merges.txt", err),
                          fname, opt, err);
    case TOK_FORMAT_TOKPACK:
        return tok__load_pack(data, len, fname, opt, err);
    case TOK_FORMAT_GGUF:
        return build_tree(tok_gguf_to_json(data, len, fname, opt, err), fname, opt, err);
    default:
        tok__fail(err, TOK_ERR_ARG, "%s: unknown format", fname);
        return NULL;
    }
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_magic(const char *path, const char *magic)
{
    char b[8] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t n = fread(b, 1, strlen(magic), f);
    fclose(f);
    return n == strlen(magic) && !memcmp(b, magic, n);
}

/* Map a whole file read-only (extra mmap flags in flags): its address, or
 * NULL with *err naming the file. */
static void *map_file(const char *path, int flags, size_t *n, tok_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        tok__fail(err, TOK_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) || st.st_size <= 0) {
        tok__fail(err, TOK_ERR_IO, "%s: %s", path, st.st_size == 0 ? "empty file" : strerror(errno));
        close(fd);
        return NULL;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | flags, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        tok__fail(err, TOK_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
        return NULL;
    }
    *n = (size_t)st.st_size;
    return p;
}

/* A model file of gigabytes: map it, so that reading its metadata touches
 * only the first pages, never the tensors. */
static tok_tokenizer *load_mapped(const char *path, const tok_load_options *opt, tok_error *err)
{
    size_t n;
    void *p = map_file(path, 0, &n, err);
    if (!p) return NULL;
    tok_load_options o = *opt;
    o.format = TOK_FORMAT_GGUF;
    tok_tokenizer *t = load_memory(p, n, path, &o, err);
    munmap(p, n);
    return t;
}

/* A .tokpack of format 3 is used where it lies: mapped, kept by the tokenizer. */
static tok_tokenizer *load_pack_mapped(const char *path, const tok_load_options *opt, tok_error *err)
{
    size_t n;
    void *p = map_file(path, MAP_POPULATE, &n, err);
    return p ? tok__load_pack_mapped(p, n, path, opt, err) : NULL;
}

/* The one regular file in dir whose name ends with ext, into buf: 1 found,
 * 0 none, -1 (with *err) when several make the choice ambiguous. */
static int find_one(const char *dir, const char *ext, char *buf, size_t cap, tok_error *err)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t el = strlen(ext);
    int n = 0;
    char first[256] = "";
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl <= el || strcmp(e->d_name + nl - el, ext)) continue;
        snprintf(buf, cap, "%s/%s", dir, e->d_name);
        if (!is_file(buf)) continue;
        if (n++ == 0) {
            snprintf(first, sizeof first, "%s", e->d_name);
            continue;
        }
        tok__fail(err, TOK_ERR_ARG, "%s: several *%s files (%s, %s): name the one to load", dir, ext, first, e->d_name);
        closedir(d);
        return -1;
    }
    closedir(d);
    if (n) snprintf(buf, cap, "%s/%s", dir, first);
    return n;
}

static tok_tokenizer *load_path(const char *path, const tok_load_options *opt, tok_error *err)
{
    tok_load_options def;
    if (!(opt = load_options(opt, &def, err))) return NULL;
    if (!path) {
        tok__fail(err, TOK_ERR_ARG, "no path");
        return NULL;
    }
    char buf[4096];
    if (is_dir(path)) {
        static const char *names[] = { "tokenizer.json", "tokenizer.model", "*.tiktoken", "vocab.json", "vocab.txt", "*.gguf" };
        const char *found = NULL;
        for (size_t i = 0; i < 6 && !found; i++) {
            if (names[i][0] == '*') {
                int n = find_one(path, names[i] + 1, buf, sizeof buf, err);
                if (n < 0) return NULL;
                if (n == 1) found = buf;
                continue;
            }
            snprintf(buf, sizeof buf, "%s/%s", path, names[i]);
            if (is_file(buf)) found = buf;
        }
        if (!found) {
            tok__fail(err, TOK_ERR_IO, "%s: no tokenizer.json, tokenizer.model, *.tiktoken, vocab.json, vocab.txt or *.gguf in this directory", path);
            return NULL;
        }
        path = found;
    }
    tok_format f = opt->format;
    if (!f && !strcmp(base_name(path), "vocab.json")) f = TOK_FORMAT_GPT2;
    if (f == TOK_FORMAT_GPT2) {
        char mbuf[4096];
        const char *merges = opt->merges_path;
        if (!merges) {
            snprintf(mbuf, sizeof mbuf, "%.*smerges.txt", (int)(base_name(path) - path), path);
            merges = mbuf;
        }
        return build_tree(tok_gpt2_to_json(path, merges, err), path, opt, err);
    }
    if (f == TOK_FORMAT_GGUF || (!f && (ends_with(base_name(path), ".gguf") || has_magic(path, "GGUF"))))
        return load_mapped(path, opt, err);
    if ((!f || f == TOK_FORMAT_TOKPACK) && has_magic(path, TOK__PACK_MAGIC)) return load_pack_mapped(path, opt, err);
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_file(path, &data, &len, err)) return NULL;
    tok_tokenizer *t = load_memory(data, len, path, opt, err);
    free(data);
    return t;
}

/* Building the tables frees many MiB of temporaries (the trie builder's
 * arrays, the parsed document) that the allocator keeps otherwise, while
 * the largest tables now live in their own mappings: given back here. */
tok_tokenizer *tok_load(const char *path, const tok_load_options *opt, tok_error *err)
{
    tok_tokenizer *t = load_path(path, opt, err);
    tok__heap_trim();
    return t;
}

tok_tokenizer *tok_load_memory(const void *data, size_t len, const char *name, const tok_load_options *opt,
                               tok_error *err)
{
    tok_tokenizer *t = load_memory(data, len, name, opt, err);
    tok__heap_trim();
    return t;
}

/* ---- built-in names ------------------------------------------------------ */

static bool try_dir(const char *dir, const char *name, char *buf, size_t cap)
{
    static const char *suffix[] = { "", ".json", ".tiktoken", ".model", "_base.tiktoken" };
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(buf, cap, "%s/%s%s", dir, name, suffix[i]);
        if (is_file(buf) || (i == 0 && is_dir(buf))) return true;
    }
    return false;
}

/* Model names that map to one tokenizer without doubt (as tiktoken's model
 * table and the models' own cards say). */
static const struct { const char *alias, *target; } aliases[] = {
    { "gpt-4o", "o200k_base" },          { "gpt-4o-mini", "o200k_base" },
    { "gpt-4.1", "o200k_base" },         { "o1", "o200k_base" },
    { "o3", "o200k_base" },              { "gpt-5", "o200k_base" },
    { "gpt-4", "cl100k_base" },          { "gpt-3.5-turbo", "cl100k_base" },
    { "text-embedding-3-small", "cl100k_base" }, { "text-embedding-3-large", "cl100k_base" },
    { "text-embedding-ada-002", "cl100k_base" },
    { "text-davinci-003", "p50k_base" }, { "code-davinci-002", "p50k_base" },
    { "gpt2", "r50k_base" },             { "gpt-2", "r50k_base" },
    { "davinci", "r50k_base" },
    { "llama-3", "llama3" },             { "meta-llama-3", "llama3" },
    { "mistral-7b", "mistral" },         { "gemma-3", "gemma3" },
    { "bert", "bert-base-uncased" },     { "albert-base-v2", "albert" },
};

const char *tok_alias(size_t i, const char **target)
{
    if (i >= sizeof aliases / sizeof aliases[0]) return NULL;
    if (target) *target = aliases[i].target;
    return aliases[i].alias;
}

/* The directories built-in names are looked up in, in order. */
static size_t data_dirs(char dirs[][4096], size_t max)
{
    size_t n = 0;
    const char *env = getenv("TOK_DATA_PATH");
    if (env) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", env);
        for (char *save = NULL, *d = strtok_r(tmp, ":", &save); d && n < max; d = strtok_r(NULL, ":", &save))
            snprintf(dirs[n++], 4096, "%s", d);
    }
#ifdef TOK_DATADIR
    if (n < max) snprintf(dirs[n++], 4096, "%s", TOK_DATADIR);
#endif
    const char *cache = getenv("TOK_CACHE");
    const char *home = getenv("HOME");
    if (n < max) {
        if (cache && *cache) snprintf(dirs[n++], 4096, "%s/tokenizers", cache);
        else snprintf(dirs[n++], 4096, "%s/.cache/libtok/tokenizers", home ? home : ".");
    }
    return n;
}

size_t tok_data_path(char *buf, size_t cap)
{
    char dirs[16][4096];
    size_t n = data_dirs(dirs, 16), len = 0;
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(buf && len < cap ? buf + len : NULL, buf && len < cap ? cap - len : 0, "%s%s", i ? ":" : "", dirs[i]);
        if (k > 0) len += (size_t)k;
    }
    return len;
}

tok_status tok_resolve(const char *name, char *buf, size_t cap)
{
    if (!name || !buf || cap == 0) return TOK_ERR_ARG;
    if (is_file(name) || is_dir(name) || strchr(name, '/')) {
        snprintf(buf, cap, "%s", name);
        return is_file(name) || is_dir(name) ? TOK_OK : TOK_ERR_IO;
    }
    const char *target = NULL;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(name, aliases[i].alias)) target = aliases[i].target;
    char dirs[16][4096];
    size_t n = data_dirs(dirs, 16);
    for (size_t i = 0; i < n; i++)
        if (try_dir(dirs[i], name, buf, cap) || (target && try_dir(dirs[i], target, buf, cap))) return TOK_OK;
    snprintf(buf, cap, "%s", name);
    return TOK_ERR_IO;
}
