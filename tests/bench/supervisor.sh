#!/bin/bash
# corrald figures, printed (never a timed pass/fail test):
#  - idle corrald RSS (goal <= 4 MiB)
#  - per-container overhead with N running containers: monitor RSS plus the
#    daemon's growth (goal <= 1 MiB), beside conmon supervising the same
#    bundle with runc when conmon is installed
#  - Ping and List p99 with N containers (goal <= 1 ms)
#  - create+start through corrald vs `corral run -d` of the same bundle
#    (goal <= 1.5x)
# Usage: tests/bench/supervisor.sh [BUILD] (N=100 by default)
set -eu
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
N=${N:-100}
PY=/usr/bin/python3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
"$ROOT/tests/fixtures/mkbusybox.sh" "$B" >/dev/null
IMG="$B/fixtures/busybox/rootfs"
d=$(mktemp -d "$B/tmp/bench.XXXXXX" 2>/dev/null || { mkdir -p "$B/tmp"; mktemp -d "$B/tmp/bench.XXXXXX"; })
sock="$d/c.sock"
cgp="/corral-bench-$$"
: >"$d/corrald.conf"
"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
	--cgroup-delegate no --cgroup-parent "$cgp" --log-level warning &
pid=$!
ctl() { "$B/bin/corralctl" --socket "$sock" "$@"; }
cleanup() {
	set +e
	for id in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id'); do ctl rm -f "$id" >/dev/null 2>&1; done
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	for c in $(ls "$d/runc" 2>/dev/null); do runc --root "$d/runc" delete -f "$c" >/dev/null 2>&1; done
	for c in $(ls "$d/rt" 2>/dev/null); do "$B/bin/corral" --root "$d/rt" delete --force "$c" >/dev/null 2>&1; done
	for p in $(cat "$d/conmon.pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -d "$m$cgp" ] && find "$m$cgp" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$d"
}
trap cleanup EXIT
for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
rss() { awk '/VmRSS/ {print $2}' /proc/$1/status; }
# proportional set size: shared library pages divided among their users
pss() { awk '/^Pss:/ {print $2}' /proc/$1/smaps_rollup; }
idle=$(rss $pid)
echo "corrald idle RSS: $idle kB (goal <= 4096 kB)"

# create+start through corrald, vs corral run -d of the same bundle
t0=$(date +%s%N)
for i in $(seq 20); do ctl run -d "$IMG" true >/dev/null; done
t1=$(date +%s%N)
one=$(ls "$d/state/containers" | head -1)
mkdir -p "$d/bundle"
jq --arg c "$cgp/direct" '.linux.cgroupsPath = $c' "$d/state/containers/$one/config.json" >"$d/bundle/config.json"
t2=$(date +%s%N)
for i in $(seq 20); do
	(cd "$d/bundle" && "$B/bin/corral" --root "$d/rt" run -d "b$i" </dev/null >/dev/null 2>&1)
	"$B/bin/corral" --root "$d/rt" delete --force "b$i" >/dev/null 2>&1 || true
done
t3=$(date +%s%N)
for id in $(ctl --json ps -a | jq -r '.[].id'); do ctl rm -f "$id" >/dev/null; done
sv=$(((t1 - t0) / 20000)); direct=$(((t3 - t2) / 20000))
echo "create+start: corralctl run -d $sv us, corral run -d $direct us (includes delete), ratio $(awk "BEGIN {printf \"%.2f\", $sv / $direct}") (goal <= 1.5)"

before=$(rss $pid)
for i in $(seq "$N"); do ctl run -d "$IMG" sleep 100000 >/dev/null; done
sleep 0.5
after=$(rss $pid)
mon=0 monp=0
for p in $(pgrep -x corral-monitor); do
	grep -qs "$d" /proc/$p/cmdline || continue
	mon=$((mon + $(rss $p)))
	monp=$((monp + $(pss $p)))
done
echo "with $N containers: corrald grew $(((after - before) / N)) kB per container ($before -> $after kB)"
echo "  monitor: $((mon / N)) kB RSS, $((monp / N)) kB PSS each; overhead $(((monp + after - before) / N)) kB per container by PSS, $(((mon + after - before) / N)) kB by RSS (goal <= 1024)"

if command -v conmon >/dev/null && command -v runc >/dev/null; then
	mkdir -p "$d/cm"
	jq --arg c "$cgp/conmon" --arg r "$IMG" '.linux.cgroupsPath = $c | .root.path = $r' "$d/bundle/config.json" >"$d/cm/config.json"
	jq '.process.args = ["sleep", "100000"]' "$d/cm/config.json" >"$d/cm/c" && mv "$d/cm/c" "$d/cm/config.json"
	conmon --cid cmbench --cuuid cmbench --name cmbench --runtime "$(command -v runc)" \
		--runtime-arg --root --runtime-arg "$d/runc" --bundle "$d/cm" \
		--log-path "$d/cm/ctr.log" --exit-dir "$d/cm" --container-pidfile "$d/cm/pid" \
		--conmon-pidfile "$d/cm/conmon.pid" --socket-dir-path "$d/cm" >"$d/cm/out" 2>&1 || true
	sleep 0.5
	if [ -f "$d/cm/conmon.pid" ]; then
		cp=$(cat "$d/cm/conmon.pid")
		echo "$cp" >>"$d/conmon.pids"
		runc --root "$d/runc" start cmbench >/dev/null 2>&1 || true
		sleep 0.3
		echo "conmon (runc) supervising the same container: $(rss "$cp") kB RSS, $(pss "$cp") kB PSS"
	else
		echo "conmon: could not start it: $(head -3 "$d/cm/out")"
	fi
else
	echo "conmon: not installed (apt-get install conmon) - no side-by-side figure"
fi

"$PY" - "$sock" "$N" <<'PYEOF'
import socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
def bench(method, count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
    msg = ('{"method":"io.corral.Supervisor.%s"}' % method).encode() + b"\0"
    lat = []
    for i in range(count):
        t = time.perf_counter(); s.sendall(msg); buf = s.recv(1 << 20)
        while not buf.endswith(b"\0"): buf += s.recv(1 << 20)
        lat.append(time.perf_counter() - t)
    lat = lat[count // 10:]; lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1e6
    print("%-5s with %d containers: p50 %7.1f us  p99 %7.1f us (goal p99 <= 1000 us)" % (method, n, p(.5), p(.99)))
bench("Ping", 5000)
bench("List", 1000)
PYEOF
