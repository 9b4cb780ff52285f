# For the network tests: corrald in a network namespace of the test's own
# (lo up), so bridges, addresses and firewall rules live and die there and
# the host's network is never touched; probes run in it (nsenter --net).
# Sourced after lib.sh and supervisor_lib.sh; IMG is the busybox rootfs.
CNI=/usr/lib/cni

need_cni() {
	local p
	for p in bridge host-local portmap firewall tuning; do
		[ -x "$CNI/$p" ] || skip "no CNI plugin $CNI/$p (containernetworking-plugins)"
	done
	command -v nft >/dev/null || skip "no nft (nftables) to read the rules with"
	command -v iptables >/dev/null || skip "no iptables: the portmap and firewall plugins use it"
}

# wrap_cni FORMAT ARG...: corrald's CNI plugins, each a shell script that
# runs the lines printf FORMAT ARG... makes ($0 names the plugin,
# CNI_COMMAND what it is asked), then execs the plugin; corrald.conf's
# cni-path is theirs
wrap_cni() {
	local lines p
	lines=$(printf "$1" "${@:2}")
	mkdir -p "$T/cni"
	for p in "$CNI"/*; do
		printf '#!/bin/sh\n%s\nexec %s "$@"\n' "$lines" "$p" >"$T/cni/${p##*/}"
		chmod +x "$T/cni/${p##*/}"
	done
	echo "cni-path = $T/cni" >"$T/corrald.conf"
}
# a line for wrap_cni: plugin %s is killed in a DEL before it runs, once
# for the directory (%s) it makes (the DEL goes on with the chain's other
# plugins: tuning's loss leaves nothing, bridge's its veth and lease)
KILL_DEL='if [ "$CNI_COMMAND" = DEL ] && [ "${0##*/}" = %s ] && mkdir %s 2>/dev/null; then kill -9 $$; fi'

# corrald (and so its monitors, and CNI's host side) in a network
# namespace of the test's own, held by a bind mount on $T/netns (cleanup_sv
# unmounts what is under $T), so a corrald started again joins it
start_sv_netns() {
	if [ ! -e "$T/netns" ]; then
		: >"$T/netns"
		unshare --net="$T/netns" true
		nsenter --net="$T/netns" ip link set lo up
	fi
	cat >"$T/corrald-netns" <<-WRAP
	#!/bin/sh
	exec nsenter --net="$T/netns" "$B/bin/corrald" "\$@"
	WRAP
	chmod +x "$T/corrald-netns"
	CORRALD="$T/corrald-netns" start_sv --default-network corral "$@"
}

# in corrald's network namespace
inns() { nsenter --net="$T/netns" "$@"; }

# what CNI leaves in the namespace: veths on the bridge, and the rules
net_state() {
	inns ip -o link show type veth | awk -F': ' '{print $2}' | sed 's/@.*//' | sort || true
	rules
}
# the ruleset, its packet counters left out
rules() { inns nft list ruleset 2>/dev/null | sed 's/counter packets [0-9]* bytes [0-9]*/counter/' | grep -v '^\s*$' || true; }
unpinned() { [ ! -e "$STATE_D/networks/netns/$1" ]; }
state_is() { [ "$(net_state)" = "$1" ]; }
ipam_files() { ls "$STATE_D/networks/ipam/corral" 2>/dev/null | grep -v -e '^lock$' -e '^last_reserved_ip' | sort; }

get() { inns curl -sf --max-time 5 "$1"; }

web() { # NAME [ctl run options]
	local name=$1
	shift
	ctl run -d --name "$name" --tmpfs /www "$@" "$IMG" sh -c \
		'mkdir -p /www && echo "hello from $(hostname)" >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
}

