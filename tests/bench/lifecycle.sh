#!/bin/bash
# Lifecycle benchmark: N sequential create -> start -> wait -> delete, and
# N `run`s, of /bin/true by corral, crun and runc, from the same bundle and
# config.json, in alternating rounds; prints each runtime's medians and the
# ratios. corral runs three ways: as installed, sealing itself on each
# create, run and exec; "corral-sealed", a copy that `corral seal` bound a
# sealed view over once, as corral-seal.service does; and "corral-fixed",
# for comparison only and never shipped: corral-sealed linked at fixed
# addresses, which shows what TCG's translating a position-independent
# binary's code again in each process costs. The wait polls `state`, which
# favours the runtime with the faster state: the polls are counted and
# printed. Then runs `echo it works` under memory.max = 512 KiB with each
# runtime.
#   tests/bench/lifecycle.sh B [N]        (root; runtimes missing are skipped)
# In the VM: tests/bench/lifecycle-vm.sh B [N]. Never a timed test.
set -u
B=${1:-build}
N=${2:-${N:-25}}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "lifecycle: needs root"; exit 0; }
# a mount namespace of its own, for corral-sealed's view
[ -n "${CORRAL_BENCH_MNTNS:-}" ] || CORRAL_BENCH_MNTNS=1 exec unshare -m --propagation private "$0" "$@"
"$root/tests/fixtures/mkbusybox.sh" "$B" >/dev/null || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/corral-bench.XXXXXX")
cleanup() {
	for rt in "${rts[@]}"; do
		for id in $(ls "$work/state-$rt" 2>/dev/null); do rt_cmd "$rt" delete --force "$id" >/dev/null 2>&1; done
	done
	[ -x "$work/sealed/corral" ] && "$work/sealed/corral" seal --remove "$work/sealed/corral" "$work/sealed/corral-fixed" 2>/dev/null
	# the parent /corral that corral's default cgroupsPath made, if it did
	[ -n "${cg_parent_made:-}" ] && rmdir "$cgmnt/corral" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
bundle=$work/bundle
mkdir -p "$bundle"
cp -a "$B/fixtures/busybox/rootfs" "$bundle/rootfs"
# runc spec's config where runc is here (a device cgroup rule among its
# defaults, as engines write), else corral's own
if command -v runc >/dev/null; then (cd "$bundle" && runc spec); else (cd "$bundle" && "$B/bin/corral" spec); fi
cgmnt=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
[ -n "$cgmnt" ] && [ ! -d "$cgmnt/corral" ] && cg_parent_made=1
# one config for all: no terminal, /bin/true, a cgroup per container
jq '.ociVersion="1.0.2" | .process.terminal=false | .process.args=["/bin/true"] | .root.readonly=true' \
	"$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"

rts=()
for rt in corral crun runc; do
	case $rt in corral) [ -x "$B/bin/corral" ] && rts+=(corral) ;; *) command -v $rt >/dev/null && rts+=("$rt") ;; esac
done
if [ -x "$B/bin/corral" ]; then
	mkdir "$work/sealed" && cp "$B/bin/corral" "$work/sealed/corral" &&
		"$work/sealed/corral" seal "$work/sealed/corral" && rts=(corral corral-sealed "${rts[@]:1}")
	fixed="$B/tests/helpers/corral-fixed" # made by lifecycle-vm.sh before the boot
	{ [ -x "$fixed" ] || make -s -C "$root" B="$B" "$fixed" >/dev/null 2>&1; } && cp "$fixed" "$work/sealed/corral-fixed" &&
		"$work/sealed/corral" seal "$work/sealed/corral-fixed" && rts+=(corral-fixed)
fi
rt_cmd() { # runtime args...
	local rt=$1; shift
	case $rt in
	corral) "$B/bin/corral" --root "$work/state-corral" "$@" ;;
	corral-sealed) "$work/sealed/corral" --root "$work/state-corral-sealed" "$@" ;;
	corral-fixed) "$work/sealed/corral-fixed" --root "$work/state-corral-fixed" "$@" ;;
	crun) crun --root "$work/state-crun" "$@" ;;
	runc) runc --root "$work/state-runc" "$@" ;;
	esac
}
now_us() { echo "${EPOCHREALTIME/./}"; }
one() { # runtime id: create, start, wait for exit (polls counted), delete
	local rt=$1 id=$2
	rt_cmd "$rt" create --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$work/err" || return 1
	rt_cmd "$rt" start "$id" >/dev/null 2>>"$work/err" || return 1
	local i
	for i in $(seq 2000); do
		case "$(rt_cmd "$rt" state "$id" 2>/dev/null)" in *'"stopped"'*) break ;; esac
	done
	echo "$i" >>"$work/polls-$rt"
	rt_cmd "$rt" delete "$id" >/dev/null 2>>"$work/err"
}
run_one() { # runtime id: run, which waits for the exit and deletes
	rt_cmd "$1" run --bundle "$bundle" "$2" </dev/null >/dev/null 2>"$work/err"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
declare -A failed
for rt in "${rts[@]}"; do
	: >"$work/t-$rt"; : >"$work/r-$rt"
	one "$rt" "warm-$rt-$$" || failed[$rt]=1
	: >"$work/polls-$rt"
done
# the floor: the same namespaces and mounts and /bin/true, with no runtime
floor="$B/tests/helpers/floor"
[ -x "$floor" ] || make -s -C "$root" "$floor" >/dev/null 2>&1
: >"$work/t-floor"
for r in $(seq "$N"); do
	if [ -x "$floor" ]; then
		t0=$(now_us)
		"$floor" "$bundle/rootfs" && echo $(($(now_us) - t0)) >>"$work/t-floor"
	fi
	for rt in "${rts[@]}"; do
		[ -n "${failed[$rt]:-}" ] && continue
		t0=$(now_us)
		if one "$rt" "b$r-$rt-$$"; then
			echo $(($(now_us) - t0)) >>"$work/t-$rt"
		else
			failed[$rt]=1
			echo "lifecycle: $rt failed: $(tail -2 "$work/err")"
		fi
	done
	for rt in "${rts[@]}"; do
		[ -n "${failed[$rt]:-}" ] && continue
		t0=$(now_us)
		if run_one "$rt" "r$r-$rt-$$"; then
			echo $(($(now_us) - t0)) >>"$work/r-$rt"
		else
			failed[$rt]=1
			echo "lifecycle: $rt run failed: $(tail -2 "$work/err")"
		fi
	done
done
echo "lifecycle: $N rounds of create/start/wait/delete of /bin/true (kernel $(uname -r), cgroup2 controllers: $(cat "$cgmnt/cgroup.subtree_control" 2>/dev/null))"
declare -A med
for rt in "${rts[@]}"; do
	[ -n "${failed[$rt]:-}" ] && { echo "  $rt: failed"; continue; }
	med[$rt]=$(median <"$work/t-$rt")
	printf '  %-13s median %8.2f ms  (state polls until stopped: median %s, mean %s)\n' "$rt" \
		"$(echo "${med[$rt]}" | awk '{print $1/1000}')" "$(median <"$work/polls-$rt")" \
		"$(awk '{s += $1} END {printf "%.1f", NR ? s / NR : 0}' "$work/polls-$rt")"
done
if [ -s "$work/t-floor" ]; then
	med[floor]=$(median <"$work/t-floor")
	printf '  %-13s median %8.2f ms  (namespaces, mounts, pivot_root, exec /bin/true; no runtime)\n' floor \
		"$(echo "${med[floor]}" | awk '{print $1/1000}')"
fi
for c in corral corral-sealed corral-fixed; do
	for rt in crun runc floor; do
		[ -n "${med[$c]:-}" ] && [ -n "${med[$rt]:-}" ] &&
			awk -v a="${med[$c]}" -v b="${med[$rt]}" -v c="$c" -v n="$rt" 'BEGIN {printf "  %s/%s = %.2fx\n", c, n, a/b}'
	done
done
echo "run of /bin/true (waits for the exit, deletes), $N rounds:"
declare -A rmed
for rt in "${rts[@]}"; do
	[ -s "$work/r-$rt" ] || continue
	rmed[$rt]=$(median <"$work/r-$rt")
	printf '  %-13s median %8.2f ms\n' "$rt" "$(echo "${rmed[$rt]}" | awk '{print $1/1000}')"
done
[ -n "${med[floor]:-}" ] && rmed[floor]=${med[floor]}
for c in corral corral-sealed corral-fixed; do
	for rt in crun runc floor; do
		[ -n "${rmed[$c]:-}" ] && [ -n "${rmed[$rt]:-}" ] &&
			awk -v a="${rmed[$c]}" -v b="${rmed[$rt]}" -v c="$c" -v n="$rt" 'BEGIN {printf "  run: %s/%s = %.2fx\n", c, n, a/b}'
	done
done

# The sealed runtime (create, run and exec re-execute from a read-only
# overlayfs view of corral, or else a sealed memfd copy): exec of a missing
# id seals and then fails at once; state of one does not seal. The
# difference of their medians is what sealing costs. The same binary in a
# directory whose name has a ':' (which overlayfs's lowerdir cannot take)
# measures the memfd copy in the same run.
if [ -n "${med[corral]:-}" ]; then
	mkdir "$work/via:copy" && cp "$B/bin/corral" "$work/via:copy/corral"
	: >"$work/seal" && : >"$work/noseal" && : >"$work/copy"
	for r in $(seq 101); do
		t0=$(now_us); rt_cmd corral exec nosuch true >/dev/null 2>&1; echo $(($(now_us) - t0)) >>"$work/seal"
		t0=$(now_us); rt_cmd corral state nosuch >/dev/null 2>&1; echo $(($(now_us) - t0)) >>"$work/noseal"
		t0=$(now_us); "$work/via:copy/corral" --root "$work/state-corral" exec nosuch true >/dev/null 2>&1
		echo $(($(now_us) - t0)) >>"$work/copy"
	done
	how=$(rt_cmd corral --debug exec nosuch true 2>&1 | sed -n 's/.*sealed runtime: //p')
	how_copy=$("$work/via:copy/corral" --root "$work/state-corral" --debug exec nosuch true 2>&1 | sed -n 's/.*sealed runtime: //p')
	awk -v a="$(median <"$work/seal")" -v b="$(median <"$work/noseal")" -v l="${med[corral]}" -v h="$how" \
		'BEGIN {printf "  sealed runtime (%s): %.2f ms a create, run or exec (%.0f%% of the lifecycle above)\n", h, (a-b)/1000, 100*(a-b)/l}'
	awk -v a="$(median <"$work/copy")" -v b="$(median <"$work/noseal")" -v h="$how_copy" \
		'BEGIN {printf "  sealed runtime (%s, for comparison): %.2f ms\n", h, (a-b)/1000}'
fi

# Where corral's time goes beyond the floor: one process start (exec and
# dynamic loading: corral --version), and the syscalls of one create,
# start and delete by wall time (strace -f -c -w; strace slows them all).
if [ -n "${med[corral]:-}" ]; then
	: >"$work/ver"
	for r in $(seq 51); do t0=$(now_us); "$B/bin/corral" --version >/dev/null; echo $(($(now_us) - t0)) >>"$work/ver"; done
	awk -v a="$(median <"$work/ver")" 'BEGIN {printf "  one corral process (exec, dynamic loading, exit): %.2f ms\n", a/1000}'
	if command -v strace >/dev/null; then
		id="prof-$$"
		strace -f -c -w -S time -o "$work/prof" sh -c "$(declare -f rt_cmd); B='$B' work='$work'
			rt_cmd corral create --bundle '$bundle' $id </dev/null >/dev/null && rt_cmd corral start $id &&
			while ! rt_cmd corral state $id | grep -q stopped; do :; done; rt_cmd corral delete $id" >/dev/null 2>&1
		echo "  syscalls of one corral create, start, state polls and delete, by wall time (strace -f -c -w;"
		echo "  waits left out: wait4, waitid, poll, recvmsg), then mount, bpf, fsync and execve whatever their rank:"
		awk 'NR > 2 && $1 ~ /^[0-9.]+$/ && NF >= 5 {printf "    %-16s %6.2f ms %5d calls\n", $NF, $2 * 1000, $4}' "$work/prof" |
			grep -vE '^ +(wait4|waitid|poll|recvmsg) ' >"$work/prof.txt"
		{ head -10 "$work/prof.txt"; grep -E '^ +(mount|bpf|fsync|execve) ' "$work/prof.txt"; } | awk '!seen[$0]++'
	fi
fi

# peak RSS: the largest of create, start, state and delete, per runtime
if [ -x /usr/bin/time ]; then
	echo "peak RSS of one create/start/state/delete (max over the four commands):"
	declare -A rss
	for rt in "${rts[@]}"; do
		# corral-sealed: the same binary
		[ -n "${failed[$rt]:-}" ] || [ "$rt" = corral-sealed ] || [ "$rt" = corral-fixed ] && continue
		id="rss-$rt-$$" peak=0
		case $rt in
		corral) bin=("$B/bin/corral" --root "$work/state-corral") ;;
		*) bin=("$rt" --root "$work/state-$rt") ;;
		esac
		for cmd in "create --bundle $bundle $id" "start $id" "state $id" "delete --force $id"; do
			# the runtime itself is timed, with no shell in between
			# shellcheck disable=SC2086
			/usr/bin/time -f '%M' -o "$work/rss" "${bin[@]}" $cmd </dev/null >/dev/null 2>&1
			kb=$(tail -1 "$work/rss")
			[ "$kb" -gt "$peak" ] 2>/dev/null && peak=$kb
		done
		rss[$rt]=$peak
		printf '  %-7s %6s KiB\n' "$rt" "$peak"
	done
	for rt in crun runc; do
		[ -n "${rss[corral]:-}" ] && [ -n "${rss[$rt]:-}" ] &&
			awk -v a="${rss[corral]}" -v b="${rss[$rt]}" -v n="$rt" 'BEGIN {printf "  corral/%s peak RSS = %.2fx\n", n, a/b}'
	done
fi

# echo it works under memory.max = 512 KiB (memory.swap.max 0)
jq '.process.args=["/bin/echo","it works"] | .linux.resources={"memory":{"limit":524288,"swap":524288}}' \
	"$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"
echo "memory.max = 512 KiB, echo it works:"
for rt in "${rts[@]}"; do
	out=$(cd "$bundle" && rt_cmd "$rt" run "m-$rt-$$" </dev/null 2>&1)
	rc=$?
	rt_cmd "$rt" delete --force "m-$rt-$$" >/dev/null 2>&1
	printf '  %-13s exit %-3s %s\n' "$rt" "$rc" "$(echo "$out" | tail -1 | cut -c1-150)"
done
