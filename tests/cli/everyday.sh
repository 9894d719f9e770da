#!/bin/sh
# The everyday CLI (issue 16): count, inline text, --jsonl, escaped tokens,
# vocab, show, list, info --json, aliases, option conventions, and streaming
# with bounded memory.  Real tokenizers from the reference cache.
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin everyday
sh "$ROOT/scripts/fetch-refs.sh" >/dev/null || { echo "FAIL fetch-refs"; exit 1; }
C=${TOK_CACHE:-$HOME/.cache/libtok}

# --- count (contract: the number; one per line with --lines) ---------------
same "count text" "$($TOK count -t o200k_base --text 'hello world')" 2
printf 'hello world\n\nhi there you\n' > "$D/l.txt"
same "count --lines" "$($TOK count -t o200k_base --lines "$D/l.txt" | tr '\n' ' ')" "2 0 3 "
same "count = encode words" "$($TOK count -t llama3 "$C/texts/english.txt")" "$($TOK encode -t llama3 "$C/texts/english.txt" | wc -w)"
same "count --total" "$($TOK count -t o200k_base --lines --total "$D/l.txt" | tail -1)" "total 5"
same "count stdin" "$(printf 'hello world' | $TOK count -t o200k_base)" 2

# --- inline text, aliases, option forms -------------------------------------
same "encode --text" "$($TOK encode -t o200k_base --text 'hello world')" "24912 2375"
same "encode TEXT" "$($TOK encode -t gpt-4o 'hello world')" "24912 2375"
same "alias gpt-4" "$($TOK encode -t gpt-4 --text 'hello world')" "$($TOK encode -t cl100k_base --text 'hello world')"
same "-tNAME" "$($TOK encode -to200k_base --text=hello)" "24912"
same "--" "$($TOK encode -t o200k_base -- --lines)" "$($TOK encode -t o200k_base --text '--lines')"
$TOK encode -t o200k_base missing-file.txt > /dev/null 2> "$D/e"; st=$?
[ $st -eq 1 ] && grep -q "no such file" "$D/e" && ok || bad "a missing file is not encoded as text ($st)"
$TOK encode --text x > /dev/null 2>&1; same "missing -t exits 2" $? 2
$TOK count > /dev/null 2>&1; same "count without -t exits 2" $? 2

# --- formats -------------------------------------------------------------------
out=$($TOK encode -t llama2.model --format tokens --text "$(printf 'a\tb\\c d')")
same "tokens escaped" "$out" '▁a <0x09> b \\ c ▁d'
same "tokens one line" "$($TOK encode -t bert-base-uncased --format tokens --lines "$D/l.txt" | wc -l)" 3
printf '{"id":7,"text":"hello world","meta":{"x":[1,2]}}\n{"text":"bye","id":8}\n' > "$D/in.jsonl"
$TOK encode -t o200k_base --jsonl text "$D/in.jsonl" > "$D/out.jsonl" || bad "jsonl run"
/usr/bin/python3 - "$D/out.jsonl" <<'P' && ok || bad "jsonl pass-through"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[0] == {"id": 7, "text": "hello world", "meta": {"x": [1, 2]}, "ids": [24912, 2375]}, rows[0]
assert rows[1] == {"text": "bye", "id": 8, "ids": [43571]}, rows[1]
P
printf '{"text":"ok"}\nnot json\n' | $TOK encode -t o200k_base --jsonl text > /dev/null 2> "$D/e"; st=$?
[ $st -eq 1 ] && grep -q "stdin:2" "$D/e" && ok || bad "jsonl bad line names line 2: $(cat "$D/e")"
printf '{"other":"ok"}\n' | $TOK encode -t o200k_base --jsonl text > /dev/null 2> "$D/e"; st=$?
[ $st -eq 1 ] && grep -q 'no field "text"' "$D/e" && ok || bad "jsonl missing field"
same "pair" "$($TOK encode -t bert-base-uncased --text 'q' --pair 'a b')" "101 1053 102 1037 1038 102"
same "pairs" "$(printf 'q\ta b\n' | $TOK encode -t bert-base-uncased --lines --pairs)" "101 1053 102 1037 1038 102"

# --- vocab, show, list, info ------------------------------------------------------
same "vocab --id" "$($TOK vocab -t llama2.model --id 13 | cut -f1-4)" "$(printf '13\t<0x0A>\t\\n\tbyte')"
same "vocab --token" "$($TOK vocab -t o200k_base --token 'hello' | cut -f1)" 24912
same "vocab lines" "$($TOK vocab -t bert-base-uncased | wc -l)" 30522
same "vocab --grep" "$($TOK vocab -t bert-base-uncased --grep '^##ization$' | cut -f2)" "##ization"
$TOK vocab -t llama3 --json | /usr/bin/python3 -c "import json,sys; n=sum(1 for l in sys.stdin if json.loads(l)); assert n==128256, n" && ok || bad "vocab --json"
same "show brackets" "$($TOK show -t o200k_base --no-color --text 'Hello world' | head -1)" "[Hello][ world]"
same "show split char" "$($TOK show -t gpt2 --no-color --text '𝔸' | head -1)" "[𝔸]x3"
$TOK show -t llama3 --html "$D/s.html" --text 'a <b> & c' && grep -q '&lt;' "$D/s.html" && grep -q '&amp;' "$D/s.html" && ! grep -q '<b>' "$D/s.html" && ok || bad "show --html escapes"
$TOK list | grep -q "^gpt-4o	o200k_base" && ok || bad "list aliases"
$TOK list --json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); assert any(t['name']=='llama3' for t in d['tokenizers'])" && ok || bad "list --json"
for t in llama3 o200k_base bert-base-uncased albert mistral; do
    $TOK info -t $t --json | /usr/bin/python3 -c "
import json, sys
def no_dupes(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
d = json.load(sys.stdin, object_pairs_hook=no_dupes)
assert isinstance(d['pipeline']['model'], dict)
for k, v in d['pipeline'].items():
    assert v is None or isinstance(v, dict), (k, v)
" && ok || bad "info --json $t"
done

# --- streaming: output before input ends, bounded memory ------------------------
# a line is answered while the writer still holds the pipe open
early() { # NAME WANT INPUT COMMAND...: one line into a FIFO kept open, wait for the answer
    name=$1 want=$2 input=$3; shift 3
    rm -f "$D/fifo" "$D/early"; mkfifo "$D/fifo"
    "$@" < "$D/fifo" > "$D/early" &
    pid=$!
    exec 3> "$D/fifo"
    printf '%s\n' "$input" >&3
    i=0; while [ $i -lt 60 ] && [ ! -s "$D/early" ]; do sleep 0.5; i=$((i+1)); done
    got=$(cat "$D/early")
    exec 3>&-
    wait $pid
    same "$name" "$got" "$want"
}
early "lines answered early" "24912 2375" "hello world" $TOK encode -t o200k_base --lines
early "decode lines early" "hello world" "24912 2375" $TOK decode -t o200k_base --lines
# 8 MiB and 32 MiB of stdin through --lines and as one text: peak RSS does
# not grow with the input (the tokenizer itself takes most of it)
if [ -x /usr/bin/time ]; then
    gen() { i=0; while [ $i -lt "$1" ]; do head -c 4194304 "$C/texts/english-10m.txt"; i=$((i+1)); done; }
    for mode in lines whole; do
        for n in 2 8; do
            if [ $mode = lines ]; then gen $n | /usr/bin/time -f %M -o "$D/rss.$mode.$n" $TOK count -t o200k_base --lines > /dev/null || bad "count --lines"
            else gen $n | /usr/bin/time -f %M -o "$D/rss.$mode.$n" $TOK count -t o200k_base > /dev/null || bad "count whole"; fi
        done
        small=$(tail -1 "$D/rss.$mode.2"); big=$(tail -1 "$D/rss.$mode.8")
        [ $((big - small)) -lt 16384 ] && ok || bad "$mode: peak RSS grew from $small KB (8 MiB in) to $big KB (32 MiB in)"
    done
else
    bad "/usr/bin/time missing (sh scripts/deps.sh test)"
fi
suite_end
