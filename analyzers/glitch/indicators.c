/*
 * Magikarp's under-training indicators from the embedding matrices (see
 * tok_glitch.h).  Two or three passes over the matrix, a block of rows at a
 * time in float32, CBLAS for the products: the mean row, power iteration for
 * the first principal component of the centred matrix, then the per-row
 * distances.  Memory: a few vectors plus one block, whatever the matrix size.
 */
#include "analyzers/glitch/glitch_priv.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK 256

struct tok_glitch_indicators {
    size_t rows, nind;
    const char *names[5];
    float *val[5];
    int32_t *ref;
    size_t nref;
    int32_t *cand;
    size_t ncand;
    double threshold;
    int iters;
    double variance;
};

void tok_glitch_indicator_options_init(tok_glitch_indicator_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->size = sizeof *opt;
    opt->percentile = 2.0;
    opt->power_iters = 300;
    opt->power_tol = 1e-9;
}

static int ierr(tok_error *err, tok_status code, const char *fmt, const char *a, const char *b, size_t x, size_t y)
{
    err->code = code;
    snprintf(err->message, sizeof err->message, fmt, a, b, x, y);
    return -1;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* numpy.percentile, linear interpolation */
static double percentile(double *v, size_t n, double p)
{
    if (!n) return NAN;
    qsort(v, n, sizeof *v, cmp);
    double pos = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(pos), hi = lo + 1 < n ? lo + 1 : lo;
    double f = pos - (double)lo;
    return v[lo] + (v[hi] - v[lo]) * f;
}

static int is_reference(const tok_glitch *g, int32_t id)
{
    const tok_glitch_token *k = tok_glitch_get(g, id);
    if (!k) return 0;
    if (k->byte_kind == TOK_GLITCH_BYTE_NEVER_VALID) return 1;
    size_t n;
    const char *s = tok_token_text(g->t, id, &n);
    static const char *const words[] = { "unused", "reserved", "placeholder", NULL };
    for (int w = 0; words[w]; w++) {
        size_t wl = strlen(words[w]);
        for (size_t i = 0; i + wl <= n; i++)
            if (!strncasecmp(s + i, words[w], wl)) return 1;
    }
    return 0;
}

/* mean of all rows and of the reference rows (double) */
static int pass_means(const tok_matrix *m, const int32_t *ref, size_t nref, double *mu, double *u, float *blk)
{
    size_t rows = tok_matrix_rows(m), cols = tok_matrix_cols(m);
    memset(mu, 0, cols * sizeof *mu);
    memset(u, 0, cols * sizeof *u);
    for (size_t r0 = 0; r0 < rows; r0 += BLOCK) {
        size_t nb = rows - r0 < BLOCK ? rows - r0 : BLOCK;
        if (tok_matrix_rows_f32(m, r0, nb, blk)) return -1;
        for (size_t i = 0; i < nb; i++)
            for (size_t j = 0; j < cols; j++) mu[j] += blk[i * cols + j];
    }
    for (size_t j = 0; j < cols; j++) mu[j] /= (double)rows;
    for (size_t k = 0; k < nref; k++) {
        if (tok_matrix_rows_f32(m, (size_t)ref[k], 1, blk)) return -1;
        for (size_t j = 0; j < cols; j++) u[j] += blk[j];
    }
    if (nref)
        for (size_t j = 0; j < cols; j++) u[j] /= (double)nref;
    return 0;
}

/* first principal component of the centred matrix: v <- Xc^T Xc v, normalised */
static int power_iteration(const tok_matrix *m, const double *mu, int maxit, double tol, double *v,
                           float *blk, int *iters, double *lambda)
{
    size_t rows = tok_matrix_rows(m), cols = tok_matrix_cols(m);
    float *vf = malloc(cols * sizeof *vf), *y = malloc(BLOCK * sizeof *y), *acc = malloc(cols * sizeof *acc);
    double *nv = malloc(cols * sizeof *nv);
    if (!vf || !y || !acc || !nv) { free(vf); free(y); free(acc); free(nv); return -1; }
    /* deterministic start, not orthogonal to a typical PC */
    double norm = 0;
    for (size_t j = 0; j < cols; j++) { v[j] = 1.0 + (double)(j % 7) / 7.0; norm += v[j] * v[j]; }
    for (size_t j = 0; j < cols; j++) v[j] /= sqrt(norm);
    int it;
    *lambda = 0;
    for (it = 1; it <= maxit; it++) {
        double muv = 0;
        for (size_t j = 0; j < cols; j++) { vf[j] = (float)v[j]; muv += mu[j] * v[j]; }
        memset(nv, 0, cols * sizeof *nv);
        double ysum = 0;
        for (size_t r0 = 0; r0 < rows; r0 += BLOCK) {
            size_t nb = rows - r0 < BLOCK ? rows - r0 : BLOCK;
            if (tok_matrix_rows_f32(m, r0, nb, blk)) goto fail;
            /* y = Xb v - mu.v ; nv += Xb^T y */
            cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)cols, 1.0f, blk, (int)cols, vf, 1, 0.0f, y, 1);
            for (size_t i = 0; i < nb; i++) { y[i] -= (float)muv; ysum += y[i]; }
            cblas_sgemv(CblasRowMajor, CblasTrans, (int)nb, (int)cols, 1.0f, blk, (int)cols, y, 1, 0.0f, acc, 1);
            for (size_t j = 0; j < cols; j++) nv[j] += acc[j];
        }
        /* Xc^T y = X^T y - mu * sum(y) */
        double nn = 0;
        for (size_t j = 0; j < cols; j++) { nv[j] -= mu[j] * ysum; nn += nv[j] * nv[j]; }
        nn = sqrt(nn);
        if (nn == 0) break;
        *lambda = nn / (double)(rows > 1 ? rows - 1 : 1);
        double diff = 0;
        for (size_t j = 0; j < cols; j++) { nv[j] /= nn; diff += (nv[j] - v[j]) * (nv[j] - v[j]); }
        memcpy(v, nv, cols * sizeof *v);
        if (sqrt(diff) < tol) break;
    }
    *iters = it > maxit ? maxit : it;
    free(vf); free(y); free(acc); free(nv);
    return 0;
fail:
    free(vf); free(y); free(acc); free(nv);
    return -1;
}

static double cosdist(double dot, double na2, double nb2)
{
    double d = sqrt(na2 > 0 ? na2 : 0) * sqrt(nb2 > 0 ? nb2 : 0);
    return 1.0 - dot / (d < 1e-6 ? 1e-6 : d);
}

tok_glitch_indicators *tok_glitch_indicators_compute(const tok_glitch *g, const tok_matrix *embed,
                                                     const tok_matrix *unembed,
                                                     const tok_glitch_indicator_options *opt, tok_error *err)
{
    tok_error dummy;
    if (!err) err = &dummy;
    err->code = TOK_OK;
    err->message[0] = 0;
    tok_glitch_indicator_options o;
    tok_glitch_indicator_options_init(&o);
    if (opt) memcpy(&o, opt, opt->size < sizeof o ? opt->size : sizeof o);
    int tied = unembed == NULL;
    const tok_matrix *out = tied ? embed : unembed;
    if (!out) {
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message, "no embedding or unembedding matrix given");
        return NULL;
    }
    /* every id with a token needs a row */
    size_t need = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->tok[i].id >= 0) need = i + 1;
    const tok_matrix *ms[2] = { embed, unembed };
    for (int q = 0; q < 2; q++) {
        if (!ms[q]) continue;
        const tok_tensor_info *ti = tok_matrix_info(ms[q]);
        if (tok_matrix_rows(ms[q]) < need) {
            ierr(err, TOK_ERR_FORMAT, "%s: tensor %s: %zu rows, but the tokenizer has ids up to %zu", ti->file, ti->name,
                 tok_matrix_rows(ms[q]), need - 1);
            return NULL;
        }
        if (tok_matrix_cols(ms[q]) != tok_matrix_cols(out) || tok_matrix_cols(ms[q]) == 0) {
            ierr(err, TOK_ERR_FORMAT, "%s: tensor %s: %zu columns, the other matrix has %zu", ti->file, ti->name,
                 tok_matrix_cols(ms[q]), tok_matrix_cols(out));
            return NULL;
        }
    }
    size_t rows = tok_matrix_rows(out), cols = tok_matrix_cols(out);
    tok_glitch_indicators *ind = calloc(1, sizeof *ind);
    float *blk = malloc(BLOCK * cols * sizeof *blk);
    double *mu = malloc(cols * sizeof *mu), *u = malloc(cols * sizeof *u), *pc = malloc(cols * sizeof *pc);
    if (!ind || !blk || !mu || !u || !pc) goto nomem;
    ind->rows = rows;
    /* reference set */
    if (o.unused) {
        ind->ref = malloc((o.n_unused ? o.n_unused : 1) * sizeof *ind->ref);
        if (!ind->ref) goto nomem;
        for (size_t k = 0; k < o.n_unused; k++) {
            if (o.unused[k] < 0 || (size_t)o.unused[k] >= rows) {
                ierr(err, TOK_ERR_ARG, "%s%sreference id %zu is outside the matrix (%zu rows)", "", "",
                     (size_t)o.unused[k], rows);
                goto fail;
            }
            ind->ref[ind->nref++] = o.unused[k];
        }
    } else {
        ind->ref = malloc(rows * sizeof *ind->ref);
        if (!ind->ref) goto nomem;
        for (size_t i = 0; i < rows; i++)
            if (i >= g->n || (g->tok[i].id < 0 ? i >= need : is_reference(g, (int32_t)i)))
                ind->ref[ind->nref++] = (int32_t)i;
    }
    if (tied && !ind->nref) {
        err->code = TOK_ERR_ARG;
        snprintf(err->message, sizeof err->message,
                 "tied embeddings need a reference set of known-unused tokens; none was found (give --unused)");
        goto fail;
    }
    if (!tied) {
        ind->names[ind->nind] = "E_in L2 Norm";
        float *v = ind->val[ind->nind++] = malloc(rows * sizeof *v);
        if (!v) goto nomem;
        size_t er = tok_matrix_rows(embed);
        for (size_t r0 = 0; r0 < rows; r0 += BLOCK) {
            size_t nb = rows - r0 < BLOCK ? rows - r0 : BLOCK;
            if (r0 + nb > er) nb = r0 < er ? er - r0 : 0;
            if (nb && tok_matrix_rows_f32(embed, r0, nb, blk)) goto fail;
            for (size_t i = 0; i < nb; i++) v[r0 + i] = (float)sqrt(cblas_dsdot((int)cols, blk + i * cols, 1, blk + i * cols, 1));
            for (size_t i = r0 + nb; i < r0 + (rows - r0 < BLOCK ? rows - r0 : BLOCK); i++) v[i] = NAN;
        }
    }
    if (ind->nref) {
        static const char *const nm[4] = { "E_out Cosine Distance", "Centered E_out Cosine Distance",
                                           "E_out Cosine Distance w/o 1st PC", "E_out L2 Distance" };
        size_t base = ind->nind;
        for (int k = 0; k < 4; k++) {
            ind->names[ind->nind] = nm[k];
            if (!(ind->val[ind->nind++] = malloc(rows * sizeof(float)))) goto nomem;
        }
        if (pass_means(out, ind->ref, ind->nref, mu, u, blk)) goto fail;
        if (power_iteration(out, mu, o.power_iters, o.power_tol, pc, blk, &ind->iters, &ind->variance)) goto nomem;
        /* vectors as float for sdot; u' = u - (u.pc) pc; uc = u - mu */
        float *uf = malloc(cols * sizeof *uf), *upf = malloc(cols * sizeof *upf), *ucf = malloc(cols * sizeof *ucf),
              *pcf = malloc(cols * sizeof *pcf), *muf = malloc(cols * sizeof *muf), *tmp = malloc(cols * sizeof *tmp);
        if (!uf || !upf || !ucf || !pcf || !muf || !tmp) {
            free(uf); free(upf); free(ucf); free(pcf); free(muf); free(tmp);
            goto nomem;
        }
        double upc = 0, uu = 0, upup = 0, ucuc = 0;
        for (size_t j = 0; j < cols; j++) upc += u[j] * pc[j];
        for (size_t j = 0; j < cols; j++) {
            uf[j] = (float)u[j];
            upf[j] = (float)(u[j] - upc * pc[j]);
            ucf[j] = (float)(u[j] - mu[j]);
            pcf[j] = (float)pc[j];
            muf[j] = (float)mu[j];
            uu += u[j] * u[j];
            upup += (double)upf[j] * upf[j];
            ucuc += (double)ucf[j] * ucf[j];
        }
        for (size_t r0 = 0; r0 < rows; r0 += BLOCK) {
            size_t nb = rows - r0 < BLOCK ? rows - r0 : BLOCK;
            if (tok_matrix_rows_f32(out, r0, nb, blk)) { free(uf); free(upf); free(ucf); free(pcf); free(muf); free(tmp); goto fail; }
            for (size_t i = 0; i < nb; i++) {
                const float *r = blk + i * cols;
                double rr = cblas_dsdot((int)cols, r, 1, r, 1), ru = cblas_dsdot((int)cols, r, 1, uf, 1);
                double rpc = cblas_dsdot((int)cols, r, 1, pcf, 1), rup = cblas_dsdot((int)cols, r, 1, upf, 1);
                ind->val[base + 0][r0 + i] = (float)cosdist(ru, rr, uu);
                /* centred: (r - mu) . (u - mu) */
                memcpy(tmp, r, cols * sizeof *tmp);
                cblas_saxpy((int)cols, -1.0f, muf, 1, tmp, 1);
                double cc = cblas_dsdot((int)cols, tmp, 1, tmp, 1), cu = cblas_dsdot((int)cols, tmp, 1, ucf, 1);
                ind->val[base + 1][r0 + i] = (float)cosdist(cu, cc, ucuc);
                /* without the first PC: r' . u' = r . u' (u' is orthogonal to pc) */
                ind->val[base + 2][r0 + i] = (float)cosdist(rup, rr - rpc * rpc, upup);
                memcpy(tmp, r, cols * sizeof *tmp);
                cblas_saxpy((int)cols, -1.0f, uf, 1, tmp, 1);
                ind->val[base + 3][r0 + i] = (float)sqrt(cblas_dsdot((int)cols, tmp, 1, tmp, 1));
            }
        }
        free(uf); free(upf); free(ucf); free(pcf); free(muf); free(tmp);
    }
    if (ind->nind) {
        /* candidates on the main indicator (index 0) */
        double *v = malloc((g->n ? g->n : 1) * sizeof *v);
        ind->cand = malloc((g->n ? g->n : 1) * sizeof *ind->cand);
        if (!v || !ind->cand) { free(v); goto nomem; }
        size_t nv = 0;
        for (size_t i = 0; i < g->n; i++)
            if (g->tok[i].id >= 0 && g->tok[i].category == TOK_GLITCH_OK) v[nv++] = ind->val[0][i];
        ind->threshold = percentile(v, nv, o.percentile);
        nv = 0;
        for (size_t i = 0; i < g->n; i++) {
            const tok_glitch_token *k = &g->tok[i];
            if (k->id < 0 || (k->category != TOK_GLITCH_OK && k->category != TOK_GLITCH_OK_SPECIAL)) continue;
            if (ind->val[0][i] <= ind->threshold) ind->cand[ind->ncand++] = (int32_t)i;
        }
        /* ascending by main indicator, stable by id */
        for (size_t i = 1; i < ind->ncand; i++) {
            int32_t x = ind->cand[i];
            size_t j = i;
            while (j > 0 && ind->val[0][ind->cand[j - 1]] > ind->val[0][x]) { ind->cand[j] = ind->cand[j - 1]; j--; }
            ind->cand[j] = x;
        }
        free(v);
    }
    free(blk); free(mu); free(u); free(pc);
    return ind;
nomem:
    err->code = TOK_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory for the indicators");
fail:
    if (!err->code) {
        err->code = TOK_ERR_IO;
        snprintf(err->message, sizeof err->message, "reading the matrix failed");
    }
    free(blk); free(mu); free(u); free(pc);
    tok_glitch_indicators_free(ind);
    return NULL;
}

void tok_glitch_indicators_free(tok_glitch_indicators *ind)
{
    if (!ind) return;
    for (size_t k = 0; k < 5; k++) free(ind->val[k]);
    free(ind->ref);
    free(ind->cand);
    free(ind);
}

size_t tok_glitch_indicators_count(const tok_glitch_indicators *ind) { return ind->nind; }
const char *tok_glitch_indicators_name(const tok_glitch_indicators *ind, size_t k)
{
    return k < ind->nind ? ind->names[k] : NULL;
}
const float *tok_glitch_indicators_values(const tok_glitch_indicators *ind, size_t k)
{
    return k < ind->nind ? ind->val[k] : NULL;
}
size_t tok_glitch_indicators_rows(const tok_glitch_indicators *ind) { return ind->rows; }
const int32_t *tok_glitch_indicators_reference(const tok_glitch_indicators *ind, size_t *n)
{
    *n = ind->nref;
    return ind->ref;
}
const int32_t *tok_glitch_indicators_candidates(const tok_glitch_indicators *ind, size_t *n, double *threshold)
{
    *n = ind->ncand;
    if (threshold) *threshold = ind->threshold;
    return ind->cand;
}
void tok_glitch_indicators_pca(const tok_glitch_indicators *ind, int *iters, double *variance)
{
    if (iters) *iters = ind->iters;
    if (variance) *variance = ind->variance;
}
