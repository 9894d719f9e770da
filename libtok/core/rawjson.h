/*
 * A direct reader for the two huge members of a BPE tokenizer.json
 * (model.vocab and model.merges: hundreds of thousands of entries), so that
 * loading does not build a JSON tree for them.  The rest of the document is
 * small and goes through jansson as usual.
 */
#ifndef LIBTOK_LOADERS_RAWJSON_H
#define LIBTOK_LOADERS_RAWJSON_H

#include "json.h"

typedef struct tok_span_text { size_t start, end; } tok_span_text;

/** Find model.vocab (an object) and model.merges (an array) in doc.  On
 *  success returns 1 and the spans of both values; 0 when the document does
 *  not have that shape (then the caller parses it the ordinary way). */
int tok_rawjson_bpe_spans(const char *doc, size_t len, tok_span_text *vocab, tok_span_text *merges);

/** Read one JSON string at doc[*pos] (which must be '"') into out (cleared
 *  first), unescaping; advances *pos past it.  -1 on malformed input. */
int tok_rawjson_string(const char *doc, size_t len, size_t *pos, tok_sbuf *out);
/** How many bytes of s[0..n) are ch (fast: sizes tables before a read). */
size_t tok_rawjson_count(const char *s, size_t n, char ch);
/** Skip white space. */
size_t tok_rawjson_ws(const char *doc, size_t len, size_t pos);
/** Line and column (both from 1, the column in characters) of a byte offset. */
void tok_rawjson_where(const char *doc, size_t pos, size_t *line, size_t *col);
/** "line:column" of a byte offset, for messages. */
void tok_rawjson_linecol(const char *doc, size_t pos, char *buf, size_t cap);

#endif
