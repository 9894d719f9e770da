/*
 * Inference methods on any vocabulary (issue 4): what the method files
 * share.  Not installed.
 *
 * Every method works on model-space bytes of one pre-token and sees the
 * vocabulary through an index of tries (vocab_index.c):
 *
 *  - Token classes.  With a continuing-subword prefix P ("##"), a token that
 *    starts with P may only follow another token and is matched with P
 *    stripped; any other token only starts the pre-token (WordPiece also lets
 *    a continuation token start it, matched with its prefix, as HF does).
 *    With an end-of-word suffix E ("</w>"), a token that ends with E must end
 *    the pre-token and is matched with E stripped; others must not.  Class
 *    index = 2*cont + final; without P or E the classes share one trie.
 *    Word-start markers (Ġ as a raw space in byte-level vocabularies, ▁) are
 *    ordinary bytes of the pre-token and of the tokens, so they need no rule.
 *  - Left out: special, control, unused and unknown tokens, tokens no model
 *    path can produce, and the <0xAB> byte pieces of non-byte-level
 *    vocabularies (they are the byte fallback).
 *  - Fallback.  A position that no single-character token covers gets a
 *    fallback edge of one character.  When emitted it becomes the byte
 *    tokens (byte-level vocabularies, or byte_fallback) or the unknown token
 *    (fused with a preceding unknown when the model fuses them); a WordPiece
 *    vocabulary turns the whole pre-token into one unknown token, as
 *    WordPiece does.  Without an unknown token the character is dropped (as
 *    HF BPE drops it).
 *
 * Tries are walked byte by byte from each start position, so building the
 * lattice costs O(n * L) steps for a pre-token of n bytes (L: longest token)
 * and yields O(n * k) edges; no substring is ever hashed.
 */
#ifndef LIBTOK_METHODS_METHODS_H
#define LIBTOK_METHODS_METHODS_H

#include "../internal.h"
#include "../models/trie.h"

#include <math.h>

#define MX_UNK_PENALTY 10.0f /* unknown edge score: lowest log-prob minus this (as SentencePiece) */

typedef struct mx_index {
    tok_trie store[8];     /* owned tries (fwd classes 0..3, reversed 4..7) */
    bool built[8];
    const tok_trie *fwd[4]; /* by class, aliases where classes coincide */
    const tok_trie *rev[4]; /* reversed keys, built on first use (longest-suffix) */
    bool rev_ready;
    bool has_cont, has_eow;
    bool wordpiece;        /* continuation tokens may also start a word; uncovered word -> one unk */
    bool byte_fb;          /* uncovered characters become byte tokens */
    bool all_bytes;        /* ... and every byte has one */
    int32_t byte_id[256];
    bool fuse_unk;
    int32_t unk_id;
    uint32_t cpl, esl;     /* prefix / suffix length (model bytes) */
    uint32_t max_len;      /* longest key */
    uint32_t ntokens;      /* tokens in the index */
    size_t nvocab;
    uint64_t fingerprint;  /* of the vocabulary, to match saved scores */
    bool unigram;          /* the model's own scores are log-probabilities */
    float *model_logp;     /* Unigram: score per id (-INFINITY outside the index) */
    float model_unk_score;
} mx_index;

/* Lattice edge from a position: len bytes, token id, or a fallback: -1
 * (byte tokens, or unknown without byte fallback), -2 (byte fallback lacks
 * one of the bytes: unknown). */
typedef tok_lattice_edge mx_edge; /* public as tok_lattice_edge */

/* One piece of a segmentation: token id or -1 (fallback) over [start, end). */
typedef struct mx_seg {
    int32_t id;
    uint32_t start, end;
} mx_seg;

/* Per-context scratch (ctx->method_scratch). */
typedef struct mx_scratch {
    mx_index *ix;               /* the context's own (built on first use), or a shared one */
    bool owns_ix;
    TOK_VEC(mx_edge) edges;     /* lattice: edges from i are edges[first[i] .. first[i+1]) */
    TOK_VEC(uint32_t) first;
    TOK_VEC(mx_seg) seg;
    TOK_VEC(double) d0, d1;     /* DP values */
    TOK_VEC(uint32_t) u0, u1, u2; /* DP predecessors, counts, marks */
    TOK_VEC(int32_t) i0;
    uint64_t work;              /* trie steps and edge visits (tests check linearity) */
} mx_scratch;

/* vocab_index.c */
tok_status mx_index_build(const tok_tokenizer *t, mx_index **out, tok_error *err);
void mx_index_free(mx_index *x);
tok_status mx_index_need_rev(mx_index *x, const tok_tokenizer *t, tok_error *err);
uint64_t mx_fingerprint(const tok_tokenizer *t);
/** Whether a token is in the index (see the list at the top). */
bool mx_indexed(const tok_vocab *v, const tok_token *tk);
/** A complete index (reversed tries too) to share read-only between
 *  contexts, e.g. built once at load and kept on the tokenizer. */
void *tok__method_index_new(const tok_tokenizer *t, tok_error *err);
void tok__method_index_free(void *ix);
/** The context's scratch with its index (built on first use); NULL after tok_ctx_fail. */
mx_scratch *mx_scratch_get(tok_ctx *ctx);
/** Bytes of the character at i (1 for a stray or invalid byte). */
uint32_t mx_charlen(const uint8_t *s, uint32_t n, uint32_t i);
/** Longest token starting at i (its length, *id), 0 if none. */
uint32_t mx_longest_at(const mx_index *x, const uint8_t *s, uint32_t n, uint32_t i, int32_t *id, uint64_t *work);
/** Longest token ending at j (reversed tries must be ready), 0 if none. */
uint32_t mx_longest_ending_at(const mx_index *x, const uint8_t *s, uint32_t n, uint32_t j, int32_t *id, uint64_t *work);
/** Edges from position i (tokens by increasing length, then the fallback
 *  edge if any) into out, which has room for x->max_len + 2. */
uint32_t mx_edges_at(const mx_index *x, const uint8_t *s, uint32_t n, uint32_t i, mx_edge *out, uint64_t *work);
/** Build the whole lattice of s[0..n) in sc->edges / sc->first. */
tok_status mx_lattice(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n);
/** Cost of an edge in tokens (fallback: what it expands to). */
static inline uint32_t mx_edge_cost(const mx_index *x, const mx_edge *e, uint32_t n)
{
    if (e->id >= 0) return 1;
    if (x->wordpiece && !x->byte_fb) return n < 4096 ? n + 1 : 4096; /* the word becomes unk: avoid */
    return x->byte_fb && e->id == -1 ? e->len : 1;
}
/** Append the segmentation sc->seg to out (fallback expanded). */
tok_status mx_emit(tok_ctx *ctx, const mx_index *x, const uint8_t *s, uint32_t n, const mx_seg *seg,
                   size_t nseg, tok_toks *out);
/** Walk a lattice back from n (pred[j] = start of the piece ending at j, pid[j]
 *  its id) and emit the path in text order. */
tok_status mx_emit_path(tok_ctx *ctx, const mx_index *x, mx_scratch *sc, const uint8_t *s, uint32_t n,
                        const uint32_t *pred, const int32_t *pid, tok_toks *out);
/** Push one piece on sc->seg. */
static inline int mx_seg_push(mx_scratch *sc, int32_t id, uint32_t a, uint32_t b)
{
    return tok_vec_push(&sc->seg, ((mx_seg){ id, a, b }));
}

/* the methods: each appends to out */
tok_status mx_longest_prefix(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n, tok_toks *out);
tok_status mx_longest_suffix(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n, tok_toks *out);
tok_status mx_longest_token(tok_ctx *ctx, mx_scratch *sc, const uint8_t *s, uint32_t n, tok_toks *out);
tok_status mx_least_tokens(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, const uint8_t *s,
                           uint32_t n, tok_toks *out);
/** Log-probabilities per id for LIKELIHOOD / SAMPLE (opt->scores or the
 *  Unigram model's), with the unknown edge score; NULL after tok_ctx_fail. */
const float *mx_logp(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, float *unk_score);
tok_status mx_likelihood(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, const uint8_t *s,
                         uint32_t n, tok_toks *out);
tok_status mx_sample(tok_ctx *ctx, mx_scratch *sc, const tok_encode_options *opt, const uint8_t *s,
                     uint32_t n, tok_toks *out);

/* unigram scores (likelihood.c) */
struct tok_scores {
    size_t n;            /* vocabulary size (ids) */
    uint64_t fingerprint;
    float *logp;         /* per id; -INFINITY for ids outside the index */
    float unk_score;     /* fallback edges: lowest log-prob minus MX_UNK_PENALTY */
};

static inline double mx_logaddexp(double a, double b)
{
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

#endif /* LIBTOK_METHODS_METHODS_H */
