/* Whole-piece table of the byte-level BPE fast path: see bpe_whole.h. */
#include "bpe_whole.h"

void tok_bpe_whole_free(tok_bpe_whole *w)
{
    free(w->slot);
    memset(w, 0, sizeof *w);
}

tok_status tok_bpe_whole_build(tok_bpe_whole *w, const tok_bpe_bt *bt, const tok_vocab *v, bool whole_ok,
                               tok_error *err)
{
    memset(w, 0, sizeof *w);
    if (!bt->ok || bt->n != v->n) return TOK_OK;
    size_t nk = 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->tok[i].nbytes >= 1 && v->tok[i].nbytes <= TOK_BPE_WHOLE_MAXLEN) nk++;
    /* buckets at most ~60 % full on average (a full bucket drops a key), and
     * enough of them that the id fits beside the tag */
    unsigned bb = 6, idb = 1;
    while (((size_t)1 << idb) < v->n) idb++;
    while (bb < 30 && ((size_t)8 << bb) * 6 < nk * 10) bb++;
    if (bb + 6 < idb) bb = idb - 6;
    if (bb > 30) return TOK_OK;
    w->bshift = 57 - bb;
    w->idbits = 6 + bb;
    w->tagmask = ((uint64_t)1 << w->bshift) - 1;
    size_t bytes = ((size_t)8 << bb) * sizeof *w->slot;
    w->slot = aligned_alloc(64, bytes);
    if (!w->slot) return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    memset(w->slot, 0, bytes);
    const tok_trie_cell *cell = bt->trie.cell;
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        if (t->nbytes < 1 || t->nbytes > TOK_BPE_WHOLE_MAXLEN) continue;
        /* the trie's answer for these bytes (the model token, made or not) */
        int32_t s = TOK_TRIE_ROOT;
        for (uint32_t k = 0; k < t->nbytes && s >= 0; k++) {
            uint32_t c = (uint32_t)cell[s].base + t->bytes[k];
            s = cell[c].check == s ? (int32_t)c : -1;
        }
        if (s < 0) continue;
        int32_t val = cell[s].value, id = val >= 0 ? val : val < -1 ? -2 - val : -1;
        if (id != (int32_t)i) continue; /* not a model token, or bytes another id also has */
        if (val < 0 && !whole_ok) continue; /* BPE does not make it */
        if (!whole_ok && tok_bpe_bt_irregular(bt, t->bytes, t->nbytes)) continue;
        uint64_t m = tok_bpe_whole_mix(tok_bpe_whole_key(t->bytes, t->nbytes));
        uint64_t *b = w->slot + (m >> w->bshift) * 8;
        for (int j = 0; j < 8; j++)
            if (!b[j]) {
                b[j] = 1ull << 63 | (m & w->tagmask) << w->idbits | (uint64_t)id;
                break;
            }
    }
    return TOK_OK;
}
