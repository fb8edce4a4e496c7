#!/usr/bin/env bash
# SIGKILL in the middle of a restore (Flink's SIGKILL, one second after SIGTERM) can leave only temporary
# files (none where they are unnamed O_TMPFILE files), never a partial file under a final name; a later run into the same destination succeeds and is
# not tripped by what the killed run left: neither by its temporary files, nor when the new process gets
# the killed one's PID (PIDs are reused; the temporary names then collide).
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init sigkill
fault_endpoint https

KEYS=()
for i in 1 2 3 4; do
    fault_object "big-$i" $((12 * MiB + 4097))
    fault_object "small-$i" 5000
    KEYS+=("big-$i" "small-$i")
done
for k in "${KEYS[@]}"; do run_line --part-size 4 "s3://$BUCKET/$k" "$T/out/$k"; done >"$T/tasks.txt"

# check_out: every file under a final name in $T/out is complete. Prints how many there are.
check_out() {
    local k n=0
    for k in "${KEYS[@]}"; do
        if [ -e "$T/out/$k" ]; then
            assert_same "$FS_ROOT/$BUCKET/$k" "$T/out/$k"
            n=$((n + 1))
        fi
    done
    echo "$n"
}

# 1. The big objects trickle at 2 MiB/s per request, so the restore is surely in flight when killed.
fault_rules '{"rules":[{"prefix":"big-","fault":"slow","rate":2097152}]}'
UR_OUT=$T/.kill.out UR_ERR=$T/.kill.err
ur "${EP[@]}" run "$T/tasks.txt" >"$UR_OUT" 2>"$UR_ERR" &
job=$!
wait_files_open "$job" "$T/out" 4
sleep 0.5
victim=$(client_pid "$job")
kill -KILL "$victim" 2>/dev/null || say "pid $victim was gone before the SIGKILL"
UR_RC=0
wait "$job" || UR_RC=$?
[ "$UR_RC" = 137 ] || fail "the client was not killed by SIGKILL (exit status $UR_RC; it ended on its own before the signal)"
complete=$(check_out)
left=$(fault_temp_count "$T/out")
say "killed: $complete files complete under their final names, $left temporary files left"
[ "$complete" -lt "${#KEYS[@]}" ] || fail "every file landed before the kill: the test did not test anything"
# Where the file system has O_TMPFILE (ext4, xfs, btrfs, tmpfs …), the files being written had no name.
if python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600))' "$T/out" 2>/dev/null; then
    [ "$left" = 0 ] || fail "$left temporary files left after SIGKILL on a file system with O_TMPFILE"
fi
find "$T/out" -name '.*.urestore-*' | sort >"$T/stale.txt"

# 2. A new run into the same destination, with the stale temporary files still there.
fault_rules '{}'
ur_capture "${EP[@]}" run "$T/tasks.txt"
assert_rc 0 "the run after the kill"
[ "$(check_out)" = "${#KEYS[@]}" ] || fail "the run after the kill did not restore every file"
find "$T/out" -name '.*.urestore-*' | sort | comm -13 "$T/stale.txt" - >"$T/new.txt"
[ ! -s "$T/new.txt" ] || fail "the second run left its own temporary files: $(head -n 3 "$T/new.txt")"

# 3. A run whose PID is that of a killed run: its temporary names are taken by stale files. A wrapper
#    creates them under its own PID, then execs the client (the PID stays). The destinations exist, so
#    that every file goes through a temporary name (to replace them atomically) even where the file
#    system lets urestore write unnamed files.
rm -rf "$T/out"
mkdir -p "$T/out"
for k in "${KEYS[@]}"; do printf 'old' >"$T/out/$k"; done
cat >"$T/collide.sh" <<'EOF'
#!/bin/bash
# collide.sh DIR N KEY... -- CMD...: stale temporary files for this PID, numbered 1..N, then exec CMD.
dir=$1 n=$2
shift 2
while [ "$1" != -- ]; do
    for i in $(seq 1 "$n"); do printf 'stale' >"$dir/.$1.urestore-$$-$i"; done
    shift
done
shift
exec "$@"
EOF
chmod +x "$T/collide.sh"
UR_WRAPPER="$T/collide.sh $T/out $((${#KEYS[@]} * 2)) ${KEYS[*]} -- ${UR_WRAPPER:-}" ur_capture "${EP[@]}" run "$T/tasks.txt"
stale=$(fault_temp_count "$T/out")
[ "$stale" -gt 0 ] || fail "the wrapper created no stale temporary files"
assert_rc 0 "a run whose temporary names are taken by a killed run's files"
[ "$(check_out)" = "${#KEYS[@]}" ] || fail "the run with colliding temporary names did not restore every file"

find "$T/out" -name '.*.urestore-*' -delete # the stale files this test made or the killed run left
e2e_pass
