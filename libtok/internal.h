/*
 * libtok internals shared by the pipeline stages.  Not installed.
 *
 * The pipeline (as in HF tokenizers):
 *   added-token split -> normalizer -> pre-tokenizer -> model -> post-processor
 *   and, for ids -> text, the decoder.
 *
 * Text moves through the stages as *pieces*: views of bytes plus, per byte,
 * the byte range of the original text it came from.  Views of the caller's
 * text carry no alignment arrays (identity: byte i of the piece is original
 * byte base+i).  Stages that rewrite text (normalizers, Metaspace, prefix
 * space) write new bytes and alignments into the context arena, whose blocks
 * never move during one call, so views stay valid until the call ends.
 *
 * Model space: the model sees pre-token bytes.  For byte-level vocabularies
 * (ByteLevel pre-tokenizer/decoder, tiktoken) the vocabulary is stored as the
 * raw bytes its GPT-2 characters stand for, so no stage ever maps bytes to
 * "Ġ"-style characters while encoding.
 */
#ifndef LIBTOK_INTERNAL_H
#define LIBTOK_INTERNAL_H

#include "tok.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON trees are handled only where tokenizer.json is read or written:
 * those files include core/json.h (jansson, tok_jctx and its getters).
 * Here the types are opaque, for the components' from_json/to_json. */
typedef struct json_t json_t;
typedef struct tok_jctx tok_jctx;

#define TOK_UNUSED(x) ((void)(x))
#define TOK_LIKELY(x) __builtin_expect(!!(x), 1)
#define TOK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TOK_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ------------------------------------------------------------------------ */
/* errors (core/error.c)                                                     */
/* ------------------------------------------------------------------------ */

/** Fill *e (may be NULL) and return code. */
tok_status tok__fail(tok_error *e, tok_status code, const char *fmt, ...) TOK_PRINTF(3, 4);
tok_status tok__vfail(tok_error *e, tok_status code, const char *fmt, va_list ap);

/* ------------------------------------------------------------------------ */
/* growable arrays (core/vec.c)                                              */
/* ------------------------------------------------------------------------ */

#define TOK_VEC(T) struct { T *v; size_t n, cap; }
/** Grow *p to hold at least `need` elements of `elem` bytes. 0 ok, -1 no memory. */
int tok__grow(void **p, size_t *cap, size_t need, size_t elem);
#define tok_vec_reserve(vec, need) \
    ((need) <= (vec)->cap ? 0 : tok__grow((void **)&(vec)->v, &(vec)->cap, (need), sizeof *(vec)->v))
#define tok_vec_push(vec, x) \
    (tok_vec_reserve((vec), (vec)->n + 1) ? -1 : ((vec)->v[(vec)->n++] = (x), 0))
#define tok_vec_free(vec) (free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

/* ------------------------------------------------------------------------ */
/* memory on huge pages (core/hugemap.c)                                     */
/* ------------------------------------------------------------------------ */

/* Tables read at random on every piece (the BPE fast tables, the trie, the
 * pre-token cache) are several MiB: on 4 KiB pages most reads also miss the
 * TLB, and the page walk stalls even a prefetch.  Where the system allows
 * it (transparent huge pages "always" or "madvise"), these get 2 MiB
 * pages. */
#define TOK_HUGE_PAGE ((size_t)2 << 20)
/** Zeroed anonymous memory, *size rounded up to (and aligned on) a huge
 *  page and advised to use huge pages; *size set to what was mapped.
 *  NULL on failure.  Free with tok__hugeunmap(p, *size). */
void *tok__hugemap(size_t *size);
/** The same, not advised yet: for memory that only a large job fills (the
 *  pre-token cache's record ring), advised with tok__huge_advise once one
 *  comes -- a small job then faults in a few small pages instead of
 *  clearing a huge one. */
void *tok__hugemap_later(size_t *size);
/** Advise p[0, size) (from tok__hugemap_later) to use huge pages from its
 *  next first touches on. */
void tok__huge_advise(void *p, size_t size);
void tok__hugeunmap(void *p, size_t size);
/** Memory for a table read at random: on huge pages (tok__hugemap, zeroed)
 *  when it is TOK_HUGE_PAGE or more, else 64-byte aligned from the heap
 *  (not zeroed).  NULL on failure.  Free with tok__table_free, same size. */
void *tok__table_alloc(size_t size);
void tok__table_free(void *p, size_t size);
/** The same with huge pages from `huge_from` bytes on (a table that a
 *  cold encode grows through, where a huge page costs less than the small
 *  pages' faults). */
void *tok__table_alloc_from(size_t size, size_t huge_from);
void tok__table_free_from(void *p, size_t size, size_t huge_from);
/** A table from tok__table_alloc(old) cut to its first `size` <= old bytes
 *  (the whole pages past them given back; a copy when it becomes small),
 *  to be freed with tok__table_free(p, size).  NULL when out of memory,
 *  and then p is unchanged. */
void *tok__table_shrink(void *p, size_t old, size_t size);
/** Heap memory for the large arrays a load fills once (vectors, hash maps,
 *  the trie builder's): from TOK_HUGE_PAGE on, aligned on a huge page and
 *  advised to use huge pages; else plain malloc.  Not zeroed.  Free with
 *  free().  On 4 KiB pages a load of o200k took 22k page faults, on a VM
 *  about 10 us each: nearly half of its time.  tok__big_realloc grows such
 *  a block (or any malloc'd one) from `old` bytes to `size`, keeping its
 *  contents, by a copy into a new block from tok__big_alloc once it is
 *  large (a copy costs far less than the page faults realloc's copy into
 *  unadvised memory would take). */
void *tok__big_alloc(size_t size);
void *tok__big_realloc(void *p, size_t old, size_t size);
/** The capacity a growing array of `elem`-byte entries takes instead of c
 *  (the doubled one): past TOK_HUGE_PAGE / 32 bytes (64 KiB) it goes straight to a
 *  huge page, instead of doubling on through 4 KiB pages that fault one at
 *  a time (~12 us each on a VM: an ALBERT cold encode of 1.5 MB took 1.1k
 *  such faults in its output and path arrays).  Arrays that stay small,
 *  as for short texts, never pay the 2 MiB. */
static inline size_t tok__grow_cap(size_t c, size_t elem)
{
    size_t b = c * elem;
    if (b > TOK_HUGE_PAGE / 32 && b < TOK_HUGE_PAGE) return (TOK_HUGE_PAGE + elem - 1) / elem;
    return c;
}
/** Give the free memory at the heap's disposal back to the system (glibc's
 *  malloc_trim; nothing elsewhere).  Once per load: building the tables
 *  frees many MiB of temporaries the allocator would otherwise keep. */
void tok__heap_trim(void);

/** Growable byte string. */
typedef TOK_VEC(char) tok_sbuf;
int tok_sbuf_put(tok_sbuf *b, const void *s, size_t n);
int tok_sbuf_putc(tok_sbuf *b, char c);
int tok_sbuf_printf(tok_sbuf *b, const char *fmt, ...) TOK_PRINTF(2, 3);
/** NUL-terminate (not counted in n). */
int tok_sbuf_cstr(tok_sbuf *b);

/* ------------------------------------------------------------------------ */
/* arena: per-call allocations, stable addresses (core/arena.c)              */
/* ------------------------------------------------------------------------ */

typedef struct tok_arena_block tok_arena_block;
typedef struct tok_arena {
    tok_arena_block *first, *cur;
} tok_arena;
/** 16-byte aligned, uninitialised; NULL if out of memory. */
void *tok_arena_alloc(tok_arena *a, size_t n);
/** Forget all allocations, keep the blocks for reuse. */
void tok_arena_reset(tok_arena *a);
void tok_arena_free(tok_arena *a);
/** Where the arena stands, and a return there: the allocations made since
 *  the mark are forgotten (scratch of one step, reused by the next). */
typedef struct tok_arena_mark { tok_arena_block *cur; size_t used; } tok_arena_mark;
tok_arena_mark tok_arena_where(const tok_arena *a);
void tok_arena_back(tok_arena *a, tok_arena_mark m);

/* ------------------------------------------------------------------------ */
/* UTF-8 (core/utf8.c)                                                       */
/* ------------------------------------------------------------------------ */

#define TOK_UTF8_BAD 0xFFFFFFFFu

/** Length of the sequence a lead byte starts (1..4), 0 for a continuation or invalid lead. */
static inline int tok_utf8_seqlen(uint8_t c)
{
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return 2;
    if (c < 0xF0) return 3;
    if (c < 0xF5) return 4;
    return 0;
}
/** Decode one scalar at s (n > 0 bytes available).  Sets *len to the bytes
 *  consumed: the sequence length, or on error the length of the maximal
 *  invalid subpart (>= 1), returning TOK_UTF8_BAD. */
uint32_t tok_utf8_decode(const uint8_t *s, size_t n, size_t *len);
/** Encode a scalar; returns bytes written (1..4). */
int tok_utf8_encode(uint32_t cp, uint8_t out[4]);
/** Offset of the first invalid byte, or n if s is valid UTF-8. */
size_t tok_utf8_check(const uint8_t *s, size_t n);
/** Whether s[0..n) is valid UTF-8, by SIMD (core/utf8_avx2.c); *answered is
 *  false (and the result meaningless) when the CPU lacks the instructions. */
bool tok_utf8_valid_simd(const uint8_t *s, size_t n, bool *answered);
/** Whether s[0..n) is valid UTF-8, faster for short strings when `room`
 *  bytes (>= n) may be read from s: reads up to 16 bytes past n then. */
bool tok_utf8_valid_room(const uint8_t *s, size_t n, size_t room);
/** The next line of a text file at *pos (advanced past its '\n'): its
 *  start and length without the '\n' or a '\r' before it; false at the end. */
static inline bool tok_line_next(const uint8_t *data, size_t len, size_t *pos, const uint8_t **s, size_t *n)
{
    if (*pos >= len) return false;
    *s = data + *pos;
    const uint8_t *nl = memchr(*s, '\n', len - *pos);
    *n = nl ? (size_t)(nl - *s) : len - *pos;
    *pos += *n + (nl ? 1 : 0);
    if (*n && (*s)[*n - 1] == '\r') (*n)--;
    return true;
}
/** Append s to b replacing each maximal invalid subpart by U+FFFD (Rust/WHATWG lossy rule). */
int tok_utf8_lossy(tok_sbuf *b, const uint8_t *s, size_t n);

/* Unicode properties (core/unicode.c), the one place that defines them. */
bool tok_uni_is_space(uint32_t cp); /* White_Space (Rust is_whitespace, regex \s) */
bool tok_uni_is_word(uint32_t cp);  /* regex \w */
/* ...as the HF binding answers them (tables measured from it) */
bool tok_uc_is_numeric(uint32_t cp);    /* Rust char::is_numeric (Nd, Nl, No) */
bool tok_uc_is_punc(uint32_t cp);       /* ASCII punctuation or Unicode P* (unicode_categories) */
bool tok_uc_is_re_word(uint32_t cp);    /* \w of the regex crate (Whitespace pre-tokenizer) */

/* GPT-2 byte-level alphabet: byte <-> code point (core/bytelevel.c). */
uint32_t tok_bytelevel_char(uint8_t b);
/** Byte a code point stands for, or -1 if it is not in the alphabet. */
int tok_bytelevel_byte(uint32_t cp);

/* ------------------------------------------------------------------------ */
/* hash maps (core/hashmap.c)                                                */
/* ------------------------------------------------------------------------ */

/** Byte string -> int32.  Keys are not copied: they must outlive the map. */
typedef struct tok_strmap {
    struct tok_strmap_slot *slots;
    size_t mask, count;
} tok_strmap;
int tok_strmap_init(tok_strmap *m, size_t expected);
/** Insert or replace. 0 ok, -1 no memory. */
int tok_strmap_put(tok_strmap *m, const void *key, uint32_t len, int32_t val);
/** Value or -1. */
int32_t tok_strmap_get(const tok_strmap *m, const void *key, size_t len);
/** The same with the key's tok_hash_bytes() given, and a prefetch of the
 *  slot a key of hash h starts at: loaders hash a batch of keys, prefetch
 *  their slots, then look them up, so that the cache misses overlap. */
int tok_strmap_put_hashed(tok_strmap *m, const void *key, uint32_t len, int32_t val, uint64_t h);
int32_t tok_strmap_get_hashed(const tok_strmap *m, const void *key, size_t len, uint64_t h);
void tok_strmap_prefetch(const tok_strmap *m, uint64_t h);
void tok_strmap_free(tok_strmap *m);

/** uint64 -> uint64 (key UINT64_MAX is reserved). */
typedef struct tok_u64map {
    uint64_t *keys, *vals;
    size_t mask, count;
} tok_u64map;
int tok_u64map_init(tok_u64map *m, size_t expected);
int tok_u64map_put(tok_u64map *m, uint64_t key, uint64_t val);
/** 1 and *val if found, else 0. */
static inline int tok_u64map_get(const tok_u64map *m, uint64_t key, uint64_t *val);
void tok_u64map_free(tok_u64map *m);

/* Set bits of x.  Without -mpopcnt (the x86-64 baseline) __builtin_popcountll
 * is a call into libgcc's table loop: a tenth of a tokenizer.json load went
 * there.  This is the branch-free sum, or the instruction when the build has it. */
static inline unsigned tok_popcount64(uint64_t x)
{
#if defined(__POPCNT__) || !(defined(__x86_64__) || defined(__i386__))
    return (unsigned)__builtin_popcountll(x);
#else
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

static inline uint64_t tok_hash64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}
static inline int tok_u64map_get(const tok_u64map *m, uint64_t key, uint64_t *val)
{
    if (!m->keys) return 0;
    size_t i = (size_t)tok_hash64(key) & m->mask;
    for (;;) {
        uint64_t k = m->keys[i];
        if (k == key) { *val = m->vals[i]; return 1; }
        if (k == UINT64_MAX) return 0;
        i = (i + 1) & m->mask;
    }
}
/** Start loading the slot where key's probe begins (loaders filling or
 *  asking a large map in a loop prefetch a few keys ahead). */
static inline void tok_u64map_prefetch(const tok_u64map *m, uint64_t key)
{
    if (!m->keys) return;
    size_t i = (size_t)tok_hash64(key) & m->mask;
    __builtin_prefetch(&m->keys[i]);
    __builtin_prefetch(&m->vals[i]);
}
uint64_t tok__hash_long(const void *p, size_t n); /* xxh3, for n > 16 */
/** Hash of a byte string: inline for the short strings tokens are, xxh3 beyond. */
static inline uint64_t tok_hash_bytes(const void *p, size_t n)
{
    const uint8_t *s = (const uint8_t *)p;
    uint64_t a, b;
    if (n > 16) return tok__hash_long(p, n);
    if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        a = x;
        b = y;
    } else if (n > 0) {
        a = (uint64_t)s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16;
        b = 0;
    } else {
        a = b = 0;
    }
    uint64_t h = (a ^ 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
    h ^= (b + n) * 0x94D049BB133111EBULL;
    h ^= h >> 31;
    h *= 0xD6E8FEB86659FD93ULL;
    return h ^ (h >> 32);
}

/* ------------------------------------------------------------------------ */
/* random numbers: splitmix64 seeding + xoshiro256** (core/rng.c)            */
/* ------------------------------------------------------------------------ */

typedef struct tok_rng { uint64_t s[4]; } tok_rng;
void tok_rng_seed(tok_rng *r, uint64_t seed);
uint64_t tok_rng_next(tok_rng *r);
/** Uniform in [0,1). */
double tok_rng_unit(tok_rng *r);

/* ------------------------------------------------------------------------ */
/* normalized text with alignment (core/nstr.c)                              */
/* ------------------------------------------------------------------------ */

/** Text with, for each byte i, the original byte range [a0[i], a1[i]) of the
 *  character that produced it (as HF NormalizedString alignments).  start is
 *  the original offset where the text being normalized began (the segment
 *  the added tokens left; HF's original_shift): HF aligns a char inserted
 *  before everything to (0,0) of its NormalizedString, i.e. the empty range
 *  at start, even when earlier steps removed the leading text.  Whoever
 *  starts a normalization sets it (normalize_piece); normalizers that chain
 *  scratch strings (Sequence, BertNormalizer) pass it along. */
typedef struct tok_nstr {
    uint8_t *s;
    uint32_t *a0, *a1;
    size_t n, cap;  /* cap: writable without tok_nstr_reserve (alloc, or limit if smaller) */
    size_t alloc;   /* bytes allocated */
    uint32_t start;
    /* limit: the most bytes it may grow to (0: no limit); over: a reserve
     * was refused for passing it.  A normalizer's output is bounded by its
     * input, not by what a file's contents multiply it by (chained Replace
     * steps whose regex matches the empty string grow the text
     * geometrically); see TOK_NORM_LIMIT. */
    size_t limit;
    bool over;
} tok_nstr;
/** The most bytes the normalizers may write while normalizing n bytes in one
 *  call, every step's output counted (so that time is bounded too): 64 times
 *  as many plus 1 MiB (the largest real expansion, a space or ▁ between
 *  every char, is 4x).  See tok_norm_room. */
#define TOK_NORM_LIMIT(n) ((size_t)(n) * 64 + ((size_t)1 << 20))
/** The same for what the decoder chain makes from n bytes of token text in
 *  one tok_decode: 16 times plus 4 KiB.  Real decoders shrink the text or
 *  add a byte per token (a Replace decoder's content is the most: 16 covers
 *  it); the floor is small because a stream decodes its window of a few
 *  tokens on every push. */
#define TOK_DEC_LIMIT(n) ((size_t)(n) * 16 + ((size_t)4 << 10))
/** Room for cap bytes; -1 when out of memory or past t->limit (sets over). */
int tok_nstr_reserve(tok_nstr *t, size_t cap);
/** Set t's limit (0: none) and clear over; its usable room shrinks to it. */
void tok_nstr_limit(tok_nstr *t, size_t limit);
/** Append n bytes, all aligned to [a0, a1). */
int tok_nstr_push(tok_nstr *t, const void *b, size_t n, uint32_t a0, uint32_t a1);
/** Append n bytes with their own alignments. */
int tok_nstr_push_aligned(tok_nstr *t, const void *b, const uint32_t *a0, const uint32_t *a1, size_t n);
void tok_nstr_clear(tok_nstr *t);
void tok_nstr_free(tok_nstr *t);

/* ------------------------------------------------------------------------ */
/* pieces: the unit the pre-tokenizers pass along (see the top comment)      */
/* ------------------------------------------------------------------------ */

typedef struct tok_piece {
    const uint8_t *s;
    const uint32_t *a0, *a1; /* per byte original range; NULL: identity from base */
    uint32_t n;
    uint32_t base;           /* with a0 == NULL: original offset of s[0] */
    int32_t id;              /* >= 0: an added token matched here; left alone by pre-tokenizers */
} tok_piece;
typedef TOK_VEC(tok_piece) tok_pieces;

/** Original range of piece byte i. */
static inline uint32_t tok_piece_start(const tok_piece *p, uint32_t i)
{ return p->a0 ? p->a0[i] : p->base + i; }
static inline uint32_t tok_piece_end(const tok_piece *p, uint32_t i)
{ return p->a1 ? p->a1[i] : p->base + i + 1; }
/** Sub-view [off, off+len) of p. */
static inline tok_piece tok_piece_sub(const tok_piece *p, uint32_t off, uint32_t len)
{
    tok_piece q = *p;
    q.s = p->s + off;
    q.n = len;
    if (p->a0) { q.a0 = p->a0 + off; q.a1 = p->a1 + off; }
    else q.base = p->base + off;
    return q;
}

/* ------------------------------------------------------------------------ */
/* model output and encodings                                                */
/* ------------------------------------------------------------------------ */

/** What a model appends for one pre-token: ids and byte ranges relative to
 *  the pre-token bytes. */
typedef struct tok_toks {
    int32_t *id;
    tok_offset *off;
    size_t n, cap;
} tok_toks;
int tok_toks_reserve(tok_toks *t, size_t cap);
static inline int tok_toks_push(tok_toks *t, int32_t id, uint32_t start, uint32_t end)
{
    if (t->n == t->cap && tok_toks_reserve(t, t->n + 1)) return -1;
    t->id[t->n] = id;
    t->off[t->n].start = start;
    t->off[t->n].end = end;
    t->n++;
    return 0;
}
/** Move the ranges of t's tokens from index `from` on by `by` bytes (a
 *  part's tokens made relative to the whole it was cut from). */
static inline void tok_toks_shift(tok_toks *t, size_t from, uint32_t by)
{
    for (size_t i = from; by && i < t->n; i++) {
        t->off[i].start += by;
        t->off[i].end += by;
    }
}
void tok_toks_free(tok_toks *t);

/** A whole encoding under construction (owned by a context). */
typedef struct tok_enc {
    int32_t *ids;
    tok_offset *off;
    int32_t *words;
    uint8_t *type_ids;
    uint8_t *special;
    uint8_t *mask;        /* attention mask: written when the result is published */
    uint8_t *added;       /* 1: an added-token match (the model did not run); before post-processing */
    size_t n, cap;
    bool ids_only;        /* tok_encode_ids: every writer writes ids alone (the rest left stale; while
                           * lent, cap counts the ids' room only: the others are not grown) */
    /* tok_enc_lend: ids is the caller's buffer (room for lent_cap); own and
     * own_cap keep ids' own storage, rest_cap the other arrays' room */
    bool lent;
    int32_t *own;
    size_t own_cap, rest_cap, lent_cap;
} tok_enc;
/** Room for cap tokens in every array (0, or -1 out of memory).  While ids
 *  is lent, past the lent buffer's room the ids move to e's own storage
 *  (e->ids then no longer is the caller's buffer). */
int tok_enc_reserve(tok_enc *e, size_t cap);
/** tok_encode_ids: e (empty) writes its ids straight into the caller's
 *  buffer ids[0..cap) while they fit, then in its own storage, until
 *  tok_enc_unlend; the first encode of a context then pages in no ids array
 *  of its own and copies nothing. */
void tok_enc_lend(tok_enc *e, int32_t *ids, size_t cap);
void tok_enc_unlend(tok_enc *e);
int tok_enc_push(tok_enc *e, int32_t id, tok_offset off, int32_t word, uint8_t type_id, uint8_t special);
/** Append all of src to dst. */
int tok_enc_append(tok_enc *dst, const tok_enc *src);
void tok_enc_clear(tok_enc *e);
void tok_enc_free(tok_enc *e);

/* ------------------------------------------------------------------------ */
/* vocabulary (core/vocab.c)                                                 */
/* ------------------------------------------------------------------------ */

/** Internal flag: the token belongs to the model's own vocabulary. */
#define TOK__IN_MODEL 0x40000000u
/** Internal flag, only inside tok_vocab_finish: enter the model bytes. */
#define TOK__INDEX_BYTES 0x20000000u

typedef struct tok_token {
    const char *text;     /* as written in the file */
    const uint8_t *bytes; /* model space: == text, or decoded byte-level bytes */
    uint32_t text_len, nbytes;
    float score;
    uint32_t flags;       /* TOK_TOKEN_* */
} tok_token;

/* Id by a token's text or model bytes: open addressing over slots of
 * (32 bits of the key's hash << 32 | id + 1), 0 empty.  The keys are the
 * tokens' own strings, so a slot is 8 bytes and holds no pointer: a
 * .tokpack stores the slots as they are and they are used where they lie
 * (borrowed; look-ups then check the ids they read against the vocabulary). */
typedef struct tok_vocab_index {
    uint64_t *slot;
    size_t mask;
    bool borrowed;
} tok_vocab_index;

typedef struct tok_vocab {
    tok_token *tok;       /* indexed by id; holes have flags TOK_TOKEN_NONE */
    size_t n;             /* max id + 1 */
    size_t cap;           /* allocated entries of tok */
    size_t model_n;       /* ids the model owns (model vocab size) */
    tok_vocab_index by_text;  /* file text -> id (every token) */
    tok_vocab_index by_bytes; /* model bytes -> id (model tokens only) */
    TOK_VEC(char *) pool; /* owned string blocks */
    size_t pool_used, pool_size; /* of the last block */
    bool byte_level;      /* model space is raw bytes (GPT-2 alphabet decoded) */
    int32_t byte_id[256]; /* token for one raw byte: byte-level char or <0xAB>; -1 none */
    int32_t unk_id;       /* -1 none */
    /* Ids are stored densely, so a hostile file's one huge id would cost
     * memory it does not contain: when id_limit is set (the loaders set it
     * from the entries the file really holds), ids at or past it are refused,
     * naming `file`. */
    size_t id_limit;
    /* tokens, maps and model bytes were given whole (a .tokpack):
     * tok_vocab_finish keeps them (a new token through tok_vocab_set clears it) */
    bool prebuilt;
} tok_vocab;

void tok_vocab_init(tok_vocab *v);
void tok_vocab_free(tok_vocab *v);
/** Copy `text` into the vocabulary at `id` (grows as needed).  A second token
 *  at the same id replaces text/score but keeps the union of flags. */
tok_status tok_vocab_set(tok_vocab *v, int32_t id, const char *text, size_t len,
                         float score, uint32_t flags, tok_error *err);
/** Bound ids by the number of entries a file holds (`entries`, an upper
 *  bound): a slack of 2^18 ids for the added tokens real files number past
 *  the model, then twice the entries. */
void tok_vocab_limit_ids(tok_vocab *v, size_t entries);
/** Copy bytes into the vocabulary's string pool (lives as long as v). */
const char *tok_vocab_strdup(tok_vocab *v, const char *s, size_t n);
/** After all tokens are set: compute model bytes (byte-level decode when
 *  byte_level), the lookup maps, byte_id[], word-start/continuation flags. */
tok_status tok_vocab_finish(tok_vocab *v, bool byte_level, const char *cont_prefix, tok_error *err);
/** Room for ids below n (at most id_limit) at once, when a reader knows
 *  about how many there will be; -1 out of memory. */
int tok_vocab_reserve(tok_vocab *v, size_t n);
/** "<0xAB>" (upper-case hex, as HF and SentencePiece write byte pieces) -> 0xAB, else -1. */
int tok_byte_piece(const char *s, size_t n);
/** The id whose text (bytes: model bytes) equals key, or -1. */
int32_t tok__vocab_lookup(const tok_vocab *v, const tok_vocab_index *x, bool bytes, const void *key, size_t len);
static inline int32_t tok_vocab_id(const tok_vocab *v, const void *text, size_t len)
{ return tok__vocab_lookup(v, &v->by_text, false, text, len); }
/** Model-space lookup (only model tokens). */
static inline int32_t tok_vocab_model_id(const tok_vocab *v, const void *bytes, size_t len)
{ return tok__vocab_lookup(v, &v->by_bytes, true, bytes, len); }

/* base64 (core/json.c) */
/** Decode standard base64 into a malloc'd buffer. -1 on bad input. */
int tok_base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);
/** The same into o (room for n / 4 * 3 + 4 bytes), allocating nothing. */
int tok_base64_decode_into(const char *s, size_t n, uint8_t *o, size_t *outlen);
/** Encode base64 into a malloc'd NUL-terminated string. */
char *tok_base64_encode(const uint8_t *p, size_t n);

/* ------------------------------------------------------------------------ */
/* pipeline components                                                       */
/* ------------------------------------------------------------------------ */
/*
 * Each component is a struct whose first member is the common header with its
 * vtable; concrete types live in their own file and expose only a from_json
 * constructor.  `to_json` writes the HF tokenizer.json form (used by
 * `tok convert` and tok_describe).
 */

/* --- normalizers (normalizers/) --- */
typedef struct tok_normalizer tok_normalizer;
typedef struct tok_normalizer_vt {
    const char *type; /* HF "type" */
    /* in -> out.  out is empty on entry and is not in. */
    tok_status (*run)(const tok_normalizer *self, const tok_nstr *in, tok_nstr *out, tok_ctx *ctx);
    void (*free)(tok_normalizer *self);
    json_t *(*to_json)(const tok_normalizer *self);
} tok_normalizer_vt;
struct tok_normalizer { const tok_normalizer_vt *vt; };
tok_normalizer *tok_normalizer_from_json(tok_jctx *jc, const json_t *j);
void tok_normalizer_free(tok_normalizer *n);
/** Run n on in -> out as one step of a call's normalizing: `fresh` more
 *  bytes given to the normalizers (counted into the call's room, see
 *  tok_norm_room), out limited to the room left, and its output counted;
 *  past the room, TOK_ERR_LIMIT naming n (or the Sequence step).  Every
 *  caller that starts a normalization goes through it. */
tok_status tok_normalizer_run(const tok_normalizer *n, const tok_nstr *in, tok_nstr *out, size_t fresh, tok_ctx *ctx);

/* --- pre-tokenizers (pretokenizers/) --- */
typedef struct tok_pretok tok_pretok;
typedef struct tok_pretok_vt {
    const char *type;
    /* in -> out (out empty on entry).  Pieces with id >= 0 are copied through
     * unchanged; empty pieces are dropped (as HF does). */
    tok_status (*run)(const tok_pretok *self, const tok_pieces *in, tok_pieces *out, tok_ctx *ctx);
    void (*free)(tok_pretok *self);
    json_t *(*to_json)(const tok_pretok *self);
} tok_pretok_vt;
struct tok_pretok { const tok_pretok_vt *vt; };
tok_pretok *tok_pretok_from_json(tok_jctx *jc, const json_t *j);
void tok_pretok_free(tok_pretok *p);
/** True if p (or a member of a Sequence) is ByteLevel: the vocabulary is byte-level. */
bool tok_pretok_is_byte_level(const tok_pretok *p);

/* --- models (models/) --- */
typedef struct tok_model tok_model;
typedef struct tok_model_vt {
    tok_model_kind kind;
    const char *type;
    /* Called once the vocabulary is final (added tokens in, model bytes set). */
    tok_status (*prepare)(tok_model *self, const tok_vocab *v, tok_error *err);
    /* Per-context scratch (caches, lattices); may be NULL. */
    void *(*scratch_new)(const tok_model *self);
    void (*scratch_free)(void *scratch);
    /* Encode one pre-token with the native method; appends to out with
     * offsets relative to s. */
    tok_status (*encode)(const tok_model *self, tok_ctx *ctx, const uint8_t *s, uint32_t n,
                         const tok_encode_options *opt, tok_toks *out);
    void (*free)(tok_model *self);
    json_t *(*to_json)(const tok_model *self, const tok_vocab *v);
    /* Optional: model-specific fields of tok_model_info (the common ones come
     * from struct tok_model), and the merge list (BPE). */
    void (*info)(const tok_model *self, tok_model_info *out);
    size_t (*merge_count)(const tok_model *self);
    int (*merge_get)(const tok_model *self, size_t rank, int32_t ids[3]);
    int64_t (*merge_rank)(const tok_model *self, int32_t left, int32_t right);
} tok_model_vt;
struct tok_model {
    const tok_model_vt *vt;
    const tok_vocab *vocab;    /* set before prepare */
    const char *cont_prefix;   /* continuing-subword prefix ("##") or NULL */
    const char *eow_suffix;    /* end-of-word suffix or NULL */
    bool byte_fallback;
    bool fuse_unk;
    int32_t unk_id;            /* set by prepare; -1 none */
};
/** Dispatch on "type": BPE, WordPiece, Unigram, WordLevel.  The constructor
 *  enters the model's tokens into v (tok_vocab_set). */
tok_model *tok_model_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v);
void tok_model_free(tok_model *m);
tok_model *tok_bpe_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v);
tok_model *tok_wordpiece_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v);
tok_model *tok_unigram_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v);
tok_model *tok_wordlevel_from_json(tok_jctx *jc, const json_t *j, tok_vocab *v);

/* --- post-processors (processors/) --- */
typedef struct tok_processor tok_processor;
typedef struct tok_processor_vt {
    const char *type;
    /* encs[0..*n): the sequences (1 or 2).  Transform in place; a processor
     * that joins them leaves *n == 1.  add_special: HF add_special_tokens. */
    tok_status (*run)(const tok_processor *self, tok_enc *encs, size_t *n, bool add_special, tok_ctx *ctx);
    void (*free)(tok_processor *self);
    json_t *(*to_json)(const tok_processor *self);
} tok_processor_vt;
struct tok_processor { const tok_processor_vt *vt; };
tok_processor *tok_processor_from_json(tok_jctx *jc, const json_t *j, const tok_vocab *v);
void tok_processor_free(tok_processor *p);

/* --- decoders (decoders/) --- */
typedef struct tok_str { const char *s; size_t n; } tok_str;
typedef TOK_VEC(tok_str) tok_strs;
typedef struct tok_decoder tok_decoder;
typedef struct tok_decoder_vt {
    const char *type;
    /* HF decode_chain: transform the token strings in place (the list may
     * shrink or grow).  New strings go in the context arena. */
    tok_status (*run)(const tok_decoder *self, tok_strs *toks, tok_ctx *ctx);
    void (*free)(tok_decoder *self);
    json_t *(*to_json)(const tok_decoder *self);
} tok_decoder_vt;
struct tok_decoder { const tok_decoder_vt *vt; };
tok_decoder *tok_decoder_from_json(tok_jctx *jc, const json_t *j);
void tok_decoder_free(tok_decoder *d);
/** Before running a decoder chain on ctx->strs: its output budget
 *  (TOK_DEC_LIMIT of the tokens' text; decoders/decoder.c). */
void tok_dec_begin(tok_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* added tokens (pipeline/added.c)                                           */
/* ------------------------------------------------------------------------ */

typedef struct tok_added {
    int32_t id;
    const char *content;
    uint32_t len;
    bool special, lstrip, rstrip, single_word, normalized;
} tok_added;

typedef struct tok_added_set {
    TOK_VEC(tok_added) v;
    struct tok_added_matcher *raw;  /* normalized == false: matched on raw text */
    struct tok_added_matcher *norm; /* normalized == true: matched after normalizing */
} tok_added_set;

/** Build the matchers once the tokenizer's normalizer is set. */
tok_status tok_added_build(tok_tokenizer *t, tok_error *err);
void tok_added_free(tok_added_set *a);
/** Split piece p at added-token matches (normalized_set: the tokens matched
 *  after normalization) into out; matched pieces get their id. */
tok_status tok_added_split(const tok_tokenizer *t, bool normalized_set, const tok_piece *p,
                           bool match_special, tok_pieces *out, tok_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* tokenizer and context                                                     */
/* ------------------------------------------------------------------------ */

#define TOK__WRAP_MAX 8

struct tok_tokenizer {
    char *source;
    tok_vocab vocab;
    tok_added_set added;
    tok_normalizer *normalizer;
    tok_pretok *pretok;
    tok_model *model;
    tok_processor *post;
    tok_decoder *decoder;
    bool match_special_default; /* match special-token text in input by default */
    /* fast lane: a hand-written scanner equivalent to the pre-tokenizer, when
     * there is no normalizer and the pre-tokenizer is a known split pattern */
    size_t (*scan)(const uint8_t *s, size_t n, size_t pos);
    /* its batch form (scan/scan.h tok_scan_many_fn), for the direct loop */
    size_t (*scan_many)(const uint8_t *s, size_t n, size_t pos, uint32_t *ends, size_t max);
    bool scan_direct;           /* ...and the model takes one direct loop from it (encode_direct.c) */
    bool scan_cuttable;         /* a text may be cut after "\n" before a letter */
    /* fused lane of a whole family (pipeline/lane.h): normalizer, pre-tokenizer
     * and model in one pass over a piece the raw added tokens left, chosen at
     * load only where it gives what the general pipeline gives */
    tok_status (*lane)(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p,
                       int32_t *w, tok_enc *e, uint8_t ty);
    void *lane_data;            /* the lane's tables, freed with lane_free */
    void (*lane_free)(void *);
    bool scan_cut_after_text;   /* ... only where the "\n" follows a non-space
                                   (GPT-2's \s+(?!\S) takes a whole run of
                                   spaces at the end of a text, one short of it
                                   before a letter) */
    int32_t roles[7];           /* tok_role -> id */
    /* methods/ index (tries over the vocabulary), built on first use by any
     * thread under method_lock, then read-only and shared */
    void *_Atomic method_index;
    pthread_mutex_t method_lock;
    char *desc[5];              /* tok_describe cache, built at load */
    const char *word_start;     /* "Ġ", "▁" or NULL (tok_model_info) */
    TOK_VEC(char *) warnings;   /* load warnings (tok_warning), at most TOK__MAX_WARNINGS + 1 */
    tok_truncation trunc;       /* the file's "truncation" (enabled = 0 if null) */
    tok_padding pad;            /* the file's "padding"; pad_token owned */
    size_t post_added[2];       /* special tokens the post-processor adds: single, pair */
    /* a single sequence with add_special, when the post-processor only puts
     * ids around it (BertProcessing, RobertaProcessing, a template with one
     * $A, ...): wrap[0..wrap_front) before, wrap[wrap_front..+wrap_back)
     * after, so tok_encode_ids writes them without building an encoding
     * (found at load by running the processor: build.c) */
    bool wrap_ok;
    uint8_t wrap_front, wrap_back;
    int32_t wrap[TOK__WRAP_MAX];
    size_t warnings_dropped;    /* beyond the cap, counted in the last message */
    /* a .tokpack image whose tables the model uses in place (tokenizer/pack.c) */
    void *backing;
    size_t backing_len;
    bool backing_mapped;        /* munmap, else free */
};

/* Load warnings: kept up to a cap so a hostile file cannot grow them without
 * bound; the ones beyond are counted (tokenizer/warnings.c). */
#define TOK__MAX_WARNINGS 64
void tok__warn(tok_tokenizer *t, const char *fmt, ...) TOK_PRINTF(2, 3);
/** After loading: append the count of warnings beyond the cap, if any. */
void tok__warn_finish(tok_tokenizer *t);

/** Per-thread scratch.  Components borrow pooled buffers with acquire/release
 *  in strict stack order. */
struct tok_ctx {
    const tok_tokenizer *tok;
    char err[512];
    tok_arena arena;          /* reset at the start of each public call */
    tok_nstr nstr_pool[6];
    int nstr_top;
    tok_pieces pieces_pool[6];
    int pieces_top;
    tok_toks toks;            /* model output for one pre-token */
    tok_enc enc[2];           /* sequences before post-processing */
    tok_enc out;              /* final result */
    tok_strs strs;            /* decoder token strings */
    tok_sbuf sbuf;            /* decode output */
    size_t dec_left;          /* bytes the decoders may still make in this call (TOK_DEC_LIMIT of the tokens' text) */
    size_t norm_in, norm_made; /* this call's bytes given to the normalizers, and written by their steps */
    bool dec_over;            /* a decoder asked for more */
    void *model_scratch;
    void *method_scratch;     /* methods/ (lattices, tries walks) */
    void (*method_scratch_free)(void *); /* set by methods/ with method_scratch */
    tok_rng rng;
    bool rng_seeded;
    struct tok_ctx *helpers[16]; /* tok_encode_threads workers, created on first use */
    struct tok_pcache *pcache;   /* pre-token cache (core/piece_cache.h), maybe shared with other contexts */
    size_t prog_total, prog_next; /* the text being encoded, and where its next tok_ctx_progress check is */
    size_t prog_before;          /* the pre-token cache's pieces when that text started */
    /* a helper of a threaded call (parallel.c): the bytes all its helpers
     * have reported, the whole text's length, and how much of the current
     * chunk this helper has added to them; prog_shared NULL otherwise */
    _Atomic size_t *prog_shared;
    size_t prog_whole, prog_told;
    bool cache_off;              /* this call asked TOK_ENC_NO_CACHE: tok_ctx_pcache gives the empty cache */
    size_t dropped;           /* bytes of the last encode call no token covers (tok_dropped_bytes) */
    /* truncation and padding (pipeline/truncate.c) */
    tok_truncation trunc;     /* override of the file's, when trunc_set */
    tok_padding pad;          /* override, when pad_set; pad_token owned */
    bool trunc_set, pad_set;
    tok_enc orig[2];          /* the sequences before truncation */
    TOK_VEC(tok_enc) res;     /* results: [0] the encoding, then the overflowing ones */
    size_t nres;              /* results of the last call (0: the result is enc[0]) */
    const uint8_t *mask;      /* attention mask of the last result */
};

/* pipeline/truncate.c: truncation, post-processing of every part, padding;
 * publishes the result.  Called by tok__finish when either is enabled. */
tok_status tok__finish_truncated(tok_ctx *ctx, const tok_encode_options *opt, size_t n, tok_encoding *out);
/* The file's "truncation"/"padding" (tokenizer.json), into t. */
tok_status tok__trunc_pad_from_json(tok_tokenizer *t, tok_jctx *jc, const json_t *root);
json_t *tok__truncation_json(const tok_truncation *tr);
json_t *tok__padding_json(const tok_padding *p);

/** Tests: make this context's BPE model use only the reference merge loop
 *  (heap, tiktoken's byte rule), to compare the fast paths against. */
void tok__bpe_reference(tok_ctx *ctx, bool on);
/** Tests: whether this context's BPE model has its fast paths (byte-level,
 *  merges rising in rank, proven at load). */
bool tok__bpe_fast(const tok_ctx *ctx);
/** The direct scan->model loop (pipeline/encode_direct.c): whether BPE
 *  model m may be called through tok__bpe_piece (byte-level, all 256 bytes
 *  tokens, no dropout, no marker split), and the call: the model's native
 *  encode of one pre-token (cache, fast paths), appended to out. */
bool tok__bpe_direct_ok(const tok_model *m);
tok_status tok__bpe_piece(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n, tok_toks *out);
/** The same for a batch of k <= TOK_BPE_BATCH pre-tokens s[from, ends[0]),
 *  s[ends[0], ends[1]), ... (rising ends): their tokens appended to out in
 *  order, offsets from each one's start, each one's token count in cnt[i].
 *  The whole-piece table is asked for the batch's short pieces before any is
 *  answered, so that their cache misses overlap. */
#define TOK_BPE_BATCH 64
tok_status tok__bpe_pieces(const tok_model *m, tok_ctx *ctx, const uint8_t *s, uint32_t from, const uint32_t *ends,
                          size_t k, tok_toks *out, uint32_t *cnt);
/** tok_encode_ids' direct loop: a long pre-token (longer than the pre-token
 *  cache keeps) straight into ids[0..) (room for n ids), its count in
 *  *count: the fast tables' tiling is the output, nothing else stored per
 *  token.  TOK_ERR_UNSUPPORTED (nothing written) where those tables do not
 *  decide it alone: then tok__bpe_pieces. */
tok_status tok__bpe_long_ids(const tok_model *m, tok_ctx *ctx, const uint8_t *p, uint32_t n, int32_t *ids,
                             size_t *count);
/** SentencePiece-style BPE (no byte level, no dropout): the bytes after which
 *  a "▁" does not cut the model input (256 flags), or NULL when the model
 *  does not cut its input there; each stretch between cuts may then be given
 *  to tok__bpe_piece on its own with the same result. */
const bool *tok__bpe_marker_cuts(const tok_model *m);
/** pipeline/encode_direct.c: whether this call may take the direct loop, and
 *  the loop for one sequence into e (all arrays) or into a caller's ids
 *  buffer (ids only; *n gets the count, which may exceed cap). */
/** encode.c: the caller's text as the first piece (a view, or a lossy copy),
 *  and whether special-token text is matched under these flags. */
tok_status tok__input_piece(tok_ctx *ctx, const char *text, size_t len, uint32_t flags, tok_piece *p);
bool tok__match_special(const tok_tokenizer *t, uint32_t flags);
bool tok__direct_ok(const tok_ctx *ctx, const tok_encode_options *opt);
/** encode.c: whether a call's ids are the sequence's alone or with a fixed
 *  wrap (no truncation or padding; *wrap: t->wrap goes around them). */
bool tok__ids_alone(const tok_ctx *ctx, const tok_encode_options *opt, bool *wrap);
tok_status tok__encode_direct(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt,
                              tok_enc *e, uint8_t ty);
tok_status tok__encode_direct_ids(tok_ctx *ctx, const tok_piece *input, const tok_encode_options *opt,
                                  int32_t *ids, size_t cap, size_t *n);
/* The same from the caller's text, unchecked: UTF-8 is checked as the text
 * is scanned; invalid text is then checked and encoded as tok__input_piece
 * has it (the error naming the offset, or the lossy copy). */
tok_status tok__encode_direct_text(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                                   tok_enc *e, uint8_t ty);
/* Whether tok__encode_seq takes the direct loop for this call; the loop
 * appending after e's tokens (word indices from 0, offsets in text). */
bool tok__direct_seq_ok(const tok_ctx *ctx, const tok_encode_options *opt);
tok_status tok__encode_direct_append(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                                     tok_enc *e, uint8_t ty);
tok_status tok__encode_direct_ids_text(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                                       int32_t *ids, size_t cap, size_t *n);
/** encode.c: the caller's text as a view, not checked for UTF-8. */
tok_status tok__input_view(tok_ctx *ctx, const char *text, size_t len, tok_piece *p);
/** What the normalizers may still write in this call (never 0, which would
 *  mean "no limit" in a tok_nstr): TOK_NORM_LIMIT of the bytes given to them
 *  so far, less what their steps wrote. */
static inline size_t tok_norm_room(const tok_ctx *ctx)
{
    size_t lim = TOK_NORM_LIMIT(ctx->norm_in);
    return lim > ctx->norm_made + 1 ? lim - ctx->norm_made : 1;
}
tok_nstr *tok_ctx_nstr_acquire(tok_ctx *ctx);
void tok_ctx_nstr_release(tok_ctx *ctx, tok_nstr *t);
tok_pieces *tok_ctx_pieces_acquire(tok_ctx *ctx);
void tok_ctx_pieces_release(tok_ctx *ctx, tok_pieces *p);
/** Set ctx->err and return code. */
tok_status tok_ctx_fail(tok_ctx *ctx, tok_status code, const char *fmt, ...) TOK_PRINTF(3, 4);
/** Allocate a piece of capacity cap in the arena (s, a0, a1 all allocated). */
tok_status tok_ctx_piece_alloc(tok_ctx *ctx, tok_piece *p, size_t cap);
/** A piece in the arena holding a copy of normalized text s (its bytes and
 *  alignments), for the scratch s to be given back. */
tok_status tok_ctx_piece_from_nstr(tok_ctx *ctx, tok_piece *p, const tok_nstr *s);
/** The context RNG.  Each public encode call with opt->seed != 0 reseeds it
 *  once at its start (so a call is reproducible); otherwise it continues. */
tok_rng *tok_ctx_rng(tok_ctx *ctx, const tok_encode_options *opt);

/* ------------------------------------------------------------------------ */
/* loaders                                                                   */
/* ------------------------------------------------------------------------ */
/*
 * Every file format is turned into one HF tokenizer.json document (jansson
 * tree) and built by the same code, so `tok convert` to tokenizer.json is a
 * dump of that tree.  Settings HF cannot express use keys prefixed "libtok_"
 * (e.g. the Unigram tie rule "libtok_ties": "spm", SentencePiece piece types
 * "libtok_piece_types").  The .tiktoken loader builds its model directly.
 */

/** Build from a tokenizer.json tree (borrowed).  tokenizer/build.c */
tok_tokenizer *tok__from_hfjson(const json_t *root, const char *file,
                                const tok_load_options *opt, tok_error *err);
/** The same, with model.vocab and model.merges read from the text (jc->raw*). */
tok_tokenizer *tok__from_hfjson_raw(const json_t *root, const tok_jctx *raw,
                                    const tok_load_options *opt, tok_error *err);
/** SentencePiece .model bytes -> tokenizer.json tree (loaders/spm.c). */
json_t *tok_spm_to_json(const uint8_t *data, size_t len, const char *file,
                        const tok_load_options *opt, tok_error *err);
/** BERT vocab.txt bytes -> tokenizer.json tree (loaders/bert_vocab.c). */
json_t *tok_bert_vocab_to_json(const uint8_t *data, size_t len, const char *file,
                               const tok_load_options *opt, tok_error *err);
/** tiktoken rank file -> tokenizer.json tree whose model vocabulary is
 *  left empty and returned as compact-format records (loaders/tiktoken.c). */
json_t *tok_tiktoken_to_json(const uint8_t *data, size_t len, const char *file,
                             const tok_load_options *opt, tok_sbuf *records, size_t *nrec, tok_error *err);
/** GGUF file (its tokenizer.ggml.* metadata; tensors are not read) ->
 *  tokenizer.json tree (loaders/gguf.c). */
json_t *tok_gguf_to_json(const uint8_t *data, size_t len, const char *file,
                         const tok_load_options *opt, tok_error *err);
/** GPT-2 vocab.json + merges.txt -> tokenizer.json tree (loaders/gpt2.c). */
/** The same from memory: vocab.json and merges.txt bytes, each with the
 *  name its messages use. */
json_t *tok_gpt2_mem_to_json(const uint8_t *vd, size_t vlen, const char *vocab_name,
                             const uint8_t *md, size_t mlen, const char *merges_name, tok_error *err);
json_t *tok_gpt2_to_json(const char *vocab_path, const char *merges_path, tok_error *err);

/* ------------------------------------------------------------------------ */
/* between folders                                                           */
/* ------------------------------------------------------------------------ */

/* methods/: a non-native method on one pre-token; which methods a model runs
 * itself; per-context method scratch. */
tok_status tok_method_encode(tok_ctx *ctx, const tok_encode_options *opt, const uint8_t *s, uint32_t n, tok_toks *out);
bool tok_method_is_native(const tok_tokenizer *t, tok_method m);
void tok_method_scratch_free(void *s);

/* pipeline/: one sequence into e; post-processing and publishing; the start of
 * a public call; default options (used by parallel.c). */
tok_status tok__encode_seq(tok_ctx *ctx, const char *text, size_t len, const tok_encode_options *opt,
                           tok_enc *e, uint8_t ty);
tok_status tok__finish(tok_ctx *ctx, const tok_encode_options *opt, size_t n, tok_encoding *out);
/* One piece (raw added tokens already split off) through the normalizer, the
 * normalized added tokens, the pre-tokenizer and the model into e, its
 * pre-tokens numbered from *w (advanced): what a fused lane hands back for
 * the stretches it does not take itself.  normalized: p is the normalizer's
 * output already (with its alignments); only the pre-tokenizer and the
 * model run. */
tok_status tok__encode_general(tok_ctx *ctx, const tok_encode_options *opt, const tok_piece *p,
                               int32_t *w, tok_enc *e, uint8_t ty, bool normalized);
/* Safe cuts of a text for pipelines with t->scan_cuttable (pipeline/parallel.c):
 * the first at or after `at` (len if none), the last in [lo, len) (0 if none). */
size_t tok__safe_cut(const tok_tokenizer *t, const char *s, size_t len, size_t at);
size_t tok__safe_cut_last(const tok_tokenizer *t, const char *s, size_t len, size_t lo);
void tok__begin_call(tok_ctx *ctx, const tok_encode_options *opt);
/** The caller's options (NULL: defaults) copied into *def up to their size;
 *  NULL if they were not initialised (then return tok__bad_options). */
const tok_encode_options *tok__defaults(const tok_encode_options *opt, tok_encode_options *def);
tok_status tok__bad_options(tok_ctx *ctx);

/* tokenizer/save.c: the tokenizer.json tree of a tokenizer (the spec the
 * loaders build from), whole or one stage (JSON null for none). */
json_t *tok__to_json(const tok_tokenizer *t);
json_t *tok__stage_json(const tok_tokenizer *t, tok_stage stage);

/* tokenizer/pack.c: libtok's native format (.tokpack); pack_legacy.c: the
 * first format and zstd decompression. */
#define TOK__PACK_MAGIC "TOKPACK3"
tok_status tok__save_pack(json_t *root, const tok_tokenizer *t, const char *path, int zlevel, tok_error *err);
/** Open a mapped file of format 3; the tokenizer keeps the mapping (and
 *  unmaps it on failure). */
tok_tokenizer *tok__load_pack_mapped(void *map, size_t len, const char *file, const tok_load_options *opt,
                                     tok_error *err);
void tok__pack_release(tok_tokenizer *t);
tok_status tok__pack_inflate(const uint8_t *data, size_t len, const char *file, tok_sbuf *out, tok_error *err);
tok_tokenizer *tok__load_pack_v2(const uint8_t *d, size_t n, const char *file,
                                 const tok_load_options *opt, tok_error *err);
/** TOK_FORMAT_AUTO resolved from the name and first bytes (loaders/sniff.c);
 *  TOK_FORMAT_AUTO when the data is not a tokenizer file, with *code and a
 *  message saying what it looks like in why. */
tok_format tok__sniff_format(const uint8_t *d, size_t n, const char *name, tok_status *code, char *why, size_t cap);
tok_tokenizer *tok__load_pack(const uint8_t *data, size_t len, const char *file,
                              const tok_load_options *opt, tok_error *err);

#endif /* LIBTOK_INTERNAL_H */
