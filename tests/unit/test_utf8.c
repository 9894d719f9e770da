/*
 * UTF-8 validation: tok_utf8_check (the SIMD blocks and their 4 KiB
 * stretches, the scalar check for short text and for the stretch that fails)
 * against a reference that walks the text with tok_utf8_decode, on every
 * one- and two-byte error placed at every offset around block and stretch
 * edges, and on random mixtures of valid characters and junk.
 */
#include "tests/unit/testutil.h"

#include "libtok/internal.h"

/* first invalid byte by decoding character after character */
static size_t reference(const uint8_t *s, size_t n)
{
    size_t i = 0, len;
    while (i < n) {
        if (tok_utf8_decode(s + i, n - i, &len) == TOK_UTF8_BAD) return i;
        i += len;
    }
    return n;
}

static uint32_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return (uint32_t)(*x >> 11);
}

/* one valid character of 1..4 bytes */
static size_t put_char(uint8_t *o, uint64_t *x)
{
    static const uint32_t pick[] = { 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF, 0x4E2D, 0xE9 };
    uint32_t cp = rnd(x) % 3 ? pick[rnd(x) % (sizeof pick / sizeof pick[0])] : rnd(x) % 0x80;
    return (size_t)tok_utf8_encode(cp, o);
}

static void same(const uint8_t *s, size_t n)
{
    size_t want = reference(s, n), got = tok_utf8_check(s, n);
    if (want != got) fail_msg("length %zu: reference says %zu, tok_utf8_check %zu", n, want, got);
}

static void test_edges(void **state)
{
    (void)state;
    static const uint8_t bad[][4] = {
        { 0x80 }, { 0xBF }, { 0xC0, 0x80 }, { 0xC1, 0xBF }, { 0xE0, 0x80, 0x80 }, { 0xE0, 0x9F, 0xBF },
        { 0xED, 0xA0, 0x80 }, { 0xED, 0xBF, 0xBF }, { 0xF0, 0x80, 0x80, 0x80 }, { 0xF0, 0x8F, 0xBF, 0xBF },
        { 0xF4, 0x90, 0x80, 0x80 }, { 0xF5, 0x80, 0x80, 0x80 }, { 0xFF }, { 0xC3 }, { 0xE2, 0x82 },
        { 0xF0, 0x9F, 0x98 }, { 0xE2, 0x41 }, { 0xF0, 0x9F, 0x41 },
    };
    static const uint8_t good[][4] = { { 0xC3, 0xA9 }, { 0xE2, 0x82, 0xAC }, { 0xF0, 0x9F, 0x98, 0x80 },
                                       { 0xED, 0x9F, 0xBF }, { 0xF4, 0x8F, 0xBF, 0xBF }, { 0xEF, 0xBF, 0xBF } };
    uint8_t buf[8300];
    size_t lens[] = { 31, 32, 33, 63, 64, 65, 100, 4095, 4096, 4097, 4100, 8200 };
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t n = lens[li];
        /* a background of two-byte characters and ASCII, so that the blocks are not all ASCII */
        for (size_t i = 0; i < n; i++) buf[i] = 'a' + i % 26;
        for (size_t i = 0; i + 1 < n; i += 7) {
            buf[i] = 0xC3;
            buf[i + 1] = 0xA9;
        }
        same(buf, n);
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            size_t bl = bad[b][1] == 0 ? 1 : bad[b][2] == 0 ? 2 : bad[b][3] == 0 ? 3 : 4;
            /* at every offset near the edges of the 32-byte blocks and the 4 KiB stretches */
            for (size_t at = 0; at + bl <= n; at += (at % 32 < 4 || at % 32 > 27 || at % 4096 > 4088) ? 1 : 9) {
                uint8_t save[4];
                memcpy(save, buf + at, bl);
                memcpy(buf + at, bad[b], bl);
                same(buf, n);
                memcpy(buf + at, save, bl);
            }
        }
        for (size_t g = 0; g < sizeof good / sizeof good[0]; g++) {
            size_t gl = good[g][0] >= 0xF0 ? 4 : good[g][0] >= 0xE0 ? 3 : 2;
            for (size_t at = 0; at + gl <= n; at += at % 32 > 26 ? 1 : 5) {
                uint8_t save[4];
                memcpy(save, buf + at, gl);
                memcpy(buf + at, good[g], gl);
                same(buf, n); /* may cut a neighbour: both must agree on where */
                memcpy(buf + at, save, gl);
            }
        }
    }
}

static void test_random(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    static uint8_t buf[20000];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0, want = rnd(&x) % (round < 2000 ? 300 : 19000);
        while (n + 4 <= want) n += put_char(buf + n, &x);
        /* sometimes junk: a random byte, a cut character, a run of continuation bytes */
        int junk = rnd(&x) % 4;
        for (int j = 0; j < junk && n; j++) {
            size_t at = rnd(&x) % n;
            switch (rnd(&x) % 3) {
            case 0: buf[at] = (uint8_t)rnd(&x); break;
            case 1: buf[at] = 0x80 | (rnd(&x) & 0x3F); break;
            default:
                for (size_t k = at; k < n && k < at + 5; k++) buf[k] = 0x80 | (uint8_t)k;
            }
        }
        same(buf, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
