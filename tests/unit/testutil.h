/* Helpers shared by the cmocka unit tests. */
#ifndef TOK_TESTUTIL_H
#define TOK_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "libtok/tok.h"

#include <stdlib.h>

/* A whole file, NUL-terminated, or NULL. */
static inline char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = (size_t)n;
    }
    return b;
}

/* Path of `rel` in the reference cache ($TOK_CACHE or ~/.cache/libtok). */
static inline const char *tu_cache_path(const char *rel, char *buf, size_t cap)
{
    const char *c = getenv("TOK_CACHE");
    if (c && *c) snprintf(buf, cap, "%s/%s", c, rel);
    else snprintf(buf, cap, "%s/.cache/libtok/%s", getenv("HOME") ? getenv("HOME") : ".", rel);
    return buf;
}

/* Load a tokenizer from a JSON string; fails the test on error. */
static inline tok_tokenizer *tu_load_json(const char *json)
{
    tok_error err = { 0 };
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_HF_JSON;
    tok_tokenizer *t = tok_load_memory(json, strlen(json), "test.json", &o, &err);
    if (!t) fail_msg("load failed: %s", err.message);
    return t;
}

/* Load must fail with `code` and a message containing `needle`. */
static inline void tu_load_fails(const char *json, tok_status code, const char *needle)
{
    tok_error err = { 0 };
    tok_load_options o;
    tok_load_options_init(&o);
    o.format = TOK_FORMAT_HF_JSON;
    tok_tokenizer *t = tok_load_memory(json, strlen(json), "bad.json", &o, &err);
    if (t) {
        tok_free(t);
        fail_msg("load of bad JSON succeeded");
    }
    assert_int_equal(err.code, code);
    if (needle && !strstr(err.message, needle)) fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

/* Encode and compare with expected ids (n of them). */
static inline void tu_expect_ids(tok_ctx *ctx, const char *text, uint32_t flags, const int32_t *want, size_t n)
{
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = flags;
    tok_encoding e;
    tok_status st = tok_encode(ctx, text, strlen(text), &o, &e);
    if (st) fail_msg("encode \"%s\": %s", text, tok_ctx_error(ctx));
    if (e.n != n) {
        char buf[512] = "";
        size_t k = 0;
        for (size_t i = 0; i < e.n && k < 480; i++) k += (size_t)snprintf(buf + k, sizeof buf - k, "%d ", e.ids[i]);
        fail_msg("encode \"%s\": %zu ids [%s], want %zu", text, e.n, buf, n);
    }
    for (size_t i = 0; i < n; i++)
        if (e.ids[i] != want[i]) fail_msg("encode \"%s\": id %zu is %d, want %d", text, i, e.ids[i], want[i]);
}

#define TU_IDS(...) ((const int32_t[]){ __VA_ARGS__ }), (sizeof((const int32_t[]){ __VA_ARGS__ }) / sizeof(int32_t))

#endif
