# Sourced by each example script that tests/docs/examples.py writes: run a
# command as the doc shows it, in this shell (so cd and variables carry on
# to the next), and stop at the first that fails or does not print what the
# doc says it prints. DOCS_OUT is a scratch file, DOCS_TMUX a tmux socket.

docs_fail() { # WHERE WHY COMMAND
	echo "FAIL $1: $2"
	printf '%s\n' "$3" | sed 's/^/    $ /'
	sed 's/^/    | /' "$DOCS_OUT" | tail -20
	exit 1
}

docs_check() { # WHERE EXPECT COMMAND RC [WANTED-RC]
	[ "$4" -eq "${5:-0}" ] || docs_fail "$1" "exit status $4" "$3"
	[ -z "$2" ] || grep -qF -- "$2" "$DOCS_OUT" || docs_fail "$1" "does not print [$2]" "$3"
	echo "ok $1 (${SECONDS}s): ${3%%$'\n'*}"
}

# step WHERE EXPECT STATUS <<COMMAND
step() {
	local docs_cmd docs_rc=0
	docs_cmd=$(cat)
	eval "$docs_cmd" >"$DOCS_OUT" 2>&1 </dev/null || docs_rc=$?
	docs_check "$1" "$2" "$docs_cmd" "$docs_rc" "$3"
}

# until the pane shows TEXT (20 s at most)
docs_pane_shows() {
	local i
	for i in $(seq 400); do
		tmux -S "$DOCS_TMUX" capture-pane -p -t docs 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	return 1
}

# term_step WHERE EXPECT KEYS <<COMMAND: on a terminal (tmux), as typed;
# KEYS are tmux keys sent in turn, wait:TEXT waits for TEXT on the screen
term_step() {
	local docs_cmd k i docs_rc
	docs_cmd=$(cat)
	printf '%s\n' "$docs_cmd" >"$DOCS_OUT.cmd"
	rm -f "$DOCS_OUT.rc"
	tmux -S "$DOCS_TMUX" new-session -d -s docs -x 120 -y 30 \
		"bash $DOCS_OUT.cmd; echo \$? >$DOCS_OUT.rc"
	for k in $3; do
		case "$k" in
		wait:*) docs_pane_shows "${k#wait:}" || { : >"$DOCS_OUT"; docs_fail "$1" "no [${k#wait:}] on the terminal" "$docs_cmd"; } ;;
		*) tmux -S "$DOCS_TMUX" send-keys -t docs "$k" ;;
		esac
	done
	for i in $(seq 400); do [ -s "$DOCS_OUT.rc" ] && break; sleep 0.05; done
	tmux -S "$DOCS_TMUX" capture-pane -p -t docs >"$DOCS_OUT" 2>/dev/null
	tmux -S "$DOCS_TMUX" kill-session -t docs 2>/dev/null
	docs_rc=$(cat "$DOCS_OUT.rc" 2>/dev/null || echo "none: it did not end")
	[ "$docs_rc" = 0 ] || docs_fail "$1" "exit status $docs_rc" "$docs_cmd"
	docs_check "$1" "$2" "$docs_cmd" 0
}
