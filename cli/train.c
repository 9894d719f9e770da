/* tok train: count pre-tokens and train a vocabulary (vocab/tok_train.h). */
#include "cli.h"

#include <corpora/tok_corpora.h>
#include <vocab/tok_train.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char train_help[] =
    "Usage: tok train --model bpe|wordpiece|wordlevel|unigram|pathpiece|spm-bpe --vocab-size N\n"
    "                 [--like T | --pre bytelevel|metaspace|bert|whitespace]\n"
    "                 [--min-frequency N] [--special TOK]... -o OUT CORPUS...\n"
    "       tok train --counts-only [--like T | --pre P] -o SHARD.counts CORPUS...\n"
    "       tok train --model M --vocab-size N [--like T | --pre P] --from-counts -o OUT A.counts B.counts...\n"
    "\n"
    "Trains a vocabulary as HuggingFace tokenizers' trainers do (BPE: the same\n"
    "merges in the same order).  Each CORPUS (file, directory, .gz, .zst, or -\n"
    "for stdin) is read line by line, each line with its line break normalized\n"
    "and pre-tokenized by the pipeline, and its pre-tokens are counted.  OUT is\n"
    "a tokenizer.json with that pipeline.\n"
    "\n"
    "  --model M              bpe | wordpiece | wordlevel (HF's trainers; default bpe)\n"
    "                         unigram | spm-bpe (spm_train's Unigram and BPE) |\n"
    "                         pathpiece (fewest tokens: a Unigram model scoring every\n"
    "                         piece -1).  The last three default to --pre metaspace,\n"
    "                         vocab 8000, lines without their line break\n"
    "  --vocab-size N         target size, special tokens included (default 30000)\n"
    "  --like T               train behind T's normalizer, pre-tokenizer, decoder\n"
    "  --pre P                bytelevel (default) | metaspace | bert | whitespace\n"
    "  -o OUT                 .json: tokenizer.json; .tokpack: libtok's compact format;\n"
    "                         .model: SentencePiece (unigram,\n"
    "                         spm-bpe, pathpiece); .counts with --counts-only\n"
    "  --min-frequency N      pairs (words for wordlevel) seen fewer times are not used\n"
    "  --special TOK          special token, ids 0.. in order (repeatable)\n"
    "  --limit-alphabet N     keep at most N initial characters (the most frequent)\n"
    "  --initial-alphabet S   characters always in the alphabet ('bytelevel': all 256)\n"
    "  --continuing-prefix P  prefix of non-initial pieces (wordpiece: ##)\n"
    "  --end-of-word-suffix S suffix of word-final pieces\n"
    "  --max-token-length N   no token longer than N characters\n"
    "  --byte-fallback        unigram, spm-bpe, pathpiece: 256 <0xAB> byte pieces\n"
    "  --memory-limit SIZE    bound the count table (e.g. 512M, 4G); rare pre-tokens\n"
    "                         are pruned when it is reached (see tok-train(1))\n"
    "  --counts-only          write the counts (-o FILE.counts) and stop\n"
    "  --from-counts          CORPUS arguments are count files to add up\n"
    "  --threads N            count (and Unigram/PathPiece EM) on N threads (default 1)\n"
    "  --json-field F         corpora are JSON lines; member F of each is a text\n"
    "  -o, --output OUT       the same as -o\n";

static int parse_size(const char *s, size_t *out)
{
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (errno || e == s || v < 0) return -1;
    double mul = 1;
    if (*e == 'k' || *e == 'K') mul = 1024, e++;
    else if (*e == 'm' || *e == 'M') mul = 1024.0 * 1024, e++;
    else if (*e == 'g' || *e == 'G') mul = 1024.0 * 1024 * 1024, e++;
    if (*e) return -1;
    *out = (size_t)(v * mul);
    return 0;
}

static int parse_count(const char *s, unsigned long long *out)
{
    char *e;
    errno = 0;
    if (!s || *s == '-') return -1;
    unsigned long long v = strtoull(s, &e, 10);
    if (errno || e == s || *e) return -1;
    *out = v;
    return 0;
}

/* A plain file: read in blocks cut after the last newline, lines counted
 * exactly as HF reads them (a "\r\n" keeps its "\r"). */
static int count_file(tok_counts *c, const tok_template *tp, const char *path, int threads)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) { fprintf(stderr, "tok train: %s: %s\n", path, strerror(errno)); return -1; }
    size_t cap = (size_t)32 << 20, have = 0;
    char *buf = malloc(cap);
    if (!buf) { fprintf(stderr, "tok train: out of memory\n"); if (f != stdin) fclose(f); return -1; }
    int rc = 0, progress = isatty(2);
    unsigned long long done = 0;
    for (;;) {
        size_t k = fread(buf + have, 1, cap - have, f);
        have += k;
        int eof = k == 0 || have < cap;
        if (ferror(f)) { fprintf(stderr, "tok train: %s: read error\n", path); rc = -1; break; }
        size_t cut = have;
        if (!eof) {
            while (cut > 0 && buf[cut - 1] != '\n') cut--;
            if (cut == 0) { /* a line longer than the block: grow */
                char *nb = cap < ((size_t)1 << 31) ? realloc(buf, cap * 2) : NULL;
                if (!nb) { fprintf(stderr, "tok train: %s: line longer than 2 GiB\n", path); rc = -1; break; }
                buf = nb;
                cap *= 2;
                continue;
            }
        }
        tok_error err = { 0 };
        if (tok_counts_add_text(c, tp, buf, cut, threads, path, &err)) {
            fprintf(stderr, "tok train: %s (block at byte %llu)\n", err.message, done);
            rc = -1;
            break;
        }
        done += cut;
        if (progress) fprintf(stderr, "\rtok train: %s: %llu MB counted, %zu pre-tokens   ", path, done >> 20, tok_counts_size(c));
        memmove(buf, buf + cut, have - cut);
        have -= cut;
        if (eof && !have) break;
    }
    if (progress) fputc('\n', stderr);
    free(buf);
    if (f != stdin) fclose(f);
    return rc;
}

/* Read one corpus (file, directory, .gz/.zst, JSONL field, stdin) through the
 * corpus readers and count it in batches of lines, each given back its '\n'
 * as HF's trainers read files. */
static int count_corpus(tok_counts *c, const tok_template *tp, const char *path, const char *json_field,
                        int threads)
{
    /* plain regular files directly; compressed files, directories, JSONL
     * through the corpus readers (whose lines lose a '\r' before '\n') */
    struct stat sb;
    if (!json_field && strcmp(path, "-") && !stat(path, &sb) && S_ISREG(sb.st_mode)) {
        unsigned char mg[4] = { 0 };
        FILE *f = fopen(path, "rb");
        size_t k = f ? fread(mg, 1, 4, f) : 0;
        if (f) fclose(f);
        int gz = k >= 2 && mg[0] == 0x1f && mg[1] == 0x8b;
        int zst = k >= 4 && mg[0] == 0x28 && mg[1] == 0xb5 && mg[2] == 0x2f && mg[3] == 0xfd;
        if (!gz && !zst) {
            if (sb.st_size == 0) { fprintf(stderr, "tok train: %s: no text (empty corpus)\n", path); return -1; }
            return count_file(c, tp, path, threads);
        }
    }
    tok_corpus_options co;
    tok_corpus_options_init(&co);
    co.keep_empty = true;
    co.json_field = json_field;
    tok_error err = { 0 };
    tok_corpus *cp = tok_corpus_open(path, &co, &err);
    if (!cp) { fprintf(stderr, "tok train: %s\n", err.message); return -1; }
    size_t cap = (size_t)16 << 20, have = 0;
    char *buf = malloc(cap);
    int rc = 0;
    tok_progress pg;
    tok_progress_init(&pg, path, 0);
    for (;;) {
        tok_text u;
        tok_status st = tok_corpus_next(cp, &u);
        if (st) { fprintf(stderr, "tok train: %s\n", tok_corpus_error(cp)); rc = -1; break; }
        if (!buf) { fprintf(stderr, "tok train: out of memory\n"); rc = -1; break; }
        if (u.text && have + u.len + 1 <= cap) {
            memcpy(buf + have, u.text, u.len);
            have += u.len;
            buf[have++] = '\n';
            continue;
        }
        if (have && tok_counts_add_text(c, tp, buf, have, threads, path, &err)) {
            fprintf(stderr, "tok train: %s\n", err.message);
            rc = -1;
            break;
        }
        have = 0;
        tok_progress_update(&pg, tok_corpus_get_stats(cp)->input_bytes);
        if (!u.text) break;
        if (u.len + 1 > cap) {
            char *nb = realloc(buf, u.len + 1);
            if (!nb) { fprintf(stderr, "tok train: out of memory\n"); rc = -1; break; }
            buf = nb;
            cap = u.len + 1;
        }
        memcpy(buf, u.text, u.len);
        have = u.len;
        buf[have++] = '\n';
    }
    tok_progress_done(&pg);
    free(buf);
    tok_corpus_free(cp);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    const char *model = "bpe", *like = NULL, *pre = NULL, *out = NULL;
    int pre_default_metaspace = 0;
    const char *prefix = NULL, *suffix = NULL, *alphabet = NULL, *json_field = NULL;
    unsigned long long vocab = 30000, minf = 0, limit_alpha = 0, maxlen = 0, threads = 1;
    int vocab_set = 0, counts_only = 0, from_counts = 0, byte_fallback = 0;
    size_t memlimit = 0;
    const char **special = calloc((size_t)argc + 1, sizeof *special);
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t nspecial = 0, ninputs = 0;
    int rc = EXIT_USAGE;
    tok_template *tp = NULL;
    tok_counts *c = NULL;
    tok_trained *tr = NULL;
    char *bytes_alpha = NULL;
    if (!special || !inputs) { fprintf(stderr, "tok train: out of memory\n"); rc = EXIT_RUNTIME; goto done; }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(train_help, stdout); rc = EXIT_OK; goto done; }
        if (!strcmp(a, "-o")) {
            if (i + 1 >= argc) { usage_error("train", "-o needs a file"); goto done; }
            out = argv[++i];
        } else if ((v = opt_value(argc, argv, &i, "--output"))) out = v;
        else if ((v = opt_value(argc, argv, &i, "--model"))) model = v;
        else if ((v = opt_value(argc, argv, &i, "--like"))) like = v;
        else if ((v = opt_value(argc, argv, &i, "--pre"))) pre = v;
        else if ((v = opt_value(argc, argv, &i, "--special"))) special[nspecial++] = v;
        else if ((v = opt_value(argc, argv, &i, "--initial-alphabet"))) alphabet = v;
        else if ((v = opt_value(argc, argv, &i, "--json-field"))) json_field = v;
        else if ((v = opt_value(argc, argv, &i, "--continuing-prefix"))) prefix = v;
        else if ((v = opt_value(argc, argv, &i, "--end-of-word-suffix"))) suffix = v;
        else if ((v = opt_value(argc, argv, &i, "--vocab-size"))) {
            if (parse_count(v, &vocab) || !vocab) { usage_error("train", "--vocab-size: want a positive number, not '%s'", v); goto done; }
            vocab_set = 1;
        } else if ((v = opt_value(argc, argv, &i, "--min-frequency"))) {
            if (parse_count(v, &minf)) { usage_error("train", "--min-frequency: want a number, not '%s'", v); goto done; }
        } else if ((v = opt_value(argc, argv, &i, "--limit-alphabet"))) {
            if (parse_count(v, &limit_alpha) || !limit_alpha) { usage_error("train", "--limit-alphabet: want a positive number, not '%s'", v); goto done; }
        } else if ((v = opt_value(argc, argv, &i, "--max-token-length"))) {
            if (parse_count(v, &maxlen) || !maxlen) { usage_error("train", "--max-token-length: want a positive number, not '%s'", v); goto done; }
        } else if ((v = opt_value(argc, argv, &i, "--threads"))) {
            if (parse_count(v, &threads) || !threads || threads > 64) { usage_error("train", "--threads: want 1..64, not '%s'", v); goto done; }
        } else if ((v = opt_value(argc, argv, &i, "--memory-limit"))) {
            if (parse_size(v, &memlimit) || memlimit < (1u << 20)) { usage_error("train", "--memory-limit: want a size of at least 1M (e.g. 512M, 4G), not '%s'", v); goto done; }
        } else if (!strcmp(a, "--counts-only")) counts_only = 1;
        else if (!strcmp(a, "--from-counts")) from_counts = 1;
        else if (!strcmp(a, "--byte-fallback")) byte_fallback = 1;
        else if (a[0] == '-' && a[1]) { usage_error("train", "unknown option %s", a); goto done; }
        else inputs[ninputs++] = a;
    }
    tok_train_model tm;
    if (!strcmp(model, "bpe")) tm = TOK_TRAIN_BPE;
    else if (!strcmp(model, "wordpiece")) tm = TOK_TRAIN_WORDPIECE;
    else if (!strcmp(model, "wordlevel")) tm = TOK_TRAIN_WORDLEVEL;
    else if (!strcmp(model, "unigram")) tm = TOK_TRAIN_UNIGRAM;
    else if (!strcmp(model, "pathpiece")) tm = TOK_TRAIN_PATHPIECE;
    else if (!strcmp(model, "spm-bpe")) tm = TOK_TRAIN_SPM_BPE;
    else { usage_error("train", "--model: bpe, wordpiece, wordlevel, unigram, pathpiece or spm-bpe, not '%s'", model); goto done; }
    if (like && pre) { usage_error("train", "--like and --pre conflict: give one"); goto done; }
    if (counts_only && from_counts) { usage_error("train", "--counts-only and --from-counts conflict"); goto done; }
    if (counts_only && vocab_set) { usage_error("train", "--counts-only trains nothing: --vocab-size conflicts"); goto done; }
    if (!out) { usage_error("train", "no output file (-o)"); goto done; }
    if (!ninputs) { usage_error("train", "no %s given", from_counts ? "count files" : "corpus"); goto done; }
    if (tm == TOK_TRAIN_WORDLEVEL && (prefix || suffix || limit_alpha || alphabet || maxlen)) {
        usage_error("train", "--model wordlevel takes no --continuing-prefix, --end-of-word-suffix, --limit-alphabet, --initial-alphabet or --max-token-length");
        goto done;
    }
    if (!counts_only) {
        size_t l = strlen(out);
        int json = l > 5 && !strcmp(out + l - 5, ".json"), spm = l > 6 && !strcmp(out + l - 6, ".model");
        if (l > 8 && !strcmp(out + l - 8, ".tokpack")) json = 1;
        if (!json && !spm) {
            usage_error("train", "-o %s: the output is a tokenizer.json (.json), a .tokpack or a SentencePiece .model", out);
            goto done;
        }
        if (spm && !(tm == TOK_TRAIN_UNIGRAM || tm == TOK_TRAIN_PATHPIECE || tm == TOK_TRAIN_SPM_BPE)) {
            usage_error("train", "-o %s: a .model is written for --model unigram only", out);
            goto done;
        }
    }
    rc = EXIT_RUNTIME;
    tok_error err = { 0 };
    pre_default_metaspace = tm == TOK_TRAIN_UNIGRAM || tm == TOK_TRAIN_PATHPIECE || tm == TOK_TRAIN_SPM_BPE;
    tp = like ? tok_template_like(like, &err)
              : tok_template_builtin(pre ? pre : pre_default_metaspace ? "metaspace" : "bytelevel", &err);
    if (!tp) { fprintf(stderr, "tok train: %s\n", err.message); if (err.code == TOK_ERR_ARG) rc = EXIT_USAGE; goto done; }
    if (tm == TOK_TRAIN_UNIGRAM || tm == TOK_TRAIN_PATHPIECE || tm == TOK_TRAIN_SPM_BPE) tok_template_strip_line_breaks(tp);
    c = tok_counts_new(memlimit);
    if (!c) { fprintf(stderr, "tok train: out of memory\n"); goto done; }
    for (size_t i = 0; i < ninputs; i++) {
        if (from_counts) {
            if (tok_counts_load(c, tok_template_name(tp), inputs[i], &err)) { fprintf(stderr, "tok train: %s\n", err.message); goto done; }
        } else if (count_corpus(c, tp, inputs[i], json_field, (int)threads)) goto done;
    }
    tok_counts_stats cs;
    tok_counts_stats_get(c, &cs);
    if (cs.pruned_entries)
        fprintf(stderr, "tok train: memory limit: %llu rare pre-tokens (%llu occurrences) were pruned\n",
                (unsigned long long)cs.pruned_entries, (unsigned long long)cs.pruned_total);
    if (counts_only) {
        if (tok_counts_save(c, tok_template_name(tp), out, &err)) { fprintf(stderr, "tok train: %s\n", err.message); goto done; }
        rc = EXIT_OK;
        goto done;
    }
    if (!tok_counts_size(c)) {
        fprintf(stderr, "tok train: %s: no text to train on (empty corpus)\n", inputs[0]);
        goto done;
    }
    tok_train_options o;
    tok_train_options_init(&o, tm);
    if (vocab_set || !(tm == TOK_TRAIN_UNIGRAM || tm == TOK_TRAIN_PATHPIECE || tm == TOK_TRAIN_SPM_BPE)) o.vocab_size = vocab;
    o.min_frequency = minf;
    o.special = special;
    o.n_special = nspecial;
    o.limit_alphabet = limit_alpha;
    if (alphabet && !strcmp(alphabet, "bytelevel")) {
        /* the 256 characters GPT-2's byte-to-unicode table uses */
        bytes_alpha = malloc(256 * 4 + 1);
        if (!bytes_alpha) goto done;
        size_t k = 0;
        for (unsigned cp = 0; cp < 324; cp++) {
            int printable = (cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF);
            int shifted = cp >= 256 && cp < 256 + 68;
            if (!printable && !shifted) continue;
            if (cp < 0x80) bytes_alpha[k++] = (char)cp;
            else { bytes_alpha[k++] = (char)(0xC0 | cp >> 6); bytes_alpha[k++] = (char)(0x80 | (cp & 0x3F)); }
        }
        bytes_alpha[k] = 0;
        alphabet = bytes_alpha;
    }
    o.initial_alphabet = alphabet;
    if (prefix) o.continuing_subword_prefix = prefix;
    o.end_of_word_suffix = suffix;
    o.max_token_length = maxlen;
    o.byte_fallback = byte_fallback;
    o.threads = (int)threads;
    o.progress = isatty(2);
    tr = tok_train(c, &o, &err);
    if (!tr) { fprintf(stderr, "tok train: %s\n", err.message); if (err.code == TOK_ERR_ARG) rc = EXIT_USAGE; goto done; }
    if (tok_trained_save(tr, tp, out, &err)) { fprintf(stderr, "tok train: %s\n", err.message); goto done; }
    rc = EXIT_OK;
done:
    tok_trained_free(tr);
    tok_counts_free(c);
    tok_template_free(tp);
    free(special);
    free(inputs);
    free(bytes_alpha);
    return rc;
}
