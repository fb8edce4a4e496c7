/* s3/proxy.c — proxy selection from the environment, NO_PROXY matching and the CONNECT request (see
 * proxy.h). */
#include "s3/proxy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "s3/url.h"

bool ur_s3_host_is_metadata(const char *host)
{
    static const uint8_t v4[3][4] = {{169, 254, 169, 254}, {169, 254, 170, 2}, {169, 254, 170, 23}};
    static const uint8_t v6[2][16] = {{0xfd, 0, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54},
                                      {0xfd, 0, 0x0e, 0xc2, [15] = 0x23}};
    uint8_t a[16];
    int fam = ur_s3_ip_parse(host, a);
    for (int i = 0; fam == 4 && i < 3; i++)
        if (!memcmp(a, v4[i], 4)) return true;
    for (int i = 0; fam == 6 && i < 2; i++)
        if (!memcmp(a, v6[i], 16)) return true;
    return false;
}

/* Whether addr is inside net/bits (same family, both from ur_s3_ip_parse). */
static bool s_in_cidr(const uint8_t *addr, const uint8_t *net, unsigned bits)
{
    for (unsigned i = 0; i < bits / 8; i++)
        if (addr[i] != net[i]) return false;
    unsigned rest = bits % 8;
    if (rest == 0) return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (addr[bits / 8] & mask) == (net[bits / 8] & mask);
}

/* One NO_PROXY entry e[0..n) against host:port. */
static bool s_entry_match(const char *e, size_t n, const char *host, uint16_t port)
{
    char buf[300], ent[300];
    if (n == 0 || n >= sizeof(buf)) return false;
    if (n == 1 && e[0] == '*') return true;
    memcpy(buf, e, n);
    buf[n] = '\0';
    uint8_t ha[16], ea[16];
    int hf = ur_s3_ip_parse(host, ha);
    char *slash = strchr(buf, '/');
    if (slash) { /* CIDR */
        *slash = '\0';
        char *end;
        unsigned long bits = strtoul(slash + 1, &end, 10);
        int ef = ur_s3_ip_parse(buf, ea);
        if (*end || slash[1] == '\0' || !ef || ef != hf || bits > (ef == 4 ? 32u : 128u)) return false;
        return s_in_cidr(ha, ea, (unsigned)bits);
    }
    /* An optional ":PORT" after a name, an IPv4 literal or a bracketed IPv6 literal. */
    long want_port = -1;
    char *h = buf;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close) return false;
        *close = '\0';
        h = buf + 1;
        if (close[1] == ':') want_port = strtol(close + 2, NULL, 10);
    } else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
        char *colon = strchr(buf, ':');
        *colon = '\0';
        want_port = strtol(colon + 1, NULL, 10);
    }
    if (want_port >= 0 && want_port != port) return false;
    int ef = ur_s3_ip_parse(h, ea);
    if (ef) return ef == hf && memcmp(ea, ha, 16) == 0;
    if (h[0] == '*' && h[1] == '.') h++;
    snprintf(ent, sizeof(ent), "%s", h);
    size_t el = strlen(ent), hl = strlen(host);
    if (el == 0) return false;
    if (ent[0] == '.') /* subdomains only */
        return hl > el && strcasecmp(host + hl - el, ent) == 0;
    if (strcasecmp(host, ent) == 0) return true;
    return hl > el + 1 && host[hl - el - 1] == '.' && strcasecmp(host + hl - el, ent) == 0;
}

bool ur_s3_no_proxy_match(const char *no_proxy, const char *host, uint16_t port)
{
    if (!no_proxy) return false;
    const char *p = no_proxy;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *e = p;
        size_t en = n;
        while (en && (*e == ' ' || *e == '\t')) {
            e++;
            en--;
        }
        while (en && (e[en - 1] == ' ' || e[en - 1] == '\t'))
            en--;
        if (s_entry_match(e, en, host, port)) return true;
        p += n;
        if (*p == ',') p++;
    }
    return false;
}

static const char *s_env2(ur_getenv_fn env, void *ctx, const char *a, const char *b, const char **from)
{
    const char *v = env(ctx, a);
    *from = a;
    if (!v || !*v) {
        v = env(ctx, b);
        *from = b;
    }
    return v && *v ? v : NULL;
}

static int s_hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes s[0..n) into out; false when it does not fit. A '%' not followed by two hex digits
 * stays as it is. */
static bool s_pct_decode(const char *s, size_t n, char *out, size_t cap, size_t *olen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && s_hex(s[i + 1]) >= 0 && s_hex(s[i + 2]) >= 0) {
            c = (char)(s_hex(s[i + 1]) << 4 | s_hex(s[i + 2]));
            i += 2;
        }
        if (o + 1 >= cap) return false;
        out[o++] = c;
    }
    out[o] = '\0';
    *olen = o;
    return true;
}

int ur_s3_proxy_select(bool target_tls, const char *host, uint16_t port, bool credential_endpoint,
                       ur_getenv_fn env, void *ctx, struct ur_s3_proxy *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    p->from = "";
    if (err && errlen) err[0] = '\0';
    if (credential_endpoint || ur_s3_host_is_metadata(host)) return 0;
    const char *from, *nfrom;
    const char *v = target_tls ? s_env2(env, ctx, "HTTPS_PROXY", "https_proxy", &from)
                               : s_env2(env, ctx, "HTTP_PROXY", "http_proxy", &from);
    if (!v || ur_s3_no_proxy_match(s_env2(env, ctx, "NO_PROXY", "no_proxy", &nfrom), host, port)) return 0;
    struct ur_s3_url u;
    const char *why = NULL;
    if (ur_s3_url_parse(v, true, &u, &why)) {
        if (err && errlen) snprintf(err, errlen, "%s is not a usable proxy URL (%s)", from, why);
        return -EINVAL;
    }
    p->use = true;
    p->tls = u.tls;
    p->port = u.port;
    p->from = from;
    memcpy(p->host, u.host, sizeof(p->host));
    if (u.userinfo[0]) {
        char plain[256];
        size_t pn;
        unsigned char b64[((sizeof(plain) + 2) / 3) * 4 + 1];
        if (!s_pct_decode(u.userinfo, strlen(u.userinfo), plain, sizeof(plain), &pn)) {
            OPENSSL_cleanse(&u, sizeof(u));
            if (err && errlen) snprintf(err, errlen, "%s: the user name and password are too long", from);
            memset(p, 0, sizeof(*p));
            p->from = "";
            return -EINVAL;
        }
        int bn = EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)pn);
        snprintf(p->authorization, sizeof(p->authorization), "Basic %.*s", bn, (const char *)b64);
        OPENSSL_cleanse(plain, sizeof(plain));
        OPENSSL_cleanse(b64, sizeof(b64));
    }
    OPENSSL_cleanse(&u, sizeof(u));
    return 0;
}

int ur_s3_proxy_connect(const struct ur_s3_proxy *p, const char *host, uint16_t port, char *out, size_t cap)
{
    char hp[300];
    if (strpbrk(host, "\r\n \t") || !*host) return -EINVAL;
    if (ur_s3_hostport(hp, sizeof(hp), host, port) < 0) return -ENOSPC;
    int n = snprintf(out, cap, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n", hp, hp,
                     p->authorization[0] ? "Proxy-Authorization: " : "", p->authorization,
                     p->authorization[0] ? "\r\n" : "");
    return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

int ur_s3_proxy_answer(const struct ur_s3_proxy *p, const char *host, uint16_t port, const char *buf, size_t n,
                       char *msg, size_t cap)
{
    const char *end = memmem(buf, n, "\r\n\r\n", 4);
    if (!end && n < UR_S3_PROXY_ANSWER_MAX) return 0;
    if (!end) return snprintf(msg, cap, "proxy for %s: an answer to CONNECT without an end", host), -EPROTO;
    int status = 0;
    if (n > 12 && memcmp(buf, "HTTP/1.", 7) == 0 && buf[8] == ' ')
        for (int i = 9; i < 12 && buf[i] >= '0' && buf[i] <= '9'; i++) status = status * 10 + buf[i] - '0';
    if (status >= 200 && status <= 299 && end + 4 == buf + n) return 1;
    char line[96];
    size_t ll = 0;
    while (ll < sizeof(line) - 1 && buf + ll < end && buf[ll] != '\r' && buf[ll] != '\n') {
        unsigned char ch = (unsigned char)buf[ll];
        line[ll++] = ch < 0x20 || ch > 0x7e ? '?' : (char)ch;
    }
    line[ll] = '\0';
    snprintf(msg, cap, "proxy %s:%u (%s) refused the tunnel to %s:%u: %s", p->host, p->port, p->from, host, port,
             status ? line : "not an HTTP answer");
    return status == 502 || status == 503 || status == 504 ? -ECONNREFUSED : -EACCES;
}

int ur_s3_proxy_absolute(const struct ur_s3_proxy *p, const char *host, uint16_t port, const char *req, size_t n,
                         char *out, size_t cap)
{
    const char *sp = memchr(req, ' ', n);
    const char *eol = memchr(req, '\n', n);
    if (!sp || !eol || sp > eol || sp + 1 >= req + n || sp[1] != '/') return -EINVAL;
    char hp[300];
    if (strpbrk(host, "\r\n \t") || !*host) return -EINVAL;
    if (ur_s3_hostport(hp, sizeof(hp), host, port) < 0) return -ENOSPC;
    size_t m = (size_t)(sp + 1 - req), line = (size_t)(eol + 1 - req);
    int k = snprintf(out, cap, "%.*shttp://%s%.*s%s%s%s", (int)m, req, hp, (int)(line - m), req + m,
                     p->authorization[0] ? "Proxy-Authorization: " : "", p->authorization,
                     p->authorization[0] ? "\r\n" : "");
    if (k < 0 || (size_t)k + (n - line) > cap) return -ENOSPC;
    memcpy(out + k, req + line, n - line);
    return k + (int)(n - line);
}
