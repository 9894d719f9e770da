/* Partial results as JSON: every count of an accumulator, so that shards
 * saved separately and merged give exactly the single-pass figures. */
#include "lang_impl.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_FIELDS(X) X(units) X(bytes) X(chars) X(tokens) X(words) X(word_tokens) X(cont_words) \
    X(words4) X(iso_tokens) X(iso_cont) X(iso_words4) X(unk) X(byte_tokens)

TOK_API tok_status tok_lang_save(const tok_lang *a, FILE *f)
{
    json_t *root = json_object(), *langs = json_array();
    if (!root || !langs) return TOK_ERR_NOMEM;
    json_object_set_new(root, "tokenizer", json_string(a->name));
    json_object_set_new(root, "source", json_string(tok_source(a->t)));
    json_object_set_new(root, "vocab_size", json_integer((json_int_t)a->V));
    json_object_set_new(root, "words", json_string(tok_words_name(a->o.words)));
    json_object_set_new(root, "isolation", json_boolean(a->o.isolation));
    json_object_set_new(root, "method", json_string(tok_method_name(a->o.enc.method)));
    for (size_t i = 0; i < a->nl; i++) {
        const langacc *L = &a->L[i];
        json_t *o = json_object(), *ids = json_array();
        json_object_set_new(o, "lang", json_string(L->c.lang));
#define PUT(x) json_object_set_new(o, #x, json_integer((json_int_t)L->c.x));
        COUNT_FIELDS(PUT)
#undef PUT
        /* ids ascending: [id, count, id, count, ...] */
        uint64_t *d = calloc(a->V ? a->V : 1, sizeof *d);
        if (!d) return TOK_ERR_NOMEM;
        for (size_t s = 0; s <= L->ids.mask; s++)
            if (L->ids.s[s].key >= 0 && (size_t)L->ids.s[s].key < a->V) d[L->ids.s[s].key] = L->ids.s[s].val;
        const int32_t *pid;
        size_t np = lang_pending(a, i, &pid);
        for (size_t q = 0; q < np; q++) d[pid[q]] += a->pend[pid[q]];
        for (size_t id = 0; id < a->V; id++)
            if (d[id]) {
                json_array_append_new(ids, json_integer((json_int_t)id));
                json_array_append_new(ids, json_integer((json_int_t)d[id]));
            }
        free(d);
        json_object_set_new(o, "ids", ids);
        json_array_append_new(langs, o);
    }
    json_object_set_new(root, "languages", langs);
    int r = json_dumpf(root, f, JSON_COMPACT);
    json_decref(root);
    return r ? TOK_ERR_IO : TOK_OK;
}

static tok_lang *bad(tok_lang *a, tok_error *err, tok_status code, const char *where, const char *fmt, const char *what)
{
    if (err) {
        err->code = code;
        char m[256];
        snprintf(m, sizeof m, fmt, what);
        snprintf(err->message, sizeof err->message, "%s: %s", where, m);
    }
    tok_lang_free(a);
    return NULL;
}

TOK_API tok_lang *tok_lang_from_json(const tok_tokenizer *t, const char *json, size_t len, const char *where,
                                     tok_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root) return bad(NULL, err, TOK_ERR_FORMAT, where, "not JSON: %s", je.text);
    tok_lang_options o;
    tok_lang_options_init(&o);
    const char *w = json_string_value(json_object_get(root, "words"));
    const char *m = json_string_value(json_object_get(root, "method"));
    const char *name = json_string_value(json_object_get(root, "tokenizer"));
    json_t *vs = json_object_get(root, "vocab_size"), *langs = json_object_get(root, "languages");
    tok_lang *a = NULL;
    if (!w || !m || !name || !json_is_integer(vs) || !json_is_array(langs)) {
        json_decref(root);
        return bad(NULL, err, TOK_ERR_FORMAT, where, "%s", "expected tokenizer, vocab_size, words, method, languages");
    }
    o.words = !strcmp(w, "uax29") ? TOK_WORDS_UAX29 : TOK_WORDS_WHITESPACE;
    o.isolation = json_is_true(json_object_get(root, "isolation"));
    int mm = tok_method_from_name(m);
    o.enc.method = mm < 0 ? TOK_METHOD_DEFAULT : (tok_method)mm;
    o.name = name;
    a = tok_lang_new(t, &o, err);
    if (!a) {
        json_decref(root);
        return NULL;
    }
    if ((size_t)json_integer_value(vs) != a->V) {
        json_decref(root);
        return bad(a, err, TOK_ERR_FORMAT, where, "vocab_size differs from the tokenizer (%s)", tok_source(t));
    }
    size_t i;
    json_t *L;
    char path[64];
    json_array_foreach(langs, i, L) {
        snprintf(path, sizeof path, "$.languages[%zu]", i);
        const char *lang = json_string_value(json_object_get(L, "lang"));
        json_t *ids = json_object_get(L, "ids");
        if (!lang || !*lang || !json_is_array(ids) || json_array_size(ids) % 2) {
            json_decref(root);
            return bad(a, err, TOK_ERR_FORMAT, where, "%s: expected lang and ids", path);
        }
        long li = lang_index(a, lang);
        if (li < 0) {
            json_decref(root);
            return bad(a, err, TOK_ERR_NOMEM, where, "%s", "out of memory");
        }
        tok_lang_counts *c = &a->L[li].c;
#define GET(x)                                                                        \
    {                                                                                 \
        json_t *v = json_object_get(L, #x);                                           \
        if (!json_is_integer(v) || json_integer_value(v) < 0) {                       \
            json_decref(root);                                                        \
            return bad(a, err, TOK_ERR_FORMAT, where, "%s." #x ": expected a count", path); \
        }                                                                             \
        c->x += (uint64_t)json_integer_value(v);                                      \
    }
        COUNT_FIELDS(GET)
#undef GET
        for (size_t k = 0; k < json_array_size(ids); k += 2) {
            json_t *id = json_array_get(ids, k), *n = json_array_get(ids, k + 1);
            if (!json_is_integer(id) || !json_is_integer(n) || json_integer_value(id) < 0 ||
                (size_t)json_integer_value(id) >= a->V || json_integer_value(n) < 0) {
                json_decref(root);
                return bad(a, err, TOK_ERR_FORMAT, where, "%s.ids: bad id or count", path);
            }
            if (idmap_add(&a->L[li].ids, (int32_t)json_integer_value(id), (uint64_t)json_integer_value(n))) {
                json_decref(root);
                return bad(a, err, TOK_ERR_NOMEM, where, "%s", "out of memory");
            }
        }
    }
    json_decref(root);
    return a;
}
