#!/usr/bin/env bash
# Downloads onto a disk file system (the repository's, where O_DIRECT applies and enforces alignment):
# sizes whose tails are not block multiples, and parts whose boundaries are not either.
. "$(dirname "$0")/lib.sh"
e2e_init fs-disk

fstype=$(stat -f -c %T "$T")
case "$fstype" in
tmpfs | ramfs | overlayfs | nfs* | fuse*) skip "$T is on $fstype, not a local disk file system (set UR_E2E_TMP)" ;;
esac
say "destination file system: $fstype"

sizes=(0 1 4095 4097 $((MiB + 1)) $((8 * MiB)) $((8 * MiB + 4097)) $((20 * MiB + 511)))
f=$T/tasks.txt
for size in "${sizes[@]}"; do
    make_file "$T/src/o$size" "$size"
    put_object "$BUCKET" "o$size" "$T/src/o$size"
    run_line "s3://$BUCKET/o$size" "$T/dst/o$size" >>"$f"
    run_line --part-size 1 "s3://$BUCKET/o$size" "$T/dst-p1/o$size" >>"$f"
done
ur_capture --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" run "$f"
assert_rc 0
assert_stderr_empty
assert_stdout_lines $((2 * ${#sizes[@]}))
for size in "${sizes[@]}"; do
    assert_same "$T/src/o$size" "$T/dst/o$size"
    assert_same "$T/src/o$size" "$T/dst-p1/o$size"
    # fallocate + a padded tail must not leave extra allocated space past the end on disk either.
    blocks=$(stat -c %b "$T/dst/o$size")
    bsize=$(stat -c %B "$T/dst/o$size")
    [ $((blocks * bsize)) -le $((size + 1024 * 1024)) ] ||
        fail "$T/dst/o$size: $((blocks * bsize)) bytes allocated for $size bytes"
done

e2e_pass
