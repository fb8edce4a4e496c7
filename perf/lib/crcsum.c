/* perf/lib/crcsum.c — the stored checksum nginx hands out for each object of the perf data, as S3 does with
 * x-amz-checksum-mode: ENABLED (perf/lib/servers.sh), so that urestore's checking costs in the suite what
 * it costs against S3.
 *
 *   crcsum WWW > checksums.map
 *
 * Prints one nginx map line per file below WWW: "/BUCKET/KEY" "BASE64";  — the CRC64NVME (S3's default
 * full-object checksum) of the file, with urestore's own s3/crc.c (its unit test checks it against the
 * catalogue's check value and a bit-at-a-time reference). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s3/checksum.h"
#include "s3/crc.h"

static size_t s_root_len;
static char s_buf[1 << 20];

static int s_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (type != FTW_F) return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return perror(path), 1;
    uint64_t crc = 0;
    ssize_t n;
    while ((n = read(fd, s_buf, sizeof s_buf)) > 0) crc = ur_crc_update(UR_CRC64NVME, crc, s_buf, (size_t)n);
    close(fd);
    if (n < 0) return perror(path), 1;
    unsigned char be[8];
    char b64[16];
    ur_s3_cksum_put_be(crc, 8, be);
    ur_s3_cksum_b64(be, 8, b64, sizeof b64);
    printf("\"%s\" \"%s\";\n", path + s_root_len, b64);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) return fprintf(stderr, "usage: crcsum WWW > checksums.map\n"), 2;
    s_root_len = strlen(argv[1]);
    while (s_root_len > 1 && argv[1][s_root_len - 1] == '/') s_root_len--;
    return nftw(argv[1], s_one, 64, FTW_PHYS) != 0;
}
