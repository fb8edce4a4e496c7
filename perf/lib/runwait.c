/* runwait: run a command and report the kernel's accounting of its whole process tree.
 *
 *   runwait RESULT_FILE TIMEOUT_S PROG [ARG...]
 *
 * Forks, execs PROG in its own process group, waits with wait4 and writes one line to RESULT_FILE:
 *   exit=<code> user_s=<s> sys_s=<s> wall_s=<s> maxrss_kib=<KiB> timed_out=<0|1>
 * user/sys include every descendant the tree reaped (getrusage semantics); maxrss is the largest
 * single process. It is a small C process on purpose: a child's peak RSS starts from its parent's at
 * exec, so a Python parent (tens of MiB) would show up in every tool's figure. After TIMEOUT_S seconds
 * the group is killed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    kill(-child, SIGKILL);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: runwait RESULT_FILE TIMEOUT_S PROG [ARG...]\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 2;
    }
    double t0 = now();
    child = fork();
    if (child < 0) {
        perror("fork");
        return 2;
    }
    if (child == 0) {
        setpgid(0, 0);
        execv(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    setpgid(child, child);
    signal(SIGALRM, on_alarm);
    alarm((unsigned)atoi(argv[2]));
    int status;
    struct rusage ru;
    while (wait4(child, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("wait4");
            return 2;
        }
    }
    double wall = now() - t0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(out, "exit=%d user_s=%ld.%06ld sys_s=%ld.%06ld wall_s=%.6f maxrss_kib=%ld timed_out=%d\n", code,
            (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
            (long)ru.ru_stime.tv_usec, wall, ru.ru_maxrss, (int)timed_out);
    return fclose(out) == 0 ? 0 : 2;
}
