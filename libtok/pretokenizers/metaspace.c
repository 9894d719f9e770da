/*
 * Metaspace: every ' ' becomes the replacement character (default ▁), a
 * replacement is prepended per prepend_scheme, then (split) each piece is
 * cut before every replacement (MergedWithNext).
 *
 * As HF: the scheme is applied to each piece reaching the pre-tokenizer;
 * "first" means the piece starts at original offset 0 (so not after an
 * added token, nor after text a normalizer removed); nothing is prepended
 * to a piece that already starts with the replacement.  Each replacement
 * byte takes the original range of the space it replaces; a prepended one
 * takes the range of the piece's first character.
 */
#include "pretok.h"

enum { SCHEME_ALWAYS, SCHEME_FIRST, SCHEME_NEVER };
static const char *const k_schemes[] = { "always", "first", "never" };

typedef struct metaspace {
    tok_pretok base;
    uint32_t rep_cp;
    uint8_t rep[4];
    uint32_t rep_len;
    int scheme;
    bool split;
} metaspace;

static bool is_rep(uint32_t cp, const void *arg) { return cp == *(const uint32_t *)arg; }

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    TOK_UNUSED(scratch);
    const metaspace *ms = self;
    uint32_t spaces = 0;
    for (uint32_t i = 0; i < p->n; i++) spaces += p->s[i] == ' ';
    uint32_t l0;
    uint32_t c0 = tok_pt_decode(p->s, &l0);
    bool starts = c0 == ' ' || c0 == ms->rep_cp;
    bool prepend = !starts && (ms->scheme == SCHEME_ALWAYS ||
                               (ms->scheme == SCHEME_FIRST && tok_piece_start(p, 0) == 0));
    tok_piece q = *p;
    if (spaces || prepend) {
        size_t n = (size_t)p->n + (size_t)spaces * (ms->rep_len - 1) + (prepend ? ms->rep_len : 0);
        if (n > TOK_MAX_TEXT) return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "Metaspace: piece too large");
        tok_status st = tok_ctx_piece_alloc(ctx, &q, n);
        if (st) return st;
        uint8_t *s = (uint8_t *)q.s;
        uint32_t *a0 = (uint32_t *)q.a0, *a1 = (uint32_t *)q.a1;
        uint32_t k = 0;
        if (prepend) {
            uint32_t r0 = tok_piece_start(p, 0), r1 = tok_piece_end(p, l0 - 1);
            for (uint32_t j = 0; j < ms->rep_len; j++, k++) {
                s[k] = ms->rep[j];
                a0[k] = r0;
                a1[k] = r1;
            }
        }
        for (uint32_t i = 0; i < p->n;) {
            uint32_t l;
            tok_pt_decode(p->s + i, &l);
            uint32_t r0 = tok_piece_start(p, i), r1 = tok_piece_end(p, i + l - 1);
            if (p->s[i] == ' ') {
                for (uint32_t j = 0; j < ms->rep_len; j++, k++) {
                    s[k] = ms->rep[j];
                    a0[k] = r0;
                    a1[k] = r1;
                }
            } else {
                for (uint32_t j = 0; j < l; j++, k++) {
                    s[k] = p->s[i + j];
                    /* an identity view gets whole-character ranges, as a normalizer would give */
                    a0[k] = p->a0 ? p->a0[i + j] : r0;
                    a1[k] = p->a1 ? p->a1[i + j] : r1;
                }
            }
            i += l;
        }
        q.n = k;
        q.id = -1;
    }
    int r = ms->split ? tok_pt_split_pred(&q, is_rep, &ms->rep_cp, false, TOK_SPLIT_MERGED_WITH_NEXT, out)
                      : tok_pt_emit(out, &q, 0, q.n);
    return r ? tok_pt_nomem(ctx) : TOK_OK;
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    return tok_pt_map(self, in, out, ctx, piece, NULL);
}

static json_t *to_json(const tok_pretok *self)
{
    const metaspace *ms = (const metaspace *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("Metaspace"));
    json_object_set_new(j, "replacement", json_stringn((const char *)ms->rep, ms->rep_len));
    json_object_set_new(j, "prepend_scheme", json_string(k_schemes[ms->scheme]));
    json_object_set_new(j, "split", json_boolean(ms->split));
    return j;
}

static const tok_pretok_vt vt = { "Metaspace", run, tok_pt_free_plain, to_json };

tok_pretok *tok_pt_metaspace_from_json(tok_jctx *jc, const json_t *j)
{
    const char *rep = NULL, *scheme = NULL;
    size_t rlen = 0;
    bool aps = true, aps_set = false, split = true;
    if (tok_jstr(jc, j, "replacement", &rep, &rlen, true) || tok_jstr(jc, j, "prepend_scheme", &scheme, NULL, false) ||
        tok_jbool(jc, j, "split", &split, false))
        return NULL;
    json_t *v = json_object_get(j, "add_prefix_space");
    if (v && !json_is_null(v)) {
        if (tok_jbool(jc, j, "add_prefix_space", &aps, false)) return NULL;
        aps_set = true;
    }
    uint32_t l = 0;
    if (rlen == 0 || (rlen != (uint32_t)tok_utf8_seqlen((uint8_t)rep[0])) || tok_utf8_check((const uint8_t *)rep, rlen) != rlen) {
        size_t sv = tok_jpush(jc, "replacement");
        tok_jfail(jc, TOK_ERR_FORMAT, "expected a single character, found \"%s\"", rep);
        tok_jpop(jc, sv);
        return NULL;
    }
    int sc = SCHEME_ALWAYS;
    if (scheme) {
        for (sc = 0; sc < 3 && strcmp(scheme, k_schemes[sc]); sc++) {}
        if (sc == 3) {
            size_t sv = tok_jpush(jc, "prepend_scheme");
            tok_junsupported(jc, "prepend_scheme", scheme);
            tok_jpop(jc, sv);
            return NULL;
        }
    }
    /* legacy add_prefix_space: false must come with "never" (HF refuses the rest) */
    if (aps_set && !aps) {
        if (sc != SCHEME_NEVER) {
            tok_jfail(jc, TOK_ERR_FORMAT, "add_prefix_space does not match declared prepend_scheme");
            return NULL;
        }
    }
    metaspace *ms = tok_pt_new(jc, sizeof *ms, &vt);
    if (!ms) return NULL;
    memcpy(ms->rep, rep, rlen);
    ms->rep_len = (uint32_t)rlen;
    ms->rep_cp = tok_pt_decode(ms->rep, &l);
    ms->scheme = sc;
    ms->split = split;
    return &ms->base;
}
