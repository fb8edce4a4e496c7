/* s3/error.c — S3's XML error documents and the message a user reads for a failed response. Pure
 * parsing of the caller's bytes: no allocation, no I/O. Not a general XML parser: it finds <Code> and
 * <Message> directly inside <Error>, which is all S3 (and RGW, MinIO) put there that we show. */
#include "s3/error.h"
#include "s3/xml.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The first occurrence of needle in h[0..n), or NULL. */
static const char *s_find(const char *h, size_t n, const char *needle)
{
    return memmem(h, n, needle, strlen(needle));
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
    const char *c = ur_xml_element(start, doc_len, "Code", &cl);
    if (!c) return -EINVAL;
    (void)ur_xml_decode(c, cl, code, code_cap); /* a long code or message is cut to fit */
    const char *m = ur_xml_element(start, doc_len, "Message", &ml);
    if (m) (void)ur_xml_decode(m, ml, msg, msg_cap);
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
