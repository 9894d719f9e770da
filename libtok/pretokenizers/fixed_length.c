/* FixedLength: cut each piece into chunks of `length` characters (default 5). */
#include "pretok.h"

typedef struct fixed {
    tok_pretok base;
    uint32_t length;
} fixed;

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(scratch);
    const fixed *f = self;
    uint32_t start = 0, chars = 0;
    for (uint32_t i = 0; i < p->n;) {
        uint32_t l;
        tok_pt_decode(p->s + i, &l);
        i += l;
        if (++chars == f->length) {
            if (tok_pt_emit(out, p, start, i)) return tok_pt_nomem(ctx);
            start = i;
            chars = 0;
        }
    }
    if (tok_pt_emit(out, p, start, p->n)) return tok_pt_nomem(ctx);
    return TOK_OK;
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static json_t *to_json(const tok_pretok *self)
{
    const fixed *f = (const fixed *)self;
    return json_pack("{s:s, s:I}", "type", "FixedLength", "length", (json_int_t)f->length);
}

static const tok_pretok_vt vt = { "FixedLength", run, tok_pt_free_plain, to_json };

tok_pretok *tok_pt_fixed_length_from_json(tok_jctx *jc, const json_t *j)
{
    int64_t len = 5;
    if (tok_jint(jc, j, "length", &len, false)) return NULL;
    if (len <= 0 || len > (int64_t)UINT32_MAX) {
        /* HF panics on 0 */
        size_t sv = tok_jpush(jc, "length");
        tok_jfail(jc, TOK_ERR_FORMAT, "length must be a positive number of characters, found %lld", (long long)len);
        tok_jpop(jc, sv);
        return NULL;
    }
    fixed *f = tok_pt_new(jc, sizeof *f, &vt);
    if (!f) return NULL;
    f->length = (uint32_t)len;
    return &f->base;
}
