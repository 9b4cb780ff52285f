#!/bin/bash
# The broker: throughput and p50/p99 latency of 1 KiB messages between two
# containers of a session through corrald, beside the floor, the same messages
# between two processes over a unix socketpair, and the floor of any broker:
# a third process that only copies one socketpair to another (a relay,
# with no parsing, no routing and no bounds). The client
# (tests/helpers/broker_bench) speaks on the members' own broker sockets,
# from the host side, so the figures are corrald's and not a container's
# scheduling. Targets: >= 50,000 msg/s, p99 <= 1 ms, >= 0.8x the
# floor. Prints figures; never a timed pass/fail test.
set -eu
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
N=${COUNT:-200000}
SIZE=${SIZE:-1024}
WINDOW=${WINDOW:-32}
BENCH_BIN="$B/tests/helpers/broker_bench"
[ -x "$BENCH_BIN" ] || make -s "$BENCH_BIN" B="$B" >/dev/null
. "$(dirname "$0")/corrald_lib.sh"
bench_corrald broker --log-level warning
bench_on_exit "ctl session rm -f bench"
"$(dirname "$0")/../fixtures/mkbusybox.sh" "$(dirname "$B")/$(basename "$B")" >/dev/null
ctl session create bench --share ipc,uts >/dev/null
a=$(ctl run -d --session bench --name pub "$B/fixtures/busybox/rootfs" sleep 1000)
b=$(ctl run -d --session bench --name sub "$B/fixtures/busybox/rootfs" sleep 1000)
dir="$d/state/sessions/bench/broker"
# WINDOW messages on the way at once, for throughput; then one at a time,
# for the latency of a message alone (with a window, each also waits for
# those ahead of it). ROUNDS rounds, each the broker then the floor, side by
# side: the figures are the medians, since two cores shared by three busy
# threads vary from run to run.
ROUNDS=${ROUNDS:-3}
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rate() { sed -E 's/.* ([0-9]+) msg\/s.*/\1/' <<<"$1"; }
p99() { sed -E 's/.* p99 ([0-9.]+) us.*/\1/' <<<"$1"; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "corrald RSS before: $(rss) kB"
rates=() floors=() ratios=() p99s=() cpus=() relays=() of_relay=() relay_cpus=()
for r in $(seq "$ROUNDS"); do
	t0=$(ticks)
	broker=$("$BENCH_BIN" broker "$dir/$a/broker.sock" "$dir/$b/broker.sock" "$N" "$SIZE" "$WINDOW")
	t1=$(ticks)
	floor=$("$BENCH_BIN" floor "$N" "$SIZE" "$WINDOW")
	relay=$("$BENCH_BIN" relay "$N" "$SIZE" "$WINDOW")
	relay_cpus+=("$(sed -n 's/^relay CPU \([0-9]*\) ns\/msg$/\1/p' <<<"$relay")")
	relay=$(head -1 <<<"$relay")
	echo "round $r, window $WINDOW: $broker"
	echo "round $r, window $WINDOW: $floor"
	echo "round $r, window $WINDOW: $relay"
	relays+=("$(rate "$relay")")
	of_relay+=("$(awk -v r="$(rate "$broker")" -v f="$(rate "$relay")" 'BEGIN {printf "%.3f", r / f}')")
	rates+=("$(rate "$broker")") floors+=("$(rate "$floor")") p99s+=("$(p99 "$broker")")
	ratios+=("$(awk -v r="$(rate "$broker")" -v f="$(rate "$floor")" 'BEGIN {printf "%.3f", r / f}')")
	cpus+=("$(awk -v t=$((t1 - t0)) -v n="$N" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz / n * 1e9}')")
done
broker1=$("$BENCH_BIN" broker "$dir/$a/broker.sock" "$dir/$b/broker.sock" $((N / 10)) "$SIZE" 1)
echo "window 1: $broker1"
echo "window 1: $("$BENCH_BIN" floor $((N / 10)) "$SIZE" 1)"
echo "corrald RSS after: $(rss) kB"
r=$(printf '%s\n' "${rates[@]}" | median)
f=$(printf '%s\n' "${floors[@]}" | median)
x=$(printf '%s\n' "${ratios[@]}" | median)
p=$(printf '%s\n' "${p99s[@]}" | median)
c=$(printf '%s\n' "${cpus[@]}" | median)
y=$(printf '%s\n' "${relays[@]}" | median)
z=$(printf '%s\n' "${of_relay[@]}" | median)
echo "median of $ROUNDS: broker $r msg/s, p99 $p us, corrald CPU $c ns/msg; floor (a socketpair) $f msg/s; broker/floor ${x}x (rounds: ${ratios[*]})"
echo "median of $ROUNDS: relay (a process copying, nothing more) $y msg/s, CPU $(printf '%s\n' "${relay_cpus[@]}" | median) ns/msg; relay/floor $(awk -v a="$y" -v b="$f" 'BEGIN {printf "%.3f", a / b}')x; broker/relay ${z}x (rounds: ${of_relay[*]})"
awk -v r="$r" -v x="$x" -v p="$p" -v p1="$(p99 "$broker1")" -v w="$WINDOW" 'BEGIN {
	printf "targets: >= 50000 msg/s: %s; p99 <= 1000 us: %s (window %s), %s (window 1); >= 0.8x floor: %s\n",
		(r >= 50000 ? "met" : "NOT met"), (p <= 1000 ? "met" : "NOT met"), w,
		(p1 <= 1000 ? "met" : "NOT met"), (x >= 0.8 ? "met" : "NOT met") }'
