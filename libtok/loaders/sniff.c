/*
 * Telling a tokenizer file's format from its name and first bytes
 * (TOK_FORMAT_AUTO), and refusing what is not a tokenizer file with a
 * message that says what it looks like: a README, a model's weights, an
 * image or an archive must not load as a one-line vocab.txt.  A GGUF model
 * file is read for its vocabulary (loaders/gguf.c).
 *
 * The name decides among the formats (as before), but only when the content
 * agrees; without a telling name the content decides.  vocab.txt has no
 * magic, so it must look like one: valid UTF-8 without NULs, one token a
 * line, hardly any line with a space.
 */
#include "../internal.h"

#include <stdio.h>

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static bool starts(const uint8_t *d, size_t n, const char *magic, size_t k)
{
    return n >= k && !memcmp(d, magic, k);
}

/* Files that are certainly something else, by magic number. */
static const char *foreign(const uint8_t *d, size_t n)
{
    if (starts(d, n, "\x89PNG\r\n\x1a\n", 8)) return "a PNG image";
    if (starts(d, n, "\xFF\xD8\xFF", 3)) return "a JPEG image";
    if (starts(d, n, "GIF87a", 6) || starts(d, n, "GIF89a", 6)) return "a GIF image";
    if (starts(d, n, "RIFF", 4) && n >= 12 && !memcmp(d + 8, "WEBP", 4)) return "a WebP image";
    if (starts(d, n, "%PDF-", 5)) return "a PDF document";
    if (starts(d, n, "PK\x03\x04", 4) || starts(d, n, "PK\x05\x06", 4)) return "a zip archive (a PyTorch checkpoint?)";
    if (starts(d, n, "\x1F\x8B", 2)) return "gzip-compressed data";
    if (starts(d, n, "BZh", 3)) return "bzip2-compressed data";
    if (starts(d, n, "\xFD" "7zXZ", 5)) return "xz-compressed data";
    if (starts(d, n, "\x7F" "ELF", 4)) return "an ELF executable or library";
    if (starts(d, n, "\x80\x02", 2) || starts(d, n, "\x80\x04", 2)) return "a Python pickle";
    if (starts(d, n, "\x93NUMPY", 6)) return "a NumPy array";
    if (n >= 10 && d[8] == '{' && d[9] == '"') {
        /* safetensors: u64 header length, then a JSON header */
        uint64_t hl = 0;
        for (int i = 7; i >= 0; i--) hl = hl << 8 | d[i];
        if (hl > 2 && hl <= n - 8) return "safetensors weights";
    }
    return NULL;
}

/* How the bytes look, for a message: text, or binary with its first bytes. */
static void describe(const uint8_t *d, size_t n, char *why, size_t cap)
{
    size_t k = n < 4096 ? n : 4096, bad = 0;
    for (size_t i = 0; i < k; i++)
        if (d[i] == 0 || (d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t')) bad++;
    if (n == 0) snprintf(why, cap, "an empty file");
    else if (bad * 20 > k && k >= 64) /* small files get the vocab.txt reader's precise reason */
        snprintf(why, cap, "binary data (first bytes %02X %02X %02X %02X)", d[0], n > 1 ? d[1] : 0, n > 2 ? d[2] : 0,
                 n > 3 ? d[3] : 0);
    else snprintf(why, cap, "text");
}

/* vocab.txt: UTF-8, no NUL, one token a line (a few lines with spaces are
 * tolerated: some vocabularies hold a " " token).  Else why says what spoils it. */
static bool vocab_txt_like(const uint8_t *d, size_t n, char *why, size_t cap)
{
    size_t lines = 0, spaced = 0, first_spaced = 0, i = 0, line = 1;
    while (i < n) {
        size_t e = i;
        while (e < n && d[e] != '\n') e++;
        size_t end = e > i && d[e - 1] == '\r' ? e - 1 : e;
        for (size_t k = i; k < end; k++) {
            if (d[k] == 0) {
                snprintf(why, cap, "binary data (a NUL byte at line %zu), not a vocab.txt", line);
                return false;
            }
        }
        size_t bad = tok_utf8_check(d + i, end - i);
        if (bad != end - i) {
            snprintf(why, cap, "not a vocab.txt: line %zu is not valid UTF-8 (byte %zu)", line, i + bad);
            return false;
        }
        bool inner = false;
        for (size_t k = i + 1; k + 1 < end && !inner; k++) inner = d[k] == ' ' || d[k] == '\t';
        if (end - i > 1024) {
            snprintf(why, cap, "not a vocab.txt: line %zu is %zu bytes long", line, end - i);
            return false;
        }
        if (inner && !spaced++) first_spaced = line;
        lines++;
        i = e + 1;
        line++;
    }
    if (lines == 0) {
        snprintf(why, cap, "an empty file");
        return false;
    }
    if (spaced * 20 > lines) {
        snprintf(why, cap, "text (a README?), not a tokenizer: as a vocab.txt, %zu of its %zu lines would hold "
                 "spaces (the first is line %zu)", spaced, lines,
                 first_spaced);
        return false;
    }
    return true;
}

static bool tiktoken_like(const uint8_t *d, size_t n)
{
    size_t j = 0;
    while (j < n && d[j] != ' ' && d[j] != '\n') j++;
    return j > 0 && j < n && d[j] == ' ' && j + 1 < n && d[j + 1] >= '0' && d[j + 1] <= '9';
}

/* ModelProto: field 1 (pieces, length-delimited) whose payload starts with
 * field 1 (the piece text, length-delimited). */
static bool spm_like(const uint8_t *d, size_t n)
{
    if (n < 3 || d[0] != 0x0A) return false;
    size_t i = 1;
    uint64_t len = 0;
    for (int s = 0; i < n && s < 64; s += 7) {
        len |= (uint64_t)(d[i] & 0x7F) << s;
        if (!(d[i++] & 0x80)) break;
    }
    return i < n && len <= n - i && d[i] == 0x0A;
}

static bool json_like(const uint8_t *d, size_t n)
{
    size_t i = starts(d, n, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t')) i++;
    return i < n && d[i] == '{';
}

tok_format tok__sniff_format(const uint8_t *d, size_t n, const char *name, tok_status *code, char *why, size_t cap)
{
    *code = TOK_ERR_FORMAT;
    if (starts(d, n, "GGUF", 4)) return TOK_FORMAT_GGUF; /* its vocabulary, from the metadata */
    if (starts(d, n, "TOKPACK", 7)) return TOK_FORMAT_TOKPACK; /* format 3 is not compressed */
    const char *what = foreign(d, n);
    if (what) {
        snprintf(why, cap, "%s, not a tokenizer", what);
        return TOK_FORMAT_AUTO;
    }
    bool zstd = starts(d, n, "\x28\xB5\x2F\xFD", 4);
    const char *b = name ? strrchr(name, '/') : NULL;
    b = b ? b + 1 : name;
    if (b) {
        /* the name, where the content does not contradict it */
        if (ends_with(b, ".tiktoken") && !zstd && !json_like(d, n)) return TOK_FORMAT_TIKTOKEN;
        if (ends_with(b, ".model") && spm_like(d, n)) return TOK_FORMAT_SPM;
        if (ends_with(b, ".tokpack")) return TOK_FORMAT_TOKPACK;
        if (ends_with(b, ".gguf")) return TOK_FORMAT_GGUF; /* its loader says what is wrong */
        if (!strcmp(b, "vocab.json") && json_like(d, n)) return TOK_FORMAT_GPT2;
        if (ends_with(b, ".json") && json_like(d, n)) return TOK_FORMAT_HF_JSON;
    }
    if (json_like(d, n)) return TOK_FORMAT_HF_JSON;
    if (zstd) return TOK_FORMAT_TOKPACK;
    if (spm_like(d, n)) return TOK_FORMAT_SPM;
    if (tiktoken_like(d, n)) return TOK_FORMAT_TIKTOKEN;
    if (vocab_txt_like(d, n, why, cap)) return TOK_FORMAT_BERT_VOCAB;
    char looks[128];
    describe(d, n, looks, sizeof looks);
    if (strncmp(looks, "text", 4)) snprintf(why, cap, "%s, not a tokenizer", looks);
    return TOK_FORMAT_AUTO;
}
