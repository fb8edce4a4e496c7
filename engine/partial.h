/* engine/partial.h — what --resume keeps of an interrupted download (URESTORE_TASK_RESUME): the ranges of
 * an object already durably in its partial file, and the sidecar file that carries them to a later run.
 *
 * The partial file is ".NAME.urestore-partial" beside the destination; its sidecar ".NAME.urestore-partial
 * .ranges" is a short text file (a sidecar rather than an xattr: tmpfs before Linux 6.6, many FUSE and
 * network file systems have no user xattrs, and a text file can be read by a person):
 *
 *     urestore-partial 1
 *     source s3://BUCKET/KEY
 *     size 268435457
 *     etag "0123…-32"
 *     range 0 16777216
 *     range 33554432 8388608
 *     crc32 89abcdef
 *
 * The last line is the CRC-32 (zlib's) of every byte before it: a torn or edited sidecar is refused, and a
 * refused sidecar means "start over", never "trust part of it". The ranges are sorted, disjoint and
 * merged; a range is written there only after its bytes were written and fdatasync'd (sink.c).
 *
 * The format functions are pure (unit-tested); ur_partial_load/save/drop do the small synchronous file
 * operations, run where a task is planned or settles, never per buffer. */
#ifndef UR_ENGINE_PARTIAL_H
#define UR_ENGINE_PARTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ur_range {
    uint64_t off, end; /* [off, end) */
};

struct ur_partial {
    uint64_t size;         /* the object's size */
    char etag[128];        /* its ETag, quotes included (sent as If-Match) */
    struct ur_range *r;    /* sorted, disjoint, never adjacent */
    size_t n, cap;
};

void ur_partial_free(struct ur_partial *p);
/* Adds [off, off + len) (len > 0, within size), merging with its neighbours. 0 or -ENOMEM. */
int ur_partial_add(struct ur_partial *p, uint64_t off, uint64_t len);
/* Bytes the ranges cover. */
uint64_t ur_partial_bytes(const struct ur_partial *p);
/* The next piece to fetch at or after `from`: the first byte not covered, and up to part_size bytes from
 * there that are not covered either. False when nothing from `from` on is missing. */
bool ur_partial_gap(const struct ur_partial *p, uint64_t from, uint64_t part_size, uint64_t *off, uint64_t *len);

/* The sidecar's text for p and source (malloc'd, NUL-terminated, *len without the NUL), or NULL. */
char *ur_partial_format(const struct ur_partial *p, const char *source, size_t *len);
/* Parses a sidecar's text for source into *p (zeroed first; free it even on failure). 0, or -EINVAL with
 * *why naming what is wrong (bad magic, another source, a bad CRC, ranges out of order or past the end). */
int ur_partial_parse(const char *text, size_t len, const char *source, struct ur_partial *p, const char **why);

/* Reads the sidecar at path into *p. 0; -ENOENT when there is none; -EINVAL (*why set) when it cannot
 * be trusted; another -errno when it cannot be read. */
int ur_partial_load(const char *path, const char *source, struct ur_partial *p, const char **why);
/* Writes the sidecar at path: to path + ".tmp", then renamed over path (a reader sees the old or the new
 * one, and a torn one fails its CRC). The caller has made the ranges' bytes durable first. 0 or -errno. */
int ur_partial_save(const char *path, const char *source, const struct ur_partial *p);

#endif
