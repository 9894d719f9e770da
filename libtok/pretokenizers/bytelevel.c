/*
 * ByteLevel: the GPT-2 split (use_regex) and the prefix space.
 *
 * libtok keeps byte-level vocabularies as the raw bytes their GPT-2
 * characters stand for, so nothing is mapped to "Ġ" here: the pieces stay
 * UTF-8 text.  As HF, the prefix space goes in front of every piece that
 * reaches this pre-tokenizer not starting with ' ' (each piece between added
 * tokens, each piece of an earlier Split), before the regex runs; it takes
 * the original range of the piece's first character.  trim_offsets only
 * matters to the ByteLevel post-processor; it is kept for to_json.
 */
#include "pretok.h"

#define GPT2_PATTERN "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

typedef struct bytelevel {
    tok_pretok base;
    bool add_prefix_space, trim_offsets, use_regex;
    tok_pt_regex *re;
} bytelevel;

/* p with a space in front, in the arena; each byte keeps (or, from an
 * identity view, gets) the range of its whole character. */
static tok_status prefixed(const tok_piece *p, tok_piece *q, tok_ctx *ctx)
{
    tok_status st = tok_ctx_piece_alloc(ctx, q, (size_t)p->n + 1);
    if (st) return st;
    uint8_t *s = (uint8_t *)q->s;
    uint32_t *a0 = (uint32_t *)q->a0, *a1 = (uint32_t *)q->a1;
    s[0] = ' ';
    memcpy(s + 1, p->s, p->n);
    if (p->a0) {
        memcpy(a0 + 1, p->a0, p->n * sizeof *a0);
        memcpy(a1 + 1, p->a1, p->n * sizeof *a1);
    } else {
        for (uint32_t i = 0; i < p->n;) {
            uint32_t l;
            tok_pt_decode(p->s + i, &l);
            for (uint32_t k = 0; k < l; k++) {
                a0[1 + i + k] = p->base + i;
                a1[1 + i + k] = p->base + i + l;
            }
            i += l;
        }
    }
    uint32_t l;
    tok_pt_decode(p->s, &l);
    a0[0] = a0[1];
    a1[0] = a1[l];
    q->n = p->n + 1;
    q->id = -1;
    return TOK_OK;
}

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    const bytelevel *bl = self;
    tok_piece q = *p;
    if (bl->add_prefix_space && p->s[0] != ' ') {
        tok_status st = prefixed(p, &q, ctx);
        if (st) return st;
    }
    if (bl->use_regex) return tok_pt_split_regex(scratch, &q, false, TOK_SPLIT_ISOLATED, out, ctx);
    return tok_pt_emit(out, &q, 0, q.n) ? tok_pt_nomem(ctx) : TOK_OK;
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    const bytelevel *bl = (const bytelevel *)self;
    tok_pt_matcher *m = NULL;
    if (bl->use_regex && !(m = tok_pt_matcher_new(bl->re, ctx))) return TOK_ERR_NOMEM;
    tok_status st = tok_pt_map(bl, in, out, ctx, piece, m);
    tok_pt_matcher_done(m);
    return st;
}

static void bl_free(tok_pretok *self)
{
    bytelevel *bl = (bytelevel *)self;
    tok_pt_regex_free(bl->re);
    free(bl);
}

static json_t *to_json(const tok_pretok *self)
{
    const bytelevel *bl = (const bytelevel *)self;
    return json_pack("{s:s, s:b, s:b, s:b}", "type", "ByteLevel", "add_prefix_space", bl->add_prefix_space,
                     "trim_offsets", bl->trim_offsets, "use_regex", bl->use_regex);
}

static const tok_pretok_vt vt = { "ByteLevel", run, bl_free, to_json };

tok_pretok *tok_pt_bytelevel_from_json(tok_jctx *jc, const json_t *j)
{
    bool aps = false, trim = false, use_regex = true;
    /* as HF: the first two are required, use_regex defaults to true */
    if (tok_jbool(jc, j, "add_prefix_space", &aps, true) || tok_jbool(jc, j, "trim_offsets", &trim, true) ||
        tok_jbool(jc, j, "use_regex", &use_regex, false))
        return NULL;
    bytelevel *bl = tok_pt_new(jc, sizeof *bl, &vt);
    if (!bl) return NULL;
    bl->add_prefix_space = aps;
    bl->trim_offsets = trim;
    bl->use_regex = use_regex;
    if (use_regex && !(bl->re = tok_pt_regex_new(jc, GPT2_PATTERN, strlen(GPT2_PATTERN), false))) {
        free(bl);
        return NULL;
    }
    return &bl->base;
}
