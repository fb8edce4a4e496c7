#!/usr/bin/env bash
# cp --resume (issue 16): a large download interrupted mid-way — by network loss beyond the retries, or by
# SIGTERM — keeps its complete parts in .NAME.urestore-partial with a sidecar (.ranges: size, ETag, the
# ranges complete); a later --resume fetches only the missing ranges, with If-Match, and the file is
# byte-identical. The fault server's request log counts the body bytes sent. An object changed between
# the runs (412), a sidecar that fails its check, or a partial file that does not match its sidecar
# starts over, and says so. Without --resume nothing partial is left anywhere, and a run without --resume
# leaves another's partial alone.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init resume
fault_endpoint http

PART=2 # MiB: larger than what is pipelined, so that one connection carries one part at a time
SIZE=$((16 * MiB + 12345)) # nine parts, the last one 12345 bytes: an unaligned tail
CUT=$((8 * MiB))            # the faults strike parts from here on; the four parts before complete
fault_object big "$SIZE"
SRC=s3://$BUCKET/big
# One connection: the parts go in order, so exactly the parts before CUT are complete when one at CUT fails.
OPTS=(--numworkers 1)

# body_bytes: the object's bytes the server sent (200 and 206 bodies) since the last fault_log_mark.
body_bytes() { requests | awk -F'\t' '$7 == 200 || $7 == 206 { n += $9 } END { print n + 0 }'; }
# requests: the request log's lines for the object since the mark.
requests() { fault_log_since | awk -F'\t' -v p="/$BUCKET/big" '$4 == p'; }
partial() { echo "$(dirname "$1")/.$(basename "$1").urestore-partial"; }
# kept DEST: the bytes the sidecar of DEST's partial says are complete.
kept() { awk '$1 == "range" { n += $3 } END { print n + 0 }' "$(partial "$1").ranges"; }

# interrupt DEST RETRIES [cp options]: a copy whose parts from CUT on are reset after 1000 bytes, every
# time: it fails once its retries are spent.
interrupt() {
    fault_rules "{\"rules\":[{\"key\":\"big\",\"from_byte\":$CUT,\"fault\":\"reset\",\"after\":1000}]}"
    ur_capture "${EP[@]}" "${OPTS[@]}" -r "$2" cp --part-size $PART "${@:3}" "$SRC" "$1"
    assert_rc 1 "the interrupted copy to $1"
    [ ! -e "$1" ] || fail "a partial file under the final name $1"
    fault_rules '{}'
}

# resume DEST: the copy again with --resume, no faults; checks the result and that nothing is left over.
resume() {
    fault_log_mark
    ur_capture "${EP[@]}" "${OPTS[@]}" cp --part-size $PART --resume "$SRC" "$1"
    assert_rc 0 "the resumed copy to $1"
    assert_same "$FS_ROOT/$BUCKET/big" "$1"
    [ "$(fault_temp_count "$(dirname "$1")")" = 0 ] || fail "files left beside $1: $(ls -A "$(dirname "$1")")"
}

# restarted DEST: the resumed copy fetched the whole object again and said so.
restarted() {
    local sent
    sent=$(body_bytes)
    [ "$sent" = "$SIZE" ] || fail "the copy to $1 that had to start over fetched $sent bytes, not $SIZE"
    grep -F "NOTE \"cp $SRC $1\": " "$UR_ERR" | grep -Fq "downloaded from the start" ||
        fail "no NOTE line saying that the copy to $1 started over: $(cat "$UR_ERR")"
}

# 1. Without --resume: an interrupted copy leaves nothing, partial or temporary.
interrupt "$T/plain/big" 0
assert_error_line "$SRC" "$T/plain/big" "reset"
[ "$(fault_temp_count "$T/plain")" = 0 ] || fail "temporary files left without --resume"

# 2. Network loss beyond the retries with --resume: the parts before CUT are kept, and the error says so.
interrupt "$T/net/big" 1 --resume
p=$(partial "$T/net/big")
[ -f "$p" ] && [ -f "$p.ranges" ] || fail "no partial file and sidecar after the interrupted --resume copy"
[ "$(kept "$T/net/big")" = "$CUT" ] || fail "the sidecar keeps $(kept "$T/net/big") bytes, not $CUT: $(cat "$p.ranges")"
assert_error_line "$SRC" "$T/net/big" "$CUT of $SIZE bytes kept in $p for --resume"
# A copy without --resume into the same directory leaves that partial alone (it is not its own).
ur_capture "${EP[@]}" "${OPTS[@]}" cp --part-size $PART "$SRC" "$T/net/other"
assert_rc 0 "a copy without --resume beside a partial"
[ -f "$p" ] && [ -f "$p.ranges" ] || fail "a copy without --resume removed another destination's partial"
resume "$T/net/big"
sent=$(body_bytes)
[ "$sent" = $((SIZE - CUT)) ] || fail "the resumed copy fetched $sent bytes, not only the missing $((SIZE - CUT))"
first=$(requests | head -n 1)
[ "$(cut -f5 <<<"$first")" = "bytes=$CUT-$((CUT + PART * MiB - 1))" ] || fail "the first resumed request was not the first missing part: $first"
[ "$(requests | awk -F'\t' '$6 == "-"' | wc -l)" = 0 ] || fail "a resumed request without If-Match: $(requests)"
say "network loss: $CUT bytes kept, $sent fetched by --resume"

# 3. SIGTERM: the parts from CUT on trickle at 256 KiB/s (8 s a part, whatever the load and the build);
# once the part before CUT is served, SIGTERM.
# (The time to stop is measured from the signal; Flink's bound is for copies without --resume.)
fault_rules "{\"rules\":[{\"key\":\"big\",\"from_byte\":$CUT,\"fault\":\"slow\",\"rate\":262144}]}"
fault_log_mark
UR_OUT=$T/.term.out UR_ERR=$T/.term.err
ur "${EP[@]}" "${OPTS[@]}" cp --part-size $PART --resume "$SRC" "$T/term/big" >"$UR_OUT" 2>"$UR_ERR" &
job=$!
for _ in $(seq 1 200); do
    requests | grep -q "bytes=$((CUT - PART * MiB))-" && break
    sleep 0.05
done
victim=$(client_pid "$job")
sleep 0.3 # its last write lands; the part at CUT is far from complete
dt=$(signal_exit_ms "$victim" TERM 10000) || fail "the client did not stop within 10 s of SIGTERM"
UR_RC=0
wait "$job" || UR_RC=$?
assert_rc 1 "the copy interrupted by SIGTERM"
[ ! -e "$T/term/big" ] || fail "a partial file under the final name after SIGTERM"
[ "$(kept "$T/term/big")" = "$CUT" ] || fail "after SIGTERM the sidecar keeps $(kept "$T/term/big") bytes, not $CUT"
fault_rules '{}'
resume "$T/term/big"
sent=$(body_bytes)
[ "$sent" = $((SIZE - CUT)) ] || fail "the copy resumed after SIGTERM fetched $sent bytes, not $((SIZE - CUT))"
say "SIGTERM: stopped in $dt ms, $CUT bytes kept, $sent fetched by --resume"

# 4. A sidecar that fails its check (one range edited), and a partial file shorter than its sidecar says:
# both start over.
interrupt "$T/bad/big" 0 --resume
sed -i 's/^range 0 /range 4096 /' "$(partial "$T/bad/big").ranges"
resume "$T/bad/big"
restarted "$T/bad/big"
interrupt "$T/short/big" 0 --resume
truncate -s $((CUT - 1)) "$(partial "$T/short/big")"
resume "$T/short/big"
restarted "$T/short/big"

# 5. The object changed between the runs: the first resumed request (If-Match) gets 412, the copy starts
# over from byte 0 and ends with the new object's bytes.
interrupt "$T/changed/big" 0 --resume
fault_object big "$SIZE" # new bytes, new ETag
resume "$T/changed/big"
restarted "$T/changed/big"
[ "$(requests | head -n 1 | cut -f7)" = 412 ] || fail "the first request for the changed object did not get 412: $(requests | head -n 2)"
[ "$(requests | sed -n 2p | cut -f5,6)" = "bytes=0-$((PART * MiB - 1))	-" ] ||
    fail "after the 412 the copy did not start over from byte 0 without If-Match: $(requests | head -n 3)"

e2e_pass
