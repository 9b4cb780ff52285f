#!/bin/bash
# The container's filesystem, as the OCI runtime-spec says: the rootfs and
# pivot_root (or chroot without a mount namespace of its own), readonly,
# masked and readonly paths, mounts and their options.
. "$(dirname "$0")/lib.sh"

test_host_files_invisible() {
	mkbundle sh -c 'ls /tmp; test -e /work && echo host-visible; true'
	marker=/tmp/corral-host-marker-$$
	touch "$marker"
	rc=0; out=$(run_ctr "$TID") || rc=$?
	rm -f "$marker"
	assert_eq "$rc" 0 "exit code"
	assert_not_contains "$out" "corral-host-marker" "/tmp listing"
	assert_not_contains "$out" "host-visible" "host /work"
}

test_readonly_root_refuses_writes() {
	mkbundle sh -c 'if touch /newfile 2>/dev/null; then echo wrote; else echo refused; fi'
	out=$(run_ctr "$TID")
	assert_eq "$out" refused "write to read-only root"
	[ ! -e "$BUSYBOX_ROOTFS/newfile" ] || fail "file appeared in the shared rootfs"
}

test_masked_and_readonly_paths() {
	mkbundle sh -c 'wc -c </etc/passwd; ls /home | wc -l; cat /proc/sys/kernel/hostname >/dev/null && echo sys-readable; echo x >/proc/sys/kernel/hostname 2>/dev/null && echo sys-writable; true'
	cfg '.linux.maskedPaths += ["/etc/passwd", "/home"]'
	out=$(run_ctr "$TID")
	assert_eq "$(echo "$out" | sed -n 1p)" 0 "masked file reads empty"
	assert_eq "$(echo "$out" | sed -n 2p)" 0 "masked directory is empty"
	assert_contains "$out" sys-readable "readonly /proc/sys is readable"
	assert_not_contains "$out" sys-writable "readonly /proc/sys refuses writes"
}

# tmpcopyup (podman --read-only, --tmpfs): the tmpfs starts with what the
# rootfs had there, with the directory's mode; runc gives the same.
test_tmpcopyup_starts_with_the_rootfs_content() {
	mkbundle sh -c 'stat -c %a /etc; ls /etc | wc -l; grep -c root /etc/passwd; echo x >/etc/new && cat /etc/new; grep -c " /etc tmpfs" /proc/self/mounts'
	cfg '.root.readonly=true | .mounts += [{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","tmpcopyup","size=1m"]}]'
	ours=$(run_ctr "$TID" 2>&1) || fail "run: $ours"
	[ ! -e "$BUSYBOX_ROOTFS/etc/new" ] || fail "the write reached the rootfs"
	want=$(stat -c %a "$BUSYBOX_ROOTFS/etc")
	assert_eq "$ours" "$want
$(ls "$BUSYBOX_ROOTFS/etc" | wc -l)
1
x
1" "the copy, its mode, and a write to it"
	if command -v runc >/dev/null; then
		theirs=$(cd "$BUNDLE" && runc --root "$T/runc" run "$TID-runc" </dev/null 2>&1)
		assert_eq "$ours" "$theirs" "the same under runc"
	fi
	# the options' mode= and uid= win over the copied directory's (runc 1.2,
	# and podman's tmpfs-mode and U=true; runc 1.1 chmod-ed after the copy)
	cfg '.mounts[-1].options += ["mode=700", "uid=5"]'
	ours=$(run_ctr "$TID-o" 2>&1) || fail "run: $ours"
	assert_eq "$(head -1 <<<"$ours")" 700 "the options' mode"
	cfg '.process.args = ["stat", "-c", "%u:%g", "/etc"]'
	assert_eq "$(run_ctr "$TID-u" 2>&1)" "5:$(stat -c %g "$BUSYBOX_ROOTFS/etc")" "the options' uid, the directory's gid"
}

# A tmpfs over a directory the rootfs has takes that directory's mode, as
# runc gives it (buildah's RUN --mount=type=tmpfs shows it); a new one is
# tmpfs's 1777; a mode in the options wins (runc 1.2; runc 1.1's chmod
# after the mount, which overrode it, was a bug runc fixed).
test_tmpfs_over_a_directory_keeps_its_mode() {
	mkbundle sh -c 'stat -c %a /etc /fresh /var /srv; grep -c " /etc tmpfs rw,nosuid,relatime 0 0" /proc/self/mounts'
	cfg '.mounts += [{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["nosuid"]},
		{"destination":"/fresh","type":"tmpfs","source":"tmpfs","options":["nosuid"]},
		{"destination":"/var","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=700"]},
		{"destination":"/srv","type":"tmpfs","source":"tmpfs","options":["ro"]}]'
	own_rootfs
	chmod 750 "$BUNDLE/rootfs/etc"
	mkdir -p "$BUNDLE/rootfs/var" "$BUNDLE/rootfs/srv"
	chmod 711 "$BUNDLE/rootfs/srv"
	ours=$(run_ctr "$TID" 2>&1) || fail "run: $ours"
	assert_eq "$ours" "750
1777
700
711
1" "modes, and the options as runc shows them"
	if command -v runc >/dev/null; then
		cfg '.mounts |= map(select(.destination != "/var" and .destination != "/srv")) |
			.process.args=["sh","-c","stat -c %a /etc /fresh; grep \" /etc \" /proc/self/mounts"]'
		theirs=$(cd "$BUNDLE" && runc --root "$T/runc" run "$TID-runc" </dev/null 2>&1)
		assert_eq "$(run_ctr "$TID" 2>&1)" "$theirs" "the same under runc"
	fi
}

# An option neither runc nor crun knows is refused by name, never handed
# to the kernel as filesystem data.
test_unknown_mount_option_is_refused() {
	mkbundle true
	cfg '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","bogus"]}]'
	out=$(run_ctr "$TID" 2>&1) && fail "an unknown option was taken"
	assert_contains "$out" 'options: unknown option "bogus"' "named"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	cfg '.mounts[-1].options=["tmpcopyup"] | .mounts[-1].type="bind" | .mounts[-1].source="/tmp"'
	out=$(run_ctr "$TID" 2>&1) && fail "tmpcopyup on a bind was taken"
	assert_contains "$out" "tmpcopyup is for a tmpfs mount" "tmpcopyup on a bind"
	"$CORRAL" features | jq -e '.mountOptions | index("tmpcopyup") and index("nosymfollow")' >/dev/null ||
		fail "corral features does not list tmpcopyup and nosymfollow"
}

# runc's recursive access-time options: one mode at a time, the last wins.
test_recursive_atime_options() {
	mkbundle sh -c 'grep " /tmp " /proc/self/mounts | cut -d" " -f4'
	for case in 'rnoatime:rw,noatime' 'rnoatime ratime:rw,relatime' 'defaults acl rnostrictatime:rw,relatime'; do
		opts=$(echo "${case%%:*}" | tr ' ' '\n' | jq -R . | jq -s .)
		cfg --argjson o "$opts" '.mounts |= map(select(.destination != "/tmp")) | .mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":$o}]'
		assert_eq "$(run_ctr "$TID" 2>&1)" "${case#*:}" "options ${case%%:*}"
	done
}

# Without a mount namespace of its own, as under runc: no pivot_root, the
# rootfs is chrooted; and corral mounts nothing in a namespace it does not
# own (runc leaves such mounts behind), so what needs a mount is refused.
test_no_mount_namespace_is_chrooted() {
	mkbundle sh -c 'cat /marker; [ -e /proc/self ] && echo has-proc; sleep 30'
	own_rootfs
	echo inside >"$BUNDLE/rootfs/marker"
	cfg '.linux.namespaces |= map(select(.type != "mount"))'
	out=$(run_ctr "$TID" 2>&1) && fail "mounts without a mount namespace were taken"
	assert_contains "$out" "mounts: needs a mount namespace of the container's own (linux.namespaces has none)" "refused"
	cfg '.mounts=[] | del(.linux.maskedPaths) | del(.linux.readonlyPaths) | .root.readonly=false'
	# run in a mount namespace of the case's own, where only this case
	# mounts (another lane mounts in the host's); mounts made are the mount
	# ids that are new: another lane's rmdir of a mount point it is done
	# with takes the copy of that mount out of this table too
	out=$(CORRAL=$CORRAL unshare -m --propagation private bash -c '
		cr() { "$CORRAL" --root "$STATE" "$@"; }
		ids() { cut -d" " -f1 /proc/self/mountinfo | sort; }
		before=$(ids)
		(cd "$BUNDLE" && cr run -d "$TID" </dev/null >"$T/out" 2>&1) || echo run-failed
		pid=$(cr state "$TID" | jq -r .pid)
		[ "$(readlink /proc/"$pid"/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ] && echo same-mount-namespace
		readlink /proc/"$pid"/root
		cr exec "$TID" cat /marker
		cr exec "$TID" ls "$T" >/dev/null 2>&1 && echo exec-saw-the-hosts-files
		echo "mounts made: $(comm -13 <(echo "$before") <(ids) | wc -l)"' 2>&1)
	assert_eq "$out" "same-mount-namespace
$BUNDLE/rootfs
inside
mounts made: 0" "the init's mount namespace and root, an exec's root, and no mount made"
	cr kill "$TID" KILL
	for _ in $(seq 50); do [ "$(cr state "$TID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_eq "$(head -1 "$T/out")" inside "the process is chrooted"
}

# Joining a mount namespace by path: chrooted into root.path as that
# namespace sees it (here "/": the other container's root), mounting nothing.
test_joined_mount_namespace() {
	mkbundle sleep 30
	own_rootfs
	echo from-a >"$BUNDLE/rootfs/marker"
	(cd "$BUNDLE" && cr run -d "$TID-a" </dev/null)
	pid=$(cr state "$TID-a" | jq -r .pid)
	mkdir -p "$T/b"
	jq --arg p "/proc/$pid/ns/mnt" '.root={"path":"/"} | .mounts=[] | del(.linux.maskedPaths) | del(.linux.readonlyPaths)
		| .process.args=["cat","/marker"] | .linux.namespaces |= map(if .type == "mount" then .path=$p else . end)' \
		"$BUNDLE/config.json" >"$T/b/config.json"
	before=$(wc -l </proc/"$pid"/mountinfo)
	assert_eq "$(cd "$T/b" && cr run "$TID-b" </dev/null 2>&1)" from-a "the other container's files"
	assert_eq "$(wc -l </proc/"$pid"/mountinfo)" "$before" "nothing mounted in the joined namespace"
	jq '.mounts=[{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]' "$T/b/config.json" >"$T/b/c" && mv "$T/b/c" "$T/b/config.json"
	out=$(cd "$T/b" && cr run "$TID-c" </dev/null 2>&1) && fail "a mount into a joined namespace was taken"
	assert_contains "$out" "linux.namespaces joins one by path" "refused"
	cr kill "$TID-a" KILL
}

test_no_pivot() {
	mkbundle sh -c 'cat /proc/self/mountinfo | wc -l; echo ok'
	out=$(cd "$BUNDLE" && cr run --no-pivot "$TID" </dev/null)
	assert_contains "$out" ok "--no-pivot run"
}

# Mount propagation as runc applies it (Kubernetes' mountPropagation): a
# bind of a shared host directory with rootfsPropagation rshared is
# bidirectional, rslave sees the host's mounts only, rprivate neither.
# The "host" is a mount namespace of the test's own, so the machine's
# mounts are never touched. runc gives the reference for each.
propagation_case() { # runtime rootfsPropagation bind-propagation
	local rt=$1 root=$2 bind=$3 src="$T/src-$1-$2-$3-$RANDOM"
	mkdir -p "$src"
	cfg --arg s "$src" --arg r "$root" --arg b "$bind" '.linux.rootfsPropagation=$r | del(.linux.seccomp) |
		.mounts += [{"destination":"/bidi","type":"bind","source":$s,"options":["rbind",$b]}] |
		.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
		.process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	# the container mounts, then waits (2 s at most) for the host's mount
	cfg '.process.args=["sh","-c","mkdir -p /bidi/in /bidi/out; mount -t tmpfs ctr /bidi/in && touch /bidi/in/made;
		for i in $(seq 20); do [ -e /bidi/out/host ] && break; sleep 0.1; done;
		[ -e /bidi/out/host ] && echo inside-sees-host || echo inside-blind"]'
	unshare -m --propagation private bash -c '
		src=$1; shift
		mount --bind "$src" "$src" && mount --make-shared "$src"
		(cd "$BUNDLE" && exec "$@" </dev/null) & pid=$!
		for i in $(seq 20); do [ -d "$src/out" ] && break; sleep 0.1; done
		mount -t tmpfs host "$src/out" && touch "$src/out/host"
		wait $pid
		[ -e "$src/in/made" ] && echo host-sees-inside || echo host-blind' _ "$src" \
		$([ "$rt" = runc ] && echo "runc --root $T/runc run p-$TID" || echo "$CORRAL --root $STATE run $TID") 2>&1
}
test_mount_propagation_as_runc() {
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
	mkbundle true
	export BUNDLE
	local want got
	for p in "rshared rshared" "rslave rslave" "rprivate rprivate" "rshared rprivate"; do
		want=$(propagation_case runc $p)
		got=$(propagation_case corral $p)
		assert_eq "$got" "$want" "rootfsPropagation and bind propagation $p, against runc"
	done
	# what each means
	assert_eq "$(propagation_case corral rshared rshared)" "inside-sees-host
host-sees-inside" "bidirectional"
	assert_eq "$(propagation_case corral rslave rslave)" "inside-sees-host
host-blind" "host to container"
	assert_eq "$(propagation_case corral rprivate rprivate)" "inside-blind
host-blind" "private"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
