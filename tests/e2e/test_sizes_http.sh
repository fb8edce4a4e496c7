#!/usr/bin/env bash
# Objects of 0 B, 1 B, 511 B, 4095/4096/4097 B and 1 MiB+1 over plain HTTP, by `cp` and by `run`.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/sizes.sh"
e2e_init sizes-http
sizes_test http
e2e_pass
