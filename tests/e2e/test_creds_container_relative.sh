#!/usr/bin/env bash
# AWS_CONTAINER_CREDENTIALS_RELATIVE_URI end to end (ECS): the client must ask http://169.254.170.2 + the
# URI, a host nothing on a test machine serves and that must stay fixed in the client. So the test runs in
# a user and network namespace of its own (unshare -rn), where 169.254.170.2 is put on the loopback
# device and the container stand-in (tests/servers/imds.py container) listens on it, port 80; the fault
# server (our S3 stand-in, radosgw is outside the namespace) logs the access key each request was signed
# with. A copy with no keys in the environment then succeeds, signed with the stand-in's key; a path the
# endpoint does not serve is a clear error naming the source. The client is the production binary.
if [ -z "${UR_IN_NETNS:-}" ]; then
    . "$(dirname "$0")/lib.sh"
    unshare -rn true 2>/dev/null || skip "no user and network namespaces here (unshare -rn)"
    exec unshare -rn env UR_IN_NETNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
ip link set lo up && ip addr add 169.254.170.2/32 dev lo || fail "cannot put 169.254.170.2 on lo in the namespace"
fault_init creds-container-relative
fault_endpoint http
fault_object obj 200000

/usr/bin/python3 "$REPO/tests/servers/imds.py" container --bind 169.254.170.2 --port 80 --path /v2/credentials/task-1 \
    --access-key AKIACONTAINERTASK1 --secret-key container-secret --session-token container-token \
    --log "$T/container.log" >"$T/container.port" &
E2E_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T/container.port" ] && break; sleep 0.1; done
[ -s "$T/container.port" ] || fail "the container stand-in did not start on 169.254.170.2:80"

fault_log_mark
ur_capture -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/task-1 \
    -- "${EP[@]}" --log debug cp "s3://$BUCKET/obj" "$T/out"
assert_rc 0 "credentials from AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
assert_same "$FS_ROOT/$BUCKET/obj" "$T/out"
grep -q 'GET /v2/credentials/task-1' "$T/container.log" || fail "the container endpoint was not asked: $(cat "$T/container.log")"
[ "$(fault_count 14 AKIACONTAINERTASK1)" -ge 1 ] || fail "the copy was not signed with the container's key"
if grep -q 'container-secret\|container-token' "$UR_OUT" "$UR_ERR"; then fail "a secret was printed"; fi

ur_capture -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true \
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/other -- "${EP[@]}" cp "s3://$BUCKET/obj" "$T/never"
assert_rc 1 "a relative URI the endpoint does not serve"
grep -q 'container credentials endpoint: HTTP 404' "$UR_ERR" || fail "the error does not name the container endpoint: $(cat "$UR_ERR")"
assert_absent "$T/never"
e2e_pass
