/*
 * edit: vocabulary surgery on a tokenizer.json document (tok_vocab_edit.h).
 * The document is the source of truth; a tokenizer is built from it when an
 * edit needs encoding (shrink, extend) or flags (byte tokens).
 */
#include "tok_vocab_edit.h"
#include "train_impl.h"
#include "vocab_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tok_edit {
    json_t *doc;
    char kind[16];       /* "BPE", "WordPiece", "WordLevel", "Unigram" */
    int32_t *map;        /* original id -> id now, or -1 */
    size_t nmap;
    char src[512];
};

void tok_edit_free(tok_edit *e)
{
    if (!e) return;
    json_decref(e->doc);
    free(e->map);
    free(e);
}

static json_t *model(const tok_edit *e) { return json_object_get(e->doc, "model"); }
static json_t *vocab(const tok_edit *e) { return json_object_get(model(e), "vocab"); }
static int unigram(const tok_edit *e) { return !strcmp(e->kind, "Unigram"); }

/* Text of every id now (NULL: hole); *n = largest id + 1. */
static const char **names(const tok_edit *e, size_t *n, size_t **lens)
{
    size_t size = 0;
    json_t *v = vocab(e), *x;
    const char *k;
    size_t i;
    json_t *added = json_object_get(e->doc, "added_tokens");
    if (unigram(e)) size = json_array_size(v);
    else json_object_foreach(v, k, x) if ((size_t)json_integer_value(x) + 1 > size) size = (size_t)json_integer_value(x) + 1;
    json_array_foreach(added, i, x) {
        json_int_t id = json_integer_value(json_object_get(x, "id"));
        if (id >= 0 && (size_t)id + 1 > size) size = (size_t)id + 1;
    }
    const char **nm = calloc(size + 1, sizeof *nm);
    size_t *ln = calloc(size + 1, sizeof *ln);
    if (!nm || !ln) { free(nm); free(ln); return NULL; }
    if (unigram(e)) {
        json_array_foreach(v, i, x) {
            nm[i] = json_string_value(json_array_get(x, 0));
            ln[i] = json_string_length(json_array_get(x, 0));
        }
    } else {
        json_object_foreach(v, k, x) {
            json_int_t id = json_integer_value(x);
            if (id >= 0) { nm[id] = k; ln[id] = strlen(k); }
        }
    }
    json_array_foreach(added, i, x) {
        json_int_t id = json_integer_value(json_object_get(x, "id"));
        if (id >= 0 && !nm[id]) {
            nm[id] = json_string_value(json_object_get(x, "content"));
            ln[id] = json_string_length(json_object_get(x, "content"));
        }
    }
    *n = size;
    *lens = ln;
    return nm;
}

size_t tok_edit_size(const tok_edit *e)
{
    size_t n = 0, *l = NULL;
    const char **nm = names(e, &n, &l);
    free(nm);
    free(l);
    return n;
}

tok_edit *tok_edit_open(const char *name_or_path, tok_error *err)
{
    json_t *doc = vx_tokenizer_doc(name_or_path, name_or_path, JSON_ALLOW_NUL, err);
    if (!doc) return NULL;
    tok_edit *e = calloc(1, sizeof *e);
    if (!e) { json_decref(doc); vx_fail(err, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    e->doc = doc;
    snprintf(e->src, sizeof e->src, "%s", name_or_path);
    const char *ty = json_string_value(json_object_get(model(e), "type"));
    snprintf(e->kind, sizeof e->kind, "%s", ty ? ty : "");
    if (!ty || (strcmp(ty, "BPE") && strcmp(ty, "WordPiece") && strcmp(ty, "WordLevel") && strcmp(ty, "Unigram"))) {
        vx_fail(err, TOK_ERR_UNSUPPORTED, "%s: model type %s cannot be edited", name_or_path, ty ? ty : "(none)");
        tok_edit_free(e);
        return NULL;
    }
    e->nmap = tok_edit_size(e);
    e->map = malloc((e->nmap + 1) * sizeof *e->map);
    if (!e->map) { tok_edit_free(e); vx_fail(err, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    size_t n, *l;
    const char **nm = names(e, &n, &l);
    for (size_t i = 0; i < e->nmap; i++) e->map[i] = nm && nm[i] ? (int32_t)i : -1;
    free(nm);
    free(l);
    return e;
}

const int32_t *tok_edit_id_map(const tok_edit *e, size_t *n)
{
    *n = e->nmap;
    return e->map;
}

tok_tokenizer *tok_edit_build(tok_edit *e, tok_error *err)
{
    char *s = json_dumps(e->doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s) { vx_fail(err, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    tok_tokenizer *t = tok_load_memory(s, strlen(s), "edited tokenizer.json", NULL, err);
    free(s);
    return t;
}

/* HF numbers an added token that is not in the model vocabulary from the
 * vocabulary's size (its number of entries), not from its largest id: with
 * holes left by a removal, such added tokens would load at other ids than
 * the file says (llama3's 256 specials one lower per hole).  Simulate HF's
 * add_tokens over the document; 0 when every id stays, else the first added
 * token that would move (its index + 1), with the id it would get. */
static size_t added_ids_move(const tok_edit *e, int64_t *would)
{
    json_t *v = vocab(e), *added = json_object_get(e->doc, "added_tokens"), *x;
    if (unigram(e) || !json_is_object(v) || !json_is_array(added)) return 0;
    int64_t vsize = (int64_t)json_object_size(v), maxid = -1;
    size_t i;
    json_array_foreach(added, i, x) {
        const char *c = json_string_value(json_object_get(x, "content"));
        json_t *in = c ? json_object_get(v, c) : NULL, *jid = json_object_get(x, "id");
        int64_t id = json_is_integer(in) ? json_integer_value(in)
                     : maxid < 0 ? vsize : (maxid >= vsize || vsize == 0 ? maxid + 1 : vsize);
        if (id > maxid) maxid = id;
        if (json_is_integer(jid) && json_integer_value(jid) != id) {
            *would = id;
            return i + 1;
        }
    }
    return 0;
}

tok_status tok_edit_save(const tok_edit *e, const char *path, tok_error *err)
{
    int64_t would = 0;
    size_t k = added_ids_move(e, &would), n, *ln;
    if (k) {
        /* only holes make a file we wrote disagree with its own ids */
        const char **nm = names(e, &n, &ln);
        size_t holes = 0;
        for (size_t i = 0; nm && i < n; i++) holes += !nm[i];
        free(nm);
        free(ln);
        if (holes) {
            json_t *x = json_array_get(json_object_get(e->doc, "added_tokens"), k - 1);
            return vx_fail(err, TOK_ERR_ARG,
                           "%s: not written: with %zu hole(s) in the ids, HF (and libtok) would load added token "
                           "\"%s\" (added_tokens[%zu], id %lld) as id %lld, since added tokens outside the vocabulary "
                           "are numbered from its size; renumber the ids (tok_edit_compact; tok vocab without --keep-holes)",
                           path, holes, json_string_value(json_object_get(x, "content")), k - 1,
                           (long long)json_integer_value(json_object_get(x, "id")), (long long)would);
        }
    }
    if (json_dump_file(e->doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
        return vx_fail(err, TOK_ERR_IO, "%s: cannot write", path);
    return TOK_OK;
}

/* --- remapping ids everywhere -------------------------------------------- */

static void remap_pair(json_t *pair, const int32_t *nid, size_t n)
{
    json_t *x = json_array_get(pair, 1);
    json_int_t id = json_integer_value(x);
    if (json_is_integer(x) && id >= 0 && (size_t)id < n && nid[id] >= 0) json_array_set_new(pair, 1, json_integer(nid[id]));
}

static void remap_post(json_t *p, const int32_t *nid, size_t n)
{
    if (!json_is_object(p)) return;
    remap_pair(json_object_get(p, "sep"), nid, n);
    remap_pair(json_object_get(p, "cls"), nid, n);
    json_t *sp = json_object_get(p, "special_tokens"), *v;
    const char *k;
    json_object_foreach(sp, k, v) {
        json_t *ids = json_object_get(v, "ids"), *x;
        size_t i;
        json_array_foreach(ids, i, x) {
            json_int_t id = json_integer_value(x);
            if (id >= 0 && (size_t)id < n && nid[id] >= 0) json_array_set_new(ids, i, json_integer(nid[id]));
        }
    }
    json_t *seq = json_object_get(p, "processors"), *x;
    size_t i;
    json_array_foreach(seq, i, x) remap_post(x, nid, n);
}

/* Ids the post-processor inserts. */
static int post_uses(const json_t *p, json_int_t id)
{
    if (!json_is_object(p)) return 0;
    if (json_integer_value(json_array_get(json_object_get(p, "sep"), 1)) == id && json_object_get(p, "sep")) return 1;
    if (json_integer_value(json_array_get(json_object_get(p, "cls"), 1)) == id && json_object_get(p, "cls")) return 1;
    json_t *sp = json_object_get(p, "special_tokens"), *v, *x;
    const char *k;
    size_t i;
    json_object_foreach(sp, k, v) json_array_foreach(json_object_get(v, "ids"), i, x) if (json_integer_value(x) == id) return 1;
    json_array_foreach(json_object_get(p, "processors"), i, x) if (post_uses(x, id)) return 1;
    return 0;
}

/* Apply nid (id now -> new id, -1 = gone) to the whole document. */
static void remap(tok_edit *e, const int32_t *nid, size_t n)
{
    json_t *v = vocab(e), *x;
    const char *k;
    size_t i;
    if (unigram(e)) {
        json_t *nv = json_array();
        json_array_foreach(v, i, x) if (i < n && nid[i] >= 0) json_array_append(nv, x);
        json_t *u = json_object_get(model(e), "unk_id");
        if (json_is_integer(u) && json_integer_value(u) >= 0 && (size_t)json_integer_value(u) < n)
            json_object_set_new(model(e), "unk_id", json_integer(nid[json_integer_value(u)]));
        json_object_set_new(model(e), "vocab", nv);
    } else {
        json_t *nv = json_object();
        json_object_foreach(v, k, x) {
            json_int_t id = json_integer_value(x);
            if (id >= 0 && (size_t)id < n && nid[id] >= 0) json_object_set_new(nv, k, json_integer(nid[id]));
        }
        json_object_set_new(model(e), "vocab", nv);
    }
    json_t *added = json_object_get(e->doc, "added_tokens"), *na = json_array();
    json_array_foreach(added, i, x) {
        json_int_t id = json_integer_value(json_object_get(x, "id"));
        if (id < 0 || (size_t)id >= n || nid[id] < 0) continue;
        json_object_set_new(x, "id", json_integer(nid[id]));
        json_array_append(na, x);
    }
    json_object_set_new(e->doc, "added_tokens", na);
    remap_post(json_object_get(e->doc, "post_processor"), nid, n);
    for (size_t t = 0; t < e->nmap; t++)
        if (e->map[t] >= 0) e->map[t] = (size_t)e->map[t] < n ? nid[e->map[t]] : -1;
}

/* --- remove --------------------------------------------------------------- */

tok_status tok_edit_remove(tok_edit *e, const int32_t *ids, size_t nids, uint32_t flags, tok_error *err)
{
    size_t n, *ln;
    const char **nm = names(e, &n, &ln);
    if (!nm) return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    tok_status st = TOK_OK;
    char *gone = calloc(n + 1, 1);
    tok_tokenizer *t = NULL;
    if (!gone) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
    if (!(flags & TOK_EDIT_FORCE) && !(t = tok_edit_build(e, err))) { st = err ? err->code : TOK_ERR_FORMAT; goto out; }
    for (size_t i = 0; i < nids; i++) {
        int32_t id = ids[i];
        if (id < 0 || (size_t)id >= n || !nm[id]) {
            st = vx_fail(err, TOK_ERR_RANGE, "id %d does not exist (%s has ids 0..%zu%s)", (int)id, e->src, n ? n - 1 : 0,
                         id >= 0 && (size_t)id < n ? ", this one is a hole" : "");
            goto out;
        }
        if (t) {
            uint32_t f = tok_token_flags(t, id);
            if (f & TOK_TOKEN_UNK) { st = vx_fail(err, TOK_ERR_ARG, "id %d is the unknown token (force to remove it)", (int)id); goto out; }
            if (f & TOK_TOKEN_BYTE) {
                st = vx_fail(err, TOK_ERR_ARG, "id %d is a base byte token: text would become unencodable (force to remove it)", (int)id);
                goto out;
            }
        }
        if (post_uses(json_object_get(e->doc, "post_processor"), id)) {
            st = vx_fail(err, TOK_ERR_ARG, "id %d is inserted by the post-processor; change the post-processor first", (int)id);
            goto out;
        }
        gone[id] = 1;
    }
    /* BPE: merges with a removed part or result go */
    json_t *merges = json_object_get(model(e), "merges");
    if (!strcmp(e->kind, "BPE") && merges) {
        json_t *v = vocab(e);
        const char *pre = json_string_value(json_object_get(model(e), "continuing_subword_prefix"));
        size_t plen = pre ? strlen(pre) : 0;
        json_t *keep = json_array(), *m;
        size_t i;
        char *buf = NULL;
        size_t cap = 0;
        json_array_foreach(merges, i, m) {
            const char *a, *b;
            size_t la, lb;
            const char *sp = NULL;
            if (json_is_string(m)) {
                a = json_string_value(m);
                sp = strchr(a, ' ');
                if (!sp) { json_array_append(keep, m); continue; }
                la = (size_t)(sp - a);
                b = sp + 1;
                lb = strlen(b);
            } else {
                a = json_string_value(json_array_get(m, 0));
                b = json_string_value(json_array_get(m, 1));
                if (!a || !b) { json_array_append(keep, m); continue; }
                la = json_string_length(json_array_get(m, 0));
                lb = json_string_length(json_array_get(m, 1));
            }
            const char *bb = b;
            size_t lbb = lb;
            if (pre && lbb >= plen && !memcmp(bb, pre, plen)) { bb += plen; lbb -= plen; }
            if (la + lbb + 1 > cap) { cap = (la + lbb + 1) * 2; free(buf); buf = malloc(cap); if (!buf) break; }
            memcpy(buf, a, la);
            memcpy(buf + la, bb, lbb);
            buf[la + lbb] = 0;
            char *pa = strndup(a, la), *pb = strndup(b, lb);
            json_t *ia = pa ? json_object_get(v, pa) : NULL, *ib = pb ? json_object_get(v, pb) : NULL,
                   *ic = json_object_get(v, buf);
            free(pa);
            free(pb);
            int drop = (ia && gone[json_integer_value(ia)]) || (ib && gone[json_integer_value(ib)]) ||
                       (ic && gone[json_integer_value(ic)]);
            if (!drop) json_array_append(keep, m);
        }
        free(buf);
        json_object_set_new(model(e), "merges", keep);
    }
    /* vocabulary and added tokens: holes (Unigram is a list: renumbered) */
    int32_t *nid = malloc((n + 1) * sizeof *nid);
    if (!nid) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
    if (unigram(e)) {
        int32_t k = 0;
        for (size_t i = 0; i < n; i++) nid[i] = gone[i] ? -1 : k++;
    } else {
        for (size_t i = 0; i < n; i++) nid[i] = gone[i] ? -1 : (int32_t)i;
    }
    remap(e, nid, n);
    free(nid);
out:
    tok_free(t);
    free(gone);
    free(nm);
    free(ln);
    return st;
}

tok_status tok_edit_compact(tok_edit *e, tok_error *err)
{
    size_t n, *ln;
    const char **nm = names(e, &n, &ln);
    int32_t *nid = malloc((n + 1) * sizeof *nid);
    if (!nm || !nid) { free(nm); free(ln); free(nid); return vx_fail(err, TOK_ERR_NOMEM, "out of memory"); }
    int32_t k = 0;
    for (size_t i = 0; i < n; i++) nid[i] = nm[i] ? k++ : -1;
    remap(e, nid, n);
    free(nid);
    free(nm);
    free(ln);
    return TOK_OK;
}

/* --- add ------------------------------------------------------------------ */

tok_status tok_edit_add(tok_edit *e, const char *text, size_t len, int special, int32_t *idp, tok_error *err)
{
    if (!text || !len) return vx_fail(err, TOK_ERR_ARG, "cannot add an empty token");
    if (memchr(text, 0, len)) return vx_fail(err, TOK_ERR_ARG, "token text holds a NUL byte");
    json_t *added = json_object_get(e->doc, "added_tokens"), *x;
    size_t i;
    json_array_foreach(added, i, x) {
        json_t *c = json_object_get(x, "content");
        if (json_string_length(c) == len && !memcmp(json_string_value(c), text, len)) {
            if (idp) *idp = (int32_t)json_integer_value(json_object_get(x, "id"));
            return TOK_OK;
        }
    }
    int32_t id = -1;
    char *s = strndup(text, len);
    if (!s) return vx_fail(err, TOK_ERR_NOMEM, "out of memory");
    json_t *v = vocab(e);
    if (unigram(e)) {
        json_array_foreach(v, i, x) {
            json_t *p = json_array_get(x, 0);
            if (json_string_length(p) == len && !memcmp(json_string_value(p), text, len)) { id = (int32_t)i; break; }
        }
    } else if ((x = json_object_get(v, s))) id = (int32_t)json_integer_value(x);
    if (id < 0) {
        id = (int32_t)tok_edit_size(e);
        if (unigram(e)) { /* a Unigram id is a list position */
            json_t *p = json_array();
            json_array_append_new(p, json_string(s));
            json_array_append_new(p, json_real(0.0));
            json_array_append_new(v, p);
            id = (int32_t)json_array_size(v) - 1;
        }
    }
    json_array_append_new(added, json_pack("{s:i, s:s, s:b, s:b, s:b, s:b, s:b}", "id", (int)id, "content", s,
                                           "single_word", 0, "lstrip", 0, "rstrip", 0, "normalized", !special,
                                           "special", special));
    free(s);
    if (idp) *idp = id;
    return TOK_OK;
}

/* --- extend (BPE) ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Adjacent id pairs of keep's encodings (whole and line by line), sorted. */
static tok_status keep_pairs(tok_ctx *ctx, const char *text, size_t len, uint64_t **out, size_t *n, tok_error *err)
{
    size_t cap = 0, k = 0;
    uint64_t *v = NULL;
    tok_encode_options eo;
    tok_encode_options_init(&eo);
    eo.flags = 0;
    size_t p = 0;
    for (int whole = 1; whole >= 0; whole--) {
        p = 0;
        while (p < len || (whole && p == 0)) {
            const char *nl = whole ? NULL : memchr(text + p, '\n', len - p);
            size_t q = whole ? len : nl ? (size_t)(nl - text) : len;
            tok_encoding enc;
            if (tok_encode(ctx, text + p, q - p, &eo, &enc)) {
                free(v);
                return vx_fail(err, TOK_ERR_FORMAT, "extend --keep: byte %zu: %s", p, tok_ctx_error(ctx));
            }
            if (k + enc.n > cap) {
                cap = (k + enc.n) * 2 + 1024;
                uint64_t *nv = realloc(v, cap * sizeof *nv);
                if (!nv) { free(v); return vx_fail(err, TOK_ERR_NOMEM, "out of memory"); }
                v = nv;
            }
            for (size_t i = 0; i + 1 < enc.n; i++)
                v[k++] = (uint64_t)(uint32_t)enc.ids[i] << 32 | (uint32_t)enc.ids[i + 1];
            p = q + 1;
            if (whole) break;
        }
    }
    qsort(v, k, sizeof *v, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (!u || v[u - 1] != v[i]) v[u++] = v[i];
    *out = v;
    *n = u;
    return TOK_OK;
}

tok_status tok_edit_extend(tok_edit *e, tok_counts *c, size_t n_new, uint64_t min_frequency, const char *keep,
                           size_t keep_len, size_t *added, tok_error *err)
{
    if (strcmp(e->kind, "BPE")) return vx_fail(err, TOK_ERR_UNSUPPORTED, "extend: %s is %s, not BPE", e->src, e->kind);
    tok_tokenizer *t = tok_edit_build(e, err);
    if (!t) return err ? err->code : TOK_ERR_FORMAT;
    size_t n, *ln;
    const char **nm = names(e, &n, &ln);
    const tok_count_entry *E;
    size_t nw;
    vx_model m = { 0 };
    vx_word *W = NULL;
    uint64_t *cnt = NULL;
    uint32_t *pool = NULL, *lpool = NULL;
    tok_ctx *ctx = tok_ctx_new(t);
    tok_status st = TOK_OK;
    if (!nm || !ctx || tok_counts_sorted(c, &E, &nw)) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
    if (!nw) { st = vx_fail(err, TOK_ERR_ARG, "extend: the corpus has no pre-tokens (empty corpus?)"); goto out; }
    /* the existing vocabulary, ids as they are; holes and added tokens get
     * names no text can form */
    json_t *v = vocab(e);
    for (size_t i = 0; i < n; i++) {
        char hole[48];
        const char *s = hole;
        size_t l;
        if (nm[i] && json_object_get(v, nm[i]) && json_integer_value(json_object_get(v, nm[i])) == (json_int_t)i) {
            s = nm[i];
            l = ln[i];
        } else l = (size_t)snprintf(hole, sizeof hole, "%c<hole %zu>", 0, i);
        if (vx_model_add(&m, s, l) < 0) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
    }
    /* each word as the tokenizer encodes it now */
    W = calloc(nw, sizeof *W);
    cnt = malloc(nw * sizeof *cnt);
    size_t total = 0, cap = 0;
    if (!W || !cnt) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
    size_t *offs = malloc((nw + 1) * sizeof *offs);
    if (!offs) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
    tok_encode_options eo;
    tok_encode_options_init(&eo);
    eo.flags = 0;
    for (size_t w = 0; w < nw; w++) {
        tok_encoding enc;
        if (tok_encode_pretoken(ctx, E[w].s, E[w].len, &eo, &enc)) {
            st = vx_fail(err, TOK_ERR_FORMAT, "extend: cannot encode a pre-token: %s", tok_ctx_error(ctx));
            free(offs);
            goto out;
        }
        if (total + enc.n > cap) {
            cap = (total + enc.n) * 2 + 1024;
            uint32_t *np = realloc(pool, cap * sizeof *np), *nl;
            if (np) pool = np;
            nl = np ? realloc(lpool, cap * sizeof *nl) : NULL;
            if (!np || !nl) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); free(offs); goto out; }
            lpool = nl;
        }
        offs[w] = total;
        for (size_t k = 0; k < enc.n; k++) {
            pool[total + k] = (uint32_t)enc.ids[k];
            lpool[total + k] = 1;
        }
        W[w].n = (uint32_t)enc.n;
        total += enc.n;
        cnt[w] = E[w].count;
    }
    for (size_t w = 0; w < nw; w++) {
        W[w].sym = pool + offs[w];
        W[w].len = lpool + offs[w];
    }
    free(offs);
    size_t before = m.n;
    size_t nmerges0 = 0;
    const char *pre = json_string_value(json_object_get(model(e), "continuing_subword_prefix"));
    uint64_t *forbid = NULL;
    size_t nforbid = 0;
    if (keep && (st = keep_pairs(ctx, keep, keep_len, &forbid, &nforbid, err))) goto out;
    st = vx_bpe_merge_loop(W, cnt, nw, &m, before + n_new, min_frequency, SIZE_MAX, pre, 0, forbid, nforbid);
    free(forbid);
    if (st) { vx_fail(err, st, "out of memory"); goto out; }
    for (size_t id = before; id < m.n; id++) json_object_set_new(v, m.tok[id], json_integer((json_int_t)id));
    json_t *merges = json_object_get(model(e), "merges");
    if (!merges) { merges = json_array(); json_object_set_new(model(e), "merges", merges); }
    int as_string = json_array_size(merges) && json_is_string(json_array_get(merges, 0));
    for (size_t i = nmerges0; i < m.nmerges && as_string; i++)
        if (strchr(m.tok[m.merges[i][0]], ' ') || strchr(m.tok[m.merges[i][1]], ' ')) as_string = 0;
    if (!as_string && json_array_size(merges) && json_is_string(json_array_get(merges, 0))) {
        /* pairs for all: a token holds a space */
        json_t *np = json_array(), *x;
        size_t i;
        json_array_foreach(merges, i, x) {
            const char *s = json_string_value(x), *sp = strchr(s, ' ');
            if (!sp) continue;
            json_array_append_new(np, json_pack("[s#, s]", s, (int)(sp - s), sp + 1));
        }
        json_object_set_new(model(e), "merges", np);
        merges = np;
    }
    for (size_t i = nmerges0; i < m.nmerges; i++) {
        const char *a = m.tok[m.merges[i][0]], *b = m.tok[m.merges[i][1]];
        if (as_string) {
            char *s = malloc(strlen(a) + strlen(b) + 2);
            if (!s) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
            sprintf(s, "%s %s", a, b);
            json_array_append_new(merges, json_string(s));
            free(s);
        } else json_array_append_new(merges, json_pack("[s, s]", a, b));
    }
    if (added) *added = m.n - before;
out:
    vx_model_clear(&m);
    free(W);
    free(cnt);
    free(pool);
    free(lpool);
    free(nm);
    free(ln);
    tok_ctx_free(ctx);
    tok_free(t);
    return st;
}

/* --- shrink ------------------------------------------------------------------ */

tok_status tok_edit_shrink(tok_edit *e, const char *text, size_t len, size_t *removed, tok_error *err)
{
    tok_tokenizer *t = tok_edit_build(e, err);
    if (!t) return err ? err->code : TOK_ERR_FORMAT;
    size_t n = tok_vocab_size(t);
    char *keep = calloc(n + 1, 1);
    int32_t *drop = malloc((n + 1) * sizeof *drop);
    tok_ctx *ctx = tok_ctx_new(t);
    tok_status st = TOK_OK;
    if (!keep || !drop || !ctx) { st = vx_fail(err, TOK_ERR_NOMEM, "out of memory"); goto out; }
    tok_encode_options eo;
    tok_encode_options_init(&eo);
    eo.flags = 0;
    /* what the text uses encoded whole, and line by line (without the line
     * break, as `tok encode --lines`): both encodings stay the same */
    tok_encoding enc;
    if (tok_encode(ctx, text, len, &eo, &enc)) {
        st = vx_fail(err, TOK_ERR_FORMAT, "shrink: %s", tok_ctx_error(ctx));
        goto out;
    }
    for (size_t k = 0; k < enc.n; k++)
        if (enc.ids[k] >= 0 && (size_t)enc.ids[k] < n) keep[enc.ids[k]] = 1;
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t q = nl ? (size_t)(nl - text) : len;
        if (tok_encode(ctx, text + p, q - p, &eo, &enc)) {
            st = vx_fail(err, TOK_ERR_FORMAT, "shrink: byte %zu: %s", p, tok_ctx_error(ctx));
            goto out;
        }
        for (size_t k = 0; k < enc.n; k++)
            if (enc.ids[k] >= 0 && (size_t)enc.ids[k] < n) keep[enc.ids[k]] = 1;
        p = q + 1;
    }
    /* always kept: added, unk, byte tokens and single characters */
    for (size_t id = 0; id < n; id++) {
        uint32_t f = tok_token_flags(t, (int32_t)id);
        if (f & TOK_TOKEN_NONE) continue;
        if (f & (TOK_TOKEN_ADDED | TOK_TOKEN_SPECIAL | TOK_TOKEN_UNK | TOK_TOKEN_BYTE | TOK_TOKEN_CONTROL)) keep[id] = 1;
        char buf[16];
        size_t l;
        if (tok_token_surface(t, (int32_t)id, buf, sizeof buf, &l) == TOK_OK && l && l == vx_u8len((unsigned char)buf[0]))
            keep[id] = 1;
        if (post_uses(json_object_get(e->doc, "post_processor"), (json_int_t)id)) keep[id] = 1;
    }
    /* BPE: the parts of every merge producing a kept token, to a fixed point */
    size_t nm = tok_merge_count(t);
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t r = nm; r-- > 0;) {
            int32_t a, b, c;
            if (tok_merge_get(t, r, &a, &b, &c) || c < 0 || (size_t)c >= n || !keep[c]) continue;
            if (a >= 0 && (size_t)a < n && !keep[a]) { keep[a] = 1; changed = 1; }
            if (b >= 0 && (size_t)b < n && !keep[b]) { keep[b] = 1; changed = 1; }
        }
    }
    size_t nd = 0;
    for (size_t id = 0; id < n; id++)
        if (!keep[id] && !(tok_token_flags(t, (int32_t)id) & TOK_TOKEN_NONE)) drop[nd++] = (int32_t)id;
    tok_ctx_free(ctx);
    ctx = NULL;
    tok_free(t);
    t = NULL;
    st = tok_edit_remove(e, drop, nd, TOK_EDIT_FORCE, err);
    if (!st && removed) *removed = nd;
out:
    tok_ctx_free(ctx);
    tok_free(t);
    free(keep);
    free(drop);
    return st;
}
