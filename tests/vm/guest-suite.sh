#!/bin/bash
# Runs inside the corral-vm guest: the integration suite, with controllers.
#   guest-suite.sh ROOT B [ONLY [CLIENTS [MODE]]]
# Progress goes to the console (the host keeps it, and reads partial results
# from it if the guest never finishes); results and the log go to $VM_OUT.
root=$1 B=$2
export ONLY=${3:-}
[ "$ONLY" = - ] && ONLY=
# "all": the engines' client suites whole; else the cases that cover each
# client's paths through the boot's module or driver, so that the tier
# keeps to its time (the whole suites have passed in each boot: see the
# README's VM tier)
clients=${4:--}
# run.sh's CORRAL_VM_MODE: "clients" and "cri" take the engines' clients
# and Kubernetes' CRI out of the default boot
mode=${5:--}
cd "$root" || exit 1
# What needs a pure cgroup v2 hierarchy with every controller: the cgroup
# tests (rootless ones in a delegated subtree too), checkpoint and restore
# (criu works with this kernel, not the host's; the CRI's CheckpointContainer too), the runtime's cgroup and exit-code paths, seccomp, the
# supervisor's OOM report and memory figures (the CRI's stats' too), Pause (cgroup.freeze) and Top on a
# hierarchy that is cgroup v2 alone, AppArmor (on in this kernel, off on
# the host) with the engines' clients, whose every container gets their
# default profile (podman, ctr, buildah), and Kubernetes' CRI (containerd's
# CRI plugin gives every pod and container a cgroup with controllers).
# The rest runs on the host tier; under TCG the whole suite would not fit the tier's time limit.
export TIER_TESTS="test_cgroups.sh test_runtime_seccomp.sh
test_cgroups_rootless.sh
test_runtime_checkpoint.sh
test_supervisor_checkpoint.sh
test_cri_stats_events.sh:memory|checkpoint
test_runtime_lifecycle.sh:cgroup|exit_codes|killed|lifecycle|resources|delete
test_runtime_apparmor.sh
test_supervisor_apparmor.sh
test_runtime_namespaces.sh:features
test_supervisor_lifecycle.sh:memory
test_supervisor_security.sh:exec_timeout|memory_limit
test_supervisor_verbs.sh:pause|_top_
test_supervisor_ctl_verbs.sh:top_port
test_supervisor_workloads.sh:limits
test_supervisor_policy.sh:default_limits
test_supervisor_userns.sh:members_container_is_the_member
test_supervisor_storage.sh:root_filesystem
test_cri_pods.sh:security|kubelet_pod"
# the soak on cgroup v2 with its controllers, shorter under TCG: a random
# seed in the systemd boot (the fixed and a random seed at 240 operations
# on the host tier), so that each landing soaks a new seed with controllers
# too. (The fixed seed here as well took 211 s of the default boot, which
# is the longest chain; 60 operations took 465 s of the systemd boot at
# stop 86, its chain as long as the host tier's: 40, two faults.)
export SOAK_OPS=${SOAK_OPS:-40}
# the engines' clients, and Kubernetes' CRI: two boots of their own (the
# same kernel), about as long as each other
export TIER_REASON="runs on the host tier or the VM tier's clients' or CRI boot (this boot runs what needs cgroup controllers)"
if [ "$mode" = clients ]; then
	TIER_TESTS="test_clients_podman.sh$([ "$clients" = all ] || echo ':run_rm|detach|resources|apparmor|checkpoint')
test_clients_ctr.sh
test_clients_buildah.sh$([ "$clients" = all ] || echo ':run_env|bud_env')"
	TIER_REASON="runs on the host tier or the VM tier's default boot (this boot is for the engines' clients)"
elif [ "$mode" = cri ]; then
	TIER_TESTS="test_clients_cri.sh
test_cri_critest.sh:beside_containerd"
	TIER_REASON="runs on the host tier or the VM tier's default boot (this boot is for Kubernetes' CRI)"
fi
export TIER_TESTS
# the SELinux boot (run.sh's CORRAL_VM_MODE=selinux) runs what needs SELinux
if grep -q " /sys/fs/selinux selinuxfs " /proc/mounts; then
	export TIER_TESTS="test_runtime_selinux.sh test_cri_pods.sh:test_cri_selinux"
	export TIER_REASON="runs on the host tier or the VM tier's default boot (this boot is for SELinux)"
# booted with systemd as PID 1 (CORRAL_VM_MODE=systemd): what needs systemd
elif [ -d /run/systemd/system ]; then
	export TIER_TESTS="test_cgroups_systemd.sh
test_supervisor_service.sh
test_supervisor_storage.sh:root_filesystem
test_cgroups_rootless.sh:systemd_user
test_clients_podman.sh$([ "$clients" = all ] || echo ':systemd')
test_clients_ctr.sh$([ "$clients" = all ] || echo ':systemd')
test_clients_cri.sh$([ "$clients" = all ] || echo ':stats')
test_docker_api.sh:update_resources|memory_swap
test_soak.sh:random_seed"
	# the engines' clients with their systemd cgroup manager (podman's
	# scope case alone: its exit codes, the runtime's, are the clients
	# boot's)
	export CLIENT_CGROUP_DRIVER=systemd
	export TIER_REASON="runs on the host tier or the VM tier's default boot (this boot is for systemd)"
fi
# The tests' state on ext4: a member's container sees its image's layers
# through idmapped mounts, which this kernel's tmpfs (the guest's root)
# cannot give (tmpfs idmaps from Linux 6.3); a host's store is on such a
# filesystem (ext4, xfs, btrfs)
mkdir -p "$B/tmp"
if ! { truncate -s 4G /tmp/state.img && mke2fs -q -t ext4 /tmp/state.img && mount -o loop /tmp/state.img "$B/tmp"; }; then
	echo "vm: no ext4 for the tests' state: a member's containers cannot be made" >&2
fi
# one lane: the host's cores are shared with the host tier and the other
# boot already (tests/vm/tier.sh)
TEST_LANES=${TEST_LANES:-1} tests/integration/run.sh "$B" 2>&1 | tee "$VM_OUT/log.txt"
rc=${PIPESTATUS[0]}
cp "$B/results/integration.txt" "$VM_OUT/results.txt" 2>/dev/null
cp "$B/results/integration-cases.txt" "$VM_OUT/cases.txt" 2>/dev/null
cp "$B/results/integration-times.txt" "$VM_OUT/times.txt" 2>/dev/null
cp "$B/results/integration-cpu.txt" "$VM_OUT/cpu.txt" 2>/dev/null
exit "$rc"
