#!/usr/bin/env bash
# Keep-alive across batches: a client's idle connections outlive urestore_copy(), so the next batch (or
# the next listing page of a wildcard copy) goes out on them instead of connecting and handshaking
# again. tests/abi/copy_again.c copies one batch three times with one client: twice from its main
# thread (the second batch must open no connection), then from another thread (the ring belongs to the
# first thread: the client must rebuild it and still succeed, resuming the TLS session). Again with a
# server that closes idle connections after 0.3 s and a pause between the batches: the parked
# connections are found closed and the batches still succeed. Then a wildcard copy whose listing comes
# in 4 pages must use no more connections than --numworkers allows.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init lib_batches

lib=$BUILD_DIR/liburestore.so.1
[ -f "$lib" ] || fail "$lib not built (make)"
cc -std=gnu11 -Wall -Wextra -Werror -pthread -I"$REPO/include" -o "$T/copy_again" "$REPO/tests/abi/copy_again.c" \
    -L"$BUILD_DIR" -l:liburestore.so.1 -Wl,-rpath,"$BUILD_DIR" || fail "copy_again.c does not build"

sizes=(0 1 4096 65536 300000 $((9 * 1024 * 1024 + 5)) 1000 70000)
args=()
for i in "${!sizes[@]}"; do
    fault_object "b/f$i" "${sizes[$i]}"
    args+=("s3://$BUCKET/b/f$i" "$T/out/f$i")
done
# copy_again_run [ENV=VALUE...]: the three batches, every file checked.
copy_again_run() {
    rm -rf "$T/out"
    UR_LAST_CMD="copy_again ${args[*]}"
    UR_OUT=$T/.again.out UR_ERR=$T/.again.err UR_RC=0
    env -i "${UR_IO_ENV[@]}" PATH=/usr/bin:/bin AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION="$AWS_REGION" S3_ENDPOINT_URL="$FS_HTTPS" AWS_CA_BUNDLE="$FS_CA" "$@" \
        timeout -k 5 120 "$T/copy_again" "${args[@]}" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
    assert_rc 0 "three batches on one client"
    local k i
    for k in 1 2 3; do
        assert_stdout_line "batch $k ok"
        for i in "${!sizes[@]}"; do assert_same "$FS_ROOT/$BUCKET/b/f$i" "$T/out/f$i.$k"; done
    done
}
fault_log_mark
copy_again_run

# The log, cut into the three batches by count (no retries: each batch sends the same requests).
fault_log_since | awk -F'\t' '$3 == "GET" { print $2, $11 }' >"$T/conns"
total=$(wc -l <"$T/conns")
per=$((total / 3))
[ $((per * 3)) = "$total" ] && [ "$per" -ge "${#sizes[@]}" ] || fail "$total requests for 3 batches of ${#sizes[@]} objects"
conns() { sed -n "$1,$2p" "$T/conns" | awk '{ print $1 }' | sort -u; }
conns 1 "$per" >"$T/b1"
conns $((per + 1)) $((2 * per)) >"$T/b2"
conns $((2 * per + 1)) "$total" >"$T/b3"
echo "connections: batch 1 $(wc -l <"$T/b1"), batch 2 $(wc -l <"$T/b2"), batch 3 $(wc -l <"$T/b3") (another thread)"
[ -z "$(comm -13 "$T/b1" "$T/b2")" ] || fail "the second batch opened connections: $(comm -13 "$T/b1" "$T/b2" | tr '\n' ' ')"
[ -z "$(comm -12 "$T/b2" "$T/b3")" ] || fail "the batch from another thread used the first thread's connections"
full=$(sed -n "$((2 * per + 1)),${total}p" "$T/conns" | awk '$2 == "full"' | wc -l)
[ "$full" = 0 ] || fail "the batch from another thread did $full full handshakes: the client's TLS session was lost"

# The server closes the parked connections while the client waits between batches.
kill "$FS_PID" 2>/dev/null
wait "$FS_PID" 2>/dev/null
FS_IDLE_TIMEOUT=0.3 fault_server_start
copy_again_run COPY_AGAIN_PAUSE_MS=1000
echo "idle connections closed by the server between batches: all three batches complete"

# A wildcard copy: 10 keys listed 3 per page, copied with 2 connections at most.
for i in $(seq 0 9); do fault_object "w/k$i" $((1000 + i)); done
fault_rules '{"list_page": 3, "rules": []}'
fault_endpoint https
fault_log_mark
ur_capture "${EP[@]}" --numworkers 2 cp "s3://$BUCKET/w/*" "$T/wild/"
assert_rc 0 "a wildcard copy with 4 listing pages"
for i in $(seq 0 9); do assert_same "$FS_ROOT/$BUCKET/w/k$i" "$T/wild/k$i"; done
pages=$(fault_log_since | awk -F'\t' '$4 ~ /list-type=2/' | wc -l)
used=$(fault_log_since | awk -F'\t' '{ print $2 }' | sort -u | wc -l)
echo "wildcard: $pages listing pages, 10 objects, $used connection(s)"
[ "$pages" = 4 ] || fail "expected 4 listing pages, the server saw $pages"
[ "$used" -le 2 ] || fail "$used connections for a copy limited to 2: listing pages did not reuse them"
assert_no_temp_files "$T"
e2e_pass
