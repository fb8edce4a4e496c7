/* flink/gc.h — the cleanup planner of `urestore checkpoint gc`: which objects under Flink job directories
 * no retained `_metadata` references, and why every other object is left alone. It is told the references
 * (from the `_metadata` bytes the caller read), the job directories and the listed objects, and answers with
 * verdicts and a sorted candidate list; it does no network I/O and never deletes anything. Its one file:
 * candidates beyond a 4 MiB buffer go to an unlinked temporary file (flink/spill.h) and are read back
 * from it, so that they do not stay in memory.
 *
 * The rules (README "Cleaning up a Flink checkpoint directory"):
 *   - an object under a --protect prefix, a `_metadata`, or an object any `_metadata` references (bucket +
 *     key compared exactly, s3/s3a/s3p alike, relative handles resolved against their `_metadata`'s
 *     directory) is never a candidate;
 *   - taskowned/, shared/op_*_attempt_* (ForSt), shared/job_*_op_* (file merging) and names Flink does not
 *     write are left alone unless their own allow flag is set;
 *   - a file of a retained chk-N/ (one that has a `_metadata`) is never a candidate;
 *   - a chk-N/ without `_metadata` is judged as a whole: garbage only when every object in it is older than
 *     the minimum age;
 *   - anything else is a candidate when its LastModified is older than the minimum age before the run
 *     started (an unknown LastModified is young).
 * After the listing, the caller reads every `_metadata` that appeared meanwhile (ur_gc_add_metadata) and
 * calls ur_gc_finish again: candidates they reference, or in a chk-N/ they retain, are dropped.
 *
 * Memory: references are kept in an open-addressing set (8-byte slots, load ≤ 0.7) over 1 MiB string
 * chunks holding "bucket/key" with a 4-byte length: about 4 + len("bucket/key") + 4 (id table) + 12–23
 * (slots) bytes per distinct referenced file — ~130 bytes for a typical
 * "checkpoints/<32 hex>/shared/<uuid>" key. Candidates cost a fixed part, not bytes each: a 4 MiB buffer
 * (spill_run_bytes) plus 4 bytes per buffered candidate, written as a sorted run to the temporary file when
 * full (its string plus 26 bytes of disk per candidate), and while a pass reads them 32 KiB per run
 * (1,000,000 candidates: ~29 runs) and a 256 KiB write buffer. Each ur_gc_finish rewrites the file's kept
 * candidates. Measured (perf/checkpoint/README.md "Memory"): a dry run's peak RSS ≈ 17.5 MiB (8 listing
 * threads; 10 MiB with one) + ~120–136 B per referenced file, whatever the number of orphans: 17.7 MiB
 * for 100,000 objects of which 97,920 orphans, where keeping them in memory took 25.9 MiB. */
#ifndef UR_FLINK_GC_H
#define UR_FLINK_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flink/metadata.h"

/* What the planner decided for one object. The first two are candidates for deletion. */
enum ur_gc_verdict {
    UR_GC_ORPHAN = 0,   /* unreferenced and old enough: delete */
    UR_GC_FAILED_CHK,   /* a file of a chk-N/ without _metadata whose objects are all old: delete */
    UR_GC_REFERENCED,   /* a retained _metadata references it */
    UR_GC_METADATA,     /* a _metadata file itself */
    UR_GC_RETAINED_CHK, /* an unreferenced file inside a chk-N/ that has a _metadata */
    UR_GC_YOUNG,        /* LastModified within the minimum age (or unknown) */
    UR_GC_YOUNG_CHK,    /* a chk-N/ without _metadata holding a young object: in progress */
    UR_GC_PROTECTED,    /* under a --protect location */
    UR_GC_TASKOWNED,    /* taskowned/… */
    UR_GC_FORST,        /* shared/op_*_attempt_N/...: ForSt's live databases */
    UR_GC_MERGED,       /* shared/job_X_op_Y/...: file-merging directories */
    UR_GC_UNKNOWN,      /* a name Flink does not write */
    UR_GC_NVERDICTS,
};

/* A short name for reports: "orphan", "failed-checkpoint", "referenced", "metadata", …. */
const char *ur_gc_verdict_name(enum ur_gc_verdict v);

/* Which hands-off kinds may be deleted (each by its own flag). */
#define UR_GC_ALLOW_TASKOWNED 1u
#define UR_GC_ALLOW_FORST 2u
#define UR_GC_ALLOW_MERGED 4u
#define UR_GC_ALLOW_UNKNOWN 8u

struct ur_gc_opts {
    int64_t now_s;          /* the run's start, seconds since 1970 (UTC) */
    int64_t min_age_s;      /* an object is old when last_modified + min_age_s <= now_s; 0 allowed */
    unsigned allow;         /* UR_GC_ALLOW_* */
    const char *spill_dir;  /* the candidates' temporary file goes here; NULL: $TMPDIR, else /tmp */
    size_t spill_run_bytes; /* candidates buffered before a sorted run is written; 0: 4 MiB (tests: less) */
};

struct ur_gc;

/* A new planner, or NULL when out of memory. */
struct ur_gc *ur_gc_new(const struct ur_gc_opts *o);
void ur_gc_free(struct ur_gc *g);

/* Creates the candidates' temporary file now (else when the buffer first fills), so a caller can stop
 * before a long listing. Returns 0 or -errno; ur_gc_spill_dir names the directory for the message. */
int ur_gc_spill_open(struct ur_gc *g);
const char *ur_gc_spill_dir(const struct ur_gc *g);

/* Adds a location nothing under which may be deleted: every key of bucket starting with prefix.
 * Returns 0 or -ENOMEM. */
int ur_gc_protect(struct ur_gc *g, const char *bucket, const char *prefix);

/* Marks one referenced object. Returns 1 when it is new, 0 when already known, -ENOMEM. */
int ur_gc_add_ref(struct ur_gc *g, const char *bucket, size_t blen, const char *key, size_t klen);

/* Whether the object is referenced. */
bool ur_gc_is_referenced(const struct ur_gc *g, const char *bucket, size_t blen, const char *key,
                         size_t klen);

/* What ur_gc_add_metadata found in one file. */
struct ur_gc_md_stats {
    uint64_t refs;     /* references handed out by the reader (files, segments) */
    uint64_t new_refs; /* distinct objects not referenced before this file */
    uint64_t foreign;  /* references outside S3 (hdfs://, file:/ …): they cannot name our objects */
    uint64_t dirs;     /* file-merging managed directories named (not files) */
};

/* Parses the n bytes of the _metadata at bucket/key and marks everything it references; its chk-N/ (when
 * key ends in chk-N/_metadata) becomes retained. Returns 0; -EBADMSG when the file cannot be parsed
 * completely or a relative handle is not a plain relative name (err says where; nothing was added);
 * -ENOMEM. md (may be NULL) gets the reader's summary, st (may be NULL) the counts above. */
int ur_gc_add_metadata(struct ur_gc *g, const char *bucket, const char *key, const uint8_t *buf, size_t n,
                       struct ur_flink_metadata *md, struct ur_gc_md_stats *st, struct ur_flink_error *err);

/* Marks the directory dir (a key prefix ending in '/') of bucket as a retained checkpoint, as a _metadata in
 * it would: with entropy injection a checkpoint's exclusive files lie under another prefix than its
 * _metadata. Returns 0 or -ENOMEM. */
int ur_gc_retain_dir(struct ur_gc *g, const char *bucket, const char *dir);

/* The verdict for one listed object below the job directory job (a key prefix ending in '/'; key starts
 * with it). Reads the planner only: safe from several threads while nothing adds to it. Returns
 * UR_GC_FAILED_CHK for every file of a chk-N/ without _metadata that is not otherwise kept: whether that
 * directory is garbage is decided by ur_gc_finish once all of it was recorded. */
enum ur_gc_verdict ur_gc_judge(const struct ur_gc *g, const char *bucket, const char *job, const char *key,
                               int64_t last_modified);

/* Records a verdict for counting and, for candidates, keeps the object (in the buffer or the temporary
 * file). Not thread-safe. Returns 0, -ENAMETOOLONG, -ENOMEM or the temporary file's -errno. */
int ur_gc_record(struct ur_gc *g, enum ur_gc_verdict v, const char *bucket, const char *job, const char *key,
                 uint64_t size, int64_t last_modified);

/* Decides the chk-N/ directories without _metadata (all objects old: their files stay candidates, else
 * every one becomes UR_GC_YOUNG_CHK), drops candidates that are referenced now or lie in a chk-N/ that is
 * retained now (after ur_gc_add_metadata of files found by the re-check), and sorts the candidates by
 * bucket and key (one pass over them). May be called again after more ur_gc_add_metadata. Returns 0 with
 * *dropped (may be NULL) = how many candidates it dropped that had been candidates before (0 on the first
 * call), or the temporary file's -errno / -ENOMEM (the candidates are then unspecified). */
int ur_gc_finish(struct ur_gc *g, size_t *dropped);

/* One candidate, valid until the next ur_gc_next/ur_gc_record/ur_gc_finish/ur_gc_free. */
struct ur_gc_candidate {
    const char *bucket; /* NUL-terminated */
    const char *key;    /* NUL-terminated */
    uint64_t size;
    int64_t last_modified;
    enum ur_gc_verdict why; /* UR_GC_ORPHAN or UR_GC_FAILED_CHK */
};

/* How many candidates there are after ur_gc_finish. */
size_t ur_gc_candidates(const struct ur_gc *g);

/* Reads the candidates after ur_gc_finish in order, from the first after each ur_gc_rewind: ur_gc_next
 * returns 1 with *out, 0 after the last, or -errno (the temporary file could not be read). ur_gc_rewind
 * returns 0, -ENOMEM or -errno. */
int ur_gc_rewind(struct ur_gc *g);
int ur_gc_next(struct ur_gc *g, struct ur_gc_candidate *out);

/* Objects and bytes per verdict (candidates included), after ur_gc_finish. */
struct ur_gc_tally {
    uint64_t objects[UR_GC_NVERDICTS];
    uint64_t bytes[UR_GC_NVERDICTS];
};
void ur_gc_summary(const struct ur_gc *g, struct ur_gc_tally *out);

/* Distinct referenced objects, and the bytes the planner holds (for the memory figure). */
uint64_t ur_gc_ref_count(const struct ur_gc *g);
uint64_t ur_gc_memory(const struct ur_gc *g);

/* Parses a duration: "0", "90s", "30m", "24h", "7d", "1h30m" (Go's units plus d); a bare number is
 * seconds. Returns 0 with *secs, or -EINVAL. */
int ur_gc_parse_duration(const char *s, int64_t *secs);

#endif
