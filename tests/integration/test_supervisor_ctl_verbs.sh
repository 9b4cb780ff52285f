#!/bin/bash
# corralctl's verbs and run options that corrald's side of issue 14 serves
# (branch daemon14): restart, pause, unpause, top, port, rename, cp, the
# prunes, events --until and --filter, stop that says it killed, run --rm
# detached, --entrypoint, --hostname, --read-only, --tmpfs, --init,
# --privileged, generated names. Each drives the client as users type it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"

test_ctlv_restart_pause_unpause() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	local pid
	pid=$(ctl inspect --format '{{.State.Pid}}' web)
	assert_eq "$(ctl restart -t 1 web)" web "restart prints the name"
	assert_eq "$(status_of web)" running "running again"
	[ "$(ctl inspect --format '{{.State.Pid}}' web)" != "$pid" ] || fail "restart kept the same process"
	assert_eq "$(ctl pause web)" web "pause"
	assert_eq "$(status_of web)" paused "paused"
	assert_contains "$(ctl ps --format '{{.Status}}' --filter name=web)" "(paused)" "ps says paused"
	assert_eq "$(ctl ps -q --filter status=paused)" "$(ctl inspect --format '{{.ID}}' web | cut -c1-12)" "status=paused"
	assert_eq "$(ctl unpause web)" web "unpause"
	assert_eq "$(status_of web)" running "running after unpause"
}

test_ctlv_top_port_rename() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	local out
	out=$(ctl top web)
	assert_eq "$(echo "$out" | head -1 | tr -s ' ')" "PID USER TIME COMMAND" "top's titles"
	assert_contains "$out" "sleep 1000" "top lists the process"
	# it publishes nothing (test_supervisor_network publishes)
	assert_eq "$(ctl port web)" "" "port"
	assert_eq "$(ctl rename web www)" "" "rename prints nothing"
	assert_eq "$(ctl inspect --format '{{.Name}}' www)" www "the new name"
	ctl inspect web >/dev/null 2>&1 && fail "the old name still names it"
	# update, as podman's: the restart policy in place, and limits (the VM
	# tier enforces them: here the runtime says the controller is missing)
	assert_eq "$(ctl update --restart on-failure:2 www)" www "update prints the container"
	assert_eq "$(ctl inspect --format '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' www)" \
		on-failure:2 "the policy kept"
	if has_memory_controller; then
		ctl update --memory 64m --pids-limit 50 www >/dev/null || fail "update --memory --pids-limit"
		assert_eq "$(ctl exec www cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max | tr '\n' ' ')" "67108864 50 " \
			"the limits in force"
	else
		out=$(ctl update --pids-limit 50 www 2>&1) && fail "pids updated without the pids controller"
		assert_contains "$out" "resources" "the refusal names the resources"
	fi
	out=$(ctl update www 2>&1) && fail "an update of nothing succeeded"
	assert_contains "$out" "give resources, a restart policy, or both" "update with nothing to change"
	return 0
}

test_ctlv_cp_both_ways() {
	trap cleanup_sv EXIT
	start_sv
	# an imported image: its overlay root takes what is copied in
	"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
	ctl image import "oci:$FIXTURES/images/oci:test" cp:1 >/dev/null
	ctl run -d --name web cp:1 sleep 1000 >/dev/null
	mkdir -p "$T/src/sub" "$T/out"
	echo one >"$T/src/file"
	echo two >"$T/src/sub/deep"
	# into the container: a file into a directory, a file to a new name, a directory
	ctl cp "$T/src/file" web:/tmp/ || fail "cp file web:/tmp/"
	ctl cp "$T/src/file" web:/tmp/renamed || fail "cp file web:/tmp/renamed"
	(cd "$T" && "$CORRALCTL" --socket "$SOCK" cp ./src web:/tmp) || fail "cp ./src web:/tmp (relative)"
	assert_eq "$(ctl exec web cat /tmp/file /tmp/renamed /tmp/src/sub/deep | tr '\n' ' ')" "one one two " "copied in"
	# a destination that is a link (to a link) to a directory: into where
	# it leads, as docker cp; a link to no directory is replaced by name
	ctl exec web sh -c 'mkdir /tmp/real && ln -s real /tmp/hop && ln -s /tmp/hop /tmp/to-dir && ln -s gone /tmp/to-none'
	ctl cp "$T/src/file" web:/tmp/to-dir || fail "cp file web:/tmp/to-dir"
	ctl cp "$T/src/file" web:/tmp/to-none || fail "cp file web:/tmp/to-none"
	assert_eq "$(ctl exec web sh -c 'cat /tmp/real/file; readlink /tmp/to-dir; cat /tmp/gone')" "one
/tmp/hop
one" "through links into the directory; to a dangling link's target"
	# -L: a SRC that is a link is copied as what it leads to, under its name
	ctl cp -L web:/tmp/to-dir "$T/out/" || fail "cp -L web:/tmp/to-dir out/"
	assert_eq "$(cat "$T/out/to-dir/file")" one "cp -L: the directory the links lead to, named as the link"
	ctl cp -L web:/tmp/hop "$T/out/hop2" || fail "cp -L web:/tmp/hop out/hop2"
	assert_eq "$(cat "$T/out/hop2/file")" one "cp -L to a new name"
	ctl cp web:/tmp/hop "$T/out/" || fail "cp web:/tmp/hop out/"
	assert_eq "$(readlink "$T/out/hop")" real "without -L, a link is copied as a link"
	ln -s "$T/src/file" "$T/host-link"
	ctl cp -L "$T/host-link" web:/tmp/ || fail "cp -L host-link web:/tmp/"
	ctl cp "$T/host-link" web:/tmp/plain-link || fail "cp host-link web:/tmp/plain-link"
	assert_eq "$(ctl exec web sh -c 'cat /tmp/host-link; readlink /tmp/plain-link')" "one
$T/src/file" "cp -L packs what a host link leads to, under its name; cp, the link"
	# no file replaces a directory, as docker cp: what is there is kept
	ctl exec web mkdir -p /tmp/clash/file/kept
	ctl cp "$T/src/file" web:/tmp/clash/ 2>"$T/err" && fail "a file replaced a directory"
	assert_contains "$(cat "$T/err")" "tmp/clash/file: cannot overwrite a directory with a non-directory" "a file onto a directory"
	ctl exec web test -d /tmp/clash/file/kept || fail "the directory went"
	# out of it: a file to a new name, into a directory, a directory, a tar on stdout
	ctl cp web:/tmp/renamed "$T/out/back" || fail "cp web:/tmp/renamed out/back"
	ctl cp web:/etc/passwd "$T/out/" || fail "cp web:/etc/passwd out/"
	(cd "$T/out" && "$CORRALCTL" --socket "$SOCK" cp web:/tmp/src tree) || fail "cp web:/tmp/src tree (relative)"
	assert_eq "$(cat "$T/out/back")" one "file out"
	grep -q '^app:x:1000' "$T/out/passwd" || fail "not the container's /etc/passwd"
	assert_eq "$(cat "$T/out/tree/sub/deep")" two "directory out"
	assert_eq "$(ctl cp web:/tmp/file - | tar -xO)" one "cp CONTAINER:PATH -"
	# a tar on stdin unpacks under the path
	(cd "$T/src" && tar -c file) | ctl cp - web:/root || fail "cp - web:/root"
	assert_eq "$(ctl exec web cat /root/file)" one "from stdin"
	# resolved in the container's root: .. does not leave it (corrald may refuse it outright)
	local rc=0
	ctl cp web:/../../../etc/passwd "$T/out/up" 2>/dev/null || rc=$?
	if [ "$rc" = 0 ]; then
		grep -q '^app:x:1000' "$T/out/up" || fail "a path with .. left the container's root"
	else
		assert_eq "$rc" 125 "a path with .. refused"
	fi
	rc=0
	ctl cp web:/no/such/file "$T/out/x" 2>"$T/err" || rc=$?
	assert_eq "$rc" 125 "a missing path"
	assert_eq "$(cat "$T/err")" "corralctl: cp: /no/such/file: No such file or directory" "one line, the path once"
	[ ! -e "$T/out/x" ] || fail "a failed copy left a file"
	# a large tar into a directory that is not there: corrald ends the
	# stream before all of it is sent, and corralctl still says why
	head -c 16M /dev/urandom >"$T/big"
	rc=0
	tar -C "$T" -c big | ctl cp - web:/no/such/dir 2>"$T/err" || rc=$?
	assert_eq "$rc" 125 "a large copy into a missing directory"
	assert_contains "$(cat "$T/err")" "/no/such/dir: No such file or directory" "why it failed, not a broken stream"
	ls -A "$T/out" | grep -q corralctl-cp && fail "a failed copy left its temporary directory"
	# modes as podman keeps them, but a setuid file becomes no root's on the host
	ctl exec web sh -c 'mkdir /tmp/st /tmp/sg && chmod 1777 /tmp/st && chmod 2755 /tmp/sg &&
		touch /tmp/su && chmod 4755 /tmp/su' || fail "the modes inside"
	assert_eq "$(ctl cp web:/tmp/st - | tar tvf - | awk '{print $1}')" drwxrwxrwt "a tar on stdout keeps the sticky bit"
	for f in st sg su; do ctl cp "web:/tmp/$f" "$T/out/$f" || fail "cp web:/tmp/$f"; done
	assert_eq "$(stat -c %a "$T/out/st" "$T/out/sg" "$T/out/su" | tr '\n' ' ')" "1777 2755 755 " \
		"sticky and setgid directories kept; root's copy of a setuid file is not setuid"
	usage_error() { local r=0; ctl "$@" >/dev/null 2>&1 || r=$?; assert_eq "$r" 125 "corralctl $*"; }
	usage_error cp "$T/src/file" "$T/out/y"
	usage_error cp web:/a web:/b
}

test_ctlv_prunes() {
	trap cleanup_sv EXIT
	start_sv
	"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
	ctl image import "oci:$FIXTURES/images/oci:test" spare:1 >/dev/null
	ctl run -d --name up "$IMG" sleep 1000 >/dev/null
	ctl run --name down1 "$IMG" true >/dev/null
	ctl run --name down2 "$IMG" true >/dev/null
	local ids
	ids=$(ctl ps -a --filter status=exited --no-trunc -q | sort)
	assert_eq "$(ctl container prune -f | sort)" "$ids" "container prune lists what it removed"
	assert_eq "$(ctl ps -a --format '{{.Names}}')" up "only the running one is left"
	ctl run --name down3 "$IMG" true >/dev/null
	ctl system prune -a >"$T/sys"
	assert_contains "$(cat "$T/sys")" "Deleted containers:" "system prune"
	assert_eq "$(ctl ps -a --format '{{.Names}}')" up "system prune removed the stopped one"
	assert_eq "$(ctl images --format '{{.Name}}')" "" "and the unused image"
	assert_eq "$(ctl --json system prune | jq -r 'keys | join(" ")')" "containers images reclaimedBytes" "--json"
}

test_ctlv_events_until_and_filters() {
	trap cleanup_sv EXIT
	start_sv
	ctl run --name ev1 "$IMG" true >/dev/null
	ctl run --name ev2 "$IMG" true >/dev/null
	sleep 1.5 # --until 1s: a second ago, after both
	# --until ends the stream: it returns by itself
	timeout 10 "$CORRALCTL" --socket "$SOCK" events --since 1m --until 1s --json >"$T/ev" ||
		fail "events --until did not end"
	[ "$(jq -s 'map(select(.action == "start")) | length' "$T/ev")" -ge 2 ] || fail "no start events: $(cat "$T/ev")"
	timeout 10 "$CORRALCTL" --socket "$SOCK" events --since 1m --until 1s --filter event=start \
		--filter container=ev2 --format '{{.Action}} {{.Name}}' >"$T/ev2" || fail "filtered events did not end"
	assert_eq "$(cat "$T/ev2")" "start ev2" "--filter event= container="
}

test_ctlv_stop_says_it_killed() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name stubborn "$IMG" sh -c 'trap "" TERM; echo ready; while :; do sleep 1; done' >/dev/null
	wait_for 5 sh -c "'$CORRALCTL' --socket '$SOCK' logs stubborn | grep -q ready"
	ctl stop -t 1 stubborn >"$T/out" 2>"$T/err"
	assert_eq "$(cat "$T/out")" stubborn "stop prints the name"
	assert_contains "$(cat "$T/err")" "SIGKILL" "stop says it had to kill"
	ctl run -d --name gentle "$IMG" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	wait_for 10 catches "$(ctl inspect --format '{{.State.Pid}}' gentle)" 15
	ctl stop gentle 2>"$T/err2" >/dev/null
	assert_eq "$(cat "$T/err2")" "" "a container that stops says nothing"
}

test_ctlv_run_options_reach_the_container() {
	trap cleanup_sv EXIT
	start_sv
	assert_eq "$(ctl run --rm --hostname box "$IMG" hostname)" box "--hostname"
	assert_eq "$(ctl run --rm --name named "$IMG" hostname)" named "the hostname is the name by default"
	ctl run --rm --read-only "$IMG" touch /x 2>/dev/null && fail "--read-only root is writable"
	assert_eq "$(ctl run --rm --read-only "$IMG" sh -c 'touch /tmp/x /run/x /var/tmp/x && echo scratch')" scratch \
		"--read-only: /tmp, /run and /var/tmp are tmpfs, as podman's"
	assert_eq "$(ctl run --rm --read-only --tmpfs /scratch "$IMG" sh -c 'touch /scratch/x && echo ok')" ok \
		"--tmpfs is writable on a read-only root"
	assert_contains "$(ctl run --rm --tmpfs /scratch:size=1m "$IMG" grep ' /scratch ' /proc/mounts)" tmpfs "--tmpfs"
	# every capability corrald itself holds (a confined corrald cannot give more)
	assert_eq "$(ctl run --rm --privileged "$IMG" grep CapEff /proc/self/status | awk '{print $2}')" \
		"$(awk '/^CapBnd:/ {print $2}' /proc/"$CORRALD_PID"/status)" "--privileged"
	# --entrypoint replaces the image's: a word, a JSON array, or "" to clear it
	assert_eq "$(ctl run --rm --entrypoint echo "$IMG" hello)" hello "--entrypoint echo"
	assert_eq "$(ctl run --rm --entrypoint '["sh","-c"]' "$IMG" 'echo from-sh')" from-sh "--entrypoint JSON"
	assert_eq "$(ctl run --rm --entrypoint "" "$IMG" echo cleared)" cleared '--entrypoint ""'
	# -d --rm: corrald removes it once it has stopped
	ctl run -d --rm --name gone "$IMG" true >/dev/null
	wait_for 10 sh -c "! '$CORRALCTL' --socket '$SOCK' inspect gone >/dev/null 2>&1"
	# generated names are readable: adjective_noun
	local id
	id=$(ctl create "$IMG" true)
	ctl inspect --format '{{.Name}}' "$id" | grep -qE '^[a-z]+_[a-z]+[0-9]*$' ||
		fail "generated name: $(ctl inspect --format '{{.Name}}' "$id")"
}

test_ctlv_init() {
	command -v catatonit >/dev/null || command -v tini >/dev/null || [ -x /usr/libexec/podman/catatonit ] ||
		skip "--init needs catatonit or tini on the host (Debian packages catatonit, tini)"
	trap cleanup_sv EXIT
	start_sv
	# pid 1 is the init; the command is its child
	assert_contains "$(ctl run --rm --init "$IMG" cat /proc/1/cmdline | tr '\0' ' ')" "/run/corral-init" "--init"
	assert_eq "$(ctl run --rm --init "$IMG" sh -c 'echo $$')" 2 "the command is pid 2"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_ctlv_${CTLV_ONLY:-}"); do
	run_test "$t"
done
