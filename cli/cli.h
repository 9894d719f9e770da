/* Shared pieces of the tok command line (uses only the public API). */
#ifndef TOK_CLI_H
#define TOK_CLI_H

#include <libtok/tok.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Buffered output with fast integer formatting. */
typedef struct outbuf {
    FILE *f;
    char *p;
    size_t n, cap;
} outbuf;
void out_init(outbuf *o, FILE *f);
void out_put(outbuf *o, const void *s, size_t n);
void out_str(outbuf *o, const char *s);
void out_char(outbuf *o, char c);
void out_int(outbuf *o, long long v);
void out_json_string(outbuf *o, const char *s, size_t n);
int out_flush(outbuf *o); /* 0 or -1 on write error */
void out_flush_keep(outbuf *o); /* write out what is buffered, keep the buffer */
/* Text that stays on one line and splits back: \\ \n \t \r \xHH, and with
 * `space` a space as \s (tokens on a space-separated line). */
void out_escaped(outbuf *o, const char *s, size_t n, bool space);

/* Whole file (or stdin for NULL or "-") into memory; NULL on error (message printed). */
char *read_all(const char *path, size_t *len);

/* A file (or "-" for stdin) read in chunks as they become available: read(2)
 * hands over what a pipe or terminal has, so line-by-line input is answered
 * line by line.  buf[pos..len) is unconsumed; the buffer grows only for a
 * line longer than it. */
typedef struct reader {
    int fd;
    const char *name;
    char *buf;
    size_t len, cap, pos;
    int eof, err;
} reader;
int reader_open(reader *r, const char *path);   /* -1: message printed */
int reader_fill(reader *r);                     /* -1: message printed */
void reader_close(reader *r);

/* Options every command takes to open a tokenizer. */
typedef struct tok_open {
    const char *name;      /* -t */
    const char *pattern;   /* --pattern */
    const char *merges;    /* --merges */
    int lowercase;         /* --lowercase / --cased, -1 unset */
    int ties;              /* --ties hf|spm */
    bool regex_only;       /* --regex-only */
} tok_open;
void tok_open_init(tok_open *o);
/* Try to consume a tokenizer option at argv[*i]; 1 consumed, 0 not ours, -1 usage error. */
int tok_open_arg(tok_open *o, int argc, char **argv, int *i);
/* Load; prints the error and returns NULL on failure. */
tok_tokenizer *tok_open_load(const tok_open *o);

/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value, advancing *i; else NULL. */
const char *opt_value(int argc, char **argv, int *i, const char *name);
void usage_error(const char *cmd, const char *fmt, ...);

int cmd_encode(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_analyze(int argc, char **argv); /* analyze.c: dispatch */
int cmd_audit(int argc, char **argv);   /* audit.c: language audit report */
int cmd_list(int argc, char **argv);
int cmd_count(int argc, char **argv); /* encode.c */
int vocab_dump(int argc, char **argv); /* vocab_dump.c: tok vocab -t T */
int cmd_show(int argc, char **argv);
int cmd_train(int argc, char **argv);   /* train.c */
int cmd_vocab(int argc, char **argv);   /* vocab.c: surgery, else vocab_dump */

/* tok analyze subcommands, one file each (cli/analyze_<name>.c). */
int analyze_intrinsic(int argc, char **argv);
int analyze_glitch(int argc, char **argv);
/* language analyzers (analyzers/lang) */
int analyze_parity(int argc, char **argv);
int analyze_fertility(int argc, char **argv);
int analyze_efficiency(int argc, char **argv);
int analyze_morph(int argc, char **argv);
int analyze_hunspell(int argc, char **argv); /* hunspell forms and derived gold */
int analyze_saliency(int argc, char **argv);

/* tok prune (cli/prune.c): replay an attention trace through a keep policy. */
int cmd_prune(int argc, char **argv);

#endif
