/*
 * Pre-tokenizer dispatch and the pieces shared by all of them: the split
 * engine (HF NormalizedString::split with its delimiter behaviours) and the
 * Unicode predicates HF's Rust code uses.
 *
 * The predicate tables were measured from the HF binding (tokenizers 0.23,
 * Unicode 16) over every scalar value, so they agree with it exactly rather
 * than with whatever Unicode version a local library has.
 */
#include "pretok.h"

/* ------------------------------------------------------------------------ */
/* dispatch                                                                  */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *type;
    tok_pretok *(*from_json)(tok_jctx *, const json_t *);
} k_types[] = {
    { "Split", tok_pt_split_from_json },
    { "ByteLevel", tok_pt_bytelevel_from_json },
    { "Metaspace", tok_pt_metaspace_from_json },
    { "Whitespace", tok_pt_whitespace_from_json },
    { "WhitespaceSplit", tok_pt_whitespace_split_from_json },
    { "BertPreTokenizer", tok_pt_bert_from_json },
    { "Digits", tok_pt_digits_from_json },
    { "Punctuation", tok_pt_punctuation_from_json },
    { "CharDelimiterSplit", tok_pt_char_delimiter_from_json },
    { "UnicodeScripts", tok_pt_unicode_scripts_from_json },
    { "FixedLength", tok_pt_fixed_length_from_json },
    { "Sequence", tok_pt_sequence_from_json },
};

tok_pretok *tok_pretok_from_json(tok_jctx *jc, const json_t *j)
{
    const char *type = tok_jtype(jc, j);
    if (!type) return NULL;
    for (size_t i = 0; i < sizeof k_types / sizeof k_types[0]; i++)
        if (!strcmp(type, k_types[i].type)) return k_types[i].from_json(jc, j);
    tok_junsupported(jc, "pre-tokenizer type", type);
    return NULL;
}

void tok_pretok_free(tok_pretok *p)
{
    if (p) p->vt->free(p);
}

bool tok_pretok_is_byte_level(const tok_pretok *p)
{
    if (!p) return false;
    if (!strcmp(p->vt->type, "ByteLevel")) return true;
    if (!strcmp(p->vt->type, "Sequence")) return tok_pt_sequence_is_byte_level(p);
    return false;
}

/* ------------------------------------------------------------------------ */
/* behaviours                                                                */
/* ------------------------------------------------------------------------ */

static const char *const k_behaviors[] = { "Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
                                           "Contiguous" };

const char *tok_split_behavior_name(tok_split_behavior b)
{
    return (unsigned)b < 5 ? k_behaviors[b] : "?";
}

int tok_pt_behavior(tok_jctx *jc, const json_t *obj, const char *key, bool required, tok_split_behavior *out)
{
    const char *s = NULL;
    if (tok_jstr(jc, obj, key, &s, NULL, required)) return -1;
    if (!s) return 0;
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, k_behaviors[i])) {
            *out = (tok_split_behavior)i;
            return 0;
        }
    size_t sv = tok_jpush(jc, key);
    tok_junsupported(jc, "split behavior", s);
    tok_jpop(jc, sv);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* split engine                                                              */
/* ------------------------------------------------------------------------ */

int tok_pt_emit(tok_pieces *out, const tok_piece *src, uint32_t s, uint32_t e)
{
    if (e <= s) return 0;
    tok_piece q = tok_piece_sub(src, s, e - s);
    q.id = -1;
    return tok_vec_push(out, q);
}

void tok_splitter_init(tok_splitter *sp, const tok_piece *src, tok_split_behavior b, tok_pieces *out)
{
    memset(sp, 0, sizeof *sp);
    sp->src = src;
    sp->out = out;
    sp->b = b;
}

static int flush_start(tok_splitter *sp, uint32_t s, uint32_t e)
{
    if (sp->have && tok_pt_emit(sp->out, sp->src, sp->ps, sp->pe)) return -1;
    sp->ps = s;
    sp->pe = e;
    sp->have = true;
    return 0;
}

/* The folds below are HF's, streamed: each decides from the previous
 * segment's flag whether the new segment extends the pending one. */
int tok_splitter_seg(tok_splitter *sp, uint32_t s, uint32_t e, bool m)
{
    int r = 0;
    switch (sp->b) {
    case TOK_SPLIT_ISOLATED:
        return tok_pt_emit(sp->out, sp->src, s, e);
    case TOK_SPLIT_REMOVED:
        return m ? 0 : tok_pt_emit(sp->out, sp->src, s, e);
    case TOK_SPLIT_CONTIGUOUS:
        if (sp->have && m == sp->prev) sp->pe = e;
        else r = flush_start(sp, s, e);
        break;
    case TOK_SPLIT_MERGED_WITH_PREVIOUS:
        if (sp->have && m && !sp->prev) sp->pe = e;
        else r = flush_start(sp, s, e);
        break;
    case TOK_SPLIT_MERGED_WITH_NEXT:
        /* a match joins the segment right after it when that one is not a match */
        if (sp->have && sp->pend_match && !m) {
            sp->pe = e;
            sp->pend_match = false;
        } else {
            r = flush_start(sp, s, e);
            sp->pend_match = m;
        }
        break;
    }
    sp->prev = m;
    return r;
}

int tok_splitter_finish(tok_splitter *sp)
{
    int r = 0;
    if (sp->have) r = tok_pt_emit(sp->out, sp->src, sp->ps, sp->pe);
    sp->have = false;
    return r;
}

int tok_pt_split_pred(const tok_piece *src, tok_pt_pred pred, const void *arg, bool invert, tok_split_behavior b,
                      tok_pieces *out)
{
    tok_splitter sp;
    tok_splitter_init(&sp, src, b, out);
    const uint8_t *s = src->s;
    uint32_t n = src->n, last = 0;
    if (!invert) {
        for (uint32_t i = 0; i < n;) {
            uint32_t l;
            uint32_t c = tok_pt_decode(s + i, &l);
            if (pred(c, arg)) {
                if (last < i && tok_splitter_seg(&sp, last, i, false)) return -1;
                if (tok_splitter_seg(&sp, i, i + l, true)) return -1;
                last = i + l;
            }
            i += l;
        }
        if (last < n && tok_splitter_seg(&sp, last, n, false)) return -1;
    } else {
        /* Invert(pred): same segments, flags flipped */
        for (uint32_t i = 0; i < n;) {
            uint32_t l;
            uint32_t c = tok_pt_decode(s + i, &l);
            if (pred(c, arg)) {
                if (last < i && tok_splitter_seg(&sp, last, i, true)) return -1;
                if (tok_splitter_seg(&sp, i, i + l, false)) return -1;
                last = i + l;
            }
            i += l;
        }
        if (last < n && tok_splitter_seg(&sp, last, n, true)) return -1;
    }
    return tok_splitter_finish(&sp);
}

tok_status tok_pt_nomem(tok_ctx *ctx)
{
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

void *tok_pt_new(tok_jctx *jc, size_t size, const tok_pretok_vt *vt)
{
    tok_pretok *p = calloc(1, size);
    if (!p) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->vt = vt;
    return p;
}

void tok_pt_free_plain(tok_pretok *self) { free(self); }

json_t *tok_pt_type_json(const tok_pretok *self)
{
    return json_pack("{s:s}", "type", self->vt->type);
}

tok_status tok_pt_map(const void *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx, tok_pt_piece_fn fn,
                      void *scratch)
{
    for (size_t i = 0; i < in->n; i++) {
        const tok_piece *p = &in->v[i];
        if (p->id >= 0) {
            if (tok_vec_push(out, *p)) return tok_pt_nomem(ctx);
            continue;
        }
        if (p->n == 0) continue;
        tok_status st = fn(self, p, out, ctx, scratch);
        if (st) return st;
    }
    return TOK_OK;
}
