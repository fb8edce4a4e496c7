#!/usr/bin/env bash
# SIGTERM in the middle of a restore: the client exits 1 promptly, removes its temporary files, and every
# destination that exists is complete.
. "$(dirname "$0")/lib.sh"
e2e_init sigterm

size=$((256 * MiB + 1))
make_file "$T/src/big" "$size"
put_object_multipart "$BUCKET" big "$T/src/big"
for i in 1 2 3 4 5 6; do run_line --part-size 8 "s3://$BUCKET/big" "$T/out/big$i"; done >"$T/tasks.txt"

UR_OUT=$T/.sigterm.out UR_ERR=$T/.sigterm.err UR_LAST_CMD="urestore run $T/tasks.txt (SIGTERM mid-transfer)"
ur --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" run "$T/tasks.txt" >"$UR_OUT" 2>"$UR_ERR" &
pid=$!
# Signal once the restore is under way (files are open), not after a fixed delay: under valgrind the client
# needs seconds to start, and a signal before its handlers exist proves nothing. SIGTERM comes twice, as when
# a shell or timeout(1) forwards it to the child and to its process group; the echo (5 ms later here, so
# that the two are not merged while pending) must not kill the client before it has cleaned up.
wait_files_open "$pid" "$T/out" 1
leaf=$(client_pid "$pid")
kill -TERM "$leaf" 2>/dev/null || true
sleep 0.005
# Status 2: the client was gone already (it finished; checked below). 1: it outlived the timeout.
st=0
dt=$(signal_exit_ms "$leaf" TERM 10000 2>/dev/null) || st=$?
[ "$st" = 2 ] && dt=0
UR_RC=0
wait "$pid" || UR_RC=$?
if [ "$UR_RC" = 0 ] && [ "$(find "$T/out" -type f | wc -l)" = 6 ]; then
    say "the client finished before the signal; checking the files only"
else
    assert_rc 1 "interrupted by SIGTERM"
    [ "$dt" -lt 5000 ] || fail "the client took ${dt} ms to stop after SIGTERM"
fi
for i in 1 2 3 4 5 6; do
    [ -e "$T/out/big$i" ] && assert_same "$T/src/big" "$T/out/big$i"
done
assert_no_temp_files "$T"

e2e_pass
