#!/usr/bin/env bash
# Integrity checks that need a server that lies: a body byte flipped in transit is caught by --verify-md5
# against a single-part ETag: an ERROR line naming the object, exit 1, no file, no temporary file. (The
# stored checksums, x-amz-checksum-*: test_checksums.sh.)
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init integrity

fault_object small.bin 70000
fault_object tiny.bin 1

for scheme in http https; do
    fault_endpoint "$scheme"
    out=$T/$scheme

    # A flipped byte: undetectable by length alone, caught by --verify-md5 (single-part ETag = MD5).
    fault_rules '{"rules":[{"key":"small.bin","on":"all","fault":"corrupt"},{"key":"tiny.bin","on":"all","fault":"corrupt"}]}'
    for k in small.bin tiny.bin; do
        ur_capture "${EP[@]}" -r 0 --verify-md5 cp "s3://$BUCKET/$k" "$out/md5-$k"
        assert_rc 1 "--verify-md5 on a corrupted body of $k ($scheme)"
        grep -q 'MD5 mismatch' "$UR_ERR" || fail "no MD5 mismatch in: $(cat "$UR_ERR")"
        [ ! -e "$out/md5-$k" ] || fail "a corrupted $k was left under its final name"
    done
    # The same object, uncorrupted, passes --verify-md5.
    fault_rules '{"rules":[]}'
    ur_capture "${EP[@]}" -r 0 --verify-md5 cp "s3://$BUCKET/small.bin" "$out/md5-ok"
    assert_rc 0 "--verify-md5 on an intact object ($scheme)"
    assert_same "$FS_ROOT/$BUCKET/small.bin" "$out/md5-ok"
    assert_no_temp_files "$T"
done
e2e_pass
