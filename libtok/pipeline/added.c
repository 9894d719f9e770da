/*
 * Added tokens: found in the text before the model runs, leftmost-longest
 * (as HF's Aho-Corasick with MatchKind::LeftmostLongest), with HF's
 * single_word / lstrip / rstrip rules.  Tokens with normalized == false are
 * matched on the raw text, the others on each normalized piece, against their
 * normalized content.
 *
 * The matcher is a byte trie walked from each candidate start.  Candidates
 * are found by searching for the tokens' first bytes (memchr for one byte,
 * SSE2 compares for up to eight (Gemma 3's 6415 start with one of five),
 * a table otherwise: Llama 3's 256 specials all
 * start with '<') and kept only when their first two bytes begin a token (a
 * 2^16-bit set), so text without candidates costs no per-byte work and most
 * candidates no trie walk.  Cost is O(n * L) for the longest added token L,
 * linear in the text.
 */
#include "../internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* distinct first bytes searched for with vector compares */
#define MAX_LEADS 8

typedef struct tnode {
    uint32_t first; /* first edge index */
    uint16_t nedges;
    int32_t id;     /* token ending here, -1 none */
    int32_t index;  /* index into the added list */
} tnode;

struct tok_added_matcher {
    TOK_VEC(tnode) nodes;
    TOK_VEC(uint8_t) label;  /* edges, grouped per node, sorted by label */
    TOK_VEC(uint32_t) target;
    bool first[256];
    bool one[256];         /* a token of one byte */
    uint64_t two[1024];    /* first two bytes of a longer token, one bit each */
    uint8_t lead[MAX_LEADS];
    int nlead;             /* distinct first bytes, 0 when more than MAX_LEADS */
    bool any_plain;  /* holds a non-special token (matched whatever the policy) */
};

/* Build by inserting sorted patterns depth-first: we collect (pattern, id)
 * pairs, sort them, and create nodes so each node's edges are contiguous. */
typedef struct pat { const uint8_t *s; uint32_t n; int32_t id; int32_t index; } pat;

static int pat_cmp(const void *a, const void *b)
{
    const pat *x = a, *y = b;
    uint32_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    if (c) return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* The trie of the sorted patterns, breadth first: a node stands for the
 * patterns p[lo,hi) that share its prefix of `depth` bytes; its edges are
 * laid out together (first, nedges) when it is taken from the queue, and its
 * children queued.  A queue, not recursion: a normalizer can make an added
 * token's pattern as long as a file allows (Replace of "" by a long string
 * inserts it between every two characters), and one stack frame per byte
 * overflowed the stack (found by fuzzing). */
typedef struct build_item { size_t lo, hi; uint32_t depth, node; } build_item;

static int build_trie(struct tok_added_matcher *m, pat *p, size_t n)
{
    TOK_VEC(build_item) q = { 0 };
    int rc = -1;
    if (tok_vec_push(&q, ((build_item){ 0, n, 0, 0 }))) return -1;
    for (size_t at = 0; at < q.n; at++) {
        build_item it = q.v[at];
        size_t lo = it.lo, hi = it.hi;
        uint32_t depth = it.depth, node = it.node;
        /* a pattern that ends exactly here */
        while (lo < hi && p[lo].n == depth) {
            if (m->nodes.v[node].id < 0) {
                m->nodes.v[node].id = p[lo].id;
                m->nodes.v[node].index = p[lo].index;
            }
            lo++;
        }
        /* count distinct next bytes */
        size_t k = 0;
        for (size_t i = lo; i < hi;) {
            uint8_t c = p[i].s[depth];
            while (i < hi && p[i].s[depth] == c) i++;
            k++;
        }
        uint32_t first = (uint32_t)m->label.n;
        if (tok_vec_reserve(&m->label, m->label.n + k) || tok_vec_reserve(&m->target, m->target.n + k)) goto out;
        m->label.n += k;
        m->target.n += k;
        m->nodes.v[node].first = first;
        m->nodes.v[node].nedges = (uint16_t)k;
        size_t e = 0;
        for (size_t i = lo; i < hi;) {
            uint8_t c = p[i].s[depth];
            size_t j = i;
            while (j < hi && p[j].s[depth] == c) j++;
            tnode nn = { 0, 0, -1, -1 };
            if (tok_vec_push(&m->nodes, nn)) goto out;
            uint32_t child = (uint32_t)m->nodes.n - 1;
            m->label.v[first + e] = c;
            m->target.v[first + e] = child;
            e++;
            if (tok_vec_push(&q, ((build_item){ i, j, depth + 1, child }))) goto out;
            i = j;
        }
    }
    rc = 0;
out:
    tok_vec_free(&q);
    return rc;
}

static struct tok_added_matcher *matcher_new(pat *p, size_t n)
{
    struct tok_added_matcher *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    qsort(p, n, sizeof *p, pat_cmp);
    tnode root = { 0, 0, -1, -1 };
    if (tok_vec_push(&m->nodes, root) || build_trie(m, p, n)) {
        tok_vec_free(&m->nodes);
        tok_vec_free(&m->label);
        tok_vec_free(&m->target);
        free(m);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!p[i].n) continue;
        uint8_t c = p[i].s[0];
        if (!m->first[c] && m->nlead >= 0) {
            if (m->nlead < MAX_LEADS) m->lead[m->nlead++] = c;
            else m->nlead = -1;
        }
        m->first[c] = true;
        if (p[i].n == 1) {
            m->one[c] = true;
        } else {
            uint32_t b = (uint32_t)c << 8 | p[i].s[1];
            m->two[b >> 6] |= 1ull << (b & 63);
        }
    }
    if (m->nlead < 0) m->nlead = 0;
    for (int i = m->nlead; i > 0 && i < MAX_LEADS; i++) m->lead[i] = m->lead[0]; /* pad the compares */
    return m;
}

static void mark_plain(struct tok_added_matcher *m, const tok_added_set *a, const pat *p, size_t n)
{
    for (size_t i = 0; m && i < n; i++)
        if (!a->v.v[p[i].index].special) m->any_plain = true;
}

static void matcher_free(struct tok_added_matcher *m)
{
    if (!m) return;
    tok_vec_free(&m->nodes);
    tok_vec_free(&m->label);
    tok_vec_free(&m->target);
    free(m);
}

/* The first position at or after pos where a token's first byte is, or n. */
static size_t next_lead(const struct tok_added_matcher *m, const uint8_t *s, size_t n, size_t pos)
{
    if (pos >= n) return n;
    if (m->nlead == 1) {
        const uint8_t *q = memchr(s + pos, m->lead[0], n - pos);
        return q ? (size_t)(q - s) : n;
    }
#ifdef __SSE2__
    if (m->nlead > 1) {
        __m128i l0 = _mm_set1_epi8((char)m->lead[0]), l1 = _mm_set1_epi8((char)m->lead[1]);
        __m128i l2 = _mm_set1_epi8((char)m->lead[2]), l3 = _mm_set1_epi8((char)m->lead[3]);
        __m128i l4 = _mm_set1_epi8((char)m->lead[4]), l5 = _mm_set1_epi8((char)m->lead[5]);
        __m128i l6 = _mm_set1_epi8((char)m->lead[6]), l7 = _mm_set1_epi8((char)m->lead[7]);
        const bool eight = m->nlead > 4;
        for (; pos + 16 <= n; pos += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(s + pos));
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, l0), _mm_cmpeq_epi8(x, l1)),
                                       _mm_or_si128(_mm_cmpeq_epi8(x, l2), _mm_cmpeq_epi8(x, l3)));
            if (eight)
                hit = _mm_or_si128(hit, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, l4), _mm_cmpeq_epi8(x, l5)),
                                                     _mm_or_si128(_mm_cmpeq_epi8(x, l6), _mm_cmpeq_epi8(x, l7))));
            unsigned mask = (unsigned)_mm_movemask_epi8(hit);
            if (mask) return pos + (size_t)__builtin_ctz(mask);
        }
    }
#endif
    while (pos < n && !m->first[s[pos]]) pos++;
    return pos;
}

/* Whether a token can start at s[pos]: one probe on its first two bytes. */
static inline bool can_start(const struct tok_added_matcher *m, const uint8_t *s, size_t n, size_t pos)
{
    if (m->one[s[pos]]) return true;
    if (pos + 1 >= n) return false;
    uint32_t b = (uint32_t)s[pos] << 8 | s[pos + 1];
    return m->two[b >> 6] >> (b & 63) & 1;
}

/* Longest pattern starting at s[0..n): its length, or 0; *index set. */
static uint32_t longest_at(const struct tok_added_matcher *m, const uint8_t *s, size_t n, int32_t *index)
{
    uint32_t node = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        const tnode *t = &m->nodes.v[node];
        const uint8_t *lab = m->label.v + t->first;
        uint32_t lo = 0, hi = t->nedges;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (lab[mid] < s[i]) lo = mid + 1;
            else hi = mid;
        }
        if (lo == t->nedges || lab[lo] != s[i]) break;
        node = m->target.v[t->first + lo];
        if (m->nodes.v[node].id >= 0) {
            best = (uint32_t)i + 1;
            *index = m->nodes.v[node].index;
        }
    }
    return best;
}

tok_status tok_added_build(tok_tokenizer *t, tok_error *err)
{
    tok_added_set *a = &t->added;
    size_t n = a->v.n;
    if (n == 0) return TOK_OK;
    pat *raw = calloc(n, sizeof *raw), *norm = calloc(n, sizeof *norm);
    tok_ctx *ctx = t->normalizer ? tok_ctx_new(t) : NULL;
    size_t nr = 0, nn = 0;
    tok_status st = TOK_OK;
    if (!raw || !norm || (t->normalizer && !ctx)) {
        st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* All normalized contents together stay within the normalizers' bound
     * for all contents: a file cannot multiply itself through many tokens. */
    if (ctx) {
        ctx->norm_in = ctx->norm_made = 0;
        for (size_t i = 0; i < n; i++) ctx->norm_in += a->v.v[i].len;
    }
    for (size_t i = 0; i < n; i++) {
        tok_added *x = &a->v.v[i];
        if (x->len == 0) continue;
        if (!x->normalized) {
            raw[nr++] = (pat){ (const uint8_t *)x->content, x->len, x->id, (int32_t)i };
            continue;
        }
        const uint8_t *s = (const uint8_t *)x->content;
        size_t len = x->len;
        if (t->normalizer) {
            tok_nstr in = { 0 }, out = { 0 };
            ctx->nstr_top = 0;
            tok_arena_reset(&ctx->arena);
            if (tok_nstr_push(&in, s, len, 0, (uint32_t)len)) {
                st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
                goto done;
            }
            /* (all contents were counted in above) */
            st = tok_normalizer_run(t->normalizer, &in, &out, 0, ctx);
            if (st) {
                tok__fail(err, st, "normalizing added token %zu \"%.40s\": %s", i, x->content, ctx->err);
                tok_nstr_free(&in);
                tok_nstr_free(&out);
                goto done;
            }
            const char *d = tok_vocab_strdup(&t->vocab, (const char *)out.s, out.n);
            tok_nstr_free(&in);
            tok_nstr_free(&out);
            if (!d) {
                st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
                goto done;
            }
            s = (const uint8_t *)d;
            len = strlen(d);
        }
        if (len) norm[nn++] = (pat){ s, (uint32_t)len, x->id, (int32_t)i };
    }
    if ((nr && !(a->raw = matcher_new(raw, nr))) || (nn && !(a->norm = matcher_new(norm, nn))))
        st = tok__fail(err, TOK_ERR_NOMEM, "out of memory");
    mark_plain(a->raw, a, raw, nr);
    mark_plain(a->norm, a, norm, nn);
done:
    free(raw);
    free(norm);
    tok_ctx_free(ctx);
    return st;
}

void tok_added_free(tok_added_set *a)
{
    matcher_free(a->raw);
    matcher_free(a->norm);
    tok_vec_free(&a->v);
    a->raw = a->norm = NULL;
}

/* char before/after helpers on valid UTF-8 */
static uint32_t char_before(const uint8_t *s, size_t at)
{
    size_t i = at;
    while (i > 0 && (s[i - 1] & 0xC0) == 0x80) i--;
    if (i > 0) i--;
    size_t len;
    return tok_utf8_decode(s + i, at - i, &len);
}

static uint32_t char_at(const uint8_t *s, size_t n, size_t at, size_t *len)
{
    return tok_utf8_decode(s + at, n - at, len);
}

static tok_status push_piece(tok_pieces *out, tok_ctx *ctx, const tok_piece *p, uint32_t a, uint32_t b, int32_t id)
{
    if (b <= a) return TOK_OK;
    tok_piece q = tok_piece_sub(p, a, b - a);
    q.id = id;
    if (tok_vec_push(out, q)) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
    return TOK_OK;
}

tok_status tok_added_split(const tok_tokenizer *t, bool normalized_set, const tok_piece *p,
                           bool match_special, tok_pieces *out, tok_ctx *ctx)
{
    const struct tok_added_matcher *m = normalized_set ? t->added.norm : t->added.raw;
    if (m && !match_special && !m->any_plain) m = NULL; /* nothing here can match */
    if (!m || p->id >= 0 || p->n == 0) {
        if (p->n == 0 && p->id < 0) return TOK_OK;
        return tok_vec_push(out, *p) ? tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory") : TOK_OK;
    }
    const uint8_t *s = p->s;
    size_t n = p->n, pos = 0, done = 0;
    while ((pos = next_lead(m, s, n, pos)) < n) {
        if (!can_start(m, s, n, pos)) {
            pos++;
            continue;
        }
        int32_t index = -1;
        uint32_t len = longest_at(m, s + pos, n - pos, &index);
        if (!len) {
            pos++;
            continue;
        }
        size_t start = pos, stop = pos + len;
        const tok_added *x = &t->added.v.v[index];
        pos = stop; /* a discarded match still consumes its bytes, as in HF */
        if (x->special && !match_special) continue;
        if (x->single_word) {
            bool start_space = start == 0 || !tok_uni_is_word(char_before(s, start));
            size_t cl;
            bool stop_space = stop == n || !tok_uni_is_word(char_at(s, n, stop, &cl));
            if (!start_space || !stop_space) continue;
        }
        if (x->lstrip) {
            size_t ns = start;
            while (ns > 0) {
                size_t j = ns;
                while (j > 0 && (s[j - 1] & 0xC0) == 0x80) j--;
                if (j > 0) j--;
                size_t cl;
                if (!tok_uni_is_space(tok_utf8_decode(s + j, ns - j, &cl))) break;
                ns = j;
            }
            start = ns > done ? ns : done;
        }
        if (x->rstrip) {
            while (stop < n) {
                size_t cl;
                if (!tok_uni_is_space(char_at(s, n, stop, &cl))) break;
                stop += cl;
            }
            pos = stop;
        }
        tok_status st = push_piece(out, ctx, p, (uint32_t)done, (uint32_t)start, -1);
        if (st) return st;
        if (tok_vec_push(out, tok_piece_sub(p, (uint32_t)start, (uint32_t)(stop - start)))) return tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        out->v[out->n - 1].id = x->id;
        done = stop;
    }
    return push_piece(out, ctx, p, (uint32_t)done, (uint32_t)n, -1);
}
