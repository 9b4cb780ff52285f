#!/bin/bash
# Named volumes through corralctl: volume create, ls, inspect, rm and
# prune; their names; a member's volumes are its own, count against its
# quota, and its bind volumes are the policy's. Each test cleans up its
# daemon, containers, monitors, mounts and cgroups, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"

start_with_image() {
	start_sv "$@"
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
}

# refused WHAT CMD...: CMD must fail; its output
refused() {
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "$what: was not refused: $out"
	printf '%s' "$out"
}

test_vol_create_ls_inspect_rm() {
	trap cleanup_sv EXIT
	start_sv
	assert_eq "$(ctl volume create data)" data "create prints the name"
	local anon
	anon=$(ctl volume create --label app=web --label tier)
	[[ $anon =~ ^[0-9a-f]{64}$ ]] || fail "a made-up name is 64 hex digits: $anon"
	assert_eq "$(ctl volume ls -q | sort | tr '\n' ' ')" "$(printf "%s\n" "$anon" data | sort | tr "\n" " ")" "ls -q"
	assert_contains "$(ctl volume ls)" "local   data" "ls, a table"
	local j
	j=$(ctl volume inspect data)
	assert_eq "$(jq -r .driver <<<"$j")" local "driver"
	assert_eq "$(jq -r .mountpoint <<<"$j")" "$STATE_D/volumes/data/_data" "mountpoint"
	[ -d "$STATE_D/volumes/data/_data" ] || fail "_data is not there"
	assert_eq "$(jq -r .labels.app "$(ctl volume inspect "$anon" >"$T/a.json"; echo "$T/a.json")")" web "a label"
	assert_eq "$(ctl volume ls -q --filter label=app=web)" "$anon" "filter label=KEY=VALUE"
	assert_eq "$(ctl volume ls -q --filter label=tier)" "$anon" "filter label=KEY"
	assert_eq "$(ctl volume ls -q --filter name=dat)" data "filter name"
	assert_eq "$(ctl volume ls -q --filter dangling=true | wc -l)" 2 "both dangling"
	refused "a bad filter" ctl volume ls --filter colour=red >/dev/null
	assert_contains "$(refused "the same name again" ctl volume create data)" "volume data exists" "VolumeExists"
	ctl volume rm data >/dev/null
	[ ! -e "$STATE_D/volumes/data" ] || fail "data is left on disk"
	assert_contains "$(refused "a volume that is gone" ctl volume inspect data)" "no such volume: data" "NoSuchVolume"
	assert_contains "$(refused "rm twice" ctl volume rm data)" "no such volume" "rm of a gone one"
	# prune takes every unused one, and says what it freed
	ctl volume create p1 >/dev/null
	echo hello >"$STATE_D/volumes/p1/_data/f"
	local out
	out=$(ctl volume prune)
	assert_contains "$out" "p1" "prune names p1"
	assert_contains "$out" "$anon" "prune names the other"
	assert_contains "$out" "Total reclaimed space:" "prune's total"
	assert_eq "$(ctl volume ls -q)" "" "nothing left"
}

test_vol_names_and_options() {
	trap cleanup_sv EXIT
	start_sv
	local n
	for n in ../x a/b . .. -x _x "a b" "$(printf 'a%.0s' $(seq 200))"; do
		refused "the name '$n'" ctl volume create "$n" >/dev/null
	done
	refused "../ in inspect" ctl volume inspect ../state >/dev/null
	refused "../ in rm" ctl volume rm ../volumes >/dev/null
	[ -d "$STATE_D" ] || fail "the state dir went"
	assert_eq "$(ls -A "$STATE_D/volumes" 2>/dev/null)" "" "nothing made"
	ctl volume create a.b_c-9 >/dev/null || fail "a name with . _ -"
	ctl volume create -o type=tmpfs -o o=size=64m tm >/dev/null || fail "a tmpfs volume"
	assert_eq "$(ctl volume inspect tm | jq -r '.options.type + " " + .options.o')" "tmpfs size=64m" "its options"
	refused "an unknown option" ctl volume create -o colour=red x1 >/dev/null
	refused "a bad tmpfs o" ctl volume create -o type=tmpfs -o o=exec,suid=1 x2 >/dev/null
	refused "a relative device" ctl volume create -o type=none -o o=bind -o device=etc x3 >/dev/null
	refused "a device with .." ctl volume create -o type=none -o o=bind -o device=/tmp/../etc x4 >/dev/null
	mkdir "$T/hostdir"
	ctl volume create -o type=none -o o=bind -o device="$T/hostdir" hb >/dev/null || fail "root's bind volume"
	refused "another driver" ctl volume create -d nfs x5 >/dev/null
}

# a member's volumes: its own, in its ids, in its quota, and binds only
# where the policy lets it
test_vol_member_isolation() {
	trap cleanup_sv EXIT
	mkdir -p "$T/allowed" "$T/other"
	cat >"$T/p.json" <<-EOF2
	{"unprivileged": {"max_volumes": 2, "bind_mounts": {"allowed": ["$T/allowed"]}}}
	EOF2
	start_sv_group --policy "$T/p.json"
	mctl 4141 volume create mine >/dev/null || fail "the member's volume"
	assert_eq "$(stat -c %u "$STATE_D/volumes/@4141/mine/_data")" 4141 "its _data is the member's container root's"
	assert_eq "$(mctl 4141 volume inspect mine | jq -r .owner)" 4141 "owner"
	# another member neither sees nor removes it
	assert_eq "$(mctl 4242 volume ls -q)" "" "another member lists none"
	assert_contains "$(refused "another member's inspect" mctl 4242 volume inspect mine)" "no such volume: mine" "inspect"
	refused "another member's rm" mctl 4242 volume rm -f mine >/dev/null
	assert_eq "$(mctl 4242 volume prune | grep -c mine)" 0 "another member's prune"
	[ -d "$STATE_D/volumes/@4141/mine" ] || fail "another member removed it"
	# root sees all: a member's as NAME@UID
	assert_eq "$(ctl volume ls -q)" mine@4141 "root lists it"
	assert_eq "$(ctl volume inspect mine@4141 | jq -r .owner)" 4141 "root inspects it"
	# binds: only under the policy's prefixes
	assert_contains "$(refused "a member's bind of /etc" mctl 4141 volume create -o type=none -o o=bind -o device=/etc etc)" \
		"refused by policy" "a bind of /etc"
	refused "a member's bind outside" mctl 4141 volume create -o type=none -o o=bind -o device="$T/other" o >/dev/null
	mctl 4141 volume create -o type=none -o o=bind -o device="$T/allowed" ok >/dev/null || fail "a bind the policy allows"
	# its device is a path the member controls: root's container does not
	# follow it as root (a symlink put there would lead anywhere)
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	assert_contains "$(refused "root's container on a member's bind volume" ctl run --rm -v ok@4141:/x t:1 true)" \
		"ok@4141 is a bind volume" "root's use of it"
	assert_contains "$(refused "a member's volume of uid 0" mctl 4141 run --rm -v ok@0:/x t:1 true)" \
		"spec.mounts[0].source" "NAME@0"
	# the quota: 2
	assert_contains "$(refused "a third volume" mctl 4141 volume create third)" "max_volumes=2" "the quota"
	mctl 4242 volume create theirs >/dev/null || fail "another member's own count"
	mctl 4141 volume rm mine ok >/dev/null
	assert_eq "$(ctl volume ls -q)" theirs@4242 "what is left"
}

test_vol_data_survives_containers() {
	trap cleanup_sv EXIT
	start_with_image
	# made on first use
	ctl run --rm -v data:/data t:1 sh -c 'echo hello >/data/f' >/dev/null
	assert_eq "$(ctl volume ls -q)" data "made on first use"
	assert_eq "$(ctl run --rm -v data:/data t:1 cat /data/f)" hello "read by the next container"
	assert_eq "$(cat "$STATE_D/volumes/data/_data/f")" hello "in its _data"
	# ro is read-only
	local out rc=0
	out=$(ctl run --rm -v data:/data:ro t:1 sh -c 'echo x >/data/g' 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "a ro volume was written: $out"
	assert_eq "$(ctl run --rm -v data:/data:ro t:1 cat /data/f)" hello "ro reads"
	# an anonymous one: a name of its own, for this container
	ctl create --name an -v /scratch t:1 true >/dev/null
	local anon
	anon=$(ctl volume ls -q --filter dangling=false)
	[[ $anon =~ ^[0-9a-f]{64}$ ]] || fail "an anonymous volume: $anon"
	assert_eq "$(ctl volume inspect "$anon" | jq -r .anonymous)" true "anonymous"
	# in use: rm refused, then with force
	assert_contains "$(refused "rm of a volume in use" ctl volume rm "$anon")" "in use by container an" "refused"
	assert_eq "$(ctl volume prune | grep -c "$anon")" 0 "prune leaves a volume in use"
	# corrald restarted: the container still holds it
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv
	refused "rm after a restart" ctl volume rm "$anon" >/dev/null
	ctl volume rm -f "$anon" >/dev/null || fail "rm -f"
	[ ! -e "$STATE_D/volumes/$anon" ] || fail "rm -f left it"
	ctl rm -f an >/dev/null
	# rm -v: the anonymous volumes go, named ones stay; --rm too
	ctl create --name an2 -v /scratch -v data:/data t:1 true >/dev/null
	anon=$(ctl volume ls -q | grep -v '^data$')
	[ -n "$anon" ] || fail "the second anonymous volume"
	ctl rm an2 >/dev/null
	assert_contains "$(ctl volume ls -q)" "$anon" "rm without -v keeps it"
	ctl volume rm "$anon" >/dev/null
	ctl create --name an3 -v /scratch -v data:/data t:1 true >/dev/null
	ctl rm -v an3 >/dev/null
	assert_eq "$(ctl volume ls -q)" data "rm -v removed the anonymous one only"
	ctl run --rm -v /scratch t:1 true >/dev/null
	assert_eq "$(ctl volume ls -q)" data "run --rm removed its anonymous one"
	# a name that is a path is refused
	refused "a volume named ../x" ctl run --rm -v ../x:/x t:1 true >/dev/null
	refused "a volume named a/b" ctl run --rm -v a/b:/x t:1 true >/dev/null
}

# docker's copy-up: a new (empty) volume gets the image's files at its
# destination, symlinks as symlinks; a volume with files keeps its own
test_vol_copy_up() {
	trap cleanup_sv EXIT
	start_with_image
	assert_eq "$(ctl run --rm -v cu:/data t:1 cat /data/keep)" keep "the image's file, in the volume"
	local d="$STATE_D/volumes/cu/_data"
	assert_eq "$(cat "$d/keep")" keep "on the host"
	assert_eq "$(readlink "$d/abslink")" /etc/layer1 "an absolute symlink copied as one, not followed"
	assert_eq "$(readlink "$d/link")" keep "a relative symlink"
	[ ! -e "$d/gone" ] || fail "a file a later layer removed was copied"
	# no copy into a volume that has something
	ctl run --rm -v cu:/data t:1 sh -c 'rm /data/keep; echo mine >/data/own' >/dev/null
	assert_eq "$(ctl run --rm -v cu:/data t:1 sh -c 'ls /data/keep 2>/dev/null; cat /data/own')" mine "not copied again"
	ctl volume rm -f cu >/dev/null
}

# A volume is filled from the image in a child, never in the loop (an
# image decides how long that takes): a fill held up (here by holding the
# volume's lock, as a fill into it would) holds up no one else; a corrald
# that dies during it leaves no container, and the next one removes its
# half-made directory
test_vol_fill_runs_off_the_loop() {
	local creating
	LOCKER=""
	trap '[ -z "$LOCKER" ] || kill "$LOCKER"; cleanup_sv' EXIT
	start_with_image
	ctl volume create v >/dev/null
	flock --no-fork "$STATE_D/volumes/v/_data" sleep 1000 &
	LOCKER=$!
	wait_for 10 sh -c "! flock -n '$STATE_D/volumes/v/_data' true"
	ctl create --name c1 -v v:/data t:1 true >"$T/out" 2>&1 &
	creating=$!
	wait_for 10 sh -c "ls '$STATE_D'/containers/*/filling"
	ctl ping >/dev/null || fail "corrald answers no more while a fill waits"
	assert_eq "$(ctl run --rm t:1 echo meanwhile)" meanwhile "root's other run meanwhile"
	kill -0 "$creating" 2>/dev/null || fail "the create ended before its fill: $(cat "$T/out")"
	assert_eq "$(ctl ps -a --format '{{.Names}}')" "" "a container known before its fill ended"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait "$creating" && fail "the create of a corrald killed mid-fill answered"
	kill "$LOCKER"
	LOCKER=""
	start_sv
	assert_eq "$(ctl ps -a --format '{{.Names}}')" "" "the half-made container"
	wait_for 10 sh -c "[ -z \"\$(ls '$STATE_D/containers')\" ]"
	# a fill that ends: the image's files, in the volume
	ctl create --name c1 -v v:/data t:1 true >/dev/null || fail "the create again"
	assert_eq "$(cat "$STATE_D/volumes/v/_data/keep")" keep "the image's file, in the volume"
	ctl rm c1 >/dev/null
}

# VolumeInspect's size and VolumePrune's reclaimed bytes: each walks the
# volume's tree in a child, never in the loop (a container may fill a
# volume with millions of files). Here a walk that never ends: a FUSE file
# system in the volume that holds every GETATTR.
test_vol_sizes_are_walked_off_the_loop() {
	local inspecting
	FUSE_PID=""
	trap '[ -z "$FUSE_PID" ] || kill "$FUSE_PID"; umount -l "$STATE_D/volumes/big/_data/held" 2>/dev/null || true; cleanup_sv' EXIT
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	start_with_image
	ctl run --rm -v big:/data t:1 sh -c 'head -c 1048576 /dev/zero >/data/f' || fail "the write"
	assert_eq "$(ctl volume inspect big | jq '.size >= 1048576')" true "its size"
	mkdir "$STATE_D/volumes/big/_data/held"
	FUSE_HOLD=GETATTR python3 "$(dirname "$0")/fuse_hold.py" "$STATE_D/volumes/big/_data/held" "$T/fuse.log" &
	FUSE_PID=$!
	wait_for 10 grep -q "^INIT" "$T/fuse.log"
	ctl volume inspect big >"$T/inspect" 2>&1 &
	inspecting=$!
	wait_for 10 grep -q "^GETATTR" "$T/fuse.log"
	"$CORRALCTL" --socket "$SOCK" --timeout 5 ping >/dev/null || fail "corrald answers no more while a walk waits"
	assert_eq "$(ctl run --rm t:1 echo meanwhile)" meanwhile "root's run meanwhile"
	kill -0 "$inspecting" 2>/dev/null || fail "the inspect ended before its walk: $(cat "$T/inspect")"
	kill "$FUSE_PID" # the walk fails there, and goes on
	FUSE_PID=""
	wait "$inspecting" || fail "the inspect: $(cat "$T/inspect")"
	assert_eq "$(jq '.size >= 1048576' "$T/inspect")" true "its size, once walked"
	umount -l "$STATE_D/volumes/big/_data/held"
	assert_eq "$(ctl --json volume prune | jq -c '[.removed, .reclaimedBytes >= 1048576]')" '[["big"],true]' \
		"prune: what it removed, and the bytes"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$STATE_D/trash')\" ]"
	assert_eq "$(ls -A "$STATE_D/volumes")" "" "nothing left of it"
}

# volume rm while containers are being created with it: never a container
# that holds a volume that is gone, and corrald lives on
test_vol_rm_during_create() {
	trap cleanup_sv EXIT
	start_with_image
	local i
	for i in 1 2 3 4 5; do
		ctl create --name "r$i" -v race:/data t:1 true >/dev/null 2>&1 &
		local cpid=$!
		ctl volume rm race >/dev/null 2>&1 || true
		wait "$cpid" || true
		if ctl inspect "r$i" >/dev/null 2>&1; then
			ctl volume inspect race >/dev/null || fail "container r$i holds a volume that was removed"
		fi
	done
	ctl ping >/dev/null || fail "corrald went"
	for i in 1 2 3 4 5; do ctl rm -f "r$i" >/dev/null 2>&1 || true; done
	ctl volume rm -f race >/dev/null 2>&1 || true
	assert_eq "$(ctl volume ls -q)" "" "nothing left"
}

# a container plants a symlink to /etc in a volume; its removal never
# follows it
test_vol_planted_symlink() {
	trap cleanup_sv EXIT
	start_with_image
	ctl run --rm -v evil:/data t:1 sh -c 'ln -s /etc /data/etc; ln -s /etc/passwd /data/passwd; mkdir /data/d; ln -s /etc /data/d/e' >/dev/null
	local before
	before=$(stat -c %i /etc/passwd)
	ctl volume rm evil >/dev/null
	[ -e /etc/passwd ] && [ "$(stat -c %i /etc/passwd)" = "$before" ] || fail "the host's /etc/passwd was touched"
	[ -d /etc ] || fail "the host's /etc"
	[ ! -e "$STATE_D/volumes/evil" ] || fail "the volume is left"
	# a _data swapped for a symlink is not followed into /etc either
	ctl volume create swap >/dev/null
	rm -rf "$STATE_D/volumes/swap/_data"
	ln -s /etc "$STATE_D/volumes/swap/_data"
	ctl volume rm swap >/dev/null
	[ -e /etc/passwd ] || fail "rm of a swapped _data went into /etc"
}

# A store from before each owner's names were its own kept a member's
# volumes among root's: corrald moves each to its owner's names at start
test_vol_a_store_from_before_per_owner_names() {
	trap cleanup_sv EXIT
	mkdir -p "$T/state/volumes/old/_data"
	echo '{"name":"old","driver":"local","owner":4141,"createdNs":1,"anonymous":false,"labels":{},"options":{}}' \
		>"$T/state/volumes/old/volume.json"
	start_sv_group
	assert_eq "$(mctl 4141 volume ls -q)" old "the member's volume, among its names"
	[ -d "$STATE_D/volumes/@4141/old/_data" ] || fail "not moved"
	assert_eq "$(ctl volume ls -q)" old@4141 "root's view"
	assert_eq "$(mctl 4242 volume ls -q)" "" "another member's view"
}

test_vol_member_mounts() {
	trap cleanup_sv EXIT
	start_sv_group
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	mctl 4141 run --rm -v mine:/data t:1 sh -c 'echo secret >/data/f; id -u; stat -c %u /data' >"$T/o" ||
		fail "a member's volume in its container: $(cat "$T/o")"
	assert_eq "$(cat "$T/o")" "0
0" "its container's root owns it"
	assert_eq "$(stat -c %u "$STATE_D/volumes/@4141/mine/_data/f")" 4141 "on the host, the member's uid"
	assert_eq "$(mctl 4141 run --rm -v mine:/data t:1 cat /data/f)" secret "the member reads it again"
	# another member's mine is its own: made anew (the image's /data in
	# it), the first member's untouched
	assert_eq "$(mctl 4242 run --rm -v mine:/data t:1 sh -c 'test -e /data/f && cat /data/f || echo own')" own \
		"another member's mine"
	assert_eq "$(mctl 4141 run --rm -v mine:/data t:1 cat /data/f)" secret "the first member's, after"
	# root's bind volume is not a member's: its hb is a volume of its own
	mkdir -p "$T/hb"
	echo roots >"$T/hb/f"
	ctl volume create -o type=none -o o=bind -o device="$T/hb" hb >/dev/null
	assert_eq "$(mctl 4141 run --rm -v hb:/x t:1 ls -A /x)" "" "a member's hb is not root's bind"
	assert_eq "$(ctl volume inspect hb@4141 | jq -c .options)" "{}" "a plain volume of the member's"
}

# A member's bind volume mounts as its binds do: its device opened as the
# member and pinned at Create, where it really leads checked against the
# policy. A symlink swapped in after the volume was made leads nowhere
# else, and a directory the member cannot read is refused.
test_vol_member_bind_volume() {
	trap cleanup_sv EXIT
	mkdir -p "$T/allowed/d" "$T/allowed/shut"
	echo from-host >"$T/allowed/d/f"
	chown -R 4141 "$T/allowed/d"
	chmod 700 "$T/allowed/shut"
	chmod 755 "$T" "$T/allowed"
	cat >"$T/p.json" <<-EOF2
	{"unprivileged": {"bind_mounts": {"allowed": ["$T/allowed"]}}}
	EOF2
	start_sv_group --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	mctl 4141 volume create -o type=none -o o=bind -o device="$T/allowed/d" bv >/dev/null
	assert_eq "$(mctl 4141 run --rm -v bv:/data t:1 cat /data/f)" from-host "the member's bind volume, mounted"
	refused "writing through a read-only bind volume" mctl 4141 run --rm -v bv:/data:ro t:1 sh -c 'echo x >/data/g' >/dev/null
	[ ! -e "$T/allowed/d/g" ] || fail "a read-only bind volume was written"
	# the device swapped for a symlink to /etc after the volume was made
	mv "$T/allowed/d" "$T/allowed/d.real"
	ln -s /etc "$T/allowed/d"
	assert_contains "$(refused "a bind volume now leading to /etc" mctl 4141 run --rm -v bv:/data t:1 cat /data/passwd)" \
		"resolves to /etc, outside the allowed prefixes" "the swapped device"
	# one the member cannot read, inside the prefix
	mctl 4141 volume create -o type=none -o o=bind -o device="$T/allowed/shut" sv >/dev/null
	assert_contains "$(refused "a bind volume the member cannot read" mctl 4141 run --rm -v sv:/data t:1 ls /data)" \
		"cannot open" "the unreadable device"
	assert_eq "$(mctl 4141 ps -a -q | wc -l)" 0 "no container left by the refusals"
	assert_eq "$(grep -c " $STATE_D/" /proc/self/mountinfo)" 0 "no pin left mounted"
}

# An image's VOLUMEs are anonymous volumes, as docker and podman make them:
# each with what the image has there, none where the run mounts something
# itself; rm -v (and --rm) takes them, a corrald restart keeps knowing
# them, and a Create that fails leaves none behind.
test_vol_image_volumes() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:vol" v:1 >/dev/null
	ctl run -d --name iv v:1 sleep 1000 >/dev/null
	assert_eq "$(ctl volume ls -q | wc -l)" 2 "one anonymous volume for each of /data and /cache"
	assert_eq "$(ctl exec iv cat /data/keep)" keep "the image's /data, copied up"
	assert_eq "$(ctl exec iv sh -c 'grep -c " /data \| /cache " /proc/self/mounts')" 2 "both are mounts"
	# its own mount at /data: no anonymous volume there
	ctl run -d --name own -v named:/data v:1 sleep 1000 >/dev/null
	assert_eq "$(ctl volume ls -q | grep -vc '^named$')" 3 "only /cache's anonymous volume for the second"
	# a restart of corrald still knows which are iv's
	restart_sv
	ctl rm -f -v iv >/dev/null
	assert_eq "$(ctl volume ls -q | grep -vc '^named$')" 1 "rm -v took iv's two, after a restart"
	ctl rm -f -v own >/dev/null
	assert_eq "$(ctl volume ls -q)" named "the named one stays"
	ctl run --rm v:1 true >/dev/null
	assert_eq "$(ctl volume ls -q)" named "--rm takes them"
	# a Create that fails after its volumes were made leaves none
	# (the image's /etc/passwd is read after its volumes are made)
	ctl create --name bad -v /extra --user nosuchuser v:1 true >/dev/null 2>&1 && fail "a create as a missing user"
	ctl create --name bad2 -v /extra --secret nosuch v:1 true >/dev/null 2>&1 && fail "a create with a missing secret"
	assert_eq "$(ctl volume ls -q)" named "no volume left by the failed creates"
	ctl volume rm named >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep "^test_vol_"); do
	run_test "$t"
done
