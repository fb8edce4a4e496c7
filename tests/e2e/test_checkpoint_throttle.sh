#!/usr/bin/env bash
# `checkpoint gc --delete` against a throttling server (the fault server's DeleteObjects, which insists on
# Content-MD5): the first DeleteObjects answers 503 SlowDown, every 4th key of a request gets a per-key
# SlowDown twice, and one key is refused for good (AccessDenied). Nothing is lost: every other orphan is
# deleted, the referenced files and the _metadata stay, the refused key gets exactly one
# `ERROR "rm s3://…": AccessDenied: …` line, and the exit status is 1. The fault server's objects are
# dated 2024, so the default --min-age (24h) applies here.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/faults/lib.sh"
fault_init checkpoint-throttle
. "$E2E_DIR/checkpoint_lib.sh"
ck_build_mkmeta
fault_endpoint http

J=cp/0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c
D=$FS_ROOT/$BUCKET
mkdir -p "$D/$J/chk-1" "$D/$J/shared"
head -c 300 /dev/urandom >"$D/$J/shared/s1"
head -c 40 /dev/urandom >"$D/$J/chk-1/e1"
"$MKMETA" "$D/$J/chk-1/_metadata" 1 -a "s3://$BUCKET/$J/shared/s1" 300 -r e1 40 || fail mkmeta
orphans=()
for _ in $(seq 1 40); do
    k=$J/shared/$(uuid)
    head -c 100 /dev/urandom >"$D/$k"
    orphans+=("$k")
done
bad=${orphans[7]}
printf '{"delete": {"status_on": [1], "key_error_every": 4, "key_error_times": 2, "fail_keys": {"%s": "AccessDenied"}}}\n' \
    "$bad" >"$FS_RULES"

# Refusals before anything is read: a chk-N as ROOT, a malformed duration, a missing _metadata.
ur_capture "${EP[@]}" checkpoint gc --delete "s3://$BUCKET/$J/chk-1"
assert_rc 1 "a chk-N is not a ROOT"
assert_stderr_has "not one chk-N"
ur_capture "${EP[@]}" checkpoint gc --min-age 3x "s3://$BUCKET/cp"
assert_rc 1 "a malformed --min-age"
assert_stderr_has 'invalid value "3x" for flag -min-age'
ur_capture "${EP[@]}" checkpoint files "s3://$BUCKET/$J/chk-9"
assert_rc 1 "files of a missing checkpoint"
assert_stderr_has "ERROR \"checkpoint files\": s3://$BUCKET/$J/chk-9/_metadata: "
[ "$(find "$D" -type f | wc -l)" = 43 ] || fail "a refused command changed the bucket"

ur_capture "${EP[@]}" checkpoint gc --delete --delete-page 10 "s3://$BUCKET/cp"
assert_rc 1 "one key was refused"
kept=()
for k in "${orphans[@]}"; do [ "$k" = "$bad" ] || kept+=("$k"); done
assert_rm_lines "${kept[@]}"
[ "$(grep -c '^ERROR ' "$UR_ERR")" = 1 ] || fail "expected exactly one ERROR line"
grep -q "^ERROR \"rm s3://$BUCKET/$bad\": AccessDenied: " "$UR_ERR" || fail "no ERROR line for the refused key"
for k in "${kept[@]}"; do [ ! -e "$D/$k" ] || fail "not deleted: $k"; done
for k in "$bad" "$J/shared/s1" "$J/chk-1/e1" "$J/chk-1/_metadata"; do [ -e "$D/$k" ] || fail "lost: $k"; done
grep -q "^# deleted 39, failed 1" "$UR_OUT" || fail "summary: deleted 39, failed 1"
# The server saw the throttles, and every DeleteObjects carried a valid Content-MD5 (else 400).
grep -q "	POST	/$BUCKET?delete.*	503	delete_503	" "$FS_LOG" || fail "the 503 SlowDown was never served"
grep -q "delete_key_errors=" "$FS_LOG" || fail "no per-key error was served"
awk -F'\t' '$3 == "POST" && $7 == 400' "$FS_LOG" | grep -q . && fail "a DeleteObjects was refused (Content-MD5?)"

# Without the faults the refused key goes too, and a third run finds nothing.
: >"$FS_RULES"
ur_capture "${EP[@]}" checkpoint gc --delete "s3://$BUCKET/cp"
assert_rc 0 "second run"
assert_rm_lines "$bad"
ur_capture "${EP[@]}" checkpoint gc --delete "s3://$BUCKET/cp"
assert_rc 0 "third run"
assert_rm_lines
e2e_pass
