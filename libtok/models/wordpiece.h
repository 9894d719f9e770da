/* WordPiece: the model (wordpiece.c) and its tokenizer.json form (wordpiece_json.c). */
#ifndef LIBTOK_MODELS_WORDPIECE_H
#define LIBTOK_MODELS_WORDPIECE_H

#include "trie.h"
#include "vocab_json.h"

typedef tok_vocab_ent wp_ent;

typedef struct wp_pop {
    int32_t id;
    uint32_t len; /* input bytes it covers (token length minus the prefix) */
} wp_pop;

typedef struct wp_model {
    tok_model base;
    char *unk;
    size_t unk_len;
    char *prefix; /* file form */
    size_t prefix_len;
    uint8_t *mprefix; /* model-space prefix */
    size_t mplen;
    int64_t max_chars;
    tok_vocab_ents ents;
    /* built by prepare */
    bool byte_level;
    tok_trie trie;
    int32_t rsharp;      /* node of the prefix, -1 if no key starts with it */
    int32_t *fail;       /* per cell: f(v), -1 = null */
    uint32_t *fpos;      /* per cell: F(v) = pops[fpos, fpos + flen) */
    uint32_t *flen;
    TOK_VEC(wp_pop) pops;
    uint8_t *keybuf;     /* byte-level decoded keys */
} wp_model;

extern const tok_model_vt tok__wordpiece_vt;
void tok__wordpiece_free(tok_model *m);
/** The model object of tokenizer.json (wordpiece_json.c). */
json_t *tok__wordpiece_to_json(const tok_model *m, const tok_vocab *v);

#endif
