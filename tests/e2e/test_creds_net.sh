#!/usr/bin/env bash
# Credentials from the network sources, each ending in real downloads from radosgw with no keys in the
# environment: role_arn + source_profile (STS AssumeRole served by radosgw itself), EC2 instance metadata
# and the container endpoint (tests/servers/imds.py, stand-ins that hand out radosgw's real temporary
# credentials), a token file rewritten between runs; and the failures: an STS error, an instance metadata
# endpoint that never answers (must give up within about a second), a wrong container token. Web identity,
# also served by radosgw: tests/e2e/test_creds_webid_rgw.sh.
# radosgw serves STS only when started with UR_RGW_STS=1 (it changes one of its error codes, see
# tests/servers/rgw.sh): when the shared server lacks it, this test starts its own.
if [ -n "${UR_RGW_DIR:-}" ] && ! grep -q UR_RGW_ROLE_ARN "$UR_RGW_DIR/env" 2>/dev/null; then unset UR_RGW_DIR; fi
export UR_RGW_STS=1
. "$(dirname "$0")/lib.sh"
e2e_init creds-net

make_file "$T/src/obj" 200003
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj
aws=$HOME_DIR/.aws
mkdir -p "$aws"
nokeys=(-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY)

ok() {
    local name=$1 want=$2
    shift 2
    ur_capture "${nokeys[@]}" "$@" -- --log debug --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/$name"
    assert_rc 0 "$name"
    assert_same "$T/src/obj" "$T/out/$name"
    grep -qF "credentials from $want" "$UR_ERR" || fail "$name: no debug line naming '$want': $(cat "$UR_ERR")"
    ! grep -qF -- "$AWS_SECRET_ACCESS_KEY" "$UR_OUT" "$UR_ERR" || fail "$name: the secret key was printed"
}
bad() {
    local name=$1 want=$2
    shift 2
    ur_capture "${nokeys[@]}" "$@" -- --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/$name"
    assert_rc 1 "$name"
    grep -Eq -- "$want" "$UR_ERR" || fail "$name: message does not match '$want': $(cat "$UR_ERR")"
    assert_absent "$T/out/$name"
}

# 1. A profile chain: role_arn + source_profile, AssumeRole signed with the source profile's keys.
cat >"$aws/config" <<EOF
[profile src]
aws_access_key_id = $AWS_ACCESS_KEY_ID
aws_secret_access_key = $AWS_SECRET_ACCESS_KEY
[profile role]
role_arn = $UR_RGW_ROLE_ARN
source_profile = src
role_session_name = urestore-e2e
[profile nope]
role_arn = arn:aws:iam:::role/ur/no-such-role
source_profile = src
EOF
ok assume-role "profile (profile src) then AssumeRole $UR_RGW_ROLE_ARN" AWS_PROFILE=role AWS_ENDPOINT_URL_STS="$UR_S3_HTTP"
ok assume-role-https "profile (profile src) then AssumeRole $UR_RGW_ROLE_ARN" AWS_PROFILE=role \
    AWS_ENDPOINT_URL_STS="$UR_S3_HTTPS" AWS_CA_BUNDLE="$UR_CA_FILE"
bad sts-error 'profile nope: STS AssumeRole' AWS_PROFILE=nope AWS_ENDPOINT_URL_STS="$UR_S3_HTTP"
# STS through a proxy, as the SDKs ask it (tests/servers/connect_proxy.py logs what went through): https in
# a CONNECT tunnel (S3 itself is plain http here, with no HTTP_PROXY: only STS can have made the tunnel),
# plain http in absolute form.
/usr/bin/python3 "$REPO/tests/servers/connect_proxy.py" --log "$T/proxy.log" --parent $$ >"$T/proxy.port" &
E2E_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
[ -s "$T/proxy.port" ] || fail "the proxy did not start"
proxy=http://127.0.0.1:$(head -n 1 "$T/proxy.port")
ok assume-role-proxy-https "profile (profile src) then AssumeRole $UR_RGW_ROLE_ARN" AWS_PROFILE=role \
    AWS_ENDPOINT_URL_STS="$UR_S3_HTTPS" AWS_CA_BUNDLE="$UR_CA_FILE" HTTPS_PROXY="$proxy"
grep -q "^${UR_S3_HTTPS#https://}	200	-$" "$T/proxy.log" || fail "STS over https did not tunnel through HTTPS_PROXY: $(cat "$T/proxy.log")"
ok assume-role-proxy-http "profile (profile src) then AssumeRole $UR_RGW_ROLE_ARN" AWS_PROFILE=role \
    AWS_ENDPOINT_URL_STS="$UR_S3_HTTP" HTTP_PROXY="$proxy"
grep -q "^POST $UR_S3_HTTP/	200	-$" "$T/proxy.log" || fail "STS over http did not go through HTTP_PROXY: $(cat "$T/proxy.log")"
grep -q "^GET $UR_S3_HTTP/$BUCKET/obj	" "$T/proxy.log" || fail "S3 over http did not go through HTTP_PROXY: $(cat "$T/proxy.log")"
rm "$aws/config"

# Real temporary credentials from radosgw's STS, for the stand-ins to hand out.
aws_cli sts assume-role --role-arn "$UR_RGW_ROLE_ARN" --role-session-name standin --output json >"$T/sts.json" ||
    fail "aws sts assume-role against radosgw failed"
python3 - "$T/sts.json" "$T/creds.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["Credentials"]
json.dump({"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
           "Token": c["SessionToken"], "Expiration": c["Expiration"]}, open(sys.argv[2], "w"))
PY

# standin NAME ARGS...: starts tests/servers/imds.py, sets $port.
standin() {
    local name=$1
    shift
    python3 "$REPO/tests/servers/imds.py" "$@" --creds-file "$T/creds.json" --log "$T/$name.log" >"$T/$name.port" &
    E2E_PIDS+=($!)
    for _ in $(seq 1 100); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
    port=$(head -n 1 "$T/$name.port")
    [ -n "$port" ] || fail "the $name stand-in did not start"
}

# 2. EC2 instance metadata (IMDSv2 stand-in).
standin imds imds
ok imds "instance metadata" AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$port"

# 2b. Refresh during a run: URESTORE_TEST_CREDS_REFRESH_MS (tests only) makes the client refresh 100 ms
# after each fetch, on a thread of its own while transfers go on; the run completes and asked again.
for i in $(seq 1 24); do make_file "$T/many/f$i" 2000000; done
put_tree "$BUCKET" many "$T/many"
for i in $(seq 1 24); do printf 'cp s3://%s/many/f%s %s/out/many/f%s\n' "$BUCKET" "$i" "$T" "$i"; done >"$T/many.txt"
standin imds2 imds
ur_capture "${nokeys[@]}" AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$port" URESTORE_TEST_CREDS_REFRESH_MS=100 \
    -- --endpoint-url "$UR_S3_HTTP" --numworkers 2 run <"$T/many.txt"
assert_rc 0 "a run with refreshes"
for i in $(seq 1 24); do assert_same "$T/many/f$i" "$T/out/many/f$i"; done
n=$(grep -c 'GET /latest/meta-data/iam/security-credentials/[^ ]' "$T/imds2.log" || true)
[ "$n" -ge 2 ] || fail "the credentials were fetched $n time(s) during the run, expected a refresh"
say "credentials fetched $n times during the run"

# 3. The container endpoint (full URI + a token file), and the same file rewritten with a new token.
printf 'token-one\n' >"$T/token"
standin container container --auth-token-file "$T/token"
cport=$port
ok container "container endpoint" AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cport/v1/credentials" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/token"
printf 'token-two\n' >"$T/token"
ok container-rotated "container endpoint" AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cport/v1/credentials" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/token"
printf 'stale\n' >"$T/other-token"
bad container-wrong-token 'container' AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cport/v1/credentials" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/other-token"

# 4. Instance metadata that accepts and never answers: given up within about a second, with the reason.
standin stall imds --stall
t0=$(date +%s%N)
bad imds-stalled 'no credentials: AWS_ACCESS_KEY_ID is not set.*instance metadata.*no answer within' \
    AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$port"
ms=$((($(date +%s%N) - t0) / 1000000))
# The bound is the client's whole run (start-up included): UR_TIME_SCALE stretches it under ASan/valgrind.
[ "$ms" -lt $((4000 * ${UR_TIME_SCALE:-1})) ] || fail "an unanswering instance metadata endpoint held the client for $ms ms"

e2e_pass
