/* flink/metadata.h — the reader of Flink's checkpoint `_metadata` file (format versions 2–6, as
 * ../shared/FLINK-METADATA.md describes them): bytes in, every referenced file out. It holds the parse
 * and the names of what it reports; it must not do I/O, allocate, resolve paths (flink/ckpath.h does) or
 * decide what may be deleted.
 *
 * Fail closed: a file that cannot be parsed completely — wrong magic, a version other than 2–6, an unknown
 * or misplaced handle tag, a count or length that does not fit, bytes missing anywhere (the V4+ trailer
 * included) or left over at the end — is an error, and then the callback has seen nothing: the parse runs
 * once to validate, and only a file that validated is walked again to hand out its references. */
#ifndef UR_FLINK_METADATA_H
#define UR_FLINK_METADATA_H

#include <stddef.h>
#include <stdint.h>

#define UR_FLINK_MAGIC 0x4960672Du
#define UR_FLINK_VERSION_MIN 2
#define UR_FLINK_VERSION_MAX 6 /* 7 (FLIP-600) is unreleased and refused until its layout is final */
#define UR_FLINK_TAG_MAX 17    /* handle tags are 0..17 (the table in §4.4) */

/* Why a parse failed; the message in struct ur_flink_error says it in words. */
enum ur_flink_why {
    UR_FLINK_OK = 0,
    UR_FLINK_E_MAGIC,     /* not a _metadata file */
    UR_FLINK_E_VERSION,   /* a format version this reader does not know */
    UR_FLINK_E_TAG,       /* an unknown handle tag, or one not allowed where it stands */
    UR_FLINK_E_TRUNCATED, /* the file ends inside a field */
    UR_FLINK_E_VALUE,     /* a count, length, index or marker out of range */
    UR_FLINK_E_TRAILING,  /* bytes after the end of the metadata */
    UR_FLINK_E_LIMIT,     /* nesting deeper than this reader follows (UR_FLINK_DEPTH_MAX) */
    UR_FLINK_E_TRAILER,   /* the V4+ Java-serialized CheckpointProperties is malformed */
};

/* Filled on failure: the byte offset in the file where the problem was found and a message that starts
 * with it ("offset 1234: unknown keyed handle tag 42"). */
struct ur_flink_error {
    enum ur_flink_why why;
    uint64_t offset;
    char msg[200];
};

/* Handles nest (a key-groups handle's delegate, the handles inside a changelog handle); a file nesting
 * them deeper than this is refused. Flink nests at most 3 levels. */
#define UR_FLINK_DEPTH_MAX 8

enum ur_flink_snapshot {
    UR_FLINK_SNAPSHOT_UNKNOWN = 0, /* V2 and V3 files do not say */
    UR_FLINK_CHECKPOINT,
    UR_FLINK_SAVEPOINT,
};

/* How a reference names its file. */
enum ur_flink_ref_kind {
    UR_FLINK_REF_RELATIVE,  /* tag 6: a name relative to the directory that holds the _metadata */
    UR_FLINK_REF_ABSOLUTE,  /* tag 2: a whole file, absolute URI (s3://…, hdfs://…, file:/…) */
    UR_FLINK_REF_SEGMENT,   /* tag 15: a byte range of a merged physical file, absolute URI */
    UR_FLINK_REF_DIRECTORY, /* tag 17: a file-merging managed directory (two per handle), not a file */
};

/* Where in the subtask's state a reference sits. */
enum ur_flink_position {
    UR_FLINK_POS_OPERATOR_MANAGED,
    UR_FLINK_POS_OPERATOR_RAW,
    UR_FLINK_POS_KEYED_MANAGED,
    UR_FLINK_POS_KEYED_RAW,
    UR_FLINK_POS_CHANNEL_INPUT,
    UR_FLINK_POS_CHANNEL_OUTPUT,
    UR_FLINK_POS_COORDINATOR, /* never names a file (only null or inline is legal there) */
};

/* Which part of a keyed handle a reference is. */
enum ur_flink_part {
    UR_FLINK_PART_NONE,        /* operator and channel state */
    UR_FLINK_PART_KEYGROUPS,   /* tags 3, 7, 12: the key-groups delegate */
    UR_FLINK_PART_META,        /* tags 5, 11: the meta data handle */
    UR_FLINK_PART_SHARED,      /* tags 5, 11: an entry of the shared list (local_name says which) */
    UR_FLINK_PART_PRIVATE,     /* tags 5, 11: an entry of the private list (local_name says which) */
    UR_FLINK_PART_CHANGELOG,   /* tags 10, 13: a changelog (DSTL) file */
    UR_FLINK_PART_MANAGED_DIR, /* tag 17: the managed directory strings */
};

/* One reference, valid during the callback. Strings point into the caller's buffer, are not
 * NUL-terminated and are the file's bytes (modified UTF-8; ASCII in practice). */
struct ur_flink_ref {
    enum ur_flink_ref_kind kind;
    const char *path;
    size_t path_len;
    int64_t size;       /* file size (tags 2, 6; -1 = unknown) or segment length (15); -1 for directories */
    int64_t seg_offset; /* tag 15: first byte of the segment in its physical file; else 0 */
    int32_t seg_scope;  /* tag 15: 0 exclusive, 1 shared; else -1 */
    uint32_t operator_index;    /* 0-based position of the operator in the file */
    const uint8_t *operator_id; /* 16 bytes; Flink's hex form is these bytes in order */
    int32_t subtask;            /* subtask index */
    enum ur_flink_position position;
    enum ur_flink_part part;
    int materialized;       /* 1 when inside the materialized list of a changelog handle (8, 14) */
    const char *local_name; /* PART_SHARED / PART_PRIVATE: the file's name in the RocksDB instance */
    size_t local_name_len;
    uint64_t handle_offset; /* the handle's tag byte in the file */
    uint64_t handle_end;    /* one past the handle's last byte */
};

/* Return 0 to go on, nonzero to stop (ur_flink_metadata_parse then returns that value). */
typedef int (*ur_flink_ref_fn)(void *user, const struct ur_flink_ref *ref);

/* What the file says about itself, and counts of what it holds. */
struct ur_flink_metadata {
    int32_t version;
    int64_t checkpoint_id;
    enum ur_flink_snapshot snapshot;
    uint32_t master_states;
    uint32_t operators;
    uint32_t finished_operators; /* V3+: operators written as fully finished (subtask count -1) */
    uint32_t subtask_states;     /* subtasks with state */
    uint32_t finished_subtasks;  /* V3+: subtasks written as finished */
    uint64_t inline_handles;     /* tag 1: state carried in the file, naming no file */
    uint64_t inline_bytes;
    uint64_t refs;          /* references to files handed to the callback (directories not counted) */
    uint64_t trailer_bytes; /* V4+: the Java-serialized CheckpointProperties */
    uint32_t keyed_tags[UR_FLINK_TAG_MAX + 1]; /* how often each tag appears in each position */
    uint32_t operator_tags[UR_FLINK_TAG_MAX + 1];
    uint32_t stream_tags[UR_FLINK_TAG_MAX + 1];
    uint32_t channel_handles[4]; /* input, output, merged input, merged output */
};

/* Parses the n bytes of one _metadata file. Returns 0 when the whole file parsed (md filled; fn, when not
 * NULL, called once per reference in file order), -EINVAL for NULL arguments, -EBADMSG when the file is
 * not a complete _metadata this reader knows (err says where and why; fn was not called), or the nonzero
 * value fn returned to stop the walk. md and err may be NULL. Reads nothing but buf; no allocation. */
int ur_flink_metadata_parse(const uint8_t *buf, size_t n, ur_flink_ref_fn fn, void *user,
                            struct ur_flink_metadata *md, struct ur_flink_error *err);

/* Names for reports: "operator-managed", "keyed-raw", …; "keygroups", "meta", "shared", …; "checkpoint",
 * "savepoint", "unknown"; "relative", "absolute", "segment", "directory". Never NULL. */
const char *ur_flink_position_name(enum ur_flink_position p);
const char *ur_flink_part_name(enum ur_flink_part p);
const char *ur_flink_snapshot_name(enum ur_flink_snapshot s);
const char *ur_flink_ref_kind_name(enum ur_flink_ref_kind k);

#endif
