/*
 * WordLevel (HF models/wordlevel): the whole pre-token is one token, or the
 * unknown token when it is not in the vocabulary (an error when there is no
 * unknown token either, as in HF).
 */
#include "wordlevel.h"


void tok__wordlevel_free(tok_model *m)
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

const tok_model_vt tok__wordlevel_vt = {
    .kind = TOK_MODEL_WORDLEVEL,
    .type = "WordLevel",
    .prepare = wl_prepare,
    .scratch_new = NULL,
    .scratch_free = NULL,
    .encode = wl_encode,
    .free = tok__wordlevel_free,
    .to_json = tok__wordlevel_to_json,
};
