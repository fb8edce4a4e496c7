/* flink/metadata.c — the `_metadata` reader (layout: ../shared/FLINK-METADATA.md §2–§5). One recursive
 * descent over the bytes, run twice: first with no callback to prove the whole file parses, then, only if
 * it did, again to hand out the references. It must not allocate, do I/O or interpret paths. Every read
 * is bounds-checked against the bytes left, so a count that does not fit fails at the first missing
 * element; loops consume at least one byte per round, so time is linear in the file's size. */
#include "flink/metadata.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "flink/javaser.h"

#define S_MASTER_MAGIC 0xC96B1696u

/* Handle tags (§4.4). */
enum {
    T_NULL = 0,
    T_BYTES = 1,
    T_FILE = 2,
    T_KEY_GROUPS = 3,
    T_PARTITIONABLE = 4,
    T_INCREMENTAL = 5,
    T_RELATIVE = 6,
    T_SAVEPOINT_KEY_GROUPS = 7,
    T_CHANGELOG = 8,
    T_CHANGELOG_BYTES = 9,
    T_CHANGELOG_FILE = 10,
    T_INCREMENTAL_V2 = 11,
    T_KEY_GROUPS_V2 = 12,
    T_CHANGELOG_FILE_V2 = 13,
    T_CHANGELOG_V2 = 14,
    T_SEGMENT = 15,
    T_EMPTY_SEGMENT = 16,
    T_SEGMENT_PARTITIONABLE = 17,
};

struct s_rd {
    const uint8_t *p;
    size_t n, off;
    int version;
    struct ur_flink_error *err;
    struct ur_flink_metadata md;
    ur_flink_ref_fn fn; /* NULL in the validating pass */
    void *user;
    int depth;
    struct ur_flink_ref at; /* where the walk is: operator, subtask, position, part */
};

static int s_fail(struct s_rd *r, size_t off, enum ur_flink_why why, const char *fmt, ...)
{
    if (r->err) {
        r->err->why = why;
        r->err->offset = off;
        int k = snprintf(r->err->msg, sizeof r->err->msg, "offset %zu: ", off);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err->msg + k, sizeof r->err->msg - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -EBADMSG;
}

static int s_need(struct s_rd *r, size_t k, const char *what)
{
    if (r->n - r->off < k)
        return s_fail(r, r->off, UR_FLINK_E_TRUNCATED, "truncated: %s needs %zu bytes, %zu left", what, k,
                      r->n - r->off);
    return 0;
}

static int s_u8(struct s_rd *r, const char *what, uint8_t *v)
{
    int rc = s_need(r, 1, what);
    if (rc) return rc;
    *v = r->p[r->off++];
    return 0;
}

static int s_i32(struct s_rd *r, const char *what, int32_t *v)
{
    int rc = s_need(r, 4, what);
    if (rc) return rc;
    const uint8_t *p = r->p + r->off;
    *v = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
    r->off += 4;
    return 0;
}

static int s_i64(struct s_rd *r, const char *what, int64_t *v)
{
    int rc = s_need(r, 8, what);
    if (rc) return rc;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | r->p[r->off + i];
    *v = (int64_t)u;
    r->off += 8;
    return 0;
}

/* A count or length: an i32 that must not be negative. */
static int s_count(struct s_rd *r, const char *what, int32_t *v)
{
    size_t at = r->off;
    int rc = s_i32(r, what, v);
    if (rc) return rc;
    if (*v < 0) return s_fail(r, at, UR_FLINK_E_VALUE, "negative %s (%d)", what, *v);
    return 0;
}

static int s_skip(struct s_rd *r, size_t k, const char *what)
{
    int rc = s_need(r, k, what);
    if (rc) return rc;
    r->off += k;
    return 0;
}

/* writeUTF: u16 byte count, then the bytes (left as they are). */
static int s_utf(struct s_rd *r, const char *what, const char **s, size_t *len)
{
    int rc = s_need(r, 2, what);
    if (rc) return rc;
    size_t k = (size_t)r->p[r->off] << 8 | r->p[r->off + 1];
    r->off += 2;
    if ((rc = s_need(r, k, what))) return rc;
    if (s) *s = (const char *)r->p + r->off;
    if (len) *len = k;
    r->off += k;
    return 0;
}

/* i32 count of i64 values (key-group offsets, operator state offsets, channel offsets). */
static int s_offsets(struct s_rd *r, const char *what)
{
    int32_t k;
    int rc = s_count(r, what, &k);
    if (rc) return rc;
    return s_skip(r, (size_t)k * 8, what);
}

/* A key-group range: i32 start, i32 count, neither negative (an empty range is written 0+0). */
static int s_key_group_range(struct s_rd *r, int32_t *num)
{
    int32_t start, k;
    size_t at = r->off;
    int rc = s_i32(r, "key-group start", &start);
    if (!rc) rc = s_i32(r, "key-group count", &k);
    if (rc) return rc;
    if (start < 0 || k < 0) return s_fail(r, at, UR_FLINK_E_VALUE, "key-group range %d+%d", start, k);
    if (num) *num = k;
    return 0;
}

static int s_emit(struct s_rd *r, enum ur_flink_ref_kind kind, const char *path, size_t path_len,
                  int64_t size, size_t handle_at)
{
    if (kind != UR_FLINK_REF_DIRECTORY) r->md.refs++;
    if (!r->fn) return 0;
    struct ur_flink_ref ref = r->at;
    ref.kind = kind;
    ref.path = path;
    ref.path_len = path_len;
    ref.size = size;
    ref.handle_offset = handle_at;
    ref.handle_end = r->off;
    return r->fn(r->user, &ref);
}

static int s_stream(struct s_rd *r, bool inline_only, bool segment_only);

/* Key-groups body (tags 3, 7, 12 and stream tag 3): range, offsets, the delegate. */
static int s_key_groups(struct s_rd *r)
{
    int32_t num;
    int rc = s_key_group_range(r, &num);
    if (rc) return rc;
    if ((rc = s_skip(r, (size_t)num * 8, "key-group offsets"))) return rc;
    return s_stream(r, false, false);
}

/* StreamHandle (§4.5). inline_only: the coordinator position (0 or 1); segment_only: tag 17's delegate. */
static int s_stream(struct s_rd *r, bool inline_only, bool segment_only)
{
    size_t at = r->off;
    uint8_t tag;
    int rc = s_u8(r, "stream handle tag", &tag), depth_rc = 0;
    if (rc) return rc;
    bool ok = tag == T_NULL || tag == T_BYTES || tag == T_FILE || tag == T_KEY_GROUPS || tag == T_RELATIVE ||
              tag == T_SEGMENT || tag == T_EMPTY_SEGMENT;
    if (inline_only) ok = tag == T_NULL || tag == T_BYTES;
    if (segment_only) ok = tag == T_SEGMENT || tag == T_EMPTY_SEGMENT;
    if (!ok)
        return s_fail(r, at, UR_FLINK_E_TAG, "%s stream handle tag %u%s",
                      tag <= UR_FLINK_TAG_MAX ? "misplaced" : "unknown", tag,
                      inline_only    ? " (coordinator state must be null or inline)"
                      : segment_only ? " (file-merging operator state needs a segment)"
                                     : "");
    r->md.stream_tags[tag]++;
    const char *s;
    size_t len;
    int32_t n32;
    int64_t size, start;
    switch (tag) {
    case T_NULL:
    case T_EMPTY_SEGMENT:
        return 0;
    case T_BYTES:
        if ((rc = s_utf(r, "inline handle name", NULL, NULL))) return rc;
        if ((rc = s_count(r, "inline state length", &n32))) return rc;
        if ((rc = s_skip(r, (size_t)n32, "inline state"))) return rc;
        r->md.inline_handles++;
        r->md.inline_bytes += (uint64_t)n32;
        return 0;
    case T_FILE:
        if ((rc = s_i64(r, "file size", &size))) return rc;
        if ((rc = s_utf(r, "file path", &s, &len))) return rc;
        if (size < -1) return s_fail(r, at + 1, UR_FLINK_E_VALUE, "file size %lld", (long long)size);
        if (len == 0) return s_fail(r, at + 9, UR_FLINK_E_VALUE, "empty file path");
        return s_emit(r, UR_FLINK_REF_ABSOLUTE, s, len, size, at);
    case T_RELATIVE:
        if ((rc = s_utf(r, "relative path", &s, &len))) return rc;
        if ((rc = s_i64(r, "file size", &size))) return rc;
        if (size < -1) return s_fail(r, r->off - 8, UR_FLINK_E_VALUE, "file size %lld", (long long)size);
        if (len == 0) return s_fail(r, at + 1, UR_FLINK_E_VALUE, "empty relative path");
        return s_emit(r, UR_FLINK_REF_RELATIVE, s, len, size, at);
    case T_SEGMENT: {
        int32_t scope;
        if ((rc = s_i64(r, "segment start", &start))) return rc;
        if ((rc = s_i64(r, "segment size", &size))) return rc;
        if ((rc = s_i32(r, "segment scope", &scope))) return rc;
        if ((rc = s_utf(r, "physical file path", &s, &len))) return rc;
        if ((rc = s_utf(r, "logical file id", NULL, NULL))) return rc;
        if (start < 0 || size < 0)
            return s_fail(r, at + 1, UR_FLINK_E_VALUE, "segment %lld+%lld", (long long)start,
                          (long long)size);
        if (scope != 0 && scope != 1) return s_fail(r, at + 17, UR_FLINK_E_VALUE, "segment scope %d", scope);
        if (len == 0) return s_fail(r, at + 21, UR_FLINK_E_VALUE, "empty physical file path");
        struct ur_flink_ref keep = r->at;
        r->at.seg_offset = start;
        r->at.seg_scope = scope;
        rc = s_emit(r, UR_FLINK_REF_SEGMENT, s, len, size, at);
        r->at = keep;
        return rc;
    }
    case T_KEY_GROUPS:
        if (++r->depth > UR_FLINK_DEPTH_MAX)
            depth_rc = s_fail(r, at, UR_FLINK_E_LIMIT, "handles nested deeper than %d", UR_FLINK_DEPTH_MAX);
        rc = depth_rc ? depth_rc : s_key_groups(r);
        r->depth--;
        return rc;
    }
    return -EBADMSG; /* not reached: every accepted tag is handled above */
}

static int s_keyed(struct s_rd *r);

/* The shared or private list of an incremental handle: (local file name, stream handle) pairs. */
static int s_handle_list(struct s_rd *r, enum ur_flink_part part)
{
    int32_t k;
    int rc = s_count(r, part == UR_FLINK_PART_SHARED ? "shared list size" : "private list size", &k);
    if (rc) return rc;
    for (int32_t i = 0; i < k; i++) {
        const char *s;
        size_t len;
        if ((rc = s_utf(r, "local file name", &s, &len))) return rc;
        r->at.part = part;
        r->at.local_name = s;
        r->at.local_name_len = len;
        rc = s_stream(r, false, false);
        r->at.local_name = NULL;
        r->at.local_name_len = 0;
        if (rc) return rc;
    }
    return 0;
}

static int s_incremental(struct s_rd *r, uint8_t tag)
{
    int64_t v;
    int rc = s_i64(r, "checkpoint id", &v);
    if (!rc) rc = s_utf(r, "backend identifier", NULL, NULL);
    if (!rc) rc = s_key_group_range(r, NULL);
    if (!rc && tag == T_INCREMENTAL_V2) rc = s_i64(r, "checkpointed size", &v);
    if (rc) return rc;
    r->at.part = UR_FLINK_PART_META;
    if ((rc = s_stream(r, false, false))) return rc;
    if ((rc = s_handle_list(r, UR_FLINK_PART_SHARED))) return rc;
    if ((rc = s_handle_list(r, UR_FLINK_PART_PRIVATE))) return rc;
    if (tag == T_INCREMENTAL_V2) return s_utf(r, "state handle id", NULL, NULL);
    return 0;
}

/* Changelog backend handle (8, 14): materialized handles (any keyed), then non-materialized (9, 10, 13). */
static int s_changelog(struct s_rd *r, uint8_t tag)
{
    int32_t k;
    int64_t v;
    int rc = s_key_group_range(r, NULL);
    if (!rc) rc = s_i64(r, "checkpointed size", &v);
    if (!rc) rc = s_count(r, "materialized handle count", &k);
    if (rc) return rc;
    int keep = r->at.materialized;
    r->at.materialized = 1;
    for (int32_t i = 0; !rc && i < k; i++)
        rc = s_keyed(r);
    r->at.materialized = keep;
    if (rc || (rc = s_count(r, "non-materialized handle count", &k))) return rc;
    for (int32_t i = 0; i < k; i++) {
        size_t at = r->off;
        if ((rc = s_need(r, 1, "keyed handle tag"))) return rc;
        uint8_t t = r->p[r->off];
        if (t != T_CHANGELOG_BYTES && t != T_CHANGELOG_FILE && t != T_CHANGELOG_FILE_V2)
            return s_fail(r, at, UR_FLINK_E_TAG, "tag %u where a non-materialized changelog handle belongs",
                          t);
        if ((rc = s_keyed(r))) return rc;
    }
    if ((rc = s_i64(r, "materialization id", &v))) return rc;
    if (tag == T_CHANGELOG_V2 && (rc = s_i64(r, "checkpoint id", &v))) return rc;
    return s_utf(r, "state handle id", NULL, NULL);
}

static int s_changelog_bytes(struct s_rd *r)
{
    int32_t k = 0, kg, len;
    int64_t v;
    int rc = s_key_group_range(r, NULL);
    if (!rc) rc = s_i64(r, "from sequence number", &v);
    if (!rc) rc = s_i64(r, "to sequence number", &v);
    if (!rc) rc = s_count(r, "change count", &k);
    for (int32_t i = 0; !rc && i < k; i++) {
        rc = s_i32(r, "change key group", &kg);
        if (!rc) rc = s_count(r, "change length", &len);
        if (!rc) rc = s_skip(r, (size_t)len, "change");
    }
    if (rc) return rc;
    return s_utf(r, "state handle id", NULL, NULL);
}

static int s_changelog_file(struct s_rd *r, uint8_t tag)
{
    int32_t k = 0;
    int64_t v;
    int rc = s_key_group_range(r, NULL);
    if (!rc) rc = s_count(r, "changelog file count", &k);
    r->at.part = UR_FLINK_PART_CHANGELOG;
    for (int32_t i = 0; !rc && i < k; i++) {
        rc = s_i64(r, "changelog offset", &v);
        if (!rc) rc = s_stream(r, false, false);
    }
    if (!rc) rc = s_i64(r, "state size", &v);
    if (!rc) rc = s_i64(r, "checkpointed size", &v);
    if (!rc) rc = s_utf(r, "state handle id", NULL, NULL);
    if (!rc && tag == T_CHANGELOG_FILE_V2) rc = s_utf(r, "storage identifier", NULL, NULL);
    return rc;
}

/* KeyedHandle (§4.5). */
static int s_keyed(struct s_rd *r)
{
    size_t at = r->off;
    uint8_t tag;
    int rc = s_u8(r, "keyed handle tag", &tag);
    if (rc) return rc;
    if (tag > UR_FLINK_TAG_MAX) return s_fail(r, at, UR_FLINK_E_TAG, "unknown keyed handle tag %u", tag);
    if (++r->depth > UR_FLINK_DEPTH_MAX) {
        r->depth--;
        return s_fail(r, at, UR_FLINK_E_LIMIT, "handles nested deeper than %d", UR_FLINK_DEPTH_MAX);
    }
    r->md.keyed_tags[tag]++;
    enum ur_flink_part keep = r->at.part;
    switch (tag) {
    case T_NULL:
        rc = 0;
        break;
    case T_KEY_GROUPS:
    case T_SAVEPOINT_KEY_GROUPS:
    case T_KEY_GROUPS_V2:
        r->at.part = UR_FLINK_PART_KEYGROUPS;
        rc = s_key_groups(r);
        if (!rc && tag == T_KEY_GROUPS_V2) rc = s_utf(r, "state handle id", NULL, NULL);
        break;
    case T_INCREMENTAL:
    case T_INCREMENTAL_V2:
        rc = s_incremental(r, tag);
        break;
    case T_CHANGELOG:
    case T_CHANGELOG_V2:
        rc = s_changelog(r, tag);
        break;
    case T_CHANGELOG_BYTES:
        rc = s_changelog_bytes(r);
        break;
    case T_CHANGELOG_FILE:
    case T_CHANGELOG_FILE_V2:
        rc = s_changelog_file(r, tag);
        break;
    default:
        r->md.keyed_tags[tag]--;
        rc = s_fail(r, at, UR_FLINK_E_TAG, "tag %u where a keyed handle belongs", tag);
    }
    r->at.part = keep;
    r->depth--;
    return rc;
}

/* OperatorHandle (4, 17), behind its i32 presence flag. */
static int s_operator(struct s_rd *r)
{
    size_t at = r->off;
    uint8_t tag, mode;
    int32_t k;
    int rc = s_u8(r, "operator handle tag", &tag);
    if (rc) return rc;
    if (tag != T_NULL && tag != T_PARTITIONABLE && tag != T_SEGMENT_PARTITIONABLE)
        return s_fail(r, at, UR_FLINK_E_TAG, "%s operator handle tag %u",
                      tag <= UR_FLINK_TAG_MAX ? "misplaced" : "unknown", tag);
    r->md.operator_tags[tag]++;
    if (tag == T_NULL) return 0;
    if ((rc = s_count(r, "operator state count", &k))) return rc;
    for (int32_t i = 0; i < k; i++) {
        if ((rc = s_utf(r, "operator state name", NULL, NULL))) return rc;
        size_t mat = r->off;
        if ((rc = s_u8(r, "distribution mode", &mode))) return rc;
        if (mode > 2) return s_fail(r, mat, UR_FLINK_E_VALUE, "distribution mode %u", mode);
        if ((rc = s_offsets(r, "operator state offsets"))) return rc;
    }
    if (tag == T_SEGMENT_PARTITIONABLE) {
        const char *dir[2];
        size_t len[2], dat[2];
        for (int i = 0; i < 2; i++) {
            dat[i] = r->off;
            if ((rc = s_utf(r, i ? "shared directory" : "task-owned directory", &dir[i], &len[i]))) return rc;
        }
        if ((rc = s_u8(r, "isEmpty", &mode))) return rc;
        enum ur_flink_part keep = r->at.part;
        r->at.part = UR_FLINK_PART_MANAGED_DIR;
        for (int i = 0; i < 2 && !rc; i++)
            rc = s_emit(r, UR_FLINK_REF_DIRECTORY, dir[i], len[i], -1, dat[i]);
        r->at.part = keep;
        if (rc) return rc;
    }
    return s_stream(r, false, tag == T_SEGMENT_PARTITIONABLE);
}

/* Channel state handles (§4.5): V1 layouts before V6, a type byte first from V6. */
static int s_channel(struct s_rd *r, bool output)
{
    size_t at = r->off;
    int merged = 0;
    int32_t v;
    int64_t size;
    int rc;
    if (r->version >= 6) {
        uint8_t type;
        if ((rc = s_u8(r, "channel handle type", &type))) return rc;
        if (type != (output ? 2 : 1) && type != (output ? 4 : 3))
            return s_fail(r, at, UR_FLINK_E_TAG, "channel handle type %u in the %s list", type,
                          output ? "output" : "input");
        merged = type >= 3;
    }
    r->md.channel_handles[(output ? 1 : 0) + (merged ? 2 : 0)]++;
    r->at.position = output ? UR_FLINK_POS_CHANNEL_OUTPUT : UR_FLINK_POS_CHANNEL_INPUT;
    r->at.part = UR_FLINK_PART_NONE;
    if (merged) {
        int32_t len;
        rc = s_i32(r, "channel subtask index", &v);
        if (!rc) rc = s_i64(r, "channel state size", &size);
        if (!rc) rc = s_stream(r, false, false);
        if (!rc) rc = s_count(r, "channel offsets length", &len);
        if (!rc) rc = s_skip(r, (size_t)len, "channel offsets");
        return rc;
    }
    rc = s_i32(r, "channel subtask index", &v);
    if (!rc) rc = s_i32(r, output ? "partition index" : "gate index", &v);
    if (!rc) rc = s_i32(r, output ? "subpartition index" : "input channel index", &v);
    if (!rc) rc = s_offsets(r, "channel offsets");
    if (!rc) rc = s_i64(r, "channel state size", &size);
    if (!rc) rc = s_stream(r, false, false);
    return rc;
}

/* SubtaskState (§4.3). */
static int s_subtask(struct s_rd *r)
{
    int32_t flag, k;
    int64_t v;
    int rc;
    if (r->version == 2) {
        size_t at;
        if ((rc = s_i64(r, "duration", &v))) return rc;
        at = r->off;
        if ((rc = s_i32(r, "legacy state count", &k))) return rc;
        if (k != 0) return s_fail(r, at, UR_FLINK_E_VALUE, "legacy state count %d (must be 0)", k);
    }
    for (int raw = 0; raw < 2; raw++) {
        if ((rc = s_i32(r, raw ? "raw operator state flag" : "managed operator state flag", &flag)))
            return rc;
        r->at.position = raw ? UR_FLINK_POS_OPERATOR_RAW : UR_FLINK_POS_OPERATOR_MANAGED;
        r->at.part = UR_FLINK_PART_NONE;
        if (flag && (rc = s_operator(r))) return rc;
    }
    for (int raw = 0; raw < 2; raw++) {
        r->at.position = raw ? UR_FLINK_POS_KEYED_RAW : UR_FLINK_POS_KEYED_MANAGED;
        r->at.part = UR_FLINK_PART_NONE;
        if ((rc = s_keyed(r))) return rc;
    }
    if (r->version >= 3) {
        for (int out = 0; out < 2; out++) {
            if ((rc = s_count(r, out ? "output channel handle count" : "input channel handle count", &k)))
                return rc;
            for (int32_t i = 0; i < k; i++)
                if ((rc = s_channel(r, out))) return rc;
        }
    }
    return 0;
}

static int s_operator_state(struct s_rd *r, uint32_t index)
{
    int32_t k, v;
    int rc;
    if (r->version >= 5) {
        if ((rc = s_utf(r, "operator name", NULL, NULL))) return rc;
        if ((rc = s_utf(r, "operator uid", NULL, NULL))) return rc;
    }
    if ((rc = s_need(r, 16, "operator id"))) return rc;
    memset(&r->at, 0, sizeof r->at);
    r->at.operator_index = index;
    r->at.operator_id = r->p + r->off;
    r->at.subtask = -1;
    r->at.seg_scope = -1;
    r->off += 16;
    if ((rc = s_i32(r, "parallelism", &v))) return rc;
    if ((rc = s_i32(r, "max parallelism", &v))) return rc;
    if (r->version == 2 && (rc = s_i32(r, "chain length", &v))) return rc;
    size_t coord_at = r->off;
    if (r->version >= 3) {
        r->at.position = UR_FLINK_POS_COORDINATOR;
        if ((rc = s_stream(r, true, false))) return rc;
    }
    size_t at = r->off;
    if ((rc = s_i32(r, "subtask state count", &k))) return rc;
    if (k < 0) {
        if (r->version < 3 || k != -1) return s_fail(r, at, UR_FLINK_E_VALUE, "subtask state count %d", k);
        if (r->p[coord_at] != T_NULL)
            return s_fail(r, coord_at, UR_FLINK_E_VALUE, "a finished operator with coordinator state");
        r->md.finished_operators++;
        return 0;
    }
    for (int32_t i = 0; i < k; i++) {
        int32_t idx;
        at = r->off;
        if ((rc = s_i32(r, "subtask index", &idx))) return rc;
        if (idx < 0) {
            if (r->version < 3) return s_fail(r, at, UR_FLINK_E_VALUE, "subtask index %d", idx);
            r->md.finished_subtasks++;
            continue;
        }
        r->at.subtask = idx;
        if ((rc = s_subtask(r))) return rc;
        r->md.subtask_states++;
    }
    return 0;
}

static int s_master_state(struct s_rd *r)
{
    int32_t magic, len, v, payload;
    size_t at = r->off;
    int rc = s_i32(r, "master state magic", &magic);
    if (rc) return rc;
    if ((uint32_t)magic != S_MASTER_MAGIC)
        return s_fail(r, at, UR_FLINK_E_VALUE, "master state magic 0x%08x", (uint32_t)magic);
    at = r->off;
    if ((rc = s_i32(r, "master state length", &len))) return rc;
    if (len <= 0) return s_fail(r, at, UR_FLINK_E_VALUE, "master state length %d", len);
    if ((rc = s_need(r, (size_t)len, "master state"))) return rc;
    size_t end = r->off + (size_t)len, keep_n = r->n;
    r->n = end; /* the body must be consumed exactly: read it as if the file ended there */
    rc = s_i32(r, "master state version", &v);
    if (!rc) rc = s_utf(r, "master state name", NULL, NULL);
    if (!rc) rc = s_count(r, "master state payload length", &payload);
    if (!rc) rc = s_skip(r, (size_t)payload, "master state payload");
    r->n = keep_n;
    if (rc) return rc;
    if (r->off != end)
        return s_fail(r, r->off, UR_FLINK_E_VALUE, "master state has %zu bytes after its payload",
                      end - r->off);
    return 0;
}

static int s_file(struct s_rd *r)
{
    int32_t magic, version, k;
    int rc = s_i32(r, "magic", &magic);
    if (rc) return rc;
    if ((uint32_t)magic != UR_FLINK_MAGIC)
        return s_fail(r, 0, UR_FLINK_E_MAGIC, "not a Flink _metadata (magic 0x%08x)", (uint32_t)magic);
    if ((rc = s_i32(r, "version", &version))) return rc;
    if (version < UR_FLINK_VERSION_MIN || version > UR_FLINK_VERSION_MAX)
        return s_fail(r, 4, UR_FLINK_E_VERSION, "format version %d (this reader knows %d to %d)", version,
                      UR_FLINK_VERSION_MIN, UR_FLINK_VERSION_MAX);
    r->version = r->md.version = version;
    if ((rc = s_i64(r, "checkpoint id", &r->md.checkpoint_id))) return rc;
    if (r->md.checkpoint_id < 0)
        return s_fail(r, 8, UR_FLINK_E_VALUE, "checkpoint id %lld", (long long)r->md.checkpoint_id);
    if ((rc = s_count(r, "master state count", &k))) return rc;
    r->md.master_states = (uint32_t)k;
    for (int32_t i = 0; i < k; i++)
        if ((rc = s_master_state(r))) return rc;
    if ((rc = s_count(r, "operator count", &k))) return rc;
    r->md.operators = (uint32_t)k;
    for (int32_t i = 0; i < k; i++)
        if ((rc = s_operator_state(r, (uint32_t)i))) return rc;
    if (version < 4) {
        if (r->off != r->n)
            return s_fail(r, r->off, UR_FLINK_E_TRAILING, "%zu bytes after the last operator", r->n - r->off);
        return 0;
    }
    r->md.trailer_bytes = r->n - r->off;
    if (r->off == r->n)
        return s_fail(r, r->off, UR_FLINK_E_TRUNCATED,
                      "truncated: no CheckpointProperties after the operators");
    return ur_flink_javaser_check(r->p + r->off, r->n - r->off, r->off, &r->md.snapshot, r->err);
}

int ur_flink_metadata_parse(const uint8_t *buf, size_t n, ur_flink_ref_fn fn, void *user,
                            struct ur_flink_metadata *md, struct ur_flink_error *err)
{
    if (!buf && n) return -EINVAL;
    if (err) memset(err, 0, sizeof *err);
    struct s_rd r;
    memset(&r, 0, sizeof r);
    r.p = buf, r.n = n, r.err = err;
    int rc = s_file(&r);
    if (rc) return rc;
    if (fn) {
        struct ur_flink_metadata first = r.md;
        memset(&r, 0, sizeof r);
        r.p = buf, r.n = n, r.fn = fn, r.user = user;
        rc = s_file(&r);
        if (rc) return rc; /* the callback's value: the bytes validated above */
        r.md = first;
    }
    if (md) *md = r.md;
    return 0;
}

const char *ur_flink_position_name(enum ur_flink_position p)
{
    static const char *const names[] = {"operator-managed", "operator-raw",   "keyed-managed", "keyed-raw",
                                        "channel-input",    "channel-output", "coordinator"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

const char *ur_flink_part_name(enum ur_flink_part p)
{
    static const char *const names[] = {"",        "keygroups", "meta",     "shared",
                                        "private", "changelog", "directory"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

const char *ur_flink_snapshot_name(enum ur_flink_snapshot s)
{
    return s == UR_FLINK_CHECKPOINT ? "checkpoint" : s == UR_FLINK_SAVEPOINT ? "savepoint" : "unknown";
}

const char *ur_flink_ref_kind_name(enum ur_flink_ref_kind k)
{
    static const char *const names[] = {"relative", "absolute", "segment", "directory"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}
