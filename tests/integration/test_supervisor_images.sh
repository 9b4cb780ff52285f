#!/bin/bash
# time: 16 cases, each with a corrald of its own that imports, saves or pulls images
# corrald's image methods on the store in its state dir, and containers run
# from imported images; network none and loopback. Each test cleans up its
# daemon, monitors, containers, mounts and cgroups, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"

n_images() { ctl --json image ls | jq length; }
n_layers() { find "$STATE_D/images/layers" -mindepth 1 -maxdepth 1 | wc -l; }

test_svi_import_then_run_prints_output_and_exit_code() {
	trap cleanup_sv EXIT
	start_sv
	local id
	id=$(ctl --json image import "oci:$IMGS/oci:test" web:1 | jq -r '.[0].id')
	case "$id" in sha256:????????????????????????????????????????????????????????????????) ;;
	*) fail "import reply id: $id" ;; esac
	assert_eq "$(ctl --json image ls | jq -r '.[0].names[0]')" "localhost/web:1" "image ls names, under localhost/ as podman's"
	local size
	size=$(ctl --json image inspect web:1 | jq '.[0].size')
	[ "$size" -gt 100000 ] || fail "image size $size: expected the unpacked busybox"
	assert_eq "$(ctl --json image inspect "${id:7:12}" | jq -r '.[0].id')" "$id" "inspect by ID prefix"
	local out rc=0
	out=$(ctl run web:1 sh -c 'echo from the image; exit 5' 2>"$T/err") || rc=$?
	assert_eq "$out" "from the image" "run output"
	assert_eq "$rc" 5 "run exit code"
	assert_eq "$(ctl info | awk '$1 == "images" {print $2}')" 1 "GetInfo images"
	ctl metrics >"$T/m"
	grep -qx 'corral_images 1' "$T/m" || fail "metrics: no corral_images 1"
	local bytes
	bytes=$(awk '$1 == "corral_store_bytes" {print $2}' "$T/m")
	[ "$bytes" -gt "$size" ] || fail "corral_store_bytes $bytes: expected more than the image ($size)"
	timeout 2 "$CORRALCTL" --socket "$SOCK" --json events --since 0 >"$T/ev" || true
	assert_eq "$(jq -r 'select(.type == "image") | .action' "$T/ev")" import "image import event"
	out=$(ctl image inspect nosuch 2>&1) && fail "inspect of a missing image succeeded"
	assert_contains "$out" "no such image: nosuch" "missing image error"
}

test_svi_import_every_source_kind() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "$IMGS/oci" >/dev/null                       # layout, auto
	ctl image import "oci-archive:$IMGS/test.oci.tar" tar:1 >/dev/null
	ctl image import "docker-archive:$IMGS/docker-legacy.tar" >/dev/null
	ctl image import --format docker "$IMGS/docker-moby25.tar" moby:1 >/dev/null
	ctl image import "oci:$IMGS/oci:user" user:1 >/dev/null
	ctl --json image ls >"$T/ls"
	local names
	names=$(jq -r '[.[].names[]] | sort | join(" ")' "$T/ls")
	assert_contains "$names" "localhost/tar:1" "oci-archive name"
	assert_contains "$names" "localhost/moby:1" "docker-archive (moby 25) name"
	assert_contains "$names" "localhost/user:1" "oci:PATH:REF name"
	assert_contains "$names" "corral.test/fixture:legacy" "docker-archive's own RepoTags"
	assert_eq "$(ctl run user:1 id -un)" app "image User from oci:PATH:REF"
	local out
	out=$(ctl call ImageImport '{"path":"relative/dir"}' 2>&1) && fail "relative path accepted"
	assert_contains "$out" "absolute" "relative path refused"
	out=$(ctl image import "$T/missing.tar" 2>&1) && fail "missing file accepted"
	assert_contains "$out" "missing.tar" "the error names the source"
	printf 'not a tar' >"$T/bad.tar"
	out=$(ctl call ImageImport "{\"path\":\"docker-archive:$T/bad.tar\"}" 2>&1) && fail "garbage accepted"
	assert_contains "$out" "InvalidParameter" "a bad archive is the caller's error"
	assert_eq "$(jq length "$T/ls")" "$(n_images)" "a failed import adds nothing"
}

# A store with no room is corrald's trouble, not the caller's: corral-images
# says so in its exit status, and the reason is its last line as ever.
test_svi_full_store_is_corralds_error() {
	trap cleanup_sv EXIT # it unmounts the tmpfs too
	mkdir -p "$T/state"
	mount -t tmpfs -o size=16m tmpfs "$T/state" || fail "tmpfs"
	start_sv
	dd if=/dev/zero of="$T/state/fill" bs=64k 2>/dev/null || true # it stops once the store is full
	local out
	out=$(ctl call ImageImport "{\"path\":\"oci:$IMGS/oci:test\"}" 2>&1) && fail "imported into a full store"
	assert_contains "$out" "InternalError" "a full store is corrald's error"
	assert_contains "$out" "No space left on device" "the reason"
	rm -f "$T/state/fill"
	ctl image import "oci:$IMGS/oci:test" >/dev/null || fail "import once there is room"
}

# An error that quotes the image, cut short (a media type's first 100
# bytes, here inside an "é"), reaches the client whole: what is not UTF-8
# in it is U+FFFD. It was "reply: invalid JSON: not UTF-8".
test_svi_an_error_quoting_the_image_is_read() {
	trap cleanup_sv EXIT
	start_sv
	cp -a "$IMGS/oci" "$T/oci"
	python3 - "$T/oci/index.json" <<-'PY'
	import json, sys
	p = sys.argv[1]; j = json.load(open(p))
	j["manifests"][0]["mediaType"] = "a" + "\u00e9" * 60
	json.dump(j, open(p, "w"), ensure_ascii=False)
	PY
	local out
	out=$(ctl image import "oci:$T/oci:test" x:1 2>&1) && fail "imported"
	local e49 i
	for i in $(seq 49); do e49+=$'\xc3\xa9'; done
	assert_eq "$out" "corralctl: ImageImport: path: index.json: manifests[0]: wrong media type \"a$e49"$'\xef\xbf\xbd'"\" for a manifest" \
		"the error, its cut character U+FFFD"
	assert_eq "$(ctl ping)" "ok" "corrald goes on"
}

# One image is one entry: imported from an OCI layout, an oci-archive and
# two docker-archives, it is listed once with every name, its ID and a
# unique prefix of it name it, and removing it by ID takes every name.
test_svi_one_image_per_config() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" oci:1 >/dev/null
	ctl image import "oci-archive:$IMGS/test.oci.tar" tar:1 >/dev/null
	ctl image import "docker-archive:$IMGS/docker-legacy.tar" >/dev/null
	ctl image import --format docker "$IMGS/docker-moby25.tar" moby:1 >/dev/null
	ctl call ImageList '{}' >"$T/ls"
	assert_eq "$(jq '.images | length' "$T/ls")" 1 "one entry"
	assert_eq "$(jq -r '.images[0].names | sort | join(" ")' "$T/ls")" \
		"corral.test/fixture:legacy localhost/moby:1 localhost/oci:1 localhost/tar:1" "with all its names"
	local id
	id=$(jq -r '.images[0].id' "$T/ls")
	assert_eq "$(ctl call ImageInspect "{\"image\":\"$id\"}" | jq -r .image.id)" "$id" "inspect by ID"
	assert_eq "$(ctl call ImageInspect "{\"image\":\"${id:7:12}\"}" | jq -r .image.id)" "$id" "inspect by an ID prefix"
	assert_eq "$(ctl run "${id:7:12}" echo by-prefix)" by-prefix "run by an ID prefix"
	# a store written before one image per config (a second manifest of
	# the same config, with a name of its own) is one image as it loads
	local refs="$STATE_D/images/refs.json" other=sha256:$(printf '%064d' 7)
	jq --arg m "$other" --arg c "$id" '.images[$m] = {config: $c, created: 1} | .refs["old:1"] = $m' "$refs" \
		>"$refs.tmp" && mv "$refs.tmp" "$refs"
	ctl call ImageList '{}' >"$T/ls"
	assert_eq "$(jq '.images | length' "$T/ls")" 1 "an old store's two manifests: one entry"
	assert_contains "$(jq -r '.images[0].names | join(" ")' "$T/ls")" localhost/old:1 "the old name is the image's, under localhost/"
	ctl rm -f "$(ctl call List '{"all":true}' | jq -r '.containers[0].id')" >/dev/null
	ctl call ImageRemove "{\"image\":\"$id\"}" >/dev/null
	assert_eq "$(ctl call ImageList '{}' | jq '.images | length')" 0 "removed by ID with every name"
}

test_svi_rm_in_use_refused_then_prune_reclaims() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	# another image: the same one from a docker-archive would be app:1 again
	ctl image import "oci:$IMGS/oci:user" spare:1 >/dev/null
	ctl create --name c1 app:1 true >/dev/null
	local out rc=0
	out=$(ctl image rm app:1 2>&1) || rc=$?
	assert_eq "$rc" 125 "rm of an image in use fails"
	assert_contains "$out" "used by container c1" "the refusal names the container"
	ctl call ImageRemove '{"image":"app:1"}' >"$T/err.json" 2>&1 && fail "ImageRemove succeeded"
	assert_contains "$(cat "$T/err.json")" "io.corral.Supervisor.InvalidState" "InvalidState error"
	assert_eq "$(ctl --json image inspect app:1 | jq -r '.[0].names[0]')" localhost/app:1 "still there"
	# prune -a keeps the used image, takes the other
	local spare
	spare=$(ctl --json image inspect spare:1 | jq -r '.[0].manifestDigest')
	ctl --json image prune -a >"$T/prune"
	assert_eq "$(n_images)" 1 "prune -a kept only the image in use"
	[ ! -e "$STATE_D/images/blobs/sha256/${spare#sha256:}" ] || fail "prune left the spare manifest"
	ctl rm c1 >/dev/null
	ctl image rm app:1 >/dev/null
	assert_eq "$(n_images)" 0 "rm once unused"
	[ "$(n_layers)" -gt 0 ] || fail "layers went before prune"
	ctl --json image prune >"$T/prune"
	assert_eq "$(n_layers)" 0 "prune collected every layer"
	[ "$(jq .reclaimedBytes "$T/prune")" -gt 100000 ] || fail "reclaimedBytes: $(jq .reclaimedBytes "$T/prune")"
	timeout 2 "$CORRALCTL" --socket "$SOCK" --json events --since 0 >"$T/ev" || true
	assert_eq "$(jq -s 'map(select(.type == "image" and .action == "remove" and .name == "localhost/app:1")) | length' \
		"$T/ev")" 1 "image remove event"
}

test_svi_forced_rm_keeps_layers_held_by_container() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	ctl run -d --name busy app:1 sleep 1000 >/dev/null
	ctl image rm -f app:1 >/dev/null
	assert_eq "$(n_images)" 0 "forced rm removed the image"
	ctl image prune -a >/dev/null
	[ "$(n_layers)" -gt 0 ] || fail "prune took the layers of a running container"
	assert_eq "$(ctl exec busy hostname)" busy "the container still runs from its rootfs"
	ctl rm -f busy >/dev/null
	ctl image prune >/dev/null
	assert_eq "$(n_layers)" 0 "layers collected once the container went"
	# a container that was only created holds its image too, against the
	# CLI's gc as well; a label cannot pose as that hold
	ctl image import "oci:$IMGS/oci:test" app:2 >/dev/null
	local idle
	idle=$(ctl create --name idle -l io.corral.image.manifest=sha256:0000 app:2 true)
	assert_eq "$(jq -r '.annotations["io.corral.image.manifest"]' "$STATE_D/containers/$idle/config.json")" \
		"$(ctl --json image inspect app:2 | jq -r '.[0].manifestDigest')" "the hold names the image, not the label"
	ctl image rm -f app:2 >/dev/null
	"$CORRAL" image --store "$STATE_D" gc >/dev/null
	[ "$(n_layers)" -gt 0 ] || fail "corral image gc took the layers of a created container"
	assert_eq "$(ctl start idle >/dev/null && ctl wait idle)" 0 "the created container starts after the prune"
	ctl rm idle >/dev/null
	"$CORRAL" image --store "$STATE_D" gc >/dev/null
	assert_eq "$(n_layers)" 0 "collected once it was removed"
}

# spare container directories: made ahead, taken by Create, made again
# while a Start waits, cleared at shutdown; leftovers of a dead daemon go
test_svi_create_takes_a_spare_directory() {
	trap cleanup_sv EXIT
	mkdir -p "$T/state/spare/s0/rootfs"
	echo junk >"$T/state/spare/s0/rootfs/stale"
	echo junk >"$T/state/spare/leftover"
	start_sv
	spares() { find "$STATE_D/spare" -mindepth 1 -maxdepth 1 | sort | xargs -r -n1 basename | tr '\n' ' '; }
	assert_eq "$(spares)" "s0 s1 " "two spares at startup, the leftovers gone"
	assert_eq "$(cd "$STATE_D/spare/s1" && find . -mindepth 1 -printf '%y%m:%P ' | tr ' ' '\n' | sort | tr '\n' ' ')" \
		"d755:rootfs d755:upper d755:work f600:record.json.tmp.premade f640:ctr.log f644:config.json.tmp.premade " \
		"each spare holds the directories and empty files a container starts with"
	local ino files id
	ino=$(stat -c %i "$STATE_D/spare/s0")
	files=$(cd "$STATE_D/spare/s0" && stat -c %i config.json.tmp.premade record.json.tmp.premade ctr.log)
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	id=$(ctl create app:1 sh -c 'echo from the overlay >/made; cat /made')
	assert_eq "$(stat -c %i "$STATE_D/containers/$id")" "$ino" "Create renamed the first spare into place"
	assert_eq "$(cd "$STATE_D/containers/$id" && stat -c %i config.json record.json ctr.log)" "$files" \
		"Create wrote the spare's files rather than make new ones"
	assert_eq "$(stat -c %a "$STATE_D/containers/$id")" 700 "the container directory is private"
	assert_eq "$(cd "$STATE_D/containers/$id" && stat -c '%a:%n' config.json record.json ctr.log | tr '\n' ' ')" \
		"644:config.json 600:record.json 640:ctr.log " "the spare's files became the container's"
	assert_eq "$(find "$STATE_D/containers/$id" -name '*.tmp.*' | wc -l)" 0 "no temporary file stays"
	assert_eq "$(spares)" "s1 " "one spare left"
	ctl start "$id" >/dev/null
	assert_eq "$(ctl wait "$id")" 0 "the container ran from its overlay"
	assert_eq "$(ctl logs "$id")" "from the overlay" "its output"
	[ -f "$STATE_D/containers/$id/upper/made" ] || fail "what it wrote is not in its upper/"
	assert_eq "$(spares)" "s1 s2 " "Start made a new spare"
	# a directory image needs no overlay: none of its directories stay
	id=$(ctl create "$FIXTURES/busybox/rootfs" true)
	assert_eq "$(find "$STATE_D/containers/$id" -mindepth 1 -maxdepth 1 -type d | wc -l)" 0 \
		"no rootfs, upper or work beside a directory image's bundle"
	# with no spare left, Create makes the directory itself
	ctl create app:1 true >/dev/null
	assert_eq "$(spares)" "" "the spares are used up"
	id=$(ctl create app:1 test -x /bin/sh)
	assert_eq "$(ctl start "$id" >/dev/null && ctl wait "$id")" 0 "a container without a spare runs"
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null
	assert_eq "$(spares)" "" "no spare stays after shutdown"
}

test_svi_store_shared_with_corral_image() {
	trap cleanup_sv EXIT
	start_sv
	"$CORRAL" image --store "$STATE_D" import --name cli:1 "$IMGS/oci:test" >/dev/null
	ctl image import "docker-archive:$IMGS/docker-legacy.tar" daemon:1 >/dev/null
	assert_eq "$(ctl --json image inspect cli:1 | jq -r '.[0].names[0]')" localhost/cli:1 "daemon sees the CLI's import"
	"$CORRAL" image --store "$STATE_D" list >"$T/cli"
	grep -q '^localhost/daemon:1 ' "$T/cli" || fail "the CLI does not see the daemon's import"
	assert_eq "$(ctl run cli:1 echo ok)" ok "run an image the CLI imported"
	# imports from both at once: the store lock keeps refs.json whole
	"$CORRAL" image --store "$STATE_D" import --name cli:2 "oci-archive:$IMGS/test.oci.tar" >/dev/null &
	local p=$!
	ctl image import "docker-archive:$IMGS/docker-moby25.tar" daemon:2 >/dev/null
	wait "$p" || fail "concurrent CLI import failed"
	assert_eq "$(ctl --json image ls | jq -r '[.[].names[] | select(test("^localhost/(cli|daemon):"))] | sort | join(" ")')" \
		"localhost/cli:1 localhost/cli:2 localhost/daemon:1 localhost/daemon:2" "every name kept"
}

# Names as podman gives and finds them: a short name is stored under
# localhost/, a registry's name as it is (docker.io's under library/), and
# a short name finds either, localhost's first; names of two images under
# two registries are refused, both named; REPO@DIGEST finds an image by
# where it was pulled from, or by a name's manifest.
test_svi_short_names_as_podman() {
	trap cleanup_sv EXIT
	start_sv
	skopeo copy -q "oci:$IMGS/oci:test" "docker-archive:$T/skopeo.tar:web:skopeo"
	skopeo copy -q "oci:$IMGS/oci:user" "docker-archive:$T/user.tar:busybox:demo"
	skopeo copy -q "oci:$IMGS/oci:entry" "docker-archive:$T/entry.tar:quay.io/x/busybox:demo"
	ctl image import "oci:$IMGS/oci:test" web:1 >/dev/null
	ctl image import "docker-archive:$T/skopeo.tar" >/dev/null
	ctl image import "docker-archive:$T/user.tar" >/dev/null
	assert_eq "$(ctl --json images | jq -r '[.[].names[]] | sort | join(" ")')" \
		"docker.io/library/busybox:demo docker.io/library/web:skopeo localhost/web:1" "full names"
	assert_eq "$(ctl run --rm web:1 echo short)" short "run web:1 finds localhost/web:1"
	assert_eq "$(ctl run --rm localhost/web:1 echo full)" full "and its full name"
	assert_eq "$(ctl run --rm web:skopeo echo skopeo)" skopeo "run web:skopeo finds docker.io/library/web:skopeo"
	assert_eq "$(ctl run --rm docker.io/library/busybox:demo id -un)" app "the full name of a docker.io name"
	assert_eq "$(ctl run --rm docker.io/busybox:demo id -un)" app "docker.io/busybox is docker.io/library/busybox"
	assert_eq "$(ctl run --rm busybox:demo id -un)" app "its short name"
	local out rc=0
	out=$(ctl run --rm --pull never docker.io/library/web:1 true 2>&1) || rc=$?
	assert_eq "$rc" 125 "localhost/web:1 is not docker.io/library/web:1"
	assert_contains "$out" "no such image: docker.io/library/web:1" "another name, as in podman"
	out=$(ctl run --rm eb:1 true 2>&1) && fail "a part of a name component found an image"
	# localhost/ first; then two images under two registries are ambiguous
	ctl tag web:1 busybox:demo
	assert_eq "$(ctl run --rm busybox:demo id -un)" root "localhost/busybox:demo before docker.io's"
	ctl image rm localhost/busybox:demo >/dev/null
	ctl image import "docker-archive:$T/entry.tar" >/dev/null
	rc=0
	out=$(ctl run --rm busybox:demo true 2>&1) || rc=$?
	assert_eq "$rc" 125 "an ambiguous short name is refused"
	assert_contains "$out" "docker.io/library/busybox:demo" "the refusal names one"
	assert_contains "$out" "quay.io/x/busybox:demo" "and the other"
	assert_contains "$out" "give the full name" "and what to do"
	assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line: $out"
	out=$(ctl image inspect busybox:demo 2>&1) && fail "inspect of an ambiguous name"
	assert_contains "$out" "quay.io/x/busybox:demo" "inspect says why"
	assert_eq "$(ctl --json image inspect x/busybox:demo | jq -r '.[0].names | join(" ")')" quay.io/x/busybox:demo \
		"a longer short name"
	# REPO@DIGEST: a name's repository at its manifest digest, and repoDigests
	local m id refs="$STATE_D/images/refs.json" pulled=sha256:$(printf '%064d' 9)
	m=$(ctl --json image inspect web:1 | jq -r '.[0].manifestDigest')
	id=$(ctl --json image inspect web:1 | jq -r '.[0].id')
	assert_eq "$(ctl --json image inspect "localhost/web@$m" | jq -r '.[0].id')" "$id" "REPO@DIGEST by its manifest"
	assert_eq "$(ctl --json image inspect "web@$m" | jq -r '.[0].id')" "$id" "a short REPO@DIGEST"
	jq --arg m "$m" --arg d "$pulled" '.images[$m].repoDigests = ["registry.test/team/web@" + $d]' "$refs" \
		>"$refs.tmp" && mv "$refs.tmp" "$refs"
	assert_eq "$(ctl --json image inspect "registry.test/team/web@$pulled" | jq -r '.[0].id')" "$id" \
		"REPO@DIGEST by where it was pulled from"
	assert_eq "$(ctl run --rm "team/web@$pulled" echo pulled)" pulled "and run by it, short"
	assert_contains "$(ctl --json image inspect web:1 | jq -r '.[0].repoDigests | join(" ")')" \
		"registry.test/team/web@$pulled" "inspect's repoDigests"
	assert_eq "$(ctl --json image inspect web:1 | jq -r '.[0].digest')" "$pulled" "Digest: the registry's"
	out=$(ctl image inspect "registry.test/other@$pulled" 2>&1) && fail "another repository's digest"
	assert_contains "$out" "no such image" "another repository"
}

# Names a store wrote before: bare ones are localhost's, as they load
# (root's and members' alike); a name the new rules refuse stays as it was.
test_svi_old_bare_names_migrate() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" web:1 >/dev/null
	local refs="$STATE_D/images/refs.json" m
	m=$(ctl --json image inspect web:1 | jq -r '.[0].manifestDigest')
	jq --arg m "$m" '.refs = {"busybox:demo": $m, "Old:Tag": $m, "~4242/mine:1": $m}
		| .images[$m].owners = [0, 4242]' "$refs" >"$refs.tmp" && mv "$refs.tmp" "$refs"
	assert_eq "$(ctl --json images | jq -r '.[0].names | sort | join(" ")')" \
		"Old:Tag localhost/busybox:demo ~4242/localhost/mine:1" "bare names are localhost's, the owner's kept"
	assert_eq "$(ctl run --rm busybox:demo echo ok)" ok "an old bare name runs"
	assert_eq "$(ctl run --rm Old:Tag echo ok)" ok "an old name the rules refuse runs as it was"
	assert_eq "$(ctl --json image inspect "~4242/mine:1" | jq -r '.[0].owners | join(",")')" "0,4242" \
		"the member's old name is the member's"
	ctl tag busybox:demo new:1 # any write saves the new names
	assert_eq "$(jq -r '.refs | keys | join(" ")' "$refs")" \
		"Old:Tag localhost/busybox:demo localhost/new:1 ~4242/localhost/mine:1" "refs.json rewritten"
	ctl image rm Old:Tag >/dev/null || fail "an old name is removed"
}

# tag, and images REPO[:TAG] and --filter reference=: a row a name that
# answers, short names as a lookup has them.
test_svi_tag_and_images_filters() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" web:1 >/dev/null
	ctl image import "oci:$IMGS/oci:user" other:1 >/dev/null
	assert_eq "$(ctl tag web:1 docker.io/library/busybox:demo quay.io/x/busybox:2 web:2)" "" "tag prints nothing"
	ctl image tag other:1 busybox:3 || fail "image tag"
	local out rc=0
	out=$(ctl tag web:1 'Bad Name' 2>&1) || rc=$?
	assert_eq "$rc" 125 "an invalid name is refused"
	assert_contains "$out" "Bad Name: not an image name" "and said"
	out=$(ctl tag nosuch:1 x:1 2>&1) && fail "tag of a missing image"
	assert_contains "$out" "no such image: nosuch:1" "a missing source"
	rows() { ctl images --format '{{.Repository}}:{{.Tag}}' "$@" | sort | tr '\n' ' '; }
	assert_eq "$(rows)" "docker.io/library/busybox:demo localhost/busybox:3 localhost/other:1 localhost/web:1 localhost/web:2 quay.io/x/busybox:2 " "every name"
	assert_eq "$(rows busybox)" "docker.io/library/busybox:demo localhost/busybox:3 quay.io/x/busybox:2 " "images REPO"
	assert_eq "$(rows busybox:demo)" "docker.io/library/busybox:demo " "images REPO:TAG: that name only"
	assert_eq "$(rows localhost/web)" "localhost/web:1 localhost/web:2 " "a full repository"
	assert_eq "$(rows x/busybox)" "quay.io/x/busybox:2 " "a longer short name"
	assert_eq "$(rows web busybox:3)" "localhost/busybox:3 localhost/web:1 localhost/web:2 " "two references"
	assert_eq "$(rows --filter 'reference=*box:[23]')" "localhost/busybox:3 quay.io/x/busybox:2 " "reference= globs"
	assert_eq "$(rows nosuch)" "" "nothing answers"
	assert_eq "$(ctl images busybox:demo | sed 1d | awk '{print $1, $2}')" "docker.io/library/busybox demo" "the table"
	local id
	id=$(ctl --json image inspect web:1 | jq -r '.[0].id')
	assert_eq "$(rows "${id:7:12}")" "docker.io/library/busybox:demo localhost/web:1 localhost/web:2 quay.io/x/busybox:2 " \
		"an ID: all its names"
	out=$(ctl images --filter dangling=true 2>&1) && fail "an unknown filter"
	assert_contains "$out" "reference=" "the filter it takes"
	timeout 2 "$CORRALCTL" --socket "$SOCK" --json events --since 0 >"$T/ev" || true
	assert_eq "$(jq -r 'select(.action == "tag") | .name' "$T/ev" | sort | tr '\n' ' ')" \
		"docker.io/library/busybox:demo localhost/busybox:3 localhost/web:2 quay.io/x/busybox:2 " "tag events"
}

# An image's CREATED is its own (its config's), in images and inspect;
# inspect has podman's fields, history podman's columns.
test_svi_inspect_and_history_as_podman() {
	trap cleanup_sv EXIT
	start_sv
	cp -a "$IMGS/oci" "$T/old"
	umoci config --image "$T/old:test" --tag old --created 2001-02-03T04:05:06Z \
		--history.comment "set in 2001" --history.created_by "corral test: created in 2001"
	ctl image import "oci:$T/old:old" old:1 >/dev/null
	assert_contains "$(ctl images old | sed 1d)" "years ago" "CREATED: the image's own"
	local f
	f=$(ctl image inspect --format '{{.Created}}|{{.CreatedAt}}|{{.Config.Cmd}}|{{.Config.WorkingDir}}|{{.Config.StopSignal}}|{{index .Config.Labels "org.corral.fixture"}}|{{.RepoTags}}|{{.Architecture}}|{{.Os}}|{{.RootFS.Type}}' old:1)
	assert_contains "$f" "2001-02-03T04:05:06.000000000Z|2001-02-03T04:05:06.000000000Z|[/bin/sh -c echo default-cmd]|/data|SIGUSR1|yes|[localhost/old:1]|" "inspect --format"
	assert_contains "$f" "|linux|layers" "platform and rootfs"
	ctl --json image inspect old:1 | jq '.[0]' >"$T/i"
	local imported
	imported=$(jq -r .importedAt "$T/i")
	[ "$(date -d "$imported" +%s)" -gt "$(( $(date +%s) - 600 ))" ] || fail "importedAt: $imported is not now"
	assert_eq "$(jq -r '.rootFS.layers | length' "$T/i")" 3 "rootFS.layers"
	assert_eq "$(jq -r '.history | length' "$T/i")" 4 "history"
	assert_eq "$(jq -r '.history[3].comment' "$T/i")" "set in 2001" "history as the config has it"
	assert_eq "$(jq -r '.config.env | join(" ")' "$T/i")" "GREETING=hello-from-image PATH=/bin:/usr/bin" "config.env"
	assert_eq "$(jq -c '[.config.entrypoint, .config.exposedPorts, .config.user]' "$T/i")" '[[],{},""]' "absent: empty"
	assert_eq "$(jq -r .digest "$T/i")" "$(jq -r .manifestDigest "$T/i")" "digest: the manifest's when not pulled"
	assert_eq "$(jq -r '.repoDigests[0]' "$T/i")" "localhost/old@$(jq -r .manifestDigest "$T/i")" "repoDigests"
	assert_eq "$(ctl image inspect --format '{{.Config.Cmd}}' old:1)" "[/bin/sh -c echo default-cmd]" "--format {{.Config.Cmd}}"
	# history: the newest step first, the image's ID on it, its layers' sizes
	ctl history old:1 >"$T/h"
	assert_eq "$(head -1 "$T/h" | tr -s ' ')" "ID CREATED CREATED BY SIZE COMMENT" "history's columns"
	assert_eq "$(sed 1d "$T/h" | wc -l)" 4 "a row a step"
	local id
	id=$(jq -r .id "$T/i")
	assert_contains "$(sed -n 2p "$T/h")" "${id:7:12}" "the newest step carries the image's ID"
	assert_contains "$(sed -n 2p "$T/h")" "corral test: created in 2001" "CREATED BY"
	assert_contains "$(sed -n 2p "$T/h")" "set in 2001" "COMMENT"
	assert_eq "$(sed -n '3,5p' "$T/h" | awk '{print $1}' | sort -u)" "<missing>" "older steps have no ID"
	assert_contains "$(sed -n 5p "$T/h")" "MB" "the busybox layer's size"
	ctl history --format json old:1 >"$T/hj"
	assert_eq "$(jq -r '[.[].emptyLayer] | join(",")' "$T/hj")" "true,true,false,false" "emptyLayer"
	assert_eq "$(jq -r '.[0].tags | join(",")' "$T/hj")" "localhost/old:1" "tags on the newest step"
	[ "$(jq -r '.[3].size' "$T/hj")" -gt 1000000 ] || fail "the first layer's size: $(jq -r '.[3].size' "$T/hj")"
	assert_eq "$(ctl history -q old:1 | head -1)" "${id:7:12}" "history -q"
	assert_eq "$(ctl history --format '{{.CreatedBy}}' old:1 | tail -1)" "umoci repack" "history --format"
}

# save and load as podman's, through skopeo: a docker-archive and an
# oci-archive that skopeo reads and that load back to the same image;
# stdin and stdout through files of the caller's own, none left behind.
test_svi_save_and_load_round_trips() {
	trap cleanup_sv EXIT
	start_sv
	export TMPDIR="$T/tmp"
	mkdir -p "$TMPDIR"
	ctl image import "oci:$IMGS/oci:test" web:1 >/dev/null
	local id
	id=$(ctl --json image inspect web:1 | jq -r '.[0].id')
	assert_eq "$(ctl save -o "$T/d.tar" web:1)" "" "save prints nothing"
	ctl save --format oci-archive -o "$T/o.tar" web:1
	ctl save web:1 >"$T/stdout.tar"
	cmp -s "$T/d.tar" "$T/stdout.tar" || fail "save to stdout differs from save -o"
	assert_eq "$(skopeo inspect --raw --config "docker-archive:$T/d.tar" | sha256sum | cut -d' ' -f1)" "${id#sha256:}" \
		"skopeo reads the docker-archive: the same config"
	assert_eq "$(skopeo inspect --raw --config "oci-archive:$T/o.tar" | sha256sum | cut -d' ' -f1)" "${id#sha256:}" \
		"skopeo reads the oci-archive: the same config"
	assert_eq "$(tar -xOf "$T/d.tar" manifest.json | jq -r '.[0].RepoTags | join(" ")')" localhost/web:1 "RepoTags"
	assert_eq "$(tar -xOf "$T/o.tar" index.json | jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]')" \
		localhost/web:1 "the OCI ref name"
	skopeo copy -q "docker-archive:$T/d.tar" "oci:$T/back:x" || fail "skopeo copies every layer out of it"
	local out rc=0
	out=$(script -qec "$CORRALCTL --socket $SOCK save web:1" /dev/null 2>&1) || rc=$?
	assert_contains "$out" "refusing to save to a terminal" "no archive on a terminal"
	out=$(ctl save -o "$T/none.tar" nosuch:1 2>&1) && fail "save of a missing image"
	assert_contains "$out" "no such image: nosuch:1" "a missing image"
	[ ! -e "$T/none.tar" ] || fail "a failed save left the file it made"
	out=$(ctl call ImageSave "{\"image\":\"web:1\",\"path\":\"$T/nodir/x.tar\"}" 2>&1) && fail "saved to nowhere"
	assert_contains "$out" "InvalidParameter" "root's path that does not open"
	assert_contains "$out" "No such file or directory" "says why"
	# load: the same image, by either archive, from a file or stdin
	ctl image rm web:1 >/dev/null
	assert_eq "$(ctl load -i "$T/d.tar")" "Loaded image: localhost/web:1" "load -i a docker-archive"
	assert_eq "$(ctl --json image inspect web:1 | jq -r '.[0].id')" "$id" "the same image ID"
	ctl image rm web:1 >/dev/null
	assert_eq "$(ctl load -q <"$T/o.tar")" "Loaded image: localhost/web:1" "load an oci-archive from stdin"
	assert_eq "$(ctl --json image inspect web:1 | jq -r '.[0].id')" "$id" "the same image ID from stdin"
	cat "$T/d.tar" | ctl image load >/dev/null || fail "load from a pipe"
	assert_eq "$(ctl run --rm web:1 cat /etc/layer1 >/dev/null && echo ran)" ran "the loaded image runs"
	# an oci-archive named "bb" (a short ref name) is localhost/bb:latest
	skopeo copy -q "oci:$IMGS/oci:user" "oci-archive:$T/bb.tar:bb"
	assert_eq "$(ctl load -i "$T/bb.tar")" "Loaded image: localhost/bb:latest" "a short ref name"
	assert_eq "$(ctl run --rm bb id -un)" app "and it runs by it"
	ctl image import "oci-archive:$T/bb.tar" >/dev/null # import names it so too
	assert_eq "$(ctl --json image inspect bb | jq -r '.[0].names | join(" ")')" localhost/bb:latest "import of it"
	# an archive without a name: its ID
	ctl save -o "$T/byid.tar" "${id:7:12}"
	assert_eq "$(tar -xOf "$T/byid.tar" manifest.json | jq -c '.[0].RepoTags')" "[]" "saved by ID: no name"
	rc=0
	printf 'not an archive' >"$T/bad.tar"
	out=$(ctl load -i "$T/bad.tar" 2>&1) || rc=$?
	assert_eq "$rc" 125 "a file that is no image"
	assert_contains "$out" "not a tar archive" "says why"
	out=$(ctl load </dev/null 2>&1) && fail "an empty stdin loaded"
	assert_eq "$(ls -A "$TMPDIR")" "" "no file left in TMPDIR"
	timeout 2 "$CORRALCTL" --socket "$SOCK" --json events --since 0 >"$T/ev" || true
	assert_eq "$(jq -r 'select(.action == "save") | .name' "$T/ev" | sort -u | tr '\n' ' ')" "localhost/web:1 $id " "save events"
	assert_contains "$(jq -r 'select(.action == "load") | .name' "$T/ev" | sort -u | tr '\n' ' ')" "localhost/bb:latest" "load events"
}

# podman reads what corral saves, and corral loads what podman saves: the
# same image ID and name both ways. podman keeps its storage under $T.
test_svi_podman_round_trip() {
	command -v podman >/dev/null || skip "podman is not installed (tests/deps.sh installs it)"
	trap 'cleanup_sv; pm system reset -f >/dev/null 2>&1; rm -rf "$PM_RUN"' EXIT
	PM_RUN=$(mktemp -d /tmp/corral-pm.XXXXXX) # podman wants its run root short
	mkdir -p "$T/pm/tmp"
	pm() { TMPDIR="$T/pm/tmp" podman --root "$T/pm/root" --runroot "$PM_RUN" --tmpdir "$T/pm/tmp" \
		--storage-driver vfs --events-backend file --cgroup-manager cgroupfs "$@"; }
	start_sv
	ctl image import "oci:$IMGS/oci:test" web:1 >/dev/null
	local id
	id=$(ctl --json image inspect web:1 | jq -r '.[0].id')
	ctl save -o "$T/d.tar" web:1
	ctl save --format oci-archive -o "$T/o.tar" web:1
	assert_contains "$(pm load -q -i "$T/d.tar")" "Loaded image: localhost/web:1" "podman loads corral's docker-archive"
	assert_eq "$(pm images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}')" "localhost/web:1 $id" "as the same image"
	pm rmi -f localhost/web:1 >/dev/null
	assert_contains "$(pm load -q -i "$T/o.tar")" "Loaded image: localhost/web:1" "podman loads corral's oci-archive"
	assert_eq "$(pm images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}')" "localhost/web:1 $id" "as the same image"
	pm tag localhost/web:1 quay.io/team/app:2
	pm save --format docker-archive -o "$T/pd.tar" quay.io/team/app:2
	pm save --format oci-archive -o "$T/po.tar" localhost/web:1
	ctl image rm web:1 >/dev/null
	assert_eq "$(ctl load -i "$T/pd.tar")" "Loaded image: quay.io/team/app:2" "corral loads podman's docker-archive"
	assert_eq "$(ctl --json image inspect app:2 | jq -r '.[0].id')" "$id" "the same image ID"
	assert_eq "$(ctl load -i "$T/po.tar")" "Loaded image: localhost/web:1" "corral loads podman's oci-archive"
	assert_eq "$(ctl --json image inspect web:1 | jq -r '.[0].id')" "$id" "the same image ID"
	assert_eq "$(ctl run --rm app:2 echo from-podman)" from-podman "and runs it"
}

lo_flags() { # IMAGE NETWORK: lo's IFF_UP bit inside the container (1 up, 0 down)
	local f
	f=$(ctl run --network "$2" "$1" cat /sys/class/net/lo/flags)
	echo $(( f & 1 ))
}

# none has lo up, as podman's none has; loopback is the same
test_svi_network_none_and_loopback_bring_lo_up() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" net:1 >/dev/null
	assert_eq "$(lo_flags net:1 none)" 1 "network none: lo up"
	assert_eq "$(lo_flags net:1 loopback)" 1 "network loopback: lo up"
	# a private namespace either way: the host's interfaces are not there
	local n
	n=$(ctl run --network none net:1 ls /sys/class/net)
	assert_eq "$n" lo "network none: only lo"
	local id
	id=$(ctl create --network none net:1 true)
	id=$(ctl --json inspect "$id" | jq -r '.[0].id')
	assert_eq "$(jq -r '.annotations["io.corral.network"]' "$STATE_D/containers/$id/config.json")" loopback \
		"the annotation the runtime reads"
	# a label cannot switch lo off behind the network setting
	assert_eq "$(ctl run -l io.corral.network=none --network none net:1 cat /sys/class/net/lo/flags | \
		awk '{print $1 % 2}')" 1 "label does not override network"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_svi_${SV_ONLY:-}"); do
	run_test "$t"
done
