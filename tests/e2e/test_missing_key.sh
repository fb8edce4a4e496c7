#!/usr/bin/env bash
# A missing key (and a missing bucket) in a `run`: their ERROR lines carry S3's code, the exit status is 1,
# and every other object still lands byte-identical; nothing is left at the failed destinations.
. "$(dirname "$0")/lib.sh"
e2e_init missing-key

for i in 1 2 3; do
    make_file "$T/src/f$i" $((i * 100000 + 7))
    put_object "$BUCKET" "dir/f$i" "$T/src/f$i"
done
nobucket=$(bucket_name nosuchbucket)
f=$T/tasks.txt
{
    run_line "s3://$BUCKET/dir/f1" "$T/out/f1"
    run_line "s3://$BUCKET/dir/does-not-exist" "$T/out/missing"
    run_line "s3://$BUCKET/dir/f2" "$T/out/f2"
    run_line "s3://$nobucket/dir/f1" "$T/out/nobucket"
    run_line "s3://$BUCKET/dir/f3" "$T/out/f3"
} >"$f"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$f"
assert_rc 1
assert_error_line "s3://$BUCKET/dir/does-not-exist" "$T/out/missing" NoSuchKey
assert_error_line "s3://$nobucket/dir/f1" "$T/out/nobucket" NoSuchBucket
[ "$(grep -c '^ERROR ' "$UR_ERR")" = 2 ] || fail "expected exactly 2 ERROR lines"
assert_stdout_lines 3
for i in 1 2 3; do
    assert_stdout_line "cp s3://$BUCKET/dir/f$i $T/out/f$i"
    assert_same "$T/src/f$i" "$T/out/f$i"
done
assert_absent "$T/out/missing"
assert_absent "$T/out/nobucket"
assert_no_temp_files "$T"

# A single `cp` of a missing key.
ur_capture --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" cp "s3://$BUCKET/nope" "$T/cp/nope"
assert_rc 1
assert_error_line "s3://$BUCKET/nope" "$T/cp/nope" NoSuchKey
assert_stdout_empty
assert_absent "$T/cp/nope"

e2e_pass
