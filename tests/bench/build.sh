#!/bin/bash
# Builds, `corralctl build` beside `podman build` (buildah) of the same
# context, alternating in one run, each engine with a store of its own:
#   - cold: a five-step Dockerfile (FROM, COPY, two RUNs, CMD) with
#     --no-cache; target corral <= 0.5x podman
#   - a rebuild with nothing changed (every step from the cache); target
#     <= 0.2x podman
#   - a rebuild after one COPY'd file changed; target <= 0.5x podman
#   - peak RSS of corrald and of corral-build over the builds
# The base image is the fixture's busybox rootfs imported on each (buildah
# refuses the fixture image, whose history names fewer layers than it
# has). Medians of K runs each, with their spread (min..max). Never a
# timed test: it prints figures and ratios.
#   tests/bench/build.sh B [K]     (root)
set -u
B=${1:-build}
K=${2:-${K:-10}}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "build: needs root"; exit 0; }
if [ -z "${CORRAL_BENCH_NETNS:-}" ]; then
	CORRAL_BENCH_NETNS=1 exec unshare -n -- "$0" "$B" "$K"
fi
ip link set lo up
CNI=/usr/lib/cni
OCI="$B/fixtures/images/oci"
[ -f "$OCI/index.json" ] || "$root/tests/fixtures/mkimages.sh" "$B" >/dev/null

d=$(mktemp -d "${TMPDIR:-/tmp}/corral-bench-build.XXXXXX")
cgp="/corral-bench-build-$$"
sock="$d/c.sock"
BENCH_NAME=build
. "$root/tests/bench/podman_lib.sh"
ctl() { "$B/bin/corralctl" --socket "$sock" --timeout 5m "$@"; }
pid="" watcher=""
cleanup() {
	set +e
	trap - EXIT INT TERM
	[ -n "$watcher" ] && kill "$watcher" 2>/dev/null && wait "$watcher" 2>/dev/null
	if [ -n "$pid" ]; then
		for id in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id'); do ctl rm -f "$id" >/dev/null 2>&1; done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	bench_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
spread() { sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.0f..%.0f", a[1] / 1000, a[NR] / 1000 }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.0f", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

: >"$d/corrald.conf"
"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
	--cgroup-delegate no --cgroup-parent "$cgp-corral" --cni-config-dir "$d/net.d" \
	--default-network none --log-level warning 2>>"$d/corrald.err" &
pid=$!
for _ in $(seq 200); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
ctl ping >/dev/null 2>&1 || { echo "build: corrald did not start: $(tail -3 "$d/corrald.err")"; exit 1; }
podman_setup

# the base, on each: the busybox rootfs as one layer
tar -C "$B/fixtures/busybox/rootfs" -cf "$d/rootfs.tar" bin etc
ctl import -c 'ENV PATH=/bin' "$d/rootfs.tar" bench:base >/dev/null || { echo "build: corral import failed"; exit 1; }
[ -n "$podman_ok" ] && { pm import -c 'ENV PATH=/bin' "$d/rootfs.tar" bench:base >/dev/null || podman_ok=""; }

# the context: 200 files of 8 KiB, and the five steps
mkdir -p "$d/ctx/app"
for i in $(seq 200); do head -c 8192 /dev/urandom >"$d/ctx/app/f$i"; done
cat >"$d/ctx/Dockerfile" <<'EOF'
FROM bench:base
COPY app/ /app/
RUN cat /app/* >/all && ls /app | wc -l >/count
RUN i=0; while [ $i -lt 2000 ]; do i=$((i + 1)); done; echo $i >/loops
CMD ["cat", "/count"]
EOF

# corral-build's peak RSS, sampled while the builds run
: >"$d/build-hwm"
(
	while :; do
		for p in $(pgrep -x corral-build); do awk '/^VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null; done >>"$d/build-hwm"
		sleep 0.01
	done
) &
watcher=$!

b_corral() { ctl build "$@" -t bench:built "$d/ctx" >/dev/null 2>>"$d/corral.err"; }
b_podman() { pm build --layers "$@" --runtime "${PM_RT:-runc}" -t bench:built "$d/ctx" >/dev/null 2>>"$d/podman.err"; }
PM_RT=$(printf '%s\n' "${PM_ARGS[@]}" | awk 'prev == "--runtime" { print } { prev = $0 }')
# KIND: time K builds of each engine, alternating; before each, prep KIND
run_kind() {
	local kind=$1 i e t0 t
	: >"$d/t-corral" && : >"$d/t-podman"
	for i in $(seq "$K"); do
		for e in corral podman; do
			[ "$e" = podman ] && [ -z "$podman_ok" ] && continue
			[ "$kind" = changed ] && echo "$e $i $RANDOM" >"$d/ctx/app/f1"
			local args=()
			[ "$kind" = cold ] && args=(--no-cache)
			t0=$(now)
			"b_$e" "${args[@]}" || { echo "build: $e failed: $(tail -2 "$d/$e.err")"; exit 1; }
			t=$(($(now) - t0))
			echo "$t" >>"$d/t-$e"
		done
	done
	local mc mp
	mc=$(median <"$d/t-corral")
	printf 'build: %-8s corral %5s ms (%s)' "$kind" "$(ms "$mc")" "$(spread <"$d/t-corral")"
	if [ -n "$podman_ok" ]; then
		mp=$(median <"$d/t-podman")
		printf '   podman %5s ms (%s)   ratio %s' "$(ms "$mp")" "$(spread <"$d/t-podman")" "$(ratio "$mc" "$mp")"
	fi
	printf '   N=%s\n' "$K"
}
# one warm-up of each, so that the cached kinds start from a cache
b_corral && { [ -z "$podman_ok" ] || b_podman; } || { echo "build: the warm-up failed: $(tail -3 "$d/corral.err" "$d/podman.err" 2>/dev/null)"; exit 1; }
[ "$(ctl run --rm bench:built)" = 200 ] || { echo "build: corral's image is wrong"; exit 1; }
run_kind cold
run_kind cached
run_kind changed
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
watcher=""
echo "build: peak RSS: corrald $(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status") kB," \
	"corral-build $(sort -n "$d/build-hwm" | tail -1) kB (targets: cold <= 0.5x, cached <= 0.2x, changed <= 0.5x)"
