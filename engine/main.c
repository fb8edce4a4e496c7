/* engine/main.c — the urestore binary's entry point: everything is in the CLI modules (engine/cli_*). */
#include "engine/cli_run.h"

int main(int argc, char **argv)
{
    return ur_cli_main(argc, argv);
}
