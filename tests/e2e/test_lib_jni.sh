#!/usr/bin/env bash
# The library from the JVM: tests/abi/UrestoreFs.java, a class shaped like Flink's
# PathsCopyingFileSystem.copyFiles(List<CopyRequest>, registry), calls liburestore.so.1 through the JNI glue
# tests/abi/urestore_jni.c. Asserts (each a PASS/FAIL line of the Java driver, then checked files here): a
# batch from radosgw copied whole and byte-identical; a batch of large files cancelled by closing the
# registry from another Java thread returns within 500 ms with every unfinished task cancelled, no temporary
# file and no partial file under a final name; the same client copies again afterwards; two clients in two
# threads copy at once. Needs a JDK (Debian default-jdk-headless): installed here when running as root.
. "$(dirname "$0")/lib.sh"
e2e_init lib-jni

find_jdk() {
    local javac
    javac=$(command -v javac) || return 1
    command -v java >/dev/null || return 1
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$javac")")")
    [ -f "$JAVA_HOME/include/jni.h" ]
}
if ! find_jdk; then
    [ "$(id -u)" = 0 ] || skip "no JDK with jni.h (apt-get install default-jdk-headless as root)"
    say "installing default-jdk-headless"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends default-jdk-headless >"$T/apt.log" 2>&1 ||
        { apt-get update >>"$T/apt.log" 2>&1 && apt-get install -y --no-install-recommends default-jdk-headless \
            >>"$T/apt.log" 2>&1; } || { tail -n 20 "$T/apt.log" >&2; fail "could not install default-jdk-headless"; }
    find_jdk || fail "default-jdk-headless is installed but javac/jni.h are not found"
fi
lib=$BUILD_DIR/liburestore.so.1
# A JVM cannot load an ASan-instrumented JNI library unless libasan is preloaded into java itself.
if grep -q libasan <<<"$(ldd "$lib")"; then skip "ASan build: the JVM cannot load an ASan JNI library"; fi
[ -f "$lib" ] || fail "$lib not built (make)"

# The glue links the library by its soname, as an installed one would be.
mkdir -p "$T/jni" "$T/classes"
cc -std=gnu11 -shared -fPIC -Wall -Wextra -Werror -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" \
    -I"$REPO/include" -o "$T/jni/liburestore_jni.so" "$REPO/tests/abi/urestore_jni.c" \
    -L"$BUILD_DIR" -l:liburestore.so.1 -Wl,-rpath,"$BUILD_DIR" || fail "the JNI glue does not build"
"$JAVA_HOME/bin/javac" -Xlint:all -Werror -d "$T/classes" "$REPO/tests/abi/UrestoreFs.java" ||
    fail "UrestoreFs.java does not compile"

n_small=20
mkdir -p "$T/src/small"
for i in $(seq 0 $((n_small - 1))); do head -c $((i * 37199 + 3)) /dev/urandom >"$T/src/small/f$i"; done
put_tree "$BUCKET" jni/small "$T/src/small"
big=$((128 * MiB + 777))
make_file "$T/src/big" "$big"
put_object_multipart "$BUCKET" jni/big "$T/src/big"

out=$T/out
UR_LAST_CMD="java UrestoreFs" UR_OUT=$T/.java.out UR_ERR=$T/.java.err UR_RC=0
env -i "${UR_IO_ENV[@]}" PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" AWS_REGION="$AWS_REGION" \
    timeout -k 5 180 "$JAVA_HOME/bin/java" -Xcheck:jni -Djava.library.path="$T/jni" -cp "$T/classes" UrestoreFs \
    "$UR_S3_HTTPS" "$UR_CA_FILE" "$BUCKET" "$out" "$n_small" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
cat "$UR_OUT" >&2
grep -q '^FAIL ' "$UR_OUT" && fail "the Java driver reports failures"
assert_rc 0 "the Java driver"
assert_stdout_line "ALL PASS"
grep -q 'WARNING' "$UR_ERR" && fail "-Xcheck:jni warns: $(grep -m1 WARNING "$UR_ERR")"

assert_same_tree "$T/src/small" "$out/b1"
assert_same_tree "$T/src/small" "$out/t0"
assert_same_tree "$T/src/small" "$out/t1"
assert_same "$T/src/small/f0" "$out/b3/f0"
assert_no_temp_files "$out"
for f in "$out"/b2/big*; do
    [ -e "$f" ] || continue
    assert_same "$T/src/big" "$f" # a file under a final name is complete
done

e2e_pass
