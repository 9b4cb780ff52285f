#!/bin/bash
# The Docker API, corrald's beside podman's compat service (`podman system
# service`), driven by the same docker CLI in one run, alternating:
#   - `docker run --rm --network none IMAGE true`, K rounds each (median,
#     spread); target corral <= 0.5x podman
#   - `docker ps` with N containers (N=100) running in each, K rounds
#     (median); target corral <= 0.2x podman. The client's own start is
#     in each figure (the Go CLI's ~110 ms, curl's ~30 ms on a quiet
#     2-core host), so the same GET is also timed on one kept-alive
#     connection: the server's time alone. A server answering from
#     memory (docker_canned.py) gives the floor that no server can go
#     below through the CLI
#   - corrald's idle RSS with the docker socket on and off (target: within
#     512 kB)
# Both in a network namespace of their own, with no network for the
# containers. Never a timed test: it prints figures and ratios.
#   tests/bench/docker.sh B [K] [N]     (root)
set -u
B=${1:-build}
K=${2:-${K:-20}}
N=${3:-${N:-100}}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "docker: needs root"; exit 0; }
# Debian's docker CLI 20.10, as the tests use (make test-deps), else the PATH's
[ -x "$B/clients/docker-20.10/docker" ] && PATH="$B/clients/docker-20.10:$PATH"
command -v docker >/dev/null || { echo "docker: no docker CLI: nothing to drive the APIs with"; exit 0; }
echo "docker: the client: $(docker --version)"
if [ -z "${CORRAL_BENCH_NETNS:-}" ]; then
	CORRAL_BENCH_NETNS=1 exec unshare -n -- "$0" "$B" "$K" "$N"
fi
ip link set lo up
CNI=/usr/lib/cni
OCI="$B/fixtures/images/oci"
[ -f "$OCI/index.json" ] || "$root/tests/fixtures/mkimages.sh" "$B" >/dev/null

d=$(mktemp -d "${TMPDIR:-/tmp}/corral-bench-dk.XXXXXX")
cgp="/corral-bench-dk-$$"
sock="$d/c.sock"
BENCH_NAME=docker
. "$root/tests/bench/podman_lib.sh"
ctl() { "$B/bin/corralctl" --socket "$sock" --timeout 5m "$@"; }
dk_c() { DOCKER_CONFIG="$d/dc" DOCKER_HOST="unix://$d/docker.sock" docker "$@"; }
dk_p() { DOCKER_CONFIG="$d/dc" DOCKER_HOST="unix://$d/pm.sock" docker "$@"; }
pid="" pmsvc="" canned=""
cleanup() {
	set +e
	trap - EXIT INT TERM
	if [ -n "$pid" ]; then
		for id in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id'); do ctl rm -f "$id" >/dev/null 2>&1; done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	# $pmsvc is the subshell that runs pm; podman is its child, found by
	# the socket it serves (it went on after each run before)
	if [ -n "$pmsvc" ]; then
		pkill -f "system service --time=0 unix://$d/pm.sock"
		for _ in $(seq 100); do pgrep -f "system service --time=0 unix://$d/pm.sock" >/dev/null || break; sleep 0.05; done
		kill "$pmsvc" 2>/dev/null
		wait "$pmsvc" 2>/dev/null
	fi
	[ -n "$canned" ] && kill "$canned" 2>/dev/null && wait "$canned" 2>/dev/null
	bench_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { echo "${EPOCHREALTIME/./}"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
spread() { sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%s..%s", a[1], a[NR] }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

start_corrald() { # extra flags
	: >"$d/corrald.conf"
	"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
		--cgroup-delegate no --cgroup-parent "$cgp-corral" --cni-config-dir "$d/net.d" \
		--default-network none --log-level warning "$@" 2>>"$d/corrald.err" &
	pid=$!
	local i
	for i in $(seq 200); do ctl ping >/dev/null 2>&1 && return 0; sleep 0.05; done
	echo "docker: corrald did not start: $(tail -3 "$d/corrald.err")"
	exit 1
}
stop_corrald() { kill "$pid"; wait "$pid" 2>/dev/null; pid=""; }

# idle RSS, off and then on (each after a ping, settled)
start_corrald --docker-socket ""
ctl ping >/dev/null
rss_off=$(rss_kb "$pid")
stop_corrald
start_corrald --docker-socket "$d/docker.sock" --docker-user 65533:65533
ctl ping >/dev/null
dk_c version >/dev/null
rss_on=$(rss_kb "$pid")
echo "docker: corrald idle RSS: ${rss_off} kB with the docker socket off, ${rss_on} kB on ($((rss_on - rss_off)) kB; goal <= 512)"
ctl image import "oci:$OCI:test" bench:1 >/dev/null

podman_setup
prev_arg=""
if [ -z "$podman_ok" ]; then
	echo "docker: no podman beside: corral's figures only"
else
	# the runtime podman_setup found working, for the service's containers too
	for a in "${PM_ARGS[@]}"; do case "$prev_arg" in --runtime) echo "runtime = \"$a\"" >>"$d/containers.conf" ;; esac; prev_arg=$a; done
	pm system service --time=0 "unix://$d/pm.sock" >"$d/pm-service.log" 2>&1 &
	pmsvc=$!
	for i in $(seq 200); do dk_p version >/dev/null 2>&1 && break; sleep 0.05; done
fi
PMFLAGS=("--cgroup-parent=$cgp-podman")
prev_arg=""

# run --rm true, alternating
for i in $(seq "$K"); do
	t0=$(now); dk_c run --rm --network none bench:1 true >/dev/null || echo "docker: corral's run failed"; t1=$(now)
	echo $((t1 - t0)) >>"$d/run.corral"
	if [ -n "$podman_ok" ]; then
		t0=$(now); dk_p run --rm --network none "${PMFLAGS[@]}" bench:1 true >/dev/null || echo "docker: podman's run failed"; t1=$(now)
		echo $((t1 - t0)) >>"$d/run.podman"
	fi
done
rc=$(median <"$d/run.corral")
echo "docker: run --rm true, K=$K: corral $(ms "$rc") ms (spread $(spread <"$d/run.corral") us)"
if [ -n "$podman_ok" ]; then
	rp=$(median <"$d/run.podman")
	echo "docker: run --rm true, K=$K: podman $(ms "$rp") ms (spread $(spread <"$d/run.podman") us); corral/podman $(ratio "$rc" "$rp") (goal <= 0.5)"
fi

# the docker CLI's own start, which every figure above and below holds
for i in $(seq "$K"); do t0=$(now); docker --version >/dev/null; t1=$(now); echo $((t1 - t0)) >>"$d/cli"; done
cli=$(median <"$d/cli")
echo "docker: the docker CLI's own start (docker --version): $(ms "$cli") ms, in every figure"

# ps with N running in each
for i in $(seq "$N"); do
	dk_c run -d --network none bench:1 sleep 100000 >/dev/null
	[ -n "$podman_ok" ] && dk_p run -d --network none "${PMFLAGS[@]}" bench:1 sleep 100000 >/dev/null
done
# the same request (GET /containers/json, as docker ps sends it) from curl,
# whose own start is smaller than the Go CLI's
api_ps() { curl -s -o /dev/null --unix-socket "$1" "http://d/v1.41/containers/json"; }
# M more on one kept-alive connection, as the SDKs and testcontainers
# send them: (that - one request) / M is the server's time for a list,
# with no client start in it
M=10
api_ps_more() { curl -s --unix-socket "$1" $(printf 'http://d/v1.41/containers/json %.0s' $(seq $((M + 1)))) >/dev/null; }
# the floor: the same docker ps against a server that answers from memory
# (corrald's own list, recorded), so what is left is the CLI's own work
curl -s --unix-socket "$d/docker.sock" "http://d/v1.41/containers/json" >"$d/list.json"
python3 "$root/tests/bench/docker_canned.py" "$d/canned.sock" "$d/list.json" &
canned=$!
for i in $(seq 200); do [ -S "$d/canned.sock" ] && break; sleep 0.05; done
dk_f() { DOCKER_CONFIG="$d/dc" DOCKER_HOST="unix://$d/canned.sock" docker "$@"; }
[ "$(dk_f ps -q | wc -l)" = "$(dk_c ps -q | wc -l)" ] || echo "docker: the canned server's ps differs from corral's"
# (each engine's two requests apart: a connection's corral-docker is the
# standby corrald keeps, and one right after another waits for the next)
for i in $(seq "$K"); do
	t0=$(now); dk_c ps >/dev/null; t1=$(now)
	echo $((t1 - t0)) >>"$d/ps.corral"
	t0=$(now); dk_f ps >/dev/null; t1=$(now)
	echo $((t1 - t0)) >>"$d/ps.floor"
	if [ -n "$podman_ok" ]; then
		t0=$(now); dk_p ps >/dev/null; t1=$(now)
		echo $((t1 - t0)) >>"$d/ps.podman"
	fi
	t0=$(now); api_ps "$d/docker.sock"; t1=$(now)
	echo $((t1 - t0)) >>"$d/psapi.corral"
	t0=$(now); api_ps_more "$d/docker.sock"; t2=$(now)
	echo $(((t2 - t0 - (t1 - t0)) / M)) >>"$d/pskept.corral"
	if [ -n "$podman_ok" ]; then
		t0=$(now); api_ps "$d/pm.sock"; t1=$(now)
		echo $((t1 - t0)) >>"$d/psapi.podman"
		t0=$(now); api_ps_more "$d/pm.sock"; t2=$(now)
		echo $(((t2 - t0 - (t1 - t0)) / M)) >>"$d/pskept.podman"
	fi
done
rc=$(median <"$d/ps.corral")
echo "docker: ps with $N running, K=$K: corral $(ms "$rc") ms (spread $(spread <"$d/ps.corral") us)"
rf=$(median <"$d/ps.floor")
echo "docker: ps with $N running, K=$K: a server answering from memory (the floor) $(ms "$rf") ms (spread $(spread <"$d/ps.floor") us); corral above it: $(ms $((rc - rf))) ms"
if [ -n "$podman_ok" ]; then
	rp=$(median <"$d/ps.podman")
	echo "docker: ps with $N running, K=$K: podman $(ms "$rp") ms (spread $(spread <"$d/ps.podman") us); corral/podman $(ratio "$rc" "$rp") (goal <= 0.2); less the CLI's start: $(ratio $((rc - cli)) $((rp - cli))); less the floor: $(ratio $((rc - rf)) $((rp - rf))); the floor alone is $(ratio "$rf" "$rp") of podman's"
	ac=$(median <"$d/psapi.corral") ap=$(median <"$d/psapi.podman")
	echo "docker: GET /containers/json with $N running, by curl, K=$K: corral $(ms "$ac") ms, podman $(ms "$ap") ms; corral/podman $(ratio "$ac" "$ap") (goal <= 0.2; curl's own start, about 30 ms here, in both)"
	kc=$(median <"$d/pskept.corral") kp=$(median <"$d/pskept.podman")
	echo "docker: GET /containers/json with $N running, each of $M on one kept-alive connection, K=$K: corral $(ms "$kc") ms (spread $(spread <"$d/pskept.corral") us), podman $(ms "$kp") ms (spread $(spread <"$d/pskept.podman") us); corral/podman $(ratio "$kc" "$kp") (goal <= 0.2)"
fi
