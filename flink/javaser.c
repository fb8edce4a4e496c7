/* flink/javaser.c — checks the Java Object Serialization stream at the end of a V4+ `_metadata` (the
 * grammar of the Java Object Serialization Specification, chapter 6, for the constructs Flink's
 * CheckpointProperties uses). Holds a bounded handle table on the stack so that class descriptors
 * referenced by handle can be followed; must not allocate, build objects or look at field values. */
#include "flink/javaser.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define S_MAGIC 0xACEDu
#define S_VERSION 5u
#define S_BASE_HANDLE 0x7E0000
#define S_HANDLES 256 /* CheckpointProperties uses about 15 */
#define S_FIELDS 512
#define S_DEPTH 16

/* Type codes of the stream (TC_*) and class descriptor flags (SC_*). */
enum {
    TC_NULL = 0x70,
    TC_REFERENCE = 0x71,
    TC_CLASSDESC = 0x72,
    TC_OBJECT = 0x73,
    TC_STRING = 0x74,
    TC_ARRAY = 0x75,
    TC_BLOCKDATA = 0x77,
    TC_ENDBLOCKDATA = 0x78,
    TC_BLOCKDATALONG = 0x7A,
    TC_LONGSTRING = 0x7C,
    TC_ENUM = 0x7E,
};
enum { SC_WRITE_METHOD = 0x01, SC_SERIALIZABLE = 0x02, SC_EXTERNALIZABLE = 0x04, SC_ENUM = 0x10 };

struct s_desc {
    int used; /* this handle is a class descriptor */
    uint8_t flags;
    char elem; /* array classes: the element type code ('L' for objects); else 0 */
    uint16_t first_field, nfields;
    int32_t super; /* handle index of the superclass descriptor, -1 for none */
};

struct s_js {
    const uint8_t *p;
    size_t n, off;
    uint64_t base;
    struct ur_flink_error *err;
    int nhandles, nfields;
    struct s_desc desc[S_HANDLES];
    char ftype[S_FIELDS]; /* field type codes of every descriptor, in order */
    int saw_checkpoint, saw_savepoint;
};

static int s_fail(struct s_js *j, enum ur_flink_why why, const char *fmt, ...)
{
    if (j->err) {
        j->err->why = why;
        j->err->offset = j->base + j->off;
        int k = snprintf(j->err->msg, sizeof j->err->msg,
                         "offset %llu: CheckpointProperties: ", (unsigned long long)(j->base + j->off));
        va_list ap;
        va_start(ap, fmt);
        if (k > 0 && (size_t)k < sizeof j->err->msg)
            vsnprintf(j->err->msg + k, sizeof j->err->msg - k, fmt, ap);
        va_end(ap);
    }
    return -EBADMSG;
}

static int s_need(struct s_js *j, size_t k, const char *what)
{
    if (j->n - j->off < k)
        return s_fail(j, UR_FLINK_E_TRUNCATED, "truncated: %s needs %zu bytes, %zu left", what, k,
                      j->n - j->off);
    return 0;
}

static uint64_t s_be(const uint8_t *p, int k)
{
    uint64_t v = 0;
    for (int i = 0; i < k; i++)
        v = v << 8 | p[i];
    return v;
}

static int s_take(struct s_js *j, int k, const char *what, uint64_t *v)
{
    int rc = s_need(j, (size_t)k, what);
    if (rc) return rc;
    *v = s_be(j->p + j->off, k);
    j->off += (size_t)k;
    return 0;
}

static int s_skip(struct s_js *j, uint64_t k, const char *what)
{
    if (k > j->n - j->off)
        return s_fail(j, UR_FLINK_E_TRUNCATED, "truncated: %s needs %llu bytes, %zu left", what,
                      (unsigned long long)k, j->n - j->off);
    j->off += (size_t)k;
    return 0;
}

static int s_new_handle(struct s_js *j)
{
    if (j->nhandles == S_HANDLES) return s_fail(j, UR_FLINK_E_TRAILER, "more than %d objects", S_HANDLES);
    memset(&j->desc[j->nhandles], 0, sizeof j->desc[0]);
    return j->nhandles++;
}

static int s_reference(struct s_js *j, int *idx)
{
    uint64_t h;
    int rc = s_take(j, 4, "handle", &h);
    if (rc) return rc;
    if (h < S_BASE_HANDLE || h >= S_BASE_HANDLE + (uint64_t)j->nhandles)
        return s_fail(j, UR_FLINK_E_TRAILER, "reference to unknown handle 0x%llx", (unsigned long long)h);
    *idx = (int)(h - S_BASE_HANDLE);
    return 0;
}

static int s_object(struct s_js *j, int depth);

/* A string object where the grammar wants one (field class names, enum constants). */
static int s_string(struct s_js *j)
{
    uint64_t tc, len;
    int rc = s_take(j, 1, "string", &tc), idx;
    if (rc) return rc;
    if (tc == TC_REFERENCE) return s_reference(j, &idx);
    if (tc != TC_STRING && tc != TC_LONGSTRING)
        return s_fail(j, UR_FLINK_E_TRAILER, "type code 0x%02x where a string belongs", (unsigned)tc);
    if ((rc = s_take(j, tc == TC_STRING ? 2 : 8, "string length", &len))) return rc;
    if ((rc = s_new_handle(j)) < 0) return rc;
    return s_skip(j, len, "string");
}

/* Block data and objects up to TC_ENDBLOCKDATA (class and object annotations). */
static int s_annotation(struct s_js *j, int depth)
{
    for (;;) {
        int rc = s_need(j, 1, "annotation");
        if (rc) return rc;
        uint8_t tc = j->p[j->off];
        uint64_t len;
        if (tc == TC_ENDBLOCKDATA) {
            j->off++;
            return 0;
        }
        if (tc == TC_BLOCKDATA || tc == TC_BLOCKDATALONG) {
            j->off++;
            if ((rc = s_take(j, tc == TC_BLOCKDATA ? 1 : 4, "block data length", &len))) return rc;
            if ((rc = s_skip(j, len, "block data"))) return rc;
        } else if ((rc = s_object(j, depth + 1))) {
            return rc;
        }
    }
}

static int s_class_desc(struct s_js *j, int depth, int *idx);

/* TC_CLASSDESC's body: name, serialVersionUID, flags, fields, annotation, superclass. */
static int s_new_class_desc(struct s_js *j, int depth, int *idx)
{
    static const char ck[] = "org.apache.flink.runtime.checkpoint.CheckpointType";
    static const char sp[] = "org.apache.flink.runtime.checkpoint.SavepointType";
    uint64_t len, v;
    int rc = s_take(j, 2, "class name length", &len);
    if (rc) return rc;
    const char *name = (const char *)j->p + j->off;
    if ((rc = s_skip(j, len, "class name"))) return rc;
    if (len == sizeof ck - 1 && !memcmp(name, ck, len)) j->saw_checkpoint = 1;
    if (len == sizeof sp - 1 && !memcmp(name, sp, len)) j->saw_savepoint = 1;
    if ((rc = s_skip(j, 8, "serialVersionUID"))) return rc;
    int h = s_new_handle(j);
    if (h < 0) return h;
    struct s_desc d = {.used = 1, .super = -1, .first_field = (uint16_t)j->nfields};
    if (len >= 2 && name[0] == '[') d.elem = name[1] == '[' ? 'L' : name[1];
    if ((rc = s_take(j, 1, "class flags", &v))) return rc;
    d.flags = (uint8_t)v;
    if (d.flags & SC_EXTERNALIZABLE) return s_fail(j, UR_FLINK_E_TRAILER, "externalizable class");
    uint64_t nf;
    if ((rc = s_take(j, 2, "field count", &nf))) return rc;
    if (nf > (uint64_t)(S_FIELDS - j->nfields)) return s_fail(j, UR_FLINK_E_TRAILER, "too many fields");
    d.nfields = (uint16_t)nf;
    for (uint64_t i = 0; i < nf; i++) {
        uint64_t t;
        if ((rc = s_take(j, 1, "field type", &t))) return rc;
        if (!strchr("BCDFIJSZL[", (int)t) || t == 0)
            return s_fail(j, UR_FLINK_E_TRAILER, "field type code 0x%02x", (unsigned)t);
        if ((rc = s_take(j, 2, "field name length", &len))) return rc;
        if ((rc = s_skip(j, len, "field name"))) return rc;
        if ((t == 'L' || t == '[') && (rc = s_string(j))) return rc;
        j->ftype[j->nfields++] = (char)t;
    }
    j->desc[h] = d;
    if ((rc = s_annotation(j, depth))) return rc;
    int super;
    if ((rc = s_class_desc(j, depth + 1, &super))) return rc;
    j->desc[h].super = super;
    *idx = h;
    return 0;
}

/* A class descriptor where the grammar wants one: new, a reference to one, or null (*idx = -1). */
static int s_class_desc(struct s_js *j, int depth, int *idx)
{
    if (depth > S_DEPTH) return s_fail(j, UR_FLINK_E_TRAILER, "nested deeper than %d", S_DEPTH);
    uint64_t tc;
    int rc = s_take(j, 1, "class descriptor", &tc);
    if (rc) return rc;
    *idx = -1;
    if (tc == TC_NULL) return 0;
    if (tc == TC_CLASSDESC) return s_new_class_desc(j, depth, idx);
    if (tc != TC_REFERENCE)
        return s_fail(j, UR_FLINK_E_TRAILER, "type code 0x%02x where a class descriptor belongs",
                      (unsigned)tc);
    if ((rc = s_reference(j, idx))) return rc;
    if (!j->desc[*idx].used) return s_fail(j, UR_FLINK_E_TRAILER, "reference to a non-class as a class");
    return 0;
}

static int s_value(struct s_js *j, char t, int depth)
{
    static const char codes[] = "BCDFIJSZ";
    static const uint8_t sizes[] = {1, 2, 8, 4, 4, 8, 2, 1};
    if (t == 'L' || t == '[') return s_object(j, depth + 1);
    return s_skip(j, sizes[strchr(codes, t) - codes], "field value");
}

/* The field values of an object of class idx: superclasses first, as Java writes them. */
static int s_class_data(struct s_js *j, int idx, int depth)
{
    int chain[S_DEPTH + 1], k = 0;
    for (int c = idx; c >= 0; c = j->desc[c].super) {
        if (k == S_DEPTH + 1) return s_fail(j, UR_FLINK_E_TRAILER, "class hierarchy deeper than %d", S_DEPTH);
        chain[k++] = c;
    }
    while (k--) {
        const struct s_desc *d = &j->desc[chain[k]];
        if (!(d->flags & SC_SERIALIZABLE) || (d->flags & SC_ENUM))
            return s_fail(j, UR_FLINK_E_TRAILER, "object of a class with flags 0x%02x", d->flags);
        for (int f = 0; f < d->nfields; f++) {
            int rc = s_value(j, j->ftype[d->first_field + f], depth);
            if (rc) return rc;
        }
        if (d->flags & SC_WRITE_METHOD) {
            int rc = s_annotation(j, depth);
            if (rc) return rc;
        }
    }
    return 0;
}

static int s_object(struct s_js *j, int depth)
{
    if (depth > S_DEPTH) return s_fail(j, UR_FLINK_E_TRAILER, "nested deeper than %d", S_DEPTH);
    size_t at = j->off;
    uint64_t tc, v;
    int rc = s_take(j, 1, "object", &tc), idx;
    if (rc) return rc;
    switch (tc) {
    case TC_NULL:
        return 0;
    case TC_REFERENCE:
        return s_reference(j, &idx);
    case TC_CLASSDESC:
        return s_new_class_desc(j, depth, &idx);
    case TC_STRING:
    case TC_LONGSTRING:
        j->off = at;
        return s_string(j);
    case TC_OBJECT:
        if ((rc = s_class_desc(j, depth + 1, &idx))) return rc;
        if (idx < 0) return s_fail(j, UR_FLINK_E_TRAILER, "object without a class");
        if ((rc = s_new_handle(j)) < 0) return rc;
        return s_class_data(j, idx, depth);
    case TC_ENUM:
        if ((rc = s_class_desc(j, depth + 1, &idx))) return rc;
        if (idx < 0 || !(j->desc[idx].flags & SC_ENUM))
            return s_fail(j, UR_FLINK_E_TRAILER, "enum of a non-enum");
        if ((rc = s_new_handle(j)) < 0) return rc;
        return s_string(j);
    case TC_ARRAY: {
        if ((rc = s_class_desc(j, depth + 1, &idx))) return rc;
        if (idx < 0 || !j->desc[idx].elem) return s_fail(j, UR_FLINK_E_TRAILER, "array of a non-array class");
        char elem = j->desc[idx].elem;
        if (!strchr("BCDFIJSZL", elem)) return s_fail(j, UR_FLINK_E_TRAILER, "array element type '%c'", elem);
        if ((rc = s_new_handle(j)) < 0) return rc;
        if ((rc = s_take(j, 4, "array length", &v))) return rc;
        if (v > INT32_MAX) return s_fail(j, UR_FLINK_E_TRAILER, "negative array length");
        for (uint64_t i = 0; i < v; i++)
            if ((rc = s_value(j, elem, depth))) return rc;
        return 0;
    }
    default:
        j->off = at;
        return s_fail(j, UR_FLINK_E_TRAILER, "unsupported type code 0x%02x", (unsigned)tc);
    }
}

int ur_flink_javaser_check(const uint8_t *p, size_t n, uint64_t base, enum ur_flink_snapshot *snapshot,
                           struct ur_flink_error *err)
{
    static struct s_js zero;
    struct s_js j = zero;
    j.p = p, j.n = n, j.base = base, j.err = err;
    uint64_t magic, version;
    int rc = s_take(&j, 2, "stream magic", &magic);
    if (!rc) rc = s_take(&j, 2, "stream version", &version);
    if (rc) return rc;
    if (magic != S_MAGIC || version != S_VERSION) {
        j.off = 0;
        return s_fail(&j, UR_FLINK_E_TRAILER, "not a Java serialization stream (%04llx %04llx)",
                      (unsigned long long)magic, (unsigned long long)version);
    }
    if ((rc = s_need(&j, 1, "object"))) return rc;
    if (j.p[j.off] != TC_OBJECT) return s_fail(&j, UR_FLINK_E_TRAILER, "the stream does not hold an object");
    if ((rc = s_object(&j, 0))) return rc;
    if (j.off != j.n) return s_fail(&j, UR_FLINK_E_TRAILING, "%zu bytes after the object", j.n - j.off);
    *snapshot = j.saw_checkpoint == j.saw_savepoint ? UR_FLINK_SNAPSHOT_UNKNOWN
                : j.saw_checkpoint                  ? UR_FLINK_CHECKPOINT
                                                    : UR_FLINK_SAVEPOINT;
    return 0;
}
