#!/usr/bin/env bash
# The system trust store: the hashed CA directory (SSL_CERT_DIR) and the CA file (SSL_CERT_FILE). The
# file is read only when a chain needs an issuer the directory lacks and the server did not send. Two
# servers: one whose certificate is its own CA, one that sends its certificate and an intermediate CA,
# as public servers (S3 among them) do, the root CA staying with the client. For each: trusted through
# the directory (without a read of the file), through the file alone, and refused when in neither.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init tls_system_store
junk_pem "$T/junk.pem"

# check SERVER: the three cases against the running server, whose CA (root) is $FS_CA.
check() {
    local s=$1
    fault_object obj.bin 70001
    src=s3://$BUCKET/obj.bin
    hashed_ca_dir "$T/$s-hashed" "$FS_CA"
    hashed_ca_dir "$T/$s-empty"

    system_store_copy "$s-dir" "$FS_HTTPS" "$src" "$T/$s-hashed" "$T/junk.pem"
    assert_rc 0 "$s: CA in SSL_CERT_DIR"
    assert_same "$FS_ROOT/$BUCKET/obj.bin" "$T/$s-dir/obj"
    ! grep -q junk.pem "$T/$s-dir.trace" || fail "$s: the CA file was read although the directory had the CA"

    system_store_copy "$s-file" "$FS_HTTPS" "$src" "$T/$s-empty" "$FS_CA"
    assert_rc 0 "$s: CA in SSL_CERT_FILE only"
    assert_same "$FS_ROOT/$BUCKET/obj.bin" "$T/$s-file/obj"

    system_store_copy "$s-neither" "$FS_HTTPS" "$src" "$T/$s-empty" "$T/junk.pem"
    assert_rc 1 "$s: CA in neither"
    grep -Eiq 'certif|verif' "$UR_ERR" || fail "$s: the error does not say it is about the certificate"
    assert_absent "$T/$s-neither/obj"
}

check self-signed
FS_CHAIN=1 fault_server_start
check chain

e2e_pass
