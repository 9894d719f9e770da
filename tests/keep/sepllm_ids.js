// SepLLM's separator derivation (HKUDS/SepLLM get_separator_ids.py) through
// the HF tokenizers binding: the ids of each of its 43 strings, encoded
// without special tokens, as one sorted JSON array.  argv: npm dir, tokenizer.json
const path = require('path');
const hf = require(path.join(process.argv[2], 'node_modules', 'tokenizers'));
const strings = ['.', ',', '?', '!', ';', ':', ' ', '\t', '\n',
  '  ', ' .', ' ,', ' ?', ' !', ' ;', ' :', ' \t', ' \n',
  '   ', '  .', '  ,', '  ?', '  !', '  ;', '  :', '  \t', '  \n',
  '. ', ', ', '? ', '! ', '; ', ': ', '\t ', '\n ',
  '.  ', ',  ', '?  ', '!  ', ';  ', ':  ', '\t  ', '\n  '];
(async () => {
  const tok = hf.Tokenizer.fromFile(process.argv[3]);
  const ids = new Set();
  for (const s of strings) {
    const e = await tok.encode(s, null, { addSpecialTokens: false });
    for (const id of e.getIds()) ids.add(id);
  }
  console.log(JSON.stringify([...ids].sort((a, b) => a - b)));
})();
