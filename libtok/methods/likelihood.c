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
 * Estimation from a corpus (tok_scores_estimate) lives in vocab/ with the
 * trainers, on the public lattice (tok_lattice) and tok_scores_from_logp.
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

tok_scores *tok_scores_from_logp(const tok_tokenizer *t, const float *logp, size_t n, tok_error *err)
{
    if (!t || (!logp && n)) {
        tok__fail(err, TOK_ERR_ARG, "tok_scores_from_logp: bad argument");
        return NULL;
    }
    if (n != t->vocab.n) {
        tok__fail(err, TOK_ERR_ARG, "tok_scores_from_logp: %zu log-probabilities for a vocabulary of %zu ids", n,
                  t->vocab.n);
        return NULL;
    }
    tok_scores *S = scores_new(t, err);
    if (!S) return NULL;
    for (size_t i = 0; i < n; i++) S->logp[i] = isfinite(logp[i]) ? logp[i] : -INFINITY;
    scores_finish(S);
    return S;
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
