/* tests/unit/check.h — the few macros every unit test program uses. A test program exits 0 when all its
 * checks passed, 1 when one failed, 77 when it cannot run here (skip); it prints one line per failure. */
#ifndef UR_TEST_CHECK_H
#define UR_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                                        \
    do {                                                                                                   \
        if (!(cond)) {                                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                       \
            check_failures++;                                                                              \
        }                                                                                                  \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                 \
    do {                                                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                                                \
        if (a_ != b_) {                                                                                    \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, a_, #b, b_); \
            check_failures++;                                                                              \
        }                                                                                                  \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                                 \
    do {                                                                                                   \
        const char *a_ = (a), *b_ = (b);                                                                   \
        if (strcmp(a_, b_) != 0) {                                                                         \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_, b_);     \
            check_failures++;                                                                              \
        }                                                                                                  \
    } while (0)

#define CHECK_DONE() (check_failures ? 1 : 0)

#endif
