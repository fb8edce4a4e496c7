#!/usr/bin/env bash
# tests/fuzz/run.sh — runs libFuzzer targets built by `make fuzz-build` (see tests/tests.mk).
#
#   run.sh --bin DIR [--seconds N] TARGET...   fuzz each target for N seconds (default 30)
#   run.sh --bin DIR --regress TARGET...       run every committed corpus input once
#
# Each target starts from its committed seed corpus tests/fuzz/corpus/TARGET (never written to) plus a
# working corpus DIR/corpus/TARGET that keeps what earlier runs found. A crash, sanitizer report, timeout
# or leak stops that target; its input lands in DIR/crashes/TARGET/ and the run fails. One line per
# target: "PASS fuzz/TARGET: N execs in S s, corpus C" or "FAIL fuzz/TARGET: ..." with the input's path;
# then "N passed, N failed".
set -euo pipefail

cd "$(dirname "$0")/../.."
bin='' seconds=30 regress=0 targets=()
while [ $# -gt 0 ]; do
    case "$1" in
    --bin) bin=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --regress) regress=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
    esac
    shift
done
if [ -z "$bin" ] || [ "${#targets[@]}" = 0 ]; then
    echo "usage: run.sh --bin DIR [--seconds N | --regress] TARGET..." >&2
    exit 2
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
passed=0 failed=0
for t in "${targets[@]}"; do
    exe=$bin/fuzz_$t
    seeds=tests/fuzz/corpus/$t
    work=$bin/corpus/$t
    crashes=$bin/crashes/$t
    log=$bin/fuzz_$t.log
    mkdir -p "$work" "$crashes" "$seeds"
    if [ ! -x "$exe" ]; then
        echo "FAIL fuzz/$t: $exe not built"
        failed=$((failed + 1))
        continue
    fi
    rc=0
    if [ "$regress" = 1 ]; then
        shopt -s nullglob
        inputs=("$seeds"/*)
        shopt -u nullglob
        [ "${#inputs[@]}" -gt 0 ] || { echo "PASS fuzz/$t: no corpus"; passed=$((passed + 1)); continue; }
        "$exe" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" >"$log" 2>&1 || rc=$?
    else
        timeout -k 10 $((seconds + 120)) "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -max_len=8192 -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "$seeds" >"$log" 2>&1 || rc=$?
    fi
    if [ "$rc" = 0 ]; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        corpus=$(find "$work" -type f | wc -l)
        if [ "$regress" = 1 ]; then
            echo "PASS fuzz/$t: ${#inputs[@]} corpus inputs"
        else
            echo "PASS fuzz/$t: ${execs:-?} execs in ${seconds} s, corpus $corpus (+$(find "$seeds" -type f | wc -l) seeds)"
        fi
        passed=$((passed + 1))
    else
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        echo "FAIL fuzz/$t: exit status $rc${input:+; input: $input} (log: $log)"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|    #[0-9] )' "$log" | head -n 12 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
