#!/usr/bin/env bash
# perf/checkpoint/gc_bench.sh — `urestore checkpoint gc` (dry run) over one job directory with many objects
# in shared/ and 100 retained checkpoints, side by side with the listers a user would reach for, listing
# the same prefix: wall time, CPU time (user+sys) and peak RSS of each (GNU time), in one run.
# Results and how to read them: perf/checkpoint/README.md.
#
#   bash perf/checkpoint/gc_bench.sh [OBJECTS [REFS]]   (make perf-gc-scale: 1,000,000 objects, 5,000 refs)
#   GC_DELAY_MS=25 bash perf/checkpoint/gc_bench.sh ...   every tool through a relay adding 25 ms each way
#   bash perf/checkpoint/gc_bench.sh --smoke            2,000 objects on a throwaway radosgw, once (perf-smoke)
#
# The layout (perf/checkpoint/gc_layout.py): OBJECTS 64-byte objects with UUID names in cp/<job>/shared/,
# and chk-1 … chk-100 whose _metadata each reference a window of REFS of them. Every run checks gc's answer
# (exactly the unreferenced objects, each once) and each lister's count (OBJECTS + 100); a wrong answer
# fails the run.
#
# The server: a radosgw of tests/servers/rgw.sh on BlueStore (UR_RGW_STORE=bluestore: the objects on disk, in
# a sparse file, not in the OSD's RAM) in GC_SCALE_DIR (default /var/tmp/urestore-gc-scale), kept between
# runs (perf/lib/rgw_keep.sh stops it at the end and starts it again at the next run), because seeding
# 1,000,000 objects takes ~45 min here (perf/lib/seed_s3.py: 368 PUTs/s at load 10-37). Each size has its own
# bucket, gc-scale-OBJECTS, seeded once (its checkpoints again when REFS changes). `--smoke` uses a memstore
# server of its own under build/ and stops it.
# UR_BIN: the client (default build/urestore). Tools not installed (s5cmd) are skipped with a line.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
smoke=0
[ "${1:-}" = --smoke ] && { smoke=1; shift; }
if [ $smoke = 1 ]; then N=2000 R=40; else N=${1:-1000000} R=${2:-5000}; fi
UR_BIN=${UR_BIN:-$REPO/build/urestore}
case $UR_BIN in /*) ;; *) UR_BIN=$REPO/$UR_BIN ;; esac
[ -x "$UR_BIN" ] || { echo "gc_bench: no client at $UR_BIN (make first)" >&2; exit 1; }
KEEP=${GC_SCALE_DIR:-/var/tmp/urestore-gc-scale}
[ $smoke = 1 ] && KEEP=$REPO/build/perf-gc-smoke
WORK=$KEEP/work-$N-$R
RGW=$KEEP/rgw
mkdir -p "$WORK"

# The server: the smoke's own, or the kept one (running, saved, or new). A server found running is left
# running; one this run started or resumed is saved again at the end.
if [ $smoke = 1 ]; then
    bash tests/servers/rgw.sh start "$RGW" >&2
    trap 'bash tests/servers/rgw.sh stop "$RGW"; rm -rf "$KEEP"' EXIT
elif ! { [ -s "$RGW/env" ] && bash perf/lib/rgw_keep.sh running "$RGW"; }; then
    if [ -d "$RGW/osd/osd.0" ] && bash perf/lib/rgw_keep.sh resume "$RGW"; then :; else
        UR_RGW_STORE=bluestore bash tests/servers/rgw.sh start "$RGW" >&2
    fi
    trap 'bash perf/lib/rgw_keep.sh save "$RGW"' EXIT
fi
. "$RGW/env"
BUCKET=gc-scale-$N
J=cp/00000000000000000000000000000000

# Clean environments: the tools see these keys and nothing of the caller's configuration.
cat >"$WORK/aws.cfg" <<CFG
[default]
s3 =
    max_concurrent_requests = 64
    max_queue_size = 100000
CFG
printf '#!/bin/sh\nexec env -i PATH=/usr/bin:/bin HOME="%s" AWS_ACCESS_KEY_ID="%s" AWS_SECRET_ACCESS_KEY="%s" AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="%s" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required /usr/bin/aws --endpoint-url "%s" "$@"\n' \
    "$WORK" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$WORK/aws.cfg" "$UR_S3_HTTP" >"$WORK/aws.sh"
printf '#!/bin/sh\nexec env -i PATH=/usr/bin:/bin HOME="%s" RCLONE_CONFIG=/dev/null RCLONE_CONFIG_RGW_TYPE=s3 RCLONE_CONFIG_RGW_PROVIDER=Ceph RCLONE_CONFIG_RGW_ENDPOINT="%s" RCLONE_CONFIG_RGW_ACCESS_KEY_ID="%s" RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY="%s" RCLONE_CONFIG_RGW_FORCE_PATH_STYLE=true /usr/bin/rclone "$@"\n' \
    "$WORK" "$UR_S3_HTTP" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$WORK/rclone.sh"
printf '#!/bin/sh\nexec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="%s" AWS_ACCESS_KEY_ID="%s" AWS_SECRET_ACCESS_KEY="%s" AWS_REGION=us-east-1 s5cmd --endpoint-url "%s" "$@"\n' \
    "$WORK" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$UR_S3_HTTP" >"$WORK/s5cmd.sh"
printf '#!/bin/sh\nexec env -i PATH=/usr/bin:/bin HOME="%s" AWS_ACCESS_KEY_ID="%s" AWS_SECRET_ACCESS_KEY="%s" URESTORE_NO_PROGRESS=1 "%s" --endpoint-url "%s" "$@"\n' \
    "$WORK" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$UR_BIN" "$UR_S3_HTTP" >"$WORK/ur.sh"
chmod +x "$WORK"/*.sh

# Seeding, once per bucket: the objects (cut short: rerun, the PUTs are idempotent) and a marker
# "objects"; then the 100 _metadata of REFS references each and a marker "checkpoints" holding REFS. Both
# markers lie outside the job directory.
# (A smoke's server is new: nothing to look up, and each aws CLI start costs ~1-3 s under load.)
marker() { [ $smoke = 1 ] || "$WORK/aws.sh" s3 cp --only-show-errors "s3://$BUCKET/$1" - 2>/dev/null || true; }
if [ "$(marker objects)" != "$N" ]; then
    # A memstore OSD (the smoke's; a kept server from before BlueStore) keeps every object in RAM: 17-20 KiB
    # each here (the index entry, the bucket log, rgw's attributes; 4.8 GiB at 261,000 objects), so
    # 1,000,000 need ~19 GiB. Refuse rather than push a shared machine into the OOM killer.
    need=$((N * 20 / 1024)) avail=$(($(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))
    if grep -q '^osd objectstore = memstore' "$RGW/ceph.conf" && [ "$need" -gt $((avail - 2048)) ]; then
        echo "gc_bench: seeding $N objects needs ~$need MiB of RAM in radosgw's OSD; $avail MiB available" >&2
        echo "gc_bench: (keep 2 GiB for the rest) — try a smaller OBJECTS, e.g. GC_SCALE_ARGS=\"300000 1500\"" >&2
        exit 1
    fi
    echo "gc_bench: seeding $N objects into s3://$BUCKET/$J/shared/" >&2
    create=
    if [ $smoke = 1 ] || ! "$WORK/aws.sh" s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
        create=--create-bucket
    fi
    t0=$(date +%s)
    # Other work shares the machine: the seeding (client and server) yields to it, the measuring not.
    daemons=$(cat "$RGW"/run/*.pid)
    [ $smoke = 1 ] || renice -n 19 -p $daemons >/dev/null
    nice -n 19 python3 perf/lib/seed_s3.py "$UR_S3_HTTP" "$BUCKET" "$J/shared/" "$N" --conns 24 --procs 2 $create
    [ $smoke = 1 ] || renice -n 0 -p $daemons >/dev/null
    [ $smoke = 1 ] || echo "$N" | "$WORK/aws.sh" s3 cp --only-show-errors - "s3://$BUCKET/objects"
    echo "gc_bench: seeded in $(($(date +%s) - t0)) s" >&2
fi
if [ "$(marker checkpoints)" != "$R" ]; then
    echo "gc_bench: writing 100 checkpoints of $R references into s3://$BUCKET/$J/" >&2
    cc -D_GNU_SOURCE -I"$REPO" -std=gnu11 -O1 -o "$WORK/mkmeta" tests/flink/mkmeta.c
    rm -rf "$WORK/tree"
    python3 perf/checkpoint/gc_layout.py meta "$N" "$R" "$WORK/mkmeta" "$WORK/tree" "s3://$BUCKET/$J/shared/"
    python3 perf/lib/seed_s3.py "$UR_S3_HTTP" "$BUCKET" "$J/" --dir "$WORK/tree"
    rm -rf "$WORK/tree"
    [ $smoke = 1 ] || echo "$R" | "$WORK/aws.sh" s3 cp --only-show-errors - "s3://$BUCKET/checkpoints"
fi

# measure NAME EXPECT CMD...: runs CMD under GNU time and prints one row: wall s, user+sys s, peak RSS
# MiB, stdout lines. EXPECT: the line count a lister must print ("-" for gc, checked separately).
fails=0
measure() {
    local name=$1 expect=$2 wall user sys rss lines
    shift 2
    if ! /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err"; then
        echo "gc_bench: $name failed: $(tail -n 3 "$WORK/err")" >&2
        fails=$((fails + 1))
        return 0
    fi
    read -r wall user sys rss <"$WORK/time"
    lines=$(wc -l <"$WORK/out")
    printf '| %-38s | %8.2f | %8.2f | %8.1f | %9d |\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" \
        "$(echo "scale=1; $rss / 1024" | bc)" "$lines"
    if [ "$expect" != - ] && [ "$lines" != "$expect" ]; then
        echo "gc_bench: $name printed $lines lines, expected $expect" >&2
        fails=$((fails + 1))
    fi
}

# gc NAME ARGS...: a dry-run gc, measured, then its answer checked object by object.
gc() {
    local name=$1
    shift
    measure "$name" - "$WORK/ur.sh" checkpoint gc --min-age 0 "$@" "s3://$BUCKET/cp"
    [ -s "$WORK/out" ] || return 0
    grep '^# ' "$WORK/out" >"$WORK/gc-summary" || true
    python3 perf/checkpoint/gc_layout.py check "$N" "$R" "s3://$BUCKET/$J/shared/" "$WORK/out" >"$WORK/check" ||
        fails=$((fails + 1))
}

# GC_DELAY_MS: every tool measures through perf/lib/delay_relay.py, which delays each byte by that much each
# way (a round trip of twice it), as if the server were across a network: what a parallel listing gains
# where each page waits on the network rather than on this machine's two CPUs (no netem in this kernel).
if [ -n "${GC_DELAY_MS:-}" ]; then
    python3 perf/lib/delay_relay.py 127.0.0.1 "${UR_S3_HTTP##*:}" "$GC_DELAY_MS" --parent $$ >"$WORK/relay.port" &
    for _ in $(seq 1 50); do [ -s "$WORK/relay.port" ] && break; sleep 0.1; done
    [ -s "$WORK/relay.port" ] || { echo "gc_bench: the delay relay did not start" >&2; exit 1; }
    sed -i "s|$UR_S3_HTTP|http://127.0.0.1:$(head -n 1 "$WORK/relay.port")|" "$WORK"/{aws,rclone,s5cmd,ur}.sh
    echo "gc_bench: every tool below through a relay adding ${GC_DELAY_MS} ms each way"
fi
echo "gc_bench: $N objects, 100 checkpoints x $R references; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %H:%M UTC')"
echo "| tool (same prefix s3://$BUCKET/$J/) | wall s | CPU s | RSS MiB | lines |"
echo "|---|---|---|---|---|"
gc "urestore checkpoint gc (8 list threads)"
gc "urestore checkpoint gc (--list-threads 1)" --list-threads 1
measure "aws s3 ls --recursive" $((N + 100)) "$WORK/aws.sh" s3 ls --recursive "s3://$BUCKET/$J/"
measure "rclone lsf -R" $((N + 100)) "$WORK/rclone.sh" lsf -R --files-only "rgw:$BUCKET/$J/"
if command -v s5cmd >/dev/null; then
    measure "s5cmd ls" $((N + 100)) "$WORK/s5cmd.sh" ls "s3://$BUCKET/$J/*"
else
    echo "gc_bench: s5cmd is not installed: skipped" >&2
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -s "$WORK/gc-summary" ] && sed 's/^/gc: /' "$WORK/gc-summary"
[ -s "$WORK/check" ] && cat "$WORK/check"
[ $fails = 0 ] || { echo "gc_bench: $fails failures" >&2; exit 1; }
