# tests/e2e/tmux_lib.sh — sourced by the tests that read the progress line as a person sees it (after lib.sh and
# $T set up): the client runs in a tmux pane, a real terminal, and the pane is read with capture-pane.
# tmux_start starts the server (one session that outlives the others keeps it up between panes; it ends by
# itself in 120 s); kill_tmux stops it.
# shellcheck shell=bash disable=SC2034 # the variables set here are for the tests

tmux_start() {
    command -v tmux >/dev/null || skip "tmux not found (scripts/deps.sh installs it)"
    SOCK=$T/tmux.sock
    tmux -S "$SOCK" new-session -d -s keep -x 80 -y 10 "exec sleep 120"
}

# [PANE_ERR=FILE] pane NAME CLIENT-ARGS...: runs the client in a new 160x40 tmux pane, with the environment
# ur() gives it and the VAR=VALUE words of the array PANE_ENV when set (stderr to FILE when PANE_ERR is set);
# the pane prints "EXIT=<status>" when the client ends, then stays 60 s to be read (kill_tmux ends it sooner).
pane() {
    local name=$1 q=
    shift
    printf -v q '%q ' /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 TERM=xterm \
        AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION="$AWS_REGION" "${UR_IO_ENV[@]}" ${PANE_ENV[@]+"${PANE_ENV[@]}"} "$UR_BIN" "$@"
    [ -z "${PANE_ERR:-}" ] || printf -v q '%s 2>%q' "$q" "$PANE_ERR"
    printf '#!/bin/bash\ncd %q\n%s\necho "EXIT=$?"\nexec sleep 60\n' "$T" "$q" >"$T/$name.sh"
    UR_LAST_CMD="urestore $* (in tmux)"
    tmux -S "$SOCK" new-session -d -s "$name" -x 160 -y 40 "bash $T/$name.sh"
}

# screen NAME: what the pane shows, without trailing blanks and empty lines.
screen() {
    tmux -S "$SOCK" capture-pane -p -t "$1:" >"$T/.screen" || fail "the tmux session $1 is gone: $(tmux -S "$SOCK" ls 2>&1)"
    sed -e 's/[[:space:]]*$//' -e '/^$/d' "$T/.screen"
}

# wait_screen NAME REGEX SECONDS: until the pane shows a line matching REGEX; prints the screen then.
wait_screen() {
    local i s
    for i in $(seq 1 $(($3 * 20))); do
        s=$(screen "$1")
        if grep -Eq -- "$2" <<<"$s"; then
            printf '%s\n' "$s"
            return 0
        fi
        sleep 0.05
    done
    printf '%s\n' "$s" | sed 's/^/  | /' >&2
    fail "$1: the screen never showed /$2/ within $3 s"
}

# done_screen NAME: the screen once the client has ended, without the EXIT= line; exit_of NAME: its status.
done_screen() { wait_screen "$1" '^EXIT=' 30 | grep -v '^EXIT='; }
exit_of() { screen "$1" | sed -n 's/^EXIT=//p'; }
kill_tmux() { tmux -S "$SOCK" kill-server 2>/dev/null || true; }
