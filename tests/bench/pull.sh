#!/bin/bash
# Pull from a registry: corral beside podman, skopeo + import and the floor
# (issue 29). A 3-layer OCI image of ~100 MB gzip (busybox and ~33 MB of
# /dev/urandom files in the first layer, ~33 MB in each of the others, a
# quarter of it in ~1,000 small files a layer; gzip cannot shrink them, so
# inflate costs little here) is pushed with skopeo to Debian's docker-registry,
# plain http on 127.0.0.1:5000 in a network namespace (and a mount
# namespace) of the bench's own. Then N rounds (after one warm-up round),
# the order of the ways turning each round, of each of:
#   corral       corral image pull --store S (pull + verify + unpack)
#   corrald      corralctl pull, corrald's own store (--state-dir)
#   podman       podman pull, its own --root (overlay, or vfs if overlay fails)
#   skopeo+imp   skopeo copy docker://... oci:DIR, then corral image import
#   floor        curl of each blob into a file, then tar -xzf of it into an
#                empty directory; the blobs in parallel (no digest checked)
#   streamed     the same streamed as corral streams it, for reference:
#                curl | tee FILE | tar -xz, the blobs in parallel
# each twice: cold (empty store) and warm (the first layer already there,
# through a one-layer image bench/base:1 pulled before, untimed; the floor
# then fetches and unpacks the two others). Prints the medians, the ratios
# corral / podman (target <= 0.6), corral / floor (target <= 1.3), corrald /
# corral (target <= 1.1) and corrald / floor (target <= 1.2), the CPU of the
# client and of corrald with its helpers (median of each, user and sys), and
# corrald's RSS around each pull (VmRSS before and after, VmHWM reset with
# clear_refs before it; target <= 1 MiB growth). The report also goes to
# $PULL_RESULTS (default B/results/bench-pull.txt).
#   tests/bench/pull.sh B [N]     (root; N=5)
# Stores, registry data and outputs are on a tmpfs, as in images.sh: the
# figures compare the work of each, not the disk's writeback (ON_DISK=1:
# on B's filesystem, where corral's syncfs per layer counts too; EXT4=1: on
# a journaled ext4 of the bench's own, a loop image mounted in its mount
# namespace, the same whatever filesystem the host has).
# LAYER_MB=33 sets each layer's size; KEEP=1 keeps the generated layout in
# B/tmp/bench-pull for the next run. Never a timed test: it prints figures.
set -u -o pipefail
B=${1:-build}
N=${2:-${N:-5}}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "pull: needs root"; exit 0; }
for t in docker-registry skopeo curl python3 jq gzip; do
	command -v $t >/dev/null || { echo "pull: $t missing (tests/deps.sh)"; exit 0; }
done
# everything below runs in namespaces of its own: the registry and every
# client in a network namespace with lo only, podman's mounts in a mount
# namespace; both go with the last process
if [ -z "${CORRAL_BENCH_NETNS:-}" ]; then
	CORRAL_BENCH_NETNS=1 exec unshare -n -m --propagation private -- "$0" "$B" "$N"
fi
ip link set lo up
LAYER_MB=${LAYER_MB:-33}
OUT=${PULL_RESULTS:-$B/results/bench-pull.txt}
REG=127.0.0.1:5000
"$root/tests/fixtures/mkbusybox.sh" "$B" >/dev/null || { echo "pull: no busybox fixture"; exit 1; }

# the image: kept across runs with KEEP=1 (its stamp: the layer size)
W="$B/tmp/bench-pull"
L="$W/layout"
[ "${KEEP:-0}" = 1 ] && [ "$(cat "$W/stamp" 2>/dev/null)" = "$LAYER_MB" ] || rm -rf "$W"
mkdir -p "$W"
d=$(mktemp -d "${TMPDIR:-/tmp}/corral-bench-pull.XXXXXX")
PMR=$(mktemp -d /tmp/corral-pmr.XXXXXX) # podman wants its run root under 50 characters
sock="$d/c.sock"
pid="" regpid=""
ctl() { "$B/bin/corralctl" --socket "$sock" --timeout 5m "$@"; }
PM_DRIVER=overlay
pm() { # podman with its own storage, temp dir and settings, all under $d
	TMPDIR="$d/pm-tmp" CONTAINERS_CONF="$d/containers.conf" podman --root "$d/pm" --runroot "$PMR" \
		--storage-driver "$PM_DRIVER" --cgroup-manager cgroupfs --events-backend none "$@"
}
pm_reset() {
	[ -d "$d/pm" ] && pm system reset -f >/dev/null 2>&1
	for m in "$d/pm" "$PMR"; do
		awk -v p="$m/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
	done
	rm -rf "$d/pm" "$d/pm-tmp" "${PMR:?}"/*
	mkdir -p "$d/pm-tmp"
}
cleanup() {
	set +e
	trap - EXIT INT TERM
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	if [ -n "$regpid" ]; then
		kill "$regpid" 2>/dev/null
		wait "$regpid" 2>/dev/null
	fi
	command -v podman >/dev/null && pm_reset
	awk -v p="$d/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
	awk -v p="$d" '$5 == p { print $5 }' /proc/self/mountinfo | xargs -r -n1 umount -l
	rm -rf "$d" "$PMR" "$W/ext4.img"
	[ "${KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "${EXT4:-0}" = 1 ]; then
	# a journaled ext4 of the bench's own, as most hosts have it: the host's
	# own may differ (an ext4 with no journal makes each new inode skip
	# past those deleted in the last minute, ialloc.c's recently_deleted,
	# and so every pull after a prune spends seconds of CPU on it)
	truncate -s 12G "$W/ext4.img" && mkfs.ext4 -q -F "$W/ext4.img" && mount -o loop "$W/ext4.img" "$d" || exit 1
	chmod 0700 "$d"
elif [ "${ON_DISK:-0}" != 1 ]; then
	mount -t tmpfs -o size=8g,mode=0700 corral-bench-pull "$d" || exit 1
fi
mkdir -p "$d/pm-tmp"
now() { echo "${EPOCHREALTIME/./}"; }

if [ ! -f "$W/stamp" ]; then
	echo "pull: building a 3-layer image of ~$((3 * LAYER_MB)) MB gzip from /dev/urandom ..."
	python3 - "$L" "$LAYER_MB" "$B/fixtures/busybox/rootfs" <<'PY' || exit 1
import hashlib, io, json, os, subprocess, sys, tarfile
out, mb, busybox = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out + "/blobs/sha256")
def put(b):
    d = hashlib.sha256(b).hexdigest()
    open(f"{out}/blobs/sha256/{d}", "wb").write(b)
    return "sha256:" + d, len(b)
def data(t, name, n):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = n, 0o644, 1700000000
    t.addfile(ti, io.BytesIO(os.urandom(n)))
layers = []
for k in (1, 2, 3):
    raw = f"{out}/layer{k}.tar"
    with tarfile.open(raw, "w", format=tarfile.PAX_FORMAT) as t:
        if k == 1:
            t.add(busybox, arcname=".")
        # three quarters in files of 1 MiB, a quarter in files of 4-12 KiB
        budget = mb << 20
        for i in range(budget * 3 // 4 >> 20):
            data(t, f"bench/l{k}/big/f{i:03d}", 1 << 20)
        left, i = budget - (budget * 3 // 4 >> 20 << 20), 0
        while left > 0:
            n = min(left, 4096 + (i * 2053) % 8192)
            data(t, f"bench/l{k}/small/d{i // 100:02d}/f{i:04d}", n)
            left -= n
            i += 1
    h = hashlib.sha256()
    with open(raw, "rb") as f:
        for c in iter(lambda: f.read(1 << 20), b""):
            h.update(c)
    gz = subprocess.run(["gzip", "-6", "-n", "-c", raw], capture_output=True, check=True).stdout
    os.unlink(raw)
    layers.append((put(gz), "sha256:" + h.hexdigest()))
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
def image(ls, tag):
    cfg = json.dumps({"architecture": arch, "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                      "rootfs": {"type": "layers", "diff_ids": [l[1] for l in ls]}}).encode()
    cd, cs = put(cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": l[0][0],
                                  "size": l[0][1]} for l in ls]}).encode()
    md, ms = put(man)
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
            "annotations": {"org.opencontainers.image.ref.name": tag}}
json.dump({"schemaVersion": 2, "manifests": [image(layers, "bench"), image(layers[:1], "base")]},
          open(out + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(out + "/oci-layout", "w"))
PY
	echo "$LAYER_MB" >"$W/stamp"
fi

# the registry: plain http on 127.0.0.1 in this namespace, its data on the tmpfs
mkdir -p "$d/reg/data"
cat >"$d/reg/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $d/reg/data
http:
  addr: $REG
  secret: corral-bench-pull
EOF
docker-registry serve "$d/reg/config.yml" >"$d/reg/log" 2>&1 &
regpid=$!
for _ in $(seq 100); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.05; done
curl -sf "http://$REG/v2/" >/dev/null || { echo "pull: docker-registry did not start: $(tail -3 "$d/reg/log")"; exit 1; }
for t in bench:bench/pull:1 base:bench/base:1; do
	skopeo copy -q --dest-tls-verify=false "oci:$L:${t%%:*}" "docker://$REG/${t#*:}" 2>"$d/err" ||
		{ echo "pull: skopeo could not push ${t#*:}: $(tail -2 "$d/err")"; exit 1; }
done
IMG=$REG/bench/pull:1
BASE=$REG/bench/base:1
man=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/bench/pull/manifests/1")
mapfile -t blobs < <(echo "$man" | jq -r '.layers[].digest')
mapfile -t sizes < <(echo "$man" | jq -r '.layers[].size')
[ "${#blobs[@]}" = 3 ] || { echo "pull: the pushed manifest has ${#blobs[@]} layers, not 3"; exit 1; }

# corrald: its own state, socket and settings; no network of its own
: >"$d/corrald.conf"
"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
	--cgroup-delegate no --cgroup-parent "/corral-bench-pull-$$" --default-network none \
	--registry-insecure "$REG" --log-level warning 2>"$d/corrald.err" &
pid=$!
for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
ctl ping >/dev/null 2>&1 || { echo "pull: corrald did not start: $(tail -3 "$d/corrald.err")"; exit 1; }

# podman: its settings, and the driver that works here
cat >"$d/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
image_copy_tmp_dir = "$d/pm-tmp"
EOF
pm_ok=""
if command -v podman >/dev/null; then
	for PM_DRIVER in overlay vfs; do
		pm_reset
		pm pull -q --tls-verify=false "$BASE" >/dev/null 2>"$d/err" && { pm_ok=1; break; }
		echo "pull: podman with $PM_DRIVER: $(tail -1 "$d/err")"
	done
	pm_reset
else
	echo "pull: podman is not installed: no side-by-side figures"
fi

# One way, cold or warm: untimed setup, the timed pull, untimed teardown;
# appends the time (us) to $d/t-WAY-MODE.
S="$d/store" O="$d/out"
CPULL=(--insecure-registry "$REG" --progress none)
rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# CPU, in clock ticks: "user sys" of the bench's own children (corral image
# pull, the floor's curl and tar), and of corrald with its helpers
# (corral-images), which it has reaped by the time it answers
TICK=$(getconf CLK_TCK)
# (times runs in this shell: in a $(...) it would count the subshell's)
cpu_ticks() {
	times >"$d/times"
	echo "$(awk -v hz="$TICK" 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); printf "%d ", (t[1] * 60 + t[2]) * hz } }' "$d/times")$(awk '{ print $14 + $16, $15 + $17 }' "/proc/$pid/stat")"
}
# the pull's CPU in ms: its own (user, sys) then corrald's (user, sys)
cpu_split() { cat "$d/cpu0" "$d/cpu1" | tr '\n' ' ' | awk -v hz="$TICK" '{ for (i = 1; i <= 4; i++) printf "%d ", ($(i + 4) - $i) * 1000 / hz; print "" }'; }
one() { # WAY MODE
	local way=$1 mode=$2 a b rc=0 r0 a0 h
	rm -rf "$S" "$O"
	mkdir -p "$O"
	case $way in
	corral) [ "$mode" = cold ] || "$B/bin/corral" image pull --store "$S" "${CPULL[@]}" "$BASE" >/dev/null ;;
	corrald) [ "$mode" = cold ] || ctl pull -q "$BASE" >/dev/null ;;
	podman) pm_reset; [ "$mode" = cold ] || pm pull -q --tls-verify=false "$BASE" >/dev/null ;;
	skopeo) [ "$mode" = cold ] || { skopeo copy -q --src-tls-verify=false "docker://$BASE" "oci:$O/layout:base" &&
		"$B/bin/corral" image import --store "$S" "oci:$O/layout:base" >/dev/null; } ;;
	esac 2>"$d/err" || { echo "pull: $way: setup: $(tail -2 "$d/err")"; return 1; }
	if [ "$way" = corrald ]; then
		echo 5 >"/proc/$pid/clear_refs" # VmHWM back to VmRSS
		r0=$(rss "$pid" VmRSS) a0=$(rss "$pid" RssAnon)
	fi
	sync
	cpu_ticks >"$d/cpu0"
	a=$(now)
	case $way in
	corral) "$B/bin/corral" image pull --store "$S" "${CPULL[@]}" "$IMG" >/dev/null ;;
	corrald) ctl pull -q "$IMG" >/dev/null ;;
	podman) pm pull -q --tls-verify=false "$IMG" >/dev/null ;;
	skopeo) skopeo copy -q --src-tls-verify=false "docker://$IMG" "oci:$O/layout:bench" &&
		"$B/bin/corral" image import --store "$S" "oci:$O/layout:bench" >/dev/null ;;
	floor)
		local i p=() first=0
		[ "$mode" = cold ] || first=1
		for ((i = first; i < 3; i++)); do
			h=${blobs[i]#sha256:}
			{ curl -sfL -o "$O/$h" "http://$REG/v2/bench/pull/blobs/${blobs[i]}" && mkdir "$O/$h.d" &&
				tar -xzf "$O/$h" -C "$O/$h.d"; } &
			p+=($!)
		done
		for i in "${p[@]}"; do wait "$i" || rc=1; done
		[ $rc = 0 ]
		;;
	stream)
		local i p=() first=0
		[ "$mode" = cold ] || first=1
		for ((i = first; i < 3; i++)); do
			h=${blobs[i]#sha256:}
			mkdir "$O/$h.d"
			{ curl -sfL "http://$REG/v2/bench/pull/blobs/${blobs[i]}" | tee "$O/$h" | tar -xzf - -C "$O/$h.d"; } &
			p+=($!)
		done
		for i in "${p[@]}"; do wait "$i" || rc=1; done
		[ $rc = 0 ]
		;;
	esac 2>"$d/err" || rc=1
	b=$(now)
	[ $rc = 0 ] || { echo "pull: $way ($mode): $(tail -2 "$d/err")"; return 1; }
	echo $((b - a)) >>"$d/t-$way-$mode"
	cpu_ticks >"$d/cpu1"
	cpu_split >>"$d/c-$way-$mode"
	if [ "$way" = corrald ]; then
		echo "$r0 $(rss "$pid" VmRSS) $(rss "$pid" VmHWM) $a0 $(rss "$pid" RssAnon)" >>"$d/rss"
		ctl image rm "$IMG" >/dev/null 2>&1
		ctl image rm "$BASE" >/dev/null 2>&1
		ctl image prune >/dev/null 2>"$d/err" || { echo "pull: corrald: image prune: $(tail -1 "$d/err")"; return 1; }
	fi
	[ "$way" = podman ] && pm_reset
	rm -rf "$S" "$O"
	return 0
}

ways=(corral corrald skopeo floor stream)
[ -n "$pm_ok" ] && ways=(corral corrald podman skopeo floor stream)
for r in $(seq 0 "$N"); do
	for ((k = 0; k < ${#ways[@]}; k++)); do
		way=${ways[(k + r) % ${#ways[@]}]}
		if ((r % 2)); then modes="warm cold"; else modes="cold warm"; fi
		for mode in $modes; do one "$way" "$mode" || exit 1; done
	done
	# round 0 warms every cache and is not counted
	[ "$r" = 0 ] && rm -f "$d"/t-* "$d"/c-* && mv "$d/rss" "$d/rss0"
done
# corrald's store (its state dir) is empty again: no layer or blob left
left=$(find "$d/state/layers" "$d/state/blobs" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)

med() { sort -n "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# "min-max" in seconds
spread() { sort -n "$1" | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.2f-%.2f", a / 1e6, b / 1e6 }'; }
declare -A M
for w in "${ways[@]}"; do for m in cold warm; do M[$w-$m]=$(med "$d/t-$w-$m"); done; done
s() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "met" : "missed" }'; }
mb=$(awk -v a="${sizes[0]}" -v b="${sizes[1]}" -v c="${sizes[2]}" 'BEGIN { printf "%.1f + %.1f + %.1f MB", a / 1048576, b / 1048576, c / 1048576 }')
{
	echo "pull: median of $N rounds (after a warm-up), the order turning each round; kernel $(uname -r), $(nproc) CPUs"
	echo "  image: 3 gzip layers, $mb (random data), plain http docker-registry on $REG (netns)"
	echo "  outputs on $(findmnt -no FSTYPE,OPTIONS -T "$d" | sed 's/ /, mounted /')$([ "${EXT4:-0}" = 1 ] && echo " (a journaled loop image of the bench's own)");" \
		"$([ -n "$pm_ok" ] && echo "$(podman --version), --storage-driver $PM_DRIVER" || echo "no podman")"
	echo "  cold: empty store; warm: the first layer already in it (the floor: two blobs)"
	printf '  %-34s %7s %11s %7s %11s\n' "" "cold s" "(min-max)" "warm s" "(min-max)"
	for w in "${ways[@]}"; do
		case $w in
		corral) n="corral image pull" ;;
		corrald) n="corralctl pull (corrald)" ;;
		podman) n="podman pull" ;;
		skopeo) n="skopeo copy + corral image import" ;;
		floor) n="floor: curl, then tar -xzf" ;;
		stream) n="(streamed: curl | tee | tar -xz)" ;;
		esac
		printf '  %-34s %7s %11s %7s %11s\n' "$n" "$(s "${M[$w-cold]}")" "$(spread "$d/t-$w-cold")" \
			"$(s "${M[$w-warm]}")" "$(spread "$d/t-$w-warm")"
	done
	for m in cold warm; do
		if [ -n "$pm_ok" ]; then
			x=$(ratio "${M[corral-$m]}" "${M[podman-$m]}")
			y=$(ratio "${M[corrald-$m]}" "${M[podman-$m]}")
			printf '  %-4s corral / podman   %5s (corrald %5s)  target <= 0.6: %s\n' "$m" "$x" "$y" "$(verdict "$x" 0.6)"
		fi
		x=$(ratio "${M[corral-$m]}" "${M[floor-$m]}")
		y=$(ratio "${M[corrald-$m]}" "${M[floor-$m]}")
		printf '  %-4s corral / floor    %5s (corrald %5s)  target <= 1.3: %s\n' "$m" "$x" "$y" "$(verdict "$x" 1.3)"
		x=$(ratio "${M[corral-$m]}" "${M[stream-$m]}")
		printf '  %-4s corral / streamed %5s (for reference, no target)\n' "$m" "$x"
		x=$(ratio "${M[corrald-$m]}" "${M[corral-$m]}")
		printf '  %-4s corrald / corral  %5s  target <= 1.1: %s\n' "$m" "$x" "$(verdict "$x" 1.1)"
		x=$(ratio "${M[corrald-$m]}" "${M[floor-$m]}")
		printf '  %-4s corrald / floor   %5s  target <= 1.2: %s\n' "$m" "$x" "$(verdict "$x" 1.2)"
	done
	# the CPU split, medians in ms: the client's (corral image pull itself,
	# or corralctl) and corrald's with its helpers
	for w in corral corrald floor; do
		for m in cold warm; do
			[ -s "$d/c-$w-$m" ] || continue
			printf '  CPU %-7s %-4s client user %5s sys %5s; corrald+helpers user %5s sys %5s ms\n' "$w" "$m" \
				$(for i in 1 2 3 4; do awk -v i=$i '{ print $i }' "$d/c-$w-$m" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; done)
		done
	done
	# corrald's RSS, kB: VmRSS before and after each pull, VmHWM during it
	# (reset before it), RssAnon before and after
	awk -v left="$left" '
		FILENAME != ARGV[ARGC - 1] { if (!n0++) { f0 = $1; f1 = $2; fh = $3; fa = $5 - $4 } next }
		!first { first = $1 }
		{ g = $2 - $1; p = $3 - $1; if (g > mg) mg = g; if (p > mp) mp = p; last = $2 }
		END {
			printf "  corrald RSS, its first pull (warm-up round): %d -> %d kB (%+d, of it anonymous %+d), peak %d kB\n", f0, f1, f1 - f0, fa, fh
			printf "    the %d counted pulls: at most %+d kB over one pull, peak (VmHWM) at most %+d above its start;\n", FNR, mg, mp
			printf "    %d kB before the first, %d kB after the last\n", first, last
			printf "    target <= 1 MiB growth a pull: %s; the first pull: %s\n", (mg <= 1024 && mp <= 1024) ? "met" : "missed", (f1 - f0 <= 1024 && fh - f0 <= 1024) ? "met" : "missed"
			printf "    layers and blobs left in its store after image rm and prune: %d\n", left
		}' "$d/rss0" "$d/rss"
} | tee "$d/report"
mkdir -p "$(dirname "$OUT")" && cp "$d/report" "$OUT"
exit 0
