#!/bin/bash
# Pushes: corralctl push and the Docker API's, to the tests' registries
# (registry_lib.sh) with the logins pulls use; a blob goes once (HEAD
# first), across repositories of one registry by a mount; a member pushes
# only what it sees, where the policy lets it pull. The registries and
# corrald share the test's network namespace.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
. "$(dirname "$0")/docker_lib.sh"

file_skip() {
	echo "SKIP test_push.sh: $*"
	echo "skip test_push" >>"$RESULTS"
	exit 0
}
for t in docker-registry skopeo htpasswd openssl jq nsenter unshare setpriv; do
	command -v $t >/dev/null || file_skip "$t is not installed (tests/deps.sh installs it)"
done
$REG_PY -c 'import cryptography' 2>/dev/null || file_skip "Debian's python3-cryptography is not installed (tests/deps.sh)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

cleanup_push() {
	cleanup_sv
	reg_cleanup
}

# the registry's digest of HOSTPORT/REPO:TAG, as skopeo reads it
reg_digest() { # HOSTPORT REPO:TAG
	local creds=()
	case "$(cat "$REG_DIR/modes/$1")" in basic | token) creds=(--creds "$REG_USER:$REG_PASS") ;; esac
	nsenter --net="$T/netns" skopeo inspect --retry-times 0 --cert-dir "$REG_CERTS" "${creds[@]}" \
		"docker://$1/$2" | jq -r .Digest
}
digest_of() { ctl --json image inspect "$1" | jq -r '.[0].digest // .digest'; }

# blob bodies the registry took since reg_log_mark: PUTs and PATCHes of uploads
uploads() { echo $(($(reg_gets "$1" /blobs/uploads/ PUT) + $(reg_gets "$1" /blobs/uploads/ PATCH))); }

test_push_then_pull_back_and_nothing_sent_twice() {
	trap cleanup_push EXIT
	reg_setup
	reg_start main tls >/dev/null
	start_sv_reg
	ctl image import "oci:$IMGS/oci:test" web:1 >/dev/null
	local want out
	want=$(digest_of web:1)
	out=$(ctl push --digestfile "$T/dg" web:1 "$REG_main/team/web:1" 2>&1) || fail "push: $out"
	assert_contains "$out" "Writing manifest to image destination" "podman's progress"
	assert_contains "$out" "done" "a blob sent"
	assert_eq "$(cat "$T/dg")" "$want" "--digestfile"
	assert_eq "$(reg_digest "$REG_main" team/web:1)" "$want" "the registry holds the store's manifest"
	[ "$(grep -c ' "PUT /v2/team/web/blobs/uploads/' "$REG_LOG_main")" -ge 2 ] || fail "fewer blob uploads than layers and config"
	# again: every blob is HEADed, none sent
	reg_log_mark main
	out=$(ctl push web:1 "$REG_main/team/web:1" 2>&1) || fail "second push: $out"
	assert_contains "$out" "skipped: already exists" "said so"
	assert_eq "$(uploads main)" 0 "blob uploads of the second push"
	assert_eq "$(reg_gets main /blobs/uploads/ POST)" 0 "uploads started by the second push"
	[ "$(reg_gets main /team/web/blobs/sha256: HEAD)" -ge 2 ] || fail "no HEAD of the blobs"
	assert_eq "$(reg_gets main /team/web/manifests/1 PUT)" 1 "the manifest put once"
	# and back: the same image
	ctl rmi web:1 >/dev/null
	ctl pull -q "$REG_main/team/web:1" >/dev/null
	assert_eq "$(digest_of "$REG_main/team/web:1")" "$want" "pulled back"
	assert_eq "$(ctl run --rm --pull never "$REG_main/team/web:1" echo hi)" hi "runs"
	# with no destination, its own name; a short destination is refused
	out=$(ctl push -q "$REG_main/team/web:1" 2>&1) || fail "push by its name: $out"
	out=$(ctl push -q "$REG_main/team/web:1" web:2 2>&1) && fail "pushed to a short name"
	assert_eq "$out" "corralctl: ImagePush: destination: web:2: must name its registry: HOST[:PORT]/PATH[:TAG]" "one line"
	out=$(ctl push nosuch:1 "$REG_main/x:1" 2>&1) && fail "pushed what is not there"
	assert_eq "$out" "corralctl: ImagePush: no such image: nosuch:1" "one line"
}

# A second repository of the same registry: the layers are mounted from the
# one the image was pulled from, and no blob is uploaded.
test_push_mounts_across_repositories() {
	trap cleanup_push EXIT
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	start_sv_reg
	ctl pull -q "$REG_main/library/busybox:1" >/dev/null
	reg_log_mark main
	local out
	out=$(ctl push "$REG_main/library/busybox:1" "$REG_main/copies/busybox:1" 2>&1) || fail "push: $out"
	assert_contains "$out" "mounted from library/busybox" "said so"
	[ "$(reg_gets main "mount=sha256" POST)" -ge 2 ] || fail "no mounts: $(tail -5 "$REG_LOG_main")"
	assert_eq "$(uploads main)" 0 "blob uploads"
	assert_eq "$(reg_digest "$REG_main" copies/busybox:1)" "$REG_DIGEST_busybox" "the same manifest"
}

# Logins as pulls use them: Basic and token registries; a token asks for
# pull and push; credentials the registry no longer takes fail in one line.
test_push_with_logins() {
	trap cleanup_push EXIT
	reg_setup
	reg_start priv basic >/dev/null
	reg_start tok token >/dev/null
	start_sv_reg
	ctl image import "oci:$IMGS/oci:test" web:1 >/dev/null
	local out want
	want=$(digest_of web:1)
	out=$(ctl push -q web:1 "$REG_priv/web:1" 2>&1) && fail "pushed without a login"
	assert_contains "$out" "log in to $REG_priv first" "anonymous"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	echo "$REG_PASS" | ctl login -u alice --password-stdin "$REG_priv" >/dev/null
	echo "$REG_PASS" | ctl login -u alice --password-stdin "$REG_tok" >/dev/null
	ctl push -q web:1 "$REG_priv/web:1" || fail "push with the login"
	assert_eq "$(reg_digest "$REG_priv" web:1)" "$want" "basic"
	ctl push -q web:1 "$REG_tok/team/web:1" || fail "push with a token"
	assert_eq "$(reg_digest "$REG_tok" team/web:1)" "$want" "token"
	grep -q "user=alice .*scope=repository:team/web:pull,push" "$REG_TOKEN_LOG" || fail "no push scope asked: $(cat "$REG_TOKEN_LOG")"
	# a pull of it asks for pull alone, and gets the same image
	ctl rmi web:1 >/dev/null
	ctl pull -q "$REG_tok/team/web:1" >/dev/null
	assert_eq "$(digest_of "$REG_tok/team/web:1")" "$want" "pulled back with a token"
	grep -q "user=alice .*scope=repository:team/web:pull$" "$REG_TOKEN_LOG" || fail "no pull scope asked: $(cat "$REG_TOKEN_LOG")"
	# the registry changes alice's password: the kept login fails
	reg_stop priv
	htpasswd -Bbn "$REG_USER" other >"$REG_DIR/htpasswd" 2>/dev/null
	reg_start priv basic >/dev/null
	out=$(ctl push -q "$REG_tok/team/web:1" "$REG_priv/again:1" 2>&1) && fail "pushed with wrong credentials"
	assert_contains "$out" "authentication failed (401)" "the registry's refusal"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	assert_eq "$(find "$STATE_D/images/staging" "$STATE_D/images/ingest" -mindepth 1 -type f 2>/dev/null | wc -l)" 0 "no debris"
}

# A member pushes what it sees, where the policy lets it pull; another
# member's image is not there for it, by name or by ID.
test_push_members_apart() {
	trap cleanup_push EXIT
	reg_setup
	reg_start main tls >/dev/null
	cat >"$T/policy.json" <<-EOF
	{"unprivileged": {"images": {"registries": ["$REG_main"]}}}
	EOF
	start_sv_reg --group "$(getent group 65534 | cut -d: -f1)" --policy "$T/policy.json"
	chmod 755 "$T"
	cp "$IMGS/test.oci.tar" "$T/img.tar" && chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" mine:1 >/dev/null
	local id out
	id=$(mctl 4242 --json image inspect mine:1 | jq -r '.[0].id // .id')
	reg_log_mark main
	out=$(mctl 4343 push mine:1 "$REG_main/stolen:1" 2>&1) && fail "a member pushed another's image"
	assert_contains "$out" "no such image: mine:1" "by name"
	out=$(mctl 4343 push "$id" "$REG_main/stolen:1" 2>&1) && fail "a member pushed another's image by ID"
	assert_contains "$out" "no such image" "by ID"
	assert_eq "$(reg_gets main /v2/stolen HEAD)" 0 "the registry was not asked"
	out=$(mctl 4242 push mine:1 "127.0.0.2:1/mine:1" 2>&1) && fail "a member pushed outside images.registries"
	assert_contains "$out" "unprivileged.images.registries" "the policy's key"
	mctl 4242 push -q mine:1 "$REG_main/mine:1" || fail "a member pushed its own"
	assert_eq "$(reg_digest "$REG_main" mine:1)" "$(mctl 4242 --json image inspect mine:1 | jq -r '.[0].digest // .digest')" "pushed"
}

# docker push through corrald's Docker socket, and docker pull back.
test_push_docker_cli() {
	command -v docker >/dev/null || skip "the docker CLI is not installed (docker.io)"
	trap cleanup_push EXIT
	reg_setup
	reg_start main tls >/dev/null
	start_sv_reg $(docker_flags)
	import_busybox
	local want out
	want=$(digest_of busybox:latest)
	dock tag busybox:latest "$REG_main/dk/busybox:t"
	out=$(dock push "$REG_main/dk/busybox:t" 2>&1) || fail "docker push: $out"
	assert_contains "$out" "The push refers to repository [$REG_main/dk/busybox]" "docker's first line"
	assert_contains "$out" "t: digest: $want size:" "docker's last line"
	assert_eq "$(reg_digest "$REG_main" dk/busybox:t)" "$want" "the registry has it"
	out=$(dock push "$REG_main/dk/busybox:t" 2>&1) || fail "docker push again: $out"
	assert_contains "$out" "Layer already exists" "nothing sent twice"
	dock rmi "$REG_main/dk/busybox:t" >/dev/null
	dock pull -q "$REG_main/dk/busybox:t" >/dev/null || fail "docker pull"
	assert_eq "$(digest_of "$REG_main/dk/busybox:t")" "$want" "pulled back"
	out=$(dock push "$REG_main/dk/nosuch:1" 2>&1) && fail "docker pushed what is not there"
	assert_contains "$out" "No such image" "docker's words"
}

# An image corral built (its layers written by the layer writer, stored
# uncompressed) pushes, and pulls back to the same content and the same run.
test_push_a_built_image_and_pull_it_back() {
	command -v docker >/dev/null || skip "the docker CLI is not installed (docker.io)"
	trap cleanup_push EXIT
	reg_setup
	reg_start main tls >/dev/null
	start_sv_reg $(docker_flags)
	import_busybox
	mkdir -p "$T/ctx"
	echo shipped >"$T/ctx/f.txt"
	printf 'FROM busybox:latest\nCOPY f.txt /\nRUN echo built >>/f.txt\nCMD ["cat", "/f.txt"]\n' >"$T/ctx/Dockerfile"
	local out want
	out=$(dock build -t "$REG_main/built/app:1" "$T/ctx" 2>&1) || fail "build: $out"
	want=$(digest_of "$REG_main/built/app:1")
	out=$(dock push "$REG_main/built/app:1" 2>&1) || fail "docker push: $out"
	assert_eq "$(reg_digest "$REG_main" built/app:1)" "$want" "the registry has the built image"
	dock rmi "$REG_main/built/app:1" >/dev/null
	dock builder prune -f >/dev/null
	dock image prune -a -f >/dev/null
	dock pull -q "$REG_main/built/app:1" >/dev/null || fail "docker pull"
	assert_eq "$(digest_of "$REG_main/built/app:1")" "$want" "pulled back, the same manifest"
	assert_eq "$(dock run --rm "$REG_main/built/app:1" | tr '\n' ' ')" "shipped built " "and it runs"
}

# X-Registry-Auth: the credentials the docker CLI (from its config.json,
# with no docker login made through corrald) and the Python SDK
# (auth_config) send with a push or a pull, used for that call alone.
test_push_pull_docker_registry_auth() {
	command -v docker >/dev/null || skip "the docker CLI is not installed (docker.io)"
	trap cleanup_push EXIT
	reg_setup
	reg_start priv basic >/dev/null
	start_sv_reg $(docker_flags)
	import_busybox
	local want out
	want=$(digest_of busybox:latest)
	dock tag busybox:latest "$REG_priv/hdr/busybox:1"
	out=$(dock push "$REG_priv/hdr/busybox:1" 2>&1) && fail "pushed with no credentials"
	assert_contains "$out" "log in to $REG_priv first" "anonymous"
	mkdir -p "$T/dc0"
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REG_priv" "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" >"$T/dc0/config.json"
	out=$(dock push "$REG_priv/hdr/busybox:1" 2>&1) || fail "docker push with X-Registry-Auth: $out"
	assert_eq "$(reg_digest "$REG_priv" hdr/busybox:1)" "$want" "pushed with the header's credentials"
	# used for that call alone: corrald kept nothing
	out=$(ctl push -q busybox:latest "$REG_priv/hdr/kept:1" 2>&1) && fail "corrald kept the header's credentials"
	assert_contains "$out" "log in to $REG_priv first" "nothing kept"
	dock rmi "$REG_priv/hdr/busybox:1" >/dev/null
	dock pull -q "$REG_priv/hdr/busybox:1" >/dev/null || fail "docker pull with X-Registry-Auth"
	assert_eq "$(digest_of "$REG_priv/hdr/busybox:1")" "$want" "pulled back with the header's credentials"
	ctl rmi "$REG_priv/hdr/busybox:1" >/dev/null
	# the Python SDK's auth_config (base64url, no "auth" member)
	out=$(python3 - "$S/docker.sock" "$REG_priv/hdr/busybox" "$REG_USER" "$REG_PASS" 2>&1 <<-'EOP'
	import sys, docker
	c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
	img = c.images.pull(sys.argv[2], tag="1", auth_config={"username": sys.argv[3], "password": sys.argv[4]})
	print(img.id)
	EOP
	) || fail "python3-docker pull with auth_config: $out"
	assert_eq "$(digest_of "$REG_priv/hdr/busybox:1")" "$want" "pulled by the SDK"
	# a wrong password is the registry's refusal, in one line; garbage is a 400
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REG_priv" "$(printf '%s:wrong' "$REG_USER" | base64 -w0)" >"$T/dc0/config.json"
	out=$(dock push "$REG_priv/hdr/busybox:1" 2>&1) && fail "pushed with a wrong password"
	assert_contains "$out" "authentication failed (401)" "the registry's refusal"
	out=$(curl -s -w ' %{http_code}' --unix-socket "$S/docker.sock" -X POST -H 'X-Registry-Auth: %%%not-base64' \
		"http://d/v1.41/images/create?fromImage=$REG_priv/hdr/busybox&tag=1")
	assert_contains "$out" "X-Registry-Auth: not base64url of a JSON object" "garbage named"
	assert_contains "$out" " 400" "a 400"
	# varlink's own credentials are checked as Login's: named, never echoed
	out=$("$B/tests/helpers/vlcall" "$SOCK" '{"method":"io.corral.Supervisor.ImagePull","parameters":{"reference":"'"$REG_priv"'/hdr/busybox:1","credentials":{"username":"a:b","password":"s3cret-x"}}}')
	assert_contains "$out" '"parameter":"credentials.username"' "a bad username named"
	out=$("$B/tests/helpers/vlcall" "$SOCK" '{"method":"io.corral.Supervisor.ImagePush","parameters":{"image":"busybox:latest","destination":"'"$REG_priv"'/hdr/x:1","credentials":{"username":"u","password":"s3cret-x","token":"t"}}}')
	assert_contains "$out" '"parameter":"credentials.token"' "an unknown member named"
	case "$out" in *s3cret-x*) fail "the password was echoed: $out" ;; esac
	assert_eq "$(find "$STATE_D/images/staging" "$STATE_D/images/ingest" -mindepth 1 -type f 2>/dev/null | wc -l)" 0 "no debris"
}

# docker login tries the credentials and corrald keeps nothing: the CLI
# keeps them and sends them with each pull, so its logout (made on the
# client's side alone) ends their use; once corrald kept them and a pull
# after docker logout still went through. python3-docker's login the same.
test_push_docker_login_then_logout() {
	command -v docker >/dev/null || skip "the docker CLI is not installed (docker.io)"
	trap cleanup_push EXIT
	reg_setup
	reg_start priv basic >/dev/null
	reg_push_fixtures "$REG_priv"
	start_sv_reg $(docker_flags)
	local ref="$REG_priv/library/busybox:1" out
	out=$(echo wrong | dock login -u "$REG_USER" --password-stdin "$REG_priv" 2>&1) && fail "logged in with a wrong password"
	assert_contains "$out" "401" "the registry's refusal"
	out=$(echo "$REG_PASS" | dock login -u "$REG_USER" --password-stdin "$REG_priv" 2>&1) || fail "docker login: $out"
	assert_contains "$out" "Login Succeeded" "docker login"
	assert_eq "$(ls "$STATE_D/logins" 2>/dev/null | grep -vx key)" "" "corrald kept nothing"
	dock pull -q "$ref" >/dev/null || fail "docker pull after docker login"
	dock rmi "$ref" >/dev/null
	dock logout "$REG_priv" >/dev/null
	out=$(dock pull "$ref" 2>&1) && fail "pulled after docker logout"
	assert_contains "$out" "log in to $REG_priv first" "after logout"
	out=$(python3 - "$S/docker.sock" "$REG_priv" "$REG_USER" "$REG_PASS" "$ref" 2>&1 <<-'EOP'
	import sys, docker
	c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
	print(c.login(username=sys.argv[3], password=sys.argv[4], registry=sys.argv[2])["Status"])
	print(c.images.pull(sys.argv[5]).id)
	c2 = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
	try:
	    c2.images.pull(sys.argv[5])
	except docker.errors.APIError as e:
	    print("refused:", e.explanation)
	EOP
	) || fail "python3-docker: $out"
	assert_contains "$out" "Login Succeeded" "the SDK's login"
	assert_contains "$out" "sha256:" "the SDK's pull with its login"
	assert_contains "$out" "refused: " "another client, with no login of its own"
	assert_contains "$out" "log in to $REG_priv first" "... is told to log in"
	# corralctl login keeps them, and its logout forgets
	echo "$REG_PASS" | ctl login -u "$REG_USER" --password-stdin "$REG_priv" >/dev/null
	ctl pull -q "$ref" >/dev/null || fail "corralctl pull with its login"
	ctl logout "$REG_priv" >/dev/null
	ctl rmi "$ref" >/dev/null
	out=$(ctl pull "$ref" 2>&1) && fail "corralctl pulled after its logout"
	assert_contains "$out" "log in to $REG_priv first" "after corralctl logout"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
