/* cli/progress.c — the progress line: when to draw, how to erase it around other output, the rate and ETA,
 * and the ticker thread of the checkpoint commands. Writes only to stderr; reads the clock and the terminal's
 * width, nothing else. */
#include "cli/progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"

static uint64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void ur_cli_progress_init(struct ur_cli_progress *p, const struct ur_cli_global *g, bool json)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    p->start_ms = p->last_ms = s_now_ms();
    const char *env = getenv("URESTORE_NO_PROGRESS");
    bool env_off = env && *env && strcmp(env, "0") != 0;
    if (g->no_progress || g->progress == UR_CLI_PROGRESS_ARG_OFF) {
        p->mode = UR_CLI_PROGRESS_OFF;
    } else if (g->progress == UR_CLI_PROGRESS_ARG_LINES) {
        p->mode = UR_CLI_PROGRESS_LINES;
        p->interval_ms = (uint64_t)(g->progress_interval_s ? g->progress_interval_s : UR_CLI_PROGRESS_LINES_S) * 1000;
    } else if (!env_off && !json && isatty(STDERR_FILENO)) {
        p->mode = UR_CLI_PROGRESS_TTY;
        p->interval_ms = UR_CLI_PROGRESS_TTY_MS;
        p->stdout_tty = isatty(STDOUT_FILENO);
    }
}

static void s_write(const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return; /* nowhere left to report a failing stderr */
        s += w;
        n -= (size_t)w;
    }
}

static void s_erase(struct ur_cli_progress *p)
{
    if (!p->shown) return;
    s_write("\r\033[K", 4);
    p->shown = false;
}

/* Bytes of s that fit in cols terminal columns (one column per UTF-8 character). */
static size_t s_fit(const char *s, size_t cols)
{
    size_t i = 0, c = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xc0) == 0x80) continue; /* a continuation byte: same character */
        if (c++ == cols) break;
    }
    return i;
}

static void s_draw(struct ur_cli_progress *p, const char *line, uint64_t now)
{
    char buf[600];
    int n;
    p->last_ms = now;
    if (p->mode == UR_CLI_PROGRESS_LINES) {
        n = snprintf(buf, sizeof(buf), "urestore: %s\n", line);
    } else {
        /* One column short of the width: a line that fills the last column wraps on some terminals, and a
         * wrapped line cannot be erased by "\r". */
        struct winsize ws;
        size_t cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1u : 79u;
        n = snprintf(buf, sizeof(buf), "\r\033[K%.*s", (int)s_fit(line, cols), line);
        p->shown = true;
    }
    if (n > 0) s_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* With p->mu held. */
static bool s_due(const struct ur_cli_progress *p, uint64_t now)
{
    return now - p->last_ms >= p->interval_ms || (p->mode == UR_CLI_PROGRESS_TTY && !p->shown);
}

static void s_show_locked(struct ur_cli_progress *p, const char *line)
{
    uint64_t now = s_now_ms();
    if (s_due(p, now)) s_draw(p, line, now);
}

bool ur_cli_progress_due(struct ur_cli_progress *p)
{
    if (p->mode == UR_CLI_PROGRESS_OFF) return false;
    pthread_mutex_lock(&p->mu);
    bool due = s_due(p, s_now_ms());
    pthread_mutex_unlock(&p->mu);
    return due;
}

void ur_cli_progress_show(struct ur_cli_progress *p, const char *line)
{
    if (p->mode == UR_CLI_PROGRESS_OFF) return;
    pthread_mutex_lock(&p->mu);
    s_show_locked(p, line);
    pthread_mutex_unlock(&p->mu);
}

void ur_cli_progress_hide(struct ur_cli_progress *p, int fd)
{
    if (p->mode != UR_CLI_PROGRESS_TTY) return;
    if (fd != STDERR_FILENO && !p->stdout_tty) return;
    pthread_mutex_lock(&p->mu);
    s_erase(p);
    pthread_mutex_unlock(&p->mu);
}

static void *s_ticker(void *arg)
{
    struct ur_cli_progress *p = arg;
    char line[512];
    while (!__atomic_load_n(&p->thread_stop, __ATOMIC_RELAXED)) {
        struct timespec ts = {0, 100 * 1000 * 1000}; /* fine enough for the TTY's pace, and quick to stop */
        nanosleep(&ts, NULL);
        /* Formatted under the lock: once a hide has returned, a line formatted from what the caller had
         * before it cannot be drawn over the caller's output. */
        pthread_mutex_lock(&p->mu);
        if (p->fmt(p->fmt_user, line, sizeof(line)))
            s_show_locked(p, line);
        else
            s_erase(p);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

int ur_cli_progress_tick(struct ur_cli_progress *p, ur_cli_progress_fmt_fn fmt, void *user)
{
    if (p->mode == UR_CLI_PROGRESS_OFF || p->thread_on) return 0;
    p->fmt = fmt;
    p->fmt_user = user;
    int rc = pthread_create(&p->thread, NULL, s_ticker, p);
    if (rc) return -rc;
    p->thread_on = true;
    return 0;
}

void ur_cli_progress_end(struct ur_cli_progress *p)
{
    if (p->thread_on) {
        __atomic_store_n(&p->thread_stop, 1, __ATOMIC_RELAXED);
        pthread_join(p->thread, NULL);
        p->thread_on = false;
    }
    s_erase(p);
    pthread_mutex_destroy(&p->mu);
    p->mode = UR_CLI_PROGRESS_OFF;
}

uint64_t ur_cli_progress_elapsed_ms(const struct ur_cli_progress *p)
{
    return s_now_ms() - p->start_ms;
}

void ur_cli_progress_fmt_bytes(char *out, size_t n, uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        snprintf(out, n, "%llu B", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes / 1024;
    int u = 0;
    while (v >= 1024 && u < 4)
        v /= 1024, u++;
    snprintf(out, n, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void s_fmt_time(char *out, size_t n, uint64_t s)
{
    if (s >= 3600)
        snprintf(out, n, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
                 (unsigned long long)(s % 60));
    else
        snprintf(out, n, "%llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

/* Bytes per second over the last ~5 s: a sample every 300 ms or more, 16 kept. A window rather than the
 * whole run's average, so the ETA follows a restore that slows down or speeds up. */
static double s_rate(struct ur_cli_progress *p, uint64_t now, uint64_t bytes)
{
    unsigned last = (p->rate_head + 15) % 16;
    if (p->rate_n == 0 || now - p->rate_ms[last] >= 300) {
        p->rate_ms[p->rate_head] = now;
        p->rate_bytes[p->rate_head] = bytes;
        p->rate_head = (p->rate_head + 1) % 16;
        if (p->rate_n < 16) p->rate_n++;
    }
    unsigned oldest = (p->rate_head + 16 - p->rate_n) % 16;
    uint64_t dt = now - p->rate_ms[oldest];
    if (dt < 200 || bytes < p->rate_bytes[oldest]) return 0;
    return (double)(bytes - p->rate_bytes[oldest]) * 1000.0 / (double)dt;
}

void ur_cli_progress_fmt_copy(struct ur_cli_progress *p, char *line, size_t n, uint64_t files_done,
                              uint64_t files_total, uint64_t bytes_done, uint64_t bytes_total, bool total_exact)
{
    uint64_t now = s_now_ms(), elapsed_ms = now - p->start_ms;
    double rate = s_rate(p, now, bytes_done);
    char done[24], total[24], speed[24], el[24], eta[32] = "";
    ur_cli_progress_fmt_bytes(done, sizeof(done), bytes_done);
    ur_cli_progress_fmt_bytes(total, sizeof(total), bytes_total);
    if (!total_exact) {
        char *sp = strchr(total, ' '); /* "3.40 GiB" → "3.40+ GiB": at least that much */
        if (sp) memmove(sp + 1, sp, strlen(sp) + 1), *sp = '+';
    }
    ur_cli_progress_fmt_bytes(speed, sizeof(speed), (uint64_t)rate);
    s_fmt_time(el, sizeof(el), elapsed_ms / 1000);
    char t[24];
    if (total_exact && rate > 0 && bytes_total >= bytes_done) {
        s_fmt_time(t, sizeof(t), (uint64_t)((double)(bytes_total - bytes_done) / rate + 0.5));
        snprintf(eta, sizeof(eta), ", ETA %s", t);
    } else if (!total_exact && files_done && files_total > files_done) {
        /* Sizes still unknown: the files' pace so far is the best guess, and says it is one. */
        s_fmt_time(t, sizeof(t), elapsed_ms * (files_total - files_done) / files_done / 1000);
        snprintf(eta, sizeof(eta), ", ETA ~%s", t);
    }
    snprintf(line, n, "%llu/%llu files, %s of %s, %s/s, elapsed %s%s", (unsigned long long)files_done,
             (unsigned long long)files_total, done, total, speed, el, eta);
}
