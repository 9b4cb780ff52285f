#!/bin/bash
# A container's network across its restarts and corrald's, and the choices
# corrald makes for networks: a restarted container keeps its address and
# the MAC that goes with it, and answers at once; a CHECK after a corrald
# restart says nothing of what is fine; --network none has lo up; a
# network's subnet is one the host does not route; a DEL that fails, a
# container's or a session's, is tried again; what an ADD cut short by
# corrald's death made (a start's, a connect's, a session's) is DELed by
# the next corrald. Each test runs corrald in a network namespace of its
# own (network_lib.sh).
# time: about 300 s (18 cases); one case (about 35 s) restarts a published service six times and checks its address, MAC and answer after each
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

state_of() { ctl --json inspect "$1" | jq -r ".[0].state.$2"; }
session_leases() { grep -lF "corral-session-$1" "$STATE_D"/networks/ipam/corral/* 2>/dev/null | wc -l; }
# NAME OLD_PID: running again, under another pid
running_anew() { [ "$(state_of "$1" status)" = running ] && [ "$(state_of "$1" pid)" != "$2" ] && [ "$(state_of "$1" pid)" != 0 ]; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# PORT NAME: answered through the published port within 1 s of now (the
# server may still be binding: a refusal is tried again, a silence is not)
answers_within_1s() {
	local t0 t
	t0=$(now_ms)
	while :; do
		[ "$(inns curl -s --max-time 1 "http://127.0.0.1:$1/")" = "hello from $2" ] && break
		t=$(($(now_ms) - t0))
		[ "$t" -lt 1000 ] || fail "no answer on port $1 within 1 s of the restart (${t} ms)"
		sleep 0.02
	done
	echo "answered after $(($(now_ms) - t0)) ms"
}

# 6 restarts of a published service, 3 by the restart policy after its
# process is killed and 3 by corralctl restart: each answers through the
# published port within 1 s of running again, with the address it had and
# the MAC made from it, which Inspect reports as its interface has it.
test_svnr_restarted_service_answers_at_once() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	# a neighbour on the bridge keeps it up: alone, the bridge loses its
	# carrier at each restart, and the host forgets every MAC with it
	ctl run -d --name other "$IMG" sleep 1000 >/dev/null
	web web --restart always -p 18180:80
	wait_for 10 get http://127.0.0.1:18180/
	local ip mac pid i
	ip=$(ctl --json inspect web | jq -r '.[0].networks.corral.ipAddress')
	for i in $(seq 6); do
		pid=$(state_of web pid)
		if [ $((i % 2)) = 1 ]; then
			kill -KILL "$pid"
		else
			ctl restart -t 1 web >/dev/null # httpd, pid 1, ignores TERM: no need to wait out the default 10 s
		fi
		wait_for 10 running_anew web "$pid"
		answers_within_1s 18180 web
		assert_eq "$(ctl --json inspect web | jq -r '.[0].networks.corral.ipAddress')" "$ip" "restart $i: its address"
		mac=$(ctl --json inspect web | jq -r '.[0].networks.corral.macAddress')
		assert_eq "$mac" "$(printf '02:42:%02x:%02x:%02x:%02x' ${ip//./ })" "restart $i: the MAC of its address"
		assert_eq "$(ctl exec web cat /sys/class/net/eth0/address)" "$mac" "restart $i: Inspect's MAC is eth0's"
	done
	assert_eq "$(state_of web restartCount)" 3 "the policy's restarts"
}

# corrald's log from line $1 on
log_since() { tail -n +"$1" "$T/corrald.log"; }
checks_done() { log_since "$1" | grep -q "network: the CHECK of $2 attachments is over"; }
# a corrald stopped (its containers run on) and started again; FROM: the
# log's line from which the new one writes
restart_sv() {
	stop_sv
	FROM=$(($(wc -l <"$T/corrald.log") + 1))
	start_sv_netns --log-level debug
}

# After a corrald restart, the CHECK of IPv4-only published containers says
# nothing (the portmap plugin checks IPv6 rules only where the attachment
# has IPv6); a container whose port's DNAT rules were flushed is still
# reported, and the one beside it is not.
test_svnr_check_says_only_what_broke() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns --log-level debug
	web fine -p 18181:80
	web broken -p 18182:80
	wait_for 10 get http://127.0.0.1:18181/
	wait_for 10 get http://127.0.0.1:18182/
	restart_sv
	wait_for 20 checks_done "$FROM" 2
	assert_not_contains "$(log_since "$FROM")" "network CHECK of" "the CHECK of what is fine"
	assert_not_contains "$(log_since "$FROM")" "error 999" "a plugin's error"
	local id chain
	id=$(ctl --json inspect broken | jq -r '.[0].id')
	chain=$(inns iptables -t nat -S | grep -F "$id" | grep -o 'CNI-DN-[0-9a-f]*' | head -1)
	[ -n "$chain" ] || fail "no DNAT chain of broken's ports: $(inns iptables -t nat -S)"
	inns iptables -t nat -F "$chain"
	restart_sv
	wait_for 20 checks_done "$FROM" 2
	assert_contains "$(log_since "$FROM")" "container broken: network CHECK of eth0: CNI plugin portmap" "broken's CHECK"
	assert_not_contains "$(log_since "$FROM")" "container fine:" "fine's CHECK"
	assert_not_contains "$(log_since "$FROM")" "ipv6" "an IPv6 check"
	assert_eq "$(get http://127.0.0.1:18181/)" "hello from fine" "fine still answers"
}

# --network none is podman's: lo up, 127.0.0.1 on it, and a server on it
# reached from the same container; no other interface.
test_svnr_none_has_lo_up() {
	trap cleanup_sv EXIT
	start_sv
	local out
	out=$(ctl run --network none --tmpfs /www "$IMG" sh -c 'cat /sys/class/net/lo/operstate; ip addr show lo;
		ls /sys/class/net; echo hi >/www/i; httpd -p 127.0.0.1:8080 -h /www; wget -q -O - http://127.0.0.1:8080/i')
	printf '%s\n' "$out"
	assert_eq "$(sed -n 1p <<<"$out")" unknown "lo's operstate (up: unknown, as a loopback's is)"
	assert_contains "$out" "inet 127.0.0.1/8" "lo's address"
	assert_contains "$out" "LOOPBACK,UP" "lo's flags"
	assert_eq "$(grep -cvE '^(lo|hi|unknown|\s.*|[0-9]+: lo:.*)$' <<<"$out")" 0 "interfaces other than lo"
	assert_eq "$(tail -1 <<<"$out")" hi "a connection to 127.0.0.1"
}

net_of() { ctl network inspect "$1" | jq -r .subnet; }
ip_of() { ctl --json inspect "$1" | jq -r ".[0].networks.$2.ipAddress"; }

# Networks made with no subnet given take none that the host routes or has
# an interface in: here an interface holds 10.88.0.0/16 (the default's
# first choice), and routes cover 10.90.0.0/16 (its second) and
# 10.89.0.0/24 (a created network's first). Inspect says which; containers
# get addresses in it; the choice stays once the host's routes go.
test_svnr_subnets_avoid_the_hosts_routes() {
	trap cleanup_sv EXIT
	need_cni
	: >"$T/netns"
	unshare --net="$T/netns" true
	inns ip link set lo up
	inns ip link add plant0 type veth peer name plant1
	inns ip addr add 10.88.7.1/16 dev plant0
	inns ip link set plant0 up
	inns ip route add 10.90.0.0/16 dev plant0
	inns ip route add 10.89.0.0/24 dev plant0
	start_sv_netns
	ctl run -d --name a "$IMG" sleep 100 >/dev/null
	assert_eq "$(net_of corral)" 10.91.0.0/16 "the default network's subnet"
	assert_contains "$(ip_of a corral)" 10.91. "a's address"
	assert_eq "$(ctl network create front)" front "create front"
	assert_eq "$(net_of front)" 10.89.1.0/24 "front's subnet"
	ctl run -d --name b --network front "$IMG" sleep 100 >/dev/null
	assert_contains "$(ip_of b front)" 10.89.1. "b's address"
	assert_contains "$(inns ip route)" "10.91.0.0/16 dev corral0" "the default's route"
	inns ip link del plant0
	assert_eq "$(net_of corral)" 10.91.0.0/16 "the default network, once the host's routes are gone"
	assert_eq "$(net_of front)" 10.89.1.0/24 "front, once the host's routes are gone"
	assert_eq "$(ctl network create back)" back "create back"
	assert_eq "$(net_of back)" 10.89.0.0/24 "back: 10.89.0.0/24 is free now"
}

# corrald stopped while a container's CNI ADD runs (each plugin here
# waits 4 s first): the plugin is killed, its owner hears so, corrald exits
# cleanly (not a use of the freed run: a segfault under a loaded VM), and
# the next corrald finds the half-made container ended, which rm takes away
# with nothing left.
test_svnr_stop_during_an_add_exits_cleanly() {
	trap cleanup_sv EXIT
	need_cni
	wrap_cni '[ "$CNI_COMMAND" = ADD ] && sleep 4'
	start_sv_netns
	ctl run -d --name slow "$IMG" sleep 1000 >"$T/run.out" 2>&1 &
	local run=$!
	wait_for 10 pgrep -f "^/bin/sh $T/cni/"
	kill -TERM "$CORRALD_PID"
	local rc=0
	wait "$CORRALD_PID" || rc=$?
	assert_eq "$rc" 0 "corrald's exit status"
	wait "$run" || true
	assert_contains "$(cat "$T/corrald.log")" "cut short by corrald's exit" "what corrald says of the cut ADD"
	! grep -q "Segmentation\|AddressSanitizer" "$T/corrald.log" || fail "$(grep -A5 'Segmentation\|AddressSanitizer' "$T/corrald.log")"
	echo "cni-path = $CNI" >"$T/corrald.conf"
	start_sv_netns
	wait_for 10 sh -c "[ \"\$('$CORRALCTL' --socket '$SOCK' --json ps -a | jq -r '.[0].state.status')\" != running ]"
	ctl rm -f slow >/dev/null
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/netns' 2>/dev/null)\" ]" || fail "a pin is left: $(ls "$STATE_D/networks/netns")"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 0 "no veth left"
}

# rm -f while a start is in flight (its CNI ADD held here until released):
# the removal waits for the start's report, then kills the container and
# removes it; Remove answers once it is gone, and nothing of it is left.
# (A restart by the policy or a health check is in flight the same way.)
test_svnr_forced_rm_during_a_start_removes_it() {
	trap cleanup_sv EXIT
	need_cni
	wrap_cni 'if [ "$CNI_COMMAND" = ADD ]; then while [ ! -e %s ]; do sleep 0.05; done; fi' "$T/go"
	start_sv_netns
	ctl run -d --name held "$IMG" sleep 1000 >"$T/run.out" 2>&1 &
	local run=$!
	wait_for 10 pgrep -f "^/bin/sh $T/cni/"
	assert_contains "$(ctl rm held 2>&1)" "it is starting" "rm without force while it starts"
	ctl rm -f held >"$T/rm.out" 2>&1 &
	local rm=$!
	wait_for 10 sh -c "[ \"\$('$CORRALCTL' --socket '$SOCK' --json inspect held | jq -r '.[0].state.status')\" = removing ]"
	touch "$T/go"
	wait "$rm" || fail "rm -f during the start: $(cat "$T/rm.out")"
	wait "$run" || true
	assert_eq "$(ctl --json ps -a | jq length)" 0 "ps -a after the rm"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/netns' 2>/dev/null)\" ]" || fail "a pin is left: $(ls "$STATE_D/networks/netns")"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 0 "no veth left"
	# this case's own (another lane's containers may sleep too)
	local left=0
	for p in $(pgrep -f 'sleep 1000'); do grep -qs "$TID" "/proc/$p/cgroup" && left=$((left + 1)); done
	assert_eq "$left" 0 "no process of the container left"
}

# the same, with the start failing (its ADD fails once released) and the
# container's directory unable to go (immutable): the removal that
# follows the start's report fails, and the waiting rm -f is told why
# rather than left to wait for ever; it goes once its directory can.
test_svnr_a_forced_rm_during_a_failed_start_that_cannot_remove() {
	trap 'chattr -i "${dir:-/nonexistent}" 2>/dev/null || true; cleanup_sv' EXIT
	need_cni
	wrap_cni 'if [ "$CNI_COMMAND" = ADD ]; then while [ ! -e %s ]; do sleep 0.05; done; exit 1; fi' "$T/go"
	start_sv_netns
	ctl create --name held "$IMG" sleep 1000 >/dev/null
	dir="$STATE_D/containers/$(ctl --json inspect held | jq -r '.[0].id')"
	ctl start held >"$T/start.out" 2>&1 &
	local start=$!
	wait_for 10 pgrep -f "^/bin/sh $T/cni/"
	timeout 60 "$CORRALCTL" --socket "$SOCK" rm -f held >"$T/rm.out" 2>&1 &
	local rm=$!
	wait_for 10 sh -c "[ \"\$('$CORRALCTL' --socket '$SOCK' --json inspect held | jq -r '.[0].state.status')\" = removing ]"
	chattr +i "$dir" || fail "chattr +i on the container's directory ($(stat -f -c %T "$dir"))"
	touch "$T/go"
	wait "$start" && fail "the start succeeded with its ADD failed"
	wait "$rm" && fail "rm -f succeeded with its directory immutable"
	assert_contains "$(cat "$T/rm.out")" "Operation not permitted" "what the rm says"
	assert_eq "$(state_of held status)" created "the container after the failed rm"
	chattr -i "$dir"
	ctl rm -f held >/dev/null
	assert_eq "$(ctl --json ps -a | jq length)" 0 "ps -a once its directory can go"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/netns' 2>/dev/null)\" ]" || fail "a pin is left: $(ls "$STATE_D/networks/netns")"
}

# a CNI plugin killed in a container's DEL (here tuning, the chain's last
# and so the DEL's first, kills itself the first time): corrald keeps the
# DEL and runs it again after a backoff, while it runs on (not only at its
# next start): the pin, the veth and the lease go. (The soak found it:
# seed 11 with --fault-kinds kill_cni.)
test_svnr_a_killed_del_is_run_again() {
	trap cleanup_sv EXIT
	need_cni
	wrap_cni "$KILL_DEL" tuning "$T/killed"
	start_sv_netns
	ctl run -d --name net "$IMG" sleep 1000 >/dev/null
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "its veth"
	ctl rm -f net >/dev/null
	# the DEL runs on after the removal's answer
	wait_for 10 test -d "$T/killed" || fail "the DEL's plugin was not killed"
	wait_for 10 grep -q "DEL: CNI plugin tuning: exit 137.*tried again in a while" "$T/corrald.log" ||
		fail "corrald did not say the DEL failed: $(tail -3 "$T/corrald.log")"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/netns' 2>/dev/null)\" ]" || fail "a pin is left: $(ls "$STATE_D/networks/netns")"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 0 "no veth left"
	assert_eq "$(ls -A "$STATE_D/networks/pending" 2>/dev/null)" "" "no DEL left to do"
	assert_contains "$(cat "$T/corrald.log")" "is run again" "what corrald says of the second DEL"
	kill -0 "$CORRALD_PID" || fail "corrald did not run on"
}

# a container started again while the DEL of its last attachment waits to
# be tried again (a plugin killed in it, here tuning, the first time): the
# start runs that DEL first and its ADD after, so the later try cannot
# take the new attachment's pin, veth or lease. (The soak found it: seed 1
# on the VM tier, a kill_cni in a stop; the retry's DEL, a second later,
# took the restarted container's network and left its pin bare.)
test_svnr_a_start_runs_the_waiting_del_first() {
	trap cleanup_sv EXIT
	need_cni
	wrap_cni "$KILL_DEL"'\nif [ "$CNI_COMMAND" = ADD ] && [ -e %s ]; then while [ ! -e %s ]; do sleep 0.05; done; fi' \
		tuning "$T/killed" "$T/hold" "$T/go"
	start_sv_netns
	ctl run -d --name net "$IMG" sleep 1000 >/dev/null
	ctl stop -t 0 net >/dev/null 2>&1
	wait_for 10 grep -q "DEL: CNI plugin tuning: exit 137.*tried again in a while" "$T/corrald.log" ||
		fail "corrald did not say the DEL failed: $(tail -3 "$T/corrald.log")"
	# the start's ADD held past the moment the DEL is tried again (1 s)
	touch "$T/hold"
	ctl start net >"$T/start.out" 2>&1 &
	local start=$!
	wait_for 10 pgrep -f "^/bin/sh $T/cni/"
	wait_for 10 grep -q "is run again" "$T/corrald.log" || fail "the waiting DEL was not run: $(tail -3 "$T/corrald.log")"
	touch "$T/go"
	wait "$start" || fail "start: $(cat "$T/start.out")"
	assert_eq "$(state_of net status)" running "its status"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "a DEL is left to do"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "its veth"
	assert_eq "$(ls "$STATE_D/networks/netns" | wc -l)" 1 "its pin"
	local ip
	ip=$(ip_of net corral)
	inns busybox ping -c1 -W2 "$ip" >/dev/null || fail "its address $ip does not answer"
}

# the waiting DEL fails again when a start runs it (tuning killed in the
# first two DELs): the start fails saying so, and the DEL is tried again
# later as before; once it is done, the container starts on its network.
test_svnr_a_start_fails_when_the_waiting_del_fails() {
	trap cleanup_sv EXIT
	need_cni
	wrap_cni "$KILL_DEL\n$KILL_DEL" tuning "$T/killed1" tuning "$T/killed2"
	start_sv_netns
	ctl run -d --name net "$IMG" sleep 1000 >/dev/null
	ctl stop -t 0 net >/dev/null 2>&1
	wait_for 10 grep -q "DEL: CNI plugin tuning: exit 137.*tried again in a while" "$T/corrald.log" ||
		fail "the stop's DEL did not fail: $(tail -3 "$T/corrald.log")"
	local out
	out=$(ctl start net 2>&1) && fail "the start ran with its last DEL failed: $out"
	test -d "$T/killed2" || fail "the start did not run the waiting DEL: $out"
	assert_contains "$out" "network corral: its last attachment's DEL: CNI plugin tuning" "what the start says"
	[ "$(state_of net status)" != running ] || fail "it runs with its start failed"
	wait_for 20 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "the DEL was not tried again"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 0 "no veth while it is stopped"
	ctl start net >/dev/null
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "its veth once started"
	inns busybox ping -c1 -W2 "$(ip_of net corral)" >/dev/null || fail "its address does not answer"
}

# a waiting DEL's record that does not parse (cut short on a disk that
# failed) can never be run: a start drops it, saying so, and goes on.
test_svnr_an_unreadable_waiting_del_is_dropped() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name net "$IMG" sleep 1000 >/dev/null
	ctl stop -t 0 net >/dev/null 2>&1
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "the stop's DEL is left"
	local id
	id=$(ctl --json inspect net | jq -r '.[0].id')
	printf '{"config":' >"$STATE_D/networks/pending/$id.json"
	ctl start net >/dev/null || fail "the start did not run past the unreadable record"
	assert_contains "$(cat "$T/corrald.log")" "the DEL of $id cannot be run; its record is dropped" "what corrald says"
	[ ! -e "$STATE_D/networks/pending/$id.json" ] || fail "the unreadable record is left"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "its veth"
}

# a pin left a plain file (corrald killed between unmounting a pin and
# removing it, or between making the file and binding the namespace on
# it): the DEL runs without the namespace, as for a pin a crash took, and
# the file goes. The bridge plugin fails on a path that is no namespace
# ("unknown FS magic"), and the DEL was tried again for ever. (The soak
# found it: seed 303, after a full disk and corrald killed.)
test_svnr_an_unbound_pin_is_deleted_once() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name net "$IMG" sleep 1000 >/dev/null
	local pin
	pin="$STATE_D/networks/netns/$(ctl --json inspect net | jq -r '.[0].id')"
	stop_sv
	umount "$pin"
	[ -f "$pin" ] && ! mountpoint -q "$pin" || fail "the pin is not a plain file now"
	FROM=$(($(wc -l <"$T/corrald.log") + 1))
	start_sv_netns
	ctl rm -f net >/dev/null
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending')\" ]" ||
		fail "a DEL is left to do: $(tail -3 "$T/corrald.log")"
	[ ! -e "$pin" ] || fail "the pin is left"
	wait_for 10 sh -c "[ -z \"\$(nsenter --net='$T/netns' ip -o link show type veth)\" ]" || fail "a veth is left"
	assert_not_contains "$(log_since "$FROM")" "tried again" "what corrald says of the DEL"
}

# A session's (a pod's) DEL that fails (bridge killed in it: the chain's
# other plugins run, and its veth and lease stay) is tried again after a
# backoff, as a container's: the lease goes, and eth0 from the namespace a
# stopped session keeps. (Its DEL was run once, and what it left stayed
# until corrald's next start.) The name has a dot: a waiting record's name
# is read back from its last one.
test_svnr_a_sessions_killed_del_is_run_again() {
	trap cleanup_sessions EXIT
	need_cni
	wrap_cni "$KILL_DEL" bridge "$T/killed"
	start_sv_netns
	ctl session create -p 18097:80 pod.1 >/dev/null
	local ns="$STATE_D/sessions/pod.1/ns/net"
	nsenter --net="$ns" ip -o link show eth0 >/dev/null || fail "no eth0 in the session's namespace"
	assert_eq "$(session_leases pod.1)" 1 "its lease"
	inns iptables-save | grep -q -- "--dport 18097" || fail "no rule for its port"
	"$CORRALCTL" --socket "$SOCK" call io.corral.Supervisor.SessionStop '{"name": "pod.1"}' >/dev/null
	wait_for 10 grep -q "corral-session-pod.1.eth0.json: DEL: CNI plugin bridge: exit 137.*tried again in a while" "$T/corrald.log" ||
		fail "corrald did not say the DEL failed: $(tail -3 "$T/corrald.log")"
	wait_for 20 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "the DEL was not tried again"
	assert_contains "$(cat "$T/corrald.log")" "the DEL of corral-session-pod.1, not done yet, is run again" "what corrald says"
	assert_eq "$(session_leases pod.1)" 0 "its lease"
	nsenter --net="$ns" ip -o link show eth0 2>/dev/null && fail "eth0 is left in the namespace the session keeps"
	inns iptables-save | grep -q -- "--dport 18097" && fail "its port's rule is left"
	return 0
}

# a session made again by the name of one whose DEL waits to be tried
# again: its ADD runs after that DEL (or after it, under way), which then
# cannot take the new attachment's lease, nor leave the old one.
test_svnr_a_session_made_again_waits_for_its_del() {
	trap cleanup_sessions EXIT
	need_cni
	wrap_cni "$KILL_DEL" bridge "$T/killed"
	start_sv_netns
	ctl session create pod2 >/dev/null
	ctl session rm -f pod2 >/dev/null
	wait_for 10 grep -q "corral-session-pod2.json: DEL: CNI plugin bridge: exit 137.*tried again in a while" "$T/corrald.log" ||
		fail "corrald did not say the DEL failed: $(tail -3 "$T/corrald.log")"
	ctl session create pod2 >/dev/null
	wait_for 20 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "the DEL was not tried again"
	assert_contains "$(cat "$T/corrald.log")" "the DEL of corral-session-pod2, not done yet, is run again" "what corrald says"
	assert_eq "$(session_leases pod2)" 1 "the new session's lease"
	ctl run -d --session pod2 --name m "$IMG" sleep 1000 >/dev/null
	local ip
	ip=$(ctl exec m ip -o -4 addr show eth0 | awk '{print $4}')
	inns busybox ping -c1 -W2 "${ip%/*}" >/dev/null || fail "its address ${ip:-(none)} does not answer"
}

# corrald killed while a session's ADD is half done (its veth made, a
# later plugin held): the plugin ends with it, and the next corrald finds
# the session with no record of its attachment, DELs whatever the cut ADD
# made, and ADDs it again; the session has its network (once, one lease),
# and its removal leaves nothing. (Before, the plugin ran on, an orphan
# that could finish after the next corrald's work; and the second ADD
# failed on the veth the first left, the session on no network, said
# nowhere.)
test_svnr_a_sessions_add_cut_by_corralds_death_is_done_again() {
	trap cleanup_sessions EXIT
	need_cni
	# (exec: the plugin, held, ends with corrald as any plugin does)
	wrap_cni '[ "$CNI_COMMAND" = ADD ] && [ "${0##*/}" = firewall ] && exec sleep 1000'
	start_sv_netns
	"$CORRALCTL" --socket "$SOCK" session create pod.3 >/dev/null 2>&1 &
	local create=$!
	wait_for 20 pgrep -P "$CORRALD_PID" -x sleep || fail "the ADD never reached its firewall plugin"
	local plugin
	plugin=$(pgrep -P "$CORRALD_PID" -x sleep)
	assert_eq "$(session_leases pod.3)" 1 "the cut ADD's lease"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "the cut ADD's veth"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait "$create" 2>/dev/null || true
	wait_for 10 sh -c "! kill -0 $plugin 2>/dev/null" || fail "the plugin outlived corrald: $(ps -o pid,ppid,args -p "$plugin")"
	echo "cni-path = $CNI" >"$T/corrald.conf"
	start_sv_netns
	wait_for 30 test -e "$STATE_D/sessions/pod.3/network.json" || fail "no attachment recorded: $(grep pod.3 "$T/corrald.log")"
	assert_eq "$(session_leases pod.3)" 1 "its lease"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "veths"
	nsenter --net="$STATE_D/sessions/pod.3/ns/net" ip -o -4 addr show eth0 | grep -q inet || fail "no address in the session's namespace"
	assert_not_contains "$(grep pod.3 "$T/corrald.log")" "its network:" "what corrald says of the session"
	ctl session rm pod.3 >/dev/null
	wait_for 10 sh -c "[ \$(grep -lF corral-session-pod.3 '$STATE_D'/networks/ipam/corral/* 2>/dev/null | wc -l) -eq 0 ]" || fail "its lease is left"
	wait_for 10 sh -c "[ -z \"\$(nsenter --net='$T/netns' ip -o link show type veth)\" ]" || fail "a veth is left"
}

# the same for a container: its start's ADD held in its firewall plugin
# (its veth and lease made), corrald SIGKILLed; the plugin ends with it,
# the next corrald finds the container not running, and a start gives it
# its network (one lease, one veth, an address); its removal leaves no
# lease, veth, pin or rule. (Before, the next corrald freed the cut ADD's
# lease and dropped its pin without a DEL: bridge's masquerade rule for
# its address stayed, and the removal's DEL failed on the chain it held.)
test_svnr_a_containers_add_cut_by_corralds_death_leaves_nothing() {
	trap cleanup_sv EXIT
	need_cni
	wrap_cni '[ "$CNI_COMMAND" = ADD ] && [ "${0##*/}" = firewall ] && [ ! -e %s ] && exec sleep 1000' "$T/go"
	start_sv_netns
	ctl run -d --name cut "$IMG" sleep 1000 >"$T/run.out" 2>&1 &
	local run=$! id plugin
	wait_for 20 pgrep -P "$CORRALD_PID" -x sleep || fail "the ADD never reached its firewall plugin"
	plugin=$(pgrep -P "$CORRALD_PID" -x sleep)
	id=$(ctl --json inspect cut | jq -r '.[0].id')
	assert_eq "$(grep -lF "$id" "$STATE_D"/networks/ipam/corral/* 2>/dev/null | wc -l)" 1 "the cut ADD's lease"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "the cut ADD's veth"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait "$run" 2>/dev/null || true
	wait_for 10 sh -c "! kill -0 $plugin 2>/dev/null" || fail "the plugin outlived corrald: $(ps -o pid,ppid,args -p "$plugin")"
	touch "$T/go"
	start_sv_netns
	wait_for 10 sh -c "[ \"\$('$CORRALCTL' --socket '$SOCK' --json inspect cut | jq -r '.[0].state.status')\" != running ]" ||
		fail "the cut container runs: $(ctl --json inspect cut | jq -c '.[0].state')"
	ctl start cut >"$T/start.out" 2>&1 || fail "its start after the cut: $(cat "$T/start.out"; grep -F "$id" "$T/corrald.log" | tail -3)"
	assert_eq "$(grep -lF "$id" "$STATE_D"/networks/ipam/corral/* 2>/dev/null | wc -l)" 1 "its lease"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "veths"
	[ "$(ip_of cut corral)" != null ] || fail "no address: $(ctl --json inspect cut | jq -c '.[0].networks')"
	ctl rm -f cut >/dev/null
	wait_for 10 sh -c "[ \$(grep -lF '$id' '$STATE_D'/networks/ipam/corral/* 2>/dev/null | wc -l) -eq 0 ]" || fail "its lease is left"
	wait_for 10 sh -c "[ -z \"\$(nsenter --net='$T/netns' ip -o link show type veth)\" ]" || fail "a veth is left"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/netns' 2>/dev/null)\" ]" || fail "a pin is left: $(ls "$STATE_D/networks/netns")"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "a DEL is left to do: $(grep DEL "$T/corrald.log")"
	assert_eq "$(rules | grep -c "$id")" 0 "its rules left (bridge's masquerade, by the first ADD's address)"
	assert_not_contains "$(cat "$T/corrald.log")" "DEL: CNI plugin" "a DEL that failed"
	assert_contains "$(cat "$T/corrald.log")" "container cut: the ADD of eth0 (network corral) was cut short by corrald's end" "what corrald says of the cut ADD"
}

# the same for a further network: a running container's connect held in
# eth1's firewall plugin, corrald SIGKILLed; the next corrald DELs what the
# cut ADD made in the container's namespace (eth1's veth, its lease and
# rules on the second network), and the container runs on, on eth0.
test_svnr_a_connects_add_cut_by_corralds_death_leaves_nothing() {
	trap cleanup_sv EXIT
	need_cni
	: >"$T/hold"
	wrap_cni '[ -e %s ] && [ "$CNI_COMMAND" = ADD ] && [ "$CNI_IFNAME" = eth1 ] && [ "${0##*/}" = firewall ] && exec sleep 1000' "$T/hold"
	start_sv_netns
	ctl network create n2 >/dev/null
	ctl run -d --name two "$IMG" sleep 1000 >/dev/null
	local id plugin connect
	id=$(ctl --json inspect two | jq -r '.[0].id')
	ctl network connect n2 two >"$T/connect.out" 2>&1 &
	connect=$!
	wait_for 20 pgrep -P "$CORRALD_PID" -x sleep || fail "the ADD never reached its firewall plugin"
	plugin=$(pgrep -P "$CORRALD_PID" -x sleep)
	assert_eq "$(grep -lF "$id" "$STATE_D"/networks/ipam/n2/* 2>/dev/null | wc -l)" 1 "the cut ADD's lease"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 2 "eth0's veth and the cut ADD's"
	# its address: its lease's name; bridge's masquerade names it
	local ip2
	ip2=$(basename "$(grep -lF "$id" "$STATE_D"/networks/ipam/n2/*)")
	[ "$(rules | grep -cw "$ip2")" -gt 0 ] || fail "the cut ADD made no rule for $ip2: $(rules)"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait "$connect" 2>/dev/null || true
	wait_for 10 sh -c "! kill -0 $plugin 2>/dev/null" || fail "the plugin outlived corrald: $(ps -o pid,ppid,args -p "$plugin")"
	start_sv_netns
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "a DEL is left to do: $(grep DEL "$T/corrald.log")"
	assert_eq "$(grep -lF "$id" "$STATE_D"/networks/ipam/n2/* 2>/dev/null | wc -l)" 0 "the cut ADD's lease"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "veths: eth0's"
	assert_eq "$(rules | grep -cw "$ip2")" 0 "the cut ADD's rules"
	assert_contains "$(cat "$T/corrald.log")" "container two: the ADD of eth1 (network n2) was cut short by corrald's end" "what corrald says of the cut ADD"
	assert_eq "$(state_of two status)" running "the container"
	# the connect failed whole, as one a plugin fails: off the list, and free to be made again
	assert_eq "$(ctl --json inspect two | jq -r '.[0].networks | keys | join(" ")')" corral "its networks"
	assert_contains "$(cat "$T/corrald.log")" "container two: its connect to network n2 was cut short" "what corrald says of the connect"
	rm "$T/hold"
	ctl network connect n2 two || fail "the connect made again failed"
	assert_contains "$(ctl --json inspect two | jq -r '.[0].networks.n2.ipAddress')" . "its address on n2"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 2 "veths: eth0's and eth1's"
	ctl rm -f two >/dev/null
	wait_for 10 sh -c "[ -z \"\$(nsenter --net='$T/netns' ip -o link show type veth)\" ]" || fail "a veth is left"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/netns' 2>/dev/null)\" ]" || fail "a pin is left: $(ls "$STATE_D/networks/netns")"
	assert_eq "$(grep -lF "$id" "$STATE_D"/networks/ipam/*/* 2>/dev/null | wc -l)" 0 "leases left"
	assert_not_contains "$(cat "$T/corrald.log")" "DEL: CNI plugin" "a DEL that failed"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
