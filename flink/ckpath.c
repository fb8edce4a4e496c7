/* flink/ckpath.c — names in a Flink checkpoint directory, relative-handle resolution and S3 URI splitting
 * (see flink/ckpath.h). String work only: must not do I/O or allocate. */
#include "flink/ckpath.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int ur_flink_chk_id(const char *name, size_t len, uint64_t *id)
{
    if (len < 5 || memcmp(name, "chk-", 4) != 0) return -EINVAL;
    if (name[4] == '0' && len > 5) return -EINVAL; /* Flink writes no padding */
    uint64_t v = 0;
    for (size_t i = 4; i < len; i++) {
        if (name[i] < '0' || name[i] > '9') return -EINVAL;
        v = v * 10 + (uint64_t)(name[i] - '0');
        if (v > INT64_MAX) return -EINVAL;
    }
    *id = v;
    return 0;
}

static const char *s_slash(const char *s, size_t len)
{
    return memchr(s, '/', len);
}

static int s_has_prefix(const char *s, size_t len, const char *p)
{
    size_t k = strlen(p);
    return len >= k && memcmp(s, p, k) == 0;
}

/* "op_<id>_attempt_<n>": ForSt's primary directory for one operator attempt. */
static int s_is_forst_dir(const char *s, size_t len)
{
    if (!s_has_prefix(s, len, "op_")) return 0;
    const char *a = memmem(s + 3, len - 3, "_attempt_", 9);
    if (!a || a == s + 3) return 0;
    const char *d = a + 9, *end = s + len;
    if (d == end) return 0;
    for (; d < end; d++)
        if (*d < '0' || *d > '9') return 0;
    return 1;
}

/* "job_<job>_op_<vertex>_<subtask>_<parallelism>": a file-merging managed directory. */
static int s_is_merged_dir(const char *s, size_t len)
{
    return s_has_prefix(s, len, "job_") && len > 4 && memmem(s + 4, len - 4, "_op_", 4) != NULL;
}

enum ur_flink_obj ur_flink_classify(const char *rel, size_t len, uint64_t *chk_id)
{
    const char *sl = s_slash(rel, len);
    if (!sl || sl + 1 == rel + len) return UR_FLINK_OBJ_UNKNOWN;
    size_t dlen = (size_t)(sl - rel);
    const char *rest = sl + 1;
    size_t rlen = len - dlen - 1;
    uint64_t id;
    if (ur_flink_chk_id(rel, dlen, &id) == 0) {
        if (s_slash(rest, rlen)) return UR_FLINK_OBJ_UNKNOWN;
        if (chk_id) *chk_id = id;
        return rlen == 9 && memcmp(rest, "_metadata", 9) == 0 ? UR_FLINK_OBJ_METADATA
                                                              : UR_FLINK_OBJ_EXCLUSIVE;
    }
    if (dlen == 9 && memcmp(rel, "taskowned", 9) == 0) return UR_FLINK_OBJ_TASKOWNED;
    if (dlen != 6 || memcmp(rel, "shared", 6) != 0) return UR_FLINK_OBJ_UNKNOWN;
    const char *sub = s_slash(rest, rlen);
    if (!sub) return UR_FLINK_OBJ_SHARED;
    size_t slen = (size_t)(sub - rest);
    if (sub + 1 == rest + rlen) return UR_FLINK_OBJ_UNKNOWN;
    if (s_is_forst_dir(rest, slen)) return UR_FLINK_OBJ_FORST;
    if (s_is_merged_dir(rest, slen)) return UR_FLINK_OBJ_MERGED;
    return UR_FLINK_OBJ_UNKNOWN;
}

const char *ur_flink_obj_name(enum ur_flink_obj o)
{
    static const char *const names[] = {"unknown", "metadata", "exclusive", "shared",
                                        "forst",   "merged",   "taskowned"};
    return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "unknown";
}

static int s_relative_ok(const char *rel, size_t rlen)
{
    if (rlen == 0 || rel[0] == '/' || memchr(rel, '\0', rlen) || memmem(rel, rlen, "\xc0\x80", 2)) return 0;
    const char *seg = rel, *end = rel + rlen;
    while (seg <= end) {
        const char *sl = memchr(seg, '/', (size_t)(end - seg));
        size_t k = (size_t)((sl ? sl : end) - seg);
        if (k == 0 || (k == 1 && seg[0] == '.') || (k == 2 && seg[0] == '.' && seg[1] == '.')) return 0;
        if (!sl) break;
        seg = sl + 1;
    }
    return 1;
}

int ur_flink_resolve(char *out, size_t cap, const char *metadata, size_t mlen, const char *rel, size_t rlen)
{
    if (!s_relative_ok(rel, rlen)) return -EINVAL;
    const char *last = memrchr(metadata, '/', mlen);
    if (!last) return -EINVAL;
    size_t dlen = (size_t)(last - metadata) + 1;
    if (dlen + rlen >= cap || dlen + rlen > INT32_MAX) return -ENOSPC;
    memcpy(out, metadata, dlen);
    memcpy(out + dlen, rel, rlen);
    out[dlen + rlen] = '\0';
    return (int)(dlen + rlen);
}

int ur_flink_s3_split(const char *uri, size_t len, struct ur_flink_s3loc *out)
{
    const char *sep = memmem(uri, len, "://", 3);
    if (!sep) return -EPROTONOSUPPORT;
    size_t slen = (size_t)(sep - uri);
    if (!((slen == 2 && !strncasecmp(uri, "s3", 2)) || (slen == 3 && !strncasecmp(uri, "s3a", 3)) ||
          (slen == 3 && !strncasecmp(uri, "s3p", 3))))
        return -EPROTONOSUPPORT;
    const char *b = sep + 3, *end = uri + len;
    const char *sl = memchr(b, '/', (size_t)(end - b));
    if (!sl || sl == b || sl + 1 == end) return -EINVAL;
    out->bucket = b;
    out->bucket_len = (size_t)(sl - b);
    out->key = sl + 1;
    out->key_len = (size_t)(end - sl - 1);
    return 0;
}
