/*
 * Priors files, read side (the engine loads them without a tokenizer).
 * Layout, little-endian (written by tok_saliency_save):
 *   0   "TOKPRIOR"               magic
 *   8   u32 version = 1
 *   12  u32 record size = 12
 *   16  u64 V (ids)
 *   24  char[32] fingerprint (hex, tok_saliency_fingerprint)
 *   56  u32 S (separator ids)
 *   60  u32 0
 *   64  V records: u32 flags, u16 byte length, u16 character length,
 *       f32 under-training percentile (NaN: unknown)
 *       S x i32 separator ids, ascending
 *   end u64 XXH64 (seed 0) of everything before it
 */
#include "tok_keep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define MAX_PRIORS_FILE ((size_t)1 << 30)

struct tok_keep_priors {
    size_t V, S;
    uint32_t *flags;
    int32_t *seps;
    char fp[33];
};

static uint32_t rd32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static tok_keep_priors *pfail(tok_error *err, tok_status st, const char *path, const char *what, long long at)
{
    if (err) {
        err->code = st;
        if (at >= 0) snprintf(err->message, sizeof err->message, "%.300s: byte %lld: %s", path, at, what);
        else snprintf(err->message, sizeof err->message, "%.300s: %s", path, what);
    }
    return NULL;
}

tok_keep_priors *tok_keep_priors_load(const char *path, const char *fingerprint, tok_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return pfail(err, TOK_ERR_IO, path, strerror(errno), -1);
    if (fseek(f, 0, SEEK_END)) { fclose(f); return pfail(err, TOK_ERR_IO, path, "cannot seek", -1); }
    long sz = ftell(f);
    rewind(f);
    if (sz < 72) { fclose(f); return pfail(err, TOK_ERR_FORMAT, path, "too short for a priors file (72-byte minimum)", sz < 0 ? 0 : sz); }
    if ((size_t)sz > MAX_PRIORS_FILE) { fclose(f); return pfail(err, TOK_ERR_LIMIT, path, "larger than 1 GiB", -1); }
    unsigned char *b = malloc((size_t)sz);
    if (!b) { fclose(f); return pfail(err, TOK_ERR_NOMEM, path, "out of memory", -1); }
    size_t got = fread(b, 1, (size_t)sz, f);
    fclose(f);
    tok_keep_priors *p = NULL;
    if (got != (size_t)sz) { pfail(err, TOK_ERR_IO, path, "short read", (long long)got); goto out; }
    if (memcmp(b, "TOKPRIOR", 8)) { pfail(err, TOK_ERR_FORMAT, path, "not a libtok priors file (magic TOKPRIOR)", 0); goto out; }
    if (rd32(b + 8) != 1) { pfail(err, TOK_ERR_UNSUPPORTED, path, "unsupported priors version (this libtok reads 1)", 8); goto out; }
    if (rd32(b + 12) != 12) { pfail(err, TOK_ERR_FORMAT, path, "record size is not 12", 12); goto out; }
    uint64_t V = rd64(b + 16), S = rd32(b + 56);
    size_t body = (size_t)sz - 72;
    if (V > body / 12 || S > (body - (size_t)V * 12) / 4 || 64 + V * 12 + S * 4 + 8 != (uint64_t)sz) {
        pfail(err, TOK_ERR_FORMAT, path, "id and separator counts do not match the file size", 16);
        goto out;
    }
    if (XXH64(b, (size_t)sz - 8, 0) != rd64(b + sz - 8)) { pfail(err, TOK_ERR_FORMAT, path, "checksum mismatch (file damaged)", sz - 8); goto out; }
    for (int i = 0; i < 32; i++) {
        char c = (char)b[24 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) { pfail(err, TOK_ERR_FORMAT, path, "fingerprint is not 32 hex digits", 24 + i); goto out; }
    }
    if (fingerprint && (strlen(fingerprint) != 32 || memcmp(fingerprint, b + 24, 32))) {
        char msg[160];
        snprintf(msg, sizeof msg, "made for another vocabulary (fingerprint %.32s, this tokenizer %.32s)", (const char *)b + 24, fingerprint);
        pfail(err, TOK_ERR_FORMAT, path, msg, 24);
        goto out;
    }
    p = calloc(1, sizeof *p);
    if (!p || !(p->flags = malloc((V ? V : 1) * sizeof *p->flags)) || !(p->seps = malloc((S ? S : 1) * sizeof *p->seps))) {
        tok_keep_priors_free(p);
        p = NULL;
        pfail(err, TOK_ERR_NOMEM, path, "out of memory", -1);
        goto out;
    }
    p->V = V;
    p->S = S;
    memcpy(p->fp, b + 24, 32);
    p->fp[32] = 0;
    for (size_t i = 0; i < V; i++) p->flags[i] = rd32(b + 64 + i * 12);
    for (size_t i = 0; i < S; i++) {
        int32_t id = (int32_t)rd32(b + 64 + V * 12 + i * 4);
        if (id < 0 || (uint64_t)id >= V || (i && id <= p->seps[i - 1])) {
            pfail(err, TOK_ERR_FORMAT, path, "separator ids out of range or not ascending", (long long)(64 + V * 12 + i * 4));
            tok_keep_priors_free(p);
            p = NULL;
            goto out;
        }
        p->seps[i] = id;
    }
out:
    free(b);
    return p;
}

void tok_keep_priors_free(tok_keep_priors *p)
{
    if (!p) return;
    free(p->flags);
    free(p->seps);
    free(p);
}

size_t tok_keep_priors_vocab_size(const tok_keep_priors *p) { return p->V; }
const char *tok_keep_priors_fingerprint(const tok_keep_priors *p) { return p->fp; }
uint32_t tok_keep_priors_flags(const tok_keep_priors *p, int32_t id) { return id >= 0 && (size_t)id < p->V ? p->flags[id] : 0; }
size_t tok_keep_priors_separators(const tok_keep_priors *p, const int32_t **ids)
{
    *ids = p->seps;
    return p->S;
}
