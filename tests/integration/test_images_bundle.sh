#!/bin/bash
# corral bundle create -> corral run: files of layer 2 are there, whiteouts
# removed files of layer 1, env and workdir come from the image; overlay and
# --copy rootfs; User resolved from the image; gc keeps what bundles use.
. "$(dirname "$0")/lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/images"

ci() { "$CORRAL" image --store "$T/store" "$@"; }
cb() { "$CORRAL" bundle "$1" --store "$T/store" "${@:2}"; }
# Always unmount and delete the bundle, even when the test failed.
cleanup_bundle() { [ -d "$T/bundle" ] && "$CORRAL" bundle remove "$T/bundle" >/dev/null 2>&1; true; }

CHECK='set -e
echo "cwd=$(pwd)"
echo "greeting=$GREETING"
cat /etc/layer1 /etc/layer2 /opq/new /data/keep
echo "opq2=$(ls /opq2)"
for f in /data/gone /opq/old1 /opq/old2; do [ ! -e $f ] || echo "present:$f"; done
[ -u /data/suid ] && echo suid-kept
[ "$(stat -c %i /data/hl1)" = "$(stat -c %i /data/hl2)" ] && echo hardlinks-kept
[ "$(readlink /data/link)" = keep ] && echo symlink-kept
echo "uid=$(id -u) gid=$(id -g)"'

run_checks() { # bundle-create options...
	trap cleanup_bundle EXIT
	ci import --name fixture "$IMG/oci:test" >/dev/null
	cb create --image fixture "$@" "$T/bundle" -- /bin/sh -c "$CHECK"
	# as Docker: not the caller's own oom_score_adj
	assert_eq "$(jq .process.oomScoreAdj "$T/bundle/config.json")" 0 "process.oomScoreAdj"
	local out
	out=$(cd "$T/bundle" && cr run "$TID" 2>&1) || fail "run: $out"
	assert_contains "$out" "cwd=/data" "workdir from the image"
	assert_contains "$out" "greeting=hello-from-image" "env from the image"
	assert_contains "$out" "layer1" "layer 1 file"
	assert_contains "$out" "layer2" "layer 2 file"
	assert_contains "$out" "new" "replaced dir content"
	assert_contains "$out" "opq2=fresh" "opaque dir: lower content hidden"
	assert_not_contains "$out" "present:" "whiteouts of layer 1 files"
	assert_contains "$out" "suid-kept" "setuid bit"
	assert_contains "$out" "hardlinks-kept" "hardlinks"
	assert_contains "$out" "symlink-kept" "symlinks"
	assert_contains "$out" "uid=0 gid=0" "user"
	"$CORRAL" bundle remove "$T/bundle"
	[ ! -e "$T/bundle" ] || fail "bundle dir left"
}

test_bundle_overlay_run() {
	run_checks
	assert_eq "$(ls "$T/store/images/holds")" "" "hold dropped"
}

test_bundle_copy_run() { run_checks --copy; }

test_bundle_overlay_is_mounted_and_writes_go_up() {
	trap cleanup_bundle EXIT
	ci import --name fixture "$IMG/oci:test" >/dev/null
	cb create --image fixture "$T/bundle"
	awk -v m="$T/bundle/rootfs" '$5 == m' /proc/self/mountinfo | grep -q ' - overlay ' || fail "no overlay mount"
	echo changed >"$T/bundle/rootfs/data/keep"
	assert_eq "$(cat "$T/bundle/upper/data/keep")" "changed" "copy-up into upper"
	local l1
	l1=$(grep -l keep "$T"/store/images/layers/*/data/keep)
	assert_eq "$(cat "$l1")" "keep" "store layer unchanged"
	# config.json: command, annotations, secure defaults
	python3 - "$T/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
p = c["process"]
assert p["args"] == ["/bin/sh", "-c", "echo default-cmd"], p["args"]
assert p["cwd"] == "/data"
assert "GREETING=hello-from-image" in p["env"]
assert p["noNewPrivileges"] is True
assert "CAP_NET_RAW" not in p["capabilities"]["bounding"] and "CAP_CHOWN" in p["capabilities"]["bounding"] and "CAP_SYS_ADMIN" not in p["capabilities"]["bounding"]
assert c["annotations"]["org.corral.fixture"] == "yes"
assert c["annotations"]["org.opencontainers.image.stopSignal"] == "SIGUSR1"
assert {"type": "network"} in c["linux"]["namespaces"]
assert "/proc/kcore" in c["linux"]["maskedPaths"]
assert c["linux"]["readonlyPaths"]
PY
	local out
	out=$(cd "$T/bundle" && cr run "$TID" 2>&1) || fail "run: $out"
	assert_eq "$out" "default-cmd" "the image's Cmd"
	"$CORRAL" bundle remove "$T/bundle"
	if grep -q " $T/bundle/rootfs " /proc/self/mountinfo; then fail "still mounted"; fi
}

test_bundle_user_from_image() {
	trap cleanup_bundle EXIT
	ci import "oci:$IMG/oci:user" >/dev/null
	local id
	id=$(ci list --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
	cb create --image "$id" "$T/bundle" -- /bin/sh -c 'echo "uid=$(id -u) gid=$(id -g)"'
	python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["process"]["user"]; assert (u["uid"], u["gid"]) == (1000, 10), u' \
		"$T/bundle/config.json"
	local out
	out=$(cd "$T/bundle" && cr run "$TID" 2>&1) || fail "run: $out"
	assert_eq "$out" "uid=1000 gid=10" "app:wheel from /etc/passwd and /etc/group"
	"$CORRAL" bundle remove "$T/bundle"
}

test_bundle_gc_keeps_used_layers() {
	trap cleanup_bundle EXIT
	ci import --name fixture "$IMG/oci:test" >/dev/null
	cb create --image fixture "$T/bundle"
	ci remove fixture
	ci gc >/dev/null
	assert_eq "$(ls "$T/store/images/layers" | wc -l)" 3 "layers of a bundle in use"
	[ -f "$T/bundle/rootfs/etc/layer2" ] || fail "rootfs broken"
	"$CORRAL" bundle remove "$T/bundle"
	ci gc >/dev/null
	assert_eq "$(ls "$T/store/images/layers" | wc -l)" 0 "layers after the bundle went"
}

test_bundle_many_layers() {
	# 60 layers: the overlay is mounted layer by layer (fsconfig lowerdir+)
	trap cleanup_bundle EXIT
	python3 "$ROOTDIR/tests/fixtures/hostile/mkoci.py" many-layers "$T/src"
	ci import "$T/src" >/dev/null
	assert_eq "$(ls "$T/store/images/layers" | wc -l)" 60 "layers"
	cb create --image corral.test/hostile "$T/bundle"
	assert_contains "$(findmnt -n -o VFS-OPTIONS --mountpoint "$T/bundle/rootfs")" nosuid,nodev "the host's mount"
	assert_eq "$(ls "$T/bundle/rootfs/l" | wc -l)" 58 "files of layers 2..59, l/0 whited out by layer 60"
	assert_eq "$(cat "$T/bundle/rootfs/top")" "top" "top layer"
	"$CORRAL" bundle remove "$T/bundle"
}

# The rootfs (an overlay, or a copy bound on itself) is nosuid,nodev on the
# host: nobody runs a setuid file of the container's there, even through
# an fd that reaches past the bundle's directory. The container's own
# view gets suid back (io.corral.rootfs.suid), so a setuid file works
# inside where no_new_privileges is off: without a user namespace, and
# with one whose rootfs the runtime idmaps (its tree handed over; the
# kernel idmaps a copy's filesystem, not an overlay).
suid_checks() { # bundle-create options...
	trap cleanup_bundle EXIT
	ci import --name fixture "$IMG/oci:test" >/dev/null
	cb create --image fixture "$@" "$T/bundle" -- /suidx ids
	assert_contains "$(findmnt -n -o VFS-OPTIONS --mountpoint "$T/bundle/rootfs")" nosuid,nodev "the host's mount"
	assert_eq "$(jq -r '.annotations["io.corral.rootfs.suid"]' "$T/bundle/config.json")" true "the annotation"
	install -m 4755 "$B/tests/helpers/escape" "$T/bundle/rootfs/suidx"
	assert_eq "$(setpriv --reuid 1000 --regid 1000 --clear-groups /proc/self/fd/9 ids 9<"$T/bundle/rootfs/suidx")" \
		"uid=1000 euid=1000" "the setuid file, run on the host"
	BUNDLE=$T/bundle cfg '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	local out
	out=$(cd "$T/bundle" && cr run "$TID" 2>&1) || fail "run: $out"
	assert_eq "$out" "uid=1000 euid=0" "the setuid file, inside"
	[ "${1:-}" = --copy ] || { "$CORRAL" bundle remove "$T/bundle"; return 0; }
	BUNDLE=$T/bundle cfg '.linux.namespaces += [{"type":"user"}] | .annotations["run.oci.idmap-rootfs"] = "true" |
		.linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
		.linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	out=$(cd "$T/bundle" && cr run "${TID}u" 2>&1) || fail "run in a user namespace: $out"
	assert_eq "$out" "uid=1000 euid=0" "the setuid file, inside a user namespace"
	"$CORRAL" bundle remove "$T/bundle"
}

test_bundle_overlay_is_nosuid_on_the_host_alone() { suid_checks; }
test_bundle_copy_is_nosuid_on_the_host_alone() { suid_checks --copy; }

test_bundle_errors() {
	ci import --name fixture "$IMG/oci:test" >/dev/null
	local msg
	if msg=$(cb create --image nosuch "$T/bundle" 2>&1); then fail "created from nothing"; fi
	assert_contains "$msg" "corral: bundle create $T/bundle: image nosuch: not found" "missing image"
	mkdir -p "$T/other"
	echo x >"$T/other/keepme"
	if msg=$("$CORRAL" bundle remove "$T/other" 2>&1); then fail "removed a foreign directory"; fi
	assert_contains "$msg" "not a bundle made by corral bundle create" "foreign dir"
	[ -f "$T/other/keepme" ] || fail "foreign dir touched"
}

for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do run_test "$t"; done
