#!/usr/bin/env bash
# Credentials from the local sources of the SDKs' default chain, each ending in a real download from
# radosgw with no keys in the environment: the environment, a static profile (default, AWS_PROFILE,
# --profile, --credentials-file), credential_process (JSON v1 with Expiration); region and endpoint from
# the profile and AWS_ENDPOINT_URL_S3; the order when several sources are present; and bad input (a
# malformed config, a failing or garbage credential_process) with a message naming the source, no secret.
. "$(dirname "$0")/lib.sh"
e2e_init creds-local

make_file "$T/src/obj" 100001
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj
aws=$HOME_DIR/.aws
mkdir -p "$aws"
K=$AWS_ACCESS_KEY_ID
S=$AWS_SECRET_ACCESS_KEY
nokeys=(-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true)

# no_secret: the secret key appears in none of the client's output.
no_secret() {
    ! grep -qF -- "$S" "$UR_OUT" "$UR_ERR" || fail "$1: the secret key was printed"
}
# ok NAME SOURCE-TEXT [ur args before --]: a download that must succeed, its debug line naming SOURCE-TEXT.
ok() {
    local name=$1 want=$2
    shift 2
    ur_capture "$@" -- --log debug --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/$name"
    assert_rc 0 "$name"
    assert_same "$T/src/obj" "$T/out/$name"
    grep -qF "credentials from $want" "$UR_ERR" || fail "$name: no debug line naming '$want': $(cat "$UR_ERR")"
    no_secret "$name"
}
# bad NAME PATTERN [ur args before --]: a failure whose message matches PATTERN, no download, no secret.
bad() {
    local name=$1 want=$2
    shift 2
    ur_capture "$@" -- --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/$name"
    assert_rc 1 "$name"
    grep -Eq -- "$want" "$UR_ERR" || fail "$name: message does not match '$want': $(cat "$UR_ERR")"
    assert_absent "$T/out/$name"
    no_secret "$name"
}

ok env environment

# The default profile of ~/.aws/credentials.
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$K" "$S" >"$aws/credentials"
ok default-profile "profile (profile default)" "${nokeys[@]}"

# A named profile in ~/.aws/config, by AWS_PROFILE and by --profile; its region wins over nothing else.
rm "$aws/credentials"
printf '[profile p]\nregion = %s\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_REGION" "$K" "$S" \
    >"$aws/config"
ok aws-profile "profile (profile p)" -u AWS_REGION "${nokeys[@]}" AWS_PROFILE=p
grep -qF "region $AWS_REGION (profile)" "$UR_ERR" || fail "the region did not come from the profile"
ur_capture "${nokeys[@]}" -- --log debug --profile p --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/flag-profile"
assert_rc 0 "--profile p"
assert_same "$T/src/obj" "$T/out/flag-profile"

# --credentials-file: only that file counts, even with (wrong) keys in the environment.
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$K" "$S" >"$T/creds.ini"
ur_capture AWS_ACCESS_KEY_ID=WRONG AWS_SECRET_ACCESS_KEY=WRONG -- --log debug --credentials-file "$T/creds.ini" \
    --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/credfile"
assert_rc 0 "--credentials-file"
assert_same "$T/src/obj" "$T/out/credfile"

# Order: the environment's keys win over the default profile; --profile wins over the environment.
printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n' >"$aws/credentials"
ok order-env environment
ur_capture AWS_ACCESS_KEY_ID=WRONG AWS_SECRET_ACCESS_KEY=WRONG -- --log debug --profile p \
    --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/order-profile"
assert_rc 0 "--profile over the environment"
grep -qF "credentials from profile (profile p)" "$UR_ERR" || fail "--profile did not win over the environment"
rm "$aws/credentials"

# The endpoint from AWS_ENDPOINT_URL_S3 and from the profile's endpoint_url (no --endpoint-url).
ur_capture AWS_ENDPOINT_URL_S3="$UR_S3_HTTP" -- --log debug cp "$src" "$T/out/endpoint-env"
assert_rc 0 "AWS_ENDPOINT_URL_S3"
assert_same "$T/src/obj" "$T/out/endpoint-env"
printf '[profile e]\nendpoint_url = %s\n' "$UR_S3_HTTP" >"$aws/config"
ur_capture AWS_PROFILE=e -- --log debug cp "$src" "$T/out/endpoint-profile"
assert_rc 0 "the profile's endpoint_url"
assert_same "$T/src/obj" "$T/out/endpoint-profile"
grep -qF "endpoint profile" "$UR_ERR" || fail "the endpoint did not come from the profile: $(cat "$UR_ERR")"

# credential_process: JSON v1 with an Expiration an hour ahead.
exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
cat >"$T/proc.sh" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}\n' "$K" "$S" "$exp"
EOF
chmod +x "$T/proc.sh"
printf '[profile proc]\ncredential_process = %s\n' "$T/proc.sh" >"$aws/config"
ok process "credential_process (profile proc)" "${nokeys[@]}" AWS_PROFILE=proc

# Bad input, each a clear message naming the source.
printf '[profile broken\nregion = x\n' >"$aws/config"
bad malformed 'config.*line 1' "${nokeys[@]}"
printf '[profile proc]\ncredential_process = sh -c "exit 3"\n' >"$aws/config"
bad process-fails 'profile proc: credential_process.*(status|exit).*3' "${nokeys[@]}" AWS_PROFILE=proc
printf '[profile proc]\ncredential_process = echo not json\n' >"$aws/config"
bad process-garbage 'profile proc: credential_process output' "${nokeys[@]}" AWS_PROFILE=proc
sed "s/$exp/2001-01-01T00:00:00Z/" "$T/proc.sh" >"$T/expired.sh"
printf '[profile proc]\ncredential_process = sh %s\n' "$T/expired.sh" >"$aws/config"
bad process-expired 'credential_process.*expired' "${nokeys[@]}" AWS_PROFILE=proc
bad no-profile 'profile.*nope' "${nokeys[@]}" AWS_PROFILE=nope
rm -f "$aws/config"
bad nothing 'no credentials.*AWS_ACCESS_KEY_ID' "${nokeys[@]}"

e2e_pass
