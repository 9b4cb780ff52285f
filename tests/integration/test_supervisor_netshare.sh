#!/bin/bash
# A container on another's network (--network container:NAME): it joins
# that container's network namespace at each start, with its /etc/hosts,
# /etc/hostname, resolv.conf and hostname, through corralctl, the docker
# CLI and docker-compose (network_mode: service:); what it may not ask
# for beside it; a member reaches only its own containers' namespaces;
# nothing is left pinned once a start is over. corrald runs in a network
# namespace of the test's own.
# time: about 50 s (4 cases): each starts corrald, two on a CNI bridge
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

idof() { ctl --json inspect "$1" | jq -r '.[0].id'; }
netns_of() { ctl exec "$1" readlink /proc/self/ns/net; }
# no pin of the container's left, in its directory or in the mount table
unpinned_ctr() { [ ! -e "$STATE_D/containers/$1/netns" ] && ! grep -q "$1/netns" /proc/self/mountinfo; }

# root's: the joiner reaches web's server on 127.0.0.1, has web's names,
# namespace and address; inspect names web by its id; no pin is left
test_netshare_joins() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	web web
	wait_for 10 ctl exec web wget -q -O- http://127.0.0.1/
	local wid out
	wid=$(idof web)
	ctl create --name side --network container:web "$IMG" sh -c \
		'wget -q -O- http://127.0.0.1/; hostname; cat /etc/hostname; readlink /proc/self/ns/net; ip -o -4 addr show eth0 | awk "{print \$4}"; cat /etc/hosts' \
		>/dev/null || fail "create on web's network"
	local sid
	sid=$(idof side)
	out=$(ctl start -a side) || fail "start -a side: $out"
	local want_ns want_ip
	want_ns=$(netns_of web)
	want_ip=$(ctl exec web ip -o -4 addr show eth0 | awk '{print $4}')
	assert_eq "$(sed -n 1p <<<"$out")" "hello from web" "web's server on 127.0.0.1"
	assert_eq "$(sed -n 2,3p <<<"$out" | tr '\n' ' ')" "web web " "web's hostname and /etc/hostname"
	assert_eq "$(sed -n 4p <<<"$out")" "$want_ns" "web's network namespace"
	assert_eq "$(sed -n 5p <<<"$out")" "$want_ip" "web's address on eth0"
	assert_eq "$(sed -n '6,$p' <<<"$out")" "$(ctl exec web cat /etc/hosts)" "web's /etc/hosts"
	assert_eq "$(ctl --json inspect side | jq -r '.[0].networkContainer')" "$wid" "inspect: the id it resolved"
	assert_eq "$(ctl --json inspect side | jq -r '.[0].config.network')" "container:web" "inspect: the spec as given"
	unpinned_ctr "$sid" || fail "the pin of side's start is left"
	# web restarted: a new namespace, which side's next start joins
	ctl restart web >/dev/null
	local ns2
	ns2=$(netns_of web)
	[ "$ns2" != "$want_ns" ] || fail "web's namespace after a restart is the old one"
	out=$(ctl start -a side) || fail "start -a side again: $out"
	assert_eq "$(sed -n 4p <<<"$out")" "$ns2" "the namespace of web's new run"
	# kept by id across corrald's restart, and after web is renamed
	ctl rename web web2 >/dev/null
	stop_sv && start_sv_netns
	out=$(ctl start -a side) || fail "start -a side after a corrald restart: $out"
	assert_eq "$(sed -n 4p <<<"$out")" "$ns2" "joined by id, though renamed"
	ctl rm -f side web2 >/dev/null
	unpinned_ctr "$sid" || fail "a pin is left after rm"
}

# what a joiner may not have, each refused at create naming the field and
# leaving nothing; a start while the other is not running, or gone, is
# refused naming it and leaves no pin, nor the secrets delivered for it;
# no checkpoint of it
test_netshare_refusals() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name box --network loopback "$IMG" sleep 1000 >/dev/null
	local out flag
	out=$(ctl create --network container:nosuch "$IMG" true 2>&1) && fail "an unknown container was taken: $out"
	assert_contains "$out" "spec.network: no such container: nosuch" "an unknown container"
	out=$(ctl create --network container: "$IMG" true 2>&1) && fail "container: alone was taken: $out"
	assert_contains "$out" "container: needs a container's id or name" "container: alone"
	for flag in "--hostname h:spec.hostname" "--dns 10.0.0.1:spec.dns" "--add-host a=10.0.0.2:spec.extraHosts" \
		"--network-alias a:spec.networkAliases" "--publish 8080:80:spec.ports"; do
		set -- ${flag%:*}
		out=$(ctl create --network container:box "$@" "$IMG" true 2>&1) && fail "$1 beside container: was taken: $out"
		assert_contains "$out" "${flag##*:}" "$1 beside container:"
	done
	ctl run -d --name hostnet --network host "$IMG" sleep 1000 >/dev/null
	out=$(ctl create --network container:hostnet "$IMG" true 2>&1) && fail "the host's network by way of a container: $out"
	assert_contains "$out" "container hostnet is on the host's network: ask for network host" "a host-network container"
	assert_eq "$(ctl ps -a -q | wc -l)" 2 "nothing made by the refused creates"
	echo -n s3cret | ctl secret create tok - >/dev/null
	ctl create --name side --network container:box --secret tok "$IMG" sleep 1000 >/dev/null
	local sid
	sid=$(idof side)
	ctl stop -t 0 box >/dev/null
	out=$(ctl start side 2>&1) && fail "started while box is stopped: $out"
	assert_contains "$out" "cannot join the network of container box: it is exited" "box stopped"
	unpinned_ctr "$sid" || fail "a refused start left its pin"
	# the secrets delivered for the start (a feature before the network's) go with it
	! grep -q "$sid/secrets" /proc/self/mountinfo || fail "a refused start left its secrets mounted"
	ctl start box >/dev/null
	ctl start side >/dev/null || fail "start once box runs"
	out=$(ctl checkpoint side 2>&1) && fail "a checkpoint of a joiner was taken: $out"
	assert_contains "$out" "on another container's network namespace" "checkpoint"
	ctl rm -f box >/dev/null
	ctl stop -t 0 side >/dev/null
	out=$(ctl start side 2>&1) && fail "started with box gone: $out"
	assert_contains "$out" "is gone" "box removed"
	unpinned_ctr "$sid" || fail "a refused start left its pin"
	assert_eq "$(status_of side)" exited "side after the refused start"
}

# a member joins its own container's namespace, never root's or another
# member's (by name or id: they are not there for it); root joins a
# member's container
test_netshare_members() {
	trap cleanup_sv EXIT
	start_sv_group
	member_import 4242 bb:latest
	member_import 4243 bb:latest
	ctl run -d --name rootbox --network loopback "$IMG" sleep 1000 >/dev/null
	mctl 4242 run -d --name mine --network loopback bb:latest sh -c \
		'mkdir -p /www && echo mine >/www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
	mctl 4243 run -d --name theirs --network loopback bb:latest sleep 1000 >/dev/null
	wait_for 10 mctl 4242 exec mine wget -q -O- http://127.0.0.1:8080/
	local out ref
	assert_eq "$(mctl 4242 run --rm --network container:mine bb:latest wget -q -O- http://127.0.0.1:8080/)" mine \
		"a member's joiner reaches its container's server"
	for ref in rootbox "$(idof rootbox)" theirs "$(idof theirs@4243)"; do
		out=$(mctl 4242 create --network container:"$ref" bb:latest true 2>&1) && fail "member joined $ref: $out"
		assert_contains "$out" "no such container: $ref" "a member and $ref"
	done
	# ports below 1024 are any user's in a container's own network
	# (Docker's default), so a joiner's too: no privilege is asked
	assert_eq "$(mctl 4242 run --rm --network container:mine bb:latest sh -c \
		'httpd -p 80 -h / && netstat -ltn | grep -c ":80 "' 2>&1)" 1 "a member's joiner binds port 80 in its own network"
	assert_eq "$(ctl run --rm --network container:mine@4242 "$IMG" wget -q -O- http://127.0.0.1:8080/)" mine \
		"root's joiner in a member's namespace"
	assert_eq "$(mctl 4242 ps -a -q | wc -l)" 1 "the member's refused creates made nothing"
}

# the docker CLI: run --network container:web, NetworkMode by web's id,
# dockerd's refusals beside it in its words, no network connect; compose's
# network_mode: service:web
test_netshare_docker() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	dock run -d --name web busybox:latest sh -c \
		'mkdir -p /www && echo "hello from $(hostname)" >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	wait_for 10 dock exec web wget -q -O- http://127.0.0.1/
	local out wid
	wid=$(dock inspect -f '{{.Id}}' web)
	dock run -d --name side --network container:web busybox:latest sleep 1000 >/dev/null
	assert_eq "$(dock exec side wget -q -O- http://127.0.0.1/)" "hello from web" "web's server from side"
	assert_eq "$(dock inspect -f '{{.HostConfig.NetworkMode}}' side)" "container:$wid" "NetworkMode by web's id"
	assert_eq "$(dock inspect -f '{{len .NetworkSettings.Networks}}' side)" 0 "no network of its own"
	out=$(dock run --network container:web -p 8080:80 busybox:latest true 2>&1) && fail "-p beside container:: $out"
	assert_contains "$out" "conflicting options: port publishing and the container type network mode" "-p"
	out=$(dock run --network container:web -h other busybox:latest true 2>&1) && fail "-h beside container:: $out"
	assert_contains "$out" "conflicting options: hostname and the network mode" "-h"
	out=$(dock run --network container:web --add-host a:10.0.0.1 busybox:latest true 2>&1) && fail "--add-host: $out"
	assert_contains "$out" "conflicting options: custom host-to-IP mapping and the network mode" "--add-host"
	dock network create net2 >/dev/null
	out=$(dock network connect net2 side 2>&1) && fail "connected a joiner: $out"
	assert_contains "$out" "cannot be connected to any other network" "network connect"
	dock rm -f side web >/dev/null
	dock network rm net2 >/dev/null

	compose_file <<-'YML'
	version: "3.7"
	services:
	  web:
	    image: busybox:latest
	    command: sh -c 'mkdir -p /www && echo hello-compose >/www/index.html && exec httpd -f -p 80 -h /www'
	  side:
	    image: busybox:latest
	    command: sleep 1000
	    network_mode: service:web
	YML
	dc ns up -d >"$T/up.out" 2>&1 || fail "compose up: $(cat "$T/up.out")"
	wait_for 10 dock exec ns_web_1 wget -q -O- http://127.0.0.1/
	assert_eq "$(dock exec ns_side_1 wget -q -O- http://127.0.0.1/)" hello-compose "side reaches web on 127.0.0.1"
	dc ns down >"$T/down.out" 2>&1 || fail "compose down: $(cat "$T/down.out")"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container after down"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
