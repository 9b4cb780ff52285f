#!/bin/bash
# corrald figures: idle RSS, and Ping latency from one client and from 200
# concurrent clients. Prints numbers; never a timed pass/fail test.
# The client is Python, so each round trip includes ~10 us of client time.
set -eu
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
PY=/usr/bin/python3
d=$(mktemp -d "${TMPDIR:-/tmp}/corral-bench.XXXXXX")
sock="$d/c.sock"
: >"$d/corrald.conf"
"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
	--cgroup-delegate no --default-network none --log-level warning &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$d"' EXIT
for _ in $(seq 100); do "$B/bin/corralctl" --socket "$sock" ping >/dev/null 2>&1 && break; sleep 0.05; done
echo "corrald idle RSS: $(awk '/VmRSS/ {print $2}' /proc/$pid/status) kB"
"$PY" - "$sock" <<'PYEOF'
import socket, sys, time, selectors
path = sys.argv[1]
PING = b'{"method":"io.corral.Supervisor.Ping"}\0'

def pct(lat, p):
    return lat[min(len(lat) - 1, int(len(lat) * p))] * 1e6

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
lat = []
for i in range(20000):
    t = time.perf_counter(); s.sendall(PING); buf = s.recv(64)
    while not buf.endswith(b"\0"): buf += s.recv(64)
    lat.append(time.perf_counter() - t)
lat = lat[1000:]; lat.sort()
print("Ping, 1 client:    p50 %6.1f us  p99 %6.1f us  max %7.1f us" % (pct(lat, .5), pct(lat, .99), lat[-1] * 1e6))

n, per = 200, 50
sel = selectors.DefaultSelector(); st = {}
for _ in range(n):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(path); c.setblocking(False)
    sel.register(c, selectors.EVENT_READ); st[c] = [0, b"", time.perf_counter()]; c.send(PING)
lat = []; done = 0; t0 = time.perf_counter()
while done < n:
    for k, _ in sel.select(5):
        c = k.fileobj; x = st[c]; x[1] += c.recv(4096)
        while b"\0" in x[1]:
            _, x[1] = x[1].split(b"\0", 1); lat.append(time.perf_counter() - x[2]); x[0] += 1
            if x[0] == per:
                done += 1; sel.unregister(c)
            else:
                x[2] = time.perf_counter(); c.send(PING)
el = time.perf_counter() - t0
lat.sort()
print("Ping, 200 clients: p50 %6.1f us  p99 %6.1f us  max %7.1f us  (%.0f calls/s)" % (pct(lat, .5), pct(lat, .99), lat[-1] * 1e6, len(lat) / el))
PYEOF
echo "corrald RSS after: $(awk '/VmRSS/ {print $2}' /proc/$pid/status) kB"
