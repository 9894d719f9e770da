/* Writing a tokenizer back out as tokenizer.json. */
#include "../internal.h"

#include <stdio.h>

static json_t *added_json(const tok_tokenizer *t)
{
    json_t *a = json_array();
    for (size_t i = 0; i < t->added.v.n; i++) {
        const tok_added *x = &t->added.v.v[i];
        json_array_append_new(a, json_pack("{s:i, s:s%, s:b, s:b, s:b, s:b, s:b}", "id", (int)x->id,
                                           "content", x->content, (size_t)x->len, "single_word", x->single_word,
                                           "lstrip", x->lstrip, "rstrip", x->rstrip, "normalized", x->normalized,
                                           "special", x->special));
    }
    return a;
}


tok_status tok_save(const tok_tokenizer *t, const char *path, tok_format format, tok_error *err)
{
    if (!t || !path) return tok__fail(err, TOK_ERR_ARG, "no tokenizer or path");
    if (format != TOK_FORMAT_HF_JSON && format != TOK_FORMAT_TOKPACK)
        return tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: output is tokenizer.json or the compact .tokpack", path);
    json_t *root = json_object();
    json_object_set_new(root, "version", json_string("1.0"));
    json_object_set_new(root, "truncation", tok__truncation_json(&t->trunc));
    json_object_set_new(root, "padding", tok__padding_json(&t->pad));
    json_object_set_new(root, "added_tokens", added_json(t));
    json_object_set_new(root, "normalizer", t->normalizer ? t->normalizer->vt->to_json(t->normalizer) : json_null());
    json_object_set_new(root, "pre_tokenizer", t->pretok ? t->pretok->vt->to_json(t->pretok) : json_null());
    json_object_set_new(root, "post_processor", t->post ? t->post->vt->to_json(t->post) : json_null());
    json_object_set_new(root, "decoder", t->decoder ? t->decoder->vt->to_json(t->decoder) : json_null());
    json_t *model = t->model->vt->to_json(t->model, &t->vocab);
    /* HF rejects unknown top-level keys but not model keys */
    if (!t->match_special_default) json_object_set_new(model, "libtok_match_special", json_false());
    json_object_set_new(root, "model", model);
    if (format == TOK_FORMAT_TOKPACK) {
        tok_status st = tok__save_pack(root, t, path, err);
        json_decref(root);
        return st;
    }
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc) return tok__fail(err, TOK_ERR_IO, "%s: cannot write", path);
    return TOK_OK;
}
