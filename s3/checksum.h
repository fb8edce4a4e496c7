/* s3/checksum.h — the object checksums S3 hands out with x-amz-checksum-mode: ENABLED: which algorithm,
 * its value, and whether it can be checked against the object's bytes at all.
 *
 * S3 stores one checksum per object (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 or -sha256, base64
 * of the big-endian value) and says how it was made (x-amz-checksum-type): FULL_OBJECT, the checksum of
 * the bytes; or COMPOSITE (multipart uploads; the value then ends in "-N", N parts), a checksum of the
 * parts' checksums, which cannot be checked without the upload's part boundaries. A ranged GET carries no
 * checksum (it would not be the range's), except one that is exactly a part of a multipart upload.
 *
 * Pure: parsed headers in, a verdict out; no I/O, no allocation. */
#ifndef UR_S3_CHECKSUM_H
#define UR_S3_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/response.h"

struct ur_s3_cksum {
    uint8_t alg;              /* enum ur_http_cksum; UR_HTTP_CKSUM_NONE: none sent */
    bool composite;           /* a checksum of part checksums: not the bytes' own ("-N", type COMPOSITE, or
                                 no type and a multipart ETag) */
    unsigned parts;           /* N of a composite "…-N"; 0 when not given */
    unsigned len;             /* bytes in value: 4 (CRC32, CRC32C), 8 (CRC64NVME), 20 (SHA-1), 32 (SHA-256) */
    unsigned char value[32];  /* big-endian, as S3 encodes it */
};

/* Reads r's checksum headers into *out. 0 (out->alg NONE when the response had none), or -EINVAL when the
 * value is not base64 of the algorithm's size (out->alg is then NONE too: nothing to check against). */
int ur_s3_cksum_from_resp(const struct ur_http_resp *r, struct ur_s3_cksum *out);

/* "CRC32", "CRC32C", "CRC64NVME", "SHA-1", "SHA-256"; "" for NONE. */
const char *ur_s3_cksum_name(unsigned alg);

/* "x-amz-checksum-crc32" …, the header S3 sends the algorithm's value in; "" for NONE. */
const char *ur_s3_cksum_header(unsigned alg);

/* Writes the base64 of v[0..len) to out (cap >= 4·⌈len/3⌉ + 1 for all of it; always NUL-terminated). */
void ur_s3_cksum_b64(const unsigned char *v, unsigned len, char *out, size_t cap);

/* A CRC value as its len big-endian bytes (len 4 or 8), the form S3 encodes. */
void ur_s3_cksum_put_be(uint64_t crc, unsigned len, unsigned char *out);

#endif
