#!/usr/bin/env bash
# HTTPS verifies the server: without the test CA the download fails (nothing is written); with
# --ca-bundle, with AWS_CA_BUNDLE, or with --no-verify-ssl it succeeds. The system trust store is the
# hashed CA directory (SSL_CERT_DIR) and the CA file (SSL_CERT_FILE), and the file is read only when the
# directory lacks the issuer: a CA in either is trusted, a CA in neither is not.
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

hashed_ca_dir "$T/hashed" "$UR_CA_FILE"
hashed_ca_dir "$T/empty"
junk_pem "$T/junk.pem"
cat /etc/ssl/certs/ca-certificates.crt "$UR_CA_FILE" >"$T/bundle.pem" 2>/dev/null || cp "$UR_CA_FILE" "$T/bundle.pem"

# The CA in the directory: trusted, and the CA file is never opened (parsing the system's costs ~22 ms).
system_store_copy in-dir "$UR_S3_HTTPS" "$src" "$T/hashed" "$T/junk.pem"
assert_rc 0 "CA in SSL_CERT_DIR"
assert_same "$T/src/obj" "$T/in-dir/obj"
! grep -q "junk.pem" "$T/in-dir.trace" || fail "the CA file was read although the directory had the issuer"

# The CA only in the file: read when the directory has no issuer, then trusted.
system_store_copy in-file "$UR_S3_HTTPS" "$src" "$T/empty" "$T/bundle.pem"
assert_rc 0 "CA in SSL_CERT_FILE only"
assert_same "$T/src/obj" "$T/in-file/obj"
grep -q "bundle.pem" "$T/in-file.trace" || fail "the CA file was not read although the directory lacks the issuer"

# In neither: refused, nothing written.
system_store_copy in-neither "$UR_S3_HTTPS" "$src" "$T/empty" /etc/ssl/certs/ca-certificates.crt
assert_rc 1 "CA in neither the directory nor the file"
grep -Eiq 'certif|verif' "$UR_ERR" || fail "the error does not say it is about the certificate"
assert_absent "$T/in-neither/obj"
assert_no_temp_files "$T"

e2e_pass
