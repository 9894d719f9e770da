/*
 * libtok corpora — streaming readers for text corpora (module above the core).
 *
 * A tok_corpus reads one input — a file, a directory (its regular files,
 * recursively, in name order, hidden ones skipped) or stdin ("-") — and hands
 * out text units one at a time, each with its language tag, file name and
 * line number.  Memory is bounded by the largest unit (max_unit), never by
 * the size of the input: multi-GB corpora stream through a fixed buffer.
 *
 * Formats, recognised by content (magic bytes), not by name:
 *   - plain UTF-8 text;
 *   - gzip (zlib) and zstd compressed text, decompressed on the fly;
 *   - JSON lines (opt.json_field set): each line is a JSON object whose
 *     string member json_field is one unit (a document);
 *   - TSV of aligned columns (opt.tsv): the first line names the language of
 *     each column; each further line gives one unit per column, in column
 *     order, all with the same line number.
 * Units: TOK_UNIT_LINE (each line, without its line break), TOK_UNIT_PARAGRAPH
 * (runs of non-blank lines, joined by "\n") or TOK_UNIT_FILE (the whole file
 * as one text, as written).  JSONL and TSV always give one unit per record.
 * Parallel corpora as one file per language (<code>.txt aligned by line) are
 * one tok_corpus per file; the language tag is the file name up to its first
 * dot unless opt.lang is given.
 *
 * Errors (strict mode, the default): invalid UTF-8, a truncated .gz/.zst, a
 * JSONL line that is not JSON or lacks the field, a unit longer than
 * max_unit, an input with no text (an empty language) — tok_corpus_next
 * returns the status and tok_corpus_error() names the file, the line and (for
 * UTF-8) the byte column.  Lenient mode (opt.lenient) skips the bad unit,
 * counts the skip by reason (tok_corpus_stats) and goes on; a truncated
 * compressed stream ends the file (counted).  Nothing is dropped silently.
 *
 * Threads: a tok_corpus belongs to one thread at a time; different corpora
 * are independent.  No global state.
 */
#ifndef TOK_CORPORA_H
#define TOK_CORPORA_H

#include <libtok/tok.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tok_unit {
    TOK_UNIT_LINE = 0,  /* one unit per line */
    TOK_UNIT_PARAGRAPH, /* blank-line separated paragraphs */
    TOK_UNIT_FILE       /* the whole file as one text */
} tok_unit;

typedef struct tok_corpus_options {
    size_t size;            /* sizeof(tok_corpus_options), set by _init */
    tok_unit unit;          /* TOK_UNIT_LINE */
    const char *json_field; /* non-NULL: JSON lines, this member is the text */
    bool tsv;               /* TSV of aligned language columns with a header */
    bool lenient;           /* skip and count bad units instead of failing */
    bool keep_empty;        /* also hand out empty lines (default: skipped, counted) */
    const char *lang;       /* language tag for every unit (default: from the file name) */
    size_t max_unit;        /* largest unit in bytes (default 256 MiB) */
} tok_corpus_options;

/** Defaults: lines, plain/compressed text, strict, tag from the file name. */
TOK_API void tok_corpus_options_init(tok_corpus_options *opt);

typedef struct tok_corpus tok_corpus;

/** One unit.  Pointers are valid until the next tok_corpus_next / _free. */
typedef struct tok_text {
    const char *text;  /* valid UTF-8 (checked), not NUL-terminated */
    size_t len;
    const char *lang;  /* language tag, never empty */
    const char *file;  /* file it came from ("-" for stdin) */
    uint64_t line;     /* 1-based line where the unit starts */
    uint32_t column;   /* TSV column (0-based); 0 otherwise */
} tok_text;

/** Skips and totals so far. */
typedef struct tok_corpus_stats {
    uint64_t units, bytes;     /* units handed out and their bytes */
    uint64_t input_bytes;      /* bytes read from the inputs (compressed size) */
    uint64_t files;            /* files opened */
    uint64_t empty;            /* empty lines/records skipped (not an error) */
    uint64_t bad_utf8, bad_json, missing_field, too_long, truncated, empty_inputs;
} tok_corpus_stats;

/**
 * Open a file, a directory or "-" (stdin).  opt may be NULL.  Nothing is read
 * yet beyond listing a directory.  NULL on error with *err naming the path.
 */
TOK_API tok_corpus *tok_corpus_open(const char *path, const tok_corpus_options *opt, tok_error *err);
TOK_API void tok_corpus_free(tok_corpus *c);

/**
 * Next unit into *out.  Returns TOK_OK with out->text set, TOK_OK with
 * out->text == NULL at the end, or an error (TOK_ERR_UTF8, TOK_ERR_FORMAT,
 * TOK_ERR_IO, TOK_ERR_LIMIT, TOK_ERR_NOMEM) described by tok_corpus_error().
 * After an error the corpus is finished.
 */
TOK_API tok_status tok_corpus_next(tok_corpus *c, tok_text *out);

/** Message of the last error ("file:line: ..."), "" if none. */
TOK_API const char *tok_corpus_error(const tok_corpus *c);
TOK_API const tok_corpus_stats *tok_corpus_get_stats(const tok_corpus *c);
/** One line of plain words describing the lenient skips, "" if none. */
TOK_API const char *tok_corpus_skips(const tok_corpus *c, char *buf, size_t cap);

/** Language tag of a path: its base name up to the first dot ("de.txt" -> "de"). */
TOK_API void tok_corpus_lang_of(const char *path, char *buf, size_t cap);

/* (tok_utf8_valid_prefix, which the readers check units with, is in tok.h) */

/* ---- progress line ------------------------------------------------------ */

/** A progress line on stderr, drawn only when stderr is a terminal, at most
 *  a few times a second.  Fill with tok_progress_init; no allocation. */
typedef struct tok_progress {
    const char *label;
    uint64_t total;     /* expected total (bytes), 0 if unknown */
    double started, last;
    bool tty, drawn;
} tok_progress;

TOK_API void tok_progress_init(tok_progress *p, const char *label, uint64_t total);
/** Report `done` (bytes) so far; cheap when nothing is drawn. */
TOK_API void tok_progress_update(tok_progress *p, uint64_t done);
/** Clear the line. */
TOK_API void tok_progress_done(tok_progress *p);

#ifdef __cplusplus
}
#endif
#endif
