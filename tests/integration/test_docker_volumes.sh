#!/bin/bash
# Named volumes through the Docker Engine API, driven by the docker CLI:
# volume create, ls (filters), inspect, rm (-f) and prune; run -v
# NAME:/path, --mount type=volume, anonymous volumes and rm -v; a member's
# volumes are not another member's. Each test runs its own corrald and
# cleans up its containers and volumes, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null



test_dkv_volume_verbs() {
	trap cleanup_sv EXIT
	start_docker
	assert_eq "$(dock volume create --label app=web data)" data "create"
	local anon
	anon=$(dock volume create)
	[[ $anon =~ ^[0-9a-f]{64}$ ]] || fail "a made-up name: $anon"
	assert_eq "$(dock volume ls -q | sort | tr '\n' ' ')" "$(printf "%s\n" "$anon" data | sort | tr "\n" " ")" "ls -q"
	assert_eq "$(dock volume ls -q --filter label=app=web)" data "filter label"
	assert_eq "$(dock volume ls -q --filter name=dat)" data "filter name"
	assert_eq "$(dock volume ls -q --filter dangling=true | wc -l)" 2 "filter dangling"
	assert_eq "$(dock volume inspect -f '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.app}}' data)" "data local local web" "inspect"
	assert_eq "$(dock volume inspect -f '{{.Mountpoint}}' data)" "$STATE_D/volumes/data/_data" "Mountpoint"
	dock volume create -o type=tmpfs -o o=size=16m tm >/dev/null
	assert_eq "$(dock volume inspect -f '{{.Options.type}} {{.Options.o}}' tm)" "tmpfs size=16m" "Options"
	local out
	out=$(dock volume inspect nosuch 2>&1) && fail "inspect of nothing"
	assert_contains "$(tr A-Z a-z <<<"$out")" "no such volume" "a missing volume"
	out=$(dock volume create ../x 2>&1) && fail "a name with ../ was taken"
	dock volume rm data >/dev/null
	assert_eq "$(dock volume prune -f | grep -c "$anon")" 1 "prune removed the other"
	assert_eq "$(dock volume ls -q)" "" "none left"
}

test_dkv_run_with_volumes() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run --rm -v data:/data busybox:latest sh -c 'echo hi >/data/f' >/dev/null
	assert_eq "$(dock run --rm -v data:/data:ro busybox:latest cat /data/f)" hi "read through the same volume"
	local rc=0
	dock run --rm -v data:/data:ro busybox:latest sh -c 'echo x >/data/g' >/dev/null 2>&1 || rc=$?
	[ $rc -ne 0 ] || fail "a ro volume was written"
	assert_eq "$(dock run --rm --mount type=volume,source=data,target=/d busybox:latest cat /d/f)" hi "--mount type=volume"
	# in use: 409, then force
	dock create --name holder -v data:/data busybox:latest true >/dev/null
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S/docker.sock" -X DELETE http://d/v1.41/volumes/data)" \
		409 "rm of a volume in use"
	assert_eq "$(dock volume ls -q --filter dangling=false)" data "in use: not dangling"
	dock rm holder >/dev/null
	# anonymous volumes: docker rm -v takes them, and leaves named ones
	dock create --name anon -v /scratch -v data:/data busybox:latest true >/dev/null
	assert_eq "$(dock volume ls -q | wc -l)" 2 "an anonymous one was made"
	dock rm -v anon >/dev/null
	assert_eq "$(dock volume ls -q)" data "rm -v removed the anonymous one only"
	# Config.Volumes (VOLUME in an image, --volume /path)
	curl -s --unix-socket "$S/docker.sock" -H 'Content-Type: application/json' \
		-d '{"Image":"busybox:latest","Cmd":["true"],"Volumes":{"/cache":{}}}' \
		"http://d/v1.41/containers/create?name=cv" >/dev/null
	assert_eq "$(dock volume ls -q | wc -l)" 2 "Config.Volumes made one"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S/docker.sock" -X DELETE 'http://d/v1.41/containers/cv?v=1')" \
		204 "DELETE ?v=1"
	assert_eq "$(dock volume ls -q)" data "?v=1 removed it"
	dock volume rm -f data >/dev/null
	# --mount's volume-opt and volume-label make a volume that is not there
	# as docker volume create does; one that is there is taken as it is
	assert_eq "$(dock run --rm --mount type=volume,src=tv,dst=/t,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m,volume-label=k=v \
		busybox:latest sh -c 'grep " /t " /proc/mounts | cut -d" " -f3; df -k /t | awk "NR==2 {print \$2}"')" "tmpfs
1024" "a tmpfs volume from --mount's volume-opt"
	assert_eq "$(dock volume inspect -f '{{.Options.type}} {{.Labels.k}}' tv)" "tmpfs v" "its options and label"
	assert_eq "$(dock run --rm --mount type=volume,src=tv,dst=/t,volume-opt=type=none busybox:latest sh -c 'grep " /t " /proc/mounts | cut -d" " -f3')" \
		tmpfs "one that is there keeps its options"
	local out
	out=$(dock run --rm --mount type=volume,src=nv,dst=/n,volume-driver=nfsd busybox:latest true 2>&1) && fail "an unknown volume driver"
	assert_contains "$out" "driver nfsd: only local is known" "the driver named"
	dock volume rm tv >/dev/null
	# a new volume gets what the image has there, unless nocopy
	assert_eq "$(dock run --rm -v filled:/etc busybox:latest sh -c 'test -f /etc/passwd && echo copied')" copied "filled"
	assert_eq "$(dock run --rm -v empty1:/etc:nocopy busybox:latest ls /etc | grep -c passwd)" 0 "-v NAME:DST:nocopy"
	assert_eq "$(dock run --rm --mount type=volume,src=empty2,dst=/etc,volume-nocopy busybox:latest ls /etc | grep -c passwd)" 0 \
		"--mount volume-nocopy"
	assert_eq "$(ctl run --rm -v empty3:/etc:ro,nocopy busybox:latest ls /etc | grep -c passwd)" 0 "corralctl's -v NAME:DST:nocopy"
	dock volume rm filled empty1 empty2 empty3 >/dev/null
}

test_dkv_members() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	import_busybox
	dockm 4141 volume create mine >/dev/null || fail "a member's volume"
	assert_eq "$(dockm 4242 volume ls -q)" "" "another member lists none"
	local out
	out=$(dockm 4242 volume inspect mine 2>&1) && fail "another member inspected it"
	assert_contains "$(tr A-Z a-z <<<"$out")" "no such volume" "inspect"
	out=$(dockm 4242 volume rm -f mine 2>&1) && fail "another member removed it"
	dockm 4141 run --rm -v mine:/data busybox:latest sh -c 'echo a >/data/f' || fail "the first member's write"
	# the name is each member's own: the other makes its own mine (201,
	# where a name another member held answered 404), and neither learns
	# of the other's
	assert_eq "$(as_uid 4242 curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S/docker.sock" \
		-H 'Content-Type: application/json' -d '{"Name":"mine"}' http://d/v1.41/volumes/create)" 201 \
		"another member's create of the same name"
	assert_eq "$(dockm 4242 volume ls -q)" mine "it lists its own"
	assert_eq "$(dockm 4242 run --rm -v mine:/data busybox:latest sh -c 'test -e /data/f && cat /data/f || echo own')" own \
		"its own mine, made anew"
	assert_eq "$(dockm 4141 run --rm -v mine:/data busybox:latest cat /data/f)" a "the first member's is untouched"
	assert_eq "$(dock volume ls -q | sort | tr '\n' ' ')" "mine@4141 mine@4242 " "root sees both, NAME@UID"
	assert_eq "$(dock volume inspect -f '{{.Mountpoint}}' mine@4242)" "$STATE_D/volumes/@4242/mine/_data" "root's inspect"
	dockm 4242 volume rm mine >/dev/null || fail "the member removes its own"
	assert_eq "$(dock volume ls -q)" mine@4141 "the other member's stays"
	out=$(dockm 4141 volume create -o type=none -o o=bind -o device=/etc etc 2>&1) && fail "a member's bind of /etc"
	assert_contains "$out" "policy" "refused by the policy"
}

# a volume is its owner's, whoever mounts it: root's --volumes-from of a
# member's container mounts the member's volumes (not root's of the same
# names), root names one as NAME@UID, a member only its own, and the
# owner cannot remove it from under root's container
test_dkv_volumes_from_across_owners() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	import_busybox
	local t0
	t0=$(date +%s)
	dockm 4141 run --name m1 -v mine:/data -v /anon busybox:latest \
		sh -c 'echo member >/data/f && echo anon >/anon/g' || fail "the member's container"
	dock volume create mine >/dev/null || fail "root's own mine"
	dock run --rm -v mine:/data busybox:latest sh -c 'echo root >/data/f' || fail "root's write"
	assert_eq "$(dock run --rm --volumes-from m1@4141 busybox:latest cat /data/f /anon/g | tr '\n' ' ')" "member anon " \
		"root's --volumes-from mounts the member's volumes"
	assert_eq "$(dock run --rm -v mine@4141:/x:ro busybox:latest cat /x/f)" member "root names it NAME@UID"
	assert_eq "$(dock run --rm -v mine:/x busybox:latest cat /x/f)" root "root's own mine is untouched"
	local out
	out=$(dock run --rm -v nope@4141:/x busybox:latest true 2>&1) && fail "root made a member's volume"
	assert_contains "$out" "no such volume: nope@4141" "a member's volume that is not there"
	assert_eq "$(dockm 4141 volume ls -q | sort | tr '\n' ' ' | sed 's/[0-9a-f]\{64\}/ANON/')" "ANON mine " \
		"nothing was made among the member's"
	out=$(dockm 4242 run --rm -v mine@4141:/x busybox:latest true 2>&1) && fail "another member named it"
	assert_contains "$out" "no such volume: mine@4141" "another member's NAME@UID"
	assert_eq "$(dockm 4141 run --rm -v mine@4141:/x busybox:latest cat /x/f)" member "a member names its own so"
	# each is shown the name it reaches the volume by: root's bare mine is
	# root's own, so root is shown the member's as mine@4141
	local shown name
	shown=$(dock inspect -f '{{range .Mounts}}{{.Name}} {{end}}' m1@4141)
	assert_eq "$(tr ' ' '\n' <<<"$shown" | sed 's/[0-9a-f]\{64\}/ANON/' | sort | tr '\n' ' ')" " ANON@4141 mine@4141 " \
		"root's docker inspect of the member's container"
	assert_eq "$(dock ps -a --no-trunc --filter name=m1 --format '{{.Mounts}}' | tr , '\n' | sed 's/[0-9a-f]\{64\}/ANON/' | sort |
		tr '\n' ' ')" "ANON@4141 mine@4141 " "root's docker ps"
	assert_eq "$(ctl inspect m1@4141 | jq -r '[.[0].Mounts[].Name] | sort | join(" ")' | sed 's/[0-9a-f]\{64\}/ANON/')" \
		"ANON@4141 mine@4141" "root's corralctl inspect"
	assert_eq "$(dockm 4141 inspect -f '{{range .Mounts}}{{.Name}} {{end}}' m1 | tr ' ' '\n' |
		sed 's/[0-9a-f]\{64\}/ANON/' | sort | tr '\n' ' ')" " ANON mine " "the member's own docker inspect"
	for name in $shown; do
		assert_eq "$(dock volume inspect -f '{{.Mountpoint}}' "$name")" "$STATE_D/volumes/@4141/${name%@4141}/_data" \
			"the name root is shown reaches the member's volume"
	done
	# root's container holds it: the member cannot remove it, and a
	# restarted corrald still knows whose it is
	dock create --name r1 -v mine@4141:/x busybox:latest cat /x/f >/dev/null || fail "root's create"
	assert_contains "$(dock ps -a -s --format '{{.Names}} {{.Size}}')" "r1 0B" "docker ps -s: its writable layer, walked"
	out=$(dockm 4141 volume rm mine 2>&1) && fail "the member removed a volume root's container holds"
	assert_contains "$(tr A-Z a-z <<<"$out")" "in use" "the member's rm"
	restart_sv --group "$(getent group 65534 | cut -d: -f1)" --docker-socket "$S/docker.sock" --docker-user 65533:65533
	assert_eq "$(ctl inspect r1 | jq -r '.[0].volumes[0] | "\(.name) \(.owner) \(.mountpoint)"')" \
		"mine 4141 $STATE_D/volumes/@4141/mine/_data" "the record keeps the owner"
	assert_eq "$(dock start -a r1)" member "root's container after a restart"
	dock rm r1 >/dev/null
	dockm 4141 rm -v m1 >/dev/null
	# its events too: root is shown the member's volume as mine@4141, the
	# member as mine; a removed volume is "destroy"ed, as dockerd says
	vol_events() { "$@" events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=volume \
		--format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}' | sed 's/[0-9a-f]\{64\}/ANON/' | sort -u | tr '\n' ,; }
	assert_eq "$(vol_events dock)" "create ANON@4141 local,create mine local,create mine@4141 local,destroy ANON@4141 local," \
		"root's docker events"
	assert_eq "$(vol_events dockm 4141)" "create ANON local,create mine local,destroy ANON local," "the member's docker events"
	assert_contains "$(ctl events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=volume)" \
		" volume create mine@4141 mine@4141 owner=4141" "root's corralctl events"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_dkv_"); do
	run_test "$t"
done
