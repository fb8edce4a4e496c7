#!/usr/bin/env bash
# test_checkpoint_gc.sh against OpenStack Swift with s3api (tests/servers/swift.sh), the server strictest
# about DeleteObjects (Content-MD5 required, per-key results): the same tree, the same rules, the same
# deletions. Skips when Swift is not installed (scripts/deps.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
command -v swift-proxy-server >/dev/null || { echo "SKIP checkpoint-gc-swift: swift-proxy-server not installed"; exit 77; }
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$repo/$build ;; esac
mkdir -p "$build/e2e-tmp"
dir=$(mktemp -d "$build/e2e-tmp/swift.XXXXXX") # the repository's disk: the object server needs xattrs
trap 'bash "$repo/tests/servers/swift.sh" stop "$dir"; rm -rf "$dir"' EXIT
bash "$repo/tests/servers/swift.sh" start "$dir" >&2 || { echo "FAIL checkpoint-gc-swift: swift did not start"; exit 1; }
rc=0
UR_CK_SERVER_ENV=$dir/env UR_CK_TEST_NAME=checkpoint-gc-swift bash "$here/test_checkpoint_gc.sh" || rc=$?
exit "$rc"
