/* Read-only accessors: model, stages, vocabulary.  All thread-safe. */
#include "../internal.h"

tok_model_kind tok_model_type(const tok_tokenizer *t) { return t->model->vt->kind; }

const char *tok_model_name(const tok_tokenizer *t) { return t->model->vt->type; }

const char *tok_describe(const tok_tokenizer *t, tok_stage stage)
{
    if ((unsigned)stage > TOK_STAGE_DECODER) return "?";
    return t->desc[stage] ? t->desc[stage] : "none";
}

const char *tok_source(const tok_tokenizer *t) { return t->source; }

size_t tok_vocab_size(const tok_tokenizer *t) { return t->vocab.n; }

static const tok_token *token(const tok_tokenizer *t, int32_t id)
{
    if (!t || id < 0 || (size_t)id >= t->vocab.n) return NULL;
    const tok_token *k = &t->vocab.tok[id];
    return (k->flags & TOK_TOKEN_NONE) ? NULL : k;
}

uint32_t tok_token_flags(const tok_tokenizer *t, int32_t id)
{
    const tok_token *k = token(t, id);
    return k ? (k->flags & ~TOK__IN_MODEL) : TOK_TOKEN_NONE;
}

const char *tok_token_text(const tok_tokenizer *t, int32_t id, size_t *len)
{
    const tok_token *k = token(t, id);
    if (len) *len = k ? k->text_len : 0;
    return k ? k->text : NULL;
}

/* One byte per value, for byte tokens' raw bytes. */
static const uint8_t all_bytes[256] = {
#define B4(x) x, x + 1, x + 2, x + 3
#define B16(x) B4(x), B4(x + 4), B4(x + 8), B4(x + 12)
    B16(0), B16(16), B16(32), B16(48), B16(64), B16(80), B16(96), B16(112),
    B16(128), B16(144), B16(160), B16(176), B16(192), B16(208), B16(224), B16(240)
#undef B16
#undef B4
};

const uint8_t *tok_token_bytes(const tok_tokenizer *t, int32_t id, size_t *len)
{
    const tok_token *k = token(t, id);
    if (!k) {
        if (len) *len = 0;
        return NULL;
    }
    int b = (k->flags & TOK_TOKEN_BYTE) && !t->vocab.byte_level ? tok_byte_piece(k->text, k->text_len) : -1;
    if (b >= 0) { /* <0xAB> stands for one byte */
        if (len) *len = 1;
        return &all_bytes[b];
    }
    if (len) *len = k->nbytes;
    return k->bytes;
}

float tok_token_score(const tok_tokenizer *t, int32_t id)
{
    const tok_token *k = token(t, id);
    return k ? k->score : 0.0f;
}

int32_t tok_token_id(const tok_tokenizer *t, const char *text, size_t len)
{
    if (!t || (!text && len)) return -1;
    return tok_vocab_id(&t->vocab, text ? text : "", len);
}

int32_t tok_role_id(const tok_tokenizer *t, tok_role role)
{
    if (!t || (unsigned)role > TOK_ROLE_MASK) return -1;
    return t->roles[role];
}
