#!/bin/bash
# Containers on networks: they reach each other by name on one network and
# not across two, an internal network has no way out, a restart keeps the
# address, and what a killed corrald left is undone by the next (a DEL cut
# short, a leaked lease, an attachment broken meanwhile). corrald runs in a
# network namespace of the test's own (network_lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

ip_of() { ctl --json inspect "$1" | jq -r ".[0].networks[\"${2:-corral}\"].ipAddress"; }
# a listener that answers every connection with its name
echoer() { # NAME [ctl run options]
	local name=$1
	shift
	ctl run -d --name "$name" "$@" "$IMG" sh -c "while true; do echo \"pong from $name\" | nc -l -p 7000; done" >/dev/null
}
# named NAME: the addresses a hosts file (stdin) gives NAME
named() { awk -v n="$1" '{ for (i = 2; i <= NF; i++) if ($i == n) print $1 }'; }
hosts_has() { ctl exec "$1" cat /etc/hosts | grep -qw "$2"; }
not() { ! "$@"; }
# answers FROM "HOST [PORT]" TEXT: FROM's nc to HOST (port 7000) reads TEXT
answers() {
	local to=$2
	[ "${to#* }" != "$to" ] || to="$to 7000"
	# shellcheck disable=SC2086 # host and port, split
	ctl exec "$1" nc -w 2 $to </dev/null 2>/dev/null | grep -q "$3"
}

test_netp_names_on_one_network_and_not_across_two() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	echoer a
	# b_2: a compose service's name (an underscore is no host name's)
	ctl run -d --name b --network-alias bee --network-alias b_2 "$IMG" sleep 1000 >/dev/null
	local ipa
	ipa=$(ip_of a)
	# b's aliases are names of b's in a's hosts, on b's address
	assert_eq "$(ctl exec a cat /etc/hosts | awk '$0 ~ / bee( |$)/ && $0 ~ / b_2( |$)/ { print $1 }')" "$(ip_of b)" \
		"b's aliases in a's hosts: $(ctl exec a cat /etc/hosts)"
	local out
	out=$(ctl run --rm --network-alias 'no/slash' "$IMG" true 2>&1) && fail "an alias with a slash was taken"
	assert_contains "$out" "spec.networkAliases[0]" "the refusal names the field"
	assert_contains "$(ctl exec b cat /etc/hosts)" "$ipa" "b's hosts: a's address"
	hosts_has b a || fail "b's hosts has no a: $(ctl exec b cat /etc/hosts)"
	# a's file is bound on its /etc/hosts, and was rewritten in place when b came
	hosts_has a b || fail "a's hosts was not kept current: $(ctl exec a cat /etc/hosts)"
	assert_contains "$(ctl exec a cat /etc/hosts)" "host.containers.internal" "the gateway's name"
	wait_for 10 answers b a "pong from a"
	# another network: neither its name nor its address reaches a
	ctl network create other >/dev/null
	ctl run -d --name c --network other "$IMG" sleep 1000 >/dev/null
	hosts_has c a && fail "c, on network other, has a in its hosts"
	local rc=0
	out=$(ctl exec c nc -w 2 "$ipa" 7000 2>&1) || rc=$?
	assert_not_contains "$out" "pong" "c reached a across networks"
	# a goes: b forgets it
	ctl rm -f a >/dev/null
	wait_for 10 not hosts_has b a
	ctl rm -f b c >/dev/null
	# the firewall plugin's isolation rules for other's bridge, which the
	# plugin leaves, go with the network; network corral's stay
	local br rules
	br=$(ctl network inspect other | jq -r .bridge)
	rules() { inns iptables-save -t filter | grep -c -- "CNI-ISOLATION-STAGE-[12] .*-[io] $1 " || true; }
	assert_eq "$(rules "$br")" 2 "other's isolation rules, before its rm"
	ctl network rm other >/dev/null
	assert_eq "$(rules "$br")" 0 "other's isolation rules, after its rm"
	assert_eq "$(rules corral0)" 2 "network corral's rules"
}

# Rename: the others on its networks reach it by its new name, and no
# longer by the old one (as Docker's DNS); its own hostname, its UTS
# namespace's, stays in its own hosts file, as podman rename keeps it
test_netp_a_renamed_container_is_found_by_its_new_name() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	echoer a
	ctl network create other >/dev/null
	ctl run -d --name b "$IMG" sleep 1000 >/dev/null
	ctl network connect other a
	ctl run -d --name c --network other "$IMG" sleep 1000 >/dev/null
	hosts_has b a || fail "b's hosts has no a before the rename"
	ctl rename a web
	local h
	for h in b c; do
		hosts_has "$h" web || fail "$h's hosts has no web after the rename: $(ctl exec "$h" cat /etc/hosts)"
		hosts_has "$h" a && fail "$h's hosts still has a: $(ctl exec "$h" cat /etc/hosts)"
	done
	wait_for 10 answers b web "pong from a"
	wait_for 10 answers c web "pong from a"
	assert_eq "$(ctl exec web hostname)" a "its hostname"
	assert_eq "$(ctl exec web cat /etc/hosts | named a)" "$(ip_of web)" "its hostname, in its own hosts"
	# a later change on the network keeps both so
	ctl run -d --name d "$IMG" sleep 1000 >/dev/null
	hosts_has d web || fail "d's hosts has no web"
	assert_eq "$(ctl exec web cat /etc/hosts | named a)" "$(ip_of web)" "its hostname, after d came"
	hosts_has b a && fail "b's hosts has a again after d came: $(ctl exec b cat /etc/hosts)"
	# the old name taken by another: the others find that one by it
	ctl run -d --name a "$IMG" sleep 1000 >/dev/null
	assert_eq "$(ctl exec b cat /etc/hosts | named a)" "$(ip_of a)" "a is the new one"
	assert_eq "$(ctl exec b cat /etc/hosts | named web)" "$(ip_of web)" "web is the renamed one"
	ctl rm -f web a b c d >/dev/null
}

# --internal: no default route and no masquerade, so an address outside
# (a veth in corrald's namespace) answers a container on network
# corral and not one on the internal network.
test_netp_internal_network_has_no_way_out() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	inns ip link add out0 type veth peer name out1
	inns ip link set out1 up
	inns ip addr add 192.0.2.1/24 dev out0
	inns ip link set out0 up
	# bounded, and its nc goes with it (nsenter execs the shell: $! is it)
	nsenter --net="$T/netns" "$IMG/bin/busybox" sh -c \
		'for i in 1 2 3 4 5 6 7 8 9 10; do echo outside | nc -l -p 7001 || sleep 1; done' \
		>/dev/null 2>&1 &
	LP=$!
	trap 'pkill -P "$LP" 2>/dev/null; kill "$LP" 2>/dev/null; cleanup_sv' EXIT
	ctl network create --internal back >/dev/null
	ctl run -d --name in "$IMG" sleep 1000 >/dev/null
	ctl run -d --name inside --network back "$IMG" sleep 1000 >/dev/null
	wait_for 10 answers in "192.0.2.1 7001" outside
	assert_contains "$(ctl exec in ip route)" "default via" "network corral: a default route"
	assert_not_contains "$(ctl exec inside ip route)" "default" "network back: no default route"
	local out rc=0
	out=$(ctl exec inside nc -w 2 192.0.2.1 7001 2>&1) || rc=$?
	assert_not_contains "$out" "outside" "the internal container reached out"
	ctl rm -f in inside >/dev/null
	ctl network rm back >/dev/null
}

# A restarted container asks host-local for the address it had, which
# host-local would otherwise not give again (it goes on from the last one).
test_netp_restart_keeps_the_address() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name first "$IMG" sleep 1000 >/dev/null
	ctl run -d --name second "$IMG" sleep 1000 >/dev/null
	local ip
	ip=$(ip_of first)
	ctl restart -t 0 first >/dev/null
	assert_eq "$(ip_of first)" "$ip" "first's address after restart"
	ctl rm -f first second >/dev/null
}

# A plugin whose DEL takes 5 s: corrald is killed while it runs. The
# container is removed (its directory trashed), but its DEL record waits in
# networks/pending, and the next corrald runs it: no veth, lease, rule or
# pin is left.
slow_del_network() {
	mkdir -p "$T/cni" "$T/net.d"
	cat >"$T/cni/slowdel" <<-'PLUGIN'
	#!/bin/sh
	conf=$(cat)
	case "$CNI_COMMAND" in
	ADD) printf '%s' "$conf" | jq -c .prevResult ;;
	DEL) sleep 5 ;;
	VERSION) echo '{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}' ;;
	esac
	PLUGIN
	chmod +x "$T/cni/slowdel"
	cat >"$T/net.d/slow.conflist" <<-EOF2
	{"cniVersion": "1.0.0", "name": "slow", "plugins": [
	  {"type": "bridge", "bridge": "slow0", "isGateway": true, "ipMasq": true,
	   "ipam": {"type": "host-local", "dataDir": "$T/state/networks/ipam",
	            "ranges": [[{"subnet": "10.98.0.0/24"}]]}},
	  {"type": "portmap", "capabilities": {"portMappings": true}},
	  {"type": "slowdel"}]}
	EOF2
}

slow_leases() { ls "$T/state/networks/ipam/slow" 2>/dev/null | grep -v -e '^lock$' -e '^last_reserved_ip' || true; }

test_netp_a_del_cut_short_by_a_crash_is_finished_after_it() {
	trap cleanup_sv EXIT
	need_cni
	command -v jq >/dev/null || skip "no jq for the test's plugin"
	slow_del_network
	start_sv_netns --cni-path "$T/cni:$CNI"
	# the chains portmap makes once and keeps are there before the baseline
	ctl run -d --name warm --network slow -p 18091:80 "$IMG" sleep 1000 >/dev/null
	local wid before
	wid=$(ctl --json inspect warm | jq -r '.[0].id')
	ctl rm -f warm >/dev/null
	wait_for 15 unpinned "$wid"
	before=$(net_state)
	ctl run -d --name s --network slow -p 18090:80 "$IMG" sleep 1000 >/dev/null
	local id
	id=$(ctl --json inspect s | jq -r '.[0].id')
	[ -n "$(slow_leases)" ] || fail "no lease while it runs"
	assert_contains "$(rules)" 18090 "its port's rule"
	ctl rm -f s >/dev/null
	[ -e "$STATE_D/networks/pending/$id.json" ] || fail "no pending DEL record"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	pkill -9 -f "$T/cni/slowdel" || true
	[ ! -e "$STATE_D/containers/$id" ] || fail "the container's directory is still there"
	[ -n "$(slow_leases)" ] || fail "the cut DEL freed the lease (the test proves nothing)"
	start_sv_netns --cni-path "$T/cni:$CNI"
	wait_for 20 unpinned "$id"
	wait_for 10 sh -c "[ ! -e '$STATE_D/networks/pending/$id.json' ]"
	assert_eq "$(slow_leases)" "" "host-local's leases"
	state_is "$before" || fail "left behind: $(diff <(echo "$before") <(net_state))"
}

# A lease whose container is gone (a crash between host-local's ADD and the
# record) is freed at start; a running container whose veth went while
# corrald was down fails its CHECK, which is logged and published.
test_netp_start_frees_leaks_and_checks_what_runs() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name r "$IMG" sleep 1000 >/dev/null
	local ip
	ip=$(ip_of r)
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	printf 'c0ffee%058d\r\neth0' 0 >"$STATE_D/networks/ipam/corral/10.88.0.200"
	local veth
	veth=$(inns ip -o link show master corral0 | awk -F': ' '{print $2}' | sed 's/@.*//' | head -1)
	inns ip link del "$veth"
	start_sv_netns
	wait_for 10 sh -c "[ ! -e '$STATE_D/networks/ipam/corral/10.88.0.200' ]"
	[ -e "$STATE_D/networks/ipam/corral/$ip" ] || fail "r's own lease was freed"
	wait_for 20 grep -q "container r: network CHECK" "$T/corrald.log"
	ctl events --since 1m --until 0s --filter event=network-check-failed >"$T/ev" 2>&1 || true
	assert_contains "$(cat "$T/ev")" "network-check-failed" "the event"
	ctl rm -f r >/dev/null
}

# A further network's attachment (network connect: eth1) is CHECKed at
# start as eth0's is: its veth gone while corrald was down fails it, named.
test_netp_start_checks_each_network_of_a_container() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl network create other >/dev/null
	ctl run -d --name r "$IMG" sleep 1000 >/dev/null
	ctl network connect other r >/dev/null || fail "network connect"
	local br veth
	br=$(ctl --json network inspect other | jq -r 'if type == "array" then .[0] else . end | .bridge')
	[ -n "$br" ] && [ "$br" != null ] || fail "no bridge for network other: $(ctl --json network inspect other)"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	veth=$(inns ip -o link show master "$br" | awk -F': ' '{print $2}' | sed 's/@.*//' | head -1)
	[ -n "$veth" ] || fail "no veth on $br"
	inns ip link del "$veth"
	start_sv_netns
	wait_for 20 grep -q "container r: network CHECK of eth1" "$T/corrald.log"
	assert_not_contains "$(cat "$T/corrald.log")" "network CHECK of eth0" "eth0's attachment is whole"
	ctl events --since 1m --until 0s --filter event=network-check-failed >"$T/ev" 2>&1 || true
	assert_contains "$(cat "$T/ev")" "network-check-failed" "the event"
	ctl rm -f r >/dev/null
	ctl network rm other >/dev/null
}

# A name is its owner's word: a member's container on a network root's
# containers share (any member may join one) gives its hostname, name and
# aliases to its owner's containers alone. Were it listed in root's
# /etc/hosts, which comes before DNS, a member's alias pypi.org, or db
# before root's own db, would send root's traffic to the member.
test_netp_a_members_names_reach_only_its_own_containers() {
	trap cleanup_sv EXIT
	need_cni
	chmod 755 "$T"
	start_sv_netns --group "$(getent group 65534 | cut -d: -f1)"
	cp "$FIXTURES/images/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	mctl 4242 run -d --name evil --hostname db --network-alias pypi.org --network-alias api m:1 sleep 1000 >/dev/null
	mctl 4242 run -d --name mate m:1 sleep 1000 >/dev/null
	echoer db
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	ctl network create shared >/dev/null
	mctl 4242 network connect --alias web2 shared evil >/dev/null
	ctl network connect shared web >/dev/null
	local hosts
	hosts=$(ctl exec web cat /etc/hosts)
	assert_not_contains "$hosts" "pypi.org" "root's hosts: the member's alias"
	assert_not_contains "$hosts" "evil" "root's hosts: the member's container"
	assert_not_contains "$hosts" "web2" "root's hosts: the member's alias on a second network"
	assert_not_contains "$hosts" "$(ip_of evil@4242)" "root's hosts: the member's address"
	assert_eq "$(named db <<<"$hosts")" "$(ip_of db)" "root's db is db's alone"
	wait_for 10 answers web db "pong from db"
	# the member's own containers see each other, and nothing of root's
	hosts=$(mctl 4242 exec mate cat /etc/hosts)
	assert_eq "$(named pypi.org <<<"$hosts")" "$(ip_of evil@4242)" "the member's alias in its own"
	assert_not_contains "$hosts" "web" "the member's hosts: root's container"
	assert_not_contains "$(mctl 4242 exec evil cat /etc/hosts)" "$(ip_of db)" "the member's hosts: root's address"
	# nor does the member's churn make corrald write root's files
	local before
	before=$(ctl exec web stat -c %y /etc/hosts)
	mctl 4242 run -d --name third m:1 sleep 1000 >/dev/null
	wait_for 10 sh -c "'$CORRALCTL' --socket '$SOCK' exec mate@4242 cat /etc/hosts | grep -qw third"
	assert_eq "$(ctl exec web stat -c %y /etc/hosts)" "$before" "root's hosts file, after the member's third came"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
