#!/bin/sh
# tok train --model spm-bpe: the same vocabulary and scores as
# spm_train --model_type=bpe (multilingual and English text).
# tok train --model unigram beside spm_train --model_type=unigram on the same
# text and options: our .model loads in spm_encode, our tokenizer.json in HF
# (same encodings as libtok); vocabulary overlap, corpus log-likelihood and
# token count of both models, each encoded by spm_encode, as a table.
# Usage: unigram.sh [CORPUS [VOCAB]]  (default: 400 kB of English, 2000)
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin spm
sh "$ROOT/scripts/fetch-refs.sh" >/dev/null 2>&1 || { echo "FAIL fetch-refs"; exit 1; }
CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
command -v spm_train >/dev/null || { echo "FAIL spm_train missing (apt sentencepiece; scripts/deps.sh test)"; exit 1; }

if [ $# -ge 1 ]; then cp "$1" "$D/c.txt"; else head -c 400000 "$CACHE/texts/english.txt" > "$D/c.txt"; echo >> "$D/c.txt"; fi
V=${2:-2000}
# spaces only inside lines (no tabs), as both split words on spaces
tr '\t' ' ' < "$D/c.txt" > "$D/corpus.txt"
head -c 410000 "$CACHE/texts/english.txt" | tail -c 10000 | tr '\t' ' ' > "$D/test.txt"; echo >> "$D/test.txt"

"$TOK" train --model unigram --vocab-size "$V" -o "$D/ours.model" "$D/corpus.txt" 2>"$D/err" || bad "train .model: $(cat "$D/err")"
"$TOK" train --model unigram --vocab-size "$V" -o "$D/ours.json" "$D/corpus.txt" 2>"$D/err" || bad "train .json: $(cat "$D/err")"
spm_train --input="$D/corpus.txt" --model_prefix="$D/spm" --vocab_size="$V" --model_type=unigram --num_threads=1 \
    --minloglevel=2 --character_coverage=1.0 --normalization_rule_name=identity --remove_extra_whitespaces=false \
    --split_digits=false --max_sentence_length=100000 > "$D/spm.log" 2>&1 || bad "spm_train: $(tail -3 "$D/spm.log")"

# both models through spm_encode: ids, then scores from the exported vocabulary
measure() { # MODEL TEXT -> "tokens loglik"
    spm_export_vocab --model="$1" > "$D/vocab.tsv" 2>/dev/null
    spm_encode --model="$1" --output_format=id < "$2" > "$D/ids" 2>/dev/null || { echo "0 0"; return; }
    awk 'NR==FNR{s[NR-1]=$NF;next}{for(i=1;i<=NF;i++){n++;ll+=s[$i]}}END{printf "%d %.1f\n", n, ll}' "$D/vocab.tsv" "$D/ids"
}
set -- $(measure "$D/ours.model" "$D/corpus.txt"); OT=$1 OL=$2
set -- $(measure "$D/spm.model" "$D/corpus.txt"); ST=$1 SL=$2
set -- $(measure "$D/ours.model" "$D/test.txt"); OTT=$1 OTL=$2
set -- $(measure "$D/spm.model" "$D/test.txt"); STT=$1 STL=$2
[ "$OT" -gt 0 ] && ok || bad "spm_encode cannot use our .model"
spm_export_vocab --model="$D/ours.model" | cut -f1 | sort > "$D/vo"
spm_export_vocab --model="$D/spm.model" | cut -f1 | sort > "$D/vs"
common=$(comm -12 "$D/vo" "$D/vs" | wc -l)
echo "| Unigram, $(wc -c < "$D/corpus.txt") bytes, vocab $V | libtok | spm_train |"
echo "|---|---|---|"
echo "| vocabulary overlap | $common / $(wc -l < "$D/vo") | $common / $(wc -l < "$D/vs") |"
echo "| tokens, training text | $OT | $ST |"
echo "| log-likelihood, training text | $OL | $SL |"
echo "| tokens, held-out text | $OTT | $STT |"
echo "| log-likelihood, held-out text | $OTL | $STL |"
# the same run again gives the same bytes; 2 threads (sums added in another
# order) the same model up to rounding: nearly the same pieces and tokens
"$TOK" train --model unigram --vocab-size "$V" -o "$D/again.model" "$D/corpus.txt" 2>"$D/err" &&
    cmp -s "$D/ours.model" "$D/again.model" && ok || bad "unigram: two runs differ"
"$TOK" train --model unigram --vocab-size "$V" --threads 2 -o "$D/t2.model" "$D/corpus.txt" 2>"$D/err" || bad "train --threads 2: $(cat "$D/err")"
set -- $(measure "$D/t2.model" "$D/corpus.txt"); T2T=$1
spm_export_vocab --model="$D/t2.model" | cut -f1 | sort > "$D/vt2"
awk -v a="$T2T" -v b="$OT" -v c="$(comm -12 "$D/vo" "$D/vt2" | wc -l)" -v n="$V" \
    'BEGIN{exit !(a > 0 && a <= b * 1.005 && a >= b * 0.995 && c >= 0.99 * n)}' && ok ||
    bad "unigram --threads 2: $T2T tokens vs $OT, $(comm -12 "$D/vo" "$D/vt2" | wc -l) shared pieces"
# within 3% of spm_train's token count, and most of its vocabulary
awk -v a="$OT" -v b="$ST" 'BEGIN{exit !(a <= b * 1.03)}' && ok || bad "token count $OT vs spm_train $ST"
awk -v c="$common" -v n="$(wc -l < "$D/vs")" 'BEGIN{exit !(c >= 0.7 * n)}' && ok || bad "overlap $common"

# HF loads our tokenizer.json and encodes it like libtok
node "$ROOT/tests/parity/ref_hf.js" "$D/ours.json" "$D/test.txt" --lines --no-special 2>"$D/err" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n"))if(l)console.log(JSON.parse(l).ids.join(" "))})' > "$D/hf_ids"
"$TOK" encode -t "$D/ours.json" --lines --no-special "$D/test.txt" > "$D/our_ids"
[ -s "$D/our_ids" ] && cmp -s "$D/hf_ids" "$D/our_ids" && ok || bad "HF and libtok encode our tokenizer.json differently"
# libtok reads our .model like spm_encode
spm_encode --model="$D/ours.model" --output_format=id < "$D/test.txt" > "$D/spm_ids" 2>/dev/null
"$TOK" encode -t "$D/ours.model" --lines --no-special "$D/test.txt" > "$D/tok_ids"
cmp -s "$D/spm_ids" "$D/tok_ids" && ok || bad "libtok and spm_encode read our .model differently"

# byte fallback and a user symbol: spm_encode, libtok and HF agree on unseen characters
"$TOK" train --model unigram --vocab-size "$V" --byte-fallback --special '<mask>' -o "$D/bf.model" "$D/corpus.txt" 2>"$D/err" &&
"$TOK" train --model unigram --vocab-size "$V" --byte-fallback --special '<mask>' -o "$D/bf.json" "$D/corpus.txt" 2>>"$D/err" ||
    bad "unigram --byte-fallback: $(cat "$D/err")"
printf 'Ωmega 日本 <mask> hello\nnaïve ☃ test\n' > "$D/bf.txt"
spm_encode --model="$D/bf.model" --output_format=id < "$D/bf.txt" > "$D/a" 2>/dev/null
"$TOK" encode -t "$D/bf.model" --lines --no-special "$D/bf.txt" > "$D/b"
node "$ROOT/tests/parity/ref_hf.js" "$D/bf.json" "$D/bf.txt" --lines --no-special 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n"))if(l)console.log(JSON.parse(l).ids.join(" "))})' > "$D/c"
[ -s "$D/a" ] && cmp -s "$D/a" "$D/b" && cmp -s "$D/a" "$D/c" && grep -q ' 3 ' "$D/a" && ok || bad "byte fallback / user symbol: spm_encode, libtok and HF differ"

# PathPiece: fewer corpus tokens than BPE and Unigram at the same size
"$TOK" train --model pathpiece --vocab-size "$V" -o "$D/pp.json" "$D/corpus.txt" 2>"$D/err" || bad "pathpiece: $(cat "$D/err")"
"$TOK" train --model bpe --pre metaspace --vocab-size "$V" -o "$D/bpe.json" "$D/corpus.txt" 2>"$D/err" || bad "bpe: $(cat "$D/err")"
nb=$("$TOK" encode -t "$D/bpe.json" --lines --no-special "$D/corpus.txt" | wc -w)
nu=$("$TOK" encode -t "$D/ours.json" --lines --no-special "$D/corpus.txt" | wc -w)
np=$("$TOK" encode -t "$D/pp.json" --method least-tokens --lines --no-special "$D/corpus.txt" | wc -w)
echo "| corpus tokens at vocab $V (metaspace words) | BPE $nb | Unigram $nu | PathPiece $np |"
[ "$np" -lt "$nb" ] && [ "$np" -lt "$nu" ] && ok || bad "PathPiece $np not below BPE $nb and Unigram $nu"
node "$ROOT/tests/parity/ref_hf.js" "$D/pp.json" "$D/test.txt" --lines --no-special 2>"$D/err" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n"))if(l)console.log(JSON.parse(l).ids.join(" "))})' > "$D/hf_ids"
"$TOK" encode -t "$D/pp.json" --lines --no-special "$D/test.txt" > "$D/our_ids"
[ -s "$D/our_ids" ] && cmp -s "$D/hf_ids" "$D/our_ids" && ok || bad "HF and libtok encode the PathPiece tokenizer.json differently"

# SentencePiece BPE: identical .model vocabulary and scores
spm_bpe() { # TEXT VOCAB
    "$TOK" train --model spm-bpe --vocab-size "$2" -o "$D/sb.model" "$1" 2>"$D/err" || { bad "spm-bpe: $(cat "$D/err")"; return; }
    spm_train --input="$1" --model_prefix="$D/ssb" --vocab_size="$2" --model_type=bpe --num_threads=1 --minloglevel=2 \
        --character_coverage=1.0 --normalization_rule_name=identity --remove_extra_whitespaces=false \
        --split_digits=false --max_sentence_length=100000 > "$D/spm.log" 2>&1 || { bad "spm_train bpe: $(tail -3 "$D/spm.log")"; return; }
    spm_export_vocab --model="$D/sb.model" > "$D/v1"; spm_export_vocab --model="$D/ssb.model" > "$D/v2"
    if cmp -s "$D/v1" "$D/v2"; then ok; else bad "spm-bpe $(basename "$1") $2: $(diff "$D/v1" "$D/v2" | grep -c '^<') pieces differ from spm_train"; fi
}
node -e 'const fs=require("fs");const s=fs.readFileSync(process.argv[1],"utf8").slice(0,200000).replace(/\t/g," ");
fs.writeFileSync(process.argv[2], s.endsWith("\n") ? s : s + "\n")' "$CACHE/texts/multilingual.txt" "$D/ml.txt"
head -c 150000 "$D/corpus.txt" > "$D/en150.txt"; echo >> "$D/en150.txt"
spm_bpe "$D/ml.txt" 2000
spm_bpe "$D/en150.txt" 1000
# 400 kB at 4000: spm_train 0.1.97's positions lost in "www" order "ww" after "▁5"
spm_bpe "$D/corpus.txt" 4000
"$TOK" train --model spm-bpe --vocab-size 1000 -o "$D/sb.json" "$D/en150.txt" 2>"$D/err" || bad "spm-bpe json: $(cat "$D/err")"
node "$ROOT/tests/parity/ref_hf.js" "$D/sb.json" "$D/test.txt" --lines --no-special 2>"$D/err" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n"))if(l)console.log(JSON.parse(l).ids.join(" "))})' > "$D/hf_ids"
"$TOK" encode -t "$D/sb.json" --lines --no-special "$D/test.txt" > "$D/our_ids"
[ -s "$D/our_ids" ] && cmp -s "$D/hf_ids" "$D/our_ids" && ok || bad "HF and libtok encode the spm-bpe tokenizer.json differently"

# NUL bytes inside words: every model still loads, in spm_export_vocab and in
# libtok (the char "\0" was a piece, written empty, and both refused the file)
node -e 'const w=["alpha","beta","gamma","delta","eps\0ilon","ze\0ta","eta"];let s="",x=7;
for(let l=0;l<3000;l++){const r=[];for(let i=0;i<12;i++){x=(x*1103515245+12345)%2147483648;r.push(w[x%7]);}s+=r.join(" ")+"\n";}
require("fs").writeFileSync(process.argv[1],s)' "$D/nul.txt"
for m in unigram pathpiece spm-bpe; do
    "$TOK" train --model $m --vocab-size 30 -o "$D/nul.model" "$D/nul.txt" 2>"$D/err" || { bad "$m, NUL bytes in the corpus: $(cat "$D/err")"; continue; }
    spm_export_vocab --model="$D/nul.model" > "$D/nv" 2>"$D/err" && "$TOK" vocab -t "$D/nul.model" > "$D/tv" 2>>"$D/err" &&
        [ "$(wc -l < "$D/nv")" -gt 20 ] && [ "$(wc -l < "$D/nv")" -eq "$(wc -l < "$D/tv")" ] && ok || bad "$m, NUL bytes in the corpus: $(head -c 300 "$D/err")"
done

suite_end
