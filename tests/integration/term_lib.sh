# A person at a terminal (sourced after lib.sh): tmux on a private server,
# a new one for each window (a server just killed may still hold its
# socket), 80x24.
#   need_tmux             skip without tmux
#   term ARGS...          tmux on this window's server
#   term_run COMMAND      a new window running it, then "EXITED=<code>"
#   screen                what the window shows, its last 100 lines too
#   wait_screen RE [S]    until a line matches RE (10 s), else fail showing it
#   term_cleanup          every server of this case gone (from the EXIT trap)
need_tmux() { command -v tmux >/dev/null || skip "tmux is not installed (tests/deps.sh installs it)"; }
TERM_N=0
term() { tmux -L "$TID-$TERM_N" "$@"; }
term_run() {
	term kill-server 2>/dev/null || true
	TERM_N=$((TERM_N + 1))
	term new-session -d -x 80 -y 24 -s t "$1; echo EXITED=\$?; sleep 600"
}
screen() { term capture-pane -p -t t -S -100; }
wait_screen() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	screen | sed 's/^/    | /' >&2
	fail "the screen never showed /$1/"
}
term_cleanup() {
	term kill-server 2>/dev/null || true
	local i
	for i in $(seq 40); do pgrep -f "tmux -L $TID-" >/dev/null || break; sleep 0.05; done
}
