/* WordLevel: the model (wordlevel.c) and its tokenizer.json form (wordlevel_json.c). */
#ifndef LIBTOK_MODELS_WORDLEVEL_H
#define LIBTOK_MODELS_WORDLEVEL_H

#include "vocab_json.h"

typedef tok_vocab_ent wl_ent;

typedef struct wl_model {
    tok_model base;
    char *unk;
    size_t unk_len;
    tok_vocab_ents ents;
    tok_strmap map;   /* model bytes -> id */
    uint8_t *keybuf;  /* byte-level decoded keys */
} wl_model;

extern const tok_model_vt tok__wordlevel_vt;
void tok__wordlevel_free(tok_model *m);
/** The model object of tokenizer.json (wordlevel_json.c). */
json_t *tok__wordlevel_to_json(const tok_model *m, const tok_vocab *v);

#endif
