# Loopback servers for the perf suite: a CA and certificate, one nginx (HTTPS + plain HTTP), free ports,
# and the two network namespaces of the s3sim mode. Sourced by perf/run.sh; every function logs to stderr.
#
# nginx serves perf/data/www as /<bucket>/<key>, and GET /<bucket>[/]?list-type=2... from perf/data/lists
# (a static ListObjectsV2 answer). One worker pinned to CPU 1, sendfile on, keepalive_requests 100000,
# TLS 1.3 only with the suite pinned to TLS_AES_128_GCM_SHA256 so every client pays for the same cipher.

# Names carry this shell's pid: another copy of the suite (a CI run in another clone on the same machine)
# must never delete this run's namespaces.
PERF_NS_SRV=urperf-$$-srv
PERF_NS_CLI=urperf-$$-cli
PERF_VETH_S=urp$$s
PERF_VETH_C=urp$$c
PERF_NS_SRV_ADDR=10.255.255.1
PERF_NS_CLI_ADDR=10.255.255.2

perf_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# perf_certs DIR: a CA and a server certificate (RSA 2048, as S3 uses) for localhost, 127.0.0.1 and the
# s3sim server address. Clients get DIR/ca.crt as their CA bundle.
perf_certs() {
    local d=$1
    [ -s "$d/server.crt" ] && return 0
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=urestore perf CA" \
        -keyout "$d/ca.key" -out "$d/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/server.key" \
        -out "$d/server.csr" 2>/dev/null || return 1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        "$PERF_NS_SRV_ADDR" >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
        -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
}

# perf_nginx_conf DIR HTTPS_LISTEN HTTP_LISTEN [LIMIT_RATE [FIRST_BYTE_DELAY_S [CHECKSUMS_MAP]]]: writes
# DIR/nginx.conf (certificate from $PERF_CERTS, data from $PERF_DATA). A first-byte delay (the s3sim
# fallback when the kernel has no netem) holds every response that long before it starts, with the echo
# module. CHECKSUMS_MAP (perf/lib/crcsum.c's lines): each object's x-amz-checksum-crc64nvme, sent as S3
# does only to a request with x-amz-checksum-mode: ENABLED (the other tools do not ask).
perf_nginx_conf() {
    local d=$1 https=$2 http=$3 rate=${4:-0} delay=${5:-0} map=${6:-} load= objects="location / { }" ck=""
    if [ -n "$map" ]; then
        ck="map \$uri \$ur_crc_of_uri { default \"\"; include $map; }
    map \$http_x_amz_checksum_mode \$ur_crc { ENABLED \$ur_crc_of_uri; default \"\"; }
    map \$ur_crc \$ur_crc_type { \"\" \"\"; default FULL_OBJECT; }
    add_header x-amz-checksum-crc64nvme \$ur_crc;
    add_header x-amz-checksum-type \$ur_crc_type;"
    fi
    mkdir -p "$d/tmp"
    if [ "$delay" != 0 ]; then
        load="load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
        objects="location / { echo_sleep $delay; echo_exec @object; }
        location @object { }"
    fi
    cat >"$d/nginx.conf" <<EOF
$load
user root;
worker_processes 1;
worker_cpu_affinity 10;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 300s;
    open_file_cache max=16000 inactive=600s;  # < the 20,000 fds this sandbox allows (the 50k scale point hit EMFILE)
    default_type application/octet-stream;
    types { }
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    limit_rate $rate;
    ssl_certificate $PERF_CERTS/server.crt;
    ssl_certificate_key $PERF_CERTS/server.key;
    ssl_protocols TLSv1.3;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    ssl_session_cache shared:perf:10m;
    $ck
    server {
        listen $https ssl reuseport backlog=4096;
        listen $http reuseport backlog=4096;
        root $PERF_DATA/www;
        location ~ ^/(?<bucket>[^/]+)/?\$ {
            root $PERF_DATA/lists;
            default_type application/xml;
            try_files /\$bucket.xml =404;
        }
        $objects
    }
}
EOF
}

# perf_nginx_start DIR [PREFIX...]: runs nginx (optionally inside "ip netns exec NS") pinned to CPU 1 and
# waits until it answers. Sets PERF_NGINX_PID.
perf_nginx_start() {
    local d=$1; shift
    "$@" taskset -c 1 nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" &
    PERF_NGINX_PID=$!
    local i
    for i in $(seq 100); do
        [ -s "$d/nginx.pid" ] && return 0
        kill -0 "$PERF_NGINX_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "nginx did not start; $d/error.log says:" >&2
    cat "$d/error.log" >&2 2>/dev/null
    return 1
}

perf_nginx_stop() {
    [ -n "${PERF_NGINX_PID:-}" ] || return 0
    kill -QUIT "$PERF_NGINX_PID" 2>/dev/null
    local i
    for i in $(seq 50); do kill -0 "$PERF_NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PERF_NGINX_PID" 2>/dev/null
    wait "$PERF_NGINX_PID" 2>/dev/null
    PERF_NGINX_PID=
}

# perf_wait_http URL CA: waits until nginx answers (any HTTP status) over URL.
perf_wait_http() {
    local i
    for i in $(seq 50); do
        env -i /usr/bin/curl -s -o /dev/null --cacert "$2" "$1" && return 0
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

# s3sim: two namespaces joined by a veth pair, 10.255.255.0/30 only inside them, netem delay RTT/2 on
# each side; per-connection rate by perf_netns_shape. Traffic never leaves the machine. Sets PERF_NETEM=1, or 0 when the kernel has no netem
# (then the caller emulates the latency in nginx: perf_nginx_conf's first-byte delay).
perf_netns_up() {
    local rtt_ms=$1 half
    half=$(awk -v r="$rtt_ms" 'BEGIN { printf "%.3f", r / 2 }')
    perf_netns_down
    ip netns add "$PERF_NS_SRV" && ip netns add "$PERF_NS_CLI" || return 1
    ip link add $PERF_VETH_S netns "$PERF_NS_SRV" type veth peer name $PERF_VETH_C netns "$PERF_NS_CLI" || return 1
    ip -n "$PERF_NS_SRV" addr add "$PERF_NS_SRV_ADDR/30" dev $PERF_VETH_S
    ip -n "$PERF_NS_CLI" addr add "$PERF_NS_CLI_ADDR/30" dev $PERF_VETH_C
    local ns dev
    for ns in "$PERF_NS_SRV:$PERF_VETH_S" "$PERF_NS_CLI:$PERF_VETH_C"; do
        dev=${ns#*:}; ns=${ns%%:*}
        ip -n "$ns" link set lo up
        ip -n "$ns" link set "$dev" up
    done
    PERF_NETEM=1
    for ns in "$PERF_NS_SRV:$PERF_VETH_S" "$PERF_NS_CLI:$PERF_VETH_C"; do
        dev=${ns#*:}; ns=${ns%%:*}
        tc -n "$ns" qdisc add dev "$dev" root netem delay "${half}ms" limit 100000 2>/dev/null || PERF_NETEM=0
    done
    if [ $PERF_NETEM = 0 ]; then
        tc -n "$PERF_NS_SRV" qdisc del dev $PERF_VETH_S root 2>/dev/null
        tc -n "$PERF_NS_CLI" qdisc del dev $PERF_VETH_C root 2>/dev/null
    fi
    return 0
}

# perf_netns_shape MBIT: every client connection gets at most MBIT from the server, like one S3
# connection. The client namespace may only use ports 40000-40255, so the low byte of the client port
# names the connection: u32 hashes it into one of 256 HTB classes of MBIT each (nginx's limit_rate lets
# the first second of every response through unlimited, so it does not limit requests of < 50 MB).
perf_netns_shape() {
    local mbit=$1 i batch
    ip netns exec "$PERF_NS_CLI" sysctl -q -w net.ipv4.ip_local_port_range="40000 40255" \
        net.ipv4.tcp_tw_reuse=1 || return 1
    batch=$(mktemp)
    {
        echo "qdisc add dev $PERF_VETH_S root handle 1: htb default 1"
        echo "class add dev $PERF_VETH_S parent 1: classid 1:1 htb rate 100gbit quantum 65536"
        for i in $(seq 0 255); do
            printf 'class add dev %s parent 1: classid 1:%x htb rate %smbit ceil %smbit burst 256k cburst 256k quantum 65536\n' \
                "$PERF_VETH_S" $((0x100 + i)) "$mbit" "$mbit"
        done
        echo "filter add dev $PERF_VETH_S parent 1: prio 1 handle 2: protocol ip u32 divisor 256"
        echo "filter add dev $PERF_VETH_S parent 1: prio 1 protocol ip u32 ht 800:: match ip protocol 6 0xff hashkey mask 0x000000ff at 20 link 2:"
        for i in $(seq 0 255); do
            printf 'filter add dev %s parent 1: prio 1 protocol ip u32 ht 2:%x: match ip protocol 6 0xff flowid 1:%x\n' \
                "$PERF_VETH_S" "$i" $((0x100 + i))
        done
    } >"$batch"
    tc -n "$PERF_NS_SRV" -batch "$batch"
    local rc=$?
    rm -f "$batch"
    return $rc
}

perf_netns_down() {
    ip netns del "$PERF_NS_CLI" 2>/dev/null
    ip netns del "$PERF_NS_SRV" 2>/dev/null
    return 0
}
