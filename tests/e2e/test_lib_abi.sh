#!/usr/bin/env bash
# The ABI check (no server needed): liburestore.so.1 exports exactly the functions urestore.h declares with
# URESTORE_API, each with the LIBURESTORE_1 version node, its soname is liburestore.so.1, it has no
# undefined symbol of its own (-z defs); the one public header includes only standard headers and compiles
# alone as C11 and as C++; and the checker itself notices an extra and a missing function.
. "$(dirname "$0")/lib.sh"
TEST_NAME="lib-abi"

lib=$BUILD_DIR/liburestore.so.1
header=$REPO/include/urestore.h
check=$REPO/tests/abi/check_abi.sh
[ -f "$lib" ] || fail "$lib not built (make)"
T=$(mktemp -d "${TMPDIR:-/tmp}/urestore-abi.XXXXXX")
trap 'rm -rf "$T"' EXIT

bash "$check" "$lib" "$header" || fail "the exported symbols differ from urestore.h (above)"

# The checker is not vacuous: a header declaring one more function, and one declaring one fewer, fail.
sed 's/^URESTORE_API const char \*urestore_version(void);/&\nURESTORE_API int urestore_not_there(void);/' \
    "$header" >"$T/more.h"
grep -q urestore_not_there "$T/more.h" || fail "could not doctor the header (urestore_version's line changed?)"
if bash "$check" "$lib" "$T/more.h" 2>"$T/more.err"; then fail "check_abi.sh missed a declared, unexported function"; fi
grep -q urestore_not_there "$T/more.err" || fail "check_abi.sh did not name the missing function"
grep -v '^URESTORE_API const char \*urestore_version(void);' "$header" >"$T/fewer.h"
if bash "$check" "$lib" "$T/fewer.h" 2>"$T/fewer.err"; then fail "check_abi.sh missed an undeclared export"; fi
grep -q urestore_version "$T/fewer.err" || fail "check_abi.sh did not name the undeclared export"

# -z defs: everything resolves against the libraries it names.
undefined=$(ldd -r "$lib" 2>&1 | grep -i 'undefined symbol' || true)
[ -z "$undefined" ] || fail "liburestore.so.1 has undefined symbols: $undefined"

# One self-contained public header.
others=$(grep '^#include' "$header" | grep -Ev '^#include <(stddef|stdint)\.h>$' || true)
[ -z "$others" ] || fail "urestore.h includes more than standard headers: $others"
printf '#include "urestore.h"\nint main(void) { return urestore_version() == 0; }\n' >"$T/h.c"
cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$REPO/include" -c -o "$T/h.o" "$T/h.c" ||
    fail "urestore.h does not compile alone as C11"
if command -v c++ >/dev/null; then
    cp "$T/h.c" "$T/h.cc"
    c++ -Wall -Wextra -Werror -I"$REPO/include" -c -o "$T/hpp.o" "$T/h.cc" || fail "urestore.h does not compile as C++"
fi
exit 0
