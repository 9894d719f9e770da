/* Options shared by the language analyzers and tok audit: tokenizers,
 * corpus reading and word segmentation (cli/lang_args.c). */
#ifndef TOK_CLI_LANG_ARGS_H
#define TOK_CLI_LANG_ARGS_H

#include "cli.h"
#include <analyzers/lang/tok_lang.h>

#define LA_MAX_TOK 16
#define LA_MAX_IN 4096

typedef struct lang_args {
    const char *cmd;              /* for messages: "analyze parity" */
    tok_open open;
    const char *toks[LA_MAX_TOK];
    size_t ntok;
    const char *inputs[LA_MAX_IN];
    size_t nin;
    tok_corpus_options corpus;
    tok_lang_options lang;
    int threads;
    bool json;
} lang_args;

/* Defaults; `unit` is the default reading unit of the command. */
void lang_args_init(lang_args *a, const char *cmd, tok_unit unit);
/* Consume a shared option at argv[*i]: 1 consumed, 0 not ours, -1 usage error (printed). */
int lang_args_parse(lang_args *a, int argc, char **argv, int *i);
/* Help text of the shared options. */
extern const char lang_args_help[];
/* Load tokenizer k (prints errors). */
tok_tokenizer *lang_args_load(lang_args *a, size_t k);
/* Feed every input to acc; prints errors and lenient skips.  0 or -1. */
int lang_args_feed(lang_args *a, tok_lang *acc);
/* JSON number or null (NaN/inf). */
void print_num(FILE *f, double v);
/* --wordlist ARG: a path as given, or a language code (en, tr, fi...) -> the
 * directory $TOK_CACHE/lang/words/CODE filled by scripts/fetch.d/words.sh. */
const char *wordlist_path(const char *arg, char *buf, size_t cap);
/* JSON string. */
void print_jstr(FILE *f, const char *s, size_t n);

#endif
