/* cli/checkpoint_fmt.c — the lines `urestore checkpoint files` and `checkpoint ls` print: the references of
 * one _metadata resolved to URIs and deduplicated, its type, and the ls summary. Pure: bytes in, text out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/checkpoint.h"
#include "flink/ckpath.h"

/* One reference, resolved. */
struct s_ref {
    char *uri;
    int64_t end; /* size, or segment end */
    uint8_t op[16];
    int32_t subtask;
    char role[160];
    enum ur_flink_ref_kind kind;
    int64_t seg_offset;
    uint32_t order; /* position in the file, for a stable sort */
};

struct s_coll {
    const char *md_uri;
    struct s_ref *r;
    size_t n, cap;
    int rc;
    struct ur_flink_error *err;
};

static void s_role(const struct ur_flink_ref *ref, char *out, size_t cap)
{
    int k = snprintf(out, cap, "%s", ur_flink_position_name(ref->position));
    if (ref->part != UR_FLINK_PART_NONE && (size_t)k < cap)
        k += snprintf(out + k, cap - (size_t)k, "/%s", ur_flink_part_name(ref->part));
    if (ref->local_name && (size_t)k < cap)
        snprintf(out + k, cap - (size_t)k, ":%.*s", (int)ref->local_name_len, ref->local_name);
}

static int s_collect(void *user, const struct ur_flink_ref *ref)
{
    struct s_coll *c = user;
    if (ref->kind == UR_FLINK_REF_DIRECTORY) return 0;
    char *uri = NULL;
    if (ref->kind == UR_FLINK_REF_RELATIVE) {
        size_t cap = strlen(c->md_uri) + ref->path_len + 2;
        uri = malloc(cap);
        if (!uri) return c->rc = -ENOMEM, 1;
        if (ur_flink_resolve(uri, cap, c->md_uri, strlen(c->md_uri), ref->path, ref->path_len) < 0) {
            free(uri);
            if (c->err) {
                c->err->why = UR_FLINK_E_VALUE;
                c->err->offset = ref->handle_offset;
                snprintf(c->err->msg, sizeof(c->err->msg),
                         "offset %llu: relative handle \"%.*s\" is not a plain name",
                         (unsigned long long)ref->handle_offset,
                         (int)(ref->path_len > 100 ? 100 : ref->path_len), ref->path);
            }
            return c->rc = -EBADMSG, 1;
        }
    } else {
        struct ur_flink_s3loc loc;
        int k =
            ur_flink_s3_split(ref->path, ref->path_len, &loc) == 0
                ? asprintf(&uri, "s3://%.*s/%.*s", (int)loc.bucket_len, loc.bucket, (int)loc.key_len, loc.key)
                : asprintf(&uri, "%.*s", (int)ref->path_len, ref->path);
        if (k < 0) return c->rc = -ENOMEM, 1;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct s_ref *p = realloc(c->r, cap * sizeof(*p));
        if (!p) {
            free(uri);
            return c->rc = -ENOMEM, 1;
        }
        c->r = p;
        c->cap = cap;
    }
    struct s_ref *r = &c->r[c->n];
    memset(r, 0, sizeof(*r));
    r->uri = uri;
    r->kind = ref->kind;
    r->seg_offset = ref->kind == UR_FLINK_REF_SEGMENT ? ref->seg_offset : 0;
    r->end = ref->size < 0 ? -1 : r->seg_offset + ref->size;
    memcpy(r->op, ref->operator_id, 16);
    r->subtask = ref->subtask;
    s_role(ref, r->role, sizeof(r->role));
    r->order = (uint32_t)c->n++;
    return 0;
}

static int s_cmp(const void *a, const void *b)
{
    const struct s_ref *x = a, *y = b;
    int c = strcmp(x->uri, y->uri);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static bool s_is_shared(const char *uri)
{
    return strstr(uri, "/shared/") != NULL;
}

static void s_json_ref(struct ur_cli_buf *out, const struct s_ref *r, bool first)
{
    static const char hex[] = "0123456789abcdef";
    char op[33];
    for (int i = 0; i < 16; i++) {
        op[2 * i] = hex[r->op[i] >> 4];
        op[2 * i + 1] = hex[r->op[i] & 15];
    }
    op[32] = '\0';
    char num[64];
    ur_cli_buf_puts(out, first ? "{\"operator\":\"" : ",{\"operator\":\"");
    ur_cli_buf_puts(out, op);
    snprintf(num, sizeof(num), "\",\"subtask\":%d,\"role\":", (int)r->subtask);
    ur_cli_buf_puts(out, num);
    ur_cli_buf_json_str(out, r->role);
    ur_cli_buf_puts(out, ",\"kind\":");
    ur_cli_buf_json_str(out, ur_flink_ref_kind_name(r->kind));
    if (r->kind == UR_FLINK_REF_SEGMENT) {
        snprintf(num, sizeof(num), ",\"offset\":%lld", (long long)r->seg_offset);
        ur_cli_buf_puts(out, num);
    }
    ur_cli_buf_puts(out, "}");
}

int ur_ck_fmt_files(struct ur_cli_buf *out, bool json, const char *md_uri, const uint8_t *buf, size_t n,
                    struct ur_flink_metadata *md, struct ur_ck_files *cnt, struct ur_flink_error *err)
{
    struct s_coll c = {.md_uri = md_uri, .err = err};
    int rc = ur_flink_metadata_parse(buf, n, s_collect, &c, md, err);
    if (c.rc) rc = c.rc;
    struct ur_ck_files k = {0};
    if (rc == 0) {
        if (c.n) qsort(c.r, c.n, sizeof(*c.r), s_cmp);
        for (size_t i = 0; i < c.n;) {
            size_t j = i;
            int64_t end = -1;
            while (j < c.n && !strcmp(c.r[j].uri, c.r[i].uri)) {
                if (c.r[j].end > end) end = c.r[j].end;
                j++;
            }
            k.files++;
            k.bytes += end > 0 ? (uint64_t)end : 0;
            k.shared += s_is_shared(c.r[i].uri);
            if (out && json) {
                ur_cli_buf_puts(out, "{\"uri\":");
                ur_cli_buf_json_str(out, c.r[i].uri);
                char num[48];
                snprintf(num, sizeof(num), ",\"size\":%lld,\"refs\":[", (long long)end);
                ur_cli_buf_puts(out, num);
                for (size_t q = i; q < j; q++)
                    s_json_ref(out, &c.r[q], q == i);
                ur_cli_buf_puts(out, "]}\n");
            } else if (out) {
                ur_cli_buf_puts(out, c.r[i].uri);
                char num[32];
                snprintf(num, sizeof(num), " %lld\n", (long long)end);
                ur_cli_buf_puts(out, num);
            }
            i = j;
        }
    }
    for (size_t i = 0; i < c.n; i++)
        free(c.r[i].uri);
    free(c.r);
    if (cnt) *cnt = k;
    if (rc > 0) rc = -EBADMSG;
    return rc;
}

const char *ur_ck_snapshot_type(const struct ur_flink_metadata *md, const char *md_uri)
{
    if (md->snapshot != UR_FLINK_SNAPSHOT_UNKNOWN) return ur_flink_snapshot_name(md->snapshot);
    /* The directory's name: the component before "_metadata". */
    const char *end = strrchr(md_uri, '/'), *p = end;
    if (!end) return "unknown";
    while (p > md_uri && p[-1] != '/')
        p--;
    uint64_t id;
    if (ur_flink_chk_id(p, (size_t)(end - p), &id) == 0) return "checkpoint";
    if (!strncmp(p, "savepoint-", 10)) return "savepoint";
    return "unknown";
}

void ur_ck_fmt_ls(struct ur_cli_buf *out, bool json, const char *dir_uri, const struct ur_flink_metadata *md,
                  const char *type, const struct ur_ck_files *cnt)
{
    char tail[256];
    out->len = 0;
    if (json) {
        ur_cli_buf_puts(out, "{\"dir\":");
        ur_cli_buf_json_str(out, dir_uri);
        snprintf(
            tail, sizeof(tail),
            ",\"type\":\"%s\",\"id\":%lld,\"version\":%d,\"files\":%llu,\"bytes\":%llu,\"shared\":%llu}\n",
            type, (long long)md->checkpoint_id, (int)md->version, (unsigned long long)cnt->files,
            (unsigned long long)cnt->bytes, (unsigned long long)cnt->shared);
    } else {
        ur_cli_buf_puts(out, dir_uri);
        snprintf(tail, sizeof(tail), " %s id=%lld v%d files=%llu bytes=%llu shared=%llu\n", type,
                 (long long)md->checkpoint_id, (int)md->version, (unsigned long long)cnt->files,
                 (unsigned long long)cnt->bytes, (unsigned long long)cnt->shared);
    }
    ur_cli_buf_puts(out, tail);
}

void ur_ck_fmt_ls_missing(struct ur_cli_buf *out, bool json, const char *dir_uri, uint64_t objects,
                          uint64_t bytes)
{
    char tail[160];
    out->len = 0;
    if (json) {
        ur_cli_buf_puts(out, "{\"dir\":");
        ur_cli_buf_json_str(out, dir_uri);
        snprintf(tail, sizeof(tail), ",\"type\":\"no-metadata\",\"objects\":%llu,\"bytes\":%llu}\n",
                 (unsigned long long)objects, (unsigned long long)bytes);
    } else {
        ur_cli_buf_puts(out, dir_uri);
        snprintf(tail, sizeof(tail), " no-metadata objects=%llu bytes=%llu (in progress or failed)\n",
                 (unsigned long long)objects, (unsigned long long)bytes);
    }
    ur_cli_buf_puts(out, tail);
}
