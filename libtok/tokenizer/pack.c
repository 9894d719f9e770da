/*
 * libtok's native format (.tokpack, format 3): a file that is mapped and used
 * in place.  Little-endian, every section at a multiple of 64 bytes:
 *
 *   0   "TOKPACK3"
 *   8   u32 0x01020304 (byte order)   u32 nsect
 *   16  u64 file length               u64 0
 *   32  nsect x { char tag[4], u32 count, u64 offset, u64 length }
 *
 *   JSON  the tokenizer.json tree (pipeline, added tokens, the model's
 *         settings) with a BPE model's vocab and merges left empty
 *   VOCB  count records { u32 id, u32 len, bytes } : the BPE vocabulary
 *   MRGS  count x { u32 a, u32 b, u32 merged } : merges as ids, rank order
 *   VMET  the vocabulary whole, as the tokenizer holds it after loading:
 *   VTOK  n x { u32 text, u32 text_len, u32 bytes, u32 nbytes, f32 score,
 *         u32 flags } (offsets into VSTR, whose strings end with a NUL;
 *         the texts come first, VSTR's count is the length of their region),
 *   VSTR  VHTX VHBY  the text -> id and model bytes -> id indexes
 *         (tok_vocab_index slots, used in place), so that nothing is hashed
 *   BTMT  the fast-path tables' sizes and the layout they were written with
 *   BTTI BTPR BTFL TRCL TRBF  those tables (bpe_backtrack.h) as they sit in
 *         memory: per-token info, pair slots, pair filter, trie cells, trie
 *         nodes in breadth-first order; TRDP (optional) the cells' depths,
 *         one byte each, so that the check reads the cells in order rather
 *         than at random along the list; BTIR BTIP (only when there are
 *         irregular tokens, count: how many) their bits by id and by first
 *         two bytes
 *
 * The tables are the costly part of loading a byte-level BPE (a trie and a
 * pair table over 200k tokens); here they are used where they lie, after
 * bounds checks in linear time, and are rebuilt when the file's layout is
 * not this library's.  Compressed (zstd) files are decompressed into memory.
 * The first format ("TOKPACK2" in a zstd frame) is read by pack_legacy.c.
 */
#include "../core/json.h"
#include "../models/bpe.h"
#include "../models/bpe_backtrack.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#define ALIGN 64
#define MAX_SECT 20

typedef struct sect {
    char tag[4];
    uint32_t count;
    uint64_t off, len;
} sect;

/* A tripwire for whoever changes the tables: every member of tok_bpe_bt and
 * tok_trie is stored below (put_tables) and checked (tok_bpe_bt_check); a
 * new one must be too, with TOK_BPE_BT_LAYOUT bumped.  (The whole-piece
 * tables, bt.whole, are optional sections BWH1/BWH2, range-checked on use;
 * bt.bpair and bt.irr_quad are not stored: derived on adoption.) */
_Static_assert(sizeof(tok_bpe_bt) == 192 && sizeof(tok_trie) == 32,
               "tok_bpe_bt changed: store and check its new tables in .tokpack (pack.c) and bump TOK_BPE_BT_LAYOUT");

/* the tables' sizes; a file written with another layout is not used */
typedef struct btmeta {
    uint32_t layout, tinfo_size, pslot_size, cell_size;
    uint32_t filter_bits, n, ncells, nnodes;
    uint32_t nkeys, max_len;
    uint64_t pmask, hash_probe;
} btmeta;

static uint64_t hash_probe(void) { return tok_hash64(0x0123456789ABCDEFULL); }
static uint64_t bytes_probe(void) { return tok_hash_bytes("libtok .tokpack", 15); }

typedef struct vmeta {
    uint32_t n, byte_level;
    uint64_t hash_probe;
} vmeta;

typedef struct vtok {
    uint32_t text, text_len, bytes, nbytes;
    float score;
    uint32_t flags;
} vtok;

/* ---- writing ------------------------------------------------------------ */

typedef struct writer {
    tok_sbuf b;
    sect s[MAX_SECT];
    uint32_t n;
    int bad;
} writer;

static void put(writer *w, const void *p, size_t n) { w->bad |= tok_sbuf_put(&w->b, p, n); }
static void put32(writer *w, uint32_t x) { put(w, &x, 4); }

static void begin(writer *w, const char *tag)
{
    while (w->b.n % ALIGN) put(w, "", 1);
    memcpy(w->s[w->n].tag, tag, 4);
    w->s[w->n].off = w->b.n;
    w->s[w->n].count = 0;
}

static void end(writer *w, uint32_t count)
{
    w->s[w->n].count = count;
    w->s[w->n].len = w->b.n - w->s[w->n].off;
    w->n++;
}

static void section(writer *w, const char *tag, const void *p, size_t len, uint32_t count)
{
    begin(w, tag);
    put(w, p, len);
    end(w, count);
}

/* VOCB and MRGS from the tree's model (emptied in the tree by the caller) */
static void put_bpe(writer *w, const tok_tokenizer *t, json_t *model, json_t *voc, json_t *merges)
{
    begin(w, "VOCB");
    const char *k;
    size_t kl;
    json_t *v;
    json_object_keylen_foreach(voc, k, kl, v) {
        put32(w, (uint32_t)json_integer_value(v));
        put32(w, (uint32_t)kl);
        put(w, k, kl);
    }
    end(w, (uint32_t)json_object_size(voc));
    bool ranked = json_is_true(json_object_get(model, "libtok_ranked"));
    size_t nm = ranked ? 0 : json_array_size(merges);
    const char *pre = t->model->cont_prefix;
    size_t pl = pre ? strlen(pre) : 0;
    tok_sbuf m = { 0 };
    begin(w, "MRGS");
    for (size_t i = 0; i < nm; i++) {
        json_t *e = json_array_get(merges, i), *x = json_array_get(e, 0), *y = json_array_get(e, 1);
        const char *xs = json_string_value(x), *ys = json_string_value(y);
        size_t xl = json_string_length(x), yl = json_string_length(y);
        if (json_is_string(e) && (ys = memchr(json_string_value(e), ' ', json_string_length(e)))) {
            xs = json_string_value(e);
            xl = (size_t)(ys - xs);
            ys++;
            yl = json_string_length(e) - xl - 1;
        }
        size_t skip = pl < yl ? pl : yl;
        m.n = 0;
        w->bad |= tok_sbuf_put(&m, xs, xl) | tok_sbuf_put(&m, ys + skip, yl - skip);
        put32(w, (uint32_t)tok_vocab_id(&t->vocab, xs, xl));
        put32(w, (uint32_t)tok_vocab_id(&t->vocab, ys, yl));
        put32(w, (uint32_t)tok_vocab_id(&t->vocab, m.v ? m.v : "", m.n));
    }
    end(w, (uint32_t)nm);
    tok_vec_free(&m);
}

/* the loaded vocabulary whole: tokens, strings, both maps */
static void put_vocab(writer *w, const tok_vocab *v)
{
    uint32_t *toff = malloc((v->n + 1) * sizeof *toff), *boff = malloc((v->n + 1) * sizeof *boff);
    if (!toff || !boff) {
        w->bad = 1;
        goto out;
    }
    vmeta m = { (uint32_t)v->n, v->byte_level, bytes_probe() };
    section(w, "VMET", &m, sizeof m, 1);
    /* all texts first, then the model bytes that differ from them: the
     * texts are then one UTF-8 region (its length in the section's count),
     * checked in one pass when the file is opened */
    begin(w, "VSTR");
    size_t base = w->b.n;
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        toff[i] = boff[i] = 0;
        if (t->flags & TOK_TOKEN_NONE) continue;
        toff[i] = boff[i] = (uint32_t)(w->b.n - base);
        put(w, t->text, t->text_len);
        put(w, "", 1);
    }
    size_t texts = w->b.n - base;
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        if ((t->flags & TOK_TOKEN_NONE) || (const char *)t->bytes == t->text) continue;
        boff[i] = (uint32_t)(w->b.n - base);
        put(w, t->bytes, t->nbytes);
        put(w, "", 1);
    }
    end(w, texts < UINT32_MAX ? (uint32_t)texts : 0);
    begin(w, "VTOK");
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        vtok x = { toff[i], t->text_len, boff[i], t->nbytes, t->score, t->flags };
        put(w, &x, sizeof x);
    }
    end(w, (uint32_t)v->n);
    section(w, "VHTX", v->by_text.slot, (v->by_text.mask + 1) * sizeof *v->by_text.slot, 0);
    section(w, "VHBY", v->by_bytes.slot, (v->by_bytes.mask + 1) * sizeof *v->by_bytes.slot, 0);
out:
    free(toff);
    free(boff);
}

static void put_tables(writer *w, const tok_bpe_bt *bt)
{
    btmeta m = { TOK_BPE_BT_LAYOUT, sizeof(tok_bpe_tinfo), sizeof(tok_bpe_pslot), sizeof(tok_trie_cell),
                 64 - bt->fshift, bt->n, bt->trie.ncells, bt->trie.nnodes,
                 bt->trie.nkeys, bt->trie.max_len, bt->pmask, hash_probe() };
    section(w, "BTMT", &m, sizeof m, 1);
    section(w, "BTTI", bt->t, (size_t)bt->n * sizeof *bt->t, bt->n);
    section(w, "BTPR", bt->pairs, (bt->pmask + 1) * sizeof *bt->pairs, 0);
    section(w, "BTFL", bt->filter, ((size_t)1 << (64 - bt->fshift)) / 8, 0);
    section(w, "TRCL", bt->trie.cell, (size_t)bt->trie.ncells * sizeof *bt->trie.cell, bt->trie.ncells);
    section(w, "TRBF", bt->trie.bfs, (size_t)bt->trie.nnodes * sizeof *bt->trie.bfs, bt->trie.nnodes);
    uint8_t *depth = malloc(bt->trie.ncells ? bt->trie.ncells : 1);
    if (!depth) w->bad = 1;
    else if (bt->trie.nnodes && tok_trie_depths(&bt->trie, depth) == bt->trie.nnodes)
        section(w, "TRDP", depth, bt->trie.ncells, 0);
    free(depth);
    if (bt->nirr) { /* irregular tokens (count: how many), and their first two bytes */
        section(w, "BTIR", bt->irr, ((size_t)bt->n / 64 + 1) * 8, bt->nirr);
        section(w, "BTIP", bt->irr_pair, 65536 / 8, 0);
    }
    if (bt->whole.slot) { /* whole-piece tables (count: log2 buckets | whole_ok << 8) */
        const tok_bpe_whole *x = &bt->whole;
        section(w, "BWH1", x->slot, (size_t)64 << x->bb, x->bb | (uint32_t)x->whole_ok << 8);
        section(w, "BWH2", x->slot2, (size_t)64 << x->bb2, x->bb2);
    }
}

/* Written beside and renamed over: a process that has the old file mapped
 * keeps its pages (rewriting in place would pull them from under it). */
static tok_status write_out(const char *path, const void *p, size_t n, tok_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return tok__fail(err, TOK_ERR_IO, "%s: cannot write", path);
    bool ok = fwrite(p, 1, n, f) == n;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path)) {
        remove(tmp);
        return tok__fail(err, TOK_ERR_IO, "%s: cannot write", path);
    }
    return TOK_OK;
}

tok_status tok__save_pack(json_t *root, const tok_tokenizer *t, const char *path, int zlevel, tok_error *err)
{
    writer w = { 0 };
    tok_status st = TOK_OK;
    json_t *model = json_object_get(root, "model");
    json_t *voc = json_object_get(model, "vocab"), *merges = json_object_get(model, "merges");
    bool bpe = t->model->vt->kind == TOK_MODEL_BPE && json_is_object(voc) && json_is_array(merges);
    json_incref(voc);
    json_incref(merges);
    if (bpe) {
        json_object_set_new(model, "vocab", json_object());
        json_object_set_new(model, "merges", json_array());
    }
    char *js = json_dumps(root, JSON_COMPACT);
    if (!js) {
        st = tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    /* header and section table first, filled in at the end */
    put(&w, "TOKPACK3", 8);
    put32(&w, 0x01020304);
    put(&w, (char[20]){ 0 }, 20); /* nsect, length, 0 */
    put(&w, (char[MAX_SECT * sizeof(sect)]){ 0 }, MAX_SECT * sizeof(sect));
    section(&w, "JSON", js, strlen(js), 0);
    free(js);
    if (bpe) {
        put_bpe(&w, t, model, voc, merges);
        if (t->vocab.n < UINT32_MAX && w.b.n < UINT32_MAX / 2) put_vocab(&w, &t->vocab);
    }
    const tok_bpe_bt *bt = tok__bpe_tables(t->model);
    if (bt) put_tables(&w, bt);
    while (w.b.n % ALIGN) put(&w, "", 1);
    if (w.bad) {
        st = tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    uint32_t ns = w.n;
    uint64_t total = w.b.n;
    memcpy(w.b.v + 12, &ns, 4);
    memcpy(w.b.v + 16, &total, 8);
    memcpy(w.b.v + 32, w.s, ns * sizeof(sect));
    if (!zlevel) {
        st = write_out(path, w.b.v, w.b.n, err);
        goto done;
    }
    size_t cap = ZSTD_compressBound(w.b.n);
    void *z = malloc(cap);
    if (!z) {
        st = tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    size_t zn = ZSTD_compress(z, cap, w.b.v, w.b.n, zlevel);
    st = ZSTD_isError(zn) ? tok__fail(err, TOK_ERR_NOMEM, "%s: zstd: %s", path, ZSTD_getErrorName(zn))
                          : write_out(path, z, zn, err);
    free(z);
done:
    if (bpe) {
        json_object_set(model, "vocab", voc);
        json_object_set(model, "merges", merges);
    }
    json_decref(voc);
    json_decref(merges);
    tok_vec_free(&w.b);
    return st;
}

tok_status tok_save_tokpack(const tok_tokenizer *t, const char *path, int zstd_level, tok_error *err)
{
    if (!t || !path) return tok__fail(err, TOK_ERR_ARG, "no tokenizer or path");
    if (zstd_level < 0 || zstd_level > ZSTD_maxCLevel())
        return tok__fail(err, TOK_ERR_ARG, "%s: zstd level %d is not in 0..%d", path, zstd_level, ZSTD_maxCLevel());
    json_t *root = tok__to_json(t);
    if (!root) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    tok_status st = tok__save_pack(root, t, path, zstd_level, err);
    json_decref(root);
    return st;
}

/* ---- reading ------------------------------------------------------------ */

static const sect *find(const sect *s, uint32_t n, const char *tag)
{
    for (uint32_t i = 0; i < n; i++)
        if (!memcmp(s[i].tag, tag, 4)) return &s[i];
    return NULL;
}

/* The stored tables, pointing into the image, checked; -1 with *err set
 * when they are bad; *use false when absent or of another layout. */
static int tables(const uint8_t *d, const sect *s, uint32_t ns, const char *file, tok_bpe_bt *bt,
                          bool *use, tok_error *err)
{
    *use = false;
    const sect *m = find(s, ns, "BTMT");
    if (!m) return 0;
    if (m->len != sizeof(btmeta)) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: BTMT section of %llu bytes, not %zu", file,
                  (unsigned long long)m->off, (unsigned long long)m->len, sizeof(btmeta));
        return -1;
    }
    btmeta mt;
    memcpy(&mt, d + m->off, sizeof mt);
    if (mt.layout != TOK_BPE_BT_LAYOUT || mt.tinfo_size != sizeof(tok_bpe_tinfo) ||
        mt.pslot_size != sizeof(tok_bpe_pslot) || mt.cell_size != sizeof(tok_trie_cell) ||
        mt.filter_bits < 10 || mt.filter_bits > TOK_BPE_FILTER_BITS || mt.hash_probe != hash_probe())
        return 0; /* another library's layout: rebuilt from the vocabulary */
    struct { const char *tag; uint64_t len; void **p; } want[] = {
        { "BTTI", (uint64_t)mt.n * sizeof(tok_bpe_tinfo), (void **)&bt->t },
        { "BTPR", (mt.pmask + 1) * sizeof(tok_bpe_pslot), (void **)&bt->pairs },
        { "BTFL", ((uint64_t)1 << mt.filter_bits) / 8, (void **)&bt->filter }, /* sized by the vocabulary */
        { "TRCL", (uint64_t)mt.ncells * sizeof(tok_trie_cell), (void **)&bt->trie.cell },
        { "TRBF", (uint64_t)mt.nnodes * sizeof(uint32_t), (void **)&bt->trie.bfs },
    };
    if (mt.pmask >= ((uint64_t)1 << 40) || (mt.pmask & (mt.pmask + 1)) || mt.n == 0 || mt.n >= (1u << 30)) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: table sizes out of range (%u ids, %llu pair slots)", file,
                  (unsigned long long)m->off, mt.n, (unsigned long long)mt.pmask + 1);
        return -1;
    }
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const sect *x = find(s, ns, want[i].tag);
        if (!x || x->len != want[i].len) {
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: section %s %s (%llu bytes; the sizes in BTMT say %llu)",
                      file, (unsigned long long)(x ? x->off : m->off), want[i].tag, x ? "has the wrong size" : "is missing",
                      (unsigned long long)(x ? x->len : 0), (unsigned long long)want[i].len);
            return -1;
        }
        *want[i].p = (void *)(d + x->off);
    }
    bt->n = mt.n;
    bt->pmask = (size_t)mt.pmask;
    bt->fshift = 64 - mt.filter_bits;
    bt->trie.ncells = mt.ncells;
    bt->trie.nnodes = mt.nnodes;
    bt->trie.nkeys = mt.nkeys;
    bt->trie.max_len = mt.max_len;
    bt->borrowed = true;
    /* optional: irregular tokens (absent, there are none: any bits are safe) */
    const sect *ir = find(s, ns, "BTIR"), *ip = find(s, ns, "BTIP");
    if (ir || ip) {
        if (!ir || !ip || ir->len != ((uint64_t)mt.n / 64 + 1) * 8 || ip->len != 65536 / 8 || !ir->count) {
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: sections BTIR/BTIP missing one or of the wrong size", file,
                      (unsigned long long)(ir ? ir->off : ip->off));
            return -1;
        }
        bt->irr = (uint64_t *)(void *)(d + ir->off);
        bt->irr_pair = (uint64_t *)(void *)(d + ip->off);
        bt->nirr = ir->count;
    }
    /* optional: whole-piece tables (absent or not fitting: built at load;
     * any slot content is safe, ids are range-checked on every hit) */
    const sect *w1 = find(s, ns, "BWH1"), *w2 = find(s, ns, "BWH2");
    if (w1 && w2 && (w1->count & 0xFF) < 40 && w2->count < 40 && w1->len == (uint64_t)64 << (w1->count & 0xFF) &&
        w2->len == (uint64_t)64 << w2->count)
        tok_bpe_whole_use(&bt->whole, (const uint64_t *)(const void *)(d + w1->off), w1->count & 0xFF,
                          (const uint64_t *)(const void *)(d + w2->off), w2->count, mt.n, w1->count >> 8 & 1);
    /* optional: the cells' depths (absent: derived from TRBF, more slowly) */
    const sect *dp = find(s, ns, "TRDP");
    if (dp && dp->len != mt.ncells) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: section TRDP of %llu bytes for %u trie cells", file,
                  (unsigned long long)dp->off, (unsigned long long)dp->len, mt.ncells);
        return -1;
    }
    tok_bt_table tab;
    size_t at;
    char why[200];
    int r = tok_bpe_bt_check(bt, dp ? d + dp->off : NULL, &tab, &at, why, sizeof why);
    if (r == -2) {
        tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
        return -1;
    }
    if (r) {
        static const char *tag[] = { "BTTI", "BTPR", "TRCL", "TRBF" };
        static const size_t size[] = { sizeof(tok_bpe_tinfo), sizeof(tok_bpe_pslot), sizeof(tok_trie_cell), 4 };
        const sect *x = find(s, ns, tag[tab]);
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: %s", file, (unsigned long long)(x->off + at * size[tab]), why);
        return -1;
    }
    *use = true;
    return 0;
}

/* The stored vocabulary into *v (tokens pointing into the image), checked;
 * -1 with *err set when bad; v->prebuilt false when absent or hashed
 * otherwise (then the records are read). */
static int vocabulary(const uint8_t *d, const sect *s, uint32_t ns, const char *file, tok_vocab *v,
                      uint64_t **notmodel, size_t *model_count, tok_error *err)
{
    const sect *m = find(s, ns, "VMET"), *st = find(s, ns, "VSTR"), *vt = find(s, ns, "VTOK");
    const sect *hx = find(s, ns, "VHTX"), *hb = find(s, ns, "VHBY");
    if (!m || !st || !vt || !hx || !hb) return 0;
    vmeta mt;
    if (m->len != sizeof mt) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: VMET section of %llu bytes, not %zu", file,
                  (unsigned long long)m->off, (unsigned long long)m->len, sizeof mt);
        return -1;
    }
    memcpy(&mt, d + m->off, sizeof mt);
    if (mt.hash_probe != bytes_probe()) return 0; /* another hash: the maps are rebuilt */
    if (mt.n >= (1u << 30) || vt->len != (uint64_t)mt.n * sizeof(vtok) || st->len >= UINT32_MAX) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: VTOK section of %llu bytes for %u tokens", file,
                  (unsigned long long)vt->off, (unsigned long long)vt->len, mt.n);
        return -1;
    }
    const char *str = (const char *)d + st->off;
    size_t sl = (size_t)st->len;
    tok_token *tk = malloc((mt.n ? mt.n : 1) * sizeof *tk);
    if (!tk) {
        tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
        return -1;
    }
    uint64_t *nm = calloc((size_t)mt.n / 64 + 1, sizeof *nm);
    if (!nm) {
        free(tk);
        tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
        return -1;
    }
    /* VSTR's count: the length of the region of texts (0 in files written
     * before it was kept; each text is checked alone then).  A valid region
     * holds each text that starts on a character and ends at a NUL in it. */
    size_t tend = st->count <= sl ? st->count : 0;
    size_t bad = tend ? tok_utf8_check((const uint8_t *)str, tend) : 0;
    if (bad != tend) {
        free(tk);
        free(nm);
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: VSTR: the texts are not UTF-8", file,
                  (unsigned long long)(st->off + bad));
        return -1;
    }
    size_t models = 0;
    const uint8_t *p = d + vt->off;
    for (uint32_t i = 0; i < mt.n; i++, p += sizeof(vtok)) {
        vtok x;
        memcpy(&x, p, sizeof x);
        bool model = !(x.flags & TOK_TOKEN_NONE) && (x.flags & TOK__IN_MODEL);
        nm[i >> 6] |= (uint64_t)!model << (i & 63);
        models += model;
        if (x.flags & TOK_TOKEN_NONE) {
            tk[i] = (tok_token){ .flags = TOK_TOKEN_NONE };
            continue;
        }
        if (x.text >= sl || x.text_len >= sl - x.text || str[x.text + x.text_len] ||
            x.bytes >= sl || x.nbytes >= sl - x.bytes || str[x.bytes + x.nbytes]) {
            free(tk);
            free(nm);
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: token %u: its strings are not NUL-terminated inside VSTR",
                      file, (unsigned long long)(p - d), i);
            return -1;
        }
        /* as every loader guarantees: token text is UTF-8; model bytes are
         * the text itself, or for byte-level vocabularies one byte per
         * character of it at most */
        bool text_ok = x.text < tend && x.text_len < tend - x.text && (!x.text_len || (str[x.text] & 0xC0) != 0x80);
        if (!(text_ok || tok_utf8_valid_room((const uint8_t *)str + x.text, x.text_len, sl - x.text)) ||
            (mt.byte_level ? x.nbytes > x.text_len : x.bytes != x.text || x.nbytes != x.text_len)) {
            free(tk);
            free(nm);
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: token %u: its text is not UTF-8 or its model bytes do "
                      "not match it", file,
                      (unsigned long long)(st->off + x.text), i);
            return -1;
        }
        tk[i] = (tok_token){ str + x.text, (const uint8_t *)str + x.bytes, x.text_len, x.nbytes, x.score, x.flags };
    }
    *notmodel = nm;
    *model_count = models;
    v->tok = tk;
    v->n = v->cap = mt.n;
    v->byte_level = mt.byte_level != 0;
    const sect *hs[2] = { hx, hb };
    tok_vocab_index *ix[2] = { &v->by_text, &v->by_bytes };
    for (int k = 0; k < 2; k++) {
        uint64_t slots = hs[k]->len / 8;
        if (hs[k]->len % 8 || slots < 2 || (slots & (slots - 1))) {
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: %.4s section of %llu bytes: not a power of 2 of 8-byte "
                      "slots", file, (unsigned long long)hs[k]->off, hs[k]->tag, (unsigned long long)hs[k]->len);
            return -1;
        }
        /* read where it lies; look-ups check each id they meet */
        ix[k]->slot = (uint64_t *)(d + hs[k]->off);
        ix[k]->mask = (size_t)slots - 1;
        ix[k]->borrowed = true;
    }
    v->prebuilt = true;
    return 0;
}

/* Open an image of format 3 that stays valid (and is released by the
 * tokenizer) when `keep` is set: mapped (keep_mapped) or malloc'd. */
static tok_tokenizer *open_image(const uint8_t *d, size_t n, const char *file, const tok_load_options *opt,
                                 void *keep, bool keep_mapped, tok_error *err)
{
    uint32_t bom, ns;
    uint64_t total;
    if (n < 32 + sizeof(sect)) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %zu: truncated header", file, n);
        return NULL;
    }
    memcpy(&bom, d + 8, 4);
    memcpy(&ns, d + 12, 4);
    memcpy(&total, d + 16, 8);
    if (bom != 0x01020304) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte 8: written with the other byte order", file);
        return NULL;
    }
    if (total != n) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte 16: the header says %llu bytes, the file has %zu%s", file,
                  (unsigned long long)total, n, total > n ? " (truncated)" : "");
        return NULL;
    }
    if (ns == 0 || ns > MAX_SECT) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte 12: %u sections (1 to %d)", file, ns, MAX_SECT);
        return NULL;
    }
    sect s[MAX_SECT];
    memcpy(s, d + 32, ns * sizeof *s);
    uint64_t table_end = 32 + (uint64_t)ns * sizeof *s;
    for (uint32_t i = 0; i < ns; i++) {
        unsigned long long where = 32 + (unsigned long long)i * sizeof *s;
        if (s[i].off % ALIGN || s[i].off < table_end || s[i].off > n || s[i].len > n - s[i].off) {
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: section %.4s at %llu, %llu bytes: not aligned or past the "
                      "%zu-byte file", file, where, s[i].tag, (unsigned long long)s[i].off,
                      (unsigned long long)s[i].len, n);
            return NULL;
        }
        for (uint32_t j = 0; j < i; j++)
            if (!memcmp(s[i].tag, s[j].tag, 4)) {
                tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: section %.4s twice", file, where, s[i].tag);
                return NULL;
            }
    }
    const sect *js = find(s, ns, "JSON"), *vs = find(s, ns, "VOCB"), *ms = find(s, ns, "MRGS");
    if (!js) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte 32: no JSON section", file);
        return NULL;
    }
    tok_jctx jc = { .file = file };
    tok_bpe_bt bt = { 0 };
    bool use = false;
    if (tables(d, s, ns, file, &bt, &use, err)) return NULL;
    if (use) jc.pack_bt = &bt;
    tok_vocab voc;
    tok_vocab_init(&voc);
    uint64_t *notmodel = NULL;
    size_t model_count = 0;
    if (vs && vs->count && vocabulary(d, s, ns, file, &voc, &notmodel, &model_count, err)) {
        tok_vocab_free(&voc);
        free(notmodel);
        return NULL;
    }
    if (!voc.prebuilt && vs && vs->count) {
        /* the records, read only without the prebuilt vocabulary: walked
         * once, each inside the section */
        const uint8_t *p = d + vs->off, *e = p + vs->len;
        for (uint32_t i = 0; i < vs->count; i++) {
            uint32_t l;
            if (e - p < 8 || (memcpy(&l, p + 4, 4), (size_t)(e - p - 8) < l)) {
                tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: vocabulary record %u of %u runs past its section", file,
                          (unsigned long long)(p - d), i, vs->count);
                tok_vocab_free(&voc);
                free(notmodel);
                return NULL;
            }
            p += 8 + l;
        }
        jc.pack_vocab = d + vs->off;
        jc.pack_vocab_len = vs->len;
        jc.pack_nvocab = vs->count;
    }
    if (vs && vs->count && ms) {
        if (ms->len != (uint64_t)ms->count * 12) {
            tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: MRGS section of %llu bytes for %u merges", file,
                      (unsigned long long)ms->off, (unsigned long long)ms->len, ms->count);
            tok_vocab_free(&voc);
            free(notmodel);
            return NULL;
        }
        jc.pack_merges = d + ms->off;
        jc.pack_nmerges = ms->count;
    }
    if (voc.prebuilt && vs && vs->count) {
        jc.pack_vocabulary = &voc; /* the records are not read, only the merges */
        jc.pack_vocab = d + vs->off;
        jc.pack_notmodel = notmodel;
        jc.pack_model_count = model_count;
    }
    json_error_t je;
    json_t *root = json_loadb((const char *)d + js->off, js->len, JSON_ALLOW_NUL, &je);
    tok_tokenizer *t = NULL;
    if (!root)
        tok__fail(err, TOK_ERR_FORMAT, "%s: byte %llu: invalid JSON section: %s", file,
                  (unsigned long long)js->off + (unsigned long long)je.position, je.text);
    else
        t = tok__from_hfjson_raw(root, &jc, opt, err);
    json_decref(root);
    tok_vocab_free(&voc); /* emptied when the tokenizer took it */
    free(notmodel);
    if (t && keep) {
        t->backing = keep;
        t->backing_len = n;
        t->backing_mapped = keep_mapped;
    }
    return t;
}

static void release(void *p, size_t n, bool mapped)
{
    if (mapped) munmap(p, n);
    else free(p);
}

/* A private copy, aligned for the tables, that the tokenizer keeps. */
static tok_tokenizer *open_copy(const uint8_t *d, size_t n, const char *file, const tok_load_options *opt,
                                tok_error *err)
{
    void *c = aligned_alloc(ALIGN, (n + ALIGN - 1) / ALIGN * ALIGN);
    if (!c) {
        tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
        return NULL;
    }
    memcpy(c, d, n);
    tok_tokenizer *t = open_image(c, n, file, opt, c, false, err);
    if (!t) free(c);
    return t;
}

tok_tokenizer *tok__load_pack(const uint8_t *data, size_t len, const char *file,
                              const tok_load_options *opt, tok_error *err)
{
    if (len >= 8 && !memcmp(data, TOK__PACK_MAGIC, 8)) return open_copy(data, len, file, opt, err);
    if (len >= 8 && !memcmp(data, "TOKPACK", 7))
        return tok__fail(err, TOK_ERR_FORMAT, "%s: byte 0: a .tokpack of format %c, which this libtok does not "
                         "read: convert its source again (tok convert -t SOURCE -o FILE.tokpack)", file, data[7]), NULL;
    tok_sbuf buf = { 0 };
    tok_tokenizer *t = NULL;
    if (tok__pack_inflate(data, len, file, &buf, err)) goto done;
    if (buf.n >= 8 && !memcmp(buf.v, TOK__PACK_MAGIC, 8)) {
        /* decompressed: used in place like a mapping, kept by the tokenizer */
        if (((uintptr_t)buf.v % 8) == 0) {
            t = open_image((const uint8_t *)buf.v, buf.n, file, opt, buf.v, false, err);
            if (t) buf.v = NULL;
        } else {
            t = open_copy((const uint8_t *)buf.v, buf.n, file, opt, err);
        }
    } else {
        t = tok__load_pack_v2((const uint8_t *)buf.v, buf.n, file, opt, err);
    }
done:
    tok_vec_free(&buf);
    return t;
}

tok_tokenizer *tok__load_pack_mapped(void *map, size_t len, const char *file, const tok_load_options *opt,
                                     tok_error *err)
{
    tok_tokenizer *t = open_image(map, len, file, opt, map, true, err);
    if (!t) release(map, len, true);
    return t;
}

void tok__pack_release(tok_tokenizer *t)
{
    if (t->backing) release(t->backing, t->backing_len, t->backing_mapped);
    t->backing = NULL;
}
