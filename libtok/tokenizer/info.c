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

int32_t tok_token_from_bytes(const tok_tokenizer *t, const void *bytes, size_t len)
{
    if (!t || (!bytes && len)) return -1;
    return tok_vocab_model_id(&t->vocab, bytes ? bytes : "", len);
}

size_t tok_byte_level_text(const void *bytes, size_t len, char *buf, size_t cap)
{
    const uint8_t *p = bytes;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t u[4];
        int n = tok_utf8_encode(tok_bytelevel_char(p[i]), u);
        for (int j = 0; j < n; j++, k++)
            if (k < cap) buf[k] = (char)u[j];
    }
    return k;
}

/* Append n bytes to buf (as far as cap allows); returns the new length. */
static size_t put(char *buf, size_t cap, size_t k, const void *s, size_t n)
{
    if (k < cap) memcpy(buf + k, s, n < cap - k ? n : cap - k);
    return k + n;
}

tok_status tok_token_surface(const tok_tokenizer *t, int32_t id, char *buf, size_t cap, size_t *len)
{
    const tok_token *k = token(t, id);
    if (len) *len = 0;
    if (!k) return TOK_ERR_RANGE;
    if (!buf) cap = 0;
    size_t n = 0;
    const tok_model *m = t->model;
    bool model_tok = (k->flags & TOK__IN_MODEL) && !(k->flags & TOK_TOKEN_ADDED);
    int b = model_tok && (k->flags & TOK_TOKEN_BYTE_FALLBACK) ? tok_byte_piece(k->text, k->text_len) : -1;
    if (b >= 0) {
        n = put(buf, cap, 0, &all_bytes[b], 1);
    } else if (!model_tok) {
        n = put(buf, cap, 0, k->text, k->text_len);
    } else {
        const char *s = t->vocab.byte_level && !(k->flags & TOK_TOKEN_UNREACHABLE) ? (const char *)k->bytes : k->text;
        size_t sn = s == k->text ? k->text_len : k->nbytes;
        size_t pl = m->cont_prefix ? strlen(m->cont_prefix) : 0, sl = m->eow_suffix ? strlen(m->eow_suffix) : 0;
        if ((k->flags & TOK_TOKEN_CONTINUATION) && pl <= sn) { s += pl; sn -= pl; }
        if (sl && sn >= sl && !memcmp(s + sn - sl, m->eow_suffix, sl)) sn -= sl;
        bool meta = t->word_start && !strcmp(t->word_start, "\xE2\x96\x81");
        for (size_t i = 0; i < sn;) {
            if (meta && i + 3 <= sn && !memcmp(s + i, "\xE2\x96\x81", 3)) {
                n = put(buf, cap, n, " ", 1);
                i += 3;
            } else {
                n = put(buf, cap, n, s + i, 1);
                i++;
            }
        }
    }
    if (len) *len = n;
    return n > cap ? TOK_ERR_BUFFER : TOK_OK;
}

tok_status tok_model_info_get(const tok_tokenizer *t, tok_model_info *info)
{
    if (!t || !info || info->size < offsetof(tok_model_info, byte_level)) return TOK_ERR_ARG;
    tok_model_info full;
    memset(&full, 0, sizeof full);
    const tok_model *m = t->model;
    full.size = info->size < sizeof full ? info->size : sizeof full;
    full.kind = m->vt->kind;
    full.byte_level = t->vocab.byte_level;
    full.byte_fallback = m->byte_fallback;
    full.fuse_unk = m->fuse_unk;
    full.unk_id = m->unk_id;
    full.cont_prefix = m->cont_prefix;
    full.eow_suffix = m->eow_suffix;
    full.word_start = t->word_start;
    full.model_vocab_size = t->vocab.model_n;
    if (m->vt->info) m->vt->info(m, &full);
    full.merge_count = tok_merge_count(t);
    memcpy(info, &full, full.size);
    return TOK_OK;
}

size_t tok_merge_count(const tok_tokenizer *t)
{
    return t && t->model->vt->merge_count ? t->model->vt->merge_count(t->model) : 0;
}

tok_status tok_merge_get(const tok_tokenizer *t, size_t rank, int32_t *left, int32_t *right, int32_t *merged)
{
    int32_t ids[3];
    if (!t) return TOK_ERR_ARG;
    if (!t->model->vt->merge_get || t->model->vt->merge_get(t->model, rank, ids)) return TOK_ERR_RANGE;
    if (left) *left = ids[0];
    if (right) *right = ids[1];
    if (merged) *merged = ids[2];
    return TOK_OK;
}

int64_t tok_merge_rank(const tok_tokenizer *t, int32_t left, int32_t right)
{
    if (!t || !t->model->vt->merge_rank || !token(t, left) || !token(t, right)) return -1;
    return t->model->vt->merge_rank(t->model, left, right);
}

size_t tok_added_count(const tok_tokenizer *t) { return t ? t->added.v.n : 0; }

int32_t tok_added_id(const tok_tokenizer *t, size_t i)
{
    return t && i < t->added.v.n ? t->added.v.v[i].id : -1;
}

uint32_t tok_added_flags(const tok_tokenizer *t, int32_t id)
{
    if (!(tok_token_flags(t, id) & TOK_TOKEN_ADDED)) return 0;
    /* the last entry for an id is the one in force (as HF re-adding a token) */
    for (size_t i = t->added.v.n; i-- > 0;) {
        const tok_added *a = &t->added.v.v[i];
        if (a->id != id) continue;
        return TOK_ADDED_IS | (a->special ? TOK_ADDED_SPECIAL : 0) | (a->lstrip ? TOK_ADDED_LSTRIP : 0) |
               (a->rstrip ? TOK_ADDED_RSTRIP : 0) | (a->single_word ? TOK_ADDED_SINGLE_WORD : 0) |
               (a->normalized ? TOK_ADDED_NORMALIZED : 0);
    }
    return 0;
}
