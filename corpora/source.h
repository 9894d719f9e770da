/* Byte sources for the corpus reader: a file descriptor, decompressed on the
 * fly when it starts with the gzip or zstd magic.  Internal to corpora/. */
#ifndef TOK_CORPORA_SOURCE_H
#define TOK_CORPORA_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { SRC_PLAIN, SRC_GZIP, SRC_ZSTD } src_kind;

typedef struct src src;

/* Open fd (owned: closed by src_close).  NULL on out of memory. */
src *src_open(int fd);
/* Read up to cap bytes; returns the count, 0 at the end, -1 on error with
 * a message in msg (truncated stream, corrupt data, read error). */
long src_read(src *s, void *buf, size_t cap, char *msg, size_t msgcap);
src_kind src_type(const src *s);
uint64_t src_consumed(const src *s); /* raw bytes read from fd */
void src_close(src *s);

#endif
