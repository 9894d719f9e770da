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
