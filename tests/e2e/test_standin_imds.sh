#!/usr/bin/env bash
# The credential-endpoint stand-ins (tests/servers/imds.py) follow the documented protocols, checked with
# curl before any client test relies on them: IMDSv2's token PUT (TTL header required and echoed, 400
# without it, 403 with X-Forwarded-For), 401 for GETs without a valid token, an expired token refused, the
# role list and the credentials JSON with its fields and Expiration format, the region; the container
# endpoint's Authorization check (401 missing, 403 wrong, from a token file re-read each time), its JSON,
# and credentials rotated through --creds-file. Needs no S3 server.
. "$(dirname "$0")/lib.sh"
TEST_NAME=standin-imds # read by say, fail and skip (lib.sh)
export TEST_NAME
command -v curl >/dev/null || skip "curl not installed"
command -v python3 >/dev/null || skip "python3 not installed"

T=$(mktemp -d "${TMPDIR:-/tmp}/standin-imds.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

# start NAME ARGS...: runs the stand-in in the background; sets PORT.
start() {
    local name=$1
    shift
    python3 "$REPO/tests/servers/imds.py" "$@" >"$T/$name.port" 2>"$T/$name.err" &
    PIDS+=($!)
    local _
    for _ in $(seq 100); do
        [ -s "$T/$name.port" ] && break
        sleep 0.05
    done
    PORT=$(head -n 1 "$T/$name.port")
    [ -n "$PORT" ] || fail "$name stand-in did not start: $(cat "$T/$name.err")"
}

# code METHOD URL [curl args...]: the HTTP status; the body lands in $T/body.
code() {
    local m=$1 u=$2
    shift 2
    curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$u"
}

expect() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2' (body: $(head -c 200 "$T/body"))"; }

# json_field NAME: a string field of the JSON body (the stand-ins write no escapes in these values).
json_field() { grep -o "\"$1\" *: *\"[^\"]*\"" "$T/body" | head -n 1 | sed 's/.*: *"\(.*\)"$/\1/'; }

# --- IMDSv2 -------------------------------------------------------------------------------------------------
start imds imds --access-key AKIAIMDS --secret-key imds-secret --session-token imds-token --role rgw-role \
    --region eu-west-1 --expiration 2030-01-02T03:04:05Z
B=http://127.0.0.1:$PORT
H=X-aws-ec2-metadata-token-ttl-seconds

expect "$(code PUT "$B/latest/api/token")" 400 "PUT token without the TTL header"
expect "$(code PUT "$B/latest/api/token" -H "$H: 0")" 400 "PUT token with TTL 0"
expect "$(code PUT "$B/latest/api/token" -H "$H: 21601")" 400 "PUT token with TTL over 6 h"
expect "$(code PUT "$B/latest/api/token" -H "$H: 60" -H "X-Forwarded-For: 1.2.3.4")" 403 "PUT through a proxy"
expect "$(code GET "$B/latest/api/token")" 405 "GET on the token path"
ttl_echo=$(curl -s -D - -o "$T/token" -X PUT "$B/latest/api/token" -H "$H: 21600" | tr -d '\r' |
    sed -n 's/^X-aws-ec2-metadata-token-ttl-seconds: //Ip')
expect "$ttl_echo" 21600 "TTL echoed in the answer"
TOKEN=$(cat "$T/token")
[ "${#TOKEN}" -ge 32 ] || fail "token too short: ${#TOKEN} characters"

R=$B/latest/meta-data/iam/security-credentials/
expect "$(code GET "$R")" 401 "GET without a token (IMDSv2 required)"
expect "$(code GET "$R" -H "X-aws-ec2-metadata-token: forged")" 401 "GET with an unknown token"
expect "$(code GET "$R" -H "X-aws-ec2-metadata-token: $TOKEN")" 200 "role list"
expect "$(cat "$T/body")" rgw-role "role name"
expect "$(code GET "${R}rgw-role" -H "X-aws-ec2-metadata-token: $TOKEN")" 200 "credentials"
expect "$(json_field Code)" Success "Code"
expect "$(json_field Type)" AWS-HMAC "Type"
expect "$(json_field AccessKeyId)" AKIAIMDS "AccessKeyId"
expect "$(json_field SecretAccessKey)" imds-secret "SecretAccessKey"
expect "$(json_field Token)" imds-token "Token"
expect "$(json_field Expiration)" 2030-01-02T03:04:05Z "Expiration"
json_field LastUpdated | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' ||
    fail "LastUpdated is not ISO-8601 UTC: $(json_field LastUpdated)"
expect "$(code GET "${R}other-role" -H "X-aws-ec2-metadata-token: $TOKEN")" 404 "unknown role"
expect "$(code GET "$B/latest/meta-data/placement/region" -H "X-aws-ec2-metadata-token: $TOKEN")" 200 "region"
expect "$(cat "$T/body")" eu-west-1 "region value"
expect "$(code POST "$R" -H "X-aws-ec2-metadata-token: $TOKEN")" 405 "POST"

# A token expires after its TTL.
curl -s -o "$T/short" -X PUT "$B/latest/api/token" -H "$H: 1"
sleep 1.2
expect "$(code GET "$R" -H "X-aws-ec2-metadata-token: $(cat "$T/short")")" 401 "GET with an expired token"

# --- container endpoint --------------------------------------------------------------------------------------
echo "pod-identity-token-1" >"$T/authtoken"
cat >"$T/creds.json" <<'EOF'
{"AccessKeyId": "ASIAFIRST", "SecretAccessKey": "first-secret", "SessionToken": "first-token",
 "Expiration": "2030-01-01T00:00:00Z"}
EOF
start container container --path /v1/credentials --auth-token-file "$T/authtoken" --creds-file "$T/creds.json"
C=http://127.0.0.1:$PORT/v1/credentials
expect "$(code GET "$C")" 401 "no Authorization"
expect "$(json_field code)" Unauthorized "error code"
expect "$(code GET "$C" -H "Authorization: wrong")" 403 "a wrong Authorization"
expect "$(code GET "$C" -H "Authorization: pod-identity-token-1")" 200 "the right Authorization"
expect "$(json_field AccessKeyId)" ASIAFIRST "AccessKeyId"
expect "$(json_field Token)" first-token "Token"
expect "$(json_field Expiration)" 2030-01-01T00:00:00Z "Expiration"
expect "$(code GET "http://127.0.0.1:$PORT/other" -H "Authorization: pod-identity-token-1")" 404 "another path"
# Rotation: a new token file and new credentials are picked up on the next request.
echo "pod-identity-token-2" >"$T/authtoken"
sed -i 's/FIRST/SECOND/' "$T/creds.json"
expect "$(code GET "$C" -H "Authorization: pod-identity-token-1")" 403 "the rotated-out token"
expect "$(code GET "$C" -H "Authorization: pod-identity-token-2")" 200 "the rotated-in token"
expect "$(json_field AccessKeyId)" ASIASECOND "rotated AccessKeyId"

# --- a stalled endpoint: connects, never answers ----------------------------------------------------------------
start stall imds --stall
start_s=$(date +%s%N)
curl -s -m 0.5 -o /dev/null "http://127.0.0.1:$PORT/latest/api/token" -X PUT -H "$H: 60" && fail "stalled stand-in answered"
elapsed_ms=$((($(date +%s%N) - start_s) / 1000000))
[ "$elapsed_ms" -lt 3000 ] || fail "curl's 0.5 s timeout took ${elapsed_ms} ms"

say "IMDSv2 and container stand-ins follow the protocol"
exit 0
