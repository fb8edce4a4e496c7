/* createfloor: what the file system alone charges per file, with the fewest system calls that give a file
 * the way a restorer must, and nothing else (no network, no TLS, no event loop).
 *
 *   createfloor MODE DIR COUNT SIZE DIRS
 *
 * Makes DIRS directories DIR/d00.., then COUNT files of SIZE bytes spread over them, one at a time,
 * with plain blocking system calls. MODE:
 *   atomic    what urestore does per file: open(O_TMPFILE | O_DIRECT) in the directory, fallocate to SIZE,
 *             one O_DIRECT pwrite (padded to 4 KiB, then ftruncate if SIZE is not a multiple), linkat
 *             onto the final name, close. A crash or kill at any point leaves nothing under the name.
 *             The blocking pwrite also pays a sleep and a wake-up per file, which a ring does not.
 *   meta      atomic without the pwrite: the metadata alone (the file reads back as zeros). Nothing that
 *             creates files atomically and O_DIRECT this way can cost less per file.
 *   buffered  what a tool that writes in place does: open(O_CREAT | O_TRUNC) under the final name, one
 *             buffered write, close. Not atomic; the page cache writes the data back later, on kernel
 *             threads that no process's CPU accounting sees.
 * Run it under runwait, pinned like the tools; CPU per file = (user + sys) / COUNT. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, const char *path)
{
    fprintf(stderr, "createfloor: %s %s: %m\n", what, path);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: createfloor atomic|meta|buffered DIR COUNT SIZE DIRS\n");
        return 2;
    }
    int meta = strcmp(argv[1], "meta") == 0, atomic = meta || strcmp(argv[1], "atomic") == 0;
    if (!atomic && strcmp(argv[1], "buffered") != 0) return 2;
    const char *root = argv[2];
    long count = atol(argv[3]), size = atol(argv[4]), dirs = atol(argv[5]);
    if (count <= 0 || size <= 0 || dirs <= 0) return 2;
    size_t padded = ((size_t)size + 4095) & ~(size_t)4095;
    char *buf = aligned_alloc(4096, padded);
    if (!buf) return 1;
    for (size_t i = 0; i < padded; i++) buf[i] = (char)(i * 131 + 7);

    char path[4200], dir[4096];
    if (mkdir(root, 0755) < 0) die("mkdir", root);
    for (long d = 0; d < dirs; d++) {
        snprintf(dir, sizeof(dir), "%s/d%02ld", root, d);
        if (mkdir(dir, 0755) < 0) die("mkdir", dir);
    }
    for (long i = 0; i < count; i++) {
        snprintf(dir, sizeof(dir), "%s/d%02ld", root, i % dirs);
        snprintf(path, sizeof(path), "%s/obj-%05ld.bin", dir, i);
        if (atomic) {
            int fd = open(dir, O_TMPFILE | O_WRONLY | O_DIRECT | O_CLOEXEC, 0644);
            if (fd < 0) die("open O_TMPFILE in", dir);
            if (fallocate(fd, 0, 0, size) < 0) die("fallocate", path);
            if (!meta && pwrite(fd, buf, padded, 0) != (ssize_t)padded) die("write", path);
            if ((size_t)size != padded && ftruncate(fd, size) < 0) die("ftruncate", path);
            if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) < 0) die("linkat", path);
            close(fd);
        } else {
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0) die("open", path);
            if (write(fd, buf, (size_t)size) != size) die("write", path);
            close(fd);
        }
    }
    return 0;
}
