/* s3/credproc.c — credential_process: spawn /bin/sh -c in a process group of its own, read its stdout
 * with a deadline, reap it, and kill the whole group when it overstays (see credproc.h). */
#include "s3/credproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_fail(char *err, size_t errlen, int rc, const char *why)
{
    if (err && errlen) snprintf(err, errlen, "credential_process: %s", why);
    return rc;
}

/* Kills pid's process group and reaps pid. */
static void s_kill(pid_t pid)
{
    kill(-pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

int ur_creds_run_process(const char *cmd, unsigned timeout_ms, char *out, size_t cap, size_t *n, char *err,
                         size_t errlen)
{
    *n = 0;
    if (cap) out[0] = '\0';
    if (err && errlen) err[0] = '\0';
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return s_fail(err, errlen, -errno, "cannot create a pipe");

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawnattr_init(&at);
    /* A group of its own, so that a timeout also kills what the shell started; default signal
     * dispositions, whatever the host process (a JVM) ignores. */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[1]);
    if (rc) {
        close(p[0]);
        return s_fail(err, errlen, -rc, "cannot start /bin/sh");
    }

    int64_t deadline = s_now_ms() + timeout_ms;
    bool eof = false;
    rc = 0;
    while (!eof && rc == 0) {
        int64_t left = deadline - s_now_ms();
        if (left <= 0) {
            rc = -ETIMEDOUT;
            break;
        }
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue; /* the deadline is checked above */
        char scratch[4096];
        size_t room = *n < cap ? cap - *n : 0;
        ssize_t k = read(p[0], room ? out + *n : scratch, room ? room : sizeof(scratch));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0)
            rc = -errno;
        else if (k == 0)
            eof = true;
        else if (!room)
            rc = -E2BIG;
        else
            *n += (size_t)k;
    }
    close(p[0]);
    if (rc) {
        s_kill(pid);
        *n = 0;
        if (cap) out[0] = '\0';
        if (rc == -ETIMEDOUT) return s_fail(err, errlen, rc, "did not finish in time (killed)");
        if (rc == -E2BIG) return s_fail(err, errlen, rc, "printed more than the output limit (killed)");
        return s_fail(err, errlen, rc, "cannot read its output");
    }
    if (*n < cap) out[*n] = '\0';

    /* Output is complete; it may still be running (a child kept stdout open no longer, but it lingers). */
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return s_fail(err, errlen, -ECHILD, "its exit status was lost");
        if (s_now_ms() >= deadline) {
            s_kill(pid);
            return s_fail(err, errlen, -ETIMEDOUT, "did not exit in time (killed)");
        }
        usleep(2000);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (err && errlen) {
        if (WIFEXITED(status))
            snprintf(err, errlen, "credential_process: exited with status %d", WEXITSTATUS(status));
        else
            snprintf(err, errlen, "credential_process: killed by signal %d", WTERMSIG(status));
    }
    return -ECHILD;
}
