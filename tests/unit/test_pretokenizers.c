/*
 * Pre-tokenizers: exact pieces (bytes and original byte ranges) for hard
 * inputs -- CRLF, lone CR, space runs, Unicode spaces (U+00A0, U+3000,
 * U+0085, U+2028, U+180E), upper-case contractions, digit runs, emoji,
 * combining marks, characters new in Unicode 15/16 -- with the expected
 * values taken from the HF tokenizers Node binding (0.23,
 * PreTokenizer.preTokenizeString, char offsets turned into byte offsets and
 * byte-level characters into bytes).  Then added tokens (ByteLevel prefix and
 * Metaspace "first"), JSON errors, to_json round trips and the Oniguruma to
 * PCRE2 translation.
 */
#include "testutil.h"

#include "libtok/internal.h"
#include "libtok/pretokenizers/pretok.h"

struct exp_piece {
    const char *s;
    uint32_t len, start, end;
};

struct pt_case {
    const char *name;
    const char *pre; /* pre_tokenizer JSON */
    const char *text;
    size_t text_len;
    const struct exp_piece *exp;
    size_t n;
};

/* Generated from the HF binding; see the file comment. */
static const struct exp_piece E_llama3_split_bytelevel[] = {
    { "Hi", 2, 0, 2 },
    { " ", 1, 2, 3 },
    { " there", 6, 3, 9 },
    { ",\015\012", 3, 9, 12 },
    { "world", 5, 12, 17 },
    { "\015", 1, 17, 18 },
    { "next", 4, 18, 22 },
    { "\012\012", 2, 22, 24 },
    { "  \011", 3, 24, 27 },
    { " x", 2, 27, 29 },
    { " ", 1, 29, 30 },
    { " I", 2, 30, 32 },
    { "'M", 2, 32, 34 },
    { " '", 2, 34, 36 },
    { "S", 1, 36, 37 },
    { " '", 2, 37, 39 },
    { "LL", 2, 39, 41 },
    { " don", 4, 41, 45 },
    { "'t", 2, 45, 47 },
    { " ", 1, 47, 48 },
    { "123", 3, 48, 51 },
    { "456", 3, 51, 54 },
    { "78", 2, 54, 56 },
    { " a", 2, 56, 58 },
    { "\302\240b", 3, 58, 61 },
    { "\343\200\200c", 4, 61, 65 },
    { "\302\205d", 3, 65, 68 },
    { "\342\200\250e", 4, 68, 72 },
    { " \360\237\230\200\360\237\221\215\360\237\217\275!", 14, 72, 86 },
    { " e", 2, 86, 88 },
    { "\314\201", 2, 88, 90 },
    { " caf\303\251", 6, 90, 96 },
    { "  ", 2, 96, 98 },
    { " end", 4, 98, 102 },
    { "  ", 2, 102, 104 },
};
static const struct exp_piece E_o200k_split_removed_invert[] = {
    { "Hi", 2, 0, 2 },
    { " ", 1, 2, 3 },
    { " there", 6, 3, 9 },
    { ",\015\012", 3, 9, 12 },
    { "world", 5, 12, 17 },
    { "\015", 1, 17, 18 },
    { "next", 4, 18, 22 },
    { "\012\012", 2, 22, 24 },
    { "  \011", 3, 24, 27 },
    { " x", 2, 27, 29 },
    { " ", 1, 29, 30 },
    { " I'M", 4, 30, 34 },
    { " '", 2, 34, 36 },
    { "S", 1, 36, 37 },
    { " '", 2, 37, 39 },
    { "LL", 2, 39, 41 },
    { " don't", 6, 41, 47 },
    { " ", 1, 47, 48 },
    { "123", 3, 48, 51 },
    { "456", 3, 51, 54 },
    { "78", 2, 54, 56 },
    { " a", 2, 56, 58 },
    { "\302\240b", 3, 58, 61 },
    { "\343\200\200c", 4, 61, 65 },
    { "\302\205d", 3, 65, 68 },
    { "\342\200\250e", 4, 68, 72 },
    { " \360\237\230\200\360\237\221\215\360\237\217\275!", 14, 72, 86 },
    { " e\314\201", 4, 86, 90 },
    { " caf\303\251", 6, 90, 96 },
    { "  ", 2, 96, 98 },
    { " end", 4, 98, 102 },
    { "  ", 2, 102, 104 },
};
static const struct exp_piece E_gpt2_bytelevel_prefix[] = {
    { " Hi", 3, 0, 2 },
    { " ", 1, 2, 3 },
    { " there", 6, 3, 9 },
    { ",", 1, 9, 10 },
    { "\015", 1, 10, 11 },
    { "\012", 1, 11, 12 },
    { "world", 5, 12, 17 },
    { "\015", 1, 17, 18 },
    { "next", 4, 18, 22 },
    { "\012\012  \011", 5, 22, 27 },
    { " x", 2, 27, 29 },
    { " ", 1, 29, 30 },
    { " I", 2, 30, 32 },
    { "'", 1, 32, 33 },
    { "M", 1, 33, 34 },
    { " '", 2, 34, 36 },
    { "S", 1, 36, 37 },
    { " '", 2, 37, 39 },
    { "LL", 2, 39, 41 },
    { " don", 4, 41, 45 },
    { "'t", 2, 45, 47 },
    { " 12345678", 9, 47, 56 },
    { " a", 2, 56, 58 },
    { "\302\240", 2, 58, 60 },
    { "b", 1, 60, 61 },
    { "\343\200\200", 3, 61, 64 },
    { "c", 1, 64, 65 },
    { "\302\205", 2, 65, 67 },
    { "d", 1, 67, 68 },
    { "\342\200\250", 3, 68, 71 },
    { "e", 1, 71, 72 },
    { " \360\237\230\200\360\237\221\215\360\237\217\275!", 14, 72, 86 },
    { " e", 2, 86, 88 },
    { "\314\201", 2, 88, 90 },
    { " caf\303\251", 6, 90, 96 },
    { "  ", 2, 96, 98 },
    { " end", 4, 98, 102 },
    { "  ", 2, 102, 104 },
};
static const struct exp_piece E_gpt2_bytelevel_prefix_on_space[] = {
    { " hello", 6, 0, 6 },
    { " ", 1, 6, 7 },
    { " world", 6, 7, 13 },
};
static const struct exp_piece E_bytelevel_no_regex[] = {
    { " h\303\251llo w", 9, 0, 8 },
};
static const struct exp_piece E_metaspace_always[] = {
    { "\342\226\201Hey", 6, 0, 3 },
    { "\342\226\201", 3, 3, 4 },
    { "\342\226\201friend!", 10, 4, 12 },
    { "\342\226\201\302\240x\012", 7, 12, 17 },
    { "\342\226\201y", 4, 17, 19 },
    { "\342\226\201", 3, 19, 20 },
};
static const struct exp_piece E_metaspace_first_nosplit[] = {
    { "\342\226\201Hey\342\226\201\342\226\201friend", 18, 0, 11 },
};
static const struct exp_piece E_metaspace_never[] = {
    { "_a", 2, 0, 2 },
    { "_b", 2, 2, 4 },
    { "_c", 2, 4, 6 },
    { "_", 1, 6, 7 },
    { "_d", 2, 7, 9 },
};
static const struct exp_piece E_whitespace[] = {
    { "Hello", 5, 0, 5 },
    { ",", 1, 5, 6 },
    { "y", 1, 7, 8 },
    { "'", 1, 8, 9 },
    { "all", 3, 9, 12 },
    { "!", 1, 12, 13 },
    { "caf\303\251\314\201", 7, 15, 22 },
    { "x", 1, 23, 24 },
    { "\302\262", 2, 24, 26 },
    { "_under__score", 13, 27, 40 },
    { "12", 2, 41, 43 },
    { ".", 1, 43, 44 },
    { "5", 1, 44, 45 },
    { "\346\227\245\346\234\254", 6, 48, 54 },
};
static const struct exp_piece E_whitespace_split[] = {
    { "a", 1, 1, 2 },
    { "b", 1, 4, 5 },
    { "c", 1, 8, 9 },
    { "d", 1, 11, 12 },
    { "e\341\240\216f\342\200\213g", 9, 15, 24 },
};
static const struct exp_piece E_bert[] = {
    { "Hello", 5, 0, 5 },
    { ",", 1, 5, 6 },
    { "world", 5, 7, 12 },
    { "!", 1, 12, 13 },
    { "!", 1, 13, 14 },
    { "\302\277", 2, 15, 17 },
    { "Qu\303\251", 4, 17, 21 },
    { "\077", 1, 21, 22 },
    { "$", 1, 23, 24 },
    { "5", 1, 24, 25 },
    { "+", 1, 26, 27 },
    { "3", 1, 28, 29 },
    { "=", 1, 30, 31 },
    { "8", 1, 32, 33 },
    { "\343\200\201", 3, 34, 37 },
    { "\346\227\245", 3, 37, 40 },
    { "\343\200\202", 3, 40, 43 },
};
static const struct exp_piece E_digits_runs[] = {
    { "a", 1, 0, 1 },
    { "123", 3, 1, 4 },
    { "b", 1, 4, 5 },
    { "45", 2, 5, 7 },
    { " ", 1, 7, 8 },
    { "\302\275\331\243\331\244", 6, 8, 14 },
    { "x", 1, 14, 15 },
    { "9", 1, 15, 16 },
};
static const struct exp_piece E_digits_individual[] = {
    { "a", 1, 0, 1 },
    { "1", 1, 1, 2 },
    { "2", 1, 2, 3 },
    { "3", 1, 3, 4 },
    { "b", 1, 4, 5 },
    { "4", 1, 5, 6 },
    { "5", 1, 6, 7 },
    { " ", 1, 7, 8 },
    { "\302\275", 2, 8, 10 },
    { "\331\243", 2, 10, 12 },
};
static const struct exp_piece E_punct_isolated[] = {
    { "Hi", 2, 0, 2 },
    { "!", 1, 2, 3 },
    { "!", 1, 3, 4 },
    { "!", 1, 4, 5 },
    { " ", 1, 5, 6 },
    { "(", 1, 6, 7 },
    { "ok", 2, 7, 9 },
    { ")", 1, 9, 10 },
    { ".", 1, 10, 11 },
    { ".", 1, 11, 12 },
    { ".", 1, 12, 13 },
    { " ", 1, 13, 14 },
    { "$", 1, 14, 15 },
    { "x", 1, 15, 16 },
    { "^", 1, 16, 17 },
    { "2", 1, 17, 18 },
};
static const struct exp_piece E_punct_merged_prev[] = {
    { "Hi!", 3, 0, 3 },
    { "!", 1, 3, 4 },
    { "!", 1, 4, 5 },
    { " (", 2, 5, 7 },
    { "ok)", 3, 7, 10 },
    { ".", 1, 10, 11 },
    { ".", 1, 11, 12 },
    { ".", 1, 12, 13 },
    { " $", 2, 13, 15 },
    { "x^", 2, 15, 17 },
    { "2", 1, 17, 18 },
};
static const struct exp_piece E_punct_merged_next[] = {
    { "Hi", 2, 0, 2 },
    { "!", 1, 2, 3 },
    { "!", 1, 3, 4 },
    { "! ", 2, 4, 6 },
    { "(ok", 3, 6, 9 },
    { ")", 1, 9, 10 },
    { ".", 1, 10, 11 },
    { ".", 1, 11, 12 },
    { ". ", 2, 12, 14 },
    { "$x", 2, 14, 16 },
    { "^2", 2, 16, 18 },
};
static const struct exp_piece E_punct_contiguous[] = {
    { "Hi", 2, 0, 2 },
    { "!!!", 3, 2, 5 },
    { " ", 1, 5, 6 },
    { "(", 1, 6, 7 },
    { "ok", 2, 7, 9 },
    { ")...", 4, 9, 13 },
    { " ", 1, 13, 14 },
    { "$", 1, 14, 15 },
    { "x", 1, 15, 16 },
    { "^", 1, 16, 17 },
    { "2", 1, 17, 18 },
};
static const struct exp_piece E_split_string_removed[] = {
    { "the", 3, 0, 3 },
    { "final", 5, 5, 10 },
    { "countdown", 9, 14, 23 },
};
static const struct exp_piece E_split_regex_merged_next[] = {
    { "the", 3, 0, 3 },
    { "-final", 6, 3, 9 },
    { "-", 1, 9, 10 },
    { "-countdown", 10, 10, 20 },
    { "-", 1, 20, 21 },
};
static const struct exp_piece E_split_empty_regex_matches[] = {
    { "b", 1, 0, 1 },
    { "aa", 2, 1, 3 },
    { "b", 1, 3, 4 },
    { "\303\251", 2, 4, 6 },
};
static const struct exp_piece E_split_regex_whitespace_unicode[] = {
    { "a\341\240\216b", 5, 0, 5 },
    { "\302\240\342\200\250", 5, 5, 10 },
    { "c", 1, 10, 11 },
    { "\302\205", 2, 11, 13 },
    { "d", 1, 13, 14 },
};
static const struct exp_piece E_split_regex_case_insensitive[] = {
    { "IT", 2, 0, 2 },
    { "'S", 2, 2, 4 },
    { " HE", 3, 4, 7 },
    { "'LL", 3, 7, 10 },
    { " it", 3, 10, 13 },
    { "'s", 2, 13, 15 },
    { " \305\277", 3, 15, 18 },
    { "'s", 2, 18, 20 },
    { " ", 1, 20, 21 },
    { "'S", 2, 21, 23 },
};
static const struct exp_piece E_split_class_negated_S[] = {
    { "a", 1, 0, 1 },
    { " \011", 2, 1, 3 },
    { "\015\012", 2, 3, 5 },
    { "  ", 2, 5, 7 },
    { "b", 1, 7, 8 },
    { "\343\200\200", 3, 8, 11 },
    { "\012", 1, 11, 12 },
};
static const struct exp_piece E_split_new_unicode_letters[] = {
    { "ab\360\261\215\220\360\256\257\260", 10, 0, 10 },
    { " ", 1, 10, 11 },
    { "\341\262\211x", 4, 11, 15 },
};
static const struct exp_piece E_char_delimiter[] = {
    { "a", 1, 3, 4 },
    { "b", 1, 10, 11 },
};
static const struct exp_piece E_unicode_scripts[] = {
    { "Hello ", 6, 2, 8 },
    { "\344\270\226\347\225\214\343\201\223\343\202\223\343\202\253\343\203\274 ", 19, 8, 27 },
    { "123 ", 4, 27, 31 },
    { "\320\274\320\270\321\200", 6, 31, 37 },
    { "!", 1, 37, 38 },
};
static const struct exp_piece E_fixed_length[] = {
    { "abc", 3, 0, 3 },
    { "d\303\251\360\237\230\200", 7, 3, 10 },
    { "gh", 2, 10, 12 },
};
static const struct exp_piece E_sequence_ws_digits_punct[] = {
    { "ab", 2, 0, 2 },
    { "1", 1, 2, 3 },
    { "2", 1, 3, 4 },
    { ",", 1, 4, 5 },
    { "cd", 2, 6, 8 },
    { "3", 1, 8, 9 },
    { "!", 1, 9, 10 },
};

static const struct pt_case k_cases[] = {
    { "llama3_split_bytelevel",
      "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\077i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]\077\\\\p{L}+|\\\\p{N}{1,3}| \077[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(\077!\\\\S)|\\\\s+\"}, \"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}]}",
      "Hi  there,\015\012world\015next\012\012  \011 x  I'M 'S 'LL don't 12345678 a\302\240b\343\200\200c\302\205d\342\200\250e \360\237\230\200\360\237\221\215\360\237\217\275! e\314\201 caf\303\251   end  ", 104, E_llama3_split_bytelevel, 35 },
    { "o200k_split_removed_invert",
      "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"[^\\\\r\\\\n\\\\p{L}\\\\p{N}]\077[\\\\p{Lu}\\\\p{Lt}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]*[\\\\p{Ll}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]+(\077i:'s|'t|'re|'ve|'m|'ll|'d)\077|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]\077[\\\\p{Lu}\\\\p{Lt}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]+[\\\\p{Ll}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]*(\077i:'s|'t|'re|'ve|'m|'ll|'d)\077|\\\\p{N}{1,3}| \077[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n/]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(\077!\\\\S)|\\\\s+\"}, \"behavior\": \"Removed\", \"invert\": true}, {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}]}",
      "Hi  there,\015\012world\015next\012\012  \011 x  I'M 'S 'LL don't 12345678 a\302\240b\343\200\200c\302\205d\342\200\250e \360\237\230\200\360\237\221\215\360\237\217\275! e\314\201 caf\303\251   end  ", 104, E_o200k_split_removed_invert, 32 },
    { "gpt2_bytelevel_prefix",
      "{\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true}",
      "Hi  there,\015\012world\015next\012\012  \011 x  I'M 'S 'LL don't 12345678 a\302\240b\343\200\200c\302\205d\342\200\250e \360\237\230\200\360\237\221\215\360\237\217\275! e\314\201 caf\303\251   end  ", 104, E_gpt2_bytelevel_prefix, 38 },
    { "gpt2_bytelevel_prefix_on_space",
      "{\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true}",
      " hello  world", 13, E_gpt2_bytelevel_prefix_on_space, 3 },
    { "bytelevel_no_regex",
      "{\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, \"use_regex\": false}",
      "h\303\251llo w", 8, E_bytelevel_no_regex, 1 },
    { "metaspace_always",
      "{\"type\": \"Metaspace\", \"replacement\": \"\342\226\201\", \"prepend_scheme\": \"always\", \"split\": true}",
      "Hey  friend! \302\240x\012 y ", 20, E_metaspace_always, 6 },
    { "metaspace_first_nosplit",
      "{\"type\": \"Metaspace\", \"replacement\": \"\342\226\201\", \"prepend_scheme\": \"first\", \"split\": false}",
      "Hey  friend", 11, E_metaspace_first_nosplit, 1 },
    { "metaspace_never",
      "{\"type\": \"Metaspace\", \"replacement\": \"_\", \"prepend_scheme\": \"never\", \"split\": true}",
      " a b_c  d", 9, E_metaspace_never, 5 },
    { "whitespace",
      "{\"type\": \"Whitespace\"}",
      "Hello, y'all!\302\240caf\303\251\314\201 x\302\262 _under__score 12.5\343\200\200\346\227\245\346\234\254", 54, E_whitespace, 14 },
    { "whitespace_split",
      "{\"type\": \"WhitespaceSplit\"}",
      " a\302\240b\343\200\200c\302\205d\342\200\250e\341\240\216f\342\200\213g  \015\012", 28, E_whitespace_split, 5 },
    { "bert",
      "{\"type\": \"BertPreTokenizer\"}",
      "Hello, world!! \302\277Qu\303\251\077 $5 + 3 = 8 \343\200\201\346\227\245\343\200\202", 43, E_bert, 17 },
    { "digits_runs",
      "{\"type\": \"Digits\", \"individual_digits\": false}",
      "a123b45 \302\275\331\243\331\244x9", 16, E_digits_runs, 8 },
    { "digits_individual",
      "{\"type\": \"Digits\", \"individual_digits\": true}",
      "a123b45 \302\275\331\243", 12, E_digits_individual, 10 },
    { "punct_isolated",
      "{\"type\": \"Punctuation\", \"behavior\": \"Isolated\"}",
      "Hi!!! (ok)... $x^2", 18, E_punct_isolated, 16 },
    { "punct_merged_prev",
      "{\"type\": \"Punctuation\", \"behavior\": \"MergedWithPrevious\"}",
      "Hi!!! (ok)... $x^2", 18, E_punct_merged_prev, 11 },
    { "punct_merged_next",
      "{\"type\": \"Punctuation\", \"behavior\": \"MergedWithNext\"}",
      "Hi!!! (ok)... $x^2", 18, E_punct_merged_next, 11 },
    { "punct_contiguous",
      "{\"type\": \"Punctuation\", \"behavior\": \"Contiguous\"}",
      "Hi!!! (ok)... $x^2", 18, E_punct_contiguous, 11 },
    { "split_string_removed",
      "{\"type\": \"Split\", \"pattern\": {\"String\": \"--\"}, \"behavior\": \"Removed\", \"invert\": false}",
      "the--final----countdown--", 25, E_split_string_removed, 3 },
    { "split_regex_merged_next",
      "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"-\"}, \"behavior\": \"MergedWithNext\", \"invert\": false}",
      "the-final--countdown-", 21, E_split_regex_merged_next, 5 },
    { "split_empty_regex_matches",
      "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"a*\"}, \"behavior\": \"Isolated\", \"invert\": false}",
      "baab\303\251", 6, E_split_empty_regex_matches, 4 },
    { "split_regex_whitespace_unicode",
      "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\s+\"}, \"behavior\": \"Isolated\", \"invert\": false}",
      "a\341\240\216b\302\240\342\200\250c\302\205d", 14, E_split_regex_whitespace_unicode, 5 },
    { "split_regex_case_insensitive",
      "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\077i:'s|'ll)\"}, \"behavior\": \"Isolated\", \"invert\": false}",
      "IT'S HE'LL it's \305\277's 'S", 23, E_split_regex_case_insensitive, 10 },
    { "split_class_negated_S",
      "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"[^\\\\S\\\\r\\\\n]+\"}, \"behavior\": \"Isolated\", \"invert\": false}",
      "a \011\015\012  b\343\200\200\012", 12, E_split_class_negated_S, 7 },
    { "split_new_unicode_letters",
      "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\p{L}+\"}, \"behavior\": \"Isolated\", \"invert\": false}",
      "ab\360\261\215\220\360\256\257\260 \341\262\211x", 15, E_split_new_unicode_letters, 3 },
    { "char_delimiter",
      "{\"type\": \"CharDelimiterSplit\", \"delimiter\": \"\342\226\201\"}",
      "\342\226\201a\342\226\201\342\226\201b\342\226\201", 14, E_char_delimiter, 2 },
    { "unicode_scripts",
      "{\"type\": \"UnicodeScripts\"}",
      "  Hello \344\270\226\347\225\214\343\201\223\343\202\223\343\202\253\343\203\274 123 \320\274\320\270\321\200!", 38, E_unicode_scripts, 5 },
    { "fixed_length",
      "{\"type\": \"FixedLength\", \"length\": 3}",
      "abcd\303\251\360\237\230\200gh", 12, E_fixed_length, 3 },
    { "sequence_ws_digits_punct",
      "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"WhitespaceSplit\"}, {\"type\": \"Digits\", \"individual_digits\": true}, {\"type\": \"Punctuation\"}]}",
      "ab12, cd3!", 10, E_sequence_ws_digits_punct, 7 },
};

static tok_tokenizer *load_pre(const char *pre, const char *added)
{
    char json[8192];
    snprintf(json, sizeof json,
             "{\"version\":\"1.0\",\"added_tokens\":[%s],\"normalizer\":null,\"pre_tokenizer\":%s,"
             "\"post_processor\":null,\"decoder\":null,"
             "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0,\"<s>\":1},\"unk_token\":\"[UNK]\"}}",
             added ? added : "", pre);
    return tu_load_json(json);
}

static void dump(const char *name, const tok_pretoken *v, size_t n)
{
    fprintf(stderr, "%s: got %zu pieces\n", name, n);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "  [%zu] \"", i);
        for (uint32_t k = 0; k < v[i].len; k++) {
            unsigned char c = (unsigned char)v[i].text[k];
            if (c >= 32 && c < 127) fputc(c, stderr);
            else fprintf(stderr, "\\%03o", c);
        }
        fprintf(stderr, "\" %u..%u id %d\n", v[i].offset.start, v[i].offset.end, v[i].id);
    }
}

static void expect_pieces(const char *name, const char *pre, const char *added, const char *text, size_t len,
                          const struct exp_piece *exp, size_t n)
{
    tok_tokenizer *t = load_pre(pre, added);
    tok_ctx *c = tok_ctx_new(t);
    const tok_pretoken *v;
    size_t got;
    tok_status st = tok_pretokenize(c, text, len, 0, &v, &got);
    if (st) fail_msg("%s: %s", name, tok_ctx_error(c));
    bool ok = got == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = v[i].len == exp[i].len && !memcmp(v[i].text, exp[i].s, exp[i].len) &&
             v[i].offset.start == exp[i].start && v[i].offset.end == exp[i].end;
    if (!ok) {
        dump(name, v, got);
        fail_msg("%s: pieces differ from HF", name);
    }
    tok_ctx_free(c);
    tok_free(t);
}

static void hf_pieces(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        const struct pt_case *k = &k_cases[i];
        expect_pieces(k->name, k->pre, NULL, k->text, k->text_len, k->exp, k->n);
    }
}

#define SPECIAL_S "{\"id\":1,\"content\":\"<s>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false," \
                  "\"normalized\":false,\"special\":true}"

/* HF: the prefix space goes on every piece between added tokens (binding:
 * tokens Ġhello [3,8], Ġworld [8,14], Ġx [17,19], Ġy [22,23]). */
static void bytelevel_prefix_per_piece(void **state)
{
    (void)state;
    static const struct exp_piece e[] = {
        { "<s>", 3, 0, 3 }, { " hello", 6, 3, 8 }, { " world", 6, 8, 14 }, { "<s>", 3, 14, 17 },
        { " x", 2, 17, 19 }, { "<s>", 3, 19, 22 }, { " y", 2, 22, 23 },
    };
    const char *text = "<s>hello world<s> x<s>y";
    expect_pieces("bytelevel/added", "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false}",
                  SPECIAL_S, text, strlen(text), e, sizeof e / sizeof e[0]);
}

/* HF: "first" prepends only to a piece starting at original offset 0
 * (binding: hello [3,8] without ▁, ▁world, ▁x, y without ▁). */
static void metaspace_first_with_added(void **state)
{
    (void)state;
    static const struct exp_piece e[] = {
        { "<s>", 3, 0, 3 }, { "hello", 5, 3, 8 }, { "\342\226\201world", 8, 8, 14 }, { "<s>", 3, 14, 17 },
        { "\342\226\201x", 4, 17, 19 }, { "<s>", 3, 19, 22 }, { "y", 1, 22, 23 },
    };
    const char *text = "<s>hello world<s> x<s>y";
    expect_pieces("metaspace/added",
                  "{\"type\":\"Metaspace\",\"replacement\":\"\342\226\201\",\"prepend_scheme\":\"first\",\"split\":true}",
                  SPECIAL_S, text, strlen(text), e, sizeof e / sizeof e[0]);
    static const struct exp_piece e2[] = { { "\342\226\201hi", 5, 0, 2 }, { "\342\226\201", 3, 2, 3 },
                                           { "<s>", 3, 3, 6 }, { "y", 1, 6, 7 } };
    expect_pieces("metaspace/added2",
                  "{\"type\":\"Metaspace\",\"replacement\":\"\342\226\201\",\"prepend_scheme\":\"first\",\"split\":true}",
                  SPECIAL_S, "hi <s>y", 7, e2, sizeof e2 / sizeof e2[0]);
}

/* The transformed bytes carry their own original ranges. */
static void alignment_of_new_bytes(void **state)
{
    (void)state;
    tok_tokenizer *t = load_pre("{\"type\":\"Metaspace\",\"replacement\":\"\342\226\201\",\"split\":false}", NULL);
    tok_ctx *c = tok_ctx_new(t);
    tok_encoding enc;
    tok_encode_options o;
    tok_encode_options_init(&o);
    assert_int_equal(tok_encode(c, "ab c", 4, &o, &enc), TOK_OK);
    tok_ctx_free(c);
    tok_free(t);

    /* directly: a piece view of "ab c" through Metaspace */
    tok_error err = { 0 };
    tok_jctx jc = { .file = "t", .err = &err };
    json_t *j = json_loads("{\"type\":\"Metaspace\",\"replacement\":\"\342\226\201\",\"split\":false}", 0, NULL);
    tok_pretok *p = tok_pretok_from_json(&jc, j);
    json_decref(j);
    assert_non_null(p);
    tok_tokenizer fake;
    memset(&fake, 0, sizeof fake);
    tok_ctx *ctx = tok_ctx_new(&fake);
    tok_pieces in = { 0 }, out = { 0 };
    tok_piece src = { .s = (const uint8_t *)"xab c", .n = 5, .base = 10, .id = -1 };
    tok_piece sub = tok_piece_sub(&src, 1, 4); /* "ab c" at original offset 11 */
    assert_int_equal(tok_vec_push(&in, sub), 0);
    assert_int_equal(p->vt->run(p, &in, &out, ctx), TOK_OK);
    assert_int_equal(out.n, 1);
    const tok_piece *q = &out.v[0];
    assert_int_equal(q->n, 3 + 2 + 3 + 1);
    assert_memory_equal(q->s, "\342\226\201ab\342\226\201c", 9);
    /* prepended ▁: range of 'a'; the space's ▁: range of the space */
    static const uint32_t a0[] = { 11, 11, 11, 11, 12, 13, 13, 13, 14 };
    static const uint32_t a1[] = { 12, 12, 12, 12, 13, 14, 14, 14, 15 };
    for (int i = 0; i < 9; i++) {
        assert_int_equal(tok_piece_start(q, (uint32_t)i), a0[i]);
        assert_int_equal(tok_piece_end(q, (uint32_t)i), a1[i]);
    }
    tok_vec_free(&in);
    tok_vec_free(&out);
    tok_ctx_free(ctx);
    tok_pretok_free(p);
}

/* Added-token pieces pass through untouched; empty pieces are dropped. */
static void passthrough(void **state)
{
    (void)state;
    tok_error err = { 0 };
    tok_jctx jc = { .file = "t", .err = &err };
    json_t *j = json_loads("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
                           "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true}]}", 0, NULL);
    tok_pretok *p = tok_pretok_from_json(&jc, j);
    json_decref(j);
    assert_non_null(p);
    assert_true(tok_pretok_is_byte_level(p));
    tok_tokenizer fake;
    memset(&fake, 0, sizeof fake);
    tok_ctx *ctx = tok_ctx_new(&fake);
    tok_pieces in = { 0 }, out = { 0 };
    tok_piece a = { .s = (const uint8_t *)"x y", .n = 3, .base = 0, .id = -1 };
    tok_piece tokp = { .s = (const uint8_t *)"<s> z", .n = 3, .base = 3, .id = 7 };
    tok_piece empty = { .s = (const uint8_t *)"", .n = 0, .base = 6, .id = -1 };
    assert_int_equal(tok_vec_push(&in, a), 0);
    assert_int_equal(tok_vec_push(&in, tokp), 0);
    assert_int_equal(tok_vec_push(&in, empty), 0);
    assert_int_equal(p->vt->run(p, &in, &out, ctx), TOK_OK);
    assert_int_equal(out.n, 3);
    assert_int_equal(out.v[0].n, 2);
    assert_memory_equal(out.v[0].s, " x", 2);
    assert_int_equal(out.v[1].n, 2);
    assert_memory_equal(out.v[1].s, " y", 2);
    assert_int_equal(tok_piece_start(&out.v[1], 0), 2); /* the prefix space takes y's range */
    assert_int_equal(tok_piece_end(&out.v[1], 0), 3);
    assert_int_equal(out.v[2].id, 7);
    assert_ptr_equal(out.v[2].s, tokp.s);
    assert_int_equal(out.v[2].n, 3);
    tok_vec_free(&in);
    tok_vec_free(&out);
    tok_ctx_free(ctx);
    tok_pretok_free(p);
}

static void json_errors(void **state)
{
    (void)state;
    static const struct {
        const char *pre;
        tok_status code;
        const char *needle;
    } bad[] = {
        { "{\"type\":\"Nope\"}", TOK_ERR_UNSUPPORTED, "Nope" },
        { "{\"type\":\"Delimiter\",\"delimiter\":\"x\"}", TOK_ERR_UNSUPPORTED, "Delimiter" },
        { "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"a\"},\"behavior\":\"Sideways\",\"invert\":false}",
          TOK_ERR_UNSUPPORTED, "Sideways" },
        { "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"a\"},\"behavior\":\"Removed\"}", TOK_ERR_FORMAT, "invert" },
        { "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(\"},\"behavior\":\"Removed\",\"invert\":false}",
          TOK_ERR_UNSUPPORTED, "does not compile" },
        { "{\"type\":\"Split\",\"pattern\":{\"Glob\":\"*\"},\"behavior\":\"Removed\",\"invert\":false}",
          TOK_ERR_FORMAT, "pattern" },
        { "{\"type\":\"Split\",\"pattern\":\"x\",\"behavior\":\"Removed\",\"invert\":false}", TOK_ERR_FORMAT,
          "pattern" },
        { "{\"type\":\"ByteLevel\",\"add_prefix_space\":false}", TOK_ERR_FORMAT, "trim_offsets" },
        { "{\"type\":\"ByteLevel\",\"add_prefix_space\":1,\"trim_offsets\":true}", TOK_ERR_FORMAT,
          "add_prefix_space" },
        { "{\"type\":\"Metaspace\",\"replacement\":\"\342\226\201\",\"add_prefix_space\":false}", TOK_ERR_FORMAT,
          "prepend_scheme" },
        { "{\"type\":\"Metaspace\",\"replacement\":\"ab\"}", TOK_ERR_FORMAT, "single character" },
        { "{\"type\":\"Metaspace\",\"replacement\":\"_\",\"prepend_scheme\":\"sometimes\"}", TOK_ERR_UNSUPPORTED,
          "sometimes" },
        { "{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"bc\"}", TOK_ERR_FORMAT, "single character" },
        { "{\"type\":\"Digits\"}", TOK_ERR_FORMAT, "individual_digits" },
        { "{\"type\":\"FixedLength\",\"length\":0}", TOK_ERR_FORMAT, "length" },
        { "{\"type\":\"Sequence\"}", TOK_ERR_FORMAT, "pretokenizers" },
        { "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Whitespace\"},{\"type\":\"Bogus\"}]}",
          TOK_ERR_UNSUPPORTED, "pretokenizers[1]" },
        { "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(?~abc)\"},\"behavior\":\"Removed\",\"invert\":false}",
          TOK_ERR_UNSUPPORTED, "absent" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[2048];
        snprintf(json, sizeof json,
                 "{\"version\":\"1.0\",\"added_tokens\":[],\"pre_tokenizer\":%s,"
                 "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0},\"unk_token\":\"[UNK]\"}}",
                 bad[i].pre);
        tu_load_fails(json, bad[i].code, bad[i].needle);
    }
    /* HF defaults: Punctuation Isolated, Metaspace always+split, FixedLength 5, use_regex true */
    static const char *const good[] = {
        "{\"type\":\"Punctuation\"}",
        "{\"type\":\"Metaspace\",\"replacement\":\"_\",\"str_rep\":\"_\",\"add_prefix_space\":true}",
        "{\"type\":\"FixedLength\"}",
        "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"unknown_key\":1}",
        "{\"type\":\"Sequence\",\"pretokenizers\":[]}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) tok_free(load_pre(good[i], NULL));
}

/* to_json writes the HF form; reading it back gives the same JSON. */
static void to_json_round_trip(void **state)
{
    (void)state;
    static const char *const pres[] = {
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"behavior\":\"MergedWithNext\",\"invert\":true}",
        "{\"type\":\"Split\",\"pattern\":{\"String\":\"--\"},\"behavior\":\"Contiguous\",\"invert\":false}",
        "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false,\"use_regex\":false}",
        "{\"type\":\"Metaspace\",\"replacement\":\"\342\226\201\",\"prepend_scheme\":\"first\",\"split\":false}",
        "{\"type\":\"Whitespace\"}",
        "{\"type\":\"WhitespaceSplit\"}",
        "{\"type\":\"BertPreTokenizer\"}",
        "{\"type\":\"Digits\",\"individual_digits\":true}",
        "{\"type\":\"Punctuation\",\"behavior\":\"Removed\"}",
        "{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"\342\226\201\"}",
        "{\"type\":\"UnicodeScripts\"}",
        "{\"type\":\"FixedLength\",\"length\":7}",
        "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":false},"
        "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}]}",
    };
    for (size_t i = 0; i < sizeof pres / sizeof pres[0]; i++) {
        tok_error err = { 0 };
        tok_jctx jc = { .file = "t", .err = &err };
        json_t *j = json_loads(pres[i], 0, NULL);
        assert_non_null(j);
        tok_pretok *p = tok_pretok_from_json(&jc, j);
        if (!p) fail_msg("%s: %s", pres[i], err.message);
        json_t *back = p->vt->to_json(p);
        if (!json_equal(j, back)) {
            char *s = json_dumps(back, JSON_SORT_KEYS);
            fail_msg("to_json of %s gave %s", pres[i], s);
        }
        assert_int_equal(tok_pretok_is_byte_level(p), strstr(pres[i], "ByteLevel") != NULL);
        json_decref(back);
        json_decref(j);
        tok_pretok_free(p);
    }
}

/* Oniguruma -> PCRE2 translation of the constructs PCRE2 reads differently. */
static void onig_translation(void **state)
{
    (void)state;
    static const struct {
        const char *onig, *pcre;
    } k[] = {
        { "\\h+", "[0-9a-fA-F]+" },
        { "\\v", "\\x{b}" },
        { "\\u3042", "\\x{3042}" },
        { "(?m:.)", "(?s:.)" },
        { "a{,3}", "a{0,3}" },
        { "[a-z&&[^aeiou]]", "(?:(?=[a-z])(?:[^aeiou]))" },
        { "[^a-z&&[^aeiou]]", "(?:(?!(?=[a-z])(?:[^aeiou]))(?s:.))" },
        { "[^\\S\\r\\n]", "(?:(?![\\r\\n])[\\x{9}-\\x{d}\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}"
                          "\\x{2029}\\x{202f}\\x{205f}\\x{3000}])" },
        { "\\p{Hiragana}", "[\\p{sc:Hiragana}\\x{1b132}]" },
        { "[\\p{Zs}]", "[\\p{Zs}]" },
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        tok_sbuf o = { 0 };
        char err[200];
        assert_int_equal(tok_onig_to_pcre2(k[i].onig, strlen(k[i].onig), &o, err, sizeof err), 0);
        if (strcmp(o.v, k[i].pcre)) fail_msg("%s -> %s, want %s", k[i].onig, o.v, k[i].pcre);
        tok_vec_free(&o);
    }
    tok_sbuf o = { 0 };
    char err[200];
    assert_int_equal(tok_onig_to_pcre2("[abc", 4, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "unterminated"));
    tok_vec_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hf_pieces),
        cmocka_unit_test(bytelevel_prefix_per_piece),
        cmocka_unit_test(metaspace_first_with_added),
        cmocka_unit_test(alignment_of_new_bytes),
        cmocka_unit_test(passthrough),
        cmocka_unit_test(json_errors),
        cmocka_unit_test(to_json_round_trip),
        cmocka_unit_test(onig_translation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
