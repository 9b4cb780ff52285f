#!/bin/bash
# docker network connect and disconnect, through the docker CLI and
# docker-compose against corrald's Docker socket: a further interface in a
# running container (and its names on that network), one recorded for a
# stopped container's next start, kept across a corrald restart, and
# nothing left (veth, rule, lease, record) once the container goes.
# corrald runs in a network namespace of the test's own.
# time: about 130 s (7 cases): each starts corrald with CNI networks and drives it through the docker CLI or docker-compose; every connect, disconnect and restart runs CNI's plugins
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

HTTPD='mkdir -p /www && echo "hello from $(hostname)" >/www/index.html && exec httpd -f -p 80 -h /www'
veths() { inns ip -o link show type veth | wc -l; }
ifaces_of() { dock exec "$1" ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^eth' | sort | tr '\n' ' '; }
idof() { ctl --json inspect "$1" | jq -r '.[0].id'; }
leases_of() { grep -rl "$1" "$STATE_D/networks/ipam" 2>/dev/null | wc -l; }
# nothing of container id left: no pin, no record, no lease, no rule
gone_clean() { unpinned "$1" && [ "$(leases_of "$1")" = 0 ] && ! ls "$STATE_D/networks/pending" 2>/dev/null | grep -q "$1"; }
no_rule_of() { ! inns iptables-save 2>/dev/null | grep -q "$1" && ! rules | grep -q "$1"; }

# connect --alias to a running container: eth1 at once, its alias and name
# resolve for a container on that network, which reaches it; inspect lists
# both networks; disconnect takes eth1 away (and its veth); rm -f leaves
# nothing
test_dknc_running_connect_disconnect() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	dock network create net2 >/dev/null
	dock run -d --name box busybox:latest sh -c "$HTTPD" >/dev/null
	dock run -d --name peer --network net2 busybox:latest sleep 1000 >/dev/null
	assert_eq "$(veths)" 2 "one veth each"
	dock network connect --alias a2 net2 box || fail "network connect"
	assert_eq "$(ifaces_of box)" "eth0 eth1 " "box's interfaces"
	assert_contains "$(dock exec box ip -o addr show eth1)" "inet " "eth1's address"
	assert_eq "$(veths)" 3 "a veth for eth1"
	assert_eq "$(dock inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' box)" "corral net2 " "inspect's networks"
	assert_eq "$(dock ps --filter network=net2 --format '{{.Names}}' | sort | tr '\n' ' ')" "box peer " "ps --filter network=NAME"
	assert_eq "$(dock ps --filter "network=$(dock network inspect -f '{{.Id}}' net2 | cut -c1-12)" --filter network=corral \
		--format '{{.Names}}' | sort | tr '\n' ' ')" "box peer " "network=ID, or another"
	assert_eq "$(dock ps --filter network=bridge --format '{{.Names}}')" box "network=bridge: corral's default network"
	local ip2
	ip2=$(dock inspect -f '{{(index .NetworkSettings.Networks "net2").IPAddress}}' box)
	assert_contains "$(dock exec box ip -o addr show eth1)" "inet $ip2/" "inspect's address is eth1's"
	assert_contains "$(dock exec peer wget -q -O- http://a2/)" "hello from" "peer reaches box by its alias"
	assert_contains "$(dock exec peer wget -q -O- http://box/)" "hello from" "... and by its name"
	assert_contains "$(dock exec peer cat /etc/hosts)" "$ip2" "box's net2 address in peer's hosts"
	# network inspect lists the attached, as dockerd's endpoints
	assert_eq "$(dock network inspect -f '{{range $id, $c := .Containers}}{{$c.Name}}={{$c.IPv4Address}} {{end}}' net2 | tr ' ' '\n' | grep . | sort | tr '\n' ' ')" \
		"box=$ip2/24 peer=$(dock inspect -f '{{(index .NetworkSettings.Networks "net2").IPAddress}}' peer)/24 " "net2's containers"
	local out
	out=$(dock network connect net2 box 2>&1) && fail "a second connect to net2 succeeded"
	assert_contains "$out" "already connected to network net2" "the error"
	out=$(dock network disconnect corral box 2>&1) && fail "the first network was taken away"
	dock network disconnect net2 box || fail "network disconnect"
	assert_eq "$(ifaces_of box)" "eth0 " "eth1 is gone inside"
	assert_eq "$(veths)" 2 "its veth is gone"
	assert_eq "$(dock inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' box)" "corral " "inspect's networks, after"
	assert_eq "$(dock network inspect -f '{{range $id, $c := .Containers}}{{$c.Name}} {{end}}' net2)" "peer " "net2's containers, after"
	wait_for 10 sh -c "! grep -q ' a2' '$STATE_D/networks/names/net2'"
	! dock exec peer cat /etc/hosts | grep -q "$ip2" || fail "peer still lists box's net2 address"
	out=$(dock network disconnect net2 box 2>&1) && fail "a second disconnect succeeded"
	assert_contains "$out" "not connected to network net2" "the error"
	dock network connect net2 box || fail "connect again"
	local id
	id=$(idof box)
	dock rm -f box peer >/dev/null
	wait_for 10 gone_clean "$id"
	assert_eq "$(veths)" 0 "no veth left"
	no_rule_of "$id" || fail "a rule of box is left: $(inns iptables-save | grep "$id")"
	dock network rm net2 >/dev/null || fail "net2 is still held"
}

# connect a created container: recorded, inspect lists it; at start both
# interfaces; a corrald restart keeps it (the stop and start after it too);
# rm -f after the restart leaves nothing
test_dknc_stopped_connect_and_restart() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	dock network create net2 >/dev/null
	dock network create net3 >/dev/null
	dock create --name box busybox:latest sh -c "$HTTPD" >/dev/null
	dock network connect --alias b2 net2 box || fail "connect a created container"
	dock network connect net3 box || fail "connect it to a third"
	dock network disconnect net3 box || fail "disconnect a created container"
	assert_eq "$(dock inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' box)" "net2 " "recorded for its start"
	assert_eq "$(veths)" 0 "nothing attached before the start"
	dock start box >/dev/null
	assert_eq "$(ifaces_of box)" "eth0 eth1 " "both at its start"
	dock run -d --name peer --network net2 busybox:latest sleep 1000 >/dev/null
	assert_contains "$(dock exec peer wget -q -O- http://b2/)" "hello from" "peer reaches it by its alias"
	local id
	id=$(idof box)
	stop_sv
	start_sv_netns $(docker_flags)
	assert_eq "$(ifaces_of box)" "eth0 eth1 " "still both after corrald's restart"
	assert_contains "$(dock exec peer wget -q -O- http://b2/)" "hello from" "its alias still resolves"
	dock stop -t 1 box >/dev/null
	wait_for 10 unpinned "$id"
	assert_eq "$(veths)" 1 "its two veths went with its end"
	dock start box >/dev/null
	assert_eq "$(ifaces_of box)" "eth0 eth1 " "both again at the next start"
	stop_sv
	start_sv_netns $(docker_flags)
	dock rm -f box peer >/dev/null
	wait_for 10 gone_clean "$id"
	assert_eq "$(veths)" 0 "no veth left"
	no_rule_of "$id" || fail "a rule of box is left"
}

# A member connects its own container, never another member's; nor may
# it connect a container whose network is none
test_dknc_member_connects_only_its_own() {
	trap cleanup_sv EXIT
	need_cni
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	chmod 755 "$T"
	start_sv_netns --group "$g" $(docker_flags)
	cp "$IMGS/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	mctl 4343 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	dock network create net2 >/dev/null
	dockm 4242 create --name a m:1 sleep 1000 >/dev/null || fail "4242's create"
	dockm 4343 create --name b --network none m:1 sleep 1000 >/dev/null || fail "4343's create"
	local out
	out=$(dockm 4343 network connect net2 a 2>&1) && fail "4343 connected 4242's container"
	assert_contains "$out" "No such container" "4343's error"
	out=$(mctl 4343 network connect net2 a 2>&1) && fail "4343 connected 4242's container through corralctl"
	assert_eq "$(dock inspect -f '{{len .NetworkSettings.Networks}}' a@4242)" 0 "a has no further network"
	out=$(dockm 4343 network connect net2 b 2>&1) && fail "a container with network none was connected"
	assert_contains "$out" "takes no further network" "the error"
	dockm 4242 network connect net2 a || fail "4242 connects its own"
	out=$(dockm 4343 network disconnect net2 a 2>&1) && fail "4343 disconnected 4242's container"
	mctl 4242 network disconnect net2 a || fail "4242 disconnects its own through corralctl"
	out=$(dockm 4242 network connect nosuch a 2>&1) && fail "a missing network was connected"
	assert_contains "$out" "network nosuch not found" "the error"
}

# docker-compose 1.29: a service on two networks is created on the first
# and connected to the second before its start; each network's other
# service reaches it by its service name
test_dknc_compose_service_on_two_networks() {
	trap cleanup_sv EXIT
	command -v docker-compose >/dev/null || skip "no docker-compose"
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	mkdir -p "$T/proj"
	cat >"$T/proj/docker-compose.yml" <<-'YML'
	version: "3.7"
	services:
	  web:
	    image: busybox:latest
	    command: sh -c 'mkdir -p /www && echo hello-two >/www/index.html && exec httpd -f -p 80 -h /www'
	    networks: [front, back]
	  fclient:
	    image: busybox:latest
	    command: sleep 1000
	    networks: [front]
	  bclient:
	    image: busybox:latest
	    command: sleep 1000
	    networks: [back]
	networks:
	  front:
	  back:
	YML
	local dc=(env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p two -f "$T/proj/docker-compose.yml")
	"${dc[@]}" up -d >"$T/up.out" 2>&1 || fail "compose up: $(cat "$T/up.out")"
	assert_eq "$(ifaces_of two_web_1)" "eth0 eth1 " "web's interfaces"
	assert_eq "$(dock exec two_fclient_1 wget -q -O- http://web/)" hello-two "front reaches web by its service name"
	assert_eq "$(dock exec two_bclient_1 wget -q -O- http://web/)" hello-two "back reaches web by its service name"
	"${dc[@]}" down >"$T/down.out" 2>&1 || fail "compose down: $(cat "$T/down.out")"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container after down"
	wait_for 10 sh -c "[ \$(nsenter --net='$T/netns' ip -o link show type veth | wc -l) = 0 ]"
	assert_eq "$(dock network ls --format '{{.Name}}' | grep -c '^two_')" 0 "the networks are gone"
}

# Network Ids: 64 hex digits, as dockerd's (ls -q shows 12; events give
# them). inspect, rm, connect, disconnect and run's --network take the
# name, the Id or a prefix of it that only one Id has; a prefix that more
# have is an error naming it. A container's NetworkID is its network's Id.
test_dknc_network_ids() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	local id id2 pre amb out t0
	t0=$(date +%s)
	id=$(dock network create n1)
	[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "create's Id: $id"
	# its create event names it by its Id too, as dockerd's
	assert_contains "$(dock events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=network \
		--format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}')" "create $id n1" "the create event"
	pre=${id:0:12}
	assert_eq "$(dock network inspect -f '{{.Name}} {{.Id}}' n1)" "n1 $id" "inspect by name"
	assert_eq "$(dock network inspect -f '{{.Name}} {{.Id}}' "$id")" "n1 $id" "inspect by Id"
	assert_eq "$(dock network inspect -f '{{.Name}} {{.Id}}' "$pre")" "n1 $id" "inspect by a prefix"
	dock network ls -q | grep -qx "$pre" || fail "ls -q: $(dock network ls -q | tr '\n' ' ')"
	assert_eq "$(dock network ls -q | grep -cvE '^[0-9a-f]{12}$')" 0 "ls -q shows 12 digits each"
	assert_eq "$(dock network ls -q --filter "id=${id:0:8}")" "$pre" "ls's id filter"
	dock run -d --name box --network "$pre" busybox:latest sleep 1000 >/dev/null || fail "run --network PREFIX"
	assert_eq "$(dock inspect -f '{{(index .NetworkSettings.Networks "n1").NetworkID}}' box)" "$id" "box's NetworkID"
	assert_eq "$(ctl --json inspect box | jq -r '.[0].NetworkSettings.Networks.n1.NetworkID // empty')" "$id" \
		"corralctl inspect's NetworkID"
	id2=$(dock network create n2)
	dock network connect "${id2:0:6}" box || fail "connect by a prefix"
	assert_eq "$(dock inspect -f '{{(index .NetworkSettings.Networks "n2").NetworkID}}' box)" "$id2" "n2's NetworkID"
	dock network disconnect "$id2" box || fail "disconnect by Id"
	assert_eq "$(dock inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' box)" "n1 " "box's networks, after"
	# a digit two Ids start with (there are five: corral, host, none, n1, n2)
	amb=$(dock network ls -q --no-trunc | cut -c1 | sort | uniq -d | head -1)
	[ -n "$amb" ] || fail "no two Ids start alike: $(dock network ls -q | tr '\n' ' ')"
	out=$(dock network connect "$amb" box 2>&1) && fail "an ambiguous prefix was connected"
	assert_contains "$out" "network $amb is ambiguous" "the error"
	assert_contains "$(curl -s --unix-socket "$S/docker.sock" "http://d/v1.41/networks/$amb")" \
		"{\"message\":\"network $amb is ambiguous" "the API's error"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S/docker.sock" "http://d/v1.41/networks/$amb")" 404 \
		"its status"
	dock rm -f box >/dev/null
	dock network rm "$pre" >/dev/null || fail "rm by a prefix"
	dock network rm "$id2" >/dev/null || fail "rm by Id"
	assert_eq "$(dock network ls --format '{{.Name}}' | grep -c '^n[12]$')" 0 "both are gone"
	# a removed network is "destroy"ed, as dockerd says
	assert_contains "$(dock events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=network \
		--format '{{.Action}} {{.Actor.ID}}')" "destroy $id2" "the rm's event"
}

# The hosts file of a container on two networks lists the peers of both,
# each with its address there, an alias on the second too; a peer on both
# under its first network's address; a peer on one network only sees
# nothing of the other's; a disconnect takes that network's names away
resolves() { # FROM NAME: the address NAME answers ping at, from FROM
	local out
	out=$(dock exec "$1" ping -c 1 -W 2 "$2") && echo "$out" | sed -n '1s/^PING [^ ]* (\([^)]*\)).*/\1/p'
}
answers_at() { [ "$(resolves "$1" "$2")" = "$3" ]; }
unresolved() { dock exec "$1" ping -c 1 -W 2 "$2" 2>&1 | grep -q "bad address"; }
ip_on() { dock inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }
test_dknc_hosts_of_two_networks() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	dock network create n1 >/dev/null
	dock network create n2 >/dev/null
	# a: on n1, connected to n2 before its start; d: on both, connected
	# while it runs; b on n1 only, c on n2 only, with an alias there. ping
	# needs NET_RAW, which corral's default set leaves out; a name that is
	# in no hosts file fails at once at a nameserver that is not there
	# (the host's is out of the namespace's reach: 5 s a lookup)
	local ping=(--cap-add NET_RAW --dns 127.0.0.1)
	dock create --name a "${ping[@]}" --network n1 busybox:latest sleep 1000 >/dev/null
	dock network connect n2 a || fail "connect a"
	dock start a >/dev/null
	dock run -d --name b "${ping[@]}" --network n1 busybox:latest sleep 1000 >/dev/null
	dock run -d --name c "${ping[@]}" --network n2 --network-alias calias busybox:latest sleep 1000 >/dev/null
	dock run -d --name d --network n1 busybox:latest sleep 1000 >/dev/null
	dock network connect n2 d || fail "connect d"
	wait_for 10 answers_at a calias "$(ip_on c n2)" || fail "a's hosts: $(dock exec a cat /etc/hosts)"
	assert_eq "$(resolves a b)" "$(ip_on b n1)" "a reaches b at its n1 address"
	assert_eq "$(resolves a c)" "$(ip_on c n2)" "a reaches c at its n2 address"
	assert_eq "$(resolves a calias)" "$(ip_on c n2)" "... and by its alias there"
	assert_eq "$(resolves a d)" "$(ip_on d n1)" "a reaches d, on both, at its first network's address"
	assert_eq "$(resolves c a)" "$(ip_on a n2)" "c reaches a at its n2 address"
	assert_eq "$(resolves c d)" "$(ip_on d n2)" "c reaches d at its n2 address"
	assert_eq "$(dock exec a grep -cw d /etc/hosts)" 1 "d is listed once in a's hosts"
	unresolved b c || fail "b resolves c: $(dock exec b cat /etc/hosts)"
	unresolved b calias || fail "b resolves calias"
	unresolved c b || fail "c resolves b"
	dock network disconnect n2 a || fail "disconnect a from n2"
	wait_for 10 unresolved a c
	unresolved a calias || fail "a still resolves calias"
	assert_eq "$(resolves a b)" "$(ip_on b n1)" "a still reaches b"
	wait_for 10 unresolved c a
	dock rm -f a b c d >/dev/null
	dock network rm n1 n2 >/dev/null || fail "the networks are still held"
}

# a connect while the DEL of the disconnect before it waits to be tried
# again (tuning killed in it): the new attachment takes another interface,
# as the DEL, when it runs, finds what to delete by container and
# interface; once it has run the new one is still there
test_dknc_reconnect_while_a_del_waits() {
	trap cleanup_sv EXIT
	need_cni
	wrap_cni "$KILL_DEL" tuning "$T/killed"
	start_sv_netns $(docker_flags)
	import_busybox
	dock network create net2 >/dev/null
	dock run -d --name box busybox:latest sleep 1000 >/dev/null
	dock network connect net2 box || fail "network connect"
	local out
	out=$(dock network disconnect net2 box 2>&1) && fail "the disconnect succeeded with its DEL killed: $out"
	assert_contains "$out" "CNI plugin tuning" "what the disconnect says"
	wait_for 10 grep -q "DEL: CNI plugin tuning: exit 137.*tried again in a while" "$T/corrald.log" ||
		fail "the disconnect's DEL did not fail: $(tail -3 "$T/corrald.log")"
	dock network connect net2 box || fail "connect again"
	wait_for 20 sh -c "[ -z \"\$(ls -A '$STATE_D/networks/pending' 2>/dev/null)\" ]" || fail "the DEL was not tried again"
	assert_contains "$(cat "$T/corrald.log")" "is run again" "what corrald says of the DEL"
	assert_eq "$(ifaces_of box)" "eth0 eth2 " "box's interfaces"
	assert_eq "$(veths)" 2 "its veths"
	local ip2
	ip2=$(dock inspect -f '{{(index .NetworkSettings.Networks "net2").IPAddress}}' box)
	assert_contains "$(dock exec box ip -o addr show eth2)" "inet $ip2/" "eth2's address"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
