#!/bin/bash
# SELinux: process.selinuxLabel for run, exec and exec --process-label, and
# linux.mountLabel on the container's tmpfs, side by side with runc, in the
# VM tier's SELinux boot (CORRAL_VM_MODE=selinux: the kernel's
# security=selinux, Debian's selinux-policy-default loaded, permissive);
# where SELinux is off, a label gets runc's answer: an error.
. "$(dirname "$0")/lib.sh"

# Types of Debian's reference policy; the categories are what an engine adds.
PLABEL=system_u:system_r:initrc_t:s0:c1,c2
XLABEL=system_u:system_r:initrc_t:s0:c3,c4
MLABEL=system_u:object_r:tmpfs_t:s0:c1,c2

selinux_on() { grep -q " /sys/fs/selinux selinuxfs " /proc/mounts && [ "$(tr -d '\0' </proc/self/attr/current)" != kernel ]; }

labelled_bundle() {
	mkbundle "$@"
	cfg --arg p "$PLABEL" --arg m "$MLABEL" '.process.selinuxLabel=$p | .linux.mountLabel=$m
		| .mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["size=64k"]}]'
}

test_labels_beside_runc() {
	selinux_on || skip "SELinux is not on here (the VM tier's CORRAL_VM_MODE=selinux boots with it)"
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
	RROOT="$T/runc-root"
	trap 'runc --root "$RROOT" delete -f "r$TID" >/dev/null 2>&1; true' EXIT
	assert_eq "$("$CORRAL" features | jq -r .linux.selinux.enabled)" true "features: selinux.enabled"
	labelled_bundle sh -c 'tr -d "\0" </proc/self/attr/current; echo; grep -E " /(scratch|dev) " /proc/self/mountinfo | grep -o "context=\"[^\"]*\"" | sort -u'
	local rt want="$PLABEL
context=\"$MLABEL\""
	# corral mounts cgroup2 without the label (it takes no context=, as proc
	# and sysfs); runc 1.1 passes it on and its mount fails with EINVAL, so
	# the side by side runs have no cgroup mount
	out=$(run_ctr "$TID" 2>&1) || true
	assert_eq "$out" "$want" "corral run with a cgroup mount"
	cr delete -f "$TID" >/dev/null 2>&1 || true
	cfg '.mounts |= map(select(.type != "cgroup" and .type != "cgroup2"))'
	for rt in runc corral; do
		if [ $rt = runc ]; then out=$(cd "$BUNDLE" && runc --root "$RROOT" run "r$TID" </dev/null 2>&1) || true
		else out=$(run_ctr "$TID" 2>&1) || true; fi
		assert_eq "$out" "$want" "$rt run: the process label and the tmpfs's context"
		[ $rt = runc ] && runc --root "$RROOT" delete -f "r$TID" >/dev/null 2>&1
	done
	cr delete -f "$TID" >/dev/null 2>&1 || true
	cfg '.process.args=["sleep","1000"]'
	(cd "$BUNDLE" && runc --root "$RROOT" run -d "r$TID" </dev/null >/dev/null 2>&1) || fail "runc run -d"
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID") || fail "corral create"
	for rt in runc corral; do
		if [ $rt = runc ]; then run=(runc --root "$RROOT"); id="r$TID"; else run=(cr); id=$TID; fi
		pid=$("${run[@]}" state "$id" | jq -r .pid)
		assert_eq "$(settled "$PLABEL" sh -c "tr -d '\\0' </proc/$pid/attr/current")" "$PLABEL" "$rt: the init's /proc/PID/attr/current"
		assert_eq "$("${run[@]}" exec "$id" cat /proc/self/attr/current | tr -d '\0')" "$PLABEL" "$rt exec: the container's label"
		assert_eq "$("${run[@]}" exec --process-label "$XLABEL" "$id" cat /proc/self/attr/current | tr -d '\0')" \
			"$XLABEL" "$rt exec --process-label"
		# (the detached sleep gets stdio elsewhere: the runtimes pass theirs
		# on, and $(...) would wait the 100 s for it to close this pipe)
		"${run[@]}" exec -d --pid-file "$T/xpid" "$id" sleep 100 </dev/null >/dev/null 2>&1 || fail "$rt exec -d"
		out=$(tr -d '\0' </proc/"$(cat "$T/xpid")"/attr/current)
		assert_eq "$out" "$PLABEL" "$rt exec: /proc/PID/attr/current"
	done
	# with a hole in the fds passed on, the attribute the init wrote is not one of them
	cfg '.process.args=["sh","-c","for f in 3 4 5; do [ -e /proc/self/fd/$f ] && echo \"fd $f open\"; done; true"]'
	out=$(cd "$BUNDLE" && cr run --preserve-fds 3 "$TID-p" 3</dev/null </dev/null)
	assert_eq "$out" "fd 3 open" "fds 3 to 5 of a labelled run with --preserve-fds 3 and only fd 3 open"
}

# Where SELinux is off, each label is refused with the field it came from,
# leaving nothing; an unquotable label is refused everywhere.
test_labels_refused_without_selinux() {
	selinux_on && skip "SELinux is on here: the refusals are for hosts without it"
	mkbundle true
	cfg --arg p "$PLABEL" '.process.selinuxLabel=$p'
	run_ctr "$TID" 2>"$T/err" && fail "a process label was taken"
	assert_eq "$(cat "$T/err")" "corral: run $TID: config.json: process.selinuxLabel: SELinux is disabled or not supported on this host" "process label"
	cfg --arg m "$MLABEL" 'del(.process.selinuxLabel) | .linux.mountLabel=$m'
	run_ctr "$TID" 2>"$T/err" && fail "a mount label was taken"
	assert_eq "$(cat "$T/err")" "corral: run $TID: config.json: linux.mountLabel: SELinux is disabled or not supported on this host" "mount label"
	cfg '.linux.mountLabel="a:b:c\"d"'
	run_ctr "$TID" 2>"$T/err" && fail "an unquotable label was taken"
	assert_eq "$(cat "$T/err")" "corral: run $TID: config.json: linux.mountLabel: \"a:b:c\"d\" is not an SELinux label" "unquotable"
	[ -z "$(ls "$STATE" 2>/dev/null)" ] || fail "refused containers left state: $(ls "$STATE")"
	cfg 'del(.linux.mountLabel) | .process.args=["sleep","1000"]'
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID") || fail "create"
	rc=0; cr exec --process-label "$PLABEL" "$TID" true 2>"$T/err" || rc=$?
	assert_eq "$rc" 255 "exec --process-label: runc's exit code for a failed exec"
	assert_eq "$(cat "$T/err")" "corral: exec $TID: --process-label: SELinux is disabled or not supported on this host" "exec --process-label"
	assert_eq "$("$CORRAL" features 2>/dev/null | jq -r .linux.selinux.enabled)" false "features: selinux.enabled"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
