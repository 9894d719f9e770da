/* tok encode: text -> ids (or tokens, or JSON with offsets). */
#include "cli.h"
#include <vocab/tok_train.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char encode_help[] =
    "Usage: tok encode -t TOKENIZER [options] [FILE | TEXT ...]\n"
    "       tok encode -t TOKENIZER --text STRING\n"
    "Encode each FILE (or standard input, or '-') as one text; print its ids on one\n"
    "line.  An argument that names no file is encoded as text itself (unless it looks\n"
    "like a path); --text STRING always is.  Input is read as a stream: --lines and\n"
    "--jsonl print each line as soon as it is encoded, and one large text is encoded\n"
    "piece by piece where the pre-tokenizer must split (bounded memory).\n"
    "\n"
    "  -t, --tokenizer T   tokenizer file, directory holding one, or built-in name\n"
    "  --text STRING       encode STRING (repeatable: one text each)\n"
    "  --lines             encode each input line (without its newline) on its own;\n"
    "                      one output line per input line\n"
    "  --jsonl FIELD       input is JSON lines: encode the string FIELD of each object\n"
    "                      and print the object with \"ids\" (and with --format json also\n"
    "                      \"tokens\" and \"offsets\") added, everything else kept\n"
    "  --pair STRING       encode each text as a pair with STRING as second sequence\n"
    "  --pairs             with --lines: each line is a pair, cut at its first TAB\n"
    "  --format F          ids (default) | tokens | json | jsonl: ids on a line; the\n"
    "                      tokens as written in the file, space-separated, with \\,\n"
    "                      space and control characters escaped (\\\\ \\s \\n \\t \\r \\xHH);\n"
    "                      one JSON object per text with ids, tokens and byte offsets\n"
    "                      (jsonl: the same, named for batch use)\n"
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
    "Truncation and padding (default: the tokenizer file's own, as HF):\n"
    "  --truncate N        keep N tokens (special tokens included); the rest\n"
    "                      becomes overflowing encodings (--format json-full)\n"
    "  --stride S          tokens repeated between overflowing parts\n"
    "  --truncation-strategy longest-first | only-first | only-second\n"
    "  --truncation-side   right | left\n"
    "  --no-truncate       no truncation, even if the file has it\n"
    "  --pad               pad to the longest text of each input (HF BatchLongest)\n"
    "  --pad-to N          pad to N tokens (HF Fixed)\n"
    "  --pad-multiple M    round the padded length up to a multiple of M\n"
    "  --pad-id I, --pad-type-id T, --pad-token S, --pad-side right|left\n"
    "  --no-pad            no padding, even if the file has it\n"
    "  (json-full: --format json plus type_ids, special_tokens_mask,\n"
    "   attention_mask and the overflowing encodings)\n"
    "  --                  end of options: what follows are files or texts\n"
    "  -h, --help          this help\n";

static const char count_help[] =
    "Usage: tok count -t TOKENIZER [options] [FILE | TEXT ...]\n"
    "Print the number of tokens of each input (FILE, standard input, '-', or --text\n"
    "STRING), one number per line; with --lines one number per input line.  Counts\n"
    "what 'tok encode' would print (special tokens of the post-processor included\n"
    "unless --no-special).  Streams: memory stays bounded on huge input.\n"
    "\n"
    "  -t, --tokenizer T   tokenizer file, directory holding one, or built-in name\n"
    "  --text STRING       count STRING (repeatable)\n"
    "  --lines             one count per input line\n"
    "  --total             also print the sum on a last line 'total N'\n"
    "  --no-special, --special-text, --invalid, --threads, --method, --pattern, --ties,\n"
    "  --lowercase, --cased: as for tok encode\n"
    "  -h, --help          this help\n";

enum fmt { FMT_IDS, FMT_TOKENS, FMT_JSON, FMT_COUNT, FMT_JSON_FULL };

static void emit_ids(outbuf *o, const tok_encoding *e)
{
    for (size_t i = 0; i < e->n; i++) {
        if (i) out_char(o, ' ');
        out_int(o, e->ids[i]);
    }
}

static void emit_tokens(outbuf *o, const tok_tokenizer *t, const tok_encoding *e)
{
    for (size_t i = 0; i < e->n; i++) {
        size_t len;
        const char *s = tok_token_text(t, e->ids[i], &len);
        if (i) out_char(o, ' ');
        out_escaped(o, s, len, true);
    }
}

/* "ids":[..],"tokens":[..],"offsets":[..] (offsets shifted by base) */
static void emit_json_fields(outbuf *o, const tok_tokenizer *t, const tok_encoding *e, unsigned long long base)
{
    out_str(o, "\"ids\":[");
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
        bool sp = e->special && e->special[i];
        if (i) out_char(o, ',');
        out_char(o, '[');
        out_int(o, e->offsets ? (long long)(e->offsets[i].start + (sp ? 0 : base)) : 0);
        out_char(o, ',');
        out_int(o, e->offsets ? (long long)(e->offsets[i].end + (sp ? 0 : base)) : 0);
        out_char(o, ']');
    }
    out_char(o, ']');
}

static void emit(outbuf *o, const tok_tokenizer *t, const tok_encoding *e, enum fmt fmt)
{
    if (fmt == FMT_IDS) emit_ids(o, e);
    else if (fmt == FMT_TOKENS) emit_tokens(o, t, e);
    else if (fmt == FMT_COUNT) out_int(o, (long long)e->n);
    else {
        out_char(o, '{');
        emit_json_fields(o, t, e, 0);
        out_char(o, '}');
    }
    out_char(o, '\n');
}

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

/* json-full: the JSON fields plus type ids, masks and (for the encoding
 * itself, ctx given) the overflowing encodings. */
static void emit_json_full(outbuf *o, const tok_tokenizer *t, const tok_encoding *e, const uint8_t *mask,
                           const tok_ctx *ctx)
{
    out_char(o, '{');
    emit_json_fields(o, t, e, 0);
    int_array(o, ",\"type_ids\":", NULL, e->type_ids, e->n);
    int_array(o, ",\"special_tokens_mask\":", NULL, e->special, e->n);
    int_array(o, ",\"attention_mask\":", NULL, mask, e->n);
    if (ctx) {
        out_str(o, ",\"overflowing\":[");
        for (size_t k = 0; k < tok_overflowing_count(ctx); k++) {
            tok_encoding x;
            const uint8_t *m;
            tok_overflowing(ctx, k, &x, &m);
            if (k) out_char(o, ',');
            emit_json_full(o, t, &x, m, NULL);
        }
        out_char(o, ']');
    }
    out_char(o, '}');
}

/* Ids only (formats ids and count): tok_encode_ids into a buffer the caller
 * keeps, sized from the text (grown when a text needs more), so no offsets,
 * words or masks are built.  Its ids are tok_encode's. */
typedef struct idbuf { int32_t *v; size_t cap; } idbuf;

static tok_status encode_ids_only(tok_ctx *ctx, const char *s, size_t n, const tok_encode_options *opt, idbuf *b,
                                  tok_encoding *e)
{
    size_t need = n + 16;
    for (;;) {
        if (b->cap < need) {
            int32_t *v = realloc(b->v, need * sizeof *v);
            if (!v) return tok_encode(ctx, s, n, opt, e);
            b->v = v;
            b->cap = need;
        }
        size_t k = 0;
        tok_status st = tok_encode_ids(ctx, s, n, opt, b->v, b->cap, &k);
        if (st == TOK_ERR_BUFFER && k > b->cap) {
            need = k;
            continue;
        }
        memset(e, 0, sizeof *e);
        e->n = k;
        e->ids = b->v;
        return st;
    }
}

static bool ids_only(enum fmt fmt) { return fmt == FMT_IDS || fmt == FMT_COUNT; }

/* ---- in-memory texts on several threads (whole files, --threads) ---------- */

typedef struct job {
    const tok_tokenizer *tok;
    const tok_encode_options *opt;
    enum fmt fmt;
    const char **texts;
    const size_t *lens;
    size_t first, count;
    int inner_threads;  /* threads for each text (one big text) */
    char *out;
    size_t out_len;
    int failed;
    unsigned long long ntok;
    char err[600];
} job;

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
    idbuf ib = { 0 };
    for (size_t i = j->first; i < j->first + j->count; i++) {
        tok_encoding e;
        tok_status st = ids_only(j->fmt) && j->inner_threads <= 1
                            ? encode_ids_only(ctx, j->texts[i], j->lens[i], j->opt, &ib, &e)
                            : tok_encode_threads(ctx, j->texts[i], j->lens[i], j->opt, j->inner_threads, &e);
        if (st) {
            j->failed = 1;
            snprintf(j->err, sizeof j->err, "text %zu: %s", i + 1, tok_ctx_error(ctx));
            break;
        }
        j->ntok += e.n;
        emit(&o, j->tok, &e, j->fmt);
    }
    out_flush(&o);
    fclose(mem);
    free(ib.v);
    tok_ctx_free(ctx);
    return NULL;
}

/* Encode texts[0..n) on `threads` threads; output in order. */
static int encode_texts(const tok_tokenizer *t, const tok_encode_options *opt, enum fmt fmt,
                        const char **texts, const size_t *lens, size_t n, int threads, const char *what,
                        unsigned long long *ntok)
{
    if (threads < 1) threads = 1;
    int inner = 1;
    if ((size_t)threads > n) {
        inner = n ? threads / (int)n : 1;
        threads = n ? (int)n : 1;
    }
    job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    if (!jobs || !th) {
        free(jobs);
        free(th);
        fprintf(stderr, "tok: out of memory\n");
        return EXIT_RUNTIME;
    }
    size_t per = n / (size_t)threads, rem = n % (size_t)threads, at = 0;
    for (int k = 0; k < threads; k++) {
        jobs[k] = (job){ .tok = t, .opt = opt, .fmt = fmt, .texts = texts, .lens = lens,
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
    for (int k = 0; k < threads; k++) {
        if (rc == EXIT_OK && jobs[k].out_len) fwrite(jobs[k].out, 1, jobs[k].out_len, stdout);
        if (jobs[k].failed && rc == EXIT_OK) {
            fprintf(stderr, "tok: %s: %s\n", what, jobs[k].err);
            rc = EXIT_RUNTIME;
        }
        if (ntok) *ntok += jobs[k].ntok;
        free(jobs[k].out);
    }
    free(jobs);
    free(th);
    if (fflush(stdout)) rc = EXIT_RUNTIME;
    return rc;
}

/* ---- streaming input (cli/common.c reads it) ---------------------------------- */

typedef struct run {
    const tok_tokenizer *t;
    tok_ctx *ctx;
    tok_batch *batch;
    const tok_encode_options *opt;
    enum fmt fmt;
    int threads;
    const char *pair;       /* --pair */
    bool pairs;             /* --pairs */
    const char *jsonl;      /* --jsonl FIELD */
    unsigned long long total;
    outbuf *o;
    bool strict;            /* dropped bytes are an error */
    size_t dropped, dropped_texts, first_dropped; /* bytes, texts, first (where, line) */
    char first_where[300];
    bool whole;             /* truncation or padding: texts encoded whole, one at a time */
    bool measure;           /* only find the longest encoding (padding to a batch's longest) */
    size_t longest;
    idbuf ids;              /* ids-only formats */
} run;

static int encode_one_line(run *R, const char *s, size_t n, const char *where, size_t line)
{
    tok_encoding e;
    tok_status st;
    if (R->pairs) {
        const char *tab = memchr(s, '\t', n);
        if (!tab) {
            fprintf(stderr, "tok: %s:%zu: --pairs: no TAB between the two texts\n", where, line);
            return EXIT_RUNTIME;
        }
        st = tok_encode_pair(R->ctx, s, (size_t)(tab - s), tab + 1, n - (size_t)(tab - s) - 1, R->opt, &e);
    } else if (R->pair) {
        st = tok_encode_pair(R->ctx, s, n, R->pair, strlen(R->pair), R->opt, &e);
    } else if (ids_only(R->fmt)) {
        st = encode_ids_only(R->ctx, s, n, R->opt, &R->ids, &e);
    } else {
        st = tok_encode(R->ctx, s, n, R->opt, &e);
    }
    if (st) {
        fprintf(stderr, "tok: %s:%zu: %s\n", where, line, tok_ctx_error(R->ctx));
        return EXIT_RUNTIME;
    }
    size_t d = tok_dropped_bytes(R->ctx);
    if (d && !R->measure) {
        if (R->strict) {
            fprintf(stderr, "tok: %s:%zu: %zu bytes have no token in this model (no unknown token) and would be "
                            "dropped (--strict)\n", where, line, d);
            return EXIT_RUNTIME;
        }
        if (!R->dropped_texts++) {
            R->first_dropped = line;
            snprintf(R->first_where, sizeof R->first_where, "%s", where);
        }
        R->dropped += d;
    }
    if (R->measure) {
        if (e.n > R->longest) R->longest = e.n;
        return EXIT_OK;
    }
    R->total += e.n;
    if (R->fmt == FMT_JSON_FULL) {
        emit_json_full(R->o, R->t, &e, tok_attention_mask(R->ctx), R->ctx);
        out_char(R->o, '\n');
    } else {
        emit(R->o, R->t, &e, R->fmt);
    }
    return EXIT_OK;
}

/* Padding to a batch's longest (HF BatchLongest) over the lines of one whole
 * input: a first pass finds the longest encoding, the second pads to it. */
static int lines_padded(run *R, const char *buf, size_t len, const char *where, const tok_padding *pad)
{
    int rc = EXIT_OK;
    for (int pass = 0; pass < 2 && rc == EXIT_OK; pass++) {
        R->measure = pass == 0;
        R->longest = 0;
        size_t line = 1;
        for (const char *p = buf, *end = buf + len; p < end && rc == EXIT_OK; line++) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            rc = encode_one_line(R, p, n, where, line);
            p = nl ? nl + 1 : end;
        }
        if (pass == 0) {
            tok_padding fixed = *pad;
            fixed.length = R->longest;
            if (fixed.length && tok_ctx_set_padding(R->ctx, &fixed)) rc = EXIT_RUNTIME;
        }
    }
    R->measure = false;
    if (tok_ctx_set_padding(R->ctx, pad)) rc = EXIT_RUNTIME;
    return rc;
}

/* One JSON object per line: encode its string FIELD, print the object with
 * the encoding added. */
static int encode_jsonl_line(run *R, const char *s, size_t n, const char *where, size_t line)
{
    json_error_t jerr;
    json_t *obj = json_loadb(s, n, JSON_ALLOW_NUL, &jerr);
    if (!obj || !json_is_object(obj)) {
        if (obj) fprintf(stderr, "tok: %s:%zu: not a JSON object\n", where, line);
        else fprintf(stderr, "tok: %s:%zu:%d: %s\n", where, line, jerr.column, jerr.text);
        json_decref(obj);
        return EXIT_RUNTIME;
    }
    json_t *f = json_object_get(obj, R->jsonl);
    if (!f || !json_is_string(f)) {
        fprintf(stderr, "tok: %s:%zu: %s \"%s\"\n", where, line, f ? "not a string:" : "no field", R->jsonl);
        json_decref(obj);
        return EXIT_RUNTIME;
    }
    tok_encoding e;
    if (tok_encode(R->ctx, json_string_value(f), json_string_length(f), R->opt, &e)) {
        fprintf(stderr, "tok: %s:%zu: field \"%s\": %s\n", where, line, R->jsonl, tok_ctx_error(R->ctx));
        json_decref(obj);
        return EXIT_RUNTIME;
    }
    R->total += e.n;
    if (R->fmt == FMT_COUNT) {
        out_int(R->o, (long long)e.n);
        out_char(R->o, '\n');
        json_decref(obj);
        return EXIT_OK;
    }
    /* the object as it came, minus the closing brace, then our fields */
    json_object_del(obj, "ids");
    json_object_del(obj, "tokens");
    json_object_del(obj, "offsets");
    char *dump = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII * 0);
    json_decref(obj);
    if (!dump) {
        fprintf(stderr, "tok: out of memory\n");
        return EXIT_RUNTIME;
    }
    size_t dl = strlen(dump);
    out_put(R->o, dump, dl - 1);
    if (dl > 2) out_char(R->o, ',');
    free(dump);
    if (R->fmt == FMT_JSON || R->fmt == FMT_JSON_FULL) emit_json_fields(R->o, R->t, &e, 0);
    else {
        out_str(R->o, "\"ids\":[");
        for (size_t i = 0; i < e.n; i++) {
            if (i) out_char(R->o, ',');
            out_int(R->o, e.ids[i]);
        }
        out_char(R->o, ']');
    }
    out_str(R->o, "}\n");
    return EXIT_OK;
}

/* Complete lines in buf[0..n) on several threads at once (batch API). */
static int encode_lines_batch(run *R, const char *buf, size_t n, const char *where, size_t *line)
{
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++) cnt += buf[i] == '\n';
    const char **texts = malloc((cnt + 1) * sizeof *texts);
    size_t *lens = malloc((cnt + 1) * sizeof *lens);
    if (!texts || !lens) {
        free(texts);
        free(lens);
        fprintf(stderr, "tok: out of memory\n");
        return EXIT_RUNTIME;
    }
    size_t k = 0;
    for (const char *p = buf, *end = buf + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        texts[k] = p;
        lens[k++] = (size_t)(nl - p);
        p = nl + 1;
    }
    int rc = EXIT_OK;
    if (tok_encode_batch(R->batch, texts, lens, k, R->opt, R->threads)) {
        /* "text 12: ..." -> the line number in the input */
        const char *msg = tok_batch_error(R->batch);
        size_t bad = 0;
        if (sscanf(msg, "text %zu", &bad) == 1) {
            const char *colon = strchr(msg, ':');
            fprintf(stderr, "tok: %s:%zu%s\n", where, *line + bad, colon ? colon : "");
        } else fprintf(stderr, "tok: %s: %s\n", where, msg);
        rc = EXIT_RUNTIME;
    } else {
        for (size_t i = 0; i < k; i++) {
            tok_encoding e;
            tok_batch_get(R->batch, i, &e);
            R->total += e.n;
            emit(R->o, R->t, &e, R->fmt);
        }
        *line += k;
    }
    free(texts);
    free(lens);
    return rc;
}

/* --lines / --jsonl over one input, answering each chunk of lines as it arrives. */
static int stream_lines(run *R, reader *r)
{
    size_t line = 1;
    int rc = EXIT_OK;
    bool batch = R->threads > 1 && !R->jsonl && !R->pairs && !R->pair && !R->whole;
    while (rc == EXIT_OK) {
        if (reader_fill(r)) return EXIT_RUNTIME;
        const char *p = r->buf + r->pos, *end = r->buf + r->len;
        if (batch) {
            const char *last = NULL;
            for (const char *q = end; q > p; q--)
                if (q[-1] == '\n') { last = q; break; }
            if (last) {
                rc = encode_lines_batch(R, p, (size_t)(last - p), r->name, &line);
                r->pos += (size_t)(last - p);
                p = last;
            }
        } else {
            while (rc == EXIT_OK) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                if (!nl) break;
                rc = R->jsonl ? encode_jsonl_line(R, p, (size_t)(nl - p), r->name, line)
                              : encode_one_line(R, p, (size_t)(nl - p), r->name, line);
                line++;
                r->pos += (size_t)(nl + 1 - p);
                p = nl + 1;
            }
        }
        if (rc) break;
        if (r->eof) {
            if (r->pos < r->len) /* a last line without its newline */
                rc = R->jsonl ? encode_jsonl_line(R, r->buf + r->pos, r->len - r->pos, r->name, line)
                              : encode_one_line(R, r->buf + r->pos, r->len - r->pos, r->name, line);
            r->pos = r->len;
            break;
        }
        /* answer what is done before waiting for more input */
        out_flush_keep(R->o);
    }
    return rc;
}

/* The special tokens the post-processor puts before and after one text
 * (from the encoding of a one-letter text), for streaming a text whose
 * pieces are encoded without them. */
typedef struct frame {
    int32_t pre[8], post[8];
    int npre, npost;
    bool ok;
} frame;

static frame special_frame(tok_ctx *ctx, const tok_encode_options *opt)
{
    frame f = { .ok = true };
    if (!(opt->flags & TOK_ENC_ADD_SPECIAL)) return f;
    tok_encoding e;
    if (tok_encode(ctx, "a", 1, opt, &e)) {
        f.ok = false;
        return f;
    }
    size_t first = e.n, last = e.n;
    for (size_t i = 0; i < e.n; i++)
        if (!e.special[i]) {
            if (first == e.n) first = i;
            last = i;
        }
    if (first == e.n || first > 8 || e.n - last - 1 > 8) {
        f.ok = false;
        return f;
    }
    for (size_t i = 0; i < first; i++) f.pre[f.npre++] = e.ids[i];
    for (size_t i = last + 1; i < e.n; i++) f.post[f.npost++] = e.ids[i];
    return f;
}

/* What stream_whole has printed or, for JSON, kept. */
typedef struct sink {
    run *R;
    size_t n;             /* tokens so far */
    int32_t *ids;         /* JSON: the whole encoding, printed at the end */
    tok_offset *off;
    size_t cap;
} sink;

static int sink_put(sink *k, const int32_t *ids, const tok_offset *off, size_t n, unsigned long long base)
{
    run *R = k->R;
    if (R->fmt == FMT_JSON || R->fmt == FMT_JSON_FULL) {
        if (k->n + n > k->cap) {
            size_t cap = k->cap ? k->cap : 1024;
            while (cap < k->n + n) cap *= 2;
            int32_t *ni = realloc(k->ids, cap * sizeof *ni);
            if (ni) k->ids = ni;
            tok_offset *no = realloc(k->off, cap * sizeof *no);
            if (no) k->off = no;
            if (!ni || !no) {
                fprintf(stderr, "tok: out of memory\n");
                return -1;
            }
            k->cap = cap;
        }
        for (size_t i = 0; i < n; i++) {
            k->ids[k->n + i] = ids[i];
            k->off[k->n + i] = off ? (tok_offset){ (uint32_t)(off[i].start + base), (uint32_t)(off[i].end + base) }
                                   : (tok_offset){ 0, 0 };
        }
    } else if (R->fmt == FMT_IDS) {
        for (size_t i = 0; i < n; i++) {
            if (k->n + i) out_char(R->o, ' ');
            out_int(R->o, ids[i]);
        }
    } else if (R->fmt == FMT_TOKENS) {
        for (size_t i = 0; i < n; i++) {
            size_t l;
            const char *s = tok_token_text(R->t, ids[i], &l);
            if (k->n + i) out_char(R->o, ' ');
            out_escaped(R->o, s, l, true);
        }
    }
    k->n += n;
    return 0;
}

/* One whole input as one text, encoded piece by piece as it streams in. */
static int stream_whole(run *R, reader *r)
{
    frame fr = special_frame(R->ctx, R->opt);
    if (!fr.ok) {
        /* a post-processor that is not a prefix/suffix frame: read it whole */
        while (!r->eof && !reader_fill(r)) {}
        if (r->err) return EXIT_RUNTIME;
        return encode_one_line(R, r->buf, r->len, r->name, 1);
    }
    tok_encode_options o = *R->opt;
    o.flags &= ~TOK_ENC_ADD_SPECIAL;
    if (R->fmt == FMT_JSON) o.flags |= TOK_ENC_OFFSETS;
    tok_encoder *enc = tok_encoder_new(R->t, &o);
    if (!enc) {
        fprintf(stderr, "tok: out of memory\n");
        return EXIT_RUNTIME;
    }
    sink k = { .R = R };
    int rc = sink_put(&k, fr.pre, NULL, (size_t)fr.npre, 0) ? EXIT_RUNTIME : EXIT_OK;
    while (rc == EXIT_OK) {
        if (reader_fill(r)) { rc = EXIT_RUNTIME; break; }
        bool last = r->eof;
        tok_encoding e;
        if (r->len) {
            tok_status st = tok_encoder_push(enc, r->buf, r->len, &e);
            r->len = r->pos = 0;
            if (st) {
                fprintf(stderr, "tok: %s: %s\n", r->name, tok_encoder_error(enc));
                rc = EXIT_RUNTIME;
                break;
            }
            if (sink_put(&k, e.ids, e.offsets, e.n, tok_encoder_offset(enc))) { rc = EXIT_RUNTIME; break; }
        }
        if (last) {
            if (tok_encoder_finish(enc, &e)) {
                fprintf(stderr, "tok: %s: %s\n", r->name, tok_encoder_error(enc));
                rc = EXIT_RUNTIME;
            } else if (sink_put(&k, e.ids, e.offsets, e.n, tok_encoder_offset(enc))) rc = EXIT_RUNTIME;
            break;
        }
    }
    if (rc == EXIT_OK && sink_put(&k, fr.post, NULL, (size_t)fr.npost, 0)) rc = EXIT_RUNTIME;
    if (rc == EXIT_OK) {
        if (R->fmt == FMT_JSON) {
            tok_encoding all = { .n = k.n, .ids = k.ids, .offsets = k.off };
            out_char(R->o, '{');
            emit_json_fields(R->o, R->t, &all, 0);
            out_str(R->o, "}\n");
        } else if (R->fmt == FMT_COUNT) {
            out_int(R->o, (long long)k.n);
            out_char(R->o, '\n');
        } else {
            out_char(R->o, '\n');
        }
        R->total += k.n;
    }
    free(k.ids);
    free(k.off);
    tok_encoder_free(enc);
    return rc;
}

/* ---- the commands ------------------------------------------------------------- */

/* Does an argument that is not an existing file look like a path (so a
 * typo in a file name is reported, not encoded as text)? */
static bool looks_like_path(const char *a)
{
    if (strchr(a, ' ') || strchr(a, '\n')) return false;
    if (strchr(a, '/')) return true;
    const char *dot = strrchr(a, '.');
    if (!dot || dot == a) return false;
    static const char *const exts[] = { ".txt", ".json", ".jsonl", ".gz", ".zst", ".md", ".csv", ".tsv", ".xml", ".html" };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (!strcmp(dot, exts[i])) return true;
    return false;
}

typedef struct input { const char *arg; bool is_text; } input;

static int encode_main(int argc, char **argv, input *inputs, bool counting);

/* A non-negative decimal count, or -1. */
static long long count_arg(const char *v)
{
    char *end;
    if (!*v || *v == '-') return -1;
    long long x = strtoll(v, &end, 10);
    return *end || x > ((long long)1 << 40) ? -1 : x;
}

static int run_cmd(int argc, char **argv, bool counting)
{
    input *inputs = calloc((size_t)argc + 1, sizeof *inputs);
    if (!inputs) return EXIT_RUNTIME;
    int rc = encode_main(argc, argv, inputs, counting);
    free(inputs);
    return rc;
}

int cmd_encode(int argc, char **argv) { return run_cmd(argc, argv, false); }
int cmd_count(int argc, char **argv) { return run_cmd(argc, argv, true); }

static int encode_main(int argc, char **argv, input *inputs, bool counting)
{
    const char *cmd = counting ? "count" : "encode";
    tok_open to;
    tok_open_init(&to);
    tok_encode_options opt;
    tok_encode_options_init(&opt);
    enum fmt fmt = counting ? FMT_COUNT : FMT_IDS;
    bool lines = false, pairs = false, total = false, opts_done = false, strict = false;
    /* truncation/padding asked on the command line (-1: not given) */
    bool no_trunc = false, no_pad = false, pad_batch = false;
    long long t_max = -1, t_stride = -1, p_to = -1, p_mult = -1, p_id = -1, p_type = -1;
    int t_strategy = -1, t_side = -1, p_side = -1;
    const char *p_token = NULL;
    int threads = 1;
    const char *unigram_from = NULL, *scores_path = NULL, *save_scores = NULL, *pair = NULL, *jsonl = NULL;
    int em_iters = 3;
    size_t nin = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (opts_done || a[0] != '-' || !a[1]) {
            struct stat st;
            bool file = !strcmp(a, "-") || !stat(a, &st);
            if (!file && looks_like_path(a)) {
                fprintf(stderr, "tok %s: %s: no such file (use --text to encode it as text)\n", cmd, a);
                return EXIT_RUNTIME;
            }
            inputs[nin++] = (input){ a, !file };
            continue;
        }
        if (!strcmp(a, "--")) { opts_done = true; continue; }
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error(cmd, "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(counting ? count_help : encode_help, stdout); return EXIT_OK; }
        else if (!strcmp(a, "--lines")) lines = true;
        else if (!strcmp(a, "--pairs")) pairs = true;
        else if (counting && !strcmp(a, "--total")) total = true;
        else if (!strcmp(a, "--strict")) strict = true;
        else if (!strcmp(a, "--no-truncate")) no_trunc = true;
        else if (!strcmp(a, "--no-pad")) no_pad = true;
        else if (!strcmp(a, "--pad")) pad_batch = true;
        else if ((v = opt_value(argc, argv, &i, "--truncate"))) {
            if ((t_max = count_arg(v)) < 0) { usage_error(cmd, "--truncate takes a count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--stride"))) {
            if ((t_stride = count_arg(v)) < 0) { usage_error(cmd, "--stride takes a count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-to"))) {
            if ((p_to = count_arg(v)) <= 0) { usage_error(cmd, "--pad-to takes a positive count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-multiple"))) {
            if ((p_mult = count_arg(v)) < 0) { usage_error(cmd, "--pad-multiple takes a count"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-id"))) {
            if ((p_id = count_arg(v)) < 0 || p_id > INT32_MAX) { usage_error(cmd, "--pad-id takes a token id"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-type-id"))) {
            if ((p_type = count_arg(v)) < 0 || p_type > 255) { usage_error(cmd, "--pad-type-id takes 0..255"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--pad-token"))) {
            p_token = v;
        } else if ((v = opt_value(argc, argv, &i, "--truncation-strategy"))) {
            if (!strcmp(v, "longest-first")) t_strategy = TOK_TRUNC_LONGEST_FIRST;
            else if (!strcmp(v, "only-first")) t_strategy = TOK_TRUNC_ONLY_FIRST;
            else if (!strcmp(v, "only-second")) t_strategy = TOK_TRUNC_ONLY_SECOND;
            else { usage_error(cmd, "--truncation-strategy takes longest-first, only-first or only-second"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--truncation-side")) || (v = opt_value(argc, argv, &i, "--pad-side"))) {
            int sd = !strcmp(v, "right") ? TOK_SIDE_RIGHT : !strcmp(v, "left") ? TOK_SIDE_LEFT : -1;
            if (sd < 0) { usage_error(cmd, "%s takes right or left", a); return EXIT_USAGE; }
            if (!strncmp(a, "--pad-side", 10)) p_side = sd;
            else t_side = sd;
        }
        else if (!strcmp(a, "--no-special")) opt.flags &= ~TOK_ENC_ADD_SPECIAL;
        else if ((v = opt_value(argc, argv, &i, "--text"))) inputs[nin++] = (input){ v, true };
        else if ((v = opt_value(argc, argv, &i, "--pair"))) pair = v;
        else if ((v = opt_value(argc, argv, &i, "--jsonl"))) jsonl = v;
        else if (!counting && (v = opt_value(argc, argv, &i, "--format"))) {
            if (!strcmp(v, "ids")) fmt = FMT_IDS;
            else if (!strcmp(v, "tokens")) fmt = FMT_TOKENS;
            else if (!strcmp(v, "json") || !strcmp(v, "jsonl")) fmt = FMT_JSON;
            else if (!strcmp(v, "json-full")) fmt = FMT_JSON_FULL;
            else { usage_error(cmd, "unknown format '%s' (ids, tokens, json, jsonl, json-full)", v); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--special-text"))) {
            if (!strcmp(v, "match")) opt.flags |= TOK_ENC_SPECIAL_TEXT;
            else if (!strcmp(v, "plain")) opt.flags |= TOK_ENC_NO_SPECIAL_TEXT;
            else { usage_error(cmd, "--special-text takes match or plain"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--invalid"))) {
            if (!strcmp(v, "replace")) opt.flags |= TOK_ENC_LOSSY;
            else if (strcmp(v, "error")) { usage_error(cmd, "--invalid takes error or replace"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--threads"))) {
            threads = atoi(v);
            if (threads < 1 || threads > 256) { usage_error(cmd, "--threads takes 1..256"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--method"))) {
            int m = tok_method_from_name(v);
            if (m < 0) { usage_error(cmd, "unknown method '%s'", v); return EXIT_USAGE; }
            opt.method = (tok_method)m;
        } else if ((v = opt_value(argc, argv, &i, "--dropout"))) {
            char *end;
            opt.dropout = strtof(v, &end);
            if (*end || opt.dropout < 0 || opt.dropout > 1) { usage_error(cmd, "--dropout takes 0..1"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--alpha"))) {
            char *end;
            opt.alpha = strtof(v, &end);
            if (*end) { usage_error(cmd, "--alpha takes a number"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--nbest"))) {
            opt.nbest = atoi(v);
        } else if ((v = opt_value(argc, argv, &i, "--seed"))) {
            char *end;
            opt.seed = strtoull(v, &end, 10);
            if (*end) { usage_error(cmd, "--seed takes an integer"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--tie"))) {
            if (!strcmp(v, "longest")) opt.tie = TOK_TIE_LONGEST;
            else if (!strcmp(v, "random")) opt.tie = TOK_TIE_RANDOM;
            else { usage_error(cmd, "--tie takes longest or random"); return EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--unigram-from"))) {
            unigram_from = v;
        } else if ((v = opt_value(argc, argv, &i, "--scores"))) {
            scores_path = v;
        } else if ((v = opt_value(argc, argv, &i, "--save-scores"))) {
            save_scores = v;
        } else if ((v = opt_value(argc, argv, &i, "--em-iters"))) {
            em_iters = atoi(v);
            if (em_iters < 1 || em_iters > 100) { usage_error(cmd, "--em-iters takes 1..100"); return EXIT_USAGE; }
        } else {
            usage_error(cmd, "unknown option %s", a);
            return EXIT_USAGE;
        }
    }
    if (pairs && !lines) { usage_error(cmd, "--pairs goes with --lines"); return EXIT_USAGE; }
    if (pair && pairs) { usage_error(cmd, "--pair and --pairs exclude each other"); return EXIT_USAGE; }
    if (jsonl && (lines || pair || pairs)) { usage_error(cmd, "--jsonl reads lines itself: no --lines, --pair or --pairs"); return EXIT_USAGE; }
    if (nin == 0) inputs[nin++] = (input){ "-", false };
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
        if (serr.message[0]) fprintf(stderr, "tok %s: %s\n", cmd, serr.message);
        tok_free(t);
        return rc;
    }
    opt.scores = scores;
    if (fmt == FMT_COUNT) opt.flags &= ~TOK_ENC_OFFSETS; /* the ids-only path */

    outbuf o;
    out_init(&o, stdout);
    run R = { .t = t, .ctx = tok_ctx_new(t), .batch = tok_batch_new(t), .opt = &opt, .fmt = fmt,
              .threads = threads, .pair = pair, .pairs = pairs, .jsonl = jsonl, .o = &o };
    if (!R.ctx || !R.batch) { fprintf(stderr, "tok: out of memory\n"); rc = EXIT_RUNTIME; }
    /* the file's truncation and padding, changed by the options */
    tok_truncation tr;
    tok_padding pd;
    tok_truncation_init(&tr);
    tok_padding_init(&pd);
    tok_get_truncation(t, &tr);
    tok_get_padding(t, &pd);
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
    if (rc == EXIT_OK && (tok_ctx_set_truncation(R.ctx, &tr) || tok_ctx_set_padding(R.ctx, &pd))) {
        fprintf(stderr, "tok %s: %s\n", cmd, tok_ctx_error(R.ctx));
        rc = EXIT_RUNTIME;
    }
    R.strict = strict;
    R.whole = tr.enabled || pd.enabled || fmt == FMT_JSON_FULL;
    bool batch_longest = pd.enabled && pd.length == 0 && (lines || jsonl) && !jsonl;
    for (size_t f = 0; f < nin && rc == EXIT_OK; f++) {
        if (inputs[f].is_text) {
            const char *s = inputs[f].arg;
            if (lines || jsonl) {
                /* inline text with --lines: its lines */
                size_t line = 1;
                for (const char *p = s;; line++) {
                    const char *nl = strchr(p, '\n');
                    size_t n = nl ? (size_t)(nl - p) : strlen(p);
                    rc = jsonl ? encode_jsonl_line(&R, p, n, "text", line) : encode_one_line(&R, p, n, "text", line);
                    if (rc || !nl) break;
                    p = nl + 1;
                }
            } else {
                rc = encode_one_line(&R, s, strlen(s), "text", 1);
            }
            continue;
        }
        reader r;
        if (reader_open(&r, inputs[f].arg)) { rc = EXIT_RUNTIME; break; }
        if (batch_longest) {
            /* padding to the longest line: the input whole, two passes */
            while (!r.eof && !reader_fill(&r)) {}
            if (r.err) rc = EXIT_RUNTIME;
            else rc = lines_padded(&R, r.buf, r.len, r.name, &pd);
        } else if (lines || jsonl) {
            rc = stream_lines(&R, &r);
        } else if (threads > 1 || pair || R.whole) {
            /* one text on several threads (or a pair) needs it whole */
            while (!r.eof && !reader_fill(&r)) {}
            if (r.err) rc = EXIT_RUNTIME;
            else if (pair || R.whole) rc = encode_one_line(&R, r.buf, r.len, r.name, 1);
            else {
                out_flush_keep(&o);
                const char *tx = r.buf;
                rc = encode_texts(t, &opt, fmt, &tx, &r.len, 1, threads, r.name, &R.total);
            }
        } else {
            rc = stream_whole(&R, &r);
        }
        reader_close(&r);
    }
    if (R.dropped)
        fprintf(stderr, "tok %s: warning: %zu bytes in %zu text%s (the first: %s:%zu) have no token in this model, "
                "which has no unknown token, and were left out as HF leaves them out (--strict: fail)\n",
                cmd, R.dropped, R.dropped_texts, R.dropped_texts == 1 ? "" : "s", R.first_where, R.first_dropped);
    if (rc == EXIT_OK && total) {
        out_str(&o, "total ");
        out_int(&o, (long long)R.total);
        out_char(&o, '\n');
    }
    if (out_flush(&o)) rc = EXIT_RUNTIME;
    tok_batch_free(R.batch);
    free(R.ids.v);
    tok_ctx_free(R.ctx);
    tok_scores_free(scores);
    tok_free(t);
    return rc;
}
