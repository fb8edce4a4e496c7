#!/usr/bin/env bash
# tests/abi/check_abi.sh LIB HEADER — the ABI check: the dynamic symbols LIB defines and exports are exactly
# the functions HEADER declares with URESTORE_API (no more, no fewer), they carry the version node of the
# linker script, and LIB's soname is liburestore.so.1. Prints what differs; exit 0 when all holds, else 1.
set -euo pipefail

lib=${1:?usage: check_abi.sh LIB HEADER}
header=${2:?usage: check_abi.sh LIB HEADER}
want_soname=liburestore.so.1
status=0

# The documented list: every "URESTORE_API <type> <name>(" in the header (declarations may wrap after '(').
documented=$(grep -v '^#' "$header" | grep -o 'URESTORE_API[^(;]*(' | sed -E 's/.*[ *]([A-Za-z_][A-Za-z0-9_]*)\($/\1/' | sort -u)
[ -n "$documented" ] || { echo "check_abi: no URESTORE_API declarations in $header" >&2; exit 1; }

# What the library exports: defined dynamic symbols, without the version node's own absolute symbol.
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u)

extra=$(comm -13 <(printf '%s\n' "$documented") <(printf '%s\n' "$exported"))
missing=$(comm -23 <(printf '%s\n' "$documented") <(printf '%s\n' "$exported"))
if [ -n "$extra" ]; then
    echo "check_abi: $lib exports symbols $header does not declare:" >&2
    readarray -t names <<<"$extra"
    printf '  %s\n' "${names[@]}" >&2
    status=1
fi
if [ -n "$missing" ]; then
    echo "check_abi: $header declares functions $lib does not export:" >&2
    readarray -t names <<<"$missing"
    printf '  %s\n' "${names[@]}" >&2
    status=1
fi

# Every export carries a version node (so the ABI grows by nodes: LIBURESTORE_1, LIBURESTORE_1.1 …).
unversioned=$(nm -D --defined-only --with-symbol-versions "$lib" 2>/dev/null |
    awk '$2 != "A" && $3 !~ /@@?LIBURESTORE_[0-9]+(\.[0-9]+)?$/ { print $3 }')
if [ -n "$unversioned" ]; then
    echo "check_abi: exported without a LIBURESTORE_N version: $unversioned" >&2
    status=1
fi

# The functions of the first release stay in LIBURESTORE_1: programs linked against it resolve them there.
for f in urestore_client_new urestore_copy urestore_cancel urestore_client_destroy urestore_status_str urestore_version; do
    if ! nm -D --defined-only --with-symbol-versions "$lib" | grep -q " $f@@LIBURESTORE_1$"; then
        echo "check_abi: $f is not in version node LIBURESTORE_1 (programs built against 0.1 would not find it)" >&2
        status=1
    fi
done

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "$want_soname" ]; then
    echo "check_abi: $lib has soname '${soname:-none}', expected $want_soname" >&2
    status=1
fi

[ "$status" = 0 ] && echo "check_abi: $(wc -w <<<"$documented") exported functions match $header; soname $soname"
exit "$status"
