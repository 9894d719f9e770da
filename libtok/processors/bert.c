/* BertProcessing: [CLS] A [SEP] and, for a pair, B [SEP] with type id 1.
 * The two sequences stay separate encodings until process() merges them.
 * As in HF, the special mask of the sequence tokens is reset to 0. */
#include "processors.h"

typedef struct {
    tok_processor base;
    char *sep_text, *cls_text;
    int32_t sep, cls;
} proc_bert;

tok_status tok_proc_bert_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx)
{
    const proc_bert *b = (const proc_bert *)p;
    if (!add) return TOK_OK;
    for (size_t i = 0; i < *n; i++) {
        /* HF rebuilds the special mask: 0 for every sequence token */
        if (encs[i].n) memset(encs[i].special, 0, encs[i].n);
        tok_status st = i == 0 ? tok_proc_add_around(&encs[0], b->cls, b->sep, 0, 0, ctx)
                               : tok_proc_add_around(&encs[i], -1, b->sep, 0, 1, ctx);
        if (st) return st;
    }
    return TOK_OK;
}

static void pfree(tok_processor *p)
{
    proc_bert *b = (proc_bert *)p;
    free(b->sep_text);
    free(b->cls_text);
    free(b);
}

static json_t *to_json(const tok_processor *p)
{
    const proc_bert *b = (const proc_bert *)p;
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string("BertProcessing"));
    json_object_set_new(j, "sep", tok_proc_token_pair_json(b->sep_text, b->sep));
    json_object_set_new(j, "cls", tok_proc_token_pair_json(b->cls_text, b->cls));
    return j;
}

static const tok_processor_vt vt = {"BertProcessing", tok_proc_run, pfree, to_json};

tok_processor *tok_proc_bert_from_json(tok_jctx *jc, const json_t *j)
{
    proc_bert *b = calloc(1, sizeof *b);
    if (!b) { tok_jfail(jc, TOK_ERR_NOMEM, "out of memory"); return NULL; }
    b->base.vt = &vt;
    if (tok_proc_token_pair(jc, j, "sep", &b->sep_text, &b->sep) ||
        tok_proc_token_pair(jc, j, "cls", &b->cls_text, &b->cls)) {
        pfree(&b->base);
        return NULL;
    }
    return &b->base;
}
