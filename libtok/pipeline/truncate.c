/*
 * Truncation and padding, as HF's TokenizerImpl::post_process applies them:
 *
 *   0. drop what HF 0.23 does not even encode: it stops encoding a sequence
 *      at the end of the pre-token that brings it to max_length tokens (from
 *      the end when cutting on the left);
 *   1. truncate the sequences (truncate_encodings): max_length less the
 *      special tokens the post-processor will add; LongestFirst shares the
 *      length between a pair, OnlyFirst/OnlySecond cut one side; a cut
 *      sequence keeps its first part and the rest become overflowing parts
 *      of the same length, `stride` tokens overlapping (Encoding::truncate);
 *   2. post-process every combination of parts, in the order HF's
 *      Encoding::merge_with gives them (the encoding, then each overflowing
 *      part of the first sequence with the second and its parts, then the
 *      first with the second's parts);
 *   3. pad all of them to one length: Fixed, or the encoding's own length
 *      (BatchLongest of a batch of one), rounded up to pad_to_multiple_of;
 *      pads are (pad_id, pad_type_id, offsets (0,0), no word, special,
 *      attention 0), before or after the tokens.
 *
 * The settings come from tokenizer.json ("truncation", "padding") or from a
 * context's override (tok_ctx_set_truncation / tok_ctx_set_padding).
 */
#include "../internal.h"
#include "../core/json.h"

/* ------------------------------------------------------------------------ */
/* settings                                                                  */
/* ------------------------------------------------------------------------ */

void tok_truncation_init(tok_truncation *tr)
{
    if (!tr) return;
    memset(tr, 0, sizeof *tr);
    tr->size = sizeof *tr;
    tr->strategy = TOK_TRUNC_LONGEST_FIRST;
    tr->direction = TOK_SIDE_RIGHT;
}

void tok_padding_init(tok_padding *p)
{
    if (!p) return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->pad_token = "[PAD]";
    p->direction = TOK_SIDE_RIGHT;
}

/* Copy the first min(sizes) bytes of src into dst, keeping dst->size: the
 * ABI rule for structs that may grow. */
static void copy_sized(void *dst, size_t dsize, const void *src, size_t ssize)
{
    size_t keep = *(const size_t *)dst;
    memcpy(dst, src, ssize < dsize ? ssize : dsize);
    *(size_t *)dst = keep;
}

tok_status tok_get_truncation(const tok_tokenizer *t, tok_truncation *out)
{
    if (!t || !out || out->size < sizeof(size_t)) return TOK_ERR_ARG;
    copy_sized(out, out->size, &t->trunc, sizeof t->trunc);
    return TOK_OK;
}

tok_status tok_get_padding(const tok_tokenizer *t, tok_padding *out)
{
    if (!t || !out || out->size < sizeof(size_t)) return TOK_ERR_ARG;
    copy_sized(out, out->size, &t->pad, sizeof t->pad);
    return TOK_OK;
}

tok_status tok_ctx_set_truncation(tok_ctx *ctx, const tok_truncation *tr)
{
    if (!ctx) return TOK_ERR_ARG;
    if (!tr) {
        ctx->trunc_set = false;
        return TOK_OK;
    }
    if (tr->size < sizeof(size_t)) return tok_ctx_fail(ctx, TOK_ERR_ARG, "tok_truncation: size not set (tok_truncation_init)");
    tok_truncation v;
    tok_truncation_init(&v);
    copy_sized(&v, sizeof v, tr, tr->size);
    if ((unsigned)v.strategy > TOK_TRUNC_ONLY_SECOND || (unsigned)v.direction > TOK_SIDE_LEFT)
        return tok_ctx_fail(ctx, TOK_ERR_ARG, "tok_truncation: unknown strategy or direction");
    /* as HF's with_truncation: the stride must stay below the length left
     * once the single-sequence special tokens are counted */
    size_t added = ctx->tok->post_added[0];
    if (v.enabled && v.stride && (v.max_length < added || v.max_length - added <= v.stride))
        return tok_ctx_fail(ctx, TOK_ERR_ARG, "truncation stride %zu is not below the effective max length %zu (%zu less %zu special tokens)",
                            v.stride, v.max_length > added ? v.max_length - added : 0, v.max_length, added);
    ctx->trunc = v;
    ctx->trunc_set = true;
    return TOK_OK;
}

/* Padding makes tokens no text holds, so its size comes from a file or a
 * caller alone: bounded (HF has no bound; real files pad to 512..8192 and
 * round to multiples of 8..128), so that a number cannot claim gigabytes. */
#define PAD_MAX_LENGTH ((size_t)1 << 20)
#define PAD_MAX_MULTIPLE ((size_t)1 << 16)

static const char *pad_too_large(const tok_padding *p)
{
    if (p->length > PAD_MAX_LENGTH) return "length";
    if (p->multiple > PAD_MAX_MULTIPLE) return "multiple";
    return NULL;
}

tok_status tok_ctx_set_padding(tok_ctx *ctx, const tok_padding *p)
{
    if (!ctx) return TOK_ERR_ARG;
    if (!p) {
        if (ctx->pad_set) free((char *)ctx->pad.pad_token);
        ctx->pad_set = false;
        return TOK_OK;
    }
    if (p->size < sizeof(size_t)) return tok_ctx_fail(ctx, TOK_ERR_ARG, "tok_padding: size not set (tok_padding_init)");
    tok_padding v;
    tok_padding_init(&v);
    copy_sized(&v, sizeof v, p, p->size);
    if ((unsigned)v.direction > TOK_SIDE_LEFT) return tok_ctx_fail(ctx, TOK_ERR_ARG, "tok_padding: unknown direction");
    if (pad_too_large(&v))
        return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "tok_padding: %s %zu is beyond libtok's limit (length %zu, multiple %zu)",
                            pad_too_large(&v), !strcmp(pad_too_large(&v), "length") ? v.length : v.multiple,
                            PAD_MAX_LENGTH, PAD_MAX_MULTIPLE);
    char *own = strdup(v.pad_token ? v.pad_token : "");
    if (!own) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    if (ctx->pad_set) free((char *)ctx->pad.pad_token);
    v.pad_token = own;
    ctx->pad = v;
    ctx->pad_set = true;
    return TOK_OK;
}

/* ------------------------------------------------------------------------ */
/* tokenizer.json                                                            */
/* ------------------------------------------------------------------------ */

static int side(tok_jctx *jc, const json_t *o, tok_side *out)
{
    const char *s = NULL;
    if (tok_jstr(jc, o, "direction", &s, NULL, false)) return -1;
    if (!s || !strcmp(s, "Right")) *out = TOK_SIDE_RIGHT;
    else if (!strcmp(s, "Left")) *out = TOK_SIDE_LEFT;
    else {
        size_t sv = tok_jpush(jc, "direction");
        tok_junsupported(jc, "direction", s);
        tok_jpop(jc, sv);
        return -1;
    }
    return 0;
}

static int size_field(tok_jctx *jc, const json_t *o, const char *key, size_t *out, bool required)
{
    int64_t v = (int64_t)*out;
    if (tok_jint(jc, o, key, &v, required)) return -1;
    if (v < 0 || v > (int64_t)1 << 40) {
        size_t sv = tok_jpush(jc, key);
        tok_jfail(jc, TOK_ERR_FORMAT, "%lld is out of range", (long long)v);
        tok_jpop(jc, sv);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static tok_status truncation_from_json(tok_tokenizer *t, tok_jctx *jc, const json_t *o)
{
    tok_truncation *tr = &t->trunc;
    const char *st = NULL;
    if (size_field(jc, o, "max_length", &tr->max_length, true) || size_field(jc, o, "stride", &tr->stride, false) ||
        tok_jstr(jc, o, "strategy", &st, NULL, false) || side(jc, o, &tr->direction))
        return jc->err->code;
    if (!st || !strcmp(st, "LongestFirst")) tr->strategy = TOK_TRUNC_LONGEST_FIRST;
    else if (!strcmp(st, "OnlyFirst")) tr->strategy = TOK_TRUNC_ONLY_FIRST;
    else if (!strcmp(st, "OnlySecond")) tr->strategy = TOK_TRUNC_ONLY_SECOND;
    else {
        size_t sv = tok_jpush(jc, "strategy");
        tok_junsupported(jc, "truncation strategy", st);
        tok_jpop(jc, sv);
        return jc->err->code;
    }
    tr->enabled = 1;
    return TOK_OK;
}

static tok_status padding_from_json(tok_tokenizer *t, tok_jctx *jc, const json_t *o)
{
    tok_padding *p = &t->pad;
    json_t *st = json_object_get(o, "strategy");
    if (json_is_object(st)) {
        size_t sv = tok_jpush(jc, "strategy");
        int r = size_field(jc, st, "Fixed", &p->length, true);
        tok_jpop(jc, sv);
        if (r) return jc->err->code;
        if (p->length == 0) { /* Fixed(0) pads nothing: BatchLongest's rule */
            sv = tok_jpush(jc, "strategy");
            tok_jfail(jc, TOK_ERR_UNSUPPORTED, "Fixed(0) padding");
            tok_jpop(jc, sv);
            return jc->err->code;
        }
    } else if (st && !json_is_null(st) && !(json_is_string(st) && !strcmp(json_string_value(st), "BatchLongest"))) {
        size_t sv = tok_jpush(jc, "strategy");
        tok_jfail(jc, TOK_ERR_FORMAT, "expected \"BatchLongest\" or {\"Fixed\": N}");
        tok_jpop(jc, sv);
        return jc->err->code;
    }
    int64_t id = 0, type = 0;
    const char *tokstr = NULL;
    size_t toklen = 0;
    if (size_field(jc, o, "pad_to_multiple_of", &p->multiple, false) || tok_jint(jc, o, "pad_id", &id, false) ||
        tok_jint(jc, o, "pad_type_id", &type, false) || tok_jstr(jc, o, "pad_token", &tokstr, &toklen, false) ||
        side(jc, o, &p->direction))
        return jc->err->code;
    if (id < 0 || id > INT32_MAX || type < 0 || type > 255)
        return tok_jfail(jc, TOK_ERR_FORMAT, "pad_id %lld or pad_type_id %lld out of range", (long long)id, (long long)type);
    if (pad_too_large(p)) {
        size_t sv = tok_jpush(jc, p->length > PAD_MAX_LENGTH ? "strategy" : "pad_to_multiple_of");
        tok_jfail(jc, TOK_ERR_LIMIT, "padding %s %zu is beyond libtok's limit %zu (it would make that many tokens "
                  "out of nothing)", pad_too_large(p), p->length > PAD_MAX_LENGTH ? p->length : p->multiple,
                  p->length > PAD_MAX_LENGTH ? PAD_MAX_LENGTH : PAD_MAX_MULTIPLE);
        tok_jpop(jc, sv);
        return jc->err->code;
    }
    p->pad_id = (int32_t)id;
    p->pad_type_id = (uint32_t)type;
    if (tokstr && !(p->pad_token = tok_vocab_strdup(&t->vocab, tokstr, toklen)))
        return tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
    p->enabled = 1;
    return TOK_OK;
}

tok_status tok__trunc_pad_from_json(tok_tokenizer *t, tok_jctx *jc, const json_t *root)
{
    tok_truncation_init(&t->trunc);
    tok_padding_init(&t->pad);
    json_t *o = NULL;
    if (tok_jobj(jc, root, "truncation", &o, false)) return jc->err->code;
    if (o) {
        size_t sv = tok_jpush(jc, "truncation");
        tok_status st = truncation_from_json(t, jc, o);
        tok_jpop(jc, sv);
        if (st) return st;
    }
    o = NULL;
    if (tok_jobj(jc, root, "padding", &o, false)) return jc->err->code;
    if (o) {
        size_t sv = tok_jpush(jc, "padding");
        tok_status st = padding_from_json(t, jc, o);
        tok_jpop(jc, sv);
        if (st) return st;
    }
    return TOK_OK;
}

json_t *tok__truncation_json(const tok_truncation *tr)
{
    if (!tr->enabled) return json_null();
    static const char *const strat[] = { "LongestFirst", "OnlyFirst", "OnlySecond" };
    return json_pack("{s:s, s:I, s:s, s:I}", "direction", tr->direction == TOK_SIDE_LEFT ? "Left" : "Right",
                     "max_length", (json_int_t)tr->max_length, "strategy", strat[tr->strategy], "stride",
                     (json_int_t)tr->stride);
}

json_t *tok__padding_json(const tok_padding *p)
{
    if (!p->enabled) return json_null();
    json_t *st = p->length ? json_pack("{s:I}", "Fixed", (json_int_t)p->length) : json_string("BatchLongest");
    return json_pack("{s:o, s:s, s:o, s:I, s:I, s:s}", "strategy", st, "direction",
                     p->direction == TOK_SIDE_LEFT ? "Left" : "Right", "pad_to_multiple_of",
                     p->multiple ? json_integer((json_int_t)p->multiple) : json_null(), "pad_id", (json_int_t)p->pad_id,
                     "pad_type_id", (json_int_t)p->pad_type_id, "pad_token", p->pad_token ? p->pad_token : "");
}

/* ------------------------------------------------------------------------ */
/* encoding                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct range { size_t start, stop; } range;

/* HF Encoding::truncate of a sequence of len tokens to max: the kept part
 * first, then the overflowing ones.  *np >= 1. */
static tok_status cut(tok_ctx *ctx, size_t len, size_t max, size_t stride, tok_side dir, range **out, size_t *np)
{
    if (max >= len) { /* nothing to cut */
        range *r = tok_arena_alloc(&ctx->arena, sizeof *r);
        if (!r) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        r->start = 0;
        r->stop = len;
        *out = r;
        *np = 1;
        return TOK_OK;
    }
    if (max == 0) { /* HF: the encoding becomes empty, the whole is one overflowing part */
        range *r = tok_arena_alloc(&ctx->arena, 2 * sizeof *r);
        if (!r) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        r[0].start = r[0].stop = 0;
        r[1].start = 0;
        r[1].stop = len;
        *out = r;
        *np = 2;
        return TOK_OK;
    }
    if (stride >= max)
        return tok_ctx_fail(ctx, TOK_ERR_ARG, "truncation stride %zu must be less than the length %zu a sequence is cut to "
                                              "(max_length less the special tokens)", stride, max);
    size_t step = max - stride, cap = len / step + 2, n = 0;
    range *r = tok_arena_alloc(&ctx->arena, cap * sizeof *r);
    if (!r) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    if (dir == TOK_SIDE_RIGHT) {
        for (size_t start = 0; start < len && n < cap; start += step) {
            size_t stop = start + max < len ? start + max : len;
            r[n++] = (range){ start, stop };
            if (stop == len) break;
        }
    } else {
        for (size_t k = len - 1;; k -= step) { /* the ends: len-1, len-1-step, ... */
            size_t stop = k + 1, start = stop < max ? 0 : stop - max;
            r[n++] = (range){ start, stop };
            if (start == 0 || k < step || n >= cap) break;
        }
    }
    *out = r;
    *np = n;
    return TOK_OK;
}

/* dst = src[r) */
static int slice(tok_enc *dst, const tok_enc *src, range r)
{
    size_t n = r.stop - r.start;
    dst->n = 0;
    if (tok_enc_reserve(dst, n ? n : 1)) return -1;
    memcpy(dst->ids, src->ids + r.start, n * sizeof *dst->ids);
    memcpy(dst->off, src->off + r.start, n * sizeof *dst->off);
    memcpy(dst->words, src->words + r.start, n * sizeof *dst->words);
    memcpy(dst->type_ids, src->type_ids + r.start, n * sizeof *dst->type_ids);
    memcpy(dst->special, src->special + r.start, n * sizeof *dst->special);
    memcpy(dst->added, src->added + r.start, n * sizeof *dst->added);
    dst->n = n;
    return 0;
}

/* HF (0.23) stops encoding a sequence once the model has run on a pre-token
 * that brings it to max_length tokens or more (added tokens, which the model
 * does not run on, do not stop it); from the end when cutting on the left.
 * What it did not encode is not in any overflowing part. */
static void early_stop(const tok_enc *e, const tok_truncation *tr, range *keep)
{
    size_t n = e->n, count = 0;
    bool left = tr->direction == TOK_SIDE_LEFT;
    for (size_t k = 0; k < n;) {
        /* the pre-token [a, b) at the current end */
        size_t a, b;
        if (left) {
            b = n - k;
            a = b - 1;
            while (a > 0 && e->words[a - 1] == e->words[b - 1]) a--;
        } else {
            a = k;
            b = a + 1;
            while (b < n && e->words[b] == e->words[a]) b++;
        }
        k += b - a;
        count += b - a;
        bool added = b - a == 1 && e->added[a];
        if (!added && count >= tr->max_length) {
            if (left) keep->start = a;
            else keep->stop = b;
            return;
        }
    }
}

/* Lengths the sequences are cut to (SIZE_MAX: not cut), HF truncate_encodings. */
static tok_status targets(tok_ctx *ctx, const tok_truncation *tr, size_t max, const size_t *len, size_t n, size_t *tgt)
{
    tgt[0] = tgt[1] = SIZE_MAX;
    if (max == 0) {
        tgt[0] = tgt[1] = 0;
        return TOK_OK;
    }
    size_t total = len[0] + (n == 2 ? len[1] : 0);
    if (total <= max) return TOK_OK;
    size_t to_remove = total - max;
    if (tr->strategy == TOK_TRUNC_LONGEST_FIRST) {
        if (n == 1) {
            tgt[0] = max;
            return TOK_OK;
        }
        size_t n1 = len[0], n2 = len[1];
        bool swap = n1 > n2;
        if (swap) { size_t x = n1; n1 = n2; n2 = x; }
        if (n1 > max) n2 = n1;
        else n2 = n1 > max - n1 ? n1 : max - n1;
        if (n1 + n2 > max) {
            n1 = max / 2;
            n2 = n1 + max % 2;
        }
        if (swap) { size_t x = n1; n1 = n2; n2 = x; }
        tgt[0] = n1;
        tgt[1] = n2;
        return TOK_OK;
    }
    size_t which = tr->strategy == TOK_TRUNC_ONLY_FIRST ? 0 : 1;
    if (which >= n) return tok_ctx_fail(ctx, TOK_ERR_ARG, "truncation OnlySecond: no second sequence");
    if (len[which] <= to_remove)
        return tok_ctx_fail(ctx, TOK_ERR_ARG, "truncation: sequence %zu has %zu tokens, too short to remove the %zu over max_length",
                            which + 1, len[which], to_remove);
    tgt[which] = len[which] - to_remove;
    return TOK_OK;
}

/* Post-process the parts pa of sequence 0 and pb of sequence 1 into res[k]. */
static tok_status process(tok_ctx *ctx, const tok_encode_options *opt, size_t n, range pa, range pb, size_t k)
{
    const tok_tokenizer *t = ctx->tok;
    if (slice(&ctx->enc[0], &ctx->orig[0], pa) || (n == 2 && slice(&ctx->enc[1], &ctx->orig[1], pb)))
        return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    size_t m = n;
    if (t->post) {
        tok_status st = t->post->vt->run(t->post, ctx->enc, &m, (opt->flags & TOK_ENC_ADD_SPECIAL) != 0, ctx);
        if (st) return st;
    }
    if (m == 2 && tok_enc_append(&ctx->enc[0], &ctx->enc[1])) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    if (k >= ctx->res.n) {
        tok_enc z = { 0 };
        while (ctx->res.n <= k)
            if (tok_vec_push(&ctx->res, z)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    /* the result takes enc[0]'s buffers; enc[0] takes the old ones for reuse */
    tok_enc x = ctx->res.v[k];
    ctx->res.v[k] = ctx->enc[0];
    ctx->enc[0] = x;
    ctx->enc[0].n = 0;
    return TOK_OK;
}

/* Pad e to len (if shorter) on side dir; mask 1 for tokens, 0 for pads. */
static int pad_one(tok_enc *e, size_t len, const tok_padding *p)
{
    size_t n = e->n, np = len > n ? len - n : 0;
    if (tok_enc_reserve(e, n + np ? n + np : 1)) return -1;
    size_t at = 0;
    if (np && p->direction == TOK_SIDE_LEFT) {
        memmove(e->ids + np, e->ids, n * sizeof *e->ids);
        memmove(e->off + np, e->off, n * sizeof *e->off);
        memmove(e->words + np, e->words, n * sizeof *e->words);
        memmove(e->type_ids + np, e->type_ids, n * sizeof *e->type_ids);
        memmove(e->special + np, e->special, n * sizeof *e->special);
    } else {
        at = n;
    }
    for (size_t i = at; i < at + np; i++) {
        e->ids[i] = p->pad_id;
        e->off[i] = (tok_offset){ 0, 0 };
        e->words[i] = -1;
        e->type_ids[i] = (uint8_t)p->pad_type_id;
        e->special[i] = 1;
    }
    e->n = n + np;
    memset(e->mask, 1, e->n);
    if (np) memset(e->mask + at, 0, np);
    return 0;
}

/* tokens all the overflowing encodings of one call may hold, beyond 16 per
 * token of the text */
#define OVERFLOW_MAX_TOKENS ((size_t)1 << 22)

tok_status tok__finish_truncated(tok_ctx *ctx, const tok_encode_options *opt, size_t n, tok_encoding *out)
{
    const tok_tokenizer *t = ctx->tok;
    const tok_truncation *tr = ctx->trunc_set ? &ctx->trunc : &t->trunc;
    const tok_padding *pd = ctx->pad_set ? &ctx->pad : &t->pad;
    for (size_t s = 0; s < n; s++) {
        const tok_enc *e = &ctx->enc[s];
        range keep = { 0, e->n };
        if (tr->enabled && tr->max_length && e->n > tr->max_length) early_stop(e, tr, &keep);
        if (slice(&ctx->orig[s], &ctx->enc[s], keep)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    }
    size_t len[2] = { ctx->orig[0].n, n == 2 ? ctx->orig[1].n : 0 };
    range *pa = NULL, *pb = NULL, whole[2] = { { 0, len[0] }, { 0, len[1] } };
    size_t na = 1, nb = 1;
    pa = &whole[0];
    pb = &whole[1];
    tok_status st;
    if (tr->enabled) {
        size_t max = tr->max_length;
        if ((opt->flags & TOK_ENC_ADD_SPECIAL) && t->post) {
            size_t added = t->post_added[n == 2];
            max = max > added ? max - added : 0;
        }
        size_t tgt[2];
        if ((st = targets(ctx, tr, max, len, n, tgt))) return st;
        if (tgt[0] != SIZE_MAX && (st = cut(ctx, len[0], tgt[0], tr->stride, tr->direction, &pa, &na))) return st;
        if (n == 2 && tgt[1] != SIZE_MAX && (st = cut(ctx, len[1], tgt[1], tr->stride, tr->direction, &pb, &nb)))
            return st;
    }
    /* The parts multiply: a pair gives na * nb encodings (HF's merge_with),
     * so a stride just below the length cut to makes tokens cubic in
     * max_length out of a short text (HF has no bound: max_length 1000 on a
     * pair of 1000 words took 1.3 GB).  Bounded by what the text holds. */
    size_t most[2] = { 0, 0 };
    for (size_t i = 0; i < na; i++) if (pa[i].stop - pa[i].start > most[0]) most[0] = pa[i].stop - pa[i].start;
    for (size_t j = 0; n == 2 && j < nb; j++) if (pb[j].stop - pb[j].start > most[1]) most[1] = pb[j].stop - pb[j].start;
    size_t each = most[0] + most[1] + ((opt->flags & TOK_ENC_ADD_SPECIAL) && t->post ? t->post_added[n == 2] : 0);
    if (pd->enabled && pd->length > each) each = pd->length;
    size_t cap = OVERFLOW_MAX_TOKENS + 16 * (len[0] + len[1]);
    if (na * nb > 1 && (na * nb > cap || each * na * nb > cap))
        return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "truncation to %zu with stride %zu makes %zu overflowing encodings of up to "
                            "%zu tokens, beyond libtok's limit of %zu tokens in all for this text", tr->max_length,
                            tr->stride, na * nb, each, cap);
    /* HF merge_with order: (a0,b0); (ai,b0), (ai,bj) for each i; (a0,bj) */
    size_t k = 0;
    if ((st = process(ctx, opt, n, pa[0], pb[0], k++))) return st;
    for (size_t i = 1; i < na; i++) {
        if ((st = process(ctx, opt, n, pa[i], pb[0], k++))) return st;
        for (size_t j = 1; n == 2 && j < nb; j++)
            if ((st = process(ctx, opt, n, pa[i], pb[j], k++))) return st;
    }
    for (size_t j = 1; n == 2 && j < nb; j++)
        if ((st = process(ctx, opt, n, pa[0], pb[j], k++))) return st;
    size_t target = 0;
    if (pd->enabled) {
        target = pd->length ? pd->length : ctx->res.v[0].n;
        if (pd->multiple && target % pd->multiple) target += pd->multiple - target % pd->multiple;
    }
    tok_padding none;
    tok_padding_init(&none);
    for (size_t i = 0; i < k; i++)
        if (pad_one(&ctx->res.v[i], target, pd->enabled ? pd : &none)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    ctx->nres = k;
    const tok_enc *e = &ctx->res.v[0];
    out->n = e->n;
    out->ids = e->ids;
    out->offsets = (opt->flags & TOK_ENC_OFFSETS) ? e->off : NULL;
    out->words = e->words;
    out->type_ids = e->type_ids;
    out->special = e->special;
    ctx->mask = e->mask;
    return TOK_OK;
}

const uint8_t *tok_attention_mask(const tok_ctx *ctx)
{
    return ctx ? ctx->mask : NULL;
}

size_t tok_overflowing_count(const tok_ctx *ctx)
{
    return ctx && ctx->nres > 1 ? ctx->nres - 1 : 0;
}

tok_status tok_overflowing(const tok_ctx *ctx, size_t i, tok_encoding *out, const uint8_t **mask)
{
    if (!ctx || !out) return TOK_ERR_ARG;
    if (i >= tok_overflowing_count(ctx)) return TOK_ERR_RANGE;
    const tok_enc *e = &ctx->res.v[i + 1];
    out->n = e->n;
    out->ids = e->ids;
    out->offsets = e->off;
    out->words = e->words;
    out->type_ids = e->type_ids;
    out->special = e->special;
    if (mask) *mask = e->mask;
    return TOK_OK;
}
