#!/usr/bin/env bash
# tests/servers/rgw.sh — a throwaway one-node Ceph (1 mon, 1 memstore OSD, radosgw) on loopback, entirely
# under one directory, for the end-to-end tests, the demo and the perf suite.
#
#   rgw.sh start DIR   bring it up (HTTP + HTTPS on free ports), create a test user, write DIR/env
#   rgw.sh stop DIR    stop the daemons by their pid files (rgw first); always succeeds
#
# DIR/env holds shell exports: UR_S3_HTTP, UR_S3_HTTPS (https://localhost:PORT, the name in the certificate),
# UR_CA_FILE (the PEM of the CA that signed the server certificate), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_REGION. Data lives in RAM (memstore) capped at UR_RGW_MEMSTORE_BYTES (default 4 GiB); with
# UR_RGW_STORE=bluestore the OSD keeps it on disk instead, in a sparse file DIR/osd/osd.0/block of
# UR_RGW_BLUESTORE_BYTES (default 40 GiB), for data sets too big for RAM (perf/checkpoint/gc_bench.sh).
#
# The traps avoided (see TEST-SERVERS.md): radosgw's secure mon-client mode hangs 300 s with auth none
# (everything is "crc" here); default paxos timing makes the first start take ~12 s; beast without
# tcp_nodelay adds ~40 ms per small GET; the OSD only boots when --mkfs got the uuid `ceph osd new` returned.
set -euo pipefail

ACCESS_KEY=${UR_TEST_ACCESS_KEY:-URESTORETESTKEY00001}
SECRET_KEY=${UR_TEST_SECRET_KEY:-urestore/test/secret/key/0123456789abcdef}
MEMSTORE_BYTES=${UR_RGW_MEMSTORE_BYTES:-$((4 << 30))}
STORE=${UR_RGW_STORE:-memstore}
case $STORE in
memstore | bluestore) ;;
*) echo "rgw.sh: UR_RGW_STORE must be memstore or bluestore" >&2; exit 2 ;;
esac

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

# ---------------------------------------------------------------------------------------------------------
# helpers

now_ms() { date +%s%3N; }

# Prints the end of the daemon logs and of the start-up commands' output (newest trouble last), so a
# failed start says why.
dump_logs() {
    local f
    for f in mon.a.log mon-mkfs.out mon-start.out osd-new.out osd.0.log osd-mkfs.out osd-start.out \
        client.rgw.log rgw-start.out user-create.out; do
        [ -s "$DIR/log/$f" ] || continue
        echo "----- end of $DIR/log/$f" >&2
        tail -n 12 "$DIR/log/$f" >&2
    done
}

die() {
    echo "rgw.sh: $*" >&2
    dump_logs
    stop_all
    exit 1
}

# Prints every local TCP port in use (any state, IPv4 and IPv6) as 4 hex digits, one per line.
ports_in_use() {
    { cat /proc/net/tcp /proc/net/tcp6 2>/dev/null || true; } | awk 'FNR > 1 { split($2, a, ":"); print a[2] }' | sort -u
}

# Picks a random block of 16 consecutive unused ports and sets BASE_PORT. The block lies below the
# kernel's ephemeral range (so outgoing connections never take one of them) and is random, so that two runs
# rarely even try the same block; checked against every port in use now. Layout: +0 mon, +1 http,
# +2 https, +3..+15 the OSD's messenger.
pick_ports() {
    local lo=10000 hi eph_lo used p ok
    eph_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    hi=$((eph_lo - 16))
    [ "$hi" -gt $((lo + 1024)) ] || { lo=20000; hi=65000; }
    used=" $(ports_in_use | tr '\n' ' ') "
    for _ in $(seq 1 100); do
        BASE_PORT=$((lo + (RANDOM * 32768 + RANDOM) % ((hi - lo) / 16) * 16))
        ok=1
        for p in $(seq "$BASE_PORT" $((BASE_PORT + 15))); do
            case "$used" in *" $(printf '%04X' "$p") "*) ok=0; break ;; esac
        done
        [ "$ok" = 1 ] && return 0
    done
    echo "rgw.sh: no free block of ports found" >&2
    return 1
}

# retry SECONDS DESCRIPTION CMD...: runs CMD every 0.1 s until it succeeds or SECONDS pass.
retry() {
    local secs=$1 what=$2
    shift 2
    local deadline=$(($(now_ms) + secs * 1000))
    while ! "$@" >/dev/null 2>&1; do
        [ "$(now_ms)" -lt "$deadline" ] || die "timed out after ${secs}s waiting for $what"
        sleep 0.1
    done
}

ceph_cli() { timeout 20 ceph -c "$CONF" --connect-timeout 15 "$@"; }

# stop_pidfile FILE SECS [SIGNAL]: sends SIGNAL (default TERM) to the pid in FILE, waits up to SECS for it
# to go, then SIGKILL. Never fails.
# alive PID: the process exists and is not a zombie (the daemons are reparented to whatever reaps orphans
# here, which may take its time; a zombie holds no port and no memory).
alive() {
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

stop_pidfile() {
    local file=$1 secs=$2 sig=${3:-TERM} pid
    [ -s "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null) || return 0
    case "$pid" in '' | *[!0-9]*) return 0 ;; esac
    alive "$pid" || { rm -f "$file"; return 0; }
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((secs * 20))); do
        alive "$pid" || break
        sleep 0.05
    done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$file"
}

stop_all() {
    # rgw first (it is a client of the others). Everything is throwaway, so no graceful shutdown: SIGTERM
    # costs ~2 s per daemon, and memstore would first save every object to disk.
    stop_pidfile "$DIR/run/client.rgw.pid" 2 KILL
    stop_pidfile "$DIR/run/osd.0.pid" 2 KILL
    stop_pidfile "$DIR/run/mon.a.pid" 2 KILL
}

# ---------------------------------------------------------------------------------------------------------
# start

write_conf() {
    local ipv6_http="" ipv6_https="" store_conf
    store_conf="osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES"
    # BlueStore as Ceph's vstart.sh sets it up on a file (block, DB and WAL in one), its caches bounded by a
    # small memory target instead of memstore's ~17.6 KiB of RSS per object; no fsck on mount.
    if [ "$STORE" = bluestore ]; then
        store_conf="osd objectstore = bluestore
bluestore block create = true
bluestore block size = ${UR_RGW_BLUESTORE_BYTES:-$((40 << 30))}
bluestore fsck on mount = false
osd memory target = $((1536 << 20))"
    fi
    # Where localhost also resolves to ::1 (a stock Debian /etc/hosts), listen there too: a client that
    # tries ::1 first must still find the server.
    if [ -e /proc/net/if_inet6 ] && grep -q '^00000000000000000000000000000001' /proc/net/if_inet6; then
        ipv6_http=" endpoint=[::1]:$HTTP_PORT"
        ipv6_https=" ssl_endpoint=[::1]:$HTTPS_PORT"
    fi
    # UR_RGW_STS=1: STS (AssumeRole) on the S3 port, for the credential tests; the key encrypts session
    # tokens and must be exactly 16 characters. Off by default: with STS on, radosgw answers a bad
    # signature with AccessDenied (its STS engine's verdict) instead of SignatureDoesNotMatch.
    local sts_conf=""
    [ "${UR_RGW_STS:-0}" = 1 ] && sts_conf=$'rgw s3 auth use sts = true\nrgw sts key = urestoretestsk16'
    cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
public addr = 127.0.0.1
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
keyring = $DIR/keyring
log to stderr = false
err to stderr = true
mon cluster log file = $DIR/log/cluster.log
# No authentication; every messenger mode crc (trap 1: "secure" is impossible without auth).
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
ms mon client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms bind msgr1 = false
ms bind port min = $((BASE_PORT + 3))
ms bind port max = $((BASE_PORT + 15))
# One OSD: pools of size 1, small pg counts.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
# Trap 2: fast paxos, or the first start takes ~12 s.
paxos propose interval = 0.05
paxos min wait = 0.01
mon data avail warn = 1
mon data avail crit = 0
debug ms = 0
debug mon = 0
debug paxos = 0
debug osd = 0
debug monc = 0

[mon]
pid file = $DIR/run/\$name.pid
mon data = $DIR/mon/\$name

[osd]
pid file = $DIR/run/\$name.pid
osd data = $DIR/osd/\$name
$store_conf
osd max object name len = 460
osd max object namespace len = 64
osd op threads = 2

[client.rgw]
pid file = $DIR/run/\$name.pid
rgw data = $DIR/rgw
# Trap 3: tcp_nodelay, or each small GET on a reused connection waits ~40 ms.
rgw frontends = beast endpoint=127.0.0.1:$HTTP_PORT$ipv6_http tcp_nodelay=1 ssl_endpoint=127.0.0.1:$HTTPS_PORT$ipv6_https ssl_certificate=$DIR/tls/server.crt ssl_private_key=$DIR/tls/server.key
rgw dns name = localhost
rgw thread pool size = 128
rgw enable usage log = false
rgw enable ops log = false
rgw init timeout = 60
debug rgw = 1
$sts_conf
CONF
}

# make_certs: returns 1 on failure (it runs in the background).
make_certs() {
    local t=$DIR/tls
    mkdir -p "$t"
    # A CA and a server certificate it signs (a chain, as in production): localhost, *.localhost (virtual
    # hosts), 127.0.0.1 and ::1. Clients trust it with UR_CA_FILE.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/ca.key" -out "$t/ca.crt" -days 30 \
        -subj "/CN=urestore test CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" >"$DIR/log/openssl.out" 2>&1 || return 1
    openssl req -newkey rsa:2048 -nodes -keyout "$t/server.key" -out "$t/server.csr" \
        -subj "/CN=localhost" >>"$DIR/log/openssl.out" 2>&1 || return 1
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,DNS:*.localhost,IP:127.0.0.1,IP:::1" \
        >"$t/server.ext"
    openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
        -out "$t/server.crt" -days 30 -extfile "$t/server.ext" >>"$DIR/log/openssl.out" 2>&1 || return 1
    cp "$t/ca.crt" "$DIR/ca.pem"
}

http_ok() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$HTTP_PORT/"; }

https_ok() { curl -sf -o /dev/null --max-time 2 --cacert "$DIR/ca.pem" "https://localhost:$HTTPS_PORT/"; }

# A signed ListBuckets that succeeds: the user exists and rgw sees it.
signed_ok() {
    curl -sf -o /dev/null --max-time 2 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        "http://127.0.0.1:$HTTP_PORT/"
}

start() {
    local t0 uuid id attempt
    t0=$(now_ms)
    for cmd in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool openssl curl; do
        command -v "$cmd" >/dev/null || { echo "rgw.sh: $cmd not found (run make deps)" >&2; exit 1; }
    done
    if [ -s "$DIR/run/mon.a.pid" ] && alive "$(cat "$DIR/run/mon.a.pid")"; then
        echo "rgw.sh: a cluster already runs in $DIR (rgw.sh stop $DIR first)" >&2
        exit 1
    fi
    rm -rf "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/run" "$DIR/log" "$DIR/tls" "$DIR/crash" "$DIR/env"
    mkdir -p "$DIR/mon/mon.a" "$DIR/osd/osd.0" "$DIR/rgw" "$DIR/run" "$DIR/log" "$DIR/crash"
    CONF=$DIR/ceph.conf
    FSID=$(cat /proc/sys/kernel/random/uuid)

    # The RSA keys take ~1 s: make them while the monitor and the OSD come up (only radosgw needs them).
    make_certs &
    CERTS_PID=$!

    # Ports are checked free, but another process may take one between the check and the bind: on a
    # failed bring-up, retry the whole thing on a new block.
    for attempt in 1 2 3; do
        pick_ports
        MON_PORT=$BASE_PORT HTTP_PORT=$((BASE_PORT + 1)) HTTPS_PORT=$((BASE_PORT + 2))
        write_conf
        if bring_up; then break; fi
        [ "$attempt" -lt 3 ] || die "radosgw did not come up (3 attempts)"
        echo "rgw.sh: bring-up attempt $attempt failed, retrying on other ports" >&2
        stop_all
        rm -rf "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/log"/*.log
        mkdir -p "$DIR/mon/mon.a" "$DIR/osd/osd.0" "$DIR/rgw"
    done

    # The user the tests sign as.
    radosgw-admin -c "$CONF" -n client.admin user create --uid=test --display-name="urestore tests" \
        --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DIR/log/user-create.out" 2>&1 ||
        die "radosgw-admin user create failed: $(tail -n 5 "$DIR/log/user-create.out")"
    # UR_RGW_STS=1: a role the test user may assume (tests/e2e/test_creds_*.sh): arn:aws:iam:::role/ur/restore;
    # and the caps to register OpenID Connect providers and create roles through the IAM API, as an operator
    # does for web identity (tests/e2e/test_creds_webid_rgw.sh).
    if [ "${UR_RGW_STS:-0}" = 1 ]; then
        radosgw-admin -c "$CONF" -n client.admin caps add --uid=test --caps='oidc-provider=*;roles=*' \
            >"$DIR/log/caps-add.out" 2>&1 || die "radosgw-admin caps add failed: $(tail -n 5 "$DIR/log/caps-add.out")"
        radosgw-admin -c "$CONF" -n client.admin role create --role-name=restore --path=/ur/ \
            --assume-role-policy-doc='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/test"]},"Action":["sts:AssumeRole"]}]}' \
            >"$DIR/log/role-create.out" 2>&1 || die "radosgw-admin role create failed: $(tail -n 5 "$DIR/log/role-create.out")"
        radosgw-admin -c "$CONF" -n client.admin role-policy put --role-name=restore --policy-name=all \
            --policy-doc='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"arn:aws:s3:::*"}]}' \
            >>"$DIR/log/role-create.out" 2>&1 || die "radosgw-admin role-policy put failed: $(tail -n 5 "$DIR/log/role-create.out")"
    fi
    retry 30 "a signed request to succeed" signed_ok
    retry 10 "HTTPS on port $HTTPS_PORT" https_ok

    cat >"$DIR/env" <<ENV
# written by tests/servers/rgw.sh start $DIR
export UR_S3_HTTP=http://127.0.0.1:$HTTP_PORT
export UR_S3_HTTPS=https://localhost:$HTTPS_PORT
export UR_CA_FILE=$DIR/ca.pem
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=us-east-1
export UR_RGW_DIR=$DIR
$([ "${UR_RGW_STS:-0}" = 1 ] && echo export UR_RGW_ROLE_ARN=arn:aws:iam:::role/ur/restore)
ENV
    echo "rgw.sh: radosgw ready in $(($(now_ms) - t0)) ms: http://127.0.0.1:$HTTP_PORT https://localhost:$HTTPS_PORT (env: $DIR/env)"
}

# One attempt at mon → osd → rgw. Returns 1 (after logging why) when a daemon does not come up in time.
bring_up() {
    local uuid id deadline
    monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" \
        >"$DIR/log/monmaptool.out" 2>&1 || die "monmaptool failed"
    ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' \
        >"$DIR/log/authtool.out" 2>&1 || die "ceph-authtool failed"
    ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" \
        >"$DIR/log/mon-mkfs.out" 2>&1 || die "ceph-mon --mkfs failed"
    ceph-mon -c "$CONF" -i a >"$DIR/log/mon-start.out" 2>&1 || { echo "rgw.sh: ceph-mon did not start" >&2; return 1; }

    uuid=$(cat /proc/sys/kernel/random/uuid)
    deadline=$(($(now_ms) + 30000))
    until id=$(ceph_cli osd new "$uuid" 2>>"$DIR/log/osd-new.out"); do
        if [ "$(now_ms)" -ge "$deadline" ]; then echo "rgw.sh: the monitor does not answer" >&2; return 1; fi
        sleep 0.2
    done
    [ "$id" = 0 ] || die "ceph osd new returned '$id', expected 0"
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$uuid" >"$DIR/log/osd-mkfs.out" 2>&1 ||
        die "ceph-osd --mkfs failed"
    ceph-osd -c "$CONF" -i 0 >"$DIR/log/osd-start.out" 2>&1 || { echo "rgw.sh: ceph-osd did not start" >&2; return 1; }
    # No need to wait for the OSD to be up: radosgw's start-up waits for its pools to be usable, and only
    # then answers HTTP.

    if [ -n "${CERTS_PID:-}" ]; then
        wait "$CERTS_PID" || die "could not create the TLS certificates: $(tail -n 5 "$DIR/log/openssl.out")"
        CERTS_PID=
    fi
    radosgw -c "$CONF" -n client.rgw >"$DIR/log/rgw-start.out" 2>&1 || { echo "rgw.sh: radosgw did not start" >&2; return 1; }
    deadline=$(($(now_ms) + 60000))
    until http_ok; do
        if [ "$(now_ms)" -ge "$deadline" ]; then
            echo "rgw.sh: radosgw did not answer HTTP in 60 s; ceph osd stat: $(ceph_cli osd stat 2>&1)" >&2
            return 1
        fi
        if [ -s "$DIR/run/client.rgw.pid" ] && ! alive "$(cat "$DIR/run/client.rgw.pid")"; then
            echo "rgw.sh: radosgw exited" >&2
            return 1
        fi
        sleep 0.1
    done
}

[ $# -eq 2 ] || usage
if [ "$1" = stop ] && [ ! -d "$2" ]; then exit 0; fi
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
CONF=$DIR/ceph.conf
case "$1" in
start) start ;;
stop) stop_all ;;
*) usage ;;
esac
