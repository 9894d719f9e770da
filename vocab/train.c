/*
 * train: options, the trained vocabulary (tokens, merges), the dispatch to
 * each trainer, HF's WordPiece and WordLevel trainers (small enough to live
 * here), and writing the result as a tokenizer.json.
 */
#include "tok_train.h"
#include "train_impl.h"
#include "vocab_impl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

struct tok_trained {
    tok_train_model model;
    vx_model m;
    char *prefix, *suffix, *unk;
    char **special;
    size_t n_special;
    float *scores;   /* Unigram */
    int byte_fallback;
};

/* --- vx_model ------------------------------------------------------------- */

static size_t thash(const char *s, size_t n) { return (size_t)XXH3_64bits(s, n); }

int32_t vx_model_find(const vx_model *m, const char *s, size_t n)
{
    if (!m->hcap) return -1;
    size_t j = thash(s, n) & (m->hcap - 1);
    while (m->hk[j]) {
        uint32_t id = m->hk[j] - 1;
        if (m->tlen[id] == n && !memcmp(m->tok[id], s, n)) return (int32_t)id;
        j = (j + 1) & (m->hcap - 1);
    }
    return -1;
}

static int rehash(vx_model *m, size_t cap)
{
    uint32_t *hk = calloc(cap, sizeof *hk);
    if (!hk) return -1;
    for (size_t id = 0; id < m->n; id++) {
        size_t j = thash(m->tok[id], m->tlen[id]) & (cap - 1);
        while (hk[j]) j = (j + 1) & (cap - 1);
        hk[j] = (uint32_t)id + 1;
    }
    free(m->hk);
    m->hk = hk;
    m->hcap = cap;
    return 0;
}

int32_t vx_model_add(vx_model *m, const char *s, size_t n)
{
    if (m->n >= INT32_MAX - 1) return -1;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        char **t = realloc(m->tok, cap * sizeof *t);
        if (!t) return -1;
        m->tok = t;
        uint32_t *l = realloc(m->tlen, cap * sizeof *l);
        if (!l) return -1;
        m->tlen = l;
        m->cap = cap;
    }
    if ((m->n + 1) * 2 > m->hcap && rehash(m, m->hcap ? m->hcap * 2 : 2048)) return -1;
    char *c = malloc(n + 1);
    if (!c) return -1;
    memcpy(c, s, n);
    c[n] = 0;
    uint32_t id = (uint32_t)m->n++;
    m->tok[id] = c;
    m->tlen[id] = (uint32_t)n;
    size_t j = thash(s, n) & (m->hcap - 1);
    while (m->hk[j]) j = (j + 1) & (m->hcap - 1);
    m->hk[j] = id + 1;
    return (int32_t)id;
}

const char *vx_model_token(const vx_model *m, uint32_t id, size_t *len)
{
    *len = m->tlen[id];
    return m->tok[id];
}

int vx_model_add_merge(vx_model *m, uint32_t a, uint32_t b)
{
    if (m->nmerges == m->mcap) {
        size_t cap = m->mcap ? m->mcap * 2 : 1024;
        uint32_t (*v)[2] = realloc(m->merges, cap * sizeof *v);
        if (!v) return -1;
        m->merges = v;
        m->mcap = cap;
    }
    m->merges[m->nmerges][0] = a;
    m->merges[m->nmerges][1] = b;
    m->nmerges++;
    return 0;
}

void vx_model_clear(vx_model *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->tok[i]);
    free(m->tok);
    free(m->tlen);
    free(m->hk);
    free(m->merges);
    memset(m, 0, sizeof *m);
}

typedef struct mref { uint64_t pair; size_t i; } mref;
static int cmp_mref(const void *a, const void *b)
{
    const mref *x = a, *y = b;
    if (x->pair != y->pair) return x->pair < y->pair ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

char *vx_merges_superseded(const vx_model *m)
{
    char *skip = calloc(m->nmerges + 1, 1);
    mref *r = malloc((m->nmerges + 1) * sizeof *r);
    if (!skip || !r) { free(skip); free(r); return NULL; }
    for (size_t i = 0; i < m->nmerges; i++) r[i] = (mref){ (uint64_t)m->merges[i][0] << 32 | m->merges[i][1], i };
    qsort(r, m->nmerges, sizeof *r, cmp_mref);
    for (size_t i = 0; i + 1 < m->nmerges; i++)
        if (r[i].pair == r[i + 1].pair) skip[r[i].i] = 1;
    free(r);
    return skip;
}

/* --- options, results ----------------------------------------------------- */

/* The trainers whose pieces are the text itself, scored, as spm_train's
 * (Unigram, PathPiece, SentencePiece BPE): their own options and checks. */
static bool spm_style(tok_train_model m)
{
    return m == TOK_TRAIN_UNIGRAM || m == TOK_TRAIN_PATHPIECE || m == TOK_TRAIN_SPM_BPE;
}

void tok_train_options_init(tok_train_options *o, tok_train_model model)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->model = model;
    o->vocab_size = 30000;
    if (model == TOK_TRAIN_WORDPIECE) {
        o->continuing_subword_prefix = "##";
        o->unk_token = "[UNK]";
    }
    if (model == TOK_TRAIN_WORDLEVEL) o->unk_token = "<unk>";
    if (spm_style(model)) o->vocab_size = 8000; /* spm_train's default */
}

void tok_trained_free(tok_trained *t)
{
    if (!t) return;
    vx_model_clear(&t->m);
    free(t->prefix);
    free(t->suffix);
    free(t->unk);
    for (size_t i = 0; i < t->n_special; i++) free(t->special[i]);
    free(t->special);
    free(t->scores);
    free(t);
}

int vx_trained_spm_type(const tok_trained *t) { return t->model == TOK_TRAIN_SPM_BPE ? 2 : 1; }
int vx_trained_byte_fallback(const tok_trained *t) { return t->byte_fallback; }
size_t vx_trained_user_symbols(const tok_trained *t) { return t->n_special; }

float tok_trained_score(const tok_trained *t, size_t id) { return t && t->scores && id < t->m.n ? t->scores[id] : 0; }

size_t tok_trained_size(const tok_trained *t) { return t ? t->m.n : 0; }
const char *tok_trained_token(const tok_trained *t, size_t id) { return t && id < t->m.n ? t->m.tok[id] : NULL; }
size_t tok_trained_merges(const tok_trained *t, const uint32_t (**pairs)[2])
{
    *pairs = (const uint32_t (*)[2])t->m.merges;
    return t->m.nmerges;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* HF WordLevelTrainer: specials, then words by count (descending) then
 * bytes, those seen at least min_frequency times, up to vocab_size. */
typedef struct wl { const tok_count_entry *e; } wl;
static int cmp_wl(const void *a, const void *b)
{
    const tok_count_entry *x = *(tok_count_entry *const *)a, *y = *(tok_count_entry *const *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    size_t m = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->s, y->s, m);
    return r ? r : (x->len > y->len) - (x->len < y->len);
}

static tok_status train_wordlevel(tok_counts *c, const tok_train_options *o, vx_model *m, tok_error *err)
{
    const tok_count_entry *E;
    size_t n;
    if (tok_counts_sorted(c, &E, &n)) return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    if (!n) return vx_fail(err, TOK_ERR_ARG, "the corpus has no pre-tokens to train on (empty corpus?)");
    for (size_t i = 0; i < o->n_special && m->n < o->vocab_size; i++)
        if (vx_model_find(m, o->special[i], strlen(o->special[i])) < 0 &&
            vx_model_add(m, o->special[i], strlen(o->special[i])) < 0)
            return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    const tok_count_entry **v = malloc(n * sizeof *v);
    if (!v) return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) v[i] = &E[i];
    qsort(v, n, sizeof *v, cmp_wl);
    for (size_t i = 0; i < n && m->n < o->vocab_size; i++) {
        if (v[i]->count < o->min_frequency) continue;
        if (vx_model_find(m, v[i]->s, v[i]->len) >= 0) continue;
        if (vx_model_add(m, v[i]->s, v[i]->len) < 0) { free(v); return vx_fail(err, TOK_ERR_NOMEM, "out of memory"); }
    }
    free(v);
    return TOK_OK;
}

/* SentencePiece-style pieces are the corpus's own text, and a token is a C
 * string across this API (tok_trained_token, the .model writer): a NUL byte
 * cannot be in one, and a char piece "\0" was written as an empty piece that
 * neither spm_export_vocab nor libtok would load.  spm_train makes no piece
 * of NUL either.  So these trainers see each word cut at its NUL bytes, the
 * parts counted as words of their own: a new table, NULL (c as it is) when no
 * word holds a NUL; *st set on failure. */
static tok_counts *cut_at_nul(tok_counts *c, tok_status *st)
{
    const tok_count_entry *E;
    size_t n, i = 0;
    if ((*st = tok_counts_sorted(c, &E, &n))) return NULL;
    while (i < n && !memchr(E[i].s, 0, E[i].len)) i++;
    if (i == n) return NULL;
    tok_counts *d = tok_counts_new(vx_counts_limit(c));
    if (!d) {
        *st = TOK_ERR_NOMEM;
        return NULL;
    }
    for (i = 0; i < n && !*st; i++) {
        const char *s = E[i].s, *end = s + E[i].len;
        while (s < end && !*st) {
            const char *z = memchr(s, 0, (size_t)(end - s));
            size_t l = (size_t)((z ? z : end) - s);
            if (l) *st = tok_counts_add(d, s, l, E[i].count);
            s += l + (z != NULL);
        }
    }
    if (*st) {
        tok_counts_free(d);
        return NULL;
    }
    return d;
}

tok_trained *tok_train(tok_counts *c, const tok_train_options *o, tok_error *err)
{
    if (!c || !o || o->size < sizeof *o) { vx_fail(err, TOK_ERR_ARG, "no counts or options"); return NULL; }
    if (o->vocab_size == 0) { vx_fail(err, TOK_ERR_ARG, "--vocab-size must be positive"); return NULL; }
    if (o->n_special > o->vocab_size) {
        vx_fail(err, TOK_ERR_ARG, "--vocab-size %zu is smaller than the %zu --special tokens", o->vocab_size, o->n_special);
        return NULL;
    }
    for (size_t i = 0; i < o->n_special; i++)
        if (!o->special[i] || !*o->special[i]) { vx_fail(err, TOK_ERR_ARG, "--special: empty token"); return NULL; }
    if (o->byte_fallback && !spm_style(o->model)) {
        vx_fail(err, TOK_ERR_ARG, "--byte-fallback is for unigram, pathpiece and spm-bpe (byte-level BPE has all bytes: --initial-alphabet bytelevel)");
        return NULL;
    }
    if (spm_style(o->model) &&
        (o->continuing_subword_prefix || o->end_of_word_suffix || o->limit_alphabet)) {
        vx_fail(err, TOK_ERR_ARG, "Unigram training takes no prefix, suffix or alphabet limit");
        return NULL;
    }
    if (o->model == TOK_TRAIN_WORDLEVEL && (o->continuing_subword_prefix || o->end_of_word_suffix || o->limit_alphabet)) {
        vx_fail(err, TOK_ERR_ARG, "WordLevel training takes no prefix, suffix or alphabet limit");
        return NULL;
    }
    tok_status st = TOK_OK;
    tok_counts *cut = NULL;
    if (spm_style(o->model)) {
        cut = cut_at_nul(c, &st);
        if (st) { vx_fail(err, st, "out of memory"); return NULL; }
        if (cut) c = cut;
    }
    tok_trained *t = calloc(1, sizeof *t);
    if (!t) { tok_counts_free(cut); vx_fail(err, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    t->model = o->model;
    switch (o->model) {
    case TOK_TRAIN_BPE:
    case TOK_TRAIN_WORDPIECE: st = vx_train_bpe(c, o, &t->m, err); break;
    case TOK_TRAIN_WORDLEVEL: st = train_wordlevel(c, o, &t->m, err); break;
    case TOK_TRAIN_UNIGRAM:
    case TOK_TRAIN_PATHPIECE: st = vx_train_unigram(c, o, &t->m, &t->scores, err); break;
    case TOK_TRAIN_SPM_BPE: st = vx_train_spm_bpe(c, o, &t->m, &t->scores, err); break;
    default: st = vx_fail(err, TOK_ERR_ARG, "--model: unknown model");
    }
    if (!st) {
        t->prefix = dup_or_null(o->continuing_subword_prefix);
        t->suffix = dup_or_null(o->end_of_word_suffix);
        t->unk = dup_or_null(o->unk_token);
        t->byte_fallback = o->byte_fallback;
        t->special = calloc(o->n_special + 1, sizeof *t->special);
        if (!t->special) st = vx_fail(err, TOK_ERR_NOMEM, "out of memory");
        for (size_t i = 0; !st && i < o->n_special; i++)
            if (!(t->special[t->n_special++] = strdup(o->special[i]))) st = vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    tok_counts_free(cut);
    if (st) { tok_trained_free(t); return NULL; }
    return t;
}

/* --- tokenizer.json --------------------------------------------------------- */

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *vocab_json(const vx_model *m)
{
    json_t *v = json_object();
    for (size_t i = 0; i < m->n; i++) json_object_setn_new_nocheck(v, m->tok[i], m->tlen[i], json_integer((json_int_t)i));
    return v;
}

static json_t *model_json(const tok_trained *t)
{
    const vx_model *m = &t->m;
    json_t *j = json_object();
    switch (t->model) {
    case TOK_TRAIN_BPE: {
        json_object_set_new(j, "type", json_string("BPE"));
        json_object_set_new(j, "dropout", json_null());
        json_object_set_new(j, "unk_token", str_or_null(t->unk));
        json_object_set_new(j, "continuing_subword_prefix", str_or_null(t->prefix));
        json_object_set_new(j, "end_of_word_suffix", str_or_null(t->suffix));
        json_object_set_new(j, "fuse_unk", json_false());
        json_object_set_new(j, "byte_fallback", json_false());
        json_object_set_new(j, "ignore_merges", json_false());
        json_object_set_new(j, "vocab", vocab_json(m));
        /* a pair merged twice keeps its last rank (HF keeps merges in a map) */
        json_t *mg = json_array();
        char *skip = vx_merges_superseded(m);
        for (size_t i = 0; i < m->nmerges; i++) {
            if (skip && skip[i]) continue;
            json_t *p = json_array();
            json_array_append_new(p, json_stringn(m->tok[m->merges[i][0]], m->tlen[m->merges[i][0]]));
            json_array_append_new(p, json_stringn(m->tok[m->merges[i][1]], m->tlen[m->merges[i][1]]));
            json_array_append_new(mg, p);
        }
        free(skip);
        json_object_set_new(j, "merges", mg);
        break;
    }
    case TOK_TRAIN_WORDPIECE:
        json_object_set_new(j, "type", json_string("WordPiece"));
        json_object_set_new(j, "unk_token", json_string(t->unk ? t->unk : "[UNK]"));
        json_object_set_new(j, "continuing_subword_prefix", json_string(t->prefix ? t->prefix : "##"));
        json_object_set_new(j, "max_input_chars_per_word", json_integer(100));
        json_object_set_new(j, "vocab", vocab_json(m));
        break;
    case TOK_TRAIN_SPM_BPE: {
        /* as HF converts a SentencePiece BPE model */
        json_object_set_new(j, "type", json_string("BPE"));
        json_object_set_new(j, "dropout", json_null());
        json_object_set_new(j, "unk_token", json_string("<unk>"));
        json_object_set_new(j, "continuing_subword_prefix", json_null());
        json_object_set_new(j, "end_of_word_suffix", json_null());
        json_object_set_new(j, "fuse_unk", json_true());
        json_object_set_new(j, "byte_fallback", json_boolean(t->byte_fallback));
        json_object_set_new(j, "ignore_merges", json_false());
        json_object_set_new(j, "vocab", vocab_json(m));
        json_t *mg = json_array();
        for (size_t i = 0; i < m->nmerges; i++)
            json_array_append_new(mg, json_pack("[s#, s#]", m->tok[m->merges[i][0]], (int)m->tlen[m->merges[i][0]],
                                                m->tok[m->merges[i][1]], (int)m->tlen[m->merges[i][1]]));
        json_object_set_new(j, "merges", mg);
        break;
    }
    case TOK_TRAIN_UNIGRAM:
    case TOK_TRAIN_PATHPIECE: {
        json_object_set_new(j, "type", json_string("Unigram"));
        json_object_set_new(j, "unk_id", json_integer(0));
        json_t *v = json_array();
        for (size_t i = 0; i < m->n; i++) {
            json_t *p = json_array();
            json_array_append_new(p, json_stringn(m->tok[i], m->tlen[i]));
            json_array_append_new(p, json_real(t->scores ? t->scores[i] : 0));
            json_array_append_new(v, p);
        }
        json_object_set_new(j, "vocab", v);
        json_object_set_new(j, "byte_fallback", json_boolean(t->byte_fallback));
        break;
    }
    case TOK_TRAIN_WORDLEVEL:
        json_object_set_new(j, "type", json_string("WordLevel"));
        json_object_set_new(j, "vocab", vocab_json(m));
        json_object_set_new(j, "unk_token", json_string(t->unk ? t->unk : "<unk>"));
        break;
    }
    return j;
}

/* The template's post-processor names special tokens with their ids in the
 * template: give them their ids here, or -1 if one is not in the vocabulary. */
static int fix_post(json_t *p, const vx_model *m)
{
    if (!json_is_object(p)) return 0;
    static const char *const pairs[] = { "sep", "cls" };
    for (size_t i = 0; i < 2; i++) {
        json_t *pr = json_object_get(p, pairs[i]);
        if (!pr) continue;
        const char *tx = json_string_value(json_array_get(pr, 0));
        int32_t id = tx ? vx_model_find(m, tx, strlen(tx)) : -1;
        if (id < 0) return -1;
        json_array_set_new(pr, 1, json_integer(id));
    }
    json_t *sp = json_object_get(p, "special_tokens"), *v, *x;
    const char *k;
    size_t i;
    json_object_foreach(sp, k, v) {
        json_t *ids = json_object_get(v, "ids"), *toks = json_object_get(v, "tokens");
        json_array_foreach(toks, i, x) {
            const char *tx = json_string_value(x);
            int32_t id = tx ? vx_model_find(m, tx, strlen(tx)) : -1;
            if (id < 0 || i >= json_array_size(ids)) return -1;
            json_array_set_new(ids, i, json_integer(id));
        }
    }
    json_array_foreach(json_object_get(p, "processors"), i, x) if (fix_post(x, m)) return -1;
    return 0;
}

tok_status tok_trained_save_json(const tok_trained *t, const tok_template *tp, const char *path, tok_error *err)
{
    if (!t || !tp || !path) return vx_fail(err, TOK_ERR_ARG, "no model, template or path");
    const json_t *doc = vx_template_json(tp);
    json_t *root = json_object();
    json_object_set_new(root, "version", json_string("1.0"));
    json_object_set_new(root, "truncation", json_null());
    json_object_set_new(root, "padding", json_null());
    json_t *added = json_array();
    for (size_t i = 0; i < t->n_special; i++) {
        int32_t id = vx_model_find(&t->m, t->special[i], strlen(t->special[i]));
        if (id < 0) continue;
        json_array_append_new(added, json_pack("{s:i, s:s, s:b, s:b, s:b, s:b, s:b}", "id", (int)id, "content",
                                               t->special[i], "single_word", 0, "lstrip", 0, "rstrip", 0,
                                               "normalized", 0, "special", 1));
    }
    if (spm_style(t->model))
        for (size_t i = 0; i < 3 && i < t->m.n; i++)
            json_array_insert_new(added, i, json_pack("{s:i, s:s, s:b, s:b, s:b, s:b, s:b}", "id", (int)i, "content",
                                                      t->m.tok[i], "single_word", 0, "lstrip", 0, "rstrip", 0,
                                                      "normalized", 0, "special", 1));
    json_object_set_new(root, "added_tokens", added);
    static const char *const stages[] = { "normalizer", "pre_tokenizer", "post_processor", "decoder" };
    for (size_t i = 0; i < 4; i++) {
        json_t *v = json_object_get(doc, stages[i]);
        json_object_set_new(root, stages[i], v ? json_deep_copy(v) : json_null());
    }
    /* a post-processor inserting tokens the new vocabulary lacks is dropped
     * (train with them as --special to keep it) */
    if (fix_post(json_object_get(root, "post_processor"), &t->m)) json_object_set_new(root, "post_processor", json_null());
    json_object_set_new(root, "model", model_json(t));
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII * 0);
    json_decref(root);
    if (rc) return vx_fail(err, TOK_ERR_IO, "%s: cannot write", path);
    return TOK_OK;
}

tok_status tok_trained_save(const tok_trained *t, const tok_template *tp, const char *path, tok_error *err)
{
    size_t l = path ? strlen(path) : 0;
    if (l > 6 && !strcmp(path + l - 6, ".model")) return tok_trained_save_spm(t, path, err);
    if (!(l > 8 && !strcmp(path + l - 8, ".tokpack"))) return tok_trained_save_json(t, tp, path, err);
    /* .tokpack: through a tokenizer.json loaded back */
    char tmp[] = "/tmp/libtok-trained-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) return vx_fail(err, TOK_ERR_IO, "temporary file: %s", strerror(errno));
    close(fd);
    tok_status st = tok_trained_save_json(t, tp, tmp, err);
    tok_tokenizer *tk = st ? NULL : tok_load(tmp, NULL, err);
    unlink(tmp);
    if (!tk) return st ? st : (err ? err->code : TOK_ERR_FORMAT);
    st = tok_save(tk, path, TOK_FORMAT_TOKPACK, err);
    tok_free(tk);
    return st;
}

int vx_spm_head(vx_model *m, float *sc, const struct tok_train_options *o)
{
    static const char *const metas[3] = { "<unk>", "<s>", "</s>" };
    for (size_t i = 0; i < 3; i++) {
        if (vx_model_add(m, metas[i], strlen(metas[i])) < 0) return -1;
        sc[m->n - 1] = 0;
    }
    for (size_t i = 0; i < o->n_special; i++)
        if (vx_model_find(m, o->special[i], strlen(o->special[i])) < 0) {
            if (vx_model_add(m, o->special[i], strlen(o->special[i])) < 0) return -1;
            sc[m->n - 1] = 0;
        }
    if (o->byte_fallback)
        for (int b = 0; b < 256; b++) {
            char bs[8];
            snprintf(bs, sizeof bs, "<0x%02X>", b);
            if (vx_model_add(m, bs, 6) < 0) return -1;
            sc[m->n - 1] = 0;
        }
    return 0;
}
