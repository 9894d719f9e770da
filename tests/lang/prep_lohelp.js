// LibreOffice help aligned by paragraph id, from extracted Debian packages
// libreoffice-help-<lang>: node prep_lohelp.js OUT LANG=DIR ...
// (DIR is the package's usr/share/libreoffice/help/<Lang>).  Every <p id=...>
// of every page is keyed by page path and id; a key is kept when every
// language has it with text, and no other language merely repeats the English
// text (an untranslated paragraph).  Writes OUT/<lang>.txt, one paragraph a
// line, the same keys in the same order in every file.
'use strict';
const fs = require('fs'), path = require('path');
const [out, ...specs] = process.argv.slice(2);
function decode(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos|nbsp);/g, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[e];
  });
}
function walk(dir, rel, acc) {
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f), r = rel ? rel + '/' + f : f;
    const st = fs.statSync(p);
    if (st.isDirectory()) walk(p, r, acc);
    else if (f.endsWith('.html')) acc.push(r);
  }
  return acc;
}
const langs = [], maps = [];
for (const s of specs) {
  const [lang, dir] = [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)];
  const m = new Map();
  for (const rel of walk(path.join(dir, 'text'), '', [])) {
    const html = fs.readFileSync(path.join(dir, 'text', rel), 'utf8');
    const re = /<p id="([^"]+)"[^>]*>([\s\S]*?)<\/p>/g;
    let x;
    while ((x = re.exec(html))) {
      const t = decode(x[2].replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
      if (t) m.set(rel + '#' + x[1], t);
    }
  }
  langs.push(lang);
  maps.push(m);
}
const en = langs.indexOf('en');
const keys = [...maps[0].keys()].filter(k => maps.every((m, i) => m.has(k) && (i === en || en < 0 || m.get(k) !== maps[en].get(k))));
fs.mkdirSync(out, { recursive: true });
langs.forEach((l, i) => fs.writeFileSync(path.join(out, l + '.txt'), keys.map(k => maps[i].get(k)).join('\n') + '\n'));
console.log(`lohelp: ${keys.length} paragraphs aligned in ${langs.length} languages -> ${out}`);
