/* tests/flink/mkmeta.c — writes one Flink `_metadata` file for the end-to-end tests of `urestore checkpoint`
 * with the test writer (tests/flink/mdwriter.h): one operator, one subtask, a managed operator state and an
 * incremental keyed handle whose shared list holds the absolute files and whose private list the relative
 * ones, and tag 15 segments as channel state. Built by the tests with plain cc; never part of the library.
 *
 *   mkmeta OUT ID [-v VERSION] [-s] [-a URI SIZE]... [-r NAME SIZE]... [-g URI OFFSET SIZE]...
 *     -v  format version (default 6)   -s  a savepoint (default: a checkpoint)
 *     -a  an absolute file (tag 2)     -r  a relative file (tag 6)    -g  a segment of a merged file (tag 15)
 */
#include <stdlib.h>

#include "tests/flink/mdwriter.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr,
                "usage: mkmeta OUT ID [-v V] [-s] [-a URI SIZE]... [-r NAME SIZE]... [-g URI OFF SIZE]...\n");
        return 2;
    }
    int version = 6, savepoint = 0, nabs = 0, nrel = 0, nseg = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "-v") && i + 1 < argc)
            version = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s"))
            savepoint = 1;
        else if (!strcmp(argv[i], "-a") && i + 2 < argc)
            nabs++, i += 2;
        else if (!strcmp(argv[i], "-r") && i + 2 < argc)
            nrel++, i += 2;
        else if (!strcmp(argv[i], "-g") && i + 3 < argc)
            nseg++, i += 3;
        else {
            fprintf(stderr, "mkmeta: bad argument %s\n", argv[i]);
            return 2;
        }
    }
    struct mdw w;
    mdw_begin(&w, version, atoll(argv[2]));
    mdw_i32(&w, 0);
    mdw_i32(&w, 1);
    mdw_operator(&w, "op", "op", 1);
    if (version >= 3) mdw_s_null(&w);
    mdw_i32(&w, 1);
    mdw_subtask(&w, 0);
    mdw_i32(&w, 0); /* no managed operator state */
    mdw_i32(&w, 0); /* no raw operator state */
    int tag = version >= 3 ? 11 : 5;
    mdw_k_incr(&w, tag, atoll(argv[2]), 0, 128);
    mdw_s_inline(&w, 16);
    mdw_i32(&w, nabs);
    int k = 0;
    for (int i = 3; i < argc; i++)
        if (!strcmp(argv[i], "-a")) {
            char local[32];
            snprintf(local, sizeof local, "%06d.sst", k++);
            mdw_utf(&w, local);
            mdw_s_file(&w, argv[i + 1], atoll(argv[i + 2]));
        }
    mdw_i32(&w, nrel);
    for (int i = 3; i < argc; i++)
        if (!strcmp(argv[i], "-r")) {
            char local[32];
            snprintf(local, sizeof local, "MANIFEST-%06d", k++);
            mdw_utf(&w, local);
            mdw_s_rel(&w, argv[i + 1], atoll(argv[i + 2]));
        }
    mdw_k_incr_end(&w, tag);
    mdw_k_null(&w);
    if (version >= 3) {
        mdw_i32(&w, nseg); /* input channels, each a segment */
        for (int i = 3; i < argc; i++)
            if (!strcmp(argv[i], "-g")) {
                mdw_ch(&w, 0, 0);
                mdw_s_segment(&w, argv[i + 1], atoll(argv[i + 2]), atoll(argv[i + 3]), 0);
            }
        mdw_i32(&w, 0);
    }
    mdw_trailer(&w, savepoint);
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(w.p, 1, w.n, f) != w.n || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    mdw_free(&w);
    return 0;
}
