// Derived tokenizer files for the parity suite, made from the real ones
// prep_tokenizers.js laid out: the same vocabulary and merges under other
// pipelines HF supports (pre-tokenizers after ByteLevel as in Falcon,
// renumbered added tokens, truncation and padding).  Each is checked to load
// in the HF binding before it is kept.
//   node prep_derived.js NPM_DIR TOKENIZERS_DIR OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const [npmDir, tkDir, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node prep_derived.js NPM_DIR TOKENIZERS_DIR OUT_DIR');
  process.exit(2);
}
const hf = require(path.join(npmDir, 'node_modules', 'tokenizers'));

const load = (name) => JSON.parse(fs.readFileSync(path.join(tkDir, name), 'utf8'));
const BL = (aps, useRegex) => ({ type: 'ByteLevel', add_prefix_space: aps, trim_offsets: true, use_regex: useRegex });
const splitOf = (j) => j.pre_tokenizer.pretokenizers[0]; // the Split of llama3/o200k

// name -> [source file, function editing the parsed JSON]
const derived = {
  // Falcon's own layout (tiiuae/falcon-7b tokenizer.json) on Llama 3's vocabulary
  'llama3-falcon.json': ['llama3.json', (j) => {
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [
      { type: 'Punctuation', behavior: 'Contiguous' }, BL(false, true),
      { type: 'Digits', individual_digits: false },
      { type: 'Split', pattern: { Regex: '[0-9][0-9][0-9]' }, behavior: 'Isolated', invert: false }] };
  }],
  'o200k-falcon.json': ['o200k.json', (j) => {
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [
      { type: 'Punctuation', behavior: 'Contiguous' }, BL(false, true),
      { type: 'Digits', individual_digits: false },
      { type: 'Split', pattern: { Regex: '[0-9][0-9][0-9]' }, behavior: 'Isolated', invert: false }] };
  }],
  'llama3-bl-digits.json': ['llama3.json', (j) => {
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [BL(false, true), { type: 'Digits', individual_digits: true }] };
  }],
  'llama3-bl-whitespace.json': ['llama3.json', (j) => {
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [BL(false, false), { type: 'Whitespace' }] };
  }],
  'llama3-split-bl-punct.json': ['llama3.json', (j) => {
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [splitOf(j), BL(false, false),
      { type: 'Punctuation', behavior: 'Isolated' }] };
  }],
  'o200k-bl-wssplit.json': ['o200k.json', (j) => {
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [BL(true, true), { type: 'WhitespaceSplit' }] };
  }],
  'o200k-split-bl-g.json': ['o200k.json', (j) => {
    // after ByteLevel a space is "Ġ": split before each, and keep digits apart
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [splitOf(j), BL(false, false),
      { type: 'Split', pattern: { String: '\u0120' }, behavior: 'MergedWithNext', invert: false },
      { type: 'Digits', individual_digits: false }, { type: 'UnicodeScripts' }] };
  }],
  // added tokens whose "id" in the file is not the one HF gives them: HF numbers
  // them itself (vocabulary id if the content is there, else the next free id)
  'llama3-added-renum.json': ['llama3.json', (j) => {
    // reversed order and shifted ids: HF renumbers from 128000 in file order
    j.added_tokens = j.added_tokens.reverse().map((a, i) => ({ ...a, id: 128300 + 3 * i }));
    j.added_tokens.push(addedTok(5, 'Hello', false), addedTok(128001, '<|mine|>', true),
      addedTok(77, '<|end_of_text|>', true));
  }],
  // added tokens with HF's flags (lstrip, rstrip, single_word, normalized) and
  // several first bytes: three on the raw text ('<', '[', 0xC2: vector
  // compares), five after normalization (the table), one-byte tokens
  'llama3-added-flags.json': ['llama3.json', (j) => {
    const f = (content, special, normalized, o) => ({ id: 0, content, single_word: false, lstrip: false,
      rstrip: false, normalized, special, ...o });
    j.added_tokens.push(f('[SEP]', true, false, { rstrip: true }), f('<mask>', true, false, { lstrip: true }),
      f('\u00abq\u00bb', false, false, { lstrip: true, rstrip: true }), f('<', false, false, { single_word: true }),
      f('foo', false, true, { single_word: true }), f('bar', false, true, { single_word: true, lstrip: true }),
      f('{{', false, true, {}), f('\u4e2d\u6587', false, true, { rstrip: true }), f('x', false, true, { single_word: true }));
    j.added_tokens.forEach((a, i) => { if (i >= 256) a.id = 128256 + i - 256; });
  }],
  'mistral-added-renum.json': ['mistral.json', (j) => {
    j.added_tokens = [addedTok(5, '<s>', true), addedTok(1, '<unk>', true), addedTok(2, '</s>', true),
      addedTok(7, '<|user|>', true), addedTok(40000, '<|assistant|>', true), addedTok(99, 'Hello', false),
      addedTok(31999, '<|user|>', true)];
  }],
  // a BPE without unknown token or byte fallback: HF drops what it has no token
  // for (ids compared; HF's offsets after a dropped character shift left)
  'mistral-nounk.json': ['mistral.json', (j) => {
    j.model.byte_fallback = false;
    j.model.unk_token = null;
  }],
  // Replace with Oniguruma regexes in the normalizer and the decoder (the one
  // translator): runs of spaces, {,n} intervals, \h, POSIX classes
  'mistral-replace-regex.json': ['mistral.json', (j) => {
    j.normalizer = { type: 'Sequence', normalizers: [
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      { type: 'Replace', pattern: { Regex: '[[:digit:]]{,2}\\h' }, content: '#' },
      { type: 'Replace', pattern: { Regex: '\\p{Zs}|\\s(?=\\S)' }, content: '\u2581' },
      { type: 'Prepend', prepend: '\u2581' }] };
  }],
  // truncation and padding in the file, applied by default as HF applies them
  'llama3-trunc.json': ['llama3.json', (j) => {
    j.truncation = { direction: 'Right', max_length: 32, strategy: 'LongestFirst', stride: 8 };
    j.padding = { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: 8, pad_id: 128004,
      pad_type_id: 0, pad_token: '<|finetune_right_pad_id|>' };
  }],
  'bert-trunc-left.json': ['bert-base-uncased.json', (j) => {
    j.truncation = { direction: 'Left', max_length: 24, strategy: 'OnlyFirst', stride: 4 };
    j.padding = { strategy: { Fixed: 24 }, direction: 'Left', pad_to_multiple_of: null, pad_id: 0,
      pad_type_id: 1, pad_token: '[PAD]' };
  }],
  'mistral-trunc.json': ['mistral.json', (j) => {
    j.truncation = { direction: 'Right', max_length: 40, strategy: 'LongestFirst', stride: 0 };
    j.padding = { strategy: { Fixed: 48 }, direction: 'Right', pad_to_multiple_of: 16, pad_id: 2,
      pad_type_id: 0, pad_token: '</s>' };
  }],
};

function addedTok(id, content, special) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special };
}

for (const [name, [src, edit]] of Object.entries(derived)) {
  const j = load(src);
  edit(j);
  const dst = path.join(outDir, name);
  fs.writeFileSync(dst + '.tmp', JSON.stringify(j));
  hf.Tokenizer.fromFile(dst + '.tmp'); // must load in the reference
  fs.renameSync(dst + '.tmp', dst);
  console.log(`  derived/${name}`);
}
