/* s3/credreq.c — request bytes for IMDSv2, the container endpoint and STS (see credreq.h). */
#include "s3/credreq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3/sts.h"

void ur_creds_imds_limits(const char *timeout_s, const char *attempts, unsigned *attempt_ms, unsigned *n)
{
    *attempt_ms = UR_CREDS_IMDS_ATTEMPT_MS;
    *n = UR_CREDS_IMDS_ATTEMPTS;
    char *end;
    if (timeout_s && *timeout_s) {
        double s = strtod(timeout_s, &end);
        if (*end == '\0' && s > 0 && s <= 3600) *attempt_ms = (unsigned)(s * 1000 + 0.5);
    }
    if (attempts && *attempts) {
        unsigned long a = strtoul(attempts, &end, 10);
        if (*end == '\0' && a >= 1 && a <= 10) *n = (unsigned)a;
    }
}

/* Appends formatted text; false once it no longer fits. */
static bool s_put(char *out, size_t cap, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool s_put(char *out, size_t cap, size_t *o, const char *fmt, ...)
{
    if (*o >= cap) return false;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out + *o, cap - *o, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= cap - *o) {
        *o = cap;
        return false;
    }
    *o += (size_t)k;
    return true;
}

/* Parses url into conn and writes "METHOD target HTTP/1.1\r\nHost: …\r\n". */
static int s_start(const char *method, const char *url, const char *path, struct ur_s3_url *conn, char *out,
                   size_t cap, size_t *o)
{
    if (ur_s3_url_parse(url, false, conn, NULL) || conn->userinfo[0]) return -EINVAL;
    char target[sizeof(conn->path) + 256];
    if (path) {
        if (path[0] != '/' || strpbrk(path, " \t\r\n")) return -EINVAL;
        /* The endpoint's own path ("http://host/prefix/") is a prefix: keep it, without doubling '/'. */
        size_t pl = strlen(conn->path);
        while (pl && conn->path[pl - 1] == '/')
            pl--;
        int k = snprintf(target, sizeof(target), "%.*s%s", (int)pl, conn->path, path);
        if (k < 0 || (size_t)k >= sizeof(target)) return -ENOSPC;
    } else {
        snprintf(target, sizeof(target), "%s", conn->path);
    }
    char hp[300];
    bool dflt = conn->port == (conn->tls ? 443 : 80);
    if (dflt)
        snprintf(hp, sizeof(hp), strchr(conn->host, ':') ? "[%s]" : "%s", conn->host);
    else if (ur_s3_hostport(hp, sizeof(hp), conn->host, conn->port) < 0)
        return -ENOSPC;
    *o = 0;
    return s_put(out, cap, o, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, hp) ? 0 : -ENOSPC;
}

static int s_end(char *out, size_t cap, size_t *o)
{
    return s_put(out, cap, o, "Connection: close\r\n\r\n") ? (int)*o : -ENOSPC;
}

int ur_creds_imds_token_req(const char *endpoint, unsigned ttl_s, struct ur_s3_url *conn, char *out,
                            size_t cap)
{
    size_t o;
    if (ttl_s < 1 || ttl_s > 21600) return -EINVAL;
    int rc = s_start("PUT", endpoint, "/latest/api/token", conn, out, cap, &o);
    if (rc) return rc;
    if (!s_put(out, cap, &o, "X-aws-ec2-metadata-token-ttl-seconds: %u\r\nContent-Length: 0\r\n", ttl_s))
        return -ENOSPC;
    return s_end(out, cap, &o);
}

int ur_creds_imds_get_req(const char *endpoint, const char *path, const char *token, struct ur_s3_url *conn,
                          char *out, size_t cap)
{
    size_t o;
    if (!token || !*token || strpbrk(token, "\r\n")) return -EINVAL;
    int rc = s_start("GET", endpoint, path, conn, out, cap, &o);
    if (rc) return rc;
    if (!s_put(out, cap, &o, "X-aws-ec2-metadata-token: %s\r\n", token)) return -ENOSPC;
    return s_end(out, cap, &o);
}

int ur_creds_container_req(const char *url, const char *authorization, struct ur_s3_url *conn, char *out,
                           size_t cap)
{
    size_t o;
    if (authorization && strpbrk(authorization, "\r\n")) return -EINVAL;
    int rc = s_start("GET", url, NULL, conn, out, cap, &o);
    if (rc) return rc;
    if (authorization && *authorization && !s_put(out, cap, &o, "Authorization: %s\r\n", authorization))
        return -ENOSPC;
    return s_end(out, cap, &o);
}

int ur_creds_sts_req(const char *sts_url, struct ur_sigv4 *s, const char *session_token, const char *body,
                     size_t n, time_t now, struct ur_s3_url *conn, char *out, size_t cap)
{
    size_t o;
    int rc = s_start("POST", sts_url, NULL, conn, out, cap, &o);
    if (rc) return rc;
    if (strcmp(conn->path, "/") != 0) return -EINVAL; /* STS is served at "/" */
    char host[300];
    const char *h = out + strlen("POST / HTTP/1.1\r\nHost: ");
    size_t hl = (size_t)(strstr(h, "\r\n") - h);
    memcpy(host, h, hl);
    host[hl] = '\0';
    o = 0; /* the signed headers carry host themselves */
    if (!s_put(out, cap, &o, "POST / HTTP/1.1\r\n")) return -ENOSPC;
    if (s) {
        int k = ur_creds_sts_sign_post(s, session_token ? session_token : "", host, body, n, now, out + o,
                                       cap - o);
        if (k < 0) return k;
        o += (size_t)k;
    } else if (!s_put(out, cap, &o,
                      "host: %s\r\ncontent-type: application/x-www-form-urlencoded; charset=utf-8\r\n",
                      host)) {
        return -ENOSPC;
    }
    if (!s_put(out, cap, &o, "Content-Length: %zu\r\n", n) || s_end(out, cap, &o) < 0 || n >= cap - o)
        return -ENOSPC;
    memcpy(out + o, body, n);
    out[o + n] = '\0'; /* for logs and tests; the length is what counts (a body may hold a NUL) */
    return (int)(o + n);
}
