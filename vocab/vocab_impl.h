/* Shared inside vocab/ only (not installed): error helper, the template's
 * JSON, UTF-8 stepping. */
#ifndef LIBTOK_VOCAB_IMPL_H
#define LIBTOK_VOCAB_IMPL_H

#include <libtok/tok.h>
#include <jansson.h>

/* Fill *err (may be NULL) and return code. */
tok_status vx_fail(tok_error *err, tok_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Any tokenizer (file or built-in name, any format) as its tokenizer.json
 * document (owned by the caller): loaded and written by the core, so every
 * format gives the same tree.  `label` starts error messages ("--like NAME",
 * or NAME).  NULL with *err filled. */
json_t *vx_tokenizer_doc(const char *name_or_path, const char *label, size_t json_flags, tok_error *err);

/* The template's tokenizer.json document (borrowed). */
const json_t *vx_template_json(const struct tok_template *tp);

/* Length of the UTF-8 character starting at s (1 for a stray byte). */
static inline size_t vx_u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Write code point cp as UTF-8 into buf (4 bytes room); returns the length. */
static inline size_t vx_u8put(char *buf, uint32_t cp)
{
    unsigned char *b = (unsigned char *)buf;
    if (cp < 0x80) { b[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { b[0] = (unsigned char)(0xC0 | cp >> 6); b[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12); b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | cp >> 18); b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)); b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Memory limit of a count table (0 = none). */
size_t vx_counts_limit(const struct tok_counts *c);

#endif
