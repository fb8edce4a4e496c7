#!/usr/bin/env bash
# Wrong credentials: a wrong secret gives SignatureDoesNotMatch, an unknown access key InvalidAccessKeyId;
# exit status 1, nothing written.
. "$(dirname "$0")/lib.sh"
e2e_init auth-errors

make_file "$T/src/obj" 4096
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj

ur_capture AWS_SECRET_ACCESS_KEY=wrong-secret-0123456789abcdefghijklmnopq -- \
    --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/wrong-secret"
assert_rc 1 "wrong secret"
assert_error_line "$src" "$T/out/wrong-secret" SignatureDoesNotMatch
assert_stdout_empty
assert_absent "$T/out/wrong-secret"

ur_capture AWS_ACCESS_KEY_ID=NOSUCHACCESSKEY00000 -- \
    --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" cp "$src" "$T/out/wrong-key"
assert_rc 1 "unknown access key"
assert_error_line "$src" "$T/out/wrong-key" InvalidAccessKeyId
assert_absent "$T/out/wrong-key"

# Every task of a run reports it.
{
    run_line "$src" "$T/out/r1"
    run_line "$src" "$T/out/r2"
} >"$T/tasks.txt"
ur_capture AWS_SECRET_ACCESS_KEY=wrong-secret-0123456789abcdefghijklmnopq -- \
    --endpoint-url "$UR_S3_HTTP" run "$T/tasks.txt"
assert_rc 1
assert_error_line "$src" "$T/out/r1" SignatureDoesNotMatch
assert_error_line "$src" "$T/out/r2" SignatureDoesNotMatch
assert_absent "$T/out/r1"
assert_absent "$T/out/r2"

e2e_pass
