/* tests/abi/provider.c — a credentials provider through the public ABI: `provider ENDPOINT SOURCE DEST`
 * copies SOURCE five times with two clients whose only credentials come from the provider (the keys in
 * PROVIDER_KEY / PROVIDER_SECRET, as a JVM would hand over delegation tokens). The provider says first
 * that its keys expire in an hour (the next call must not ask again), then in two minutes (inside the
 * refresh window: every call asks), then fails (the call's task fails with its message). Prints one line
 * per call, "call K STATUS asked N", and the last task's message; exits 0 when the counts are right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <urestore.h>

static int s_asked;
static int64_t s_expires_in = 3600;
static int s_fail;

static int s_provider(void *user, struct urestore_credentials *out, char *msg, size_t msglen)
{
    (void)user;
    s_asked++;
    if (s_fail) {
        snprintf(msg, msglen, "the token service is down");
        return 1;
    }
    snprintf(out->access_key_id, sizeof(out->access_key_id), "%s", getenv("PROVIDER_KEY"));
    snprintf(out->secret_access_key, sizeof(out->secret_access_key), "%s", getenv("PROVIDER_SECRET"));
    out->expiration = (int64_t)time(NULL) + s_expires_in;
    return 0;
}

static urestore_status s_call(urestore_client *c, const char *src, const char *dst, int k, char *msg,
                              size_t cap)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s.%d", dst, k);
    struct urestore_task t = {.source = src, .destination = path, .size_hint = -1};
    struct urestore_result r;
    memset(&r, 0, sizeof(r));
    urestore_status st = urestore_copy(c, &t, 1, &r, NULL);
    snprintf(msg, cap, "%s", r.message);
    printf("call %d %s asked %d\n", k, urestore_status_str(st), s_asked);
    return st;
}

int main(int argc, char **argv)
{
    if (argc != 4) return 2;
    struct urestore_options o;
    memset(&o, 0, sizeof(o));
    o.struct_size = sizeof(o);
    o.endpoint_url = argv[1];
    o.region = "us-east-1";
    o.credentials_provider = s_provider;
    urestore_client *c = NULL;
    char err[512] = "", msg[512] = "";
    if (urestore_client_new(&o, &c, err, sizeof(err)) != URESTORE_OK) {
        fprintf(stderr, "client: %s\n", err);
        return 1;
    }
    int ok = 1;
    ok &= s_call(c, argv[2], argv[3], 1, msg, sizeof(msg)) == URESTORE_OK && s_asked == 1;
    s_expires_in = 120; /* handed over next time */
    ok &= s_call(c, argv[2], argv[3], 2, msg, sizeof(msg)) == URESTORE_OK && s_asked == 1; /* still fresh */
    /* A new client gets the short-lived keys: inside the 5-minute window, so every call asks again. */
    urestore_client_destroy(c);
    c = NULL;
    if (urestore_client_new(&o, &c, err, sizeof(err)) != URESTORE_OK) return 1;
    ok &= s_call(c, argv[2], argv[3], 3, msg, sizeof(msg)) == URESTORE_OK && s_asked == 2;
    ok &= s_call(c, argv[2], argv[3], 4, msg, sizeof(msg)) == URESTORE_OK && s_asked == 3;
    s_fail = 1;
    ok &= s_call(c, argv[2], argv[3], 5, msg, sizeof(msg)) != URESTORE_OK && s_asked == 4;
    printf("message: %s\n", msg);
    ok &= strstr(msg, "credentials provider: the token service is down") != NULL;
    urestore_client_destroy(c);
    return ok ? 0 : 1;
}
