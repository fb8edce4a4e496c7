/* s3/crc.h — the three CRCs S3 stores as object checksums (CRC32, CRC32C, CRC64NVME), each with a
 * combine: crc(A‖B) from crc(A), crc(B) and len(B), so that the parts of an object received out of order,
 * on several connections, make the whole object's CRC without a second pass over its bytes.
 *
 * Parameters (the CRC catalogue's; all reflected, init and xorout all ones; check = crc("123456789")):
 *   CRC32      poly 0x04C11DB7            check 0xCBF43926          (zlib's crc32, S3's CRC32)
 *   CRC32C     poly 0x1EDC6F41            check 0xE3069283          (Castagnoli, iSCSI)
 *   CRC64NVME  poly 0xAD93D23594C93659    check 0xAE8B14860A799888  (NVMe's CRC-64, S3's default)
 *
 * Pure and thread-safe: tables and constants are computed, and the CPU's features looked at, once before
 * main (a constructor). Where the CPU has them: the SSE4.2 crc32 instruction for CRC32C, carry-less
 * multiplication (PCLMULQDQ) folding for CRC32 and CRC64NVME; elsewhere zlib's crc32 and tables. Every update starts from 0 for an empty
 * message: ur_crc_update(alg, 0, p, n) is the CRC of p[0..n). */
#ifndef UR_S3_CRC_H
#define UR_S3_CRC_H

#include <stddef.h>
#include <stdint.h>

enum ur_crc_alg { UR_CRC32 = 0, UR_CRC32C, UR_CRC64NVME };

/* The CRC of crc's message followed by p[0..n); crc 0 is the empty message's. */
uint64_t ur_crc_update(enum ur_crc_alg alg, uint64_t crc, const void *p, size_t n);

/* The CRC of A‖B from a = crc(A), b = crc(B) and len_b = len(B). O(log len_b) small multiplications. */
uint64_t ur_crc_combine(enum ur_crc_alg alg, uint64_t a, uint64_t b, uint64_t len_b);

/* The width of alg's CRC in bytes (4 or 8): how many bytes its base64 header value decodes to. */
unsigned ur_crc_bytes(enum ur_crc_alg alg);

/* "CRC32", "CRC32C", "CRC64NVME". */
const char *ur_crc_name(enum ur_crc_alg alg);

/* Which implementations run here, in words (for perf notes and tests). */
const char *ur_crc_impl(void);

/* Forces the portable implementations (tests compare them with the fast ones). */
void ur_crc_force_portable(int on);

#endif
