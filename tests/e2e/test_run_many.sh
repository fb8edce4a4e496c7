#!/usr/bin/env bash
# 1,000 small objects (0 B to ~12 KiB) in one `run`: every one lands byte-identical, one stdout line each;
# then 17,001 lines in one run, more than one chunk of the CLI's library calls.
. "$(dirname "$0")/lib.sh"
e2e_init run-many

n=1000
mkdir -p "$T/src/many"
# Sizes spread over 0..12 KiB, many not multiples of anything; random content.
for i in $(seq 0 $((n - 1))); do
    head -c $(((i * 7919) % 12289)) /dev/urandom >"$T/src/many/f$i.sst"
done
put_tree "$BUCKET" many "$T/src/many"

f=$T/tasks.txt
for i in $(seq 0 $((n - 1))); do
    echo "cp s3://$BUCKET/many/f$i.sst $T/dst/many/f$i.sst"
done >"$f"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$f"
assert_rc 0
assert_stderr_empty
assert_stdout_lines "$n"
assert_stdout_line "cp s3://$BUCKET/many/f0.sst $T/dst/many/f0.sst"
assert_stdout_line "cp s3://$BUCKET/many/f999.sst $T/dst/many/f999.sst"
[ "$(sort -u "$UR_OUT" | wc -l)" = "$n" ] || fail "stdout repeats lines"
assert_same_tree "$T/src/many" "$T/dst/many"

# The same over HTTPS, from stdin.
sed "s|$T/dst/|$T/dst-tls/|" "$f" >"$T/tasks-tls.txt"
ur_capture --endpoint-url "$UR_S3_HTTPS" --ca-bundle "$UR_CA_FILE" run <"$T/tasks-tls.txt"
assert_rc 0
assert_stdout_lines "$n"
assert_same_tree "$T/src/many" "$T/dst-tls/many"

# More lines than one library call takes: the CLI copies in chunks of 8,192 tasks. 17,000 copies (the 1,000
# objects into 17 trees) and one missing key in the second chunk: every good line lands and is printed once,
# the bad one is the only error, and the exit status says so.
for j in $(seq 0 16); do
    sed "s|$T/dst/|$T/chunks/r$j/|" "$f"
    [ "$j" = 9 ] && echo "cp s3://$BUCKET/many/absent.sst $T/chunks/absent.sst"
done >"$T/tasks-chunks.txt"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$T/tasks-chunks.txt"
assert_rc 1 "one key of 17,001 is missing"
assert_stdout_lines $((17 * n))
[ "$(sort -u "$UR_OUT" | wc -l)" = $((17 * n)) ] || fail "stdout repeats lines"
[ "$(wc -l <"$UR_ERR")" = 1 ] || fail "expected one ERROR line, got: $(head -n 3 "$UR_ERR")"
grep -q "absent.sst.*NoSuchKey" "$UR_ERR" || fail "the error does not name the missing key: $(cat "$UR_ERR")"
[ ! -e "$T/chunks/absent.sst" ] || fail "the missing key left a file"
for j in 0 8 9 16; do assert_same_tree "$T/src/many" "$T/chunks/r$j/many"; done
[ "$(find "$T/chunks" -type f | wc -l)" = $((17 * n)) ] || fail "not every copy landed"
assert_no_temp_files "$T"

e2e_pass
