/* The "vocab" object of WordLevel and WordPiece (vocab_json.h). */
#include "vocab_json.h"

int tok_vocab_json_read(tok_jctx *jc, json_t *voc, const char *unk, size_t unk_len, tok_vocab *v,
                        tok_vocab_ents *ents)
{
    if (tok_vec_reserve(ents, json_object_size(voc))) goto nomem;
    size_t saved = tok_jpush(jc, "vocab");
    const char *key;
    size_t klen;
    json_t *val;
    json_object_keylen_foreach(voc, key, klen, val) {
        if (!json_is_integer(val) || json_integer_value(val) < 0 || json_integer_value(val) >= (1 << 30)) {
            size_t s2 = tok_jpush(jc, key);
            tok_jfail(jc, TOK_ERR_FORMAT, "expected a token id (non-negative integer)");
            tok_jpop(jc, s2);
            return -1;
        }
        int32_t id = (int32_t)json_integer_value(val);
        uint32_t flags = TOK__IN_MODEL;
        if (klen == unk_len && !memcmp(key, unk, klen)) flags |= TOK_TOKEN_UNK;
        if (tok_vocab_set(v, id, key, klen, 0, flags, jc->err)) {
            size_t s2 = tok_jpush(jc, key);
            tok_jwrap(jc);
            tok_jpop(jc, s2);
            return -1;
        }
        if (tok_vec_push(ents, ((tok_vocab_ent){ v->tok[id].text, (uint32_t)klen, id }))) goto nomem;
    }
    tok_jpop(jc, saved);
    return 0;
nomem:
    tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
    return -1;
}

typedef struct id_idx { int32_t id; uint32_t idx; } id_idx;

static int id_idx_cmp(const void *pa, const void *pb)
{
    const id_idx *a = pa, *b = pb;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    /* qsort is not stable: the index keeps equal ids in file order */
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

json_t *tok_vocab_json_write(const tok_vocab_ents *ents)
{
    size_t n = ents->n;
    json_t *voc = json_object();
    id_idx *t = malloc((n ? n : 1) * sizeof *t);
    if (!voc || !t) {
        json_decref(voc);
        free(t);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        t[i].id = ents->v[i].id;
        t[i].idx = (uint32_t)i;
    }
    qsort(t, n, sizeof *t, id_idx_cmp);
    for (size_t i = 0; i < n; i++) {
        const tok_vocab_ent *e = &ents->v[t[i].idx];
        json_object_setn_new(voc, e->text, e->len, json_integer(e->id));
    }
    free(t);
    return voc;
}
