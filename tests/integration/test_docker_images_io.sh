#!/bin/bash
# The Docker API's images as archives (docker save and load, through
# corrald's ImageSave and ImageLoad without a path: the archive streams,
# and corral-images reads it with the limits a file has), a container's
# terminal resize, and network prune; driven by the docker CLI and
# python3-docker. Each test runs its own corrald, and cleans up what it
# made, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

command -v docker >/dev/null || { echo "SKIP test_docker_images_io.sh: no docker CLI"; exit 0; }

api() { curl -s --unix-socket "$S/docker.sock" "$@"; }
# nothing of a load left in the store's work area
no_staging_debris() {
	assert_eq "$(ls -A "$STATE_D/images/staging" 2>/dev/null)" "" "staging left"
}

# save | load, save -o and load -i: the same image comes back, by ID (the
# config's digest, as Docker keeps it); its manifest is the archive's own
# (uncompressed layers), the same at each round; and the SDK's
# get().save() and images.load()
test_dkio_save_load_round_trip() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local id digest out
	id=$(dock image inspect -f '{{.Id}}' busybox)
	dock save -o "$T/o.tar" busybox || fail "save -o"
	tar -tf "$T/o.tar" | grep -qx manifest.json || fail "save -o wrote no docker-archive: $(tar -tf "$T/o.tar" | head)"
	dock rmi busybox >/dev/null
	assert_eq "$(dock images -q | wc -l)" 0 "removed"
	out=$(dock load -i "$T/o.tar")
	assert_eq "$out" "Loaded image: localhost/busybox:latest" "load -i says what it loaded"
	assert_eq "$(dock image inspect -f '{{.Id}}' busybox)" "$id" "the same ID"
	digest=$(ctl image inspect busybox | jq -r '.[0].manifestDigest')
	dock rmi busybox >/dev/null
	dock save busybox:latest 2>/dev/null | dock load >/dev/null 2>&1 && fail "saved an image that is gone"
	out=$(dock load <"$T/o.tar")
	assert_contains "$out" "Loaded image: localhost/busybox:latest" "load from stdin"
	out=$(dock save busybox | dock load -q)
	assert_eq "$out" "Loaded image: localhost/busybox:latest" "save | load"
	assert_eq "$(dock image inspect -f '{{.Id}}' busybox)" "$id" "the same ID after save | load"
	assert_eq "$(ctl image inspect busybox | jq -r '.[0].manifestDigest')" "$digest" "the same manifest digest"
	out=$(python3 - "$S/docker.sock" <<-'EOF'
	import sys, docker
	c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="auto")
	data = b"".join(c.images.get("busybox:latest").save(named=True))
	c.images.remove("busybox:latest")
	print([i.id for i in c.images.load(data)])
	EOF
	)
	assert_eq "$out" "['$id']" "the SDK's save and load"
	out=$(api "http://d/v1.41/images/get?names=busybox&names=nosuch" | jq -r .message)
	assert_eq "$out" "No such image: nosuch" "of two names, the one missing is named"
	out=$(dock save -o "$T/n.tar" nosuch:1 2>&1) && fail "saved an image that does not exist"
	assert_contains "$out" "No such image" "save of a missing image"
	no_staging_debris
}

# docker save a b: one docker-archive of both, as Docker writes it: one
# manifest.json entry per distinct image with every name it was asked by,
# each shared layer once; docker load brings both back, by the same IDs
# and names; corralctl save takes several too
test_dkio_save_several_images() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctl image import "oci:$IMGS/oci:user" other:1 >/dev/null
	dock tag busybox busybox:two
	local ida idb out
	ida=$(dock image inspect -f '{{.Id}}' busybox)
	idb=$(dock image inspect -f '{{.Id}}' other:1)
	[ "$ida" != "$idb" ] || fail "the fixtures are one image"
	# the same image twice and by two tags: one entry
	dock save busybox other:1 busybox:two busybox -o "$T/two.tar" || fail "save of several"
	mkdir "$T/x" && tar -C "$T/x" -xf "$T/two.tar"
	local m="$T/x/manifest.json"
	assert_eq "$(jq length "$m")" 2 "two entries"
	assert_eq "$(jq -r '.[0].RepoTags | join(" ")' "$m")" "localhost/busybox:latest localhost/busybox:two" \
		"the first image's names"
	assert_eq "$(jq -r '.[1].RepoTags | join(" ")' "$m")" "localhost/other:1" "the second image's"
	assert_eq "$(jq -r '.[0].Config' "$m")" "${ida#sha256:}.json" "the first one's config"
	assert_eq "$(jq -r '.[1].Config' "$m")" "${idb#sha256:}.json" "the second one's config"
	[ "$(jq -r '.[].Layers[]' "$m" | sort | uniq -d | wc -l)" -ge 1 ] || fail "the fixtures share no layer"
	assert_eq "$(tar -tf "$T/two.tar" | sort | uniq -d)" "" "each file once"
	assert_eq "$(tar -tf "$T/two.tar" | grep -c '\.tar$')" "$(jq -r '.[].Layers[]' "$m" | sort -u | wc -l)" \
		"each layer once"
	dock rmi busybox busybox:two other:1 >/dev/null
	assert_eq "$(dock images -q | wc -l)" 0 "removed"
	out=$(dock load -i "$T/two.tar")
	assert_eq "$out" "$(printf 'Loaded image: localhost/busybox:latest\nLoaded image: localhost/busybox:two\nLoaded image: localhost/other:1')" \
		"load says all it loaded"
	assert_eq "$(dock image inspect -f '{{.Id}}' busybox:two)" "$ida" "the first, by its ID"
	assert_eq "$(dock image inspect -f '{{.Id}}' other:1)" "$idb" "the second, by its ID"
	assert_eq "$(dock images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" \
		"localhost/busybox:latest localhost/busybox:two localhost/other:1 " "every name back"
	ctl image save -o "$T/ctl.tar" busybox:two "${idb#sha256:}" || fail "corralctl save of several"
	out=$(tar -xOf "$T/ctl.tar" manifest.json)
	assert_eq "$(jq -c '[.[].RepoTags]' <<<"$out")" '[["localhost/busybox:two"],[]]' "by name, and by ID without"
	# corrald's ImageLoad of a file: every image, each in its reply
	dock rmi busybox busybox:two other:1 >/dev/null
	ctl image load -i "$T/two.tar" >/dev/null || fail "corralctl load of several"
	out=$(ctl call ImageLoad "{\"path\": \"$T/two.tar\"}")
	assert_eq "$(jq -r '[.images[].id] | join(" ")' <<<"$out")" "$ida $idb" "both images in the reply"
	assert_eq "$(jq -r '.loaded | length' <<<"$out")" 3 "every name loaded"
	out=$(ctl image save --format oci-archive -o "$T/oci.tar" busybox other:1 2>&1) && fail "an oci-archive of two"
	assert_contains "$out" "one image" "an oci-archive holds one"
	no_staging_debris
}

# A hostile archive (a layer whose digest lies) and a body that is no
# archive: refused with one line, nothing listed, nothing left behind
test_dkio_hostile_load_refused() {
	trap cleanup_sv EXIT
	start_docker
	mkdir -p "$T/host"
	python3 "$ROOTDIR/tests/fixtures/hostile/mkoci.py" digest "$T/src"
	tar -C "$T/src" -cf "$T/bad.tar" .
	local out
	out=$(dock load -i "$T/bad.tar" 2>&1) && fail "a hostile archive loaded: $out"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line [$out]"
	assert_contains "$out" "digest" "it says what was wrong"
	head -c 100000 /dev/urandom >"$T/junk"
	out=$(dock load -i "$T/junk" 2>&1) && fail "junk loaded: $out"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line for junk [$out]"
	assert_eq "$(dock images -q | wc -l)" 0 "nothing listed"
	assert_eq "$(ls -A "$STATE_D/images/layers")" "" "no layer left"
	no_staging_debris
	pgrep -P "$CORRALD_PID" -x corral-copy && fail "a corral-copy outlived its load"
	out=$(ctl call ImageLoad '{}' 2>&1) && fail "a load of nothing: $out"
	assert_contains "$out" "upgrade" "without a path the call must stream"
	return 0
}

# A member saves only what it sees, and loads into its own ownership
test_dkio_members_save_and_load_their_own() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	member_import 4242 m:1
	local out
	out=$(dockm 4343 save m:1 2>&1 >/dev/null) && fail "4343 saved 4242's image"
	assert_contains "$out" "No such image" "4343's save"
	dockm 4242 save m:1 >"$T/m.tar" || fail "4242 could not save its own"
	out=$(dockm 4343 load -i /dev/stdin <"$T/m.tar")
	assert_eq "$out" "Loaded image: localhost/m:1" "4343 loaded the archive"
	assert_eq "$(dockm 4343 images --format '{{.Repository}}:{{.Tag}}')" "localhost/m:1" "as its own name"
	assert_eq "$(ctl image list --format json | jq -r '.[].names[]' | sort | tr '\n' ' ')" \
		"~4242/localhost/m:1 ~4343/localhost/m:1 " "each member's name, neither root's"
	dockm 4242 rmi m:1 >/dev/null
	assert_eq "$(dockm 4343 images -q | wc -l)" 1 "4343's stays"
}

# Of several images, one the member cannot see refuses the whole save,
# naming it, and nothing is written: through docker save and corralctl
test_dkio_member_save_several_refused() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	member_import 4242 m:1
	member_import 4343 own:1
	mkdir "$T/o" && chown 4343 "$T/o"
	local out
	out=$(dockm 4343 save own:1 m:1 -o "$T/o/both.tar" 2>&1) && fail "4343 saved 4242's image among its own"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line [$out]"
	assert_contains "$out" "No such image: m:1" "the refused one named"
	[ -e "$T/o/both.tar" ] && fail "an archive was written"
	out=$(mctl 4343 image save -o "$T/o/ctl.tar" own:1 m:1 2>&1) && fail "corralctl saved 4242's image for 4343"
	assert_contains "$out" "m:1" "corralctl names the refused one"
	[ -e "$T/o/ctl.tar" ] && fail "corralctl left an archive"
	dockm 4343 save own:1 -o "$T/o/own.tar" || fail "4343 could not save its own"
	assert_eq "$(tar -xOf "$T/o/own.tar" manifest.json | jq -r '.[].RepoTags[]')" "localhost/own:1" "its own, saved"
}

# resize: the container's terminal takes the size; 404, 409 and a
# terminal-less container as Docker answers them
test_dkio_container_resize() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d -t --name t busybox sleep 1000 >/dev/null
	dock run -d --name n busybox sleep 1000 >/dev/null
	dock create --name c busybox true >/dev/null
	local code
	code=$(api -o /dev/null -w '%{http_code}' -X POST "http://d/v1.41/containers/t/resize?h=41&w=101")
	assert_eq "$code" 200 "resize answered"
	wait_for 10 sh -c "DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker exec t stty size -F /proc/1/fd/0 2>/dev/null | grep -qx '41 101'" ||
		fail "the terminal's size: $(dock exec t stty size -F /proc/1/fd/0 2>&1)"
	assert_eq "$(api -o /dev/null -w '%{http_code}' -X POST "http://d/v1.41/containers/n/resize?h=41&w=101")" 200 \
		"no terminal: nothing to do"
	assert_eq "$(api -o /dev/null -w '%{http_code}' -X POST "http://d/v1.41/containers/c/resize?h=4&w=4")" 409 "not running"
	assert_eq "$(api -o /dev/null -w '%{http_code}' -X POST "http://d/v1.41/containers/nosuch/resize?h=4&w=4")" 404 "unknown"
	assert_eq "$(api -o /dev/null -w '%{http_code}' -X POST "http://d/v1.41/containers/t/resize?h=x&w=4")" 400 "no number"
	dock rm -f t n c >/dev/null
}

# prune removes the networks no container names, keeps those one does and
# the default; label=K matches none of corral's (they have no labels). Each
# prune's report is Docker's: null where nothing went (its empty Go slice),
# and a network prune's has no SpaceReclaimed.
test_dkio_network_prune() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local kind key want
	for kind in containers:ContainersDeleted images:ImagesDeleted volumes:VolumesDeleted build:CachesDeleted; do
		key=${kind#*:} want="{\"$key\":null,\"SpaceReclaimed\":0}"
		assert_eq "$(api -X POST "http://d/v1.41/${kind%%:*}/prune")" "$want" "${kind%%:*} prune, none to prune"
	done
	assert_eq "$(api -X POST http://d/v1.41/networks/prune)" '{"NetworksDeleted":null}' "networks prune, none"
	local gone
	gone=$(dock create busybox true) || fail "create"
	assert_eq "$(api -X POST http://d/v1.41/containers/prune)" "{\"ContainersDeleted\":[\"$gone\"],\"SpaceReclaimed\":0}" \
		"containers prune lists the one it removed"
	dock network create idle >/dev/null
	dock network create used >/dev/null
	dock create --name u --network used busybox true >/dev/null
	assert_eq "$(dock network prune -f --filter label=x)" "" "label=x prunes none"
	local out
	out=$(dock network prune -f)
	assert_contains "$out" "idle" "the unused network pruned"
	assert_not_contains "$out" "used" "the used one kept"
	assert_eq "$(dock network ls --format '{{.Name}}' | sort | tr '\n' ' ')" "corral host none used " "what is left"
	# a container's one network is its spec's: disconnect says so, in one line
	out=$(dock network disconnect used u 2>&1) && fail "disconnected: $out"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line [$out]"
	assert_contains "$out" "NetworkMode none" "it says what to do instead"
	out=$(dock network disconnect used nosuch 2>&1) && fail "disconnected nothing: $out"
	assert_contains "$out" "No such container" "an unknown container"
	dock rm u >/dev/null
	dock network rm used >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
