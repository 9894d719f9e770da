/*
 * Exact BPE in linear time for byte-level vocabularies (bpe_backtrack.c).
 *
 * When every merge makes a token whose rank is above its parts' (true of
 * trained vocabularies; checked at load), the BPE of a text is the one token
 * sequence that covers it in which every two neighbours are "compatible":
 * BPE of their bytes alone gives exactly them.  Compatibility is decided by
 * unwinding both tokens' last merges, highest rank first, and asking at each
 * step whether the pair across the boundary would have merged before the
 * merge just unwound.  The encoder takes the longest token at each position
 * (a trie walk), steps down to shorter prefixes while the pair with the
 * previous token is incompatible, and backtracks over positions proven dead;
 * every step is bounded by the token length or the merge depth.
 *
 * A merge list may put a merge before the merges that make its parts (lists
 * converted from rank files); where BPE can reach such a merge its token is
 * irregular, and pre-tokens that contain an irregular token are left to the
 * heap (tok_bpe_bt_encode returns 1).
 *
 * Tables are built once at load and read-only afterwards: safe to share.
 */
#ifndef LIBTOK_MODELS_BPE_BACKTRACK_H
#define LIBTOK_MODELS_BPE_BACKTRACK_H

#include "../internal.h"
#include "trie.h"
#include "bpe_whole.h"

/* A bit filter (16+ bits per pair slot, at most 2^22 bits = 512 KiB, stays
 * in cache) in front of the pair table's misses. */
#define TOK_BPE_FILTER_BITS 22

typedef struct tok_bpe_pslot { uint64_t key; int32_t c; uint32_t rank; } tok_bpe_pslot;

typedef struct tok_bpe_tinfo {
    uint32_t rank;         /* 0 one byte, merge rank + 1, UINT32_MAX never made by BPE */
    int32_t left, right;   /* the last merge that makes it */
    int32_t shorter;       /* longest proper prefix that BPE makes, -1 */
    uint32_t shorter_len;  /* its length */
    uint32_t len;          /* length in bytes */
    /* Which pairs with this token can merge at all, by the byte across the
     * boundary (bit c & 31): rmask, the first bytes of the right parts it is
     * merged with; lmask, the last bytes of the left parts merged with it.
     * The encoder's compatibility check, unwinding a at the boundary with
     * b, probes the pair table only where both bits are set (the
     * boundary's two bytes stay the same all the way down), so that
     * within the line it has already loaded. */
    uint32_t rmask, lmask;
} tok_bpe_tinfo;

typedef struct tok_bpe_bt {
    bool ok;               /* tables built and proven to apply */
    uint32_t n;            /* ids covered */
    tok_bpe_tinfo *t;      /* per id, 32 bytes: half a cache line for the unwinding */
    tok_trie trie;         /* bytes of the model's tokens -> id, or -2 - id when BPE cannot make it */
    tok_bpe_pslot *pairs;  /* (left << 32 | right) -> made token, open addressing */
    size_t pmask;
    uint64_t *filter;      /* one bit per pair hash: most pairs asked about do not merge */
    unsigned fshift;       /* 64 - log2(filter bits) */
    /* Irregular tokens: made by a merge whose rank is below a part's (HF
     * merge lists converted from rank files, llama3: ".:.:" at 236225 from
     * ".:." made at 243897).  BPE can reach them, the tables above cannot
     * follow them: a pre-token that contains one goes to the heap.  irr: one
     * bit per id; irr_pair: one bit per first two bytes of an irregular
     * token (2^16 bits); nirr: how many (0: no guard). */
    uint64_t *irr;
    uint64_t *irr_pair;
    uint32_t nirr;
    /* When every irregular token has 4 bytes or more: one bit per hash of
     * their first four (2^16 bits), asked after irr_pair and before the
     * trie walk (llama3's 82 start with 39 pairs, " t", " n", " p"...:
     * nearly every Latin or Cyrillic word walked the trie), else NULL.
     * Always owned (derived at build or adoption, like bpair). */
    uint64_t *irr_quad;
    /* Pairs of two one-byte tokens, when those are ids 0..255 (tiktoken
     * ranks, HF byte-level vocabularies): bpair[a << 8 | b] is the rank of
     * the merge a + b, UINT32_MAX none; blim 256 (else 0: not used).  The
     * unwinding ends on such pairs about a third of its probes, and the few
     * a script uses stay in L1, where the hashed table missed every time.
     * Always owned (derived at build or when stored tables are adopted). */
    uint32_t *bpair;
    uint32_t blim;
    bool borrowed;         /* the arrays live in a mapped .tokpack: not freed here */
    tok_bpe_whole whole;   /* one-token pieces (bpe_whole.h): built beside the rest, or stored */
} tok_bpe_bt;

typedef TOK_VEC(int32_t) tok_bpe_ids;

/* One merge of a merge list: a + b -> c at its index as rank. */
typedef struct tok_bpe_merge { int32_t a, b, c; } tok_bpe_merge;

/** Build from a merge list (the merges that win for their pair, in rank
 *  order; each token made by at most one of them), or, when merges is NULL,
 *  from ranks (tiktoken: any two parts whose bytes together are a token
 *  merge, at that token's id).  Leaves bt->ok false when the vocabulary is
 *  not byte-level with all 256 bytes; unproven tokens are listed in
 *  *unmade for the caller to check against the reference merge loop. */
tok_status tok_bpe_bt_build(tok_bpe_bt *bt, const tok_vocab *v, const tok_bpe_merge *merges, size_t nmerges,
                            tok_bpe_ids *unmade, tok_error *err);
void tok_bpe_bt_free(tok_bpe_bt *bt);
/** Derive bpair (from the trie's second level) and irr_quad (from the
 *  irregular tokens' bytes) for stored tables, after tok_bpe_bt_check.
 *  TOK_OK, or TOK_ERR_NOMEM. */
tok_status tok_bpe_bt_derive(tok_bpe_bt *bt, const tok_vocab *v, tok_error *err);

/* Stored tables (.tokpack): the layout they were written with, so that a
 * file from another layout is rebuilt rather than misread.  Bump
 * TOK_BPE_BT_LAYOUT when a table's meaning changes at the same size. */
#define TOK_BPE_BT_LAYOUT 2
typedef enum { TOK_BT_TINFO, TOK_BT_PAIRS, TOK_BT_CELLS, TOK_BT_BFS } tok_bt_table;
/** Check tables read from a file (pointers set, sizes given in bt) so that
 *  the encoder can never index outside them nor loop: ranges of every id and
 *  cell, ranks falling along each token's merges, lengths falling along
 *  `shorter`, trie depths equal to token lengths (at most 254), a free pair
 *  slot.  A pair slot's made id `c` is not checked: the encoder only asks
 *  whether it is >= 0 (check it here before indexing by it).  Time linear
 *  in the tables but the pairs (not read).  Masks (rmask, lmask) are not
 *  checked: like ranks, they give the tokens' meaning (a wrong one gives
 *  wrong tokens, never an access outside the tables).  `stored`: the cells' depths as
 *  tok_trie_depths gives them, read from the file (checked here; one pass in
 *  cell order), or NULL to derive them from the breadth-first list (a pass
 *  in list order, which reads the cells at random).  On failure fills why
 *  and the table and entry at fault and returns -1 (TOK_ERR_NOMEM as -2). */
int tok_bpe_bt_check(const tok_bpe_bt *bt, const uint8_t *stored, tok_bt_table *table, size_t *entry, char *why,
                     size_t cap);

/** Scratch for the encoder, per context: the positions a long piece's
 *  backtracking proved dead.  (No memo of pair compatibility lives here:
 *  with the merge masks the check costs less than a large memo's miss, and
 *  on unseen text most look-ups missed; a long piece keeps a small one of
 *  its own, see encode.) */
typedef struct tok_bpe_bt_scratch {
    TOK_VEC(uint64_t) dead;
} tok_bpe_bt_scratch;
void tok_bpe_bt_scratch_free(tok_bpe_bt_scratch *s);

/** Whether p[0..n) contains the bytes of an irregular token (see irr). */
bool tok_bpe_bt_irregular(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n);
/** Whether an irregular token starts at p[i] (i + 1 < n). */
bool tok_bpe_bt_irregular_at(const tok_bpe_bt *bt, const uint8_t *p, uint32_t n, uint32_t i);

/** Append the BPE tokens of p[0..n) (offsets relative to p) to out; with
 *  whole_ok, a pre-token that is a token is that token (tiktoken, HF
 *  ignore_merges).  0 ok, -1 out of memory, 1 the pre-token contains an
 *  irregular token: nothing appended, the caller runs the heap. */
int tok_bpe_bt_encode(const tok_bpe_bt *bt, bool whole_ok, tok_bpe_bt_scratch *s,
                      const uint8_t *p, uint32_t n, tok_toks *out);
/** The same, ids alone, into ids[0..) (room for n ids: every token covers a
 *  byte at least), their count in *count: a long pre-token's tiling is then
 *  the caller's output itself, with nothing else stored per token. */
int tok_bpe_bt_encode_ids(const tok_bpe_bt *bt, bool whole_ok, tok_bpe_bt_scratch *s,
                          const uint8_t *p, uint32_t n, int32_t *ids, size_t *count);

#endif
