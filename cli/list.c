/* tok list: the built-in tokenizer names found on this machine, and the
 * model-name aliases that resolve to them. */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char list_help[] =
    "Usage: tok list [--json]\n"
    "List the tokenizers that -t NAME finds (in $TOK_DATA_PATH, the installed data\n"
    "directory, then the cache filled by 'make fetch'), and the model-name aliases\n"
    "(gpt-4o -> o200k_base, ...) with whether their tokenizer is present.\n";

static const char *const exts[] = { ".json", ".tiktoken", ".model", ".tokpack", ".gguf" };

/* The built-in name of a directory entry, or 0 when it is not a tokenizer. */
static int entry_name(const char *dir, const char *ent, char *name, size_t cap)
{
    char path[8192];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, ent);
    if (stat(path, &st)) return 0;
    if (S_ISDIR(st.st_mode)) {
        static const char *inside[] = { "tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt" };
        for (size_t i = 0; i < 4; i++) {
            char p2[8400];
            snprintf(p2, sizeof p2, "%s/%s", path, inside[i]);
            if (!access(p2, R_OK)) {
                snprintf(name, cap, "%s", ent);
                return 1;
            }
        }
        return 0;
    }
    size_t l = strlen(ent);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t el = strlen(exts[i]);
        if (l > el && !strcmp(ent + l - el, exts[i])) {
            snprintf(name, cap, "%.*s", (int)(l - el), ent);
            return 1;
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_list(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { fputs(list_help, stdout); return EXIT_OK; }
        if (!strcmp(argv[i], "--json")) json = true;
        else { usage_error("list", "unknown argument %s", argv[i]); return EXIT_USAGE; }
    }
    size_t need = tok_data_path(NULL, 0);
    char *path = malloc(need + 1);
    if (!path) return EXIT_RUNTIME;
    tok_data_path(path, need + 1);
    outbuf o;
    out_init(&o, stdout);
    if (json) out_str(&o, "{\"tokenizers\":[");
    else out_str(&o, "NAME\tPATH\n");
    size_t shown = 0;
    char *save = NULL;
    for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        DIR *dir = opendir(d);
        if (!dir) continue;
        char **names = NULL;
        size_t n = 0, cap = 0;
        for (struct dirent *e; (e = readdir(dir));) {
            char name[1024];
            if (e->d_name[0] == '.' || !entry_name(d, e->d_name, name, sizeof name)) continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                char **nn = realloc(names, cap * sizeof *names);
                if (!nn) break;
                names = nn;
            }
            char *full = malloc(strlen(name) + strlen(e->d_name) + 2);
            if (!full) break;
            sprintf(full, "%s%c%s", name, 0, e->d_name);
            names[n++] = full;
        }
        closedir(dir);
        qsort(names, n, sizeof *names, cmp_str);
        for (size_t i = 0; i < n; i++) {
            const char *name = names[i], *file = names[i] + strlen(names[i]) + 1;
            char resolved[8192], mine[8192];
            snprintf(mine, sizeof mine, "%s/%s", d, file);
            /* a name shadowed by an earlier directory is not what -t finds */
            bool first = tok_resolve(name, resolved, sizeof resolved) == TOK_OK && !strcmp(resolved, mine);
            if (json) {
                if (shown) out_char(&o, ',');
                out_str(&o, "{\"name\":");
                out_json_string(&o, name, strlen(name));
                out_str(&o, ",\"path\":");
                out_json_string(&o, mine, strlen(mine));
                out_str(&o, first ? ",\"shadowed\":false}" : ",\"shadowed\":true}");
            } else {
                out_str(&o, name);
                out_char(&o, '\t');
                out_str(&o, mine);
                if (!first) out_str(&o, "\t(shadowed)");
                out_char(&o, '\n');
            }
            shown++;
            free(names[i]);
        }
        free(names);
    }
    if (json) out_str(&o, "],\"aliases\":[");
    else out_str(&o, "\nALIAS\tTOKENIZER\n");
    const char *target;
    for (size_t i = 0; tok_alias(i, &target); i++) {
        const char *alias = tok_alias(i, &target);
        char resolved[8192];
        bool have = tok_resolve(target, resolved, sizeof resolved) == TOK_OK;
        if (json) {
            if (i) out_char(&o, ',');
            out_str(&o, "{\"alias\":");
            out_json_string(&o, alias, strlen(alias));
            out_str(&o, ",\"tokenizer\":");
            out_json_string(&o, target, strlen(target));
            out_str(&o, have ? ",\"available\":true}" : ",\"available\":false}");
        } else {
            out_str(&o, alias);
            out_char(&o, '\t');
            out_str(&o, target);
            if (!have) out_str(&o, "\t(not fetched: make fetch)");
            out_char(&o, '\n');
        }
    }
    if (json) out_str(&o, "]}\n");
    free(path);
    return out_flush(&o) ? EXIT_RUNTIME : EXIT_OK;
}
