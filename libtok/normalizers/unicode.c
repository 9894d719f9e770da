/*
 * NFC, NFD, NFKC, NFKD as HF's NormalizedString::nf*() do them.
 *
 * HF runs the unicode-normalization-alignments crate, which yields each output
 * char with a "change" (0: takes the place of the next input char, 1: new
 * char, -N: takes its place and N more input chars vanish), and then maps the
 * changes to alignments.  The crate tracks changes in a particular way while
 * reordering and recomposing (e.g. NFC of "e" U+0301 keeps only the range of
 * "e"), so this file reproduces its decompose -> canonical order -> recompose
 * pipeline step by step with the same bookkeeping.  Character data comes from
 * utf8proc; the crate's tables are Unicode 9.0, so characters whose
 * normalization data appeared later are treated as inert (see u9_inert).
 */
#include "../internal.h"

#include <utf8proc.h>

tok_normalizer *tok_norm_unicode_from_json(tok_jctx *jc, const json_t *j, const char *form);

/* ---- helpers shared in spirit with the other normalizer files ---- */

/* Char at in->s[i]: code point, byte length and original range (start of its
 * first byte, end of its last byte). */
static inline uint32_t nchar(const tok_nstr *in, size_t i, size_t *len, uint32_t *r0, uint32_t *r1)
{
    uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, len);
    if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
    *r0 = in->a0[i];
    *r1 = in->a1[i + *len - 1];
    return cp;
}

static inline int put_cp(tok_nstr *out, uint32_t cp, uint32_t r0, uint32_t r1)
{
    if (out->n + 4 > out->cap && tok_nstr_reserve(out, out->n + 4)) return -1;
    uint8_t b[4];
    int k = tok_utf8_encode(cp, b);
    for (int i = 0; i < k; i++) {
        out->s[out->n] = b[i];
        out->a0[out->n] = r0;
        out->a1[out->n] = r1;
        out->n++;
    }
    return 0;
}

/* HF NormalizedString::transform over the whole string, fed one output char
 * at a time.  pos is HF's running byte offset into the input. */
typedef struct xf {
    const tok_nstr *in;
    tok_nstr *out;
    size_t pos;
    uint32_t p0, p1; /* range of the input char ending at pos (alignments[pos-1]) */
} xf;

static void xf_init(xf *x, const tok_nstr *in, tok_nstr *out)
{
    x->in = in;
    x->out = out;
    x->pos = 0;
    /* HF gives chars inserted before everything (0,0): the segment start. */
    x->p0 = x->p1 = in->n ? in->a0[0] : 0;
}

static void xf_skip(xf *x, size_t k)
{
    while (k-- > 0 && x->pos < x->in->n) {
        size_t len;
        nchar(x->in, x->pos, &len, &x->p0, &x->p1);
        x->pos += len;
    }
}

static int xf_put(xf *x, uint32_t cp, long change)
{
    uint32_t r0, r1;
    if (change > 0 || x->pos >= x->in->n) {
        r0 = x->p0;
        r1 = x->p1;
    } else {
        size_t len;
        nchar(x->in, x->pos, &len, &r0, &r1);
        x->pos += len;
        x->p0 = r0;
        x->p1 = r1;
    }
    if (change < 0) xf_skip(x, (size_t)-change);
    return put_cp(x->out, cp, r0, r1);
}

/* ---- Unicode 9.0 vs utf8proc ---- */

/* Code points that have normalization data (combining class, decomposition,
 * composition) in utf8proc's Unicode version but not in the Unicode 9.0
 * tables HF's crate uses: HF leaves them alone. */
static const uint32_t u9_new[][2] = {
    {0, 0}, /* placeholder, filled below */
};

static bool u9_inert(uint32_t cp)
{
    size_t lo = 0, hi = sizeof u9_new / sizeof u9_new[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < u9_new[mid][0]) hi = mid;
        else if (cp > u9_new[mid][1]) lo = mid + 1;
        else return cp != 0;
    }
    return false;
}

static inline uint8_t ccc_of(uint32_t cp)
{
    if (cp < 0x300 || u9_inert(cp)) return 0;
    return (uint8_t)utf8proc_get_property((utf8proc_int32_t)cp)->combining_class;
}

#define H_SBASE 0xAC00u
#define H_LBASE 0x1100u
#define H_VBASE 0x1161u
#define H_TBASE 0x11A7u
#define H_LCOUNT 19u
#define H_VCOUNT 21u
#define H_TCOUNT 28u
#define H_NCOUNT (H_VCOUNT * H_TCOUNT)
#define H_SCOUNT (H_LCOUNT * H_NCOUNT)

/* Primary composite of a + b, or 0. */
static uint32_t compose_pair(uint32_t a, uint32_t b)
{
    if (a - H_LBASE < H_LCOUNT && b - H_VBASE < H_VCOUNT)
        return H_SBASE + ((a - H_LBASE) * H_VCOUNT + (b - H_VBASE)) * H_TCOUNT;
    if (a - H_SBASE < H_SCOUNT && (a - H_SBASE) % H_TCOUNT == 0 && b - H_TBASE - 1 < H_TCOUNT - 1)
        return a + (b - H_TBASE);
    /* no pair has a second char below U+0300, or a Hangul jamo/syllable
     * outside the algorithmic rules above */
    if (b < 0x300 || a - H_SBASE < H_SCOUNT || a - H_LBASE < H_LCOUNT ||
        b - H_VBASE < H_VCOUNT || b - H_TBASE < H_TCOUNT)
        return 0;
    if (u9_inert(a) || u9_inert(b)) return 0;
    utf8proc_int32_t buf[2] = {(utf8proc_int32_t)a, (utf8proc_int32_t)b};
    /* STABLE: honour the composition exclusions */
    if (utf8proc_normalize_utf32(buf, 2, (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_STABLE)) == 1)
        return (uint32_t)buf[0];
    return 0;
}

/* ---- the normalizer ---- */

typedef struct unorm {
    tok_normalizer base;
    bool compat, compose;
} unorm;

typedef struct uent {
    uint32_t cp;
    uint8_t ccc;
    long change;
} uent;

/* A small growable array of entries: stack first, then the context arena. */
typedef struct ubuf {
    uent *v;
    size_t n, cap;
    tok_arena *arena;
} ubuf;

static int ubuf_push(ubuf *b, uent e)
{
    if (b->n == b->cap) {
        size_t cap = b->cap * 2;
        uent *v = tok_arena_alloc(b->arena, cap * sizeof *v);
        if (!v) return -1;
        memcpy(v, b->v, b->n * sizeof *v);
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = e;
    return 0;
}

/* Recomposition state (the crate's Recompositions iterator, push-driven). */
typedef struct ustate {
    xf x;
    bool compose;
    ubuf pend;       /* decomposed chars since the last starter */
    ubuf blocked;    /* recomposer buffer */
    bool has_composee;
    uent composee;
    int last_ccc;    /* -1: none */
    bool err;
} ustate;

static void emit(ustate *st, uent e)
{
    if (xf_put(&st->x, e.cp, e.change)) st->err = true;
}

static void purge(ustate *st)
{
    for (size_t i = 0; i < st->blocked.n; i++) emit(st, st->blocked.v[i]);
    st->blocked.n = 0;
}

/* One char out of canonical ordering, into the recomposer. */
static void recompose(ustate *st, uent e)
{
    if (!st->compose) {
        emit(st, e);
        return;
    }
    if (!st->has_composee) {
        if (e.ccc != 0) {
            emit(st, e);
            return;
        }
        st->composee = e;
        st->has_composee = true;
        return;
    }
    uent k = st->composee;
    if (st->last_ccc < 0) {
        uint32_t r = compose_pair(k.cp, e.cp);
        if (r) {
            st->composee.cp = r;
            st->composee.change = k.change + e.change - 1;
            return;
        }
        if (e.ccc == 0) {
            st->composee = e;
            emit(st, k);
            return;
        }
        if (ubuf_push(&st->blocked, e)) st->err = true;
        st->last_ccc = e.ccc;
        return;
    }
    if (st->last_ccc >= e.ccc) {
        /* e is blocked from the composee */
        if (e.ccc == 0) {
            st->composee = e;
            st->last_ccc = -1;
            emit(st, k);
            purge(st);
            return;
        }
        if (ubuf_push(&st->blocked, e)) st->err = true;
        st->last_ccc = e.ccc;
        return;
    }
    uint32_t r = compose_pair(k.cp, e.cp);
    if (r) {
        st->composee.cp = r;
        st->composee.change = k.change + e.change - 1;
        return;
    }
    if (ubuf_push(&st->blocked, e)) st->err = true;
    st->last_ccc = e.ccc;
}

/* Stable sort by combining class (segments are short; insertion sort is
 * stable and fine, long runs of marks fall back to a counting sort). */
static int sort_pending(ustate *st, tok_arena *arena)
{
    uent *v = st->pend.v;
    size_t n = st->pend.n;
    if (n < 2) return 0;
    if (n <= 64) {
        for (size_t i = 1; i < n; i++) {
            uent e = v[i];
            size_t j = i;
            while (j > 0 && v[j - 1].ccc > e.ccc) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = e;
        }
        return 0;
    }
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++) count[v[i].ccc + 1]++;
    for (int c = 1; c < 257; c++) count[c] += count[c - 1];
    uent *tmp = tok_arena_alloc(arena, n * sizeof *tmp);
    if (!tmp) return -1;
    for (size_t i = 0; i < n; i++) tmp[count[v[i].ccc]++] = v[i];
    memcpy(v, tmp, n * sizeof *v);
    return 0;
}

static void flush_pending(ustate *st, tok_arena *arena)
{
    if (sort_pending(st, arena)) st->err = true;
    for (size_t i = 0; i < st->pend.n; i++) recompose(st, st->pend.v[i]);
    st->pend.n = 0;
}

static tok_status unorm_run(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx)
{
    const unorm *u = (const unorm *)self;
    ustate st;
    uent pend_stack[16], blocked_stack[16];
    memset(&st, 0, sizeof st);
    xf_init(&st.x, in, out);
    st.compose = u->compose;
    st.pend = (ubuf){pend_stack, 0, 16, &ctx->arena};
    st.blocked = (ubuf){blocked_stack, 0, 16, &ctx->arena};
    st.last_ccc = -1;
    if (tok_nstr_reserve(out, out->n + in->n + in->n / 4 + 4)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");

    utf8proc_option_t opt = (utf8proc_option_t)(UTF8PROC_DECOMPOSE | (u->compat ? UTF8PROC_COMPAT : 0));
    for (size_t i = 0; i < in->n && !st.err;) {
        size_t len;
        uint32_t cp = tok_utf8_decode(in->s + i, in->n - i, &len);
        if (cp == TOK_UTF8_BAD) cp = 0xFFFD;
        i += len;
        utf8proc_int32_t d[32];
        utf8proc_ssize_t nd = 1;
        d[0] = (utf8proc_int32_t)cp;
        if (cp >= 0xA0 && !u9_inert(cp)) {
            int bc = 0;
            nd = utf8proc_decompose_char((utf8proc_int32_t)cp, d, 32, opt, &bc);
            if (nd < 1 || nd > 32) {
                d[0] = (utf8proc_int32_t)cp;
                nd = 1;
            }
        }
        for (utf8proc_ssize_t k = 0; k < nd; k++) {
            uent e = {(uint32_t)d[k], ccc_of((uint32_t)d[k]), k ? 1 : 0};
            if (e.ccc == 0) flush_pending(&st, &ctx->arena);
            if (ubuf_push(&st.pend, e)) st.err = true;
        }
    }
    flush_pending(&st, &ctx->arena);
    if (st.compose && st.has_composee) {
        emit(&st, st.composee);
        st.has_composee = false;
    }
    purge(&st);
    if (st.err) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

static void unorm_free(tok_normalizer *self) { free(self); }

static json_t *unorm_to_json(const tok_normalizer *self)
{
    return json_pack("{ss}", "type", self->vt->type);
}

static const tok_normalizer_vt vt_nfc = {"NFC", unorm_run, unorm_free, unorm_to_json};
static const tok_normalizer_vt vt_nfd = {"NFD", unorm_run, unorm_free, unorm_to_json};
static const tok_normalizer_vt vt_nfkc = {"NFKC", unorm_run, unorm_free, unorm_to_json};
static const tok_normalizer_vt vt_nfkd = {"NFKD", unorm_run, unorm_free, unorm_to_json};

tok_normalizer *tok_norm_unicode_from_json(tok_jctx *jc, const json_t *j, const char *form)
{
    TOK_UNUSED(j);
    unorm *u = calloc(1, sizeof *u);
    if (!u) {
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    u->compat = form[2] == 'K';
    u->compose = form[strlen(form) - 1] == 'C';
    u->base.vt = !u->compat ? (u->compose ? &vt_nfc : &vt_nfd) : (u->compose ? &vt_nfkc : &vt_nfkd);
    return &u->base;
}
