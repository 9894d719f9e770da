/* Byte sources: plain, gzip (zlib, concatenated members allowed) and zstd,
 * told apart by their first bytes.  A stream that ends inside a compressed
 * frame is an error, not a short file. */
#include "source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CAP (1u << 17)

struct src {
    int fd;
    src_kind kind;
    unsigned char *raw; /* input buffer (compressed kinds, and the sniffed head) */
    size_t rpos, rlen;
    bool eof;           /* fd exhausted */
    bool in_frame;      /* a compressed member/frame has started and not ended */
    uint64_t consumed;
    z_stream z;
    ZSTD_DStream *zs;
};

static long fill(src *s, char *msg, size_t cap)
{
    if (s->rpos < s->rlen || s->eof) return 0;
    for (;;) {
        ssize_t r = read(s->fd, s->raw, RAW_CAP);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(msg, cap, "read error: %s", strerror(errno));
            return -1;
        }
        s->rpos = 0;
        s->rlen = (size_t)r;
        s->consumed += (uint64_t)r;
        if (r == 0) s->eof = true;
        return 0;
    }
}

src *src_open(int fd)
{
    src *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->fd = fd;
    s->raw = calloc(1, RAW_CAP);
    if (!s->raw) {
        free(s);
        return NULL;
    }
    /* sniff: read until 4 bytes or the end */
    while (s->rlen < 4 && !s->eof) {
        ssize_t r = read(fd, s->raw + s->rlen, RAW_CAP - s->rlen);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            s->eof = true;
            break;
        }
        s->rlen += (size_t)r;
        s->consumed += (uint64_t)r;
    }
    const unsigned char *h = s->raw;
    if (s->rlen < 4) memset(s->raw + s->rlen, 0, 4 - s->rlen);
    if (s->rlen >= 2 && h[0] == 0x1f && h[1] == 0x8b) {
        s->kind = SRC_GZIP;
        if (inflateInit2(&s->z, 15 + 16) != Z_OK) goto fail;
    } else if (s->rlen >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd) {
        s->kind = SRC_ZSTD;
        if (!(s->zs = ZSTD_createDStream())) goto fail;
        ZSTD_initDStream(s->zs);
    } else s->kind = SRC_PLAIN;
    return s;
fail:
    free(s->raw);
    free(s);
    return NULL;
}

static long read_plain(src *s, unsigned char *buf, size_t cap, char *msg, size_t mcap)
{
    if (s->rpos < s->rlen) { /* the sniffed head, then read straight into buf */
        size_t n = s->rlen - s->rpos < cap ? s->rlen - s->rpos : cap;
        memcpy(buf, s->raw + s->rpos, n);
        s->rpos += n;
        return (long)n;
    }
    if (s->eof) return 0;
    for (;;) {
        ssize_t r = read(s->fd, buf, cap);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(msg, mcap, "read error: %s", strerror(errno));
            return -1;
        }
        if (r == 0) s->eof = true;
        s->consumed += (uint64_t)r;
        return (long)r;
    }
}

static long read_gzip(src *s, unsigned char *buf, size_t cap, char *msg, size_t mcap)
{
    uInt want = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
    s->z.next_out = buf;
    s->z.avail_out = want;
    for (;;) {
        if (fill(s, msg, mcap)) return -1;
        bool noin = s->rpos == s->rlen;
        if (noin && !s->in_frame) return 0;
        s->z.next_in = s->raw + s->rpos;
        s->z.avail_in = (uInt)(s->rlen - s->rpos);
        s->in_frame = true;
        int r = inflate(&s->z, Z_NO_FLUSH);
        s->rpos = s->rlen - s->z.avail_in;
        if (r == Z_STREAM_END) {
            s->in_frame = false;
            inflateReset(&s->z); /* a further member may follow */
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            snprintf(msg, mcap, "corrupt gzip data: %s", s->z.msg ? s->z.msg : "inflate failed");
            return -1;
        }
        if (s->z.avail_out != want) return (long)(want - s->z.avail_out);
        if (noin) {
            snprintf(msg, mcap, "truncated gzip stream (ends inside a member)");
            return -1;
        }
    }
}

static long read_zstd(src *s, unsigned char *buf, size_t cap, char *msg, size_t mcap)
{
    ZSTD_outBuffer out = { buf, cap, 0 };
    for (;;) {
        if (fill(s, msg, mcap)) return -1;
        bool noin = s->rpos == s->rlen;
        if (noin && !s->in_frame) return 0;
        ZSTD_inBuffer in = { s->raw, s->rlen, s->rpos };
        size_t r = ZSTD_decompressStream(s->zs, &out, &in);
        s->rpos = in.pos;
        if (ZSTD_isError(r)) {
            snprintf(msg, mcap, "corrupt zstd data: %s", ZSTD_getErrorName(r));
            return -1;
        }
        s->in_frame = r != 0;
        if (out.pos) return (long)out.pos;
        if (noin) {
            snprintf(msg, mcap, "truncated zstd stream (ends inside a frame)");
            return -1;
        }
    }
}

long src_read(src *s, void *buf, size_t cap, char *msg, size_t mcap)
{
    switch (s->kind) {
    case SRC_GZIP: return read_gzip(s, buf, cap, msg, mcap);
    case SRC_ZSTD: return read_zstd(s, buf, cap, msg, mcap);
    default: return read_plain(s, buf, cap, msg, mcap);
    }
}

src_kind src_type(const src *s) { return s->kind; }
uint64_t src_consumed(const src *s) { return s->consumed; }

void src_close(src *s)
{
    if (!s) return;
    if (s->kind == SRC_GZIP) inflateEnd(&s->z);
    if (s->zs) ZSTD_freeDStream(s->zs);
    if (s->fd > 0) close(s->fd);
    free(s->raw);
    free(s);
}
