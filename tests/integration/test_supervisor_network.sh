#!/bin/bash
# Networks through CNI (containernetworking-plugins in /usr/lib/cni). Every
# test runs corrald in a network namespace of its own, lo up, so bridges,
# addresses and firewall rules live and die there: the host's network is
# never touched. Probes run in that namespace (nsenter --net).
# time: about 150 s; one case is 20 cycles of run and remove on a CNI bridge (about 40 s: each runs CNI's plugins, ADD and DEL)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

# A published port answers on 127.0.0.1 and the host's side reaches the
# container's own IP through the bridge; Inspect says IP, MAC and gateway.
test_svn_published_port_reaches_the_container() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	web web1 -p 18080:80
	local ip mac gw
	ip=$(ctl --json inspect web1 | jq -r '.[0].networks.corral.ipAddress')
	mac=$(ctl --json inspect web1 | jq -r '.[0].networks.corral.macAddress')
	gw=$(ctl --json inspect web1 | jq -r '.[0].networks.corral.gateway')
	assert_contains "$ip" "10.88." "its address"
	assert_eq "$gw" 10.88.0.1 "its gateway"
	[[ $mac =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || fail "its MAC: $mac"
	wait_for 10 get http://127.0.0.1:18080/
	assert_eq "$(get http://127.0.0.1:18080/)" "hello from web1" "through the published port"
	assert_eq "$(get "http://${ip%/*}/")" "hello from web1" "at its own IP"
	assert_eq "$(ctl exec web1 cat /sys/class/net/eth0/address)" "$mac" "eth0's MAC inside"
	assert_contains "$(ctl port web1)" "18080" "port lists it"
}

# Remove takes back the veth, the host-local lease and every rule the
# container had: the namespace is as it was before it (a first container
# makes the bridge and CNI's own chains, which stay, as with podman). The
# namespace stays pinned until DEL is over: the bridge plugin undoes its
# masquerade rules only in it.
test_svn_rm_leaves_no_veth_lease_or_rule() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name warm -p 18089:80 "$IMG" sleep 100 >/dev/null
	local wid
	wid=$(ctl --json inspect warm | jq -r '.[0].id')
	[ -e "$STATE_D/networks/netns/$wid" ] || fail "its namespace is not pinned"
	ctl rm -f warm >/dev/null
	wait_for 10 unpinned "$wid" # its DEL is over
	local before leases_before
	before=$(net_state)
	leases_before=$(ipam_files)
	web web2 -p 18081:80
	local ip
	ip=$(ctl --json inspect web2 | jq -r '.[0].networks.corral.ipAddress')
	ip=${ip%/*}
	assert_contains "$(ipam_files)" "$ip" "its lease while it runs"
	assert_contains "$(rules)" "18081" "its port's rule while it runs"
	[ -n "$(inns ip -o link show type veth)" ] || fail "no veth while it runs"
	local id
	id=$(ctl --json inspect web2 | jq -r '.[0].id')
	ctl rm -f web2 >/dev/null
	wait_for 10 unpinned "$id"
	state_is "$before" || fail "left behind: $(diff <(echo "$before") <(net_state))"
	assert_eq "$(ipam_files)" "$leases_before" "host-local's leases"
	assert_not_contains "$(rules)" "$ip" "rules naming its IP"
}

# A conflist whose plugin is missing fails Start with one line naming it,
# and leaves nothing: no veth, no lease, no rule, no network.json.
test_svn_failed_start_leaves_nothing() {
	trap cleanup_sv EXIT
	need_cni
	mkdir -p "$T/net.d"
	cat >"$T/net.d/broken.conflist" <<-EOF2
	{"cniVersion": "1.0.0", "name": "broken", "plugins": [
	  {"type": "bridge", "bridge": "brk0", "isGateway": true,
	   "ipam": {"type": "host-local", "dataDir": "$T/state/networks/ipam",
	            "ranges": [[{"subnet": "10.99.0.0/24"}]]}},
	  {"type": "portmap", "capabilities": {"portMappings": true}},
	  {"type": "no-such-plugin"}]}
	EOF2
	start_sv_netns
	local rules_before out rc=0
	rules_before=$(rules)
	out=$(ctl run -d --name bad --network broken -p 18082:80 "$IMG" sleep 100 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "the start succeeded: $out"
	assert_contains "$out" "CNI plugin no-such-plugin: not found in $CNI" "the error"
	assert_contains "$out" "network broken" "the error names the network"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	assert_eq "$(inns ip -o link show type veth)" "" "veths"
	assert_eq "$(ls "$T/state/networks/ipam/broken" 2>/dev/null | grep -v -e '^lock$' -e '^last_reserved_ip')" "" "leases"
	assert_not_contains "$(rules)" "18082" "the port's rule"
	local id
	id=$(ctl --json inspect bad | jq -r ".[0].id")
	[ ! -e "$STATE_D/containers/$id/network.json" ] || fail "network.json left"
	assert_eq "$(ctl --json inspect bad | jq -r ".[0].state.status")" created "it stays created"
}

# kill -9 corrald while networked containers run: they keep their network,
# and a new corrald removes them as fully (network.json and the pinned
# namespace outlive it).
test_svn_survives_a_killed_corrald() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name warm -p 18089:80 "$IMG" sleep 100 >/dev/null
	local wid
	wid=$(ctl --json inspect warm | jq -r '.[0].id')
	ctl rm -f warm >/dev/null
	wait_for 10 unpinned "$wid"
	local before
	before=$(net_state)
	local n ids=""
	for n in 1 2 3; do
		web "w$n" -p "1808$n:80"
		ids="$ids $(ctl --json inspect "w$n" | jq -r '.[0].id')"
	done
	for n in 1 2 3; do wait_for 10 get "http://127.0.0.1:1808$n/"; done
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv_netns
	for n in 1 2 3; do
		assert_eq "$(get "http://127.0.0.1:1808$n/")" "hello from w$n" "w$n after the restart"
	done
	assert_contains "$(ctl --json inspect w2 | jq -r '.[0].networks.corral.ipAddress')" 10.88. "w2's address"
	ctl rm -f w1 w2 w3 >/dev/null
	local id
	for id in $ids; do wait_for 10 unpinned "$id"; done
	state_is "$before" || fail "left behind: $(diff <(echo "$before") <(net_state))"
	assert_eq "$(ipam_files)" "" "host-local's leases"
}

# Host networking and host ports below 1024 are privileges of the policy
# file: a privileges section that does not grant them refuses them.
test_svn_policy_refuses_host_network_and_low_ports() {
	trap cleanup_sv EXIT
	need_cni
	echo '{"privileges": {"allow_directory_images": true}}' >"$T/p.json"
	start_sv_netns --policy "$T/p.json"
	local out rc=0
	out=$(ctl create --name h --network host "$IMG" true 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "--network host was admitted"
	assert_contains "$out" "spec.network" "host: the field"
	assert_contains "$out" "privileges.allow_host_network=false" "host: the limit"
	rc=0
	out=$(ctl create --name low -p 80:80 "$IMG" true 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "-p 80:80 was admitted"
	assert_contains "$out" "privileges.allow_low_ports=false" "low port: the limit"
	assert_contains "$out" "host port 80 is below 1024" "low port: why"
	ctl create --name high -p 8080:80 "$IMG" true >/dev/null
	assert_eq "$(ctl port high)" "80/tcp -> 0.0.0.0:8080" "port lists what it will publish"
}

# A host port already published by a running container, or bound by a
# process of the host, fails Start naming the port, and leaves nothing.
test_svn_port_in_use_fails_start_naming_it() {
	trap 'kill "$LP" 2>/dev/null || true; cleanup_sv' EXIT
	need_cni
	start_sv_netns
	web first -p 18085:80
	local rules_before out rc=0
	wait_for 10 get http://127.0.0.1:18085/
	rules_before=$(rules)
	out=$(ctl run -d --name second -p 18085:80 "$IMG" sleep 100 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "a second container took port 18085"
	assert_contains "$out" "host port 18085/tcp: published by container first already" "the error"
	nsenter --net="$T/netns" "$IMG/bin/busybox" nc -l -p 18086 >/dev/null 2>&1 &
	LP=$!
	wait_for 10 sh -c "nsenter --net='$T/netns' cat /proc/net/tcp /proc/net/tcp6 | grep -q ':46A6 '"
	rc=0
	out=$(ctl run -d --name third -p 18086:80 "$IMG" sleep 100 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "a container took port 18086 a host process listens on"
	assert_contains "$out" "host port 18086/tcp: in use on the host" "the error"
	kill "$LP"
	assert_eq "$(rules)" "$rules_before" "rules"
	assert_eq "$(inns ip -o link show type veth | wc -l)" 1 "veths: the first container's"
	assert_eq "$(get http://127.0.0.1:18085/)" "hello from first" "the first still answers"
}

# Attack: a member publishes the host port of root's container, and of
# another member's. Start fails, saying only that another user's container
# has the port: neither its name nor its id. Its own container it names.
test_svn_port_conflict_names_no_other_users_container() {
	trap cleanup_sv EXIT
	need_cni
	local g out rc=0 rootid theirid
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	chmod 755 "$T"
	start_sv_netns --group "$g"
	as() { local u=$1; shift; setpriv --reuid "$u" --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30 "$@"; }
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	web rootweb -p 18087:80
	rootid=$(ctl --json inspect rootweb | jq -r '.[0].id')
	out=$(as 65534 run -d --name m1 -p 18087:80 bb:1 sleep 100 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "a member took root's port 18087"
	assert_contains "$out" "host port 18087/tcp: published by another user's container already" "root's port"
	assert_not_contains "$out" rootweb "root's container's name"
	assert_not_contains "$out" "${rootid:0:12}" "root's container's id"
	as 4242 run -d --name theirs -p 18088:80 bb:1 sleep 100 >/dev/null || fail "the other member's run"
	theirid=$(ctl --json inspect theirs@4242 | jq -r '.[0].id')
	rc=0
	out=$(as 65534 run -d --name m2 -p 18088:80 bb:1 sleep 100 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "a member took another member's port 18088"
	assert_contains "$out" "host port 18088/tcp: published by another user's container already" "a member's port"
	assert_not_contains "$out" theirs "the other member's container's name"
	assert_not_contains "$out" "${theirid:0:12}" "the other member's container's id"
	# its own, and root, are told which
	as 65534 run -d --name mine -p 18089:80 bb:1 sleep 100 >/dev/null || fail "the member's run"
	rc=0
	out=$(as 65534 run -d --name mine2 -p 18089:80 bb:1 sleep 100 2>&1) || rc=$?
	assert_contains "$out" "published by container mine already" "its own container is named"
	out=$(ctl run -d --name root2 -p 18088:80 "$IMG" sleep 100 2>&1) || true
	assert_contains "$out" "published by container theirs@4242 already" "root is told whose, by the name root gives it"
}

# --network host shares the namespace's interfaces; none keeps its own lo
# alone, down.
test_svn_host_and_none() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	inns ip link add hostv7 type veth peer name hostv8
	assert_contains "$(ctl run --network host "$IMG" ls /sys/class/net)" hostv7 "host sees the namespace's links"
	assert_eq "$(ctl run --network none "$IMG" ls /sys/class/net)" lo "none: lo alone"
}

# One Stats figure of a container (ctl stats --json is the Stats objects).
stat_of() { ctl --json stats --no-stream "$1" | jq -r ".[0].$2"; }
# One Prometheus counter of container $1's eth0, from the metrics listener.
prom_of() {
	local id
	id=$(ctl --json inspect "$1" | jq -r '.[0].id')
	inns curl -sf --max-time 5 http://127.0.0.1:19323/metrics |
		awk -v k="corral_container_network_$2_total{id=\"$id\",name=\"$1\",interface=\"eth0\"}" '$1 == k {print $2}'
}

# A container on network corral that downloads 1 MiB from another sees
# its rx rise by at least that in Stats and Prometheus, and the other's
# tx; a --network none container has none, and no series.
test_svn_stats_count_network_bytes() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns --metrics-listen 127.0.0.1:19323
	ctl run -d --name srv --tmpfs /www "$IMG" sh -c \
		'mkdir -p /www && head -c 1048576 /dev/zero >/www/big && exec httpd -f -p 80 -h /www' >/dev/null
	ctl run -d --name cli "$IMG" sleep 100 >/dev/null
	ctl run -d --name alone --network none "$IMG" sleep 100 >/dev/null
	local ip rx0 tx0 prx0 ptx0
	ip=$(ctl --json inspect srv | jq -r '.[0].networks.corral.ipAddress')
	wait_for 10 ctl exec cli wget -q -O /dev/null "http://$ip/big"
	rx0=$(stat_of cli netInput)
	tx0=$(stat_of srv netOutput)
	prx0=$(prom_of cli receive_bytes)
	ptx0=$(prom_of srv transmit_bytes)
	[ -n "$prx0" ] && [ -n "$ptx0" ] || fail "no Prometheus series: [$prx0] [$ptx0]"
	ctl exec cli wget -q -O /dev/null "http://$ip/big"
	local rx1 tx1 prx1 ptx1
	rx1=$(stat_of cli netInput)
	tx1=$(stat_of srv netOutput)
	prx1=$(prom_of cli receive_bytes)
	ptx1=$(prom_of srv transmit_bytes)
	echo "cli rx $rx0 -> $rx1, srv tx $tx0 -> $tx1; Prometheus $prx0 -> $prx1, $ptx0 -> $ptx1"
	[ $((rx1 - rx0)) -ge 1048576 ] || fail "cli's netInput rose by $((rx1 - rx0)), less than 1 MiB"
	[ $((tx1 - tx0)) -ge 1048576 ] || fail "srv's netOutput rose by $((tx1 - tx0)), less than 1 MiB"
	[ $((prx1 - prx0)) -ge 1048576 ] || fail "cli's receive_bytes_total rose by $((prx1 - prx0))"
	[ $((ptx1 - ptx0)) -ge 1048576 ] || fail "srv's transmit_bytes_total rose by $((ptx1 - ptx0))"
	[ "$(stat_of cli netInputPackets)" -gt 0 ] || fail "cli's netInputPackets"
	[ "$(stat_of srv netOutputPackets)" -gt 0 ] || fail "srv's netOutputPackets"
	assert_contains "$(ctl stats --no-stream cli)" "NET IO" "the table's column"
	assert_eq "$(ctl --json stats --no-stream alone | jq -c '.[0] | [.netInput, .netOutput]')" "[0,0]" "none's"
	local aid
	aid=$(ctl --json inspect alone | jq -r '.[0].id')
	assert_not_contains "$(ctl metrics)" "id=\"$aid\"" "a series for the none container"
	assert_contains "$(ctl metrics)" "# TYPE corral_container_network_transmit_bytes_total counter" "the family"
}

# iptables' rules, their counters left out (portmap and firewall may use it)
ipt() { inns iptables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//' || true; }
# all a corral container leaves while it lives: leases, bridge ports,
# veths, nft and iptables rules
leak_state() {
	echo "leases:"
	ipam_files
	echo "bridge:"
	inns ip -o link show master corral0 | awk -F': ' '{print $2}' | sed 's/@.*//' | sort || true
	echo "veths and rules:"
	net_state
	echo "iptables:"
	ipt
}
pins_empty() { [ -z "$(ls -A "$STATE_D/networks/netns" 2>/dev/null)" ]; }
# what holds a pin: its mounts, a DEL still pending, a plugin still running
pins_left() {
	ls -la "$STATE_D/networks/netns" "$STATE_D/networks/pending" 2>&1
	grep -F "$STATE_D/networks/netns/" /proc/self/mountinfo
	pgrep -af '^/usr/lib/cni/'
	tail -5 "$T/corrald.log"
}

# 20 run -d -p / rm -f cycles on network corral leave no lease, bridge
# port, veth or rule, and no pinned namespace: the namespace is as it was
# after a first container (which makes the bridge and CNI's chains). (50
# cycles took 94 s of a loaded run; what one cycle leaks, twenty show.)
test_svn_20_cycles_leak_nothing() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name warm -p 18095:80 "$IMG" sleep 100 >/dev/null
	ctl rm -f warm >/dev/null
	wait_for 10 pins_empty
	local before leases_before during start i
	before=$(leak_state)
	leases_before=$(ipam_files)
	ctl run -d --name seen -p 18095:80 "$IMG" sleep 100 >/dev/null
	during=$(leak_state) # what the snapshot sees of one container
	assert_contains "$during" "18095" "a port rule while one runs"
	[ "$(ipam_files)" != "$leases_before" ] || fail "no lease seen while one runs"
	[ "$(diff <(echo "$before") <(echo "$during") | grep -c '^<')" = 0 ] || fail "one container took something away"
	ctl rm -f seen >/dev/null
	start=$(date +%s%N)
	for i in $(seq 20); do
		ctl run -d --name "cyc$i" -p 18095:80 "$IMG" sleep 100 >/dev/null
		ctl rm -f "cyc$i" >/dev/null
	done
	wait_for 30 pins_empty || fail "a pin stays: $(pins_left)"
	echo "20 cycles: $((($(date +%s%N) - start) / 1000000)) ms"
	local after
	after=$(leak_state)
	[ "$after" = "$before" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after"))"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "containers"
}

# The bridge checks each frame's source MAC (macspoofchk): a container
# that speaks as another address (here it changes its own MAC, as a
# forged ARP reply would claim one) is not heard, even with NET_ADMIN and
# NET_RAW, while its neighbour with its own MAC is.
test_svn_a_forged_source_mac_is_dropped() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl run -d --name b "$IMG" sleep 1000 >/dev/null
	# busybox's ping opens a raw socket: NET_RAW, which is not a default any more
	ctl run -d --name honest --cap-add NET_RAW "$IMG" sleep 1000 >/dev/null
	ctl run -d --name forger --cap-add NET_ADMIN --cap-add NET_RAW "$IMG" sleep 1000 >/dev/null
	# ICMP sockets for every group (Docker's default sysctl), which need no NET_RAW
	assert_eq "$(ctl exec b cat /proc/sys/net/ipv4/ping_group_range | tr -s ' \t' ' ')" "0 2147483647" "ping_group_range"
	local ipb
	ipb=$(ctl --json inspect b | jq -r '.[0].networks.corral.ipAddress')
	ipb=${ipb%/*}
	ctl exec honest ping -c 1 -W 2 "$ipb" >/dev/null || fail "the honest neighbour is not heard"
	ctl exec forger ping -c 1 -W 2 "$ipb" >/dev/null || fail "the forger with its own MAC is not heard"
	ctl exec forger sh -c 'ip link set eth0 down && ip link set eth0 address 02:42:de:ad:be:ef &&
		ip link set eth0 up && ip neigh flush dev eth0' || fail "changing the MAC inside"
	! ctl exec forger ping -c 2 -W 2 "$ipb" >/dev/null 2>&1 || fail "a frame from a forged MAC got through"
	inns nft list ruleset | grep -q "ether saddr" || fail "no MAC spoof check in the rules"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
