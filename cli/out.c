/* cli/out.c — the CLI's line formats (s5cmd's text and JSON) and the one-write-per-line emitter.
 * Holds no state: every function works on the buffer it is given. */
#include "cli/out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ur_cli_buf_put(struct ur_cli_buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void ur_cli_buf_puts(struct ur_cli_buf *b, const char *s)
{
    ur_cli_buf_put(b, s, strlen(s));
}

void ur_cli_buf_putu(struct ur_cli_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ur_cli_buf_put(b, tmp + i, sizeof(tmp) - i);
}

void ur_cli_buf_free(struct ur_cli_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

size_t ur_cli_utf8_seq(const unsigned char *s, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t n;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, c &= 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, c &= 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at the NUL */
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

static void s_put_hex(struct ur_cli_buf *b, const char *prefix, uint32_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[8];
    ur_cli_buf_puts(b, prefix);
    for (int i = digits - 1; i >= 0; i--)
        tmp[digits - 1 - i] = hex[(v >> (4 * i)) & 0xf];
    ur_cli_buf_put(b, tmp, (size_t)digits);
}

/* Appends the non-ASCII sequence at *p and advances past it: verbatim when valid and printable, else
 * escaped — a bad byte as \xNN (Go's %q) or \ufffd (encoding/json); the runes Go will not print raw as
 * \uXXXX (%q escapes C1 controls and U+FEFF too; JSON only U+2028/U+2029). */
static void s_put_non_ascii(struct ur_cli_buf *b, const unsigned char **p, bool json)
{
    uint32_t cp;
    size_t n = ur_cli_utf8_seq(*p, &cp);
    if (!n) {
        if (json)
            ur_cli_buf_puts(b, "\\ufffd");
        else
            s_put_hex(b, "\\x", **p, 2);
        n = 1;
    } else if (cp == 0x2028 || cp == 0x2029 || (!json && (cp < 0xa0 || cp == 0xfeff))) {
        s_put_hex(b, "\\u", cp, 4);
    } else {
        ur_cli_buf_put(b, (const char *)*p, n);
    }
    *p += n;
}

void ur_cli_buf_quote_go(struct ur_cli_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    ur_cli_buf_put(b, "\"", 1);
    while (*p) {
        unsigned char c = *p;
        const char *esc = NULL;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\a':
            esc = "\\a";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\v':
            esc = "\\v";
            break;
        }
        if (esc) {
            ur_cli_buf_puts(b, esc);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            s_put_hex(b, "\\x", c, 2);
            p++;
        } else if (c < 0x80) {
            ur_cli_buf_put(b, (const char *)p, 1);
            p++;
        } else {
            s_put_non_ascii(b, &p, false);
        }
    }
    ur_cli_buf_put(b, "\"", 1);
}

void ur_cli_buf_json_str(struct ur_cli_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    ur_cli_buf_put(b, "\"", 1);
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            ur_cli_buf_put(b, "\\", 1);
            ur_cli_buf_put(b, (const char *)p, 1);
            p++;
        } else if (c == '\n') {
            ur_cli_buf_puts(b, "\\n"), p++;
        } else if (c == '\r') {
            ur_cli_buf_puts(b, "\\r"), p++;
        } else if (c == '\t') {
            ur_cli_buf_puts(b, "\\t"), p++;
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            s_put_hex(b, "\\u", c, 4); /* Go escapes <, >, & for HTML safety */
            p++;
        } else if (c < 0x80) {
            ur_cli_buf_put(b, (const char *)p, 1);
            p++;
        } else {
            s_put_non_ascii(b, &p, true);
        }
    }
    ur_cli_buf_put(b, "\"", 1);
}

void ur_cli_buf_put_clean(struct ur_cli_buf *b, const char *msg)
{
    size_t n = strlen(msg);
    char *t = malloc(n + 1);
    if (!t) {
        ur_cli_buf_put(b, msg, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        t[i] = (msg[i] == '\n' || msg[i] == '\t') ? ' ' : msg[i];
    /* One pass of "  " → " ", as Go's strings.Replace does (four spaces become two). */
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        t[w++] = t[i];
        if (t[i] == ' ' && i + 1 < n && t[i + 1] == ' ') i++;
    }
    size_t a = 0, z = w;
    while (a < z && (t[a] == ' ' || t[a] == '\r' || t[a] == '\v' || t[a] == '\f'))
        a++;
    while (z > a && (t[z - 1] == ' ' || t[z - 1] == '\r' || t[z - 1] == '\v' || t[z - 1] == '\f'))
        z--;
    ur_cli_buf_put(b, t + a, z - a);
    free(t);
}

void ur_cli_fmt_ok(struct ur_cli_buf *b, bool json, const char *op, const char *src, const char *dst,
                   uint64_t size, int verified)
{
    b->len = 0;
    if (!json) {
        ur_cli_buf_puts(b, op);
        ur_cli_buf_puts(b, " ");
        ur_cli_buf_puts(b, src);
        ur_cli_buf_puts(b, " ");
        ur_cli_buf_puts(b, dst);
    } else {
        /* s5cmd's InfoMessage around storage.Object{Size}: "type" is always present (a zero file mode
         * reads as a regular file), "size" is omitted when zero (omitempty). */
        ur_cli_buf_puts(b, "{\"operation\":");
        ur_cli_buf_json_str(b, op);
        ur_cli_buf_puts(b, ",\"success\":true,\"source\":");
        ur_cli_buf_json_str(b, src);
        ur_cli_buf_puts(b, ",\"destination\":");
        ur_cli_buf_json_str(b, dst);
        ur_cli_buf_puts(b, ",\"object\":{\"type\":\"file\"");
        if (size) {
            ur_cli_buf_puts(b, ",\"size\":");
            ur_cli_buf_putu(b, size);
        }
        ur_cli_buf_puts(b, "}");
        /* Ours, not s5cmd's (issue 16): after its fields, so that a reader of s5cmd's shape reads on. */
        if (verified >= 0) ur_cli_buf_puts(b, verified ? ",\"checksum_verified\":true" : ",\"checksum_verified\":false");
        ur_cli_buf_puts(b, "}");
    }
    ur_cli_buf_put(b, "\n", 1);
}

static void s_fmt_msg(struct ur_cli_buf *b, bool json, const char *level, const char *cmd_key, const char *op,
                      const char *command, const char *msg_key, const char *msg)
{
    b->len = 0;
    if (!json) {
        ur_cli_buf_puts(b, level);
        if (command && *command) {
            ur_cli_buf_quote_go(b, command);
            ur_cli_buf_puts(b, ": ");
        }
        ur_cli_buf_put_clean(b, msg);
    } else {
        struct ur_cli_buf clean = {0};
        ur_cli_buf_put_clean(&clean, msg);
        ur_cli_buf_puts(b, "{");
        if (op && *op) {
            ur_cli_buf_puts(b, "\"operation\":");
            ur_cli_buf_json_str(b, op);
            ur_cli_buf_puts(b, ",");
        }
        if (command && *command) {
            ur_cli_buf_puts(b, "\"");
            ur_cli_buf_puts(b, cmd_key);
            ur_cli_buf_puts(b, "\":");
            ur_cli_buf_json_str(b, command);
            ur_cli_buf_puts(b, ",");
        }
        ur_cli_buf_puts(b, "\"");
        ur_cli_buf_puts(b, msg_key);
        ur_cli_buf_puts(b, "\":");
        ur_cli_buf_json_str(b, clean.p ? clean.p : "");
        ur_cli_buf_puts(b, "}");
        ur_cli_buf_free(&clean);
    }
    ur_cli_buf_put(b, "\n", 1);
}

void ur_cli_fmt_error(struct ur_cli_buf *b, bool json, const char *op, const char *command, const char *msg)
{
    s_fmt_msg(b, json, "ERROR ", "command", op, command, "error", msg);
}

void ur_cli_fmt_debug(struct ur_cli_buf *b, bool json, const char *op, const char *command, const char *msg)
{
    s_fmt_msg(b, json, "DEBUG ", "job", op, command, "error", msg);
}

void ur_cli_fmt_note(struct ur_cli_buf *b, bool json, const char *op, const char *command, const char *msg)
{
    s_fmt_msg(b, json, "NOTE ", "job", op, command, "note", msg);
}

int ur_cli_emit(int fd, struct ur_cli_buf *b)
{
    if (b->oom) {
        /* Out of memory while formatting: still end the line so the next one starts cleanly. */
        static const char lost[] = " [line truncated: out of memory]\n";
        if (b->p && b->len) (void)!write(fd, b->p, b->len);
        return write(fd, lost, sizeof(lost) - 1) < 0 ? -errno : -ENOMEM;
    }
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = write(fd, b->p + off, b->len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        off += (size_t)w;
    }
    return 0;
}
