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
    "  --format F          ids (default) | tokens | json (ids, tokens, byte offsets) |\n"
    "                      json-full (json plus type_ids, special_tokens_mask,\n"
    "                      attention_mask and the overflowing encodings)\n"
    "  --pairs             each text is a pair: sequence A, a tab, sequence B\n"
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
    "Truncation and padding (default: the tokenizer file's own, as HF):\n"
    "  --truncate N        keep N tokens (special tokens included); the rest\n"
    "                      becomes overflowing encodings (json-full)\n"
    "  --stride S          tokens repeated between overflowing parts\n"
    "  --truncation-strategy longest-first | only-first | only-second\n"
    "  --truncation-side   right | left\n"
    "  --no-truncate       no truncation, even if the file has it\n"
    "  --pad               pad to the longest text of the input (HF BatchLongest)\n"
    "  --pad-to N          pad to N tokens (HF Fixed)\n"
    "  --pad-multiple M    round the padded length up to a multiple of M\n"
    "  --pad-id I, --pad-type-id T, --pad-token S, --pad-side right|left\n"
    "  --no-pad            no padding, even if the file has it\n"
    "  --strict            fail when the model has no token for some input (a BPE\n"
    "                      without unknown token drops it, as HF does: by default\n"
    "                      the ids are HF's and a warning counts the dropped bytes)\n"
    "  -h, --help          this help\n";

enum fmt { FMT_IDS, FMT_TOKENS, FMT_JSON, FMT_JSON_FULL };

/* How every text is encoded and printed. */
typedef struct enc_cfg {
    const tok_encode_options *opt;
    enum fmt fmt;
    int threads;
    bool strict;   /* dropped bytes are an error */
    bool pairs;    /* each text is "A\tB" */
    const tok_truncation *trunc; /* overrides of the file's settings, or NULL */
    const tok_padding *pad;
} enc_cfg;

typedef struct job {
    const tok_tokenizer *tok;
    const tok_encode_options *opt;
    enum fmt fmt;
    bool strict;
    const enc_cfg *cfg;
    bool measure;       /* only find the longest encoding (padding to the batch's longest) */
    size_t longest;
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

static void int_array(outbuf *o, const char *key, const int32_t *i32, const uint8_t *u8, size_t n)
{
    out_str(o, key);
    out_char(o, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) out_char(o, ',');
        out_int(o, i32 ? i32[i] : u8[i]);
    }
    out_char(o, ']');
}

/* One encoding as JSON; with ctx (json-full) also type ids, masks and the
 * overflowing encodings. */
static void emit_json(outbuf *o, const tok_tokenizer *t, const tok_encoding *e, const uint8_t *mask, const tok_ctx *ctx)
{
    int_array(o, "{\"ids\":", e->ids, NULL, e->n);
    out_str(o, ",\"tokens\":[");
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
    out_char(o, ']');
    if (mask) {
        int_array(o, ",\"type_ids\":", NULL, e->type_ids, e->n);
        int_array(o, ",\"special_tokens_mask\":", NULL, e->special, e->n);
        int_array(o, ",\"attention_mask\":", NULL, mask, e->n);
    }
    if (ctx) {
        out_str(o, ",\"overflowing\":[");
        for (size_t k = 0; k < tok_overflowing_count(ctx); k++) {
            tok_encoding x;
            const uint8_t *m;
            tok_overflowing(ctx, k, &x, &m);
            if (k) out_char(o, ',');
            emit_json(o, t, &x, m, NULL);
        }
        out_char(o, ']');
    }
    out_char(o, '}');
}

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
        emit_json(o, t, e, NULL, NULL);
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
    tok_padding nopad;
    tok_padding_init(&nopad);
    const tok_padding *pad = j->measure ? &nopad : j->cfg->pad;
    if ((j->cfg->trunc && tok_ctx_set_truncation(ctx, j->cfg->trunc)) || (pad && tok_ctx_set_padding(ctx, pad))) {
        j->failed = 1;
        snprintf(j->err, sizeof j->err, "%s", tok_ctx_error(ctx));
        out_flush(&o);
        fclose(mem);
        tok_ctx_free(ctx);
        return NULL;
    }
    for (size_t i = j->first; i < j->first + j->count; i++) {
        tok_encoding e;
        tok_status st;
        const char *tab = j->cfg->pairs ? memchr(j->texts[i], '\t', j->lens[i]) : NULL;
        if (j->cfg->pairs && !tab) {
            j->failed = 1;
            snprintf(j->err, sizeof j->err, "text %zu: no tab between the two sequences of a pair (--pairs)", i + 1);
            break;
        }
        if (tab)
            st = tok_encode_pair(ctx, j->texts[i], (size_t)(tab - j->texts[i]), tab + 1,
                                 j->lens[i] - (size_t)(tab - j->texts[i]) - 1, j->opt, &e);
        else
            st = tok_encode_threads(ctx, j->texts[i], j->lens[i], j->opt, j->inner_threads, &e);
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
        if (j->measure) {
            if (e.n > j->longest) j->longest = e.n;
        } else if (j->fmt == FMT_JSON_FULL) {
            emit_json(&o, j->tok, &e, tok_attention_mask(ctx), ctx);
            out_char(&o, '\n');
        } else {
            emit(&o, j->tok, &e, j->fmt);
        }
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
    /* HF pads a batch to its longest encoding: a first pass finds it */
    tok_padding eff, fixed;
    tok_padding_init(&eff);
    if (cfg->pad) eff = *cfg->pad;
    else tok_get_padding(t, &eff);
    enc_cfg fixed_cfg = *cfg;
    bool measure = eff.enabled && eff.length == 0 && n > 1;
    for (int pass = measure ? 0 : 1; pass < 2; pass++) {
        size_t per = n / (size_t)threads, rem = n % (size_t)threads, at = 0;
        for (int k = 0; k < threads; k++) {
            free(jobs[k].out);
            jobs[k] = (job){ .tok = t, .opt = cfg->opt, .fmt = cfg->fmt, .strict = cfg->strict, .cfg = &fixed_cfg,
                             .measure = pass == 0, .texts = texts, .lens = lens,
                             .first = at, .count = per + ((size_t)k < rem), .inner_threads = inner };
            at += jobs[k].count;
        }
        if (threads == 1) {
            run_job(&jobs[0]);
        } else {
            for (int k = 0; k < threads; k++) pthread_create(&th[k], NULL, run_job, &jobs[k]);
            for (int k = 0; k < threads; k++) pthread_join(th[k], NULL);
        }
        if (pass == 0) {
            size_t longest = 0;
            bool failed = false;
            for (int k = 0; k < threads; k++) {
                if (jobs[k].longest > longest) longest = jobs[k].longest;
                failed |= jobs[k].failed != 0;
            }
            if (failed) break; /* reported below */
            fixed = eff;
            fixed.length = longest;
            fixed_cfg.pad = &fixed;
        }
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

/* A non-negative decimal count, or -1. */
static long long count_arg(const char *v)
{
    char *end;
    if (!*v || *v == '-') return -1;
    long long x = strtoll(v, &end, 10);
    return *end || x > ((long long)1 << 40) ? -1 : x;
}

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
    bool lines = false, strict = false, pairs = false;
    /* truncation/padding asked on the command line (-1: not given) */
    bool no_trunc = false, no_pad = false, pad_batch = false;
    long long t_max = -1, t_stride = -1, p_to = -1, p_mult = -1, p_id = -1, p_type = -1;
    int t_strategy = -1, t_side = -1, p_side = -1;
    const char *p_token = NULL;
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
        else if (!strcmp(a, "--pairs")) pairs = true;
        else if (!strcmp(a, "--no-truncate")) no_trunc = true;
        else if (!strcmp(a, "--no-pad")) no_pad = true;
        else if (!strcmp(a, "--pad")) pad_batch = true;
        else if ((v = opt_value(argc, argv, &i, "--truncate"))) {
            if ((t_max = count_arg(v)) < 0) { usage_error("encode", "--truncate takes a count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--stride"))) {
            if ((t_stride = count_arg(v)) < 0) { usage_error("encode", "--stride takes a count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-to"))) {
            if ((p_to = count_arg(v)) <= 0) { usage_error("encode", "--pad-to takes a positive count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-multiple"))) {
            if ((p_mult = count_arg(v)) < 0) { usage_error("encode", "--pad-multiple takes a count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-id"))) {
            if ((p_id = count_arg(v)) < 0 || p_id > INT32_MAX) { usage_error("encode", "--pad-id takes a token id"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-type-id"))) {
            if ((p_type = count_arg(v)) < 0 || p_type > 255) { usage_error("encode", "--pad-type-id takes 0..255"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-token"))) {
            p_token = v;
        } else if ((v = opt_value(argc, argv, &i, "--truncation-strategy"))) {
            if (!strcmp(v, "longest-first")) t_strategy = TOK_TRUNC_LONGEST_FIRST;
            else if (!strcmp(v, "only-first")) t_strategy = TOK_TRUNC_ONLY_FIRST;
            else if (!strcmp(v, "only-second")) t_strategy = TOK_TRUNC_ONLY_SECOND;
            else { usage_error("encode", "--truncation-strategy takes longest-first, only-first or only-second"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--truncation-side")) || (v = opt_value(argc, argv, &i, "--pad-side"))) {
            int sd = !strcmp(v, "right") ? TOK_SIDE_RIGHT : !strcmp(v, "left") ? TOK_SIDE_LEFT : -1;
            if (sd < 0) { usage_error("encode", "%s takes right or left", a); return EXIT_USAGE; }
            if (!strncmp(a, "--pad-side", 10)) p_side = sd;
            else t_side = sd;
        }
        else if (!strcmp(a, "--no-special")) opt.flags &= ~TOK_ENC_ADD_SPECIAL;
        else if ((v = opt_value(argc, argv, &i, "--format"))) {
            if (!strcmp(v, "ids")) fmt = FMT_IDS;
            else if (!strcmp(v, "tokens")) fmt = FMT_TOKENS;
            else if (!strcmp(v, "json")) fmt = FMT_JSON;
            else if (!strcmp(v, "json-full")) fmt = FMT_JSON_FULL;
            else { usage_error("encode", "unknown format '%s' (ids, tokens, json, json-full)", v); return EXIT_USAGE; }
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
    /* the file's truncation and padding, changed by the options */
    tok_truncation tr;
    tok_padding pd;
    tok_truncation_init(&tr);
    tok_padding_init(&pd);
    tok_get_truncation(t, &tr);
    tok_get_padding(t, &pd);
    bool tr_over = no_trunc || t_max >= 0 || t_stride >= 0 || t_strategy >= 0 || t_side >= 0;
    bool pd_over = no_pad || pad_batch || p_to >= 0 || p_mult >= 0 || p_id >= 0 || p_type >= 0 || p_token || p_side >= 0;
    if (t_max >= 0) { tr.enabled = 1; tr.max_length = (size_t)t_max; }
    if (t_stride >= 0) tr.stride = (size_t)t_stride;
    if (t_strategy >= 0) tr.strategy = (tok_trunc_strategy)t_strategy;
    if (t_side >= 0) tr.direction = (tok_side)t_side;
    if (no_trunc) tr.enabled = 0;
    if (pad_batch) { pd.enabled = 1; pd.length = 0; }
    if (p_to >= 0) { pd.enabled = 1; pd.length = (size_t)p_to; }
    if (p_mult >= 0) pd.multiple = (size_t)p_mult;
    if (p_id >= 0) pd.pad_id = (int32_t)p_id;
    if (p_type >= 0) pd.pad_type_id = (uint32_t)p_type;
    if (p_token) pd.pad_token = p_token;
    if (p_side >= 0) pd.direction = (tok_side)p_side;
    if (no_pad) pd.enabled = 0;
    enc_cfg cfg = { .opt = &opt, .fmt = fmt, .threads = threads, .strict = strict, .pairs = pairs,
                    .trunc = tr_over ? &tr : NULL, .pad = pd_over ? &pd : NULL };
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
