#!/usr/bin/env bash
# Plays Apache Flink's FlinkS3FileSystem.copyFiles exactly: batches of at most 100 files, each written as
# "cp --part-size 50 SRC DST" lines (unquoted, one space, a line separator after every line, the last
# included) into a command file that becomes stdin; argv [urestore, <s3.s5cmd.args split on blanks>, "run"]
# (Flink's default "-r 0", and " -r 0" whose split leaves an empty element); stdout and stderr redirected
# into ONE file; a working directory of its own; credentials and endpoint only in the environment.
#
# Asserts: a batch of 100 exits 0 with exactly one whole "cp SRC DST" line per file and every file
# byte-identical; a batch with one missing key exits 1 with one ERROR line for it and the 99 others
# complete; a -n line over an existing file prints nothing and keeps the file; SIGTERM in the middle of
# large downloads (what Flink's Process.destroy() sends) ends the process within 200 ms, exit status 1,
# with no temporary file left and no partial file under a final name, and the output holds whole lines.
. "$(dirname "$0")/lib.sh"
e2e_init flink-contract

n=150       # requests in one copyFiles call: Flink cuts them into batches of 100 and 50
max_files=100
mkdir -p "$T/src/shared"
for i in $(seq 0 $((n - 1))); do
    # Sizes from 0 to ~600 KiB, none a multiple of 4096 but the empty one.
    head -c $(((i * 40009) % 614411)) /dev/urandom >"$T/src/shared/$(printf '%06d' "$i").sst"
done
put_tree "$BUCKET" job/chk-7/shared "$T/src/shared"

# flink_batch WORKDIR ARGV... : runs one s5cmd invocation the way castSpell does, with WORKDIR/s5cmd_input
# as stdin and WORKDIR/s5cmd_output as stdout and stderr; sets UR_RC and FLINK_OUT.
flink_batch() {
    local wd=$1
    shift
    FLINK_OUT=$wd/s5cmd_output
    UR_LAST_CMD="$* <$wd/s5cmd_input"
    UR_OUT=$FLINK_OUT UR_ERR=/dev/null
    UR_RC=0
    (cd "$wd" && env -i "${UR_IO_ENV[@]}" PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
        AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        S3_ENDPOINT_URL="$UR_S3_HTTP" \
        timeout -k 5 300 "$@" <"$wd/s5cmd_input" >"$FLINK_OUT" 2>&1) || UR_RC=$?
    if [ "$UR_RC" -ge 124 ]; then fail "the client timed out or died (status $UR_RC)"; fi
}

# new_workdir: Flink's per-invocation directory (localTmpDir/s5cmd_UUID) with an empty output file.
new_workdir() {
    local wd
    wd=$(mktemp -d "$T/s5cmd_XXXXXXXX")
    : >"$wd/s5cmd_output"
    printf '%s\n' "$wd"
}

# assert_whole_lines FILE: every line of FILE ends with a newline and is one of urestore's line shapes.
assert_whole_lines() {
    [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || fail "$1 ends in a partial line"
    local bad
    bad=$(grep -Ev '^(cp s3[ap]?://[^ ]+ [^ ]+|ERROR "cp s3[ap]?://[^ ]+ [^ ]+": .+|ERROR "run": interrupted by a signal)$' "$1" |
        head -n 3 || true)
    [ -z "$bad" ] || fail "$1 has lines that are not whole urestore lines: $bad"
}

# ---------------------------------------------------------------------------------------------------------
# One copyFiles call of 150 requests: batches of 100 and 50. The destinations are Flink's: an absolute
# path under the instance's db directory, parents created by Flink before the run.
db=$T/tm/flink-io-1/job_x/db
mkdir -p "$db"
schemes=(s3 s3a s3p)
batch=() done_files=0 bn=0
for i in $(seq 0 $((n - 1))); do
    name=$(printf '%06d' "$i").sst
    batch+=("cp --part-size 50 ${schemes[$((i % 3))]}://$BUCKET/job/chk-7/shared/$name $db/$name")
    if [ "${#batch[@]}" -ge "$max_files" ] || [ "$i" = $((n - 1)) ]; then
        bn=$((bn + 1))
        wd=$(new_workdir)
        printf '%s\n' "${batch[@]}" >"$wd/s5cmd_input"
        if [ "$bn" = 1 ]; then
            flink_batch "$wd" "$UR_BIN" -r 0 run # s3.s5cmd.args: "-r 0" (the default)
        else
            flink_batch "$wd" "$UR_BIN" "" -r 0 run # s3.s5cmd.args: " -r 0"
        fi
        assert_rc 0 "batch $bn of ${#batch[@]} files"
        assert_whole_lines "$FLINK_OUT"
        [ "$(wc -l <"$FLINK_OUT")" = "${#batch[@]}" ] ||
            fail "batch $bn: $(wc -l <"$FLINK_OUT") output lines for ${#batch[@]} files"
        diff <(printf '%s\n' "${batch[@]}" | sed 's/^cp --part-size 50 /cp /' | sort) <(sort "$FLINK_OUT") >&2 ||
            fail "batch $bn: the output lines are not one 'cp SRC DST' per command"
        done_files=$((done_files + ${#batch[@]}))
        batch=()
    fi
done
[ "$done_files" = "$n" ] || fail "ran $done_files of $n files"
assert_same_tree "$T/src/shared" "$db"
say "150 requests in batches of 100 and 50: exit 0, one line each, files identical"

# ---------------------------------------------------------------------------------------------------------
# A batch of 100 with one missing key (line 50): exit 1, one ERROR line naming it, the 99 others complete.
db2=$T/tm/flink-io-2/job_x/db
mkdir -p "$db2"
wd=$(new_workdir)
for i in $(seq 0 99); do
    name=$(printf '%06d' "$i").sst
    [ "$i" = 49 ] && name=999999.sst # not uploaded
    echo "cp --part-size 50 s3://$BUCKET/job/chk-7/shared/$name $db2/$name"
done >"$wd/s5cmd_input"
flink_batch "$wd" "$UR_BIN" -r 0 run
assert_rc 1 "one key of the batch is missing"
assert_whole_lines "$FLINK_OUT"
[ "$(grep -c '^cp ' "$FLINK_OUT")" = 99 ] || fail "expected 99 cp lines, got $(grep -c '^cp ' "$FLINK_OUT")"
[ "$(grep -c '^ERROR ' "$FLINK_OUT")" = 1 ] || fail "expected exactly one ERROR line"
grep -Fq "ERROR \"cp s3://$BUCKET/job/chk-7/shared/999999.sst $db2/999999.sst\": NoSuchKey" "$FLINK_OUT" ||
    fail "the ERROR line does not name the missing key with S3's NoSuchKey"
assert_absent "$db2/999999.sst"
for i in $(seq 0 99); do
    [ "$i" = 49 ] && continue
    name=$(printf '%06d' "$i").sst
    assert_same "$T/src/shared/$name" "$db2/$name"
done
say "one missing key in 100: exit 1, one ERROR line, the 99 others complete"

# ---------------------------------------------------------------------------------------------------------
# -n over an existing destination: nothing printed at the default level, exit 0, the file kept; the other
# line of the batch is copied as usual.
echo "keep me" >"$db2/000001.sst"
wd=$(new_workdir)
{
    echo "cp -n --part-size 50 s3://$BUCKET/job/chk-7/shared/000001.sst $db2/000001.sst"
    echo "cp -n --part-size 50 s3://$BUCKET/job/chk-7/shared/000002.sst $db2/new/000002.sst"
} >"$wd/s5cmd_input"
flink_batch "$wd" "$UR_BIN" -r 0 run
assert_rc 0 "-n keeps an existing file and succeeds"
[ "$(cat "$FLINK_OUT")" = "cp s3://$BUCKET/job/chk-7/shared/000002.sst $db2/new/000002.sst" ] ||
    fail "-n: expected only the line of the copied file, got: $(head -c 300 "$FLINK_OUT")"
[ "$(cat "$db2/000001.sst")" = "keep me" ] || fail "-n replaced an existing file"
assert_same "$T/src/shared/000002.sst" "$db2/new/000002.sst"

# ---------------------------------------------------------------------------------------------------------
# SIGTERM mid-batch, over HTTPS (the CA in the environment, as a task manager would have it): eight large
# downloads; the signal comes once the first file is open, i.e. while bodies are streaming.
big=$((192 * MiB + 12345))
make_file "$T/src/big" "$big"
put_object_multipart "$BUCKET" job/chk-7/shared/big.sst "$T/src/big"
db3=$T/tm/flink-io-3/job_x/db
mkdir -p "$db3"
wd=$(new_workdir)
for i in 1 2 3 4 5 6 7 8; do
    echo "cp --part-size 50 s3://$BUCKET/job/chk-7/shared/big.sst $db3/big$i.sst"
done >"$wd/s5cmd_input"
FLINK_OUT=$wd/s5cmd_output UR_OUT=$FLINK_OUT UR_ERR=/dev/null UR_LAST_CMD="urestore -r 0 run (SIGTERM mid-batch)"
(cd "$wd" && exec env -i "${UR_IO_ENV[@]}" PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
    S3_ENDPOINT_URL="$UR_S3_HTTPS" AWS_CA_BUNDLE="$UR_CA_FILE" \
    "$UR_BIN" -r 0 run <"$wd/s5cmd_input" >"$FLINK_OUT" 2>&1) &
pid=$!
E2E_PIDS+=("$pid")
wait_files_open "$pid" "$db3" 1
sleep 0.1 # well into the bodies
kill -0 "$pid" 2>/dev/null || fail "the client ended before the signal: make the objects larger"
dt=$(signal_exit_ms "$pid" TERM) || fail "the client did not exit within 30 s of SIGTERM"
UR_RC=0
wait "$pid" || UR_RC=$?
say "SIGTERM to exit: ${dt} ms (exit status $UR_RC)"
assert_rc 1 "interrupted by SIGTERM"
# Flink's 200 ms holds for the real build; an instrumented one (make test-asan sets UR_TIME_SCALE=3) runs
# its user code 2-3 times slower and scans its heap for leaks at exit: 65-215 ms measured, old code alike.
limit=$((200 * ${UR_TIME_SCALE:-1}))
[ "$dt" -le "$limit" ] || fail "the client took ${dt} ms to exit after SIGTERM (Flink allows 200 ms before SIGKILL; limit here ${limit} ms)"
assert_whole_lines "$FLINK_OUT"
grep -Fxq 'ERROR "run": interrupted by a signal' "$FLINK_OUT" || fail "no 'interrupted by a signal' line"
assert_no_temp_files "$db3"
for i in 1 2 3 4 5 6 7 8; do
    if [ -e "$db3/big$i.sst" ]; then
        assert_same "$T/src/big" "$db3/big$i.sst"
        grep -Fxq "cp s3://$BUCKET/job/chk-7/shared/big.sst $db3/big$i.sst" "$FLINK_OUT" ||
            fail "big$i.sst is complete but its cp line is missing"
    fi
done

e2e_pass
