#!/usr/bin/env bash
# A credentials provider through the public ABI (tests/abi/provider.c): the only credentials a client has
# come from the caller's callback, which is asked before a call's first request when there are none or
# they expire within 5 minutes, and not otherwise; a provider that fails fails the call with its message.
# Real downloads from radosgw.
. "$(dirname "$0")/lib.sh"
e2e_init creds-provider

lib=$BUILD_DIR/liburestore.so.1
[ -f "$lib" ] || fail "$lib not built (make)"
cc -std=gnu11 -Wall -Wextra -Werror -I"$REPO/include" -o "$T/provider" "$REPO/tests/abi/provider.c" \
    -L"$BUILD_DIR" -l:liburestore.so.1 -Wl,-rpath,"$BUILD_DIR" || fail "provider.c does not build"

make_file "$T/src/obj" 70001
put_object "$BUCKET" obj "$T/src/obj"
mkdir -p "$T/out"
UR_LAST_CMD="provider"
UR_OUT=$T/.provider.out UR_ERR=$T/.provider.err UR_RC=0
env -i PATH=/usr/bin:/bin HOME="$HOME_DIR" PROVIDER_KEY="$AWS_ACCESS_KEY_ID" PROVIDER_SECRET="$AWS_SECRET_ACCESS_KEY" \
    timeout -k 5 120 "$T/provider" "$UR_S3_HTTP" "s3://$BUCKET/obj" "$T/out/obj" >"$UR_OUT" 2>"$UR_ERR" || UR_RC=$?
cat "$UR_OUT" >&2
assert_rc 0 "the provider's calls and counts"
for k in 1 2 3 4; do assert_same "$T/src/obj" "$T/out/obj.$k"; done
assert_absent "$T/out/obj.5"
e2e_pass
