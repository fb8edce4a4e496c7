#!/usr/bin/env bash
# Local failures: a destination whose parent is a regular file fails with an error naming it, leaves
# nothing behind and does not stop the other tasks.
. "$(dirname "$0")/lib.sh"
e2e_init dest-errors

make_file "$T/src/obj" 100000
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj
mkdir -p "$T/out"
echo "I am a file" >"$T/out/file"
cp "$T/out/file" "$T/file.orig"

{
    run_line "$src" "$T/out/file/child"
    run_line "$src" "$T/out/file/deeper/child"
    run_line "$src" "$T/out/ok"
} >"$T/tasks.txt"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$T/tasks.txt"
assert_rc 1
assert_error_line "$src" "$T/out/file/child" ""
assert_error_line "$src" "$T/out/file/deeper/child" ""
# The message (after the task) must name the obstacle or the cause.
msg=$(grep -F "ERROR \"cp $src $T/out/file/child\": " "$UR_ERR" | head -n 1)
msg=${msg#*\": }
case "$msg" in
*"$T/out/file"* | *[Nn]ot\ a\ directory*) ;;
*) fail "the error for $T/out/file/child names neither $T/out/file nor 'not a directory': $msg" ;;
esac
assert_stdout_line "cp $src $T/out/ok"
assert_stdout_lines 1
assert_same "$T/src/obj" "$T/out/ok"
assert_same "$T/file.orig" "$T/out/file" # untouched
assert_no_temp_files "$T"
[ "$(find "$T/out" -mindepth 1 | wc -l)" = 2 ] || fail "unexpected files in $T/out: $(find "$T/out" -mindepth 1)"

# The same by `cp`.
ur_capture --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/file/child"
assert_rc 1
assert_error_line "$src" "$T/out/file/child" ""
assert_stdout_empty

e2e_pass
