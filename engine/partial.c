/* engine/partial.c — the ranges --resume keeps and their sidecar file (see partial.h). */
#include "engine/partial.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define S_MAGIC "urestore-partial 1\n"
#define S_MAX_BYTES (64u << 20) /* a sidecar larger than this was not written by us */

void ur_partial_free(struct ur_partial *p)
{
    free(p->r);
    p->r = NULL;
    p->n = p->cap = 0;
}

int ur_partial_add(struct ur_partial *p, uint64_t off, uint64_t len)
{
    uint64_t end = off + len;
    size_t i = 0;
    while (i < p->n && p->r[i].end < off) i++;
    /* r[i] is the first range that touches or follows [off, end): merge every one that touches. */
    size_t j = i;
    while (j < p->n && p->r[j].off <= end) {
        if (p->r[j].off < off) off = p->r[j].off;
        if (p->r[j].end > end) end = p->r[j].end;
        j++;
    }
    if (j > i) { /* r[i..j) become one */
        p->r[i] = (struct ur_range){off, end};
        memmove(p->r + i + 1, p->r + j, (p->n - j) * sizeof(*p->r));
        p->n -= j - i - 1;
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        struct ur_range *r = realloc(p->r, cap * sizeof(*r));
        if (!r) return -ENOMEM;
        p->r = r;
        p->cap = cap;
    }
    memmove(p->r + i + 1, p->r + i, (p->n - i) * sizeof(*p->r));
    p->r[i] = (struct ur_range){off, end};
    p->n++;
    return 0;
}

uint64_t ur_partial_bytes(const struct ur_partial *p)
{
    uint64_t b = 0;
    for (size_t i = 0; i < p->n; i++) b += p->r[i].end - p->r[i].off;
    return b;
}

bool ur_partial_gap(const struct ur_partial *p, uint64_t from, uint64_t part_size, uint64_t *off, uint64_t *len)
{
    size_t i = 0;
    while (i < p->n && p->r[i].end <= from) i++;
    if (i < p->n && p->r[i].off <= from) from = p->r[i++].end; /* inside a range: skip it */
    if (from >= p->size) return false;
    uint64_t stop = i < p->n ? p->r[i].off : p->size;
    *off = from;
    *len = stop - from < part_size ? stop - from : part_size;
    return true;
}

char *ur_partial_format(const struct ur_partial *p, const char *source, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0;
    FILE *f = open_memstream(&buf, &cap);
    if (!f) return NULL;
    fprintf(f, S_MAGIC "source %s\nsize %" PRIu64 "\netag %s\n", source, p->size, p->etag);
    for (size_t i = 0; i < p->n; i++) fprintf(f, "range %" PRIu64 " %" PRIu64 "\n", p->r[i].off, p->r[i].end - p->r[i].off);
    fflush(f);
    uLong crc = crc32(0, (const Bytef *)buf, (uInt)cap);
    fprintf(f, "crc32 %08lx\n", crc);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    *len = cap;
    return buf;
}

#define S_BAD(msg) (*why = (msg), -EINVAL)

int ur_partial_parse(const char *text, size_t len, const char *source, struct ur_partial *p, const char **why)
{
    memset(p, 0, sizeof(*p));
    /* The CRC line closes the text: find it, check it, then read the lines before it. */
    if (len < 2 || text[len - 1] != '\n' || memchr(text, 0, len)) return S_BAD("not a text file");
    size_t body = len - 1;
    while (body > 0 && text[body - 1] != '\n') body--;
    unsigned long want;
    char tail[32];
    if (len - body >= sizeof(tail)) return S_BAD("no CRC line");
    memcpy(tail, text + body, len - body);
    tail[len - body] = 0;
    int used = 0;
    if (sscanf(tail, "crc32 %8lx\n%n", &want, &used) != 1 || (size_t)used != len - body || len - body != 15)
        return S_BAD("no CRC line");
    if (crc32(0, (const Bytef *)text, (uInt)body) != want) return S_BAD("CRC mismatch");
    if (body < sizeof(S_MAGIC) - 1 || memcmp(text, S_MAGIC, sizeof(S_MAGIC) - 1)) return S_BAD("not a urestore sidecar");

    const char *s = text + sizeof(S_MAGIC) - 1, *end = text + body;
    bool have_size = false, have_src = false;
    uint64_t last_end = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)(nl - s);
        uint64_t a, b;
        char line[4200];
        if (n >= sizeof(line)) return S_BAD("line too long");
        memcpy(line, s, n);
        line[n] = 0;
        s = nl + 1;
        if (!strncmp(line, "source ", 7)) {
            if (have_src || strcmp(line + 7, source)) return S_BAD("written for another source");
            have_src = true;
        } else if (!strncmp(line, "etag ", 5)) {
            if (p->etag[0] || n - 5 == 0 || n - 5 >= sizeof(p->etag)) return S_BAD("bad ETag");
            memcpy(p->etag, line + 5, n - 5 + 1);
        } else if (sscanf(line, "size %" SCNu64 "%n", &a, &used) == 1 && (size_t)used == n) {
            if (have_size) return S_BAD("two sizes");
            p->size = a;
            have_size = true;
        } else if (sscanf(line, "range %" SCNu64 " %" SCNu64 "%n", &a, &b, &used) == 2 && (size_t)used == n) {
            /* Sorted, disjoint, not adjacent (as written), inside the object. */
            if (!have_size || b == 0 || a < last_end || (p->n && a == last_end) || b > p->size || a > p->size - b)
                return S_BAD("ranges out of order or past the end");
            if (ur_partial_add(p, a, b) < 0) return S_BAD("out of memory");
            last_end = a + b;
        } else {
            return S_BAD("unknown line");
        }
    }
    if (!have_src || !have_size || !p->etag[0]) return S_BAD("source, size or ETag missing");
    return 0;
}

int ur_partial_load(const char *path, const char *source, struct ur_partial *p, const char **why)
{
    memset(p, 0, sizeof(*p));
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > S_MAX_BYTES) {
        close(fd);
        return S_BAD("not a regular file of a sidecar's size");
    }
    char *buf = malloc((size_t)st.st_size + 1);
    ssize_t got = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    int r = got == st.st_size ? ur_partial_parse(buf, (size_t)got, source, p, why) : S_BAD("short read");
    free(buf);
    return r;
}

int ur_partial_save(const char *path, const char *source, const struct ur_partial *p)
{
    size_t len;
    char *text = ur_partial_format(p, source, &len);
    char tmp[4200];
    if (!text) return -ENOMEM;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        free(text);
        return -ENAMETOOLONG;
    }
    int r = 0, fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) r = -errno;
    errno = 0;
    if (fd >= 0 && write(fd, text, len) != (ssize_t)len) r = errno ? -errno : -ENOSPC;
    if (fd >= 0 && close(fd) < 0 && r == 0) r = -errno;
    if (r == 0 && rename(tmp, path) < 0) r = -errno;
    if (r < 0 && fd >= 0) unlink(tmp);
    free(text);
    return r;
}
