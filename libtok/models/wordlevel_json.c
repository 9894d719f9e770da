/* WordLevel in tokenizer.json: the model object read and written (the model is wordlevel.c). */
#include "wordlevel.h"

tok_model *tok_wordlevel_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v)
{
    const char *unk = "<unk>";
    size_t unk_len = 5;
    json_t *voc = NULL;
    if (tok_jstr(jc, j, "unk_token", &unk, &unk_len, false) || tok_jobj(jc, j, "vocab", &voc, true)) return NULL;
    wl_model *w = calloc(1, sizeof *w);
    if (!w) goto nomem;
    w->base.vt = &tok__wordlevel_vt;
    w->base.unk_id = -1;
    w->unk = malloc(unk_len + 1);
    if (!w->unk) goto nomem;
    memcpy(w->unk, unk, unk_len);
    w->unk[unk_len] = 0;
    w->unk_len = unk_len;
    if (tok_vocab_json_read(jc, voc, unk, unk_len, v, &w->ents)) goto fail;
    return &w->base;
nomem:
    tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
fail:
    tok__wordlevel_free(w ? &w->base : NULL);
    return NULL;
}

json_t *tok__wordlevel_to_json(const tok_model *m, const tok_vocab *v)
{
    TOK_UNUSED(v);
    const wl_model *w = (const wl_model *)m;
    /* entries were kept in file order; written by id as HF does */
    json_t *j = json_object(), *voc = tok_vocab_json_write(&w->ents);
    if (!j || !voc) {
        json_decref(j);
        json_decref(voc);
        return NULL;
    }
    json_object_set_new(j, "type", json_string("WordLevel"));
    json_object_set_new(j, "vocab", voc);
    json_object_set_new(j, "unk_token", json_stringn(w->unk, w->unk_len));
    return j;
}
