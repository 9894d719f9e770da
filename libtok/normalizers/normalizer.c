/* Normalizer dispatch: HF "type" -> the component's constructor; and the
 * helpers the normalizer files share (normalizers.h). */
#include "normalizers.h"

#include <utf8proc.h>

tok_normalizer *tok_normalizer_from_json(tok_jctx *jc, const json_t *j)
{
    const char *type = tok_jtype(jc, j);
    if (!type) return NULL;
    if (!strcmp(type, "NFC") || !strcmp(type, "NFD") || !strcmp(type, "NFKC") || !strcmp(type, "NFKD"))
        return tok_norm_unicode_from_json(jc, j, type);
    if (!strcmp(type, "Lowercase")) return tok_norm_lowercase_from_json(jc, j);
    if (!strcmp(type, "Replace")) return tok_norm_replace_from_json(jc, j);
    if (!strcmp(type, "Prepend")) return tok_norm_prepend_from_json(jc, j);
    if (!strcmp(type, "Strip")) return tok_norm_strip_from_json(jc, j);
    if (!strcmp(type, "StripAccents")) return tok_norm_strip_accents_from_json(jc, j);
    if (!strcmp(type, "Sequence")) return tok_norm_sequence_from_json(jc, j);
    /* HF serializes the struct name; its enum also knows "Bert", which its own
     * deserializer then rejects, so only the struct name is accepted here too. */
    if (!strcmp(type, "BertNormalizer")) return tok_norm_bert_from_json(jc, j);
    if (!strcmp(type, "Precompiled")) return tok_norm_precompiled_from_json(jc, j);
    if (!strcmp(type, "Nmt")) return tok_norm_nmt_from_json(jc, j);
    if (!strcmp(type, "ByteLevel")) return tok_norm_bytelevel_from_json(jc, j);
    size_t s = tok_jpush(jc, "type");
    tok_junsupported(jc, "normalizer type", type);
    tok_jpop(jc, s);
    return NULL;
}

void tok_normalizer_free(tok_normalizer *n)
{
    if (n) n->vt->free(n);
}

/* ---- shared helpers ---- */

tok_status tok_normalizer_run(const tok_normalizer *n, const tok_nstr *in, tok_nstr *out, size_t fresh, tok_ctx *ctx)
{
    ctx->norm_in += fresh;
    tok_nstr_limit(out, tok_norm_room(ctx));
    tok_status st = n->vt->run(n, in, out, ctx);
    if (st && st != TOK_ERR_LIMIT && out->over)
        return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "normalizer %s: output passes 64 times its input plus 1 MiB", n->vt->type);
    if (!st) ctx->norm_made += out->n;
    return st;
}

tok_normalizer *tok_norm_new_plain(tok_jctx *jc, const tok_normalizer_vt *vt)
{
    tok_normalizer *n = calloc(1, sizeof *n);
    if (!n) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    n->vt = vt;
    return n;
}

void tok_norm_free_plain(tok_normalizer *self) { free(self); }

bool tok_norm_in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid][0]) hi = mid;
        else if (cp > r[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

/* Lowercase mappings Rust has (its Unicode is newer) and utf8proc 2.8 lacks:
 * code points lo..hi map to cp + delta. */
static const struct {
    uint32_t lo, hi;
    int32_t delta;
} lower_fix[] = {
    {0x1C89, 0x1C89, 1}, {0xA7CB, 0xA7CB, 0x0264 - 0xA7CB}, {0xA7CC, 0xA7CC, 1}, {0xA7CE, 0xA7CE, 1},
    {0xA7D2, 0xA7D2, 1}, {0xA7D4, 0xA7D4, 1}, {0xA7DA, 0xA7DA, 1}, {0xA7DC, 0xA7DC, 0x019B - 0xA7DC},
    {0x10D50, 0x10D65, 0x20}, {0x16EA0, 0x16EB8, 0x1B},
};

uint32_t tok_norm_rust_lower(uint32_t cp)
{
    if (cp >= 0x1C89 && cp <= 0x16EB8) {
        for (size_t i = 0; i < sizeof lower_fix / sizeof lower_fix[0]; i++)
            if (cp >= lower_fix[i].lo && cp <= lower_fix[i].hi) return (uint32_t)((int32_t)cp + lower_fix[i].delta);
    }
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

int tok_norm_put_lower(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1)
{
    if (cp < 0x80) return tok_norm_put_cp(out, (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp, r0, r1);
    /* the one unconditional multi-char lowercase */
    if (cp == 0x130) return tok_norm_put_cp(out, 'i', r0, r1) || tok_norm_put_cp(out, 0x307, r0, r1);
    return tok_norm_put_cp(out, tok_norm_rust_lower(cp), r0, r1);
}

void tok_norm_xf_init(tok_norm_xf *x, const tok_nstr *in, tok_nstr *out)
{
    x->in = in;
    x->out = out;
    x->pos = 0;
    /* HF gives chars inserted before everything (0,0): the segment start. */
    x->p0 = x->p1 = in->start;
}

void tok_norm_xf_skip(tok_norm_xf *x, size_t k)
{
    while (k-- > 0 && x->pos < x->in->n) {
        size_t len;
        tok_norm_nchar(x->in, x->pos, &len, &x->p0, &x->p1);
        x->pos += len;
    }
}

int tok_norm_xf_put(tok_norm_xf *x, uint32_t cp, long change)
{
    uint32_t r0, r1;
    if (change > 0 || x->pos >= x->in->n) {
        r0 = x->p0;
        r1 = x->p1;
    } else {
        size_t len;
        tok_norm_nchar(x->in, x->pos, &len, &r0, &r1);
        x->pos += len;
        x->p0 = r0;
        x->p1 = r1;
    }
    if (change < 0) tok_norm_xf_skip(x, (size_t)-change);
    return tok_norm_put_cp(x->out, cp, r0, r1);
}
