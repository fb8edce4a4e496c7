#!/usr/bin/env bash
# The run-file language: comment lines, blank lines, tabs, POSIX-shell quoting, cp options (--part-size, -c, -n),
# a last line without a newline, the file from stdin, an empty file.
. "$(dirname "$0")/lib.sh"
e2e_init run-syntax

make_file "$T/src/a" 4097
make_file "$T/src/b" $((3 * MiB + 5))
make_file "$T/src/last" 511
put_object "$BUCKET" a "$T/src/a"
put_object "$BUCKET" "b c" "$T/src/b"
put_object "$BUCKET" last "$T/src/last"
mkdir -p "$T/out"
echo "keep me" >"$T/out/existing"
cp "$T/out/existing" "$T/existing.orig"

f=$T/tasks.txt
{
    echo "# a comment line"
    echo "   # an indented comment"
    echo ""
    echo "   "
    echo "cp 's3://$BUCKET/a' '$T/out/a'"
    echo "cp \"s3://$BUCKET/b c\" \"$T/out/b c\""
    echo "cp s3://$BUCKET/b\\ c $T/out/b2"
    printf '\tcp\t-n\ts3://%s/a\t%s\n' "$BUCKET" "$T/out/existing"
    echo "cp --part-size 1 -c 2 s3://$BUCKET/b\\ c $T/out/b-parts"
    echo "cp -c 1 s3://$BUCKET/a $T/out/sub/dir/a"
    printf 'cp s3://%s/last %s' "$BUCKET" "$T/out/last" # no newline at the end
} >"$f"

ur_capture --endpoint-url "$UR_S3_HTTP" run "$f"
assert_rc 0
assert_stderr_empty
assert_stdout_line "cp s3://$BUCKET/a $T/out/a"
assert_stdout_line "cp s3://$BUCKET/b c $T/out/b c"
assert_stdout_line "cp s3://$BUCKET/last $T/out/last"
assert_same "$T/src/a" "$T/out/a"
assert_same "$T/src/b" "$T/out/b c"
assert_same "$T/src/b" "$T/out/b2"
assert_same "$T/src/b" "$T/out/b-parts"
assert_same "$T/src/a" "$T/out/sub/dir/a"
assert_same "$T/src/last" "$T/out/last"
assert_same "$T/existing.orig" "$T/out/existing" # -n kept it

# The same file on stdin, into a fresh directory.
rm -rf "$T/out"
mkdir -p "$T/out"
cp "$T/existing.orig" "$T/out/existing"
ur_capture --endpoint-url "$UR_S3_HTTP" run <"$f"
assert_rc 0
assert_same "$T/src/a" "$T/out/a"
assert_same "$T/src/b" "$T/out/b-parts"
assert_same "$T/src/last" "$T/out/last"
assert_same "$T/existing.orig" "$T/out/existing"

# Only comments and blank lines: nothing to do, success, no output.
printf '# nothing\n\n' >"$T/empty.txt"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$T/empty.txt"
assert_rc 0
assert_stdout_empty

e2e_pass
