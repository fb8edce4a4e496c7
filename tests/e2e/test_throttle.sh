#!/usr/bin/env bash
# Throttling: 10,000 objects of 1 KiB under one prefix, from a server that allows that prefix 500 requests
# per second (a token bucket; above it: 503 SlowDown, as S3 does per prefix). Every file must land
# byte-identical and fewer than 10 % of the requests may be answered 503: the client must pace itself
# instead of hammering the prefix. First, the same restore without the limit shows that client and server
# together sustain well over 500 requests per second; where they do not (a client under valgrind), the limit
# is lowered to half the measured rate so that it still binds.
#
# UR_THROTTLE_FILES (default 10000) and UR_THROTTLE_RATE (default 500) change the scenario.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init throttle

N=${UR_THROTTLE_FILES:-10000}
RATE=${UR_THROTTLE_RATE:-500}
PREFIX=shared

mkdir -p "$FS_ROOT/$BUCKET/$PREFIX"
(cd "$FS_ROOT/$BUCKET/$PREFIX" && head -c $((N * 1024)) /dev/urandom | split -b 1024 -a 5 -d - obj-)
[ "$(find "$FS_ROOT/$BUCKET/$PREFIX" -type f | wc -l)" = "$N" ] || fail "could not create $N objects"
# tasks.txt DEST: one cp line per object.
tasks() {
    (cd "$FS_ROOT/$BUCKET/$PREFIX" && ls) | awk -v b="$BUCKET/$PREFIX" -v d="$1" '{ printf "cp s3://%s/%s %s/%s\n", b, $1, d, $1 }'
}
fault_endpoint http
now_ms() { date +%s%3N; }

# restore DIR RULES: restores every object into DIR under RULES; sets dt (ms) and total (requests).
restore() {
    fault_rules "$2"
    tasks "$1" >"$1.txt"
    fault_log_mark
    local t0
    t0=$(now_ms)
    ur_capture "${EP[@]}" --log error run "$1.txt"
    dt=$(($(now_ms) - t0))
    total=$(fault_log_since | wc -l)
}

# 1. No limit: the server's own capacity.
restore "$T/free" '{}'
assert_rc 0 "the restore without a limit"
free_reqs=$total
free_rate=$((free_reqs * 1000 / (dt > 0 ? dt : 1)))
say "without a limit: $free_reqs requests in $dt ms = $free_rate requests/s"
# The limit must bind: at most half of what client and server manage together. Under valgrind the client
# is the slow half, so the limit follows the measured rate down instead of failing (floor: 50/s).
if [ "$free_rate" -lt $((RATE * 2)) ]; then
    RATE=$((free_rate / 2))
    [ "$RATE" -ge 50 ] || fail "client and server manage only $free_rate requests/s: too slow to test a limit"
    say "the limit follows the measured rate down to $RATE requests/s"
fi

# 2. The limit: RATE requests/s on the prefix, bursts of RATE/10.
restore "$T/out" "{\"throttle\":[{\"prefix\":\"$PREFIX/\",\"rate\":$RATE,\"burst\":$((RATE / 10))}]}"
slow=$(fault_count 7 503)
share=$(awk -v s="$slow" -v t="$total" 'BEGIN { printf "%.1f", t ? 100 * s / t : 0 }')
landed=$(find "$T/out" -type f -name 'obj-*' | wc -l)
say "limit $RATE/s: $N files, $landed landed, exit $UR_RC; $total requests, $slow answered 503 ($share %);" \
    "wall $((dt / 1000)).$((dt % 1000 / 100)) s (at least $((N / RATE)) s at the limit)"
echo "THROTTLE files=$N landed=$landed requests=$total slowdown=$slow share=$share% wall_ms=$dt" >&2

assert_no_temp_files "$T/out"
diff -rq "$FS_ROOT/$BUCKET/$PREFIX" "$T/out" >"$T/.diff" 2>&1 ||
    fail "$(wc -l <"$T/.diff") files missing or different, e.g. $(head -n 2 "$T/.diff" | tr '\n' ' ')"
assert_rc 0 "every file landed"
awk -v s="$slow" -v t="$total" 'BEGIN { exit !(s * 10 < t) }' ||
    fail "$share % of the requests were answered 503 SlowDown (limit: under 10 %)"
e2e_pass
