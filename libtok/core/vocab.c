/* The vocabulary: id <-> token text (file form) and model bytes, with flags. */
#include "../internal.h"

#include <stdio.h>

void tok_vocab_init(tok_vocab *v)
{
    memset(v, 0, sizeof *v);
    for (int i = 0; i < 256; i++) v->byte_id[i] = -1;
    v->unk_id = -1;
}

static void index_free(tok_vocab_index *x)
{
    if (!x->borrowed) free(x->slot);
    memset(x, 0, sizeof *x);
}

void tok_vocab_free(tok_vocab *v)
{
    for (size_t i = 0; i < v->pool.n; i++) free(v->pool.v[i]);
    tok_vec_free(&v->pool);
    free(v->tok);
    index_free(&v->by_text);
    index_free(&v->by_bytes);
    memset(v, 0, sizeof *v);
}

static inline void key_of(const tok_token *t, bool bytes, const void **k, size_t *n)
{
    *k = bytes ? (const void *)t->bytes : (const void *)t->text;
    *n = bytes ? t->nbytes : t->text_len;
}

int32_t tok__vocab_lookup(const tok_vocab *v, const tok_vocab_index *x, bool bytes, const void *key, size_t len)
{
    if (!x->slot) return -1;
    uint64_t h = tok_hash_bytes(key, len);
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & x->mask;
    for (size_t probes = 0; probes <= x->mask; probes++, i = (i + 1) & x->mask) {
        uint64_t s = x->slot[i];
        if (!s) return -1;
        uint32_t id1 = (uint32_t)s;
        if ((uint32_t)(s >> 32) != tag || id1 == 0 || id1 > v->n) continue;
        const tok_token *t = &v->tok[id1 - 1];
        const void *k;
        size_t n;
        key_of(t, bytes, &k, &n);
        if (n == len && !(t->flags & TOK_TOKEN_NONE) && (len == 0 || !memcmp(k, key, len))) return (int32_t)(id1 - 1);
    }
    return -1;
}

/* Enter id under its key; an equal key takes the new id (the caller goes
 * from the highest id down, so the lowest wins). */
static void index_put(const tok_vocab *v, tok_vocab_index *x, bool bytes, size_t id, uint64_t h)
{
    const void *k;
    size_t n;
    key_of(&v->tok[id], bytes, &k, &n);
    uint64_t slot = (h >> 32) << 32 | (uint64_t)(id + 1);
    for (size_t i = (size_t)h & x->mask;; i = (i + 1) & x->mask) {
        uint64_t s = x->slot[i];
        if (!s) {
            x->slot[i] = slot;
            return;
        }
        if ((s >> 32) != (h >> 32)) continue;
        const void *k2;
        size_t n2;
        key_of(&v->tok[(uint32_t)s - 1], bytes, &k2, &n2);
        if (n2 == n && (n == 0 || !memcmp(k2, k, n))) {
            x->slot[i] = slot;
            return;
        }
    }
}

static int index_init(tok_vocab_index *x, size_t n)
{
    index_free(x);
    size_t c = 16;
    while (c < 2 * n) c *= 2;
    if (!(x->slot = tok__big_alloc(c * sizeof *x->slot))) return -1;
    memset(x->slot, 0, c * sizeof *x->slot);
    x->mask = c - 1;
    return 0;
}

const char *tok_vocab_strdup(tok_vocab *v, const char *s, size_t n)
{
    if (v->pool.n == 0 || v->pool_size - v->pool_used < n + 1) {
        /* blocks grow from 4 KiB to 4 MiB: a small vocabulary takes little,
         * a large one sits on few (huge) pages */
        size_t block = v->pool.n < 10 ? (size_t)4096 << v->pool.n : (size_t)4 << 20;
        size_t size = n + 1 > block ? n + 1 : block;
        char *b = tok__big_alloc(size);
        if (!b || tok_vec_push(&v->pool, b)) {
            free(b);
            return NULL;
        }
        v->pool_size = size;
        v->pool_used = 0;
    }
    char *d = v->pool.v[v->pool.n - 1] + v->pool_used;
    if (n) memcpy(d, s, n);
    d[n] = 0;
    v->pool_used += n + 1;
    return d;
}

/* room for the added tokens real files number past the model (a tiktoken
 * encoding's specials go up to 200018, whatever the file's size) */
#define ID_SLACK ((size_t)1 << 18)

void tok_vocab_limit_ids(tok_vocab *v, size_t entries)
{
    size_t lim = ID_SLACK + 2 * entries;
    v->id_limit = lim < ((size_t)1 << 30) ? lim : ((size_t)1 << 30);
}

int tok_vocab_reserve(tok_vocab *v, size_t n)
{
    if (v->id_limit && n > v->id_limit) n = v->id_limit;
    if (n <= v->cap) return 0;
    size_t old = v->cap;
    if (tok__grow((void **)&v->tok, &v->cap, n, sizeof *v->tok)) return -1;
    for (size_t i = old; i < v->cap; i++) {
        memset(&v->tok[i], 0, sizeof v->tok[i]);
        v->tok[i].flags = TOK_TOKEN_NONE;
    }
    return 0;
}

tok_status tok_vocab_set(tok_vocab *v, int32_t id, const char *text, size_t len,
                         float score, uint32_t flags, tok_error *err)
{
    if (id < 0 || id >= (1 << 30))
        return tok__fail(err, TOK_ERR_FORMAT, "token id %ld out of range", (long)id);
    /* HF and tiktoken would take a sparse id (their vocabularies are hash
     * maps); a dense table sized by it would not be bounded by the file */
    if (v->id_limit && (size_t)id >= v->id_limit)
        return tok__fail(err, TOK_ERR_FORMAT, "token \"%.*s\" has id %ld, far more ids than the file has "
                         "entries (libtok accepts ids below %zu here)", len > 40 ? 40 : (int)len,
                         text, (long)id, v->id_limit);
    v->prebuilt = false; /* the given maps would not know the change */
    if ((size_t)id >= v->n) {
        size_t old = v->cap;
        if (tok__grow((void **)&v->tok, &v->cap, (size_t)id + 1, sizeof *v->tok))
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        for (size_t i = old; i < v->cap; i++) {
            memset(&v->tok[i], 0, sizeof v->tok[i]);
            v->tok[i].flags = TOK_TOKEN_NONE;
        }
        v->n = (size_t)id + 1;
    }
    tok_token *t = &v->tok[id];
    /* Two model tokens at one id: HF takes them (its vocabulary is a map
     * from text) and decodes the id to either one, by hash order; there is
     * no behaviour to match, and one of the texts would be lost here. */
    if (t->flags != TOK_TOKEN_NONE && (t->flags & TOK__IN_MODEL) && (flags & TOK__IN_MODEL))
        return tok__fail(err, TOK_ERR_FORMAT, "tokens \"%.*s\" and \"%.*s\" both have id %ld",
                         t->text_len > 40 ? 40 : (int)t->text_len, t->text, len > 40 ? 40 : (int)len, text, (long)id);
    const char *d = tok_vocab_strdup(v, text, len);
    if (!d) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    uint32_t old = t->flags == TOK_TOKEN_NONE ? 0 : t->flags;
    t->text = d;
    t->text_len = (uint32_t)len;
    t->bytes = (const uint8_t *)d;
    t->nbytes = (uint32_t)len;
    t->score = score;
    t->flags = old | flags;
    return TOK_OK;
}

int tok_byte_piece(const char *s, size_t n)
{
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    int v = 0;
    for (int i = 3; i < 5; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decode a GPT-2 alphabet string into raw bytes (in place is safe: never longer). */
static int bytelevel_decode(const char *s, size_t n, uint8_t *out, size_t *outlen)
{
    size_t i = 0, k = 0;
    const uint8_t *u = (const uint8_t *)s;
    while (i < n) {
        size_t len;
        uint32_t cp;
        /* the alphabet is U+0021..U+0143: one or two bytes, decoded inline */
        if (u[i] < 0x80) {
            cp = u[i];
            len = 1;
        } else if (u[i] >= 0xC2 && u[i] <= 0xDF && i + 1 < n && (u[i + 1] & 0xC0) == 0x80) {
            cp = (uint32_t)(u[i] & 0x1F) << 6 | (u[i + 1] & 0x3F);
            len = 2;
        } else {
            cp = tok_utf8_decode(u + i, n - i, &len);
        }
        int b = cp == TOK_UTF8_BAD ? -1 : tok_bytelevel_byte(cp);
        if (b < 0) return -1;
        out[k++] = (uint8_t)b;
        i += len;
    }
    *outlen = k;
    return 0;
}

/* byte_id[] and model_n of a prebuilt vocabulary */
static void finish_prebuilt(tok_vocab *v)
{
    for (int i = 0; i < 256; i++) v->byte_id[i] = -1;
    v->model_n = 0;
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        if ((t->flags & TOK_TOKEN_NONE) || !(t->flags & TOK__IN_MODEL)) continue;
        v->model_n = i + 1;
        if (!(t->flags & TOK_TOKEN_BYTE)) continue;
        int b = v->byte_level ? (t->nbytes ? t->bytes[0] : -1) : tok_byte_piece(t->text, t->text_len);
        if (b >= 0 && v->byte_id[b] < 0) v->byte_id[b] = (int32_t)i;
    }
}

tok_status tok_vocab_finish(tok_vocab *v, bool byte_level, const char *cont_prefix, tok_error *err)
{
    if (v->prebuilt && v->byte_level == byte_level) {
        finish_prebuilt(v);
        v->prebuilt = false;
        return TOK_OK;
    }
    v->prebuilt = false;
    v->byte_level = byte_level;
    /* sized by the tokens there are, not the id range (which may have holes) */
    size_t present = 0;
    for (size_t i = 0; i < v->n; i++) present += !(v->tok[i].flags & TOK_TOKEN_NONE);
    if (index_init(&v->by_text, present) || index_init(&v->by_bytes, present))
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    size_t cpl = cont_prefix ? strlen(cont_prefix) : 0;
    for (int i = 0; i < 256; i++) v->byte_id[i] = -1;
    size_t model_n = 0;
    /* Insert in reverse so that on duplicate texts the lowest id wins; keys
     * hashed AHEAD entries before they are entered and their slots
     * prefetched, so that the misses in two maps of 10^5 slots overlap. */
#define AHEAD 16
    uint64_t hq[AHEAD];
    for (size_t i = v->n, j = v->n; i-- > 0;) {
        for (; j > 0 && j + AHEAD > i + 1; j--) { /* hash ids down to i - AHEAD + 1 */
            const tok_token *u = &v->tok[j - 1];
            if (u->flags & TOK_TOKEN_NONE) continue;
            uint64_t h = tok_hash_bytes(u->text, u->text_len);
            hq[(j - 1) % AHEAD] = h;
            __builtin_prefetch(&v->by_text.slot[(size_t)h & v->by_text.mask]);
        }
        tok_token *t = &v->tok[i];
        t->flags &= ~(uint32_t)TOK__INDEX_BYTES; /* set below only (a file's flags never carry it) */
        if (t->flags & TOK_TOKEN_NONE) continue;
        index_put(v, &v->by_text, false, i, hq[i % AHEAD]);
        if (!(t->flags & TOK__IN_MODEL)) continue;
        if (i + 1 > model_n) model_n = i + 1;
        t->bytes = (const uint8_t *)t->text;
        t->nbytes = t->text_len;
        if (byte_level) {
            uint8_t *buf = (uint8_t *)tok_vocab_strdup(v, t->text, t->text_len);
            size_t bl;
            if (!buf) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
            if (bytelevel_decode(t->text, t->text_len, buf, &bl) == 0) {
                t->bytes = buf;
                t->nbytes = (uint32_t)bl;
            } else {
                t->flags |= TOK_TOKEN_UNREACHABLE;
                continue;
            }
            if (t->nbytes == 1) t->flags |= TOK_TOKEN_BYTE | TOK_TOKEN_BYTE_CHAR;
            if (t->nbytes && t->bytes[0] == ' ') t->flags |= TOK_TOKEN_WORD_START;
        } else {
            int b = tok_byte_piece(t->text, t->text_len);
            if (b >= 0) t->flags |= TOK_TOKEN_BYTE | TOK_TOKEN_BYTE_FALLBACK;
            if (t->text_len >= 3 && memcmp(t->text, "\xE2\x96\x81", 3) == 0) t->flags |= TOK_TOKEN_WORD_START;
        }
        if (cpl && t->text_len > cpl && memcmp(t->text, cont_prefix, cpl) == 0)
            t->flags |= TOK_TOKEN_CONTINUATION;
        t->flags |= TOK__INDEX_BYTES; /* entered below */
    }
    /* the model bytes, in the same order */
    for (size_t i = v->n, j = v->n; i-- > 0;) {
        for (; j > 0 && j + AHEAD > i + 1; j--) {
            const tok_token *u = &v->tok[j - 1];
            if (!(u->flags & TOK__INDEX_BYTES)) continue;
            uint64_t h = tok_hash_bytes(u->bytes, u->nbytes);
            hq[(j - 1) % AHEAD] = h;
            __builtin_prefetch(&v->by_bytes.slot[(size_t)h & v->by_bytes.mask]);
        }
        tok_token *t = &v->tok[i];
        if (!(t->flags & TOK__INDEX_BYTES)) continue;
        t->flags &= ~(uint32_t)TOK__INDEX_BYTES;
        index_put(v, &v->by_bytes, true, i, hq[i % AHEAD]);
    }
#undef AHEAD
    v->model_n = model_n;
    for (size_t i = 0; i < v->n; i++) {
        tok_token *t = &v->tok[i];
        if ((t->flags & TOK_TOKEN_NONE) || !(t->flags & TOK__IN_MODEL) || !(t->flags & TOK_TOKEN_BYTE)) continue;
        int b = byte_level ? t->bytes[0] : tok_byte_piece(t->text, t->text_len);
        if (b >= 0 && v->byte_id[b] < 0) v->byte_id[b] = (int32_t)i;
    }
    return TOK_OK;
}
