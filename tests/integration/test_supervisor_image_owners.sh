#!/bin/bash
# Image names are per owner (corrald(8) SECURITY): a member of the access
# group imports, sees, runs, removes and prunes its own names and images,
# and sees root's shared read-only; it never replaces, removes or runs past
# the allow list anything of root's, and never sees another member's. Each
# test attacks as a member and cleans up its daemon, containers, monitors,
# mounts and cgroups, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
M1=65534
M2=4242

# The group corrald lets in, two members of it (by a supplementary group),
# and archives they can read: test.tar is the image root imports from
# oci:test (its user root), user.tar another one (its user app), entry.tar
# a third; docker-user.tar is user.tar with the RepoTags of root's
# docker-legacy.tar.
setup_members() {
	MGROUP=$(getent group 65534 | cut -d: -f1)
	[ -n "$MGROUP" ] || skip "no group with gid 65534"
	chmod 755 "$T"
	cp "$IMGS/test.oci.tar" "$T/test.tar"
	skopeo copy -q "oci:$IMGS/oci:user" "oci-archive:$T/user.tar"
	skopeo copy -q "oci:$IMGS/oci:entry" "oci-archive:$T/entry.tar"
	skopeo copy -q "oci:$IMGS/oci:user" "docker-archive:$T/docker-user.tar:corral.test/fixture:legacy"
	chmod 644 "$T"/*.tar
	start_sv --group "$MGROUP"
}
member() { mctl $M1 "$@"; }
member2() { mctl $M2 "$@"; }

# The output of a command that must fail.
refused() { # what COMMAND...
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || { fail "$what: accepted: $out"; return 1; }
	echo "$out"
}

# names NAME... as whom: the names of the images it lists, sorted
names() { "$@" --json image ls | jq -r '[.[].names[]] | sort | join(" ")'; }
id_of() { "${@:2}" --json image inspect "$1" | jq -r '.[0].id'; }

# Attack 1: a member imports under root's tag; root's tag still runs root's image.
test_svo_member_name_never_replaces_roots() {
	trap cleanup_sv EXIT
	setup_members
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	ctl image import "docker-archive:$IMGS/docker-legacy.tar" >/dev/null
	local root_id mine
	root_id=$(id_of bb:1 ctl)
	member image import "oci-archive:$T/user.tar" bb:1 >/dev/null || fail "a member imports under its own name"
	# the archive's own names are the member's too
	member image import "docker-archive:$T/docker-user.tar" >/dev/null || fail "a member imports a docker-archive"
	mine=$(id_of bb:1 member)
	[ "$mine" != "$root_id" ] || fail "the member's bb:1 is root's image"
	assert_eq "$(id_of bb:1 ctl)" "$root_id" "root's bb:1 still names root's image"
	assert_eq "$(jq -r '.refs["localhost/bb:1"]' "$STATE_D/images/refs.json")" \
		"$(ctl --json image inspect bb:1 | jq -r '.[0].manifestDigest')" "refs.json: root's name as it was"
	assert_eq "$(ctl run --rm bb:1 id -un)" root "root's run of bb:1 runs root's image"
	assert_eq "$(ctl run --rm corral.test/fixture:legacy id -un)" root "root's archive tag stays root's"
	assert_eq "$(member run --rm bb:1 id -un)" app "the member's run of bb:1 runs its own"
	assert_eq "$(member run --rm corral.test/fixture:legacy id -un)" app "the member's archive tag"
	# a second member sees root's, not the first member's
	assert_eq "$(member2 run --rm bb:1 id -un)" root "another member gets root's bb:1"
	assert_eq "$(names member2)" "corral.test/fixture:legacy localhost/bb:1" "another member lists root's names only"
	assert_eq "$(member2 --json image ls | jq length)" 1 "another member lists root's image only"
	local out
	out=$(refused "another member's image by ID" member2 image inspect "$mine")
	assert_contains "$out" "no such image" "another member's ID"
	out=$(refused "another member's image by ID prefix" member2 run --rm "${mine:7:12}" true)
	assert_contains "$out" "no such image" "another member's ID prefix"
	out=$(refused "another member's name, qualified" member2 image inspect "~$M1/bb:1")
	assert_contains "$out" "no such image" "another member's qualified name"
	# the member sees its own names and root's image, shared
	assert_eq "$(names member)" "corral.test/fixture:legacy localhost/bb:1" "the member's names hide root's"
	assert_eq "$(member --json image inspect "$root_id" | jq -r '.[0].owners | join(",")')" 0 "root's image, shared"
	# root sees everything, and whose each name is
	assert_eq "$(names ctl)" "corral.test/fixture:legacy localhost/bb:1 ~$M1/corral.test/fixture:legacy ~$M1/localhost/bb:1" \
		"root lists every name"
	assert_eq "$(ctl --json image inspect "~$M1/bb:1" | jq -r '.[0].owners | join(",")')" "$M1" \
		"root: the owner of the member's image"
	assert_eq "$(id_of "~$M1/bb:1" ctl)" "$mine" "root names the member's image"
	ctl image rm "~$M1/bb:1" >/dev/null || fail "root removes a member's name"
	assert_eq "$(names member)" "corral.test/fixture:legacy localhost/bb:1" "the member's bb:1 gone, root's shows"
	assert_eq "$(member run --rm bb:1 id -un)" root "and it is root's now"
}

# Attack 2: a member's own image under a name the allow list admits.
test_svo_allow_list_admits_roots_images_only() {
	trap cleanup_sv EXIT
	setup_members
	kill "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	echo '{"images": {"allow": ["tools/*"]}}' >"$T/p.json"
	start_sv --group "$MGROUP" --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" tools/ok:1 >/dev/null
	member image import "oci-archive:$T/user.tar" tools/evil:1 >/dev/null || fail "the member's import"
	local out mine
	out=$(refused "the member's own image on the list's name" member create tools/evil:1 true)
	assert_contains "$out" "spec.image: tools/evil:1 is your own image" "refused by name"
	assert_contains "$out" "images.allow" "the policy key"
	assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line: $out"
	mine=$(id_of tools/evil:1 member)
	out=$(refused "the member's own image by ID" member create "$mine" true)
	assert_contains "$out" "is your own image" "refused by ID"
	assert_eq "$(member ps -a -q | wc -l)" 0 "no container made"
	assert_eq "$(member run --rm tools/ok:1 id -un)" root "root's image on the list runs"
}

# Attacks 3 and 4: removing and pruning root's images, and what an error names.
test_svo_member_removes_and_prunes_only_its_own() {
	trap cleanup_sv EXIT
	setup_members
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	ctl image import "oci:$IMGS/oci:entry" spare:1 >/dev/null
	ctl create --name rootc bb:1 true >/dev/null
	local root_id out rootc_id
	root_id=$(id_of bb:1 ctl)
	rootc_id=$(ctl --json inspect rootc | jq -r '.[0].id')
	for a in "bb:1" "-f bb:1" "$root_id" "-f $root_id" "spare:1" "-f ${root_id:7:12}"; do
		# shellcheck disable=SC2086
		out=$(refused "rm $a" member image rm $a)
		assert_contains "$out" "permission denied" "rm $a: refused"
		assert_not_contains "$out" rootc "rm $a: root's container unnamed"
		assert_not_contains "$out" "${rootc_id:0:12}" "rm $a: root's container id unsaid"
	done
	member image prune -a >/dev/null || fail "a member's image prune -a"
	member system prune -a >/dev/null || fail "a member's system prune -a"
	assert_eq "$(names ctl)" "localhost/bb:1 localhost/spare:1" "root's images stay"
	assert_eq "$(ctl ps -a -q | wc -l)" 1 "root's container stays"
	ctl rm rootc >/dev/null

	# members' images: the first's goes with its prune, the second's stays
	member image import "oci-archive:$T/user.tar" m:1 >/dev/null
	member image import "oci-archive:$T/test.tar" shared:1 >/dev/null
	member2 image import "oci-archive:$T/entry.tar" e:1 >/dev/null
	member2 image import "oci-archive:$T/user.tar" u:1 >/dev/null
	local m_id
	m_id=$(id_of m:1 member)
	member image prune -a >/dev/null || fail "the member's prune"
	assert_eq "$(names member)" "localhost/bb:1 localhost/spare:1" "the member's names went, root's show"
	assert_eq "$(names member2)" "localhost/bb:1 localhost/e:1 localhost/spare:1 localhost/u:1" "the other member's stay"
	assert_eq "$(names ctl)" "localhost/bb:1 localhost/spare:1 ~$M2/localhost/e:1 ~$M2/localhost/u:1" "root's stay"
	assert_eq "$(member2 run --rm u:1 id -un)" app "the other member's image (held by both) still runs"
	assert_eq "$(member2 run --rm e:1 true >/dev/null && echo ok)" ok "the other member's own image still runs"
	assert_eq "$(ctl run --rm bb:1 id -un)" root "root's image still runs"
	out=$(refused "the pruned image by ID" member image inspect "$m_id")
	assert_contains "$out" "no such image" "the member let go of it"

	# attack 4: the member's image used by root's container: the refusal names no container of root's
	member2 image rm u:1 >/dev/null
	member image import "oci-archive:$T/user.tar" mine:1 >/dev/null
	local mine_id
	mine_id=$(id_of mine:1 member)
	ctl create --name rootc2 "$mine_id" true >/dev/null || fail "root runs a member's image by ID"
	rootc_id=$(ctl --json inspect rootc2 | jq -r '.[0].id')
	out=$(refused "rm of its image root uses" member image rm mine:1)
	assert_contains "$out" "image mine:1 is used by another user's container" "in use"
	assert_not_contains "$out" rootc2 "root's container unnamed"
	assert_not_contains "$out" "${rootc_id:0:12}" "root's container id unsaid"
	assert_eq "$(names member)" "localhost/bb:1 localhost/mine:1 localhost/spare:1" "nothing removed"
	# root's own in-use refusal still names its container
	out=$(refused "root's rm of an image in use" ctl image rm "~$M1/mine:1")
	assert_contains "$out" rootc2 "root hears its container's name"
}

# A member tags, loads, saves and lists as root does, and each is its
# own: its tag of root's image is its name (root's stays root's), its
# load is its image, its save writes only a file it can write itself, and
# another member sees none of it.
test_svo_member_tags_loads_and_saves_its_own() {
	trap cleanup_sv EXIT
	setup_members
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	local root_id
	root_id=$(id_of bb:1 ctl)
	member tag bb:1 mine:1 || fail "a member tags root's shared image"
	assert_eq "$(id_of mine:1 member)" "$root_id" "its name for root's image"
	assert_eq "$(names ctl)" "localhost/bb:1 ~$M1/localhost/mine:1" "the name is the member's"
	local out
	out=$(refused "another member's name" member2 image inspect mine:1)
	assert_contains "$out" "no such image" "another member does not see it"
	member tag bb:1 bb:1 || fail "a member tags root's name as its own"
	assert_eq "$(jq -r '.refs["localhost/bb:1"]' "$STATE_D/images/refs.json")" \
		"$(ctl --json image inspect bb:1 | jq -r '.[0].manifestDigest')" "root's bb:1 as it was"
	# load: an archive it reads, as its own; one it cannot read is refused
	mkdir -p "$T/m1" && chown $M1 "$T/m1"
	cp "$T/user.tar" "$T/m1/user.tar" && chown $M1 "$T/m1/user.tar" && chmod 600 "$T/m1/user.tar"
	skopeo copy -q "oci:$IMGS/oci:entry" "oci-archive:$T/secret.tar:ent"
	chmod 600 "$T/secret.tar"
	out=$(member load -i "$T/m1/user.tar") || fail "a member loads its own file"
	case "$out" in "Loaded image: sha256:"*) ;; *) fail "an unnamed archive loads as its ID: $out" ;; esac
	assert_eq "$(member --json image inspect "${out#Loaded image: }" | jq -c '.[0].owners')" "[$M1]" \
		"the loaded image is the member's"
	out=$(refused "another member's load" member2 image inspect "${out#Loaded image: }")
	assert_contains "$out" "no such image" "and not another member's"
	out=$(refused "a file only root reads" member load -i "$T/secret.tar")
	assert_contains "$out" "refused by policy: path:" "refused"
	assert_contains "$out" "only a file the peer itself can read" "the limit"
	assert_contains "$out" "secret.tar" "the file named"
	out=$(as_uid $M1 sh -c "cat '$T/m1/user.tar' | $CORRALCTL --socket $SOCK load") || fail "a member loads from stdin"
	assert_contains "$out" "Loaded image: sha256:" "an unnamed archive is its ID"
	# save: into a file of its own; a path it cannot write is refused
	as_uid $M1 "$CORRALCTL" --socket "$SOCK" save -o "$T/m1/out.tar" mine:1 || fail "a member saves"
	assert_eq "$(stat -c %u "$T/m1/out.tar")" $M1 "the archive is the member's"
	assert_eq "$(tar -xOf "$T/m1/out.tar" manifest.json | jq -r '.[0].RepoTags[0]')" localhost/mine:1 "named as asked"
	: >"$T/rootfile" && chmod 644 "$T/rootfile"
	out=$(refused "a file only root writes" member call ImageSave "{\"image\":\"mine:1\",\"path\":\"$T/rootfile\"}")
	assert_contains "$out" "PolicyViolation" "refused"
	assert_contains "$out" "only a file the peer itself can write" "the limit"
	assert_eq "$(stat -c %s "$T/rootfile")" 0 "root's file untouched"
	mkdir -p "$T/m2" && chown $M2 "$T/m2"
	out=$(refused "another member's image" member2 save -o "$T/m2/out.tar" "~$M1/mine:1")
	assert_contains "$out" "no such image" "not another member's"
	[ ! -e "$T/m2/out.tar" ] || fail "a refused save left its file"
	# images REPO lists only what the member sees
	assert_eq "$(member images --format '{{.Repository}}:{{.Tag}}' bb | sort | tr '\n' ' ')" "localhost/bb:1 " "images bb"
	assert_eq "$(member2 images --format '{{.Repository}}:{{.Tag}}' mine | wc -l)" 0 "another member's names unlisted"
}

# A gc holds the store whole: a member's prune whose gc runs does not fail
# another's create or root's tag (the soak found "busy: a gc holds it");
# each waits until the gc ends. So that they surely meet it, the gc is made
# to wait for the store behind a shared lock of the test's, then strace
# holds it for 3 s once it has the store, before it goes on.
# [c]: the pattern matches corral-images, never the shell of a wait_for
# that carries it on its own command line
gc_pid() { pgrep -f "[c]orral-images image gc --store $STATE_D" | head -1; }
test_svo_calls_wait_out_a_members_gc() {
	# the holder's sleep first: killing flock leaves its child (|| true:
	# the case runs under set -e, and a pkill that finds none fails)
	trap 'pkill -P "${SVO_HOLDER:-0}" || true; kill $(jobs -p) 2>/dev/null; cleanup_sv' EXIT
	setup_members
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	# a holder of its own: none of the calls below inherits its lock
	flock -s -o "$STATE_D/images/lock" sleep 1000 &
	SVO_HOLDER=$!
	local holder=$SVO_HOLDER
	wait_for 10 sh -c "grep -q ' READ *$holder ' /proc/locks" || fail "the test's lock was not taken"
	member image prune >"$T/prune.out" 2>&1 &
	local prune=$! gc
	wait_for 10 sh -c "pgrep -f '[c]orral-images image gc --store $STATE_D' >/dev/null" || fail "no gc ran"
	gc=$(gc_pid)
	strace -qq -o /dev/null -p "$gc" -e trace=flock -e inject=flock:delay_exit=3000000 &
	wait_for 10 sh -c "grep -q '^TracerPid:[[:space:]]*[1-9]' /proc/$gc/status" || fail "strace did not attach"
	pkill -P "$holder" sleep
	wait "$holder" 2>/dev/null || true # its sleep ended by a signal
	wait_for 10 sh -c "awk -v p=$gc '\$2 == \"FLOCK\" && \$4 == \"WRITE\" && \$5 == p {f = 1} END {exit !f}' /proc/locks" ||
		fail "the gc did not take the store: $(grep FLOCK /proc/locks)"
	member2 run --rm bb:1 echo ran >"$T/run.out" 2>&1 || fail "the run beside the gc: $(cat "$T/run.out")"
	assert_eq "$(cat "$T/run.out")" ran "the run's output"
	ctl image tag bb:1 bb:tagged >"$T/tag.out" 2>&1 || fail "the tag beside the gc: $(cat "$T/tag.out")"
	assert_contains "$(ctl --json image ls | jq -r '[.[].names[]] | join(" ")')" "bb:tagged" "the tag made"
	wait "$prune" || fail "the prune: $(cat "$T/prune.out")"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
