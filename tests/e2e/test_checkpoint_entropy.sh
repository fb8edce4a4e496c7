#!/usr/bin/env bash
# `checkpoint gc --entropy-key`: with s3.entropy.key Flink writes _metadata without the entropy component
# and data files (exclusive ones too, as absolute handles) under random prefixes in its place. gc reads the
# _metadata under the plain path, lists every prefix that exists in the key's place, and deletes exactly
# the orphans there: an unreferenced shared file under each prefix and a failed checkpoint's file, while
# a stray file of a retained checkpoint (retained through its _metadata on the plain path) stays.
. "$(dirname "$0")/lib.sh"
e2e_init checkpoint-entropy
. "$E2E_DIR/checkpoint_lib.sh"
ck_build_mkmeta
J=0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d
rm -rf "$T/tree"
for k in ent/Xa/cp/$J/shared/u1 ent/Xa/cp/$J/shared/u2 ent/Xb/cp/$J/shared/u3 ent/Xa/cp/$J/chk-1/e1 \
    ent/Xa/cp/$J/chk-1/stray ent/Xb/cp/$J/chk-2/f1; do
    ck_file "$k"
done
mkdir -p "$T/tree/ent/cp/$J/chk-1"
"$MKMETA" "$T/tree/ent/cp/$J/chk-1/_metadata" 1 -a "s3://$BUCKET/ent/Xa/cp/$J/shared/u1" 10 \
    -a "s3://$BUCKET/ent/Xa/cp/$J/chk-1/e1" 11 || fail mkmeta
put_tree "$BUCKET" "" "$T/tree"
before=$(bucket_keys)

ur_capture --endpoint-url "$UR_S3_HTTP" checkpoint gc --min-age 0 --entropy-key _entropy_ \
    "s3://$BUCKET/ent/_entropy_/cp"
assert_rc 0 "entropy dry run"
assert_rm_lines "ent/Xa/cp/$J/shared/u2" "ent/Xb/cp/$J/shared/u3" "ent/Xb/cp/$J/chk-2/f1"
grep -q "^# left alone: 1 retained-checkpoint" "$UR_OUT" || fail "the stray file of the retained chk-1 is not kept"

# A ROOT without the component is refused with --entropy-key.
ur_capture --endpoint-url "$UR_S3_HTTP" checkpoint gc --min-age 0 --entropy-key _entropy_ "s3://$BUCKET/ent/cp"
assert_rc 1 "no entropy component"
assert_stderr_has 'has no path component "_entropy_"'

ur_capture --endpoint-url "$UR_S3_HTTP" checkpoint gc --min-age 0 --entropy-key _entropy_ --delete \
    "s3://$BUCKET/ent/_entropy_/cp"
assert_rc 0 "entropy delete"
assert_rm_lines "ent/Xa/cp/$J/shared/u2" "ent/Xb/cp/$J/shared/u3" "ent/Xb/cp/$J/chk-2/f1"
want=$( (printf '%s\n' "$before" "ent/Xa/cp/$J/shared/u2" "ent/Xb/cp/$J/shared/u3" "ent/Xb/cp/$J/chk-2/f1") |
    LC_ALL=C sort | uniq -u)
[ "$(bucket_keys)" = "$want" ] || fail "the bucket after the delete is not the bucket before minus the orphans"
e2e_pass
