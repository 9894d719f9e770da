/* Post-processor dispatch on "type", the HF process() wrapper every
 * processor's run() goes through, and helpers the processor files share.
 *
 * HF splits a post-processor into process_encodings() (a list of encodings
 * in, a list out: Bert and Roberta keep the pair as two encodings, ByteLevel
 * leaves the list alone) and process(), which first sets each sequence's
 * type ids to its index and finally merges the list.  A Sequence chains the
 * inner process_encodings() calls, so a later member still sees the pair
 * split.  Here vt->run is process() (on return *n == 1) and
 * tok_proc_process() is process_encodings(). */
#include "processors.h"

#include <stdio.h>

tok_processor *tok_processor_from_json(tok_jctx *jc, const json_t *j, const tok_vocab *v)
{
    const char *type = tok_jtype(jc, j);
    if (!type) return NULL;
    if (!strcmp(type, "BertProcessing") || !strcmp(type, "RobertaProcessing")) {
        /* HF reads post-processors as an untagged enum trying Roberta before
         * Bert, and neither checks "type": an object with trim_offsets and
         * add_prefix_space is Roberta, one without is Bert, whatever it says. */
        json_t *a = json_object_get(j, "trim_offsets"), *b = json_object_get(j, "add_prefix_space");
        bool roberta = a && b && !json_is_null(a) && !json_is_null(b);
        return roberta ? tok_proc_roberta_from_json(jc, j) : tok_proc_bert_from_json(jc, j);
    }
    if (!strcmp(type, "ByteLevel")) return tok_proc_bytelevel_from_json(jc, j);
    if (!strcmp(type, "TemplateProcessing")) return tok_proc_template_from_json(jc, j);
    if (!strcmp(type, "Sequence")) return tok_proc_sequence_from_json(jc, j, v);
    size_t s = tok_jpush(jc, "type");
    tok_junsupported(jc, "post-processor type", type);
    tok_jpop(jc, s);
    return NULL;
}

void tok_processor_free(tok_processor *p)
{
    if (p) p->vt->free(p);
}

/* process_encodings() of any processor. */
tok_status tok_proc_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx)
{
    const char *t = p->vt->type;
    if (!strcmp(t, "ByteLevel")) return tok_proc_bytelevel_process(p, encs, n, add, ctx);
    if (!strcmp(t, "TemplateProcessing")) return tok_proc_template_process(p, encs, n, add, ctx);
    if (!strcmp(t, "BertProcessing")) return tok_proc_bert_process(p, encs, n, add, ctx);
    if (!strcmp(t, "RobertaProcessing")) return tok_proc_roberta_process(p, encs, n, add, ctx);
    if (!strcmp(t, "Sequence")) return tok_proc_sequence_process(p, encs, n, add, ctx);
    return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED, "unknown post-processor \"%s\"", t);
}

/* HF process(): type ids = sequence index, process_encodings, merge (offsets
 * are not shifted).  Every processor's vt->run is this. */
tok_status tok_proc_run(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx)
{
    if (*n < 1 || *n > 2) return tok_ctx_fail(ctx, TOK_ERR_ARG, "post-processor: expected 1 or 2 sequences, got %zu", *n);
    for (size_t i = 0; i < *n; i++)
        if (encs[i].n) memset(encs[i].type_ids, (int)i, encs[i].n);
    tok_status st = tok_proc_process(p, encs, n, add, ctx);
    if (st) return st;
    if (*n == 2) {
        if (tok_enc_append(&encs[0], &encs[1]))
            return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory in post-processing");
        tok_enc_clear(&encs[1]);
        *n = 1;
    }
    return TOK_OK;
}

/* ["[SEP]", 102]: HF's (String, u32) tuple.  Ids must fit libtok's int32. */
int tok_proc_token_pair(tok_jctx *jc, const json_t *j, const char *key, char **text, int32_t *id)
{
    json_t *a = NULL;
    if (tok_jarr(jc, j, key, &a, true)) return -1;
    size_t sv = tok_jpush(jc, key);
    json_t *s = json_array_get(a, 0), *i = json_array_get(a, 1);
    if (json_array_size(a) != 2 || !json_is_string(s) || !json_is_integer(i)) {
        tok_jfail(jc, TOK_ERR_FORMAT, "expected [token, id] (a string and an integer)");
        tok_jpop(jc, sv);
        return -1;
    }
    json_int_t v = json_integer_value(i);
    if (v < 0 || v > INT32_MAX) {
        tok_jfail(jc, TOK_ERR_FORMAT, "token id %lld out of range", (long long)v);
        tok_jpop(jc, sv);
        return -1;
    }
    tok_jpop(jc, sv);
    size_t len = json_string_length(s);
    *text = malloc(len + 1);
    if (!*text) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return -1;
    }
    memcpy(*text, json_string_value(s), len + 1);
    *id = (int32_t)v;
    return 0;
}

json_t *tok_proc_token_pair_json(const char *text, int32_t id)
{
    json_t *a = json_array();
    json_array_append_new(a, json_string(text));
    json_array_append_new(a, json_integer(id));
    return a;
}

/* Put a special token before (front >= 0) and one after (back >= 0) e:
 * offsets (0,0), no word, special mask 1. */
tok_status tok_proc_add_around(tok_enc *e, int32_t front, int32_t back, uint8_t front_type, uint8_t back_type,
                               tok_ctx *ctx)
{
    size_t add = (front >= 0) + (back >= 0);
    if (tok_enc_reserve(e, e->n + add)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory in post-processing");
    if (front >= 0) {
        size_t n = e->n;
        memmove(e->ids + 1, e->ids, n * sizeof *e->ids);
        memmove(e->off + 1, e->off, n * sizeof *e->off);
        memmove(e->words + 1, e->words, n * sizeof *e->words);
        memmove(e->type_ids + 1, e->type_ids, n * sizeof *e->type_ids);
        memmove(e->special + 1, e->special, n * sizeof *e->special);
        e->ids[0] = front;
        e->off[0] = (tok_offset){0, 0};
        e->words[0] = -1;
        e->type_ids[0] = front_type;
        e->special[0] = 1;
        e->n++;
    }
    if (back >= 0) tok_enc_push(e, back, (tok_offset){0, 0}, -1, back_type, 1);
    return TOK_OK;
}
