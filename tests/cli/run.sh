#!/bin/sh
# tok's command-line contract: exit codes, messages that name the file and
# place, --lines, formats, decode round trip.  Uses small tokenizer files made
# here, so it needs no fetched data.  TOK: the binary under test.
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin cli

# a word-level tokenizer: small, no fetched files needed
cat > "$D/wl.json" <<'J'
{"model":{"type":"WordLevel","vocab":{"[UNK]":0,"hello":1,"world":2,"!":3},"unk_token":"[UNK]"},
 "pre_tokenizer":{"type":"Whitespace"},"added_tokens":[]}
J
printf 'hello world!\n\nworld hello' > "$D/in.txt"

$TOK encode -t "$D/wl.json" "$D/in.txt" > "$D/o1" 2> "$D/e"; check "encode whole" 0 $?
[ "$(cat "$D/o1")" = "1 2 3 2 1" ] && pass=$((pass+1)) || { echo "FAIL encode whole output: $(cat "$D/o1")"; fail=$((fail+1)); }
$TOK encode -t "$D/wl.json" --lines "$D/in.txt" > "$D/o2" 2> "$D/e"; check "encode --lines" 0 $?
[ "$(wc -l < "$D/o2")" -eq 3 ] && [ "$(sed -n 2p "$D/o2")" = "" ] && pass=$((pass+1)) || { echo "FAIL --lines output"; fail=$((fail+1)); }
$TOK encode -t "$D/wl.json" --format json "$D/in.txt" > "$D/o3" 2> "$D/e"; check "encode json" 0 $? "$D/o3" '"offsets":[[0,5],[6,11],[11,12]'
$TOK encode -t "$D/wl.json" --format tokens "$D/in.txt" > "$D/o4" 2> "$D/e"; check "encode tokens" 0 $? "$D/o4" "hello world ! world hello"
printf 'hello world' | $TOK encode -t "$D/wl.json" > "$D/o5" 2> "$D/e"; check "encode stdin" 0 $? "$D/o5" "1 2"
echo "1 2 3" | $TOK decode -t "$D/wl.json" > "$D/o6" 2> "$D/e"; check "decode" 0 $? "$D/o6" "hello world !"
$TOK decode -t "$D/wl.json" 1 2 > "$D/o7" 2> "$D/e"; check "decode args" 0 $? "$D/o7" "hello world"
$TOK encode -t "$D/wl.json" --threads 2 --lines "$D/in.txt" > "$D/o8" 2> "$D/e"; check "threads" 0 $?
cmp -s "$D/o2" "$D/o8" && pass=$((pass+1)) || { echo "FAIL --threads output differs"; fail=$((fail+1)); }

# usage errors: 2
$TOK encode -t "$D/wl.json" --bogus > /dev/null 2> "$D/e"; check "unknown option" 2 $? "$D/e" "unknown option --bogus"
$TOK encode -t "$D/wl.json" --format xml > /dev/null 2> "$D/e"; check "bad format" 2 $? "$D/e" "unknown format"
$TOK frobnicate > /dev/null 2> "$D/e"; check "unknown command" 2 $? "$D/e" "unknown command"
$TOK > /dev/null 2> "$D/e"; check "no command" 2 $?
# help: 0
for c in encode decode info convert analyze; do $TOK $c --help > "$D/h" 2>&1; check "$c --help" 0 $? "$D/h" "Usage: tok $c"; done
$TOK --help > "$D/h" 2>&1; check "--help" 0 $? "$D/h" "Usage: tok COMMAND"

# runtime errors: 1, naming the file and the place
$TOK encode -t "$D/nope.json" "$D/in.txt" > /dev/null 2> "$D/e"; check "missing tokenizer" 1 $? "$D/e" "nope.json"
printf '{"model": {"type": "BPE",\n "vocab": {"a": 0,}}}' > "$D/bad.json"
$TOK encode -t "$D/bad.json" "$D/in.txt" > /dev/null 2> "$D/e"; check "malformed json" 1 $? "$D/e" "bad.json:2:"
printf '{"model": {"type": "WordLevel", "vocab": {"a": "x"}}}' > "$D/badtype.json"
$TOK info -t "$D/badtype.json" > /dev/null 2> "$D/e"; check "wrong type" 1 $? "$D/e" "model.vocab"
printf '{"model": {"type": "Nope"}}' > "$D/unknown.json"
$TOK info -t "$D/unknown.json" > /dev/null 2> "$D/e"; check "unknown component" 1 $? "$D/e" "Nope"
printf '{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "normalizer": {"type": "Frobnicate"}}' > "$D/unknown2.json"
$TOK info -t "$D/unknown2.json" > /dev/null 2> "$D/e"; check "unknown normalizer" 1 $? "$D/e" "Frobnicate"
head -c 100 "$D/wl.json" > "$D/trunc.json"
$TOK info -t "$D/trunc.json" > /dev/null 2> "$D/e"; check "truncated json" 1 $? "$D/e" "trunc.json:"
printf 'hello \377world' > "$D/badutf8.txt"
$TOK encode -t "$D/wl.json" "$D/badutf8.txt" > /dev/null 2> "$D/e"; check "invalid utf-8" 1 $? "$D/e" "byte offset 6"
$TOK encode -t "$D/wl.json" --invalid replace "$D/badutf8.txt" > "$D/o9" 2> "$D/e"; check "invalid utf-8 replaced" 0 $? "$D/o9" "1 0 2"
echo "1 99" | $TOK decode -t "$D/wl.json" > /dev/null 2> "$D/e"; check "decode unknown id" 1 $? "$D/e" "99"
echo "1 x" | $TOK decode -t "$D/wl.json" > /dev/null 2> "$D/e"; check "decode junk" 1 $? "$D/e" "byte 2"
printf 'not base64!! x\n' > "$D/bad.tiktoken"
$TOK info -t "$D/bad.tiktoken" --pattern cl100k > /dev/null 2> "$D/e"; check "bad tiktoken" 1 $? "$D/e" "bad.tiktoken:1:"
printf '\012\377\377' > "$D/bad.model"
$TOK info -t "$D/bad.model" > /dev/null 2> "$D/e"; check "bad .model" 1 $? "$D/e" "bad.model"

# convert round trip: tokenizer.json and .tokpack give the same ids
$TOK convert -t "$D/wl.json" -o "$D/wl2.json" 2> "$D/e"; check "convert json" 0 $?
$TOK convert -t "$D/wl.json" -o "$D/wl.tokpack" 2> "$D/e"; check "convert tokpack" 0 $?
for f in wl2.json wl.tokpack; do
    $TOK encode -t "$D/$f" "$D/in.txt" > "$D/o10" 2> "$D/e"
    cmp -s "$D/o1" "$D/o10" && pass=$((pass+1)) || { echo "FAIL convert $f: $(cat "$D/o10" "$D/e")"; fail=$((fail+1)); }
done
head -c 20 "$D/wl.tokpack" > "$D/trunc.tokpack"
$TOK info -t "$D/trunc.tokpack" > /dev/null 2> "$D/e"; check "truncated tokpack" 1 $? "$D/e" "trunc.tokpack"

suite_end
