/*
 * The SentencePiece lane: the whitespace recipe SentencePiece-style
 * pipelines normalize with, done in one pass that writes the normalized
 * bytes and their alignments directly, instead of one pass (and one copy of
 * text and alignments) per normalizer.  The recipes, as the loaders write
 * them and as HF files carry them, read from the normalizer's JSON:
 *
 *   [Precompiled]                    the charsmap: only where it leaves
 *                                    printable ASCII alone or turns a char
 *                                    into a space (\t, \n), checked at load
 *   [Replace " {2,}" -> " ",         remove_extra_whitespaces
 *    Replace "\A +" -> ""]
 *   Replace " " -> "▁" and Prepend "▁" (either order), or the Replace alone
 *   [Replace "▁+\z" -> ""]
 *
 * A piece the recipe cannot take on its own terms (with a charsmap: any
 * non-ASCII or other control char) goes whole through the general pipeline:
 * these normalizers are anchored at the start and end of a piece, so it is
 * never cut.  Alignments follow the normalizers' rules: a replaced space or
 * a collapsed run takes the range of its (last) space, the prefix the range
 * of the first char after it, other bytes the range of their char.  The
 * pre-tokenizer (none, or Gemma's Split) and the model then run as usual on
 * the normalized piece, so ids and offsets are the general pipeline's.
 *
 * With a BPE model that cuts its input before "▁" (bpe.c's marker split)
 * and no pre-tokenizer that could cut elsewhere, the normalized text is not
 * written whole: direct() writes it in windows and hands each stretch
 * between cuts to the model's word path (models/bpe_spm.c) through the
 * pre-token cache, mapping offsets the way the general pipeline would.
 */
#include "lane.h"
#include "../core/json.h"
#include "../normalizers/normalizers.h"
#include "../models/bpe_spm.h"
#include "../core/piece_cache.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h> /* fill_block, compiled for SSSE3 and used where the CPU has it */
#endif

#define MARK "\xE2\x96\x81"

enum { K_ID, K_SP, K_SLOW };

typedef struct spm_lane {
    const tok_normalizer *pc; /* the charsmap step, or NULL */
    uint8_t cls[256];
    bool collapse, prepend, trim;
    /* BPE's cuts (direct()), NULL: the general pipeline after the
     * normalized copy */
    const bool *no_cut;
    tok_bpe_spm *bpe; /* BPE's word tables, NULL: bpe.c's own path */
    bool ascii_low;   /* every ASCII byte of cls not K_ID is <= 0x20 or 0x7F */
    bool any_slow;    /* some byte is of class K_SLOW */
    bool parts;       /* the charsmap may run on parts (charsmap_parts) */
    /* the bytes of class K_SP (fill_ids): their count, each in a vector
     * of 16 (unused ones repeat the first) */
    int nsp;
    uint8_t spv[8][16];
    bool ssse3;       /* the CPU has SSSE3 (fill_block) */
} spm_lane;

static bool is_replace(const json_t *j, const char *kind, const char *pat, const char *content)
{
    const json_t *p = json_object_get(j, "pattern");
    const char *ty = json_string_value(json_object_get(j, "type"));
    const char *v = json_string_value(json_object_get(p, kind));
    const char *c = json_string_value(json_object_get(j, "content"));
    return ty && !strcmp(ty, "Replace") && v && !strcmp(v, pat) && c && !strcmp(c, content);
}

static bool is_type(const json_t *j, const char *type)
{
    const char *ty = json_string_value(json_object_get(j, "type"));
    return ty && !strcmp(ty, type);
}

/* The recipe of a normalizer's steps, or false. */
static bool recipe(const json_t *steps, spm_lane *L, bool *precompiled)
{
    size_t n = json_array_size(steps), i = 0;
    *precompiled = false;
    if (i < n && is_type(json_array_get(steps, i), "Precompiled")) {
        *precompiled = true;
        i++;
    }
    if (i + 1 < n && is_replace(json_array_get(steps, i), "Regex", " {2,}", " ") &&
        is_replace(json_array_get(steps, i + 1), "Regex", "\\A +", "")) {
        L->collapse = true;
        i += 2;
    }
    bool rep = false;
    for (int k = 0; k < 2 && i < n; k++) {
        const json_t *s = json_array_get(steps, i);
        const char *pp = json_string_value(json_object_get(s, "prepend"));
        if (!rep && is_replace(s, "String", " ", MARK)) rep = true;
        else if (!L->prepend && is_type(s, "Prepend") && pp && !strcmp(pp, MARK)) L->prepend = true;
        else break;
        i++;
    }
    if (!rep) return false;
    if (i < n && is_replace(json_array_get(steps, i), "Regex", MARK "+\\z", "")) {
        L->trim = true;
        i++;
    }
    return i == n;
}

/* The charsmap over bytes s[0, n) whose first is at original offset base,
 * each char aligned to its bytes: in is filled with them, the result is in
 * out. */
static tok_status charsmap_run(tok_ctx *ctx, const tok_normalizer *pc, const uint8_t *s, uint32_t n, uint32_t base,
                               tok_nstr *in, tok_nstr *out)
{
    if (tok_nstr_reserve(in, n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    memcpy(in->s, s, n);
    for (uint32_t i = 0; i < n;) {
        uint32_t cl = (uint32_t)tok_utf8_seqlen(s[i]);
        if (cl == 0 || i + cl > n) cl = 1;
        for (uint32_t j = 0; j < cl; j++) {
            in->a0[i + j] = base + i;
            in->a1[i + j] = base + i + cl;
        }
        i += cl;
    }
    in->n = n;
    out->n = 0;
    in->start = out->start = base;
    return tok_normalizer_run(pc, in, out, n, ctx);
}

/* The charsmap alone over piece p (text with alignments in the arena), for
 * text the lane's ASCII table cannot take. */
static tok_status charsmap(tok_ctx *ctx, const tok_normalizer *pc, const tok_piece *p, tok_piece *q)
{
    tok_nstr *in = tok_ctx_nstr_acquire(ctx), *out = tok_ctx_nstr_acquire(ctx);
    if (!in || !out) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
    tok_status st = charsmap_run(ctx, pc, p->s, p->n, p->base, in, out);
    if (!st) st = tok_ctx_piece_from_nstr(ctx, q, out);
    tok_ctx_nstr_release(ctx, out);
    tok_ctx_nstr_release(ctx, in);
    return st;
}

/* Whether the charsmap may be cut before byte x of s[0, n): between two
 * bytes of the ASCII table (ASCII chars it leaves alone or makes a space;
 * CR, of CR LF, is not one), when cuts there are proven (parts). */
static inline bool part_cut(const spm_lane *L, const uint8_t *s, uint32_t n, uint32_t x)
{
    return x == 0 || x >= n || (L->cls[s[x - 1]] != K_SLOW && L->cls[s[x]] != K_SLOW);
}

#ifdef __SSE2__
/* The bytes of x that are spaces (K_SP) of the lane (nsp <= 8). */
static inline __m128i space_mask(const spm_lane *L, __m128i x)
{
    __m128i sp = _mm_setzero_si128();
    for (int v = 0; v < L->nsp; v++)
        sp = _mm_or_si128(sp, _mm_cmpeq_epi8(x, _mm_loadu_si128((const __m128i *)(const void *)L->spv[v])));
    return sp;
}
#endif

/* The first byte of class K_SLOW in s[j, n), or n.  Sixteen bytes a step
 * where the lane's ASCII is plain (ascii_low): a block with no byte past
 * ASCII and no control other than the spaces has none. */
static uint32_t next_slow(const spm_lane *L, const uint8_t *s, uint32_t j, uint32_t n)
{
#ifdef __SSE2__
    if (L->ascii_low && L->nsp <= 8) {
        const __m128i lo = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F);
        for (; j + 16 <= n; j += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + j)), sp = space_mask(L, x);
            /* signed: bytes past ASCII are below 0x20 too */
            __m128i odd = _mm_andnot_si128(sp, _mm_or_si128(_mm_cmplt_epi8(x, lo), _mm_cmpeq_epi8(x, del)));
            if (_mm_movemask_epi8(odd)) break;
        }
    }
#endif
    while (j < n && L->cls[s[j]] != K_SLOW) j++;
    return j;
}

/* s[i, a) to d, each space (K_SP) as ' '; the end of what was written. */
static uint8_t *spaces_copy(const spm_lane *L, uint8_t *d, const uint8_t *s, uint32_t i, uint32_t a)
{
#ifdef __SSE2__
    if (L->nsp <= 8) {
        const __m128i blank = _mm_set1_epi8(' ');
        for (; i + 16 <= a; i += 16, d += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i)), sp = space_mask(L, x);
            _mm_storeu_si128((__m128i *)(void *)d, _mm_or_si128(_mm_andnot_si128(sp, x), _mm_and_si128(sp, blank)));
        }
    }
#endif
    for (; i < a; i++) *d++ = L->cls[s[i]] == K_SP ? ' ' : s[i];
    return d;
}

/* The charsmap over piece p only where it is needed: each stretch between
 * two cuts (part_cut) that holds a byte the ASCII table cannot take goes
 * through it, the rest is copied (a char it makes a space as ' '), each
 * byte aligned to itself (align: else without alignments, q's a0/a1
 * NULL, for ids alone).  Same text and alignments as the charsmap over
 * the whole piece (tok__precompiled_ascii_cuts), at a fraction of the cost
 * on text with a few chars past ASCII: one such char sent the whole piece
 * through the charsmap's trie, byte by byte. */
static tok_status charsmap_parts(tok_ctx *ctx, const spm_lane *L, const tok_piece *p, tok_piece *q, tok_nstr **hold,
                                 bool align)
{
    const uint8_t *s = p->s;
    const uint32_t n = p->n, base = p->base;
    tok_nstr *in = tok_ctx_nstr_acquire(ctx), *out = tok_ctx_nstr_acquire(ctx), *res = tok_ctx_nstr_acquire(ctx);
    if (!in || !out || !res) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "scratch pool exhausted");
    tok_status st = TOK_OK;
    bool whole = false;
    res->n = 0;
    if (tok_nstr_reserve(res, (size_t)n + 16)) goto nomem;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = next_slow(L, s, i, n);
        uint32_t a = j;
        while (a > i && !part_cut(L, s, n, a)) a--;
        /* [i, a) as it is (its alignments only when asked for: ids alone
         * read none) */
        if (tok_nstr_reserve(res, res->n + (a - i) + 16)) goto nomem;
        if (align) {
            for (uint32_t x = i; x < a; x++) {
                res->s[res->n] = L->cls[s[x]] == K_SP ? ' ' : s[x];
                res->a0[res->n] = base + x;
                res->a1[res->n] = base + x + 1;
                res->n++;
            }
        } else {
            res->n = (size_t)(spaces_copy(L, res->s + res->n, s, i, a) - res->s);
        }
        if (j == n) break;
        uint32_t b = j + 1;
        while (b < n && !part_cut(L, s, n, b)) b++;
        /* [a, b) through the charsmap */
        if ((st = charsmap_run(ctx, L->pc, s + a, b - a, base + a, in, out))) goto done;
        /* its last char (ASCII it leaves or makes a space) in its own place:
         * else the alignments have slipped (HF's, when the text's first
         * chars are removed: every later char takes an earlier one's
         * place), and only the whole piece gives them */
        if (!out->n || out->a1[out->n - 1] != base + b) {
            whole = true;
            goto done;
        }
        if (tok_nstr_push_aligned(res, out->s, out->a0, out->a1, out->n)) goto nomem;
        i = b;
    }
    /* q is res itself, held by the caller until it is done with q (a copy
     * was 9 more bytes a byte of fresh memory on a cold encode) */
    q->s = res->s;
    q->a0 = align ? res->a0 : NULL;
    q->a1 = align ? res->a1 : NULL;
    q->n = (uint32_t)res->n;
    q->base = 0;
    q->id = -1;
    *hold = res;
    res = NULL;
    goto done;
nomem:
    st = tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
done:
    if (res) tok_ctx_nstr_release(ctx, res);
    tok_ctx_nstr_release(ctx, out);
    tok_ctx_nstr_release(ctx, in);
    return whole && !st ? charsmap(ctx, L->pc, p, q) : st;
}

/* The normalized text, written unit by unit (a "▁" for a space or a run of
 * them, or one char) with each byte's original range (none when a0 is
 * NULL): from src (text, or
 * the charsmap's output with its alignments) at g->i on, until at least
 * lim bytes are out or src ends.  Alignments follow the normalizers' rules:
 * a replaced space or a collapsed run takes the range of its (last) space,
 * the prefix the range of the first char after it. */
typedef struct gen {
    const uint8_t *s, *cls;
    const uint32_t *ia0, *ia1;
    uint32_t n, base, i;
    bool started;
} gen;

/* "▁" as a 32-bit word in memory order (a fourth byte past it, never
 * counted) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define MARK_WORD 0xE2968100u
#define BYTE_WORD(b) ((uint32_t)(b) << 24)
#else
#define MARK_WORD 0x8196E2u
#define BYTE_WORD(b) ((uint32_t)(b))
#endif

#if defined(__x86_64__) || defined(__i386__)
static const uint8_t space_v[8][16] = { { ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ' } };

/* fill_ids sixteen bytes a step (SSSE3: each stretch between spaces is
 * taken from the loaded block by a shuffle, so nothing past the block is
 * read): the spaces are the nsp (1..8) byte values of sp[]; from s[i] while
 * a whole block remains, k + 64 <= lim; returns the new i. */
__attribute__((target("ssse3"))) static uint32_t fill_block(const void *spv, int nsp, uint32_t col,
                                                            const uint8_t *s, uint32_t n, uint32_t i, uint8_t *o,
                                                            size_t *kp, size_t lim, uint32_t *prevp)
{
    const __m128i *sp = spv, iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i s0 = _mm_loadu_si128(sp), s1 = _mm_loadu_si128(sp + 1), s2 = _mm_loadu_si128(sp + 2),
                  s3 = _mm_loadu_si128(sp + 3);
    size_t k = *kp;
    uint32_t prev = *prevp;
    while (i + 16 <= n && k + 64 <= lim) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i h = _mm_cmpeq_epi8(x, s0);
        if (nsp > 1)
            h = _mm_or_si128(h, _mm_or_si128(_mm_cmpeq_epi8(x, s1), _mm_or_si128(_mm_cmpeq_epi8(x, s2), _mm_cmpeq_epi8(x, s3))));
        if (nsp > 4)
            for (int j = 4; j < 8; j++) h = _mm_or_si128(h, _mm_cmpeq_epi8(x, _mm_loadu_si128(sp + j)));
        unsigned m = (unsigned)_mm_movemask_epi8(h), last = 0;
        while (m) {
            unsigned j = (unsigned)__builtin_ctz(m);
            m &= m - 1;
            _mm_storeu_si128((__m128i *)(void *)(o + k), _mm_shuffle_epi8(x, _mm_add_epi8(iota, _mm_set1_epi8((char)last))));
            k += j - last;
            const uint32_t dup = col & prev & (j == last), w = MARK_WORD;
            memcpy(o + k, &w, 4);
            k += dup ? 0 : 3;
            prev = 1;
            last = j + 1;
        }
        _mm_storeu_si128((__m128i *)(void *)(o + k), _mm_shuffle_epi8(x, _mm_add_epi8(iota, _mm_set1_epi8((char)last))));
        k += 16 - last;
        prev = last == 16 ? prev : 0;
        i += 16;
    }
    *kp = k;
    *prevp = prev;
    return i;
}
#endif

/* gen_fill for ids alone (no alignments, so bytes need not be taken char
 * by char: the chars are copied whole either way, and a window may end
 * inside one, the next continuing it): each byte copied, or made "▁" if it
 * is a space (a run of them one "▁" when collapsed).  The branches at each
 * word's space and at the vector step's exits were most of gen_fill's time
 * on running text.  Writes up to 16 bytes past what it counts (room: see
 * the callers). */
static size_t fill_ids(const spm_lane *L, gen *g, uint8_t *o, size_t k, size_t lim)
{
    const uint8_t *s = g->s, *cls = g->cls;
    const uint32_t n = g->n, col = L->collapse;
    uint32_t i = g->i;
    uint32_t prev = i > 0 && cls[s[i - 1]] == K_SP; /* the byte before was a space */
#if defined(__x86_64__) || defined(__i386__)
    /* sixteen bytes a step where the spaces are among at most eight byte
     * values: ' ' alone past the charsmap (cls is not the lane's then) */
    const bool own = cls == L->cls;
    if (L->ssse3 && (!own || L->nsp <= 8)) {
        i = fill_block(own ? (const void *)L->spv : (const void *)space_v, own ? L->nsp : 1, col, s, n, i, o,
                       &k, lim, &prev);
    }
#endif
    /* one byte a step, without a branch */
    while (i < n && k < lim) {
        const uint8_t b = s[i++];
        const uint32_t sp = cls[b] == K_SP, ms = 0u - sp;
        const uint32_t w = (BYTE_WORD(b) & ~ms) | (MARK_WORD & ms);
        memcpy(o + k, &w, 4);
        k += 1 + 2 * sp - 3 * (sp & prev & col);
        prev = sp;
    }
    g->i = i;
    return k;
}

static size_t gen_fill(const spm_lane *L, gen *g, uint8_t *o, uint32_t *a0, uint32_t *a1, size_t k, size_t lim)
{
    const uint8_t *s = g->s, *cls = g->cls;
    const uint32_t *ia0 = g->ia0, *ia1 = g->ia1;
    const uint32_t n = g->n, base = g->base;
    uint32_t i = g->i;
    /* range of the char of src at i (length cl) */
#define R0(i) (ia0 ? ia0[i] : base + (i))
#define R1(i, cl) (ia0 ? ia1[(i) + (cl) - 1] : base + (i) + (cl))
#define PUT_MARK(r0, r1)                                                  \
    do {                                                                  \
        memcpy(o + k, MARK, 3);                                           \
        if (a0) {                                                         \
            a0[k] = a0[k + 1] = a0[k + 2] = (r0);                         \
            a1[k] = a1[k + 1] = a1[k + 2] = (r1);                         \
        }                                                                 \
        k += 3;                                                           \
    } while (0)
    if (!g->started) {
        g->started = true;
        if (L->collapse)
            while (i < n && cls[s[i]] == K_SP) i++;
        if (i < n && L->prepend) {
            /* the prefix takes the range of the first char after it */
            uint32_t cl = cls[s[i]] == K_SP ? 1 : (uint32_t)tok_utf8_seqlen(s[i]);
            PUT_MARK(R0(i), R1(i, cl));
        }
    }
    if (!a0) {
        g->i = i;
        return fill_ids(L, g, o, k, lim);
    }
    /* (alignments from here on: a0 and a1 are set) */
    while (i < n && k < lim) {
        if (cls[s[i]] == K_SP) {
            uint32_t j = i + 1;
            if (L->collapse)
                while (j < n && cls[s[j]] == K_SP) j++;
            PUT_MARK(R0(j - 1), R1(j - 1, 1));
            i = j;
            continue;
        }
        if (s[i] < 0x80) {
#ifdef __SSE2__
            if (!ia0 && (cls != L->cls || L->ascii_low)) {
                /* ASCII of the original text from '!' to '~' (never white
                 * space or a char the charsmap touches, in either table):
                 * sixteen bytes a step, each aligned to itself (byte by byte
                 * through the general step below, this was most of the
                 * lane's own time).  It stops before anything else (a
                 * control char that is an ordinary one here takes the step
                 * below) */
                const __m128i lo = _mm_set1_epi8(0x21), del = _mm_set1_epi8(0x7F), step = _mm_set1_epi32(4),
                              one = _mm_set1_epi32(1);
                while (i + 16 <= n && k + 16 <= lim) {
                    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
                    /* signed: bytes >= 0x80 are below 0x21 too */
                    unsigned stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(x, lo), _mm_cmpeq_epi8(x, del)));
                    unsigned r = stop ? (unsigned)__builtin_ctz(stop) : 16;
                    if (!r) break;
                    _mm_storeu_si128((__m128i *)(void *)(o + k), x);
                    __m128i v = _mm_add_epi32(_mm_set1_epi32((int)(base + i)), _mm_setr_epi32(0, 1, 2, 3));
                    for (int q = 0; q < 4; q++, v = _mm_add_epi32(v, step)) {
                        _mm_storeu_si128((__m128i *)(void *)(a0 + k + 4 * q), v);
                        _mm_storeu_si128((__m128i *)(void *)(a1 + k + 4 * q), _mm_add_epi32(v, one));
                    }
                    k += r;
                    i += r;
                    if (r < 16) break;
                }
                if (i >= n || k >= lim || s[i] >= 0x80 || cls[s[i]] == K_SP) continue;
            }
#endif
            o[k] = s[i];
            a0[k] = R0(i);
            a1[k] = R1(i, 1);
            k++;
            i++;
            continue;
        }
        uint32_t cl = (uint32_t)tok_utf8_seqlen(s[i]);
        if (cl == 0 || i + cl > n) cl = 1;
        for (uint32_t x = 0; x < cl; x++, k++) {
            o[k] = s[i + x];
            a0[k] = ia0 ? ia0[i + x] : base + i;
            a1[k] = ia0 ? ia1[i + x] : base + i + cl;
        }
        i += cl;
    }
#undef PUT_MARK
#undef R0
#undef R1
    g->i = i;
    return k;
}

/* Trailing "▁"s the recipe strips. */
static size_t trim_end(const spm_lane *L, const uint8_t *o, size_t k)
{
    if (L->trim)
        while (k >= 3 && !memcmp(o + k - 3, MARK, 3)) k -= 3;
    return k;
}

/* Where the model input may be cut before the "▁" at x (x > 0), as
 * bpe_encode cuts it: not inside a run of "▁" and not after a byte some
 * token continues with "▁"; x + 3 <= k (the bytes written). */
static inline bool cut_at(const spm_lane *L, const uint8_t *o, size_t x, size_t k)
{
    return x + 3 <= k && o[x] == 0xE2 && !memcmp(o + x, MARK, 3) && !(x >= 3 && !memcmp(o + x - 3, MARK, 3)) &&
           !L->no_cut[o[x - 1]];
}

/* Model tokens of normalized bytes o[a, b) (offsets relative to a) into e,
 * mapped to the original text through a0/a1 (of k bytes written) as the
 * general pipeline maps them. */
static tok_status map_out(tok_ctx *ctx, const tok_toks *tk, const uint32_t *a0, const uint32_t *a1, size_t a,
                         size_t b, size_t k, int32_t w, tok_enc *e, uint8_t ty)
{
    if (tok_enc_reserve(e, e->n + tk->n)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    size_t covered = 0;
    if (e->ids_only) {
        /* tok_encode_ids: ids, and the bytes no token covers */
        for (size_t i = 0; i < tk->n; i++) {
            e->ids[e->n++] = tk->id[i];
            covered += tk->off[i].end > tk->off[i].start ? tk->off[i].end - tk->off[i].start : 0;
        }
        if (covered < b - a) ctx->dropped += b - a - covered;
        return TOK_OK;
    }
    for (size_t i = 0; i < tk->n; i++) {
        size_t s0 = a + tk->off[i].start, s1 = a + tk->off[i].end;
        tok_offset r;
        if (s1 <= s0) {
            r.start = r.end = a0[s0 < k ? s0 : k - 1];
        } else {
            covered += s1 - s0;
            r.start = a0[s0];
            r.end = a1[s1 - 1];
        }
        size_t x = e->n++;
        e->ids[x] = tk->id[i];
        e->off[x] = r;
        e->words[x] = w;
        e->type_ids[x] = ty;
        e->special[x] = 0;
        e->added[x] = 0;
    }
    /* bytes no token covers (a BPE without unk or byte fallback drops them) */
    if (covered < b - a) ctx->dropped += b - a - covered;
    return TOK_OK;
}

/* The model on normalized bytes o[a, b) of one pre-token (number w), its
 * tokens mapped to the original text through a0/a1 (of k bytes written) as
 * the general pipeline maps them; q: the stretch's cache query. */
static tok_status stretch(tok_ctx *ctx, const spm_lane *L, const uint8_t *o, const uint32_t *a0,
                          const uint32_t *a1, size_t a, size_t b, size_t k, const tok_pcache_q *q, int32_t w,
                          tok_enc *e, uint8_t ty)
{
    const tok_model *m = ctx->tok->model;
    tok_toks *tk = &ctx->toks;
    bool missed = false;
    if (L->bpe && e->ids_only && e->n + TOK_PCACHE_MAXIDS <= e->cap) {
        /* ids alone: a known stretch's ids straight into the output (a
         * cached stretch's tokens tile it: no bytes dropped) */
        tok_pcache *pc = tok_ctx_pcache(ctx);
        uint32_t got = pc ? tok_pcache_get_ids(pc, q, e->ids + e->n) : 0;
        if (got) {
            e->n += got;
            return TOK_OK;
        }
        missed = pc != NULL;
    }
    tk->n = 0;
    tok_status st = L->bpe ? tok__bpe_spm_piece(L->bpe, m, ctx, q, missed, tk)
                           : tok__bpe_piece(m, ctx, o + a, (uint32_t)(b - a), tk);
    if (st) return st;
    return map_out(ctx, tk, a0, a1, a, b, k, w, e, ty);
}

/* Text without a pre-tokenizer after the normalizer and a BPE model that
 * cuts its input before "▁" (bpe.c's marker split): the normalized text is
 * written in windows and each stretch between cuts goes straight to the
 * model, its cache slot fetched ahead, instead of writing the whole
 * normalized copy with per-byte alignments first and handing it to the
 * general pipeline, which would cut it the same way. */
#define WINDOW 4096
static tok_status direct(tok_ctx *ctx, const spm_lane *L, const tok_piece *p, const uint8_t *cls, int32_t *w,
                         tok_enc *e, uint8_t ty)
{
    gen g = { p->s, cls, p->a0, p->a1, p->n, p->base, 0, false };
    /* a short piece (between added tokens) needs only its own size */
    size_t cap = ((size_t)p->n * 3 + 3 < WINDOW ? (size_t)p->n * 3 + 3 : WINDOW) + 16, k = 0;
    tok_piece win;
    tok_status st;
    if ((st = tok_ctx_piece_alloc(ctx, &win, cap))) return st;
    uint8_t *o = (uint8_t *)win.s;
    /* ids alone: no alignments written (map_out does not read them) */
    uint32_t *a0 = e->ids_only ? NULL : (uint32_t *)win.a0, *a1 = e->ids_only ? NULL : (uint32_t *)win.a1;
    tok_pcache *pc = tok_ctx_pcache(ctx);
    if (!pc) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    /* a token per byte at most, and one for the prefixed "▁" */
    if (tok__lane_reserve(e, (size_t)p->n + 1)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    bool any = false;
    const int32_t wn = *w;
    for (;;) {
        tok_ctx_progress(ctx, p->base + g.i);
        k = gen_fill(L, &g, o, a0, a1, k, cap - 16);
        bool last = g.i >= g.n;
        if (last) k = trim_end(L, o, k);
        /* every stretch before the last cut (all of them at the end) */
        size_t a = 0, end = k;
        if (!last) {
            /* (bytes past k are stale: a cut needs its whole "▁" written) */
            while (end > 0 && !cut_at(L, o, end, k)) end--;
            if (end == 0 && k + 16 >= cap) {
                /* no cut in the whole window: a larger one */
                tok_piece r;
                if ((st = tok_ctx_piece_alloc(ctx, &r, cap * 2))) return st;
                memcpy((uint8_t *)r.s, o, k);
                if (a0) {
                    memcpy((uint32_t *)r.a0, a0, k * sizeof *a0);
                    memcpy((uint32_t *)r.a1, a1, k * sizeof *a1);
                    a0 = (uint32_t *)r.a0;
                    a1 = (uint32_t *)r.a1;
                }
                o = (uint8_t *)r.s;
                cap *= 2;
                continue;
            }
        }
        /* in batches: the stretches' cache slots are fetched ahead */
        for (size_t x = 1; x <= end;) {
            enum { B = 16 };
            size_t cut[B + 1];
            tok_pcache_q q[B];
            int nb = 0;
            cut[0] = a;
            while (x <= end && nb < B) {
                if (x < end) {
                    /* a cut is a "▁": its first byte is the one to look for */
                    const uint8_t *f = memchr(o + x, 0xE2, end - x);
                    x = f ? (size_t)(f - o) : end;
                    if (f && !cut_at(L, o, x, k)) {
                        x++;
                        continue;
                    }
                }
                cut[++nb] = x++;
            }
            for (int y = 0; y < nb; y++) {
                tok_pcache_query(&q[y], o + cut[y], (uint32_t)(cut[y + 1] - cut[y]));
                tok_pcache_prefetch(pc, &q[y]);
            }
            for (int y = 0; y < nb; y++)
                if ((st = stretch(ctx, L, o, a0, a1, cut[y], cut[y + 1], k, &q[y], wn, e, ty))) return st;
            if (nb) {
                any = true;
                a = cut[nb];
            }
        }
        if (last) break;
        /* the uncut tail to the front */
        memmove(o, o + end, k - end);
        if (a0) {
            memmove(a0, a0 + end, (k - end) * sizeof *a0);
            memmove(a1, a1 + end, (k - end) * sizeof *a1);
        }
        k -= end;
    }
    if (any) *w = wn + 1;
    return TOK_OK;
}

static tok_status lane_src(tok_ctx *ctx, const tok_encode_options *opt, const spm_lane *L, const tok_piece *src,
                           const uint8_t *cls, int32_t *w, tok_enc *e, uint8_t ty);

static tok_status lane_piece(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p, int32_t *w,
                             tok_enc *e, uint8_t ty);

/* The scratch of one piece (its normalized copy or window, the charsmap's
 * output) is given back when the piece is done, so the next piece's is the
 * same memory: a text cut into thousands of pieces by added tokens
 * (Gemma's "\n" is one) took fresh scratch for each, tens of MB of arena
 * and as many page faults as a cold encode's own work.  (Nothing the piece
 * leaves behind lives in the arena: its tokens are in e.) */
static tok_status lane(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p, int32_t *w,
                       tok_enc *e, uint8_t ty)
{
    tok_arena_mark at = tok_arena_where(&ctx->arena);
    tok_status st = lane_piece(ctx, opt, p, w, e, ty);
    tok_arena_back(&ctx->arena, at);
    return st;
}

static tok_status lane_piece(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p, int32_t *w,
                             tok_enc *e, uint8_t ty)
{
    const spm_lane *L = ctx->tok->lane_data;
    if (p->a0 || p->n == 0) return tok__encode_general(ctx, opt, p, w, e, ty, false);
    /* src: the text, or the charsmap's output where the ASCII table does
     * not answer; then only ' ' is a space */
    tok_piece src = *p;
    uint8_t id_cls[256];
    const uint8_t *cls = L->cls;
    tok_nstr *hold = NULL; /* the scratch src lives in, when it is one */
    tok_status st;
    /* (without a charsmap no byte is slow: the scan is skipped) */
    for (uint32_t i = 0; L->any_slow && i < p->n; i++) {
        if (L->cls[p->s[i]] != K_SLOW) continue;
        if ((st = L->parts ? charsmap_parts(ctx, L, p, &src, &hold, !e->ids_only) : charsmap(ctx, L->pc, p, &src)))
            return st;
        memset(id_cls, K_ID, sizeof id_cls);
        id_cls[' '] = K_SP;
        cls = id_cls;
        break;
    }
    st = lane_src(ctx, opt, L, &src, cls, w, e, ty);
    if (hold) tok_ctx_nstr_release(ctx, hold);
    return st;
}

/* The lane past the charsmap, on src. */
static tok_status lane_src(tok_ctx *ctx, const tok_encode_options *opt, const spm_lane *L, const tok_piece *srcp,
                           const uint8_t *cls, int32_t *w, tok_enc *e, uint8_t ty)
{
    const tok_piece src = *srcp;
    tok_status st;
    if (src.n == 0) return TOK_OK;
    if (L->no_cut && !(opt->dropout > 0)) return direct(ctx, L, &src, cls, w, e, ty);
    tok_piece q;
    /* (+ 16: gen_fill writes past what it counts) */
    if ((st = tok_ctx_piece_alloc(ctx, &q, (size_t)src.n * 3 + 3 + 16))) return st;
    gen g = { src.s, cls, src.a0, src.a1, src.n, src.base, 0, false };
    /* ids alone: the normalized text without its alignments (offsets are
     * not asked for, and nothing else reads them), so they are neither
     * written nor paged in */
    if (e->ids_only) q.a0 = q.a1 = NULL;
    size_t k = gen_fill(L, &g, (uint8_t *)q.s, (uint32_t *)q.a0, (uint32_t *)q.a1, 0, SIZE_MAX);
    k = trim_end(L, q.s, k);
    if (k == 0) return TOK_OK;
    q.n = (uint32_t)k;
    return tok__encode_general(ctx, opt, &q, w, e, ty, true);
}

/* Split on the string " " (Gemma): after the recipe turned every space
 * into "▁" it finds nothing to split. */
static bool split_on_space(const tok_pretok *pt)
{
    json_t *j = pt->vt->to_json(pt);
    if (!j) return false;
    const json_t *pat = json_object_get(j, "pattern");
    const char *str = json_string_value(json_object_get(pat, "String"));
    bool ok = is_type(j, "Split") && str && !strcmp(str, " ") && !json_is_true(json_object_get(j, "invert"));
    json_decref(j);
    return ok;
}

static void lane_free(void *d)
{
    spm_lane *L = d;
    if (L) tok__bpe_spm_free(L->bpe);
    free(L);
}

int tok__lane_spm(tok_tokenizer *t)
{
    if (!t->normalizer || t->added.norm) return 0;
    json_t *j = t->normalizer->vt->to_json(t->normalizer);
    if (!j) return -1;
    json_t *steps = NULL;
    if (is_type(j, "Sequence")) {
        steps = json_incref(json_object_get(j, "normalizers"));
    } else if ((steps = json_array())) {
        json_array_append(steps, j);
    }
    spm_lane *L = calloc(1, sizeof *L);
    bool pc = false;
    int r = -1;
    if (!steps || !L) goto out;
    r = 0;
    if (!json_is_array(steps) || !recipe(steps, L, &pc)) goto out;
    /* the charsmap, where it is a sequence's first step */
    const tok_normalizer *pcn = NULL;
    if (pc) {
        /* the Precompiled step: the normalizer itself or the first of its
         * Sequence, asked by its public face (to_json) above; its per-char
         * behaviour comes from the object */
        pcn = tok__norm_sequence_first(t->normalizer);
        if (!pcn) goto out;
    }
    for (int c = 0; c < 256; c++) {
        if (c >= 0x80) L->cls[c] = pc ? K_SLOW : K_ID;
        else if (c == ' ') L->cls[c] = K_SP;
        else if (!pc) L->cls[c] = K_ID;
        else {
            int a = tok__precompiled_ascii(pcn, (uint8_t)c);
            L->cls[c] = a == 0 ? K_ID : a == 1 ? K_SP : K_SLOW;
        }
    }
    if (pc && tok__precompiled_ascii(pcn, ' ') != 0) goto out; /* a charsmap that touches spaces */
    L->ascii_low = true;
    for (int c = 0; c < 256; c++) {
        if (c > 0x20 && c < 0x7F && L->cls[c] != K_ID) L->ascii_low = false;
        if (L->cls[c] == K_SLOW) L->any_slow = true;
    }
    for (int c = 0; c < 256; c++)
        if (L->cls[c] == K_SP && L->nsp++ < 8) memset(L->spv[L->nsp - 1], c, 16);
    for (int x = L->nsp; x > 0 && x < 8; x++) memcpy(L->spv[x], L->spv[0], 16);
#if defined(__x86_64__) || defined(__i386__)
    L->ssse3 = __builtin_cpu_supports("ssse3");
#endif
    L->pc = pcn;
    L->parts = pcn && tok__precompiled_ascii_cuts(pcn);
    /* no pre-tokenizer after the recipe (or one that cannot cut: no spaces
     * are left to split on) and a model whose input falls apart at "▁" */
    if (!t->pretok || split_on_space(t->pretok)) {
        if ((L->no_cut = tok__bpe_marker_cuts(t->model)))
            L->bpe = tok__bpe_spm_new(t->model); /* NULL: bpe.c's path per word */
    }
    t->lane = lane;
    t->lane_data = L;
    t->lane_free = lane_free;
    L = NULL;
    r = 1;
out:
    free(L);
    json_decref(steps);
    json_decref(j);
    return r;
}
