/* libFuzzer harness: encode text on the fixed tokenizers (first byte: which
 * tokenizer and which flags), check offsets and ids, decode back, and on the
 * byte-level BPE (lossless) require decode(encode(text)) == text. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int which = data[0] % FUZZ_NFIXED;
    uint8_t fl = data[0] / FUZZ_NFIXED;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (len > 1 << 14) len = 1 << 14;
    tok_tokenizer *t = fuzz_fixed(which);
    tok_ctx *ctx = tok_ctx_new(t);
    FUZZ_CHECK(ctx, "no context");
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = (fl & 1 ? TOK_ENC_ADD_SPECIAL : 0) | (fl & 2 ? TOK_ENC_OFFSETS : 0) | (fl & 4 ? TOK_ENC_LOSSY : 0) |
              (fl & 8 ? TOK_ENC_SPECIAL_TEXT : 0) | (fl & 16 ? TOK_ENC_NO_SPECIAL_TEXT : 0);
    bool valid = tok_utf8_check((const uint8_t *)text, len) == len;
    tok_encoding e;
    tok_status st = tok_encode(ctx, text, len, &o, &e);
    FUZZ_CHECK(st == TOK_OK || (st == TOK_ERR_UTF8 && !valid && !(o.flags & TOK_ENC_LOSSY)),
               "%s: encode failed: %s", fuzz_fixed_names[which], tok_ctx_error(ctx));
    if (st == TOK_OK) {
        fuzz_check_encoding(t, &e, len);
        size_t n = e.n;
        int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
        FUZZ_CHECK(ids, "out of memory");
        if (n) memcpy(ids, e.ids, n * sizeof *ids);
        const char *out;
        size_t ol;
        st = tok_decode(ctx, ids, n, fl & 32 ? TOK_DEC_SKIP_SPECIAL : 0, &out, &ol);
        FUZZ_CHECK(st == TOK_OK, "%s: decode of encode's ids failed: %s", fuzz_fixed_names[which], tok_ctx_error(ctx));
        fuzz_check_utf8(out, ol, "decode");
        if (which == 0 && valid && !(o.flags & TOK_ENC_SPECIAL_TEXT) && !memmem(text, len, "<|endoftext|>", 13))
            FUZZ_CHECK(ol == len && !memcmp(out, text, len), "byte-level BPE: decode(encode(x)) != x");
        /* ids alone (the direct loop, the lanes, a post-processor's wrap):
         * encode's ids, in a buffer of exactly that size */
        size_t cnt = 0;
        int32_t *only = malloc((n ? n : 1) * sizeof *only);
        FUZZ_CHECK(only, "out of memory");
        st = tok_encode_ids(ctx, text, len, &o, only, n, &cnt);
        FUZZ_CHECK(st == TOK_OK && cnt == n, "%s: encode_ids gives %zu ids, encode %zu", fuzz_fixed_names[which], cnt, n);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(only[i] == ids[i], "%s: encode_ids id %zu is %d, encode's %d", fuzz_fixed_names[which], i, only[i],
                       ids[i]);
        free(only);
        free(ids);
        /* the same text as a pair, cut in two */
        if (tok_encode_pair(ctx, text, len / 2, text + len / 2, len - len / 2, &o, &e) == TOK_OK)
            for (size_t i = 0; i < e.n; i++) FUZZ_CHECK(e.ids[i] >= 0, "negative id in a pair");
        const tok_pretoken *pt;
        size_t np;
        if (tok_pretokenize(ctx, text, len, 0, &pt, &np) == TOK_OK)
            for (size_t i = 0; i < np && i < 64; i++) tok_encode_pretoken(ctx, pt[i].text, pt[i].len, &o, &e);
    }
    tok_ctx_free(ctx);
    return 0;
}
