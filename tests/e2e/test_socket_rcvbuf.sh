#!/usr/bin/env bash
# Every socket asks for a 4 MiB receive buffer where net.core.rmem_max allows it (else the kernel's
# autotuning stays); URESTORE_RCVBUF sets the bytes, 0 leaves it to the kernel. Checked on the system
# calls themselves (strace), and every download stays byte-identical.
. "$(dirname "$0")/lib.sh"
e2e_init socket-rcvbuf
command -v strace >/dev/null || fail "strace is missing (scripts/deps.sh installs it)"

make_file "$T/src/obj" $((3 * MiB + 5))
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj

# run NAME [VAR=VALUE...]: copies the object over HTTP with the system calls traced; prints the
# SO_RCVBUF values the client asked for, one line per socket.
run() {
    local name=$1 trace=$T/$1.trace
    shift
    UR_WRAPPER=$(traced "$trace" setsockopt) \
        ur_capture "$@" -- --endpoint-url "$UR_S3_HTTP" --numworkers 2 cp "$src" "$T/out/$name"
    assert_rc 0 "$name"
    assert_same "$T/src/obj" "$T/out/$name"
    sed -n 's/.*SO_RCVBUF, \[\([0-9]*\)\].*/\1/p' "$trace"
}

got=$(run set URESTORE_RCVBUF=1048576 | sort -u)
[ "$got" = 1048576 ] || fail "URESTORE_RCVBUF=1048576: the sockets asked for '${got//$'\n'/ }'"

got=$(run off URESTORE_RCVBUF=0)
[ -z "$got" ] || fail "URESTORE_RCVBUF=0: SO_RCVBUF was still set (${got//$'\n'/ })"

got=$(run default | sort -u)
if [ "$(cat /proc/sys/net/core/rmem_max)" -ge $((4 * MiB)) ]; then
    [ "$got" = $((4 * MiB)) ] || fail "default with rmem_max ≥ 4 MiB: the sockets asked for '${got//$'\n'/ }'"
else
    [ -z "$got" ] || fail "default with rmem_max < 4 MiB: SO_RCVBUF should stay unset, got ${got//$'\n'/ }"
fi

e2e_pass
