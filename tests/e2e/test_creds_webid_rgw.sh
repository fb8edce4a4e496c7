#!/usr/bin/env bash
# Web identity (EKS IRSA) with radosgw's own STS: tokens minted by a stand-in OpenID Connect provider
# (tests/servers/oidc_idp.py, what no server here can play), registered with radosgw through its IAM API as
# an operator does; radosgw verifies each token itself (discovery document, JWKS and its signature, the
# registered client id, the role's trust policy; radosgw 16 does not compare the registered certificate
# thumbprint, see README) and issues temporary credentials, with which the
# client downloads. Through AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN and through a profile's
# web_identity_token_file; a token file rewritten between runs and during a run with refreshes; tokens
# radosgw refuses (another audience, another signing key, expired, a subject the trust policy does not
# allow), each a clear error naming the source, and radosgw's log saying why it refused.
# radosgw serves STS only when started with UR_RGW_STS=1 (see tests/servers/rgw.sh): when the shared server
# lacks it, this test starts its own.
if [ -n "${UR_RGW_DIR:-}" ] && ! grep -q UR_RGW_ROLE_ARN "$UR_RGW_DIR/env" 2>/dev/null; then unset UR_RGW_DIR; fi
export UR_RGW_STS=1
. "$(dirname "$0")/lib.sh"
e2e_init creds-webid-rgw

PY=/usr/bin/python3 # Debian's, with python3-cryptography (scripts/deps.sh)
"$PY" -c 'import cryptography' 2>/dev/null || fail "python3-cryptography is missing (make deps)"
rgw_log=$UR_RGW_DIR/log/client.rgw.log
[ -r "$rgw_log" ] || fail "no radosgw log at $rgw_log"

make_file "$T/src/obj" 200003
put_object "$BUCKET" obj "$T/src/obj"
src=s3://$BUCKET/obj
nokeys=(-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY)

# The provider: its issuer is http://127.0.0.1:PORT (radosgw fetches from it over plain http).
mkdir -p "$T/idp"
"$PY" "$REPO/tests/servers/oidc_idp.py" serve --dir "$T/idp" --log "$T/idp.log" >"$T/idp.port" 2>"$T/idp.err" &
E2E_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T/idp.port" ] && break; sleep 0.1; done
[ -s "$T/idp.port" ] || fail "the OpenID Connect provider did not start: $(cat "$T/idp.err")"
issuer=$(cat "$T/idp/issuer")
provider=${issuer#http://}
aud=sts.amazonaws.com # what EKS puts in the tokens it projects for IRSA
sa=system:serviceaccount:e2e

# mint FILE SUB [ARGS]: a token from the provider into FILE.
mint() {
    local file=$1 sub=$2
    shift 2
    "$PY" "$REPO/tests/servers/oidc_idp.py" mint --dir "$T/idp" --aud "$aud" --sub "$sub" "$@" >"$file.new" ||
        fail "could not mint a token"
    mv "$file.new" "$file"
}

# Registered as AWS documents it: the client id, and the SHA-1 thumbprint of the signing certificate's DER.
# A role (unique to this run) that only this provider's service accounts e2e:restore-* may assume. The test
# user may do both (the oidc-provider and roles caps, tests/servers/rgw.sh UR_RGW_STS=1); the server is
# throwaway, so they stay.
thumb=$(openssl x509 -in "$T/idp/cert.pem" -outform DER | sha1sum | cut -c1-40)
aws_cli iam create-open-id-connect-provider --url "$issuer" --client-id-list "$aud" --thumbprint-list "$thumb" \
    >"$T/provider.json" || fail "radosgw did not register the OpenID Connect provider"
grep -qF "arn:aws:iam:::oidc-provider/$provider" "$T/provider.json" || fail "provider ARN: $(cat "$T/provider.json")"
role=webid-${T##*.}
trust=$(tr -d ' \n' <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": ["arn:aws:iam:::oidc-provider/$provider"]},
  "Action": ["sts:AssumeRoleWithWebIdentity"],
  "Condition": {"StringLike": {"$provider:sub": "$sa:restore-*"}}}]}
JSON
)
aws_cli iam create-role --role-name "$role" --path /ur/ --assume-role-policy-document "$trust" >/dev/null ||
    fail "radosgw did not create the role (trust policy $trust)"
aws_cli iam put-role-policy --role-name "$role" --policy-name all --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"arn:aws:s3:::*"}]}' ||
    fail "radosgw did not attach the role's policy"
arn=arn:aws:iam:::role/ur/$role
sts=(AWS_ENDPOINT_URL_STS="$UR_S3_HTTP")

# sts_granted SUB: radosgw's log has an AssumeRoleWithWebIdentity for that subject answered 200 (its access
# log names the caller of a web identity request $oidc$SUB).
sts_granted() {
    grep -c "\$oidc\$$1 .*\"POST / HTTP/1.1\" 200 " "$rgw_log" || true
}

ok() {
    local name=$1
    shift
    ur_capture "${nokeys[@]}" "${sts[@]}" "$@" -- --log debug --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/$name"
    assert_rc 0 "$name"
    assert_same "$T/src/obj" "$T/out/$name"
    grep -qF "credentials from web identity" "$UR_ERR" || fail "$name: no debug line naming web identity: $(cat "$UR_ERR")"
}
# bad NAME REFUSAL VARS...: refused by radosgw: the client's message names the source, the token file and the
# role; radosgw's log (from this run on) says why it refused (REFUSAL).
bad() {
    local name=$1 refusal=$2 from
    shift 2
    from=$(($(wc -l <"$rgw_log") + 1))
    ur_capture "${nokeys[@]}" "${sts[@]}" "$@" -- --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/$name"
    assert_rc 1 "$name"
    grep -Eq "web identity \(token file $T/[^,]+, role $arn\): STS AssumeRoleWithWebIdentity: AccessDenied" "$UR_ERR" ||
        fail "$name: the message does not name the source: $(cat "$UR_ERR")"
    assert_absent "$T/out/$name"
    tail -n "+$from" "$rgw_log" | grep -qF "$refusal" || fail "$name: radosgw's log does not say '$refusal'"
}

# 1. The environment (EKS IRSA); the token file rewritten (another subject) is read again.
mint "$T/jwt" "$sa:restore-1"
ok web-identity AWS_WEB_IDENTITY_TOKEN_FILE="$T/jwt" AWS_ROLE_ARN="$arn"
[ "$(sts_granted "$sa:restore-1")" -ge 1 ] || fail "radosgw logged no granted AssumeRoleWithWebIdentity"
mint "$T/jwt" "$sa:restore-2"
ok web-identity-rotated AWS_WEB_IDENTITY_TOKEN_FILE="$T/jwt" AWS_ROLE_ARN="$arn" AWS_ROLE_SESSION_NAME=e2e-rotated
[ "$(sts_granted "$sa:restore-2")" -ge 1 ] || fail "the rewritten token file was not read again"

# 2. A profile: web_identity_token_file + role_arn.
mkdir -p "$HOME_DIR/.aws"
printf '[profile irsa]\nweb_identity_token_file = %s\nrole_arn = %s\nrole_session_name = e2e-profile\n' \
    "$T/jwt" "$arn" >"$HOME_DIR/.aws/config"
ok web-identity-profile AWS_PROFILE=irsa

# 3. Refreshes during a run (URESTORE_TEST_CREDS_REFRESH_MS, tests only, as in test_creds_net.sh): radosgw
# verifies the token and issues credentials again while transfers go on, and the run completes.
for i in $(seq 1 24); do make_file "$T/many/f$i" 2000000; done
put_tree "$BUCKET" many "$T/many"
for i in $(seq 1 24); do printf 'cp s3://%s/many/f%s %s/out/many/f%s\n' "$BUCKET" "$i" "$T" "$i"; done >"$T/many.txt"
mint "$T/jwt" "$sa:restore-3"
ur_capture "${nokeys[@]}" "${sts[@]}" AWS_WEB_IDENTITY_TOKEN_FILE="$T/jwt" AWS_ROLE_ARN="$arn" \
    URESTORE_TEST_CREDS_REFRESH_MS=100 -- --endpoint-url "$UR_S3_HTTP" --numworkers 2 run <"$T/many.txt"
assert_rc 0 "a run with refreshes"
for i in $(seq 1 24); do assert_same "$T/many/f$i" "$T/out/many/f$i"; done
n=$(sts_granted "$sa:restore-3")
[ "$n" -ge 2 ] || fail "radosgw issued credentials $n time(s) during the run, expected a refresh"
say "radosgw issued web identity credentials $n times during the run"

# 4. Tokens radosgw refuses (the refusal in radosgw 16's words).
rm "$HOME_DIR/.aws/config"
mint "$T/jwt-aud" "$sa:restore-1" --aud another-client
bad wrong-audience "Client id in token doesn't match" AWS_WEB_IDENTITY_TOKEN_FILE="$T/jwt-aud" AWS_ROLE_ARN="$arn"
openssl genrsa -out "$T/other.pem" 2048 2>/dev/null || fail "openssl genrsa failed"
mint "$T/jwt-sig" "$sa:restore-1" --key "$T/other.pem"
bad wrong-signature "Signature validation failed" AWS_WEB_IDENTITY_TOKEN_FILE="$T/jwt-sig" AWS_ROLE_ARN="$arn"
mint "$T/jwt-exp" "$sa:restore-1" --ttl -60
bad expired "token expired" AWS_WEB_IDENTITY_TOKEN_FILE="$T/jwt-exp" AWS_ROLE_ARN="$arn"
mint "$T/jwt-sub" "$sa:other"
bad subject-not-trusted "evaluating policy for op: 91 returned deny" AWS_WEB_IDENTITY_TOKEN_FILE="$T/jwt-sub" AWS_ROLE_ARN="$arn"

# 5. No token file: said before any request.
ur_capture "${nokeys[@]}" "${sts[@]}" AWS_WEB_IDENTITY_TOKEN_FILE="$T/missing" AWS_ROLE_ARN="$arn" -- \
    --endpoint-url "$UR_S3_HTTP" cp "$src" "$T/out/no-file"
assert_rc 1 "no token file"
grep -qF "web identity: token file $T/missing: No such file" "$UR_ERR" || fail "no token file: $(cat "$UR_ERR")"

e2e_pass
