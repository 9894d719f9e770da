/*
 * likelihood: Viterbi over unigram log-probabilities on any vocabulary, and
 * the tok_scores that supply them where the vocabulary has none.
 *
 * Scores come from opt->scores when given, else from a Unigram model's own
 * pieces; any other vocabulary needs estimated scores.  A fallback edge (a
 * character no token covers) scores the lowest log-probability minus 10, as
 * HF and SentencePiece score the unknown piece.  Ties: the first best
 * predecessor found wins, i.e. the longest last token.
 *
 * Estimation (tok_scores_estimate): the corpus is pre-tokenized as encoding
 * would, distinct pre-tokens are counted, the default method's tokens give
 * the first counts, then each EM round takes the expected token counts over
 * every segmentation in the lattice (forward-backward in log space) and
 * re-normalizes them with add-0.01 smoothing over the indexed tokens.
 *
 * Saved scores are text:
 *     libtok-unigram-scores 1
 *     vocab_size N
 *     fingerprint 0123456789abcdef
 *     ID<TAB>LOGPROB                    (one line per scored id)
 * where the fingerprint hashes the model vocabulary (ids and file texts) so
 * scores are never applied to another vocabulary.  Ids not listed have no
 * score; lines starting with '#' and anything after a second tab are
 * ignored when loading.
 */
#include "methods.h"

#include <errno.h>
#include <stdio.h>

#define SMOOTH 0.01

const float *mx_logp(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, float *unk_score)
{
    const mx_index *x = sc->ix;
    if (opt->scores) {
        const tok_scores *S = opt->scores;
        if (S->n != x->nvocab || S->fingerprint != x->fingerprint) {
            tok_ctx_fail(ctx, TOK_ERR_ARG, "the unigram scores were made for another vocabulary (%zu ids, this one has %zu)",
                         S->n, x->nvocab);
            return NULL;
        }
        *unk_score = S->unk_score;
        return S->logp;
    }
    if (x->unigram) {
        *unk_score = x->model_unk_score;
        return x->model_logp;
    }
    tok_ctx_fail(ctx, TOK_ERR_ARG,
                 "method %s needs unigram scores for this %s vocabulary: estimate them from a corpus "
                 "(tok_scores_estimate; --unigram-from CORPUS in the tok CLI) or load saved ones "
                 "(tok_scores_load) and pass them as tok_encode_options.scores",
                 tok_method_name(opt->method), ctx->tok->model->vt->type);
    return NULL;
}

static inline double edge_lp(const float *lp, float unk, const mx_edge *e)
{
    if (e->id < 0) return unk;
    double v = lp[e->id];
    return isfinite(v) ? v : unk;
}

tok_status mx_likelihood(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, const uint8_t *s,
                         uint32_t n, tok_toks *out)
{
    const mx_index *x = sc->ix;
    float unk;
    const float *lp = mx_logp(ctx, sc, opt, &unk);
    if (!lp) return TOK_ERR_ARG;
    size_t m = (size_t)n + 1;
    if (tok_vec_reserve(&sc->d0, m) || tok_vec_reserve(&sc->u1, m) || tok_vec_reserve(&sc->i0, m) ||
        tok_vec_reserve(&sc->edges, (size_t)x->max_len + 2))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    double *best = sc->d0.v;
    uint32_t *pred = sc->u1.v;
    int32_t *pid = sc->i0.v;
    mx_edge *ed = sc->edges.v;
    for (size_t j = 0; j < m; j++) best[j] = -INFINITY;
    best[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (best[i] == -INFINITY) continue;
        uint32_t k = mx_edges_at(x, s, n, i, ed, &sc->work);
        sc->work += k;
        for (uint32_t e = 0; e < k; e++) {
            uint32_t j = i + ed[e].len;
            double v = best[i] + edge_lp(lp, unk, &ed[e]);
            if (v > best[j]) {
                best[j] = v;
                pred[j] = i;
                pid[j] = ed[e].id;
            }
        }
    }
    return mx_emit_path(ctx, x, sc, s, n, pred, pid, out);
}

/* ------------------------------------------------------------------------ */
/* scores                                                                    */
/* ------------------------------------------------------------------------ */

static tok_scores *scores_new(const tok_tokenizer *t, tok_error *err)
{
    tok_scores *S = calloc(1, sizeof *S);
    size_t n = t->vocab.n;
    if (S) S->logp = malloc((n ? n : 1) * sizeof *S->logp);
    if (!S || !S->logp) {
        free(S);
        tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    S->n = n;
    S->fingerprint = mx_fingerprint(t);
    for (size_t i = 0; i < n; i++) S->logp[i] = -INFINITY;
    return S;
}

static void scores_finish(tok_scores *S)
{
    float lo = INFINITY;
    for (size_t i = 0; i < S->n; i++)
        if (isfinite(S->logp[i]) && S->logp[i] < lo) lo = S->logp[i];
    S->unk_score = (lo == INFINITY ? 0.0f : lo) - MX_UNK_PENALTY;
}

void tok_scores_free(tok_scores *s)
{
    if (!s) return;
    free(s->logp);
    free(s);
}

/* Distinct pre-tokens with their counts; keys live in a block pool. */
typedef struct word {
    const uint8_t *s;
    uint32_t n;
    double count;
} word;

typedef struct wordtab {
    tok_strmap map;
    TOK_VEC(word) w;
    TOK_VEC(uint8_t *) blocks;
    size_t used, size;
} wordtab;

static int wordtab_add(wordtab *T, const uint8_t *s, uint32_t n)
{
    int32_t k = tok_strmap_get(&T->map, s, n);
    if (k >= 0) {
        T->w.v[k].count += 1;
        return 0;
    }
    if (T->w.n >= INT32_MAX) return -1;
    if (!T->blocks.n || T->size - T->used < n) {
        size_t sz = n > (1u << 20) ? n : (1u << 20);
        uint8_t *b = malloc(sz);
        if (!b || tok_vec_push(&T->blocks, b)) {
            free(b);
            return -1;
        }
        T->used = 0;
        T->size = sz;
    }
    uint8_t *d = T->blocks.v[T->blocks.n - 1] + T->used;
    memcpy(d, s, n);
    T->used += n;
    if (tok_vec_push(&T->w, ((word){ d, n, 1 }))) return -1;
    return tok_strmap_put(&T->map, d, n, (int32_t)(T->w.n - 1));
}

static void wordtab_free(wordtab *T)
{
    tok_strmap_free(&T->map);
    tok_vec_free(&T->w);
    for (size_t i = 0; i < T->blocks.n; i++) free(T->blocks.v[i]);
    tok_vec_free(&T->blocks);
}

/* M step: counts -> smoothed log-probabilities over the indexed tokens. */
static void m_step(tok_scores *S, const tok_tokenizer *t, const double *cnt)
{
    const tok_vocab *v = &t->vocab;
    double total = 0, k = 0;
    for (size_t i = 0; i < v->n; i++)
        if (mx_indexed(v, &v->tok[i])) {
            total += cnt[i];
            k += 1;
        }
    double z = log(total + SMOOTH * k);
    for (size_t i = 0; i < v->n; i++)
        S->logp[i] = mx_indexed(v, &v->tok[i]) ? (float)(log(cnt[i] + SMOOTH) - z) : -INFINITY;
    scores_finish(S);
}

/* Expected token counts of one pre-token (weight w) under S, added to ec. */
static tok_status e_step(mx_scratch *sc, const tok_scores *S, const uint8_t *s, uint32_t n, double w, double *ec)
{
    const mx_index *x = sc->ix;
    size_t m = (size_t)n + 1;
    if (tok_vec_reserve(&sc->d0, m) || tok_vec_reserve(&sc->d1, m) ||
        tok_vec_reserve(&sc->edges, (size_t)x->max_len + 2))
        return TOK_ERR_NOMEM;
    double *a = sc->d0.v, *b = sc->d1.v;
    mx_edge *ed = sc->edges.v;
    for (size_t j = 0; j < m; j++) a[j] = b[j] = -INFINITY;
    a[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i] == -INFINITY) continue;
        uint32_t k = mx_edges_at(x, s, n, i, ed, &sc->work);
        for (uint32_t e = 0; e < k; e++)
            a[i + ed[e].len] = mx_logaddexp(a[i + ed[e].len], a[i] + edge_lp(S->logp, S->unk_score, &ed[e]));
    }
    b[n] = 0;
    for (uint32_t i = n; i-- > 0;) {
        uint32_t k = mx_edges_at(x, s, n, i, ed, &sc->work);
        double acc = -INFINITY;
        for (uint32_t e = 0; e < k; e++)
            acc = mx_logaddexp(acc, edge_lp(S->logp, S->unk_score, &ed[e]) + b[i + ed[e].len]);
        b[i] = acc;
    }
    double Z = a[n];
    if (!isfinite(Z)) return TOK_OK;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i] == -INFINITY) continue;
        uint32_t k = mx_edges_at(x, s, n, i, ed, &sc->work);
        for (uint32_t e = 0; e < k; e++) {
            if (ed[e].id < 0) continue;
            double p = exp(a[i] + edge_lp(S->logp, S->unk_score, &ed[e]) + b[i + ed[e].len] - Z);
            ec[ed[e].id] += w * p;
        }
    }
    return TOK_OK;
}

tok_scores *tok_scores_estimate(const tok_tokenizer *t, const char *text, size_t len, int iters, tok_error *err)
{
    if (!t || (!text && len) || iters < 0) {
        tok__fail(err, TOK_ERR_ARG, "tok_scores_estimate: bad argument");
        return NULL;
    }
    tok_ctx *ctx = tok_ctx_new(t);
    wordtab T = { 0 };
    double *cnt = NULL;
    tok_scores *S = NULL;
    if (!ctx || tok_strmap_init(&T.map, 1024)) goto nomem;
    mx_scratch *sc = mx_scratch_get(ctx);
    if (!sc) {
        tok__fail(err, TOK_ERR_NOMEM, "%s", tok_ctx_error(ctx));
        goto fail;
    }
    /* distinct pre-tokens, line by line as encoding sees them */
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) + 1 : len;
        const tok_pretoken *pt;
        size_t np;
        if (tok_pretokenize(ctx, text + p, e - p, TOK_ENC_LOSSY, &pt, &np)) {
            tok__fail(err, TOK_ERR_ARG, "pre-tokenizing the corpus at byte %zu: %s", p, tok_ctx_error(ctx));
            goto fail;
        }
        for (size_t i = 0; i < np; i++)
            if (pt[i].id < 0 && pt[i].len && wordtab_add(&T, (const uint8_t *)pt[i].text, pt[i].len)) goto nomem;
        p = e;
    }
    size_t V = t->vocab.n;
    cnt = calloc(V ? V : 1, sizeof *cnt);
    if (!cnt || !(S = scores_new(t, err))) goto nomem;

    /* first counts: the default method */
    tok_encode_options o;
    tok_encode_options_init(&o);
    o.flags = 0;
    for (size_t w = 0; w < T.w.n; w++) {
        tok_encoding enc;
        if (tok_encode_pretoken(ctx, (const char *)T.w.v[w].s, T.w.v[w].n, &o, &enc)) {
            tok__fail(err, TOK_ERR_ARG, "encoding the corpus: %s", tok_ctx_error(ctx));
            goto fail;
        }
        for (size_t i = 0; i < enc.n; i++)
            if (enc.ids[i] >= 0 && (size_t)enc.ids[i] < V) cnt[enc.ids[i]] += T.w.v[w].count;
    }
    m_step(S, t, cnt);

    for (int it = 0; it < iters; it++) {
        memset(cnt, 0, V * sizeof *cnt);
        for (size_t w = 0; w < T.w.n; w++)
            if (e_step(sc, S, T.w.v[w].s, T.w.v[w].n, T.w.v[w].count, cnt)) goto nomem;
        m_step(S, t, cnt);
    }
    free(cnt);
    wordtab_free(&T);
    tok_ctx_free(ctx);
    return S;
nomem:
    tok__fail(err, TOK_ERR_NOMEM, "out of memory estimating unigram scores");
fail:
    free(cnt);
    tok_scores_free(S);
    wordtab_free(&T);
    tok_ctx_free(ctx);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* saving and loading                                                        */
/* ------------------------------------------------------------------------ */

tok_status tok_scores_save(const tok_scores *s, const char *path, tok_error *err)
{
    if (!s || !path) return tok__fail(err, TOK_ERR_ARG, "tok_scores_save: bad argument");
    FILE *f = fopen(path, "w");
    if (!f) return tok__fail(err, TOK_ERR_IO, "%s: %s", path, strerror(errno));
    fprintf(f, "libtok-unigram-scores 1\nvocab_size %zu\nfingerprint %016llx\n", s->n,
            (unsigned long long)s->fingerprint);
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->logp[i])) continue;
        fprintf(f, "%zu\t%.9g\n", i, (double)s->logp[i]);
    }
    if (ferror(f) | fclose(f)) return tok__fail(err, TOK_ERR_IO, "%s: write error", path);
    return TOK_OK;
}

static char *next_line(char **p, char *end, size_t *lineno)
{
    if (*p >= end) return NULL;
    char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
    if (nl) {
        *nl = 0;
        *p = nl + 1;
    } else {
        *p = end;
    }
    ++*lineno;
    return s;
}

tok_scores *tok_scores_load(const tok_tokenizer *t, const char *path, tok_error *err)
{
    if (!t || !path) {
        tok__fail(err, TOK_ERR_ARG, "tok_scores_load: bad argument");
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        tok__fail(err, TOK_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    TOK_VEC(char) buf = { 0 };
    char tmp[1 << 16];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (tok_vec_reserve(&buf, buf.n + k + 1)) {
            fclose(f);
            tok_vec_free(&buf);
            tok__fail(err, TOK_ERR_NOMEM, "out of memory");
            return NULL;
        }
        memcpy(buf.v + buf.n, tmp, k);
        buf.n += k;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        tok_vec_free(&buf);
        tok__fail(err, TOK_ERR_IO, "%s: read error", path);
        return NULL;
    }
    tok_scores *S = scores_new(t, err);
    if (!S) {
        tok_vec_free(&buf);
        return NULL;
    }
    char *p = buf.v, *end = buf.v + buf.n, *line;
    size_t lineno = 0, n = 0;
    unsigned long long fp = 0;
    char *e;
    if (!p || !(line = next_line(&p, end, &lineno)) || strcmp(line, "libtok-unigram-scores 1") != 0) {
        tok__fail(err, TOK_ERR_FORMAT, "%s:1: not a libtok unigram scores file (expected \"libtok-unigram-scores 1\")", path);
        goto fail;
    }
    if (!(line = next_line(&p, end, &lineno)) || sscanf(line, "vocab_size %zu", &n) != 1) {
        tok__fail(err, TOK_ERR_FORMAT, "%s:%zu: expected \"vocab_size N\"", path, lineno);
        goto fail;
    }
    if (!(line = next_line(&p, end, &lineno)) || sscanf(line, "fingerprint %llx", &fp) != 1) {
        tok__fail(err, TOK_ERR_FORMAT, "%s:%zu: expected \"fingerprint HEX\"", path, lineno);
        goto fail;
    }
    if (n != S->n || fp != S->fingerprint) {
        tok__fail(err, TOK_ERR_FORMAT, "%s: the scores are for another vocabulary (%zu ids, fingerprint %016llx; "
                  "this tokenizer has %zu ids, fingerprint %016llx)", path, n, fp, S->n,
                  (unsigned long long)S->fingerprint);
        goto fail;
    }
    while ((line = next_line(&p, end, &lineno))) {
        if (!*line || *line == '#') continue;
        errno = 0;
        unsigned long long id = strtoull(line, &e, 10);
        if (e == line || *e != '\t' || errno || id >= S->n) {
            tok__fail(err, TOK_ERR_FORMAT, "%s:%zu: expected \"ID<TAB>LOGPROB\" with an id below %zu", path, lineno, S->n);
            goto fail;
        }
        char *q = e + 1;
        double v = strtod(q, &e);
        if (e == q || (*e && *e != '\t' && *e != '\r') || !isfinite(v)) {
            tok__fail(err, TOK_ERR_FORMAT, "%s:%zu: bad log-probability", path, lineno);
            goto fail;
        }
        S->logp[id] = (float)v;
    }
    scores_finish(S);
    tok_vec_free(&buf);
    return S;
fail:
    tok_vec_free(&buf);
    tok_scores_free(S);
    return NULL;
}
