// Compare libtok's `tok encode --format json` output with a reference's.
//
//   node compare.js NAME REF.jsonl TOK.jsonl [--lines] [--ids-only] [--char-offsets] [--equal-ties=TOKENIZER.json] TEXTFILE...
//
// Both outputs have one JSON line per text ({"ids":[...],"offsets":[[s,e],...]},
// tok adds "tokens").  Texts are the TEXTFILEs (whole, or per line with --lines),
// in order, and are used only to show context on failure.  Prints
//   ok NAME: N texts, M tokens compared
// or FAIL NAME: ... with the first differing text, and exits 1 on failure.
'use strict';
const fs = require('fs');
const { splitBytes } = require('./reflib.js');

const args = process.argv.slice(2);
const lines = args.includes('--lines');
const idsOnly = args.includes('--ids-only');
// --char-offsets: the reference's offsets are raw byte spans (tiktoken); widen each
// to whole UTF-8 characters, as HF byte-level models report a token that holds
// part of a character (every byte of a character maps to the whole character).
const charOffsets = args.includes('--char-offsets');
// --equal-ties=FILE: a Unigram tokenizer.json.  Two tie rules (SentencePiece's and HF's)
// choose differently between segmentations of equal score; a text may then differ in
// one stretch of tokens that covers the same bytes on both sides (by offsets) and whose
// scores in FILE add up to the same sum.  Such texts are counted as ties, not failures;
// anything else that differs still fails.
const tiesArg = args.find((a) => a.startsWith('--equal-ties='));
const tieScores = tiesArg ? unigramScores(tiesArg.slice('--equal-ties='.length)) : null;
const pos = args.filter((a) => !a.startsWith('--'));
const [name, refPath, tokPath, ...textFiles] = pos;
if (!textFiles.length) {
  console.error('usage: node compare.js NAME REF.jsonl TOK.jsonl [--lines] [--ids-only] [--char-offsets] [--equal-ties=TOKENIZER.json] TEXTFILE...');
  process.exit(2);
}

function unigramScores(p) {
  const m = JSON.parse(fs.readFileSync(p, 'utf8')).model;
  if (!m || m.type !== 'Unigram' || !Array.isArray(m.vocab)) {
    console.error(`compare.js: --equal-ties: ${p} has no Unigram model`);
    process.exit(2);
  }
  return m.vocab.map((e) => e[1]);
}

// Do r and t differ only in one stretch of equal score over the same bytes?
function equalTie(r, t) {
  if (!r.offsets || !t.offsets) return false;
  let a = 0;
  while (a < r.ids.length && a < t.ids.length && r.ids[a] === t.ids[a]) a++;
  let zr = r.ids.length, zt = t.ids.length;
  while (zr > a && zt > a && r.ids[zr - 1] === t.ids[zt - 1]) { zr--; zt--; }
  if (zr === a || zt === a) return false;
  for (let k = 0; k < a; k++) if (String(r.offsets[k]) !== String(t.offsets[k])) return false;
  for (let k = zr, j = zt; k < r.ids.length; k++, j++) if (String(r.offsets[k]) !== String(t.offsets[j])) return false;
  if (r.offsets[a][0] !== t.offsets[a][0] || r.offsets[zr - 1][1] !== t.offsets[zt - 1][1]) return false;
  const sum = (ids, lo, hi) => { let x = 0; for (let k = lo; k < hi; k++) x += tieScores[ids[k]]; return x; };
  const x = sum(r.ids, a, zr), y = sum(t.ids, a, zt);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
}

function fail(msg, detail) {
  console.log(`FAIL ${name}: ${msg}`);
  if (detail) console.log(detail.replace(/^/gm, '    '));
  process.exit(1);
}

// One JSON value per line; a bad line is reported with its number.
function readJsonl(p, who) {
  const s = fs.readFileSync(p, 'utf8');
  const out = [];
  const ls = s.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  for (let i = 0; i < ls.length; i++) {
    try {
      out.push(JSON.parse(ls[i]));
    } catch (e) {
      fail(`${who} output line ${i + 1} is not JSON (${e.message})`,
        `line: ${JSON.stringify(ls[i].slice(0, 200))}`);
    }
  }
  return out;
}

const ref = readJsonl(refPath, 'reference');
const tok = readJsonl(tokPath, 'tok');
const texts = [];
for (const f of textFiles) {
  for (const t of splitBytes(fs.readFileSync(f), lines)) texts.push({ file: f, n: texts.length, t });
}
// Where each text starts: file and line number, for messages.
let lineNo = 0, lastFile = null;
for (const x of texts) {
  if (x.file !== lastFile) { lineNo = 0; lastFile = x.file; }
  x.where = lines ? `${x.file}:${++lineNo}` : x.file;
}

if (ref.length !== texts.length)
  fail(`reference gave ${ref.length} results for ${texts.length} texts (stale reference cache?)`);
if (tok.length !== texts.length)
  fail(`tok gave ${tok.length} results for ${texts.length} texts`);

if (charOffsets) {
  const isCont = (t, k) => k < t.length && (t[k] & 0xc0) === 0x80;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i].t;
    for (const o of ref[i].offsets || []) {
      if (o[0] === o[1]) continue;
      while (o[0] > 0 && isCont(t, o[0])) o[0]--;
      while (isCont(t, o[1])) o[1]++;
    }
  }
}

const show = (b) => JSON.stringify(b.toString('utf8'));
const win = (a, i, k = 4) => (a ? `${i - Math.min(i, k) > 0 ? '… ' : ''}${JSON.stringify(a.slice(Math.max(0, i - k), i + k + 1))}${i + k + 1 < a.length ? ' …' : ''}` : '-');

let tokens = 0, bad = 0, first = null, ties = 0;
for (let i = 0; i < texts.length; i++) {
  const r = ref[i], t = tok[i];
  if (!Array.isArray(t.ids)) fail(`tok output for text ${i + 1} has no "ids" array`);
  const n = Math.max(r.ids.length, t.ids.length);
  let at = -1, what = '';
  for (let k = 0; k < n; k++) {
    if (r.ids[k] !== t.ids[k]) { at = k; what = 'ids'; break; }
    if (!idsOnly && r.offsets) {
      const ro = r.offsets[k], to = t.offsets && t.offsets[k];
      if (!to || ro[0] !== to[0] || ro[1] !== to[1]) { at = k; what = 'offsets'; break; }
    }
  }
  if (at < 0) { tokens += r.ids.length; continue; }
  if (tieScores && what === 'ids' && equalTie(r, t)) { ties++; continue; }
  bad++;
  if (!first) first = { i, at, what };
}

if (!bad) {
  const tied = tieScores ? `; ${ties} text${ties === 1 ? '' : 's'} parted at a tie of equal scores` : '';
  console.log(`ok ${name}: ${texts.length} texts, ${tokens} tokens compared${idsOnly ? ' (ids only)' : ''}${tied}`);
  process.exit(0);
}

const { i, at, what } = first;
const r = ref[i], t = tok[i], x = texts[i];
// Context: the text around where the first difference starts (by either side's offsets).
const offs = [r.offsets && r.offsets[at], t.offsets && t.offsets[at],
  r.offsets && r.offsets[at - 1], t.offsets && t.offsets[at - 1]].filter(Boolean);
const start = offs.length ? Math.min(...offs.map((o) => o[0])) : 0;
// Widen to whole UTF-8 characters (never start or end inside one).
let a = Math.max(0, start - 24), b = Math.min(x.t.length, start + 40);
while (a > 0 && (x.t[a] & 0xc0) === 0x80) a--;
while (b < x.t.length && (x.t[b] & 0xc0) === 0x80) b++;
const d = [
  `first difference: text ${i + 1} (${x.where}, ${x.t.length} bytes), token ${at}, in ${what}`,
  `ref ids:     ${win(r.ids, at)}  (${r.ids.length} tokens)`,
  `tok ids:     ${win(t.ids, at)}  (${t.ids.length} tokens)`,
];
if (r.tokens) d.push(`ref tokens:  ${win(r.tokens, at)}`);
if (t.tokens) d.push(`tok tokens:  ${win(t.tokens, at)}`);
if (!idsOnly && r.offsets) d.push(`ref offsets: ${win(r.offsets, at)}`);
if (t.offsets) d.push(`tok offsets: ${win(t.offsets, at)}`);
d.push(`text[${a}..${b}]: ${show(x.t.subarray(a, b))}`);
if (x.t.length <= 160) d.push(`whole text: ${show(x.t)}`);
fail(`${bad} of ${texts.length} texts differ, ${tokens} tokens matched in the others`, d.join('\n'));
