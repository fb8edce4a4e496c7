#!/usr/bin/env bash
# The library as a third party gets it: `make install DESTDIR=… PREFIX=/usr` lays out the binary,
# liburestore.so.1 (+ the .so symlink), liburestore.a, urestore.h, urestore.pc and urestore(1);
# tests/abi/copy_batch.c compiles with nothing but `pkg-config --cflags --libs urestore` (shared) and
# `pkg-config --static --libs urestore` (the .a plus Libs.private), needs liburestore.so.1 at run time, and
# copies a batch from radosgw: one line per task, the callbacks called, files byte-identical, a missing key
# reported as "not found" with exit 1. `make uninstall` then removes every installed file.
. "$(dirname "$0")/lib.sh"
e2e_init lib-pkgconfig

command -v pkg-config >/dev/null || skip "pkg-config is not installed (apt-get install pkg-config)"
root=$T/root
make -s -C "$REPO" BUILD="$BUILD_DIR" install DESTDIR="$root" PREFIX=/usr >"$T/install.log" 2>&1 ||
    { cat "$T/install.log" >&2; fail "make install failed"; }
for f in bin/urestore lib/liburestore.so.1 lib/liburestore.a include/urestore.h lib/pkgconfig/urestore.pc \
    share/man/man1/urestore.1; do
    [ -f "$root/usr/$f" ] || fail "make install did not install /usr/$f"
done
[ "$(readlink "$root/usr/lib/liburestore.so")" = liburestore.so.1 ] || fail "liburestore.so is not a link to liburestore.so.1"
[ -x "$root/usr/bin/urestore" ] || fail "the installed binary is not executable"
[ "$(find "$root/usr/include" -type f | wc -l)" = 1 ] || fail "more than one header installed"
if command -v groff >/dev/null; then
    groff -man -ww -z "$root/usr/share/man/man1/urestore.1" 2>"$T/groff.err" || fail "groff refuses the man page"
    [ ! -s "$T/groff.err" ] || fail "the man page has troff warnings: $(head -c 300 "$T/groff.err")"
fi

export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$root/usr/lib/pkgconfig PKG_CONFIG_PATH=
# pc ARGS...: pkg-config's answer without its trailing blank.
pc() {
    local o
    o=$(pkg-config "$@") || return 1
    printf '%s' "${o%"${o##*[! ]}"}"
}
cflags=$(pc --cflags urestore) || fail "pkg-config does not find urestore"
libs=$(pc --libs urestore)
static_libs=$(pc --static --libs urestore)
[ "$cflags" = "-I$root/usr/include" ] || fail "pkg-config --cflags: $cflags"
[ "$libs" = "-L$root/usr/lib -lurestore" ] || fail "pkg-config --libs: $libs"
[ "$(pkg-config --modversion urestore)" = "$("$root/usr/bin/urestore" --version | awk '{print $2}')" ] ||
    fail "urestore.pc's version differs from urestore --version"

# shellcheck disable=SC2086 # pkg-config output is a list of words
cc -std=c11 -Wall -Wextra -Werror -o "$T/copy_batch" "$REPO/tests/abi/copy_batch.c" $cflags $libs \
    -Wl,-rpath,"$root/usr/lib" || fail "copy_batch.c does not build with pkg-config's flags"
grep -q 'NEEDED.*\[liburestore\.so\.1\]' <<<"$(readelf -d "$T/copy_batch")" || fail "copy_batch does not need liburestore.so.1"
# (grep reads a here-string, not a pipe: with pipefail, grep -q quitting early would SIGPIPE ldd)
grep -qF "liburestore.so.1 => $root/usr/lib/liburestore.so.1" <<<"$(ldd "$T/copy_batch")" ||
    fail "copy_batch does not load the installed liburestore.so.1: $(ldd "$T/copy_batch" | grep urestore)"
# Static: the archive plus Libs.private must be enough.
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -o "$T/copy_batch_static" "$REPO/tests/abi/copy_batch.c" $cflags \
    ${static_libs/-lurestore/-l:liburestore.a} || fail "copy_batch.c does not link statically with Libs.private"
if grep -q liburestore <<<"$(ldd "$T/copy_batch_static")"; then fail "the static build still needs liburestore.so"; fi

# A batch: sizes around the part and buffer boundaries, one multipart object, one missing key.
sizes=(0 1 4096 1048577 $((9 * MiB + 5)) 300000)
args=()
for i in "${!sizes[@]}"; do
    make_file "$T/src/f$i" "${sizes[$i]}"
    if [ "${sizes[$i]}" -gt $((8 * MiB)) ]; then
        put_object_multipart "$BUCKET" "lib/f$i" "$T/src/f$i"
    else
        put_object "$BUCKET" "lib/f$i" "$T/src/f$i"
    fi
    args+=("s3://$BUCKET/lib/f$i" "$T/out/sub/f$i")
done

run_copy_batch() {
    UR_LAST_CMD="copy_batch $*"
    UR_OUT=$T/.copy_batch.out UR_ERR=$T/.copy_batch.err UR_RC=0
    env -i "${UR_IO_ENV[@]}" PATH=/usr/bin:/bin AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION="$AWS_REGION" S3_ENDPOINT_URL="$UR_S3_HTTPS" AWS_CA_BUNDLE="$UR_CA_FILE" \
        timeout -k 5 120 "$@" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
}

total=0
for s in "${sizes[@]}"; do total=$((total + s)); done
for bin in copy_batch copy_batch_static; do
    rm -rf "$T/out"
    run_copy_batch "$T/$bin" "${args[@]}"
    assert_rc 0 "$bin: every task succeeds"
    assert_stdout_line "$("$root/usr/bin/urestore" --version)"
    for i in "${!sizes[@]}"; do
        assert_stdout_line "OK $i ${sizes[$i]}"
        assert_same "$T/src/f$i" "$T/out/sub/f$i"
    done
    read -r _ done_calls progress_calls last_bytes last_total < <(grep '^callbacks ' "$UR_OUT")
    [ "$done_calls" = "${#sizes[@]}" ] || fail "$bin: on_task_done ran $done_calls times for ${#sizes[@]} tasks"
    [ "$progress_calls" -ge 1 ] || fail "$bin: on_progress never ran"
    [ "$last_bytes" = "$total" ] || fail "$bin: the last progress said $last_bytes bytes, expected $total"
    [ "$last_total" = "$total" ] || fail "$bin: the last progress knew of $last_total bytes in all, expected $total"
    assert_stdout_line "copy ok"
done

run_copy_batch "$T/copy_batch" "s3://$BUCKET/lib/f1" "$T/out2/f1" "s3://$BUCKET/lib/nope" "$T/out2/nope"
assert_rc 1 "a missing key"
assert_stdout_line "OK 0 1"
grep -q '^FAIL 1 not found: .*NoSuchKey' "$UR_OUT" || fail "the missing key is not reported as not found/NoSuchKey"
assert_stdout_line "copy not found"
assert_same "$T/src/f1" "$T/out2/f1"
assert_absent "$T/out2/nope"

make -s -C "$REPO" BUILD="$BUILD_DIR" uninstall DESTDIR="$root" PREFIX=/usr >/dev/null || fail "make uninstall failed"
left=$(find "$root" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left files behind: $left"

e2e_pass
