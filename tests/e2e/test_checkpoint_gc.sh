#!/usr/bin/env bash
# `urestore checkpoint ls | files | gc` on a realistic Flink tree (tests/e2e/checkpoint_lib.sh): ls shows
# every checkpoint, the savepoint and the failed chk-5; files lists exactly what a _metadata references;
# gc with the default --min-age keeps everything (LastModified cannot be backdated on a real server, so
# "old" is tested with --min-age 0); without --protect the savepoint's file would go; with it gc prints
# exactly the orphans, then deletes exactly them while a checkpoint appearing before the re-check protects
# its file; a second run finds nothing; a corrupted _metadata, or a TMPDIR where the candidates' file cannot
# be created, makes it delete nothing. The server is radosgw, or any server whose env file UR_CK_SERVER_ENV
# names (the Swift test reuses this script).
. "$(dirname "$0")/lib.sh"
if [ -n "${UR_CK_SERVER_ENV:-}" ]; then
    # shellcheck disable=SC2034 # read by e2e_init
    UR_RGW_DIR=$(dirname "$UR_CK_SERVER_ENV")
fi
e2e_init "${UR_CK_TEST_NAME:-checkpoint-gc}"
. "$E2E_DIR/checkpoint_lib.sh"
EP=(--endpoint-url "$UR_S3_HTTP")
ck_tree
ROOT=s3://$BUCKET/cp

# ls: the three checkpoints (type, id, version, counts) and the failed chk-5.
ur_capture "${EP[@]}" checkpoint ls "$ROOT" "s3://$BUCKET/$SP"
assert_rc 0 "checkpoint ls"
assert_stdout_line "s3://$BUCKET/$JA/chk-3/ checkpoint id=3 v6 files=4 bytes=653 shared=3"
assert_stdout_line "s3://$BUCKET/$JA/chk-4/ checkpoint id=4 v6 files=4 bytes=465 shared=3"
assert_stdout_line "s3://$BUCKET/$JB/chk-7/ checkpoint id=7 v6 files=2 bytes=256 shared=1"
assert_stdout_line "s3://$BUCKET/$SP/ savepoint id=9 v6 files=2 bytes=258 shared=1"
grep -q "^s3://$BUCKET/$JA/chk-5/ no-metadata objects=2 " "$UR_OUT" || fail "ls does not show the failed chk-5"
assert_stdout_lines 5

# files: every reference, resolved and deduplicated, s3a/s3p written as s3.
ur_capture "${EP[@]}" checkpoint files "s3://$BUCKET/$JA/chk-3"
assert_rc 0 "checkpoint files"
assert_stdout_lines 4
assert_stdout_line "s3://$BUCKET/$JA/chk-3/e1 50"
grep -q "^s3://$BUCKET/$JB/shared/.* 202\$" "$UR_OUT" || fail "files lacks the other job's shared file"
ur_capture "${EP[@]}" checkpoint files --json "s3://$BUCKET/$JA/chk-4/_metadata"
assert_rc 0 "checkpoint files --json"
grep -q '"kind":"segment","offset":0' "$UR_OUT" || fail "files --json lacks the merged file's segment"

before=$(bucket_keys)

# The default --min-age (24h): everything here is younger, nothing is a candidate.
ur_capture "${EP[@]}" checkpoint gc "$ROOT"
assert_rc 0 "gc with the default min-age"
assert_rm_lines
grep -q "^# left alone: .* young" "$UR_OUT" || fail "the summary does not say the objects were too young"

# Without --protect the savepoint's file is an orphan too: the savepoint is outside the ROOT.
ur_capture "${EP[@]}" checkpoint gc --min-age 0 "$ROOT"
assert_rc 0 "dry run without --protect"
assert_rm_lines "${ORPHANS[@]}" "$PROTECTED_ONLY"

# With it: exactly the orphans, and nothing deleted by a dry run.
ur_capture "${EP[@]}" checkpoint gc --min-age 0 --protect "s3://$BUCKET/$SP" "$ROOT"
assert_rc 0 "dry run"
assert_rm_lines "${ORPHANS[@]}"
grep -q "^# left alone: 1 taskowned" "$UR_OUT" || fail "summary: taskowned"
grep -q "^# left alone: 1 forst" "$UR_OUT" || fail "summary: forst"
grep -q "^# left alone: 1 file-merging" "$UR_OUT" || fail "summary: file-merging"
grep -q "^# left alone: 1 unknown-name" "$UR_OUT" || fail "summary: unknown name"
grep -q "^# left alone: 1 retained-checkpoint" "$UR_OUT" || fail "summary: the stray file of chk-3"
[ "$(bucket_keys)" = "$before" ] || fail "a dry run changed the bucket"

# A corrupted _metadata (cut short) stops the run before anything is deleted, naming file and offset.
head -c 100 "$T/tree/$JA/chk-4/_metadata" >"$T/bad_metadata"
put_object "$BUCKET" "$JA/chk-6/_metadata" "$T/bad_metadata"
ur_capture "${EP[@]}" checkpoint gc --min-age 0 --protect "s3://$BUCKET/$SP" --delete "$ROOT"
assert_rc 1 "a corrupted _metadata"
assert_stderr_has "s3://$BUCKET/$JA/chk-6/_metadata: cannot be parsed: offset "
assert_stderr_has "nothing was deleted"
grep -q '^rm ' "$UR_OUT" && fail "rm lines printed although a _metadata is corrupted"
aws_cli s3 rm --only-show-errors "s3://$BUCKET/$JA/chk-6/_metadata" || fail "could not remove chk-6"
[ "$(bucket_keys)" = "$before" ] || fail "a run with a corrupted _metadata changed the bucket"

# The candidates go to a temporary file in $TMPDIR: one that cannot be created stops the run before any
# listing, naming the directory. Not under valgrind (make test-valgrind): valgrind itself needs a TMPDIR it
# can write to, and the client inherits valgrind's environment (make test and test-asan check it).
case ${UR_WRAPPER:-} in
*valgrind*) say "the unusable TMPDIR check is skipped under valgrind" ;;
*)
    ur_capture TMPDIR="$T/no-such-dir" "${EP[@]}" checkpoint gc --min-age 0 --protect "s3://$BUCKET/$SP" \
        --delete "$ROOT"
    assert_rc 1 "a TMPDIR that does not exist"
    assert_stderr_has "cannot create a temporary file for the candidates in $T/no-such-dir: No such file or directory"
    grep -q '^rm ' "$UR_OUT" && fail "rm lines printed without a temporary file"
    [ "$(bucket_keys)" = "$before" ] || fail "a run without a temporary file changed the bucket"
    ;;
esac

# --delete, with a checkpoint appearing while gc waits before its re-check: chk-8 references the orphan
# O1, which must survive; every other orphan goes, nothing else does.
"$MKMETA" "$T/late_metadata" 8 -a "s3://$BUCKET/$O1" 100 || fail mkmeta
UR_CAPTURE_N=$((${UR_CAPTURE_N:-0} + 1))
UR_OUT=$T/.ur.$UR_CAPTURE_N.out UR_ERR=$T/.ur.$UR_CAPTURE_N.err
ur URESTORE_TEST_GC_PAUSE="$T/go" -- "${EP[@]}" checkpoint gc --min-age 0 --protect "s3://$BUCKET/$SP" --delete \
    "$ROOT" >"$UR_OUT" 2>"$UR_ERR" &
gc_pid=$!
for _ in $(seq 1 200); do grep -q "pausing" "$UR_ERR" 2>/dev/null && break; sleep 0.05; done
grep -q "pausing" "$UR_ERR" || fail "gc never reached its re-check"
put_object "$BUCKET" "$JA/chk-8/_metadata" "$T/late_metadata"
touch "$T/go"
UR_RC=0
# shellcheck disable=SC2034 # assert_rc reads it
wait "$gc_pid" || UR_RC=$?
assert_rc 0 "gc --delete"
kept=()
for k in "${ORPHANS[@]}"; do [ "$k" = "$O1" ] || kept+=("$k"); done
assert_rm_lines "${kept[@]}"
grep -q "^# deleted 5, failed 0" "$UR_OUT" || fail "summary: deleted 5, failed 0"
grep -q "re-check: 1 new _metadata, 1 candidates dropped" "$UR_OUT" || fail "summary: the re-check"
after=$(bucket_keys)
want=$( (printf '%s\n' "$before" "$JA/chk-8/_metadata"; printf '%s\n' "${kept[@]}") | LC_ALL=C sort | uniq -u)
if [ "$after" != "$want" ]; then
    diff <(printf '%s\n' "$want") <(printf '%s\n' "$after") | head -n 20 >&2
    fail "the bucket after gc --delete is not the bucket before minus the orphans (< expected, > found)"
fi

# A second run finds nothing.
ur_capture "${EP[@]}" checkpoint gc --min-age 0 --protect "s3://$BUCKET/$SP" --delete "$ROOT"
assert_rc 0 "second gc"
assert_rm_lines
grep -q "^# checkpoint gc: 0 objects" "$UR_OUT" || fail "the second run's summary does not say 0 objects"

e2e_pass
