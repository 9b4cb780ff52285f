#!/bin/bash
# Hostile images, crafted at test time by tests/fixtures/hostile/mkoci.py.
# Each either fails with a clear one-line error, or is contained. In every
# case no file outside the store is created or changed, and no partial image
# is usable: nothing is listed, and nothing is left in layers/ or staging/.
# time: about 70 s (18 cases) of hostile archives and layers; the gzip bomb alone is about 11 s
. "$(dirname "$0")/lib.sh"
MKOCI="$ROOTDIR/tests/fixtures/hostile/mkoci.py"

# Build CASE into $T/src, with a host directory $T/host whose files the
# image aims at. Records a fingerprint of the host side.
craft() {
	mkdir -p "$T/host"
	echo orig >"$T/host/victim"
	VICTIM="$T/host/victim" ESCAPE="$T/host/escape" python3 "$MKOCI" "$1" "$T/src"
	fingerprint >"$T/host.before"
}
# Everything outside the store: the host directory, and / for the paths the
# images name absolutely.
fingerprint() {
	find "$T/host" -printf '%p %s %T@ %i\n' | sort
	ls -la /tmp/corral-escape* /corral-escape* 2>/dev/null || true
}
host_untouched() {
	fingerprint >"$T/host.after"
	diff -u "$T/host.before" "$T/host.after" || fail "files outside the store changed"
	assert_eq "$(cat "$T/host/victim")" "orig" "victim content"
}
ci() { "$CORRAL" image --store "$T/store" "$@"; }
no_image() {
	assert_eq "$(ci list --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0 "images listed"
	assert_eq "$(ls "$T/store/images/layers")" "" "layers left"
	assert_eq "$(ls "$T/store/images/staging")" "" "staging left"
	assert_eq "$(ls "$T/store/images/blobs/sha256")" "" "blobs left"
}
# Import must fail with one line that names the problem.
# It exits 1: a refusal, not a crash (139 is a segfault).
must_fail() { # expected-substring
	local msg rc=0
	msg=$(ci import "$T/src" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "hostile image imported: $msg"
	assert_eq "$rc" 1 "exit status [$msg]"
	msg=$(echo "$msg" | grep -v ': warning: ' || true)
	assert_eq "$(echo "$msg" | wc -l)" 1 "one-line error [$msg]"
	assert_contains "$msg" "corral: image import $T/src: " "error context"
	assert_contains "$msg" "$1" "error reason"
	no_image
	host_untouched
}
# Import may succeed, but everything must land inside the layer.
contained() {
	ci import "$T/src" >/dev/null 2>"$T/err" || fail "import: $(cat "$T/err")"
	host_untouched
	LAYER=$(ls -d "$T/store/images/layers"/*)
}

test_dotdot_and_absolute_paths() {
	craft dotdot
	contained
	[ -f "$LAYER/$T/host/escape" ] || fail "../ path not contained in the layer"
	[ -f "$LAYER/$T/host/escape-abs" ] || fail "absolute path not contained in the layer"
}

test_symlink_to_root_written_through() {
	craft symlink-root
	contained
	assert_eq "$(readlink "$LAYER/evil")" "/" "symlink kept as a symlink"
	[ -f "$LAYER/$T/host/escape" ] || fail "write through the symlink not contained"
}

test_relative_symlink_climbing_out() {
	craft symlink-climb
	contained
	[ -f "$LAYER/$T/host/escape" ] || fail "climb not contained"
}

test_symlink_file_written_through() {
	craft symlink-file
	contained
	[ -f "$LAYER/f" ] && [ ! -L "$LAYER/f" ] || fail "symlink not replaced"
	assert_eq "$(cat "$LAYER/f")" "pwned" "new file content"
}

test_symlink_file_across_layers_bundle() {
	# layer 1 has f -> host victim, layer 2 writes f; then flatten and overlay
	craft symlink-file-2layers
	ci import "$T/src" >/dev/null
	"$CORRAL" bundle create --store "$T/store" --image corral.test/hostile --copy "$T/bc"
	"$CORRAL" bundle create --store "$T/store" --image corral.test/hostile "$T/bo"
	assert_eq "$(cat "$T/bc/rootfs/f")" "pwned" "flattened content"
	assert_eq "$(cat "$T/bo/rootfs/f")" "pwned" "overlay content"
	"$CORRAL" bundle remove "$T/bc"
	"$CORRAL" bundle remove "$T/bo"
	host_untouched
}

test_hardlink_to_host_file() {
	craft hardlink-host
	must_fail "hl: hardlink target $T/host/victim"
}

test_device_nodes() {
	craft devices
	contained
	assert_contains "$(cat "$T/err")" "dev/sda: block device 8:0 skipped" "block device warning"
	assert_contains "$(cat "$T/err")" "dev/mem: character device 1:1 skipped" "mem warning"
	[ ! -e "$LAYER/dev/sda" ] || fail "disk device created"
	[ ! -e "$LAYER/dev/mem" ] || fail "mem device created"
	[ ! -e "$LAYER/dev/wh" ] || fail "a 0/0 device from the tar (a fake whiteout) created"
	assert_eq "$(stat -c '%F %t:%T' "$LAYER/dev/null")" "character special file 1:3" "null device"
}

test_digest_mismatch() { craft digest; must_fail "digest mismatch: expected sha256:"; }
test_truncated_blob() { craft truncated; must_fail "size mismatch"; }
test_missing_blob() { craft missing; must_fail ": missing"; }
test_wrong_layer_media_type() { craft mediatype; must_fail "media type mismatch: declared gzip, content is zstd"; }
test_wrong_index_media_type() { craft mediatype-index; must_fail "wrong media type"; }
test_more_layers_than_diff_ids() { craft extra-layers; must_fail "manifest lists 2 layers but the config has 1 diff_ids"; }
test_diff_id_mismatch() { craft diffid; must_fail "diff_id mismatch"; }

test_gzip_bomb() {
	craft bomb
	local start end
	start=$(date +%s)
	must_fail "expansion ratio limit exceeded"
	end=$(date +%s)
	# generous: the limit stops it after ~100 MiB, not 4 GiB
	[ $((end - start)) -lt 60 ] || fail "the bomb took $((end - start)) s"
	# with the ratio check off, the size limit stops it too
	local msg
	if msg=$(ci import --max-ratio 0 --max-layer-size 200M "$T/src" 2>&1); then fail "bomb imported"; fi
	assert_contains "$msg" "uncompressed size limit exceeded" "size limit"
	no_image
}

# JSON nested 2,000,000 deep is refused on its text, before a tree is built
# (building and freeing one recursed per level and overflowed the stack)
test_manifest_nested_two_million_deep() {
	craft deep-manifest
	must_fail "blob sha256:$(ls "$T/src/blobs/sha256"): nested deeper than 64 levels"
}
test_index_nested_two_million_deep() { craft deep-index; must_fail "index.json: nested deeper than 64 levels"; }

test_edge_whiteouts() {
	craft edges
	ci import "$T/src" >/dev/null
	"$CORRAL" bundle create --store "$T/store" --image corral.test/hostile --copy "$T/bc"
	"$CORRAL" bundle create --store "$T/store" --image corral.test/hostile "$T/bo"
	local b
	for b in bc bo; do
		local r="$T/$b/rootfs"
		[ ! -e "$r/d/old" ] || fail "$b: d/old whited out"
		assert_eq "$(cat "$r/d/keep")" "keep" "$b: d/keep"
		assert_eq "$(cat "$r/same")" "layer2" "$b: whiteout and new entry in one layer"
		[ ! -e "$r/never-existed" ] || fail "$b: whiteout of a missing path shows"
		assert_eq "$(ls "$r/o")" "upper" "$b: opaque directory"
		assert_eq "$(ls "$r/sd")" "new" "$b: directory replaced in one layer"
		assert_eq "$(python3 -c 'import os,sys; print(sorted(os.listxattr(sys.argv[1])))' "$r/x")" \
			"['user.corral']" "$b: trusted.* from the tar dropped, user.* kept"
	done
	"$CORRAL" bundle remove "$T/bc"
	"$CORRAL" bundle remove "$T/bo"
}

for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do run_test "$t"; done
