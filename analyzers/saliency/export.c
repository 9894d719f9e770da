/* Priors out: the binary file the engine loads (layout in keep/priors.c) and JSON. */
#include "tok_saliency.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static void w32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void w64(unsigned char *p, uint64_t v)
{
    w32(p, (uint32_t)v);
    w32(p + 4, (uint32_t)(v >> 32));
}

/* the struct is private to saliency.c: go through the accessors */
tok_status tok_saliency_save(const tok_saliency *s, const char *path, tok_error *err)
{
    size_t V = tok_saliency_vocab_size(s);
    const int32_t *seps;
    size_t S = tok_saliency_separators(s, &seps);
    size_t sz = 64 + V * 12 + S * 4 + 8;
    unsigned char *b = calloc(1, sz);
    if (!b) {
        err->code = TOK_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "saliency: out of memory");
        return TOK_ERR_NOMEM;
    }
    memcpy(b, "TOKPRIOR", 8);
    w32(b + 8, 1);
    w32(b + 12, 12);
    w64(b + 16, V);
    memcpy(b + 24, tok_saliency_fingerprint_of(s), 32);
    w32(b + 56, (uint32_t)S);
    for (size_t i = 0; i < V; i++) {
        unsigned char *r = b + 64 + i * 12;
        uint16_t nb, nc;
        float pct;
        tok_saliency_lengths(s, (int32_t)i, &nb, &nc, &pct);
        w32(r, tok_saliency_flags(s, (int32_t)i));
        r[4] = (unsigned char)nb;
        r[5] = (unsigned char)(nb >> 8);
        r[6] = (unsigned char)nc;
        r[7] = (unsigned char)(nc >> 8);
        uint32_t fb;
        memcpy(&fb, &pct, 4);
        w32(r + 8, fb);
    }
    for (size_t i = 0; i < S; i++) w32(b + 64 + V * 12 + i * 4, (uint32_t)seps[i]);
    w64(b + sz - 8, XXH64(b, sz - 8, 0));
    FILE *f = fopen(path, "wb");
    tok_status st = TOK_OK;
    if (!f || fwrite(b, 1, sz, f) != sz) st = TOK_ERR_IO;
    if (f && fclose(f)) st = TOK_ERR_IO;
    if (st) {
        err->code = st;
        snprintf(err->message, sizeof err->message, "%.300s: %s", path, strerror(errno));
    }
    free(b);
    return st;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

tok_status tok_saliency_write_json(const tok_saliency *s, FILE *f, int tokens)
{
    size_t V = tok_saliency_vocab_size(s);
    const int32_t *seps;
    size_t S = tok_saliency_separators(s, &seps);
    fprintf(f, "{\"fingerprint\":\"%s\",\"vocab_size\":%zu,\"separators\":[", tok_saliency_fingerprint_of(s), V);
    for (size_t i = 0; i < S; i++) fprintf(f, "%s%d", i ? "," : "", seps[i]);
    fputs("],\"sepllm\":[", f);
    for (size_t i = 0; i < TOK_SEPLLM_STRINGS; i++) {
        const int32_t *ids;
        size_t n = tok_saliency_sepllm_ids(s, i, &ids);
        fputs(i ? ",{\"text\":" : "{\"text\":", f);
        json_str(f, tok_sepllm_string(i));
        fputs(",\"ids\":[", f);
        for (size_t j = 0; j < n; j++) fprintf(f, "%s%d", j ? "," : "", ids[j]);
        fputs("]}", f);
    }
    fputs("],\"flags\":{", f);
    for (int b = 0; b < TOK_PRIOR_NBITS; b++)
        fprintf(f, "%s\"%s\":%zu", b ? "," : "", tok_prior_name(1u << b), tok_saliency_count(s, 1u << b));
    fputc('}', f);
    if (tokens) {
        fputs(",\"tokens\":[", f);
        for (size_t i = 0; i < V; i++) {
            uint16_t nb, nc;
            float pct;
            tok_saliency_lengths(s, (int32_t)i, &nb, &nc, &pct);
            uint32_t fl = tok_saliency_flags(s, (int32_t)i);
            fprintf(f, "%s{\"id\":%zu,\"flags\":[", i ? ",\n" : "\n", i);
            int first = 1;
            for (int b = 0; b < TOK_PRIOR_NBITS; b++)
                if (fl & (1u << b)) {
                    fprintf(f, "%s\"%s\"", first ? "" : ",", tok_prior_name(1u << b));
                    first = 0;
                }
            fprintf(f, "],\"bytes\":%u,\"chars\":%u", nb, nc);
            if (!isnan(pct)) fprintf(f, ",\"undertrained_pct\":%.6g", (double)pct);
            fputc('}', f);
        }
        fputs("]", f);
    }
    fputs("}\n", f);
    return ferror(f) ? TOK_ERR_IO : TOK_OK;
}
