// SepLLM's separator derivation (HKUDS/SepLLM get_separator_ids.py) through
// the HF tokenizers binding: the ids of each of its 43 strings, encoded
// without special tokens, as one sorted JSON array.  argv: npm dir,
// tokenizer.json [context: also the ids after a letter, as --sep-in-context]
const path = require('path');
const hf = require(path.join(process.argv[2], 'node_modules', 'tokenizers'));
const strings = ['.', ',', '?', '!', ';', ':', ' ', '\t', '\n',
  '  ', ' .', ' ,', ' ?', ' !', ' ;', ' :', ' \t', ' \n',
  '   ', '  .', '  ,', '  ?', '  !', '  ;', '  :', '  \t', '  \n',
  '. ', ', ', '? ', '! ', '; ', ': ', '\t ', '\n ',
  '.  ', ',  ', '?  ', '!  ', ';  ', ':  ', '\t  ', '\n  '];
(async () => {
  const tok = hf.Tokenizer.fromFile(process.argv[3]);
  const inContext = process.argv[4] === 'context';
  const ids = new Set();
  const a = (await tok.encode('a', null, { addSpecialTokens: false })).getIds();
  for (const s of strings) {
    const e = await tok.encode(s, null, { addSpecialTokens: false });
    for (const id of e.getIds()) ids.add(id);
    if (!inContext) continue;
    // after a letter: "a" + s, less the ids of "a" when they lead
    const c = (await tok.encode('a' + s, null, { addSpecialTokens: false })).getIds();
    if (c.length >= a.length && a.every((x, i) => c[i] === x))
      for (const id of c.slice(a.length)) ids.add(id);
  }
  console.log(JSON.stringify([...ids].sort((a, b) => a - b)));
})();
