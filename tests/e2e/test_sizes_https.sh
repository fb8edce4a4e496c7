#!/usr/bin/env bash
# Objects of 0 B, 1 B, 511 B, 4095/4096/4097 B and 1 MiB+1 over HTTPS, the test CA given by --ca-bundle.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/sizes.sh"
e2e_init sizes-https
sizes_test https
e2e_pass
