#!/bin/bash
# corralctl ps and start as podman 4 has them: PORTS and {{.Ports}} as
# podman groups them, COMMAND as the container runs it (the image's
# ENTRYPOINT and CMD composed in), IMAGE by the image's name though an ID
# prefix was typed, --filter ancestor=, -l, -n, --size; start -a; -p with
# no host port (corrald picks a free one); and errors that name a container
# as the user typed it. The -p cases publish ports: corrald runs in a
# network namespace of the test's own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

# the image's ID, and the entry:1 image (Entrypoint [echo, ENTRY], Cmd [default-arg])
import_entry() {
	ctl image import "oci:$FIXTURES/images/oci:entry" entry:1 >/dev/null
	ctl image import "oci:$FIXTURES/images/oci:test" busybox:demo >/dev/null
	ENTRY_ID=$(ctl --json images | jq -r '.[] | select(.names // [] | index("localhost/entry:1")) | .id')
	ENTRY_ID=${ENTRY_ID#sha256:}
	[ -n "$ENTRY_ID" ] || fail "entry:1 has no ID"
}

# PORTS: each published port with its host side, in podman's order, runs
# of consecutive ports as one range; -p 80 and -p IP::80 get a free host
# port that port, ps and the published service agree on.
test_ps_ports_and_picked_host_ports() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	web w -p 18080:80 -p 18081:81 -p 19000:90/udp -p 127.0.0.1::85 -p 86
	local p86 p85 want
	p86=$(ctl port w 86 | sed -n 's|^86/tcp -> 0.0.0.0:||p')
	p85=$(ctl port w 85 | sed -n 's|^85/tcp -> 127.0.0.1:||p')
	[[ $p86 =~ ^[0-9]+$ ]] && [ "$p86" -ge 1024 ] || fail "-p 86 got no host port: [$(ctl port w)]"
	[[ $p85 =~ ^[0-9]+$ ]] && [ "$p85" -ge 1024 ] || fail "-p 127.0.0.1::85 got no host port: [$(ctl port w)]"
	[ "$p85" != "$p86" ] || fail "two picked ports alike: $p85"
	want="0.0.0.0:18080-18081->80-81/tcp, 0.0.0.0:$p86->86/tcp, 0.0.0.0:19000->90/udp, 127.0.0.1:$p85->85/tcp"
	assert_eq "$(ctl ps --format '{{.Ports}}')" "$want" "{{.Ports}}"
	assert_contains "$(ctl ps)" "$want" "the PORTS column"
	assert_eq "$(ctl --json ps | jq -c '[.[0].ports[] | select(.containerPort == 86) | .hostPort]')" "[$p86]" \
		"the Container's ports"
	# -p 80 alone: the picked port serves, and stays across a stop and start
	web svc -p 80
	local p
	p=$(ctl port svc 80 | sed -n 's|^80/tcp -> 0.0.0.0:||p')
	[[ $p =~ ^[0-9]+$ ]] || fail "-p 80: [$(ctl port svc)]"
	wait_for 10 get "http://127.0.0.1:$p/"
	assert_eq "$(get "http://127.0.0.1:$p/")" "hello from svc" "the picked port serves"
	ctl stop -t 1 svc >/dev/null
	ctl start svc >/dev/null
	assert_eq "$(ctl port svc 80)" "80/tcp -> 0.0.0.0:$p" "the same port after a restart"
	# a corrald restart keeps it (record.json)
	kill -TERM "$CORRALD_PID"
	wait_for 10 sh -c "! kill -0 $CORRALD_PID"
	start_sv_netns
	assert_eq "$(ctl port svc 80)" "80/tcp -> 0.0.0.0:$p" "the same port after corrald restarts"
	# bad input: one line, nothing made
	local out n
	n=$(ctl ps -aq | wc -l)
	out=$(ctl create -p 127.0.0.1::x "$IMG" true 2>&1) && fail "-p 127.0.0.1::x taken"
	assert_eq "$out" 'corralctl: -p 127.0.0.1::x: the container port "x" must be a number from 1 to 65535' "-p IP::x"
	out=$(ctl create -p 192.0.2.1::80 "$IMG" true 2>&1) && fail "an address not of the host taken"
	assert_contains "$out" "spec.ports: a free host port for 80/tcp on 192.0.2.1" "-p with a foreign address"
	assert_eq "$(ctl ps -aq | wc -l)" "$n" "no container left by a refusal"
}

# COMMAND is what runs, the image's ENTRYPOINT and CMD composed in, cut as
# podman cuts it; IMAGE is the image's name, though an ID prefix was typed;
# --filter ancestor= finds containers by name, name:tag, ID or ID prefix.
test_ps_command_image_and_ancestor() {
	trap cleanup_sv EXIT
	start_sv
	import_entry
	ctl create --name byid "${ENTRY_ID:0:4}" >/dev/null
	ctl create --name byname entry:1 sleep 1000 >/dev/null
	ctl create --name other busybox:demo true >/dev/null
	assert_eq "$(ctl ps -a --no-trunc --filter name=byid --format '{{.Image}}|{{.Command}}')" \
		"localhost/entry:1|echo ENTRY default-arg" "the image's ENTRYPOINT and CMD, by an ID prefix"
	assert_eq "$(ctl ps -a --filter name=byid --format '{{.Command}}')" "echo ENTRY defaul..." "cut at 17, as podman"
	assert_eq "$(ctl ps -a --filter name=byname --format '{{.Image}}|{{.Command}}')" "localhost/entry:1|echo ENTRY sleep ..." \
		"a short name's full name"
	# inspect's Image is the image's ID, as podman's and Docker's are; its name is ImageName
	assert_eq "$(ctl inspect --format '{{.ImageName}} {{.image}} {{.Image}}' byid)" \
		"localhost/entry:1 localhost/entry:1 sha256:$ENTRY_ID" "inspect's image"
	assert_eq "$(ctl inspect --format '{{json .Command}}' byid)" '["echo","ENTRY","default-arg"]' "inspect's command"
	assert_contains "$(ctl ps -a)" "localhost/entry:1       echo ENTRY defaul..." "the table"
	local a
	for a in "${ENTRY_ID:0:6}" "$ENTRY_ID" "sha256:$ENTRY_ID" entry:1 localhost/entry:1; do
		assert_eq "$(ctl ps -a --filter "ancestor=$a" --format '{{.Names}}' | sort | tr '\n' ' ')" "byid byname " \
			"ancestor=$a"
	done
	assert_eq "$(ctl ps -a --filter ancestor=busybox:demo --filter ancestor=entry:1 -q | wc -l)" 3 "ancestors widen"
	assert_eq "$(ctl ps -a --filter ancestor=nosuch:1 -q)" "" "no such image: nothing"
	assert_eq "$(ctl ps -a --filter ancestor=entry:1 --filter name=byid --format '{{.Names}}')" "byid" "keys narrow"
	# the command survives corrald
	kill -TERM "$CORRALD_PID"
	wait_for 10 sh -c "! kill -0 $CORRALD_PID"
	start_sv
	assert_eq "$(ctl ps -a --no-trunc --filter name=byid --format '{{.Command}}')" "echo ENTRY default-arg" \
		"after a corrald restart"
	local out
	out=$(ctl ps --filter nope=1 2>&1) && fail "an unknown filter"
	assert_eq "$out" "corralctl: ps: --filter nope=1: must be status=, label=, name=, id= or ancestor=" "unknown filter"
}

# -l and -n look at every container (created and exited too) and keep the
# last created; --size adds the writable layer's bytes and the image's.
test_ps_latest_last_and_size() {
	trap cleanup_sv EXIT
	start_sv
	import_entry
	ctl run --name one busybox:demo true >/dev/null
	ctl create --name two busybox:demo true >/dev/null
	ctl run -d --name three busybox:demo sh -c 'head -c 3000000 /dev/zero >/big; sleep 1000' >/dev/null
	assert_eq "$(ctl ps -l --format '{{.Names}}')" "three" "-l"
	ctl create --name four busybox:demo true >/dev/null
	assert_eq "$(ctl ps --latest --format '{{.Names}}')" "four" "--latest sees a created one"
	assert_eq "$(ctl ps -n 3 --format '{{.Names}}' | sort | tr '\n' ' ')" "four three two " "-n 3"
	assert_eq "$(ctl ps --last 9 -q | wc -l)" 4 "-n past the count"
	wait_for 10 sh -c "[ \$(stat -c %s $STATE_D/containers/\$($CORRALCTL --socket $SOCK ps -q --no-trunc --filter name=three)/upper/big 2>/dev/null || echo 0) = 3000000 ]"
	local isz
	isz=$(ctl images --format '{{.ID}} {{.Size}}' | awk -v id="$(ctl inspect --format '{{.ImageDigest}}' three | cut -c8-19)" '$1 == id {print $2}')
	[ -n "$isz" ] || fail "no size for the image"
	assert_eq "$(ctl ps -s --filter name=three --format '{{.Size}}')" "3MB (virtual $isz)" "--size of a writer"
	assert_eq "$(ctl ps -a --size --filter name=two --format '{{.Size}}')" "0B (virtual $isz)" "--size of a fresh one"
	assert_contains "$(ctl ps --size | head -1)" "NAMES  SIZE" "the SIZE column"
	assert_eq "$(ctl --json ps --size --filter name=three | jq '.[0].sizeRw')" 3000000 "sizeRw"
}

# start -a: the container's stdout and stderr each to ours, and its exit
# code, for a created and an exited container; kill, stop and rm name it as
# typed, in answers and in errors.
test_ps_start_attach_and_typed_names() {
	trap cleanup_sv EXIT
	start_sv
	ctl create --name g "$IMG" sh -c 'echo out; echo err >&2; exit 3' >/dev/null
	local rc=0
	ctl start -a g >"$T/o" 2>"$T/e" || rc=$?
	assert_eq "$rc" 3 "start -a: its exit code"
	assert_eq "$(cat "$T/o")" "out" "its stdout"
	assert_eq "$(cat "$T/e")" "err" "its stderr"
	rc=0
	ctl start --attach g >"$T/o" 2>"$T/e" || rc=$?
	assert_eq "$rc:$(cat "$T/o"):$(cat "$T/e")" "3:out:err" "start -a of an exited one runs it again"
	local out
	out=$(ctl start -a g g 2>&1) && fail "start -a of two"
	assert_eq "$out" "corralctl: start: -a attaches to one container: name one, not 2" "start -a of two"
	ctl create --name late "$IMG" sh -c 'sleep 0.5; echo late; exit 4' >/dev/null
	rc=0
	out=$(ctl start -a late) || rc=$?
	assert_eq "$rc:$out" "4:late" "start -a waits"
	ctl create --name nocmd "$IMG" nosuchcmd >/dev/null
	rc=0
	ctl start -a nocmd 2>/dev/null || rc=$?
	assert_eq "$rc" 127 "start -a of a command not found"
	# typed names: kill of an exited one fails naming it; stop and rm echo it
	out=$(ctl kill g 2>&1) && fail "kill of an exited container"
	assert_eq "$out" "corralctl: Kill: container g is exited: it is not running" "kill g"
	local id
	id=$(ctl inspect --format '{{.Id}}' g)
	out=$(ctl kill "${id:0:8}" 2>&1) && fail "kill of an exited container"
	assert_eq "$out" "corralctl: Kill: container ${id:0:8} is exited: it is not running" "kill by a prefix"
	ctl run -d --name up "$IMG" sleep 1000 >/dev/null
	assert_eq "$(ctl kill up)" "up" "kill echoes"
	assert_eq "$(ctl stop g)" "g" "stop of an exited one echoes"
	assert_eq "$(ctl rm "${id:0:8}")" "${id:0:8}" "rm echoes"
}

# --size walks each writable layer in a child, never in the loop (a
# container may fill its layer with millions of files). Here a walk that
# never ends: a FUSE file system in the layer that holds every GETATTR.
test_ps_sizes_are_walked_off_the_loop() {
	local listing upper
	FUSE_PID=""
	trap '[ -z "$FUSE_PID" ] || kill "$FUSE_PID"; [ -z "${upper:-}" ] || umount -l "$upper/held" 2>/dev/null || true; cleanup_sv' EXIT
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	start_sv
	import_entry
	ctl create --name held busybox:demo true >/dev/null
	upper="$STATE_D/containers/$(ctl ps -aq --no-trunc --filter name=held)/upper"
	mkdir "$upper/held"
	FUSE_HOLD=GETATTR python3 "$(dirname "$0")/fuse_hold.py" "$upper/held" "$T/fuse.log" &
	FUSE_PID=$!
	wait_for 10 grep -q "^INIT" "$T/fuse.log"
	ctl ps -a --size --format '{{.Names}} {{.Size}}' >"$T/ps" 2>&1 &
	listing=$!
	wait_for 10 grep -q "^GETATTR" "$T/fuse.log"
	"$CORRALCTL" --socket "$SOCK" --timeout 5 ps -a >/dev/null || fail "corrald answers no more while a walk waits"
	kill -0 "$listing" 2>/dev/null || fail "the list ended before its walk: $(cat "$T/ps")"
	kill "$FUSE_PID" # the walk fails there, and goes on
	FUSE_PID=""
	wait "$listing" || fail "ps --size: $(cat "$T/ps")"
	assert_contains "$(cat "$T/ps")" "held " "the container, once walked"
	umount -l "$upper/held"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_ps_"); do
	run_test "$t"
done
