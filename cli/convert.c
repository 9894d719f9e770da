/* tok convert: any supported tokenizer file -> tokenizer.json. */
#include "cli.h"

#include <string.h>

static const char convert_help[] =
    "Usage: tok convert -t TOKENIZER -o OUT\n"
    "Write the tokenizer as a HuggingFace tokenizer.json (from a .model, .tiktoken,\n"
    "vocab.txt, vocab.json+merges.txt or tokenizer.json), or, when OUT ends in\n"
    ".tokpack (or with --format tokpack), in libtok's compact zstd format, which\n"
    "loads several times faster.\n"
    "\n"
    "  -o, --output OUT    the file to write\n"
    "  --format F          json | tokpack (default: from OUT's name)\n";

int cmd_convert(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *out = NULL;
    int fmt = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("convert", "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(convert_help, stdout); return EXIT_OK; }
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) { usage_error("convert", "-o needs a file"); return EXIT_USAGE; }
            out = argv[++i];
        } else if ((v = opt_value(argc, argv, &i, "--output"))) out = v;
        else if ((v = opt_value(argc, argv, &i, "--format"))) {
            if (!strcmp(v, "json")) fmt = TOK_FORMAT_HF_JSON;
            else if (!strcmp(v, "tokpack")) fmt = TOK_FORMAT_TOKPACK;
            else { usage_error("convert", "--format takes json or tokpack"); return EXIT_USAGE; }
        }
        else { usage_error("convert", "unknown argument %s", a); return EXIT_USAGE; }
    }
    if (!out) { usage_error("convert", "no output file (-o)"); return EXIT_USAGE; }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) return EXIT_RUNTIME;
    tok_error err = { 0 };
    int rc = EXIT_OK;
    if (fmt < 0) {
        size_t l = strlen(out);
        fmt = l > 8 && !strcmp(out + l - 8, ".tokpack") ? TOK_FORMAT_TOKPACK : TOK_FORMAT_HF_JSON;
    }
    if (tok_save(t, out, (tok_format)fmt, &err)) {
        fprintf(stderr, "tok convert: %s\n", err.message);
        rc = EXIT_RUNTIME;
    }
    tok_free(t);
    return rc;
}
