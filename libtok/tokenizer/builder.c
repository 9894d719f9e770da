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

/* ---- removal ------------------------------------------------------------ */

int32_t tok_builder_find(const tok_builder *b, const char *text, size_t len)
{
    if (!b || (!text && len)) return -1;
    if (!text) text = "";
    int32_t id = lookup(b->index, text, len);
    return id >= 0 ? id : lookup(b->added_index, text, len);
}

/* Ids the post-processor emits, found or renumbered: TemplateProcessing's
 * special_tokens[*].ids, Bert/RobertaProcessing's [text, id] pairs, and
 * those of a Sequence's processors.  With map, ids are rewritten; else the
 * first id marked in gone is returned (-1: none) and *where names it. */
static int32_t post_ids(json_t *pp, const bool *gone, size_t n, const int32_t *map, char *where, size_t cap)
{
    if (!json_is_object(pp)) return -1;
    const char *type = json_string_value(json_object_get(pp, "type"));
    if (!type) return -1;
    if (!strcmp(type, "Sequence")) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(pp, "processors"), i, e) {
            int32_t r = post_ids(e, gone, n, map, where, cap);
            if (r >= 0) return r;
        }
        return -1;
    }
    if (!strcmp(type, "TemplateProcessing")) {
        const char *key;
        json_t *o;
        json_object_foreach(json_object_get(pp, "special_tokens"), key, o) {
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(o, "ids"), i, e) {
                json_int_t id = json_integer_value(e);
                if (!json_is_integer(e) || id < 0 || (size_t)id >= n) continue;
                if (map) {
                    json_array_set_new(json_object_get(o, "ids"), i, json_integer(map[id]));
                } else if (gone[id]) {
                    snprintf(where, cap, "post_processor.special_tokens[\"%s\"]", key);
                    return (int32_t)id;
                }
            }
        }
        return -1;
    }
    static const char *const pairs[] = { "sep", "cls" };
    for (int k = 0; k < 2; k++) {
        json_t *pr = json_object_get(pp, pairs[k]), *e = json_array_get(pr, 1);
        json_int_t id = json_integer_value(e);
        if (!json_is_integer(e) || id < 0 || (size_t)id >= n) continue;
        if (map) {
            json_array_set_new(pr, 1, json_integer(map[id]));
        } else if (gone[id]) {
            snprintf(where, cap, "post_processor.%s (%s)", pairs[k], type);
            return (int32_t)id;
        }
    }
    return -1;
}

/* The text a BPE merge makes ([a, b] or "a b"), as the model makes it: b
 * loses the continuing-subword prefix.  0, or -1 when e is not a merge. */
static int merge_parts(const json_t *e, const char **a, size_t *la, const char **pb, size_t *lb)
{
    if (json_is_string(e)) {
        const char *s = json_string_value(e), *sp = memchr(s, ' ', json_string_length(e));
        if (!sp) return -1;
        *a = s;
        *la = (size_t)(sp - s);
        *pb = sp + 1;
        *lb = json_string_length(e) - *la - 1;
        return 0;
    }
    if (json_array_size(e) != 2 || !json_is_string(json_array_get(e, 0)) || !json_is_string(json_array_get(e, 1)))
        return -1;
    *a = json_string_value(json_array_get(e, 0));
    *la = json_string_length(json_array_get(e, 0));
    *pb = json_string_value(json_array_get(e, 1));
    *lb = json_string_length(json_array_get(e, 1));
    return 0;
}

/* Drop the merges that use or make a token of `gone` (model texts). */
static tok_status drop_merges(tok_builder *b, const json_t *gone)
{
    json_t *m = json_object_get(b->model, "merges");
    if (!json_is_array(m) || !json_object_size(gone)) return TOK_OK;
    const char *pre = json_string_value(json_object_get(b->model, "continuing_subword_prefix"));
    size_t pl = pre ? strlen(pre) : 0;
    json_t *kept = json_array();
    tok_sbuf cat = { 0 };
    size_t i;
    json_t *e;
    json_array_foreach(m, i, e) {
        const char *a, *c;
        size_t la, lc;
        if (merge_parts(e, &a, &la, &c, &lc) == 0) {
            size_t skip = pl <= lc ? pl : lc;
            cat.n = 0;
            if (tok_sbuf_put(&cat, a, la) || tok_sbuf_put(&cat, c + skip, lc - skip)) goto nomem;
            if (json_object_getn(gone, a, la) || json_object_getn(gone, c, lc) ||
                json_object_getn(gone, cat.n ? cat.v : "", cat.n))
                continue;
        }
        if (!kept || json_array_append(kept, e)) goto nomem;
    }
    tok_vec_free(&cat);
    json_object_set_new(b->model, "merges", kept);
    return TOK_OK;
nomem:
    tok_vec_free(&cat);
    json_decref(kept);
    return TOK_ERR_NOMEM;
}

/* Renumber every id in the spec by map (old -> new, -1 gone). */
static void renumber(tok_builder *b, const int32_t *map, size_t n)
{
    const char *key;
    size_t klen;
    json_t *v;
    /* new values, never set in place: an integer may be shared (the two
     * indexes hold one object for a token that is both) */
    json_t *obj[3] = { b->index, b->added_index, json_object_get(b->model, "vocab") };
    for (int k = 0; k < 3; k++)
        if (json_is_object(obj[k]))
            json_object_keylen_foreach(obj[k], key, klen, v) {
                json_int_t id = json_integer_value(v);
                if (json_is_integer(v) && id >= 0 && (size_t)id < n)
                    json_object_setn_new_nocheck(obj[k], key, klen, json_integer(map[id]));
            }
    size_t i;
    json_array_foreach(json_object_get(b->root, "added_tokens"), i, v) {
        json_int_t x = json_integer_value(json_object_get(v, "id"));
        if (json_is_integer(json_object_get(v, "id")) && x >= 0 && (size_t)x < n)
            json_object_set_new(v, "id", json_integer(map[x]));
    }
    post_ids(json_object_get(b->root, "post_processor"), NULL, n, map, NULL, 0);
    json_t *pad = json_object_get(b->root, "padding");
    json_int_t p = json_integer_value(json_object_get(pad, "pad_id"));
    if (json_is_integer(json_object_get(pad, "pad_id")) && p >= 0 && (size_t)p < n)
        json_object_set_new(pad, "pad_id", json_integer(map[p]));
}

/* Holes are only kept where HF reads the ids back as they are: it numbers
 * an added token that is not a model token from the model's size (tokens,
 * not ids) or past the largest added id (build.c does the same).  Returns
 * the first added token that would move (its index in added_tokens), or -1;
 * *to gets the id it would get. */
static long added_would_move(const tok_builder *b, const bool *gone, size_t total, const json_t *gone_model,
                             int64_t *to)
{
    if (json_is_true(json_object_get(b->model, "libtok_ranked"))) return -1; /* tiktoken keeps its ids */
    size_t model_size = json_object_size(b->index) - json_object_size(gone_model);
    int64_t max = -1;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(b->root, "added_tokens"), i, e) {
        json_int_t id = json_integer_value(json_object_get(e, "id"));
        if (id >= 0 && (size_t)id < total && gone[id]) continue;
        json_t *c = json_object_get(e, "content");
        int64_t want;
        int32_t have = lookup(b->index, json_string_value(c), json_string_length(c));
        if (have >= 0 && !json_object_getn(gone_model, json_string_value(c), json_string_length(c))) want = have;
        else if (max >= (int64_t)model_size || model_size == 0) want = max + 1;
        else want = (int64_t)model_size;
        if (want > max) max = want;
        if (want != id) {
            *to = want;
            return (long)i;
        }
    }
    return -1;
}

tok_status tok_builder_remove(tok_builder *b, const int32_t *ids, size_t n, uint32_t flags, int32_t *id_map,
                              tok_error *err)
{
    static const char call[] = "tok_builder_remove";
    if (!b || (!ids && n)) return tok__fail(err, TOK_ERR_ARG, "%s: no builder or ids", call);
    if (flags & ~(uint32_t)TOK_BUILDER_RENUMBER) return tok__fail(err, TOK_ERR_ARG, "%s: unknown flags 0x%x", call, flags);
    bool ren = flags & TOK_BUILDER_RENUMBER;
    if (b->kind == TOK_MODEL_UNIGRAM && n && !ren)
        return tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: Unigram ids are list positions and cannot have holes; "
                         "remove with TOK_BUILDER_RENUMBER", call);
    size_t total = b->next_id;
    bool *gone = calloc(total ? total : 1, sizeof *gone), *present = calloc(total ? total : 1, sizeof *present);
    int32_t *map = malloc((total ? total : 1) * sizeof *map);
    /* the texts of the model tokens and added tokens that go */
    json_t *gone_model = json_object(), *gone_added = json_object();
    tok_status st = TOK_OK;
    if (!gone || !present || !map || !gone_model || !gone_added) {
        st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || (size_t)ids[i] >= total) {
            st = tok__fail(err, TOK_ERR_ARG, "%s: id %ld is not below the builder's size %zu", call, (long)ids[i], total);
            goto out;
        }
        gone[ids[i]] = true;
    }
    const char *key;
    size_t klen;
    json_t *v;
    json_t *voc = json_object_get(b->model, "vocab");
    for (size_t i = 0; json_is_array(voc) && i < json_array_size(voc) && i < total; i++) present[i] = true;
    json_t *idx[2] = { b->index, b->added_index }, *dst[2] = { gone_model, gone_added };
    for (int k = 0; k < 2; k++)
        json_object_keylen_foreach(idx[k], key, klen, v) {
            json_int_t id = json_integer_value(v);
            if (id < 0 || (size_t)id >= total) continue;
            present[id] = true;
            if (gone[id] && json_object_setn_new_nocheck(dst[k], key, klen, json_true())) {
                st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
                goto out;
            }
        }
    for (size_t i = 0; i < n; i++)
        if (!present[ids[i]]) {
            st = tok__fail(err, TOK_ERR_ARG, "%s: id %ld is a hole (no token has it)", call, (long)ids[i]);
            goto out;
        }
    /* what the spec still names must stay: refuse, nothing changed */
    const char *unk = b->kind == TOK_MODEL_UNIGRAM ? b->unk : json_string_value(json_object_get(b->model, "unk_token"));
    if (unk && json_object_getn(gone_model, unk, strlen(unk))) {
        st = tok__fail(err, TOK_ERR_ARG, "%s: \"%s\" is the unknown token; set another (tok_builder_set_unk) first",
                       call, unk);
        goto out;
    }
    json_t *pad = json_object_get(json_object_get(b->root, "padding"), "pad_id");
    json_int_t pid = json_integer_value(pad);
    if (json_is_integer(pad) && pid >= 0 && (size_t)pid < total && gone[pid]) {
        st = tok__fail(err, TOK_ERR_ARG, "%s: id %lld is the padding token (padding.pad_id)", call, (long long)pid);
        goto out;
    }
    char where[160];
    int32_t used = post_ids(json_object_get(b->root, "post_processor"), gone, total, NULL, where, sizeof where);
    if (used >= 0) {
        st = tok__fail(err, TOK_ERR_ARG, "%s: id %ld is emitted by the post-processor (%s); change it first", call,
                       (long)used, where);
        goto out;
    }

    int64_t to;
    long moved = ren ? -1 : added_would_move(b, gone, total, gone_model, &to);
    if (moved >= 0) {
        json_t *e = json_array_get(json_object_get(b->root, "added_tokens"), (size_t)moved);
        st = tok__fail(err, TOK_ERR_ARG, "%s: a hole would move added token \"%s\" from id %lld to %lld (HF numbers "
                       "added tokens from the vocabulary's size); remove with TOK_BUILDER_RENUMBER", call,
                       json_string_value(json_object_get(e, "content")),
                       (long long)json_integer_value(json_object_get(e, "id")), (long long)to);
        goto out;
    }

    /* the model's vocabulary, then merges, then added tokens */
    if (json_is_array(voc)) { /* Unigram: a list, with its piece types alongside */
        json_t *types = json_object_get(b->model, "libtok_piece_types");
        for (size_t i = json_array_size(voc); i-- > 0;) {
            if (i >= total || !gone[i]) continue;
            json_array_remove(voc, i);
            if (json_is_array(types)) json_array_remove(types, i);
        }
    } else if (json_is_object(voc)) {
        json_object_keylen_foreach(gone_model, key, klen, v) json_object_deln(voc, key, klen);
    }
    if (drop_merges(b, gone_model)) {
        st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        goto out;
    }
    json_t *added = json_object_get(b->root, "added_tokens");
    for (size_t i = json_array_size(added); i-- > 0;) {
        json_int_t id = json_integer_value(json_object_get(json_array_get(added, i), "id"));
        if (id >= 0 && (size_t)id < total && gone[id]) json_array_remove(added, i);
    }
    json_object_keylen_foreach(gone_model, key, klen, v) json_object_deln(b->index, key, klen);
    json_object_keylen_foreach(gone_added, key, klen, v) json_object_deln(b->added_index, key, klen);

    /* the id map: kept ids as they are, or in order without holes */
    size_t next = 0;
    for (size_t i = 0; i < total; i++) {
        bool keep = present[i] && !gone[i];
        map[i] = !keep ? -1 : ren ? (int32_t)next++ : (int32_t)i;
    }
    if (ren) {
        renumber(b, map, total);
        b->next_id = next;
    }
    if (id_map) memcpy(id_map, map, total * sizeof *map);
out:
    free(gone);
    free(present);
    free(map);
    json_decref(gone_model);
    json_decref(gone_added);
    return st;
}

tok_status tok_builder_remove_text(tok_builder *b, const char *text, size_t len, uint32_t flags, int32_t *id_map,
                                   tok_error *err)
{
    int32_t id = tok_builder_find(b, text, len);
    if (id < 0)
        return tok__fail(err, TOK_ERR_ARG, "tok_builder_remove_text: no token \"%.*s\"", len > 60 ? 60 : (int)len,
                         text ? text : "");
    return tok_builder_remove(b, &id, 1, flags, id_map, err);
}
