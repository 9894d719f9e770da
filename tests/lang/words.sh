#!/bin/sh
# Word lists (%valid) and hunspell-derived approximate gold, against
# independent programs:
#  - en_US expanded by tok == unmunch (hunspell-tools) form for form, but for
#    the ONLYINCOMPOUND stems unmunch ignores (1th 2th 3th);
#  - every form of the cached hunspell gold files (en, de, ru, tr) accepted by
#    the hunspell spell checker itself (hunspell -l lists none);
#  - gold files read back whole (no line whose morphs fail to spell the word);
#  - %valid with --wordlist CODE == the directory; == the default when the
#    list holds exactly the gold words; tok audit --wordlist auto;
#  - errors: a missing list, a malformed .aff (file:line), usage.
# TOK: the binary under test.  Fetches what it needs (sh scripts/fetch-refs.sh).
set -u
. "$(dirname "$0")/../suite.sh"
suite_begin words
export TOK
[ "${PARITY_NO_FETCH:-0}" = 1 ] || FETCH_QUIET=1 sh "$ROOT/scripts/fetch-refs.sh" >/dev/null || { echo "FAIL fetch-refs"; exit 1; }
C=${TOK_CACHE:-$HOME/.cache/libtok}
W=$C/lang/words
G=$C/lang/gold
PY=/usr/bin/python3

# --- expansion vs unmunch (en_US: ASCII, single-character flags) ---------------------
if command -v unmunch >/dev/null 2>&1; then
    $TOK analyze hunspell --dic "$W/en/en_US.dic" --words | LC_ALL=C sort -u > "$D/mine" || bad "expand en_US"
    unmunch "$W/en/en_US.dic" "$W/en/en_US.aff" 2>/dev/null | LC_ALL=C sort -u > "$D/unmunch"
    extra=$(LC_ALL=C comm -13 "$D/mine" "$D/unmunch" | tr '\n' ' ')
    only=$(LC_ALL=C comm -23 "$D/mine" "$D/unmunch" | wc -l)
    [ "$(wc -l < "$D/mine")" -gt 160000 ] && [ "$only" -eq 0 ] && [ "$extra" = "1th 2th 3th " ] && ok ||
        bad "en_US vs unmunch: $(wc -l < "$D/mine") forms, $only only in tok, unmunch also: $extra"
else
    bad "unmunch not installed (hunspell-tools: scripts/deps.sh test)"
fi

# --- the derived gold: every form is a word for hunspell; files read back whole ----------
for c in en de ru tr; do
    f=$G/$c-hunspell.tsv
    if [ ! -s "$f" ]; then bad "$f missing (scripts/fetch.d/words.sh)"; continue; fi
    n=$(grep -vc '^#' "$f")
    [ "$n" -eq 20000 ] && ok || bad "$c gold: $n forms, want 20000"
    dic=$(ls "$W/$c"/*.dic | head -n 1)
    if command -v hunspell >/dev/null 2>&1; then
        grep -v '^#' "$f" | cut -f1 | hunspell -i utf-8 -d "${dic%.dic}" -l > "$D/rej" 2>&1
        [ ! -s "$D/rej" ] && ok || bad "$c gold: hunspell rejects $(wc -l < "$D/rej"): $(head -c 200 "$D/rej")"
    else
        bad "hunspell not installed (scripts/deps.sh test)"
    fi
    # boundaries split at least a third of the forms, and the morphs spell the word
    grep -v '^#' "$f" | awk -F'\t' '{ w=$2; gsub(/\|/, "", w); if (w != $1) bad++; if ($2 ~ /\|/) s++ }
        END { exit !(bad == 0 && s * 3 > NR) }' && ok || bad "$c gold: morphs do not spell the words, or few splits"
done
# deterministic: the same sample again
$TOK analyze hunspell --dic "$W/tr/tr_TR.dic" --gold 20000 --seed 1 > "$D/tr.tsv" 2> "$D/e" || bad "tr gold: $(cat "$D/e")"
grep -v '^#' "$G/tr-hunspell.tsv" | cmp -s - "$D/tr.tsv" && ok || bad "tr gold differs between runs"

# --- %valid ---------------------------------------------------------------------------------
EN=$ROOT/data/gold/en-morph.tsv
$TOK analyze morph -t llama3 --gold "$EN" --wordlist en --json > "$D/m1" 2> "$D/e" || bad "morph --wordlist en: $(cat "$D/e")"
$TOK analyze morph -t llama3 --gold "$EN" --wordlist "$W/en" --json > "$D/m2" 2> "$D/e" || bad "morph --wordlist dir"
cmp -s "$D/m1" "$D/m2" && ok || bad "--wordlist en differs from the directory"
grep -q '"sources":"american-english.txt (' "$D/m1" && ok || bad "wordlist sources not reported: $(head -c 300 "$D/m1")"
# a list of exactly the gold words gives the default (gold words) figure
grep -v '^#' "$EN" | cut -f1 > "$D/goldwords.txt"
$TOK analyze morph -t llama3 -t bert-base-uncased --gold "$EN" --json > "$D/m3" 2> "$D/e" || bad "morph default"
$TOK analyze morph -t llama3 -t bert-base-uncased --gold "$EN" --wordlist "$D/goldwords.txt" --json > "$D/m4" 2> "$D/e" || bad "morph goldwords"
$PY - "$D/m3" "$D/m4" "$D/m1" <<'P' || bad "%valid: default vs gold-word list vs en lists"
import json, sys
a, b, c = (json.load(open(p))["results"] for p in sys.argv[1:4])
for x, y in zip(a, b):
    assert x["valid"] == y["valid"] and x["types"] == y["types"], (x, y)
# the English lists hold far more words than the 100-odd gold words
assert c[0]["valid"] > a[0]["valid"], (c[0], a[0])
P
[ $? -eq 0 ] && ok
# the audit takes each gold's language
mkdir -p "$D/c"
cp "$C/lang/udhr34/en.txt" "$C/lang/udhr34/tr.txt" "$D/c/"
$TOK audit -t llama3 --gold "$EN" --gold "$C/lang/gold/tr-hunspell.tsv" --wordlist auto --json "$D/a.json" "$D/c" 2> "$D/e" ||
    bad "audit --wordlist auto: $(cat "$D/e")"
$TOK audit -t llama3 --gold "$EN" --gold "$C/lang/gold/tr-hunspell.tsv" --json "$D/b.json" "$D/c" 2> "$D/e" || bad "audit"
$PY - "$D/a.json" "$D/b.json" <<'P' || bad "audit --wordlist auto: %valid unchanged"
import json, sys
def rows(p):
    d = json.load(open(p)); out = {}
    def walk(x):
        if isinstance(x, dict):
            if "pct_valid" in x and "gold" in x: out[x["gold"]] = x["pct_valid"]
            for v in x.values(): walk(v)
        elif isinstance(x, list):
            for v in x: walk(v)
    walk(d); return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert set(a) == {"en-morph.tsv", "tr-hunspell.tsv"}, a
assert all(a[g] != b[g] for g in a), (a, b)
m = json.load(open(sys.argv[1]))["morph"]
assert {r["gold"]: r["valid_from"] for r in m} == {"en-morph.tsv": m[0]["valid_from"], "tr-hunspell.tsv": m[1]["valid_from"]}
assert "en_US.dic" in m[0]["valid_from"] and m[1]["valid_from"].startswith("tr_TR.dic ("), m
assert all("valid_from" not in r for r in json.load(open(sys.argv[2]))["morph"])
P
[ $? -eq 0 ] && ok
$TOK audit --merge "$D/a.json" --json "$D/a2.json" --html "$D/a.html" 2> "$D/e"
cmp -s "$D/a.json" "$D/a2.json" && grep -q '%valid word lists: en-morph.tsv: american-english.txt' "$D/a.html" && ok ||
    bad "audit: word lists lost in a merge or missing from the page"

# --- errors -----------------------------------------------------------------------------------
$TOK analyze morph -t llama3 --gold "$EN" --wordlist zz > /dev/null 2> "$D/e"
[ $? -eq 1 ] && grep -q 'lang/words/zz' "$D/e" && ok || bad "missing word list: $(cat "$D/e")"
printf 'SET UTF-8\nSFX A Y 1\nSFX A 0 s [ab\n' > "$D/x.aff"
printf '1\nword/A\n' > "$D/x.dic"
$TOK analyze hunspell --dic "$D/x.dic" > /dev/null 2> "$D/e"
[ $? -eq 1 ] && grep -q "x.aff:3: bad condition" "$D/e" && ok || bad "bad .aff: $(cat "$D/e")"
$TOK analyze hunspell > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no --dic: want exit 2"
$TOK analyze hunspell --dic "$D/x.dic" --gold x > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--gold x: want exit 2"

suite_end
