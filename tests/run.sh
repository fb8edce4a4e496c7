#!/usr/bin/env bash
# tests/run.sh — the test runner behind `make test` (and `make unit` with --unit-only). Run from anywhere
# after the build; it works from the repository root.
#
#   1. every unit test program $BUILD/tests/test_* (cwd = repository root)
#   2. unless --unit-only: a throwaway radosgw (tests/servers/rgw.sh), then every tests/e2e/test_*.sh
#
# One line per test: "PASS name (1.2s)", "FAIL name" followed by the end of its output, or
# "SKIP name: reason"; then exactly one line "N passed, N failed, N skipped". Exit status 1 if a test failed.
# A test program exits 0 (pass), 77 (skip) or anything else (fail).
#
# Options: --unit-only, --e2e-only, -k PATTERN (only tests whose name contains PATTERN; repeat it for
# tests matching any of several).
# Environment: BUILD (default build), UR_BIN (client for the e2e tests, default $BUILD/urestore),
# UR_TEST_TIMEOUT (seconds per e2e test, default 600; unit tests get 300), UR_RGW_DIR (use a running server
# instead of starting one), UR_TIME_SCALE (multiplies the tests' wall-clock bounds on the client: 3 under
# ASan; default 1).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
BUILD=${BUILD:-build}
export BUILD

unit=1 e2e=1
patterns=()
while [ $# -gt 0 ]; do
    case "$1" in
    --unit-only) e2e=0 ;;
    --e2e-only) unit=0 ;;
    -k) patterns+=("$2"); shift ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

passed=0 failed=0 skipped=0
failed_names=()
LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/urestore-tests.XXXXXX")
RGW_DIR=
cleanup() {
    if [ -n "$RGW_DIR" ]; then
        bash tests/servers/rgw.sh stop "$RGW_DIR" || true
        rm -rf "$RGW_DIR"
    fi
    rm -rf "$LOG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { date +%s%3N; }

# selected NAME: no -k given, or NAME contains one of the -k patterns.
selected() {
    [ ${#patterns[@]} = 0 ] && return 0
    local p
    for p in "${patterns[@]}"; do [[ "$1" == *"$p"* ]] && return 0; done
    return 1
}

# run_one NAME TIMEOUT CMD...: runs one test with its output in a log, prints its line, counts it.
run_one() {
    local name=$1 secs=$2 t0 rc=0 dt log reason
    shift 2
    selected "$name" || return 0
    log=$LOG_DIR/${name//\//_}.log
    t0=$(now_ms)
    timeout -k 10 "$secs" "$@" >"$log" 2>&1 </dev/null || rc=$?
    dt=$(($(now_ms) - t0))
    dt="$((dt / 1000)).$(((dt % 1000) / 100))s"
    case "$rc" in
    0)
        echo "PASS $name ($dt)"
        passed=$((passed + 1))
        ;;
    77)
        # The reason: the test's "SKIP name: reason" line, else its last line.
        reason=$(grep -m1 '^SKIP ' "$log" | sed 's/^SKIP [^:]*: //' || true)
        [ -n "$reason" ] || reason=$(tail -n 1 "$log")
        echo "SKIP $name: ${reason:-no reason given}"
        skipped=$((skipped + 1))
        ;;
    *)
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            echo "FAIL $name ($dt): timed out after ${secs}s"
        else
            echo "FAIL $name ($dt): exit status $rc"
        fi
        tail -n 20 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
        failed_names+=("$name")
        ;;
    esac
}

if [ "$unit" = 1 ]; then
    shopt -s nullglob
    units=("$BUILD"/tests/test_*)
    shopt -u nullglob
    [ "${#units[@]}" -gt 0 ] || echo "run.sh: no unit test programs in $BUILD/tests (build with make first)" >&2
    for t in "${units[@]}"; do
        if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
        run_one "unit/$(basename "$t")" "${UR_UNIT_TIMEOUT:-300}" "$t"
    done
fi

if [ "$e2e" = 1 ]; then
    shopt -s nullglob
    e2es=(tests/e2e/test_*.sh)
    shopt -u nullglob
    export UR_BIN=${UR_BIN:-$BUILD/urestore}
    case "$UR_BIN" in /*) ;; *) UR_BIN=$REPO/$UR_BIN ;; esac
    want=0
    for t in "${e2es[@]}"; do selected "e2e/$(basename "$t" .sh)" && want=1; done
    if [ "$want" = 0 ]; then
        :
    elif [ ! -x "$UR_BIN" ]; then
        echo "FAIL e2e: the client $UR_BIN does not exist (build it with make)"
        failed=$((failed + 1))
    else
        if [ -z "${UR_RGW_DIR:-}" ]; then
            RGW_DIR=$(mktemp -d "${TMPDIR:-/tmp}/urestore-rgw.XXXXXX")
            if ! bash tests/servers/rgw.sh start "$RGW_DIR" >"$LOG_DIR/rgw.log" 2>&1; then
                echo "FAIL e2e/server: radosgw did not start"
                tail -n 40 "$LOG_DIR/rgw.log" | sed 's/^/    /'
                failed=$((failed + 1))
                echo "$passed passed, $failed failed, $skipped skipped"
                exit 1
            fi
            echo "radosgw: $(grep -o 'ready in [0-9]* ms' "$LOG_DIR/rgw.log" || echo started)"
            export UR_RGW_DIR=$RGW_DIR
        fi
        for t in "${e2es[@]}"; do
            run_one "e2e/$(basename "$t" .sh)" "${UR_TEST_TIMEOUT:-600}" bash "$t"
        done
    fi
fi

[ "$failed" = 0 ] || echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
