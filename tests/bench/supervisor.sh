#!/bin/bash
# corrald figures, printed (never a timed pass/fail test):
#  - idle corrald RSS (goal <= 4 MiB)
#  - idle corrald RSS and PSS, and both again after an image import
#  - per-container overhead with N running containers: monitor RSS plus the
#    daemon's growth (goal <= 1 MiB), beside conmon supervising the same
#    bundle with runc when conmon is installed
#  - Ping and List p99 with N containers (goal <= 1 ms), with the share of
#    CPU time the host stole meanwhile (a p99 on a busy host is its stalls)
#  - create+start of an imported image through corrald vs `corral run -d`
#    of the same bundle, alternating rounds, median ratio (goal <= 1.5x)
# Usage: tests/bench/supervisor.sh [BUILD] (N=100 by default)
set -eu
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
N=${N:-100}
PY=/usr/bin/python3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/bench/cgroups_lib.sh"
"$ROOT/tests/fixtures/mkimages.sh" "$B" >/dev/null
IMG="$B/fixtures/busybox/rootfs"
d=$(mktemp -d "$B/tmp/bench.XXXXXX" 2>/dev/null || { mkdir -p "$B/tmp"; mktemp -d "$B/tmp/bench.XXXXXX"; })
sock="$d/c.sock"
cgp="/corral-bench-$$"
: >"$d/corrald.conf"
"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
	--cgroup-delegate no --cgroup-parent "$cgp" --default-network none --log-level warning &
pid=$!
ctl() { "$B/bin/corralctl" --socket "$sock" "$@"; }
cleanup() {
	set +e
	for id in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id'); do ctl rm -f "$id" >/dev/null 2>&1; done
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	while read -r root c rt; do "$rt" --root "$root" delete --force "$c" >/dev/null 2>&1; done <"$d/conmon.rts" 2>/dev/null
	for c in $(ls "$d/rt" 2>/dev/null); do "$B/bin/corral" --root "$d/rt" delete --force "$c" >/dev/null 2>&1; done
	for p in $(cat "$d/conmon.pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	# runc on a hybrid host makes the parent in every v1 hierarchy too
	bench_rm_cgroups supervisor /sys/fs/cgroup"$cgp" /sys/fs/cgroup/*"$cgp"
	# corrald's trash remover may not have unmounted every overlay it was given
	awk -v d="$d/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
	rm -rf "$d"
}
trap cleanup EXIT
for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
rss() { awk '/VmRSS/ {print $2}' /proc/$1/status; }
# proportional set size: shared library pages divided among their users
pss() { awk '/^Pss:/ {print $2}' /proc/$1/smaps_rollup; }
idle=$(rss $pid)
echo "corrald idle RSS: $idle kB, PSS $(pss $pid) kB (goal <= 4096 kB RSS)"

# create+start of an imported image through corrald, vs `corral run -d` of
# the same bundle: rounds alternate, the median of the ratios is printed
t0=$(date +%s%N)
ctl image import "oci:$B/fixtures/images/oci:test" bench:1 >/dev/null
t1=$(date +%s%N)
echo "image import (oci layout, 3 layers) through corrald: $(((t1 - t0) / 1000000)) ms"
# libcrypto is mapped on the first digest (reading a blob), not at exec
echo "corrald after the import: RSS $(rss $pid) kB, PSS $(pss $pid) kB"
keep=$(ctl create --name keep bench:1 true) # its overlay rootfs is the direct runs' rootfs
mkdir -p "$d/bundle"
jq --arg c "$cgp/direct" '.linux.cgroupsPath = $c' "$d/state/containers/$keep/config.json" >"$d/bundle/config.json"
ROUNDS=${ROUNDS:-31}
: >"$d/ratios"
# Per round: corralctl run -d (one client: CreateContainer then Start on
# one connection), corral run -d, corral create then corral start (the two
# steps as runtime commands), and corralctl create then corralctl start
# (two client processes; one client process alone costs what `corralctl
# ping` costs, printed too). Spans are read from bash's clock
# ($EPOCHREALTIME): a `date` process would add its own fork and exec to
# each. Each container's exit is waited for, untimed, so that its teardown
# never overlaps the next measurement.
for i in $(seq "$ROUNDS"); do
	a=${EPOCHREALTIME/./}
	id=$(ctl run -d bench:1 true)
	b=${EPOCHREALTIME/./}
	ctl wait "$id" >/dev/null
	b2=${EPOCHREALTIME/./}
	(cd "$d/bundle" && "$B/bin/corral" --root "$d/rt" run -d "b$i" </dev/null >/dev/null 2>&1)
	c=${EPOCHREALTIME/./}
	"$B/bin/corral" --root "$d/rt" delete --force "b$i" >/dev/null 2>&1 || true
	g=${EPOCHREALTIME/./}
	(cd "$d/bundle" && "$B/bin/corral" --root "$d/rt" create "t$i" </dev/null >/dev/null 2>&1) &&
		"$B/bin/corral" --root "$d/rt" start "t$i" >/dev/null 2>&1
	h=${EPOCHREALTIME/./}
	"$B/bin/corral" --root "$d/rt" delete --force "t$i" >/dev/null 2>&1 || true
	c2=${EPOCHREALTIME/./}
	id=$(ctl create bench:1 true) && ctl start "$id" >/dev/null
	e=${EPOCHREALTIME/./}
	ctl wait "$id" >/dev/null
	e2=${EPOCHREALTIME/./}
	ctl ping >/dev/null
	f=${EPOCHREALTIME/./}
	echo "$((b - a)) $((c - b2)) $((e - c2)) $((f - e2)) $((h - g))" >>"$d/ratios"
done
for id in $(ctl --json ps -a | jq -r '.[] | select(.name != "keep") | .id'); do ctl rm -f "$id" >/dev/null; done
awk 'function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	{ run[NR] = $1; di[NR] = $2; two[NR] = $3; ping[NR] = $4; dt[NR] = $5; r1[NR] = $1 / $2; r2[NR] = $3 / $2; r3[NR] = $3 / $5 }
	END { n = NR
		printf "create+start of an imported image, medians of %d alternating rounds:\n", n
		printf "  corralctl run -d (create+start, one client) %d us, corral run -d %d us: median ratio %.2f (goal <= 1.5)\n", median(run, n), median(di, n), median(r1, n)
		printf "  corralctl create + corralctl start (two clients) %d us: median ratio %.2f; one client process (corralctl ping) costs %d us\n", median(two, n), median(r2, n), median(ping, n)
		printf "  the same two steps as runtime commands, corral create + corral start, %d us: two clients against them, median ratio %.2f\n", median(dt, n), median(r3, n) }' "$d/ratios"
ctl rm -f keep >/dev/null

before=$(rss $pid)
for i in $(seq "$N"); do ctl run -d bench:1 sleep 100000 >/dev/null; done
sleep 0.5
after=$(rss $pid)
mon=0 monp=0
# monitors exec corral-monitor-lean once started; it keeps the comm name
for p in $(pgrep -x corral-monitor); do
	grep -qs "$d" /proc/$p/cmdline || continue
	mon=$((mon + $(rss $p)))
	monp=$((monp + $(pss $p)))
done
echo "with $N containers: corrald grew $(((after - before) / N)) kB per container ($before -> $after kB)"
echo "  monitor: $((mon / N)) kB RSS, $((monp / N)) kB PSS each; overhead $(((monp + after - before) / N)) kB per container by PSS, $(((mon + after - before) / N)) kB by RSS (goal <= 1024)"

# conmon supervising the same kind of container, through corral and runc
conmon_one() { # NAME RUNTIME
	local n=$1 rt=$2 cd="$d/cm-$1"
	mkdir -p "$cd"
	# the bundle's binds of a corrald container's own files (hosts,
	# resolv.conf) are gone with it: conmon's container goes without them
	jq --arg c "$cgp/conmon-$n" --arg r "$IMG" --arg s "$d/state/" '.linux.cgroupsPath = $c | .root.path = $r |
		.root.readonly = true | .process.args = ["sleep", "100000"] | del(.annotations) |
		.mounts |= map(select((.source // "") | startswith($s) | not))' "$d/bundle/config.json" >"$cd/config.json"
	conmon --cid "cm$n" --cuuid "cm$n" --name "cm$n" --runtime "$rt" \
		--runtime-arg --root --runtime-arg "$d/rt-$n" --bundle "$cd" \
		--log-path "$cd/ctr.log" --exit-dir "$cd" --container-pidfile "$cd/pid" \
		--conmon-pidfile "$cd/conmon.pid" --socket-dir-path "$cd" >"$cd/out" 2>&1 || true
	for _ in $(seq 200); do [ -s "$cd/pid" ] && break; sleep 0.05; done
	if [ ! -s "$cd/conmon.pid" ] || [ ! -s "$cd/pid" ]; then
		# conmon tells the journal why; the runtime, asked itself, tells here
		echo "conmon ($n): no container after 10 s; $n's own create of the bundle says:" \
			"$("$rt" --root "$d/rt-x$n" create --bundle "$cd" "x$n" 2>&1 | head -2)"
		echo "$d/rt-x$n x$n $rt" >>"$d/conmon.rts"
		return 0
	fi
	local cp
	cp=$(cat "$cd/conmon.pid")
	echo "$cp" >>"$d/conmon.pids"
	"$rt" --root "$d/rt-$n" start "cm$n" >/dev/null 2>&1 || true
	for _ in $(seq 100); do "$rt" --root "$d/rt-$n" state "cm$n" 2>/dev/null | grep -q '"running"' && break; sleep 0.05; done
	if ! grep -q VmRSS "/proc/$cp/status" 2>/dev/null; then
		echo "conmon ($n): it exited with its container"
		return 0
	fi
	echo "conmon ($n) supervising the same container: $(rss "$cp") kB RSS, $(pss "$cp") kB PSS"
	"$rt" --root "$d/rt-$n" delete --force "cm$n" >/dev/null 2>&1 || true
	echo "$d/rt-$n cm$n $rt" >>"$d/conmon.rts"
}
if command -v conmon >/dev/null; then
	conmon_one corral "$B/bin/corral"
	! command -v runc >/dev/null || conmon_one runc "$(command -v runc)"
else
	echo "conmon: not installed (apt-get install conmon) - no side-by-side figure"
fi

"$PY" - "$sock" "$N" <<'PYEOF'
import socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
def cpu_ticks():  # (steal, all) from /proc/stat: a VM's vCPU time taken by its host
    f = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return f[7], sum(f)
def bench(method, count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
    st0, all0 = cpu_ticks()
    msg = ('{"method":"io.corral.Supervisor.%s"}' % method).encode() + b"\0"
    lat = []
    for i in range(count):
        t = time.perf_counter(); s.sendall(msg); buf = s.recv(1 << 20)
        while not buf.endswith(b"\0"): buf += s.recv(1 << 20)
        lat.append(time.perf_counter() - t)
    st1, all1 = cpu_ticks()
    lat = lat[count // 10:]; lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1e6
    print("%-5s with %d containers: p50 %7.1f us  p99 %7.1f us (goal p99 <= 1000 us); host steal %.0f%% meanwhile"
          % (method, n, p(.5), p(.99), 100.0 * (st1 - st0) / max(1, all1 - all0)))
bench("Ping", 5000)
bench("List", 1000)
PYEOF
