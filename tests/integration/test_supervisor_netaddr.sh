#!/bin/bash
# Fixed addresses on a CNI network (--ip, --mac-address; compose's
# ipv4_address and mac_address): eth0 has them at each start; Create
# refuses one outside the subnet, the gateway, or one another container
# fixes (naming it only to whom may see it); a start while another holds
# the address fails and leaves nothing. corrald runs in a network
# namespace of the test's own.
# time: about 40 s (3 cases): each starts corrald on CNI bridges
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

addr_of() { ctl exec "$1" ip -o -4 addr show eth0 | awk '{print $4}'; }
mac_of() { ctl exec "$1" cat /sys/class/net/eth0/address; }
veths() { inns ip -o link show type veth | wc -l; }

# --ip and --mac-address at each start, and after corrald's restart;
# what Create refuses, each naming the field
test_netaddr_fixed() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl network create --subnet 172.28.0.0/16 net1 >/dev/null
	ctl run -d --name a --network net1 --ip 172.28.0.10 --mac-address 02:42:ac:1c:00:99 "$IMG" sleep 1000 >/dev/null
	assert_eq "$(addr_of a)" 172.28.0.10/16 "the fixed address"
	assert_eq "$(mac_of a)" 02:42:ac:1c:00:99 "the fixed MAC"
	ctl run -d --name b --network net1 --ip 172.28.0.11 "$IMG" sleep 1000 >/dev/null
	assert_eq "$(mac_of b)" 02:42:ac:1c:00:0b "the MAC of the address, as docker's"
	ctl restart a >/dev/null
	stop_sv && start_sv_netns
	ctl restart b >/dev/null
	assert_eq "$(addr_of a) $(addr_of b)" "172.28.0.10/16 172.28.0.11/16" "kept across restarts"
	local out args
	for args in "--ip 172.28.0.10|is fixed for container a" "--ip 10.0.0.5|not a host's address in network net1's subnet 172.28.0.0/16" \
		"--ip 172.28.0.0|not a host's address" "--ip 172.28.255.255|not a host's address" \
		"--ip 172.28.0.1|is network net1's gateway" "--ip 1.2.3|spec.ipAddress: not an IPv4 or IPv6 address" \
		"--mac-address 03:00:00:00:00:01|spec.macAddress: must be a unicast MAC address" \
		"--mac-address 02:00:00:00:00:zz|spec.macAddress"; do
		out=$(ctl create --network net1 ${args%%|*} "$IMG" true 2>&1) && fail "${args%%|*} was taken: $out"
		assert_contains "$out" "${args#*|}" "${args%%|*}"
	done
	out=$(ctl create --network none --ip 172.28.0.20 "$IMG" true 2>&1) && fail "--ip without a network: $out"
	assert_contains "$out" "spec.ipAddress: a fixed address needs a network" "--ip with network none"
	assert_eq "$(ctl ps -a -q | wc -l)" 2 "the refused creates made nothing"
	ctl rm -f a b >/dev/null
	ctl network rm net1 >/dev/null
}

# an address a container holds (its own, picked by the network) cannot be
# another's at its start: the start fails naming it, leaves no veth or
# lease, and works once the holder has gone; a member is not told whose
# fixed address it asked for, and may not fix a MAC
test_netaddr_in_use() {
	trap cleanup_sv EXIT
	need_cni
	local g
	g=$(getent group 65534 | cut -d: -f1)
	chmod 755 "$T"
	start_sv_netns --group "$g"
	ctl network create --subnet 172.29.0.0/24 net2 >/dev/null
	ctl run -d --name holder --network net2 "$IMG" sleep 1000 >/dev/null
	local held out before
	held=$(addr_of holder)
	held=${held%/*}
	ctl create --name wants --network net2 --ip "$held" "$IMG" sleep 1000 >/dev/null
	before=$(ls "$STATE_D/networks/ipam/net2" | wc -l)
	out=$(ctl start wants 2>&1) && fail "started on an address in use: $out"
	assert_contains "$out" "address $held on network net2 is in use" "the refusal"
	assert_eq "$(status_of wants)" created "after the refused start"
	assert_eq "$(veths)" 1 "no veth of its own left"
	assert_eq "$(ls "$STATE_D/networks/ipam/net2" | wc -l)" "$before" "no lease left"
	ctl rm -f holder >/dev/null
	wait_for 10 sh -c "[ ! -e '$STATE_D/networks/ipam/net2/$held' ]"
	ctl start wants >/dev/null || fail "start once the holder has gone"
	assert_eq "$(addr_of wants)" "$held/24" "the address, now free"
	member_import 4242 m:1
	out=$(mctl 4242 create --network net2 --ip "$held" m:1 true 2>&1) && fail "a member took root's fixed address: $out"
	assert_contains "$out" "is fixed for another user's container" "the member's refusal"
	[[ $out != *wants* ]] || fail "root's container named to a member: $out"
	# a member's MAC could be another container's: the bridge would send
	# it that one's traffic
	out=$(mctl 4242 create --network net2 --mac-address "$(ctl exec wants cat /sys/class/net/eth0/address)" m:1 true 2>&1) &&
		fail "a member fixed a MAC: $out"
	assert_contains "$out" "only root may fix a MAC address" "a member's MAC"
	assert_eq "$(mctl 4242 ps -a -q | wc -l)" 0 "the member's refused creates made nothing"
	ctl rm -f wants >/dev/null
	ctl network rm net2 >/dev/null
}

# the docker CLI's --ip and --mac-address, and compose's ipv4_address and
# mac_address; --ip on the default network is refused in dockerd's words,
# and connect --ip (a further network's) in corral's
test_netaddr_docker() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	dock network create --subnet 172.30.0.0/16 front >/dev/null
	dock run -d --name d1 --network front --ip 172.30.0.40 --mac-address 02:42:ac:1e:00:77 busybox:latest sleep 1000 >/dev/null
	assert_eq "$(dock inspect -f '{{.NetworkSettings.Networks.front.IPAddress}} {{.NetworkSettings.Networks.front.MacAddress}}' d1)" \
		"172.30.0.40 02:42:ac:1e:00:77" "inspect's address and MAC"
	local out
	out=$(dock run --rm --network bridge --ip 172.30.0.41 busybox:latest true 2>&1) && fail "--ip on the default network: $out"
	assert_contains "$out" "user specified IP address is supported on user defined networks only" "dockerd's words"
	# a further network's fixed address is refused, never dropped unsaid
	dock network create --subnet 172.32.0.0/16 side >/dev/null
	out=$(dock network connect --ip 172.32.0.5 side d1 2>&1) && fail "connect --ip was taken: $out"
	assert_contains "$out" "a fixed address on network side, not the container's own, is not supported by corral" "connect --ip"
	dock rm -f d1 >/dev/null
	dock network rm front side >/dev/null

	compose_file <<-'YML'
	version: "3.7"
	services:
	  web:
	    image: busybox:latest
	    command: sh -c 'mkdir -p /www && echo fixed >/www/index.html && exec httpd -f -p 80 -h /www'
	    mac_address: 02:42:ac:1f:00:0a
	    networks:
	      back:
	        ipv4_address: 172.31.0.10
	  client:
	    image: busybox:latest
	    command: sleep 1000
	    networks: [back]
	networks:
	  back:
	    ipam:
	      config:
	        - subnet: 172.31.0.0/16
	YML
	dc fx up -d >"$T/up.out" 2>&1 || fail "compose up: $(cat "$T/up.out")"
	assert_eq "$(dock exec fx_web_1 cat /sys/class/net/eth0/address)" 02:42:ac:1f:00:0a "compose's mac_address"
	wait_for 10 dock exec fx_client_1 wget -q -O- http://172.31.0.10/
	assert_eq "$(dock exec fx_client_1 wget -q -O- http://172.31.0.10/)" fixed "the client reaches web at its fixed address"
	dc fx down >"$T/down.out" 2>&1 || fail "compose down: $(cat "$T/down.out")"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container after down"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
