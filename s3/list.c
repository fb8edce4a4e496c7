/* s3/list.c — ListObjectsV2 result pages parsed in place (one <Contents> at a time, decoded into buffers
 * on the stack) and the canonical query string of a ListObjectsV2 request. No allocation, no I/O. */
#include "s3/list.h"

#include <errno.h>
#include <string.h>

#include "s3/credtime.h"
#include "s3/uri.h"
#include "s3/xml.h"

#define S_ETAG_MAX 255 /* an ETag is a quoted MD5, perhaps with "-PARTS": far below this */

/* Go's strconv.ParseUint(s, 10, 64) on s[0..n), surrounding blanks allowed. */
static int s_parse_u64(const char *s, size_t n, uint64_t *out)
{
    while (n && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    if (n == 0) return -EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -EINVAL;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* One <Contents>…</Contents> body: decodes it and hands it to fn. */
static int s_entry(const char *c, size_t n, ur_s3_list_fn fn, void *user)
{
    char key[UR_S3_KEY_MAX + 1], etag[S_ETAG_MAX + 1] = "";
    size_t len;
    const char *k = ur_xml_element(c, n, "Key", &len);
    if (!k) return -EINVAL;
    if (ur_xml_decode(k, len, key, sizeof(key)) < 0) return -ENOSPC;
    struct ur_s3_list_entry e = {key, 0, etag, -1};
    const char *lm = ur_xml_element(c, n, "LastModified", &len);
    time_t when;
    if (lm && len && ur_creds_parse_time(lm, len, &when) == 0) e.last_modified = (int64_t)when;
    const char *sz = ur_xml_element(c, n, "Size", &len);
    if (sz && s_parse_u64(sz, len, &e.size) < 0) return -EINVAL;
    const char *et = ur_xml_element(c, n, "ETag", &len);
    if (et && ur_xml_decode(et, len, etag, sizeof(etag)) < 0) return -ENOSPC;
    return fn(user, &e);
}

int ur_s3_list_parse(const char *body, size_t n, ur_s3_list_fn fn, void *user, bool *truncated,
                     char *next_token, size_t token_cap)
{
    *truncated = false;
    if (token_cap) next_token[0] = '\0';
    if (!body) return -EINVAL;
    /* The root, possibly after an XML declaration and with an xmlns attribute; the whole page must be
     * there, else keys would be silently missing. */
    const char *root = memmem(body, n, "<ListBucketResult", 17);
    if (!root || root + 17 >= body + n || !strchr("> \t\r\n", root[17])) return -EINVAL;
    const char *doc = memchr(root, '>', n - (size_t)(root - body));
    if (!doc) return -EINVAL;
    doc++;
    const char *end = memmem(doc, n - (size_t)(doc - body), "</ListBucketResult>", 19);
    if (!end) return -EINVAL;
    size_t dn = (size_t)(end - doc), len;

    const char *t = ur_xml_element(doc, dn, "IsTruncated", &len);
    *truncated = t && len == 4 && memcmp(t, "true", 4) == 0;
    const char *tok = ur_xml_element(doc, dn, "NextContinuationToken", &len);
    if (tok && ur_xml_decode(tok, len, next_token, token_cap) < 0) return -ENOSPC;
    if (*truncated && (!tok || len == 0)) return -EINVAL; /* a next page nobody could ask for */

    const char *p = doc;
    for (;;) {
        const char *c = memmem(p, (size_t)(end - p), "<Contents>", 10);
        if (!c) return 0;
        c += 10;
        const char *ce = memmem(c, (size_t)(end - c), "</Contents>", 11);
        if (!ce) return -EINVAL;
        int rc = s_entry(c, (size_t)(ce - c), fn, user);
        if (rc) return rc;
        p = ce + 11;
    }
}

/* Appends s[0..n) at out[*o], verbatim or encoded; -ENOSPC when it does not fit. */
static int s_put(char *out, size_t cap, size_t *o, const char *s, bool encode)
{
    size_t n = strlen(s);
    if (encode) {
        int r = ur_uri_encode(out + *o, cap - *o, s, n, false);
        if (r < 0) return r;
        *o += (size_t)r;
        return 0;
    }
    if (n >= cap - *o) return -ENOSPC;
    memcpy(out + *o, s, n + 1);
    *o += n;
    return 0;
}

int ur_s3_list_query(char *out, size_t cap, const char *prefix, const char *token, const char *start_after)
{
    size_t o = 0;
    if (cap == 0) return -ENOSPC;
    out[0] = '\0';
    /* Sorted by name, as SigV4's canonical query wants: continuation-token < list-type < prefix. */
    if (token && *token &&
        (s_put(out, cap, &o, "continuation-token=", false) || s_put(out, cap, &o, token, true) ||
         s_put(out, cap, &o, "&", false)))
        return -ENOSPC;
    if (s_put(out, cap, &o, "list-type=2&prefix=", false) || s_put(out, cap, &o, prefix ? prefix : "", true))
        return -ENOSPC;
    if (start_after && *start_after &&
        (s_put(out, cap, &o, "&start-after=", false) || s_put(out, cap, &o, start_after, true)))
        return -ENOSPC;
    return (int)o;
}
