#!/usr/bin/env bash
# Downloads onto a file system that refuses O_DIRECT (ramfs; tmpfs before Linux 6.6): the client must fall
# back to buffered writes by itself and still produce byte-identical files.
. "$(dirname "$0")/lib.sh"
e2e_init fs-no-odirect

# refuses_odirect DIR: true when opening a new file in DIR with O_DIRECT fails.
refuses_odirect() {
    local r=0
    if dd if=/dev/zero of="$1/.probe" bs=4096 count=1 oflag=direct status=none 2>/dev/null; then r=1; fi
    rm -f "$1/.probe"
    return $r
}

mnt=$T/mnt
mkdir -p "$mnt"
found=
[ "$(id -u)" = 0 ] || skip "mounting a ramfs needs root"
for fs in ramfs tmpfs; do
    if mount -t "$fs" -o size=512m "urestore-e2e-$fs" "$mnt" 2>/dev/null; then
        E2E_MOUNTS+=("$mnt")
        if refuses_odirect "$mnt"; then found=$fs; break; fi
        umount "$mnt"
        E2E_MOUNTS=()
    fi
done
[ -n "$found" ] || skip "no mountable file system here refuses O_DIRECT (tried ramfs, tmpfs)"
say "destination file system: $found (refuses O_DIRECT)"

sizes=(0 1 4097 $((MiB + 1)) $((16 * MiB + 123)))
f=$T/tasks.txt
for size in "${sizes[@]}"; do
    make_file "$T/src/o$size" "$size"
    put_object "$BUCKET" "o$size" "$T/src/o$size"
    run_line "s3://$BUCKET/o$size" "$mnt/dst/o$size" >>"$f"
    run_line --part-size 8 "s3://$BUCKET/o$size" "$mnt/dst-p8/o$size" >>"$f"
done
ur_capture --endpoint-url "$UR_S3_HTTP" run "$f"
assert_rc 0
assert_stderr_empty
assert_stdout_lines $((2 * ${#sizes[@]}))
for size in "${sizes[@]}"; do
    assert_same "$T/src/o$size" "$mnt/dst/o$size"
    assert_same "$T/src/o$size" "$mnt/dst-p8/o$size"
    assert_mode "$mnt/dst/o$size" 644
done

ur_capture --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" cp "s3://$BUCKET/o$((16 * MiB + 123))" "$mnt/cp/big"
assert_rc 0
assert_same "$T/src/o$((16 * MiB + 123))" "$mnt/cp/big"
assert_no_temp_files "$mnt"

e2e_pass
