# tests/e2e/checkpoint_lib.sh — sourced by the tests/e2e/test_checkpoint_*.sh after lib.sh: builds the
# test _metadata writer (tests/flink/mkmeta.c) and a realistic Flink checkpoint tree in $BUCKET, and lists
# what is in the bucket. LastModified cannot be set on a real server, so every object is "old" only for
# --min-age 0; a non-zero --min-age must keep everything (checked by the tests).
# shellcheck shell=bash disable=SC2034 # the variables set here are for the tests

MKMETA=

# ck_build_mkmeta: compiles the writer into $T/mkmeta.
ck_build_mkmeta() {
    MKMETA=$T/mkmeta
    cc -D_GNU_SOURCE -I"$REPO" -std=gnu11 -O1 -o "$MKMETA" "$REPO/tests/flink/mkmeta.c" ||
        fail "could not build tests/flink/mkmeta.c"
}

uuid() { cat /proc/sys/kernel/random/uuid; }

# ck_file PATH: a small file with random content under $T/tree.
ck_file() {
    mkdir -p "$(dirname "$T/tree/$1")"
    head -c $((100 + RANDOM % 900)) /dev/urandom >"$T/tree/$1"
}

# ck_tree: ck_tree_files, then uploads the tree as s3://$BUCKET/….
ck_tree() {
    ck_tree_files
    put_tree "$BUCKET" "" "$T/tree"
}

# ck_tree_files: writes the tree to $T/tree (the fault server serves a copy of it as it is); sets JA, JB (job
# directories), SP (the savepoint directory), ORPHANS (keys gc must delete), PROTECTED_ONLY (a key only the
# savepoint references) and O1 (an orphan a late checkpoint will reference).
#   cp/JA/chk-3/_metadata   refs JA shared s1 (s3://), s2 (s3a://), JB shared sb1 (s3p://), chk-3/e1 (relative)
#   cp/JA/chk-3/e1, stray   e1 referenced; stray unreferenced but in a retained checkpoint
#   cp/JA/chk-4/_metadata   refs s2, s3, chk-4/e2, a merged file's segment
#   cp/JA/chk-5/f1, f2      a failed checkpoint (no _metadata): orphans
#   cp/JA/shared/           s1 s2 s3 (referenced), o1 o2 o3 (orphans), s4 (only the savepoint's),
#                           op_…_attempt_1/ (ForSt), job_…_op_…/ (file merging: one file referenced)
#   cp/JA/taskowned/, cp/JA/notes.txt   hands off
#   cp/JB/chk-7/_metadata   refs JB shared sb2, chk-7/e7; cp/JB/shared/sb1 sb2 (referenced), ob1 (orphan)
#   savepoints/savepoint-…/_metadata    refs JA shared s4 and its own sp1
ck_tree_files() {
    [ -n "$MKMETA" ] || ck_build_mkmeta
    JA=cp/0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a
    JB=cp/0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b
    SP=savepoints/savepoint-0a0a0a-123456789abc
    local s1 s2 s3 s4 o1 o2 o3 sb1 sb2 ob1 m
    s1=$(uuid) s2=$(uuid) s3=$(uuid) s4=$(uuid) o1=$(uuid) o2=$(uuid) o3=$(uuid)
    sb1=$(uuid) sb2=$(uuid) ob1=$(uuid)
    # Orphans whose names start with 0 and f: the first and last of the parallel key ranges.
    o2=0${o2:1} o3=f${o3:1}
    rm -rf "$T/tree"
    for k in $s1 $s2 $s3 $s4 $o1 $o2 $o3; do ck_file "$JA/shared/$k"; done
    for k in $sb1 $sb2 $ob1; do ck_file "$JB/shared/$k"; done
    ck_file "$JA/chk-3/e1"
    ck_file "$JA/chk-3/stray"
    ck_file "$JA/chk-4/e2"
    ck_file "$JA/chk-5/f1"
    ck_file "$JA/chk-5/f2"
    m=$JA/shared/job_0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a_op_v1_0_1/$(uuid)
    ck_file "$m"
    ck_file "${m%/*}/$(uuid)" # a merged file no segment points into: left alone without --delete-merged
    ck_file "$JA/shared/op_0123456789abcdef0123456789abcdef_attempt_1/000012.sst"
    ck_file "$JA/taskowned/tm-1/$(uuid)"
    ck_file "$JA/notes.txt"
    ck_file "$JB/chk-7/e7"
    ck_file "$SP/sp1"
    mkdir -p "$T/tree/$JA/chk-3" "$T/tree/$JA/chk-4" "$T/tree/$JB/chk-7" "$T/tree/$SP"
    "$MKMETA" "$T/tree/$JA/chk-3/_metadata" 3 -a "s3://$BUCKET/$JA/shared/$s1" 200 \
        -a "s3a://$BUCKET/$JA/shared/$s2" 201 -a "s3p://$BUCKET/$JB/shared/$sb1" 202 -r e1 50 || fail mkmeta
    "$MKMETA" "$T/tree/$JA/chk-4/_metadata" 4 -a "s3://$BUCKET/$JA/shared/$s2" 201 \
        -a "s3://$BUCKET/$JA/shared/$s3" 203 -r e2 51 -g "s3://$BUCKET/$m" 0 10 || fail mkmeta
    "$MKMETA" "$T/tree/$JB/chk-7/_metadata" 7 -a "s3://$BUCKET/$JB/shared/$sb2" 204 -r e7 52 || fail mkmeta
    "$MKMETA" "$T/tree/$SP/_metadata" 9 -s -a "s3://$BUCKET/$JA/shared/$s4" 205 -r sp1 53 || fail mkmeta
    ORPHANS=("$JA/chk-5/f1" "$JA/chk-5/f2" "$JA/shared/$o1" "$JA/shared/$o2" "$JA/shared/$o3"
        "$JB/shared/$ob1")
    PROTECTED_ONLY=$JA/shared/$s4
    O1=$JA/shared/$o1
}

# bucket_keys: every key in $BUCKET, sorted, one per line.
bucket_keys() {
    aws_cli s3api list-objects-v2 --bucket "$BUCKET" --query 'Contents[].Key' --output text |
        tr '\t' '\n' | grep -v '^None$' | LC_ALL=C sort
}

# rm_lines KEY...: the `rm s3://$BUCKET/KEY` lines for KEYs, sorted as gc prints them.
rm_lines() {
    local k
    for k in "$@"; do printf 'rm s3://%s/%s\n' "$BUCKET" "$k"; done | LC_ALL=C sort
}

# assert_rm_lines KEY...: the client's stdout holds exactly these rm lines (and summary lines).
assert_rm_lines() {
    local want got
    want=$(rm_lines "$@")
    got=$(grep '^rm ' "$UR_OUT" || true)
    if [ "$want" != "$got" ]; then
        diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -n 20 >&2
        fail "the rm lines differ from the expected orphans (< expected, > printed)"
    fi
}
