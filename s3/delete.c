/* s3/delete.c — DeleteObjects request bodies and answers (delete.h). */
#include "s3/delete.h"

#include <errno.h>
#include <string.h>

#include "s3/uri.h"
#include "s3/xml.h"

static const char s_head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                             "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
static const char s_tail[] = "</Delete>";

size_t ur_s3_delete_body_max(const char *const *keys, size_t n)
{
    size_t total = sizeof(s_head) + sizeof(s_tail);
    for (size_t i = 0; i < n; i++) total += sizeof("<Object><Key></Key></Object>") + 6 * strlen(keys[i]);
    return total;
}

static int s_put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (n >= cap - *o) return -ENOSPC;
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
    return 0;
}

/* The key as XML text: the five special characters escaped, tab/CR/LF as character references (an XML
 * parser would normalise them otherwise), other control characters refused. */
static int s_put_key(char *out, size_t cap, size_t *o, const char *k)
{
    if (!*k) return -EINVAL;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++) {
        const char *e = NULL;
        switch (*p) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&apos;"; break;
        case '\t': e = "&#9;"; break;
        case '\n': e = "&#10;"; break;
        case '\r': e = "&#13;"; break;
        default:
            if (*p < 0x20 || *p == 0x7f) return -EINVAL;
        }
        int r = e ? s_put(out, cap, o, e, strlen(e)) : s_put(out, cap, o, (const char *)p, 1);
        if (r) return r;
    }
    return 0;
}

int ur_s3_delete_body(char *out, size_t cap, const char *const *keys, size_t n)
{
    if (n == 0 || n > UR_S3_DELETE_MAX) return -EINVAL;
    if (cap == 0) return -ENOSPC;
    size_t o = 0;
    out[0] = '\0';
    int r = s_put(out, cap, &o, s_head, sizeof(s_head) - 1);
    for (size_t i = 0; i < n && !r; i++) {
        r = s_put(out, cap, &o, "<Object><Key>", 13);
        if (!r) r = s_put_key(out, cap, &o, keys[i]);
        if (!r) r = s_put(out, cap, &o, "</Key></Object>", 15);
    }
    if (!r) r = s_put(out, cap, &o, s_tail, sizeof(s_tail) - 1);
    return r ? r : (int)o;
}

int ur_s3_delete_parse(const char *body, size_t n, ur_s3_delete_error_fn fn, void *user)
{
    if (!body) return -EINVAL;
    const char *root = memmem(body, n, "<DeleteResult", 13);
    if (!root || root + 13 >= body + n || !strchr("> \t\r\n/", root[13])) return -EINVAL;
    const char *doc = memchr(root, '>', n - (size_t)(root - body));
    if (!doc) return -EINVAL;
    if (doc[-1] == '/') return 0; /* <DeleteResult/>: nothing failed */
    doc++;
    const char *end = memmem(doc, n - (size_t)(doc - body), "</DeleteResult>", 15);
    if (!end) return -EINVAL;
    int count = 0;
    const char *p = doc;
    for (;;) {
        const char *e = memmem(p, (size_t)(end - p), "<Error>", 7);
        if (!e) return count;
        e += 7;
        const char *ee = memmem(e, (size_t)(end - e), "</Error>", 8);
        if (!ee) return -EINVAL;
        size_t en = (size_t)(ee - e), len;
        char key[UR_S3_KEY_MAX + 1], code[128] = "", msg[512] = "";
        const char *k = ur_xml_element(e, en, "Key", &len);
        if (!k || ur_xml_decode(k, len, key, sizeof(key)) < 0) return -EINVAL;
        const char *c = ur_xml_element(e, en, "Code", &len);
        if (c) ur_xml_decode(c, len, code, sizeof(code));
        const char *m = ur_xml_element(e, en, "Message", &len);
        if (m) ur_xml_decode(m, len, msg, sizeof(msg));
        count++;
        int rc = fn ? fn(user, key, code, msg) : 0;
        if (rc) return rc > 0 ? -rc : rc;
        p = ee + 8;
    }
}
