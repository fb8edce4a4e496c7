# Debian packages the perf suite needs, installed only when missing (as root). Sourced by perf/run.sh.
# The echo module serves s3sim's latency when the kernel has no netem. s5cmd is not in Debian: it is used when found on PATH, else skipped with a line saying so.

perf_deps() {
    local want=(
        /usr/sbin/nginx:nginx-light /usr/bin/rclone:rclone /usr/bin/aws:awscli /usr/bin/gnuplot:gnuplot-nox
        /usr/bin/curl:curl /usr/sbin/ip:iproute2 /usr/sbin/tc:iproute2 /usr/bin/python3:python3
        /usr/bin/iperf3:iperf3 /usr/bin/taskset:util-linux /usr/bin/openssl:openssl /usr/bin/gcc:gcc
        /usr/bin/dd:coreutils /usr/lib/nginx/modules/ngx_http_echo_module.so:libnginx-mod-http-echo
    )
    local missing=() item
    for item in "${want[@]}"; do
        [ -e "${item%%:*}" ] || missing+=("${item#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [ "$(id -u)" != 0 ]; then
        echo "perf: missing Debian packages (run as root to install): ${missing[*]}" >&2
        return 1
    fi
    echo "perf: installing ${missing[*]}" >&2
    # No service may start on install (nginx-light would take port 80): policy-rc.d says no, for the install only.
    local policy=/usr/sbin/policy-rc.d ours=0
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && ours=1
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || rc=1
    [ $ours = 1 ] && rm -f $policy
    return $rc
}
