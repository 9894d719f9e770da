/* Writing a tokenizer back out as tokenizer.json. */
#include "../core/json.h"

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


json_t *tok__stage_json(const tok_tokenizer *t, tok_stage stage)
{
    json_t *j = NULL;
    switch (stage) {
    case TOK_STAGE_NORMALIZER: j = t->normalizer ? t->normalizer->vt->to_json(t->normalizer) : NULL; break;
    case TOK_STAGE_PRETOKENIZER: j = t->pretok ? t->pretok->vt->to_json(t->pretok) : NULL; break;
    case TOK_STAGE_POSTPROCESSOR: j = t->post ? t->post->vt->to_json(t->post) : NULL; break;
    case TOK_STAGE_DECODER: j = t->decoder ? t->decoder->vt->to_json(t->decoder) : NULL; break;
    case TOK_STAGE_MODEL: j = t->model->vt->to_json(t->model, &t->vocab); break;
    }
    return j ? j : json_null();
}

json_t *tok__to_json(const tok_tokenizer *t)
{
    json_t *root = json_object();
    json_object_set_new(root, "version", json_string("1.0"));
    json_object_set_new(root, "truncation", tok__truncation_json(&t->trunc));
    json_object_set_new(root, "padding", tok__padding_json(&t->pad));
    json_object_set_new(root, "added_tokens", added_json(t));
    json_object_set_new(root, "normalizer", tok__stage_json(t, TOK_STAGE_NORMALIZER));
    json_object_set_new(root, "pre_tokenizer", tok__stage_json(t, TOK_STAGE_PRETOKENIZER));
    json_object_set_new(root, "post_processor", tok__stage_json(t, TOK_STAGE_POSTPROCESSOR));
    json_object_set_new(root, "decoder", tok__stage_json(t, TOK_STAGE_DECODER));
    json_t *model = tok__stage_json(t, TOK_STAGE_MODEL);
    /* HF rejects unknown top-level keys but not model keys */
    if (!t->match_special_default) json_object_set_new(model, "libtok_match_special", json_false());
    json_object_set_new(root, "model", model);
    return root;
}

tok_status tok_save(const tok_tokenizer *t, const char *path, tok_format format, tok_error *err)
{
    if (!t || !path) return tok__fail(err, TOK_ERR_ARG, "no tokenizer or path");
    if (format != TOK_FORMAT_HF_JSON && format != TOK_FORMAT_TOKPACK)
        return tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: output is tokenizer.json or the compact .tokpack", path);
    json_t *root = tok__to_json(t);
    if (format == TOK_FORMAT_TOKPACK) {
        tok_status st = tok__save_pack(root, t, path, 0, err);
        json_decref(root);
        return st;
    }
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc) return tok__fail(err, TOK_ERR_IO, "%s: cannot write", path);
    return TOK_OK;
}
