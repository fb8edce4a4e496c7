#!/usr/bin/env bash
# An existing destination is replaced whole (a larger old file does not leave a tail; a hard link to the old
# file keeps the old content, because the new file is renamed into place); mode 0644; -n keeps it.
. "$(dirname "$0")/lib.sh"
e2e_init overwrite

make_file "$T/src/small" 5000
make_file "$T/src/empty" 0
put_object "$BUCKET" small "$T/src/small"
put_object "$BUCKET" empty "$T/src/empty"
mkdir -p "$T/out"
make_file "$T/out/big" $((2 * MiB + 3))
cp "$T/out/big" "$T/big.orig"
ln "$T/out/big" "$T/big.link"
chmod 600 "$T/out/big"
make_file "$T/out/to-empty" 9999
make_file "$T/out/kept" 1234
cp "$T/out/kept" "$T/kept.orig"

{
    run_line "s3://$BUCKET/small" "$T/out/big"
    run_line "s3://$BUCKET/empty" "$T/out/to-empty"
    run_line -n "s3://$BUCKET/small" "$T/out/kept"
    run_line -n "s3://$BUCKET/small" "$T/out/new-with-n"
} >"$T/tasks.txt"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$T/tasks.txt"
assert_rc 0
assert_stderr_empty
assert_same "$T/src/small" "$T/out/big"
assert_mode "$T/out/big" 644
assert_same "$T/big.orig" "$T/big.link"
assert_same "$T/src/empty" "$T/out/to-empty"
assert_same "$T/kept.orig" "$T/out/kept"
assert_same "$T/src/small" "$T/out/new-with-n"

# Replacing a file by `cp` twice in a row.
ur_capture --endpoint-url "$UR_S3_HTTP" cp "s3://$BUCKET/small" "$T/out/to-empty"
assert_rc 0
assert_same "$T/src/small" "$T/out/to-empty"
ur_capture --endpoint-url "$UR_S3_HTTP" cp "s3://$BUCKET/empty" "$T/out/to-empty"
assert_rc 0
assert_same "$T/src/empty" "$T/out/to-empty"

e2e_pass
