# tests/faults/pending/lib.sh — lets a test waiting here for an engine feature source the e2e library as
# it will from tests/e2e (git mv it there once it passes).
# shellcheck shell=bash
# shellcheck source=../../e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../e2e/lib.sh"
