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
 *    Decoder: Replace("▁" -> " "), ByteFallback + Fuse, Strip one space.
 *  - TOK_TIES_HF asks for HF's conversion instead (convert_slow_tokenizer's
 *    SpmConverter / LlamaConverter): HF tie rule, HF's Precompiled walk,
 *    Strip + Replace + Metaspace("always") for Unigram, Prepend + Replace
 *    for BPE, user-defined pieces as added tokens.
 */
#include "spm.h"

#include <stdio.h>

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

/* The fields of the message that ends at `end`, one call of `field` each
 * (wire key already read); the reader's end is restored after. */
typedef tok_status (*pb_field_fn)(pb *r, uint32_t f, int wt, size_t at, void *arg);
static tok_status pb_message(pb *r, size_t end, pb_field_fn field, void *arg)
{
    size_t saved = r->end;
    r->end = end;
    tok_status st = TOK_OK;
    while (!st && r->off < r->end) {
        uint32_t f;
        int wt;
        size_t at;
        if (!(st = pb_key(r, &f, &wt, &at))) st = field(r, f, wt, at, arg);
    }
    r->end = saved;
    return st;
}

typedef struct piece_acc {
    spm_piece pc;
    bool have_text;
} piece_acc;

static tok_status piece_field(pb *r, uint32_t f, int wt, size_t at, void *arg)
{
    piece_acc *a = arg;
    tok_status st;
    uint64_t v;
    switch (f) {
    case 1:
        a->have_text = true;
        if ((st = pb_want(r, f, wt, WT_LEN, at))) return st;
        return pb_bytes(r, &a->pc.off, &a->pc.len);
    case 2: {
        if ((st = pb_want(r, f, wt, WT_I32, at))) return st;
        if (r->end - r->off < 4) return pb_fail(r, r->off, "truncated float");
        uint32_t bits = (uint32_t)r->p[r->off] | (uint32_t)r->p[r->off + 1] << 8 |
                        (uint32_t)r->p[r->off + 2] << 16 | (uint32_t)r->p[r->off + 3] << 24;
        memcpy(&a->pc.score, &bits, 4);
        r->off += 4;
        return TOK_OK;
    }
    case 3:
        if ((st = pb_want(r, f, wt, WT_VARINT, at)) || (st = pb_varint(r, &v))) return st;
        if (v < PT_NORMAL || v > PT_BYTE) return pb_fail(r, at, "unknown piece type");
        a->pc.type = (int)v;
        return TOK_OK;
    default: return pb_skip(r, wt, at);
    }
}

static tok_status parse_piece(pb *r, size_t end, spm_model *m)
{
    piece_acc a = { { 0, 0, 0.0f, PT_NORMAL }, false };
    size_t begin = r->off;
    tok_status st = pb_message(r, end, piece_field, &a);
    if (st) return st;
    if (!a.have_text || a.pc.len == 0) return pb_fail(r, begin, "empty piece");
    if (tok_utf8_check(r->p + a.pc.off, a.pc.len) != a.pc.len) return pb_fail(r, a.pc.off, "piece is not valid UTF-8");
    if (tok_vec_push(&m->pieces, a.pc)) return tok__fail(r->err, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static tok_status trainer_field(pb *r, uint32_t f, int wt, size_t at, void *arg)
{
    spm_model *m = arg;
    tok_status st;
    uint64_t v;
    switch (f) {
    case 3:
        if (!(st = pb_want(r, f, wt, WT_VARINT, at)) && !(st = pb_varint(r, &v))) m->model_type = (int)v;
        return st;
    case 22: return pb_bool(r, f, wt, at, &m->split_by_ws);
    case 24: return pb_bool(r, f, wt, at, &m->treat_ws_suffix);
    case 26: return pb_bool(r, f, wt, at, &m->ws_only_pieces);
    case 35: return pb_bool(r, f, wt, at, &m->byte_fallback);
    case 40: return pb_int32(r, f, wt, at, &m->unk_id);
    case 41: return pb_int32(r, f, wt, at, &m->bos_id);
    case 42: return pb_int32(r, f, wt, at, &m->eos_id);
    case 43: return pb_int32(r, f, wt, at, &m->pad_id);
    default: return pb_skip(r, wt, at);
    }
}

static tok_status normalizer_field(pb *r, uint32_t f, int wt, size_t at, void *arg)
{
    spm_model *m = arg;
    tok_status st;
    switch (f) {
    case 2:
        if (!(st = pb_want(r, f, wt, WT_LEN, at))) st = pb_bytes(r, &m->charsmap_off, &m->charsmap_len);
        m->has_charsmap = m->charsmap_len > 0;
        return st;
    case 3: return pb_bool(r, f, wt, at, &m->add_dummy_prefix);
    case 4: return pb_bool(r, f, wt, at, &m->remove_extra_ws);
    case 5: return pb_bool(r, f, wt, at, &m->escape_ws);
    default: return pb_skip(r, wt, at);
    }
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
            st = f == 1   ? parse_piece(r, s + n, m)
                 : pb_message(r, s + n, f == 2 ? trainer_field : normalizer_field, m);
            if (st) return st;
            r->off = after;
        } else if ((st = pb_skip(r, wt, at))) {
            return st;
        }
    }
    return TOK_OK;
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

    if (!data || len == 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: empty SentencePiece model", file);
        return NULL;
    }
    if (parse_model(&r, &m)) goto fail;
    json_t *root = tok__spm_model_to_json(data, &m, file, opt && opt->unigram_ties == TOK_TIES_HF, err);
    tok_vec_free(&m.pieces);
    return root;
fail:
    tok_vec_free(&m.pieces);
    return NULL;
}
