#!/usr/bin/env bash
# --no-sign-request: a public-read object downloads without credentials; a private one gives AccessDenied.
. "$(dirname "$0")/lib.sh"
e2e_init anonymous

make_file "$T/src/public" 70000
make_file "$T/src/private" 70000
put_object "$BUCKET" public "$T/src/public" --acl public-read
put_object "$BUCKET" private "$T/src/private"

ur_capture -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -- \
    --endpoint-url "$UR_S3_HTTP" --no-sign-request cp "s3://$BUCKET/public" "$T/out/public"
assert_rc 0 "anonymous GET of a public object"
assert_same "$T/src/public" "$T/out/public"

ur_capture -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -- \
    --endpoint-url "$UR_S3_HTTP" --no-sign-request cp "s3://$BUCKET/private" "$T/out/private"
assert_rc 1 "anonymous GET of a private object"
assert_error_line "s3://$BUCKET/private" "$T/out/private" AccessDenied
assert_absent "$T/out/private"

e2e_pass
