/* tests/flink/mdwriter.h — a test-only writer of Flink `_metadata` files, written from the format document
 * (../shared/FLINK-METADATA.md §2–§4), not from Flink's code. It lets tests build files with the handles
 * no Flink-written sample has (absolute files, segments of merged files, changelog handles, V6 channel
 * types), and records every file reference it writes, with the role the test names, so that a round trip
 * can compare the reader's list against it. It also writes the V4+ CheckpointProperties trailer as a
 * small Java serialization stream. Used by the unit tests, the fuzz seed generator and perf/lib/metabench.c;
 * never by the library. Header-only (static inline): each test program is one source file.
 *
 * The writer does not check what it is told: a test that wants a malformed file writes the bytes itself
 * with the primitives (mdw_u8 … mdw_utf). Out of memory aborts. */
#ifndef UR_TESTS_FLINK_MDWRITER_H
#define UR_TESTS_FLINK_MDWRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flink/metadata.h"

/* A reference the writer wrote, as the reader should report it. */
struct mdw_ref {
    enum ur_flink_ref_kind kind;
    char path[256];
    long long size, seg_offset;
    int scope, subtask;
    unsigned op;
    char role[160];
};

struct mdw {
    unsigned char *p;
    size_t n, cap;
    int version;
    const char *role; /* the role the next reference records ("keyed-managed/meta", …), set by the test */
    int subtask;      /* set by mdw_subtask */
    unsigned ops;     /* operators begun so far; the current one is ops - 1 */
    unsigned long serial;
    struct mdw_ref *refs;
    size_t nrefs, refcap;
};

static inline void mdw_raw(struct mdw *w, const void *b, size_t k)
{
    if (w->n + k > w->cap) {
        while (w->n + k > w->cap)
            w->cap = w->cap ? w->cap * 2 : 4096;
        w->p = realloc(w->p, w->cap);
        if (!w->p) abort();
    }
    memcpy(w->p + w->n, b, k);
    w->n += k;
}

static inline void mdw_u8(struct mdw *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    mdw_raw(w, &b, 1);
}

static inline void mdw_u16(struct mdw *w, unsigned v)
{
    mdw_u8(w, v >> 8);
    mdw_u8(w, v);
}

static inline void mdw_i32(struct mdw *w, int32_t v)
{
    uint32_t u = (uint32_t)v;
    unsigned char b[4] = {(unsigned char)(u >> 24), (unsigned char)(u >> 16), (unsigned char)(u >> 8),
                          (unsigned char)u};
    mdw_raw(w, b, 4);
}

static inline void mdw_i64(struct mdw *w, int64_t v)
{
    mdw_i32(w, (int32_t)((uint64_t)v >> 32));
    mdw_i32(w, (int32_t)(uint32_t)v);
}

/* writeUTF of an ASCII string. */
static inline void mdw_utf(struct mdw *w, const char *s)
{
    size_t k = strlen(s);
    mdw_u16(w, (unsigned)k);
    mdw_raw(w, s, k);
}

/* A fresh UUID-looking name, different on every call. */
static inline const char *mdw_uuid(struct mdw *w, char out[37])
{
    unsigned long s = ++w->serial * 2654435761u;
    snprintf(out, 37, "%08lx-%04lx-4%03lx-a%03lx-%012lx", s & 0xffffffffu, (s >> 7) & 0xffff, s & 0xfff,
             (s >> 3) & 0xfff, (unsigned long)w->serial);
    return out;
}

static inline void mdw_record(struct mdw *w, enum ur_flink_ref_kind kind, const char *path, long long size,
                              long long seg_offset, int scope)
{
    if (w->nrefs == w->refcap) {
        w->refcap = w->refcap ? w->refcap * 2 : 64;
        w->refs = realloc(w->refs, w->refcap * sizeof *w->refs);
        if (!w->refs) abort();
    }
    struct mdw_ref *r = &w->refs[w->nrefs++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    snprintf(r->path, sizeof r->path, "%s", path);
    r->size = size;
    r->seg_offset = seg_offset;
    r->scope = scope;
    r->subtask = w->subtask;
    r->op = w->ops ? w->ops - 1 : 0;
    snprintf(r->role, sizeof r->role, "%s", w->role ? w->role : "");
}

static inline void mdw_free(struct mdw *w)
{
    free(w->p);
    free(w->refs);
    memset(w, 0, sizeof *w);
}

/* ---- the file's frame (§3, §4.1–§4.3) ---- */

/* Magic, version, checkpoint id. The caller then writes the master state count and the states. */
static inline void mdw_begin(struct mdw *w, int version, int64_t checkpoint_id)
{
    memset(w, 0, sizeof *w);
    w->version = version;
    w->subtask = -1;
    mdw_i32(w, (int32_t)UR_FLINK_MAGIC);
    mdw_i32(w, version);
    mdw_i64(w, checkpoint_id);
}

/* One master state (the count is the caller's). */
static inline void mdw_master(struct mdw *w, const char *name, size_t payload)
{
    mdw_i32(w, (int32_t)0xC96B1696u);
    mdw_i32(w, (int32_t)(4 + 2 + strlen(name) + 4 + payload));
    mdw_i32(w, 1);
    mdw_utf(w, name);
    mdw_i32(w, (int32_t)payload);
    for (size_t i = 0; i < payload; i++)
        mdw_u8(w, (unsigned)i);
}

/* An operator up to its coordinator state: (V5+ name, uid), id, parallelism, max parallelism, (V2 chain
 * length). The caller then writes the coordinator stream handle (V3+) and the subtask count. */
static inline void mdw_operator(struct mdw *w, const char *name, const char *uid, int parallelism)
{
    unsigned k = w->ops++;
    if (w->version >= 5) {
        mdw_utf(w, name);
        mdw_utf(w, uid);
    }
    for (int i = 0; i < 16; i++)
        mdw_u8(w, (k * 31 + (unsigned)i * 17 + 5) & 0xff);
    mdw_i32(w, parallelism);
    mdw_i32(w, 128);
    if (w->version == 2) mdw_i32(w, 1);
}

/* A subtask index and, for V2, the two fields that precede the state. */
static inline void mdw_subtask(struct mdw *w, int index)
{
    w->subtask = index;
    mdw_i32(w, index);
    if (w->version == 2) {
        mdw_i64(w, -1);
        mdw_i32(w, 0);
    }
}

/* V3+: the two channel lists, both empty. */
static inline void mdw_no_channels(struct mdw *w)
{
    if (w->version >= 3) {
        mdw_i32(w, 0);
        mdw_i32(w, 0);
    }
}

/* ---- stream handles (§4.5) ---- */

static inline void mdw_s_null(struct mdw *w)
{
    mdw_u8(w, 0);
}

static inline void mdw_s_inline(struct mdw *w, size_t len)
{
    mdw_u8(w, 1);
    mdw_utf(w, "file:/tmp/flink/checkpoints/0000/chk-1/inline-state");
    mdw_i32(w, (int32_t)len);
    for (size_t i = 0; i < len; i++)
        mdw_u8(w, (unsigned)(i * 7));
}

static inline void mdw_s_file(struct mdw *w, const char *path, int64_t size)
{
    mdw_u8(w, 2);
    mdw_i64(w, size);
    mdw_utf(w, path);
    mdw_record(w, UR_FLINK_REF_ABSOLUTE, path, size, 0, -1);
}

static inline void mdw_s_rel(struct mdw *w, const char *name, int64_t size)
{
    mdw_u8(w, 6);
    mdw_utf(w, name);
    mdw_i64(w, size);
    mdw_record(w, UR_FLINK_REF_RELATIVE, name, size, 0, -1);
}

static inline void mdw_s_segment(struct mdw *w, const char *path, int64_t start, int64_t size, int scope)
{
    char id[37];
    mdw_u8(w, 15);
    mdw_i64(w, start);
    mdw_i64(w, size);
    mdw_i32(w, scope);
    mdw_utf(w, path);
    mdw_utf(w, mdw_uuid(w, id));
    mdw_record(w, UR_FLINK_REF_SEGMENT, path, size, start, scope);
}

static inline void mdw_s_empty_segment(struct mdw *w)
{
    mdw_u8(w, 16);
}

/* Tag 3 as a stream handle, up to its delegate (the caller's next stream handle). */
static inline void mdw_s_keygroups(struct mdw *w, int start, int num)
{
    mdw_u8(w, 3);
    mdw_i32(w, start);
    mdw_i32(w, num);
    for (int i = 0; i < num; i++)
        mdw_i64(w, (int64_t)i * 100);
}

/* ---- keyed handles ---- */

static inline void mdw_k_null(struct mdw *w)
{
    mdw_u8(w, 0);
}

/* Tags 3, 7, 12 up to the delegate; mdw_k_keygroups_end after it. */
static inline void mdw_k_keygroups(struct mdw *w, int tag, int start, int num)
{
    mdw_s_keygroups(w, start, num);
    w->p[w->n - 9 - (size_t)num * 8] = (unsigned char)tag;
}

static inline void mdw_k_keygroups_end(struct mdw *w, int tag)
{
    char id[37];
    if (tag == 12) mdw_utf(w, mdw_uuid(w, id));
}

/* Tags 5, 11 up to the meta handle; then the caller writes the meta stream handle, the shared list and the
 * private list (mdw_i32 count, then mdw_utf local name + stream handle each), and mdw_k_incr_end. */
static inline void mdw_k_incr(struct mdw *w, int tag, int64_t checkpoint_id, int start, int num)
{
    char id[37];
    mdw_u8(w, (unsigned)tag);
    mdw_i64(w, checkpoint_id);
    mdw_utf(w, mdw_uuid(w, id));
    mdw_i32(w, start);
    mdw_i32(w, num);
    if (tag == 11) mdw_i64(w, 123456);
}

static inline void mdw_k_incr_end(struct mdw *w, int tag)
{
    mdw_k_keygroups_end(w, tag == 11 ? 12 : 0);
}

/* Tags 8, 14 up to the materialized handles (nmat of them, the caller's); then the caller writes the
 * non-materialized count and handles (9, 10, 13) and mdw_k_changelog_end. */
static inline void mdw_k_changelog(struct mdw *w, int tag, int nmat)
{
    mdw_u8(w, (unsigned)tag);
    mdw_i32(w, 0);
    mdw_i32(w, 16);
    mdw_i64(w, 4096);
    mdw_i32(w, nmat);
}

static inline void mdw_k_changelog_end(struct mdw *w, int tag)
{
    char id[37];
    mdw_i64(w, 3);
    if (tag == 14) mdw_i64(w, 9);
    mdw_utf(w, mdw_uuid(w, id));
}

/* Tag 9, complete: in-memory changes, no file. */
static inline void mdw_k_changelog_bytes(struct mdw *w, int nchanges)
{
    char id[37];
    mdw_u8(w, 9);
    mdw_i32(w, 0);
    mdw_i32(w, 16);
    mdw_i64(w, 100);
    mdw_i64(w, 200);
    mdw_i32(w, nchanges);
    for (int i = 0; i < nchanges; i++) {
        mdw_i32(w, i - 1); /* -1: a metadata change */
        mdw_i32(w, 3);
        mdw_raw(w, "abc", 3);
    }
    mdw_utf(w, mdw_uuid(w, id));
}

/* Tags 10, 13 up to the (offset, handle) entries: the caller writes n × (mdw_i64 offset, stream handle),
 * then mdw_k_changelog_file_end. */
static inline void mdw_k_changelog_file(struct mdw *w, int tag, int n)
{
    mdw_u8(w, (unsigned)tag);
    mdw_i32(w, 0);
    mdw_i32(w, 16);
    mdw_i32(w, n);
}

static inline void mdw_k_changelog_file_end(struct mdw *w, int tag)
{
    char id[37];
    mdw_i64(w, 777);
    mdw_i64(w, 555);
    mdw_utf(w, mdw_uuid(w, id));
    if (tag == 13) mdw_utf(w, "filesystem");
}

/* ---- operator handles ---- */

/* Tags 4, 17 behind a present flag, up to the delegate (for 17: after the managed directories, which are
 * recorded as directory references). The caller writes the delegate stream handle. */
static inline void mdw_o(struct mdw *w, int tag, int nstates, const char *taskowned_dir,
                         const char *shared_dir)
{
    mdw_i32(w, 1);
    mdw_u8(w, (unsigned)tag);
    mdw_i32(w, nstates);
    for (int i = 0; i < nstates; i++) {
        char name[32];
        snprintf(name, sizeof name, "state-%d", i);
        mdw_utf(w, name);
        mdw_u8(w, (unsigned)(i % 3));
        mdw_i32(w, i + 1);
        for (int k = 0; k <= i; k++)
            mdw_i64(w, k * 10);
    }
    if (tag == 17) {
        const char *role = w->role;
        mdw_utf(w, taskowned_dir);
        mdw_utf(w, shared_dir);
        mdw_u8(w, 0);
        w->role = "";
        mdw_record(w, UR_FLINK_REF_DIRECTORY, taskowned_dir, -1, 0, -1);
        mdw_record(w, UR_FLINK_REF_DIRECTORY, shared_dir, -1, 0, -1);
        w->role = role;
    }
}

/* ---- channel state handles ---- */

/* One channel handle up to its delegate (the caller's stream handle); merged ones need
 * mdw_ch_merged_end after the delegate. V6 writes the type byte. */
static inline void mdw_ch(struct mdw *w, int output, int merged)
{
    if (w->version >= 6) mdw_u8(w, (unsigned)((output ? 2 : 1) + (merged ? 2 : 0)));
    mdw_i32(w, w->subtask);
    if (merged) {
        mdw_i64(w, 64);
        return;
    }
    mdw_i32(w, 1);
    mdw_i32(w, 2);
    mdw_i32(w, 2);
    mdw_i64(w, 0);
    mdw_i64(w, 32);
    mdw_i64(w, 64);
}

static inline void mdw_ch_merged_end(struct mdw *w)
{
    mdw_i32(w, 5);
    mdw_raw(w, "\x01\x02\x03\x04\x05", 5);
}

/* ---- the V4+ trailer: CheckpointProperties as a Java serialization stream ---- */

static inline void mdw_j_desc(struct mdw *w, const char *cls, unsigned flags)
{
    mdw_u8(w, 0x72); /* TC_CLASSDESC */
    mdw_utf(w, cls);
    mdw_i64(w, 0x1234567890abcdefLL);
    mdw_u8(w, flags);
}

static inline void mdw_j_field(struct mdw *w, char type, const char *name, const char *sig)
{
    mdw_u8(w, (unsigned)type);
    mdw_utf(w, name);
    if (sig) {
        mdw_u8(w, 0x74); /* TC_STRING */
        mdw_utf(w, sig);
    }
}

/* An enum constant of class cls (whose superclass descriptor is java.lang.Enum). */
static inline void mdw_j_enum(struct mdw *w, const char *cls, const char *constant)
{
    mdw_u8(w, 0x7E); /* TC_ENUM */
    mdw_j_desc(w, cls, 0x12);
    mdw_u16(w, 0);
    mdw_u8(w, 0x78); /* TC_ENDBLOCKDATA */
    mdw_j_desc(w, "java.lang.Enum", 0x12);
    mdw_u16(w, 0);
    mdw_u8(w, 0x78);
    mdw_u8(w, 0x70); /* TC_NULL: no further superclass */
    mdw_u8(w, 0x74);
    mdw_utf(w, constant);
}

/* The trailer of a checkpoint (savepoint = 0) or a savepoint. Nothing for V2, V3. */
static inline void mdw_trailer(struct mdw *w, int savepoint)
{
    if (w->version < 4) return;
    mdw_raw(w, "\xAC\xED\x00\x05", 4);
    mdw_u8(w, 0x73); /* TC_OBJECT */
    mdw_j_desc(w, "org.apache.flink.runtime.checkpoint.CheckpointProperties", 0x02);
    mdw_u16(w, 3);
    mdw_j_field(w, 'Z', "discardFailed", NULL);
    mdw_j_field(w, 'Z', "forced", NULL);
    mdw_j_field(w, 'L', "checkpointType", "Lorg/apache/flink/runtime/checkpoint/SnapshotType;");
    mdw_u8(w, 0x78);
    mdw_u8(w, 0x70);
    mdw_u8(w, 1);
    mdw_u8(w, 0);
    mdw_u8(w, 0x73);
    mdw_j_desc(w,
               savepoint ? "org.apache.flink.runtime.checkpoint.SavepointType"
                         : "org.apache.flink.runtime.checkpoint.CheckpointType",
               0x02);
    mdw_u16(w, 2);
    mdw_j_field(w, 'L', "name", "Ljava/lang/String;");
    mdw_j_field(w, 'L', savepoint ? "formatType" : "sharingFilesStrategy", "Ljava/lang/Enum;");
    mdw_u8(w, 0x78);
    mdw_u8(w, 0x70);
    mdw_u8(w, 0x74);
    mdw_utf(w, savepoint ? "Savepoint" : "Checkpoint");
    if (savepoint)
        mdw_j_enum(w, "org.apache.flink.core.execution.SavepointFormatType", "NATIVE");
    else
        mdw_j_enum(w, "org.apache.flink.runtime.checkpoint.SnapshotType$SharingFilesStrategy",
                   "FORWARD_BACKWARD");
}

/* ---- a whole incremental checkpoint, for benchmarks and seeds ---- */

/* An incremental RocksDB checkpoint of `ops` operators of parallelism `par`: each subtask has managed
 * operator state (relative), and a tag 11 handle (tag 5 before V3) with an inline meta handle, `shared`
 * SST files in <base>/shared/ (tag 2) and three private files in chk-N (tag 6). */
static inline void mdw_incremental(struct mdw *w, int version, int ops, int par, int shared, const char *base)
{
    char path[512], id[37];
    mdw_begin(w, version, 42);
    mdw_i32(w, 0);
    mdw_i32(w, ops);
    for (int o = 0; o < ops; o++) {
        char name[32];
        snprintf(name, sizeof name, "operator-%d", o);
        mdw_operator(w, name, name, par);
        if (version >= 3) mdw_s_null(w);
        mdw_i32(w, par);
        for (int s = 0; s < par; s++) {
            mdw_subtask(w, s);
            w->role = "operator-managed";
            mdw_o(w, 4, 1, NULL, NULL);
            mdw_s_rel(w, mdw_uuid(w, id), 292);
            mdw_i32(w, 0);
            int tag = version >= 3 ? 11 : 5;
            mdw_k_incr(w, tag, 42, s * 32, 32);
            mdw_s_inline(w, 64);
            mdw_i32(w, shared);
            for (int f = 0; f < shared; f++) {
                char local[24], role[64];
                snprintf(local, sizeof local, "%06d.sst", f + 10);
                snprintf(role, sizeof role, "keyed-managed/shared:%s", local);
                w->role = role;
                mdw_utf(w, local);
                snprintf(path, sizeof path, "%s/shared/%s", base, mdw_uuid(w, id));
                mdw_s_file(w, path, 67108864 + f);
            }
            static const char *const priv[] = {"CURRENT", "MANIFEST-000004", "OPTIONS-000009"};
            mdw_i32(w, 3);
            for (int f = 0; f < 3; f++) {
                char role[64];
                snprintf(role, sizeof role, "keyed-managed/private:%s", priv[f]);
                w->role = role;
                mdw_utf(w, priv[f]);
                mdw_s_rel(w, mdw_uuid(w, id), 16 + f);
            }
            mdw_k_incr_end(w, tag);
            mdw_k_null(w);
            mdw_no_channels(w);
        }
    }
    mdw_trailer(w, 0);
}

#endif
