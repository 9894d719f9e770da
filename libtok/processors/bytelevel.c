/* ByteLevel post-processor: with trim_offsets, token offsets lose the
 * leading/trailing whitespace the token text carries ("Ġ", or real
 * whitespace in added tokens), as HF's process_offsets.  HF counts
 * characters on character offsets (Node/Python); here each "Ġ" stands for
 * its one original byte and other whitespace for its own UTF-8 length, which
 * gives the same ranges once converted to bytes. */
#include "processors.h"

typedef struct {
    tok_processor base;
    bool add_prefix_space, trim_offsets, use_regex;
} proc_bytelevel;

#define GPT2_SPACE 0x120u /* "Ġ" */

/* Bytes of original text a whitespace character of the token stands for. */
static unsigned ws_bytes(uint32_t c, size_t len)
{
    if (c == GPT2_SPACE) return 1;
    return tok_uni_is_space(c) ? (unsigned)len : 0;
}

void tok_proc_trim_offsets(tok_enc *e, bool add_prefix_space, const tok_vocab *v)
{
    for (size_t i = 0; i < e->n; i++) {
        int32_t id = e->ids[i];
        if (!v || id < 0 || (size_t)id >= v->n || (v->tok[id].flags & TOK_TOKEN_NONE) || !v->tok[id].text)
            continue;
        const uint8_t *s = (const uint8_t *)v->tok[id].text;
        size_t n = v->tok[id].text_len;
        size_t lead_chars = 0, trail_chars = 0;
        uint64_t lead = 0, trail = 0;
        for (size_t k = 0; k < n;) {
            size_t len;
            uint32_t c = tok_utf8_decode(s + k, n - k, &len);
            unsigned b = c == TOK_UTF8_BAD ? 0 : ws_bytes(c, len);
            if (!b) break;
            lead += b;
            lead_chars++;
            k += len;
        }
        for (size_t k = n; k > 0;) {
            size_t st = k - 1;
            while (st > 0 && (s[st] & 0xC0) == 0x80) st--;
            size_t len;
            uint32_t c = tok_utf8_decode(s + st, k - st, &len);
            unsigned b = c == TOK_UTF8_BAD || len != k - st ? 0 : ws_bytes(c, len);
            if (!b) break;
            trail += b;
            trail_chars++;
            k = st;
        }
        if (!lead && !trail) continue;
        tok_offset *o = &e->off[i];
        if (lead) {
            /* A single leading space on the first token is the one
             * add_prefix_space put there: keep it. */
            bool first = i == 0 || o->start == 0;
            if (first && add_prefix_space && lead_chars == 1) lead = 0;
            uint64_t s2 = (uint64_t)o->start + lead;
            o->start = s2 < o->end ? (uint32_t)s2 : o->end;
        }
        if (trail && o->end >= trail) {
            uint64_t e2 = (uint64_t)o->end - trail;
            o->end = e2 > o->start ? (uint32_t)e2 : o->start;
        }
    }
}

tok_status tok_proc_bytelevel_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx)
{
    TOK_UNUSED(add);
    const proc_bytelevel *b = (const proc_bytelevel *)p;
    if (b->trim_offsets) {
        const tok_vocab *v = ctx->tok ? &ctx->tok->vocab : NULL;
        for (size_t i = 0; i < *n; i++) tok_proc_trim_offsets(&encs[i], b->add_prefix_space, v);
    }
    return TOK_OK;
}

static void pfree(tok_processor *p) { free(p); }

static json_t *to_json(const tok_processor *p)
{
    const proc_bytelevel *b = (const proc_bytelevel *)p;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("ByteLevel"));
    json_object_set_new(j, "add_prefix_space", json_boolean(b->add_prefix_space));
    json_object_set_new(j, "trim_offsets", json_boolean(b->trim_offsets));
    json_object_set_new(j, "use_regex", json_boolean(b->use_regex));
    return j;
}

static const tok_processor_vt vt = {"ByteLevel", tok_proc_run, pfree, to_json};

tok_processor *tok_proc_bytelevel_from_json(tok_jctx *jc, const json_t *j)
{
    /* HF requires add_prefix_space and trim_offsets; missing ones take HF's
     * defaults (true). */
    bool aps = true, trim = true, re = true;
    if (tok_jbool(jc, j, "add_prefix_space", &aps, false) || tok_jbool(jc, j, "trim_offsets", &trim, false) ||
        tok_jbool(jc, j, "use_regex", &re, false))
        return NULL;
    proc_bytelevel *b = calloc(1, sizeof *b);
    if (!b) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    b->base.vt = &vt;
    b->add_prefix_space = aps;
    b->trim_offsets = trim;
    b->use_regex = re;
    return &b->base;
}
