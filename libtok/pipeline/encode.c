/*
 * Encoding: text -> pieces (added tokens, normalizer, pre-tokenizer) -> model
 * or chosen method per piece -> post-processor.  Offsets go back to the
 * original text through each piece's alignment, widened to whole characters
 * as HF reports them.
 */
#include "../internal.h"
#include "../scan/scan.h"
#include "../core/piece_cache.h"

const tok_encode_options *tok__defaults(const tok_encode_options *opt, tok_encode_options *def)
{
    tok_encode_options_init(def);
    if (!opt) return def;
    if (opt->size < offsetof(tok_encode_options, flags) + sizeof opt->flags) return NULL;
    /* a caller built against an older, shorter struct: the rest are defaults */
    memcpy(def, opt, opt->size < sizeof *def ? opt->size : sizeof *def);
    def->size = sizeof *def;
    return def;
}

tok_status tok__bad_options(tok_ctx *ctx)
{
    tok__begin_call(ctx, NULL);
    return tok_ctx_fail(ctx, TOK_ERR_ARG, "encode options not initialised (size 0): call tok_encode_options_init");
}

void tok__begin_call(tok_ctx *ctx, const tok_encode_options *opt)
{
    ctx->err[0] = 0;
    tok_arena_reset(&ctx->arena);
    ctx->nstr_top = 0;
    ctx->pieces_top = 0;
    ctx->dropped = 0;
    ctx->norm_in = ctx->norm_made = 0;
    ctx->cache_off = opt && (opt->flags & TOK_ENC_NO_CACHE);
    if (opt && opt->seed) {
        tok_rng_seed(&ctx->rng, opt->seed);
        ctx->rng_seeded = true;
    }
}

/* The caller's text as the first piece: a view when valid UTF-8, otherwise
 * (lossy mode) a copy with U+FFFD for each maximal invalid subpart, aligned
 * to the bytes it replaces. */
tok_status tok__input_view(tok_ctx *ctx, const char *text, size_t len, tok_piece *p)
{
    if (len > TOK_MAX_TEXT) return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "text of %zu bytes is larger than %zu", len, TOK_MAX_TEXT);
    if (!text && len) return tok_ctx_fail(ctx, TOK_ERR_ARG, "text is NULL");
    memset(p, 0, sizeof *p);
    p->id = -1;
    p->s = (const uint8_t *)text;
    p->n = (uint32_t)len;
    return TOK_OK;
}

tok_status tok__input_piece(tok_ctx *ctx, const char *text, size_t len, uint32_t flags, tok_piece *p)
{
    tok_status st = tok__input_view(ctx, text, len, p);
    if (st) return st;
    const uint8_t *s = (const uint8_t *)text;
    size_t bad = tok_utf8_check(s, len);
    if (bad == len) return TOK_OK;
    if (!(flags & TOK_ENC_LOSSY))
        return tok_ctx_fail(ctx, TOK_ERR_UTF8, "invalid UTF-8 at byte offset %zu", bad);
    if ((st = tok_ctx_piece_alloc(ctx, p, len * 3 + 1))) return st;
    uint8_t *o = (uint8_t *)p->s;
    uint32_t *a0 = (uint32_t *)p->a0, *a1 = (uint32_t *)p->a1;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        size_t cl;
        uint32_t cp = tok_utf8_decode(s + i, len - i, &cl);
        if (cp == TOK_UTF8_BAD) {
            static const uint8_t repl[3] = { 0xEF, 0xBF, 0xBD };
            for (int j = 0; j < 3; j++) { o[k] = repl[j]; a0[k] = (uint32_t)i; a1[k] = (uint32_t)(i + cl); k++; }
        } else {
            for (size_t j = 0; j < cl; j++) { o[k] = s[i + j]; a0[k] = (uint32_t)i; a1[k] = (uint32_t)(i + cl); k++; }
        }
        i += cl;
    }
    p->n = (uint32_t)k;
    return TOK_OK;
}

/* Run the normalizer on one piece; the result lives in the arena. */
static tok_status normalize_piece(tok_ctx *ctx, const tok_piece *p, tok_piece *q)
{
    const tok_tokenizer *t = ctx->tok;
    tok_nstr *in = tok_ctx_nstr_acquire(ctx), *out = tok_ctx_nstr_acquire(ctx);
    if (!in || !out) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
    tok_status st = TOK_OK;
    if (tok_nstr_reserve(in, p->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    memcpy(in->s, p->s, p->n);
    if (p->a0) {
        memcpy(in->a0, p->a0, p->n * sizeof *in->a0);
        memcpy(in->a1, p->a1, p->n * sizeof *in->a1);
    } else {
        /* identity view: each byte aligned to its whole character */
        for (uint32_t i = 0; i < p->n;) {
            int cl = tok_utf8_seqlen(p->s[i]);
            if (cl == 0 || i + (uint32_t)cl > p->n) cl = 1;
            for (int j = 0; j < cl; j++) {
                in->a0[i + (uint32_t)j] = p->base + i;
                in->a1[i + (uint32_t)j] = p->base + i + (uint32_t)cl;
            }
            i += (uint32_t)cl;
        }
    }
    in->n = p->n;
    out->n = 0;
    /* the segment's original start: HF's (0,0) for chars inserted before everything */
    in->start = out->start = p->n ? tok_piece_start(p, 0) : p->base;
    st = tok_normalizer_run(t->normalizer, in, out, p->n, ctx);
    if (st == TOK_OK) st = tok_ctx_piece_from_nstr(ctx, q, out);
    tok_ctx_nstr_release(ctx, out);
    tok_ctx_nstr_release(ctx, in);
    return st;
}

bool tok__match_special(const tok_tokenizer *t, uint32_t flags)
{
    if (flags & TOK_ENC_NO_SPECIAL_TEXT) return false;
    if (flags & TOK_ENC_SPECIAL_TEXT) return true;
    return t->match_special_default;
}

/* Added tokens, normalizer, pre-tokenizer: the pieces the model sees. */
static tok_status split_pieces(tok_ctx *ctx, const tok_piece *input, uint32_t flags, tok_pieces **result)
{
    const tok_tokenizer *t = ctx->tok;
    bool ms = tok__match_special(t, flags);
    tok_pieces *a = tok_ctx_pieces_acquire(ctx), *b = tok_ctx_pieces_acquire(ctx);
    if (!a || !b) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
    tok_status st = TOK_OK;
    if (flags & TOK_PRE_NO_ADDED) {
        a->n = 0;
        if (tok_vec_push(a, *input)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    } else if ((st = tok_added_split(t, false, input, ms, a, ctx))) {
        return st;
    }
    bool norm = t->normalizer && !(flags & TOK_PRE_NO_NORMALIZE);
    if (norm || (t->added.norm && !(flags & TOK_PRE_NO_ADDED))) {
        b->n = 0;
        for (size_t i = 0; i < a->n; i++) {
            tok_piece p = a->v[i];
            if (p.id >= 0) {
                if (tok_vec_push(b, p)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
                continue;
            }
            tok_piece q = p;
            if (norm && (st = normalize_piece(ctx, &p, &q))) return st;
            if (flags & TOK_PRE_NO_ADDED) {
                if (tok_vec_push(b, q)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            } else if ((st = tok_added_split(t, true, &q, ms, b, ctx))) {
                return st;
            }
        }
        tok_pieces *x = a; a = b; b = x;
    }
    if (t->pretok) {
        b->n = 0;
        if ((st = t->pretok->vt->run(t->pretok, a, b, ctx))) return st;
        tok_pieces *x = a; a = b; b = x;
    }
    *result = a;
    return TOK_OK;
}

static inline tok_status model_encode(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n, tok_toks *out)
{
    const tok_tokenizer *t = ctx->tok;
    /* likelihood with caller-given scores is a method, even on a Unigram model */
    if ((opt->method == TOK_METHOD_DEFAULT || tok_method_is_native(t, opt->method)) &&
        !(opt->method == TOK_METHOD_LIKELIHOOD && opt->scores))
        return t->model->vt->encode(t->model, ctx, s, n, opt, out);
    return tok_method_encode(ctx, opt, s, n, out);
}

/* Run the model on piece p (pre-token number w) and append its tokens to e. */
static tok_status encode_piece(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p, int32_t w,
                               tok_enc *e, uint8_t ty)
{
    if (p->n == 0) return TOK_OK;
    if (p->id >= 0) {
        if (e->ids_only) {
            /* tok_encode_ids: the other arrays are not read (nor paged in) */
            if (e->n == e->cap && tok_enc_reserve(e, e->n + 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            e->ids[e->n++] = p->id;
            return TOK_OK;
        }
        tok_offset o = { tok_piece_start(p, 0), tok_piece_end(p, p->n - 1) };
        if (tok_enc_push(e, p->id, o, w, ty, 0)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        e->added[e->n - 1] = 1;
        return TOK_OK;
    }
    tok_toks *tk = &ctx->toks;
    tk->n = 0;
    /* Models that keep no cache of their own (WordPiece, Unigram, WordLevel)
     * get one here when their answer for a pre-token cannot vary. */
    const tok_model *m = ctx->tok->model;
    bool cacheable = opt->method == TOK_METHOD_DEFAULT && m->vt->kind != TOK_MODEL_BPE && p->n <= TOK_PCACHE_MAXLEN;
    tok_pcache_q q;
    tok_pcache *pc = NULL;
    int hit = 0;
    if (cacheable) {
        if (!(pc = tok_ctx_pcache(ctx))) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        tok_pcache_query(&q, p->s, p->n);
        hit = tok_pcache_get(pc, &q, tk);
        if (hit < 0) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    tok_status st;
    if (!hit) {
        if ((st = model_encode(ctx, opt, p->s, p->n, tk))) return st;
        if (cacheable) tok_pcache_put(pc, &q, tk->id, tk->off, tk->n);
    }
    if (tok_enc_reserve(e, e->n + tk->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    /* Bytes no token covers: a BPE without unk or byte fallback drops what
     * it has no token for (as HF, silently); counted for tok_dropped_bytes. */
    size_t covered = 0;
    for (size_t i = 0; i < tk->n; i++) covered += tk->off[i].end > tk->off[i].start ? tk->off[i].end - tk->off[i].start : 0;
    if (covered < p->n) ctx->dropped += p->n - covered;
    if (e->ids_only) {
        if (tk->n) memcpy(e->ids + e->n, tk->id, tk->n * sizeof *e->ids);
        e->n += tk->n;
        return TOK_OK;
    }
    for (size_t i = 0; i < tk->n; i++) {
        uint32_t s0 = tk->off[i].start, s1 = tk->off[i].end;
        tok_offset o;
        if (s1 <= s0) {
            o.start = o.end = tok_piece_start(p, s0 < p->n ? s0 : p->n - 1);
        } else if (p->a0) {
            o.start = p->a0[s0];
            o.end = p->a1[s1 - 1];
        } else {
            /* identity view: widen to whole characters, as HF reports them */
            while (s0 > 0 && (p->s[s0] & 0xC0) == 0x80) s0--;
            while (s1 < p->n && (p->s[s1] & 0xC0) == 0x80) s1++;
            o.start = p->base + s0;
            o.end = p->base + s1;
        }
        size_t k = e->n++;
        e->ids[k] = tk->id[i];
        e->off[k] = o;
        e->words[k] = w;
        e->type_ids[k] = ty;
        e->special[k] = 0;
        e->added[k] = 0;
    }
    return TOK_OK;
}

tok_status tok__encode_general(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p,
                               int32_t *w, tok_enc *e, uint8_t ty, bool normalized)
{
    if (p->id >= 0) return encode_piece(ctx, opt, p, (*w)++, e, ty);
    int top = ctx->pieces_top;
    tok_pieces *ps;
    uint32_t flags = (opt->flags & ~(uint32_t)TOK_PRE_ONLY) | TOK_PRE_NO_ADDED | (normalized ? TOK_PRE_NO_NORMALIZE : 0);
    tok_status st = split_pieces(ctx, p, flags, &ps);
    for (size_t i = 0; !st && i < ps->n; i++) st = encode_piece(ctx, opt, &ps->v[i], (*w)++, e, ty);
    ctx->pieces_top = top; /* the two lists split_pieces took */
    return st;
}

/* A family's fused lane (pipeline/lane.h) on each piece the raw added
 * tokens leave. */
static tok_status encode_lane(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt,
                              tok_enc *e, uint8_t ty)
{
    const tok_tokenizer *t = ctx->tok;
    tok_pieces *a = tok_ctx_pieces_acquire(ctx);
    if (!a) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
    tok_status st = tok_added_split(t, false, input, tok__match_special(t, opt->flags), a, ctx);
    int32_t w = 0;
    for (size_t i = 0; !st && i < a->n; i++)
        st = a->v[i].id >= 0 ? encode_piece(ctx, opt, &a->v[i], w++, e, ty) : t->lane(ctx, opt, &a->v[i], &w, e, ty);
    tok_ctx_pieces_release(ctx, a);
    return st;
}

tok_status tok__encode_seq(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                             tok_enc *e, uint8_t ty)
{
    const tok_tokenizer *t = ctx->tok;
    tok_piece input;
    /* the direct loop checks UTF-8 as it scans */
    if (tok__direct_seq_ok(ctx, opt)) return tok__encode_direct_text(ctx, text, len, opt, e, ty);
    tok_status st = tok__input_piece(ctx, text, len, opt->flags, &input);
    if (st) return st;
    e->n = 0;
    if (t->lane && opt->method == TOK_METHOD_DEFAULT) {
        tok_ctx_progress_start(ctx, input.n);
        return encode_lane(ctx, &input, opt, e, ty);
    }
    if (t->scan) {
        /* fast lane: added tokens, then a hand-written scanner instead of the
         * regex pre-tokenizer (chosen at load only where they agree) */
        tok_pieces *a = tok_ctx_pieces_acquire(ctx);
        if (!a) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
        bool ms = tok__match_special(t, opt->flags);
        if ((st = tok_added_split(t, false, &input, ms, a, ctx))) return st;
        if (t->added.norm) {
            /* no normalizer: normalized added tokens match the text as it is */
            tok_pieces *b = tok_ctx_pieces_acquire(ctx);
            if (!b) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
            for (size_t i = 0; i < a->n; i++)
                if ((st = tok_added_split(t, true, &a->v[i], ms, b, ctx))) return st;
            a = b;
        }
        int32_t w = 0;
        for (size_t i = 0; i < a->n; i++) {
            const tok_piece *p = &a->v[i];
            if (p->id >= 0) {
                if ((st = encode_piece(ctx, opt, p, w++, e, ty))) return st;
                continue;
            }
            for (size_t pos = 0; pos < p->n;) {
                size_t end = t->scan(p->s, p->n, pos);
                tok_piece q = tok_piece_sub(p, (uint32_t)pos, (uint32_t)(end - pos));
                if ((st = encode_piece(ctx, opt, &q, w++, e, ty))) return st;
                pos = end;
            }
        }
        return TOK_OK;
    }
    tok_pieces *ps;
    if ((st = split_pieces(ctx, &input, opt->flags & ~(uint32_t)TOK_PRE_ONLY, &ps))) return st;
    for (size_t w = 0; w < ps->n; w++)
        if ((st = encode_piece(ctx, opt, &ps->v[w], (int32_t)w, e, ty))) return st;
    return TOK_OK;
}

static void fill_result(const tok_enc *e, uint32_t flags, tok_encoding *out)
{
    out->n = e->n;
    out->ids = e->ids;
    out->offsets = (flags & TOK_ENC_OFFSETS) ? e->off : NULL;
    out->words = e->words;
    out->type_ids = e->type_ids;
    out->special = e->special;
}



static tok_status encode_any(tok_ctx *ctx, const char *a, size_t alen, const char *b, size_t blen, bool pair,
                             const tok_encode_options *opt, tok_encoding *out)
{
    if (!ctx || !out) return TOK_ERR_ARG;
    tok_encode_options def;
    if (!(opt = tok__defaults(opt, &def))) return tok__bad_options(ctx);
    tok__begin_call(ctx, opt);
    memset(out, 0, sizeof *out);
    tok_status st = tok__encode_seq(ctx, a, alen, opt, &ctx->enc[0], 0);
    if (st) return st;
    size_t n = 1;
    if (pair) {
        if ((st = tok__encode_seq(ctx, b, blen, opt, &ctx->enc[1], 1))) return st;
        n = 2;
    }
    return tok__finish(ctx, opt, n, out);
}

/* Post-process ctx->enc[0..n) and publish the result (truncate.c when the
 * file or the context asks for truncation or padding). */
tok_status tok__finish(tok_ctx *ctx, const tok_encode_options *opt, size_t n, tok_encoding *out)
{
    const tok_tokenizer *t = ctx->tok;
    ctx->nres = 0;
    ctx->mask = NULL;
    if ((ctx->trunc_set ? ctx->trunc.enabled : t->trunc.enabled) || (ctx->pad_set ? ctx->pad.enabled : t->pad.enabled))
        return tok__finish_truncated(ctx, opt, n, out);
    tok_status st;
    bool add_special = (opt->flags & TOK_ENC_ADD_SPECIAL) != 0;
    if (t->post) {
        if ((st = t->post->vt->run(t->post, ctx->enc, &n, add_special, ctx))) return st;
    }
    if (n == 2) {
        if (tok_enc_append(&ctx->enc[0], &ctx->enc[1])) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    tok_enc *e = &ctx->enc[0];
    if (tok_enc_reserve(e, e->n ? e->n : 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    memset(e->mask, 1, e->n);
    ctx->mask = e->mask;
    fill_result(e, opt->flags, out);
    return TOK_OK;
}

tok_status tok_encode(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt, tok_encoding *out)
{
    return encode_any(ctx, text, len, NULL, 0, false, opt, out);
}

tok_status tok_encode_pair(tok_ctx *ctx, const char *a, size_t alen, const char *b, size_t blen,
                           const tok_encode_options *opt, tok_encoding *out)
{
    return encode_any(ctx, a, alen, b, blen, true, opt, out);
}

/* Whether the ids of a call are those of the sequence with nothing or a
 * fixed wrap around it: no truncation or padding, and no post-processor
 * adding tokens or one that only puts the same ids around a single
 * sequence (t->wrap: *wrap set then). */
bool tok__ids_alone(const tok_ctx *ctx, const tok_encode_options *opt, bool *wrap)
{
    const tok_tokenizer *t = ctx->tok;
    *wrap = t->post && (opt->flags & TOK_ENC_ADD_SPECIAL);
    if (*wrap && !t->wrap_ok) return false;
    return !(ctx->trunc_set ? ctx->trunc.enabled : t->trunc.enabled) && !(ctx->pad_set ? ctx->pad.enabled : t->pad.enabled);
}

tok_status tok_encode_ids(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                          int32_t *ids, size_t cap, size_t *n)
{
    if (!ctx || (!ids && cap)) return TOK_ERR_ARG;
    tok_encode_options def;
    const tok_encode_options *o = tok__defaults(opt, &def);
    if (!o) return tok__bad_options(ctx);
    const tok_tokenizer *t = ctx->tok;
    size_t k;
    bool wrap, alone = tok__ids_alone(ctx, o, &wrap);
    /* the sequence's ids go after the wrap's front ones (as many as fit) */
    size_t nf = wrap ? t->wrap_front : 0, nb = wrap ? t->wrap_back : 0, skip = nf < cap ? nf : cap;
    int32_t *dst = ids ? ids + skip : NULL;
    size_t dcap = cap - skip;
    if (t->scan && tok__direct_ok(ctx, o) && alone) {
        /* ids straight into the caller's buffer: no encoding is built */
        tok__begin_call(ctx, o);
        tok_status st = tok__encode_direct_ids_text(ctx, text, len, o, dst, dcap, &k);
        if (st) return st;
    } else if (t->lane && o->method == TOK_METHOD_DEFAULT && alone) {
        /* a fused lane writing ids alone: the other arrays of the encoding
         * are neither filled nor paged in (nothing reads them here) */
        tok__begin_call(ctx, o);
        tok_enc *e = &ctx->enc[0];
        e->ids_only = true;
        /* written in the caller's buffer itself while they fit */
        if (dst && dcap) tok_enc_lend(e, dst, dcap);
        tok_status st = tok__encode_seq(ctx, text, len, o, e, 0);
        bool in_place = e->lent;
        tok_enc_unlend(e);
        e->ids_only = false;
        if (st) return st;
        k = e->n;
        if (!in_place && k && dcap) memcpy(dst, e->ids, (k < dcap ? k : dcap) * sizeof *ids);
    } else {
        nf = nb = 0;
        skip = 0;
        tok_encoding e;
        tok_status st = tok_encode(ctx, text, len, opt, &e);
        if (st) return st;
        k = e.n;
        if (k && cap) memcpy(ids, e.ids, (k < cap ? k : cap) * sizeof *ids);
    }
    if (nf + nb) {
        if (skip) memcpy(ids, t->wrap, skip * sizeof *ids);
        for (size_t i = 0; i < nb && nf + k + i < cap; i++) ids[nf + k + i] = t->wrap[nf + i];
        k += nf + nb;
    }
    if (n) *n = k;
    if (k > cap) return tok_ctx_fail(ctx, TOK_ERR_BUFFER, "%zu ids do not fit in a buffer of %zu", k, cap);
    return TOK_OK;
}

tok_status tok_encode_pretoken(tok_ctx *ctx, const char *piece, size_t len, const tok_encode_options *opt,
                               tok_encoding *out)
{
    if (!ctx || !out || (!piece && len)) return TOK_ERR_ARG;
    tok_encode_options def;
    if (!(opt = tok__defaults(opt, &def))) return tok__bad_options(ctx);
    tok__begin_call(ctx, opt);
    memset(out, 0, sizeof *out);
    if (len > TOK_MAX_TEXT) return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "pre-token too large");
    tok_toks *tk = &ctx->toks;
    tk->n = 0;
    tok_status st = model_encode(ctx, opt, (const uint8_t *)piece, (uint32_t)len, tk);
    if (st) return st;
    tok_enc *e = &ctx->enc[0];
    e->n = 0;
    if (tok_enc_reserve(e, tk->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < tk->n; i++) tok_enc_push(e, tk->id[i], tk->off[i], 0, 0, 0);
    fill_result(e, opt->flags | TOK_ENC_OFFSETS, out);
    return TOK_OK;
}

size_t tok_dropped_bytes(const tok_ctx *ctx)
{
    return ctx ? ctx->dropped : 0;
}

tok_status tok_normalize(tok_ctx *ctx, const char *text, size_t len, const char **out, size_t *out_len,
                         const tok_offset **align)
{
    if (!ctx || !out || !out_len) return TOK_ERR_ARG;
    tok__begin_call(ctx, NULL);
    tok_piece in, q;
    tok_status st = tok__input_piece(ctx, text, len, 0, &in);
    if (st) return st;
    q = in;
    if (ctx->tok->normalizer && (st = normalize_piece(ctx, &in, &q))) return st;
    *out = (const char *)q.s;
    *out_len = q.n;
    if (align) {
        tok_offset *a = tok_arena_alloc(&ctx->arena, (q.n + 1) * sizeof *a);
        if (!a) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        for (uint32_t i = 0; i < q.n; i++) {
            a[i].start = tok_piece_start(&q, i);
            a[i].end = tok_piece_end(&q, i);
        }
        *align = a;
    }
    return TOK_OK;
}

tok_status tok_pretokenize(tok_ctx *ctx, const char *text, size_t len, uint32_t flags,
                           const tok_pretoken **out, size_t *n)
{
    if (!ctx || !out || !n) return TOK_ERR_ARG;
    tok__begin_call(ctx, NULL);
    tok_piece in;
    tok_status st = tok__input_piece(ctx, text, len, flags, &in);
    if (st) return st;
    tok_pieces *ps;
    if ((st = split_pieces(ctx, &in, flags, &ps))) return st;
    tok_pretoken *v = tok_arena_alloc(&ctx->arena, (ps->n + 1) * sizeof *v);
    if (!v) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const tok_piece *p = &ps->v[i];
        if (!p->n) continue;
        v[k].text = (const char *)p->s;
        v[k].len = p->n;
        v[k].offset.start = tok_piece_start(p, 0);
        v[k].offset.end = tok_piece_end(p, p->n - 1);
        v[k].id = p->id;
        k++;
    }
    *out = v;
    *n = k;
    return TOK_OK;
}
