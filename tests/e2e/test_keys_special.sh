#!/usr/bin/env bash
# Keys that need URL encoding and careful signing (spaces, unicode, + = ~ % ! ' ( ) // # & …), by `cp`
# and by `run` with the keys quoted in every POSIX-shell way; destinations with odd names too. '*' and '?'
# are wildcards in s5cmd's language: keys holding them are copied with --raw.
. "$(dirname "$0")/lib.sh"
e2e_init keys-special

keys=(
    "dir with spaces/file name.txt"
    "unicode/naïve-日本語-Ünïcødé.bin"
    "sym/a+b=c~d.txt"
    "sym/100%.txt"
    "sym/50%25 literal.txt"
    "sym/bang!.txt"
    "sym/it's.txt"
    "sym/(paren).txt"
    "double//slash/x"
    "sym/q=x=1&y=2#frag"
    "sym/at@colon:comma,semi;dollar\$.txt"
    "sym/brackets[1]{2}^caret|pipe.txt"
    "sym/\"dq\" back\\slash \`tick\`"
    "-leading-dash"
)
i=0
for k in "${keys[@]}"; do
    make_file "$T/src/$i" $((1000 + i * 37))
    put_object "$BUCKET" "$k" "$T/src/$i"
    i=$((i + 1))
done

# By `cp`, key in one argv word.
i=0
for k in "${keys[@]}"; do
    ur_capture --endpoint-url "$UR_S3_HTTP" cp "s3://$BUCKET/$k" "$T/cp/$i"
    assert_rc 0 "key [$k]"
    assert_stdout_line "cp s3://$BUCKET/$k $T/cp/$i"
    assert_same "$T/src/$i" "$T/cp/$i"
    i=$((i + 1))
done

# By `run`, single-quoted; the destination names are odd too.
f=$T/tasks.txt
i=0
for k in "${keys[@]}"; do
    run_line "s3://$BUCKET/$k" "$T/run/d $i/it's (#$i) ü" >>"$f"
    i=$((i + 1))
done
# Other quoting styles for a few: double quotes, backslashes, mixed.
cat >>"$f" <<RUN
cp "s3://$BUCKET/dir with spaces/file name.txt" "$T/run/dq space"
cp s3://$BUCKET/dir\\ with\\ spaces/file\\ name.txt $T/run/bs\\ space
cp "s3://$BUCKET/sym/it's.txt" $T/run/'mixed'"quo"tes
cp 's3://$BUCKET/sym/"dq" back\\slash \`tick\`' $T/run/dq2
cp "s3://$BUCKET/sym/\\"dq\\" back\\\\slash \\\`tick\\\`" $T/run/dq3
RUN
ur_capture --endpoint-url "$UR_S3_HTTP" run "$f"
assert_rc 0
assert_stderr_empty
assert_stdout_lines $((${#keys[@]} + 5))
i=0
for k in "${keys[@]}"; do
    assert_stdout_line "cp s3://$BUCKET/$k $T/run/d $i/it's (#$i) ü"
    assert_same "$T/src/$i" "$T/run/d $i/it's (#$i) ü"
    i=$((i + 1))
done
assert_same "$T/src/0" "$T/run/dq space"
assert_same "$T/src/0" "$T/run/bs space"
assert_same "$T/src/6" "$T/run/mixedquotes"
assert_same "$T/src/12" "$T/run/dq2"
assert_same "$T/src/12" "$T/run/dq3"

# Wildcard characters that are part of the key: cp --raw.
make_file "$T/src/raw" 777
put_object "$BUCKET" "raw/what?*.txt" "$T/src/raw"
ur_capture --endpoint-url "$UR_S3_HTTP" cp --raw "s3://$BUCKET/raw/what?*.txt" "$T/cp/raw"
assert_rc 0 "cp --raw"
assert_same "$T/src/raw" "$T/cp/raw"
run_line --raw "s3://$BUCKET/raw/what?*.txt" "$T/run/raw" >"$T/raw.txt"
ur_capture --endpoint-url "$UR_S3_HTTP" run "$T/raw.txt"
assert_rc 0 "run: cp --raw"
assert_same "$T/src/raw" "$T/run/raw"

e2e_pass
