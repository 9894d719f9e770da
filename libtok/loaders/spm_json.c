/*
 * A SentencePiece model (pieces with scores and types, normalizer and
 * trainer settings) -> tokenizer.json tree.  Shared by the .model reader
 * (spm.c) and GGUF vocabularies of SentencePiece kind (gguf.c); the rules
 * are described at the top of spm.c.
 */
#include "spm.h"
#include "../models/trie.h"

#include <stdio.h>

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

/* within one piece: by (id of left, id of right); each split gives one pair */
static int split_cmp(const void *pa, const void *pb_)
{
    const merge_c *a = pa, *b = pb_;
    if (a->l != b->l) return a->l < b->l ? -1 : 1;
    return (a->r > b->r) - (a->r < b->r);
}

/* The merges' text is quadratic in the pieces' lengths when pieces are each
 * other's prefixes ("a", "aa", "aaa"...): HF would build them all; libtok
 * refuses past this many bytes per byte of the pieces. */
#define MERGE_BYTES_PER_BYTE 16
#define MERGE_BYTES_SLACK ((size_t)16 << 20)

/* HF generate_merges(vocab, vocab_scores): for every piece, each split into
 * two pieces of the vocabulary (ordered by their ids), then all of them by
 * score, left length and right length, descending, stably.  The splits of a
 * piece are found in one walk of a trie of the pieces (the prefixes) and one
 * of a trie of the reversed pieces (the suffixes), so that a long piece costs
 * its length, not its length squared. */
static json_t *bpe_merges(const uint8_t *d, const spm_model *m, tok_error *err, const char *file)
{
    tok_trie fwd = { 0 }, rev = { 0 };
    tok_trie_key *keys = NULL;
    uint8_t *rbytes = NULL;
    int32_t *pre = NULL;
    uint32_t *cc = NULL;
    TOK_VEC(merge_c) mc = { 0 };
    json_t *arr = NULL;
    size_t np = m->pieces.n, total = 0, maxlen = 0;
    for (size_t i = 0; i < np; i++) {
        total += m->pieces.v[i].len;
        if (m->pieces.v[i].len > maxlen) maxlen = m->pieces.v[i].len;
    }
    keys = malloc((np ? np : 1) * sizeof *keys);
    rbytes = malloc(total + 1);
    pre = malloc((maxlen + 1) * sizeof *pre);
    cc = malloc((maxlen + 1) * sizeof *cc);
    if (!keys || !rbytes || !pre || !cc) goto nomem;
    for (size_t i = 0; i < np; i++)
        keys[i] = (tok_trie_key){ d + m->pieces.v[i].off, (uint32_t)m->pieces.v[i].len, (int32_t)i };
    if (tok_trie_build(&fwd, keys, np, err)) goto fail;
    for (size_t i = 0, at = 0; i < np; i++) {
        const uint8_t *s = d + m->pieces.v[i].off;
        size_t n = m->pieces.v[i].len;
        for (size_t k = 0; k < n; k++) rbytes[at + k] = s[n - 1 - k];
        keys[i].s = rbytes + at;
        at += n;
    }
    if (tok_trie_build(&rev, keys, np, err)) goto fail;
    for (size_t k = 0; k <= maxlen; k++) pre[k] = -1;

    /* the pieces' part of the file: their text and a few bytes of framing each */
    size_t dlen = total + 8 * np;
    size_t budget = dlen > (SIZE_MAX - MERGE_BYTES_SLACK) / MERGE_BYTES_PER_BYTE
                        ? SIZE_MAX : dlen * MERGE_BYTES_PER_BYTE + MERGE_BYTES_SLACK;
    size_t bytes = 0;
    for (size_t i = 0; i < np; i++) {
        const spm_piece *pc = &m->pieces.v[i];
        /* SentencePiece never produces control, unknown or byte pieces by merging */
        if (pc->type == PT_CONTROL || pc->type == PT_UNKNOWN || pc->type == PT_BYTE) continue;
        const uint8_t *s = d + pc->off;
        size_t n = pc->len, first = mc.n;
        cc[0] = 0;
        for (size_t k = 0; k < n; k++) cc[k + 1] = cc[k] + ((s[k] & 0xC0) != 0x80);
        tok_trie_iter it;
        tok_trie_iter_init(&it, s, n - 1);
        while (tok_trie_next(&fwd, &it)) pre[it.len] = it.value;
        tok_trie_iter_init(&it, keys[i].s, n - 1);
        while (tok_trie_next(&rev, &it)) {
            size_t k = n - it.len;
            if (pre[k] < 0 || (s[k] & 0xC0) == 0x80) continue;
            merge_c c = { pre[k], it.value, pc->score, cc[k], cc[n] - cc[k], 0 };
            if (tok_vec_push(&mc, c)) goto nomem;
            bytes += n + 16;
        }
        tok_trie_iter_init(&it, s, n - 1);
        while (tok_trie_next(&fwd, &it)) pre[it.len] = -1;
        if (bytes > budget) {
            tok__fail(err, TOK_ERR_LIMIT, "%s: byte %zu: the BPE merges derived from the pieces would take more than "
                      "%zu bytes (%zu pieces that are prefixes of one another)", file, pc->off, budget, mc.n);
            goto fail;
        }
        if (mc.n - first > 1) qsort(mc.v + first, mc.n - first, sizeof *mc.v, split_cmp);
    }
    for (size_t i = 0; i < mc.n; i++) mc.v[i].order = (uint32_t)i;
    if (mc.n > 1) qsort(mc.v, mc.n, sizeof *mc.v, merge_cmp);
    arr = json_array();
    if (!arr) goto nomem;
    for (size_t i = 0; i < mc.n; i++) {
        const spm_piece *l = &m->pieces.v[mc.v[i].l], *r = &m->pieces.v[mc.v[i].r];
        json_t *pair = json_array();
        if (!pair || json_array_append_new(arr, pair)) goto nomem;
        json_array_append_new(pair, json_stringn((const char *)d + l->off, l->len));
        json_array_append_new(pair, json_stringn((const char *)d + r->off, r->len));
    }
    goto done;
nomem:
    tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
fail:
    json_decref(arr);
    arr = NULL;
done:
    tok_trie_free(&fwd);
    tok_trie_free(&rev);
    free(keys);
    free(rbytes);
    free(pre);
    free(cc);
    tok_vec_free(&mc);
    return arr;
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

json_t *tok__spm_model_to_json(const uint8_t *data, const spm_model *mp, const char *file, bool hf, tok_error *err)
{
    spm_model m = *mp; /* read only: the pieces stay the caller's */
    json_t *root = NULL;
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
        if (m.add_dummy_prefix) json_array_append_new(norms, prepend_norm(SP));
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
    return root;
nomem:
    tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
fail:
    json_decref(root);
    return NULL;
}
