/* Build a tokenizer from a tokenizer.json tree: model, added tokens,
 * normalizer, pre-tokenizer, post-processor, decoder. */
#include "../core/json.h"
#include "../scan/scan.h"
#include "../methods/methods.h"
#include "../pipeline/lane.h"

#include <stdio.h>

/* Does any component object in j (recursively) have "type": type? */
static bool has_type(const json_t *j, const char *type)
{
    if (json_is_object(j)) {
        json_t *t = json_object_get(j, "type");
        if (json_is_string(t) && !strcmp(json_string_value(t), type)) return true;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) if (has_type(v, type)) return true;
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) if (has_type(v, type)) return true;
    }
    return false;
}

static bool jbool_is(const json_t *o, const char *k, bool v)
{
    json_t *x = json_object_get(o, k);
    return x ? json_is_boolean(x) && json_is_true(x) == v : !v;
}

static bool jstr_is(const json_t *o, const char *k, const char *v)
{
    json_t *x = json_object_get(o, k);
    return json_is_string(x) && !strcmp(json_string_value(x), v);
}

/* A scanner that splits exactly as this pre-tokenizer does, or NULL:
 * ByteLevel(use_regex) alone, or Split(regex) then a ByteLevel that only
 * marks the vocabulary as byte-level. */
static tok_scan_fn fast_scanner(const json_t *pre)
{
    if (!json_is_object(pre)) return NULL;
    if (jstr_is(pre, "type", "ByteLevel"))
        return jbool_is(pre, "add_prefix_space", false) && !jbool_is(pre, "use_regex", false)
                   ? tok_scan_for_regex("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+")
                   : NULL;
    if (!jstr_is(pre, "type", "Sequence")) return NULL;
    json_t *v = json_object_get(pre, "pretokenizers");
    if (!json_is_array(v) || json_array_size(v) != 2) return NULL;
    json_t *sp = json_array_get(v, 0), *bl = json_array_get(v, 1);
    if (!jstr_is(sp, "type", "Split") || !jstr_is(bl, "type", "ByteLevel")) return NULL;
    if (!jbool_is(bl, "add_prefix_space", false) || !jbool_is(bl, "use_regex", false)) return NULL;
    bool isolated = jstr_is(sp, "behavior", "Isolated") && jbool_is(sp, "invert", false);
    bool kept = jstr_is(sp, "behavior", "Removed") && jbool_is(sp, "invert", true);
    if (!isolated && !kept) return NULL;
    json_t *pat = json_object_get(sp, "pattern");
    json_t *re = json_is_object(pat) ? json_object_get(pat, "Regex") : NULL;
    return json_is_string(re) ? tok_scan_for_regex(json_string_value(re)) : NULL;
}

static char *describe_json(json_t *j)
{
    if (!j) return strdup("none");
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s ? s : strdup("?");
}

static char *describe_model(const tok_tokenizer *t)
{
    char buf[256];
    const tok_vocab *v = &t->vocab;
    snprintf(buf, sizeof buf, "%s (%zu model tokens%s%s%s%s)", t->model->vt->type, v->model_n,
             v->byte_level ? ", byte-level" : "", t->model->byte_fallback ? ", byte fallback" : "",
             t->model->cont_prefix ? ", continuing prefix " : "", t->model->cont_prefix ? t->model->cont_prefix : "");
    return strdup(buf);
}

static const struct { const char *text; tok_role role; } role_names[] = {
    { "<unk>", TOK_ROLE_UNK }, { "[UNK]", TOK_ROLE_UNK },
    { "<s>", TOK_ROLE_BOS }, { "<bos>", TOK_ROLE_BOS }, { "<|begin_of_text|>", TOK_ROLE_BOS }, { "<|startoftext|>", TOK_ROLE_BOS },
    { "</s>", TOK_ROLE_EOS }, { "<eos>", TOK_ROLE_EOS }, { "<|end_of_text|>", TOK_ROLE_EOS }, { "<|endoftext|>", TOK_ROLE_EOS },
    { "<pad>", TOK_ROLE_PAD }, { "[PAD]", TOK_ROLE_PAD }, { "<|pad|>", TOK_ROLE_PAD },
    { "[CLS]", TOK_ROLE_CLS }, { "<cls>", TOK_ROLE_CLS },
    { "[SEP]", TOK_ROLE_SEP }, { "<sep>", TOK_ROLE_SEP },
    { "[MASK]", TOK_ROLE_MASK }, { "<mask>", TOK_ROLE_MASK },
};

/* Number added tokens as HF's add_tokens does when it reads added_tokens:
 * the id of the same content already in the vocabulary (model or added),
 * else the next free id (one past the largest added id once that reaches
 * the model's size, the model's size before); the file's "id" is only
 * checked, and a disagreement is a load warning (HF warns too).  Files
 * from .tiktoken (a ranked model) keep their ids: tiktoken numbers its
 * special tokens itself. */
typedef struct added_ids {
    bool keep;          /* use the file's ids */
    tok_strmap known;   /* added content -> its id (-2: none yet), model ids first */
    size_t model_size;  /* HF model.get_vocab_size(): model tokens */
    int64_t max_added;  /* largest added id so far, -1 none */
} added_ids;

/* Only the added contents go in the map (a few, where the vocabulary has
 * 10^5 tokens): one pass over the vocabulary finds those it holds. */
static tok_status added_ids_init(added_ids *ai, const tok_vocab *v, const json_t *arr, bool keep,
                                 const tok_jctx *jc, tok_error *err)
{
    memset(ai, 0, sizeof *ai);
    ai->keep = keep;
    ai->max_added = -1;
    if (keep) return TOK_OK;
    if (tok_strmap_init(&ai->known, json_array_size(arr) + 16)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    size_t i;
    json_t *e;
    /* a prebuilt vocabulary (.tokpack) knows its model tokens and has its
     * text index: the lowest id of a text, when it is a model token, is the
     * lowest model token with it */
    if (jc->pack_notmodel && v->prebuilt && v->by_text.slot) {
        bool whole = true;
        json_array_foreach(arr, i, e) {
            json_t *c = json_object_get(e, "content");
            if (!json_is_string(c)) continue;
            int32_t id = tok_vocab_id(v, json_string_value(c), json_string_length(c));
            if (id < 0) continue;
            if (jc->pack_notmodel[id >> 6] >> (id & 63) & 1) {
                whole = false; /* an added token first: ask every model token */
                break;
            }
            if (tok_strmap_put(&ai->known, json_string_value(c), (uint32_t)json_string_length(c), id))
                return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        }
        if (whole) {
            ai->model_size = jc->pack_model_count;
            return TOK_OK;
        }
        tok_strmap_free(&ai->known);
        if (tok_strmap_init(&ai->known, json_array_size(arr) + 16)) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    /* the added contents' lengths and first bytes: most vocabulary tokens
     * are passed over without reading their text */
    uint64_t lens[16] = { 0 }, first[4] = { 0 };
    json_array_foreach(arr, i, e) {
        json_t *c = json_object_get(e, "content");
        if (!json_is_string(c)) continue;
        size_t cl = json_string_length(c);
        lens[cl < 1023 ? cl >> 6 : 15] |= 1ull << (cl < 1023 ? cl & 63 : 63);
        if (cl) first[(uint8_t)json_string_value(c)[0] >> 6] |= 1ull << ((uint8_t)json_string_value(c)[0] & 63);
        if (tok_strmap_put(&ai->known, json_string_value(c), (uint32_t)cl, -2))
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    for (size_t k = v->n; k-- > 0;) { /* lowest id wins on duplicate texts */
        const tok_token *t = &v->tok[k];
        if ((t->flags & TOK_TOKEN_NONE) || !(t->flags & TOK__IN_MODEL)) continue;
        ai->model_size++;
        size_t tl = t->text_len;
        if (!(lens[tl < 1023 ? tl >> 6 : 15] >> (tl < 1023 ? tl & 63 : 63) & 1)) continue;
        if (tl && !(first[(uint8_t)t->text[0] >> 6] >> ((uint8_t)t->text[0] & 63) & 1)) continue;
        if (tok_strmap_get(&ai->known, t->text, t->text_len) != -1 &&
            tok_strmap_put(&ai->known, t->text, t->text_len, (int32_t)k))
            return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    return TOK_OK;
}

/* The id HF gives content (file_id when keeping the file's ids). */
static int64_t added_id(added_ids *ai, const char *content, size_t len, int64_t file_id)
{
    int64_t id = file_id;
    if (!ai->keep) {
        int32_t have = tok_strmap_get(&ai->known, content, len);
        if (have >= 0) id = have;
        else if (ai->max_added >= (int64_t)ai->model_size || ai->model_size == 0) id = ai->max_added + 1;
        else id = (int64_t)ai->model_size;
    }
    if (id > ai->max_added) ai->max_added = id;
    return id;
}

static tok_status load_added(tok_tokenizer *t, tok_jctx *jc, const json_t *arr, bool keep_ids)
{
    added_ids ai;
    tok_status st = added_ids_init(&ai, &t->vocab, arr, keep_ids, jc, jc->err);
    if (st) {
        tok_strmap_free(&ai.known);
        return st;
    }
    size_t saved = tok_jpush(jc, "added_tokens");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        size_t s2 = tok_jpush_index(jc, i);
        int64_t file_id = -1;
        const char *content = NULL;
        size_t len = 0;
        bool special = false, lstrip = false, rstrip = false, single = false, normalized = true;
        if (tok_jint(jc, e, "id", &file_id, true) || tok_jstr(jc, e, "content", &content, &len, true) ||
            tok_jbool(jc, e, "special", &special, false) || tok_jbool(jc, e, "lstrip", &lstrip, false) ||
            tok_jbool(jc, e, "rstrip", &rstrip, false) || tok_jbool(jc, e, "single_word", &single, false) ||
            tok_jbool(jc, e, "normalized", &normalized, false)) {
            st = jc->err->code;
            goto out;
        }
        int64_t id = added_id(&ai, content, len, file_id);
        if (id < 0 || id >= (1 << 30)) {
            st = tok_jfail(jc, TOK_ERR_FORMAT, "token id %lld out of range", (long long)id);
            goto out;
        }
        if (id != file_id)
            tok__warn(t, "%s: at %s: added token \"%.*s\" has id %lld in the file; numbered %lld as HF numbers it",
                      jc->file ? jc->file : "<memory>", jc->path, len > 60 ? 60 : (int)len, content,
                      (long long)file_id, (long long)id);
        uint32_t flags = TOK_TOKEN_ADDED | (special ? TOK_TOKEN_SPECIAL : 0);
        tok_vocab *v = &t->vocab;
        if ((size_t)id < v->n && !(v->tok[id].flags & TOK_TOKEN_NONE)) {
            v->tok[id].flags |= flags;
        } else if (tok_vocab_set(v, (int32_t)id, content, len, 0, flags, jc->err)) {
            st = tok_jwrap(jc);
            goto out;
        }
        const char *c = tok_vocab_strdup(v, content, len);
        tok_added a = { (int32_t)id, c, (uint32_t)len, special, lstrip, rstrip, single, normalized };
        if (!c || tok_vec_push(&t->added.v, a) ||
            (!ai.keep && tok_strmap_put(&ai.known, c, (uint32_t)len, (int32_t)id))) {
            st = tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
            goto out;
        }
        tok_jpop(jc, s2);
    }
    tok_jpop(jc, saved);
out:
    tok_strmap_free(&ai.known);
    return st;
}

/* Run the post-processor (add_special) on a single sequence of k tokens:
 * the ids it puts before and after the sequence, which must come through
 * whole and in order (sequence tokens are the ones with a word index).
 * 0 and the counts in *nf, *nb when that is all it did, else -1. */
static int wrap_run(const tok_tokenizer *t, tok_ctx *c, size_t k, int32_t id, int32_t *wrap, size_t *nf, size_t *nb)
{
    tok_enc *e = &c->enc[0];
    e->n = c->enc[1].n = 0;
    for (size_t i = 0; i < k; i++)
        if (tok_enc_push(e, id, (tok_offset){ (uint32_t)i, (uint32_t)i + 1 }, (int32_t)i, 0, 0)) return -1;
    size_t n = 1;
    if (t->post->vt->run(t->post, c->enc, &n, true, c) || n != 1) return -1;
    size_t f = 0;
    while (f < e->n && e->words[f] < 0) f++;
    if (e->n < f + k) return -1;
    for (size_t i = 0; i < k; i++)
        if (e->words[f + i] != (int32_t)i || e->ids[f + i] != id) return -1;
    size_t b = e->n - f - k;
    if (f + b > TOK__WRAP_MAX) return -1;
    for (size_t i = 0; i < e->n; i++) {
        if (i >= f && i < f + k) continue;
        if (e->words[i] >= 0) return -1;
        wrap[i < f ? i : i - k] = e->ids[i];
    }
    *nf = f;
    *nb = b;
    return 0;
}

/* t->wrap: the same ids around sequences of 1, 2 and 3 tokens, as many as
 * the processor adds to an empty one (post_added[0]).  Anything else (a
 * template naming $A twice, ids that move) leaves wrap_ok false, and
 * tok_encode_ids takes the general path. */
static void wrap_probe(tok_tokenizer *t, tok_ctx *c)
{
    t->wrap_ok = false;
    int32_t id = -1;
    for (size_t i = 0; i < t->vocab.n && id < 0; i++)
        if (!(t->vocab.tok[i].flags & TOK_TOKEN_NONE)) id = (int32_t)i;
    if (id < 0) return;
    int32_t w[TOK__WRAP_MAX], w2[TOK__WRAP_MAX];
    size_t nf, nb, nf2, nb2;
    bool ok = wrap_run(t, c, 1, id, w, &nf, &nb) == 0 && nf + nb == t->post_added[0];
    for (size_t k = 2; k <= 3 && ok; k++)
        ok = wrap_run(t, c, k, id, w2, &nf2, &nb2) == 0 && nf2 == nf && nb2 == nb &&
             !memcmp(w, w2, (nf + nb) * sizeof *w);
    if (!ok) return;
    memcpy(t->wrap, w, (nf + nb) * sizeof *w);
    t->wrap_front = (uint8_t)nf;
    t->wrap_back = (uint8_t)nb;
    t->wrap_ok = true;
}

/* Special tokens the post-processor adds to one sequence and to a pair (HF
 * added_tokens(is_pair), subtracted from max_length when truncating): what
 * it adds to empty sequences.  Then, on the same context, t->wrap. */
static tok_status post_added_count(tok_tokenizer *t, tok_error *err)
{
    tok_ctx *c = tok_ctx_new(t);
    if (!c) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    tok_status st = TOK_OK;
    for (size_t pair = 0; pair < 2 && !st; pair++) {
        size_t n = pair + 1;
        c->enc[0].n = c->enc[1].n = 0;
        st = t->post->vt->run(t->post, c->enc, &n, true, c);
        t->post_added[pair] = c->enc[0].n + (n == 2 ? c->enc[1].n : 0);
    }
    if (st) tok__fail(err, st, "%s: post-processor: %s", t->source, c->err);
    else wrap_probe(t, c);
    tok_ctx_free(c);
    return st;
}

/* The ids a post-processor inserts must be tokens of the vocabulary (HF
 * emits them anyway, and its decode then drops them): checked where they are
 * written, for every processor type that names ids. */
static int check_post_id(tok_jctx *jc, const tok_vocab *v, const json_t *id)
{
    if (!json_is_integer(id)) return 0; /* the processor's own parser reports types */
    json_int_t x = json_integer_value(id);
    if (x >= 0 && (size_t)x < v->n && !(v->tok[x].flags & TOK_TOKEN_NONE)) return 0;
    return tok_jfail(jc, TOK_ERR_FORMAT, "special token id %lld is not in the vocabulary (%zu ids)", (long long)x, v->n),
           -1;
}

static int check_post_ids(tok_jctx *jc, const tok_vocab *v, const json_t *j)
{
    const char *type = json_string_value(json_object_get(j, "type"));
    if (!type) return 0;
    if (!strcmp(type, "Sequence")) {
        json_t *ps = json_object_get(j, "processors");
        size_t i;
        json_t *p;
        json_array_foreach(ps, i, p) {
            size_t s = tok_jpush(jc, "processors"), s2 = tok_jpush_index(jc, i);
            int rc = check_post_ids(jc, v, p);
            tok_jpop(jc, s2);
            tok_jpop(jc, s);
            if (rc) return rc;
        }
    } else if (!strcmp(type, "BertProcessing") || !strcmp(type, "RobertaProcessing")) {
        static const char *const keys[] = { "sep", "cls" };
        for (int k = 0; k < 2; k++) {
            size_t s = tok_jpush(jc, keys[k]), s2 = tok_jpush_index(jc, 1);
            int rc = check_post_id(jc, v, json_array_get(json_object_get(j, keys[k]), 1));
            tok_jpop(jc, s);
            (void)s2;
            if (rc) return rc;
        }
    } else if (!strcmp(type, "TemplateProcessing")) {
        const char *name;
        json_t *sp;
        json_t *all = json_object_get(j, "special_tokens");
        json_object_foreach(all, name, sp) {
            json_t *ids = json_object_get(sp, "ids");
            size_t i;
            json_t *id;
            json_array_foreach(ids, i, id) {
                size_t s = tok_jpush(jc, "special_tokens");
                tok_jpush(jc, name);
                tok_jpush(jc, "ids");
                tok_jpush_index(jc, i);
                int rc = check_post_id(jc, v, id);
                tok_jpop(jc, s);
                if (rc) return rc;
            }
        }
    }
    return 0;
}

void tok_free(tok_tokenizer *t)
{
    if (!t) return;
    tok_normalizer_free(t->normalizer);
    tok_pretok_free(t->pretok);
    tok_model_free(t->model);
    tok_processor_free(t->post);
    tok_decoder_free(t->decoder);
    tok_added_free(&t->added);
    if (t->lane_free) t->lane_free(t->lane_data);
    if (t->method_index) tok__method_index_free(t->method_index);
    pthread_mutex_destroy(&t->method_lock);
    tok_vocab_free(&t->vocab);
    for (int i = 0; i < 5; i++) free(t->desc[i]);
    for (size_t i = 0; i < t->warnings.n; i++) free(t->warnings.v[i]);
    tok_vec_free(&t->warnings);
    free(t->source);
    tok__pack_release(t); /* after the model, whose tables may lie in it */
    free(t);
}

tok_tokenizer *tok__from_hfjson(const json_t *root, const char *file, const tok_load_options *opt, tok_error *err)
{
    tok_jctx raw = { .file = file };
    return tok__from_hfjson_raw(root, &raw, opt, err);
}

tok_tokenizer *tok__from_hfjson_raw(const json_t *root, const tok_jctx *raw, const tok_load_options *opt, tok_error *err)
{
    tok_jctx jc = *raw;
    const char *file = raw->file;
    jc.err = err;
    jc.path[0] = 0;
    jc.plen = 0;
    if (!json_is_object(root)) {
        tok_jfail(&jc, TOK_ERR_FORMAT, "expected a tokenizer.json object");
        return NULL;
    }
    tok_tokenizer *t = calloc(1, sizeof *t);
    if (!t) {
        tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    tok_vocab_init(&t->vocab);
    if (raw->pack_vocabulary) { /* taken over whole */
        t->vocab = *raw->pack_vocabulary;
        tok_vocab_init(raw->pack_vocabulary);
    }
    pthread_mutex_init(&t->method_lock, NULL);
    t->source = strdup(file ? file : "<memory>");
    t->match_special_default = true;
    json_t *model = NULL, *added = NULL, *j = NULL;
    size_t s;

    if (tok_jobj(&jc, root, "model", &model, true)) goto fail;
    {
        /* what the file holds: vocab entries (in the tree, in the document
         * text at >= 4 bytes each, or as records) and added tokens */
        json_t *mv = json_object_get(model, "vocab");
        size_t entries = json_is_object(mv) ? json_object_size(mv) : json_array_size(mv);
        if (raw->raw) entries += (raw->raw_vocab[1] - raw->raw_vocab[0]) / 4;
        entries += raw->pack_nvocab + json_array_size(json_object_get(root, "added_tokens"));
        tok_vocab_limit_ids(&t->vocab, entries);
    }
    s = tok_jpush(&jc, "model");
    t->model = tok_model_from_json(&jc, model, &t->vocab);
    tok_jpop(&jc, s);
    if (!t->model) goto fail;

    if (tok_jarr(&jc, root, "added_tokens", &added, false)) goto fail;
    if (added && load_added(t, &jc, added, json_is_true(json_object_get(model, "libtok_ranked")))) goto fail;

    /* libtok's own setting; kept in the model object where HF tolerates it */
    bool match_special = true;
    if (tok_jbool(&jc, root, "libtok_match_special", &match_special, false)) goto fail;
    s = tok_jpush(&jc, "model");
    if (tok_jbool(&jc, model, "libtok_match_special", &match_special, false)) goto fail;
    tok_jpop(&jc, s);
    t->match_special_default = match_special;

    bool byte_level = has_type(json_object_get(root, "pre_tokenizer"), "ByteLevel") ||
                      has_type(json_object_get(root, "decoder"), "ByteLevel");
    if (tok_vocab_finish(&t->vocab, byte_level, t->model->cont_prefix, err)) goto fail;
    t->model->vocab = &t->vocab;
    t->model->unk_id = -1;
    if (t->model->vt->prepare && t->model->vt->prepare(t->model, &t->vocab, err)) goto fail;

    if (tok_jobj(&jc, root, "normalizer", &j, false)) goto fail;
    if (j) {
        s = tok_jpush(&jc, "normalizer");
        t->normalizer = tok_normalizer_from_json(&jc, j);
        tok_jpop(&jc, s);
        if (!t->normalizer) goto fail;
    }
    j = NULL;
    if (tok_jobj(&jc, root, "pre_tokenizer", &j, false)) goto fail;
    if (j) {
        s = tok_jpush(&jc, "pre_tokenizer");
        t->pretok = tok_pretok_from_json(&jc, j);
        tok_jpop(&jc, s);
        if (!t->pretok) goto fail;
    }
    j = NULL;
    if (tok_jobj(&jc, root, "post_processor", &j, false)) goto fail;
    if (j) {
        s = tok_jpush(&jc, "post_processor");
        t->post = tok_processor_from_json(&jc, j, &t->vocab);
        if (!t->post || check_post_ids(&jc, &t->vocab, j)) goto fail;
        tok_jpop(&jc, s);
    }
    j = NULL;
    if (tok_jobj(&jc, root, "decoder", &j, false)) goto fail;
    if (j) {
        s = tok_jpush(&jc, "decoder");
        t->decoder = tok_decoder_from_json(&jc, j);
        tok_jpop(&jc, s);
        if (!t->decoder) goto fail;
    }
    if (tok_added_build(t, err)) goto fail;
    if (tok__trunc_pad_from_json(t, &jc, root)) goto fail;
    if (t->post && post_added_count(t, err)) goto fail;
    if (!t->normalizer && t->vocab.byte_level && t->model->vt->kind == TOK_MODEL_BPE && !(opt && opt->regex_only))
        t->scan = fast_scanner(json_object_get(root, "pre_tokenizer"));
    if (t->scan) {
        /* cutting after a newline is safe unless an added token could reach across it */
        t->scan_cuttable = true;
        t->scan_cut_after_text = tok_scan_is_gpt2(t->scan);
        t->scan_many = tok_scan_many_for(t->scan);
        t->scan_direct = t->scan_many && tok__bpe_direct_ok(t->model);
        for (size_t i = 0; i < t->added.v.n; i++) {
            const tok_added *x = &t->added.v.v[i];
            if (x->lstrip || memchr(x->content, '\n', x->len)) t->scan_cuttable = false;
        }
    }

    for (int r = 0; r < 7; r++) t->roles[r] = -1;
    t->vocab.unk_id = t->model->unk_id;
    t->roles[TOK_ROLE_UNK] = t->model->unk_id;
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
        int32_t id = tok_vocab_id(&t->vocab, role_names[i].text, strlen(role_names[i].text));
        if (id >= 0 && t->roles[role_names[i].role] < 0) t->roles[role_names[i].role] = id;
    }
    if (t->roles[TOK_ROLE_UNK] >= 0) t->vocab.tok[t->roles[TOK_ROLE_UNK]].flags |= TOK_TOKEN_UNK;
    /* the word-start marker: Ġ for byte-level text, ▁ where model tokens carry it */
    if (t->vocab.byte_level) t->word_start = "\xC4\xA0";
    for (size_t i = 0; i < t->vocab.n && !t->word_start; i++)
        if ((t->vocab.tok[i].flags & (TOK_TOKEN_WORD_START | TOK_TOKEN_NONE | TOK__IN_MODEL)) == (TOK_TOKEN_WORD_START | TOK__IN_MODEL))
            t->word_start = "\xE2\x96\x81";

    t->desc[TOK_STAGE_NORMALIZER] = describe_json(t->normalizer ? t->normalizer->vt->to_json(t->normalizer) : NULL);
    t->desc[TOK_STAGE_PRETOKENIZER] = describe_json(t->pretok ? t->pretok->vt->to_json(t->pretok) : NULL);
    t->desc[TOK_STAGE_MODEL] = describe_model(t);
    t->desc[TOK_STAGE_POSTPROCESSOR] = describe_json(t->post ? t->post->vt->to_json(t->post) : NULL);
    t->desc[TOK_STAGE_DECODER] = describe_json(t->decoder ? t->decoder->vt->to_json(t->decoder) : NULL);
    if (!(opt && opt->regex_only) && tok__lane_pick(t, err)) goto fail;
    tok__warn_finish(t);
    return t;
fail:
    tok_free(t);
    return NULL;
}
