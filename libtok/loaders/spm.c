/*
 * SentencePiece .model (a protobuf ModelProto) -> tokenizer.json tree.
 *
 * A minimal protobuf wire-format reader: varints, fixed32/64 and
 * length-delimited fields, with every field of ModelProto we need and the
 * rest skipped by wire type.  Truncation, overlong varints and wrong wire
 * types are reported with the file name and byte offset.
 *
 * The tree is what spm_encode does, written with HF components:
 *  - normalizer: Precompiled with SentencePiece's longest-match rule
 *    ("libtok_spm": true), then SentencePiece's whitespace handling on the
 *    whole text as Replace/Prepend steps (collapse and strip spaces when
 *    remove_extra_whitespaces, escape to "▁", one dummy prefix); no
 *    pre-tokenizer, so a Unigram lattice spans the line as in SentencePiece
 *    (its float path sums depend on it).
 *  - Unigram: "libtok_ties": "spm" and "libtok_piece_types"; user-defined
 *    pieces stay model pieces (SentencePiece gives them a bonus score in the
 *    lattice) so that whitespace around them is normalized with the text.
 *  - BPE: byte_fallback and fuse_unk, merges derived from the piece scores
 *    as HF's generate_merges does; user-defined pieces are non-special added
 *    tokens (the text between them is then normalized piecewise, so a dummy
 *    prefix is also added after them: SentencePiece adds one per text).
 *  - Control and unknown pieces are special added tokens whose text is not
 *    matched in input by default ("libtok_match_special": false), as
 *    spm_encode does not.  No post-processor (spm_encode adds no BOS/EOS).
 *    Decoder: Replace("▁" -> " "), ByteFallback, Fuse, Strip one space.
 *  - TOK_TIES_HF asks for HF's conversion instead (convert_slow_tokenizer's
 *    SpmConverter / LlamaConverter): HF tie rule, HF's Precompiled walk,
 *    Strip + Replace + Metaspace("always") for Unigram, Prepend + Replace
 *    for BPE, user-defined pieces as added tokens.
 */
#include "../internal.h"

#include <stdio.h>

enum { PT_NORMAL = 1, PT_UNKNOWN = 2, PT_CONTROL = 3, PT_USER = 4, PT_UNUSED = 5, PT_BYTE = 6 };
enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

typedef struct pb {
    const uint8_t *p;
    size_t off, end;
    const char *file;
    tok_error *err;
} pb;

static tok_status pb_fail(pb *r, size_t at, const char *what)
{
    return tok__fail(r->err, TOK_ERR_FORMAT, "%s: byte %zu: %s", r->file, at, what);
}

static tok_status pb_varint(pb *r, uint64_t *out)
{
    size_t at = r->off;
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
        if (r->off >= r->end) return pb_fail(r, at, "truncated varint");
        uint8_t b = r->p[r->off++];
        if (i == 9 && b > 1) return pb_fail(r, at, "varint overflows 64 bits");
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return TOK_OK;
        }
    }
    return pb_fail(r, at, "varint longer than 10 bytes");
}

static tok_status pb_key(pb *r, uint32_t *field, int *wt, size_t *at)
{
    *at = r->off;
    *field = 0;
    *wt = 0;
    uint64_t k;
    tok_status st = pb_varint(r, &k);
    if (st) return st;
    *wt = (int)(k & 7);
    if ((k >> 3) == 0 || (k >> 3) > 0x1FFFFFFF) return pb_fail(r, *at, "invalid field number");
    *field = (uint32_t)(k >> 3);
    return TOK_OK;
}

/* A length-delimited payload: [*start, *start + *len). */
static tok_status pb_bytes(pb *r, size_t *start, size_t *len)
{
    size_t at = r->off;
    uint64_t n;
    tok_status st = pb_varint(r, &n);
    if (st) return st;
    if (n > r->end - r->off) {
        char msg[96];
        snprintf(msg, sizeof msg, "length %llu runs past the end of the data (truncated?)", (unsigned long long)n);
        return pb_fail(r, at, msg);
    }
    *start = r->off;
    *len = (size_t)n;
    r->off += (size_t)n;
    return TOK_OK;
}

static tok_status pb_skip(pb *r, int wt, size_t at)
{
    uint64_t v;
    size_t s, n;
    switch (wt) {
    case WT_VARINT: return pb_varint(r, &v);
    case WT_LEN: return pb_bytes(r, &s, &n);
    case WT_I64:
    case WT_I32: {
        size_t w = wt == WT_I64 ? 8 : 4;
        if (r->end - r->off < w) return pb_fail(r, r->off, "truncated fixed-width field");
        r->off += w;
        return TOK_OK;
    }
    default: {
        char msg[64];
        snprintf(msg, sizeof msg, "unsupported wire type %d", wt);
        return pb_fail(r, at, msg);
    }
    }
}

static tok_status pb_want(pb *r, uint32_t field, int wt, int want, size_t at)
{
    if (wt == want) return TOK_OK;
    char msg[96];
    snprintf(msg, sizeof msg, "field %u has wire type %d, expected %d", field, wt, want);
    return pb_fail(r, at, msg);
}

typedef struct spm_piece {
    size_t off, len; /* text in the data */
    float score;
    int type;
} spm_piece;

typedef struct spm_model {
    TOK_VEC(spm_piece) pieces;
    int model_type;
    bool byte_fallback, treat_ws_suffix, split_by_ws, ws_only_pieces;
    int32_t unk_id, bos_id, eos_id, pad_id;
    bool has_charsmap;
    size_t charsmap_off, charsmap_len;
    bool add_dummy_prefix, remove_extra_ws, escape_ws;
} spm_model;

static tok_status pb_bool(pb *r, uint32_t f, int wt, size_t at, bool *out)
{
    uint64_t v;
    tok_status st = pb_want(r, f, wt, WT_VARINT, at);
    if (!st) st = pb_varint(r, &v);
    if (!st) *out = v != 0;
    return st;
}

static tok_status pb_int32(pb *r, uint32_t f, int wt, size_t at, int32_t *out)
{
    uint64_t v;
    tok_status st = pb_want(r, f, wt, WT_VARINT, at);
    if (!st) st = pb_varint(r, &v);
    if (!st) *out = (int32_t)(uint32_t)v; /* negative int32 are sign-extended varints */
    return st;
}

static tok_status parse_piece(pb *r, size_t end, spm_model *m)
{
    spm_piece pc = { 0, 0, 0.0f, PT_NORMAL };
    bool have_text = false;
    size_t saved = r->end, begin = r->off;
    r->end = end;
    tok_status st = TOK_OK;
    while (!st && r->off < r->end) {
        uint32_t f;
        int wt;
        size_t at;
        uint64_t v;
        if ((st = pb_key(r, &f, &wt, &at))) break;
        if (f == 1) {
            if (!(st = pb_want(r, f, wt, WT_LEN, at))) st = pb_bytes(r, &pc.off, &pc.len);
            have_text = true;
        } else if (f == 2) {
            if ((st = pb_want(r, f, wt, WT_I32, at))) break;
            if (r->end - r->off < 4) {
                st = pb_fail(r, r->off, "truncated float");
                break;
            }
            uint32_t bits = (uint32_t)r->p[r->off] | (uint32_t)r->p[r->off + 1] << 8 |
                            (uint32_t)r->p[r->off + 2] << 16 | (uint32_t)r->p[r->off + 3] << 24;
            memcpy(&pc.score, &bits, 4);
            r->off += 4;
        } else if (f == 3) {
            if (!(st = pb_want(r, f, wt, WT_VARINT, at)) && !(st = pb_varint(r, &v))) {
                if (v < PT_NORMAL || v > PT_BYTE) st = pb_fail(r, at, "unknown piece type");
                else pc.type = (int)v;
            }
        } else {
            st = pb_skip(r, wt, at);
        }
    }
    r->end = saved;
    if (st) return st;
    if (!have_text || pc.len == 0) return pb_fail(r, begin, "empty piece");
    if (tok_utf8_check(r->p + pc.off, pc.len) != pc.len) return pb_fail(r, pc.off, "piece is not valid UTF-8");
    if (tok_vec_push(&m->pieces, pc)) return tok__fail(r->err, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static tok_status parse_trainer(pb *r, size_t end, spm_model *m)
{
    size_t saved = r->end;
    r->end = end;
    tok_status st = TOK_OK;
    while (!st && r->off < r->end) {
        uint32_t f;
        int wt;
        size_t at;
        uint64_t v;
        if ((st = pb_key(r, &f, &wt, &at))) break;
        switch (f) {
        case 3:
            if (!(st = pb_want(r, f, wt, WT_VARINT, at)) && !(st = pb_varint(r, &v))) m->model_type = (int)v;
            break;
        case 22: st = pb_bool(r, f, wt, at, &m->split_by_ws); break;
        case 24: st = pb_bool(r, f, wt, at, &m->treat_ws_suffix); break;
        case 26: st = pb_bool(r, f, wt, at, &m->ws_only_pieces); break;
        case 35: st = pb_bool(r, f, wt, at, &m->byte_fallback); break;
        case 40: st = pb_int32(r, f, wt, at, &m->unk_id); break;
        case 41: st = pb_int32(r, f, wt, at, &m->bos_id); break;
        case 42: st = pb_int32(r, f, wt, at, &m->eos_id); break;
        case 43: st = pb_int32(r, f, wt, at, &m->pad_id); break;
        default: st = pb_skip(r, wt, at); break;
        }
    }
    r->end = saved;
    return st;
}

static tok_status parse_normalizer(pb *r, size_t end, spm_model *m)
{
    size_t saved = r->end;
    r->end = end;
    tok_status st = TOK_OK;
    while (!st && r->off < r->end) {
        uint32_t f;
        int wt;
        size_t at;
        if ((st = pb_key(r, &f, &wt, &at))) break;
        switch (f) {
        case 2:
            if (!(st = pb_want(r, f, wt, WT_LEN, at))) st = pb_bytes(r, &m->charsmap_off, &m->charsmap_len);
            m->has_charsmap = m->charsmap_len > 0;
            break;
        case 3: st = pb_bool(r, f, wt, at, &m->add_dummy_prefix); break;
        case 4: st = pb_bool(r, f, wt, at, &m->remove_extra_ws); break;
        case 5: st = pb_bool(r, f, wt, at, &m->escape_ws); break;
        default: st = pb_skip(r, wt, at); break;
        }
    }
    r->end = saved;
    return st;
}

static tok_status parse_model(pb *r, spm_model *m)
{
    while (r->off < r->end) {
        uint32_t f;
        int wt;
        size_t at, s, n;
        tok_status st = pb_key(r, &f, &wt, &at);
        if (st) return st;
        if (f >= 1 && f <= 3) {
            if ((st = pb_want(r, f, wt, WT_LEN, at)) || (st = pb_bytes(r, &s, &n))) return st;
            size_t after = r->off;
            r->off = s;
            st = f == 1 ? parse_piece(r, s + n, m) : f == 2 ? parse_trainer(r, s + n, m) : parse_normalizer(r, s + n, m);
            if (st) return st;
            r->off = after;
        } else if ((st = pb_skip(r, wt, at))) {
            return st;
        }
    }
    return TOK_OK;
}

/* ---- tree building ----------------------------------------------------- */

#define SP "\xE2\x96\x81" /* U+2581 ▁ */

static json_t *jobj(const char *type)
{
    json_t *o = json_object();
    if (o) json_object_set_new(o, "type", json_string(type));
    return o;
}

static json_t *replace_str(const char *pat, const char *content, bool regex)
{
    json_t *o = jobj("Replace"), *p = json_object();
    json_object_set_new(p, regex ? "Regex" : "String", json_string(pat));
    json_object_set_new(o, "pattern", p);
    json_object_set_new(o, "content", json_string(content));
    return o;
}

static json_t *strip_norm(bool left, bool right)
{
    json_t *o = jobj("Strip");
    json_object_set_new(o, "strip_left", json_boolean(left));
    json_object_set_new(o, "strip_right", json_boolean(right));
    return o;
}

static json_t *prepend_norm(const char *s)
{
    json_t *o = jobj("Prepend");
    json_object_set_new(o, "prepend", json_string(s));
    return o;
}

static json_t *sequence(const char *key, json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n == 0) {
        json_decref(arr);
        return json_null();
    }
    if (n == 1) {
        json_t *one = json_incref(json_array_get(arr, 0));
        json_decref(arr);
        return one;
    }
    json_t *o = jobj("Sequence");
    json_object_set_new(o, key, arr);
    return o;
}

static json_t *metaspace(const char *scheme, bool split)
{
    json_t *o = jobj("Metaspace");
    json_object_set_new(o, "replacement", json_string(SP));
    json_object_set_new(o, "prepend_scheme", json_string(scheme));
    json_object_set_new(o, "split", json_boolean(split));
    return o;
}

static json_t *strip_dec(void)
{
    json_t *o = jobj("Strip");
    json_object_set_new(o, "content", json_string(" "));
    json_object_set_new(o, "start", json_integer(1));
    json_object_set_new(o, "stop", json_integer(0));
    return o;
}

typedef struct merge_c {
    int32_t l, r;
    float score;
    uint32_t ll, lr; /* lengths in characters */
    uint32_t order;
} merge_c;

static int merge_cmp(const void *pa, const void *pb_)
{
    const merge_c *a = pa, *b = pb_;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->ll != b->ll) return a->ll > b->ll ? -1 : 1;
    if (a->lr != b->lr) return a->lr > b->lr ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static uint32_t nchars(const uint8_t *s, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++) c += (s[i] & 0xC0) != 0x80;
    return c;
}

/* HF generate_merges(vocab, vocab_scores): for every piece, each split into
 * two pieces of the vocabulary (ordered by their ids), then all of them by
 * score, left length and right length, descending, stably. */
static json_t *bpe_merges(const uint8_t *d, const spm_model *m, tok_error *err, const char *file)
{
    tok_strmap ids;
    TOK_VEC(merge_c) mc = { 0 };
    json_t *arr = NULL;
    size_t np = m->pieces.n;
    if (tok_strmap_init(&ids, np)) goto nomem;
    for (size_t i = 0; i < np; i++)
        if (tok_strmap_put(&ids, d + m->pieces.v[i].off, (uint32_t)m->pieces.v[i].len, (int32_t)i)) goto nomem;
    for (size_t i = 0; i < np; i++) {
        const spm_piece *pc = &m->pieces.v[i];
        /* SentencePiece never produces control, unknown or byte pieces by merging */
        if (pc->type == PT_CONTROL || pc->type == PT_UNKNOWN || pc->type == PT_BYTE) continue;
        const uint8_t *s = d + pc->off;
        size_t first = mc.n;
        for (size_t k = 1; k < pc->len; k++) {
            if ((s[k] & 0xC0) == 0x80) continue;
            int32_t l = tok_strmap_get(&ids, s, k), r = tok_strmap_get(&ids, s + k, pc->len - k);
            if (l < 0 || r < 0) continue;
            merge_c c = { l, r, pc->score, nchars(s, k), nchars(s + k, pc->len - k), 0 };
            if (tok_vec_push(&mc, c)) goto nomem;
        }
        /* local order: by (id of left, id of right) */
        for (size_t a = first + 1; a < mc.n; a++) {
            merge_c x = mc.v[a];
            size_t b = a;
            while (b > first && (mc.v[b - 1].l > x.l || (mc.v[b - 1].l == x.l && mc.v[b - 1].r > x.r))) {
                mc.v[b] = mc.v[b - 1];
                b--;
            }
            mc.v[b] = x;
        }
    }
    for (size_t i = 0; i < mc.n; i++) mc.v[i].order = (uint32_t)i;
    qsort(mc.v, mc.n, sizeof *mc.v, merge_cmp);
    arr = json_array();
    if (!arr) goto nomem;
    for (size_t i = 0; i < mc.n; i++) {
        const spm_piece *l = &m->pieces.v[mc.v[i].l], *r = &m->pieces.v[mc.v[i].r];
        json_t *pair = json_array();
        if (!pair || json_array_append_new(arr, pair)) goto nomem;
        json_array_append_new(pair, json_stringn((const char *)d + l->off, l->len));
        json_array_append_new(pair, json_stringn((const char *)d + r->off, r->len));
    }
    tok_strmap_free(&ids);
    tok_vec_free(&mc);
    return arr;
nomem:
    tok_strmap_free(&ids);
    tok_vec_free(&mc);
    json_decref(arr);
    tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
    return NULL;
}

static json_t *added_token(int32_t id, const char *s, size_t n, bool special)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "content", json_stringn(s, n));
    json_object_set_new(o, "single_word", json_false());
    json_object_set_new(o, "lstrip", json_false());
    json_object_set_new(o, "rstrip", json_false());
    json_object_set_new(o, "normalized", json_false());
    json_object_set_new(o, "special", json_boolean(special));
    return o;
}

json_t *tok_spm_to_json(const uint8_t *data, size_t len, const char *file, const tok_load_options *opt,
                        tok_error *err)
{
    if (!file) file = "<memory>";
    spm_model m;
    memset(&m, 0, sizeof m);
    m.model_type = 1;
    m.split_by_ws = true;
    m.unk_id = 0;
    m.bos_id = 1;
    m.eos_id = 2;
    m.pad_id = -1;
    m.add_dummy_prefix = m.remove_extra_ws = m.escape_ws = true;
    pb r = { data, 0, len, file, err };
    json_t *root = NULL;

    if (!data || len == 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: empty SentencePiece model", file);
        return NULL;
    }
    if (parse_model(&r, &m)) goto fail;
    size_t np = m.pieces.n;
    if (np == 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: no pieces: not a SentencePiece model", file);
        goto fail;
    }
    if (np >= (1u << 30)) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: too many pieces", file);
        goto fail;
    }
    if (m.model_type != 1 && m.model_type != 2) {
        tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: SentencePiece model type %d (%s) is not supported", file,
                  m.model_type, m.model_type == 3 ? "WORD" : m.model_type == 4 ? "CHAR" : "unknown");
        goto fail;
    }
    if (m.treat_ws_suffix) {
        tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: treat_whitespace_as_suffix is not supported", file);
        goto fail;
    }
    /* SentencePiece: the unknown piece is the one of type UNKNOWN; pieces are unique */
    int32_t unk = -1;
    {
        tok_strmap seen;
        if (tok_strmap_init(&seen, np)) goto nomem;
        for (size_t i = 0; i < np; i++) {
            const spm_piece *pc = &m.pieces.v[i];
            if (pc->type == PT_UNKNOWN && unk < 0) unk = (int32_t)i;
            if (tok_strmap_get(&seen, data + pc->off, pc->len) >= 0) {
                tok__fail(err, TOK_ERR_FORMAT, "%s: byte %zu: piece \"%.*s\" is defined twice", file, pc->off,
                          (int)(pc->len > 64 ? 64 : pc->len), (const char *)data + pc->off);
                tok_strmap_free(&seen);
                goto fail;
            }
            if (tok_strmap_put(&seen, data + pc->off, (uint32_t)pc->len, (int32_t)i)) {
                tok_strmap_free(&seen);
                goto nomem;
            }
        }
        tok_strmap_free(&seen);
    }
    if (unk < 0 && m.unk_id >= 0 && (size_t)m.unk_id < np) unk = m.unk_id;
    if (unk < 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: the model has no unknown piece", file);
        goto fail;
    }

    root = json_object();
    if (!root) goto nomem;
    json_object_set_new(root, "version", json_string("1.0"));
    json_object_set_new(root, "truncation", json_null());
    json_object_set_new(root, "padding", json_null());

    /* HF's conversion: user-defined pieces are added tokens.  For spm_encode
     * parity a Unigram model keeps them as pieces with SentencePiece's bonus
     * score instead, so that whitespace around them is normalized with the
     * whole text (added tokens would cut the text before normalization). */
    bool hf = opt && opt->unigram_ties == TOK_TIES_HF;
    bool user_added = hf || m.model_type == 2;
    json_t *added = json_array();
    json_object_set_new(root, "added_tokens", added);
    for (size_t i = 0; i < np; i++) {
        const spm_piece *pc = &m.pieces.v[i];
        if (pc->type == PT_CONTROL || (pc->type == PT_USER && user_added) || (int32_t)i == unk)
            json_array_append_new(added, added_token((int32_t)i, (const char *)data + pc->off, pc->len,
                                                     pc->type != PT_USER));
    }

    /* normalizer, pre-tokenizer, decoder */
    json_t *norms = json_array(), *decs = json_array(), *pre = json_null(), *dec = NULL;
    if (m.has_charsmap) {
        char *b64 = tok_base64_encode(data + m.charsmap_off, m.charsmap_len);
        if (!b64) goto nomem;
        json_t *pc = jobj("Precompiled");
        json_object_set_new(pc, "precompiled_charsmap", json_string(b64));
        /* SentencePiece's longest-match rule rather than HF's grapheme walk */
        if (!hf) json_object_set_new(pc, "libtok_spm", json_true());
        free(b64);
        json_array_append_new(norms, pc);
    }
    if (hf && m.model_type == 1) {
        /* HF SpmConverter */
        json_array_append_new(norms, strip_norm(false, true));
        json_array_append_new(norms, replace_str(" {2,}", SP, true));
        json_decref(pre);
        pre = metaspace("always", true);
        dec = metaspace("always", true);
    } else if (hf) {
        /* HF LlamaConverter (legacy) */
        json_array_append_new(norms, prepend_norm(SP));
        json_array_append_new(norms, replace_str(" ", SP, false));
    } else {
        /* SentencePiece's Normalizer::Normalize on the whole text: collapse
         * runs of spaces and drop leading ones (remove_extra_whitespaces),
         * escape, add the dummy prefix, then drop trailing escaped spaces
         * (the dummy prefix and input "▁" included, as SentencePiece does) */
        const char *sp = m.escape_ws ? SP : " ";
        if (m.remove_extra_ws) {
            json_array_append_new(norms, replace_str(" {2,}", " ", true));
            json_array_append_new(norms, replace_str("\\A +", "", true));
        }
        if (m.escape_ws) json_array_append_new(norms, replace_str(" ", SP, false));
        if (m.add_dummy_prefix) json_array_append_new(norms, prepend_norm(sp));
        if (m.remove_extra_ws) json_array_append_new(norms, replace_str(m.escape_ws ? SP "+\\z" : " +\\z", "", true));
    }
    if (!dec) {
        if (m.escape_ws) json_array_append_new(decs, replace_str(SP, " ", false));
        if (m.byte_fallback) json_array_append_new(decs, jobj("ByteFallback"));
        /* fused first so that Strip (per token) drops only the text's first space */
        if (m.byte_fallback || m.add_dummy_prefix) json_array_append_new(decs, jobj("Fuse"));
        if (m.add_dummy_prefix) json_array_append_new(decs, strip_dec());
        dec = sequence("decoders", decs);
    } else {
        json_decref(decs);
    }
    json_object_set_new(root, "normalizer", sequence("normalizers", norms));
    json_object_set_new(root, "pre_tokenizer", pre);
    json_object_set_new(root, "post_processor", json_null());
    json_object_set_new(root, "decoder", dec);

    /* model */
    json_t *model = json_object();
    if (!model) goto nomem;
    json_object_set_new(root, "model", model);
    if (m.model_type == 1) {
        json_t *voc = json_array(), *types = json_array();
        if (!voc || !types) {
            json_decref(voc);
            json_decref(types);
            goto nomem;
        }
        for (size_t i = 0; i < np; i++) {
            const spm_piece *pc = &m.pieces.v[i];
            json_t *e = json_array();
            json_array_append_new(e, json_stringn((const char *)data + pc->off, pc->len));
            json_array_append_new(e, json_real((double)pc->score));
            if (json_array_append_new(voc, e) || json_array_append_new(types, json_integer(pc->type))) {
                json_decref(voc);
                json_decref(types);
                goto nomem;
            }
        }
        json_object_set_new(model, "type", json_string("Unigram"));
        json_object_set_new(model, "unk_id", json_integer(unk));
        json_object_set_new(model, "vocab", voc);
        json_object_set_new(model, "byte_fallback", json_boolean(m.byte_fallback));
        json_object_set_new(model, "libtok_ties", json_string(hf ? "hf" : "spm"));
        json_object_set_new(model, "libtok_piece_types", types);
    } else {
        json_t *voc = json_object();
        if (!voc) goto nomem;
        for (size_t i = 0; i < np; i++) {
            const spm_piece *pc = &m.pieces.v[i];
            json_object_setn_new(voc, (const char *)data + pc->off, pc->len, json_integer((json_int_t)i));
        }
        json_t *merges = bpe_merges(data, &m, err, file);
        if (!merges) {
            json_decref(voc);
            goto fail;
        }
        const spm_piece *up = &m.pieces.v[unk];
        json_object_set_new(model, "type", json_string("BPE"));
        json_object_set_new(model, "dropout", json_null());
        json_object_set_new(model, "unk_token", json_stringn((const char *)data + up->off, up->len));
        json_object_set_new(model, "continuing_subword_prefix", json_null());
        json_object_set_new(model, "end_of_word_suffix", json_null());
        json_object_set_new(model, "fuse_unk", json_true());
        json_object_set_new(model, "byte_fallback", json_boolean(m.byte_fallback));
        json_object_set_new(model, "ignore_merges", json_false());
        json_object_set_new(model, "vocab", voc);
        json_object_set_new(model, "merges", merges);
    }
    json_object_set_new(root, "libtok_match_special", json_false());
    tok_vec_free(&m.pieces);
    return root;
nomem:
    tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
fail:
    json_decref(root);
    tok_vec_free(&m.pieces);
    return NULL;
}
