/* Typed access to tokenizer.json trees; every error names the file and the JSON path. */
#include "json.h"

#include <stdio.h>

size_t tok_jpush(tok_jctx *jc, const char *key)
{
    size_t saved = jc->plen;
    int k = snprintf(jc->path + jc->plen, sizeof jc->path - jc->plen, "%s%s", jc->plen ? "." : "", key);
    if (k > 0) jc->plen += (size_t)k < sizeof jc->path - jc->plen ? (size_t)k : sizeof jc->path - jc->plen - 1;
    return saved;
}

size_t tok_jpush_index(tok_jctx *jc, size_t i)
{
    size_t saved = jc->plen;
    int k = snprintf(jc->path + jc->plen, sizeof jc->path - jc->plen, "[%zu]", i);
    if (k > 0) jc->plen += (size_t)k < sizeof jc->path - jc->plen ? (size_t)k : sizeof jc->path - jc->plen - 1;
    return saved;
}

void tok_jpop(tok_jctx *jc, size_t saved)
{
    jc->plen = saved;
    jc->path[saved] = 0;
}

tok_status tok_jfail(tok_jctx *jc, tok_status code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tok__fail(jc->err, code, "%s: at %s: %s", jc->file ? jc->file : "<memory>",
                     jc->plen ? jc->path : "(top level)", msg);
}

tok_status tok_jwrap(tok_jctx *jc)
{
    char msg[sizeof jc->err->message];
    snprintf(msg, sizeof msg, "%s", jc->err->message);
    return tok_jfail(jc, jc->err->code, "%s", msg);
}

tok_status tok_junsupported(tok_jctx *jc, const char *what, const char *value)
{
    return tok_jfail(jc, TOK_ERR_UNSUPPORTED, "unsupported %s \"%s\"", what, value ? value : "(null)");
}

static const char *jtype_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* Fetch obj[key]; 1 found (non-null), 0 absent, -1 error. */
static int jget(tok_jctx *jc, const json_t *obj, const char *key, json_t **v, bool required)
{
    if (!json_is_object(obj)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected an object, found %s", obj ? jtype_name(obj) : "nothing");
        return -1;
    }
    *v = json_object_get(obj, key);
    if (!*v || json_is_null(*v)) {
        if (required) {
            tok_jfail(jc, TOK_ERR_FORMAT, "missing required key \"%s\"", key);
            return -1;
        }
        return 0;
    }
    return 1;
}

static int jbad(tok_jctx *jc, const char *key, const char *want, const json_t *v)
{
    size_t s = tok_jpush(jc, key);
    tok_jfail(jc, TOK_ERR_FORMAT, "expected %s, found %s", want, jtype_name(v));
    tok_jpop(jc, s);
    return -1;
}

int tok_jstr(tok_jctx *jc, const json_t *obj, const char *key, const char **out, size_t *len, bool required)
{
    json_t *v;
    int r = jget(jc, obj, key, &v, required);
    if (r <= 0) return r;
    if (!json_is_string(v)) return jbad(jc, key, "a string", v);
    *out = json_string_value(v);
    if (len) *len = json_string_length(v);
    return 0;
}

int tok_jbool(tok_jctx *jc, const json_t *obj, const char *key, bool *out, bool required)
{
    json_t *v;
    int r = jget(jc, obj, key, &v, required);
    if (r <= 0) return r;
    if (!json_is_boolean(v)) return jbad(jc, key, "a boolean", v);
    *out = json_is_true(v);
    return 0;
}

int tok_jint(tok_jctx *jc, const json_t *obj, const char *key, int64_t *out, bool required)
{
    json_t *v;
    int r = jget(jc, obj, key, &v, required);
    if (r <= 0) return r;
    if (!json_is_integer(v)) return jbad(jc, key, "an integer", v);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int tok_jnum(tok_jctx *jc, const json_t *obj, const char *key, double *out, bool required)
{
    json_t *v;
    int r = jget(jc, obj, key, &v, required);
    if (r <= 0) return r;
    if (!json_is_number(v)) return jbad(jc, key, "a number", v);
    *out = json_number_value(v);
    return 0;
}

int tok_jarr(tok_jctx *jc, const json_t *obj, const char *key, json_t **out, bool required)
{
    json_t *v;
    int r = jget(jc, obj, key, &v, required);
    if (r <= 0) return r;
    if (!json_is_array(v)) return jbad(jc, key, "an array", v);
    *out = v;
    return 0;
}

int tok_jobj(tok_jctx *jc, const json_t *obj, const char *key, json_t **out, bool required)
{
    json_t *v;
    int r = jget(jc, obj, key, &v, required);
    if (r <= 0) return r;
    if (!json_is_object(v)) return jbad(jc, key, "an object", v);
    *out = v;
    return 0;
}

const char *tok_jtype(tok_jctx *jc, const json_t *obj)
{
    const char *t = NULL;
    if (tok_jstr(jc, obj, "type", &t, NULL, true)) return NULL;
    return t;
}

/* base64 digit of each ASCII byte (URL-safe - and _ too), -1: none; bytes >= 0x80 are none */
static const int8_t B64[128] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, 62, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
};

static inline int b64val(unsigned char c) { return c < 128 ? B64[c] : -1; }

int tok_base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
    *out = NULL; /* defined on failure too: callers free it unconditionally */
    *outlen = 0;
    uint8_t *o = malloc(n / 4 * 3 + 4);
    if (!o) return -1;
    if (tok_base64_decode_into(s, n, o, outlen)) {
        free(o);
        *outlen = 0;
        return -1;
    }
    *out = o;
    return 0;
}

int tok_base64_decode_into(const char *s, size_t n, uint8_t *o, size_t *outlen)
{
    size_t k = 0, i = 0;
    uint32_t acc = 0;
    int bits = 0;
    /* four plain characters make three bytes: the loop below only from
     * the first group holding padding, white space or a bad character */
    for (; i + 4 <= n; i += 4) {
        int a = b64val((unsigned char)s[i]), b = b64val((unsigned char)s[i + 1]),
            c = b64val((unsigned char)s[i + 2]), d = b64val((unsigned char)s[i + 3]);
        if ((a | b | c | d) < 0) break;
        uint32_t x = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        o[k++] = (uint8_t)(x >> 16);
        o[k++] = (uint8_t)(x >> 8);
        o[k++] = (uint8_t)x;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '=') break;
        if (c == '\n' || c == '\r' || c == ' ') continue;
        int v = b64val(c);
        if (v < 0) return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (uint8_t)(acc >> bits);
        }
    }
    *outlen = k;
    return 0;
}

char *tok_base64_encode(const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = malloc((n + 2) / 3 * 4 + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        o[k++] = tab[(v >> 18) & 63];
        o[k++] = tab[(v >> 12) & 63];
        o[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        o[k++] = i + 2 < n ? tab[v & 63] : '=';
    }
    o[k] = 0;
    return o;
}
