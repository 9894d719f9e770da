#!/bin/sh
# Word lists for %valid (tok analyze morph --wordlist CODE, tok audit --wordlist
# auto) and approximate hunspell-derived morph gold, into the cache:
#
#   $TOK_CACHE/lang/words/<code>/*.txt   plain lists (/usr/share/dict, jieba)
#   $TOK_CACHE/lang/words/<code>/*.dic   hunspell dictionaries, .aff beside
#                                        (expanded to every form when read)
#   $TOK_CACHE/lang/words/fi/voikko.txt  Finnish: Debian has no Finnish list or
#                                        hunspell dictionary, so the words of the
#                                        Finnish texts and all their substrings
#                                        that Voikko (voikko-fi) accepts
#   $TOK_CACHE/lang/words/SOURCES.tsv    code, file, Debian package and version
#                                        (each list's copyright file beside it)
#   $TOK_CACHE/lang/gold/<code>-hunspell.tsv  20,000 forms per dictionary with
#                                        their stem|affix boundaries, sampled
#                                        deterministically (approximate gold;
#                                        needs a built tok: $TOK or ./tok)
#
# Packages: apt-get download + dpkg-deb -x, nothing installed.  Run by
# scripts/fetch-refs.sh after lang.sh; stamps make a second run instant.
set -eu
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
FORCE=${FETCH_FORCE:-0}
Q=${FETCH_QUIET:-0}
OUT=$TOK_CACHE/lang/words
say() { [ "$Q" = 1 ] || echo "fetch.d/words: $*"; }

# code:package:file-in-package:name-in-cache (a .dic brings its .aff)
LISTS="en:wamerican:usr/share/dict/american-english:american-english.txt
en:wbritish:usr/share/dict/british-english:british-english.txt
en:hunspell-en-us:usr/share/hunspell/en_US.dic:en_US.dic
de:wngerman:usr/share/dict/ngerman:ngerman.txt
de:hunspell-de-de:usr/share/hunspell/de_DE.dic:de_DE.dic
fr:wfrench:usr/share/dict/french:french.txt
fr:hunspell-fr-classical:usr/share/hunspell/fr.dic:fr.dic
es:wspanish:usr/share/dict/spanish:spanish.txt
es:hunspell-es:usr/share/hunspell/es_ES.dic:es_ES.dic
it:witalian:usr/share/dict/italian:italian.txt
it:hunspell-it:usr/share/hunspell/it_IT.dic:it_IT.dic
pt:wportuguese:usr/share/dict/portuguese:portuguese.txt
pt:hunspell-pt-pt:usr/share/hunspell/pt_PT.dic:pt_PT.dic
ru:hunspell-ru:usr/share/hunspell/ru_RU.dic:ru_RU.dic
tr:hunspell-tr:usr/share/hunspell/tr_TR.dic:tr_TR.dic
zh:python3-jieba:usr/lib/python3/dist-packages/jieba/dict.txt:jieba.txt"

key=$( (echo "$LISTS"; cat "$0") | sha256sum | cut -c1-16)
if [ "$FORCE" != 1 ] && [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$key" ]; then
    say "lists: up to date"
elif ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "fetch.d/words: apt-get/dpkg-deb missing: cannot fetch the word lists" >&2
    exit 1
else
    W=$TOK_CACHE/lang/words-work
    rm -rf "$W" "$OUT"
    mkdir -p "$W/deb" "$OUT"
    pkgs=$(echo "$LISTS" | cut -d: -f2 | sort -u | tr '\n' ' ')
    (cd "$W/deb" && apt-get download $pkgs >/dev/null 2>&1) ||
        { rm -rf "$W"; echo "fetch.d/words: apt-get download $pkgs failed" >&2; exit 1; }
    printf 'code\tfile\tpackage\tversion\n' > "$OUT/SOURCES.tsv"
    echo "$LISTS" | while IFS=: read -r code pkg src name; do
        deb=$(ls "$W"/deb/${pkg}_*.deb | head -n 1)
        x=$W/x/$pkg
        [ -d "$x" ] || { mkdir -p "$x"; dpkg-deb -x "$deb" "$x"; }
        mkdir -p "$OUT/$code"
        cp -L "$x/$src" "$OUT/$code/$name" || { echo "fetch.d/words: $src not in $pkg" >&2; exit 1; }
        case $src in *.dic) cp -L "$x/${src%.dic}.aff" "$OUT/$code/${name%.dic}.aff" ;; esac
        cp -L "$x/usr/share/doc/$pkg/copyright" "$OUT/$code/$name.COPYRIGHT" 2>/dev/null || true
        printf '%s\t%s\t%s\t%s\n' "$code" "$name" "$pkg" "$(dpkg-deb -f "$deb" Version)" >> "$OUT/SOURCES.tsv"
    done
    rm -rf "$W"
    echo "$key" > "$OUT/.stamp"
    say "lists: $(echo "$LISTS" | wc -l) files for $(echo "$LISTS" | cut -d: -f1 | sort -u | wc -l) languages"
fi

# Finnish: Voikko decides which words (and substrings of words: what tokens
# are) of the Finnish evaluation texts are words.
FI_TEXTS="$TOK_CACHE/lang/udhr34/fi.txt $TOK_CACHE/lang/lohelp/fi.txt"
key=$(cat "$0" $FI_TEXTS 2>/dev/null | sha256sum | cut -c1-16)
if [ "$FORCE" != 1 ] && [ -f "$OUT/.fi.stamp" ] && [ "$(cat "$OUT/.fi.stamp")" = "$key" ]; then
    say "fi (Voikko): up to date"
elif ! /usr/bin/python3 -c 'import libvoikko' 2>/dev/null; then
    echo "fetch.d/words: no Finnish list: install voikko-fi and python3-libvoikko (scripts/deps.sh test)" >&2
else
    mkdir -p "$OUT/fi"
    /usr/bin/python3 - "$OUT/fi/voikko.txt" $FI_TEXTS <<'PY'
import re, sys, libvoikko
v = libvoikko.Voikko("fi")
words = set()
for p in sys.argv[2:]:
    for line in open(p, encoding="utf-8"):
        words.update(re.findall(r"[^\W\d_]+", line.lower()))
cand = set()
for w in words:
    for i in range(len(w)):
        for j in range(i + 1, len(w) + 1):
            cand.add(w[i:j])
ok = sorted(c for c in cand if v.spell(c))
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("".join(c + "\n" for c in ok))
print(len(words), "words,", len(cand), "candidates,", len(ok), "accepted", file=sys.stderr)
PY
    printf 'fi\tvoikko.txt\tvoikko-fi\t%s\n' "$(dpkg-query -W -f '${Version}' voikko-fi 2>/dev/null || echo '?')" >> "$OUT/SOURCES.tsv"
    echo "$key" > "$OUT/.fi.stamp"
    say "fi (Voikko): $(wc -l < "$OUT/fi/voikko.txt") words"
fi

# Approximate gold from the hunspell dictionaries' affix rules (needs tok).
T=${TOK:-$ROOT/tok}
GOLD=$TOK_CACHE/lang/gold
key=$(cat "$0" "$ROOT/analyzers/lang/hunspell.c" "$OUT/.stamp" 2>/dev/null | sha256sum | cut -c1-16)
if [ "$FORCE" != 1 ] && [ -f "$GOLD/.hunspell.stamp" ] && [ "$(cat "$GOLD/.hunspell.stamp")" = "$key" ]; then
    say "hunspell gold: up to date"
elif [ ! -x "$T" ]; then
    say "hunspell gold: not built yet (needs a built tok: make, then make fetch)"
else
    mkdir -p "$GOLD"
    for d in en/en_US de/de_DE ru/ru_RU tr/tr_TR; do
        c=${d%%/*}
        "$T" analyze hunspell --dic "$OUT/$d.dic" --gold 20000 --seed 1 -o "$GOLD/$c-hunspell.tsv.tmp" &&
            { printf '# approximate: %s forms expanded by their hunspell affix rules (%s), 20000 sampled, seed 1\n' \
                  "$c" "$(basename "$d").dic"; cat "$GOLD/$c-hunspell.tsv.tmp"; } > "$GOLD/$c-hunspell.tsv"
        rm -f "$GOLD/$c-hunspell.tsv.tmp"
    done
    echo "$key" > "$GOLD/.hunspell.stamp"
    say "hunspell gold: $(ls "$GOLD"/*-hunspell.tsv | wc -l) files"
fi
