/* CTC decoder: consecutive duplicate tokens collapse, the pad token is
 * removed, and with cleanup the WordPiece cleanup runs and the word
 * delimiter becomes a space; tokens left empty are dropped. */
#include "decoders.h"

typedef struct {
    tok_decoder base;
    char *pad, *delim;
    size_t padlen, delimlen;
    bool cleanup;
} dec_ctc;

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    const dec_ctc *d = (const dec_ctc *)self;
    size_t w = 0;
    tok_str prev = {NULL, 0};
    for (size_t i = 0; i < toks->n; i++) {
        tok_str t = toks->v[i];
        /* dedup compares the original tokens, before any replacement */
        if (i > 0 && t.n == prev.n && (t.n == 0 || !memcmp(t.s, prev.s, t.n))) continue;
        prev = t;
        tok_status st = tok_dec_replace_all(ctx, t, d->pad, d->padlen, "", 0, &t);
        if (!st && d->cleanup) {
            st = tok_dec_wordpiece_cleanup(ctx, t, &t);
            if (!st) st = tok_dec_replace_all(ctx, t, d->delim, d->delimlen, " ", 1, &t);
        }
        if (st) return st;
        if (t.n) toks->v[w++] = t;
    }
    toks->n = w;
    return TOK_OK;
}

static void dfree(tok_decoder *self)
{
    dec_ctc *d = (dec_ctc *)self;
    free(d->pad);
    free(d->delim);
    free(d);
}

static json_t *to_json(const tok_decoder *self)
{
    const dec_ctc *d = (const dec_ctc *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("CTC"));
    json_object_set_new(j, "pad_token", json_stringn(d->pad, d->padlen));
    json_object_set_new(j, "word_delimiter_token", json_stringn(d->delim, d->delimlen));
    json_object_set_new(j, "cleanup", json_boolean(d->cleanup));
    return j;
}

static const tok_decoder_vt vt = {"CTC", run, dfree, to_json};

tok_decoder *tok_dec_ctc_from_json(tok_jctx *jc, const json_t *j)
{
    /* HF requires all three keys; missing ones take HF's defaults. */
    const char *pad = "<pad>", *delim = "|";
    size_t padlen = 5, delimlen = 1;
    bool cleanup = true;
    if (tok_jstr(jc, j, "pad_token", &pad, &padlen, false) ||
        tok_jstr(jc, j, "word_delimiter_token", &delim, &delimlen, false) ||
        tok_jbool(jc, j, "cleanup", &cleanup, false))
        return NULL;
    dec_ctc *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->base.vt = &vt;
    d->padlen = padlen;
    d->delimlen = delimlen;
    d->cleanup = cleanup;
    d->pad = tok_dec_strdup(jc, pad, padlen);
    d->delim = tok_dec_strdup(jc, delim, delimlen);
    if (!d->pad || !d->delim) { dfree(&d->base); return NULL; }
    return &d->base;
}
