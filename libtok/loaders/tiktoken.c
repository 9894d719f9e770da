/*
 * tiktoken rank files: one "base64(token bytes) rank" per line.  The split
 * pattern and special tokens are not in the file; they come from the
 * encoding's name.  The file becomes a tokenizer.json tree whose BPE model is
 * "ranked" (merges implied by ranks, as tiktoken merges) so that the one
 * builder and pipeline serve it.
 */
#include "../core/json.h"
#include "../core/rawjson.h"

#include <stdio.h>

typedef struct encoding_def {
    const char *name;
    const char *pattern;
    struct { const char *text; int id; } special[6];
} encoding_def;

#define GPT2_PAT "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

static const encoding_def encodings[] = {
    { "r50k_base", GPT2_PAT, { { "<|endoftext|>", 50256 } } },
    { "p50k_base", GPT2_PAT, { { "<|endoftext|>", 50256 } } },
    { "cl100k_base",
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      { { "<|endoftext|>", 100257 }, { "<|fim_prefix|>", 100258 }, { "<|fim_middle|>", 100259 },
        { "<|fim_suffix|>", 100260 }, { "<|endofprompt|>", 100276 } } },
    { "o200k_base",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
      "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
      "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      { { "<|endoftext|>", 199999 }, { "<|endofprompt|>", 200018 } } },
};

static const encoding_def *find_encoding(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
        size_t k = strlen(encodings[i].name) - 5; /* without "_base" */
        if (!strcmp(name, encodings[i].name) || (strlen(name) == k && !strncmp(name, encodings[i].name, k)))
            return &encodings[i];
    }
    return NULL;
}

static const encoding_def *guess_encoding(const char *file)
{
    if (!file) return NULL;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
        char stem[16];
        snprintf(stem, sizeof stem, "%.*s", (int)(strlen(encodings[i].name) - 5), encodings[i].name);
        if (strstr(base, stem)) return &encodings[i];
    }
    return NULL;
}

/* The token as GPT-2 alphabet text, as tokenizer.json writes it: every
 * character of that alphabet (U+0021..U+0143) is one or two bytes. */
static int bytelevel_text(tok_sbuf *b, const uint8_t *p, size_t n)
{
    b->n = 0;
    if (tok_vec_reserve(b, 2 * n)) return -1;
    uint8_t *o = (uint8_t *)b->v;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = tok_bytelevel_char(p[i]);
        if (cp < 0x80) {
            o[k++] = (uint8_t)cp;
        } else {
            o[k++] = (uint8_t)(0xC0 | cp >> 6);
            o[k++] = (uint8_t)(0x80 | (cp & 0x3F));
        }
    }
    b->n = k;
    return 0;
}

/* The line that first gives rank r (the lines before the current one
 * were read already: "<base64> <digits>"). */
static uint64_t rank_line(const uint8_t *data, size_t len, int64_t r)
{
    size_t line = 1;
    for (size_t pos = 0; pos < len; line++) {
        size_t eol = pos;
        while (eol < len && data[eol] != '\n') eol++;
        size_t sp = pos;
        while (sp < eol && data[sp] != ' ') sp++;
        int64_t x = 0;
        for (size_t q = sp + 1; q < eol && data[q] >= '0' && data[q] <= '9' && x <= (1 << 30); q++) x = x * 10 + (data[q] - '0');
        if (sp < eol && x == r) return line;
        pos = eol + 1;
    }
    return 0;
}

static int put32(tok_sbuf *b, uint32_t x) { return tok_sbuf_put(b, &x, 4); }

json_t *tok_tiktoken_to_json(const uint8_t *data, size_t len, const char *file,
                             const tok_load_options *opt, tok_sbuf *records, size_t *nrec, tok_error *err)
{
    const char *fname = file ? file : "<memory>";
    const encoding_def *enc = NULL;
    if (opt && opt->tiktoken_pattern) {
        enc = find_encoding(opt->tiktoken_pattern);
        if (!enc) {
            tok__fail(err, TOK_ERR_UNSUPPORTED, "%s: unknown tiktoken encoding \"%s\" (known: r50k, p50k, cl100k, o200k)",
                      fname, opt->tiktoken_pattern);
            return NULL;
        }
    } else {
        enc = guess_encoding(file);
        if (!enc) {
            tok__fail(err, TOK_ERR_ARG, "%s: cannot tell the split pattern from the file name; name the encoding "
                      "(r50k, p50k, cl100k, o200k) with --pattern", fname);
            return NULL;
        }
    }
    /* the vocabulary goes out as (id, len, text) records, not as a JSON
     * object of 200k keys; a table of text hashes finds duplicates */
    tok_sbuf text = { 0 }, bin = { 0 };
    tok_u64map seen = { 0 };
    /* no rank at or past nranks loads (checked at the end) */
    size_t lines = 1;
    lines += tok_rawjson_count((const char *)data, len, '\n'); /* 8 bytes a step */
    uint64_t nranks = ((uint64_t)1 << 18) + 2 * (uint64_t)lines;
    uint64_t *rank_seen = calloc(nranks / 64 + 1, sizeof *rank_seen);
    if (!rank_seen) goto nomem;
    size_t line = 1, pos = 0, count = 0;
    int64_t max_rank = -1;
    size_t max_line = 0;
    bool have_byte[256] = { false };
    records->n = 0;
    if (tok_u64map_init(&seen, len / 12 + 16)) goto nomem;
    while (pos < len) {
        const uint8_t *nl = memchr(data + pos, '\n', len - pos);
        size_t eol = nl ? (size_t)(nl - data) : len;
        size_t end = eol;
        if (end > pos && data[end - 1] == '\r') end--;
        if (end > pos) {
            const uint8_t *spp = memchr(data + pos, ' ', end - pos);
            size_t sp = spp ? (size_t)(spp - data) : end;
            if (sp == end || sp == pos) {
                tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:1: expected \"<base64 token> <rank>\"", fname, line);
                goto fail;
            }
            size_t tl = 0;
            if (tok_vec_reserve(&bin, (sp - pos) / 4 * 3 + 4)) goto nomem;
            uint8_t *tokb = (uint8_t *)bin.v;
            if (tok_base64_decode_into((const char *)data + pos, sp - pos, tokb, &tl) || tl == 0) {
                tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:1: invalid base64 token", fname, line);
                goto fail;
            }
            int64_t rank = 0;
            size_t q = sp + 1;
            if (q == end) {
                tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:%zu: missing rank", fname, line, q - pos + 1);
                goto fail;
            }
            for (; q < end; q++) {
                if (data[q] < '0' || data[q] > '9' || rank > (1 << 30)) {
                    tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:%zu: invalid rank", fname, line, q - pos + 1);
                    goto fail;
                }
                rank = rank * 10 + (data[q] - '0');
            }
            if (bytelevel_text(&text, tokb, tl)) goto nomem;
            /* tiktoken refuses two tokens with one rank ("maybe you had
             * duplicate token indices"); ranks go in the same table, odd keys */
            /* ranks below nranks (any file that loads has only those) in a
             * bitmap; the first line of a repeated rank is found again for
             * the message */
            uint64_t rline;
            bool again = (uint64_t)rank < nranks ? (bool)(rank_seen[rank >> 6] >> (rank & 63) & 1)
                                                  : (bool)tok_u64map_get(&seen, (uint64_t)rank << 1 | 1, &rline);
            if (again) {
                if ((uint64_t)rank < nranks) rline = rank_line(data, len, rank);
                tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:%zu: rank %lld was given already on line %llu", fname, line,
                          sp - pos + 2, (long long)rank, (unsigned long long)rline);
                goto fail;
            }
            if ((uint64_t)rank < nranks) rank_seen[rank >> 6] |= 1ull << (rank & 63);
            else if (tok_u64map_put(&seen, (uint64_t)rank << 1 | 1, line)) goto nomem;
            if (tl == 1) have_byte[tokb[0]] = true;
            uint64_t h = tok_hash_bytes(text.v, text.n) & ~1ULL, at;
            if (tok_u64map_get(&seen, h, &at)) {
                uint32_t ol;
                memcpy(&ol, records->v + at + 4, 4);
                if (ol == text.n && !memcmp(records->v + at + 8, text.v, text.n)) {
                    tok__fail(err, TOK_ERR_FORMAT, "%s:%zu:1: duplicate token", fname, line);
                    goto fail;
                }
            } else if (tok_u64map_put(&seen, h, records->n)) {
                goto nomem;
            }
            if (put32(records, (uint32_t)rank) || put32(records, (uint32_t)text.n) || tok_sbuf_put(records, text.v, text.n))
                goto nomem;
            count++;
            if (rank > max_rank) {
                max_rank = rank;
                max_line = line;
            }
        }
        pos = eol + 1;
        line++;
    }
    if (count == 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: no tokens in file", fname);
        goto fail;
    }
    /* tiktoken starts every piece from its single bytes (and fails on a byte
     * it has no rank for) */
    for (int b = 0; b < 256; b++)
        if (!have_byte[b]) {
            tok__fail(err, TOK_ERR_FORMAT, "%s: no rank for the single byte 0x%02X (a rank file needs all 256)",
                      fname, b);
            goto fail;
        }
    /* ranks index a dense table: one far past the lines the file has would
     * cost memory (and merge time) the file does not contain */
    if ((size_t)max_rank >= ((size_t)1 << 18) + 2 * count) {
        tok__fail(err, TOK_ERR_FORMAT, "%s:%zu: rank %lld is far past the %zu ranks of the file", fname, max_line,
                  (long long)max_rank, count);
        goto fail;
    }
    tok_vec_free(&text);
    tok_vec_free(&bin);
    free(rank_seen);
    tok_u64map_free(&seen);
    *nrec = count;

    json_t *root = json_object();
    json_t *model = json_object();
    json_object_set_new(model, "type", json_string("BPE"));
    json_object_set_new(model, "vocab", json_object());
    json_object_set_new(model, "merges", json_array());
    json_object_set_new(model, "libtok_ranked", json_true());
    json_object_set_new(root, "model", model);
    json_t *added = json_array();
    for (int i = 0; i < 6 && enc->special[i].text; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "id", json_integer(enc->special[i].id));
        json_object_set_new(a, "content", json_string(enc->special[i].text));
        json_object_set_new(a, "single_word", json_false());
        json_object_set_new(a, "lstrip", json_false());
        json_object_set_new(a, "rstrip", json_false());
        json_object_set_new(a, "normalized", json_false());
        json_object_set_new(a, "special", json_true());
        json_array_append_new(added, a);
    }
    json_object_set_new(root, "added_tokens", added);
    json_t *pre = json_pack("{s:s, s:[{s:s, s:{s:s}, s:s, s:b}, {s:s, s:b, s:b, s:b}]}",
                            "type", "Sequence", "pretokenizers",
                            "type", "Split", "pattern", "Regex", enc->pattern, "behavior", "Isolated", "invert", 0,
                            "type", "ByteLevel", "add_prefix_space", 0, "trim_offsets", 0, "use_regex", 0);
    json_object_set_new(root, "pre_tokenizer", pre);
    json_object_set_new(root, "decoder", json_pack("{s:s, s:b, s:b, s:b}", "type", "ByteLevel",
                                                   "add_prefix_space", 0, "trim_offsets", 0, "use_regex", 0));
    json_object_set_new(root, "libtok_match_special", json_false());
    json_object_set_new(root, "libtok_encoding", json_string(enc->name));
    return root;
nomem:
    tok__fail(err, TOK_ERR_NOMEM, "out of memory");
fail:
    tok_vec_free(&text);
    tok_vec_free(&bin);
    free(rank_seen);
    tok_u64map_free(&seen);
    return NULL;
}
