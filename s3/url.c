/* s3/url.c — splitting URLs for credential endpoints and proxies, and IP literal classes (see url.h).
 * inet_pton is the only parser of addresses: it is strict (no "127.1", no octal) on glibc. */
#include "s3/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int s_bad(const char **why, const char *msg)
{
    if (why) *why = msg;
    return -EINVAL;
}

int ur_s3_url_parse(const char *url, bool default_http, struct ur_s3_url *u, const char **why)
{
    memset(u, 0, sizeof(*u));
    if (why) *why = NULL;
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ' ')
            return s_bad(why, "control character or space");
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        u->tls = true;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else if (default_http && !strstr(url, "://")) {
        p = url;
    } else {
        return s_bad(why, "not an http:// or https:// URL");
    }
    u->port = u->tls ? 443 : 80;
    size_t auth_len = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (p[i] == '@') at = p + i; /* the last '@': a password may hold one unencoded */
    if (at) {
        size_t n = (size_t)(at - p);
        if (n >= sizeof(u->userinfo)) return s_bad(why, "too long");
        memcpy(u->userinfo, p, n);
        auth_len -= n + 1;
        p = at + 1;
    }
    const char *host = p, *after;
    size_t hn;
    if (*p == '[') {
        const char *close = memchr(p, ']', auth_len);
        if (!close) return s_bad(why, "bad IPv6 literal");
        host = p + 1;
        hn = (size_t)(close - host);
        after = close + 1;
    } else {
        hn = strcspn(p, ":/?#");
        if (hn > auth_len) hn = auth_len;
        after = p + hn;
    }
    if (hn == 0) return s_bad(why, "no host");
    if (hn >= sizeof(u->host)) return s_bad(why, "too long");
    for (size_t i = 0; i < hn; i++)
        u->host[i] = (char)tolower((unsigned char)host[i]);
    if (*p == '[') {
        uint8_t a[16];
        if (strchr(u->host, '%') || inet_pton(AF_INET6, u->host, a) != 1)
            return s_bad(why, "bad IPv6 literal");
    } else {
        for (size_t i = 0; i < hn; i++)
            if (!isalnum((unsigned char)u->host[i]) && !strchr("-._", u->host[i]))
                return s_bad(why, "bad host name");
    }
    if (*after == ':') {
        unsigned long port = 0;
        size_t nd = 0;
        for (after++; isdigit((unsigned char)after[nd]) && nd < 6; nd++)
            port = port * 10 + (unsigned long)(after[nd] - '0');
        if (nd == 0 || port == 0 || port > 65535) return s_bad(why, "bad port");
        u->port = (uint16_t)port;
        after += nd;
    }
    if (*after && *after != '/' && *after != '?') return s_bad(why, *after == '#' ? "fragment" : "bad port");
    int n = snprintf(u->path, sizeof(u->path), "%s%s", *after == '/' ? "" : "/", after);
    if (n < 0 || (size_t)n >= sizeof(u->path)) return s_bad(why, "too long");
    return 0;
}

int ur_s3_ip_parse(const char *host, uint8_t addr[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, host, addr) == 1) return 4;
    if (!strchr(host, '%') && inet_pton(AF_INET6, host, addr) == 1) {
        if (memcmp(addr, mapped, 12) != 0) return 6;
        memmove(addr, addr + 12, 4);
        memset(addr + 4, 0, 12);
        return 4;
    }
    return 0;
}

bool ur_s3_host_is_loopback(const char *host)
{
    static const uint8_t one[16] = {[15] = 1};
    uint8_t a[16];
    int fam = ur_s3_ip_parse(host, a);
    if (fam == 4) return a[0] == 127;
    if (fam == 6) return memcmp(a, one, 16) == 0;
    return strcasecmp(host, "localhost") == 0;
}

int ur_s3_hostport(char *out, size_t cap, const char *host, uint16_t port)
{
    int n = snprintf(out, cap, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
    return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}
