#!/bin/bash
# Sessions: members sharing the session's net, ipc and uts namespaces
# (held by corrald under the session's directory, not by a container), its
# key/value state, its idle timeout, and what its removal takes back.
# Tests with a network run corrald in a network namespace of their own
# (network_lib.sh's start_sv_netns): the host's network is never touched.
# time: about 100 s (16 cases), each with a corrald of its own: sessions' shared namespaces, members and idle timeouts
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"
SYSVQ="$B/tests/helpers/sysvq"

member() { # SESSION NAME [run options]
	local s=$1 n=$2
	shift 2
	ctl run -d --session "$s" --name "$n" -v "$SYSVQ:/sysvq:ro" "$@" "$IMG" sleep 1000 >/dev/null
}
ip_of() { ctl exec "$1" ip -o -4 addr show eth0 | awk '{print $4}'; }
ns_mounts() { awk -v d="$STATE_D/sessions/$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort; }
session_gone() { ! ctl session inspect "$1" >/dev/null 2>&1; }

# Two members see one IP, one SysV message queue and one hostname (the
# session's name); a member that restarts keeps them; /etc/hosts names both.
test_svs_members_share_net_ipc_uts() {
	trap cleanup_sessions EXIT
	need_cni
	[ -x "$SYSVQ" ] || fail "no $SYSVQ: make check-integration builds it"
	start_sv_netns
	ctl session create pod1 >/dev/null
	member pod1 a
	member pod1 b
	local ipa ipb
	ipa=$(ip_of a)
	ipb=$(ip_of b)
	assert_contains "$ipa" "10.88." "a's address"
	assert_eq "$ipb" "$ipa" "b's address is a's"
	assert_eq "$(ctl session inspect pod1 | jq -r '.ipAddress')" "${ipa%/*}" "the session's address"
	ctl exec a ip -o link show lo | grep -q "UP" || fail "a's lo is down"
	ctl exec a test -S /run/corral/broker.sock || fail "a has no broker socket"
	ctl exec b test -S /run/corral/broker.sock || fail "b has no broker socket"
	assert_eq "$(ctl exec a hostname)" pod1 "a's hostname"
	assert_eq "$(ctl exec b hostname)" pod1 "b's hostname"
	ctl exec a /sysvq make 0x5e55 >/dev/null || fail "a could not make a queue"
	ctl exec b /sysvq has 0x5e55 >/dev/null || fail "b does not see a's queue"
	assert_contains "$(ctl exec a cat /etc/hosts)" "b" "a's hosts names b"
	assert_contains "$(ctl exec b cat /etc/hosts | grep -w a)" "${ipa%/*}" "b's hosts has a at the session's address"
	# on the session's network, a member gets corrald's resolv.conf, as any networked container
	assert_eq "$(ctl exec a cat /etc/resolv.conf | grep '^nameserver')" \
		"$(grep '^nameserver' /etc/resolv.conf | grep -v -e ' 127\.' -e ' ::1$' | head -3)" "a's nameservers"
	ctl restart -t 1 a >/dev/null
	wait_for 10 is_status a running
	assert_eq "$(ip_of a)" "$ipa" "a's address after its restart"
	assert_eq "$(ctl exec a hostname)" pod1 "a's hostname after its restart"
	ctl exec a /sysvq has 0x5e55 >/dev/null || fail "the queue went with a's restart"
	ctl stop -t 1 a >/dev/null
	ctl exec b /sysvq has 0x5e55 >/dev/null || fail "the queue went with a's stop"
	assert_eq "$(ip_of b)" "$ipa" "b's address once a has stopped"
}

# kill -9 of corrald: the namespaces (and the queue in them), the state and
# the session are there for the next corrald, and a new member joins them.
test_svs_namespaces_and_state_survive_kill9() {
	trap cleanup_sessions EXIT
	need_cni
	[ -x "$SYSVQ" ] || fail "no $SYSVQ: make check-integration builds it"
	start_sv_netns
	ctl session create pod2 --idle-timeout 1h >/dev/null
	member pod2 a
	local ip
	ip=$(ip_of a)
	ctl exec a /sysvq make 0x5e56 >/dev/null
	assert_eq "$(ctl session state set pod2 greeting '{"hello":"world"}')" 1 "the first version"
	local mounts
	mounts=$(ns_mounts pod2)
	assert_eq "$(echo "$mounts" | wc -l)" 3 "net, ipc and uts held"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv_netns
	assert_eq "$(ns_mounts pod2)" "$mounts" "the mounts after kill -9"
	assert_eq "$(ctl session state get pod2 greeting)" '{"hello":"world"}' "the state after kill -9"
	member pod2 late
	assert_eq "$(ip_of late)" "$ip" "a member made after the restart has the address"
	assert_eq "$(ctl exec late hostname)" pod2 "and the hostname"
	ctl exec late /sysvq has 0x5e56 >/dev/null || fail "and the queue"
	assert_contains "$(ctl session inspect pod2)" '"late"' "inspect lists the new member"
}

# A reboot, as corrald sees it: its namespaces are gone (unmounted here,
# with no member to hold them), the lease of the old attachment is still on
# file. The next corrald makes the namespaces again, DELs the old
# attachment and attaches anew: one lease for the session, not two.
test_svs_reboot_reattaches_without_a_leak() {
	trap cleanup_sessions EXIT
	need_cni
	start_sv_netns
	ctl session create pod5 >/dev/null
	wait_for 10 sh -c "[ -e '$STATE_D/sessions/pod5/network.json' ]"
	local leases_of
	leases_of() { grep -l "corral-session-pod5" "$STATE_D"/networks/ipam/corral/* 2>/dev/null | wc -l; }
	assert_eq "$(leases_of)" 1 "the session's lease"
	local rec="$STATE_D/sessions/pod5/network.json" old
	old=$(jq -r '.result.ips[0].address' "$rec")
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	ns_mounts pod5 | xargs -r -n1 umount
	start_sv_netns
	wait_for 10 sh -c "[ \"\$(awk -v d='$STATE_D/sessions/pod5/' 'index(\$5, d) == 1' /proc/self/mountinfo | wc -l)\" = 3 ]"
	# the ADD after the DEL is recorded: host-local gives the next address
	# (an address, not the null of a record written before the ADD is over)
	wait_for 10 sh -c "a=\$(jq -r '.result.ips[0].address // empty' '$rec' 2>/dev/null) && [ -n \"\$a\" ] && [ \"\$a\" != '$old' ]"
	assert_eq "$(leases_of)" 1 "the session's leases after the reboot"
	member pod5 m
	assert_contains "$(ip_of m)" "10.88." "a member's address"
}

# A member's session on the CNI network, beside root's of its name: each
# attachment its own id (corral-session-web, corral-session_4242_web), so
# host-local gives each a lease and frees each by its own. A member's
# session of before (web/, attached as corral-session-web) is moved to its
# name at start and keeps that id; root's new web takes another
# (corral-session_0_web): the member's DEL frees its lease, root's stays.
test_svs_a_members_attachment_beside_roots() {
	trap cleanup_sessions EXIT
	need_cni
	chmod 755 "$T"
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	# host-local's lease: a file by the address, its id on the first line
	lease_of() { grep -lE "^$1"$'\r'"?\$" "$STATE_D"/networks/ipam/corral/* 2>/dev/null; }
	lease() { lease_of "$1" | wc -l; }
	mctl 4242 session create web >/dev/null
	wait_for 10 sh -c "[ -e '$STATE_D/sessions/web@4242/network.json' ]"
	ctl session create web >/dev/null || fail "root's web beside the member's"
	wait_for 10 sh -c "[ -e '$STATE_D/sessions/web/network.json' ]"
	assert_eq "$(lease corral-session_4242_web) $(lease corral-session-web)" "1 1" "a lease each"
	ctl session rm web >/dev/null
	no_lease() { [ "$(lease "$1")" = 0 ]; }
	wait_for 10 no_lease corral-session-web
	wait_for 10 sh -c "[ ! -e '$STATE_D/sessions/web' ]" # its DEL is over
	# as a corrald of before left it: web/, its record without its id
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	local f
	f=$(lease_of corral-session_4242_web)
	sed -i 's/^corral-session_4242_web/corral-session-web/' "$f"
	mv "$STATE_D/sessions/web@4242" "$STATE_D/sessions/web"
	jq 'del(.cniId)' "$STATE_D/sessions/web/session.json" >"$T/s.json" && mv "$T/s.json" "$STATE_D/sessions/web/session.json"
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	mctl 4242 session inspect web >/dev/null || fail "the member's session of before"
	[ -d "$STATE_D/sessions/web@4242" ] || fail "not moved: $(ls "$STATE_D/sessions")"
	assert_eq "$(mctl 4242 session inspect web | jq -r .ipAddress)" "${f##*/}" "its address, kept"
	ctl session create web >/dev/null || fail "root's web, after the move"
	wait_for 10 sh -c "[ -e '$STATE_D/sessions/web/network.json' ]"
	assert_eq "$(lease corral-session_0_web) $(lease corral-session-web)" "1 1" "root's lease beside the member's"
	mctl 4242 session rm web >/dev/null
	wait_for 10 no_lease corral-session-web
	assert_eq "$(lease corral-session_0_web)" 1 "root's lease, after the member's DEL"
	ctl session rm web >/dev/null
}

# The operator's side of the state: set, get, ls, rm, compare-and-set on
# versions (a stale one is refused, saying so), values from stdin.
test_svs_state_cas() {
	trap cleanup_sessions EXIT
	start_sv
	ctl session create st --share ipc,uts >/dev/null
	assert_eq "$(ctl session state set st k '[1,2]')" 1 "set"
	assert_eq "$(ctl session state set --expect 1 st k '[1,2,3]')" 2 "set at version 1"
	local out
	out=$(ctl session state set --expect 1 st k 7 2>&1) && fail "a stale version was taken: $out"
	assert_contains "$out" "corralctl: SessionStateSet: st/k is stale: " "the CAS conflict"
	assert_contains "$out" "2" "the version it is at"
	out=$(ctl session state set --expect 0 st k 7 2>&1) && fail "expect 0 on a key that exists was taken"
	assert_eq "$(ctl session state get st k)" '[1,2,3]' "get"
	assert_eq "$(echo 'plain words' | ctl session state set st words -)" 1 "a value from stdin"
	assert_eq "$(ctl session state get st words)" '"plain words"' "text not JSON is a string"
	assert_contains "$(ctl session state ls st)" "words" "ls"
	ctl session state rm st k >/dev/null
	out=$(ctl session state get st k 2>&1) && fail "a removed key was read"
	out=$(ctl session state get nosuch k 2>&1) && fail "a state of no session was read"
	assert_contains "$out" "nosuch" "the unknown session named"
}

# An idle session (no running member) expires on time: its members go and
# "session expired" is published; a session with a running member does not.
test_svs_idle_timeout() {
	trap cleanup_sessions EXIT
	start_sv
	ctl events --session idle1 >"$T/events" 2>&1 &
	local ev=$!
	ctl session create idle1 --share ipc,uts --idle-timeout 2s --rm-state=false >/dev/null
	ctl session create busy1 --share ipc,uts --idle-timeout 2s >/dev/null
	ctl session create gone1 --share ipc,uts --idle-timeout 2s --rm-state >/dev/null
	ctl session state set idle1 kept 1 >/dev/null
	ctl session state set gone1 dropped 1 >/dev/null
	ctl create --session idle1 --name idle-member "$IMG" true >/dev/null
	member busy1 runner
	sleep 1
	ctl session inspect idle1 >/dev/null || fail "idle1 ended before its timeout"
	wait_for 5 session_gone idle1
	ctl inspect idle-member >/dev/null 2>&1 && fail "the expired session's container is still there"
	[ -f "$STATE_D/sessions/idle1/state.json" ] || fail "the state went with --rm-state=false"
	wait_for 5 session_gone gone1
	# its directory goes through the trash, whose remover yields to others
	# (nice 10): on a busy machine, seconds later
	wait_for 30 sh -c "[ ! -e $STATE_D/sessions/gone1 ]"
	# a session of the same name, of the same owner, finds the state kept
	ctl session create idle1 --share ipc,uts >/dev/null
	assert_eq "$(ctl session state get idle1 kept)" 1 "the kept state, in a new session idle1"
	ctl session rm idle1 >/dev/null
	wait_for 5 grep -q "session expired" "$T/events"
	kill "$ev" 2>/dev/null
	assert_not_contains "$(cat "$T/events")" "busy1" "events --session idle1 shows only idle1's"
	assert_contains "$(cat "$T/events")" "container create" "a member's events carry its session"
	sleep 2
	ctl session inspect busy1 >/dev/null || fail "a session with a running member expired"
	ctl stop -t 1 runner >/dev/null
	wait_for 6 session_gone busy1
	ctl inspect runner >/dev/null 2>&1 && fail "busy1's member outlived its expiry"
	return 0
}

# A name that exists, an unknown session in run, and rm of a session whose
# members run: one clear line each.
test_svs_errors() {
	trap cleanup_sessions EXIT
	start_sv
	ctl session create dup --share ipc >/dev/null
	local out
	out=$(ctl session create dup 2>&1) && fail "a second session dup was made"
	assert_eq "$out" "corralctl: SessionCreate: session dup exists: remove it first, or take another name" \
		"the name that exists"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	out=$(ctl run -d --session nosuch "$IMG" sleep 1 2>&1) && fail "run --session nosuch worked"
	assert_eq "$out" "corralctl: CreateContainer: no such session: nosuch" "the unknown session named"
	member dup m1
	out=$(ctl session rm dup 2>&1) && fail "rm of a session with a running member worked"
	assert_eq "$out" "corralctl: SessionRemove: session dup has running members: m1: stop them first, or force" \
		"the running member named"
	out=$(ctl session create 'bad/name' 2>&1) && fail "a bad name was taken"
	assert_contains "$out" "name" "the bad name"
	ctl session rm -f dup >/dev/null
	wait_for 10 sh -c "! ctl inspect m1" 2>/dev/null || true
	session_gone dup || fail "rm -f left it"
}

# rm takes back everything: the members, the nsfs mounts, the directory,
# the veth, the lease and every rule the attachment made.
test_svs_rm_cleans_up() {
	trap cleanup_sessions EXIT
	need_cni
	start_sv_netns
	# the first attachment makes the bridge and CNI's chains, which stay
	ctl run -d --name warm "$IMG" sleep 100 >/dev/null
	ctl rm -f warm >/dev/null
	wait_for 10 sh -c "[ -z \"\$(ls $STATE_D/networks/netns)\" ]"
	local before leases
	before=$(net_state)
	leases=$(ipam_files)
	ctl session create gone >/dev/null
	member gone m1
	local ip
	ip=$(ip_of m1)
	assert_contains "$(ipam_files)" "${ip%/*}" "its lease"
	[ -n "$(inns ip -o link show type veth)" ] || fail "no veth while it lives"
	ctl session rm -f gone >/dev/null
	wait_for 10 state_is "$before"
	wait_for 10 sh -c "[ ! -e $STATE_D/sessions/gone ]"
	assert_eq "$(ns_mounts gone)" "" "no mount left"
	assert_eq "$(ipam_files)" "$leases" "no lease left"
	ctl inspect m1 >/dev/null 2>&1 && fail "its member is still there"
	return 0
}

# With corrald's default-network none, a session shares a namespace with
# lo alone (up), and no attachment.
test_svs_no_network_lo_only() {
	trap cleanup_sessions EXIT
	start_sv
	ctl session create lonely >/dev/null
	member lonely a
	member lonely b
	assert_eq "$(ctl exec a ip -o link show | awk -F': ' '{print $2}')" lo "a has lo alone"
	ctl exec a ip -o link show lo | grep -q "UP" || fail "lo is down"
	[ ! -e "$STATE_D/sessions/lonely/network.json" ] || fail "an attachment was made"
	ctl exec -d a nc -l -p 7000 -e echo hi >/dev/null
	local got="" i
	for i in $(seq 40); do
		got=$(ctl exec b sh -c 'echo | nc 127.0.0.1 7000' 2>/dev/null) && [ -n "$got" ] && break
		sleep 0.1
	done
	assert_eq "$got" hi "b reaches a on 127.0.0.1"
}

# --broker-policy: corrald keeps a copy (the file may go, and a restart
# still has it); a file that is no policy is refused naming the parameter.
test_svs_broker_policy_kept() {
	trap cleanup_sessions EXIT
	start_sv
	echo '{"members":[{"name":"*","publish":["a/*"],"subscribe":["a/*"]}]}' >"$T/policy.json"
	ctl session create pol --share uts --broker-policy "$T/policy.json" >/dev/null
	cmp -s "$T/policy.json" "$STATE_D/sessions/pol/broker-policy.json" || fail "no copy of the policy"
	rm "$T/policy.json"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv
	ctl session inspect pol >/dev/null || fail "the session did not load without the original file"
	echo '{"members": 7}' >"$T/bad.json"
	local out
	out=$(ctl session create bad --broker-policy "$T/bad.json" 2>&1) && fail "a bad policy was taken"
	assert_contains "$out" "brokerPolicy" "the parameter named"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	[ ! -e "$STATE_D/sessions/bad" ] || fail "a refused session left its directory"
}

# A member of the access group sees, uses and removes only the sessions it
# made; it may not hand corrald a policy file to read.
# A session's state is its owner's: one ended (removed or expired) takes
# its state with it, and a state kept with --rm-state=false is given back
# only to its owner's next session of that name. Another member's or
# root's session of that name neither reads it nor finds state planted in
# it.
test_svs_state_is_not_given_to_another_owners_session() {
	trap cleanup_sessions EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --group "$g"
	local a=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	local b=(setpriv --reuid 4242 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	local out
	# expiry takes the state by default: b reads nothing of a's
	"${a[@]}" session create exp --share uts --idle-timeout 1s >/dev/null
	"${a[@]}" session state set exp tok '"a-secret"' >/dev/null
	wait_for 6 session_gone exp@65534
	wait_for 5 sh -c "[ ! -e $STATE_D/sessions/exp@65534 ]"
	"${b[@]}" session create exp --share uts >/dev/null
	out=$("${b[@]}" session state get exp tok 2>&1) && fail "b read a's expired session's state: $out"
	assert_not_contains "$out" "a-secret" "a's value"
	"${b[@]}" session rm exp >/dev/null
	# a state b planted and kept is not found by root's session, nor a's
	"${b[@]}" session create plant --share uts --idle-timeout 1s --rm-state=false >/dev/null
	"${b[@]}" session state set plant admin true >/dev/null
	wait_for 6 session_gone plant@4242
	wait_for 5 sh -c "[ -f $STATE_D/sessions/plant@4242/state.json ]"
	ctl session create plant --share uts >/dev/null
	assert_eq "$(ctl --json session state ls plant | jq length)" 0 "root's new session starts empty"
	ctl session rm plant >/dev/null
	[ -e "$STATE_D/sessions/plant@4242/kept.json" ] || fail "b's kept state went with root's session of its name"
	# a member's kept state of before (plant/) is moved to its name at start
	stop_sv
	mv "$STATE_D/sessions/plant@4242" "$STATE_D/sessions/plant"
	# a record whose attachment id is past its bound is refused, not cut
	mkdir "$STATE_D/sessions/bad@4242"
	jq -n --arg id "corral-session_4242_$(head -c 100 /dev/zero | tr '\0' x)" \
		'{name: "bad", share: "uts", owner: 4242, created: "2026-01-01T00:00:00Z", cniId: $id}' \
		>"$STATE_D/sessions/bad@4242/session.json"
	start_sv --group "$g"
	assert_contains "$(cat "$T/corrald.log")" "session.json: cniId: longer than" "the refused record"
	out=$("${b[@]}" session inspect bad 2>&1) && fail "a session of a record past its bound was loaded: $out"
	[ -e "$STATE_D/sessions/plant@4242/kept.json" ] && [ ! -e "$STATE_D/sessions/plant" ] ||
		fail "b's kept state of before, not moved: $(ls "$STATE_D/sessions")"
	"${b[@]}" session create plant --share uts >/dev/null
	assert_eq "$("${b[@]}" session state get plant admin)" true "b's next plant finds its kept state"
	"${b[@]}" session rm plant >/dev/null
	"${b[@]}" session create plant2 --share uts --rm-state=false >/dev/null
	"${b[@]}" session state set plant2 admin true >/dev/null
	"${b[@]}" session rm plant2 >/dev/null
	"${a[@]}" session create plant2 --share uts >/dev/null
	out=$("${a[@]}" session state get plant2 admin 2>&1) && fail "a's session found b's planted state: $out"
	"${a[@]}" session rm plant2 >/dev/null
	# removed: the state goes (the default), or stays for its owner alone
	"${a[@]}" session create rm1 --share uts >/dev/null
	"${a[@]}" session state set rm1 k 1 >/dev/null
	"${a[@]}" session rm rm1 >/dev/null
	[ -e "$STATE_D/sessions/rm1@65534" ] && fail "a removed session's state was kept"
	"${a[@]}" session create mine --share uts --rm-state=false >/dev/null
	"${a[@]}" session state set mine k '"kept"' >/dev/null
	"${a[@]}" session rm mine >/dev/null
	"${a[@]}" session create mine --share uts >/dev/null
	assert_eq "$("${a[@]}" session state get mine k)" '"kept"' "its owner's next session finds its kept state"
	"${a[@]}" session rm mine >/dev/null
}

test_svs_group_member_sees_its_own() {
	trap cleanup_sessions EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --group "$g"
	local member=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	ctl session create roots --share uts >/dev/null
	"${member[@]}" session create mine --share uts >/dev/null || fail "a member could not create a session"
	assert_eq "$("${member[@]}" --json session ls | jq -r '.[].name')" mine "a member lists its own only"
	assert_eq "$(ctl --json session ls | jq -r '.[].name' | sort | tr '\n' ' ')" "mine@65534 roots " "root lists all"
	local out
	out=$("${member[@]}" session inspect roots 2>&1) && fail "a member inspected root's session"
	assert_contains "$out" "roots" "no such session, to a member"
	out=$("${member[@]}" session state set roots k 1 2>&1) && fail "a member wrote root's session state"
	out=$("${member[@]}" run -d --session roots "$IMG" sleep 1 2>&1) && fail "a member joined root's session"
	out=$("${member[@]}" session rm roots 2>&1) && fail "a member removed root's session"
	echo '{"members":[]}' >"$T/p.json"
	chmod 644 "$T/p.json"
	out=$("${member[@]}" session create withpol --broker-policy "$T/p.json" 2>&1) && fail "a member gave a policy file"
	assert_contains "$out" "only root may give corrald a file" "why"
	# root may join a member's session; the member still sees only its own containers
	ctl run -d --name rootc --session mine@65534 "$IMG" sleep 100 >/dev/null
	assert_eq "$(ctl session inspect mine@65534 | jq -r '.members | join(" ")')" rootc "root sees its member"
	assert_eq "$("${member[@]}" session inspect mine | jq -r '.members | join(" ")')" "" "the member does not"
	ctl rm -f rootc >/dev/null
	"${member[@]}" session rm mine >/dev/null || fail "a member could not remove its own"
	ctl session inspect roots >/dev/null || fail "root's session went"
}

# The README's session: one member serves a topic through corral-broker,
# another asks it through corrald; the host's state is read by a member.
test_svs_readme_two_members_talk() {
	trap cleanup_sessions EXIT
	local cb="" b
	for b in "$B/bin/corral-broker" "$ROOTDIR/build/bin/corral-broker"; do # a static one: it runs inside
		if [ -x "$b" ] && ! readelf -l "$b" 2>/dev/null | grep -q 'Requesting program interpreter'; then
			cb=$b
			break
		fi
	done
	[ -n "$cb" ] || skip "no static corral-broker (a sanitizer build's is dynamic): build one with make"
	start_sv
	ctl session create shop --share ipc,uts --idle-timeout 30m >/dev/null
	ctl run -d --session shop --name pricer -v "$cb:/usr/local/bin/corral-broker:ro" "$IMG" \
		corral-broker serve price/quote -- sh -c 'read q; echo "{\"item\":\"$q\",\"eur\":12}"' >/dev/null
	local out i
	for i in $(seq 50); do # until pricer serves
		out=$(ctl run --rm --session shop --name "buyer$i" -v "$cb:/usr/local/bin/corral-broker:ro" "$IMG" \
			corral-broker req price/quote '"apples"' 2>&1) && break
		sleep 0.2
	done
	assert_eq "$out" '{"item":"apples","eur":12}' "the answer, as the server printed it"
	assert_contains "$out" '"eur":12' "and the price"
	ctl session state set shop open true >/dev/null
	assert_eq "$(ctl run --rm --session shop -v "$cb:/usr/local/bin/corral-broker:ro" "$IMG" corral-broker state get open)" \
		true "a member reads the host's state"
}

# A session's published ports: they need a network, a member's host port
# below 1024 is the policy's to refuse, and a bad one is named.
test_svs_ports_refused_with_their_reason() {
	trap cleanup_sessions EXIT
	chmod 755 "$T"
	local g out
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --group "$g"
	local member=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	out=$(ctl session create -p 18097:80 nonet 2>&1) && fail "ports without a network were taken"
	assert_contains "$out" "publishing ports needs a network" "no network"
	out=$("${member[@]}" session create --network corral -p 80:80 low 2>&1) && fail "a member published port 80"
	assert_contains "$out" "refused by policy: ports" "the policy refuses it"
	assert_contains "$out" "host port 80 is below 1024" "and says why"
	out=$(ctl session create -p 0:80 zero 2>&1) && fail "host port 0 was taken"
	assert_contains "$out" "-p 0:80" "the client names the bad flag"
	out=$("$CORRALCTL" --socket "$SOCK" call io.corral.Supervisor.SessionCreate \
		'{"name": "raw", "network": "corral", "ports": [{"hostPort": 70000, "containerPort": 80}]}' 2>&1) &&
		fail "corrald took host port 70000"
	assert_contains "$out" "ports[0].hostPort" "corrald names the field"
	assert_eq "$(ctl --json session ls | jq length)" 0 "no session made"
}

# Attack: a member makes sessions (each holds namespaces, mounted under
# corrald's state) past its quota, unprivileged.max_sessions lowered to 3:
# the 4th is refused naming the quota and the count, audited, and not made;
# removing one frees its place; a second member and root still make theirs.
test_svs_member_quota_of_sessions() {
	trap cleanup_sessions EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	echo '{"unprivileged": {"max_sessions": 3}}' >"$T/p.json"
	start_sv --group "$g" --policy "$T/p.json"
	local a=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	local b=(setpriv --reuid 4242 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	local i out rc=0
	for i in 1 2 3; do "${a[@]}" session create "a$i" --share uts >/dev/null || fail "the member's session $i"; done
	out=$("${a[@]}" session create a4 --share uts 2>&1) || rc=$?
	assert_eq "$rc" 125 "the 4th's exit code"
	assert_contains "$out" "SessionCreate: refused by policy: name: sessions: 3 already" "the 4th: the field and the count"
	assert_contains "$out" "unprivileged.max_sessions=3" "the 4th: the quota"
	ctl session inspect a4 >/dev/null 2>&1 && fail "the refused session was made"
	[ -e "$STATE_D/sessions/a4" ] && fail "the refused session left a directory"
	assert_contains "$(grep '"result":"PolicyViolation"' "$STATE_D/audit.log" | grep SessionCreate)" \
		"limit=unprivileged.max_sessions=3" "audited"
	"${a[@]}" session rm a1 >/dev/null
	"${a[@]}" session create a4 --share uts >/dev/null || fail "a session after one was removed"
	for i in 1 2 3; do "${b[@]}" session create "b$i" --share uts >/dev/null || fail "the second member's session $i"; done
	for i in 1 2 3 4 5; do ctl session create "r$i" --share uts >/dev/null || fail "root's session $i"; done
	assert_eq "$(ctl --json session ls | jq length)" 11 "every session made"
}


# A session that shares pid: one PID namespace whose init is catatonit -P
# (its host pid in ns/pid.init), where the members see each other's
# processes, a --pid private member its own alone; the init outlives a
# kill -9 of corrald and a member made after it joins; removing the session
# kills the init and every process left. --pid host, --ipc host, --uts host
# and --cgroupns host give the host's namespaces (and /dev/shm, its
# hostname), and are root's alone.
test_svs_shared_pid_and_host_namespaces() {
	trap 'rm -f "/dev/shm/corral-svs-$TID"; cleanup_sessions' EXIT
	command -v catatonit >/dev/null || fail "no catatonit (tests/deps.sh installs it)"
	chmod 755 "$T"
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	ctl session create pp --share pid,uts >/dev/null
	assert_eq "$(ctl session inspect pp | jq -c .share)" '["uts","pid"]' "what it shares"
	local init
	init=$(cat "$STATE_D/sessions/pp/ns/pid.init")
	assert_eq "$(cat /proc/"$init"/comm)" catatonit "its init"
	assert_eq "$(readlink /proc/"$init"/ns/pid)" "$(nsenter --pid="$STATE_D/sessions/pp/ns/pid" readlink /proc/self/ns/pid_for_children)" \
		"the init is in the namespace held"
	member pp a --network none
	member pp b --network none
	member pp own --network none --pid private
	local ps
	ps=$(ctl exec a ps -o pid,args)
	assert_eq "$(grep -c "sleep 1000" <<<"$ps")" 2 "a sees its and b's sleep: $ps"
	assert_contains "$(grep -w 1 <<<"$ps" | head -1)" "catatonit -P" "pid 1 in a"
	assert_eq "$(ctl exec own ps -o args | grep -c 'sleep 1000')" 1 "the private member sees its own alone"
	# an orphan of a's is the init's to reap, not a zombie for ever
	ctl exec a sh -c 'sleep 0.2 & exit 0'
	wait_for 10 sh -c "! ps --ppid $init -o stat= | grep -q Z"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	assert_eq "$(cat "$STATE_D/sessions/pp/ns/pid.init")" "$init" "the init on record after kill -9"
	kill -0 "$init" || fail "the init went with corrald"
	member pp late --network none
	assert_eq "$(ctl exec late ps -o args | grep -c 'sleep 1000')" 3 "a member made after the restart sees a's and b's"
	local pids
	pids=$(ctl --json ps | jq -r '.[] | select(.name == "a" or .name == "b") | .pid')
	ctl session rm -f pp >/dev/null
	wait_for 10 sh -c "! kill -0 $init 2>/dev/null"
	local p
	for p in $pids; do kill -0 "$p" 2>/dev/null && fail "$p of the session outlived it"; done
	assert_eq "$(ns_mounts pp)" "" "the namespaces' mounts after its removal"
	# the host's PID and IPC namespaces, and /dev/shm
	echo hi >"/dev/shm/corral-svs-$TID"
	ctl run -d --name h --network none --pid host --ipc host "$IMG" sleep 1000 >/dev/null
	assert_eq "$(ctl exec h readlink /proc/self/ns/pid)" "$(readlink /proc/self/ns/pid)" "--pid host"
	assert_eq "$(ctl exec h readlink /proc/self/ns/ipc)" "$(readlink /proc/self/ns/ipc)" "--ipc host"
	assert_eq "$(ctl exec h cat "/dev/shm/corral-svs-$TID")" hi "the host's /dev/shm"
	ctl exec h test -d "/proc/$CORRALD_PID" || fail "--pid host does not see corrald"
	# the host's UTS (and its hostname) and cgroup namespaces
	ctl run -d --name u --network none --uts host --cgroupns host "$IMG" sleep 1000 >/dev/null
	assert_eq "$(ctl exec u readlink /proc/self/ns/uts)" "$(readlink /proc/self/ns/uts)" "--uts host"
	assert_eq "$(ctl exec u hostname)" "$(hostname)" "the host's hostname"
	assert_eq "$(ctl exec u readlink /proc/self/ns/cgroup)" "$(readlink /proc/self/ns/cgroup)" "--cgroupns host"
	[ "$(ctl exec h readlink /proc/self/ns/uts)" != "$(readlink /proc/self/ns/uts)" ] || fail "a UTS namespace of its own by default"
	out=$(ctl create --network none --uts host --hostname x "$IMG" true 2>&1) && fail "--hostname with --uts host: $out"
	assert_contains "$out" "spec.hostname: a container in the host's UTS namespace has the host's names" "--hostname with --uts host"
	# another container's PID namespace, pinned in the joiner's directory
	ctl run -d --name t --network none "$IMG" sleep 2000 >/dev/null
	ctl run -d --name dbg --network none --pid container:t "$IMG" sleep 2001 >/dev/null
	assert_eq "$(ctl exec dbg ps -o args | grep '^sleep' | sort | tr '\n' ' ')" "sleep 2000 sleep 2001 " "--pid container:t"
	local dbg_id
	dbg_id=$(ctl --json ps | jq -r '.[] | select(.name == "dbg") | .id')
	ctl rm -f dbg >/dev/null
	wait_for 20 sh -c "! grep -q '$dbg_id' /proc/self/mountinfo"
	local out
	out=$(ctl run --network none --pid container:nosuch "$IMG" true 2>&1) && fail "--pid container:nosuch was taken"
	assert_contains "$out" "no such container" "a target that is not there"
	ctl stop -t 0 t >/dev/null 2>&1
	out=$(ctl run --network none --pid container:t "$IMG" true 2>&1) && fail "a stopped target's PID namespace was taken"
	assert_contains "$out" "not running" "a stopped target"
	out=$(mctl 4242 run --network none --pid container:t "$IMG" true 2>&1) && fail "a member joined root's container"
	assert_contains "$out" "no such container" "root's container, to a member"
	# an idmapped bind would make a member's container root the owner of
	# what the host's root owns there (/etc/shadow): root's alone
	out=$(as_uid 4242 /usr/bin/python3 -c 'import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
spec = {"image": sys.argv[2], "network": "none", "mounts": [{"source": "/etc", "destination": "/e", "idmap": True}]}
s.sendall(json.dumps({"method": "io.corral.Supervisor.CreateContainer", "parameters": {"spec": spec}}).encode() + b"\0")
print(s.recv(65536).rstrip(b"\0").decode())' "$SOCK" "$IMG")
	assert_contains "$out" "PermissionDenied" "a member's idmapped bind"
	assert_contains "$out" "idmap" "what is refused"
	out=$(ctl run --network none --pid shared "$IMG" true 2>&1) && fail "--pid shared was taken"
	assert_contains "$out" "spec.pidNamespace" "a mode that is none"
	out=$(mctl 4242 run --network none --pid host "$IMG" true 2>&1) && fail "a member got the host's PID namespace"
	assert_contains "$out" "spec.pidNamespace" "a member's --pid host"
	out=$(mctl 4242 run --network none --ipc host "$IMG" true 2>&1) && fail "a member got the host's IPC namespace"
	assert_contains "$out" "spec.ipcNamespace" "a member's --ipc host"
	out=$(mctl 4242 run --network none --uts host "$IMG" true 2>&1) && fail "a member got the host's UTS namespace"
	assert_contains "$out" "spec.utsNamespace" "a member's --uts host"
	out=$(mctl 4242 run --network none --cgroupns host "$IMG" true 2>&1) && fail "a member got the host's cgroup namespace"
	assert_contains "$out" "spec.cgroupNamespace" "a member's --cgroupns host"
	out=$(mctl 4242 session create mp --share pid 2>&1) && fail "a member made a session that shares pid"
	assert_contains "$out" "share: pid" "a member's session sharing pid"
	ctl session create pu --share pid >/dev/null
	out=$(ctl run --network none --session pu --userns auto "$IMG" true 2>&1) && fail "a container with its own ids joined a shared PID namespace"
	assert_contains "$out" "spec.userns" "why"
	kill -9 "$(cat "$STATE_D/sessions/pu/ns/pid.init")"
	out=$(ctl run --network none --session pu "$IMG" true 2>&1) && fail "a member joined a PID namespace without its init"
	assert_contains "$out" "init has ended" "why"
	ctl session rm pu >/dev/null
}

# Root's bare session name is root's own session, never a member's: a
# member that took the name of root's expired session (or of one root was
# about to make) had root's next container join its namespaces, state and
# broker. Root names a member's session NAME@UID, and is shown it so. Each
# owner's session names are its own (as each user's pods in podman): root's
# ci beside the member's, each with its namespaces, state, members and
# directory; a member's directory of before is moved to its name at start.
test_svs_roots_bare_name_is_its_own_session() {
	trap cleanup_sessions EXIT
	chmod 755 "$T"
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	cp "$FIXTURES/images/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	local out t0
	t0=$(date +%s)
	ctl session create ci --share ipc,uts --idle-timeout 1s >/dev/null
	wait_for 6 session_gone ci
	mctl 4242 session create ci --share ipc,uts >/dev/null
	mctl 4242 run -d --name spy --network none --session ci m:1 sleep 1000 >/dev/null
	mctl 4242 session state set ci k '"the member'"'"'s"' >/dev/null
	out=$(ctl run -d --name job --network none --session ci "$IMG" sleep 1000 2>&1) &&
		fail "root's container joined the member's session: $(ctl exec job hostname)"
	assert_contains "$out" "no such session: ci" "root's bare name, held by a member's session"
	out=$(ctl session state get ci k 2>&1) && fail "root's bare name read the member's state: $out"
	out=$(ctl session state set ci k '"root"' 2>&1) && fail "root's bare name wrote the member's state"
	out=$(ctl broker pub ci jobs/1 '"root"' 2>&1) && fail "root's bare name published in the member's session"
	out=$(ctl session rm -f ci 2>&1) && fail "root's bare name removed the member's session"
	assert_eq "$(mctl 4242 session inspect ci | jq -r .name)" ci "the member's session, to the member"
	assert_eq "$(ctl --json session ls | jq -r '.[].name')" ci@4242 "root is shown the member's NAME@UID"
	assert_eq "$(mctl 4242 --json session ls | jq -r '.[].name')" ci "the member its own NAME"
	assert_contains "$(ctl events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=session)" "ci@4242" \
		"root's events name the member's session"
	assert_contains "$(ctl events --since "$t0" --until "$(($(date +%s) + 1))" --session ci@4242 --filter type=session)" \
		"ci@4242" "root's filter by NAME@UID"
	# root reaches it by NAME@UID alone
	assert_eq "$(ctl session state get ci@4242 k)" '"the member'"'"'s"' "root reads the member's state"
	ctl run -d --name rootc --network none --session ci@4242 "$IMG" sleep 1000 >/dev/null
	assert_eq "$(ctl exec rootc readlink /proc/self/ns/ipc)" "$(mctl 4242 exec spy readlink /proc/self/ns/ipc)" \
		"root's container, joined by NAME@UID, shares the session's IPC"
	assert_contains "$(ctl session inspect ci@4242 | jq -r '.members | join(" ")')" rootc "root sees its member"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	assert_contains "$(ctl session inspect ci@4242 | jq -r '.members | join(" ")')" rootc \
		"root's member, its record loaded again"
	# a record of before: root's join by the bare name is no join of the
	# member's session once loaded again
	local rec
	rec="$STATE_D/containers/$(ctl --json ps | jq -r '.[] | select(.name == "rootc") | .id')/record.json"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	jq -c '.spec.session = "ci"' "$rec" >"$rec.new" && mv "$rec.new" "$rec"
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	assert_eq "$(ctl session inspect ci@4242 | jq -r '.members | join(" ")')" "spy@4242" \
		"the member's session after root's record of a bare-name join"
	out=$(mctl 4242 session inspect ci@0 2>&1) && fail "a member named root's session by @0"
	ctl rm -f rootc >/dev/null
	# each owner's session names are its own: root's ci beside the member's
	ctl session create ci --share ipc,uts >/dev/null || fail "root's ci beside a member's"
	ctl run -d --name job --network none --session ci "$IMG" sleep 1000 >/dev/null
	assert_eq "$(ctl exec job hostname)" ci "root's own ci, joined by its bare name"
	[ "$(ctl exec job readlink /proc/self/ns/ipc)" != "$(mctl 4242 exec spy readlink /proc/self/ns/ipc)" ] ||
		fail "root's ci and the member's share an IPC namespace"
	ctl session state set ci k '"root'"'"'s"' >/dev/null
	assert_eq "$(mctl 4242 session state get ci k)" '"the member'"'"'s"' "the member's state, after root's set"
	assert_eq "$(ctl session inspect ci | jq -r '.members | join(" ")')" job "root's ci: its own member"
	assert_eq "$(ctl session inspect ci@4242 | jq -r '.members | join(" ")')" spy@4242 "the member's: its own"
	assert_eq "$(cd "$STATE_D/sessions" && ls -d ci* | tr '\n' ' ')" "ci ci@4242 " "their directories"
	assert_eq "$(ctl --json session ls | jq -r '.[].name' | sort | tr '\n' ' ')" "ci ci@4242 " "root lists both"
	out=$(ctl events --since "$t0" --until "$(($(date +%s) + 1))" --session ci --filter type=container)
	assert_contains "$out" " job " "root's session filter: root's container in root's ci"
	assert_not_contains "$out" " spy" "root's session filter: not the member's ci"
	assert_not_contains "$out" " rootc " "root's session filter: not root's container in the member's ci"
	out=$(ctl events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=container --filter event=create)
	assert_contains "$(grep ' spy@4242 ' <<<"$out")" "session=ci@4242" "root is shown the member's container's session"
	assert_contains "$(grep ' job ' <<<"$out")" "session=ci" "root's own"
	assert_not_contains "$(grep ' job ' <<<"$out")" "session=ci@" "root's own, as its bare name"
	out=$(mctl 4242 events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=container --filter event=create)
	assert_contains "$(grep ' spy ' <<<"$out")" "session=ci" "the member is shown its own"
	assert_not_contains "$(grep ' spy ' <<<"$out")" "session=ci@" "the member's own, as its bare name"
	# a member's directory of before (<name>/) is moved to its name at start
	mctl 4242 session create old --share ipc,uts >/dev/null
	mctl 4242 session state set old k 1 >/dev/null
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	mv "$STATE_D/sessions/old@4242" "$STATE_D/sessions/old"
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	assert_eq "$(mctl 4242 session state get old k)" 1 "the member's session of before, loaded"
	[ -d "$STATE_D/sessions/old@4242" ] && [ ! -e "$STATE_D/sessions/old" ] || fail "not moved: $(ls "$STATE_D/sessions")"
	ctl session create old --share ipc,uts >/dev/null || fail "root's old beside the member's, once moved"
	out=$(ctl session state get old k 2>&1) && fail "root's new old has the member's state: $out"
	ctl session rm -f old old@4242 >/dev/null
	ctl session rm -f ci@4242 >/dev/null
	mctl 4242 session inspect ci >/dev/null 2>&1 && fail "root's rm of ci@4242 left it"
	assert_eq "$(ctl exec job hostname)" ci "root's ci, once the member's has gone"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
