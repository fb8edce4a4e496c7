#!/usr/bin/env bash
# No credentials (and no --no-sign-request): an error before any request is sent. A listener stands in
# for the server and must see no connection.
. "$(dirname "$0")/lib.sh"
e2e_init missing-credentials

# A TCP listener on a free port that records every connection it accepts.
python3 - "$T/listener.port" "$T/listener.log" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("connection\n"); c.close()
PY
E2E_PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$T/listener.port" ] && break; sleep 0.1; done
[ -s "$T/listener.port" ] || fail "the listener did not start"
ep=http://127.0.0.1:$(cat "$T/listener.port")
src=s3://$BUCKET/obj

ur_capture -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -- --endpoint-url "$ep" cp "$src" "$T/out/none"
assert_rc 1 "no credentials"
grep -Eiq 'credential|AWS_ACCESS_KEY_ID|access key' "$UR_ERR" || fail "the error does not mention the missing credentials"
assert_stdout_empty
assert_absent "$T/out/none"

ur_capture -u AWS_SECRET_ACCESS_KEY -- --endpoint-url "$ep" cp "$src" "$T/out/nosecret"
assert_rc 1 "no secret key"
grep -Eiq 'credential|AWS_SECRET_ACCESS_KEY|secret' "$UR_ERR" || fail "the error does not mention the missing secret"
assert_absent "$T/out/nosecret"

printf 'cp %s %s\n' "$src" "$T/out/run" >"$T/tasks.txt"
ur_capture -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -- --endpoint-url "$ep" run <"$T/tasks.txt"
assert_rc 1 "no credentials, run"
assert_absent "$T/out/run"

sleep 0.2
[ ! -s "$T/listener.log" ] || fail "the client connected to the server although it had no credentials"

e2e_pass
