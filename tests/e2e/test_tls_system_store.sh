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
command -v strace >/dev/null || fail "strace is missing (tests/servers/deps.sh installs it)"
printf -- '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n' >"$T/junk.pem"

# copy NAME DIR FILE: copies over HTTPS trusting only the system store, SSL_CERT_DIR=DIR and
# SSL_CERT_FILE=FILE; the files the client opens go to $T/NAME.trace.
copy() {
    UR_WRAPPER=$(traced "$T/$1.trace" open,openat) \
        ur_capture SSL_CERT_DIR="$2" SSL_CERT_FILE="$3" -- --endpoint-url "$FS_HTTPS" cp "$src" "$T/$1/obj"
}

# check SERVER: the three cases against the running server, whose CA (root) is $FS_CA.
check() {
    local s=$1
    fault_object obj.bin 70001
    src=s3://$BUCKET/obj.bin
    mkdir -p "$T/$s-hashed" "$T/$s-empty"
    cp "$FS_CA" "$T/$s-hashed/ca.pem"
    openssl rehash "$T/$s-hashed" 2>/dev/null || fail "openssl rehash failed"

    copy "$s-dir" "$T/$s-hashed" "$T/junk.pem"
    assert_rc 0 "$s: CA in SSL_CERT_DIR"
    assert_same "$FS_ROOT/$BUCKET/obj.bin" "$T/$s-dir/obj"
    ! grep -q junk.pem "$T/$s-dir.trace" || fail "$s: the CA file was read although the directory had the CA"

    copy "$s-file" "$T/$s-empty" "$FS_CA"
    assert_rc 0 "$s: CA in SSL_CERT_FILE only"
    assert_same "$FS_ROOT/$BUCKET/obj.bin" "$T/$s-file/obj"

    copy "$s-neither" "$T/$s-empty" "$T/junk.pem"
    assert_rc 1 "$s: CA in neither"
    grep -Eiq 'certif|verif' "$UR_ERR" || fail "$s: the error does not say it is about the certificate"
    assert_absent "$T/$s-neither/obj"
}

check self-signed
FS_CHAIN=1 fault_server_start
check chain

e2e_pass
