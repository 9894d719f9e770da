/*
 * BERT vocab.txt -> tokenizer.json tree: one WordPiece token per line, id =
 * line number (as HF's WordPiece::read_file: line ends "\n" or "\r\n",
 * trailing white space trimmed, a repeated token keeps its last line).  The
 * rest is what HF's BertConverter writes: BertNormalizer, BertPreTokenizer,
 * WordPiece([UNK], "##", 100), [CLS]/[SEP] post-processing, WordPiece
 * decoder, and the usual special tokens as added special tokens.  Case:
 * lowercase when asked, or (bert_lowercase < 0) when no token outside
 * brackets would change by lowercasing.
 */
#include "../core/json.h"

#include <utf8proc.h>

/* Length of s after trimming trailing white space (s is valid UTF-8). */
static size_t trim_end(const uint8_t *s, size_t n)
{
    while (n > 0) {
        size_t k = n - 1;
        while (k > 0 && (s[k] & 0xC0) == 0x80) k--;
        size_t l;
        uint32_t c = tok_utf8_decode(s + k, n - k, &l);
        if (c == TOK_UTF8_BAD || !tok_uni_is_space(c)) break;
        n = k;
    }
    return n;
}

/* Would lowercasing change the token?  (Not "has an Lu letter": the uncased
 * BERT vocabulary has "ℝ", which has no lowercase form.) */
static bool has_upper(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l;
        uint32_t c = tok_utf8_decode(s + i, n - i, &l);
        if (c != TOK_UTF8_BAD && (uint32_t)utf8proc_tolower((utf8proc_int32_t)c) != c) return true;
        i += l;
    }
    return false;
}

static json_t *jtyped(const char *type)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(type));
    return o;
}

json_t *tok_bert_vocab_to_json(const uint8_t *data, size_t len, const char *file, const tok_load_options *opt,
                               tok_error *err)
{
    if (!file) file = "<memory>";
    json_t *voc = json_object();
    if (!voc) {
        tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
        return NULL;
    }
    size_t line = 0, nonempty = 0, cased = 0;
    const uint8_t *s;
    size_t n;
    for (size_t pos = 0; tok_line_next(data, len, &pos, &s, &n);) {
        line++;
        size_t bad = tok_utf8_check(s, n);
        if (bad != n) {
            tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:%zu: invalid UTF-8", file, line, bad + 1);
            json_decref(voc);
            return NULL;
        }
        n = trim_end(s, n);
        if (n) nonempty++;
        if (line - 1 >= (1u << 30)) {
            tok__fail(err, TOK_ERR_FORMAT, "%s:%zu: too many tokens", file, line);
            json_decref(voc);
            return NULL;
        }
        if (json_object_setn_new(voc, (const char *)s, n, json_integer((json_int_t)(line - 1)))) {
            tok__fail(err, TOK_ERR_NOMEM, "%s: out of memory", file);
            json_decref(voc);
            return NULL;
        }
        /* case guess: bracketed tokens ([CLS], [unused0], <S>) do not count */
        bool bracketed = n >= 2 && ((s[0] == '[' && s[n - 1] == ']') || (s[0] == '<' && s[n - 1] == '>'));
        if (!bracketed && has_upper(s, n)) cased++;
    }
    if (nonempty == 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: empty vocabulary (no tokens)", file);
        json_decref(voc);
        return NULL;
    }
    int lc = opt ? opt->bert_lowercase : -1;
    bool lowercase = lc < 0 ? cased == 0 : lc != 0;

    json_t *root = json_object();
    json_object_set_new(root, "version", json_string("1.0"));
    json_object_set_new(root, "truncation", json_null());
    json_object_set_new(root, "padding", json_null());

    static const char *const specials[] = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
    json_t *added = json_array();
    int64_t ids[5];
    for (int k = 0; k < 5; k++) {
        json_t *id = json_object_get(voc, specials[k]);
        ids[k] = id ? (int64_t)json_integer_value(id) : -1;
    }
    /* in id order, as HF lists them */
    for (int done = 0; done < 5; done++) {
        int best = -1;
        for (int k = 0; k < 5; k++)
            if (ids[k] >= 0 && (best < 0 || ids[k] < ids[best])) best = k;
        if (best < 0) break;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(ids[best]));
        json_object_set_new(o, "content", json_string(specials[best]));
        json_object_set_new(o, "single_word", json_false());
        json_object_set_new(o, "lstrip", json_false());
        json_object_set_new(o, "rstrip", json_false());
        json_object_set_new(o, "normalized", json_false());
        json_object_set_new(o, "special", json_true());
        json_array_append_new(added, o);
        ids[best] = -2 - ids[best]; /* mark done, keep the value */
    }
    for (int k = 0; k < 5; k++)
        if (ids[k] <= -2) ids[k] = -2 - ids[k];
    json_object_set_new(root, "added_tokens", added);

    json_t *norm = jtyped("BertNormalizer");
    json_object_set_new(norm, "clean_text", json_true());
    json_object_set_new(norm, "handle_chinese_chars", json_true());
    json_object_set_new(norm, "strip_accents", json_null());
    json_object_set_new(norm, "lowercase", json_boolean(lowercase));
    json_object_set_new(root, "normalizer", norm);
    json_object_set_new(root, "pre_tokenizer", jtyped("BertPreTokenizer"));

    if (ids[2] >= 0 && ids[3] >= 0) {
        json_t *post = jtyped("BertProcessing");
        json_t *sep = json_array(), *cls = json_array();
        json_array_append_new(sep, json_string("[SEP]"));
        json_array_append_new(sep, json_integer(ids[3]));
        json_array_append_new(cls, json_string("[CLS]"));
        json_array_append_new(cls, json_integer(ids[2]));
        json_object_set_new(post, "sep", sep);
        json_object_set_new(post, "cls", cls);
        json_object_set_new(root, "post_processor", post);
    } else {
        json_object_set_new(root, "post_processor", json_null());
    }
    json_t *dec = jtyped("WordPiece");
    json_object_set_new(dec, "prefix", json_string("##"));
    json_object_set_new(dec, "cleanup", json_true());
    json_object_set_new(root, "decoder", dec);

    json_t *model = jtyped("WordPiece");
    json_object_set_new(model, "unk_token", json_string("[UNK]"));
    json_object_set_new(model, "continuing_subword_prefix", json_string("##"));
    json_object_set_new(model, "max_input_chars_per_word", json_integer(100));
    json_object_set_new(model, "vocab", voc);
    json_object_set_new(root, "model", model);
    return root;
}
