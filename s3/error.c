/* s3/error.c — S3's XML error documents and the message a user reads for a failed response. Pure
 * parsing of the caller's bytes: no allocation, no I/O. Not a general XML parser: it finds <Code> and
 * <Message> directly inside <Error>, which is all S3 (and RGW, MinIO) put there that we show. */
#include "s3/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The first occurrence of needle in h[0..n), or NULL. */
static const char *s_find(const char *h, size_t n, const char *needle)
{
    return memmem(h, n, needle, strlen(needle));
}

/* Appends one code point as UTF-8; false when it does not fit (or is not a valid code point). */
static bool s_put_utf8(char *out, size_t cap, size_t *o, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (n >= cap - *o) return false;
    memcpy(out + *o, b, n);
    *o += n;
    return true;
}

/* Decodes XML text s[0..n) into out (entities: the five predefined ones and &#N; / &#xH;; CDATA
 * sections verbatim), NUL-terminated and truncated to fit. */
static void s_decode(const char *s, size_t n, char *out, size_t cap)
{
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    size_t o = 0;
    if (cap == 0) return;
    for (size_t i = 0; i < n && o + 1 < cap;) {
        if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
            const char *end = s_find(s + i + 9, n - i - 9, "]]>");
            size_t len = end ? (size_t)(end - (s + i + 9)) : n - i - 9;
            size_t take = len < cap - 1 - o ? len : cap - 1 - o;
            memcpy(out + o, s + i + 9, take);
            o += take;
            i += 9 + len + (end ? 3 : 0);
            continue;
        }
        if (s[i] != '&') {
            out[o++] = s[i++];
            continue;
        }
        bool done = false;
        for (size_t e = 0; e < sizeof(ents) / sizeof(ents[0]) && !done; e++) {
            size_t el = strlen(ents[e].name);
            if (n - i - 1 >= el && memcmp(s + i + 1, ents[e].name, el) == 0) {
                out[o++] = ents[e].c;
                i += 1 + el;
                done = true;
            }
        }
        if (!done && n - i > 2 && s[i + 1] == '#') {
            size_t j = i + 2;
            int base = 10;
            if (j < n && (s[j] == 'x' || s[j] == 'X')) {
                base = 16;
                j++;
            }
            unsigned long cp = 0;
            size_t digits = 0;
            for (; j < n && digits < 8; j++, digits++) {
                char c = s[j];
                int d = (c >= '0' && c <= '9')                 ? c - '0'
                        : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : (base == 16 && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                               : -1;
                if (d < 0) break;
                cp = cp * (unsigned long)base + (unsigned long)d;
            }
            if (digits > 0 && j < n && s[j] == ';' && s_put_utf8(out, cap, &o, cp)) {
                i = j + 1;
                done = true;
            }
        }
        if (!done) out[o++] = s[i++]; /* not an entity we know: keep the text as it is */
    }
    out[o] = '\0';
}

/* The text of the first <tag>…</tag> inside doc[0..n); NULL when absent. An empty element
 * ("<Message/>") counts as present and empty. */
static const char *s_element(const char *doc, size_t n, const char *tag, size_t *len)
{
    char open[32], close[32], empty[32];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    snprintf(empty, sizeof(empty), "<%s/>", tag);
    const char *a = s_find(doc, n, open);
    if (!a) {
        if (s_find(doc, n, empty)) {
            *len = 0;
            return doc;
        }
        return NULL;
    }
    a += strlen(open);
    const char *b = s_find(a, n - (size_t)(a - doc), close);
    if (!b) return NULL;
    *len = (size_t)(b - a);
    return a;
}

int ur_s3_error_parse(const char *body, size_t n, char *code, size_t code_cap, char *msg, size_t msg_cap)
{
    if (code_cap) code[0] = '\0';
    if (msg_cap) msg[0] = '\0';
    if (!body) return -EINVAL;
    /* The root element: "<Error>" (possibly after an XML declaration); "<Error " would carry
     * attributes, which S3 never sends but a proxy might. */
    const char *root = s_find(body, n, "<Error>");
    if (!root) root = s_find(body, n, "<Error ");
    if (!root) return -EINVAL;
    const char *start = memchr(root, '>', n - (size_t)(root - body));
    if (!start) return -EINVAL;
    start++;
    size_t rest = n - (size_t)(start - body);
    const char *end = s_find(start, rest, "</Error>");
    size_t doc_len = end ? (size_t)(end - start) : rest;

    size_t cl, ml;
    const char *c = s_element(start, doc_len, "Code", &cl);
    if (!c) return -EINVAL;
    s_decode(c, cl, code, code_cap);
    const char *m = s_element(start, doc_len, "Message", &ml);
    if (m) s_decode(m, ml, msg, msg_cap);
    return 0;
}

static const char *s_reason(int status)
{
    switch (status) {
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 416:
        return "Range Not Satisfiable";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return NULL;
    }
}

int ur_s3_error_message(int status, const char *body, size_t n, char *out, size_t cap)
{
    if (cap == 0) return 0;
    char code[128], msg[512];
    int len;
    if (body && ur_s3_error_parse(body, n, code, sizeof(code), msg, sizeof(msg)) == 0 && code[0]) {
        if (msg[0])
            len = snprintf(out, cap, "%s: %s (HTTP %d)", code, msg, status);
        else
            len = snprintf(out, cap, "%s (HTTP %d)", code, status);
    } else {
        const char *r = s_reason(status);
        len = r ? snprintf(out, cap, "HTTP %d %s", status, r) : snprintf(out, cap, "HTTP %d", status);
    }
    if (len < 0) {
        out[0] = '\0';
        return 0;
    }
    if ((size_t)len >= cap) len = (int)cap - 1;
    /* The text came from the server: keep control characters (a hostile or broken server could send
     * terminal escapes or newlines) out of what lands in a user's terminal or log line. */
    for (int i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)out[i];
        if (ch < 0x20 || ch == 0x7f) out[i] = ' ';
    }
    return len;
}
