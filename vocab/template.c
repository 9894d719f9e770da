/*
 * template: the pipeline a vocabulary is trained behind (a tokenizer.json
 * document whose model is a placeholder), and counting a text's pre-tokens
 * through it, line by line as HF's train_from_files reads files.
 */
#include "tok_train.h"
#include "vocab_impl.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tok_template {
    json_t *doc;           /* tokenizer.json: normalizer, pre_tokenizer, post_processor, decoder */
    tok_tokenizer *tok;    /* the same pipeline with a placeholder model, for tok_pretokenize */
    char name[600];
    int byte_level;        /* pre-tokens are mapped to GPT-2's byte characters */
    int strip_breaks;      /* lines lose their line break (SentencePiece's sentences) */
    char bl[256][3];       /* that map: UTF-8 of each byte's character */
    unsigned char bl_len[256];
};

/* As libtok's loader decides: a ByteLevel pre-tokenizer or decoder anywhere. */
static int has_byte_level(const json_t *j)
{
    if (json_is_object(j)) {
        const char *ty = json_string_value(json_object_get(j, "type"));
        if (ty && !strcmp(ty, "ByteLevel")) return 1;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) if (has_byte_level(v)) return 1;
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) if (has_byte_level(v)) return 1;
    }
    return 0;
}

/* GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves,
 * the other 68 for U+0100 on, in byte order. */
static void byte_level_table(tok_template *tp)
{
    unsigned next = 256;
    for (unsigned b = 0; b < 256; b++) {
        int printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
        unsigned cp = printable ? b : next++;
        tp->bl_len[b] = (unsigned char)vx_u8put(tp->bl[b], cp);
    }
}

tok_status vx_fail(tok_error *err, tok_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

const json_t *vx_template_json(const tok_template *tp) { return tp->doc; }
const char *tok_template_name(const tok_template *tp) { return tp->name; }
void tok_template_strip_line_breaks(tok_template *tp)
{
    tp->strip_breaks = 1;
    size_t l = strlen(tp->name);
    snprintf(tp->name + l, sizeof tp->name - l, "%s", ":no-breaks");
}

void tok_template_model_space(tok_template *tp)
{
    tp->byte_level = 0;
    size_t l = strlen(tp->name);
    snprintf(tp->name + l, sizeof tp->name - l, "%s", ":model-space");
}

void tok_template_free(tok_template *tp)
{
    if (!tp) return;
    json_decref(tp->doc);
    tok_free(tp->tok);
    free(tp);
}

/* Load the pipeline with a one-token WordLevel model in place of the real one. */
static tok_template *finish(json_t *doc, const char *name, tok_error *err)
{
    tok_template *tp = calloc(1, sizeof *tp);
    if (!tp) { json_decref(doc); vx_fail(err, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    tp->doc = doc;
    snprintf(tp->name, sizeof tp->name, "%s", name);
    tp->byte_level = has_byte_level(json_object_get(doc, "pre_tokenizer")) ||
                     has_byte_level(json_object_get(doc, "decoder"));
    byte_level_table(tp);
    json_t *probe = json_deep_copy(doc);
    json_object_set_new(probe, "added_tokens", json_array());
    json_object_set_new(probe, "post_processor", json_null()); /* its ids name the old vocabulary */
    json_object_set_new(probe, "model", json_pack("{s:s, s:{s:i}, s:s}", "type", "WordLevel", "vocab", "<unk>", 0,
                                                  "unk_token", "<unk>"));
    char *s = json_dumps(probe, JSON_COMPACT);
    json_decref(probe);
    tok_error e = { 0 };
    tp->tok = s ? tok_load_memory(s, strlen(s), "template.json", NULL, &e) : NULL;
    free(s);
    if (!tp->tok) {
        vx_fail(err, e.code ? e.code : TOK_ERR_NOMEM, "pipeline of %s: %s", name, e.message);
        tok_template_free(tp);
        return NULL;
    }
    return tp;
}

static const char *const builtin[][2] = {
    { "bytelevel",
      "{\"normalizer\":null,"
      "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},"
      "\"post_processor\":null,"
      "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}}" },
    { "metaspace",
      "{\"normalizer\":null,"
      "\"pre_tokenizer\":{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"always\",\"split\":true},"
      "\"post_processor\":null,"
      "\"decoder\":{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"always\",\"split\":true}}" },
    { "bert",
      "{\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
      "\"strip_accents\":null,\"lowercase\":true},"
      "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
      "\"post_processor\":null,"
      "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}}" },
    { "whitespace",
      "{\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,\"decoder\":null}" },
};

tok_template *tok_template_builtin(const char *name, tok_error *err)
{
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        if (strcmp(name, builtin[i][0])) continue;
        json_error_t je;
        json_t *doc = json_loads(builtin[i][1], 0, &je);
        if (!doc) { vx_fail(err, TOK_ERR_NOMEM, "built-in template %s: %s", name, je.text); return NULL; }
        return finish(doc, name, err);
    }
    vx_fail(err, TOK_ERR_ARG, "--pre %s: unknown pipeline (bytelevel, metaspace, bert, whitespace)", name);
    return NULL;
}

json_t *vx_tokenizer_doc(const char *name_or_path, const char *label, size_t json_flags, tok_error *err)
{
    char path[4096];
    if (tok_resolve(name_or_path, path, sizeof path)) {
        vx_fail(err, TOK_ERR_IO, "%s: no such tokenizer file or built-in name", label);
        return NULL;
    }
    tok_tokenizer *t = tok_load(path, NULL, err);
    if (!t) return NULL;
    /* tok_save gives any format as a tokenizer.json with the same pipeline */
    char tmp[] = "/tmp/libtok-doc-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) { tok_free(t); vx_fail(err, TOK_ERR_IO, "temporary file: %s", strerror(errno)); return NULL; }
    close(fd);
    tok_status st = tok_save(t, tmp, TOK_FORMAT_HF_JSON, err);
    tok_free(t);
    json_error_t je;
    json_t *doc = st ? NULL : json_load_file(tmp, json_flags, &je);
    unlink(tmp);
    if (st) return NULL;
    if (!doc) vx_fail(err, TOK_ERR_FORMAT, "%s: %s", label, je.text);
    return doc;
}

tok_template *tok_template_like(const char *name_or_path, tok_error *err)
{
    char label[4200];
    snprintf(label, sizeof label, "--like %s", name_or_path);
    json_t *doc = vx_tokenizer_doc(name_or_path, label, 0, err);
    if (!doc) return NULL;
    json_t *keep = json_object();
    static const char *const stages[] = { "normalizer", "pre_tokenizer", "post_processor", "decoder" };
    for (size_t i = 0; i < 4; i++) {
        json_t *v = json_object_get(doc, stages[i]);
        json_object_set(keep, stages[i], v ? v : json_null());
    }
    json_decref(doc);
    char nm[4200];
    snprintf(nm, sizeof nm, "like:%s", name_or_path);
    return finish(keep, nm, err);
}

/* --- counting text ------------------------------------------------------- */

typedef struct job {
    const tok_template *tp;
    const char *text;
    size_t start, end;
    tok_counts *c;
    tok_status st;
    char msg[400];
} job;

static void count_range(job *j)
{
    tok_ctx *ctx = tok_ctx_new(j->tp->tok);
    if (!ctx) { j->st = TOK_ERR_NOMEM; snprintf(j->msg, sizeof j->msg, "out of memory"); return; }
    size_t p = j->start;
    char *mapped = NULL;
    size_t mcap = 0;
    while (p < j->end) {
        const char *nl = memchr(j->text + p, '\n', j->end - p);
        size_t q = nl ? (size_t)(nl - j->text) + 1 : j->end;
        size_t e = q;
        if (j->tp->strip_breaks) {
            if (e > p && j->text[e - 1] == '\n') e--;
            if (e > p && j->text[e - 1] == '\r') e--;
        }
        const tok_pretoken *pt;
        size_t n = 0;
        tok_status st = e > p ? tok_pretokenize(ctx, j->text + p, e - p, TOK_ENC_NO_SPECIAL_TEXT, &pt, &n) : TOK_OK;
        if (st) {
            j->st = st;
            snprintf(j->msg, sizeof j->msg, "line at byte %zu: %s", p, tok_ctx_error(ctx));
            break;
        }
        for (size_t i = 0; i < n; i++) {
            const char *w = pt[i].text;
            size_t wl = pt[i].len;
            if (j->tp->byte_level) {
                if (wl * 2 > mcap) {
                    free(mapped);
                    mcap = wl * 2 + 64;
                    if (!(mapped = malloc(mcap))) { st = TOK_ERR_NOMEM; mcap = 0; }
                }
                if (!st) {
                    size_t k = 0;
                    for (size_t b = 0; b < wl; b++) {
                        unsigned char ch = (unsigned char)w[b];
                        memcpy(mapped + k, j->tp->bl[ch], j->tp->bl_len[ch]);
                        k += j->tp->bl_len[ch];
                    }
                    w = mapped;
                    wl = k;
                }
            }
            if (st || (st = tok_counts_add(j->c, w, wl, 1))) {
                j->st = st;
                snprintf(j->msg, sizeof j->msg, "out of memory");
                break;
            }
        }
        if (j->st) break;
        p = q;
    }
    free(mapped);
    tok_ctx_free(ctx);
}

static void *count_thread(void *arg)
{
    count_range(arg);
    return NULL;
}

tok_status tok_counts_add_text(tok_counts *c, const tok_template *tp, const char *text, size_t len, int threads,
                               const char *name, tok_error *err)
{
    if (!c || !tp || (!text && len)) return vx_fail(err, TOK_ERR_ARG, "no table, template or text");
    if (!name) name = "text";
    if (threads < 1) threads = 1;
    if (len < ((size_t)1 << 20)) threads = 1;
    if (threads > 64) threads = 64;
    job jobs[64];
    pthread_t th[64];
    size_t prev = 0;
    for (int i = 0; i < threads; i++) {
        size_t cut = i == threads - 1 ? len : len / (size_t)threads * (size_t)(i + 1);
        if (cut < prev) cut = prev;
        while (cut < len && cut > 0 && text[cut - 1] != '\n') cut++;
        jobs[i] = (job){ tp, text, prev, cut, NULL, TOK_OK, "" };
        /* the first part counts straight into c; the others into their own table */
        jobs[i].c = i == 0 ? c : tok_counts_new(vx_counts_limit(c) / (size_t)threads);
        if (!jobs[i].c) {
            for (int k = 1; k < i; k++) tok_counts_free(jobs[k].c);
            return vx_fail(err, TOK_ERR_NOMEM, "%s: out of memory", name);
        }
        prev = cut;
    }
    char started[64] = { 0 };
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&th[i], NULL, count_thread, &jobs[i])) count_range(&jobs[i]);
        else started[i] = 1;
    }
    count_range(&jobs[0]);
    for (int i = 1; i < threads; i++)
        if (started[i]) pthread_join(th[i], NULL);
    tok_status st = TOK_OK;
    for (int i = 0; i < threads; i++) {
        if (!st && jobs[i].st) st = vx_fail(err, jobs[i].st, "%s: %s", name, jobs[i].msg);
        if (i) {
            if (!st && tok_counts_merge(c, jobs[i].c)) st = vx_fail(err, TOK_ERR_NOMEM, "%s: out of memory", name);
            tok_counts_free(jobs[i].c);
        }
    }
    return st;
}
