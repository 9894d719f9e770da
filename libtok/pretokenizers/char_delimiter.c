/* CharDelimiterSplit: split on one character, dropping it. */
#include "pretok.h"

typedef struct delim {
    tok_pretok base;
    uint32_t cp;
    uint8_t utf8[4];
    uint32_t len;
} delim;

static bool is_delim(uint32_t cp, const void *arg) { return cp == *(const uint32_t *)arg; }

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(scratch);
    const delim *d = self;
    return tok_pt_split_pred(p, is_delim, &d->cp, false, TOK_SPLIT_REMOVED, out) ? tok_pt_nomem(ctx) : TOK_OK;
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static json_t *to_json(const tok_pretok *self)
{
    const delim *d = (const delim *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("CharDelimiterSplit"));
    json_object_set_new(j, "delimiter", json_stringn((const char *)d->utf8, d->len));
    return j;
}

static const tok_pretok_vt vt = { "CharDelimiterSplit", run, tok_pt_free_plain, to_json };

tok_pretok *tok_pt_char_delimiter_from_json(tok_jctx *jc, const json_t *j)
{
    const char *s = NULL;
    size_t n = 0;
    if (tok_jstr(jc, j, "delimiter", &s, &n, true)) return NULL;
    if (n == 0 || n != (size_t)tok_utf8_seqlen((uint8_t)s[0]) || tok_utf8_check((const uint8_t *)s, n) != n) {
        size_t sv = tok_jpush(jc, "delimiter");
        tok_jfail(jc, TOK_ERR_FORMAT, "expected a single character, found \"%s\"", s);
        tok_jpop(jc, sv);
        return NULL;
    }
    delim *d = tok_pt_new(jc, sizeof *d, &vt);
    if (!d) return NULL;
    memcpy(d->utf8, s, n);
    d->len = (uint32_t)n;
    uint32_t l;
    d->cp = tok_pt_decode(d->utf8, &l);
    return &d->base;
}
