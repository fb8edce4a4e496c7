#!/usr/bin/env bash
# Faults on the listing of a wildcard source (ListObjectsV2, pages of 100 keys): a 500 and a page cut
# mid-body are retried and the listing goes on from the right page, so every object lands exactly once;
# with retries exhausted the copy fails with an ERROR line, and whatever landed is whole.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init fault-list

N=250
for i in $(seq -w 1 "$N"); do fault_object "ckpt/shared/f$i.sst" $((10#$i * 11 + 100)); done
fault_object ckpt/other/x.sst 100
SRC="s3://$BUCKET/ckpt/shared/*"

for scheme in http https; do
    fault_endpoint "$scheme"
    out=$T/$scheme
    # Page 2 answers 500 once, page 3 is cut after 500 bytes once.
    fault_rules '{"list_page":100,"rules":[{"key":"?list","on":[2],"fault":"status","status":500},
        {"key":"?list","on":[4],"fault":"truncate","after":500}]}'
    fault_log_mark
    ur_capture "${EP[@]}" --log error cp "$SRC" "$out/"
    assert_rc 0 "listing faults that retries heal ($scheme)"
    assert_same_tree "$FS_ROOT/$BUCKET/ckpt/shared" "$out"
    lists=$(fault_log_since | awk -F'\t' '$4 ~ /list-type=2/' | wc -l)
    [ "$lists" = 5 ] || fail "$lists listing requests, expected 5 (3 pages, 2 retries)"
    gets=$(fault_log_since | awk -F'\t' '$4 ~ /\/ckpt\/shared\/f/' | wc -l)
    if [ "$gets" != "$N" ]; then
        fault_log_since | awk -F'\t' '$4 ~ /\/ckpt\// { print $4 }' | sort | uniq -d | head -n 5 | sed 's/^/  twice: /' >&2
        fail "$gets GETs for $N objects: some were fetched twice or not at all"
    fi

    # The listing always fails: no retry heals it.
    fault_rules '{"list_page":100,"rules":[{"key":"?list","on":[2],"fault":"status","status":503,"code":"SlowDown"},
        {"key":"?list","on":[3],"fault":"status","status":503,"code":"SlowDown"}]}'
    ur_capture "${EP[@]}" -r 1 cp "$SRC" "$T/fail-$scheme/"
    assert_rc 1 "a listing that fails after its retries ($scheme)"
    grep -q '^ERROR ' "$UR_ERR" || fail "no ERROR line for the failed listing"
    grep -Fq "SlowDown" "$UR_ERR" || fail "the ERROR line does not carry S3's SlowDown"
    # Whatever landed before the listing failed must be whole.
    if [ -d "$T/fail-$scheme" ]; then
        for f in "$T/fail-$scheme"/*; do [ ! -e "$f" ] || assert_same "$FS_ROOT/$BUCKET/ckpt/shared/${f##*/}" "$f"; done
    fi
    assert_no_temp_files "$T"
done
e2e_pass
