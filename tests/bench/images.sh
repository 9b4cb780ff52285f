#!/bin/bash
# Benchmark of corral image import and bundle create. Never a timed test:
# it prints figures and ratios measured in the same run.
#   1. a ~100 MB gzip layer made now from a real tree (/usr), as an OCI layout
#   2. import + unpack with full verification (corral), against `tar -xzf`
#      of the same blob and `umoci unpack` of the same image
#   3. `corral bundle create` with an overlay rootfs: median of 20
# Targets: corral <= 1.3x tar, <= 0.5x umoci; bundle create <= 10 ms median.
set -eu
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
CORRAL="$B/bin/corral"
[ "$(id -u)" -eq 0 ] || { echo "SKIP bench images: needs root (owners, devices, overlay)"; exit 0; }
for t in umoci python3 gzip; do command -v $t >/dev/null || { echo "SKIP bench images: $t missing"; exit 0; }; done
# KEEP=1 keeps the generated layout in $W for the next run (and profiling)
W="$B/tmp/bench-images"
[ "${KEEP:-0}" = 1 ] && [ -f "$W/blob" ] || { rm -rf "$W"; mkdir -p "$W"; }
cleanup() {
	for m in $(awk -v d="$W" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo); do umount -l "$m"; done
	[ "${KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
TARGET_MB=${TARGET_MB:-100}

[ -f "$W/blob" ] || echo "bench images: building a ~${TARGET_MB} MB gzip layer from /usr ..."
[ -f "$W/blob" ] || python3 - "$W/layout" "$TARGET_MB" <<'PY'
import hashlib, json, os, subprocess, sys, tarfile
out, target = sys.argv[1], int(sys.argv[2]) << 20
os.makedirs(out + "/blobs/sha256")
# compressible trees first, binaries after: about 2.5:1 overall
budget = target * 5 // 2
raw = out + "/layer.tar"
total = 0
with tarfile.open(raw, "w", format=tarfile.PAX_FORMAT) as t:
    for top in ("/usr/share", "/usr/lib", "/usr/bin"):
        for dp, dns, fns in os.walk(top):
            dns.sort()
            for n in sorted(fns) + []:
                p = os.path.join(dp, n)
                try:
                    st = os.lstat(p)
                    t.add(p, arcname=p.lstrip("/"), recursive=False)
                    total += st.st_size if os.path.isfile(p) and not os.path.islink(p) else 0
                except (OSError, ValueError):
                    pass
                if total >= budget:
                    break
            if total >= budget:
                break
        if total >= budget:
            break
def put(b):
    d = hashlib.sha256(b).hexdigest()
    open(f"{out}/blobs/sha256/{d}", "wb").write(b)
    return "sha256:" + d, len(b)
h = hashlib.sha256()
with open(raw, "rb") as f:
    for c in iter(lambda: f.read(1 << 20), b""):
        h.update(c)
gz = subprocess.run(["gzip", "-6", "-n", "-c", raw], capture_output=True, check=True).stdout
os.unlink(raw)
ld, ls = put(gz)
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
cfg = json.dumps({"architecture": arch, "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]}}).encode()
cd, cs = put(cfg)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ls}]}).encode()
md, ms = put(man)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "bench"}}]},
          open(out + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(out + "/oci-layout", "w"))
open(out + "/../blob", "w").write(f"{out}/blobs/sha256/{ld[7:]}\n{total}\n")
PY
BLOB=$(sed -n 1p "$W/blob")
USIZE=$(sed -n 2p "$W/blob")
printf 'bench images: layer %d MB gzip, %d MB of file data\n' $(($(stat -c %s "$BLOB") >> 20)) $((USIZE >> 20))

# Outputs go to a tmpfs: the figures compare CPU and syscall work, not the
# host disk's writeback and discard, which swing run to run by 2x here.
R="$W/run"
mkdir -p "$R"
if [ "${ON_DISK:-0}" != 1 ]; then
	mount -t tmpfs -o size=6g,mode=0700 corral-bench "$R"
	echo "bench images: outputs on tmpfs (ON_DISK=1 to use $B's filesystem)"
fi

now() { date +%s.%N; }
# median of the given numbers
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
N=${N:-3}
run_timed() { # name command...: prints the median seconds over N runs, after one warm-up
	local name=$1 i s e times=()
	shift
	for i in $(seq 0 "$N"); do
		rm -rf "$R/out" "$R/store"
		mkdir -p "$R/out"
		[ "${ON_DISK:-0}" = 1 ] && sync
		s=$(now)
		"$@" >/dev/null
		e=$(now)
		[ "$i" -gt 0 ] && times+=("$(echo "$e - $s" | bc -l)")
	done
	rm -rf "$R/out" "$R/store"
	median "${times[@]}"
}

t_tar=$(run_timed tar tar -xzf "$BLOB" -C "$R/out")
t_corral=$(run_timed corral "$CORRAL" image import --store "$R/store" "$W/layout")
t_umoci=$(run_timed umoci umoci unpack --image "$W/layout:bench" "$R/out/bundle")

# bundle create with an overlay rootfs
"$CORRAL" image import --store "$R/store" --name bench "$W/layout" >/dev/null
bt=()
for i in $(seq 1 20); do
	s=$(now)
	"$CORRAL" bundle create --store "$R/store" --image bench "$R/b$i" >/dev/null
	e=$(now)
	bt+=("$(echo "($e - $s) * 1000" | bc -l)")
done
for i in $(seq 1 20); do "$CORRAL" bundle remove "$R/b$i"; done
rm -rf "$R/store"
t_bundle=$(median "${bt[@]}")

r() { echo "scale=2; $1 / $2" | bc -l; }
printf 'bench images: tar -xzf        %6.2f s\n' "$t_tar"
printf 'bench images: umoci unpack    %6.2f s\n' "$t_umoci"
printf 'bench images: corral import   %6.2f s  (%sx tar, %sx umoci; every digest verified, synced)\n' \
	"$t_corral" "$(r "$t_corral" "$t_tar")" "$(r "$t_corral" "$t_umoci")"
printf 'bench images: bundle create (overlay) median %.2f ms over 20\n' "$t_bundle"
echo "bench images: targets: <= 1.3x tar, <= 0.5x umoci, bundle create <= 10 ms"
