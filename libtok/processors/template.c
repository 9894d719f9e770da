/* TemplateProcessing: the single or pair template lays out the sequences
 * ($A, $B, each with the template's type id) and special tokens (with their
 * ids from special_tokens, offsets (0,0), no word, special mask 1).  Without
 * add_special the special tokens are left out but the sequences still take
 * the template's type ids.
 *
 * tokenizer.json holds templates as lists of {"SpecialToken": {id, type_id}}
 * / {"Sequence": {id: "A"|"B", type_id}}; the shorthand the Python API takes
 * ("[CLS] $A:0 [SEP]" or ["[CLS]", "$0"]) is accepted too.  As in HF, a
 * special token missing from special_tokens is only an error when used.
 *
 * HF returns one encoding per template piece and merges them only at the
 * end; here the result is merged at once (*n == 1).  Only a later member of
 * a Sequence could tell: ByteLevel's "first token" offset rule would also
 * apply to the first token of each piece in HF. */
#include "processors.h"

typedef struct {
    char *key;      /* the special_tokens map key */
    char *id;       /* its "id" field (normally == key) */
    int32_t *ids;
    char **tokens;
    size_t n, ntokens;
} special;

typedef struct {
    bool is_seq;
    uint8_t seq;     /* 0 = A, 1 = B */
    uint8_t type_id;
    char *name;      /* special token name */
    long sp;         /* index into specials, -1 if missing */
} piece;

typedef struct {
    piece *v;
    size_t n;
} tmpl;

typedef struct {
    tok_processor base;
    tmpl single, pair;
    special *sp;
    size_t nsp;
} proc_template;

/* ------------------------------------------------------------------------ */

static void tmpl_free(tmpl *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->v[i].name);
    free(t->v);
}

static void pfree(tok_processor *p)
{
    proc_template *t = (proc_template *)p;
    tmpl_free(&t->single);
    tmpl_free(&t->pair);
    for (size_t i = 0; i < t->nsp; i++) {
        free(t->sp[i].key);
        free(t->sp[i].id);
        free(t->sp[i].ids);
        for (size_t k = 0; k < t->sp[i].ntokens; k++) free(t->sp[i].tokens[k]);
        free(t->sp[i].tokens);
    }
    free(t->sp);
    free(t);
}

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* Rust's str::parse::<u32>: optional '+', then decimal digits only. */
static bool parse_u32(const char *s, size_t n, uint32_t *out)
{
    if (n && s[0] == '+') { s++; n--; }
    if (!n) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX) return false;
    }
    *out = (uint32_t)v;
    return true;
}

static int set_type(tok_jctx *jc, piece *p, uint32_t type_id)
{
    if (type_id > 255) {
        tok_jfail(jc, TOK_ERR_UNSUPPORTED, "type_id %u is larger than libtok supports (255)", type_id);
        return -1;
    }
    p->type_id = (uint8_t)type_id;
    return 0;
}

/* HF Piece::try_from(&str): "<id>" or "<id>:<type_id>"; "$", "$A", "$a",
 * "$B", "$b" or "$<n>" (sequence A with type id n) name a sequence. */
static int piece_from_string(tok_jctx *jc, const char *s, size_t n, piece *p)
{
    const char *colon = memchr(s, ':', n);
    size_t idn = colon ? (size_t)(colon - s) : n;
    uint32_t type_id = 0, given = 0;
    bool has_type = false;
    if (colon) {
        const char *t = colon + 1;
        size_t tn = n - idn - 1;
        if (memchr(t, ':', tn) || !parse_u32(t, tn, &given)) goto bad;
        has_type = true;
    }
    memset(p, 0, sizeof *p);
    p->sp = -1;
    if (idn && s[0] == '$') {
        const char *r = s + 1;
        size_t rn = idn - 1;
        p->is_seq = true;
        if (rn == 0 || (rn == 1 && (r[0] == 'A' || r[0] == 'a'))) p->seq = 0;
        else if (rn == 1 && (r[0] == 'B' || r[0] == 'b')) p->seq = 1;
        else if (!parse_u32(r, rn, &type_id)) goto bad;
    } else {
        if (!(p->name = dupn(s, idn))) {
            tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
            return -1;
        }
    }
    return set_type(jc, p, has_type ? given : type_id);
bad:
    tok_jfail(jc, TOK_ERR_FORMAT, "cannot build a template piece from \"%.*s\"", (int)n, s);
    return -1;
}

/* {"Sequence": {"id": "A", "type_id": 0}} or {"SpecialToken": {"id": "[CLS]", "type_id": 0}} */
static int piece_from_object(tok_jctx *jc, const json_t *o, piece *p)
{
    json_t *body = NULL;
    bool is_seq = json_object_get(o, "Sequence") != NULL;
    const char *kind = is_seq ? "Sequence" : "SpecialToken";
    if (!is_seq && !json_object_get(o, "SpecialToken")) {
        const char *k = json_object_size(o) ? json_object_iter_key(json_object_iter((json_t *)o)) : "(empty)";
        return tok_junsupported(jc, "template piece (expected Sequence or SpecialToken)", k), -1;
    }
    if (tok_jobj(jc, o, kind, &body, true)) return -1;
    size_t sv = tok_jpush(jc, kind);
    const char *id = NULL;
    size_t idlen = 0;
    int64_t type_id = 0;
    int rc = -1;
    memset(p, 0, sizeof *p);
    p->sp = -1;
    if (tok_jstr(jc, body, "id", &id, &idlen, true) || tok_jint(jc, body, "type_id", &type_id, true)) goto out;
    if (type_id < 0 || type_id > UINT32_MAX) {
        size_t s2 = tok_jpush(jc, "type_id");
        tok_jfail(jc, TOK_ERR_FORMAT, "type_id %lld out of range", (long long)type_id);
        tok_jpop(jc, s2);
        goto out;
    }
    if (is_seq) {
        p->is_seq = true;
        if (!strcmp(id, "A")) p->seq = 0;
        else if (!strcmp(id, "B")) p->seq = 1;
        else {
            size_t s2 = tok_jpush(jc, "id");
            tok_junsupported(jc, "sequence id (expected A or B)", id);
            tok_jpop(jc, s2);
            goto out;
        }
    } else if (!(p->name = dupn(id, idlen))) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = set_type(jc, p, (uint32_t)type_id);
out:
    tok_jpop(jc, sv);
    return rc;
}

static int push_piece(tok_jctx *jc, tmpl *t, size_t *cap, const piece *p)
{
    if (t->n == *cap) {
        size_t c = *cap ? *cap * 2 : 4;
        piece *v = realloc(t->v, c * sizeof *v);
        if (!v) {
            free(p->name);
            tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
            return -1;
        }
        t->v = v;
        *cap = c;
    }
    t->v[t->n++] = *p;
    return 0;
}

/* A template: array of objects/strings, or one string split on ' ' (HF
 * splits on single spaces, so doubled spaces give an empty piece). */
static int tmpl_from_json(tok_jctx *jc, const json_t *j, const char *key, const char *dflt, tmpl *t)
{
    json_t *v = json_object_get(j, key);
    size_t cap = 0, sv = tok_jpush(jc, key);
    int rc = -1;
    piece p;
    const char *str = NULL;
    size_t slen = 0;
    if (!v || json_is_null(v)) {
        str = dflt;
        slen = strlen(dflt);
    } else if (json_is_string(v)) {
        str = json_string_value(v);
        slen = json_string_length(v);
    }
    if (str) {
        for (size_t a = 0;;) {
            const char *sp = memchr(str + a, ' ', slen - a);
            size_t b = sp ? (size_t)(sp - str) : slen;
            if (piece_from_string(jc, str + a, b - a, &p) || push_piece(jc, t, &cap, &p)) goto out;
            if (!sp) break;
            a = b + 1;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            size_t si = tok_jpush_index(jc, i);
            int r;
            if (json_is_string(e)) r = piece_from_string(jc, json_string_value(e), json_string_length(e), &p);
            else if (json_is_object(e)) r = piece_from_object(jc, e, &p);
            else r = (tok_jfail(jc, TOK_ERR_FORMAT, "expected a template piece (object or string)"), -1);
            if (!r) r = push_piece(jc, t, &cap, &p);
            tok_jpop(jc, si);
            if (r) goto out;
        }
    } else {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected a template (array or string)");
        goto out;
    }
    rc = 0;
out:
    tok_jpop(jc, sv);
    return rc;
}

static int cmp_special(const void *a, const void *b)
{
    return strcmp(((const special *)a)->key, ((const special *)b)->key);
}

static int specials_from_json(tok_jctx *jc, const json_t *j, proc_template *t)
{
    json_t *m = NULL;
    if (tok_jobj(jc, j, "special_tokens", &m, false)) return -1;
    if (!m || !json_object_size(m)) return 0;
    t->sp = calloc(json_object_size(m), sizeof *t->sp);
    if (!t->sp) return tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"), -1;
    size_t sv = tok_jpush(jc, "special_tokens");
    const char *key;
    json_t *o;
    int rc = -1;
    json_object_foreach(m, key, o) {
        size_t sk = tok_jpush(jc, key);
        special *s = &t->sp[t->nsp++];
        json_t *ids = NULL, *toks = NULL;
        const char *id = key;
        size_t idlen = strlen(key);
        if (!json_is_object(o)) {
            tok_jfail(jc, TOK_ERR_FORMAT, "expected an object {id, ids, tokens}");
            goto bad;
        }
        if (tok_jstr(jc, o, "id", &id, &idlen, false) || tok_jarr(jc, o, "ids", &ids, true) ||
            tok_jarr(jc, o, "tokens", &toks, false))
            goto bad;
        s->key = dupn(key, strlen(key));
        s->id = dupn(id, idlen);
        s->n = json_array_size(ids);
        s->ids = malloc((s->n ? s->n : 1) * sizeof *s->ids);
        s->tokens = calloc(json_array_size(toks) ? json_array_size(toks) : 1, sizeof *s->tokens);
        if (s->tokens) s->ntokens = json_array_size(toks);
        if (!s->key || !s->id || !s->ids || !s->tokens) {
            tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
            goto bad;
        }
        for (size_t i = 0; i < s->n; i++) {
            json_t *x = json_array_get(ids, i);
            if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > INT32_MAX) {
                size_t s1 = tok_jpush(jc, "ids"), s2 = tok_jpush_index(jc, i);
                tok_jfail(jc, TOK_ERR_FORMAT, "expected a token id (integer in 0..2147483647)");
                tok_jpop(jc, s2);
                tok_jpop(jc, s1);
                goto bad;
            }
            s->ids[i] = (int32_t)json_integer_value(x);
        }
        for (size_t i = 0; i < s->ntokens; i++) {
            json_t *x = json_array_get(toks, i);
            if (!json_is_string(x)) {
                size_t s1 = tok_jpush(jc, "tokens"), s2 = tok_jpush_index(jc, i);
                tok_jfail(jc, TOK_ERR_FORMAT, "expected a string");
                tok_jpop(jc, s2);
                tok_jpop(jc, s1);
                goto bad;
            }
            if (!(s->tokens[i] = dupn(json_string_value(x), json_string_length(x)))) {
                tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
                goto bad;
            }
        }
        tok_jpop(jc, sk);
        continue;
    bad:
        tok_jpop(jc, sk);
        goto out;
    }
    /* sorted by key: lookups by bsearch, and to_json in HF's (sorted) order */
    qsort(t->sp, t->nsp, sizeof *t->sp, cmp_special);
    rc = 0;
out:
    tok_jpop(jc, sv);
    return rc;
}

static void resolve(proc_template *t, tmpl *tm)
{
    for (size_t i = 0; i < tm->n; i++) {
        piece *p = &tm->v[i];
        if (p->is_seq) continue;
        special k = {.key = p->name};
        special *f = t->nsp ? bsearch(&k, t->sp, t->nsp, sizeof *t->sp, cmp_special) : NULL;
        p->sp = f ? (long)(f - t->sp) : -1;
    }
}

/* ------------------------------------------------------------------------ */

tok_status tok_proc_template_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx)
{
    const proc_template *t = (const proc_template *)p;
    const tmpl *tm = *n == 2 ? &t->pair : &t->single;

    /* Check first, so a failure leaves the encodings alone. */
    size_t total = 0;
    for (size_t i = 0; i < tm->n; i++) {
        const piece *pc = &tm->v[i];
        if (pc->is_seq) {
            if (pc->seq >= *n)
                return tok_ctx_fail(ctx, TOK_ERR_ARG, "TemplateProcessing: the single template uses $B");
            total += encs[pc->seq].n;
        } else if (add) {
            if (pc->sp < 0)
                return tok_ctx_fail(ctx, TOK_ERR_FORMAT,
                                    "TemplateProcessing: special token \"%s\" is not in special_tokens", pc->name);
            total += t->sp[pc->sp].n;
        }
    }

    /* Snapshot the sequences (they may be used twice, and encs[0] is rebuilt). */
    tok_enc snap[2];
    memset(snap, 0, sizeof snap);
    for (size_t s = 0; s < *n; s++) {
        size_t m = encs[s].n ? encs[s].n : 1;
        snap[s].n = snap[s].cap = encs[s].n;
        snap[s].ids = tok_arena_alloc(&ctx->arena, m * sizeof *snap[s].ids);
        snap[s].off = tok_arena_alloc(&ctx->arena, m * sizeof *snap[s].off);
        snap[s].words = tok_arena_alloc(&ctx->arena, m * sizeof *snap[s].words);
        snap[s].type_ids = tok_arena_alloc(&ctx->arena, m);
        snap[s].special = tok_arena_alloc(&ctx->arena, m);
        if (!snap[s].ids || !snap[s].off || !snap[s].words || !snap[s].type_ids || !snap[s].special)
            return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory in post-processing");
        size_t k = encs[s].n;
        if (k) {
            memcpy(snap[s].ids, encs[s].ids, k * sizeof *snap[s].ids);
            memcpy(snap[s].off, encs[s].off, k * sizeof *snap[s].off);
            memcpy(snap[s].words, encs[s].words, k * sizeof *snap[s].words);
            memcpy(snap[s].type_ids, encs[s].type_ids, k);
            memcpy(snap[s].special, encs[s].special, k);
        }
    }

    tok_enc *out = &encs[0];
    tok_enc_clear(out);
    if (tok_enc_reserve(out, total)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory in post-processing");
    for (size_t i = 0; i < tm->n; i++) {
        const piece *pc = &tm->v[i];
        if (pc->is_seq) {
            size_t at = out->n;
            tok_enc_append(out, &snap[pc->seq]);
            if (out->n > at) memset(out->type_ids + at, pc->type_id, out->n - at);
        } else if (add) {
            const special *s = &t->sp[pc->sp];
            for (size_t k = 0; k < s->n; k++) tok_enc_push(out, s->ids[k], (tok_offset){0, 0}, -1, pc->type_id, 1);
        }
    }
    if (*n == 2) tok_enc_clear(&encs[1]);
    *n = 1;
    return TOK_OK;
}

/* ------------------------------------------------------------------------ */

static json_t *tmpl_json(const tmpl *tm)
{
    json_t *a = json_array();
    for (size_t i = 0; i < tm->n; i++) {
        const piece *p = &tm->v[i];
        json_t *body = json_object(), *o = json_object();
        json_object_set_new(body, "id", json_string(p->is_seq ? (p->seq ? "B" : "A") : p->name));
        json_object_set_new(body, "type_id", json_integer(p->type_id));
        json_object_set_new(o, p->is_seq ? "Sequence" : "SpecialToken", body);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *to_json(const tok_processor *p)
{
    const proc_template *t = (const proc_template *)p;
    json_t *j = json_object(), *m = json_object();
    json_object_set_new(j, "type", json_string("TemplateProcessing"));
    json_object_set_new(j, "single", tmpl_json(&t->single));
    json_object_set_new(j, "pair", tmpl_json(&t->pair));
    for (size_t i = 0; i < t->nsp; i++) {
        const special *s = &t->sp[i];
        json_t *o = json_object(), *ids = json_array(), *toks = json_array();
        for (size_t k = 0; k < s->n; k++) json_array_append_new(ids, json_integer(s->ids[k]));
        for (size_t k = 0; k < s->ntokens; k++) json_array_append_new(toks, json_string(s->tokens[k]));
        json_object_set_new(o, "id", json_string(s->id));
        json_object_set_new(o, "ids", ids);
        json_object_set_new(o, "tokens", toks);
        json_object_set_new(m, s->key, o);
    }
    json_object_set_new(j, "special_tokens", m);
    return j;
}

static const tok_processor_vt vt = {"TemplateProcessing", tok_proc_run, pfree, to_json};

tok_processor *tok_proc_template_from_json(tok_jctx *jc, const json_t *j)
{
    proc_template *t = calloc(1, sizeof *t);
    if (!t) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    t->base.vt = &vt;
    /* HF requires all three keys; missing ones take the builder defaults. */
    if (!json_is_object(j)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected an object");
        goto fail;
    }
    if (tmpl_from_json(jc, j, "single", "$0", &t->single) || tmpl_from_json(jc, j, "pair", "$A:0 $B:1", &t->pair) ||
        specials_from_json(jc, j, t))
        goto fail;
    resolve(t, &t->single);
    resolve(t, &t->pair);
    return &t->base;
fail:
    pfree(&t->base);
    return NULL;
}
