# Finnish morph boundaries from Voikko (apt voikko-fi, python3-libvoikko):
# python3 gold_voikko.py TEXT... > fi-voikko.tsv
# Words of the texts (lowercase, letters only, unique) analysed by Voikko; the
# first analysis's WORDBASES pieces (+kansalais(kansalainen)+oike(oikea)+us(+us))
# are laid on the surface word while each piece is a prefix of what remains,
# giving compound and derivation boundaries (kansalais|oike|uksia); inflection
# is not split.  Written as word<TAB>morph|morph.  Approximate: label it so.
import re, sys
import libvoikko

v = libvoikko.Voikko('fi')
words = set()
for path in sys.argv[1:]:
    for line in open(path, encoding='utf-8'):
        for w in re.findall(r'[^\W\d_]+', line.lower()):
            if len(w) >= 3:
                words.add(w)
print('# Finnish compound/derivation boundaries from Voikko WORDBASES (approximate; inflection not split)')
for w in sorted(words):
    a = v.analyze(w)
    if not a or 'WORDBASES' not in a[0]:
        continue
    pieces = [p.split('(')[0] for p in a[0]['WORDBASES'].split('+') if p]
    pos, bounds = 0, []
    for p in pieces[:-1]:
        if p and w.startswith(p, pos) and pos + len(p) < len(w):
            pos += len(p)
            bounds.append(pos)
        else:
            break
    segs, last = [], 0
    for b in bounds:
        segs.append(w[last:b])
        last = b
    segs.append(w[last:])
    print(w + '\t' + '|'.join(segs))
v.terminate()
