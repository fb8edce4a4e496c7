#!/usr/bin/env bash
# Local faults in one batch: destination is a directory, parent is a file, read-only file system; and, run
# as nobody, permission denied. Each failing file gets an ERROR line naming it with the cause; no temporary
# file is left anywhere; the other files of the batch land byte-identical; the exit status is 1.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init local-faults
fault_endpoint http

for k in good-1 good-2 isdir parent-file parent-file-deep readonly perm perm-deep; do fault_object "$k" 4097; done
fault_object big $((9 * MiB + 1))
src() { printf 's3://%s/%s' "$BUCKET" "$1"; }

# expect_error KEY DEST CAUSE: DEST is absent and stderr has `ERROR "cp s3://…/KEY DEST": …CAUSE…`.
expect_error() {
    [ ! -f "$2" ] || fail "$2 exists, but its copy should have failed ($3)"
    assert_error_line "$(src "$1")" "$2" "$3"
}

# ---- 1. as root: destination is a directory, parent is a file, read-only file system ----
mkdir -p "$T/a/isdir-target/isdir" "$T/a/good"
echo data >"$T/a/isdir-target/isdir/keep" # a non-empty directory where the file would go
echo "not a directory" >"$T/a/plainfile"
{
    run_line "$(src good-1)" "$T/a/good/good-1"
    run_line "$(src isdir)" "$T/a/isdir-target/"
    run_line "$(src parent-file)" "$T/a/plainfile/parent-file"
    run_line "$(src parent-file-deep)" "$T/a/plainfile/sub/dir/parent-file-deep"
    run_line --part-size 5 "$(src big)" "$T/a/good/big"
} >"$T/a.txt"
ro=0
mkdir -p "$T/ro"
if mount -t tmpfs -o size=4m tmpfs "$T/ro" 2>"$T/.mount.err"; then
    E2E_MOUNTS+=("$T/ro")
    mkdir -p "$T/ro/dir"
    if mount -o remount,ro "$T/ro" 2>>"$T/.mount.err"; then
        ro=1
        run_line "$(src readonly)" "$T/ro/dir/readonly" >>"$T/a.txt"
    fi
fi
[ "$ro" = 1 ] || say "read-only file system not tested: cannot mount ($(head -n 1 "$T/.mount.err"))"
run_line "$(src good-2)" "$T/a/good/good-2" >>"$T/a.txt"

ur_capture "${EP[@]}" run "$T/a.txt"
assert_rc 1 "some copies fail"
assert_same "$FS_ROOT/$BUCKET/good-1" "$T/a/good/good-1"
assert_same "$FS_ROOT/$BUCKET/good-2" "$T/a/good/good-2"
assert_same "$FS_ROOT/$BUCKET/big" "$T/a/good/big"
expect_error isdir "$T/a/isdir-target/isdir" "Is a directory"
[ -f "$T/a/isdir-target/isdir/keep" ] || fail "the directory in the way was changed"
expect_error parent-file "$T/a/plainfile/parent-file" "Not a directory"
expect_error parent-file-deep "$T/a/plainfile/sub/dir/parent-file-deep" "Not a directory"
[ "$(cat "$T/a/plainfile")" = "not a directory" ] || fail "the file in the way was changed"
[ "$ro" = 0 ] || expect_error readonly "$T/ro/dir/readonly" "Read-only file system"
assert_no_temp_files "$T"
[ "$(grep -c '^ERROR ' "$UR_ERR")" = $((3 + ro)) ] || fail "expected $((3 + ro)) ERROR lines"

# ---- 2. as nobody: permission denied (a root-owned directory of mode 555) ----
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if ! "${NOBODY[@]}" true 2>"$T/.setpriv.err"; then
    say "permission denied not tested: setpriv cannot switch to nobody ($(head -n 1 "$T/.setpriv.err"))"
    e2e_pass
fi
chmod 755 "$T" "$HOME_DIR"
mkdir -p "$T/p/ok" "$T/p/locked"
chmod 777 "$T/p/ok"
chmod 555 "$T/p/locked"
{
    run_line "$(src good-1)" "$T/p/ok/good-1"
    run_line "$(src perm)" "$T/p/locked/perm"
    run_line "$(src perm-deep)" "$T/p/locked/sub/perm-deep"
    run_line "$(src good-2)" "$T/p/ok/good-2"
} >"$T/p.txt"
chmod 644 "$T/p.txt"
UR_WRAPPER="${NOBODY[*]} ${UR_WRAPPER:-}" ur_capture "${EP[@]}" run "$T/p.txt"
assert_rc 1 "permission denied"
assert_same "$FS_ROOT/$BUCKET/good-1" "$T/p/ok/good-1"
assert_same "$FS_ROOT/$BUCKET/good-2" "$T/p/ok/good-2"
expect_error perm "$T/p/locked/perm" "Permission denied"
expect_error perm-deep "$T/p/locked/sub/perm-deep" "Permission denied"
assert_no_temp_files "$T"

e2e_pass
