#!/bin/sh
# Hostile and foreign files through the tok CLI: a clear message and exit 1
# (runtime) or 2 (usage), never a crash, within an address-space limit when
# the tok under test is not built with ASan.  Also tok convert's refusal of
# output names it cannot write.  Gets TOK and BUILD_DIR from tests/run-unit.sh.
set -u
: "${TOK:?TOK must name the tok binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
limit=""
case "${BUILD_DIR:-build}" in *asan*) ;; *) limit="ulimit -v 524288;" ;; esac

# expect EXIT NEEDLE -- ARGS...: tok's exit code and a piece of its stderr
expect() {
    want=$1 needle=$2; shift 3
    out=$(sh -c "$limit \"\$@\"" tok "$TOK" "$@" 2>&1 >/dev/null); st=$?
    if [ "$st" -eq "$want" ] && { [ -z "$needle" ] || printf '%s' "$out" | grep -qF -- "$needle"; }; then
        pass=$((pass+1)); echo "ok $*"
    else
        fail=$((fail+1)); echo "FAILED: tok $* -> exit $st (want $want), stderr: $out (want \"$needle\")"
    fi
}

# not tokenizers
printf '# Title\n\nSome words here, and more.\nAnother line of prose.\n' > "$tmp/README"
printf 'GGUF\003\000\000\000\000\000\000\000' > "$tmp/model.gguf"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR' > "$tmp/vocab.txt"
printf 'PK\003\004\024\000\000\000' > "$tmp/pytorch_model.bin"
expect 1 "text (a README?), not a tokenizer" -- info -t "$tmp/README"
expect 1 "model.gguf: byte 8: truncated tensor count" -- info -t "$tmp/model.gguf"
expect 1 "a PNG image, not a tokenizer" -- info -t "$tmp/vocab.txt"
expect 1 "a zip archive" -- encode -t "$tmp/pytorch_model.bin" "hello"

# a rank far past the lines of the file (was 4 GB and 50 s)
i=0; : > "$tmp/big.tiktoken"
while [ $i -lt 256 ]; do
    printf "$(printf '\\%03o' $i)" | base64 | tr -d '\n' >> "$tmp/big.tiktoken"; echo " $i" >> "$tmp/big.tiktoken"
    i=$((i+1))
done
cp "$tmp/big.tiktoken" "$tmp/ok.tiktoken"
echo "YWI= 67108864" >> "$tmp/big.tiktoken"
expect 1 "big.tiktoken:257: rank 67108864 is far past the 257 ranks of the file" -- info -t "$tmp/big.tiktoken" --pattern cl100k
# an id 2^24 in a tokenizer.json (was 1 GB)
printf '{"model":{"type":"WordLevel","vocab":{"a":0,"b":16777216},"unk_token":"a"}}' > "$tmp/big.json"
expect 1 'at model.vocab.b: token "b" has id 16777216' -- info -t "$tmp/big.json"

# tok convert writes .json or .tokpack only, as the name says
expect 2 "cannot write $tmp/out.model" -- convert -t "$tmp/ok.tiktoken" --pattern cl100k -o "$tmp/out.model"
expect 2 "cannot write $tmp/out.tiktoken" -- convert -t "$tmp/ok.tiktoken" --pattern cl100k -o "$tmp/out.tiktoken"
expect 2 "cannot write $tmp/out:" -- convert -t "$tmp/ok.tiktoken" --pattern cl100k -o "$tmp/out"
expect 2 "names a .tokpack file but --format asks for json" -- convert -t "$tmp/ok.tiktoken" --pattern cl100k -o "$tmp/o.tokpack" --format json
expect 0 "" -- convert -t "$tmp/ok.tiktoken" --pattern cl100k -o "$tmp/o.tokpack"
expect 0 "" -- convert -t "$tmp/o.tokpack" -o "$tmp/o.json"
expect 0 "" -- convert -t "$tmp/o.json" -o "$tmp/plain" --format json
expect 0 "" -- info -t "$tmp/plain"

echo "hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
