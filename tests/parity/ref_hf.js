// Reference encoder: HuggingFace tokenizers (official Node binding of the Rust crate).
//
//   node ref_hf.js TOKENIZER.json TEXTFILE... [--lines] [--no-special]
//
// Prints one JSON line per text: {"ids":[...],"offsets":[[s,e],...],"tokens":[...]}
// A text is a whole file, or with --lines each line of it without its '\n' (a final
// '\n' does not start another text).  Offsets are UTF-8 byte offsets into the text;
// the binding reports them in Unicode scalar values, converted here.
// --no-special: addSpecialTokens=false (the post-processor adds no [CLS]/<s>/...).
'use strict';
// Single-threaded like libtok; must be set before the binding starts its pool.
process.env.RAYON_NUM_THREADS = process.env.RAYON_NUM_THREADS || '1';
process.env.TOKENIZERS_PARALLELISM = 'false';

const fs = require('fs');
const { splitTexts, npmRequire, scalarToByte, writeLines } = require('./reflib.js');

const args = process.argv.slice(2);
const lines = args.includes('--lines');
const addSpecialTokens = !args.includes('--no-special');
const pos = args.filter((a) => !a.startsWith('--'));
if (pos.length < 2) {
  console.error('usage: node ref_hf.js TOKENIZER.json TEXTFILE... [--lines] [--no-special]');
  process.exit(2);
}
const { Tokenizer } = npmRequire('tokenizers');

async function main() {
  const tok = Tokenizer.fromFile(pos[0]);
  const out = [];
  for (const file of pos.slice(1)) {
    const texts = splitTexts(fs.readFileSync(file, 'utf8'), lines);
    // Batches amortise the binding's per-call overhead; keep each under ~256 KB
    // so memory stays small for whole-file texts.
    for (let i = 0; i < texts.length;) {
      let j = i, size = 0;
      while (j < texts.length && (j === i || (j - i < 512 && size < 262144))) size += texts[j++].length;
      const batch = texts.slice(i, j);
      const encs = await tok.encodeBatch(batch, { addSpecialTokens });
      for (let k = 0; k < encs.length; k++) {
        const map = scalarToByte(batch[k]);
        const offsets = encs[k].getOffsets().map(([s, e]) => [map[s], map[e]]);
        out.push(JSON.stringify({ ids: encs[k].getIds(), offsets, tokens: encs[k].getTokens() }));
      }
      if (out.length >= 1024) writeLines(out.splice(0));
      i = j;
    }
  }
  writeLines(out);
}

main().catch((e) => {
  console.error('ref_hf: ' + (e && e.stack || e));
  process.exit(1);
});
