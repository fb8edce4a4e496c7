/* cli/progress.h — the one progress line of the CLI, for copies (`cp`, `run`, wildcards) and the checkpoint
 * commands: redrawn in place on a terminal, or a plain line every few seconds for logs, or nothing.
 *
 * Off unless asked for or stderr is a terminal: Flink runs the tool with stderr on a pipe, and what it reads
 * there must stay byte for byte what s5cmd prints. The line goes to stderr; before any other line is printed
 * on the same terminal, ur_cli_progress_hide() erases it, and the next ur_cli_progress_show() redraws it. */
#ifndef UR_CLI_PROGRESS_H
#define UR_CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ur_cli_global;

enum ur_cli_progress_mode {
    UR_CLI_PROGRESS_OFF,
    UR_CLI_PROGRESS_TTY,   /* one line redrawn in place ("\r", erase to the end of the line) */
    UR_CLI_PROGRESS_LINES, /* a plain line every interval */
};

/* Redraws on a terminal at most this often: 4 a second reads as live and costs nothing. */
#define UR_CLI_PROGRESS_TTY_MS 250
/* --progress=lines: a line every 10 s unless --progress-interval says otherwise; enough for a log to show a
 * stall within seconds, few enough that an hour's restore leaves ~360 lines. */
#define UR_CLI_PROGRESS_LINES_S 10

/* Formats the current line into line[0..n) (no newline). Returns false when there is nothing to show. */
typedef bool (*ur_cli_progress_fmt_fn)(void *user, char *line, size_t n);

struct ur_cli_progress {
    enum ur_cli_progress_mode mode;
    uint64_t interval_ms;
    bool stdout_tty;       /* stdout is a terminal too: its lines need the progress line erased first */
    pthread_mutex_t mu;    /* show/hide from a ticker thread and the thread that prints */
    bool shown;            /* TTY: the line is on the screen */
    uint64_t start_ms;     /* for the elapsed time */
    uint64_t last_ms;      /* the last draw */
    /* the transfer rate over the last few seconds: samples of (time, bytes) */
    uint64_t rate_ms[16], rate_bytes[16];
    unsigned rate_n, rate_head;
    /* the ticker thread (ur_cli_progress_tick) */
    ur_cli_progress_fmt_fn fmt;
    void *fmt_user;
    pthread_t thread;
    bool thread_on;
    int thread_stop;
};

/* The mode the global flags ask for: --no-progress, --progress MODE, URESTORE_NO_PROGRESS; by default a TTY
 * line when stderr is a terminal and the output is not JSON (json: the command's own --json too). */
void ur_cli_progress_init(struct ur_cli_progress *p, const struct ur_cli_global *g, bool json);

/* Stops the ticker, erases the line (TTY), frees the lock. Safe when off. */
void ur_cli_progress_end(struct ur_cli_progress *p);

/* Draws line (no newline) when it is due: TTY at most every UR_CLI_PROGRESS_TTY_MS (at once after a hide),
 * lines every interval. Cut to the terminal's width so it never wraps. */
void ur_cli_progress_show(struct ur_cli_progress *p, const char *line);

/* Whether ur_cli_progress_show() would draw now: lets a caller called very often (per listed object) format
 * its line only then. */
bool ur_cli_progress_due(struct ur_cli_progress *p);

/* Before a line is written to fd: erases the progress line if it shares the screen with fd. */
void ur_cli_progress_hide(struct ur_cli_progress *p, int fd);

/* Starts a thread that formats with fmt and shows the result at the mode's pace: for work that runs on
 * several threads or without callbacks (checkpoint gc's listing threads). fmt runs with the line's lock
 * held, so what it reads (atomically) and then finds cleared before a ur_cli_progress_hide() is never drawn
 * after it. Returns 0 or -errno. */
int ur_cli_progress_tick(struct ur_cli_progress *p, ur_cli_progress_fmt_fn fmt, void *user);

/* Milliseconds since ur_cli_progress_init (also when off: --stat's elapsed time). */
uint64_t ur_cli_progress_elapsed_ms(const struct ur_cli_progress *p);

/* The copy line: "3/40 files, 1.20 GiB of 3.40 GiB, 250.0 MiB/s, elapsed 0:05, ETA 0:09". total_exact:
 * every file's size is known; else the total reads "3.40+ GiB" and the ETA, from the files' pace, "~0:09". */
void ur_cli_progress_fmt_copy(struct ur_cli_progress *p, char *line, size_t n, uint64_t files_done,
                              uint64_t files_total, uint64_t bytes_done, uint64_t bytes_total, bool total_exact);

/* "512 B", "12.0 KiB", "3.40 GiB": a byte count for people. */
void ur_cli_progress_fmt_bytes(char *out, size_t n, uint64_t bytes);

#endif
