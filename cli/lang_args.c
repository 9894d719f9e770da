/* Options shared by the language analyzers and tok audit. */
#include "lang_args.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char lang_args_help[] =
    "Corpus (FILE... are files, directories or - for stdin; .gz/.zst read as is):\n"
    "  --lines               one unit per line\n"
    "  --paragraphs          one unit per blank-line separated paragraph\n"
    "  --whole               each file as one text\n"
    "  --jsonl FIELD         JSON lines; the string member FIELD is the text\n"
    "  --tsv                 TSV of aligned columns, the header names each column's language\n"
    "  --lang CODE           language tag of every input (default: file name up to the first dot)\n"
    "  --lenient             skip bad units (invalid UTF-8, bad JSON...) and report the counts\n"
    "  --words MODE          whitespace (Python str.split, as Rust et al. 2021; default) or\n"
    "                        uax29 (ICU word boundaries, dictionaries for Thai, CJK...)\n"
    "  --no-isolation        do not encode each word type alone\n"
    "  --method M            inference method (default: the tokenizer's own)\n"
    "  --threads N           threads (default 1)\n"
    "  --json                JSON output\n";

void lang_args_init(lang_args *a, const char *cmd, tok_unit unit)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    tok_open_init(&a->open);
    tok_corpus_options_init(&a->corpus);
    a->corpus.unit = unit;
    tok_lang_options_init(&a->lang);
    a->threads = 1;
}

int lang_args_parse(lang_args *a, int argc, char **argv, int *i)
{
    const char *s = argv[*i], *v;
    if (!strcmp(s, "-t") || !strcmp(s, "--tokenizer") || !strncmp(s, "--tokenizer=", 12)) {
        const char *name = s[1] == 't' || !s[11] ? (*i + 1 < argc ? argv[++*i] : NULL) : s + 12;
        if (!name) { usage_error(a->cmd, "-t needs a tokenizer"); return -1; }
        if (a->ntok == LA_MAX_TOK) { usage_error(a->cmd, "at most %d tokenizers", LA_MAX_TOK); return -1; }
        a->toks[a->ntok++] = name;
        return 1;
    }
    int r = tok_open_arg(&a->open, argc, argv, i);
    if (r < 0) { usage_error(a->cmd, "bad or missing value for %s", s); return -1; }
    if (r > 0) return 1;
    if (!strcmp(s, "--lines")) a->corpus.unit = TOK_UNIT_LINE;
    else if (!strcmp(s, "--paragraphs")) a->corpus.unit = TOK_UNIT_PARAGRAPH;
    else if (!strcmp(s, "--whole")) a->corpus.unit = TOK_UNIT_FILE;
    else if ((v = opt_value(argc, argv, i, "--jsonl"))) a->corpus.json_field = v;
    else if (!strcmp(s, "--tsv")) a->corpus.tsv = true;
    else if ((v = opt_value(argc, argv, i, "--lang"))) {
        if (!*v) { usage_error(a->cmd, "--lang needs a non-empty code"); return -1; }
        a->corpus.lang = v;
    } else if (!strcmp(s, "--lenient")) a->corpus.lenient = true;
    else if ((v = opt_value(argc, argv, i, "--words"))) {
        if (!strcmp(v, "whitespace")) a->lang.words = TOK_WORDS_WHITESPACE;
        else if (!strcmp(v, "uax29")) a->lang.words = TOK_WORDS_UAX29;
        else { usage_error(a->cmd, "--words takes whitespace or uax29"); return -1; }
    } else if (!strcmp(s, "--no-isolation")) a->lang.isolation = false;
    else if ((v = opt_value(argc, argv, i, "--method"))) {
        int m = tok_method_from_name(v);
        if (m < 0) { usage_error(a->cmd, "unknown method '%s'", v); return -1; }
        a->lang.enc.method = (tok_method)m;
    } else if ((v = opt_value(argc, argv, i, "--threads"))) {
        char *end;
        long k = strtol(v, &end, 10);
        if (*end || k < 1 || k > 64) { usage_error(a->cmd, "--threads takes 1..64"); return -1; }
        a->threads = (int)k;
    } else if (!strcmp(s, "--json")) a->json = true;
    else if (s[0] == '-' && s[1]) return 0;
    else {
        if (a->nin == LA_MAX_IN) { usage_error(a->cmd, "at most %d inputs", LA_MAX_IN); return -1; }
        a->inputs[a->nin++] = s;
    }
    return 1;
}

tok_tokenizer *lang_args_load(lang_args *a, size_t k)
{
    a->open.name = a->toks[k];
    return tok_open_load(&a->open);
}

int lang_args_feed(lang_args *a, tok_lang *acc)
{
    for (size_t f = 0; f < a->nin; f++) {
        tok_error err = { 0 };
        tok_corpus *c = tok_corpus_open(a->inputs[f], &a->corpus, &err);
        if (!c) {
            fprintf(stderr, "tok %s: %s\n", a->cmd, err.message);
            return -1;
        }
        char msg[1024] = "";
        tok_status st = tok_lang_add_corpus_threads(acc, c, a->threads, msg, sizeof msg);
        if (st) {
            fprintf(stderr, "tok %s: %s\n", a->cmd, msg[0] ? msg : tok_strerror(st));
            tok_corpus_free(c);
            return -1;
        }
        char why[256];
        tok_corpus_skips(c, why, sizeof why);
        if (why[0]) fprintf(stderr, "tok %s: %s: %s\n", a->cmd, a->inputs[f], why);
        tok_corpus_free(c);
    }
    return 0;
}

void print_num(FILE *f, double v)
{
    if (isnan(v) || isinf(v)) fputs("null", f);
    else fprintf(f, "%.10g", v);
}

void print_jstr(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

const char *wordlist_path(const char *arg, char *buf, size_t cap)
{
    struct stat sb;
    if (stat(arg, &sb) == 0) return arg;
    /* a language code: the lists scripts/fetch.d/words.sh put in the cache */
    size_t n = strlen(arg);
    bool code = n >= 2 && n <= 12;
    for (size_t i = 0; i < n && code; i++)
        code = (arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= 'A' && arg[i] <= 'Z') || (i > 0 && arg[i] == '-');
    if (!code) return arg; /* let the loader name the missing file */
    const char *cache = getenv("TOK_CACHE"), *home = getenv("HOME");
    if (cache && *cache) snprintf(buf, cap, "%s/lang/words/%s", cache, arg);
    else snprintf(buf, cap, "%s/.cache/libtok/lang/words/%s", home ? home : ".", arg);
    return buf;
}
