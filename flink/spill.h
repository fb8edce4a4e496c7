/* flink/spill.h — an external sort of small records for the cleanup planner: records (a key of at most
 * UR_SPILL_KEY_MAX bytes and a payload of a fixed size) are collected in a bounded buffer, written as sorted
 * runs to an unlinked temporary file when it fills, and read back merged in key order, as often as needed.
 * One pass may keep only some records (a filter): afterwards only they remain. The only I/O is that file:
 * created (mode 0600, O_TMPFILE or mkstemp + unlink, so nothing is left behind) in the directory given,
 * only once the buffer first fills unless ur_spill_open asks for it sooner.
 *
 * Memory: the buffer (run_bytes) plus 4 bytes per buffered record, and while reading 32 KiB per run on disk
 * (a run holds run_bytes of records: 4 MiB ≈ 35,000 candidates of ~120 bytes each, so 1,000,000 candidates
 * make ~29 runs, ~0.9 MiB of read buffers) and a 256 KiB write buffer for a filtering pass. */
#ifndef UR_FLINK_SPILL_H
#define UR_FLINK_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UR_SPILL_KEY_MAX 4096
/* The default buffer: large enough that a run is a few MB of sequential I/O, small beside the planner's
 * referenced-file set. */
#define UR_SPILL_RUN_BYTES ((size_t)4 << 20)

struct ur_spill;

/* A new spill for records with payload_len bytes of payload (at most 64). dir: where the temporary file goes
 * (copied; NULL: $TMPDIR, else /tmp). run_bytes: the buffer (0: UR_SPILL_RUN_BYTES). NULL when out of
 * memory. */
struct ur_spill *ur_spill_new(const char *dir, size_t payload_len, size_t run_bytes);
void ur_spill_free(struct ur_spill *s);

/* Creates the temporary file now, so that a caller can fail before a long listing rather than in it.
 * Returns 0 or -errno (the directory: ur_spill_dir). */
int ur_spill_open(struct ur_spill *s);
const char *ur_spill_dir(const struct ur_spill *s);

/* Adds one record (klen <= UR_SPILL_KEY_MAX); ends a pass in progress. May write a sorted run. Returns 0,
 * -ENAMETOOLONG, -ENOMEM, or the file's -errno. */
int ur_spill_add(struct ur_spill *s, const void *key, size_t klen, const void *payload);

/* Starts a pass over every record in key order (records with equal keys in no set order). filter: only the
 * records ur_spill_keep is called for remain after the pass; such a pass must be read to its end (a filter
 * pass left earlier, or failed, leaves the records unspecified). Returns 0, -ENOMEM or -errno. */
int ur_spill_rewind(struct ur_spill *s, bool filter);

/* The next record: 1 with *key, *klen and *payload (valid until the next call), 0 at the end (the pass is
 * over: a filter pass has replaced the records by the kept ones), or -errno. */
int ur_spill_next(struct ur_spill *s, const uint8_t **key, size_t *klen, const uint8_t **payload);

/* In a filter pass: keeps the record ur_spill_next returned last. Returns 0 or -errno. */
int ur_spill_keep(struct ur_spill *s);

/* Records held; bytes of memory held (buffers, not the file); bytes in the file. */
uint64_t ur_spill_count(const struct ur_spill *s);
uint64_t ur_spill_memory(const struct ur_spill *s);
uint64_t ur_spill_file_bytes(const struct ur_spill *s);

#endif
