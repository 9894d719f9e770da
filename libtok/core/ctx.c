/* Per-thread contexts: pooled scratch buffers, the per-call arena, last error. */
#include "../internal.h"
#include "piece_cache.h"

#include <stdio.h>
#include <time.h>

tok_ctx *tok_ctx_new(const tok_tokenizer *t)
{
    if (!t) return NULL;
    tok_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->tok = t;
    if (t->model && t->model->vt->scratch_new) {
        c->model_scratch = t->model->vt->scratch_new(t->model);
        if (!c->model_scratch) {
            free(c);
            return NULL;
        }
    }
    return c;
}


void tok_ctx_free(tok_ctx *c)
{
    if (!c) return;
    if (c->model_scratch && c->tok->model->vt->scratch_free) c->tok->model->vt->scratch_free(c->model_scratch);
    if (c->method_scratch) c->method_scratch_free(c->method_scratch);
    for (int i = 0; i < 16; i++) tok_ctx_free(c->helpers[i]);
    tok_pcache_unref(c->pcache);
    tok_arena_free(&c->arena);
    for (int i = 0; i < 6; i++) {
        tok_nstr_free(&c->nstr_pool[i]);
        tok_vec_free(&c->pieces_pool[i]);
    }
    tok_toks_free(&c->toks);
    tok_enc_free(&c->enc[0]);
    tok_enc_free(&c->enc[1]);
    tok_enc_free(&c->out);
    /* truncation and padding state (pipeline/truncate.c fills it) */
    if (c->pad_set) free((char *)c->pad.pad_token);
    tok_enc_free(&c->orig[0]);
    tok_enc_free(&c->orig[1]);
    for (size_t i = 0; i < c->res.n; i++) tok_enc_free(&c->res.v[i]);
    tok_vec_free(&c->res);
    tok_vec_free(&c->strs);
    tok_vec_free(&c->sbuf);
    free(c);
}

const char *tok_ctx_error(const tok_ctx *c) { return c ? c->err : "no context"; }

tok_status tok_ctx_fail(tok_ctx *c, tok_status code, const char *fmt, ...)
{
    if (!c) return code; /* load-time checks run model code without a context */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return code;
}

tok_nstr *tok_ctx_nstr_acquire(tok_ctx *c)
{
    if (c->nstr_top >= 6) return NULL;
    tok_nstr *t = &c->nstr_pool[c->nstr_top++];
    t->n = 0;
    tok_nstr_limit(t, 0);
    return t;
}

void tok_ctx_nstr_release(tok_ctx *c, tok_nstr *t)
{
    if (c->nstr_top > 0 && t == &c->nstr_pool[c->nstr_top - 1]) c->nstr_top--;
}

tok_pieces *tok_ctx_pieces_acquire(tok_ctx *c)
{
    if (c->pieces_top >= 6) return NULL;
    tok_pieces *p = &c->pieces_pool[c->pieces_top++];
    p->n = 0;
    return p;
}

void tok_ctx_pieces_release(tok_ctx *c, tok_pieces *p)
{
    if (c->pieces_top > 0 && p == &c->pieces_pool[c->pieces_top - 1]) c->pieces_top--;
}

tok_status tok_ctx_piece_alloc(tok_ctx *c, tok_piece *p, size_t cap)
{
    if (cap == 0) cap = 1;
    uint8_t *s = tok_arena_alloc(&c->arena, cap);
    uint32_t *a0 = tok_arena_alloc(&c->arena, cap * sizeof *a0);
    uint32_t *a1 = tok_arena_alloc(&c->arena, cap * sizeof *a1);
    if (!s || !a0 || !a1) return tok_ctx_fail(c, TOK_ERR_NOMEM, "out of memory");
    p->s = s;
    p->a0 = a0;
    p->a1 = a1;
    p->n = 0;
    p->base = 0;
    p->id = -1;
    return TOK_OK;
}

tok_status tok_ctx_piece_from_nstr(tok_ctx *c, tok_piece *p, const tok_nstr *s)
{
    tok_status st = tok_ctx_piece_alloc(c, p, s->n);
    if (st) return st;
    if (s->n) {
        memcpy((uint8_t *)p->s, s->s, s->n);
        memcpy((uint32_t *)p->a0, s->a0, s->n * sizeof *s->a0);
        memcpy((uint32_t *)p->a1, s->a1, s->n * sizeof *s->a1);
    }
    p->n = (uint32_t)s->n;
    return TOK_OK;
}

tok_rng *tok_ctx_rng(tok_ctx *c, const tok_encode_options *opt)
{
    TOK_UNUSED(opt); /* a seed in opt was applied when the public call started */
    if (!c->rng_seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        tok_rng_seed(&c->rng, (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)c);
        c->rng_seeded = true;
    }
    return &c->rng;
}
