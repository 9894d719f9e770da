/* tok convert: any supported tokenizer file -> tokenizer.json. */
#include "cli.h"

#include <string.h>

static const char convert_help[] =
    "Usage: tok convert -t TOKENIZER -o OUT.json\n"
    "Write the tokenizer as a HuggingFace tokenizer.json (from a .model, .tiktoken,\n"
    "vocab.txt, vocab.json+merges.txt or tokenizer.json).\n";

int cmd_convert(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("convert", "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(convert_help, stdout); return EXIT_OK; }
        if (!strcmp(a, "-o")) {
            if (i + 1 >= argc) { usage_error("convert", "-o needs a file"); return EXIT_USAGE; }
            out = argv[++i];
        } else if ((v = opt_value(argc, argv, &i, "--output"))) out = v;
        else { usage_error("convert", "unknown argument %s", a); return EXIT_USAGE; }
    }
    if (!out) { usage_error("convert", "no output file (-o)"); return EXIT_USAGE; }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) return EXIT_RUNTIME;
    tok_error err = { 0 };
    int rc = EXIT_OK;
    if (tok_save(t, out, TOK_FORMAT_HF_JSON, &err)) {
        fprintf(stderr, "tok convert: %s\n", err.message);
        rc = EXIT_RUNTIME;
    }
    tok_free(t);
    return rc;
}
