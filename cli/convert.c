/* tok convert: any supported tokenizer file -> tokenizer.json. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char convert_help[] =
    "Usage: tok convert -t TOKENIZER -o OUT\n"
    "Write the tokenizer as a HuggingFace tokenizer.json (from a .model, .tiktoken,\n"
    "vocab.txt, vocab.json+merges.txt or tokenizer.json), or, when OUT ends in\n"
    ".tokpack (or with --format tokpack), in libtok's native format: a file that\n"
    "is mapped and used in place, with prebuilt lookup tables (loads in a few\n"
    "milliseconds), or with --zstd a smaller file that loading decompresses.\n"
    "\n"
    "  -o, --output OUT    the file to write\n"
    "  --format F          json | tokpack (default: from OUT's name)\n"
    "  --zstd[=LEVEL]      compress the .tokpack with zstd (level 1-22, default 9)\n"
    "\n"
    "OUT must end in .json or .tokpack, or --format must say which (other\n"
    "tokenizer extensions, such as .model or .tiktoken, are refused).\n";

int cmd_convert(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    const char *out = NULL;
    int fmt = -1, zlevel = 0;
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
        else if (!strcmp(a, "--zstd")) zlevel = 9;
        else if (!strncmp(a, "--zstd=", 7)) {
            char *e;
            long l = strtol(a + 7, &e, 10);
            if (*e || e == a + 7 || l < 1 || l > 22) { usage_error("convert", "--zstd takes a level from 1 to 22"); return EXIT_USAGE; }
            zlevel = (int)l;
        }
        else { usage_error("convert", "unknown argument %s", a); return EXIT_USAGE; }
    }
    if (!out) { usage_error("convert", "no output file (-o)"); return EXIT_USAGE; }
    /* the output's name must say what is written in it: a .model or
     * .tiktoken holding tokenizer.json would be misread by every tool */
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    const char *ext = dot && (!slash || dot > slash) ? dot : "";
    int by_name = !strcmp(ext, ".tokpack") ? TOK_FORMAT_TOKPACK : !strcmp(ext, ".json") ? TOK_FORMAT_HF_JSON : -1;
    if (by_name < 0 && fmt < 0) {
        usage_error("convert", "cannot write %s: tok convert writes tokenizer.json (name it *.json) or libtok's "
                    "compact format (*.tokpack)%s", out, *ext ? ", not this format" : "");
        return EXIT_USAGE;
    }
    if (by_name >= 0 && fmt >= 0 && by_name != fmt) {
        usage_error("convert", "%s names a %s file but --format asks for %s", out,
                    by_name == TOK_FORMAT_TOKPACK ? ".tokpack" : ".json", fmt == TOK_FORMAT_TOKPACK ? "tokpack" : "json");
        return EXIT_USAGE;
    }
    static const char *const other[] = { ".model", ".tiktoken", ".txt", ".gguf", ".bin", ".safetensors" };
    for (size_t k = 0; k < sizeof other / sizeof other[0]; k++)
        if (!strcmp(ext, other[k])) {
            usage_error("convert", "cannot write %s: libtok does not write the %s format (only *.json and *.tokpack)",
                        out, other[k]);
            return EXIT_USAGE;
        }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) return EXIT_RUNTIME;
    tok_error err = { 0 };
    int rc = EXIT_OK;
    if (fmt < 0) fmt = by_name;
    if (zlevel && fmt != TOK_FORMAT_TOKPACK) {
        usage_error("convert", "--zstd is for .tokpack output");
        tok_free(t);
        return EXIT_USAGE;
    }
    if (fmt == TOK_FORMAT_TOKPACK ? tok_save_tokpack(t, out, zlevel, &err) : tok_save(t, out, (tok_format)fmt, &err)) {
        fprintf(stderr, "tok convert: %s\n", err.message);
        rc = EXIT_RUNTIME;
    }
    tok_free(t);
    return rc;
}
