#!/usr/bin/env bash
# A request answered ExpiredToken (the credentials expired before their refresh) is retried once after a
# refresh: the fault server answers the object's first GET with 400 ExpiredToken, the client's credentials
# come from the instance metadata stand-in, which must be asked again, and the copy succeeds. Answered
# ExpiredToken every time, the copy fails after that one retry, with the server's message.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init creds-expired
fault_endpoint http
fault_object obj 300000

python3 "$REPO/tests/servers/imds.py" imds --access-key AKIAEXPIRED --secret-key expired-secret --session-token fault-server-ignores-it \
    --log "$T/imds.log" >"$T/imds.port" &
E2E_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T/imds.port" ] && break; sleep 0.1; done
[ -s "$T/imds.port" ] || fail "the instance metadata stand-in did not start"
imds=(-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(head -n 1 "$T/imds.port")")
asked() { grep -c 'GET /latest/meta-data/iam/security-credentials/[^ ]' "$T/imds.log" || true; }

fault_rules '{"rules":[{"key":"obj","on":[1],"fault":"status","status":400,"code":"ExpiredToken"}]}'
ur_capture "${imds[@]}" -- "${EP[@]}" cp "s3://$BUCKET/obj" "$T/out/once"
assert_rc 0 "ExpiredToken once: refreshed and retried"
assert_same "$FS_ROOT/$BUCKET/obj" "$T/out/once"
[ "$(asked)" -ge 2 ] || fail "the credentials were not fetched again after ExpiredToken ($(asked) fetches)"

fault_rules '{"rules":[{"key":"obj","fault":"status","status":400,"code":"ExpiredToken"}]}'
fault_log_mark
ur_capture "${imds[@]}" -- "${EP[@]}" cp "s3://$BUCKET/obj" "$T/out/always"
assert_rc 1 "ExpiredToken every time"
grep -q 'ExpiredToken' "$UR_ERR" || fail "the error does not name ExpiredToken: $(cat "$UR_ERR")"
assert_absent "$T/out/always"
gets=$(fault_log_since | awk -F'\t' '$4 ~ /\/obj/' | wc -l)
[ "$gets" = 2 ] || fail "$gets GETs for an always-expired token, expected 2 (one retry)"
e2e_pass
