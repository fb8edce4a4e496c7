#!/usr/bin/env bash
# Every download is checked against the object's stored checksum (issue 16), here against the fault
# server's "checksum" fault (tests/faults/checksums.py: what S3 sends with x-amz-checksum-mode: ENABLED —
# the whole object's checksum on a GET or HEAD of all of it, none on a range of less):
#   each algorithm right → success, "checksum_verified":true in --json, counted in --stat;
#   wrong → exit 1, an ERROR naming the object, the algorithm and both values, the object fetched twice
#     (one refetch), no file and no temporary file;
#   none, or a composite (multipart, per-part) one → success, not verified;
#   an object cut into parts (-p 1 over 2.2 MB) → one HEAD for its checksum, the parts' CRCs combined;
#   --no-verify-checksum → no checking: a wrong checksum passes, no HEAD;
#   a mismatch with --resume keeps no partial (its bytes are known bad, not which ones).
# The whole matrix over HTTPS; over plain HTTP (whose body bytes land by another path, straight from the
# socket into the buffer) one algorithm of each kind: the check is the same code past that point.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init checksums

fault_object small.bin 70000
fault_object big.bin 2200000 # three 1 MiB parts with -p 1
fault_object empty.bin 0

# rule KEY ALGORITHM [TYPE] [WRONG]: the rules for one object.
rule() {
    fault_rules "{\"rules\":[{\"key\":\"$1\",\"on\":\"all\",\"fault\":\"checksum\",\"algorithm\":\"$2\",\"type\":\"${3:-FULL_OBJECT}\"${4:+,\"wrong\":true}}]}"
}

# verified FILE_OUT true|false: the --json success line says so.
verified() {
    grep -q "\"checksum_verified\":$1}" "$UR_OUT" || fail "expected checksum_verified $1 in: $(cat "$UR_OUT") $(cat "$UR_ERR")"
}

# gets KEY METHOD: how many METHOD requests for KEY the server saw since the last fault_log_mark.
gets() {
    fault_log_since | awk -F'\t' -v k="/$BUCKET/$1" -v m="$2" '$3 == m && $4 == k' | wc -l
}

for scheme in https http; do
    fault_endpoint "$scheme"
    out=$T/$scheme
    algs="crc32 crc32c crc64nvme sha1 sha256" parted="crc64nvme crc32 crc32c"
    if [ "$scheme" = http ]; then algs="crc32c sha256" parted=crc64nvme; fi
    for alg in $algs; do
        rule small.bin "$alg"
        ur_capture "${EP[@]}" --json -r 0 cp "s3://$BUCKET/small.bin" "$out/$alg"
        assert_rc 0 "right $alg ($scheme)"
        assert_same "$FS_ROOT/$BUCKET/small.bin" "$out/$alg"
        verified true

        rule small.bin "$alg" FULL_OBJECT wrong
        fault_log_mark
        ur_capture "${EP[@]}" -r 0 cp "s3://$BUCKET/small.bin" "$out/bad-$alg"
        assert_rc 1 "wrong $alg ($scheme)"
        name=$(echo "$alg" | tr a-z A-Z | sed 's/^SHA/SHA-/')
        grep -q "small.bin: $name mismatch (x-amz-checksum-$alg [A-Za-z0-9+/=]*, received [A-Za-z0-9+/=]*); $out/bad-$alg not written" "$UR_ERR" ||
            fail "no $name mismatch naming the object, both values and the file in: $(cat "$UR_ERR")"
        assert_absent "$out/bad-$alg"
        [ "$(gets small.bin GET)" = 2 ] || fail "a $alg mismatch should refetch once: $(fault_log_since)"
    done

    # None sent, a composite one (with and without its -N: a range covering all of the object), an empty
    # object: success, not verified.
    fault_rules '{"rules":[]}'
    ur_capture "${EP[@]}" --json -r 0 cp "s3://$BUCKET/small.bin" "$out/none"
    assert_rc 0 "no checksum ($scheme)"
    verified false
    rule small.bin crc32c COMPOSITE
    ur_capture "${EP[@]}" --json -r 0 cp "s3://$BUCKET/small.bin" "$out/composite"
    assert_rc 0 "composite checksum ($scheme)"
    assert_same "$FS_ROOT/$BUCKET/small.bin" "$out/composite"
    verified false
    rule empty.bin crc64nvme
    ur_capture "${EP[@]}" --json -r 0 cp "s3://$BUCKET/empty.bin" "$out/empty"
    assert_rc 0 "empty object ($scheme)"
    [ -f "$out/empty" ] && [ ! -s "$out/empty" ] || fail "empty object not written empty"

    # In parts: the ranged GETs carry nothing, one HEAD does, the parts' CRCs combine.
    for alg in $parted; do
        rule big.bin "$alg"
        fault_log_mark
        ur_capture "${EP[@]}" --json --stat -r 0 cp -p 1 "s3://$BUCKET/big.bin" "$out/big-$alg"
        assert_rc 0 "$alg of an object in parts ($scheme)"
        assert_same "$FS_ROOT/$BUCKET/big.bin" "$out/big-$alg"
        verified true
        grep -q '"verified":1' "$UR_OUT" || fail "--stat --json should count one verified copy: $(cat "$UR_OUT")"
        [ "$(gets big.bin HEAD)" = 1 ] || fail "expected one HEAD for big.bin: $(fault_log_since)"
        [ "$(gets big.bin GET)" = 3 ] || fail "expected three ranged GETs for big.bin: $(fault_log_since)"
    done
    rule big.bin crc64nvme FULL_OBJECT wrong
    ur_capture "${EP[@]}" -r 0 cp -p 1 "s3://$BUCKET/big.bin" "$out/big-bad"
    assert_rc 1 "wrong CRC64NVME of an object in parts ($scheme)"
    grep -q "CRC64NVME mismatch" "$UR_ERR" || fail "no CRC64NVME mismatch in: $(cat "$UR_ERR")"
    assert_absent "$out/big-bad"
    # With --resume too: bytes that failed the check are not kept as a partial for a later run.
    ur_capture "${EP[@]}" -r 0 cp -p 1 --resume "s3://$BUCKET/big.bin" "$out/big-bad-resume"
    assert_rc 1 "wrong CRC64NVME of an object in parts, --resume ($scheme)"
    grep -q "CRC64NVME mismatch" "$UR_ERR" || fail "no CRC64NVME mismatch with --resume in: $(cat "$UR_ERR")"
    grep -q "for --resume" "$UR_ERR" && fail "a checksum mismatch kept a partial: $(cat "$UR_ERR")"
    assert_absent "$out/big-bad-resume"
    assert_absent "$out/.big-bad-resume.urestore-partial"
    assert_absent "$out/.big-bad-resume.urestore-partial.ranges"
    # A SHA-256 cannot be combined from parts: success, not verified.
    rule big.bin sha256
    ur_capture "${EP[@]}" --json -r 0 cp -p 1 "s3://$BUCKET/big.bin" "$out/big-sha"
    assert_rc 0 "SHA-256 of an object in parts ($scheme)"
    verified false

    # Turned off: nothing asked, nothing checked.
    rule big.bin crc32 FULL_OBJECT wrong
    fault_log_mark
    ur_capture "${EP[@]}" --json --no-verify-checksum -r 0 cp -p 1 "s3://$BUCKET/big.bin" "$out/off"
    assert_rc 0 "--no-verify-checksum ($scheme)"
    assert_same "$FS_ROOT/$BUCKET/big.bin" "$out/off"
    verified false
    [ "$(gets big.bin HEAD)" = 0 ] || fail "--no-verify-checksum sent a HEAD"
    # The text output stays s5cmd's.
    rule small.bin crc32
    ur_capture "${EP[@]}" -r 0 cp "s3://$BUCKET/small.bin" "$out/text"
    assert_rc 0 "text output ($scheme)"
    [ "$(cat "$UR_OUT")" = "cp s3://$BUCKET/small.bin $out/text" ] || fail "text output changed: $(cat "$UR_OUT")"
    assert_no_temp_files "$T"
done
e2e_pass
