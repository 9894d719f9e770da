/* Model dispatch by the "type" of tokenizer.json's model object. */
#include "../core/json.h"

tok_model *tok_model_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v)
{
    const char *type = NULL;
    if (!json_is_object(j)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected the model object");
        return NULL;
    }
    json_t *t = json_object_get(j, "type");
    if (t && !json_is_string(t)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "model \"type\" must be a string");
        return NULL;
    }
    type = t ? json_string_value(t) : NULL;
    if (!type) {
        /* old files leave the type out: guess as HF does from the keys */
        if (json_object_get(j, "merges")) type = "BPE";
        else if (json_object_get(j, "max_input_chars_per_word")) type = "WordPiece";
        else if (json_is_array(json_object_get(j, "vocab"))) type = "Unigram";
        else type = "WordLevel";
    }
    if (!strcmp(type, "BPE")) return tok_bpe_from_json(jc, j, v);
    if (!strcmp(type, "WordPiece")) return tok_wordpiece_from_json(jc, j, v);
    if (!strcmp(type, "Unigram")) return tok_unigram_from_json(jc, j, v);
    if (!strcmp(type, "WordLevel")) return tok_wordlevel_from_json(jc, j, v);
    tok_junsupported(jc, "model type", type);
    return NULL;
}

void tok_model_free(tok_model *m)
{
    if (m) m->vt->free(m);
}
