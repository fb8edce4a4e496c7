#!/usr/bin/env bash
# Proxies from the environment, against radosgw through a proxy of our own on loopback
# (tests/servers/connect_proxy.py, which logs every tunnel and every forwarded request):
#   - HTTPS_PROXY (and https_proxy): a restore over HTTPS goes through tunnels (TLS inside, checked against
#     radosgw's name, not the proxy's) and lands byte for byte; with HTTP_PROXY, plain http goes to the proxy
#     as the SDKs send it, every request's target in absolute form (no tunnel: proxies commonly allow
#     CONNECT to port 443 only), keep-alive and pipelined requests included;
#   - NO_PROXY naming the server bypasses the proxy;
#   - credentials in the proxy URL are sent (Proxy-Authorization: Basic) and never printed;
#   - a proxy that refuses (407 without credentials, 403, 502) fails the copy with an error naming the
#     proxy and its answer, quickly, leaving no file;
#   - instance metadata is never asked through the proxy.
. "$(dirname "$0")/lib.sh"
e2e_init proxy

mkdir -p "$T/tree"
for i in 1 2 3; do make_file "$T/tree/f$i" $((i * 70000)); done
make_file "$T/tree/big" 1500000
put_tree "$BUCKET" p "$T/tree"

# proxy NAME [OPTIONS...]: starts a proxy; its port in PORT_NAME, its log in $T/NAME.log.
proxy() {
    local name=$1
    shift
    : >"$T/$name.log"
    /usr/bin/python3 "$REPO/tests/servers/connect_proxy.py" --log "$T/$name.log" --parent $$ "$@" >"$T/$name.port" &
    E2E_PIDS+=($!)
    for _ in $(seq 1 100); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
    [ -s "$T/$name.port" ] || fail "the proxy $name did not start"
    printf -v "PORT_$name" '%s' "$(head -n 1 "$T/$name.port")"
}
tunnels() { grep -c "$2" "$T/$1.log" || true; }
proxy open
proxy auth --user alice:s3cret-pw
proxy deny --refuse 403
proxy down --refuse 502
rgw_https=${UR_S3_HTTPS#https://}
rgw_http=${UR_S3_HTTP#http://}

endpoint_args https
ur_capture HTTPS_PROXY="http://127.0.0.1:$PORT_open" -- "${EP[@]}" cp -p 1 "s3://$BUCKET/p/*" "$T/out1/"
assert_rc 0 "a restore over HTTPS through HTTPS_PROXY"
assert_same_tree "$T/tree" "$T/out1"
n=$(tunnels open "^$rgw_https	200")
[ "$n" -ge 1 ] || fail "no tunnel to $rgw_https through the proxy"

ur_capture https_proxy="http://127.0.0.1:$PORT_open" -- "${EP[@]}" cp "s3://$BUCKET/p/f1" "$T/lower"
assert_rc 0 "https_proxy (lower case)"
assert_same "$T/tree/f1" "$T/lower"
[ "$(tunnels open "^$rgw_https	200")" -gt "$n" ] || fail "https_proxy was not used"

n=$(tunnels open .)
ur_capture HTTPS_PROXY="http://127.0.0.1:$PORT_open" NO_PROXY="example.com, localhost" -- "${EP[@]}" \
    cp "s3://$BUCKET/p/f2" "$T/direct"
assert_rc 0 "NO_PROXY naming the server"
assert_same "$T/tree/f2" "$T/direct"
[ "$(tunnels open .)" = "$n" ] || fail "NO_PROXY=localhost still went through the proxy"

endpoint_args http
ur_capture HTTP_PROXY="http://127.0.0.1:$PORT_open" -- "${EP[@]}" cp --part-size 1 "s3://$BUCKET/p/*" "$T/plain/"
assert_rc 0 "plain http through HTTP_PROXY"
assert_same_tree "$T/tree" "$T/plain"
[ "$(tunnels open "^GET http://$rgw_http/$BUCKET/p/big	206	-$")" = 2 ] ||
    fail "not two ranged GETs of big (1.5 MB, 1 MiB parts) in absolute form: $(cat "$T/open.log")"
[ "$(tunnels open "^GET http://$rgw_http/$BUCKET/p/f2	206	-$")" = 1 ] || fail "f2 not asked once: $(cat "$T/open.log")"
[ "$(tunnels open "^$rgw_http	")" = 0 ] || fail "plain http was tunnelled"
ur_capture HTTP_PROXY="http://alice:s3cret-pw@127.0.0.1:$PORT_auth" -- "${EP[@]}" cp "s3://$BUCKET/p/f3" "$T/plain-auth"
assert_rc 0 "plain http through a proxy with credentials"
assert_same "$T/tree/f3" "$T/plain-auth"
[ "$(tunnels auth "^GET http://$rgw_http/$BUCKET/p/f3	206	ok$")" = 1 ] || fail "no authorised forward: $(cat "$T/auth.log")"
if grep -q 's3cret-pw' "$UR_OUT" "$UR_ERR"; then fail "the proxy's password was printed"; fi
ur_capture HTTP_PROXY="http://127.0.0.1:$PORT_auth" -- "${EP[@]}" cp "s3://$BUCKET/p/f1" "$T/plain-no-auth"
assert_rc 1 "plain http through a proxy that wants credentials, given none"
grep -q "s3://$BUCKET/p/f1.*407" "$UR_ERR" || fail "no 407 named: $(cat "$UR_ERR")"
assert_absent "$T/plain-no-auth"

endpoint_args https
ur_capture HTTPS_PROXY="http://alice:s3cret-pw@127.0.0.1:$PORT_auth" -- "${EP[@]}" --log debug cp "s3://$BUCKET/p/f3" "$T/auth"
assert_rc 0 "a proxy with credentials in its URL"
assert_same "$T/tree/f3" "$T/auth"
[ "$(tunnels auth "	200	ok$")" -ge 1 ] || fail "the proxy did not get the credentials: $(cat "$T/auth.log")"
if grep -q 's3cret-pw' "$UR_OUT" "$UR_ERR"; then fail "the proxy's password was printed"; fi

# Refusals: each a clear, quick error naming the proxy and its answer; nothing under the name.
start=$(date +%s)
ur_capture HTTPS_PROXY="http://127.0.0.1:$PORT_auth" -- "${EP[@]}" cp "s3://$BUCKET/p/f1" "$T/no-auth"
assert_rc 1 "a proxy that wants credentials, given none"
assert_error_line "s3://$BUCKET/p/f1" "$T/no-auth" "proxy 127.0.0.1:$PORT_auth (HTTPS_PROXY) refused the tunnel to $rgw_https: HTTP/1.1 407"
assert_absent "$T/no-auth"
ur_capture HTTPS_PROXY="http://127.0.0.1:$PORT_deny" -- "${EP[@]}" cp "s3://$BUCKET/p/*" "$T/denied/"
assert_rc 1 "a proxy that forbids the tunnel"
grep -q "refused the tunnel to $rgw_https: HTTP/1.1 403" "$UR_ERR" || fail "no 403 refusal named: $(cat "$UR_ERR")"
[ ! -e "$T/denied" ] || [ -z "$(ls -A "$T/denied")" ] || fail "files landed through a refusing proxy"
[ $(($(date +%s) - start)) -le 20 ] || fail "refusals took $(($(date +%s) - start)) s"
ur_capture HTTPS_PROXY="http://127.0.0.1:$PORT_down" -- "${EP[@]}" -r 1 cp "s3://$BUCKET/p/f1" "$T/bad-gateway"
assert_rc 1 "a proxy that cannot reach the server"
assert_error_line "s3://$BUCKET/p/f1" "$T/bad-gateway" "HTTP/1.1 502"
assert_absent "$T/bad-gateway"
[ "$(tunnels down .)" = 2 ] || fail "$(tunnels down .) CONNECTs to a 502 proxy with -r 1, expected 2 (one retry)"

# Instance metadata (the stand-in on loopback, which HTTP_PROXY would otherwise cover) is asked directly.
/usr/bin/python3 "$REPO/tests/servers/imds.py" imds --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" \
    --session-token unused --log "$T/imds.log" >"$T/imds.port" &
E2E_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T/imds.port" ] && break; sleep 0.1; done
[ -s "$T/imds.port" ] || fail "the instance metadata stand-in did not start"
imds_port=$(head -n 1 "$T/imds.port")
endpoint_args http
ur_capture -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$imds_port" \
    HTTP_PROXY="http://127.0.0.1:$PORT_open" HTTPS_PROXY="http://127.0.0.1:$PORT_open" -- "${EP[@]}" cp "s3://$BUCKET/p/f1" "$T/imds"
grep -q 'PUT /latest/api/token' "$T/imds.log" || fail "instance metadata was not asked"
[ "$(tunnels open ":$imds_port	")" = 0 ] || fail "instance metadata was asked through the proxy"
e2e_pass
