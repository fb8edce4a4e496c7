#!/usr/bin/env bash
# The engine in layers (issue 13): no circle of calls between the files of engine/. Read from the object
# files: file A depends on file B when A references a symbol B defines. The graph must sort (tsort finds no
# loop), and the lowest files must stay low: loop.c and pool.c call nothing above them. Prints the order.
# Static inline functions in headers are not calls between files and do not count. The loop's backends
# (loop_*.c) and loop.c are one module: the backend below its common part. No server needed.
. "$(dirname "$0")/lib.sh"
TEST_NAME="engine-layers"

objs=("$BUILD_DIR"/obj/engine/*.o)
[ -f "${objs[0]}" ] || fail "no engine objects under $BUILD_DIR/obj/engine (make)"
T=$(mktemp -d "${TMPDIR:-/tmp}/urestore-layers.XXXXXX")
trap 'rm -rf "$T"' EXIT

module() { local f; f=$(basename "$1" .o); case "$f" in loop_*) echo loop ;; *) echo "$f" ;; esac; }
for o in "${objs[@]}"; do
    f=$(module "$o")
    nm --defined-only "$o" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sed "s/\$/ $f/" >>"$T/defs"
done
sort -u "$T/defs" -o "$T/defs"
: >"$T/edges"
for o in "${objs[@]}"; do
    f=$(module "$o")
    nm --undefined-only "$o" | awk '{ print $2 }' | sort -u | join - "$T/defs" | awk -v f="$f" '$2 != f { print f, $2 }' >>"$T/edges"
done
sort -u "$T/edges" -o "$T/edges"
echo "engine file dependencies (caller callee):"
sed 's/^/  /' "$T/edges"
if ! tsort "$T/edges" >"$T/order" 2>"$T/loop"; then
    fail "a circle of calls in engine/: $(tr '\n' ' ' <"$T/loop")"
fi
echo "order, top first: $(tr '\n' ' ' <"$T/order")"
for low in loop pool; do
    up=$(awk -v f="$low" '$1 == f && $2 != "loop" { print $2 }' "$T/edges")
    [ -z "$up" ] || fail "$low.c calls into $(echo "$up" | tr '\n' ' '): it must depend on nothing above the loop"
done
exit 0
