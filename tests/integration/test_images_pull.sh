#!/bin/bash
# corral image pull against real registries (Debian's docker-registry with
# TLS, Basic and token auth) and a hostile one, all on 127.0.0.1 in the
# test's own network namespace (registry_lib.sh): what arrives in the store
# is verified, and what is refused leaves nothing behind.
# time: about 120 s (10 cases): each serves a registry of the tests' own (TLS, basic auth, a mirror, a hostile one) and pulls from it
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"

file_skip() {
	echo "SKIP test_images_pull.sh: $*"
	echo "skip test_images_pull" >>"$RESULTS"
	exit 0
}
for t in docker-registry skopeo htpasswd openssl jq nsenter unshare setpriv; do
	command -v $t >/dev/null || file_skip "$t is not installed (tests/deps.sh installs it)"
done
$REG_PY -c 'import cryptography' 2>/dev/null || file_skip "Debian's python3-cryptography is not installed (tests/deps.sh)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

# corral image pull in the registries' netns, into $T/store
pull() { nsenter --net="$T/netns" "$CORRAL" image --store "$T/store" pull --certs-dir "$REG_CERTS_D" --progress none "$@"; }
images() { "$CORRAL" image --store "$T/store" list --format json; }
refs() { cat "$T/store/images/refs.json"; }
# what a refused pull may leave: nothing staged, no layer or blob it did not verify
debris() {
	find "$T/store/images/staging" -mindepth 1 2>/dev/null
	local l
	for l in "$T/store/images/layers"/*; do
		[ -e "$l" ] || continue
		grep -qr "$(basename "$l")" "$T/store/images/blobs" || echo "unreferenced layer $l"
	done
}
# the file at PATH in the image's layers (the last that has it)
layer_file() { find "$T/store/images/layers" -path "*/$1" -type f -exec cat {} \; 2>/dev/null | tail -1; }

test_pull_by_tag_and_by_digest_over_tls() {
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	local out
	out=$(pull "$REG_main/library/busybox:1")
	assert_eq "$(awk '{print $3}' <<<"$out")" "$REG_DIGEST_busybox" "the registry's digest"
	assert_eq "$(awk '{print $4}' <<<"$out")" "$REG_main/library/busybox:1" "the reference pulled"
	assert_eq "$(images | jq -r '.[0].names[0]')" "$REG_main/library/busybox:1" "named as pulled"
	assert_eq "$(refs | jq -r '.images[].repoDigests[0]')" "$REG_main/library/busybox@$REG_DIGEST_busybox" "repoDigests"
	[ -x "$(find "$T/store/images/layers" -path '*/bin/busybox' | head -1)" ] || fail "busybox was not unpacked"
	grep -q '"GET /v2/library/busybox/manifests/1 HTTP/2.0"' "$REG_LOG_main" || fail "not over HTTP/2"
	local b
	for b in "$T/store/images/blobs/sha256"/*; do
		assert_eq "$(sha256sum <"$b" | cut -d' ' -f1)" "$(basename "$b")" "a stored blob is what its name says"
	done
	# the environment's proxy is used, and its no_proxy
	out=$(https_proxy=http://127.0.0.1:9 pull "$REG_main/library/busybox:1" 2>&1) && fail "the proxy was not used"
	https_proxy=http://127.0.0.1:9 no_proxy=127.0.0.1 pull "$REG_main/library/busybox:1" >/dev/null
	# again by digest: nothing fetched but the manifest, no new name
	reg_log_mark main
	out=$(pull "$REG_main/library/busybox@$REG_DIGEST_busybox")
	assert_eq "$(reg_gets main /blobs/)" 1 "only the config fetched again (layers in the store)"
	assert_eq "$(images | jq length)" 1 "the same image"
	# a digest the registry does not have
	out=$(pull "$REG_main/library/busybox@sha256:$(printf %064d 0)" 2>&1) && fail "a missing digest pulled"
	assert_contains "$out" "not found (404)" "missing digest"
	assert_eq "$(debris)" "" "no debris"
}

test_pull_picks_the_platform_from_an_index() {
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	pull "$REG_main/multi:1" >/dev/null
	assert_eq "$(images | jq -r '.[0].digest')" "$REG_DIGEST_multi_amd64" "the host's platform, amd64"
	assert_eq "$(layer_file platform)" amd64 "the amd64 image's file"
	pull --platform linux/arm64 "$REG_main/multi:1" >/dev/null
	assert_contains "$(images | jq -r '.[].digest')" "$REG_DIGEST_multi_arm64" "linux/arm64 asked for"
	local out
	out=$(pull --platform linux/s390x "$REG_main/multi:1" 2>&1) && fail "a platform the index lacks pulled"
	assert_contains "$out" "no manifest for platform linux/s390x" "no such platform"
	pull "$REG_main/docker2:1" >/dev/null
	assert_contains "$(refs | jq -r '.images[].repoDigests[]')" "$REG_main/docker2@$REG_DIGEST_docker2" "Docker schema 2"
}

test_pull_basic_auth() {
	reg_setup
	reg_start priv basic >/dev/null
	reg_push_fixtures "$REG_priv"
	local out
	out=$(pull "$REG_priv/library/busybox:1" 2>&1) && fail "pulled without credentials"
	assert_contains "$out" "log in to $REG_priv first" "anonymous"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG_priv" "$(printf alice:nope | base64)" >"$T/bad.json"
	out=$(pull --authfile "$T/bad.json" "$REG_priv/library/busybox:1" 2>&1) && fail "a wrong password pulled"
	assert_contains "$out" "authentication failed (401)" "wrong password"
	pull --authfile "$REG_AUTH_FILE" "$REG_priv/library/busybox:1" >/dev/null
	assert_eq "$(images | jq -r '.[0].names[0]')" "$REG_priv/library/busybox:1" "pulled with alice's password"
	# credentials on a pipe, as corrald passes them
	nsenter --net="$T/netns" "$CORRAL" image --store "$T/store2" pull --certs-dir "$REG_CERTS_D" --progress none \
		--auth-fd 0 "$REG_priv/docker2:1" <"$REG_AUTH_FILE" >/dev/null
}

test_pull_bearer_token_flow() {
	reg_setup
	reg_start tok token >/dev/null
	reg_push_fixtures "$REG_tok"
	local out
	out=$(pull "$REG_tok/library/busybox:1" 2>&1) && fail "pulled with an anonymous token"
	assert_contains "$out" "401" "anonymous token refused"
	: >"$REG_TOKEN_LOG"
	pull --authfile "$REG_AUTH_FILE" "$REG_tok/library/busybox:1" >/dev/null
	assert_contains "$(cat "$REG_TOKEN_LOG")" "user=alice" "a token for alice"
	assert_contains "$(cat "$REG_TOKEN_LOG")" "scope=repository:library/busybox:pull" "scoped to the repository"
	# the token is cached for the pull: one token for the manifest, config and layers
	assert_eq "$(grep -c 'scope=repository:library/busybox:pull' "$REG_TOKEN_LOG")" 1 "one token a pull"
}

test_pull_mirror_first_then_the_registry() {
	reg_setup
	reg_start main tls >/dev/null
	reg_start mirror tls >/dev/null
	reg_push_fixtures "$REG_main"
	reg_push "$REG_mirror" "oci:$FIXTURES/images/oci:test" library/busybox:1
	reg_log_mark main
	pull --mirror "$REG_main=$REG_mirror" "$REG_main/library/busybox:1" >/dev/null
	assert_eq "$(reg_gets main /v2/library/)" 0 "the mirror served it"
	rm -rf "$T/store"
	reg_stop mirror
	pull --mirror "$REG_main=$REG_mirror" "$REG_main/library/busybox:1" >/dev/null
	assert_eq "$(reg_gets main /manifests/1)" 1 "the registry after the mirror failed"
}

test_pull_insecure_only_where_listed() {
	reg_setup
	reg_start plain plain >/dev/null
	reg_push "$REG_plain" "oci:$FIXTURES/images/oci:test" library/busybox:1 --dest-tls-verify=false
	local out
	out=$(pull "$REG_plain/library/busybox:1" 2>&1) && fail "pulled over http unlisted"
	assert_contains "$out" "$REG_plain" "names the registry"
	pull --insecure-registry "$REG_plain" "$REG_plain/library/busybox:1" >/dev/null
	# a TLS registry whose CA is not trusted: refused unless listed
	reg_start tls tls >/dev/null
	reg_push_fixtures "$REG_tls"
	out=$(nsenter --net="$T/netns" "$CORRAL" image --store "$T/store" pull --certs-dir "$T/none" --progress none \
		"$REG_tls/library/busybox:1" 2>&1) && fail "pulled from an untrusted certificate"
	nsenter --net="$T/netns" "$CORRAL" image --store "$T/store" pull --certs-dir "$T/none" --progress none \
		--insecure-registry "$REG_tls" "$REG_tls/library/busybox:1" >/dev/null
	out=$(pull --blocked-registry "$REG_tls" "$REG_tls/library/busybox:1" 2>&1) && fail "pulled from a blocked registry"
	assert_contains "$out" "blocked" "blocked"
	out=$(pull library/busybox:1 2>&1) && fail "a short name pulled with no search registries"
	assert_contains "$out" "no search registries" "short names need search registries"
	pull --search-registry "$REG_tls" library/busybox:1 >/dev/null
}

test_pull_shared_layer_fetched_once() {
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	reg_log_mark main
	pull "$REG_main/shared-a:1" >/dev/null &
	local a=$!
	pull "$REG_main/shared-b:1" >/dev/null
	wait "$a"
	assert_eq "$(reg_gets main "/blobs/$REG_BLOB_shared")" 1 "the shared layer, fetched once by two pulls"
	assert_eq "$(images | jq length)" 2 "both images"
	assert_eq "$(find "$T/store/images/ingest" -type f)" "" "nothing left in ingest"
}

test_pull_killed_leaves_nothing_and_resumes() {
	reg_setup
	reg_start_hostile h
	# a layer that trickles: killed part way
	pull --insecure-registry "$REG_h" "$REG_h/neverends:latest" >/dev/null 2>&1 &
	local p=$!
	local i=0
	while [ $i -lt 50 ] && ! find "$T/store/images/ingest" -type f -size +0c 2>/dev/null | grep -q .; do
		sleep 0.2
		i=$((i + 1))
	done
	pkill -KILL -f "$T/store" || true
	wait "$p" 2>/dev/null || true
	[ -n "$(find "$T/store/images/ingest" -type f -size +0c)" ] || fail "no partial layer kept"
	assert_eq "$(ls "$T/store/images/layers")" "" "no layer from the killed pull"
	# gc collects a partial layer that no pull came back for
	cp -a "$T/store/images/ingest" "$T/ingest.kept"
	"$CORRAL" image --store "$T/store" gc >/dev/null
	assert_eq "$(find "$T/store/images/ingest" -type f)" "" "gc took the partial layer"
	cp -a "$T/ingest.kept/." "$T/store/images/ingest/"
	# the same layers from a good repository: the partial one goes on with a Range
	pull --insecure-registry "$REG_h" "$REG_h/good:latest" >/dev/null
	grep -q "range=bytes=[1-9][0-9]*-" "$REG_LOG_h" || fail "no Range request: $(grep blobs "$REG_LOG_h")"
	assert_eq "$(find "$T/store/images/ingest" -type f)" "" "nothing left in ingest"
	assert_eq "$(debris)" "" "no debris"
	# cut off part way within one pull: resumed there and then
	rm -rf "$T/store"
	pull --insecure-registry "$REG_h" "$REG_h/range:latest" >/dev/null
	assert_eq "$(images | jq length)" 1 "pulled across the cut"
}

# Each hostile answer: refused with its reason, nothing left behind.
test_pull_hostile_registry_refused() {
	reg_setup
	reg_start_hostile h tls
	local mode want out
	while read -r mode want; do
		out=$(pull --stall-timeout 3 "$REG_h/$mode:latest" 2>&1) && fail "$mode: pulled"
		assert_contains "$out" "$want" "$mode"
		[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "$mode: more than one line: $out"
		assert_eq "$(debris)" "" "$mode: debris"
		assert_eq "$(images | jq length)" 0 "$mode: an image"
	done <<-EOF
	wrongdigest digest mismatch
	wrongsize size mismatch
	truncated cut off
	stall no progress
	redirect-http redirected away from https
	redirects redirects
	bigmanifest larger than the 4194304 bytes allowed
	gzipbomb expansion ratio limit exceeded
	schema1 Docker schema 1
	lyingdigest the registry says its digest is
	bigheader header larger than
	EOF
	out=$(pull "$REG_h/tarescape:latest" 2>&1) || true
	[ ! -e /tmp/corral-registry-escape ] || fail "tarescape wrote outside the layer"
	[ ! -e "$T/escape" ] && [ ! -e "$T/store/escape" ] || fail "tarescape climbed out"
	# 503 twice and 429 once: retried with backoff, then pulled
	pull "$REG_h/flaky:latest" >/dev/null
}
# images.require_signature's half in the pull: the registry's cosign
# signature (tag sha256-<hex>.sig) verified before a layer is fetched.
test_pull_cosign_signature_required() {
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	mkdir -p "$T/keys" "$T/other"
	cp "$REG_COSIGN_PUB" "$T/keys/cosign.pem"
	openssl ecparam -name prime256v1 -genkey -noout -out "$T/other.key" 2>/dev/null
	openssl ec -in "$T/other.key" -pubout -out "$T/other/other.pem" 2>/dev/null
	local out
	pull --require-signature "$T/keys" "$REG_main/library/busybox:1" >/dev/null
	local sig="$T/store/images/signatures/${REG_DIGEST_busybox#sha256:}.sig"
	[ -f "$sig" ] || fail "the verified signature is not kept"
	assert_eq "$(jq -r .signature "$sig")" "$REG_SIG_B64" "the registry's signature, kept"
	rm -rf "$T/store"
	reg_log_mark main
	out=$(pull --require-signature "$T/other" "$REG_main/library/busybox:1" 2>&1) && fail "pulled with an untrusted key"
	assert_contains "$out" "no cosign signature verifies" "another key"
	assert_eq "$(reg_gets main /blobs/sha256:${REG_BLOB_shared#sha256:})" 0 "no layer fetched before the signature"
	out=$(pull --require-signature "$T/keys" "$REG_main/docker2:1" 2>&1) && fail "an unsigned image pulled"
	assert_contains "$out" "is not signed" "unsigned"
	assert_eq "$(images | jq length)" 0 "nothing stored"
	assert_eq "$(debris)" "" "no debris"
}

for t in $(declare -F | awk '$3 ~ /^test_pull_/ {print $3}'); do run_test "$t"; done
