#!/bin/bash
# corral image: every format, the store's layout, sharing, names, remove, gc,
# concurrent imports, and staging left over by a crash.
# time: about 60 s (17 cases), each importing images into a store of its own
. "$(dirname "$0")/lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/images"

ci() { "$CORRAL" image --store "$T/store" "$@"; }
layers_of() { ls "$T/store/images/layers" | sort; }
# The only layer directory that holds PATH (the image's layers differ in content).
layer_with() { for l in "$T/store/images/layers"/*; do [ -e "$l/$1" ] && { echo "$l"; return; }; done; }

check_fixture_layers() {
	local l1 l2
	l1=$(layer_with etc/layer1)
	l2=$(layer_with etc/layer2)
	[ -n "$l1" ] && [ -n "$l2" ] || fail "layers missing"
	# whiteouts became overlay whiteouts (0/0 character devices)
	assert_eq "$(stat -c '%F %t:%T' "$l2/data/gone")" "character special file 0:0" "whiteout of data/gone"
	assert_eq "$(stat -c '%F %t:%T' "$l2/opq/old1")" "character special file 0:0" "whiteout of opq/old1"
	assert_eq "$(cat "$l2/opq/new")" "new" "opq/new"
	local l3
	l3=$(layer_with opq2/fresh)
	assert_eq "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' "$l3/opq2")" \
		"y" "opaque directory"
	# setuid, setgid, symlinks, hardlinks and user xattrs survive
	assert_eq "$(stat -c %a "$l1/data/suid")" "4755" "setuid bit"
	assert_eq "$(stat -c %a "$l1/data/sgid")" "2755" "setgid bit"
	assert_eq "$(readlink "$l1/data/link")" "keep" "relative symlink"
	assert_eq "$(readlink "$l1/data/abslink")" "/etc/layer1" "absolute symlink"
	assert_eq "$(stat -c %i "$l1/data/hl1")" "$(stat -c %i "$l1/data/hl2")" "hardlink"
	assert_eq "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.corral").decode())' "$l1/data/xattr")" \
		"fixture" "user xattr"
}

import_ok() { # SOURCE [options]: import, print "ID DIGEST", check it is listed
	local out
	out=$(ci import "$@") || fail "import $*"
	case "$out" in "sha256:"*" sha256:"*) ;; *) fail "import output: $out" ;; esac
	echo "$out"
}

test_import_oci_gzip() {
	local out id dig
	out=$(import_ok "$IMG/oci:test")
	read -r id dig <<<"$out"
	assert_eq "$(layers_of | wc -l)" 3 "layer count"
	check_fixture_layers
	[ -f "$T/store/images/blobs/sha256/${dig#sha256:}" ] || fail "manifest blob"
	[ -f "$T/store/images/blobs/sha256/${id#sha256:}" ] || fail "config blob"
	ci inspect "$id" | grep -q '"WorkingDir": "/data"' || fail "inspect config"
	assert_eq "$(ls "$T/store/images/staging")" "" "staging empty"
}

test_import_zstd() { import_ok "$IMG/oci-zstd" >/dev/null; check_fixture_layers; }
test_import_uncompressed() { import_ok "$IMG/oci-tar" >/dev/null; check_fixture_layers; }
test_import_oci_archive() {
	import_ok "$IMG/test.oci.tar" >/dev/null
	import_ok "oci-archive:$IMG/test.oci.tar:test" >/dev/null
	check_fixture_layers
}
test_import_docker_legacy() {
	import_ok "$IMG/docker-legacy.tar" >/dev/null
	check_fixture_layers
	ci list | grep -q '^corral.test/fixture:legacy ' || fail "RepoTags name"
}
test_import_docker_moby25() {
	local a b
	a=$(import_ok "docker-archive:$IMG/docker-moby25.tar")
	b=$(import_ok "$IMG/docker-moby25.tar")
	check_fixture_layers
	# the same config either way: through manifest.json, or the OCI index
	assert_eq "${a%% *}" "${b%% *}" "image ID"
	ci list | grep -q '^corral.test/fixture:v25 ' || fail "name from the archive"
}

test_same_image_every_format() {
	local ids="" s
	for s in "$IMG/oci:test" "$IMG/oci-zstd" "$IMG/oci-tar" "$IMG/test.oci.tar" "$IMG/docker-legacy.tar" \
		"$IMG/docker-moby25.tar" "$IMG/nested"; do
		ids="$ids $(import_ok "$s" | cut -d' ' -f1)"
	done
	assert_eq "$(echo $ids | tr ' ' '\n' | sort -u | wc -l)" 1 "one image ID across formats"
	# layers are shared: gzip, zstd and tar variants have the same diff_ids
	assert_eq "$(layers_of | wc -l)" 3 "layers shared between images"
}

test_nested_index_platform() {
	local host other a b
	host=$(python3 -c 'import os; m=os.uname().machine; print({"x86_64":"amd64","aarch64":"arm64"}.get(m,m))')
	other=arm64
	[ "$host" = arm64 ] && other=amd64
	a=$(import_ok "$IMG/nested" | cut -d' ' -f1)
	b=$(import_ok --platform "linux/$other" "$IMG/nested" | cut -d' ' -f1)
	[ "$a" != "$b" ] || fail "--platform chose the same manifest"
	ci inspect "$b" | grep -q "\"architecture\": \"$other\"" || fail "decoy config"
	local msg
	if msg=$(ci import --platform linux/s390x "$IMG/nested" 2>&1); then fail "s390x imported"; fi
	assert_contains "$msg" "no manifest for platform linux/s390x" "platform error"
	assert_eq "$(echo "$msg" | wc -l)" 1 "one-line error"
}

test_names_remove_gc() {
	local id dig
	read -r id dig <<<"$(import_ok --name web:1 "$IMG/oci:test")"
	ci list | grep -q '^localhost/web:1 ' || fail "--name, under localhost/ as podman names it"
	ci list --format json | python3 -c 'import json,sys; l=json.load(sys.stdin); assert l[0]["names"]==["localhost/web:1"], l; assert l[0]["layers"]==3'
	grep -q '"localhost/web:1"' "$T/store/images/refs.json" || fail "refs.json"
	# gc with the image referenced removes nothing (and syncs nothing;
	# a sanitizer's leak check cannot run under strace's ptrace)
	assert_eq "$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=syncfs -o "$T/gc.strace" "$CORRAL" image --store "$T/store" gc)" \
		"removed 0 blobs, 0 layers, 0 stale holds" "gc of a used store"
	assert_eq "$(grep -c syncfs "$T/gc.strace")" 0 "syncfs calls of a gc that removed nothing"
	ci remove web:1
	assert_eq "$(ci list --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0 "list after remove"
	# a gc that removed something has the filesystem finish the deletion
	# before it returns, not under the next pull
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=syncfs -o "$T/gc.strace" "$CORRAL" image --store "$T/store" gc >/dev/null
	assert_eq "$(grep -c '^[0-9]* *syncfs(.*= 0$' "$T/gc.strace")" 1 "syncfs calls of a gc that removed the image"
	assert_eq "$(layers_of)" "" "layers after gc"
	assert_eq "$(ls "$T/store/images/blobs/sha256")" "" "blobs after gc"
	local msg
	if msg=$(ci remove web:1 2>&1); then fail "removed twice"; fi
	assert_contains "$msg" "not found" "remove error"
}

test_remove_by_id_keeps_shared_layers() {
	local b
	import_ok --name a "$IMG/oci:test" >/dev/null
	b=$(import_ok --name b "$IMG/oci-zstd" | cut -d' ' -f2)
	ci remove a
	grep -q '"localhost/a:latest"' "$T/store/images/refs.json" && fail "a's name kept after its removal"
	grep -q '"localhost/b:latest"' "$T/store/images/refs.json" || fail "b's name went with a's"
	ci gc >/dev/null
	assert_eq "$(layers_of | wc -l)" 3 "layers still used by b"
	# by a prefix of its manifest digest: the image and its names go
	ci remove "${b:7:12}"
	grep -q '"localhost/b:latest"' "$T/store/images/refs.json" && fail "name kept after its image went"
	ci gc >/dev/null
	assert_eq "$(layers_of | wc -l)" 0 "all gone"
}

test_concurrent_imports() {
	local i pids=""
	for i in 1 2 3 4; do
		ci import --name same "$IMG/oci:test" >"$T/out.$i" 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail "a concurrent import failed: $(cat "$T"/out.*)"; done
	assert_eq "$(sort -u "$T"/out.* | wc -l)" 1 "same result"
	assert_eq "$(layers_of | wc -l)" 3 "layers"
	assert_eq "$(ls "$T/store/images/staging")" "" "staging"
	check_fixture_layers
}

test_crash_leftovers_removed() {
	import_ok "$IMG/oci:test" >/dev/null
	mkdir -p "$T/store/images/staging/import-dead/layers/x"
	echo partial >"$T/store/images/staging/import-dead/layers/x/f"
	ci list >/dev/null
	assert_eq "$(ls "$T/store/images/staging")" "" "leftover staging removed"
}

test_store_env_and_errors() {
	CORRAL_STORE="$T/envstore" "$CORRAL" image import "$IMG/oci:test" >/dev/null
	[ -d "$T/envstore/images/layers" ] || fail "CORRAL_STORE ignored"
	local msg
	if msg=$(ci import "$T/nothing-here" 2>&1); then fail "imported nothing"; fi
	assert_contains "$msg" "corral: image import $T/nothing-here: " "error prefix"
	assert_eq "$(echo "$msg" | wc -l)" 1 "one-line error"
	if msg=$(ci import "oci:$IMG/oci:nosuchtag" 2>&1); then fail "bad ref"; fi
	assert_contains "$msg" 'no image named "nosuchtag"' "ref error"
}

# corrald tells its own trouble from the caller's by the exit status: 1 for
# the source (test_images_hostile checks each hostile image's), 2 for the host
test_exit_status_says_whose_fault() {
	local msg rc=0
	mkdir -p "$T/full"
	mount -t tmpfs -o size=64k tmpfs "$T/full" || fail "tmpfs"
	msg=$("$CORRAL" image --store "$T/full" import "$IMG/oci:test" 2>&1) || rc=$?
	umount "$T/full"
	assert_eq "$rc" 2 "a full store: the host's [$msg]"
	assert_contains "$msg" "No space left on device" "the reason as before"
	rc=0
	ci import "$T/nothing-here" 2>/dev/null || rc=$?
	assert_eq "$rc" 1 "a missing source: the caller's"
}

# Names as podman stores them: short ones under localhost/, an OCI ref
# name too ("bb" is localhost/bb:latest); tag adds names; a short name finds
# a full one; a store's old bare names are localhost's as it loads.
test_names_as_podman() {
	import_ok --name web:1 "$IMG/oci:test" >/dev/null
	import_ok "$IMG/oci:user" >/dev/null
	skopeo copy -q "oci:$IMG/oci:entry" "oci-archive:$T/bb.tar:bb"
	import_ok "$T/bb.tar" >/dev/null
	# docker save writes a bare RepoTags name: localhost's too
	mkdir "$T/plain"
	tar -C "$T/plain" -xf "$IMG/docker-legacy.tar"
	jq '.[0].RepoTags = ["plain:1"]' "$T/plain/manifest.json" >"$T/m.json" && mv "$T/m.json" "$T/plain/manifest.json"
	tar -C "$T/plain" -cf "$T/plain.tar" .
	import_ok "docker-archive:$T/plain.tar" >/dev/null
	ci tag web:1 docker.io/busybox:x quay.io/a/b || fail "image tag"
	assert_eq "$(ci list --format json | jq -r '[.[].names[]] | sort | join(" ")')" \
		"docker.io/library/busybox:x localhost/bb:latest localhost/plain:1 localhost/user:latest localhost/web:1 quay.io/a/b:latest" \
		"full names, ref names and RepoTags as podman names them"
	assert_eq "$(ci inspect busybox:x | jq -r .id)" "$(ci inspect web:1 | jq -r .id)" "a short name finds docker.io's"
	assert_eq "$(ci inspect b | jq -r .id)" "$(ci inspect web:1 | jq -r .id)" "and quay.io's"
	local msg
	if msg=$(ci tag web:1 'UPPER:1' 2>&1); then fail "an uppercase name"; fi
	assert_contains "$msg" "UPPER:1: not an image name" "refused"
	if msg=$(ci import --name 'a b' "$IMG/oci:test" 2>&1); then fail "an invalid --name"; fi
	assert_contains "$msg" "invalid image name" "--name refused"
	ci remove web:1 busybox:x
	assert_eq "$(grep -c '"localhost/web:1"\|"docker.io/library/busybox:x"' "$T/store/images/refs.json")" 0 "removed by short names"
	# a store before podman's names: bare ones load as localhost's
	local refs="$T/store/images/refs.json" m
	m=$(ci inspect b | jq -r .digest)
	jq --arg m "$m" '.refs["old:1"] = $m | .refs["~4242/old:2"] = $m' "$refs" >"$refs.tmp" && mv "$refs.tmp" "$refs"
	assert_contains "$(ci list --format json | jq -r '[.[].names[]] | join(" ")')" "localhost/old:1" "an old bare name"
	assert_eq "$(ci inspect old:1 | jq -r .digest)" "$m" "found by it"
	assert_eq "$(ci inspect "~4242/old:2" | jq -r .digest)" "$m" "a member's old name stays the member's"
}

# corral image save writes what skopeo and podman read, and load reads it
# back to the same image; stdout is no terminal.
test_save_and_load() {
	local id dig
	read -r id dig <<<"$(import_ok --name web:1 "$IMG/oci:test")"
	ci save --output "$T/d.tar" web:1 || fail "save"
	ci save --format oci-archive -o "$T/o.tar" web:1 || fail "save --format oci-archive"
	ci save web:1 >"$T/s.tar" && cmp -s "$T/d.tar" "$T/s.tar" || fail "save to stdout"
	assert_eq "$(skopeo inspect --raw --config "docker-archive:$T/d.tar" | sha256sum | cut -d' ' -f1)" "${id#sha256:}" \
		"skopeo reads the docker-archive"
	assert_eq "$(skopeo inspect --raw "oci-archive:$T/o.tar" | sha256sum | cut -d' ' -f1)" "${dig#sha256:}" \
		"the oci-archive holds the store's manifest"
	assert_eq "$(skopeo inspect --raw --config "oci-archive:$T/o.tar" | sha256sum | cut -d' ' -f1)" "${id#sha256:}" \
		"and its config"
	local msg
	msg=$(script -qec "$CORRAL image --store $T/store save web:1" /dev/null 2>&1) && fail "saved to a terminal"
	assert_contains "$msg" "refusing to write an archive to a terminal" "as podman"
	if msg=$(ci save --format tarball web:1 2>&1 >/dev/null); then fail "an unknown format"; fi
	assert_contains "$msg" "expected docker-archive or oci-archive" "format refused"
	# a damaged blob is not saved as if it were whole
	cp -a "$T/store" "$T/broken"
	local layer
	layer=$(jq -r '.layers[0].digest' "$T/store/images/blobs/sha256/${dig#sha256:}")
	chmod u+w "$T/broken/images/blobs/sha256/${layer#sha256:}"
	printf 'X' | dd of="$T/broken/images/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
	if msg=$("$CORRAL" image --store "$T/broken" save --format oci-archive web:1 2>&1 >/dev/null); then
		fail "a damaged blob was saved"
	fi
	assert_contains "$msg" "damaged" "the damage is said"
	for f in d o; do
		rm -rf "$T/fresh"
		assert_eq "$("$CORRAL" image --store "$T/fresh" load --input "$T/$f.tar")" "Loaded image: localhost/web:1" "load $f"
		assert_eq "$("$CORRAL" image --store "$T/fresh" inspect web:1 | jq -r .id)" "$id" "the same image from $f"
	done
	rm -rf "$T/fresh"
	assert_eq "$("$CORRAL" image --store "$T/fresh" load <"$T/o.tar")" "Loaded image: localhost/web:1" "load from stdin"
	rm -rf "$T/broken" "$T/fresh"
}

# Several images in one docker-archive, as `docker save a b`: skopeo reads
# each, REF=NAME names one, load stores every one (or, when one is
# damaged, none)
test_save_several_and_load() {
	local ida idb
	read -r ida _ <<<"$(import_ok --name web:1 "$IMG/oci:test")"
	read -r idb _ <<<"$(import_ok --name usr:1 "$IMG/oci:user")"
	ci save -o "$T/two.tar" web:1 usr:1 web:1 || fail "save of two"
	assert_eq "$(tar -xOf "$T/two.tar" manifest.json | jq -c '[.[].RepoTags]')" \
		'[["localhost/web:1"],["localhost/usr:1"]]' "one entry each"
	assert_eq "$(skopeo inspect --raw --config "docker-archive:$T/two.tar:localhost/usr:1" | sha256sum | cut -d' ' -f1)" \
		"${idb#sha256:}" "skopeo reads the second"
	ci save -o "$T/named.tar" "$ida=other:2" || fail "save REF=NAME"
	assert_eq "$(tar -xOf "$T/named.tar" manifest.json | jq -c '.[0].RepoTags')" '["localhost/other:2"]' "named so"
	local msg
	msg=$(ci save --name x:1 -o "$T/n.tar" web:1 usr:1 2>&1) && fail "--name of two"
	assert_contains "$msg" "one IMAGE" "--name is for one"
	rm -rf "$T/fresh"
	assert_eq "$("$CORRAL" image --store "$T/fresh" load --input "$T/two.tar" | tr '\n' ' ')" \
		"Loaded image: localhost/web:1 Loaded image: localhost/usr:1 " "load says both"
	assert_eq "$("$CORRAL" image --store "$T/fresh" inspect web:1 | jq -r .id)" "$ida" "the first"
	assert_eq "$("$CORRAL" image --store "$T/fresh" inspect usr:1 | jq -r .id)" "$idb" "the second"
	# the second image's config damaged: neither is stored
	rm -rf "$T/fresh" "$T/x" && mkdir "$T/x" && tar -C "$T/x" -xf "$T/two.tar"
	echo ' ' >>"$T/x/${idb#sha256:}.json"
	tar -C "$T/x" -cf "$T/bad.tar" .
	msg=$("$CORRAL" image --store "$T/fresh" load --input "$T/bad.tar" 2>&1) && fail "a damaged archive loaded"
	assert_contains "$msg" "digest" "the damage is said"
	assert_eq "$("$CORRAL" image --store "$T/fresh" list --format json | jq length)" 0 "nothing stored"
	rm -rf "$T/fresh" "$T/x"
}

for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do run_test "$t"; done
