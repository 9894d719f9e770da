/*
 * Many pre-tokens at once, for the batch forms of the cl100k, o200k and
 * GPT-2 scanners (private to libtok/scan/, SIMD builds only).  The 64 bytes from a
 * pre-token's start are classified in one pass, and where they are plain
 * ASCII the starts of all the pre-tokens among them come from the class
 * masks by shifts, and-nots and carries: a dozen pre-tokens of running text
 * for the price of one classification, with no branch per pre-token (the
 * one-piece path decides each from its first bytes, and mispredicts where
 * a word, a punctuation run and a space follow each other at random).
 *
 * Bit i stands for byte pos + i, and the window is read as a text that
 * starts at pos (it may be: a match depends on the text from its start on).
 * On the ASCII subset of cl100k's and o200k's patterns a pre-token starts at
 *   - a letter run, unless the byte before it is its prefix: the last space
 *     of a space run, or a lone punctuation byte that starts a piece itself
 *     (one after a space does not: " (" is a piece, then the word);
 *     o200k also at an upper-case letter after a lower-case one;
 *   - a digit run, and again every three digits into it;
 *   - a punctuation run, unless a space is before it (the space starts
 *     it); the newlines right after the run end its piece (o200k: newlines
 *     and '/');
 *   - a run of white space (past such newlines), the spaces after its last
 *     newline (a run with one is a piece up to its last newline), and its
 *     last space when something else than white space follows.
 * What this does not cover ends the usable part of the window: a byte >=
 * 0x80, \t \v \f, an apostrophe that may begin a contraction (cl100k: one
 * that starts a piece; o200k: one after a letter).  A start depends on the
 * bytes up to the one after it, so the starts kept are those before the
 * byte before the first such byte (and before the window's last byte); the
 * one-piece path decides from there.
 */
#ifndef LIBTOK_SCAN_BULK_H
#define LIBTOK_SCAN_BULK_H

#include "scan_util.h"

#if SC_W

typedef struct sc_cls64 {
    uint64_t U, W, N, SP, NL, WS, A, SL, H; /* upper, lower, digit, ' ', \r\n, \t\v\f, ', /, >= 0x80 */
} sc_cls64;

static inline void sc_cls64_fill(const uint8_t *p, sc_cls64 *c)
{
    *c = (sc_cls64){ 0 };
    for (unsigned i = 0; i < 64; i += SC_W) {
        sc_vec x = sc_load(p + i);
        c->U |= (uint64_t)sc_mask(sc_range(x, 'A', 26)) << i;
        c->W |= (uint64_t)sc_mask(sc_range(x, 'a', 26)) << i;
        c->N |= (uint64_t)sc_mask(sc_range(x, '0', 10)) << i;
        c->SP |= (uint64_t)sc_mask(sc_eq(x, sc_set1(' '))) << i;
        c->NL |= (uint64_t)sc_mask(sc_or(sc_eq(x, sc_set1('\n')), sc_eq(x, sc_set1('\r')))) << i;
        c->WS |= (uint64_t)sc_mask(sc_or(sc_eq(x, sc_set1('\t')), sc_range(x, 0x0B, 2))) << i;
        c->A |= (uint64_t)sc_mask(sc_eq(x, sc_set1('\''))) << i;
        c->SL |= (uint64_t)sc_mask(sc_eq(x, sc_set1('/'))) << i;
        c->H |= (uint64_t)sc_mask(x) << i;
    }
}

/* x with its bits in reverse order. */
static inline uint64_t sc_rev64(uint64_t x)
{
    x = (x >> 1 & 0x5555555555555555ULL) | (x & 0x5555555555555555ULL) << 1;
    x = (x >> 2 & 0x3333333333333333ULL) | (x & 0x3333333333333333ULL) << 2;
    x = (x >> 4 & 0x0F0F0F0F0F0F0F0FULL) | (x & 0x0F0F0F0F0F0F0F0FULL) << 4;
    return __builtin_bswap64(x);
}

/* The pre-token starts st of a window (bit 0 the start at pos) as ends
 * into ends[0, max): those before the byte before the first `bad` one and
 * before the window's last byte (a start depends on the bytes up to the
 * one after it); their count. */
static inline size_t sc_bulk_emit(uint64_t st, uint64_t bad, size_t pos, uint32_t *ends, size_t max)
{
    unsigned fb = bad ? (unsigned)__builtin_ctzll(bad) : 64;
    if (fb < 2) return 0;
    unsigned lim = fb - 1 < 63 ? fb - 1 : 63;
    uint64_t e = st & ((1ULL << lim) - 1) & ~1ULL;
    size_t k = 0;
    while (e && k < max) {
        ends[k++] = (uint32_t)(pos + (size_t)__builtin_ctzll(e));
        e &= e - 1;
    }
    return k;
}

/* The ends of the pre-tokens from pos (pos + 64 <= n) that the window
 * decides, into ends[0, max) (absolute offsets, the last one the start of
 * the next pre-token); their count, 0 when it decides none. */
static inline size_t sc_bulk(const uint8_t *s, size_t pos, uint32_t *ends, size_t max, bool o200k)
{
    sc_cls64 c;
    sc_cls64_fill(s + pos, &c);
    const uint64_t L = c.U | c.W, SP = c.SP;
    uint64_t P = ~(L | c.N | SP | c.NL | c.WS | c.H); /* ASCII punctuation and controls */
    /* the newlines (o200k: and '/') right after a punctuation run are its
     * tail: each run of them filled from where it starts to follow the
     * punctuation, in six doubling steps (a carry would do, but o200k's runs
     * may hold two such places: ".\n//\n") */
    const uint64_t M = o200k ? c.NL | c.SL : c.NL;
    uint64_t tail = c.NL & ((P & ~(P >> 1)) << 1), g = M;
    for (unsigned d = 1; d < 64; d *= 2) {
        tail |= (tail << d) & g;
        g &= g << d;
    }
    P &= ~tail;
    const uint64_t NL = c.NL & ~tail;
    const uint64_t Wsp = SP | NL; /* white space past the tails */
    const uint64_t lone = P & ~(P << 1) & ~(P >> 1) & ~(SP << 1); /* a prefix when a letter follows */
    uint64_t st = 1; /* pos itself */
    st |= Wsp & ~(Wsp << 1);                                /* a white-space run */
    st |= SP & ~(Wsp >> 1);                                 /* its last space, before other text */
    /* a run with a newline is one piece up to its last newline, and the
     * spaces after that (indentation) start one: where that is needs the
     * text after each newline, so it is found on the masks reversed, where
     * it is the last space of the run's leading spaces when a newline ends
     * them (a carry through those spaces) */
    if (NL & (SP >> 1)) {
        /* (only spaces followed by a byte known not to be white space: not
         * at the window's end, nor before \v or a non-ASCII byte, where the
         * run may go on and have a newline later) */
        const uint64_t SPr = sc_rev64(SP), NLr = sc_rev64(NL), Wr = SPr | NLr | sc_rev64(c.WS | c.H);
        const uint64_t lead = SPr & ~(Wr << 1) & ~1ULL, land = (SPr + lead) & ~SPr;
        st |= sc_rev64((land & NLr) >> 1);
    }
    st |= L & ~(L << 1) & ~(SP << 1) & ~(lone << 1);        /* a word without a prefix */
    st |= P & ~(P << 1) & ~(SP << 1);                       /* a punctuation run without a space */
    /* digits, three at a time: from each run's start, steps of three while
     * the run goes on (one step in running text, 21 in a window of digits) */
    const uint64_t N2 = c.N & (c.N << 1) & (c.N << 2);
    for (uint64_t d = c.N & ~(c.N << 1); d; d = (d << 3) & N2) st |= d;
    uint64_t bad = c.H | c.WS;
    if (o200k) {
        st |= c.U & (c.W << 1);
        bad |= c.A & (L << 1);
    } else {
        bad |= c.A & ~(P << 1) & ~(SP << 1);
    }
    return sc_bulk_emit(st, bad, pos, ends, max);
}

static inline size_t sc_bulk_cl100k(const uint8_t *s, size_t pos, uint32_t *ends, size_t max)
{
    return sc_bulk(s, pos, ends, max, false);
}

static inline size_t sc_bulk_o200k(const uint8_t *s, size_t pos, uint32_t *ends, size_t max)
{
    return sc_bulk(s, pos, ends, max, true);
}

/* The same for the GPT-2 pattern ('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+|
 * ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+), simpler: only a space is a
 * prefix, and of a word, a digit run (of any length) or a punctuation run
 * alike; a run of white space is a piece up to its last byte, which starts
 * one (alone, or with what follows when it is a space); an apostrophe
 * that starts a piece may begin a contraction. */
static inline size_t sc_bulk_gpt2(const uint8_t *s, size_t pos, uint32_t *ends, size_t max)
{
    sc_cls64 c;
    sc_cls64_fill(s + pos, &c);
    const uint64_t L = c.U | c.W, SP = c.SP, W = SP | c.NL | c.WS;
    const uint64_t P = ~(L | c.N | W | c.H);
    uint64_t st = 1;
    st |= W & ~(W << 1);                  /* a white-space run */
    st |= W & ~(W >> 1);                  /* its last byte */
    st |= L & ~(L << 1) & ~(SP << 1);     /* words, digits, punctuation */
    st |= c.N & ~(c.N << 1) & ~(SP << 1); /* without a space before */
    st |= P & ~(P << 1) & ~(SP << 1);
    const uint64_t bad = c.H | (c.A & ~(P << 1) & ~(SP << 1));
    return sc_bulk_emit(st, bad, pos, ends, max);
}

#endif
#endif
