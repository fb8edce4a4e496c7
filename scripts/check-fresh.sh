#!/usr/bin/env bash
# scripts/check-fresh.sh — runs a command the way a newcomer meets the project: in a minimal Debian 12
# (bookworm) root file system made from scratch, holding a clean clone of this repository (committed files
# only) and nothing else of ours, with `git` and `make` installed first (the README's one prerequisite line).
#
#   bash scripts/check-fresh.sh 'make demo && make test'      (as root; `make check-fresh CMD='…'`)
#
# The root is built with `debootstrap --variant=minbase bookworm` (Debian's package, installed here when
# missing; downloaded .debs are cached under build/fresh-cache, so a second run fetches no base system).
# The command runs as root in /root/urestore inside a chroot with its own mount and PID namespaces, /proc,
# /dev, /dev/pts, /dev/shm and /sys mounted, and the host's network (for apt-get and npm). Every mount lives
# in that namespace and every process dies with it; the root is deleted on exit, also on failure or ^C.
# Exit status: the command's. UR_FRESH_KEEP=1 keeps the root (its path is printed) for a look afterwards.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
CMD=${1:-'make demo && make test'}
SUITE=bookworm
MIRROR=${UR_FRESH_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" = 0 ] || { echo "check-fresh: run as root (it builds a chroot)" >&2; exit 2; }
git -C "$REPO" rev-parse HEAD >/dev/null 2>&1 || { echo "check-fresh: $REPO is not a git checkout" >&2; exit 2; }
if ! command -v debootstrap >/dev/null; then
    echo "check-fresh: installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

CACHE=$REPO/build/fresh-cache
ROOT=$(mktemp -d "${TMPDIR:-/var/tmp}/urestore-fresh.XXXXXX")
cleanup() {
    local rc=$?
    # The mounts were made inside the child's mount namespace and vanished with it; a stray one (a
    # failure before unshare) is unmounted here before anything is deleted, so rm never follows a bind.
    if grep -q " $ROOT/" /proc/self/mounts; then
        grep " $ROOT/" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l
    fi
    if [ "${UR_FRESH_KEEP:-0}" = 1 ]; then
        echo "check-fresh: root kept at $ROOT"
    else
        rm -rf --one-file-system "$ROOT"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "check-fresh: debootstrap --variant=minbase $SUITE into $ROOT"
mkdir -p "$CACHE"
debootstrap --variant=minbase --cache-dir="$CACHE" "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 || {
    tail -n 20 "$ROOT.debootstrap.log" >&2
    rm -f "$ROOT.debootstrap.log"
    echo "check-fresh: debootstrap failed" >&2
    exit 1
}
rm -f "$ROOT.debootstrap.log"

# What a fresh Debian 12 machine has: the release, its updates and security suites, and name resolution.
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
EOF
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
# Local CAs of this host (e.g. those of a TLS-intercepting egress proxy, as on these machines) are part of
# the network, not of the project: a fresh machine behind the same proxy has them too. They land where
# Debian's ca-certificates adds local CAs whenever it is installed or updated; Node.js (npm) reads the
# bundle through NODE_EXTRA_CA_CERTS, as on this host.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$ROOT/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    NODE_CA=/etc/ssl/certs/ca-certificates.crt
fi

# A clean clone: what is committed, nothing of this working tree's build or untracked files.
git clone -q "$REPO" "$ROOT/root/urestore"
echo "check-fresh: cloned $(git -C "$ROOT/root/urestore" log --oneline -1)"

# Inside the chroot: the README's prerequisite line, then CMD, as a newcomer's root shell would run them.
cat >"$ROOT/root/fresh-run.sh" <<'EOF'
set -e
export DEBIAN_FRONTEND=noninteractive
echo "check-fresh: apt-get install -y git make"
apt-get update -q >/dev/null
apt-get install -y -q git make >/dev/null
cd /root/urestore
echo "check-fresh: running: $(cat /root/fresh-cmd)"
exec bash /root/fresh-cmd
EOF
printf '%s\n' "$CMD" >"$ROOT/root/fresh-cmd"

# The namespaces: mount what a booted machine has (private to this namespace), then enter the chroot.
set +e
unshare --mount --pid --fork --propagation private /bin/bash -c '
set -e
R=$1
[ -d "$R/root/urestore" ] || exit 2
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=1777 shm "$R/dev/shm"
mount --rbind /sys "$R/sys"
exec chroot "$R" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 ${2:+NODE_EXTRA_CA_CERTS=$2} \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash /root/fresh-run.sh' _ "$ROOT" "${NODE_CA:-}"
rc=$?
set -e
echo "check-fresh: exit status $rc"
exit "$rc"
