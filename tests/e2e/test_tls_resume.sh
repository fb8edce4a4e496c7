#!/usr/bin/env bash
# TLS session resumption across a run's connections: the first connection to a host goes alone until it
# holds a session ticket, and the others then resume it instead of each doing a full handshake (about
# half the client's handshake CPU here). A server that issues no tickets must not stall the run: the
# others open once the first connection has answered, with full handshakes.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init tls_resume

N=24
for i in $(seq -w 1 $N); do fault_object "obj-$i.bin" $((20000 + 10#$i * 997)); done
lines=$T/lines.txt

# run_all OUT: copies every object into OUT with 4 connections; checks every file.
run_all() {
    local out=$1 i
    : >"$lines"
    for i in $(seq -w 1 $N); do echo "cp s3://$BUCKET/obj-$i.bin $out/obj-$i.bin" >>"$lines"; done
    fault_endpoint https
    fault_log_mark
    ur_capture "${EP[@]}" --numworkers 4 run "$lines"
    assert_rc 0 "$N objects over HTTPS"
    for i in $(seq -w 1 $N); do assert_same "$FS_ROOT/$BUCKET/obj-$i.bin" "$out/obj-$i.bin"; done
}

# count_handshakes LABEL: sets full and resumed to how many of the last run's connections did a full or a
# resumed handshake, from the server's request log.
count_handshakes() {
    local kind
    for kind in full resumed; do
        printf -v "$kind" '%s' "$(fault_log_since | awk -F'\t' -v k=$kind '$11 == k { c[$2] = 1 } END { print length(c) }')"
    done
    echo "$1: $full full handshake(s), $resumed resumed"
}

run_all "$T/out1"
count_handshakes "server with tickets"
[ "$full" -eq 1 ] || fail "$full full handshakes: the connections after the first did not resume its session"
[ "$resumed" -ge 1 ] || fail "no connection resumed: the run used one connection only"

kill "$FS_PID" 2>/dev/null
wait "$FS_PID" 2>/dev/null
FS_NO_TICKETS=1 fault_server_start
run_all "$T/out2"
count_handshakes "server without tickets"
[ "$resumed" -eq 0 ] || fail "$resumed resumed handshakes from a server that issues no tickets"
[ "$full" -ge 2 ] || fail "only $full connection(s): without a ticket the others never opened"
assert_no_temp_files "$T"
e2e_pass
