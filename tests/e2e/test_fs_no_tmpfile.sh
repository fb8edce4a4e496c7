#!/usr/bin/env bash
# Downloads onto a file system without O_TMPFILE (a bindfs FUSE mount: bindfs implements no tmpfile, so the
# kernel answers EOPNOTSUPP): the client must write named temporary files ".NAME.urestore-PID-N", rename
# them onto the final names (replacing what is there) and unlink them on failure. Both ways in: runs whose
# first destination is on the mount (the client's probe finds no O_TMPFILE: named files from the start),
# and runs whose first destination is on $T's disk (the probe finds O_TMPFILE: each open on the mount fails
# and falls back by itself).
. "$(dirname "$0")/lib.sh"
e2e_init fs-no-tmpfile

# tmpfile_probe DIR: "ok" when an unnamed file (O_TMPFILE) can be opened in DIR, else the error's name.
tmpfile_probe() {
    python3 - "$1" <<'EOF'
import errno, os, sys
try:
    os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600))
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
EOF
}

[ "$(id -u)" = 0 ] || skip "mounting bindfs needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
command -v bindfs >/dev/null || skip "bindfs is not installed (make deps)"
mnt=$T/mnt
mkdir -p "$T/under" "$mnt"
bindfs "$T/under" "$mnt" 2>"$T/.bindfs.err" || skip "bindfs cannot mount here: $(head -n 1 "$T/.bindfs.err")"
E2E_MOUNTS+=("$mnt")
probe=$(tmpfile_probe "$mnt")
case "$probe" in
ok) skip "this bindfs mount supports O_TMPFILE: the named fallback would not be tested" ;;
EOPNOTSUPP | ENOTSUP | EISDIR | EINVAL) ;;
*) fail "O_TMPFILE on the bindfs mount fails with $probe, not as on a file system without O_TMPFILE" ;;
esac
mkdir -p "$T/disk"
disk_probe=$(tmpfile_probe "$T/disk")
say "destination file system: bindfs (O_TMPFILE: $probe); $T: O_TMPFILE $disk_probe"
[ "$disk_probe" = ok ] || say "$T has no O_TMPFILE either: the disk-first runs test the same path as the others"

sizes=(0 1 4097 $((MiB + 1)) $((16 * MiB + 123)))
for size in "${sizes[@]}"; do
    make_file "$T/src/o$size" "$size"
    put_object "$BUCKET" "o$size" "$T/src/o$size"
done

# ---- 1. every size, over HTTP with the mount first and over HTTPS with the disk first ----
for scheme in http https; do
    endpoint_args "$scheme"
    d=$mnt/$scheme
    f=$T/tasks-$scheme.txt
    [ "$scheme" = http ] || run_line "s3://$BUCKET/o1" "$T/disk/first" >"$f"
    for size in "${sizes[@]}"; do
        run_line "s3://$BUCKET/o$size" "$d/dst/o$size" >>"$f"
        run_line --part-size 8 "s3://$BUCKET/o$size" "$d/dst-p8/o$size" >>"$f"
    done
    ur_capture "${EP[@]}" run "$f"
    assert_rc 0
    assert_stderr_empty
    assert_stdout_lines "$(wc -l <"$f")"
    for size in "${sizes[@]}"; do
        assert_same "$T/src/o$size" "$d/dst/o$size"
        assert_same "$T/src/o$size" "$d/dst-p8/o$size"
        assert_mode "$d/dst/o$size" 644
        assert_mode "$d/dst-p8/o$size" 644
    done
    assert_no_temp_files "$mnt"
done
assert_same "$T/src/o1" "$T/disk/first"

# ---- 2. existing destinations are replaced whole (a hard link keeps the old content) ----
mkdir -p "$mnt/old"
make_file "$mnt/old/big" $((2 * MiB + 3))
cp "$mnt/old/big" "$T/big.orig"
ln "$mnt/old/big" "$mnt/old/big.link"
chmod 600 "$mnt/old/big"
make_file "$mnt/old/to-empty" 9999
make_file "$mnt/old/by-cp" 5000
{
    run_line "s3://$BUCKET/o4097" "$mnt/old/big"
    run_line "s3://$BUCKET/o0" "$mnt/old/to-empty"
} >"$T/overwrite.txt"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$T/overwrite.txt"
assert_rc 0
assert_stderr_empty
assert_same "$T/src/o4097" "$mnt/old/big"
assert_mode "$mnt/old/big" 644
assert_same "$T/big.orig" "$mnt/old/big.link"
assert_same "$T/src/o0" "$mnt/old/to-empty"
ur_capture --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" cp "s3://$BUCKET/o$((MiB + 1))" "$mnt/old/by-cp"
assert_rc 0
assert_same "$T/src/o$((MiB + 1))" "$mnt/old/by-cp"
assert_no_temp_files "$mnt"

# ---- 3. a missing key among good ones: its ERROR line, exit 1, the others land, nothing left behind ----
for first in "$mnt/fail-mnt" "$T/disk/fail-disk"; do
    d=$mnt/${first##*/}
    {
        run_line "s3://$BUCKET/o4097" "$first/first"
        run_line "s3://$BUCKET/no-such-key" "$d/missing"
        run_line "s3://$BUCKET/o$((MiB + 1))" "$d/good"
    } >"$T/fail.txt"
    ur_capture --endpoint-url "$UR_S3_HTTP" run "$T/fail.txt"
    assert_rc 1
    assert_error_line "s3://$BUCKET/no-such-key" "$d/missing" NoSuchKey
    [ "$(grep -c '^ERROR ' "$UR_ERR")" = 1 ] || fail "expected exactly 1 ERROR line"
    assert_stdout_lines 2
    assert_stdout_line "cp s3://$BUCKET/o4097 $first/first"
    assert_stdout_line "cp s3://$BUCKET/o$((MiB + 1)) $d/good"
    assert_same "$T/src/o4097" "$first/first"
    assert_same "$T/src/o$((MiB + 1))" "$d/good"
    assert_absent "$d/missing"
    assert_no_temp_files "$mnt"
done

e2e_pass
