/* cli/out.h — how the urestore CLI prints: s5cmd's text and JSON line formats, built in a growable
 * buffer and written with one write(2) per line.
 *
 * Why one write per line: Flink runs the tool with stdout and stderr merged into one pipe or file and may
 * kill it at any moment; a line built in full and written at once is never interleaved with another and
 * nothing sits in a stdio buffer to be lost on SIGKILL. Pure formatting apart from ur_cli_emit(). */
#ifndef UR_CLI_OUT_H
#define UR_CLI_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. Zero-initialise. On allocation failure it sets oom and drops further bytes;
 * ur_cli_emit() then writes what fits plus a newline, so a line is never silently lost in full. */
struct ur_cli_buf {
    char *p;
    size_t len;
    size_t cap;
    bool oom;
};

void ur_cli_buf_put(struct ur_cli_buf *b, const char *s, size_t n);
void ur_cli_buf_puts(struct ur_cli_buf *b, const char *s);
void ur_cli_buf_putu(struct ur_cli_buf *b, uint64_t v);
void ur_cli_buf_free(struct ur_cli_buf *b);

/* Appends s quoted as Go's %q (strconv.Quote) does: "…" with \" \\ \n \t \xNN escapes; valid UTF-8 kept. */
void ur_cli_buf_quote_go(struct ur_cli_buf *b, const char *s);

/* Appends s as a JSON string the way Go's encoding/json does (with quotes; <, >, & as \u003c …;
 * invalid UTF-8 as \ufffd), so --json lines match s5cmd's byte for byte. */
void ur_cli_buf_json_str(struct ur_cli_buf *b, const char *s);

/* Appends an error message made single-line as s5cmd's cleanupError does (newlines and tabs to
 * spaces, "  " to " ", trimmed). */
void ur_cli_buf_put_clean(struct ur_cli_buf *b, const char *msg);

/* Length (2–4) of the valid multi-byte UTF-8 sequence starting at s (NUL-terminated), its code point in
 * *cp; 0 when s does not start one (ASCII, or invalid). */
size_t ur_cli_utf8_seq(const unsigned char *s, uint32_t *cp);

/* Formats one whole line (with its '\n') into b, replacing what b held.
 *   ok:     "cp SRC DST" / {"operation":"cp","success":true,"source":…,"destination":…,"object":{…}[,
 *           "checksum_verified":true|false]}  (verified < 0: no such field, as s5cmd; else whether the
 *           bytes matched the object's stored checksum)
 *   error:  "ERROR \"COMMAND\": MSG" / {"operation":"cp","command":…,"error":…}  (command may be "")
 *   debug:  "DEBUG \"COMMAND\": MSG" / {"operation":"cp","job":…,"error":…} */
void ur_cli_fmt_ok(struct ur_cli_buf *b, bool json, const char *op, const char *src, const char *dst,
                   uint64_t size, int verified);
void ur_cli_fmt_error(struct ur_cli_buf *b, bool json, const char *op, const char *command, const char *msg);
void ur_cli_fmt_debug(struct ur_cli_buf *b, bool json, const char *op, const char *command, const char *msg);
/* `NOTE "COMMAND": MSG`, JSON {"operation","job","note"}: something a user should know of a success. */
void ur_cli_fmt_note(struct ur_cli_buf *b, bool json, const char *op, const char *command, const char *msg);

/* Writes b to fd with one write(2) (looping only on EINTR and short writes). Returns 0 or -errno. */
int ur_cli_emit(int fd, struct ur_cli_buf *b);

#endif
