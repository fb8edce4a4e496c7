/* cli/run.h — the CLI's commands: `cp` from argv and `run` from a file or stdin, each turned into
 * one batch for urestore_copy(), with s5cmd's output and exit codes. The only CLI code that touches the
 * engine, the credentials and the signals. */
#ifndef UR_CLI_RUN_H
#define UR_CLI_RUN_H

#include <stddef.h>

struct ur_cli_global;

/* The whole program: global flags, then the command. Returns the exit status (0: every command
 * succeeded; 1: anything failed, a usage error, or an interruption). */
int ur_cli_main(int argc, char **argv);

/* A batch of downloads being planned from parsed commands, then run as one urestore_copy(). */
struct ur_cli_batch;

/* what: the command's name in messages that concern no single line ("run", "run FILE", "cp"). */
struct ur_cli_batch *ur_cli_batch_new(const struct ur_cli_global *g, const char *what);
void ur_cli_batch_free(struct ur_cli_batch *b);

/* Plans one command line (lineno counts from 1; 0 when it came from argv, so no "(line: N)" is
 * added). A line that cannot be planned is reported at once and counted as a failure. */
void ur_cli_batch_add_line(struct ur_cli_batch *b, const char *line, size_t len, size_t lineno);

/* Plans every line of text[0..len), which a final line without newline also ends. */
void ur_cli_batch_add_text(struct ur_cli_batch *b, const char *text, size_t len);

/* Copies everything planned, prints a line per result, and returns the exit status. */
int ur_cli_batch_run(struct ur_cli_batch *b);

/* Usage texts (cli_help.c). */
extern const char ur_cli_usage_global[];
extern const char ur_cli_usage_cp[];
extern const char ur_cli_usage_run[];

#endif
