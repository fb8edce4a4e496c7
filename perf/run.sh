#!/usr/bin/env bash
# urestore perf suite: client CPU per GiB against the peers, on loopback or an S3-like netns path.
#
#   bash perf/run.sh                      every full workload (perf/workloads/*.json but smoke-*, s3sim, scale-*)
#   bash perf/run.sh --smoke              smoke-* workloads once each (+ s3sim plumbing, + checkpoint gc's
#                                         bench on 2,000 objects), no thresholds
#   bash perf/run.sh --check              big, small, flink; fail if urestore/curl-seq CPU-s/GiB ratio is
#                                         >15 % worse than perf/baseline.json
#   bash perf/run.sh --write-baseline     the --check run, then write perf/baseline.json (commit it on purpose)
#   bash perf/run.sh --net s3sim          (or NET=s3sim) flink through two namespaces, 20 ms RTT, 400 Mbit/s/conn
#   bash perf/run.sh --scale [--strict]   scale check: CPU-s/GiB over 1, 2, 8 GiB and CPU/object over 1,000,
#                                         10,000, 50,000 objects within ±10 % (reported; --strict enforces it)
#   bash perf/run.sh --scale-smoke        the same 16 times smaller (about 40 s)
# Options: --workloads a,b  --tools t1,t2  --repeat N  --warmup N  --no-floor  --no-deps
# Env: UR_BIN (default build/urestore), NET, PERF_RUN_TIMEOUT (s per run).
# Results: perf/results/<stamp>-<mode>/{results.md,results.json,chart.png,runs.jsonl,logs/}; latest -> newest.
set -uo pipefail

PERF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$PERF")
PY=/usr/bin/python3
export PERF_DATA=${PERF_DATA:-$PERF/data}

mode=full net=${NET:-loopback} workloads= tools= repeat= warmup= floor=1 deps=1 scale_smoke=0 strict=
while [ $# -gt 0 ]; do
    case $1 in
    --smoke) mode=smoke ;;
    --check) mode=check ;;
    --write-baseline) mode=baseline ;;
    --scale) mode=scale ;;
    --scale-smoke) mode=scale scale_smoke=1 ;;
    --strict) strict=--strict ;;
    --net) net=$2; shift ;;
    --net=*) net=${1#--net=} ;;
    --workloads) workloads=$2; shift ;;
    --tools) tools=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --no-floor) floor=0 ;;
    --no-deps) deps=0 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "perf/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ $mode = scale ] && [ -n "$workloads" ] && { echo "perf/run.sh: --workloads does not apply to --scale" >&2; exit 2; }
case $net in loopback | s3sim | "") ;; *) echo "perf/run.sh: NET must be s3sim or empty" >&2; exit 2 ;; esac
[ -n "$net" ] || net=loopback

source "$PERF/lib/deps.sh"
source "$PERF/lib/servers.sh"
source "$PERF/lib/outfs.sh"
if [ $deps = 1 ]; then perf_deps || exit 1; fi

UR_BIN=${UR_BIN:-$ROOT/build/urestore}
case $UR_BIN in /*) ;; *) UR_BIN=$ROOT/$UR_BIN ;; esac
default_tools=urestore,urestore-epoll,curl-seq,curl-par,rclone,rclone-nocheck,aws,s5cmd
if [ $mode = check ] && [ ! -f "$PERF/baseline.json" ]; then
    echo "perf-check: FAILED — no baseline at perf/baseline.json. Record one on purpose with" >&2
    echo "  bash perf/run.sh --write-baseline   (then review and commit perf/baseline.json)" >&2
    exit 1
fi

stamp=$(date +%Y%m%d-%H%M%S)
label=$mode; [ $net = s3sim ] && label=$mode-s3sim
[ $scale_smoke = 1 ] && label=scale-smoke
RUN=$PERF/results/$stamp-$label
mkdir -p "$RUN" && ln -sfn "$(basename "$RUN")" "$PERF/results/latest"
export PERF_CERTS=$RUN/certs
exec > >(tee -a "$RUN/console.log") 2>&1

cleanup() {
    perf_nginx_stop
    [ $net = s3sim ] || [ $mode = smoke ] && perf_netns_down
    rm -rf "$PERF_DATA/out/$(basename "$RUN")"
    perf_outfs_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "perf: $label run in ${RUN#$ROOT/}; urestore binary: ${UR_BIN#$ROOT/}"
RUNWAIT=$PERF_DATA/bin/runwait CREATEFLOOR=$PERF_DATA/bin/createfloor HTTPFLOOR=$PERF_DATA/bin/httpfloor
# The VAES benchmark of the build under test; for a client copied elsewhere, this tree's default build.
GCM_BENCH=$(dirname "$UR_BIN")/tests/test_gcm_vaes
[ -x "$GCM_BENCH" ] || GCM_BENCH=$ROOT/build/tests/test_gcm_vaes
for prog in runwait createfloor httpfloor; do
    if [ ! -x "$PERF_DATA/bin/$prog" ] || [ "$PERF/lib/$prog.c" -nt "$PERF_DATA/bin/$prog" ]; then
        mkdir -p "$PERF_DATA/bin" && gcc -O2 -Wall -Wextra -o "$PERF_DATA/bin/$prog" "$PERF/lib/$prog.c" || exit 1
    fi
done
# The objects' stored checksums for nginx to hand out (crcsum.c): built with urestore's own CRC code.
mkdir -p "$PERF_DATA/bin" && gcc -O2 -Wall -Wextra -I"$ROOT" -I/usr/share/include/llhttp -o "$PERF_DATA/bin/crcsum" "$PERF/lib/crcsum.c" \
    "$ROOT/s3/crc.c" "$ROOT/s3/checksum.c" -lz || exit 1
perf_certs "$PERF_CERTS" || { echo "perf: could not make certificates" >&2; exit 1; }
"$PY" "$PERF/lib/report.py" meta --run-dir "$RUN" --urestore-bin "$UR_BIN" --mode "$label" || exit 1

# bench WORKLOADS TOOLS [extra bench.py args]
bench() {
    local extra=()
    [ -n "$repeat" ] && extra+=(--repeat "$repeat")
    [ -n "$warmup" ] && extra+=(--warmup "$warmup")
    "$PY" "$PERF/lib/dataset.py" ${1//,/ } || return 1
    perf_outfs_up "$PERF_DATA/out" || return 1
    "$PY" "$PERF/lib/bench.py" --run-dir "$RUN" --servers "$RUN/servers.json" --workloads "$1" --tools "$2" \
        --urestore-bin "$UR_BIN" --runwait "$RUNWAIT" "${extra[@]}" "${@:3}"
}

# loopback WORKLOADS TOOLS [extra bench.py args]: one nginx on 127.0.0.1, HTTPS and HTTP on free ports.
loopback() {
    local https http
    https=$(perf_free_port) && http=$(perf_free_port) || return 1
    # The data first, so that nginx starts with every object's checksum (perf_nginx_conf).
    "$PY" "$PERF/lib/dataset.py" ${1//,/ } || return 1
    "$PERF_DATA/bin/crcsum" "$PERF_DATA/www" >"$RUN/checksums.map" || return 1
    perf_nginx_conf "$RUN/nginx" "127.0.0.1:$https" "127.0.0.1:$http" 0 0 "$RUN/checksums.map" || return 1
    perf_nginx_start "$RUN/nginx" || return 1
    printf '{"https": "https://127.0.0.1:%s", "http": "http://127.0.0.1:%s", "ca": "%s"}\n' \
        "$https" "$http" "$PERF_CERTS/ca.crt" >"$RUN/servers.json"
    perf_wait_http "https://127.0.0.1:$https/" "$PERF_CERTS/ca.crt" || return 1
    # The floor first: its per-file figures must not follow the workloads' mass deletes (pitfall 2).
    if [ $floor = 1 ] && [ $mode = full ]; then
        "$PY" "$PERF/lib/dataset.py" big && perf_outfs_up "$PERF_DATA/out" && "$PY" "$PERF/lib/floor.py" --run-dir "$RUN" \
            --servers "$RUN/servers.json" --runwait "$RUNWAIT" --gcm-bench "$GCM_BENCH" \
            --createfloor "$CREATEFLOOR" --httpfloor "$HTTPFLOOR"
    fi
    bench "$@" || return 1
    perf_nginx_stop
}

# s3sim SPEC: nginx in one namespace, the clients in the other; tools x concurrency, interleaved.
s3sim() {
    local spec=$1 wl rtt rate conc tl variants=() t c
    local sw sr
    read -r wl rtt rate conc tl sw sr < <("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))
print(s["workload"], s["rtt_ms"], s["rate_per_connection_mbit"], ",".join(map(str, s["concurrency"])), ",".join(s["tools"]),
      s.get("warmup", 1), s.get("repeat", 3))' "$PERF/workloads/$spec.json") || return 1
    [ -n "$warmup" ] || warmup=$sw
    [ -n "$repeat" ] || repeat=$sr
    [ -n "$tools" ] && tl=$tools
    for c in ${conc//,/ }; do for t in ${tl//,/ }; do variants+=("$t@$c"); done; done
    if ! perf_netns_up "$rtt"; then
        echo "perf: s3sim: cannot create network namespaces here (needs root and CAP_NET_ADMIN) — SKIPPED"
        perf_netns_down
        return 2
    fi
    local delay=0 latency="netem delay $((rtt / 2)) ms each way (RTT $rtt ms)"
    if [ "$PERF_NETEM" = 0 ]; then
        delay=$(awk -v r="$rtt" 'BEGIN { printf "%.3f", r / 1000 }')
        latency="this kernel has no netem (CONFIG_NET_SCH_NETEM): nginx holds every response ${rtt} ms before its first byte instead; connection set-up and TCP ramp-up see no added RTT"
    fi
    perf_netns_shape "$rate" || { echo "perf: s3sim: could not shape the veth (tc htb + u32)"; return 1; }
    echo "perf: s3sim: $PERF_NS_CLI ($PERF_NS_CLI_ADDR) <-> $PERF_NS_SRV ($PERF_NS_SRV_ADDR), $rate Mbit/s per connection; latency: $latency"
    printf '{"workload": "%s", "rtt_ms": %s, "rate_per_connection_mbit": %s, "latency": "%s"}\n' \
        "$wl" "$rtt" "$rate" "$latency" >"$RUN/s3sim.json"
    perf_nginx_conf "$RUN/nginx-s3sim" "$PERF_NS_SRV_ADDR:443" "$PERF_NS_SRV_ADDR:80" 0 "$delay" || return 1
    perf_nginx_start "$RUN/nginx-s3sim" ip netns exec "$PERF_NS_SRV" || return 1
    printf '{"https": "https://%s", "http": "http://%s", "ca": "%s"}\n' \
        "$PERF_NS_SRV_ADDR" "$PERF_NS_SRV_ADDR" "$PERF_CERTS/ca.crt" >"$RUN/servers.json"
    ip netns exec "$PERF_NS_CLI" env -i /usr/bin/curl -s -o /dev/null --retry 3 --cacert "$PERF_CERTS/ca.crt" \
        "https://$PERF_NS_SRV_ADDR/" || { echo "perf: s3sim: server not reachable from the client namespace"; return 1; }
    bench "$wl" "$(IFS=,; echo "${variants[*]}")" --client-ns "$PERF_NS_CLI"
    local rc=$?
    perf_nginx_stop
    perf_netns_down
    return $rc
}

# scale: the scale check of issue 4. Bytes series (urestore alone: curl's buffered writes are not its path),
# then objects series (with curl-seq as the reference: same files, same directories), which keeps every
# output until its very end (pitfall 2: no point may start right after thousands of deletes).
scale() {
    local b=scale-bytes-1g,scale-bytes-2g,scale-bytes-8g o=scale-objects-1k,scale-objects-10k,scale-objects-50k
    local need avail r=0
    if [ $scale_smoke = 1 ]; then
        b=scale-smoke-bytes-64m,scale-smoke-bytes-128m,scale-smoke-bytes-512m
        o=scale-smoke-objects-64,scale-smoke-objects-640,scale-smoke-objects-3200
    fi
    "$PY" "$PERF/lib/dataset.py" ${b//,/ } ${o//,/ } || return 1
    need=$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import workload
print(max(workload.load(n)["total_bytes"] for n in sys.argv[2].split(",")) + (1 << 30))' "$PERF/lib" "$b") || return 1
    avail=$(df --output=avail -B1 "$PERF_DATA" | tail -n 1)
    if [ "$avail" -lt "$need" ]; then
        echo "perf: --scale needs $((need >> 20)) MiB free in $PERF_DATA for its largest output; $((avail >> 20)) MiB free" >&2
        return 1
    fi
    loopback "$b" "${tools:-urestore}" || r=1
    loopback "$o" "${tools:-urestore,curl-seq}" --keep-outputs || r=1
    return $r
}

rc=0
case $mode-$net in
full-loopback) loopback "${workloads:-$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import workload
print(",".join(workload.names("full")))' "$PERF/lib")}" "${tools:-$default_tools}" || rc=1 ;;
smoke-loopback)
    loopback "${workloads:-smoke-big,smoke-small,smoke-flink,smoke-http}" "${tools:-$default_tools}" || rc=1
    s3sim smoke-s3sim; [ $? = 1 ] && rc=1
    # checkpoint gc against its listing peers, 2,000 objects on a radosgw of its own (make perf-gc-scale's
    # workload, small): fails if gc's answer or a lister's count is wrong.
    UR_BIN=$UR_BIN bash "$PERF/checkpoint/gc_bench.sh" --smoke || rc=1 ;;
check-loopback | baseline-loopback) loopback "${workloads:-big,small,flink}" "${tools:-urestore,curl-seq,curl-par}" || rc=1 ;;
scale-loopback) scale || rc=1 ;;
full-s3sim | smoke-s3sim) s3sim "$([ $mode = smoke ] && echo smoke-s3sim || echo s3sim)" || rc=1 ;;
*) echo "perf/run.sh: --$mode with NET=s3sim is not a mode" >&2; exit 2 ;;
esac

"$PY" "$PERF/lib/report.py" report --run-dir "$RUN" --mode "$mode" --baseline "$PERF/baseline.json" \
    --chart "$PERF/chart.gp" $strict || rc=1
exit $rc
