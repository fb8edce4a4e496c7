#!/usr/bin/env bash
# Disk full: a 2 MiB tmpfs, then (where loop devices work) an 8 MiB ext4 image. The files that do not fit
# get an ERROR line naming them ("No space left on device"); those that fit land byte-identical; no
# temporary file is left and the space is given back; the exit status is 1. Skipped (77) where the test
# cannot mount a file system.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init disk-full
fault_endpoint http

for i in 1 2 3 4 5; do fault_object "small-$i" 1000; done
fault_object big $((3 * MiB))
fault_object half-1 $((5 * MiB))
fault_object half-2 $((5 * MiB))

# restore_into DIR KEYS...: one batch of every key into DIR (parts of 1 MiB, so several writes in flight).
restore_into() {
    local dir=$1 k
    shift
    for k in "$@"; do run_line --part-size 1 "s3://$BUCKET/$k" "$dir/$k"; done >"$T/tasks.txt"
    ur_capture "${EP[@]}" run "$T/tasks.txt"
}

# check_full DIR USED_BEFORE KEYS...: every key is identical in DIR or absent with an ENOSPC ERROR line;
# at least one failed; nothing temporary is left and the file system holds only the files that landed.
check_full() {
    local dir=$1 used0=$2 k failed=0 landed=0 used
    shift 2
    assert_rc 1 "the disk is full"
    for k in "$@"; do
        if [ -f "$dir/$k" ]; then
            assert_same "$FS_ROOT/$BUCKET/$k" "$dir/$k"
            landed=$((landed + $(stat -c %s "$dir/$k")))
        else
            assert_error_line "s3://$BUCKET/$k" "$dir/$k" "No space left on device"
            failed=$((failed + 1))
        fi
    done
    [ "$failed" -gt 0 ] || fail "every file fitted: the test did not fill the disk"
    assert_no_temp_files "$dir"
    sync
    used=$(df -B1 --output=used "$dir" | tail -n 1)
    # Whatever the file system's own overhead, the space in use grew by the files kept (plus blocks).
    [ $((used - used0)) -le $((landed + 64 * 1024 + 4096 * $#)) ] ||
        fail "$((used - used0)) bytes in use on $dir after the restore, but only $landed bytes of files landed"
    say "$dir: $failed of $# files failed with ENOSPC, $landed bytes landed"
}

mounted=0

# 1. tmpfs of 2 MiB: the five small files fit, the 3 MiB one cannot.
mkdir -p "$T/tmpfs"
if mount -t tmpfs -o size=2m tmpfs "$T/tmpfs" 2>"$T/.mount.err"; then
    E2E_MOUNTS+=("$T/tmpfs")
    mounted=$((mounted + 1))
    used0=$(df -B1 --output=used "$T/tmpfs" | tail -n 1)
    restore_into "$T/tmpfs" small-1 small-2 big small-3 small-4 small-5
    check_full "$T/tmpfs" "$used0" small-1 small-2 big small-3 small-4 small-5
    for i in 1 2 3 4 5; do [ -f "$T/tmpfs/small-$i" ] || fail "small-$i did not land on the tmpfs"; done
else
    say "tmpfs not tested: $(head -n 1 "$T/.mount.err")"
fi

# 2. ext4 of 8 MiB on a loop device (O_DIRECT, real block allocation): two 5 MiB files cannot both fit.
truncate -s 8M "$T/ext4.img"
if mkfs.ext4 -q -F -m 0 "$T/ext4.img" >"$T/.mkfs.out" 2>&1 && mkdir -p "$T/ext4" &&
    mount -o loop "$T/ext4.img" "$T/ext4" 2>"$T/.mount.err"; then
    E2E_MOUNTS+=("$T/ext4")
    mounted=$((mounted + 1))
    sync
    used0=$(df -B1 --output=used "$T/ext4" | tail -n 1)
    restore_into "$T/ext4" small-1 half-1 half-2 small-2
    check_full "$T/ext4" "$used0" small-1 half-1 half-2 small-2
else
    say "ext4 on a loop device not tested: $(head -n 1 "$T/.mount.err" "$T/.mkfs.out" 2>/dev/null | grep -v '^==>' | head -n 1)"
fi

[ "$mounted" -gt 0 ] || skip "cannot mount a small file system here (tmpfs or loop): disk full not tested"
e2e_pass
