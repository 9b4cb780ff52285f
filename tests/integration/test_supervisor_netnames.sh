#!/bin/bash
# Networks as files and a container's names: network create/ls/inspect/rm
# over conflists in corrald's cni-config-dir (refusals named), and the
# /etc/hosts and /etc/resolv.conf corrald gives a container under
# --network none, with --add-host, --dns and --hostname. No CNI plugin
# runs here; corrald still runs in a network namespace of its own
# (unshare -n), so nothing of the host's network is ever in reach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"

# corrald in a new network namespace, its networks in $T/net.d
start_netns_sv() {
	command -v unshare >/dev/null || { skip "no unshare(1) to give corrald a network namespace"; return 1; }
	printf '#!/bin/sh\nexec unshare -n %s "$@"\n' "$B/bin/corrald" >"$T/corrald-netns"
	chmod +x "$T/corrald-netns"
	CORRALD="$T/corrald-netns"
	printf 'cni-config-dir = %s/net.d\n' "$T" >"$T/corrald.conf"
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
}

# ctl_fails WHAT ARGS...: the call fails, and its message is printed
ctl_fails() {
	local what=$1 out rc=0
	shift
	out=$(ctl "$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "$what: corralctl $* succeeded: $out"
	printf '%s\n' "$out"
}

test_netnames_network_verbs() {
	trap cleanup_sv EXIT
	start_netns_sv || return 0
	# the default network is made on first use
	[ ! -e "$T/net.d/corral.conflist" ] || fail "corral.conflist before any use"
	assert_eq "$(ctl network ls --format '{{.Name}} {{.Subnet}} {{.Gateway}} {{.Bridge}} {{.Internal}}')" \
		"corral 10.88.0.0/16 10.88.0.1 corral0 false" "the default network"
	assert_eq "$(jq -r '.plugins | map(.type) | join(",")' "$T/net.d/corral.conflist")" \
		"bridge,portmap,firewall,tuning" "its plugins"
	assert_eq "$(jq -r '.plugins[1].capabilities.portMappings' "$T/net.d/corral.conflist")" true "portMappings"
	# a second one takes the next subnet and bridge
	assert_eq "$(ctl network create front)" front "create front"
	assert_eq "$(ctl network inspect front | jq -r '[.subnet, .gateway, .bridge, .internal] | join(" ")')" \
		"10.89.0.0/24 10.89.0.1 corral1 false" "front"
	# internal: no gateway on the bridge, no masquerade, no route out
	ctl network create --subnet 10.90.0.0/16 --gateway 10.90.0.254 --internal back >/dev/null
	local f="$T/net.d/back.conflist"
	assert_eq "$(jq -r '.plugins[0] | [.bridge, .isGateway, .ipMasq, (.ipam.routes // "none")] | join(" ")' "$f")" \
		"corral2 false false none" "back's bridge"
	assert_eq "$(jq -r '.plugins[0].ipam.ranges[0][0] | .subnet + " " + .gateway' "$f")" "10.90.0.0/16 10.90.0.254" \
		"back's range"
	assert_eq "$(ctl network ls --format '{{.Name}}' | tr '\n' ' ')" "back corral front " "ls, by name"
	# refusals say what and where
	assert_contains "$(ctl_fails overlap network create --subnet 10.88.7.0/24 x)" \
		"overlaps 10.88.0.0/16 of network corral" "overlap"
	assert_contains "$(ctl_fails cidr network create --subnet 10.91.0.0 x)" "not a CIDR" "bad CIDR"
	assert_contains "$(ctl_fails gw network create --subnet 10.91.0.0/24 --gateway 10.92.0.1 x)" \
		"outside the subnet" "gateway outside"
	assert_contains "$(ctl_fails exists network create front)" "network front exists" "twice"
	assert_contains "$(ctl_fails name network create 'a b')" "name" "bad name"
	assert_contains "$(ctl_fails inspect network inspect nope)" "nope" "inspect of none"
	assert_contains "$(ctl_fails rm network rm nope)" "nope" "rm of none"
	[ ! -e "$T/net.d/x.conflist" ] || fail "a refused network left its file"
	# a container on the default network keeps it
	ctl create --name keeper t:1 true >/dev/null
	assert_contains "$(ctl_fails in-use network rm corral)" "in use by container keeper" "rm in use"
	[ -e "$T/net.d/corral.conflist" ] || fail "corral.conflist removed while in use"
	ctl rm keeper >/dev/null
	assert_eq "$(ctl network rm front back)" "front
back" "rm"
	[ ! -e "$T/net.d/front.conflist" ] && [ ! -e "$f" ] || fail "rm left a conflist"
	assert_eq "$(ls -A "$T/net.d" | tr '\n' ' ')" "corral.conflist " "nothing else in net.d (no temp files)"
}

test_netnames_hosts_and_resolv_under_network_none() {
	trap cleanup_sv EXIT
	start_netns_sv || return 0
	local out
	out=$(ctl run --network none --name n1 --hostname web1 --add-host db.local:192.0.2.10 \
		--add-host v6:fd00::10 --dns 192.0.2.53 t:1 sh -c 'cat /etc/hosts; echo ---; cat /etc/resolv.conf 2>&1; hostname')
	assert_contains "$out" "127.0.0.1	localhost" "localhost"
	assert_contains "$out" "::1	localhost" "localhost v6"
	assert_contains "$out" "192.0.2.10	db.local" "--add-host"
	assert_contains "$out" "fd00::10	v6" "--add-host v6"
	assert_contains "$out" "127.0.0.1	web1 n1" "its hostname and name on loopback, as podman's"
	assert_not_contains "$out" "host.containers.internal" "no gateway without a network"
	# --dns is not dropped without a network: a resolv.conf of its own, as
	# dockerd writes (podman refuses the pair); none without it, as podman
	assert_contains "$out" "nameserver 192.0.2.53" "--dns under --network none"
	assert_eq "$(ctl run --rm --network none t:1 grep -c ' /etc/resolv.conf ' /proc/self/mountinfo)" 0 \
		"no --dns, no network: no resolv.conf of corrald's"
	assert_contains "$out" "web1" "hostname"
	# loopback: the same, and the name alone when there is no --hostname
	out=$(ctl run --network loopback --name solo t:1 cat /etc/hosts)
	assert_eq "$(printf '%s\n' "$out" | grep -c solo)" 1 "one line names it"
	assert_eq "$(printf '%s\n' "$out" | grep solo)" "127.0.0.1	solo" "its name once"
	# the file is corrald's, in the container's directory
	local id
	id=$(ctl create --name n2 --add-host a:10.1.2.3 t:1 true)
	assert_contains "$(cat "$STATE_D/containers/$id/hosts")" "10.1.2.3	a" "containers/<id>/hosts"
	# bad values name the field
	assert_contains "$(ctl_fails dns run --dns 1.2.3 t:1 true)" "spec.dns[0]" "--dns 1.2.3"
	assert_contains "$(ctl_fails host run --add-host nocolon t:1 true)" "spec.extraHosts[0]" "--add-host nocolon"
	assert_contains "$(ctl_fails host run --add-host 'a:1.2.3.4' --add-host 'b c:1.2.3.4' t:1 true)" \
		"spec.extraHosts[1]" "--add-host with a space"
	assert_contains "$(ctl_fails host run --add-host db:not-an-ip t:1 true)" "spec.extraHosts[0]" "not an IP"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_netnames_"); do
	run_test "$t"
done
