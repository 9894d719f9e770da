/* Metaspace decoder: the replacement character becomes a space.  In the
 * first token, unless prepend_scheme is "never", HF drops every replacement
 * character instead (not only the leading one). */
#include "decoders.h"

typedef enum { PREPEND_ALWAYS, PREPEND_FIRST, PREPEND_NEVER } prepend_scheme;
static const char *const scheme_names[] = {"always", "first", "never"};

typedef struct {
    tok_decoder base;
    char rep[5];
    size_t rlen;
    prepend_scheme scheme;
    bool split;
} dec_metaspace;

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    const dec_metaspace *d = (const dec_metaspace *)self;
    size_t rl = d->rlen;
    for (size_t i = 0; i < toks->n; i++) {
        tok_str t = toks->v[i];
        if (t.n < rl || !memmem(t.s, t.n, d->rep, rl)) continue;
        bool drop = i == 0 && d->scheme != PREPEND_NEVER;
        char *p = tok_dec_alloc(ctx, t.n); /* a space is never longer than the replacement */
        if (!p) return TOK_ERR_NOMEM;
        size_t k = 0;
        for (size_t j = 0; j < t.n;) {
            if (j + rl <= t.n && !memcmp(t.s + j, d->rep, rl)) {
                if (!drop) p[k++] = ' ';
                j += rl;
            } else {
                p[k++] = t.s[j++];
            }
        }
        toks->v[i] = (tok_str){p, k};
    }
    return TOK_OK;
}

static void dfree(tok_decoder *self) { free(self); }

static json_t *to_json(const tok_decoder *self)
{
    const dec_metaspace *d = (const dec_metaspace *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("Metaspace"));
    json_object_set_new(j, "replacement", json_stringn(d->rep, d->rlen));
    json_object_set_new(j, "prepend_scheme", json_string(scheme_names[d->scheme]));
    json_object_set_new(j, "split", json_boolean(d->split));
    return j;
}

static const tok_decoder_vt vt = {"Metaspace", run, dfree, to_json};

tok_decoder *tok_dec_metaspace_from_json(tok_jctx *jc, const json_t *j)
{
    char rep[5] = "\xE2\x96\x81"; /* ▁ */
    const char *scheme = NULL;
    bool split = true, aps = true, have_aps = false;
    prepend_scheme ps = PREPEND_ALWAYS;
    if (tok_dec_char_opt(jc, j, "replacement", rep, true) ||
        tok_jstr(jc, j, "prepend_scheme", &scheme, NULL, false) ||
        tok_jbool(jc, j, "split", &split, false))
        return NULL;
    json_t *a = json_object_get(j, "add_prefix_space");
    if (a && !json_is_null(a)) {
        if (tok_jbool(jc, j, "add_prefix_space", &aps, false)) return NULL;
        have_aps = true;
    }
    if (scheme) {
        if (!strcmp(scheme, "always")) ps = PREPEND_ALWAYS;
        else if (!strcmp(scheme, "first")) ps = PREPEND_FIRST;
        else if (!strcmp(scheme, "never")) ps = PREPEND_NEVER;
        else {
            size_t sv = tok_jpush(jc, "prepend_scheme");
            tok_junsupported(jc, "prepend_scheme (expected first, never or always)", scheme);
            tok_jpop(jc, sv);
            return NULL;
        }
    }
    /* Legacy add_prefix_space: false must agree with the scheme (HF rejects
     * it otherwise, the scheme defaulting to "always"). */
    if (have_aps && !aps) {
        if (ps != PREPEND_NEVER) {
            size_t sv = tok_jpush(jc, "add_prefix_space");
            tok_jfail(jc, TOK_ERR_FORMAT, "add_prefix_space does not match declared prepend_scheme");
            tok_jpop(jc, sv);
            return NULL;
        }
    }
    dec_metaspace *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->base.vt = &vt;
    memcpy(d->rep, rep, sizeof rep);
    d->rlen = (size_t)tok_utf8_seqlen((uint8_t)rep[0]);
    d->scheme = ps;
    d->split = split;
    return &d->base;
}
