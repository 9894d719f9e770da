#!/bin/sh
# Keep-mask engine and saliency priors:
#  1. every shipped policy replayed by `tok prune` on long random synthetic
#     attention traces gives, step for step, the same kept positions as the
#     independent numpy reference (tests/keep/keepref.py), also with
#     quantised attention (ties), two groups, budget overrides, probe rows;
#  2. SepLLM's separator derivation equals HF tokenizers' encoding of its 43
#     strings (Llama 3, o200k, Mistral, BERT) and contains SepLLM's published
#     Llama 3 list;
#  3. priors files: export, reload by id in a trace, refusal for another
#     vocabulary, damaged files; glitch reports read from a hand-written file;
#  4. bad configurations fail with a clear message.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
TOK=${TOK:-$ROOT/tok}
PY=/usr/bin/python3
REF=tests/keep/keepref.py
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
export TOK_CACHE
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-keep.XXXXXX")
trap 'rm -rf "$W"' EXIT
fail=0
ok() { echo "ok $*"; }
bad() { echo "FAIL: $*"; fail=1; }

same() { # POLICYFILE TRACE [--budget B] [--groups G]
    pol=$1 tr=$2; shift 2
    if ! "$TOK" prune --policy "$pol" "$@" "$tr" > "$W/c.out" 2> "$W/c.err"; then
        bad "tok prune --policy $pol $* $(basename "$tr"): $(cat "$W/c.err")"; return; fi
    $PY $REF run "$pol" "$tr" "$@" > "$W/py.out" || { bad "reference failed on $pol"; return; }
    steps=$(wc -l < "$W/c.out")
    if cmp -s "$W/c.out" "$W/py.out"; then ok "$(basename "$pol") $* $(basename "$tr"): $steps lines identical"
    else bad "$(basename "$pol") $* $(basename "$tr"): masks differ from the reference"; diff "$W/c.out" "$W/py.out" | head -4; fi
}

# --- 1. policies against the reference ---------------------------------------
$PY $REF gen "$W/long.trace" --positions 1400 --prefill 420 --seed 11 || exit 1
$PY $REF gen "$W/ties.trace" --positions 700 --prefill 200 --seed 12 --groups 2 --ties || exit 1
$PY $REF gen "$W/probe.trace" --positions 500 --prefill 400 --seed 13 --probe 0.1 || exit 1
for p in streamingllm sepllm h2o a2sf zipcache saliency; do
    same data/policies/$p.policy "$W/long.trace"
done
for p in h2o a2sf saliency zipcache; do
    same data/policies/$p.policy "$W/ties.trace" --groups 2
    same data/policies/$p.policy "$W/ties.trace" --groups 2 --budget 0.3
done
same data/policies/sepllm.policy "$W/ties.trace" --groups 2 --budget 400
same data/policies/streamingllm.policy "$W/ties.trace" --groups 2 --budget 600
same data/policies/zipcache.policy "$W/probe.trace"
sed 's/^normalize = all-rows/normalize = probe-rows/' data/policies/zipcache.policy > "$W/zipexact.policy"
same "$W/zipexact.policy" "$W/probe.trace"
# A2SF's own form (window weights alpha^(L-1-q) over one prefill) gives the same mask
$PY $REF gen "$W/prefill.trace" --positions 600 --prefill 600 --seed 15 || exit 1
for seed in 16 17; do $PY $REF gen "$W/prefill$seed.trace" --positions 500 --prefill 500 --seed $seed || exit 1; done
for t in prefill prefill16 prefill17; do
    a=$("$TOK" prune --policy a2sf "$W/$t.trace" | head -1); b=$($PY $REF a2sf data/policies/a2sf.policy "$W/$t.trace")
    [ "$a" = "$b" ] && ok "a2sf $t: same mask as A2SF's window-weight form" || bad "a2sf $t: differs from the window-weight form"
done
# retention priorities per range (tok_keep_bias, 'b' records)
$PY $REF gen "$W/bias.trace" --positions 900 --prefill 300 --seed 14 --bias || exit 1
for p in h2o saliency zipcache; do same data/policies/$p.policy "$W/bias.trace"; done
# word granularity with a heavy budget that a word may not fit
sed -e 's/^heavy = auto/heavy = 37/' data/policies/saliency.policy > "$W/words.policy"
same "$W/words.policy" "$W/ties.trace" --groups 2
# span pruning: SparseVLM's rater rule (with and without relevance logits) and text-rated
$PY $REF genspan "$W/span1.trace" 21 35 576 64 1 || exit 1
$PY $REF genspan "$W/span0.trace" 22 35 576 64 0 || exit 1
for p in sparsevlm textrated; do
    for t in span1 span0; do
        same data/policies/$p.policy "$W/$t.trace"
        same data/policies/$p.policy "$W/$t.trace" --budget 64
    done
done

# --- 2. SepLLM separators ------------------------------------------------------
sh scripts/fetch-refs.sh >/dev/null 2>&1 || bad "fetch-refs failed"
TK=$TOK_CACHE/tokenizers
for t in llama3 o200k mistral bert-base-uncased; do
    f=$TK/$t.json
    [ -f "$f" ] || { bad "no $f"; continue; }
    want=$(node tests/keep/sepllm_ids.js "$TOK_CACHE/npm" "$f") || { bad "HF binding failed on $t"; continue; }
    got=$("$TOK" analyze saliency -t "$f" --json | $PY -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["separators"]).replace(" ",""))')
    [ "$got" = "$want" ] && ok "separators $t: $got" || bad "separators $t: libtok $got, HF $want"
    want=$(node tests/keep/sepllm_ids.js "$TOK_CACHE/npm" "$f" context) || { bad "HF binding failed on $t"; continue; }
    got=$("$TOK" analyze saliency -t "$f" --sep-in-context --json | $PY -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["separators"]).replace(" ",""))')
    [ "$got" = "$want" ] && ok "separators in context $t: $got" || bad "separators in context $t: libtok $got, HF $want"
done
# SepLLM's hard-coded Llama 3 list (kv_cache_manager.py) is a subset; the rest are tab variants and '  \n'
"$TOK" analyze saliency -t "$TK/llama3.json" --json | $PY -c '
import json, sys
d = json.load(sys.stdin)
pub = [13, 11, 30, 0, 26, 25, 198, 220, 662, 1174, 949, 758, 2652, 551, 720, 256, 262]
extra = sorted(set(d["separators"]) - set(pub))
assert set(pub) <= set(d["separators"]), "published id missing"
texts = {i: e["text"] for e in d["sepllm"] for i in e["ids"] if len(e["ids"]) == 1}
assert all("\t" in texts[i] or texts[i] == "  \n" for i in extra), extra
' && ok "SepLLM published Llama 3 list contained; extras are tab variants and two-space newline" || bad "published Llama 3 list"

# --- 3. priors files -----------------------------------------------------------
cat > "$W/glitch.json" <<'J'
{"counts": {"bytes": 256, "unreachable": 1, "partial_utf8": 0, "special": 0},
 "tokens": [{"id": 5, "category": "UNREACHABLE_SINGLE_TOKEN"},
            {"id": 7, "category": "OK", "percentile": 0.5},
            {"id": 9, "category": "OK", "percentile": 40.0},
            {"id": 11, "category": "OK", "sticky": true},
            {"id": 20, "category": "OK", "indicators": [0.5, 1]},
            {"id": 21, "category": "OK", "indicators": [0.1, 1]},
            {"id": 22, "category": "OK", "indicators": [0.9, 1]},
            {"id": 23, "category": "OK", "indicators": [0.3, 1]}],
 "weights": {"file": "w.safetensors", "threshold": 0.1, "candidates": [{"id": 21, "indicators": [0.1, 1]}]},
 "sticky": [30, {"id": 31}]}
J
"$TOK" analyze saliency -t "$TK/llama3.json" --glitch "$W/glitch.json" --export "$W/l3.json" --json > "$W/l3sum.json" || bad "saliency export json"
$PY - "$W/l3.json" <<'P' && ok "glitch report read into the priors" || bad "glitch priors"
import json, sys
d = json.load(open(sys.argv[1]))
t = {r["id"]: r for r in d["tokens"]}
assert "unreachable" in t[5]["flags"], t[5]
assert "undertrained" in t[7]["flags"] and t[7]["undertrained_pct"] == 0.5, t[7]
assert "undertrained" not in t[9]["flags"], t[9]
assert "sticky" in t[11]["flags"], t[11]
assert "undertrained" in t[21]["flags"] and t[21]["undertrained_pct"] == 25.0, t[21]
assert "undertrained" not in t[20]["flags"] and t[20]["undertrained_pct"] == 75.0, t[20]
assert t[22]["undertrained_pct"] == 100.0 and t[23]["undertrained_pct"] == 50.0
assert "sticky" in t[30]["flags"] and "sticky" in t[31]["flags"]
assert d["flags"]["undertrained"] == 2 and d["flags"]["sticky"] == 3, d["flags"]
assert "separator" in t[13]["flags"] and "punct" in t[13]["flags"]   # '.'
assert "special" in t[128000]["flags"]                                # <|begin_of_text|>
assert d["vocab_size"] == len(d["tokens"]) == 128256
P
echo '{"tokens": [{"id": 999999999, "category": "OK"}]}' > "$W/badglitch.json"
"$TOK" analyze saliency -t "$TK/llama3.json" --glitch "$W/badglitch.json" > /dev/null 2> "$W/err" && bad "glitch id out of range accepted"
grep -q 'tokens\[0\].id' "$W/err" && ok "glitch id out of range: $(cat "$W/err")" || bad "glitch error message: $(cat "$W/err")"

"$TOK" analyze saliency -t "$TK/llama3.json" --export "$W/l3.priors" > /dev/null || bad "binary export"
"$TOK" analyze saliency -t "$TK/mistral.json" --export "$W/mi.priors" > /dev/null || bad "binary export mistral"
# a trace by token id: '.' (13) and ' ,' (1174) are separators in Llama 3
{ echo "tok-trace 1"; echo "groups 1"
  i=0; for id in 128000 791 4062 13 1174 6437 374 1174 374 13 279 1176 4062 13 345 1174 11; do echo "i $i $id $i"; i=$((i+1)); done
  echo s; } > "$W/ids.trace"
printf 'mode = none\nsinks = 1\nwindow = 2\nseparators = all\nheavy = 0\nbudget = 3\n' > "$W/seps.policy"
out=$("$TOK" prune --policy "$W/seps.policy" --priors "$W/l3.priors" -t "$TK/llama3.json" "$W/ids.trace") || bad "prune by ids"
[ "$out" = "0 3 4 7 9 13 15 16" ] && ok "separators kept by priors: $out" || bad "prune by ids gave '$out'"
"$TOK" prune --policy "$W/seps.policy" --priors "$W/mi.priors" -t "$TK/llama3.json" "$W/ids.trace" > /dev/null 2> "$W/err" &&
    bad "priors of another vocabulary accepted"
grep -q "another vocabulary" "$W/err" && ok "other vocabulary refused: $(cat "$W/err")" || bad "refusal message: $(cat "$W/err")"
head -c 1000 "$W/l3.priors" > "$W/trunc.priors"
"$TOK" prune --policy "$W/seps.policy" --priors "$W/trunc.priors" "$W/ids.trace" > /dev/null 2> "$W/err" && bad "truncated priors accepted"
grep -q "trunc.priors: byte" "$W/err" && ok "truncated priors: $(cat "$W/err")" || bad "truncated message: $(cat "$W/err")"
cp "$W/l3.priors" "$W/flip.priors"; printf '\377' | dd of="$W/flip.priors" bs=1 seek=5000 conv=notrunc 2>/dev/null
"$TOK" prune --policy "$W/seps.policy" --priors "$W/flip.priors" "$W/ids.trace" > /dev/null 2> "$W/err" && bad "damaged priors accepted"
grep -q "checksum" "$W/err" && ok "damaged priors: $(cat "$W/err")" || bad "damaged message: $(cat "$W/err")"

# --- 4. bad configurations ---------------------------------------------------------
badcfg() { # WHAT WANT-IN-MESSAGE policy lines...
    what=$1 want=$2; shift 2
    printf '%s\n' "$@" > "$W/bad.policy"
    "$TOK" prune --policy "$W/bad.policy" "$W/long.trace" > /dev/null 2> "$W/err"; st=$?
    if [ $st -ne 0 ] && grep -q "$want" "$W/err"; then ok "$what: exit $st: $(cat "$W/err")"
    else bad "$what: exit $st, message '$(cat "$W/err")'"; fi
}
badcfg "negative budget" "negative budget" "mode = sum" "budget = -5"
badcfg "budget below sinks+window" "smaller than sinks + window" "sinks = 4" "window = 100" "budget = 50"
badcfg "unknown mode" "unknown value 'lru'" "mode = lru" "budget = 10"
badcfg "unknown key" "unknown key 'bugdet'" "bugdet = 10"
badcfg "negative window" "bad value\|negative" "window = -1" "budget = 10"
badcfg "decay without alpha range" "alpha" "mode = decay" "alpha = 1.5" "budget = 10"
badcfg "ratio out of range" "ratio" "budget = 1.5"
printf 'tok-trace 1\ngroups 1\np 0 0 -1\np 2 0 -1\ns\n' > "$W/order.trace"
"$TOK" prune --policy h2o "$W/order.trace" > /dev/null 2> "$W/err" && bad "positions out of order accepted"
grep -q "order.trace:4: position 2 out of order" "$W/err" && ok "positions out of order: $(cat "$W/err")" || bad "order message: $(cat "$W/err")"
printf 'tok-trace 1\ngroups 1\np 0 0 -1\nr 0 0 1 2\ns\n' > "$W/row.trace"
"$TOK" prune --policy h2o "$W/row.trace" > /dev/null 2> "$W/err" && bad "row of wrong length accepted"
grep -q "row.trace:4: row of query 0 has 2 values" "$W/err" && ok "bad row: $(cat "$W/err")" || bad "row message: $(cat "$W/err")"
printf 'tok-trace 1\ngroups 1\np 0 0 -1\nr 0 0 nan\ns\n' > "$W/nan.trace"
"$TOK" prune --policy h2o "$W/nan.trace" > /dev/null 2> "$W/err" && bad "NaN attention accepted"
grep -q "nan.trace:4: bad number" "$W/err" && ok "NaN attention: $(cat "$W/err")" || bad "nan message: $(cat "$W/err")"
"$TOK" prune --policy nosuchpolicy "$W/long.trace" > /dev/null 2>&1; [ $? -eq 2 ] && ok "unknown policy name: exit 2" || bad "unknown policy exit"
exit $fail
