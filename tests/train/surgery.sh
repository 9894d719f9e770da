#!/bin/sh
# tok vocab remove|add|extend|shrink: each edited tokenizer loads in HF and
# encodes there as in libtok, decode(encode(x)) == x, removed ids are never
# produced, the id map is right, bad input gets clear errors.
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin surgery
sh "$ROOT/scripts/fetch-refs.sh" >/dev/null 2>&1 || { echo "FAIL fetch-refs"; exit 1; }
CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
TX=$CACHE/texts
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false

head -c 300000 "$TX/english.txt" > "$D/en.txt"; echo >> "$D/en.txt"
head -c 410000 "$TX/english.txt" | tail -c 10000 > "$D/en_test.txt"; echo >> "$D/en_test.txt"
node -e 'const fs=require("fs");const s=fs.readFileSync(process.argv[1],"utf8");
fs.writeFileSync(process.argv[2], s.slice(0,60000));fs.writeFileSync(process.argv[3], s.slice(200000,210000))' \
    "$TX/multilingual.txt" "$D/ml.txt" "$D/ml_test.txt"

# base: byte-level BPE behind Llama 3's pipeline, all 256 bytes, two specials
"$TOK" train --like llama3 --vocab-size 4000 --initial-alphabet bytelevel --special '<s>' --special '</s>' \
    -o "$D/base.json" "$D/en.txt" 2>"$D/err" || { bad "base: $(cat "$D/err")"; echo "surgery: $pass passed, $fail failed"; exit 1; }

# check T TEXT...: HF loads T and encodes like libtok; libtok round-trips
check() {
    name=$1 T=$2; shift 2
    for f in "$@"; do
        node "$ROOT/tests/parity/ref_hf.js" "$T" "$f" --no-special 2>"$D/err" |
            node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n"))if(l)console.log(JSON.parse(l).ids.join(" "))})' > "$D/hf_ids"
        "$TOK" encode -t "$T" --no-special "$f" > "$D/ids" 2>>"$D/err" || { bad "$name: tok encode: $(cat "$D/err")"; continue; }
        if [ -s "$D/ids" ] && cmp -s "$D/hf_ids" "$D/ids"; then ok; else bad "$name: HF and libtok encode $(basename "$f") differently ($(head -c 200 "$D/err"))"; fi
        "$TOK" decode -t "$T" < "$D/ids" > "$D/dec" && cmp -s "$D/dec" "$f" && ok || bad "$name: decode(encode($(basename "$f"))) != text"
    done
}
check base "$D/base.json" "$D/en_test.txt" "$D/ml_test.txt"

# --- remove: ids, and glitch-analyzer JSON; renumbered and with holes --------
"$TOK" encode -t "$D/base.json" --format tokens "$D/en_test.txt" | tr ' ' '\n' | sort | uniq -c | sort -rn | sed -n '1,40p' > "$D/freq"
ids=$(node -e 'const j=require(process.argv[1]);const v=j.model.vocab;
const out=[];for(const k in v){const id=v[k];if(k.length>3&&id>400&&out.length<30)out.push(id)}console.log(out.join(","))' "$D/base.json")
"$TOK" vocab remove -t "$D/base.json" --ids "$ids" --id-map "$D/rm.map" -o "$D/rm.json" 2>"$D/err" || bad "remove: $(cat "$D/err")"
check remove "$D/rm.json" "$D/en_test.txt" "$D/ml_test.txt"
node -e '
const fs=require("fs");const [b,r,ids,map]=process.argv.slice(1);
const B=require(b).model, R=require(r).model;const gone=ids.split(",").map(Number);
const inv={};for(const k in B.vocab)inv[B.vocab[k]]=k;
const M=fs.readFileSync(map,"utf8").trim().split("\n").map(l=>l.split("\t").map(Number));
let bad=0;
for(const id of gone){ if(inv[id] in R.vocab){console.log("still there",inv[id]);bad++} if(M[id][1]!==-1){console.log("map",id);bad++} }
for(const [o,n] of M){ if(n>=0 && inv[o]!==undefined && R.vocab[inv[o]]!==n){console.log("map wrong",o,n);bad++;break} }
const toks=new Set(gone.map(i=>inv[i]));
for(const m of R.merges){const [a,c]=Array.isArray(m)?m:m.split(" ");if(toks.has(a)||toks.has(c)||toks.has(a+c)){console.log("merge left",a,c);bad++;break}}
process.exit(bad?1:0)' "$D/base.json" "$D/rm.json" "$ids" "$D/rm.map" && ok || bad "remove: vocabulary, merges or id map wrong"
printf '{"tokens":[%s]}\n' "$(echo "$ids" | sed 's/\([0-9][0-9]*\)/{"id":\1,"score":1}/g')" > "$D/glitch.json"
"$TOK" vocab remove -t "$D/base.json" --glitch "$D/glitch.json" --keep-holes -o "$D/holes.json" 2>"$D/err" || bad "remove --glitch: $(cat "$D/err")"
check holes "$D/holes.json" "$D/en_test.txt"
for f in "$D/en_test.txt" "$D/ml_test.txt"; do
    "$TOK" encode -t "$D/holes.json" "$f" | tr ' ' '\n' | grep -qxE "$(echo "$ids" | sed 's/,/|/g')" && bad "holes: a removed id was produced" || ok
done

# --- add: HF add_tokens / add_special_tokens ids -----------------------------
"$TOK" vocab add -t "$D/base.json" -o "$D/add.json" '<pad>' hello the > "$D/add.out" 2>"$D/err" || bad "add: $(cat "$D/err")"
"$TOK" vocab add -t "$D/add.json" --special -o "$D/add2.json" '<mask>' '<s>' >> "$D/add.out" 2>"$D/err" || bad "add --special: $(cat "$D/err")"
node -e '
process.env.RAYON_NUM_THREADS="1";
const path=require("path"),fs=require("fs");const hf=require(path.join(process.argv[1],"tokenizers"));
const t=hf.Tokenizer.fromFile(process.argv[2]);
t.addTokens(["<pad>","hello","the"]); t.addSpecialTokens(["<mask>","<s>"]);
const want=["<pad>","hello","the","<mask>","<s>"].map(s=>s+"\t"+t.tokenToId(s)).join("\n");
const got=fs.readFileSync(process.argv[3],"utf8").trim();
if(want!==got){console.log("HF:\n"+want+"\nlibtok:\n"+got);process.exit(1)}' "$CACHE/npm/node_modules" "$D/base.json" "$D/add.out" &&
    ok || bad "add: ids differ from HF's add_tokens"
printf 'say hello<mask> to the<pad>world\n' > "$D/add_test.txt"
check add "$D/add2.json" "$D/add_test.txt" "$D/en_test.txt"
# holes below added tokens that are not in the vocabulary: HF would number
# them from the vocabulary's size, so --keep-holes is refused; renumbering works
if "$TOK" vocab remove -t "$D/add2.json" --ids 300 --keep-holes -o "$D/holes2.json" 2>"$D/err"; then
    bad "remove --keep-holes under added tokens: written"
else
    grep -q 'not written: with 1 hole(s) in the ids' "$D/err" && [ ! -e "$D/holes2.json" ] && ok ||
        bad "remove --keep-holes under added tokens: $(cat "$D/err")"
fi
"$TOK" vocab remove -t "$D/add2.json" --ids 300 -o "$D/compact2.json" 2>"$D/err" || bad "remove, renumbered: $(cat "$D/err")"
check compact2 "$D/compact2.json" "$D/add_test.txt"

# --- extend: new merges for new text; old text encodes as before -------------
"$TOK" vocab extend -t "$D/base.json" --new 1000 --keep "$D/en.txt" -o "$D/ext.json" "$D/ml.txt" 2>"$D/err" || bad "extend: $(cat "$D/err")"
check extend "$D/ext.json" "$D/en_test.txt" "$D/ml_test.txt"
"$TOK" encode -t "$D/base.json" "$D/en.txt" > "$D/a"; "$TOK" encode -t "$D/ext.json" "$D/en.txt" > "$D/b"
cmp -s "$D/a" "$D/b" && ok || bad "extend --keep en.txt changed how en.txt encodes"
n0=$("$TOK" encode -t "$D/base.json" "$D/ml_test.txt" | wc -w); n1=$("$TOK" encode -t "$D/ext.json" "$D/ml_test.txt" | wc -w)
[ "$n1" -lt "$n0" ] && ok || bad "extend: multilingual tokens $n0 -> $n1"
echo "extend: held-out multilingual text $n0 -> $n1 tokens" > "$D/ext.note"

# --- shrink: same encodings under the id map -----------------------------------
"$TOK" vocab shrink -t "$D/base.json" --id-map "$D/sh.map" -o "$D/sh.json" "$D/en_test.txt" 2>"$D/err" || bad "shrink: $(cat "$D/err")"
check shrink "$D/sh.json" "$D/en_test.txt"
for mode in "" "--lines"; do
    "$TOK" encode -t "$D/base.json" $mode "$D/en_test.txt" > "$D/a"
    "$TOK" encode -t "$D/sh.json" $mode "$D/en_test.txt" > "$D/b"
    awk 'NR==FNR{m[$1]=$2;next}{s="";for(i=1;i<=NF;i++)s=s (i>1?" ":"") m[$i]; print s}' "$D/sh.map" "$D/a" > "$D/am"
    cmp -s "$D/am" "$D/b" && ok || bad "shrink: encoding $mode differs under the id map"
done
[ "$(node -e 'console.log(Object.keys(require(process.argv[1]).model.vocab).length<3000)' "$D/sh.json")" = true ] && ok || bad "shrink kept too much"

# --- bad input ------------------------------------------------------------------
expect() { # NAME STATUS NEEDLE cmd...
    n=$1 want=$2 needle=$3; shift 3
    "$@" > "$D/out" 2> "$D/err"; got=$?
    if [ $got -ne "$want" ]; then bad "$n: exit $got, want $want ($(head -c 200 "$D/err"))"
    elif ! grep -qF -- "$needle" "$D/err"; then bad "$n: '$needle' not in: $(head -c 300 "$D/err")"
    else ok; fi
}
expect "id out of range" 1 "id 99999 does not exist" "$TOK" vocab remove -t "$D/base.json" --ids 400,99999 -o "$D/x.json"
expect "byte token" 1 "base byte token" "$TOK" vocab remove -t "$D/base.json" --ids 5 -o "$D/x.json"
printf '400\n401 x7\n' > "$D/ids.txt"
expect "bad id file" 1 "ids.txt:2" "$TOK" vocab remove -t "$D/base.json" --ids-file "$D/ids.txt" -o "$D/x.json"
echo '{"tokens":[{"id":"x"}]}' > "$D/g.json"
expect "bad glitch json" 1 '$.tokens[0].id' "$TOK" vocab remove -t "$D/base.json" --glitch "$D/g.json" -o "$D/x.json"
expect "two id sources" 2 "one of" "$TOK" vocab remove -t "$D/base.json" --ids 1 --glitch "$D/g.json" -o "$D/x.json"
expect "extend wordpiece" 1 "not BPE" "$TOK" vocab extend -t bert-base-uncased --new 10 -o "$D/x.json" "$D/en_test.txt"

cat "$D/ext.note"
suite_end
