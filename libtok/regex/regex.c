/*
 * Oniguruma patterns on PCRE2.
 *
 * HF compiles Split patterns (and ByteLevel's GPT-2 pattern) with Oniguruma
 * in its default Ruby syntax, Unicode 16 tables.  PCRE2 (UTF + UCP, JIT)
 * matches the same way (leftmost, backtracking priority) once the pattern is
 * rewritten where the two disagree:
 *
 *   \s \S          Oniguruma: White_Space.  PCRE2 adds U+180E: spelled out.
 *   \w \W \b \B    Oniguruma's word set (Alphabetic, marks, Nd, Nl, Pc and
 *                  ² ³ ¹ ¼ ½ ¾): spelled out; \b as lookarounds on it.
 *   \d \D          Nd, with the digits Unicode 15/16 added.
 *   \h \H          hex digits (PCRE2: horizontal space).
 *   \v             vertical tab only (PCRE2: vertical space).
 *   \uHHHH         PCRE2 \x{HHHH}.
 *   \p{..}         general categories and scripts get the characters
 *                  Unicode 15/16 assigned (PCRE2 10.42 has Unicode 14;
 *                  tables below measured from the HF binding); a script
 *                  means Script, not Script_Extensions (PCRE2's \p{Han}).
 *   (?m)           dot matches newline (Ruby), PCRE2 (?s).
 *   ^ $            always per line: PCRE2_MULTILINE, newline LF.
 *   {,n}           {0,n}.
 *   [a[bc]] [a&&b] nested classes, intersections and negated escapes inside
 *                  classes are rebuilt with lookaheads.
 *
 *   [[:alpha:]]    POSIX brackets take Oniguruma's Unicode meaning.
 *
 * Not translated (rare in tokenizer files; listed in the pre-tokenizer
 * report): properties under (?i) (Oniguruma case-folds \p{Lu}), \xHH
 * above 7F is a code point (Oniguruma: a raw byte), a{n,m}+ is possessive
 * in PCRE2 but a repeated interval in Ruby syntax, absent operators (?~..)
 * and scripts newer than Unicode 14 fail to compile.
 *
 * Iteration follows the onig crate's find_iter: after a match ending at e,
 * an empty match at e is skipped by advancing one character.
 *
 * This is the one translator and matcher of the library: the Split and
 * ByteLevel pre-tokenizers, the Replace normalizer and the Replace decoder
 * all compile with tok_pt_regex_new and iterate with tok_pt_regex_next
 * (regex.h; the names keep the tok_pt_ prefix of the pre-tokenizers, where
 * the module began).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"
#include "../core/json.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>

struct tok_pt_regex {
    pcre2_code *code;
    bool jit;
};

struct tok_pt_matcher {
    const tok_pt_regex *re;
    pcre2_match_data *md;
    /* only for matches too deep for the default 32 KiB JIT stack */
    pcre2_jit_stack *stack;
    pcre2_match_context *mc;
};

/* Oniguruma's \s (White_Space). */
#define WS_ITEMS "\\x{9}-\\x{d}\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
/* Oniguruma's \w inside a class, without the Unicode 15/16 additions (those
 * come from k_extras "WORD"); outside a class it also has ² ³ ¹ ¼ ½ ¾. */
#define WORD_ITEMS "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Nl}"
#define WORD_OUTSIDE "\\x{b2}\\x{b3}\\x{b9}\\x{bc}-\\x{be}"
#define HEX_ITEMS "0-9a-fA-F"

/* [:print:] is [:graph:] plus Zs and Unicode 15/16 added no Zs, so both
 * gain the same characters (measured identical): one string serves both. */
#define GRAPH_PLUS \
    "\\x{897}\\x{cf3}\\x{ece}\\x{1b4e}-\\x{1b4f}\\x{1b7f}\\x{1c89}-\\x{1c8a}" \
    "\\x{2427}-\\x{2429}\\x{2ffc}-\\x{2fff}\\x{31e4}-\\x{31e5}\\x{31ef}" \
    "\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{105c0}-\\x{105f3}\\x{10d40}-\\x{10d65}" \
    "\\x{10d69}-\\x{10d85}\\x{10d8e}-\\x{10d8f}\\x{10ec2}-\\x{10ec4}\\x{10efc}-\\x{10eff}" \
    "\\x{1123f}-\\x{11241}\\x{11380}-\\x{11389}\\x{1138b}\\x{1138e}\\x{11390}-\\x{113b5}" \
    "\\x{113b7}-\\x{113c0}\\x{113c2}\\x{113c5}\\x{113c7}-\\x{113ca}\\x{113cc}-\\x{113d5}" \
    "\\x{113d7}-\\x{113d8}\\x{113e1}-\\x{113e2}\\x{116d0}-\\x{116e3}\\x{11b00}-\\x{11b09}" \
    "\\x{11bc0}-\\x{11be1}\\x{11bf0}-\\x{11bf9}\\x{11f00}-\\x{11f10}\\x{11f12}-\\x{11f3a}" \
    "\\x{11f3e}-\\x{11f5a}\\x{1342f}\\x{13439}-\\x{13455}\\x{13460}-\\x{143fa}" \
    "\\x{16100}-\\x{16139}\\x{16d40}-\\x{16d79}\\x{18cff}\\x{1b132}\\x{1b155}" \
    "\\x{1cc00}-\\x{1ccf9}\\x{1cd00}-\\x{1ceb3}\\x{1d2c0}-\\x{1d2d3}\\x{1df25}-\\x{1df2a}" \
    "\\x{1e030}-\\x{1e06d}\\x{1e08f}\\x{1e4d0}-\\x{1e4f9}\\x{1e5d0}-\\x{1e5fa}\\x{1e5ff}" \
    "\\x{1f6dc}\\x{1f774}-\\x{1f776}\\x{1f77b}-\\x{1f77f}\\x{1f7d9}\\x{1f8b2}-\\x{1f8bb}" \
    "\\x{1f8c0}-\\x{1f8c1}\\x{1fa75}-\\x{1fa77}\\x{1fa87}-\\x{1fa89}\\x{1fa8f}" \
    "\\x{1faad}-\\x{1faaf}\\x{1fabb}-\\x{1fabf}\\x{1fac6}\\x{1face}-\\x{1facf}" \
    "\\x{1fada}-\\x{1fadc}\\x{1fadf}\\x{1fae8}-\\x{1fae9}\\x{1faf7}-\\x{1faf8}" \
    "\\x{1fbcb}-\\x{1fbef}\\x{2b739}\\x{2ebf0}-\\x{2ee5d}\\x{31350}-\\x{323af}"

/* Characters Oniguruma (Unicode 16) puts in a property beyond PCRE2 10.42's
 * Unicode 14 (plus), or leaves out of it (minus).  Measured with the HF
 * binding and PCRE2 over all scalar values. */
static const struct { const char *name, *plus, *minus; } k_extras[] = {
    { "L",
      "\\x{1c89}-\\x{1c8a}\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{105c0}-\\x{105f3}"
      "\\x{10d4a}-\\x{10d65}\\x{10d6f}-\\x{10d85}\\x{10ec2}-\\x{10ec4}\\x{1123f}-\\x{11240}"
      "\\x{11380}-\\x{11389}\\x{1138b}\\x{1138e}\\x{11390}-\\x{113b5}\\x{113b7}\\x{113d1}"
      "\\x{113d3}\\x{11bc0}-\\x{11be0}\\x{11f02}\\x{11f04}-\\x{11f10}\\x{11f12}-\\x{11f33}"
      "\\x{1342f}\\x{13441}-\\x{13446}\\x{13460}-\\x{143fa}\\x{16100}-\\x{1611d}"
      "\\x{16d40}-\\x{16d6c}\\x{18cff}\\x{1b132}\\x{1b155}\\x{1df25}-\\x{1df2a}"
      "\\x{1e030}-\\x{1e06d}\\x{1e4d0}-\\x{1e4eb}\\x{1e5d0}-\\x{1e5ed}\\x{1e5f0}\\x{2b739}"
      "\\x{2ebf0}-\\x{2ee5d}\\x{31350}-\\x{323af}",
      "" },
    { "Lu",
      "\\x{1c89}\\x{a7cb}-\\x{a7cc}\\x{a7da}\\x{a7dc}\\x{10d50}-\\x{10d65}",
      "" },
    { "Ll",
      "\\x{1c8a}\\x{a7cd}\\x{a7db}\\x{10d70}-\\x{10d85}\\x{1df25}-\\x{1df2a}",
      "" },
    { "Lm",
      "\\x{10d4e}\\x{10d6f}\\x{16d40}-\\x{16d42}\\x{16d6b}-\\x{16d6c}\\x{1e030}-\\x{1e06d}"
      "\\x{1e4eb}",
      "" },
    { "Lo",
      "\\x{105c0}-\\x{105f3}\\x{10d4a}-\\x{10d4d}\\x{10d4f}\\x{10ec2}-\\x{10ec4}"
      "\\x{1123f}-\\x{11240}\\x{11380}-\\x{11389}\\x{1138b}\\x{1138e}\\x{11390}-\\x{113b5}"
      "\\x{113b7}\\x{113d1}\\x{113d3}\\x{11bc0}-\\x{11be0}\\x{11f02}\\x{11f04}-\\x{11f10}"
      "\\x{11f12}-\\x{11f33}\\x{1342f}\\x{13441}-\\x{13446}\\x{13460}-\\x{143fa}"
      "\\x{16100}-\\x{1611d}\\x{16d43}-\\x{16d6a}\\x{18cff}\\x{1b132}\\x{1b155}"
      "\\x{1e4d0}-\\x{1e4ea}\\x{1e5d0}-\\x{1e5ed}\\x{1e5f0}\\x{2b739}\\x{2ebf0}-\\x{2ee5d}"
      "\\x{31350}-\\x{323af}",
      "" },
    { "M",
      "\\x{897}\\x{cf3}\\x{ece}\\x{10d69}-\\x{10d6d}\\x{10efc}-\\x{10eff}\\x{11241}"
      "\\x{113b8}-\\x{113c0}\\x{113c2}\\x{113c5}\\x{113c7}-\\x{113ca}\\x{113cc}-\\x{113d0}"
      "\\x{113d2}\\x{113e1}-\\x{113e2}\\x{11f00}-\\x{11f01}\\x{11f03}\\x{11f34}-\\x{11f3a}"
      "\\x{11f3e}-\\x{11f42}\\x{11f5a}\\x{13440}\\x{13447}-\\x{13455}\\x{1611e}-\\x{1612f}"
      "\\x{1e08f}\\x{1e4ec}-\\x{1e4ef}\\x{1e5ee}-\\x{1e5ef}",
      "" },
    { "Mn",
      "\\x{897}\\x{ece}\\x{10d69}-\\x{10d6d}\\x{10efc}-\\x{10eff}\\x{11241}"
      "\\x{113bb}-\\x{113c0}\\x{113ce}\\x{113d0}\\x{113d2}\\x{113e1}-\\x{113e2}"
      "\\x{11f00}-\\x{11f01}\\x{11f36}-\\x{11f3a}\\x{11f40}\\x{11f42}\\x{11f5a}\\x{13440}"
      "\\x{13447}-\\x{13455}\\x{1611e}-\\x{16129}\\x{1612d}-\\x{1612f}\\x{1e08f}"
      "\\x{1e4ec}-\\x{1e4ef}\\x{1e5ee}-\\x{1e5ef}",
      "\\x{1171e}" },
    { "Mc",
      "\\x{cf3}\\x{113b8}-\\x{113ba}\\x{113c2}\\x{113c5}\\x{113c7}-\\x{113ca}"
      "\\x{113cc}-\\x{113cd}\\x{113cf}\\x{1171e}\\x{11f03}\\x{11f34}-\\x{11f35}"
      "\\x{11f3e}-\\x{11f3f}\\x{11f41}\\x{1612a}-\\x{1612c}",
      "" },
    { "N",
      "\\x{10d40}-\\x{10d49}\\x{116d0}-\\x{116e3}\\x{11bf0}-\\x{11bf9}\\x{11f50}-\\x{11f59}"
      "\\x{16130}-\\x{16139}\\x{16d70}-\\x{16d79}\\x{1ccf0}-\\x{1ccf9}\\x{1d2c0}-\\x{1d2d3}"
      "\\x{1e4f0}-\\x{1e4f9}\\x{1e5f1}-\\x{1e5fa}",
      "" },
    { "Nd",
      "\\x{10d40}-\\x{10d49}\\x{116d0}-\\x{116e3}\\x{11bf0}-\\x{11bf9}\\x{11f50}-\\x{11f59}"
      "\\x{16130}-\\x{16139}\\x{16d70}-\\x{16d79}\\x{1ccf0}-\\x{1ccf9}\\x{1e4f0}-\\x{1e4f9}"
      "\\x{1e5f1}-\\x{1e5fa}",
      "" },
    { "No",
      "\\x{1d2c0}-\\x{1d2d3}",
      "" },
    { "P",
      "\\x{1b4e}-\\x{1b4f}\\x{1b7f}\\x{10d6e}\\x{113d4}-\\x{113d5}\\x{113d7}-\\x{113d8}"
      "\\x{11b00}-\\x{11b09}\\x{11be1}\\x{11f43}-\\x{11f4f}\\x{16d6d}-\\x{16d6f}\\x{1e5ff}",
      "" },
    { "Pd",
      "\\x{10d6e}",
      "" },
    { "Po",
      "\\x{1b4e}-\\x{1b4f}\\x{1b7f}\\x{113d4}-\\x{113d5}\\x{113d7}-\\x{113d8}"
      "\\x{11b00}-\\x{11b09}\\x{11be1}\\x{11f43}-\\x{11f4f}\\x{16d6d}-\\x{16d6f}\\x{1e5ff}",
      "" },
    { "S",
      "\\x{2427}-\\x{2429}\\x{2ffc}-\\x{2fff}\\x{31e4}-\\x{31e5}\\x{31ef}"
      "\\x{10d8e}-\\x{10d8f}\\x{1cc00}-\\x{1ccef}\\x{1cd00}-\\x{1ceb3}\\x{1f6dc}"
      "\\x{1f774}-\\x{1f776}\\x{1f77b}-\\x{1f77f}\\x{1f7d9}\\x{1f8b2}-\\x{1f8bb}"
      "\\x{1f8c0}-\\x{1f8c1}\\x{1fa75}-\\x{1fa77}\\x{1fa87}-\\x{1fa89}\\x{1fa8f}"
      "\\x{1faad}-\\x{1faaf}\\x{1fabb}-\\x{1fabf}\\x{1fac6}\\x{1face}-\\x{1facf}"
      "\\x{1fada}-\\x{1fadc}\\x{1fadf}\\x{1fae8}-\\x{1fae9}\\x{1faf7}-\\x{1faf8}"
      "\\x{1fbcb}-\\x{1fbef}",
      "" },
    { "Sm",
      "\\x{10d8e}-\\x{10d8f}",
      "" },
    { "So",
      "\\x{2427}-\\x{2429}\\x{2ffc}-\\x{2fff}\\x{31e4}-\\x{31e5}\\x{31ef}"
      "\\x{1cc00}-\\x{1ccef}\\x{1cd00}-\\x{1ceb3}\\x{1f6dc}\\x{1f774}-\\x{1f776}"
      "\\x{1f77b}-\\x{1f77f}\\x{1f7d9}\\x{1f8b2}-\\x{1f8bb}\\x{1f8c0}-\\x{1f8c1}"
      "\\x{1fa75}-\\x{1fa77}\\x{1fa87}-\\x{1fa89}\\x{1fa8f}\\x{1faad}-\\x{1faaf}"
      "\\x{1fabb}-\\x{1fabf}\\x{1fac6}\\x{1face}-\\x{1facf}\\x{1fada}-\\x{1fadc}\\x{1fadf}"
      "\\x{1fae8}-\\x{1fae9}\\x{1faf7}-\\x{1faf8}\\x{1fbcb}-\\x{1fbef}",
      "" },
    { "C",
      "",
      "\\x{897}\\x{cf3}\\x{ece}\\x{1b4e}-\\x{1b4f}\\x{1b7f}\\x{1c89}-\\x{1c8a}"
      "\\x{2427}-\\x{2429}\\x{2ffc}-\\x{2fff}\\x{31e4}-\\x{31e5}\\x{31ef}"
      "\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{105c0}-\\x{105f3}\\x{10d40}-\\x{10d65}"
      "\\x{10d69}-\\x{10d85}\\x{10d8e}-\\x{10d8f}\\x{10ec2}-\\x{10ec4}\\x{10efc}-\\x{10eff}"
      "\\x{1123f}-\\x{11241}\\x{11380}-\\x{11389}\\x{1138b}\\x{1138e}\\x{11390}-\\x{113b5}"
      "\\x{113b7}-\\x{113c0}\\x{113c2}\\x{113c5}\\x{113c7}-\\x{113ca}\\x{113cc}-\\x{113d5}"
      "\\x{113d7}-\\x{113d8}\\x{113e1}-\\x{113e2}\\x{116d0}-\\x{116e3}\\x{11b00}-\\x{11b09}"
      "\\x{11bc0}-\\x{11be1}\\x{11bf0}-\\x{11bf9}\\x{11f00}-\\x{11f10}\\x{11f12}-\\x{11f3a}"
      "\\x{11f3e}-\\x{11f5a}\\x{1342f}\\x{13440}-\\x{13455}\\x{13460}-\\x{143fa}"
      "\\x{16100}-\\x{16139}\\x{16d40}-\\x{16d79}\\x{18cff}\\x{1b132}\\x{1b155}"
      "\\x{1cc00}-\\x{1ccf9}\\x{1cd00}-\\x{1ceb3}\\x{1d2c0}-\\x{1d2d3}\\x{1df25}-\\x{1df2a}"
      "\\x{1e030}-\\x{1e06d}\\x{1e08f}\\x{1e4d0}-\\x{1e4f9}\\x{1e5d0}-\\x{1e5fa}\\x{1e5ff}"
      "\\x{1f6dc}\\x{1f774}-\\x{1f776}\\x{1f77b}-\\x{1f77f}\\x{1f7d9}\\x{1f8b2}-\\x{1f8bb}"
      "\\x{1f8c0}-\\x{1f8c1}\\x{1fa75}-\\x{1fa77}\\x{1fa87}-\\x{1fa89}\\x{1fa8f}"
      "\\x{1faad}-\\x{1faaf}\\x{1fabb}-\\x{1fabf}\\x{1fac6}\\x{1face}-\\x{1facf}"
      "\\x{1fada}-\\x{1fadc}\\x{1fadf}\\x{1fae8}-\\x{1fae9}\\x{1faf7}-\\x{1faf8}"
      "\\x{1fbcb}-\\x{1fbef}\\x{2b739}\\x{2ebf0}-\\x{2ee5d}\\x{31350}-\\x{323af}" },
    { "Cf",
      "\\x{13439}-\\x{1343f}",
      "" },
    { "Cn",
      "",
      "\\x{897}\\x{cf3}\\x{ece}\\x{1b4e}-\\x{1b4f}\\x{1b7f}\\x{1c89}-\\x{1c8a}"
      "\\x{2427}-\\x{2429}\\x{2ffc}-\\x{2fff}\\x{31e4}-\\x{31e5}\\x{31ef}"
      "\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{105c0}-\\x{105f3}\\x{10d40}-\\x{10d65}"
      "\\x{10d69}-\\x{10d85}\\x{10d8e}-\\x{10d8f}\\x{10ec2}-\\x{10ec4}\\x{10efc}-\\x{10eff}"
      "\\x{1123f}-\\x{11241}\\x{11380}-\\x{11389}\\x{1138b}\\x{1138e}\\x{11390}-\\x{113b5}"
      "\\x{113b7}-\\x{113c0}\\x{113c2}\\x{113c5}\\x{113c7}-\\x{113ca}\\x{113cc}-\\x{113d5}"
      "\\x{113d7}-\\x{113d8}\\x{113e1}-\\x{113e2}\\x{116d0}-\\x{116e3}\\x{11b00}-\\x{11b09}"
      "\\x{11bc0}-\\x{11be1}\\x{11bf0}-\\x{11bf9}\\x{11f00}-\\x{11f10}\\x{11f12}-\\x{11f3a}"
      "\\x{11f3e}-\\x{11f5a}\\x{1342f}\\x{13439}-\\x{13455}\\x{13460}-\\x{143fa}"
      "\\x{16100}-\\x{16139}\\x{16d40}-\\x{16d79}\\x{18cff}\\x{1b132}\\x{1b155}"
      "\\x{1cc00}-\\x{1ccf9}\\x{1cd00}-\\x{1ceb3}\\x{1d2c0}-\\x{1d2d3}\\x{1df25}-\\x{1df2a}"
      "\\x{1e030}-\\x{1e06d}\\x{1e08f}\\x{1e4d0}-\\x{1e4f9}\\x{1e5d0}-\\x{1e5fa}\\x{1e5ff}"
      "\\x{1f6dc}\\x{1f774}-\\x{1f776}\\x{1f77b}-\\x{1f77f}\\x{1f7d9}\\x{1f8b2}-\\x{1f8bb}"
      "\\x{1f8c0}-\\x{1f8c1}\\x{1fa75}-\\x{1fa77}\\x{1fa87}-\\x{1fa89}\\x{1fa8f}"
      "\\x{1faad}-\\x{1faaf}\\x{1fabb}-\\x{1fabf}\\x{1fac6}\\x{1face}-\\x{1facf}"
      "\\x{1fada}-\\x{1fadc}\\x{1fadf}\\x{1fae8}-\\x{1fae9}\\x{1faf7}-\\x{1faf8}"
      "\\x{1fbcb}-\\x{1fbef}\\x{2b739}\\x{2ebf0}-\\x{2ee5d}\\x{31350}-\\x{323af}" },
    { "sc:Arabic",
      "\\x{897}\\x{10ec2}-\\x{10ec4}\\x{10efc}-\\x{10eff}",
      "" },
    { "sc:Balinese",
      "\\x{1b4e}-\\x{1b4f}\\x{1b7f}",
      "" },
    { "sc:Cyrillic",
      "\\x{1c89}-\\x{1c8a}\\x{1e030}-\\x{1e06d}\\x{1e08f}",
      "" },
    { "sc:Devanagari",
      "\\x{11b00}-\\x{11b09}",
      "" },
    { "sc:Egyptian_Hieroglyphs",
      "\\x{1342f}\\x{13439}-\\x{13455}\\x{13460}-\\x{143fa}",
      "" },
    { "sc:Han",
      "\\x{2b739}\\x{2ebf0}-\\x{2ee5d}\\x{31350}-\\x{323af}",
      "" },
    { "sc:Hiragana",
      "\\x{1b132}",
      "" },
    { "sc:Katakana",
      "\\x{1b155}",
      "" },
    { "sc:Khojki",
      "\\x{1123f}-\\x{11241}",
      "" },
    { "sc:Khitan_Small_Script",
      "\\x{18cff}",
      "" },
    { "sc:Kannada",
      "\\x{cf3}",
      "" },
    { "sc:Lao",
      "\\x{ece}",
      "" },
    { "sc:Latin",
      "\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{1df25}-\\x{1df2a}",
      "" },
    { "sc:Myanmar",
      "\\x{116d0}-\\x{116e3}",
      "" },
    { "sc:Common",
      "\\x{2427}-\\x{2429}\\x{2ffc}-\\x{2fff}\\x{31e4}-\\x{31e5}\\x{31ef}"
      "\\x{1cc00}-\\x{1ccf9}\\x{1cd00}-\\x{1ceb3}\\x{1d2c0}-\\x{1d2d3}\\x{1f6dc}"
      "\\x{1f774}-\\x{1f776}\\x{1f77b}-\\x{1f77f}\\x{1f7d9}\\x{1f8b2}-\\x{1f8bb}"
      "\\x{1f8c0}-\\x{1f8c1}\\x{1fa75}-\\x{1fa77}\\x{1fa87}-\\x{1fa89}\\x{1fa8f}"
      "\\x{1faad}-\\x{1faaf}\\x{1fabb}-\\x{1fabf}\\x{1fac6}\\x{1face}-\\x{1facf}"
      "\\x{1fada}-\\x{1fadc}\\x{1fadf}\\x{1fae8}-\\x{1fae9}\\x{1faf7}-\\x{1faf8}"
      "\\x{1fbcb}-\\x{1fbef}",
      "" },
    { "POSIX:alpha",
      "\\x{363}-\\x{36f}\\x{897}\\x{c04}\\x{cf3}\\x{f82}-\\x{f83}\\x{1c89}-\\x{1c8a}"
      "\\x{1dd3}-\\x{1de6}\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{105c0}-\\x{105f3}"
      "\\x{10d4a}-\\x{10d65}\\x{10d69}\\x{10d6f}-\\x{10d85}\\x{10ec2}-\\x{10ec4}\\x{10efc}"
      "\\x{11080}-\\x{11081}\\x{1123f}-\\x{11241}\\x{11380}-\\x{11389}\\x{1138b}\\x{1138e}"
      "\\x{11390}-\\x{113b5}\\x{113b7}-\\x{113c0}\\x{113c2}\\x{113c5}\\x{113c7}-\\x{113ca}"
      "\\x{113cc}-\\x{113cd}\\x{113d1}\\x{113d3}\\x{11bc0}-\\x{11be0}\\x{11f00}-\\x{11f10}"
      "\\x{11f12}-\\x{11f3a}\\x{11f3e}-\\x{11f40}\\x{1342f}\\x{13441}-\\x{13446}"
      "\\x{13460}-\\x{143fa}\\x{16100}-\\x{1612e}\\x{16d40}-\\x{16d6c}\\x{18cff}\\x{1b132}"
      "\\x{1b155}\\x{1df25}-\\x{1df2a}\\x{1e030}-\\x{1e06d}\\x{1e08f}\\x{1e4d0}-\\x{1e4eb}"
      "\\x{1e5d0}-\\x{1e5ed}\\x{1e5f0}\\x{2b739}\\x{2ebf0}-\\x{2ee5d}\\x{31350}-\\x{323af}",
      "" },
    { "POSIX:alnum",
      "\\x{363}-\\x{36f}\\x{897}\\x{c04}\\x{cf3}\\x{f82}-\\x{f83}\\x{1c89}-\\x{1c8a}"
      "\\x{1dd3}-\\x{1de6}\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{105c0}-\\x{105f3}"
      "\\x{10d40}-\\x{10d65}\\x{10d69}\\x{10d6f}-\\x{10d85}\\x{10ec2}-\\x{10ec4}\\x{10efc}"
      "\\x{11080}-\\x{11081}\\x{1123f}-\\x{11241}\\x{11380}-\\x{11389}\\x{1138b}\\x{1138e}"
      "\\x{11390}-\\x{113b5}\\x{113b7}-\\x{113c0}\\x{113c2}\\x{113c5}\\x{113c7}-\\x{113ca}"
      "\\x{113cc}-\\x{113cd}\\x{113d1}\\x{113d3}\\x{116d0}-\\x{116e3}\\x{11bc0}-\\x{11be0}"
      "\\x{11bf0}-\\x{11bf9}\\x{11f00}-\\x{11f10}\\x{11f12}-\\x{11f3a}\\x{11f3e}-\\x{11f40}"
      "\\x{11f50}-\\x{11f59}\\x{1342f}\\x{13441}-\\x{13446}\\x{13460}-\\x{143fa}"
      "\\x{16100}-\\x{1612e}\\x{16130}-\\x{16139}\\x{16d40}-\\x{16d6c}\\x{16d70}-\\x{16d79}"
      "\\x{18cff}\\x{1b132}\\x{1b155}\\x{1ccf0}-\\x{1ccf9}\\x{1df25}-\\x{1df2a}"
      "\\x{1e030}-\\x{1e06d}\\x{1e08f}\\x{1e4d0}-\\x{1e4eb}\\x{1e4f0}-\\x{1e4f9}"
      "\\x{1e5d0}-\\x{1e5ed}\\x{1e5f0}-\\x{1e5fa}\\x{2b739}\\x{2ebf0}-\\x{2ee5d}"
      "\\x{31350}-\\x{323af}",
      "" },
    { "POSIX:graph", GRAPH_PLUS, "" },
    { "POSIX:print", GRAPH_PLUS, "" },
    { "POSIX:lower",
      "\\x{10fc}\\x{1c8a}\\x{a7cd}\\x{a7db}\\x{a7f2}-\\x{a7f4}\\x{ab69}"
      "\\x{10d70}-\\x{10d85}\\x{1df25}-\\x{1df2a}\\x{1e030}-\\x{1e06d}",
      "" },
    { "POSIX:upper",
      "\\x{1c89}\\x{a7cb}-\\x{a7cc}\\x{a7da}\\x{a7dc}\\x{10d50}-\\x{10d65}",
      "" },
    { "POSIX:punct",
      "\\x{1b4e}-\\x{1b4f}\\x{1b7f}\\x{2427}-\\x{2429}\\x{2ffc}-\\x{2fff}"
      "\\x{31e4}-\\x{31e5}\\x{31ef}\\x{10d6e}\\x{10d8e}-\\x{10d8f}\\x{113d4}-\\x{113d5}"
      "\\x{113d7}-\\x{113d8}\\x{11b00}-\\x{11b09}\\x{11be1}\\x{11f43}-\\x{11f4f}"
      "\\x{16d6d}-\\x{16d6f}\\x{1cc00}-\\x{1ccef}\\x{1cd00}-\\x{1ceb3}\\x{1e5ff}\\x{1f6dc}"
      "\\x{1f774}-\\x{1f776}\\x{1f77b}-\\x{1f77f}\\x{1f7d9}\\x{1f8b2}-\\x{1f8bb}"
      "\\x{1f8c0}-\\x{1f8c1}\\x{1fa75}-\\x{1fa77}\\x{1fa87}-\\x{1fa89}\\x{1fa8f}"
      "\\x{1faad}-\\x{1faaf}\\x{1fabb}-\\x{1fabf}\\x{1fac6}\\x{1face}-\\x{1facf}"
      "\\x{1fada}-\\x{1fadc}\\x{1fadf}\\x{1fae8}-\\x{1fae9}\\x{1faf7}-\\x{1faf8}"
      "\\x{1fbcb}-\\x{1fbef}",
      "" },
    { "WORD",
      "\\x{897}\\x{cf3}\\x{ece}\\x{1c89}-\\x{1c8a}\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}"
      "\\x{105c0}-\\x{105f3}\\x{10d40}-\\x{10d65}\\x{10d69}-\\x{10d6d}\\x{10d6f}-\\x{10d85}"
      "\\x{10ec2}-\\x{10ec4}\\x{10efc}-\\x{10eff}\\x{1123f}-\\x{11241}\\x{11380}-\\x{11389}"
      "\\x{1138b}\\x{1138e}\\x{11390}-\\x{113b5}\\x{113b7}-\\x{113c0}\\x{113c2}\\x{113c5}"
      "\\x{113c7}-\\x{113ca}\\x{113cc}-\\x{113d3}\\x{113e1}-\\x{113e2}\\x{116d0}-\\x{116e3}"
      "\\x{11bc0}-\\x{11be0}\\x{11bf0}-\\x{11bf9}\\x{11f00}-\\x{11f10}\\x{11f12}-\\x{11f3a}"
      "\\x{11f3e}-\\x{11f42}\\x{11f50}-\\x{11f5a}\\x{1342f}\\x{13440}-\\x{13455}"
      "\\x{13460}-\\x{143fa}\\x{16100}-\\x{16139}\\x{16d40}-\\x{16d6c}\\x{16d70}-\\x{16d79}"
      "\\x{18cff}\\x{1b132}\\x{1b155}\\x{1ccf0}-\\x{1ccf9}\\x{1df25}-\\x{1df2a}"
      "\\x{1e030}-\\x{1e06d}\\x{1e08f}\\x{1e4d0}-\\x{1e4f9}\\x{1e5d0}-\\x{1e5fa}\\x{2b739}"
      "\\x{2ebf0}-\\x{2ee5d}\\x{31350}-\\x{323af}",
      "" },
    { "DIGIT",
      "\\x{10d40}-\\x{10d49}\\x{116d0}-\\x{116e3}\\x{11bf0}-\\x{11bf9}\\x{11f50}-\\x{11f59}"
      "\\x{16130}-\\x{16139}\\x{16d70}-\\x{16d79}\\x{1ccf0}-\\x{1ccf9}\\x{1e4f0}-\\x{1e4f9}"
      "\\x{1e5f1}-\\x{1e5fa}",
      "" },
    { "LC",
      "\\x{1c89}-\\x{1c8a}\\x{a7cb}-\\x{a7cd}\\x{a7da}-\\x{a7dc}\\x{10d50}-\\x{10d65}"
      "\\x{10d70}-\\x{10d85}\\x{1df25}-\\x{1df2a}",
      "" },
};

/* Script names and aliases, normalized (lowercase, no " _-"), to the Script value. */
static const struct { const char *key, *name; } k_scripts[] = {
    {"adlam", "Adlam"}, {"adlm", "Adlam"}, {"aghb", "Caucasian_Albanian"}, {"ahom", "Ahom"},
    {"anatolianhieroglyphs", "Anatolian_Hieroglyphs"}, {"arab", "Arabic"}, {"arabic", "Arabic"},
    {"armenian", "Armenian"}, {"armi", "Imperial_Aramaic"}, {"armn", "Armenian"},
    {"avestan", "Avestan"}, {"avst", "Avestan"}, {"bali", "Balinese"}, {"balinese", "Balinese"},
    {"bamu", "Bamum"}, {"bamum", "Bamum"}, {"bass", "Bassa_Vah"}, {"bassavah", "Bassa_Vah"},
    {"batak", "Batak"}, {"batk", "Batak"}, {"beng", "Bengali"}, {"bengali", "Bengali"},
    {"bhaiksuki", "Bhaiksuki"}, {"bhks", "Bhaiksuki"}, {"bopo", "Bopomofo"},
    {"bopomofo", "Bopomofo"}, {"brah", "Brahmi"}, {"brahmi", "Brahmi"}, {"brai", "Braille"},
    {"braille", "Braille"}, {"bugi", "Buginese"}, {"buginese", "Buginese"}, {"buhd", "Buhid"},
    {"buhid", "Buhid"}, {"cakm", "Chakma"}, {"canadianaboriginal", "Canadian_Aboriginal"},
    {"cans", "Canadian_Aboriginal"}, {"cari", "Carian"}, {"carian", "Carian"},
    {"caucasianalbanian", "Caucasian_Albanian"}, {"chakma", "Chakma"}, {"cham", "Cham"},
    {"cher", "Cherokee"}, {"cherokee", "Cherokee"}, {"chorasmian", "Chorasmian"},
    {"chrs", "Chorasmian"}, {"common", "Common"}, {"copt", "Coptic"}, {"coptic", "Coptic"},
    {"cpmn", "Cypro_Minoan"}, {"cprt", "Cypriot"}, {"cuneiform", "Cuneiform"},
    {"cypriot", "Cypriot"}, {"cyprominoan", "Cypro_Minoan"}, {"cyrillic", "Cyrillic"},
    {"cyrl", "Cyrillic"}, {"deseret", "Deseret"}, {"deva", "Devanagari"},
    {"devanagari", "Devanagari"}, {"diak", "Dives_Akuru"}, {"divesakuru", "Dives_Akuru"},
    {"dogr", "Dogra"}, {"dogra", "Dogra"}, {"dsrt", "Deseret"}, {"dupl", "Duployan"},
    {"duployan", "Duployan"}, {"egyp", "Egyptian_Hieroglyphs"},
    {"egyptianhieroglyphs", "Egyptian_Hieroglyphs"}, {"elba", "Elbasan"}, {"elbasan", "Elbasan"},
    {"elym", "Elymaic"}, {"elymaic", "Elymaic"}, {"ethi", "Ethiopic"}, {"ethiopic", "Ethiopic"},
    {"geor", "Georgian"}, {"georgian", "Georgian"}, {"glag", "Glagolitic"},
    {"glagolitic", "Glagolitic"}, {"gong", "Gunjala_Gondi"}, {"gonm", "Masaram_Gondi"},
    {"goth", "Gothic"}, {"gothic", "Gothic"}, {"gran", "Grantha"}, {"grantha", "Grantha"},
    {"greek", "Greek"}, {"grek", "Greek"}, {"gujarati", "Gujarati"}, {"gujr", "Gujarati"},
    {"gunjalagondi", "Gunjala_Gondi"}, {"gurmukhi", "Gurmukhi"}, {"guru", "Gurmukhi"},
    {"han", "Han"}, {"hang", "Hangul"}, {"hangul", "Hangul"}, {"hani", "Han"},
    {"hanifirohingya", "Hanifi_Rohingya"}, {"hano", "Hanunoo"}, {"hanunoo", "Hanunoo"},
    {"hatr", "Hatran"}, {"hatran", "Hatran"}, {"hebr", "Hebrew"}, {"hebrew", "Hebrew"},
    {"hira", "Hiragana"}, {"hiragana", "Hiragana"}, {"hluw", "Anatolian_Hieroglyphs"},
    {"hmng", "Pahawh_Hmong"}, {"hmnp", "Nyiakeng_Puachue_Hmong"}, {"hung", "Old_Hungarian"},
    {"imperialaramaic", "Imperial_Aramaic"}, {"inherited", "Inherited"},
    {"inscriptionalpahlavi", "Inscriptional_Pahlavi"},
    {"inscriptionalparthian", "Inscriptional_Parthian"}, {"ital", "Old_Italic"},
    {"java", "Javanese"}, {"javanese", "Javanese"}, {"kaithi", "Kaithi"}, {"kali", "Kayah_Li"},
    {"kana", "Katakana"}, {"kannada", "Kannada"}, {"katakana", "Katakana"},
    {"kayahli", "Kayah_Li"}, {"khar", "Kharoshthi"}, {"kharoshthi", "Kharoshthi"},
    {"khitansmallscript", "Khitan_Small_Script"}, {"khmer", "Khmer"}, {"khmr", "Khmer"},
    {"khoj", "Khojki"}, {"khojki", "Khojki"}, {"khudawadi", "Khudawadi"},
    {"kits", "Khitan_Small_Script"}, {"knda", "Kannada"}, {"kthi", "Kaithi"}, {"lana", "Tai_Tham"},
    {"lao", "Lao"}, {"laoo", "Lao"}, {"latin", "Latin"}, {"latn", "Latin"}, {"lepc", "Lepcha"},
    {"lepcha", "Lepcha"}, {"limb", "Limbu"}, {"limbu", "Limbu"}, {"lina", "Linear_A"},
    {"linb", "Linear_B"}, {"lineara", "Linear_A"}, {"linearb", "Linear_B"}, {"lisu", "Lisu"},
    {"lyci", "Lycian"}, {"lycian", "Lycian"}, {"lydi", "Lydian"}, {"lydian", "Lydian"},
    {"mahajani", "Mahajani"}, {"mahj", "Mahajani"}, {"maka", "Makasar"}, {"makasar", "Makasar"},
    {"malayalam", "Malayalam"}, {"mand", "Mandaic"}, {"mandaic", "Mandaic"},
    {"mani", "Manichaean"}, {"manichaean", "Manichaean"}, {"marc", "Marchen"},
    {"marchen", "Marchen"}, {"masaramgondi", "Masaram_Gondi"}, {"medefaidrin", "Medefaidrin"},
    {"medf", "Medefaidrin"}, {"meeteimayek", "Meetei_Mayek"}, {"mend", "Mende_Kikakui"},
    {"mendekikakui", "Mende_Kikakui"}, {"merc", "Meroitic_Cursive"},
    {"mero", "Meroitic_Hieroglyphs"}, {"meroiticcursive", "Meroitic_Cursive"},
    {"meroitichieroglyphs", "Meroitic_Hieroglyphs"}, {"miao", "Miao"}, {"mlym", "Malayalam"},
    {"modi", "Modi"}, {"mong", "Mongolian"}, {"mongolian", "Mongolian"}, {"mro", "Mro"},
    {"mroo", "Mro"}, {"mtei", "Meetei_Mayek"}, {"mult", "Multani"}, {"multani", "Multani"},
    {"myanmar", "Myanmar"}, {"mymr", "Myanmar"}, {"nabataean", "Nabataean"},
    {"nand", "Nandinagari"}, {"nandinagari", "Nandinagari"}, {"narb", "Old_North_Arabian"},
    {"nbat", "Nabataean"}, {"newa", "Newa"}, {"newtailue", "New_Tai_Lue"}, {"nko", "Nko"},
    {"nkoo", "Nko"}, {"nshu", "Nushu"}, {"nushu", "Nushu"},
    {"nyiakengpuachuehmong", "Nyiakeng_Puachue_Hmong"}, {"ogam", "Ogham"}, {"ogham", "Ogham"},
    {"olchiki", "Ol_Chiki"}, {"olck", "Ol_Chiki"}, {"oldhungarian", "Old_Hungarian"},
    {"olditalic", "Old_Italic"}, {"oldnortharabian", "Old_North_Arabian"},
    {"oldpermic", "Old_Permic"}, {"oldpersian", "Old_Persian"}, {"oldsogdian", "Old_Sogdian"},
    {"oldsoutharabian", "Old_South_Arabian"}, {"oldturkic", "Old_Turkic"},
    {"olduyghur", "Old_Uyghur"}, {"oriya", "Oriya"}, {"orkh", "Old_Turkic"}, {"orya", "Oriya"},
    {"osage", "Osage"}, {"osge", "Osage"}, {"osma", "Osmanya"}, {"osmanya", "Osmanya"},
    {"ougr", "Old_Uyghur"}, {"pahawhhmong", "Pahawh_Hmong"}, {"palm", "Palmyrene"},
    {"palmyrene", "Palmyrene"}, {"pauc", "Pau_Cin_Hau"}, {"paucinhau", "Pau_Cin_Hau"},
    {"perm", "Old_Permic"}, {"phag", "Phags_Pa"}, {"phagspa", "Phags_Pa"},
    {"phli", "Inscriptional_Pahlavi"}, {"phlp", "Psalter_Pahlavi"}, {"phnx", "Phoenician"},
    {"phoenician", "Phoenician"}, {"plrd", "Miao"}, {"prti", "Inscriptional_Parthian"},
    {"psalterpahlavi", "Psalter_Pahlavi"}, {"qaac", "Coptic"}, {"qaai", "Inherited"},
    {"rejang", "Rejang"}, {"rjng", "Rejang"}, {"rohg", "Hanifi_Rohingya"}, {"runic", "Runic"},
    {"runr", "Runic"}, {"samaritan", "Samaritan"}, {"samr", "Samaritan"},
    {"sarb", "Old_South_Arabian"}, {"saur", "Saurashtra"}, {"saurashtra", "Saurashtra"},
    {"sgnw", "SignWriting"}, {"sharada", "Sharada"}, {"shavian", "Shavian"}, {"shaw", "Shavian"},
    {"shrd", "Sharada"}, {"sidd", "Siddham"}, {"siddham", "Siddham"},
    {"signwriting", "SignWriting"}, {"sind", "Khudawadi"}, {"sinh", "Sinhala"},
    {"sinhala", "Sinhala"}, {"sogd", "Sogdian"}, {"sogdian", "Sogdian"}, {"sogo", "Old_Sogdian"},
    {"sora", "Sora_Sompeng"}, {"sorasompeng", "Sora_Sompeng"}, {"soyo", "Soyombo"},
    {"soyombo", "Soyombo"}, {"sund", "Sundanese"}, {"sundanese", "Sundanese"},
    {"sylo", "Syloti_Nagri"}, {"sylotinagri", "Syloti_Nagri"}, {"syrc", "Syriac"},
    {"syriac", "Syriac"}, {"tagalog", "Tagalog"}, {"tagb", "Tagbanwa"}, {"tagbanwa", "Tagbanwa"},
    {"taile", "Tai_Le"}, {"taitham", "Tai_Tham"}, {"taiviet", "Tai_Viet"}, {"takr", "Takri"},
    {"takri", "Takri"}, {"tale", "Tai_Le"}, {"talu", "New_Tai_Lue"}, {"tamil", "Tamil"},
    {"taml", "Tamil"}, {"tang", "Tangut"}, {"tangsa", "Tangsa"}, {"tangut", "Tangut"},
    {"tavt", "Tai_Viet"}, {"telu", "Telugu"}, {"telugu", "Telugu"}, {"tfng", "Tifinagh"},
    {"tglg", "Tagalog"}, {"thaa", "Thaana"}, {"thaana", "Thaana"}, {"thai", "Thai"},
    {"tibetan", "Tibetan"}, {"tibt", "Tibetan"}, {"tifinagh", "Tifinagh"}, {"tirh", "Tirhuta"},
    {"tirhuta", "Tirhuta"}, {"tnsa", "Tangsa"}, {"toto", "Toto"}, {"ugar", "Ugaritic"},
    {"ugaritic", "Ugaritic"}, {"vai", "Vai"}, {"vaii", "Vai"}, {"vith", "Vithkuqi"},
    {"vithkuqi", "Vithkuqi"}, {"wancho", "Wancho"}, {"wara", "Warang_Citi"},
    {"warangciti", "Warang_Citi"}, {"wcho", "Wancho"}, {"xpeo", "Old_Persian"},
    {"xsux", "Cuneiform"}, {"yezi", "Yezidi"}, {"yezidi", "Yezidi"}, {"yi", "Yi"}, {"yiii", "Yi"},
    {"zanabazarsquare", "Zanabazar_Square"}, {"zanb", "Zanabazar_Square"}, {"zinh", "Inherited"},
    {"zyyy", "Common"},
};

/* General categories: normalized long names to short ones. */
static const struct { const char *key, *gc; } k_gc_long[] = {
    { "letter", "L" }, { "casedletter", "LC" }, { "uppercaseletter", "Lu" }, { "lowercaseletter", "Ll" },
    { "titlecaseletter", "Lt" }, { "modifierletter", "Lm" }, { "otherletter", "Lo" }, { "mark", "M" },
    { "combiningmark", "M" }, { "nonspacingmark", "Mn" }, { "spacingmark", "Mc" }, { "enclosingmark", "Me" },
    { "number", "N" }, { "decimalnumber", "Nd" }, { "letternumber", "Nl" }, { "othernumber", "No" },
    { "punctuation", "P" }, { "connectorpunctuation", "Pc" }, { "dashpunctuation", "Pd" },
    { "openpunctuation", "Ps" }, { "closepunctuation", "Pe" }, { "initialpunctuation", "Pi" },
    { "finalpunctuation", "Pf" }, { "otherpunctuation", "Po" }, { "symbol", "S" }, { "mathsymbol", "Sm" },
    { "currencysymbol", "Sc" }, { "modifiersymbol", "Sk" }, { "othersymbol", "So" }, { "separator", "Z" },
    { "spaceseparator", "Zs" }, { "lineseparator", "Zl" }, { "paragraphseparator", "Zp" }, { "other", "C" },
    { "control", "Cc" }, { "format", "Cf" }, { "surrogate", "Cs" }, { "privateuse", "Co" },
    { "unassigned", "Cn" },
};
static const char *const k_gc_short[] = { "L", "LC", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N",
                                          "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S",
                                          "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs",
                                          "Co", "Cn" };

static void extras(const char *name, const char **plus, const char **minus)
{
    *plus = *minus = "";
    for (size_t i = 0; i < sizeof k_extras / sizeof k_extras[0]; i++)
        if (!strcmp(k_extras[i].name, name)) {
            *plus = k_extras[i].plus;
            *minus = k_extras[i].minus;
            return;
        }
}

/* ------------------------------------------------------------------------ */
/* translation                                                               */
/* ------------------------------------------------------------------------ */

/* A character set under construction: a union of class items that PCRE2
 * can take inside one [...] (inl), complements of such item lists (comp)
 * and arbitrary one-character fragments (frag); comp and frag hold
 * NUL-separated entries. */
typedef struct cset {
    tok_sbuf inl, comp, frag;
    int ncomp, nfrag;
} cset;

typedef struct xl {
    const char *p;
    size_t n, i;
    tok_sbuf *o;
    char *err;
    size_t errcap;
    bool oom;
} xl;

static void cs_free(cset *c)
{
    tok_vec_free(&c->inl);
    tok_vec_free(&c->comp);
    tok_vec_free(&c->frag);
}

static int put(xl *x, tok_sbuf *b, const char *s)
{
    if (tok_sbuf_put(b, s, strlen(s))) {
        x->oom = true;
        return -1;
    }
    return 0;
}

static int putn(xl *x, tok_sbuf *b, const char *s, size_t n)
{
    if (tok_sbuf_put(b, s, n)) {
        x->oom = true;
        return -1;
    }
    return 0;
}

static int fail(xl *x, const char *fmt, ...) TOK_PRINTF(2, 3);
static int fail(xl *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, x->errcap, fmt, ap);
    va_end(ap);
    return -1;
}

static int cs_entry(xl *x, tok_sbuf *b, int *cnt, const char *s, size_t n)
{
    if (putn(x, b, s, n) || putn(x, b, "", 1)) return -1; /* keeps the NUL */
    (*cnt)++;
    return 0;
}

static int cs_inl(xl *x, cset *c, const char *s) { return put(x, &c->inl, s); }
static int cs_comp(xl *x, cset *c, const char *s) { return cs_entry(x, &c->comp, &c->ncomp, s, strlen(s)); }
static int cs_comp_buf(xl *x, cset *c, const tok_sbuf *b) { return cs_entry(x, &c->comp, &c->ncomp, b->v, b->n); }
static int cs_frag(xl *x, cset *c, const char *s, size_t n) { return cs_entry(x, &c->frag, &c->nfrag, s, n); }

/* Next NUL-separated entry of b after *pos. */
static const char *entry(const tok_sbuf *b, size_t *pos)
{
    const char *s = b->v + *pos;
    *pos += strlen(s) + 1;
    return s;
}

/* A fragment matching one character of the set c (negated: one outside it). */
static int cs_render(xl *x, const cset *c, bool neg, tok_sbuf *o)
{
    bool inl = c->inl.n > 0;
    if (c->ncomp == 0 && c->nfrag == 0) {
        if (!inl) return put(x, o, neg ? "(?s:.)" : "(?!)"); /* [] cannot match; [^] anything */
        if (put(x, o, neg ? "[^" : "[") || putn(x, o, c->inl.v, c->inl.n)) return -1;
        return put(x, o, "]");
    }
    size_t pos = 0;
    if (!neg) {
        if (!inl && c->ncomp == 1 && c->nfrag == 0) {
            const char *s = entry(&c->comp, &pos);
            return put(x, o, "[^") || put(x, o, s) || put(x, o, "]");
        }
        const char *sep = "";
        if (put(x, o, "(?:")) return -1;
        if (inl) {
            if (put(x, o, "[") || putn(x, o, c->inl.v, c->inl.n) || put(x, o, "]")) return -1;
            sep = "|";
        }
        for (int k = 0; k < c->ncomp; k++) {
            if (put(x, o, sep) || put(x, o, "[^") || put(x, o, entry(&c->comp, &pos)) || put(x, o, "]")) return -1;
            sep = "|";
        }
        pos = 0;
        for (int k = 0; k < c->nfrag; k++) {
            if (put(x, o, sep) || put(x, o, entry(&c->frag, &pos))) return -1;
            sep = "|";
        }
        return put(x, o, ")");
    }
    /* outside the union: not in any part; a complement part means "in its items".
     * Grouped, so a quantifier after it applies to the whole. */
    if (put(x, o, "(?:")) return -1;
    if (inl && (put(x, o, "(?![") || putn(x, o, c->inl.v, c->inl.n) || put(x, o, "])"))) return -1;
    for (int k = 0; k < c->nfrag; k++)
        if (put(x, o, "(?!") || put(x, o, entry(&c->frag, &pos)) || put(x, o, ")")) return -1;
    pos = 0;
    for (int k = 0; k < c->ncomp; k++) {
        const char *s = entry(&c->comp, &pos);
        bool last = k == c->ncomp - 1;
        if (put(x, o, last ? "[" : "(?=[") || put(x, o, s) || put(x, o, last ? "]" : "])")) return -1;
    }
    if (c->ncomp == 0 && put(x, o, "(?s:.)")) return -1;
    return put(x, o, ")");
}

static void normalize_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '_' || ch == '-') continue;
        out[k++] = (char)tolower((unsigned char)ch);
    }
    out[k] = 0;
}

/* Add \p{name} (or its negation) to c. */
static int add_property(xl *x, cset *c, const char *name, size_t len, bool neg)
{
    char key[64], item[96], key2[72];
    const char *plus = "", *minus = "";
    if (len == 0 || len >= 60) return fail(x, "bad property name at offset %zu", x->i);
    normalize_name(name, len, key, sizeof key);
    if (!strcmp(key, "assigned")) {
        strcpy(key, "cn");
        neg = !neg;
    }
    const char *gc = NULL;
    for (size_t i = 0; i < sizeof k_gc_short / sizeof k_gc_short[0]; i++) {
        char k2[8];
        normalize_name(k_gc_short[i], strlen(k_gc_short[i]), k2, sizeof k2);
        if (!strcmp(k2, key)) gc = k_gc_short[i];
    }
    for (size_t i = 0; !gc && i < sizeof k_gc_long / sizeof k_gc_long[0]; i++)
        if (!strcmp(k_gc_long[i].key, key)) gc = k_gc_long[i].gc;
    if (gc) {
        snprintf(item, sizeof item, "\\p{%s}", gc);
        extras(gc, &plus, &minus);
    } else {
        const char *sc = NULL;
        for (size_t i = 0; i < sizeof k_scripts / sizeof k_scripts[0]; i++)
            if (!strcmp(k_scripts[i].key, key)) sc = k_scripts[i].name;
        if (sc) {
            snprintf(item, sizeof item, "\\p{sc:%s}", sc);
            snprintf(key2, sizeof key2, "sc:%s", sc);
            extras(key2, &plus, &minus);
        } else if (!strcmp(key, "alphabetic") || !strcmp(key, "alpha")) {
            strcpy(item, "\\p{Alphabetic}");
            extras("POSIX:alpha", &plus, &minus);
        } else if (!strcmp(key, "lowercase") || !strcmp(key, "lower")) {
            strcpy(item, "\\p{Lowercase}");
            extras("POSIX:lower", &plus, &minus);
        } else if (!strcmp(key, "uppercase") || !strcmp(key, "upper")) {
            strcpy(item, "\\p{Uppercase}");
            extras("POSIX:upper", &plus, &minus);
        } else {
            /* other binary properties: PCRE2's own names and tables */
            snprintf(item, sizeof item, "\\p{%.*s}", (int)len, name);
        }
    }
    tok_sbuf t = { 0 };
    int r;
    if (!neg) {
        if (!*minus) {
            r = cs_inl(x, c, item) || cs_inl(x, c, plus);
        } else {
            r = put(x, &t, "(?![") || put(x, &t, minus) || put(x, &t, "])[") || put(x, &t, item) ||
                put(x, &t, plus) || put(x, &t, "]") || cs_frag(x, c, t.v, t.n);
        }
    } else if (!*plus) {
        item[1] = 'P';
        r = cs_inl(x, c, item) || cs_inl(x, c, minus);
    } else if (!*minus) {
        r = put(x, &t, item) || put(x, &t, plus) || cs_comp_buf(x, c, &t);
    } else {
        r = put(x, &t, "(?:[") || put(x, &t, minus) || put(x, &t, "]|(?![") || put(x, &t, item) ||
            put(x, &t, plus) || put(x, &t, "])(?s:.))") || cs_frag(x, c, t.v, t.n);
    }
    tok_vec_free(&t);
    return r ? -1 : 0;
}

static int add_word(xl *x, cset *c, bool neg, bool in_class)
{
    const char *plus, *minus;
    const char *outside = in_class ? "" : WORD_OUTSIDE;
    extras("WORD", &plus, &minus);
    if (!neg) return cs_inl(x, c, WORD_ITEMS) || cs_inl(x, c, outside) || cs_inl(x, c, plus) ? -1 : 0;
    tok_sbuf t = { 0 };
    int r = put(x, &t, WORD_ITEMS) || put(x, &t, outside) || put(x, &t, plus) || cs_comp_buf(x, c, &t);
    tok_vec_free(&t);
    return r ? -1 : 0;
}

static int add_digit(xl *x, cset *c, bool neg)
{
    const char *plus, *minus;
    extras("DIGIT", &plus, &minus);
    if (!neg) return cs_inl(x, c, "\\p{Nd}") || cs_inl(x, c, plus) ? -1 : 0;
    tok_sbuf t = { 0 };
    int r = put(x, &t, "\\p{Nd}") || put(x, &t, plus) || cs_comp_buf(x, c, &t);
    tok_vec_free(&t);
    return r ? -1 : 0;
}

/* POSIX brackets [:name:] / [:^name:] with Oniguruma's Unicode meaning. */
static int add_posix(xl *x, cset *c, const char *name, size_t len)
{
    static const struct { const char *name, *items; } simple[] = {
        { "alpha", "\\p{Alphabetic}" }, { "alnum", "\\p{Alphabetic}\\p{Nd}" }, { "lower", "\\p{Lowercase}" },
        { "upper", "\\p{Uppercase}" }, { "punct", "\\p{P}\\p{S}" }, { "digit", "\\p{Nd}" },
        { "word", WORD_ITEMS }, { "ascii", "\\x{0}-\\x{7f}" }, { "blank", "\\p{Zs}\\x{9}" },
        { "cntrl", "\\p{Cc}" }, { "space", WS_ITEMS }, { "xdigit", HEX_ITEMS },
    };
    static const char graph[] = "\\p{White_Space}\\p{Cc}\\p{Cn}\\p{Cs}";
    bool neg = len > 0 && name[0] == '^';
    if (neg) {
        name++;
        len--;
    }
    char key[16], ek[24];
    if (len == 0 || len >= sizeof key) return fail(x, "unknown POSIX bracket at offset %zu", x->i);
    memcpy(key, name, len);
    key[len] = 0;
    const char *plus, *minus;
    snprintf(ek, sizeof ek, "POSIX:%s", key);
    extras(!strcmp(key, "digit") ? "DIGIT" : !strcmp(key, "word") ? "WORD" : ek, &plus, &minus);
    tok_sbuf t = { 0 };
    int r = -2;
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcmp(key, simple[i].name)) continue;
        if (!neg) r = cs_inl(x, c, simple[i].items) || cs_inl(x, c, plus);
        else r = put(x, &t, simple[i].items) || put(x, &t, plus) || cs_comp_buf(x, c, &t);
    }
    if (r == -2 && (!strcmp(key, "graph") || !strcmp(key, "print"))) {
        /* everything but space, controls, unassigned and surrogates; print adds Zs */
        const char *zs = key[0] == 'p' ? "\\p{Zs}" : "";
        if (!neg) r = cs_comp(x, c, graph) || cs_inl(x, c, zs) || cs_inl(x, c, plus);
        else
            r = put(x, &t, "(?:(?![") || put(x, &t, zs) || put(x, &t, plus) || put(x, &t, "])[") ||
                put(x, &t, graph) || put(x, &t, "])") || cs_frag(x, c, t.v, t.n);
    }
    tok_vec_free(&t);
    if (r == -2) return fail(x, "unknown POSIX bracket [:%s:]", key);
    return r ? -1 : 0;
}

static bool ishex(char ch) { return isxdigit((unsigned char)ch) != 0; }

/* Class escapes (\s \w \d \h \p and negations) into c.  x->i is at the
 * letter after the backslash.  1 if handled, 0 if not a class escape, -1 error. */
static int class_escape(xl *x, cset *c, bool in_class)
{
    char e = x->p[x->i];
    switch (e) {
    case 's': x->i++; return cs_inl(x, c, WS_ITEMS) ? -1 : 1;
    case 'S': x->i++; return cs_comp(x, c, WS_ITEMS) ? -1 : 1;
    case 'w': x->i++; return add_word(x, c, false, in_class) ? -1 : 1;
    case 'W': x->i++; return add_word(x, c, true, in_class) ? -1 : 1;
    case 'd': x->i++; return add_digit(x, c, false) ? -1 : 1;
    case 'D': x->i++; return add_digit(x, c, true) ? -1 : 1;
    case 'h': x->i++; return cs_inl(x, c, HEX_ITEMS) ? -1 : 1;
    case 'H': x->i++; return cs_comp(x, c, HEX_ITEMS) ? -1 : 1;
    case 'p':
    case 'P': {
        if (x->i + 1 >= x->n || x->p[x->i + 1] != '{') return 0; /* \pL: not Ruby syntax, left to PCRE2 */
        bool neg = e == 'P';
        size_t s = x->i + 2;
        if (s < x->n && x->p[s] == '^') {
            neg = !neg;
            s++;
        }
        size_t close = s;
        while (close < x->n && x->p[close] != '}') close++;
        if (close >= x->n) return fail(x, "unterminated \\%c{ at offset %zu", e, x->i - 1);
        int r = add_property(x, c, x->p + s, close - s, neg);
        x->i = close + 1;
        return r ? -1 : 1;
    }
    default: return 0;
    }
}

/* One single-character escape (x->i at the letter after '\\') written in
 * PCRE2 syntax to o.  in_class: \b is backspace. */
static int char_escape(xl *x, tok_sbuf *o, bool in_class)
{
    char e = x->p[x->i];
    char buf[32];
    if (e == 'u' && x->i + 4 < x->n + 0 && ishex(x->p[x->i + 1]) && ishex(x->p[x->i + 2]) && ishex(x->p[x->i + 3]) &&
        ishex(x->p[x->i + 4])) {
        snprintf(buf, sizeof buf, "\\x{%.4s}", x->p + x->i + 1);
        x->i += 5;
        return put(x, o, buf);
    }
    if (e == 'v') {
        x->i++;
        return put(x, o, "\\x{b}");
    }
    if (e == 'b' && in_class) {
        x->i++;
        return put(x, o, "\\x{8}");
    }
    if (e == 'x') {
        /* \xHH or \x{...}: the same in PCRE2 */
        size_t j = x->i + 1;
        if (j < x->n && x->p[j] == '{') {
            while (j < x->n && x->p[j] != '}') j++;
            if (j < x->n) j++;
        } else {
            for (int k = 0; k < 2 && j < x->n && ishex(x->p[j]); k++) j++;
        }
        if (put(x, o, "\\")) return -1;
        int r = putn(x, o, x->p + x->i, j - x->i);
        x->i = j;
        return r;
    }
    if (e == 'c' || e == 'C' || e == 'M') {
        /* control chars \cX, \C-X, \M-X: only \cX exists in PCRE2 */
        if (e == 'c' && x->i + 1 < x->n) {
            int r = put(x, o, "\\") || putn(x, o, x->p + x->i, 2);
            x->i += 2;
            return r ? -1 : 0;
        }
        return fail(x, "unsupported escape \\%c at offset %zu", e, x->i - 1);
    }
    /* anything else: one (possibly multibyte) character after the backslash */
    size_t l = (unsigned char)e < 0x80 ? 1 : (size_t)tok_utf8_seqlen((uint8_t)e);
    if (l == 0) l = 1;
    if (x->i + l > x->n) l = x->n - x->i;
    int r = put(x, o, "\\") || putn(x, o, x->p + x->i, l);
    x->i += l;
    return r ? -1 : 0;
}

static int parse_class(xl *x, cset *out_union, tok_sbuf *frag, bool *is_frag);

/* Is the single-character item at x->i an escape naming a set? */
static bool is_set_escape(const xl *x, size_t i)
{
    if (i + 1 >= x->n || x->p[i] != '\\') return false;
    char e = x->p[i + 1];
    if (strchr("sSwWdDhH", e)) return true;
    return (e == 'p' || e == 'P') && i + 2 < x->n && x->p[i + 2] == '{';
}

/* One single character at x->i inside a class, rendered as a class item. */
static int class_char(xl *x, tok_sbuf *o)
{
    unsigned char ch = (unsigned char)x->p[x->i];
    if (ch == '\\') {
        x->i++;
        if (x->i >= x->n) return fail(x, "pattern ends with a backslash");
        return char_escape(x, o, true);
    }
    if (ch == '^' || ch == '-' || ch == '[' || ch == ']') {
        char b[3] = { '\\', (char)ch, 0 };
        x->i++;
        return put(x, o, b);
    }
    size_t l = ch < 0x80 ? 1 : (size_t)tok_utf8_seqlen(ch);
    if (l == 0) l = 1;
    if (x->i + l > x->n) l = x->n - x->i;
    int r = putn(x, o, x->p + x->i, l);
    x->i += l;
    return r;
}

/* The items of one class operand (up to "&&" or "]") into c. */
static int class_items(xl *x, cset *c, bool first)
{
    while (x->i < x->n) {
        char ch = x->p[x->i];
        if (ch == ']' && !first) return 0;
        if (ch == '&' && x->i + 1 < x->n && x->p[x->i + 1] == '&') return 0;
        first = false;
        if (ch == '[' && x->i + 1 < x->n && x->p[x->i + 1] == ':') {
            size_t j = x->i + 2;
            while (j + 1 < x->n && (isalpha((unsigned char)x->p[j]) || x->p[j] == '^')) j++;
            if (j + 1 < x->n && x->p[j] == ':' && x->p[j + 1] == ']') {
                int r = add_posix(x, c, x->p + x->i + 2, j - x->i - 2);
                x->i = j + 2;
                if (r) return -1;
                continue;
            }
            /* not a bracket: a nested class starting with ':' */
        }
        if (ch == '[') {
            /* nested class: a union member */
            cset sub = { 0 };
            tok_sbuf frag = { 0 };
            bool isf = false;
            int r = parse_class(x, &sub, &frag, &isf);
            if (!r) {
                if (isf) r = cs_frag(x, c, frag.v, frag.n);
                else {
                    /* positive nested union: merge its parts */
                    size_t pos = 0;
                    r = putn(x, &c->inl, sub.inl.v ? sub.inl.v : "", sub.inl.n);
                    for (int k = 0; !r && k < sub.ncomp; k++) r = cs_comp(x, c, entry(&sub.comp, &pos));
                    pos = 0;
                    for (int k = 0; !r && k < sub.nfrag; k++) {
                        const char *f = entry(&sub.frag, &pos);
                        r = cs_frag(x, c, f, strlen(f));
                    }
                }
            }
            cs_free(&sub);
            tok_vec_free(&frag);
            if (r) return -1;
            continue;
        }
        if (ch == '\\' && is_set_escape(x, x->i)) {
            x->i++;
            if (class_escape(x, c, true) < 0) return -1;
            continue;
        }
        /* a single character, maybe the start of a range */
        tok_sbuf lo = { 0 };
        if (class_char(x, &lo)) {
            tok_vec_free(&lo);
            return -1;
        }
        int r = putn(x, &c->inl, lo.v, lo.n);
        tok_vec_free(&lo);
        if (r) return -1;
        if (x->i + 1 < x->n && x->p[x->i] == '-' && x->p[x->i + 1] != ']' && x->p[x->i + 1] != '[' &&
            !is_set_escape(x, x->i + 1) && !(x->p[x->i + 1] == '&' && x->i + 2 < x->n && x->p[x->i + 2] == '&')) {
            x->i++;
            if (put(x, &c->inl, "-") || class_char(x, &c->inl)) return -1;
        }
    }
    return fail(x, "unterminated character class");
}

/* x->i at '['.  Either fills out_union (a plain, positive union whose parts
 * the caller may merge) or, with *is_frag, a one-character fragment. */
static int parse_class(xl *x, cset *out_union, tok_sbuf *frag, bool *is_frag)
{
    x->i++;
    bool neg = false;
    if (x->i < x->n && x->p[x->i] == '^') {
        neg = true;
        x->i++;
    }
    cset ops[16];
    int nops = 0;
    int r = 0;
    memset(ops, 0, sizeof ops);
    for (;;) {
        if (nops == 16) {
            r = fail(x, "too many && in a character class");
            break;
        }
        r = class_items(x, &ops[nops], nops == 0);
        nops++;
        if (r) break;
        if (x->p[x->i] == ']') {
            x->i++;
            break;
        }
        x->i += 2; /* && */
    }
    if (!r) {
        if (nops == 1 && !neg) {
            *out_union = ops[0];
            memset(&ops[0], 0, sizeof ops[0]);
            *is_frag = false;
        } else if (nops == 1) {
            r = cs_render(x, &ops[0], true, frag);
            *is_frag = true;
        } else {
            /* intersection: lookaheads for all operands but the last, which consumes */
            tok_sbuf t = { 0 };
            r = put(x, &t, neg ? "(?:(?!" : "(?:");
            for (int k = 0; !r && k < nops; k++) {
                if (k < nops - 1) r = put(x, &t, "(?=") || cs_render(x, &ops[k], false, &t) || put(x, &t, ")");
                else r = cs_render(x, &ops[k], false, &t);
            }
            if (!r) r = put(x, &t, neg ? ")(?s:.))" : ")");
            if (!r) r = putn(x, frag, t.v, t.n);
            tok_vec_free(&t);
            *is_frag = true;
        }
    }
    for (int k = 0; k < nops; k++) cs_free(&ops[k]);
    return r ? -1 : 0;
}

/* (?flags) or (?flags: -- Ruby's m is PCRE2's s. */
static int group_options(xl *x)
{
    size_t j = x->i + 2;
    while (j < x->n && (isalpha((unsigned char)x->p[j]) || x->p[j] == '-')) j++;
    if (j >= x->n || (x->p[j] != ')' && x->p[j] != ':') || j == x->i + 2) return 0;
    if (put(x, x->o, "(?")) return -1;
    for (size_t k = x->i + 2; k < j; k++) {
        char f = x->p[k];
        if (f == 'm') f = 's';
        else if (f != 'i' && f != 'x' && f != '-') return fail(x, "unsupported option (?%c) at offset %zu", f, x->i);
        if (putn(x, x->o, &f, 1)) return -1;
    }
    x->i = j;
    return 1;
}

int tok_onig_to_pcre2(const char *pat, size_t len, tok_sbuf *out, char *err, size_t errcap)
{
    xl X = { .p = pat, .n = len, .i = 0, .o = out, .err = err, .errcap = errcap };
    xl *x = &X;
    if (errcap) err[0] = 0;
    while (x->i < x->n) {
        unsigned char ch = (unsigned char)x->p[x->i];
        int r = 0;
        if (ch == '\\') {
            x->i++;
            if (x->i >= x->n) return fail(x, "pattern ends with a backslash");
            char e = x->p[x->i];
            cset c = { 0 };
            int k = class_escape(x, &c, false);
            if (k == 1) r = cs_render(x, &c, false, x->o);
            cs_free(&c);
            if (k < 0 || r) goto out;
            if (k == 1) continue;
            if (e == 'b' || e == 'B') {
                const char *plus, *minus;
                extras("WORD", &plus, &minus);
                tok_sbuf w = { 0 };
                r = put(x, &w, "[" WORD_ITEMS WORD_OUTSIDE) || put(x, &w, plus) || put(x, &w, "]");
                if (!r) {
                    const char *W = w.v;
                    int wl = (int)w.n;
                    r = tok_sbuf_printf(x->o,
                                        e == 'b' ? "(?:(?<=%.*s)(?!%.*s)|(?<!%.*s)(?=%.*s))"
                                                 : "(?:(?<=%.*s)(?=%.*s)|(?<!%.*s)(?!%.*s))",
                                        wl, W, wl, W, wl, W, wl, W);
                    if (r) x->oom = true;
                }
                tok_vec_free(&w);
                x->i++;
            } else if (e == 'O') {
                r = put(x, x->o, "(?s:.)");
                x->i++;
            } else if (e == 'y' || e == 'Y') {
                r = fail(x, "unsupported escape \\%c (grapheme boundary)", e);
            } else if (e == 'A' || e == 'z' || e == 'Z' || e == 'G' || e == 'K' || e == 'R' || e == 'X' ||
                       e == 'N' || e == 'k' || e == 'g' || (e >= '0' && e <= '9')) {
                /* same in PCRE2; \k<..> / \g<..> copy on naturally */
                r = put(x, x->o, "\\") || putn(x, x->o, &e, 1);
                x->i++;
            } else {
                r = char_escape(x, x->o, false);
            }
        } else if (ch == '[') {
            cset c = { 0 };
            tok_sbuf frag = { 0 };
            bool isf = false;
            r = parse_class(x, &c, &frag, &isf);
            if (!r) r = isf ? putn(x, x->o, frag.v, frag.n) : cs_render(x, &c, false, x->o);
            cs_free(&c);
            tok_vec_free(&frag);
        } else if (ch == '(' && x->i + 1 < x->n && x->p[x->i + 1] == '?') {
            if (x->i + 2 < x->n && x->p[x->i + 2] == '~') {
                r = fail(x, "unsupported absent operator (?~ at offset %zu", x->i);
            } else {
                int k = group_options(x);
                if (k < 0) r = -1;
                else if (k == 0) {
                    r = put(x, x->o, "(?");
                    x->i += 2;
                }
            }
        } else if (ch == '{' && x->i + 1 < x->n && x->p[x->i + 1] == ',') {
            /* {,n} means {0,n} */
            size_t j = x->i + 2;
            while (j < x->n && isdigit((unsigned char)x->p[j])) j++;
            if (j < x->n && x->p[j] == '}' && j > x->i + 2) {
                r = put(x, x->o, "{0");
            } else {
                r = put(x, x->o, "\\{");
            }
            x->i++;
        } else {
            size_t l = ch < 0x80 ? 1 : (size_t)tok_utf8_seqlen(ch);
            if (l == 0) l = 1;
            if (x->i + l > x->n) l = x->n - x->i;
            r = putn(x, x->o, x->p + x->i, l);
            x->i += l;
        }
        if (r) goto out;
    }
    if (tok_sbuf_cstr(out)) x->oom = true;
out:
    if (x->oom) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    return err[0] ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* compile and match                                                         */
/* ------------------------------------------------------------------------ */

tok_pt_regex *tok_pt_regex_new(tok_jctx *jc, const char *pat, size_t len, bool literal)
{
    tok_sbuf tr = { 0 };
    char err[200];
    const char *src = pat;
    size_t srclen = len;
    uint32_t opts = PCRE2_UTF;
    if (literal) {
        opts |= PCRE2_LITERAL; /* (UCP is not allowed with it, and not needed) */
    } else {
        if (tok_onig_to_pcre2(pat, len, &tr, err, sizeof err)) {
            tok_jfail(jc, strcmp(err, "out of memory") ? TOK_ERR_UNSUPPORTED : TOK_ERR_NOMEM,
                      "regex \"%.*s\": %s", (int)(len > 200 ? 200 : len), pat, err);
            tok_vec_free(&tr);
            return NULL;
        }
        src = tr.v;
        srclen = tr.n;
        opts |= PCRE2_UCP | PCRE2_MULTILINE;
    }
    tok_pt_regex *re = calloc(1, sizeof *re);
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!re || !cc) {
        free(re);
        pcre2_compile_context_free(cc);
        tok_vec_free(&tr);
        tok_jfail(jc, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_set_bsr(cc, PCRE2_BSR_UNICODE);
    int ec;
    PCRE2_SIZE eo;
    re->code = pcre2_compile((PCRE2_SPTR)src, srclen, opts, &ec, &eo, cc);
    pcre2_compile_context_free(cc);
    if (!re->code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        tok_jfail(jc, TOK_ERR_UNSUPPORTED, "regex \"%.*s\" does not compile: %s", (int)(len > 200 ? 200 : len),
                  pat, (const char *)msg);
        tok_vec_free(&tr);
        free(re);
        return NULL;
    }
    tok_vec_free(&tr);
    re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
    return re;
}

void tok_pt_regex_free(tok_pt_regex *re)
{
    if (!re) return;
    pcre2_code_free(re->code);
    free(re);
}

/* PCRE2 memory for one call comes from the context arena, freed with it. */
static void *arena_malloc(PCRE2_SIZE n, void *data) { return tok_arena_alloc((tok_arena *)data, n); }
static void arena_free(void *p, void *data)
{
    TOK_UNUSED(p);
    TOK_UNUSED(data);
}

tok_pt_matcher *tok_pt_matcher_new(const tok_pt_regex *re, tok_ctx *ctx)
{
    tok_pt_matcher *m = tok_arena_alloc(&ctx->arena, sizeof *m);
    pcre2_general_context *gc = m ? pcre2_general_context_create(arena_malloc, arena_free, &ctx->arena) : NULL;
    pcre2_match_data *md = gc ? pcre2_match_data_create_from_pattern(re->code, gc) : NULL;
    if (!md) {
        tok_ctx_fail(ctx, TOK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    m->re = re;
    m->md = md;
    m->stack = NULL;
    m->mc = NULL;
    return m;
}

void tok_pt_matcher_done(tok_pt_matcher *m)
{
    if (!m) return;
    pcre2_jit_stack_free(m->stack);
    pcre2_match_context_free(m->mc);
    m->stack = NULL;
    m->mc = NULL;
}

/* Leftmost match at or after start: 1 found, 0 none, <0 PCRE2 error. */
static int find(tok_pt_matcher *m, const uint8_t *s, size_t n, size_t start, size_t *ms, size_t *me)
{
    int rc;
    if (m->re->jit) {
        rc = pcre2_jit_match(m->re->code, s, n, start, 0, m->md, m->mc);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !m->stack) {
            /* a long match of a repeated group: retry with a stack that can
             * grow (Oniguruma has no such limit) */
            m->mc = pcre2_match_context_create(NULL);
            m->stack = pcre2_jit_stack_create(1 << 16, 1 << 28, NULL);
            if (!m->mc || !m->stack) return PCRE2_ERROR_NOMEMORY;
            pcre2_jit_stack_assign(m->mc, NULL, m->stack);
            rc = pcre2_jit_match(m->re->code, s, n, start, 0, m->md, m->mc);
        }
    } else {
        rc = pcre2_match(m->re->code, s, n, start, PCRE2_NO_UTF_CHECK, m->md, NULL);
    }
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc < 0) return rc;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    *ms = ov[0];
    *me = ov[1] < ov[0] ? ov[0] : ov[1]; /* \K in a lookahead can do that */
    return 1;
}

int tok_pt_regex_next(tok_pt_regex_iter *it, size_t *ms, size_t *me)
{
    while (it->pos <= it->n) {
        int rc = find(it->m, it->s, it->n, it->pos, ms, me);
        if (rc <= 0) return rc;
        if (*ms == *me && it->have_last && it->last_end == *me) {
            /* empty match where the last one ended: step one character */
            if (it->pos >= it->n) return 0;
            int l = tok_utf8_seqlen(it->s[it->pos]);
            it->pos += l > 0 ? (size_t)l : 1;
            continue;
        }
        it->pos = *me;
        it->last_end = *me;
        it->have_last = true;
        return 1;
    }
    return 0;
}

void tok_pt_regex_iter_init(tok_pt_regex_iter *it, tok_pt_matcher *m, const uint8_t *s, size_t n)
{
    memset(it, 0, sizeof *it);
    it->m = m;
    it->s = s;
    it->n = n;
}

tok_status tok_pt_regex_fail(tok_ctx *ctx, const char *who, int rc)
{
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return tok_ctx_fail(ctx, TOK_ERR_LIMIT, "%s: regex match failed: %s", who, (const char *)msg);
}
