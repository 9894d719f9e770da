#!/bin/sh
# tok's CLI for what HF accepts with a warning or does silently: load
# warnings on stderr (renumbered added tokens), dropped bytes (a warning, an
# error with --strict), truncation and padding options.  Expected ids are
# the HF binding's on the same files.  Small files made here; no fetched data.
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin hfparity

# added tokens whose ids disagree with HF's numbering: HF ids, warnings on stderr
cat > "$D/renum.json" <<'J'
{"model":{"type":"WordLevel","vocab":{"a":0,"b":1,"c":2,"[UNK]":3},"unk_token":"[UNK]"},
 "pre_tokenizer":{"type":"WhitespaceSplit"},
 "added_tokens":[{"id":0,"content":"a","special":false},{"id":7,"content":"X","special":false},
                 {"id":9,"content":"Y","special":true},{"id":12,"content":"X","special":false}]}
J
printf 'a X bY c X' | $TOK encode -t "$D/renum.json" > "$D/o" 2> "$D/e"; check "renumbered encode" 0 $? "$D/e" 'added_tokens[1]: added token "X" has id 7 in the file; numbered 4'
same "renumbered ids" "$(cat "$D/o")" "0 4 1 5 2 4"
[ "$(grep -c 'tok: warning:' "$D/e")" -eq 3 ] && pass=$((pass+1)) || { echo "FAIL renumbered: want 3 warnings: $(cat "$D/e")"; fail=$((fail+1)); }
$TOK decode -t "$D/renum.json" 4 5 > "$D/o" 2> "$D/e"; check "renumbered decode" 0 $? "$D/o" "X Y"

# a BPE without unk drops what it has no token for: HF's ids, a warning, --strict fails
cat > "$D/nounk.json" <<'J'
{"model":{"type":"BPE","vocab":{"a":0,"b":1,"c":2,"ab":3},"merges":["a b"]},
 "pre_tokenizer":{"type":"Whitespace"}}
J
printf 'abxc a\303\251 b\nab\n' > "$D/t.txt"
$TOK encode -t "$D/nounk.json" --lines "$D/t.txt" > "$D/o" 2> "$D/e"; check "dropped warning" 0 $? "$D/e" "3 bytes in 1 text (the first: $D/t.txt:1) have no token"
same "dropped ids" "$(tr '\n' '|' < "$D/o")" "3 2 0 1|3|"
$TOK encode -t "$D/nounk.json" --lines --strict "$D/t.txt" > "$D/o" 2> "$D/e"; check "dropped --strict" 1 $? "$D/e" "t.txt:1: 3 bytes have no token"
printf 'ab' | $TOK encode -t "$D/nounk.json" --strict > "$D/o" 2> "$D/e"; check "nothing dropped --strict" 0 $?
[ -s "$D/e" ] && { echo "FAIL nothing dropped: stderr $(cat "$D/e")"; fail=$((fail+1)); } || pass=$((pass+1))

# truncation and padding options (ids from the HF binding on the same file)
cat > "$D/wl.json" <<'J'
{"model":{"type":"WordLevel","vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"a":4,"b":5,"c":6,"d":7,"e":8,"f":9,"g":10,"h":11,"i":12},"unk_token":"[UNK]"},
 "pre_tokenizer":{"type":"Whitespace"},
 "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],
   "pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}},{"Sequence":{"id":"B","type_id":1}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],
   "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}},
 "truncation":{"direction":"Right","max_length":6,"strategy":"LongestFirst","stride":1},
 "padding":null}
J
printf 'a b c d e f g h
a b
' > "$D/w.txt"
$TOK encode -t "$D/wl.json" --lines "$D/w.txt" > "$D/o" 2> "$D/e"; check "file truncation" 0 $?
same "file truncation ids" "$(tr '\n' '|' < "$D/o")" "2 4 5 6 7 3|2 4 5 3|"
$TOK encode -t "$D/wl.json" --lines --pad "$D/w.txt" > "$D/o" 2> "$D/e"; check "--pad" 0 $?
same "--pad ids" "$(tr '\n' '|' < "$D/o")" "2 4 5 6 7 3|2 4 5 3 0 0|"
$TOK encode -t "$D/wl.json" --lines --no-truncate --pad-to 12 --pad-side left --pad-id 1 "$D/w.txt" > "$D/o" 2> "$D/e"; check "--no-truncate --pad-to" 0 $?
same "--pad-to ids" "$(sed -n 2p "$D/o")" "1 1 1 1 1 1 1 1 2 4 5 3"
$TOK encode -t "$D/wl.json" --format json-full "$D/w.txt" > "$D/o" 2> "$D/e"; check "json-full" 0 $? "$D/o" '"overflowing":[{"ids":[2,7,8,9,3]'
printf 'a b c d e\tf g h i\n' | $TOK encode -t "$D/wl.json" --lines --pairs --truncate 7 --stride 0 --format json-full > "$D/o" 2> "$D/e"; check "pairs" 0 $? "$D/o" '"ids":[2,4,5,3,9,10,3]'
printf 'a b c d e f g h' | $TOK encode -t "$D/wl.json" --truncation-strategy only-second > "$D/o" 2> "$D/e"; check "only-second on one text" 1 $? "$D/e" "no second sequence"
printf 'a b c' | $TOK encode -t "$D/wl.json" --stride 5 > "$D/o" 2> "$D/e"; check "stride too large" 1 $? "$D/e" "stride 5"
printf 'a b' | $TOK encode -t "$D/wl.json" --lines --pairs > "$D/o" 2> "$D/e"; check "--pairs without a tab" 1 $? "$D/e" "no TAB"
$TOK encode -t "$D/wl.json" --truncate x "$D/w.txt" > "$D/o" 2> "$D/e"; check "bad --truncate" 2 $? "$D/e" "--truncate takes a count"
$TOK encode -t "$D/wl.json" --pad-side up "$D/w.txt" > "$D/o" 2> "$D/e"; check "bad --pad-side" 2 $? "$D/e" "takes right or left"
$TOK encode --help > "$D/o" 2>&1; check "help" 0 $? "$D/o" "--truncation-strategy"

suite_end
