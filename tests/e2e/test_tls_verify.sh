#!/usr/bin/env bash
# HTTPS verifies the server: without the test CA the download fails (nothing is written); with
# --ca-bundle, with AWS_CA_BUNDLE, or with --no-verify-ssl it succeeds.
. "$(dirname "$0")/lib.sh"
e2e_init tls-verify

make_file "$T/src/obj" $((MiB + 1))
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj

# The system trust store does not know the test CA: verification must fail.
ur_capture --endpoint-url "$UR_S3_HTTPS" cp "$src" "$T/noca/obj"
assert_rc 1 "unverifiable certificate"
assert_error_line "$src" "$T/noca/obj" ""
grep -Eiq 'certif|verif|tls|ssl|x509' "$UR_ERR" || fail "the error does not say it is about the certificate"
assert_stdout_empty
assert_absent "$T/noca/obj"
assert_no_temp_files "$T"

ur_capture --endpoint-url "$UR_S3_HTTPS" --no-verify-ssl cp "$src" "$T/noverify/obj"
assert_rc 0 "--no-verify-ssl"
assert_stdout_line "cp $src $T/noverify/obj"
assert_same "$T/src/obj" "$T/noverify/obj"

ur_capture --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" cp "$src" "$T/cabundle/obj"
assert_rc 0 "--ca-bundle"
assert_same "$T/src/obj" "$T/cabundle/obj"

ur_capture AWS_CA_BUNDLE="$UR_CA_FILE" -- --endpoint-url "$UR_S3_HTTPS" cp "$src" "$T/envca/obj"
assert_rc 0 "AWS_CA_BUNDLE"
assert_same "$T/src/obj" "$T/envca/obj"

e2e_pass
