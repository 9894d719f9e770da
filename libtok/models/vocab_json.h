/*
 * The {token: id} "vocab" object of WordLevel and WordPiece: read into the
 * shared vocabulary plus the model's own entry list (file order), and
 * written back by id as HF does.  Not installed.
 */
#ifndef LIBTOK_MODELS_VOCAB_JSON_H
#define LIBTOK_MODELS_VOCAB_JSON_H

#include "../core/json.h"

typedef struct tok_vocab_ent {
    const char *text; /* in the vocabulary's string pool */
    uint32_t len;
    int32_t id;
} tok_vocab_ent;

typedef TOK_VEC(tok_vocab_ent) tok_vocab_ents;

/** Enter every token of voc (the model's "vocab") into v, flagged as the
 *  model's and, when equal to unk, as the unknown token; append each to
 *  ents.  0, or -1 after reporting on jc. */
int tok_vocab_json_read(tok_jctx *jc, json_t *voc, const char *unk, size_t unk_len, tok_vocab *v,
                        tok_vocab_ents *ents);

/** {token: id} of ents in id order (file order for equal ids); NULL when out
 *  of memory. */
json_t *tok_vocab_json_write(const tok_vocab_ents *ents);

#endif
