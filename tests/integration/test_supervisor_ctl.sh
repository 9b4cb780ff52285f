#!/bin/bash
# corralctl as podman users type it: options anywhere, --help for every
# verb, bash completion from the same tables, usage errors, ps -q/-a/
# --format/--filter, inspect --format, one JSON shape (checked against the
# varlink interface), and the client's share of "no silent surprises".
# time: about 110 s (18 cases): every verb's --help and bash completion from the tables, and podman's command corpus, each command a corralctl process
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"
IFACE="$ROOTDIR/supervisor/api/io.corral.Supervisor.varlink"
# inspect's first object without Docker's fields (test_supervisor_inspect.sh)
CORRAL_KEYS='.[0] | with_entries(select(.key | test("^[a-z]")))'

# The commands corralctl --help lists, one a line ("image ls" is one).
verbs() { "$CORRALCTL" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 ($2 ~ /^[a-z]+$/ && $1 ~ /^(image|container|system|job|network|policy|secret|session|broker|volume|get|describe|delete)$/ ? " " $2 : "") }'; }

# usage_error WORDS...: exit 125 and one line on stderr, nothing on stdout
usage_error() {
	local rc=0 out err
	out=$("$CORRALCTL" --socket "${SOCK:-$S/none.sock}" "$@" 2>"$T/usage.err") || rc=$?
	err=$(cat "$T/usage.err")
	assert_eq "$rc" 125 "exit code of: corralctl $*"
	assert_eq "$out" "" "stdout of: corralctl $*"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "one line for: corralctl $* [$err]"
	printf '%s\n' "$err"
}

test_ctl_help_for_every_verb() {
	local v n=0 out
	"$CORRALCTL" --help >"$T/help" || fail "--help"
	for v in ps run stop inspect "image ls" "container prune" "system prune" cp restart pause unpause top port \
		rename logs events stats completion; do
		grep -q "^  $v " "$T/help" || fail "corralctl --help does not list $v"
	done
	while read -r v; do
		# shellcheck disable=SC2086 # "image ls" is two words
		out=$("$CORRALCTL" $v --help) || fail "corralctl $v --help failed"
		assert_contains "$out" "Usage: corralctl $v" "$v --help"
		# and -h, except where -h is the command's own (run -h is --hostname, as podman's)
		# shellcheck disable=SC2086
		case $v in run | create) ;; *) assert_eq "$("$CORRALCTL" $v -h)" "$out" "$v -h" ;; esac
		n=$((n + 1))
	done < <(verbs)
	[ "$n" -ge 30 ] || fail "only $n commands listed"
	# the options podman users look for are in the help
	out=$("$CORRALCTL" run --help)
	for o in --stop-signal --stop-timeout --pids-limit --rm --entrypoint --env-file --read-only --tmpfs \
		--hostname --init --privileged "-p, --publish" "-i, --interactive" "-t, --tty"; do
		assert_contains "$out" "$o" "run --help"
	done
	assert_contains "$("$CORRALCTL" kill --help)" "-s, --signal SIGNAL" "kill --help"
	assert_contains "$("$CORRALCTL" stop --help)" "-t, --time SECONDS" "stop --help"
	assert_contains "$("$CORRALCTL" rm --help)" "-f, --force" "rm --help"
	assert_eq "$("$CORRALCTL" --version)" "$("$CORRALCTL" version)" "--version"
	assert_contains "$("$CORRALCTL" --version)" "corralctl version " "--version"
	assert_eq "$("$CORRALCTL" help stop)" "$("$CORRALCTL" stop --help)" "help stop"
	assert_eq "$("$CORRALCTL" images --help)" "$("$CORRALCTL" image ls --help)" "images is image ls"
	assert_eq "$("$CORRALCTL" container stop --help)" "$("$CORRALCTL" stop --help)" "container stop"
}

test_ctl_usage_errors() {
	local err
	# a verb missing its argument is a usage error, not exit 0
	for v in stop inspect start kill rm wait logs exec pause unpause top rename port restart run create "image rm" \
		"image inspect" cp; do
		# shellcheck disable=SC2086
		err=$(usage_error $v)
		assert_contains "$err" "usage: corralctl $v" "usage line of $v"
	done
	err=$(usage_error rename a b c)
	assert_contains "$err" "too many arguments" "rename a b c"
	# unknown options are errors, never ignored
	assert_contains "$(usage_error ps --bogus)" "unknown option --bogus" "ps --bogus"
	assert_contains "$(usage_error ps -z)" "unknown option -z" "ps -z"
	assert_contains "$(usage_error kill -9 web)" "unknown option -9" "kill -9 web"
	assert_contains "$(usage_error --bogus ps)" "unknown option --bogus" "--bogus ps"
	assert_contains "$(usage_error bogus)" 'unknown command "bogus"' "bogus"
	# -p is --publish, checked before any call; pids is --pids-limit
	assert_contains "$(usage_error run -p 1.2.3.4:80 "$IMG" true)" "-p 1.2.3.4:80: the host port \"1.2.3.4\" must be a number" "run -p IP:CTRPORT"
	assert_contains "$(usage_error run -p 80:99999 "$IMG" true)" "the container port \"99999\"" "run -p 80:99999"
	assert_contains "$(usage_error run -p 80:80/sctp "$IMG" true)" "tcp or udp" "run -p 80:80/sctp"
	assert_contains "$(usage_error run --pids 10 "$IMG" true)" "unknown option --pids" "run --pids"
	# every number, size and duration refuses trailing garbage
	assert_contains "$(usage_error run --pids-limit 8080:80 "$IMG" true)" "--pids-limit 8080:80" "pids garbage"
	usage_error run --memory 16m:80 "$IMG" true >/dev/null
	usage_error run -m 16q "$IMG" true >/dev/null
	usage_error run --cpus 0.5x "$IMG" true >/dev/null
	usage_error run --stop-timeout 10s "$IMG" true >/dev/null
	usage_error stop -t 1x web >/dev/null
	usage_error stop --time=-1 web >/dev/null
	usage_error logs --tail 5l web >/dev/null
	usage_error logs --since yesterday web >/dev/null
	usage_error events --until 10q >/dev/null
	usage_error --timeout 5x ping >/dev/null
	usage_error ps --no-trunc=maybe >/dev/null
	# --format is for commands that print lists; json is fine anywhere
	assert_contains "$(usage_error stop --format '{{.ID}}' web)" "unknown option --format" "stop --format"
	assert_contains "$(usage_error --format '{{.ID}}' stop web)" "takes no --format" "--format before stop"
}

test_ctl_completion_from_the_tables() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web-completion "$IMG" sleep 100 >/dev/null
	"$CORRALCTL" completion bash >"$T/comp.bash"
	bash -n "$T/comp.bash" || fail "the completion script does not parse"
	local spec
	spec=$(bash -c '. "$1"; complete -p corralctl' _ "$T/comp.bash")
	assert_eq "$spec" "complete -F _corralctl corralctl" "complete -p"
	# comp WORDS...: what completing the last word offers
	comp() {
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _corralctl
			printf "%s\n" "${COMPREPLY[@]}"' _ "$T/comp.bash" "$CORRALCTL" --socket "$SOCK" "$@" | sort | tr '\n' ' '
	}
	assert_eq "$(comp st)" "start stats stop " "verbs"
	assert_eq "$(comp image "")" "history import inspect load ls prune rm save sign tag verify " "image's verbs"
	assert_contains "$(comp stop -)" "--time" "stop's options"
	assert_contains "$(comp stop -)" "-t" "stop's options"
	assert_contains "$(comp ps --f)" "--filter" "ps options"
	assert_contains "$(comp ps --f)" "--format" "ps options"
	assert_eq "$(comp stop web-c)" "web-completion " "container names"
	assert_eq "$(comp container stop web-c)" "web-completion " "container VERB"
	assert_eq "$(comp stop -t 5 web-c)" "web-completion " "after an option's argument"
	# every option --help shows, completion offers (the same table)
	local v o opts
	while read -r v; do
		# shellcheck disable=SC2086
		opts=$(comp $v -)
		for o in $("$CORRALCTL" $v --help | grep -oE -- '(^|  |, )--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
			assert_contains " $opts" " $o " "completion of $v offers $o"
		done
	done < <(verbs)
}

test_ctl_options_anywhere() {
	trap cleanup_sv EXIT
	start_sv
	local out rc
	ctl run -d --name web "$IMG" sh -c 'trap "exit 0" TERM; echo line1; echo line2; while :; do sleep 0.1; done' >/dev/null
	wait_for 5 sh -c "'$CORRALCTL' --socket '$SOCK' logs web | grep -q line2"
	# logs with the option after the container, in both forms
	assert_eq "$(ctl logs web --tail 1)" line2 "logs web --tail 1"
	assert_eq "$(ctl logs --tail=1 web)" line2 "logs --tail=1 web"
	assert_eq "$(ctl logs -n1 web)" line2 "logs -n1 web"
	# stop web -t 1: stops web, and names no container -t
	out=$(ctl stop web -t 1 2>&1)
	assert_eq "$out" web "stop web -t 1"
	assert_eq "$(status_of web)" exited "stopped"
	ctl start web >/dev/null
	# its shell has its trap once it says line2 again: a TERM before that
	# is ignored (pid 1 with no handler) and the wait below timed out
	wait_for 5 sh -c "[ \$('$CORRALCTL' --socket '$SOCK' logs web | grep -c line2) -ge 2 ]"
	out=$(ctl kill web --signal=TERM 2>&1)
	assert_eq "$out" web "kill web --signal=TERM"
	wait_for 5 sh -c "[ \"\$('$CORRALCTL' --socket '$SOCK' inspect --format '{{.State.Status}}' web)\" = exited ]"
	# options before the verb and after it
	assert_eq "$(ctl inspect web --format '{{.Name}}')" web "inspect NAME --format"
	assert_eq "$(ctl --format '{{.Name}}' inspect web)" web "--format before the verb"
	assert_eq "$(ctl inspect --json web | jq -r '.[0].name')" web "--json after the verb"
	assert_eq "$("$CORRALCTL" inspect web --socket "$SOCK" --format '{{.Name}}')" web "--socket after the verb"
	# run: what follows the image is the command's, options included
	assert_eq "$(ctl run --rm "$IMG" echo -n -e 'a\tb')" "$(printf 'a\tb')" "run IMAGE echo -n -e"
	# -- ends the options
	out=$(ctl rm -f -- web)
	assert_eq "$out" web "rm -f -- web"
	rc=0
	ctl inspect web >/dev/null 2>&1 || rc=$?
	assert_eq "$rc" 125 "inspect of a removed container"
}

test_ctl_ps_quiet_all_format_filter() {
	trap cleanup_sv EXIT
	start_sv
	local long=a-container-name-that-is-much-longer-than-any-column-would-be-x
	ctl run -d --name svc --restart always -l team=infra "$IMG" sleep 1000 >/dev/null
	ctl run -d --name "$long" -l team=web "$IMG" sleep 1000 >/dev/null
	ctl run --name done1 "$IMG" true >/dev/null
	ctl run --name done2 -l team=infra "$IMG" sh -c 'exit 3' >/dev/null || true
	ctl create --name fresh "$IMG" true >/dev/null
	local id_svc
	id_svc=$(ctl inspect --format '{{.ID}}' svc)
	# -q: ids only, 12 characters, running ones; -aq: all
	assert_eq "$(ctl ps -q | sort | tr '\n' ' ')" \
		"$(for n in svc "$long"; do ctl inspect --format '{{.ID}}' "$n" | cut -c1-12; done | sort | tr '\n' ' ')" "ps -q"
	assert_eq "$(ctl ps -aq | wc -l)" 5 "ps -aq"
	assert_eq "$(ctl ps -a -q | wc -l)" 5 "ps -a -q"
	assert_eq "$(ctl ps -q --no-trunc | grep -c "^$id_svc\$")" 1 "--no-trunc"
	# --filter: status, label, name, id; one key twice widens, two keys narrow
	assert_eq "$(ctl ps --filter status=exited --format '{{.Names}}' | sort | tr '\n' ' ')" "done1 done2 " "status="
	assert_eq "$(ctl ps -a --filter label=team=infra --format '{{.Names}}' | sort | tr '\n' ' ')" "done2 svc " "label="
	assert_eq "$(ctl ps -a --filter label=team --filter status=running --format '{{.Names}}' | sort | tr '\n' ' ')" \
		"$long svc " "label and status"
	assert_eq "$(ctl ps -a -f status=created -f status=exited --format '{{.Names}}' | sort | tr '\n' ' ')" \
		"done1 done2 fresh " "status or status"
	assert_eq "$(ctl ps -a --filter name=done --format '{{.Names}}' | sort | tr '\n' ' ')" "done1 done2 " "name="
	assert_eq "$(ctl ps -a --filter "id=${id_svc:0:8}" -q)" "${id_svc:0:12}" "id="
	usage_error ps --filter color=red >/dev/null
	# --format: the template subset, and table
	assert_eq "$(ctl ps --filter name=svc --format '{{.Names}} {{.Image}} {{.State}}')" "svc $IMG running" "--format"
	assert_contains "$(ctl ps --filter name=svc --format '{{.Status}}')" "Up " "Status"
	assert_eq "$(ctl ps -a --filter name=done2 --format '{{.Status}}' | cut -c1-10)" "Exited (3)" "Status exited"
	assert_eq "$(ctl ps --format 'table {{.ID}}\t{{.Names}}' | head -1)" "CONTAINER ID  NAMES" "table header"
	# the default table: a long name widens its column and is never cut
	ctl ps -a >"$T/ps"
	grep -q -- "  $long\$" "$T/ps" || fail "the long name is cut or misplaced: $(cat "$T/ps")"
	local col
	col=$(head -1 "$T/ps" | awk '{ print index($0, "NAMES") }')
	awk -v c="$col" 'NR > 1 && substr($0, c - 2, 2) != "  " { bad = 1 } END { exit bad }' "$T/ps" ||
		fail "NAMES is not one column: $(cat "$T/ps")"
	awk -v c="$col" -v n="$long" 'index($0, n) && index($0, n) != c { bad = 1 } END { exit bad }' "$T/ps" ||
		fail "the long name does not start at NAMES"
	# the cleanup one-liner of podman users: exactly the exited ones, then all
	ctl rm -f $(ctl ps -q --filter status=exited) >/dev/null
	assert_eq "$(ctl ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "$long fresh svc " "rm of the exited"
	ctl rm -f $(ctl ps -aq) >/dev/null
	assert_eq "$(ctl ps -aq)" "" "rm -f \$(ps -aq) removed every container, the restart=always one included"
}

test_ctl_inspect_format_and_arrays() {
	trap cleanup_sv EXIT
	start_sv
	ctl run --name a -e K=V "$IMG" sh -c 'exit 4' >/dev/null || true
	ctl create --name b -l app=x "$IMG" sleep 1 >/dev/null
	assert_eq "$(ctl inspect --format '{{.State.Status}}' a)" exited "{{.State.Status}}"
	assert_eq "$(ctl inspect --format '{{.State.ExitCode}}' a)" 4 "{{.State.ExitCode}}"
	assert_eq "$(ctl inspect --format '{{.Name}} {{.State.Status}}' a b)" "a exited
b created" "one line a container"
	# .Config is Docker's (the environment in effect), .config corral's spec
	assert_contains "$(ctl inspect --format '{{json .Config.Env}}' a)" '"K=V"]' "{{json .Config.Env}}"
	assert_eq "$(ctl inspect --format '{{json .config.env}}' a)" '["K=V"]' "{{json .config.env}}"
	assert_eq "$(ctl inspect --format '{{json .config}}' a | jq -r .image)" "$IMG" "{{json .config}}"
	assert_eq "$(ctl inspect --format '{{index .Labels "app"}}' b)" x "index"
	assert_eq "$(ctl inspect --format '{{.ID}}' a)" "$(ctl --json inspect a | jq -r '.[0].id')" ".ID"
	# a field there is not: an error that names it
	local rc=0 err
	err=$(ctl inspect --format '{{.State.Nope}}' a 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 125 "unknown field"
	assert_contains "$err" "Nope" "the error names the field"
	# inspect and ps print arrays of the same Container, whatever the form
	# (inspect with Docker's capitalised fields beside it)
	assert_eq "$(ctl inspect a b | jq -r 'type, length')" "array
2" "inspect a b: one array"
	assert_eq "$(ctl inspect a | jq -c "$CORRAL_KEYS")" "$(ctl ps -a --json --filter name=a | jq -c '.[] | select(.name == "a")')" \
		"inspect and ps print the same object"
	local j1 j2 j3 j4
	j1=$(ctl --json ps -a)
	j2=$(ctl ps -a --json)
	j3=$(ctl ps -a --format json)
	j4=$(ctl --format json ps -a)
	[ "$j1" = "$j2" ] && [ "$j2" = "$j3" ] && [ "$j3" = "$j4" ] || fail "--json and --format json differ"
	assert_eq "$(echo "$j1" | jq -r 'type')" array "ps --json is an array"
	assert_eq "$(ctl images --json | jq -r type)" array "images --json"
	# inspect of one there and one not: what is there, and 125
	rc=0
	ctl inspect a nosuch >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$rc" 125 "inspect a nosuch"
	assert_eq "$(jq -r '.[0].name' "$T/out")" a "what was there is printed"
	assert_contains "$(cat "$T/err")" "no such container: nosuch" "what was not is said"
}

# The top-level fields of a type of the varlink interface, and those not
# optional (?), each sorted on one line.
iface_fields() { # TYPE [required]
	awk -v t="$1" -v req="${2:-}" '
		$0 ~ "^type " t " \\(" { on = 1; next }
		on && /^\)/ { exit }
		on { sub(/#.*/, ""); if (match($0, /^  [A-Za-z_]+: /)) { f = substr($0, 3, RLENGTH - 4)
			if (!req || substr($0, RLENGTH + 1, 1) != "?") print f } }' "$IFACE" | sort | tr '\n' ' '
}

# check_shape WHAT TYPE JSON-OBJECT: its keys are fields of TYPE, and every
# required field is there
check_shape() {
	local keys extra missing
	keys=$(echo "$3" | jq -r 'keys[]' | sort | tr '\n' ' ')
	extra=$(comm -23 <(tr ' ' '\n' <<<"$keys" | grep .) <(iface_fields "$2" | tr ' ' '\n' | grep .))
	missing=$(comm -13 <(tr ' ' '\n' <<<"$keys" | grep .) <(iface_fields "$2" required | tr ' ' '\n' | grep .))
	[ -z "$extra" ] || fail "$1: keys not in type $2: $extra"
	[ -z "$missing" ] || fail "$1: $2's fields missing: $missing"
}

test_ctl_json_shapes_match_the_interface() {
	trap cleanup_sv EXIT
	start_sv
	"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
	ctl image import "oci:$FIXTURES/images/oci:test" shape:1 >/dev/null
	ctl run -d --name shape -l a=b shape:1 sleep 100 >/dev/null
	[ -n "$(iface_fields Container)" ] || fail "no type Container in $IFACE"
	local c
	c=$(ctl inspect shape | jq -c "$CORRAL_KEYS")
	check_shape "inspect" Container "$c"
	check_shape "inspect .state" State "$(echo "$c" | jq -c .state)"
	check_shape "inspect .config" ContainerSpec "$(echo "$c" | jq -c .config)"
	check_shape "ps --json" Container "$(ctl ps --json | jq -c '.[0]')"
	check_shape "image inspect" Image "$(ctl image inspect shape:1 | jq -c '.[0]')"
	check_shape "images --json" Image "$(ctl images --json | jq -c '.[0]')"
	check_shape "stats --json" Stats "$(ctl stats --no-stream --json shape | jq -c '.[0]')"
	timeout 2 "$CORRALCTL" --socket "$SOCK" events --since 0 --json >"$T/ev" || true
	check_shape "events --json" Event "$(head -1 "$T/ev")"
	# types the interface names by their own name: status is a Status
	assert_eq "$(echo "$c" | jq -r '.state.status')" running "state.status"
}

test_ctl_one_key_style() { # needs branch daemon14: State in camelCase
	trap cleanup_sv EXIT
	start_sv
	ctl run --name k "$IMG" true >/dev/null
	local snake
	snake=$(ctl inspect k | jq -r '[paths | .[-1] | strings | select(test("_"))] | unique | join(" ")')
	# labels and env are the user's; every key corral chose is camelCase
	assert_eq "$snake" "" "snake_case keys in a Container"
	grep -qE '^\s+[a-z]+_[a-z_]+: ' "$IFACE" && fail "the interface has snake_case fields: $(grep -E '^\s+[a-z]+_[a-z_]+: ' "$IFACE")"
	grep -qi 'camelCase' "$IFACE" || fail "the interface does not say its key style"
}

test_ctl_no_silent_caps_on_counts() {
	trap cleanup_sv EXIT
	start_sv
	local args=() i
	for i in $(seq 300); do args+=(-e "V$i=$i"); done
	assert_eq "$(ctl run "${args[@]}" "$IMG" env | grep -c '^V[0-9]*=')" 300 "300 -e kept"
	args=()
	for i in $(seq 100); do args+=(-l "l$i=$i"); done
	ctl create --name labels "${args[@]}" "$IMG" true >/dev/null
	assert_eq "$(ctl inspect labels | jq '.[0].labels | length')" 100 "100 -l kept"
	mkdir -p "$T/vol"
	args=()
	for i in $(seq 80); do args+=(-v "$T/vol:/m$i:ro"); done
	assert_eq "$(ctl run "${args[@]}" "$IMG" sh -c 'ls -d /m* | wc -l')" 80 "80 -v kept"
	# -e KEY passes the host's value; unset, it is left out, as podman does
	assert_eq "$(HOSTVAR=from-host "$CORRALCTL" --socket "$SOCK" run -e HOSTVAR -e NOTSET_$$ "$IMG" env |
		grep -E "^(HOSTVAR|NOTSET_$$)")" "HOSTVAR=from-host" "-e KEY"
	# --env-file: KEY=VALUE and KEY lines, comments; -e wins
	printf '# a comment\nA=1\n\nB=two words\nHOSTVAR\nC=file\n' >"$T/env"
	assert_eq "$(HOSTVAR=h "$CORRALCTL" --socket "$SOCK" run --env-file "$T/env" -e C=flag "$IMG" env |
		grep -E '^(A|B|C|HOSTVAR)=' | sort | tr '\n' ';')" "A=1;B=two words;C=flag;HOSTVAR=h;" "--env-file"
	usage_error run --env-file "$T/nope" "$IMG" true >/dev/null
}

test_ctl_volume_options() {
	trap cleanup_sv EXIT
	start_sv
	mkdir -p "$T/vol"
	# a typo for ro is refused, and nothing is created
	local err
	err=$(usage_error run -v "$T/vol:/data:r0" "$IMG" touch /data/x)
	assert_contains "$err" "r0" "the error names the option"
	[ ! -e "$T/vol/x" ] || fail "-v :r0 mounted read-write"
	assert_eq "$(ctl ps -aq)" "" "nothing created"
	usage_error run -v "$T/vol:/data:ro,bogus" "$IMG" true >/dev/null
	# (-v /data and -v NAME:/data are volumes now: test_volumes.sh)
	usage_error run -v :/data "$IMG" true >/dev/null
	usage_error run -v "$T/vol:data" "$IMG" true >/dev/null
	# ro is read-only; rw, z and Z are taken (no SELinux here), and combine
	ctl run -v "$T/vol:/data:ro" "$IMG" sh -c 'touch /data/x' >/dev/null 2>&1 && fail ":ro is writable"
	ctl run -v "$T/vol:/data:rw,Z" "$IMG" touch /data/rw >/dev/null || fail ":rw,Z"
	ctl run -v "$T/vol:/data:z" "$IMG" touch /data/z >/dev/null || fail ":z"
	[ -e "$T/vol/rw" ] && [ -e "$T/vol/z" ] || fail "rw mounts did not write"
	# a relative source is the client's working directory's
	(cd "$T" && "$CORRALCTL" --socket "$SOCK" run -v ./vol:/data:ro "$IMG" cat /data/rw) || fail "relative -v"
}

test_ctl_volume_propagation() { # needs branch daemon14: Mount.propagation
	trap cleanup_sv EXIT
	start_sv
	mkdir -p "$T/vol"
	local p
	for p in private rprivate shared rshared slave rslave; do
		ctl run --rm -v "$T/vol:/data:ro,$p" "$IMG" true || fail "-v ...:$p"
	done
	ctl create --name prop -v "$T/vol:/data:rslave" "$IMG" true >/dev/null
	assert_eq "$(ctl inspect prop --format '{{json .Config.Mounts}}' | jq -r '.[0].propagation')" rslave "propagation"
}

test_ctl_logs_keep_their_order_across_streams() {
	trap cleanup_sv EXIT
	start_sv
	# the pauses let the monitor read each line apart, so the log interleaves
	ctl run --name chat "$IMG" sh -c 'for i in 1 2 3 4 5; do echo "out $i"; sleep 0.05; echo "err $i" >&2; sleep 0.05; done' \
		>/dev/null 2>&1
	local want
	want=$(ctl call Logs '{"id":"chat"}' | jq -r '.lines[].line')
	assert_eq "$(echo "$want" | head -2 | tr '\n' ' ')" "out 1 err 1 " "the log interleaves"
	assert_eq "$(ctl logs chat 2>&1 | cat)" "$want" "logs 2>&1 | cat keeps the log's order"
	assert_eq "$(ctl logs chat 2>/dev/null)" "$(for i in 1 2 3 4 5; do echo "out $i"; done)" "stdout alone"
	assert_eq "$(ctl logs chat 2>&1 >/dev/null)" "$(for i in 1 2 3 4 5; do echo "err $i"; done)" "stderr alone"
	# logs --since: a duration or a time (RFC 3339, epoch seconds)
	assert_eq "$(ctl logs --since 10m chat 2>&1 | wc -l)" 10 "--since 10m"
	assert_eq "$(ctl logs --since 0 chat 2>&1 | wc -l)" 10 "--since 0"
	assert_eq "$(ctl logs --since 2099-01-01T00:00:00Z chat 2>&1 | wc -l)" 0 "--since later"
	# --until: up to a time, that line's own included; with --since, between
	assert_eq "$(ctl logs --until 10m chat 2>&1 | wc -l)" 0 "--until 10m"
	assert_eq "$(ctl logs --until 2099-01-01T00:00:00Z chat 2>&1 | wc -l)" 10 "--until later"
	local t2 t3
	t2=$(ctl logs -t chat 2>&1 | awk '$3 == 2 { print $1; exit }')
	t3=$(ctl logs -t chat 2>&1 | awk '$3 == 3 { print $1; exit }')
	assert_eq "$(ctl logs --since "$t2" --until "$t3" chat 2>&1 | tr '\n' ' ')" "out 2 err 2 out 3 " "--since and --until"
	# -f stops at --until; with one already past, at the history's end
	ctl run -d --name ticker "$IMG" sh -c 'while :; do echo tick; sleep 0.2; done' >/dev/null
	local rc=0 out
	out=$(timeout 20 "$CORRALCTL" --socket "$SOCK" logs -f --until "$(($(date +%s) + 2))" ticker) || rc=$?
	assert_eq "$rc" 0 "logs -f --until a time to come ended there"
	assert_contains "$out" tick "what came before it"
	rc=0
	timeout 20 "$CORRALCTL" --socket "$SOCK" logs -f --until 1s ticker >/dev/null || rc=$?
	assert_eq "$rc" 0 "logs -f --until a time past"
	ctl rm -f ticker >/dev/null
}

test_ctl_errors_say_the_true_state() {
	trap cleanup_sv EXIT
	start_sv
	ctl run --name gone "$IMG" true >/dev/null
	local rc=0 err
	err=$(ctl kill gone 2>&1) || rc=$?
	assert_eq "$rc" 125 "kill of a stopped container"
	assert_not_contains "$err" "is running" "kill of a stopped container says the true state"
	assert_contains "$err" "exited" "the state"
	rc=0
	err=$(ctl start nosuch 2>&1) || rc=$?
	assert_eq "$rc" 125 "start nosuch"
	assert_eq "$err" "corralctl: Start: no such container: nosuch" "one line"
}

test_ctl_run_exit_codes_and_rm() {
	trap cleanup_sv EXIT
	start_sv
	local rc=0
	ctl run "$IMG" sh -c 'exit 3' || rc=$?
	assert_eq "$rc" 3 "the container's exit code"
	rc=0
	ctl run --name dup "$IMG" true >/dev/null
	ctl run --name dup "$IMG" true 2>/dev/null || rc=$?
	assert_eq "$rc" 125 "corral's own error"
	rc=0
	ctl run /no/such/image true 2>/dev/null || rc=$?
	assert_eq "$rc" 125 "no such image"
	# a command that is not found, or cannot be invoked: podman's 127 and 126
	rc=0
	ctl run "$IMG" /no/such/command 2>/dev/null || rc=$?
	assert_eq "$rc" 127 "run of a command not found"
	rc=0
	ctl run "$IMG" nosuchcommand 2>/dev/null || rc=$?
	assert_eq "$rc" 127 "run of a command not in PATH"
	rc=0
	ctl run "$IMG" /etc/passwd 2>/dev/null || rc=$?
	assert_eq "$rc" 126 "run of a command that cannot be invoked"
	# exec: the command's, 126 and 127 as podman's
	ctl run -d --name ex "$IMG" sleep 100 >/dev/null
	rc=0
	ctl exec ex sh -c 'exit 5' || rc=$?
	assert_eq "$rc" 5 "exec exit code"
	rc=0
	ctl exec ex /no/such/command 2>/dev/null || rc=$?
	assert_eq "$rc" 127 "exec of a command not found"
	rc=0
	ctl exec ex /etc/passwd 2>/dev/null || rc=$?
	assert_eq "$rc" 126 "exec of a command that cannot be invoked"
	rc=0
	ctl exec nosuch true 2>/dev/null || rc=$?
	assert_eq "$rc" 125 "exec in no container"
	# --rm in the foreground: gone once it has its exit code
	rc=0
	ctl run --rm --name once "$IMG" sh -c 'echo bye; exit 6' >"$T/out" || rc=$?
	assert_eq "$rc" 6 "run --rm keeps the exit code"
	assert_eq "$(cat "$T/out")" bye "and the output"
	assert_eq "$(ctl ps -a --filter name=once -q)" "" "run --rm removed it"
	# never truncated silently: all of it, or a warning and a failure
	rc=0
	ctl exec ex head -c 3000000 /dev/zero 2>"$T/err" | wc -c >"$T/n" || true
	ctl exec ex head -c 3000000 /dev/zero >/dev/null 2>&1 || rc=$?
	if [ "$(cat "$T/n")" != 3000000 ]; then
		[ "$rc" -ne 0 ] || fail "exec output cut with exit code 0"
		assert_contains "$(cat "$T/err")" "cut" "the cut is said"
	fi
}

test_ctl_stats_all_running() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name s1 "$IMG" sleep 100 >/dev/null
	ctl run -d --name s2 "$IMG" sleep 100 >/dev/null
	ctl run --name s3 "$IMG" true >/dev/null
	assert_eq "$(ctl stats --no-stream --format '{{.Name}}' | sort | tr '\n' ' ')" "s1 s2 " "all running"
	assert_eq "$(ctl stats --no-stream s1 --json | jq -r '.[0].pids')" 1 "one named"
	local out
	out=$(ctl stats --no-stream)
	assert_contains "$(echo "$out" | head -1)" "CPU %" "table header"
	assert_eq "$(echo "$out" | wc -l)" 3 "a row a container"
	# streaming: a table every interval until interrupted
	timeout 2.5 "$CORRALCTL" --socket "$SOCK" stats --interval 1s s1 >"$T/stream" || true
	[ "$(grep -c '^ID ' "$T/stream")" -ge 2 ] || fail "stats did not stream: $(cat "$T/stream")"
}

test_ctl_image_table_and_relative_import() {
	trap cleanup_sv EXIT
	start_sv
	"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
	# a relative path is the client's: resolved before corrald sees it
	(cd "$FIXTURES" && "$CORRALCTL" --socket "$SOCK" image import oci:images/oci:test rel:1 >/dev/null) ||
		fail "relative import"
	(cd "$FIXTURES/images" && "$CORRALCTL" --socket "$SOCK" image import ./test.oci.tar rel:2 >/dev/null) ||
		fail "relative bare path"
	local out
	out=$(ctl images)
	assert_eq "$(echo "$out" | head -1 | tr -s ' ')" "REPOSITORY TAG IMAGE ID CREATED SIZE" "header"
	# CREATED is human, as in ps
	assert_contains "$(echo "$out" | grep '^localhost/rel ')" " ago " "human CREATED"
	assert_not_contains "$out" "T0" "no RFC 3339 in the table"
	assert_eq "$(ctl images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" "localhost/rel:1 localhost/rel:2 " "--format"
	assert_eq "$(ctl images -q | sort -u | wc -l)" "$(ctl images --json | jq length)" "-q: an id an image"
	assert_eq "$(ctl image inspect rel:1 --format '{{.ID}}')" "$(ctl images --json | jq -r '.[0].id')" \
		"image inspect --format"
	ctl rmi rel:2 >/dev/null || fail "rmi"
}

# cp's client against a stand-in that speaks iface14's CopyFrom and CopyTo
# (tests/integration/fake_copy_server.py): docker cp's naming rules, - for
# a tar, relative host paths, and a failure that leaves nothing behind.
test_ctl_cp_client_speaks_the_stream_contract() {
	command -v python3 >/dev/null || skip "needs python3 for the stand-in server"
	local root="$T/ctr" srv rc
	mkdir -p "$root/etc" "$root/tmp" "$root/data/d" "$T/src/sub" "$T/out"
	echo ctr >"$root/etc/hostname"
	echo deep >"$root/data/d/f"
	echo one >"$T/src/file"
	echo two >"$T/src/sub/deep"
	echo odd >"$T/src/a&b|c"
	python3 "$ROOTDIR/tests/integration/fake_copy_server.py" "$S/fake.sock" "$root" &
	srv=$!
	# shellcheck disable=SC2064 # the pid now
	trap "kill $srv 2>/dev/null; wait $srv 2>/dev/null || true" EXIT
	wait_for 5 test -S "$S/fake.sock"
	fc() { "$CORRALCTL" --socket "$S/fake.sock" "$@"; }
	# out of the container: into a directory, to a new name, a directory, a tar
	fc cp web:/etc/hostname "$T/out/" || fail "cp web:/etc/hostname out/"
	assert_eq "$(cat "$T/out/hostname")" ctr "into a directory"
	fc cp web:/etc/hostname "$T/out/name2" || fail "to a new name"
	assert_eq "$(cat "$T/out/name2")" ctr "to a new name"
	fc cp web:/data "$T/out/datacopy" || fail "a directory to a new name"
	assert_eq "$(cat "$T/out/datacopy/d/f")" deep "a directory to a new name"
	fc cp web:/data "$T/out" || fail "a directory into a directory"
	assert_eq "$(cat "$T/out/data/d/f")" deep "a directory into a directory"
	(cd "$T/out" && fc cp web:/etc/hostname rel) || fail "a relative host path"
	assert_eq "$(cat "$T/out/rel")" ctr "a relative host path"
	assert_eq "$(fc cp web:/etc/hostname - | tar -xO)" ctr "cp CONTAINER:PATH -"
	rc=0
	fc cp web:/nope "$T/out/x" 2>"$T/err" || rc=$?
	assert_eq "$rc" 125 "a missing path"
	assert_contains "$(cat "$T/err")" "no such file" "the server's reason"
	[ ! -e "$T/out/x" ] || fail "a failed copy left its file"
	if ls -A "$T/out" | grep -q corralctl-cp; then fail "a failed copy left its temporary directory"; fi
	# into the container
	fc cp "$T/src/file" web:/tmp/ || fail "cp file web:/tmp/"
	assert_eq "$(cat "$root/tmp/file")" one "into a directory"
	fc cp "$T/src/file" web:/tmp/renamed || fail "cp file web:/tmp/renamed"
	assert_eq "$(cat "$root/tmp/renamed")" one "to a new name"
	fc cp "$T/src" web:/tmp || fail "cp src web:/tmp"
	assert_eq "$(cat "$root/tmp/src/sub/deep")" two "a directory into a directory"
	fc cp "$T/src/" web:/tmp/srccopy || fail "cp src/ web:/tmp/srccopy"
	assert_eq "$(cat "$root/tmp/srccopy/sub/deep")" two "a directory to a new name"
	(cd "$T" && fc cp ./src/file web:/tmp/rel) || fail "a relative source"
	assert_eq "$(cat "$root/tmp/rel")" one "a relative source"
	fc cp "$T/src/a&b|c" 'web:/tmp/x|y&z\1' || fail "names that tar's --transform must escape"
	assert_eq "$(cat "$root/tmp/x|y&z\1")" odd "an odd name"
	tar -c -C "$T/src" file | fc cp - web:/etc || fail "cp - web:/etc"
	assert_eq "$(cat "$root/etc/file")" one "a tar from stdin"
	rc=0
	fc cp "$T/nope" web:/tmp 2>/dev/null || rc=$?
	assert_eq "$rc" 125 "a missing source"
	usage_error cp a b >/dev/null
	usage_error cp web:/a web:/b >/dev/null
	usage_error cp web: /tmp >/dev/null
}

# The corpus of podman habits (corpus/podman_habits.txt), replayed in order
# against one corrald: each line's stdout (or one-line stderr) and exit code.
test_ctl_podman_corpus() {
	trap cleanup_sv EXIT
	start_sv
	local bin="$T/corpus-bin" cmd="" kind="" want="" code="" out err rc n=0
	mkdir -p "$bin"
	printf '#!/bin/sh\nexec "%s" --socket "%s" "$@"\n' "$CORRALCTL" "$SOCK" >"$bin/corralctl"
	chmod +x "$bin/corralctl"
	replay() {
		n=$((n + 1))
		rc=0
		out=$(cd "$T" && PATH="$bin:$PATH" IMG="$IMG" bash -c "$cmd" 2>"$T/corpus.err") || rc=$?
		err=$(cat "$T/corpus.err")
		assert_eq "$rc" "$code" "exit code of [$cmd] (stderr: $err)"
		case $kind in
		=) assert_eq "$out" "$(printf '%b' "$want")" "stdout of [$cmd]" ;;
		'~') [[ $out =~ $want ]] || fail "stdout of [$cmd] does not match /$want/: $out" ;;
		!)
			assert_eq "$out" "" "stdout of [$cmd]"
			assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "one line on stderr for [$cmd]: $err"
			assert_contains "$err" "$want" "stderr of [$cmd]"
			;;
		esac
	}
	while IFS= read -r line; do
		case $line in
		'$ '*) cmd=${line#\$ } ;;
		'= '* | '~ '* | '! '*) kind=${line%% *} want=${line#? } ;;
		'=') kind='=' want='' ;;
		'? '*) code=${line#? } && replay ;;
		esac
	done <"$ROOTDIR/tests/integration/corpus/podman_habits.txt"
	[ "$n" -ge 30 ] || fail "the corpus ran $n entries"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_ctl_${CTL_ONLY:-}"); do
	run_test "$t"
done
