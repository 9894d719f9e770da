#!/bin/sh
# tok analyze glitch: magikarp's categories against the counts its repository
# publishes, in-context reachability, the weight readers (same results from
# safetensors, sharded safetensors, GGUF and .npy on real matrices), the
# indicators against numpy, planted under-trained rows, malformed weight
# files, verification prompts and verdicts, sticky tokens.
# Needs the fetched cache (scripts/fetch-refs.sh, run here).  TOK: binary.
set -u
TOK=${TOK:-./tok}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
PY=/usr/bin/python3
sh "$ROOT/scripts/fetch-refs.sh" >/dev/null || { echo "FAIL glitch: fetch-refs failed"; exit 1; }
W=$TOK_CACHE/glitch/built
KEY=$(cat "$ROOT/tests/glitch/make_weights.py" "$TOK_CACHE/glitch/.stamp" | sha256sum | cut -c1-16)
if [ ! -f "$W/.stamp" ] || [ "$(cat "$W/.stamp")" != "$KEY" ]; then
    rm -rf "$W"
    $PY "$ROOT/tests/glitch/make_weights.py" "$TOK_CACHE/glitch" "$W" >/dev/null || { echo "FAIL glitch: make_weights.py"; exit 1; }
    echo "$KEY" > "$W/.stamp"
fi
D=$(mktemp -d "${TMPDIR:-/tmp}/libtok-glitch.XXXXXX")
trap 'rm -rf "$D"' EXIT
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL glitch: $*"; fail=$((fail+1)); }

# --- 1. categories: our counts beside magikarp's results/summary.md ---------
# name | tokenizer | magikarp row | published bytes/unreachable/partial/special |
# ours | why they differ
while IFS='|' read -r name tk pub ours why; do
    [ -n "$name" ] || continue
    tk=$(printf '%s' "$tk" | sed "s|@GGUF@|$TOK_CACHE/gguf/models|")
    out=$($TOK analyze glitch -t "$tk" --json 2>"$D/err") || { bad "$name: exit $? $(cat "$D/err")"; continue; }
    got=$(printf '%s' "$out" | $PY -c 'import json,sys; c=json.load(sys.stdin)["counts"]; print("%d/%d/%d/%d" % (c["bytes"], c["unreachable"], c["partial_utf8"], c["special"]))')
    [ "$got" = "$ours" ] && ok || bad "$name: counts $got, expected $ours (magikarp $pub: $why)"
done <<'T'
llama3|llama3|meta-llama/Meta-Llama-3-8B 256/0/1224/256|256/0/1224/256|identical
gpt2 (r50k)|r50k_base|openai-community/gpt2 256/0/216/1|256/0/216/1|identical
mistral|mistral|mistralai/Mistral-7B-v0.1 380/0/0/3|380/0/0/3|identical
llama2|llama2.model|meta-llama/Llama-2-7b-hf 351/0/0/3|351/0/0/3|identical
cl100k|cl100k_base|(none; stabilityai/stablelm-2-12b's Arcade100k extends it: 256/1102/645/33)|256/0/645/5|no model with this tokenizer is in magikarp; the partial UTF-8 count equals Arcade100k's, which adds 28 specials and splits digits (its 1102 unreachable multi-digit tokens)
o200k|o200k|(none)|256/12/1434/2|not in magikarp (no open weights); 12 tokens the split regex cuts (\n//, 亚洲AV ...)
gemma3|gemma3|google/gemma-7b 380/1/0/158 (Gemma 1, 256000 ids)|365/4/0/6323|a different vocabulary: Gemma 3 has 262145 ids, 6415 added tokens (6323 look special: <unusedN>, html tags), fewer single ASCII pieces
bert|bert-base-uncased|(none: encoders are not in magikarp)|68/5829/0/999|## continuation pieces decode with their ## and re-encode as several tokens; 994 [unusedN] look special
albert|albert|(none: magikarp stops with an AssertionError, « is not a single token)|57/562/0/5|substitute guard prefixes (| $); 562 pieces the unigram model never picks alone
qwen2 (GGUF)|@GGUF@/ggml-vocab-qwen2.gguf|Qwen/Qwen1.5-32B 256/1906/1320/6|256/1670/1320/296|llama.cpp's vocabulary has no NFC normaliser: the 236 tokens whose text is not NFC come back here (1670 + 236 = 1906, checked below); 290 [PADn] entries pad it to 151936 ids and look special (6 + 290)
deepseek-llm (GGUF)|@GGUF@/ggml-vocab-deepseek-llm.gguf|deepseek-ai/deepseek-llm-7b-base 256/32/438/2|256/32/438/2387|2385 [PADn] entries pad the vocabulary to 102400 ids and look special (2 + 2385)
T
# the Qwen difference is HF's NFC normaliser: exactly the OK tokens whose text is not NFC
$TOK analyze glitch -t "$TOK_CACHE/gguf/models/ggml-vocab-qwen2.gguf" --json --all > "$D/qwen.json" || bad "qwen2 --all"
$PY - "$D/qwen.json" <<'P' && ok || bad "qwen2: the NFC explanation does not hold"
import json, sys, unicodedata
r = json.load(open(sys.argv[1]))
n = sum(1 for t in r["tokens"] if t["category"] == "OK" and "byte" not in t and not t.get("special_looking")
        and unicodedata.normalize("NFC", t["decoded"]) != t["decoded"])
assert n == 1906 - 1670, n
P

# the categories rest on decode: SentencePiece .model files without byte
# fallback (ALBERT) decode as spm_decode does (only the text's first space goes)
if command -v spm_decode >/dev/null 2>&1; then
    printf 'Hello  world # the end\nA second, different line: 42 (x)\n' > "$D/spm.txt"
    for m in albert.model smart.model llama2.model; do
        $TOK encode -t "$TOK_CACHE/tokenizers/$m" --no-special --lines "$D/spm.txt" > "$D/spm.ids"
        $TOK decode -t "$TOK_CACHE/tokenizers/$m" --lines < "$D/spm.ids" > "$D/spm.tok"
        spm_decode --model "$TOK_CACHE/tokenizers/$m" --input_format=id < "$D/spm.ids" | sed 's/ \xe2\x81\x87 /<unk>/g' > "$D/spm.ref"
        cmp -s "$D/spm.tok" "$D/spm.ref" && ok || bad "$m decode differs from spm_decode: $(diff "$D/spm.tok" "$D/spm.ref" | head -4)"
    done
fi

# StickyToken's MEANINGLESS category comes first when asked
m=$($TOK analyze glitch -t llama3 --meaningless --json | $PY -c 'import json,sys; r=json.load(sys.stdin); print(r["categories"]["MEANINGLESS"], sum(1 for t in r["tokens"] if t["category"]=="MEANINGLESS" and t["decoded"].strip()!=""))')
set -- $m
[ "$1" -gt 0 ] && [ "$2" = 0 ] && ok || bad "--meaningless: $m"

# orphans: "cd" has no merge; with ignore_merges it still comes back whole
for im in false true; do
cat > "$D/orph.json" <<J
{"model":{"type":"BPE","vocab":{"a":0,"b":1,"c":2,"d":3,"ab":4,"cd":5,"abc":6,"t":7,"e":8,"s":9},
 "merges":["a b","ab c"],"ignore_merges":$im},
 "pre_tokenizer":{"type":"Whitespace"},"added_tokens":[]}
J
$TOK analyze glitch -t "$D/orph.json" --json > "$D/orph.out" || bad "orphans exit $?"
$PY - "$D/orph.out" $im <<'P' && ok || bad "orphans (ignore_merges $im)"
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["id"]: x for x in r["tokens"]}
assert r["orphans"] == 1 and t[5]["orphan"], r
if sys.argv[2] == "true":
    assert r["orphans_ignore_merges"] == 1 and t[5]["category"] == "OK" and t[5]["ignore_merges_only"], t[5]
else:
    assert r["orphans_ignore_merges"] == 0 and t[5]["category"] == "UNREACHABLE_MULTI_TOKEN" and t[5]["reencoded_ids"] == [2, 3], t[5]
P
done

# --- 2. reachability in context ---------------------------------------------
$TOK analyze glitch -t o200k --context --json > "$D/ctx.json" || bad "--context exit $?"
$PY - "$D/ctx.json" <<'P' && ok || bad "context reachability"
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["id"]: x for x in r["tokens"]}
# "\n//" (3914) splits as \n + // alone, but follows a letter as one token
assert t[3914]["reach"] == "context", t[3914]
assert r["reach"]["never"] + r["reach"]["context"] + r["reach"]["added_text"] == 12, r["reach"]
P

# --- 3. weight files: same results from every format -------------------------
for stem in use jieba; do
    extra=""
    [ $stem = jieba ] && extra="--unused 20940"
    for f in $stem.safetensors $stem.npy $stem.gguf $stem-sharded/model.safetensors.index.json; do
        $TOK analyze glitch -t "$W/$stem.json" --weights "$W/$f" $extra --json --all > "$D/$(echo "$f" | tr / _).json" 2>"$D/err" ||
            bad "$stem $f: exit $? $(cat "$D/err")"
    done
    $PY - "$D" "$stem" "$W/ref_$stem.json" <<'P' && ok || bad "$stem: formats differ or indicators off"
import json, sys, os
d, stem, ref = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
runs = [json.load(open(os.path.join(d, f))) for f in sorted(os.listdir(d)) if f.startswith(stem + ".") or f.startswith(stem + "-sharded")]
assert len(runs) == 4, len(runs)
base = runs[0]
for r in runs[1:]:
    assert r["tokens"] == base["tokens"], "per-token results differ between formats"
    assert r["weights"]["candidates"] == base["weights"]["candidates"]
names = base["weights"]["indicators"]
worst = 0
for t in base["tokens"]:
    for k, n in enumerate(names):
        worst = max(worst, abs(t["indicators"][k] - ref[n][t["id"]]))
assert worst < 1e-5, worst
print("glitch: %s: %d candidates below %.4f; indicators within %.1e of numpy" % (stem, len(base["weights"]["candidates"]), base["weights"]["threshold"], worst), file=sys.stderr)
P
done
# half precision: the same candidates, nearly
for f in use-f16.safetensors use-bf16.safetensors use-f16.gguf use-f16.npy; do
    $TOK analyze glitch -t "$W/use.json" --weights "$W/$f" --json > "$D/h.json" 2>"$D/err" || { bad "$f: $(cat "$D/err")"; continue; }
    $PY - "$D/h.json" "$D/use.safetensors.json" <<'P' && ok || bad "$f: candidates far from f32"
import json, sys
a = [c["id"] for c in json.load(open(sys.argv[1]))["weights"]["candidates"]]
b = [c["id"] for c in json.load(open(sys.argv[2]))["weights"]["candidates"]]
assert len(set(a) & set(b)) >= 0.9 * len(b), (len(a), len(b))
P
done
# tied weights without a reference set: magikarp's error
$TOK analyze glitch -t "$W/jieba.json" --weights "$W/jieba.npy" > /dev/null 2> "$D/err"
[ $? = 1 ] && grep -q "reference set" "$D/err" && ok || bad "tied without reference: $(cat "$D/err")"

# --- 4. planted under-trained rows -----------------------------------------
$TOK analyze glitch -t "$W/use.json" --weights "$W/planted.safetensors" --json > "$D/pl.json" || bad "planted exit $?"
$PY - "$D/pl.json" "$W/planted.txt" <<'P' && ok || bad "planted rows not found"
import json, sys
r = json.load(open(sys.argv[1]))
planted = set(int(x) for x in open(sys.argv[2]))
cand = [c["id"] for c in r["weights"]["candidates"]]
tp = len(set(cand) & planted)
prec, rec = tp / len(cand), tp / len(planted)
print("glitch: planted rows: %d candidates at the 2nd percentile (%s), precision %.3f, recall %.3f" % (len(cand), r["weights"]["indicators"][0], prec, rec), file=sys.stderr)
assert r["weights"]["indicators"][0] == "E_in L2 Norm" and not r["weights"]["tied"]
assert rec == 1.0 and prec >= 0.7, (prec, rec)
P

# --- 5. verification prompts and verdicts -----------------------------------
$TOK analyze glitch -t "$W/use.json" --weights "$W/planted.safetensors" --prompts "$D/prompts.jsonl" > /dev/null || bad "--prompts exit $?"
$PY - "$D/prompts.jsonl" "$W/planted.txt" "$D/results.jsonl" <<'P' && ok || bad "prompts"
import json, sys
planted = set(int(x) for x in open(sys.argv[2]))
reps = {"input_output": 20, "assistant_explain": 0, "repeats": 50}
seen = {}
with open(sys.argv[3], "w") as out:
    for line in open(sys.argv[1]):
        p = json.loads(line)
        assert p["ids"].count(p["id"]) >= 2 * reps[p["prompt"]] + 1, (p["prompt"], p["ids"].count(p["id"]))
        assert p["placeholder"] not in p["ids"]
        seen.setdefault(p["id"], set()).add(p["prompt"])
        # an engine's answer: planted rows are never predicted, others often
        out.write(json.dumps({"id": p["id"], "prompt": p["prompt"], "max_prob": 1e-5 if p["id"] in planted else 0.5}) + "\n")
assert all(len(v) == 3 for v in seen.values()) and len(seen) == 160, len(seen)
P
$TOK analyze glitch -t "$W/use.json" --weights "$W/planted.safetensors" --verify "$D/results.jsonl" > "$D/v.txt" || bad "--verify exit $?"
grep -q "verified:       120/160" "$D/v.txt" && grep -q "strong_verified *120" "$D/v.txt" && grep -q "weak_rejected *40" "$D/v.txt" && ok ||
    bad "verdicts: $(grep -A6 verified: "$D/v.txt")"
printf '{"id": 1, "prompt": "nope"}\n' > "$D/badres.jsonl"
$TOK analyze glitch -t "$W/use.json" --weights "$W/planted.safetensors" --verify "$D/badres.jsonl" > /dev/null 2> "$D/err"
[ $? = 1 ] && grep -q "badres.jsonl:1" "$D/err" && ok || bad "bad results file: $(cat "$D/err")"

# --- 6. malformed weight files: exit 1, file + tensor/offset named ----------
while IFS='|' read -r f needle; do
    [ -n "$f" ] || continue
    $TOK analyze glitch -t "$W/use.json" --weights "$W/$f" > /dev/null 2> "$D/err"
    rc=$?
    [ $rc = 1 ] && grep -qF "$W/$f" "$D/err" && grep -qF -- "$needle" "$D/err" && ok || bad "$f: exit $rc: $(cat "$D/err")"
done <<'T'
bad-truncated.safetensors|data_offsets [0, 8194048] lie outside
bad-hlen.safetensors|byte offset 0
bad-shape.safetensors|tensor model.embed_tokens.weight: F32 shape needs
bad-dtype.safetensors|tensor model.embed_tokens.weight: F16 shape needs
bad-quant.safetensors|element type I8 is not supported
bad-truncated.gguf|tensor token_embd.weight
bad-header.gguf|truncated
bad-quant.gguf|element type Q4_K is not supported
bad-truncated.npy|byte offset
bad-rows.npy|100 rows, but the tokenizer has ids up to 7999
T
$TOK analyze glitch -t "$W/use.json" --weights "$W/use.safetensors" --tensor nope > /dev/null 2> "$D/err"
[ $? = 1 ] && grep -q "no tensor named nope" "$D/err" && ok || bad "missing tensor: $(cat "$D/err")"
$TOK analyze glitch -t "$W/use.json" --tensor x > /dev/null 2>&1; [ $? = 2 ] && ok || bad "--tensor without --weights"

# --- 7. sticky tokens: the static embedder, and the same through --embed-cmd --
awk 'length($0) > 30 && length($0) < 300' "$TOK_CACHE/texts/multilingual.txt" > "$D/sent.txt"
$TOK analyze glitch -t "$W/use.json" --weights "$W/use.safetensors" --sticky "$D/sent.txt" --sticky-sample 30 --verify-pairs 10 --json > "$D/s1.json" 2> "$D/err" ||
    bad "sticky (static): $(cat "$D/err")"
$TOK analyze glitch -t "$W/use.json" --sticky "$D/sent.txt" --sticky-sample 30 --verify-pairs 10 --json \
    --embed-cmd "$PY $ROOT/tests/glitch/embed_static.py $TOK $W/use.json $W/use.npy" > "$D/s2.json" 2> "$D/err" ||
    bad "sticky (--embed-cmd): $(cat "$D/err")"
$PY - "$D/s1.json" "$D/s2.json" <<'P' && ok || bad "sticky: the command embedder disagrees with the built-in one"
import json, sys
a, b = (json.load(open(f))["sticky"] for f in sys.argv[1:3])
assert a["embedder"].startswith("static") and "embed_static.py" in b["embedder"], (a["embedder"], b["embedder"])
assert a["scored"] == b["scored"] == 30 and a["pairs"] == b["pairs"] == 5, (a["scored"], a["pairs"])
assert abs(a["mean_similarity"] - b["mean_similarity"]) < 1e-6
ca = [(c["id"], c["verdict"]) for c in a["candidates"]]
cb = [(c["id"], c["verdict"]) for c in b["candidates"]]
assert ca == cb and ca, (ca, cb)
for x, y in zip(a["candidates"], b["candidates"]):
    assert all(abs(p - q) <= 1e-3 * max(1, abs(p)) for p, q in zip(x["scores"], y["scores"])), (x, y)
print("glitch: sticky: %d scored, %d pairs, %d verification pairs, candidates %s, same through --embed-cmd" % (a["scored"], a["pairs"], a["verify_pairs"], ca), file=sys.stderr)
P
printf 'only one sentence\n' > "$D/one.txt"
$TOK analyze glitch -t "$W/use.json" --weights "$W/use.safetensors" --sticky "$D/one.txt" > /dev/null 2> "$D/err"
[ $? = 1 ] && grep -q "at least 2 distinct sentences" "$D/err" && ok || bad "sticky one sentence: $(cat "$D/err")"
$TOK analyze glitch -t "$W/use.json" --sticky "$D/sent.txt" --embed-cmd "echo nonsense" > /dev/null 2> "$D/err"
[ $? = 1 ] && grep -q "embed-cmd" "$D/err" && ok || bad "bad --embed-cmd: $(cat "$D/err")"

echo "glitch: $pass passed, $fail failed"
[ $fail -eq 0 ]
