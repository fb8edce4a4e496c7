# tests/e2e/lib.sh — sourced by every tests/e2e/test_*.sh: the server, seeding objects with the aws CLI,
# running the client under test, and assertions that say what went wrong.
#
# A test script: `. "$(dirname "$0")/lib.sh"; e2e_init NAME`, then seed, run `ur`/`ur_capture`, assert,
# and end with `e2e_pass`. Exit status: 0 pass, 1 fail, 77 skip (`skip REASON`).
#
# Environment:
#   UR_RGW_DIR   a server started by tests/servers/rgw.sh (tests/run.sh sets it). Unset: the test starts its
#                own private server (~2 s) and stops it on exit, so `bash tests/e2e/test_x.sh` works alone.
#   UR_BIN       the client under test (default: build/urestore, or $BUILD/urestore)
#   UR_WRAPPER   optional command prefix for the client, e.g. "valgrind -q --error-exitcode=99"
#   UR_E2E_TMP   where test directories go (default: $BUILD/e2e-tmp, on the repository's disk)
#   UR_E2E_KEEP  1: keep the test's directory and bucket after it ends (debugging)
#   UR_IO_BACKEND  auto, uring or epoll: the client's I/O backend (URESTORE_IO_BACKEND, exported for the
#                tests that build their own environment; `make test-epoll` sets epoll). Unset: automatic.
# shellcheck shell=bash
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
BUILD_DIR=${BUILD:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$REPO/$BUILD_DIR ;; esac
AWS=/usr/bin/aws # Debian's; /root/.pyenv/shims/aws may shadow it on PATH

# shellcheck disable=SC2034 # used by the tests that source this file
MiB=$((1024 * 1024))

# The backend under test travels as URESTORE_IO_BACKEND (the CLI's variable, and tests/abi/env_options.h's);
# UR_IO_ENV holds it as an env(1) word (or nothing) for the tests that run programs under `env -i`.
UR_IO_ENV=()
if [ -n "${UR_IO_BACKEND:-}" ]; then
    export URESTORE_IO_BACKEND=$UR_IO_BACKEND
    UR_IO_ENV=(URESTORE_IO_BACKEND="$UR_IO_BACKEND")
fi

# ---------------------------------------------------------------------------------------------------------
# reporting

say() { printf '%s: %s\n' "${TEST_NAME:-e2e}" "$*" >&2; }

# fail MESSAGE: the test failed; shows the last client output, exits 1.
fail() {
    printf 'FAIL %s: %s\n' "${TEST_NAME:-e2e}" "$*" >&2
    if [ -n "${UR_LAST_CMD:-}" ]; then
        printf '  last client command: %s (exit %s)\n' "$UR_LAST_CMD" "${UR_RC:-?}" >&2
        if [ -s "${UR_OUT:-/nonexistent}" ]; then
            echo "  --- its stdout (last 10 lines):" >&2
            tail -n 10 "$UR_OUT" | sed 's/^/  | /' >&2
        fi
        if [ -s "${UR_ERR:-/nonexistent}" ]; then
            echo "  --- its stderr (last 10 lines):" >&2
            tail -n 10 "$UR_ERR" | sed 's/^/  | /' >&2
        fi
    fi
    local left
    left=$(find "${T:-/nonexistent}" -name '.*.urestore-*' -print 2>/dev/null | head -n 5)
    [ -z "$left" ] || printf '  also: temporary files left behind:\n%s\n' "$left" | sed '2,$s/^/  | /' >&2
    exit 1
}

# skip REASON: this test cannot run here; exits 77.
skip() {
    printf 'SKIP %s: %s\n' "${TEST_NAME:-e2e}" "$*" >&2
    exit 77
}

# e2e_pass: final checks every test shares (no temporary file left anywhere), then exit 0.
e2e_pass() {
    assert_no_temp_files "$T"
    exit 0
}

# ---------------------------------------------------------------------------------------------------------
# set-up and tear-down

# e2e_init NAME: sources the server's env (starting a private server if none), checks the client binary,
# creates $T (the test's directory on disk), $HOME_DIR (an empty HOME for the client) and $BUCKET (a new,
# uniquely named bucket), and registers the clean-up.
e2e_init() {
    TEST_NAME=$1
    local tmp_root=${UR_E2E_TMP:-$BUILD_DIR/e2e-tmp}
    mkdir -p "$tmp_root"
    T=$(mktemp -d "$tmp_root/$TEST_NAME.XXXXXX")
    HOME_DIR=$T/.home
    mkdir -p "$HOME_DIR"
    E2E_MOUNTS=() # unmounted on exit
    E2E_PIDS=()   # killed on exit
    E2E_OWN_SERVER=
    trap e2e_cleanup EXIT

    UR_BIN=${UR_BIN:-$BUILD_DIR/urestore}
    case "$UR_BIN" in /*) ;; *) UR_BIN=$PWD/$UR_BIN ;; esac
    [ -x "$UR_BIN" ] || fail "client not found or not executable: $UR_BIN (build it with make)"

    if [ -z "${UR_RGW_DIR:-}" ]; then
        E2E_OWN_SERVER=$T/.rgw
        say "no UR_RGW_DIR: starting a private radosgw in $E2E_OWN_SERVER"
        bash "$REPO/tests/servers/rgw.sh" start "$E2E_OWN_SERVER" >&2 || fail "could not start radosgw"
        UR_RGW_DIR=$E2E_OWN_SERVER
    fi
    [ -r "$UR_RGW_DIR/env" ] || fail "no server environment at $UR_RGW_DIR/env"
    # shellcheck source=/dev/null
    . "$UR_RGW_DIR/env"


    BUCKET=$(bucket_name "$TEST_NAME")
    make_bucket "$BUCKET"
}

e2e_cleanup() {
    local rc=$? m
    set +e
    for m in "${E2E_PIDS[@]}"; do kill "$m" 2>/dev/null; done
    for m in "${E2E_MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    if [ "${UR_E2E_KEEP:-0}" = 1 ]; then
        say "kept $T and bucket ${BUCKET:-}"
    else
        if [ -n "${BUCKET:-}" ] && [ -n "${UR_S3_HTTP:-}" ]; then
            aws_cli s3 rb --force "s3://$BUCKET" >/dev/null 2>&1
        fi
        [ -n "$E2E_OWN_SERVER" ] && bash "$REPO/tests/servers/rgw.sh" stop "$E2E_OWN_SERVER"
        rm -rf "$T"
    fi
    [ -n "$E2E_OWN_SERVER" ] && [ "${UR_E2E_KEEP:-0}" = 1 ] && bash "$REPO/tests/servers/rgw.sh" stop "$E2E_OWN_SERVER"
    exit "$rc"
}

# bucket_name PREFIX: a valid, unique bucket name (lowercase, 3–63 characters).
bucket_name() {
    local p
    p=$(printf '%s' "$1" | tr 'A-Z_' 'a-z-' | tr -cd 'a-z0-9-' | cut -c1-40)
    printf 'ur-%s-%s%04x\n' "$p" "$(date +%s | tail -c 6)" "$((RANDOM))"
}

# ---------------------------------------------------------------------------------------------------------
# seeding with the aws CLI

# aws_cli ARGS...: Debian's aws CLI in a clean environment (no host AWS_CA_BUNDLE, profile or config),
# signed with the test user, against $SEED_ENDPOINT (default: the HTTP endpoint). The checksum settings keep
# awscli from sending aws-chunked bodies, which radosgw rejects or stores wrongly.
aws_cli() {
    local ep=${SEED_ENDPOINT:-$UR_S3_HTTP}
    local -a tls=()
    case "$ep" in https:*) tls=(--ca-bundle "$UR_CA_FILE") ;; esac
    env -i PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
        AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_DEFAULT_REGION="$AWS_REGION" AWS_REGION="$AWS_REGION" \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER= \
        AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required \
        "$AWS" --endpoint-url "$ep" "${tls[@]}" "$@"
}

make_bucket() {
    aws_cli s3api create-bucket --bucket "$1" >/dev/null || fail "could not create bucket $1"
}

# put_object BUCKET KEY FILE [EXTRA aws s3api put-object ARGS]: one PUT; the key is sent exactly as given.
put_object() {
    local b=$1 k=$2 f=$3
    shift 3
    aws_cli s3api put-object --bucket="$b" --key="$k" --body="$f" "$@" >/dev/null ||
        fail "could not upload $f to s3://$b/$k"
}

# put_object_multipart BUCKET KEY FILE: a multipart upload in 8 MiB parts (how real large files arrive;
# the object's ETag then ends in -N). The key must be plain (aws s3 cp interprets some characters).
put_object_multipart() {
    aws_cli s3 cp --only-show-errors "$3" "s3://$1/$2" || fail "could not upload $3 to s3://$1/$2"
}

# put_tree BUCKET PREFIX DIR: uploads every file under DIR as PREFIX/RELATIVE-PATH, in parallel.
put_tree() {
    aws_cli s3 sync --only-show-errors "$3" "s3://$1/$2" || fail "could not sync $3 to s3://$1/$2"
}

# ---------------------------------------------------------------------------------------------------------
# local files

# make_file PATH SIZE: a file of exactly SIZE bytes of random content.
make_file() {
    mkdir -p "$(dirname "$1")"
    head -c "$2" /dev/urandom >"$1"
    [ "$(stat -c %s "$1")" = "$2" ] || fail "could not create $1 of $2 bytes"
}

sha256() { sha256sum <"$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------------------------------
# running the client

# ur [VAR=VALUE | -u VAR]... [--] ARGS...
# Runs $UR_BIN with a clean environment: PATH, an empty HOME, the test user's AWS_* keys and region, and
# nothing else from the host. Leading VAR=VALUE words add or override variables, -u VAR removes one (as in
# env(1)); an optional -- ends them. Bounded by UR_TIMEOUT seconds (default 300). Returns the client's status.
ur() {
    local -a vars=()
    while [ $# -gt 0 ]; do
        case "$1" in
        --) shift; break ;;
        -u) vars+=("$1" "$2"); shift 2 ;;
        [A-Za-z_]*=*) vars+=("$1"); shift ;;
        *) break ;;
        esac
    done
    local -a wrap=()
    # shellcheck disable=SC2206 # UR_WRAPPER is a command prefix: word splitting intended
    [ -n "${UR_WRAPPER:-}" ] && wrap=($UR_WRAPPER)
    UR_LAST_CMD="urestore $*"
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
        AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION="$AWS_REGION" "${UR_IO_ENV[@]}" \
        /usr/bin/timeout -k 5 "${UR_TIMEOUT:-300}" /usr/bin/env "${vars[@]}" "${wrap[@]}" "$UR_BIN" "$@"
}

# traced TRACE SYSCALLS: prints a UR_WRAPPER that records the client's SYSCALLS (strace's -e trace= list)
# in TRACE, around the usual wrapper. LeakSanitizer cannot work under ptrace, so under ASan these runs
# skip the leak check (the valgrind run of the same test still checks).
traced() {
    local asan=
    [ -n "${ASAN_OPTIONS:-}" ] && asan=" env ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0"
    echo "strace -f -qq -e trace=$2 -o $1 ${UR_WRAPPER:-}$asan"
}

# The system trust store, for the tests of it: hashed_ca_dir DIR [CA] makes DIR an OpenSSL hashed CA
# directory holding CA (or nothing); junk_pem FILE writes a PEM file whose one certificate does not parse;
# system_store_copy NAME ENDPOINT SRC DIR FILE copies SRC to $T/NAME/obj over ENDPOINT trusting only the
# system store, SSL_CERT_DIR=DIR and SSL_CERT_FILE=FILE, with the files the client opens in $T/NAME.trace.
hashed_ca_dir() {
    mkdir -p "$1"
    [ -z "${2:-}" ] && return 0
    cp "$2" "$1/ca.pem"
    openssl rehash "$1" 2>/dev/null || fail "openssl rehash failed"
}
junk_pem() {
    printf -- '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n' >"$1"
}
system_store_copy() {
    command -v strace >/dev/null || fail "strace is missing (scripts/deps.sh installs it)"
    UR_WRAPPER=$(traced "$T/$1.trace" open,openat) \
        ur_capture SSL_CERT_DIR="$4" SSL_CERT_FILE="$5" -- --endpoint-url "$2" cp "$3" "$T/$1/obj"
}

# ur_capture [same arguments as ur]: runs the client with stdout in $UR_OUT and stderr in $UR_ERR and its
# exit status in $UR_RC (stdin is passed through). Fails the test only when the client hangs or crashes.
ur_capture() {
    UR_CAPTURE_N=$((${UR_CAPTURE_N:-0} + 1))
    UR_OUT=$T/.ur.$UR_CAPTURE_N.out
    UR_ERR=$T/.ur.$UR_CAPTURE_N.err
    UR_RC=0
    ur "$@" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
    if [ "$UR_RC" = 124 ] || [ "$UR_RC" = 137 ]; then fail "the client timed out after ${UR_TIMEOUT:-300}s"; fi
    if [ "$UR_RC" -ge 128 ]; then fail "the client died of signal $((UR_RC - 128))"; fi
}

# ---------------------------------------------------------------------------------------------------------
# assertions (each fails the test with a message naming what was expected and what was found)

assert_rc() {
    [ "$UR_RC" = "$1" ] || fail "expected exit status $1, got $UR_RC${2:+ ($2)}"
}

# assert_same FILE_EXPECTED FILE_ACTUAL: the downloaded file exists and is byte-identical (sha256).
assert_same() {
    [ -f "$2" ] || fail "missing download: $2"
    local es as
    es=$(stat -c %s "$1")
    as=$(stat -c %s "$2")
    [ "$es" = "$as" ] || fail "$2: size $as, expected $es"
    [ "$(sha256 "$1")" = "$(sha256 "$2")" ] || fail "$2: content differs from the upload (sha256)"
}

assert_absent() {
    if [ -e "$1" ] || [ -L "$1" ]; then fail "$1 should not exist"; fi
}

assert_mode() {
    local m
    m=$(stat -c %a "$1")
    [ "$m" = "$2" ] || fail "$1: mode $m, expected $2"
}

# assert_no_temp_files DIR: no ".NAME.urestore-XXXX" file left anywhere below DIR.
assert_no_temp_files() {
    local left
    left=$(find "$1" -name '.*.urestore-*' -print 2>/dev/null | head -n 5)
    [ -z "$left" ] || fail "temporary files left behind: $left"
}

# signal_exit_ms PID TERM|INT|KILL [TIMEOUT_MS]: sends the signal and prints the milliseconds until the process
# exited (tests/tools/signal_exit_ms.c, built on first use; it polls a pidfd). Timing with `$(date)` around
# kill and wait measured the shell's forks as well: 12-471 ms each on these machines under load.
signal_exit_ms() {
    local tool=$T/.signal_exit_ms
    [ -x "$tool" ] || cc -std=gnu11 -Wall -Wextra -Werror -O2 -o "$tool" "$REPO/tests/tools/signal_exit_ms.c" ||
        fail "tests/tools/signal_exit_ms.c does not build"
    "$tool" "$1" "$2" "${3:-30000}"
}

# client_pid PID: the client below a background job (the job runs timeout(1), which env exec'd, and perhaps
# a wrapper): the deepest descendant.
client_pid() {
    local p=$1 c
    while c=$(pgrep -P "$p" | head -n 1) && [ -n "$c" ]; do p=$c; done
    echo "$p"
}

# files_open PID DIR: how many files below DIR process PID has open (unnamed O_TMPFILE ones included:
# their /proc link reads "DIR/#INODE (deleted)").
files_open() {
    local f n=0
    for f in /proc/"$1"/fd/*; do
        case "$(readlink "$f" 2>/dev/null)" in "$2"/*) n=$((n + 1)) ;; esac
    done
    echo "$n"
}

# wait_files_open JOB DIR N: waits (up to 15 s) until the client below background job JOB writes N files
# below DIR: the restore is under way. Fails if the client ends first.
wait_files_open() {
    local i
    for i in $(seq 1 300); do
        [ "$(files_open "$(client_pid "$1")" "$2")" -ge "$3" ] && return 0
        kill -0 "$1" 2>/dev/null || fail "the client ended before it had $3 files open below $2"
        sleep 0.05
    done
    fail "the client never had $3 files open below $2"
}

# assert_stdout_line LINE: the client printed exactly this line on stdout.
assert_stdout_line() {
    grep -Fxq -- "$1" "$UR_OUT" || fail "stdout lacks the line: $1"
}

assert_stdout_lines() {
    local n
    n=$(wc -l <"$UR_OUT")
    [ "$n" = "$1" ] || fail "stdout has $n lines, expected $1"
}

assert_stdout_empty() {
    [ ! -s "$UR_OUT" ] || fail "stdout should be empty"
}

assert_stderr_has() {
    grep -Fq -- "$1" "$UR_ERR" || fail "stderr lacks: $1"
}

assert_stderr_empty() {
    [ ! -s "$UR_ERR" ] || fail "stderr should be empty"
}

# assert_error_line SRC DST WORD: stderr has the line `ERROR "cp SRC DST": ...WORD...`.
assert_error_line() {
    local prefix="ERROR \"cp $1 $2\": "
    grep -F -- "$prefix" "$UR_ERR" | grep -Fq -- "$3" ||
        fail "stderr lacks an error line starting with [$prefix] and containing [$3]"
}

# ---------------------------------------------------------------------------------------------------------
# run files

# shell_quote STRING: STRING as one POSIX-shell word (single quotes; ' becomes '\'').
shell_quote() {
    local s=$1
    printf "'%s'" "${s//\'/\'\\\'\'}"
}

# run_line [cp OPTIONS...] SRC DST: a `cp` line for a run file, both paths quoted.
run_line() {
    local -a opts=()
    while [ $# -gt 2 ]; do opts+=("$1"); shift; done
    printf 'cp %s%s %s\n' "${opts[*]:+${opts[*]} }" "$(shell_quote "$1")" "$(shell_quote "$2")"
}

# endpoint_args http|https [HTTP_URL HTTPS_URL CA]: sets the array EP to the client options that reach
# the server by that scheme (HTTPS: the name in the certificate, trusted through --ca-bundle). The server
# is radosgw unless the URLs and CA are given (the fault server's tests pass theirs).
# shellcheck disable=SC2034 # EP is for the caller
endpoint_args() {
    local http=${2:-$UR_S3_HTTP} https=${3:-$UR_S3_HTTPS} ca=${4:-$UR_CA_FILE}
    case "$1" in
    http) EP=(--endpoint-url "$http") ;;
    https) EP=(--endpoint-url "$https" --ca-bundle "$ca") ;;
    *) fail "endpoint_args: unknown scheme $1" ;;
    esac
}

# assert_same_tree DIR_EXPECTED DIR_ACTUAL: both hold the same relative paths with the same sha256.
assert_same_tree() {
    local a b
    a=$(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
    b=$(cd "$2" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
    if [ "$a" != "$b" ]; then
        diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -n 10 >&2
        fail "$2 differs from $1 (sha256 of every file; first differences above)"
    fi
}

# watch_appearance PATH SIZE: in the background, watches PATH until it appears and records its size at
# that moment; check_appearance (after the client returned) fails if it ever appeared incomplete.
watch_appearance() {
    WATCH_LOG=$T/.watch.$RANDOM
    (
        while [ ! -e "$1" ]; do sleep 0.002; done
        stat -c %s "$1" >"$WATCH_LOG"
    ) &
    WATCH_PID=$!
    WATCH_SIZE=$2
    E2E_PIDS+=("$WATCH_PID")
}

check_appearance() {
    for _ in $(seq 1 100); do [ -s "$WATCH_LOG" ] && break; sleep 0.02; done
    kill "$WATCH_PID" 2>/dev/null || true
    wait "$WATCH_PID" 2>/dev/null || true
    [ -s "$WATCH_LOG" ] || fail "the watcher never saw the destination appear"
    [ "$(cat "$WATCH_LOG")" = "$WATCH_SIZE" ] ||
        fail "the destination appeared with $(cat "$WATCH_LOG") bytes, before it was complete ($WATCH_SIZE)"
}
