/* libFuzzer harness for one loader through tok_load_memory with a forced
 * format (FUZZ_FORMAT; 0 = detection by content), then a little encoding
 * and decoding with what it loaded.  GPT-2: the input is vocab.json, a 0xFF
 * byte (never in UTF-8), then merges.txt. */
#include "fuzz.h"

#ifndef FUZZ_FORMAT
#  error "build with -DFUZZ_FORMAT=<tok_format>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = (tok_format)FUZZ_FORMAT;
    o.tiktoken_pattern = "cl100k"; /* the pattern is not in the file */
    size_t n = size;
    if (o.format == TOK_FORMAT_GPT2) {
        const uint8_t *sep = memchr(data, 0xFF, size);
        if (sep) {
            n = (size_t)(sep - data);
            o.merges_data = sep + 1;
            o.merges_len = size - n - 1;
        } else {
            o.merges_data = "";
            o.merges_len = 0;
        }
    }
    tok_error err = { 0 };
    tok_tokenizer *t = tok_load_memory(data, n, "fuzz", &o, &err);
    if (!t) {
        FUZZ_CHECK(err.code != TOK_OK && err.message[0], "failed load without an error message");
        return 0;
    }
    fuzz_exercise(t);
    tok_free(t);
    return 0;
}
