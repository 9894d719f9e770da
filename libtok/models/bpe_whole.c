/* Whole-piece tables of the byte-level BPE fast path: see bpe_whole.h. */
#include "bpe_whole.h"

void tok_bpe_whole_free(tok_bpe_whole *w)
{
    free(w->slot);
    free(w->slot2);
    memset(w, 0, sizeof *w);
}

/* Whether BPE makes token i of its own bytes alone (see tok_bpe_whole_build). */
static bool one_token(const tok_bpe_bt *bt, const tok_vocab *v, size_t i, bool whole_ok)
{
    const tok_token *t = &v->tok[i];
    const tok_trie_cell *cell = bt->trie.cell;
    int32_t s = TOK_TRIE_ROOT;
    for (uint32_t k = 0; k < t->nbytes && s >= 0; k++) {
        uint32_t c = (uint32_t)cell[s].base + t->bytes[k];
        s = cell[c].check == s ? (int32_t)c : -1;
    }
    if (s < 0) return false;
    /* the trie's answer for these bytes: the model token, made or not */
    int32_t val = cell[s].value, id = val >= 0 ? val : val < -1 ? -2 - val : -1;
    if (id != (int32_t)i) return false; /* not a model token, or bytes another id also has */
    if (whole_ok) return true;
    return val >= 0 && !tok_bpe_bt_irregular(bt, t->bytes, t->nbytes);
}

/* Buckets for nk keys in buckets of per slots (at most ~60 % full on
 * average: a full bucket drops a key), enough that ids of n fit beside the
 * tag; 0 when they cannot. */
static unsigned bucket_bits(size_t nk, unsigned per, size_t n)
{
    unsigned bb = 6, idb = 1;
    while (((size_t)1 << idb) < n) idb++;
    while (bb < 30 && ((size_t)per << bb) * 6 < nk * 10) bb++;
    if (bb + 6 < idb) bb = idb - 6;
    return bb > 30 ? 0 : bb;
}

tok_status tok_bpe_whole_build(tok_bpe_whole *w, const tok_bpe_bt *bt, const tok_vocab *v, bool whole_ok,
                               tok_error *err)
{
    memset(w, 0, sizeof *w);
    if (!bt->ok || bt->n != v->n) return TOK_OK;
    size_t nk = 0, nk2 = 0;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t len = v->tok[i].nbytes;
        nk += len >= 1 && len <= TOK_BPE_WHOLE_MAXLEN;
        nk2 += len > TOK_BPE_WHOLE_MAXLEN && len <= TOK_BPE_WHOLE_MAXLEN2;
    }
    unsigned bb = bucket_bits(nk, 8, v->n), bb2 = bucket_bits(nk2, 4, v->n);
    if (!bb || !bb2) return TOK_OK;
    w->bshift = 57 - bb;
    w->idbits = 6 + bb;
    w->tagmask = ((uint64_t)1 << w->bshift) - 1;
    w->bshift2 = 57 - bb2;
    w->idbits2 = 6 + bb2;
    w->tagmask2 = ((uint64_t)1 << w->bshift2) - 1;
    size_t bytes = ((size_t)8 << bb) * sizeof *w->slot, bytes2 = ((size_t)8 << bb2) * sizeof *w->slot2;
    w->slot = aligned_alloc(64, bytes);
    w->slot2 = aligned_alloc(64, bytes2);
    if (!w->slot || !w->slot2) {
        tok_bpe_whole_free(w);
        return tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    }
    memset(w->slot, 0, bytes);
    memset(w->slot2, 0, bytes2);
    for (size_t i = 0; i < v->n; i++) {
        const tok_token *t = &v->tok[i];
        if (t->nbytes < 1 || t->nbytes > TOK_BPE_WHOLE_MAXLEN2 || !one_token(bt, v, i, whole_ok)) continue;
        if (t->nbytes <= TOK_BPE_WHOLE_MAXLEN) {
            uint64_t m = tok_bpe_whole_mix(tok_bpe_whole_key(t->bytes, t->nbytes));
            uint64_t *b = w->slot + (m >> w->bshift) * 8;
            for (int j = 0; j < 8; j++)
                if (!b[j]) {
                    b[j] = 1ull << 63 | (m & w->tagmask) << w->idbits | (uint64_t)i;
                    break;
                }
        } else {
            uint64_t w0;
            memcpy(&w0, t->bytes, 8);
            uint64_t w1 = t->nbytes > 8 ? tok_bpe_whole_key(t->bytes + 8, t->nbytes - 8) : 1;
            uint64_t m = tok_bpe_whole_mix(w1 ^ tok_bpe_whole_w0hash(w0));
            uint64_t *b = w->slot2 + (m >> w->bshift2) * 8;
            for (int j = 0; j < 8; j += 2)
                if (!b[j + 1]) {
                    b[j] = w0;
                    b[j + 1] = 1ull << 63 | (m & w->tagmask2) << w->idbits2 | (uint64_t)i;
                    break;
                }
        }
    }
    return TOK_OK;
}
