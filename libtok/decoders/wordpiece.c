/* WordPiece decoder: tokens after the first lose the continuing-subword
 * prefix, or else get a leading space; then, per token, HF's cleanup of
 * tokenization artifacts (" ." -> ".", " n't" -> "n't", ...). */
#include "decoders.h"

typedef struct {
    tok_decoder base;
    char *prefix;
    size_t plen;
    bool cleanup;
} dec_wordpiece;

/* HF's replacements, applied one after the other.  Shared with CTC. */
tok_status tok_dec_wordpiece_cleanup(tok_ctx *ctx, tok_str in, tok_str *out)
{
    static const struct { const char *from, *to; } rules[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
        {" n't", "n't"}, {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"},
        {" 've", "'ve"}, {" 're", "'re"},
    };
    *out = in;
    if (!memchr(in.s, ' ', in.n)) return TOK_OK; /* every rule starts with a space */
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        tok_status st = tok_dec_replace_all(ctx, *out, rules[r].from, strlen(rules[r].from),
                                            rules[r].to, strlen(rules[r].to), out);
        if (st) return st;
    }
    return TOK_OK;
}

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    const dec_wordpiece *d = (const dec_wordpiece *)self;
    for (size_t i = 0; i < toks->n; i++) {
        tok_str t = toks->v[i];
        if (i != 0) {
            if (t.n >= d->plen && !memcmp(t.s, d->prefix, d->plen)) {
                t.s += d->plen;
                t.n -= d->plen;
            } else {
                char *p = tok_dec_alloc(ctx, t.n + 1);
                if (!p) return TOK_ERR_NOMEM;
                p[0] = ' ';
                if (t.n) memcpy(p + 1, t.s, t.n);
                t = (tok_str){p, t.n + 1};
            }
        }
        if (d->cleanup) {
            tok_status st = tok_dec_wordpiece_cleanup(ctx, t, &t);
            if (st) return st;
        }
        toks->v[i] = t;
    }
    return TOK_OK;
}

static void dfree(tok_decoder *self)
{
    dec_wordpiece *d = (dec_wordpiece *)self;
    free(d->prefix);
    free(d);
}

static json_t *to_json(const tok_decoder *self)
{
    const dec_wordpiece *d = (const dec_wordpiece *)self;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("WordPiece"));
    json_object_set_new(j, "prefix", json_stringn(d->prefix, d->plen));
    json_object_set_new(j, "cleanup", json_boolean(d->cleanup));
    return j;
}

static const tok_decoder_vt vt = {"WordPiece", run, dfree, to_json};

tok_decoder *tok_dec_wordpiece_from_json(tok_jctx *jc, const json_t *j)
{
    /* HF requires both keys; missing ones take HF's defaults ("##", true). */
    const char *prefix = "##";
    size_t plen = 2;
    bool cleanup = true;
    if (tok_jstr(jc, j, "prefix", &prefix, &plen, false) || tok_jbool(jc, j, "cleanup", &cleanup, false))
        return NULL;
    dec_wordpiece *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->base.vt = &vt;
    d->plen = plen;
    d->cleanup = cleanup;
    if (!(d->prefix = tok_dec_strdup(jc, prefix, plen))) { free(d); return NULL; }
    return &d->base;
}
