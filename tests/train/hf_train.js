// Train with the HF tokenizers Node binding (its model's default trainer) and
// save tokenizer.json: node hf_train.js NPM_DIR MODEL PRE OUT CORPUS...
//   MODEL: bpe | wordpiece | wordlevel;  PRE: bytelevel | whitespace | bert | metaspace
const path = require('path');
const [npm, model, pre, out, ...files] = process.argv.slice(2);
const hf = require(path.join(npm, 'tokenizers'));
const m = model === 'bpe' ? hf.BPE.empty() : model === 'wordpiece' ? hf.WordPiece.empty() : hf.WordLevel.empty();
const t = new hf.Tokenizer(m);
if (pre === 'bytelevel') {
  t.setPreTokenizer(hf.byteLevelPreTokenizer());
} else if (pre === 'whitespace') {
  t.setPreTokenizer(hf.whitespacePreTokenizer());
} else if (pre === 'bert') {
  t.setNormalizer(hf.bertNormalizer());
  t.setPreTokenizer(hf.bertPreTokenizer());
  t.setDecoder(hf.wordPieceDecoder());
} else if (pre === 'metaspace') {
  t.setPreTokenizer(hf.metaspacePreTokenizer());
} else throw new Error('unknown pre ' + pre);
t.train(files);
t.save(out, true);
