#!/usr/bin/env bash
# Faults × object sizes × HTTP/HTTPS against the fault-injection server (tests/faults/server.py).
#
# Each run restores two objects of one size in one `run` batch: a clean one and one the fault hits. After
# EVERY run: each file is byte-identical under its final name, or absent with an ERROR line naming it;
# no temporary file is left; the exit status is 0 when retries can heal the fault and 1 when not; the
# request log shows the retries asked for what they should (If-Match on every request past byte 0, a
# resume from the first byte not received, the retry count honoured, retries on new connections); the
# secret key never appears in the output. Ends with a table of the counts.
#
# UR_FAULT_ONLY=PATTERN runs only the faults whose name contains PATTERN (debugging).
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
fault_init fault-matrix

# The three sizes: empty (S3 answers the first range with 416), small (one request), multi-part.
declare -A SIZE=([0]=0 [s]=4097 [m]=$((20 * MiB + 12345)))
for c in 0 s m; do
    fault_object "x-$c" "${SIZE[$c]}"
    fault_object "clean-$c" "${SIZE[$c]}"
done

# name | size classes | expectation | client options | rule (@KEY@ is the faulted object's key)
#   expectation: ok (exit 0, both files identical); fail:N (exit 1, the faulted file absent with an ERROR
#   line after exactly N requests for it); changed (exit 1, absent, the ERROR line says it changed).
ROWS=(
    'reset|0 s m|ok||"on":[1],"fault":"reset"'
    'reset-later-part|m|ok||"from_byte":1,"on":[1],"fault":"reset","after":1048576'
    'truncate|0 s m|ok||"on":[1],"fault":"truncate"'
    'truncate-twice|s m|ok||"on":[1,2],"fault":"truncate","after":1000'
    'tls-no-close-notify|s m|ok||"on":[1],"fault":"tls_no_close_notify"'
    'http-500|0 s m|ok||"on":[1,2],"fault":"status","status":500'
    '503-retry-after|0 s m|ok||"on":[1],"fault":"status","status":503,"retry_after_ms":300'
    '503-slowdown|0 s m|ok||"on":[1,2,3],"fault":"status","status":503,"code":"SlowDown"'
    'stall-2s|s m|ok||"on":[1],"fault":"stall","seconds":2'
    'close-idle|0 s m|ok||"fault":"close_after"'
    'drop-request|0 s m|ok||"on":[1],"fault":"drop_request"'
    'bad-status-line|0 s m|ok||"on":[1],"fault":"bad_status"'
    'bad-status-code|s|ok||"on":[1],"fault":"bad_status","variant":"code"'
    'bad-header|0 s m|ok||"on":[1],"fault":"bad_header"'
    'bad-content-length|s|ok||"on":[1],"fault":"bad_header","variant":"badlength"'
    'huge-headers|0 s m|ok||"on":[1],"fault":"huge_headers"'
    'bad-chunk-size|0 s m|ok||"on":[1],"fault":"bad_chunk"'
    'change-between-parts|m|changed||"on":[2],"fault":"change"'
    'reset-r0|s m|fail:1|-r 0|"fault":"reset"'
    'http-500-r0|0 s m|fail:1|-r 0|"fault":"status","status":500'
    'http-503-r2|s|fail:3|-r 2|"fault":"status","status":503'
    'truncate-r2|s|fail:3|-r 2|"fault":"truncate"'
    'bad-status-r1|s|fail:2|-r 1|"fault":"bad_status"'
    'http-403|s|fail:1||"fault":"status","status":403,"code":"AccessDenied"'
)
# The stall watchdog: a body that stops for longer than the client's watchdog (20 s unless the client has
# an option to set it) must be resumed on a new connection. One run: it takes the watchdog's time.
STALL_ROW='stall-watchdog|s|ok||"on":[1],"fault":"stall","seconds":40'

VIOLATIONS=()
declare -A RUNS FILES SAME CORRUPT PARTIAL TMP ERRS BAD

# violation CASE MESSAGE: records what went wrong in one run (the test fails at the end, after the table).
violation() {
    VIOLATIONS+=("$1: $2")
    BAD[$ROWKEY]=$((${BAD[$ROWKEY]:-0} + 1))
    if [ "${#VIOLATIONS[@]}" -le 5 ]; then
        {
            echo "--- $1: $2"
            echo "    client: urestore ${ARGS[*]} (exit $UR_RC)"
            sed 's/^/    | /' "$UR_ERR" | tail -n 6
            echo "    requests for the faulted object:"
            fault_log_since | grep -F "/$BUCKET/$KEY" | cut -f2- | head -n 12 | sed 's/^/    > /'
        } >&2
    fi
}

# check_requests CASE NAME EXPECT: the request log of the run just made, for the faulted key.
check_requests() {
    local case=$1 name=$2 expect=$3 class=$4 reqs n
    reqs=$(fault_log_since | awk -F'\t' -v p="/$BUCKET/$KEY" '$4 == p')
    # Every request past byte 0 continues a known object: it must carry If-Match.
    n=$(printf '%s\n' "$reqs" | awk -F'\t' '$5 ~ /^bytes=[1-9]/ && $6 == "-"' | wc -l)
    [ "$n" = 0 ] || violation "$case" "$n request(s) past byte 0 without If-Match"
    case "$expect" in
    fail:*)
        # Attempts per part (parts are 5 MiB; a resume stays within its part): the most must be N. GETs
        # only: the HEAD that asks for a split object's checksum is no attempt of a part.
        n=$(printf '%s\n' "$reqs" | awk -F'\t' -v ps=$((5 * MiB)) '
            NF && $3 == "GET" { split(substr($5, 7), r, "-"); c[int(r[1] / ps)]++ }
            END { for (p in c) if (c[p] > m) m = c[p]; print m + 0 }')
        [ "$n" = "${expect#fail:}" ] || violation "$case" "$n attempts of a part, expected ${expect#fail:}"
        ;;
    esac
    # Retries use a new connection: for a one-request object, no request after a faulted one may come on
    # the faulted request's connection.
    if [ "$class" != m ]; then
        n=$(printf '%s\n' "$reqs" | awk -F'\t' 'NF && $8 != "-" { bad[$2] = 1 } NF { c[$2]++ }
            END { for (k in bad) if (c[k] > 1) n++; print n + 0 }')
        [ "$n" = 0 ] || violation "$case" "a retry came on the connection that had just failed"
    fi
    # A 206 cut after N body bytes must be resumed from the first byte not received: exactly start+N
    # after a clean close (every byte sent arrived), between start and start+N after a reset.
    case "$name" in
    truncate* | tls-no-close-notify | reset | reset-later-part | stall-watchdog)
        [ "$expect" = ok ] || return 0
        printf '%s\n' "$reqs" | awk -F'\t' -v exact="$([[ $name == truncate* || $name == tls* ]] && echo 1 || echo 0)" '
            { split(substr($5, 7), r, "-"); start[NR] = r[1] + 0; fault[NR] = $8; st[NR] = $7; sent[NR] = $9; len[NR] = $10 }
            END {
                for (i = 1; i <= NR; i++) {
                    if (fault[i] == "-" || st[i] != 206 || sent[i] <= 0 || sent[i] >= len[i]) continue
                    lo = exact ? start[i] + sent[i] : start[i]; hi = start[i] + sent[i]; ok = 0
                    for (j = 1; j <= NR; j++) if (j != i && start[j] >= lo && start[j] <= hi) ok = 1
                    if (!ok) { printf "no resume in [%d, %d] after %d bytes from %d\n", lo, hi, sent[i], start[i]; exit }
                }
            }' >"$T/.resume" || true
        [ ! -s "$T/.resume" ] || violation "$case" "$(cat "$T/.resume")"
        ;;
    esac
}

# run_case NAME CLASS SCHEME EXPECT OPTIONS RULE
run_case() {
    local name=$1 class=$2 scheme=$3 expect=$4 copts=$5 rule=$6 case state f dst src
    case="$name/$class/$scheme"
    KEY=x-$class
    ROWKEY="$name|$class"
    local out=$T/out/$name-$class-$scheme
    mkdir -p "$out"
    fault_rules "{\"rules\":[{\"key\":\"$KEY\",$rule}]}"
    {
        run_line --part-size 5 "s3://$BUCKET/clean-$class" "$out/clean"
        run_line --part-size 5 "s3://$BUCKET/$KEY" "$out/faulted"
    } >"$out.txt"
    fault_endpoint "$scheme"
    local -a extra=()
    # shellcheck disable=SC2206 # options are words
    [ -z "$copts" ] || extra=($copts)
    ARGS=("${EP[@]}" "${extra[@]}" run "$out.txt")
    fault_log_mark
    local t0
    t0=$(date +%s)
    ur_capture "${ARGS[@]}"
    RUNS[$ROWKEY]=$((${RUNS[$ROWKEY]:-0} + 1))
    # The watchdog must give up on the stalled connection well before the server would go on by itself.
    if [ "$name" = stall-watchdog ] && [ $(($(date +%s) - t0)) -ge 38 ]; then
        violation "$case" "the client waited out a 40 s stall: no stall watchdog"
    fi

    for f in clean faulted; do
        dst=$out/$f
        src=s3://$BUCKET/$([ "$f" = clean ] && echo "clean-$class" || echo "$KEY")
        state=$(fault_file_state "$FS_ROOT/$BUCKET/${src##*/}" "$dst" "$src")
        FILES[$ROWKEY]=$((${FILES[$ROWKEY]:-0} + 1))
        case "$state" in
        same) SAME[$ROWKEY]=$((${SAME[$ROWKEY]:-0} + 1)) ;;
        error) ERRS[$ROWKEY]=$((${ERRS[$ROWKEY]:-0} + 1)) ;;
        partial) PARTIAL[$ROWKEY]=$((${PARTIAL[$ROWKEY]:-0} + 1)); violation "$case" "$dst is partial" ;;
        corrupt) CORRUPT[$ROWKEY]=$((${CORRUPT[$ROWKEY]:-0} + 1)); violation "$case" "$dst is corrupt" ;;
        silent) violation "$case" "$dst is absent and no ERROR line names it" ;;
        esac
        if [ "$f" = clean ] || [ "$expect" = ok ]; then
            [ "$state" = same ] || violation "$case" "$dst: $state, expected the file"
        else
            [ "$state" = error ] || violation "$case" "$dst: $state, expected an ERROR line and no file"
        fi
    done
    if grep -Fq -- "$AWS_SECRET_ACCESS_KEY" "$UR_OUT" "$UR_ERR"; then violation "$case" "the secret key was printed"; fi
    local left
    left=$(fault_temp_count "$out")
    TMP[$ROWKEY]=$((${TMP[$ROWKEY]:-0} + left))
    [ "$left" = 0 ] || violation "$case" "$left temporary file(s) left"
    if [ "$expect" = ok ]; then
        [ "$UR_RC" = 0 ] || violation "$case" "exit status $UR_RC, expected 0"
    else
        [ "$UR_RC" = 1 ] || violation "$case" "exit status $UR_RC, expected 1"
    fi
    if [ "$expect" = changed ] && ! grep -F "ERROR \"cp s3://$BUCKET/$KEY " "$UR_ERR" | grep -Eiq 'chang|PreconditionFailed'; then
        violation "$case" "the ERROR line does not say the object changed"
    fi
    check_requests "$case" "$name" "$expect" "$class"
}

t0=$(date +%s)
rows=("${ROWS[@]}" "$STALL_ROW")
for row in "${rows[@]}"; do
    IFS='|' read -r name classes expect copts rule <<<"$row"
    if [ -n "${UR_FAULT_ONLY:-}" ] && [[ "$name" != *"$UR_FAULT_ONLY"* ]]; then continue; fi
    schemes="http https"
    [ "$name" = stall-watchdog ] && schemes=http
    for class in $classes; do
        for scheme in $schemes; do run_case "$name" "$class" "$scheme" "$expect" "$copts" "$rule"; done
    done
done

# The table: one row per fault and size, over both schemes.
{
    printf '%-22s %-9s %4s %5s %4s %5s %7s %7s %8s %4s\n' fault size runs files same error corrupt partial tmp-left bad
    for row in "${rows[@]}"; do
        IFS='|' read -r name classes _ <<<"$row"
        for class in $classes; do
            k="$name|$class"
            [ -n "${RUNS[$k]:-}" ] || continue
            printf '%-22s %-9s %4s %5s %4s %5s %7s %7s %8s %4s\n' "$name" "${SIZE[$class]}" "${RUNS[$k]}" \
                "${FILES[$k]}" "${SAME[$k]:-0}" "${ERRS[$k]:-0}" "${CORRUPT[$k]:-0}" "${PARTIAL[$k]:-0}" \
                "${TMP[$k]:-0}" "${BAD[$k]:-0}"
        done
    done
    echo "($(($(date +%s) - t0)) s; same: identical files; error: absent with an ERROR line; bad: runs' violations)"
} >&2

if [ "${#VIOLATIONS[@]}" -gt 0 ]; then
    printf '  %s\n' "${VIOLATIONS[@]}" | head -n 40 >&2
    fail "${#VIOLATIONS[@]} violation(s) in the fault matrix"
fi
e2e_pass
