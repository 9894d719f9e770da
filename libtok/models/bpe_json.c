/*
 * BPE in tokenizer.json: the model object read (its vocabulary from the tree,
 * straight from the document text, or from .tokpack records; merges resolved
 * to ids) and written.  The model itself is bpe.c.
 */
#include "bpe.h"
#include "../core/rawjson.h"

#include <stdio.h>

/* Enter one vocabulary entry; ids maps text -> id for resolving merges. */
static int add_token(tok_jctx *jc, tok_vocab *v, tok_strmap *ids, const char *key, size_t klen, int64_t id)
{
    if (id < 0 || id >= (1 << 30)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected a token id (non-negative integer)");
        return -1;
    }
    if (tok_vocab_set(v, (int32_t)id, key, klen, 0, TOK__IN_MODEL, jc->err)) return -2; /* caller says where */
    /* the pooled copy outlives the document */
    if (tok_strmap_put(ids, v->tok[id].text, (uint32_t)klen, (int32_t)id)) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return -1;
    }
    return 0;
}

/* Resolve merge (a, b) into ids; the merged token must exist too.  On
 * failure writes why and returns -1 (the caller says where). */
static int add_merge(tok_bpe_merges *mg, const char *prefix, const tok_strmap *ids, const char *sa, size_t la,
                     const char *sb, size_t lb, tok_sbuf *buf, char *why, size_t cap)
{
    int32_t a = tok_strmap_get(ids, sa, la), c = tok_strmap_get(ids, sb, lb);
    if (a < 0 || c < 0) {
        snprintf(why, cap, "merge token \"%.*s\" is not in the vocabulary", (int)(a < 0 ? la : lb), a < 0 ? sa : sb);
        return -1;
    }
    size_t pl = prefix ? strlen(prefix) : 0;
    if (pl > lb) pl = lb;
    buf->n = 0;
    if (tok_sbuf_put(buf, sa, la) || tok_sbuf_put(buf, sb + pl, lb - pl)) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    int32_t nid = tok_strmap_get(ids, buf->v, buf->n);
    if (nid < 0) {
        snprintf(why, cap, "merged token \"%.*s\" is not in the vocabulary", (int)buf->n, buf->v);
        return -1;
    }
    if (tok_vec_push(mg, ((tok_bpe_merge){ a, c, nid }))) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    return 0;
}

/* "a b" -> its two halves; -1 if not exactly one space. */
static int split_merge(const char *s, size_t n, size_t *la, const char **sb, size_t *lb)
{
    const char *sp = memchr(s, ' ', n);
    if (!sp || memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s))) return -1;
    *la = (size_t)(sp - s);
    *sb = sp + 1;
    *lb = n - *la - 1;
    return 0;
}

static int vocab_from_tree(tok_jctx *jc, const json_t *voc, tok_vocab *v, tok_strmap *ids)
{
    const char *key;
    size_t klen;
    json_t *val;
    json_object_keylen_foreach((json_t *)voc, key, klen, val) {
        size_t s2 = tok_jpush(jc, key);
        int rc = json_is_integer(val) ? add_token(jc, v, ids, key, klen, json_integer_value(val)) : 0;
        if (!json_is_integer(val) || rc) {
            if (!json_is_integer(val)) tok_jfail(jc, TOK_ERR_FORMAT, "expected a token id (non-negative integer)");
            if (rc == -2) tok_jwrap(jc);
            return -1;
        }
        tok_jpop(jc, s2);
    }
    return 0;
}

static int merges_from_tree(tok_jctx *jc, tok_bpe_merges *mg, const char *prefix, const json_t *merges, const tok_strmap *ids, tok_sbuf *buf)
{
    size_t nm = json_array_size(merges);
    if (tok_vec_reserve(mg, nm)) return tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"), -1;
    for (size_t i = 0; i < nm; i++) {
        json_t *e = json_array_get(merges, i);
        const char *sa, *sb;
        size_t la, lb;
        size_t s2 = tok_jpush_index(jc, i);
        if (json_is_string(e)) {
            sa = json_string_value(e);
            if (split_merge(sa, json_string_length(e), &la, &sb, &lb)) {
                tok_jfail(jc, TOK_ERR_FORMAT, "merge \"%s\" is not two tokens separated by one space", sa);
                return -1;
            }
        } else if (json_is_array(e) && json_array_size(e) == 2 &&
                   json_is_string(json_array_get(e, 0)) && json_is_string(json_array_get(e, 1))) {
            sa = json_string_value(json_array_get(e, 0)); la = json_string_length(json_array_get(e, 0));
            sb = json_string_value(json_array_get(e, 1)); lb = json_string_length(json_array_get(e, 1));
        } else {
            tok_jfail(jc, TOK_ERR_FORMAT, "expected a merge as \"a b\" or [\"a\", \"b\"]");
            return -1;
        }
        char why[300];
        if (add_merge(mg, prefix, ids, sa, la, sb, lb, buf, why, sizeof why)) {
            tok_jfail(jc, TOK_ERR_FORMAT, "%s", why);
            return -1;
        }
        tok_jpop(jc, s2);
    }
    return 0;
}

/* The same two members read straight from the document text. */
static int raw_fail(tok_jctx *jc, size_t pos, const char *what_)
{
    char lc[32], what[sizeof jc->err->message];
    snprintf(what, sizeof what, "%s", what_); /* may be jc->err->message itself */
    tok_rawjson_linecol(jc->raw, pos, lc, sizeof lc);
    tok__fail(jc->err, TOK_ERR_FORMAT, "%s:%s: at %s: %s", jc->file ? jc->file : "<memory>", lc,
              jc->plen ? jc->path : "model", what);
    return -1;
}

/* Entries are read in batches: each batch's keys are hashed and their map
 * slots prefetched before the batch is entered or looked up, so that the
 * cache misses of 200k-entry maps overlap instead of following one another. */
#define BATCH 32

typedef struct pending { const char *s; uint32_t len; int32_t id; uint64_t h; } pending;

static int flush_tokens(tok_jctx *jc, tok_strmap *ids, pending *q, size_t nq, size_t *dups)
{
    for (size_t j = 0; j < nq; j++) {
        size_t before = ids->count;
        if (tok_strmap_put_hashed(ids, q[j].s, q[j].len, q[j].id, q[j].h))
            return tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"), -1;
        *dups += ids->count == before;
    }
    return 0;
}

static int vocab_from_text(tok_jctx *jc, tok_vocab *v, tok_strmap *ids, tok_sbuf *key, size_t *dups)
{
    const char *d = jc->raw;
    size_t n = jc->raw_vocab[1], i = tok_rawjson_ws(d, n, jc->raw_vocab[0] + 1);
    if (i < n && d[i] == '}') return 0;
    pending q[BATCH];
    size_t nq = 0;
    for (;;) {
        size_t at = i;
        if (tok_rawjson_string(d, n, &i, key)) return raw_fail(jc, at, "expected a token string");
        i = tok_rawjson_ws(d, n, i);
        if (i >= n || d[i] != ':') return raw_fail(jc, i, "expected ':'");
        i = tok_rawjson_ws(d, n, i + 1);
        size_t ns = i;
        int64_t id = 0;
        while (i < n && d[i] >= '0' && d[i] <= '9' && id < (1 << 30)) id = id * 10 + (d[i++] - '0');
        if (i == ns || (i < n && (d[i] == '.' || d[i] == 'e' || d[i] == 'E' || (d[i] >= '0' && d[i] <= '9'))))
            return raw_fail(jc, ns, "expected a token id (non-negative integer)");
        if (id < 0 || id >= (1 << 30)) return raw_fail(jc, ns, "expected a token id (non-negative integer)");
        if (tok_vocab_set(v, (int32_t)id, key->v ? key->v : "", key->n, 0, TOK__IN_MODEL, jc->err)) {
            tok_jwrap(jc);
            return raw_fail(jc, ns, jc->err->message);
        }
        /* the pooled copy outlives the document */
        const char *t = v->tok[id].text;
        q[nq] = (pending){ t, (uint32_t)key->n, (int32_t)id, tok_hash_bytes(t, key->n) };
        tok_strmap_prefetch(ids, q[nq].h);
        if (++nq == BATCH) {
            if (flush_tokens(jc, ids, q, nq, dups)) return -1;
            nq = 0;
        }
        i = tok_rawjson_ws(d, n, i);
        if (i < n && d[i] == ',') { i = tok_rawjson_ws(d, n, i + 1); continue; }
        if (flush_tokens(jc, ids, q, nq, dups)) return -1;
        if (i < n && d[i] == '}') return 0;
        return raw_fail(jc, i, "expected ',' or '}'");
    }
}

typedef struct mq {
    size_t at, k;         /* where the merge starts, its index */
    const char *sa, *sb;
    size_t la, lb;
    uint64_t ha, hb;
} mq;

/* Resolve a batch of parsed merges in order.  The merged token is first
 * tried at the id after the previous merge's (merge lists made from ranks,
 * o200k and llama3, make their tokens in id order): a text comparison
 * instead of a look-up, valid only when no text was entered twice (then
 * the map's answer for a text is the one token that has it). */
static int resolve_merges(tok_jctx *jc, tok_bpe_merges *mg, const char *prefix, const tok_strmap *ids,
                          const tok_vocab *v, bool guess_ok, mq *q, size_t nq, int32_t *prev, tok_sbuf *buf)
{
    for (size_t j = 0; j < nq; j++) {
        q[j].ha = tok_hash_bytes(q[j].sa, q[j].la);
        q[j].hb = tok_hash_bytes(q[j].sb, q[j].lb);
        tok_strmap_prefetch(ids, q[j].ha);
        tok_strmap_prefetch(ids, q[j].hb);
    }
    size_t pl0 = prefix ? strlen(prefix) : 0;
    for (size_t j = 0; j < nq; j++) {
        const mq *x = &q[j];
        char why[300];
        int32_t a = tok_strmap_get_hashed(ids, x->sa, x->la, x->ha), c = tok_strmap_get_hashed(ids, x->sb, x->lb, x->hb);
        if (a < 0 || c < 0) {
            snprintf(why, sizeof why, "merge token \"%.*s\" is not in the vocabulary", (int)(a < 0 ? x->la : x->lb),
                     a < 0 ? x->sa : x->sb);
            tok_jpush_index(jc, x->k);
            return raw_fail(jc, x->at, why);
        }
        size_t pl = pl0 > x->lb ? x->lb : pl0, ml = x->la + x->lb - pl;
        int32_t nid = -1, g = *prev + 1;
        if (guess_ok && g > 0 && (size_t)g < v->n) {
            const tok_token *t = &v->tok[g];
            if (!(t->flags & TOK_TOKEN_NONE) && (t->flags & TOK__IN_MODEL) && t->text_len == ml &&
                !memcmp(t->text, x->sa, x->la) && !memcmp(t->text + x->la, x->sb + pl, x->lb - pl))
                nid = g;
        }
        if (nid < 0) {
            buf->n = 0;
            if (tok_sbuf_put(buf, x->sa, x->la) || tok_sbuf_put(buf, x->sb + pl, x->lb - pl))
                return tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"), -1;
            nid = tok_strmap_get(ids, buf->v, buf->n);
            if (nid < 0) {
                snprintf(why, sizeof why, "merged token \"%.*s\" is not in the vocabulary", (int)buf->n, buf->v);
                tok_jpush_index(jc, x->k);
                return raw_fail(jc, x->at, why);
            }
        }
        if (tok_vec_push(mg, ((tok_bpe_merge){ a, c, nid }))) return tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"), -1;
        *prev = nid;
    }
    return 0;
}

static int merges_from_text(tok_jctx *jc, tok_bpe_merges *mg, const char *prefix, const tok_strmap *ids,
                            const tok_vocab *v, bool guess_ok, tok_sbuf *ka, tok_sbuf *kb, tok_sbuf *buf)
{
    const char *d = jc->raw;
    size_t n = jc->raw_merges[1], i = tok_rawjson_ws(d, n, jc->raw_merges[0] + 1);
    if (i < n && d[i] == ']') return 0;
    mq q[BATCH];
    size_t nq = 0;
    int32_t prev = -2;
    /* a malformed merge is reported after the merges before it are resolved
     * (one of them may fail first, as when they were read one by one) */
    size_t bad_at = 0;
    const char *bad = NULL;
    for (size_t k = 0;; k++) {
        size_t at = i;
        mq *x = &q[nq];
        tok_sbuf *A = &ka[nq], *B = &kb[nq];
        x->at = at;
        x->k = k;
        if (i < n && d[i] == '"') {
            if (tok_rawjson_string(d, n, &i, A)) { bad = "malformed merge string"; bad_at = at; }
            else {
                x->sa = A->v ? A->v : "";
                if (split_merge(x->sa, A->n, &x->la, &x->sb, &x->lb)) {
                    bad = "merge is not two tokens separated by one space";
                    bad_at = at;
                }
            }
        } else if (i < n && d[i] == '[') {
            i = tok_rawjson_ws(d, n, i + 1);
            if (tok_rawjson_string(d, n, &i, A)) bad = "expected a merge as [\"a\", \"b\"]";
            else if ((i = tok_rawjson_ws(d, n, i)) >= n || d[i] != ',') bad = "expected a merge as [\"a\", \"b\"]";
            else if ((i = tok_rawjson_ws(d, n, i + 1), tok_rawjson_string(d, n, &i, B))) bad = "expected a merge as [\"a\", \"b\"]";
            else if ((i = tok_rawjson_ws(d, n, i)) >= n || d[i] != ']') bad = "expected ']' after a merge pair";
            bad_at = i;
            if (!bad) {
                i++;
                x->sa = A->v ? A->v : "";
                x->la = A->n;
                x->sb = B->v ? B->v : "";
                x->lb = B->n;
            }
        } else {
            bad = "expected a merge as \"a b\" or [\"a\", \"b\"]";
            bad_at = i;
        }
        bool end = false;
        if (!bad) {
            nq++;
            i = tok_rawjson_ws(d, n, i);
            if (i < n && d[i] == ',') i = tok_rawjson_ws(d, n, i + 1);
            else if (i < n && d[i] == ']') end = true;
            else { bad = "expected ',' or ']'"; bad_at = i; }
        }
        if (nq == BATCH || end || bad) {
            if (resolve_merges(jc, mg, prefix, ids, v, guess_ok, q, nq, &prev, buf)) return -1;
            nq = 0;
        }
        if (bad) {
            tok_jpush_index(jc, k);
            return raw_fail(jc, bad_at, bad);
        }
        if (end) return 0;
    }
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* libtok's compact format: records instead of JSON (tokenizer/pack.c). */
static int vocab_from_pack(tok_jctx *jc, tok_vocab *v)
{
    const uint8_t *p = jc->pack_vocab, *end = p + jc->pack_vocab_len;
    for (size_t i = 0; i < jc->pack_nvocab; i++) {
        if (end - p < 8) return tok_jfail(jc, TOK_ERR_FORMAT, "truncated vocabulary record %zu", i), -1;
        uint32_t id = rd32(p), len = rd32(p + 4);
        if ((size_t)(end - p - 8) < len) return tok_jfail(jc, TOK_ERR_FORMAT, "truncated vocabulary record %zu", i), -1;
        if (id >= (1u << 30)) return tok_jfail(jc, TOK_ERR_FORMAT, "vocabulary record %zu: id %u out of range", i, id), -1;
        /* as JSON guarantees for the other readers */
        if (!jc->pack_vocab_made && tok_utf8_check(p + 8, len) != len)
            return tok_jfail(jc, TOK_ERR_FORMAT, "vocabulary record %zu: token text is not UTF-8", i), -1;
        if (tok_vocab_set(v, (int32_t)id, (const char *)p + 8, len, 0, TOK__IN_MODEL, jc->err)) return tok_jwrap(jc), -1;
        p += 8 + len;
    }
    return 0;
}

static int merges_from_pack(tok_jctx *jc, tok_bpe_merges *mg, const tok_vocab *v)
{
    const uint8_t *p = jc->pack_merges;
    if (tok_vec_reserve(mg, jc->pack_nmerges)) return tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"), -1;
    const uint64_t *nm = jc->pack_notmodel;
    uint32_t n = (uint32_t)(v->n < UINT32_MAX ? v->n : UINT32_MAX);
    for (size_t i = 0; i < jc->pack_nmerges; i++, p += 12) {
        uint32_t a = rd32(p), b = rd32(p + 4), c = rd32(p + 8);
        /* two branches a merge that are never taken in a good file; the
         * model tokens' bits (a prebuilt vocabulary) stay in cache, where
         * the tokens' flags would be three misses a merge */
        bool bad = (a >= n) | (b >= n) | (c >= n);
        if (!bad)
            bad = nm ? (nm[a >> 6] >> (a & 63) | nm[b >> 6] >> (b & 63) | nm[c >> 6] >> (c & 63)) & 1
                     : ((v->tok[a].flags | v->tok[b].flags | v->tok[c].flags) & TOK_TOKEN_NONE) != 0;
        if (bad) return tok_jfail(jc, TOK_ERR_FORMAT, "merge %zu names an unknown id", i), -1;
        mg->v[mg->n++] = (tok_bpe_merge){ (int32_t)a, (int32_t)b, (int32_t)c };
    }
    return 0;
}

tok_model *tok_bpe_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v)
{
    const char *unk = NULL, *pre = NULL, *suf = NULL;
    double dropout = 0;
    bool fuse = false, bf = false, ign = false, ranked = false;
    json_t *voc = NULL, *merges = NULL;
    tok_strmap ids = { 0 };
    tok_sbuf k1 = { 0 }, k2 = { 0 }, buf = { 0 };
    tok_sbuf ka[BATCH] = { { 0 } }, kb[BATCH] = { { 0 } };
    size_t dups = 0;
    tok_bpe_merges mg = { 0 };
    tok_model *m = NULL;
    if (tok_jstr(jc, j, "unk_token", &unk, NULL, false) ||
        tok_jstr(jc, j, "continuing_subword_prefix", &pre, NULL, false) ||
        tok_jstr(jc, j, "end_of_word_suffix", &suf, NULL, false) ||
        tok_jnum(jc, j, "dropout", &dropout, false) ||
        tok_jbool(jc, j, "fuse_unk", &fuse, false) ||
        tok_jbool(jc, j, "byte_fallback", &bf, false) ||
        tok_jbool(jc, j, "ignore_merges", &ign, false) ||
        tok_jobj(jc, j, "vocab", &voc, true) ||
        tok_jarr(jc, j, "merges", &merges, false) ||
        tok_jbool(jc, j, "libtok_ranked", &ranked, false))
        goto fail;
    if (dropout < 0 || dropout > 1) {
        size_t s = tok_jpush(jc, "dropout");
        tok_jfail(jc, TOK_ERR_FORMAT, "dropout %g is not in [0, 1]", dropout);
        tok_jpop(jc, s);
        goto fail;
    }
    const char *prefix = pre && *pre ? pre : NULL;
    bool empty = json_object_size(voc) == 0 && (!merges || json_array_size(merges) == 0);
    bool raw = jc->raw && empty, pack = jc->pack_vocab && empty;

    size_t saved = tok_jpush(jc, "vocab");
    /* text -> id, to resolve merges by text (the compact format has them as ids) */
    if (!pack && tok_strmap_init(&ids, raw ? (jc->raw_vocab[1] - jc->raw_vocab[0]) / 24 : json_object_size(voc))) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (raw) {
        /* about one ':' an entry (a few more inside token texts), at most one
         * entry per 6 bytes: the token array allocated once, not doubled */
        size_t span = jc->raw_vocab[1] - jc->raw_vocab[0], colons = tok_rawjson_count(jc->raw + jc->raw_vocab[0], span, ':');
        if (tok_vocab_reserve(v, colons < span / 6 ? colons : span / 6)) {
            tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    if (pack ? vocab_from_pack(jc, v) : raw ? vocab_from_text(jc, v, &ids, &k1, &dups) : vocab_from_tree(jc, voc, v, &ids))
        goto fail;
    if (dups) {
        /* a text entered twice: the later entry is the one a JSON object
         * (and HF's map) keeps; the earlier id holds nothing */
        for (size_t i = 0; i < v->n; i++) {
            tok_token *t = &v->tok[i];
            if (t->flags == TOK_TOKEN_NONE || !(t->flags & TOK__IN_MODEL)) continue;
            if (tok_strmap_get(&ids, t->text, t->text_len) != (int32_t)i) *t = (tok_token){ .flags = TOK_TOKEN_NONE };
        }
    }
    tok_jpop(jc, saved);
    if (!ranked) {
        saved = tok_jpush(jc, "merges");
        if (pack) {
            if (merges_from_pack(jc, &mg, v)) goto fail;
        } else if (raw ? merges_from_text(jc, &mg, prefix, &ids, v, dups == 0, ka, kb, &buf)
                       : merges && merges_from_tree(jc, &mg, prefix, merges, &ids, &buf)) {
            goto fail;
        }
        tok_jpop(jc, saved);
    }
    tok_bpe_spec spec = { unk, pre, suf, (float)dropout, fuse, bf, ign, ranked };
    if (!(m = tok__bpe_new(&spec)) || tok__bpe_add_merges(m, mg.v, mg.n)) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (jc->pack_bt) tok__bpe_use_tables(m, jc->pack_bt);
    goto done;
fail:
    if (m) tok_model_free(m);
    m = NULL;
done:
    tok_strmap_free(&ids);
    tok_vec_free(&k1);
    tok_vec_free(&k2);
    tok_vec_free(&buf);
    for (int i = 0; i < BATCH; i++) tok_vec_free(&ka[i]), tok_vec_free(&kb[i]);
    tok_vec_free(&mg);
    return m;
}

/* ---- writing ------------------------------------------------------------ */

json_t *tok__bpe_to_json(const tok_model *m, const tok_vocab *v)
{
    tok_bpe_spec b;
    tok__bpe_get_spec(m, &b);
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("BPE"));
    json_object_set_new(j, "dropout", b.dropout > 0 ? json_real(b.dropout) : json_null());
    json_object_set_new(j, "unk_token", b.unk_token ? json_string(b.unk_token) : json_null());
    json_object_set_new(j, "continuing_subword_prefix", m->cont_prefix ? json_string(m->cont_prefix) : json_null());
    json_object_set_new(j, "end_of_word_suffix", m->eow_suffix ? json_string(m->eow_suffix) : json_null());
    json_object_set_new(j, "fuse_unk", json_boolean(m->fuse_unk));
    json_object_set_new(j, "byte_fallback", json_boolean(m->byte_fallback));
    /* tiktoken takes a pre-token that is a token as that token: HF's ignore_merges */
    json_object_set_new(j, "ignore_merges", json_boolean(b.ignore_merges || b.ranked));
    /* libtok reads its merges from the ranks (exact tiktoken rule); HF, which
     * ignores model keys it does not know, uses the merges written below */
    if (b.ranked) json_object_set_new(j, "libtok_ranked", json_true());
    json_t *voc = json_object();
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        if ((t->flags & TOK_TOKEN_NONE) || !(t->flags & TOK__IN_MODEL)) continue;
        json_object_setn_new_nocheck(voc, t->text, t->text_len, json_integer((json_int_t)i));
    }
    json_object_set_new(j, "vocab", voc);
    json_t *mg = json_array();
    /* a rank vocabulary writes its derived merges (what HF needs to match) */
    size_t mn = m->vt->merge_count(m);
    for (size_t i = 0; i < mn; i++) {
        int32_t g[3];
        if (m->vt->merge_get(m, i, g)) break;
        json_t *pr = json_array();
        json_array_append_new(pr, json_stringn(v->tok[g[0]].text, v->tok[g[0]].text_len));
        json_array_append_new(pr, json_stringn(v->tok[g[1]].text, v->tok[g[1]].text_len));
        json_array_append_new(mg, pr);
    }
    json_object_set_new(j, "merges", mg);
    return j;
}
