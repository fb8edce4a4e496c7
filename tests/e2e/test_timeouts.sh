#!/usr/bin/env bash
# The watchdogs, set from the command line: a server that goes silent before answering trips
# --first-byte-timeout, one that stops mid-body trips --stall-timeout; either way the part is retried on a
# fresh connection (resuming where the bytes stopped) long before the server would have gone on, and with
# -r 0 the copy fails with an ERROR line that says it timed out, leaving nothing behind.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init timeouts

fault_object obj.bin 300000
fault_endpoint http
out=$T/out
W=(--first-byte-timeout 2 --stall-timeout 2)

# elapsed CMD...: runs ur_capture and sets ELAPSED_MS.
elapsed() {
    local t0
    t0=$(date +%s%3N)
    ur_capture "$@"
    ELAPSED_MS=$(($(date +%s%3N) - t0))
}

fault_rules '{"rules":[{"key":"obj.bin","on":[1],"fault":"silence","seconds":30}]}'
fault_log_mark
elapsed "${EP[@]}" "${W[@]}" cp "s3://$BUCKET/obj.bin" "$out/silent"
assert_rc 0 "a silent server, healed by the first-byte watchdog"
assert_same "$FS_ROOT/$BUCKET/obj.bin" "$out/silent"
[ "$ELAPSED_MS" -lt 15000 ] || fail "took ${ELAPSED_MS} ms: the first-byte watchdog did not fire at ~2 s"
echo "silent server: done in ${ELAPSED_MS} ms"

fault_rules '{"rules":[{"key":"obj.bin","on":[1],"fault":"stall","after":100000,"seconds":30}]}'
fault_log_mark
elapsed "${EP[@]}" "${W[@]}" cp "s3://$BUCKET/obj.bin" "$out/stalled"
assert_rc 0 "a stall mid-body, healed by the stall watchdog"
assert_same "$FS_ROOT/$BUCKET/obj.bin" "$out/stalled"
[ "$ELAPSED_MS" -lt 15000 ] || fail "took ${ELAPSED_MS} ms: the stall watchdog did not fire at ~2 s"
resumed=$(fault_log_since | awk -F'\t' '$4 ~ /obj.bin/ { print $5 }' | tail -n 1)
[ "$resumed" = "bytes=100000-299999" ] || fail "the retry asked for '$resumed', expected bytes=100000-299999"
echo "stalled body: done in ${ELAPSED_MS} ms, resumed with $resumed"

fault_rules '{"rules":[{"key":"obj.bin","on":"all","fault":"silence","seconds":30}]}'
elapsed "${EP[@]}" "${W[@]}" -r 0 cp "s3://$BUCKET/obj.bin" "$out/never"
assert_rc 1 "a silent server with -r 0"
grep -q 'timed out: no response from' "$UR_ERR" || fail "the ERROR line does not say it timed out: $(cat "$UR_ERR")"
[ ! -e "$out/never" ] || fail "a file was left for a copy that timed out"
assert_no_temp_files "$T"
e2e_pass
