#!/usr/bin/env bash
# Restores on Debian 12's own kernel (6.1), booted under qemu with the client, nginx and the checks inside
# the guest: tests/kernel/debian12.sh (~2 minutes; it needs no radosgw, it only runs where the suite does).
set -euo pipefail
# The client runs inside the guest, where a wrapper (valgrind, the sanitizers' environment) cannot follow,
# and under emulation it would take several times the test's bound.
if [ -n "${UR_WRAPPER:-}" ]; then
    echo "SKIP kernel-debian12: the client runs in a qemu guest, without UR_WRAPPER ($UR_WRAPPER)" >&2
    exit 77
fi
exec bash "$(dirname "$0")/../kernel/debian12.sh"
