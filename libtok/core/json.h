/*
 * JSON handling, for the files that read or write tokenizer.json trees
 * (components' from_json/to_json, loaders, tokenizer/): jansson, and typed
 * access whose every error names the file and the JSON path.  The rest of
 * the library includes internal.h only and never sees jansson.
 */
#ifndef LIBTOK_CORE_JSON_H
#define LIBTOK_CORE_JSON_H

#include "../internal.h"

#include <jansson.h>

/* ------------------------------------------------------------------------ */
/* JSON helpers with file + path in every message (core/json.c)              */
/* ------------------------------------------------------------------------ */

struct tok_jctx {
    const char *file;     /* named in every message */
    tok_error *err;
    char path[512];       /* e.g. "pre_tokenizer.pretokenizers[1].pattern" */
    size_t plen;
    /* Set when model.vocab / model.merges were left out of the tree and are
     * to be read from the document text directly (core/rawjson.h). */
    const char *raw;
    size_t raw_len;
    size_t raw_vocab[2], raw_merges[2]; /* byte spans [start, end) */
    /* Set when loading libtok's compact format: the BPE vocabulary as
     * (u32 id, u32 len, bytes) records and merges as (u32 a, u32 b) id pairs. */
    const uint8_t *pack_vocab, *pack_merges;
    size_t pack_vocab_len, pack_nvocab, pack_nmerges;
    /* The records were made in memory by a loader that writes UTF-8 texts
     * (the .tiktoken reader's byte-level text), not read from a file: their
     * texts need no check. */
    bool pack_vocab_made;
    /* A .tokpack's stored BPE fast-path tables (borrowed, checked), or NULL. */
    const struct tok_bpe_bt *pack_bt;
    /* A .tokpack's vocabulary, whole (prebuilt): the tokenizer takes it over
     * (leaving it empty) instead of building its own. */
    tok_vocab *pack_vocabulary;
    /* With pack_vocabulary: one bit per id that is not a model token, and
     * how many model tokens there are (found while it was checked), so
     * that merges and added tokens are checked without walking it again. */
    const uint64_t *pack_notmodel;
    size_t pack_model_count;
};

/** Enter a key / an index; returns the previous path length for tok_jpop. */
size_t tok_jpush(tok_jctx *jc, const char *key);
size_t tok_jpush_index(tok_jctx *jc, size_t i);
void tok_jpop(tok_jctx *jc, size_t saved);
/** "FILE: at PATH: <message>" into jc->err; returns code. */
tok_status tok_jfail(tok_jctx *jc, tok_status code, const char *fmt, ...) TOK_PRINTF(3, 4);
/** Put file and path in front of the message a helper without them left in
 *  jc->err (e.g. tok_vocab_set); returns its code. */
tok_status tok_jwrap(tok_jctx *jc);

/* Typed getters.  Return 0 on success or absent-and-optional (out left as
 * is; JSON null counts as absent), -1 after reporting a type error or a
 * missing required key through jc. */
int tok_jstr(tok_jctx *jc, const json_t *obj, const char *key, const char **out, size_t *len, bool required);
int tok_jbool(tok_jctx *jc, const json_t *obj, const char *key, bool *out, bool required);
int tok_jint(tok_jctx *jc, const json_t *obj, const char *key, int64_t *out, bool required);
int tok_jnum(tok_jctx *jc, const json_t *obj, const char *key, double *out, bool required);
int tok_jarr(tok_jctx *jc, const json_t *obj, const char *key, json_t **out, bool required);
int tok_jobj(tok_jctx *jc, const json_t *obj, const char *key, json_t **out, bool required);
/** The "type" string of a component object (required). NULL after an error. */
const char *tok_jtype(tok_jctx *jc, const json_t *obj);
/** Report an unknown key/option value as TOK_ERR_UNSUPPORTED naming it. */
tok_status tok_junsupported(tok_jctx *jc, const char *what, const char *value);
#endif
