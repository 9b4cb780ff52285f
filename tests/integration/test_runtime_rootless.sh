#!/bin/bash
# Rootless, side by side with runc: a user the test makes (subordinate ids
# from useradd, its own XDG_RUNTIME_DIR) runs `runc spec --rootless`
# bundles and rootless podman with each runtime, and must get what runc
# gives. Every process, file and id range of the user goes with it.
. "$(dirname "$0")/lib.sh"

need() { command -v "$1" >/dev/null || skip "$1 is not installed (tests/deps.sh installs it)"; }

# A user of this test's own: RL its name, RUID its uid, RHOME, RXDG.
mkuser() {
	need runc
	need newuidmap
	RL=crl$(echo "$TID" | md5sum | cut -c1-8)
	useradd -m -s /bin/sh "$RL" >/dev/null
	USER_OWNER=$BASHPID
	trap rmuser EXIT
	RUID=$(id -u "$RL")
	RHOME=$(getent passwd "$RL" | cut -d: -f6)
	RXDG=/run/user/$RUID
	mkdir -p "$RXDG"
	chown "$RL:" "$RXDG"
	chmod 700 "$RXDG"
	grep -q "^$RL:" /etc/subuid || skip "useradd gave $RL no subordinate ids (login.defs SUB_UID_COUNT)"
	chmod 755 "$RHOME"
}
rmuser() {
	local i
	# bash runs the trap in command substitutions too: only the test's shell cleans up
	[ "$BASHPID" = "$USER_OWNER" ] || return 0
	for i in 1 2 3 4 5; do
		pkill -9 -u "$RUID" 2>/dev/null || break
		sleep 0.2
	done
	pgrep -u "$RUID" >/dev/null && echo "    LEAK: processes of $RL: $(pgrep -u "$RUID" | tr '\n' ' ')" >&2
	grep -F " $RHOME/" /proc/self/mountinfo | awk '{print $5}' | xargs -r -n1 umount -l
	rm -rf "$RXDG"
	userdel -r "$RL" >/dev/null 2>&1 || echo "    userdel $RL failed" >&2
	sed -i "/^$RL:/d" /etc/subuid /etc/subgid
	true
}
# as_user COMMAND...: as the test's user, in its home, with a login's environment
as_user() {
	(cd "$RHOME" && setpriv --reuid="$RUID" --regid="$RUID" --init-groups env -i HOME="$RHOME" USER="$RL" \
		LOGNAME="$RL" XDG_RUNTIME_DIR="$RXDG" PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" "$@")
}
# rt RUNTIME ARGS...: runc or corral, as the user, with its default state root
rt() {
	local r=$1
	shift
	[ "$r" = corral ] && r=$CORRAL
	as_user "$r" "$@"
}
# has_map OUTPUT C H S: a line of a uid_map or gid_map
has_map() { echo "$1" | grep -Eq "^ *$2 +$3 +$4$" || fail "no map \"$2 $3 $4\" in [$1]"; }
# A bundle in the user's home from `runc spec --rootless`, running ARGS.
user_bundle() {
	cp -a "$BUSYBOX_ROOTFS" "$RHOME/rootfs"
	chown -R "$RL:" "$RHOME/rootfs"
	as_user runc spec --rootless
	user_cfg --argjson a "$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -sc .)" '.process.terminal=false | .process.args=$a'
}
user_cfg() {
	as_user sh -c 'jq "$@" config.json >c.tmp && mv c.tmp config.json' jq "$@"
}

test_rootless_spec_matches_runc() {
	mkuser
	mkdir -p "$RHOME/r" "$RHOME/c"
	chown "$RL:" "$RHOME/r" "$RHOME/c"
	(RHOME=$RHOME/r; as_user runc spec --rootless)
	(RHOME=$RHOME/c; as_user "$CORRAL" spec --rootless)
	# what rootless needs, not each runtime's defaults (hostname, seccomp, caps)
	local shape='{ns: [.linux.namespaces[].type], maps: [.linux.uidMappings, .linux.gidMappings],
		mounts: [.mounts[] | [.destination, .type, .source, (.options // [] | map(select(startswith("gid=")))) ]],
		resources: .linux.resources}'
	assert_eq "$(jq -c "$shape" "$RHOME/c/config.json")" "$(jq -c "$shape" "$RHOME/r/config.json" |
		sed 's/"\/sys\/fs\/cgroup","cgroup"/"\/sys\/fs\/cgroup","cgroup2"/')" "spec --rootless against runc's"
	assert_eq "$(jq -c '.linux.uidMappings' "$RHOME/c/config.json")" "[{\"containerID\":0,\"hostID\":$RUID,\"size\":1}]" "the user's own id"
}

test_rootless_run_beside_runc() {
	mkuser
	user_bundle sh -c 'id; cat /proc/self/uid_map; stat -c %F /dev/null; echo x >/dev/null && echo devnull ok
		grep -c " /sys/fs/cgroup " /proc/self/mountinfo | sed s/^[1-9].*/mounted/'
	local want got
	want=$(rt runc run "r$TID" 2>&1 </dev/null)
	got=$(rt corral run "c$TID" 2>&1 </dev/null)
	assert_eq "$got" "$want" "rootless run under corral, against runc"
	has_map "$got" 0 "$RUID" 1
	# the config says ro: with no cgroup namespace of its own, the host's
	# cgroup2 is bound read-only (runc 1.1 leaves its cgroup v1 tmpfs
	# writable on a host that mixes the versions, as this one does)
	user_cfg '.process.args=["sh","-c","stat -f -c %t /sys/fs/cgroup; touch /sys/fs/cgroup/x"]'
	got=$(rt corral run "c$TID" 2>&1 </dev/null) && fail "/sys/fs/cgroup was writable"
	assert_eq "$got" "63677270
touch: /sys/fs/cgroup/x: Read-only file system" "the host's cgroup2, read-only"
	# the state went where runc's goes: the user's XDG_RUNTIME_DIR
	[ -d "$RXDG/corral" ] || fail "no $RXDG/corral"
	assert_eq "$(stat -c %U "$RXDG/corral")" "$RL" "the state root's owner"
	assert_eq "$(ls "$RXDG/corral")" "" "run --rm leaves no state"
}

# run -d, state, exec, kill, delete and list: the statuses runc gives
lifecycle() {
	local r=$1 id=$2
	rt "$r" run -d "$id" </dev/null >/dev/null 2>&1 || echo "run -d failed"
	rt "$r" state "$id" | jq -r .status
	rt "$r" exec "$id" sh -c 'id -u; cat /proc/self/uid_map' </dev/null
	rt "$r" list -q
	rt "$r" kill "$id" KILL
	for _ in $(seq 50); do [ "$(rt "$r" state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	rt "$r" state "$id" | jq -r .status
	rt "$r" delete "$id"
	rt "$r" list -q
	rt "$r" state "$id" >/dev/null 2>&1 || echo "gone"
}
test_rootless_detached_lifecycle() {
	mkuser
	user_bundle sleep 1000
	local want got
	want=$(lifecycle runc same 2>&1)
	got=$(lifecycle corral same 2>&1)
	assert_eq "$got" "$want" "run -d, state, exec, list, kill, delete under corral, against runc"
	assert_eq "$(echo "$got" | sed -n 2p)" 0 "exec as root in the container"
	has_map "$got" 0 "$RUID" 1
}

# Maps of more than the user's own id go through newuidmap and newgidmap,
# which grant only the user's subordinate ranges.
test_rootless_subordinate_maps() {
	mkuser
	local sub
	sub=$(awk -F: -v u="$RL" '$1 == u {print $2; exit}' /etc/subuid)
	user_bundle sh -c 'cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f; ls -n /tmp/f | awk "{print \$3}"'
	user_cfg --argjson u "$RUID" --argjson s "$sub" '.root.readonly=false
		| .linux.uidMappings=[{containerID:0,hostID:$u,size:1},{containerID:1,hostID:$s,size:1000}]
		| .linux.gidMappings=.linux.uidMappings'
	local want got
	want=$(rt runc run "r$TID" 2>&1 </dev/null)
	got=$(rt corral run "c$TID" 2>&1 </dev/null)
	assert_eq "$got" "$want" "a subordinate range under corral, against runc"
	has_map "$got" 1 "$sub" 1000
	# one not granted: newuidmap's own reason, in one line, and nothing left
	user_cfg '.linux.uidMappings[1].hostID=4000000000'
	got=$(rt corral run "c$TID" 2>&1 </dev/null) && fail "a range outside /etc/subuid was mapped"
	assert_eq "$(echo "$got" | wc -l)" 1 "one line: [$got]"
	assert_contains "$got" "linux.uidMappings: newuidmap failed: newuidmap: uid range" "newuidmap's reason"
	assert_eq "$(ls "$RXDG/corral")" "" "no state left"
	rt runc run "r$TID" </dev/null >/dev/null 2>&1 && fail "runc mapped it"
	true
}

# The cgroup: none of its own when the user may not make one and nothing
# needs it (above). A limit, or a cgroupsPath, that needs one is an error
# that says so, as runc's is, and leaves nothing.
test_rootless_cgroup_refusals() {
	mkuser
	user_bundle true
	local got
	user_cfg --arg p "/crl-$TID" '.linux.cgroupsPath=$p'
	got=$(rt corral run "c$TID" 2>&1 </dev/null) && fail "a cgroupsPath the user may not make"
	assert_eq "$(echo "$got" | wc -l)" 1 "one line: [$got]"
	assert_contains "$got" "cgroup /crl-$TID: create: Permission denied" "the cgroup it could not make"
	user_cfg 'del(.linux.cgroupsPath) | .linux.resources={pids: {limit: 10}}'
	got=$(rt corral run "c$TID" 2>&1 </dev/null) && fail "a limit with no cgroup to put it in"
	assert_eq "$(echo "$got" | wc -l)" 1 "one line: [$got]"
	assert_contains "$got" "pids" "names what needed the cgroup"
	assert_eq "$(ls "$RXDG/corral")" "" "no state left"
	rt runc run "r$TID" </dev/null >/dev/null 2>&1 && fail "runc ran it"
	true
}

# features as the rootless caller has them: no idmapped mounts and no
# network devices (both need a parent privileged over the host), and where
# its containers' cgroups go; a config that asks for either is refused.
test_rootless_features() {
	mkuser
	local f
	f=$(rt corral features 2>/dev/null)
	assert_eq "$(echo "$f" | jq -c '[.linux.mountExtensions.idmap.enabled, .linux.netDevices.enabled,
		(.mountOptions | index("idmap")), .linux.cgroup.systemdUser]')" "[false,false,null,true]" "rootless features"
	assert_contains "$(echo "$f" | jq -r '.annotations["io.github.corral.rootless.cgroup"]')" "none: " "no delegated cgroup here"
	assert_eq "$("$CORRAL" features 2>/dev/null | jq -c '[.linux.mountExtensions.idmap.enabled, .linux.netDevices.enabled,
		.annotations["io.github.corral.rootless.cgroup"]]')" "[true,true,null]" "root's features"
	user_bundle true
	user_cfg '.mounts += [{destination: "/mnt", type: "bind", source: "/tmp", options: ["bind", "idmap"]}]'
	local got
	got=$(rt corral run "c$TID" 2>&1 </dev/null) && fail "an idmapped mount, rootless"
	assert_eq "$got" "corral: run c$TID: config.json: an idmapped root or mount: needs root (a rootless runtime cannot attach the mapping)" "idmap refused"
	assert_eq "$(ls "$RXDG/corral" 2>/dev/null)" "" "no state left"
}

# Rootless podman runs the runtime as root in the user namespace it made,
# with no user namespace in the config: devices are bound, cgroup2 is the
# host's bound read-only, and the state goes under XDG_RUNTIME_DIR.
pm_cases() {
	local r=$1
	[ "$r" = corral ] && r=$CORRAL
	pm() {
		local rc
		as_user podman --storage-driver vfs --events-backend file --runtime "$r" "$@" 2>"$T/pm.err"
		rc=$?
		grep -v "is not a shared mount" "$T/pm.err" | sed 's/^time="[^"]*" //' >&2
		return $rc
	}
	pm run --rm --network none localhost/bb:1 sh -c 'id; cat /proc/self/uid_map; stat -c %F /dev/null'
	pm ps -a --format '{{.Names}}'
	pm run --rm --network none localhost/bb:1 sh -c 'exit 3'
	echo "rc=$?"
	pm run -d --name d1 --network none localhost/bb:1 sleep 1000 >/dev/null
	pm exec d1 sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "; echo'
	pm stop -t 1 d1 >/dev/null
	pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' d1
	pm rm d1 >/dev/null
	pm run --rm --userns keep-id --network none localhost/bb:1 sh -c 'id -u; cat /proc/self/uid_map'
	pm run --rm -v "$RHOME/vol:/v" --network none localhost/bb:1 sh -c 'cat /v/f; touch /v/new'
	stat -c %U "$RHOME/vol/new"
	rm -f "$RHOME/vol/new"
	pm run --rm --network none localhost/bb:1 sh -c 'ls /sys/class/net'
}
test_rootless_podman() {
	need podman
	mkuser
	tar -C "$BUSYBOX_ROOTFS" -cf "$RHOME/bb.tar" .
	mkdir -p "$RHOME/vol"
	echo shared >"$RHOME/vol/f"
	chown -R "$RL:" "$RHOME/bb.tar" "$RHOME/vol"
	as_user podman --storage-driver vfs --events-backend file import -q bb.tar localhost/bb:1 >/dev/null 2>&1 ||
		fail "podman import as $RL"
	local want got
	want=$(pm_cases runc 2>&1)
	got=$(pm_cases corral 2>&1)
	assert_eq "$got" "$want" "rootless podman under corral, against runc"
	assert_contains "$got" "rc=3" "the exit code"
	echo "$got" | grep -Eq "^ *$RUID +0 +1$" || fail "--userns keep-id: no map of the user's own id"
	assert_contains "$got" "character special file" "/dev/null is the host's device"
	assert_contains "$got" "$RL" "a file made in the volume is the user's"
	assert_eq "$(ls "$RXDG/corral" 2>/dev/null)" "" "podman's containers left no corral state"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
