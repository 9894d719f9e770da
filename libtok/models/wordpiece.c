/*
 * WordPiece (HF models/wordpiece): greedy longest-match-first with a
 * continuing-subword prefix; a word that cannot be covered, or longer than
 * max_input_chars_per_word characters, becomes the single unknown token.
 *
 * HF scans each position from the longest substring down, which is
 * quadratic in the word length.  This is LinMaxMatch (Song et al. 2021,
 * "Fast WordPiece Tokenization"): one trie holds every token, continuation
 * tokens under the node of the prefix ("##", called r#).  For each node v
 * below r#, F(v) lists the tokens MaxMatch pops when the text matched so far
 * is str(v) and the next byte has no edge, and f(v) is the node of what is
 * left ("##" + rest) once the rest can be extended again; f(v) = null when
 * MaxMatch fails.  Both come from one breadth-first pass, like Aho-Corasick
 * failure links.  Encoding a word of n bytes then takes O(n + L) trie steps
 * plus the output (L = longest token): the start of the word is matched
 * from the root (tokens there may be any key, as HF tests the bare
 * substring), the first token is the longest key seen on that walk, and the
 * rest is matched from r# using the links, where every failure step pops at
 * least one token covering at least one byte.
 */
#include "wordpiece.h"


typedef struct wp_scratch {
    uint64_t steps; /* trie transitions taken (tests check linearity) */
} wp_scratch;

/* GPT-2 alphabet text -> raw bytes; -1 if a character is outside it. */
static long bl_decode(const char *s, size_t n, uint8_t *out)
{
    size_t i = 0, k = 0;
    while (i < n) {
        size_t len;
        uint32_t cp = tok_utf8_decode((const uint8_t *)s + i, n - i, &len);
        int b = cp == TOK_UTF8_BAD ? -1 : tok_bytelevel_byte(cp);
        if (b < 0) return -1;
        out[k++] = (uint8_t)b;
        i += len;
    }
    return (long)k;
}

void tok__wordpiece_free(tok_model *m)
{
    wp_model *w = (wp_model *)m;
    if (!w) return;
    free(w->unk);
    free(w->prefix);
    free(w->mprefix);
    tok_vec_free(&w->ents);
    tok_trie_free(&w->trie);
    free(w->fail);
    free(w->fpos);
    free(w->flen);
    tok_vec_free(&w->pops);
    free(w->keybuf);
    free(w);
}

static tok_status wp_prepare(tok_model *m, const tok_vocab *v, tok_error *err)
{
    wp_model *w = (wp_model *)m;
    tok_status st = TOK_OK;
    tok_trie_key *keys = NULL;
    uint32_t *depth = NULL;
    uint8_t *insub = NULL;
    size_t nk = 0;

    w->byte_level = v->byte_level;
    if (w->byte_level) {
        size_t total = w->prefix_len;
        for (size_t i = 0; i < w->ents.n; i++) total += w->ents.v[i].len;
        w->keybuf = malloc(total + 1);
        w->mprefix = malloc(w->prefix_len + 1);
        if (!w->keybuf || !w->mprefix) goto nomem;
        long pl = bl_decode(w->prefix, w->prefix_len, w->mprefix);
        if (pl < 0) {
            /* the prefix cannot occur in byte-level text: no continuation matches */
            pl = 0;
            w->mplen = (size_t)-1;
        } else {
            w->mplen = (size_t)pl;
        }
    } else {
        w->mprefix = malloc(w->prefix_len + 1);
        if (!w->mprefix) goto nomem;
        memcpy(w->mprefix, w->prefix, w->prefix_len);
        w->mplen = w->prefix_len;
    }

    keys = malloc((w->ents.n ? w->ents.n : 1) * sizeof *keys);
    if (!keys) goto nomem;
    size_t kb = 0;
    for (size_t i = 0; i < w->ents.n; i++) {
        const wp_ent *e = &w->ents.v[i];
        if (w->byte_level) {
            long bl = bl_decode(e->text, e->len, w->keybuf + kb);
            if (bl < 0) continue; /* unreachable in byte-level text */
            keys[nk] = (tok_trie_key){ w->keybuf + kb, (uint32_t)bl, e->id };
            kb += (size_t)bl;
        } else {
            keys[nk] = (tok_trie_key){ (const uint8_t *)e->text, e->len, e->id };
        }
        nk++;
    }
    /* HF looks the unknown token up by its text among the model's tokens */
    w->base.unk_id = -1;
    for (size_t i = 0; i < w->ents.n; i++)
        if (w->ents.v[i].len == w->unk_len && !memcmp(w->ents.v[i].text, w->unk, w->unk_len))
            w->base.unk_id = w->ents.v[i].id; /* last one wins, as in a map */

    if ((st = tok_trie_build(&w->trie, keys, nk, err))) goto out;
    free(keys);
    keys = NULL;

    const tok_trie *t = &w->trie;
    w->rsharp = w->mplen == (size_t)-1 ? -1 : tok_trie_walk(t, TOK_TRIE_ROOT, w->mprefix, w->mplen);
    w->fail = malloc(t->ncells * sizeof *w->fail);
    w->fpos = calloc(t->ncells, sizeof *w->fpos);
    w->flen = calloc(t->ncells, sizeof *w->flen);
    depth = calloc(t->ncells, sizeof *depth);
    insub = calloc(t->ncells, 1);
    if (!w->fail || !w->fpos || !w->flen || !depth || !insub) goto nomem;
    for (uint32_t i = 0; i < t->ncells; i++) w->fail[i] = -1;
    if (w->rsharp < 0) goto out;

    uint32_t plen = (uint32_t)w->mplen;
    insub[w->rsharp] = 1;
    for (uint32_t bi = 1; bi < t->nnodes; bi++) {
        int32_t node = (int32_t)t->bfs[bi];
        int32_t u = tok_trie_parent(t, node);
        depth[node] = depth[u] + 1;
        if (node == w->rsharp || !insub[u]) continue;
        insub[node] = 1;
        int32_t val = tok_trie_value(t, node);
        if (val >= 0) {
            /* a token itself: pop it, continue from r# */
            w->fpos[node] = (uint32_t)w->pops.n;
            w->flen[node] = 1;
            w->fail[node] = w->rsharp;
            if (tok_vec_push(&w->pops, ((wp_pop){ val, depth[node] - plen }))) goto nomem;
            continue;
        }
        if (u == w->rsharp || w->fail[u] < 0) continue; /* null */
        uint8_t c = tok_trie_label(t, node);
        int32_t z = w->fail[u];
        int32_t nz = tok_trie_child(t, z, c);
        if (nz >= 0) {
            /* same pops as the parent: share them */
            w->fail[node] = nz;
            w->fpos[node] = w->fpos[u];
            w->flen[node] = w->flen[u];
            continue;
        }
        size_t start = w->pops.n;
        if (tok_vec_reserve(&w->pops, start + w->flen[u])) goto nomem;
        memcpy(w->pops.v + start, w->pops.v + w->fpos[u], w->flen[u] * sizeof *w->pops.v);
        w->pops.n += w->flen[u];
        for (;;) {
            if (w->fail[z] < 0) {
                nz = -1;
                break;
            }
            size_t at = w->pops.n;
            if (tok_vec_reserve(&w->pops, at + w->flen[z])) goto nomem;
            memcpy(w->pops.v + at, w->pops.v + w->fpos[z], w->flen[z] * sizeof *w->pops.v);
            w->pops.n += w->flen[z];
            z = w->fail[z];
            nz = tok_trie_child(t, z, c);
            if (nz >= 0) break;
        }
        if (nz < 0) {
            w->pops.n = start; /* MaxMatch fails from here */
            continue;
        }
        if (w->pops.n - start > UINT32_MAX) goto nomem;
        w->fail[node] = nz;
        w->fpos[node] = (uint32_t)start;
        w->flen[node] = (uint32_t)(w->pops.n - start);
    }
    goto out;
nomem:
    st = tok__fail(err, TOK_ERR_NOMEM, "out of memory preparing WordPiece");
out:
    free(keys);
    free(depth);
    free(insub);
    return st;
}

static void *wp_scratch_new(const tok_model *m)
{
    TOK_UNUSED(m);
    return calloc(1, sizeof(wp_scratch));
}

static void wp_scratch_free(void *s) { free(s); }

static tok_status wp_unk(const wp_model *w, tok_ctx *ctx, uint32_t n, tok_toks *out, size_t mark)
{
    out->n = mark;
    if (w->base.unk_id < 0)
        return tok_ctx_fail(ctx, TOK_ERR_FORMAT, "WordPiece: the unknown token \"%s\" is not in the vocabulary",
                            w->unk);
    if (tok_toks_push(out, w->base.unk_id, 0, n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

/* Transitions taken by the last encode calls on ctx (for tests). */
uint64_t tok__wordpiece_steps(const tok_ctx *ctx);
uint64_t tok__wordpiece_steps(const tok_ctx *ctx)
{
    const wp_scratch *s = ctx->model_scratch;
    return s ? s->steps : 0;
}

/* Emit F(node), the tokens MaxMatch pops on a failure step at node,
 * advancing *pos over the input they cover; -1 when out of memory. */
static inline int push_pops(const wp_model *w, int32_t node, tok_toks *out, uint32_t *pos)
{
    for (uint32_t k = 0; k < w->flen[node]; k++) {
        const wp_pop *p = &w->pops.v[w->fpos[node] + k];
        if (tok_toks_push(out, p->id, *pos, *pos + p->len)) return -1;
        *pos += p->len;
    }
    return 0;
}

static tok_status wp_encode(const tok_model *m, tok_ctx *ctx, const uint8_t *s, uint32_t n,
                            const tok_encode_options *opt, tok_toks *out)
{
    const wp_model *w = (const wp_model *)m;
    const tok_trie *t = &w->trie;
    wp_scratch *sc = ctx->model_scratch;
    size_t mark = out->n;
    uint64_t steps = 0;

    if (opt && opt->method != TOK_METHOD_DEFAULT && opt->method != TOK_METHOD_LONGEST_PREFIX)
        return tok_ctx_fail(ctx, TOK_ERR_UNSUPPORTED, "WordPiece: method %s is not native",
                            tok_method_name(opt->method));
    if (n == 0) return TOK_OK;

    /* length limit in characters (bytes for byte-level vocabularies) */
    uint64_t chars = n;
    if (!w->byte_level) {
        chars = 0;
        for (uint32_t i = 0; i < n; i++) chars += (s[i] & 0xC0) != 0x80;
    }
    if (chars > (uint64_t)w->max_chars) return wp_unk(w, ctx, n, out, mark);

    /* start of the word: any key may match; take the longest on the walk */
    int32_t node = TOK_TRIE_ROOT, first = -1;
    uint32_t i = 0, first_len = 0;
    while (i < n) {
        int32_t nx = tok_trie_child(t, node, s[i]);
        steps++;
        if (nx < 0) break;
        node = nx;
        i++;
        int32_t val = tok_trie_value(t, node);
        if (val >= 0) {
            first = val;
            first_len = i;
        }
    }
    if (first < 0) goto unk;
    if (tok_toks_push(out, first, 0, first_len)) goto nomem;
    if (first_len == n) goto done;
    if (w->rsharp < 0) goto unk;

    /* the rest: continuation matching from r# with failure links */
    uint32_t pos = first_len; /* input offset where str(node) minus the prefix starts */
    node = w->rsharp;
    i = first_len;
    while (i < n) {
        int32_t nx = tok_trie_child(t, node, s[i]);
        steps++;
        if (nx >= 0) {
            node = nx;
            i++;
            continue;
        }
        if (w->fail[node] < 0) goto unk;
        if (push_pops(w, node, out, &pos)) goto nomem;
        node = w->fail[node];
        steps++;
    }
    while (node != w->rsharp) {
        if (w->fail[node] < 0) goto unk;
        if (push_pops(w, node, out, &pos)) goto nomem;
        node = w->fail[node];
        steps++;
    }
done:
    if (sc) sc->steps += steps;
    return TOK_OK;
unk:
    if (sc) sc->steps += steps;
    return wp_unk(w, ctx, n, out, mark);
nomem:
    out->n = mark;
    return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
}

const tok_model_vt tok__wordpiece_vt = {
    .kind = TOK_MODEL_WORDPIECE,
    .type = "WordPiece",
    .prepare = wp_prepare,
    .scratch_new = wp_scratch_new,
    .scratch_free = wp_scratch_free,
    .encode = wp_encode,
    .free = tok__wordpiece_free,
    .to_json = tok__wordpiece_to_json,
};
