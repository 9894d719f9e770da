/* ByteFallback decoder: runs of "<0xAB>" tokens become their bytes.  A run
 * that is valid UTF-8 becomes one string; otherwise HF emits one U+FFFD per
 * byte token of the run (not per maximal subpart). */
#include "decoders.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* HF: exactly 6 bytes, "<0x" .. ">", and u8::from_str_radix(16) on the two
 * middle bytes, which also takes a leading '+' ("<0x+A>" is byte 0x0A). */
static int byte_of(tok_str t)
{
    if (t.n != 6 || memcmp(t.s, "<0x", 3) || t.s[5] != '>') return -1;
    if (t.s[3] == '+') return hexval(t.s[4]);
    int hi = hexval(t.s[3]), lo = hexval(t.s[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/* Flush the pending byte run [from, from + nb) of the input into out[w..). */
static tok_status flush(tok_strs *toks, size_t from, size_t nb, size_t *w, tok_ctx *ctx)
{
    uint8_t *b = (uint8_t *)tok_dec_alloc(ctx, nb);
    if (!b) return TOK_ERR_NOMEM;
    for (size_t i = 0; i < nb; i++) b[i] = (uint8_t)byte_of(toks->v[from + i]);
    if (tok_utf8_check(b, nb) == nb) {
        toks->v[(*w)++] = (tok_str){(const char *)b, nb};
    } else {
        for (size_t i = 0; i < nb; i++) toks->v[(*w)++] = (tok_str){"\xEF\xBF\xBD", 3};
    }
    return TOK_OK;
}

static tok_status run(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx)
{
    TOK_UNUSED(self);
    /* Output never has more strings than input, so rewrite in place; a run
     * is read before anything is written over it. */
    size_t w = 0, run_start = 0, nb = 0;
    for (size_t i = 0; i < toks->n; i++) {
        tok_str t = toks->v[i];
        if (byte_of(t) >= 0) {
            if (!nb) run_start = i;
            nb++;
            continue;
        }
        if (nb) {
            tok_status st = flush(toks, run_start, nb, &w, ctx);
            if (st) return st;
            nb = 0;
        }
        toks->v[w++] = t;
    }
    if (nb) {
        tok_status st = flush(toks, run_start, nb, &w, ctx);
        if (st) return st;
    }
    toks->n = w;
    return TOK_OK;
}

static void dfree(tok_decoder *self) { free(self); }

static json_t *to_json(const tok_decoder *self)
{
    TOK_UNUSED(self);
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("ByteFallback"));
    return j;
}

static const tok_decoder_vt vt = {"ByteFallback", run, dfree, to_json};

tok_decoder *tok_dec_byte_fallback_from_json(tok_jctx *jc, const json_t *j)
{
    TOK_UNUSED(j);
    tok_decoder *d = calloc(1, sizeof *d);
    if (!d) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    d->vt = &vt;
    return d;
}
