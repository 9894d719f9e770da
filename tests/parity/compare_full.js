// Compare `tok encode --format json-full` with ref_hf_full.js: ids, byte
// offsets, type ids, special-tokens mask, attention mask and the overflowing
// encodings, text by text.
//
//   node compare_full.js NAME REF.jsonl TOK.jsonl
//
// Prints "ok NAME: N texts, M encodings compared" or FAIL NAME with the first
// difference, and exits 1 on failure.
'use strict';
const fs = require('fs');

const [name, refPath, tokPath] = process.argv.slice(2);
if (!tokPath) {
  console.error('usage: node compare_full.js NAME REF.jsonl TOK.jsonl');
  process.exit(2);
}
const read = (p) => fs.readFileSync(p, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
const ref = read(refPath), tok = read(tokPath);
const fail = (msg) => {
  console.log(`FAIL ${name}: ${msg}`);
  process.exit(1);
};
if (ref.length !== tok.length) fail(`reference gave ${ref.length} results, tok ${tok.length}`);
const FIELDS = ['ids', 'offsets', 'type_ids', 'special_tokens_mask', 'attention_mask'];
let encodings = 0;
function same(r, t, where) {
  for (const f of FIELDS) {
    const a = JSON.stringify(r[f]), b = JSON.stringify(t[f]);
    if (a !== b) fail(`${where}: ${f} differ\n    ref: ${a.slice(0, 400)}\n    tok: ${String(b).slice(0, 400)}` +
      `\n    ref tokens: ${JSON.stringify(r.tokens).slice(0, 300)}\n    tok tokens: ${JSON.stringify(t.tokens).slice(0, 300)}`);
  }
  encodings++;
  if (r.overflowing) {
    const ro = r.overflowing, to = t.overflowing || [];
    if (ro.length !== to.length) fail(`${where}: ${ro.length} overflowing encodings in the reference, ${to.length} in tok`);
    ro.forEach((x, k) => same(x, to[k], `${where}, overflowing ${k}`));
  }
}
ref.forEach((r, i) => same(r, tok[i], `text ${i + 1}`));
console.log(`ok ${name}: ${ref.length} texts, ${encodings} encodings compared`);
