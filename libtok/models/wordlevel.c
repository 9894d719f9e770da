/*
 * WordLevel (HF models/wordlevel): the whole pre-token is one token, or the
 * unknown token when it is not in the vocabulary (an error when there is no
 * unknown token either, as in HF).
 */
#include "vocab_json.h"

typedef tok_vocab_ent wl_ent;

typedef struct wl_model {
    tok_model base;
    char *unk;
    size_t unk_len;
    tok_vocab_ents ents;
    tok_strmap map;   /* model bytes -> id */
    uint8_t *keybuf;  /* byte-level decoded keys */
} wl_model;

static void wl_free(tok_model *m)
{
    wl_model *w = (wl_model *)m;
    if (!w) return;
    free(w->unk);
    tok_vec_free(&w->ents);
    tok_strmap_free(&w->map);
    free(w->keybuf);
    free(w);
}

static tok_status wl_prepare(tok_model *m, const tok_vocab *v, tok_error *err)
{
    wl_model *w = (wl_model *)m;
    if (tok_strmap_init(&w->map, w->ents.n)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    size_t total = 0;
    for (size_t i = 0; i < w->ents.n; i++) total += w->ents.v[i].len;
    if (v->byte_level && !(w->keybuf = malloc(total + 1))) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    size_t kb = 0;
    w->base.unk_id = -1;
    for (size_t i = 0; i < w->ents.n; i++) {
        const wl_ent *e = &w->ents.v[i];
        const void *key = e->text;
        size_t klen = e->len;
        if (v->byte_level) {
            /* decode the GPT-2 alphabet; tokens outside it never match */
            size_t p = 0, k = 0;
            bool ok = true;
            while (p < e->len) {
                size_t l;
                uint32_t cp = tok_utf8_decode((const uint8_t *)e->text + p, e->len - p, &l);
                int b = cp == TOK_UTF8_BAD ? -1 : tok_bytelevel_byte(cp);
                if (b < 0) {
                    ok = false;
                    break;
                }
                w->keybuf[kb + k++] = (uint8_t)b;
                p += l;
            }
            if (!ok) continue;
            key = w->keybuf + kb;
            klen = k;
            kb += k;
        }
        if (tok_strmap_put(&w->map, key, (uint32_t)klen, e->id)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        if (e->len == w->unk_len && !memcmp(e->text, w->unk, w->unk_len)) w->base.unk_id = e->id;
    }
    return TOK_OK;
}

static tok_status wl_encode(const tok_model *m, tok_ctx *ctx, const uint8_t *s, uint32_t n,
                            const tok_encode_options *opt, tok_toks *out)
{
    const wl_model *w = (const wl_model *)m;
    if (opt && opt->method != TOK_METHOD_DEFAULT)
        return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED, "WordLevel: method %s is not native",
                            tok_method_name(opt->method));
    int32_t id = tok_strmap_get(&w->map, s, n);
    if (id < 0) id = w->base.unk_id;
    if (id < 0)
        return tok_ctx_fail(ctx, TOK_ERR_FORMAT, "WordLevel: the unknown token \"%s\" is not in the vocabulary",
                            w->unk);
    if (tok_toks_push(out, id, 0, n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static json_t *wl_to_json(const tok_model *m, const tok_vocab *v)
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

static const tok_model_vt wl_vt = {
    .kind = TOK_MODEL_WORDLEVEL,
    .type = "WordLevel",
    .prepare = wl_prepare,
    .scratch_new = NULL,
    .scratch_free = NULL,
    .encode = wl_encode,
    .free = wl_free,
    .to_json = wl_to_json,
};

tok_model *tok_wordlevel_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v)
{
    const char *unk = "<unk>";
    size_t unk_len = 5;
    json_t *voc = NULL;
    if (tok_jstr(jc, j, "unk_token", &unk, &unk_len, false) || tok_jobj(jc, j, "vocab", &voc, true)) return NULL;
    wl_model *w = calloc(1, sizeof *w);
    if (!w) goto nomem;
    w->base.vt = &wl_vt;
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
    wl_free(w ? &w->base : NULL);
    return NULL;
}
