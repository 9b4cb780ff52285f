#!/bin/bash
# What a CNI network adds to Start and to remove, corral beside podman (its
# CNI backend), in one fresh network namespace (unshare -n, lo up) where
# both engines' bridges, leases and rules live and die. N alternating
# rounds, each of:
#   corralctl run -d --network corral|none IMG sleep 1000, then rm -f
#   podman run -d --network bridge|none IMG sleep 1000, then rm -f -t 0
# Both run the same image (the oci fixture of mkimages.sh) and the same
# plugin chain (bridge with host-local, portmap, firewall, tuning). corrald
# runs DEL after rm has replied, so its rm is timed twice: until it returns,
# and until DEL is over (its namespace pin is gone); podman's rm returns
# after DEL. Prints medians and p90, the added costs (network minus none)
# and the ratios corral added / podman added (target <= 1.0).
#   tests/bench/network.sh B [N]     (root; N=20)
# In the VM: tests/bench/network-vm.sh B [N] (BENCH=network in run.sh).
# Never a timed test: it prints figures.
set -u
B=${1:-build}
N=${2:-${N:-20}}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "network: needs root"; exit 0; }
CNI=/usr/lib/cni
for p in bridge host-local portmap firewall tuning loopback; do
	[ -x "$CNI/$p" ] || { echo "network: no CNI plugin $CNI/$p (containernetworking-plugins)"; exit 0; }
done
command -v iptables >/dev/null || { echo "network: no iptables (the portmap and firewall plugins use it)"; exit 0; }
# everything below runs in a network namespace of its own: this script
# again, under unshare; the namespace goes when its last process does
if [ -z "${CORRAL_BENCH_NETNS:-}" ]; then
	CORRAL_BENCH_NETNS=1 exec unshare -n -- "$0" "$B" "$N"
fi
ip link set lo up
OCI="$B/fixtures/images/oci"
# (in the VM the host has built it: the guest has no umoci or skopeo)
[ -f "$OCI/index.json" ] || "$root/tests/fixtures/mkimages.sh" "$B" >/dev/null
[ -f "$OCI/index.json" ] || { echo "network: no image fixture $OCI (tests/fixtures/mkimages.sh)"; exit 1; }

d=$(mktemp -d "${TMPDIR:-/tmp}/corral-bench-net.XXXXXX")
cgp="/corral-bench-net-$$"
BENCH_NAME=network
. "$root/tests/bench/podman_lib.sh"
sock="$d/c.sock"
ctl() { "$B/bin/corralctl" --socket "$sock" "$@"; }
pins() { ls "$d/state/networks/netns" 2>/dev/null; }
pid=""
cleanup() {
	set +e
	trap - EXIT INT TERM
	if [ -n "$pid" ]; then
		for id in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id'); do ctl rm -f "$id" >/dev/null 2>&1; done
		# corrald DELs in the background: let it end before corrald does
		for _ in $(seq 100); do [ -z "$(pins)" ] && break; sleep 0.1; done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	bench_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a sleep with no process: a read that times out on a fifo nobody writes
mkfifo "$d/fifo"
exec 9<>"$d/fifo"
nap() { read -r -t "$1" -u 9 _ || true; }
now() { echo "${EPOCHREALTIME/./}"; }

mkdir -p "$d/net.d"
: >"$d/corrald.conf"
"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
	--cgroup-delegate no --cgroup-parent "$cgp-corral" --cni-path "$CNI" --cni-config-dir "$d/net.d" \
	--default-network none --log-level warning 2>"$d/corrald.err" &
pid=$!
for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && break; nap 0.05; done
ctl ping >/dev/null 2>&1 || { echo "network: corrald did not start: $(tail -3 "$d/corrald.err")"; exit 1; }
ctl image import "oci:$OCI:test" bench:1 >/dev/null || { echo "network: corral could not import the image"; exit 1; }

podman_setup

# One start and one rm, timed; appends "start rm rm_until_del" (us) to FILE.
corral_one() { # NETWORK FILE
	local a b c e f id full
	a=$(now)
	id=$(ctl run -d --network "$1" bench:1 sleep 1000 2>"$d/err") || { echo "corral --network $1: $(cat "$d/err")"; return 1; }
	b=$(now)
	full=$(ctl --json inspect "$id" | jq -r '.[0].id')
	c=$(now)
	ctl rm -f "$id" >/dev/null 2>"$d/err" || { echo "corral rm: $(cat "$d/err")"; return 1; }
	e=$(now)
	# DEL is over when the namespace's pin goes (bounded: 30 s)
	local i
	for ((i = 0; i < 30000; i++)); do [ -e "$d/state/networks/netns/$full" ] || break; nap 0.001; done
	f=$(now)
	[ "$i" -lt 30000 ] || { echo "corral: DEL of $full did not end in 30 s"; return 1; }
	[ -n "$2" ] && echo "$((b - a)) $((e - c)) $((f - c))" >>"$2"
	return 0
}
podman_one() { # NETWORK FILE
	local a b c e id
	a=$(now)
	id=$(pm run -d "${PM_ARGS[@]}" --network "$1" bench:1 sleep 1000 2>"$d/err") ||
		{ echo "podman --network $1: $(tail -2 "$d/err")"; return 1; }
	b=$(now)
	c=$(now)
	pm rm -f -t 0 "$id" >/dev/null 2>"$d/err" || { echo "podman rm: $(tail -2 "$d/err")"; return 1; }
	e=$(now)
	[ -n "$2" ] && echo "$((b - a)) $((e - c)) $((e - c))" >>"$2"
	return 0
}

# warm-up, untimed: the first of each makes bridges, chains and caches
corral_one corral "" || exit 1
corral_one none "" || exit 1
if [ -n "$podman_ok" ]; then
	{ podman_one bridge "" && podman_one none ""; } || podman_ok=""
fi
# each engine attached through its own bridge (corral0, cni-podman0)
bridges=$(ip -o -4 addr show | awk '$2 != "lo" { printf "%s %s, ", $2, $4 }')
for v in c-net c-none p-net p-none; do : >"$d/t-$v"; done
for r in $(seq "$N"); do
	# the order turns each round: no variant always follows the same one
	case $((r % 2)) in
	0) corral_one corral "$d/t-c-net" && corral_one none "$d/t-c-none" || exit 1 ;;
	1) corral_one none "$d/t-c-none" && corral_one corral "$d/t-c-net" || exit 1 ;;
	esac
	[ -z "$podman_ok" ] && continue
	case $((r % 2)) in
	0) podman_one bridge "$d/t-p-net" && podman_one none "$d/t-p-none" || podman_ok="" ;;
	1) podman_one none "$d/t-p-none" && podman_one bridge "$d/t-p-net" || podman_ok="" ;;
	esac
done

cgmnt=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
echo "network: $N alternating rounds of run -d IMG sleep 1000, then rm -f, in one network namespace"
echo "  (kernel $(uname -r), cgroup2 controllers: $(cat "$cgmnt/cgroup.subtree_control" 2>/dev/null)," \
	"$(podman --version 2>/dev/null || echo no podman); both chain bridge, portmap, firewall, tuning)"
echo "  bridges after the warm-up: ${bridges%, }"
# stats FILE COLUMN: "median p90" in us (p90 by nearest rank)
stats() {
	awk -v k="$2" '{ print $k }' "$1" | sort -n |
		awk '{ a[NR] = $1 } END { if (!NR) { print "- -"; exit }
			m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			p = int(0.9 * NR); if (p < 0.9 * NR) p++; print m, a[p] }'
}
ms() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.1f", v / 1000 }'; }
printf '  %-26s %14s %14s %20s\n' "ms: median / p90" "start" "rm returns" "rm until DEL over"
declare -A M
for v in c-net c-none p-net p-none; do
	case $v in
	c-net) label="corral --network corral" ;; c-none) label="corral --network none" ;;
	p-net) label="podman --network bridge" ;; p-none) label="podman --network none" ;;
	esac
	if [ ! -s "$d/t-$v" ]; then
		printf '  %-26s %s\n' "$label" "no figures"
		continue
	fi
	line=""
	for k in 1 2 3; do
		read -r med p90 < <(stats "$d/t-$v" "$k")
		M[$v.$k]=$med
		line+=$(printf ' %14s' "$(ms "$med") / $(ms "$p90")")
	done
	printf '  %-26s%s   (%d rounds)\n' "$label" "$line" "$(wc -l <"$d/t-$v")"
done
added() { awk -v a="${M[$1-net.$2]:-}" -v b="${M[$1-none.$2]:-}" 'BEGIN { if (a == "" || b == "") print ""; else print a - b }'; }
cs=$(added c 1) cr=$(added c 2) cdel=$(added c 3)
echo "added by the network (median with it minus median without it):"
awk -v s="$cs" -v r="$cr" -v d="$cdel" 'BEGIN { printf "  corral: start %+.1f ms, rm %+.1f ms until it returns, %+.1f ms until DEL is over\n", s / 1000, r / 1000, d / 1000 }'
if [ -s "$d/t-p-net" ] && [ -s "$d/t-p-none" ]; then
	ps_=$(added p 1) pr=$(added p 2)
	awk -v s="$ps_" -v r="$pr" 'BEGIN { printf "  podman: start %+.1f ms, rm %+.1f ms (its rm returns after DEL)\n", s / 1000, r / 1000 }'
	echo "ratios, corral added / podman added (target <= 1.0):"
	ratio() { # NAME CORRAL PODMAN
		awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN {
			if (b <= 0) { printf "  %-32s n/a: podman added %.1f ms (not above its noise)\n", n, b / 1000; exit }
			printf "  %-32s %.2f  %s\n", n, a / b, a / b <= 1.0 ? "met" : "NOT met" }'
	}
	ratio "start" "$cs" "$ps_"
	ratio "rm, until DEL is over" "$cdel" "$pr"
	ratio "rm, until it returns" "$cr" "$pr"
else
	echo "  podman: no figures (see above); no ratios"
fi
