// Reference encoder with everything HF puts in an encoding: ids, byte offsets,
// tokens, type ids, special-tokens mask, attention mask and the overflowing
// encodings (truncation with overflow), for truncation and padding cases.
//
//   node ref_hf_full.js TOKENIZER.json TEXTFILE... [--lines] [--no-special] [--pairs]
//        [--truncate=N --stride=S --truncation-strategy=S --truncation-side=D]
//        [--pad | --pad-to=N] [--pad-multiple=M --pad-side=D --pad-id=I --pad-type-id=T --pad-token=S]
//
// The options are `tok encode`'s (set through the binding's setTruncation and
// setPadding); without them the file's own settings apply.  A batch is every
// text of one file with --lines, else all the files: HF pads a batch to its
// longest encoding.  --pairs: each text is "A<TAB>B", encoded as a pair (one
// by one: the binding has no batch of pairs).
// Prints one JSON line per text; offsets are UTF-8 byte offsets into the
// sequence the token comes from.
'use strict';
process.env.RAYON_NUM_THREADS = process.env.RAYON_NUM_THREADS || '1';
process.env.TOKENIZERS_PARALLELISM = 'false';

const fs = require('fs');
const { splitTexts, npmRequire, scalarToByte, writeLines } = require('./reflib.js');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const a = args.find((x) => x.startsWith(name + '='));
  return a === undefined ? undefined : a.slice(name.length + 1);
};
const pos = args.filter((a) => !a.startsWith('--'));
if (pos.length < 2) {
  console.error('usage: node ref_hf_full.js TOKENIZER.json TEXTFILE... [--lines] [--no-special] [--pairs] [options]');
  process.exit(2);
}
const { Tokenizer } = npmRequire('tokenizers');

const side = (d) => (d === 'left' ? 'left' : 'right');
const strategy = { 'longest-first': 'LongestFirst', 'only-first': 'OnlyFirst', 'only-second': 'OnlySecond' };

function json(enc, maps, top) {
  const seq = enc.getSequenceIds();
  const offsets = enc.getOffsets().map(([s, e], i) => {
    const m = seq[i] === null || seq[i] === undefined ? null : maps[seq[i]];
    return m ? [m[s], m[e]] : [s, e];
  });
  const o = {
    ids: enc.getIds(), offsets, tokens: enc.getTokens(), type_ids: enc.getTypeIds(),
    special_tokens_mask: enc.getSpecialTokensMask(), attention_mask: enc.getAttentionMask(),
  };
  // HF nests, in the overflowing encodings of a pair, copies of other entries
  // of the same list ((A_i,B_0) holds (A_i,B_j)...): only the list is kept
  if (top) o.overflowing = enc.getOverflowing().map((x) => json(x, maps, false));
  return o;
}

async function main() {
  const tok = Tokenizer.fromFile(pos[0]);
  if (flag('--no-truncate')) tok.disableTruncation();
  else if (value('--truncate') !== undefined) {
    const o = {};
    if (value('--stride') !== undefined) o.stride = Number(value('--stride'));
    if (value('--truncation-strategy')) o.strategy = strategy[value('--truncation-strategy')];
    if (value('--truncation-side')) o.direction = side(value('--truncation-side'));
    tok.setTruncation(Number(value('--truncate')), o);
  }
  if (flag('--no-pad')) tok.disablePadding();
  else if (flag('--pad') || value('--pad-to') !== undefined) {
    const o = { direction: value('--pad-side') === 'left' ? 0 : 1 };
    if (value('--pad-to') !== undefined) o.maxLength = Number(value('--pad-to'));
    if (value('--pad-multiple') !== undefined) o.padToMultipleOf = Number(value('--pad-multiple'));
    if (value('--pad-id') !== undefined) o.padId = Number(value('--pad-id'));
    if (value('--pad-type-id') !== undefined) o.padTypeId = Number(value('--pad-type-id'));
    if (value('--pad-token') !== undefined) o.padToken = value('--pad-token');
    tok.setPadding(o);
  }
  const lines = flag('--lines'), pairs = flag('--pairs');
  const addSpecialTokens = !flag('--no-special');
  const batches = [];
  for (const file of pos.slice(1)) {
    const texts = splitTexts(fs.readFileSync(file, 'utf8'), lines);
    if (lines || !batches.length) batches.push([]);
    batches[batches.length - 1].push(...texts);
  }
  const out = [];
  for (const texts of batches) {
    const inputs = texts.map((t) => {
      if (!pairs) return t;
      const k = t.indexOf('\t');
      if (k < 0) throw new Error('--pairs: a text without a tab');
      return [t.slice(0, k), t.slice(k + 1)];
    });
    // the binding batches single texts only: pairs one by one (so --pairs
    // cases pad to a fixed length, not to a batch's longest)
    const encs = pairs
      ? await Promise.all(inputs.map(([a, b]) => tok.encode(a, b, { addSpecialTokens })))
      : await tok.encodeBatch(inputs, { addSpecialTokens });
    encs.forEach((e, i) => {
      const maps = pairs ? inputs[i].map(scalarToByte) : [scalarToByte(inputs[i])];
      out.push(JSON.stringify(json(e, maps, true)));
    });
  }
  writeLines(out);
}

main().catch((e) => {
  console.error('ref_hf_full: ' + (e && e.stack || e));
  process.exit(1);
});
