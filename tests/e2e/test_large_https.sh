#!/usr/bin/env bash
# 64 MiB+123 and 256 MiB+4097 objects over HTTPS (--ca-bundle), split into parts (default and --part-size 8).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/large.sh"
e2e_init large-https
large_test https
e2e_pass
