#!/bin/bash
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

lo_flags() { # IMAGE NETWORK: lo's IFF_UP bit inside the container (1 up, 0 down)
	local f
	f=$(ctl run --network "$2" "$1" cat /sys/class/net/lo/flags)
	echo $(( f & 1 ))
}

test_svi_network_none_keeps_lo_down_loopback_brings_it_up() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" net:1 >/dev/null
	assert_eq "$(lo_flags net:1 none)" 0 "network none: lo down"
	assert_eq "$(lo_flags net:1 loopback)" 1 "network loopback: lo up"
	# a private namespace either way: the host's interfaces are not there
	local n
	n=$(ctl run --network none net:1 ls /sys/class/net)
	assert_eq "$n" lo "network none: only lo"
	local id
	id=$(ctl create --network none net:1 true)
	id=$(ctl --json inspect "$id" | jq -r '.[0].id')
	assert_eq "$(jq -r '.annotations["io.corral.network"]' "$STATE_D/containers/$id/config.json")" none \
		"the annotation the runtime reads"
	# a label cannot switch lo on behind the network setting
	assert_eq "$(ctl run -l io.corral.network=loopback --network none net:1 cat /sys/class/net/lo/flags | \
		awk '{print $1 % 2}')" 0 "label does not override network"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_svi_${SV_ONLY:-}"); do
	run_test "$t"
done
