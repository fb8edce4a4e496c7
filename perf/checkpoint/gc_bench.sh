#!/usr/bin/env bash
# perf/checkpoint/gc_bench.sh — `urestore checkpoint gc` (dry run) over one job directory with many objects
# in shared/ and 100 retained checkpoints, side by side with `aws s3 ls --recursive` of the same prefix:
# wall time, CPU time and peak RSS of each (GNU time). Results: perf/checkpoint/README.md.
#
#   bash perf/checkpoint/gc_bench.sh [OBJECTS] [REFS_PER_CHECKPOINT]      (defaults 50000 and 300)
#
# Uses the radosgw of UR_RGW_DIR, else starts a private one (tests/servers/rgw.sh). UR_BIN: the client
# (default build/urestore). The data set stays in the bucket between runs of the same size (KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
N=${1:-50000}
R=${2:-300}
UR_BIN=${UR_BIN:-$REPO/build/urestore}
WORK=${WORK:-$REPO/build/perf-checkpoint}
mkdir -p "$WORK"
if [ -z "${UR_RGW_DIR:-}" ]; then
    UR_RGW_DIR=$WORK/rgw
    bash tests/servers/rgw.sh start "$UR_RGW_DIR" >&2
    trap 'bash tests/servers/rgw.sh stop "$UR_RGW_DIR"' EXIT
fi
. "$UR_RGW_DIR/env"
BUCKET=ckpt-bench-$N
J=cp/00000000000000000000000000000000
cat >"$WORK/aws.cfg" <<CFG
[default]
s3 =
    max_concurrent_requests = 64
    max_queue_size = 100000
CFG
aws_() {
    env -i PATH=/usr/bin:/bin HOME="$WORK" AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
        AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$WORK/aws.cfg" \
        AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_REQUEST_CHECKSUM_CALCULATION=when_required \
        AWS_RESPONSE_CHECKSUM_VALIDATION=when_required /usr/bin/aws --endpoint-url "$UR_S3_HTTP" "$@"
}

if ! aws_ s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
    echo "gc_bench: seeding $N objects and 100 checkpoints of $R references into s3://$BUCKET/$J" >&2
    aws_ s3api create-bucket --bucket "$BUCKET" >/dev/null
    tree=$WORK/tree-$N
    rm -rf "$tree"
    mkdir -p "$tree/$J/shared"
    python3 - "$tree/$J/shared" "$N" <<'PY'
import os, sys, uuid
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, str(uuid.uuid4())), "wb") as f:
        f.write(b"x" * 64)
PY
    cc -D_GNU_SOURCE -I"$REPO" -std=gnu11 -O1 -o "$WORK/mkmeta" tests/flink/mkmeta.c
    mapfile -t names < <(ls "$tree/$J/shared")
    for c in $(seq 1 100); do
        mkdir -p "$tree/$J/chk-$c"
        args=()
        for k in $(seq 0 $((R - 1))); do
            args+=(-a "s3://$BUCKET/$J/shared/${names[$(((c * 97 + k * 13) % N))]}" 64)
        done
        "$WORK/mkmeta" "$tree/$J/chk-$c/_metadata" "$c" "${args[@]}"
    done
    t0=$(date +%s)
    aws_ s3 sync --only-show-errors "$tree" "s3://$BUCKET/"
    echo "gc_bench: seeded in $(($(date +%s) - t0)) s" >&2
    rm -rf "$tree"
fi

# measure NAME CMD...: wall s, user+sys s, max RSS KiB (GNU time), stdout lines.
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || {
        echo "gc_bench: $name failed: $(tail -n 3 "$WORK/err")" >&2
        return 1
    }
    read -r wall user sys rss <"$WORK/time"
    printf '%-34s wall %6.2f s  cpu %6.2f s  rss %7d KiB  lines %d\n' "$name" "$wall" \
        "$(echo "$user + $sys" | bc)" "$rss" "$(wc -l <"$WORK/out")"
}

# GNU time runs programs, not shell functions: two small scripts with the clean environments.
printf '#!/bin/sh\nexec env -i PATH=/usr/bin:/bin HOME="%s" AWS_ACCESS_KEY_ID="%s" AWS_SECRET_ACCESS_KEY="%s" AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="%s" AWS_SHARED_CREDENTIALS_FILE=/dev/null /usr/bin/aws --endpoint-url "%s" "$@"\n' \
    "$WORK" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$WORK/aws.cfg" "$UR_S3_HTTP" >"$WORK/aws.sh"
printf '#!/bin/sh\nexec env -i PATH=/usr/bin:/bin HOME="%s" AWS_ACCESS_KEY_ID="%s" AWS_SECRET_ACCESS_KEY="%s" URESTORE_NO_PROGRESS=1 "%s" --endpoint-url "%s" "$@"\n' \
    "$WORK" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$UR_BIN" "$UR_S3_HTTP" >"$WORK/ur.sh"
chmod +x "$WORK/aws.sh" "$WORK/ur.sh"
echo "objects $N, 100 checkpoints x $R references, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
measure "aws s3 ls --recursive" "$WORK/aws.sh" s3 ls --recursive "s3://$BUCKET/$J/"
measure "urestore checkpoint gc (8 threads)" "$WORK/ur.sh" checkpoint gc --min-age 0 "s3://$BUCKET/cp"
grep '^# read' "$WORK/out" >&2 || true
measure "urestore checkpoint gc (1 thread)" "$WORK/ur.sh" checkpoint gc --min-age 0 --list-threads 1 "s3://$BUCKET/cp"
