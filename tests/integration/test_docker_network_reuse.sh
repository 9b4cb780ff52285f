#!/bin/bash
# Networks made after a removal: a removed network takes its bridge with it
# (the CNI bridge plugin makes it and nothing else removes it), so the next
# network given that bridge's name, with another subnet, works; a bridge a
# crash left is removed at start, and one a user named is not; compose's
# up, down, up works any number of times. corrald runs in a network
# namespace of the test's own.
# time: about 60 s (3 cases): CNI's plugins for each run, and six docker-compose calls
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
. "$(dirname "$0")/network_lib.sh"

bridges() { inns ip -o link show type bridge | awk -F': ' '{print $2}' | sort | tr '\n' ' '; }
bridge_of() { ctl --json network inspect "$1" | jq -r .bridge; }

# Three networks in turn, each with a subnet of its own and the same
# bridge name (corral1): each one's container has its address and reaches
# its gateway; after each rm no bridge of it is left
test_dknr_a_removed_network_takes_its_bridge() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	local i out
	for i in 1 2 3; do
		dock network create --subnet "10.89.7$i.0/24" "n$i" >/dev/null
		assert_eq "$(bridge_of "n$i")" corral1 "n$i's bridge, the first free name"
		out=$(dock run --rm --network "n$i" --cap-add NET_RAW busybox:latest sh -c 'ip -o -4 addr show eth0; ping -c 1 -W 5 10.89.7'"$i"'.1 >/dev/null && echo reached' 2>&1) ||
			fail "a container on n$i: $out"
		assert_contains "$out" "inet 10.89.7$i." "n$i's address"
		assert_contains "$out" reached "n$i's gateway"
		assert_contains "$(inns ip -o -4 addr show corral1)" "10.89.7$i.1/24" "the bridge has n$i's gateway"
		dock network rm "n$i" >/dev/null
		assert_not_contains "$(bridges)" corral1 "n$i's bridge, after its rm"
	done
}

# A corral<N> bridge that no network names (left by a crash) is removed at
# start, and one with a name corral did not pick, or a device that is no
# bridge, is not. One that appears later is named around.
test_dknr_a_bridge_left_by_a_crash() {
	trap cleanup_sv EXIT
	need_cni
	: >"$T/netns" # as start_sv_netns makes it, with what a crash left in it
	unshare --net="$T/netns" true
	inns ip link set lo up
	inns ip link add corral5 type bridge
	inns ip addr add 10.89.5.1/24 dev corral5
	inns ip link add br-mine type bridge
	inns ip link add corral6 type veth peer name corral6p
	start_sv_netns $(docker_flags)
	assert_eq "$(bridges)" "br-mine " "bridges after the start"
	inns ip link show corral6 >/dev/null 2>&1 || fail "a device that is no bridge was removed"
	grep -q "removed bridge corral5, which no network names" "$T/corrald.log" || fail "the removal not logged"
	inns ip link add corral1 type bridge
	dock network create later >/dev/null
	assert_eq "$(bridge_of later)" corral2 "a network made beside a leftover corral1"
	dock network rm later >/dev/null
	assert_eq "$(bridges)" "br-mine corral1 " "bridges after its rm"
}

# docker-compose 1.29: up, down, up, down, up, down, each time the project's
# network made anew on a bridge of the same name with another subnet
test_dknr_compose_up_down_three_times() {
	trap cleanup_sv EXIT
	need_cni
	command -v docker-compose >/dev/null || skip "no docker-compose"
	start_sv_netns $(docker_flags)
	import_busybox
	mkdir "$T/proj"
	cat >"$T/proj/docker-compose.yml" <<-'YML'
	version: "3"
	services:
	  web:
	    image: busybox:latest
	    command: sh -c 'mkdir -p /www && echo up >/www/index.html && exec httpd -f -p 80 -h /www'
	  client:
	    image: busybox:latest
	    command: sleep 1000
	networks:
	  default:
	    ipam:
	      config:
	        - subnet: 10.89.6${ROUND}.0/24
	YML
	local dc=(env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p again -f "$T/proj/docker-compose.yml")
	local i
	for i in 1 2 3; do
		ROUND=$i "${dc[@]}" up -d >"$T/up.out" 2>&1 || fail "compose up, time $i: $(cat "$T/up.out")"
		wait_for 10 sh -c "'$CORRALCTL' --socket '$SOCK' exec again_client_1 wget -q -O- http://web/ | grep -qx up"
		assert_contains "$(inns ip -o -4 addr show corral1)" "10.89.6$i.1/24" "the bridge, up $i"
		ROUND=$i "${dc[@]}" down >"$T/down.out" 2>&1 || fail "compose down, time $i: $(cat "$T/down.out")"
		assert_eq "$(dock network ls --format '{{.Name}}' | grep -c again)" 0 "the project's network, after down $i"
		assert_not_contains "$(bridges)" corral1 "its bridge, after down $i"
	done
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
