/* Sequence post-processor: the members' process_encodings() in order, on
 * the same list of encodings (merged only at the end, by process()). */
#include "processors.h"

typedef struct {
    tok_processor base;
    size_t n;
    tok_processor **v;
} proc_sequence;

tok_status tok_proc_sequence_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx)
{
    const proc_sequence *s = (const proc_sequence *)p;
    for (size_t i = 0; i < s->n; i++) {
        tok_status st = tok_proc_process(s->v[i], encs, n, add, ctx);
        if (st) return st;
    }
    return TOK_OK;
}

static void pfree(tok_processor *p)
{
    proc_sequence *s = (proc_sequence *)p;
    for (size_t i = 0; i < s->n; i++) tok_processor_free(s->v[i]);
    free(s->v);
    free(s);
}

static json_t *to_json(const tok_processor *p)
{
    const proc_sequence *s = (const proc_sequence *)p;
    json_t *j = json_object(), *a = json_array();
    json_object_set_new(j, "type", json_string("Sequence"));
    for (size_t i = 0; i < s->n; i++) json_array_append_new(a, s->v[i]->vt->to_json(s->v[i]));
    json_object_set_new(j, "processors", a);
    return j;
}

static const tok_processor_vt vt = {"Sequence", tok_proc_run, pfree, to_json};

tok_processor *tok_proc_sequence_from_json(tok_jctx *jc, const json_t *j, const tok_vocab *v)
{
    json_t *arr = NULL;
    if (tok_jarr(jc, j, "processors", &arr, true)) return NULL;
    size_t n = json_array_size(arr);
    proc_sequence *s = calloc(1, sizeof *s);
    if (s && n) s->v = calloc(n, sizeof *s->v);
    if (!s || (n && !s->v)) {
        free(s);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base.vt = &vt;
    size_t sv = tok_jpush(jc, "processors");
    for (size_t i = 0; i < n; i++) {
        size_t si = tok_jpush_index(jc, i);
        tok_processor *c = tok_processor_from_json(jc, json_array_get(arr, i), v);
        tok_jpop(jc, si);
        if (!c) {
            tok_jpop(jc, sv);
            pfree(&s->base);
            return NULL;
        }
        s->v[s->n++] = c;
    }
    tok_jpop(jc, sv);
    return &s->base;
}
