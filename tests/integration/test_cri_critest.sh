#!/bin/bash
# critest (cri-tools' CRI validation suite) against corrald's own CRI: its
# Streaming specs (exec with and without a tty and stdin, attach,
# port-forward to a web server in a pod, and in the host's network) through
# corral-stream. critest
# is not packaged in Debian: CRITEST=PATH names one (cri-tools v1.26 builds
# offline with Debian's Go 1.19 from its vendored tree); without it the
# file is skipped, saying so. Its images are the busybox fixture under
# critest's name, and a web server built from it by corrald.
# time: about 60 s
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"

file_skip() {
	echo "SKIP test_cri_critest.sh: $*"
	echo "skip test_cri_critest" >>"$RESULTS"
	exit 0
}
CRITEST=${CRITEST:-$(command -v critest)}
[ -n "$CRITEST" ] && [ -x "$CRITEST" ] ||
	file_skip "no critest: cri-tools is not packaged in Debian 12 (CRITEST=PATH runs a critest you built)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
. "$(dirname "$0")/cri/own_cri.sh"

# web_image NAME PORT: a web server on PORT with a page, built by corrald
web_image() {
	mkdir -p "$T/web$2"
	printf '%s\n' 'FROM busybox:latest' 'RUN mkdir /www && echo critest >/www/index.html' \
		"CMD [\"httpd\", \"-f\", \"-p\", \"$2\", \"-h\", \"/www\"]" >"$T/web$2/Dockerfile"
	ctl build -q -t "$1" "$T/web$2" >/dev/null || fail "the web server's image did not build"
}
# critest's images, made here: its default container image is busybox; its
# web servers answer on port 80 (in the pod's network) and 12003 (in the
# host's; critest names that image itself)
critest_images() {
	ctl image tag busybox:latest registry.k8s.io/e2e-test-images/busybox:1.29-2 >/dev/null
	web_image corral.test/critest-web:1 80
	web_image gcr.io/k8s-staging-cri-tools/hostnet-nginx-amd64:latest 12003
	printf '%s\n' "defaultTestContainerImage: registry.k8s.io/e2e-test-images/busybox:1.29-2" \
		"webServerTestImage: corral.test/critest-web:1" >"$T/images.yaml"
}

test_critest_streaming() {
	trap cleanup_sv EXIT
	start_cri
	critest_images
	local out rc=0
	out=$(inns timeout -k 5 600 "$CRITEST" --runtime-endpoint "unix://$S/cri.sock" --image-endpoint "unix://$S/cri.sock" \
		--test-images-file "$T/images.yaml" --ginkgo.focus 'Streaming' --ginkgo.no-color 2>&1) || rc=$?
	echo "$out" >"$T/critest.out"
	echo "$out" >"$T/critest.out"
	echo "$out" | tail -30 >&2
	[ "$rc" = 0 ] || fail "critest: $(grep -E '^\s*\[(FAIL|PANICKED)\]|Ran [0-9]+ of' <<<"$out" | head -10)"
	assert_contains "$out" "Ran 5 of" "critest ran the 5 Streaming specs"
	assert_contains "$out" "5 Passed | 0 Failed" "critest's Streaming specs"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
