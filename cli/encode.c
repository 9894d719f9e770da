/* tok encode: text -> ids (or tokens, or JSON with offsets). */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char encode_help[] =
    "Usage: tok encode -t TOKENIZER [options] [FILE ...]\n"
    "Encode each FILE (or standard input) as one text; print its ids on one line.\n"
    "\n"
    "  -t, --tokenizer T   tokenizer file, directory holding one, or built-in name\n"
    "  --lines             encode each input line (without its newline) on its own;\n"
    "                      one output line per input line\n"
    "  --format F          ids (default) | tokens | json (ids, tokens, byte offsets)\n"
    "  --no-special        do not add special tokens (HF add_special_tokens=False)\n"
    "  --special-text M    match | plain: how special-token text in the input is read\n"
    "                      (default: match for tokenizer.json, plain for .tiktoken)\n"
    "  --invalid M         error (default) | replace: invalid UTF-8 in the input fails\n"
    "                      with its byte offset, or becomes U+FFFD as the references read it\n"
    "  --threads N         encode on N threads: lines (--lines), files, or one large\n"
    "                      text cut where the pre-tokenizer must split (same output)\n"
    "  --method M          merges | longest-prefix | longest-suffix | longest-token |\n"
    "                      least-tokens | likelihood | sample (default: the file's own)\n"
    "  --dropout P         BPE-dropout probability (merges)\n"
    "  --alpha A           Unigram sampling smoothing (sample), default 0.1\n"
    "  --nbest N           sample among the N best segmentations (sample)\n"
    "  --tie T             longest | random: tie rule for least-tokens\n"
    "  --unigram-from C    likelihood/sample on a vocabulary without scores: estimate\n"
    "                      unigram log-probabilities from corpus file C (EM)\n"
    "  --em-iters N        EM rounds for --unigram-from (default 3)\n"
    "  --save-scores F     save the estimate to F for reuse with --scores\n"
    "  --scores F          unigram scores saved earlier\n"
    "  --seed S            seed for dropout, sampling and random ties\n"
    "  --pattern P         r50k | p50k | cl100k | o200k: split pattern of a .tiktoken file\n"
    "  --ties R            hf | spm: Unigram tie rule\n"
    "  --lowercase, --cased  case handling of a bare BERT vocab.txt\n"
    "  --regex-only        use the general regex pre-tokenizer, never a hand-written\n"
    "                      scanner (for differential tests)\n"
    "  --strict            fail when the model has no token for some input (a BPE\n"
    "                      without unknown token drops it, as HF does: by default\n"
    "                      the ids are HF's and a warning counts the dropped bytes)\n"
    "  -h, --help          this help\n";

enum fmt { FMT_IDS, FMT_TOKENS, FMT_JSON };

/* How every text is encoded and printed. */
typedef struct enc_cfg {
    const tok_encode_options *opt;
    enum fmt fmt;
    int threads;
    bool strict;   /* dropped bytes are an error */
} enc_cfg;

typedef struct job {
    const tok_tokenizer *tok;
    const tok_encode_options *opt;
    enum fmt fmt;
    bool strict;
    size_t dropped, dropped_texts, first_dropped; /* bytes, texts, first text (1-based) */
    const char **texts;
    const size_t *lens;
    size_t first, count;
    int inner_threads;  /* threads for each text (one big text) */
    char *out;
    size_t out_len;
    int failed;
    char err[600];
} job;

static void emit(outbuf *o, const tok_tokenizer *t, const tok_encoding *e, enum fmt fmt)
{
    if (fmt == FMT_IDS) {
        for (size_t i = 0; i < e->n; i++) {
            if (i) out_char(o, ' ');
            out_int(o, e->ids[i]);
        }
    } else if (fmt == FMT_TOKENS) {
        for (size_t i = 0; i < e->n; i++) {
            size_t len;
            const char *s = tok_token_text(t, e->ids[i], &len);
            if (i) out_char(o, ' ');
            out_put(o, s, len);
        }
    } else {
        out_str(o, "{\"ids\":[");
        for (size_t i = 0; i < e->n; i++) {
            if (i) out_char(o, ',');
            out_int(o, e->ids[i]);
        }
        out_str(o, "],\"tokens\":[");
        for (size_t i = 0; i < e->n; i++) {
            size_t len;
            const char *s = tok_token_text(t, e->ids[i], &len);
            if (i) out_char(o, ',');
            out_json_string(o, s, len);
        }
        out_str(o, "],\"offsets\":[");
        for (size_t i = 0; i < e->n; i++) {
            if (i) out_char(o, ',');
            out_char(o, '[');
            out_int(o, e->offsets ? e->offsets[i].start : 0);
            out_char(o, ',');
            out_int(o, e->offsets ? e->offsets[i].end : 0);
            out_char(o, ']');
        }
        out_str(o, "]}");
    }
    out_char(o, '\n');
}

static void *run_job(void *arg)
{
    job *j = arg;
    FILE *mem = open_memstream(&j->out, &j->out_len);
    tok_ctx *ctx = tok_ctx_new(j->tok);
    if (!mem || !ctx) {
        j->failed = 1;
        snprintf(j->err, sizeof j->err, "out of memory");
        if (mem) fclose(mem);
        tok_ctx_free(ctx);
        return NULL;
    }
    outbuf o;
    out_init(&o, mem);
    for (size_t i = j->first; i < j->first + j->count; i++) {
        tok_encoding e;
        tok_status st = tok_encode_threads(ctx, j->texts[i], j->lens[i], j->opt, j->inner_threads, &e);
        if (st) {
            j->failed = 1;
            snprintf(j->err, sizeof j->err, "text %zu: %s", i + 1, tok_ctx_error(ctx));
            break;
        }
        size_t d = tok_dropped_bytes(ctx);
        if (d) {
            if (!j->dropped_texts++) j->first_dropped = i + 1;
            j->dropped += d;
            if (j->strict) {
                j->failed = 1;
                snprintf(j->err, sizeof j->err, "text %zu: %zu bytes have no token in this model (no unknown token) "
                         "and would be dropped (--strict)", i + 1, d);
                break;
            }
        }
        emit(&o, j->tok, &e, j->fmt);
    }
    out_flush(&o);
    fclose(mem);
    tok_ctx_free(ctx);
    return NULL;
}

/* Encode texts[0..n) on `threads` threads; output in order. */
static int encode_texts(const tok_tokenizer *t, const enc_cfg *cfg, const char **texts, const size_t *lens, size_t n,
                        const char *what)
{
    int threads = cfg->threads;
    if (threads < 1) threads = 1;
    int inner = 1;
    if ((size_t)threads > n) {
        inner = n ? threads / (int)n : 1;
        threads = n ? (int)n : 1;
    }
    job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    if (!jobs || !th) {
        fprintf(stderr, "tok: out of memory\n");
        return EXIT_RUNTIME;
    }
    size_t per = n / (size_t)threads, rem = n % (size_t)threads, at = 0;
    for (int k = 0; k < threads; k++) {
        jobs[k] = (job){ .tok = t, .opt = cfg->opt, .fmt = cfg->fmt, .strict = cfg->strict, .texts = texts, .lens = lens,
                         .first = at, .count = per + ((size_t)k < rem), .inner_threads = inner };
        at += jobs[k].count;
    }
    if (threads == 1) {
        run_job(&jobs[0]);
    } else {
        for (int k = 0; k < threads; k++) pthread_create(&th[k], NULL, run_job, &jobs[k]);
        for (int k = 0; k < threads; k++) pthread_join(th[k], NULL);
    }
    int rc = EXIT_OK;
    size_t dropped = 0, dropped_texts = 0, first_dropped = 0;
    for (int k = 0; k < threads; k++) {
        if (jobs[k].dropped_texts && !dropped_texts) first_dropped = jobs[k].first_dropped;
        dropped += jobs[k].dropped;
        dropped_texts += jobs[k].dropped_texts;
    }
    if (dropped && !cfg->strict)
        fprintf(stderr, "tok encode: warning: %s: %zu bytes in %zu text%s (the first: text %zu) have no token in this "
                "model, which has no unknown token, and were left out as HF leaves them out (--strict: fail)\n",
                what, dropped, dropped_texts, dropped_texts == 1 ? "" : "s", first_dropped);
    for (int k = 0; k < threads; k++) {
        if (rc == EXIT_OK && jobs[k].out_len) fwrite(jobs[k].out, 1, jobs[k].out_len, stdout);
        if (jobs[k].failed && rc == EXIT_OK) {
            fprintf(stderr, "tok encode: %s: %s\n", what, jobs[k].err);
            rc = EXIT_RUNTIME;
        }
        free(jobs[k].out);
    }
    free(jobs);
    free(th);
    if (fflush(stdout)) rc = EXIT_RUNTIME;
    return rc;
}

static int encode_main(int argc, char **argv, const char **files);

int cmd_encode(int argc, char **argv)
{
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files) return EXIT_RUNTIME;
    int rc = encode_main(argc, argv, files);
    free(files);
    return rc;
}

static int encode_main(int argc, char **argv, const char **files)
{
    tok_open to;
    tok_open_init(&to);
    tok_encode_options opt;
    tok_encode_options_init(&opt);
    enum fmt fmt = FMT_IDS;
    bool lines = false, strict = false;
    int threads = 1;
    const char *unigram_from = NULL, *scores_path = NULL, *save_scores = NULL;
    int em_iters = 3;
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("encode", "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(encode_help, stdout); return EXIT_OK; }
        else if (!strcmp(a, "--lines")) lines = true;
        else if (!strcmp(a, "--strict")) strict = true;
        else if (!strcmp(a, "--no-special")) opt.flags &= ~TOK_ENC_ADD_SPECIAL;
        else if ((v = opt_value(argc, argv, &i, "--format"))) {
            if (!strcmp(v, "ids")) fmt = FMT_IDS;
            else if (!strcmp(v, "tokens")) fmt = FMT_TOKENS;
            else if (!strcmp(v, "json")) fmt = FMT_JSON;
            else { usage_error("encode", "unknown format '%s' (ids, tokens, json)", v); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--special-text"))) {
            if (!strcmp(v, "match")) opt.flags |= TOK_ENC_SPECIAL_TEXT;
            else if (!strcmp(v, "plain")) opt.flags |= TOK_ENC_NO_SPECIAL_TEXT;
            else { usage_error("encode", "--special-text takes match or plain"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--invalid"))) {
            if (!strcmp(v, "replace")) opt.flags |= TOK_ENC_LOSSY;
            else if (strcmp(v, "error")) { usage_error("encode", "--invalid takes error or replace"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--threads"))) {
            threads = atoi(v);
            if (threads < 1 || threads > 256) { usage_error("encode", "--threads takes 1..256"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--method"))) {
            int m = tok_method_from_name(v);
            if (m < 0) { usage_error("encode", "unknown method '%s'", v); return EXIT_USAGE; }
            opt.method = (tok_method)m;
        } else if ((v = opt_value(argc, argv, &i, "--dropout"))) {
            char *end;
            opt.dropout = strtof(v, &end);
            if (*end || opt.dropout < 0 || opt.dropout > 1) { usage_error("encode", "--dropout takes 0..1"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--alpha"))) {
            char *end;
            opt.alpha = strtof(v, &end);
            if (*end) { usage_error("encode", "--alpha takes a number"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--nbest"))) {
            opt.nbest = atoi(v);
        } else if ((v = opt_value(argc, argv, &i, "--seed"))) {
            char *end;
            opt.seed = strtoull(v, &end, 10);
            if (*end) { usage_error("encode", "--seed takes an integer"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--tie"))) {
            if (!strcmp(v, "longest")) opt.tie = TOK_TIE_LONGEST;
            else if (!strcmp(v, "random")) opt.tie = TOK_TIE_RANDOM;
            else { usage_error("encode", "--tie takes longest or random"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--unigram-from"))) {
            unigram_from = v;
        } else if ((v = opt_value(argc, argv, &i, "--scores"))) {
            scores_path = v;
        } else if ((v = opt_value(argc, argv, &i, "--save-scores"))) {
            save_scores = v;
        } else if ((v = opt_value(argc, argv, &i, "--em-iters"))) {
            em_iters = atoi(v);
            if (em_iters < 1 || em_iters > 100) { usage_error("encode", "--em-iters takes 1..100"); return EXIT_USAGE; }
        } else if (a[0] == '-' && a[1]) {
            usage_error("encode", "unknown option %s", a);
            return EXIT_USAGE;
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles == 0) files[nfiles++] = "-";
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) return EXIT_RUNTIME;

    int rc = EXIT_OK;
    tok_scores *scores = NULL;
    tok_error serr = { 0 };
    if (scores_path) {
        if (!(scores = tok_scores_load(t, scores_path, &serr))) rc = EXIT_RUNTIME;
    } else if (unigram_from) {
        size_t clen;
        char *corpus = read_all(unigram_from, &clen);
        if (!corpus || !(scores = tok_scores_estimate(t, corpus, clen, em_iters, &serr))) rc = EXIT_RUNTIME;
        free(corpus);
        if (scores && save_scores && tok_scores_save(scores, save_scores, &serr)) rc = EXIT_RUNTIME;
    }
    if (rc) {
        if (serr.message[0]) fprintf(stderr, "tok encode: %s\n", serr.message);
        tok_free(t);
        return rc;
    }
    opt.scores = scores;
    char **bufs = calloc(nfiles, sizeof *bufs);
    size_t *blens = calloc(nfiles, sizeof *blens);
    for (size_t f = 0; f < nfiles && rc == EXIT_OK; f++)
        if (!(bufs[f] = read_all(files[f], &blens[f]))) rc = EXIT_RUNTIME;
    enc_cfg cfg = { .opt = &opt, .fmt = fmt, .threads = threads, .strict = strict };
    if (rc == EXIT_OK) {
        if (!lines) {
            rc = encode_texts(t, &cfg, (const char **)bufs, blens, nfiles,
                              nfiles == 1 ? (strcmp(files[0], "-") ? files[0] : "stdin") : "input");
        } else {
            for (size_t f = 0; f < nfiles && rc == EXIT_OK; f++) {
                /* count the lines first, then one allocation for them */
                size_t n = 0, cap = 0;
                const char *p = bufs[f], *end = bufs[f] + blens[f];
                for (const char *q = p; q < end; cap++) {
                    const char *nl = memchr(q, '\n', (size_t)(end - q));
                    q = nl ? nl + 1 : end;
                }
                const char **texts = malloc((cap + 1) * sizeof *texts);
                size_t *lens = malloc((cap + 1) * sizeof *lens);
                if (!texts || !lens) {
                    free(texts);
                    free(lens);
                    fprintf(stderr, "tok encode: out of memory\n");
                    rc = EXIT_RUNTIME;
                    break;
                }
                while (p < end) {
                    const char *nl = memchr(p, '\n', (size_t)(end - p));
                    const char *le = nl ? nl : end;
                    texts[n] = p;
                    lens[n] = (size_t)(le - p);
                    n++;
                    p = nl ? nl + 1 : end;
                }
                rc = encode_texts(t, &cfg, texts, lens, n, strcmp(files[f], "-") ? files[f] : "stdin");
                free(texts);
                free(lens);
            }
        }
    }
    for (size_t f = 0; f < nfiles; f++) free(bufs[f]);
    free(bufs);
    free(blens);
    tok_scores_free(scores);
    tok_free(t);
    return rc;
}
