/* urestore.h — the public C ABI of liburestore: batch copies from S3 to local files.
 *
 * Shaped after Flink's PathsCopyingFileSystem.copyFiles(tasks, closeableRegistry): hand over a batch of
 * (source URI, destination path) tasks, get one result per task, optional progress, and a cancel call
 * that is safe from any thread. One client runs one io_uring loop on the calling thread of
 * urestore_copy(); several clients may run in separate threads of one process. A client keeps its loop,
 * buffers and idle keep-alive connections from one urestore_copy() to the next, so reuse one client for
 * many batches; a call from another thread than the last one's rebuilds them (closing the connections),
 * and still works.
 *
 * The library never prints, never installs signal handlers, never calls exit, and touches no global state
 * beyond OpenSSL's own initialisation. Only urestore_* symbols are exported. */
#ifndef URESTORE_H
#define URESTORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define URESTORE_API __attribute__((visibility("default")))

/* The version of this header. The library's own is urestore_version(); a program built against a newer
 * header than the library it runs with can tell which functions exist from the ABI version node
 * (LIBURESTORE_1: 0.1; LIBURESTORE_1.1: 0.2, urestore_copy_batch and the options after request_payer).
 * 0.3 adds no function: task and result flags, options at the end of struct urestore_options. */
#define URESTORE_VERSION_MAJOR 0
#define URESTORE_VERSION_MINOR 3
#define URESTORE_VERSION_PATCH 0
#define URESTORE_VERSION_STRING "0.3.0"

typedef struct urestore_client urestore_client;

/* Why a task (or a call) failed. Values are stable; new ones may be added at the end. */
typedef enum urestore_status {
    URESTORE_OK = 0,
    URESTORE_E_INVALID = 1,    /* bad argument: malformed URI, empty destination, bad option */
    URESTORE_E_NOT_FOUND = 2,  /* the object or bucket does not exist (S3 404) */
    URESTORE_E_ACCESS = 3,     /* S3 refused (403: AccessDenied, SignatureDoesNotMatch …) */
    URESTORE_E_S3 = 4,         /* another error answered by S3 (4xx/5xx after retries) */
    URESTORE_E_NETWORK = 5,    /* connect/reset/timeout/truncated after retries */
    URESTORE_E_TLS = 6,        /* TLS handshake or certificate verification failed */
    URESTORE_E_LOCAL = 7,      /* the local file system refused (permission, disk full, not a directory …) */
    URESTORE_E_CANCELLED = 8,  /* urestore_cancel() was called before the task completed */
    URESTORE_E_CHANGED = 9,    /* the object changed while it was being downloaded (ETag) */
    URESTORE_E_NOMEM = 10,
    URESTORE_E_CHECKSUM = 11,  /* the bytes received do not match the object's stored checksum (since 0.3) */
} urestore_status;

#define URESTORE_NO_RETRIES (-1)

/* Client options. Zero-initialise, set .struct_size = sizeof(struct urestore_options), then set what you
 * need: every zero field means its default. The size field lets the struct grow without breaking
 * programs built against an older header. */
/* Credentials a provider hands over (since 0.2; urestore_options.credentials_provider). */
struct urestore_credentials {
    char access_key_id[128];
    char secret_access_key[128];
    char session_token[4096]; /* "" when none */
    int64_t expiration;       /* seconds since the epoch, UTC; 0: they do not expire */
};
typedef int (*urestore_credentials_fn)(void *user, struct urestore_credentials *out, char *msg, size_t msglen);

struct urestore_options {
    size_t struct_size;

    /* "http[s]://host[:port]" of an S3-compatible server, addressed path-style.
     * NULL: AWS S3, virtual-host style, https. */
    const char *endpoint_url;
    /* Region for signing and for the AWS host name. NULL: "us-east-1" (with default_credentials from
     * EC2 instance metadata: the instance's region). A bucket that answers from another region (301
     * PermanentRedirect, 400 AuthorizationHeaderMalformed, x-amz-bucket-region) is asked again signed
     * for its region, which the client remembers for its life. Connections go through the proxy of
     * HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host (CONNECT tunnels; read when a host is
     * first resolved in a call). */
    const char *region;

    /* Credentials (copied). Required unless anonymous. */
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;       /* NULL: none */
    int anonymous;                   /* nonzero: send unsigned requests (public buckets) */

    /* TLS: certificates and host names are verified against the system trust store by default. */
    const char *ca_bundle;           /* PEM file to trust instead; NULL: system store */
    int no_verify_tls;               /* nonzero: do not verify (testing only) */

    /* Concurrent connections. 0: 16 — at ~50 MB/s per S3 connection, enough to saturate several Gbit/s,
     * and few enough that one vCPU is not spent on handshakes. */
    unsigned max_connections;
    /* Size of the ranged GETs a large object is split into. 0: chosen from the batch (8–64 MiB). */
    uint64_t part_size_bytes;
    /* Bound on the buffer memory the client allocates at start. 0: 32 MiB. */
    uint64_t memory_budget_bytes;
    /* Retries of a failed request. 0: 10 (s5cmd's default); URESTORE_NO_RETRIES: none. */
    int retry_count;

    /* Timeouts, in milliseconds; 0: the default. A connection that exceeds one is closed and its part
     * retried on a fresh connection, resuming from the first byte not yet received. */
    unsigned connect_timeout_ms;     /* TCP connect + TLS handshake. 0: 10 s */
    unsigned first_byte_timeout_ms;  /* request sent → first response byte. 0: 30 s (S3 can be slow) */
    unsigned stall_timeout_ms;       /* no body byte for this long mid-response. 0: 20 s */

    /* Nonzero: fetch each object in one response and check its MD5 against a single-part ETag (32 hex
     * digits; multipart "-N" ETags are not MD5s and are not checked). Costs parallelism on large
     * objects and ~1.6 CPU-s per GiB: off by default. */
    int verify_md5;
    /* "requester": send x-amz-request-payer so requester-pays buckets answer. NULL: not sent. */
    const char *request_payer;

    /* ---- since 0.2 (LIBURESTORE_1.1); a shorter struct_size leaves them at their defaults ---- */

    /* HTTP/1.1 pipelining: small GETs (parts of at most 1 MiB, first parts of objects of unknown size) in
     * flight at once on a keep-alive connection that has answered once, sent together and answered back
     * to back. 1: off (for a server that mishandles pipelining); at most 8. 0: 4 — 10,000 × 4 KiB cost
     * 8–13 % less client CPU than with 1. */
    unsigned pipeline_depth;
    /* SO_RCVBUF every socket asks for, in bytes. 0: 4 MiB where net.core.rmem_max allows it (a full
     * window from the first byte), else the kernel's autotuning — a fixed buffer capped below 4 MiB cost
     * more CPU than autotuning. URESTORE_RCVBUF_AUTOTUNE: always leave it to the kernel. */
    int64_t receive_buffer_bytes;
    /* Nonzero: decrypt TLS records with OpenSSL even where the CPU has VAES, VPCLMULQDQ and AVX-512
     * (where it does, urestore's own AES-128-GCM costs about 0.1 CPU-s/GiB against OpenSSL's 0.27). For
     * comparisons and diagnosis. */
    int no_vaes;
    /* How I/O is done: URESTORE_IO_AUTO (0): io_uring, or, where it cannot be set up (a container's
     * seccomp profile, kernel.io_uring_disabled, an old kernel), the portable backend (epoll sockets, file
     * operations performed in the loop thread; it costs more CPU and, as its O_DIRECT writes block the
     * loop, more wall time: perf/README.md); URESTORE_IO_URING / URESTORE_IO_EPOLL: that one only (a
     * forced io_uring that cannot be set up fails every task with the cause). Which one a client runs,
     * and why: urestore_client_io(). */
    int io_backend;
    /* Nonzero, when no access key is given and anonymous is 0: find credentials as the AWS SDKs do — the
     * environment (AWS_ACCESS_KEY_ID …), the shared files' profile (static keys, credential_process,
     * role_arn with source_profile or credential_source → STS AssumeRole, web_identity_token_file), web
     * identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN → STS AssumeRoleWithWebIdentity), the container
     * endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI) and EC2 instance metadata (IMDSv2) —
     * in that order (README "Credentials"). The files and the environment are read by
     * urestore_client_new; network sources are asked on the thread of the first call that needs them,
     * before its first request, again before a call whose credentials are about to expire (5 min
     * ahead), and during a call 5 min before expiry, on a thread of the library's own (transfers do not
     * wait); a request answered ExpiredToken is retried once after a refresh. A failure fails that
     * call's tasks with a message naming the source and why. 0: the keys above, or nothing. */
    int default_credentials;
    /* With default_credentials: the profile to use (NULL: $AWS_PROFILE, else "default"); naming one skips
     * the environment's keys, as --profile does in the AWS CLI. */
    const char *profile;
    /* A credentials provider of the caller's (e.g. a JVM handing over rotated Flink delegation tokens to a
     * client it keeps across restores); wins over default_credentials when no keys are given. Called with
     * credentials_user on the thread that runs the client's call (urestore_copy, urestore_list …), before
     * that call's first request, when the client has no credentials yet or the last ones expire within
     * 5 minutes — never from another thread, never during a call's transfers, never concurrently. It
     * fills *out and returns 0, or returns nonzero with a reason in msg (msglen bytes), which fails the
     * call's tasks. The client copies *out; the provider may wipe its own copy. NULL: none. */
    urestore_credentials_fn credentials_provider;
    void *credentials_user;

    /* ---- since 0.3; a shorter struct_size leaves them at their defaults ---- */

    /* Nonzero: do not check downloads against the object's stored checksum. By default every GET asks for
     * it (x-amz-checksum-mode: ENABLED) and a CRC32, CRC32C or CRC64NVME of the whole object (S3's
     * FULL_OBJECT type; for an object fetched in several ranged parts, asked for with one HEAD, as ranged
     * GETs carry none, and computed by combining the parts' CRCs), or a SHA-1/SHA-256 of an object
     * received in one response, is compared with the bytes received: a mismatch is fetched once more, then
     * fails the task with URESTORE_E_CHECKSUM and no file. The result says which tasks were checked
     * (URESTORE_RESULT_VERIFIED). Composite checksums (multipart uploads with a per-part checksum, "…-N")
     * cannot be checked without the upload's part boundaries: such tasks succeed unverified. The cost is
     * measured in perf/README.md (about 0.1 CPU-s per GiB where the CPU has PCLMULQDQ). */
    int no_verify_checksum;
};

#define URESTORE_IO_AUTO 0
#define URESTORE_IO_URING 1
#define URESTORE_IO_EPOLL 2

#define URESTORE_RCVBUF_AUTOTUNE (-1)

/* One copy. source: "s3://BUCKET/KEY" (s3a:// and s3p:// too). destination: a local file path; parent
 * directories are created. The file appears under that name only when complete. */
struct urestore_task {
    const char *source;
    const char *destination;
    int64_t size_hint;          /* object size when known, else -1: lets the planner split it at once */
    uint64_t part_size_bytes;   /* 0: the client's */
    uint32_t flags;             /* URESTORE_TASK_* */
    uint32_t reserved;          /* must be 0 */
};

#define URESTORE_TASK_NO_CLOBBER 1u /* an existing destination is kept and the task succeeds */
/* Since 0.3. Resumable (a library before 0.3 ignores the flag and downloads whole): the file
 * is written as ".NAME.urestore-partial" beside the destination instead of an unnamed file. If the task
 * fails or is cancelled, the parts durably written stay there with a sidecar ".NAME.urestore-partial.ranges"
 * (object size, ETag, the byte ranges complete; engine/partial.h); a later task with this flag for the
 * same source and destination fetches only the missing ranges, with If-Match. If the object changed
 * (412), the sidecar cannot be trusted or the partial file does not match it, the task starts over and
 * says so (URESTORE_RESULT_RESTARTED). On success the partial is renamed to the destination and the
 * sidecar removed. Without the flag nothing partial is ever named, and partials left by an earlier
 * resumable task are left alone. */
#define URESTORE_TASK_RESUME 2u

/* Since 0.3. Where the destination exists, keep it (the task succeeds, URESTORE_RESULT_SKIPPED) unless the
 * object is newer: its LastModified later than the file's modification time. Asked with If-Modified-Since
 * (the file's mtime, whole seconds) on the first GET, so a 304 costs no body and no extra request. */
#define URESTORE_TASK_IF_SOURCE_NEWER 4u
/* Since 0.3. Where the destination exists, keep it unless the object's size differs from the file's. The
 * size is read from the first GET's headers, before any byte is written: an equal size drops that
 * response (its connection is closed), which costs less than a HEAD before every copy. With
 * URESTORE_TASK_IF_SOURCE_NEWER too, the file is kept when either condition says so. */
#define URESTORE_TASK_IF_SIZE_DIFFERS 8u
/* Since 0.3. Leave the new file's modification time at the time of writing. Without this flag the file
 * gets the object's LastModified (from the response's Last-Modified header, set before the file appears
 * under its name), so that URESTORE_TASK_IF_SOURCE_NEWER and later runs can tell it is up to date. */
#define URESTORE_TASK_NO_MTIME 16u

/* URESTORE_TASK_NO_CLOBBER, _IF_SOURCE_NEWER or _IF_SIZE_DIFFERS kept an existing destination: nothing
 * copied. */
#define URESTORE_RESULT_SKIPPED 1u
#define URESTORE_RESULT_RESUMED 2u /* URESTORE_TASK_RESUME: bytes of an earlier partial were kept, the rest fetched */
#define URESTORE_RESULT_RESTARTED 4u /* URESTORE_TASK_RESUME: a partial was found but not usable (object changed,
                                      * sidecar or file not matching): downloaded from the start */
/* Since 0.3. The bytes written matched the object's stored checksum (x-amz-checksum-*;
 * options.no_verify_checksum). Unset on success: the object has no checksum S3 would tell, a composite one,
 * a SHA one on an object fetched in parts, a resumed task that kept bytes of an earlier partial (their
 * CRCs are not known), or checking was off. */
#define URESTORE_RESULT_VERIFIED 8u

struct urestore_result {
    urestore_status status;
    uint32_t flags;             /* URESTORE_RESULT_* */
    int http_status;            /* the last HTTP status for the task, 0 if none */
    uint64_t bytes;             /* bytes in the destination (with URESTORE_RESULT_RESUMED, some from the partial) */
    char message[512];          /* "" on success; else a message a human can act on */
};

/* Optional callbacks, called on the thread running urestore_copy(), never while the loop is inside a
 * system call. They must not call urestore_copy() on the same client. A field that does not fit in
 * struct_size is never read (a caller built against an older header passes a shorter struct). */
struct urestore_callbacks {
    size_t struct_size;
    void *user;
    /* A task finished (result is also stored in results[index]). */
    void (*on_task_done)(void *user, size_t index, const struct urestore_result *result);
    /* Bytes written so far across the batch; called at most every ~100 ms and once at the end.
     * bytes_total_known: the sizes learned from responses (Content-Length, Content-Range) plus the size_hint
     * of each task not answered yet; a task that ends without its size being learned leaves it. */
    void (*on_progress)(void *user, uint64_t bytes_done, uint64_t bytes_total_known, size_t tasks_done);
};

/* Creates a client. Resolves nothing yet. On failure returns a status and writes a message to err
 * (may be NULL) — never a secret. */
URESTORE_API urestore_status urestore_client_new(const struct urestore_options *opts, urestore_client **out,
                                                  char *err, size_t errlen);

/* Copies n tasks; returns when every task has a result in results[0..n). Returns URESTORE_OK when every
 * task succeeded, URESTORE_E_CANCELLED when cancelled, else the status of the first failed task. */
URESTORE_API urestore_status urestore_copy(urestore_client *c, const struct urestore_task *tasks, size_t n,
                                           struct urestore_result *results, const struct urestore_callbacks *cb);

/* A batch for urestore_copy_batch(): the arrays' element sizes travel with them, so struct urestore_task
 * and struct urestore_result can grow. Set struct_size = sizeof(struct urestore_batch),
 * task_size = sizeof(struct urestore_task), result_size = sizeof(struct urestore_result). */
struct urestore_batch {
    size_t struct_size;
    const struct urestore_task *tasks;
    size_t task_size;                      /* bytes from one task to the next */
    size_t n;
    struct urestore_result *results;       /* n results, result_size bytes apart */
    size_t result_size;
    const struct urestore_callbacks *callbacks; /* NULL: none */
};

/* urestore_copy() with element sizes (since 0.2). A task larger than this library's struct urestore_task
 * is accepted only if the bytes this library does not know are zero (a field it would ignore otherwise
 * gets URESTORE_E_INVALID for that task); a smaller one than version 0.1's is refused as a whole, as are a
 * result_size below 0.1's and a struct_size that ends before callbacks. Result bytes beyond this library's
 * struct are set to zero. Returns as urestore_copy(). */
URESTORE_API urestore_status urestore_copy_batch(urestore_client *c, const struct urestore_batch *batch);

/* ---- beyond copies (since 0.2): listing, small reads, deletes — the same connections, signing and
 * retries as urestore_copy(). Like it, each runs the client's loop on the calling thread and may not run
 * while another call runs on the same client. ---- */

/* One object of a listing; the strings are valid only during the callback. */
struct urestore_object {
    const char *key;
    uint64_t size;
    int64_t last_modified; /* seconds since 1970-01-01 UTC (S3's LastModified); -1 when absent */
    const char *etag;      /* as S3 sends it, quotes included; "" when absent */
};

/* Return 0 to go on, nonzero to stop the listing (urestore_list then returns URESTORE_OK). */
typedef int (*urestore_list_fn)(void *user, const struct urestore_object *object);

/* Lists the objects whose keys start with PREFIX, in S3's order (UTF-8 binary order of keys), page after
 * page (ListObjectsV2). uri: "s3://BUCKET/PREFIX" (also s3a://, s3p://; PREFIX may be empty).
 * start_after: only keys after this one (NULL or "": from the first), so that a key range can be split
 * into parts listed in parallel by several clients. On failure returns a status and writes S3's code and
 * text, or the network cause, to err (may be NULL). */
URESTORE_API urestore_status urestore_list(urestore_client *c, const char *uri, const char *start_after,
                                           urestore_list_fn fn, void *user, char *err, size_t errlen);

/* Reads a whole object into memory: *data gets max_bytes at most (malloc'ed, with a NUL after the *len
 * bytes; the caller frees it with free()). An object larger than max_bytes fails with URESTORE_E_INVALID
 * and nothing is returned. result (may be NULL) gets the status, HTTP status and message as for a copy. */
URESTORE_API urestore_status urestore_get(urestore_client *c, const char *uri, size_t max_bytes, void **data,
                                          size_t *len, struct urestore_result *result);

/* Deletes n keys of one bucket (DeleteObjects with Content-MD5, 250 keys per request; a request answered
 * 503 SlowDown or another transient failure is retried like a copy's, with backoff and the prefix's
 * pacing). bucket_uri: "s3://BUCKET". results[i] gets key i's outcome: URESTORE_OK (deleted, or absent
 * already: S3 does not tell them apart), or the per-key error S3 reported inside a 200 answer ("CODE:
 * message", e.g. "SlowDown: …"), which is not retried here: the caller decides (urestore checkpoint gc
 * retries per-key SlowDown and InternalError a few times). Returns URESTORE_OK when every key was deleted,
 * else the status of the first failure. */
URESTORE_API urestore_status urestore_delete(urestore_client *c, const char *bucket_uri, const char *const *keys,
                                             size_t n, struct urestore_result *results);

/* How the client does its I/O (options.io_backend), known once its first call has set it up: "io_uring";
 * "epoll"; "epoll (WHY)" when the automatic choice could not take io_uring, e.g. "epoll (io_uring refused
 * by seccomp (EPERM))"; "none: WHY" when neither could be set up (the tasks then fail with WHY); "" before
 * the first call. Valid until the next call on c. */
URESTORE_API const char *urestore_client_io(urestore_client *c);

/* Makes a running (or the next) urestore_copy() on c return promptly: unfinished tasks are marked
 * URESTORE_E_CANCELLED and their temporary files removed. Safe from any thread and from signal
 * handlers (it only writes to an eventfd). */
URESTORE_API void urestore_cancel(urestore_client *c);

/* Closes the client's connections and frees it. Not while urestore_copy() runs on it. */
URESTORE_API void urestore_client_destroy(urestore_client *c);

/* A static English name for a status ("not found", "cancelled" …). */
URESTORE_API const char *urestore_status_str(urestore_status s);

/* "urestore X.Y.Z", the library's version (URESTORE_VERSION_STRING of the header it was built with). */
URESTORE_API const char *urestore_version(void);

#ifdef __cplusplus
}
#endif
#endif
