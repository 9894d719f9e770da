/* WordPiece in tokenizer.json: the model object read and written (the model is wordpiece.c). */
#include "wordpiece.h"

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

tok_model *tok_wordpiece_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v)
{
    const char *unk = "[UNK]", *prefix = "##";
    size_t unk_len = 5, prefix_len = 2;
    int64_t max_chars = 100;
    json_t *voc = NULL;
    if (tok_jstr(jc, j, "unk_token", &unk, &unk_len, false) ||
        tok_jstr(jc, j, "continuing_subword_prefix", &prefix, &prefix_len, false) ||
        tok_jint(jc, j, "max_input_chars_per_word", &max_chars, false) ||
        tok_jobj(jc, j, "vocab", &voc, true))
        return NULL;
    if (max_chars < 0) {
        size_t s = tok_jpush(jc, "max_input_chars_per_word");
        tok_jfail(jc, TOK_ERR_FORMAT, "must not be negative");
        tok_jpop(jc, s);
        return NULL;
    }
    wp_model *w = calloc(1, sizeof *w);
    if (!w) goto nomem;
    w->base.vt = &tok__wordpiece_vt;
    w->base.unk_id = -1;
    w->rsharp = -1;
    w->max_chars = max_chars;
    w->unk = dupn(unk, unk_len);
    w->unk_len = unk_len;
    w->prefix = dupn(prefix, prefix_len);
    w->prefix_len = prefix_len;
    if (!w->unk || !w->prefix) goto nomem;
    w->base.cont_prefix = w->prefix_len ? w->prefix : NULL;
    if (tok_vocab_json_read(jc, voc, unk, unk_len, v, &w->ents)) goto fail;
    return &w->base;
nomem:
    tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
fail:
    tok__wordpiece_free(w ? &w->base : NULL);
    return NULL;
}

json_t *tok__wordpiece_to_json(const tok_model *m, const tok_vocab *v)
{
    TOK_UNUSED(v);
    const wp_model *w = (const wp_model *)m;
    /* entries were kept in file order; written by id as HF does */
    json_t *j = json_object(), *voc = tok_vocab_json_write(&w->ents);
    if (!j || !voc) {
        json_decref(j);
        json_decref(voc);
        return NULL;
    }
    json_object_set_new(j, "type", json_string("WordPiece"));
    json_object_set_new(j, "unk_token", json_stringn(w->unk, w->unk_len));
    json_object_set_new(j, "continuing_subword_prefix", json_stringn(w->prefix, w->prefix_len));
    json_object_set_new(j, "max_input_chars_per_word", json_integer(w->max_chars));
    json_object_set_new(j, "vocab", voc);
    return j;
}
