/*
 * The pieces as HF's pre-tokenizers see them after a ByteLevel inside a
 * Sequence.  HF's ByteLevel rewrites the text into GPT-2 characters (a space
 * becomes "Ġ", the two bytes of "½" become "Â½"), so a Digits, Punctuation,
 * Whitespace or Split after it matches those characters, not the original
 * text.  libtok keeps model space as raw bytes, so the members after the
 * ByteLevel run on this character view and their pieces are mapped back.
 *
 * Alignment: as HF's transform, every character a byte becomes is aligned to
 * the original range of the character the byte belongs to; mapping back
 * keeps that range on the byte, so a token holding part of a character
 * reports the whole character, as HF does.
 */
#include "pretok.h"

/* Original range of the character at byte i of p (length l). */
static void char_range(const tok_piece *p, uint32_t i, uint32_t l, uint32_t *a0, uint32_t *a1)
{
    if (p->a0) {
        *a0 = p->a0[i];
        *a1 = p->a1[i + l - 1];
    } else {
        *a0 = p->base + i;
        *a1 = p->base + i + l;
    }
}

tok_status tok_pt_to_byte_chars(const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    for (size_t k = 0; k < in->n; k++) {
        const tok_piece *p = &in->v[k];
        if (p->id >= 0) {
            if (tok_vec_push(out, *p)) return tok_pt_nomem(ctx);
            continue;
        }
        if (!p->n) continue;
        tok_piece q;
        tok_status st = tok_ctx_piece_alloc(ctx, &q, (size_t)p->n * 2);
        if (st) return st;
        uint8_t *s = (uint8_t *)q.s;
        uint32_t *a0 = (uint32_t *)q.a0, *a1 = (uint32_t *)q.a1, m = 0;
        for (uint32_t i = 0; i < p->n;) {
            int l = tok_utf8_seqlen(p->s[i]);
            if (l == 0 || i + (uint32_t)l > p->n) l = 1;
            uint32_t r0, r1;
            char_range(p, i, (uint32_t)l, &r0, &r1);
            for (int j = 0; j < l; j++) {
                uint8_t enc[4];
                int el = tok_utf8_encode(tok_bytelevel_char(p->s[i + (uint32_t)j]), enc);
                for (int e = 0; e < el; e++) {
                    s[m] = enc[e];
                    a0[m] = r0;
                    a1[m] = r1;
                    m++;
                }
            }
            i += (uint32_t)l;
        }
        q.n = m;
        if (tok_vec_push(out, q)) return tok_pt_nomem(ctx);
    }
    return TOK_OK;
}

tok_status tok_pt_from_byte_chars(const tok_pieces *in, tok_pieces *out, tok_ctx *ctx)
{
    for (size_t k = 0; k < in->n; k++) {
        const tok_piece *p = &in->v[k];
        if (p->id >= 0) {
            if (tok_vec_push(out, *p)) return tok_pt_nomem(ctx);
            continue;
        }
        if (!p->n) continue;
        tok_piece q;
        tok_status st = tok_ctx_piece_alloc(ctx, &q, p->n);
        if (st) return st;
        uint8_t *s = (uint8_t *)q.s;
        uint32_t *a0 = (uint32_t *)q.a0, *a1 = (uint32_t *)q.a1, m = 0;
        for (uint32_t i = 0; i < p->n;) {
            uint32_t l;
            uint32_t c = tok_pt_decode(p->s + i, &l);
            if (i + l > p->n) l = p->n - i;
            int b = tok_bytelevel_byte(c);
            uint32_t r0 = tok_piece_start(p, i), r1 = tok_piece_end(p, i + l - 1);
            if (b >= 0) {
                s[m] = (uint8_t)b;
                a0[m] = r0;
                a1[m] = r1;
                m++;
            } else {
                /* a character a later member wrote (e.g. Metaspace's ▁): kept as text */
                for (uint32_t j = 0; j < l; j++) {
                    s[m] = p->s[i + j];
                    a0[m] = tok_piece_start(p, i + j);
                    a1[m] = tok_piece_end(p, i + j);
                    m++;
                }
            }
            i += l;
        }
        q.n = m;
        if (tok_vec_push(out, q)) return tok_pt_nomem(ctx);
    }
    return TOK_OK;
}
