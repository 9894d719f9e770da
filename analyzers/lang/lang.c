/* The one-pass accumulator: per language, counts of text, words and tokens,
 * and a sparse count of every id.  Everything else is derived from these. */
#include "lang_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TOK_API void tok_lang_options_init(tok_lang_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->words = TOK_WORDS_WHITESPACE;
    o->isolation = true;
    tok_encode_options_init(&o->enc);
    o->enc.flags = TOK_ENC_OFFSETS; /* no special tokens: text only */
}

TOK_API tok_lang *tok_lang_new(const tok_tokenizer *t, const tok_lang_options *o, tok_error *err)
{
    tok_lang *a = calloc(1, sizeof *a);
    if (!a) goto nomem;
    a->t = t;
    if (o) {
        tok_lang_options_init(&a->o);
        size_t n = o->size && o->size < sizeof a->o ? o->size : sizeof a->o;
        memcpy(&a->o, o, n);
    } else tok_lang_options_init(&a->o);
    a->o.enc.flags |= TOK_ENC_OFFSETS;
    const char *nm = a->o.name ? a->o.name : tok_source(t);
    const char *sl = strrchr(nm, '/');
    snprintf(a->name, sizeof a->name, "%s", a->o.name ? nm : (sl && sl[1] ? sl + 1 : nm));
    a->o.name = NULL;
    a->V = tok_vocab_size(t);
    if (!(a->idclass = calloc(a->V ? a->V : 1, 1))) goto nomem;
    if (!(a->classed = calloc(a->V / 64 + 1, sizeof *a->classed))) goto nomem;
    for (size_t id = 0; id < a->V; id++) {
        /* byte tokens: one byte that is not a character on its own (byte
         * fallback <0xE4>, or a byte-level piece of a character) */
        uint32_t f = tok_token_flags(t, (int32_t)id);
        size_t bl = 0;
        const uint8_t *b = tok_token_bytes(t, (int32_t)id, &bl);
        bool partial = (f & TOK_TOKEN_BYTE) && b && bl == 1 && b[0] >= 0x80;
        a->idclass[id] = (uint8_t)(((f & TOK_TOKEN_UNK) ? 1 : 0) | (partial ? 2 : 0));
        if (a->idclass[id]) a->classed[id / 64] |= 1ull << (id % 64);
    }
    if (!(a->ws = tok_wordseg_new(a->o.words, err))) {
        tok_lang_free(a);
        return NULL;
    }
    if (!(a->iso = wordtab_new())) goto nomem;
    a->iso_owned = true;
    a->pend_lang = -1;
    if (!(a->pend = calloc(a->V ? a->V : 1, sizeof *a->pend)) || !(a->touched = malloc((a->V ? a->V : 1) * sizeof *a->touched)))
        goto nomem;
    return a;
nomem:
    if (err) {
        err->code = TOK_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
    }
    tok_lang_free(a);
    return NULL;
}

TOK_API void tok_lang_free(tok_lang *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->nl; i++) idmap_free(&a->L[i].ids);
    free(a->L);
    free(a->idclass);
    free(a->classed);
    tok_wordseg_free(a->ws);
    if (a->iso_owned) wordtab_free(a->iso);
    free(a->hs);
    free(a->pend);
    free(a->touched);
    free(a);
}

/* Move the pending counts into their language's map. */
static int flush(tok_lang *a)
{
    if (a->pend_lang >= 0) {
        idmap *m = &a->L[a->pend_lang].ids;
        for (size_t k = 0; k < a->ntouched; k++) {
            int32_t id = a->touched[k];
            if (idmap_add(m, id, a->pend[id])) return -1;
            a->pend[id] = 0;
        }
    }
    a->ntouched = 0;
    a->pend_total = 0;
    a->pend_lang = -1;
    return 0;
}

/* Index of lang, created when new; -1 on no memory. */
long lang_index(tok_lang *a, const char *lang)
{
    if (a->nl && !strcmp(a->L[a->cur].c.lang, lang)) return (long)a->cur;
    for (size_t i = 0; i < a->nl; i++)
        if (!strcmp(a->L[i].c.lang, lang)) return (long)(a->cur = i);
    if (a->nl == a->capl) {
        size_t nc = a->capl ? a->capl * 2 : 16;
        langacc *nl = realloc(a->L, nc * sizeof *nl);
        if (!nl) return -1;
        a->L = nl;
        a->capl = nc;
    }
    langacc *L = &a->L[a->nl];
    memset(L, 0, sizeof *L);
    snprintf(L->c.lang, sizeof L->c.lang, "%s", lang);
    if (idmap_init(&L->ids)) return -1;
    a->cur = a->nl++;
    return (long)a->cur;
}

int lang_share_iso(tok_lang *w, tok_lang *a)
{
    if (w->iso_owned) wordtab_free(w->iso);
    w->iso = a->iso;
    w->iso_owned = false;
    return 0;
}

/* Tokens of a word encoded on its own (ids only; a word too long for the
 * buffer still gets its count, TOK_ERR_BUFFER), stored by word type.  On
 * the running text's context, but past its pre-token cache: the type comes
 * here once, and its pieces would only evict the running text's. */
static tok_status iso_encode(tok_lang *a, tok_ctx *ctx, uint64_t h, const char *w, size_t n, uint64_t *out)
{
    tok_encode_options o = a->o.enc;
    o.flags &= ~(uint32_t)(TOK_ENC_OFFSETS | TOK_ENC_ADD_SPECIAL);
    o.flags |= TOK_ENC_NO_CACHE;
    int32_t ids[256];
    size_t k = 0;
    tok_status st = tok_encode_ids(ctx, w, n, &o, ids, sizeof ids / sizeof ids[0], &k);
    if (st && st != TOK_ERR_BUFFER) return st;
    int64_t v = wordtab_put(a->iso, h, w, n, (uint32_t)k);
    if (v < 0) return TOK_ERR_NOMEM;
    *out = (uint64_t)v;
    return TOK_OK;
}

/* Characters in UTF-8 text: the bytes that are not continuation bytes
 * (10xxxxxx), eight at a time. */
static uint64_t lang_chars(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    uint64_t cont = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        /* the continuation bits, moved to bit 0 of their bytes and summed */
        cont += (((x & ~(x << 1) & 0x8080808080808080ULL) >> 7) * 0x0101010101010101ULL) >> 56;
    }
    for (; i < len; i++) cont += (s[i] & 0xC0) == 0x80;
    return len - cont;
}

/* Lookups that miss the cache are the cost here: prefetch this far ahead. */
#define AHEAD 16

TOK_API tok_status tok_lang_add(tok_lang *a, tok_ctx *ctx, const char *lang, const char *text, size_t len)
{
    if (!a || !ctx || !lang || (!text && len)) return TOK_ERR_ARG;
    long li = lang_index(a, lang);
    if (li < 0) return TOK_ERR_NOMEM;
    langacc *L = &a->L[li];
    tok_lang_counts *c = &L->c;
    c->units++;
    c->bytes += len;
    c->chars += lang_chars(text, len);
    tok_encoding e;
    tok_status st = a->threads_inner > 1 ? tok_encode_threads(ctx, text, len, &a->o.enc, a->threads_inner, &e)
                                         : tok_encode(ctx, text, len, &a->o.enc, &e);
    if (st) return st;
    c->tokens += e.n;
    if ((a->pend_lang != li || a->pend_total + e.n > UINT32_MAX) && flush(a)) return TOK_ERR_NOMEM;
    a->pend_lang = li;
    a->pend_total += e.n;
    for (size_t i = 0; i < e.n; i++) {
        int32_t id = e.ids[i];
        if (id < 0 || (size_t)id >= a->V) { /* not in the vocabulary's range: the map itself */
            if (idmap_add(&L->ids, id, 1)) return TOK_ERR_NOMEM;
            continue;
        }
        if (!a->pend[id]++) a->touched[a->ntouched++] = id;
        if (a->classed[id / 64] >> (id % 64) & 1) {
            c->unk += a->idclass[id] & 1;
            c->byte_tokens += (a->idclass[id] >> 1) & 1;
        }
    }
    const tok_offset *w;
    size_t nw;
    if ((st = tok_wordseg_run(a->ws, text, len, &w, &nw))) return st;
    c->words += nw;
    /* running text: tokens overlapping each word (offsets ascend) */
    size_t j = 0;
    for (size_t k = 0; k < nw; k++) {
        uint32_t ws = w[k].start, we = w[k].end;
        while (j < e.n && e.offsets[j].end <= ws) j++;
        uint64_t cnt = 0;
        for (size_t q = j; q < e.n && e.offsets[q].start < we; q++)
            if (e.offsets[q].end > ws && e.offsets[q].end > e.offsets[q].start) cnt++;
        c->word_tokens += cnt;
        c->cont_words += cnt >= 2;
        c->words4 += cnt >= 4;
    }
    if (!a->o.isolation) return TOK_OK;
    /* e is invalid from here (the context encodes the new words) */
    if (nw > a->hcap) {
        size_t nc = a->hcap ? a->hcap : 256;
        while (nc < nw) nc *= 2;
        uint64_t *nh = realloc(a->hs, nc * sizeof *nh);
        if (!nh) return TOK_ERR_NOMEM;
        a->hs = nh;
        a->hcap = nc;
    }
    /* units are mostly short lines of a few words: the first AHEAD slots
     * are fetched as their hashes come, the rest AHEAD words early */
    for (size_t k = 0; k < nw; k++) {
        a->hs[k] = wordtab_hash(text + w[k].start, w[k].end - w[k].start);
        if (k < AHEAD) wordtab_prefetch(a->iso, a->hs[k]);
    }
    for (size_t k = 0; k < nw; k++) {
        if (k + AHEAD < nw) wordtab_prefetch(a->iso, a->hs[k + AHEAD]);
        const char *ws = text + w[k].start;
        size_t wl = w[k].end - w[k].start;
        int64_t v = wordtab_get(a->iso, a->hs[k], ws, wl);
        uint64_t n = (uint64_t)v;
        if (v < 0 && (st = iso_encode(a, ctx, a->hs[k], ws, wl, &n))) return st;
        c->iso_tokens += n;
        c->iso_cont += n >= 2;
        c->iso_words4 += n >= 4;
    }
    return TOK_OK;
}

TOK_API tok_status tok_lang_merge(tok_lang *a, const tok_lang *b, char *msg, size_t cap)
{
    if (a->V != b->V || a->o.words != b->o.words || a->o.isolation != b->o.isolation ||
        a->o.enc.method != b->o.enc.method) {
        snprintf(msg, cap, "cannot merge %s into %s: different tokenizer, word mode or method", b->name, a->name);
        return TOK_ERR_ARG;
    }
    for (size_t i = 0; i < b->nl; i++) {
        const langacc *B = &b->L[i];
        long li = lang_index(a, B->c.lang);
        if (li < 0) return TOK_ERR_NOMEM;
        tok_lang_counts *c = &a->L[li].c;
        const tok_lang_counts *d = &B->c;
        c->units += d->units;
        c->bytes += d->bytes;
        c->chars += d->chars;
        c->tokens += d->tokens;
        c->words += d->words;
        c->word_tokens += d->word_tokens;
        c->cont_words += d->cont_words;
        c->words4 += d->words4;
        c->iso_tokens += d->iso_tokens;
        c->iso_cont += d->iso_cont;
        c->iso_words4 += d->iso_words4;
        c->unk += d->unk;
        c->byte_tokens += d->byte_tokens;
        for (size_t k = 0; k <= B->ids.mask; k++)
            if (B->ids.s[k].key >= 0 && idmap_add(&a->L[li].ids, B->ids.s[k].key, B->ids.s[k].val)) return TOK_ERR_NOMEM;
        const int32_t *pid;
        size_t np = lang_pending(b, i, &pid);
        for (size_t k = 0; k < np; k++)
            if (idmap_add(&a->L[li].ids, pid[k], b->pend[pid[k]])) return TOK_ERR_NOMEM;
    }
    return TOK_OK;
}

TOK_API size_t tok_lang_count(const tok_lang *a) { return a->nl; }
TOK_API const char *tok_lang_name(const tok_lang *a) { return a->name; }
TOK_API tok_words tok_lang_words(const tok_lang *a) { return a->o.words; }

TOK_API tok_status tok_lang_get(const tok_lang *a, size_t i, tok_lang_counts *out)
{
    if (i >= a->nl) return TOK_ERR_RANGE;
    *out = a->L[i].c;
    out->distinct_ids = a->L[i].ids.n;
    const int32_t *pid;
    size_t np = lang_pending(a, i, &pid);
    for (size_t k = 0; k < np; k++) out->distinct_ids += idmap_get(&a->L[i].ids, pid[k]) == 0;
    return TOK_OK;
}

TOK_API long tok_lang_find(const tok_lang *a, const char *lang)
{
    for (size_t i = 0; i < a->nl; i++)
        if (!strcmp(a->L[i].c.lang, lang)) return (long)i;
    return -1;
}

TOK_API uint64_t tok_lang_id_count(const tok_lang *a, size_t i, int32_t id)
{
    bool dense = id >= 0 && (size_t)id < a->V;
    if (i != (size_t)-1)
        return i < a->nl ? idmap_get(&a->L[i].ids, id) + (dense && a->pend_lang == (long)i ? a->pend[id] : 0) : 0;
    uint64_t s = dense && a->pend_lang >= 0 ? a->pend[id] : 0;
    for (size_t k = 0; k < a->nl; k++) s += idmap_get(&a->L[k].ids, id);
    return s;
}

/* Dense counts over all ids for language i (or all); caller frees. */
uint64_t *lang_dense(const tok_lang *a, size_t i)
{
    uint64_t *d = calloc(a->V ? a->V : 1, sizeof *d);
    if (!d) return NULL;
    for (size_t k = 0; k < a->nl; k++) {
        if (i != (size_t)-1 && k != i) continue;
        const idmap *m = &a->L[k].ids;
        for (size_t s = 0; s <= m->mask; s++)
            if (m->s[s].key >= 0 && (size_t)m->s[s].key < a->V) d[m->s[s].key] += m->s[s].val;
        const int32_t *pid;
        size_t np = lang_pending(a, k, &pid);
        for (size_t q = 0; q < np; q++) d[pid[q]] += a->pend[pid[q]];
    }
    return d;
}

static size_t rank_ids(const tok_lang *a, size_t i, int32_t *ids, uint64_t *counts, size_t k, bool most)
{
    uint64_t *d = lang_dense(a, i);
    if (!d) return 0;
    size_t n = 0;
    /* selection by repeated insertion into the k-best list (k is small) */
    for (size_t id = 0; id < a->V; id++) {
        uint64_t v = d[id];
        if (!v) continue;
        size_t p = n;
        while (p > 0 && (most ? counts[p - 1] < v : counts[p - 1] > v)) p--;
        if (p >= k) continue;
        size_t last = n < k ? n : k - 1;
        memmove(ids + p + 1, ids + p, (last - p) * sizeof *ids);
        memmove(counts + p + 1, counts + p, (last - p) * sizeof *counts);
        ids[p] = (int32_t)id;
        counts[p] = v;
        if (n < k) n++;
    }
    free(d);
    return n;
}

TOK_API size_t tok_lang_top(const tok_lang *a, size_t i, int32_t *ids, uint64_t *counts, size_t k)
{
    return k ? rank_ids(a, i, ids, counts, k, true) : 0;
}

TOK_API size_t tok_lang_bottom(const tok_lang *a, size_t i, int32_t *ids, uint64_t *counts, size_t k)
{
    return k ? rank_ids(a, i, ids, counts, k, false) : 0;
}

static void hist_add(const tok_lang *a, uint64_t *hist, size_t nb, int32_t id, uint64_t count)
{
    size_t n = 0;
    if (!tok_token_bytes(a->t, id, &n)) n = 0;
    hist[n == 0 ? 0 : (n - 1 < nb ? n - 1 : nb - 1)] += count;
}

TOK_API void tok_lang_length_hist(const tok_lang *a, size_t i, uint64_t *hist, size_t nb)
{
    if (!nb) return;
    memset(hist, 0, nb * sizeof *hist);
    for (size_t k = 0; k < a->nl; k++) {
        if (i != (size_t)-1 && k != i) continue;
        const idmap *m = &a->L[k].ids;
        for (size_t s = 0; s <= m->mask; s++)
            if (m->s[s].key >= 0) hist_add(a, hist, nb, m->s[s].key, m->s[s].val);
        const int32_t *pid;
        size_t np = lang_pending(a, k, &pid);
        for (size_t q = 0; q < np; q++) hist_add(a, hist, nb, pid[q], a->pend[pid[q]]);
    }
}

TOK_API tok_status tok_lang_efficiency(const tok_lang *a, size_t i, double alpha, bool own_vocab, tok_efficiency *out)
{
    uint64_t *d = lang_dense(a, i);
    if (!d) return TOK_ERR_NOMEM;
    tok_efficiency_from_counts(d, a->V, alpha, own_vocab ? a->V : 0, out);
    out->utilisation = a->V ? (double)out->types / (double)a->V : 0;
    free(d);
    return TOK_OK;
}
