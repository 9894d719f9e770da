/* RobertaProcessing: optional ByteLevel offset trimming, every type id 0,
 * then <s> A </s> and, for a pair, </s> B </s> (still two encodings until
 * process() merges them). */
#include "processors.h"

typedef struct {
    tok_processor base;
    char *sep_text, *cls_text;
    int32_t sep, cls;
    bool trim_offsets, add_prefix_space;
} proc_roberta;

tok_status tok_proc_roberta_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx)
{
    const proc_roberta *r = (const proc_roberta *)p;
    const tok_vocab *v = ctx->tok ? &ctx->tok->vocab : NULL;
    for (size_t i = 0; i < *n; i++) {
        if (r->trim_offsets) tok_proc_trim_offsets(&encs[i], r->add_prefix_space, v);
        if (encs[i].n) memset(encs[i].type_ids, 0, encs[i].n);
    }
    if (!add) return TOK_OK;
    for (size_t i = 0; i < *n; i++) {
        /* HF rebuilds the special mask: 0 for every sequence token */
        if (encs[i].n) memset(encs[i].special, 0, encs[i].n);
        tok_status st = tok_proc_add_around(&encs[i], i == 0 ? r->cls : r->sep, r->sep, 0, 0, ctx);
        if (st) return st;
    }
    return TOK_OK;
}

static void pfree(tok_processor *p)
{
    proc_roberta *r = (proc_roberta *)p;
    free(r->sep_text);
    free(r->cls_text);
    free(r);
}

static json_t *to_json(const tok_processor *p)
{
    const proc_roberta *r = (const proc_roberta *)p;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("RobertaProcessing"));
    json_object_set_new(j, "sep", tok_proc_token_pair_json(r->sep_text, r->sep));
    json_object_set_new(j, "cls", tok_proc_token_pair_json(r->cls_text, r->cls));
    json_object_set_new(j, "trim_offsets", json_boolean(r->trim_offsets));
    json_object_set_new(j, "add_prefix_space", json_boolean(r->add_prefix_space));
    return j;
}

static const tok_processor_vt vt = {"RobertaProcessing", tok_proc_run, pfree, to_json};

tok_processor *tok_proc_roberta_from_json(tok_jctx *jc, const json_t *j)
{
    proc_roberta *r = calloc(1, sizeof *r);
    if (!r) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    r->base.vt = &vt;
    r->trim_offsets = r->add_prefix_space = true;
    if (tok_proc_token_pair(jc, j, "sep", &r->sep_text, &r->sep) ||
        tok_proc_token_pair(jc, j, "cls", &r->cls_text, &r->cls) ||
        tok_jbool(jc, j, "trim_offsets", &r->trim_offsets, false) ||
        tok_jbool(jc, j, "add_prefix_space", &r->add_prefix_space, false)) {
        pfree(&r->base);
        return NULL;
    }
    return &r->base;
}
