#!/bin/sh
# tok train against HF tokenizers' trainers (Node binding, its models' default
# trainers: vocab 30000, min frequency 0) on real texts, shard counting ==
# one pass, HF loading what we write, bad input.  TOK: the binary under test.
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin train
sh "$ROOT/scripts/fetch-refs.sh" >/dev/null 2>&1 || { echo "FAIL fetch-refs"; exit 1; }
CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
NPM=$CACHE/npm/node_modules
TX=$CACHE/texts
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false

head -c 400000 "$TX/english.txt" > "$D/en.txt"; echo >> "$D/en.txt"
head -c 300000 "$TX/multilingual.txt" > "$D/ml.txt"; echo >> "$D/ml.txt"
head -c 300000 "$TX/code.txt" > "$D/code.txt"; echo >> "$D/code.txt"

# 1. the same model as HF's trainer: vocabulary ids and merges in order
same_as_hf() { # MODEL PRE CORPUS
    node "$ROOT/tests/train/hf_train.js" "$NPM" "$1" "$2" "$D/hf.json" "$3" 2>/dev/null ||
        { bad "HF train $1 $2 $(basename "$3")"; return; }
    "$TOK" train --model "$1" --pre "$2" -o "$D/ours.json" "$3" 2>"$D/err" ||
        { bad "tok train $1 $2: $(cat "$D/err")"; return; }
    if node "$ROOT/tests/train/cmp_model.js" "$D/hf.json" "$D/ours.json" > "$D/cmp"; then ok
    else bad "$1 $2 $(basename "$3") differs from HF: $(head -5 "$D/cmp")"; fi
}
same_as_hf bpe bytelevel "$TX/english.txt"
same_as_hf bpe bytelevel "$D/ml.txt"
same_as_hf bpe whitespace "$D/code.txt"
same_as_hf bpe bert "$D/ml.txt"
same_as_hf bpe metaspace "$D/en.txt"
sed 's/$/\r/' "$D/code.txt" > "$D/crlf.txt"   # CRLF lines keep their \r, as HF reads them
same_as_hf bpe bytelevel "$D/crlf.txt"
same_as_hf wordlevel bytelevel "$D/code.txt"
same_as_hf wordlevel bert "$D/ml.txt"

# WordPiece: HF numbers "##x" pieces in its hash map's (random) word order, so
# two HF runs differ; ours must share as many tokens with HF as HF with itself.
node "$ROOT/tests/train/hf_train.js" "$NPM" wordpiece bert "$D/hf1.json" "$D/en.txt" 2>/dev/null
node "$ROOT/tests/train/hf_train.js" "$NPM" wordpiece bert "$D/hf2.json" "$D/en.txt" 2>/dev/null
"$TOK" train --model wordpiece --pre bert -o "$D/wp.json" "$D/en.txt"
node -e '
const fs = require("fs");
const v = f => new Set(Object.keys(JSON.parse(fs.readFileSync(f, "utf8")).model.vocab));
const [a, b, o] = process.argv.slice(1).map(v);
const common = (x, y) => [...x].filter(k => y.has(k)).length;
// HF itself varies from run to run by a percent or so: ours must be as close
// to one of the two HF runs as they are to each other, within 2% of the size.
const hh = common(a, b), ho = Math.max(common(a, o), common(b, o));
console.log(`wordpiece: HF vs HF ${hh}/${a.size}, HF vs libtok ${ho}/${o.size}`);
process.exit(Math.abs(o.size - a.size) <= Math.ceil(a.size * 0.01) && ho >= hh - Math.ceil(a.size * 0.02) ? 0 : 1);' "$D/hf1.json" "$D/hf2.json" "$D/wp.json" > "$D/wpo" &&
    ok || bad "wordpiece overlap: $(cat "$D/wpo")"

# 2. HF loads what we write and encodes like libtok
"$TOK" train --model bpe --pre bytelevel --vocab-size 5000 --special '<s>' --special '</s>' -o "$D/bl.json" "$D/en.txt" ||
    bad "train with specials"
"$TOK" train --model wordpiece --pre bert --vocab-size 8000 --special '[UNK]' -o "$D/wpu.json" "$D/en.txt" ||
    bad "train wordpiece with [UNK]"
for T in "$D/bl.json" "$D/wpu.json"; do
    node "$ROOT/tests/parity/ref_hf.js" "$T" "$D/ml.txt" --lines --no-special 2>"$D/err" |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n"))if(l)console.log(JSON.parse(l).ids.join(" "))})' > "$D/hf_ids" ||
        { bad "HF cannot use $(basename "$T"): $(head -3 "$D/err")"; continue; }
    "$TOK" encode -t "$T" --lines --no-special "$D/ml.txt" > "$D/our_ids" 2>"$D/err" || bad "tok encode $(basename "$T")"
    if cmp -s "$D/hf_ids" "$D/our_ids" && [ -s "$D/our_ids" ]; then ok; else bad "encodings of $(basename "$T") differ between HF and libtok"; fi
done
[ "$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(j.model.vocab["<s>"],j.model.vocab["</s>"],j.added_tokens.length)' "$D/bl.json")" = "0 1 2" ] &&
    ok || bad "special tokens not at ids 0, 1"

"$TOK" train --model bpe --vocab-size 3000 -o "$D/t.tokpack" "$D/en.txt" 2>"$D/err" || bad "train .tokpack: $(cat "$D/err")"
"$TOK" train --model bpe --vocab-size 3000 -o "$D/t.json" "$D/en.txt" 2>"$D/err" || bad "train .json: $(cat "$D/err")"
"$TOK" encode -t "$D/t.tokpack" "$D/ml.txt" > "$D/a" && "$TOK" encode -t "$D/t.json" "$D/ml.txt" > "$D/b" &&
    cmp -s "$D/a" "$D/b" && ok || bad ".tokpack output encodes differently from .json"

# 3. shards: counts per shard, merged == one pass; threads give the same
split -n l/3 "$D/en.txt" "$D/shard."
for s in "$D"/shard.a?; do "$TOK" train --counts-only --pre bytelevel -o "$s.counts" "$s" || bad "counts-only $s"; done
"$TOK" train --model bpe --vocab-size 3000 --from-counts -o "$D/merged.json" "$D"/shard.a?.counts || bad "from-counts"
"$TOK" train --model bpe --vocab-size 3000 -o "$D/one.json" "$D/en.txt" || bad "one pass"
cmp -s "$D/merged.json" "$D/one.json" && ok || bad "merged shard counts differ from one pass"
cat "$D/en.txt" "$D/en.txt" "$D/en.txt" > "$D/en3.txt"
"$TOK" train --model bpe --vocab-size 3000 --threads 2 -o "$D/thr.json" "$D/en3.txt" || bad "threads"
"$TOK" train --model bpe --vocab-size 3000 -o "$D/thr1.json" "$D/en3.txt" || bad "threads 1"
cmp -s "$D/thr.json" "$D/thr1.json" && ok || bad "--threads 2 differs from one thread"
"$TOK" train --model bpe --vocab-size 3000 --memory-limit 1M -o "$D/lim.json" "$TX/multilingual.txt" 2>"$D/err" &&
    grep -q 'pruned' "$D/err" && ok || bad "memory limit: $(cat "$D/err")"
gzip -c "$D/en.txt" > "$D/en.txt.gz"   # compressed input through the corpus readers
"$TOK" train --model bpe --vocab-size 3000 -o "$D/gz.json" "$D/en.txt.gz" 2>"$D/err" &&
    cmp -s "$D/gz.json" "$D/one.json" && ok || bad "gzip corpus differs from plain: $(cat "$D/err")"

# 4. bad input: clear errors naming the option or file:line, exit 1/2
expect() { # NAME STATUS NEEDLE cmd...
    n=$1 want=$2 needle=$3; shift 3
    "$@" > "$D/out" 2> "$D/err"; got=$?
    if [ $got -ne "$want" ]; then bad "$n: exit $got, want $want ($(head -c 200 "$D/err"))"
    elif ! grep -qF -- "$needle" "$D/err"; then bad "$n: '$needle' not in: $(head -c 300 "$D/err")"
    else ok; fi
}
: > "$D/empty.txt"
expect "empty corpus" 1 "empty corpus" "$TOK" train -o "$D/x.json" "$D/empty.txt"
expect "vocab below alphabet" 2 "--vocab-size 10" "$TOK" train --vocab-size 10 -o "$D/x.json" "$D/en.txt"
expect "like and pre" 2 "--like and --pre" "$TOK" train --like "$D/bl.json" --pre bert -o "$D/x.json" "$D/en.txt"
expect "unknown pre" 2 "--pre nope" "$TOK" train --pre nope -o "$D/x.json" "$D/en.txt"
expect "missing corpus" 1 "nosuch.txt" "$TOK" train -o "$D/x.json" "$D/nosuch.txt"
printf 'libtok-counts 1\ntemplate bytelevel\npruned 0 0\n3\tab\nx\tcd\n' > "$D/bad.counts"
expect "bad count line" 1 "bad.counts:5" "$TOK" train --from-counts -o "$D/x.json" "$D/bad.counts"
expect "counts of another pipeline" 1 "bad.counts:2" "$TOK" train --pre bert --from-counts -o "$D/x.json" "$D/bad.counts"
expect "wordlevel prefix" 2 "wordlevel" "$TOK" train --model wordlevel --continuing-prefix '##' -o "$D/x.json" "$D/en.txt"

suite_end
