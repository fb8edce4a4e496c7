#!/usr/bin/env bash
# A bucket in another region than the client's (us-east-1 here): the fault server (our stand-in, since no
# real server here checks a signature's region) answers requests signed for any region but the bucket's
# eu-west-3 as S3 does — 301 PermanentRedirect with x-amz-bucket-region, or 400 AuthorizationHeaderMalformed
# naming the region in its body — and logs the region each request was signed for. The client signs again
# for eu-west-3 and remembers it for the client's life:
#   - a wildcard copy (a listing, then GETs): only the first request is redirected; every later request of
#     the run, listing pages and GETs, is signed for eu-west-3 from the start; the files are whole;
#   - 400 AuthorizationHeaderMalformed (region in the body only) heals the same way;
#   - through the library (tests/abi/objects.c): a small get, a listing and DeleteObjects each heal;
#   - with no region configured and credentials from instance metadata, the instance's region is used;
#   - an endpoint that redirects even a request signed for the bucket's region cannot be fixed: the copy
#     fails after one retry there, naming the region, and leaves no file.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init region-redirect

N=20
for i in $(seq -w 1 "$N"); do fault_object "d/f$i" $((10#$i * 1000 + 7)); done
fault_object one 3000000

# signed REGION: how many requests since the mark were signed for REGION.
signed() { fault_count 13 "$1"; }

for answer in 301 400; do
    fault_endpoint http
    fault_rules '{"list_page":8,"regions":[{"bucket":"'"$BUCKET"'","region":"eu-west-3","answer":'$answer'}]}'
    fault_log_mark
    ur_capture "${EP[@]}" cp "s3://$BUCKET/d/*" "$T/out-$answer/"
    assert_rc 0 "wildcard copy from a bucket in eu-west-3, answered $answer when signed for us-east-1"
    assert_same_tree "$FS_ROOT/$BUCKET/d" "$T/out-$answer"
    redirected=$(fault_count 7 "$answer")
    [ "$redirected" = 1 ] || fail "answer $answer: $redirected requests redirected, expected 1 (the region is remembered)"
    [ "$(signed us-east-1)" = 1 ] || fail "answer $answer: $(signed us-east-1) requests signed for us-east-1, expected 1"
    # 3 listing pages of 8 and N GETs, all signed for the bucket's region.
    [ "$(signed eu-west-3)" = $((N + 3)) ] ||
        fail "answer $answer: $(signed eu-west-3) requests signed for eu-west-3, expected $((N + 3))"
done

# Over HTTPS, a larger object in parts (several connections): the same.
fault_endpoint https
fault_rules '{"regions":[{"bucket":"'"$BUCKET"'","region":"eu-west-3","answer":301}]}'
fault_log_mark
ur_capture "${EP[@]}" cp -p 1 "s3://$BUCKET/one" "$T/one"
assert_rc 0 "a multi-part copy over HTTPS, redirected"
assert_same "$FS_ROOT/$BUCKET/one" "$T/one"
[ "$(signed us-east-1)" = 1 ] || fail "HTTPS: $(signed us-east-1) requests signed for us-east-1, expected 1"

# The library's own requests: each call heals and succeeds.
lib=$BUILD_DIR/liburestore.so.1
[ -f "$lib" ] || fail "$lib not built (make)"
cc -std=gnu11 -Wall -Wextra -Werror -I"$REPO/tests/abi" -I"$REPO/include" -o "$T/objects" "$REPO/tests/abi/objects.c" \
    -L"$BUILD_DIR" -l:liburestore.so.1 -Wl,-rpath,"$BUILD_DIR" || fail "objects.c does not build"
objects() {
    UR_OUT=$T/.objects.out UR_ERR=$T/.objects.err UR_RC=0
    env -i PATH=/usr/bin:/bin AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION=us-east-1 S3_ENDPOINT_URL="$FS_HTTP" timeout -k 5 60 "$T/objects" "$@" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
}
fault_rules '{"regions":[{"bucket":"'"$BUCKET"'","region":"eu-west-3","answer":400}]}'
objects get "s3://$BUCKET/d/f01" 100000
assert_rc 0 "urestore_get, redirected: $(cat "$UR_OUT" "$UR_ERR")"
cmp -s "$UR_OUT" "$FS_ROOT/$BUCKET/d/f01" || fail "urestore_get, redirected: not the object's bytes"
objects list "s3://$BUCKET/d/"
assert_rc 0 "urestore_list, redirected: $(cat "$UR_ERR")"
[ "$(wc -l <"$UR_OUT")" = "$N" ] || fail "urestore_list, redirected: $(wc -l <"$UR_OUT") objects, expected $N"
fault_log_mark
objects delete "s3://$BUCKET" d/f01 d/f02
assert_rc 0 "urestore_delete, redirected: $(cat "$UR_OUT" "$UR_ERR")"
[ ! -e "$FS_ROOT/$BUCKET/d/f01" ] && [ ! -e "$FS_ROOT/$BUCKET/d/f02" ] || fail "urestore_delete, redirected: the keys are still there"
[ "$(signed eu-west-3)" = 1 ] || fail "DeleteObjects: not sent again signed for eu-west-3"

# No region configured and credentials from instance metadata (the stand-in, tests/servers/imds.py): the
# region is the instance's (placement/region, eu-west-3), so even the first request is signed for it and
# nothing is redirected. AWS_REGION, earlier in the chain, wins over it.
python3 "$REPO/tests/servers/imds.py" imds --region eu-west-3 --session-token fault-server-ignores-it --log "$T/imds.log" >"$T/imds.port" &
E2E_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T/imds.port" ] && break; sleep 0.1; done
[ -s "$T/imds.port" ] || fail "the instance metadata stand-in did not start"
imds=(-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(head -n 1 "$T/imds.port")")
fault_endpoint http
fault_rules '{"regions":[{"bucket":"'"$BUCKET"'","region":"eu-west-3","answer":400}]}'
fault_log_mark
ur_capture -u AWS_REGION "${imds[@]}" -- "${EP[@]}" cp "s3://$BUCKET/d/f03" "$T/imds-region"
assert_rc 0 "region from instance metadata"
assert_same "$FS_ROOT/$BUCKET/d/f03" "$T/imds-region"
grep -q 'GET /latest/meta-data/placement/region' "$T/imds.log" || fail "instance metadata was not asked for the region"
[ "$(signed eu-west-3)" = 1 ] && [ "$(fault_count 7 400)" = 0 ] ||
    fail "region from instance metadata: $(signed eu-west-3) requests signed for eu-west-3, $(fault_count 7 400) redirected; expected 1 and 0"
fault_log_mark
ur_capture "${imds[@]}" AWS_REGION=us-west-2 -- "${EP[@]}" cp "s3://$BUCKET/d/f04" "$T/env-region"
assert_rc 0 "AWS_REGION with credentials from instance metadata"
[ "$(signed us-west-2)" = 1 ] || fail "AWS_REGION did not win over instance metadata's region"

# An endpoint that cannot serve the bucket: redirected whatever the signature. One retry, then an error
# that names the bucket's region; nothing under the destination's name.
fault_endpoint http
fault_rules '{"regions":[{"bucket":"'"$BUCKET"'","region":"eu-west-3","answer":301,"always":true}]}'
fault_log_mark
ur_capture "${EP[@]}" cp "s3://$BUCKET/one" "$T/never"
assert_rc 1 "an endpoint that redirects every request"
assert_error_line "s3://$BUCKET/one" "$T/never" "region eu-west-3"
assert_absent "$T/never"
assert_no_temp_files "$T"
[ "$(fault_count 7 301)" = 2 ] || fail "$(fault_count 7 301) requests for an endpoint that always redirects, expected 2"
e2e_pass
