/* tok analyze: placeholder while the intrinsic benchmark is written (issue 4). */
#include "cli.h"

int cmd_analyze(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tok analyze: not available yet\n");
    return EXIT_RUNTIME;
}
