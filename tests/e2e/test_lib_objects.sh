#!/usr/bin/env bash
# Requests beyond copies, through the public ABI (tests/abi/objects.c), against radosgw over HTTP and HTTPS:
#   - urestore_list: every key under a prefix across pages, in order, with sizes, LastModified and ETags;
#     start_after skips up to a key; a callback that stops ends the listing;
#   - urestore_get: a whole object into memory, byte for byte; one larger than the bound is refused and
#     returns nothing; a missing key says NoSuchKey;
#   - urestore_delete: 600 keys in pages (several requests), then they are gone; keys that do not exist
#     succeed (S3 does not tell them apart); a key XML cannot carry is refused for its page.
. "$(dirname "$0")/lib.sh"
e2e_init lib-objects

lib=$BUILD_DIR/liburestore.so.1
[ -f "$lib" ] || fail "$lib not built (make)"
cc -std=gnu11 -Wall -Wextra -Werror -I"$REPO/tests/abi" -I"$REPO/include" -o "$T/objects" "$REPO/tests/abi/objects.c" \
    -L"$BUILD_DIR" -l:liburestore.so.1 -Wl,-rpath,"$BUILD_DIR" || fail "objects.c does not build"

# objects ENDPOINT ARGS...: the program with the test user's keys.
objects() {
    local ep=$1
    shift
    UR_LAST_CMD="objects $*"
    UR_OUT=$T/.objects.out UR_ERR=$T/.objects.err UR_RC=0
    env -i PATH=/usr/bin:/bin AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION="$AWS_REGION" S3_ENDPOINT_URL="$ep" AWS_CA_BUNDLE="$UR_CA_FILE" \
        timeout -k 5 300 "$T/objects" "$@" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
}

# 1,200 small keys under d/ (three listing pages of 1,000 at most), a few larger objects under g/.
mkdir -p "$T/tree/d"
for i in $(seq -w 0 1199); do printf '%s' "$i" >"$T/tree/d/k$i"; done
put_tree "$BUCKET" d "$T/tree/d"
make_file "$T/src/big" 3000000
put_object "$BUCKET" g/big "$T/src/big"
make_file "$T/src/small" 1000
put_object "$BUCKET" g/small "$T/src/small"

for ep in "$UR_S3_HTTP" "$UR_S3_HTTPS"; do
    objects "$ep" list "s3://$BUCKET/d/"
    assert_rc 0 "list d/ ($ep)"
    [ "$(wc -l <"$UR_OUT")" = 1200 ] || fail "list d/ ($ep): $(wc -l <"$UR_OUT") objects, expected 1200"
    awk '{ print $1 }' "$UR_OUT" >"$T/keys"
    sort -c "$T/keys" || fail "list d/ ($ep): keys out of order"
    grep -q '^d/k0007 4 [0-9]\{10\} "' "$UR_OUT" || fail "list d/ ($ep): d/k0007's line: $(grep d/k0007 "$UR_OUT")"
    objects "$ep" list "s3://$BUCKET/d/k1" "d/k1099"
    assert_rc 0 "list with start_after"
    [ "$(head -n 1 "$UR_OUT" | cut -d' ' -f1)" = d/k1100 ] && [ "$(wc -l <"$UR_OUT")" = 100 ] ||
        fail "start_after d/k1099 ($ep): $(wc -l <"$UR_OUT") objects from $(head -n 1 "$UR_OUT")"
    objects "$ep" list "s3://$BUCKET/d/" "" 5
    assert_rc 0 "a listing stopped by its callback"
    [ "$(wc -l <"$UR_OUT")" = 5 ] || fail "a stopped listing printed $(wc -l <"$UR_OUT") objects"

    objects "$ep" get "s3://$BUCKET/g/big" 4000000
    assert_rc 0 "get g/big ($ep)"
    cmp -s "$UR_OUT" "$T/src/big" || fail "get g/big ($ep): bytes differ"
    objects "$ep" get "s3://$BUCKET/g/big" 2999999
    assert_rc 1 "get g/big over its bound ($ep)"
    grep -q "^FAIL invalid argument: s3://$BUCKET/g/big is larger than 2999999 bytes" "$UR_OUT" ||
        fail "over the bound: $(cat "$UR_OUT")"
    objects "$ep" get "s3://$BUCKET/g/none" 100
    assert_rc 1 "get a missing key"
    grep -q "NoSuchKey" "$UR_OUT" || fail "a missing key: $(cat "$UR_OUT")"
done

# 600 deletions (3 pages), plus two keys that never existed.
args=()
for i in $(seq -w 0 599); do args+=("d/k0$i"); done
objects "$UR_S3_HTTPS" delete "s3://$BUCKET" "${args[@]}" d/none1 d/none2
assert_rc 0 "delete 602 keys"
[ "$(grep -c '^OK ' "$UR_OUT")" = 602 ] || fail "delete: $(grep -vc '^OK ' "$UR_OUT") keys not OK: $(grep -v '^OK ' "$UR_OUT" | head -3)"
objects "$UR_S3_HTTP" list "s3://$BUCKET/d/"
[ "$(wc -l <"$UR_OUT")" = 600 ] || fail "after deleting 600 of 1200, $(wc -l <"$UR_OUT") remain"
objects "$UR_S3_HTTP" delete "s3://$BUCKET" d/k0600 "$(printf 'd/bell\a')"
assert_rc 1 "a key XML cannot carry"
grep -q "^FAIL d/k0600 invalid argument: a key cannot be sent" "$UR_OUT" || fail "refused page: $(cat "$UR_OUT")"
objects "$UR_S3_HTTP" delete "s3://$BUCKET/d" d/k0601
assert_rc 1 "delete with an object URI"
grep -q "not a bucket URI" "$UR_OUT" || fail "object URI for delete: $(cat "$UR_OUT")"
e2e_pass
