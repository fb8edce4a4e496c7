# tests/e2e/sizes.sh — the body of test_sizes_http.sh and test_sizes_https.sh (sourced after lib.sh):
# objects at the sizes where buffers, blocks and pages have edges, by `cp` and by `run`.
# shellcheck shell=bash disable=SC2154 # MiB, T, BUCKET, EP come from lib.sh

sizes_test() {
    local scheme=$1 size f
    endpoint_args "$scheme"
    local -a sizes=(0 1 511 4095 4096 4097 $((MiB + 1)))
    for size in "${sizes[@]}"; do
        make_file "$T/src/obj-$size" "$size"
        put_object "$BUCKET" "obj-$size" "$T/src/obj-$size"
    done

    # One object per `cp` command: stdout is exactly the s5cmd line, stderr is quiet.
    for size in 0 1 4097; do
        ur_capture "${EP[@]}" cp "s3://$BUCKET/obj-$size" "$T/cp/obj-$size"
        assert_rc 0
        assert_stdout_line "cp s3://$BUCKET/obj-$size $T/cp/obj-$size"
        assert_stdout_lines 1
        assert_stderr_empty
        assert_same "$T/src/obj-$size" "$T/cp/obj-$size"
        assert_mode "$T/cp/obj-$size" 644
    done

    # All of them in one `run`, into a directory that does not exist yet (parents are created).
    f=$T/tasks.txt
    for size in "${sizes[@]}"; do
        run_line "s3://$BUCKET/obj-$size" "$T/run/deep/er/obj-$size" >>"$f"
    done
    ur_capture "${EP[@]}" run "$f"
    assert_rc 0
    assert_stdout_lines "${#sizes[@]}"
    assert_stderr_empty
    for size in "${sizes[@]}"; do
        assert_stdout_line "cp s3://$BUCKET/obj-$size $T/run/deep/er/obj-$size"
        assert_same "$T/src/obj-$size" "$T/run/deep/er/obj-$size"
        assert_mode "$T/run/deep/er/obj-$size" 644
    done
}
