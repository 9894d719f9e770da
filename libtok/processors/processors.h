/*
 * What the post-processor files share: each processor's constructor and
 * process_encodings() step (one file each, dispatched by processor.c) and
 * the helpers of processor.c and bytelevel.c.  Not installed.
 */
#ifndef LIBTOK_PROCESSORS_PROCESSORS_H
#define LIBTOK_PROCESSORS_PROCESSORS_H

#include "../core/json.h"

/* ---- constructors (one file each) ---- */
/** ByteLevel (bytelevel.c): offsets trimmed of the whitespace tokens carry. */
tok_processor *tok_proc_bytelevel_from_json(tok_jctx *jc, const json_t *j);
/** TemplateProcessing (template.c): sequences and special tokens per template. */
tok_processor *tok_proc_template_from_json(tok_jctx *jc, const json_t *j);
/** BertProcessing (bert.c): [CLS] A [SEP] (B [SEP]). */
tok_processor *tok_proc_bert_from_json(tok_jctx *jc, const json_t *j);
/** RobertaProcessing (roberta.c): <s> A </s> (</s> B </s>), optional offset trim. */
tok_processor *tok_proc_roberta_from_json(tok_jctx *jc, const json_t *j);
/** Sequence (sequence.c): processors chained on the same list of encodings. */
tok_processor *tok_proc_sequence_from_json(tok_jctx *jc, const json_t *j, const tok_vocab *v);

/* ---- process_encodings() of each processor (called by tok_proc_process) ---- */
/** ByteLevel's step (bytelevel.c). */
tok_status tok_proc_bytelevel_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx);
/** TemplateProcessing's step (template.c); merges the list (*n == 1). */
tok_status tok_proc_template_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx);
/** BertProcessing's step (bert.c). */
tok_status tok_proc_bert_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx);
/** RobertaProcessing's step (roberta.c). */
tok_status tok_proc_roberta_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx);
/** Sequence's step (sequence.c): each member's step in turn. */
tok_status tok_proc_sequence_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx);

/* ---- helpers (processor.c unless noted) ---- */
/** HF process_encodings() of any processor: dispatch to its step above. */
tok_status tok_proc_process(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx);
/** HF process(): type ids, process_encodings, merge; every processor's vt->run. */
tok_status tok_proc_run(const tok_processor *p, tok_enc *encs, size_t *n, bool add, tok_ctx *ctx);
/** Read a ["token", id] pair from j[key] into a heap *text and *id; 0, or -1 reported. */
int tok_proc_token_pair(tok_jctx *jc, const json_t *j, const char *key, char **text, int32_t *id);
/** The ["token", id] JSON array of a pair (for to_json). */
json_t *tok_proc_token_pair_json(const char *text, int32_t id);
/** Put special tokens before (front >= 0) and after (back >= 0) an encoding. */
tok_status tok_proc_add_around(tok_enc *e, int32_t front, int32_t back, uint8_t front_type, uint8_t back_type,
                               tok_ctx *ctx);
/** ByteLevel offset trimming of each token's whitespace (bytelevel.c, used by Roberta). */
void tok_proc_trim_offsets(tok_enc *e, bool add_prefix_space, const tok_vocab *v);

#endif /* LIBTOK_PROCESSORS_PROCESSORS_H */
