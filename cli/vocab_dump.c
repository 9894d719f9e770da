/* tok vocab -t T: the vocabulary as a table (or JSON lines): id, token as
 * written in the file, the bytes it stands for, flags, score. */
#include "cli.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

static const char vocab_dump_help[] =
    "Usage: tok vocab -t TOKENIZER [--grep REGEX] [--id N] [--token S] [--json]\n"
    "Print the vocabulary, one token a line:\n"
    "  ID <TAB> TOKEN <TAB> BYTES <TAB> FLAGS <TAB> SCORE\n"
    "TOKEN is the token as written in the file (Ġ, ▁, ## and <0xAB> as they are),\n"
    "BYTES what it stands for in text; both escaped so that a line stays one line\n"
    "(\\\\ \\n \\t \\r \\xHH, and a space in TOKEN as \\s).  FLAGS: special, added,\n"
    "byte, unk, control, unused, user, continuation, word-start, unreachable, or -.\n"
    "\n"
    "  --grep REGEX   only tokens whose text (as written) matches the POSIX\n"
    "                 extended REGEX\n"
    "  --id N         only id N (repeatable)\n"
    "  --token S      only the token written S (exit 1 if there is none)\n"
    "  --json         one JSON object a line: id, token, bytes (as a string, with\n"
    "                 invalid UTF-8 as \\u00XX per byte), flags (array), score\n"
    "  -h, --help     this help\n";

static const struct { uint32_t bit; const char *name; } flag_names[] = {
    { TOK_TOKEN_SPECIAL, "special" },   { TOK_TOKEN_ADDED, "added" },
    { TOK_TOKEN_BYTE, "byte" },         { TOK_TOKEN_UNK, "unk" },
    { TOK_TOKEN_CONTROL, "control" },   { TOK_TOKEN_UNUSED, "unused" },
    { TOK_TOKEN_USER, "user" },         { TOK_TOKEN_CONTINUATION, "continuation" },
    { TOK_TOKEN_WORD_START, "word-start" }, { TOK_TOKEN_UNREACHABLE, "unreachable" },
};

/* bytes that are not valid UTF-8 shown as \xHH, the rest as text */
static void out_bytes(outbuf *o, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n;) {
        size_t l = 0;
        uint8_t c = b[i];
        if (c < 0x80) l = 1;
        else if (c >= 0xC2 && c <= 0xDF) l = 2;
        else if (c >= 0xE0 && c <= 0xEF) l = 3;
        else if (c >= 0xF0 && c <= 0xF4) l = 4;
        bool ok = l && i + l <= n;
        for (size_t k = 1; ok && k < l; k++) ok = (b[i + k] & 0xC0) == 0x80;
        if (ok && l == 3) ok = !(c == 0xE0 && b[i + 1] < 0xA0) && !(c == 0xED && b[i + 1] >= 0xA0);
        if (ok && l == 4) ok = !(c == 0xF0 && b[i + 1] < 0x90) && !(c == 0xF4 && b[i + 1] >= 0x90);
        if (!ok || (l == 1 && (c < 0x20 || c == 0x7F || c == '\\'))) {
            if (ok && c == '\\') out_str(o, "\\\\");
            else if (ok && c == '\n') out_str(o, "\\n");
            else if (ok && c == '\t') out_str(o, "\\t");
            else if (ok && c == '\r') out_str(o, "\\r");
            else {
                char u[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
                out_put(o, u, 4);
            }
            i++;
            continue;
        }
        out_put(o, b + i, l);
        i += l;
    }
}

static void print_one(outbuf *o, const tok_tokenizer *t, int32_t id, bool json)
{
    size_t tl, bl;
    const char *text = tok_token_text(t, id, &tl);
    const uint8_t *bytes = tok_token_bytes(t, id, &bl);
    uint32_t f = tok_token_flags(t, id);
    if (json) {
        out_str(o, "{\"id\":");
        out_int(o, id);
        out_str(o, ",\"token\":");
        out_json_string(o, text, tl);
        out_str(o, ",\"bytes\":");
        out_json_string(o, (const char *)bytes, bl);
        out_str(o, ",\"flags\":[");
        bool first = true;
        for (size_t k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++)
            if (f & flag_names[k].bit) {
                if (!first) out_char(o, ',');
                out_char(o, '"');
                out_str(o, flag_names[k].name);
                out_char(o, '"');
                first = false;
            }
        char sc[32];
        snprintf(sc, sizeof sc, "%.9g", tok_token_score(t, id));
        out_str(o, "],\"score\":");
        out_str(o, sc);
        out_str(o, "}\n");
        return;
    }
    out_int(o, id);
    out_char(o, '\t');
    out_escaped(o, text, tl, true);
    out_char(o, '\t');
    out_bytes(o, bytes, bl);
    out_char(o, '\t');
    bool first = true;
    for (size_t k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++)
        if (f & flag_names[k].bit) {
            if (!first) out_char(o, ',');
            out_str(o, flag_names[k].name);
            first = false;
        }
    if (first) out_char(o, '-');
    char sc[32];
    snprintf(sc, sizeof sc, "\t%.9g\n", tok_token_score(t, id));
    out_str(o, sc);
}

int vocab_dump(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *grep = NULL, *token = NULL;
    bool json = false;
    long *ids = calloc((size_t)argc + 1, sizeof *ids);
    size_t nids = 0;
    if (!ids) return EXIT_RUNTIME;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("vocab", "bad or missing value for %s", a); free(ids); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(vocab_dump_help, stdout); free(ids); return EXIT_OK; }
        if (!strcmp(a, "--json")) json = true;
        else if ((v = opt_value(argc, argv, &i, "--grep"))) grep = v;
        else if ((v = opt_value(argc, argv, &i, "--token"))) token = v;
        else if ((v = opt_value(argc, argv, &i, "--id"))) {
            char *end;
            long x = strtol(v, &end, 10);
            if (*end || x < 0) { usage_error("vocab", "--id takes a token id"); free(ids); return EXIT_USAGE; }
            ids[nids++] = x;
        } else { usage_error("vocab", "unknown argument %s", a); free(ids); return EXIT_USAGE; }
    }
    regex_t re;
    if (grep) {
        int e = regcomp(&re, grep, REG_EXTENDED | REG_NOSUB);
        if (e) {
            char msg[256];
            regerror(e, &re, msg, sizeof msg);
            usage_error("vocab", "--grep: %s", msg);
            free(ids);
            return EXIT_USAGE;
        }
    }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) {
        if (grep) regfree(&re);
        free(ids);
        return EXIT_RUNTIME;
    }
    int rc = EXIT_OK;
    outbuf o;
    out_init(&o, stdout);
    size_t V = tok_vocab_size(t);
    if (token) {
        int32_t id = tok_token_id(t, token, strlen(token));
        if (id < 0) {
            fprintf(stderr, "tok vocab: no token written '%s'\n", token);
            rc = EXIT_RUNTIME;
        } else print_one(&o, t, id, json);
    } else if (nids) {
        for (size_t k = 0; k < nids; k++) {
            if ((size_t)ids[k] >= V || (tok_token_flags(t, (int32_t)ids[k]) & TOK_TOKEN_NONE)) {
                fprintf(stderr, "tok vocab: no token with id %ld (vocabulary size %zu)\n", ids[k], V);
                rc = EXIT_RUNTIME;
                continue;
            }
            print_one(&o, t, (int32_t)ids[k], json);
        }
    } else {
        char *tmp = NULL;
        size_t tcap = 0;
        for (size_t id = 0; id < V; id++) {
            if (tok_token_flags(t, (int32_t)id) & TOK_TOKEN_NONE) continue;
            if (grep) {
                size_t tl;
                const char *s = tok_token_text(t, (int32_t)id, &tl);
                if (tl + 1 > tcap) {
                    tcap = tl + 64;
                    char *nt = realloc(tmp, tcap);
                    if (!nt) { rc = EXIT_RUNTIME; break; }
                    tmp = nt;
                }
                memcpy(tmp, s, tl);
                tmp[tl] = 0;
                if (regexec(&re, tmp, 0, NULL, 0)) continue;
            }
            print_one(&o, t, (int32_t)id, json);
        }
        free(tmp);
    }
    if (out_flush(&o)) rc = EXIT_RUNTIME;
    if (grep) regfree(&re);
    free(ids);
    tok_free(t);
    return rc;
}
