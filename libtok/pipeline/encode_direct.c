/*
 * One direct loop from scanner to model, for the pipelines most text goes
 * through: no normalizer, a hand-written scanner (t->scan), ByteLevel and a
 * byte-level BPE in which every byte is a token (o200k, cl100k, Llama 3,
 * GPT-2).  The scanner yields pre-token boundaries; each pre-token goes
 * straight to the BPE model (its cache, then its fast paths) and the tokens
 * straight to the output: no per-piece views, no vtable, no allocation per
 * piece.  Output is reserved once from the text length (a byte-level BPE
 * token covers at least one byte), so it does not grow while encoding.
 *
 * Two outputs: every array of an encoding (tok_encode: ids, offsets, words,
 * type ids, masks), or ids alone into the caller's buffer (tok_encode_ids).
 * Results are those of the general path (encode.c) id for id and offset for
 * offset; the parity suites and test_encode_direct check it.
 */
#include "../internal.h"
#include "../core/piece_cache.h"
#include "../scan/scan.h"

#include <emmintrin.h>

/* Pre-tokens are scanned this many ahead of the one being resolved, their
 * cache slots fetched meanwhile: on text never seen the cache table (up to
 * 8 MiB) is out of the CPU caches, and a probe that waits for memory costs
 * more than the scan of several pre-tokens. */
#define AHEAD 16

typedef struct pending {
    uint32_t pos, len;
    tok_pcache_q q;
} pending;

/* A window of pre-tokens of piece p scanned ahead, their cache slots
 * prefetched; la_next() yields them in order.
 *
 * With `check`, the text is checked for valid UTF-8 as it is scanned, so
 * that it is read once, not once more before: each pre-token's bytes are
 * checked when the scanner has ended it (ASCII 16 bytes at a time; a
 * stretch with other bytes by the strict decoder), before the cache or the
 * model sees it.  Pre-tokens tile the text and end between characters, so
 * the text is valid exactly when each pre-token is.  A pre-token found
 * invalid (or a scanner end that cannot be one: the scanners read invalid
 * bytes safely but without meaning) stops the loop with TOK_ERR_UTF8, and
 * the caller encodes the checked text instead (tok__encode_direct_text). */
typedef struct lookahead {
    const tok_piece *p;
    tok_scan_fn scan;
    const tok_pcache *pc;
    uint32_t pos;   /* scanned up to here */
    uint32_t valid; /* checked up to here (>= pos) */
    bool check, bad;
    unsigned head, cnt;
    pending v[AHEAD];
} lookahead;

static inline void la_init(lookahead *la, const tok_piece *p, tok_scan_fn scan, const tok_pcache *pc, bool check)
{
    la->p = p;
    la->scan = scan;
    la->pc = pc;
    la->pos = la->valid = 0;
    la->check = check;
    la->bad = false;
    la->head = la->cnt = 0;
}

/* Check p->s[la->valid, end) (end: a pre-token's end past la->valid). */
static bool la_check(lookahead *la, uint32_t end)
{
    const uint8_t *s = la->p->s;
    uint32_t v = la->valid, n = la->p->n;
    while (v < end) {
        if (v + 16 <= n) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + v));
            if (!_mm_movemask_epi8(x)) {
                v += 16; /* ASCII: every byte a character, checked past `end` too */
                continue;
            }
        }
        /* other bytes near: exactly this pre-token, which starts and ends
         * between characters */
        if (tok_utf8_check(s + v, end - v) != end - v) return false;
        v = end;
    }
    la->valid = v;
    return true;
}

static inline const pending *la_next(lookahead *la)
{
    const tok_piece *p = la->p;
    while (la->cnt < AHEAD && la->pos < p->n) {
        uint32_t end = (uint32_t)la->scan(p->s, p->n, la->pos);
        if (la->check && (end > la->valid || TOK_UNLIKELY(end <= la->pos))) {
            if (TOK_UNLIKELY(end <= la->pos || end > p->n || !la_check(la, end))) {
                la->bad = true;
                la->pos = p->n;
                break;
            }
        }
        pending *x = &la->v[(la->head + la->cnt) % AHEAD];
        x->pos = la->pos;
        x->len = end - la->pos;
        tok_pcache_query(&x->q, p->s + la->pos, x->len);
        tok_pcache_prefetch(la->pc, &x->q);
        la->cnt++;
        la->pos = end;
    }
    if (!la->cnt) return NULL;
    const pending *x = &la->v[la->head];
    la->head = (la->head + 1) % AHEAD;
    la->cnt--;
    return x;
}

bool tok__direct_ok(const tok_ctx *ctx, const tok_encode_options *opt)
{
    const tok_tokenizer *t = ctx->tok;
    if (!t->scan_direct || opt->dropout > 0) return false;
    /* the model's own method only (as model_encode decides in encode.c) */
    return opt->method == TOK_METHOD_DEFAULT ||
           (tok_method_is_native(t, opt->method) && !(opt->method == TOK_METHOD_LIKELIHOOD && opt->scores));
}

/* Added-token matches of the input (raw, then normalized: with no
 * normalizer both match the text as it is), as the fast lane of encode.c. */
static tok_status split_added(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt, tok_pieces **out)
{
    const tok_tokenizer *t = ctx->tok;
    tok_pieces *a = tok_ctx_pieces_acquire(ctx);
    if (!a) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
    bool ms = tok__match_special(t, opt->flags);
    tok_status st;
    if ((st = tok_added_split(t, false, input, ms, a, ctx))) return st;
    if (t->added.norm) {
        tok_pieces *b = tok_ctx_pieces_acquire(ctx);
        if (!b) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
        for (size_t i = 0; i < a->n; i++)
            if ((st = tok_added_split(t, true, &a->v[i], ms, b, ctx))) return st;
        a = b;
    }
    *out = a;
    return TOK_OK;
}

/* Original range of token [s0, s1) of the pre-token at p->s + pos (s1 > s0:
 * BPE tokens are never empty), widened to whole characters as HF reports
 * them for a view of the caller's text. */
static inline tok_offset token_offset(const tok_piece *p, uint32_t pos, uint32_t s0, uint32_t s1, uint32_t len)
{
    tok_offset o;
    if (p->a0) {
        o.start = p->a0[pos + s0];
        o.end = p->a1[pos + s1 - 1];
        return o;
    }
    const uint8_t *s = p->s + pos;
    while (s0 > 0 && (s[s0] & 0xC0) == 0x80) s0--;
    while (s1 < len && (s[s1] & 0xC0) == 0x80) s1++;
    o.start = p->base + pos + s0;
    o.end = p->base + pos + s1;
    return o;
}

static tok_status encode_direct(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt,
                                tok_enc *e, uint8_t ty, bool check)
{
    const tok_tokenizer *t = ctx->tok;
    const tok_model *m = t->model;
    tok_pieces *a;
    tok_status st = split_added(ctx, input, opt, &a);
    if (st) return st;
    /* appended after e's tokens.  At most one token per byte, and one per
     * added-token match: reserved once (address space; only what is written
     * becomes resident), up to 16 Mi tokens -- beyond, the arrays grow as
     * needed */
    size_t bound = (size_t)input->n + a->n + 1;
    if (tok_enc_reserve(e, e->n + (bound < ((size_t)1 << 24) ? bound : ((size_t)1 << 24))))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    tok_toks *tk = &ctx->toks;
    tok_pcache *pc = tok_ctx_pcache(ctx);
    if (!pc) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    int32_t w = 0;
    for (size_t i = 0; i < a->n; i++) {
        const tok_piece *p = &a->v[i];
        if (!p->n) continue;
        if (p->id >= 0) {
            size_t k = e->n++;
            e->ids[k] = p->id;
            e->off[k].start = tok_piece_start(p, 0);
            e->off[k].end = tok_piece_end(p, p->n - 1);
            e->words[k] = w++;
            e->type_ids[k] = ty;
            e->special[k] = 0;
            e->added[k] = 1;
            continue;
        }
        lookahead la;
        la_init(&la, p, t->scan, pc, check);
        for (const pending *x; (x = la_next(&la));) {
            uint32_t pos = x->pos, len = x->len;
            tk->n = 0;
            int r = tok_pcache_get(pc, &x->q, tk);
            if (r < 0) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            if (!r && (st = tok__bpe_piece(m, ctx, p->s + pos, len, tk))) return st;
            if (TOK_UNLIKELY(e->n + tk->n > e->cap) && tok_enc_reserve(e, e->n + tk->n))
                return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            size_t k = e->n;
            for (size_t j = 0; j < tk->n; j++, k++) {
                e->ids[k] = tk->id[j];
                e->off[k] = token_offset(p, pos, tk->off[j].start, tk->off[j].end, len);
                e->words[k] = w;
                e->type_ids[k] = ty;
                e->special[k] = 0;
                e->added[k] = 0;
            }
            e->n = k;
            w++;
        }
        if (la.bad) return TOK_ERR_UTF8;
    }
    return TOK_OK;
}

static tok_status encode_direct_ids(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt,
                                    int32_t *ids, size_t cap, size_t *n, bool check)
{
    const tok_tokenizer *t = ctx->tok;
    const tok_model *m = t->model;
    tok_pieces *a;
    tok_status st = split_added(ctx, input, opt, &a);
    if (st) return st;
    tok_toks *tk = &ctx->toks;
    tok_pcache *pc = tok_ctx_pcache(ctx);
    if (!pc) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    int32_t tmp[TOK_PCACHE_MAXIDS];
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        const tok_piece *p = &a->v[i];
        if (!p->n) continue;
        if (p->id >= 0) {
            if (k < cap) ids[k] = p->id;
            k++;
            continue;
        }
        lookahead la;
        la_init(&la, p, t->scan, pc, check);
        for (const pending *x; (x = la_next(&la));) {
            /* a hit writes its ids straight into the caller's buffer when
             * there is room for the most a slot or record may hold */
            if (TOK_LIKELY(cap - (k < cap ? k : cap) >= TOK_PCACHE_MAXIDS)) {
                uint32_t r = tok_pcache_get_ids(pc, &x->q, ids + k);
                if (r) {
                    k += r;
                    continue;
                }
            } else {
                uint32_t r = tok_pcache_get_ids(pc, &x->q, tmp);
                if (r) {
                    for (uint32_t j = 0; j < r; j++)
                        if (k + j < cap) ids[k + j] = tmp[j];
                    k += r;
                    continue;
                }
            }
            tk->n = 0;
            if ((st = tok__bpe_piece(m, ctx, p->s + x->pos, x->len, tk))) return st;
            if (TOK_LIKELY(k + tk->n <= cap)) {
                for (size_t j = 0; j < tk->n; j++) ids[k + j] = tk->id[j];
            } else {
                for (size_t j = 0; j < tk->n; j++)
                    if (k + j < cap) ids[k + j] = tk->id[j];
            }
            k += tk->n;
        }
        if (la.bad) return TOK_ERR_UTF8;
    }
    *n = k;
    return TOK_OK;
}

tok_status tok__encode_direct(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt,
                              tok_enc *e, uint8_t ty)
{
    e->n = 0;
    return encode_direct(ctx, input, opt, e, ty, false);
}

tok_status tok__encode_direct_ids(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt,
                                  int32_t *ids, size_t cap, size_t *n)
{
    return encode_direct_ids(ctx, input, opt, ids, cap, n, false);
}

/* Invalid UTF-8 found while scanning: the whole text checked as any other
 * path does (the error naming the first bad byte, or the lossy copy), then
 * encoded again from the start, with the scratch pieces of the first try
 * given back. */
tok_status tok__encode_direct_append(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                                     tok_enc *e, uint8_t ty)
{
    tok_piece input;
    int top = ctx->pieces_top;
    size_t from = e->n;
    tok_status st = tok__input_view(ctx, text, len, &input);
    if (st) return st;
    if ((st = encode_direct(ctx, &input, opt, e, ty, true)) != TOK_ERR_UTF8) return st;
    ctx->pieces_top = top;
    e->n = from;
    if ((st = tok__input_piece(ctx, text, len, opt->flags, &input))) return st;
    return encode_direct(ctx, &input, opt, e, ty, false);
}

tok_status tok__encode_direct_text(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                                   tok_enc *e, uint8_t ty)
{
    e->n = 0;
    return tok__encode_direct_append(ctx, text, len, opt, e, ty);
}

bool tok__direct_seq_ok(const tok_ctx *ctx, const tok_encode_options *opt)
{
    const tok_tokenizer *t = ctx->tok;
    /* (a lane, where there is one, goes first: as tok__encode_seq) */
    return t->scan && tok__direct_ok(ctx, opt) && !(t->lane && opt->method == TOK_METHOD_DEFAULT);
}

tok_status tok__encode_direct_ids_text(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                                       int32_t *ids, size_t cap, size_t *n)
{
    tok_piece input;
    int top = ctx->pieces_top;
    tok_status st = tok__input_view(ctx, text, len, &input);
    if (st) return st;
    if ((st = encode_direct_ids(ctx, &input, opt, ids, cap, n, true)) != TOK_ERR_UTF8) return st;
    ctx->pieces_top = top;
    if ((st = tok__input_piece(ctx, text, len, opt->flags, &input))) return st;
    return encode_direct_ids(ctx, &input, opt, ids, cap, n, false);
}
