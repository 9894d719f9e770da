/* tok: the libtok command line. */
#include "cli.h"

#include <string.h>

static const char main_help[] =
    "Usage: tok COMMAND [options]\n"
    "\n"
    "Commands:\n"
    "  encode    text -> token ids (or tokens, or JSON with byte offsets)\n"
    "  count     number of tokens per input or per line\n"
    "  show      the text with its token boundaries marked (or an HTML page)\n"
    "  decode    token ids -> text\n"
    "  vocab     the vocabulary: id, token, bytes, flags, score; and edit it:\n"
    "            tok vocab remove|add|extend|shrink (tok vocab --help)\n"
    "  list      built-in tokenizer names found here, and model-name aliases\n"
    "  info      model type, vocabulary size, pipeline, special tokens\n"
    "  convert   write any supported tokenizer as tokenizer.json or compact .tokpack\n"
    "  analyze   analyzers: intrinsic/compare, parity, fertility, efficiency, morph,\n"
    "            glitch, saliency (tok analyze --help)\n"
    "  audit     what each tokenizer costs each language: HTML report + JSON\n"
    "  train     train a vocabulary: BPE, WordPiece, WordLevel (as HF), Unigram and\n"
    "            BPE (as spm_train), PathPiece\n"
    "  prune     replay an attention trace through a KV-cache keep policy\n"
    "\n"
    "TOKENIZER (-t) is a tokenizer.json, SentencePiece .model, .tiktoken, BERT vocab.txt,\n"
    "GPT-2 vocab.json (with merges.txt beside it), the vocabulary of a .gguf model file,\n"
    "a directory holding one, or a\n"
    "built-in name (o200k_base, cl100k_base, r50k_base, p50k_base, llama3, o200k,\n"
    "mistral, gemma3, bert-base-uncased, albert, ...) or model name (gpt-4o, gpt-4,\n"
    "gpt2, ...) found in $TOK_DATA_PATH, the installed data or the cache filled by\n"
    "'make fetch' ('tok list' shows them).\n"
    "\n"
    "'tok COMMAND --help' describes each command.  Exit status: 0 success,\n"
    "1 runtime error, 2 usage error.\n";

/* One line per command; each lives in cli/<name>.c. */
static const struct { const char *name; int (*run)(int, char **); } commands[] = {
    { "encode", cmd_encode },
    { "decode", cmd_decode },
    { "info", cmd_info },
    { "convert", cmd_convert },
    { "analyze", cmd_analyze },
    { "audit", cmd_audit },
    { "list", cmd_list },
    { "count", cmd_count },
    { "vocab", cmd_vocab },
    { "show", cmd_show },
    { "train", cmd_train },
    { "prune", cmd_prune },
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_help, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(main_help, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("tok (libtok) %s\n", tok_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tok: unknown command '%s'\n", cmd);
    fputs(main_help, stderr);
    return EXIT_USAGE;
}
