#!/usr/bin/env bash
# HTTP/1.1 pipelining: on a keep-alive connection that has answered once, small GETs go out several at a
# time (one send, one TLS record) and their responses are read back to back. The fault server logs, per
# request, whether its bytes had arrived before the previous response on that connection was complete.
#   1. Over HTTPS and HTTP, most requests after each connection's first are pipelined; every file lands.
#   2. URESTORE_PIPELINE=1 turns it off: no request is pipelined.
#   3. Faults in the middle of a pipeline: the server closes the connection after a response (the
#      requests queued behind it are never answered), resets mid-body, or answers 503. Every file still
#      lands byte-identical, and the run exits 0.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init pipeline

N=64
for i in $(seq -w 1 $N); do fault_object "p/obj-$i.bin" $((1000 + 10#$i * 211)); done
lines=$T/lines.txt

# run_all OUT [ENV...]: copies every object into OUT over 2 connections and checks every file.
run_all() {
    local out=$1 i
    shift
    : >"$lines"
    for i in $(seq -w 1 $N); do echo "cp s3://$BUCKET/p/obj-$i.bin $out/obj-$i.bin" >>"$lines"; done
    fault_log_mark
    ur_capture "$@" "${EP[@]}" --numworkers 2 run "$lines"
    assert_rc 0 "$N objects over $proto${*:+ with $*}"
    for i in $(seq -w 1 $N); do assert_same "$FS_ROOT/$BUCKET/p/obj-$i.bin" "$out/obj-$i.bin"; done
    assert_no_temp_files "$out"
}

# pipelined: how many of the last run's GETs the server found pipelined.
pipelined() { fault_log_since | awk -F'\t' '$3 == "GET" && $12 == "yes"' | wc -l; }

for proto in https http; do
    fault_endpoint $proto
    run_all "$T/$proto"
    got=$(pipelined)
    say "$proto: $got of $N requests pipelined"
    [ "$got" -ge $((N / 2)) ] || fail "$proto: only $got of $N requests were pipelined"

    run_all "$T/$proto-off" URESTORE_PIPELINE=1
    got=$(pipelined)
    [ "$got" -eq 0 ] || fail "$proto: URESTORE_PIPELINE=1 still pipelined $got requests"
done

fault_endpoint https
for rule in '{"prefix": "p/obj-0", "on": [1], "fault": "close_after"}' \
    '{"prefix": "p/obj-1", "on": [1], "fault": "reset", "after": 500}' \
    '{"prefix": "p/obj-2", "on": [1], "fault": "status", "status": 503}' \
    '{"prefix": "p/obj-3", "on": [1], "fault": "drop_request"}'; do
    fault_rules "{\"rules\": [$rule]}"
    rm -rf "$T/faulty"
    proto=https run_all "$T/faulty"
    faults=$(fault_log_since | awk -F'\t' '$8 != "-"' | wc -l)
    say "$(echo "$rule" | sed 's/.*"fault": "\([a-z_]*\)".*/\1/'): $faults faults struck, $(pipelined) requests pipelined, all files intact"
    [ "$faults" -ge 5 ] || fail "only $faults faults struck: the rule did not match ($rule)"
done
e2e_pass
