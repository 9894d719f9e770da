/* SentencePiece models as the loaders share them (loaders/spm.c reads
 * .model files, loaders/gguf.c GGUF vocabularies; spm_json.c writes the
 * tokenizer.json tree). */
#ifndef LIBTOK_LOADERS_SPM_H
#define LIBTOK_LOADERS_SPM_H

#include "../core/json.h"

/* SentencePiece piece types (ModelProto.SentencePiece.Type; GGUF token_type) */
enum { PT_NORMAL = 1, PT_UNKNOWN = 2, PT_CONTROL = 3, PT_USER = 4, PT_UNUSED = 5, PT_BYTE = 6 };

typedef struct spm_piece {
    size_t off, len; /* text in the data */
    float score;
    int type;
} spm_piece;

typedef struct spm_model {
    TOK_VEC(spm_piece) pieces;
    int model_type;
    bool byte_fallback, treat_ws_suffix, split_by_ws, ws_only_pieces;
    int32_t unk_id, bos_id, eos_id, pad_id;
    bool has_charsmap;
    size_t charsmap_off, charsmap_len;
    bool add_dummy_prefix, remove_extra_ws, escape_ws;
} spm_model;

/** The tokenizer.json tree of a SentencePiece model whose piece texts are
 *  data[off, off + len).  hf: HF's conversion (convert_slow_tokenizer)
 *  rather than spm_encode's rules.  Checks the pieces (unique, an unknown
 *  piece, supported model type); errors name the file and byte offset. */
json_t *tok__spm_model_to_json(const uint8_t *data, const spm_model *m, const char *file, bool hf, tok_error *err);

#endif
