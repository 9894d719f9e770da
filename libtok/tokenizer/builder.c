/*
 * tok_builder: a tokenizer specification edited in memory.  The spec is the
 * tokenizer.json tree every loader produces (build.c builds from it), so a
 * built tokenizer goes through the loaders' own checks and `tok convert`
 * writes exactly what was built.
 */
#include "../core/json.h"

#include <stdio.h>

struct tok_builder {
    json_t *root;        /* the whole tokenizer.json tree */
    json_t *model;       /* root.model (borrowed) */
    json_t *index;       /* model token text -> id */
    json_t *added_index; /* added token text -> id */
    tok_model_kind kind;
    size_t next_id;      /* the next free id */
    char *unk;           /* Unigram: unk token text, resolved to unk_id when built */
};

static const char *stage_key(tok_stage s)
{
    switch (s) {
    case TOK_STAGE_NORMALIZER: return "normalizer";
    case TOK_STAGE_PRETOKENIZER: return "pre_tokenizer";
    case TOK_STAGE_POSTPROCESSOR: return "post_processor";
    case TOK_STAGE_DECODER: return "decoder";
    default: return NULL;
    }
}

static tok_builder *builder_alloc(json_t *root, tok_error *err)
{
    tok_builder *b = calloc(1, sizeof *b);
    if (!b || !root) {
        free(b);
        json_decref(root);
        tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    b->root = root;
    b->model = json_object_get(root, "model");
    b->index = json_object();
    b->added_index = json_object();
    return b;
}

void tok_builder_free(tok_builder *b)
{
    if (!b) return;
    json_decref(b->root);
    json_decref(b->index);
    json_decref(b->added_index);
    free(b->unk);
    free(b);
}

tok_builder *tok_builder_new(tok_model_kind kind, tok_error *err)
{
    json_t *model;
    switch (kind) {
    case TOK_MODEL_BPE:
        model = json_pack("{s:s, s:n, s:n, s:n, s:n, s:b, s:b, s:b, s:o, s:[]}", "type", "BPE", "dropout", "unk_token",
                          "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", 0, "byte_fallback", 0,
                          "ignore_merges", 0, "vocab", json_object(), "merges");
        break;
    case TOK_MODEL_WORDPIECE:
        model = json_pack("{s:s, s:n, s:s, s:i, s:o}", "type", "WordPiece", "unk_token", "continuing_subword_prefix",
                          "##", "max_input_chars_per_word", 100, "vocab", json_object());
        break;
    case TOK_MODEL_UNIGRAM:
        model = json_pack("{s:s, s:n, s:[], s:b}", "type", "Unigram", "unk_id", "vocab", "byte_fallback", 0);
        break;
    case TOK_MODEL_WORDLEVEL:
        model = json_pack("{s:s, s:o, s:n}", "type", "WordLevel", "vocab", json_object(), "unk_token");
        break;
    default:
        tok__fail(err, TOK_ERR_ARG, "tok_builder_new: unknown model kind %d", (int)kind);
        return NULL;
    }
    json_t *root = model ? json_pack("{s:s, s:n, s:n, s:[], s:n, s:n, s:n, s:n, s:o}", "version", "1.0", "truncation",
                                     "padding", "added_tokens", "normalizer", "pre_tokenizer", "post_processor",
                                     "decoder", "model", model)
                         : NULL;
    tok_builder *b = builder_alloc(root, err);
    if (b) b->kind = kind;
    return b;
}

tok_builder *tok_builder_from(const tok_tokenizer *t, tok_error *err)
{
    if (!t) {
        tok__fail(err, TOK_ERR_ARG, "tok_builder_from: no tokenizer");
        return NULL;
    }
    tok_builder *b = builder_alloc(tok__to_json(t), err);
    if (!b) return NULL;
    b->kind = t->model->vt->kind;
    b->next_id = t->vocab.n;
    const tok_vocab *v = &t->vocab;
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *k = &v->tok[i];
        if (k->flags & TOK_TOKEN_NONE) continue;
        json_t *id = json_integer((json_int_t)i);
        if (k->flags & TOK__IN_MODEL) json_object_setn_nocheck(b->index, k->text, k->text_len, id);
        if (k->flags & TOK_TOKEN_ADDED) json_object_setn_nocheck(b->added_index, k->text, k->text_len, id);
        json_decref(id);
    }
    if (b->kind == TOK_MODEL_UNIGRAM && t->model->unk_id >= 0) {
        const tok_token *k = &v->tok[t->model->unk_id];
        b->unk = strndup(k->text, k->text_len);
    }
    return b;
}

static tok_status bad_json(tok_error *err, const char *call, const char *what, const json_error_t *je)
{
    return tok__fail(err, TOK_ERR_FORMAT, "%s: %s: line %d column %d: %s", call, what, je->line, je->column, je->text);
}

tok_status tok_builder_set_stage(tok_builder *b, tok_stage stage, const char *json, tok_error *err)
{
    const char *key = stage_key(stage);
    if (!b || !key) return tok__fail(err, TOK_ERR_ARG, "tok_builder_set_stage: no builder or not a settable stage");
    json_t *j = json_null();
    if (json) {
        json_error_t je;
        j = json_loads(json, JSON_DECODE_ANY, &je);
        if (!j) return bad_json(err, "tok_builder_set_stage", key, &je);
        if (!json_is_object(j) && !json_is_null(j)) {
            json_decref(j);
            return tok__fail(err, TOK_ERR_FORMAT, "tok_builder_set_stage: %s must be an object or null", key);
        }
    }
    json_object_set_new(b->root, key, j);
    return TOK_OK;
}

tok_status tok_builder_copy_stage(tok_builder *b, tok_stage stage, const tok_tokenizer *from, tok_error *err)
{
    const char *key = stage_key(stage);
    if (!b || !key || !from) return tok__fail(err, TOK_ERR_ARG, "tok_builder_copy_stage: no builder, template or not a settable stage");
    json_object_set_new(b->root, key, tok__stage_json(from, stage));
    return TOK_OK;
}

static int32_t lookup(const json_t *index, const char *text, size_t len)
{
    json_t *id = json_object_getn(index, text, len);
    return json_is_integer(id) ? (int32_t)json_integer_value(id) : -1;
}

/* Enter a new model token at the next id. */
static int32_t new_model_token(tok_builder *b, const char *text, size_t len, float score, tok_error *err)
{
    json_t *voc = json_object_get(b->model, "vocab");
    if (b->next_id >= (1u << 30)) return tok__fail(err, TOK_ERR_LIMIT, "tok_builder_add_token: too many tokens"), -1;
    int32_t id = (int32_t)b->next_id;
    if (b->kind == TOK_MODEL_UNIGRAM) {
        /* the Unigram vocabulary is a list: ids are positions */
        if (json_array_size(voc) != b->next_id)
            return tok__fail(err, TOK_ERR_UNSUPPORTED,
                             "tok_builder_add_token: Unigram ids are list positions, and id %zu is taken by an added token",
                             json_array_size(voc)), -1;
        json_t *e = json_pack("[s%, f]", text, len, (double)score);
        if (!e || json_array_append_new(voc, e)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory"), -1;
    } else if (json_object_setn_new_nocheck(voc, text, len, json_integer(id))) {
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory"), -1;
    }
    if (json_object_setn_new_nocheck(b->index, text, len, json_integer(id)))
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory"), -1;
    b->next_id++;
    return id;
}

int32_t tok_builder_add_token(tok_builder *b, const char *text, size_t len, float score, tok_error *err)
{
    if (!b || (!text && len)) return tok__fail(err, TOK_ERR_ARG, "tok_builder_add_token: no builder or text"), -1;
    if (!text) text = "";
    if (tok_utf8_check((const uint8_t *)text, len) != len)
        return tok__fail(err, TOK_ERR_UTF8, "tok_builder_add_token: token text is not valid UTF-8"), -1;
    int32_t id = lookup(b->index, text, len);
    if (id < 0) return new_model_token(b, text, len, score, err);
    if (b->kind == TOK_MODEL_UNIGRAM) {
        json_t *e = json_array_get(json_object_get(b->model, "vocab"), (size_t)id);
        if (json_is_array(e)) json_array_set_new(e, 1, json_real(score));
    }
    return id;
}

tok_status tok_builder_add_merge(tok_builder *b, const char *left, size_t llen, const char *right, size_t rlen,
                                 tok_error *err)
{
    if (!b || !left || !right) return tok__fail(err, TOK_ERR_ARG, "tok_builder_add_merge: no builder or part");
    if (b->kind != TOK_MODEL_BPE) return tok__fail(err, TOK_ERR_UNSUPPORTED, "tok_builder_add_merge: only BPE has merges");
    json_t *m = json_object_get(b->model, "merges");
    if (!json_is_array(m)) json_object_set_new(b->model, "merges", m = json_array());
    /* explicit merges replace the rank rule; the derived ones are in the list */
    json_object_del(b->model, "libtok_ranked");
    json_t *pr = json_pack("[s%, s%]", left, llen, right, rlen);
    if (!pr) return tok__fail(err, TOK_ERR_UTF8, "tok_builder_add_merge: a part is not valid UTF-8");
    return json_array_append_new(m, pr) ? tok__fail(err, TOK_ERR_NOMEM, "out of memory") : TOK_OK;
}

int32_t tok_builder_add_special(tok_builder *b, const char *text, size_t len, uint32_t flags, tok_error *err)
{
    if (!b || !text || !len) return tok__fail(err, TOK_ERR_ARG, "tok_builder_add_special: no builder or empty text"), -1;
    if (tok_utf8_check((const uint8_t *)text, len) != len)
        return tok__fail(err, TOK_ERR_UTF8, "tok_builder_add_special: token text is not valid UTF-8"), -1;
    int32_t id = lookup(b->added_index, text, len);
    json_t *added = json_object_get(b->root, "added_tokens");
    if (id >= 0) { /* re-adding updates the properties, as HF */
        size_t i;
        json_t *e;
        json_array_foreach(added, i, e) if (json_integer_value(json_object_get(e, "id")) == id) json_array_remove(added, i--);
    } else if ((id = lookup(b->index, text, len)) < 0) {
        if (b->kind == TOK_MODEL_UNIGRAM) id = new_model_token(b, text, len, 0, err);
        else if (b->next_id >= (1u << 30)) return tok__fail(err, TOK_ERR_LIMIT, "tok_builder_add_special: too many tokens"), -1;
        else id = (int32_t)b->next_id++;
        if (id < 0) return -1;
    }
    json_t *e = json_pack("{s:i, s:s%, s:b, s:b, s:b, s:b, s:b}", "id", (int)id, "content", text, len, "single_word",
                          !!(flags & TOK_ADDED_SINGLE_WORD), "lstrip", !!(flags & TOK_ADDED_LSTRIP), "rstrip",
                          !!(flags & TOK_ADDED_RSTRIP), "normalized", !!(flags & TOK_ADDED_NORMALIZED), "special",
                          !!(flags & TOK_ADDED_SPECIAL));
    if (!e || json_array_append_new(added, e) || json_object_setn_new_nocheck(b->added_index, text, len, json_integer(id)))
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory"), -1;
    return id;
}

tok_status tok_builder_set_unk(tok_builder *b, const char *text, tok_error *err)
{
    if (!b) return tok__fail(err, TOK_ERR_ARG, "tok_builder_set_unk: no builder");
    if (b->kind == TOK_MODEL_UNIGRAM) {
        free(b->unk);
        b->unk = text ? strdup(text) : NULL;
        if (text && !b->unk) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        return TOK_OK;
    }
    json_object_set_new(b->model, "unk_token", text ? json_string(text) : json_null());
    return TOK_OK;
}

tok_status tok_builder_set_byte_fallback(tok_builder *b, int on, tok_error *err)
{
    if (!b) return tok__fail(err, TOK_ERR_ARG, "tok_builder_set_byte_fallback: no builder");
    if (b->kind != TOK_MODEL_BPE && b->kind != TOK_MODEL_UNIGRAM)
        return tok__fail(err, TOK_ERR_UNSUPPORTED, "tok_builder_set_byte_fallback: only BPE and Unigram fall back to bytes");
    json_object_set_new(b->model, "byte_fallback", json_boolean(on));
    return TOK_OK;
}

tok_status tok_builder_set_affixes(tok_builder *b, const char *prefix, const char *suffix, tok_error *err)
{
    if (!b) return tok__fail(err, TOK_ERR_ARG, "tok_builder_set_affixes: no builder");
    if (prefix && b->kind != TOK_MODEL_BPE && b->kind != TOK_MODEL_WORDPIECE)
        return tok__fail(err, TOK_ERR_UNSUPPORTED, "tok_builder_set_affixes: a %s model has no continuing-subword prefix",
                         b->kind == TOK_MODEL_UNIGRAM ? "Unigram" : "WordLevel");
    if (suffix && b->kind != TOK_MODEL_BPE)
        return tok__fail(err, TOK_ERR_UNSUPPORTED, "tok_builder_set_affixes: only BPE has an end-of-word suffix");
    if (b->kind == TOK_MODEL_BPE || b->kind == TOK_MODEL_WORDPIECE)
        json_object_set_new(b->model, "continuing_subword_prefix",
                            prefix ? json_string(prefix) : b->kind == TOK_MODEL_WORDPIECE ? json_string("") : json_null());
    if (b->kind == TOK_MODEL_BPE) json_object_set_new(b->model, "end_of_word_suffix", suffix ? json_string(suffix) : json_null());
    return TOK_OK;
}

tok_status tok_builder_set_model_option(tok_builder *b, const char *key, const char *json, tok_error *err)
{
    if (!b || !key || !json) return tok__fail(err, TOK_ERR_ARG, "tok_builder_set_model_option: no builder, key or value");
    if (!strcmp(key, "type") || !strcmp(key, "vocab") || !strcmp(key, "merges"))
        return tok__fail(err, TOK_ERR_ARG, "tok_builder_set_model_option: \"%s\" is set by the other builder calls", key);
    json_error_t je;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &je);
    if (!j) return bad_json(err, "tok_builder_set_model_option", key, &je);
    json_object_set_new(b->model, key, j);
    return TOK_OK;
}

size_t tok_builder_size(const tok_builder *b) { return b ? b->next_id : 0; }

tok_tokenizer *tok_builder_build(tok_builder *b, tok_error *err)
{
    if (!b) {
        tok__fail(err, TOK_ERR_ARG, "tok_builder_build: no builder");
        return NULL;
    }
    if (b->kind == TOK_MODEL_UNIGRAM) {
        int32_t unk = b->unk ? lookup(b->index, b->unk, strlen(b->unk)) : -1;
        if (b->unk && unk < 0) {
            tok__fail(err, TOK_ERR_FORMAT, "tok_builder_build: unk token \"%s\" is not in the vocabulary", b->unk);
            return NULL;
        }
        json_object_set_new(b->model, "unk_id", unk >= 0 ? json_integer(unk) : json_null());
    }
    return tok__from_hfjson(b->root, "<builder>", NULL, err);
}
