#!/bin/bash
# `make check-vm`: run the integration suite inside a qemu guest with a pure
# cgroup v2 hierarchy and every controller enabled, then record its results
# in $B/results/vm.txt (pass/fail/skip NAME lines) and print one summary.
#   tests/vm/run.sh B [GUEST-SCRIPT]   (default: tests/vm/guest-suite.sh)
# Environment: CORRAL_VM_ACCEL=kvm|tcg, CORRAL_VM_SMP (vCPUs: 1 for the suite,
# 2 for another guest script), CORRAL_VM_TIMEOUT (seconds, 3000: a
# bound for a hung guest, not a time; the default boot took 20 minutes
# beside the host tier, and over 30 with a build beside it as well),
# ONLY=pattern (integration files to run), CORRAL_VM_VERBOSE=1 (echo console),
# CORRAL_VM_CLIENTS=all (the engines' client suites whole, where a boot runs
# them: see guest-suite.sh).
# CORRAL_VM_MODE picks a boot other than the default, runs the tests that need
# it (see guest-suite.sh), and records them in $B/results/vm-MODE/vm.txt:
#   selinux  the kernel's security=selinux, Debian's selinux-policy-default
#            loaded (permissive);
#   systemd  the host's / with systemd as PID 1 (CORRAL_VM_SYSTEMD=1 too);
#   clients  the default kernel, for the engines' clients (podman, buildah,
#            ctr), which the default boot then leaves out;
#   cri      the default kernel, for Kubernetes' CRI (containerd's CRI
#            plugin and corrald's own, critest): the clients' and CRI
#            boots run beside each other once the host tier is done
#            (tests/run-all.sh).
set -u
B=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
guest=${2:-$root/tests/vm/guest-suite.sh}
mode=${CORRAL_VM_MODE:-}
[ "${CORRAL_VM_SYSTEMD:-0}" = 1 ] && mode=systemd
case "$mode" in ""|selinux|systemd|clients|cri) ;; *) echo "vm: CORRAL_VM_MODE=$mode: must be empty, selinux, systemd, clients or cri" >&2; exit 2 ;; esac
results="$B/results${mode:+/vm-$mode}"
# another guest script (a benchmark) must not overwrite the suite's record
[ $# -ge 2 ] && results="$B/vm/custom-results"
mkdir -p "$results"
: >"$results/vm.txt"
rm -f "$results/vm-failures.txt"
# each boot its own: the VM tier runs two at once (tests/vm/tier.sh)
out="$B/vm/out${mode:+-$mode}"
rm -rf "$out" "$B/vm/custom-results"
mkdir -p "$out"
summary() {
	local p f s
	p=$(grep -c '^pass' "$results/vm.txt"); f=$(grep -c '^fail' "$results/vm.txt"); s=$(grep -c '^skip' "$results/vm.txt")
	echo "vm: $p passed, $f failed, $s skipped"
}
need_skip() {
	echo "SKIP vm: $1"
	echo "skip vm-tier" >>"$results/vm.txt"
	summary
	exit 0
}
# the integration runner's helpers (the subreaper) are built by its make target
helpers=$(cd "$root" && ls tests/helpers/*.c 2>/dev/null | sed "s|^tests/helpers/\(.*\)\.c$|$B/tests/helpers/\1|")
[ -n "$helpers" ] && make -s -C "$root" $helpers >/dev/null
[ "$(id -u)" -eq 0 ] || need_skip "needs root (to build the guest's /dev/console and run qemu)"
command -v qemu-system-x86_64 >/dev/null || need_skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1 || need_skip "no Debian kernel (apt-get install linux-image-amd64)"
"$root/tests/fixtures/mkall.sh" "$B" >/dev/null || { echo "FAIL vm: fixtures"; echo "fail vm-fixtures" >>"$results/vm.txt"; summary; exit 1; }

# One vCPU for the suite: its boots run beside each other and the host
# tier, and a guest with two vCPU threads on an overcommitted host waits on
# its descheduled other half (IPIs, TLB shootdowns, spinlocks). Two boots at
# once, podman, buildah and the systemd boot's files: 450 s wall and 766 s
# of host CPU with two each, 300 s and 538 s with one; and a two-vCPU
# guest once stayed in a soft lockup for 10 minutes. A benchmark (another
# guest script) runs alone, with two.
smp=${CORRAL_VM_SMP:-2}
[ $# -ge 2 ] || smp=${CORRAL_VM_SMP:-1}
# CORRAL_VM_MEM (MiB): a benchmark's hundred pods need more
args=(-o "$out" -t "${CORRAL_VM_TIMEOUT:-3000}" -m "${CORRAL_VM_MEM:-1536}" -c "$smp")
if [ "$mode" = selinux ]; then
	policy=$("$root/tests/vm/mkselinux.sh" "$B") || need_skip "no SELinux policy to load (tests/vm/mkselinux.sh failed)"
	# the guest's init loads it (tests/vm/init); the package's config and
	# its container contexts are a Debian host's (engines read lxc_contexts)
	sel=${policy%/policy/policy.33}
	args+=(-F "$policy:/etc/selinux/default/policy/policy.33" -F "${sel%/default}/config:/etc/selinux/config"
		-F "$sel/contexts/lxc_contexts:/etc/selinux/default/contexts/lxc_contexts")
	export CORRAL_VM_CMDLINE="${CORRAL_VM_CMDLINE:-} security=selinux selinux=1"
fi
[ "${CORRAL_VM_VERBOSE:-0}" = 1 ] || args+=(-q)
# the netfilter modules CNI's iptables rules need (and nft_meta_bridge: the bridge
# plugin's spoof check matches iifname in a bridge table); crc32c_generic first: libcrc32c
# (under nf_conntrack) needs a crc32c when it loads
# criu's: nf_conntrack_netlink, the sock_diag modules it dumps sockets
# through, and tun
for m in overlay loop ext4 brd=rd_nr=1,rd_size=8192 veth bridge crc32c_generic nf_tables nft_compat nft_chain_nat nf_nat nft_meta_bridge \
	xt_MASQUERADE xt_comment xt_addrtype xt_conntrack xt_mark xt_multiport xt_nat xt_tcpudp \
	nf_conntrack_netlink inet_diag tcp_diag udp_diag raw_diag unix_diag netlink_diag af_packet_diag tun; do
	args+=(-M "$m")
done
export ONLY="${ONLY:-}"
G=/corral-src GB=/corral-src/build
if [ "$mode" = systemd ]; then
	# the host's own tree, binaries and tools are there at their paths
	args+=(-S)
	G=$root GB=$B
else
# the tree goes to a fixed path in the guest: the guest mounts its own /tmp,
# and a checkout there would vanish under it
for b in "$B"/bin/* "$B"/tests/helpers/*; do [ -f "$b" ] && [ -x "$b" ] && args+=(-b "$b"); done
args+=(-f "$B/bin:$G/build/bin" -f "$B/tests/helpers:$G/build/tests/helpers")
# critest, where one was built (test_cri_critest.sh: not packaged in Debian)
[ -x "$B/clients/critest" ] && args+=(-f "$B/clients/critest:$G/build/clients/critest")
# tools the tests use beyond busybox, and the runtimes the benchmark compares
# (GNU timeout and rm, util-linux setpriv/script, replace busybox's, which
# differ; critest makes a segment with util-linux's ipcmk)
for t in bash crun runc jq ip unshare nsenter setsid setpriv script timeout getent strace podman conmon \
	iptables ip6tables iptables-save iptables-restore ip6tables-save ip6tables-restore nft mke2fs \
	containerd containerd-shim-runc-v2 ctr catatonit protoc apparmor_parser buildah criu tar flock rm ipcmk; do
	p=$(command -v "$t" 2>/dev/null) && args+=(-b "$p")
done
# CNI: the plugins corral's and podman's default networks chain, and the
# iptables extensions the portmap and firewall plugins load (dlopen)
for f in /usr/lib/cni/{bridge,host-local,portmap,firewall,tuning,loopback} /usr/lib/x86_64-linux-gnu/xtables; do
	[ -e "$f" ] && args+=(-f "$f")
done
# the CRI test's client: Debian's python3 (not a version manager's shim on
# PATH), its standard library without what no test imports (the build
# configuration, tests, IDLE, tkinter, 2to3), grpc and protobuf; the
# extension modules go in with -b, for their libraries
if [ -x /usr/bin/python3 ]; then
	py=$(readlink -f /usr/bin/python3)
	pylib=/usr/lib/$(basename "$py")
	args+=(-b "$py" -f "$py:/usr/bin/python3")
	# one copy for every boot (two may start at once), made again when
	# the host's python changes
	pyl="$B/vm/pylib"
	mkdir -p "$B/vm"
	(
		flock 9
		stamp="$py $(stat -c '%s %Y' "$py" "$pylib" | tr '\n' ' ')"
		if [ "$(cat "$pyl.stamp" 2>/dev/null)" != "$stamp" ]; then
			rm -rf "$pyl" && mkdir -p "$pyl"
			tar -C "$pylib" --exclude='./config-*' --exclude=./test --exclude=./idlelib --exclude=./tkinter \
				--exclude=./lib2to3 --exclude=./ensurepip --exclude=./turtledemo --exclude=./pydoc_data \
				--exclude=./distutils --exclude=./site-packages -cf - . | tar -C "$pyl" -xf -
			echo "$stamp" >"$pyl.stamp"
		fi
	) 9>"$B/vm/pylib.lock"
	args+=(-f "$pyl:$pylib")
	for f in "$pylib"/lib-dynload/*.so /usr/lib/python3/dist-packages/grpc/_cython/*.so \
		/usr/lib/python3/dist-packages/google/protobuf/pyext/*.so; do
		[ -f "$f" ] && args+=(-b "$f")
	done
	for f in /usr/lib/python3/dist-packages/grpc /usr/lib/python3/dist-packages/google; do
		[ -d "$f" ] && args+=(-f "$f")
	done
fi
# podman's own files: its policy, and the init it runs for --init; AppArmor's
# parser settings, the kernel features its policy is built for, and the
# abstractions that podman's default profile includes
for f in /etc/containers /usr/libexec/podman /etc/apparmor /etc/apparmor.d /usr/share/apparmor-features; do
	[ -e "$f" ] && args+=(-f "$f")
done
# the source tree's files that tests read (units, interface descriptions, ...)
for d in "$root"/*/; do
	case "$(basename "$d")" in build|.git) continue ;; esac
	args+=(-f "${d%/}:$G/$(basename "$d")")
done
# the fixtures in each boot's own part: the host tier's runtime tests make
# mount points in the shared busybox rootfs, which would make the shared
# part again (369 MiB, a minute) for the boots that start after it
args+=(-F "$B/fixtures:$G/build/fixtures")
[ -f "$root/Makefile" ] && args+=(-f "$root/Makefile:$G/Makefile")
# the default, SELinux, clients' and CRI boots differ only in their arguments
# and their own files (-F: the policy, the fixtures): they share one
# initramfs of 368 MiB, built once (38 s a boot on an idle host)
args+=(-C "$B/vm/initrd-shared.cpio")
fi
echo "vm: booting the guest for $(basename "$guest")"
# (the guest's arguments are joined by spaces: an empty one is "-")
"$root/tests/vm/corral-vm" "${args[@]}" "$guest" "$G" "$GB" "${ONLY:--}" "${CORRAL_VM_CLIENTS:--}" "${mode:--}"
rc=$?
if [ ! -f "$out/results.txt" ] && grep -qE '^(PASS|FAIL|SKIP) ' "$out/console.log" 2>/dev/null; then
	# the guest did not finish: keep what its console says, and say so
	echo "FAIL vm: the guest did not finish (exit $rc); partial results from its console"
	sed -n 's/^PASS \([^ :]*\).*/pass \1/p; s/^FAIL \([^ :]*\).*/fail \1/p; s/^SKIP \([^ :]*\):.*/skip \1/p' \
		"$out/console.log" >"$out/results.txt"
	echo "fail vm-unfinished" >>"$out/results.txt"
	cp "$out/console.log" "$out/log.txt"
fi
if [ -f "$out/results.txt" ]; then
	cp "$out/results.txt" "$results/vm.txt"
	# each case's and file's time in the guest (make check-times)
	cp "$out/cases.txt" "$results/vm-cases.txt" 2>/dev/null
	cp "$out/times.txt" "$results/vm-times.txt" 2>/dev/null
	cp "$out/cpu.txt" "$results/vm-cpu.txt" 2>/dev/null
	[ -f "$out/log.txt" ] && cp "$out/log.txt" "$results/vm.log"
	grep -E '^(FAIL|SKIP) ' "$out/log.txt" 2>/dev/null | head -60
	# the failing tests' output, for the record
	grep -A30 '^FAIL ' "$out/log.txt" 2>/dev/null | head -200 >"$results/vm-failures.txt"
else
	echo "FAIL vm: the guest returned no results (exit $rc); console: $out/console.log"
	tail -20 "$out/console.log" 2>/dev/null | sed 's/^/    /'
	echo "fail vm-boot" >>"$results/vm.txt"
fi
summary
[ $rc -eq 0 ] && ! grep -q '^fail' "$results/vm.txt"
