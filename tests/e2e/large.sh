# tests/e2e/large.sh — the body of test_large_http.sh and test_large_https.sh (sourced after lib.sh):
# objects split into ranged parts, with the default part size and with --part-size 8 (MiB), by `run` and
# by `cp`. The big one is uploaded in multipart (its ETag ends in -N, as real large files are).
# shellcheck shell=bash disable=SC2154 # MiB, T, BUCKET, EP come from lib.sh

large_test() {
    local scheme=$1 f
    local s64=$((64 * MiB + 123)) s256=$((256 * MiB + 4097))
    endpoint_args "$scheme"
    make_file "$T/src/big64" "$s64"
    make_file "$T/src/big256" "$s256"
    put_object "$BUCKET" "ckpt/big64.sst" "$T/src/big64"
    put_object_multipart "$BUCKET" "ckpt/big256.sst" "$T/src/big256"
    f=$T/tasks.txt
    {
        run_line --part-size 8 "s3://$BUCKET/ckpt/big256.sst" "$T/run/big256-p8"
        run_line "s3://$BUCKET/ckpt/big64.sst" "$T/run/big64"
        run_line --part-size 8 "s3://$BUCKET/ckpt/big64.sst" "$T/run/big64-p8"
    } >"$f"
    ur_capture "${EP[@]}" run "$f"
    assert_rc 0
    assert_stderr_empty
    assert_stdout_lines 3
    assert_stdout_line "cp s3://$BUCKET/ckpt/big256.sst $T/run/big256-p8"
    assert_same "$T/src/big256" "$T/run/big256-p8"
    assert_same "$T/src/big64" "$T/run/big64"
    assert_same "$T/src/big64" "$T/run/big64-p8"
    rm -f "$T/run/big256-p8"

    # The big one again with the client's own part size, by `cp`; the file must appear complete.
    mkdir -p "$T/cp"
    watch_appearance "$T/cp/big256" "$s256"
    ur_capture "${EP[@]}" cp "s3://$BUCKET/ckpt/big256.sst" "$T/cp/big256"
    assert_rc 0
    check_appearance
    assert_stdout_line "cp s3://$BUCKET/ckpt/big256.sst $T/cp/big256"
    assert_same "$T/src/big256" "$T/cp/big256"
    assert_mode "$T/cp/big256" 644
}
