#!/usr/bin/env bash
# The progress line as a person sees it: the client runs in a tmux pane (a real terminal) against the fault
# server, whose "slow" rule sends the bodies at 1 MiB/s so that a restore lasts a few seconds; the pane is read
# with capture-pane while the copy runs and after it ends.
#   - during: one line with files done/total, bytes of a known total, rate, elapsed, ETA; a wildcard's total
#     comes from the listing at once (no "+": every size known), also for an object not answered yet;
#   - after: the line is gone and the final output (the cp lines, an ERROR line) is intact, each on its own
#     line; an ERROR printed mid-copy is not mixed with the progress line;
#   - --no-progress, and stderr not a terminal (Flink's case): nothing but s5cmd's lines;
#   - --progress=lines --progress-interval 1: plain lines on a pipe, no escape sequences;
#   - --stat: s5cmd's table unchanged, then bytes, elapsed and MiB/s.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
# shellcheck source=tmux_lib.sh
. "$E2E_DIR/tmux_lib.sh"
fault_init progress

fault_object big.bin $((3 * MiB))
for i in 1 2 3; do fault_object "many/f$i.bin" $((MiB / 2)); done
fault_object many/bad.bin 1000
fault_endpoint http
# many/f3.bin answers nothing for 3 s: meanwhile only the listing's size hint can put it in the total.
fault_rules '{"rules":[{"prefix":"big","fault":"slow","rate":1048576},
    {"key":"many/f3.bin","fault":"silence","seconds":3},
    {"prefix":"many/f","fault":"slow","rate":262144},
    {"key":"many/bad.bin","fault":"status","status":403,"code":"AccessDenied"}]}'

tmux_start

# 1. One large object: the line shows 0/1 files, the total once the first response gave it, rate, ETA.
pane one "${EP[@]}" cp "s3://$BUCKET/big.bin" "$T/one/"
during=$(wait_screen one '^0/1 files, .* of 3\.00 MiB, .*/s, elapsed [0-9]+:[0-9]{2}, ETA [0-9]+:[0-9]{2}$' 10)
say "during: $during"
after=$(done_screen one)
[ "$(exit_of one)" = 0 ] || fail "cp under a terminal: exit status $(exit_of one)"
[ "$after" = "cp s3://$BUCKET/big.bin $T/one/big.bin" ] ||
    fail "after the copy the screen shows $(printf '%q' "$after"), expected only the cp line"
assert_same "$FS_ROOT/$BUCKET/big.bin" "$T/one/big.bin"

# 2. A wildcard with a failing object: the total comes from the listing (exact at once), the ERROR line is
#    printed whole on its own line, and the line is drawn again under it while the rest copies.
pane wild "${EP[@]}" -r 0 cp "s3://$BUCKET/many/*" "$T/wild/"
during=$(wait_screen wild '^[0-2]/4 files, .* of 1\.50 MiB, ' 10)
say "during: $(tail -n 1 <<<"$during")"
grep -q '+ ' <<<"$during" && fail "a wildcard's total should be exact from the listing: $during"
wait_screen wild '^ERROR ' 10 >/dev/null
after=$(done_screen wild)
[ "$(exit_of wild)" = 1 ] || fail "a wildcard with a failing object: exit status $(exit_of wild), expected 1"
expected=$(printf '%s\n' "ERROR \"cp s3://$BUCKET/many/bad.bin $T/wild/bad.bin\": AccessDenied" \
    "cp s3://$BUCKET/many/f1.bin $T/wild/f1.bin" "cp s3://$BUCKET/many/f2.bin $T/wild/f2.bin" \
    "cp s3://$BUCKET/many/f3.bin $T/wild/f3.bin" | sort)
got=$(sort <<<"$after" | sed 's/: AccessDenied.*/: AccessDenied/')
[ "$got" = "$expected" ] || fail "after the wildcard the screen shows:
$after
expected these lines (any order):
$expected"
for i in 1 2 3; do assert_same "$FS_ROOT/$BUCKET/many/f$i.bin" "$T/wild/f$i.bin"; done
[ ! -e "$T/wild/bad.bin" ] || fail "$T/wild/bad.bin exists after a 403"

# 3. --no-progress, and stderr not a terminal: nothing is drawn, during or after.
for how in flag pipe; do
    rm -rf "$T/$how"
    if [ "$how" = flag ]; then
        pane "$how" --no-progress "${EP[@]}" cp "s3://$BUCKET/big.bin" "$T/$how/"
    else
        PANE_ERR=$T/$how.err pane "$how" "${EP[@]}" cp "s3://$BUCKET/big.bin" "$T/$how/"
    fi
    sleep 1.5 # halfway through the slow body
    s=$(screen "$how")
    [ -z "$s" ] || fail "$how: the screen shows $(printf '%q' "$s") mid-copy, expected nothing"
    after=$(done_screen "$how")
    [ "$after" = "cp s3://$BUCKET/big.bin $T/$how/big.bin" ] || fail "$how: the screen shows $(printf '%q' "$after")"
    [ "$how" = flag ] || [ ! -s "$T/$how.err" ] || fail "stderr on a file got $(od -c "$T/$how.err" | head -n 3)"
    assert_same "$FS_ROOT/$BUCKET/big.bin" "$T/$how/big.bin"
done
kill_tmux

# 4. --progress=lines: plain lines on a pipe, one a second, without escape sequences.
ur_capture --progress=lines --progress-interval 1 "${EP[@]}" cp "s3://$BUCKET/big.bin" "$T/lines/"
assert_rc 0 "--progress=lines"
n=$(grep -Ec '^urestore: 0/1 files, .* of 3\.00 MiB, .*/s, elapsed ' "$UR_ERR" || true)
[ "$n" -ge 2 ] || fail "--progress=lines --progress-interval 1 printed $n progress lines in a 3 s copy, expected 2 or more"
grep -q $'[\r\033]' "$UR_ERR" && fail "--progress=lines wrote a carriage return or an escape sequence"
[ "$(cat "$UR_OUT")" = "cp s3://$BUCKET/big.bin $T/lines/big.bin" ] || fail "stdout changed with --progress=lines"
ur_capture --progress=bars "${EP[@]}" cp "s3://$BUCKET/big.bin" "$T/bad/"
assert_rc 1 "an unknown --progress mode"
grep -Fq 'invalid value "bars" for flag -progress' "$UR_ERR" || fail "no clear error for --progress=bars"

# 5. --stat: s5cmd's table with our Verified column (no checksums here: 0), then bytes, elapsed and
# throughput.
fault_rules '{}'
ur_capture --stat "${EP[@]}" cp "s3://$BUCKET/many/f*" "$T/stat/"
assert_rc 0 "--stat"
tab=$'\t'
expected="
Operation${tab}Total${tab}Error${tab}Success${tab}Verified${tab}
cp${tab}${tab}3${tab}0${tab}3${tab}0${tab}${tab}

Bytes${tab}Elapsed${tab}MiB/s${tab}"
got=$(grep -v '^cp s3://' "$UR_OUT" | head -n 5)
[ "$got" = "$expected" ] || fail "--stat printed $(printf '%q' "$got")"
read -r bytes elapsed mibs < <(grep -v '^cp s3://' "$UR_OUT" | sed -n 6p)
[ "$bytes" = $((3 * MiB / 2)) ] || fail "--stat: $bytes bytes, expected $((3 * MiB / 2))"
[[ "$elapsed" =~ ^[0-9]+\.[0-9]{3}s$ ]] || fail "--stat: elapsed time '$elapsed'"
[[ "$mibs" =~ ^[0-9]+\.[0-9]$ ]] || fail "--stat: throughput '$mibs'"
ur_capture --stat --json "${EP[@]}" cp "s3://$BUCKET/many/f*" "$T/statj/"
grep -Eq '^\{"bytes":1572864,"elapsed_seconds":[0-9]+\.[0-9]{3},"throughput_mib_per_second":[0-9]+\.[0-9]\}$' "$UR_OUT" ||
    fail "--stat --json: no bytes/elapsed/throughput line"
kill_tmux
e2e_pass
