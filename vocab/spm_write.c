/*
 * spm_write: a trained Unigram vocabulary as a SentencePiece .model
 * (protobuf ModelProto: pieces with scores and types, the trainer spec's
 * model type and vocabulary size, an identity normalizer spec with a dummy
 * prefix and escaped whitespace), written by hand: three nested messages of
 * strings, floats and varints.
 */
#include "tok_train.h"
#include "train_impl.h"
#include "vocab_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf { unsigned char *p; size_t n, cap; int bad; } buf;

static void put(buf *b, const void *s, size_t n)
{
    if (b->bad) return;
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 256;
        unsigned char *p = realloc(b->p, cap);
        if (!p) { b->bad = 1; return; }
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void varint(buf *b, uint64_t v)
{
    unsigned char t[10];
    size_t k = 0;
    do { t[k++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0)); v >>= 7; } while (v);
    put(b, t, k);
}

static void key(buf *b, unsigned field, unsigned wt) { varint(b, (uint64_t)field << 3 | wt); }
static void bytes(buf *b, unsigned field, const void *s, size_t n) { key(b, field, 2); varint(b, n); put(b, s, n); }
static void f32(buf *b, unsigned field, float f)
{
    key(b, field, 5);
    unsigned char t[4];
    memcpy(t, &f, 4); /* little-endian hosts */
    put(b, t, 4);
}
static void vint(buf *b, unsigned field, uint64_t v) { key(b, field, 0); varint(b, v); }

tok_status tok_trained_save_spm(const tok_trained *t, const char *path, tok_error *err)
{
    if (!t || !path) return vx_fail(err, TOK_ERR_ARG, "no model or path");
    size_t n = tok_trained_size(t);
    if (n < 3 || strcmp(tok_trained_token(t, 0), "<unk>"))
        return vx_fail(err, TOK_ERR_UNSUPPORTED, "%s: a .model is written for unigram, pathpiece and spm-bpe training only", path);
    buf out = { 0 }, sub = { 0 };
    for (size_t i = 0; i < n; i++) {
        const char *s = tok_trained_token(t, i);
        sub.n = 0;
        bytes(&sub, 1, s, strlen(s));
        f32(&sub, 2, tok_trained_score(t, i));
        /* type: 1 normal, 2 unknown, 3 control, 4 user defined, 6 byte */
        size_t nu = vx_trained_user_symbols(t);
        int bf = vx_trained_byte_fallback(t);
        vint(&sub, 3, i == 0 ? 2 : i < 3 ? 3 : i < 3 + nu ? 4 : bf && i < 3 + nu + 256 ? 6 : 1);
        bytes(&out, 1, sub.p, sub.n);
    }
    sub.n = 0; /* TrainerSpec: model_type (UNIGRAM 1, BPE 2), vocab_size */
    vint(&sub, 3, (uint64_t)vx_trained_spm_type(t));
    vint(&sub, 4, n);
    if (vx_trained_byte_fallback(t)) vint(&sub, 35, 1);
    bytes(&out, 2, sub.p, sub.n);
    sub.n = 0; /* NormalizerSpec: identity, add_dummy_prefix, no whitespace folding, escape */
    bytes(&sub, 1, "identity", 8);
    vint(&sub, 3, 1);
    vint(&sub, 4, 0);
    vint(&sub, 5, 1);
    bytes(&out, 3, sub.p, sub.n);
    free(sub.p);
    if (out.bad || sub.bad) { free(out.p); return vx_fail(err, TOK_ERR_NOMEM, "out of memory"); }
    FILE *f = fopen(path, "wb");
    if (!f) { free(out.p); return vx_fail(err, TOK_ERR_IO, "%s: %s", path, strerror(errno)); }
    size_t w = fwrite(out.p, 1, out.n, f);
    free(out.p);
    if (fclose(f) || w != out.n) return vx_fail(err, TOK_ERR_IO, "%s: write error", path);
    return TOK_OK;
}
