/* tok analyze: dispatch to one subcommand per analyzer (cli/analyze_<name>.c). */
#include "cli.h"

#include <string.h>

/* One line per analyzer subcommand. */
static const struct { const char *name; int (*run)(int, char **); const char *what; } analyzers[] = {
    { "intrinsic", analyze_intrinsic,
      "fertility, compression, Renyi efficiency, utilisation, morphological\n"
      "              boundary F1 and speed of inference methods x tokenizers" },
    { "compare", analyze_intrinsic, "the same as intrinsic: tokenizers x methods side by side" },
    { "parity", analyze_parity, "token premium of each language vs a reference (Petrov et al. 2023)" },
    { "fertility", analyze_fertility, "tokens per word, continued words, unk/byte rates per language" },
    { "efficiency", analyze_efficiency, "Renyi/Shannon efficiency (as tokenization-scorer), utilisation" },
    { "morph", analyze_morph, "morph boundary P/R/F1 per method, %pure and %valid" },
    { "hunspell", analyze_hunspell, "hunspell dictionary -> word forms or approximate morph gold" },
    { "saliency", analyze_saliency,
      "per-id priors for KV-cache eviction and token pruning (separators,\n"
      "              stopwords, specials...), exported for tok prune / tok_keep" },
    { "glitch", analyze_glitch,
      "under-trained / glitch tokens (magikarp categories, weight indicators,\n"
      "              verification prompts, sticky tokens)" },
};

static void top_help(FILE *f)
{
    fputs("Usage: tok analyze SUBCOMMAND ...\n\n", f);
    for (size_t i = 0; i < sizeof analyzers / sizeof analyzers[0]; i++)
        fprintf(f, "  %-11s %s\n", analyzers[i].name, analyzers[i].what);
    fputs("\n'tok analyze SUBCOMMAND --help' for its options.\n", f);
}

int cmd_analyze(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        top_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (size_t i = 0; i < sizeof analyzers / sizeof analyzers[0]; i++)
        if (!strcmp(argv[1], analyzers[i].name)) return analyzers[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tok analyze: unknown subcommand '%s'\n", argv[1]);
    top_help(stderr);
    return EXIT_USAGE;
}
