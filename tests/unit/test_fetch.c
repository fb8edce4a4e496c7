/* tests/unit/test_fetch.c — engine/fetch.c on both loop backends against a loopback server thread: a sized
 * answer, a chunked one, a body over the bound, a refused connection, and a server that accepts and never
 * answers (the total timeout must end it on time, as an unreachable IMDS must not stall a restore). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/fetch.h"
#include "tests/unit/check.h"

/* The server: answers each connection with s_answer (after reading the request head), or holds it. */
static const char *s_answer;
static int s_lfd;

static void *s_serve(void *arg)
{
    (void)arg;
    while (true) {
        int c = accept(s_lfd, NULL, NULL);
        if (c < 0) return NULL;
        char buf[4096];
        size_t got = 0;
        while (got < sizeof(buf) - 1) {
            ssize_t n = read(c, buf + got, sizeof(buf) - 1 - got);
            if (n <= 0) break;
            got += (size_t)n;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n")) break;
        }
        if (!s_answer) { /* hold it: the client's timeout must end the exchange */
            char sink[256];
            while (read(c, sink, sizeof(sink)) > 0) {
            }
        } else {
            (void)!write(c, s_answer, strlen(s_answer));
        }
        close(c);
    }
}

static int s_rc;
static bool s_done;

static void s_cb(struct ur_fetch *f, int rc)
{
    (void)f;
    s_rc = rc;
    s_done = true;
}

static int s_run(struct ur_loop *l, struct ur_fetch *f, uint16_t port, unsigned total_ms, size_t max_body)
{
    static const char req[] = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    s_done = false;
    f->cb = s_cb;
    int rc =
        ur_fetch_start(f, l, NULL, false, "127.0.0.1", port, NULL, req, sizeof(req) - 1, 500, total_ms, max_body);
    if (rc < 0) return rc;
    for (int i = 0; i < 10000 && !s_done; i++)
        ur_loop_run_once(l, 100);
    return s_done ? s_rc : -EDEADLK;
}

static void s_backend(enum ur_loop_kind kind, uint16_t port, uint16_t closed_port)
{
    struct ur_loop l;
    if (ur_loop_init(&l, 64, kind) < 0) return; /* a kernel without io_uring: the epoll run still counts */
    struct ur_fetch f;
    memset(&f, 0, sizeof(f));

    s_answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    CHECK_EQ_INT(s_run(&l, &f, port, 2000, 1024), 0);
    CHECK_EQ_INT(f.status, 200);
    CHECK_EQ_STR(f.body ? f.body : "", "hello");

    s_answer = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    CHECK_EQ_INT(s_run(&l, &f, port, 2000, 1024), 0);
    CHECK_EQ_INT(f.status, 404);
    CHECK_EQ_STR(f.body ? f.body : "", "abcde");

    s_answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    CHECK_EQ_INT(s_run(&l, &f, port, 2000, 4), -EMSGSIZE);
    CHECK(strstr(f.err, "body over 4 bytes") != NULL);

    s_answer = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort";
    CHECK_EQ_INT(s_run(&l, &f, port, 2000, 1024), -EPROTO);

    CHECK_EQ_INT(s_run(&l, &f, closed_port, 2000, 1024), -ECONNREFUSED);
    CHECK(strstr(f.err, "connect to 127.0.0.1") != NULL);

    s_answer = NULL;
    uint64_t t0 = ur_now_ms();
    CHECK_EQ_INT(s_run(&l, &f, port, 300, 1024), -ETIMEDOUT);
    uint64_t took = ur_now_ms() - t0;
    CHECK(took >= 290 && took < 1500);
    CHECK(strstr(f.err, "no answer within 300 ms") != NULL);

    ur_fetch_clean_up(&f);
    ur_loop_destroy(&l);
}

int main(void)
{
    s_lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    if (s_lfd < 0 || bind(s_lfd, (struct sockaddr *)&a, al) < 0 || listen(s_lfd, 16) < 0) return 77;
    getsockname(s_lfd, (struct sockaddr *)&a, &al);
    uint16_t port = ntohs(a.sin_port);
    /* A port nobody listens on: bound and closed again. */
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t bl = sizeof(b);
    bind(t, (struct sockaddr *)&b, bl);
    getsockname(t, (struct sockaddr *)&b, &bl);
    close(t);
    pthread_t th;
    pthread_create(&th, NULL, s_serve, NULL);
    s_backend(UR_LOOP_URING, port, ntohs(b.sin_port));
    s_backend(UR_LOOP_EPOLL, port, ntohs(b.sin_port));
    return CHECK_DONE();
}
