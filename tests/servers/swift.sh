#!/usr/bin/env bash
# tests/servers/swift.sh — a throwaway OpenStack Swift (proxy with s3api + tempauth, one account, container
# and object server, rings of one device and one replica) on loopback, entirely under one directory. The
# strictest S3 implementation we can run here (TEST-SERVERS.md): DeleteObjects without Content-MD5 is
# refused, as AWS documents it.
#
#   swift.sh start DIR   bring it up on free ports, write DIR/env (the same variables as rgw.sh's)
#   swift.sh stop DIR    stop the servers by their pids; always succeeds
#
# DIR/env: UR_S3_HTTP, AWS_ACCESS_KEY_ID (tempauth's "account:user"), AWS_SECRET_ACCESS_KEY, AWS_REGION,
# UR_SWIFT_DIR. HTTP only (the S3 API is the same over TLS; rgw.sh covers TLS).
#
# What makes it work without /etc/swift: every server's [DEFAULT] swift_dir points at DIR/etc, where
# swift.conf (the hash prefix/suffix and one storage policy) and the rings live; mount_check is off and the
# "device" is a plain directory (it needs user xattrs: the repository's disk has them, tmpfs may not);
# workers = 0 keeps each server one process, so stopping it is one kill.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

now_ms() { date +%s%3N; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

stop_all() {
    local f pid
    for f in "$DIR"/run/*.pid; do
        [ -s "$f" ] || continue
        pid=$(cat "$f")
        case "$pid" in '' | *[!0-9]*) continue ;; esac
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$f"
    done
}

die() {
    echo "swift.sh: $*" >&2
    local f
    for f in "$DIR"/log/*.log; do
        [ -s "$f" ] || continue
        echo "----- end of $f" >&2
        tail -n 15 "$f" >&2
    done
    stop_all
    exit 1
}

# A block of 4 consecutive free ports below the ephemeral range: proxy, account, container, object.
pick_ports() {
    local used p ok eph
    eph=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    used=" $({ cat /proc/net/tcp /proc/net/tcp6 2>/dev/null || true; } |
        awk 'FNR > 1 { split($2, a, ":"); print a[2] }' | sort -u | tr '\n' ' ') "
    for _ in $(seq 1 100); do
        BASE=$((10000 + (RANDOM * 32768 + RANDOM) % ((eph - 10016) / 4) * 4))
        ok=1
        for p in $(seq "$BASE" $((BASE + 3))); do
            case "$used" in *" $(printf '%04X' "$p") "*) ok=0; break ;; esac
        done
        [ "$ok" = 1 ] && return 0
    done
    echo "swift.sh: no free ports" >&2
    return 1
}

write_conf() {
    local e=$DIR/etc
    mkdir -p "$e" "$DIR/srv/d1" "$DIR/run" "$DIR/log" "$DIR/cache"
    cat >"$e/swift.conf" <<CONF
[swift-hash]
swift_hash_path_prefix = urestore-test-prefix
swift_hash_path_suffix = urestore-test-suffix

[storage-policy:0]
name = Policy-0
default = yes
CONF
    local common="swift_dir = $e
devices = $DIR/srv
mount_check = false
bind_ip = 127.0.0.1
workers = 0
log_name = swift
log_facility = LOG_LOCAL0
log_level = WARNING"
    local kind port
    for kind in account container object; do
        case $kind in account) port=$((BASE + 1)) ;; container) port=$((BASE + 2)) ;; object) port=$((BASE + 3)) ;; esac
        cat >"$e/$kind-server.conf" <<CONF
[DEFAULT]
$common
bind_port = $port

[pipeline:main]
pipeline = $kind-server

[app:$kind-server]
use = egg:swift#$kind

[$kind-replicator]
[$kind-auditor]
[$kind-updater]
CONF
    done
    cat >"$e/proxy-server.conf" <<CONF
[DEFAULT]
swift_dir = $e
bind_ip = 127.0.0.1
bind_port = $BASE
workers = 0
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
# no memcached runs: the proxy works without one (slower token checks, which S3 signing does not use)
memcache_servers = 127.0.0.1:1
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
# S3's 1,000-key page for DeleteObjects and ListObjectsV2.
max_multi_delete_objects = 1000

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = $SECRET .admin
CONF
}

make_rings() {
    local e=$DIR/etc kind port
    # The three rings in parallel: each swift-ring-builder run is a Python start-up (seconds on a busy machine).
    for kind in account container object; do
        case $kind in account) port=$((BASE + 1)) ;; container) port=$((BASE + 2)) ;; object) port=$((BASE + 3)) ;; esac
        (
            cd "$e"
            swift-ring-builder "$kind.builder" create 4 1 1
            swift-ring-builder "$kind.builder" add "r1z1-127.0.0.1:$port/d1" 1
            swift-ring-builder "$kind.builder" rebalance || true # "1" (warnings) is a success here
        ) >"$DIR/log/rings-$kind.out" 2>&1 &
    done
    wait
    for kind in account container object; do
        [ -s "$e/$kind.ring.gz" ] || die "swift-ring-builder failed for $kind: $(tail -n 3 "$DIR/log/rings-$kind.out")"
    done
}

start_one() { # NAME CMD...: in the background, its pid in run/NAME.pid
    local name=$1
    shift
    "$@" >"$DIR/log/$name.log" 2>&1 &
    echo $! >"$DIR/run/$name.pid"
}

http_ok() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$BASE/healthcheck"; }

# Every server accepts connections. (A signed probe with curl cannot name the key: tempauth's S3 access
# key "account:user" holds the ':' that curl splits --user at; the first aws CLI call of a test checks it.)
listening() {
    local p
    for p in "$BASE" $((BASE + 1)) $((BASE + 2)) $((BASE + 3)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || return 1
    done
}

start() {
    local t0 deadline s
    t0=$(now_ms)
    for s in swift-proxy-server swift-account-server swift-container-server swift-object-server \
        swift-ring-builder curl; do
        command -v "$s" >/dev/null || { echo "swift.sh: $s not found (run make deps)" >&2; exit 1; }
    done
    stop_all 2>/dev/null || true
    rm -rf "${DIR:?}/etc" "$DIR/srv" "$DIR/run" "$DIR/log" "$DIR/env"
    ACCESS=test:tester
    SECRET=urestore-swift-secret
    pick_ports
    write_conf
    make_rings
    start_one account swift-account-server "$DIR/etc/account-server.conf"
    start_one container swift-container-server "$DIR/etc/container-server.conf"
    start_one object swift-object-server "$DIR/etc/object-server.conf"
    start_one proxy swift-proxy-server "$DIR/etc/proxy-server.conf"
    deadline=$(($(now_ms) + 60000))
    until listening && http_ok; do
        [ "$(now_ms)" -lt "$deadline" ] || die "the servers did not come up in 60 s"
        for s in account container object proxy; do
            alive "$(cat "$DIR/run/$s.pid")" || die "swift-$s-server exited"
        done
        sleep 0.2
    done
    cat >"$DIR/env" <<ENV
# written by tests/servers/swift.sh start $DIR
export UR_S3_HTTP=http://127.0.0.1:$BASE
export AWS_ACCESS_KEY_ID=$ACCESS
export AWS_SECRET_ACCESS_KEY=$SECRET
export AWS_REGION=us-east-1
export UR_SWIFT_DIR=$DIR
ENV
    echo "swift.sh: swift ready in $(($(now_ms) - t0)) ms: http://127.0.0.1:$BASE (env: $DIR/env)"
}

[ $# -eq 2 ] || usage
if [ "$1" = stop ] && [ ! -d "$2" ]; then exit 0; fi
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
case "$1" in
start) start ;;
stop) stop_all ;;
*) usage ;;
esac
