#!/usr/bin/env bash
# 1,000 small objects (0 B to ~12 KiB) in one `run`: every one lands byte-identical, one stdout line each.
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

e2e_pass
