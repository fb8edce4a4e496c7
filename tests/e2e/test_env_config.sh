#!/usr/bin/env bash
# Configuration from the environment as s5cmd takes it: S3_ENDPOINT_URL, AWS_CA_BUNDLE; --endpoint-url wins
# over S3_ENDPOINT_URL; --numworkers and -r are accepted.
. "$(dirname "$0")/lib.sh"
e2e_init env-config

make_file "$T/src/obj" 300001
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj

ur_capture S3_ENDPOINT_URL="$UR_S3_HTTP" -- cp "$src" "$T/out/env-http"
assert_rc 0 "S3_ENDPOINT_URL"
assert_same "$T/src/obj" "$T/out/env-http"

ur_capture S3_ENDPOINT_URL="$UR_S3_HTTPS" AWS_CA_BUNDLE="$UR_CA_FILE" -- cp "$src" "$T/out/env-https"
assert_rc 0 "S3_ENDPOINT_URL + AWS_CA_BUNDLE"
assert_same "$T/src/obj" "$T/out/env-https"

# A dead endpoint in the environment, the right one on the command line.
ur_capture S3_ENDPOINT_URL=http://127.0.0.1:9 -- --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/flag-wins"
assert_rc 0 "--endpoint-url over S3_ENDPOINT_URL"
assert_same "$T/src/obj" "$T/out/flag-wins"

ur_capture --endpoint-url "$UR_S3_HTTP" --numworkers 4 -r 2 cp "$src" "$T/out/options"
assert_rc 0 "--numworkers 4 -r 2"
assert_same "$T/src/obj" "$T/out/options"

e2e_pass
