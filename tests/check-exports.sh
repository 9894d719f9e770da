#!/bin/sh
# The dynamic symbols libtok.so defines must be exactly the functions
# declared TOK_API in the public header (libtok/tok.h): nothing internal
# leaks, nothing public is missing.  Usage: check-exports.sh path/to/libtok.so
so=${1:-build/libtok.so}
[ -f "$so" ] || { echo "check-exports: $so not built" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# declarations may span lines: join each TOK_API declaration up to its '('
sed -n '/^[[:space:]]*TOK_API/{:a;/(/!{N;ba};s/\n/ /g;p}' libtok/tok.h |
    sed 's/(.*//; s/.*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*$/\1/' | sort -u >"$tmp/declared"
nm -D --defined-only "$so" | awk '$2 ~ /^[TtWwDdBbRrVvi]$/ { print $3 }' | sed 's/@.*//' | sort -u >"$tmp/exported"
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
    echo "check-exports: $so exports differ from the TOK_API declarations in libtok/tok.h"
    echo "  < declared only, > exported only:"
    diff "$tmp/declared" "$tmp/exported" | grep '^[<>]' | sed 's/^/  /'
    exit 1
fi
echo "check-exports: $(wc -l <"$tmp/declared") functions, declared = exported"
