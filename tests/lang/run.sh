#!/bin/sh
# Language analyzers, corpora and tok audit against independent computations:
#  - token counts of whole UDHR texts against the HF binding and tiktoken, and
#    per line against spm_encode;
#  - Rényi/Shannon efficiency against hand-computed values and a separate
#    implementation of the published formula (python);
#  - bad corpora: errors naming file and line, lenient skips reported;
#  - tok audit: shards merged == one pass (also run with GNU parallel), the
#    HTML page rendered by headless Chromium and checked in its DOM;
#  - threads == one thread.
# TOK: the binary under test.  Fetches what it needs (sh scripts/fetch-refs.sh).
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin lang
[ "${PARITY_NO_FETCH:-0}" = 1 ] || FETCH_QUIET=1 sh "$ROOT/scripts/fetch-refs.sh" >/dev/null || { echo "FAIL fetch-refs"; exit 1; }
C=${TOK_CACHE:-$HOME/.cache/libtok}
K=$C/tokenizers
U=$C/lang/udhr34
PY=/usr/bin/python3
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
LANGS="en ru ja my ar hi el ko"
files=""
for l in $LANGS; do files="$files $U/$l.txt"; done

# --- token counts vs the references, whole files, no special tokens ------------
counts() { # TOKENIZER -> "file count" lines from tok
    $TOK analyze parity -t "$1" --json $2 | $PY -c '
import json,sys
for l in json.load(sys.stdin)["languages"]: print(l["lang"] + ".txt", l["tokens"])'
}
for t in llama3 mistral bert-base-uncased; do
    counts "$K/$t.json" "$files" > "$D/tok.$t" 2> "$D/e" || bad "parity $t: $(cat "$D/e")"
    node "$ROOT/tests/lang/ref_counts.js" hf "$K/$t.json" $files > "$D/ref.$t" 2> "$D/e" || bad "hf $t: $(cat "$D/e")"
    if cmp -s "$D/tok.$t" "$D/ref.$t"; then ok; else bad "token counts $t vs HF: $(diff "$D/tok.$t" "$D/ref.$t" | head -5)"; fi
done
for t in cl100k_base o200k_base; do
    counts "$t" "$files" > "$D/tok.$t" 2> "$D/e" || bad "parity $t: $(cat "$D/e")"
    node "$ROOT/tests/lang/ref_counts.js" tiktoken "$t" $files > "$D/ref.$t" 2> "$D/e" || bad "tiktoken $t: $(cat "$D/e")"
    if cmp -s "$D/tok.$t" "$D/ref.$t"; then ok; else bad "token counts $t vs tiktoken: $(diff "$D/tok.$t" "$D/ref.$t" | head -5)"; fi
done
# per line (--lines) against spm_encode, which reads a line at a time
if command -v spm_encode >/dev/null 2>&1; then
    for l in en ru my; do
        want=$(spm_encode --model="$K/llama2.model" --output_format=id < "$U/$l.txt" | wc -w)
        got=$($TOK analyze parity -t "$K/llama2.model" --lines --json "$U/$l.txt" | $PY -c 'import json,sys; print(json.load(sys.stdin)["languages"][0]["tokens"])')
        [ "$got" = "$want" ] && ok || bad "llama2.model $l per line: $got tokens, spm_encode $want"
    done
else
    bad "spm_encode not installed (scripts/deps.sh test)"
fi
# the premium is the ratio of those counts, the reference first
$TOK analyze parity -t cl100k_base --ref ru --json $files > "$D/p.json" 2> "$D/e"; check "parity --ref" 0 $? "$D/e"
$PY - "$D/p.json" <<'P' || bad "premium arithmetic"
import json,sys
d=json.load(open(sys.argv[1])); L={l["lang"]:l for l in d["languages"]}
assert d["reference"]=="ru"
for l in L.values():
    assert abs(l["premium"] - l["tokens"]/L["ru"]["tokens"]) < 1e-9, l
    assert abs(l["byte_premium"] - l["bytes"]/L["ru"]["bytes"]) < 1e-9, l
ranks=sorted(L.values(), key=lambda l: l["premium"])
assert [l["rank"] for l in ranks]==list(range(1,len(ranks)+1))
P
[ $? -eq 0 ] && ok

# --- efficiency: hand-computed and an independent implementation ---------------
printf 'a a\nb c\n\n' > "$D/abc.txt"
# p = (1/2, 1/4, 1/4), V = 3 types: H_2.5 = log2(2^-2.5 + 2 * 4^-2.5) / (1 - 2.5) = 1.375499,
# / log2 3 = 0.867843; Shannon 1.5 / log2 3 = 0.946395
$TOK analyze efficiency --pretokenized --alpha 2.5 --json "$D/abc.txt" > "$D/e1" 2> "$D/e"; check "efficiency pretokenized" 0 $? "$D/e1" '"types":3,"tokens":4'
$PY - "$D/e1" <<'P' || bad "efficiency hand values: $(cat "$D/e1")"
import json,sys
d=json.load(open(sys.argv[1]))
assert abs(d["renyi"]-0.867843) < 1e-6 and abs(d["shannon"]-0.946395) < 1e-6, d
P
[ $? -eq 0 ] && ok
$TOK encode -t cl100k_base --format tokens --lines "$U/en.txt" "$U/ru.txt" > "$D/pretok.txt" 2> "$D/e" || bad "encode tokens"
for a in 1 2.5 3; do
    $TOK analyze efficiency --pretokenized --alpha $a --json "$D/pretok.txt" > "$D/e2" 2> "$D/e" || bad "efficiency alpha $a"
    $TOK analyze efficiency --pretokenized --alpha $a --vocab 100000 --json "$D/pretok.txt" > "$D/e3" 2> "$D/e" || bad "efficiency vocab"
    # the published formula, written again: p from whitespace-split lines
    $PY - "$D/pretok.txt" "$D/e2" "$D/e3" $a <<'P' || bad "efficiency alpha $a vs formula"
import json,math,sys
from collections import Counter
c=Counter(w for l in open(sys.argv[1],encoding="utf-8") for w in l.split())
n=sum(c.values()); a=float(sys.argv[4]); p=[v/n for v in c.values()]
sh=-sum(x*math.log2(x) for x in p)
ha=sh if a==1 else math.log2(sum(x**a for x in p))/(1-a)
for f,V in ((sys.argv[2],len(c)),(sys.argv[3],100000)):
    d=json.load(open(f))
    assert d["types"]==len(c) and d["tokens"]==n, (d, len(c), n)
    assert abs(d["renyi"]-ha/math.log2(V))<1e-9 and abs(d["shannon"]-sh/math.log2(V))<1e-9, (d, ha/math.log2(V))
P
    [ $? -eq 0 ] && ok
done
# with -t: types are ids; same numbers as encoding to ids and counting
$TOK analyze efficiency -t cl100k_base --lines --json "$U/en.txt" > "$D/e4" 2> "$D/e"; check "efficiency -t" 0 $? "$D/e4" '"most_used":[{"id":'
$TOK encode -t cl100k_base --lines "$U/en.txt" > "$D/ids.txt"
$TOK analyze efficiency --pretokenized --json "$D/ids.txt" > "$D/e5"
$PY -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert abs(a["renyi"]-b["renyi"])<1e-12 and a["types"]==b["types"] and a["tokens"]==b["tokens"], (a,b)' "$D/e4" "$D/e5" && ok || bad "efficiency -t vs ids"

# --- fertility contract, words, threads -------------------------------------------
$TOK analyze fertility -t llama3 --json "$U/en.txt" "$U/th.txt" > "$D/f1" 2> "$D/e"; check "fertility" 0 $? "$D/f1" '"words":"whitespace"'
$PY - "$D/f1" <<'P' || bad "fertility contract: $(head -c 400 "$D/f1")"
import json,sys
d=json.load(open(sys.argv[1]))
for l in d["languages"]:
    for k in ("lang","words","tokens","fertility","continued_words","fertility_isolated"): assert k in l, k
    assert abs(l["fertility"]-l["tokens"]/l["words"])<1e-9
P
[ $? -eq 0 ] && ok
words=$($PY -c 'import sys; print(sum(len(l.split()) for l in open(sys.argv[1],encoding="utf-8")))' "$U/en.txt")
grep -q "\"lang\":\"en\",\"units\":30,\"bytes\":[0-9]*,\"chars\":[0-9]*,\"words\":$words," "$D/f1" && ok || bad "whitespace words != python split ($words)"
$TOK analyze fertility -t llama3 --words uax29 --json "$U/th.txt" > "$D/f2" 2> "$D/e"; check "fertility uax29" 0 $? "$D/f2" '"words":"uax29"'
$PY -c 'import json,sys; a=json.load(open(sys.argv[1]))["languages"][0]; b=json.load(open(sys.argv[2]))["languages"][1]; assert a["words"] > 3*b["words"], (a["words"], b["words"])' "$D/f2" "$D/f1" && ok || bad "uax29 segments Thai into words"
$TOK analyze fertility -t llama3 --threads 2 --json "$U/en.txt" "$U/th.txt" > "$D/f3" 2> "$D/e"
cmp -s "$D/f1" "$D/f3" && ok || bad "fertility --threads 2 differs from one thread"

# --- morph: all seven methods (scores estimated for likelihood/sample) ---------------
$TOK analyze morph -t llama3 --gold "$ROOT/data/gold/en-morph.tsv" --all-methods --unigram-from "$U/en.txt" --json > "$D/m1" 2> "$D/e"; check "morph all methods" 0 $? "$D/m1" '"method":"likelihood"'
$PY - "$D/m1" <<'P' || bad "morph JSON: $(head -c 300 "$D/m1")"
import json,sys
r=json.load(open(sys.argv[1]))["results"]
assert [x["method"] for x in r]==["merges","longest-prefix","longest-suffix","longest-token","least-tokens","likelihood","sample"], r
for x in r:
    assert "error" not in x, x
    p=x["true_pos"]/x["boundaries_pred"] if x["boundaries_pred"] else 0
    assert abs(p-x["precision"])<1e-5 and 0<=x["pct_pure"]<=100 and x["kept"]==r[0]["kept"], x
P
[ $? -eq 0 ] && ok

# --- bad corpora ---------------------------------------------------------------------
printf 'good line\nbad \377 line\n' > "$D/xx.txt"
$TOK analyze fertility -t llama3 "$D/xx.txt" > /dev/null 2> "$D/e"; check "invalid UTF-8" 1 $? "$D/e" "xx.txt:2:5: invalid UTF-8"
$TOK analyze fertility -t llama3 --lenient "$D/xx.txt" > /dev/null 2> "$D/e"; check "lenient UTF-8" 0 $? "$D/e" "skipped: 1 invalid UTF-8"
printf 'eins\nzwei\n' | gzip -c > "$D/de.txt.gz"
head -c 20 "$D/de.txt.gz" > "$D/cut.txt.gz"
$TOK analyze parity -t llama3 --ref de "$D/de.txt.gz" > "$D/o" 2> "$D/e"; check "gzip input" 0 $? "$D/o" "de "
$TOK analyze parity -t llama3 --ref cut "$D/cut.txt.gz" > /dev/null 2> "$D/e"; check "truncated gzip" 1 $? "$D/e" "cut.txt.gz: truncated gzip"
if command -v zstd >/dev/null 2>&1; then
    printf 'eins\nzwei\n' | zstd -q -c > "$D/fr.txt.zst"
    head -c 12 "$D/fr.txt.zst" > "$D/cutz.zst"
    $TOK analyze fertility -t llama3 "$D/fr.txt.zst" > "$D/o" 2> "$D/e"; check "zstd input" 0 $? "$D/o" "fr "
    $TOK analyze fertility -t llama3 "$D/cutz.zst" > /dev/null 2> "$D/e"; check "truncated zstd" 1 $? "$D/e" "truncated zstd"
fi
printf '{"text":"hello"}\n{"text": nope}\n{"body":"x"}\n' > "$D/en.jsonl"
$TOK analyze fertility -t llama3 --jsonl text "$D/en.jsonl" > /dev/null 2> "$D/e"; check "JSONL not JSON" 1 $? "$D/e" "en.jsonl:2:"
$TOK analyze fertility -t llama3 --jsonl text --lenient "$D/en.jsonl" > /dev/null 2> "$D/e"; check "JSONL lenient" 0 $? "$D/e" "1 not JSON, 1 no text field"
printf '{"body":"x"}\n' > "$D/nf.jsonl"
$TOK analyze fertility -t llama3 --jsonl text "$D/nf.jsonl" > /dev/null 2> "$D/e"; check "JSONL no field" 1 $? "$D/e" 'nf.jsonl:1: no string member "text"'
: > "$D/am.txt"
$TOK analyze parity -t llama3 --ref en "$U/en.txt" "$D/am.txt" > /dev/null 2> "$D/e"; check "empty language" 1 $? "$D/e" "empty language 'am'"
$TOK analyze parity -t llama3 --ref zz "$U/en.txt" > /dev/null 2> "$D/e"; check "missing reference" 1 $? "$D/e" "reference language 'zz'"
$TOK analyze parity "$U/en.txt" > /dev/null 2> "$D/e"; check "parity no -t" 2 $?

# --- audit: shards merged == one pass; GNU parallel; the page in Chromium -------------
mkdir -p "$D/all" "$D/s1" "$D/s2"
for l in en de ru ja my am ta fi; do
    cp "$U/$l.txt" "$D/all/"
    head -n 12 "$U/$l.txt" > "$D/s1/$l.txt"
    tail -n +13 "$U/$l.txt" > "$D/s2/$l.txt"
done
TS="-t llama3 -t cl100k_base -t mistral"
$TOK audit $TS --gold "$ROOT/data/gold/en-morph.tsv" --json "$D/one.json" --html "$D/one.html" "$D/all" 2> "$D/e"; check "audit" 0 $? "$D/e"
$TOK audit $TS --gold "$ROOT/data/gold/en-morph.tsv" --json "$D/a.json" "$D/s1" 2> "$D/e"; check "audit shard 1" 0 $?
$TOK audit $TS --gold "$ROOT/data/gold/en-morph.tsv" --json "$D/b.json" "$D/s2" 2> "$D/e"; check "audit shard 2" 0 $?
$TOK audit --merge "$D/a.json" "$D/b.json" --json "$D/m.json" --html "$D/m.html" 2> "$D/e"; check "audit --merge" 0 $? "$D/e"
cmp -s "$D/one.json" "$D/m.json" && ok || bad "merged JSON != one pass"
cmp -s "$D/one.html" "$D/m.html" && ok || bad "merged HTML != one pass"
if command -v parallel >/dev/null 2>&1; then
    # the documented recipe: one task per shard, then one merge
    mkdir -p "$D/par"
    printf '%s\n' "$D/s1" "$D/s2" | parallel -j2 -k "$TOK audit $TS --gold $ROOT/data/gold/en-morph.tsv --json $D/par/{#}.json {}" 2> "$D/e" || bad "parallel shards: $(cat "$D/e")"
    $TOK audit --merge "$D/par/1.json" "$D/par/2.json" --html "$D/p.html" 2> "$D/e"; check "merge parallel" 0 $?
    cmp -s "$D/one.html" "$D/p.html" && ok || bad "GNU parallel shards merged != one pass"
else
    bad "GNU parallel not installed (scripts/deps.sh test)"
fi
$TOK audit --merge "$D/xx.txt" --html "$D/x.html" > /dev/null 2> "$D/e"; check "merge non-audit" 1 $? "$D/e" "xx.txt:1:"
grep -qi '<script\|https\?://[^"]*\.\(js\|css\|png\)\|<link ' "$D/one.html" && bad "audit HTML has scripts or external assets" || ok
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
        --no-first-run --user-data-dir="$D/chrome" --dump-dom "file://$D/one.html" > "$D/dom.html" 2> /dev/null
    for needle in 'Findings' 'costs <b>' 'Premium: tokens relative to English' 'Token lengths' 'Morphology' 'en-morph.tsv' 'Burmese (my)'; do
        grep -qF "$needle" "$D/dom.html" && ok || bad "rendered page lacks '$needle'"
    done
    [ "$(grep -o '<svg' "$D/dom.html" | wc -l)" -ge 5 ] && ok || bad "rendered page has too few SVG charts"
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
        --no-first-run --user-data-dir="$D/chrome" --window-size=1100,2400 --screenshot="$D/shot.png" "file://$D/one.html" > /dev/null 2>&1
    [ -s "$D/shot.png" ] && ok || bad "no screenshot"
else
    bad "chromium not installed (scripts/deps.sh test)"
fi

suite_end
