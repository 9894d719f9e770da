#!/bin/sh
# The C example in README.md, extracted as it stands, must compile against
# the public header alone, link with libtok.so and run correctly.
# Usage: readme-example.sh [build-dir]
b=${1:-build}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ { on = 1; next } on && /^```$/ { exit } on { print }' README.md >"$tmp/example.c"
grep -q 'int main' "$tmp/example.c" || { echo "readme-example: no complete C example in README.md"; exit 1; }
# installed layout: the header alone, the library under its soname
mkdir -p "$tmp/inc/libtok" "$tmp/lib" && cp libtok/tok.h "$tmp/inc/libtok/" &&
    cp "$b/libtok.so" "$tmp/lib/libtok.so.0" && ln -s libtok.so.0 "$tmp/lib/libtok.so" || exit 1
${CC:-cc} -std=c11 -Wall -Wextra -Werror -I"$tmp/inc" -o "$tmp/example" "$tmp/example.c" \
    -L"$tmp/lib" -ltok -Wl,-rpath,"$tmp/lib" || { echo "readme-example: README.md's C example does not compile"; exit 1; }
cat >"$tmp/tokenizer.json" <<'J'
{"model":{"type":"WordLevel","unk_token":"?","vocab":{"?":0,"hello":1,"world":2}},
 "pre_tokenizer":{"type":"Whitespace"}}
J
out=$("$tmp/example" "$tmp/tokenizer.json" "hello  big world") || { echo "readme-example: the example failed"; exit 1; }
want=$(printf '1 [0,5)\n0 [7,10)\n2 [11,16)')
if [ "$out" != "$want" ]; then
    echo "readme-example: output differs"; echo "got:"; echo "$out"; echo "want:"; echo "$want"; exit 1
fi
"$tmp/example" "$tmp/missing.json" x 2>/dev/null && { echo "readme-example: a missing file did not fail"; exit 1; }
echo "readme-example: compiles and runs"
