#!/bin/bash
# A member of the access group is never more than itself: its containers
# run in a user namespace whose root is the member's own uid (ids 1-65535
# a subordinate range), so a setuid-root file its container (or its cp)
# makes in a bind is the member's own, not the host's root's; the image's
# files still show their owners inside (idmapped layers), and what the
# container writes is on disk as the member's ids. Root's containers are
# as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
CP="$ROOTDIR/tests/integration/copy_stream.py"

member() { mctl 65534 "$@"; }

# corrald with a group, a policy that lets members bind $T/data, and an
# image the member imported
start_member_sv() {
	mkdir -p "$T/data"
	chown 65534:12345 "$T/data"
	printf '{"unprivileged": {"bind_mounts": {"allowed": ["%s/data"]}}}\n' "$T" >"$T/policy.json"
	start_sv_group --policy "$T/policy.json"
	cp "$IMGS/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	member image import "oci-archive:$T/img.tar" m:1 >/dev/null
}

# The attack as found: the container copies a shell into the bind, makes it
# root's and setuid; the member would run it on the host. Now the file is
# the member's (a setuid-member file gives the member nothing), and a file
# given to uid 1000 inside is the member's subordinate id on the host.
test_userns_setuid_root_in_a_bind_is_the_members() {
	trap cleanup_sv EXIT
	start_member_sv
	member run --rm -v "$T/data:/data" m:1 sh -c 'cp /bin/busybox /data/sh && chown 0:0 /data/sh &&
		chmod 4755 /data/sh && touch /data/u1000 && chown 1000:1000 /data/u1000 && ls -ln /data/sh' >"$T/out" ||
		fail "the container: $(cat "$T/out")"
	assert_contains "$(cat "$T/out")" "rwsr-xr-x    1 0        0" "root's and setuid, inside"
	assert_eq "$(stat -c %u:%g "$T/data/sh")" 65534:12345 "on the host: the member's"
	[ -z "$(find "$T/data" -user 0)" ] || fail "a root-owned file on the host: $(find "$T/data" -user 0)"
	local sub
	sub=$(stat -c %u "$T/data/u1000")
	[ "$sub" -ne 1000 ] && [ "$sub" -ne 0 ] || fail "uid 1000 inside is $sub on the host"
	# the same through a copy into the container
	member run -d --name c1 -v "$T/data:/data" m:1 sleep 1000 >/dev/null
	python3 - "$T/evil.tar" <<-'PYEOF'
	import io, sys, tarfile
	with tarfile.open(sys.argv[1], "w") as t:
	    d = b"#!/bin/sh\nid\n"
	    i = tarfile.TarInfo("rootsh"); i.size = len(d); i.mode = 0o4755; i.uid = 0; i.gid = 0
	    t.addfile(i, io.BytesIO(d))
	PYEOF
	chmod 644 "$T/evil.tar"
	as_uid 65534 /usr/bin/python3 "$CP" "$SOCK" to c1 /data <"$T/evil.tar" ||
		fail "CopyTo"
	assert_eq "$(stat -c %u:%g "$T/data/rootsh")" 65534:12345 "a copied setuid-root file is the member's"
	assert_contains "$(member exec c1 ls -ln /data/rootsh)" " 0        0 " "root's inside"
	# corralctl cp keeps the tar's owners, as docker cp does: ids of the
	# container's user namespace, so the tar's root is the member on the
	# host and its 1000 a subordinate id; an id the namespace has not is
	# refused, naming it, and its entry is not left behind; -a makes them
	# the container's user's (root inside: the member)
	python3 - "$T" <<-'PYEOF'
	import io, sys, tarfile
	def tar(name, entries):
	    with tarfile.open(sys.argv[1] + "/" + name, "w") as t:
	        for n, uid, mode in entries:
	            i = tarfile.TarInfo(n); i.size = 2; i.mode = mode; i.uid = i.gid = uid
	            t.addfile(i, io.BytesIO(b"x\n"))
	tar("owned.tar", [("own0", 0, 0o4755), ("own1000", 1000, 0o644)])
	tar("far.tar", [("far", 4000000000, 0o644)])
	PYEOF
	chmod 644 "$T/owned.tar" "$T/far.tar"
	member cp - c1:/data <"$T/owned.tar" || fail "the member's cp in"
	assert_eq "$(stat -c %u:%g "$T/data/own0")" 65534:12345 "the tar's root: the member's on the host"
	sub=$(stat -c %u "$T/data/own1000")
	[ "$sub" -ne 1000 ] && [ "$sub" -ne 0 ] && [ "$sub" -ne 65534 ] || fail "the tar's 1000 is $sub on the host"
	assert_contains "$(member exec c1 ls -ln /data/own1000)" " 1000     1000 " "the tar's 1000, inside"
	local e
	e=$(member cp - c1:/data <"$T/far.tar" 2>&1) && fail "an id the namespace has not was copied in"
	assert_contains "$e" "far: owner 4000000000:4000000000 is not an id of the user namespace it is unpacked in" \
		"an id the namespace has not"
	[ ! -e "$T/data/far" ] || fail "the refused entry was left: $(ls -ln "$T/data/far")"
	member cp -a - c1:/data <"$T/far.tar" || fail "cp -a"
	assert_eq "$(stat -c %u:%g "$T/data/far")" 65534:12345 "cp -a: the container's user's, the member on the host"
	# copied out, a member's tar keeps the setuid bit (the member's own tar
	# unpacks it, as the member); root's does not (root's tar would make it
	# a setuid-root file on the host)
	assert_eq "$(member cp c1:/data/rootsh - | tar tvf - | awk '{print $1}')" -rwsr-xr-x "the member's tar: setuid"
	mkdir "$T/mout" "$T/rout"
	chown 65534:12345 "$T/mout"
	(cd "$T/mout" && member cp c1:/data/rootsh .) || fail "the member's cp out"
	assert_eq "$(stat -c %u "$T/mout/rootsh")" 65534 "the member's copy is the member's"
	ctl cp c1@65534:/data/rootsh "$T/rout/" || fail "root's cp out"
	assert_eq "$(stat -c %a:%u "$T/rout/rootsh")" 755:0 "root's copy: not setuid"
	# CopyFrom gives the container's own view of owners
	as_uid 65534 /usr/bin/python3 "$CP" "$SOCK" from c1 /etc/passwd >"$T/p.tar"
	assert_contains "$(tar tvf "$T/p.tar")" "0/0" "CopyFrom: root's inside"
}

# Inside: root, the member's uid outside, the image's files root's; what it
# writes in its rootfs is the member's on disk, its process the member's on
# the host. Root's containers: no user namespace, as before.
test_userns_members_container_is_the_member() {
	trap cleanup_sv EXIT
	start_member_sv
	local id
	id=$(member run -d --name c1 m:1 sleep 1000)
	assert_eq "$(member exec c1 id -u)" 0 "root inside"
	assert_eq "$(member exec c1 cat /proc/self/uid_map | awk 'NR == 1 {print $1, $2, $3}')" "0 65534 1" "root is the member"
	assert_eq "$(member exec c1 stat -c %u:%g /bin/busybox /etc/passwd | sort -u)" 0:0 "the image's files are root's inside"
	member exec c1 sh -c 'echo x >>/etc/passwd && touch /new && mkdir /root/d' || fail "root writes its rootfs"
	local upper="$STATE_D/containers/$id/upper"
	assert_eq "$(stat -c %u "$upper/new" "$upper/etc/passwd" | sort -u)" 65534 "on disk, the member's"
	local pid
	pid=$(ctl inspect --format '{{.State.Pid}}' c1@65534)
	assert_eq "$(awk '/^Uid/ {print $2}' "/proc/$pid/status")" 65534 "the process on the host"
	[ "$(stat -c %a "$STATE_D/containers/$id")" = 710 ] || fail "its directory: $(stat -c %a "$STATE_D/containers/$id")"
	# root's container: the host's ids, as before
	ctl image import "oci-archive:$T/img.tar" r:1 >/dev/null
	ctl run -d --name r1 r:1 sleep 1000 >/dev/null
	assert_eq "$(ctl exec r1 cat /proc/self/uid_map | awk '{print $1, $2, $3}')" "0 0 4294967295" "root's: no user namespace"
	local rid
	rid=$(ctl inspect --format '{{.Id}}' r1)
	[ "$(stat -c %a "$STATE_D/containers/$rid")" = 700 ] || fail "root's container directory is not 0700"
	# stopped and started again (a rootfs mounted anew), the member's still
	member stop -t 1 c1 >/dev/null 2>&1
	member start c1 >/dev/null
	assert_eq "$(member exec c1 stat -c %u /new)" 0 "its file after a restart"
}

# A member's containers in its session share its namespaces (made by corrald
# in the host's user namespace, joined before the container's own user
# namespace is made).
test_userns_members_session_shares_uts_and_ipc() {
	trap cleanup_sv EXIT
	start_member_sv
	member session create --share uts,ipc s1 >/dev/null
	member run -d --session s1 --name a m:1 sleep 1000 >/dev/null
	member run -d --session s1 --name b m:1 sleep 1000 >/dev/null
	assert_eq "$(member exec a hostname)" s1 "the session's hostname"
	assert_eq "$(member exec a readlink /proc/self/ns/ipc)" "$(member exec b readlink /proc/self/ns/ipc)" "one ipc"
	assert_eq "$(member exec a id -u)" 0 "root inside"
	member session rm -f s1 >/dev/null
}

# Root asks for a user namespace as podman's --userns auto: root inside,
# one of corrald's ids outside (never 0), with the same machinery; a
# member's "host" is refused; a privileged container keeps the host's ids.
test_userns_auto_for_roots_container() {
	trap cleanup_sv EXIT
	start_member_sv
	ctl image import "oci-archive:$T/img.tar" r:1 >/dev/null
	mkdir -m 1777 "$T/open"
	ctl run -d --name a --userns auto -v "$T/data:/data" -v "$T/open:/open" r:1 sleep 1000 >/dev/null
	assert_eq "$(ctl exec a id -u)" 0 "root inside"
	local host
	host=$(ctl exec a cat /proc/self/uid_map | awk 'NR == 1 {print $2}')
	[ "$host" -ne 0 ] || fail "root inside is the host's root"
	assert_eq "$(ctl exec a stat -c %u /bin/busybox)" 0 "the image's files root's inside"
	! ctl exec a touch /data/x 2>/dev/null || fail "root inside wrote the member's directory"
	ctl exec a touch /open/byauto
	assert_eq "$(stat -c %u "$T/open/byauto")" "$host" "its root's file on the host"
	grep -q "^0 $host" "$STATE_D/idranges" || fail "the range is not recorded: $(cat "$STATE_D/idranges")"
	local out
	out=$(member run --rm --userns host m:1 true 2>&1) && fail "a member got the host's ids"
	assert_contains "$out" "spec.userns" "the refusal names the field"
	out=$(ctl run --rm --userns auto --privileged r:1 true 2>&1) && fail "privileged in a user namespace"
	assert_contains "$out" "spec.userns" "privileged: the field"
	out=$(ctl run --rm --userns sideways r:1 true 2>&1) && fail "a bad mode was taken"
	assert_contains "$out" '"sideways": must be auto or host' "a bad mode"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
