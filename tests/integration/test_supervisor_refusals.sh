#!/bin/bash
# Mistakes refused before anything is made, and what a container sees:
# a Create that names what is not there (a network, a secret, a session,
# an image, a bind source, a user) is one line naming it and leaves nothing: no
# record, no name held, no directory, no event; a Start that fails leaves
# the Created container alone, as podman does; /etc/hostname is the
# container's hostname; a masked secret is masked in what run, attach and
# exec print, as in the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

# refused NAME EXPECTED [run options and arguments]: run --name NAME fails
# with the one line EXPECTED, and nothing of NAME is left
refused() {
	local name=$1 want=$2 out rc=0
	shift 2
	out=$(ctl run --name "$name" "$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "$name: run succeeded: $out"
	assert_eq "$out" "$want" "$name: the refusal"
	nothing_of "$name"
}

# nothing_of NAME: no container, no directory, no file naming it in the
# state dir (the audit log aside: it records the call), no event of it
nothing_of() {
	local name=$1
	assert_eq "$(ctl ps -a --format '{{.Names}}')" "" "$name: ps -a"
	assert_eq "$(ls -A "$STATE_D/containers")" "" "$name: the containers' directory"
	assert_eq "$(grep -rlIF --exclude=audit.log --exclude-dir=images -- "$name" "$STATE_D" 2>/dev/null)" "" "$name: files naming it"
	assert_eq "$(timeout 5 "$CORRALCTL" --socket "$SOCK" events --since 0 --until "$(date +%s.%N)" | grep -w -- "$name")" \
		"" "$name: its events"
}

# name_free NAME [create options and arguments]: the name is free again,
# for a container with good references
name_free() {
	local name=$1
	shift
	ctl create --name "$name" "$@" >/dev/null || fail "$name: a good create with the same name"
	assert_eq "$(ctl ps -a --format '{{.Names}}')" "$name" "$name: created"
	ctl rm "$name" >/dev/null
}

test_svref_create_refuses_what_is_not_there() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	refused nonet "corralctl: CreateContainer: no such network: nosuch" --network nosuch t:1 true
	name_free nonet --network corral t:1 true
	refused nosecret "corralctl: CreateContainer: no such secret: nosuch" --secret nosuch t:1 true
	echo -n v | ctl secret create real - >/dev/null
	name_free nosecret --secret real t:1 true
	refused nosession "corralctl: CreateContainer: no such session: nosuch" --session nosuch t:1 true
	name_free nosession t:1 true
	refused noimage "corralctl: CreateContainer: no such image: nosuch:1" --pull never nosuch:1 true
	name_free noimage t:1 true
	refused novol "corralctl: CreateContainer: spec.mounts[0].source: $T/nosuch: No such file or directory" \
		-v "$T/nosuch:/data" t:1 true
	mkdir "$T/vol"
	name_free novol -v "$T/vol:/data" t:1 true
	refused nouser "corralctl: CreateContainer: spec.user: no such user \"nosuch\" in the image's /etc/passwd" \
		--user nosuch t:1 true
	name_free nouser --user 1000 t:1 true
	# several at once: the first is named, and still nothing is made
	refused twofold "corralctl: CreateContainer: no such secret: nosuch" --secret nosuch --network nosuch t:1 true
	# the varlink error itself, as a client sees it
	local raw
	raw=$("$B/tests/helpers/vlcall" "$SOCK" '{"method":"io.corral.Supervisor.CreateContainer","parameters":
		{"spec":{"image":"t:1","name":"raw","network":"nosuch","command":["true"]}}}' 2>&1 || true)
	assert_contains "$raw" "io.corral.Supervisor.NoSuchNetwork" "the error's name"
	assert_contains "$raw" '"name":"nosuch"' "what was missing"
	nothing_of raw
}

# A Start that fails (its command is not there) leaves a Created container,
# as podman's does, and nothing else: no monitor, no cgroup, no network
# attachment, no pinned namespace, no lease, no port rule.
test_svref_failed_start_leaves_the_created_container_alone() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	local out rc=0
	out=$(ctl run --name nocmd -p 18095:80 t:1 /nonexistent 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "a missing command ran"
	assert_contains "$out" '"/nonexistent": No such file or directory' "the refusal"
	assert_eq "$(status_of nocmd)" created "its state"
	local id
	id=$(ctl inspect --format '{{.ID}}' nocmd)
	assert_eq "$(pgrep -f -- "$id" || true)" "" "processes of it"
	assert_eq "$(find /sys/fs/cgroup -name "*$id*" 2>/dev/null)" "" "its cgroup"
	assert_eq "$(inns ip -o link show type veth)" "" "veths"
	assert_eq "$(ipam_files)" "" "leases"
	assert_not_contains "$(rules)" 18095 "its port's rules"
	[ ! -e "$STATE_D/networks/netns/$id" ] || fail "its namespace is still pinned"
	# it fails the same way again, and goes with rm
	rc=0
	ctl start nocmd >/dev/null 2>&1 || rc=$?
	[ $rc -ne 0 ] || fail "the second start succeeded"
	assert_eq "$(status_of nocmd)" created "its state after a second start"
	ctl rm nocmd >/dev/null
	assert_eq "$(ls -A "$STATE_D/containers")" "" "after rm"
}

# /etc/hostname says what hostname says: the container's (its name, or
# --hostname), the host's with the host's network, as podman's
test_svref_etc_hostname_is_the_containers() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	local both='echo "$(cat /etc/hostname) $(hostname)"'
	assert_eq "$(ctl run --rm --name h1 t:1 sh -c "$both")" "h1 h1" "on a network"
	assert_eq "$(ctl run --rm --name h2 --hostname web.example t:1 sh -c "$both")" "web.example web.example" "--hostname"
	assert_eq "$(ctl run --rm --name h3 --network none t:1 sh -c "$both")" "h3 h3" "--network none"
	local host
	host=$(hostname)
	assert_eq "$(ctl run --rm --name h4 --network host t:1 sh -c "$both")" "$host $host" "--network host"
	assert_eq "$(ctl run --rm --name h5 --network host --hostname mine t:1 sh -c "$both")" "mine mine" \
		"--network host --hostname"
	# its /etc/hosts names the same hostname
	assert_contains "$(ctl run --rm --name h6 --network none --hostname web1 t:1 cat /etc/hosts)" "web1 h6" "/etc/hosts"
	# the user's own bind wins
	echo theirs >"$T/hn"
	assert_eq "$(ctl run --rm --name h7 -v "$T/hn:/etc/hostname" t:1 cat /etc/hostname)" theirs "a bind of the user's"
}

# mask=true: what a foreground run, attach and exec print is masked as the
# log is
test_svref_masked_secret_in_run_and_attach() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	local v
	v=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	printf '%s' "$v" | ctl secret create leak - >/dev/null
	local script='echo before; cat /run/secrets/leak; echo; echo "key=$(cat /run/secrets/leak) here"; echo after'
	local want="before
[REDACTED]
[REDACTED]
after"
	assert_eq "$(ctl run --rm --secret leak,mask=true t:1 sh -c "$script")" "$want" "a foreground run"
	assert_eq "$(ctl run --rm --secret leak,mask=true t:1 sh -c "$script >&2" 2>&1)" "$want" "its stderr"
	ctl run -d -i --name att --secret leak,mask=true t:1 sh -c "read x; $script" >/dev/null
	assert_eq "$(echo go | ctl attach att)" "$want" "attach"
	assert_eq "$(ctl logs att)" "$want" "the log"
	ctl run -d --name held --secret leak,mask=true t:1 sleep 100 >/dev/null
	assert_eq "$(ctl exec held sh -c "$script")" "$want" "exec"
	assert_eq "$(ctl exec -i held sh -c "$script" </dev/null)" "$want" "exec -i (a stream)"
	# unmasked, the value shows, so the checks above saw it masked
	assert_contains "$(ctl run --rm --secret leak t:1 cat /run/secrets/leak)" "$v" "without mask=true"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do run_test "$t"; done
