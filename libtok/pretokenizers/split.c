/*
 * Split: cut each piece on a pattern, {"String": s} (a literal) or
 * {"Regex": r} (Oniguruma syntax, see regex.c), with one of the five
 * delimiter behaviours; invert swaps what counts as the delimiter.
 */
#include "pretok.h"

typedef struct split_pt {
    tok_pretok base;
    char *pattern;
    size_t len;
    bool is_regex;
    tok_split_behavior behavior;
    bool invert;
    tok_pt_regex *re;
} split_pt;

static tok_status piece(const void *self, const tok_piece *p, tok_pieces *out, tok_ctx *ctx, void *scratch)
{
    const split_pt *sp = self;
    return tok_pt_split_regex(scratch, p, sp->invert, sp->behavior, out, ctx);
}

static tok_status run(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    const split_pt *sp = (const split_pt *)self;
    /* one match block per call: the tokenizer is shared between threads */
    tok_pt_matcher *m = tok_pt_matcher_new(sp->re, ctx);
    if (!m) return TOK_ERR_NOMEM;
    tok_status st = tok_pt_map(sp, in, out, ctx, piece, m);
    tok_pt_matcher_done(m);
    return st;
}

static void sp_free(tok_pretok *self)
{
    split_pt *sp = (split_pt *)self;
    tok_pt_regex_free(sp->re);
    free(sp->pattern);
    free(sp);
}

static json_t *to_json(const tok_pretok *self)
{
    const split_pt *sp = (const split_pt *)self;
    json_t *pat = json_object();
    json_object_set_new(pat, sp->is_regex ? "Regex" : "String", json_stringn(sp->pattern, sp->len));
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("Split"));
    json_object_set_new(j, "pattern", pat);
    json_object_set_new(j, "behavior", json_string(tok_split_behavior_name(sp->behavior)));
    json_object_set_new(j, "invert", json_boolean(sp->invert));
    return j;
}

static const tok_pretok_vt vt = { "Split", run, sp_free, to_json };

tok_pretok *tok_pt_split_from_json(tok_jctx *jc, const json_t *j)
{
    json_t *pat = NULL;
    tok_split_behavior b = TOK_SPLIT_ISOLATED;
    bool invert = false;
    if (tok_jobj(jc, j, "pattern", &pat, true) || tok_pt_behavior(jc, j, "behavior", true, &b) ||
        tok_jbool(jc, j, "invert", &invert, true))
        return NULL;
    size_t sv = tok_jpush(jc, "pattern");
    const char *key = NULL, *s = NULL;
    size_t len = 0;
    if (json_object_size(pat) == 1) {
        json_t *v = json_object_get(pat, "String");
        key = "String";
        if (!v) {
            v = json_object_get(pat, "Regex");
            key = "Regex";
        }
        if (v && tok_jstr(jc, pat, key, &s, &len, true)) {
            tok_jpop(jc, sv);
            return NULL;
        }
    }
    if (!s) {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected {\"String\": ...} or {\"Regex\": ...}");
        tok_jpop(jc, sv);
        return NULL;
    }
    bool is_regex = !strcmp(key, "Regex");
    split_pt *sp = calloc(1, sizeof *sp);
    char *copy = malloc(len + 1);
    if (!sp || !copy) {
        free(sp);
        free(copy);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        tok_jpop(jc, sv);
        return NULL;
    }
    memcpy(copy, s, len);
    copy[len] = 0;
    sp->base.vt = &vt;
    sp->pattern = copy;
    sp->len = len;
    sp->is_regex = is_regex;
    sp->behavior = b;
    sp->invert = invert;
    sp->re = tok_pt_regex_new(jc, s, len, !is_regex);
    tok_jpop(jc, sv);
    if (!sp->re) {
        sp_free(&sp->base);
        return NULL;
    }
    return &sp->base;
}
