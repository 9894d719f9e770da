// Check a decode round trip: DECODED must hold, for each text of TEXTFILE (per line
// with --lines), the decoded text followed by '\n'.
//
//   node roundtrip.js NAME DECODED [--lines] TEXTFILE...
'use strict';
const fs = require('fs');
const { splitBytes } = require('./reflib.js');

const args = process.argv.slice(2);
const lines = args.includes('--lines');
const [name, decPath, ...files] = args.filter((a) => !a.startsWith('--'));
if (!files.length) {
  console.error('usage: node roundtrip.js NAME DECODED [--lines] TEXTFILE...');
  process.exit(2);
}
const texts = [];
for (const f of files) for (const t of splitBytes(fs.readFileSync(f), lines)) texts.push(t);

// Decoded texts: each is followed by '\n'; a whole-file text may itself hold '\n',
// so in whole mode the output is split by the known text lengths instead.
const dec = fs.readFileSync(decPath);
let got = [];
if (lines) {
  got = splitBytes(dec, true);
} else {
  let p = 0;
  for (const t of texts) { got.push(dec.subarray(p, p + t.length)); p += t.length + 1; }
}
if (got.length !== texts.length) {
  console.log(`FAIL ${name}: tok decode gave ${got.length} texts for ${texts.length}`);
  process.exit(1);
}
let bad = 0, first = -1, bytes = 0;
for (let i = 0; i < texts.length; i++) {
  if (Buffer.compare(texts[i], got[i]) === 0) { bytes += texts[i].length; continue; }
  bad++;
  if (first < 0) first = i;
}
if (!bad) {
  console.log(`ok ${name}: ${texts.length} texts, ${bytes} bytes round-tripped`);
  process.exit(0);
}
const a = texts[first], b = got[first];
let k = 0;
while (k < a.length && k < b.length && a[k] === b[k]) k++;
const ctx = (buf) => JSON.stringify(buf.subarray(Math.max(0, k - 24), k + 40).toString('utf8'));
console.log(`FAIL ${name}: ${bad} of ${texts.length} texts do not round-trip`);
console.log(`    first: text ${first + 1}, byte ${k} (text ${a.length} bytes, decoded ${b.length})`);
console.log(`    text:    ${ctx(a)}`);
console.log(`    decoded: ${ctx(b)}`);
process.exit(1);
