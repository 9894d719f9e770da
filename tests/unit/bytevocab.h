/* Test helper: the 256 byte tokens of a GPT-2 byte-level vocabulary (ids =
 * byte values) as tokenizer.json vocab entries, after `{"vocab":{`. */
#ifndef TOK_TEST_BYTEVOCAB_H
#define TOK_TEST_BYTEVOCAB_H

#include "libtok/internal.h"

/* The 256 byte-level characters at ids first .. first + 255. */
static inline void tu_put_byte_vocab_at(tok_sbuf *b, int first)
{
    for (int i = 0; i < 256; i++) {
        uint8_t u[4];
        int k = tok_utf8_encode(tok_bytelevel_char((uint8_t)i), u);
        tok_sbuf_printf(b, "%s\"", i ? "," : "");
        if (u[0] == '"' || u[0] == '\\') tok_sbuf_putc(b, '\\');
        tok_sbuf_put(b, u, (size_t)k);
        tok_sbuf_printf(b, "\":%d", first + i);
    }
}

static inline void tu_put_byte_vocab(tok_sbuf *b) { tu_put_byte_vocab_at(b, 0); }

#endif
