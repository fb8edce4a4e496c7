#!/usr/bin/env bash
# perf/lib/rgw_keep.sh — keeps a radosgw of tests/servers/rgw.sh, with its data, between perf runs.
#
#   rgw_keep.sh save DIR     stop the cluster of DIR so that its data stays on disk
#   rgw_keep.sh resume DIR   start the saved cluster of DIR again (same ports, keys and DIR/env)
#   rgw_keep.sh running DIR  exit 0 if DIR's radosgw answers
#
# rgw.sh's OSD keeps objects in RAM (memstore) and rgw.sh stops it with SIGKILL, which loses them: right for
# the tests, too costly for a data set that takes half an hour to seed (perf/checkpoint/gc_bench.sh: 1,000,000
# objects). On SIGTERM the OSD (osd_fast_shutdown off) unmounts its store: memstore writes every object to
# DIR/osd (and reads them back on the next mount); BlueStore (UR_RGW_STORE=bluestore) has them on disk
# already and only closes its database, so its resume is a plain start. The monitor's database is on disk
# anyway. A resume that finds one of the old ports taken fails with the daemon's log; `rgw.sh start DIR`
# then starts afresh (and empty).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 save|resume|running DIR" >&2; exit 2; }
DIR=$(cd "$2" && pwd)
CONF=$DIR/ceph.conf
[ -s "$CONF" ] && [ -s "$DIR/env" ] || { echo "rgw_keep.sh: no cluster of rgw.sh in $DIR" >&2; exit 1; }
HTTP=$(sed -n 's/^export UR_S3_HTTP=//p' "$DIR/env")

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
http_ok() { curl -sf -o /dev/null --max-time 2 "$HTTP/"; }

# stop PIDFILE SIGNAL SECONDS: signal the daemon and wait for it to exit (memstore's save takes ~1 s per
# 50,000 small objects here); SIGKILL only after SECONDS.
stop() {
    local f=$1 sig=$2 secs=$3 pid
    alive "$f" || return 0
    pid=$(cat "$f")
    kill "-$sig" "$pid"
    for _ in $(seq 1 $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
        sleep 0.1
    done
    echo "rgw_keep.sh: pid $pid still runs after ${secs}s; killing it (its data is lost)" >&2
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
    return 1
}

case "$1" in
running) http_ok ;;
save)
    # radosgw holds nothing of its own: the objects and the bucket indexes are the OSD's.
    stop "$DIR/run/client.rgw.pid" KILL 10
    # Pacific's OSD skips the unmount on SIGTERM (osd_fast_shutdown defaults to true): nothing would be saved.
    alive "$DIR/run/osd.0.pid" && ceph --admin-daemon "$DIR/run/osd.0.asok" config set osd_fast_shutdown false >/dev/null
    stop "$DIR/run/osd.0.pid" TERM 900
    stop "$DIR/run/mon.a.pid" TERM 60
    echo "rgw_keep.sh: saved $DIR ($(du -sh "$DIR/osd" | cut -f1) in $DIR/osd)" >&2
    ;;
resume)
    if http_ok; then exit 0; fi
    [ -d "$DIR/osd/osd.0" ] || { echo "rgw_keep.sh: nothing saved in $DIR" >&2; exit 1; }
    t0=$(date +%s)
    # The daemons fork into the background; what they print before that goes to DIR/log/resume.out.
    alive "$DIR/run/mon.a.pid" || ceph-mon -c "$CONF" -i a >>"$DIR/log/resume.out" 2>&1
    alive "$DIR/run/osd.0.pid" || ceph-osd -c "$CONF" -i 0 >>"$DIR/log/resume.out" 2>&1
    alive "$DIR/run/client.rgw.pid" || radosgw -c "$CONF" -n client.rgw >>"$DIR/log/resume.out" 2>&1
    # radosgw answers once its pools are usable, i.e. once the OSD has loaded every object.
    for _ in $(seq 1 6000); do
        http_ok && { echo "rgw_keep.sh: resumed $DIR in $(($(date +%s) - t0)) s ($HTTP)" >&2; exit 0; }
        alive "$DIR/run/client.rgw.pid" || { tail -n 5 "$DIR/log/client.rgw.log" >&2; break; }
        sleep 0.1
    done
    echo "rgw_keep.sh: $DIR did not come back; see $DIR/log" >&2
    exit 1
    ;;
*) echo "usage: $0 save|resume|running DIR" >&2; exit 2 ;;
esac
