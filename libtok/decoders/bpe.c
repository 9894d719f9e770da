/* BPEDecoder: the end-of-word suffix becomes a space, except in the last
 * token where it is removed (Rust str::replace: all occurrences). */
#include "decoders.h"

typedef struct {
    tok_decoder base;
    char *suffix;
    size_t slen;
} dec_bpe;

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    const dec_bpe *d = (const dec_bpe *)self;
    for (size_t i = 0; i < toks->n; i++) {
        bool last = i + 1 == toks->n;
        tok_status st = tok_dec_replace_all(ctx, toks->v[i], d->suffix, d->slen, " ", last ? 0 : 1,
                                            &toks->v[i]);
        if (st) return st;
    }
    return TOK_OK;
}

static void dfree(tok_decoder *self)
{
    dec_bpe *d = (dec_bpe *)self;
    free(d->suffix);
    free(d);
}

static json_t *to_json(const tok_decoder *self)
{
    const dec_bpe *d = (const dec_bpe *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("BPEDecoder"));
    json_object_set_new(j, "suffix", json_stringn(d->suffix, d->slen));
    return j;
}

static const tok_decoder_vt vt = {"BPEDecoder", run, dfree, to_json};

tok_decoder *tok_dec_bpe_from_json(tok_jctx *jc, const json_t *j)
{
    /* HF requires "suffix"; missing, it takes HF's default "</w>". */
    const char *suffix = "</w>";
    size_t slen = 4;
    if (tok_jstr(jc, j, "suffix", &suffix, &slen, false)) return NULL;
    dec_bpe *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->base.vt = &vt;
    d->slen = slen;
    if (!(d->suffix = tok_dec_strdup(jc, suffix, slen))) { free(d); return NULL; }
    return &d->base;
}
