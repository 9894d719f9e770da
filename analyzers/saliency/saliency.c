/* Vocabulary priors: flags per id, SepLLM separators, fingerprint. */
#include "tok_saliency.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

/* HKUDS/SepLLM get_separator_ids.py, in its order */
static const char *const sepllm[TOK_SEPLLM_STRINGS] = {
    ".", ",", "?", "!", ";", ":", " ", "\t", "\n",
    "  ", " .", " ,", " ?", " !", " ;", " :", " \t", " \n",
    "   ", "  .", "  ,", "  ?", "  !", "  ;", "  :", "  \t", "  \n",
    ". ", ", ", "? ", "! ", "; ", ": ", "\t ", "\n ",
    ".  ", ",  ", "?  ", "!  ", ";  ", ":  ", "\t  ", "\n  ",
};

const char *tok_sepllm_string(size_t i) { return i < TOK_SEPLLM_STRINGS ? sepllm[i] : NULL; }

struct tok_saliency {
    size_t V;
    uint32_t *flags;
    uint16_t *nbytes, *nchars;
    float *utpct;
    int32_t *seps;
    size_t nseps;
    int32_t *sl_ids[TOK_SEPLLM_STRINGS];
    size_t sl_n[TOK_SEPLLM_STRINGS];
    char fp[33];
};

static void put32(XXH3_state_t *st, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
    XXH3_128bits_update(st, b, 4);
}

void tok_saliency_fingerprint(const tok_tokenizer *t, char out[33])
{
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_128bits_reset(&st);
    size_t V = tok_vocab_size(t);
    put32(&st, (uint32_t)V);
    put32(&st, (uint32_t)((uint64_t)V >> 32));
    for (size_t id = 0; id < V; id++) {
        size_t n = 0;
        const char *s = tok_token_text(t, (int32_t)id, &n);
        put32(&st, (uint32_t)id);
        put32(&st, tok_token_flags(t, (int32_t)id));
        put32(&st, s ? (uint32_t)n : 0xFFFFFFFFu);
        if (s && n) XXH3_128bits_update(&st, s, n);
    }
    XXH128_hash_t h = XXH3_128bits_digest(&st);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
}

void tok_saliency_options_init(tok_saliency_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->languages = "en";
    o->undertrained_pct = 2.0;
}

/* ---- a set of strings for stopwords ---- */
typedef struct sset { char **k; size_t mask; } sset;

static uint64_t shash(const char *s, size_t n) { return XXH3_64bits(s, n); }

static int sset_add(sset *s, const char *w, size_t n)
{
    size_t i = (size_t)shash(w, n) & s->mask;
    while (s->k[i]) {
        if (strlen(s->k[i]) == n && !memcmp(s->k[i], w, n)) return 0;
        i = (i + 1) & s->mask;
    }
    if (!(s->k[i] = malloc(n + 1))) return -1;
    memcpy(s->k[i], w, n);
    s->k[i][n] = 0;
    return 0;
}

static int sset_has(const sset *s, const char *w, size_t n)
{
    if (!s->k) return 0;
    size_t i = (size_t)shash(w, n) & s->mask;
    while (s->k[i]) {
        if (strlen(s->k[i]) == n && !memcmp(s->k[i], w, n)) return 1;
        i = (i + 1) & s->mask;
    }
    return 0;
}

static void sset_free(sset *s)
{
    if (s->k)
        for (size_t i = 0; i <= s->mask; i++) free(s->k[i]);
    free(s->k);
}

/* lowercase UTF-8 (utf8proc case folding of each code point) into out */
static size_t lower_utf8(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    utf8proc_ssize_t i = 0;
    while ((size_t)i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)n - i, &cp);
        if (l <= 0) return (size_t)-1;
        i += l;
        cp = utf8proc_tolower(cp);
        if (o + 4 > cap) return (size_t)-1;
        o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
    }
    return o;
}

static tok_status load_stopwords(const char *path, const char *langs, sset *set, tok_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        err->code = TOK_ERR_FORMAT;
        snprintf(err->message, sizeof err->message, "%.300s:%d:%d: %.150s", path, je.line, je.column, je.text);
        return TOK_ERR_FORMAT;
    }
    tok_status st = TOK_OK;
    size_t total = 0;
    char lang[32];
    for (const char *p = langs; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 0 || l >= sizeof lang) { st = TOK_ERR_ARG; snprintf(err->message, sizeof err->message, "saliency: bad language list '%.200s'", langs); break; }
        memcpy(lang, p, l);
        lang[l] = 0;
        json_t *a = json_is_object(root) ? json_object_get(root, lang) : NULL;
        if (!json_is_array(a)) { st = TOK_ERR_FORMAT; snprintf(err->message, sizeof err->message, "%.300s: $.%s: no stopword list for this language", path, lang); break; }
        total += json_array_size(a);
        p += l + (e ? 1 : 0);
        if (!e) break;
    }
    if (!st) {
        size_t c = 64;
        while (c < total * 2 + 2) c *= 2;
        set->k = calloc(c, sizeof *set->k);
        set->mask = c - 1;
        if (!set->k) st = TOK_ERR_NOMEM;
    }
    for (const char *p = langs; !st && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        memcpy(lang, p, l);
        lang[l] = 0;
        json_t *a = json_object_get(root, lang), *v;
        size_t i;
        json_array_foreach(a, i, v) {
            if (!json_is_string(v)) { st = TOK_ERR_FORMAT; snprintf(err->message, sizeof err->message, "%.300s: $.%s[%zu]: not a string", path, lang, i); break; }
            char low[256];
            size_t n = lower_utf8(json_string_value(v), json_string_length(v), low, sizeof low);
            if (n == (size_t)-1) continue;
            if (sset_add(set, low, n)) { st = TOK_ERR_NOMEM; break; }
        }
        p += l + (e ? 1 : 0);
        if (!e) break;
    }
    if (st) err->code = st;
    if (st == TOK_ERR_NOMEM) snprintf(err->message, sizeof err->message, "saliency: out of memory");
    json_decref(root);
    return st;
}

typedef struct ival { double v; int32_t id; } ival;

static int cmp_ival(const void *a, const void *b)
{
    const ival *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* percentile of each token's first indicator among the tokens that have one:
 * 100 * (rank + 1) / n, ascending (magikarp's candidates are the lowest) */
static tok_status indicator_percentiles(tok_saliency *s, json_t *toks, const char *path, tok_error *err)
{
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(toks, i, v) {
        json_t *ind = json_object_get(v, "indicators");
        if (json_is_array(ind) && json_array_size(ind) && json_is_number(json_array_get(ind, 0))) n++;
    }
    if (!n) return TOK_OK;
    ival *a = malloc(n * sizeof *a);
    if (!a) {
        snprintf(err->message, sizeof err->message, "saliency: out of memory");
        return TOK_ERR_NOMEM;
    }
    size_t k = 0;
    json_array_foreach(toks, i, v) {
        json_t *ind = json_object_get(v, "indicators");
        if (json_is_array(ind) && json_array_size(ind) && json_is_number(json_array_get(ind, 0)))
            a[k++] = (ival){ json_number_value(json_array_get(ind, 0)), (int32_t)json_integer_value(json_object_get(v, "id")) };
    }
    qsort(a, n, sizeof *a, cmp_ival);
    for (k = 0; k < n; k++)
        if (a[k].id >= 0 && (size_t)a[k].id < s->V && isnan(s->utpct[a[k].id]))
            s->utpct[a[k].id] = (float)(100.0 * (double)(k + 1) / (double)n);
    free(a);
    (void)path;
    return TOK_OK;
}

/* glitch report: {"tokens": [{"id": N, "category": C, ...}]} (issue 13) */
static tok_status load_glitch(tok_saliency *s, const char *path, double pct_max, tok_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &je);
    if (!root) {
        err->code = TOK_ERR_FORMAT;
        snprintf(err->message, sizeof err->message, "%.300s:%d:%d: %.150s", path, je.line, je.column, je.text);
        return TOK_ERR_FORMAT;
    }
    tok_status st = TOK_OK;
    json_t *toks = json_is_object(root) ? json_object_get(root, "tokens") : NULL;
    if (!json_is_array(toks)) {
        st = TOK_ERR_FORMAT;
        snprintf(err->message, sizeof err->message, "%.300s: $.tokens: expected an array", path);
    }
    size_t i;
    json_t *v;
    if (!st) json_array_foreach(toks, i, v) {
        json_t *jid = json_object_get(v, "id"), *jc = json_object_get(v, "category");
        if (!json_is_object(v) || !json_is_integer(jid)) {
            st = TOK_ERR_FORMAT;
            snprintf(err->message, sizeof err->message, "%.300s: $.tokens[%zu].id: expected an integer", path, i);
            break;
        }
        json_int_t id = json_integer_value(jid);
        if (id < 0 || (size_t)id >= s->V) {
            st = TOK_ERR_RANGE;
            snprintf(err->message, sizeof err->message, "%.300s: $.tokens[%zu].id: %lld outside the vocabulary (%zu ids)", path, i, (long long)id, s->V);
            break;
        }
        if (jc && !json_is_string(jc)) {
            st = TOK_ERR_FORMAT;
            snprintf(err->message, sizeof err->message, "%.300s: $.tokens[%zu].category: expected a string", path, i);
            break;
        }
        const char *c = jc ? json_string_value(jc) : "";
        if (!strncmp(c, "UNREACHABLE", 11)) s->flags[id] |= TOK_PRIOR_UNREACHABLE;
        if (!strcmp(c, "UNDECODEABLE")) s->flags[id] |= TOK_PRIOR_PARTIAL;
        if (!strcmp(c, "STICKY") || json_is_true(json_object_get(v, "sticky"))) s->flags[id] |= TOK_PRIOR_STICKY;
        if (!strcmp(c, "UNDERTRAINED") || json_is_true(json_object_get(v, "undertrained")) ||
            json_is_true(json_object_get(v, "candidate")))
            s->flags[id] |= TOK_PRIOR_UNDERTRAINED;
        json_t *jp = json_object_get(v, "percentile");
        if (jp) {
            if (!json_is_number(jp)) {
                st = TOK_ERR_FORMAT;
                snprintf(err->message, sizeof err->message, "%.300s: $.tokens[%zu].percentile: expected a number", path, i);
                break;
            }
            double pc = json_number_value(jp);
            s->utpct[id] = (float)pc;
            if (pc <= pct_max) s->flags[id] |= TOK_PRIOR_UNDERTRAINED;
        }
    }
    /* weights section: candidates at or below the indicator percentile */
    json_t *w = st ? NULL : json_object_get(root, "weights");
    json_t *cands = w ? json_object_get(w, "candidates") : NULL;
    if (!st && w && cands && !json_is_array(cands)) {
        st = TOK_ERR_FORMAT;
        snprintf(err->message, sizeof err->message, "%.300s: $.weights.candidates: expected an array", path);
    }
    if (!st && cands) json_array_foreach(cands, i, v) {
        json_t *jid = json_object_get(v, "id");
        json_int_t id = json_is_integer(jid) ? json_integer_value(jid) : -1;
        if (id < 0 || (size_t)id >= s->V) {
            st = TOK_ERR_FORMAT;
            snprintf(err->message, sizeof err->message, "%.300s: $.weights.candidates[%zu].id: not an id of this vocabulary", path, i);
            break;
        }
        s->flags[id] |= TOK_PRIOR_UNDERTRAINED;
    }
    /* percentiles of the first indicator where tokens carry "indicators" */
    if (!st) st = indicator_percentiles(s, toks, path, err);
    /* sticky tokens: "sticky": [id or {"id": id}, ...] */
    json_t *sk = st ? NULL : json_object_get(root, "sticky");
    if (sk && json_is_object(sk)) sk = json_object_get(sk, "tokens");
    if (!st && sk && json_is_array(sk)) json_array_foreach(sk, i, v) {
        json_t *jid = json_is_object(v) ? json_object_get(v, "id") : v;
        json_int_t id = json_is_integer(jid) ? json_integer_value(jid) : -1;
        if (id < 0 || (size_t)id >= s->V) {
            st = TOK_ERR_FORMAT;
            snprintf(err->message, sizeof err->message, "%.300s: $.sticky[%zu]: not an id of this vocabulary", path, i);
            break;
        }
        s->flags[id] |= TOK_PRIOR_STICKY;
    }
    if (st) err->code = st;
    json_decref(root);
    return st;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* flags from the token's bytes */
static uint32_t text_flags(const uint8_t *b, size_t n, const sset *stop, uint16_t *nchars)
{
    uint32_t f = 0;
    size_t chars = 0, spaces = 0, puncts = 0, others = 0;
    int partial = 0;
    char letters[256];
    size_t nl = 0;
    int letters_ok = 1;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(b + i, (utf8proc_ssize_t)(n - i), &cp);
        if (l <= 0) {
            partial = 1;
            chars++;
            i++;
            others++;
            letters_ok = 0;
            continue;
        }
        chars++;
        int is_marker = cp == 0x2581; /* SentencePiece ▁ */
        utf8proc_category_t c = utf8proc_category(cp);
        if (cp == '\n' || cp == '\r') f |= TOK_PRIOR_NEWLINE;
        if (is_marker || c == UTF8PROC_CATEGORY_ZS || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f') {
            spaces++;
        } else {
            if (c == UTF8PROC_CATEGORY_ND) f |= TOK_PRIOR_DIGIT;
            if (c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_SO) puncts++;
            else others++;
            if (nl + (size_t)l < sizeof letters) {
                memcpy(letters + nl, b + i, (size_t)l);
                nl += (size_t)l;
            } else letters_ok = 0;
        }
        i += (size_t)l;
    }
    *nchars = chars > 0xFFFF ? 0xFFFF : (uint16_t)chars;
    if (partial) f |= TOK_PRIOR_PARTIAL;
    if (n && spaces == chars) f |= TOK_PRIOR_SPACE;
    if (puncts && !others) f |= TOK_PRIOR_PUNCT;
    if (letters_ok && nl && !puncts && stop->k) {
        char low[1100];
        size_t m = lower_utf8(letters, nl, low, sizeof low);
        if (m != (size_t)-1 && sset_has(stop, low, m)) f |= TOK_PRIOR_STOPWORD;
    }
    return f;
}

static int push_sep(tok_saliency *s, int32_t id, size_t *cap)
{
    if (s->nseps == *cap) {
        int32_t *q = realloc(s->seps, (*cap *= 2) * sizeof *q);
        if (!q) return -1;
        s->seps = q;
    }
    s->seps[s->nseps++] = id;
    return 0;
}

/* the ids of str after a letter: encode "a" + str, drop the ids "a" alone gets */
static int add_in_context(tok_saliency *s, const tok_tokenizer *t, tok_ctx *ctx, const tok_encode_options *eo,
                          const char *str, size_t *cap)
{
    int32_t pre[8];
    size_t np = 0;
    tok_encoding e;
    if (tok_encode(ctx, "a", 1, eo, &e)) return 0;
    if (e.n > 8) return 0;
    np = e.n;
    memcpy(pre, e.ids, np * sizeof *pre);
    char buf[16];
    size_t l = strlen(str);
    if (l + 2 > sizeof buf) return 0;
    buf[0] = 'a';
    memcpy(buf + 1, str, l + 1);
    if (tok_encode(ctx, buf, l + 1, eo, &e) || e.n < np || memcmp(e.ids, pre, np * sizeof *pre)) return 0;
    for (size_t j = np; j < e.n; j++) {
        if (tok_token_flags(t, e.ids[j]) & TOK_TOKEN_UNK) continue;
        if (push_sep(s, e.ids[j], cap)) return -1;
    }
    return 0;
}

tok_saliency *tok_saliency_build(const tok_tokenizer *t, const tok_saliency_options *o, tok_error *err)
{
    tok_saliency_options def;
    if (!o) {
        tok_saliency_options_init(&def);
        o = &def;
    }
    tok_error dummy;
    if (!err) err = &dummy;
    size_t V = tok_vocab_size(t);
    tok_saliency *s = calloc(1, sizeof *s);
    sset stop = { 0 };
    tok_ctx *ctx = NULL;
    if (!s) goto nomem;
    s->V = V;
    s->flags = calloc(V ? V : 1, sizeof *s->flags);
    s->nbytes = calloc(V ? V : 1, sizeof *s->nbytes);
    s->nchars = calloc(V ? V : 1, sizeof *s->nchars);
    s->utpct = malloc((V ? V : 1) * sizeof *s->utpct);
    if (!s->flags || !s->nbytes || !s->nchars || !s->utpct) goto nomem;
    for (size_t i = 0; i < V; i++) s->utpct[i] = NAN;
    tok_saliency_fingerprint(t, s->fp);
    if (o->stopwords_file && load_stopwords(o->stopwords_file, o->languages ? o->languages : "en", &stop, err)) goto fail;
    int wordpiece = tok_model_type(t) == TOK_MODEL_WORDPIECE;
    for (size_t id = 0; id < V; id++) {
        uint32_t tf = tok_token_flags(t, (int32_t)id);
        if (tf & TOK_TOKEN_NONE) continue;
        size_t n = 0;
        const uint8_t *b = tok_token_bytes(t, (int32_t)id, &n);
        uint32_t f = 0;
        if (tf & (TOK_TOKEN_SPECIAL | TOK_TOKEN_CONTROL | TOK_TOKEN_UNK)) f |= TOK_PRIOR_SPECIAL;
        if (tf & TOK_TOKEN_BYTE) f |= TOK_PRIOR_BYTE;
        if (tf & TOK_TOKEN_UNREACHABLE) f |= TOK_PRIOR_UNREACHABLE;
        if ((tf & TOK_TOKEN_WORD_START) || (wordpiece && !(tf & (TOK_TOKEN_CONTINUATION | TOK_TOKEN_SPECIAL))))
            f |= TOK_PRIOR_WORD_START;
        if (b && !(f & TOK_PRIOR_SPECIAL)) f |= text_flags(b, n, &stop, &s->nchars[id]);
        else if (b) s->nchars[id] = (uint16_t)(n > 0xFFFF ? 0xFFFF : n);
        s->nbytes[id] = (uint16_t)(n > 0xFFFF ? 0xFFFF : n);
        s->flags[id] = f;
    }
    if (o->glitch_file && load_glitch(s, o->glitch_file, o->undertrained_pct, err)) goto fail;
    /* separators: SepLLM's strings, then the caller's */
    if (!(ctx = tok_ctx_new(t))) goto nomem;
    tok_encode_options eo;
    tok_encode_options_init(&eo);
    eo.flags = TOK_ENC_NO_SPECIAL_TEXT;
    size_t cap = 256;
    s->seps = malloc(cap * sizeof *s->seps);
    if (!s->seps) goto nomem;
    size_t nuser = 0;
    if (o->separators)
        while (o->separators[nuser]) nuser++;
    for (size_t i = 0; i < TOK_SEPLLM_STRINGS + nuser; i++) {
        const char *str = i < TOK_SEPLLM_STRINGS ? sepllm[i] : o->separators[i - TOK_SEPLLM_STRINGS];
        tok_encoding e;
        if (tok_encode(ctx, str, strlen(str), &eo, &e)) {
            err->code = TOK_ERR_ARG;
            snprintf(err->message, sizeof err->message, "saliency: cannot encode separator string %zu: %.300s", i, tok_ctx_error(ctx));
            goto fail;
        }
        if (i < TOK_SEPLLM_STRINGS) {
            s->sl_ids[i] = malloc((e.n ? e.n : 1) * sizeof(int32_t));
            if (!s->sl_ids[i]) goto nomem;
            memcpy(s->sl_ids[i], e.ids, e.n * sizeof(int32_t));
            s->sl_n[i] = e.n;
        }
        for (size_t j = 0; j < e.n; j++) {
            if (tok_token_flags(t, e.ids[j]) & TOK_TOKEN_UNK) continue; /* a mark the vocabulary lacks */
            if (s->nseps == cap) {
                int32_t *q = realloc(s->seps, (cap *= 2) * sizeof *q);
                if (!q) goto nomem;
                s->seps = q;
            }
            s->seps[s->nseps++] = e.ids[j];
        }
        if (o->sep_in_context && add_in_context(s, t, ctx, &eo, str, &cap)) goto nomem;
    }
    qsort(s->seps, s->nseps, sizeof *s->seps, cmp_i32);
    size_t u = 0;
    for (size_t i = 0; i < s->nseps; i++)
        if (!u || s->seps[u - 1] != s->seps[i]) s->seps[u++] = s->seps[i];
    s->nseps = u;
    for (size_t i = 0; i < u; i++)
        if (s->seps[i] >= 0 && (size_t)s->seps[i] < V) s->flags[s->seps[i]] |= TOK_PRIOR_SEPARATOR;
    tok_ctx_free(ctx);
    sset_free(&stop);
    return s;
nomem:
    err->code = TOK_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "saliency: out of memory");
fail:
    tok_ctx_free(ctx);
    sset_free(&stop);
    tok_saliency_free(s);
    return NULL;
}

void tok_saliency_free(tok_saliency *s)
{
    if (!s) return;
    free(s->flags);
    free(s->nbytes);
    free(s->nchars);
    free(s->utpct);
    free(s->seps);
    for (size_t i = 0; i < TOK_SEPLLM_STRINGS; i++) free(s->sl_ids[i]);
    free(s);
}

size_t tok_saliency_vocab_size(const tok_saliency *s) { return s->V; }
uint32_t tok_saliency_flags(const tok_saliency *s, int32_t id) { return id >= 0 && (size_t)id < s->V ? s->flags[id] : 0; }
const char *tok_saliency_fingerprint_of(const tok_saliency *s) { return s->fp; }

size_t tok_saliency_count(const tok_saliency *s, uint32_t bit)
{
    size_t c = 0;
    for (size_t i = 0; i < s->V; i++) c += (s->flags[i] & bit) != 0;
    return c;
}

size_t tok_saliency_separators(const tok_saliency *s, const int32_t **ids)
{
    *ids = s->seps;
    return s->nseps;
}

size_t tok_saliency_sepllm_ids(const tok_saliency *s, size_t i, const int32_t **ids)
{
    if (i >= TOK_SEPLLM_STRINGS) { *ids = NULL; return 0; }
    *ids = s->sl_ids[i];
    return s->sl_n[i];
}

void tok_saliency_lengths(const tok_saliency *s, int32_t id, uint16_t *bytes, uint16_t *chars, float *pct)
{
    int ok = id >= 0 && (size_t)id < s->V;
    *bytes = ok ? s->nbytes[id] : 0;
    *chars = ok ? s->nchars[id] : 0;
    *pct = ok ? s->utpct[id] : NAN;
}
