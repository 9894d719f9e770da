#!/bin/sh
# Build approximate morph-boundary files for `tok analyze intrinsic --gold`
# from Debian packages, into the cache (not git):
#
#   $TOK_CACHE/gold/en-hunspell.tsv     word<TAB>stem|affix lines from the
#                                       en_US Hunspell dictionary (SCOWL)
#   $TOK_CACHE/gold/en-hunspell.LICENSE its copyright file
#
# Each dictionary word is expanded with its affix rules that only add text
# (no stripped letters), one prefix and/or one suffix, so the boundary is
# exact where the rule fires (walk|ing, re|build, un|lock|ed); the rules
# are spelling rules, not morphology, so label results "approximate".
# The hand-written data/gold/en-morph.tsv in the repository is the small,
# exact set.  TOK_CACHE defaults to ~/.cache/libtok; FETCH_FORCE=1 rebuilds.
set -eu

TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
OUT=$TOK_CACHE/gold
FORCE=${FETCH_FORCE:-0}
PKG=hunspell-en-us

say() { echo "build-gold: $*"; }
die() { echo "build-gold: $*" >&2; exit 1; }

[ "$FORCE" = 1 ] || [ ! -s "$OUT/en-hunspell.tsv" ] || { say "$OUT/en-hunspell.tsv is there"; exit 0; }
command -v python3 >/dev/null 2>&1 || die "python3 not found"
mkdir -p "$OUT/deb"
cd "$OUT/deb"
rm -rf x ./*.deb
if [ -r /usr/share/hunspell/en_US.dic ] && [ -r /usr/share/hunspell/en_US.aff ]; then
    DIR=/usr/share/hunspell
    COPYRIGHT=/usr/share/doc/$PKG/copyright
else
    say "downloading $PKG (apt-get download)"
    apt-get download "$PKG" >/dev/null 2>&1 || die "apt-get download $PKG failed"
    dpkg-deb -x ./"$PKG"_*.deb x
    DIR=x/usr/share/hunspell
    COPYRIGHT=x/usr/share/doc/$PKG/copyright
fi
cp "$COPYRIGHT" "$OUT/en-hunspell.LICENSE"

python3 - "$DIR/en_US.aff" "$DIR/en_US.dic" > "$OUT/en-hunspell.tsv.tmp" <<'EOF'
import re, sys

aff, dic = sys.argv[1], sys.argv[2]
rules = {}  # flag -> (kind, cross, [(strip, add, cond)])
for line in open(aff, encoding='utf-8', errors='replace'):
    f = line.split()
    if len(f) >= 4 and f[0] in ('PFX', 'SFX'):
        if f[1] not in rules and f[2] in ('Y', 'N') and f[3].isdigit():
            rules[f[1]] = (f[0], f[2] == 'Y', [])
        elif f[1] in rules and len(f) >= 5:
            strip = '' if f[2] == '0' else f[2]
            add = f[3].split('/')[0]
            rules[f[1]][2].append((strip, '' if add == '0' else add, f[4]))

def fires(kind, word, strip, cond):
    if cond == '.':
        return True
    pat = ('^' + cond) if kind == 'PFX' else (cond + '$')
    return re.search(pat, word) is not None

def pieces(kind, flagset, word):
    for fl in flagset:
        r = rules.get(fl)
        if not r or r[0] != kind:
            continue
        for strip, add, cond in r[2]:
            if not strip and add and add.isalpha() and add.islower() and fires(kind, word, strip, cond):
                yield add, r[1]
                break  # the first matching rule of a flag applies

out = {}
lines = open(dic, encoding='utf-8', errors='replace').read().split('\n')[1:]
for line in lines:
    if not line:
        continue
    word, _, flags = line.partition('/')
    if not (word.isalpha() and word.islower() and word.isascii() and len(word) >= 3):
        continue
    fl = set(flags.strip())
    pres = list(pieces('PFX', fl, word))
    sufs = list(pieces('SFX', fl, word))
    for p, _ in pres:
        out[p + word] = p + '|' + word
    for s, _ in sufs:
        out[word + s] = word + '|' + s
    for p, pc in pres:
        for s, sc in sufs:
            if pc and sc:
                out[p + word + s] = p + '|' + word + '|' + s
print('# approximate stem|affix boundaries from the en_US Hunspell dictionary')
print('# (SCOWL, see en-hunspell.LICENSE); built by scripts/build-gold.sh')
for w in sorted(out):
    print(w + '\t' + out[w])
EOF
mv "$OUT/en-hunspell.tsv.tmp" "$OUT/en-hunspell.tsv"
rm -rf x ./*.deb
say "$(grep -vc '^#' "$OUT/en-hunspell.tsv") words in $OUT/en-hunspell.tsv"
