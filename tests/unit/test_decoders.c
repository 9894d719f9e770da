/* Decoders: token strings -> text, checked against the HF Node binding
 * (tokenizers 0.23.2).  Expected strings come from `Decoder.decode(tokens)`
 * on a tokenizer.json holding the decoder, and for the real files from
 * `await tok.decode(ids, false)` with the tokens `tok.idToToken(id)` gives. */
#include "tests/unit/testutil.h"

#include "libtok/internal.h"
#include "libtok/core/json.h"

typedef struct {
    const char *json;
    size_t n;
    const char *toks[24];
    const char *want;
} dcase;

static const dcase dcases[] = {
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     3, {"\xC4\xA0hello", "\xC4\xA0w", "orld"},
     " hello world"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     2, {"\xC3\x83", "\xC2\xA9"},
     "\xC3\xA9"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     1, {"\xC3\x83"},
     "\xEF\xBF\xBD"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     2, {"ab\xC3\xA9", "\xC4\xA0x"},
     "ab\xEF\xBF\xBD x"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     2, {"a\xE2\x82\xAC""b", "\xC4\xA0"},
     "a\xE2\x82\xAC""b "},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     0, {NULL},
     ""},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     1, {"\xC3\xB0\xC5\x81\xC4\xBA"},
     "\xEF\xBF\xBD"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     1, {"\xC3\xBF\xC3\xBE"},
     "\xEF\xBF\xBD\xEF\xBF\xBD"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     3, {"\xC3\xB0\xC5\x81\xC4\xBA", "\xC4\xA2", "\xC4\x8A"},
     "\xF0\x9F\x98\x80\n"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     3, {"\xC4\xA0", "\xC3\xB0\xC5\x81", "x"},
     " \xEF\xBF\xBDx"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     3, {"\xC3\xAD", "\xC5\x82", "\xC4\xA2"},
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    /* ByteLevel */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     2, {"Hello <|endoftext|>", "\xC4\xA0"},
     "Hello <|endoftext|> "},
    /* Replace String */
    {"{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"}",
     4, {"\xE2\x96\x81hello\xE2\x96\x81", "\xE2\x96\x81", "world", ""},
     " hello  world"},
    /* Replace String multi-char */
    {"{\"type\":\"Replace\",\"pattern\":{\"String\":\"aa\"},\"content\":\"b\"}",
     2, {"aaaaa", "xaay"},
     "bbaxby"},
    /* Replace String empty pattern */
    {"{\"type\":\"Replace\",\"pattern\":{\"String\":\"\"},\"content\":\"X\"}",
     3, {"abc", "", "\xC3\xA9"},
     "XaXbXcXX\xC3\xA9X"},
    /* Replace Regex empty matches */
    {"{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"a*\"},\"content\":\"X\"}",
     4, {"baa", "", "aab", "b"},
     "XbXXbXXbX"},
    /* Replace Regex whitespace */
    {"{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"content\":\"_\"}",
     2, {"a  b\xE3\x80\x80""c\xC2\xA0""d", " x "},
     "a_b_c_d_x_"},
    /* Replace Regex lookbehind */
    {"{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"(?<=a)b\"},\"content\":\"_\"}",
     2, {"abab", "bab"},
     "a_a_ba_"},
    /* Replace Regex line anchors */
    {"{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"^a|b$|c.d\"},\"content\":\"X\"}",
     3, {"a\na", "ba\nab\n", "c\nd cxd"},
     "X\nXba\nXX\nc\nd X"},
    /* Replace Regex Oniguruma \h (hex digit) */
    {"{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\h+\"},\"content\":\"#\"}",
     1, {"xyz0aF g\t9"},
     "xyz# g\t#"},
    /* ByteFallback */
    {"{\"type\":\"ByteFallback\"}",
     11, {"<0x+A>", "<0xe2>", "<0x82>", "<0xAC>", "a", "<0xE2>", "<0x82>", "b", "<0x41>", "<0x4>", "<0x\xC3\xA9>"},
     "\n\xE2\x82\xAC""a\xEF\xBF\xBD\xEF\xBF\xBD""bA<0x4><0x\xC3\xA9>"},
    /* ByteFallback */
    {"{\"type\":\"ByteFallback\"}",
     4, {"<0xF0>", "<0x9F>", "<0x98>", "<0x80>"},
     "\xF0\x9F\x98\x80"},
    /* ByteFallback */
    {"{\"type\":\"ByteFallback\"}",
     1, {"<0xFF>"},
     "\xEF\xBF\xBD"},
    /* ByteFallback */
    {"{\"type\":\"ByteFallback\"}",
     2, {"x", "<0x61>"},
     "xa"},
    /* ByteFallback */
    {"{\"type\":\"ByteFallback\"}",
     0, {NULL},
     ""},
    /* ByteFallback */
    {"{\"type\":\"ByteFallback\"}",
     4, {"<0x-1>", "<0x1G>", "<0X41>", "<0x41> "},
     "<0x-1><0x1G><0X41><0x41> "},
    /* Fuse */
    {"{\"type\":\"Fuse\"}",
     4, {"a", "b", "", "c"},
     "abc"},
    /* Fuse */
    {"{\"type\":\"Fuse\"}",
     0, {NULL},
     ""},
    /* Fuse */
    {"{\"type\":\"Fuse\"}",
     1, {"single"},
     "single"},
    /* Strip start 1 */
    {"{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}",
     3, {" a", "  b", "c "},
     "a bc "},
    /* Strip start 1 */
    {"{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}",
     1, {""},
     ""},
    /* Strip both */
    {"{\"type\":\"Strip\",\"content\":\"x\",\"start\":2,\"stop\":3}",
     4, {"xxxaxxxx", "ax", "xa", "xxaxx"},
     "xaxaaa"},
    /* Strip multibyte */
    {"{\"type\":\"Strip\",\"content\":\"\xE2\x96\x81\",\"start\":1,\"stop\":1}",
     2, {"\xE2\x96\x81\xE2\x96\x81hi\xE2\x96\x81\xE2\x96\x81", "hi\xE2\x96\x81"},
     "\xE2\x96\x81hi\xE2\x96\x81hi"},
    /* Metaspace always */
    {"{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"always\",\"split\":true}",
     2, {"\xE2\x96\x81""a\xE2\x96\x81""b", "\xE2\x96\x81""c"},
     "ab c"},
    /* Metaspace always */
    {"{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"always\",\"split\":true}",
     3, {"a", "\xE2\x96\x81", "\xE2\x96\x81""b"},
     "a  b"},
    /* Metaspace always */
    {"{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"always\",\"split\":true}",
     0, {NULL},
     ""},
    /* Metaspace first */
    {"{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"first\",\"split\":false}",
     2, {"\xE2\x96\x81""a\xE2\x96\x81""b", "\xE2\x96\x81""c"},
     "ab c"},
    /* Metaspace never */
    {"{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"never\",\"split\":true}",
     2, {"\xE2\x96\x81""a\xE2\x96\x81""b", "\xE2\x96\x81""c"},
     " a b c"},
    /* Metaspace legacy add_prefix_space */
    {"{\"type\":\"Metaspace\",\"replacement\":\"_\",\"add_prefix_space\":true}",
     3, {"_a_b", "_c", "x_"},
     "ab cx "},
    /* WordPiece */
    {"{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
     13, {"hello", "##ing", ",", "do", "not", "go", "n't", "!", "'", "s", "?", "##.", "'m"},
     "helloing, do not gon't! ' s?.'m"},
    /* WordPiece */
    {"{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
     2, {"##a", "b"},
     "##a b"},
    /* WordPiece */
    {"{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
     1, {" .x"},
     ".x"},
    /* WordPiece */
    {"{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
     5, {"i", "do not", "know", "'", "re"},
     "i don't know ' re"},
    /* WordPiece no cleanup */
    {"{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":false}",
     5, {"hello", "##ing", ",", "x", "##"},
     "helloing , x"},
    /* WordPiece empty prefix */
    {"{\"type\":\"WordPiece\",\"prefix\":\"\",\"cleanup\":true}",
     3, {"a", "b", " ?"},
     "ab?"},
    /* BPEDecoder */
    {"{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}",
     3, {"hel", "lo</w>", "wor</w>ld</w>"},
     "hello world"},
    /* BPEDecoder */
    {"{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}",
     0, {NULL},
     ""},
    /* BPEDecoder */
    {"{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}",
     1, {"x</w>"},
     "x"},
    /* BPEDecoder empty suffix */
    {"{\"type\":\"BPEDecoder\",\"suffix\":\"\"}",
     2, {"ab", "cd"},
     " a b cd"},
    /* CTC */
    {"{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}",
     16, {"<pad>", "h", "e", "e", "l", "l", "<pad>", "l", "o", "|", "|", "w", "<pad>", "o", " .", "|"},
     "hello wo. "},
    /* CTC */
    {"{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}",
     1, {"<pad>"},
     ""},
    /* CTC */
    {"{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}",
     0, {NULL},
     ""},
    /* CTC no cleanup */
    {"{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":false}",
     4, {"h", "h", "|", "a<pad>"},
     "h|a"},
    /* Sequence llama2 */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
     8, {"\xE2\x96\x81Hello", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "\xE2\x96\x81", "<0xE2>", "x"},
     "Hello\xF0\x9F\x98\x80 \xEF\xBF\xBDx"},
    /* Sequence llama2 */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
     0, {NULL},
     ""},
    /* Sequence llama2 */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
     1, {"\xE2\x96\x81\xE2\x96\x81""a"},
     " a"},
    /* Sequence ByteLevel+Strip */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":1}]}",
     2, {"\xC4\xA0hi", "\xC4\xA0"},
     "hi"},
    /* Sequence ByteLevel+Strip */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":1}]}",
     1, {"\xC4\xA0\xC4\xA0x"},
     " x"},
    /* Sequence nested */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Fuse\"}]},{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"o+\"},\"content\":\"0\"}]}",
     4, {"fo", "o", "bar", "oo"},
     "f0bar0"},
    /* llama2: "Hello world  😀 ünïcode\tx\n  y" -> ids [1,22557,1526,259,30575,4675,28711,28920,1409,12,28744,13,28705,337] */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
     14, {"<s>", "\xE2\x96\x81Hello", "\xE2\x96\x81world", "\xE2\x96\x81\xE2\x96\x81", "\xF0\x9F\x98\x80", "\xE2\x96\x81\xC3\xBC", "n", "\xC3\xAF", "code", "<0x09>", "x", "<0x0A>", "\xE2\x96\x81", "\xE2\x96\x81y"},
     "<s> Hello world  \xF0\x9F\x98\x80 \xC3\xBCn\xC3\xAF""code\tx\n  y"},
    /* llama2: "  lead" -> ids [1,259,1736] */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
     3, {"<s>", "\xE2\x96\x81\xE2\x96\x81", "\xE2\x96\x81lead"},
     "<s>   lead"},
    /* llama2: "😀" ids[1,3] -> ids [28705,30575] */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
     2, {"\xE2\x96\x81", "\xF0\x9F\x98\x80"},
     "\xF0\x9F\x98\x80"},
    /* llama2: "a😀" ids[2,4] -> ids [30575] */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
     1, {"\xF0\x9F\x98\x80"},
     "\xF0\x9F\x98\x80"},
    /* gemma3: " Hi  there 😀\n" -> ids [2,18428,138,13534,163543,107] */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}]}",
     6, {"<bos>", "\xE2\x96\x81Hi", "\xE2\x96\x81\xE2\x96\x81", "there", "\xE2\x96\x81\xF0\x9F\x98\x80", "\n"},
     "<bos> Hi  there \xF0\x9F\x98\x80\n"},
    /* gemma3: "x  \t\t yé" -> ids [2,236781,138,255969,570,236859] */
    {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}]}",
     6, {"<bos>", "x", "\xE2\x96\x81\xE2\x96\x81", "\t\t", "\xE2\x96\x81y", "\xC3\xA9"},
     "<bos>x  \t\t y\xC3\xA9"},
    /* llama3: "Hello, wörld! 😀" -> ids [9906,11,289,9603,509,0,91416] */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     7, {"Hello", ",", "\xC4\xA0w", "\xC3\x83\xC2\xB6r", "ld", "!", "\xC4\xA0\xC3\xB0\xC5\x81\xC4\xBA\xC4\xA2"},
     "Hello, w\xC3\xB6rld! \xF0\x9F\x98\x80"},
    /* llama3: "Hello, wörld! 😀" ids[5,7] -> ids [0,91416] */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     2, {"!", "\xC4\xA0\xC3\xB0\xC5\x81\xC4\xBA\xC4\xA2"},
     "! \xF0\x9F\x98\x80"},
    /* llama3: "日本語のテキスト" ids[0,2] -> ids [102433,102158] */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     2, {"\xC3\xA6\xC4\xB9\xC2\xA5\xC3\xA6\xC4\xBE\xC2\xAC", "\xC3\xA8\xC2\xAA\xC5\x80"},
     "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"},
    /* gpt4o: " a  b\t😀" -> ids [261,220,287,197,84083] */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     5, {"\xC4\xA0""a", "\xC4\xA0", "\xC4\xA0""b", "\xC4\x89", "\xC3\xB0\xC5\x81\xC4\xBA\xC4\xA2"},
     " a  b\t\xF0\x9F\x98\x80"},
    /* gpt4o: "naïve café ∑" ids[1,3] -> ids [9954,737] */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}",
     2, {"\xC3\x83\xC2\xAF", "ve"},
     "\xC3\xAFve"},
};

/* A context with nothing but the arena and the string list (decoders need no tokenizer). */
static tok_ctx *ctx_new(void) { return calloc(1, sizeof(tok_ctx)); }

static void ctx_free(tok_ctx *c)
{
    tok_arena_free(&c->arena);
    tok_vec_free(&c->strs);
    free(c);
}

static tok_decoder *load(const char *json, tok_error *err)
{
    json_error_t je;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &je);
    if (!j) fail_msg("bad test JSON: %s", je.text);
    tok_jctx jc = {.file = "test.json", .err = err};
    tok_jpush(&jc, "decoder");
    tok_decoder *d = tok_decoder_from_json(&jc, j);
    json_decref(j);
    return d;
}

/* Run d on the tokens and join the result, as HF Decoder::decode does. */
static char *decode(const tok_decoder *d, tok_ctx *c, const char *const *toks, size_t n, size_t *len)
{
    tok_arena_reset(&c->arena);
    c->strs.n = 0;
    for (size_t i = 0; i < n; i++) {
        tok_str s = {toks[i], strlen(toks[i])};
        assert_int_equal(tok_vec_push(&c->strs, s), 0);
    }
    tok_dec_begin(c);
    tok_status st = d->vt->run(d, &c->strs, c);
    if (st) fail_msg("decoder failed: %s", c->err);
    size_t total = 0;
    for (size_t i = 0; i < c->strs.n; i++) total += c->strs.v[i].n;
    char *out = malloc(total + 1), *p = out;
    for (size_t i = 0; i < c->strs.n; i++) {
        memcpy(p, c->strs.v[i].s, c->strs.v[i].n);
        p += c->strs.v[i].n;
    }
    *p = 0;
    *len = total;
    return out;
}

static void check_case(const dcase *k, const tok_decoder *d, tok_ctx *c, size_t idx, const char *what)
{
    size_t len;
    char *got = decode(d, c, k->toks, k->n, &len);
    if (len != strlen(k->want) || memcmp(got, k->want, len))
        fail_msg("case %zu (%s) %s: got \"%s\", want \"%s\"", idx, k->json, what, got, k->want);
    free(got);
}

static void test_reference_cases(void **state)
{
    (void)state;
    tok_ctx *c = ctx_new();
    for (size_t i = 0; i < sizeof dcases / sizeof dcases[0]; i++) {
        tok_error err = {0};
        tok_decoder *d = load(dcases[i].json, &err);
        if (!d) fail_msg("case %zu: load failed: %s", i, err.message);
        check_case(&dcases[i], d, c, i, "");

        /* to_json gives a decoder that decodes the same */
        json_t *j = d->vt->to_json(d);
        char *dump = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        tok_decoder *d2 = load(dump, &err);
        if (!d2) fail_msg("case %zu: reload of %s failed: %s", i, dump, err.message);
        check_case(&dcases[i], d2, c, i, "after to_json");
        free(dump);
        tok_decoder_free(d2);
        tok_decoder_free(d);
    }
    ctx_free(c);
}

/* to_json writes what HF's Tokenizer.save() writes for the same decoder. */
static void test_to_json_matches_hf(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true}",
         "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}"},
        {"{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"}",
         "{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"}"},
        {"{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"a+\"},\"content\":\" \"}",
         "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"a+\"},\"content\":\" \"}"},
        {"{\"type\":\"ByteFallback\"}", "{\"type\":\"ByteFallback\"}"},
        {"{\"type\":\"Fuse\"}", "{\"type\":\"Fuse\"}"},
        {"{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}",
         "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}"},
        {"{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"add_prefix_space\":true}",
         "{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"always\",\"split\":true}"},
        {"{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
         "{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}"},
        {"{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}", "{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}"},
        {"{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}",
         "{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}"},
        {"{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Fuse\"}]}",
         "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Fuse\"}]}"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        tok_error err = {0};
        tok_decoder *d = load(pairs[i][0], &err);
        if (!d) fail_msg("%s: %s", pairs[i][0], err.message);
        json_t *j = d->vt->to_json(d);
        char *dump = json_dumps(j, JSON_COMPACT);
        assert_string_equal(dump, pairs[i][1]);
        assert_string_equal(d->vt->type, json_string_value(json_object_get(j, "type")));
        free(dump);
        json_decref(j);
        tok_decoder_free(d);
    }
}

/* Where HF panics (Strip cutting past a token, or both cuts crossing),
 * libtok gives an empty token. */
static void test_strip_panics_become_empty(void **state)
{
    (void)state;
    tok_ctx *c = ctx_new();
    tok_error err = {0};
    tok_decoder *d = load("{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":1}", &err);
    assert_non_null(d);
    const char *toks[] = {" ", "", "  ", "a"};
    size_t len;
    char *got = decode(d, c, toks, 4, &len);
    assert_string_equal(got, "a");
    free(got);
    tok_decoder_free(d);
    ctx_free(c);
}

/* Missing optional keys take HF's defaults (HF itself requires most of them). */
static void test_defaults(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"{\"type\":\"WordPiece\"}", "a;##b;c", "ab c"},
        {"{\"type\":\"BPEDecoder\"}", "a</w>;b</w>", "a b"},
        {"{\"type\":\"CTC\"}", "a;a;<pad>;\xE2\x96\x81;|;|;b", "a\xE2\x96\x81 b"},
        {"{\"type\":\"ByteLevel\"}", "\xC4\xA0x", " x"},
        {"{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\"}", "\xE2\x96\x81x;\xE2\x96\x81y", "x y"},
        {"{\"type\":\"Strip\",\"content\":\"x\"}", "xax", "xax"},
    };
    tok_ctx *c = ctx_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tok_error err = {0};
        tok_decoder *d = load(cases[i][0], &err);
        if (!d) fail_msg("%s: %s", cases[i][0], err.message);
        const char *toks[16];
        char buf[128];
        size_t n = 0;
        strcpy(buf, cases[i][1]);
        for (char *s = strtok(buf, ";"); s; s = strtok(NULL, ";")) toks[n++] = s;
        size_t len;
        char *got = decode(d, c, toks, n, &len);
        if (strcmp(got, cases[i][2])) fail_msg("%s: got \"%s\", want \"%s\"", cases[i][0], got, cases[i][2]);
        free(got);
        tok_decoder_free(d);
    }
    ctx_free(c);
}

static void expect_error(const char *json, tok_status code, const char *needle)
{
    tok_error err = {0};
    tok_decoder *d = load(json, &err);
    if (d) {
        tok_decoder_free(d);
        fail_msg("loading %s succeeded", json);
    }
    if (err.code != code) fail_msg("%s: code %d (%s), want %d", json, err.code, err.message, code);
    if (!strstr(err.message, needle)) fail_msg("%s: message \"%s\" lacks \"%s\"", json, err.message, needle);
    if (strncmp(err.message, "test.json: at decoder", 21)) fail_msg("%s: message \"%s\" lacks file/path", json, err.message);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("{\"type\":\"Nope\"}", TOK_ERR_UNSUPPORTED, "at decoder.type: unsupported decoder type \"Nope\"");
    expect_error("{}", TOK_ERR_FORMAT, "missing required key \"type\"");
    expect_error("{\"type\":3}", TOK_ERR_FORMAT, "at decoder.type: expected a string");
    expect_error("[1]", TOK_ERR_FORMAT, "at decoder: expected an object");
    expect_error("{\"type\":\"ByteLevel\",\"trim_offsets\":1}", TOK_ERR_FORMAT, "at decoder.trim_offsets: expected a boolean");
    expect_error("{\"type\":\"Replace\",\"pattern\":{\"Glob\":\"*\"},\"content\":\"\"}", TOK_ERR_UNSUPPORTED,
                 "at decoder.pattern: unsupported pattern kind");
    expect_error("{\"type\":\"Replace\",\"pattern\":\"x\",\"content\":\"\"}", TOK_ERR_FORMAT,
                 "at decoder.pattern: expected an object");
    expect_error("{\"type\":\"Replace\",\"pattern\":{\"String\":\"x\"},\"content\":5}", TOK_ERR_FORMAT,
                 "at decoder.content: expected a string");
    expect_error("{\"type\":\"Replace\",\"pattern\":{\"String\":\"x\"}}", TOK_ERR_FORMAT, "missing required key \"content\"");
    expect_error("{\"type\":\"Replace\",\"pattern\":{\"String\":7},\"content\":\"\"}", TOK_ERR_FORMAT,
                 "at decoder.pattern.String: expected a string");
    expect_error("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"(a\"},\"content\":\"\"}", TOK_ERR_UNSUPPORTED,
                 "at decoder.pattern.Regex: regex \"(a\" does not compile");
    expect_error("{\"type\":\"Strip\",\"content\":\"ab\",\"start\":1,\"stop\":0}", TOK_ERR_FORMAT,
                 "at decoder.content: expected a single character");
    expect_error("{\"type\":\"Strip\",\"content\":\"\",\"start\":1,\"stop\":0}", TOK_ERR_FORMAT,
                 "at decoder.content: expected a single character");
    expect_error("{\"type\":\"Strip\",\"content\":\" \",\"start\":-1,\"stop\":0}", TOK_ERR_FORMAT, "at decoder.start:");
    expect_error("{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":\"2\"}", TOK_ERR_FORMAT,
                 "at decoder.stop: expected an integer");
    expect_error("{\"type\":\"Strip\",\"start\":1,\"stop\":0}", TOK_ERR_FORMAT, "missing required key \"content\"");
    expect_error("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"prepend_scheme\":\"sometimes\"}", TOK_ERR_UNSUPPORTED,
                 "at decoder.prepend_scheme: unsupported prepend_scheme");
    expect_error("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"add_prefix_space\":false}", TOK_ERR_FORMAT,
                 "at decoder.add_prefix_space: add_prefix_space does not match declared prepend_scheme");
    expect_error("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"split\":\"no\"}", TOK_ERR_FORMAT,
                 "at decoder.split: expected a boolean");
    expect_error("{\"type\":\"Metaspace\"}", TOK_ERR_FORMAT, "missing required key \"replacement\"");
    expect_error("{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":\"yes\"}", TOK_ERR_FORMAT,
                 "at decoder.cleanup: expected a boolean");
    expect_error("{\"type\":\"BPEDecoder\",\"suffix\":[]}", TOK_ERR_FORMAT, "at decoder.suffix: expected a string");
    expect_error("{\"type\":\"CTC\",\"pad_token\":1}", TOK_ERR_FORMAT, "at decoder.pad_token: expected a string");
    expect_error("{\"type\":\"Sequence\"}", TOK_ERR_FORMAT, "missing required key \"decoders\"");
    expect_error("{\"type\":\"Sequence\",\"decoders\":{}}", TOK_ERR_FORMAT, "at decoder.decoders: expected an array");
    expect_error("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Fuse\"},{\"type\":\"Bogus\"}]}", TOK_ERR_UNSUPPORTED,
                 "at decoder.decoders[1].type: unsupported decoder type \"Bogus\"");
    expect_error("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Sequence\",\"decoders\":[\"Fuse\"]}]}", TOK_ERR_FORMAT,
                 "at decoder.decoders[0].decoders[0]: expected an object");
}

/* Decoding runs in the context arena: a warm context does not grow. */
static void test_long_input(void **state)
{
    (void)state;
    tok_ctx *c = ctx_new();
    tok_error err = {0};
    tok_decoder *d = load("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\s\"},"
                          "\"content\":\"_\"},{\"type\":\"ByteLevel\"},{\"type\":\"Strip\",\"content\":\"_\",\"start\":3,\"stop\":3}]}",
                          &err);
    if (!d) fail_msg("%s", err.message);
    enum { N = 20000 };
    const char **toks = malloc(N * sizeof *toks);
    for (size_t i = 0; i < N; i++) toks[i] = i % 3 == 0 ? "\xC4\xA0" : i % 3 == 1 ? "a b" : "\xC3\x83";
    size_t len;
    char *got = decode(d, c, toks, N, &len);
    /* "Ġ" is in the alphabet -> ' '; "a b" becomes "a_b" (its own bytes); "Ã" alone is byte 0xC3,
     * which joins with the next ' ' -> invalid -> U+FFFD. */
    assert_true(len > 0);
    assert_int_equal(got[0], ' ');
    assert_memory_equal(got, " a_b\xEF\xBF\xBD a_b", 10);
    free(got);
    free(toks);
    tok_decoder_free(d);
    ctx_free(c);
}

/* ---- End to end through tok_load_memory/tok_decode (expected values from
 * `await tok.decode(ids, skipSpecialTokens)` in the HF Node binding). ---- */

static const char bert_json[] = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":12,\"content\":\"[MASK]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":true},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],\"cls\":[\"[CLS]\",2]},\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100,\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"hello\":4,\"world\":5,\"##s\":6,\"how\":7,\"are\":8,\"you\":9,\"?\":10,\",\":11,\"[MASK]\":12,\"!\":13}}}";
static const char roberta_json[] = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":0,\"content\":\"<s>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,\"special\":true},{\"id\":2,\"content\":\"</s>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,\"special\":true}],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},\"post_processor\":{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true},\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"<unk>\",\"vocab\":{\"<s>\":0,\"<unk>\":1,\"</s>\":2,\"\xC4\xA0hello\":3,\"\xC4\xA0world\":4,\"\xC4\xA0\":5,\"\xC4\xA0\xC4\xA0\":6,\"\xC4\xA0how\":7,\"\xC4\xA0\xC4\xA0\xC4\xA0\":8,\"\xC4\xA0\xC3\xA9\":9,\"!\":10}}}";

typedef struct { size_t n; int32_t ids[16]; bool skip; const char *want; } idcase;

static const idcase bert_ids[] = {
    {12, {2, 4, 11, 5, 6, 13, 3, 7, 8, 9, 10, 3}, true, "[CLS] hello, worlds! [SEP] how are you? [SEP]"},
    {12, {2, 4, 11, 5, 6, 13, 3, 7, 8, 9, 10, 3}, false, "[CLS] hello, worlds! [SEP] how are you? [SEP]"},
    {5, {4, 12, 1, 9, 10}, true, "hello [UNK] you?"},
    {5, {4, 12, 1, 9, 10}, false, "hello [MASK] [UNK] you?"},
};
static const idcase roberta_ids[] = {
    {8, {0, 3, 6, 4, 2, 2, 7, 2}, false, "<s> hello   world</s></s> how</s>"},
    {8, {0, 3, 6, 4, 2, 2, 7, 2}, true, " hello   world how"},
    {3, {9, 5, 3}, false, " \xEF\xBF\xBD  hello"},
};

static void run_decode(const char *json, const idcase *cases, size_t n)
{
    tok_tokenizer *t = tu_load_json(json);
    tok_ctx *c = tok_ctx_new(t);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        tok_status st = tok_decode(c, cases[i].ids, cases[i].n, cases[i].skip ? TOK_DEC_SKIP_SPECIAL : 0, &s, &len);
        if (st) fail_msg("decode %zu: %s", i, tok_ctx_error(c));
        if (len != strlen(cases[i].want) || memcmp(s, cases[i].want, len))
            fail_msg("decode %zu: got \"%s\", want \"%s\"", i, s, cases[i].want);
    }
    tok_ctx_free(c);
    tok_free(t);
}

static void test_e2e_decode(void **state)
{
    (void)state;
    run_decode(bert_json, bert_ids, sizeof bert_ids / sizeof bert_ids[0]);
    run_decode(roberta_json, roberta_ids, sizeof roberta_ids / sizeof roberta_ids[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_cases),
        cmocka_unit_test(test_to_json_matches_hf),
        cmocka_unit_test(test_strip_panics_become_empty),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_e2e_decode),
    };
    return cmocka_run_group_tests_name("decoders", tests, NULL, NULL);
}
