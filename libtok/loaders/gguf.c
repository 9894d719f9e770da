/*
 * GGUF (llama.cpp's model file) -> tokenizer.json tree, from the
 * tokenizer.ggml.* metadata alone: the tensors are never read (tok_load maps
 * the file, so only the pages of the header are touched).
 *
 * Layout (little-endian): "GGUF", u32 version (2 or 3), u64 tensor count,
 * u64 key/value count, then the key/values: a string key (u64 length +
 * bytes), a u32 value type and the value; arrays are a u32 element type, a
 * u64 count and the elements.  Every length and count is checked against
 * the bytes that remain before it is used, so nothing is allocated by what a
 * file claims; errors name the file and the byte offset.
 *
 * The vocabulary kinds, as llama.cpp's llama-vocab.cpp reads them:
 *  - "gpt2": byte-level BPE; tokenizer.ggml.pre names the split regexes
 *    (applied one after the other, matches isolated), then ByteLevel.
 *  - "gemma4" (and pre "gemma4"): SentencePiece-style BPE on raw UTF-8,
 *    spaces escaped to "▁", split at newlines, byte fallback.
 *  - "llama": SentencePiece BPE (scores, byte pieces), through the same
 *    tree as a .model file in HF's conversion (the test vectors are HF's).
 *  - "t5": SentencePiece Unigram with its precompiled charsmap.
 *  - "bert": WordPiece; llama.cpp stores word-initial tokens with a "▁"
 *    prefix and continuations bare, turned back into HF's "##" form.
 * Control tokens become special added tokens, user-defined ones non-special
 * added tokens; add_bos/add_eos (and BERT's CLS/SEP) become the
 * post-processor.  Other kinds and unknown pre-tokenizer names are refused
 * by name.
 */
#include "spm.h"

#include <stdio.h>

enum {
    GT_U8, GT_I8, GT_U16, GT_I16, GT_U32, GT_I32, GT_F32, GT_BOOL, GT_STRING, GT_ARRAY, GT_U64, GT_I64, GT_F64,
    GT_COUNT
};
static const uint8_t gt_size[GT_COUNT] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

typedef struct gg {
    const uint8_t *d;
    size_t n, off;
    const char *file;
    tok_error *err;
} gg;

/* A value found in the file: its type and where it starts; for arrays the
 * element type, count and first element. */
typedef struct gval {
    bool set;
    uint32_t type, etype;
    uint64_t count;
    size_t at, first;
} gval;

static tok_status gg_fail(gg *g, size_t at, const char *fmt, ...) TOK_PRINTF(3, 4);
static tok_status gg_fail(gg *g, size_t at, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tok__fail(g->err, TOK_ERR_FORMAT, "%s: byte %zu: %s", g->file, at, msg);
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static tok_status rd(gg *g, int n, uint64_t *v, const char *what)
{
    if (g->n - g->off < (size_t)n) return gg_fail(g, g->off, "truncated %s", what);
    *v = le(g->d + g->off, n);
    g->off += (size_t)n;
    return TOK_OK;
}

/* A string: *at its bytes, *len their count. */
static tok_status rd_str(gg *g, size_t *at, size_t *len, const char *what)
{
    size_t start = g->off;
    uint64_t n = 0;
    tok_status st = rd(g, 8, &n, what);
    if (st) return st;
    if (n > g->n - g->off)
        return gg_fail(g, start, "%s of %llu bytes runs past the end of the file (%zu bytes left)", what,
                       (unsigned long long)n, g->n - g->off);
    *at = g->off;
    *len = (size_t)n;
    g->off += (size_t)n;
    return TOK_OK;
}

/* Skip a value of type t (arrays nest at most a few levels). */
static tok_status skip_value(gg *g, uint32_t t, int depth, gval *out)
{
    size_t at = g->off, s, l;
    if (t >= GT_COUNT) return gg_fail(g, at, "unknown value type %u", t);
    if (out) {
        out->set = true;
        out->type = t;
        out->at = at;
    }
    if (t == GT_STRING) return rd_str(g, &s, &l, "string");
    if (t != GT_ARRAY) {
        if (g->n - g->off < gt_size[t]) return gg_fail(g, at, "truncated value");
        g->off += gt_size[t];
        return TOK_OK;
    }
    if (depth > 4) return gg_fail(g, at, "arrays nested too deep");
    uint64_t et = 0, n = 0;
    tok_status st;
    if ((st = rd(g, 4, &et, "array type")) || (st = rd(g, 8, &n, "array length"))) return st;
    if (et >= GT_COUNT) return gg_fail(g, at, "array of unknown type %llu", (unsigned long long)et);
    if (out) {
        out->etype = (uint32_t)et;
        out->count = n;
        out->first = g->off;
    }
    if (et != GT_STRING && et != GT_ARRAY) {
        if (n > (g->n - g->off) / gt_size[et])
            return gg_fail(g, at, "array of %llu elements of %u bytes runs past the end of the file", (unsigned long long)n,
                           gt_size[et]);
        g->off += (size_t)n * gt_size[et];
        return TOK_OK;
    }
    /* each element takes at least 8 bytes: a lying count runs out of file */
    if (n > (g->n - g->off) / 8)
        return gg_fail(g, at, "array of %llu elements runs past the end of the file", (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++)
        if ((st = skip_value(g, (uint32_t)et, depth + 1, NULL))) return st;
    return TOK_OK;
}

/* ---- the tokenizer keys --------------------------------------------------- */

typedef struct gkeys {
    gval model, pre, tokens, scores, types, merges, charsmap;
    gval bos, eos, unk, sep, pad, cls, mask;
    gval add_bos, add_eos, add_sep, add_space_prefix, remove_extra_ws;
} gkeys;

static const struct { const char *name; size_t field; } key_table[] = {
#define K(n, f) { "tokenizer.ggml." n, offsetof(gkeys, f) }
    K("model", model), K("pre", pre), K("tokens", tokens), K("scores", scores), K("token_type", types),
    K("merges", merges), K("precompiled_charsmap", charsmap), K("bos_token_id", bos), K("eos_token_id", eos),
    K("unknown_token_id", unk), K("seperator_token_id", sep), K("separator_token_id", sep),
    K("padding_token_id", pad), K("cls_token_id", cls), K("mask_token_id", mask), K("add_bos_token", add_bos),
    K("add_eos_token", add_eos), K("add_sep_token", add_sep), K("add_space_prefix", add_space_prefix),
    K("remove_extra_whitespaces", remove_extra_ws),
#undef K
};

static tok_status read_header(gg *g, gkeys *k)
{
    uint64_t ver = 0, nt = 0, nkv = 0;
    tok_status st;
    if (g->n < 4 || memcmp(g->d, "GGUF", 4)) return gg_fail(g, 0, "not a GGUF file (no \"GGUF\" magic)");
    g->off = 4;
    if ((st = rd(g, 4, &ver, "version"))) return st;
    if (ver != 2 && ver != 3)
        return gg_fail(g, 4, "GGUF version %llu is not supported (2 and 3 are)", (unsigned long long)ver);
    if ((st = rd(g, 8, &nt, "tensor count")) || (st = rd(g, 8, &nkv, "key/value count"))) return st;
    if (nkv > (g->n - g->off) / 13)
        return gg_fail(g, 16, "%llu key/value pairs cannot fit in the file", (unsigned long long)nkv);
    for (uint64_t i = 0; i < nkv; i++) {
        size_t kat, klen;
        uint64_t t = 0;
        if ((st = rd_str(g, &kat, &klen, "key")) || (st = rd(g, 4, &t, "value type"))) return st;
        gval *slot = NULL;
        for (size_t j = 0; j < sizeof key_table / sizeof *key_table; j++)
            if (strlen(key_table[j].name) == klen && !memcmp(g->d + kat, key_table[j].name, klen))
                slot = (gval *)((char *)k + key_table[j].field);
        if ((st = skip_value(g, (uint32_t)t, 0, slot))) return st;
    }
    /* the tensor infos and data follow: never read */
    return TOK_OK;
}

/* Value checks and reads (after read_header validated the bounds). */
static tok_status want_array(gg *g, const gval *v, const char *key, uint32_t etype, uint32_t etype2)
{
    if (v->type != GT_ARRAY || (v->etype != etype && v->etype != etype2))
        return gg_fail(g, v->at, "%s: expected an array of %s", key,
                       etype == GT_STRING ? "strings" : etype == GT_F32 ? "f32" : "integers");
    return TOK_OK;
}

static bool int_value(const gg *g, const gval *v, int64_t *out)
{
    if (!v->set || v->type == GT_STRING || v->type == GT_ARRAY || v->type == GT_F32 || v->type == GT_F64 ||
        v->type == GT_BOOL)
        return false;
    uint64_t x = le(g->d + v->at, gt_size[v->type]);
    int bits = gt_size[v->type] * 8;
    bool sgn = v->type == GT_I8 || v->type == GT_I16 || v->type == GT_I32 || v->type == GT_I64;
    if (sgn && bits < 64 && (x >> (bits - 1)) & 1) x |= ~(uint64_t)0 << bits;
    *out = (int64_t)x;
    return true;
}

static bool bool_value(const gg *g, const gval *v, bool dflt)
{
    return v->set && v->type == GT_BOOL ? g->d[v->at] != 0 : dflt;
}

static int64_t id_value(const gg *g, const gval *v, int64_t dflt, size_t ntok)
{
    int64_t x;
    if (!int_value(g, v, &x)) x = dflt; /* a default is checked too: the vocabulary may be shorter */
    return x >= 0 && (uint64_t)x < ntok ? x : -1;
}

/* The i-th element of a numeric array (bounds checked at read_header). */
static double num_elem(const gg *g, const gval *v, size_t i)
{
    const uint8_t *p = g->d + v->first + i * gt_size[v->etype];
    uint64_t x = le(p, gt_size[v->etype]);
    switch (v->etype) {
    case GT_F32: { uint32_t u = (uint32_t)x; float f; memcpy(&f, &u, 4); return f; }
    case GT_F64: { double f; memcpy(&f, &x, 8); return f; }
    case GT_I8: return (int8_t)x;
    case GT_I16: return (int16_t)x;
    case GT_I32: return (int32_t)x;
    case GT_I64: return (double)(int64_t)x;
    default: return (double)x;
    }
}

/* ---- vocabulary --------------------------------------------------------- */

typedef struct gtok { size_t off, len; int type; float score; } gtok;
typedef TOK_VEC(gtok) gtoks;

static tok_status read_tokens(gg *g, const gkeys *k, gtoks *out)
{
    tok_status st;
    if (!k->tokens.set) return tok__fail(g->err, TOK_ERR_FORMAT, "%s: no tokenizer.ggml.tokens", g->file);
    if ((st = want_array(g, &k->tokens, "tokenizer.ggml.tokens", GT_STRING, GT_STRING))) return st;
    size_t n = (size_t)k->tokens.count; /* walked by read_header: at most file size / 8 */
    if (n == 0 || n >= (1u << 30)) return gg_fail(g, k->tokens.at, "tokenizer.ggml.tokens: %zu tokens", n);
    if (k->scores.set) {
        if ((st = want_array(g, &k->scores, "tokenizer.ggml.scores", GT_F32, GT_I32))) return st;
        if (k->scores.count < n)
            return gg_fail(g, k->scores.at, "tokenizer.ggml.scores: %llu scores for %zu tokens",
                           (unsigned long long)k->scores.count, n);
    }
    if (k->types.set) {
        if ((st = want_array(g, &k->types, "tokenizer.ggml.token_type", GT_I32, GT_U32))) return st;
        if (k->types.count < n)
            return gg_fail(g, k->types.at, "tokenizer.ggml.token_type: %llu types for %zu tokens",
                           (unsigned long long)k->types.count, n);
    }
    if (tok_vec_reserve(out, n)) return tok__fail(g->err, TOK_ERR_NOMEM, "%s: out of memory", g->file);
    gg r = *g;
    r.off = k->tokens.first;
    for (size_t i = 0; i < n; i++) {
        size_t at = r.off, s, l;
        if ((st = rd_str(&r, &s, &l, "token"))) return st;
        if (tok_utf8_check(g->d + s, l) != l) return gg_fail(g, at, "token %zu is not valid UTF-8", i);
        gtok t = { s, l, 1, 0 };
        if (k->types.set) {
            /* llama.cpp's types are 0..6; a u32 past int's range must not reach the cast */
            double ty = num_elem(g, &k->types, i);
            if (ty < 0 || ty > 255)
                return gg_fail(g, k->types.at, "tokenizer.ggml.token_type: token %zu has type %.0f", i, ty);
            t.type = (int)ty;
        }
        if (k->scores.set) t.score = (float)num_elem(g, &k->scores, i);
        out->v[out->n++] = t;
    }
    return TOK_OK;
}

static json_t *jstr(const gg *g, const gtok *t) { return json_stringn((const char *)g->d + t->off, t->len); }

/* Control tokens: special added tokens; user-defined: non-special. */
static json_t *added_tokens(const gg *g, const gtoks *tk, bool normalized_user)
{
    json_t *a = json_array();
    for (size_t i = 0; i < tk->n && a; i++) {
        const gtok *t = &tk->v[i];
        if (t->type != PT_CONTROL && t->type != PT_USER) continue;
        json_t *o = json_pack("{s:i, s:o, s:b, s:b, s:b, s:b, s:b}", "id", (int)i, "content", jstr(g, t),
                              "single_word", 0, "lstrip", 0, "rstrip", 0, "normalized",
                              t->type == PT_USER && normalized_user, "special", t->type == PT_CONTROL);
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* BOS/EOS around each sequence (add_bos/add_eos), as a TemplateProcessing:
 * single "[BOS] $A [EOS]", pair the same for $B with type id 1. */
static json_t *template_post(const gg *g, const gtoks *tk, int64_t bos, int64_t eos)
{
    if (bos < 0 && eos < 0) return json_null();
    json_t *single = json_array(), *pair = json_array(), *sp = json_object();
    for (int seq = 0; seq < 3; seq++) {
        json_t *into = seq == 0 ? single : pair;
        int type_id = seq == 2;
        if (bos >= 0)
            json_array_append_new(into, json_pack("{s:{s:o, s:i}}", "SpecialToken", "id", jstr(g, &tk->v[bos]), "type_id", type_id));
        json_array_append_new(into, json_pack("{s:{s:s, s:i}}", "Sequence", "id", seq == 2 ? "B" : "A", "type_id", type_id));
        if (eos >= 0)
            json_array_append_new(into, json_pack("{s:{s:o, s:i}}", "SpecialToken", "id", jstr(g, &tk->v[eos]), "type_id", type_id));
    }
    int64_t ids[2] = { bos, eos };
    for (int i = 0; i < 2; i++) {
        if (ids[i] < 0) continue;
        const gtok *t = &tk->v[ids[i]];
        json_object_setn_new(sp, (const char *)g->d + t->off, t->len,
                             json_pack("{s:o, s:[i], s:[o]}", "id", jstr(g, t), "ids", (int)ids[i], "tokens", jstr(g, t)));
    }
    return json_pack("{s:s, s:o, s:o, s:o}", "type", "TemplateProcessing", "single", single, "pair", pair,
                     "special_tokens", sp);
}

/* ---- pre-tokenizer names (llama.cpp's tokenizer.ggml.pre) ---------------- */

#define CONTRACT "(?i:'s|'t|'re|'ve|'m|'ll|'d)"
#define GPT2_RE "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"
#define LLAMA3_RE CONTRACT "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define QWEN2_RE CONTRACT "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define CJK_RE "[\xE4\xB8\x80-\xE9\xBE\xA5\xE0\xA0\x80-\xE4\xB8\x80\xEA\xB0\x80-\xED\x9F\xBF]+" /* [一-龥ࠀ-一가-퟿]+ */

typedef struct pre_kind {
    const char *names;   /* '|'-separated tokenizer.ggml.pre values */
    const char *re[6];   /* split regexes, applied in order, matches isolated */
    bool ignore_merges, add_bos;
    bool spm_style;      /* raw UTF-8 with "▁" for spaces instead of ByteLevel */
} pre_kind;

static const pre_kind pre_kinds[] = {
    { "default", { "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2_RE, "\\p{N}+", "[0-9][0-9][0-9]" }, false, false, false },
    { "llama3|llama-v3|llama-bpe|falcon3|falcon-h1|pixtral|midm-2.0|lfm2|jina-v5-nano|dbrx|smaug-bpe", { LLAMA3_RE },
      true, true, false },
    { "deepseek-llm",
      { "[\r\n]",
        "\\s?[A-Za-z\xC2\xB5\xC3\x80-\xC3\x96\xC3\x98-\xC3\xB6\xC3\xB8-\xC6\xBA\xC6\xBC-\xC6\xBF\xC7\x84-\xCA\x93\xCA\x95-\xCA\xAF\xCD\xB0-\xCD\xB3\xCD\xB6\xCD\xB7\xCD\xBB-\xCD\xBD\xCD\xBF\xCE\x86\xCE\x88-\xCE\x8A\xCE\x8C\xCE\x8E-\xCE\xA1\xCE\xA3-\xCF\xB5\xCF\xB7-\xD2\x81\xD2\x8A-\xD4\xAF\xD4\xB1-\xD5\x96\xE1\x82\xA0-\xE1\x83\x85\xE1\x8E\xA0-\xE1\x8F\xB5\xE1\x8F\xB8-\xE1\x8F\xBD\xE1\xB2\x90-\xE1\xB2\xBA\xE1\xB2\xBD-\xE1\xB2\xBF\xE1\xB4\x80-\xE1\xB4\xAB\xE1\xB5\xAB-\xE1\xB5\xB7\xE1\xB5\xB9-\xE1\xB6\x9A\xE1\xB8\x80-\xE1\xBC\x95\xE1\xBC\x98-\xE1\xBC\x9D\xE1\xBC\xA0-\xE1\xBD\x85\xE1\xBD\x88-\xE1\xBD\x8D\xE1\xBD\x90-\xE1\xBD\x97\xE1\xBD\x99\xE1\xBD\x9B\xE1\xBD\x9D\xE1\xBD\x9F-\xE1\xBD\xBD\xE1\xBE\x80-\xE1\xBE\xB4\xE1\xBE\xB6-\xE1\xBE\xBC\xE1\xBE\xBE\xE1\xBF\x82-\xE1\xBF\x84\xE1\xBF\x86-\xE1\xBF\x8C\xE1\xBF\x90-\xE1\xBF\x93\xE1\xBF\x96-\xE1\xBF\x9B\xE1\xBF\xA0-\xE1\xBF\xAC\xE1\xBF\xB2-\xE1\xBF\xB4\xE1\xBF\xB6-\xE1\xBF\xBC\xE2\x84\x82\xE2\x84\x87\xE2\x84\x8A-\xE2\x84\x93\xE2\x84\x95\xE2\x84\x99-\xE2\x84\x9D\xE2\x84\xA4\xE2\x84\xA6\xE2\x84\xA8\xE2\x84\xAA-\xE2\x84\xAD\xE2\x84\xAF-\xE2\x84\xB4\xE2\x84\xB9\xE2\x84\xBC-\xE2\x84\xBF\xE2\x85\x85-\xE2\x85\x89\xE2\x85\x8E\xE2\x86\x83\xE2\x86\x84\xE2\xB0\x80-\xE2\xB1\xBB\xE2\xB1\xBE-\xE2\xB3\xA4\xE2\xB3\xAB-\xE2\xB3\xAE\xE2\xB3\xB2\xE2\xB3\xB3\xEA\x99\x80-\xEA\x99\xAD\xEA\x9A\x80-\xEA\x9A\x9B\xEA\x9C\xA2-\xEA\x9D\xAF\xEA\x9D\xB1-\xEA\x9E\x87\xEA\x9E\x8B-\xEA\x9E\x8E\xEA\xAD\xB0-\xEA\xAE\xBF\xEF\xAC\x80-\xEF\xAC\x86\xEF\xAC\x93-\xEF\xAC\x97\xEF\xBC\xA1-\xEF\xBC\xBA\xEF\xBD\x81-\xEF\xBD\x9A\xF0\x90\x90\x80-\xF0\x90\x91\x8F\xF0\x90\x92\xB0-\xF0\x90\x93\x93\xF0\x90\x93\x98-\xF0\x90\x93\xBB\xF0\x90\xB2\x80-\xF0\x90\xB2\xB2\xF0\x90\xB3\x80-\xF0\x90\xB3\xB2\xF0\x91\xA2\xA0-\xF0\x91\xA3\x9F\xF0\x9E\xA4\x80-\xF0\x9E\xA5\x83]+",
        "\\s?[!-/:-~\xEF\xBC\x81-\xEF\xBC\x8F\xEF\xBC\x9A-\xEF\xBD\x9E\xE2\x80\x98-\xE2\x80\x9F\xE3\x80\x80-\xE3\x80\x82]+",
        "\\s+$", CJK_RE, "\\p{N}+" },
      false, false, false },
    { "deepseek-coder", { "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK_RE, "\\p{N}" }, false, false, false },
    { "falcon", { "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2_RE, "[0-9][0-9][0-9]" }, false, false, false },
    { "starcoder|refact|command-r|smollm|codeshell|exaone|minerva-7b|mellum2", { "\\p{N}", GPT2_RE }, false, false, false },
    { "gpt-2|phi-2|jina-es|jina-de|gigachat|jina-v2-es|jina-v2-de|a.x-4.0|mellum|modern-bert|mpt|olmo|jais|trillion|"
      "granite-docling|exaone4|jina-v1-en|jina-v2-code|roberta-bpe",
      { GPT2_RE }, false, false, false },
    { "qwen2|deepseek-r1-qwen|kormo|f2llmv2|stablelm2|hunyuan|solar-open|megrez|grok-2", { QWEN2_RE }, false, false, false },
    { "qwen35",
      { CONTRACT "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
      false, false, false },
    { "glm4|chatglm-bpe", { LLAMA3_RE }, false, false, false },
    { "poro-chat|bloom|gpt3-finnish", { " ?[^(\\s|.,!?\xE2\x80\xA6\xE3\x80\x82\xEF\xBC\x8C\xE3\x80\x81\xE0\xA5\xA4\xDB\x94\xD8\x8C)]+" },
      false, false, false },
    { "viking", { " ?[^(\\s|.,!?\xE2\x80\xA6\xE3\x80\x82\xEF\xBC\x8C\xE3\x80\x81\xE0\xA5\xA4\xDB\x94\xD8\x8C)]+", "\\p{N}" },
      false, false, false },
    { "tekken",
      { "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|[^\\r\\n\\p{L}\\p{N}]?"
        "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|"
        "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
      true, true, false },
    { "gpt-4o|llama4|kanana2|talkie|minimax-m2",
      { "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+" CONTRACT "?|"
        "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*" CONTRACT "?|"
        "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
      false, false, false },
    { "seed-coder",
      { CONTRACT "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
      false, false, false },
    { "gemma4|granite-embed-multi-311m|sarvam-moe", { "[^\\n]+|[\\n]+" }, false, false, true },
};

static const pre_kind *find_pre(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof pre_kinds / sizeof *pre_kinds; i++) {
        const char *p = pre_kinds[i].names;
        while (*p) {
            const char *e = strchr(p, '|');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l == len && !memcmp(p, name, len)) return &pre_kinds[i];
            p += l + (e ? 1 : 0);
        }
    }
    return NULL;
}

static json_t *split_re(const char *re)
{
    return json_pack("{s:s, s:{s:s}, s:s, s:b}", "type", "Split", "pattern", "Regex", re, "behavior", "Isolated",
                     "invert", 0);
}

/* ---- the kinds ----------------------------------------------------------- */

static json_t *root_new(void)
{
    return json_pack("{s:s, s:n, s:n}", "version", "1.0", "truncation", "padding");
}

static const char *SPACE_MARK = "\xE2\x96\x81";

static json_t *bpe_tree(gg *g, const gkeys *k, const gtoks *tk, const pre_kind *pk, bool add_bos, bool add_eos)
{
    tok_status st;
    if (!k->merges.set) return tok__fail(g->err, TOK_ERR_FORMAT, "%s: no tokenizer.ggml.merges", g->file), NULL;
    if ((st = want_array(g, &k->merges, "tokenizer.ggml.merges", GT_STRING, GT_STRING))) return NULL;
    json_t *root = root_new(), *voc = json_object(), *merges = json_array(), *seq = json_array();
    bool byte_fallback = false;
    for (size_t i = 0; i < tk->n; i++) {
        const gtok *t = &tk->v[i];
        if (t->type == PT_BYTE) byte_fallback = true;
        /* duplicates: the first id keeps the text */
        if (!json_object_getn(voc, (const char *)g->d + t->off, t->len))
            json_object_setn_new_nocheck(voc, (const char *)g->d + t->off, t->len, json_integer((json_int_t)i));
    }
    gg r = *g;
    r.off = k->merges.first;
    for (uint64_t i = 0; i < k->merges.count; i++) {
        size_t at = r.off, s, l;
        if (rd_str(&r, &s, &l, "merge")) goto fail;
        /* llama.cpp: the first space after the first byte separates the parts */
        const uint8_t *sp = l > 1 ? memchr(g->d + s + 1, ' ', l - 1) : NULL;
        if (!sp) {
            gg_fail(g, at, "merge %llu is not two tokens separated by a space", (unsigned long long)i);
            goto fail;
        }
        size_t a = (size_t)(sp - (g->d + s));
        if (tok_utf8_check(g->d + s, l) != l) {
            gg_fail(g, at, "merge %llu is not valid UTF-8", (unsigned long long)i);
            goto fail;
        }
        json_array_append_new(merges, json_pack("[s%, s%]", (const char *)g->d + s, a, (const char *)g->d + s + a + 1,
                                                l - a - 1));
    }
    for (int i = 0; i < 6 && pk->re[i]; i++) json_array_append_new(seq, split_re(pk->re[i]));
    json_t *norm = json_null(), *dec;
    if (pk->spm_style) {
        norm = json_pack("{s:s, s:{s:s}, s:s}", "type", "Replace", "pattern", "String", " ", "content", SPACE_MARK);
        dec = json_pack("{s:s, s:[{s:s, s:{s:s}, s:s}, {s:s}, {s:s}]}", "type", "Sequence", "decoders", "type", "Replace",
                        "pattern", "String", SPACE_MARK, "content", " ", "type", "ByteFallback", "type", "Fuse");
    } else {
        json_array_append_new(seq, json_pack("{s:s, s:b, s:b, s:b}", "type", "ByteLevel", "add_prefix_space", 0,
                                             "trim_offsets", 1, "use_regex", 0));
        dec = json_pack("{s:s, s:b, s:b, s:b}", "type", "ByteLevel", "add_prefix_space", 1, "trim_offsets", 1,
                        "use_regex", 1);
    }
    int64_t bos = add_bos ? id_value(g, &k->bos, -1, tk->n) : -1, eos = add_eos ? id_value(g, &k->eos, -1, tk->n) : -1;
    json_object_set_new(root, "added_tokens", added_tokens(g, tk, false));
    json_object_set_new(root, "normalizer", norm);
    json_object_set_new(root, "pre_tokenizer", json_pack("{s:s, s:o}", "type", "Sequence", "pretokenizers", seq));
    json_object_set_new(root, "post_processor", template_post(g, tk, bos, eos));
    json_object_set_new(root, "decoder", dec);
    int64_t unk = id_value(g, &k->unk, -1, tk->n);
    json_object_set_new(root, "model",
                        json_pack("{s:s, s:n, s:o, s:n, s:n, s:b, s:b, s:b, s:o, s:o}", "type", "BPE", "dropout", "unk_token",
                                  unk >= 0 && byte_fallback ? jstr(g, &tk->v[unk]) : json_null(),
                                  "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", byte_fallback,
                                  "byte_fallback", byte_fallback, "ignore_merges", pk->ignore_merges, "vocab", voc,
                                  "merges", merges));
    return root;
fail:
    json_decref(root);
    json_decref(voc);
    json_decref(merges);
    json_decref(seq);
    return NULL;
}

/* llama.cpp stores BERT vocabularies with "▁" before word-initial tokens and
 * continuations bare; HF's form has "##" before continuations. */
static json_t *bert_tree(gg *g, const gkeys *k, const gtoks *tk)
{
    json_t *root = root_new(), *voc = json_object();
    tok_sbuf b = { 0 };
    for (size_t i = 0; i < tk->n; i++) {
        const gtok *t = &tk->v[i];
        const char *s = (const char *)g->d + t->off;
        b.n = 0;
        if (t->len >= 3 && !memcmp(s, SPACE_MARK, 3)) tok_sbuf_put(&b, s + 3, t->len - 3);
        else if (t->type == PT_CONTROL || (t->len >= 2 && s[0] == '[' && s[t->len - 1] == ']')) tok_sbuf_put(&b, s, t->len);
        else if (tok_sbuf_put(&b, "##", 2) || tok_sbuf_put(&b, s, t->len)) break;
        if (!json_object_getn(voc, b.v ? b.v : "", b.n))
            json_object_setn_new_nocheck(voc, b.v ? b.v : "", b.n, json_integer((json_int_t)i));
    }
    tok_vec_free(&b);
    int64_t unk = id_value(g, &k->unk, 100, tk->n), cls = id_value(g, &k->cls, id_value(g, &k->bos, 101, tk->n), tk->n),
            sep = id_value(g, &k->sep, 102, tk->n);
    if (unk < 0) {
        json_decref(root);
        json_decref(voc);
        tok__fail(g->err, TOK_ERR_FORMAT, "%s: the BERT vocabulary has no unknown token", g->file);
        return NULL;
    }
    json_object_set_new(root, "added_tokens", added_tokens(g, tk, false));
    json_object_set_new(root, "normalizer",
                        json_pack("{s:s, s:b, s:b, s:n, s:b}", "type", "BertNormalizer", "clean_text", 1,
                                  "handle_chinese_chars", 1, "strip_accents", "lowercase", 1));
    json_object_set_new(root, "pre_tokenizer", json_pack("{s:s}", "type", "BertPreTokenizer"));
    json_object_set_new(root, "post_processor",
                        cls >= 0 && sep >= 0
                            ? json_pack("{s:s, s:[o, i], s:[o, i]}", "type", "BertProcessing", "sep", jstr(g, &tk->v[sep]),
                                        (int)sep, "cls", jstr(g, &tk->v[cls]), (int)cls)
                            : json_null());
    json_object_set_new(root, "decoder", json_pack("{s:s, s:s, s:b}", "type", "WordPiece", "prefix", "##", "cleanup", 1));
    json_object_set_new(root, "model",
                        json_pack("{s:s, s:o, s:s, s:i, s:o}", "type", "WordPiece", "unk_token", jstr(g, &tk->v[unk]),
                                  "continuing_subword_prefix", "##", "max_input_chars_per_word", 100, "vocab", voc));
    return root;
}

/* SentencePiece kinds: the same tree as a .model in HF's conversion. */
static json_t *spm_tree(gg *g, const gkeys *k, const gtoks *tk, int model_type)
{
    spm_model m;
    memset(&m, 0, sizeof m);
    m.model_type = model_type;
    m.unk_id = (int32_t)id_value(g, &k->unk, model_type == 2 ? 0 : 2, tk->n);
    m.add_dummy_prefix = bool_value(g, &k->add_space_prefix, true);
    m.remove_extra_ws = bool_value(g, &k->remove_extra_ws, model_type == 1);
    m.escape_ws = true;
    m.split_by_ws = true;
    if (k->charsmap.set) {
        if (want_array(g, &k->charsmap, "tokenizer.ggml.precompiled_charsmap", GT_U8, GT_I8)) return NULL;
        m.has_charsmap = true;
        m.charsmap_off = k->charsmap.first;
        m.charsmap_len = (size_t)k->charsmap.count;
    }
    if (tok_vec_reserve(&m.pieces, tk->n)) {
        tok__fail(g->err, TOK_ERR_NOMEM, "%s: out of memory", g->file);
        return NULL;
    }
    for (size_t i = 0; i < tk->n; i++) {
        const gtok *t = &tk->v[i];
        if (t->type == PT_BYTE) m.byte_fallback = true;
        m.pieces.v[m.pieces.n++] = (spm_piece){ t->off, t->len, t->score, t->type };
    }
    json_t *root = tok__spm_model_to_json(g->d, &m, g->file, true, g->err);
    tok_vec_free(&m.pieces);
    if (!root) return NULL;
    /* llama.cpp's defaults: SentencePiece BPE adds BOS, Unigram (T5) EOS */
    bool add_bos = bool_value(g, &k->add_bos, model_type == 2), add_eos = bool_value(g, &k->add_eos, model_type == 1);
    int64_t bos = add_bos ? id_value(g, &k->bos, model_type == 2 ? 1 : -1, tk->n) : -1;
    int64_t eos = add_eos ? id_value(g, &k->eos, model_type == 2 ? 2 : 1, tk->n) : -1;
    json_object_set_new(root, "post_processor", template_post(g, tk, bos, eos));
    /* HF matches special-token text in input */
    json_object_del(root, "libtok_match_special");
    return root;
}

json_t *tok_gguf_to_json(const uint8_t *data, size_t len, const char *file, const tok_load_options *opt, tok_error *err)
{
    (void)opt;
    gg g = { data, len, 0, file ? file : "<memory>", err };
    gkeys k;
    memset(&k, 0, sizeof k);
    gtoks tk = { 0 };
    json_t *root = NULL;
    if (read_header(&g, &k)) return NULL;
    if (!k.model.set || k.model.type != GT_STRING) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: no tokenizer in this GGUF file (tokenizer.ggml.model is missing)", g.file);
        return NULL;
    }
    gg r = g;
    r.off = k.model.at;
    size_t ms, ml, ps = 0, pl = 0;
    if (rd_str(&r, &ms, &ml, "tokenizer.ggml.model")) return NULL;
    const char *model = (const char *)data + ms;
    if (k.pre.set && k.pre.type == GT_STRING) {
        r.off = k.pre.at;
        if (rd_str(&r, &ps, &pl, "tokenizer.ggml.pre")) return NULL;
    }
#define IS(s) (ml == strlen(s) && !memcmp(model, s, ml))
    if (!IS("gpt2") && !IS("gemma4") && !IS("llama") && !IS("bert") && !IS("t5")) {
        tok__fail(err, TOK_ERR_UNSUPPORTED,
                  "%s: GGUF vocabulary kind \"%.*s\" is not supported (libtok reads llama, gpt2, gemma4, bert and t5)",
                  g.file, (int)(ml > 64 ? 64 : ml), model);
        return NULL;
    }
    if (read_tokens(&g, &k, &tk)) goto out;
    if (IS("gpt2") || IS("gemma4")) {
        const char *pre = IS("gemma4") ? "gemma4" : pl ? (const char *)data + ps : "default";
        size_t plen = IS("gemma4") ? 6 : pl ? pl : 7;
        const pre_kind *pk = find_pre(pre, plen);
        if (!pk) {
            tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: GGUF pre-tokenizer \"%.*s\" is not supported", g.file,
                      (int)(plen > 64 ? 64 : plen), pre);
            goto out;
        }
        root = bpe_tree(&g, &k, &tk, pk, bool_value(&g, &k.add_bos, pk->add_bos), bool_value(&g, &k.add_eos, false));
    } else if (IS("bert")) {
        root = bert_tree(&g, &k, &tk);
    } else {
        root = spm_tree(&g, &k, &tk, IS("llama") ? 2 : 1);
    }
#undef IS
out:
    tok_vec_free(&tk);
    return root;
}
