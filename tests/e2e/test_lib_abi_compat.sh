#!/usr/bin/env bash
# The ABI grows without breaking anyone (tests/abi/old_layout.c, against radosgw over HTTP):
#   - a program built against the frozen 0.1 header (tests/abi/urestore-0.1.h) links to LIBURESTORE_1's
#     urestore_copy and still copies; callbacks whose struct_size ends before on_progress are honoured
#     (on_progress, set to a function that aborts, is never read);
#   - a program built against the current header calls urestore_copy_batch with tasks and results larger
#     than the library's: zero tails are accepted, a set unknown field refuses that task, result tails are
#     zeroed, and too-short structs are refused;
#   - the URESTORE_* tuning variables are the CLI's: the library itself ignores them.
. "$(dirname "$0")/lib.sh"
e2e_init lib-abi-compat

lib=$BUILD_DIR/liburestore.so.1
[ -f "$lib" ] || fail "$lib not built (make)"
build() { # build OUT [CFLAGS...]
    local out=$1
    shift
    cc -std=gnu11 -Wall -Wextra -Werror "$@" -I"$REPO/tests/abi" -I"$REPO/include" -o "$T/$out" \
        "$REPO/tests/abi/old_layout.c" -L"$BUILD_DIR" -l:liburestore.so.1 -Wl,-rpath,"$BUILD_DIR" ||
        fail "old_layout.c ($out) does not build"
}
build old -DUR_OLD
build new
# The old program binds urestore_copy to the first version node.
readelf --dyn-syms -W "$T/old" | grep -q 'urestore_copy@LIBURESTORE_1 ' ||
    fail "the 0.1 program does not bind urestore_copy@LIBURESTORE_1: $(readelf --dyn-syms -W "$T/old" | grep urestore_copy)"
readelf --dyn-syms -W "$T/new" | grep -q 'urestore_copy_batch@LIBURESTORE_1.1 ' ||
    fail "urestore_copy_batch is not bound to LIBURESTORE_1.1"

sizes=(0 1 4097 300000)
args=()
for i in "${!sizes[@]}"; do
    make_file "$T/src/f$i" "${sizes[$i]}"
    put_object "$BUCKET" "abi/f$i" "$T/src/f$i"
    args+=("s3://$BUCKET/abi/f$i" "$T/out/f$i")
done
# run_prog NAME [ENV=VALUE...]: the program with the test user's keys and the HTTP endpoint.
run_prog() {
    local prog=$1
    shift
    rm -rf "$T/out"
    UR_LAST_CMD="$prog ${args[*]}"
    UR_OUT=$T/.$prog.out UR_ERR=$T/.$prog.err UR_RC=0
    env -i "${UR_IO_ENV[@]}" PATH=/usr/bin:/bin AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION="$AWS_REGION" S3_ENDPOINT_URL="$UR_S3_HTTP" "$@" \
        timeout -k 5 120 "$T/$prog" "${args[@]}" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
}

run_prog old
assert_rc 0 "a 0.1 program against the current library"
assert_stdout_line done
[ "$(grep -c '^OK ' "$UR_OUT")" = $((2 * ${#sizes[@]})) ] || fail "the 0.1 program: not every task succeeded"
for i in "${!sizes[@]}"; do assert_same "$T/src/f$i" "$T/out/f$i"; done

run_prog new
assert_rc 0 "larger structs through urestore_copy_batch"
assert_stdout_line done
for i in "${!sizes[@]}"; do assert_same "$T/src/f$i" "$T/out/f$i"; done
ver=$(sed -n 's/^#define URESTORE_VERSION_STRING "\(.*\)"/\1/p' "$REPO/include/urestore.h")
grep -qxF "version urestore $ver (header $ver)" "$UR_OUT" || fail "version line: $(grep '^version' "$UR_OUT") (want $ver)"

# The library reads no URESTORE_* variable: a pipeline depth of 1 in its environment changes nothing, and
# a program that sets nothing still pipelines. (The CLI maps these variables; test_pipeline.sh checks it.)
run_prog old URESTORE_PIPELINE=garbage URESTORE_RCVBUF=-5 URESTORE_NO_VAES=1
assert_rc 0 "the library ignores URESTORE_* in its environment"
e2e_pass
