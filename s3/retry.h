/* s3/retry.h — how a failed request may be retried: the retry class of a transport error or of an S3 error
 * response, and what a retry of each class costs from a host's retry budget.
 *
 * Pure rules: no I/O, no engine types, no state. The engine decides when and where to retry (backoff,
 * pacing, budget bookkeeping); this file only says which kind of failure it was. */
#ifndef UR_S3_RETRY_H
#define UR_S3_RETRY_H

#include <stdbool.h>

/* How a failure may be retried. */
enum ur_retry {
    UR_RETRY_NO = 0,    /* final: 4xx, certificates, local errors */
    UR_RETRY_TRANSIENT, /* reset, truncated, 500/502/504, malformed response */
    UR_RETRY_FREE,      /* a reused keep-alive connection died before answering: not counted */
    UR_RETRY_THROTTLE,  /* 503 SlowDown and friends: slower backoff, and the prefix is paced down */
    UR_RETRY_TIMEOUT,   /* connect / first byte / stall */
    UR_RETRY_REDIRECT,  /* the bucket is in another region: sent again at once, signed for it; not counted */
};

/* Retry budget of one host (AWS SDK "standard" mode's quota): a retry costs tokens, a success refunds one;
 * at zero, failures are final — an outage does not become a retry storm. Throttles cost nothing: pacing
 * answers them. */
#define UR_RETRY_BUDGET 500
#define UR_RETRY_COST 5
#define UR_RETRY_COST_TIMEOUT 10

/* The class of a connection that failed with err (-errno) before its response was complete. reused: the
 * connection had completed a response before (a kept-alive one); got_bytes: a byte of the current
 * response had arrived. Certificates refused (-EKEYREJECTED) do not heal by retrying; a reused connection
 * that dies before the first response byte is the server's idle timeout racing our request (UR_RETRY_FREE).
 */
enum ur_retry ur_s3_retry_transport(int err, bool reused, bool got_bytes);

/* The class of an S3 error response: status is the HTTP status, code the <Code> of its XML error document
 * ("" or NULL when there was none). 503, 429 and SlowDown are throttles; other 5xx, 408 and 400
 * RequestTimeout are transient; everything else is final. */
enum ur_retry ur_s3_retry_response(int status, const char *code);

/* Tokens a retry of class r takes from the host's budget (UR_RETRY_NO, _FREE and _REDIRECT: 0). */
int ur_s3_retry_cost(enum ur_retry r);

#endif
