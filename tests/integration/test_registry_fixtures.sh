#!/bin/bash
# The registries of registry_lib.sh are what the pull tests take them for,
# seen through skopeo, curl and openssl alone (nothing of corral's): what
# reg_push_fixtures pushes, each mode of reg_start (plain, tls, basic,
# token), each misbehaviour of the hostile registry, and a cleanup that
# leaves no registry, server or netns behind, on failure too.
# time: about 85 s (8 cases): the fixture images pushed to registries of the tests' own and pulled back, hostile layers too
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"

file_skip() {
	echo "SKIP test_registry_fixtures.sh: $*"
	echo "skip test_registry_fixtures" >>"$RESULTS"
	exit 0
}
for t in docker-registry skopeo htpasswd openssl curl jq nsenter unshare setpriv; do
	command -v $t >/dev/null || file_skip "$t is not installed (tests/deps.sh installs it)"
done
$REG_PY -c 'import cryptography' 2>/dev/null || file_skip "Debian's python3-cryptography is not installed (tests/deps.sh)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

ACCEPT="application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json"
ACCEPT="$ACCEPT,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"
sha() { echo "sha256:$(sha256sum | cut -d' ' -f1)"; }
# manifest URL: print the manifest at URL, which stays in $T/m (so that
# msha hashes it byte for byte), its headers in $T/h
manifest() { reg_curl -f -D "$T/h" -H "Accept: $ACCEPT" -o "$T/m" "$@" && cat "$T/m"; }
msha() { sha <"$T/m"; }
header() { tr -d '\r' <"$T/h" | awk -v h="$(echo "$1" | tr A-Z a-z)" 'tolower($1) == h ":" {sub(/^[^:]*: */, ""); print}'; }
status() { tr -d '\r' <"$T/h" | awk 'NR == 1 {print $2}'; }
b64url() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	base64 -d <<<"$s"
}
# the processes of the test's registries: their command lines name $T/reg
reg_procs() { pgrep -f -- "$T/reg" || true; }
netns_mounted() { awk -v m="$T/netns" '$5 == m' /proc/self/mountinfo | grep -q .; }

# What reg_push_fixtures pushes to a tls registry: busybox, an index of two
# platforms, a Docker schema 2 image, two images sharing a layer, and a
# cosign signature that openssl verifies with cosign.pub.
test_reg_pushed_fixtures() {
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	local u="https://$REG_main/v2" m

	# TLS with the test CA, and only with it
	local rc=0
	nsenter --net="$T/netns" curl -s -o /dev/null "$u/" || rc=$?
	assert_eq "$rc" 60 "curl without the test CA (peer certificate not trusted)"
	[ -f "$REG_CERTS_D/$REG_main/ca.crt" ] || fail "no certs.d entry for $REG_main"

	# library/busybox:1: the fixture's OCI manifest, as skopeo sees it
	m=$(manifest "$u/library/busybox/manifests/1")
	assert_eq "$(msha)" "$REG_DIGEST_busybox" "busybox's manifest digest"
	assert_eq "$(header Docker-Content-Digest)" "$REG_DIGEST_busybox" "the registry's digest of busybox"
	assert_eq "$(header Content-Type)" application/vnd.oci.image.manifest.v1+json "busybox's media type"
	assert_eq "$(jq -r .config.mediaType <<<"$m")" application/vnd.oci.image.config.v1+json "busybox's config media type"
	local inspect
	inspect=$(nsenter --net="$T/netns" skopeo inspect --cert-dir "$REG_CERTS" "docker://$REG_main/library/busybox:1")
	assert_eq "$(jq -r .Digest <<<"$inspect")" "$REG_DIGEST_busybox" "skopeo inspect's digest"
	assert_eq "$(jq -r '.Layers | length' <<<"$inspect")" 3 "busybox's layers"
	assert_eq "$(jq -r .Env[0] <<<"$inspect")" GREETING=hello-from-image "busybox's config"

	# multi:1: an index of linux/amd64 (busybox and /platform) and linux/arm64
	m=$(manifest "$u/multi/manifests/1")
	assert_eq "$(msha)" "$REG_DIGEST_multi" "multi's index digest"
	assert_eq "$(jq -r .mediaType <<<"$m")" application/vnd.oci.image.index.v1+json "multi's media type"
	assert_eq "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | sort | join(" ")' <<<"$m")" \
		"linux/amd64 linux/arm64" "multi's platforms"
	local arch plat
	for arch in amd64 arm64; do
		local var="REG_DIGEST_multi_$arch" pm
		assert_eq "$(jq -r --arg a $arch '.manifests[] | select(.platform.architecture == $a) | .digest' <<<"$m")" \
			"${!var}" "multi's $arch entry"
		pm=$(manifest "$u/multi/manifests/${!var}")
		assert_eq "$(msha)" "${!var}" "multi's $arch manifest"
		assert_eq "$(reg_curl "$u/multi/blobs/$(jq -r .config.digest <<<"$pm")" | jq -r .architecture)" $arch \
			"the $arch config's architecture"
		plat=$(reg_curl "$u/multi/blobs/$(jq -r '.layers[-1].digest' <<<"$pm")" | tar -xzO platform)
		assert_eq "$plat" $arch "/platform in the $arch image"
	done
	assert_eq "$(manifest "$u/multi/manifests/$REG_DIGEST_multi_amd64" | jq '.layers | length')" 4 "amd64: busybox's 3 layers and /platform"
	assert_eq "$(manifest "$u/multi/manifests/$REG_DIGEST_multi_arm64" | jq '.layers | length')" 1 "arm64: /platform alone"

	# docker2:1: Docker schema 2
	m=$(manifest "$u/docker2/manifests/1")
	assert_eq "$(header Content-Type)" application/vnd.docker.distribution.manifest.v2+json "docker2's content type"
	assert_eq "$(jq -r .mediaType <<<"$m")" application/vnd.docker.distribution.manifest.v2+json "docker2's media type"
	assert_eq "$(jq -r '[.layers[].mediaType] | unique | join(" ")' <<<"$m")" \
		application/vnd.docker.image.rootfs.diff.tar.gzip "docker2's layer media type"
	assert_eq "$(msha)" "$REG_DIGEST_docker2" "docker2's digest"

	# shared-a:1 and shared-b:1: the same first layer, a second of their own
	local a b
	a=$(manifest "$u/shared-a/manifests/1")
	assert_eq "$(msha)" "$REG_DIGEST_shared_a" "shared-a's digest"
	b=$(manifest "$u/shared-b/manifests/1")
	assert_eq "$(msha)" "$REG_DIGEST_shared_b" "shared-b's digest"
	assert_eq "$(jq -r '.layers[0].digest' <<<"$a")" "$REG_BLOB_shared" "shared-a's first layer"
	assert_eq "$(jq -r '.layers[0].digest' <<<"$b")" "$REG_BLOB_shared" "shared-b's first layer"
	[ "$(jq -r '.layers[1].digest' <<<"$a")" != "$(jq -r '.layers[1].digest' <<<"$b")" ] || fail "shared-a and shared-b have the same second layer"
	assert_eq "$(reg_curl "$u/shared-b/blobs/$(jq -r '.layers[1].digest' <<<"$b")" | tar -xzO which)" b "shared-b's /which"
	# the access log counts what a client GETs
	reg_log_mark main
	assert_eq "$(reg_gets main "$REG_BLOB_shared")" 0 "GETs of the shared layer after the mark"
	assert_eq "$(reg_curl "$u/shared-a/blobs/$REG_BLOB_shared" | sha)" "$REG_BLOB_shared" "the shared layer"
	reg_curl -I -o /dev/null "$u/shared-b/blobs/$REG_BLOB_shared"
	assert_eq "$(reg_gets main "$REG_BLOB_shared")" 1 "GETs of the shared layer (a HEAD is not one)"
	assert_eq "$(reg_gets main "/v2/shared-a/blobs/$REG_BLOB_shared")" 1 "GETs of it from shared-a"

	# the signature, where cosign looks for it
	reg_curl "$u/library/busybox/tags/list" | jq -e --arg t "$REG_SIG_TAG" '.tags | index($t)' >/dev/null ||
		fail "no tag $REG_SIG_TAG in library/busybox"
	assert_eq "$REG_SIG_TAG" "sha256-${REG_DIGEST_busybox#sha256:}.sig" "the signature's tag"
	m=$(manifest "$u/library/busybox/manifests/$REG_SIG_TAG")
	assert_eq "$(msha)" "$REG_DIGEST_sig" "the signature's digest"
	assert_eq "$(jq -r '.layers | length' <<<"$m")" 1 "the signature's layers"
	assert_eq "$(jq -r '.layers[0].mediaType' <<<"$m")" application/vnd.dev.cosign.simplesigning.v1+json "its media type"
	reg_curl -o "$T/payload" "$u/library/busybox/blobs/$(jq -r '.layers[0].digest' <<<"$m")"
	cmp "$T/payload" "$REG_SIG_PAYLOAD" || fail "the payload in the registry is not the one signed"
	assert_eq "$(jq -r '.critical.image["docker-manifest-digest"]' "$T/payload")" "$REG_DIGEST_busybox" "the payload's digest"
	assert_eq "$(jq -r '.critical.identity["docker-reference"]' "$T/payload")" "$REG_main/library/busybox" "the payload's reference"
	assert_eq "$(jq -r .critical.type "$T/payload")" "cosign container image signature" "the payload's type"
	jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' <<<"$m" | base64 -d >"$T/sig"
	openssl dgst -sha256 -verify "$REG_COSIGN_PUB" -signature "$T/sig" "$T/payload" >/dev/null ||
		fail "openssl does not verify the signature with cosign.pub"
	sed 's/busybox/busybux/' "$T/payload" >"$T/forged"
	if openssl dgst -sha256 -verify "$REG_COSIGN_PUB" -signature "$T/sig" "$T/forged" >/dev/null 2>&1; then
		fail "a changed payload verifies too"
	fi
}

# plain: http, no TLS
test_reg_plain() {
	reg_setup
	reg_start p plain >/dev/null
	assert_eq "$REG_MODE_p" plain "its mode"
	reg_push "$REG_p" "oci:$FIXTURES/images/oci:test" library/busybox:1 --digestfile "$T/d"
	assert_eq "$(reg_curl -o /dev/null -w '%{http_code}' "http://$REG_p/v2/")" 200 "/v2/ over http"
	local rc=0
	reg_curl -o /dev/null "https://$REG_p/v2/" || rc=$?
	assert_eq "$rc" 35 "TLS to a plain registry (no handshake)"
	assert_eq "$(manifest "http://$REG_p/v2/library/busybox/manifests/1" >/dev/null; msha)" "$(cat "$T/d")" "busybox over http"
	assert_eq "$(nsenter --net="$T/netns" skopeo inspect --tls-verify=false "docker://$REG_p/library/busybox:1" | jq -r .Digest)" \
		"$(cat "$T/d")" "skopeo inspect over http"
	# stopped, it answers no more; started again, it is where it was, with its data
	local hp=$REG_p
	reg_stop p
	rc=0
	reg_curl -o /dev/null "http://$REG_p/v2/" || rc=$?
	assert_eq "$rc" 7 "a stopped registry (connection refused)"
	reg_start p plain >/dev/null
	assert_eq "$REG_p" "$hp" "its address, started again"
	assert_eq "$(manifest "http://$REG_p/v2/library/busybox/manifests/1" >/dev/null; msha)" "$(cat "$T/d")" "busybox, started again"
}

# basic: htpasswd (bcrypt) behind TLS; alice gets in, a wrong password does not
test_reg_basic_auth() {
	reg_setup
	reg_start b basic >/dev/null
	local u="https://$REG_b/v2"
	grep -q '^alice:\$2y\$' "$REG_DIR/htpasswd" || fail "htpasswd is not bcrypt: $(cat "$REG_DIR/htpasswd")"
	reg_curl -D "$T/h" -o /dev/null "$u/"
	assert_eq "$(status)" 401 "/v2/ without credentials"
	assert_contains "$(header WWW-Authenticate)" 'Basic' "the challenge"
	assert_contains "$(tr -d '\r' <"$T/h")" 'realm="corral-test"' "the challenge's realm"
	assert_eq "$(reg_curl -u alice:wrong -o /dev/null -w '%{http_code}' "$u/")" 401 "a wrong password"
	assert_eq "$(reg_curl -u bob:wonderland -o /dev/null -w '%{http_code}' "$u/")" 401 "another user"
	assert_eq "$(reg_curl -u alice:wonderland -o /dev/null -w '%{http_code}' "$u/")" 200 "alice"
	reg_push "$REG_b" "oci:$FIXTURES/images/oci:test" library/busybox:1 --digestfile "$T/d"
	assert_eq "$(manifest -u alice:wonderland "$u/library/busybox/manifests/1" >/dev/null; msha)" "$(cat "$T/d")" "busybox for alice"
	assert_eq "$(reg_curl -o /dev/null -w '%{http_code}' "$u/library/busybox/manifests/1")" 401 "busybox for nobody"
	# the auth file has alice for this registry
	assert_eq "$(nsenter --net="$T/netns" skopeo inspect --cert-dir "$REG_CERTS" --authfile "$REG_AUTH_FILE" \
		"docker://$REG_b/library/busybox:1" | jq -r .Digest)" "$(cat "$T/d")" "skopeo with the auth file"
	if nsenter --net="$T/netns" skopeo inspect --cert-dir "$REG_CERTS" --creds alice:wrong \
		"docker://$REG_b/library/busybox:1" >/dev/null 2>&1; then
		fail "skopeo got in with a wrong password"
	fi
}

# token: 401 with a Bearer challenge, a token from the token server (ES256,
# x5c), then 200; anonymous tokens grant nothing but pull of public/*
test_reg_token_auth() {
	reg_setup
	reg_start t token >/dev/null
	local u="https://$REG_t/v2"
	# skopeo goes through the whole flow to push
	reg_push "$REG_t" "oci:$FIXTURES/images/oci:test" library/busybox:1 --digestfile "$T/d"
	reg_push "$REG_t" "oci:$FIXTURES/images/oci:test" public/busybox:1
	grep -q "GET 200 user=alice service=corral-registry scope=repository:library/busybox:pull,push" "$REG_TOKEN_LOG" ||
		fail "no push token for alice in the log: $(cat "$REG_TOKEN_LOG")"

	reg_curl -D "$T/h" -o /dev/null "$u/library/busybox/manifests/1"
	assert_eq "$(status)" 401 "a manifest without a token"
	local challenge realm service scope
	challenge=$(tr -d '\r' <"$T/h" | grep -i '^www-authenticate:')
	assert_contains "$challenge" "Bearer realm=\"https://$REG_TOKEN/token\"" "the challenge"
	realm=$(sed 's/.*realm="\([^"]*\)".*/\1/' <<<"$challenge")
	service=$(sed 's/.*service="\([^"]*\)".*/\1/' <<<"$challenge")
	scope=$(sed 's/.*scope="\([^"]*\)".*/\1/' <<<"$challenge")
	assert_eq "$service" corral-registry "the challenge's service"
	assert_eq "$scope" repository:library/busybox:pull "the challenge's scope"

	local before json token
	before=$(wc -l <"$REG_TOKEN_LOG")
	json=$(reg_curl -f -u alice:wonderland "$realm?service=$service&scope=$scope")
	token=$(jq -r .token <<<"$json")
	assert_eq "$(jq -r .access_token <<<"$json")" "$token" "access_token is token"
	assert_eq "$(jq -r .expires_in <<<"$json")" 300 "expires_in"
	[[ $(jq -r .issued_at <<<"$json") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]] || fail "issued_at: $json"
	local head claims
	head=$(cut -d. -f1 <<<"$token" | b64url)
	claims=$(cut -d. -f2 <<<"$token" | b64url)
	assert_eq "$(jq -r .alg <<<"$head")" ES256 "the token's alg"
	assert_eq "$(jq -r '.x5c[0]' <<<"$head")" "$(openssl x509 -in "$REG_DIR/token.crt" -outform DER | base64 -w0)" "x5c: the signing cert"
	[[ $(jq -r .kid <<<"$head") =~ ^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$ ]] || fail "kid is no libtrust key id: $head"
	assert_eq "$(jq -c '[.iss, .aud, .sub]' <<<"$claims")" '["corral-token-issuer","corral-registry","alice"]' "iss, aud, sub"
	assert_eq "$(jq -c .access <<<"$claims")" '[{"type":"repository","name":"library/busybox","actions":["pull"]}]' "access"
	assert_eq "$(manifest -H "Authorization: Bearer $token" "$u/library/busybox/manifests/1" >/dev/null; msha)" "$(cat "$T/d")" \
		"busybox with the token"
	# the token is for library/busybox alone
	assert_eq "$(reg_curl -H "Authorization: Bearer $token" -o /dev/null -w '%{http_code}' "$u/public/busybox/manifests/1")" 401 \
		"another repository with it"

	# anonymous: a token with no access, which the registry refuses; but pull of public/*
	json=$(reg_curl -f "$realm?service=$service&scope=$scope")
	token=$(jq -r .token <<<"$json")
	assert_eq "$(cut -d. -f2 <<<"$token" | b64url | jq -c .access)" "[]" "an anonymous token's access"
	assert_eq "$(reg_curl -H "Authorization: Bearer $token" -o /dev/null -w '%{http_code}' "$u/library/busybox/manifests/1")" 401 \
		"busybox with an anonymous token"
	token=$(reg_curl -f "$realm?service=$service&scope=repository:public/busybox:pull" | jq -r .token)
	manifest -H "Authorization: Bearer $token" "$u/public/busybox/manifests/1" >/dev/null
	assert_eq "$(msha)" "$(cat "$T/d")" "public/busybox anonymously"
	# a wrong password gets no token at all
	assert_eq "$(reg_curl -u alice:wrong -o /dev/null -w '%{http_code}' "$realm?service=$service&scope=$scope")" 401 \
		"a token for a wrong password"
	# a token signed by another key is refused
	local forged
	forged="$(cut -d. -f1-2 <<<"$token").$(printf '%s' "$(cut -d. -f3 <<<"$token")" | tr 'A-Za-z' 'B-ZAb-za')"
	assert_eq "$(reg_curl -H "Authorization: Bearer $forged" -o /dev/null -w '%{http_code}' "$u/public/busybox/manifests/1")" 401 \
		"a token with a changed signature"

	# one log line per token request
	assert_eq "$(($(wc -l <"$REG_TOKEN_LOG") - before))" 4 "token requests logged"
	tail -4 "$REG_TOKEN_LOG" >"$T/tl"
	assert_eq "$(sed -n 1p "$T/tl")" "GET 200 user=alice service=corral-registry scope=repository:library/busybox:pull" "alice's request"
	assert_eq "$(sed -n 2p "$T/tl")" "GET 200 user=- service=corral-registry scope=repository:library/busybox:pull" "the anonymous one"
	assert_eq "$(sed -n 3p "$T/tl")" "GET 200 user=- service=corral-registry scope=repository:public/busybox:pull" "the public one"
	assert_eq "$(sed -n 4p "$T/tl")" "GET 401 user=alice service=corral-registry scope=repository:library/busybox:pull" "the wrong password"
}

# Each misbehaviour of the hostile registry, over http
test_reg_hostile_modes() {
	reg_setup
	reg_start_hostile h >/dev/null
	assert_eq "$REG_MODE_h" hostile "its mode"
	local u="http://$REG_h/v2" m L size cfg
	# good: true digests, and skopeo copies it (checking every digest)
	m=$(manifest "$u/good/manifests/latest")
	assert_eq "$(header Docker-Content-Digest)" "$(msha)" "good: the manifest's digest"
	assert_eq "$(msha)" "$(jq -r '.manifests[0].digest' "$FIXTURES/images/oci/index.json")" "good: the fixture's manifest"
	L=$(jq -r '.layers[0].digest' <<<"$m")
	size=$(jq -r '.layers[0].size' <<<"$m")
	cfg=$(jq -r .config.digest <<<"$m")
	assert_eq "$(reg_curl "$u/good/blobs/$L" | sha)" "$L" "good: the layer"
	assert_eq "$(reg_curl "$u/good/blobs/$cfg" | sha)" "$cfg" "good: the config"
	assert_eq "$(reg_curl -o /dev/null -w '%{http_code}' "$u/good/manifests/nosuchtag")" 404 "good: an unknown tag"
	assert_eq "$(reg_curl -o /dev/null -w '%{http_code}' "$u/nosuchmode/manifests/latest")" 404 "an unknown repository"
	nsenter --net="$T/netns" skopeo copy -q --src-tls-verify=false "docker://$REG_h/good:test" "oci:$T/good:test" ||
		fail "skopeo could not copy good"
	if nsenter --net="$T/netns" skopeo copy -q --retry-times 0 --src-tls-verify=false "docker://$REG_h/wrongdigest:test" \
		"oci:$T/bad:test" 2>"$T/err"; then
		fail "skopeo copied wrongdigest"
	fi
	assert_contains "$(cat "$T/err")" "Digest did not match" "skopeo's complaint about wrongdigest"

	# wrongdigest: the same size, another hash; the config is true
	reg_curl -o "$T/b" "$u/wrongdigest/blobs/$L"
	assert_eq "$(stat -c %s "$T/b")" "$size" "wrongdigest: the layer's size"
	[ "$(sha <"$T/b")" != "$L" ] || fail "wrongdigest: the layer hashes to its digest"
	assert_eq "$(reg_curl "$u/wrongdigest/blobs/$cfg" | sha)" "$cfg" "wrongdigest: the config"
	# wrongsize: the manifest says one byte less than the blob has
	m=$(manifest "$u/wrongsize/manifests/latest")
	assert_eq "$(jq -r '.layers[0].size' <<<"$m")" "$((size - 1))" "wrongsize: the declared size"
	assert_eq "$(reg_curl "$u/wrongsize/blobs/$L" | sha)" "$L" "wrongsize: the blob is true"
	assert_eq "$(header Docker-Content-Digest)" "$(msha)" "wrongsize: its own digest is true"
	# truncated: half, then the connection closes
	local rc=0 got
	got=$(reg_curl -o /dev/null -w '%{size_download}' "$u/truncated/blobs/$L") || rc=$?
	assert_eq "$rc $got" "18 $((size / 2))" "truncated: curl's error and bytes"
	# neverends and stall: nothing done after 3 s (side by side)
	reg_curl --max-time 3 -o "$T/ne" -D "$T/ne.h" "$u/neverends/blobs/$L" &
	local ne=$!
	: >"$T/st" # curl makes no file of an empty body
	reg_curl --max-time 3 -o "$T/st" -D "$T/st.h" "$u/stall/blobs/$L" &
	local st=$!
	rc=0
	wait $ne || rc=$?
	assert_eq "$rc" 28 "neverends: curl timed out"
	local n
	n=$(stat -c %s "$T/ne")
	[ "$n" -gt 0 ] && [ "$n" -lt 20 ] || fail "neverends: $n bytes in 3 s"
	cmp -n "$n" "$T/ne" <(reg_curl "$u/good/blobs/$L") || fail "neverends: not the layer's first bytes"
	rc=0
	wait $st || rc=$?
	assert_eq "$rc" 28 "stall: curl timed out"
	assert_eq "$(head -1 "$T/st.h" | tr -d '\r')" "HTTP/1.1 200 OK" "stall: the headers came"
	assert_eq "$(stat -c %s "$T/st")" 0 "stall: no byte of the body"
	# redirects: 307 to itself, without end
	rc=0
	reg_curl -L --max-redirs 20 -o /dev/null "$u/redirects/blobs/$L" || rc=$?
	assert_eq "$rc" 47 "redirects: too many redirects for curl"
	grep -q "^GET /v2/redirects/blobs/$L?hop=20 " "$REG_LOG_h" || fail "redirects: no 20th hop in the log"
	# bigmanifest: past 5 MiB, digest true
	manifest "$u/bigmanifest/manifests/latest" >/dev/null
	[ "$(stat -c %s "$T/m")" -gt $((5 << 20)) ] || fail "bigmanifest: $(stat -c %s "$T/m") bytes"
	assert_eq "$(header Docker-Content-Digest)" "$(msha)" "bigmanifest: its digest"
	assert_eq "$(jq -r '.layers[0].digest' "$T/m")" "$L" "bigmanifest: a real manifest"
	# schema1
	m=$(manifest "$u/schema1/manifests/latest")
	assert_eq "$(header Content-Type)" application/vnd.docker.distribution.manifest.v1+prettyjws "schema1: its content type"
	assert_eq "$(jq -r '.schemaVersion, (.fsLayers | length), (.signatures | length)' <<<"$m" | tr '\n' ' ')" "1 3 1 " \
		"schema1: version, layers, signatures"
	# lyingdigest: the body of good, a digest that is not its own
	m=$(manifest "$u/lyingdigest/manifests/latest")
	assert_eq "$(msha)" "$(jq -r '.manifests[0].digest' "$FIXTURES/images/oci/index.json")" "lyingdigest: the body"
	[ "$(header Docker-Content-Digest)" != "$(msha)" ] || fail "lyingdigest: the header tells the truth"
	[[ $(header Docker-Content-Digest) =~ ^sha256:[0-9a-f]{64}$ ]] || fail "lyingdigest: no digest at all"
	# bigheader: 1 MiB of header, which curl refuses
	rc=0
	reg_curl -o /dev/null "$u/bigheader/manifests/latest" || rc=$?
	[ "$rc" -ne 0 ] || fail "bigheader: curl took it"
	n=$(nsenter --net="$T/netns" bash -c 'exec 3<>/dev/tcp/${1%:*}/${1#*:}; printf "GET /v2/bigheader/manifests/latest HTTP/1.0\r\n\r\n" >&3; cat <&3' \
		- "$REG_h" | sed '/^\r$/q' | wc -c)
	[ "$n" -gt $((1 << 20)) ] || fail "bigheader: a header of $n bytes"
	# flaky: 503 twice for a manifest, then 200; 429 (Retry-After: 1) once for a blob
	assert_eq "$(for _ in 1 2 3; do reg_curl -o /dev/null -w '%{http_code} ' "$u/flaky/manifests/latest"; done)" \
		"503 503 200 " "flaky: the manifest"
	reg_curl -D "$T/h" -o /dev/null "$u/flaky/blobs/$L"
	assert_eq "$(status) $(header Retry-After)" "429 1" "flaky: the blob, first"
	assert_eq "$(reg_curl "$u/flaky/blobs/$L" | sha)" "$L" "flaky: the blob, then"
	# range: the first GET cut in half; the rest from Range: bytes=N-, 206
	rc=0
	reg_curl -o "$T/r1" "$u/range/blobs/$L" || rc=$?
	assert_eq "$rc $(stat -c %s "$T/r1")" "18 $((size / 2))" "range: the first GET"
	reg_curl -r "$((size / 2))-" -D "$T/h" -o "$T/r2" "$u/range/blobs/$L"
	assert_eq "$(status)" 206 "range: a GET from the middle"
	assert_eq "$(header Content-Range)" "bytes $((size / 2))-$((size - 1))/$size" "range: Content-Range"
	assert_eq "$(cat "$T/r1" "$T/r2" | sha)" "$L" "range: both parts"
	grep -q "^GET /v2/range/blobs/$L range=bytes=$((size / 2))- scheme=http$" "$REG_LOG_h" || fail "range: the log has no Range"
	# a HEAD is logged as one
	reg_curl -I -o /dev/null "$u/good/manifests/latest"
	assert_eq "$(tail -1 "$REG_LOG_h")" "HEAD /v2/good/manifests/latest range=- scheme=http" "the log's last line"
}

# the gzip bomb and the tar escapes: every digest true, the content hostile
test_reg_hostile_layers() {
	reg_setup
	reg_start_hostile h >/dev/null
	local u="http://$REG_h/v2" m L cfg diff
	m=$(manifest "$u/gzipbomb/manifests/latest")
	assert_eq "$(header Docker-Content-Digest)" "$(msha)" "gzipbomb: the manifest's digest"
	L=$(jq -r '.layers[0].digest' <<<"$m")
	cfg=$(jq -r .config.digest <<<"$m")
	reg_curl -o "$T/cfg" "$u/gzipbomb/blobs/$cfg"
	assert_eq "$(sha <"$T/cfg")" "$cfg" "gzipbomb: the config's digest"
	diff=$(jq -r '.rootfs.diff_ids[0]' "$T/cfg")
	reg_curl -o "$T/bomb" "$u/gzipbomb/blobs/$L"
	assert_eq "$(sha <"$T/bomb")" "$L" "gzipbomb: the layer's digest"
	[ "$(stat -c %s "$T/bomb")" -lt $((2 << 20)) ] || fail "gzipbomb: $(stat -c %s "$T/bomb") bytes of gzip"
	assert_eq "$(jq -r '.layers[0].size' <<<"$m")" "$(stat -c %s "$T/bomb")" "gzipbomb: the declared size"
	# inflated (in bounded pieces: it is a bomb), its size and its hash
	assert_eq "$($REG_PY -c '
import hashlib, sys, zlib
d, h, n = zlib.decompressobj(31), hashlib.sha256(), 0
buf = open(sys.argv[1], "rb").read()
while buf:
    out = d.decompress(buf, 16 << 20)
    h.update(out)
    n += len(out)
    buf = d.unconsumed_tail
out = d.flush()
h.update(out)
n += len(out)
print(n, d.eof, "sha256:" + h.hexdigest())' "$T/bomb")" "$(((1 << 30) + 512 + 1024)) True $diff" "gzipbomb: 1 GiB of tar, its diff_id true"

	m=$(manifest "$u/tarescape/manifests/latest")
	L=$(jq -r '.layers[0].digest' <<<"$m")
	reg_curl -o "$T/esc" "$u/tarescape/blobs/$L"
	assert_eq "$(sha <"$T/esc")" "$L" "tarescape: the layer's digest"
	assert_eq "$(reg_curl "$u/tarescape/blobs/$(jq -r .config.digest <<<"$m")" | jq -r '.rootfs.diff_ids[0]')" \
		"$(gzip -dc "$T/esc" | sha)" "tarescape: the diff_id"
	assert_eq "$($REG_PY -c '
import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    print(m.name, m.linkname or "-")' "$T/esc" | tr '\n' ' ')" \
		"etc - etc/hostname - ../../escape - abs /tmp abs/corral-registry-escape - " "tarescape: its entries"
}

# over TLS, and redirect-http sends a blob GET to the plain listener
test_reg_hostile_tls() {
	reg_setup
	reg_start_hostile ht tls >/dev/null
	local u="https://$REG_ht/v2" m L rc=0
	nsenter --net="$T/netns" curl -s -o /dev/null "$u/" || rc=$?
	assert_eq "$rc" 60 "curl without the test CA"
	m=$(manifest "$u/good/manifests/latest")
	L=$(jq -r '.layers[0].digest' <<<"$m")
	assert_eq "$(reg_curl "$u/good/blobs/$L" | sha)" "$L" "good over https"
	reg_curl -D "$T/h" -o /dev/null "$u/redirect-http/blobs/$L"
	assert_eq "$(status)" 307 "redirect-http: the status"
	assert_eq "$(header Location)" "http://$REG_ht_PLAIN/v2/good/blobs/$L" "redirect-http: where to"
	assert_eq "$(reg_curl -L "$u/redirect-http/blobs/$L" | sha)" "$L" "redirect-http: what the http URL serves"
	assert_eq "$(tail -1 "$REG_LOG_ht")" "GET /v2/good/blobs/$L range=- scheme=http" "redirect-http: the plain GET in the log"
	# its HEAD is no redirect
	assert_eq "$(reg_curl -I -o /dev/null -w '%{http_code}' "$u/redirect-http/blobs/$L")" 200 "redirect-http: a HEAD"
	# started again: the same port, flaky as new
	assert_eq "$(reg_curl -o /dev/null -w '%{http_code} ' "$u/flaky/manifests/latest")" "503 " "flaky, first"
	local hp=$REG_ht
	reg_stop ht
	reg_start_hostile ht tls >/dev/null
	assert_eq "$REG_ht" "$hp" "its address, started again"
	assert_eq "$(for _ in 1 2 3; do reg_curl -o /dev/null -w '%{http_code} ' "$u/flaky/manifests/latest"; done)" \
		"503 503 200 " "flaky, started again"
}

# A test that fails, or is killed, leaves no registry, server or netns
# behind; its own EXIT trap still runs; reg_start refuses to run before
# reg_setup, in $(...), or as "token"
test_reg_cleanup() {
	set +e
	(
		trap 'echo ran >"$T/own-trap"' EXIT
		set -e
		reg_setup
		reg_start x plain >/dev/null
		reg_start y token >/dev/null
		reg_start_hostile z tls >/dev/null
		[ -n "$(reg_procs)" ] && netns_mounted && echo "$REG_x" >"$T/up"
		false
		echo reached >"$T/own-trap"
	)
	local rc=$?
	set -e
	assert_eq "$rc" 1 "the failing subshell's status"
	[ -s "$T/up" ] || fail "the registries never ran"
	assert_eq "$(cat "$T/own-trap")" ran "the test's own trap"
	assert_eq "$(reg_procs)" "" "processes left after a failure"
	netns_mounted && fail "the netns is still mounted after a failure"
	[ ! -e "$T/netns" ] || fail "the netns file is still there"

	# killed: no trap runs, but the registries die with the shell
	(
		reg_setup
		reg_start k plain >/dev/null
		reg_start_hostile kh >/dev/null
		kill -KILL $BASHPID
	) || true
	local i
	for i in $(seq 50); do [ -z "$(reg_procs)" ] && break; sleep 0.1; done
	assert_eq "$(reg_procs)" "" "processes left after a kill"
	umount "$T/netns" # the trap that would have done it never ran
	rm -f "$T/netns"

	local out
	out=$(reg_start w plain 2>&1 </dev/null) && fail "reg_start ran before reg_setup"
	assert_contains "$out" "call reg_setup first" "reg_start before reg_setup"
	reg_setup
	out=$(reg_start w plain 2>&1) && fail "reg_start ran in \$(...)"
	assert_contains "$out" "not in a subshell" "reg_start in \$(...)"
	reg_start token plain 2>"$T/err" && fail "a registry took the token server's name"
	assert_contains "$(cat "$T/err")" "token server" "the name token"
	assert_eq "$(reg_procs)" "" "what the refused reg_starts started"
}

for t in $(declare -F | awk '$3 ~ /^test_reg_/ {print $3}'); do run_test "$t"; done
