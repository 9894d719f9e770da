// Token counts of whole files by the reference implementations, for the
// parity analyzer's test: node ref_counts.js KIND TOKENIZER FILE...
//   KIND hf: HF tokenizers binding (tokenizer.json), addSpecialTokens=false
//   KIND tiktoken: tiktoken encode_ordinary with the named encoding
// Prints "<basename> <count>" per file.
'use strict';
const fs = require('fs'), path = require('path');
const { npmRequire } = require('../parity/reflib.js');
const [kind, tk, ...files] = process.argv.slice(2);
(async () => {
  if (kind === 'hf') {
    const { Tokenizer } = npmRequire('tokenizers');
    const t = Tokenizer.fromFile(tk);
    for (const f of files) {
      const e = await t.encode(fs.readFileSync(f, 'utf8'), null, { addSpecialTokens: false });
      console.log(path.basename(f) + ' ' + e.getIds().length);
    }
  } else if (kind === 'tiktoken') {
    const { get_encoding } = npmRequire('tiktoken');
    const enc = get_encoding(tk);
    for (const f of files) console.log(path.basename(f) + ' ' + enc.encode_ordinary(fs.readFileSync(f, 'utf8')).length);
    enc.free();
  } else {
    console.error('kind: hf | tiktoken');
    process.exit(2);
  }
})();
