/*
 * GPT-2 vocab.json + merges.txt -> tokenizer.json tree, as HF's
 * GPT2Converter writes it: byte-level BPE without unknown token, ByteLevel
 * pre-tokenizer (no prefix space, GPT-2 regex), ByteLevel decoder and
 * post-processor (trim_offsets false, as the converter sets it), and
 * <|endoftext|> as a special added token when the vocabulary has it.
 *
 * merges.txt: lines "left right"; lines starting with "#version" are skipped
 * (HF skips them anywhere), as are empty lines.
 */
#include "../core/json.h"

#include <errno.h>
#include <stdio.h>

static int read_all(const char *path, uint8_t **out, size_t *len, tok_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        tok__fail(err, TOK_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    TOK_VEC(uint8_t) b = { 0 };
    for (;;) {
        if (tok_vec_reserve(&b, b.n + 65536)) {
            fclose(f);
            tok_vec_free(&b);
            tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", path);
            return -1;
        }
        size_t k = fread(b.v + b.n, 1, b.cap - b.n, f);
        b.n += k;
        if (k == 0) break;
    }
    if (ferror(f)) {
        fclose(f);
        tok_vec_free(&b);
        tok__fail(err, TOK_ERR_IO, "%s: read error", path);
        return -1;
    }
    fclose(f);
    *out = b.v;
    *len = b.n;
    return 0;
}

static json_t *bytelevel(bool prefix, bool trim)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("ByteLevel"));
    json_object_set_new(o, "add_prefix_space", json_boolean(prefix));
    json_object_set_new(o, "trim_offsets", json_boolean(trim));
    json_object_set_new(o, "use_regex", json_true());
    return o;
}

json_t *tok_gpt2_to_json(const char *vocab_path, const char *merges_path, tok_error *err)
{
    char *mpath = NULL;
    uint8_t *vd = NULL, *md = NULL;
    size_t vlen = 0, mlen = 0;
    json_t *root = NULL;

    if (!vocab_path) {
        tok__fail(err, TOK_ERR_ARG, "no vocab.json path");
        return NULL;
    }
    if (!merges_path) {
        const char *slash = strrchr(vocab_path, '/');
        size_t dl = slash ? (size_t)(slash - vocab_path) + 1 : 0;
        mpath = malloc(dl + sizeof "merges.txt");
        if (!mpath) {
            tok__fail(err, TOK_ERR_NOMEM, "out of memory");
            return NULL;
        }
        memcpy(mpath, vocab_path, dl);
        memcpy(mpath + dl, "merges.txt", sizeof "merges.txt");
        merges_path = mpath;
    }
    if (!read_all(vocab_path, &vd, &vlen, err) && !read_all(merges_path, &md, &mlen, err))
        root = tok_gpt2_mem_to_json(vd, vlen, vocab_path, md, mlen, merges_path, err);
    free(vd);
    free(md);
    free(mpath);
    return root;
}

json_t *tok_gpt2_mem_to_json(const uint8_t *vd, size_t vlen, const char *vocab_path,
                             const uint8_t *md, size_t mlen, const char *merges_path, tok_error *err)
{
    json_t *voc = NULL, *merges = NULL, *root = NULL;
    json_error_t je;
    voc = json_loadb((const char *)vd, vlen, JSON_ALLOW_NUL, &je);
    if (!voc) {
        tok__fail(err, TOK_ERR_FORMAT, "%s:%d:%d: %s", vocab_path, je.line, je.column, je.text);
        goto fail;
    }
    if (!json_is_object(voc)) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: expected a JSON object of token -> id", vocab_path);
        goto fail;
    }
    if (json_object_size(voc) == 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: empty vocabulary", vocab_path);
        goto fail;
    }
    {
        const char *k;
        json_t *v;
        json_object_foreach(voc, k, v) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= (1 << 30)) {
                tok__fail(err, TOK_ERR_FORMAT, "%s: token \"%.60s\": expected a non-negative integer id",
                          vocab_path, k);
                goto fail;
            }
        }
    }

    merges = json_array();
    if (!merges) goto nomem;
    size_t line = 0;
    const uint8_t *s;
    size_t n;
    for (size_t pos = 0; tok_line_next(md, mlen, &pos, &s, &n);) {
        line++;
        if (n == 0) continue;
        if (n >= 8 && !memcmp(s, "#version", 8)) continue;
        size_t bad = tok_utf8_check(s, n);
        if (bad != n) {
            tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:%zu: invalid UTF-8", merges_path, line, bad + 1);
            goto fail;
        }
        const uint8_t *sp = memchr(s, ' ', n);
        if (!sp || sp == s || sp == s + n - 1 || memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s))) {
            tok__fail(err, TOK_ERR_FORMAT, "%s:%zu: expected two tokens separated by one space", merges_path,
                      line);
            goto fail;
        }
        json_t *pair = json_array();
        if (!pair || json_array_append_new(merges, pair)) goto nomem;
        json_array_append_new(pair, json_stringn((const char *)s, (size_t)(sp - s)));
        json_array_append_new(pair, json_stringn((const char *)sp + 1, n - (size_t)(sp + 1 - s)));
    }

    root = json_object();
    if (!root) goto nomem;
    json_object_set_new(root, "version", json_string("1.0"));
    json_object_set_new(root, "truncation", json_null());
    json_object_set_new(root, "padding", json_null());
    json_t *added = json_array();
    json_t *eot = json_object_get(voc, "<|endoftext|>");
    if (eot) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(json_integer_value(eot)));
        json_object_set_new(o, "content", json_string("<|endoftext|>"));
        json_object_set_new(o, "single_word", json_false());
        json_object_set_new(o, "lstrip", json_false());
        json_object_set_new(o, "rstrip", json_false());
        /* there is no normalizer, so raw matching is the same thing */
        json_object_set_new(o, "normalized", json_false());
        json_object_set_new(o, "special", json_true());
        json_array_append_new(added, o);
    }
    json_object_set_new(root, "added_tokens", added);
    json_object_set_new(root, "normalizer", json_null());
    json_object_set_new(root, "pre_tokenizer", bytelevel(false, true));
    json_object_set_new(root, "post_processor", bytelevel(true, false));
    json_object_set_new(root, "decoder", bytelevel(true, true));
    json_t *model = json_object();
    json_object_set_new(model, "type", json_string("BPE"));
    json_object_set_new(model, "dropout", json_null());
    json_object_set_new(model, "unk_token", json_null());
    json_object_set_new(model, "continuing_subword_prefix", json_string(""));
    json_object_set_new(model, "end_of_word_suffix", json_string(""));
    json_object_set_new(model, "fuse_unk", json_false());
    json_object_set_new(model, "byte_fallback", json_false());
    json_object_set_new(model, "ignore_merges", json_false());
    json_object_set_new(model, "vocab", voc);
    json_object_set_new(model, "merges", merges);
    json_object_set_new(root, "model", model);
    return root;
nomem:
    tok__fail(err, TOK_ERR_NOMEM, "out of memory");
fail:
    json_decref(voc);
    json_decref(merges);
    json_decref(root);
    return NULL;
}
