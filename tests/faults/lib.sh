# tests/faults/lib.sh — sourced (after tests/e2e/lib.sh) by the fault, throttling, local-fault and SIGKILL
# tests: a private fault-injection S3 server (tests/faults/server.py) instead of radosgw.
#
#   . "$(dirname "$0")/lib.sh"; . "$REPO/tests/faults/lib.sh"; fault_init NAME
#
# fault_init creates $T, $HOME_DIR, the bucket directory $FS_ROOT/$BUCKET, a certificate, and starts the
# server on free loopback ports (HTTP and HTTPS); it is stopped on exit. Then:
#   fault_object KEY SIZE        a random object of SIZE bytes (its file is $FS_ROOT/$BUCKET/KEY)
#   fault_rules JSON             replace the rules (tests/faults/rules.py); resets the server's counters
#   fault_log_mark               remember the end of the request log; fault_log_since prints what came after
#   fault_endpoint http|https    sets the array EP to the client options that reach the server
# The client needs keys to sign with: the server ignores the signatures, so fixed dummy keys are exported.
# shellcheck shell=bash disable=SC2034 # the variables set here are for the tests

FAULTS_DIR=$REPO/tests/faults
PYTHON=/usr/bin/python3 # Debian's; /root/.pyenv shims may shadow python3 on PATH

fault_init() {
    TEST_NAME=$1
    local tmp_root=${UR_E2E_TMP:-$BUILD_DIR/e2e-tmp}
    mkdir -p "$tmp_root"
    T=$(mktemp -d "$tmp_root/$TEST_NAME.XXXXXX")
    HOME_DIR=$T/.home
    mkdir -p "$HOME_DIR"
    E2E_MOUNTS=()
    E2E_PIDS=()
    E2E_OWN_SERVER=
    BUCKET=faults
    trap e2e_cleanup EXIT

    UR_BIN=${UR_BIN:-$BUILD_DIR/urestore}
    case "$UR_BIN" in /*) ;; *) UR_BIN=$PWD/$UR_BIN ;; esac
    [ -x "$UR_BIN" ] || fail "client not found or not executable: $UR_BIN (build it with make)"
    [ -x "$PYTHON" ] || skip "$PYTHON not found (the fault server needs Debian's python3)"
    command -v openssl >/dev/null || skip "openssl not found (the fault server's certificate)"

    AWS_ACCESS_KEY_ID=FAULTSERVERKEY000001
    AWS_SECRET_ACCESS_KEY=fault/server/ignores/signatures/000000000
    AWS_REGION=us-east-1
    fault_server_start
}

# fault_server_start: certificate, server, wait until it listens (at most 10 s).
fault_server_start() {
    FS_DIR=$T/.faults
    FS_ROOT=$FS_DIR/root
    FS_LOG=$FS_DIR/requests.log
    FS_RULES=$FS_DIR/rules.json
    FS_CA=$FS_DIR/cert.pem
    mkdir -p "$FS_ROOT/$BUCKET"
    : >"$FS_LOG"
    : >"$FS_RULES"
    rm -f "$FS_DIR/ports"
    FS_CERT=$FS_CA
    if [ -n "${FS_CHAIN:-}" ]; then
        fault_chain || fail "could not create the certificates: $(tail -n 3 "$FS_DIR/openssl.out")"
    else
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -keyout "$FS_DIR/key.pem" -out "$FS_CA" -subj "/CN=localhost" \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -addext "basicConstraints=critical,CA:TRUE" \
            >"$FS_DIR/openssl.out" 2>&1 || fail "could not create a certificate: $(tail -n 3 "$FS_DIR/openssl.out")"
    fi
    "$PYTHON" "$FAULTS_DIR/server.py" --root "$FS_ROOT" --log "$FS_LOG" --rules "$FS_RULES" \
        --ready "$FS_DIR/ports" --cert "$FS_CERT" --key "$FS_DIR/key.pem" --parent $$ --lifetime 3600 \
        ${FS_IDLE_TIMEOUT:+--idle-timeout "$FS_IDLE_TIMEOUT"} ${FS_NO_TICKETS:+--no-tickets} >"$FS_DIR/server.out" 2>&1 &
    FS_PID=$!
    E2E_PIDS+=("$FS_PID")
    local i
    for i in $(seq 1 200); do
        [ -s "$FS_DIR/ports" ] && break
        kill -0 "$FS_PID" 2>/dev/null || fail "the fault server died: $(tail -n 5 "$FS_DIR/server.out")"
        sleep 0.05
    done
    [ -s "$FS_DIR/ports" ] || fail "the fault server did not start within 10 s"
    local ports
    read -r -a ports <"$FS_DIR/ports"
    FS_HTTP=http://127.0.0.1:${ports[0]}
    FS_HTTPS=https://localhost:${ports[1]}
}

# fault_chain: with FS_CHAIN set, the server presents what public servers do: its certificate and the
# intermediate CA that signed it ($FS_CERT), not the root ($FS_CA), which signed the intermediate.
fault_chain() {
    local d=$FS_DIR o=$FS_DIR/openssl.out ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -days 2 -keyout "$d/root.key" -out "$FS_CA" -subj "/CN=fault root CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" >"$o" 2>&1 &&
        openssl req "${ec[@]}" -keyout "$d/mid.key" -out "$d/mid.csr" -subj "/CN=fault intermediate CA" \
            >>"$o" 2>&1 &&
        printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n' >"$d/mid.ext" &&
        openssl x509 -req -in "$d/mid.csr" -CA "$FS_CA" -CAkey "$d/root.key" -CAcreateserial -days 2 \
            -extfile "$d/mid.ext" -out "$d/mid.pem" >>"$o" 2>&1 &&
        openssl req "${ec[@]}" -keyout "$d/key.pem" -out "$d/leaf.csr" -subj "/CN=localhost" >>"$o" 2>&1 &&
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$d/leaf.ext" &&
        openssl x509 -req -in "$d/leaf.csr" -CA "$d/mid.pem" -CAkey "$d/mid.key" -CAcreateserial -days 2 \
            -extfile "$d/leaf.ext" -out "$d/leaf.pem" >>"$o" 2>&1 &&
        FS_CERT=$d/chain.pem && cat "$d/leaf.pem" "$d/mid.pem" >"$FS_CERT"
}

fault_endpoint() {
    endpoint_args "$1" "$FS_HTTP" "$FS_HTTPS" "$FS_CA"
}

fault_object() {
    make_file "$FS_ROOT/$BUCKET/$1" "$2"
}

# fault_rules JSON: replaces the rules file atomically (the server reads it at its next request).
fault_rules() {
    # A serial makes every call a change, so that the server resets its counters even for equal rules.
    FS_SERIAL=$((${FS_SERIAL:-0} + 1))
    local rest=${1#\{}
    if [ "${rest//[[:space:]]/}" != "}" ]; then rest=",$rest"; fi
    printf '{"serial":%d%s\n' "$FS_SERIAL" "$rest" >"$FS_RULES.tmp"
    mv -f "$FS_RULES.tmp" "$FS_RULES"
}

fault_log_mark() {
    FS_MARK=$(wc -l <"$FS_LOG")
}

# fault_log_since: the request log lines since the last fault_log_mark (all when none), tab-separated:
# ms conn method path range if-match status fault body-bytes-sent body-length.
fault_log_since() {
    sleep 0.2 # the server logs a request just after its last byte: let the last lines land
    tail -n +"$((${FS_MARK:-0} + 1))" "$FS_LOG"
}

# fault_count FIELD VALUE: how many requests since the mark had FIELD (1-based, as above) equal to VALUE.
fault_count() {
    fault_log_since | awk -F'\t' -v f="$1" -v v="$2" '$f == v { n++ } END { print n + 0 }'
}

# fault_file_state ORIGINAL DEST SOURCE: what a run left for one file, after ur_capture. Prints one word:
# same (byte-identical), partial (another size), corrupt (same size, other bytes), error (absent, with an
# ERROR line for "cp SOURCE DEST" on stderr), silent (absent, no ERROR line).
fault_file_state() {
    if [ -f "$2" ]; then
        if cmp -s "$1" "$2"; then echo same
        elif [ "$(stat -c %s "$1")" != "$(stat -c %s "$2")" ]; then echo partial
        else echo corrupt
        fi
    elif grep -Fq -- "ERROR \"cp $3 $2\": " "$UR_ERR"; then
        echo error
    else
        echo silent
    fi
}

# fault_temp_count DIR: how many temporary files (.NAME.urestore-*) are left below DIR.
fault_temp_count() {
    find "$1" -name '.*.urestore-*' 2>/dev/null | wc -l
}
