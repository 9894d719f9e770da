/* Normalizer dispatch: HF "type" -> the component's constructor. */
#include "../internal.h"

/* Constructors, one per file in normalizers/. */
tok_normalizer *tok_norm_bert_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_bytelevel_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_lowercase_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_nmt_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_precompiled_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_prepend_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_replace_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_sequence_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_strip_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_strip_accents_from_json(tok_jctx *jc, const json_t *j);
tok_normalizer *tok_norm_unicode_from_json(tok_jctx *jc, const json_t *j, const char *form);

tok_normalizer *tok_normalizer_from_json(tok_jctx *jc, const json_t *j)
{
    const char *type = tok_jtype(jc, j);
    if (!type) return NULL;
    if (!strcmp(type, "NFC") || !strcmp(type, "NFD") || !strcmp(type, "NFKC") || !strcmp(type, "NFKD"))
        return tok_norm_unicode_from_json(jc, j, type);
    if (!strcmp(type, "Lowercase")) return tok_norm_lowercase_from_json(jc, j);
    if (!strcmp(type, "Replace")) return tok_norm_replace_from_json(jc, j);
    if (!strcmp(type, "Prepend")) return tok_norm_prepend_from_json(jc, j);
    if (!strcmp(type, "Strip")) return tok_norm_strip_from_json(jc, j);
    if (!strcmp(type, "StripAccents")) return tok_norm_strip_accents_from_json(jc, j);
    if (!strcmp(type, "Sequence")) return tok_norm_sequence_from_json(jc, j);
    /* HF serializes the struct name; its enum also knows "Bert", which its own
     * deserializer then rejects, so only the struct name is accepted here too. */
    if (!strcmp(type, "BertNormalizer")) return tok_norm_bert_from_json(jc, j);
    if (!strcmp(type, "Precompiled")) return tok_norm_precompiled_from_json(jc, j);
    if (!strcmp(type, "Nmt")) return tok_norm_nmt_from_json(jc, j);
    if (!strcmp(type, "ByteLevel")) return tok_norm_bytelevel_from_json(jc, j);
    size_t s = tok_jpush(jc, "type");
    tok_junsupported(jc, "normalizer type", type);
    tok_jpop(jc, s);
    return NULL;
}

void tok_normalizer_free(tok_normalizer *n)
{
    if (n) n->vt->free(n);
}
