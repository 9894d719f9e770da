/* Shared by the libFuzzer harnesses: small fixed tokenizers built here from
 * tokenizer.json text (one of each model and of the common pipelines), and
 * the checks every harness makes on what the library hands back. */
#ifndef TOK_FUZZ_H
#define TOK_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libtok/internal.h"
#include "../unit/bytevocab.h"

/* Abort (a finding for libFuzzer) with a reason. */
#define FUZZ_CHECK(cond, ...)                                        \
    do {                                                             \
        if (!(cond)) {                                               \
            fprintf(stderr, "fuzz check failed: " __VA_ARGS__);      \
            fputc('\n', stderr);                                     \
            abort();                                                 \
        }                                                            \
    } while (0)

enum { FUZZ_NFIXED = 6 };

static const char *const fuzz_fixed_names[FUZZ_NFIXED] = {
    "byte-level BPE", "BERT WordPiece", "Unigram Metaspace", "SentencePiece-style BPE", "BPE without unk",
    "WordLevel Split",
};

#define SP "\xE2\x96\x81"

static inline tok_tokenizer *fuzz_build(int which)
{
    tok_sbuf b = { 0 };
    switch (which) {
    case 0: /* GPT-2 style */
        tok_sbuf_printf(&b, "{\"added_tokens\":[{\"id\":261,\"content\":\"<|endoftext|>\",\"special\":true}],"
                            "\"model\":{\"type\":\"BPE\",\"vocab\":{");
        tu_put_byte_vocab(&b);
        tok_sbuf_printf(&b, ",\"\xC4\xA0t\":256,\"he\":257,\"\xC4\xA0the\":258,\"in\":259,\"\xC4\xA0" "a\":260},"
                            "\"merges\":[\"\xC4\xA0 t\",\"h e\",\"\xC4\xA0t he\",\"i n\",\"\xC4\xA0 a\"]},"
                            "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
                            "\"use_regex\":true},"
                            "\"post_processor\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
                            "\"use_regex\":true},"
                            "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
                            "\"use_regex\":true}}");
        break;
    case 1:
        tok_sbuf_printf(&b, "{\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
                            "\"strip_accents\":null,\"lowercase\":true},"
                            "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
                            "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
                            "\"max_input_chars_per_word\":100,\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,"
                            "\"the\":4,\"##s\":5,\"hello\":6,\"##lo\":7,\"un\":8,\"##aff\":9,\"##able\":10,\"a\":11,"
                            "\"b\":12,\"##b\":13,\"##a\":14,\",\":15,\"!\":16,\"\xE4\xB8\xAD\":17}},"
                            "\"post_processor\":{\"type\":\"TemplateProcessing\","
                            "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                            "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],"
                            "\"pair\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                            "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},"
                            "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}}],"
                            "\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},"
                            "\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}}},"
                            "\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\",\"special\":true},"
                            "{\"id\":1,\"content\":\"[UNK]\",\"special\":true},{\"id\":2,\"content\":\"[CLS]\",\"special\":true},"
                            "{\"id\":3,\"content\":\"[SEP]\",\"special\":true}],"
                            "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}}");
        break;
    case 2:
        tok_sbuf_printf(&b, "{\"normalizer\":{\"type\":\"NFKC\"},"
                            "\"pre_tokenizer\":{\"type\":\"Metaspace\",\"replacement\":\"" SP "\",\"prepend_scheme\":\"always\",\"split\":true},"
                            "\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"<unk>\",0],[\"" SP "\",-2],"
                            "[\"" SP "a\",-3],[\"a\",-2.5],[\"b\",-3],[\"ab\",-2.8],[\"" SP "ab\",-3.5],[\"c\",-4],"
                            "[\"abc\",-5],[\"\xC3\xA9\",-4]]},"
                            "\"decoder\":{\"type\":\"Metaspace\",\"replacement\":\"" SP "\",\"prepend_scheme\":\"always\",\"split\":true}}");
        break;
    case 3:
        tok_sbuf_printf(&b, "{\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"" SP "\"},"
                            "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"" SP "\"}]},"
                            "\"added_tokens\":[{\"id\":1,\"content\":\"<s>\",\"special\":true},{\"id\":2,\"content\":\"</s>\",\"special\":true}],"
                            "\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":true,"
                            "\"vocab\":{\"<unk>\":0,\"<s>\":1,\"</s>\":2");
        for (int i = 0; i < 256; i++) tok_sbuf_printf(&b, ",\"<0x%02X>\":%d", i, 3 + i);
        tok_sbuf_printf(&b, ",\"" SP "\":259,\"a\":260,\"b\":261,\"" SP "a\":262,\"ab\":263,\"" SP "ab\":264},"
                            "\"merges\":[\"" SP " a\",\"a b\",\"" SP "a b\"]},"
                            "\"post_processor\":{\"type\":\"TemplateProcessing\","
                            "\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],"
                            "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
                            "\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}},"
                            "\"decoder\":{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"" SP "\"},"
                            "\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},"
                            "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}}");
        break;
    case 4:
        tok_sbuf_printf(&b, "{\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
                            "\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2,\"c\":3},\"merges\":[[\"a\",\"b\"]]},"
                            "\"decoder\":{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}}");
        break;
    default:
        tok_sbuf_printf(&b, "{\"normalizer\":{\"type\":\"Lowercase\"},"
                            "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\","
                            "\"pattern\":{\"Regex\":\"\\\\s+|[[:punct:]]\"},\"behavior\":\"Isolated\",\"invert\":false},"
                            "{\"type\":\"Digits\",\"individual_digits\":true}]},"
                            "\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"<unk>\",\"vocab\":{\"<unk>\":0,\"hello\":1,"
                            "\"world\":2,\" \":3,\",\":4,\"1\":5,\"2\":6}}}");
        break;
    }
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_HF_JSON;
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load_memory(b.v, b.n, fuzz_fixed_names[which], &o, &err);
    FUZZ_CHECK(t, "fixed tokenizer %d: %s", which, err.message);
    tok_vec_free(&b);
    return t;
}

/* The fixed tokenizers, built once per process. */
static inline tok_tokenizer *fuzz_fixed(int which)
{
    static tok_tokenizer *t[FUZZ_NFIXED];
    if (!t[which]) t[which] = fuzz_build(which);
    return t[which];
}

static inline void fuzz_check_utf8(const char *s, size_t n, const char *what)
{
    FUZZ_CHECK(tok_utf8_check((const uint8_t *)s, n) == n, "%s: output is not valid UTF-8", what);
}

/* What encode hands back: offsets inside the text, ids that decode. */
static inline void fuzz_check_encoding(const tok_tokenizer *t, const tok_encoding *e, size_t len)
{
    (void)t;
    for (size_t i = 0; i < e->n; i++) {
        FUZZ_CHECK(e->ids[i] >= 0, "negative id %d", e->ids[i]);
        if (e->offsets)
            FUZZ_CHECK(e->offsets[i].start <= e->offsets[i].end && e->offsets[i].end <= len,
                       "offset %zu (%u, %u) outside the text of %zu bytes", i, e->offsets[i].start,
                       e->offsets[i].end, len);
    }
}

/* Encode, decode and stream a little on a tokenizer a loader produced. */
static inline void fuzz_exercise(tok_tokenizer *t)
{
    static const char text[] = "Hello, world! 123 \xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9  \n\t<s> [CLS] ab " SP "a\xF0\x9F\x98\x80";
    tok_ctx *ctx = tok_ctx_new(t);
    if (!ctx) return;
    tok_encoding e;
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags |= TOK_ENC_LOSSY;
    if (tok_encode(ctx, text, sizeof text - 1, &o, &e) == TOK_OK) {
        fuzz_check_encoding(t, &e, sizeof text - 1);
        int32_t ids[256];
        size_t n = e.n < 256 ? e.n : 256;
        if (n) memcpy(ids, e.ids, n * sizeof *ids);
        const char *out;
        size_t ol;
        if (tok_decode(ctx, ids, n, 0, &out, &ol) == TOK_OK) fuzz_check_utf8(out, ol, "decode");
        tok_stream *s = tok_stream_new(t, 0);
        if (s) {
            for (size_t i = 0; i < n; i++)
                if (tok_stream_push(s, ids[i], &out, &ol) == TOK_OK) fuzz_check_utf8(out, ol, "stream");
            if (tok_stream_finish(s, &out, &ol) == TOK_OK) fuzz_check_utf8(out, ol, "stream finish");
            tok_stream_free(s);
        }
    }
    size_t vs = tok_vocab_size(t);
    for (int32_t id = 0; id < 64 && (size_t)id < vs; id++) {
        size_t l;
        tok_token_text(t, id, &l);
        tok_token_bytes(t, id, &l);
    }
    tok_ctx_free(ctx);
}

#endif
