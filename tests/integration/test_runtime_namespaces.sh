#!/bin/bash
# Namespaces and the linux settings that go with them: user namespaces and
# their maps, idmapped mounts, time offsets, personality, network devices
# and loopback; and `corral features`, each namespace it names created.
. "$(dirname "$0")/lib.sh"

USERNS_MAPS='.linux.namespaces += [{"type":"user"}] |
	.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] |
	.linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'

test_userns_root_inside_and_maps() {
	mkbundle sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map | tr -s " "'
	cfg "$USERNS_MAPS"
	out=$(run_ctr "$TID")
	assert_eq "$out" "0
 0 100000 65536
 0 100000 65536" "uid and maps"
}

test_userns_exec_joins_user_namespace() {
	mkbundle sleep 1000
	cfg "$USERNS_MAPS"
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	assert_eq "$(cr exec "$TID" sh -c 'id -u; cat /proc/self/uid_map | tr -s " "')" "0
 0 100000 65536" "exec in the user namespace"
	p=$(cr state "$TID" | jq -r .pid)
	assert_eq "$(awk '/^Uid/{print $2}' /proc/$p/status)" 100000 "init's host uid"
}

test_userns_root_cannot_write_host_root_file() {
	mkbundle sh -c 'cat /run/secret; echo x >>/run/secret && echo wrote; touch /run/new && echo created; true'
	cfg "$USERNS_MAPS"
	mkdir "$T/hf"
	echo secret >"$T/hf/secret"
	chmod 644 "$T/hf/secret"
	cfg '.mounts += [{"destination":"/run","type":"bind","source":"'"$T/hf"'","options":["rbind"]}]'
	out=$(run_ctr "$TID" 2>&1)
	assert_contains "$out" secret "readable"
	assert_not_contains "$out" wrote "write to a host-root file"
	assert_not_contains "$out" created "create in a host-root directory"
	assert_eq "$(cat "$T/hf/secret")" secret "file unchanged"
}

# A new user namespace beside network and uts namespaces joined by path,
# which the host's user namespace owns (a session's, a pod's): the runtime
# joins those before it makes the user namespace, as runc does; a hostname
# the joined uts namespace already has is not set again.
test_userns_with_joined_net_and_uts() {
	: >"$T/net"
	: >"$T/uts"
	unshare --net="$T/net" --uts="$T/uts" hostname pod1
	mkbundle sh -c 'id -u; readlink /proc/self/ns/net; hostname'
	cfg "$USERNS_MAPS"
	cfg --arg n "$T/net" --arg u "$T/uts" '.hostname = "pod1" |
		.linux.namespaces |= map(if .type == "network" then .path = $n elif .type == "uts" then .path = $u else . end)'
	local out rc=0 ino
	ino=$(stat -c %i "$T/net")
	out=$(run_ctr "$TID" 2>&1) || rc=$?
	umount "$T/net" "$T/uts"
	[ "$rc" = 0 ] || fail "run: $out"
	assert_eq "$out" "0
net:[$ino]
pod1" "root in the new user namespace, the joined network and uts namespaces"
}

# A PID namespace joined by path whose init has exited takes no new process
# (the kernel says ENOMEM): the runtime says so, and leaves no container.
test_joined_pid_namespace_without_its_init() {
	: >"$T/pid"
	unshare --pid="$T/pid" --fork true
	mkbundle true
	cfg --arg p "$T/pid" '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)'
	local out rc=0
	out=$(run_ctr "$TID" 2>&1) || rc=$?
	umount "$T/pid"
	[ "$rc" != 0 ] || fail "a container was made in a PID namespace without its init"
	assert_eq "$out" "corral: run $TID: clone3: linux.namespaces: pid namespace $T/pid: its init has ended" "the error"
	assert_eq "$(cr list -q | grep -cx "$TID")" 0 "what is left of it"
}

test_idmapped_rootfs() {
	mkbundle sh -c 'stat -c %u:%g /bin/busybox; touch /newfile && echo wrote'
	own_rootfs
	cfg "$USERNS_MAPS"
	# without the idmap the image's root-owned files are nobody's
	out=$(run_ctr "$TID" 2>&1 || true)
	assert_contains "$out" "65534:65534" "not idmapped"
	assert_not_contains "$out" wrote "not idmapped: write refused"
	cfg '.annotations["run.oci.idmap-rootfs"]="true"'
	out=$(run_ctr "${TID}b")
	assert_eq "$out" "0:0
wrote" "idmapped rootfs"
	assert_eq "$(stat -c %u:%g "$BUNDLE/rootfs/newfile")" "0:0" "owner on the host"
}

test_idmapped_bind_mount_with_own_mappings() {
	mkbundle sh -c 'stat -c %u /run/f; stat -c %u /run2/f'
	mkdir "$T/d"
	touch "$T/d/f"
	cfg '.mounts += [{"destination":"/run","type":"bind","source":"'"$T/d"'","options":["rbind"],
		"uidMappings":[{"containerID":0,"hostID":1234,"size":1}],"gidMappings":[{"containerID":0,"hostID":1234,"size":1}]},
		{"destination":"/home","type":"bind","source":"'"$T/d"'","options":["rbind"]}]'
	cfg '.process.args=["sh","-c","stat -c %u /run/f; stat -c %u /home/f"]'
	assert_eq "$(run_ctr "$TID")" "1234
0" "idmapped and plain views of one file"
	cfg '.mounts[-1].options += ["idmap"]'
	if run_ctr "${TID}b" 2>"$T/err"; then fail "idmap without any mappings accepted"; fi
	assert_contains "$(cat "$T/err")" "idmap needs uidMappings and gidMappings" "error"
}

test_time_offsets() {
	mkbundle sh -c 'cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets | tr -s " "'
	cfg '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets={"boottime":{"secs":864000},"monotonic":{"secs":1000,"nanosecs":5}}'
	host=$(cut -d. -f1 /proc/uptime)
	out=$(run_ctr "$TID")
	up=$(echo "$out" | sed -n 1p)
	[ "$up" -ge $((host + 864000)) ] && [ "$up" -lt $((host + 864000 + 30)) ] || fail "uptime $up, host $host"
	assert_contains "$out" "monotonic 1000 5" "monotonic offset"
	assert_contains "$out" "boottime 864000 0" "boottime offset"
	mkbundle true
	cfg '.linux.timeOffsets={"boottime":{"secs":1}}'
	if run_ctr "${TID}b" 2>"$T/err"; then fail "offsets without a time namespace"; fi
	assert_contains "$(cat "$T/err")" "linux.timeOffsets: needs a time namespace" "error"
}

test_personality_linux32() {
	[ "$(uname -m)" = x86_64 ] || skip "LINUX32 is tested on x86_64 only"
	mkbundle uname -m
	cfg '.linux.personality={"domain":"LINUX32"}'
	assert_eq "$(run_ctr "$TID")" i686 "uname -m"
}

test_net_devices_move_and_return() {
	dev="crt$$"
	ip link add "$dev" type veth peer name "${dev}p" 2>/dev/null || skip "cannot create a veth pair here"
	trap 'ip link del "$dev" 2>/dev/null' EXIT
	mkbundle sh -c 'ip -o link | cut -d: -f2 | cut -d@ -f1 | tr -d " " | tr "\n" " "'
	cfg --arg d "$dev" '.linux.netDevices={($d):{"name":"eth7"}}'
	assert_eq "$(run_ctr "$TID")" "lo eth7 " "interfaces inside"
	ip link show "$dev" >/dev/null || fail "device not returned after run"
	# a create that fails gives it back too
	cfg '.hooks.createRuntime=[{"path":"/bin/false"}]'
	if run_ctr "${TID}b" 2>/dev/null; then fail "failing hook accepted"; fi
	ip link show "$dev" >/dev/null || fail "device not returned after a failed create"
	cfg 'del(.hooks) | .process.args=["sleep","1000"]'
	(cd "$BUNDLE" && cr create "${TID}c")
	if ip link show "$dev" >/dev/null 2>&1; then fail "device still on the host"; fi
	cr delete "${TID}c"
	ip link show "$dev" >/dev/null || fail "device not returned after delete"
	mkbundle true
	cfg --arg d "$dev" '.linux.netDevices={($d):{}} | .linux.namespaces |= map(select(.type != "network"))'
	if run_ctr "${TID}d" 2>"$T/err"; then fail "netDevices without a network namespace"; fi
	assert_contains "$(cat "$T/err")" "linux.netDevices: needs a" "error"
}

test_loopback_up_in_new_netns() {
	mkbundle sh -c 'ip -o link show lo; ip -o link | wc -l'
	out=$(run_ctr "$TID")
	assert_contains "$out" "LOOPBACK,UP" "lo is up"
	assert_eq "$(echo "$out" | tail -1)" 1 "lo is the only interface"
}

test_features_match_the_runtime() {
	f=$("$CORRAL" features)
	echo "$f" | jq -e . >/dev/null || fail "features is not JSON"
	assert_eq "$(echo "$f" | jq -r .ociVersionMax)" 1.2.0 ociVersionMax
	assert_eq "$(echo "$f" | jq -c .hooks)" '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' hooks
	assert_eq "$(echo "$f" | jq -r '.linux.mountExtensions.idmap.enabled')" true idmap
	assert_eq "$(echo "$f" | jq -r '.linux.netDevices.enabled')" true netDevices
	# AppArmor as the host has it (runc's test: securityfs and the module)
	local aa=false
	[ -d /sys/kernel/security/apparmor ] && grep -q '^Y' /sys/module/apparmor/parameters/enabled 2>/dev/null && aa=true
	assert_eq "$(echo "$f" | jq -r .linux.apparmor.enabled)" "$aa" apparmor
	for k in selinux intelRdt; do
		assert_eq "$(echo "$f" | jq -r ".linux.$k.enabled")" false "$k"
	done
	assert_eq "$(echo "$f" | jq -r '.linux.cgroup.v2, .linux.cgroup.v1' | tr '\n' ' ')" "true false " cgroup
	echo "$f" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null' >/dev/null || fail "capabilities"
	echo "$f" | jq -e '.mountOptions | (index("ridmap") != null) and (index("rro") != null)' >/dev/null || fail "mountOptions"
	# every namespace it names can be created
	for ns in $(echo "$f" | jq -r '.linux.namespaces[]'); do
		mkbundle true
		case $ns in
		user) cfg "$USERNS_MAPS" ;;
		mount) ;;
		*) cfg --arg n "$ns" '.linux.namespaces |= (map(select(.type != $n)) + [{"type":$n}])' ;;
		esac
		run_ctr "$TID-$ns" || fail "namespace $ns"
	done
	# every seccomp action it names (but NOTIFY, which needs a listener)
	# loads, and every operator
	for a in $(echo "$f" | jq -r '.linux.seccomp.actions[]' | grep -v NOTIFY); do
		mkbundle true
		cfg --arg a "$a" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["acct"],"action":$a}]}'
		run_ctr "$TID-$a" || fail "seccomp action $a"
	done
	ops=$(echo "$f" | jq -c '[.linux.seccomp.operators[] | {"index":0,"value":1,"valueTwo":1,"op":.}]')
	mkbundle true
	cfg --argjson o "$ops" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["acct"],"action":"SCMP_ACT_ERRNO","args":$o}]}'
	run_ctr "$TID-ops" || fail "seccomp operators"
}

# features asks criu once per criu binary and boot (engines ask for the
# features on every start): a second call runs no criu, a new criu binary
# is asked again. Here a criu of the test's own, which logs each call.
test_features_remembers_what_criu_says() {
	mkdir -p "$T/bin" "$STATE"
	cat >"$T/bin/criu" <<-EOF
	#!/bin/sh
	echo "\$*" >>"$T/criu.calls"
	[ "\$1" = --version ] && echo "Version: 3.17.1"
	exit 0
	EOF
	chmod +x "$T/bin/criu"
	local key='."annotations"."org.opencontainers.runc.checkpoint.enabled"'
	assert_eq "$(PATH="$T/bin:$PATH" cr features | jq -r "$key")" true "criu says it can"
	assert_eq "$(cat "$T/criu.calls" | tr '\n' ',')" "--version,check," "criu asked once"
	assert_eq "$(PATH="$T/bin:$PATH" cr features | jq -r "$key")" true "remembered"
	assert_eq "$(grep -c . "$T/criu.calls")" 2 "no criu run the second time"
	cp -p "$T/bin/criu" "$T/criu.new" && mv "$T/criu.new" "$T/bin/criu" # a new file in its place
	PATH="$T/bin:$PATH" cr features >/dev/null
	assert_eq "$(grep -c . "$T/criu.calls")" 4 "another criu binary is asked again"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
