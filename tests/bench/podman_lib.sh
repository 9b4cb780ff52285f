# podman beside corral in a benchmark (sourced): its own root, run root,
# temp dir, CNI config dir and containers.conf under $d, its containers
# under the cgroup parent "$cgp-podman", and the image fixture loaded as
# bench:1. Needs d, cgp, CNI, OCI and a name for messages in BENCH_NAME.
#   podman_setup          sets podman_ok when podman can run the image
#                         (BENCH_PODMAN=no: never, for corral's figures alone)
#   pm ARGS...            podman with all of that
#   podman_cleanup        its containers, storage and mounts gone
#   bench_release         that, then both engines' mounts under $d, their
#                         cgroup parents in every hierarchy, and $d
. "$(dirname "${BASH_SOURCE[0]}")/../podman_layout.sh"
. "$(dirname "${BASH_SOURCE[0]}")/cgroups_lib.sh"
# podman wants its run root under 50 characters; the image fixture is
# pulled through the link there
PM_RUN=$(podman_layout "$OCI")
pm() {
	TMPDIR="$d/pm/tmp" CONTAINERS_CONF="$d/containers.conf" podman --root "$d/pm/root" --runroot "$PM_RUN" \
		--tmpdir "$d/pm/tmp" --storage-driver overlay --cgroup-manager cgroupfs --events-backend file \
		--network-backend cni "$@"
}
podman_setup() {
	mkdir -p "$d/pm/tmp" "$d/pm-net.d"
	# its own subnet, so that its bridge and corral's do not overlap
	cat >"$d/containers.conf" <<EOC
[containers]
pids_limit = 0
log_driver = "k8s-file"
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$CNI"]
network_config_dir = "$d/pm-net.d"
default_subnet = "10.89.0.0/16"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/pm/events.log"
image_copy_tmp_dir = "$d/pm/tmp"
EOC
	podman_ok=""
	PM_ARGS=(--cgroup-parent="$cgp-podman")
	if [ "${BENCH_PODMAN:-yes}" = no ]; then
		echo "$BENCH_NAME: BENCH_PODMAN=no: corral's figures only"
		return
	elif ! command -v podman >/dev/null; then
		echo "$BENCH_NAME: podman is not installed: no side-by-side figures"
		return
	elif ! pm pull -q "oci:$PM_RUN/layout:test" >/dev/null 2>"$d/pm.err"; then
		echo "$BENCH_NAME: podman could not load the image: $(tail -2 "$d/pm.err")"
		return
	fi
	# podman names its image localhost/bench:1 only when told: tag what it pulled
	pm tag "$(pm images -q | head -1)" bench:1 >/dev/null 2>&1 || return
	# crun where it works (a pure cgroup v2 host), else runc (crun refuses
	# a hybrid host)
	local rt
	for rt in crun runc; do
		command -v "$rt" >/dev/null || continue
		if pm run --rm --cgroup-parent="$cgp-podman" --runtime "$rt" --network none bench:1 true >/dev/null 2>"$d/pm.err"; then
			PM_ARGS+=(--runtime "$rt")
			podman_ok=1
			return
		fi
		echo "$BENCH_NAME: podman with $rt: $(tail -1 "$d/pm.err")"
	done
}
podman_cleanup() {
	if [ -d "$d/pm/root" ]; then
		pm rm -af -t 0 >/dev/null 2>&1
		pm system reset -f >/dev/null 2>&1
	fi
	awk -v r="$PM_RUN/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
	rm -rf "$PM_RUN"
}

bench_release() {
	podman_cleanup
	# podman's storage mounts its overlay directory on itself, again at
	# each start: unmounted until none is left
	local n mnts
	for n in 1 2 3 4 5 6 7 8; do
		mnts=$(awk -v d="$d/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
		[ -z "$mnts" ] && break
		xargs -r -n1 umount -l <<<"$mnts"
	done
	rm -rf "$PM_RUN" # again: a podman that was still ending wrote to it after podman_cleanup
	bench_rm_cgroups "$BENCH_NAME" /sys/fs/cgroup"$cgp"-{corral,podman} /sys/fs/cgroup/*"$cgp"-{corral,podman}
	rm -rf "$d"
}
