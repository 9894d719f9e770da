/* libFuzzer harness: decode arbitrary id sequences (in range or not) on the
 * fixed tokenizers, at once and as a stream: never a crash, and UTF-8 out.
 * First byte: tokenizer and flags; then little-endian 16-bit ids, offset so
 * that a few are negative and a few past the vocabulary. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int which = data[0] % FUZZ_NFIXED;
    uint32_t flags = data[0] / FUZZ_NFIXED & 1 ? TOK_DEC_SKIP_SPECIAL : 0;
    tok_tokenizer *t = fuzz_fixed(which);
    size_t n = (size - 1) / 2;
    if (n > 4096) n = 4096;
    int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    FUZZ_CHECK(ids, "out of memory");
    int32_t vs = (int32_t)tok_vocab_size(t);
    for (size_t i = 0; i < n; i++) {
        uint16_t x = (uint16_t)(data[1 + 2 * i] | data[2 + 2 * i] << 8);
        ids[i] = (int32_t)(x % (uint32_t)(vs + 8)) - 4;
    }
    tok_ctx *ctx = tok_ctx_new(t);
    FUZZ_CHECK(ctx, "no context");
    const char *out;
    size_t ol;
    bool in_range = true;
    for (size_t i = 0; i < n; i++) in_range &= ids[i] >= 0 && ids[i] < vs;
    tok_status st = tok_decode(ctx, ids, n, flags, &out, &ol);
    if (st == TOK_OK) fuzz_check_utf8(out, ol, "decode");
    FUZZ_CHECK(st == TOK_OK || !in_range, "%s: decode of ids in range failed: %s", fuzz_fixed_names[which],
               tok_ctx_error(ctx));
    tok_stream *s = tok_stream_new(t, flags);
    FUZZ_CHECK(s, "no stream");
    for (size_t i = 0; i < n; i++) {
        st = tok_stream_push(s, ids[i], &out, &ol);
        if (st == TOK_OK) fuzz_check_utf8(out, ol, "stream");
        else FUZZ_CHECK(ids[i] < 0 || ids[i] >= vs, "%s: stream push of id %d failed: %s", fuzz_fixed_names[which],
                        ids[i], tok_stream_error(s));
    }
    if (tok_stream_finish(s, &out, &ol) == TOK_OK) fuzz_check_utf8(out, ol, "stream finish");
    tok_stream_free(s);
    tok_ctx_free(ctx);
    free(ids);
    return 0;
}
