#!/bin/bash
# The examples of README.md and the man pages, as written: tests/docs/
# examples.py takes them out of the docs (so an edited example is tested
# as edited) and each runs, command by command, against this build. They
# run in a mount and network namespace of their own: /run/corral is a
# tmpfs there (the runtime's default root, corrald's default socket), lo is
# up, and corrald's default network `corral` is a bridge in that namespace
# only. corrald's state, the image store (CORRAL_STORE) and make install's
# DESTDIR are under $T; sudo is a no-op (the test runs as root). Examples
# the docs mark "not run" are listed, with their reason, as skipped.
# time: about 75 s: every example of README.md and the man pages, run command by command against this build
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"

# inside the namespaces: corrald, each example in turn, then what make
# demo must not have left, and everything the examples made removed
inside() {
	set +e
	ip link set lo up
	mount -t tmpfs -o mode=0711 tmpfs /run/corral
	"$CORRALD" --config "$T/corrald.conf" --state-dir "$T/state" --cgroup-delegate no \
		--cgroup-parent "/corral-$TID" --cni-config-dir "$T/net.d" >"$T/corrald.log" 2>&1 &
	echo $! >>"$T/.daemons"
	SOCK=/run/corral/corrald.sock
	wait_for 10 "$CORRALCTL" --timeout 2 ping || return 1
	local f failed=0
	for f in "$T"/ex/[0-9]*.sh; do
		(cd "$T/work" && timeout -k 5 120 bash "$f") || { echo "FAIL $f"; failed=1; }
	done
	# make demo (the README's first example) left nothing of its corrald
	local left
	left=$(ls -d /sys/fs/cgroup/corral-demo-* /sys/fs/cgroup/unified/corral-demo-* "$ROOTDIR/build/demo/corrald" /run/corral-demo.* 2>/dev/null
		awk -v d="$ROOTDIR/build/demo/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo
		pgrep -f "$ROOTDIR/build/demo/" 2>/dev/null)
	[ -z "$left" ] || { echo "FAIL make demo left: $left"; failed=1; }
	for w in $(ctl --json get workloads 2>/dev/null | jq -r '.[].name'); do ctl delete workload "$w" >/dev/null 2>&1; done
	for s in $(ctl --json session ls 2>/dev/null | jq -r '.[].name'); do ctl session rm -f "$s" >/dev/null 2>&1; done
	cleanup_sv
	for f in $(ls /run/corral/runtime 2>/dev/null); do "$CORRAL" delete --force "$f" >/dev/null 2>&1; done
	return $failed
}

test_docs_examples() {
	need_cni
	local t
	for t in tmux jq curl umoci unshare python3; do
		command -v $t >/dev/null || skip "no $t"
	done
	trap cleanup_sv EXIT
	python3 "$ROOTDIR/tests/docs/examples.py" "${DOCS_ROOT:-$ROOTDIR}" "$T/ex" || fail "examples.py"
	# the skipped, and why: keep this list short and honest
	awk '$3 == "skip" { $1 = ""; $3 = "not run:"; print "   " $0 }' "$T/ex/list"
	# the examples' working directory: the source tree's files, its own
	# files (mybundle, web.yaml) kept out of the tree
	mkdir -p "$T/work" "$T/bin" "$T/state" "$T/net.d"
	local e
	for e in "$ROOTDIR"/* "$ROOTDIR/.git"; do ln -s "$e" "$T/work/$(basename "$e")"; done
	printf '#!/bin/sh\nexec "$@"\n' >"$T/bin/sudo"
	chmod +x "$T/bin/sudo"
	: >"$T/corrald.conf"
	export -f inside ctl wait_for cleanup_sv leaked_processes fail
	export T TID B ROOTDIR CORRAL CORRALD CORRALCTL
	export PATH="$B/bin:$T/bin:$PATH" CORRAL_STORE="$T/store" DESTDIR="$T/dest"
	export DOCS_LIB="$ROOTDIR/tests/docs/lib.sh" DOCS_OUT="$T/out" DOCS_TMUX="$S/tmux.sock"
	unshare -m -n --propagation private bash -c inside
}

for t in $(declare -F | awk '{print $3}' | grep "^test_docs_"); do
	run_test "$t"
done
