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
#include "../scan/scan.h"
#include "../core/piece_cache.h"

/* UTF-8 is checked as the text is scanned, a block of CHECK_BLOCK bytes at
 * a time just ahead of the scanner, so that the text is read from memory
 * once (the scanner then finds the block in the CPU cache), not once for a
 * check of the whole text before: the block that contains a pre-token's
 * end is checked before the model sees the pre-token.  Checking each
 * pre-token's bytes on its own measured slower (a test per pre-token); the
 * block check is the same tight loop as the whole-text one.  Blocks end
 * between characters (moved back over continuation bytes), or at a
 * pre-token's end.  Invalid bytes (or a scanner end that cannot be one: the
 * scanners read invalid bytes safely but without meaning) stop the loop
 * with TOK_ERR_UTF8, and the caller checks and encodes the whole text as
 * before (tok__encode_direct_append): the same error naming the same byte,
 * or the lossy copy.  *valid: checked up to there. */
#define CHECK_BLOCK 4096u

static bool check_to(const tok_piece *p, uint32_t *valid, uint32_t end)
{
    const uint8_t *s = p->s;
    uint32_t v = *valid, n = p->n, to = v + CHECK_BLOCK;
    if (to < end) to = end;
    if (to >= n) {
        to = n;
    } else {
        while (to > end && (s[to] & 0xC0) == 0x80) to--;
    }
    if (tok_utf8_check(s + v, to - v) != to - v) return false;
    *valid = to;
    return true;
}

/* The next batch of pre-token ends of p from pos into ends[] (rising, in
 * (pos, p->n]), their count; 0 when `check` finds the text up to the last
 * one invalid (or a scanner end that cannot be one). */
static inline size_t next_ends(const tok_piece *p, tok_scan_many_fn scan, uint32_t pos, uint32_t *valid, bool check,
                               uint32_t *ends)
{
    size_t k = scan(p->s, p->n, pos, ends, TOK_BPE_BATCH);
    if (check) {
        uint32_t last = ends[k - 1], before = k > 1 ? ends[k - 2] : pos;
        if ((TOK_UNLIKELY(last > *valid) || TOK_UNLIKELY(last <= before)) &&
            (last <= before || last > p->n || !check_to(p, valid, last)))
            return 0;
    }
    return k;
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
    tok_ctx_progress_start(ctx, input->n);
    /* appended after e's tokens.  At most one token per byte, and one per
     * added-token match: reserved once (address space; only what is written
     * becomes resident), up to 16 Mi tokens -- beyond, the arrays grow as
     * needed */
    size_t bound = (size_t)input->n + a->n + 1;
    if (tok_enc_reserve(e, e->n + (bound < ((size_t)1 << 24) ? bound : ((size_t)1 << 24))))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    tok_toks *tk = &ctx->toks;
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
        uint32_t valid = 0, ends[TOK_BPE_BATCH], cnt[TOK_BPE_BATCH];
        for (uint32_t pos = 0; pos < p->n;) {
            size_t nb = next_ends(p, t->scan_many, pos, &valid, check, ends);
            if (!nb) return TOK_ERR_UTF8;
            tok_ctx_progress(ctx, p->base + pos);
            tk->n = 0;
            if ((st = tok__bpe_pieces(m, ctx, p->s, pos, ends, nb, tk, cnt))) return st;
            if (TOK_UNLIKELY(e->n + tk->n > e->cap) && tok_enc_reserve(e, e->n + tk->n))
                return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
            size_t k = e->n, j = 0;
            for (size_t b = 0; b < nb; b++) {
                uint32_t len = ends[b] - pos;
                for (size_t stop = j + cnt[b]; j < stop; j++, k++) {
                    e->ids[k] = tk->id[j];
                    e->off[k] = token_offset(p, pos, tk->off[j].start, tk->off[j].end, len);
                    e->words[k] = w;
                    e->type_ids[k] = ty;
                    e->special[k] = 0;
                    e->added[k] = 0;
                }
                w++;
                pos = ends[b];
            }
            e->n = k;
        }
    }
    return TOK_OK;
}

/* Pre-tokens longer than this go to tok__bpe_long_ids when they can. */
#define LONG_PIECE 4096u

/* A batch of pre-tokens through tok__bpe_pieces, ids appended at ids[*k]
 * (those below cap written, all counted). */
static inline tok_status pieces_ids(tok_ctx *ctx, const tok_model *m, const uint8_t *s, uint32_t pos,
                                    const uint32_t *ends, size_t nb, int32_t *ids, size_t cap, size_t *k)
{
    tok_toks *tk = &ctx->toks;
    uint32_t cnt[TOK_BPE_BATCH];
    tk->n = 0;
    tok_status st = tok__bpe_pieces(m, ctx, s, pos, ends, nb, tk, cnt);
    if (st || !tk->n) return st; /* (ids may be NULL with cap 0: no arithmetic on it) */
    size_t at = *k;
    if (TOK_LIKELY(at + tk->n <= cap)) memcpy(ids + at, tk->id, tk->n * sizeof *ids);
    else if (at < cap) memcpy(ids + at, tk->id, (cap - at) * sizeof *ids);
    *k = at + tk->n;
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
    tok_ctx_progress_start(ctx, input->n);
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        const tok_piece *p = &a->v[i];
        if (!p->n) continue;
        if (p->id >= 0) {
            if (k < cap) ids[k] = p->id;
            k++;
            continue;
        }
        uint32_t valid = 0, ends[TOK_BPE_BATCH];
        for (uint32_t pos = 0; pos < p->n;) {
            size_t nb = next_ends(p, t->scan_many, pos, &valid, check, ends);
            if (!nb) return TOK_ERR_UTF8;
            tok_ctx_progress(ctx, p->base + pos);
            /* a batch that spans this much holds a long pre-token (4 MiB of
             * one letter, say): its pieces one by one, the long ones tiled
             * straight into ids where there is room for one a byte */
            if (TOK_UNLIKELY(ends[nb - 1] - pos > LONG_PIECE)) {
                for (size_t b = 0; b < nb; b++) {
                    uint32_t len = ends[b] - pos;
                    size_t got;
                    if (len > LONG_PIECE && k <= cap && cap - k >= len &&
                        (st = tok__bpe_long_ids(m, ctx, p->s + pos, len, ids + k, &got)) != TOK_ERR_UNSUPPORTED) {
                        if (st) return st;
                        k += got;
                    } else if ((st = pieces_ids(ctx, m, p->s, pos, ends + b, 1, ids, cap, &k))) {
                        return st;
                    }
                    pos = ends[b];
                }
                continue;
            }
            if ((st = pieces_ids(ctx, m, p->s, pos, ends, nb, ids, cap, &k))) return st;
            pos = ends[nb - 1];
        }
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
