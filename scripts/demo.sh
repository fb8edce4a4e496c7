#!/usr/bin/env bash
# scripts/demo.sh — what `make demo` runs: a local S3 (Ceph radosgw) holding a fake RocksDB checkpoint,
# restored with `urestore run` over HTTPS, checked byte for byte, timed. Everything stops at the end; the
# restored files stay in $BUILD/demo/restore for a look.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
UR_BIN=${UR_BIN:-$BUILD/urestore}
DEMO=$BUILD/demo
AWS=/usr/bin/aws

[ -x "$UR_BIN" ] || { echo "demo: $UR_BIN not found: run make first" >&2; exit 1; }
[ -x "$AWS" ] || { echo "demo: $AWS not found: run make deps" >&2; exit 1; }

RGW_DIR=$(mktemp -d "${TMPDIR:-/tmp}/urestore-demo-rgw.XXXXXX")
cleanup() {
    bash tests/servers/rgw.sh stop "$RGW_DIR" || true
    rm -rf "$RGW_DIR"
}
trap cleanup EXIT

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

echo "urestore demo"
printf '  starting a local S3 (Ceph radosgw: 1 monitor, 1 in-memory OSD) ... '
if ! bash tests/servers/rgw.sh start "$RGW_DIR" >"$RGW_DIR.log" 2>&1; then
    echo "failed"
    tail -n 30 "$RGW_DIR.log" >&2
    rm -f "$RGW_DIR.log"
    exit 1
fi
grep -o "ready in [0-9]* ms" "$RGW_DIR.log"
rm -f "$RGW_DIR.log"
# shellcheck source=/dev/null
. "$RGW_DIR/env"

# A fake RocksDB checkpoint: one big SST, a dozen 2–8 MiB SSTs, the small metadata files.
rm -rf "$DEMO"
src=$DEMO/checkpoint
mkdir -p "$src"
head -c $((64 << 20)) /dev/urandom >"$src/000042.sst"
for i in $(seq 1 12); do
    head -c $(((2 << 20) + (i * 524287) % (6 << 20))) /dev/urandom >"$src/$(printf '%06d' $((100 + i))).sst"
done
printf 'MANIFEST-000007\n' >"$src/CURRENT"
head -c 3917 /dev/urandom >"$src/MANIFEST-000007"
printf '[Version]\n  rocksdb_version=8.10.0\n  options_file_version=1.1\n[DBOptions]\n  create_if_missing=true\n' \
    >"$src/OPTIONS-000009"
nfiles=$(find "$src" -type f | wc -l)
bytes=$(find "$src" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')

printf '  uploading a fake RocksDB checkpoint: %d files, %s ... ' "$nfiles" "$(mib "$bytes")"
aws() {
    env -i PATH=/usr/bin:/bin HOME="$RGW_DIR" AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
        AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" AWS_DEFAULT_REGION="$AWS_REGION" \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required \
        "$AWS" --endpoint-url "$UR_S3_HTTP" "$@"
}
aws s3api create-bucket --bucket flink-checkpoints >/dev/null
aws s3 sync --only-show-errors "$src" s3://flink-checkpoints/job-1/chk-42/shared/
echo "done"

# The restore: one `cp` line per file, as Flink's s5cmd integration writes them.
tasks=$DEMO/restore.txt
(cd "$src" && find . -type f -printf '%P\n' | sort) | while read -r f; do
    echo "cp s3://flink-checkpoints/job-1/chk-42/shared/$f $PWD/$DEMO/restore/$f"
done >"$tasks"

echo "  restoring over HTTPS:"
echo "    $UR_BIN --endpoint-url $UR_S3_HTTPS --ca-bundle $UR_CA_FILE run $tasks"
TIMEFORMAT='%R %U %S'
rc=0
{ time env -i PATH=/usr/bin:/bin HOME="$RGW_DIR" AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
    AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" AWS_REGION="$AWS_REGION" \
    "$UR_BIN" --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" run "$tasks" \
    >"$DEMO/urestore.out" 2>"$DEMO/urestore.err" || rc=$?; } 2>"$DEMO/time.txt"
head -n 3 "$DEMO/urestore.out" | sed 's/^/    | /'
[ "$(wc -l <"$DEMO/urestore.out")" -le 3 ] || echo "    | … ($(wc -l <"$DEMO/urestore.out") lines in all)"
if [ "$rc" != 0 ]; then
    echo "  urestore failed (exit $rc):"
    tail -n 10 "$DEMO/urestore.err" | sed 's/^/    /'
    exit 1
fi
read -r real user sys <"$DEMO/time.txt"
awk -v b="$bytes" -v n="$nfiles" -v r="$real" -v u="$user" -v s="$sys" 'BEGIN {
    printf "  restored %d files, %.1f MiB in %.2f s (%.0f MiB/s); CPU %.2f s user + %.2f s system\n",
        n, b / 1048576, r, (r > 0 ? b / 1048576 / r : 0), u, s }'

sums() { (cd "$1" && find . -type f -printf '%P\0' | sort -z | xargs -0 sha256sum); }
if ! diff <(sums "$src") <(sums "$DEMO/restore") >"$DEMO/verify.diff"; then
    echo "  MISMATCH between the upload and the restore (sha256):" >&2
    head -n 10 "$DEMO/verify.diff" | sed 's/^/    /' >&2
    exit 1
fi
echo "  verified: all $nfiles files match the uploaded ones (sha256), in $DEMO/restore"
echo "  stopping the local S3"
