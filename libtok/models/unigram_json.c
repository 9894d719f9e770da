/* Unigram in tokenizer.json: the model object read and written (the model is unigram.c). */
#include "unigram.h"

tok_model *tok_unigram_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v)
{
    json_t *voc = NULL, *types = NULL;
    int64_t unk = -1;
    bool bf = false;
    const char *ties = "hf";
    size_t ties_len = 2;
    if (tok_jarr(jc, j, "vocab", &voc, true) || tok_jint(jc, j, "unk_id", &unk, false) ||
        tok_jbool(jc, j, "byte_fallback", &bf, false) || tok_jstr(jc, j, "libtok_ties", &ties, &ties_len, false) ||
        tok_jarr(jc, j, "libtok_piece_types", &types, false))
        return NULL;
    bool spm;
    if (ties_len == 2 && !memcmp(ties, "hf", 2)) spm = false;
    else if (ties_len == 3 && !memcmp(ties, "spm", 3)) spm = true;
    else {
        size_t s = tok_jpush(jc, "libtok_ties");
        tok_junsupported(jc, "Unigram tie rule (\"hf\" or \"spm\")", ties);
        tok_jpop(jc, s);
        return NULL;
    }
    size_t n = json_array_size(voc);
    if (n >= (1u << 30)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "vocabulary too large");
        return NULL;
    }
    if (unk >= 0 && n == 0) {
        tok_jfail(jc, TOK_ERR_FORMAT, "the vocabulary is empty but unk_id is set");
        return NULL;
    }
    if (unk < -1 || unk >= (int64_t)n) {
        size_t s = tok_jpush(jc, "unk_id");
        tok_jfail(jc, TOK_ERR_FORMAT, "unk_id %lld is not in the vocabulary (%zu pieces)", (long long)unk, n);
        tok_jpop(jc, s);
        return NULL;
    }
    if (types && json_array_size(types) != n) {
        size_t s = tok_jpush(jc, "libtok_piece_types");
        tok_jfail(jc, TOK_ERR_FORMAT, "%zu piece types for %zu pieces", json_array_size(types), n);
        tok_jpop(jc, s);
        return NULL;
    }
    ug_model *u = calloc(1, sizeof *u);
    if (!u) goto nomem;
    u->base.vt = &tok__unigram_vt;
    u->base.unk_id = -1;
    u->base.byte_fallback = bf;
    u->base.fuse_unk = true;
    u->spm = spm;
    u->n = n;
    u->unk = (int32_t)unk;
    u->score = malloc((n ? n : 1) * sizeof *u->score);
    if (!u->score) goto nomem;
    if (types && !(u->ptype = malloc(n ? n : 1))) goto nomem;

    size_t saved = tok_jpush(jc, types ? "libtok_piece_types" : "vocab");
    for (size_t i = 0; types && i < n; i++) {
        json_t *t = json_array_get(types, i);
        if (!json_is_integer(t) || json_integer_value(t) < PT_NORMAL || json_integer_value(t) > PT_BYTE) {
            size_t s2 = tok_jpush_index(jc, i);
            tok_jfail(jc, TOK_ERR_FORMAT, "expected a SentencePiece piece type (1..6)");
            tok_jpop(jc, s2);
            goto fail;
        }
        u->ptype[i] = (uint8_t)json_integer_value(t);
    }
    tok_jpop(jc, saved);

    saved = tok_jpush(jc, "vocab");
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(voc, i);
        json_t *p = json_array_get(e, 0), *sc = json_array_get(e, 1);
        if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(p) || !json_is_number(sc)) {
            size_t s2 = tok_jpush_index(jc, i);
            tok_jfail(jc, TOK_ERR_FORMAT, "expected [piece, score]");
            tok_jpop(jc, s2);
            goto fail;
        }
        u->score[i] = json_number_value(sc);
        uint32_t flags = TOK__IN_MODEL;
        int pt = u->ptype ? u->ptype[i] : PT_NORMAL;
        if ((int64_t)i == unk || pt == PT_UNKNOWN) flags |= TOK_TOKEN_UNK;
        if (pt == PT_CONTROL) flags |= TOK_TOKEN_CONTROL;
        if (pt == PT_USER) flags |= TOK_TOKEN_USER;
        if (pt == PT_UNUSED) flags |= TOK_TOKEN_UNUSED;
        if (pt == PT_BYTE) flags |= TOK_TOKEN_BYTE;
        if (tok_vocab_set(v, (int32_t)i, json_string_value(p), json_string_length(p), (float)u->score[i], flags,
                          jc->err))
            goto fail;
    }
    tok_jpop(jc, saved);
    return &u->base;
nomem:
    tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
fail:
    tok__unigram_free(u ? &u->base : NULL);
    return NULL;
}

json_t *tok__unigram_to_json(const tok_model *m, const tok_vocab *v)
{
    const ug_model *u = (const ug_model *)m;
    json_t *j = json_object(), *voc = json_array(), *types = u->ptype ? json_array() : NULL;
    if (!j || !voc || (u->ptype && !types)) goto fail;
    for (size_t i = 0; i < u->n; i++) {
        const tok_token *t = &v->tok[i];
        json_t *e = json_array();
        if (!e || json_array_append_new(voc, e)) goto fail;
        json_array_append_new(e, json_stringn(t->text, t->text_len));
        json_array_append_new(e, json_real(u->score[i]));
        if (types) json_array_append_new(types, json_integer(u->ptype[i]));
    }
    json_object_set_new(j, "type", json_string("Unigram"));
    json_object_set_new(j, "unk_id", u->unk >= 0 ? json_integer(u->unk) : json_null());
    json_object_set_new(j, "vocab", voc);
    json_object_set_new(j, "byte_fallback", json_boolean(u->base.byte_fallback));
    if (u->spm) json_object_set_new(j, "libtok_ties", json_string("spm"));
    if (types) json_object_set_new(j, "libtok_piece_types", types);
    return j;
fail:
    json_decref(j);
    json_decref(voc);
    json_decref(types);
    return NULL;
}
