/* s3/creds.c — credentials from the environment or from a shared credentials file (INI) and profile.
 * Blocking reads of files and the environment: called before the event loop starts. Messages name
 * variables, files, profiles and keys, never their secret values. */
#include "s3/creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

static int s_err(char *err, size_t errlen, int rc, const char *fmt, const char *a, const char *b)
{
    if (err && errlen) snprintf(err, errlen, fmt, a, b);
    return rc;
}

/* Copies v into dst; false when it does not fit (a truncated secret would only fail later, obscurely). */
static bool s_set(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap) return false;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return true;
}

int ur_creds_from_env(struct ur_creds *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    static const char *const names[3] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};
    char *dst[3] = {c->access_key, c->secret_key, c->session_token};
    size_t cap[3] = {sizeof(c->access_key), sizeof(c->secret_key), sizeof(c->session_token)};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (!v || !*v) {
            if (i == 2) break; /* the session token is optional */
            OPENSSL_cleanse(c, sizeof(*c));
            return s_err(err, errlen, -ENOENT, "%s is not set%s", names[i], "");
        }
        if (!s_set(dst[i], cap[i], v, strlen(v))) {
            OPENSSL_cleanse(c, sizeof(*c));
            return s_err(err, errlen, -EINVAL, "%s is too long%s", names[i], "");
        }
    }
    if (err && errlen) err[0] = '\0';
    return 0;
}

static char *s_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int ur_creds_from_file(struct ur_creds *c, const char *path, const char *profile, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    if (err && errlen) err[0] = '\0';
    char home_path[4096];
    if (!path || !*path) path = getenv("AWS_SHARED_CREDENTIALS_FILE");
    if (!path || !*path) {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return s_err(err, errlen, -ENOENT, "no credentials file: HOME is not set%s%s", "", "");
        int n = snprintf(home_path, sizeof(home_path), "%s/.aws/credentials", home);
        if (n < 0 || (size_t)n >= sizeof(home_path))
            return s_err(err, errlen, -ENAMETOOLONG, "credentials file path is too long%s%s", "", "");
        path = home_path;
    }
    if (!profile || !*profile) profile = getenv("AWS_PROFILE");
    if (!profile || !*profile) profile = "default";

    FILE *f = fopen(path, "re");
    if (!f) {
        int e = errno;
        if (err && errlen) snprintf(err, errlen, "cannot read credentials file %s: %s", path, strerror(e));
        return -e;
    }

    /* INI as the AWS CLI writes it: "[name]" sections, "key = value" lines, '#' or ';' comment lines,
     * blank lines, CRLF or LF. A section may appear twice; later values win. */
    char line[8192];
    bool in_profile = false, seen_profile = false, too_long = false;
    int rc = 0;
    while (fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);
        if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
            /* A line longer than any credential we can hold: skip the rest of it. */
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            if (in_profile) too_long = true;
            continue;
        }
        char *s = s_trim(line);
        if (!*s || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end) {
                in_profile = false;
                continue;
            }
            *end = '\0';
            in_profile = strcmp(s_trim(s + 1), profile) == 0;
            seen_profile |= in_profile;
            continue;
        }
        if (!in_profile) continue;
        char *eq = strchr(s, '=');
        if (!eq) continue;
        *eq = '\0';
        char *k = s_trim(s), *v = s_trim(eq + 1);
        char *dst = NULL;
        size_t cap = 0;
        if (strcasecmp(k, "aws_access_key_id") == 0) {
            dst = c->access_key;
            cap = sizeof(c->access_key);
        } else if (strcasecmp(k, "aws_secret_access_key") == 0) {
            dst = c->secret_key;
            cap = sizeof(c->secret_key);
        } else if (strcasecmp(k, "aws_session_token") == 0) {
            dst = c->session_token;
            cap = sizeof(c->session_token);
        }
        if (dst && !s_set(dst, cap, v, strlen(v))) {
            rc = s_err(err, errlen, -EINVAL, "%s in profile [%s] is too long", k, profile);
            break;
        }
    }
    if (!rc && ferror(f)) rc = s_err(err, errlen, -EIO, "error reading credentials file %s%s", path, "");
    fclose(f);
    OPENSSL_cleanse(line, sizeof(line));
    if (!rc && !seen_profile)
        rc = s_err(err, errlen, -ENOENT, "profile [%s] not found in %s", profile, path);
    else if (!rc && too_long)
        rc = s_err(err, errlen, -EINVAL, "profile [%s] in %s has a line too long to hold", profile, path);
    else if (!rc && !c->access_key[0])
        rc = s_err(err, errlen, -ENOENT, "profile [%s] has no aws_access_key_id%s", profile, "");
    else if (!rc && !c->secret_key[0])
        rc = s_err(err, errlen, -ENOENT, "profile [%s] has no aws_secret_access_key%s", profile, "");
    if (rc) OPENSSL_cleanse(c, sizeof(*c));
    return rc;
}
