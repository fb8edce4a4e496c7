#!/usr/bin/env bash
# `checkpoint gc`'s progress line as a person sees it: the client runs in a tmux pane (a real terminal) against
# the fault server, which serves the realistic tree of checkpoint_lib.sh and whose "silence" rules make each
# phase last: a list request waits 0.4 s (finding _metadata, then listing the job directories in key ranges),
# one _metadata is answered after 2 s (reading), and --max-delete-rate 2 --delete-page 1 deletes one orphan
# each half second (deleting). Not radosgw: it answers a _metadata and a listing of such a tree in milliseconds,
# and only thousands of uploaded objects or a _metadata of hundreds of MB would hold a phase for seconds.
#   - during each phase: the line alone on the screen, "checkpoint gc: PHASE — N _metadata read, N objects
#     listed, N deleted" with the counts that phase can have;
#   - while deleting: every rm line whole on its own line above the line, which counts exactly those lines;
#   - after: the line is gone and the screen is exactly the output of the same run on a pipe (rm lines, then
#     the summary, whose count of listed objects is that of the job directories), each on its own line;
#   - the tests' pause before the re-check (URESTORE_TEST_GC_PAUSE): its message a line of its own;
#   - --no-progress, and stderr not a terminal: at no moment anything but that output.
# No timing is asserted: the bounds only say how long to wait for a phase.
. "$(dirname "$0")/lib.sh"
# shellcheck source=../faults/lib.sh
. "$REPO/tests/faults/lib.sh"
# shellcheck source=tmux_lib.sh
. "$E2E_DIR/tmux_lib.sh"
fault_init checkpoint-progress
# shellcheck source=checkpoint_lib.sh
. "$E2E_DIR/checkpoint_lib.sh"
fault_endpoint http
ck_tree_files
# restore_tree: the tree as written, again (a --delete run removed the orphans' files).
restore_tree() { cp -a "$T/tree/." "$FS_ROOT/$BUCKET/"; }
restore_tree
ROOT=s3://$BUCKET/cp
GC=(checkpoint gc --protect "s3://$BUCKET/$SP" --delete --max-delete-rate 2 --delete-page 1 "$ROOT")
SLOW="{\"rules\":[{\"key\":\"$JA/chk-3/_metadata\",\"fault\":\"silence\",\"seconds\":2},
    {\"key\":\"?list\",\"fault\":\"silence\",\"seconds\":0.4}]}"

# The normal output: the same run with both outputs on pipes (the fault server's objects are old enough for
# the default --min-age).
ur_capture "${EP[@]}" "${GC[@]}"
assert_rc 0 "gc --delete on pipes"
assert_rm_lines "${ORPHANS[@]}"
[ ! -s "$UR_ERR" ] || fail "gc on pipes wrote to stderr: $(head -c 300 "$UR_ERR")"
expected=$(sed -e 's/[[:space:]]*$//' -e '/^$/d' "$UR_OUT")
grep -q '^# deleted 6, failed 0$' <<<"$expected" || fail "the summary does not say 6 deleted: $expected"
# The summary counts the objects of the job directories, not those the search for _metadata saw too.
n=$(find "$T/tree/cp" -type f | wc -l)
grep -q "^# read 4 _metadata (11 referenced files), listed $n objects in 2 job directories, " <<<"$expected" ||
    fail "the summary should say 4 _metadata read and $n objects listed in 2 job directories: $expected"
for k in "${ORPHANS[@]}"; do [ ! -e "$FS_ROOT/$BUCKET/$k" ] || fail "$k was not deleted"; done
restore_tree
tmux_start
fault_rules "$SLOW"

# line_re PHASE READ DELETED: the progress line of PHASE with those counts (regex fragments).
line_re() { printf '^checkpoint gc: %s — %s _metadata read, [0-9]+ objects listed, %s deleted$' "$1" "$2" "$3"; }
# alone NAME PHASE SCREEN: the screen shows the line and nothing else.
alone() {
    [ "$(wc -l <<<"$3")" = 1 ] || fail "$1 while $2: the screen shows more than the progress line:
$3"
    say "$2: $3"
}

# 1. On a terminal: each phase's line, the rm lines above the line while deleting, the line gone after.
pane tty "${EP[@]}" "${GC[@]}"
alone tty finding "$(wait_screen tty "$(line_re 'finding _metadata' 0 0)" 30)"
# chk-3's _metadata is the first read and is answered after 2 s: 0 read until then.
alone tty reading "$(wait_screen tty "$(line_re 'reading _metadata' 0 0)" 30)"
alone tty listing "$(wait_screen tty "$(line_re 'listing job directories' 4 0)" 30)"
s=$(wait_screen tty "$(line_re deleting 4 '[1-5]')" 30)
say "deleting: $(tail -n 1 <<<"$s")"
n=$(tail -n 1 <<<"$s" | sed -E 's/.* ([0-9]+) deleted$/\1/')
above=$(head -n -1 <<<"$s")
[ "$(grep -c . <<<"$above")" = "$n" ] || fail "the line says $n deleted, the screen above it shows:
$above"
while read -r l; do
    grep -Fxq -- "$l" <<<"$expected" || fail "while deleting, a line above the progress line is not one of gc's: $(printf '%q' "$l")"
done <<<"$above"
after=$(done_screen tty)
[ "$(exit_of tty)" = 0 ] || fail "gc on a terminal: exit status $(exit_of tty)"
[ "$after" = "$expected" ] || fail "after gc the screen shows:
$after
expected the output on a pipe:
$expected"
for k in "${ORPHANS[@]}"; do [ ! -e "$FS_ROOT/$BUCKET/$k" ] || fail "$k was not deleted"; done

# 2. The tests' pause before the re-check (URESTORE_TEST_GC_PAUSE) says so on a line of its own, which stays,
#    although the listing's line was on the screen when it began.
fault_rules '{"rules":[{"key":"?list","fault":"silence","seconds":0.4}]}'
restore_tree
PANE_ENV=("URESTORE_TEST_GC_PAUSE=$T/go")
pane pause "${EP[@]}" checkpoint gc --protect "s3://$BUCKET/$SP" "$ROOT"
PANE_ENV=()
msg="checkpoint gc: pausing before the re-check until $T/go exists (URESTORE_TEST_GC_PAUSE)"
wait_screen pause "^$(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$msg")\$" 30 >/dev/null
touch "$T/go"
after=$(done_screen pause)
[ "$(exit_of pause)" = 0 ] || fail "gc with a pause: exit status $(exit_of pause)"
[ "$(head -n 1 <<<"$after")" = "$msg" ] && [ "$(grep -c '^rm ' <<<"$after")" = "${#ORPHANS[@]}" ] ||
    fail "after gc with a pause the screen shows:
$after"

# 3. --no-progress, and stderr not a terminal: at every look, the screen is a beginning of the normal output.
for how in flag pipe; do
    restore_tree
    fault_rules "$SLOW"
    if [ "$how" = flag ]; then
        pane "$how" --no-progress "${EP[@]}" "${GC[@]}"
    else
        PANE_ERR=$T/$how.err pane "$how" "${EP[@]}" "${GC[@]}"
    fi
    looks=0
    while s=$(screen "$how"); ! grep -q '^EXIT=' <<<"$s"; do
        [ -z "$s" ] || [ "$s" = "$(head -n "$(wc -l <<<"$s")" <<<"$expected")" ] ||
            fail "$how: mid-run the screen shows $(printf '%q' "$s"), expected only gc's output"
        looks=$((looks + 1))
        sleep 0.1
    done
    [ "$looks" -ge 10 ] || fail "$how: the run ended after $looks looks at the screen; the phases should last seconds"
    after=$(done_screen "$how")
    [ "$(exit_of "$how")" = 0 ] || fail "$how: exit status $(exit_of "$how")"
    [ "$after" = "$expected" ] || fail "$how: after gc the screen shows $(printf '%q' "$after")"
    [ "$how" = flag ] || [ ! -s "$T/$how.err" ] || fail "stderr on a file got $(od -c "$T/$how.err" | head -n 3)"
done
kill_tmux
e2e_pass
