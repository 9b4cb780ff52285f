#!/bin/bash
# Exported checkpoints (CheckpointExport, CheckpointImport): what corrald
# signs and what it takes back. criu cannot dump on this host, so the
# checkpoint here is planted in the container's directory, as a dump leaves
# it (inventory.img and pages); the VM tier's test_supervisor_checkpoint.sh
# exports, imports and restores a real one. An import is a member's file:
# every hostile or broken one is refused in one line, with nothing left (no
# container, no staging directory).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/supervisor_lib.sh"
VLCALL="$B/tests/helpers/vlcall"

# vl UID METHOD PARAMS: one call as that uid; its parameters, or its error
vl() {
	as_uid "$1" "$VLCALL" "$SOCK" "{\"method\":\"io.corral.Supervisor.$2\",\"parameters\":$3}" |
		jq -c 'if .error then . else .parameters end'
}

# A member's container, with a checkpoint as a dump leaves it and a file of
# its own in its rootfs; an export of it in $T/good.tar
setup() {
	trap cleanup_sv EXIT
	start_sv_group
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	mctl 1001 create --name src bb:1 sleep 1000 >/dev/null || fail "member create"
	ID=$(ctl inspect --format '{{.Id}}' src@1001)
	local dir="$STATE_D/containers/$ID"
	mkdir "$dir/checkpoint"
	echo inventory >"$dir/checkpoint/inventory.img"
	head -c 200000 /dev/urandom >"$dir/checkpoint/pages-1.img"
	mctl 1001 start src >/dev/null || fail "start"
	mctl 1001 exec src sh -c 'echo mine >/etc/marker; rm /bin/true' || fail "exec"
	mctl 1001 kill src >/dev/null
	mkdir "$T/u1001" && chown 1001 "$T/u1001"
	as_uid 1001 sh -c "umask 077; : >'$T/u1001/good.tar'"
	out=$(vl 1001 CheckpointExport "{\"id\":\"src\",\"path\":\"$T/u1001/good.tar\"}")
	assert_eq "$out" "{}" "the export"
	install -m 644 "$T/u1001/good.tar" "$T/good.tar" # a copy the other member can read too
}

# nothing of an import is left: no new container, no stage
nothing_left() { # what
	assert_eq "$(ctl ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "src@1001 " "$1: no container was made"
	assert_eq "$(ls -A "$STATE_D/containers" | grep -c '^\.import-')" 0 "$1: no staging directory is left"
}

# refused UID FILE WHAT: the import fails in one line naming the file
refused() {
	local out
	chmod 644 "$2"
	out=$(mctl "$1" restore --import "$2" --name copy 2>&1) && fail "$3: imported"
	assert_eq "$(echo "$out" | wc -l)" 1 "$3: one line: $out"
	assert_contains "$out" "$2" "$3: names the file"
	nothing_left "$3"
	echo "$out"
}

test_ckpt_export_is_signed_and_complete() {
	setup
	tar tf "$T/good.tar" >"$T/list"
	assert_eq "$(head -2 "$T/list" | tr '\n' ' ')" "manifest.json manifest.hmac " "the manifest and its signature first"
	for e in checkpoint/inventory.img checkpoint/pages-1.img rootfs-diff.tar; do
		grep -qx "$e" "$T/list" || fail "no $e in the archive"
	done
	tar xf "$T/good.tar" -C "$T" manifest.json rootfs-diff.tar
	assert_eq "$(jq -r '.container.owner, .container.name, (.entries | length)' "$T/manifest.json" | tr '\n' ' ')" \
		"1001 src 3 " "owner, name and entries"
	assert_eq "$(jq -r '.entries[] | select(.path == "checkpoint/pages-1.img") | .digest' "$T/manifest.json")" \
		"sha256:$(sha256sum "$STATE_D/containers/$ID/checkpoint/pages-1.img" | cut -d' ' -f1)" "the pages' digest"
	# the rootfs diff is a layer: the new file, and a whiteout for the removed one
	tar tf "$T/rootfs-diff.tar" >"$T/diff"
	grep -qx 'etc/marker' "$T/diff" || fail "the diff lacks etc/marker: $(cat "$T/diff")"
	grep -qx 'bin/.wh.true' "$T/diff" || fail "the diff lacks the whiteout of bin/true: $(cat "$T/diff")"
	assert_eq "$(stat -c '%a %u' "$T/u1001/good.tar")" "600 1001" "the file stays the caller's, 0600"
	local out
	out=$(vl 1002 CheckpointExport "{\"id\":\"src\",\"path\":\"$T/other.tar\"}")
	assert_contains "$out" "NoSuchContainer" "another member cannot export it"
	# create: made as the caller, where it may make a file, and never over one
	out=$(vl 1001 CheckpointExport "{\"id\":\"src\",\"path\":\"/etc/corral-ckpt.tar\",\"create\":true}")
	assert_contains "$out" "PolicyViolation" "a member's new file where it may not write"
	[ ! -e /etc/corral-ckpt.tar ] || { rm -f /etc/corral-ckpt.tar; fail "the member's file was made in /etc"; }
	out=$(vl 1001 CheckpointExport "{\"id\":\"src\",\"path\":\"$T/u1001/good.tar\",\"create\":true}")
	assert_contains "$out" "File exists" "create over a file that is there"
	vl 1001 CheckpointExport "{\"id\":\"src\",\"path\":\"$T/u1001/made.tar\",\"create\":true}" >/dev/null
	assert_eq "$(stat -c '%a %u' "$T/u1001/made.tar")" "600 1001" "a made file is the caller's, 0600"
	assert_eq "$(stat -c %a "$STATE_D/checkpoint.key") $(stat -c %U "$STATE_D/checkpoint.key")" "600 root" "the key is root's alone"
}

# The import makes the container from its spec, with its rootfs changes and
# its checkpoint in place, checkpointed, under the name asked for.
test_ckpt_import_makes_it_again() {
	setup
	local out id
	out=$(vl 1001 CheckpointImport "{\"path\":\"$T/good.tar\",\"name\":\"copy\"}")
	echo "import: $out" >&2
	id=$(echo "$out" | jq -r .id)
	assert_eq "$(echo "$out" | jq -r .name)" copy "the name asked for"
	assert_eq "$(mctl 1001 inspect --format '{{.State.Status}} {{.State.Checkpointed}} {{.Config.Image}}' copy)" \
		"created true $(ctl inspect --format '{{.Config.Image}}' src@1001)" "checkpointed, of the same image"
	cmp "$STATE_D/containers/$id/checkpoint/pages-1.img" "$STATE_D/containers/$ID/checkpoint/pages-1.img" ||
		fail "the pages differ"
	assert_eq "$(cat "$STATE_D/containers/$id/upper/etc/marker")" mine "its rootfs changes"
	[ -c "$STATE_D/containers/$id/upper/bin/true" ] || fail "bin/true is not whited out"
	assert_eq "$(stat -c %u "$STATE_D/containers/$id/upper/etc/marker")" \
		"$(stat -c %u "$STATE_D/containers/$ID/upper/etc/marker")" "owned as the member's container's root"
	assert_eq "$(ls -A "$STATE_D/containers" | grep -c '^\.import-')" 0 "no staging directory is left"
	# corralctl's restore --import: criu cannot restore here, so the
	# container it made is removed again, and the one line says why
	out=$(mctl 1001 restore --import "$T/good.tar" --name again 2>&1) && fail "restored on a host where criu cannot work"
	assert_eq "$(ctl ps -a --format '{{.Names}}' | grep -c '^again@1001$')" 0 "the container of a failed restore is removed"
	mctl 1001 rm copy >/dev/null
}

test_ckpt_import_refuses_what_it_did_not_sign() {
	setup
	local out size
	size=$(stat -c %s "$T/good.tar")
	# truncated, in the pages and in the manifest
	head -c $((size / 2)) "$T/good.tar" >"$T/half.tar"
	out=$(refused 1001 "$T/half.tar" "truncated")
	assert_contains "$out" "truncated" "says truncated"
	head -c 700 "$T/good.tar" >"$T/head.tar"
	refused 1001 "$T/head.tar" "cut in the manifest" >/dev/null
	# one byte changed in the pages: their digest
	cp "$T/good.tar" "$T/byte.tar"
	local at
	at=$(grep -abo 'checkpoint/pages-1.img' "$T/byte.tar" | tail -1 | cut -d: -f1)
	printf '\x00\x01' | dd of="$T/byte.tar" bs=1 seek=$((at + 4096)) conv=notrunc status=none
	out=$(refused 1001 "$T/byte.tar" "a byte changed")
	assert_contains "$out" "not what its manifest says" "says the content differs"
	# the manifest changed (its owner): the signature
	cp "$T/good.tar" "$T/owner.tar"
	sed -i 's/"owner":1001/"owner":1002/' "$T/owner.tar"
	out=$(refused 1002 "$T/owner.tar" "a manifest rewritten for another member")
	assert_contains "$out" "signature does not match" "says the signature"
	# another member's archive, as it is
	out=$(refused 1002 "$T/good.tar" "another member's")
	assert_contains "$out" "another user's" "says whose"
	# an entry the manifest does not name, and a link in its place
	cp "$T/good.tar" "$T/extra.tar"
	python3 - "$T/extra.tar" <<-'EOF'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "a") as t:
		    data = b"evil"
		    i = tarfile.TarInfo("checkpoint/evil.img"); i.size = len(data)
		    t.addfile(i, io.BytesIO(data))
	EOF
	out=$(refused 1001 "$T/extra.tar" "an extra entry")
	assert_contains "$out" "not in the checkpoint's manifest" "names the stranger"
	python3 - "$T/good.tar" "$T/link.tar" <<-'EOF'
		import sys, tarfile
		with tarfile.open(sys.argv[1]) as src, tarfile.open(sys.argv[2], "w", format=tarfile.PAX_FORMAT) as dst:
		    for m in src.getmembers():
		        if m.name == "checkpoint/inventory.img":
		            l = tarfile.TarInfo(m.name); l.type = tarfile.SYMTYPE; l.linkname = "/etc/shadow"
		            dst.addfile(l)
		        else:
		            dst.addfile(m, src.extractfile(m))
	EOF
	out=$(refused 1001 "$T/link.tar" "a symlink for an image")
	assert_contains "$out" "not the regular file" "a link is no image"
	# no archive at all, and a file the member cannot read
	echo junk >"$T/junk.tar"
	refused 1001 "$T/junk.tar" "not a tar" >/dev/null
	out=$(mctl 1001 restore --import "$STATE_D/checkpoint.key" 2>&1) && fail "imported corrald's key"
	assert_contains "$out" "Permission denied" "read as the member"
	nothing_left "corrald's own key"
	# the good one still imports, and only for its owner
	out=$(vl 1001 CheckpointImport "{\"path\":\"$T/good.tar\",\"name\":\"copy\"}")
	assert_eq "$(echo "$out" | jq -r .name)" copy "the untouched archive imports"
	mctl 1001 rm copy >/dev/null
}

# An image whose name an import would refuse is refused by the export, so
# that no archive is made that cannot come back; a corrald with no key
# (it never exported) refuses an import, and makes none.
test_ckpt_names_and_key() {
	setup
	local out
	echo x >"$STATE_D/containers/$ID/checkpoint/bad name.img"
	as_uid 1001 sh -c "umask 077; : >'$T/u1001/bad.tar'"
	out=$(vl 1001 CheckpointExport "{\"id\":\"src\",\"path\":\"$T/u1001/bad.tar\"}")
	assert_contains "$out" "checkpoint/bad name.img: a name that no import would take" "the export says which"
	rm "$STATE_D/containers/$ID/checkpoint/bad name.img"
	rm "$STATE_D/checkpoint.key"
	refused 1001 "$T/good.tar" "no key" | grep -q "it has no key" || fail "the import does not say there is no key"
	[ -e "$STATE_D/checkpoint.key" ] && fail "the import made a key"
	true
}

# Attack: a member's checkpoint names a bind source that hangs by the time
# it is imported (a FUSE mount whose server never answers, put over the
# A policy's refusal of an import is audited and logged as the
# CheckpointImport it is, not as a CreateContainer nobody called
test_ckpt_import_refused_by_policy_names_the_import() {
	setup
	echo '{"unprivileged": {"images": {"allow": ["nothing.example/*"]}}}' >"$T/p.json"
	stop_sv
	start_sv_group --policy "$T/p.json"
	local out
	out=$(vl 1001 CheckpointImport "{\"path\":\"$T/good.tar\",\"name\":\"copy\"}")
	assert_contains "$out" "PolicyViolation" "an image off the allow-list"
	nothing_left "an import the policy refuses"
	assert_eq "$(grep '"result":"PolicyViolation"' "$STATE_D/audit.log" | jq -r .method)" \
		io.corral.Supervisor.CheckpointImport "the audit names the method called"
	grep -q "refused CheckpointImport from uid 1001" "$T/corrald.log" || fail "the log: $(grep refused "$T/corrald.log")"
}

# source's directory). The import opens it as the member without holding
# up corrald: root is served meanwhile, and once the file system goes the
# import is refused in one line with nothing left. With its source back,
# the same archive is imported, the answer coming once the member's
# sources are open.
test_ckpt_import_of_a_source_that_hangs_blocks_no_one() {
	local importing out id
	FUSEFD=""
	trap '[ -z "$FUSEFD" ] || exec {FUSEFD}>&-; umount -l "$T/u1001/src" 2>/dev/null || true; cleanup_sv' EXIT
	mkdir -p "$T/u1001/src/d"
	chown -R 1001 "$T/u1001"
	echo "{\"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T/u1001\"]}}}" >"$T/p.json"
	start_sv_group --policy "$T/p.json"
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	mctl 1001 create --name src -v "$T/u1001/src/d:/h" bb:1 true >/dev/null || fail "member create"
	ID=$(ctl inspect --format '{{.Id}}' src@1001)
	mkdir "$STATE_D/containers/$ID/checkpoint"
	echo inventory >"$STATE_D/containers/$ID/checkpoint/inventory.img"
	as_uid 1001 sh -c "umask 077; : >'$T/u1001/ck.tar'"
	assert_eq "$(vl 1001 CheckpointExport "{\"id\":\"src\",\"path\":\"$T/u1001/ck.tar\"}")" "{}" "the export"
	chmod 644 "$T/u1001/ck.tar"
	exec {FUSEFD}<>/dev/fuse || skip "no /dev/fuse"
	mount -i -t fuse -o "fd=$FUSEFD,rootmode=40000,user_id=0,group_id=0,allow_other" hang "$T/u1001/src" ||
		skip "cannot mount a fuse file system"
	vl 1001 CheckpointImport "{\"path\":\"$T/u1001/ck.tar\",\"name\":\"copy\"}" >"$T/out" {FUSEFD}>&- &
	importing=$!
	wait_for 10 pgrep -u 1001 -P "$CORRALD_PID"
	ctl ping >/dev/null {FUSEFD}>&- || fail "root's call while the member's source hangs"
	kill -0 "$importing" 2>/dev/null || fail "the import ended before its source did: $(cat "$T/out")"
	exec {FUSEFD}>&-
	FUSEFD=""
	wait "$importing"
	out=$(cat "$T/out")
	assert_contains "$out" "cannot open $T/u1001/src/d as uid 1001" "the refusal: $out"
	nothing_left "a source that hung"
	umount -l "$T/u1001/src"
	out=$(vl 1001 CheckpointImport "{\"path\":\"$T/u1001/ck.tar\",\"name\":\"copy\"}")
	id=$(echo "$out" | jq -r .id)
	assert_eq "$(echo "$out" | jq -r .name)" copy "imported, its source back: $out"
	assert_eq "$(mctl 1001 inspect --format '{{.State.Checkpointed}}' copy)" true "checkpointed"
	assert_eq "$(cat "$STATE_D/containers/$id/checkpoint/inventory.img")" inventory "its checkpoint"
	mctl 1001 rm copy >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
