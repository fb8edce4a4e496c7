#!/usr/bin/env bash
# The portable (epoll) backend, and the choice between it and io_uring (issue 12):
#   - io_uring blocked the way a container runtime's seccomp profile blocks it (tests/tools/no_uring.c:
#     io_uring_setup/enter/register fail with EPERM, then with ENOSYS): the automatic choice takes epoll
#     and every size restores byte for byte over HTTP and HTTPS; one notice line says why at --log info
#     (the default) and none at --log error;
#   - --io-backend uring (and URESTORE_IO_BACKEND=uring) under the filter fails with the real cause, not
#     "out of memory";
#   - --io-backend epoll without the filter restores the same, silently; the automatic choice without the
#     filter is io_uring (no notice);
#   - SIGTERM mid-restore on epoll: exit 1 promptly, no temporary file left, every file that exists complete.
. "$(dirname "$0")/lib.sh"
e2e_init io_backend

cc -std=gnu11 -Wall -Wextra -Werror -O2 -o "$T/no_uring" "$REPO/tests/tools/no_uring.c" ||
    fail "tests/tools/no_uring.c does not build"
"$T/no_uring" true || skip "cannot install a seccomp filter here (no_uring: exit $?)"

sizes=(0 1 4095 4096 4097 $((MiB + 1)) $((20 * MiB + 3)))
for size in "${sizes[@]}"; do
    make_file "$T/src/obj-$size" "$size"
    put_object "$BUCKET" "obj-$size" "$T/src/obj-$size"
done
run_file() { # run_file DIR: every size into DIR, one run file
    local size
    for size in "${sizes[@]}"; do run_line "s3://$BUCKET/obj-$size" "$1/obj-$size"; done >"$T/tasks.txt"
}
check_all() { # check_all DIR
    local size
    assert_stdout_lines "${#sizes[@]}"
    for size in "${sizes[@]}"; do assert_same "$T/src/obj-$size" "$1/obj-$size"; done
}
notices() { grep -c 'using the epoll backend' "$UR_ERR" || true; }

base_wrapper=${UR_WRAPPER:-}
# The automatic choice is what is tested under the filter: whatever backend the suite runs on is unset.
for errno_name in eperm enosys; do
    ERRNO_WORD=${errno_name^^}
    for scheme in http https; do
        endpoint_args "$scheme"
        out=$T/out-$errno_name-$scheme
        run_file "$out"
        UR_WRAPPER="$T/no_uring --$errno_name $base_wrapper" \
            ur_capture -u URESTORE_IO_BACKEND -- "${EP[@]}" --log info run "$T/tasks.txt"
        assert_rc 0 "automatic backend under a seccomp filter ($ERRNO_WORD), $scheme"
        check_all "$out"
        [ "$(notices)" = 1 ] || fail "expected one notice line about the epoll backend at --log info, got $(notices)"
        assert_stderr_has "($ERRNO_WORD)"
        [ "$(wc -l <"$UR_ERR")" = 1 ] || fail "stderr should hold the notice only"
    done
    say "$ERRNO_WORD: every size restored on epoll over HTTP and HTTPS"

    # --log error: the same copies, not a word on stderr.
    endpoint_args https
    run_file "$T/quiet-$errno_name"
    UR_WRAPPER="$T/no_uring --$errno_name $base_wrapper" \
        ur_capture -u URESTORE_IO_BACKEND -- "${EP[@]}" --log error run "$T/tasks.txt"
    assert_rc 0
    assert_stdout_empty
    assert_stderr_empty
    for size in "${sizes[@]}"; do assert_same "$T/src/obj-$size" "$T/quiet-$errno_name/obj-$size"; done

    # io_uring forced under the filter: a clear error naming the cause, by flag and by environment.
    endpoint_args http
    UR_WRAPPER="$T/no_uring --$errno_name $base_wrapper" \
        ur_capture -u URESTORE_IO_BACKEND -- "${EP[@]}" --io-backend uring cp "s3://$BUCKET/obj-1" "$T/forced/obj-1"
    assert_rc 1 "--io-backend uring under a seccomp filter"
    assert_error_line "s3://$BUCKET/obj-1" "$T/forced/obj-1" "io_uring refused"
    assert_stderr_has "($ERRNO_WORD)"
    assert_stderr_has "epoll backend works without it"
    if grep -q "out of memory" "$UR_ERR"; then fail "the error blames memory: $(cat "$UR_ERR")"; fi
    assert_absent "$T/forced/obj-1"
    UR_WRAPPER="$T/no_uring --$errno_name $base_wrapper" \
        ur_capture URESTORE_IO_BACKEND=uring -- "${EP[@]}" cp "s3://$BUCKET/obj-1" "$T/forced/obj-1"
    assert_rc 1 "URESTORE_IO_BACKEND=uring under a seccomp filter"
    assert_error_line "s3://$BUCKET/obj-1" "$T/forced/obj-1" "io_uring refused"
done

# No filter: epoll forced restores silently; the automatic choice is io_uring (no notice).
for scheme in http https; do
    endpoint_args "$scheme"
    run_file "$T/epoll-$scheme"
    ur_capture "${EP[@]}" --io-backend epoll run "$T/tasks.txt"
    assert_rc 0 "--io-backend epoll, $scheme"
    check_all "$T/epoll-$scheme"
    assert_stderr_empty
done
run_file "$T/auto"
ur_capture -u URESTORE_IO_BACKEND -- "${EP[@]}" --log info run "$T/tasks.txt"
assert_rc 0
check_all "$T/auto"
assert_stderr_empty
ur_capture "${EP[@]}" --io-backend poll cp "s3://$BUCKET/obj-1" "$T/bad/obj-1"
assert_rc 1 "an unknown --io-backend"
assert_stderr_has "allowed values: [auto uring epoll]"

# SIGTERM mid-restore on epoll, under the filter (the container case): 48 copies of the 20 MiB object
# (960 MiB, nothing more to upload) keep it busy long enough to be caught with files open.
big=obj-$((20 * MiB + 3))
for i in $(seq 1 48); do run_line --part-size 8 "s3://$BUCKET/$big" "$T/sig/big$i"; done >"$T/tasks.txt"
UR_OUT=$T/.sigterm.out UR_ERR=$T/.sigterm.err UR_LAST_CMD="urestore run $T/tasks.txt (epoll, SIGTERM mid-transfer)"
UR_WRAPPER="$T/no_uring --eperm $base_wrapper" \
    ur -u URESTORE_IO_BACKEND -- --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" run "$T/tasks.txt" \
    >"$UR_OUT" 2>"$UR_ERR" &
pid=$!
wait_files_open "$pid" "$T/sig" 1
leaf=$(client_pid "$pid")
kill -TERM "$leaf" 2>/dev/null || true
t0=$(date +%s%3N)
UR_RC=0
wait "$pid" || UR_RC=$?
dt=$(($(date +%s%3N) - t0))
if [ "$UR_RC" = 0 ] && [ "$(find "$T/sig" -type f | wc -l)" = 48 ]; then
    say "the client finished before the signal; checking the files only"
else
    assert_rc 1 "interrupted by SIGTERM"
    [ "$dt" -lt $((5000 * ${UR_TIME_SCALE:-1})) ] || fail "the client took ${dt} ms to stop after SIGTERM"
    assert_stderr_has "interrupted by a signal"
fi
for i in $(seq 1 48); do
    [ -e "$T/sig/big$i" ] && assert_same "$T/src/$big" "$T/sig/big$i"
done
assert_no_temp_files "$T"

e2e_pass
