#!/bin/bash
# The CRI's ImageService, corral's (corrald's CRI socket, corral-cri) beside
# containerd's (its CRI plugin, the image service alone: cri/cri_lib.sh),
# the same calls on each (cri/cri_call.py): pulls from a registry of the
# tests' own (registry_lib.sh: TLS, and Basic auth), ListImages,
# ImageStatus, RemoveImage and ImageFsInfo, compared field by field where
# both must agree. Where they differ by design, each case says why and
# asserts corral's own answer. corrald, containerd and the registry share
# the case's network namespace.
# time: about 45 s (5 cases), 60 s on a busy machine: each starts a registry, corrald and containerd, and pulls through both CRIs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
. "$(dirname "$0")/cri/cri_lib.sh"

file_skip() {
	echo "SKIP test_cri_images.sh: $*"
	echo "skip test_cri_images" >>"$RESULTS"
	exit 0
}
for t in containerd protoc umoci docker-registry skopeo htpasswd openssl jq nsenter unshare setpriv; do
	command -v $t >/dev/null || file_skip "$t is not installed (tests/deps.sh installs it)"
done
$PY -c 'import grpc, google.protobuf' 2>/dev/null ||
	file_skip "Debian's python3-grpcio and python3-protobuf are not installed (tests/deps.sh)"
$REG_PY -c 'import cryptography' 2>/dev/null || file_skip "Debian's python3-cryptography is not installed (tests/deps.sh)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

# setup MODE [corrald flags]: a registry of MODE (tls, or basic: alice's
# password) holding the fixture's image three ways: images/test:1 (no
# User), images/user:1 (User app:wheel), images/uid:1 (User 4321:4321);
# corrald with its CRI socket and containerd's image service, both in the
# registry's network namespace and trusting its CA
setup() {
	trap 'stop_containerd_images; cleanup_sv' EXIT
	reg_setup
	reg_start reg "$1" >/dev/null
	cp -a "$FIXTURES/images/oci" "$T/oci"
	umoci config --image "$T/oci:test" --tag uid --config.user 4321:4321
	local tag
	for tag in test user uid; do
		reg_push "$REG_reg" "oci:$T/oci:$tag" "images/$tag:1" --digestfile "$T/digest.$tag"
	done
	start_sv_reg --cri-socket "$S/cri.sock" --cri-user 65533:65533 "${@:2}"
	mkdir -p "$T/hosts/$REG_reg"
	# the host, and the server it falls back to on a 404, each with the CA
	printf 'server = "https://%s"\nca = "%s"\n[host."https://%s"]\n  ca = "%s"\n' \
		"$REG_reg" "$REG_CA" "$REG_reg" "$REG_CA" >"$T/hosts/$REG_reg/hosts.toml"
	CD="$T/containerd"
	start_containerd_images "$T/netns" "$T/hosts"
}

# METHOD [JSON]: the call on corral's CRI, or containerd's; a failed call
# prints "error: CODE: details" (and the function returns 0)
on_corral() { CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_call.py" --sock "$S/cri.sock" "$@" || true; }
on_containerd() { CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_call.py" --sock "$CDS/c.sock" "$@" || true; }
# UID METHOD [JSON]: on corral's, as that member of corrald's group
as_member() {
	local u=$1
	shift
	as_uid "$u" env CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_call.py" --sock "$S/cri.sock" "$@" || true
}
spec() { jq -cn --arg i "$1" '{image: {image: $i}}'; } # REF: a request's image
ref() { echo "$REG_reg/images/$1:1"; }                  # NAME: its reference in the registry
# RUNTIME REF: the pulled image's id, or the call's error
pull() { image_ref "$(on_"$1" PullImage "$(spec "$2")")"; }
image_ref() { jq -er .imageRef <<<"$1" 2>/dev/null || echo "$1"; } # PullImage's answer

# What both give alike of an Image (its lists sorted). Where they differ:
# size (corral's counts the bytes of the unpacked layers, containerd's its
# compressed blobs); spec (corral's names the image by its id; containerd
# 1.6 sets none).
AGREE='{id, repoTags: (.repoTags | sort), repoDigests: (.repoDigests | sort), uid, username, pinned}'
agree() { jq -S "[.images[] | $AGREE] | sort_by(.id)"; } # ListImages' answer
# FILE NAME: the Image in a ListImages answer whose tag is NAME's
listed() { jq --arg r "$(ref "$2")" '.images[] | select(.repoTags | index($r))' "$1"; }

test_cri_images_beside_containerd() {
	setup tls
	local n ids=() mine theirs
	for n in test user uid; do
		mine=$(pull corral "$(ref $n)")
		theirs=$(pull containerd "$(ref $n)")
		[[ $mine =~ ^sha256:[0-9a-f]{64}$ ]] || fail "corral's image_ref for $n: $mine"
		assert_eq "$mine" "$theirs" "image_ref of $n (the config digest)"
		ids+=("$mine")
	done
	on_corral ListImages >"$T/list.corral"
	on_containerd ListImages >"$T/list.containerd"
	assert_eq "$(agree <"$T/list.corral")" "$(agree <"$T/list.containerd")" "ListImages: ids, names, users"
	assert_eq "$(jq '.images | length' "$T/list.corral")" 3 "three images"
	# the users as containerd reads a config's User: USER[:GROUP], a
	# number is uid, else username
	assert_eq "$(listed "$T/list.corral" uid | jq -c '[.uid.value, .username]')" '["4321",""]' "User 4321:4321"
	assert_eq "$(listed "$T/list.corral" user | jq -c '[.uid, .username]')" '[null,"app"]' "User app:wheel"
	assert_eq "$(listed "$T/list.corral" test | jq -c '[.uid, .username]')" '[null,""]' "no User"
	assert_eq "$(listed "$T/list.corral" test | jq -c .repoDigests)" "[\"$REG_reg/images/test@$(cat "$T/digest.test")\"]" \
		"repo_digests: where it was pulled from, at the registry's manifest digest"
	local size csize
	for n in test user uid; do
		size=$(listed "$T/list.corral" $n | jq -r .size)
		csize=$(listed "$T/list.containerd" $n | jq -r .size)
		[ "$size" -ge "$csize" ] && [ "$size" -lt $((csize * 4)) ] ||
			fail "$n: corral's size $size (unpacked) is not within [1, 4) times containerd's $csize (compressed)"
		assert_eq "$(listed "$T/list.corral" $n | jq -r .spec.image)" "$(listed "$T/list.corral" $n | jq -r .id)" "spec: its id"
	done

	# ImageStatus by name, by id and by repo digest: the same Image as
	# listed, and no info unless verbose
	local by digest req
	digest=$(listed "$T/list.corral" test | jq -r '.repoDigests[0]')
	for by in "$(ref test)" "${ids[0]}" "$digest"; do
		on_corral ImageStatus "$(spec "$by")" >"$T/st.corral"
		on_containerd ImageStatus "$(spec "$by")" >"$T/st.containerd"
		assert_eq "$(jq -S ".image | $AGREE" "$T/st.corral")" "$(jq -S ".image | $AGREE" "$T/st.containerd")" "ImageStatus of $by"
		assert_eq "$(jq -r .image.id "$T/st.corral")" "${ids[0]}" "ImageStatus of $by: the image"
		assert_eq "$(jq -c .info "$T/st.corral")" '{}' "no info unless verbose"
	done
	# verbose: "info" is the image's OCI config as containerd writes it;
	# containerd's also has the layers' chainID, which corral-cri cannot
	# hash (no libcrypto in its sandbox) and corrald does not say
	for n in test user uid; do
		req=$(jq -cn --arg i "$(ref $n)" '{image: {image: $i}, verbose: true}')
		on_corral ImageStatus "$req" >"$T/v.corral"
		on_containerd ImageStatus "$req" >"$T/v.containerd"
		assert_eq "$(jq -S '.info.info | fromjson | .imageSpec' "$T/v.corral")" \
			"$(jq -S '.info.info | fromjson | .imageSpec' "$T/v.containerd")" "the verbose imageSpec of $n"
		assert_eq "$(jq -c '.info.info | fromjson | keys' "$T/v.containerd")" '["chainID","imageSpec"]' "containerd's info"
		assert_eq "$(jq -c '.info.info | fromjson | keys' "$T/v.corral")" '["imageSpec"]' "corral's info"
	done
	assert_eq "$(jq -r '.info.info | fromjson | .imageSpec.config.User' "$T/v.corral")" "4321:4321" "the config's User"
	# an image that is not there: an answer without one, not an error,
	# verbose or not
	for req in "$(spec "$REG_reg/images/nosuch:1")" \
		"$(jq -cn --arg i "sha256:$(printf %064d 0)" '{image: {image: $i}, verbose: true}')"; do
		assert_eq "$(on_corral ImageStatus "$req" | jq -c .)" '{"info":{}}' "corral: ImageStatus $req"
		assert_eq "$(on_containerd ImageStatus "$req" | jq -c .)" '{"info":{}}' "containerd: ImageStatus $req"
	done
	# filter.image lists the image it names (CRI-O's reading); containerd
	# 1.6 ignores the filter and lists every image
	assert_eq "$(on_corral ListImages "{\"filter\":$(spec "$(ref user)")}" | jq -c '[.images[].repoTags[]]')" \
		"[\"$(ref user)\"]" "corral: the filter's image"
	assert_eq "$(on_corral ListImages "{\"filter\":$(spec "$REG_reg/images/nosuch:1")}" | jq -c .images)" '[]' \
		"corral: a filter naming no image"
	assert_eq "$(on_containerd ListImages "{\"filter\":$(spec "$(ref user)")}" | jq '.images | length')" 3 \
		"containerd: the filter ignored"
}

# With Basic auth: anonymous pulls fail on both, alice's credentials pull
# on both as username and password and as auth (base64 of user:password).
# A token goes as the password of a username (corral-images sends no
# bearer token of a caller's): containerd 1.6 ignores registry_token.
test_cri_images_pull_basic_auth() {
	setup basic
	local r out mine theirs auth runtime
	r=$(ref test)
	for out in "$(on_corral PullImage "$(spec "$r")")" "$(on_containerd PullImage "$(spec "$r")")"; do
		assert_contains "$out" "error: UNKNOWN: " "an anonymous pull"
		assert_contains "$out" "$r" "... names the reference"
	done
	assert_contains "$(on_corral PullImage "$(spec "$r")")" "log in to $REG_reg first" "corral says why"
	auth=$(jq -cn --arg r "$r" --arg u "$REG_USER" --arg p "$REG_PASS" '{image: {image: $r}, auth: {username: $u, password: $p}}')
	mine=$(image_ref "$(on_corral PullImage "$auth")")
	theirs=$(image_ref "$(on_containerd PullImage "$auth")")
	[[ $mine =~ ^sha256: ]] || fail "corral's pull with username and password: $mine"
	assert_eq "$mine" "$theirs" "username and password"
	for runtime in corral containerd; do
		assert_eq "$(on_$runtime RemoveImage "$(spec "$r")" | jq -c .)" '{}' "$runtime: removed"
	done
	auth=$(jq -cn --arg r "$r" --arg a "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" '{image: {image: $r}, auth: {auth: $a}}')
	assert_eq "$(image_ref "$(on_corral PullImage "$auth")")" "$mine" "corral: auth"
	assert_eq "$(image_ref "$(on_containerd PullImage "$auth")")" "$mine" "containerd: auth"
	auth=$(jq -cn --arg r "$(ref user)" --arg u "$REG_USER" '{image: {image: $r}, auth: {username: $u, password: "nope"}}')
	assert_contains "$(on_corral PullImage "$auth")" "error: UNKNOWN: $(ref user): " "corral: a wrong password"
	assert_contains "$(on_containerd PullImage "$auth")" "error: UNKNOWN: " "containerd: a wrong password"
	# corral's own: a token as the password, and what it refuses
	auth=$(jq -cn --arg r "$(ref user)" --arg u "$REG_USER" --arg t "$REG_PASS" '{image: {image: $r}, auth: {username: $u, registryToken: $t}}')
	[[ $(image_ref "$(on_corral PullImage "$auth")") =~ ^sha256: ]] || fail "a registry_token as alice's password"
	auth=$(jq -cn --arg r "$(ref uid)" --arg t "$REG_PASS" '{image: {image: $r}, auth: {registryToken: $t}}')
	assert_eq "$(on_corral PullImage "$auth")" \
		"error: INVALID_ARGUMENT: auth.registry_token: a token is sent as the password of a username, and auth.username is empty" \
		"a token alone"
	auth=$(jq -cn --arg r "$(ref uid)" '{image: {image: $r}, auth: {auth: "not base64 of a pair"}}')
	assert_eq "$(on_corral PullImage "$auth")" "error: INVALID_ARGUMENT: auth.auth: not base64 of user:password" "a bad auth"
	# the password went to the registry alone
	! grep -rq "$REG_PASS" "$T/corrald.log" "$STATE_D" 2>/dev/null || fail "alice's password was written by corrald"
}

# RemoveImage takes the image with every name of it (containerd's reading:
# a tag is not untagged alone), and again is a success; ImageFsInfo says
# where the store is and what it holds.
test_cri_images_remove_twice_and_fs_info() {
	setup tls
	reg_push "$REG_reg" "oci:$T/oci:test" images/again:1 # test's image, a second name
	local n runtime id uid_id
	for n in test again uid; do
		for runtime in corral containerd; do pull $runtime "$(ref $n)" >/dev/null; done
	done
	assert_eq "$(on_corral ListImages | agree)" "$(on_containerd ListImages | agree)" "two images, one with two names"
	assert_eq "$(on_corral ImageStatus "$(spec "$(ref again)")" | jq -c '.image.repoTags | sort')" \
		"$(jq -cn --arg a "$(ref again)" --arg b "$(ref test)" '[$a, $b]')" "the names of one image"
	on_corral ImageFsInfo >"$T/fs.corral"
	on_containerd ImageFsInfo >"$T/fs.containerd"
	assert_eq "$(jq -r '.imageFilesystems[0].fsId.mountpoint' "$T/fs.corral")" "$STATE_D/images" "corral's image store"
	assert_eq "$(jq -r '.imageFilesystems[0].fsId.mountpoint' "$T/fs.containerd")" \
		"$CD/root/io.containerd.snapshotter.v1.overlayfs" "containerd's snapshotter"
	assert_eq "$(jq -r '.imageFilesystems[0].usedBytes.value' "$T/fs.corral")" \
		"$(on_corral ListImages | jq '[.images[].size | tonumber] | add')" "corral: the bytes of its images"
	# corrald counts no inodes: unset, the CRI's "unknown"; containerd sums
	# its snapshots' (every 10 s, so 0 here yet)
	assert_eq "$(jq -c '.imageFilesystems[0].inodesUsed' "$T/fs.corral")" null "corral's inodes"
	assert_eq "$(jq -c '.imageFilesystems[0].inodesUsed | has("value")' "$T/fs.containerd")" true "containerd's inodes"
	for runtime in corral containerd; do
		assert_eq "$(jq -c '[(.imageFilesystems | length), .containerFilesystems]' "$T/fs.$runtime")" '[1,[]]' "$runtime: one file system"
		local ts
		ts=$(jq -r '.imageFilesystems[0].timestamp' "$T/fs.$runtime")
		[ $((ts / 1000000000)) -le "$(date +%s)" ] && [ $((ts / 1000000000)) -gt $(($(date +%s) - 600)) ] ||
			fail "$runtime: the timestamp $ts is not of the last minutes"
	done
	id=$(on_corral ImageStatus "$(spec "$(ref test)")" | jq -r .image.id)
	uid_id=$(on_corral ImageStatus "$(spec "$(ref uid)")" | jq -r .image.id)
	for runtime in corral containerd; do
		assert_eq "$(on_$runtime RemoveImage "$(spec "$(ref test)")" | jq -c .)" '{}' "$runtime: removed by its tag"
		assert_eq "$(on_$runtime ImageStatus "$(spec "$id")" | jq -c .)" '{"info":{}}' "$runtime: gone"
		assert_eq "$(on_$runtime ImageStatus "$(spec "$(ref again)")" | jq -c .)" '{"info":{}}' "$runtime: with its other name"
		assert_eq "$(on_$runtime RemoveImage "$(spec "$(ref test)")" | jq -c .)" '{}' "$runtime: removed again"
		assert_eq "$(on_$runtime ListImages | jq -c '[.images[].id]')" "[\"$uid_id\"]" "$runtime: the other image stays"
		assert_eq "$(on_$runtime RemoveImage "$(spec "$uid_id")" | jq -c .)" '{}' "$runtime: removed by its id"
		assert_eq "$(on_$runtime ListImages | jq -c .images)" '[]' "$runtime: none left"
	done
	assert_eq "$(on_corral ImageFsInfo | jq -r '.imageFilesystems[0].usedBytes.value')" 0 "corral: nothing held"
	assert_eq "$(ctl --json image ls | jq length)" 0 "corrald holds no image"
}

# pull_error OUT CODE REF: a failed pull's answer: one line, the code,
# naming the reference
pull_error() {
	assert_contains "$1" "error: $2: " "a pull of $3"
	assert_contains "$1" "$3" "a pull of $3: the error names it"
	[ "$(wc -l <<<"$1")" -eq 1 ] || fail "a pull of $3: more than one line: $1"
}

# Bad input: an empty reference is INVALID_ARGUMENT naming the field
# (containerd 1.6 answers an empty ImageStatus and RemoveImage as if it
# named an image, and an empty pull UNKNOWN); a pull of what is not there
# fails naming the reference, as containerd's does: a registry's 404 is
# containerd's NOT_FOUND, and corral's UNKNOWN, since corrald's
# ImagePullFailed does not tell a 404 from other failures (kubelet takes
# every pull error alike: ErrImagePull).
test_cri_images_bad_input() {
	setup tls
	local m
	for m in ImageStatus PullImage RemoveImage; do
		assert_eq "$(on_corral $m '{"image":{"image":""}}')" \
			"error: INVALID_ARGUMENT: image.image: an image reference is required" "corral: $m of an empty reference"
		assert_eq "$(on_corral $m '{}')" "error: INVALID_ARGUMENT: image.image: an image reference is required" \
			"corral: $m of no image spec"
	done
	assert_contains "$(on_containerd PullImage '{"image":{"image":""}}')" "error: UNKNOWN: " "containerd: a pull of no image"
	local missing="$REG_reg/images/nosuch:1" out
	out=$(on_corral PullImage "$(spec "$missing")")
	pull_error "$out" UNKNOWN "$missing"
	assert_contains "$out" "not found (404)" "corral says why"
	pull_error "$(on_containerd PullImage "$(spec "$missing")")" NOT_FOUND "$missing"
	assert_eq "$(on_corral PullImage "$(spec "Not/A Reference")")" \
		'error: INVALID_ARGUMENT: Not/A Reference: InvalidParameter reference: Not/A Reference: invalid name component "Not" (lowercase letters, digits and . _ -)' \
		"corral: a reference that is none"
	assert_eq "$(on_corral ListImages | jq -c .images)" '[]' "nothing was pulled"
}

# A member of corrald's group pulls through the CRI as itself: the image
# is its own, which another member does not see nor remove. By corral's
# rules it sees root's images too (shared, read-only): it cannot remove
# them. Root's CRI view (kubelet's, whose image GC would remove what its
# pods do not use) holds root's images only; over varlink root sees a
# member's name as ~UID/NAME.
test_cri_images_members_own_their_pulls() {
	setup tls --group "$(getent group 65534 | cut -d: -f1)"
	chmod 755 "$T" "$S"
	local root_id mine by
	root_id=$(pull corral "$(ref user)")
	mine=$(image_ref "$(as_member 4242 PullImage "$(spec "$(ref test)")")")
	[[ $mine =~ ^sha256: ]] || fail "the member's pull: $mine"
	assert_eq "$(ctl --json image inspect "$mine" | jq -c '.[0].owners // .owners')" '[4242]' "the image is the member's"
	assert_eq "$(as_member 4242 ListImages | jq -c '[.images[] | .repoTags[]] | sort')" \
		"$(jq -cn --arg a "$(ref test)" --arg b "$(ref user)" '[$a, $b] | sort')" "the member's view: its own, and root's"
	assert_eq "$(as_member 4343 ListImages | jq -c '[.images[].id]')" "[\"$root_id\"]" "another member's view: root's only"
	for by in "$(ref test)" "$mine"; do
		assert_eq "$(as_member 4343 ImageStatus "$(spec "$by")" | jq -c .)" '{"info":{}}' "another member's ImageStatus of $by"
		assert_eq "$(as_member 4343 RemoveImage "$(spec "$by")" | jq -c .)" '{}' "another member's RemoveImage of $by: not there for it"
	done
	assert_eq "$(as_member 4242 ImageStatus "$(spec "$(ref test)")" | jq -r .image.id)" "$mine" "the member's image stays"
	assert_eq "$(on_corral ListImages | jq -c '[.images[].id]')" "[\"$root_id\"]" "root's CRI view: root's only"
	assert_eq "$(on_corral ImageStatus "$(spec "$mine")" | jq -c .)" '{"info":{}}' "root's CRI ImageStatus of the member's"
	assert_eq "$(on_corral RemoveImage "$(spec "$mine")" | jq -c .)" '{}' "root's CRI RemoveImage of the member's: not there for it"
	assert_contains "$(ctl --json image inspect "$mine" | jq -c .)" "~4242/$(ref test)" "root's varlink view of the member's name"
	assert_contains "$(as_member 4242 RemoveImage "$(spec "$(ref user)")")" "error: PERMISSION_DENIED: " "the member removes root's"
	assert_eq "$(on_corral ImageStatus "$(spec "$(ref user)")" | jq -r .image.id)" "$root_id" "root's image stays"
	assert_eq "$(as_member 4242 RemoveImage "$(spec "$(ref test)")" | jq -c .)" '{}' "the member removes its own"
	assert_eq "$(as_member 4242 ListImages | jq -c '[.images[].id]')" "[\"$root_id\"]" "the member's image is gone"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
