/* tests/unit/test_flink_truncation.c — fail closed on the real samples: every proper prefix of every
 * sample in ../shared/flink-metadata-samples must be refused (-EBADMSG, an offset within the prefix, a
 * message, no reference handed out), never read as a checkpoint with fewer files; and every sample with
 * one byte appended must be refused as trailing bytes. Skips (77) when the samples are absent. */
#include <errno.h>

#include "flink/metadata.h"
#include "tests/flink/samples.h"
#include "tests/unit/check.h"

int main(void)
{
    const char *dir = samples_dir_or_skip("test_flink_truncation");
    if (!dir) return 77;
    int n;
    size_t cuts = 0;
    char **names = samples_list(dir, &n);
    for (int i = 0; i < n; i++) {
        size_t len;
        unsigned char *buf = read_sample(dir, names[i], &len);
        CHECK(buf != NULL);
        if (!buf) continue;
        CHECK_EQ_INT(truncations_fail_closed(buf, len, names[i]), 0);
        cuts += len;
        unsigned char *more = malloc(len + 1);
        memcpy(more, buf, len);
        more[len] = 0x78;
        struct ur_flink_error err;
        CHECK_EQ_INT(ur_flink_metadata_parse(more, len + 1, NULL, NULL, NULL, &err), -EBADMSG);
        CHECK_EQ_INT(err.why, UR_FLINK_E_TRAILING);
        CHECK_EQ_INT(err.offset, len);
        free(more);
        free(buf);
        free(names[i]);
    }
    free(names);
    printf("truncation: %zu prefixes of %d samples refused\n", cuts, n);
    return CHECK_DONE();
}
